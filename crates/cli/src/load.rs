//! Reads every input on a pool of threads and joins the results into one [`Store`] in input order.
//!
//! Each thread takes the next input from a shared counter and streams it through the core's
//! `ingest_reader`, so a thread holds one chunk of one file plus the events it keeps: memory follows what is
//! kept, not file sizes. Results arrive in any order and wait until every earlier input has joined, because
//! the store keeps the first copy of a duplicate event: joining in input order makes the answer the same on
//! one thread or many.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use trailscope_core::ingest::{self, FileError, FileResult, IngestOptions, Outcome};
use trailscope_core::store::Store;
use trailscope_core::view;

use crate::inputs::{io_message, Input};

/// Reads `inputs` on `n_threads` threads into `store`. Each failed or skipped file is said on standard error
/// as it joins; `progress` draws the progress line there while reading.
pub fn load(store: &mut Store, inputs: &[Input], options: &IngestOptions, n_threads: usize, progress: bool) {
    let next = AtomicUsize::new(0);
    let bytes_read = AtomicU64::new(0);
    let mut line = ProgressLine::new(progress && std::io::stderr().is_terminal(), inputs.len());
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, FileResult)>();
        for _ in 0..n_threads.clamp(1, inputs.len().max(1)) {
            let sender = sender.clone();
            let (next, bytes_read) = (&next, &bytes_read);
            scope.spawn(move || loop {
                let input_idx = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(input_idx) else { break };
                let result = read(input, options, bytes_read);
                // The receiver lives until every sender is gone; a failed send means it stopped early.
                if sender.send((input_idx, result)).is_err() {
                    break;
                }
            });
        }
        // Only the threads hold senders now, so the loop below ends when the last thread does.
        drop(sender);
        let mut waiting: BTreeMap<usize, FileResult> = BTreeMap::new();
        let mut n_joined = 0usize;
        loop {
            match receiver.recv_timeout(ProgressLine::EVERY) {
                Ok((input_idx, result)) => {
                    waiting.insert(input_idx, result);
                    while let Some(result) = waiting.remove(&n_joined) {
                        if !matches!(result.outcome, Outcome::Loaded { .. }) {
                            line.clear();
                            say_outcome(&result);
                        }
                        store.add(result);
                        n_joined += 1;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            line.draw(n_joined, bytes_read.load(Ordering::Relaxed), store.summary().n_kept);
        }
    });
    line.clear();
}

/// One input through the streaming ingest. Opening errors become the file's failure, as the page records a
/// file it could not read.
fn read(input: &Input, options: &IngestOptions, bytes_read: &AtomicU64) -> FileResult {
    let name = input.name();
    match input {
        Input::Stdin => ingest::ingest_reader(&name, Counted { inner: std::io::stdin().lock(), bytes_read }, options),
        Input::File(path) => match std::fs::File::open(path) {
            Ok(file) => ingest::ingest_reader(&name, Counted { inner: file, bytes_read }, options),
            Err(error) => ingest::unread(&name, Outcome::Failed(FileError::new(io_message(&error)))),
        },
    }
}

/// Says on standard error what became of a file that did not load; loaded files are silent.
fn say_outcome(result: &FileResult) {
    let (what, message) = match &result.outcome {
        Outcome::Loaded { .. } => return,
        Outcome::Skipped { reason } => ("skipped", reason.as_str()),
        Outcome::Failed(error) => ("failed", error.message()),
    };
    // Names and messages can quote the file's own bytes: control characters are shown, never sent to the terminal.
    eprintln!("trailscope: {}: {what}: {}", view::reveal(&result.name), view::reveal(message));
}

/// Adds what a reader gives to a counter the progress line reads.
struct Counted<'a, R> {
    inner: R,
    bytes_read: &'a AtomicU64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The line `12/700 files · 340.2 MB read · 1234 events kept · 410.0 MB/s` on standard error, redrawn in place.
struct ProgressLine {
    enabled: bool,
    n_files: usize,
    start: Instant,
    drawn: bool,
}

impl ProgressLine {
    const EVERY: Duration = Duration::from_millis(200);

    fn new(enabled: bool, n_files: usize) -> ProgressLine {
        ProgressLine { enabled, n_files, start: Instant::now(), drawn: false }
    }

    fn draw(&mut self, n_done: usize, bytes_read: u64, n_kept: u64) {
        // A run that ends within the first redraw interval never shows a line that would only flicker.
        if !self.enabled || self.start.elapsed() < Self::EVERY {
            return;
        }
        let seconds = self.start.elapsed().as_secs_f64();
        let megabytes = bytes_read as f64 / 1e6;
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r\x1b[K{n_done}/{} files · {megabytes:.1} MB read · {n_kept} events kept · {:.1} MB/s",
            self.n_files,
            megabytes / seconds
        );
        let _ = stderr.flush();
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[K");
            let _ = stderr.flush();
            self.drawn = false;
        }
    }
}

//! How fast the core reads CloudTrail deliveries, next to `gzip -dc | jq` doing the same selection.
//!
//! A plain `main` (`harness = false`): it generates `GenConfig::bench()`, writes the files under the temp
//! directory, times the core on one core, on every core, and keeping every event, times the shell baselines
//! on the same files, and prints one table. No timing is asserted; only the counts are, against each other
//! and against the generator's truth: a wrong count prints MISMATCH and the run exits non-zero.
//!
//! Run with `cargo bench -p trailscope-core --bench ingest`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use trailscope_core::generate::{self, GenConfig, GeneratedFile};
use trailscope_core::ingest::{self, FileResult, IngestOptions};
use trailscope_core::store::{Store, Summary};

/// Keeps only Transcribe records, as the core does by default.
const JQ_FILTER: &str = r#"select(.Records) | .Records[] | select(.eventSource=="transcribe.amazonaws.com" or .eventSource=="transcribestreaming.amazonaws.com")"#;

fn main() -> ExitCode {
    let config = GenConfig::bench();
    let generate_start = Instant::now();
    let (files, truth) = generate::generate(&config);
    let generate_time = generate_start.elapsed();

    let dir = TempDir(std::env::temp_dir().join(format!("trailscope-bench-{}", std::process::id())));
    let paths = match write_files(&dir.0, &files) {
        Ok(paths) => paths,
        Err(error) => {
            eprintln!("cannot write the files under {}: {error}", dir.0.display());
            return ExitCode::FAILURE;
        }
    };
    let gzip_bytes: u64 = files.iter().map(|file| file.bytes.len() as u64).sum();
    let json_bytes = decoded_bytes(&files);

    println!("trailscope ingest benchmark");
    println!(
        "generated {} files, {} records ({} Transcribe, {} duplicate deliveries) in {:.2} s",
        files.len(),
        thousands(truth.n_records),
        thousands(truth.n_transcribe),
        thousands(truth.n_duplicates_all),
        generate_time.as_secs_f64()
    );
    println!("gzip bytes     {:>12}  ({:.1} MB)", thousands(gzip_bytes), gzip_bytes as f64 / 1e6);
    println!("decoded JSON   {:>12}  ({:.1} MB)", thousands(json_bytes), json_bytes as f64 / 1e6);
    println!("files under    {}", dir.0.display());
    println!();

    let transcribe_only = IngestOptions { keep_all: false, ..IngestOptions::default() };
    let everything = IngestOptions { keep_all: true, ..IngestOptions::default() };
    let n_threads = std::thread::available_parallelism().map_or(1, usize::from);

    let (one_core, one_core_summary) = best_of(3, || ingest_serial(&files, &transcribe_only));
    let (all_cores, all_cores_summary) = best_of(3, || ingest_parallel(&files, &transcribe_only, n_threads));
    let (keep_all, keep_all_summary) = best_of(3, || ingest_serial(&files, &everything));
    let kept_bytes = store_bytes(&files, &transcribe_only);
    let keep_all_bytes = store_bytes(&files, &everything);

    let list = dir.0.join("files.list");
    let baselines = std::fs::write(&list, nul_list(&paths)).map_err(|e| e.to_string()).and_then(|()| {
        let jq = best_of_result(2, || shell(r#"xargs -0 gzip -dc < "$1" | jq -c "$2" | wc -l"#, &list))?;
        let gzip = best_of_result(2, || shell(r#"xargs -0 gzip -dc < "$1" > /dev/null"#, &list))?;
        Ok((jq, gzip))
    });

    let jq_time = baselines.as_ref().ok().map(|((time, _), _)| *time);
    let rows: [(String, Option<Duration>, Option<f64>); 5] = [
        ("core 1 core".to_owned(), Some(one_core), Some(kept_bytes)),
        (format!("core {n_threads} cores"), Some(all_cores), None),
        ("core 1 core, all events kept".to_owned(), Some(keep_all), Some(keep_all_bytes)),
        ("gzip -dc | jq".to_owned(), jq_time, None),
        ("gzip -dc alone".to_owned(), baselines.as_ref().ok().map(|(_, (time, _))| *time), None),
    ];
    println!("{:<30} {:>9} {:>9} {:>16} {:>18}", "", "seconds", "MB/s", "vs gzip -dc | jq", "bytes/kept event");
    for (label, time, bytes_per_event) in rows {
        let Some(time) = time else {
            println!("{label:<30} {:>9}", "skipped");
            continue;
        };
        let seconds = time.as_secs_f64();
        let ratio = jq_time.map_or("".to_owned(), |jq| format!("{:.1}x", jq.as_secs_f64() / seconds));
        let per_event = bytes_per_event.map_or("".to_owned(), |b| format!("{b:.0}"));
        println!("{label:<30} {seconds:>9.3} {:>9.1} {ratio:>16} {per_event:>18}", json_bytes as f64 / 1e6 / seconds);
    }
    println!();
    println!("bytes/kept event: heap the store holds after loading, over its kept events (one untimed pass)");

    // The counts, against the truth and against jq.
    let mut checks = vec![
        ("1 core: kept = distinct Transcribe events", one_core_summary.n_kept, truth.n_transcribe),
        ("1 core: duplicates dropped", one_core_summary.n_duplicates, truth.n_duplicates_transcribe),
        ("1 core: records read", one_core_summary.n_records, truth.n_records),
        ("1 core: files read", one_core_summary.files_ok, files.len() as u64),
        ("N cores: kept", all_cores_summary.n_kept, truth.n_transcribe),
        ("N cores: records read", all_cores_summary.n_records, truth.n_records),
        ("all kept: kept = distinct events", keep_all_summary.n_kept, truth.n_distinct_all),
        ("all kept: duplicates dropped", keep_all_summary.n_duplicates, truth.n_duplicates_all),
    ];
    match &baselines {
        Ok(((_, jq_lines), _)) => {
            let jq_kept =
                jq_lines.trim().parse::<u64>().unwrap_or(u64::MAX).saturating_sub(truth.n_duplicates_transcribe);
            checks.push(("jq: Transcribe lines - duplicates = core kept", jq_kept, one_core_summary.n_kept));
        }
        Err(error) => println!("baselines skipped: {error}"),
    }
    let mut n_mismatches = 0;
    for (what, got, expected) in checks {
        if got == expected {
            println!("ok        {what}: {}", thousands(got));
        } else {
            n_mismatches += 1;
            println!("MISMATCH  {what}: got {got}, expected {expected}");
        }
    }
    if n_mismatches > 0 {
        println!("!!!!!!!! MISMATCH: {n_mismatches} count(s) differ; the figures above are not comparable !!!!!!!!");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The core on one thread: every file in order into one store. The store is returned so that freeing it
/// stays out of the timed part.
fn ingest_serial(files: &[GeneratedFile], options: &IngestOptions) -> (Summary, Store) {
    let mut store = Store::new();
    for file in files {
        store.add(ingest::ingest_file(&file.name, &file.bytes, options));
    }
    (store.summary(), store)
}

/// The core on `n_threads` threads, each reading every `n_threads`-th file; the results join one store in
/// file order, so the counts match the serial run.
fn ingest_parallel(files: &[GeneratedFile], options: &IngestOptions, n_threads: usize) -> (Summary, Store) {
    let mut results: Vec<Option<FileResult>> = (0..files.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n_threads)
            .map(|first| {
                scope.spawn(move || {
                    (first..files.len())
                        .step_by(n_threads)
                        .map(|file_idx| {
                            let file = &files[file_idx];
                            (file_idx, ingest::ingest_file(&file.name, &file.bytes, options))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            for (file_idx, result) in handle.join().unwrap_or_else(|payload| std::panic::resume_unwind(payload)) {
                results[file_idx] = Some(result);
            }
        }
    });
    let mut store = Store::new();
    for result in results.into_iter().flatten() {
        store.add(result);
    }
    (store.summary(), store)
}

/// The fastest of `n_runs`, with its summary.
fn best_of(n_runs: usize, mut run: impl FnMut() -> (Summary, Store)) -> (Duration, Summary) {
    let mut best: Option<(Duration, Summary)> = None;
    for _ in 0..n_runs {
        let start = Instant::now();
        let (summary, store) = run();
        let time = start.elapsed();
        drop(store);
        if best.is_none_or(|(best_time, _)| time < best_time) {
            best = Some((time, summary));
        }
    }
    best.expect("at least one run")
}

fn best_of_result(
    n_runs: usize,
    mut run: impl FnMut() -> Result<String, String>,
) -> Result<(Duration, String), String> {
    let mut best: Option<(Duration, String)> = None;
    for _ in 0..n_runs {
        let start = Instant::now();
        let output = run()?;
        let time = start.elapsed();
        if best.as_ref().is_none_or(|(best_time, _)| time < *best_time) {
            best = Some((time, output));
        }
    }
    best.ok_or_else(|| "no run".to_owned())
}

/// Runs `script` under `sh` with the file list as `$1` and the jq filter as `$2`, so no path or quote is
/// ever spliced into the script.
fn shell(script: &str, list: &Path) -> Result<String, String> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("sh")
        .arg(list)
        .arg(JQ_FILTER)
        .output()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    // `sh` has no pipefail: a failing gzip or jq shows up on stderr instead.
    if !output.status.success() || !output.stderr.is_empty() {
        return Err(format!("`{script}` failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Heap bytes the store holds after loading everything, per kept event.
fn store_bytes(files: &[GeneratedFile], options: &IngestOptions) -> f64 {
    LIVE_BYTES.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let (summary, store) = ingest_serial(files, options);
    COUNTING.store(false, Ordering::SeqCst);
    let bytes = LIVE_BYTES.load(Ordering::SeqCst);
    drop(store);
    bytes as f64 / summary.n_kept.max(1) as f64
}

/// Mirrors the S3 layout (`AWSLogs/<account>/CloudTrail/...`) under `dir`.
fn write_files(dir: &Path, files: &[GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::with_capacity(files.len());
    for file in files {
        let path = dir.join(&file.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &file.bytes)?;
        paths.push(path);
    }
    Ok(paths)
}

fn nul_list(paths: &[PathBuf]) -> Vec<u8> {
    let mut list = Vec::new();
    for path in paths {
        list.extend_from_slice(path.as_os_str().as_encoded_bytes());
        list.push(0);
    }
    list
}

fn decoded_bytes(files: &[GeneratedFile]) -> u64 {
    files
        .iter()
        .map(|file| {
            if file.name.ends_with(".gz") {
                let mut decoder = flate2::read::GzDecoder::new(&file.bytes[..]);
                std::io::copy(&mut decoder, &mut std::io::sink()).unwrap_or(0)
            } else {
                file.bytes.len() as u64
            }
        })
        .sum()
}

fn thousands(n: u64) -> String {
    let mut groups = Vec::new();
    let mut rest = n;
    while rest >= 1000 {
        groups.push(format!("{:03}", rest % 1000));
        rest /= 1000;
    }
    groups.push(rest.to_string());
    groups.reverse();
    groups.join(",")
}

/// Removes the benchmark's files however `main` ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Counts live heap bytes while `COUNTING` is on, for the bytes-per-event figure; off, it costs one relaxed
/// load per allocation, so the timed runs are not disturbed.
struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn count(delta: isize) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE_BYTES.fetch_add(delta, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the counting only reads sizes.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            count(layout.size() as isize);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            count(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let new_ptr = unsafe { System.realloc(ptr, layout, new_size) };
        if !new_ptr.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        new_ptr
    }
}

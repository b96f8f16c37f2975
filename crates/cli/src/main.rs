//! `trailscope scan`: the page's reading, search and exports on the command line, over files and folders, on
//! every core. The page is the reference: for the same files and query this command writes what the page's
//! export would, byte for byte (a CSV to standard output without the file's UTF-8 mark), and its summary
//! says what the page's overview says.
//!
//! The flow is the page's: paths ([`inputs`]) → results read in parallel and joined in order ([`load`]) →
//! the core's store, index and query → what is written ([`report`]). [`args`] reads the command line.

mod args;
mod inputs;
mod load;
mod report;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use trailscope_core::index::Index;
use trailscope_core::ingest::{self, FileError, IngestOptions, Outcome};
use trailscope_core::store::Store;
use trailscope_core::{jobs, query, view};

use crate::args::{Command, Format, Scan};

fn main() -> ExitCode {
    match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            // `trailscope --help | head` closes the pipe early; that is not an error worth a word.
            let _ = io::stdout().lock().write_all(args::usage().as_bytes());
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            let _ = writeln!(io::stdout().lock(), "trailscope {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Scan(scan)) => run(&scan),
        Err(error) => usage_error(&error.0),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("trailscope: {message}\n{}", args::SHORT_USAGE);
    ExitCode::from(2)
}

fn run(scan: &Scan) -> ExitCode {
    let (query, hints) = query::parse(&scan.query);
    // As under the page's search box: what was not understood is said, and searched as text.
    for hint in &hints {
        eprintln!("trailscope: query: {}", view::reveal(&hint.0));
    }
    let mut inputs = inputs::expand(&scan.paths);
    // `scan logs/ -o logs/out.jsonl` must not read its own output, which is emptied before reading starts.
    if let Some(output) = scan.output.as_ref().and_then(|o| std::fs::canonicalize(o).ok()) {
        inputs.inputs.retain(|input| match input {
            inputs::Input::File(path) => std::fs::canonicalize(path).ok().as_ref() != Some(&output),
            inputs::Input::Stdin => true,
        });
    }
    if scan.paths.is_empty() && inputs::stdin_is_a_terminal(&inputs) {
        return usage_error("no PATH given, and nothing is piped in: name files or folders, or pipe a file in");
    }
    let mut out: Box<dyn Write> = match &scan.output {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Box::new(BufWriter::new(file)),
            Err(error) => {
                eprintln!("trailscope: cannot write {}: {error}", path.display());
                return ExitCode::FAILURE;
            }
        },
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };

    let mut store = Store::new();
    for problem in &inputs.problems {
        eprintln!("trailscope: {}: failed: {}", view::reveal(&problem.name), problem.message);
        store.add(ingest::unread(&problem.name, Outcome::Failed(FileError::new(problem.message.clone()))));
    }
    let options = IngestOptions { keep_all: scan.keep_all, ..IngestOptions::default() };
    let n_threads = match scan.threads {
        Some(n) => n.get(),
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    load::load(&mut store, &inputs.inputs, &options, n_threads, !scan.quiet);

    // The page's engine: an index of the kept events, candidates oldest first, the query over them.
    let index = Index::build(store.events());
    let order: Vec<u32> = store.by_time().into_iter().map(|i| i as u32).collect();
    let shown = query::evaluate(&query, &index, store.events(), &order);
    let answer =
        report::Answer { store: &store, index: &index, shown: &shown, query: &scan.query, keep_all: scan.keep_all };
    let written = if scan.jobs {
        report::jobs_table(&mut out, &jobs::jobs(store.events(), shown.iter().map(|&i| i as usize)))
    } else {
        match scan.format {
            Format::Summary => report::summary(&mut out, &answer),
            Format::Jsonl => report::json_lines(&mut out, &answer),
            Format::Csv => report::csv(&mut out, &answer, scan.output.is_some()),
        }
    };
    let written = written.and_then(|()| out.flush());
    let summary = store.summary();
    // The operating system takes the memory back at exit at once; freeing millions of events one by one would
    // only add to the run's time.
    std::mem::forget((store, index, shown));

    match written {
        // A reader that stops early (`| head`) closed the pipe: what it wanted was written.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
        Err(error) => {
            eprintln!("trailscope: cannot write the output: {error}");
            return ExitCode::FAILURE;
        }
        Ok(()) => {}
    }
    if summary.files_ok == 0 {
        if inputs.inputs.is_empty() && inputs.problems.is_empty() {
            eprintln!("trailscope: no file to read: the folders given are empty");
        } else {
            eprintln!("trailscope: no file could be read");
        }
        return ExitCode::FAILURE;
    }
    // The output is complete for the files that were read; a script still learns that others were not
    // (standard error names them). Skipped files (digests) are not failures.
    if summary.files_failed > 0 {
        return ExitCode::from(3);
    }
    ExitCode::SUCCESS
}

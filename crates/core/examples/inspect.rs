//! Prints what the core makes of each file given on the command line: outcome, counts, kept events.
//! `cargo run -p trailscope-core --example inspect -- FILE...`

use trailscope_core::ingest::{ingest_file, IngestOptions, Outcome};

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) => {
                println!("{path}: cannot read: {error}");
                continue;
            }
        };
        let result = ingest_file(&path, &bytes, &IngestOptions { keep_all: false, ..IngestOptions::default() });
        let outcome = match &result.outcome {
            Outcome::Loaded { shape, gzip } => {
                format!("loaded {}{}", shape.describe(), if *gzip { " (gzip)" } else { "" })
            }
            Outcome::Skipped { reason } => format!("skipped: {reason}"),
            Outcome::Failed(error) => format!("FAILED: {error}"),
        };
        println!(
            "{path}: {outcome}; {} records, {} kept, services {:?}",
            result.n_records,
            result.events.len(),
            result.per_service
        );
    }
}

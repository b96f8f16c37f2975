//! The worker that makes the built-in sample: the file reader plus the data generator, kept out of the
//! modules every visit downloads.

use trailscope_core::generate::{generate, GenConfig};
use trailscope_core::ingest::{ingest_file, FileResult, IngestOptions};

fn main() {
    trailscope::worker::run(Some(sample));
}

fn sample(options: &IngestOptions) -> Vec<FileResult> {
    let (files, _truth) = generate(&GenConfig::sample());
    files.iter().map(|f| ingest_file(&f.name, &f.bytes, options)).collect()
}

//! Writes generated CloudTrail deliveries to a folder, with the truth the generator knows, for the browser
//! tests and the browser benchmarks: `cargo run -p trailscope-core --example generate -- DIR [EVENTS] [FILES] [plain]`.
//!
//! Large sets are made a batch of at most a million events at a time (each its own seed and later start), so
//! a 2 GB gzip set does not need its whole JSON in memory at once; the truths of the batches add up.

use std::path::PathBuf;

use trailscope_core::generate::{generate, GenConfig};

/// Events generated in memory at once.
const BATCH: usize = 1_000_000;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: generate DIR [EVENTS] [FILES] [plain]")?);
    let number =
        |arg: Option<String>, default: usize| arg.map_or(Ok(default), |a| a.parse().map_err(|e| format!("{a}: {e}")));
    let bench = GenConfig::bench();
    let n_events = number(args.next(), bench.n_events)?;
    let n_files = number(args.next(), bench.n_files)?.max(1);
    let gzip = args.next().as_deref() != Some("plain");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let n_batches = n_events.div_ceil(BATCH).max(1);
    let mut names = Vec::new();
    let (mut records, mut transcribe, mut dup_transcribe, mut distinct, mut dup_all, mut jobs) = (0, 0, 0, 0, 0, 0);
    let mut start_ms = bench.start_ms;
    for batch in 0..n_batches {
        let events = n_events / n_batches + usize::from(batch < n_events % n_batches);
        let files = (n_files / n_batches + usize::from(batch < n_files % n_batches)).max(1);
        let config = GenConfig {
            n_events: events,
            n_files: files,
            gzip,
            seed: bench.seed ^ (batch as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            start_ms,
            ..bench.clone()
        };
        let (generated, truth) = generate(&config);
        for file in &generated {
            // Flat names, so one glob finds them all.
            let name = file.name.rsplit('/').next().unwrap_or(&file.name).to_owned();
            std::fs::write(dir.join(&name), &file.bytes).map_err(|e| format!("{name}: {e}"))?;
            names.push(serde_json::Value::String(name));
        }
        records += truth.n_records;
        transcribe += truth.n_transcribe;
        dup_transcribe += truth.n_duplicates_transcribe;
        distinct += truth.n_distinct_all;
        dup_all += truth.n_duplicates_all;
        jobs += truth.jobs.len();
        // The next batch starts a week later; times may overlap the last batch, as several regions do.
        start_ms += 7 * 86_400_000;
    }
    let truth = serde_json::json!({
        "files": names,
        "n_records": records,
        "n_transcribe": transcribe,
        "n_duplicates_transcribe": dup_transcribe,
        "n_distinct_all": distinct,
        "n_duplicates_all": dup_all,
        "n_jobs": jobs,
    });
    std::fs::write(dir.join("truth.json"), truth.to_string()).map_err(|e| e.to_string())?;
    println!("{truth}");
    Ok(())
}

//! Writes generated CloudTrail deliveries to a folder, with the truth the generator knows, for the browser
//! tests and the browser benchmark: `cargo run -p trailscope-core --example generate -- DIR [EVENTS] [FILES] [plain]`.

use std::path::PathBuf;

use trailscope_core::generate::{generate, GenConfig};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: generate DIR [EVENTS] [FILES] [plain]")?);
    let number =
        |arg: Option<String>, default: usize| arg.map_or(Ok(default), |a| a.parse().map_err(|e| format!("{a}: {e}")));
    let bench = GenConfig::bench();
    let n_events = number(args.next(), bench.n_events)?;
    let n_files = number(args.next(), bench.n_files)?;
    let gzip = args.next().as_deref() != Some("plain");
    let (files, truth) = generate(&GenConfig { n_events, n_files, gzip, ..bench });
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for file in &files {
        // Flat names: the folder structure of S3 is not needed here.
        let name = file.name.rsplit('/').next().unwrap_or(&file.name).to_owned();
        std::fs::write(dir.join(&name), &file.bytes).map_err(|e| format!("{name}: {e}"))?;
        names.push(serde_json::Value::String(name));
    }
    let truth = serde_json::json!({
        "files": names,
        "n_records": truth.n_records,
        "n_transcribe": truth.n_transcribe,
        "n_duplicates_transcribe": truth.n_duplicates_transcribe,
        "n_distinct_all": truth.n_distinct_all,
        "n_duplicates_all": truth.n_duplicates_all,
        "n_jobs": truth.jobs.len(),
    });
    std::fs::write(dir.join("truth.json"), truth.to_string()).map_err(|e| e.to_string())?;
    println!("{truth}");
    Ok(())
}

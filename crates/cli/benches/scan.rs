//! How fast `trailscope scan` reads a delivery set of about 2 GB of JSON, next to `gzip -dc | jq` and DuckDB
//! doing the same selection on the same files in the same run.
//!
//! A plain `main` (`harness = false`). It writes gzipped deliveries made by the core's generator under the
//! target folder (kept between runs, one set per size), then times the command on every core (its summary, and
//! `--query status:FAILED --format jsonl` to /dev/null), `gzip -dc | jq` selecting the Transcribe records, and
//! DuckDB's `read_json` counting them when `target/py/bin/python` has duckdb. The table gives MB of JSON per
//! second and the ratio to `gzip -dc | jq`. Timings are not asserted; counts are, against the generator's truth
//! and against each other: a mismatch prints MISMATCH and the run exits non-zero.
//!
//! `cargo bench -p trailscope-cli --bench scan`; `TRAILSCOPE_BENCH_EVENTS=100000` makes a quick one.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use trailscope_core::generate::{generate, GenConfig};

/// About 2 GB of JSON: the generator writes some 1.4 KB per record.
const DEFAULT_EVENTS: usize = 1_400_000;

/// Records per delivery file, about what CloudTrail writes in five busy minutes.
const EVENTS_PER_FILE: usize = 2_000;

/// The selection every tool makes: the records of Amazon Transcribe's batch API.
const JQ_FILTER: &str = r#".Records[] | select(.eventSource=="transcribe.amazonaws.com")"#;

fn main() -> ExitCode {
    let n_events = match std::env::var("TRAILSCOPE_BENCH_EVENTS") {
        Ok(text) => match text.trim().replace('_', "").parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("TRAILSCOPE_BENCH_EVENTS={text}: write a number of events, such as 100000");
                return ExitCode::FAILURE;
            }
        },
        Err(_) => DEFAULT_EVENTS,
    };
    let set = match DeliverySet::prepare(n_events) {
        Ok(set) => set,
        Err(error) => {
            eprintln!("cannot prepare the delivery set: {error}");
            return ExitCode::FAILURE;
        }
    };
    let n_cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!("trailscope scan benchmark");
    println!(
        "{} files, {} records ({} Transcribe, {} duplicate deliveries of them)",
        set.n_files, set.n_records, set.n_transcribe, set.n_duplicates_transcribe
    );
    println!(
        "{:.1} MB of JSON in {:.1} MB of gzip, under {}",
        set.json_bytes as f64 / 1e6,
        set.gzip_bytes as f64 / 1e6,
        set.dir.display()
    );
    println!("{n_cores} cores; each time is the best of its runs, files already in the page cache");
    println!();

    // One untimed pass, so that no tool pays for the disk and the first timed one is not the slowest for it.
    if let Err(error) = set.read_all() {
        eprintln!("cannot read the delivery set: {error}");
        return ExitCode::FAILURE;
    }

    let binary = Path::new(env!("CARGO_BIN_EXE_trailscope"));
    let dir = set.dir.as_os_str();
    let summary = best_of(2, || capture(Command::new(binary).args(["scan", "--quiet"]).arg(dir)));
    let export = best_of(2, || {
        let mut command = Command::new(binary);
        command.args(["scan", "--quiet", "--query", "status:FAILED", "--format", "jsonl"]).arg(dir);
        discard(&mut command)
    });
    let jq = which("jq").and_then(|_| {
        best_of(1, || {
            let mut command = Command::new("sh");
            // Paths and filter go in as arguments, never spliced into the script; `wc -l` counts for the check.
            command.args([
                "-c",
                r#"find "$1" -name '*.json.gz' -print0 | sort -z | xargs -0 gzip -dc | jq -c "$2" | wc -l"#,
                "sh",
            ]);
            command.arg(dir).arg(JQ_FILTER);
            capture(&mut command)
        })
    });
    let duckdb = duckdb_python().and_then(|python| {
        best_of(2, || {
            let mut command = Command::new(&python);
            command.args(["-c", DUCKDB_SCRIPT]).arg(set.dir.join("*.json.gz"));
            capture(&mut command)
        })
    });

    // What "Copy as SQL" gives for the same query, run by DuckDB: the comparison a person would make.
    let glob = set.dir.join("*.json.gz").to_string_lossy().into_owned();
    let handoff = trailscope_core::sql::to_sql(
        &trailscope_core::query::parse("status:FAILED").0,
        trailscope_core::sql::Dialect::DuckDb,
        &glob,
    )
    .map_err(|e| e.to_string())
    .and_then(|translation| {
        let python = duckdb_python()?;
        best_of(2, || {
            let mut command = Command::new(&python);
            command.args(["-c", DUCKDB_ROWS_SCRIPT]).arg(&translation.sql);
            capture(&mut command)
        })
    });
    let exported_lines = {
        let mut command = Command::new(binary);
        command.args(["scan", "--quiet", "--query", "status:FAILED", "--format", "jsonl"]).arg(dir);
        capture(&mut command).map(|(_, text)| text.lines().count() as u64)
    };
    let jq_seconds = jq.as_ref().ok().map(|(time, _)| time.as_secs_f64());
    let rows = [
        (format!("trailscope scan, summary ({n_cores} cores)"), &summary),
        ("trailscope scan -q status:FAILED --format jsonl".to_owned(), &export),
        ("gzip -dc | jq -c '.Records[] | select(...)'".to_owned(), &jq),
        ("DuckDB read_json, unnest(Records), count".to_owned(), &duckdb),
        ("DuckDB, Copy as SQL of status:FAILED".to_owned(), &handoff),
    ];
    println!("{:<50} {:>9} {:>9} {:>18}", "", "seconds", "MB/s", "vs gzip -dc | jq");
    for (label, result) in &rows {
        match result {
            Ok((time, _)) => {
                let seconds = time.as_secs_f64();
                let ratio = jq_seconds.map_or(String::new(), |jq| format!("{:.1}x", jq / seconds));
                println!("{label:<50} {seconds:>9.2} {:>9.1} {ratio:>18}", set.json_bytes as f64 / 1e6 / seconds);
            }
            Err(reason) => println!("{label:<50} skipped: {reason}"),
        }
    }
    println!();

    let mut checks: Vec<(String, u64, u64)> = Vec::new();
    let mut n_unreadable = 0;
    if let Ok((_, text)) = &summary {
        let kept = figure(text, "kept");
        checks.push(("trailscope: kept = distinct Transcribe events".to_owned(), kept.first, set.n_transcribe));
        checks.push(("trailscope: duplicates dropped".to_owned(), kept.second, set.n_duplicates_transcribe));
        checks.push(("trailscope: records read".to_owned(), figure(text, "records").first, set.n_records));
        checks.push(("trailscope: files read".to_owned(), figure(text, "files").first, set.n_files));
    }
    // A tool that ran but printed something other than a count is a failed check, not a silent one.
    let mut count = |result: &Result<(Duration, String), String>, tool: &str| match result {
        Ok((_, text)) => match text.trim().parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                println!("MISMATCH  {tool} printed {text:?}, not a count");
                n_unreadable += 1;
                None
            }
        },
        Err(_) => None,
    };
    let (jq_count, duckdb_count) = (count(&jq, "jq"), count(&duckdb, "DuckDB"));
    if let (Some(jq), Some(duckdb)) = (jq_count, duckdb_count) {
        checks.push(("DuckDB count = jq lines".to_owned(), duckdb, jq));
    }
    if let (Some(rows), Ok(lines)) = (count(&handoff, "DuckDB hand-off"), &exported_lines) {
        checks.push(("DuckDB hand-off rows = trailscope export lines".to_owned(), rows, *lines));
    }
    let mut n_mismatches = n_unreadable;
    for (what, got, expected) in &checks {
        if got == expected {
            println!("ok        {what}: {got}");
        } else {
            n_mismatches += 1;
            println!("MISMATCH  {what}: got {got}, expected {expected}");
        }
    }
    if n_mismatches > 0 || summary.is_err() || export.is_err() {
        println!("!!!!!!!! the command failed or a count differs: the figures above are not comparable !!!!!!!!");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Counts the batch API's records; the glob comes in as `argv[1]`, never spliced into the SQL. Schema detection
/// is left to DuckDB: naming the one column needed made it slower, not faster, on these files.
const DUCKDB_SCRIPT: &str = r#"
import sys, duckdb
sql = """SELECT count(*) FROM (
  SELECT unnest(Records) AS r FROM read_json($glob, compression = 'gzip', maximum_object_size = 1073741824)
) WHERE r.eventSource = 'transcribe.amazonaws.com'"""
# Off, or its progress bar lands on standard output before the count.
connection = duckdb.connect()
connection.execute("SET enable_progress_bar = false")
print(connection.execute(sql, {"glob": sys.argv[1]}).fetchone()[0])
"#;

/// Runs one SQL statement (from `argv[1]`) and prints how many rows it returned.
const DUCKDB_ROWS_SCRIPT: &str = r#"
import sys, duckdb
connection = duckdb.connect()
connection.execute("SET enable_progress_bar = false")
connection.execute("SET TimeZone = 'UTC'")
print(len(connection.execute(sys.argv[1]).fetchall()))
"#;

/// The generated files and what the generator says they hold.
struct DeliverySet {
    dir: PathBuf,
    n_files: u64,
    gzip_bytes: u64,
    json_bytes: u64,
    n_records: u64,
    n_transcribe: u64,
    n_duplicates_transcribe: u64,
}

impl DeliverySet {
    /// The set for `n_events`, generated unless an earlier run left it complete. The note beside the folder is
    /// written last, so a run stopped while writing generates again.
    fn prepare(n_events: usize) -> Result<DeliverySet, String> {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let dir = base.join(format!("scan-bench-{n_events}"));
        let note = base.join(format!("scan-bench-{n_events}.txt"));
        if let Some(set) = std::fs::read_to_string(&note).ok().and_then(|text| DeliverySet::parse(&dir, &text)) {
            return Ok(set);
        }
        let n_files = n_events.div_ceil(EVENTS_PER_FILE);
        println!("generating {n_events} events in {n_files} files (once; kept for later runs)...");
        let start = Instant::now();
        let (files, truth) = generate(&GenConfig { n_events, n_files, ..GenConfig::bench() });
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let (mut gzip_bytes, mut json_bytes) = (0, 0);
        for file in &files {
            // Flat names, so one glob finds them for DuckDB.
            let name = file.name.rsplit('/').next().unwrap_or(&file.name);
            std::fs::write(dir.join(name), &file.bytes).map_err(|e| format!("{name}: {e}"))?;
            gzip_bytes += file.bytes.len() as u64;
            json_bytes += std::io::copy(&mut flate2::read::MultiGzDecoder::new(&file.bytes[..]), &mut std::io::sink())
                .map_err(|e| format!("{name}: {e}"))?;
        }
        let set = DeliverySet {
            dir,
            n_files: files.len() as u64,
            gzip_bytes,
            json_bytes,
            n_records: truth.n_records,
            n_transcribe: truth.n_transcribe,
            n_duplicates_transcribe: truth.n_duplicates_transcribe,
        };
        std::fs::write(&note, set.note()).map_err(|e| format!("{}: {e}", note.display()))?;
        println!("generated in {:.1} s", start.elapsed().as_secs_f64());
        Ok(set)
    }

    fn note(&self) -> String {
        format!(
            "n_files {}\ngzip_bytes {}\njson_bytes {}\nn_records {}\nn_transcribe {}\nn_duplicates_transcribe {}\n",
            self.n_files,
            self.gzip_bytes,
            self.json_bytes,
            self.n_records,
            self.n_transcribe,
            self.n_duplicates_transcribe
        )
    }

    fn parse(dir: &Path, text: &str) -> Option<DeliverySet> {
        let value = |key: &str| {
            text.lines().find_map(|line| line.strip_prefix(key)?.strip_prefix(' ')?.trim().parse::<u64>().ok())
        };
        dir.is_dir().then_some(())?;
        Some(DeliverySet {
            dir: dir.to_path_buf(),
            n_files: value("n_files")?,
            gzip_bytes: value("gzip_bytes")?,
            json_bytes: value("json_bytes")?,
            n_records: value("n_records")?,
            n_transcribe: value("n_transcribe")?,
            n_duplicates_transcribe: value("n_duplicates_transcribe")?,
        })
    }

    fn read_all(&self) -> std::io::Result<()> {
        let mut buffer = vec![0u8; 1 << 20];
        for entry in std::fs::read_dir(&self.dir)? {
            let mut file = std::fs::File::open(entry?.path())?;
            while file.read(&mut buffer)? > 0 {}
        }
        Ok(())
    }
}

/// The first two numbers on the summary line that starts with `label`.
struct Figure {
    first: u64,
    second: u64,
}

fn figure(summary: &str, label: &str) -> Figure {
    let line = summary.lines().find(|line| line.split_whitespace().next() == Some(label)).unwrap_or_default();
    let mut numbers = line.split(|c: char| !c.is_ascii_digit()).filter_map(|word| word.parse::<u64>().ok());
    Figure { first: numbers.next().unwrap_or(u64::MAX), second: numbers.next().unwrap_or(u64::MAX) }
}

/// The fastest of `n_runs` successful runs, with its output; the first failure ends the attempt.
fn best_of(
    n_runs: usize,
    mut run: impl FnMut() -> Result<(Duration, String), String>,
) -> Result<(Duration, String), String> {
    let mut best: Option<(Duration, String)> = None;
    for _ in 0..n_runs {
        let (time, output) = run()?;
        if best.as_ref().is_none_or(|(best_time, _)| time < *best_time) {
            best = Some((time, output));
        }
    }
    best.ok_or_else(|| "no run".to_owned())
}

/// Runs `command`, timing it, and returns what it printed; a failure says what it wrote on standard error.
fn capture(command: &mut Command) -> Result<(Duration, String), String> {
    let start = Instant::now();
    let output = command.stdin(Stdio::null()).output().map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let time = start.elapsed();
    // `sh` has no pipefail: a failing gzip or jq shows up on standard error instead.
    if !output.status.success() || !output.stderr.is_empty() {
        return Err(format!("{command:?} failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok((time, String::from_utf8_lossy(&output.stdout).into_owned()))
}

/// Runs `command` with its output going to /dev/null, as `> /dev/null` would.
fn discard(command: &mut Command) -> Result<(Duration, String), String> {
    let null = std::fs::File::create("/dev/null").map_err(|e| format!("/dev/null: {e}"))?;
    let start = Instant::now();
    let output = command
        .stdin(Stdio::null())
        .stdout(null)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let time = start.elapsed();
    if !output.status.success() {
        return Err(format!("{command:?} failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok((time, String::new()))
}

/// `Ok` when `program` is on the PATH, else why the row is skipped.
fn which(program: &str) -> Result<(), String> {
    match Command::new(program).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(_) => Ok(()),
        Err(_) => Err(format!("{program} is not installed")),
    }
}

/// The Python that another helper sets up with duckdb: `target/py` of the workspace, or of `CARGO_TARGET_DIR`.
fn duckdb_python() -> Result<PathBuf, String> {
    let workspace_target = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target"));
    let this_target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).parent().map(Path::to_path_buf).unwrap_or_default();
    let candidates = [workspace_target, this_target].map(|target| target.join("py").join("bin").join("python"));
    let Some(python) = candidates.iter().find(|p| p.is_file()) else {
        return Err(format!("no Python at {} (nor under CARGO_TARGET_DIR)", candidates[0].display()));
    };
    let imports = Command::new(python).args(["-c", "import duckdb"]).stderr(Stdio::null()).status();
    match imports {
        Ok(status) if status.success() => Ok(python.clone()),
        _ => Err(format!("{} has no duckdb module", python.display())),
    }
}

//! The streaming path (`ingest_file`, `ingest_reader`) against the reference path (`ingest_whole`):
//! the same outcome, counts and events, event for event, on every input and at every chunk size.

mod common;

use common::Chunked;
use std::io::Write;
use std::path::PathBuf;

use flate2::write::GzEncoder;
use flate2::Compression;
use trailscope_core::generate::{generate, GenConfig};
use trailscope_core::ingest::{ingest_reader, ingest_whole, FileResult, IngestOptions, Outcome};

fn summary(result: &FileResult) -> String {
    let outcome = match &result.outcome {
        // Messages may place an error differently; that a file failed must not differ.
        Outcome::Failed(_) => "failed".to_owned(),
        other => format!("{other:?}"),
    };
    format!(
        "{outcome} records={} kept={} left={} services={:?}",
        result.n_records,
        result.events.len(),
        result.n_left,
        result.per_service
    )
}

/// Both paths agree on `bytes`, with and without keeping every event, read in chunks of each size in `ks`;
/// and the prefilter (used only when not every event is kept) loses nothing: the Transcribe events are
/// those of the full parse.
fn check_same(name: &str, bytes: &[u8], ks: impl IntoIterator<Item = usize> + Clone) {
    let all = ingest_whole(name, bytes, &IngestOptions { keep_all: true, ..IngestOptions::default() });
    let filtered = ingest_whole(name, bytes, &IngestOptions { keep_all: false, ..IngestOptions::default() });
    if !matches!(all.outcome, Outcome::Failed(_)) {
        let transcribe: Vec<_> = all.events.iter().filter(|e| e.transcribe.is_some()).cloned().collect();
        assert!(filtered.events == transcribe, "{name}: the prefilter changed the kept events");
        assert_eq!((filtered.n_records, &filtered.per_service), (all.n_records, &all.per_service), "{name}");
    }
    // Every event kept, without a limit and with one that most files pass after a record or two (from then
    // on, only Transcribe events are kept); and a limit on any kept event, a few records long.
    for (keep_all, keep_all_bytes, keep_bytes) in [
        (false, None, None),
        (true, None, None),
        (true, Some(1500), None),
        (false, None, Some(5000)),
        (true, None, Some(5000)),
        (true, Some(1500), Some(5000)),
    ] {
        let options = IngestOptions { keep_all, keep_all_bytes, keep_bytes };
        let whole = ingest_whole(name, bytes, &options);
        for k in ks.clone() {
            let streamed = ingest_reader(name, Chunked { bytes, k }, &options);
            let how = format!("{name}, {options:?}, chunks of {k} bytes");
            assert_eq!(summary(&streamed), summary(&whole), "{how}");
            assert!(streamed.events == whole.events, "{how}: events differ");
            // A file that is clearly not a log is refused before it is read to the end.
            if !matches!(whole.outcome, Outcome::Failed(_)) {
                assert_eq!(streamed.bytes_in, bytes.len() as u64, "{name}");
            }
        }
    }
}

fn corpus() -> PathBuf {
    common::corpus_dir()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn every_corpus_file_at_every_small_chunk_size() {
    let dir = corpus();
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("the real corpus is missing at {}: {e}", dir.display()));
    let mut n_files = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Every size up to 64 bytes, then a spread of larger ones up to the whole file.
        let ks: Vec<usize> = (1..=64).chain([97, 255, 256, 1000, 4096, 65_536, bytes.len().max(1)]).collect();
        check_same(&name, &bytes, ks);
        n_files += 1;
    }
    assert!(n_files >= 19, "expected the whole corpus, read {n_files} files");
}

#[test]
fn documentation_example_cut_at_every_chunk_size() {
    let path = corpus().join("amazon-transcribe-developer-guide__monitoring-transcribe-cloud-trail.example.json");
    let bytes = std::fs::read(path).unwrap();
    check_same("example", &bytes, 1..=bytes.len());
    let gz = gzip(&bytes);
    check_same("example.gz", &gz, 1..=gz.len());
}

#[test]
fn generated_deliveries_compact_and_gzipped() {
    let config = GenConfig { n_events: 3_000, n_files: 4, ..GenConfig::sample() };
    let (files, _truth) = generate(&config);
    for file in &files {
        check_same(&file.name, &file.bytes, [1, 7, 4096, 1 << 20]);
    }
}

/// The same records written in other ways: pretty-printed with sorted keys, CRLF, a BOM, escapes, JSON Lines.
#[test]
fn generated_records_written_every_other_way() {
    let config = GenConfig { n_events: 600, n_files: 1, gzip: false, ..GenConfig::sample() };
    let (files, _truth) = generate(&config);
    let compact = String::from_utf8(files[0].bytes.clone()).unwrap();
    let value: serde_json::Value = serde_json::from_str(&compact).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    let records = value["Records"].as_array().unwrap();
    let lines: String = records.iter().map(|r| format!("{r}\n")).collect();
    let variants = [
        ("pretty, keys sorted", pretty.clone()),
        ("CRLF", pretty.replace('\n', "\r\n")),
        ("BOM", format!("\u{feff}{compact}")),
        ("escaped letters", compact.replace("\"transcribe.amazonaws.com\"", "\"\\u0074ranscribe.amazonaws.com\"")),
        ("escaped slashes", compact.replace("s3://", "s3:\\/\\/")),
        ("spaces around colons", compact.replace("\":", "\" : ")),
        ("JSON Lines", lines.clone()),
        ("a bare array", serde_json::to_string(records).unwrap()),
        ("two documents", format!("{compact}\n{compact}")),
        ("truncated", compact[..compact.len() / 2].to_owned()),
    ];
    for (name, text) in variants {
        check_same(name, text.as_bytes(), [1, 3, 1000, 1 << 20]);
        check_same(name, &gzip(text.as_bytes()), [1, 1000, 1 << 20]);
    }
}

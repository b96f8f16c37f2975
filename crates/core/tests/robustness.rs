//! Property tests: arbitrary bytes, damaged real files and JSON-shaped noise all end in events or a
//! per-file error, never a panic; and the streaming path agrees with the reference path on them.
//! `PROPTEST_CASES` sets the budget (CI keeps the default; the long run is `PROPTEST_CASES=100000`).

mod common;

use common::Chunked;

use proptest::prelude::*;
use trailscope_core::ingest::{ingest_reader, ingest_whole, FileResult, IngestOptions, Outcome};

fn corpus_files() -> Vec<Vec<u8>> {
    let dir = common::corpus_dir();
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the real corpus is missing at {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| Some((entry.file_name().to_string_lossy().into_owned(), std::fs::read(entry.path()).ok()?)))
        .collect();
    files.sort();
    files.into_iter().map(|(_, bytes)| bytes).collect()
}

/// Both paths read `bytes`; their outcomes agree (failed or not) and so do their events.
fn agree(bytes: &[u8], k: usize) -> Result<(), TestCaseError> {
    for keep_all in [false, true] {
        let options = IngestOptions { keep_all, ..IngestOptions::default() };
        let whole = ingest_whole("input", bytes, &options);
        let streamed = ingest_reader("input", Chunked { bytes, k }, &options);
        let failed = |r: &FileResult| matches!(r.outcome, Outcome::Failed(_));
        prop_assert_eq!(
            failed(&streamed),
            failed(&whole),
            "streamed {:?}, whole {:?}",
            streamed.outcome,
            whole.outcome
        );
        if !failed(&whole) {
            prop_assert_eq!(&streamed.outcome, &whole.outcome);
            prop_assert!(streamed.events == whole.events, "events differ");
            prop_assert_eq!(streamed.n_records, whole.n_records);
            prop_assert!(streamed.events.len() as u64 <= streamed.n_records);
        } else {
            prop_assert!(streamed.events.is_empty() && streamed.n_records == 0, "a failed file keeps nothing");
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048), k in 1usize..300) {
        agree(&bytes, k)?;
    }

    #[test]
    fn json_shaped_noise(text in r#"[\[\]{}",:0-9a-zA-Z \\\n]{0,600}"#, k in 1usize..64) {
        agree(text.as_bytes(), k)?;
    }

    #[test]
    fn records_shaped_noise(inner in r#"[\[\]{}",:0-9a-z \\]{0,300}"#, k in 1usize..64) {
        let text = format!(r#"{{"Records":[{{"eventVersion":"1.08","eventSource":"transcribe.amazonaws.com","eventName":"X","x":{inner}}}]}}"#);
        agree(text.as_bytes(), k)?;
    }

    #[test]
    fn truncated_real_files(which in any::<prop::sample::Index>(), cut in any::<prop::sample::Index>(), k in 1usize..4096) {
        let files = corpus_files();
        let file = which.get(&files);
        let bytes = &file[..cut.index(file.len() + 1)];
        agree(bytes, k)?;
    }

    #[test]
    fn bit_flipped_real_files(which in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), bit in 0u8..8, k in 1usize..4096) {
        let files = corpus_files();
        let mut bytes = which.get(&files).clone();
        if !bytes.is_empty() {
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
        }
        agree(&bytes, k)?;
    }
}

#[test]
fn deep_nesting_of_every_kind() {
    let n = 100_000;
    let inputs = [
        format!("{}{}", "[".repeat(n), "]".repeat(n)),
        format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n)),
        format!("{{\"Records\":[{}{}]}}", "[".repeat(n), "]".repeat(n)),
        format!("{{\"Records\":[{{\"eventVersion\":\"1\",\"eventSource\":\"transcribe.amazonaws.com\",\"responseElements\":{}1{}}}]}}", "{\"a\":".repeat(n), "}".repeat(n)),
        "[".repeat(n),
    ];
    for input in inputs {
        let result = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || {
                let a = ingest_reader("deep", Chunked { bytes: input.as_bytes(), k: 4096 }, &IngestOptions::default());
                let b = ingest_whole("deep", input.as_bytes(), &IngestOptions::default());
                (matches!(a.outcome, Outcome::Failed(_)), matches!(b.outcome, Outcome::Failed(_)))
            })
            .expect("thread")
            .join();
        let (a, b) = result.expect("no stack overflow on a 256 KiB stack");
        assert_eq!(a, b);
    }
}

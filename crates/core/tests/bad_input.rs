//! Files that are not CloudTrail logs, or are broken: each fails (or is skipped) with a message a person
//! understands, and nothing panics or overflows the stack.

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use trailscope_core::ingest::{ingest_file, ingest_whole, FileResult, IngestOptions, Outcome};
use trailscope_core::store::Store;

const START: &str = r#"{"eventVersion":"1.05","userIdentity":{"type":"IAMUser","accountId":"111122223333","userName":"my-user-name"},"eventTime":"2022-03-07T15:03:45Z","eventSource":"transcribe.amazonaws.com","eventName":"StartTranscriptionJob","awsRegion":"us-west-2","sourceIPAddress":"127.0.0.1","requestParameters":{"mediaFormat":"flac","languageCode":"en-US","transcriptionJobName":"my-first-transcription-job","media":{"mediaFileUri":"s3://DOC-EXAMPLE-BUCKET/my-media-file.flac"}},"responseElements":{"transcriptionJob":{"transcriptionJobStatus":"IN_PROGRESS","transcriptionJobName":"my-first-transcription-job"}},"eventID":"cdc4b7ed-e171-4cef-975a-ad829d4123e8","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;

/// The first bytes of a real PNG: signature and IHDR chunk of a 1x1 image.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";

// ---- helpers ----

fn ingest(bytes: impl AsRef<[u8]>) -> FileResult {
    ingest_file("input.json", bytes.as_ref(), &IngestOptions { keep_all: true, ..IngestOptions::default() })
}

/// The file fails, keeps nothing, and its message contains every one of `words` (in any case).
fn check(bytes: impl AsRef<[u8]>, words: &[&str]) -> String {
    let result = ingest(bytes);
    let Outcome::Failed(error) = &result.outcome else {
        panic!("\n---- expected Failed mentioning {words:?} ----\ngot {:?}\n", result.outcome);
    };
    let message = error.message().to_owned();
    let missing: Vec<&str> =
        words.iter().copied().filter(|w| !message.to_lowercase().contains(&w.to_lowercase())).collect();
    assert!(missing.is_empty(), "\n---- message lacks {missing:?} ----\n{message}\n");
    assert_eq!((result.n_records, result.events.len()), (0, 0), "a failed file keeps nothing");
    message
}

fn gzip(bytes: impl AsRef<[u8]>) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes.as_ref()).unwrap();
    encoder.finish().unwrap()
}

fn records_file() -> String {
    format!(r#"{{"Records":[{START}]}}"#)
}

/// Runs `body` on a thread with a 256 KiB stack (deep input must not be read by deep recursion), in a
/// child process: a stack overflow aborts the whole process, and must fail only the test `test_name`.
/// The child is this same test binary, running just that test.
fn on_small_stack(test_name: &str, body: impl FnOnce() + Send + 'static) {
    if std::env::var_os("TRAILSCOPE_SMALL_STACK_CHILD").is_some() {
        let thread = std::thread::Builder::new().stack_size(256 * 1024).spawn(body).unwrap();
        thread.join().expect("no panic");
        return;
    }
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env("TRAILSCOPE_SMALL_STACK_CHILD", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(child.status.success(), "\n---- {test_name} on a 256 KiB stack: {} ----\n{stderr}\n", child.status);
}

/// A small deterministic generator (xorshift), so "random" bytes are the same on every run.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

// ---- gzip ----

#[test]
fn truncated_gzip() {
    let whole = gzip(records_file());
    check(&whole[..whole.len() / 2], &["gzip", "ends early"]);
}

#[test]
fn gzip_cut_anywhere_ends_early() {
    let whole = gzip(records_file());
    for cut in 2..whole.len() {
        let message = check(&whole[..cut], &["gzip"]);
        assert!(message.contains("ends early"), "cut at {cut} of {}: {message}", whole.len());
    }
}

#[test]
fn gzip_of_a_png_says_png() {
    let message = check(gzip(PNG), &["PNG"]);
    assert!(!message.contains("not gzip"), "the file is gzip, only its content is a PNG: {message}");
}

// ---- not a log at all ----

#[test]
fn png_renamed_json() {
    check(PNG, &["PNG"]);
}

#[test]
fn empty_file() {
    check(b"", &["empty"]);
}

#[test]
fn whitespace_only() {
    check(b" \r\n\t\n  \n", &["empty"]);
}

#[test]
fn one_byte_files() {
    for byte in 0..=255u8 {
        let result = ingest([byte]);
        assert!(matches!(result.outcome, Outcome::Failed(_)), "byte {byte:#04x}: {:?}", result.outcome);
    }
}

#[test]
fn random_bytes() {
    for seed in 1..=64u64 {
        let bytes = noise(seed, (seed as usize * 97) % 5000 + 1);
        let result = ingest(&bytes);
        assert!(matches!(result.outcome, Outcome::Failed(_)), "seed {seed}: {:?}", result.outcome);
    }
}

#[test]
fn random_bytes_say_binary() {
    check(noise(7, 2048), &["not a CloudTrail log"]);
}

#[test]
fn utf16_text_is_read() {
    // Windows PowerShell 5 writes `aws ... > out.json` as UTF-16 LE with a byte-order mark.
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(records_file().encode_utf16().flat_map(u16::to_le_bytes));
    let result = ingest_file("out.json", &bytes, &IngestOptions::default());
    assert!(matches!(result.outcome, Outcome::Loaded { .. }), "{:?}", result.outcome);
    assert_eq!(
        result.events.len(),
        ingest_file("a.json", records_file().as_bytes(), &IngestOptions::default()).events.len()
    );
}

// ---- JSON that is not a log ----

#[test]
fn records_is_not_a_list() {
    check(br#"{"Records": {}}"#, &["\"Records\"", "should be a list"]);
}

#[test]
fn invalid_json_says_byte_and_line() {
    let text = "{\"Records\":[\n{\"eventVersion\":\"1.08\",\"eventName\":\"StartTranscriptionJob\",}\n]}\n";
    check(text, &["invalid JSON", "byte", "line 2"]);
}

#[test]
fn a_broken_line_of_json_lines_is_named_by_where_it_begins() {
    // The broken line opens a value that the lines after it never close: the file ends inside it.
    let text = format!("{START}\n{{broken line\n{START}\n");
    let start = START.len() + 1;
    check(&text, &["ends early", &format!("begins at byte {start} (line 2)"), "truncated", "not valid JSON"]);
    // A delivery cut inside its second record names that record's start.
    let head = "{\"Records\":[";
    let cut = format!("{head}{START},\n{START}");
    let cut = &cut[..cut.len() - 5];
    check(cut, &["ends early", &format!("begins at byte {} (line 2)", head.len() + START.len() + 2)]);
}

#[test]
fn json_object_that_is_not_a_log_lists_its_keys() {
    check(br#"{"name":"holiday.png","size":2048,"tags":[]}"#, &["not a CloudTrail log", "name, size, tags"]);
    // Only the top level's keys, sorted, each once, the first six; nested keys and values that look like
    // keys are not listed.
    check(
        br#"{"z":1, "a" : {"inner":2}, "b\"q":[{"x":"y:"}], "a":3, "c":"d:", "e":1, "f":1, "g":1}"#,
        &["not a CloudTrail log", r#"(keys: a, b\"q, c, e, f, g, ...)"#],
    ); // Ten thousand keys, last first: the six first in order, found in one pass.
    let keys: Vec<String> = (0..10_000).rev().map(|i| format!("\"k{i:05}\":{i}")).collect();
    check(
        format!("{{{}}}", keys.join(",")),
        &["not a CloudTrail log", "(keys: k00000, k00001, k00002, k00003, k00004, k00005, ...)"],
    );
}

#[test]
fn bad_line_in_json_lines_names_its_line() {
    let text = format!("{START}\n{START}\n{{\"hello\":\"world\"}}\n");
    check(text, &["line 3", "hello"]);
}

#[test]
fn json_nested_100000_deep_array() {
    on_small_stack("json_nested_100000_deep_array", || {
        check(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)), &[]);
    });
}

/// A record whose `requestParameters` is nested 100,000 objects deep.
fn deep_record(event_source: &str) -> String {
    format!(
        r#"{{"Records":[{{"eventVersion":"1.08","eventSource":"{event_source}","eventName":"StartTranscriptionJob","eventID":"deep","requestParameters":{}1{}}}]}}"#,
        r#"{"a":"#.repeat(100_000),
        "}".repeat(100_000)
    )
}

/// Loaded (the deep field ignored) or a clear failure.
fn check_deep(event_source: &str) {
    match ingest(deep_record(event_source)).outcome {
        Outcome::Loaded { .. } => {}
        Outcome::Failed(error) => assert!(!error.message().is_empty()),
        Outcome::Skipped { reason } => panic!("a record is not skipped: {reason}"),
    }
}

#[test]
fn record_with_a_field_nested_100000_deep() {
    on_small_stack("record_with_a_field_nested_100000_deep", || check_deep("s3.amazonaws.com"));
}

#[test]
fn transcribe_record_with_a_field_nested_100000_deep() {
    // Transcribe records have their request read for the job name: that read must not recurse either.
    on_small_stack("transcribe_record_with_a_field_nested_100000_deep", || check_deep("transcribe.amazonaws.com"));
}

// ---- Skipped, not failed ----

#[test]
fn digest_file_is_skipped() {
    let digest = r#"{"awsAccountId":"111122223333","digestStartTime":"2022-03-07T15:00:00Z","digestEndTime":"2022-03-07T16:00:00Z","digestS3Bucket":"DOC-EXAMPLE-BUCKET","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-west-2/2022/03/07/111122223333_CloudTrail-Digest_us-west-2_trail_us-west-2_20220307T160000Z.json.gz","digestPublicKeyFingerprint":"47aaa19f7eec22e9bd0b5e58cfade8cb","digestSignatureAlgorithm":"SHA256withRSA","logFiles":[]}"#;
    let result = ingest(digest);
    let Outcome::Skipped { reason } = &result.outcome else { panic!("expected Skipped, got {:?}", result.outcome) };
    assert!(reason.to_lowercase().contains("digest"), "{reason}");
    // What follows the digest object is not read, gzipped (one chunk) or not, as the reference path does.
    for bytes in [format!("{digest}\u{b}").into_bytes(), gzip(format!("{digest}\u{b}"))] {
        let streamed = ingest(&bytes);
        assert!(matches!(streamed.outcome, Outcome::Skipped { .. }), "{:?}", streamed.outcome);
        let whole = ingest_whole("digest", &bytes, &IngestOptions::default());
        assert_eq!(streamed.outcome, whole.outcome);
    }
}

// ---- One bad file among good ones ----

#[test]
fn one_bad_file_loses_no_good_events() {
    let options = IngestOptions::default();
    let mut store = Store::new();
    store.add(ingest_file("a.json", records_file().as_bytes(), &options));
    store.add(ingest_file("broken.json.gz", &gzip(records_file())[..40], &options));
    store.add(ingest_file("b.json", START.replace("cdc4b7ed", "00000000").as_bytes(), &options));
    let s = store.summary();
    assert_eq!((s.files_ok, s.files_failed, s.n_records, s.n_kept), (2, 1, 2, 2));
    let notes: Vec<(&str, bool)> = store.notes().iter().map(|n| (n.file.as_str(), n.skipped)).collect();
    assert_eq!(notes, [("broken.json.gz", false)]);
}

/// What follows the `"Records"` list inside its object is JSON too: a delivery whose object closes with `]`,
/// or holds garbage after the list, is invalid, not loaded (found by the bit-flip property test).
#[test]
fn the_object_around_records_must_end_as_json() {
    let closed_wrong = format!(r#"{{"Records":[{START}]]"#);
    check(&closed_wrong, &["invalid JSON", "after the \"Records\" list"]);
    let garbage = format!(r#"{{"Records":[{START}],"x":nonsense}}"#);
    check(&garbage, &["invalid JSON"]);
    // Valid extra keys after the list are fine.
    let extra = format!(r#"{{"Records":[{START}],"x":{{"y":[1,"]}}"]}}}}"#);
    assert!(matches!(ingest(&extra).outcome, Outcome::Loaded { .. }), "{:?}", ingest(&extra).outcome);
}

//! The built `trailscope` binary against the page's own path through the core.
//!
//! The reference is built here in-process the way the page's engine builds it (files in path order into a
//! `Store`, an `Index`, candidates oldest first, `query::evaluate`, then `export::json_lines` or `export::csv`),
//! and the command's output must equal it byte for byte, for every query of the shared table
//! `crates/core/tests/data/queries.txt`, over generated deliveries and the real corpus. A brute-force filter
//! over the events' own fields checks the same queries once more, independently of the index.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::value::RawValue;
use trailscope_core::export;
use trailscope_core::generate::{generate, GenConfig, Truth};
use trailscope_core::index::{agent_family, Column, Index};
use trailscope_core::ingest::{ingest_file, IngestOptions};
use trailscope_core::model::Event;
use trailscope_core::query::{self, Matcher, Ordering, Query, Test};
use trailscope_core::store::Store;
use trailscope_core::view;

// ---------------------------------------------------------------------------------------------------------
// The tests.

#[test]
fn every_shared_query_exports_what_the_page_exports() {
    let dir = Scratch::new("shared-queries");
    let (paths, _) = write_generated(&dir.0, &GenConfig { n_events: 6_000, n_files: 12, ..GenConfig::sample() });
    let mut n_matched = 0;
    for keep_all in [false, true] {
        let reference = Reference::load(&paths, keep_all);
        for query in shared_queries() {
            let jsonl = scan(&[&dir.0], &query, keep_all, "jsonl");
            assert_eq!(jsonl.code, 0, "{query}: {}", jsonl.stderr);
            assert_same(
                &format!("jsonl, query {query:?}, --all {keep_all}"),
                &jsonl.stdout,
                &reference.json_lines(&query),
            );
            let csv = scan(&[&dir.0], &query, keep_all, "csv");
            assert_same(&format!("csv, query {query:?}, --all {keep_all}"), &csv.stdout, &reference.csv(&query));

            if let Some(want) = reference.brute_force(&query) {
                assert_same(&format!("brute force, query {query:?}, --all {keep_all}"), &jsonl.stdout, &want);
            }
            n_matched += event_ids(&jsonl.stdout).len();
        }
        // No query is every kept event: the export is the whole store, oldest first.
        let everything = scan(&[&dir.0], "", keep_all, "jsonl");
        assert_eq!(event_ids(&everything.stdout).len() as u64, reference.store.summary().n_kept);
    }
    assert!(n_matched > 0, "the shared queries match nothing in the generated data: the comparison proves nothing");
}

#[test]
fn the_real_corpus_exports_what_the_page_exports() {
    let Some(corpus) = corpus_dir() else { return };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("the corpus folder can be listed")
        .map(|entry| entry.expect("a corpus entry").path())
        .collect();
    paths.sort();
    let mut queries = shared_queries();
    queries.push(String::new());
    for keep_all in [false, true] {
        let reference = Reference::load(&paths, keep_all);
        for query in &queries {
            let jsonl = scan(&[&corpus], query, keep_all, "jsonl");
            // The corpus holds a broken file and a digest: named on standard error, the rest still loads,
            // and the exit status says that a file failed.
            assert_eq!(jsonl.code, 3, "{query}: {}", jsonl.stderr);
            assert!(
                jsonl.stderr.contains("cloudgrep__bad_cloudtrail.json: failed: the JSON ends early"),
                "{}",
                jsonl.stderr
            );
            assert_same(
                &format!("corpus jsonl, query {query:?}, --all {keep_all}"),
                &jsonl.stdout,
                &reference.json_lines(query),
            );
            let csv = scan(&[&corpus], query, keep_all, "csv");
            assert_same(&format!("corpus csv, query {query:?}, --all {keep_all}"), &csv.stdout, &reference.csv(query));
            if let Some(want) = reference.brute_force(query) {
                assert_same(&format!("corpus brute force, query {query:?}, --all {keep_all}"), &jsonl.stdout, &want);
            }
        }
    }
}

#[test]
fn csv_cells_that_look_like_formulas_are_neutralised() {
    let dir = Scratch::new("formulas");
    let record = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"=HYPERLINK(\"http://x\",\"y\")"},"eventTime":"2026-03-02T08:00:00Z","eventSource":"transcribe.amazonaws.com","eventName":"StartTranscriptionJob","awsRegion":"us-east-1","sourceIPAddress":"@SUM(1)","userAgent":"+cmd","requestParameters":{"transcriptionJobName":"-2+3"},"eventID":"formula-1"}"#;
    let path = dir.0.join("formula.json");
    std::fs::write(&path, format!(r#"{{"Records":[{record}]}}"#)).expect("write the file");
    let got = scan(&[&path], "", false, "csv");
    assert_eq!(got.code, 0, "{}", got.stderr);
    let text = String::from_utf8_lossy(&got.stdout);
    for cell in [r#""'=HYPERLINK(""http://x"",""y"")""#, "'@SUM(1)", "'+cmd", "transcription -2+3"] {
        assert!(text.contains(cell), "no {cell} in\n{text}");
    }
    assert!(
        !text.contains(",=") && !text.contains(",@") && !text.contains(",+"),
        "a formula is not neutralised:\n{text}"
    );
    assert_same("formula csv", &got.stdout, &Reference::load(&[path], false).csv(""));
}

#[test]
fn standard_input_takes_gzip_and_json_lines() {
    let dir = Scratch::new("stdin");
    let (paths, _) = write_generated(&dir.0, &GenConfig::sample());
    let gzip = std::fs::read(&paths[0]).expect("read a generated file");
    let from_file = scan(&[&paths[0]], "", false, "jsonl");
    for stdin_args in [vec![], vec!["-"]] {
        let got = run(&[&["scan", "--format", "jsonl"][..], &stdin_args[..]].concat(), Some(&gzip));
        assert_eq!(got.code, 0, "{}", got.stderr);
        assert_same("gzip on standard input", &got.stdout, &Reference::load(&paths[..1], false).json_lines(""));
        assert_eq!(got.stdout, from_file.stdout);
    }

    // The same records as JSON Lines, one per line, as `jq -c '.Records[]'` would write them.
    let plain = generate(&GenConfig { gzip: false, ..GenConfig::sample() }).0;
    let delivery: HashMap<String, Vec<Box<RawValue>>> =
        serde_json::from_slice(&plain[0].bytes).expect("a generated file is a Records object");
    let lines: Vec<&str> = delivery["Records"].iter().map(|r| r.get()).collect();
    let jsonl = lines.join("\n") + "\n";
    let jsonl_path = dir.0.join("records.jsonl");
    std::fs::write(&jsonl_path, &jsonl).expect("write the JSON Lines file");
    let got = run(&["scan", "--all", "--format", "jsonl", "-"], Some(jsonl.as_bytes()));
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert_same("JSON Lines on standard input", &got.stdout, &Reference::load(&[jsonl_path], true).json_lines(""));
    assert_eq!(event_ids(&got.stdout).len(), lines.len(), "every record of the first file is kept with --all");

    let summary = run(&["scan", "--all"], Some(jsonl.as_bytes()));
    assert!(
        summary.stdout_text().contains(&format!("kept        {} events", lines.len())),
        "{}",
        summary.stdout_text()
    );
}

/// A CloudTrail digest file, which is skipped, not failed.
const DIGEST: &str = r#"{"awsAccountId":"111122223333","digestStartTime":"2026-03-02T08:00:00Z","digestEndTime":"2026-03-02T09:00:00Z","digestS3Bucket":"trail","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/02/d.json.gz","logFiles":[]}"#;

#[test]
fn a_skipped_digest_is_not_a_failure() {
    let dir = Scratch::new("digest-only");
    write_generated(&dir.0, &GenConfig::sample());
    std::fs::write(dir.0.join("digest.json"), DIGEST).expect("write");
    let got = scan(&[&dir.0], "", false, "summary");
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert!(got.stderr.contains("skipped: CloudTrail digest file"), "{}", got.stderr);
}

#[test]
fn bad_files_are_named_and_the_good_ones_load() {
    let dir = Scratch::new("bad-files");
    let (paths, _) = write_generated(&dir.0.join("good"), &GenConfig::sample());
    let gzip = std::fs::read(&paths[0]).expect("read a generated file");
    let bad = dir.0.join("bad");
    std::fs::create_dir_all(&bad).expect("make the folder");
    std::fs::write(bad.join("photo.json"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10").expect("write");
    std::fs::write(bad.join("cut.json.gz"), &gzip[..gzip.len() / 2]).expect("write");
    std::fs::write(bad.join("digest.json"), DIGEST).expect("write");

    let got = scan(&[&dir.0], "", false, "summary");
    assert_eq!(got.code, 3, "good files were read and bad ones failed: exit status 3\n{}", got.stderr);
    for (file, message) in [
        ("photo.json", "failed: not gzip and not JSON: looks like a PNG image"),
        ("cut.json.gz", "failed: gzip data ends early"),
        ("digest.json", "skipped: CloudTrail digest file"),
    ] {
        let line = format!("{}: {message}", bad.join(file).display());
        assert!(got.stderr.contains(&line), "no {line:?} on standard error:\n{}", got.stderr);
    }
    let text = got.stdout_text();
    assert!(text.starts_with(&format!("files       {} read, 2 failed, 1 skipped\n", paths.len())), "{text}");
    let kept = Reference::load(&paths, false).store.summary().n_kept;
    assert!(text.contains(&format!("kept        {kept} Transcribe events")), "{text}");
}

#[test]
fn duplicates_across_files_are_counted_once() {
    let dir = Scratch::new("duplicates");
    let (paths, truth) =
        write_generated(&dir.0.join("a"), &GenConfig { n_events: 4_000, n_files: 8, ..GenConfig::sample() });
    assert!(truth.n_duplicates_transcribe > 0, "the generated data should hold duplicate deliveries");
    let got = scan(&[&dir.0], "", false, "summary");
    let line = format!(
        "kept        {} Transcribe events, {} duplicates dropped",
        truth.n_transcribe, truth.n_duplicates_transcribe
    );
    assert!(got.stdout_text().contains(&line), "no {line:?} in\n{}", got.stdout_text());

    // The same delivery again under another name: every one of its Transcribe events is a duplicate.
    let copy = dir.0.join("b").join("copy.json.gz");
    std::fs::create_dir_all(dir.0.join("b")).expect("make the folder");
    std::fs::copy(&paths[3], &copy).expect("copy a delivery");
    let n_in_copy = Reference::load(&[copy], false).store.summary().n_kept;
    let got = scan(&[&dir.0], "", false, "summary");
    let line = format!(
        "kept        {} Transcribe events, {} duplicates dropped",
        truth.n_transcribe,
        truth.n_duplicates_transcribe + n_in_copy
    );
    assert!(got.stdout_text().contains(&line), "no {line:?} in\n{}", got.stdout_text());

    // One file named twice, or inside a folder also named, is read once.
    let once = scan(&[&dir.0.join("a")], "", false, "jsonl");
    let twice = scan(&[&dir.0.join("a"), &paths[0], &paths[0]], "", false, "jsonl");
    assert_eq!(once.stdout, twice.stdout);
    assert_eq!(event_ids(&once.stdout).len() as u64, truth.n_transcribe);
}

#[test]
fn a_bad_option_is_a_usage_error() {
    for args in [
        &["scan", "--colour"][..],
        &["scan", "--format", "xml"],
        &["scan", "--query"],
        &["scan", "--threads", "none"],
        &["scna"],
        &[],
    ] {
        let got = run(args, Some(b""));
        assert_eq!(got.code, 2, "{args:?}: {}", got.stderr);
        assert!(got.stderr.contains("usage: trailscope scan"), "{args:?}: {}", got.stderr);
        assert!(got.stdout.is_empty());
    }
    let got = run(&["scan", "--colour"], Some(b""));
    assert!(got.stderr.starts_with("trailscope: unknown option --colour\n"), "{}", got.stderr);
}

#[test]
fn a_missing_path_is_said_clearly() {
    let dir = Scratch::new("missing");
    let missing = dir.0.join("no-such-file.json.gz");
    let got = scan(&[&missing], "", false, "summary");
    assert_eq!(got.code, 1, "nothing could be read");
    let line = format!("trailscope: {}: failed: no such file or folder", missing.display());
    assert!(got.stderr.contains(&line), "{}", got.stderr);
    assert!(got.stderr.contains("no file could be read"), "{}", got.stderr);

    // Beside a good file, the missing one is reported and the good one read.
    let (paths, _) = write_generated(&dir.0.join("good"), &GenConfig::sample());
    let got = scan(&[&missing, &paths[0]], "", false, "jsonl");
    assert_eq!(got.code, 3, "one read, one failed: {}", got.stderr);
    assert!(got.stderr.contains(&line), "{}", got.stderr);
    assert_same("beside a missing file", &got.stdout, &Reference::load(&paths[..1], false).json_lines(""));
}

#[test]
fn one_thread_and_many_give_the_same_output() {
    let dir = Scratch::new("threads");
    write_generated(&dir.0, &GenConfig { n_events: 8_000, n_files: 24, ..GenConfig::sample() });
    std::fs::write(dir.0.join("broken.json"), b"{\"Records\":[{\"eventVersion\":").expect("write");
    let folder = dir.0.to_string_lossy().into_owned();
    for extra in [
        &["--format", "summary"][..],
        &["--format", "jsonl", "--all"],
        &["--format", "csv", "-q", "status:FAILED"],
        &["--jobs"],
    ] {
        let with = |threads: &str| run(&[&["scan", "--threads", threads][..], extra, &[&folder]].concat(), None);
        let one = with("1");
        let many = with("7");
        // The broken file fails beside the good ones: exit status 3, on any number of threads.
        assert_eq!((one.code, many.code), (3, 3), "{}", one.stderr);
        assert!(!one.stdout.is_empty());
        assert_same(&format!("{extra:?} on 1 and 7 threads"), &many.stdout, &one.stdout_text());
        assert_eq!(one.stderr, many.stderr, "{extra:?}: the notes come in the same order");
    }
}

#[test]
fn the_copy_kept_is_the_one_in_the_first_path() {
    // Two records with one eventID but different contents: the first path's wins, as the page keeps the first
    // file of a dropped folder. The first file is large and the second tiny, so on many threads the second
    // finishes first: only joining in path order keeps the answer.
    let dir = Scratch::new("first-copy");
    let twin = |user: &str| {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","userName":"{user}"}},"eventTime":"2026-03-02T08:00:00Z","eventSource":"transcribe.amazonaws.com","eventName":"GetTranscriptionJob","awsRegion":"us-east-1","requestParameters":{{"transcriptionJobName":"twin"}},"eventID":"twin"}}"#
        )
    };
    let plain = generate(&GenConfig { gzip: false, n_events: 20_000, n_files: 1, ..GenConfig::sample() }).0;
    let big = String::from_utf8(plain[0].bytes.clone()).expect("generated JSON is UTF-8");
    let big = big.replacen("{\"Records\":[", &format!("{{\"Records\":[{},", twin("first")), 1);
    std::fs::write(dir.0.join("a-big.json"), big).expect("write");
    std::fs::write(dir.0.join("b-small.json"), format!(r#"{{"Records":[{}]}}"#, twin("second"))).expect("write");
    for threads in ["1", "2", "8"] {
        let got =
            run(&["scan", "--threads", threads, "--format", "jsonl", "-q", "id:twin", &dir.0.to_string_lossy()], None);
        assert_eq!(got.stdout_text(), format!("{}\n", twin("first")), "on {threads} threads");
        let summary = run(&["scan", "--threads", threads, &dir.0.to_string_lossy()], None);
        assert!(summary.stdout_text().contains(", 1 duplicates dropped"), "{}", summary.stdout_text());
    }
}

#[test]
fn what_the_query_does_not_understand_is_said() {
    let dir = Scratch::new("hints");
    let (paths, _) = write_generated(&dir.0, &GenConfig::sample());
    let got = scan(&[&dir.0], "colour:red status:FAILED", false, "jsonl");
    assert_eq!(got.code, 0);
    assert!(got.stderr.contains("trailscope: query: unknown field \"colour\": searched as text"), "{}", got.stderr);
    // Searched as text, as the page does: an answer, not an error.
    assert_same(
        "a query with a hint",
        &got.stdout,
        &Reference::load(&paths, false).json_lines("colour:red status:FAILED"),
    );
}

#[test]
fn the_summary_says_what_the_overview_says() {
    let dir = Scratch::new("summary");
    let (paths, truth) = write_generated(&dir.0, &GenConfig::sample());
    let reference = Reference::load(&paths, false);
    let got = scan(&[&dir.0], "status:FAILED", false, "summary");
    let text = got.stdout_text();
    let summary = reference.store.summary();
    let shown = reference.rows("status:FAILED");
    assert!(!shown.is_empty());
    for line in [
        format!("files       {} read, 0 failed, 0 skipped", paths.len()),
        format!("records     {} read", truth.n_records),
        format!("kept        {} Transcribe events, {} duplicates dropped", summary.n_kept, summary.n_duplicates),
        format!("matching    {} events for status:FAILED", shown.len()),
        "events by name".to_owned(),
        "counted, not kept (--all keeps them)".to_owned(),
    ] {
        assert!(text.contains(&line), "no {line:?} in\n{text}");
    }
    let events = reference.store.events();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for &i in &shown {
        *by_name.entry(events[i as usize].event_name()).or_default() += 1;
    }
    for (name, n) in by_name {
        assert!(text.contains(&format!("\n  {n:>9}  {name}\n")), "no count {n} for {name} in\n{text}");
    }
}

#[test]
fn jobs_are_listed_with_their_status() {
    let dir = Scratch::new("jobs");
    let (_, truth) = write_generated(&dir.0, &GenConfig::sample());
    let jobs = run(&["scan", "--jobs", &dir.0.to_string_lossy()], None);
    assert_eq!(jobs.code, 0, "{}", jobs.stderr);
    let text = jobs.stdout_text();
    assert!(text.starts_with("KIND "), "{text}");
    let (name, job) = truth.jobs.iter().find(|(_, j)| j.last_status == "COMPLETED").expect("a completed job");
    let line = text
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(name))
        .unwrap_or_else(|| panic!("no {name} in\n{text}"));
    assert_eq!(line.split_whitespace().nth(2), Some(job.last_status), "{line}");
}

#[test]
fn help_explains_the_search_language() {
    let got = run(&["--help"], None);
    assert_eq!(got.code, 0);
    let text = got.stdout_text();
    assert!(text.contains("Usage: trailscope scan [OPTIONS] [PATH...]"), "{text}");
    for field in query::field_names() {
        assert!(text.contains(field), "the help does not name the field {field}");
    }
    assert_eq!(run(&["scan", "--help"], None).stdout, got.stdout);
}

// ---------------------------------------------------------------------------------------------------------
// The page's path, in-process.

/// The files loaded the way the page's engine loads them.
struct Reference {
    store: Store,
    index: Index,
    order: Vec<u32>,
}

impl Reference {
    /// Reads `paths` in the order given (the tests give them sorted, as the command reads them).
    fn load(paths: &[PathBuf], keep_all: bool) -> Reference {
        let mut store = Store::new();
        for path in paths {
            let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            store.add(ingest_file(
                &path.display().to_string(),
                &bytes,
                &IngestOptions { keep_all, ..IngestOptions::default() },
            ));
        }
        let index = Index::build(store.events());
        let order = store.by_time().into_iter().map(|i| i as u32).collect();
        Reference { store, index, order }
    }

    fn rows(&self, query: &str) -> Vec<u32> {
        query::evaluate(&query::parse(query).0, &self.index, self.store.events(), &self.order)
    }

    fn json_lines(&self, query: &str) -> String {
        export::json_lines(self.rows(query).iter().map(|&i| &self.store.events()[i as usize]))
    }

    fn csv(&self, query: &str) -> String {
        export::csv(self.rows(query).iter().map(|&i| &self.store.events()[i as usize]))
    }

    /// The records a filter over each event's own fields keeps, oldest first, one compact record per line;
    /// `None` for a query with free text, which only the index's own columns define. Whole records rather than
    /// eventIDs: rows of the console's CSV carry theirs as `Event ID`, and a record is the stricter answer.
    fn brute_force(&self, text: &str) -> Option<String> {
        let (query, _) = query::parse(text);
        let events = self.store.events();
        let mut lines = String::new();
        for &i in &self.order {
            if brute(&query, &events[i as usize])? {
                lines.push_str(&view::compact_json(events[i as usize].raw()));
                lines.push('\n');
            }
        }
        Some(lines)
    }
}

fn brute(query: &Query, event: &Event) -> Option<bool> {
    let mut all = true;
    for term in &query.terms {
        let hit = match &term.test {
            Test::Text(_) => return None,
            Test::Column(column, matcher) => {
                let value = column_value(event, *column);
                matches(matcher, &value)
                    || (*column == Column::UserAgent
                        && matches(matcher, &agent_family(event.user_agent()).to_lowercase()))
            }
            Test::Path(path, matcher) => {
                let record: serde_json::Value = serde_json::from_str(event.raw()).ok()?;
                let value = path.iter().try_fold(&record, |at, key| at.get(key));
                // A JSON null is no value: a star alone passes it by, and `null` typed out finds it.
                value.filter(|v| !(v.is_null() && lone_star(matcher))).is_some_and(|v| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    matches(matcher, &text.to_lowercase())
                })
            }
            Test::Time(ordering, at) => event.time.is_some_and(|t| match ordering {
                Ordering::After => t.0 > *at,
                Ordering::AtOrAfter => t.0 >= *at,
                Ordering::Before => t.0 < *at,
                Ordering::AtOrBefore => t.0 <= *at,
            }),
        };
        all &= hit != term.negate;
    }
    Some(all)
}

/// A column's value read straight from the event, lower-cased.
fn column_value(event: &Event, column: Column) -> String {
    let info = event.transcribe.as_ref();
    let value = match column {
        Column::EventName => event.event_name().to_owned(),
        Column::EventSource => event.event_source().to_owned(),
        Column::Region => event.aws_region().to_owned(),
        Column::Account => event.account().to_owned(),
        Column::Identity => event.identity().name.to_owned(),
        Column::IdentityArn => event.identity().arn.to_owned(),
        Column::IdentityType => event.identity().kind.to_owned(),
        Column::AccessKey => event.identity().access_key.to_owned(),
        Column::SourceIp => event.source_ip().to_owned(),
        Column::UserAgent => event.user_agent().to_owned(),
        Column::AgentFamily => agent_family(event.user_agent()).to_owned(),
        Column::ErrorCode => event.error_code().to_owned(),
        Column::Resource => info.map(|i| i.name.display().to_owned()).unwrap_or_default(),
        Column::Kind => info.filter(|i| i.name.is_present()).map(|i| i.kind.as_str().to_owned()).unwrap_or_default(),
        Column::Status => info.and_then(|i| i.status.clone()).unwrap_or_default(),
        Column::Language => info.map(|i| i.language.display().to_owned()).unwrap_or_default(),
    };
    value.to_lowercase()
}

fn matches(matcher: &Matcher, lower_value: &str) -> bool {
    match matcher {
        Matcher::Exact(want) => lower_value == want,
        // A star alone asks for a value (`error:*`: the calls that failed).
        Matcher::Wildcard(_) if lone_star(matcher) => !lower_value.is_empty(),
        Matcher::Wildcard(pattern) => glob(pattern.as_bytes(), lower_value.as_bytes()),
        Matcher::Cidr(network, bits) => lower_value
            .split(',')
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .any(|address| in_network(address, *network, *bits)),
    }
}

/// Stars alone, written out here rather than asked of the core, which this file checks.
fn lone_star(matcher: &Matcher) -> bool {
    matches!(matcher, Matcher::Wildcard(p) if p.bytes().all(|b| b == b'*'))
}

/// `*` against any run of bytes, by plain recursion: slow and obviously right.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| glob(rest, &text[skip..])),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

fn in_network(address: std::net::IpAddr, network: std::net::IpAddr, bits: u8) -> bool {
    let bit_string = |a: std::net::IpAddr| -> Vec<bool> {
        let octets = match a {
            std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
            std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        octets.iter().flat_map(|o| (0..8).rev().map(move |k| o >> k & 1 == 1)).collect()
    };
    address.is_ipv4() == network.is_ipv4()
        && bit_string(address)[..usize::from(bits)] == bit_string(network)[..usize::from(bits)]
}

// ---------------------------------------------------------------------------------------------------------
// Running the command, and what the tests share.

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs the binary; standard input is `stdin`, or empty when `None` (never the test's own terminal).
fn run(args: &[&str], stdin: Option<&[u8]>) -> Run {
    run_os(&args.iter().map(OsStr::new).collect::<Vec<_>>(), stdin)
}

fn run_os(args: &[&OsStr], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the trailscope binary");
    let input = stdin.unwrap_or_default().to_vec();
    let mut pipe = child.stdin.take().expect("a standard input pipe");
    // Written from a thread, so a large input cannot fill the pipe while the child's output fills the other.
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let output = child.wait_with_output().expect("wait for the trailscope binary");
    let _ = writer.join();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `trailscope scan --format FORMAT [--query QUERY] [--all] --quiet PATHS`.
fn scan(paths: &[&Path], query: &str, keep_all: bool, format: &str) -> Run {
    let mut args: Vec<&OsStr> =
        vec![OsStr::new("scan"), OsStr::new("--quiet"), OsStr::new("--format"), OsStr::new(format)];
    if !query.is_empty() {
        args.extend([OsStr::new("--query"), OsStr::new(query)]);
    }
    if keep_all {
        args.push(OsStr::new("--all"));
    }
    args.extend(paths.iter().map(|p| p.as_os_str()));
    run_os(&args, None)
}

/// Fails with the first line that differs, not with two outputs of megabytes.
fn assert_same(what: &str, got: &[u8], want: &str) {
    let got = String::from_utf8_lossy(got);
    if got == want {
        return;
    }
    let (got_lines, want_lines): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let line_idx =
        got_lines.iter().zip(&want_lines).position(|(g, w)| g != w).unwrap_or(got_lines.len().min(want_lines.len()));
    panic!(
        "{what}: the output differs at line {} ({} lines, expected {})\n--- got\n{}\n--- expected\n{}\n",
        line_idx + 1,
        got_lines.len(),
        want_lines.len(),
        got_lines.get(line_idx).unwrap_or(&"(end)"),
        want_lines.get(line_idx).unwrap_or(&"(end)"),
    );
}

fn event_ids(jsonl: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(jsonl)
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            record.get("eventID").and_then(|v| v.as_str()).unwrap_or_default().to_owned()
        })
        .collect()
}

/// The shared table: one query per line, `#` comments, read at run time so queries added there are tested here.
fn shared_queries() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/data/queries.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read the shared query table {path}: {e}"));
    let queries: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect();
    assert!(!queries.is_empty(), "the shared query table {path} holds no query");
    queries
}

/// The real samples: `TRAILSCOPE_CORPUS`, else `../shared/corpus/real` beside the repository; `None`, said on
/// standard error, when absent.
fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TRAILSCOPE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/real")));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: the real corpus is missing (no folder at {}; set TRAILSCOPE_CORPUS)", dir.display());
        None
    }
}

/// Writes generated deliveries flat into `dir`; returns their paths sorted, as the command will read them.
fn write_generated(dir: &Path, config: &GenConfig) -> (Vec<PathBuf>, Truth) {
    let (files, truth) = generate(config);
    std::fs::create_dir_all(dir).expect("make the folder");
    let mut paths = Vec::new();
    for file in files {
        let name = file.name.rsplit('/').next().unwrap_or(&file.name).to_owned();
        let path = dir.join(name);
        std::fs::write(&path, &file.bytes).expect("write a generated file");
        paths.push(path);
    }
    paths.sort();
    (paths, truth)
}

/// A fresh folder under Cargo's scratch space for integration tests, removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("make the scratch folder");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_csv_file_starts_with_the_utf8_mark_for_spreadsheets_and_standard_output_does_not() {
    let dir = Scratch::new("csv-mark");
    let (paths, _) = write_generated(&dir.0, &GenConfig::sample());
    let output = dir.0.join("out.csv");
    let mut args: Vec<&OsStr> = ["scan", "--quiet", "--format", "csv"].map(OsStr::new).to_vec();
    args.extend(paths.iter().map(|p| p.as_os_str()));
    let piped = run_os(&args, None);
    args.extend([OsStr::new("-o"), output.as_os_str()]);
    let filed = run_os(&args, None);
    assert_eq!((piped.code, filed.code), (0, 0), "{}", filed.stderr);
    assert!(piped.stdout.starts_with(b"time,event,"), "standard output starts with the header");
    let written = std::fs::read(&output).expect("the file is written");
    assert_eq!(written, [b"\xEF\xBB\xBF".as_slice(), &piped.stdout].concat(), "the mark, then the same bytes");
}

#[test]
fn an_output_file_inside_the_scanned_folder_is_not_read_back() {
    let dir = Scratch::new("output-inside");
    let (paths, _) = write_generated(&dir.0, &GenConfig::sample());
    let output = dir.0.join("out.jsonl");
    let args = |_: ()| -> Vec<&OsStr> {
        vec![
            OsStr::new("scan"),
            OsStr::new("--quiet"),
            OsStr::new("--format"),
            OsStr::new("jsonl"),
            OsStr::new("-o"),
            output.as_os_str(),
            dir.0.as_os_str(),
        ]
    };
    let first = run_os(&args(()), None);
    let written = std::fs::read(&output).expect("the first run writes its output");
    // The second run finds out.jsonl in the folder: it must neither read it nor call it a failed file.
    let second = run_os(&args(()), None);
    assert_eq!((first.code, second.code), (0, 0), "{}", second.stderr);
    assert!(!second.stderr.contains("out.jsonl"), "the output was read as input:\n{}", second.stderr);
    assert_eq!(std::fs::read(&output).expect("written again"), written, "the same answer both times");
    assert!(!paths.is_empty());
}

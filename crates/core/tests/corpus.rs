//! The real corpus (`/work/shared/corpus/real`, described in its `SOURCES.md`), file by file.
//!
//! Every expected number below was counted from the files themselves (jq, zcat, a CSV reader), never
//! copied from this program's output. A file added to the corpus fails `every_file_has_an_expectation`
//! until it gets its row here.

use std::path::PathBuf;

use trailscope_core::ingest::{ingest_file, FileResult, IngestOptions, Outcome, Shape};
use trailscope_core::jobs::jobs;
use trailscope_core::store::Store;

/// The corpus folder: `TRAILSCOPE_CORPUS`, else `<workspace>/../shared/corpus/real`.
fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("TRAILSCOPE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/real")));
    assert!(
        dir.is_dir(),
        "the real corpus is missing: no folder at {}\n(set TRAILSCOPE_CORPUS to the folder that holds SOURCES.md)",
        dir.display()
    );
    dir
}

/// Every data file of the corpus (everything but its Markdown notes), sorted by name.
fn corpus_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("the corpus folder can be listed")
        .map(|entry| entry.expect("a corpus entry").file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".md"))
        .collect();
    names.sort();
    names
}

fn load(name: &str, keep_all: bool) -> FileResult {
    let bytes =
        std::fs::read(corpus_dir().join(name)).unwrap_or_else(|e| panic!("cannot read corpus file {name}: {e}"));
    ingest_file(name, &bytes, &IngestOptions { keep_all, ..IngestOptions::default() })
}

/// What a file should give.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    Loaded(Shape, bool),
    Skipped,
    Failed,
}

struct Row {
    file: &'static str,
    want: Want,
    /// Records of every service.
    records: u64,
    /// Events kept with `keep_all: false` (Amazon Transcribe only).
    transcribe: usize,
    /// Events kept with `keep_all: true`.
    all: usize,
}

const fn row(file: &'static str, want: Want, records: u64, transcribe: usize, all: usize) -> Row {
    Row { file, want, records, transcribe, all }
}

use Want::*;

#[rustfmt::skip]
const TABLE: &[Row] = &[
    row("CloudGoat__event_history.csv", Loaded(Shape::EventHistoryCsv, false), 157, 0, 157),
    row("TrailDiscover__AcceptAgreementRequest.json.cloudtrail", Loaded(Shape::Array, false), 1, 0, 1),
    row("TrailDiscover__CreatePolicy.json.cloudtrail", Loaded(Shape::Array, false), 1, 0, 1),
    row("TrailDiscover__GetCostForecast.json.cloudtrail", Loaded(Shape::SingleRecord, false), 1, 0, 1),
    row("amazon-transcribe-developer-guide__monitoring-transcribe-cloud-trail.example.json", Loaded(Shape::Records, false), 2, 2, 2),
    row("aws-cli__lookup-events.output.json", Loaded(Shape::LookupEvents, false), 1, 0, 1),
    row("aws-cloudtrail-user-guide__cloudtrail-log-file-examples.insights.json", Loaded(Shape::Records, false), 2, 0, 2),
    row("cloud_security_dashboard__512093097695_CloudTrail_us-east-1_20260226T1445Z_FMYJEvHs3PUkSPAh.json", Loaded(Shape::Records, false), 13, 0, 13),
    row("cloud_security_dashboard__event_history.json", Loaded(Shape::Records, false), 7, 0, 7),
    row("cloudgrep__bad_cloudtrail.json", Failed, 0, 0, 0),
    row("cloudgrep__cloudtrail.json", Loaded(Shape::Records, false), 1, 0, 1),
    row("cloudgrep__cloudtrail_singleline.json", Loaded(Shape::Records, false), 1, 0, 1),
    row("design_provision_and_monitor_aws_infra__event_history.csv", Loaded(Shape::EventHistoryCsv, false), 35, 0, 35),
    row("integrations__test-assume-role-aws-service-json.log", Loaded(Shape::SingleRecord, false), 1, 0, 1),
    row("integrations__test-cloudtrail-digest-json.log", Skipped, 0, 0, 0),
    row("integrations__test-tls-details-json.log", Loaded(Shape::JsonLines, false), 3, 0, 3),
    row("integrations__test-user-authentication.log", Loaded(Shape::SingleRecord, false), 1, 0, 1),
    row("plaso__aws_cloudtrail.jsonl", Loaded(Shape::LookupEvents, false), 6, 0, 6),
    row("trailscraper__111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz", Loaded(Shape::Records, true), 2, 0, 2),
];

/// Every record in the corpus; one eventID (06eda2fa-..., a ConsoleLogin) is in both cloud_security_dashboard files.
const ALL_RECORDS: u64 = 235;
const CROSS_FILE_DUPLICATES: u64 = 1;

fn want_of(outcome: &Outcome) -> Want {
    match outcome {
        Outcome::Loaded { shape, gzip } => Loaded(*shape, *gzip),
        Outcome::Skipped { .. } => Skipped,
        Outcome::Failed(_) => Failed,
    }
}

#[test]
fn every_file_has_an_expectation() {
    let on_disk = corpus_files();
    let in_table: Vec<String> = TABLE.iter().map(|r| r.file.to_owned()).collect();
    assert_eq!(on_disk, in_table, "the corpus folder and TABLE must list the same files");
}

#[test]
fn every_file_gives_its_outcome_and_counts() {
    let mut wrong = Vec::new();
    for r in TABLE {
        let only_transcribe = load(r.file, false);
        let everything = load(r.file, true);
        let got = (
            want_of(&only_transcribe.outcome),
            only_transcribe.n_records,
            only_transcribe.events.len(),
            everything.events.len(),
        );
        let want = (r.want, r.records, r.transcribe, r.all);
        if got != want {
            wrong.push(format!(
                "{}\n    expected (outcome, records, transcribe kept, all kept) = {want:?}\n    got                                                 = {got:?}\n    outcome: {:?}",
                r.file, only_transcribe.outcome
            ));
        }
    }
    assert!(wrong.is_empty(), "\n---- files that differ ----\n{}\n--------------------------\n", wrong.join("\n"));
}

// ---- The Transcribe example: the only Transcribe records in the corpus ----

const TRANSCRIBE_EXAMPLE: &str = "amazon-transcribe-developer-guide__monitoring-transcribe-cloud-trail.example.json";

#[test]
fn transcribe_example_event_names_in_order() {
    let result = load(TRANSCRIBE_EXAMPLE, false);
    let names: Vec<&str> = result.events.iter().map(|e| e.event_name()).collect();
    assert_eq!(names, ["StartTranscriptionJob", "GetTranscriptionJob"]);
}

#[test]
fn transcribe_example_who_where_when() {
    let result = load(TRANSCRIBE_EXAMPLE, false);
    let start = &result.events[0];
    assert_eq!(start.identity().name, "my-user-name");
    assert_eq!(start.identity().kind, "IAMUser");
    assert_eq!(start.source_ip(), "127.0.0.1");
    assert_eq!(start.aws_region(), "us-west-2");
    assert_eq!(start.account(), "111122223333");
    assert_eq!(start.time.map(|t| t.to_iso()).as_deref(), Some("2022-03-07T15:03:45Z"));
    assert_eq!(result.events[1].time.map(|t| t.to_iso()).as_deref(), Some("2022-03-07T15:07:11Z"));
}

#[test]
fn transcribe_example_has_no_read_only_field() {
    // eventVersion 1.05 predates readOnly: unknown, not false.
    let result = load(TRANSCRIBE_EXAMPLE, false);
    assert!(result.events.iter().all(|e| e.read_only.is_none()));
}

#[test]
fn transcribe_example_is_one_completed_job() {
    let mut store = Store::new();
    store.add(load(TRANSCRIBE_EXAMPLE, false));
    let found = jobs(store.events(), store.by_time());
    assert_eq!(found.len(), 1);
    let job = &found[0];
    assert_eq!(job.kind.as_str(), "transcription");
    assert_eq!(job.name, "my-first-transcription-job");
    assert_eq!(job.status.as_deref(), Some("COMPLETED"));
    assert_eq!(job.events.len(), 2);
    assert_eq!(job.media_uri.display(), "s3://DOC-EXAMPLE-BUCKET/my-media-file.flac");
    assert_eq!(job.language.display(), "en-US");
    assert_eq!(job.started_by.as_deref(), Some("my-user-name"));
}

#[test]
fn transcribe_example_transcript_uri_is_on_the_get_event() {
    let result = load(TRANSCRIBE_EXAMPLE, false);
    let uri = |i: usize| result.events[i].transcribe.as_ref().expect("a Transcribe event").transcript_uri.clone();
    assert!(!uri(0).is_present(), "StartTranscriptionJob has no transcript yet");
    assert_eq!(uri(1).value(), Some("s3://DOC-EXAMPLE-BUCKET/my-first-transcription-job.json"));
}

// ---- Console Event history CSV ----

const DESIGN_CSV: &str = "design_provision_and_monitor_aws_infra__event_history.csv";
const CLOUDGOAT_CSV: &str = "CloudGoat__event_history.csv";

#[test]
fn csv_rows_are_summary_only_with_read_only_parsed() {
    for file in [DESIGN_CSV, CLOUDGOAT_CSV] {
        let result = load(file, true);
        // design writes `false`, CloudGoat (re-saved by a spreadsheet) writes `FALSE`: both mean false.
        assert!(result.events.iter().all(|e| e.summary_only && e.read_only == Some(false)), "{file}");
    }
}

#[test]
fn csv_first_and_last_rows() {
    let result = load(DESIGN_CSV, true);
    let first = &result.events[0];
    assert_eq!((first.event_name(), first.identity().name), ("AttachGroupPolicy", "Admin"));
    assert_eq!(first.time.map(|t| t.to_iso()).as_deref(), Some("2021-01-26T22:48:41Z"));
    let last = result.events.last().unwrap();
    assert_eq!((last.event_name(), last.event_type()), ("ConsoleLogin", "AwsConsoleSignIn"));
}

#[test]
fn csv_resources_cell_does_not_shift_the_columns() {
    // Row 1's Resources cell is a quoted JSON array with commas; the cells after it must stay in place.
    let result = load(DESIGN_CSV, true);
    let first = &result.events[0];
    assert_eq!(first.request_id(), "418fc518-0c58-4bbc-b277-039e85c9ed24");
    assert_eq!(first.event_id(), "163a5a14-bb1e-446c-a1ea-9606af5754c4");
    assert_eq!(first.account(), "122057532494");
    let second = &result.events[1];
    assert_eq!((second.error_code(), second.request_id()), ("AccessDenied", "66EC74F058E8C61E"));
}

#[test]
fn csv_services_counted() {
    let result = load(DESIGN_CSV, false);
    let per_service: Vec<(&str, u64)> = result.per_service.iter().map(|(s, n)| (s.as_str(), *n)).collect();
    assert_eq!(per_service, [("iam.amazonaws.com", 17), ("s3.amazonaws.com", 12), ("signin.amazonaws.com", 6)]);
}

#[test]
fn cloudgoat_csv_with_crlf_rows() {
    let result = load(CLOUDGOAT_CSV, true);
    let first = &result.events[0];
    assert_eq!((first.event_name(), first.identity().name), ("UpdateInstanceInformation", "i-0d15bf185eb766168"));
    // The last cell of each CRLF row must not keep the carriage return.
    assert_eq!(first.time.map(|t| t.to_iso()).as_deref(), Some("2024-08-18T11:48:43Z"));
    let last = result.events.last().unwrap();
    assert_eq!((last.event_name(), last.identity().name), ("ConsoleLogin", "root"));
}

// ---- lookup-events ----

#[test]
fn lookup_events_identity_and_time() {
    let result = load("aws-cli__lookup-events.output.json", true);
    let event = &result.events[0];
    assert_eq!(event.event_name(), "ConsoleLogin");
    // The session name from the ARN `assumed-role/my-role/my-session-name`, as the lookup output's `Username`.
    assert_eq!(event.identity().name, "my-session-name");
    // The inner record has eventTime, so it wins over the wrapper's EventTime 2021-11-18T09:41:02-08:00.
    assert_eq!(event.time.map(|t| t.to_iso()).as_deref(), Some("2016-01-26T21:42:12Z"));
}

#[test]
fn lookup_events_raw_is_the_unescaped_inner_record() {
    let result = load("aws-cli__lookup-events.output.json", true);
    let raw = &result.events[0].raw();
    assert!(raw.starts_with(r#"{"eventVersion":"1.02","userIdentity":{"type":"AssumedRole""#), "{raw}");
    assert!(!raw.contains('\\'), "no escapes left: {raw}");
}

#[test]
fn plaso_jsonl_six_ec2_records_with_offset_times() {
    let result = load("plaso__aws_cloudtrail.jsonl", true);
    assert_eq!(result.events.len(), 6);
    assert!(result.events.iter().all(|e| e.event_source() == "ec2.amazonaws.com"));
    // EventTime "2022-02-08 09:23:37+11:00" and the inner eventTime agree.
    assert_eq!(result.events[0].time.map(|t| t.to_iso()).as_deref(), Some("2022-02-07T22:23:37Z"));
    assert_eq!(result.events[0].read_only, Some(true));
    assert_eq!(result.events[1].read_only, Some(false));
}

#[test]
fn plaso_service_event_without_identity_type() {
    let result = load("plaso__aws_cloudtrail.jsonl", true);
    let service_event = &result.events[3];
    assert_eq!(service_event.event_name(), "SharedSnapshotVolumeCreated");
    assert_eq!(service_event.event_type(), "AwsServiceEvent");
    assert_eq!(service_event.identity().name, "ec2.amazonaws.com");
}

// ---- Records files ----

#[test]
fn ipv6_source_ip_is_kept_as_is() {
    let result =
        load("cloud_security_dashboard__512093097695_CloudTrail_us-east-1_20260226T1445Z_FMYJEvHs3PUkSPAh.json", true);
    assert_eq!(result.events[0].source_ip(), "2401:4900:1cb0:ca23:98b7:99f:ede7:3b58");
    assert_eq!(result.events[0].identity().name, "root");
}

#[test]
fn insights_records_count_under_cloudtrail_insights() {
    let result = load("aws-cloudtrail-user-guide__cloudtrail-log-file-examples.insights.json", false);
    assert_eq!(result.per_service.get("(CloudTrail Insights)"), Some(&2));
    assert_eq!(result.per_service.len(), 1);
}

#[test]
fn insights_records_kept_with_keep_all() {
    let result = load("aws-cloudtrail-user-guide__cloudtrail-log-file-examples.insights.json", true);
    let kinds: Vec<(&str, &str)> = result.events.iter().map(|e| (e.event_type(), e.event_source())).collect();
    assert_eq!(kinds, [("AwsCloudTrailInsight", ""), ("AwsCloudTrailInsight", "")]);
}

#[test]
fn gzip_delivery_file_is_read() {
    let result =
        load("trailscraper__111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz", true);
    let names: Vec<&str> = result.events.iter().map(|e| e.event_name()).collect();
    assert_eq!(names, ["DescribeLaunchConfigurations", "AssumeRole"]);
    assert!(result.bytes_decoded > result.bytes_in);
}

#[test]
fn json_lines_two_ips_in_source_ip_kept_as_is() {
    let result = load("integrations__test-tls-details-json.log", true);
    assert_eq!(result.events[1].source_ip(), "81.2.69.142, 192.168.10.10");
    assert_eq!(result.events[1].error_code(), "200");
}

// ---- Files that are not read ----

#[test]
fn truncated_cloudgrep_file_fails_saying_it_ends_early() {
    let result = load("cloudgrep__bad_cloudtrail.json", true);
    let Outcome::Failed(error) = &result.outcome else { panic!("expected Failed, got {:?}", result.outcome) };
    assert!(error.message().contains("ends early") && error.message().contains("truncated"), "{}", error.message());
    assert!(error.message().contains("line 26"), "{}", error.message());
    assert!(result.events.is_empty());
}

#[test]
fn digest_file_is_skipped_as_a_digest() {
    let result = load("integrations__test-cloudtrail-digest-json.log", true);
    let Outcome::Skipped { reason } = &result.outcome else { panic!("expected Skipped, got {:?}", result.outcome) };
    assert!(reason.to_lowercase().contains("digest"), "{reason}");
}

// ---- The whole corpus in one store ----

fn load_all(store: &mut Store, keep_all: bool) {
    for name in corpus_files() {
        store.add(load(&name, keep_all));
    }
}

#[test]
fn whole_corpus_totals() {
    let mut store = Store::new();
    load_all(&mut store, false);
    let s = store.summary();
    assert_eq!(s.files(), corpus_files().len() as u64);
    assert_eq!((s.files_ok, s.files_failed, s.files_skipped), (17, 1, 1));
    assert_eq!(s.n_records, ALL_RECORDS);
    assert_eq!(s.n_kept, TABLE.iter().map(|r| r.transcribe as u64).sum::<u64>());
    assert_eq!(s.n_duplicates, 0);
}

#[test]
fn whole_corpus_keep_all_drops_the_one_shared_event() {
    let mut store = Store::new();
    load_all(&mut store, true);
    let s = store.summary();
    let sum_of_files = TABLE.iter().map(|r| r.all as u64).sum::<u64>();
    assert_eq!(sum_of_files, ALL_RECORDS);
    assert_eq!((s.n_kept, s.n_duplicates), (sum_of_files - CROSS_FILE_DUPLICATES, CROSS_FILE_DUPLICATES));
}

#[test]
fn whole_corpus_twice_counts_records_twice_and_keeps_once() {
    let mut store = Store::new();
    load_all(&mut store, false);
    let once = store.summary();
    load_all(&mut store, false);
    let twice = store.summary();
    assert_eq!(twice.n_records, 2 * once.n_records);
    assert_eq!(twice.n_kept, once.n_kept);
    // Every kept Transcribe event has an eventID, so each comes back once as a duplicate.
    assert_eq!(twice.n_duplicates, once.n_kept);
}

#[test]
fn whole_corpus_twice_with_keep_all() {
    let mut store = Store::new();
    load_all(&mut store, true);
    let once = store.summary();
    load_all(&mut store, true);
    let twice = store.summary();
    assert_eq!(twice.n_records, 2 * ALL_RECORDS);
    assert_eq!(twice.n_kept, once.n_kept);
    // Every record in the corpus has an eventID: the second pass is all duplicates.
    assert_eq!(twice.n_duplicates - once.n_duplicates, ALL_RECORDS);
}

#[test]
fn whole_corpus_notes_name_the_bad_and_the_digest() {
    let mut store = Store::new();
    load_all(&mut store, false);
    let notes: Vec<(&str, bool)> = store.notes().iter().map(|n| (n.file.as_str(), n.skipped)).collect();
    assert_eq!(
        notes,
        [("cloudgrep__bad_cloudtrail.json", false), ("integrations__test-cloudtrail-digest-json.log", true)]
    );
}

/// Records are counted per service and event name whether kept or not: the counts from a Transcribe-only
/// read equal a recount over the same file read with every event kept.
#[test]
fn counts_per_event_name_equal_a_recount_of_every_event() {
    for name in corpus_files() {
        let filtered = load(&name, false);
        let all = load(&name, true);
        let mut recount: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>> =
            Default::default();
        for event in &all.events {
            if event.event_source().is_empty() {
                continue;
            }
            *recount
                .entry(event.event_source().to_owned())
                .or_default()
                .entry(event.event_name().to_owned())
                .or_default() += 1;
        }
        let counted: std::collections::BTreeMap<_, _> = filtered
            .per_name
            .iter()
            .filter(|(service, _)| !service.starts_with('('))
            .map(|(s, n)| (s.clone(), n.clone()))
            .collect();
        assert_eq!(counted, recount, "{name}");
        for (service, names) in &filtered.per_name {
            assert_eq!(names.values().sum::<u64>(), filtered.per_service[service], "{name}: {service}");
        }
    }
    let mut store = trailscope_core::store::Store::new();
    store.add(load(DESIGN_CSV, false));
    let not_kept = store.not_kept(false);
    assert_eq!(
        not_kept.iter().map(|s| (s.service.as_str(), s.n)).collect::<Vec<_>>(),
        [("iam.amazonaws.com", 17), ("s3.amazonaws.com", 12), ("signin.amazonaws.com", 6)]
    );
    let signin = &not_kept[2].names;
    assert!(signin.windows(2).all(|w| w[0].1 >= w[1].1), "most first: {signin:?}");
    assert_eq!(signin.iter().map(|(_, n)| n).sum::<u64>(), 6);
    assert!(store.not_kept(true).is_empty());
}

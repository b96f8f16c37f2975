//! One small test per file shape, each building its input here from the Amazon Transcribe
//! documentation's two records (StartTranscriptionJob, then GetTranscriptionJob).

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use trailscope_core::ingest::{ingest_file, FileResult, IngestOptions, Outcome, Shape};
use trailscope_core::model::{Event, Field};
use trailscope_core::store::Store;

/// The documentation's StartTranscriptionJob record, compact.
const START: &str = r#"{"eventVersion":"1.05","userIdentity":{"type":"IAMUser","principalId":"111122223333","arn":"arn:aws:iam:us-west-2:111122223333:user/my-user-name","accountId":"111122223333","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"my-user-name"},"eventTime":"2022-03-07T15:03:45Z","eventSource":"transcribe.amazonaws.com","eventName":"StartTranscriptionJob","awsRegion":"us-west-2","sourceIPAddress":"127.0.0.1","userAgent":"[ ]","requestParameters":{"mediaFormat":"flac","languageCode":"en-US","transcriptionJobName":"my-first-transcription-job","media":{"mediaFileUri":"s3://DOC-EXAMPLE-BUCKET/my-media-file.flac"}},"responseElements":{"transcriptionJob":{"transcriptionJobStatus":"IN_PROGRESS","mediaFormat":"flac","creationTime":"2022-03-07T15:03:44.229000-08:00","transcriptionJobName":"my-first-transcription-job","languageCode":"en-US","media":{"mediaFileUri":"s3://DOC-EXAMPLE-BUCKET/my-media-file.flac"}}},"requestID":"47B8E8D397DCE7A6","eventID":"cdc4b7ed-e171-4cef-975a-ad829d4123e8","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;

/// The documentation's GetTranscriptionJob record, compact.
const GET: &str = r#"{"eventVersion":"1.05","userIdentity":{"type":"IAMUser","principalId":"111122223333","arn":"arn:aws:iam:us-west-2:111122223333:user/my-user-name","accountId":"111122223333","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"my-user-name"},"eventTime":"2022-03-07T15:07:11Z","eventSource":"transcribe.amazonaws.com","eventName":"GetTranscriptionJob","awsRegion":"us-west-2","sourceIPAddress":"127.0.0.1","userAgent":"[ ]","requestParameters":{"transcriptionJobName":"my-first-transcription-job"},"responseElements":{"transcriptionJob":{"settings":{},"transcriptionJobStatus":"COMPLETED","mediaFormat":"flac","creationTime":"2022-03-07T15:03:44.229000-08:00","transcriptionJobName":"my-first-transcription-job","languageCode":"en-US","media":{"mediaFileUri":"s3://DOC-EXAMPLE-BUCKET/my-media-file.flac"},"transcript":{"transcriptFileUri":"s3://DOC-EXAMPLE-BUCKET/my-first-transcription-job.json"}}},"requestID":"BD8798EACDD16751","eventID":"607b9532-1423-41c7-b048-ec2641693c47","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;

/// A record of another service (S3), to check what is counted but not kept.
const S3_PUT: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"},"eventTime":"2022-03-07T15:05:00Z","eventSource":"s3.amazonaws.com","eventName":"PutObject","awsRegion":"us-west-2","sourceIPAddress":"cloudtrail.amazonaws.com","userAgent":"cloudtrail.amazonaws.com","requestParameters":{"bucketName":"DOC-EXAMPLE-BUCKET","key":"my-media-file.flac"},"responseElements":null,"requestID":"S3REQUEST0000001","eventID":"25d2f1da-c4ac-4201-9c97-e50869d6a636","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;

const BOTH: [&str; 2] = ["StartTranscriptionJob", "GetTranscriptionJob"];

// ---- helpers ----

fn ingest(bytes: impl AsRef<[u8]>) -> FileResult {
    ingest_file("input", bytes.as_ref(), &IngestOptions { keep_all: false, ..IngestOptions::default() })
}

fn ingest_all(bytes: impl AsRef<[u8]>) -> FileResult {
    ingest_file("input", bytes.as_ref(), &IngestOptions { keep_all: true, ..IngestOptions::default() })
}

/// The file loads with `shape` (gzip or not) and keeps exactly these Transcribe events, in order.
fn check(bytes: impl AsRef<[u8]>, shape: Shape, gzip: bool, names: &[&str]) -> FileResult {
    let result = ingest(bytes);
    let got: Vec<&str> = result.events.iter().map(|e| e.event_name()).collect();
    assert_eq!(
        (&result.outcome, got.as_slice()),
        (&Outcome::Loaded { shape, gzip }, names),
        "\n---- expected {shape:?} (gzip {gzip}) with {names:?} ----"
    );
    result
}

fn iso(event: &Event) -> Option<String> {
    event.time.map(|t| t.to_iso())
}

fn gzip(bytes: impl AsRef<[u8]>) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes.as_ref()).unwrap();
    encoder.finish().unwrap()
}

fn records(items: &[&str]) -> String {
    format!(r#"{{"Records":[{}]}}"#, items.join(","))
}

/// The same JSON, pretty-printed (two-space indent).
fn pretty(json: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    serde_json::to_string_pretty(&value).unwrap()
}

/// A JSON string literal holding `text`, as lookup-events writes `CloudTrailEvent`.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A record with one top-level field removed, for wrappers that must fill it in.
fn without(record: &str, key: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(record).unwrap();
    value.as_object_mut().unwrap().remove(key);
    value.to_string()
}

fn lookup_event(record: &str, event_time: &str) -> String {
    format!(
        r#"{{"EventId":"e","EventName":"x","ReadOnly":"false","EventTime":{event_time},"EventSource":"transcribe.amazonaws.com","Username":"my-user-name","Resources":[],"CloudTrailEvent":{}}}"#,
        quoted(record)
    )
}

fn without_raw(events: &[Event]) -> Vec<Event> {
    events.iter().map(|e| e.with_raw("")).collect()
}

// ---- {"Records":[...]} ----

#[test]
fn records_plain() {
    check(records(&[START, GET]), Shape::Records, false, &BOTH);
}

#[test]
fn records_gzipped() {
    check(gzip(records(&[START, GET])), Shape::Records, true, &BOTH);
}

/// `cat a.json.gz b.json.gz`: two gzip members, each a Records document.
fn two_members() -> Vec<u8> {
    let mut bytes = gzip(records(&[START]));
    bytes.extend(gzip(records(&[GET])));
    bytes
}

#[test]
fn gzip_with_two_members_reads_both() {
    let result = ingest(two_members());
    let got: Vec<&str> = result.events.iter().map(|e| e.event_name()).collect();
    assert_eq!(got, BOTH, "outcome: {:?}", result.outcome);
}

#[test]
fn gzip_with_two_members_is_still_a_records_file() {
    // Two Records documents in a row are a Records file, not "JSON Lines".
    check(two_members(), Shape::Records, true, &BOTH);
}

#[test]
fn pretty_and_compact_give_the_same_events() {
    let compact = ingest(records(&[START, GET]));
    let pretty = ingest(pretty(&records(&[START, GET])));
    assert_eq!(without_raw(&pretty.events), without_raw(&compact.events));
}

#[test]
fn utf8_bom() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(records(&[START, GET]).as_bytes());
    check(bytes, Shape::Records, false, &BOTH);
}

#[test]
fn utf8_bom_inside_gzip() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(records(&[START, GET]).as_bytes());
    check(gzip(bytes), Shape::Records, true, &BOTH);
}

#[test]
fn crlf_line_ends() {
    let text = pretty(&records(&[START, GET])).replace('\n', "\r\n");
    check(text, Shape::Records, false, &BOTH);
}

// ---- raw: the record exactly as it was ----

#[test]
fn raw_is_the_exact_record_text_of_a_pretty_file() {
    let file = format!("{{\n  \"Records\": [\n{},\n{}\n  ]\n}}\n", pretty(START), pretty(GET));
    let result = ingest(&file);
    assert_eq!(result.events[0].raw(), pretty(START));
    assert_eq!(result.events[1].raw(), pretty(GET));
}

#[test]
fn raw_of_json_lines_is_the_line() {
    let result = ingest(format!("{START}\r\n{GET}\r\n"));
    assert_eq!([result.events[0].raw(), result.events[1].raw()], [START, GET]);
}

#[test]
fn raw_of_lookup_events_is_the_unescaped_inner_document() {
    let file = format!(r#"{{"Events":[{}]}}"#, lookup_event(START, r#""2022-03-07T07:03:45-08:00""#));
    let result = ingest(&file);
    assert_eq!(result.events[0].raw(), START);
}

// ---- lookup-events ----

#[test]
fn lookup_events_with_cloudtrail_event_as_a_string() {
    let file = format!(
        r#"{{"Events":[{},{}],"NextToken":"t"}}"#,
        lookup_event(START, r#""2022-03-07T07:03:45-08:00""#),
        lookup_event(GET, r#""2022-03-07T07:07:11-08:00""#)
    );
    check(file, Shape::LookupEvents, false, &BOTH);
}

#[test]
fn lookup_events_one_per_line() {
    let file = format!(
        "{}\n{}\n",
        lookup_event(START, r#""2022-03-07 15:03:45+00:00""#),
        lookup_event(GET, r#""2022-03-07 15:07:11+00:00""#)
    );
    check(file, Shape::LookupEvents, false, &BOTH);
}

/// The time of a lookup-events event whose inner record has no eventTime, from this `EventTime`.
fn check_lookup_time(event_time: &str, expect: &str) {
    let file = format!(r#"{{"Events":[{}]}}"#, lookup_event(&without(START, "eventTime"), event_time));
    let result = ingest(&file);
    assert_eq!(result.events.len(), 1, "EventTime {event_time}: {:?}", result.outcome);
    assert_eq!(iso(&result.events[0]).as_deref(), Some(expect), "EventTime {event_time}");
}

#[test]
fn lookup_time_iso_with_offset() {
    check_lookup_time(r#""2022-03-07T07:03:45-08:00""#, "2022-03-07T15:03:45Z");
}

#[test]
fn lookup_time_epoch_seconds_number() {
    check_lookup_time("1646665425", "2022-03-07T15:03:45Z");
}

#[test]
fn lookup_time_epoch_seconds_with_fraction() {
    check_lookup_time("1646665425.5", "2022-03-07T15:03:45.500Z");
}

#[test]
fn lookup_time_boto3_style() {
    check_lookup_time(r#""2022-03-08 02:03:45+11:00""#, "2022-03-07T15:03:45Z");
}

#[test]
fn lookup_time_inner_event_time_wins() {
    // The wrapper says a day later; the record's own eventTime is the truth.
    let file = format!(r#"{{"Events":[{}]}}"#, lookup_event(START, r#""2022-03-08T15:03:45Z""#));
    assert_eq!(iso(&ingest(&file).events[0]).as_deref(), Some("2022-03-07T15:03:45Z"));
}

// ---- CloudWatch Logs ----

fn cloudwatch_export() -> String {
    format!("2022-03-07T15:03:46.000Z {START}\n2022-03-07T15:07:12.000Z {GET}\n")
}

#[test]
fn cloudwatch_export_lines() {
    check(cloudwatch_export(), Shape::CloudWatchExport, false, &BOTH);
}

#[test]
fn cloudwatch_export_gzipped() {
    check(gzip(cloudwatch_export()), Shape::CloudWatchExport, true, &BOTH);
}

#[test]
fn cloudwatch_export_crlf() {
    check(cloudwatch_export().replace('\n', "\r\n"), Shape::CloudWatchExport, false, &BOTH);
}

#[test]
fn cloudwatch_export_raw_is_the_json_after_the_stamp() {
    let result = ingest(cloudwatch_export());
    assert_eq!(result.events[1].raw(), GET);
}

#[test]
fn cloudwatch_export_stamp_is_the_time_when_the_record_has_none() {
    let file = format!("2022-03-07T15:03:46.000Z {}\n", without(START, "eventTime"));
    assert_eq!(iso(&ingest(file).events[0]).as_deref(), Some("2022-03-07T15:03:46Z"));
}

fn log_event(record: &str, timestamp: i64) -> String {
    format!(
        r#"{{"logStreamName":"111122223333_CloudTrail_us-west-2","timestamp":{timestamp},"message":{},"ingestionTime":{},"eventId":"3716{timestamp}"}}"#,
        quoted(record),
        timestamp + 900
    )
}

#[test]
fn filter_log_events() {
    let file = format!(
        r#"{{"events":[{},{}],"searchedLogStreams":[]}}"#,
        log_event(START, 1646665425000),
        log_event(GET, 1646665631000)
    );
    check(file, Shape::FilterLogEvents, false, &BOTH);
}

#[test]
fn filter_log_events_timestamp_is_the_time_when_the_record_has_none() {
    let file =
        format!(r#"{{"events":[{}],"searchedLogStreams":[]}}"#, log_event(&without(START, "eventTime"), 1646665211000));
    assert_eq!(iso(&ingest(file).events[0]).as_deref(), Some("2022-03-07T15:00:11Z"));
}

fn subscription(message_type: &str, log_events: &[String]) -> String {
    format!(
        r#"{{"messageType":"{message_type}","owner":"111122223333","logGroup":"aws-cloudtrail-logs","logStream":"111122223333_CloudTrail_us-west-2","subscriptionFilters":["transcribe"],"logEvents":[{}]}}"#,
        log_events.join(",")
    )
}

#[test]
fn subscription_data_message() {
    let file = subscription("DATA_MESSAGE", &[log_event(START, 1646665425000), log_event(GET, 1646665631000)]);
    check(gzip(file), Shape::Subscription, true, &BOTH);
}

#[test]
fn subscription_control_message_loads_with_no_records() {
    let health = r#"{"id":"","timestamp":1432826855000,"message":"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}"#;
    let result = check(subscription("CONTROL_MESSAGE", &[health.to_owned()]), Shape::Subscription, false, &[]);
    assert_eq!(result.n_records, 0);
}

// ---- EventBridge ----

fn eventbridge(record: &str) -> String {
    format!(
        r#"{{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"AWS API Call via CloudTrail","source":"aws.transcribe","account":"111122223333","time":"2022-03-07T15:03:45Z","region":"us-west-2","resources":[],"detail":{record}}}"#
    )
}

#[test]
fn eventbridge_single_event() {
    check(eventbridge(START), Shape::EventBridge, false, &["StartTranscriptionJob"]);
}

#[test]
fn eventbridge_one_per_line() {
    check(format!("{}\n{}\n", eventbridge(START), eventbridge(GET)), Shape::EventBridge, false, &BOTH);
}

// ---- Bare records ----

#[test]
fn json_lines() {
    check(format!("{START}\n{GET}\n"), Shape::JsonLines, false, &BOTH);
}

#[test]
fn bare_array() {
    check(format!("[{START},{GET}]"), Shape::Array, false, &BOTH);
}

#[test]
fn single_record_object() {
    check(pretty(GET), Shape::SingleRecord, false, &["GetTranscriptionJob"]);
}

#[test]
fn insights_record() {
    let insight = r#"{"eventVersion":"1.07","eventTime":"2022-03-07T16:00:00Z","awsRegion":"us-west-2","eventID":"EXAMPLE8-9621-4d00-b913-beca2EXAMPLE","eventType":"AwsCloudTrailInsight","recipientAccountId":"111122223333","sharedEventID":"EXAMPLE2-1729-42f1-b735-5d8c0EXAMPLE","insightDetails":{"state":"Start","eventSource":"transcribe.amazonaws.com","eventName":"StartTranscriptionJob","insightType":"ApiCallRateInsight","insightContext":{"statistics":{"baseline":{"average":0.5},"insight":{"average":40}}}},"eventCategory":"Insight"}"#;
    let result = ingest_all(records(&[insight]));
    assert_eq!(result.per_service.get("(CloudTrail Insights)"), Some(&1));
    assert_eq!(result.events[0].event_type(), "AwsCloudTrailInsight");
}

// ---- Console Event history CSV ----

/// Columns in another order than the console's, with the console's own spelling of the `Resources` cell.
const CSV_SHUFFLED: &str = "Event name,Event time,User name,Event source,Resources,AWS region,Event ID,Read-only,Source IP address,Error code,AWS access key,Request ID,Event type,Recipient Account Id,User agent,Event category
StartTranscriptionJob,2022-03-07T15:03:45Z,my-user-name,transcribe.amazonaws.com,\"[{\"\"resourceType\"\":\"\"AWS::Transcribe::TranscriptionJob\"\",\"\"resourceName\"\":\"\"my-first-transcription-job\"\"}]\",us-west-2,cdc4b7ed-e171-4cef-975a-ad829d4123e8,false,127.0.0.1,,AKIAIOSFODNN7EXAMPLE,47B8E8D397DCE7A6,AwsApiCall,111122223333,[ ],Management
GetTranscriptionJob,2022-03-07T15:07:11Z,my-user-name,transcribe.amazonaws.com,[],us-west-2,607b9532-1423-41c7-b048-ec2641693c47,true,127.0.0.1,,AKIAIOSFODNN7EXAMPLE,BD8798EACDD16751,AwsApiCall,111122223333,[ ],Management
";

#[test]
fn console_csv_columns_found_by_header_name() {
    let result = check(CSV_SHUFFLED, Shape::EventHistoryCsv, false, &BOTH);
    let start = &result.events[0];
    assert_eq!(
        (start.identity().name, start.aws_region(), start.source_ip(), start.request_id()),
        ("my-user-name", "us-west-2", "127.0.0.1", "47B8E8D397DCE7A6")
    );
    assert_eq!(iso(start).as_deref(), Some("2022-03-07T15:03:45Z"));
    assert_eq!((start.read_only, result.events[1].read_only), (Some(false), Some(true)));
    assert!(start.summary_only);
}

#[test]
fn console_csv_crlf() {
    check(CSV_SHUFFLED.replace('\n', "\r\n"), Shape::EventHistoryCsv, false, &BOTH);
}

#[test]
fn console_csv_resources_cell_names_the_job() {
    // The console writes `resourceType` / `resourceName` (see both CSV files in the real corpus).
    let result = ingest(CSV_SHUFFLED);
    let info = result.events[0].transcribe.as_ref().expect("a Transcribe event");
    assert_eq!(info.name.display(), "my-first-transcription-job");
}

// ---- What is kept ----

#[test]
fn other_services_are_counted_but_not_kept() {
    let result = ingest(records(&[START, S3_PUT, GET]));
    assert_eq!((result.n_records, result.events.len()), (3, 2));
    assert_eq!(result.per_service.get("s3.amazonaws.com"), Some(&1));
    assert_eq!(result.per_service.get("transcribe.amazonaws.com"), Some(&2));
}

#[test]
fn other_services_are_kept_with_keep_all() {
    let result = ingest_all(records(&[START, S3_PUT, GET]));
    let got: Vec<&str> = result.events.iter().map(|e| e.event_name()).collect();
    assert_eq!(got, ["StartTranscriptionJob", "PutObject", "GetTranscriptionJob"]);
}

#[test]
fn transcribestreaming_events_are_kept() {
    let stream = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"my-user-name","accountId":"111122223333"},"eventTime":"2022-03-07T15:10:00Z","eventSource":"transcribestreaming.amazonaws.com","eventName":"StartStreamTranscription","awsRegion":"us-west-2","sourceIPAddress":"127.0.0.1","requestParameters":{"languageCode":"en-US","mediaSampleRateHertz":16000,"mediaEncoding":"pcm"},"responseElements":{"sessionId":"a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"},"eventID":"8e9a5c5e-0000-4000-8000-000000000001","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;
    let result = check(records(&[stream]), Shape::Records, false, &["StartStreamTranscription"]);
    let info = result.events[0].transcribe.as_ref().expect("a Transcribe event");
    assert_eq!(info.name.display(), "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111");
}

#[test]
fn duplicates_across_two_files_are_dropped_and_counted() {
    let mut store = Store::new();
    store.add(ingest_file("a.json", records(&[START, GET]).as_bytes(), &IngestOptions::default()));
    store.add(ingest_file("b.json.gz", &gzip(records(&[GET])), &IngestOptions::default()));
    let s = store.summary();
    assert_eq!((s.n_records, s.n_kept, s.n_duplicates), (3, 2, 1));
}

#[test]
fn hidden_media_uri_shows_as_hidden() {
    let hidden = START.replace("s3://DOC-EXAMPLE-BUCKET/my-media-file.flac", "HIDDEN_DUE_TO_SECURITY_REASONS");
    let result = ingest(records(&[&hidden]));
    let info = result.events[0].transcribe.as_ref().expect("a Transcribe event");
    assert_eq!(info.media_uri, Field::Hidden);
    assert_eq!(info.media_uri.display(), "(hidden)");
}

//! Writes the proof material for "Copy as SQL": generated delivery files, and for every query of the shared
//! table (`tests/data/queries.txt`) the core's event IDs beside the SQL in each dialect, so that
//! `tests/sql/check.py` can run the DuckDB SQL over the same files and compare.
//!
//! `cargo run --release -p trailscope-core --example sql_cases -- OUT_DIR [QUERIES_FILE]`
//!
//! OUT_DIR gets `logs/` (the generator's gzip deliveries under their S3 keys, plus `edge/edge-cases.json`:
//! records the generator never writes, for the rules' corners) and `cases.json`. The core loads the files as
//! the page does with "show all events" off (Amazon Transcribe's events only), and again with it on; the SQL
//! says which population it starts from, so both are compared.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use trailscope_core::generate::{generate, GenConfig};
use trailscope_core::index::Index;
use trailscope_core::ingest::{ingest_file, IngestOptions};
use trailscope_core::query::{evaluate, parse};
use trailscope_core::sql::{athena_create_table, to_sql_in, Dialect, Scope};
use trailscope_core::store::Store;

/// Queries that must parse and agree but may match nothing: hostile text must stay inside literals.
const HOSTILE: &[&str] = &[
    r#"job:"it's_100%""#,
    r#"job:"*'_1*""#,
    r#""'; DROP TABLE cloudtrail_logs; --""#,
    r#"error:"x'); DELETE FROM t; --*""#,
    r#"user:"a\b""#,
    r#"agent:"%_\*""#,
    r#"requestParameters.it's:x"#,
    r#"requestParameters.a"b:x"#,
    r#"requestParameters.a\b:x"#,
    r#"requestParameters.a/b~c:x"#,
    r#"id:*"#,
    r#""""#,
    "ip:0.0.0.0/0",
    "ip:::/0",
    "ip:::ffff:0:0/96",
    "ip:2001:db8::1/128",
    "ip:1::/16",
    "ip:10.0.0.0/8",
    "ip:255.255.255.255/32",
    "-time:>2026-03-02T12:00 -ip:10.0.0.0/8",
];

fn main() {
    if let Err(message) = run() {
        eprintln!("sql_cases: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: sql_cases OUT_DIR [QUERIES_FILE]")?);
    let queries_path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/queries.txt"));
    let queries_text =
        std::fs::read_to_string(&queries_path).map_err(|e| format!("{}: {e}", queries_path.display()))?;
    let queries: Vec<&str> =
        queries_text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).collect();

    let logs = out.join("logs");
    if logs.exists() {
        std::fs::remove_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    }
    let config = GenConfig { n_events: 8_000, n_files: 8, ..GenConfig::sample() };
    let (generated, _) = generate(&config);
    let mut files: Vec<(String, Vec<u8>)> = generated.into_iter().map(|f| (f.name, f.bytes)).collect();
    files.push(("edge/edge-cases.json".to_owned(), edge_cases()));
    for (name, bytes) in &files {
        let path = logs.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }

    // Absolute, so that the SQL runs from any directory.
    let logs = std::fs::canonicalize(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let transcribe = Loaded::new(&files, false)?;
    let everything = Loaded::new(&files, true)?;
    let glob = format!("{}/**/*.json*", logs.display());
    let cases: Vec<Value> =
        queries.iter().map(|q| case(q, &glob, &transcribe, &everything)).collect::<Result<_, _>>()?;
    let hostile: Vec<Value> =
        HOSTILE.iter().map(|q| case(q, &glob, &transcribe, &everything)).collect::<Result<_, _>>()?;
    let create_table = athena_create_table(
        "cloudtrail_logs",
        "acme-cloudtrail",
        "org/trail",
        &["111122223333", "444455556666"],
        &["us-east-1", "eu-central-1", "us-west-2"],
        "2026-03-01",
    )
    .map_err(|e| e.to_string())?;
    let document = json!({
        "glob": glob,
        "n_events": transcribe.ids.len(),
        "n_events_all": everything.ids.len(),
        "create_table": create_table,
        "cases": cases,
        "hostile": hostile,
    });
    let path = out.join("cases.json");
    let text = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    println!(
        "{}: {} queries and {} hostile ones over {} files ({} Transcribe events, {} in all)",
        path.display(),
        queries.len(),
        HOSTILE.len(),
        files.len(),
        transcribe.ids.len(),
        everything.ids.len()
    );
    Ok(())
}

/// The files as the page holds them, with one search answered at a time.
struct Loaded {
    store: Store,
    index: Index,
    ids: Vec<String>,
}

impl Loaded {
    fn new(files: &[(String, Vec<u8>)], keep_all: bool) -> Result<Loaded, String> {
        let mut store = Store::new();
        for (name, bytes) in files {
            store.add(ingest_file(name, bytes, &IngestOptions { keep_all, ..IngestOptions::default() }));
        }
        if let Some(note) = store.notes().first() {
            return Err(format!("the core could not read a generated file: {note:?}"));
        }
        let index = Index::build(store.events());
        let ids = store.events().iter().map(|e| e.event_id().to_owned()).collect();
        Ok(Loaded { store, index, ids })
    }

    /// The sorted event IDs the page shows for `text`.
    fn answer(&self, text: &str) -> Vec<String> {
        let (query, _) = parse(text);
        let all: Vec<u32> = (0..self.ids.len() as u32).collect();
        let rows = evaluate(&query, &self.index, self.store.events(), &all);
        let ids: BTreeSet<String> = rows.iter().map(|&r| self.ids[r as usize].clone()).collect();
        ids.into_iter().collect()
    }
}

fn case(text: &str, glob: &str, transcribe: &Loaded, everything: &Loaded) -> Result<Value, String> {
    let (query, hints) = parse(text);
    let sql = |dialect: Dialect, source: &str, scope: Scope| {
        to_sql_in(&query, dialect, source, scope).map_err(|e| format!("{text}: {e}"))
    };
    let athena = sql(Dialect::Athena, "cloudtrail_logs", Scope::Transcribe)?;
    let lake = sql(Dialect::Lake, "EXAMPLEf852-4e8f-8bd1-bcf6cEXAMPLE", Scope::Transcribe)?;
    let duckdb = sql(Dialect::DuckDb, glob, Scope::Transcribe)?;
    let duckdb_all = sql(Dialect::DuckDb, glob, Scope::AllEvents)?;
    Ok(json!({
        "query": text,
        "hints": hints.iter().map(|h| h.0.clone()).collect::<Vec<_>>(),
        "ids": transcribe.answer(text),
        "ids_all": everything.answer(text),
        "sql": { "athena": athena.sql, "lake": lake.sql, "duckdb": duckdb.sql, "duckdb_all": duckdb_all.sql },
        "notes": { "athena": athena.notes, "lake": lake.notes, "duckdb": duckdb.notes },
    }))
}

/// A delivery of records the generator never writes, each for a corner of a rule the SQL must share with the
/// core: names in ARNs, hidden values, identities without a user name, odd addresses and user agents, times
/// with offsets or none, characters that SQL treats specially.
fn edge_cases() -> Vec<u8> {
    let transcribe = "transcribe.amazonaws.com";
    let record = |id: &str, time: &str, name: &str, identity: Value, ip: &str, agent: &str| {
        json!({
            "eventVersion": "1.09",
            "userIdentity": identity,
            "eventTime": time,
            "eventSource": transcribe,
            "eventName": name,
            "awsRegion": "eu-west-1",
            "sourceIPAddress": ip,
            "userAgent": agent,
            "requestParameters": null,
            "responseElements": null,
            "requestID": format!("req-{id}"),
            "eventID": format!("edge-{id}"),
            "readOnly": true,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": "999988887777",
            "eventCategory": "Management",
        })
    };
    let user = |name: &str| {
        json!({"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": format!("arn:aws:iam::999988887777:user/{name}"),
               "accountId": "999988887777", "accessKeyId": "AKIAEDGEEXAMPLE", "userName": name})
    };
    let cli = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5 exe/x86_64 command/transcribe.x";
    let mut records = Vec::new();
    let mut push = |mut r: Value, set: &[(&str, Value)]| {
        for (key, value) in set {
            r[*key] = value.clone();
        }
        records.push(r);
    };
    push(
        record("tag-arn", "2026-03-02T09:00:00Z", "TagResource", user("edge_user"), "192.0.2.1, 10.9.9.9", cli),
        &[(
            "requestParameters",
            json!({
                "resourceArn": "arn:aws:transcribe:eu-west-1:999988887777:medical-transcription-job/visit:42/b",
                "tags": []
            }),
        )],
    );
    push(
        record("tag-unknown", "2026-03-02T09:01:00Z", "UntagResource", user("edge_user"), "::ffff:10.1.2.3", cli),
        &[("requestParameters", json!({"resourceArn": "arn:aws:transcribe:eu-west-1:999988887777:widget/w1"}))],
    );
    push(
        record("tag-empty", "2026-03-02T09:02:00Z", "ListTagsForResource", user("edge_user"), "010.1.2.3", cli),
        &[("requestParameters", json!({"resourceArn": "arn:aws:transcribe:eu-west-1:999988887777:vocabulary/"}))],
    );
    push(
        record(
            "hidden-name",
            "2026-03-02T09:03:00.250Z",
            "StartTranscriptionJob",
            user("edge_user"),
            "2001:DB8:0:0:0:0:0:1",
            "  Terraform/1.7.5 (+https://www.terraform.io)",
        ),
        &[
            (
                "requestParameters",
                json!({"transcriptionJobName": "HIDDEN_DUE_TO_SECURITY_REASONS", "languageCode": ""}),
            ),
            ("responseElements", json!({"transcriptionJob": {"transcriptionJobStatus": "QUEUED"}})),
        ],
    );
    push(
        record(
            "name-in-response",
            "2026-03-02T10:04:00+01:00",
            "GetTranscriptionJob",
            json!({"type": "AssumedRole", "principalId": "AROAEDGE:sess",
                   "arn": "arn:aws:sts::999988887777:assumed-role/edge-role/sess/with/slashes",
                   "accountId": "999988887777"}),
            "2001:db8:0:1::7",
            "aws-sdk-go/1.51.20 (go1.20.12; linux; amd64)",
        ),
        &[(
            "responseElements",
            json!({"transcriptionJob": {
                "transcriptionJobName": "it's_100%", "transcriptionJobStatus": "COMPLETED", "languageCode": 7
            }}),
        )],
    );
    push(
        record(
            "delete-ok",
            "2026-03-02T09:05:00Z",
            "DeleteVocabulary",
            json!({"type": "Root", "principalId": "999988887777", "arn": "arn:aws:iam::999988887777:root",
                   "accountId": "999988887777"}),
            "203.0.113.10",
            "signin.amazonaws.com",
        ),
        &[("requestParameters", json!({"vocabularyName": "edge_vocab%"}))],
    );
    push(
        record(
            "delete-denied",
            "2026-03-02T09:06:00Z",
            "DeleteVocabulary",
            json!({"type": "IdentityCenterUser", "accountId": "999988887777",
                   "onBehalfOf": {"userId": "edge-sso-user",
                                  "identityStoreArn": "arn:aws:identitystore::999988887777:identitystore/d-1"}}),
            "203.0.113.10",
            "",
        ),
        &[
            ("requestParameters", json!({"vocabularyName": "edge_vocab%"})),
            ("errorCode", json!("AccessDeniedException")),
            ("errorMessage", json!("User: \"edge\" is not authorized")),
        ],
    );
    push(
        record(
            "vocab-state",
            "yesterday",
            "GetVocabulary",
            json!({"type": "AWSService", "invokedBy": "edge.amazonaws.com"}),
            "edge.amazonaws.com",
            "AWS Internal",
        ),
        &[
            ("requestParameters", json!({"vocabularyName": "edge_vocab%"})),
            ("responseElements", json!({"vocabularyName": "edge_vocab%", "vocabularyState": "", "languageCode": null})),
        ],
    );
    push(
        record(
            "stream",
            "2026-03-02T09:07:00Z",
            "StartStreamTranscription",
            json!({"type": "AssumedRole", "principalId": "AROAEDGE:x",
                   "arn": "arn:aws:sts::999988887777:role-without-session/",
                   "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "edge-issuer"}}}),
            "198.51.100.7",
            "aws-sdk-js/3.540.0 ua/2.0",
        ),
        &[
            ("eventSource", json!("transcribestreaming.amazonaws.com")),
            ("requestParameters", json!({"languageCode": "de-DE", "mediaSampleRateHertz": 16000})),
            ("responseElements", json!({"sessionId": "edge-session-1", "languageCode": "de-DE"})),
        ],
    );
    push(
        record(
            "principal-only",
            "2026-03-02T09:08:00Z",
            "ListTranscriptionJobs",
            json!({"type": "SAMLUser", "principalId": "edge-principal", "arn": "arn:aws:iam::999988887777:saml/"}),
            "198.51.100.8",
            "Boto3/1.34.50 md/Botocore#1.34.50",
        ),
        &[("requestParameters", json!({"status": "FAILED", "maxResults": 5}))],
    );
    push(
        record("no-identity", "2026-03-02T09:09:00Z", "DescribeLanguageModel", Value::Null, "198.51.100.9", "curl/8.0"),
        &[
            ("requestParameters", json!({"modelName": "edge-model"})),
            (
                "responseElements",
                json!({"languageModel": {
                    "modelName": "edge-model", "modelStatus": "IN_PROGRESS", "languageCode": "en-US"
                }}),
            ),
        ],
    );
    push(
        record("not-transcribe", "2026-03-02T09:10:00Z", "GetObject", user("edge_user"), "10.0.0.1", cli),
        &[("eventSource", json!("s3.amazonaws.com")), ("requestParameters", json!({"bucketName": "edge-bucket"}))],
    );
    // Address spellings Rust's parser accepts or refuses, one record each.
    let addresses = [
        "1:2:3:4:5:6:7::",
        "::",
        "1::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:1.2.3.4",
        "fe80::1%eth0",
        "00000::1",
        "0001::1",
        ":::1",
        "1:2:3:4:5:6:7:8:9",
        "::1.2.3.04",
        "  2001:db8::5  ",
        "2001:db8::g",
        "1.2.3.4 ",
        "10.0.0.256",
        "10.0.0",
        "10.0.0.1.5",
        "0.0.0.0",
        "255.255.255.255",
        "10.00.0.1",
        "10.1.2.3,,lambda.amazonaws.com",
    ];
    for (n, address) in addresses.iter().enumerate() {
        let id = format!("address-{n}");
        let mut r = record(&id, "2026-03-02T09:11:00Z", "ListVocabularies", user("edge_user"), address, cli);
        r["requestParameters"] = json!({"maxResults": 10});
        records.push(r);
    }
    let text = json!({ "Records": records }).to_string();
    text.into_bytes()
}

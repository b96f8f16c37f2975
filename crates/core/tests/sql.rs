//! "Copy as SQL" as text: values stay inside literals, every kind of term becomes SQL in every dialect,
//! Athena gets partition predicates, and each approximation is said. Whether the SQL means what the page
//! means is `tests/sql/check.py`'s job (DuckDB runs it over generated files).

use trailscope_core::query::{parse, Matcher, Ordering, Query, Term, Test};
use trailscope_core::sql::{athena_create_table, to_sql, to_sql_in, Dialect, Scope, Translation};

const DIALECTS: [(Dialect, &str); 3] = [
    (Dialect::Athena, "cloudtrail_logs"),
    (Dialect::Lake, "EXAMPLE-f852-4e8f"),
    (Dialect::DuckDb, "logs/**/*.json.gz"),
];

fn translate(text: &str, dialect: Dialect) -> Translation {
    let source = DIALECTS.iter().find(|(d, _)| *d == dialect).map_or("", |(_, s)| s);
    let (query, _) = parse(text);
    to_sql(&query, dialect, source).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The SQL of `text` in `dialect` holds each of `fragments`.
fn check(text: &str, dialect: Dialect, fragments: &[&str]) {
    let translation = translate(text, dialect);
    for fragment in fragments {
        assert!(
            translation.sql.contains(fragment),
            "{dialect:?} SQL of {text:?} lacks\n    {fragment}\n--- SQL ---\n{}\n-----------",
            translation.sql
        );
    }
}

/// The SQL with its string literals and comments cut out, after checking every literal is closed: what is
/// left is what the database reads as code.
fn code_outside_literals(sql: &str) -> String {
    let mut code = String::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => loop {
                match chars.next() {
                    Some('\'') if chars.peek() == Some(&'\'') => {
                        chars.next();
                    }
                    Some('\'') => break,
                    Some(_) => {}
                    None => panic!("a literal is never closed in\n{sql}"),
                }
            },
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                code.push('\n');
            }
            c => code.push(c),
        }
    }
    code
}

/// The string literals of the SQL, unescaped.
fn literals(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '-' && chars.peek() == Some(&'-') {
            chars.by_ref().find(|&c| c == '\n');
        } else if c == '\'' {
            let mut literal = String::new();
            loop {
                match chars.next() {
                    Some('\'') if chars.peek() == Some(&'\'') => {
                        chars.next();
                        literal.push('\'');
                    }
                    Some('\'') | None => break,
                    Some(c) => literal.push(c),
                }
            }
            out.push(literal);
        }
    }
    out
}

// ---- escaping -------------------------------------------------------------------------------------------

#[test]
fn a_hostile_value_stays_inside_one_literal() {
    for (dialect, _) in DIALECTS {
        for text in [
            r#""'; DROP TABLE x; --""#,
            r#"user:"'; DROP TABLE x; --""#,
            r#"job:"'; DROP TABLE x; --*""#,
            r#"requestParameters.x:"'; DROP TABLE x; --""#,
        ] {
            let sql = translate(text, dialect).sql;
            let code = code_outside_literals(&sql);
            assert!(!code.to_lowercase().contains("drop"), "{dialect:?} {text}: code outside literals\n{code}");
            let lits = literals(&sql);
            assert!(lits.iter().any(|l| l.contains("'; drop table x; --")), "{dialect:?} {text}: {lits:?}");
        }
    }
}

#[test]
fn quotes_are_doubled() {
    for (dialect, _) in DIALECTS {
        check(r#"user:"o'brien""#, dialect, &["lower(identity) = 'o''brien'"]);
    }
}

#[test]
fn typed_percent_underscore_and_backslash_are_literal_in_like() {
    for (dialect, _) in DIALECTS {
        check(r#"job:"100%_a\b*""#, dialect, &[r"lower(resource) LIKE '100\%\_a\\b%' ESCAPE '\'"]);
    }
    // Without a star it is a plain comparison: nothing to escape but quotes.
    check(r#"job:"100%_a\b""#, Dialect::Athena, &[r"lower(resource) = '100%_a\b'"]);
}

#[test]
fn json_path_keys_are_quoted_or_refused() {
    check("requestParameters.it's:x", Dialect::Athena, &[r#"'$["it''s"]'"#]);
    check("requestParameters.a/b~c:x", Dialect::DuckDb, &["'/requestParameters/a~1b~0c'"]);
    check("requestParameters.media.mediaFileUri:x", Dialect::DuckDb, &["'$.requestParameters.media.mediaFileUri'"]);
    let refused = translate(r#"requestParameters.a"b:x"#, Dialect::Athena);
    assert!(refused.sql.contains("coalesce(FALSE, FALSE)"), "{}", refused.sql);
    assert!(refused.notes.iter().any(|n| n.contains("cannot hold a key")), "{:?}", refused.notes);
}

#[test]
fn sources_are_quoted_or_checked() {
    check("alice", Dialect::Athena, &[r#"FROM "cloudtrail_logs""#]);
    let (query, _) = parse("alice");
    let athena = to_sql(&query, Dialect::Athena, r#"db.we"ird"#).unwrap();
    assert!(athena.sql.contains(r#"FROM "db"."we""ird""#), "{}", athena.sql);
    let lake =
        to_sql(&query, Dialect::Lake, "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/EXAMPLE-f852").unwrap();
    assert!(lake.sql.contains("FROM EXAMPLE-f852\n"), "{}", lake.sql);
    let duck = to_sql(&query, Dialect::DuckDb, "it's/**/*.json.gz").unwrap();
    assert!(duck.sql.contains("read_json_objects('it''s/**/*.json.gz'"), "{}", duck.sql);
    for (dialect, source) in
        [(Dialect::Lake, "x; DROP TABLE y"), (Dialect::Lake, ""), (Dialect::Athena, " "), (Dialect::DuckDb, "")]
    {
        let error = to_sql(&query, dialect, source).expect_err(source);
        assert!(!error.message().is_empty());
    }
}

// ---- every term, every dialect --------------------------------------------------------------------------

#[test]
fn every_column_becomes_sql_in_every_dialect() {
    let cases = [
        ("event:StartTranscriptionJob", "lower(event_name) = 'starttranscriptionjob'"),
        ("source:transcribe.amazonaws.com", "lower(event_source) = 'transcribe.amazonaws.com'"),
        ("region:eu-west-1", "lower(aws_region) = 'eu-west-1'"),
        ("account:111122223333", "lower(account_id) = '111122223333'"),
        ("user:alice", "lower(identity) = 'alice'"),
        ("userIdentity.arn:arn:aws:iam::1:user/a", "lower(ui_arn) = 'arn:aws:iam::1:user/a'"),
        ("userIdentity.type:IAMUser", "lower(ui_type) = 'iamuser'"),
        ("key:AKIA*", "lower(ui_access_key_id) LIKE 'akia%'"),
        ("ip:203.0.113.10", "lower(source_ip) = '203.0.113.10'"),
        ("agent:boto3", "coalesce((lower(user_agent) = 'boto3' OR lower(agent_family) = 'boto3'), FALSE)"),
        ("family:console", "lower(agent_family) = 'console'"),
        ("error:AccessDenied", "lower(error_code) = 'accessdenied'"),
        ("job:call-7", "lower(resource) = 'call-7'"),
        ("kind:medical", "lower(kind) = 'medical'"),
        ("status:FAILED", "lower(status) = 'failed'"),
        ("lang:de-DE", "lower(language) = 'de-de'"),
    ];
    for (text, fragment) in cases {
        for (dialect, _) in DIALECTS {
            check(text, dialect, &[fragment]);
        }
    }
}

#[test]
fn derived_columns_follow_the_core_rules() {
    for (dialect, _) in DIALECTS {
        check(
            "user:x",
            dialect,
            &[
                "WHEN ui_user_name <> '' THEN ui_user_name",
                ":assumed-role/",
                "WHEN ui_type = 'Root' THEN 'root'",
                "WHEN ui_on_behalf_of <> '' THEN ui_on_behalf_of",
                "CASE WHEN recipient_account_id <> '' THEN recipient_account_id ELSE ui_account_id END AS account_id",
                "THEN 'SDK for JS'",
                "'DELETED'",
                "THEN '(hidden)'",
                "event_noun IN ('TranscriptionJob', 'TranscriptionJobs') THEN 'transcription'",
                "WHEN 'medical-transcription-job' THEN 'medical'",
            ],
        );
    }
    check(
        "job:x",
        Dialect::Athena,
        &["json_extract_scalar(responseelements, '$.transcriptionJob.transcriptionJobName')"],
    );
    check(
        "job:x",
        Dialect::Lake,
        &["json_extract_scalar(element_at(responseElements, 'transcriptionJob'), '$.transcriptionJobName')"],
    );
    check(
        "job:x",
        Dialect::DuckDb,
        &["f.responseElements.transcriptionJob.transcriptionJobName", "json_transform(record, '{"],
    );
}

#[test]
fn negation_keeps_what_has_no_value() {
    for (dialect, _) in DIALECTS {
        check(
            "-error:AccessDenied*",
            dialect,
            &[r"NOT coalesce(lower(error_code) LIKE 'accessdenied%' ESCAPE '\', FALSE)"],
        );
        check("-lang:de-DE", dialect, &["NOT coalesce(lower(language) = 'de-de', FALSE)"]);
        check("-time:>2026-03-02T12:00:00", dialect, &["NOT coalesce(event_time > "]);
        // The record's fields are empty text rather than NULL, as in the core.
        check("-error:x", dialect, &["coalesce(", "'') AS error_code"]);
    }
}

#[test]
fn json_paths_in_every_dialect() {
    check(
        "requestParameters.languageCode:de-DE",
        Dialect::Athena,
        &["coalesce(json_extract_scalar(requestparameters, '$.languageCode'), \
           json_format(json_extract(requestparameters, '$.languageCode')))"],
    );
    check(
        "requestParameters.languageCode:de-DE",
        Dialect::Lake,
        &["lower(element_at(requestParameters, 'languageCode')) = 'de-de'"],
    );
    check(
        "requestParameters.media.mediaFileUri:s3*",
        Dialect::Lake,
        &["json_extract_scalar(element_at(requestParameters, 'media'), '$.mediaFileUri')"],
    );
    check(
        "requestParameters.languageCode:de-DE",
        Dialect::DuckDb,
        &["coalesce(json_value(record, '$.requestParameters.languageCode') ->> '$', \
           CAST(json_extract(record, '$.requestParameters.languageCode') AS VARCHAR))"],
    );
    for (dialect, _) in DIALECTS {
        check("userIdentity.sessionContext.sessionIssuer.userName:ci", dialect, &["'ci'"]);
        check("readOnly:true", dialect, &["= 'true'"]);
        check("id:abc", dialect, &["= 'abc'"]);
    }
    check("readOnly:true", Dialect::Lake, &["lower(CAST(readOnly AS varchar)) = 'true'"]);
    check("id:abc", Dialect::Athena, &["lower(eventid) = 'abc'"]);
}

#[test]
fn a_star_alone_on_a_json_path_passes_a_json_null_by() {
    check("responseElements:*", Dialect::DuckDb, &["json_type(json_extract(record, '$.responseElements')) <> 'NULL'"]);
    check(
        "responseElements.transcriptionJob.failureReason:*",
        Dialect::Athena,
        &["json_format(json_extract(responseelements, '$.transcriptionJob.failureReason')) <> 'null'"],
    );
    check(
        "responseElements.transcriptionJob.failureReason:*",
        Dialect::Lake,
        &["json_format(json_extract(element_at(responseElements, 'transcriptionJob'), '$.failureReason')) <> 'null'"],
    );
    // Athena's SerDe and Lake's maps leave a JSON null NULL where they read a field as text: nothing to add.
    for (dialect, text) in [
        (Dialect::Athena, "responseElements:*"),
        (Dialect::Lake, "responseElements:*"),
        (Dialect::Lake, "responseElements.transcriptionJob:*"),
    ] {
        let sql = translate(text, dialect).sql;
        assert!(!sql.contains("<> 'null'"), "{dialect:?} {text}:\n{sql}");
    }
    // `null` typed out, or beside other text, still reads a null as its text.
    for (dialect, _) in DIALECTS {
        for text in ["responseElements:null", "responseElements:n*", "responseElements.transcriptionJob.x:null"] {
            let sql = translate(text, dialect).sql;
            assert!(!sql.contains("<> 'null'") && !sql.contains("<> 'NULL'"), "{dialect:?} {text}:\n{sql}");
        }
    }
}

#[test]
fn free_text_in_every_dialect() {
    check(
        "alice",
        Dialect::DuckDb,
        &["CAST(record AS VARCHAR) AS raw_text", "strpos(lower(concat_ws(chr(31), raw_text, identity"],
    );
    check(
        "alice",
        Dialect::Athena,
        &["concat_ws(chr(31), eventversion, useridentity.type", "requestparameters", "'alice') > 0"],
    );
    check("alice", Dialect::Lake, &["json_format(CAST(requestParameters AS JSON))", "'alice') > 0"]);
    // An empty needle matches everything, as in the core.
    check(r#""""#, Dialect::Athena, &["coalesce(TRUE, FALSE)"]);
}

#[test]
fn networks_in_every_dialect() {
    check(
        "ip:10.1.2.3/8",
        Dialect::Athena,
        &["contains('10.0.0.0/8', TRY_CAST(trim(a) AS IPADDRESS))", "any_match(split(source_ip, ',')"],
    );
    check("ip:2001:db8::/32", Dialect::Lake, &["contains('2001:db8::/32', TRY_CAST(trim(a) AS IPADDRESS))"]);
    check("ip:10.0.0.0/8", Dialect::DuckDb, &["h BETWEEN '0a000000' AND '0affffff'", "string_split(source_ip, ',')"]);
    check(
        "ip:2001:db8::/32",
        Dialect::DuckDb,
        &["h BETWEEN '20010db8000000000000000000000000' AND '20010db8ffffffffffffffffffffffff'", "'::'"],
    );
}

#[test]
fn times_in_every_dialect() {
    // After 14:00 is from 14:01 on, and up to the 7th takes in the whole day, as the page reads them.
    check(
        "time:>2026-03-07T14:00",
        Dialect::Athena,
        &["event_time >= from_iso8601_timestamp('2026-03-07T14:01:00.000Z')"],
    );
    check("time:<=2026-03-07", Dialect::Lake, &["event_time < TIMESTAMP '2026-03-08 00:00:00.000'"]);
    check("time:>=2026-03-07", Dialect::Lake, &["event_time >= TIMESTAMP '2026-03-07 00:00:00.000'"]);
    check("time:<2026-03-07T14", Dialect::DuckDb, &["event_time < TIMESTAMPTZ '2026-03-07 14:00:00.000+00'"]);
    check("time:<=2026-03-07T14:00:30", Dialect::DuckDb, &["event_time <= TIMESTAMPTZ '2026-03-07 14:00:30.000+00'"]);
    check("x", Dialect::Athena, &["try(from_iso8601_timestamp(eventtime)) AS event_time"]);
}

#[test]
fn every_term_variant_becomes_a_condition_in_every_dialect() {
    let query = Query {
        terms: vec![
            Term { negate: false, test: Test::Text("needle".into()) },
            Term {
                negate: true,
                test: Test::Column(trailscope_core::index::Column::Kind, Matcher::Wildcard("med*".into())),
            },
            Term {
                negate: false,
                test: Test::Column(
                    trailscope_core::index::Column::SourceIp,
                    Matcher::Cidr("192.0.2.0".parse().unwrap(), 24),
                ),
            },
            Term {
                negate: false,
                test: Test::Path(vec!["requestParameters".into(), "k".into()], Matcher::Exact("v".into())),
            },
            Term { negate: false, test: Test::Time(Ordering::After, 1_772_438_400_000) },
            Term { negate: false, test: Test::Time(Ordering::AtOrAfter, 1_772_438_400_000) },
            Term { negate: false, test: Test::Time(Ordering::Before, 1_772_524_800_000) },
            Term { negate: false, test: Test::Time(Ordering::AtOrBefore, 1_772_524_800_000) },
        ],
        range: Some((1_772_438_400_000, 1_772_524_800_000)),
    };
    for (dialect, source) in DIALECTS {
        let sql = to_sql(&query, dialect, source).unwrap().sql;
        let conditions = sql.split("\n) AS events\nWHERE ").nth(1).unwrap_or_default();
        let n_conditions = conditions.matches("coalesce(").count() - conditions.matches("coalesce(json_").count();
        assert!(n_conditions >= 9, "{dialect:?}: {n_conditions} conditions in\n{conditions}");
        for fragment in [
            "'needle'",
            "NOT coalesce(lower(kind) LIKE 'med%'",
            "event_time > ",
            "event_time >= ",
            "event_time < ",
            "event_time <= ",
        ] {
            assert!(conditions.contains(fragment), "{dialect:?} lacks {fragment} in\n{conditions}");
        }
        assert!(conditions.contains("AND event_time < "), "{dialect:?}: no range in\n{conditions}");
    }
}

// ---- Athena's partitions, scope, notes --------------------------------------------------------------------

#[test]
fn athena_reads_only_the_days_asked_for() {
    // 2026-03-02 to 2026-03-03 inclusive: files delivered up to a day later are read too.
    check(
        "time:>=2026-03-02 time:<2026-03-04",
        Dialect::Athena,
        &[r#"AND "timestamp" >= '2026/03/02'"#, r#"AND "timestamp" <= '2026/03/04'"#],
    );
    // A negated bound bounds nothing.
    let open = translate("-time:>2026-03-02", Dialect::Athena);
    assert!(!open.sql.contains(r#""timestamp" <="#) && !open.sql.contains(r#""timestamp" >="#), "{}", open.sql);
    // The timeline's brush.
    let (mut query, _) = parse("alice");
    query.range = Some((1_772_409_600_000, 1_772_496_000_000)); // 2026-03-02T00:00Z to 2026-03-03T00:00Z
    let sql = to_sql(&query, Dialect::Athena, "t").unwrap().sql;
    assert!(sql.contains(r#""timestamp" >= '2026/03/02'"#) && sql.contains(r#""timestamp" <= '2026/03/03'"#), "{sql}");
    for dialect in [Dialect::Lake, Dialect::DuckDb] {
        assert!(!translate("time:>=2026-03-02", dialect).sql.contains("\"timestamp\""));
    }
}

#[test]
fn scope_says_which_events() {
    let (query, _) = parse("alice");
    for (dialect, source) in DIALECTS {
        let transcribe = to_sql_in(&query, dialect, source, Scope::Transcribe).unwrap();
        assert!(transcribe.sql.contains("IN ('transcribe.amazonaws.com', 'transcribestreaming.amazonaws.com')\n"));
        assert!(transcribe.notes.iter().any(|n| n.contains("Only Amazon Transcribe's events")));
        let all = to_sql_in(&query, dialect, source, Scope::AllEvents).unwrap();
        assert!(!all.sql.contains("IN ('transcribe.amazonaws.com', 'transcribestreaming.amazonaws.com')\n"));
        assert!(!all.notes.iter().any(|n| n.contains("Only Amazon Transcribe's events")));
    }
}

#[test]
fn approximations_are_noted() {
    let has = |text: &str, dialect: Dialect, words: &str| {
        let notes = translate(text, dialect).notes;
        assert!(notes.iter().any(|n| n.contains(words)), "{dialect:?} {text}: no note with {words:?} in {notes:?}");
    };
    has("alice", Dialect::Athena, "key names");
    has("alice", Dialect::Lake, "key names");
    has("alice", Dialect::DuckDb, "escapes");
    has("ip:10.0.0.0/8", Dialect::Athena, "IPv4-mapped");
    has("ip:10.0.0.0/8", Dialect::DuckDb, "no DuckDB extension");
    has("status:FAILED", Dialect::Athena, "four levels deep");
    has("family:console", Dialect::DuckDb, "trim");
    has("userIdentity.sessionContext.webIdFederationData.federatedProvider:x", Dialect::Athena, "not a text column");
    has("userIdentity.sessionContext:x", Dialect::Lake, "not a text column");
    has("time:>2026-03-02", Dialect::Athena, "one day's slack");
    has("time:>2026-03-02", Dialect::DuckDb, "TimeZone");
    has("requestParameters.x:y", Dialect::Lake, "map<string,string>");
    has("x", Dialect::Athena, "DISTINCT");
    // Nothing said that does not apply.
    let plain = translate("event:StartTranscriptionJob", Dialect::Athena).notes;
    assert!(!plain.iter().any(|n| n.contains("IPADDRESS") || n.contains("Free text")), "{plain:?}");
}

// ---- the Athena table ------------------------------------------------------------------------------------

#[test]
fn athena_table_projects_accounts_regions_and_days() {
    let ddl = athena_create_table(
        "cloudtrail_logs",
        "acme-trail",
        "/org/",
        &["111122223333", "444455556666"],
        &["us-east-1", "eu-west-1"],
        "2026-03-01",
    )
    .unwrap();
    for fragment in [
        "CREATE EXTERNAL TABLE `cloudtrail_logs` (",
        "useridentity STRUCT<",
        "requestparameters STRING,",
        "PARTITIONED BY (`account` STRING, `region` STRING, `timestamp` STRING)",
        "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'",
        "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'",
        "LOCATION 's3://acme-trail/org/AWSLogs/'",
        "'projection.enabled'='true'",
        "'projection.account.values'='111122223333,444455556666'",
        "'projection.region.type'='enum'",
        "'projection.region.values'='us-east-1,eu-west-1'",
        "'projection.timestamp.range'='2026/03/01,NOW'",
        "'projection.timestamp.format'='yyyy/MM/dd'",
        "'storage.location.template'='s3://acme-trail/org/AWSLogs/${account}/CloudTrail/${region}/${timestamp}'",
    ] {
        assert!(ddl.contains(fragment), "lacks {fragment}:\n{ddl}");
    }
    // Athena reads `projection.<column>.<setting>`: each projected name must be a partition column, and
    // each partition column needs its type, or queries of the table fail.
    let projected: Vec<&str> = ddl
        .split("'projection.")
        .skip(1)
        .filter_map(|rest| rest.split_once('\''))
        .filter_map(|(key, _)| key.split_once('.'))
        .map(|(column, _)| column)
        .collect();
    for column in ["account", "region", "timestamp"] {
        assert!(ddl.contains(&format!("'projection.{column}.type'=")), "{column} has no projection type:\n{ddl}");
    }
    assert!(projected.iter().all(|c| ["account", "region", "timestamp"].contains(c)), "{projected:?}");
    let no_prefix = athena_create_table("t", "b-1", "", &["111122223333"], &["us-east-1"], "2026/03/01").unwrap();
    assert!(no_prefix.contains("LOCATION 's3://b-1/AWSLogs/'"), "{no_prefix}");
}

#[test]
fn athena_table_refuses_what_it_cannot_write() {
    let good = |table, bucket, prefix, accounts: &[&str], regions: &[&str], date| {
        athena_create_table(table, bucket, prefix, accounts, regions, date)
    };
    let accounts = ["111122223333"];
    let regions = ["us-east-1"];
    assert!(good("t", "bucket", "p", &accounts, &regions, "2026-03-01").is_ok());
    let bad = [
        good("t; DROP", "bucket", "p", &accounts, &regions, "2026-03-01"),
        good("t", "Bucket", "p", &accounts, &regions, "2026-03-01"),
        good("t", "bucket", "it's", &accounts, &regions, "2026-03-01"),
        good("t", "bucket", "${x}", &accounts, &regions, "2026-03-01"),
        good("t", "bucket", "p", &[], &regions, "2026-03-01"),
        good("t", "bucket", "p", &["1234"], &regions, "2026-03-01"),
        good("t", "bucket", "p", &accounts, &["us east"], "2026-03-01"),
        good("t", "bucket", "p", &accounts, &regions, "2026-02-30"),
        good("t", "bucket", "p", &accounts, &regions, "yesterday"),
    ];
    for result in bad {
        let error = result.expect_err("refused");
        assert!(!error.message().is_empty());
    }
}

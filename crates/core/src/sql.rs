//! "Copy as SQL": a [`Query`] as SQL for Amazon Athena, CloudTrail Lake or DuckDB, meaning what the page
//! means by it, and the Athena table it runs on.
//!
//! [`to_sql`] writes one `SELECT` in four layers, the same in every dialect: the record's fields (from the
//! Athena table, the Lake event data store, or DuckDB reading the delivery files), what Amazon Transcribe's
//! request and response say (job name, kind, status, language), the page's derived columns (identity, account,
//! user-agent family, ...), and the search's conditions over those names. Values from the search box only ever
//! appear inside SQL string literals, quotes doubled and `LIKE` patterns escaped; identifiers come from the
//! tables in this module, except the table or event data store a person names, which is quoted or checked.
//! [`Translation::notes`] says honestly where a dialect can only come close to the page.
//!
//! ```
//! use trailscope_core::query::parse;
//! use trailscope_core::sql::{to_sql, Dialect};
//!
//! let (query, _) = parse("user:alice -error:AccessDenied*");
//! let athena = to_sql(&query, Dialect::Athena, "cloudtrail_logs").unwrap();
//! assert!(athena.sql.contains("lower(identity) = 'alice'"));
//! assert!(athena.sql.contains(r"NOT coalesce(lower(error_code) LIKE 'accessdenied%' ESCAPE '\', FALSE)"));
//! ```
//!
//! **Architecture Invariant:** this module only writes text; it never runs SQL. Whether the text means what
//! the page means is checked outside the crate: `examples/sql_cases.rs` writes the core's answers beside the
//! SQL, and `tests/sql/check.py` runs the DuckDB SQL with DuckDB and parses the Athena and Lake SQL with sqlglot.

use std::fmt;
use std::net::IpAddr;

use crate::index::Column;
use crate::model::{HIDDEN_MARKER, TRANSCRIBE_SOURCES};
use crate::query::{lone_star, Matcher, Ordering, Query, Test};
use crate::time::{civil_from_days, days_from_civil};
use crate::transcribe::{ResourceKind, ARN_TYPES, STATUS_KEYS};

/// Where the SQL runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Amazon Athena (Trino) over the table [`athena_create_table`] writes, or AWS's own
    /// `cloudtrail_logs_pp`: the source is the table's name.
    Athena,
    /// CloudTrail Lake (Trino): the source is the event data store's ID or ARN.
    Lake,
    /// DuckDB over delivery files (`{"Records":[...]}`, gzip or not): the source is a file glob.
    DuckDb,
}

/// Which events the SQL starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Amazon Transcribe's events only, as the page shows them unless "show all events" is on.
    Transcribe,
    /// Every event, as the page shows them with "show all events" on.
    AllEvents,
}

/// The SQL, and where it can only come close to the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    /// One `SELECT` statement, without a trailing semicolon.
    pub sql: String,
    /// Sentences for a person: each place where this SQL may answer differently from the page.
    pub notes: Vec<String>,
}

/// A table, event data store or account list that cannot be written into SQL, with what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    message: String,
}

impl SqlError {
    fn new(message: impl Into<String>) -> SqlError {
        SqlError { message: message.into() }
    }

    /// The message for a person.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SqlError {}

/// `query` as SQL over Amazon Transcribe's events, as the page shows them by default; see [`to_sql_in`].
pub fn to_sql(query: &Query, dialect: Dialect, source: &str) -> Result<Translation, SqlError> {
    to_sql_in(query, dialect, source, Scope::Transcribe)
}

/// `query` as SQL in `dialect` over `source` (Athena: a table name, optionally `database.table`; Lake: an
/// event data store ID or ARN; DuckDB: a glob of delivery files), starting from the events of `scope`.
///
/// The statement selects the page's export columns (time, event, resource, status, identity, source IP,
/// region, error, user agent, event ID), each event once, oldest first.
pub fn to_sql_in(query: &Query, dialect: Dialect, source: &str, scope: Scope) -> Result<Translation, SqlError> {
    let source = source_sql(dialect, source)?;
    let mut writer = Writer { dialect, notes: Vec::new() };
    writer.always_notes(scope);
    let needs_text = query.terms.iter().any(|t| matches!(t.test, Test::Text(_)));
    let mut conditions = Vec::new();
    for term in &query.terms {
        let condition = writer.condition(&term.test);
        conditions.push(if term.negate {
            format!("NOT coalesce({condition}, FALSE)")
        } else {
            format!("coalesce({condition}, FALSE)")
        });
    }
    if let Some((start, end)) = query.range {
        writer.time_note();
        let (start, end) = (writer.time_literal(start), writer.time_literal(end));
        conditions.push(format!("coalesce(event_time >= {start} AND event_time < {end}, FALSE)"));
    }
    let sql = writer.statement(&source, scope, query, needs_text, &conditions);
    Ok(Translation { sql, notes: writer.notes })
}

/// The Athena table for CloudTrail's delivery files, as AWS documents it ("Create the table for CloudTrail
/// logs in Athena using partition projection"), projected over several accounts and regions:
/// `s3://<bucket>/<prefix>/AWSLogs/<account>/CloudTrail/<region>/<yyyy/MM/dd>/`, from `start_date`
/// (`2026-03-01` or `2026/03/01`) to now. The partition columns are `account`, `region` and AWS's `timestamp`.
pub fn athena_create_table(
    table: &str,
    bucket: &str,
    prefix: &str,
    accounts: &[&str],
    regions: &[&str],
    start_date: &str,
) -> Result<String, SqlError> {
    let table = hive_table_name(table)?;
    let is_bucket_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
    if !(3..=63).contains(&bucket.len()) || !bucket.chars().all(is_bucket_char) {
        return Err(SqlError::new(format!(
            "bucket \"{bucket}\": an S3 bucket name has 3 to 63 lower-case letters, digits, dots and hyphens"
        )));
    }
    // Only S3's "safe" key characters: Hive's string literals have their own escapes, and `$`, `{` would
    // be read as part of the location template.
    let prefix = prefix.trim_matches('/');
    let is_prefix_char = |c: char| c.is_ascii_alphanumeric() || "!-_.*()/".contains(c);
    if !prefix.chars().all(is_prefix_char) {
        return Err(SqlError::new(format!(
            "prefix \"{prefix}\": use letters, digits and ! - _ . * ( ) / only, as S3 calls safe"
        )));
    }
    if accounts.is_empty() || accounts.iter().any(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit())) {
        return Err(SqlError::new("accounts: give one or more twelve-digit AWS account IDs"));
    }
    let is_region =
        |r: &&str| !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if regions.is_empty() || !regions.iter().all(is_region) {
        return Err(SqlError::new("regions: give one or more region names such as us-east-1"));
    }
    let start = parse_date(start_date).ok_or_else(|| {
        SqlError::new(format!("start date \"{start_date}\": write it as 2026-03-01 (year, month, day)"))
    })?;
    let root =
        if prefix.is_empty() { format!("s3://{bucket}/AWSLogs/") } else { format!("s3://{bucket}/{prefix}/AWSLogs/") };
    let mut out = format!("CREATE EXTERNAL TABLE {table} (\n");
    out.push_str(ATHENA_COLUMNS_DDL);
    out.push_str(")\nPARTITIONED BY (`account` STRING, `region` STRING, `timestamp` STRING)\n");
    out.push_str("ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\n");
    out.push_str("STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n");
    out.push_str("OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n");
    out.push_str(&format!("LOCATION '{root}'\nTBLPROPERTIES (\n"));
    let properties = [
        ("projection.enabled", "true".to_owned()),
        ("projection.account.type", "enum".to_owned()),
        ("projection.account.values", accounts.join(",")),
        ("projection.region.type", "enum".to_owned()),
        ("projection.region.values", regions.join(",")),
        ("projection.timestamp.type", "date".to_owned()),
        ("projection.timestamp.format", "yyyy/MM/dd".to_owned()),
        ("projection.timestamp.range", format!("{},NOW", slashed_date(start))),
        ("projection.timestamp.interval", "1".to_owned()),
        ("projection.timestamp.interval.unit", "DAYS".to_owned()),
        ("storage.location.template", format!("{root}${{account}}/CloudTrail/${{region}}/${{timestamp}}")),
    ];
    let lines: Vec<String> = properties.iter().map(|(key, value)| format!("  '{key}'='{value}'")).collect();
    out.push_str(&lines.join(",\n"));
    out.push_str("\n)");
    Ok(out)
}

/// The record's columns as AWS's `CREATE TABLE` for CloudTrail declares them (2024 edition, with
/// `onbehalfof`, `addendum`, `tlsdetails`).
const ATHENA_COLUMNS_DDL: &str = "  eventversion STRING,
  useridentity STRUCT<
    type: STRING,
    principalid: STRING,
    arn: STRING,
    accountid: STRING,
    invokedby: STRING,
    accesskeyid: STRING,
    username: STRING,
    onbehalfof: STRUCT<userid: STRING, identitystorearn: STRING>,
    sessioncontext: STRUCT<
      attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>,
      sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, username: STRING>,
      ec2roledelivery: STRING,
      webidfederationdata: STRUCT<federatedprovider: STRING, attributes: MAP<STRING, STRING>>>>,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  readonly STRING,
  resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  recipientaccountid STRING,
  serviceeventdetails STRING,
  sharedeventid STRING,
  vpcendpointid STRING,
  vpcendpointaccountid STRING,
  eventcategory STRING,
  addendum STRUCT<reason: STRING, updatedfields: STRING, originalrequestid: STRING, originaleventid: STRING>,
  sessioncredentialfromconsole STRING,
  edgedevicedetails STRING,
  tlsdetails STRUCT<tlsversion: STRING, ciphersuite: STRING, clientprovidedhostheader: STRING>
";

/// CloudTrail's field paths that are scalar columns of the Athena table, with the column.
const ATHENA_SCALARS: &[(&str, &str)] = &[
    ("eventVersion", "eventversion"),
    ("userIdentity.type", "useridentity.type"),
    ("userIdentity.principalId", "useridentity.principalid"),
    ("userIdentity.arn", "useridentity.arn"),
    ("userIdentity.accountId", "useridentity.accountid"),
    ("userIdentity.invokedBy", "useridentity.invokedby"),
    ("userIdentity.accessKeyId", "useridentity.accesskeyid"),
    ("userIdentity.userName", "useridentity.username"),
    ("userIdentity.onBehalfOf.userId", "useridentity.onbehalfof.userid"),
    ("userIdentity.onBehalfOf.identityStoreArn", "useridentity.onbehalfof.identitystorearn"),
    (
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
        "useridentity.sessioncontext.attributes.mfaauthenticated",
    ),
    ("userIdentity.sessionContext.attributes.creationDate", "useridentity.sessioncontext.attributes.creationdate"),
    ("userIdentity.sessionContext.sessionIssuer.type", "useridentity.sessioncontext.sessionissuer.type"),
    ("userIdentity.sessionContext.sessionIssuer.principalId", "useridentity.sessioncontext.sessionissuer.principalid"),
    ("userIdentity.sessionContext.sessionIssuer.arn", "useridentity.sessioncontext.sessionissuer.arn"),
    ("userIdentity.sessionContext.sessionIssuer.accountId", "useridentity.sessioncontext.sessionissuer.accountid"),
    ("userIdentity.sessionContext.sessionIssuer.userName", "useridentity.sessioncontext.sessionissuer.username"),
    ("userIdentity.sessionContext.ec2RoleDelivery", "useridentity.sessioncontext.ec2roledelivery"),
    ("eventTime", "eventtime"),
    ("eventSource", "eventsource"),
    ("eventName", "eventname"),
    ("awsRegion", "awsregion"),
    ("sourceIPAddress", "sourceipaddress"),
    ("userAgent", "useragent"),
    ("errorCode", "errorcode"),
    ("errorMessage", "errormessage"),
    ("requestID", "requestid"),
    ("eventID", "eventid"),
    ("readOnly", "readonly"),
    ("eventType", "eventtype"),
    ("apiVersion", "apiversion"),
    ("recipientAccountId", "recipientaccountid"),
    ("sharedEventID", "sharedeventid"),
    ("vpcEndpointId", "vpcendpointid"),
    ("vpcEndpointAccountId", "vpcendpointaccountid"),
    ("eventCategory", "eventcategory"),
    ("addendum.reason", "addendum.reason"),
    ("addendum.updatedFields", "addendum.updatedfields"),
    ("addendum.originalRequestID", "addendum.originalrequestid"),
    ("addendum.originalEventID", "addendum.originaleventid"),
    ("sessionCredentialFromConsole", "sessioncredentialfromconsole"),
    ("tlsDetails.tlsVersion", "tlsdetails.tlsversion"),
    ("tlsDetails.cipherSuite", "tlsdetails.ciphersuite"),
    ("tlsDetails.clientProvidedHostHeader", "tlsdetails.clientprovidedhostheader"),
];

/// CloudTrail's fields that the Athena table keeps as JSON text, with the column.
const ATHENA_JSON: &[(&str, &str)] = &[
    ("requestParameters", "requestparameters"),
    ("responseElements", "responseelements"),
    ("additionalEventData", "additionaleventdata"),
    ("serviceEventDetails", "serviceeventdetails"),
    ("edgeDeviceDetails", "edgedevicedetails"),
];

/// CloudTrail's field paths that are scalar columns of a Lake event data store, with the column
/// (AWS's "Supported schema for CloudTrail event record fields"; booleans read as text).
const LAKE_SCALARS: &[(&str, &str)] = &[
    ("eventVersion", "eventVersion"),
    ("userIdentity.type", "userIdentity.type"),
    ("userIdentity.principalId", "userIdentity.principalId"),
    ("userIdentity.arn", "userIdentity.arn"),
    ("userIdentity.accountId", "userIdentity.accountId"),
    ("userIdentity.accessKeyId", "userIdentity.accessKeyId"),
    ("userIdentity.userName", "userIdentity.userName"),
    ("userIdentity.invokedBy", "userIdentity.invokedBy"),
    ("userIdentity.onBehalfOf.userId", "userIdentity.onBehalfOf.userId"),
    ("userIdentity.sessionContext.sessionIssuer.type", "userIdentity.sessionContext.sessionIssuer.type"),
    ("userIdentity.sessionContext.sessionIssuer.principalId", "userIdentity.sessionContext.sessionIssuer.principalId"),
    ("userIdentity.sessionContext.sessionIssuer.arn", "userIdentity.sessionContext.sessionIssuer.arn"),
    ("userIdentity.sessionContext.sessionIssuer.accountId", "userIdentity.sessionContext.sessionIssuer.accountId"),
    ("userIdentity.sessionContext.sessionIssuer.userName", "userIdentity.sessionContext.sessionIssuer.userName"),
    ("eventSource", "eventSource"),
    ("eventName", "eventName"),
    ("awsRegion", "awsRegion"),
    ("sourceIPAddress", "sourceIPAddress"),
    ("userAgent", "userAgent"),
    ("errorCode", "errorCode"),
    ("errorMessage", "errorMessage"),
    ("requestID", "requestID"),
    ("eventID", "eventID"),
    ("readOnly", "CAST(readOnly AS varchar)"),
    ("eventType", "eventType"),
    ("apiVersion", "apiVersion"),
    ("managementEvent", "CAST(managementEvent AS varchar)"),
    ("recipientAccountId", "recipientAccountId"),
    ("sharedEventID", "sharedEventID"),
    ("vpcEndpointId", "vpcEndpointId"),
    ("eventCategory", "eventCategory"),
];

/// CloudTrail's fields that Lake keeps as `map<string,string>`, nested values as JSON text.
const LAKE_MAPS: &[(&str, &str)] = &[
    ("requestParameters", "requestParameters"),
    ("responseElements", "responseElements"),
    ("additionalEventData", "additionalEventData"),
    ("serviceEventDetails", "serviceEventDetails"),
];

/// The verbs `transcribe::operation` strips from an event name to find its resource noun, in its order.
const VERBS: [&str; 7] = ["Start", "Get", "Delete", "List", "Create", "Update", "Describe"];

/// Mirror of `transcribe::operation`: each kind, the nouns its event names end in, and the field that names
/// the resource. The tests below check it against `transcribe::from_record`.
const OPERATIONS: &[(ResourceKind, &[&str], &str)] = &[
    (ResourceKind::Transcription, &["TranscriptionJob", "TranscriptionJobs"], "transcriptionJobName"),
    (ResourceKind::Medical, &["MedicalTranscriptionJob", "MedicalTranscriptionJobs"], "medicalTranscriptionJobName"),
    (ResourceKind::CallAnalytics, &["CallAnalyticsJob", "CallAnalyticsJobs"], "callAnalyticsJobName"),
    (ResourceKind::MedicalScribe, &["MedicalScribeJob", "MedicalScribeJobs"], "medicalScribeJobName"),
    (ResourceKind::Vocabulary, &["Vocabulary", "Vocabularies"], "vocabularyName"),
    (ResourceKind::MedicalVocabulary, &["MedicalVocabulary", "MedicalVocabularies"], "vocabularyName"),
    (ResourceKind::VocabularyFilter, &["VocabularyFilter", "VocabularyFilters"], "vocabularyFilterName"),
    (ResourceKind::LanguageModel, &["LanguageModel", "LanguageModels"], "modelName"),
    (ResourceKind::CallAnalyticsCategory, &["CallAnalyticsCategory", "CallAnalyticsCategories"], "categoryName"),
    (
        ResourceKind::Stream,
        &[
            "StreamTranscription",
            "StreamTranscriptionWebSocket",
            "MedicalStreamTranscription",
            "MedicalStreamTranscriptionWebSocket",
            "CallAnalyticsStreamTranscription",
            "CallAnalyticsStreamTranscriptionWebSocket",
            "MedicalScribeStream",
            "MedicalScribeStreams",
        ],
        "sessionId",
    ),
];

/// Where below the top level Transcribe's API puts each field the page reads: the object each response
/// wraps its resource in. The core searches four levels breadth-first; SQL has no portable way to, so it
/// reads the top level and these.
const NESTED: &[(&str, &[&str])] = &[
    ("transcriptionJobName", &["transcriptionJob"]),
    ("medicalTranscriptionJobName", &["medicalTranscriptionJob"]),
    ("callAnalyticsJobName", &["callAnalyticsJob"]),
    ("medicalScribeJobName", &["medicalScribeJob"]),
    ("modelName", &["languageModel"]),
    ("categoryName", &["categoryProperties"]),
    ("sessionId", &["medicalScribeStreamDetails"]),
    ("transcriptionJobStatus", &["transcriptionJob", "medicalTranscriptionJob"]),
    ("callAnalyticsJobStatus", &["callAnalyticsJob"]),
    ("medicalScribeJobStatus", &["medicalScribeJob"]),
    ("modelStatus", &["languageModel"]),
    ("streamStatus", &["medicalScribeStreamDetails"]),
    (
        "languageCode",
        &["transcriptionJob", "medicalTranscriptionJob", "callAnalyticsJob", "medicalScribeJob", "languageModel"],
    ),
];

/// Mirror of `index::agent_family`, in its order: a family and the tests on the lower-cased, trimmed
/// user agent (`LIKE` patterns without `_`, so none needs escaping).
const AGENT_FAMILIES: &[(&str, &[&str])] = &[
    ("aws-cli", &["aws-cli/%"]),
    ("Boto3", &["boto3/%", "botocore/%"]),
    ("SDK for JS", &["aws-sdk-js%", "%aws-sdk-nodejs%"]),
    ("other SDK", &["aws-sdk-%"]),
    ("AWS Internal", &["aws internal", "%.amazonaws.com"]),
    ("console", &["%console.amazonaws.com%", "mozilla/%", "%signin.amazonaws.com%"]),
    ("Terraform", &["terraform%", "%terraform/%"]),
];

/// The columns the query's conditions read, and what each is in the page's index.
fn column_name(column: Column) -> &'static str {
    match column {
        Column::EventName => "event_name",
        Column::EventSource => "event_source",
        Column::Region => "aws_region",
        Column::Account => "account_id",
        Column::Identity => "identity",
        Column::IdentityArn => "ui_arn",
        Column::IdentityType => "ui_type",
        Column::AccessKey => "ui_access_key_id",
        Column::SourceIp => "source_ip",
        Column::UserAgent => "user_agent",
        Column::AgentFamily => "agent_family",
        Column::ErrorCode => "error_code",
        Column::Resource => "resource",
        Column::Kind => "kind",
        Column::Status => "status",
        Column::Language => "language",
    }
}

/// The record's fields the derived columns are built from: a name, and its CloudTrail path.
const FIELDS: &[(&str, &str)] = &[
    ("event_source", "eventSource"),
    ("event_name", "eventName"),
    ("aws_region", "awsRegion"),
    ("source_ip", "sourceIPAddress"),
    ("user_agent", "userAgent"),
    ("error_code", "errorCode"),
    ("event_id", "eventID"),
    ("recipient_account_id", "recipientAccountId"),
    ("ui_type", "userIdentity.type"),
    ("ui_arn", "userIdentity.arn"),
    ("ui_user_name", "userIdentity.userName"),
    ("ui_account_id", "userIdentity.accountId"),
    ("ui_invoked_by", "userIdentity.invokedBy"),
    ("ui_principal_id", "userIdentity.principalId"),
    ("ui_access_key_id", "userIdentity.accessKeyId"),
    ("ui_on_behalf_of", "userIdentity.onBehalfOf.userId"),
    ("ui_issuer_user_name", "userIdentity.sessionContext.sessionIssuer.userName"),
];

/// The output columns: the page's CSV export, in its order.
const OUTPUT: &str = "event_time, event_name, resource, status, identity, source_ip, aws_region, error_code, \
                      user_agent, event_id";

struct Writer {
    dialect: Dialect,
    notes: Vec<String>,
}

impl Writer {
    fn note(&mut self, text: &str) {
        if !self.notes.iter().any(|n| n == text) {
            self.notes.push(text.to_owned());
        }
    }

    fn statement(
        &mut self,
        source: &str,
        scope: Scope,
        query: &Query,
        needs_text: bool,
        conditions: &[String],
    ) -> String {
        let mut fields: Vec<String> = vec![format!("{} AS event_time", self.event_time())];
        for (name, path) in FIELDS {
            let path: Vec<&str> = path.split('.').collect();
            let value = self.scalar(&path).unwrap_or_else(|| "NULL".to_owned());
            fields.push(format!("coalesce({value}, '') AS {name}"));
        }
        // `transcribe::operation`: the event name without its first verb names the resource kind.
        let event_name = self.scalar(&["eventName"]).unwrap_or_default();
        let verbs = format!(r"\A({})", VERBS.join("|"));
        fields.push(format!("regexp_replace(coalesce({event_name}, ''), {}, '') AS event_noun", literal(&verbs)));
        fields.push(format!("coalesce({}, '') AS resource_arn", self.inside(false, &["resourceArn"])));
        if needs_text {
            fields.push(format!("{} AS raw_text", self.raw_text()));
        }
        let mut filters = Vec::new();
        if scope == Scope::Transcribe {
            let source_field = self.scalar(&["eventSource"]).unwrap_or_default();
            filters.push(format!("{source_field} IN ({})", transcribe_sources()));
        }
        if self.dialect == Dialect::Athena {
            filters.extend(partition_filters(query));
        }
        let transcribe = self.transcribe_fields();
        let derived = self.derived_columns();
        let lines = |items: &[String], indent: &str| items.join(&format!(",\n{indent}"));
        let mut sql = format!("SELECT DISTINCT {OUTPUT}\nFROM (\n");
        sql.push_str("  -- the page's derived columns\n");
        sql.push_str(&format!("  SELECT *,\n    {}\n  FROM (\n", lines(&derived, "    ")));
        sql.push_str("    -- what Amazon Transcribe's request and response say\n");
        sql.push_str(&format!("    SELECT *,\n      {}\n    FROM (\n", lines(&transcribe, "      ")));
        sql.push_str("      -- the record's fields\n");
        sql.push_str(&format!("      SELECT *,\n        {}\n", lines(&fields, "        ")));
        match self.dialect {
            // One json_transform per record: DuckDB parses the JSON once for every field the SQL reads,
            // which is twenty times faster than a json_value per field.
            Dialect::DuckDb => {
                sql.push_str("      FROM (\n");
                sql.push_str(&format!(
                    "        SELECT record, json_transform(record, {}) AS f\n",
                    literal(&duck_structure())
                ));
                sql.push_str("        FROM (\n");
                sql.push_str("          SELECT unnest(json_extract(json, '$.Records[*]')) AS record\n");
                sql.push_str(&format!("          FROM read_json_objects({source}, maximum_object_size = 268435456)\n"));
                sql.push_str("        ) AS delivery\n      ) AS delivery\n");
            }
            _ => sql.push_str(&format!("      FROM {source}\n")),
        }
        if !filters.is_empty() {
            sql.push_str(&format!("      WHERE {}\n", filters.join("\n        AND ")));
        }
        sql.push_str("    ) AS fields\n  ) AS transcribe\n) AS events\n");
        if !conditions.is_empty() {
            sql.push_str(&format!("WHERE {}\n", conditions.join("\n  AND ")));
        }
        sql.push_str("ORDER BY event_time, event_id");
        sql
    }

    fn always_notes(&mut self, scope: Scope) {
        if scope == Scope::Transcribe {
            self.note(
                "Only Amazon Transcribe's events (transcribe.amazonaws.com, transcribestreaming.amazonaws.com), as \
                 the page shows them unless \"show all events\" is on.",
            );
        }
        match self.dialect {
            Dialect::Athena => {
                self.note(
                    "Written for the table athena_create_table writes (AWS's CloudTrail table with partition \
                     projection); it also runs on AWS's own cloudtrail_logs_pp.",
                );
                self.note(
                    "SELECT DISTINCT drops CloudTrail's duplicate deliveries when they are identical, as they are; \
                     the page keeps the first record of each eventID.",
                );
            }
            Dialect::Lake => {
                self.note(
                    "Lake keeps requestParameters and responseElements as map<string,string>: the top-level key is \
                     read with element_at, deeper keys with json_extract_scalar on that key's JSON text.",
                );
            }
            Dialect::DuckDb => {
                self.note(
                    "Reads CloudTrail's delivery files ({\"Records\":[...]}, gzip or not, up to 256 MiB each once \
                     unpacked: raise maximum_object_size for bigger ones) with read_json_objects; other shapes \
                     (lookup-events output, CloudWatch exports, console CSV) are not read.",
                );
                self.note(
                    "SELECT DISTINCT drops CloudTrail's duplicate deliveries when they are identical, as they are; \
                     the page keeps the first record of each eventID.",
                );
            }
        }
    }

    // ---- the record's fields, per dialect ---------------------------------------------------------------------

    /// The value at a CloudTrail path as text (strings bare, other scalars as their text), `NULL` when absent;
    /// `None` when this dialect's table has no such field. DuckDB reads only the paths in [`duck_structure`].
    fn scalar(&self, path: &[&str]) -> Option<String> {
        let dotted = path.join(".");
        match self.dialect {
            Dialect::Athena => ATHENA_SCALARS.iter().find(|(p, _)| *p == dotted).map(|(_, c)| (*c).to_owned()),
            Dialect::Lake => LAKE_SCALARS.iter().find(|(p, _)| *p == dotted).map(|(_, c)| (*c).to_owned()),
            Dialect::DuckDb => Some(format!("f.{dotted}")),
        }
    }

    fn event_time(&self) -> &'static str {
        match self.dialect {
            Dialect::Athena => "try(from_iso8601_timestamp(eventtime))",
            Dialect::Lake => "eventTime",
            Dialect::DuckDb => "TRY_CAST(f.eventTime AS TIMESTAMPTZ)",
        }
    }

    fn time_literal(&self, ms: i64) -> String {
        let (date, time) = civil(ms);
        match self.dialect {
            Dialect::Athena => format!("from_iso8601_timestamp('{date}T{time}Z')"),
            Dialect::Lake => format!("TIMESTAMP '{date} {time}'"),
            Dialect::DuckDb => format!("TIMESTAMPTZ '{date} {time}+00'"),
        }
    }

    /// A scalar at a fixed (alphanumeric) path inside the request or the response, `NULL` when absent or not a
    /// scalar, as `transcribe::find_field` skips objects and lists.
    fn inside(&self, response: bool, path: &[&str]) -> String {
        match self.dialect {
            Dialect::Athena => {
                let column = if response { "responseelements" } else { "requestparameters" };
                format!("json_extract_scalar({column}, '$.{}')", path.join("."))
            }
            Dialect::Lake => {
                let column = if response { "responseElements" } else { "requestParameters" };
                match path {
                    [key] => format!("element_at({column}, '{key}')"),
                    [key, rest @ ..] => {
                        format!("json_extract_scalar(element_at({column}, '{key}'), '$.{}')", rest.join("."))
                    }
                    [] => "NULL".to_owned(),
                }
            }
            Dialect::DuckDb => {
                let column = if response { "responseElements" } else { "requestParameters" };
                format!("f.{column}.{}", path.join("."))
            }
        }
    }

    fn regex_like(&self, expr: &str, pattern: &str) -> String {
        match self.dialect {
            Dialect::DuckDb => format!("regexp_matches({expr}, {})", literal(pattern)),
            _ => format!("regexp_like({expr}, {})", literal(pattern)),
        }
    }

    fn regex_extract(&self, expr: &str, pattern: &str, group: u8) -> String {
        format!("regexp_extract({expr}, {}, {group})", literal(pattern))
    }

    /// Every value of the record as one text, for free-text search.
    fn raw_text(&mut self) -> String {
        match self.dialect {
            Dialect::DuckDb => {
                self.note(
                    "Free text searches the record as DuckDB writes it back: minified, with escapes such as \\u00e9 \
                     and \\/ decoded; the page searches the original bytes, so the two differ only for \
                     pretty-printed or escaped files.",
                );
                "CAST(record AS VARCHAR)".to_owned()
            }
            Dialect::Athena => {
                self.note(
                    "Free text searches the values of the table's columns (and the JSON text of \
                     requestparameters, responseelements, additionaleventdata) and the derived columns; the page \
                     also finds top-level and userIdentity key names, and fields the table does not declare.",
                );
                let mut parts: Vec<String> = ATHENA_SCALARS.iter().map(|(_, c)| (*c).to_owned()).collect();
                parts.extend(ATHENA_JSON.iter().map(|(_, c)| (*c).to_owned()));
                parts.push("json_format(CAST(resources AS JSON))".to_owned());
                format!("concat_ws(chr(31), {})", parts.join(", "))
            }
            Dialect::Lake => {
                self.note(
                    "Free text searches the values of the event data store's columns (maps as JSON text, eventTime \
                     as Lake prints it) and the derived columns; the page also finds key names and fields Lake \
                     does not keep.",
                );
                let mut parts: Vec<String> = LAKE_SCALARS.iter().map(|(_, c)| (*c).to_owned()).collect();
                parts.push("CAST(eventTime AS varchar)".to_owned());
                parts.extend(LAKE_MAPS.iter().map(|(_, c)| format!("json_format(CAST({c} AS JSON))")));
                parts.push("json_format(CAST(resources AS JSON))".to_owned());
                format!("concat_ws(chr(31), {})", parts.join(", "))
            }
        }
    }

    // ---- Transcribe ---------------------------------------------------------------------------------------

    /// `name_raw`, `kind_raw`, `status_raw`, `language_raw`: what `transcribe::from_record` reads, `NULL` when
    /// the record does not carry it.
    fn transcribe_fields(&mut self) -> Vec<String> {
        let is_tag = "(event_name = 'ListTagsForResource' OR event_name LIKE 'TagResource%' \
                      OR event_name LIKE 'UntagResource%')";
        let arn_pattern = r"\A[^:]*:[^:]*:transcribe:[^:]*:[^:]*:([^/]*)/([\s\S]*)\z";
        let arn_type = self.regex_extract("resource_arn", arn_pattern, 1);
        let types: Vec<String> = ARN_TYPES.iter().map(|(t, _)| literal(t)).collect();
        let tagged = format!("{is_tag} AND {arn_type} IN ({})", types.join(", "));
        let mut name =
            format!("CASE\n        WHEN {tagged} THEN {}", self.regex_extract("resource_arn", arn_pattern, 2));
        let mut kind = format!("CASE\n        WHEN {tagged} THEN CASE {arn_type}");
        for (arn_type, arn_kind) in ARN_TYPES {
            kind.push_str(&format!(" WHEN '{arn_type}' THEN '{}'", arn_kind.as_str()));
        }
        kind.push_str(" END");
        for (op_kind, nouns, key) in OPERATIONS {
            let nouns: Vec<String> = nouns.iter().map(|n| literal(n)).collect();
            let test = format!("event_noun IN ({})", nouns.join(", "));
            name.push_str(&format!("\n        WHEN {test} THEN {}", self.find_field(key)));
            kind.push_str(&format!("\n        WHEN {test} THEN '{}'", op_kind.as_str()));
        }
        name.push_str("\n      END AS name_raw");
        kind.push_str("\n      END AS kind_raw");
        let statuses: Vec<String> = STATUS_KEYS.iter().map(|key| self.response_field(key)).collect();
        let status = format!("coalesce(\n        {}\n      ) AS status_raw", statuses.join(",\n        "));
        let language = format!("{} AS language_raw", self.find_field("languageCode"));
        vec![name, kind, status, language]
    }

    /// `transcribe::find_field` on the request, then on the response.
    fn find_field(&self, key: &str) -> String {
        let mut paths = vec![self.inside(false, &[key])];
        paths.extend(self.response_paths(key));
        format!("coalesce({})", paths.join(", "))
    }

    /// `transcribe::find_field` on the response: the top level, then where Transcribe's API nests the key.
    fn response_field(&self, key: &str) -> String {
        let paths = self.response_paths(key);
        if paths.len() == 1 {
            paths.into_iter().collect()
        } else {
            format!("coalesce({})", paths.join(", "))
        }
    }

    fn response_paths(&self, key: &str) -> Vec<String> {
        let mut paths = vec![self.inside(true, &[key])];
        if let Some((_, wrappers)) = NESTED.iter().find(|(k, _)| *k == key) {
            paths.extend(wrappers.iter().map(|w| self.inside(true, &[w, key])));
        }
        paths
    }

    /// The page's derived columns over the record's fields and Transcribe's.
    fn derived_columns(&self) -> Vec<String> {
        let not_transcribe = format!("event_source NOT IN ({})", transcribe_sources());
        let hidden = format!("('', '{HIDDEN_MARKER}')");
        let field = |raw: &str, name: &str| {
            format!(
                "CASE WHEN {not_transcribe} OR {raw} IS NULL THEN '' WHEN {raw} IN {hidden} THEN '(hidden)' \
                 ELSE {raw} END AS {name}"
            )
        };
        let kind = format!("CASE WHEN {not_transcribe} OR name_raw IS NULL THEN '' ELSE kind_raw END AS kind");
        let status = format!(
            "CASE WHEN {not_transcribe} THEN '' WHEN event_name LIKE 'Delete%' AND error_code = '' THEN 'DELETED' \
             WHEN status_raw IS NULL OR status_raw IN {hidden} THEN '' ELSE status_raw END AS status"
        );
        let session = r"\A[\s\S]*?:assumed-role/[^/]*/([\s\S]*)\z";
        let last = r"/([^/]*)\z";
        let last_segment = format!("coalesce({}, '')", self.regex_extract("ui_arn", last, 1));
        // `record::identity_of`, branch by branch.
        let branches = [
            ("ui_user_name <> ''".to_owned(), "ui_user_name".to_owned()),
            (self.regex_like("ui_arn", session), self.regex_extract("ui_arn", session, 1)),
            ("ui_issuer_user_name <> ''".to_owned(), "ui_issuer_user_name".to_owned()),
            ("ui_invoked_by <> ''".to_owned(), "ui_invoked_by".to_owned()),
            ("ui_type = 'Root'".to_owned(), "'root'".to_owned()),
            ("ui_on_behalf_of <> ''".to_owned(), "ui_on_behalf_of".to_owned()),
            (format!("{last_segment} <> ''"), last_segment.clone()),
            ("ui_principal_id <> ''".to_owned(), "ui_principal_id".to_owned()),
        ];
        let mut identity = "CASE".to_owned();
        for (test, value) in branches {
            identity.push_str(&format!("\n      WHEN {test} THEN {value}"));
        }
        identity.push_str("\n      ELSE ui_type\n    END AS identity");
        let account =
            "CASE WHEN recipient_account_id <> '' THEN recipient_account_id ELSE ui_account_id END AS account_id"
                .to_owned();
        let mut family = "CASE\n      WHEN trim(user_agent) = '' THEN ''".to_owned();
        for (name, patterns) in AGENT_FAMILIES {
            let tests: Vec<String> = patterns.iter().map(|p| format!("lower(trim(user_agent)) LIKE '{p}'")).collect();
            family.push_str(&format!("\n      WHEN {} THEN '{name}'", tests.join(" OR ")));
        }
        family.push_str("\n      ELSE 'other'\n    END AS agent_family");
        vec![field("name_raw", "resource"), kind, status, field("language_raw", "language"), identity, account, family]
    }

    // ---- conditions ----------------------------------------------------------------------------------------

    fn condition(&mut self, test: &Test) -> String {
        match test {
            Test::Text(needle) => {
                if needle.is_empty() {
                    return "TRUE".to_owned();
                }
                self.note(
                    "Free text ignores case with SQL's lower(), which also folds letters beyond ASCII; the page \
                     folds only ASCII letters in the original record.",
                );
                format!(
                    "strpos(lower(concat_ws(chr(31), raw_text, identity, account_id, agent_family, resource, kind, \
                     status, language)), {}) > 0",
                    literal(needle)
                )
            }
            Test::Column(column, matcher) => {
                self.column_note(*column);
                let name = column_name(*column);
                let own = self.matches(name, matcher);
                if *column == Column::UserAgent {
                    // As the page does: agent:boto3 also matches the family name.
                    format!("({own} OR {})", self.matches("agent_family", matcher))
                } else {
                    own
                }
            }
            Test::Path(path, matcher) => match self.path_value(path) {
                Some((value, json)) => {
                    if path.len() > 1 {
                        self.note(
                            "The page also looks into lists along a JSON path and at its end, where any element \
                             may match (requestParameters.tags.key:team); this SQL reads the path as written, so \
                             it misses a value inside a list.",
                        );
                    }
                    let condition = self.matches(&value, matcher);
                    // A star alone asks for a value, and a JSON null, which `value` reads as the text `null`, is
                    // none, as in the page. Where the value is not read from JSON, a null is NULL already.
                    match json.filter(|_| matcher.asks_for_a_value()) {
                        Some(json) if self.dialect == Dialect::DuckDb => {
                            format!("({condition} AND json_type({json}) <> 'NULL')")
                        }
                        Some(json) => format!("({condition} AND json_format({json}) <> 'null')"),
                        None => condition,
                    }
                }
                None => {
                    self.note(&format!(
                        "{} is not a text column of this table (an object, or a field it does not declare), so the \
                         condition on it is false; the page finds it in the original record.",
                        path.join(".")
                    ));
                    "FALSE".to_owned()
                }
            },
            Test::Time(ordering, at) => {
                let op = match ordering {
                    Ordering::After => ">",
                    Ordering::AtOrAfter => ">=",
                    Ordering::Before => "<",
                    Ordering::AtOrBefore => "<=",
                };
                self.time_note();
                format!("event_time {op} {}", self.time_literal(*at))
            }
        }
    }

    fn time_note(&mut self) {
        match self.dialect {
            Dialect::Athena => self.note(
                "Only the days the times allow are read (the `timestamp` partition, the day files were delivered, \
                 with one day's slack after the last); an event delivered more than a day late is missed. \
                 eventtime is read with from_iso8601_timestamp, which needs the T between date and time.",
            ),
            Dialect::Lake => {}
            Dialect::DuckDb => self.note(
                "A time written without a zone is read in DuckDB's TimeZone setting; the page reads it as UTC \
                 (CloudTrail always writes the zone).",
            ),
        }
    }

    fn column_note(&mut self, column: Column) {
        match column {
            Column::Resource | Column::Kind | Column::Status | Column::Language => self.note(
                "Job name, kind, status and language are read from the top level of the request and response and \
                 from the object each Transcribe response wraps its resource in (transcriptionJob, \
                 callAnalyticsJob, ...); the page searches four levels deep, which only differs for shapes \
                 Transcribe's API does not return.",
            ),
            Column::AgentFamily | Column::UserAgent => self
                .note("The user-agent family trims spaces with SQL's trim(); the page also trims other white space."),
            _ => {}
        }
    }

    /// A condition that `value` (text, maybe NULL) matches, ignoring case.
    fn matches(&mut self, value: &str, matcher: &Matcher) -> String {
        match matcher {
            Matcher::Exact(want) => format!("lower({value}) = {}", literal(want)),
            Matcher::Wildcard(pattern) => {
                // `_` needs a character, so '' fails a lone star, as in the page.
                let like = if lone_star(pattern) { "_%".to_owned() } else { like_pattern(pattern) };
                format!("lower({value}) LIKE {} ESCAPE '\\'", literal(&like))
            }
            Matcher::Cidr(network, bits) => self.cidr(value, *network, *bits),
        }
    }

    /// Some address of the comma list `value` lies inside `network/bits`.
    fn cidr(&mut self, value: &str, network: IpAddr, bits: u8) -> String {
        let (low, high) = network_bounds(network, bits);
        match self.dialect {
            Dialect::Athena | Dialect::Lake => {
                self.note(
                    "Networks use Trino's IPADDRESS, which stores IPv4 addresses as IPv4-mapped IPv6: ::/0 and \
                     ::ffff:0:0/96 also hold IPv4 addresses, which the page keeps apart; unusual spellings \
                     (leading zeros) may parse differently.",
                );
                let cidr = format!("{}/{bits}", low);
                format!(
                    "any_match(split({value}, ','), a -> coalesce(contains({}, TRY_CAST(trim(a) AS IPADDRESS)), \
                     FALSE))",
                    literal(&cidr)
                )
            }
            Dialect::DuckDb => {
                self.note(
                    "Networks are compared as hexadecimal text computed with string functions, so no DuckDB \
                     extension is needed; addresses are trimmed of spaces only.",
                );
                let addresses = format!("list_transform(string_split({value}, ','), lambda a: lower(trim(a)))");
                let (low, high) = (literal(&hex_address(low)), literal(&hex_address(high)));
                let hex = match network {
                    IpAddr::V4(_) => duck_v4_hex(&addresses),
                    IpAddr::V6(_) => duck_v6_hex(&addresses),
                };
                format!("len(list_filter({hex}, lambda h: h BETWEEN {low} AND {high})) > 0")
            }
        }
    }

    /// The value at a JSON path of the record as the page compares it: strings bare, anything else as JSON.
    fn path_value(&mut self, path: &[String]) -> Option<(String, Option<String>)> {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        match self.dialect {
            Dialect::DuckDb => {
                let pointer = literal(&duck_path(&path));
                self.note(
                    "A JSON path that ends at an object or a list compares DuckDB's minified JSON, keys in their \
                     original order; the page compares its own JSON text, keys sorted.",
                );
                let json = format!("json_extract(record, {pointer})");
                Some((format!("coalesce(json_value(record, {pointer}) ->> '$', CAST({json} AS VARCHAR))"), Some(json)))
            }
            Dialect::Athena => {
                if let Some(column) = self.scalar(&path) {
                    return Some((column, None));
                }
                let (_, column) = ATHENA_JSON.iter().find(|(name, _)| *name == path[0])?;
                if path.len() == 1 {
                    self.object_note();
                    return Some(((*column).to_owned(), None));
                }
                let json_path = self.json_path(&path[1..])?;
                self.object_note();
                let json = format!("json_extract({column}, {json_path})");
                Some((format!("coalesce(json_extract_scalar({column}, {json_path}), json_format({json}))"), Some(json)))
            }
            Dialect::Lake => {
                if let Some(column) = self.scalar(&path) {
                    return Some((column, None));
                }
                let (_, column) = LAKE_MAPS.iter().find(|(name, _)| *name == path[0])?;
                match path.len() {
                    1 => {
                        self.object_note();
                        Some((format!("json_format(CAST({column} AS JSON))"), None))
                    }
                    2 => Some((format!("element_at({column}, {})", literal(path[1])), None)),
                    _ => {
                        let json_path = self.json_path(&path[2..])?;
                        self.object_note();
                        let inner = format!("element_at({column}, {})", literal(path[1]));
                        let json = format!("json_extract({inner}, {json_path})");
                        Some((
                            format!("coalesce(json_extract_scalar({inner}, {json_path}), json_format({json}))"),
                            Some(json),
                        ))
                    }
                }
            }
        }
    }

    fn object_note(&mut self) {
        self.note(
            "A JSON path that ends at an object or a list compares Trino's JSON text; the page compares its own, \
             keys sorted, so such a path matches only by wildcard.",
        );
    }

    /// A Trino JSON path literal for keys a person typed; `None` for keys Trino's path syntax cannot quote.
    fn json_path(&mut self, keys: &[&str]) -> Option<String> {
        let mut path = "$".to_owned();
        for key in keys {
            let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if plain {
                path.push('.');
                path.push_str(key);
            } else if key.contains(['"', '\\']) {
                self.note("Trino's JSON paths cannot hold a key with \" or \\ in it, so that condition is false.");
                return None;
            } else {
                path.push_str(&format!("[\"{key}\"]"));
            }
        }
        Some(literal(&path))
    }
}

/// The shape `json_transform` reads each record into for DuckDB: every field the SQL uses, as text
/// (`VARCHAR` turns numbers and booleans into their text, as the core's lenient scalars do).
fn duck_structure() -> String {
    let mut paths: Vec<Vec<&str>> = vec![vec!["eventTime"]];
    paths.extend(FIELDS.iter().map(|(_, path)| path.split('.').collect()));
    let mut request_keys: Vec<&str> = OPERATIONS.iter().map(|(_, _, key)| *key).collect();
    request_keys.extend(["languageCode", "resourceArn"]);
    for key in request_keys {
        paths.push(vec!["requestParameters", key]);
    }
    let mut response_keys: Vec<&str> = OPERATIONS.iter().map(|(_, _, key)| *key).collect();
    response_keys.extend(STATUS_KEYS);
    response_keys.push("languageCode");
    for key in response_keys {
        paths.push(vec!["responseElements", key]);
        for wrapper in NESTED.iter().find(|(k, _)| *k == key).map_or(&[][..], |(_, w)| *w) {
            paths.push(vec!["responseElements", wrapper, key]);
        }
    }
    #[derive(Default)]
    struct Node<'a>(Vec<(&'a str, Node<'a>)>);
    fn insert<'a>(node: &mut Node<'a>, path: &[&'a str]) {
        let Some((first, rest)) = path.split_first() else { return };
        let at = match node.0.iter().position(|(k, _)| k == first) {
            Some(at) => at,
            None => {
                node.0.push((first, Node::default()));
                node.0.len() - 1
            }
        };
        insert(&mut node.0[at].1, rest);
    }
    fn render(node: &Node<'_>) -> String {
        if node.0.is_empty() {
            return "\"VARCHAR\"".to_owned();
        }
        let entries: Vec<String> = node.0.iter().map(|(k, child)| format!("\"{k}\": {}", render(child))).collect();
        format!("{{{}}}", entries.join(", "))
    }
    let mut root = Node::default();
    for path in &paths {
        insert(&mut root, path);
    }
    render(&root)
}

/// A dotted IPv4 address as the core reads it: four decimal octets, no leading zeros.
const V4_PATTERN: &str =
    "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}";

/// Each IPv4 text of the list `addresses` as eight hexadecimal digits, `NULL` unless Rust's `Ipv4Addr` reads it.
fn duck_v4_hex(addresses: &str) -> String {
    let octet = |i: u8| format!("TRY_CAST(string_split(x, '.')[{i}] AS BIGINT)");
    let number = format!("{} * 16777216 + {} * 65536 + {} * 256 + {}", octet(1), octet(2), octet(3), octet(4));
    format!(
        "list_transform({addresses}, lambda x: CASE WHEN regexp_full_match(x, '{V4_PATTERN}') \
         THEN printf('%08x', {number}) END)"
    )
}

/// Each IPv6 text of the list `addresses` as 32 hexadecimal digits, `NULL` unless Rust's `Ipv6Addr` reads it:
/// a trailing dotted IPv4 becomes two groups, `::` stands for one or more zero groups, each group has one to
/// four digits. Each step is one `list_transform`, so that each reads the previous one's result by name.
fn duck_v6_hex(addresses: &str) -> String {
    let octet = |i: u8| format!("TRY_CAST(string_split(regexp_extract(x, '[^:]*\\z'), '.')[{i}] AS BIGINT)");
    let groups_of_v4 = format!("printf('%x:%x', {} * 256 + {}, {} * 256 + {})", octet(1), octet(2), octet(3), octet(4));
    let without_v4 = format!(
        "list_transform({addresses}, lambda x: CASE WHEN regexp_matches(x, ':{V4_PATTERN}\\z') \
         THEN regexp_extract(x, '\\A([\\s\\S]*:)[^:]*\\z', 1) || {groups_of_v4} ELSE x END)"
    );
    let halves = format!("list_transform({without_v4}, lambda y: string_split(y, '::'))");
    let side = |i: u8| format!("CASE WHEN p[{i}] = '' THEN []::VARCHAR[] ELSE string_split(p[{i}], ':') END");
    let (left, right) = (side(1), side(2));
    let zeros = format!("list_transform(range(8 - len({left}) - len({right})), lambda i: '0')");
    let groups = format!(
        "list_transform({halves}, lambda p: CASE WHEN len(p) = 1 THEN string_split(p[1], ':') \
         WHEN len(p) = 2 AND len({left}) + len({right}) <= 7 \
         THEN list_concat(list_concat({left}, {zeros}), {right}) END)"
    );
    format!(
        "list_transform({groups}, lambda g: CASE WHEN len(g) = 8 \
         AND list_bool_and(list_transform(g, lambda d: regexp_full_match(d, '[0-9a-f]{{1,4}}'))) \
         THEN array_to_string(list_transform(g, lambda d: lpad(d, 4, '0')), '') END)"
    )
}

/// The lowest and highest address of `network/bits`.
fn network_bounds(network: IpAddr, bits: u8) -> (IpAddr, IpAddr) {
    match network {
        IpAddr::V4(address) => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits.min(32))) };
            let low = u32::from(address) & mask;
            (IpAddr::V4(low.into()), IpAddr::V4((low | !mask).into()))
        }
        IpAddr::V6(address) => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits.min(128))) };
            let low = u128::from(address) & mask;
            (IpAddr::V6(low.into()), IpAddr::V6((low | !mask).into()))
        }
    }
}

/// An address as fixed-width lower-case hexadecimal, so that text order is numeric order.
fn hex_address(address: IpAddr) -> String {
    match address {
        IpAddr::V4(a) => format!("{:08x}", u32::from(a)),
        IpAddr::V6(a) => format!("{:032x}", u128::from(a)),
    }
}

/// `'text'` with quotes doubled: the only way a value reaches the SQL.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A lower-cased glob (`*` for any text) as a `LIKE` pattern with `\` as its escape.
fn like_pattern(glob: &str) -> String {
    let mut out = String::with_capacity(glob.len() + 4);
    for c in glob.chars() {
        match c {
            '\\' | '%' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '*' => out.push('%'),
            c => out.push(c),
        }
    }
    out
}

/// A DuckDB JSON path: `$.a.b` when every key is a plain name, else a JSON pointer.
fn duck_path(path: &[&str]) -> String {
    let plain = |key: &&str| !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric());
    if path.iter().all(plain) {
        format!("$.{}", path.join("."))
    } else {
        json_pointer(path)
    }
}

/// RFC 6901: `/a/b`, with `~` and `/` inside keys escaped.
fn json_pointer(path: &[&str]) -> String {
    path.iter().map(|key| format!("/{}", key.replace('~', "~0").replace('/', "~1"))).collect()
}

fn transcribe_sources() -> String {
    TRANSCRIBE_SOURCES.iter().map(|s| literal(s)).collect::<Vec<_>>().join(", ")
}

/// The source as SQL: a quoted table, a checked event data store ID, or a quoted glob.
fn source_sql(dialect: Dialect, source: &str) -> Result<String, SqlError> {
    let source = source.trim();
    match dialect {
        Dialect::Athena => {
            if source.is_empty() || source.split('.').any(str::is_empty) {
                return Err(SqlError::new(
                    "Athena table: give its name, such as cloudtrail_logs or mydb.cloudtrail_logs",
                ));
            }
            Ok(source.split('.').map(|part| format!("\"{}\"", part.replace('"', "\"\""))).collect::<Vec<_>>().join("."))
        }
        Dialect::Lake => {
            // The ID is the ARN's last part; Lake takes it bare after FROM, so only its own characters may pass.
            let id = source.rsplit('/').next().unwrap_or(source);
            if id.is_empty() || id.len() > 128 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(SqlError::new(format!(
                    "event data store \"{source}\": give its ID (letters, digits, hyphens) or its ARN"
                )));
            }
            Ok(id.to_owned())
        }
        Dialect::DuckDb => {
            if source.is_empty() {
                return Err(SqlError::new("DuckDB: give the delivery files as a glob, such as logs/**/*.json.gz"));
            }
            Ok(literal(source))
        }
    }
}

/// A Hive table name for DDL: `name` or `database.name`, letters, digits and underscores.
fn hive_table_name(table: &str) -> Result<String, SqlError> {
    let parts: Vec<&str> = table.trim().split('.').collect();
    let ok = parts.len() <= 2
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if !ok {
        return Err(SqlError::new(format!(
            "table \"{table}\": use letters, digits and underscores, optionally as database.table"
        )));
    }
    Ok(parts.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join("."))
}

/// Days since the epoch of `2026-03-01` or `2026/03/01`.
fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim().replace('/', "-");
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else { return None };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let (year, month, day): (i64, i64, i64) = (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    let days = days_from_civil(year, month, day);
    // A date such as 2026-02-31 comes back as another day.
    (civil_from_days(days) == (year, month, day)).then_some(days)
}

fn slashed_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}/{month:02}/{day:02}")
}

/// `yyyy-MM-dd` and `HH:mm:ss.SSS` of epoch milliseconds, in UTC.
fn civil(ms: i64) -> (String, String) {
    let days = ms.div_euclid(86_400_000);
    let of_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let (h, m, s, milli) = (of_day / 3_600_000, of_day / 60_000 % 60, of_day / 1_000 % 60, of_day % 1_000);
    (format!("{year:04}-{month:02}-{day:02}"), format!("{h:02}:{m:02}:{s:02}.{milli:03}"))
}

/// Athena's partition predicates on AWS's `timestamp` (the delivery date, `yyyy/MM/dd`) from the time bounds
/// every matching event must meet. A file is delivered after its events, usually within minutes, so the first
/// day is exact and the last gets a day of slack.
fn partition_filters(query: &Query) -> Vec<String> {
    let mut low: Option<i64> = None;
    let mut high: Option<i64> = None;
    let mut raise = |at: i64| low = Some(low.map_or(at, |l| l.max(at)));
    let mut bounds_high = Vec::new();
    if let Some((start, end)) = query.range {
        raise(start);
        bounds_high.push(end - 1);
    }
    for term in query.terms.iter().filter(|t| !t.negate) {
        if let Test::Time(ordering, at) = term.test {
            match ordering {
                Ordering::After => raise(at + 1),
                Ordering::AtOrAfter => raise(at),
                Ordering::Before => bounds_high.push(at - 1),
                Ordering::AtOrBefore => bounds_high.push(at),
            }
        }
    }
    for at in bounds_high {
        high = Some(high.map_or(at, |h| h.min(at)));
    }
    let mut filters = Vec::new();
    if let Some(low) = low {
        filters.push(format!("\"timestamp\" >= '{}'", slashed_date(low.div_euclid(86_400_000))));
    }
    if let Some(high) = high {
        filters.push(format!("\"timestamp\" <= '{}'", slashed_date(high.div_euclid(86_400_000) + 1)));
    }
    filters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_keep_typed_wildcards_literal() {
        assert_eq!(like_pattern("a%b_c\\d*"), "a\\%b\\_c\\\\d%");
        assert_eq!(literal("it's"), "'it''s'");
    }

    #[test]
    fn family_patterns_need_no_escape() {
        for (_, patterns) in AGENT_FAMILIES {
            assert!(patterns.iter().all(|p| !p.contains('_') && !p.contains('\'')), "{patterns:?}");
        }
    }

    #[test]
    fn networks_have_bounds() {
        let (low, high) = network_bounds("10.1.2.3".parse().unwrap(), 8);
        assert_eq!((hex_address(low), hex_address(high)), ("0a000000".to_owned(), "0affffff".to_owned()));
        let (low, high) = network_bounds("2001:db8::".parse().unwrap(), 32);
        assert_eq!(hex_address(low), "20010db8000000000000000000000000");
        assert_eq!(hex_address(high), "20010db8ffffffffffffffffffffffff");
    }

    /// The mirrored tables say what `transcribe::from_record` says, for every verb and noun and a few names
    /// that only look like them.
    #[test]
    fn operations_mirror_the_core() {
        use crate::transcribe::from_record;
        let mut names: Vec<String> = Vec::new();
        for (_, nouns, _) in OPERATIONS {
            for noun in *nouns {
                names.push((*noun).to_owned());
                names.extend(VERBS.iter().map(|verb| format!("{verb}{noun}")));
            }
        }
        names.extend(["StartGetVocabulary", "GetVocabularyX", "Vocab", "TagResource", "DeleteX"].map(String::from));
        for name in &names {
            // The mirror: strip one verb, look the noun up.
            let noun = VERBS.iter().find_map(|verb| name.strip_prefix(verb)).unwrap_or(name);
            let mirrored = OPERATIONS.iter().find(|(_, nouns, _)| nouns.contains(&noun));
            for (_, _, key) in OPERATIONS {
                let request = format!(r#"{{"{key}":"thing"}}"#);
                let info = from_record(name, "", Some(&request), None);
                let expect = mirrored.filter(|(_, _, k)| k == key).map(|(kind, _, _)| (*kind, "thing"));
                let got = info.name.is_present().then_some((info.kind, info.name.display()));
                assert_eq!(got, expect, "{name} with {key}");
            }
        }
    }

    #[test]
    fn arn_types_name_what_the_core_reads() {
        for (arn_type, kind) in &ARN_TYPES {
            let request = format!(r#"{{"resourceArn":"arn:aws:transcribe:us-east-1:111122223333:{arn_type}/n"}}"#);
            let info = crate::transcribe::from_record("TagResource", "", Some(&request), None);
            assert_eq!((info.kind, info.name.display()), (*kind, "n"), "{arn_type}");
        }
    }

    #[test]
    fn status_keys_name_what_the_core_reads() {
        for (at, key) in STATUS_KEYS.iter().enumerate() {
            let response = format!(r#"{{"{key}":"S{at}"}}"#);
            let info = crate::transcribe::from_record("GetThing", "", None, Some(&response));
            assert_eq!(info.status, Some(format!("S{at}")), "{key}");
            // An earlier key wins, wherever it is.
            if let Some(earlier) = at.checked_sub(1).map(|e| STATUS_KEYS[e]) {
                let response = format!(r#"{{"{key}":"late","w":{{"{earlier}":"early"}}}}"#);
                let info = crate::transcribe::from_record("GetThing", "", None, Some(&response));
                assert_eq!(info.status.as_deref(), Some("early"), "{earlier} before {key}");
            }
        }
    }

    /// SQL's `LIKE` on the mirrored families, as a tiny matcher, against `index::agent_family`.
    #[test]
    fn agent_families_mirror_the_core() {
        fn like(pattern: &str, text: &str) -> bool {
            match pattern.split_once('%') {
                None => pattern == text,
                Some((head, rest)) => {
                    let Some(text) = text.strip_prefix(head) else { return false };
                    (0..=text.len()).filter(|&i| text.is_char_boundary(i)).any(|i| like(rest, &text[i..]))
                }
            }
        }
        let agents = [
            "aws-cli/2.15.30 Python/3.11.8",
            "  AWS-CLI/1.0",
            "Boto3/1.34.50 md/Botocore#1.34.50",
            "botocore/1.2",
            "aws-sdk-js/3.540.0",
            "x aws-sdk-nodejs y",
            "aws-sdk-java/2",
            "aws-sdk-go/1.51.20",
            "aws-sdk-rust/1",
            "AWS Internal",
            "lambda.amazonaws.com",
            "console.amazonaws.com",
            "x console.amazonaws.com y",
            "Mozilla/5.0",
            "signin.amazonaws.com/x",
            "Terraform/1.5",
            "HashiCorp Terraform/1.5 (+https://www.terraform.io)",
            "curl/8",
            "",
            "   ",
        ];
        for agent in agents {
            let lower = agent.trim().to_lowercase();
            let mirrored = if lower.is_empty() {
                ""
            } else {
                AGENT_FAMILIES
                    .iter()
                    .find(|(_, patterns)| patterns.iter().any(|p| like(p, &lower)))
                    .map_or("other", |(name, _)| name)
            };
            assert_eq!(mirrored, crate::index::agent_family(agent), "{agent:?}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2026-03-01").map(slashed_date).as_deref(), Some("2026/03/01"));
        assert_eq!(parse_date("2026/02/29"), None);
        assert_eq!(civil(0), ("1970-01-01".to_owned(), "00:00:00.000".to_owned()));
    }
}

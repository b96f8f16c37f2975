//! Columnar storage of the kept events: one vector per field, every string interned once behind a 32-bit
//! id, so that filtering a million events is a scan over integers.
//!
//! Architecture invariant: the index only grows from `model::Event`s and never knows the query language;
//! `query` reads it.

use std::collections::HashMap;

use crate::model::{Event, Text};

/// An interned string.
pub type StrId = u32;

/// Each distinct string once. Id 0 is the empty string.
#[derive(Debug)]
pub struct Strings {
    ids: HashMap<Box<str>, StrId, foldhash::fast::RandomState>,
    values: Vec<Box<str>>,
    lower: Vec<Box<str>>,
}

impl Default for Strings {
    fn default() -> Self {
        // Id 0 is the empty string from the start: `intern` answers it without looking.
        let mut ids = HashMap::default();
        ids.insert(Box::from(""), 0);
        Strings { ids, values: vec![Box::from("")], lower: vec![Box::from("")] }
    }
}

impl Strings {
    /// The id of `text`, adding it when new.
    pub fn intern(&mut self, text: &str) -> StrId {
        // Most columns of most events are empty (no error, no Transcribe resource): no hashing for those.
        if text.is_empty() {
            return 0;
        }
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.values.len() as StrId;
        self.ids.insert(text.into(), id);
        self.values.push(text.into());
        self.lower.push(text.to_lowercase().into());
        id
    }

    /// The text of `id`.
    pub fn get(&self, id: StrId) -> &str {
        self.values.get(id as usize).map_or("", |s| s)
    }

    /// The lower-case text of `id`, for case-insensitive matching.
    pub fn lower(&self, id: StrId) -> &str {
        self.lower.get(id as usize).map_or("", |s| s)
    }

    /// How many distinct strings there are.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false: the empty string is always there.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The columns a query and the facets can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// `eventName`.
    EventName,
    /// `eventSource`.
    EventSource,
    /// `awsRegion`.
    Region,
    /// The account.
    Account,
    /// The caller's short name.
    Identity,
    /// `userIdentity.arn`.
    IdentityArn,
    /// `userIdentity.type`.
    IdentityType,
    /// `userIdentity.accessKeyId`.
    AccessKey,
    /// `sourceIPAddress`.
    SourceIp,
    /// `userAgent`.
    UserAgent,
    /// The user agent's family (aws-cli, Boto3, ...).
    AgentFamily,
    /// `errorCode`.
    ErrorCode,
    /// The Transcribe resource's name.
    Resource,
    /// The Transcribe resource's kind.
    Kind,
    /// The status the event reports.
    Status,
    /// `languageCode`.
    Language,
}

impl Column {
    /// Every column, in storage order.
    pub const ALL: [Column; 16] = [
        Column::EventName,
        Column::EventSource,
        Column::Region,
        Column::Account,
        Column::Identity,
        Column::IdentityArn,
        Column::IdentityType,
        Column::AccessKey,
        Column::SourceIp,
        Column::UserAgent,
        Column::AgentFamily,
        Column::ErrorCode,
        Column::Resource,
        Column::Kind,
        Column::Status,
        Column::Language,
    ];

    fn slot(self) -> usize {
        self as usize
    }
}

/// The kept events as columns. Row `i` is event `i` of the store.
#[derive(Debug, Default)]
pub struct Index {
    /// The interned strings.
    pub strings: Strings,
    /// Event time in milliseconds since the epoch; `i64::MIN` when unknown.
    pub time: Vec<i64>,
    columns: Vec<Vec<StrId>>,
    /// Per column, a bitset of the string ids it holds, so that free text looks only in the columns where
    /// some value holds the text.
    present: Vec<Vec<u64>>,
    /// Trigrams of the rows' original JSON, for free text: over a prefix of the rows, empty until someone
    /// extends it, because building it reads every record (in the page, the workers build it for the
    /// events they keep and the page appends it).
    pub sketch: crate::sketch::Sketch,
    /// Each user agent's family, by the agent's string id (`StrId::MAX` until worked out): a load holds
    /// many events and few distinct agents, and telling the family reads the agent several times over.
    families: Vec<StrId>,
    /// Per column, the id of the last row's value: a delivery is one account and region, and neighbouring
    /// records often share a caller and a service, so comparing with it often spares hashing the text.
    last: [StrId; Column::ALL.len()],
}

impl Index {
    /// An index of `events`.
    pub fn build(events: &[Event]) -> Index {
        let mut index =
            Index { columns: vec![Vec::with_capacity(events.len()); Column::ALL.len()], ..Index::default() };
        for event in events {
            index.push(event);
        }
        index
    }

    /// Adds one event as the next row.
    pub fn push(&mut self, event: &Event) {
        if self.columns.is_empty() {
            self.columns = vec![Vec::new(); Column::ALL.len()];
        }
        if self.present.is_empty() {
            self.present = vec![Vec::new(); Column::ALL.len()];
        }
        self.time.push(event.time.map_or(i64::MIN, |t| t.0));
        let info = event.transcribe.as_ref();
        let agent = self.strings.intern(event.user_agent());
        let family = self.family(agent, event.user_agent());
        for column in Column::ALL {
            let text: &str = match column {
                Column::EventName => event.event_name(),
                Column::EventSource => event.event_source(),
                Column::Region => event.aws_region(),
                Column::Account => event.account(),
                Column::Identity => event.text(Text::IdentityName),
                Column::IdentityArn => event.text(Text::Arn),
                Column::IdentityType => event.text(Text::IdentityKind),
                Column::AccessKey => event.text(Text::AccessKey),
                Column::SourceIp => event.source_ip(),
                // Interned above, once per event.
                Column::UserAgent | Column::AgentFamily => "",
                Column::ErrorCode => event.error_code(),
                Column::Resource => info.map_or("", |i| i.name.display()),
                Column::Kind => info.filter(|i| i.name.is_present()).map_or("", |i| i.kind.as_str()),
                Column::Status => info.and_then(|i| i.status.as_deref()).unwrap_or(""),
                Column::Language => info.map_or("", |i| i.language.display()),
            };
            let last = &mut self.last[column.slot()];
            let id = match column {
                Column::UserAgent => agent,
                Column::AgentFamily => family,
                _ if text.is_empty() => 0,
                _ if self.strings.get(*last) == text => *last,
                _ => self.strings.intern(text),
            };
            *last = id;
            self.columns[column.slot()].push(id);
            let present = &mut self.present[column.slot()];
            let word = id as usize / 64;
            if present.len() <= word {
                present.resize(word + 1, 0);
            }
            present[word] |= 1 << (id % 64);
        }
    }

    /// Puts `event` in row `row` in place of the event there. The values only the old event held stay
    /// marked present: `holds` may then say yes of a value no row holds, which costs a search a look,
    /// never a row.
    pub fn replace(&mut self, row: usize, event: &Event) {
        if row >= self.len() {
            return;
        }
        // Pushed as the last row, then moved into `row`, whose old values go.
        self.push(event);
        self.time.swap_remove(row);
        for column in &mut self.columns {
            column.swap_remove(row);
        }
    }

    /// The family of the user agent `agent` (its string id), worked out once per distinct agent.
    fn family(&mut self, agent: StrId, user_agent: &str) -> StrId {
        if let Some(&family) = self.families.get(agent as usize).filter(|&&f| f != StrId::MAX) {
            return family;
        }
        let family = self.strings.intern(agent_family(user_agent));
        if self.families.len() <= agent as usize {
            self.families.resize(agent as usize + 1, StrId::MAX);
        }
        self.families[agent as usize] = family;
        family
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Whether some row holds `id` in `column` (or held it, before its event was replaced).
    pub fn holds(&self, column: Column, id: StrId) -> bool {
        let words = self.present.get(column.slot()).map_or(&[][..], Vec::as_slice);
        words.get(id as usize / 64).is_some_and(|w| w >> (id % 64) & 1 == 1)
    }

    /// A column's ids, one per row.
    pub fn column(&self, column: Column) -> &[StrId] {
        self.columns.get(column.slot()).map_or(&[], Vec::as_slice)
    }
}

/// The family of a user agent, for the facet: who or what made the call.
pub fn agent_family(user_agent: &str) -> &'static str {
    let ua = user_agent.trim();
    let lower = ua.to_ascii_lowercase();
    if ua.is_empty() {
        ""
    } else if lower.starts_with("aws-cli/") {
        "aws-cli"
    } else if lower.starts_with("boto3/") || lower.starts_with("botocore/") {
        "Boto3"
    } else if lower.starts_with("aws-sdk-js") || lower.contains("aws-sdk-nodejs") || lower.starts_with("aws-sdk-js-v3")
    {
        "SDK for JS"
    } else if lower.starts_with("aws-sdk-java") || lower.starts_with("aws-sdk-go") || lower.starts_with("aws-sdk-") {
        "other SDK"
    } else if lower == "aws internal" || lower.ends_with(".amazonaws.com") {
        "AWS Internal"
    } else if lower.contains("console.amazonaws.com")
        || lower.starts_with("mozilla/")
        || lower.contains("signin.amazonaws.com")
    {
        "console"
    } else if lower.starts_with("terraform") || lower.contains("terraform/") {
        "Terraform"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::{agent_family, Column, Index, Strings};
    use crate::ingest::{ingest_file, IngestOptions};

    #[test]
    fn id_0_is_the_empty_string_and_every_id_is_its_text() {
        let mut strings = Strings::default();
        assert_eq!((strings.len(), strings.get(0)), (1, ""));
        assert_eq!(strings.intern(""), 0);
        let a = strings.intern("a");
        assert_eq!(strings.intern("a"), a);
        assert_eq!((a, strings.get(a), strings.len()), (1, "a", 2));

        // An index of records whose first has a user agent and whose others leave fields empty: every
        // column's ids spell exactly the field they index, the empty ones included.
        let records = [
            r#"{"eventID":"1","eventName":"StartTranscriptionJob","eventSource":"transcribe.amazonaws.com","userAgent":"Boto3/1.34","awsRegion":"eu-west-1","sourceIPAddress":"192.0.2.1"}"#,
            r#"{"eventID":"2","eventName":"GetTranscriptionJob","eventSource":"transcribe.amazonaws.com","awsRegion":"eu-west-1","errorCode":"AccessDenied"}"#,
            r#"{"eventID":"3","eventName":"GetTranscriptionJob","eventSource":"transcribe.amazonaws.com","userAgent":"Boto3/1.34"}"#,
        ];
        let json = format!("{{\"Records\":[{}]}}", records.join(","));
        let result =
            ingest_file("t.json", json.as_bytes(), &IngestOptions { keep_all: true, ..IngestOptions::default() });
        let index = Index::build(&result.events);
        let spelled =
            |column: Column| -> Vec<&str> { index.column(column).iter().map(|&id| index.strings.get(id)).collect() };
        assert_eq!(spelled(Column::UserAgent), ["Boto3/1.34", "", "Boto3/1.34"]);
        assert_eq!(spelled(Column::ErrorCode), ["", "AccessDenied", ""]);
        assert_eq!(spelled(Column::Region), ["eu-west-1", "eu-west-1", ""]);
        assert_eq!(spelled(Column::SourceIp), ["192.0.2.1", "", ""]);
        assert_eq!(spelled(Column::EventName), ["StartTranscriptionJob", "GetTranscriptionJob", "GetTranscriptionJob"]);
        assert!(index.column(Column::ErrorCode)[0] == 0 && index.holds(Column::ErrorCode, 0));
    }

    #[test]
    fn user_agent_families() {
        let cases = [
            ("aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023", "aws-cli"),
            ("Boto3/1.34.50 md/Botocore#1.34.50 ua/2.0 os/linux", "Boto3"),
            ("aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.11.1", "SDK for JS"),
            ("AWS Internal", "AWS Internal"),
            ("lambda.amazonaws.com", "AWS Internal"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36", "console"),
            ("aws-sdk-go/1.51.20 (go1.20.12; linux; amd64) amazon-ssm-agent/", "other SDK"),
            ("[ ]", "other"),
            ("", ""),
        ];
        for (ua, family) in cases {
            assert_eq!(agent_family(ua), family, "{ua}");
        }
    }

    #[test]
    fn a_replaced_row_reads_as_an_index_built_with_the_new_event() {
        let event = |user: &str, region: &str| {
            let text = format!(
                r#"{{"Records":[{{"eventVersion":"1.08","eventTime":"2026-03-02T08:00:0{}Z","eventSource":"transcribe.amazonaws.com","eventName":"X","awsRegion":"{region}","userIdentity":{{"userName":"{user}"}},"userAgent":"aws-cli/2.0"}}]}}"#,
                user.len() % 10
            );
            crate::ingest::ingest_file("f.json", text.as_bytes(), &crate::ingest::IngestOptions::default()).events
        };
        let mut events: Vec<crate::model::Event> =
            [("alice", "us-east-1"), ("bob", "eu-west-1"), ("carol", "us-east-1")]
                .iter()
                .flat_map(|(user, region)| event(user, region))
                .collect();
        let mut index = Index::build(&events);
        let new = event("mallory", "ap-south-1").remove(0);
        index.replace(1, &new);
        events[1] = new;
        let built = Index::build(&events);
        assert_eq!(index.len(), 3);
        assert_eq!(index.time, built.time);
        for column in Column::ALL {
            let text = |index: &Index| {
                index.column(column).iter().map(|&id| index.strings.get(id).to_owned()).collect::<Vec<_>>()
            };
            assert_eq!(text(&index), text(&built), "{column:?}");
        }
        assert!(index.holds(Column::Region, index.strings.ids["ap-south-1"]));
    }
}

//! The validated model: one [`Event`] per CloudTrail record that was kept.
//!
//! Field names follow CloudTrail (`eventName` becomes `event_name`) so that a search for a CloudTrail
//! field finds its twin here. Raw serde shapes live in `record`; this module is what every later step
//! (store, jobs, the page) reads.

use crate::time::EventTime;

/// A kept CloudTrail event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// When the call happened; `None` if the record carried no readable time.
    pub time: Option<EventTime>,
    /// `eventName`, such as `StartTranscriptionJob`.
    pub event_name: String,
    /// `eventSource`, such as `transcribe.amazonaws.com`; empty for Insights records.
    pub event_source: String,
    /// `awsRegion`.
    pub aws_region: String,
    /// `recipientAccountId`, else the caller's `userIdentity.accountId`.
    pub account: String,
    /// Who made the call.
    pub identity: Identity,
    /// `sourceIPAddress`: an IPv4 or IPv6 address, a comma list, or a service name such as `lambda.amazonaws.com`.
    pub source_ip: String,
    /// `userAgent`.
    pub user_agent: String,
    /// `errorCode`; empty when the call succeeded.
    pub error_code: String,
    /// `errorMessage`.
    pub error_message: String,
    /// `readOnly`, when the record says.
    pub read_only: Option<bool>,
    /// `eventType`: `AwsApiCall`, `AwsServiceEvent`, `AwsConsoleSignIn`, `AwsCloudTrailInsight`, ...
    pub event_type: String,
    /// `requestID`.
    pub request_id: String,
    /// `eventID`: the key for dropping CloudTrail's duplicate deliveries.
    pub event_id: String,
    /// True for rows of the console's CSV download: they carry no request or response, so the fields
    /// that come from those are unknown rather than empty.
    pub summary_only: bool,
    /// The record exactly as it was in the file (for a CSV row: its cells as a JSON object).
    pub raw: String,
    /// What the event says about an Amazon Transcribe resource; `None` for other services.
    pub transcribe: Option<Box<crate::transcribe::TranscribeInfo>>,
}

/// The caller, from `userIdentity`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// `userIdentity.type`: `IAMUser`, `AssumedRole`, `Root`, `AWSService`, ...
    pub kind: String,
    /// A short name a person recognises: the user name, the role session, the service, or the principal.
    pub name: String,
    /// `userIdentity.arn`.
    pub arn: String,
    /// `userIdentity.accessKeyId`.
    pub access_key: String,
    /// `userIdentity.principalId`.
    pub principal_id: String,
}

/// A value that CloudTrail may log, hide, or leave out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field {
    /// The record does not carry this value.
    #[default]
    Absent,
    /// CloudTrail logged the field but withheld its value (`HIDDEN_DUE_TO_SECURITY_REASONS`, or an empty
    /// string where the API never returns one): the value exists, the log does not show it.
    Hidden,
    /// The value as logged.
    Value(String),
}

/// The marker CloudTrail writes in place of sensitive values.
pub const HIDDEN_MARKER: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

impl Field {
    /// Reads a logged string: empty or the hidden marker mean hidden, anything else is the value.
    pub fn from_logged(text: &str) -> Field {
        if text.is_empty() || text == HIDDEN_MARKER {
            Field::Hidden
        } else {
            Field::Value(text.to_owned())
        }
    }

    /// The value, if the log shows one.
    pub fn value(&self) -> Option<&str> {
        match self {
            Field::Value(text) => Some(text),
            _ => None,
        }
    }

    /// How the page shows it: the value, `(hidden)`, or an empty string.
    pub fn display(&self) -> &str {
        match self {
            Field::Absent => "",
            Field::Hidden => "(hidden)",
            Field::Value(text) => text,
        }
    }

    /// True when the record carries the field at all.
    pub fn is_present(&self) -> bool {
        !matches!(self, Field::Absent)
    }
}

/// Event sources that belong to Amazon Transcribe.
pub const TRANSCRIBE_SOURCES: [&str; 2] = ["transcribe.amazonaws.com", "transcribestreaming.amazonaws.com"];

/// True when `event_source` is one of Amazon Transcribe's.
pub fn is_transcribe_source(event_source: &str) -> bool {
    TRANSCRIBE_SOURCES.contains(&event_source)
}

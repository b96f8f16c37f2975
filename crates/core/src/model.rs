//! The validated model: one [`Event`] per CloudTrail record that was kept.
//!
//! Field names follow CloudTrail (`eventName` becomes `event_name`) so that a search for a CloudTrail
//! field finds its twin here. Raw serde shapes live in `record`; this module is what every later step
//! (store, jobs, the page) reads.

use crate::time::EventTime;

/// A kept CloudTrail event.
///
/// Its texts live in one buffer: the record exactly as it was in the file, then the few field texts that
/// the record does not spell verbatim (unescaped values, stand-ins such as `root`). Each field is a span of
/// that buffer. A field read from the record is nearly always a piece of it, so an event is one allocation
/// rather than seventeen: the workers make and drop every event they keep, and the page makes each again
/// from the workers' answer, so the allocations were most of the cost of keeping every event.
#[derive(Clone)]
pub struct Event {
    /// When the call happened; `None` if the record carried no readable time.
    pub time: Option<EventTime>,
    /// `readOnly`, when the record says.
    pub read_only: Option<bool>,
    /// True for rows of the console's CSV download: they carry no request or response, so the fields
    /// that come from those are unknown rather than empty.
    pub summary_only: bool,
    /// What the event says about an Amazon Transcribe resource; `None` for other services.
    pub transcribe: Option<Box<crate::transcribe::TranscribeInfo>>,
    text: Box<str>,
    raw_len: u32,
    spans: [(u32, u32); TEXTS],
}

/// What a kept event costs the page beyond its texts: its fields' spans and facts, its index columns, its
/// free-text sketch (256 B), its places in the eventID set, the time order and the shown rows, and the
/// room that vectors grown by doubling hold spare. Measured: the page's memory held 2.27 KB per event
/// after a load of 200,000 with every event kept, 1.41 KB of them the texts.
pub const EVENT_COST: u64 = 900;

/// The text fields of an [`Event`], as [`Event::new`] takes them and [`Event::text`] gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// `eventName`, such as `StartTranscriptionJob`.
    EventName,
    /// `eventSource`, such as `transcribe.amazonaws.com`; empty for Insights records.
    EventSource,
    /// `awsRegion`.
    AwsRegion,
    /// `recipientAccountId`, else the caller's `userIdentity.accountId`.
    Account,
    /// `userIdentity.type`: `IAMUser`, `AssumedRole`, `Root`, `AWSService`, ...
    IdentityKind,
    /// A short name a person recognises: the user name, the role session, the service, or the principal.
    IdentityName,
    /// `userIdentity.arn`.
    Arn,
    /// `userIdentity.accessKeyId`.
    AccessKey,
    /// `userIdentity.principalId`.
    PrincipalId,
    /// `sourceIPAddress`: an IPv4 or IPv6 address, a comma list, or a service name such as `lambda.amazonaws.com`.
    SourceIp,
    /// `userAgent`.
    UserAgent,
    /// `errorCode`; empty when the call succeeded.
    ErrorCode,
    /// `errorMessage`.
    ErrorMessage,
    /// `eventType`: `AwsApiCall`, `AwsServiceEvent`, `AwsConsoleSignIn`, `AwsCloudTrailInsight`, ...
    EventType,
    /// `requestID`.
    RequestId,
    /// `eventID`: the key for dropping CloudTrail's duplicate deliveries.
    EventId,
}

/// How many [`Text`] fields an event has.
pub const TEXTS: usize = 16;

impl Text {
    /// Every text field, in the order of their values.
    pub const ALL: [Text; TEXTS] = [
        Text::EventName,
        Text::EventSource,
        Text::AwsRegion,
        Text::Account,
        Text::IdentityKind,
        Text::IdentityName,
        Text::Arn,
        Text::AccessKey,
        Text::PrincipalId,
        Text::SourceIp,
        Text::UserAgent,
        Text::ErrorCode,
        Text::ErrorMessage,
        Text::EventType,
        Text::RequestId,
        Text::EventId,
    ];
}

/// What an [`Event`] is made of besides its texts.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// See [`Event::time`].
    pub time: Option<EventTime>,
    /// See [`Event::read_only`].
    pub read_only: Option<bool>,
    /// See [`Event::summary_only`].
    pub summary_only: bool,
    /// See [`Event::transcribe`].
    pub transcribe: Option<Box<crate::transcribe::TranscribeInfo>>,
}

impl Event {
    /// An event of the record `raw`, with each field's text (in the order of [`Text::ALL`]). A text that
    /// is a piece of `raw` itself (as serde borrows it) is kept as a span of the record; any other is
    /// appended after it.
    pub fn new(raw: &str, texts: [&str; TEXTS], facts: Facts) -> Event {
        let base = raw.as_ptr() as usize;
        let within = |t: &str| {
            let at = (t.as_ptr() as usize).wrapping_sub(base);
            (at <= raw.len() && t.len() <= raw.len() - at).then_some(at)
        };
        let extra: usize = texts.iter().filter(|t| !t.is_empty() && within(t).is_none()).map(|t| t.len()).sum();
        let mut text = String::with_capacity(raw.len() + extra);
        text.push_str(raw);
        let mut spans = [(0u32, 0u32); TEXTS];
        for (span, t) in spans.iter_mut().zip(texts) {
            let at = match within(t) {
                _ if t.is_empty() => 0,
                Some(at) => at,
                None => {
                    text.push_str(t);
                    text.len() - t.len()
                }
            };
            // A record is at most 256 MiB (the ingest's largest unit), and an appended text is a value
            // unescaped from it (never longer than where it was read) or a short stand-in: offsets fit 32 bits.
            *span = (at as u32, t.len() as u32);
        }
        // Every span is a piece of a `str` (the record's or an appended one), so it falls on character
        // boundaries; the accessors would read an empty text rather than panic if one did not.
        Event::assemble(text.into_boxed_str(), raw.len() as u32, spans, facts)
    }

    /// An event from the parts [`Event::parts`] gave (the `wire` between a worker and the page); `None`
    /// when a span does not fall on the text's character boundaries.
    pub fn from_parts(text: Box<str>, raw_len: u32, spans: [(u32, u32); TEXTS], facts: Facts) -> Option<Event> {
        let fits = |start: u32, len: u32| {
            let start = start as usize;
            start.checked_add(len as usize).is_some_and(|end| text.get(start..end).is_some())
        };
        let fit = fits(0, raw_len) && spans.iter().all(|&(start, len)| fits(start, len));
        fit.then(|| Event::assemble(text, raw_len, spans, facts))
    }

    fn assemble(text: Box<str>, raw_len: u32, spans: [(u32, u32); TEXTS], facts: Facts) -> Event {
        Event {
            time: facts.time,
            read_only: facts.read_only,
            summary_only: facts.summary_only,
            transcribe: facts.transcribe,
            text,
            raw_len,
            spans,
        }
    }

    /// What keeping the event costs the page's memory, as its budget reckons it: its texts and
    /// [`EVENT_COST`].
    pub fn cost(&self) -> u64 {
        self.text.len() as u64 + EVENT_COST
    }

    /// The one buffer of texts, the record's length at its start, and each field's span: what
    /// [`Event::from_parts`] takes back.
    pub fn parts(&self) -> (&str, u32, &[(u32, u32); TEXTS]) {
        (&self.text, self.raw_len, &self.spans)
    }

    /// One field's text.
    #[inline]
    pub fn text(&self, which: Text) -> &str {
        let (start, len) = self.spans[which as usize];
        self.text.get(start as usize..start as usize + len as usize).unwrap_or("")
    }

    /// The record exactly as it was in the file (for a CSV row: its cells as a JSON object).
    #[inline]
    pub fn raw(&self) -> &str {
        self.text.get(..self.raw_len as usize).unwrap_or("")
    }

    /// `eventName`, such as `StartTranscriptionJob`.
    pub fn event_name(&self) -> &str {
        self.text(Text::EventName)
    }

    /// `eventSource`, such as `transcribe.amazonaws.com`; empty for Insights records.
    pub fn event_source(&self) -> &str {
        self.text(Text::EventSource)
    }

    /// `awsRegion`.
    pub fn aws_region(&self) -> &str {
        self.text(Text::AwsRegion)
    }

    /// `recipientAccountId`, else the caller's `userIdentity.accountId`.
    pub fn account(&self) -> &str {
        self.text(Text::Account)
    }

    /// Who made the call.
    pub fn identity(&self) -> Identity<'_> {
        Identity {
            kind: self.text(Text::IdentityKind),
            name: self.text(Text::IdentityName),
            arn: self.text(Text::Arn),
            access_key: self.text(Text::AccessKey),
            principal_id: self.text(Text::PrincipalId),
        }
    }

    /// `sourceIPAddress`.
    pub fn source_ip(&self) -> &str {
        self.text(Text::SourceIp)
    }

    /// `userAgent`.
    pub fn user_agent(&self) -> &str {
        self.text(Text::UserAgent)
    }

    /// `errorCode`; empty when the call succeeded.
    pub fn error_code(&self) -> &str {
        self.text(Text::ErrorCode)
    }

    /// `errorMessage`.
    pub fn error_message(&self) -> &str {
        self.text(Text::ErrorMessage)
    }

    /// `eventType`.
    pub fn event_type(&self) -> &str {
        self.text(Text::EventType)
    }

    /// `requestID`.
    pub fn request_id(&self) -> &str {
        self.text(Text::RequestId)
    }

    /// `eventID`: the key for dropping CloudTrail's duplicate deliveries.
    pub fn event_id(&self) -> &str {
        self.text(Text::EventId)
    }

    /// The same event with another record text (its fields unchanged).
    pub fn with_raw(&self, raw: &str) -> Event {
        self.with_texts(raw, &[])
    }

    /// The same event with some fields' texts replaced.
    pub fn with(&self, changes: &[(Text, &str)]) -> Event {
        self.with_texts(self.raw(), changes)
    }

    fn with_texts(&self, raw: &str, changes: &[(Text, &str)]) -> Event {
        let texts = Text::ALL.map(|t| changes.iter().rev().find(|c| c.0 == t).map_or(self.text(t), |c| c.1));
        let facts = Facts {
            time: self.time,
            read_only: self.read_only,
            summary_only: self.summary_only,
            transcribe: self.transcribe.clone(),
        };
        Event::new(raw, texts, facts)
    }
}

/// Events are equal when what they say is: the same record, fields and facts, however the buffer lays
/// the texts out.
impl PartialEq for Event {
    fn eq(&self, other: &Event) -> bool {
        self.time == other.time
            && self.read_only == other.read_only
            && self.summary_only == other.summary_only
            && self.transcribe == other.transcribe
            && self.raw() == other.raw()
            && Text::ALL.iter().all(|&t| self.text(t) == other.text(t))
    }
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("Event");
        s.field("time", &self.time);
        for t in Text::ALL {
            s.field(&format!("{t:?}"), &self.text(t));
        }
        s.field("read_only", &self.read_only)
            .field("summary_only", &self.summary_only)
            .field("raw", &self.raw())
            .field("transcribe", &self.transcribe)
            .finish()
    }
}

/// The caller, from `userIdentity`: a view of an [`Event`]'s texts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Identity<'a> {
    /// `userIdentity.type`: `IAMUser`, `AssumedRole`, `Root`, `AWSService`, ...
    pub kind: &'a str,
    /// A short name a person recognises: the user name, the role session, the service, or the principal.
    pub name: &'a str,
    /// `userIdentity.arn`.
    pub arn: &'a str,
    /// `userIdentity.accessKeyId`.
    pub access_key: &'a str,
    /// `userIdentity.principalId`.
    pub principal_id: &'a str,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RawRecord;

    fn event(raw: &str) -> Event {
        let record: RawRecord<'_> = serde_json::from_str(raw).expect("a valid record");
        record.into_event(raw)
    }

    #[test]
    fn fields_spelled_verbatim_are_spans_of_the_record_and_others_follow_it() {
        let plain = r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"},"eventName":"StartTranscriptionJob","eventSource":"transcribe.amazonaws.com","awsRegion":"eu-west-1","recipientAccountId":"111122223333","eventID":"e1"}"#;
        let e = event(plain);
        // Every text but the stand-in name `root` is a piece of the record: the buffer is the record and
        // those four bytes.
        assert_eq!(e.parts().0, format!("{plain}root"));
        assert_eq!(
            (e.event_name(), e.aws_region(), e.account(), e.event_id()),
            ("StartTranscriptionJob", "eu-west-1", "111122223333", "e1")
        );
        assert_eq!((e.identity().kind, e.identity().name), ("Root", "root"));
        assert_eq!(e.raw(), plain);
        // An escaped value is unescaped, so it cannot be a span of the record: it is appended.
        let escaped =
            r#"{"eventVersion":"1.08","eventName":"Start\u0054ranscriptionJob","errorMessage":"a \"quoted\" word"}"#;
        let e = event(escaped);
        assert_eq!((e.event_name(), e.error_message()), ("StartTranscriptionJob", r#"a "quoted" word"#));
        assert_eq!(e.parts().0, format!(r#"{escaped}StartTranscriptionJoba "quoted" word"#));
        assert_eq!(e.raw(), escaped);
    }

    #[test]
    fn events_are_equal_by_what_they_say_whatever_the_layout() {
        let raw = r#"{"eventVersion":"1.08","eventName":"GetTranscriptionJob","awsRegion":"us-east-1"}"#;
        let spans = event(raw);
        // The same texts, all appended rather than spans of the record.
        let owned: Vec<String> = Text::ALL.iter().map(|&t| spans.text(t).to_owned()).collect();
        let texts: [&str; TEXTS] = std::array::from_fn(|i| owned[i].as_str());
        let appended = Event::new(raw, texts, Facts { time: spans.time, ..Facts::default() });
        assert_ne!(appended.parts().0, spans.parts().0);
        assert_eq!(appended, spans);
        assert_ne!(appended.with(&[(Text::AwsRegion, "eu-west-1")]), spans);
        assert_eq!(spans.with(&[(Text::AwsRegion, "eu-west-1")]).aws_region(), "eu-west-1");
    }

    #[test]
    fn parts_that_do_not_fit_their_text_are_refused() {
        let e = event(r#"{"eventVersion":"1.08","eventName":"é"}"#);
        let (text, raw_len, spans) = e.parts();
        let back = Event::from_parts(text.into(), raw_len, *spans, Facts::default());
        assert_eq!(back.map(|b| b.event_name().to_owned()), Some("é".to_owned()));
        let name = Text::EventName as usize;
        for (start, len) in [(spans[name].0 + 1, 1), (spans[name].0, 1), (text.len() as u32, 1), (u32::MAX, 2)] {
            let mut bad = *spans;
            bad[name] = (start, len);
            assert!(Event::from_parts(text.into(), raw_len, bad, Facts::default()).is_none(), "{start}+{len}");
        }
        assert!(Event::from_parts(text.into(), text.len() as u32 + 1, *spans, Facts::default()).is_none());
    }
}

//! Raw first, validated second: [`RawRecord`] is a CloudTrail record as serde reads it from the file,
//! borrowing strings where it can; [`RawRecord::into_event`] is the one place it becomes a `model::Event`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

mod skim;

pub(crate) use skim::{read, read_ahead, skim, skim_ahead};

use crate::model;
use crate::time::EventTime;
use crate::transcribe;

/// A scalar read leniently: strings borrowed when unescaped, numbers and booleans as their text,
/// null, objects and lists as absent. Real logs put the odd number or object where a string is usual,
/// and that must not cost the whole file.
#[derive(Debug, Default, Clone)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    /// The text, or "" when absent.
    pub fn as_str(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }

    /// Whether the record carried this field as a scalar.
    pub fn is_some(&self) -> bool {
        self.0.is_some()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number, boolean or null")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

/// A JSON value as it stands in the record (`requestParameters`, `responseElements`): checked, not read.
#[derive(Debug, Clone, Copy)]
pub struct Json<'a>(pub &'a str);

impl<'de: 'a, 'a> Deserialize<'de> for Json<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(deserializer).map(|value| Json(value.get()))
    }
}

/// `userIdentity` as logged.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct RawIdentity<'a> {
    #[serde(rename = "type", borrow, default)]
    pub kind: Text<'a>,
    #[serde(rename = "principalId", borrow, default)]
    pub principal_id: Text<'a>,
    #[serde(borrow, default)]
    pub arn: Text<'a>,
    #[serde(rename = "accountId", borrow, default)]
    pub account_id: Text<'a>,
    #[serde(rename = "accessKeyId", borrow, default)]
    pub access_key_id: Text<'a>,
    #[serde(rename = "userName", borrow, default)]
    pub user_name: Text<'a>,
    #[serde(rename = "invokedBy", borrow, default)]
    pub invoked_by: Text<'a>,
    #[serde(rename = "sessionContext", borrow, default)]
    pub session_context: Option<RawSessionContext<'a>>,
    #[serde(rename = "onBehalfOf", borrow, default)]
    pub on_behalf_of: Option<RawOnBehalfOf<'a>>,
}

/// `userIdentity.sessionContext`: only the issuer matters for naming the caller.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct RawSessionContext<'a> {
    #[serde(rename = "sessionIssuer", borrow, default)]
    pub session_issuer: Option<RawIssuer<'a>>,
}

/// `userIdentity.sessionContext.sessionIssuer`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct RawIssuer<'a> {
    #[serde(rename = "userName", borrow, default)]
    pub user_name: Text<'a>,
}

/// `userIdentity.onBehalfOf` (IAM Identity Center users).
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct RawOnBehalfOf<'a> {
    #[serde(rename = "userId", borrow, default)]
    pub user_id: Text<'a>,
}

/// A CloudTrail record as it stands in the file. Unknown fields are skipped without being copied.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct RawRecord<'a> {
    #[serde(rename = "eventVersion", borrow, default)]
    pub event_version: Text<'a>,
    #[serde(rename = "userIdentity", borrow, default)]
    pub user_identity: Option<RawIdentity<'a>>,
    #[serde(rename = "eventTime", borrow, default)]
    pub event_time: Text<'a>,
    #[serde(rename = "eventSource", borrow, default)]
    pub event_source: Text<'a>,
    #[serde(rename = "eventName", borrow, default)]
    pub event_name: Text<'a>,
    #[serde(rename = "awsRegion", borrow, default)]
    pub aws_region: Text<'a>,
    #[serde(rename = "sourceIPAddress", borrow, default)]
    pub source_ip_address: Text<'a>,
    #[serde(rename = "userAgent", borrow, default)]
    pub user_agent: Text<'a>,
    #[serde(rename = "errorCode", borrow, default)]
    pub error_code: Text<'a>,
    #[serde(rename = "errorMessage", borrow, default)]
    pub error_message: Text<'a>,
    #[serde(rename = "requestParameters", borrow, default)]
    pub request_parameters: Option<Json<'a>>,
    #[serde(rename = "responseElements", borrow, default)]
    pub response_elements: Option<Json<'a>>,
    #[serde(rename = "requestID", borrow, default)]
    pub request_id: Text<'a>,
    #[serde(rename = "eventID", borrow, default)]
    pub event_id: Text<'a>,
    #[serde(rename = "readOnly", borrow, default)]
    pub read_only: Text<'a>,
    #[serde(rename = "eventType", borrow, default)]
    pub event_type: Text<'a>,
    #[serde(rename = "recipientAccountId", borrow, default)]
    pub recipient_account_id: Text<'a>,
}

/// The few fields that count a record that is not kept; everything else is skipped unread.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct RecordSummary<'a> {
    #[serde(rename = "eventVersion", borrow, default)]
    pub event_version: Text<'a>,
    #[serde(rename = "eventTime", borrow, default)]
    pub event_time: Text<'a>,
    #[serde(rename = "eventSource", borrow, default)]
    pub event_source: Text<'a>,
    #[serde(rename = "eventName", borrow, default)]
    pub event_name: Text<'a>,
    #[serde(rename = "eventType", borrow, default)]
    pub event_type: Text<'a>,
}

impl RecordSummary<'_> {
    /// See [`RawRecord::looks_like_record`].
    pub fn looks_like_record(&self) -> bool {
        looks_like_record(&self.event_version, &self.event_name, &self.event_time)
    }

    /// See [`RawRecord::service`].
    pub fn service(&self) -> &str {
        service(&self.event_source, &self.event_type)
    }
}

fn looks_like_record(version: &Text<'_>, name: &Text<'_>, time: &Text<'_>) -> bool {
    version.is_some() || name.is_some() || time.is_some()
}

fn service<'t>(source: &'t Text<'_>, event_type: &Text<'_>) -> &'t str {
    match source.as_str() {
        "" if event_type.as_str() == "AwsCloudTrailInsight" => "(CloudTrail Insights)",
        "" => "(no eventSource)",
        source => source,
    }
}

impl<'a> RawRecord<'a> {
    /// True when the object has at least one field that every CloudTrail record carries.
    pub fn looks_like_record(&self) -> bool {
        looks_like_record(&self.event_version, &self.event_name, &self.event_time)
    }

    /// `eventSource`, or a stand-in for records that have none (Insights keep theirs inside
    /// `insightDetails`), so every record counts under some service.
    pub fn service(&self) -> &str {
        service(&self.event_source, &self.event_type)
    }

    /// The one place a raw record becomes a model event. `raw` is the record's exact text, the one this
    /// record was read from, so that fields read verbatim are spans of it rather than copies.
    pub fn into_event(self, raw: &str) -> model::Event {
        let identity = self.user_identity.as_ref();
        let account = match self.recipient_account_id.as_str() {
            "" => identity.map_or("", |i| i.account_id.as_str()),
            account => account,
        };
        let transcribe = model::is_transcribe_source(self.event_source.as_str()).then(|| {
            transcribe::from_record(
                self.event_name.as_str(),
                self.error_code.as_str(),
                self.request_parameters.map(|json| json.0),
                self.response_elements.map(|json| json.0),
            )
        });
        let texts = [
            self.event_name.as_str(),
            self.event_source.as_str(),
            self.aws_region.as_str(),
            account,
            identity.map_or("", |i| i.kind.as_str()),
            identity.map_or("", identity_name),
            identity.map_or("", |i| i.arn.as_str()),
            identity.map_or("", |i| i.access_key_id.as_str()),
            identity.map_or("", |i| i.principal_id.as_str()),
            self.source_ip_address.as_str(),
            self.user_agent.as_str(),
            self.error_code.as_str(),
            self.error_message.as_str(),
            self.event_type.as_str(),
            self.request_id.as_str(),
            self.event_id.as_str(),
        ];
        let facts = model::Facts {
            time: EventTime::parse(self.event_time.as_str()),
            read_only: parse_bool(self.read_only.as_str()),
            summary_only: false,
            transcribe: transcribe.map(Box::new),
        };
        model::Event::new(raw, texts, facts)
    }
}

/// Reads `true`/`false` in any case, as CloudTrail (boolean), boto3 (string) and the console CSV (`TRUE`) write it.
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The short name a person recognises the caller by.
fn identity_name<'r>(raw: &'r RawIdentity<'_>) -> &'r str {
    let kind = raw.kind.as_str();
    let arn = raw.arn.as_str();
    let issuer = raw.session_context.as_ref().and_then(|c| c.session_issuer.as_ref());
    if !raw.user_name.as_str().is_empty() {
        raw.user_name.as_str()
    } else if let Some((_role, session)) = arn.split_once(":assumed-role/").and_then(|(_, rest)| rest.split_once('/')) {
        // The session name alone, as the console's Event history shows it in "User name".
        session
    } else if let Some(issuer) = issuer.filter(|i| !i.user_name.as_str().is_empty()) {
        issuer.user_name.as_str()
    } else if !raw.invoked_by.as_str().is_empty() {
        raw.invoked_by.as_str()
    } else if kind == "Root" {
        "root"
    } else if let Some(user) = raw.on_behalf_of.as_ref().filter(|o| !o.user_id.as_str().is_empty()) {
        user.user_id.as_str()
    } else if let Some(last) = arn.rsplit('/').next().filter(|s| !s.is_empty() && *s != arn) {
        last
    } else if !raw.principal_id.as_str().is_empty() {
        raw.principal_id.as_str()
    } else {
        kind
    }
}

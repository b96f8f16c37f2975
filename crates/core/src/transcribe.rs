//! Amazon Transcribe knowledge: which resource an event touches, and what it says of its state.
//!
//! Every rule about Transcribe's API lives here: the resource kinds, the request field that names each,
//! where the status sits in each response, and which calls end a resource's life. The rest of the
//! program asks [`from_record`] and reads a [`TranscribeInfo`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::model::Field;

/// The kinds of Transcribe resource a job view follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    /// `StartTranscriptionJob` and friends.
    Transcription,
    /// `StartMedicalTranscriptionJob` and friends.
    Medical,
    /// `StartCallAnalyticsJob` and friends.
    CallAnalytics,
    /// `StartMedicalScribeJob` and friends.
    MedicalScribe,
    /// Custom vocabularies.
    Vocabulary,
    /// Custom medical vocabularies.
    MedicalVocabulary,
    /// Vocabulary filters.
    VocabularyFilter,
    /// Custom language models.
    LanguageModel,
    /// Call Analytics categories.
    CallAnalyticsCategory,
    /// Streaming sessions (`transcribestreaming.amazonaws.com`).
    Stream,
    /// A Transcribe call that names no resource kind known here.
    Other,
}

impl ResourceKind {
    /// The name the page and its tests use (`data-job-kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Transcription => "transcription",
            ResourceKind::Medical => "medical",
            ResourceKind::CallAnalytics => "call-analytics",
            ResourceKind::MedicalScribe => "medical-scribe",
            ResourceKind::Vocabulary => "vocabulary",
            ResourceKind::MedicalVocabulary => "medical-vocabulary",
            ResourceKind::VocabularyFilter => "vocabulary-filter",
            ResourceKind::LanguageModel => "language-model",
            ResourceKind::CallAnalyticsCategory => "call-analytics-category",
            ResourceKind::Stream => "stream",
            ResourceKind::Other => "other",
        }
    }

    /// Whether a resource of this kind is a job, which a `Start` call begins; the others are created.
    pub fn is_job(self) -> bool {
        matches!(
            self,
            ResourceKind::Transcription
                | ResourceKind::Medical
                | ResourceKind::CallAnalytics
                | ResourceKind::MedicalScribe
        )
    }

    /// Whether Transcribe's responses report this kind's state. Vocabulary filters and Call Analytics
    /// categories have none: they are usable once created.
    pub fn has_state(self) -> bool {
        !matches!(self, ResourceKind::VocabularyFilter | ResourceKind::CallAnalyticsCategory)
    }

    /// The kind named by the resource type in a Transcribe ARN (`arn:aws:transcribe:...:<type>/<name>`).
    fn from_arn_type(resource_type: &str) -> Option<ResourceKind> {
        ARN_TYPES.iter().find(|(name, _)| *name == resource_type).map(|(_, kind)| *kind)
    }

    /// The resource kind named in a console CSV `Resources` cell (`AWS::Transcribe::TranscriptionJob`).
    fn from_cloudformation_type(resource_type: &str) -> Option<ResourceKind> {
        let name = resource_type.strip_prefix("AWS::Transcribe::")?;
        Some(match name {
            "TranscriptionJob" => ResourceKind::Transcription,
            "MedicalTranscriptionJob" => ResourceKind::Medical,
            "CallAnalyticsJob" => ResourceKind::CallAnalytics,
            "MedicalScribeJob" => ResourceKind::MedicalScribe,
            "Vocabulary" => ResourceKind::Vocabulary,
            "MedicalVocabulary" => ResourceKind::MedicalVocabulary,
            "VocabularyFilter" => ResourceKind::VocabularyFilter,
            "LanguageModel" => ResourceKind::LanguageModel,
            "CallAnalyticsCategory" => ResourceKind::CallAnalyticsCategory,
            _ => return None,
        })
    }
}

/// What a call does to its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `Start*` and `Create*`: the resource begins.
    Start,
    /// `Get*` and `Describe*`: a poll.
    Read,
    /// `List*`: touches many resources, names none.
    List,
    /// `Update*`.
    Update,
    /// `Delete*`: the resource ends.
    Delete,
    /// Tagging calls.
    Tag,
    /// Anything else.
    Other,
}

/// What one Transcribe event says about its resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscribeInfo {
    /// The resource kind.
    pub kind: ResourceKind,
    /// What the call does.
    pub action: Action,
    /// The resource's name (job, vocabulary, filter, model, category) or streaming session id.
    pub name: Field,
    /// The status the response reports (`IN_PROGRESS`, `COMPLETED`, `READY`, ...), or `DELETED` after a
    /// successful delete; `None` when the event says nothing about it.
    pub status: Option<String>,
    /// `failureReason` from the response.
    pub failure_reason: Field,
    /// `media.mediaFileUri`: the audio that was transcribed.
    pub media_uri: Field,
    /// `mediaFormat`.
    pub media_format: Field,
    /// `languageCode`.
    pub language: Field,
    /// `outputBucketName`.
    pub output_bucket: Field,
    /// `transcript.transcriptFileUri`.
    pub transcript_uri: Field,
}

/// The per-operation table: which kind an event name touches and which request field names the resource.
fn operation(event_name: &str) -> (ResourceKind, &'static str) {
    use ResourceKind::*;
    // The resource noun is the event name without its verb prefix.
    let noun = ["Start", "Get", "Delete", "List", "Create", "Update", "Describe"]
        .iter()
        .find_map(|verb| event_name.strip_prefix(verb))
        .unwrap_or(event_name);
    match noun {
        "TranscriptionJob" | "TranscriptionJobs" => (Transcription, "transcriptionJobName"),
        "MedicalTranscriptionJob" | "MedicalTranscriptionJobs" => (Medical, "medicalTranscriptionJobName"),
        "CallAnalyticsJob" | "CallAnalyticsJobs" => (CallAnalytics, "callAnalyticsJobName"),
        "MedicalScribeJob" | "MedicalScribeJobs" => (MedicalScribe, "medicalScribeJobName"),
        "Vocabulary" | "Vocabularies" => (Vocabulary, "vocabularyName"),
        "MedicalVocabulary" | "MedicalVocabularies" => (MedicalVocabulary, "vocabularyName"),
        "VocabularyFilter" | "VocabularyFilters" => (VocabularyFilter, "vocabularyFilterName"),
        "LanguageModel" | "LanguageModels" => (LanguageModel, "modelName"),
        "CallAnalyticsCategory" | "CallAnalyticsCategories" => (CallAnalyticsCategory, "categoryName"),
        "StreamTranscription"
        | "StreamTranscriptionWebSocket"
        | "MedicalStreamTranscription"
        | "MedicalStreamTranscriptionWebSocket"
        | "CallAnalyticsStreamTranscription"
        | "CallAnalyticsStreamTranscriptionWebSocket"
        | "MedicalScribeStream"
        | "MedicalScribeStreams" => (Stream, "sessionId"),
        _ => (Other, ""),
    }
}

fn action(event_name: &str) -> Action {
    let verbs: [(&str, Action); 9] = [
        ("Start", Action::Start),
        ("Create", Action::Start),
        ("Get", Action::Read),
        ("Describe", Action::Read),
        ("List", Action::List),
        ("Update", Action::Update),
        ("Delete", Action::Delete),
        ("TagResource", Action::Tag),
        ("UntagResource", Action::Tag),
    ];
    if event_name == "ListTagsForResource" {
        return Action::Tag;
    }
    verbs.iter().find(|(verb, _)| event_name.starts_with(verb)).map_or(Action::Other, |(_, action)| *action)
}

/// The resource types of Transcribe's ARNs, and the kind each names (the SQL hand-off reads them too).
pub(crate) const ARN_TYPES: [(&str, ResourceKind); 9] = [
    ("transcription-job", ResourceKind::Transcription),
    ("medical-transcription-job", ResourceKind::Medical),
    ("call-analytics-job", ResourceKind::CallAnalytics),
    ("medical-scribe-job", ResourceKind::MedicalScribe),
    ("vocabulary", ResourceKind::Vocabulary),
    ("medical-vocabulary", ResourceKind::MedicalVocabulary),
    ("vocabulary-filter", ResourceKind::VocabularyFilter),
    ("language-model", ResourceKind::LanguageModel),
    ("call-analytics-category", ResourceKind::CallAnalyticsCategory),
];

/// Keys under which Transcribe responses report a resource's state; the first one a response carries is
/// its status (the SQL hand-off reads them in this order too).
pub(crate) const STATUS_KEYS: [&str; 6] = [
    "transcriptionJobStatus",
    "callAnalyticsJobStatus",
    "medicalScribeJobStatus",
    "vocabularyState",
    "modelStatus",
    "streamStatus",
];

/// The status of a resource after a successful delete.
pub const DELETED: &str = "DELETED";

/// Reads a Transcribe event. `request` and `response` are the raw JSON of `requestParameters` and
/// `responseElements`; either may be absent, `null`, or too deeply nested to read (then ignored).
pub fn from_record(
    event_name: &str,
    error_code: &str,
    request: Option<&str>,
    response: Option<&str>,
) -> TranscribeInfo {
    let request = Node::parse(request);
    let response = Node::parse(response);
    let (mut kind, name_key) = operation(event_name);
    let action = action(event_name);

    let mut name = if name_key.is_empty() {
        Field::Absent
    } else {
        find_field(&request, name_key).or_else(|| find_field(&response, name_key)).unwrap_or_default()
    };
    if action == Action::Tag {
        if let Some(arn) = find_field(&request, "resourceArn").and_then(|f| f.value().map(str::to_owned)) {
            if let Some((arn_kind, arn_name)) = parse_arn(&arn) {
                kind = arn_kind;
                name = Field::from_logged(arn_name);
            }
        }
    }

    let mut status =
        STATUS_KEYS.iter().find_map(|key| find_field(&response, key)).and_then(|f| f.value().map(str::to_owned));
    if action == Action::Delete && error_code.is_empty() {
        status = Some(DELETED.to_owned());
    }
    let first = |key: &str| find_field(&request, key).or_else(|| find_field(&response, key)).unwrap_or_default();
    TranscribeInfo {
        kind,
        action,
        name,
        status,
        failure_reason: find_field(&response, "failureReason").unwrap_or_default(),
        media_uri: first("mediaFileUri"),
        media_format: first("mediaFormat"),
        language: first("languageCode"),
        output_bucket: first("outputBucketName"),
        transcript_uri: find_field(&response, "transcriptFileUri").unwrap_or_default(),
    }
}

/// A Transcribe event from a console CSV row, which has no request or response: the resource comes from the
/// `Resources` cell when it names one.
pub fn from_summary(event_name: &str, error_code: &str, resources_json: &str) -> TranscribeInfo {
    // The console's CSV spells the keys `resourceType`/`resourceName`; lookup-events spells them with capitals.
    #[derive(Deserialize)]
    struct Resource {
        #[serde(rename = "resourceType", alias = "ResourceType", default)]
        resource_type: Option<String>,
        #[serde(rename = "resourceName", alias = "ResourceName", default)]
        resource_name: Option<String>,
    }
    let mut info = from_record(event_name, error_code, None, None);
    let resources: Vec<Resource> = serde_json::from_str(resources_json).unwrap_or_default();
    let named = resources.iter().find_map(|resource| {
        let kind = ResourceKind::from_cloudformation_type(resource.resource_type.as_deref()?)?;
        Some((kind, resource.resource_name.as_deref()?))
    });
    if let Some((kind, name)) = named {
        info.kind = kind;
        info.name = Field::from_logged(name);
    }
    info
}

/// `arn:aws:transcribe:us-west-2:111122223333:transcription-job/name` into its kind and name.
fn parse_arn(arn: &str) -> Option<(ResourceKind, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (_arn, _partition, service) = (parts.next()?, parts.next()?, parts.next()?);
    if service != "transcribe" {
        return None;
    }
    let resource = parts.nth(2)?;
    let (resource_type, name) = resource.split_once('/')?;
    Some((ResourceKind::from_arn_type(resource_type)?, name))
}

/// How deep into a request or response Transcribe's fields are looked for. Below it nothing is built, so
/// a hostile record nested 100,000 levels deep costs no stack.
const MAX_DEPTH: u8 = 4;

/// The part of a request or response that Transcribe's fields can be in: objects a few levels deep and
/// their scalars. Lists and anything deeper are skipped without being built.
/// Keys and strings borrow from the record's text where they hold no escape, rather than allocating a
/// string for every key and value of every Transcribe record's request and response.
#[derive(Debug)]
enum Node<'a> {
    Text(Cow<'a, str>),
    Scalar(String),
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
    Skipped,
}

impl<'a> Node<'a> {
    fn parse(text: Option<&'a str>) -> Node<'a> {
        let Some(text) = text else { return Node::Skipped };
        let mut deserializer = serde_json::Deserializer::from_str(text);
        NodeSeed { depth: MAX_DEPTH }.deserialize(&mut deserializer).unwrap_or(Node::Skipped)
    }
}

struct NodeSeed {
    depth: u8,
}

impl<'de> DeserializeSeed<'de> for NodeSeed {
    type Value = Node<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed {
    type Value = Node<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Skipped)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        if self.depth == 0 {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Node::Skipped);
        }
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<crate::record::Text<'de>>()? {
            let value = map.next_value_seed(NodeSeed { depth: self.depth - 1 })?;
            entries.push((key.0.unwrap_or_default(), value));
        }
        Ok(Node::Object(entries))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Node::Skipped)
    }
}

/// The first value under `key`, searching objects breadth-first: Transcribe nests the same field at
/// different depths per operation (`media.mediaFileUri`, `transcriptionJob.media.mediaFileUri`).
fn find_field(node: &Node<'_>, key: &str) -> Option<Field> {
    // Objects at `MAX_DEPTH` levels down are not built (see `Node`), so there is nothing to look for there.
    (0..MAX_DEPTH).find_map(|depth| field_at(node, key, depth))
}

/// The first value under `key` in the objects `depth` levels below `node`, in the order a breadth-first
/// walk meets them. A walk per level, on trees this small, needs no queue of the next level's objects.
fn field_at(node: &Node<'_>, key: &str, depth: u8) -> Option<Field> {
    let Node::Object(entries) = node else { return None };
    entries.iter().find_map(|(name, value)| match (depth, value) {
        (0, Node::Text(text)) if name == key => Some(Field::from_logged(text)),
        (0, Node::Scalar(text)) if name == key => Some(Field::Value(text.clone())),
        (0, _) => None,
        (_, Node::Object(_)) => field_at(value, key, depth - 1),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_transcription_job_from_documentation() {
        let request = r#"{"mediaFormat":"flac","languageCode":"en-US","transcriptionJobName":"my-first-transcription-job","media":{"mediaFileUri":"s3://DOC-EXAMPLE-BUCKET/my-media-file.flac"}}"#;
        let response = r#"{"transcriptionJob":{"transcriptionJobStatus":"IN_PROGRESS","transcriptionJobName":"my-first-transcription-job"}}"#;
        let info = from_record("StartTranscriptionJob", "", Some(request), Some(response));
        assert_eq!(info.kind, ResourceKind::Transcription);
        assert_eq!(info.action, Action::Start);
        assert_eq!(info.name, Field::Value("my-first-transcription-job".into()));
        assert_eq!(info.status.as_deref(), Some("IN_PROGRESS"));
        assert_eq!(info.media_uri.display(), "s3://DOC-EXAMPLE-BUCKET/my-media-file.flac");
        assert_eq!(info.language.display(), "en-US");
    }

    #[test]
    fn hidden_media_uri_is_hidden_not_missing() {
        let request =
            r#"{"medicalTranscriptionJobName":"m1","media":{"mediaFileUri":"HIDDEN_DUE_TO_SECURITY_REASONS"}}"#;
        let info = from_record("StartMedicalTranscriptionJob", "", Some(request), None);
        assert_eq!(info.kind, ResourceKind::Medical);
        assert_eq!(info.media_uri, Field::Hidden);
        assert_eq!(info.media_uri.display(), "(hidden)");
    }

    #[test]
    fn successful_delete_ends_the_resource() {
        let info = from_record("DeleteVocabulary", "", Some(r#"{"vocabularyName":"v"}"#), None);
        assert_eq!(info.kind, ResourceKind::Vocabulary);
        assert_eq!(info.status.as_deref(), Some("DELETED"));
        let denied = from_record("DeleteVocabulary", "AccessDeniedException", Some(r#"{"vocabularyName":"v"}"#), None);
        assert_eq!(denied.status, None);
    }

    #[test]
    fn vocabulary_state_and_failure_reason() {
        let info = from_record(
            "GetVocabulary",
            "",
            Some(r#"{"vocabularyName":"v"}"#),
            Some(r#"{"vocabularyName":"v","vocabularyState":"FAILED","failureReason":"bad phrase"}"#),
        );
        assert_eq!(info.status.as_deref(), Some("FAILED"));
        assert_eq!(info.failure_reason.display(), "bad phrase");
    }

    #[test]
    fn tagging_names_the_resource_through_its_arn() {
        let request = r#"{"resourceArn":"arn:aws:transcribe:us-east-1:111122223333:medical-transcription-job/visit-42","tags":[]}"#;
        let info = from_record("TagResource", "", Some(request), None);
        assert_eq!(info.kind, ResourceKind::Medical);
        assert_eq!(info.name.display(), "visit-42");
    }

    #[test]
    fn every_resource_kind_has_its_name_field() {
        let cases = [
            ("GetCallAnalyticsJob", "callAnalyticsJobName", ResourceKind::CallAnalytics),
            ("StartMedicalScribeJob", "medicalScribeJobName", ResourceKind::MedicalScribe),
            ("CreateMedicalVocabulary", "vocabularyName", ResourceKind::MedicalVocabulary),
            ("UpdateVocabularyFilter", "vocabularyFilterName", ResourceKind::VocabularyFilter),
            ("DescribeLanguageModel", "modelName", ResourceKind::LanguageModel),
            ("CreateCallAnalyticsCategory", "categoryName", ResourceKind::CallAnalyticsCategory),
        ];
        for (event_name, key, kind) in cases {
            let request = format!(r#"{{"{key}":"thing"}}"#);
            let info = from_record(event_name, "", Some(&request), None);
            assert_eq!((info.kind, info.name.display()), (kind, "thing"), "{event_name}");
        }
    }

    #[test]
    fn list_calls_name_no_resource() {
        let info = from_record("ListTranscriptionJobs", "", Some(r#"{"status":"COMPLETED"}"#), None);
        assert_eq!(info.action, Action::List);
        assert_eq!(info.name, Field::Absent);
    }

    #[test]
    fn csv_resources_cell_names_the_job() {
        let cell = r#"[{"resourceType":"AWS::Transcribe::TranscriptionJob","resourceName":"job-7"}]"#;
        let info = from_summary("GetTranscriptionJob", "", cell);
        assert_eq!((info.kind, info.name.display()), (ResourceKind::Transcription, "job-7"));
    }
}

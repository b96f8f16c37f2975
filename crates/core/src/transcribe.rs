//! Amazon Transcribe knowledge: which resource an event touches, and what it says of its state.
//!
//! Every rule about Transcribe's API lives here: the resource kinds, the request field that names each,
//! where the status sits in each response, and which calls end a resource's life. The rest of the
//! program asks [`from_record`] and reads a [`TranscribeInfo`].

use serde_json::Value;

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

    /// The kind named by the resource type in a Transcribe ARN (`arn:aws:transcribe:...:<type>/<name>`).
    fn from_arn_type(resource_type: &str) -> Option<ResourceKind> {
        Some(match resource_type {
            "transcription-job" => ResourceKind::Transcription,
            "medical-transcription-job" => ResourceKind::Medical,
            "call-analytics-job" => ResourceKind::CallAnalytics,
            "medical-scribe-job" => ResourceKind::MedicalScribe,
            "vocabulary" => ResourceKind::Vocabulary,
            "medical-vocabulary" => ResourceKind::MedicalVocabulary,
            "vocabulary-filter" => ResourceKind::VocabularyFilter,
            "language-model" => ResourceKind::LanguageModel,
            "call-analytics-category" => ResourceKind::CallAnalyticsCategory,
            _ => return None,
        })
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

/// Keys under which Transcribe responses report a resource's state.
const STATUS_KEYS: [&str; 6] = [
    "transcriptionJobStatus",
    "callAnalyticsJobStatus",
    "medicalScribeJobStatus",
    "vocabularyState",
    "modelStatus",
    "streamStatus",
];

/// Reads a Transcribe event. `request` and `response` are the raw JSON of `requestParameters` and
/// `responseElements`; either may be absent, `null`, or too deeply nested to read (then ignored).
pub fn from_record(event_name: &str, error_code: &str, request: Option<&str>, response: Option<&str>) -> TranscribeInfo {
    let parse = |text: Option<&str>| text.and_then(|t| serde_json::from_str::<Value>(t).ok()).unwrap_or(Value::Null);
    let request = parse(request);
    let response = parse(response);
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

    let mut status = STATUS_KEYS
        .iter()
        .find_map(|key| find_field(&response, key))
        .and_then(|f| f.value().map(str::to_owned));
    if action == Action::Delete && error_code.is_empty() {
        status = Some("DELETED".to_owned());
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
    let mut info = from_record(event_name, error_code, None, None);
    let resources: Value = serde_json::from_str(resources_json).unwrap_or(Value::Null);
    let named = resources.as_array().into_iter().flatten().find_map(|resource| {
        let kind = ResourceKind::from_cloudformation_type(resource.get("ResourceType")?.as_str()?)?;
        Some((kind, resource.get("ResourceName")?.as_str()?))
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

/// The first string under `key` in `value`, searching objects breadth-first a few levels down: Transcribe
/// nests the same field at different depths per operation (`media.mediaFileUri`,
/// `transcriptionJob.media.mediaFileUri`).
fn find_field(value: &Value, key: &str) -> Option<Field> {
    let mut level: Vec<&Value> = vec![value];
    for _depth in 0..4 {
        let mut next = Vec::new();
        for object in level.iter().filter_map(|v| v.as_object()) {
            match object.get(key) {
                Some(Value::String(text)) => return Some(Field::from_logged(text)),
                Some(Value::Null) | None => {}
                Some(other @ (Value::Number(_) | Value::Bool(_))) => return Some(Field::Value(other.to_string())),
                Some(_) => {}
            }
            next.extend(object.values().filter(|v| v.is_object()));
        }
        if next.is_empty() {
            break;
        }
        level = next;
    }
    None
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
        let request = r#"{"medicalTranscriptionJobName":"m1","media":{"mediaFileUri":"HIDDEN_DUE_TO_SECURITY_REASONS"}}"#;
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
        let cell = r#"[{"ResourceType":"AWS::Transcribe::TranscriptionJob","ResourceName":"job-7"}]"#;
        let info = from_summary("GetTranscriptionJob", "", cell);
        assert_eq!((info.kind, info.name.display()), (ResourceKind::Transcription, "job-7"));
    }
}

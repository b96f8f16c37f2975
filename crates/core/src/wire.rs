//! **API Boundary.** The bytes that carry a batch of ingested files from a worker to the page: one compact
//! buffer per batch, moved (not copied) between threads, instead of one message per event.
//!
//! Hand-written rather than derived, so the core's types stay free of serialisation concerns and the
//! format is visible here. Decoding never panics: a malformed buffer is an error value.

use std::collections::BTreeMap;

use crate::ingest::{FileError, FileResult, Outcome, Shape};
use crate::model::{Event, Facts, Field, TEXTS};
use crate::time::EventTime;
use crate::transcribe::{Action, ResourceKind, TranscribeInfo};

/// Changed whenever the bytes or their meaning change, the sketch's bits included (4: common trigrams set
/// no bit; 5: an event's texts as one, fields as spans of it; 6: a trigram's bit looked up from its hash),
/// so that a page never takes in a batch from a worker of another build.
const VERSION: u8 = 7;

const SHAPES: [Shape; 10] = [
    Shape::Records,
    Shape::LookupEvents,
    Shape::FilterLogEvents,
    Shape::Subscription,
    Shape::CloudWatchExport,
    Shape::EventBridge,
    Shape::JsonLines,
    Shape::Array,
    Shape::SingleRecord,
    Shape::EventHistoryCsv,
];

const KINDS: [ResourceKind; 11] = [
    ResourceKind::Transcription,
    ResourceKind::Medical,
    ResourceKind::CallAnalytics,
    ResourceKind::MedicalScribe,
    ResourceKind::Vocabulary,
    ResourceKind::MedicalVocabulary,
    ResourceKind::VocabularyFilter,
    ResourceKind::LanguageModel,
    ResourceKind::CallAnalyticsCategory,
    ResourceKind::Stream,
    ResourceKind::Other,
];

const ACTIONS: [Action; 7] =
    [Action::Start, Action::Read, Action::List, Action::Update, Action::Delete, Action::Tag, Action::Other];

/// A buffer that does not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed result batch: {}", self.0)
    }
}

/// Encodes file results into one buffer.
// Not inlined, nor is `Writer::str`: as one large function (13 KB of wasm, when an event was thirty
// strings) this took V8 0.15 s to optimise here, on the cores the first load needs; now under 0.06 s.
#[inline(never)]
pub fn encode(results: &[FileResult]) -> Vec<u8> {
    let capacity: usize = results.iter().flat_map(|r| &r.events).map(|e| e.parts().0.len() + 128).sum::<usize>()
        + results.iter().map(|r| r.sketch.len() * 8).sum::<usize>();
    let mut w = Writer(Vec::with_capacity(capacity + 64));
    w.byte(VERSION);
    w.uint(results.len() as u64);
    for result in results {
        w.str(&result.name);
        match &result.outcome {
            Outcome::Loaded { shape, gzip } => {
                w.byte(0);
                w.byte(index_of(&SHAPES, shape));
                w.byte(u8::from(*gzip));
            }
            Outcome::Skipped { reason } => {
                w.byte(1);
                w.str(reason);
            }
            Outcome::Failed(error) => {
                w.byte(2);
                w.str(error.message());
            }
        }
        w.uint(result.n_records);
        w.uint(result.n_left);
        w.uint(result.bytes_in);
        w.uint(result.bytes_decoded);
        w.uint(result.per_service.len() as u64);
        for (service, n) in &result.per_service {
            w.str(service);
            w.uint(*n);
        }
        w.uint(result.per_name.len() as u64);
        for (service, names) in &result.per_name {
            w.str(service);
            w.uint(names.len() as u64);
            for (name, n) in names {
                w.str(name);
                w.uint(*n);
            }
        }
        w.uint(result.events.len() as u64);
        for event in &result.events {
            w.event(event);
        }
        w.uint(result.sketch.len() as u64);
        for word in &result.sketch {
            w.0.extend_from_slice(&word.to_le_bytes());
        }
    }
    w.0
}

/// Decodes a buffer made by [`encode`].
pub fn decode(bytes: &[u8]) -> Result<Vec<FileResult>, WireError> {
    let mut r = Reader { bytes, at: 0 };
    if r.byte()? != VERSION {
        return Err(WireError("unknown version".to_owned()));
    }
    let n_results = r.len()?;
    let mut results = Vec::with_capacity(n_results.min(1 << 16));
    for _ in 0..n_results {
        let name = r.string()?;
        let outcome = match r.byte()? {
            0 => Outcome::Loaded { shape: *pick(&SHAPES, r.byte()?)?, gzip: r.byte()? != 0 },
            1 => Outcome::Skipped { reason: r.string()? },
            2 => Outcome::Failed(FileError::new(r.string()?)),
            other => return Err(WireError(format!("unknown outcome {other}"))),
        };
        let n_records = r.uint()?;
        let n_left = r.uint()?;
        let bytes_in = r.uint()?;
        let bytes_decoded = r.uint()?;
        let mut per_service = BTreeMap::new();
        for _ in 0..r.len()? {
            let service = r.string()?;
            per_service.insert(service, r.uint()?);
        }
        let mut per_name: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for _ in 0..r.len()? {
            let service = r.string()?;
            let names = per_name.entry(service).or_default();
            for _ in 0..r.len()? {
                let name = r.string()?;
                names.insert(name, r.uint()?);
            }
        }
        let n_events = r.len()?;
        let mut events = Vec::with_capacity(n_events.min(1 << 20));
        for _ in 0..n_events {
            events.push(r.event()?);
        }
        let n_words = r.len()?;
        if n_words != 0 && n_words != events.len() * crate::sketch::WORDS_PER_EVENT {
            return Err(WireError(format!("a sketch of {n_words} words for {} events", events.len())));
        }
        let sketch = r.words(n_words)?;
        results.push(FileResult {
            name,
            outcome,
            n_records,
            events,
            n_left,
            per_service,
            per_name,
            bytes_in,
            bytes_decoded,
            sketch,
        });
    }
    if r.at != bytes.len() {
        return Err(WireError("trailing bytes".to_owned()));
    }
    Ok(results)
}

fn index_of<T: PartialEq>(table: &[T], item: &T) -> u8 {
    table.iter().position(|t| t == item).unwrap_or(0) as u8
}

fn pick<T>(table: &[T], index: u8) -> Result<&T, WireError> {
    table.get(usize::from(index)).ok_or_else(|| WireError(format!("unknown tag {index}")))
}

struct Writer(Vec<u8>);

impl Writer {
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    /// LEB128.
    fn uint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }

    #[inline(never)]
    fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn field(&mut self, field: &Field) {
        match field {
            Field::Absent => self.byte(0),
            Field::Hidden => self.byte(1),
            Field::Value(text) => {
                self.byte(2);
                self.str(text);
            }
        }
    }

    fn event(&mut self, e: &Event) {
        match e.time {
            None => self.byte(0),
            Some(EventTime(ms)) => {
                self.byte(1);
                // Zig-zag, so times before 1970 stay short too.
                self.uint(((ms << 1) ^ (ms >> 63)) as u64);
            }
        }
        self.byte(match e.read_only {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
        self.byte(u8::from(e.summary_only));
        // The event's one text and where each field lies in it: fields read verbatim are spans of the
        // record, so they cost a few bytes here, not a copy each.
        let (text, raw_len, spans) = e.parts();
        self.str(text);
        self.uint(u64::from(raw_len));
        for &(start, len) in spans {
            self.uint(u64::from(start));
            self.uint(u64::from(len));
        }
        match &e.transcribe {
            None => self.byte(0),
            Some(info) => {
                self.byte(1);
                self.byte(index_of(&KINDS, &info.kind));
                self.byte(index_of(&ACTIONS, &info.action));
                self.field(&info.name);
                match &info.status {
                    None => self.byte(0),
                    Some(status) => {
                        self.byte(1);
                        self.str(status);
                    }
                }
                for f in [
                    &info.failure_reason,
                    &info.media_uri,
                    &info.media_format,
                    &info.language,
                    &info.output_bucket,
                    &info.transcript_uri,
                ] {
                    self.field(f);
                }
            }
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, WireError> {
        let b = *self.bytes.get(self.at).ok_or_else(|| WireError("ends early".to_owned()))?;
        self.at += 1;
        Ok(b)
    }

    fn uint(&mut self) -> Result<u64, WireError> {
        // Most numbers here are a span's start or length: one or two bytes, read without a loop.
        if let Some(&[a, b]) = self.bytes.get(self.at..self.at + 2) {
            if a < 0x80 {
                self.at += 1;
                return Ok(u64::from(a));
            }
            if b < 0x80 {
                self.at += 2;
                return Ok(u64::from(a & 0x7f) | u64::from(b) << 7);
            }
        }
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(n);
            }
        }
        Err(WireError("number too long".to_owned()))
    }

    /// `n` words of eight bytes, little-endian: checked once for all of them, since a batch with every
    /// event kept holds millions (a sketch is 32 words an event).
    fn words(&mut self, n: usize) -> Result<Vec<u64>, WireError> {
        let end = n.checked_mul(8).and_then(|len| self.at.checked_add(len));
        let bytes =
            end.and_then(|end| self.bytes.get(self.at..end)).ok_or_else(|| WireError("ends early".to_owned()))?;
        self.at += bytes.len();
        Ok(bytes.chunks_exact(8).map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default())).collect())
    }

    /// A count or length, which must fit what is left of the buffer to be believed.
    fn len(&mut self) -> Result<usize, WireError> {
        let n = self.uint()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.bytes.len() - self.at)
            .ok_or_else(|| WireError("length beyond the buffer".to_owned()))
    }

    fn string(&mut self) -> Result<String, WireError> {
        let n = self.len()?;
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        // Most of a batch is the records' original JSON, nearly always ASCII: see `caseless::utf8`.
        crate::caseless::utf8(slice).map(str::to_owned).map_err(|_| WireError("text is not UTF-8".to_owned()))
    }

    fn field(&mut self) -> Result<Field, WireError> {
        Ok(match self.byte()? {
            0 => Field::Absent,
            1 => Field::Hidden,
            2 => Field::Value(self.string()?),
            other => return Err(WireError(format!("unknown field tag {other}"))),
        })
    }

    fn event(&mut self) -> Result<Event, WireError> {
        let time = match self.byte()? {
            0 => None,
            _ => {
                let z = self.uint()?;
                Some(EventTime(((z >> 1) as i64) ^ -((z & 1) as i64)))
            }
        };
        let read_only = match self.byte()? {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        };
        let summary_only = self.byte()? != 0;
        let text = self.string()?;
        let raw_len = self.span_part()?;
        let mut spans = [(0u32, 0u32); TEXTS];
        for span in &mut spans {
            *span = (self.span_part()?, self.span_part()?);
        }
        let transcribe = match self.byte()? {
            0 => None,
            _ => Some(Box::new(TranscribeInfo {
                kind: *pick(&KINDS, self.byte()?)?,
                action: *pick(&ACTIONS, self.byte()?)?,
                name: self.field()?,
                status: match self.byte()? {
                    0 => None,
                    _ => Some(self.string()?),
                },
                failure_reason: self.field()?,
                media_uri: self.field()?,
                media_format: self.field()?,
                language: self.field()?,
                output_bucket: self.field()?,
                transcript_uri: self.field()?,
            })),
        };
        let facts = Facts { time, read_only, summary_only, transcribe };
        Event::from_parts(text.into_boxed_str(), raw_len, spans, facts)
            .ok_or_else(|| WireError("a field outside its event's text".to_owned()))
    }

    fn span_part(&mut self) -> Result<u32, WireError> {
        u32::try_from(self.uint()?).map_err(|_| WireError("a span beyond 4 GiB".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenConfig};
    use crate::ingest::{ingest_file, unread, IngestOptions};

    fn same(a: &FileResult, b: &FileResult) -> bool {
        a.name == b.name
            && a.outcome == b.outcome
            && (a.n_records, a.n_left) == (b.n_records, b.n_left)
            && a.events == b.events
            && a.per_service == b.per_service
            && a.per_name == b.per_name
            && (a.bytes_in, a.bytes_decoded) == (b.bytes_in, b.bytes_decoded)
            && a.sketch == b.sketch
    }

    #[test]
    fn round_trip_of_the_sample_and_of_failures() {
        let (files, _) = generate(&GenConfig::sample());
        let mut results: Vec<FileResult> = files
            .iter()
            .map(|f| ingest_file(&f.name, &f.bytes, &IngestOptions { keep_all: true, ..IngestOptions::default() }))
            .collect();
        results.push(unread("bad.json", Outcome::Failed(FileError::new("the file is empty"))));
        results.push(unread("digest.json", Outcome::Skipped { reason: "digest".into() }));
        let mut early = results[0].clone();
        early.events[0].time = Some(EventTime(-1_234_567));
        results.push(early);
        // A file past its limit says how many records it left.
        let options = IngestOptions { keep_all: true, keep_bytes: Some(10_000), ..IngestOptions::default() };
        results.push(ingest_file(&files[0].name, &files[0].bytes, &options));
        assert!(results.last().is_some_and(|r| r.n_left > 0));
        // A worker sends the events' sketch along; the page must get exactly those bits.
        results[1].sketch = crate::sketch::words_of(&results[1].events);
        assert!(!results[1].sketch.is_empty());
        let decoded = decode(&encode(&results)).expect("decodes");
        assert_eq!(decoded.len(), results.len());
        for (a, b) in decoded.iter().zip(&results) {
            assert!(same(a, b), "{} differs after the round trip", b.name);
        }
    }

    #[test]
    fn text_beyond_ascii_round_trips_and_broken_text_is_an_error() {
        // Longer than sixteen bytes, with bytes beyond ASCII in a later block and in the tail.
        let file = r#"{"Records":[{"eventVersion":"1.08","eventSource":"transcribe.amazonaws.com",
            "eventName":"GetTranscriptionJob","eventTime":"2026-03-02T08:00:00Z","eventID":"e1",
            "userAgent":"0123456789abcdefé","requestParameters":{"transcriptionJobName":"ünïcode 🎙"}}]}"#;
        let result = ingest_file("é.json", file.as_bytes(), &IngestOptions::default());
        assert_eq!(result.events.len(), 1);
        let bytes = encode(std::slice::from_ref(&result));
        let decoded = decode(&bytes).expect("decodes");
        assert!(same(&decoded[0], &result));
        // The same buffer with one byte of the agent's "é" turned into a lone continuation byte.
        let at = bytes.windows(2).rposition(|w| w == "é".as_bytes()).expect("the agent is in the buffer");
        let mut broken = bytes.clone();
        broken[at] = 0x80;
        assert!(decode(&broken).is_err());
    }

    #[test]
    fn truncated_or_garbled_buffers_are_errors_not_panics() {
        let (files, _) = generate(&GenConfig { n_events: 50, n_files: 1, ..GenConfig::sample() });
        let mut result =
            ingest_file(&files[0].name, &files[0].bytes, &IngestOptions { keep_all: true, ..IngestOptions::default() });
        result.sketch = crate::sketch::words_of(&result.events);
        let bytes = encode(&[result.clone()]);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "a buffer cut at {cut} decoded");
        }
        let mut flipped = bytes.clone();
        for i in (0..flipped.len()).step_by(7) {
            flipped[i] ^= 0xa5;
            let _ = decode(&flipped);
        }
        // A sketch that does not give every event its words is refused, not half believed.
        result.sketch.pop();
        assert!(decode(&encode(&[result])).is_err());
    }
}

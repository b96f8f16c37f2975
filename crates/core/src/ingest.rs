//! **API Boundary.** One entry point, [`ingest_file`]: a file's name and bytes in, its events and exactly
//! one [`Outcome`] out.
//!
//! Architecture invariant: one bad file never loses another. Every failure here is a value, never a
//! panic, and a failed file contributes no events (a half-read file would make the counts lie).

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::decode;
use crate::model;
use crate::record::{parse_bool, RawRecord, RecordSummary, Text};
use crate::time::EventTime;
use crate::transcribe;

/// What the caller wants kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestOptions {
    /// Keep events of every service, not only Amazon Transcribe's.
    pub keep_all: bool,
    /// With `keep_all`, what the events kept from one file may cost, in bytes as [`model::Event::cost`]
    /// reckons them for the page's budget: once they cost that much, the rest of the file is read for its
    /// Transcribe events only (as many as it holds), and its other records are only counted. `None`: no
    /// limit. The page's workers set one, since a worker holds a file's events (and their encoding) until
    /// it answers: a file of gigabytes would otherwise take more memory than the tab has.
    pub keep_all_bytes: Option<u64>,
    /// What the events kept from one file may cost in all, Transcribe ones too, reckoned as for
    /// `keep_all_bytes`: once they cost that much, the rest of the file is only counted, and the records it
    /// would have kept are [`FileResult::n_left`]. `None`: no limit. For the same reason as `keep_all_bytes`:
    /// a file of gigabytes of Transcribe calls (a pipeline's polls, or an export of Transcribe events alone)
    /// ended the worker, and the file was lost whole.
    pub keep_bytes: Option<u64>,
}

/// Why a file could not be read, in words for the person who dropped it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    message: String,
}

impl FileError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> FileError {
        FileError { message: message.into() }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FileError {}

/// The shape a file turned out to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"Records":[...]}`: an S3 delivery or the console's JSON download.
    Records,
    /// `aws cloudtrail lookup-events` output: `{"Events":[{"CloudTrailEvent":"..."}]}`, or one such event per line.
    LookupEvents,
    /// `aws logs filter-log-events` output: `{"events":[{"message":"..."}]}`.
    FilterLogEvents,
    /// A CloudWatch Logs subscription payload: `{"logEvents":[...]}`.
    Subscription,
    /// CloudWatch Logs export to S3: `2022-03-07T15:00:11.000Z {json}` per line.
    CloudWatchExport,
    /// EventBridge events whose `detail` is the record.
    EventBridge,
    /// One record per line.
    JsonLines,
    /// A bare JSON array of records.
    Array,
    /// A single record object.
    SingleRecord,
    /// The console's Event history CSV download.
    EventHistoryCsv,
}

impl Shape {
    /// A short name for people.
    pub fn describe(self) -> &'static str {
        match self {
            Shape::Records => "CloudTrail Records file",
            Shape::LookupEvents => "lookup-events output",
            Shape::FilterLogEvents => "CloudWatch Logs filter-log-events output",
            Shape::Subscription => "CloudWatch Logs subscription payload",
            Shape::CloudWatchExport => "CloudWatch Logs export",
            Shape::EventBridge => "EventBridge events",
            Shape::JsonLines => "JSON Lines",
            Shape::Array => "JSON array of records",
            Shape::SingleRecord => "single record",
            Shape::EventHistoryCsv => "Event history CSV",
        }
    }
}

/// How a file ended: exactly one of these per file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Read; its records are counted and its kept events are in [`FileResult::events`].
    Loaded {
        /// What the file was.
        shape: Shape,
        /// True when the file was gzip.
        gzip: bool,
    },
    /// Recognised and deliberately not read as events (a digest file).
    Skipped {
        /// Why, for the person.
        reason: String,
    },
    /// Could not be read; no events from it are kept.
    Failed(FileError),
}

/// Everything one file gave.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// The file's name as given.
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Records read, of every service, duplicates included.
    pub n_records: u64,
    /// The kept events, in file order.
    pub events: Vec<model::Event>,
    /// Records the reading was asked to keep and left, only counted, because the events kept before them had
    /// cost what one file may ([`IngestOptions::keep_bytes`], and for other services' events,
    /// [`IngestOptions::keep_all_bytes`]).
    pub n_left: u64,
    /// Records per `eventSource`, kept or not.
    pub per_service: BTreeMap<String, u64>,
    /// Records per `eventSource` and `eventName`, kept or not: what the counted-not-kept line details.
    pub per_name: BTreeMap<String, BTreeMap<String, u64>>,
    /// Size of the file's bytes as given.
    pub bytes_in: u64,
    /// Size once decompressed.
    pub bytes_decoded: u64,
    /// The free-text sketch of `events` ([`crate::sketch::words_of`]), when whoever read the file built it;
    /// empty otherwise. The page's workers build it so that the page's thread does not read every record
    /// again; the command line, which searches once, does not.
    pub sketch: Vec<u64>,
}

/// The result for a file that never reached [`ingest_file`]: unreadable, or not read at all.
pub fn unread(name: &str, outcome: Outcome) -> FileResult {
    FileResult {
        name: name.to_owned(),
        outcome,
        n_records: 0,
        events: Vec::new(),
        n_left: 0,
        per_service: BTreeMap::new(),
        per_name: BTreeMap::new(),
        bytes_in: 0,
        bytes_decoded: 0,
        sketch: Vec::new(),
    }
}

/// Reads one file held in memory. The format is found from the bytes alone; `name` only labels the result.
pub fn ingest_file(name: &str, bytes: &[u8], options: &IngestOptions) -> FileResult {
    ingest_reader(name, bytes, options)
}

/// Reads one file from `reader`, a chunk at a time: memory is bounded by the largest record (plus what is
/// kept), not by the file. Gzip is decoded as it streams.
pub fn ingest_reader(name: &str, reader: impl std::io::Read, options: &IngestOptions) -> FileResult {
    let mut result = unread(name, Outcome::Skipped { reason: String::new() });
    let mut counted = Counted { inner: reader, n: 0 };
    let read = Sink::run(*options, &mut result, |sink| read_stream(&mut counted, sink));
    result.bytes_in = counted.n;
    finish_result(result, read)
}

/// The reference path: the whole file decoded in memory, then parsed document by document. Slower and
/// hungrier than [`ingest_file`], and kept because it is simple: tests prove the streaming path gives
/// exactly its results.
pub fn ingest_whole(name: &str, bytes: &[u8], options: &IngestOptions) -> FileResult {
    let mut result = unread(name, Outcome::Skipped { reason: String::new() });
    result.bytes_in = bytes.len() as u64;
    let gzip = decode::is_gzip(bytes);
    let read = Sink::run(*options, &mut result, |sink| {
        decode::decode(bytes).and_then(|text| {
            sink.result.bytes_decoded = text.len() as u64;
            read_text(&text, gzip, sink).map(|read| (read, gzip))
        })
    });
    finish_result(result, read)
}

fn finish_result(mut result: FileResult, read: Result<(Read, bool), FileError>) -> FileResult {
    let outcome = match read {
        Ok((Read::Events(shape), gzip)) => Outcome::Loaded { shape, gzip },
        Ok((Read::Digest, _)) => Outcome::Skipped {
            reason: "CloudTrail digest file (hashes that prove the log files are intact; it holds no events)"
                .to_owned(),
        },
        Err(error) => Outcome::Failed(error),
    };
    if matches!(outcome, Outcome::Failed(_) | Outcome::Skipped { .. }) {
        result.events = Vec::new();
        result.n_records = 0;
        result.n_left = 0;
        result.per_service.clear();
        result.per_name.clear();
    }
    result.outcome = outcome;
    result
}

/// Counts the bytes a reader gives.
struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

/// Size of the chunks the decoded stream is read in.
const CHUNK: usize = 256 << 10;

fn read_stream(reader: &mut impl std::io::Read, sink: &mut Sink<'_>) -> Result<(Read, bool), FileError> {
    use std::io::Read as _;
    // The gzip magic is two bytes; a reader may hand them out one at a time.
    let mut head = [0u8; 2];
    let mut n_head = 0;
    while n_head < 2 {
        match reader.read(&mut head[n_head..]) {
            Ok(0) => break,
            Ok(n) => n_head += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FileError::new(format!("the file could not be read: {e}"))),
        }
    }
    if n_head == 0 {
        return Err(FileError::new("the file is empty"));
    }
    let gzip = decode::is_gzip(&head[..n_head]);
    let plain = (&head[..n_head]).chain(reader);
    let mut decoded: Box<dyn std::io::Read + '_> = if gzip {
        Box::new(crate::gunzip::MultiGz::new(std::io::BufReader::with_capacity(CHUNK, plain)))
    } else {
        Box::new(plain)
    };
    let mut chunk = vec![0u8; CHUNK];
    let mut stream = Stream::Start(Vec::new());
    let mut n_decoded = 0u64;
    loop {
        let n = match decoded.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) if gzip => return Err(decode::gzip_error(&e)),
            Err(e) => return Err(FileError::new(format!("the file could not be read: {e}"))),
        };
        n_decoded += n as u64;
        stream.feed(&chunk[..n], gzip, sink)?;
    }
    sink.result.bytes_decoded = n_decoded;
    if n_decoded == 0 && gzip {
        return Err(FileError::new("the file is empty once decompressed (gzip of nothing)"));
    }
    stream.finish(gzip, sink).map(|read| (read, gzip))
}

/// How the decoded text is being read.
enum Stream {
    /// The first bytes, until the format is known.
    Start(Vec<u8>),
    /// JSON, split into records as it streams.
    Json(Box<crate::split::Splitter>, JsonDocs),
    /// CloudWatch Logs export lines.
    Lines { pending: Vec<u8>, line: u64 },
    /// Anything else (CSV, UTF-16, unknown): read whole at the end, within the memory limit.
    Whole(Vec<u8>),
}

/// Bytes seen before deciding that a file that is not JSON, CSV or CloudWatch lines is not a log at all.
const SNIFF: usize = 4096;

impl Stream {
    /// The reading that the first bytes call for, and where the text after a byte-order mark begins;
    /// `None` while they cannot tell yet.
    fn sniff(text: &[u8]) -> Option<(Stream, usize)> {
        const BOM: [u8; 3] = [0xef, 0xbb, 0xbf];
        if text.len() < BOM.len() && BOM.starts_with(text) {
            return None; // Perhaps a byte-order mark, cut by the chunking.
        }
        let skip = if text.starts_with(&BOM) { BOM.len() } else { 0 };
        let body = &text[skip..];
        let first = body.iter().position(|b| !b.is_ascii_whitespace())?;
        let next = match body[first] {
            b'{' | b'[' => Stream::Json(Box::new(crate::split::Splitter::new(MAX_UNIT)), JsonDocs::default()),
            b'0'..=b'9' => {
                if !body[first..].contains(&b'\n') && body.len() < SNIFF {
                    return None;
                }
                if looks_like_cloudwatch_export(&body[first..]) {
                    Stream::Lines { pending: Vec::new(), line: 1 }
                } else {
                    Stream::Whole(Vec::new())
                }
            }
            _ => Stream::Whole(Vec::new()),
        };
        Some((next, skip))
    }

    fn feed(&mut self, chunk: &[u8], gzip: bool, sink: &mut Sink<'_>) -> Result<(), FileError> {
        match self {
            Stream::Start(head) => {
                // Most files are decided by their first chunk: read it where it is, since holding a copy
                // of it (a quarter MiB per file) cost as much as a tenth of splitting the whole file.
                let held = (!head.is_empty()).then(|| {
                    head.extend_from_slice(chunk);
                    std::mem::take(head)
                });
                let text = held.as_deref().unwrap_or(chunk);
                let Some((next, body)) = Stream::sniff(text) else {
                    *self = Stream::Start(held.unwrap_or_else(|| chunk.to_vec()));
                    return Ok(());
                };
                *self = next;
                self.feed(&text[body..], gzip, sink)
            }
            // A digest is known from its first value; like the reference path, read nothing after it.
            Stream::Json(_, docs) if docs.digest => Ok(()),
            Stream::Json(splitter, docs) => match splitter.feed(chunk, &mut JsonOut { docs, sink }) {
                // Whatever follows a digest in the same chunk is not read either.
                Err(_) if docs.digest => Ok(()),
                read => read,
            },
            Stream::Lines { pending, line } => {
                pending.extend_from_slice(chunk);
                let mut start = 0;
                while let Some(end) = pending[start..].iter().position(|&b| b == b'\n') {
                    cloudwatch_line(&pending[start..start + end], *line, sink)?;
                    *line += 1;
                    start += end + 1;
                }
                pending.drain(..start);
                if pending.len() > MAX_UNIT {
                    return Err(FileError::new(format!("line {line} is longer than {} MiB", MAX_UNIT >> 20)));
                }
                Ok(())
            }
            Stream::Whole(text) => {
                text.extend_from_slice(chunk);
                if text.len() as u64 > decode::MAX_DECODED_BYTES {
                    return Err(FileError::new(format!(
                        "the file is more than {} MiB of text that is not JSON; files that large are not supported yet",
                        decode::MAX_DECODED_BYTES >> 20
                    )));
                }
                // Fail early on what is clearly not a log, rather than holding a whole video in memory.
                let utf16 = text.starts_with(&[0xff, 0xfe]) || text.starts_with(&[0xfe, 0xff]);
                if text.len() >= SNIFF && !utf16 && !looks_like_event_history_csv(text) {
                    return Err(FileError::new(decode::describe_unknown(text, gzip)));
                }
                Ok(())
            }
        }
    }

    fn finish(self, gzip: bool, sink: &mut Sink<'_>) -> Result<Read, FileError> {
        match self {
            Stream::Start(head) => {
                let body = head.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(&head);
                if body.iter().all(|b| b.is_ascii_whitespace()) {
                    return Err(FileError::new("the file is empty (only white space)"));
                }
                read_text(body, gzip, sink)
            }
            Stream::Json(splitter, docs) => {
                if !docs.digest {
                    splitter.finish()?;
                }
                docs.finish()
            }
            Stream::Lines { pending, line } => {
                if !pending.is_empty() {
                    cloudwatch_line(&pending, line, sink)?;
                }
                Ok(Read::Events(Shape::CloudWatchExport))
            }
            Stream::Whole(text) => {
                let text = match decode::utf16_to_utf8(&text) {
                    Some(converted) => converted?.into_bytes(),
                    None => text,
                };
                read_text(&text, gzip, sink)
            }
        }
    }
}

/// The largest single record or top-level value read into memory.
const MAX_UNIT: usize = 256 << 20;

/// What the JSON units of a file have shown so far.
#[derive(Default)]
struct JsonDocs {
    shapes: Vec<Shape>,
    n_items: usize,
    digest: bool,
}

/// The splitter's units going to a file's documents and its sink.
struct JsonOut<'d, 's, 'r> {
    docs: &'d mut JsonDocs,
    sink: &'s mut Sink<'r>,
}

impl crate::split::Units for JsonOut<'_, '_, '_> {
    fn unit(&mut self, unit: crate::split::Unit<'_>) -> Result<(), FileError> {
        self.docs.unit(unit, self.sink)
    }

    fn record_ahead(&mut self, text: &[u8], at: crate::split::At) -> Result<Option<(usize, u64)>, FileError> {
        self.docs.record_ahead(text, at, self.sink)
    }
}

impl JsonDocs {
    /// A record of `"Records"` read where it starts in a chunk, when it is one that is only counted and
    /// `skim` can read it (see [`crate::split::Units::record_ahead`]).
    fn record_ahead(
        &mut self,
        text: &[u8],
        at: crate::split::At,
        sink: &mut Sink<'_>,
    ) -> Result<Option<(usize, u64)>, FileError> {
        if self.digest {
            return Ok(None);
        }
        // When every record is kept, each is read in full anyway: then in full, ahead.
        let read = if sink.options.keep_all {
            crate::record::read_ahead(text).map(|(record, raw, lines)| (Ahead::Whole(record), raw, lines))
        } else {
            crate::record::skim_ahead(text).map(|(summary, raw, lines)| (Ahead::Summary(summary), raw, lines))
        };
        let Some((read, raw, lines)) = read else { return Ok(None) };
        // Where the splitter would have placed it: the line count includes the record's own breaks.
        let at = crate::split::At { offset: at.offset, end_line: at.end_line + lines };
        self.n_items += 1;
        let (n, n_docs) = (self.n_items, self.shapes.len());
        let place = || placed(n_docs, || at.line(raw.as_bytes()), format!("record {n} in \"Records\""));
        match read {
            Ahead::Summary(summary) => sink.summarised(raw, Some(summary), Some(at), Fallback::default(), &place)?,
            Ahead::Whole(record) => sink.read(raw, record, Fallback::default(), &place)?,
        }
        Ok(Some((raw.len(), lines)))
    }

    fn unit(&mut self, unit: crate::split::Unit<'_>, sink: &mut Sink<'_>) -> Result<(), FileError> {
        use crate::split::Unit;
        if self.digest {
            // A digest file is skipped whole.
            return Ok(());
        }
        let n_docs = self.shapes.len();
        let line = match &unit {
            Unit::Record(bytes, at) | Unit::Item(bytes, at) | Unit::Value(bytes, at) if n_docs > 0 => at.line(bytes),
            _ => 0,
        };
        let place = |what: String| placed(n_docs, || line, what);
        match unit {
            Unit::Record(bytes, at) => {
                self.n_items += 1;
                let n = self.n_items;
                let text = utf8(bytes, at)?;
                sink.record_at(text, Some(at), Fallback::default(), &|| place(format!("record {n} in \"Records\"")))?;
            }
            Unit::Item(bytes, at) => {
                self.n_items += 1;
                let n = self.n_items;
                let text = utf8(bytes, at)?;
                read_item(text, sink, &|| place(format!("item {n} of the array")))?;
            }
            Unit::RecordsEnd => self.end(Shape::Records),
            Unit::ArrayEnd => self.end(Shape::Array),
            Unit::Value(bytes, at) => {
                let value: &RawValue = serde_json::from_slice(bytes).map_err(|e| json_error_at(&e, bytes, at))?;
                match read_value(value, sink, &|what: &str| place(what.to_owned()))? {
                    Read::Digest if n_docs == 0 => self.digest = true,
                    Read::Digest => return Err(FileError::new(place("a digest object among records".to_owned()))),
                    Read::Events(shape) => self.end(shape),
                }
            }
        }
        Ok(())
    }

    fn end(&mut self, shape: Shape) {
        self.shapes.push(shape);
        self.n_items = 0;
    }

    fn finish(self) -> Result<Read, FileError> {
        if self.digest {
            return Ok(Read::Digest);
        }
        shape_of(&self.shapes).map(Read::Events)
    }
}

/// The error of an object read as a record that has none of the fields every record has.
fn not_a_record(place: &dyn Fn() -> String) -> FileError {
    FileError::new(format!("{}: not a CloudTrail record (it has no eventVersion, eventName or eventTime)", place()))
}

/// A record read where it starts in a chunk: only its summary, or whole.
// One lives on the stack for one record; boxing the larger would allocate for each.
#[allow(clippy::large_enum_variant)]
enum Ahead<'r> {
    Summary(RecordSummary<'r>),
    Whole(RawRecord<'r>),
}

/// Where a unit is, for its errors: from the second document of a file on (JSON Lines, concatenated
/// files), on which line it starts.
fn placed(n_docs: usize, line: impl FnOnce() -> u64, what: String) -> String {
    if n_docs == 0 {
        what
    } else {
        format!("line {}: {what}", line())
    }
}

fn utf8(bytes: &[u8], at: crate::split::At) -> Result<&str, FileError> {
    crate::caseless::utf8(bytes).map_err(|e| {
        FileError::new(format!(
            "invalid UTF-8 text at byte {} (line {})",
            at.offset + e.valid_up_to() as u64,
            at.line(bytes)
        ))
    })
}

/// The file's shape from its documents' shapes.
fn shape_of(shapes: &[Shape]) -> Result<Shape, FileError> {
    Ok(match shapes {
        [] => return Err(FileError::new("the file is empty (only white space)")),
        [one] => *one,
        // Documents of one shape, concatenated (`cat a.json b.json`, a multi-member gzip), keep that shape.
        [first, ..] if *first != Shape::SingleRecord && shapes.iter().all(|s| s == first) => *first,
        _ => Shape::JsonLines,
    })
}

enum Read {
    Events(Shape),
    Digest,
}

/// The prefilter's needles, built once: building a searcher per record costs more than the search.
static TRANSCRIBE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"transcribe"));
static ESCAPE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\\u"));

/// Where records go: counted always, turned into events only when kept.
struct Sink<'r> {
    options: IngestOptions,
    result: &'r mut FileResult,
    /// Records per service and event name while the file is read: one hash lookup a record, where the
    /// result's ordered maps took three searches of string compares (in wasm, whose `memcmp` goes a byte
    /// at a time, about a twentieth of a worker's time).
    counts: Tally,
    /// What the kept events cost, against `options.keep_all_bytes` and `options.keep_bytes`.
    kept_bytes: u64,
    /// The kept events have cost `options.keep_bytes`: none more is kept.
    full: bool,
    /// Whether every event was asked for, as `options.keep_all` was before a limit changed it.
    asked_all: bool,
}

impl<'r> Sink<'r> {
    /// Reads into `result` with `read`, then moves the counts it made into the result's tables.
    fn run<T>(options: IngestOptions, result: &'r mut FileResult, read: impl FnOnce(&mut Sink<'r>) -> T) -> T {
        let mut sink =
            Sink { options, result, counts: Tally::default(), kept_bytes: 0, full: false, asked_all: options.keep_all };
        let out = read(&mut sink);
        sink.close();
        out
    }

    /// Moves the counts into the result's per-service and per-name tables.
    fn close(self) {
        // Each service and name comes once: insert, rather than the entry calls that weigh more in wasm.
        for (service, name, n) in self.counts.entries {
            match self.result.per_service.get_mut(&service) {
                Some(total) => *total += n,
                None => {
                    self.result.per_service.insert(service.clone(), n);
                }
            }
            self.result.per_name.entry(service).or_default().insert(name, n);
        }
    }

    /// Takes one record's JSON text. `fallback` fills what a wrapper knew and the record lacks.
    fn record(&mut self, raw: &str, fallback: Fallback, place: &dyn Fn() -> String) -> Result<(), FileError> {
        self.record_at(raw, None, fallback, place)
    }

    /// [`Sink::record`] for a record whose place in the file is known, so a syntax error can say where.
    fn record_at(
        &mut self,
        raw: &str,
        at: Option<crate::split::At>,
        fallback: Fallback,
        place: &dyn Fn() -> String,
    ) -> Result<(), FileError> {
        // Records that are not Transcribe ones are only counted, from five fields, not read in full.
        // `skim` reads those fields exactly when it can; when it cannot, a record without the word
        // "transcribe" (which JSON can hide only behind a \u escape) cannot be a Transcribe one either,
        // and serde reads the five fields.
        let mut summary = None;
        if !self.options.keep_all {
            let bytes = raw.as_bytes();
            summary = match crate::record::skim(raw) {
                Some(summary) => Some(summary),
                None if TRANSCRIBE.find(bytes).is_none() && ESCAPE.find(bytes).is_none() => {
                    Some(serde_json::from_str(raw).map_err(|e| parse_error(raw, at, place, e))?)
                }
                None => None,
            };
        }
        self.summarised(raw, summary, at, fallback, place)
    }

    /// [`Sink::record_at`] once the record's five fields are read, if they could be: counts it from them
    /// when it is not a Transcribe one (and not every event is kept), else reads it whole.
    fn summarised(
        &mut self,
        raw: &str,
        summary: Option<RecordSummary<'_>>,
        at: Option<crate::split::At>,
        fallback: Fallback,
        place: &dyn Fn() -> String,
    ) -> Result<(), FileError> {
        if !self.options.keep_all {
            if let Some(summary) = summary {
                if !summary.looks_like_record() {
                    return Err(not_a_record(place));
                }
                if !model::is_transcribe_source(summary.event_source.as_str()) {
                    self.count(summary.service(), summary.event_name.as_str());
                    self.result.n_left += u64::from(self.asked_all);
                    return Ok(());
                }
            }
        }
        let record: RawRecord<'_> = match crate::record::read(raw) {
            Some(record) => record,
            None => serde_json::from_str(raw).map_err(|e| parse_error(raw, at, place, e))?,
        };
        self.read(raw, record, fallback, place)
    }

    /// Counts a record read in full, and keeps it when it is wanted.
    fn read(
        &mut self,
        raw: &str,
        record: RawRecord<'_>,
        fallback: Fallback,
        place: &dyn Fn() -> String,
    ) -> Result<(), FileError> {
        if !record.looks_like_record() {
            return Err(not_a_record(place));
        }
        self.count(record.service(), record.event_name.as_str());
        if self.wanted(record.event_source.as_str()) {
            let mut event = record.into_event(raw);
            if event.time.is_none() {
                event.time = fallback.time;
            }
            self.keep(event);
        }
        Ok(())
    }

    /// Whether a record of `source` is to be kept, and made into an event; one that was asked for and is
    /// past a limit of the file's is counted in `n_left` instead.
    fn wanted(&mut self, source: &str) -> bool {
        let transcribe = model::is_transcribe_source(source);
        let keep = (self.options.keep_all || transcribe) && !self.full;
        self.result.n_left += u64::from((self.asked_all || transcribe) && !keep);
        keep
    }

    /// Keeps an event; once those kept cost `keep_all_bytes`, stops keeping other services' events, and once
    /// they cost `keep_bytes`, any.
    fn keep(&mut self, event: model::Event) {
        self.kept_bytes += event.cost();
        if self.options.keep_all && self.options.keep_all_bytes.is_some_and(|most| self.kept_bytes >= most) {
            self.options.keep_all = false;
        }
        self.full = self.options.keep_bytes.is_some_and(|most| self.kept_bytes >= most);
        self.result.events.push(event);
    }

    /// Counts one record under its service and name, allocating either only the first time it is seen.
    fn count(&mut self, service: &str, name: &str) {
        self.result.n_records += 1;
        self.counts.add(service, name);
    }

    fn event(&mut self, event: model::Event) {
        let service = if event.event_source().is_empty() { "(no eventSource)" } else { event.event_source() };
        self.count(service, event.event_name());
        if self.wanted(event.event_source()) {
            self.keep(event);
        }
    }
}

/// A count per service and event name, in an open-addressed hash table. Written here because the worker
/// uses no other hash map: the standard one's generic table weighed 2.6 KB of the worker's download.
#[derive(Default)]
struct Tally {
    /// Index + 1 into `entries`, 0 for a free slot; a power of two long, at most half full.
    slots: Vec<u32>,
    entries: Vec<(String, String, u64)>,
}

impl Tally {
    fn add(&mut self, service: &str, name: &str) {
        if self.slots.len() < 2 * (self.entries.len() + 1) {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = Tally::hash(service, name) & mask;
        loop {
            match self.slots[at] {
                0 => {
                    self.entries.push((service.to_owned(), name.to_owned(), 1));
                    self.slots[at] = self.entries.len() as u32;
                    return;
                }
                i => {
                    let entry = &mut self.entries[i as usize - 1];
                    if entry.1 == name && entry.0 == service {
                        entry.2 += 1;
                        return;
                    }
                }
            }
            at = (at + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let mut slots = vec![0u32; (self.slots.len() * 2).max(64)];
        let mask = slots.len() - 1;
        for (i, (service, name, _)) in self.entries.iter().enumerate() {
            let mut at = Tally::hash(service, name) & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = i as u32 + 1;
        }
        self.slots = slots;
    }

    /// Eight bytes at a time, multiplied and folded: the strings are short and few enough that this
    /// spreads them well. The service's length goes in first, so that no two pairs read alike.
    fn hash(service: &str, name: &str) -> usize {
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut h = service.len() as u64;
        for text in [service, name] {
            let mut chunks = text.as_bytes().chunks_exact(8);
            for chunk in &mut chunks {
                h = (h ^ u64::from_le_bytes(chunk.try_into().unwrap_or_default())).wrapping_mul(K);
                h ^= h >> 29;
            }
            let mut tail = [0u8; 8];
            tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
            h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(K);
            h ^= h >> 29;
        }
        h as usize
    }
}

/// What a wrapper around a record knows about it.
#[derive(Clone, Copy, Default)]
struct Fallback {
    time: Option<EventTime>,
}

fn read_text(text: &[u8], gzip: bool, sink: &mut Sink<'_>) -> Result<Read, FileError> {
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(FileError::new("the file is empty (only white space)"));
    };
    match text[start] {
        b'{' | b'[' => read_json(text, sink),
        b'0'..=b'9' if looks_like_cloudwatch_export(&text[start..]) => {
            read_cloudwatch_export(text, sink).map(|()| Read::Events(Shape::CloudWatchExport))
        }
        _ if looks_like_event_history_csv(&text[start..]) => {
            read_event_history_csv(&text[start..], sink).map(|()| Read::Events(Shape::EventHistoryCsv))
        }
        _ => Err(FileError::new(decode::describe_unknown(text, gzip))),
    }
}

/// The keys that tell a top-level JSON object's shape. Everything else is skipped unread.
#[derive(Deserialize, Default)]
struct Envelope<'a> {
    #[serde(rename = "Records", borrow, default)]
    records: Option<&'a RawValue>,
    #[serde(rename = "Events", borrow, default)]
    lookup_events: Option<&'a RawValue>,
    #[serde(rename = "CloudTrailEvent", borrow, default)]
    cloudtrail_event: Text<'a>,
    #[serde(rename = "EventTime", borrow, default)]
    lookup_event_time: Option<&'a RawValue>,
    #[serde(borrow, default)]
    events: Option<&'a RawValue>,
    #[serde(rename = "logEvents", borrow, default)]
    log_events: Option<&'a RawValue>,
    #[serde(rename = "messageType", borrow, default)]
    message_type: Text<'a>,
    #[serde(borrow, default)]
    detail: Option<&'a RawValue>,
    #[serde(rename = "detail-type", borrow, default)]
    detail_type: Text<'a>,
    #[serde(rename = "digestStartTime", borrow, default)]
    digest_start_time: Text<'a>,
    #[serde(rename = "digestS3Object", borrow, default)]
    digest_s3_object: Text<'a>,
    #[serde(rename = "eventVersion", borrow, default)]
    event_version: Text<'a>,
    #[serde(rename = "eventName", borrow, default)]
    event_name: Text<'a>,
    #[serde(rename = "eventTime", borrow, default)]
    event_time: Text<'a>,
}

/// A `{"message": "...", "timestamp": ...}` entry of CloudWatch Logs output.
#[derive(Deserialize)]
struct LogEvent<'a> {
    #[serde(borrow, default)]
    message: Text<'a>,
    #[serde(default)]
    timestamp: Option<i64>,
}

fn read_json(text: &[u8], sink: &mut Sink<'_>) -> Result<Read, FileError> {
    let mut values = serde_json::Deserializer::from_slice(text).into_iter::<&RawValue>();
    let mut shapes = Vec::new();
    let mut n_values = 0usize;
    loop {
        let offset = values.byte_offset();
        let value = match values.next() {
            None => break,
            Some(Ok(value)) => value,
            Some(Err(error)) => return Err(json_error(&error, text)),
        };
        n_values += 1;
        let line = line_of(text, offset);
        let place = |what: &str| if n_values == 1 { what.to_owned() } else { format!("line {line}: {what}") };
        match read_value(value, sink, &place)? {
            Read::Digest if n_values == 1 => return Ok(Read::Digest),
            Read::Digest => return Err(FileError::new(place("a digest object among records"))),
            Read::Events(shape) => shapes.push(shape),
        }
    }
    let shape = shape_of(&shapes)?;
    Ok(Read::Events(shape))
}

fn read_value(value: &RawValue, sink: &mut Sink<'_>, place: &dyn Fn(&str) -> String) -> Result<Read, FileError> {
    let json = value.get();
    if json.starts_with('[') {
        let items = list(value, &place("the array"))?;
        for (i, item) in items.iter().enumerate() {
            read_item(item.get(), sink, &|| place(&format!("item {} of the array", i + 1)))?;
        }
        return Ok(Read::Events(Shape::Array));
    }
    if !json.starts_with('{') {
        return Err(FileError::new(place("a JSON value that is not an object or a list of records")));
    }
    let envelope: Envelope<'_> =
        serde_json::from_str(json).map_err(|e| FileError::new(format!("{}: {e}", place("the JSON object"))))?;
    if let Some(records) = envelope.records {
        for (i, record) in list(records, &place("\"Records\""))?.iter().enumerate() {
            sink.record(record.get(), Fallback::default(), &|| place(&format!("record {} in \"Records\"", i + 1)))?;
        }
        return Ok(Read::Events(Shape::Records));
    }
    if envelope.digest_start_time.is_some() || envelope.digest_s3_object.is_some() {
        return Ok(Read::Digest);
    }
    if let Some(events) = envelope.lookup_events {
        for (i, item) in list(events, &place("\"Events\""))?.iter().enumerate() {
            read_item(item.get(), sink, &|| place(&format!("event {} in \"Events\"", i + 1)))?;
        }
        return Ok(Read::Events(Shape::LookupEvents));
    }
    if envelope.cloudtrail_event.is_some() {
        read_lookup_event(&envelope, sink, &|| place("the event"))?;
        return Ok(Read::Events(Shape::LookupEvents));
    }
    if let Some(events) = envelope.events {
        read_log_events(events, "events", sink, place)?;
        return Ok(Read::Events(Shape::FilterLogEvents));
    }
    if let Some(log_events) = envelope.log_events {
        // Control messages are CloudWatch's health checks: loaded, no records.
        if envelope.message_type.as_str() != "CONTROL_MESSAGE" {
            read_log_events(log_events, "logEvents", sink, place)?;
        }
        return Ok(Read::Events(Shape::Subscription));
    }
    if let (Some(detail), true) = (envelope.detail, envelope.detail_type.is_some()) {
        sink.record(detail.get(), Fallback::default(), &|| place("the EventBridge detail"))?;
        return Ok(Read::Events(Shape::EventBridge));
    }
    if envelope.event_version.is_some() || envelope.event_name.is_some() || envelope.event_time.is_some() {
        sink.record(json, Fallback::default(), &|| place("the record"))?;
        return Ok(Read::Events(Shape::SingleRecord));
    }
    // Said of the file when it is its one value ("a JSON object ..."), else of the value's line.
    let whose = place("");
    let whose = if whose.is_empty() { String::new() } else { format!("{} ", whose.trim_end()) };
    Err(FileError::new(format!("{whose}a JSON object that is not a CloudTrail log (keys: {})", keys_of(json))))
}

/// An item of a bare array or of `"Events"`: a record, or a lookup-events event wrapping one.
fn read_item(item: &str, sink: &mut Sink<'_>, place: &dyn Fn() -> String) -> Result<(), FileError> {
    if !item.starts_with('{') {
        return Err(FileError::new(format!("{}: not a CloudTrail record (not a JSON object)", place())));
    }
    let envelope: Envelope<'_> = serde_json::from_str(item).map_err(|e| FileError::new(format!("{}: {e}", place())))?;
    if envelope.cloudtrail_event.is_some() {
        read_lookup_event(&envelope, sink, place)
    } else if let (Some(detail), true) = (envelope.detail, envelope.detail_type.is_some()) {
        sink.record(detail.get(), Fallback::default(), place)
    } else {
        sink.record(item, Fallback::default(), place)
    }
}

/// `CloudTrailEvent` is the record as a JSON document inside a string: its unescaped text is the original.
fn read_lookup_event(
    envelope: &Envelope<'_>,
    sink: &mut Sink<'_>,
    place: &dyn Fn() -> String,
) -> Result<(), FileError> {
    let fallback = Fallback { time: envelope.lookup_event_time.and_then(lookup_time) };
    let inner = envelope.cloudtrail_event.as_str();
    sink.record(inner, fallback, &|| format!("{}: CloudTrailEvent", place()))
}

/// `EventTime` of lookup-events: ISO 8601 with an offset, boto3's `2022-02-08 09:23:37+11:00`, or epoch seconds.
fn lookup_time(value: &RawValue) -> Option<EventTime> {
    let text: Text<'_> = serde_json::from_str(value.get()).ok()?;
    let text = text.as_str();
    EventTime::parse(text).or_else(|| text.parse::<f64>().ok().and_then(EventTime::from_epoch_seconds))
}

fn read_log_events(
    events: &RawValue,
    key: &str,
    sink: &mut Sink<'_>,
    place: &dyn Fn(&str) -> String,
) -> Result<(), FileError> {
    let list_place = place(&format!("\"{key}\""));
    for (i, item) in list(events, &list_place)?.iter().enumerate() {
        let here = || place(&format!("log event {} in \"{key}\"", i + 1));
        let log_event: LogEvent<'_> =
            serde_json::from_str(item.get()).map_err(|e| FileError::new(format!("{}: {e}", here())))?;
        let fallback = Fallback { time: log_event.timestamp.map(EventTime) };
        sink.record(log_event.message.as_str(), fallback, &here)?;
    }
    Ok(())
}

fn list<'a>(value: &'a RawValue, place: &str) -> Result<Vec<&'a RawValue>, FileError> {
    if !value.get().starts_with('[') {
        let found = match value.get().as_bytes().first() {
            Some(b'{') => "an object",
            Some(b'"') => "a string",
            Some(b'n') => "null",
            _ => "a single value",
        };
        return Err(FileError::new(format!("{place} should be a list of records, but it is {found}")));
    }
    serde_json::from_str(value.get()).map_err(|e| FileError::new(format!("{place}: {e}")))
}

/// The top-level keys of a JSON object (already read as one), sorted, for an error message. Found by hand:
/// serde's map machinery for this one message would weigh kilobytes in the workers' download.
fn keys_of(json: &str) -> String {
    let b = json.as_bytes();
    let mut keys: Vec<&str> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                let colon =
                    b.get(i + 1..).and_then(|rest| rest.iter().find(|c| !c.is_ascii_whitespace())) == Some(&b':');
                if let (1, true, Some(key)) = (depth, colon, json.get(start..i)) {
                    // The seven first in order, kept sorted and without repeats as they come (a sort would add
                    // its own code): six to name, and one to say there are more.
                    if let Err(at) = keys.binary_search(&key) {
                        keys.insert(at, key);
                        keys.truncate(7);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut names: Vec<&str> = keys.iter().copied().take(6).collect();
    if keys.len() > names.len() {
        names.push("...");
    }
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// A record that serde could not read: where in the file, when the error is one of syntax and the place
/// is known.
fn parse_error(raw: &str, at: Option<crate::split::At>, place: &dyn Fn() -> String, e: serde_json::Error) -> FileError {
    match at {
        Some(at) if e.is_syntax() || e.is_eof() => {
            FileError::new(format!("{}: {}", place(), json_error_at(&e, raw.as_bytes(), at)))
        }
        _ => FileError::new(format!("{}: not a readable CloudTrail record: {e}", place())),
    }
}

/// A serde error inside a unit that starts at `at` in the file.
fn json_error_at(error: &serde_json::Error, unit: &[u8], at: crate::split::At) -> FileError {
    let byte = at.offset + byte_of(unit, error.line(), error.column()) as u64;
    let line = at.line(unit) + error.line() as u64 - 1;
    describe_json_error(error, byte, line)
}

fn json_error(error: &serde_json::Error, text: &[u8]) -> FileError {
    let at = byte_of(text, error.line(), error.column());
    describe_json_error(error, at as u64, error.line() as u64)
}

fn describe_json_error(error: &serde_json::Error, at: u64, line: u64) -> FileError {
    match error.classify() {
        serde_json::error::Category::Eof => {
            FileError::new(format!("the JSON ends early at byte {at} (line {line}): the file looks truncated"))
        }
        _ => {
            // serde_json's message ends with its own "at line L column C"; say it once, with the byte.
            let message = error.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
            FileError::new(format!("invalid JSON at byte {at} (line {line}): {message}"))
        }
    }
}

fn byte_of(text: &[u8], line: usize, column: usize) -> usize {
    let mut line_start = 0;
    for _ in 1..line {
        match text[line_start..].iter().position(|&b| b == b'\n') {
            Some(i) => line_start += i + 1,
            None => break,
        }
    }
    (line_start + column).min(text.len())
}

fn line_of(text: &[u8], offset: usize) -> usize {
    let before = &text[..offset.min(text.len())];
    // The value starts after the white space that follows `offset`.
    let skipped = text[before.len()..].iter().take_while(|b| b.is_ascii_whitespace()).filter(|&&b| b == b'\n').count();
    before.iter().filter(|&&b| b == b'\n').count() + skipped + 1
}

/// `2022-03-07T15:00:11.000Z {` at the start of the first line.
fn looks_like_cloudwatch_export(text: &[u8]) -> bool {
    let line = text.split(|&b| b == b'\n').next().unwrap_or_default();
    let Some(space) = line.iter().position(|&b| b == b' ') else {
        return false;
    };
    let stamp = std::str::from_utf8(&line[..space]).unwrap_or_default();
    EventTime::parse(stamp).is_some() && line[space + 1..].trim_ascii_start().starts_with(b"{")
}

fn read_cloudwatch_export(text: &[u8], sink: &mut Sink<'_>) -> Result<(), FileError> {
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        cloudwatch_line(line, i as u64 + 1, sink)?;
    }
    Ok(())
}

/// One line of a CloudWatch Logs export: a time, a space, the record.
fn cloudwatch_line(line: &[u8], number: u64, sink: &mut Sink<'_>) -> Result<(), FileError> {
    let line = line.trim_ascii();
    if line.is_empty() {
        return Ok(());
    }
    let place = || format!("line {number}");
    let line = std::str::from_utf8(line).map_err(|_| FileError::new(format!("{}: not valid UTF-8 text", place())))?;
    let (stamp, json) = line
        .split_once(' ')
        .ok_or_else(|| FileError::new(format!("{}: expected a time, a space and a JSON record", place())))?;
    let fallback = Fallback { time: EventTime::parse(stamp) };
    sink.record(json, fallback, &place)
}

/// The console's CSV download starts with a header row naming `Event name` and `Event time`.
fn looks_like_event_history_csv(text: &[u8]) -> bool {
    let line = text.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line).to_ascii_lowercase();
    line.contains(',') && line.contains("event name") && line.contains("event time")
}

/// Columns of the console CSV, found by header name.
struct CsvColumns {
    headers: Vec<String>,
    index: BTreeMap<String, usize>,
}

impl CsvColumns {
    fn get<'r>(&self, row: &'r csv::StringRecord, name: &str) -> &'r str {
        self.index.get(name).and_then(|&i| row.get(i)).map(str::trim).unwrap_or("")
    }
}

fn read_event_history_csv(text: &[u8], sink: &mut Sink<'_>) -> Result<(), FileError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let headers = reader.headers().map_err(|e| csv_error(&e))?.clone();
    // Inserted one by one (a repeated header's last column stands, as with `collect`): collecting into a
    // BTreeMap sorts first, which brought a stable sort's code, some 3 KB, into the worker's download.
    let mut index = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        index.insert(h.trim().to_ascii_lowercase(), i);
    }
    let columns = CsvColumns { headers: headers.iter().map(str::to_owned).collect(), index };
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => sink.event(csv_event(&columns, &row)),
            Err(error) => return Err(csv_error(&error)),
        }
    }
    Ok(())
}

fn csv_event(columns: &CsvColumns, row: &csv::StringRecord) -> model::Event {
    let get = |name: &str| columns.get(row, name);
    let (event_source, event_name, error_code) = (get("event source"), get("event name"), get("error code"));
    let transcribe = model::is_transcribe_source(event_source)
        .then(|| transcribe::from_summary(event_name, error_code, get("resources")));
    // The row's cells, by header, stand in for the original JSON a CSV row does not have: an object with
    // its keys in order, the last of a repeated header standing, as `serde_json::Map` writes one (written
    // here from strings: `serde_json::Value`'s writer weighed on the worker's download).
    let mut cells = BTreeMap::new();
    for (header, cell) in columns.headers.iter().zip(row.iter()) {
        cells.insert(header.as_str(), cell);
    }
    let json = |text: &str| serde_json::to_string(text).unwrap_or_default();
    let members: Vec<String> =
        cells.into_iter().map(|(header, cell)| format!("{}:{}", json(header), json(cell))).collect();
    let raw = format!("{{{}}}", members.join(","));
    let texts = [
        event_name,
        event_source,
        get("aws region"),
        get("recipient account id"),
        "",
        get("user name"),
        "",
        get("aws access key"),
        "",
        get("source ip address"),
        get("user agent"),
        error_code,
        "",
        get("event type"),
        get("request id"),
        get("event id"),
    ];
    let facts = model::Facts {
        time: EventTime::parse(get("event time")),
        read_only: parse_bool(get("read-only")),
        summary_only: true,
        transcribe: transcribe.map(Box::new),
    };
    model::Event::new(&raw, texts, facts)
}

fn csv_error(error: &csv::Error) -> FileError {
    match error.position() {
        Some(position) => FileError::new(format!("CSV error at line {}: {error}", position.line())),
        None => FileError::new(format!("CSV error: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_row_stands_as_the_json_object_serde_writes_of_its_cells() {
        let text = "Event name,Event source,Zeta,Event name,Quote \"q\"\nStartTranscriptionJob,transcribe.amazonaws.com,\"a,\"\"b\"\"\",Again,<é\t>\n";
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers: Vec<String> = reader.headers().expect("headers").iter().map(str::to_owned).collect();
        let row = reader.records().next().expect("a row").expect("a row");
        let columns = CsvColumns {
            headers: headers.clone(),
            index: headers.iter().enumerate().map(|(i, h)| (h.trim().to_ascii_lowercase(), i)).collect(),
        };
        let mut map = serde_json::Map::new();
        for (header, cell) in headers.iter().zip(row.iter()) {
            map.insert(header.clone(), serde_json::Value::String(cell.to_owned()));
        }
        assert_eq!(csv_event(&columns, &row).raw(), serde_json::Value::Object(map).to_string());
    }

    #[test]
    fn past_keep_all_bytes_only_transcribe_events_are_kept_and_every_record_is_counted() {
        let record = |i: usize, source: &str| {
            format!(
                r#"{{"eventVersion":"1.08","eventTime":"2026-03-02T08:00:00Z","eventSource":"{source}","eventName":"E{i}","eventID":"id-{i}"}}"#
            )
        };
        let sources = ["s3.amazonaws.com", "transcribe.amazonaws.com", "kms.amazonaws.com"];
        let records: Vec<String> = (0..30).map(|i| record(i, sources[i % 3])).collect();
        let text = format!(r#"{{"Records":[{}]}}"#, records.join(","));
        // Once four events are kept, whatever their service, only Transcribe's.
        let kept =
            ingest_file("f.json", text.as_bytes(), &IngestOptions { keep_all: true, ..IngestOptions::default() });
        let most = kept.events[..4].iter().map(model::Event::cost).sum::<u64>();
        let options = IngestOptions { keep_all: true, keep_all_bytes: Some(most), keep_bytes: None };
        for result in
            [ingest_file("f.json", text.as_bytes(), &options), ingest_whole("f.json", text.as_bytes(), &options)]
        {
            let names: Vec<&str> = result.events.iter().map(|e| e.event_name()).collect();
            let mut want = vec!["E0", "E1", "E2", "E3"];
            let later: Vec<String> = (4..30).filter(|i| i % 3 == 1).map(|i| format!("E{i}")).collect();
            want.extend(later.iter().map(String::as_str));
            assert_eq!(names, want);
            assert_eq!(result.n_records, 30);
            assert_eq!(result.per_service.values().sum::<u64>(), 30);
            // Every event was asked for: those not kept were left.
            assert_eq!(result.n_left, 30 - want.len() as u64);
        }
        // Without a limit, or just above what the file's events cost, every event is kept.
        let all = kept.events.iter().map(model::Event::cost).sum::<u64>();
        for keep_all_bytes in [None, Some(all + 1)] {
            let result = ingest_file(
                "f.json",
                text.as_bytes(),
                &IngestOptions { keep_all: true, keep_all_bytes, ..IngestOptions::default() },
            );
            assert_eq!(result.events.len(), 30);
        }
    }

    #[test]
    fn past_keep_bytes_no_event_is_kept_and_those_left_are_counted() {
        let record = |i: usize, source: &str| {
            format!(
                r#"{{"eventVersion":"1.08","eventTime":"2026-03-02T08:00:00Z","eventSource":"{source}","eventName":"E{i}","eventID":"id-{i}"}}"#
            )
        };
        let sources = ["s3.amazonaws.com", "transcribe.amazonaws.com"];
        let records: Vec<String> = (0..40).map(|i| record(i, sources[i % 2])).collect();
        let text = format!(r#"{{"Records":[{}]}}"#, records.join(","));
        let transcribe = ingest_file("f.json", text.as_bytes(), &IngestOptions::default());
        assert_eq!(transcribe.events.len(), 20);
        // The event that reaches the limit is kept, none after it: the first three Transcribe ones, and the
        // other seventeen are left, counted as every record is.
        let most = transcribe.events[..3].iter().map(model::Event::cost).sum::<u64>();
        let options = IngestOptions { keep_bytes: Some(most), ..IngestOptions::default() };
        for result in
            [ingest_file("f.json", text.as_bytes(), &options), ingest_whole("f.json", text.as_bytes(), &options)]
        {
            let names: Vec<&str> = result.events.iter().map(|e| e.event_name()).collect();
            assert_eq!(names, ["E1", "E3", "E5"]);
            assert_eq!((result.n_records, result.n_left), (40, 17));
            assert_eq!(result.per_name["transcribe.amazonaws.com"].len(), 20);
        }
        // Every event kept: the first three records of any service, then none; each record after them was
        // wanted.
        let all = ingest_file("f.json", text.as_bytes(), &IngestOptions { keep_all: true, ..IngestOptions::default() });
        let most = all.events[..3].iter().map(model::Event::cost).sum::<u64>();
        let options = IngestOptions { keep_all: true, keep_bytes: Some(most), ..IngestOptions::default() };
        let result = ingest_file("f.json", text.as_bytes(), &options);
        let names: Vec<&str> = result.events.iter().map(|e| e.event_name()).collect();
        assert_eq!((names, result.n_left), (vec!["E0", "E1", "E2"], 37));
        // A file that fails leaves nothing, its left records neither.
        let broken = format!(r#"{{"Records":[{},{{"eventVersion":]}}"#, records.join(","));
        let failed = ingest_file("f.json", broken.as_bytes(), &options);
        assert!(matches!(failed.outcome, Outcome::Failed(_)));
        assert_eq!((failed.events.len(), failed.n_left), (0, 0));
    }

    #[test]
    fn counts_keep_every_service_and_name_apart() {
        let mut result = unread("t", Outcome::Skipped { reason: String::new() });
        Sink::run(IngestOptions::default(), &mut result, |sink| {
            // Pairs whose service and name run together the same way, and enough names to grow the table.
            for (service, name) in [("ab", "c"), ("a", "bc"), ("", "abc"), ("abc", ""), ("a\0b", "c"), ("a", "\0bc")] {
                sink.count(service, name);
            }
            for i in 0..1000u32 {
                for _ in 0..=i % 3 {
                    sink.count("s3.amazonaws.com", &format!("Name{i}"));
                }
            }
        });
        assert_eq!(result.n_records, 6 + (0..1000u64).map(|i| i % 3 + 1).sum::<u64>());
        for service in ["ab", "a", "", "abc", "a\0b"] {
            let names = &result.per_name[service];
            assert_eq!(names.values().sum::<u64>(), result.per_service[service], "{service:?}");
        }
        assert_eq!(result.per_name["a"].keys().collect::<Vec<_>>(), ["\0bc", "bc"]);
        assert_eq!(result.per_name["ab"]["c"], 1);
        assert_eq!(result.per_name[""]["abc"], 1);
        assert_eq!(result.per_name["abc"][""], 1);
        let s3 = &result.per_name["s3.amazonaws.com"];
        assert_eq!(s3.len(), 1000);
        assert!((0..1000u32).all(|i| s3[&format!("Name{i}")] == u64::from(i % 3 + 1)));
    }
}

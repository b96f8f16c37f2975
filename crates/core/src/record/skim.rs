//! Records read without serde: for the records that are only counted (most of a delivery), serde's general
//! machinery costs more than reading the file did, and for those kept, more than all else a worker does.
//!
//! [`skim`] checks that the whole record is JSON (RFC 8259, as strictly as serde_json) and takes the five
//! top-level fields of [`RecordSummary`]; [`read`] does the same and takes every field of [`RawRecord`].
//! They answer only when they are sure serde would read the same thing: a key or a field that is read
//! written with escapes, a `\u` escape anywhere, a number where a text is read, a field given twice,
//! nesting deeper than 64, or any syntax error all give `None`, and the caller asks serde, whose answer
//! (or error message) stands. So they can only be faster, never different.

use std::borrow::Cow;

use super::{Json, RawIdentity, RawIssuer, RawOnBehalfOf, RawRecord, RawSessionContext, RecordSummary, Text};

mod blocks;

/// Reads `raw` as [`RecordSummary`] would be deserialized, or `None` where serde must decide.
pub(crate) fn skim(raw: &str) -> Option<RecordSummary<'_>> {
    let read = summary_at(raw.as_bytes(), true)?;
    Some(summary(raw, &read.fields))
}

/// A record that starts at `text[0]` and ends where its object closes, somewhere in `text` (the rest of a
/// chunk of a file): its summary as [`skim`] reads it, with its length and the line breaks in it. So the
/// records that are only counted are read once, not found by the splitter and then read again. Gives
/// the summary, the record's text and its line breaks; `None` where [`skim`] would say `None` of the
/// record alone, where the record does not end in `text`, and where it is not UTF-8 (its error is the
/// splitter's path to say).
pub(crate) fn skim_ahead(text: &[u8]) -> Option<(RecordSummary<'_>, &str, u64)> {
    let read = summary_at(text, false)?;
    let raw = crate::caseless::utf8(&text[..read.end]).ok()?;
    Some((summary(raw, &read.fields), raw, read.lines))
}

/// Reads `raw` as [`RawRecord`] would be deserialized, or `None` where serde must decide.
pub(crate) fn read(raw: &str) -> Option<RawRecord<'_>> {
    Some(record_at(raw.as_bytes(), true)?.record(raw))
}

/// [`read`] of a record that starts at `text[0]` and ends somewhere in `text`, as [`skim_ahead`] reads one:
/// the record, its text and its line breaks, so a kept record too is read once.
pub(crate) fn read_ahead(text: &[u8]) -> Option<(RawRecord<'_>, &str, u64)> {
    let at = record_at(text, false)?;
    let raw = crate::caseless::utf8(&text[..at.end]).ok()?;
    Some((at.record(raw), raw, at.lines))
}

/// Where a record's five fields are, where it ends, and how many line breaks it holds.
#[cfg_attr(test, derive(Debug, PartialEq))]
struct Read {
    /// Byte ranges of `eventVersion`, `eventTime`, `eventSource`, `eventName`, `eventType`.
    fields: [Option<(usize, usize)>; 5],
    end: usize,
    lines: u64,
}

fn summary<'r>(raw: &'r str, fields: &[Option<(usize, usize)>; 5]) -> RecordSummary<'r> {
    let text = |at: Option<(usize, usize)>| at.map_or(Text(None), |(start, end)| Scalar::Span(start, end).text(raw));
    let [version, time, source, name, kind] = *fields;
    RecordSummary {
        event_version: text(version),
        event_time: text(time),
        event_source: text(source),
        event_name: text(name),
        event_type: text(kind),
    }
}

/// Reads one object from the start of `b`; `whole` asks that only white space follows it. A compact record
/// is read 64 bytes at a time ([`blocks`]); anything that reading is not sure of, a token at a time.
fn summary_at(b: &[u8], whole: bool) -> Option<Read> {
    if let Some(read) = blocks::summary_at(b, whole) {
        return Some(read);
    }
    summary_by_token(b, whole)
}

/// [`summary_at`] a token at a time.
fn summary_by_token(b: &[u8], whole: bool) -> Option<Read> {
    let mut p = Reader::new(b);
    let mut fields: [Option<(usize, usize)>; 5] = [None; 5];
    p.ws();
    p.members(&mut |p, key| {
        let slot = match key {
            b"eventVersion" => 0,
            b"eventTime" => 1,
            b"eventSource" => 2,
            b"eventName" => 3,
            b"eventType" => 4,
            _ => return p.value(),
        };
        // A field given twice is an error for serde's derived structs.
        if fields[slot].is_some() {
            return None;
        }
        p.eat(b'"')?;
        fields[slot] = Some(p.plain_string()?);
        Some(())
    })?;
    let end = p.end(whole)?;
    Some(Read { fields, end, lines: p.lines })
}

/// A field that [`Text`] reads, as found: serde reads `null`, an object and a list as absent, `true` and
/// `false` as those words, and a string without escapes as a piece of the record.
#[derive(Clone, Copy, Default)]
enum Scalar {
    #[default]
    Unseen,
    Absent,
    Span(usize, usize),
    Word(&'static str),
}

impl Scalar {
    /// Both ends of a span sit next to an ASCII quote, never inside a character; were one not, the text
    /// would read as absent rather than panic. Not inlined: a record's two dozen fields would each carry
    /// a copy into the worker's download.
    #[inline(never)]
    fn text(self, raw: &str) -> Text<'_> {
        Text(match self {
            Scalar::Unseen | Scalar::Absent => None,
            Scalar::Span(start, end) => raw.get(start..end).map(Cow::Borrowed),
            Scalar::Word(word) => Some(Cow::Borrowed(word)),
        })
    }
}

/// Where each field of a [`RawRecord`] is.
#[derive(Default)]
struct RecordAt {
    /// In the order of `RECORD_TEXTS`.
    texts: [Scalar; 14],
    identity: Option<IdentityAt>,
    request: Option<(usize, usize)>,
    response: Option<(usize, usize)>,
    end: usize,
    lines: u64,
}

/// The fields of a record that [`Text`] reads, in the order of [`RecordAt::texts`].
const RECORD_TEXTS: [&[u8]; 14] = [
    b"eventVersion",
    b"eventTime",
    b"eventSource",
    b"eventName",
    b"awsRegion",
    b"sourceIPAddress",
    b"userAgent",
    b"errorCode",
    b"errorMessage",
    b"requestID",
    b"eventID",
    b"readOnly",
    b"eventType",
    b"recipientAccountId",
];

/// Where each field of a [`RawIdentity`] is; `issuer` and `on_behalf_of` are `None` where their object
/// is absent or null, and hold [`Scalar::Unseen`] where the object lacks the name.
#[derive(Default)]
struct IdentityAt {
    /// `type`, `principalId`, `arn`, `accountId`, `accessKeyId`, `userName`, `invokedBy`.
    texts: [Scalar; 7],
    session_context: Option<Option<Scalar>>,
    on_behalf_of: Option<Scalar>,
}

impl RecordAt {
    fn record<'r>(&self, raw: &'r str) -> RawRecord<'r> {
        let [version, time, source, name, region, ip, agent, code, message, request_id, event_id, read_only, kind, account] =
            self.texts;
        let json = |at: Option<(usize, usize)>| at.and_then(|(start, end)| raw.get(start..end)).map(Json);
        let identity = self.identity.as_ref().map(|at| {
            let [kind, principal, arn, account, key, user, invoked_by] = at.texts;
            RawIdentity {
                kind: kind.text(raw),
                principal_id: principal.text(raw),
                arn: arn.text(raw),
                account_id: account.text(raw),
                access_key_id: key.text(raw),
                user_name: user.text(raw),
                invoked_by: invoked_by.text(raw),
                session_context: at.session_context.map(|issuer| RawSessionContext {
                    session_issuer: issuer.map(|user| RawIssuer { user_name: user.text(raw) }),
                }),
                on_behalf_of: at.on_behalf_of.map(|user| RawOnBehalfOf { user_id: user.text(raw) }),
            }
        });
        RawRecord {
            event_version: version.text(raw),
            user_identity: identity,
            event_time: time.text(raw),
            event_source: source.text(raw),
            event_name: name.text(raw),
            aws_region: region.text(raw),
            source_ip_address: ip.text(raw),
            user_agent: agent.text(raw),
            error_code: code.text(raw),
            error_message: message.text(raw),
            request_parameters: json(self.request),
            response_elements: json(self.response),
            request_id: request_id.text(raw),
            event_id: event_id.text(raw),
            read_only: read_only.text(raw),
            event_type: kind.text(raw),
            recipient_account_id: account.text(raw),
        }
    }
}

/// Reads one record from the start of `b` as [`RawRecord`]'s fields; `whole` asks that only white space
/// follows it.
fn record_at(b: &[u8], whole: bool) -> Option<RecordAt> {
    let mut p = Reader::new(b);
    let mut at = RecordAt::default();
    // Each field once: serde's derived structs refuse a field given twice.
    let mut seen = 0u32;
    p.ws();
    p.members(&mut |p, key| {
        let slot = match RECORD_TEXTS.iter().position(|&name| name == key) {
            Some(slot) => slot,
            None => match key {
                b"userIdentity" => 14,
                b"requestParameters" => 15,
                b"responseElements" => 16,
                _ => return p.value(),
            },
        };
        if seen & (1 << slot) != 0 {
            return None;
        }
        seen |= 1 << slot;
        match slot {
            14 => at.identity = p.optional(Reader::identity)?,
            15 => at.request = p.json()?,
            16 => at.response = p.json()?,
            _ => at.texts[slot] = p.scalar()?,
        }
        Some(())
    })?;
    at.end = p.end(whole)?;
    at.lines = p.lines;
    Some(at)
}

/// Deepest nesting read here; deeper records go to serde, which has its own rule for them.
const MAX_DEPTH: u32 = 64;

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    /// Start of the 64 bytes (counted from the record's start) whose `"`, `\` and control bytes are in
    /// `special`, one bit per byte; `usize::MAX` before any. A record's strings are short and many, so
    /// one pass of SIMD compares serves every string of a block, and finding a string's end is a shift.
    block: usize,
    special: u64,
    /// Line breaks read (only white space may hold them).
    lines: u64,
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8]) -> Reader<'a> {
        Reader { b, i: 0, block: usize::MAX, special: 0, lines: 0 }
    }

    /// Where the object that was read ends; `whole` asks that only white space follows it.
    fn end(&mut self, whole: bool) -> Option<usize> {
        let end = self.i;
        if whole {
            self.ws();
            if self.i != self.b.len() {
                return None;
            }
        }
        Some(end)
    }

    /// Reads an object, handing each key (without escapes) to `member`, which reads its value. One copy of
    /// this code serves every object read (a call through `dyn` per key costs little beside reading it),
    /// since each copy weighs on every visit's download of the worker.
    fn members(&mut self, member: &mut dyn FnMut(&mut Self, &[u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        let b = self.b;
        loop {
            self.eat(b'"')?;
            let (start, end) = self.plain_string()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            member(self, &b[start..end])?;
            self.ws();
            if self.eat(b',').is_some() {
                self.ws();
                continue;
            }
            return self.eat(b'}');
        }
    }

    /// A value that [`Text`] reads. A number is left to serde, which spells it its own way.
    fn scalar(&mut self) -> Option<Scalar> {
        Some(match self.peek()? {
            b'"' => {
                self.i += 1;
                let (start, end) = self.plain_string()?;
                Scalar::Span(start, end)
            }
            b't' => self.literal(b"true").map(|()| Scalar::Word("true"))?,
            b'f' => self.literal(b"false").map(|()| Scalar::Word("false"))?,
            b'{' | b'[' | b'n' => self.value().map(|()| Scalar::Absent)?,
            _ => return None,
        })
    }

    /// A value read as `Option<Json>`: `null` is `None`, anything else where it stands.
    fn json(&mut self) -> Option<Option<(usize, usize)>> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|()| None);
        }
        let start = self.i;
        self.value()?;
        Some(Some((start, self.i)))
    }

    /// An `Option` of a struct: `null` is `None`, an object is read by `read`; anything else (a list,
    /// which serde would read field by field, or an error) is left to serde.
    fn optional<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.peek()? {
            b'n' => self.literal(b"null").map(|()| None),
            b'{' => read(self).map(Some),
            _ => None,
        }
    }

    /// An object with one field that [`Text`] reads, `name`, such as `sessionIssuer.userName`.
    fn one(&mut self, name: &[u8]) -> Option<Scalar> {
        let mut found = Scalar::Unseen;
        self.members(&mut |p, key| {
            if key != name {
                return p.value();
            }
            if !matches!(found, Scalar::Unseen) {
                return None;
            }
            found = p.scalar()?;
            Some(())
        })?;
        Some(found)
    }

    fn identity(&mut self) -> Option<IdentityAt> {
        const TEXTS: [&[u8]; 7] =
            [b"type", b"principalId", b"arn", b"accountId", b"accessKeyId", b"userName", b"invokedBy"];
        let mut at = IdentityAt::default();
        let mut seen = 0u32;
        self.members(&mut |p, key| {
            let slot = match TEXTS.iter().position(|&name| name == key) {
                Some(slot) => slot,
                None => match key {
                    b"sessionContext" => 7,
                    b"onBehalfOf" => 8,
                    _ => return p.value(),
                },
            };
            if seen & (1 << slot) != 0 {
                return None;
            }
            seen |= 1 << slot;
            match slot {
                7 => {
                    at.session_context = p.optional(|p| {
                        let mut issuer = None;
                        let mut seen = false;
                        p.members(&mut |p, key| {
                            if key != b"sessionIssuer" {
                                return p.value();
                            }
                            if std::mem::replace(&mut seen, true) {
                                return None;
                            }
                            issuer = p.optional(|p| p.one(b"userName"))?;
                            Some(())
                        })?;
                        Some(issuer)
                    })?
                }
                8 => at.on_behalf_of = p.optional(|p| p.one(b"userId"))?,
                _ => at.texts[slot] = p.scalar()?,
            }
            Some(())
        })?;
        Some(at)
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline(always)]
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.i += 1)
    }

    #[inline(always)]
    fn ws(&mut self) {
        // Compact JSON has none: one compare says so.
        if self.peek().is_none_or(|b| b > b' ') {
            return;
        }
        while let Some(b @ (b' ' | b'\t' | b'\n' | b'\r')) = self.peek() {
            self.lines += u64::from(b == b'\n');
            self.i += 1;
        }
    }

    /// Where the rest of a string whose opening quote was read lies, when it holds no escape at all.
    #[inline(always)]
    fn plain_string(&mut self) -> Option<(usize, usize)> {
        let start = self.i;
        if self.string()? {
            return None;
        }
        Some((start, self.i - 1))
    }

    /// Skips the rest of a string whose opening quote was read; whether it held escapes. `\u` escapes and
    /// control characters give `None`.
    #[inline(always)]
    fn string(&mut self) -> Option<bool> {
        let mut escapes = false;
        loop {
            self.i = self.next_special(self.i);
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(escapes);
                }
                b'\\' => match self.b.get(self.i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {
                        self.i += 2;
                        escapes = true;
                    }
                    _ => return None,
                },
                _ => return None,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.b.get(self.i..)?.starts_with(word).then(|| self.i += word.len())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<()> {
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
    }

    /// Skips one value of any kind, checking it. Nesting is a stack of bits (1 for an object) rather than
    /// recursion, so no record can exhaust the stack.
    fn value(&mut self) -> Option<()> {
        let mut objects = 0u64;
        let mut depth = 0u32;
        loop {
            // A value is expected here.
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    self.string()?;
                }
                open @ (b'{' | b'[') => {
                    self.i += 1;
                    self.ws();
                    let object = open == b'{';
                    if self.eat(if object { b'}' } else { b']' }).is_none() {
                        if depth == MAX_DEPTH {
                            return None;
                        }
                        objects = (objects << 1) | object as u64;
                        depth += 1;
                        if object {
                            self.key()?;
                        }
                        self.ws();
                        continue;
                    }
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // A value ended: close what it ends, or go on to the next item.
            loop {
                if depth == 0 {
                    return Some(());
                }
                self.ws();
                let object = objects & 1 == 1;
                match self.peek()? {
                    b',' => {
                        self.i += 1;
                        self.ws();
                        if object {
                            self.key()?;
                            self.ws();
                        }
                        break;
                    }
                    b'}' if object => {}
                    b']' if !object => {}
                    _ => return None,
                }
                self.i += 1;
                objects >>= 1;
                depth -= 1;
            }
        }
    }

    /// A key and its colon, inside an object.
    #[inline(always)]
    fn key(&mut self) -> Option<()> {
        self.eat(b'"')?;
        self.string()?;
        self.ws();
        self.eat(b':')
    }

    /// Index of the first `"`, `\` or control character at or after `i`, or the end.
    #[inline(always)]
    fn next_special(&mut self, mut i: usize) -> usize {
        loop {
            let start = i & !63;
            if start != self.block {
                if start >= self.b.len() {
                    return self.b.len();
                }
                self.special = special64(&self.b[start..]);
                self.block = start;
            }
            let rest = self.special >> (i & 63);
            if rest != 0 {
                return i + rest.trailing_zeros() as usize;
            }
            i = start + 64;
        }
    }
}

/// The `"`, `\` and control bytes among the first 64 of `b`, one bit per byte; past the end of a shorter
/// `b`, none.
#[inline(always)]
fn special64(b: &[u8]) -> u64 {
    match b.first_chunk::<64>() {
        Some(block) => special_block(block),
        None => special_tail(b),
    }
}

/// The last bytes of a record, less than 64, padded with spaces.
#[inline(never)]
fn special_tail(b: &[u8]) -> u64 {
    let mut padded = [b' '; 64];
    let n = b.len().min(64);
    padded[..n].copy_from_slice(&b[..n]);
    special_block(&padded)
}

#[cfg(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn special_block(block: &[u8; 64]) -> u64 {
    let part = |k: usize| {
        let sixteen = block[16 * k..16 * k + 16].first_chunk::<16>().unwrap_or(&[b' '; 16]);
        u64::from(special16(sixteen)) << (16 * k)
    };
    part(0) | part(1) | part(2) | part(3)
}

#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
fn special_block(block: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (k, &c) in block.iter().enumerate() {
        mask |= u64::from(c == b'"' || c == b'\\' || c < 0x20) << k;
    }
    mask
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn special16(block: &[u8; 16]) -> u32 {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86_64; the unaligned load reads the 16 bytes of `block`.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr() as *const __m128i);
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        // Unsigned v <= 0x1f: the minimum of v and 0x1f is v.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn special16(block: &[u8; 16]) -> u32 {
    use std::arch::wasm32::*;
    // SAFETY: the unaligned load reads the 16 bytes of `block`.
    let v = unsafe { v128_load(block.as_ptr() as *const v128) };
    let quote = u8x16_eq(v, u8x16_splat(b'"'));
    let backslash = u8x16_eq(v, u8x16_splat(b'\\'));
    let control = u8x16_lt(v, u8x16_splat(0x20));
    u8x16_bitmask(v128_or(v128_or(quote, backslash), control)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde(raw: &str) -> Option<[String; 5]> {
        let s: RecordSummary<'_> = serde_json::from_str(raw).ok()?;
        Some(fields(&s))
    }

    fn fields(s: &RecordSummary<'_>) -> [String; 5] {
        [&s.event_version, &s.event_time, &s.event_source, &s.event_name, &s.event_type].map(|t| format!("{:?}", t.0))
    }

    /// Whatever `skim` answers, serde answers the same.
    fn agrees(raw: &str) -> bool {
        match skim(raw) {
            Some(s) => serde(raw) == Some(fields(&s)),
            None => true,
        }
    }

    #[test]
    fn reads_the_five_fields_of_a_real_record() {
        let raw = r#" {"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"s3.amazonaws.com"},
            "eventTime":"2026-03-02T08:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject",
            "requestParameters":{"n":[1,-2.5e+3,0,true,false,null,{},[],"a\"b\\c\/\n"]},"eventType":"AwsApiCall",
            "readOnly":true}
 "#;
        let s = skim(raw).expect("a plain record is skimmed");
        assert_eq!(s.event_source.as_str(), "s3.amazonaws.com");
        assert_eq!(s.event_name.as_str(), "GetObject");
        assert_eq!(s.event_type.as_str(), "AwsApiCall");
        assert_eq!(Some(fields(&s)), serde(raw));
    }

    #[test]
    fn reads_a_record_ahead_to_where_it_ends_with_its_line_breaks() {
        let raw = "{\"eventName\":\"A\",\n \"x\":[1,\n{}],\r\n\"eventSource\":\"s3.amazonaws.com\"}";
        for after in ["", ",", "]}", " ,{\"eventName\":\"B\"}", "\n,{\"eventNa"] {
            let text = format!("{raw}{after}");
            let (s, record, lines) = skim_ahead(text.as_bytes()).expect("a plain record is read ahead");
            assert_eq!((record, lines), (raw, 3));
            assert_eq!(Some(fields(&s)), serde(raw));
        }
        // Cut short, escaped where serde decides, or not UTF-8: left to the splitter.
        assert!(skim_ahead(&raw.as_bytes()[..raw.len() - 1]).is_none());
        assert!(skim_ahead(br#"{"eventName":"A\u0042"},"#).is_none());
        assert!(skim_ahead(b"{\"eventName\":\"\xff\"},").is_none());
    }

    #[test]
    fn leaves_to_serde_what_it_might_read_otherwise() {
        for raw in [
            r#"{"eventName":"A","eventName":"B"}"#,
            r#"{"eventName":"A\/B"}"#,
            r#"{"event\u004eame":"A"}"#,
            r#"{"eventName":12}"#,
            r#"{"eventName":null}"#,
            r#"{"x":"\u0041"}"#,
            r#"{"x":01}"#,
            r#"{"x":1.}"#,
            r#"{"x":-}"#,
            r#"{"x":1e}"#,
            r#"{"x":tru}"#,
            r#"{"x":[1,]}"#,
            r#"{"x":{"a":1,}}"#,
            r#"{"x":{"a" 1}}"#,
            r#"{"x":[}"#,
            r#"{"x":"a\qb"}"#,
            "{\"x\":\"a\tb\"}",
            r#"{"x":1} x"#,
            r#"{"x":1"#,
            r#"["eventName"]"#,
            r#"{"x":1,}"#,
        ] {
            assert!(skim(raw).is_none(), "{raw}");
        }
        let deep = format!(r#"{{"x":{}1{}}}"#, "[".repeat(70), "]".repeat(70));
        assert!(skim(&deep).is_none());
        let fine = format!(r#"{{"x":{}1{}}}"#, "[".repeat(60), "]".repeat(60));
        assert!(skim(&fine).is_some());
    }

    #[test]
    fn finds_string_ends_across_and_at_the_ends_of_64_byte_blocks() {
        for pad in 0..70 {
            for len in 0..140 {
                let text = "x".repeat(len);
                let raw =
                    format!(r#"{}{{"eventName":"{text}","a":["{text}\"",1],"eventSource":"s3"}}"#, " ".repeat(pad));
                let s = skim(&raw).expect("plain JSON is skimmed");
                assert_eq!(s.event_name.as_str(), text);
                assert_eq!(Some(fields(&s)), serde(&raw), "{raw}");
                // Cut anywhere, it is not JSON: serde refuses it and so does the skim.
                for cut in [raw.len() - 1, raw.len() - 2, pad + 14 + len] {
                    assert!(skim(&raw[..cut]).is_none(), "{}", &raw[..cut]);
                }
            }
        }
    }

    /// Every copy of `base` with one byte replaced by one of `with`, or deleted, that is still UTF-8.
    pub(super) fn damaged<'a>(base: &'a str, with: &'static [u8]) -> impl Iterator<Item = String> + 'a {
        let bytes = base.as_bytes();
        (0..bytes.len()).flat_map(move |at| {
            with.iter().map(|&b| Some(b)).chain([None]).filter_map(move |with| {
                let mut copy = bytes.to_vec();
                match with {
                    Some(b) => copy[at] = b,
                    None => {
                        copy.remove(at);
                    }
                }
                String::from_utf8(copy).ok()
            })
        })
    }

    #[test]
    fn never_disagrees_with_serde_on_damaged_records() {
        let base = r#"{"eventVersion":"1.08","eventTime":"2026-03-02T08:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","requestParameters":{"filterSet":{"items":[{"name":"tag:a","valueSet":{}}]},"maxResults":-1.5E-3},"responseElements":null,"readOnly":false,"x":"tab\\t quote\" slash\/","eventType":"AwsApiCall"}"#;
        assert!(skim(base).is_some());
        let mut skimmed = 0;
        for text in damaged(base, b"\"\\{}[]:,-+.0123456789eEtfnu \t\n\x01/x") {
            assert!(agrees(&text), "{text}");
            skimmed += skim(&text).is_some() as usize;
        }
        // Many damaged copies are still JSON (a digit for a digit) and are read here, not only refused.
        assert!(skimmed > 100, "{skimmed}");
    }

    /// A record read in full, as serde reads it: every field, borrowed or not alike.
    fn serde_whole(raw: &str) -> Option<String> {
        serde_json::from_str::<RawRecord<'_>>(raw).ok().map(|r| format!("{r:?}"))
    }

    /// Whatever `read` answers, serde answers the same.
    fn reads_alike(raw: &str) -> bool {
        match read(raw) {
            Some(r) => serde_whole(raw) == Some(format!("{r:?}")),
            None => true,
        }
    }

    const RICH: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::111122223333:assumed-role/r/s","accountId":"111122223333","accessKeyId":"ASIA","sessionContext":{"sessionIssuer":{"type":"Role","userName":"r","arn":"x"},"attributes":{"mfaAuthenticated":"false"}},"onBehalfOf":{"userId":"u-1","identityStoreArn":"a"},"invokedBy":"s3.amazonaws.com"},"eventTime":"2026-03-02T08:00:00Z","eventSource":"transcribe.amazonaws.com","eventName":"StartTranscriptionJob","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.15","errorCode":null,"errorMessage":{"nested":[1,2]},"requestParameters":{"transcriptionJobName":"j \"1\"","media":{"mediaFileUri":"s3://b/k"},"n":[-1.5e3,true,null]},"responseElements":null,"requestID":"r-1","eventID":"e-1","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","tlsDetails":{"tlsVersion":"TLSv1.3"}}"#;

    #[test]
    fn reads_every_field_of_a_record_as_serde_does() {
        for raw in [
            RICH.to_owned(),
            // Pretty-printed, with CRLF, as an exporter may write it.
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(RICH).expect("JSON"))
                .expect("JSON")
                .replace('\n', "\r\n"),
            r#"{"eventVersion":"1.08","userIdentity":null,"readOnly":false,"requestParameters":[]}"#.to_owned(),
            r#"{"eventName":"A","userIdentity":{"sessionContext":null,"onBehalfOf":{}},"responseElements":"s"}"#
                .to_owned(),
            r#"{"eventName":"A","userIdentity":{"sessionContext":{"sessionIssuer":null}},"userAgent":[1]}"#.to_owned(),
            r#"{"eventName":"A","userIdentity":{"sessionContext":{"sessionIssuer":{}}}}"#.to_owned(),
            r#"{}"#.to_owned(),
        ] {
            let r = read(&raw).unwrap_or_else(|| panic!("plain JSON is read: {raw}"));
            assert_eq!(Some(format!("{r:?}")), serde_whole(&raw), "{raw}");
        }
        let r = read(RICH).expect("read");
        let request =
            r#"{"transcriptionJobName":"j \"1\"","media":{"mediaFileUri":"s3://b/k"},"n":[-1.5e3,true,null]}"#;
        assert_eq!(r.request_parameters.map(|j| j.0), Some(request));
        let issuer = r.user_identity.and_then(|i| i.session_context?.session_issuer);
        assert_eq!(issuer.as_ref().map(|i| i.user_name.as_str()), Some("r"));
    }

    #[test]
    fn reads_a_whole_record_ahead_to_where_it_ends() {
        for after in ["", ",", "]}", " ,{\"eventName\":\"B\"}", "\n,{\"eventNa"] {
            let text = format!("{RICH}{after}");
            let (r, raw, lines) = read_ahead(text.as_bytes()).expect("a plain record is read ahead");
            assert_eq!((raw, lines), (RICH, 0));
            assert_eq!(Some(format!("{r:?}")), serde_whole(RICH));
        }
        assert!(read_ahead(&RICH.as_bytes()[..RICH.len() - 1]).is_none());
    }

    #[test]
    fn leaves_to_serde_the_records_it_might_read_otherwise() {
        for raw in [
            r#"{"eventName":12}"#,
            r#"{"readOnly":1}"#,
            r#"{"errorMessage":"a \"b\""}"#,
            r#"{"event\u004eame":"A"}"#,
            r#"{"userIdentity":{},"userIdentity":null}"#,
            r#"{"requestParameters":null,"requestParameters":{}}"#,
            r#"{"userIdentity":{"arn":"a","arn":"b"}}"#,
            r#"{"userIdentity":{"sessionContext":{"sessionIssuer":{"userName":"a","userName":"b"}}}}"#,
            r#"{"userIdentity":{"sessionContext":{"sessionIssuer":{},"sessionIssuer":{}}}}"#,
            r#"{"userIdentity":{"onBehalfOf":{"userId":1}}}"#,
            r#"{"userIdentity":"x"}"#,
            r#"{"userIdentity":[]}"#,
            r#"{"userIdentity":{"sessionContext":["x"]}}"#,
            r#"{"requestParameters":{"a":1,}}"#,
            r#"{"responseElements":nul}"#,
            r#"{"eventName":"A"} x"#,
            r#"{"eventName":"A""#,
        ] {
            assert!(read(raw).is_none(), "{raw}");
        }
    }

    #[test]
    fn never_reads_a_damaged_record_otherwise_than_serde() {
        let mut read_too = 0;
        for text in damaged(RICH, b"\"\\{}[]:,-.0123456789tfnu \n\x01x") {
            assert!(reads_alike(&text), "{text}");
            read_too += read(&text).is_some() as usize;
        }
        assert!(read_too > 1000, "{read_too}");
    }

    /// Every record of the real samples and of generated deliveries: read here exactly as serde reads it,
    /// and most of them read here at all.
    #[test]
    fn reads_real_and_generated_records_as_serde_does() {
        let mut records: Vec<String> = Vec::new();
        let mut take = |value: &serde_json::Value| {
            let list = match value.get("Records").and_then(|r| r.as_array()) {
                Some(list) => list.clone(),
                None if value.get("eventVersion").is_some() => vec![value.clone()],
                None => Vec::new(),
            };
            for record in list {
                records.push(serde_json::to_string(&record).expect("JSON"));
                records.push(serde_json::to_string_pretty(&record).expect("JSON"));
            }
        };
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
        for entry in std::fs::read_dir(&corpus).into_iter().flatten().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            let Ok(text) = crate::decode::decode(&bytes) else { continue };
            let text = String::from_utf8_lossy(&text);
            for line in std::iter::once(&text[..]).chain(text.split('\n')) {
                if let Ok(value) = serde_json::from_str::<serde_json::Value>(line) {
                    take(&value);
                }
            }
        }
        let config = crate::generate::GenConfig { n_events: 3000, ..crate::generate::GenConfig::sample() };
        for file in crate::generate::generate(&config).0 {
            let text = crate::decode::decode(&file.bytes).expect("generated files decode");
            take(&serde_json::from_slice(&text).expect("generated files are JSON"));
        }
        assert!(records.len() > 6000, "{}", records.len());
        let read_here = records.iter().filter(|raw| read(raw).is_some()).count();
        for raw in &records {
            assert!(reads_alike(raw), "{raw}");
        }
        // Only a text with escapes or a number where a text is read goes to serde.
        assert!(read_here * 100 > records.len() * 95, "{read_here} of {}", records.len());
    }

    proptest::proptest! {
        #[test]
        fn never_disagrees_with_serde_on_json_shaped_noise(
            head in proptest::sample::select(vec!["", "{", r#"{"eventName":"A","#, r#"{"x":["#,
                r#"{"userIdentity":{"#, r#"{"userIdentity":{"sessionContext":{"sessionIssuer":"#]),
            body in r#"[\[\]{}",:0-9a-zA-Z \\\n.+\-]{0,200}"#,
        ) {
            let text = format!("{head}{body}");
            proptest::prop_assert!(agrees(&text), "{}", text);
            proptest::prop_assert!(reads_alike(&text), "{}", text);
        }
    }
}

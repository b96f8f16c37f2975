//! The fields that count a record, read without serde: for the records that are only counted (most of a
//! delivery), serde's general machinery costs more than reading the file did.
//!
//! [`skim`] checks that the whole record is JSON (RFC 8259, as strictly as serde_json) and takes the five
//! top-level fields of [`RecordSummary`]. It answers only when it is sure serde would read the same thing:
//! a key or one of those fields written with escapes, a `\u` escape anywhere, one of those fields that is
//! not a string, a field given twice, nesting deeper than 64, or any syntax error all give `None`, and the
//! caller asks serde, whose answer (or error message) stands. So it can only be faster, never different.

use std::borrow::Cow;

use super::{RecordSummary, Text};

/// Reads `raw` as [`RecordSummary`] would be deserialized, or `None` where serde must decide.
pub(crate) fn skim(raw: &str) -> Option<RecordSummary<'_>> {
    let read = read(raw.as_bytes(), true)?;
    summary(raw, &read.fields)
}

/// A record that starts at `text[0]` and ends where its object closes, somewhere in `text` (the rest of a
/// chunk of a file): its summary as [`skim`] reads it, with its length and the line breaks in it. So the
/// records that are only counted are read once, not found by the splitter and then read again. Gives
/// the summary, the record's text and its line breaks; `None` where [`skim`] would say `None` of the
/// record alone, where the record does not end in `text`, and where it is not UTF-8 (its error is the
/// splitter's path to say).
pub(crate) fn skim_ahead(text: &[u8]) -> Option<(RecordSummary<'_>, &str, u64)> {
    let read = read(text, false)?;
    let raw = crate::caseless::utf8(&text[..read.end]).ok()?;
    Some((summary(raw, &read.fields)?, raw, read.lines))
}

/// Where a record's five fields are, where it ends, and how many line breaks it holds.
struct Read {
    /// Byte ranges of `eventVersion`, `eventTime`, `eventSource`, `eventName`, `eventType`.
    fields: [Option<(usize, usize)>; 5],
    end: usize,
    lines: u64,
}

fn summary<'r>(raw: &'r str, fields: &[Option<(usize, usize)>; 5]) -> Option<RecordSummary<'r>> {
    // Both ends of each range sit next to an ASCII quote, so they are character boundaries; `get` says so
    // anyway.
    let text = |at: Option<(usize, usize)>| match at {
        Some((start, end)) => raw.get(start..end).map(|s| Text(Some(Cow::Borrowed(s)))),
        None => Some(Text(None)),
    };
    let [version, time, source, name, kind] = *fields;
    Some(RecordSummary {
        event_version: text(version)?,
        event_time: text(time)?,
        event_source: text(source)?,
        event_name: text(name)?,
        event_type: text(kind)?,
    })
}

/// Reads one object from the start of `b`; `whole` asks that only white space follows it.
fn read(b: &[u8], whole: bool) -> Option<Read> {
    let mut p = Reader { b, i: 0, block: usize::MAX, special: 0, lines: 0 };
    let mut fields: [Option<(usize, usize)>; 5] = [None; 5];
    p.ws();
    p.eat(b'{')?;
    p.ws();
    if p.eat(b'}').is_none() {
        loop {
            p.eat(b'"')?;
            let key = p.plain_string()?;
            p.ws();
            p.eat(b':')?;
            p.ws();
            let slot = match &b[key.0..key.1] {
                b"eventVersion" => Some(0),
                b"eventTime" => Some(1),
                b"eventSource" => Some(2),
                b"eventName" => Some(3),
                b"eventType" => Some(4),
                _ => None,
            };
            match slot {
                // A field given twice is an error for serde's derived structs.
                Some(slot) if fields[slot].is_some() => return None,
                Some(slot) => {
                    p.eat(b'"')?;
                    fields[slot] = Some(p.plain_string()?);
                }
                None => p.value()?,
            }
            p.ws();
            if p.eat(b',').is_some() {
                p.ws();
                continue;
            }
            p.eat(b'}')?;
            break;
        }
    }
    let end = p.i;
    if whole {
        p.ws();
        if p.i != p.b.len() {
            return None;
        }
    }
    Some(Read { fields, end, lines: p.lines })
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

impl Reader<'_> {
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

    #[test]
    fn never_disagrees_with_serde_on_damaged_records() {
        let base = r#"{"eventVersion":"1.08","eventTime":"2026-03-02T08:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","requestParameters":{"filterSet":{"items":[{"name":"tag:a","valueSet":{}}]},"maxResults":-1.5E-3},"responseElements":null,"readOnly":false,"x":"tab\\t quote\" slash\/","eventType":"AwsApiCall"}"#;
        assert!(skim(base).is_some());
        let bytes = base.as_bytes();
        let mut skimmed = 0;
        // Every byte replaced by each byte that matters to JSON, and every byte deleted.
        for at in 0..bytes.len() {
            for with in b"\"\\{}[]:,-+.0123456789eEtfnu \t\n\x01/x".iter().map(|&b| Some(b)).chain([None]) {
                let mut damaged = bytes.to_vec();
                match with {
                    Some(b) => damaged[at] = b,
                    None => {
                        damaged.remove(at);
                    }
                }
                let Ok(text) = std::str::from_utf8(&damaged) else { continue };
                assert!(agrees(text), "{text}");
                skimmed += skim(text).is_some() as usize;
            }
        }
        // Many damaged copies are still JSON (a digit for a digit) and are read here, not only refused.
        assert!(skimmed > 100, "{skimmed}");
    }

    proptest::proptest! {
        #[test]
        fn never_disagrees_with_serde_on_json_shaped_noise(
            head in proptest::sample::select(vec!["", "{", r#"{"eventName":"A","#, r#"{"x":["#]),
            body in r#"[\[\]{}",:0-9a-zA-Z \\\n.+\-]{0,200}"#,
        ) {
            let text = format!("{head}{body}");
            proptest::prop_assert!(agrees(&text), "{}", text);
        }
    }
}

//! Finds the boundaries of records in a stream of JSON text, chunk by chunk, so a file is never held whole:
//! memory is bounded by the largest record, not by the file.
//!
//! It does not parse: it tracks strings, escapes and nesting depth, and hands out the bytes of each unit
//! (a record of `"Records"`, an item of a top-level array, or any other top-level value) for serde to
//! parse. A chunk may end anywhere, even inside a string or an escape; the result is the same.

use crate::ingest::FileError;

/// A complete piece of the stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Unit<'a> {
    /// An element of a top-level object's `"Records"` list.
    Record(&'a [u8], At),
    /// A top-level object that starts with `"Records"` ended.
    RecordsEnd,
    /// An element of a top-level array.
    Item(&'a [u8], At),
    /// A top-level array ended.
    ArrayEnd,
    /// Any other top-level value, whole.
    Value(&'a [u8], At),
}

/// Where the splitter's units go.
pub trait Units {
    /// Takes the next complete unit.
    fn unit(&mut self, unit: Unit<'_>) -> Result<(), FileError>;

    /// Offered `text`, the rest of the chunk from the `{` that opens a record of `"Records"`: a consumer
    /// that can find where the record ends while it reads it says how many bytes and line breaks the
    /// record took (at least one byte, its brace), and the splitter goes on after it without scanning it
    /// again. `None` leaves the record to the splitter, which then hands it out as a [`Unit::Record`] as
    /// usual. `text` stops at the largest unit allowed, so a record longer than that is not read ahead.
    fn record_ahead(&mut self, text: &[u8], at: At) -> Result<Option<(usize, u64)>, FileError> {
        let _ = (text, at);
        Ok(None)
    }
}

impl<F: FnMut(Unit<'_>) -> Result<(), FileError>> Units for F {
    fn unit(&mut self, unit: Unit<'_>) -> Result<(), FileError> {
        self(unit)
    }
}

/// Where a unit stands in the decoded stream, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// Byte offset of the unit's first byte.
    pub offset: u64,
    /// Line number (from 1) of the unit's last byte.
    pub end_line: u64,
}

impl At {
    /// The line (from 1) on which `unit` begins. Counted only when an error needs it, to keep the hot path lean.
    pub fn line(&self, unit: &[u8]) -> u64 {
        // Line breaks inside strings (invalid JSON, but files are what they are) are not counted on the way
        // in; never go below the first line.
        self.end_line.saturating_sub(unit.iter().filter(|&&b| b == b'\n').count() as u64).max(1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Between top-level values.
    Top,
    /// A top-level `{` was seen; not yet known whether its first key is `"Records"`.
    Probe,
    /// Inside a top-level value that is buffered whole.
    Value,
    /// Inside a list whose items are handed out one by one, between items.
    Items { records: bool, expect_comma: bool },
    /// Inside one such item.
    Item { records: bool },
    /// After the `"Records"` list, inside the rest of its object.
    AfterRecords,
}

/// The splitter's state between chunks.
pub struct Splitter {
    phase: Phase,
    /// Bytes of the unit in progress (and, while probing, of the object's start).
    buf: Vec<u8>,
    /// String, escape and depth state, and the line number.
    t: Track,
    /// Bytes consumed before `buf` began; for error positions.
    offset: u64,
    /// Largest unit allowed; above it the file is refused rather than exhausting memory.
    max_unit: usize,
    /// What follows a `"Records"` list inside its object, kept to check that the object ends as JSON should
    /// (the records themselves are checked by their parse; this rest would otherwise never be read).
    rest: Vec<u8>,
    /// Where in the chunk being fed the item in progress began, while it lies wholly in that chunk: an item
    /// that also ends there is handed out from the chunk itself, not copied into `buf` first.
    in_chunk: Option<usize>,
    /// Where the unit in progress began (byte, line): a unit that never closes is named by its start, which
    /// is where a value that is not JSON usually lies (a broken line of JSON Lines swallows every line after it).
    unit_at: (u64, u64),
}

impl Splitter {
    /// A splitter that refuses units larger than `max_unit` bytes.
    pub fn new(max_unit: usize) -> Splitter {
        Splitter {
            phase: Phase::Top,
            buf: Vec::new(),
            t: Track { depth: 0, in_string: false, escape: false, line: 1 },
            offset: 0,
            max_unit,
            rest: Vec::new(),
            in_chunk: None,
            unit_at: (0, 1),
        }
    }

    /// Feeds the next chunk; `out` receives every unit it completes, in order.
    pub fn feed(&mut self, chunk: &[u8], out: &mut dyn Units) -> Result<(), FileError> {
        // An item begun in an earlier chunk is already in `buf`.
        self.in_chunk = None;
        let mut i = 0;
        while i < chunk.len() {
            let byte = chunk[i];
            match self.phase {
                Phase::Top => {
                    i += 1;
                    match byte {
                        b' ' | b'\t' | b'\r' | b'\n' => self.advance(byte),
                        b'{' => {
                            self.phase = Phase::Probe;
                            self.start(byte);
                        }
                        b'[' => {
                            self.advance(byte);
                            self.t.depth = 1;
                            self.phase = Phase::Items { records: false, expect_comma: false };
                        }
                        _ => return Err(self.error_here("expected a JSON object or list")),
                    }
                }
                Phase::Probe => {
                    self.buf.push(byte);
                    if byte == b'\n' {
                        self.t.line += 1;
                    }
                    i += 1;
                    match probe_records(&self.buf) {
                        Probe::NeedMore => {}
                        Probe::Records => {
                            // The list's items are handed out one by one; its prefix is not needed.
                            self.consume();
                            self.t.depth = 2;
                            self.phase = Phase::Items { records: true, expect_comma: false };
                        }
                        Probe::Other => {
                            // Rescan what was buffered to set depth and string state, then go on as a value.
                            let buffered = std::mem::take(&mut self.buf);
                            self.t = Track { depth: 0, in_string: false, escape: false, line: self.t.line };
                            self.phase = Phase::Value;
                            for &b in &buffered {
                                self.buf.push(b);
                                self.t.step(b);
                            }
                            if self.t.depth == 0 {
                                self.finish_value(out)?;
                            }
                        }
                    }
                }
                Phase::Value | Phase::Item { .. } => {
                    // The hot loop: 64 bytes at a time until the unit closes or the chunk ends.
                    let floor = self.unit_floor();
                    let start = i;
                    let Scan { len, closed } = scan(&chunk[i..], floor, &mut self.t);
                    i += len;
                    if let (true, Some(first), Phase::Item { records }) = (closed, self.in_chunk.take(), self.phase) {
                        // `buf` holds only the item's opening byte, `chunk[first]`.
                        let unit = &chunk[first..i];
                        if unit.len() > self.max_unit {
                            return Err(self.too_large());
                        }
                        let at = self.at();
                        out.unit(if records { Unit::Record(unit, at) } else { Unit::Item(unit, at) })?;
                        self.offset += unit.len() as u64;
                        self.buf.clear();
                        self.phase = Phase::Items { records, expect_comma: true };
                        continue;
                    }
                    self.buf.extend_from_slice(&chunk[start..i]);
                    if self.buf.len() > self.max_unit {
                        return Err(self.too_large());
                    }
                    if closed {
                        match self.phase {
                            Phase::Value => self.finish_value(out)?,
                            Phase::Item { records } => {
                                let at = self.at();
                                let unit =
                                    if records { Unit::Record(&self.buf, at) } else { Unit::Item(&self.buf, at) };
                                out.unit(unit)?;
                                self.consume();
                                self.phase = Phase::Items { records, expect_comma: true };
                            }
                            _ => {}
                        }
                    }
                }
                Phase::Items { records, expect_comma } => {
                    i += 1;
                    match byte {
                        b' ' | b'\t' | b'\r' | b'\n' => self.advance(byte),
                        b',' if expect_comma => {
                            self.advance(byte);
                            self.phase = Phase::Items { records, expect_comma: false };
                        }
                        b']' => {
                            self.advance(byte);
                            self.t.depth -= 1;
                            if records {
                                self.phase = Phase::AfterRecords;
                            } else {
                                out.unit(Unit::ArrayEnd)?;
                                self.phase = Phase::Top;
                            }
                        }
                        b'{' if records && !expect_comma => {
                            // No more than the largest unit allowed: a longer record seems cut short to the
                            // consumer, and the splitter refuses it as before.
                            let rest = &chunk[i - 1..];
                            let ahead = out.record_ahead(&rest[..rest.len().min(self.max_unit)], self.at())?;
                            debug_assert!(ahead.is_none_or(|(len, _)| len > 0), "a record is at least its brace");
                            if let Some((len, lines)) = ahead.filter(|&(len, _)| len > 0) {
                                self.offset += len as u64;
                                self.t.line += lines;
                                i += len - 1;
                                self.phase = Phase::Items { records, expect_comma: true };
                                continue;
                            }
                            self.phase = Phase::Item { records };
                            self.start(byte);
                            self.in_chunk = Some(i - 1);
                        }
                        b'{' | b'[' if !expect_comma => {
                            self.phase = Phase::Item { records };
                            self.start(byte);
                            self.in_chunk = Some(i - 1);
                        }
                        _ if expect_comma => return Err(self.error_here("expected ',' or ']' after a list item")),
                        _ => {
                            let what = if records { "a record in \"Records\"" } else { "an item of the array" };
                            return Err(self.error_here(&format!("{what} is not a JSON object")));
                        }
                    }
                }
                Phase::AfterRecords => {
                    i += 1;
                    self.advance(byte);
                    self.rest.push(byte);
                    if self.rest.len() > self.max_unit {
                        return Err(self.error_here("the object holding \"Records\" goes on too long after it"));
                    }
                    if self.t.step(byte) && self.t.depth == 0 {
                        let mut object = b"{\"Records\":[]".to_vec();
                        object.extend_from_slice(&self.rest);
                        self.rest.clear();
                        if let Err(error) = serde_json::from_slice::<serde::de::IgnoredAny>(&object) {
                            let what = error.to_string();
                            let what = what.split(" at line ").next().unwrap_or(&what).to_owned();
                            return Err(self.error_here(&format!("after the \"Records\" list: {what}")));
                        }
                        out.unit(Unit::RecordsEnd)?;
                        self.phase = Phase::Top;
                    }
                }
            }
        }
        Ok(())
    }

    /// Ends the stream: an unfinished value means the file was cut short.
    pub fn finish(&self) -> Result<(), FileError> {
        let (end, line) = (self.offset + self.buf.len() as u64, self.t.line);
        match self.phase {
            Phase::Top => Ok(()),
            Phase::Probe | Phase::Value | Phase::Item { .. } => {
                let (start, start_line) = self.unit_at;
                Err(FileError::new(format!(
                    "the JSON ends early at byte {end} (line {line}): the value that begins at byte {start} (line \
                     {start_line}) never closes, so the file looks truncated, or that value is not valid JSON"
                )))
            }
            _ => Err(FileError::new(format!(
                "the JSON ends early at byte {end} (line {line}): the file looks truncated"
            ))),
        }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> u64 {
        self.offset + self.buf.len() as u64
    }

    /// The depth at which the current unit ends.
    fn unit_floor(&self) -> u32 {
        match self.phase {
            Phase::Item { records: true } => 2,
            Phase::Item { records: false } => 1,
            _ => 0,
        }
    }

    /// Begins a unit with its opening byte; the phase must already say which unit.
    fn start(&mut self, byte: u8) {
        self.unit_at = (self.offset, self.t.line);
        self.buf.clear();
        self.buf.push(byte);
        self.t.in_string = false;
        self.t.escape = false;
        self.t.depth = self.unit_floor() + 1;
    }

    /// Counts a byte that is not kept in a unit.
    fn advance(&mut self, byte: u8) {
        self.offset += 1;
        if byte == b'\n' {
            self.t.line += 1;
        }
    }

    fn consume(&mut self) {
        self.offset += self.buf.len() as u64;
        self.buf.clear();
    }

    fn finish_value(&mut self, out: &mut dyn Units) -> Result<(), FileError> {
        out.unit(Unit::Value(&self.buf, self.at()))?;
        self.consume();
        self.phase = Phase::Top;
        Ok(())
    }

    fn at(&self) -> At {
        At { offset: self.offset, end_line: self.t.line }
    }

    fn too_large(&self) -> FileError {
        FileError::new(format!(
            "a single record or value is larger than {} MiB at byte {}; such files are not supported",
            self.max_unit >> 20,
            self.offset
        ))
    }

    fn error_here(&self, what: &str) -> FileError {
        FileError::new(format!("invalid JSON at byte {} (line {}): {what}", self.offset, self.t.line))
    }
}

/// The bytes that matter to the splitter in 64 bytes of text, one bit per byte (bit k is byte k).
#[derive(Default)]
struct Masks {
    quote: u64,
    backslash: u64,
    open: u64,
    close: u64,
    newline: u64,
}

/// Sorts 64 bytes into [`Masks`], sixteen at a time with SIMD where the target has it. `{` and `[` differ
/// from `}` and `]` only by 0x20, so one OR folds each pair onto one compare.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::*;
    let mut m = Masks::default();
    for k in 0..4 {
        // SAFETY: SSE2 is part of x86_64; the unaligned load reads bytes 16k..16k+16 of a 64-byte array.
        let bits = unsafe {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k) as *const __m128i);
            let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            let eq = |w: __m128i, c: u8| _mm_movemask_epi8(_mm_cmpeq_epi8(w, _mm_set1_epi8(c as i8))) as u16 as u64;
            [eq(v, b'"'), eq(v, b'\\'), eq(folded, b'{'), eq(folded, b'}'), eq(v, b'\n')]
        };
        let shift = 16 * k;
        m.quote |= bits[0] << shift;
        m.backslash |= bits[1] << shift;
        m.open |= bits[2] << shift;
        m.close |= bits[3] << shift;
        m.newline |= bits[4] << shift;
    }
    m
}

/// As above, with wasm's simd128.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn classify(block: &[u8; 64]) -> Masks {
    use std::arch::wasm32::*;
    let mut m = Masks::default();
    for k in 0..4 {
        // SAFETY: the unaligned load reads bytes 16k..16k+16 of a 64-byte array.
        let v = unsafe { v128_load(block.as_ptr().add(16 * k) as *const v128) };
        let folded = v128_or(v, u8x16_splat(0x20));
        let eq = |w: v128, c: u8| u8x16_bitmask(u8x16_eq(w, u8x16_splat(c))) as u64;
        let shift = 16 * k;
        m.quote |= eq(v, b'"') << shift;
        m.backslash |= eq(v, b'\\') << shift;
        m.open |= eq(folded, b'{') << shift;
        m.close |= eq(folded, b'}') << shift;
        m.newline |= eq(v, b'\n') << shift;
    }
    m
}

/// As above, a byte at a time, for targets without SIMD here.
#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
fn classify(block: &[u8; 64]) -> Masks {
    let mut m = Masks::default();
    for (k, &b) in block.iter().enumerate() {
        let bit = 1u64 << k;
        match b | 0x20 {
            b'{' => m.open |= bit,
            b'}' => m.close |= bit,
            _ => {}
        }
        match b {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b'\n' => m.newline |= bit,
            _ => {}
        }
    }
    m
}

/// Bits of bytes that follow an odd run of backslashes, given `carry` (the byte before the block was an
/// unfinished escape); updates `carry` for the next block. This is simdjson's method: runs that start on
/// an even bit and on an odd bit are told apart by adding them, so the carry of the addition does the work
/// a loop over each backslash would.
#[inline(always)]
fn escaped(backslash: u64, carry: &mut u64) -> u64 {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    let backslash = backslash & !*carry;
    let follows_escape = (backslash << 1) | *carry;
    let odd_starts = backslash & !EVEN & !follows_escape;
    let (starts_on_even, overflow) = odd_starts.overflowing_add(backslash);
    *carry = overflow as u64;
    let invert = starts_on_even << 1;
    (EVEN ^ invert) & follows_escape
}

/// Bit k set when an odd number of bits at or below k are set: inside a string, from its opening quote
/// up to (not including) its closing one.
#[inline(always)]
pub(crate) fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Where a scan of a unit's bytes stopped.
struct Scan {
    /// Bytes looked at.
    len: usize,
    /// Whether the last of them closed the unit.
    closed: bool,
}

/// The string, escape and depth state of a scan, carried from chunk to chunk.
struct Track {
    depth: u32,
    in_string: bool,
    escape: bool,
    line: u64,
}

impl Track {
    /// One byte under the rule of [`scan`] (lines aside); true when it closed an object or list.
    #[inline(always)]
    fn step(&mut self, b: u8) -> bool {
        if std::mem::take(&mut self.escape) {
            return false;
        }
        match (b, self.in_string) {
            (b'\\', _) => self.escape = true,
            (b'"', inside) => self.in_string = !inside,
            (_, true) => {}
            (b'{' | b'[', false) => self.depth += 1,
            (b'}' | b']', false) => {
                self.depth = self.depth.saturating_sub(1);
                return true;
            }
            _ => {}
        }
        false
    }
}

/// Scans `text` until the depth falls to `floor` (the closing bracket is the last byte looked at) or the
/// text ends. A backslash escapes the next byte wherever it stands: inside strings as JSON says, and
/// outside them, where JSON has no backslash at all, in the same way, so that the 64-byte blocks and the
/// byte-at-a-time rule ([`Track::step`], which the rest of the splitter uses too) agree on every input.
/// Newlines are counted outside strings only.
fn scan(text: &[u8], floor: u32, t: &mut Track) -> Scan {
    let mut i = 0;
    let mut in_string = if t.in_string { u64::MAX } else { 0 };
    let mut carry = t.escape as u64;
    while let Some(block) = text[i..].first_chunk::<64>() {
        let m = classify(block);
        let escaped = escaped(m.backslash, &mut carry);
        let quote = m.quote & !escaped;
        let inside = prefix_xor(quote) ^ in_string;
        in_string = ((inside as i64) >> 63) as u64;
        let outside = !inside & !escaped;
        let (open, close) = (m.open & outside, m.close & outside);
        let newline = m.newline & outside;
        let mut brackets = open | close;
        while brackets != 0 {
            let k = brackets.trailing_zeros();
            let bit = 1u64 << k;
            if open & bit != 0 {
                t.depth += 1;
            } else {
                t.depth = t.depth.saturating_sub(1);
                if t.depth == floor {
                    // The closing byte is outside any string and not escaped, and it is not a backslash:
                    // nothing carries past it.
                    t.line += u64::from((newline & (bit - 1)).count_ones());
                    t.in_string = false;
                    t.escape = false;
                    return Scan { len: i + k as usize + 1, closed: true };
                }
            }
            brackets &= brackets - 1;
        }
        t.line += u64::from(newline.count_ones());
        i += 64;
    }
    t.in_string = in_string != 0;
    t.escape = carry != 0;
    while i < text.len() {
        let b = text[i];
        i += 1;
        if b == b'\n' && !t.escape && !t.in_string {
            t.line += 1;
        }
        if t.step(b) && t.depth == floor {
            return Scan { len: i, closed: true };
        }
    }
    Scan { len: i, closed: false }
}

enum Probe {
    NeedMore,
    Records,
    Other,
}

/// Whether `buf` (which starts with `{`) opens an object whose first key is `"Records"` holding a list.
fn probe_records(buf: &[u8]) -> Probe {
    let mut i = 1;
    let skip_ws = |i: &mut usize| {
        while *i < buf.len() && buf[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    const KEY: &[u8] = b"\"Records\"";
    for &expected in KEY {
        match buf.get(i) {
            None => return Probe::NeedMore,
            Some(&b) if b == expected => i += 1,
            Some(_) => return Probe::Other,
        }
    }
    skip_ws(&mut i);
    match buf.get(i) {
        None => return Probe::NeedMore,
        Some(b':') => i += 1,
        Some(_) => return Probe::Other,
    }
    skip_ws(&mut i);
    match buf.get(i) {
        None => Probe::NeedMore,
        Some(b'[') => Probe::Records,
        Some(_) => Probe::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule of [`scan`], one byte at a time and nothing else.
    fn reference(text: &[u8], floor: u32, t: &mut Track) -> Scan {
        for (i, &b) in text.iter().enumerate() {
            if std::mem::take(&mut t.escape) {
                continue;
            }
            match (b, t.in_string) {
                (b'\\', _) => t.escape = true,
                (b'"', inside) => t.in_string = !inside,
                (_, true) => {}
                (b'{' | b'[', false) => t.depth += 1,
                (b'}' | b']', false) => {
                    t.depth = t.depth.saturating_sub(1);
                    if t.depth == floor {
                        return Scan { len: i + 1, closed: true };
                    }
                }
                (b'\n', false) => t.line += 1,
                _ => {}
            }
        }
        Scan { len: text.len(), closed: false }
    }

    /// JSON-like bytes, dense in what the scan cares about, with long runs of backslashes now and then.
    fn noise(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                const BYTES: &[u8] = b"\"\"\\\\\\{}[]\n abc:,\"\\{";
                BYTES[(x % BYTES.len() as u64) as usize]
            })
            .collect()
    }

    #[test]
    fn blocks_agree_with_a_byte_at_a_time_scan() {
        for seed in 1..400u64 {
            let text = noise(seed, 40 + (seed as usize * 7) % 300);
            for cut in [0, 1, 63, 64, 65, 100] {
                let cut = cut.min(text.len());
                let state = || Track { depth: 3, in_string: seed % 3 == 0, escape: seed % 5 == 0, line: 1 };
                let (mut fast, mut slow) = (state(), state());
                // Two pieces, as two chunks of a stream would come.
                let mut done = Vec::new();
                for piece in [&text[..cut], &text[cut..]] {
                    let a = scan(piece, 1, &mut fast);
                    let b = reference(piece, 1, &mut slow);
                    assert_eq!((a.len, a.closed), (b.len, b.closed), "seed {seed} cut {cut}");
                    assert_eq!(
                        (fast.depth, fast.in_string, fast.escape, fast.line),
                        (slow.depth, slow.in_string, slow.escape, slow.line),
                        "seed {seed} cut {cut}"
                    );
                    done.push(a.closed);
                    if a.closed {
                        break;
                    }
                }
            }
        }
    }

    #[test]
    fn a_record_closes_where_json_says() {
        let text = br#"{"a":"}\"]\\","b":[{"c":"\\\""}]}, {"next":1}"#;
        let mut t = Track { depth: 3, in_string: false, escape: false, line: 1 };
        // The unit's opening brace was already seen (depth 3 over a floor of 2).
        let found = scan(&text[1..], 2, &mut t);
        assert!(found.closed);
        assert_eq!(&text[..1 + found.len], br#"{"a":"}\"]\\","b":[{"c":"\\\""}]}"#);
    }

    /// Units as owned bytes with their places (none for the ends of lists).
    type Found = Vec<(Vec<u8>, Option<At>)>;

    /// The units of `text` fed in chunks of `size` bytes.
    fn units(text: &[u8], size: usize, max_unit: usize) -> Result<Found, String> {
        fed(text, size, max_unit, &mut Collect { found: Vec::new(), ahead: false })
    }

    fn fed(text: &[u8], size: usize, max_unit: usize, out: &mut Collect) -> Result<Found, String> {
        let mut splitter = Splitter::new(max_unit);
        for chunk in text.chunks(size) {
            splitter.feed(chunk, out).map_err(|e| e.message().to_owned())?;
        }
        splitter.finish().map_err(|e| e.message().to_owned())?;
        Ok(std::mem::take(&mut out.found))
    }

    /// Collects units; with `ahead`, reads records ahead where serde finds their end within the chunk, and
    /// notes them as the splitter would have handed them out.
    struct Collect {
        found: Found,
        ahead: bool,
    }

    impl Units for Collect {
        fn unit(&mut self, unit: Unit<'_>) -> Result<(), FileError> {
            self.found.push(match unit {
                Unit::Record(b, at) | Unit::Item(b, at) | Unit::Value(b, at) => (b.to_vec(), Some(at)),
                Unit::RecordsEnd => (b"]}".to_vec(), None),
                Unit::ArrayEnd => (b"]".to_vec(), None),
            });
            Ok(())
        }

        fn record_ahead(&mut self, text: &[u8], at: At) -> Result<Option<(usize, u64)>, FileError> {
            let mut values = serde_json::Deserializer::from_slice(text).into_iter::<serde::de::IgnoredAny>();
            if !self.ahead || !matches!(values.next(), Some(Ok(_))) {
                return Ok(None);
            }
            let record = &text[..values.byte_offset()];
            let lines = record.iter().filter(|&&b| b == b'\n').count() as u64;
            self.found.push((record.to_vec(), Some(At { offset: at.offset, end_line: at.end_line + lines })));
            Ok(Some((record.len(), lines)))
        }
    }

    #[test]
    fn records_read_ahead_by_the_consumer_leave_the_same_units_and_places() {
        let text = b"{\"Records\": [\n {\"a\":\"}\"},{\"b\":[1,\n{\"c\":2}]} ,\r\n{}\n,\n{\"d\":\"\\\"\"}]}\n{\"Records\":[{\"e\":1}]}";
        let whole = units(text, text.len(), 1 << 20).expect("valid");
        assert_eq!(whole.len(), 7, "{whole:?}");
        for size in 1..=text.len() {
            let ahead = fed(text, size, 1 << 20, &mut Collect { found: Vec::new(), ahead: true });
            assert_eq!(ahead.expect("valid"), whole, "chunks of {size}");
        }
        // A record too large to read ahead is refused as one the splitter hands out, before any consumer
        // has read it.
        let expected = units(text, text.len(), 12).expect_err("over 12 bytes");
        let ahead = fed(text, text.len(), 12, &mut Collect { found: Vec::new(), ahead: true });
        assert_eq!(ahead.expect_err("over 12 bytes"), expected);
    }

    #[test]
    fn items_read_from_within_a_chunk_or_across_chunks_are_the_same() {
        let text =
            b"{\"Records\": [\n {\"a\":\"}\"},{\"b\":[1,{\"c\":2}]} ,\r\n{}\n]}\n[{\"x\":\"\\\"\"}, [2]] {\"v\":1}";
        let whole = units(text, text.len(), 1 << 20).expect("valid");
        assert_eq!(whole.len(), 8, "{whole:?}");
        for size in 1..text.len() {
            assert_eq!(units(text, size, 1 << 20).expect("valid"), whole, "chunks of {size}");
        }
    }

    #[test]
    fn a_record_too_large_is_refused_alike_whether_or_not_a_chunk_holds_it() {
        let text = b"{\"Records\":[{\"a\":1},{\"a\":\"0123456789\"}]}";
        let expected = "a single record or value is larger than 0 MiB at byte 20; such files are not supported";
        for size in 1..=text.len() {
            assert_eq!(
                units(text, size, 16).expect_err("the second record is over 16 bytes"),
                expected,
                "chunks of {size}"
            );
        }
        assert_eq!(units(text, text.len(), 18).expect("both fit").len(), 3);
    }
}

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
    depth: u32,
    in_string: bool,
    escape: bool,
    /// Bytes consumed before `buf` began; for error positions.
    offset: u64,
    line: u64,
    /// Largest unit allowed; above it the file is refused rather than exhausting memory.
    max_unit: usize,
    /// What follows a `"Records"` list inside its object, kept to check that the object ends as JSON should
    /// (the records themselves are checked by their parse; this rest would otherwise never be read).
    rest: Vec<u8>,
}

impl Splitter {
    /// A splitter that refuses units larger than `max_unit` bytes.
    pub fn new(max_unit: usize) -> Splitter {
        Splitter {
            phase: Phase::Top,
            buf: Vec::new(),
            depth: 0,
            in_string: false,
            escape: false,
            offset: 0,
            line: 1,
            max_unit,
            rest: Vec::new(),
        }
    }

    /// Feeds the next chunk; `out` receives every unit it completes, in order.
    pub fn feed(
        &mut self,
        chunk: &[u8],
        out: &mut dyn FnMut(Unit<'_>) -> Result<(), FileError>,
    ) -> Result<(), FileError> {
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
                            self.depth = 1;
                            self.phase = Phase::Items { records: false, expect_comma: false };
                        }
                        _ => return Err(self.error_here("expected a JSON object or list")),
                    }
                }
                Phase::Probe => {
                    self.buf.push(byte);
                    if byte == b'\n' {
                        self.line += 1;
                    }
                    i += 1;
                    match probe_records(&self.buf) {
                        Probe::NeedMore => {}
                        Probe::Records => {
                            // The list's items are handed out one by one; its prefix is not needed.
                            self.consume();
                            self.depth = 2;
                            self.phase = Phase::Items { records: true, expect_comma: false };
                        }
                        Probe::Other => {
                            // Rescan what was buffered to set depth and string state, then go on as a value.
                            let buffered = std::mem::take(&mut self.buf);
                            self.depth = 0;
                            self.in_string = false;
                            self.escape = false;
                            self.phase = Phase::Value;
                            for &b in &buffered {
                                self.buf.push(b);
                                self.track(b);
                            }
                            if self.depth == 0 {
                                self.finish_value(out)?;
                            }
                        }
                    }
                }
                Phase::Value | Phase::Item { .. } => {
                    // The hot loop, on locals: inside strings jump to the next quote or backslash; outside
                    // them only brackets, quotes and newlines matter.
                    let floor = self.unit_floor();
                    let start = i;
                    let mut closed = false;
                    let (mut depth, mut in_string, mut escape, mut line) =
                        (self.depth, self.in_string, self.escape, self.line);
                    while i < chunk.len() {
                        if escape {
                            escape = false;
                            i += 1;
                        } else if in_string {
                            match memchr::memchr2(b'"', b'\\', &chunk[i..]) {
                                None => i = chunk.len(),
                                Some(k) => {
                                    i += k;
                                    if chunk[i] == b'"' {
                                        in_string = false;
                                    } else {
                                        escape = true;
                                    }
                                    i += 1;
                                }
                            }
                        } else {
                            let b = chunk[i];
                            i += 1;
                            match b {
                                b'"' => in_string = true,
                                b'{' | b'[' => depth += 1,
                                b'}' | b']' => {
                                    depth = depth.saturating_sub(1);
                                    if depth == floor {
                                        closed = true;
                                        break;
                                    }
                                }
                                b'\n' => line += 1,
                                _ => {}
                            }
                        }
                    }
                    (self.depth, self.in_string, self.escape, self.line) = (depth, in_string, escape, line);
                    self.buf.extend_from_slice(&chunk[start..i]);
                    if self.buf.len() > self.max_unit {
                        return Err(FileError::new(format!(
                            "a single record or value is larger than {} MiB at byte {}; such files are not supported",
                            self.max_unit >> 20,
                            self.offset
                        )));
                    }
                    if closed {
                        match self.phase {
                            Phase::Value => self.finish_value(out)?,
                            Phase::Item { records } => {
                                let at = self.at();
                                let unit =
                                    if records { Unit::Record(&self.buf, at) } else { Unit::Item(&self.buf, at) };
                                out(unit)?;
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
                            self.depth -= 1;
                            if records {
                                self.phase = Phase::AfterRecords;
                            } else {
                                out(Unit::ArrayEnd)?;
                                self.phase = Phase::Top;
                            }
                        }
                        b'{' | b'[' if !expect_comma => {
                            self.phase = Phase::Item { records };
                            self.start(byte);
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
                    if self.track(byte) && self.depth == 0 {
                        let mut object = b"{\"Records\":[]".to_vec();
                        object.extend_from_slice(&self.rest);
                        self.rest.clear();
                        if let Err(error) = serde_json::from_slice::<serde::de::IgnoredAny>(&object) {
                            let what = error.to_string();
                            let what = what.split(" at line ").next().unwrap_or(&what).to_owned();
                            return Err(self.error_here(&format!("after the \"Records\" list: {what}")));
                        }
                        out(Unit::RecordsEnd)?;
                        self.phase = Phase::Top;
                    }
                }
            }
        }
        Ok(())
    }

    /// Ends the stream: an unfinished value means the file was cut short.
    pub fn finish(&self) -> Result<(), FileError> {
        if self.phase == Phase::Top {
            Ok(())
        } else {
            Err(FileError::new(format!(
                "the JSON ends early at byte {} (line {}): the file looks truncated",
                self.offset + self.buf.len() as u64,
                self.line
            )))
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
        self.buf.clear();
        self.buf.push(byte);
        self.in_string = false;
        self.escape = false;
        self.depth = self.unit_floor() + 1;
    }

    /// Updates string and depth state for one byte; true when it closed an object or list.
    #[inline(always)]
    fn track(&mut self, b: u8) -> bool {
        if self.in_string {
            if self.escape {
                self.escape = false;
            } else if b == b'\\' {
                self.escape = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            return false;
        }
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => {
                self.depth = self.depth.saturating_sub(1);
                return true;
            }
            _ => {}
        }
        false
    }

    /// Counts a byte that is not kept in a unit.
    fn advance(&mut self, byte: u8) {
        self.offset += 1;
        if byte == b'\n' {
            self.line += 1;
        }
    }

    fn consume(&mut self) {
        self.offset += self.buf.len() as u64;
        self.buf.clear();
    }

    fn finish_value(&mut self, out: &mut dyn FnMut(Unit<'_>) -> Result<(), FileError>) -> Result<(), FileError> {
        out(Unit::Value(&self.buf, self.at()))?;
        self.consume();
        self.phase = Phase::Top;
        Ok(())
    }

    fn at(&self) -> At {
        At { offset: self.offset, end_line: self.line }
    }

    fn error_here(&self, what: &str) -> FileError {
        FileError::new(format!("invalid JSON at byte {} (line {}): {what}", self.offset, self.line))
    }
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

//! What a person sees of an event: the table's columns as text, and the original JSON laid out for reading.
//!
//! The page renders these strings as text nodes and nothing else; no column is ever markup.

use std::borrow::Cow;

use crate::model::Event;

/// One table row's cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// UTC time as CloudTrail writes it, or "" when unknown.
    pub time: String,
    /// `eventName`.
    pub event: String,
    /// The Transcribe resource, as `kind name`, or "".
    pub resource: String,
    /// The status the event reports, or "".
    pub status: String,
    /// The caller.
    pub identity: String,
    /// `sourceIPAddress`.
    pub source_ip: String,
    /// `awsRegion`.
    pub region: String,
    /// `errorCode`, or "".
    pub error: String,
}

/// The longest cell the table shows; longer ones are cut, saying how much was cut (the detail shows all).
pub const MAX_CELL_CHARS: usize = 200;

/// Makes invisible or reordering characters visible, so a log line cannot hide or disguise text: bidi
/// controls (a right-to-left override can make `exe.txt` read as `txt.exe`), zero-width characters and
/// other control characters become `⟨U+202E⟩`.
pub fn reveal(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| {
        matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
            || (c.is_control() && c != '\n')
    };
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("⟨U+{:04X}⟩", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A cell as the table shows it: revealed, and cut to [`MAX_CELL_CHARS`] with a note of what was cut.
pub fn cell(text: &str) -> String {
    let revealed = reveal(text);
    let n_chars = revealed.chars().count();
    if n_chars <= MAX_CELL_CHARS {
        return revealed.into_owned();
    }
    let kept: String = revealed.chars().take(MAX_CELL_CHARS).collect();
    format!("{kept}… (+{} characters)", n_chars - MAX_CELL_CHARS)
}

/// The cells of `event` as the table shows them ([`cell`]).
pub fn row(event: &Event) -> Row {
    row_with(event, cell)
}

/// The cells of `event` whole, as an export writes them.
pub fn full_row(event: &Event) -> Row {
    row_with(event, str::to_owned)
}

fn row_with(event: &Event, cell: fn(&str) -> String) -> Row {
    let (resource, status) = match &event.transcribe {
        Some(info) if info.name.is_present() => {
            (format!("{} {}", info.kind.as_str(), info.name.display()), info.status.clone().unwrap_or_default())
        }
        Some(info) => (String::new(), info.status.clone().unwrap_or_default()),
        None => (String::new(), String::new()),
    };
    Row {
        time: event.time.map(|t| t.to_iso()).unwrap_or_default(),
        event: cell(event.event_name()),
        resource: cell(&resource),
        status: cell(&status),
        identity: cell(event.identity().name),
        source_ip: cell(event.source_ip()),
        region: cell(event.aws_region()),
        error: cell(event.error_code()),
    }
}

/// Indents JSON text for reading without reordering keys or touching a single string: the original's
/// order is evidence, so it is kept. Text that is not JSON comes back laid out as far as it went.
pub fn pretty_json(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + raw.len() / 4);
    let mut depth = 0usize;
    let mut strings = Strings::default();
    let mut chars = raw.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(c) = chars.next() {
        if strings.inside(c) {
            out.push(c);
            continue;
        }
        match c {
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    // An empty object or list stays on one line.
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// Tells, character by character, whether JSON text is inside a string (quotes included).
#[derive(Default)]
struct Strings {
    in_string: bool,
    escaped: bool,
}

impl Strings {
    fn inside(&mut self, c: char) -> bool {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if c == '\\' {
                self.escaped = true;
            } else if c == '"' {
                self.in_string = false;
            }
            true
        } else if c == '"' {
            self.in_string = true;
            true
        } else {
            false
        }
    }
}

/// JSON text without white space outside strings; key order and strings untouched.
pub fn compact_json(raw: &str) -> String {
    let mut strings = Strings::default();
    raw.chars().filter(|&c| strings.inside(c) || !c.is_whitespace()).collect()
}

/// A count and its noun, `one` for one and `many` otherwise: "1 identity", "3 identities".
pub fn plural(n: impl std::fmt::Display, one: &str, many: &str) -> String {
    let n = n.to_string();
    let noun = if n == "1" { one } else { many };
    format!("{n} {noun}")
}

/// A count and its noun, which takes an `s` unless the count is one: "1 account", "3 regions".
pub fn counted(n: impl std::fmt::Display, noun: &str) -> String {
    plural(n, noun, &format!("{noun}s"))
}

/// A job's duration as people say it: seconds, minutes, hours and minutes, or days.
pub fn duration(ms: i64) -> String {
    match ms / 1000 {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h {} min", s / 3600, s / 60 % 60),
        s => counted(s / 86_400, "day"),
    }
}

#[cfg(test)]
mod tests {
    use super::{cell, compact_json, counted, plural, pretty_json, reveal, MAX_CELL_CHARS};

    #[test]
    fn one_of_a_thing_is_singular() {
        assert_eq!(counted(1, "account"), "1 account");
        assert_eq!(counted(0u64, "region"), "0 regions");
        assert_eq!(counted(21, "error"), "21 errors");
        assert_eq!(plural(1usize, "identity", "identities"), "1 identity");
        assert_eq!(plural(2usize, "identity", "identities"), "2 identities");
    }

    #[test]
    fn reordering_and_invisible_characters_are_shown() {
        assert_eq!(reveal("invoice\u{202E}txt.exe"), "invoice⟨U+202E⟩txt.exe");
        assert_eq!(reveal("al\u{200B}ice"), "al⟨U+200B⟩ice");
        assert_eq!(reveal("bell\u{7}"), "bell⟨U+0007⟩");
        assert_eq!(reveal("plain text, ünïcödé"), "plain text, ünïcödé");
    }

    #[test]
    fn long_cells_are_cut_visibly() {
        let long = "x".repeat(1_000_000);
        let shown = cell(&long);
        assert!(shown.ends_with("… (+999800 characters)"), "{}", &shown[shown.len() - 40..]);
        assert_eq!(shown.chars().filter(|&c| c == 'x').count(), MAX_CELL_CHARS);
    }

    #[test]
    fn compacting_keeps_strings() {
        assert_eq!(compact_json("{ \"a b\" : [ 1, \"x \\\" y\" ]\r\n}"), "{\"a b\":[1,\"x \\\" y\"]}");
    }

    #[test]
    fn keeps_key_order_and_strings() {
        let raw = r#"{"b":1,"a":{"x":"a, {b}: \"c\""},"e":[],"f":{}}"#;
        let expect = "{\n  \"b\": 1,\n  \"a\": {\n    \"x\": \"a, {b}: \\\"c\\\"\"\n  },\n  \"e\": [],\n  \"f\": {}\n}";
        assert_eq!(pretty_json(raw), expect);
    }

    #[test]
    fn reindents_pretty_input_the_same_way() {
        let compact = r#"{"a":[1,2],"b":{"c":null}}"#;
        let pretty = "{\n    \"a\" : [ 1 , 2 ],\r\n  \"b\": { \"c\": null }\n}";
        assert_eq!(pretty_json(pretty), pretty_json(compact));
    }
}

//! Exports of the shown events: JSON Lines (each original record on one line) and CSV (the table's
//! columns, safe to open in a spreadsheet).

use crate::model::Event;
use crate::view;

use std::io::Write;

/// The original records, one per line. Pretty-printed originals are compacted (key order and strings
/// untouched) so each stays on one line.
pub fn json_lines<'a>(events: impl IntoIterator<Item = &'a Event>) -> String {
    events.into_iter().map(json_line).collect()
}

/// [`json_lines`], written as it goes (the command line streams exports of any size).
pub fn write_json_lines<'a>(out: &mut dyn Write, events: impl IntoIterator<Item = &'a Event>) -> std::io::Result<()> {
    events.into_iter().try_for_each(|event| out.write_all(json_line(event).as_bytes()))
}

fn json_line(event: &Event) -> String {
    let mut line = view::compact_json(event.raw());
    line.push('\n');
    line
}

/// What a CSV file starts with, before [`csv`]: the byte order mark that tells a spreadsheet the text is
/// UTF-8 (without it, Excel reads a name such as `ünïcode` in the system's code page and shows it garbled).
/// Files carry it: the page's download and the command line's `--output`. Standard output does not, where
/// the next tool of a pipe would read it as part of the first column's name.
pub const UTF8_MARK: &str = "\u{feff}";

/// The table's columns as CSV (RFC 4180, CRLF line ends). A cell that a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`, so it is shown,
/// never evaluated.
pub fn csv<'a>(events: impl IntoIterator<Item = &'a Event>) -> String {
    let mut out = csv_record(&HEADER);
    out.extend(events.into_iter().map(csv_row));
    out
}

/// [`csv`], written as it goes.
pub fn write_csv<'a>(out: &mut dyn Write, events: impl IntoIterator<Item = &'a Event>) -> std::io::Result<()> {
    out.write_all(csv_record(&HEADER).as_bytes())?;
    events.into_iter().try_for_each(|event| out.write_all(csv_row(event).as_bytes()))
}

const HEADER: [&str; 10] =
    ["time", "event", "resource", "status", "identity", "source_ip", "region", "error", "user_agent", "event_id"];

fn csv_row(event: &Event) -> String {
    let row = view::full_row(event);
    let cells = [
        &row.time,
        &row.event,
        &row.resource,
        &row.status,
        &row.identity,
        &row.source_ip,
        &row.region,
        &row.error,
        event.user_agent(),
        event.event_id(),
    ];
    let safe: Vec<String> = cells.iter().map(|c| neutralise(c)).collect();
    csv_record(&safe)
}

/// One line: fields holding a comma, a quote or a line break are quoted, quotes doubled.
fn csv_record<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        let cell = cell.as_ref();
        if i > 0 {
            line.push(',');
        }
        if cell.contains([',', '"', '\r', '\n']) {
            line.push('"');
            line.push_str(&cell.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(cell);
        }
    }
    line.push_str("\r\n");
    line
}

/// A cell as a spreadsheet will show it, never run it.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_shown_not_run() {
        for cell in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(cell).starts_with('\''), "{cell:?}");
        }
        assert_eq!(neutralise("alice"), "alice");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_reads_back() {
        let line = csv_record(&["plain", "a,b", "say \"hi\"", "two\nlines", ""]);
        assert_eq!(line, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
        let mut reader = ::csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
        let record =
            reader.records().next().and_then(Result::ok).map(|r| r.iter().map(str::to_owned).collect::<Vec<_>>());
        assert_eq!(
            record,
            Some(vec!["plain".into(), "a,b".into(), "say \"hi\"".into(), "two\nlines".into(), String::new()])
        );
    }
}

//! Exports of the shown events: JSON Lines (each original record on one line) and CSV (the table's
//! columns, safe to open in a spreadsheet).

use crate::model::Event;
use crate::view;

use std::io::Write;

/// The original records, one per line. Pretty-printed originals are compacted (key order and strings
/// untouched) so each stays on one line.
pub fn json_lines<'a>(events: impl IntoIterator<Item = &'a Event>) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_json_lines(&mut out, events);
    String::from_utf8(out).unwrap_or_default()
}

/// [`json_lines`], written as it goes (the command line streams exports of any size).
pub fn write_json_lines<'a>(out: &mut dyn Write, events: impl IntoIterator<Item = &'a Event>) -> std::io::Result<()> {
    for event in events {
        out.write_all(view::compact_json(&event.raw).as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The table's columns as CSV. A cell that a spreadsheet would run as a formula (starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) is prefixed with `'`, so it is shown, never evaluated.
pub fn csv<'a>(events: impl IntoIterator<Item = &'a Event>) -> String {
    let mut out = Vec::new();
    let _ = write_csv(&mut out, events);
    String::from_utf8(out).unwrap_or_default()
}

/// [`csv`], written as it goes.
pub fn write_csv<'a>(out: &mut dyn Write, events: impl IntoIterator<Item = &'a Event>) -> std::io::Result<()> {
    let mut writer = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(out);
    let header =
        ["time", "event", "resource", "status", "identity", "source_ip", "region", "error", "user_agent", "event_id"];
    writer.write_record(header)?;
    for event in events {
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
            &event.user_agent,
            &event.event_id,
        ];
        writer.write_record(cells.iter().map(|c| neutralise(c)))?;
    }
    writer.flush()
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
}

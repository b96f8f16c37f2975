//! Exports of the shown events: JSON Lines (each original record on one line) and CSV (the table's
//! columns, safe to open in a spreadsheet).

use crate::model::Event;
use crate::view;

/// The original records, one per line. Pretty-printed originals are compacted (key order and strings
/// untouched) so each stays on one line.
pub fn json_lines<'a>(events: impl IntoIterator<Item = &'a Event>) -> String {
    let mut out = String::new();
    for event in events {
        out.push_str(&view::compact_json(&event.raw));
        out.push('\n');
    }
    out
}

/// The table's columns as CSV. A cell that a spreadsheet would run as a formula (starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) is prefixed with `'`, so it is shown, never evaluated.
pub fn csv<'a>(events: impl IntoIterator<Item = &'a Event>) -> String {
    let mut writer = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(Vec::new());
    let header =
        ["time", "event", "resource", "status", "identity", "source_ip", "region", "error", "user_agent", "event_id"];
    let _ = writer.write_record(header);
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
        let _ = writer.write_record(cells.iter().map(|c| neutralise(c)));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
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

//! What a set of shown events amounts to, for the page's summary line and the command line's summary:
//! the time span, how many accounts and regions, errors, and the most frequent events and identities.

use crate::index::{Column, Index, StrId};
use crate::query;
use crate::time::EventTime;

/// The shown events in a few numbers and lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Overview {
    /// First and last event time, when any event has one.
    pub span: Option<(EventTime, EventTime)>,
    /// Distinct accounts.
    pub accounts: usize,
    /// Distinct regions.
    pub regions: usize,
    /// Events with an error code.
    pub errors: u64,
    /// Events per name, most first.
    pub by_event: Vec<(String, u32)>,
    /// Events per identity, most first.
    pub identities: Vec<(String, u32)>,
    /// Events per error code, most first.
    pub error_codes: Vec<(String, u32)>,
}

impl Overview {
    /// The overview of `rows` (indices into the indexed events).
    pub fn of(index: &Index, rows: &[u32]) -> Overview {
        Overview::with_counts(index, rows, |column| query::facet(index, column, rows))
    }

    /// The overview of `rows`, taking the counts per value of a column from `counts` (which must count
    /// `rows`): the page already has them for its facets.
    pub fn with_counts(index: &Index, rows: &[u32], counts: impl Fn(Column) -> Vec<(StrId, u32)>) -> Overview {
        let counts = |column: Column| -> Vec<(String, u32)> {
            counts(column)
                .into_iter()
                .map(|(id, n)| (index.strings.get(id).to_owned(), n))
                .filter(|(value, _)| !value.is_empty())
                .collect()
        };
        let times = rows.iter().filter_map(|&r| index.time.get(r as usize)).copied().filter(|&t| t != i64::MIN);
        let span =
            times.fold(None, |acc: Option<(i64, i64)>, t| Some(acc.map_or((t, t), |(a, b)| (a.min(t), b.max(t)))));
        let error_codes = counts(Column::ErrorCode);
        Overview {
            span: span.map(|(a, b)| (EventTime(a), EventTime(b))),
            accounts: counts(Column::Account).len(),
            regions: counts(Column::Region).len(),
            errors: error_codes.iter().map(|(_, n)| u64::from(*n)).sum(),
            by_event: counts(Column::EventName),
            identities: counts(Column::Identity),
            error_codes,
        }
    }

    /// The span as `first to last`, in UTC.
    pub fn span_text(&self) -> String {
        match self.span {
            Some((first, last)) => format!("{} to {}", first.to_iso(), last.to_iso()),
            None => "no times".to_owned(),
        }
    }

    /// The page's one line: when, where, what, who, and how many failed. Values are made safe to show.
    pub fn line(&self) -> String {
        let top = |list: &[(String, u32)], n: usize| {
            list.iter()
                .take(n)
                .map(|(v, count)| format!("{} ({count})", crate::view::cell(v)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        use crate::view::counted;
        format!(
            "{} · {} · {} · {} · most frequent: {} · top identities: {}",
            self.span_text(),
            counted(self.accounts, "account"),
            counted(self.regions, "region"),
            counted(self.errors, "error"),
            top(&self.by_event, 3),
            top(&self.identities, 3),
        )
    }
}

//! What the command writes: the overview ([`summary`]), the jobs table ([`jobs_table`]) and the page's two
//! exports ([`json_lines`], [`csv`]), each over the matching events in the page's default order.
//!
//! Every string that comes from a log passes through `view::cell` or `view::reveal`, as on the page, so a log
//! cannot send control characters (terminal escapes, bidi overrides) to the reader's terminal.

use std::io::{self, Write};

use trailscope_core::export;
use trailscope_core::index::Index;
use trailscope_core::jobs::Job;
use trailscope_core::model::Event;
use trailscope_core::overview::Overview;
use trailscope_core::store::Store;
use trailscope_core::view;

/// The loaded data with its index and the rows the query matches, oldest first.
pub struct Answer<'a> {
    /// What was loaded.
    pub store: &'a Store,
    /// Its columns.
    pub index: &'a Index,
    /// The matching events, as indices into the store, in the page's default order.
    pub shown: &'a [u32],
    /// The query as typed, for the summary's heading.
    pub query: &'a str,
    /// Whether every service's events were kept.
    pub keep_all: bool,
}

impl Answer<'_> {
    fn events(&self) -> impl Iterator<Item = &Event> {
        self.shown.iter().filter_map(|&i| self.store.events().get(i as usize))
    }
}

/// The page's "Export JSON Lines": one original record per line, written as it goes.
pub fn json_lines(out: &mut dyn Write, answer: &Answer<'_>) -> io::Result<()> {
    export::write_json_lines(out, answer.events())
}

/// The page's "Export CSV", written as it goes; `to_file` starts it as the page's download does
/// ([`export::UTF8_MARK`]).
pub fn csv(out: &mut dyn Write, answer: &Answer<'_>, to_file: bool) -> io::Result<()> {
    if to_file {
        out.write_all(export::UTF8_MARK.as_bytes())?;
    }
    export::write_csv(out, answer.events())
}

/// What the page's status line and overview show, for the matching events.
pub fn summary(out: &mut dyn Write, answer: &Answer<'_>) -> io::Result<()> {
    let counts = answer.store.summary();
    writeln!(
        out,
        "files       {} read, {} failed, {} skipped",
        counts.files_ok, counts.files_failed, counts.files_skipped
    )?;
    for note in answer.store.notes() {
        let what = if note.skipped { "skipped" } else { "failed " };
        writeln!(out, "  {what}   {}: {}", view::reveal(&note.file), view::reveal(&note.message))?;
    }
    writeln!(out, "records     {} read (every service, duplicate deliveries included)", counts.n_records)?;
    let kind = if answer.keep_all { "" } else { "Transcribe " };
    writeln!(out, "kept        {} {kind}events, {} duplicates dropped", counts.n_kept, counts.n_duplicates)?;
    if counts.n_differing > 0 {
        writeln!(
            out,
            "            {} of them unlike the copy kept (changed, or another event under the same eventID){} eventID {}",
            counts.n_differing,
            if counts.n_differing > 1 { ", e.g." } else { ":" },
            view::reveal(answer.store.differing_id().unwrap_or_default())
        )?;
    }
    if answer.query.trim().is_empty() {
        writeln!(out, "matching    {} events (no query)", answer.shown.len())?;
    } else {
        writeln!(out, "matching    {} events for {}", answer.shown.len(), view::reveal(answer.query.trim()))?;
    }
    if !answer.shown.is_empty() {
        let overview = Overview::of(answer.index, answer.shown);
        writeln!(out, "time span   {}", overview.span_text())?;
        writeln!(out, "accounts    {}", overview.accounts)?;
        writeln!(out, "regions     {}", overview.regions)?;
        writeln!(out, "errors      {} events with an error code", overview.errors)?;
        table(out, "events by name", &overview.by_event, usize::MAX)?;
        table(out, "top identities", &overview.identities, 10)?;
        table(out, "errors by code", &overview.error_codes, usize::MAX)?;
    }
    let not_kept = answer.store.not_kept(answer.keep_all);
    if !not_kept.is_empty() {
        writeln!(out)?;
        writeln!(out, "counted, not kept (--all keeps them)")?;
        for service in not_kept {
            writeln!(out, "  {:>9}  {}", service.n, view::cell(&service.service))?;
            for (name, n) in service.names.iter().take(10) {
                writeln!(out, "  {n:>9}    {}", view::cell(name))?;
            }
            if service.names.len() > 10 {
                writeln!(out, "             ({} more event names)", service.names.len() - 10)?;
            }
        }
    }
    Ok(())
}

fn table(out: &mut dyn Write, title: &str, rows: &[(String, u32)], limit: usize) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let more = rows.len().saturating_sub(limit);
    writeln!(out, "{title}{}", if more > 0 { format!(" ({} of {})", limit, rows.len()) } else { String::new() })?;
    for (value, n) in rows.iter().take(limit) {
        writeln!(out, "  {n:>9}  {}", view::cell(value))?;
    }
    Ok(())
}

/// The jobs view as text: one aligned line per resource, most recently active first, then what the page shows
/// when a job is opened (media, failure, anomalies) on indented lines beneath it.
pub fn jobs_table(out: &mut dyn Write, jobs: &[Job]) -> io::Result<()> {
    if jobs.is_empty() {
        return writeln!(out, "No Transcribe job, vocabulary or other resource is named in the matching events.");
    }
    let header =
        ["KIND", "NAME", "STATUS", "EVENTS", "FIRST", "LAST", "TOOK", "STARTED BY", "LANGUAGE", "ACCOUNT/REGION"];
    let rows: Vec<[String; 10]> = jobs
        .iter()
        .map(|job| {
            [
                job.kind.as_str().to_owned(),
                view::cell(&job.name) + &job.use_of_name(),
                view::cell(job.status_label()),
                job.events.len().to_string(),
                job.first.map(|t| t.to_iso()).unwrap_or_default(),
                job.last.map(|t| t.to_iso()).unwrap_or_default(),
                job.duration_ms().map(view::duration).unwrap_or_default(),
                view::cell(job.started_by.as_deref().unwrap_or_default()),
                view::cell(job.language.display()),
                view::cell(&format!("{}/{}", job.account, job.region)),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: &[&str]| -> io::Result<()> {
        let mut text = String::new();
        for (cell, width) in cells.iter().zip(widths) {
            text.push_str(cell);
            text.extend(std::iter::repeat_n(' ', width.saturating_sub(cell.chars().count()) + 2));
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, &header)?;
    for (job, row) in jobs.iter().zip(&rows) {
        line(out, &row.each_ref().map(String::as_str))?;
        if job.media_uri.is_present() {
            writeln!(out, "    media:   {}", view::cell(job.media_uri.display()))?;
        }
        if !job.failure().is_empty() {
            writeln!(out, "    failure: {}", view::cell(job.failure()))?;
        }
        for anomaly in &job.anomalies {
            writeln!(out, "    look:    {}", view::cell(anomaly))?;
        }
    }
    Ok(())
}

//! **API Boundary.** The page's one handle on loaded data: files go in as bytes, rows, counts and jobs
//! come out. It is shaped like a message protocol (add, finish, ask) so it can move into a worker
//! without changing the components that call it.

use std::cell::RefCell;
use std::rc::Rc;

use trailscope_core::index::{Column, Index, StrId};
use trailscope_core::ingest::{self, FileResult, IngestOptions, Outcome};
use trailscope_core::jobs::{self, Job};
use trailscope_core::model::Event;
use trailscope_core::query::{self, Evaluation, Query};
use trailscope_core::store::{FileNote, Store, Summary};

/// The facets the page shows, with their search field names.
pub const FACETS: [(Column, &str, &str); 9] = [
    (Column::EventName, "event", "Event"),
    (Column::Identity, "user", "Identity"),
    (Column::SourceIp, "ip", "Source IP"),
    (Column::Region, "region", "Region"),
    (Column::Account, "account", "Account"),
    (Column::ErrorCode, "error", "Error"),
    (Column::AgentFamily, "family", "User agent"),
    (Column::Kind, "kind", "Resource kind"),
    (Column::Status, "status", "Status"),
];

/// Loaded data, its index, the current query and the rows it shows.
#[derive(Default)]
pub struct Engine {
    store: Store,
    options: IngestOptions,
    /// Event indices oldest first: the candidates every query filters.
    order: Vec<u32>,
    /// One job per resource, worked out when the jobs view first asks after the data changed: at the end
    /// of a load with 10,000 Transcribe events it was a third of bringing the rows up to date, for a tab
    /// the person may never open.
    jobs: std::cell::OnceCell<Vec<Job>>,
    index: Index,
    query: Query,
    shown: Vec<u32>,
    /// The shown rows lowest index first: counts, the overview and the histogram read the columns down
    /// in order this way, instead of jumping about them in time order.
    unordered: Vec<u32>,
    /// Counts per value of a column, over the shown rows (`false`) or over a facet's own rows (`true`),
    /// kept until the rows change: the facets and the overview ask for the same ones at every render.
    counts: RefCell<Vec<((Column, bool), Counts)>>,
    sort: Sort,
    /// The current query's evaluation, kept for the facet counts (`Evaluation::facet_rows`).
    evaluation: Option<Evaluation>,
    /// Whether `evaluation` is a search over the original JSON still going on: `shown` holds what it
    /// found so far.
    pending: bool,
    /// The rows `evaluation` looks at, when fewer than all (`order`): the last answer's, when the query
    /// only narrowed it.
    candidates: Option<Vec<u32>>,
    /// Whether a loop is already driving the pending search between frames.
    pub driving: bool,
}

/// How long one slice of a search over the original JSON may take, so typing and scrolling stay smooth.
const SLICE_MS: f64 = 25.0;
/// Candidates looked at between two looks at the clock.
const SLICE_ROWS: usize = 4096;
/// Counts per value of a column, most first.
type Counts = Rc<Vec<(StrId, u32)>>;

/// The table's order: by time (the default), or by a column's text; either way up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    /// `None` sorts by time.
    pub column: Option<Column>,
    /// Newest or largest first.
    pub descending: bool,
}

/// What the kept events may cost (`Store::set_budget`). Wasm gives the page 4 GiB in all, and the index, the
/// sorts and a vector that doubles need room beside the events: 2.4 GiB at most, about a million events
/// (1.2 million generated events, every one kept: 1,117,380 kept, the page's memory at 2.79 GiB, searches
/// answering).
/// Less where the device says it has little memory (`navigator.deviceMemory`, in GB, rounded), since the
/// browser ends a tab that takes too much of it well before wasm's limit.
fn memory_budget() -> u64 {
    const GIB: f64 = (1u64 << 30) as f64;
    let device = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"deviceMemory".into()).ok())
        .and_then(|v| v.as_f64())
        .filter(|gb| *gb > 0.0)
        .unwrap_or(8.0);
    (device * 0.3 * GIB).clamp(GIB / 16.0, 2.4 * GIB) as u64
}

/// With every event kept, what the events a worker keeps of one file may cost (as the budget reckons them)
/// before it reads the rest for Transcribe events only: a quarter of the page's budget, at most 256 MiB. A
/// worker holds a file's events and their encoding until it answers, and the page holds the answer twice
/// while it takes it in: a file of gigabytes would otherwise end the worker, which has 4 GiB as the page
/// has, losing the whole file, or the page. What is not kept counts as held back, as past the budget.
pub fn keep_all_bytes() -> u64 {
    (memory_budget() / 4).min(256 << 20)
}

/// What the events a worker keeps of one file may cost in all, Transcribe ones too, before it only counts
/// the rest: twice [`keep_all_bytes`], so that a file read keeping every event still keeps its Transcribe
/// events past that. For the same reason: a file of gigabytes of Transcribe calls ended the worker, and was
/// lost whole; at half the budget, the page holding its answer twice as it takes it in still fits in 4 GiB
/// beside a full store. What is not kept counts as held back.
pub fn keep_bytes() -> u64 {
    2 * keep_all_bytes()
}

impl Engine {
    /// An empty engine that keeps what `options` says, within the memory the tab can give its events.
    pub fn new(options: IngestOptions) -> Engine {
        let mut engine = Engine { options, ..Engine::default() };
        engine.store.set_budget(memory_budget());
        engine.store.set_keeps_all(options.keep_all);
        engine
    }

    /// Runs a reading worker's warm-up answer through a load's steps on this thread, in an engine thrown
    /// away after: the browser then optimises them while the person picks files rather than during the
    /// first load, on the cores the workers need (about 26 functions and 250 ms of compiling here).
    pub fn warm(answer: &[u8]) {
        let mut engine = Engine::default();
        for result in trailscope_core::wire::decode(answer).unwrap_or_default() {
            engine.add_result(result, u32::MAX);
        }
        engine.finish();
        let _ = engine.overview();
        for (column, ..) in FACETS {
            let _ = engine.facet(column, 10);
        }
    }

    /// Empties the engine to read everything again with other options; the query stays.
    pub fn reset(&mut self, options: IngestOptions) {
        let query = std::mem::take(&mut self.query);
        *self = Engine { query, sort: self.sort, driving: self.driving, ..Engine::new(options) };
    }

    /// True once the events kept take all the memory set aside for them: no new event will be kept.
    pub fn memory_full(&self) -> bool {
        self.store.is_full()
    }

    /// Records a file that could not be read at all, or was not read.
    pub fn add_outcome(&mut self, name: &str, outcome: Outcome) {
        self.store.add(ingest::unread(name, outcome));
    }

    /// Takes back the notes that files were skipped for `reason` (see `Store::withdraw_skipped`).
    pub fn withdraw_skipped(&mut self, reason: &str, given_again: impl Fn(&str) -> bool) -> u64 {
        self.store.withdraw_skipped(reason, given_again)
    }

    /// Adds an already ingested file, with the sketch its worker built of its events when it did. `order` is
    /// the file's place among those given: of two copies of an event that differ, the one of the file given
    /// first stays, whichever came first.
    pub fn add_result(&mut self, mut result: FileResult, order: u32) {
        let words = std::mem::take(&mut result.sketch);
        let before = self.store.events().len();
        let added = self.store.add_in_order(result, order);
        // Indexed now, while the workers read the next files, rather than all at once after the last: the
        // store appends, so the index takes just the new events. Rows join the table at `finish`.
        self.index_new();
        // The worker's bitsets fit only where the sketch ends right before this file's events; a block that
        // does not fit stops the appending, so the sketch stays a true sketch of a prefix. Every worker of
        // this build sketches what it keeps (the `wire` version says which build), so the sketch lags only
        // after such a mishap, and a search then reads the rows beyond it in full: slower, still right.
        let sketch = &mut self.index.sketch;
        if sketch.len() == before && !words.is_empty() {
            sketch.push_kept(&words, &added.kept);
        }
        // A copy from a file given earlier takes the place of the one kept: its row is read again.
        for (row, at) in added.replaced {
            if let Some(event) = self.store.events().get(row) {
                self.index.replace(row, event);
            }
            let n = trailscope_core::sketch::WORDS_PER_EVENT;
            self.index.sketch.replace(row, words.get(at * n..(at + 1) * n));
        }
    }

    /// Brings the index, the orderings and the shown rows up to date after a batch of files.
    pub fn finish(&mut self) {
        self.index_new();
        let order = self.store.by_time();
        self.jobs = std::cell::OnceCell::new();
        self.order = order.into_iter().map(|i| i as u32).collect();
        self.refilter();
    }

    /// Indexes the events added since the index was last brought up to date.
    fn index_new(&mut self) {
        for event in &self.store.events()[self.index.len()..] {
            self.index.push(event);
        }
    }

    /// Applies what the person typed; returns what the language did not understand.
    pub fn search(&mut self, text: &str) -> Vec<String> {
        let (query, hints) = query::parse(text);
        self.requery(Query { range: self.query.range, ..query });
        hints.into_iter().map(|h| h.0).collect()
    }

    /// Limits the shown rows to a time range (start inclusive, end exclusive), or lifts the limit.
    pub fn set_range(&mut self, range: Option<(i64, i64)>) {
        self.requery(Query { range, ..self.query.clone() });
    }

    /// Takes a new query. When it only narrows the last one, answered in full, just the rows that answer
    /// showed are looked at: a word typed on letter by letter reads fewer records at each letter.
    fn requery(&mut self, query: Query) {
        let within = !self.pending && query.answerable_within(&self.query);
        let last = self.evaluation.take().filter(|_| within).map(|evaluation| evaluation.rows);
        self.query = query;
        self.candidates = last;
        self.evaluate();
    }

    /// One line about the shown events: when, where, what, who, and how many failed.
    pub fn overview(&self) -> String {
        if self.shown.is_empty() {
            return String::new();
        }
        let counts = |column| self.shown_counts(column, false).as_ref().clone();
        trailscope_core::overview::Overview::with_counts(&self.index, &self.unordered, counts).line()
    }

    /// Records read but not kept, per service, most first (empty when every event is kept).
    pub fn not_kept(&self, limit: usize) -> Vec<trailscope_core::store::NotKept> {
        let mut services = self.store.not_kept(self.options.keep_all);
        services.truncate(limit);
        services
    }

    /// Every distinct value of `column` among the loaded events (not only the shown ones), sorted. For the
    /// accounts and regions of the SQL hand-off, a few dozen at most: each goes into its place as it comes,
    /// where a sort of strings would be a kilobyte of the page's download of its own.
    pub fn distinct(&self, column: Column) -> Vec<String> {
        let strings = &self.index.strings;
        let mut values: Vec<String> = Vec::new();
        for id in 0..strings.len() as trailscope_core::index::StrId {
            let value = strings.get(id);
            if self.index.holds(column, id) && !value.is_empty() {
                let at = values.binary_search_by(|v| v.as_str().cmp(value)).unwrap_or_else(|at| at);
                values.insert(at, value.to_owned());
            }
        }
        values
    }

    /// The day of the oldest loaded event, `YYYY/MM/DD`, or "" with no times.
    pub fn first_day(&self) -> String {
        let first = self.order.first().and_then(|&i| self.index.time.get(i as usize)).filter(|&&t| t != i64::MIN);
        first.map(|&t| trailscope_core::time::EventTime(t).to_iso()[..10].replace('-', "/")).unwrap_or_default()
    }

    /// The shown events over time.
    pub fn histogram(&self, n_bins: usize) -> query::Histogram {
        query::histogram(&self.index, &self.unordered, n_bins)
    }

    /// Answers the query over every row again (the rows changed).
    fn refilter(&mut self) {
        self.candidates = None;
        self.evaluate();
    }

    fn evaluate(&mut self) {
        let mut evaluation = Evaluation::new(&self.query, &self.index);
        // Free text and JSON paths read every candidate's original JSON: the first rows show at once, the
        // rest come in slices between frames (see `continue_search`).
        self.pending = evaluation.reads_json();
        if !self.pending {
            let candidates = self.candidates.as_deref().unwrap_or(&self.order);
            evaluation.advance(&self.index, self.store.events(), candidates, usize::MAX);
        }
        self.evaluation = Some(evaluation);
        if self.pending {
            self.continue_search();
        } else {
            self.take_rows();
        }
    }

    /// Takes in what the evaluation has found so far: the counts start again, and the table shows the
    /// rows, in its chosen order once the search is over and in time order while it goes on.
    fn take_rows(&mut self) {
        let Some(evaluation) = &self.evaluation else { return };
        self.unordered = evaluation.matched_rows();
        self.counts.get_mut().clear();
        if self.pending {
            self.shown.clone_from(&evaluation.rows);
        } else {
            self.order_shown();
        }
    }

    /// The time of the earliest shown event, whatever order the table shows: what relative times count
    /// from. The evaluation finds rows in time order, events without a time last.
    pub fn earliest(&self) -> Option<i64> {
        let row = *self.evaluation.as_ref()?.rows.first()? as usize;
        self.store.events().get(row)?.time.map(|t| t.0)
    }

    /// Goes on with a search over the original JSON for one slice of time; returns how far it is, in
    /// percent, while it is not finished.
    pub fn continue_search(&mut self) -> Option<u8> {
        let evaluation = self.evaluation.as_mut().filter(|_| self.pending)?;
        let started = js_sys::Date::now();
        let (index, events) = (&self.index, self.store.events());
        let candidates = self.candidates.as_deref().unwrap_or(&self.order);
        let mut done = false;
        while !done && js_sys::Date::now() - started < SLICE_MS {
            done = evaluation.advance(index, events, candidates, SLICE_ROWS);
        }
        self.pending = !done;
        self.take_rows();
        self.searching()
    }

    /// How far a search over the original JSON has gone, in percent, while it goes on.
    pub fn searching(&self) -> Option<u8> {
        let evaluation = self.evaluation.as_ref().filter(|_| self.pending)?;
        let candidates = self.candidates.as_ref().map_or(self.order.len(), Vec::len);
        Some((evaluation.looked_at() * 100 / candidates.max(1)).min(99) as u8)
    }

    /// `shown` from the evaluation's rows (time order), in the table's order.
    fn order_shown(&mut self) {
        self.shown.clone_from(self.evaluation.as_ref().map_or(&Vec::new(), |e| &e.rows));
        // The candidates come in time order, and ties keep it: each row is sorted with its place. (The page
        // has no stable sort: without one, its download is 2.8 KB smaller.)
        if let Some(column) = self.sort.column {
            let (ids, strings) = (self.index.column(column), &self.index.strings);
            let key = |row: u32| strings.lower(ids.get(row as usize).copied().unwrap_or(0));
            let mut placed: Vec<(u32, u32)> =
                self.shown.iter().enumerate().map(|(at, &row)| (at as u32, row)).collect();
            query::sort_pairs(&mut placed, &|a, b| key(a.1).cmp(key(b.1)).then(a.0.cmp(&b.0)));
            self.shown = placed.into_iter().map(|(_, row)| row).collect();
        }
        if self.sort.descending {
            self.shown.reverse();
        }
    }

    /// Orders the table.
    pub fn set_sort(&mut self, sort: Sort) {
        self.sort = sort;
        if !self.pending {
            self.order_shown();
        }
    }

    /// The table's order.
    pub fn sort(&self) -> Sort {
        self.sort
    }

    /// The table row showing event `index`, if it is shown.
    pub fn position(&self, index: usize) -> Option<usize> {
        self.shown.iter().position(|&i| i as usize == index)
    }

    /// The shown events, in table order.
    pub fn shown_events(&self) -> impl Iterator<Item = &Event> {
        self.shown.iter().filter_map(|&i| self.store.events().get(i as usize))
    }

    /// How many rows the current query shows.
    pub fn n_shown(&self) -> usize {
        self.shown.len()
    }

    /// The most frequent values of a facet, with their counts, and whether a term of the search of its
    /// own asks for the value (`Some(true)`) or leaves it out (`Some(false)`). The counts follow every
    /// filter but the facet's own, so choosing one value still shows the others to switch to; while a
    /// search over the original JSON goes on, they count what it has looked at so far. A value the search
    /// names is listed even when less frequent than the first `limit`, so it can be taken out where it was
    /// chosen.
    pub fn facet(&self, column: Column, limit: usize) -> Vec<(String, u32, Option<bool>)> {
        let counts = self.facet_counts(column);
        // The values the search names for this field, and whether a listed value has them yet. Terms match
        // regardless of case, so each value spelled so (Bob and bob) is marked.
        let named = query::named(&self.query, column);
        let mut seen = vec![false; named.len()];
        let mut listed = Vec::new();
        for (rank, &(id, n)) in counts.iter().enumerate() {
            if rank >= limit && !seen.contains(&false) {
                break;
            }
            let value = self.index.strings.get(id);
            // Past the first `limit`, only a value the search names; a length check spares lower-casing the rest.
            let at = named.iter().position(|(v, ..)| v.len() == value.len() && *v == value.to_lowercase());
            if rank < limit || at.is_some() {
                listed.push((value.to_owned(), n, at.map(|at| named[at].1)));
            }
            if let Some(at) = at {
                seen[at] = true;
            }
        }
        // A value named that no shown event holds (bob, with a range he has no event in): still there, to
        // take back out where it was chosen. Not a wildcard typed (`bob*`), which is no value of its own.
        let unseen = named.into_iter().zip(seen).filter(|&((.., exact), seen)| exact && !seen);
        listed.extend(unseen.map(|((v, asked, _), _)| (v.to_owned(), 0, Some(asked))));
        listed
    }

    /// How many values a facet has to list (the empty one, id 0, is not listed).
    pub fn facet_len(&self, column: Column) -> usize {
        self.facet_counts(column).iter().filter(|&&(id, _)| id != 0).count()
    }

    /// A facet's counts: over the rows that pass every term but the column's own, when it has one.
    fn facet_counts(&self, column: Column) -> Counts {
        let own = |t: &query::Term| matches!(&t.test, query::Test::Column(c, _) if *c == column);
        self.shown_counts(column, self.query.terms.iter().any(own))
    }

    /// Counts per value of `column` over the shown rows, or (`facet`) over the rows that pass every term
    /// but the column's own.
    fn shown_counts(&self, column: Column, facet: bool) -> Counts {
        if let Some((_, counts)) = self.counts.borrow().iter().find(|(key, _)| *key == (column, facet)) {
            return counts.clone();
        }
        let counts = Rc::new(match (&self.evaluation, facet) {
            (Some(evaluation), true) => query::facet(&self.index, column, &evaluation.facet_rows(column)),
            // The shown rows are distinct rows of the index: as many as it has means all of them.
            _ if self.unordered.len() == self.index.len() => query::facet_all(&self.index, column),
            _ => query::facet(&self.index, column, &self.unordered),
        });
        self.counts.borrow_mut().push(((column, facet), counts.clone()));
        counts
    }

    /// What the engine keeps.
    pub fn options(&self) -> IngestOptions {
        self.options
    }

    /// The status counts.
    pub fn summary(&self) -> Summary {
        self.store.summary()
    }

    /// The least eventID of the copies unlike the one kept.
    pub fn differing_id(&self) -> Option<&str> {
        self.store.differing_id()
    }

    /// Failed and skipped files.
    pub fn notes(&self) -> &[FileNote] {
        self.store.notes()
    }

    /// How many rows the table has: the events the query shows.
    pub fn n_rows(&self) -> usize {
        self.shown.len()
    }

    /// The event shown in table row `row` (rows are sorted by time), with its index.
    pub fn row(&self, row: usize) -> Option<(usize, &Event)> {
        let index = *self.shown.get(row)? as usize;
        Some((index, self.store.events().get(index)?))
    }

    /// The index of the kept event with this `eventID`.
    pub fn find_event(&self, event_id: &str) -> Option<usize> {
        self.store.events().iter().position(|e| e.event_id() == event_id)
    }

    /// The event at `index`.
    pub fn event(&self, index: usize) -> Option<&Event> {
        self.store.events().get(index)
    }

    /// The Transcribe resources, most recently active first.
    pub fn jobs(&self) -> &[Job] {
        self.jobs.get_or_init(|| jobs::jobs(self.store.events(), self.order.iter().map(|&i| i as usize)))
    }

    /// Which of [`Engine::jobs`] have an event among the shown rows (all of them when every event shows):
    /// the jobs the search and the range are about, each still told whole.
    pub fn jobs_shown(&self) -> Vec<usize> {
        let jobs = self.jobs();
        let all = self.unordered.len() == self.store.events().len();
        (0..jobs.len()).filter(|&i| all || jobs[i].events.iter().any(|&e| self.in_rows(e))).collect()
    }

    /// Whether event `index` is among the shown rows so far (looked up in index order, not scanned).
    fn in_rows(&self, index: usize) -> bool {
        self.unordered.binary_search(&(index as u32)).is_ok()
    }

    /// Whether the query leaves event `index` out: not while a search is still going on, since it may
    /// not have reached the event yet.
    pub fn leaves_out(&self, index: usize) -> bool {
        !self.pending && !self.in_rows(index)
    }
}

/// A shared engine that components can hold in props: equal when it is the same engine, so a render is
/// triggered by the generation number that travels beside it, not by comparing data.
#[derive(Clone)]
pub struct EngineHandle(pub Rc<RefCell<Engine>>);

impl Default for EngineHandle {
    fn default() -> Self {
        EngineHandle(Rc::new(RefCell::new(Engine::new(IngestOptions::default()))))
    }
}

impl PartialEq for EngineHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

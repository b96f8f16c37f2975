//! View state and the one reducer that changes it. It never holds the loaded events (the engine does),
//! only what the person sees: counts, progress, selection, tab.

use std::rc::Rc;

use trailscope_core::store::{FileNote, Summary};
use yew::Reducible;

/// Which view is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Tab {
    /// The event table.
    #[default]
    Events,
    /// One row per Transcribe resource.
    Jobs,
}

/// Loading progress.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Progress {
    /// Files the engine had taken in (read, failed or skipped) when this progress began.
    pub files_before: u64,
    /// Files given.
    pub files_total: u64,
    /// Bytes finished.
    pub bytes_done: u64,
    /// Bytes of the files whose size is known so far (sizes are asked while the first files are read).
    pub bytes_total: u64,
    /// Files whose size `bytes_total` counts.
    pub files_sized: u64,
    /// The file being read.
    pub current: String,
    /// When this load began, in milliseconds since the epoch.
    pub started_ms: f64,
}

impl Progress {
    /// Files of this load done: those the status line counts since it began, so that the two lines agree.
    /// Never beyond the total: the sample is queued as one file and counted as the files it holds.
    pub fn files_done(&self, summary: &Summary) -> u64 {
        summary.files().saturating_sub(self.files_before).min(self.files_total)
    }

    /// A rough estimate of the time left, from the pace so far; `None` until there is a pace: half a
    /// second in and a twentieth of the bytes read (before that, starting the workers weighs on the pace
    /// and the page said "about 40 s left" of a three-second load). While some files' sizes are not
    /// known yet, the others' sizes stand for them: counting only the known ones, a folder of thousands
    /// of files would first be said to be nearly done.
    pub fn seconds_left(&self, now_ms: f64) -> Option<f64> {
        let elapsed = (now_ms - self.started_ms) / 1000.0;
        let (known, sized) = (self.bytes_total as f64, self.files_sized);
        let total =
            if (1..self.files_total).contains(&sized) { known * self.files_total as f64 / sized as f64 } else { known };
        let done = self.bytes_done as f64;
        if done == 0.0 || total <= done || elapsed < 0.5 || done * 20.0 < total {
            return None;
        }
        Some(elapsed * (total - done) / done)
    }
}

/// Everything the page shows that is not the data itself.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct State {
    /// `None` before the first load.
    pub loading: Option<bool>,
    /// Loading progress while loading.
    pub progress: Progress,
    /// Counts of everything loaded.
    pub summary: Summary,
    /// Failed and skipped files.
    pub notes: Rc<Vec<FileNote>>,
    /// Bumped whenever the engine's data changes, so views re-read it.
    pub generation: u64,
    /// The selected event (an index into the engine's events).
    pub selected: Option<usize>,
    /// The open tab.
    pub tab: Tab,
    /// The expanded job in the jobs view.
    pub open_job: Option<String>,
    /// Whether events of every service are kept.
    pub show_all: bool,
    /// What is typed in the search box.
    pub search: String,
    /// What the search language did not understand.
    pub hints: Rc<Vec<String>>,
    /// Rows the query shows.
    pub shown: u64,
    /// The `eventID` to select once it is loaded (from a shared link).
    pub wanted_event: Option<String>,
    /// The time range brushed on the timeline.
    pub range: Option<(i64, i64)>,
    /// How far a search over the original JSON has gone, in percent, while it goes on.
    pub searching: Option<u8>,
}

/// Intents, from components and from the loader.
pub enum Action {
    /// More files joined the queue, or more of their sizes are known (`bytes`, of `sized` files).
    Queued { files: u64, bytes: u64, sized: u64 },
    /// Everything was reset to be read again (show-all changed), with the selected event's ID.
    Reset { show_all: bool, event: Option<String> },
    /// Bytes read since the last progress, the file being read now ("" if unchanged), and the engine's
    /// counts, which are up to date with every answer though its table is not.
    Progress { bytes: u64, reading: String, summary: Summary },
    /// The engine's data changed.
    Data { summary: Summary, notes: Rc<Vec<FileNote>>, shown: u64, searching: Option<u8> },
    /// The search changed.
    Searched { text: String, hints: Rc<Vec<String>>, shown: u64 },
    /// A search over the original JSON went on: rows found so far, and how far it is (`None`: finished).
    Searching { shown: u64, percent: Option<u8> },
    /// The table's order changed.
    Resorted,
    /// The time range changed.
    Ranged { range: Option<(i64, i64)>, shown: u64 },
    /// The queue is empty.
    Idle,
    /// A row was chosen.
    Select(usize),
    /// The selection was cleared.
    Unselect,
    /// A shared link, Back or Forward asks for this view: the search (already given to the engine, with
    /// its hints and the rows it shows), range, tab, and an event to select once loaded.
    Restore {
        search: String,
        hints: Rc<Vec<String>>,
        shown: u64,
        range: Option<(i64, i64)>,
        tab: Tab,
        event: Option<String>,
    },
    /// A tab was chosen.
    Tab(Tab),
    /// A job was opened or closed.
    ToggleJob(String),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Queued { files, bytes, sized } => {
                if next.loading != Some(true) {
                    next.progress = Progress {
                        started_ms: js_sys::Date::now(),
                        files_before: next.summary.files(),
                        ..Progress::default()
                    };
                }
                next.loading = Some(true);
                next.progress.files_total += files;
                next.progress.bytes_total += bytes;
                next.progress.files_sized += sized;
            }
            Action::Reset { show_all, event } => {
                next = State {
                    tab: next.tab,
                    wanted_event: event.or_else(|| next.wanted_event.clone()),
                    search: next.search.clone(),
                    hints: next.hints.clone(),
                    // The engine keeps its query, range included: so does the view, and the address.
                    range: next.range,
                    show_all,
                    loading: Some(true),
                    generation: next.generation + 1,
                    // The load starts over now: the time left is paced from here.
                    progress: Progress { started_ms: js_sys::Date::now(), ..Progress::default() },
                    ..State::default()
                };
            }
            Action::Progress { bytes, reading, summary } => {
                // The status line's counts move with the progress line's, five times a second; the
                // table's rows still join at most once a second (see `Loader::settle`).
                next.summary = summary;
                next.progress.bytes_done += bytes;
                if !reading.is_empty() {
                    next.progress.current = reading;
                }
            }
            Action::Data { summary, notes, shown, searching } => {
                next.summary = summary;
                next.notes = notes;
                next.shown = shown;
                // New files start the query again: a search that was going on may be over already.
                next.searching = searching;
                next.generation += 1;
            }
            Action::Searching { shown, percent } => {
                next.shown = shown;
                next.searching = percent;
                next.generation += 1;
            }
            Action::Resorted => next.generation += 1,
            Action::Ranged { range, shown } => {
                next.searching = None;
                next.range = range;
                next.shown = shown;
                next.generation += 1;
            }
            Action::Searched { text, hints, shown } => {
                next.searching = None;
                next.search = text;
                next.hints = hints;
                next.shown = shown;
                next.generation += 1;
            }
            Action::Idle => {
                next.loading = Some(false);
                next.progress.current.clear();
            }
            Action::Select(index) => {
                if next.selected == Some(index) {
                    return self;
                }
                next.selected = Some(index);
                next.wanted_event = None;
            }
            Action::Unselect => {
                if next.selected.is_none() {
                    return self;
                }
                next.selected = None;
            }
            Action::Restore { search, hints, shown, range, tab, event } => {
                next.searching = None;
                next.search = search;
                next.hints = hints;
                next.shown = shown;
                next.range = range;
                next.tab = tab;
                // The entry's event is selected again once found (see the app), or none is.
                next.selected = None;
                next.wanted_event = event;
                next.generation += 1;
            }
            Action::Tab(tab) => {
                if next.tab == tab {
                    return self;
                }
                next.tab = tab;
            }
            Action::ToggleJob(key) => {
                next.open_job = if next.open_job.as_ref() == Some(&key) { None } else { Some(key) };
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::{Progress, Summary};

    #[test]
    fn a_second_load_counts_its_own_files_as_the_status_line_counts_them() {
        // 10 files loaded before; this load of 5 has 2 read and 1 failed so far, as the status line says.
        let p = Progress { files_before: 10, files_total: 5, ..Progress::default() };
        let summary = Summary { files_ok: 11, files_failed: 1, files_skipped: 1, ..Summary::default() };
        assert_eq!(p.files_done(&summary), 3);
        // The sample is one file queued and six counted.
        let sample = Progress { files_total: 1, ..Progress::default() };
        assert_eq!(sample.files_done(&Summary { files_ok: 6, ..Summary::default() }), 1);
        // A reset load starts the summary again from nothing.
        assert_eq!(Progress::default().files_done(&Summary::default()), 0);
    }

    #[test]
    fn time_left_counts_the_files_whose_size_is_not_known_yet() {
        // Two seconds in, 10 MB read of the 20 MB that 100 of 1,000 files hold: the 1,000 files hold
        // about 200 MB, so about 38 s are left, not 2.
        let p = Progress {
            files_total: 1000,
            files_sized: 100,
            bytes_done: 10_000_000,
            bytes_total: 20_000_000,
            started_ms: 0.0,
            ..Progress::default()
        };
        assert_eq!(p.seconds_left(2000.0), Some(38.0));
        let every_size_known = Progress { files_sized: 1000, bytes_total: 200_000_000, ..p.clone() };
        assert_eq!(every_size_known.seconds_left(2000.0), Some(38.0));
        assert_eq!(Progress { bytes_done: 0, ..p.clone() }.seconds_left(2000.0), None);
        assert_eq!(Progress { bytes_done: 9_000_000, ..p.clone() }.seconds_left(2000.0), None, "under a twentieth");
        assert_eq!(p.seconds_left(400.0), None, "no pace in the first half second");
    }
}

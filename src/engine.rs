//! **API Boundary.** The page's one handle on loaded data: files go in as bytes, rows, counts and jobs
//! come out. It is shaped like a message protocol (add, finish, ask) so it can move into a worker
//! without changing the components that call it.

use std::cell::RefCell;
use std::rc::Rc;

use trailscope_core::ingest::{self, FileResult, IngestOptions, Outcome};
use trailscope_core::jobs::{self, Job};
use trailscope_core::model::Event;
use trailscope_core::store::{FileNote, Store, Summary};

/// Loaded data and the orderings the views read.
#[derive(Default)]
pub struct Engine {
    store: Store,
    options: IngestOptions,
    order: Vec<usize>,
    jobs: Vec<Job>,
}

impl Engine {
    /// An empty engine that keeps what `options` says.
    pub fn new(options: IngestOptions) -> Engine {
        Engine { options, ..Engine::default() }
    }

    /// Reads one file's bytes.
    pub fn add_bytes(&mut self, name: &str, bytes: &[u8]) {
        self.store.add(ingest::ingest_file(name, bytes, &self.options));
    }

    /// Records a file that could not be read at all, or was not read.
    pub fn add_outcome(&mut self, name: &str, outcome: Outcome) {
        self.store.add(ingest::unread(name, outcome));
    }

    /// Adds an already ingested file.
    pub fn add_result(&mut self, result: FileResult) {
        self.store.add(result);
    }

    /// Brings the orderings up to date after a batch of files.
    pub fn finish(&mut self) {
        self.order = self.store.by_time();
        self.jobs = jobs::jobs(self.store.events(), &self.order);
    }

    /// What the engine keeps.
    pub fn options(&self) -> IngestOptions {
        self.options
    }

    /// The status counts.
    pub fn summary(&self) -> Summary {
        self.store.summary()
    }

    /// Failed and skipped files.
    pub fn notes(&self) -> &[FileNote] {
        self.store.notes()
    }

    /// How many rows the table has.
    pub fn n_rows(&self) -> usize {
        self.order.len()
    }

    /// The event shown in table row `row` (rows are sorted by time), with its index.
    pub fn row(&self, row: usize) -> Option<(usize, &Event)> {
        let index = *self.order.get(row)?;
        Some((index, &self.store.events()[index]))
    }

    /// The event at `index`.
    pub fn event(&self, index: usize) -> Option<&Event> {
        self.store.events().get(index)
    }

    /// The Transcribe resources, most recently active first.
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }
}

/// A shared engine that components can hold in props: equal when it is the same engine, so a render is
/// triggered by the generation number that travels beside it, not by comparing data.
#[derive(Clone, Default)]
pub struct EngineHandle(pub Rc<RefCell<Engine>>);

impl PartialEq for EngineHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

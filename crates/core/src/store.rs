//! Everything loaded so far: kept events deduplicated by `eventID` across files, the counts the status
//! line shows, and one line per file that failed or was skipped.
//!
//! Architecture invariant: loading files one at a time or all together gives the same store; counts
//! always describe everything loaded so far.

use std::collections::{hash_map::Entry, BTreeMap, HashMap};

use crate::ingest::{FileResult, Outcome};
use crate::model::Event;
use crate::view::compact_json;

/// A file that failed or was skipped, as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileNote {
    /// The file's name.
    pub file: String,
    /// `true` for a skipped file (not an error), `false` for a failure.
    pub skipped: bool,
    /// The reason, for a person.
    pub message: String,
}

/// The counts behind the status line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files read.
    pub files_ok: u64,
    /// Files that could not be read.
    pub files_failed: u64,
    /// Files recognised and skipped (digests).
    pub files_skipped: u64,
    /// Every record read, of every service, duplicates included.
    pub n_records: u64,
    /// Events kept after dropping duplicates.
    pub n_kept: u64,
    /// Records dropped because an event with their `eventID` was already kept.
    pub n_duplicates: u64,
    /// Of those, records whose text differs from the copy kept: CloudTrail delivers an event twice as the
    /// same record, so a different one was changed by someone, or is another event given the same ID.
    pub n_differing: u64,
    /// Records of new events not kept because the kept events had taken the memory set aside for them
    /// ([`Store::set_budget`]), repeats included, or because one file's had taken what one file may
    /// (`IngestOptions::keep_bytes`, and keeping every event, `keep_all_bytes`); their files still count as
    /// read. Records only counted are not matched by eventID, so copies of kept events may be among them.
    pub n_over_budget: u64,
    /// Of those, the records a file's reading left past what one file may keep (`FileResult::n_left`).
    pub n_past_file_limit: u64,
}

impl Summary {
    /// Files with an outcome: read, failed or skipped.
    pub fn files(&self) -> u64 {
        self.files_ok + self.files_failed + self.files_skipped
    }
}

/// Records of one service that were counted but not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotKept {
    /// The `eventSource`.
    pub service: String,
    /// How many records.
    pub n: u64,
    /// How many per `eventName`, most first.
    pub names: Vec<(String, u64)>,
}

/// The loaded data.
#[derive(Debug, Default)]
pub struct Store {
    events: Vec<Event>,
    /// The eventIDs kept so far: CloudTrail's are UUIDs, held as their 128 bits (no allocation per event,
    /// and a cheap hash); any other spelling is held as text. One set of both, so the page's code carries
    /// one set, not two. Each with the index of its kept event, to compare a later copy with.
    seen_ids: HashMap<SeenId, u32, foldhash::fast::RandomState>,
    summary: Summary,
    notes: Vec<FileNote>,
    per_service: BTreeMap<String, u64>,
    per_name: BTreeMap<String, BTreeMap<String, u64>>,
    /// The least eventID of the copies found unlike the one kept, so that a person can look it up: the
    /// same whichever file is added first.
    differing_id: Option<String>,
    /// Per kept event, the place of its file among those given (`add_in_order`).
    orders: Vec<u32>,
    /// What the kept events may cost ([`Event::cost`]); no limit when `None`.
    budget: Option<u64>,
    /// What the kept events cost so far.
    spent: u64,
    /// Set once a new event did not fit the budget: no new event is kept after it, so what is kept is what
    /// came before the memory filled, not a scatter of the smaller events after.
    full: bool,
    /// The load keeps every event ([`Store::set_keeps_all`]).
    keeps_all: bool,
}

/// What [`Store::add_in_order`] did with a file's events.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Added {
    /// The positions, among the file's events, of those kept as new events (the others were duplicates).
    pub kept: Vec<usize>,
    /// Events that took the place of the copy kept, a file given earlier holding them: (the row, in
    /// [`Store::events`], and the position among the file's events).
    pub replaced: Vec<(usize, usize)>,
}

impl Store {
    /// An empty store.
    pub fn new() -> Store {
        Store::default()
    }

    /// Sets what the kept events may cost in all, as [`Event::cost`] reckons it: once a new event would go
    /// beyond it, it and every new event after it are counted in `n_over_budget`, not kept, so a tab
    /// holding the events never runs out of memory. Which events are kept then depends on the order the
    /// files came in: the budget is a last resort, not a filter. A copy from a file given earlier still
    /// takes the place of the one kept, even where its longer text goes past the budget by a little.
    pub fn set_budget(&mut self, bytes: u64) {
        self.budget = Some(bytes);
        self.full = false;
    }

    /// Says that the load keeps every event. A file read keeping only the Transcribe ones (as the page reads
    /// those it hands out once the store is full, since no new event would be kept, and counting costs a
    /// third of keeping), or only those past its own limit (`IngestOptions::keep_all_bytes`), held the
    /// others back for memory: they count in `n_over_budget`, copies of kept events among them, since
    /// records only counted are not matched by eventID.
    pub fn set_keeps_all(&mut self, keeps_all: bool) {
        self.keeps_all = keeps_all;
    }

    /// True once a new event did not fit the budget: no new event will be kept.
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// Adds one file's result: its outcome counts, its events join the kept ones unless already kept.
    /// Returns the positions, among the file's events, of those it kept (the others were duplicates). Of
    /// two copies of an event, the one added first stays.
    pub fn add(&mut self, result: FileResult) -> Vec<usize> {
        self.add_in_order(result, u32::MAX).kept
    }

    /// [`Store::add`] of the file given at place `order` among a load's files, which may be added in
    /// another order (the page's workers answer as they finish): of copies of an event, a whole record's
    /// is kept before a row of the console's CSV, then the one from the file given first, as adding the
    /// files in that order would keep it. The counts are those of adding them in that order, but for
    /// `n_differing` where an event has three or more copies not all alike (it counts against the copy
    /// kept as each came).
    pub fn add_in_order(&mut self, result: FileResult, order: u32) -> Added {
        let mut added = Added::default();
        match result.outcome {
            Outcome::Loaded { .. } => self.summary.files_ok += 1,
            Outcome::Skipped { reason } => {
                self.summary.files_skipped += 1;
                self.notes.push(FileNote { file: result.name, skipped: true, message: reason });
                return added;
            }
            Outcome::Failed(error) => {
                self.summary.files_failed += 1;
                self.notes.push(FileNote { file: result.name, skipped: false, message: error.message().to_owned() });
                return added;
            }
        }
        self.summary.n_records += result.n_records;
        if self.keeps_all {
            // Read keeping every event, a file's events are its records; read otherwise, the rest were counted.
            self.summary.n_over_budget += result.n_records.saturating_sub(result.events.len() as u64);
        } else {
            self.summary.n_over_budget += result.n_left;
        }
        self.summary.n_past_file_limit += result.n_left;
        for (service, n) in result.per_service {
            *self.per_service.entry(service).or_default() += n;
        }
        for (service, names) in result.per_name {
            let into = self.per_name.entry(service).or_default();
            for (name, n) in names {
                *into.entry(name).or_default() += n;
            }
        }
        added.kept.reserve(result.events.len());
        for (at, event) in result.events.into_iter().enumerate() {
            let cost = event.cost();
            // Asked only of a new event: a copy of a kept one costs nothing more.
            let mut fits = || {
                self.full |= self.budget.is_some_and(|budget| self.spent + cost > budget);
                !self.full
            };
            // An event without an eventID cannot be matched with its twin, so it is always kept.
            if !event.event_id().is_empty() {
                let id = match uuid(event.event_id()) {
                    Some(bits) => SeenId::Uuid(bits),
                    None => SeenId::Text(event.event_id().into()),
                };
                match self.seen_ids.entry(id) {
                    Entry::Occupied(first) => {
                        self.summary.n_duplicates += 1;
                        let row = *first.get() as usize;
                        let Some(kept) = self.events.get(row) else { continue };
                        // Spacing aside: the same event read from a delivery and from lookup-events output is
                        // spelled apart. A row of the console's CSV holds only some fields: nothing to compare.
                        let same = kept.summary_only
                            || event.summary_only
                            || kept.raw() == event.raw()
                            || compact_json(kept.raw()) == compact_json(event.raw());
                        if !same {
                            self.summary.n_differing += 1;
                            if self.differing_id.as_deref().is_none_or(|least| event.event_id() < least) {
                                self.differing_id = Some(event.event_id().to_owned());
                            }
                        }
                        // A whole record goes before a row of the console's CSV (which lacks the request and
                        // the response), then the file given first. The place is taken even where the texts
                        // are the same, so a third copy compares with the first file's.
                        let Some(&kept_order) = self.orders.get(row) else { continue };
                        if (event.summary_only, order) < (kept.summary_only, kept_order) {
                            self.orders[row] = order;
                            if kept.raw() != event.raw() || kept.summary_only != event.summary_only {
                                self.spent = (self.spent + cost).saturating_sub(kept.cost());
                                self.events[row] = event;
                                added.replaced.push((row, at));
                            }
                        }
                        continue;
                    }
                    Entry::Vacant(_) if !fits() => {
                        self.summary.n_over_budget += 1;
                        continue;
                    }
                    Entry::Vacant(slot) => {
                        slot.insert(self.events.len() as u32);
                    }
                }
            } else if !fits() {
                self.summary.n_over_budget += 1;
                continue;
            }
            self.spent += cost;
            self.events.push(event);
            self.orders.push(order);
            added.kept.push(at);
        }
        self.summary.n_kept = self.events.len() as u64;
        added
    }

    /// The least eventID of the copies unlike the copy kept, if any.
    pub fn differing_id(&self) -> Option<&str> {
        self.differing_id.as_deref()
    }

    /// The kept events, in load order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The counts.
    pub fn summary(&self) -> Summary {
        self.summary
    }

    /// The failed and skipped files, in load order.
    pub fn notes(&self) -> &[FileNote] {
        &self.notes
    }

    /// Takes back the notes that a file was skipped for `reason` where `given_again` says so of its name
    /// (the page's "loading was cancelled", once the person gives those files again), with their count;
    /// how many there were. One pass over the notes, however many files are given.
    pub fn withdraw_skipped(&mut self, reason: &str, given_again: impl Fn(&str) -> bool) -> u64 {
        let before = self.notes.len();
        self.notes.retain(|n| !(n.skipped && n.message == reason && given_again(&n.file)));
        let withdrawn = (before - self.notes.len()) as u64;
        self.summary.files_skipped -= withdrawn;
        withdrawn
    }

    /// Records read per `eventSource`, kept or not.
    pub fn per_service(&self) -> &BTreeMap<String, u64> {
        &self.per_service
    }

    /// Records read but not kept, per service, most first, each with its event names, most first: none when
    /// every event was kept.
    pub fn not_kept(&self, keep_all: bool) -> Vec<NotKept> {
        if keep_all {
            return Vec::new();
        }
        // Each list is kept in order as it is made, most first, then by name: a few dozen services and a few
        // hundred names, where two sorts would each add a kilobyte to the page's download.
        fn insert<T>(list: &mut Vec<T>, item: T, key: impl Fn(&T) -> (std::cmp::Reverse<u64>, &str)) {
            let at = list.partition_point(|x| key(x) < key(&item));
            list.insert(at, item);
        }
        let mut services: Vec<NotKept> = Vec::new();
        for (service, &n) in &self.per_service {
            if crate::model::is_transcribe_source(service) {
                continue;
            }
            let mut names: Vec<(String, u64)> = Vec::new();
            for (name, &n) in self.per_name.get(service).into_iter().flatten() {
                insert(&mut names, (name.clone(), n), |(name, n)| (std::cmp::Reverse(*n), name));
            }
            insert(&mut services, NotKept { service: service.clone(), n, names }, |s| {
                (std::cmp::Reverse(s.n), &s.service)
            });
        }
        services
    }

    /// Indices of the kept events sorted by time, oldest first; events without a time come last.
    pub fn by_time(&self) -> Vec<usize> {
        // Each key is read once, in order: a sort that reads it from the event at every comparison jumps
        // about the whole store (an event is some 300 bytes), and the page sorts again at every refresh.
        order_by_time(self.events.iter().map(|e| e.time.map(|t| t.0)))
    }
}

/// The places of `times` sorted oldest first, equal times in their order, `None` last: a stable radix sort,
/// a byte of the key a pass, skipping the bytes all keys share (a month of logs differs in four). Linear
/// in the events, and no comparison sort for the page to download (a kilobyte gzipped).
fn order_by_time(times: impl Iterator<Item = Option<i64>>) -> Vec<usize> {
    // Flipping the sign bit orders negative times before positive ones; `None` is above every time.
    let key = |time: Option<i64>| time.map_or(u64::MAX, |t| ((t as u64) ^ (1 << 63)).min(u64::MAX - 1));
    let mut items: Vec<(u64, usize)> = times.enumerate().map(|(i, t)| (key(t), i)).collect();
    let mut spare = vec![(0, 0); items.len()];
    for shift in (0..64).step_by(8) {
        let mut starts = [0usize; 256];
        for &(k, _) in &items {
            starts[(k >> shift) as usize & 255] += 1;
        }
        if starts.contains(&items.len()) {
            continue;
        }
        let mut at = 0;
        for start in starts.iter_mut() {
            (*start, at) = (at, at + *start);
        }
        for &item in &items {
            let byte = (item.0 >> shift) as usize & 255;
            spare[starts[byte]] = item;
            starts[byte] += 1;
        }
        std::mem::swap(&mut items, &mut spare);
    }
    items.into_iter().map(|(_, i)| i).collect()
}

/// An eventID as the store remembers it.
#[derive(Debug, PartialEq, Eq, Hash)]
enum SeenId {
    Uuid(u128),
    Text(Box<str>),
}

/// The 128 bits of a UUID written in its usual form (`8-4-4-4-12` hex digits, either case), or `None`.
/// Two IDs give the same bits only when they are the same UUID; upper and lower case spell the same one,
/// so only lower-case spellings are taken, which keeps "same bits" meaning "same text".
// Two 64-bit halves, joined once: shifting a u128 digit by digit is a pair of 64-bit words' work in wasm,
// for every event the page keeps.
fn uuid(text: &str) -> Option<u128> {
    let bytes: &[u8; 36] = text.as_bytes().try_into().ok()?;
    let mut halves = [0u64; 2];
    let mut digits = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return None;
            }
            continue;
        }
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => return None,
        };
        let half = &mut halves[digits / 16];
        *half = *half << 4 | u64::from(digit);
        digits += 1;
    }
    Some(u128::from(halves[0]) << 64 | u128::from(halves[1]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ingest_file, unread, IngestOptions};

    fn file(ids: &[&str]) -> FileResult {
        let records: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"eventVersion":"1.08","eventSource":"transcribe.amazonaws.com","eventName":"X","eventID":"{id}"}}"#))
            .collect();
        let text = format!(r#"{{"Records":[{}]}}"#, records.join(","));
        ingest_file("f.json", text.as_bytes(), &IngestOptions { keep_all: true, ..IngestOptions::default() })
    }

    #[test]
    fn a_skipped_note_taken_back_leaves_the_others_and_their_counts() {
        let mut store = Store::new();
        let skipped = |name: &str, reason: &str| unread(name, Outcome::Skipped { reason: reason.to_owned() });
        store.add(skipped("a.json", "cancelled"));
        store.add(skipped("b.json", "cancelled"));
        store.add(skipped("a.json", "a digest file"));
        store.add(file(&["1"]));
        assert_eq!(store.withdraw_skipped("cancelled", |name| name == "a.json"), 1);
        // Once only, and only a skip for that reason.
        assert_eq!(store.withdraw_skipped("cancelled", |name| name == "a.json" || name == "f.json"), 0);
        let notes: Vec<(&str, &str)> = store.notes().iter().map(|n| (n.file.as_str(), n.message.as_str())).collect();
        assert_eq!(notes, [("b.json", "cancelled"), ("a.json", "a digest file")]);
        let summary = store.summary();
        assert_eq!((summary.files_skipped, summary.files_ok, summary.n_kept), (2, 1, 1));
    }

    #[test]
    fn a_second_copy_unlike_the_first_is_counted_and_the_first_stays() {
        let record = |user: &str| {
            format!(
                r#"{{"Records":[{{"eventVersion":"1.08","eventSource":"transcribe.amazonaws.com","eventName":"X","eventID":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","userIdentity":{{"userName":"{user}"}}}}]}}"#
            )
        };
        let read = |user: &str| {
            ingest_file(
                "f.json",
                record(user).as_bytes(),
                &IngestOptions { keep_all: true, ..IngestOptions::default() },
            )
        };
        let mut store = Store::new();
        store.add(read("alice"));
        store.add(read("alice"));
        // The same record spaced otherwise is the same record.
        let spaced = record("alice").replace(',', ", ").replace("\":", "\" : ");
        store.add(ingest_file(
            "g.json",
            spaced.as_bytes(),
            &IngestOptions { keep_all: true, ..IngestOptions::default() },
        ));
        store.add(read("mallory"));
        let summary = store.summary();
        assert_eq!((summary.n_kept, summary.n_duplicates, summary.n_differing), (1, 3, 1));
        assert!(store.differing_id().is_some_and(|id| store.events()[0].event_id() == id));
        assert_eq!(store.events()[0].identity().name, "alice");
    }

    #[test]
    fn past_the_budget_new_events_are_counted_not_kept_and_copies_of_kept_ones_still_dropped() {
        let first = file(&["a", "b"]);
        let one = first.events[0].cost();
        let mut store = Store::new();
        // Room for two events and a half.
        store.set_budget(2 * one + one / 2);
        assert_eq!(store.add(first), vec![0, 1]);
        // A copy of a kept event costs nothing more; the new ones do not fit, with an eventID or without.
        assert_eq!(store.add(file(&["a", "c", "", "b"])), Vec::<usize>::new());
        let summary = store.summary();
        assert_eq!((summary.n_kept, summary.n_duplicates, summary.n_over_budget), (2, 2, 2));
        assert_eq!((summary.files_ok, summary.n_records), (2, 6), "the files still count as read, their records too");
        let ids: Vec<&str> = store.events().iter().map(|e| e.event_id()).collect();
        assert_eq!(ids, ["a", "b"]);
        // More room: the next new event is kept, and one seen over the budget before is not a duplicate.
        store.set_budget(3 * one);
        assert_eq!(store.add(file(&["c", "d"])), vec![0]);
        assert_eq!(store.summary().n_duplicates, 2);
        assert_eq!(store.summary().n_over_budget, 3);
        // Without a budget, nothing is held back.
        let mut unlimited = Store::new();
        unlimited.add(file(&["a", "b", "c", "d", ""]));
        assert_eq!((unlimited.summary().n_kept, unlimited.summary().n_over_budget), (5, 0));
    }

    #[test]
    fn a_file_read_for_transcribe_events_only_once_full_counts_its_other_records_as_held_back() {
        let text = |ids: &[(&str, &str)]| {
            let records: Vec<String> = ids
                .iter()
                .map(|(source, id)| {
                    format!(r#"{{"eventVersion":"1.08","eventSource":"{source}","eventName":"X","eventID":"{id}"}}"#)
                })
                .collect();
            format!(r#"{{"Records":[{}]}}"#, records.join(","))
        };
        let (transcribe, s3) = ("transcribe.amazonaws.com", "s3.amazonaws.com");
        let first = text(&[(transcribe, "a"), (s3, "b")]);
        let first =
            ingest_file("f.json", first.as_bytes(), &IngestOptions { keep_all: true, ..IngestOptions::default() });
        let mut store = Store::new();
        store.set_keeps_all(true);
        store.set_budget(first.events.iter().map(Event::cost).sum());
        assert_eq!(store.add(first), vec![0, 1]);
        assert!(!store.is_full());
        // Read keeping every event, past the budget: full.
        let more = text(&[(s3, "c")]);
        store.add(ingest_file(
            "g.json",
            more.as_bytes(),
            &IngestOptions { keep_all: true, ..IngestOptions::default() },
        ));
        assert!(store.is_full());
        // Read for Transcribe events only: its S3 records were held back too, a copy of a kept one among
        // them (only counted, it is not matched by eventID); a Transcribe copy is still a copy.
        let counted = text(&[(transcribe, "d"), (s3, "e"), (s3, "b"), (transcribe, "a")]);
        store.add(ingest_file(
            "h.json",
            counted.as_bytes(),
            &IngestOptions { keep_all: false, ..IngestOptions::default() },
        ));
        let summary = store.summary();
        assert_eq!((summary.n_kept, summary.n_duplicates, summary.n_over_budget), (2, 1, 4));
        assert_eq!(summary.n_kept + summary.n_duplicates + summary.n_over_budget, summary.n_records);
        assert!(store.not_kept(true).is_empty(), "with every event kept, nothing is listed as counted only");
    }

    #[test]
    fn transcribe_records_a_file_left_past_its_limit_count_as_held_back() {
        let records: Vec<String> = (0..5)
            .map(|i| format!(r#"{{"eventVersion":"1.08","eventSource":"transcribe.amazonaws.com","eventName":"X","eventID":"{i}"}}"#))
            .collect();
        let text = format!(
            r#"{{"Records":[{},{{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"Y"}}]}}"#,
            records.join(",")
        );
        let whole = ingest_file("f.json", text.as_bytes(), &IngestOptions::default());
        let options = IngestOptions { keep_bytes: Some(whole.events[0].cost()), ..IngestOptions::default() };
        let mut store = Store::new();
        store.add(ingest_file("f.json", text.as_bytes(), &options));
        let summary = store.summary();
        assert_eq!((summary.n_records, summary.n_kept, summary.n_over_budget), (6, 1, 4));
        assert_eq!(summary.n_past_file_limit, 4);
        // The S3 record was not wanted: it is listed as counted only, not as held back.
        assert_eq!(store.not_kept(false).iter().map(|n| n.n).sum::<u64>(), 1);
        assert!(!store.is_full(), "one file's limit is not the store's");
    }

    #[test]
    fn a_copy_taking_the_place_of_the_one_kept_costs_what_it_weighs_beyond_it() {
        let spaced = |id: &str, pad: usize| {
            let text = format!(
                r#"{{"Records":[{{"eventVersion":"1.08","eventSource":"transcribe.amazonaws.com","eventName":"X","eventID":"{id}"{}}}]}}"#,
                " ".repeat(pad)
            );
            ingest_file("f.json", text.as_bytes(), &IngestOptions { keep_all: true, ..IngestOptions::default() })
        };
        let (short, long) = (spaced("a", 0), spaced("a", 100));
        let (short_cost, long_cost) = (short.events[0].cost(), long.events[0].cost());
        assert!(long_cost > short_cost);
        let mut store = Store::new();
        store.set_budget(long_cost + short_cost);
        store.add_in_order(short, 2);
        // The same event from a file given earlier takes its place, and what it weighs more is spent.
        let added = store.add_in_order(long, 1);
        assert_eq!(added.replaced, vec![(0, 0)]);
        // A long event would have fit beside the short copy, not beside the long one.
        assert_eq!(store.add(spaced("b", 100)).len(), 0);
        // Once one did not fit, none after it is kept, though a short one would fit.
        assert_eq!(store.add(spaced("c", 0)).len(), 0);
        assert_eq!(store.summary().n_over_budget, 2);
        // A copy of a kept event that would not fit as a new one does not fill the store.
        let mut copies = Store::new();
        copies.set_budget(long_cost + short_cost);
        copies.add(spaced("a", 100));
        copies.add(spaced("a", 100));
        assert_eq!(copies.add(spaced("c", 0)).len(), 1);
        assert_eq!((copies.summary().n_duplicates, copies.summary().n_over_budget), (1, 0));
        let mut room = Store::new();
        room.set_budget(long_cost + short_cost);
        room.add(spaced("a", 100));
        assert_eq!(room.add(spaced("c", 0)).len(), 1);
    }

    #[test]
    fn duplicates_are_the_same_text_whatever_its_spelling() {
        let a = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        let upper = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
        let mut store = Store::new();
        assert_eq!(store.add(file(&[a, "not-a-uuid", upper, ""])), vec![0, 1, 2, 3]);
        // The same UUID again, the same other text again, an event without an ID (always kept), and the
        // UUID with one digit changed.
        let changed = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f1";
        assert_eq!(store.add(file(&[a, "not-a-uuid", upper, "", changed])), vec![3, 4]);
        assert_eq!(store.summary().n_duplicates, 3);
        assert_eq!(store.summary().n_differing, 0, "CloudTrail's repeated deliveries are the same record");
        assert_eq!(uuid(a), Some(0x0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0));
        for not in [
            upper,
            "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg",
            "0f1e2d3c+4b5a-6978-8796-a5b4c3d2e1f0",
        ] {
            assert_eq!(uuid(not), None, "{not}");
        }
    }

    #[test]
    fn by_time_is_oldest_first_ties_in_load_order_and_timeless_last() {
        let times =
            ["2026-03-02T08:00:02Z", "", "2026-03-02T08:00:01Z", "2026-03-02T08:00:02Z", "", "1969-12-31T23:59:59Z"];
        let records: Vec<String> = times
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let time = if t.is_empty() { String::new() } else { format!(r#","eventTime":"{t}""#) };
                format!(r#"{{"eventVersion":"1.08","eventSource":"transcribe.amazonaws.com","eventName":"X","eventID":"e{i}"{time}}}"#)
            })
            .collect();
        let text = format!(r#"{{"Records":[{}]}}"#, records.join(","));
        let mut store = Store::new();
        store.add(ingest_file(
            "f.json",
            text.as_bytes(),
            &IngestOptions { keep_all: true, ..IngestOptions::default() },
        ));
        assert_eq!(store.by_time(), vec![5, 2, 0, 3, 1, 4]);
    }

    #[test]
    fn the_radix_order_is_the_order_of_a_comparison_sort() {
        // Times close together and far apart, ties, the extremes, and none.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let times: Vec<Option<i64>> = (0..5000)
            .map(|_| match next() % 8 {
                0 => None,
                1 => Some(i64::MIN),
                2 => Some(i64::MAX),
                3 => Some(next() as i64),
                4 => Some(-((next() % 1000) as i64)),
                _ => Some(1_772_438_400_000 + (next() % 86_400_000) as i64),
            })
            .collect();
        let mut expected: Vec<usize> = (0..times.len()).collect();
        expected.sort_by_key(|&i| (times[i].is_none(), times[i], i));
        assert_eq!(order_by_time(times.iter().copied()), expected);
        assert_eq!(order_by_time(std::iter::empty()), Vec::<usize>::new());
    }

    #[test]
    fn copies_added_out_of_order_keep_the_one_of_the_file_given_first() {
        let record = |user: &str, spaced: bool| {
            let text = format!(
                r#"{{"Records":[{{"eventVersion":"1.08","eventSource":"transcribe.amazonaws.com","eventName":"X","eventID":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","userIdentity":{{"userName":"{user}"}}}},{{"eventVersion":"1.08","eventSource":"transcribe.amazonaws.com","eventName":"Y","eventID":"{user}"}}]}}"#
            );
            let text = if spaced { text.replace("\":", "\" : ") } else { text };
            ingest_file("f.json", text.as_bytes(), &IngestOptions { keep_all: true, ..IngestOptions::default() })
        };
        // Given in this order: alice, alice spaced otherwise, mallory.
        let files = || [record("alice", false), record("alice", true), record("mallory", false)];
        let mut in_order = Store::new();
        for (order, file) in files().into_iter().enumerate() {
            in_order.add_in_order(file, order as u32);
        }
        let texts = |store: &Store| store.events().iter().map(|e| e.raw().to_owned()).collect::<Vec<_>>();
        for answered in [[2, 1, 0], [1, 2, 0], [2, 0, 1], [1, 0, 2], [0, 2, 1]] {
            let mut files: Vec<Option<FileResult>> = files().into_iter().map(Some).collect();
            let mut store = Store::new();
            for order in answered {
                let file = files[order].take().expect("each file once");
                store.add_in_order(file, order as u32);
            }
            // The kept copy of the shared event is alice's, as first given, spaced as in her first file.
            let kept = store.events().iter().find(|e| e.event_name() == "X").expect("the shared event");
            assert_eq!(kept.raw(), in_order.events().iter().find(|e| e.event_name() == "X").expect("kept").raw());
            assert_eq!(kept.identity().name, "alice", "{answered:?}");
            assert_eq!(store.summary(), in_order.summary(), "{answered:?}");
            let (mut got, mut want) = (texts(&store), texts(&in_order));
            got.sort();
            want.sort();
            assert_eq!(got, want, "{answered:?}");
        }
        // Answered last first, the first file's copy takes the place of the one kept.
        let mut store = Store::new();
        let [first, _, last] = files();
        assert_eq!(store.add_in_order(last, 2), Added { kept: vec![0, 1], replaced: vec![] });
        assert_eq!(store.add_in_order(first, 0), Added { kept: vec![1], replaced: vec![(0, 0)] });
        assert_eq!(store.summary().n_differing, 1);
    }

    #[test]
    fn a_third_copy_and_a_console_row_do_not_unseat_the_copy_that_should_stay() {
        let json = |ip: &str| {
            let text = format!(
                r#"{{"Records":[{{"eventVersion":"1.08","eventSource":"transcribe.amazonaws.com","eventName":"StartTranscriptionJob","eventID":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","sourceIPAddress":"{ip}"}}]}}"#
            );
            ingest_file("f.json", text.as_bytes(), &IngestOptions::default())
        };
        let csv = || {
            let text = "Event name,Event time,User name,Event source,Resources,AWS region,Event ID,Source IP address\nStartTranscriptionJob,2026-03-02T08:00:00Z,alice,transcribe.amazonaws.com,[],us-east-1,0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0,192.0.2.9\n";
            ingest_file("h.csv", text.as_bytes(), &IngestOptions::default())
        };
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        // Given as: .1, then .2, then .1 again: the first file's copy, whatever the order of adding.
        for answered in orders {
            let mut files = [Some(json("198.51.100.1")), Some(json("198.51.100.2")), Some(json("198.51.100.1"))];
            let mut store = Store::new();
            for order in answered {
                store.add_in_order(files[order].take().expect("each file once"), order as u32);
            }
            assert_eq!(store.events()[0].source_ip(), "198.51.100.1", "{answered:?}");
            assert_eq!((store.summary().n_kept, store.summary().n_duplicates), (1, 2), "{answered:?}");
        }
        // A console row given first: the whole record still stays, with its request and response.
        for answered in orders {
            let mut files = [Some(csv()), Some(json("198.51.100.2")), Some(csv())];
            let mut store = Store::new();
            for order in answered {
                store.add_in_order(files[order].take().expect("each file once"), order as u32);
            }
            assert!(!store.events()[0].summary_only, "{answered:?}");
            assert_eq!(store.events()[0].source_ip(), "198.51.100.2", "{answered:?}");
        }
        // The command line's `add` too.
        let mut store = Store::new();
        store.add(csv());
        store.add(json("198.51.100.2"));
        assert!(!store.events()[0].summary_only);
    }
}

//! **API Boundary.** The parsing worker: it receives files (`File` handles, not their bytes), reads them
//! (small ones several at a time as one `Blob`, as soon as they are handed over; a large one in slices with
//! `FileReaderSync`), runs the core's streaming ingest on each, and answers with compact `wire` buffers,
//! transferred rather than copied. The page's thread never parses.
//!
//! Two binaries run this code: `worker` reads files, and `tools` also makes the built-in sample and writes
//! the SQL hand-off; those carry the data generator and the SQL translator, so they are a module of their
//! own, fetched only when someone asks for one of them, and the page every visit downloads stays small.
//!
//! Messages in: `{files: [{id, name, file, size}], keepAll, keepAllBytes, keepBytes}` (the sizes the page
//! asked; what one file's kept events may cost with every event kept, `IngestOptions::keep_all_bytes`, and
//! in all, `IngestOptions::keep_bytes`),
//! `{id, sample: true, keepAll}`, `{id, sql: {...}}`, or `{spare}`: an answer's buffer, handed back once
//! the page has copied from it, for a later answer of the same load.
//! Messages out: `{kind: "warm", batch, ...}`, the answer a reading worker makes of `trailscope_core::warm`'s
//! delivery with every event kept (it reads it twice before listening, with and without), then
//! `{kind: "ready"}` once listening, `{kind: "progress", id, bytes}` as slices of a large file are read,
//! `{kind: "done", ids, sizes, batch, ms, readMs}` with the encoded results of one or more files (one
//! result per id, in order; the sample's one id has several) and their sizes, `{kind: "sql", id, ...}`
//! with the SQL.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use trailscope_core::ingest::{ingest_reader, FileResult, IngestOptions};
use trailscope_core::wire;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

/// Bytes read per slice of a large file: large enough to keep gunzip busy, small enough to bound memory.
const SLICE: f64 = 4.0 * 1024.0 * 1024.0;

/// Files up to this size are read whole, without waiting, as soon as they are handed over (the page hands
/// a worker reading a larger one no more files meanwhile); a larger one is read in slices in its turn...
pub const READ_AHEAD_MAX: u64 = 16 << 20;
/// ...as long as the files read ahead and not yet handled hold no more than this.
const READ_AHEAD_BUDGET: f64 = 32.0 * 1024.0 * 1024.0;

/// One reading of the browser takes files together, up to this many bytes (twice the last reading's, from
/// `GROUP_MIN` on, so that the first file of a load is parsed at once) and this many files. Each reading
/// costs the browser about as much as a small delivery's parse: a folder of 4,000 deliveries of 8 KB read
/// one by one took the worker 2.3 s and the browser's IO thread 2.2 s, more than the parsing.
const GROUP_MIN: f64 = 256.0 * 1024.0;
const GROUP_MAX: f64 = 8.0 * 1024.0 * 1024.0;
const GROUP_FILES: usize = 512;

/// Answers wait this long at most to go out together: each message costs this worker and the page's thread
/// about as much as parsing a small delivery, and the page joins a few large answers faster than many.
const ANSWER_EVERY_MS: f64 = 25.0;

/// What only the on-demand `tools` worker can do.
#[derive(Clone, Copy)]
pub struct Tools {
    /// Makes the built-in sample's files, read as the options say.
    pub sample: fn(&IngestOptions) -> Vec<FileResult>,
    /// Answers a `sql` request (see `src/bin/tools.rs`) with the message to post back.
    pub sql: fn(&JsValue) -> Object,
}

/// Starts listening. Called by the worker binaries' `main`; only the tools' passes `tools`.
pub fn run(tools: Option<Tools>) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler = {
        let scope = scope.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| on_message(&scope, &event.data(), tools))
    };
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its handler.
    handler.forget();
    if tools.is_none() {
        warm_up(&scope);
    }
    post(&scope, &[("kind", "ready".into())], None);
}

/// Records read once before "ready": enough that the browser optimises every hot function now, while the
/// person picks files, instead of on the same cores during the first load (see `trailscope_core::warm`).
const WARM_UP_RECORDS: usize = 2000;

fn warm_up(scope: &DedicatedWorkerGlobalScope) {
    let delivery = Uint8Array::from(trailscope_core::warm::delivery(WARM_UP_RECORDS).as_slice());
    let Ok(file) = Blob::new_with_u8_array_sequence(&Array::of1(&delivery)) else { return };
    // Read as a file whose turn came (one copy of it in the download); only the answer with every event
    // kept goes to the page, which runs it through its own side of a load once (`Engine::warm`).
    for keep_all in [false, true] {
        let job = Job {
            id: JsValue::UNDEFINED,
            name: String::new(),
            size: file.size(),
            file: file.clone(),
            options: IngestOptions { keep_all, ..IngestOptions::default() },
            bytes: Bytes::InTurn,
        };
        let (result, _) = ingest(scope, job);
        if keep_all {
            send(scope, "warm", Answer { ids: vec![JsValue::UNDEFINED], results: vec![result], ..Answer::default() });
        }
    }
    // `ingest` runs once per file, and the browser optimises a function once it has run a while: two runs
    // are not enough, and it was optimised during the first load (56 ms of compiling on the same two
    // cores). Small deliveries read from memory, as a load's files are read ahead, make it so now.
    let small = Uint8Array::from(trailscope_core::warm::delivery(3).as_slice());
    for _ in 0..SMALL_READS {
        let job = Job {
            id: JsValue::UNDEFINED,
            name: String::new(),
            size: f64::from(small.length()),
            file: file.clone(),
            options: IngestOptions::default(),
            bytes: Bytes::In(small.clone()),
        };
        drop(ingest(scope, job));
    }
}

/// How many small deliveries the warm-up reads: with 40, `ingest` was still optimised during the first
/// load; with 120, before it, for about 50 ms more of warm-up in each worker.
const SMALL_READS: usize = 120;

/// A file handed over and not yet answered for.
struct Job {
    id: JsValue,
    name: String,
    file: Blob,
    size: f64,
    options: IngestOptions,
    bytes: Bytes,
}

enum Bytes {
    /// Not asked for yet.
    Unread,
    /// Asked for in reading number `n`.
    Reading(u32),
    /// In, read ahead (a view of its reading's buffer).
    In(Uint8Array),
    /// To be read in slices in its turn: too large to read ahead, or its reading failed (read alone, its
    /// error says why).
    InTurn,
}

/// The files this worker holds, oldest first, and its answer being gathered.
#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// The reading in flight (one at a time: the browser reads the next files while these are parsed).
    reading: Option<u32>,
    readings: u32,
    last_group: f64,
    /// Bytes read ahead (or being read) and not yet parsed.
    held: f64,
    answer: Answer,
}

#[derive(Default)]
struct Answer {
    ids: Vec<JsValue>,
    sizes: Vec<f64>,
    results: Vec<FileResult>,
    /// How long the work took, and of it how long reading slices waited: for the browser benchmark.
    ms: f64,
    read_ms: f64,
    last_post: f64,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::default();
    /// Buffers of earlier answers the page has copied from and handed back, for the next answers.
    static SPARE: RefCell<Vec<ArrayBuffer>> = RefCell::default();
}

/// Spare buffers kept at most: about one per answer in flight...
const SPARE_MAX: usize = 4;
/// ...each at most this large: the answer for one large file can be far larger, and is not worth holding.
const SPARE_BYTES: u32 = 16 << 20;

/// `bytes` in a buffer to transfer: a spare one when one is large enough. A new buffer's memory is found
/// and zeroed by the system as it is first written, which cost this worker more than the copy.
fn outgoing(bytes: &[u8]) -> Uint8Array {
    let n = bytes.len() as u32;
    let spare = SPARE.with_borrow_mut(|spare| {
        let at = (0..spare.len()).filter(|&i| spare[i].byte_length() >= n).min_by_key(|&i| spare[i].byte_length())?;
        Some(spare.swap_remove(at))
    });
    // A new one is made larger, so that it can serve the larger answers to come as a spare: the system
    // gives memory as it is first written, so the bytes never written cost nothing.
    let size = if n <= SPARE_BYTES { n.max(1 << 20).next_power_of_two() } else { n };
    let buffer = spare.unwrap_or_else(|| ArrayBuffer::new(size));
    let view = Uint8Array::new_with_byte_offset_and_length(&buffer, 0, n);
    view.copy_from(bytes);
    view
}

fn on_message(scope: &DedicatedWorkerGlobalScope, data: &JsValue, tools: Option<Tools>) {
    let get = |key: &str| Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if let Ok(buffer) = get("spare").dyn_into::<ArrayBuffer>() {
        if buffer.byte_length() > SPARE_BYTES {
            return;
        }
        SPARE.with_borrow_mut(|spare| {
            spare.push(buffer);
            if spare.len() > SPARE_MAX {
                // The smallest goes: it fits the fewest answers.
                let smallest = (0..spare.len()).min_by_key(|&i| spare[i].byte_length()).unwrap_or(0);
                spare.swap_remove(smallest);
            }
        });
        return;
    }
    let id = get("id");
    if let (Some(tools), true) = (tools, get("sql").is_object()) {
        let answer = (tools.sql)(&get("sql"));
        let _ = Reflect::set(&answer, &"kind".into(), &"sql".into());
        let _ = Reflect::set(&answer, &"id".into(), &id);
        let _ = scope.post_message(&answer);
        return;
    }
    let keep_all = get("keepAll").as_bool().unwrap_or(false);
    let limit = |name: &str| get(name).as_f64().map(|n| n as u64);
    let options = IngestOptions { keep_all, keep_all_bytes: limit("keepAllBytes"), keep_bytes: limit("keepBytes") };
    if get("sample").as_bool() == Some(true) {
        let started = js_sys::Date::now();
        let results = match tools {
            Some(tools) => (tools.sample)(&options),
            None => vec![trailscope_core::ingest::unread(
                "built-in sample",
                trailscope_core::ingest::Outcome::Failed(trailscope_core::ingest::FileError::new(
                    "the sample is made by its own worker, not this one",
                )),
            )],
        };
        let answer =
            Answer { ids: vec![id], sizes: vec![0.0], results, ms: js_sys::Date::now() - started, ..Answer::default() };
        send(scope, "done", answer);
        return;
    }
    let Ok(files) = get("files").dyn_into::<Array>() else { return };
    QUEUE.with_borrow_mut(|queue| {
        for file in files.iter() {
            let get = |key: &str| Reflect::get(&file, &key.into()).unwrap_or(JsValue::UNDEFINED);
            let name = get("name").as_string().unwrap_or_default();
            let id = get("id");
            match get("file").dyn_into::<Blob>() {
                Ok(blob) => {
                    // The size the page asked, else the file's own (asking again would wait on the browser).
                    let size = get("size").as_f64().unwrap_or_else(|| blob.size());
                    queue.jobs.push_back(Job { id, name, file: blob, size, options, bytes: Bytes::Unread });
                }
                Err(_) => {
                    let result = trailscope_core::ingest::unread(
                        &name,
                        trailscope_core::ingest::Outcome::Failed(trailscope_core::ingest::FileError::new(
                            "the page did not hand the file to its worker",
                        )),
                    );
                    queue.answer.ids.push(id);
                    queue.answer.sizes.push(0.0);
                    queue.answer.results.push(result);
                }
            }
        }
    });
    work(scope);
}

/// Asks the browser for the next files' bytes, several files in one reading, unless a reading is in
/// flight. Files stay in order: a reading takes the first unread ones, and stops at a large one.
fn read_more(scope: &DedicatedWorkerGlobalScope) {
    let asked = QUEUE.with_borrow_mut(|queue| {
        if queue.reading.is_some() {
            return None;
        }
        let cap = (2.0 * queue.last_group).clamp(GROUP_MIN, GROUP_MAX);
        let n = queue.readings;
        let (mut total, mut files) = (0.0, Vec::new());
        let held = queue.held;
        for job in queue.jobs.iter_mut().skip_while(|j| !matches!(j.bytes, Bytes::Unread)) {
            let fits = job.size <= READ_AHEAD_MAX as f64
                && held + total + job.size <= READ_AHEAD_BUDGET
                && (files.is_empty() || total + job.size <= cap)
                && files.len() < GROUP_FILES;
            if !matches!(job.bytes, Bytes::Unread) || !fits {
                break;
            }
            total += job.size;
            files.push(job.file.clone());
            job.bytes = Bytes::Reading(n);
        }
        if files.is_empty() {
            return None;
        }
        queue.reading = Some(n);
        queue.readings = n.wrapping_add(1);
        queue.last_group = total;
        queue.held += total;
        Some((n, total, files))
    });
    let Some((n, total, files)) = asked else { return };
    let blob = match files.as_slice() {
        [one] => Ok(one.clone()),
        _ => Blob::new_with_blob_sequence(&files.iter().collect::<Array>()),
    };
    let scope = scope.clone();
    // Called once, fulfilled or not (a `then` of the promise rather than a future: smaller code to
    // download).
    let done = Closure::once_into_js(move |buffer: JsValue| {
        // A file changed or gone since it was picked fails the whole reading: its files are then read
        // alone, in their turn, where the one that fails says why.
        let buffer = buffer.dyn_into::<ArrayBuffer>().ok().filter(|b| f64::from(b.byte_length()) == total);
        QUEUE.with_borrow_mut(|queue| {
            queue.reading = None;
            let mut at = 0u32;
            for job in queue.jobs.iter_mut().filter(|j| matches!(j.bytes, Bytes::Reading(r) if r == n)) {
                job.bytes = match &buffer {
                    Some(buffer) => Bytes::In(Uint8Array::new_with_byte_offset_and_length(buffer, at, job.size as u32)),
                    None => Bytes::InTurn,
                };
                at += job.size as u32;
            }
            if buffer.is_none() {
                queue.held -= total;
            }
        });
        work(&scope);
    });
    let promise = blob.map(|b| b.array_buffer());
    let then =
        promise.as_ref().ok().and_then(|p| Reflect::get(p, &"then".into()).ok()?.dyn_into::<js_sys::Function>().ok());
    match (promise, then) {
        (Ok(promise), Some(then)) => {
            let _ = then.call2(&promise, &done, &done);
        }
        // Not even asked: the files are read alone in their turn.
        _ => {
            if let Ok(done) = done.dyn_into::<js_sys::Function>() {
                let _ = done.call1(&JsValue::NULL, &JsValue::UNDEFINED);
            }
        }
    }
}

/// Parses the files whose turn it is and whose bytes are in (or that are read in slices now), asking for
/// the next ones first, and answers when it has gathered long enough or is about to wait.
fn work(scope: &DedicatedWorkerGlobalScope) {
    loop {
        read_more(scope);
        let job = QUEUE.with_borrow_mut(|queue| {
            let front = queue.jobs.front()?;
            let ready = match front.bytes {
                Bytes::In(_) | Bytes::InTurn => true,
                Bytes::Unread => front.size > READ_AHEAD_MAX as f64,
                Bytes::Reading(_) => false,
            };
            ready.then(|| queue.jobs.pop_front()).flatten()
        });
        let Some(job) = job else { break };
        if matches!(job.bytes, Bytes::Unread | Bytes::InTurn) {
            // Read slice by slice, with progress of its own: what is done before it goes out first.
            flush(scope);
        }
        let started = js_sys::Date::now();
        let (id, size, read_ahead) = (job.id.clone(), job.size, matches!(job.bytes, Bytes::In(_)));
        let (result, read_ms) = ingest(scope, job);
        let due = QUEUE.with_borrow_mut(|queue| {
            if read_ahead {
                queue.held -= size;
            }
            let answer = &mut queue.answer;
            answer.ids.push(id);
            answer.sizes.push(size);
            answer.results.push(result);
            answer.ms += js_sys::Date::now() - started;
            answer.read_ms += read_ms;
            js_sys::Date::now() - answer.last_post >= ANSWER_EVERY_MS
        });
        if due {
            flush(scope);
        }
    }
    flush(scope);
    if QUEUE.with_borrow(|queue| queue.jobs.is_empty()) {
        // The next load starts with a small reading again, so its first file is parsed at once, and spare
        // buffers are for the answers of a load, not to be held between loads.
        QUEUE.with_borrow_mut(|queue| queue.last_group = 0.0);
        SPARE.with_borrow_mut(Vec::clear);
    }
}

/// Sends the answer gathered so far, if any.
fn flush(scope: &DedicatedWorkerGlobalScope) {
    let answer = QUEUE.with_borrow_mut(|queue| {
        let now = js_sys::Date::now();
        let answer = std::mem::replace(&mut queue.answer, Answer { last_post: now, ..Answer::default() });
        if answer.ids.is_empty() {
            queue.answer.last_post = answer.last_post;
            return None;
        }
        Some(answer)
    });
    if let Some(answer) = answer {
        send(scope, "done", answer);
    }
}

/// Posts an answer as `kind`: "done", or "warm" for the warm-up's.
fn send(scope: &DedicatedWorkerGlobalScope, kind: &str, mut answer: Answer) {
    let started = js_sys::Date::now();
    // The free-text sketch of every answer's kept events (files, the sample, the warm-up) is built here, in
    // parallel with the other workers, rather than by the page's thread reading every record again.
    for result in &mut answer.results {
        result.sketch = trailscope_core::sketch::words_of(&result.events);
    }
    let batch = outgoing(&wire::encode(&answer.results));
    let ms = answer.ms + js_sys::Date::now() - started;
    let ids: Array = answer.ids.into_iter().collect();
    let sizes: Array = answer.sizes.into_iter().map(JsValue::from).collect();
    post(
        scope,
        &[
            ("kind", kind.into()),
            ("ids", ids.into()),
            ("sizes", sizes.into()),
            ("batch", batch.clone().into()),
            ("ms", ms.into()),
            ("readMs", answer.read_ms.into()),
        ],
        Some(batch.buffer().into()),
    );
}

/// Runs the core's ingest on one file: its bytes read ahead, or slice by slice now. Also says how long
/// reading slices waited on the browser.
// Never inlined: the warm-up and the load run this one function, so the code the warm-up had the browser
// optimise is the code the load runs.
#[inline(never)]
fn ingest(scope: &DedicatedWorkerGlobalScope, job: Job) -> (FileResult, f64) {
    let mut reader = Slices::new(scope.clone(), job.id, job.file, job.size);
    if let Bytes::In(bytes) = &job.bytes {
        reader.hold(bytes);
    }
    let result = ingest_reader(&job.name, &mut reader, &job.options);
    (result, reader.read_ms)
}

fn post(scope: &DedicatedWorkerGlobalScope, fields: &[(&str, JsValue)], transfer: Option<JsValue>) {
    let message = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&message, &(*key).into(), value);
    }
    let _ = match transfer {
        Some(buffer) => scope.post_message_with_transfer(&message, &Array::of1(&buffer)),
        None => scope.post_message(&message),
    };
}
/// A file read slice by slice, reporting progress as it goes.
struct Slices {
    scope: DedicatedWorkerGlobalScope,
    id: JsValue,
    file: Blob,
    reader: Option<FileReaderSync>,
    offset: f64,
    /// The file's size, asked of the browser once (each asking can wait on it).
    size: f64,
    pending: Vec<u8>,
    pending_at: usize,
    /// Time spent waiting for the browser to hand over slices, for the browser benchmark.
    read_ms: f64,
}

impl Slices {
    fn new(scope: DedicatedWorkerGlobalScope, id: JsValue, file: Blob, size: f64) -> Slices {
        Slices {
            scope,
            id,
            size,
            file,
            reader: FileReaderSync::new().ok(),
            offset: 0.0,
            pending: Vec::new(),
            pending_at: 0,
            read_ms: 0.0,
        }
    }

    /// Takes the file's bytes, read whole ahead of its turn. Their progress goes with the answer, which
    /// follows within 25 ms: a message of its own cost each worker and the page's thread a few
    /// percent of a load of small files.
    fn hold(&mut self, bytes: &Uint8Array) {
        self.pending = bytes.to_vec();
        self.offset = self.pending.len() as f64;
    }

    fn progress(&self) {
        if !self.id.is_undefined() {
            post(
                &self.scope,
                &[("kind", "progress".into()), ("id", self.id.clone()), ("bytes", self.offset.into())],
                None,
            );
        }
    }
}

impl Read for Slices {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending_at == self.pending.len() {
            if self.offset >= self.size {
                return Ok(0);
            }
            let end = (self.offset + SLICE).min(self.size);
            let asked = js_sys::Date::now();
            let reader = self.reader.as_ref().ok_or_else(|| std::io::Error::other("FileReaderSync is unavailable"))?;
            let slice = self
                .file
                .slice_with_f64_and_f64(self.offset, end)
                .map_err(|_| std::io::Error::other("the file could not be sliced"))?;
            let buffer = reader
                .read_as_array_buffer(&slice)
                .map_err(|_| std::io::Error::other("the browser could not read the file (was it moved or deleted?)"))?;
            // One buffer for every slice: no allocation per slice, one copy out of the JS heap.
            let slice = Uint8Array::new(&buffer);
            self.pending.resize(slice.length() as usize, 0);
            slice.copy_to(&mut self.pending);
            self.pending_at = 0;
            self.offset = end;
            self.read_ms += js_sys::Date::now() - asked;
            self.progress();
        }
        let n = buf.len().min(self.pending.len() - self.pending_at);
        buf[..n].copy_from_slice(&self.pending[self.pending_at..self.pending_at + n]);
        self.pending_at += n;
        Ok(n)
    }
}

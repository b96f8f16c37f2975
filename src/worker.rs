//! **API Boundary.** The parsing worker: it receives a file (a `File` handle, not its bytes), reads it (a
//! small one whole, as soon as it is handed over; a large one in slices with `FileReaderSync`), runs the
//! core's streaming ingest, and answers with one compact `wire` buffer, transferred rather than copied.
//! The page's thread never parses.
//!
//! Two binaries run this code: `worker` reads files, and `tools` also makes the built-in sample and writes
//! the SQL hand-off; those carry the data generator and the SQL translator, so they are a module of their
//! own, fetched only when someone asks for one of them, and the page every visit downloads stays small.
//!
//! Messages in: `{id, name, file, size, keepAll}` (the size the page asked), `{id, sample: true, keepAll}` or `{id, sql: {...}}`.
//! Messages out: `{kind: "warm", batch}`, the answer a reading worker makes of `trailscope_core::warm`'s
//! delivery with every event kept (it reads it twice, as messages without an id, with and without), then
//! `{kind: "ready"}` once listening, `{kind: "progress", id, bytes}` as slices are read,
//! `{kind: "done", id, batch, size}` with the encoded results and the file's size, `{kind: "sql", id, ...}`
//! with the SQL.

use std::io::Read;

use js_sys::{Array, Object, Reflect, Uint8Array};
use trailscope_core::ingest::{ingest_reader, FileResult, IngestOptions};
use trailscope_core::wire;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

/// Bytes read per slice: large enough to keep gunzip busy, small enough to bound memory.
const SLICE: f64 = 4.0 * 1024.0 * 1024.0;

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
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| read_ahead(&scope, event.data(), tools))
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
    // A message without an id takes the path of a file whose bytes are in (one copy of it in the download).
    for keep_all in [false, true] {
        let message = Object::new();
        let _ = Reflect::set(&message, &"file".into(), &file);
        let _ = Reflect::set(&message, &"keepAll".into(), &keep_all.into());
        handle(scope, &message, None);
    }
}

/// Files up to this size are read whole, without waiting, as soon as they are handed over (the page hands
/// a worker reading a larger one no more files meanwhile)...
pub const READ_AHEAD_MAX: u64 = 16 << 20;
/// ...as long as the files read ahead and not yet handled hold no more than this.
const READ_AHEAD_BUDGET: f64 = 32.0 * 1024.0 * 1024.0;

thread_local! {
    /// Bytes of the files read ahead (or being read) and not yet handled.
    static HELD: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// Starts reading a small file as soon as the page hands it over, and handles it once its bytes are in.
/// The page gives each worker several files at a time, so the browser reads the next ones while this one
/// is parsed; read slice by slice when its turn comes, a worker spent a fifth of its time waiting for
/// bytes. Any other message, a larger file, and a file beyond the budget (read in slices, to bound memory)
/// are handled at once.
fn read_ahead(scope: &DedicatedWorkerGlobalScope, data: JsValue, tools: Option<Tools>) {
    let file = Reflect::get(&data, &"file".into()).ok().and_then(|f| f.dyn_into::<Blob>().ok());
    let file = file.map(|file| (given_size(&data, &file), file));
    let file = file.filter(|(size, _)| *size <= READ_AHEAD_MAX as f64 && HELD.get() + size <= READ_AHEAD_BUDGET);
    let promise = file.as_ref().map(|(_, file)| file.array_buffer());
    let then = promise.as_ref().and_then(|p| Reflect::get(p, &"then".into()).ok()?.dyn_into::<js_sys::Function>().ok());
    match (promise, then, file) {
        (Some(promise), Some(then), Some((size, _))) => {
            HELD.set(HELD.get() + size);
            let scope = scope.clone();
            // Called once, fulfilled or not: on failure the file is read in slices, whose error says why.
            let handler = Closure::once_into_js(move |bytes: JsValue| {
                let _ = Reflect::set(&data, &"bytes".into(), &bytes);
                handle(&scope, &data, tools);
                HELD.set(HELD.get() - size);
            });
            let _ = then.call2(&promise, &handler, &handler);
        }
        _ => handle(scope, &data, tools),
    }
}

/// The size the page asked and sent with the file, else the file's own (asking again would wait on the
/// browser once more).
fn given_size(data: &JsValue, file: &Blob) -> f64 {
    Reflect::get(data, &"size".into()).ok().and_then(|s| s.as_f64()).unwrap_or_else(|| file.size())
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue, tools: Option<Tools>) {
    let get = |key: &str| Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let id = get("id");
    if let (Some(tools), true) = (tools, get("sql").is_object()) {
        let answer = (tools.sql)(&get("sql"));
        let _ = Reflect::set(&answer, &"kind".into(), &"sql".into());
        let _ = Reflect::set(&answer, &"id".into(), &id);
        let _ = scope.post_message(&answer);
        return;
    }
    let options = IngestOptions { keep_all: get("keepAll").as_bool().unwrap_or(false) };
    let started = js_sys::Date::now();
    let mut read_ms = 0.0;
    let mut size = JsValue::UNDEFINED;
    let mut results: Vec<FileResult> = if get("sample").as_bool() == Some(true) {
        match tools {
            Some(tools) => (tools.sample)(&options),
            None => vec![trailscope_core::ingest::unread(
                "built-in sample",
                trailscope_core::ingest::Outcome::Failed(trailscope_core::ingest::FileError::new(
                    "the sample is made by its own worker, not this one",
                )),
            )],
        }
    } else {
        let name = get("name").as_string().unwrap_or_default();
        match get("file").dyn_into::<Blob>() {
            Ok(file) => {
                // Bytes read ahead say the file's size; asking the file again would wait on the browser.
                let bytes = get("bytes").dyn_into::<js_sys::ArrayBuffer>().ok();
                let file_size = bytes.as_ref().map_or_else(|| given_size(data, &file), |b| f64::from(b.byte_length()));
                let mut reader = Slices::new(scope.clone(), id.clone(), file, file_size);
                if let Some(bytes) = &bytes {
                    reader.hold(bytes);
                }
                let result = ingest_reader(&name, &mut reader, &options);
                read_ms = reader.read_ms;
                size = reader.size.into();
                vec![result]
            }
            Err(_) => vec![trailscope_core::ingest::unread(
                &name,
                trailscope_core::ingest::Outcome::Failed(trailscope_core::ingest::FileError::new(
                    "the page did not hand the file to its worker",
                )),
            )],
        }
    };
    // The free-text sketch is built here, in parallel with the other workers, rather than by the page's
    // thread reading every record again once they arrive.
    for result in &mut results {
        result.sketch = trailscope_core::sketch::words_of(&result.events);
    }
    let batch = wire::encode(&results);
    // The warm-up's answer with every event kept goes to the page, which runs it through its own side of
    // a load once (`Engine::warm`); the other is not needed.
    let warm = id.is_undefined();
    if warm && !options.keep_all {
        return;
    }
    let batch = Uint8Array::from(batch.as_slice());
    // How long the work took, and of it how long reading slices waited: for the browser benchmark.
    let ms = js_sys::Date::now() - started;
    post(
        scope,
        &[
            ("kind", if warm { "warm" } else { "done" }.into()),
            ("id", id),
            ("batch", batch.clone().into()),
            ("ms", ms.into()),
            ("readMs", read_ms.into()),
            ("size", size),
        ],
        Some(batch.buffer().into()),
    );
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
    /// follows within milliseconds: a message of its own cost each worker and the page's thread a few
    /// percent of a load of small files.
    fn hold(&mut self, bytes: &js_sys::ArrayBuffer) {
        self.pending = Uint8Array::new(bytes).to_vec();
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

//! Where bytes come from: file pickers, drops (folders included), the built-in sample; and the loading
//! queue that reads them one at a time, yielding to the browser between files so the page stays alive.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Array, Promise, Reflect, Uint8Array};
use trailscope_core::generate::{self, GenConfig};
use trailscope_core::ingest::{check_size, IngestOptions, Outcome};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileList};

use crate::engine::{Engine, EngineHandle};

/// Something the person gave the page.
#[derive(Clone)]
pub enum Source {
    /// A file from a picker or a drop, with the name to show (its path inside a dropped folder).
    File { file: File, name: String },
    /// The built-in sample.
    Sample,
}

impl Source {
    fn size(&self) -> u64 {
        match self {
            Source::File { file, .. } => file.size() as u64,
            Source::Sample => 0,
        }
    }

    fn name(&self) -> String {
        match self {
            Source::File { name, .. } => name.clone(),
            Source::Sample => "built-in sample".to_owned(),
        }
    }
}

/// The sources of a file input (a plain picker, or a folder picker with `webkitdirectory`).
pub fn from_file_list(list: &FileList) -> Vec<Source> {
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(|file| {
            let relative = Reflect::get(&file, &"webkitRelativePath".into()).ok().and_then(|v| v.as_string());
            let name = relative.filter(|p| !p.is_empty()).unwrap_or_else(|| file.name());
            Source::File { file, name }
        })
        .collect()
}

/// Takes what a drop carries. The entries must be taken before the drop handler returns (the browser
/// empties the DataTransfer afterwards); walking folders happens later, asynchronously.
pub fn drop_entries(transfer: &DataTransfer) -> (Vec<JsValue>, Vec<Source>) {
    let mut entries = Vec::new();
    let mut loose = Vec::new();
    let items = transfer.items();
    for i in 0..items.length() {
        let Some(item) = items.get(i) else { continue };
        if item.kind() != "file" {
            continue;
        }
        let entry = Reflect::get(&item, &"webkitGetAsEntry".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .and_then(|f| f.call0(&item).ok())
            .filter(|e| !e.is_null() && !e.is_undefined());
        match (entry, item.get_as_file().ok().flatten()) {
            (Some(entry), _) => entries.push(entry),
            (None, Some(file)) => loose.push(Source::File { name: file.name(), file }),
            (None, None) => {}
        }
    }
    if entries.is_empty() && loose.is_empty() {
        if let Some(list) = transfer.files() {
            loose = from_file_list(&list);
        }
    }
    (entries, loose)
}

/// Walks dropped entries, folders included, into files.
pub async fn walk_entries(entries: Vec<JsValue>) -> Vec<Source> {
    let mut out = Vec::new();
    let mut stack = entries;
    while let Some(entry) = stack.pop() {
        let is_directory = Reflect::get(&entry, &"isDirectory".into()).ok().and_then(|v| v.as_bool()) == Some(true);
        let path = Reflect::get(&entry, &"fullPath".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
        if is_directory {
            let Ok(reader) = call_method(&entry, "createReader", &[]) else {
                continue;
            };
            // readEntries hands out a folder in batches until it returns an empty one.
            loop {
                let batch = match callback_promise(&reader, "readEntries").await {
                    Ok(batch) => Array::from(&batch),
                    Err(_) => break,
                };
                if batch.length() == 0 {
                    break;
                }
                stack.extend(batch.iter());
            }
        } else if let Ok(file) = callback_promise(&entry, "file").await {
            if let Ok(file) = file.dyn_into::<File>() {
                let name = path.trim_start_matches('/').to_owned();
                let name = if name.is_empty() { file.name() } else { name };
                out.push(Source::File { file, name });
            }
        }
    }
    out.sort_by(|a, b| a.name().cmp(&b.name()));
    out
}

fn call_method(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: js_sys::Function = Reflect::get(target, &name.into())?.dyn_into()?;
    function.apply(target, &args.iter().collect::<Array>())
}

/// Calls `target.name(onSuccess, onError)`, the File System API's callback style, as a future.
async fn callback_promise(target: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        if let Err(error) = call_method(target, name, &[resolve.into(), reject.clone().into()]) {
            let _ = reject.call1(&JsValue::NULL, &error);
        }
    });
    JsFuture::from(promise).await
}

async fn read_bytes(file: &File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("the browser could not read the file: {}", describe_js_error(&e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn describe_js_error(error: &JsValue) -> String {
    Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

/// What the loader reports to the page.
pub trait Report {
    /// Files joined the queue.
    fn queued(&self, files: u64, bytes: u64);
    /// A file is being read.
    fn reading(&self, name: String);
    /// One file finished.
    fn file_done(&self, bytes: u64);
    /// The engine's data changed.
    fn data(&self);
    /// The queue is empty.
    fn idle(&self);
}

/// The loading queue: files are read one at a time, in the order given.
#[derive(Default)]
pub struct Loader {
    queue: RefCell<VecDeque<Source>>,
    running: Cell<bool>,
    cancelled: Cell<bool>,
    /// Every source given so far, to read again when the person changes what is kept.
    pub given: RefCell<Vec<Source>>,
}

impl Loader {
    /// Queues sources and starts reading if idle.
    pub fn enqueue(self: &Rc<Self>, sources: Vec<Source>, engine: EngineHandle, report: Rc<dyn Report>) {
        if sources.is_empty() {
            return;
        }
        self.given.borrow_mut().extend(sources.iter().cloned());
        self.push(sources, engine, report);
    }

    fn push(self: &Rc<Self>, sources: Vec<Source>, engine: EngineHandle, report: Rc<dyn Report>) {
        report.queued(sources.len() as u64, sources.iter().map(Source::size).sum());
        self.queue.borrow_mut().extend(sources);
        if self.running.replace(true) {
            return;
        }
        self.cancelled.set(false);
        let loader = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            loader.run(engine, report).await;
        });
    }

    /// Starts over with every source given so far, keeping what `options` says.
    pub fn reload(self: &Rc<Self>, options: IngestOptions, engine: EngineHandle, report: Rc<dyn Report>) {
        self.queue.borrow_mut().clear();
        *engine.0.borrow_mut() = Engine::new(options);
        let sources = self.given.borrow().clone();
        report.data();
        self.push(sources, engine, report);
    }

    /// Stops after the file being read; every file not read yet is listed as skipped.
    pub fn cancel(&self) {
        self.cancelled.set(true);
    }

    async fn run(self: Rc<Self>, engine: EngineHandle, report: Rc<dyn Report>) {
        let mut last_data = js_sys::Date::now();
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some(source) = next else { break };
            if self.cancelled.get() {
                engine.0.borrow_mut().add_outcome(
                    &source.name(),
                    Outcome::Skipped { reason: "not read: loading was cancelled".to_owned() },
                );
                report.file_done(source.size());
                continue;
            }
            report.reading(source.name());
            read_source(&source, &engine).await;
            report.file_done(source.size());
            // First results show while the rest loads; sorting everything again is cheap at this pace.
            if js_sys::Date::now() - last_data > 300.0 {
                engine.0.borrow_mut().finish();
                report.data();
                last_data = js_sys::Date::now();
            }
            // Let the browser paint progress and handle input between files.
            yew::platform::time::sleep(Duration::from_millis(0)).await;
        }
        engine.0.borrow_mut().finish();
        self.running.set(false);
        report.data();
        report.idle();
    }
}

async fn read_source(source: &Source, engine: &EngineHandle) {
    match source {
        Source::Sample => {
            let (files, _truth) = generate::generate(&GenConfig::sample());
            let mut engine = engine.0.borrow_mut();
            for file in files {
                engine.add_bytes(&file.name, &file.bytes);
            }
        }
        Source::File { file, name } => {
            if let Err(error) = check_size(file.size() as u64) {
                engine.0.borrow_mut().add_outcome(name, Outcome::Failed(error));
                return;
            }
            match read_bytes(file).await {
                Ok(bytes) => engine.0.borrow_mut().add_bytes(name, &bytes),
                Err(message) => engine
                    .0
                    .borrow_mut()
                    .add_outcome(name, Outcome::Failed(trailscope_core::ingest::FileError::new(message))),
            }
        }
    }
}

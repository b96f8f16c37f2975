//! Where bytes come from: file pickers, drops (folders included), the built-in sample; and the loading
//! queue that hands them to the reading workers and joins their answers, so the page's thread stays free.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use trailscope_core::ingest::{IngestOptions, Outcome};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, Event, File, FileList, MessageEvent, Worker};

use crate::engine::EngineHandle;

/// Something the person gave the page.
#[derive(Clone)]
pub enum Source {
    /// A file from a picker or a drop, with the name to show (its path inside a dropped folder).
    File { file: File, name: String, known: Rc<Known> },
    /// The built-in sample.
    Sample,
}

/// What the page knows of a file, shared by its copies: its size, asked of the browser once (each asking
/// can wait on it, about a millisecond a file here), which load's progress total counts it, and whether a
/// worker stopped while holding it (see `Loader::on_error`), with the bytes of it already reported then.
#[derive(Default)]
pub struct Known {
    bytes: Cell<Option<u64>>,
    counted_in: Cell<Option<u32>>,
    suspect: Cell<bool>,
    reported: Cell<u64>,
    /// Its place among the sources given: of copies of an event that differ, the one from the file given
    /// first is kept, whichever worker answers first (as the command line keeps the first in path order).
    given: Cell<u32>,
    /// Whether a worker ever answered for it: read once, it is read again when the person changes what
    /// is kept, even after a later reading of it was cancelled.
    answered: Cell<bool>,
    /// Whether its loading was cancelled before any answer: changing what is kept does not read it then.
    cancelled: Cell<bool>,
}

/// Why a file is listed as not read after a cancel.
const CANCELLED: &str = "not read: loading was cancelled";

impl Source {
    /// A picked or dropped file.
    pub fn file(file: File, name: String) -> Source {
        Source::File { file, name, known: Rc::default() }
    }

    /// A file whose size is known already (a folder's walker read it off the page's thread).
    fn sized(file: File, name: String, bytes: u64) -> Source {
        let known = Known { bytes: Cell::new(Some(bytes)), ..Known::default() };
        Source::File { file, name, known: Rc::new(known) }
    }

    /// Its place among the sources given; the loader keeps the sample's.
    fn given(&self) -> Option<u32> {
        match self {
            Source::File { known, .. } => Some(known.given.get()),
            Source::Sample => None,
        }
    }

    /// The size, if it was asked already (asking can wait on the browser).
    fn known_size(&self) -> Option<u64> {
        match self {
            Source::File { known, .. } => known.bytes.get(),
            Source::Sample => Some(0),
        }
    }

    fn size(&self) -> u64 {
        match self {
            Source::File { file, known, .. } => {
                let bytes = known.bytes.get().unwrap_or_else(|| file.size() as u64);
                known.bytes.set(Some(bytes));
                bytes
            }
            Source::Sample => 0,
        }
    }

    /// Whether load `load`'s progress total counts this source already.
    fn counted_in(&self, load: u32) -> bool {
        match self {
            Source::File { known, .. } => known.counted_in.get() == Some(load),
            Source::Sample => true,
        }
    }

    fn name(&self) -> String {
        match self {
            Source::File { name, .. } => name.clone(),
            Source::Sample => "built-in sample".to_owned(),
        }
    }

    /// Whether a worker stopped while holding this file: it is then read alone (see `Loader::on_error`).
    fn suspect(&self) -> bool {
        matches!(self, Source::File { known, .. } if known.suspect.get())
    }

    /// The bytes of it the current load's progress already counts, from a worker that stopped reading it.
    fn carried(&self) -> u64 {
        match self {
            Source::File { known, .. } => known.reported.get(),
            Source::Sample => 0,
        }
    }

    /// Whether its loading was cancelled before it was ever read (see `Known::cancelled`).
    fn cancelled(&self) -> bool {
        matches!(self, Source::File { known, .. } if known.cancelled.get())
    }

    /// Marks it as answered for: read once, it is no longer cancelled.
    fn mark_answered(&self) {
        if let Source::File { known, .. } = self {
            known.answered.set(true);
            known.cancelled.set(false);
        }
    }

    /// Marks its loading as cancelled, which counts only when it was never answered for.
    fn mark_cancelled(&self) {
        if let Source::File { known, .. } = self {
            known.cancelled.set(!known.answered.get());
        }
    }

    /// Marks the file as one a worker stopped on, with the bytes of it already reported (`Some`), or as any
    /// other file (`None`).
    fn set_stopped_on(&self, reported: Option<u64>) {
        if let Source::File { known, .. } = self {
            known.suspect.set(reported.is_some());
            known.reported.set(reported.unwrap_or(0));
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
            Source::file(file, name)
        })
        .collect()
}

/// What a drop carries: files to read at once, and entries (files, and folders to walk). Where the browser
/// gives file system handles (Chromium), the folders' handles are asked for too, so that a worker can walk
/// them (`Loader::walk_in_worker`); `folders` are then the entries of those folders, the way when the
/// handles do not come.
#[derive(Default)]
pub struct Dropped {
    pub loose: Vec<Source>,
    entries: Vec<JsValue>,
    folders: Vec<JsValue>,
    handles: Vec<Promise>,
}

/// Takes what a drop carries. The entries (and handles) must be taken before the drop handler returns (the
/// browser empties the DataTransfer afterwards); walking folders happens later, asynchronously.
pub fn drop_entries(transfer: &DataTransfer) -> Dropped {
    let mut dropped = Dropped::default();
    let items = transfer.items();
    for i in 0..items.length() {
        let Some(item) = items.get(i) else { continue };
        if item.kind() != "file" {
            continue;
        }
        let entry = call_method(&item, "webkitGetAsEntry", &[]).ok().filter(|e| !e.is_null() && !e.is_undefined());
        match (entry, item.get_as_file().ok().flatten()) {
            (Some(entry), _) => {
                let handle = match is_directory(&entry) {
                    true => call_method(&item, "getAsFileSystemHandle", &[]).ok().and_then(|h| h.dyn_into().ok()),
                    false => None,
                };
                match handle {
                    Some(handle) => {
                        dropped.folders.push(entry);
                        dropped.handles.push(handle);
                    }
                    None => dropped.entries.push(entry),
                }
            }
            (None, Some(file)) => dropped.loose.push(Source::file(file.clone(), file.name())),
            (None, None) => {}
        }
    }
    if dropped.entries.is_empty() && dropped.folders.is_empty() && dropped.loose.is_empty() {
        if let Some(list) = transfer.files() {
            dropped.loose = from_file_list(&list);
        }
    }
    dropped
}

fn is_directory(entry: &JsValue) -> bool {
    Reflect::get(entry, &"isDirectory".into()).ok().and_then(|v| v.as_bool()) == Some(true)
}

/// Walks dropped entries, folders included, handing the files of each batch of a folder to `found` as
/// soon as the browser has them, so that reading starts while a large folder is still being walked; stops
/// when `stopped` says so. The files of a batch (up to 100, as `readEntries` hands them out) are asked for
/// at once: asked one after another, the 4,000 files of one folder took 3.2 s here before the first
/// was read, against 0.2 s to list them.
pub async fn walk_entries(entries: Vec<JsValue>, found: impl Fn(Vec<Source>), stopped: impl Fn() -> bool) {
    let mut pending = vec![entries];
    while let Some(batch) = pending.pop() {
        if stopped() {
            return;
        }
        let (folders, files): (Vec<JsValue>, Vec<JsValue>) = batch.into_iter().partition(is_directory);
        if !files.is_empty() {
            // Each settles with the file, or with nothing when the browser cannot give it (then skipped).
            let asked: Array = files
                .iter()
                .map(|entry| {
                    Promise::new(&mut |resolve, _| {
                        // An entry that throws instead of calling back is skipped too, not waited on forever.
                        if call_method(entry, "file", &[resolve.clone().into(), resolve.clone().into()]).is_err() {
                            let _ = resolve.call0(&JsValue::NULL);
                        }
                    })
                })
                .collect();
            let got = JsFuture::from(Promise::all(&asked)).await.map(|a| Array::from(&a)).unwrap_or_default();
            let sources: Vec<Source> = files
                .iter()
                .zip(got.iter())
                .filter_map(|(entry, file)| {
                    let file = file.dyn_into::<File>().ok()?;
                    let path =
                        Reflect::get(entry, &"fullPath".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
                    let name = path.trim_start_matches('/').to_owned();
                    let name = if name.is_empty() { file.name() } else { name };
                    Some(Source::file(file, name))
                })
                .collect();
            let sources = trailscope_core::query::sort_items(sources, &|a, b| a.name().cmp(&b.name()));
            if !sources.is_empty() && !stopped() {
                found(sources);
            }
        }
        for folder in folders.into_iter().rev() {
            let Ok(reader) = call_method(&folder, "createReader", &[]) else {
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
                pending.push(batch.iter().collect());
            }
        }
    }
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

/// What the loader reports to the page.
pub trait Report {
    /// Files joined the queue (`files`), or the sizes of `sized` of them were added up (`bytes`).
    fn queued(&self, files: u64, bytes: u64, sized: u64);
    /// Progress since the last report: bytes read, and the file being read now (files done are the
    /// engine's counts).
    fn progress(&self, bytes: u64, reading: String);
    /// The engine's data changed.
    fn data(&self);
    /// The queue is empty.
    fn idle(&self);
}

/// The loading queue. Files are read by a pool of workers, one per core, each running the core's streaming
/// ingest; results come back as `wire` buffers and join the engine here. When workers cannot start, each
/// file is reported as not read, with why.
#[derive(Default)]
pub struct Loader {
    queue: RefCell<VecDeque<Source>>,
    slots: RefCell<Vec<Slot>>,
    context: RefCell<Option<(EngineHandle, Rc<dyn Report>)>>,
    options: Cell<IngestOptions>,
    /// Whether the engine's store holds all it can (`Store::is_full`): files handed out after are read for
    /// their Transcribe events only, which are counted past the budget as the rest would be, and counting
    /// is about three times faster than keeping. Learnt as answers join the engine.
    memory_full: Cell<bool>,
    next_id: Cell<u32>,
    /// When the shown data was last brought up to date while loading, and how long that took.
    last_data: Cell<(f64, f64)>,
    /// When the current load began and how many of its files are answered: its pace, which says when
    /// the rest will be in (see `settle`).
    pace: Cell<(f64, u64)>,
    /// Why no reading worker runs, when this browser would not start one or none of them started: files are
    /// then reported as unreadable, one by one, with this reason.
    no_workers: RefCell<Option<String>>,
    /// Names each worker started, so that its messages find its slot however the slots change.
    next_serial: Cell<u32>,
    /// Whether a reading worker ever said it was ready: one that does not start after that was stopped by
    /// a file, not by its code.
    readers_ran: Cell<bool>,
    /// Progress not yet reported (bytes, the file being read) and when the last report went out:
    /// reports are sent at most five times a second, so the page's thread stays free for the workers.
    unreported: RefCell<(u64, String)>,
    last_progress: Cell<f64>,
    /// Every source given so far, to read again when the person changes what is kept.
    pub given: RefCell<Vec<Source>>,
    /// The sample's place among them (its copies of an event stay before a later file's).
    sample_given: Cell<Option<u32>>,
    /// Sources queued whose size is not yet in the progress total (see `measure_for`).
    unmeasured: RefCell<VecDeque<Source>>,
    /// Which load this is: a reload counts every size again.
    load: Cell<u32>,
    /// A "Copy as SQL" request waiting for the tools' worker, and where its answer goes; a newer request
    /// replaces an older one that was not sent yet.
    /// The request in flight (sent, not yet answered) is the third, to send again if its worker is stopped.
    sql: RefCell<SqlHandoff>,
    /// How many warm-up answers the page's side of a load has run (`Engine::warm`).
    warmed: Cell<u8>,
    /// Dropped folders still being walked (their files join the queue as they are found), and which walks
    /// count: cancel stops the walks under way.
    walking: Cell<u32>,
    walks: Cell<u32>,
    /// The workers walking dropped folders (see `walk_in_worker`).
    walkers: RefCell<Vec<Walker>>,
    /// Set while a `pump` waits to go on with a hand-out it stopped (see `PUMP_MS`).
    pump_due: Cell<bool>,
    /// Set while `size_first` waits to go on asking sizes.
    sizing: Cell<bool>,
}

/// The request waiting for the tools' worker, where its answer goes, and the request in flight.
type SqlHandoff = (Option<Object>, Option<yew::Callback<JsValue>>, Option<Object>);

/// Most files a reading worker holds at once (see `Slot::busy`). Deep at first, so that a worker rides
/// through the page's thread drawing the first results (50 to 100 ms, while a worker reads a 250 KB
/// delivery in about 6) instead of waiting for its next file; shallow once the queue runs low (see
/// `Loader::pump`), so that no worker is left holding several files at the end while another has none.
/// A worker also holds no more than `HOLD_BYTES` at once (beyond its first file): a folder of thousands of
/// small deliveries needs hundreds in hand, so that a worker parsing them in a fraction of a millisecond
/// each does not wait on the page's thread.
const IN_FLIGHT: usize = 512;
const HOLD_BYTES: u64 = 4 << 20;

/// The first words of a worker's start: a promise's rejection that nothing handles becomes the worker's
/// `error` event, which `Loader::on_error` hears. A worker parses the files it reads ahead in the callback
/// of their reading's promise, so a trap there (a panic, memory the tab could not give) rejects that
/// promise rather than raising an error; and code that fails to load (a wasm module that will not compile,
/// a network error) rejects the start's promise. Each would otherwise leave its files waiting forever.
const ON_REJECTION: &str = "self.onunhandledrejection=(e)=>{throw e.reason;};";

/// How long one hand-out, or one slice of asking files their size, may hold the page's thread before it
/// lets the page answer the person and goes on: asking a picked file its size waits on the browser (see
/// `size_first`), and a first hand-out of 4,000 small files, each asked as it went, held the page 0.7 s.
const PUMP_MS: f64 = 50.0;

/// How long `pump` asks sizes itself when a worker would otherwise have no file.
const MEASURE_MS: f64 = 4.0;

/// A worker that walks dropped folders through their file system handles and gets each file, in batches
/// of up to 100 as the reading of `entries` does, with their sizes, in path order. Its own worker, so that
/// the browser's answers to thousands of asks never wait behind a file being parsed, nor behind the page.
/// A folder inside it cannot list, or a file it cannot get (gone since the drop), is passed over, as the
/// walk of entries passes them over; a dropped folder it cannot walk from the start (no handle, or one
/// the browser will not list) is said `failed`. Whatever happens, it says `done` last.
const WALKER: &str = "onmessage=async(e)=>{let sent=0;try{\
const by=(a,b)=>a.name<b.name?-1:a.name>b.name?1:0;\
const visit=async(dir,path)=>{const files=[],folders=[];\
for await(const h of dir.values())(h.kind==='directory'?folders:files).push(h);\
files.sort(by);folders.sort(by);\
for(let i=0;i<files.length;i+=100){const part=files.slice(i,i+100);\
const got=await Promise.allSettled(part.map((h)=>h.getFile()));const out={files:[],names:[],sizes:[]};\
got.forEach((r,k)=>{if(r.status==='fulfilled'){out.files.push(r.value);out.names.push(path+part[k].name);out.sizes.push(r.value.size);}});\
if(out.files.length){sent++;postMessage(out);}}\
for(const f of folders)await visit(f,path+f.name+'/').catch(()=>{});};\
for(const[i,d]of e.data.dirs.entries()){const before=sent;\
try{await visit(d,d.name+'/');}catch(_){if(sent===before)postMessage({failed:i});}}\
}finally{postMessage({done:true});}};";

/// A worker running `source`, from a `blob:` URL, so that it inherits the page's Content-Security-Policy (a
/// worker loaded from its own URL would take its policy from response headers, which static hosts do not send).
fn blob_worker(source: &str) -> Result<Worker, JsValue> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&Array::of1(&source.into()), &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let worker = Worker::new(&url);
    web_sys::Url::revoke_object_url(&url)?;
    worker
}

/// A worker walking dropped folders (see `Loader::walk_in_worker`): the folders' entries, to walk on the
/// page's thread should it not run, the load its files join, and whether it said anything yet.
struct Walker {
    serial: u32,
    worker: Worker,
    folders: Vec<JsValue>,
    context: (EngineHandle, Rc<dyn Report>),
    heard: Cell<bool>,
    // Kept alive as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

/// One worker and what it is doing.
struct Slot {
    worker: Worker,
    serial: u32,
    /// The tools' worker makes the sample and the SQL hand-off; the others read files.
    tools: bool,
    ready: bool,
    /// Files handed over and not yet answered, oldest first: a reading worker holds the next one
    /// already, so it never waits on the page's thread between two files.
    busy: Vec<InFlight>,
    // Kept alive as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl Slot {
    fn stop(&self) {
        stop_worker(&self.worker);
    }
}

/// Stops a worker, and first takes its handlers off it: an event it sent before stopping may still be on
/// its way, and must not reach handlers dropped with what held them (that throws in the page).
fn stop_worker(worker: &Worker) {
    worker.set_onmessage(None);
    worker.set_onerror(None);
    worker.terminate();
}

struct InFlight {
    id: u32,
    source: Source,
    reported: u64,
}

impl Loader {
    /// Queues sources and starts reading them.
    pub fn enqueue(self: &Rc<Self>, sources: Vec<Source>, engine: EngineHandle, report: Rc<dyn Report>) {
        if sources.is_empty() {
            return;
        }
        let mut given = self.given.borrow_mut();
        // A file given again after its loading was cancelled replaces the one cancelled: that one is not
        // read when the person changes what is kept, and is no longer listed as not read. Every cancelled
        // file is listed as skipped, so with none skipped there is nothing to look up: a folder's files
        // come in batches of 100, and most loads never see a cancel. The names go in a kind of set the jobs
        // view already brings into the page's code (each kind is code to download), one insert at a time,
        // as the jobs view fills its own (collecting them would bring in a sort).
        if engine.0.borrow().summary().files_skipped > 0 {
            let mut names = std::collections::BTreeSet::new();
            for source in sources.iter().filter(|s| matches!(s, Source::File { .. })) {
                names.insert(source.name());
            }
            given.retain(|old| !(old.cancelled() && names.contains(old.name().as_str())));
            engine.0.borrow_mut().withdraw_skipped(CANCELLED, |name| names.contains(name));
        }
        // Places are never reused, so that one taken out leaves the others' order as it was.
        let first =
            given.iter().filter_map(Source::given).chain(self.sample_given.get()).max().map_or(0, |last| last + 1);
        for (source, at) in sources.iter().zip(first..) {
            match source {
                Source::File { known, .. } => known.given.set(at),
                // The first time it is given: a second load of the sample is the same copies.
                Source::Sample => {
                    if self.sample_given.get().is_none() {
                        self.sample_given.set(Some(at));
                    }
                }
            }
        }
        given.extend(sources.iter().cloned());
        drop(given);
        self.push(sources, engine, report);
    }

    /// Takes a drop: loose files at once, and the files of dropped folders as they are found. The load is
    /// not done while a folder is still being walked, even when the files found so far are all read.
    pub fn take_drop(self: &Rc<Self>, dropped: Dropped, engine: EngineHandle, report: Rc<dyn Report>) {
        let Dropped { loose, mut entries, folders, handles } = dropped;
        self.begin_if_settled();
        let walk = self.walks.get();
        if folders.is_empty() {
            self.walk_here(entries, walk, &engine, &report);
            self.enqueue(loose, engine, report);
            return;
        }
        // The load is not done while the handles are on their way.
        self.walking.set(self.walking.get() + 1);
        self.enqueue(loose, engine.clone(), report.clone());
        let loader = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            let handles = JsFuture::from(Promise::all(&handles.iter().collect::<Array>())).await;
            if loader.walks.get() != walk {
                return;
            }
            match handles {
                Ok(handles) => loader.walk_in_worker(handles, folders, walk, &engine, &report),
                Err(_) => entries.extend(folders),
            }
            loader.walk_here(entries, walk, &engine, &report);
            loader.walking.set(loader.walking.get().saturating_sub(1));
            loader.settle();
        });
    }

    /// Walks dropped entries on the page's thread (see `walk_entries`), the files joining the load as they
    /// are found.
    fn walk_here(self: &Rc<Self>, entries: Vec<JsValue>, walk: u32, engine: &EngineHandle, report: &Rc<dyn Report>) {
        if entries.is_empty() {
            return;
        }
        self.walking.set(self.walking.get() + 1);
        let (loader, engine, report) = (Rc::clone(self), engine.clone(), report.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let current = || loader.walks.get() == walk;
            walk_entries(entries, |found| loader.enqueue(found, engine.clone(), report.clone()), || !current()).await;
            if current() {
                loader.walking.set(loader.walking.get().saturating_sub(1));
                loader.settle();
            }
        });
    }

    /// Walks dropped folders in a worker of their own (see `WALKER`): the files join the load batch by
    /// batch with their sizes, so the page's thread neither lists folders nor asks a file its size, which
    /// waits on the browser (4,000 files took 3.4 s to walk here on the page's thread, 1.4 s in a worker).
    /// A folder the worker cannot walk from the start (the browser refuses its handle's listing), or all of
    /// them when the worker does not run, is walked through its entry instead.
    fn walk_in_worker(
        self: &Rc<Self>,
        handles: JsValue,
        folders: Vec<JsValue>,
        walk: u32,
        engine: &EngineHandle,
        report: &Rc<dyn Report>,
    ) {
        let Ok(worker) = blob_worker(WALKER) else {
            return self.walk_here(folders, walk, engine, report);
        };
        let serial = self.next_serial.get();
        self.next_serial.set(serial.wrapping_add(1));
        let loader = Rc::downgrade(self);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(loader) = loader.upgrade() {
                loader.on_walked(serial, walk, &event.data());
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let loader = Rc::downgrade(self);
        let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            event.prevent_default();
            if let Some(loader) = loader.upgrade() {
                loader.walker_done(serial, walk);
            }
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let message = Object::new();
        let _ = Reflect::set(&message, &"dirs".into(), &handles);
        let posted = worker.post_message(&message);
        self.walking.set(self.walking.get() + 1);
        self.walkers.borrow_mut().push(Walker {
            serial,
            worker,
            folders,
            context: (engine.clone(), report.clone()),
            heard: Cell::new(false),
            _on_message: on_message,
            _on_error: on_error,
        });
        if posted.is_err() {
            self.walker_done(serial, walk);
        }
    }

    /// A walker's message: files found (they join the load), a dropped folder it could not walk (walked
    /// here instead), or the end of its walk.
    fn on_walked(self: &Rc<Self>, serial: u32, walk: u32, data: &JsValue) {
        let field = |name: &str| Reflect::get(data, &name.into()).unwrap_or_default();
        let walkers = self.walkers.borrow();
        let Some(walker) = walkers.iter().find(|w| w.serial == serial).filter(|_| self.walks.get() == walk) else {
            return;
        };
        walker.heard.set(true);
        let (engine, report) = walker.context.clone();
        if let Some(failed) = field("failed").as_f64() {
            let folder = walker.folders.get(failed as usize).cloned();
            drop(walkers);
            return self.walk_here(folder.into_iter().collect(), walk, &engine, &report);
        }
        drop(walkers);
        if field("done").is_truthy() {
            return self.walker_done(serial, walk);
        }
        let (files, names, sizes) =
            (Array::from(&field("files")), Array::from(&field("names")), Array::from(&field("sizes")));
        let found = (0..files.length())
            .filter_map(|i| {
                let file = files.get(i).dyn_into::<File>().ok()?;
                let name = names.get(i).as_string().unwrap_or_else(|| file.name());
                Some(Source::sized(file, name, sizes.get(i).as_f64().unwrap_or(0.0) as u64))
            })
            .collect();
        self.enqueue(found, engine, report);
    }

    /// A walker is done, or stopped (an error): its walk no longer holds the load open. One that stopped
    /// before it said anything (a browser that would not run it) found nothing, and its folders are
    /// walked here; one that stopped later ends its walk with the files it found.
    fn walker_done(self: &Rc<Self>, serial: u32, walk: u32) {
        let walker = {
            let mut walkers = self.walkers.borrow_mut();
            let at = walkers.iter().position(|w| w.serial == serial);
            at.map(|at| walkers.remove(at))
        };
        let Some(walker) = walker else { return };
        stop_worker(&walker.worker);
        if !walker.heard.get() && self.walks.get() == walk {
            self.walk_here(walker.folders, walk, &walker.context.0, &walker.context.1);
        }
        self.walking.set(self.walking.get().saturating_sub(1));
        self.settle();
    }

    /// Starts the pace of a new load, unless one is under way (files queued, read or being found).
    fn begin_if_settled(&self) {
        if self.settled() {
            self.pace.set((js_sys::Date::now(), 0));
        }
    }

    fn push(self: &Rc<Self>, sources: Vec<Source>, engine: EngineHandle, report: Rc<dyn Report>) {
        self.begin_if_settled();
        // The sample has no size to ask.
        let samples = sources.iter().filter(|s| matches!(s, Source::Sample)).count() as u64;
        report.queued(sources.len() as u64, 0, samples);
        self.unmeasured.borrow_mut().extend(sources.iter().cloned());
        self.queue.borrow_mut().extend(sources);
        *self.context.borrow_mut() = Some((engine, report));
        if self.queue.borrow().is_empty() {
            // Nothing to read (show-all ticked before any file): done at once.
            self.settle();
            return;
        }
        if !self.has_readers() && self.no_workers.borrow().is_none() {
            self.start_workers();
        }
        self.size_first();
    }

    /// Asks the sizes of the files queued, in slices of `PUMP_MS` so that the page answers the person in
    /// between, and hands out the files sized so far after each; workers take only files whose size is
    /// known. Asking a picked file its size (which posting it to a worker asks too) is a call that waits on
    /// the browser, 0.2 ms a file while it is idle, but 0.9 ms and more once workers are reading files,
    /// when the browser answers them first: asked as files were handed out, the sizes of 4,000 picked
    /// files held the page's thread for most of the load, and the workers got their files a few at a time.
    /// Asked first, that load took 3.6 s instead of 5.0 s. The hand-out after a slice counts its time
    /// from the slice's start, so the two hold the page's thread `PUMP_MS` together, not each.
    fn size_first(self: &Rc<Self>) {
        if self.sizing.get() {
            return;
        }
        let started = js_sys::Date::now();
        self.measure_for(PUMP_MS);
        self.pump_since(started);
        if !self.unmeasured.borrow().is_empty() {
            self.sizing.set(true);
            let loader = Rc::clone(self);
            wasm_bindgen_futures::spawn_local(async move {
                yew::platform::time::sleep(Duration::ZERO).await;
                loader.sizing.set(false);
                loader.size_first();
            });
        }
    }

    /// Adds queued sources' sizes to the progress total for `ms` milliseconds (see `size_first`); a file is
    /// counted at the latest when it is handed out, so the total grows but never trails the bytes read.
    fn measure_for(&self, ms: f64) {
        let started = js_sys::Date::now();
        while js_sys::Date::now() - started < ms && self.measure(4) {}
    }

    /// Adds up to `n` more queued sources' sizes to the progress total; whether there were any.
    fn measure(&self, n: usize) -> bool {
        let sources: Vec<Source> = {
            let mut unmeasured = self.unmeasured.borrow_mut();
            let n = n.min(unmeasured.len());
            unmeasured.drain(..n).collect()
        };
        self.count(&sources);
        !sources.is_empty()
    }

    /// Adds to the progress total the sizes of `sources` it does not count yet.
    fn count(&self, sources: &[Source]) {
        let load = self.load.get();
        let (mut bytes, mut sized) = (0, 0);
        for source in sources.iter().filter(|s| !s.counted_in(load)) {
            bytes += source.size();
            sized += 1;
            if let Source::File { known, .. } = source {
                known.counted_in.set(Some(load));
            }
        }
        if let (true, Some((_, report))) = (sized > 0, self.context.borrow().clone()) {
            report.queued(0, bytes, sized);
        }
    }

    /// Starts over with every source given so far, keeping what `options` says.
    pub fn reload(self: &Rc<Self>, options: IngestOptions, engine: EngineHandle, report: Rc<dyn Report>) {
        // While any worker reads for the old options, every worker stops, as cancel does. When none does,
        // they are all kept: each message says what to keep, and a new worker would start cold (its own
        // download of the code, the warm-up, and a second of the browser optimising it), which is what
        // ticking "show all" before picking files used to cost.
        if self.reading() {
            self.stop_workers();
            self.resume_sql();
        }
        self.queue.borrow_mut().clear();
        self.unmeasured.borrow_mut().clear();
        self.load.set(self.load.get().wrapping_add(1));
        // Progress the stopped workers reported belongs to the load they were part of.
        *self.unreported.borrow_mut() = Default::default();
        self.options.set(options);
        self.memory_full.set(false);
        engine.0.borrow_mut().reset(options);
        // Files whose loading was cancelled before any answer stay unread, and listed as such.
        let (cancelled, sources): (Vec<Source>, Vec<Source>) =
            self.given.borrow().iter().cloned().partition(Source::cancelled);
        {
            let mut engine = engine.0.borrow_mut();
            for source in &cancelled {
                engine.add_outcome(&source.name(), Outcome::Skipped { reason: CANCELLED.to_owned() });
            }
        }
        // The new load's progress counts every byte again, and a file a worker stopped on is tried as any other.
        for source in &sources {
            source.set_stopped_on(None);
        }
        report.data();
        self.push(sources, engine, report);
    }

    /// Stops every worker at once and keeps what was loaded; each file not read to the end is listed as
    /// skipped.
    pub fn cancel(self: &Rc<Self>) {
        // Folders still being walked add nothing more.
        self.walks.set(self.walks.get().wrapping_add(1));
        self.walking.set(0);
        for walker in self.walkers.borrow_mut().drain(..) {
            stop_worker(&walker.worker);
        }
        let Some((engine, _)) = self.context.borrow().clone() else { return };
        let flights: Vec<InFlight> = self.slots.borrow_mut().iter_mut().flat_map(|s| s.busy.drain(..)).collect();
        let queued: Vec<Source> = self.queue.borrow_mut().drain(..).collect();
        // Files never handed out need not be asked their size now: those not counted in the total yet are
        // left out of both it and the bytes done.
        self.unmeasured.borrow_mut().clear();
        self.stop_workers();
        self.resume_sql();
        {
            let mut engine = engine.0.borrow_mut();
            for source in flights.iter().map(|f| &f.source).chain(&queued) {
                source.mark_cancelled();
                engine.add_outcome(&source.name(), Outcome::Skipped { reason: CANCELLED.to_owned() });
            }
        }
        // A file handed out was counted then; its size is known.
        for flight in &flights {
            self.note(flight.source.size().saturating_sub(flight.reported), None);
        }
        let load = self.load.get();
        for source in &queued {
            let left = if source.counted_in(load) { source.size().saturating_sub(source.carried()) } else { 0 };
            self.note(left, None);
        }
        self.settle();
    }

    /// Counts progress, and reports it when the last report is old enough. Files are counted done by the
    /// engine, as the status line counts them, not here: the two lines never disagree.
    fn note(&self, bytes: u64, reading: Option<String>) {
        {
            let mut unreported = self.unreported.borrow_mut();
            unreported.0 += bytes;
            if let Some(name) = reading {
                unreported.1 = name;
            }
        }
        if js_sys::Date::now() - self.last_progress.get() >= 200.0 {
            self.flush_progress();
        }
    }

    fn flush_progress(&self) {
        let Some((_, report)) = self.context.borrow().clone() else { return };
        let (bytes, reading) = std::mem::take(&mut *self.unreported.borrow_mut());
        self.last_progress.set(js_sys::Date::now());
        if bytes > 0 || !reading.is_empty() {
            report.progress(bytes, reading);
        }
    }

    /// Starts the workers before any file is given, so that compiling their wasm is not part of the wait
    /// once files are dropped.
    pub fn warm(self: &Rc<Self>) {
        if !self.has_readers() && self.no_workers.borrow().is_none() {
            self.start_workers();
        }
    }

    fn start_workers(self: &Rc<Self>) {
        let n = web_sys::window()
            .map(|w| w.navigator().hardware_concurrency())
            .filter(|n| n.is_finite() && *n >= 1.0)
            .map_or(1, |n| n.min(8.0) as usize);
        for _ in 0..n {
            match self.spawn(false) {
                Ok(slot) => self.slots.borrow_mut().push(slot),
                Err(_) => {
                    // Every browser that runs WebAssembly has workers; one that refuses them (a policy, an
                    // extension) gets a clear message per file rather than a frozen tab.
                    self.stop_workers();
                    *self.no_workers.borrow_mut() =
                        Some("this browser would not start a Web Worker, which trailscope reads files in".to_owned());
                    return;
                }
            }
        }
    }

    /// A worker of the page's own code (see `blob_worker`).
    fn spawn(self: &Rc<Self>, tools: bool) -> Result<Slot, JsValue> {
        let (module, inline_key) = if tools { ("tools", "tools") } else { ("worker", "worker") };
        let window = web_sys::window().ok_or("no window")?;
        let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
        // The single-file page (opened from disk) carries the worker's glue and wasm itself; the hosted page
        // has them as files beside it.
        let inline = Reflect::get(&window, &"__trailscopeWorkers".into())
            .and_then(|all| Reflect::get(&all, &inline_key.into()))
            .ok()
            .filter(|v| v.is_object());
        let source = match inline {
            Some(inline) => {
                let glue = Reflect::get(&inline, &"glue".into())?.as_string().unwrap_or_default();
                let wasm = Reflect::get(&inline, &"wasm".into())?.as_string().unwrap_or_default();
                format!(
                    "{ON_REJECTION}{glue}\nwasm_bindgen({{module_or_path:Uint8Array.from(atob({}),(c)=>c.charCodeAt(0))}});",
                    quote(&wasm)
                )
            }
            None => {
                let base = window.location().href()?;
                let script = web_sys::Url::new_with_base(&format!("{module}.js"), &base)?.href();
                let wasm = web_sys::Url::new_with_base(&format!("{module}_bg.wasm"), &base)?.href();
                format!(
                    "{ON_REJECTION}importScripts({});wasm_bindgen({{module_or_path:{}}});",
                    quote(&script),
                    quote(&wasm)
                )
            }
        };
        let worker = blob_worker(&source)?;
        let serial = self.next_serial.get();
        self.next_serial.set(serial.wrapping_add(1));
        let loader = Rc::downgrade(self);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(loader) = loader.upgrade() {
                loader.on_message(serial, &event.data());
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let loader = Rc::downgrade(self);
        // An uncaught error in the worker is an `ErrorEvent`; a worker the browser would not run at all (a
        // policy) gets a plain `Event`, with no message.
        let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            // Handled here: not also an uncaught error in the page's console.
            event.prevent_default();
            let message = Reflect::get(&event, &"message".into()).ok().and_then(|m| m.as_string());
            if let Some(loader) = loader.upgrade() {
                loader.on_error(serial, message.unwrap_or_else(|| "the browser would not run it".to_owned()));
            }
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Slot { worker, serial, tools, ready: false, busy: Vec::new(), _on_message: on_message, _on_error: on_error })
    }

    /// Whether some worker holds a file (or the sample) it has not answered for yet.
    fn reading(&self) -> bool {
        self.slots.borrow().iter().any(|s| !s.busy.is_empty())
    }

    /// Whether every source given has its answer: none queued, none held by a worker.
    fn settled(&self) -> bool {
        !self.reading() && self.queue.borrow().is_empty() && self.walking.get() == 0
    }

    /// Whether the file-reading workers run (the tools' worker alone reads no file).
    fn has_readers(&self) -> bool {
        self.slots.borrow().iter().any(|s| !s.tools)
    }

    fn stop_workers(&self) {
        for slot in self.slots.borrow_mut().drain(..) {
            slot.stop();
        }
        // A SQL request the stopped tools' worker had not answered goes out again to the next one.
        let mut sql = self.sql.borrow_mut();
        if sql.0.is_none() {
            sql.0 = sql.2.take();
        }
    }

    /// Starts the tools' worker again if a SQL request is waiting for one (after cancel or a reload).
    fn resume_sql(self: &Rc<Self>) {
        let waiting = self.sql.borrow().0.clone();
        if let (Some(request), Some(reply)) = (waiting, self.sql.borrow().1.clone()) {
            self.ask_sql(request, reply);
        }
    }

    /// Hands queued sources to idle workers.
    fn pump(self: &Rc<Self>) {
        self.pump_since(js_sys::Date::now());
    }

    /// [`Loader::pump`] in a task of the page's thread that began at `started`: past `PUMP_MS` from then,
    /// a hand-out goes on in the next task once each idle worker has a file.
    fn pump_since(self: &Rc<Self>, started: f64) {
        let Some((engine, _)) = self.context.borrow().clone() else { return };
        let no_workers = self.no_workers.borrow().clone();
        if let Some(why) = no_workers {
            // Files only: the sample is made by the tools' worker, which may well start.
            let refused: Vec<Source> = {
                let mut queue = self.queue.borrow_mut();
                let (files, sample): (VecDeque<Source>, VecDeque<Source>) =
                    queue.drain(..).partition(|s| matches!(s, Source::File { .. }));
                *queue = sample;
                files.into()
            };
            for source in &refused {
                self.fail(&engine, source, source.carried(), format!("not read: {why}"));
            }
            if !refused.is_empty() {
                self.settle();
            }
            if self.queue.borrow().is_empty() {
                return;
            }
        }
        // The sample's worker is started the first time the sample is asked for.
        let wants_sample = self.queue.borrow().iter().any(|s| matches!(s, Source::Sample));
        if wants_sample && !self.slots.borrow().iter().any(|s| s.tools) {
            match self.spawn(true) {
                Ok(slot) => self.slots.borrow_mut().push(slot),
                Err(_) => {
                    self.queue.borrow_mut().retain(|s| !matches!(s, Source::Sample));
                    let why = "this browser would not start the worker that makes the sample";
                    self.fail(&engine, &Source::Sample, 0, why.to_owned());
                    self.settle();
                }
            }
        }
        // Sizes are asked ahead (`size_first`), but no worker waits for them: in a hidden tab the browser
        // runs that chain's timer once a second at most, and after five minutes once a minute, while the
        // workers' answers, which call this, still come at once.
        let idle = self.slots.borrow().iter().any(|s| s.ready && !s.tools && s.busy.is_empty());
        if idle && self.queue.borrow().front().is_some_and(|s| s.known_size().is_none()) {
            self.measure_for(MEASURE_MS);
        }
        let mut slots = self.slots.borrow_mut();
        let readers = slots.iter().filter(|s| !s.tools).count().max(1);
        // The files each worker is handed now, sent together after rounds 1, 2, 4, 8...: a worker has its
        // first file at once, and the next ones in a few messages before it is done with those.
        let mut handed: Vec<Array> = slots.iter().map(|_| Array::new()).collect();
        // The bytes each worker holds, and whether one of its files is too large to read ahead: a worker
        // reading one (in slices, for a while) takes no more, as files handed to it would wait behind that
        // one while other workers run dry.
        let mut held: Vec<(u64, bool)> = slots
            .iter()
            .map(|slot| {
                let sizes = slot.busy.iter().map(|f| f.source.size());
                (sizes.clone().sum(), sizes.clone().any(|n| n > crate::worker::READ_AHEAD_MAX))
            })
            .collect();
        // Round by round, so that two idle workers get one file each before either gets a second.
        for round in 1..=IN_FLIGHT {
            let mut gave = false;
            for (at, slot) in slots.iter_mut().enumerate() {
                if !slot.ready {
                    continue;
                }
                let depth = if slot.tools { 1 } else { (2 + self.queue.borrow().len() / readers).min(IN_FLIGHT) };
                let (bytes, holds_large) = held[at];
                // A file a worker stopped on is read by a worker holding nothing else (see `on_error`).
                let holds_suspect = slot.busy.iter().any(|f| f.source.suspect());
                if slot.busy.len() >= depth || bytes >= HOLD_BYTES || holds_large || holds_suspect {
                    continue;
                }
                // Each worker takes the first source it can read, so files never wait behind the sample.
                let taken = {
                    let mut queue = self.queue.borrow_mut();
                    let at = queue.iter().position(|source| {
                        matches!(source, Source::Sample) == slot.tools && source.known_size().is_some()
                    });
                    at.filter(|&at| slot.busy.is_empty() || !queue[at].suspect()).and_then(|at| queue.remove(at))
                };
                let Some(source) = taken else { continue };
                let id = self.next_id.get();
                self.next_id.set(id.wrapping_add(1));
                // Counted in the total before its worker can report any of its bytes; its worker is told the
                // size, which it would otherwise wait on the browser for too.
                self.count(std::slice::from_ref(&source));
                let size = source.size();
                // A file waiting behind another is named once the one before it is done.
                if slot.busy.is_empty() {
                    self.note(0, Some(source.name()));
                }
                let message = Object::new();
                let set = |key: &str, value: JsValue| {
                    let _ = Reflect::set(&message, &key.into(), &value);
                };
                set("id", id.into());
                match &source {
                    Source::File { file, name, .. } => {
                        set("name", name.into());
                        set("file", file.into());
                        set("size", (size as f64).into());
                        handed[at].push(&message);
                    }
                    Source::Sample => {
                        set("sample", true.into());
                        set("keepAll", self.keep_all().into());
                        if slot.worker.post_message(&message).is_err() {
                            self.queue.borrow_mut().push_front(source);
                            continue;
                        }
                    }
                }
                held[at] = (bytes + size, size > crate::worker::READ_AHEAD_MAX);
                let reported = source.carried();
                slot.busy.push(InFlight { id, source, reported });
                gave = true;
            }
            if round.is_power_of_two() || !gave {
                self.hand_over(&mut slots, &mut handed);
            }
            if !gave {
                break;
            }
            if js_sys::Date::now() - started > PUMP_MS {
                // The rest in a moment: the page answers the person in between.
                self.hand_over(&mut slots, &mut handed);
                self.pump_soon();
                break;
            }
        }
    }

    /// Runs `pump` again once the page's thread has seen to what waits for it (input, drawing).
    fn pump_soon(self: &Rc<Self>) {
        if self.pump_due.replace(true) {
            return;
        }
        let loader = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            yew::platform::time::sleep(Duration::ZERO).await;
            loader.pump_due.set(false);
            loader.pump();
        });
    }

    /// Whether the workers should keep every event of the files handed out now.
    fn keep_all(&self) -> bool {
        self.options.get().keep_all && !self.memory_full.get()
    }

    /// Sends each worker the files `handed` to it, in one message.
    fn hand_over(&self, slots: &mut [Slot], handed: &mut [Array]) {
        for (slot, files) in slots.iter_mut().zip(handed.iter_mut()) {
            if files.length() == 0 {
                continue;
            }
            let files = std::mem::replace(files, Array::new());
            let message = Object::new();
            let _ = Reflect::set(&message, &"files".into(), &files);
            let _ = Reflect::set(&message, &"keepAll".into(), &self.keep_all().into());
            let _ = Reflect::set(&message, &"keepAllBytes".into(), &(crate::engine::keep_all_bytes() as f64).into());
            let _ = Reflect::set(&message, &"keepBytes".into(), &(crate::engine::keep_bytes() as f64).into());
            if slot.worker.post_message(&message).is_err() {
                // Back to the queue, in order, for a worker that takes them.
                let n = files.length() as usize;
                let returned: Vec<InFlight> = slot.busy.drain(slot.busy.len() - n..).collect();
                let mut queue = self.queue.borrow_mut();
                for flight in returned.into_iter().rev() {
                    queue.push_front(flight.source);
                }
            }
        }
    }

    /// Asks the tools' worker (started now if needed) for SQL; `reply` gets its answer (see `src/bin/tools.rs`).
    pub fn ask_sql(self: &Rc<Self>, request: Object, reply: yew::Callback<JsValue>) {
        *self.sql.borrow_mut() = (Some(request), Some(reply), None);
        if !self.slots.borrow().iter().any(|s| s.tools) {
            match self.spawn(true) {
                Ok(slot) => self.slots.borrow_mut().push(slot),
                Err(_) => {
                    self.fail_sql("this browser would not start the worker that writes the SQL");
                    return;
                }
            }
        }
        self.send_sql();
    }

    /// Answers the SQL request waiting or in flight, if any, with `why` instead of SQL.
    fn fail_sql(&self, why: &str) {
        let (request, reply) = {
            let mut sql = self.sql.borrow_mut();
            (sql.0.take().or(sql.2.take()), sql.1.take())
        };
        let (Some(request), Some(reply)) = (request, reply) else { return };
        let answer = Object::new();
        let _ = Reflect::set(&answer, &"error".into(), &why.into());
        let seq = Reflect::get(&request, &"seq".into()).unwrap_or(JsValue::UNDEFINED);
        let _ = Reflect::set(&answer, &"seq".into(), &seq);
        reply.emit(answer.into());
    }

    /// A worker stopped with an error nothing in it caught: a trap in its wasm (a panic, or memory the tab
    /// could not give it) while reading, or code that would not load before it was ready. Its files must not
    /// wait for an answer forever.
    ///
    /// A reading worker that stopped while reading is replaced, and the files it held go back to the front of
    /// the queue, each now read by a worker holding nothing else: the file that stops a worker that way is
    /// then the one that did, and it alone fails, while the others load. A reading worker that never started
    /// is not replaced (its code would fail again); once none runs, files fail with the reason. The tools'
    /// worker fails the sample or the SQL it was making, and a later request starts a new one.
    fn on_error(self: &Rc<Self>, serial: u32, why: String) {
        let slot = {
            let mut slots = self.slots.borrow_mut();
            let Some(at) = slots.iter().position(|s| s.serial == serial) else { return };
            slots.remove(at)
        };
        slot.stop();
        let why = why.trim_start_matches("Uncaught ").to_owned();
        let why = if why.is_empty() { "no reason given".to_owned() } else { why };
        // Sources to fail, with the bytes of each already reported and why.
        let mut failed: Vec<(Source, u64, String)> = Vec::new();
        if slot.tools {
            let what = if slot.ready { "stopped" } else { "would not start" };
            let message = format!("the worker that makes the sample and the SQL {what} ({why})");
            self.fail_sql(&message);
            let mut queue = self.queue.borrow_mut();
            // A worker that would not start would not start again for the sample still queued.
            let waiting = if slot.ready { 0 } else { queue.iter().filter(|s| matches!(s, Source::Sample)).count() };
            queue.retain(|s| slot.ready || !matches!(s, Source::Sample));
            let held = slot.busy.into_iter().map(|f| (f.source, f.reported));
            let queued = (0..waiting).map(|_| (Source::Sample, 0));
            failed.extend(held.chain(queued).map(|(source, reported)| (source, reported, message.clone())));
        } else if !slot.ready {
            self.readers_gone(&why);
        } else {
            match self.spawn(false) {
                Ok(slot) => self.slots.borrow_mut().push(slot),
                Err(_) => self.readers_gone(&why),
            }
            let mut busy = slot.busy;
            if let [flight] = busy.as_slice() {
                if flight.source.suspect() {
                    let message = format!(
                        "not read: reading this file stopped the page's file reader ({why}), twice; the file may be \
                         damaged, or need more memory than the browser gives this tab"
                    );
                    failed.extend(busy.drain(..).map(|f| (f.source, f.reported, message.clone())));
                }
            }
            let mut queue = self.queue.borrow_mut();
            for flight in busy.into_iter().rev() {
                flight.source.set_stopped_on(Some(flight.reported));
                queue.push_front(flight.source);
            }
        }
        let context = self.context.borrow().clone();
        if let Some((engine, _)) = context {
            for (source, reported, why) in failed {
                self.fail(&engine, &source, reported, why);
            }
        }
        self.pump();
        self.settle();
    }

    /// Gives `source` its outcome, not read for `why`; the bytes of it not reported yet count as done.
    fn fail(&self, engine: &EngineHandle, source: &Source, reported: u64, why: String) {
        engine
            .0
            .borrow_mut()
            .add_outcome(&source.name(), Outcome::Failed(trailscope_core::ingest::FileError::new(why)));
        self.note(source.size().saturating_sub(reported), None);
    }

    /// When no reading worker is left, says why for the files still to come: `why` the last one went.
    fn readers_gone(&self, why: &str) {
        if self.has_readers() {
            return;
        }
        *self.no_workers.borrow_mut() = Some(if self.readers_ran.get() {
            format!("the page's file reader stopped and would not start again ({why}); reload the page")
        } else {
            format!(
                "the page's file reader would not start ({why}); reload the page, and if it happens again, the \
                 browser may be short of memory or blocking workers"
            )
        });
    }

    fn send_sql(&self) {
        let slots = self.slots.borrow();
        let Some(slot) = slots.iter().find(|s| s.tools && s.ready) else { return };
        let mut sql = self.sql.borrow_mut();
        if let Some(request) = sql.0.take() {
            let message = Object::new();
            let _ = Reflect::set(&message, &"sql".into(), &request);
            let _ = slot.worker.post_message(&message);
            sql.2 = Some(request);
        }
    }

    fn on_message(self: &Rc<Self>, serial: u32, data: &JsValue) {
        let get = |key: &str| Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED);
        match get("kind").as_string().as_deref() {
            Some("warm") => {
                // A function's first runs do not make the browser optimise it, so the page's side of a load
                // runs on up to three warm-up answers, each its own task of 50 to 100 ms. With two, the
                // first load here compiled 18 of the page's functions instead of 26 (147 ms, not 289).
                // Not once files wait: handing them out comes first.
                let passes = self.warmed.get();
                if let (true, Ok(answer)) = (passes < 3 && self.settled(), get("batch").dyn_into::<Uint8Array>()) {
                    self.warmed.set(passes + 1);
                    crate::engine::Engine::warm(&answer.to_vec());
                }
                return;
            }
            Some("ready") => {
                if let Some(slot) = self.slots.borrow_mut().iter_mut().find(|s| s.serial == serial) {
                    slot.ready = true;
                    if !slot.tools {
                        self.readers_ran.set(true);
                    }
                }
                self.send_sql();
                self.pump();
                return;
            }
            Some("sql") => {
                let reply = {
                    let mut sql = self.sql.borrow_mut();
                    // An answer to an older request leaves a newer one in flight, to answer if the worker stops.
                    let seq = |r: &Object| Reflect::get(r, &"seq".into()).ok().and_then(|v| v.as_f64());
                    if sql.2.as_ref().is_some_and(|r| seq(r) == get("seq").as_f64()) {
                        sql.2 = None;
                    }
                    sql.1.clone()
                };
                if let Some(reply) = reply {
                    reply.emit(data.clone());
                }
                return;
            }
            _ => {}
        }
        let Some((engine, _)) = self.context.borrow().clone() else { return };
        match get("kind").as_string().as_deref() {
            Some("progress") => {
                let bytes = get("bytes").as_f64().unwrap_or(0.0) as u64;
                let id = get("id").as_f64().map(|n| n as u32);
                let mut slots = self.slots.borrow_mut();
                let slot = slots.iter_mut().find(|s| s.serial == serial);
                if let Some(flight) = slot.and_then(|s| s.busy.iter_mut().find(|f| Some(f.id) == id)) {
                    let new = bytes.saturating_sub(flight.reported);
                    flight.reported = bytes.max(flight.reported);
                    let name = flight.source.name();
                    drop(slots);
                    self.note(new, Some(name));
                }
            }
            Some("done") => {
                // One answer for one or more files: one result per file, in order (the sample's has several).
                let ids: Vec<Option<u32>> =
                    Array::from(&get("ids")).iter().map(|v| v.as_f64().map(|n| n as u32)).collect();
                let sizes = Array::from(&get("sizes"));
                let (flights, next) = {
                    let mut slots = self.slots.borrow_mut();
                    let Some(slot) = slots.iter_mut().find(|s| s.serial == serial) else { return };
                    let flights: Vec<(InFlight, Option<f64>)> = ids
                        .iter()
                        .zip(0..)
                        .filter_map(|(id, at)| {
                            let flight =
                                slot.busy.iter().position(|f| Some(f.id) == *id).map(|at| slot.busy.remove(at))?;
                            Some((flight, sizes.get(at).as_f64()))
                        })
                        .collect();
                    (flights, slot.busy.first().map(|f| f.source.name()))
                };
                if flights.is_empty() {
                    return;
                }
                // A file read to its answer did not stop a worker.
                for (flight, _) in &flights {
                    flight.source.set_stopped_on(None);
                    flight.source.mark_answered();
                }
                let (began, answered) = self.pace.get();
                self.pace.set((began, answered + flights.len() as u64));
                let batch = match get("batch").dyn_into::<Uint8Array>() {
                    Ok(view) => {
                        let bytes = view.to_vec();
                        // Only to a worker with more to answer: one done with its files would hold it for nothing.
                        if next.is_some() {
                            self.give_back(serial, view.buffer());
                        }
                        bytes
                    }
                    Err(_) => Vec::new(),
                };
                {
                    let mut engine = engine.0.borrow_mut();
                    let failed = |engine: &mut crate::engine::Engine, why: String| {
                        for (flight, _) in &flights {
                            engine.add_outcome(
                                &flight.source.name(),
                                Outcome::Failed(trailscope_core::ingest::FileError::new(why.clone())),
                            );
                        }
                    };
                    // One result per id, in order; only the sample's one id has several. Each goes in with its
                    // file's place among those given.
                    let given = |id: Option<u32>| {
                        let (flight, _) = flights.iter().find(|(f, _)| Some(f.id) == id)?;
                        Some(flight.source.given().or(self.sample_given.get()).unwrap_or(u32::MAX))
                    };
                    match trailscope_core::wire::decode(&batch) {
                        Ok(results) if ids.len() == 1 => {
                            let order = given(ids[0]).unwrap_or(u32::MAX);
                            results.into_iter().for_each(|r| engine.add_result(r, order))
                        }
                        Ok(results) if results.len() == ids.len() => {
                            for (&id, result) in ids.iter().zip(results) {
                                if let Some(order) = given(id) {
                                    engine.add_result(result, order);
                                }
                            }
                        }
                        Ok(_) => {
                            failed(&mut engine, "the worker's answer did not match the files it was given".to_owned())
                        }
                        Err(error) => failed(&mut engine, error.to_string()),
                    }
                    self.memory_full.set(engine.memory_full());
                }
                // The worker says each file's size: asking it here would wait on the browser again.
                let bytes: u64 = flights
                    .iter()
                    .map(|(flight, size)| size.map_or(flight.reported, |n| n as u64).saturating_sub(flight.reported))
                    .sum();
                // The worker goes on with the next file it holds (a small one says nothing until done).
                self.note(bytes, next);
                self.pump();
                self.settle();
            }
            _ => {}
        }
    }

    /// Hands an answer's buffer back to its worker, copied from: the worker's next answer goes into it,
    /// where a new buffer's memory would have to be found and zeroed by the system first.
    fn give_back(&self, serial: u32, buffer: js_sys::ArrayBuffer) {
        let slots = self.slots.borrow();
        let Some(slot) = slots.iter().find(|s| s.serial == serial) else { return };
        let message = Object::new();
        let _ = Reflect::set(&message, &"spare".into(), &buffer);
        let _ = slot.worker.post_message_with_transfer(&message, &Array::of1(&buffer));
    }

    /// Shows new data now and then while loading, and everything once the queue is empty.
    fn settle(&self) {
        let Some((engine, report)) = self.context.borrow().clone() else { return };
        let done = self.settled();
        let now = js_sys::Date::now();
        let (began, answered) = self.pace.get();
        let pace = {
            let (queue, slots) = (self.queue.borrow(), self.slots.borrow());
            let waiting: Vec<&Source> =
                queue.iter().chain(slots.iter().flat_map(|s| &s.busy).map(|f| &f.source)).collect();
            // A file read in slices takes far longer than the deliveries around it, and says nothing of its
            // pace until it is done: while one waits, the files answered say nothing of when the rest is in.
            let large = waiting.iter().any(|s| s.known_size().is_some_and(|n| n > crate::worker::READ_AHEAD_MAX));
            Pace { began, answered, waiting: waiting.len(), large }
        };
        if done || update_while_loading(now, self.last_data.get(), pace) {
            engine.0.borrow_mut().finish();
            report.data();
            let end = js_sys::Date::now();
            self.last_data.set((end, end - now));
        }
        if done {
            self.measure(usize::MAX);
            self.flush_progress();
            report.idle();
        }
    }
}

/// How far the current load is: when it began, how many of its files are answered, how many wait, and
/// whether one of those is large enough to be read in slices.
struct Pace {
    began: f64,
    answered: u64,
    waiting: usize,
    large: bool,
}

/// Whether to bring the shown data up to date now, while files are still loading, given when that was
/// last done and how long it took (`last`).
///
/// First results show while the rest loads. Bringing everything up to date (order, the query, the counts)
/// grows with what is loaded, so it runs at most a tenth of the time: with a million events kept the
/// page's thread keeps handing files to the workers instead of re-sorting. And at most once a second: the
/// layout and paint that follow, which the cost does not count, take the cores the workers need. After
/// the first, not when the rest seems less than a second away, going by the files answered so far (unless
/// a large file waits, whose time they do not tell): that update would show for a moment, and its cost (a
/// tenth of a second with every event of 100 files kept, plus layout and paint) would delay the last
/// files' answers on the thread that joins them.
fn update_while_loading(now: f64, (last, cost): (f64, f64), pace: Pace) -> bool {
    let first = last < pace.began;
    let soon =
        !pace.large && pace.answered > 0 && (now - pace.began) * pace.waiting as f64 / (pace.answered as f64) < 1000.0;
    now - last > (10.0 * cost).max(1000.0) && (first || !soon)
}

/// Saves `text` as a file named `name`, made in the page: a Blob and a download link, nothing sent anywhere.
pub fn download(name: &str, mime: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&Array::of1(&text.into()), &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Some(link) = document.create_element("a").ok().and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    // The download reads the Blob after this returns; let it go a little later.
    wasm_bindgen_futures::spawn_local(async move {
        yew::platform::time::sleep(Duration::from_secs(30)).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_brought_up_to_date_first_then_each_second_unless_the_rest_is_nearly_in() {
        let pace = |answered, waiting| Pace { began: 10_000.0, answered, waiting, large: false };
        // The first answer of a load shows at once, however soon the rest may come.
        assert!(update_while_loading(10_100.0, (5_000.0, 50.0), pace(1, 1)));
        // Then not within a second of the last update, nor within ten times its cost.
        assert!(!update_while_loading(10_900.0, (10_100.0, 50.0), pace(40, 60)));
        assert!(!update_while_loading(11_200.0, (10_100.0, 200.0), pace(40, 60)));
        // A second on, with 60 files left at 40 in 1.2 s (about 1.8 s more): shown.
        assert!(update_while_loading(11_200.0, (10_100.0, 50.0), pace(40, 60)));
        // With 20 left at 80 in 1.2 s (about 0.3 s more), the last answer will show it all soon.
        assert!(!update_while_loading(11_200.0, (10_100.0, 50.0), pace(80, 20)));
        // Unless one of those is a file read in slices, whose time the others do not tell.
        assert!(update_while_loading(11_200.0, (10_100.0, 50.0), Pace { large: true, ..pace(80, 20) }));
    }
}

//! The core's ingest with nothing around it, built for `wasm32-wasip1` as a module of its own (no bindings;
//! std's few WASI imports, which the benchmark stubs), so the browser benchmark can time it in a Chromium
//! worker beside the native command on one core: wasm against native for the ingest, where the page's rows
//! add reading files, sketching, messages and the page's own thread.
//!
//! `tests/bench/browser.mjs` copies each file into the module's memory (`alloc`), then calls `ingest` on
//! each, in path order, as `trailscope scan --threads 1` reads them, and `finish` for the kept count.

use std::cell::RefCell;

use trailscope_core::ingest::{ingest_file, IngestOptions};
use trailscope_core::store::Store;

thread_local! {
    static STORE: RefCell<Store> = RefCell::new(Store::new());
}

/// Room for `n` bytes, kept for the module's life: the benchmark writes a file there.
#[no_mangle]
pub extern "C" fn alloc(n: usize) -> *mut u8 {
    Box::leak(vec![0u8; n].into_boxed_slice()).as_mut_ptr()
}

/// Reads the `len` bytes at `ptr` as one file into the store; the records it read.
///
/// # Safety
/// `ptr` and `len` must be a region `alloc` gave.
#[no_mangle]
pub unsafe extern "C" fn ingest(ptr: *const u8, len: usize) -> u32 {
    // SAFETY: the caller passes a region that `alloc` made and still holds.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    let result = ingest_file("file", bytes, &IngestOptions::default());
    let records = result.n_records as u32;
    STORE.with(|store| store.borrow_mut().add(result));
    records
}

/// The events kept so far, and a fresh store for the next pass.
#[no_mangle]
pub extern "C" fn finish() -> u32 {
    STORE.with(|store| std::mem::replace(&mut *store.borrow_mut(), Store::new()).summary().n_kept as u32)
}

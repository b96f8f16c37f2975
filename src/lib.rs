//! trailscope's page: a thin Yew shell over `trailscope_core`.
//!
//! Components render and send intents; the [`engine::Engine`] owns the loaded data and answers with rows,
//! counts and jobs. Architecture invariant: no rule about CloudTrail or Transcribe lives in this crate.

// Talc, a heap allocator made for wasm, in place of std's dlmalloc: 8.4 KB less gzipped code for a first
// visit (page and workers), at the same speed in the benchmarks.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub mod app;
pub mod engine;
pub mod facets;
pub mod files;
pub mod hash;
pub mod jobs_view;
pub mod sql_panel;
pub mod state;
pub mod table;
pub mod timeline;
pub mod worker;

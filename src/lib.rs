//! trailscope's page: a thin Yew shell over `trailscope_core`.
//!
//! Components render and send intents; the [`engine::Engine`] owns the loaded data and answers with rows,
//! counts and jobs. Architecture invariant: no rule about CloudTrail or Transcribe lives in this crate.

// Talc, a heap allocator made for wasm, in place of std's dlmalloc: 8.4 KB less gzipped code for a first
// visit (page and workers), at the same speed in the benchmarks.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::cell::TalcSyncCell<heap::Grow, talc::wasm::WasmBinning> =
    talc::cell::TalcSyncCell::new_wasm(heap::Grow { end: None });

#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
mod heap {
    use core::alloc::Layout;
    use core::arch::wasm32::{memory_grow, memory_size};
    use core::ptr::NonNull;

    use talc::base::binning::Binning;
    use talc::base::{Talc, CHUNK_UNIT};

    const PAGE: usize = 64 * 1024;

    /// Wasm memory for the allocator, grown an eighth of its size at a time (1 MiB to 64 MiB) rather than
    /// by what one allocation lacks, as talc's own source does. Each growth of a memory costs the browser
    /// a new `ArrayBuffer` and its bookkeeping (a tenth of a millisecond here): a load that keeps every
    /// event grew the page's memory 867 times, 114 ms of its thread. Pages grown are only reserved until
    /// written, so the slack costs no memory the system gives.
    #[derive(Debug)]
    pub struct Grow {
        pub end: Option<NonNull<u8>>,
    }

    // SAFETY: allocates nothing itself; claims and extends only memory it has just grown, which nothing
    // else uses.
    unsafe impl talc::source::Source for Grow {
        fn acquire<B: Binning>(talc: &mut Talc<Self, B>, layout: Layout) -> Result<(), ()> {
            // What the allocation needs with talc's chunk overheads, as talc's own wasm source reckons it.
            let needed = layout.size() + layout.align().max(CHUNK_UNIT) + 2 * CHUNK_UNIT;
            let needed = needed.div_ceil(PAGE);
            let wanted = needed.max((memory_size::<0>() / 8).clamp(16, 1024));
            // Near the memory's limit, a smaller step may still fit.
            let (prev, pages) = match memory_grow::<0>(wanted) {
                usize::MAX if wanted > needed => (memory_grow::<0>(needed), needed),
                prev => (prev, wanted),
            };
            if prev == usize::MAX {
                return Err(());
            }
            let base = (prev * PAGE) as *mut u8;
            // Memory that ends at 4 GiB ends at address 0 when wrapped: saturated, as talc's own source does,
            // all but its last bytes are used.
            let end = (prev * PAGE).saturating_add(pages * PAGE) as *mut u8;
            if let Some(old_end) = talc.source.end.take() {
                if old_end.as_ptr() == base {
                    // SAFETY: the memory from the heap's end to `end` was just grown and is unused.
                    talc.source.end = Some(unsafe { talc.extend(old_end, end) });
                    return Ok(());
                }
            }
            // SAFETY: as above, for a heap of its own.
            talc.source.end = unsafe { talc.claim(base, pages * PAGE) };
            talc.source.end.map(|_| ()).ok_or(())
        }
    }
}

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

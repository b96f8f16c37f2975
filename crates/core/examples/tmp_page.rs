// Throwaway: the page's side of an all-kept load, step by step.
use std::time::Instant;
use trailscope_core::{index::Index, ingest::*, store::Store, wire};
fn main() {
    let dir = std::env::args().nth(1).expect("dir");
    if std::env::var("PRE").is_ok() {
        drop(std::hint::black_box(Vec::<u8>::with_capacity(600 << 20)));
    }
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".gz"))
        .collect();
    names.sort();
    let mut batches = Vec::new();
    for p in names.iter().take(20) {
        let data = std::fs::read(p).unwrap();
        let r = ingest_reader("x", &mut &data[..], &IngestOptions { keep_all: true });
        batches.push(wire::encode(&[r]));
    }
    let total: usize = batches.iter().map(|b| b.len()).sum();
    for _ in 0..3 {
        let t = Instant::now();
        let mut copies = Vec::new();
        for b in &batches {
            copies.push(b.to_vec());
        }
        let t_copy = t.elapsed();
        let t = Instant::now();
        let mut results = Vec::new();
        for b in &copies {
            results.extend(wire::decode(b).unwrap());
        }
        let t_dec = t.elapsed();
        let n: usize = results.iter().map(|r| r.events.len()).sum();
        let t = Instant::now();
        let mut store = Store::new();
        for r in results {
            store.add(r);
        }
        let t_add = t.elapsed();
        let t = Instant::now();
        let mut index = Index::default();
        for e in store.events() {
            index.push(e);
        }
        let t_idx = t.elapsed();
        println!(
            "{n} events, {:.0} MB wire: copy {:.0} ms, decode {:.0} ms, store add {:.0} ms, index {:.0} ms",
            total as f64 / 1e6,
            t_copy.as_secs_f64() * 1e3,
            t_dec.as_secs_f64() * 1e3,
            t_add.as_secs_f64() * 1e3,
            t_idx.as_secs_f64() * 1e3
        );
    }
}

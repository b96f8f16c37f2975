//! trailscope's core: CloudTrail files in, Amazon Transcribe events and jobs out, with no browser type
//! anywhere, so it tests natively and serves the page (through wasm) and a command line alike.
//!
//! The data flows one way: bytes ([`decode`]) → records ([`record`], [`ingest`]) → kept events
//! ([`store`]) → jobs ([`jobs`]). [`transcribe`] holds every rule about Transcribe's API; [`generate`]
//! makes realistic data for the built-in sample, the tests and the benchmarks.
//!
//! ```
//! use trailscope_core::{ingest, store::Store};
//! let file = br#"{"Records":[{"eventVersion":"1.08","eventSource":"transcribe.amazonaws.com",
//!   "eventName":"GetTranscriptionJob","eventTime":"2026-03-02T08:00:00Z","eventID":"e1",
//!   "requestParameters":{"transcriptionJobName":"call-1"}}]}"#;
//! let mut store = Store::new();
//! store.add(ingest::ingest_file("a.json", file, &ingest::IngestOptions::default()));
//! assert_eq!(store.summary().n_kept, 1);
//! ```
#![deny(missing_docs)]

pub mod caseless;
pub mod decode;
pub mod export;
pub mod generate;
pub mod gunzip;
pub mod index;
pub mod ingest;
pub mod jobs;
pub mod model;
pub mod overview;
pub mod query;
pub mod record;
pub mod sketch;
pub mod split;
pub mod sql;
pub mod store;
pub mod time;
pub mod transcribe;
pub mod view;
pub mod warm;
pub mod wire;

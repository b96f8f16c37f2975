//! trailscope's page: a thin Yew shell over `trailscope_core`.
//!
//! Components render and send intents; the [`engine::Engine`] owns the loaded data and answers with rows,
//! counts and jobs. Architecture invariant: no rule about CloudTrail or Transcribe lives in this crate.

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

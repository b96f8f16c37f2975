//! The view in the URL hash: `#q=<search>&from=<time>&to=<time>&tab=jobs&event=<eventID>` (`from` and `to`
//! the range brushed on the timeline, in UTC). It holds only what the person typed or chose, never log data
//! beyond the selected event's id.
//!
//! A chosen facet value, a brushed range, another tab, or typing after a pause adds a history entry, so
//! Back steps through the views a person went through (an investigation's trail) before it leaves the
//! page; the rest of a word typed and moving the selection only update the current entry, or Back would
//! replay every keystroke and row.

use std::cell::RefCell;

use js_sys::{decode_uri_component, encode_uri_component};

use trailscope_core::time::EventTime;

use crate::state::Tab;

/// What the hash restores.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    /// The search text.
    pub search: String,
    /// The time range brushed on the timeline: start inclusive, end exclusive, in milliseconds.
    pub range: Option<(i64, i64)>,
    /// The open tab.
    pub tab: Tab,
    /// The selected event's `eventID`.
    pub event: Option<String>,
}

/// How long the search, range and tab must rest before their next change gets its own history entry.
const SETTLE_MS: f64 = 1000.0;

thread_local! {
    /// The view last read or written, and when its search, range or tab last changed.
    static LAST: RefCell<Option<(View, f64)>> = const { RefCell::new(None) };
    /// Whether the next change is a step of its own whenever it comes (see [`step`]).
    static STEP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Says that the search's change about to be written is a step of its own, not the rest of a word being
/// typed: a facet's click. A new range or tab always is.
pub fn step() {
    STEP.with(|step| step.set(true));
}

/// What a history entry stands for: the selection alone never makes one.
fn filters(view: &View) -> (&str, Option<(i64, i64)>, Tab) {
    (&view.search, view.range, view.tab)
}

/// The view in the current URL's hash (at start, and when Back or Forward brings another entry).
pub fn read() -> View {
    let view = parse();
    // What is shown next comes from this entry: writing it back adds no other, but the next change does,
    // at once, or it would overwrite the entry Back came to.
    LAST.with(|last| *last.borrow_mut() = Some((view.clone(), f64::NEG_INFINITY)));
    view
}

fn parse() -> View {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let mut view = View::default();
    let (mut from, mut to) = (None, None);
    for pair in hash.trim_start_matches('#').split('&') {
        let Some((key, value)) = pair.split_once('=') else { continue };
        let value: String = decode_uri_component(value).map(String::from).unwrap_or_default();
        match key {
            "q" => view.search = value,
            "from" => from = EventTime::parse(&value),
            "to" => to = EventTime::parse(&value),
            "tab" if value == "jobs" => view.tab = Tab::Jobs,
            "event" if !value.is_empty() => view.event = Some(value),
            _ => {}
        }
    }
    if let (Some(from), Some(to)) = (from, to) {
        view.range = (from.0 < to.0).then_some((from.0, to.0));
    }
    view
}

/// Writes the hash: a new history entry when the range or tab changed, or the search as a [`step`] or
/// after resting (see [`SETTLE_MS`]); otherwise in place of the current one.
pub fn write(view: &View) {
    let now = js_sys::Date::now();
    let step = STEP.with(|step| step.replace(false));
    let push = LAST.with(|last| {
        let mut last = last.borrow_mut();
        let (push, changed_at) = match &*last {
            Some((before, at)) if filters(before) != filters(view) => {
                let chosen = step || before.range != view.range || before.tab != view.tab;
                (chosen || now - at > SETTLE_MS, now)
            }
            Some((_, at)) => (false, *at),
            None => (false, now),
        };
        *last = Some((view.clone(), changed_at));
        push
    });
    let mut parts = Vec::new();
    if !view.search.is_empty() {
        parts.push(format!("q={}", String::from(encode_uri_component(&view.search))));
    }
    if let Some((from, to)) = view.range {
        parts.push(format!("from={}&to={}", EventTime(from).to_iso(), EventTime(to).to_iso()));
    }
    if view.tab == Tab::Jobs {
        parts.push("tab=jobs".to_owned());
    }
    if let Some(event) = &view.event {
        parts.push(format!("event={}", String::from(encode_uri_component(event))));
    }
    let hash = if parts.is_empty() { String::new() } else { format!("#{}", parts.join("&")) };
    let Some(window) = web_sys::window() else { return };
    if window.location().hash().ok().as_deref().unwrap_or("") == hash {
        return;
    }
    let url = if hash.is_empty() {
        // Drop the '#' altogether: the address without the hash.
        window.location().pathname().unwrap_or_default() + &window.location().search().unwrap_or_default()
    } else {
        hash
    };
    if let Ok(history) = window.history() {
        let _ = if push {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        } else {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        };
    }
}

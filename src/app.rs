//! The page: pickers and the drop zone send files to the loader; the status line, the table, the detail
//! panel and the jobs view render what the engine holds.

use std::rc::Rc;

use trailscope_core::ingest::IngestOptions;
use trailscope_core::view::{self, pretty_json};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::EngineHandle;
use crate::facets::Facets;
use crate::files::{self, Loader, Report, Source};
use crate::jobs_view::JobsView;
use crate::state::{Action, State, Tab};
use crate::table::EventTable;
use crate::timeline::Timeline;

/// Tells the reducer what the loader did.
struct Reporter {
    dispatcher: UseReducerDispatcher<State>,
    engine: EngineHandle,
}

impl Report for Reporter {
    fn queued(&self, files: u64, bytes: u64, sized: u64) {
        self.dispatcher.dispatch(Action::Queued { files, bytes, sized });
    }
    fn progress(&self, bytes: u64, reading: String) {
        let summary = self.engine.0.borrow().summary();
        self.dispatcher.dispatch(Action::Progress { bytes, reading, summary });
    }
    fn data(&self) {
        {
            let engine = self.engine.0.borrow();
            self.dispatcher.dispatch(Action::Data {
                summary: engine.summary(),
                notes: Rc::new(engine.notes().to_vec()),
                shown: engine.n_shown() as u64,
                searching: engine.searching(),
            });
        }
        drive(&self.engine, &self.dispatcher);
    }
    fn idle(&self) {
        self.dispatcher.dispatch(Action::Idle);
    }
}

/// After a click on a row or a job's step: where the window is narrow the detail panel stands below the
/// table, so the event clicked would open out of view; the page then scrolls to show the panel. Not for
/// the arrows, which move through rows that must stay in view.
fn reveal_detail(panel: NodeRef) {
    let Some(window) = web_sys::window() else { return };
    let height = window.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
    // After the render that shows the clicked event.
    let reveal = Closure::once_into_js(move || {
        if let Some(panel) = panel.cast::<web_sys::Element>() {
            // Out of view, or only its heading in view.
            let r = panel.get_bounding_client_rect();
            if r.bottom().min(height) - r.top().max(0.0) < r.height().min(height / 3.0) {
                panel.scroll_into_view_with_bool(false);
            }
        }
    });
    let _ = window.request_animation_frame(reveal.unchecked_ref());
}

/// How often, at most, the view shows the rows a search has found so far while it goes on.
const SEARCH_VIEW_MS: f64 = 150.0;
/// Carries a search over the original JSON on between frames, a slice at a time, so the first rows show
/// at once and typing never waits for a million events to be read. One loop at a time; a new search
/// replaces the engine's pending one and the same loop goes on with it.
fn drive(engine: &EngineHandle, dispatcher: &UseReducerDispatcher<State>) {
    {
        let mut handle = engine.0.borrow_mut();
        // A search answered at once was already shown by the action that asked for it: one render only.
        let Some(percent) = handle.searching() else { return };
        dispatcher.dispatch(Action::Searching { shown: handle.n_shown() as u64, percent: Some(percent) });
        if handle.driving {
            return;
        }
        handle.driving = true;
    }
    let (engine, dispatcher) = (engine.clone(), dispatcher.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let mut shown_at = js_sys::Date::now();
        // When the search under way started, and how far it had got: a new search starts over from 0 %.
        let (mut started, mut last) = (shown_at, 0u8);
        loop {
            // Lets the browser paint and take input between slices.
            yew::platform::time::sleep(std::time::Duration::from_millis(0)).await;
            let (shown, percent) = {
                let mut handle = engine.0.borrow_mut();
                if handle.searching().is_none() {
                    handle.driving = false;
                    return;
                }
                let percent = handle.continue_search();
                (handle.n_shown() as u64, percent)
            };
            // Rendering the table, facets and timeline over the rows found so far can take longer than a
            // slice of searching: in between, the view follows a few times a second, unless the search
            // is about to end, where that render would only delay the whole answer.
            let now = js_sys::Date::now();
            let done = percent.unwrap_or(100);
            if done < last {
                started = now;
            }
            last = done;
            let left = (now - started) * f64::from(100 - done) / f64::from(done.max(1));
            if percent.is_none() || (now - shown_at >= SEARCH_VIEW_MS && left >= SEARCH_VIEW_MS) {
                shown_at = now;
                dispatcher.dispatch(Action::Searching { shown, percent });
            }
        }
    });
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let state = use_reducer(State::default);
    let engine = use_memo((), |_| EngineHandle::default());
    let loader = use_memo((), |_| Rc::new(Loader::default()));
    let report: Rc<dyn Report> = Rc::new(Reporter { dispatcher: state.dispatcher(), engine: (*engine).clone() });

    let enqueue = {
        let engine = (*engine).clone();
        let loader = (*loader).clone();
        let report = report.clone();
        Callback::from(move |sources: Vec<Source>| loader.enqueue(sources, engine.clone(), report.clone()))
    };
    let on_files = {
        let enqueue = enqueue.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(list) = input.files() {
                enqueue.emit(files::from_file_list(&list));
            }
            // Cleared so that picking the same file again is a new pick.
            input.set_value("");
        })
    };
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    let on_drop = {
        let engine = (*engine).clone();
        let loader = (*loader).clone();
        let report = report.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            let Some(transfer) = e.data_transfer() else {
                return;
            };
            loader.take_drop(files::drop_entries(&transfer), engine.clone(), report.clone());
        })
    };
    let on_sample = {
        let enqueue = enqueue.clone();
        Callback::from(move |_: MouseEvent| enqueue.emit(vec![Source::Sample]))
    };
    let on_show_all = {
        let engine = (*engine).clone();
        let loader = (*loader).clone();
        let report = report.clone();
        let dispatcher = state.dispatcher();
        let selected = state.selected;
        Callback::from(move |e: Event| {
            let keep_all = e.target_unchecked_into::<HtmlInputElement>().checked();
            // The selected event is selected again once read again (its row moves: the rows are others).
            let event = selected.and_then(|i| engine.0.borrow().event(i).map(|e| e.event_id().to_owned()));
            dispatcher.dispatch(Action::Reset { show_all: keep_all, event });
            loader.reload(IngestOptions { keep_all, ..IngestOptions::default() }, engine.clone(), report.clone());
        })
    };
    let on_cancel = {
        let loader = (*loader).clone();
        Callback::from(move |_: MouseEvent| loader.cancel())
    };
    // Callbacks handed to the table, facets and jobs view are made once (or when what they read changes), so
    // those components, whose props then compare equal, are not redrawn on every progress message.
    let detail_panel = use_node_ref();
    // The progress panel, for the table to keep a chosen row above it.
    let progress_panel = use_node_ref();
    let on_select = {
        let panel = detail_panel.clone();
        use_callback(state.dispatcher(), move |index: usize, dispatcher| {
            dispatcher.dispatch(Action::Select(index));
            reveal_detail(panel.clone());
        })
    };
    let on_tab = |tab: Tab| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::Tab(tab)))
    };
    let search = {
        let engine = (*engine).clone();
        let dispatcher = state.dispatcher();
        move |text: String| {
            let hints = engine.0.borrow_mut().search(&text);
            let shown = engine.0.borrow().n_shown() as u64;
            dispatcher.dispatch(Action::Searched { text, hints: Rc::new(hints), shown });
            drive(&engine, &dispatcher);
        }
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| search(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_facet = {
        let search = search.clone();
        use_callback(state.search.clone(), move |(field, value, exclude): (&'static str, String, bool), current| {
            crate::hash::step();
            search(trailscope_core::query::toggle_value(current, field, &value, exclude));
        })
    };
    let on_range = {
        let engine = (*engine).clone();
        use_callback(state.dispatcher(), move |range: Option<(i64, i64)>, dispatcher| {
            engine.0.borrow_mut().set_range(range);
            let shown = engine.0.borrow().n_shown() as u64;
            dispatcher.dispatch(Action::Ranged { range, shown });
            drive(&engine, dispatcher);
        })
    };
    let on_sort = {
        let engine = (*engine).clone();
        use_callback(state.dispatcher(), move |column: Option<trailscope_core::index::Column>, dispatcher| {
            {
                let mut engine = engine.0.borrow_mut();
                let current = engine.sort();
                let descending = current.column == column && !current.descending;
                engine.set_sort(crate::engine::Sort { column, descending });
            }
            dispatcher.dispatch(Action::Resorted);
            drive(&engine, dispatcher);
        })
    };
    // Keys: '/' goes to the search box, Esc clears the search (or the selection), arrows move the
    // selection through the shown rows. Listened to on the document, so they work wherever focus is.
    let search_box = use_node_ref();
    let on_key = {
        let engine = (*engine).clone();
        let dispatcher = state.dispatcher();
        let search = search.clone();
        let search_box = search_box.clone();
        let (selected, typed, tab) = (state.selected, state.search.clone(), state.tab);
        Callback::from(move |e: KeyboardEvent| {
            let target = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            let in_input =
                target.as_ref().is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            // From the search box, the arrows go on into the rows it found, as in a list of suggestions.
            let in_search = target.is_some_and(|el| search_box.get().is_some_and(|node| node == *el));
            match e.key().as_str() {
                "/" if !in_input => {
                    e.prevent_default();
                    if let Some(input) = search_box.cast::<HtmlInputElement>() {
                        let _ = input.focus();
                    }
                }
                // The search when typing in it or when nothing is selected, else the selection.
                "Escape" if !typed.is_empty() && (in_input || selected.is_none()) => search(String::new()),
                "Escape" => dispatcher.dispatch(Action::Unselect),
                "ArrowDown" | "ArrowUp" if (!in_input || in_search) && tab == Tab::Events => {
                    e.prevent_default();
                    let engine = engine.0.borrow();
                    let current = selected.and_then(|i| engine.position(i));
                    let row = match (current, e.key().as_str()) {
                        (None, _) => 0,
                        (Some(r), "ArrowDown") => (r + 1).min(engine.n_rows().saturating_sub(1)),
                        (Some(r), _) => r.saturating_sub(1),
                    };
                    if let Some((index, _)) = engine.row(row) {
                        dispatcher.dispatch(Action::Select(index));
                    }
                }
                _ => {}
            }
        })
    };
    {
        let current = use_mut_ref(|| on_key.clone());
        *current.borrow_mut() = on_key;
        use_effect_with((), move |_| {
            let listener = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| current.borrow().emit(e));
            let document = web_sys::window().and_then(|w| w.document());
            if let Some(document) = &document {
                let _ = document.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(document) = document {
                    let _ = document.remove_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    let sql_open = use_state(|| false);
    let on_sql_toggle = {
        let sql_open = sql_open.clone();
        Callback::from(move |_: MouseEvent| sql_open.set(!*sql_open))
    };
    let ask_sql = {
        let loader = (*loader).clone();
        Callback::from(move |(request, reply): (js_sys::Object, Callback<wasm_bindgen::JsValue>)| {
            loader.ask_sql(request, reply)
        })
    };
    let on_export = |csv: bool| {
        let engine = (*engine).clone();
        Callback::from(move |_: MouseEvent| {
            let engine = engine.0.borrow();
            let (text, name, mime) = if csv {
                let csv = trailscope_core::export::csv(engine.shown_events());
                ([trailscope_core::export::UTF8_MARK, &csv].concat(), "trailscope-events.csv", "text/csv")
            } else {
                (
                    trailscope_core::export::json_lines(engine.shown_events()),
                    "trailscope-events.jsonl",
                    "application/x-ndjson",
                )
            };
            crate::files::download(name, mime, &text);
        })
    };
    let on_toggle_job =
        use_callback(state.dispatcher(), |key: String, dispatcher| dispatcher.dispatch(Action::ToggleJob(key)));

    {
        let loader = (*loader).clone();
        use_effect_with((), move |_| loader.warm());
    }

    {
        // Once files are loaded, leaving the page (Back, a reload, closing the tab) asks first: what was read
        // lives only in this tab.
        use_effect_with(state.loading.is_some(), |&loaded| {
            let guard = Closure::<dyn FnMut(Event)>::new(|e: Event| e.prevent_default());
            let window = web_sys::window().filter(|_| loaded);
            if let Some(window) = &window {
                let _ = window.add_event_listener_with_callback("beforeunload", guard.as_ref().unchecked_ref());
            }
            move || {
                if let Some(window) = window {
                    let _ = window.remove_event_listener_with_callback("beforeunload", guard.as_ref().unchecked_ref());
                }
            }
        });
    }

    // The view lives in the URL hash, so a reload or a shared link shows the same view once the same files
    // are loaded. Read at start and when Back or Forward brings another entry (see `hash`); written whenever
    // the query, the brushed range, tab or selection change.
    {
        let engine = (*engine).clone();
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let restore = move || {
                let view = crate::hash::read();
                let hints = engine.0.borrow_mut().search(&view.search);
                engine.0.borrow_mut().set_range(view.range);
                let shown = engine.0.borrow().n_shown() as u64;
                dispatcher.dispatch(Action::Restore {
                    search: view.search,
                    hints: Rc::new(hints),
                    shown,
                    range: view.range,
                    tab: view.tab,
                    event: view.event,
                });
                drive(&engine, &dispatcher);
            };
            restore();
            // The page lives as long as the tab: the handler is never taken off.
            let on_pop = Closure::<dyn FnMut(Event)>::new(move |_: Event| restore());
            if let Some(window) = web_sys::window() {
                window.set_onpopstate(Some(on_pop.as_ref().unchecked_ref()));
            }
            on_pop.forget();
        });
    }
    {
        let selected_id = state.selected.and_then(|i| engine.0.borrow().event(i).map(|e| e.event_id().to_owned()));
        let event = selected_id.or_else(|| state.wanted_event.clone());
        use_effect_with((state.search.clone(), state.range, state.tab, event), |(search, range, tab, event)| {
            crate::hash::write(&crate::hash::View {
                search: search.clone(),
                range: *range,
                tab: *tab,
                event: event.clone(),
            });
        });
    }
    {
        // A shared link's event is selected as soon as it is loaded.
        let engine = (*engine).clone();
        let dispatcher = state.dispatcher();
        use_effect_with((state.generation, state.wanted_event.clone()), move |(_, wanted)| {
            if let Some(index) = wanted.as_deref().and_then(|id| engine.0.borrow().find_event(id)) {
                dispatcher.dispatch(Action::Select(index));
            }
        });
    }

    let summary = state.summary;
    // Which limit held events back, when some were: the tab's memory, else one file's.
    let store_full = engine.0.borrow().memory_full();
    let data_state = match state.loading {
        None => "idle",
        Some(true) => "loading",
        Some(false) => "ready",
    };
    let status_text = match state.loading {
        None => "No files loaded yet.".to_owned(),
        _ => {
            use trailscope_core::view::counted;
            format!(
                "{} read, {} failed{} · {} · {} kept · {} dropped{}{}",
                counted(summary.files_ok, "file"),
                summary.files_failed,
                // A digest, recognised and not read: said here too, so every file given is counted.
                if summary.files_skipped > 0 { format!(", {} skipped", summary.files_skipped) } else { String::new() },
                counted(summary.n_records, "record"),
                counted(summary.n_kept, if state.show_all { "event" } else { "Transcribe event" }),
                counted(summary.n_duplicates, "duplicate"),
                // A second copy unlike the first was changed, or is another event under the same ID: one
                // such eventID, for a person to search.
                match engine.0.borrow().differing_id() {
                    Some(id) if summary.n_differing > 0 => format!(
                        " ({} unlike the copy kept{} eventID {})",
                        summary.n_differing,
                        if summary.n_differing > 1 { ", e.g." } else { ":" },
                        view::cell(id)
                    ),
                    _ => String::new(),
                },
                match (summary.n_over_budget, store_full, summary.n_past_file_limit > 0) {
                    (0, ..) => String::new(),
                    (n, true, true) => format!(" · {n} not kept: memory full, files too large to keep whole"),
                    (n, true, false) => format!(" · {n} not kept: memory full"),
                    (n, ..) => format!(" · {n} not kept: files too large to keep whole"),
                }
            )
        }
    };
    // Past the memory set aside for events, new ones are counted and not kept (`Store::set_budget`), and
    // so are a file's events past what one file may take (`engine::keep_all_bytes`, `engine::keep_bytes`):
    // said where it cannot be missed, with what to do, since the table then lacks events the files hold.
    let memory_full = (summary.n_over_budget > 0).then(|| {
        use trailscope_core::view::counted;
        let (kept, more) = (counted(summary.n_kept, "event"), counted(summary.n_over_budget, "record"));
        let untick = if state.show_all { ", or untick \"Show all events\"" } else { "" };
        let limit = |one: &str| {
            let others = if state.show_all {
                format!(", and past {} MB only its Transcribe events are kept", crate::engine::keep_all_bytes() >> 20)
            } else {
                String::new()
            };
            format!("{one} file's events may take at most {} MB of this tab's memory{others}", crate::engine::keep_bytes() >> 20)
        };
        let full = "The memory this tab sets aside for events is full";
        let text = match (store_full, summary.n_past_file_limit > 0) {
            (true, false) => format!(
                "{full}: {kept} kept, {more} more read and not kept. To see them, reload the page and load fewer files at a time{untick}."
            ),
            (true, true) => format!(
                "{full}, and {}: {kept} kept, {more} more read and not kept. To see them, reload the page and load fewer files at a time, such files in parts{untick}.",
                limit("one")
            ),
            _ => format!(
                "{}; past that, the rest of a file was only counted: {kept} kept, {more} more read and not kept. To see them, load such a file in parts{untick}.",
                limit("One")
            ),
        };
        html! { <p class="memory-full" data-testid="memory-full" role="status">{text}</p> }
    });
    let progress = (state.loading == Some(true)).then(|| {
        let p = &state.progress;
        html! {
            <div class="progress" data-testid="progress" ref={progress_panel.clone()} value={p.bytes_done.to_string()} max={p.bytes_total.to_string()}>
                <progress value={p.bytes_done.to_string()} max={p.bytes_total.max(1).to_string()}></progress>
                <span>{format!(
                    "{} of {} files · {} of {}{} · {} · {} events kept so far",
                    p.files_done(&summary),
                    p.files_total,
                    megabytes(p.bytes_done),
                    megabytes(p.bytes_total),
                    p.seconds_left(js_sys::Date::now()).map(|s| format!(" · about {} s left", s.ceil() as u64)).unwrap_or_default(),
                    p.current,
                    summary.n_kept,
                )}</span>
                <button data-testid="cancel" onclick={on_cancel}>{"Cancel"}</button>
            </div>
        }
    });
    let notes = state.notes.iter().map(|note| {
        let kind = if note.skipped { "skipped" } else { "error" };
        html! {
            <li data-testid="file-error" data-file={note.file.clone()} data-kind={kind} class={kind}>
                <span class="file">{note.file.clone()}</span>{": "}<span class="reason">{note.message.clone()}</span>
            </li>
        }
    });
    let detail = state.selected.and_then(|index| {
        let engine = engine.0.borrow();
        let event = engine.event(index)?;
        Some(html! {
            <section class="detail" data-testid="event-detail" aria-label="Event detail" tabindex="0" ref={detail_panel.clone()}>
                <h2>{format!("{} · {}", event.event_name(), event.time.map(|t| t.to_iso()).unwrap_or_default())}</h2>
                if engine.leaves_out(index) {
                    <p class="note" data-testid="detail-outside">{"The search and time range leave this event out of the table."}</p>
                }
                if event.summary_only {
                    <p class="note">{"From the console's CSV download: it carries no request or response, only these columns."}</p>
                }
                <pre>{trailscope_core::view::reveal(&pretty_json(event.raw())).into_owned()}</pre>
            </section>
        })
    });
    // What a screen reader says when the selection moves: the arrows move it while the focus stays in the
    // search box (or wherever it was), so the row itself is never focused and would pass in silence. Always
    // there, after the detail, so that it stays the same element and each change is read out.
    let said = state.selected.and_then(|index| {
        let engine = engine.0.borrow();
        let event = engine.event(index)?;
        // What the person chose, not where it sits: a place in the rows would change, and be read out
        // again, as files load and a search goes on.
        let mut said = event.event_name().to_owned();
        let who = event.identity().name;
        if !who.is_empty() {
            said += " by ";
            said += who;
        }
        if let Some(time) = event.time {
            said += ", ";
            said += &time.to_iso();
        }
        if engine.leaves_out(index) {
            said += ", left out by the search and time range";
        }
        Some(said)
    });
    let said = html! { <span class="sr-only" aria-live="polite" data-testid="selection-said">{said}</span> };
    let not_kept = {
        let services = engine.0.borrow().not_kept(usize::MAX);
        (!services.is_empty()).then(|| {
            let list: Vec<String> = services.iter().take(6).map(|s| format!("{} {}", s.service, s.n)).collect();
            let more = services.len().saturating_sub(6);
            let more = if more > 0 { format!(" · {more} more") } else { String::new() };
            // Each service opens onto its event names: what the person would see with every event kept.
            let details = services.iter().map(|s| {
                let names: Vec<String> = s.names.iter().take(12).map(|(name, n)| format!("{} {n}", view::cell(name))).collect();
                let rest = s.names.len().saturating_sub(12);
                html! {
                    <li data-testid="not-kept-service" data-service={s.service.clone()}>
                        <b>{format!("{} {}", view::cell(&s.service), s.n)}</b>
                        {format!(": {}{}", names.join(", "), if rest > 0 { format!(", {rest} more") } else { String::new() })}
                    </li>
                }
            });
            html! {
                <details class="overview not-kept" data-testid="not-kept">
                    <summary>{format!("Counted, not kept (records read, repeats included; tick \"Show all events\" to see them): {}{more}", list.join(" · "))}</summary>
                    <ul>{ for details }</ul>
                </details>
            }
        })
    };
    let loaded = state.loading.is_some();
    let tab = state.tab;
    // The tab list is one Tab stop; the arrows move between its tabs, as ARIA's tabs pattern says.
    let on_tab_keys = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: KeyboardEvent| {
            let next = match e.key().as_str() {
                "ArrowLeft" | "ArrowRight" => {
                    if tab == Tab::Events {
                        Tab::Jobs
                    } else {
                        Tab::Events
                    }
                }
                "Home" => Tab::Events,
                "End" => Tab::Jobs,
                _ => return,
            };
            e.prevent_default();
            dispatcher.dispatch(Action::Tab(next));
            let id = if next == Tab::Events { "tab-events" } else { "tab-jobs" };
            if let Some(button) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id))
                .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = button.focus();
            }
        })
    };
    // The detail sits in a slot that is always there: appearing or going, it changes no element before it,
    // so the table or the jobs list stays the same elements, and the button a person pressed keeps the focus.
    let main = match tab {
        Tab::Events => html! {
            <div class="events" role="tabpanel" id="tab-panel" aria-labelledby="tab-events">
                <Facets engine={(*engine).clone()} generation={state.generation} on_value={on_facet} />
                <EventTable engine={(*engine).clone()} generation={state.generation} selected={state.selected} on_select={on_select.clone()} {on_sort} progress={progress_panel.clone()} />
                <div class="detail-slot">{ for detail }{said}</div>
            </div>
        },
        Tab::Jobs => html! {
            <div class="events" role="tabpanel" id="tab-panel" aria-labelledby="tab-jobs">
                <JobsView engine={(*engine).clone()} generation={state.generation} open={state.open_job.clone()} on_toggle={on_toggle_job} on_select={on_select.clone()} />
                <div class="detail-slot">{ for detail }{said}</div>
            </div>
        },
    };

    html! {
        <div class="page" data-testid="drop-zone" ondragover={on_drag_over} ondrop={on_drop}>
            <header>
                <h1>{"trailscope"}</h1>
                <p class="tagline">{"Amazon Transcribe activity in your CloudTrail logs. Everything stays in this tab: nothing is uploaded."}</p>
                <div class="controls">
                    <label class="button">{"Open files"}
                        <input type="file" multiple=true data-testid="file-input" onchange={on_files.clone()} />
                    </label>
                    <label class="button">{"Open a folder"}
                        <input type="file" multiple=true webkitdirectory=true data-testid="folder-input" onchange={on_files} />
                    </label>
                    <button data-testid="load-sample" onclick={on_sample}>{"Load the sample"}</button>
                    <label class="check">
                        <input type="checkbox" data-testid="show-all-events" checked={state.show_all} onchange={on_show_all} />
                        {"Show all events, not only Transcribe"}
                    </label>
                </div>
            </header>
            <div class="status" data-testid="status" role="status" data-state={data_state}
                data-files-ok={summary.files_ok.to_string()} data-files-failed={summary.files_failed.to_string()}
                data-events-total={summary.n_records.to_string()} data-events-kept={summary.n_kept.to_string()}
                data-duplicates={summary.n_duplicates.to_string()} data-duplicates-differing={summary.n_differing.to_string()} data-over-budget={summary.n_over_budget.to_string()} data-events-shown={state.shown.to_string()} data-searching={state.searching.is_some().to_string()}>
                {status_text}
            </div>
            { for memory_full }
            if state.loading.is_some() && state.shown > 0 {
                <p class="overview" data-testid="summary">{engine.0.borrow().overview()}</p>
            }
            { for not_kept }
            { for progress }
            if !state.notes.is_empty() {
                // The count first: the list scrolls when long, and its last lines may be out of sight.
                <p class="file-errors-head" data-testid="files-not-loaded">{format!("Not loaded: {}", trailscope_core::view::counted(state.notes.len(), "file"))}</p>
                <ul class="file-errors" aria-label="Files not loaded">{ for notes }</ul>
            }
            <main>
            if loaded {
                <div class="search">
                    <input type="search" data-testid="search" aria-label="Search events (press / to come here)" value={state.search.clone()} ref={search_box}
                        placeholder="Search: text, or field:value (user:alice status:FAILED -event:Get* ip:10.0.0.0/8 time:>2026-03-07)"
                        oninput={on_search} />
                    <details class="help" data-testid="search-help">
                        <summary aria-label="Search help">{"?"}</summary>
                        <div>
                            <p>{"Words match any visible field or the original JSON, ignoring case. field:value matches a field exactly; * is a wildcard; quotes hold spaces (\\\" is a quote in a value); a leading - excludes."}</p>
                            <p>{format!("Fields: {}. CloudTrail names (eventName:, sourceIPAddress:, errorCode:, userIdentity.arn:) and JSON paths (requestParameters.languageCode:) work too. ip: takes a network (ip:10.0.0.0/8); time: takes > >= < <= and a UTC time (time:>2026-03-07T14:00).", trailscope_core::query::field_names().join(", "))}</p>
                        </div>
                    </details>
                    <span class="shown" aria-live="polite">{format!("{} of {} shown", state.shown, summary.n_kept)}</span>
                    if let Some(percent) = state.searching {
                        <span class="searching" data-testid="search-progress" data-percent={percent.to_string()}>
                            {format!("searching the original JSON… {percent} %")}
                        </span>
                    }
                    // While a search over the original JSON goes on, the shown rows are only what it found so far.
                    <button data-testid="export-jsonl" disabled={state.searching.is_some()} title="The shown events' original records, one per line" onclick={on_export(false)}>{"Export JSON Lines"}</button>
                    <button data-testid="export-csv" disabled={state.searching.is_some()} title="The shown rows, safe to open in a spreadsheet" onclick={on_export(true)}>{"Export CSV"}</button>
                    <button data-testid="copy-sql" aria-expanded={sql_open.to_string()} title="The same search as SQL, for Athena, CloudTrail Lake or DuckDB" onclick={on_sql_toggle}>{"Copy as SQL"}</button>
                </div>
                // Always there, so that a screen reader reads out the hints as they come.
                <div aria-live="polite">
                    if !state.hints.is_empty() {
                        <ul class="hints" data-testid="search-hints">
                            { for state.hints.iter().map(|h| html! { <li>{h.clone()}</li> }) }
                        </ul>
                    }
                </div>
                if *sql_open {
                    <crate::sql_panel::SqlPanel search={state.search.clone()} range={state.range} show_all={state.show_all}
                        accounts={engine.0.borrow().distinct(trailscope_core::index::Column::Account)}
                        regions={engine.0.borrow().distinct(trailscope_core::index::Column::Region)}
                        since={engine.0.borrow().first_day()} ask={ask_sql} />
                }
                <Timeline engine={(*engine).clone()} generation={state.generation} range={state.range} on_range={on_range} />
                <nav class="tabs" role="tablist" aria-label="Views" onkeydown={on_tab_keys}>
                    <button role="tab" id="tab-events" aria-controls="tab-panel" data-testid="events-tab" aria-selected={(tab == Tab::Events).to_string()}
                        tabindex={if tab == Tab::Events { "0" } else { "-1" }} onclick={on_tab(Tab::Events)}>{"Events"}</button>
                    <button role="tab" id="tab-jobs" aria-controls="tab-panel" data-testid="jobs-tab" aria-selected={(tab == Tab::Jobs).to_string()}
                        tabindex={if tab == Tab::Jobs { "0" } else { "-1" }} onclick={on_tab(Tab::Jobs)}>{"Jobs"}</button>
                </nav>
                { main }
            } else {
                <section class="welcome">
                    <h2>{"Drop CloudTrail log files or whole folders anywhere on this page"}</h2>
                    <p>{"S3 deliveries (.json.gz), the console's Event history downloads (JSON or CSV), lookup-events output, CloudWatch Logs exports and JSON Lines all work. The files are read here, in your browser; no byte of them leaves this machine."}</p>
                    <p>{"No logs at hand? Load the sample: a generated day of a Transcribe pipeline."}</p>
                </section>
            }
            </main>
        </div>
    }
}

fn megabytes(bytes: u64) -> String {
    // In integers, as `timeline::decimal` says why.
    let tenths = (bytes + 50_000) / 100_000;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::megabytes;

    #[test]
    fn megabytes_to_the_tenth() {
        for (bytes, text) in [
            (0, "0.0 MB"),
            (49_999, "0.0 MB"),
            (50_000, "0.1 MB"),
            (1_234_567, "1.2 MB"),
            (1_250_000, "1.3 MB"),
            (282_000_000, "282.0 MB"),
            (8_000_000_000, "8000.0 MB"),
        ] {
            assert_eq!(megabytes(bytes), text, "{bytes}");
        }
    }
}

//! The event table. Only the rows in view (plus a margin) exist in the DOM; a spacer as tall as all rows
//! gives the scroll bar its size. Offsets are set through the CSSOM because the page's
//! Content-Security-Policy forbids inline `style` attributes.

use trailscope_core::view;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use trailscope_core::index::Column;

use crate::engine::EngineHandle;

/// Height of one row in CSS pixels; `styles/app.css` uses the same number.
pub const ROW_HEIGHT: i32 = 28;
const OVERDRAW: usize = 10;

/// Column classes, titles, and the index column each sorts by (time sorts by `None`; the resource and
/// status columns do not sort).
/// Each column's width in the grid, in the order of [`COLUMNS`].
const WIDTHS: [&str; 8] = ["12.5em", "13em", "minmax(12em, 1fr)", "8em", "10em", "9em", "7.5em", "10em"];

const COLUMNS: [(&str, &str, Option<Column>); 8] = [
    ("c-time", "Time (UTC)", None),
    ("c-event", "Event", Some(Column::EventName)),
    ("c-resource", "Resource", None),
    ("c-status", "Status", None),
    ("c-identity", "Identity", Some(Column::Identity)),
    ("c-ip", "Source IP", Some(Column::SourceIp)),
    ("c-region", "Region", Some(Column::Region)),
    ("c-error", "Error", Some(Column::ErrorCode)),
];

/// The table's inputs.
#[derive(Properties, PartialEq)]
pub struct TableProps {
    /// The loaded data.
    pub engine: EngineHandle,
    /// Changes whenever the data does.
    pub generation: u64,
    /// The selected event.
    pub selected: Option<usize>,
    /// A row was chosen.
    pub on_select: Callback<usize>,
    /// A column header was clicked: sort by it (`None`: by time).
    pub on_sort: Callback<Option<Column>>,
    /// The progress panel, which floats over the window's foot while files load (empty otherwise).
    pub progress: NodeRef,
}

/// The virtualised event table.
#[component]
pub fn EventTable(props: &TableProps) -> Html {
    let viewport = use_node_ref();
    let spacer = use_node_ref();
    let body = use_node_ref();
    let table = use_node_ref();
    let window = use_state(|| (0i32, 600i32));
    // How the person likes the table: transient view choices, kept here.
    let hidden = use_state(std::collections::BTreeSet::<&'static str>::new);
    let relative = use_state(|| false);
    // Widths the person dragged or keyed, in CSS pixels, by column class.
    let widths = use_state(std::collections::BTreeMap::<&'static str, i32>::new);
    // The drag under way: the column, where the pointer started, and the column's width then.
    let drag = use_mut_ref(|| None::<(&'static str, i32, i32)>);
    {
        // The grid's columns follow the hidden set and the chosen widths; set through the CSSOM, which the
        // CSP allows.
        let table = table.clone();
        use_effect_with(((*hidden).clone(), (*widths).clone()), move |(hidden, widths)| {
            let template: Vec<String> = COLUMNS
                .iter()
                .zip(WIDTHS)
                .filter(|((class, _, _), _)| !hidden.contains(class))
                .map(|((class, _, _), w)| widths.get(class).map_or_else(|| w.to_owned(), |px| format!("{px}px")))
                .collect();
            // The rows are as wide as their columns, so wide columns scroll sideways instead of overlapping.
            let least: Vec<&str> = template
                .iter()
                .map(|w| w.strip_prefix("minmax(").and_then(|w| w.split(',').next()).unwrap_or(w))
                .collect();
            if let Some(element) = table.cast::<HtmlElement>() {
                let _ = element.style().set_property("--columns", &template.join(" "));
                // Each grip says its column's width, as a separator that can be moved must.
                if let Ok(grips) = element.query_selector_all(".resize") {
                    for grip in (0..grips.length()).filter_map(|i| grips.item(i)) {
                        if let Some(grip) = grip.dyn_ref::<web_sys::Element>() {
                            let width = grip.parent_element().map(|h| h.get_bounding_client_rect().width().round());
                            let _ = grip.set_attribute("aria-valuenow", &(width.unwrap_or(0.0) as i64).to_string());
                        }
                    }
                }
                let _ = element.style().set_property("--table-width", &format!("calc({} + 12px)", least.join(" + ")));
            }
        });
    }

    let onscroll = {
        let viewport = viewport.clone();
        let window = window.clone();
        Callback::from(move |_: Event| {
            if let Some(element) = viewport.cast::<HtmlElement>() {
                window.set((element.scroll_top(), element.client_height()));
            }
        })
    };
    {
        // Measure after every render: the viewport's height changes with the layout (progress bar, error
        // lines, window size), and a stale height would leave rows unrendered.
        let viewport = viewport.clone();
        let window = window.clone();
        use_effect(move || {
            if let Some(element) = viewport.cast::<HtmlElement>() {
                let measured = (element.scroll_top(), element.client_height().max(ROW_HEIGHT));
                if measured != *window {
                    window.set(measured);
                }
            }
        });
    }

    {
        // The selected row is kept in view: moved to by the keyboard, chosen in a job's life, or named by a
        // shared link.
        let (viewport, spacer, progress) = (viewport.clone(), spacer.clone(), props.progress.clone());
        let engine = props.engine.clone();
        let last = use_mut_ref(|| None::<usize>);
        use_effect_with((props.selected, props.generation), move |(selected, _)| {
            // Not while a search streams in: rows arrive every slice, and the view would keep jumping back.
            if engine.0.borrow().searching().is_some() {
                return;
            }
            let moved = last.replace(*selected) != *selected;
            let (row, n_rows) = {
                let engine = engine.0.borrow();
                (selected.and_then(|index| engine.position(index)), engine.n_rows())
            };
            let (Some(row), Some(element)) = (row, viewport.cast::<HtmlElement>()) else { return };
            // The rows' height first: on the render that mounts the table (back from the jobs) or brings the
            // rows in, it is set only after this, and a scroll beyond it would stop at the top.
            set_rows_height(&spacer, n_rows);
            let top = (row as i32 + 1) * ROW_HEIGHT; // +1: the sticky header row.
            let (scroll, height) = (element.scroll_top(), element.client_height());
            if top < scroll + ROW_HEIGHT {
                element.set_scroll_top(top - ROW_HEIGHT);
            } else if top + ROW_HEIGHT > scroll + height {
                element.set_scroll_top(top + ROW_HEIGHT - height);
            }
            // The page too, when the selection moved: the table may run below the window's bottom.
            let Some(window) = web_sys::window().filter(|_| moved) else { return };
            let at = element.get_bounding_client_rect().top() + f64::from(top - element.scroll_top());
            // Above the progress panel, which floats over the window's foot while files load.
            let bottom = progress
                .cast::<web_sys::Element>()
                .map(|p| p.get_bounding_client_rect().top())
                .unwrap_or_else(|| window.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(f64::MAX));
            if at + f64::from(ROW_HEIGHT) > bottom {
                window.scroll_by_with_x_and_y(0.0, at + f64::from(ROW_HEIGHT) - bottom);
            } else if at < 0.0 {
                window.scroll_by_with_x_and_y(0.0, at);
            }
        });
    }

    let engine = props.engine.0.borrow();
    let n_rows = engine.n_rows();
    let (scroll_top, height) = *window;
    let first = (scroll_top.max(0) / ROW_HEIGHT) as usize;
    let first = first.saturating_sub(OVERDRAW).min(n_rows);
    let last = (((scroll_top.max(0) + height) / ROW_HEIGHT) as usize + OVERDRAW + 1).min(n_rows);

    {
        let spacer = spacer.clone();
        let body = body.clone();
        use_effect_with((n_rows, first), move |&(n_rows, first)| {
            set_rows_height(&spacer, n_rows);
            if let Some(element) = body.cast::<HtmlElement>() {
                let offset = first as i64 * i64::from(ROW_HEIGHT);
                let _ = element.style().set_property("transform", &format!("translateY({offset}px)"));
            }
        });
    }

    // Relative times count from the first shown event.
    let origin = engine.earliest();
    let rows = (first..last).filter_map(|row| engine.row(row).map(|(i, e)| (row, i, e))).map(|(row, index, event)| {
        let cells = view::row(event);
        let on_select = props.on_select.clone();
        let selected = props.selected == Some(index);
        let class = classes!("row", selected.then_some("selected"), (!cells.error.is_empty()).then_some("failed"));
        html! {
            <div role="row" {class} key={index} aria-selected={selected.to_string()} aria-rowindex={(row + 2).to_string()}
                data-testid="event-row" data-event-id={event.event_id().to_owned()} data-event-name={event.event_name().to_owned()}
                onclick={Callback::from(move |_| on_select.emit(index))}>
                { for COLUMNS.iter().filter(|(class, _, _)| !hidden.contains(class)).map(|&(class, _, _)| {
                    let text = match class {
                        "c-time" if *relative => relative_time(event.time.map(|t| t.0), origin),
                        "c-time" => cells.time.clone(),
                        "c-event" => cells.event.clone(),
                        "c-resource" => cells.resource.clone(),
                        "c-status" => cells.status.clone(),
                        "c-identity" => cells.identity.clone(),
                        "c-ip" => cells.source_ip.to_owned(),
                        "c-region" => cells.region.clone(),
                        _ => cells.error.clone(),
                    };
                    html! { <span role="cell" class={class}>{text}</span> }
                }) }
            </div>
        }
    });

    let on_relative = {
        let relative = relative.clone();
        Callback::from(move |_: Event| relative.set(!*relative))
    };
    let toggles = COLUMNS.iter().skip(1).map(|&(class, title, _)| {
        let hidden = hidden.clone();
        let shown = !hidden.contains(class);
        let onchange = Callback::from(move |_: Event| {
            let mut next = (*hidden).clone();
            if !next.remove(class) {
                next.insert(class);
            }
            hidden.set(next);
        });
        html! {
            <label class="check" key={class}>
                <input type="checkbox" data-testid="column-toggle" data-column={class.trim_start_matches("c-")} checked={shown} {onchange} />
                {title}
            </label>
        }
    });

    html! {
        <div class="table" ref={table}>
            <details class="columns">
                <summary data-testid="columns-menu">{"Columns"}</summary>
                <label class="check">
                    <input type="checkbox" data-testid="relative-time" checked={*relative} onchange={on_relative} />
                    {"Time relative to the first shown event"}
                </label>
                { for toggles }
            </details>
            // The table role sits on the scrolling part only, so the columns menu is not inside it; rows
            // count the header, and only those in view exist, so each says where it stands.
            <div class="viewport" role="table" aria-label="Events" aria-rowcount={(n_rows + 1).to_string()} ref={viewport} {onscroll}>
                <div role="row" class="row head" aria-rowindex="1">
                    { for COLUMNS.iter().filter(|(class, _, _)| !hidden.contains(class)).map(|&(class, title, column)| {
                        // Relative times say what they count from.
                        let title = if class == "c-time" && *relative { "Time since the first shown" } else { title };
                        let sort = engine.sort();
                        let sortable = column.is_some() || class == "c-time";
                        let active = sortable && sort.column == column;
                        let aria = if !active { "none" } else if sort.descending { "descending" } else { "ascending" };
                        let on_sort = props.on_sort.clone();
                        let on_key = props.on_sort.clone();
                        let onkeydown = Callback::from(move |e: KeyboardEvent| {
                            if sortable && (e.key() == "Enter" || e.key() == " ") {
                                e.prevent_default();
                                on_key.emit(column);
                            }
                        });
                        let arrow = if !active { "" } else if sort.descending { " ▼" } else { " ▲" };
                        html! {
                            <span role="columnheader" class={classes!(class, sortable.then_some("sortable"))} aria-sort={aria}
                                data-testid="column-header" data-column={class.trim_start_matches("c-")}
                                tabindex={sortable.then_some("0")} {onkeydown}
                                onclick={Callback::from(move |_| if sortable { on_sort.emit(column) })}>
                                {format!("{title}{arrow}")}
                                { resize_handle(class, title, &widths, &drag) }
                            </span>
                        }
                    }) }
                </div>
                <div class="spacer" role="presentation" ref={spacer}>
                    <div class="rows" role="presentation" ref={body}>{ for rows }</div>
                </div>
            </div>
            // Said rather than left as an empty table: the events are loaded, the search (or range) has
            // none of them. Not while a search is still reading records: more may come.
            if n_rows == 0 && engine.summary().n_kept > 0 && engine.searching().is_none() {
                <p class="empty no-match" data-testid="no-match">{"No event matches the search and time range."}</p>
            }
        </div>
    }
}

/// Gives the scrolling box the height of all `n_rows` rows, only those in view being drawn.
fn set_rows_height(spacer: &NodeRef, n_rows: usize) {
    if let Some(element) = spacer.cast::<HtmlElement>() {
        let _ = element.style().set_property("height", &format!("{}px", n_rows as i64 * i64::from(ROW_HEIGHT)));
    }
}

/// The drag under way: the column, where the pointer started, and the column's width then.
type Drag = std::rc::Rc<std::cell::RefCell<Option<(&'static str, i32, i32)>>>;

/// The grip at a column header's right edge: drag it, or focus it and press the left and right arrows, to
/// make the column narrower or wider.
fn resize_handle(
    class: &'static str,
    title: &str,
    widths: &UseStateHandle<std::collections::BTreeMap<&'static str, i32>>,
    drag: &Drag,
) -> Html {
    const MIN: i32 = 40;
    let header_width = |event: &web_sys::Event| -> Option<i32> {
        let handle: web_sys::Element = event.target()?.dyn_into().ok()?;
        Some(handle.parent_element()?.get_bounding_client_rect().width().round() as i32)
    };
    let set = {
        let widths = widths.clone();
        move |px: i32| {
            let mut next = (*widths).clone();
            next.insert(class, px.max(MIN));
            widths.set(next);
        }
    };
    let onpointerdown = {
        let drag = drag.clone();
        Callback::from(move |e: PointerEvent| {
            e.stop_propagation();
            e.prevent_default();
            if let Some(width) = header_width(&e) {
                *drag.borrow_mut() = Some((class, e.client_x(), width));
                if let Some(handle) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                    let _ = handle.set_pointer_capture(e.pointer_id());
                }
            }
        })
    };
    let onpointermove = {
        let (drag, set) = (drag.clone(), set.clone());
        Callback::from(move |e: PointerEvent| {
            let started = *drag.borrow();
            // No button held means the drag ended where this grip did not hear it.
            if e.buttons() & 1 == 0 {
                *drag.borrow_mut() = None;
                return;
            }
            if let Some((_, x, width)) = started.filter(|(column, _, _)| *column == class) {
                set(width + e.client_x() - x);
            }
        })
    };
    // Up, cancelled or capture lost: the drag is over either way.
    let onpointerup = {
        let drag = drag.clone();
        Callback::from(move |_: PointerEvent| *drag.borrow_mut() = None)
    };
    let onkeydown = {
        let set = set.clone();
        Callback::from(move |e: KeyboardEvent| {
            let step = match e.key().as_str() {
                "ArrowLeft" => -16,
                "ArrowRight" => 16,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            if let Some(width) = header_width(&e) {
                set(width + step);
            }
        })
    };
    html! {
        <span class="resize" role="separator" aria-orientation="vertical" tabindex="0"
            aria-label={format!("Resize the {title} column (left and right arrows)")} aria-valuemin="40"
            data-testid="column-resize" data-column={class.trim_start_matches("c-")}
            onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}
            {onpointerdown} {onpointermove} onpointerup={onpointerup.clone()} onpointercancel={onpointerup.clone()}
            onlostpointercapture={onpointerup} {onkeydown}></span>
    }
}

/// `+1d 02:03:04` from `origin`, or "" when either time is unknown.
fn relative_time(time: Option<i64>, origin: Option<i64>) -> String {
    let (Some(time), Some(origin)) = (time, origin) else { return String::new() };
    let delta = time - origin;
    let sign = if delta < 0 { "-" } else { "+" };
    let seconds = delta.abs() / 1000;
    let (days, h, m, s) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
    if days > 0 {
        format!("{sign}{days}d {h:02}:{m:02}:{s:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

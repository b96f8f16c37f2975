//! The event table. Only the rows in view (plus a margin) exist in the DOM; a spacer as tall as all rows
//! gives the scroll bar its size. Offsets are set through the CSSOM because the page's
//! Content-Security-Policy forbids inline `style` attributes.

use trailscope_core::view;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::engine::EngineHandle;

/// Height of one row in CSS pixels; `styles/app.css` uses the same number.
pub const ROW_HEIGHT: i32 = 28;
const OVERDRAW: usize = 10;

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
}

/// The virtualised event table.
#[component]
pub fn EventTable(props: &TableProps) -> Html {
    let viewport = use_node_ref();
    let spacer = use_node_ref();
    let body = use_node_ref();
    let window = use_state(|| (0i32, 600i32));

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
            if let Some(element) = spacer.cast::<HtmlElement>() {
                let _ = element.style().set_property("height", &format!("{}px", n_rows as i64 * i64::from(ROW_HEIGHT)));
            }
            if let Some(element) = body.cast::<HtmlElement>() {
                let offset = first as i64 * i64::from(ROW_HEIGHT);
                let _ = element.style().set_property("transform", &format!("translateY({offset}px)"));
            }
        });
    }

    let rows = (first..last).filter_map(|row| engine.row(row)).map(|(index, event)| {
        let cells = view::row(event);
        let on_select = props.on_select.clone();
        let selected = props.selected == Some(index);
        let class = classes!("row", selected.then_some("selected"), (!cells.error.is_empty()).then_some("failed"));
        html! {
            <div role="row" {class} key={index} aria-selected={selected.to_string()}
                data-testid="event-row" data-event-id={event.event_id.clone()} data-event-name={event.event_name.clone()}
                onclick={Callback::from(move |_| on_select.emit(index))}>
                <span role="cell" class="c-time">{cells.time}</span>
                <span role="cell" class="c-event">{cells.event}</span>
                <span role="cell" class="c-resource">{cells.resource}</span>
                <span role="cell" class="c-status">{cells.status}</span>
                <span role="cell" class="c-identity">{cells.identity}</span>
                <span role="cell" class="c-ip">{cells.source_ip}</span>
                <span role="cell" class="c-region">{cells.region}</span>
                <span role="cell" class="c-error">{cells.error}</span>
            </div>
        }
    });

    html! {
        <div class="table" role="table" aria-label="Events" aria-rowcount={n_rows.to_string()}>
            <div class="viewport" ref={viewport} {onscroll}>
                <div role="row" class="row head">
                    <span role="columnheader" class="c-time">{"Time (UTC)"}</span>
                    <span role="columnheader" class="c-event">{"Event"}</span>
                    <span role="columnheader" class="c-resource">{"Resource"}</span>
                    <span role="columnheader" class="c-status">{"Status"}</span>
                    <span role="columnheader" class="c-identity">{"Identity"}</span>
                    <span role="columnheader" class="c-ip">{"Source IP"}</span>
                    <span role="columnheader" class="c-region">{"Region"}</span>
                    <span role="columnheader" class="c-error">{"Error"}</span>
                </div>
                <div class="spacer" ref={spacer}>
                    <div class="rows" ref={body}>{ for rows }</div>
                </div>
            </div>
        </div>
    }
}

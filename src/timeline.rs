//! The timeline: the shown events over time as bars (errors stacked in another colour), drawn as SVG by the
//! page itself. Dragging across it sets the time range; the bars then zoom into that range.

use trailscope_core::time::EventTime;
use web_sys::Element;
use yew::prelude::*;

use crate::engine::EngineHandle;

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 64.0;
const BINS: usize = 120;

/// The timeline's inputs.
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The loaded data.
    pub engine: EngineHandle,
    /// Changes whenever the data or the query does.
    pub generation: u64,
    /// The brushed range, if any.
    pub range: Option<(i64, i64)>,
    /// A range was brushed, or cleared.
    pub on_range: Callback<Option<(i64, i64)>>,
}

/// The histogram with its brush.
#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let svg = use_node_ref();
    let drag = use_state(|| None::<(f64, f64)>);
    let histogram = props.engine.0.borrow().histogram(BINS);
    if histogram.counts.is_empty() {
        return html! {};
    }
    let max = f64::from(histogram.counts.iter().copied().max().unwrap_or(1).max(1));
    let n = histogram.counts.len() as f64;
    let bar = WIDTH / n;
    let bars = histogram.counts.iter().zip(&histogram.errors).enumerate().map(|(i, (&count, &errors))| {
        let x = i as f64 * bar;
        let h = f64::from(count) / max * HEIGHT;
        let e = f64::from(errors) / max * HEIGHT;
        html! {
            <g key={i}>
                <rect class="bar" x={x.to_string()} y={(HEIGHT - h).to_string()} width={(bar * 0.9).to_string()} height={h.to_string()}>
                    <title>{format!("{}: {count} events, {errors} errors", EventTime(histogram.start + i as i64 * histogram.bin_ms).to_iso())}</title>
                </rect>
                <rect class="bar-error" x={x.to_string()} y={(HEIGHT - e).to_string()} width={(bar * 0.9).to_string()} height={e.to_string()} />
            </g>
        }
    });
    // Where the pointer is, as a fraction of the drawing's width.
    let fraction = {
        let svg = svg.clone();
        move |e: &MouseEvent| {
            // From the pointer's page position: offsetX would be relative to whichever bar is under it.
            let Some(rect) = svg.cast::<Element>().map(|el| el.get_bounding_client_rect()) else { return 0.0 };
            ((f64::from(e.client_x()) - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0)
        }
    };
    let on_down = {
        let drag = drag.clone();
        let fraction = fraction.clone();
        Callback::from(move |e: MouseEvent| {
            let at = fraction(&e);
            drag.set(Some((at, at)));
        })
    };
    let on_move = {
        let drag = drag.clone();
        let fraction = fraction.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some((from, _)) = *drag {
                drag.set(Some((from, fraction(&e))));
            }
        })
    };
    let on_up = {
        let drag = drag.clone();
        let on_range = props.on_range.clone();
        let (start, end) = (histogram.start, histogram.end());
        Callback::from(move |e: MouseEvent| {
            let Some((from, _)) = *drag else { return };
            drag.set(None);
            let to = fraction(&e);
            let (a, b) = if from <= to { (from, to) } else { (to, from) };
            if b - a < 0.005 {
                return; // A click, not a drag.
            }
            let at = |f: f64| start + ((end - start) as f64 * f) as i64;
            on_range.emit(Some((at(a), at(b))));
        })
    };
    let selection = drag.map(|(a, b)| {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        html! { <rect class="brush" x={(a * WIDTH).to_string()} y="0" width={((b - a) * WIDTH).to_string()} height={HEIGHT.to_string()} /> }
    });
    let clear = props.range.map(|(a, b)| {
        let on_range = props.on_range.clone();
        html! {
            <button class="clear-range" data-testid="clear-range" onclick={Callback::from(move |_| on_range.emit(None))}>
                {format!("Time: {} to {} ✕", EventTime(a).to_iso(), EventTime(b).to_iso())}
            </button>
        }
    });
    html! {
        <section class="timeline" aria-label="Events over time">
            <svg ref={svg} data-testid="timeline" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} preserveAspectRatio="none" role="img"
                aria-label="Events over time; drag to choose a time range"
                onmousedown={on_down} onmousemove={on_move} onmouseup={on_up}>
                { for bars }
                { for selection }
            </svg>
            <div class="axis">
                <span>{EventTime(histogram.start).to_iso()}</span>
                { for clear }
                <span>{EventTime(histogram.end()).to_iso()}</span>
            </div>
        </section>
    }
}

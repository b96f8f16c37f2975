//! The timeline: the shown events over time as bars (errors stacked in another colour), drawn as SVG by the
//! page itself. Dragging across it sets the time range; the bars then zoom into that range. From the
//! keyboard, the focused chart picks bins with the arrows (Shift widens), Enter applies, Escape cancels.
//! The bar under the pointer is read out over the chart's corner: its time, events and errors.

use std::rc::Rc;

use trailscope_core::query::Histogram;
use trailscope_core::time::EventTime;
use web_sys::Element;
use yew::prelude::*;

use crate::engine::EngineHandle;

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 64.0;
const BINS: usize = 120;
/// How many bins PageUp and PageDown move.
const PAGE: usize = 10;

/// The id of the sentence saying how to brush, for assistive technology.
const HELP_ID: &str = "timeline-help";

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
    // A pointer drag under way: where it started and where it is, as fractions of the width.
    let drag = use_state(|| None::<(f64, f64)>);
    // A keyboard pick under way: the bin it started at and the bin it is at.
    let keys = use_state(|| None::<(usize, usize)>);
    // The bar under the pointer, when it is not dragging.
    let hover = use_state(|| None::<usize>);
    {
        // New bars: the one read out (a tap's stays after the finger lifts) may no longer be there.
        let hover = hover.clone();
        use_effect_with(props.generation, move |_| hover.set(None));
    }
    // Made once per change of the data or the query, not at each drawing: a pointer moving over the chart
    // redraws it, and the histogram reads every shown row.
    let cache = use_mut_ref(|| None::<(u64, Rc<Histogram>)>);
    let histogram = {
        let mut cache = cache.borrow_mut();
        match &*cache {
            Some((generation, histogram)) if *generation == props.generation => Rc::clone(histogram),
            _ => Rc::clone(&cache.insert((props.generation, Rc::new(props.engine.0.borrow().histogram(BINS)))).1),
        }
    };
    // With no bars yet the frame is drawn all the same, empty, so that the page below does not move when the
    // first events arrive.
    let n_bins = histogram.counts.len();
    let max = f64::from(histogram.counts.iter().copied().max().unwrap_or(1).max(1));
    let bar = WIDTH / n_bins as f64;
    // Every bar in one path, and every bar's errors in another: a hundred bars as elements of their own
    // were most of the page's longest task in a load (116 ms against 70 ms without them, median of six).
    let bars = bars_path(histogram.counts.iter().map(|&n| f64::from(n) / max * HEIGHT), bar);
    let error_bars = bars_path(histogram.errors.iter().map(|&n| f64::from(n) / max * HEIGHT), bar);
    let hover_text = hover.filter(|&i| i < n_bins && drag.is_none()).map(|i| {
        let (count, errors) = (histogram.counts[i], histogram.errors[i]);
        let at = EventTime(histogram.start + i as i64 * histogram.bin_ms).to_iso();
        format!("{at}: {count} events, {errors} errors")
    });
    // Where the pointer is, as a fraction of the drawing's width.
    let fraction = {
        let svg = svg.clone();
        move |e: &PointerEvent| {
            // From the pointer's page position: offsetX would be relative to whichever bar is under it. The
            // drawing fills the box inside the border, which the client rectangle includes.
            let Some(el) = svg.cast::<Element>() else { return 0.0 };
            let (rect, border) = (el.get_bounding_client_rect(), f64::from(el.client_left()));
            // A browser that gives an <svg> no client width: the rectangle less its borders.
            let width = match el.client_width() {
                0 => rect.width() - 2.0 * border,
                w => f64::from(w),
            };
            ((f64::from(e.client_x()) - rect.left() - border) / width.max(1.0)).clamp(0.0, 1.0)
        }
    };
    // The bar at a fraction of the width, for a pointer moving and for a tap alike.
    let bar_at = move |f: f64| (n_bins > 0).then(|| ((f * n_bins as f64) as usize).min(n_bins - 1));
    let on_down = {
        let (drag, keys, hover, fraction) = (drag.clone(), keys.clone(), hover.clone(), fraction.clone());
        Callback::from(move |e: PointerEvent| {
            if e.button() != 0 {
                return;
            }
            // Captured, so that a drag ending outside the chart still ends.
            if let Some(target) = e.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<Element>(t).ok()) {
                let _ = target.set_pointer_capture(e.pointer_id());
            }
            keys.set(None);
            // The bars change when the drag ends: the next move says which one is under the pointer.
            hover.set(None);
            let at = fraction(&e);
            drag.set(Some((at, at)));
        })
    };
    let on_move = {
        let (drag, hover, fraction) = (drag.clone(), hover.clone(), fraction.clone());
        Callback::from(move |e: PointerEvent| match *drag {
            Some((from, _)) => drag.set(Some((from, fraction(&e)))),
            None => {
                let at = bar_at(fraction(&e));
                if *hover != at {
                    hover.set(at);
                }
            }
        })
    };
    // A touch leaves the chart as the finger lifts: the bar it tapped stays read out until the next touch.
    let on_leave = {
        let hover = hover.clone();
        Callback::from(move |e: PointerEvent| {
            if e.pointer_type() != "touch" {
                hover.set(None);
            }
        })
    };
    let (start, end) = (histogram.start, histogram.end());
    let on_up = {
        let (drag, hover) = (drag.clone(), hover.clone());
        let on_range = props.on_range.clone();
        Callback::from(move |e: PointerEvent| {
            let Some((from, _)) = *drag else { return };
            drag.set(None);
            let to = fraction(&e);
            let (a, b) = if from <= to { (from, to) } else { (to, from) };
            if b - a < 0.005 || end <= start {
                // A click or a tap, not a drag (or nothing drawn yet): the bars stay, and the one under it is
                // read out, which is how a touch, with no pointer hovering, reads a bar.
                hover.set(bar_at(to));
                return;
            }
            // Whole seconds, as CloudTrail writes its times: from the second the drag starts in to the end of
            // the one it stops in, so the range reads as a person would write it, in the search and the link.
            let at = |f: f64| (start + ((end - start) as f64 * f) as i64).div_euclid(1000) * 1000;
            on_range.emit(Some((at(a), at(b) + 1000)));
        })
    };
    let on_cancel = {
        let drag = drag.clone();
        Callback::from(move |_: PointerEvent| drag.set(None))
    };
    let on_key = {
        let keys = keys.clone();
        let on_range = props.on_range.clone();
        let bin_ms = histogram.bin_ms;
        Callback::from(move |e: KeyboardEvent| {
            let Some(last) = n_bins.checked_sub(1) else { return };
            // A pick left from before the bars changed is kept inside them.
            let current = keys.map(|(a, b)| (a.min(last), b.min(last)));
            let moved = |to: usize| match current {
                Some((anchor, _)) if e.shift_key() => Some((anchor, to)),
                _ => Some((to, to)),
            };
            let at = current.map(|(_, at)| at);
            let next = match e.key().as_str() {
                "ArrowRight" => moved(at.map_or(0, |at| (at + 1).min(last))),
                "ArrowLeft" => moved(at.map_or(last, |at| at.saturating_sub(1))),
                "PageDown" => moved(at.map_or(0, |at| (at + PAGE).min(last))),
                "PageUp" => moved(at.map_or(last, |at| at.saturating_sub(PAGE))),
                "Home" => moved(0),
                "End" => moved(last),
                "Enter" | " " => {
                    let Some((a, b)) = current else { return };
                    e.prevent_default();
                    let (a, b) = (a.min(b), a.max(b));
                    keys.set(None);
                    let from = start + a as i64 * bin_ms;
                    let to = (start + (b as i64 + 1) * bin_ms).min(end);
                    on_range.emit(Some((from, to)));
                    return;
                }
                "Escape" if current.is_some() => {
                    // Cancels the pick only; the page's own Escape (clear the selection) is not wanted here.
                    e.prevent_default();
                    e.stop_propagation();
                    keys.set(None);
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            keys.set(next);
        })
    };
    let on_blur = {
        let keys = keys.clone();
        Callback::from(move |_: FocusEvent| keys.set(None))
    };
    let selection = drag.map(|(a, b)| {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        html! { <rect class="brush" x={decimal(a * WIDTH)} y="0" width={decimal((b - a) * WIDTH)} height={decimal(HEIGHT)} /> }
    });
    // The keyboard's pick, first and last bin, and what it holds, said as it moves.
    let picked = keys.and_then(|(anchor, at)| {
        let last = n_bins.checked_sub(1)?;
        let (anchor, at) = (anchor.min(last), at.min(last));
        Some((anchor.min(at), anchor.max(at)))
    });
    let pick = picked.map(|(a, b)| {
        html! { <rect class="brush pick" x={decimal(a as f64 * bar)} y="0" width={decimal((b - a + 1) as f64 * bar)} height={decimal(HEIGHT)} /> }
    });
    let pick_text = picked
        .map(|(a, b)| {
            let n: u32 = histogram.counts[a..=b].iter().sum();
            let from = histogram.start + a as i64 * histogram.bin_ms;
            let to = (histogram.start + (b as i64 + 1) * histogram.bin_ms).min(end);
            let events = trailscope_core::view::counted(n, "event");
            format!("{} to {}: {events}; Enter shows them", EventTime(from).to_iso(), EventTime(to).to_iso())
        })
        .unwrap_or_default();
    let clear = props.range.map(|(a, b)| {
        let on_range = props.on_range.clone();
        html! {
            <button class="clear-range" data-testid="clear-range" title="Show all times again" onclick={Callback::from(move |_| on_range.emit(None))}>
                {format!("Time: {} to {} ✕", EventTime(a).to_iso(), EventTime(b).to_iso())}
            </button>
        }
    });
    let (first, last) = match n_bins {
        0 => (String::new(), String::new()),
        _ => (EventTime(start).to_iso(), EventTime(end).to_iso()),
    };
    html! {
        <section class="timeline" aria-label="Events over time">
            <svg ref={svg} data-testid="timeline" class={classes!((n_bins == 0).then_some("empty"))} viewBox={format!("0 0 {} {}", decimal(WIDTH), decimal(HEIGHT))} preserveAspectRatio="none" role="img"
                tabindex="0" aria-label={summary(&histogram)} aria-describedby={HELP_ID}
                onpointerdown={on_down} onpointermove={on_move} onpointerup={on_up} onpointercancel={on_cancel}
                onpointerleave={on_leave} onkeydown={on_key} onblur={on_blur}>
                <path class="bar" d={bars} />
                <path class="bar-error" d={error_bars} />
                { for selection }
                { for pick }
            </svg>
            // Over the chart's corner, so that it never moves the page below.
            <span class="hovered" data-testid="timeline-hover">{hover_text.unwrap_or_default()}</span>
            <p id={HELP_ID} class="sr-only">
                {"Drag across it, or pick bars with the arrow keys (Shift widens) and press Enter, to show only those times."}
            </p>
            <div class="axis">
                <span>{first}</span>
                <span class="picking" aria-live="polite">{pick_text}</span>
                { for clear }
                <span>{last}</span>
            </div>
        </section>
    }
}

/// Bars of the given heights, `bar` apart and nine tenths of that wide, drawn up from the bottom, as the
/// `d` of one path; a bar of no height is left out.
fn bars_path(heights: impl Iterator<Item = f64>, bar: f64) -> String {
    let width = decimal(bar * 0.9);
    let mut d = String::new();
    for (i, h) in heights.enumerate().filter(|&(_, h)| h > 0.0) {
        let x = decimal(i as f64 * bar);
        d += &format!("M{x} {}h{width}V{}H{x}Z", decimal(HEIGHT - h), decimal(HEIGHT));
    }
    d
}

/// What the chart shows, in one sentence: its span and how many events and errors.
fn summary(histogram: &Histogram) -> String {
    if histogram.counts.is_empty() {
        return "Events over time: none yet".to_owned();
    }
    let n: u32 = histogram.counts.iter().sum();
    let errors: u32 = histogram.errors.iter().sum();
    format!(
        "Events over time, {} to {}: {}, {errors} with an error",
        EventTime(histogram.start).to_iso(),
        EventTime(histogram.end()).to_iso(),
        trailscope_core::view::counted(n, "event")
    )
}

/// A coordinate in hundredths, written with integers: formatting a float brings over 10 KB of code into
/// the page, which must stay under 400 KB.
fn decimal(v: f64) -> String {
    let hundredths = (v * 100.0).round() as i64;
    let sign = if hundredths < 0 { "-" } else { "" };
    let n = hundredths.unsigned_abs();
    match n % 100 {
        0 => format!("{sign}{}", n / 100),
        r => format!("{sign}{}.{r:02}", n / 100),
    }
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn coordinates_are_written_to_the_hundredth() {
        for (v, text) in [
            (0.0, "0"),
            (64.0, "64"),
            (1000.0, "1000"),
            (12.5, "12.50"),
            (1.0 / 3.0, "0.33"),
            (2.0 / 3.0, "0.67"),
            (-3.25, "-3.25"),
            (-0.001, "0"),
            (0.07, "0.07"),
            (999.999, "1000"),
        ] {
            assert_eq!(decimal(v), text, "{v}");
        }
        // Whatever the value, the text reads back within half a hundredth.
        for i in 0..20_000 {
            let v = f64::from(i) * 0.0371 - 100.0;
            let back: f64 = decimal(v).parse().expect("a number");
            assert!((back - v).abs() <= 0.005 + 1e-9, "{v} written as {}", decimal(v));
        }
    }
}

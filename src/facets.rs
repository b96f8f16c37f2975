//! Facets: the most frequent values of a few fields among the shown events, with counts. A click asks for
//! the value instead of the field's other values (`field:value` in the search); an alt-click leaves it out
//! (`-field:value`); either again takes the term back out (see `query::toggle_value`). From the keyboard,
//! Enter (or Space) is the click and Alt+Enter or the minus key the alt-click.

use web_sys::{KeyboardEvent, MouseEvent};
use yew::prelude::*;

use crate::engine::{EngineHandle, FACETS};

const PER_FACET: usize = 8;
/// A facet opened to all its values lists at most this many, most frequent first: beyond, the search
/// (`field:value`, with `*`) finds a value faster than a long list.
const OPENED: usize = 100;

/// The id of the one sentence, read by assistive technology with every facet value, saying what a value does.
const HINT_ID: &str = "facet-hint";

/// The facets' inputs.
#[derive(Properties, PartialEq)]
pub struct FacetsProps {
    /// The loaded data.
    pub engine: EngineHandle,
    /// Changes whenever the data or the query does.
    pub generation: u64,
    /// A value clicked: its field, the value, and whether to leave it out.
    pub on_value: Callback<(&'static str, String, bool)>,
}

/// The facet panel.
#[component]
pub fn Facets(props: &FacetsProps) -> Html {
    let engine = props.engine.0.borrow();
    // The fields whose facet the person opened to more than the first values.
    let opened = use_state(Vec::<&'static str>::new);
    let groups = FACETS.iter().map(|&(column, field, title)| {
        let open = opened.contains(&field);
        let values = engine.facet(column, if open { OPENED } else { PER_FACET });
        let total = engine.facet_len(column);
        let toggle = (total > PER_FACET).then(|| {
            let opened = opened.clone();
            let onclick = Callback::from(move |_: MouseEvent| {
                let mut fields = (*opened).clone();
                if open {
                    fields.retain(|f| *f != field);
                } else {
                    fields.push(field);
                }
                opened.set(fields);
            });
            let label = if !open {
                format!("All {total}")
            } else if total > OPENED {
                format!("Fewer (the first {OPENED} of {total} show)")
            } else {
                "Fewer".to_owned()
            };
            html! { <button class="facet-more" data-testid="facet-more" data-facet={field} aria-expanded={open.to_string()} {onclick}>{label}</button> }
        });
        let heading = format!("facet-{field}");
        let items = values.into_iter().filter(|(value, ..)| !value.is_empty()).map(|(value, n, chosen)| {
            let onclick = {
                let (on_value, value) = (props.on_value.clone(), value.clone());
                Callback::from(move |e: MouseEvent| on_value.emit((field, value.clone(), e.alt_key())))
            };
            // Alt-click has no keyboard twin of its own: Alt+Enter, or the minus key, excludes.
            let onkeydown = {
                let (on_value, value) = (props.on_value.clone(), value.clone());
                Callback::from(move |e: KeyboardEvent| {
                    let exclude = (e.alt_key() && e.key() == "Enter") || e.key() == "-" || e.key() == "Subtract";
                    if exclude {
                        e.prevent_default();
                        on_value.emit((field, value.clone(), true));
                    }
                })
            };
            let (class, state, title) = match chosen {
                Some(true) => ("facet-value included", "included", "Included: click to remove, Alt-click to exclude"),
                Some(false) => ("facet-value excluded", "excluded", "Excluded: click to remove"),
                None => ("facet-value", "", "Click to include, Alt-click to exclude"),
            };
            html! {
                <li key={value.clone()}>
                    <button {class} {title} {onclick} {onkeydown} aria-pressed={(chosen == Some(true)).to_string()}
                        aria-describedby={HINT_ID}
                        data-testid="facet-value" data-facet={field} data-value={value.clone()} data-count={n.to_string()}
                        data-state={(!state.is_empty()).then_some(state)}>
                        // A long value shows two lines; the whole of it is its tooltip.
                        <span class="value" title={value.clone()}>{value.clone()}</span>
                        if chosen == Some(false) { <span class="sr-only">{" (excluded)"}</span> }
                        <span class="count">{n}</span>
                    </button>
                </li>
            }
        });
        html! {
            <section class="facet" key={field}>
                <h2 id={heading.clone()}>{title}</h2>
                <ul aria-labelledby={heading}>{ for items }</ul>
                { for toggle }
            </section>
        }
    });
    html! {
        <aside class="facets" aria-label="Facets">
            <p id={HINT_ID} class="sr-only">
                {"Enter or click includes this value, Alt+Enter, the minus key or Alt-click excludes it; again, removes it."}
            </p>
            { for groups }
        </aside>
    }
}

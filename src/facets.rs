//! Facets: the most frequent values of a few fields among the shown events, with counts. A click adds
//! `field:value` to the search; an alt-click adds `-field:value`. From the keyboard, Enter (or Space)
//! includes the focused value and Alt+Enter or the minus key excludes it.

use web_sys::{KeyboardEvent, MouseEvent};
use yew::prelude::*;

use crate::engine::{EngineHandle, FACETS};

const PER_FACET: usize = 8;

/// The id of the one sentence, read by assistive technology with every facet value, saying what a value does.
const HINT_ID: &str = "facet-hint";

/// The facets' inputs.
#[derive(Properties, PartialEq)]
pub struct FacetsProps {
    /// The loaded data.
    pub engine: EngineHandle,
    /// Changes whenever the data or the query does.
    pub generation: u64,
    /// A search term to add.
    pub on_term: Callback<String>,
}

/// The facet panel.
#[component]
pub fn Facets(props: &FacetsProps) -> Html {
    let engine = props.engine.0.borrow();
    let groups = FACETS.iter().map(|&(column, field, title)| {
        let values = engine.facet(column, PER_FACET);
        let heading = format!("facet-{field}");
        let items = values.into_iter().filter(|(value, _)| !value.is_empty()).map(|(value, n)| {
            let term = if value.contains(char::is_whitespace) || value.contains('"') {
                format!("{field}:\"{}\"", value.replace('"', ""))
            } else {
                format!("{field}:{value}")
            };
            let onclick = {
                let (on_term, term) = (props.on_term.clone(), term.clone());
                Callback::from(move |e: MouseEvent| {
                    let term = if e.alt_key() { format!("-{term}") } else { term.clone() };
                    on_term.emit(term);
                })
            };
            // Alt-click has no keyboard twin of its own: Alt+Enter, or the minus key, excludes.
            let onkeydown = {
                let on_term = props.on_term.clone();
                Callback::from(move |e: KeyboardEvent| {
                    let exclude = (e.alt_key() && e.key() == "Enter") || e.key() == "-" || e.key() == "Subtract";
                    if exclude {
                        e.prevent_default();
                        on_term.emit(format!("-{term}"));
                    }
                })
            };
            html! {
                <li key={value.clone()}>
                    <button class="facet-value" title="Click to include, Alt-click to exclude" {onclick} {onkeydown}
                        aria-describedby={HINT_ID}
                        data-testid="facet-value" data-facet={field} data-value={value.clone()} data-count={n.to_string()}>
                        <span class="value">{value}</span><span class="count">{n}</span>
                    </button>
                </li>
            }
        });
        html! {
            <section class="facet" key={field}>
                <h2 id={heading.clone()}>{title}</h2>
                <ul aria-labelledby={heading}>{ for items }</ul>
            </section>
        }
    });
    html! {
        <aside class="facets" aria-label="Facets">
            <p id={HINT_ID} class="sr-only">
                {"Enter or click adds this value to the search; Alt+Enter, the minus key or Alt-click excludes it."}
            </p>
            { for groups }
        </aside>
    }
}

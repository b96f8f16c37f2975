//! Facets: the most frequent values of a few fields among the shown events, with counts. A click adds
//! `field:value` to the search; an alt-click adds `-field:value`.

use web_sys::MouseEvent;
use yew::prelude::*;

use crate::engine::{EngineHandle, FACETS};

const PER_FACET: usize = 8;

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
        let items = values.into_iter().filter(|(value, _)| !value.is_empty()).map(|(value, n)| {
            let on_term = props.on_term.clone();
            let term = if value.contains(char::is_whitespace) || value.contains('"') {
                format!("{field}:\"{}\"", value.replace('"', ""))
            } else {
                format!("{field}:{value}")
            };
            let onclick = Callback::from(move |e: MouseEvent| {
                let term = if e.alt_key() { format!("-{term}") } else { term.clone() };
                on_term.emit(term);
            });
            html! {
                <li key={value.clone()}>
                    <button class="facet-value" title="Click to include, Alt-click to exclude" {onclick}
                        data-testid="facet-value" data-facet={field} data-value={value.clone()} data-count={n.to_string()}>
                        <span class="value">{value}</span><span class="count">{n}</span>
                    </button>
                </li>
            }
        });
        html! {
            <section class="facet" key={field}>
                <h3>{title}</h3>
                <ul>{ for items }</ul>
            </section>
        }
    });
    html! { <aside class="facets" aria-label="Facets">{ for groups }</aside> }
}

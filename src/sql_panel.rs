//! "Copy as SQL": the current search as SQL for Amazon Athena, CloudTrail Lake or DuckDB, for when the logs
//! outgrow a tab. The translation is the core's (`trailscope_core::sql`), run in the on-demand tools worker;
//! this panel only gathers the person's choices and shows the answer.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// What the SQL is for, and how to ask for it.
#[derive(Properties, PartialEq)]
pub struct SqlProps {
    /// The search as typed.
    pub search: String,
    /// The brushed time range.
    pub range: Option<(i64, i64)>,
    /// Whether every service's events are shown.
    pub show_all: bool,
    /// Accounts and regions in the loaded logs, and the first day, to fill in Athena's table.
    pub accounts: Vec<String>,
    /// See `accounts`.
    pub regions: Vec<String>,
    /// See `accounts`: `YYYY/MM/DD`.
    pub since: String,
    /// Sends a request to the tools' worker; the callback gets its answer.
    pub ask: Callback<(Object, Callback<JsValue>)>,
}

/// The answer, as shown.
#[derive(Clone, PartialEq, Default)]
struct Answer {
    sql: String,
    notes: Vec<String>,
    error: String,
    create: String,
    create_error: String,
}

/// The "Copy as SQL" panel.
#[component]
pub fn SqlPanel(props: &SqlProps) -> Html {
    let dialect = use_state(|| "athena".to_owned());
    let source = use_state(String::new);
    let bucket = use_state(|| "my-cloudtrail-bucket".to_owned());
    let prefix = use_state(String::new);
    let answer = use_state(Answer::default);
    // Set from asking to answering: the SQL shown then belongs to an older search and cannot be copied.
    let pending = use_state(|| false);
    // Each request is numbered; an answer to any but the latest is dropped.
    let asked = use_mut_ref(|| 0u64);
    let default_source = |dialect: &str| match dialect {
        // The documentation's example ID: shaped as Lake's are, so the SQL shows until the person gives theirs.
        "lake" => "EXAMPLEf852-4e8f-8bd1-bcf6cEXAMPLE",
        "duckdb" => "AWSLogs/**/*.json.gz",
        _ => "cloudtrail_logs",
    };
    let source_text = if source.is_empty() { default_source(&dialect).to_owned() } else { (*source).clone() };
    {
        // Every change of the search or of a choice asks again; the worker answers in milliseconds.
        let (answer, pending, asked) = (answer.clone(), pending.clone(), asked.clone());
        let ask = props.ask.clone();
        let key = (
            props.search.clone(),
            props.range,
            props.show_all,
            (*dialect).clone(),
            source_text.clone(),
            (*bucket).clone(),
            (*prefix).clone(),
            props.accounts.join(","),
            props.regions.join(","),
            props.since.clone(),
        );
        use_effect_with(key, move |key| {
            let request = Object::new();
            let set = |k: &str, v: JsValue| {
                let _ = Reflect::set(&request, &k.into(), &v);
            };
            set("query", key.0.as_str().into());
            if let Some((start, end)) = key.1 {
                set("start", (start as f64).into());
                set("end", (end as f64).into());
            }
            set("showAll", key.2.into());
            set("dialect", key.3.as_str().into());
            set("source", key.4.as_str().into());
            set("bucket", key.5.as_str().into());
            set("prefix", key.6.as_str().into());
            set("accounts", key.7.as_str().into());
            set("regions", key.8.as_str().into());
            set("since", key.9.as_str().into());
            pending.set(true);
            let number = {
                let mut asked = asked.borrow_mut();
                *asked += 1;
                *asked
            };
            set("seq", (number as f64).into());
            ask.emit((
                request,
                Callback::from(move |reply: JsValue| {
                    let seq = Reflect::get(&reply, &"seq".into()).ok().and_then(|v| v.as_f64());
                    if seq != Some(*asked.borrow() as f64) {
                        return;
                    }
                    let text =
                        |k: &str| Reflect::get(&reply, &k.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
                    let notes = Reflect::get(&reply, &"notes".into())
                        .ok()
                        .filter(|v| v.is_object())
                        .map(|v| Array::from(&v).iter().filter_map(|n| n.as_string()).collect())
                        .unwrap_or_default();
                    pending.set(false);
                    answer.set(Answer {
                        sql: text("sql"),
                        notes,
                        error: text("error"),
                        create: text("create"),
                        create_error: text("createError"),
                    });
                }),
            ));
        });
    }
    let on_dialect = {
        let (dialect, source) = (dialect.clone(), source.clone());
        Callback::from(move |e: Event| {
            dialect.set(e.target_unchecked_into::<HtmlSelectElement>().value());
            source.set(String::new());
        })
    };
    let on_text = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let copy = |text: String| {
        Callback::from(move |_: MouseEvent| {
            if let Some(window) = web_sys::window() {
                // The clipboard is local to the machine: nothing is sent anywhere.
                let _ = window.navigator().clipboard().write_text(&text);
            }
        })
    };
    let source_label = match dialect.as_str() {
        "lake" => "Event data store ID or ARN",
        "duckdb" => "Delivery files (a glob)",
        _ => "Athena table",
    };
    html! {
        <section class="sql" data-testid="sql-panel" aria-label="The search as SQL">
            <div class="sql-choices">
                <label>{"Run it in "}
                    <select data-testid="sql-dialect" onchange={on_dialect}>
                        <option value="athena" selected={*dialect == "athena"}>{"Amazon Athena"}</option>
                        <option value="lake" selected={*dialect == "lake"}>{"CloudTrail Lake"}</option>
                        <option value="duckdb" selected={*dialect == "duckdb"}>{"DuckDB on local files"}</option>
                    </select>
                </label>
                <label>{format!("{source_label} ")}
                    <input data-testid="sql-source" value={source_text.clone()} oninput={on_text(&source)} />
                </label>
            </div>
            if !answer.error.is_empty() {
                <p class="hints" data-testid="sql-error">{answer.error.clone()}</p>
            } else {
                <textarea readonly=true data-testid="sql-text" aria-label="SQL" rows="10" aria-busy={pending.to_string()}
                    value={answer.sql.clone()} />
                <button data-testid="sql-copy" disabled={*pending} onclick={copy(answer.sql.clone())}>
                    { if *pending { "Writing the SQL…" } else { "Copy the SQL" } }
                </button>
            }
            if !answer.notes.is_empty() {
                <ul class="sql-notes">{ for answer.notes.iter().map(|n| html! { <li data-testid="sql-note">{n.clone()}</li> }) }</ul>
            }
            if *dialect == "athena" {
                <details class="sql-create">
                    <summary data-testid="sql-create-toggle">{"The Athena table for your trail's bucket (partition projection)"}</summary>
                    <div class="sql-choices">
                        <label>{"Bucket "}<input data-testid="sql-bucket" value={(*bucket).clone()} oninput={on_text(&bucket)} /></label>
                        <label>{"Prefix "}<input data-testid="sql-prefix" value={(*prefix).clone()} oninput={on_text(&prefix)} /></label>
                    </div>
                    <p class="note">{format!("Accounts {} · regions {} · from {} (from the loaded logs)", props.accounts.join(", "), props.regions.join(", "), props.since)}</p>
                    if !answer.create_error.is_empty() {
                        <p class="hints" data-testid="sql-create-error">{answer.create_error.clone()}</p>
                    } else {
                        <textarea readonly=true data-testid="sql-create" aria-label="CREATE TABLE" rows="10" value={answer.create.clone()} />
                        <button onclick={copy(answer.create.clone())}>{"Copy the CREATE TABLE"}</button>
                    }
                </details>
            }
        </section>
    }
}

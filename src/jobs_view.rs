//! The jobs view: one line per Transcribe resource, opening onto its lifecycle.

use trailscope_core::view;
use yew::prelude::*;

use crate::engine::EngineHandle;

/// The jobs view's inputs.
#[derive(Properties, PartialEq)]
pub struct JobsProps {
    /// The loaded data.
    pub engine: EngineHandle,
    /// Changes whenever the data does.
    pub generation: u64,
    /// The open job, by its key (see `key`): a place in the list would be another job's once more files
    /// are loaded.
    pub open: Option<String>,
    /// A job was opened or closed, by its key.
    pub on_toggle: Callback<String>,
    /// An event of a lifecycle was chosen.
    pub on_select: Callback<usize>,
}

/// The list of jobs.
#[component]
pub fn JobsView(props: &JobsProps) -> Html {
    let engine = props.engine.0.borrow();
    let jobs = engine.jobs();
    if jobs.is_empty() {
        return html! { <p class="empty">{"No Transcribe job, vocabulary or other resource is named in the loaded events."}</p> };
    }
    let shown = engine.jobs_shown();
    // The list follows the search and the range, as the table does; each job listed still shows its whole
    // life, events the search leaves out included.
    let head = if shown.len() == jobs.len() {
        view::plural(jobs.len(), "job or resource", "jobs and resources")
    } else {
        // A search reading records finds more as it goes: the list is what it found so far.
        let so_far = if engine.searching().is_some() { " so far" } else { "" };
        format!("{} of {} jobs and resources, with events the search shows{so_far}", shown.len(), jobs.len())
    };
    let items = shown.into_iter().map(|i| (i, &jobs[i])).map(|(i, job)| {
        let status = job.status_label().to_owned();
        let on_toggle = props.on_toggle.clone();
        // A job's identity in the list, whatever its place: what stays open, and what Yew keys the line by.
        let key = job.key();
        // A job whose start was not loaded yet keeps its place open when the start loads: its key then
        // names the start, where the open one ended with the name.
        let open = props.open.as_deref().is_some_and(|o| o == key || (job.life == 1 && o.ends_with('/') && key.starts_with(o)));
        // Closing it closes what is open, under whichever key it was opened.
        let toggle = if open { props.open.clone().unwrap_or_else(|| key.clone()) } else { key.clone() };
        let span = match (job.first, job.last) {
            (Some(first), Some(last)) => format!("{} → {}", first.to_iso(), last.to_iso()),
            _ => String::new(),
        };
        // The id ties the job's button to the lifecycle it opens (aria-controls).
        let lifecycle_id = format!("job-{i}-lifecycle");
        // Built only for the job open; its list is always there, so that opening or closing a job changes no
        // element before it (the focused button stays the same element, and keeps the focus).
        let shown_events: &[usize] = if open { &job.events } else { &[] };
        let steps = shown_events.iter().filter_map(|&index| engine.event(index).map(|e| (index, e))).map(|(index, event)| {
            let cells = view::row(event);
            let on_select = props.on_select.clone();
            // A button, so that the keyboard reaches each step too.
            html! {
                <li key={index} data-testid="job-event" data-event-name={event.event_name().to_owned()} class={classes!((!cells.error.is_empty()).then_some("failed"))}>
                    <button type="button" class="step" onclick={Callback::from(move |_| on_select.emit(index))}>
                        <span class="c-time">{cells.time}</span>
                        <span class="c-event">{cells.event}</span>
                        <span class="c-status">{cells.status}</span>
                        <span class="c-identity">{cells.identity}</span>
                        <span class="c-ip">{cells.source_ip}</span>
                        <span class="c-error">{cells.error}</span>
                    </button>
                </li>
            }
        });
        html! {
            <li key={key.clone()} class="job"
                data-testid="job" data-job-name={job.name.clone()} data-job-kind={job.kind.as_str()}
                data-status={status.clone()} data-events={job.events.len().to_string()} data-job-life={job.life.to_string()}>
                <button type="button" class="job-head" aria-expanded={open.to_string()} aria-controls={lifecycle_id.clone()}
                    onclick={Callback::from(move |_| on_toggle.emit(toggle.clone()))}>
                    <span class="kind">{job.kind.as_str()}</span>
                    <span class="name">{view::cell(&job.name)}</span>
                    if job.lives > 1 {
                        <span class="life">{job.use_of_name()}</span>
                    }
                    <span class={classes!("status", status.to_ascii_lowercase())}>{status}</span>
                    <span class="count">{view::plural(job.events.len(), "event", "events")}</span>
                </button>
                if !job.anomalies.is_empty() {
                    <ul class="anomalies" aria-label="Worth a look">
                        { for job.anomalies.iter().map(|a| html! { <li>{view::cell(a)}</li> }) }
                    </ul>
                }
                <dl class="job-facts">
                    <dt>{"When"}</dt><dd>{span}{job.duration_ms().map(|ms| format!(" ({})", trailscope_core::view::duration(ms))).unwrap_or_default()}</dd>
                    <dt>{"Started by"}</dt><dd>{view::cell(job.started_by.as_deref().unwrap_or_default())}</dd>
                    <dt>{"Language"}</dt><dd>{job.language.display().to_owned()}</dd>
                    <dt>{"Media"}</dt><dd>{view::cell(job.media_uri.display())}</dd>
                    <dt>{"Failure"}</dt><dd>{view::cell(job.failure())}</dd>
                    <dt>{"Touched by"}</dt><dd>{format!("{} from {}", view::plural(job.n_identities(), "identity", "identities"), view::plural(job.source_ips.len(), "IP address", "IP addresses"))}</dd>
                    <dt>{"Account / region"}</dt><dd>{format!("{} / {}", job.account, job.region)}</dd>
                </dl>
                <ol class="lifecycle" id={lifecycle_id} hidden={!open} aria-label={format!("Lifecycle of {}", view::cell(&job.name))}>{ for steps }</ol>
            </li>
        }
    });
    html! {
        <div class="jobs">
            <p class="jobs-count" data-testid="jobs-count">{head}</p>
            <ul class="job-list" aria-label="Transcribe jobs and resources">{ for items }</ul>
        </div>
    }
}

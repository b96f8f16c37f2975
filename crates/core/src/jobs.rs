//! The jobs view's model: every Transcribe resource followed from its start through its polls to how it ended.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Event, Field};
use crate::time::EventTime;
use crate::transcribe::{Action, ResourceKind};

/// One Transcribe resource and the events that touch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The resource kind.
    pub kind: ResourceKind,
    /// The resource's name.
    pub name: String,
    /// The account that owns it.
    pub account: String,
    /// The region it lives in.
    pub region: String,
    /// The last status an event reported (`DELETED` after a successful delete); `None` if none did.
    pub status: Option<String>,
    /// The failure reason, when one was logged.
    pub failure_reason: Field,
    /// First and last event times.
    pub first: Option<EventTime>,
    /// Last event time.
    pub last: Option<EventTime>,
    /// The media file, when logged.
    pub media_uri: Field,
    /// The language code, when logged.
    pub language: Field,
    /// Who started it (the identity of the first `Start`/`Create` call), when seen.
    pub started_by: Option<String>,
    /// Indices into the events, oldest first.
    pub events: Vec<usize>,
    /// Distinct identities that touched it.
    pub identities: BTreeSet<String>,
    /// Distinct source IPs that touched it.
    pub source_ips: BTreeSet<String>,
}

/// Groups the events that name a Transcribe resource into jobs, keyed by account, region, kind and name
/// (Transcribe names are unique per account and region). `order` lists event indices oldest first.
pub fn jobs(events: &[Event], order: &[usize]) -> Vec<Job> {
    let mut by_key: BTreeMap<(String, String, ResourceKind, String), Job> = BTreeMap::new();
    for &i in order {
        let event = &events[i];
        let Some(info) = &event.transcribe else { continue };
        // Streaming sessions are one-off calls, not resources with a life of their own.
        if !info.name.is_present() || info.action == Action::List || info.kind == ResourceKind::Stream {
            continue;
        }
        let name = info.name.display().to_owned();
        let key = (event.account.clone(), event.aws_region.clone(), info.kind, name.clone());
        let job = by_key.entry(key).or_insert_with(|| Job {
            kind: info.kind,
            name,
            account: event.account.clone(),
            region: event.aws_region.clone(),
            status: None,
            failure_reason: Field::Absent,
            first: event.time,
            last: event.time,
            media_uri: Field::Absent,
            language: Field::Absent,
            started_by: None,
            events: Vec::new(),
            identities: BTreeSet::new(),
            source_ips: BTreeSet::new(),
        });
        job.events.push(i);
        job.first = job.first.min(event.time).or(event.time);
        job.last = job.last.max(event.time);
        if let Some(status) = &info.status {
            job.status = Some(status.clone());
        }
        if info.failure_reason.is_present() {
            job.failure_reason = info.failure_reason.clone();
        }
        if !job.media_uri.is_present() {
            job.media_uri = info.media_uri.clone();
        }
        if !job.language.is_present() {
            job.language = info.language.clone();
        }
        if info.action == Action::Start && event.error_code.is_empty() && job.started_by.is_none() {
            job.started_by = Some(event.identity.name.clone());
        }
        job.identities.insert(event.identity.name.clone());
        job.source_ips.insert(event.source_ip.clone());
    }
    let mut jobs: Vec<Job> = by_key.into_values().collect();
    jobs.sort_by(|a, b| (b.last, &a.name).cmp(&(a.last, &b.name)));
    jobs
}

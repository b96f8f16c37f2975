//! The jobs view's model: every Transcribe resource followed from its start through its polls to how it ended.

use std::collections::{BTreeSet, HashMap};

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
    /// What an investigator should look at, in words.
    pub anomalies: Vec<String>,
}

impl Job {
    /// Milliseconds from the first event to the last.
    pub fn duration_ms(&self) -> Option<i64> {
        Some(self.last?.0 - self.first?.0)
    }
}

/// Groups the events that name a Transcribe resource into jobs, keyed by account, region, kind and name
/// (Transcribe names are unique per account and region). `order` gives event indices oldest first (taken as
/// they come: the page's rows are 32-bit, and a copy of a million of them was made for each refresh).
pub fn jobs(events: &[Event], order: impl IntoIterator<Item = usize>) -> Vec<Job> {
    // Keys borrow from the events, and a set gets a copy of a name only when it lacks it: the page runs
    // this at every refresh while its jobs view is open, and copying every event's strings was most of
    // its cost.
    // Hashed, not ordered: a Transcribe event's key was compared with a dozen others, string by string, and
    // that was a third of a refresh. The jobs are sorted once at the end.
    let mut by_key: HashMap<(&str, &str, ResourceKind, &str), Job, foldhash::fast::FixedState> = HashMap::default();
    // Which events are Transcribe ones, read in the store's order: in time order, reading each event
    // (some 300 bytes, anywhere in the store) only to skip it cost more than the jobs when all are kept.
    let transcribe: Vec<bool> = events.iter().map(|e| e.transcribe.is_some()).collect();
    for i in order.into_iter().filter(|&i| transcribe.get(i) == Some(&true)) {
        let event = &events[i];
        let Some(info) = &event.transcribe else { continue };
        // Streaming sessions are one-off calls, not resources with a life of their own.
        if !info.name.is_present() || info.action == Action::List || info.kind == ResourceKind::Stream {
            continue;
        }
        let name = info.name.display();
        let key = (event.account(), event.aws_region(), info.kind, name);
        let job = by_key.entry(key).or_insert_with(|| Job {
            kind: info.kind,
            name: name.to_owned(),
            account: event.account().to_owned(),
            region: event.aws_region().to_owned(),
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
            anomalies: Vec::new(),
        });
        job.events.push(i);
        // An event without a time leaves the job's span as it was (`None` is the least of options).
        job.first = match (job.first, event.time) {
            (Some(first), Some(time)) => Some(first.min(time)),
            (first, time) => first.or(time),
        };
        job.last = job.last.max(event.time);
        // Polls repeat the status they saw last: a copy only when it changed.
        if let Some(status) = info.status.as_deref().filter(|&s| job.status.as_deref() != Some(s)) {
            job.status = Some(status.to_owned());
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
        if info.action == Action::Start && event.error_code().is_empty() && job.started_by.is_none() {
            job.started_by = Some(event.identity().name.to_owned());
        }
        // A record without a name or an address adds no identity or address to count.
        let (name, ip) = (event.identity().name, event.source_ip());
        if !name.is_empty() && !job.identities.contains(name) {
            job.identities.insert(name.to_owned());
        }
        if !ip.is_empty() && !job.source_ips.contains(ip) {
            job.source_ips.insert(ip.to_owned());
        }
    }
    let mut jobs: Vec<Job> = by_key.into_values().collect();
    for job in &mut jobs {
        job.anomalies = anomalies(job, events);
    }
    // Newest first, then by name; the rest of the key only orders the ties, as it always did.
    crate::query::sort_items(jobs, &|a, b| {
        (b.last, &a.name, &a.account, &a.region, a.kind).cmp(&(a.last, &b.name, &b.account, &b.region, b.kind))
    })
}

/// The signs worth a look: another identity than the starter reading or deleting the resource, more than
/// one source address, and calls refused for lack of permission.
fn anomalies(job: &Job, events: &[Event]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(starter) = &job.started_by {
        // Each name once, in order, kept sorted as they come: collecting a set would bring a stable sort's
        // code into the page, which must stay under 400 KB, for a handful of names.
        let mut others: Vec<&str> = Vec::new();
        let read_or_deleted = job
            .events
            .iter()
            .filter_map(|&i| events.get(i))
            .filter(|e| e.error_code().is_empty())
            .filter(|e| e.transcribe.as_ref().is_some_and(|t| matches!(t.action, Action::Read | Action::Delete)));
        for name in read_or_deleted.map(|e| e.identity().name).filter(|name| *name != starter) {
            if let Err(at) = others.binary_search(&name) {
                others.insert(at, name);
            }
        }
        if !others.is_empty() {
            out.push(format!("read or deleted by another identity than {starter}: {}", others.join(", ")));
        }
    }
    if job.source_ips.len() > 1 {
        out.push(format!("touched from {} source addresses", job.source_ips.len()));
    }
    let denied = job
        .events
        .iter()
        .filter_map(|&i| events.get(i))
        .filter(|e| e.error_code().starts_with("AccessDenied") || e.error_code() == "UnauthorizedOperation")
        .count();
    if denied > 0 {
        out.push(format!("{denied} call{} refused: access denied", if denied == 1 { "" } else { "s" }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ingest_file, IngestOptions};
    use crate::store::Store;

    fn record(name: &str, user: &str, ip: &str, time: &str, error: &str, job: &str) -> String {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","userName":"{user}"}},"eventTime":"{time}","eventSource":"transcribe.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"{ip}","errorCode":"{error}","requestParameters":{{"transcriptionJobName":"{job}"}},"eventID":"{name}-{user}-{time}","recipientAccountId":"111122223333"}}"#
        )
    }

    #[test]
    fn a_job_read_by_someone_else_from_elsewhere_is_flagged() {
        let records = [
            record("StartTranscriptionJob", "alice", "192.0.2.1", "2026-03-02T08:00:00Z", "", "j1"),
            record("GetTranscriptionJob", "alice", "192.0.2.1", "2026-03-02T08:01:00Z", "", "j1"),
            record("GetTranscriptionJob", "mallory", "203.0.113.66", "2026-03-02T09:00:00Z", "", "j1"),
            // Other readers, one of them twice: each named once, in order of name.
            record("GetTranscriptionJob", "eve", "192.0.2.1", "2026-03-02T08:30:00Z", "", "j1"),
            record("GetTranscriptionJob", "carol", "192.0.2.1", "2026-03-02T08:45:00Z", "", "j1"),
            record("GetTranscriptionJob", "mallory", "203.0.113.66", "2026-03-02T08:50:00Z", "", "j1"),
            record(
                "DeleteTranscriptionJob",
                "mallory",
                "203.0.113.66",
                "2026-03-02T09:01:00Z",
                "AccessDeniedException",
                "j1",
            ),
            record("StartTranscriptionJob", "bob", "192.0.2.2", "2026-03-02T08:00:00Z", "", "j2"),
            // A poll without an address or a time: neither a second address nor a span lost.
            record("StartTranscriptionJob", "dana", "192.0.2.3", "2026-03-02T08:00:00Z", "", "j3"),
            record("GetTranscriptionJob", "dana", "", "", "", "j3"),
        ];
        let file = format!(r#"{{"Records":[{}]}}"#, records.join(","));
        let mut store = Store::new();
        store.add(ingest_file("a.json", file.as_bytes(), &IngestOptions::default()));
        let all = jobs(store.events(), store.by_time());
        let j1 = all.iter().find(|j| j.name == "j1").expect("j1");
        assert_eq!(j1.started_by.as_deref(), Some("alice"));
        assert_eq!(j1.duration_ms(), Some(61 * 60 * 1000));
        assert_eq!(
            j1.anomalies,
            vec![
                "read or deleted by another identity than alice: carol, eve, mallory".to_owned(),
                "touched from 2 source addresses".to_owned(),
                "1 call refused: access denied".to_owned(),
            ]
        );
        let j2 = all.iter().find(|j| j.name == "j2").expect("j2");
        assert!(j2.anomalies.is_empty());
        let j3 = all.iter().find(|j| j.name == "j3").expect("j3");
        assert_eq!((j3.events.len(), j3.source_ips.len()), (2, 1));
        assert!(j3.anomalies.is_empty(), "{:?}", j3.anomalies);
        assert!(j3.first.is_some() && j3.first == j3.last);
    }
}

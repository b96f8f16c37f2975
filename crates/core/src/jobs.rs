//! The jobs view's model: every Transcribe resource followed from its start through its polls to how it ended.

use std::collections::{BTreeSet, HashMap};

use crate::model::{Event, Field, Text};
use crate::time::EventTime;
use crate::transcribe::{Action, ResourceKind};

/// One life of a Transcribe resource and the events that touch it: a name used again after its resource
/// was deleted (or started again, the delete not in the logs) is another job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The resource kind.
    pub kind: ResourceKind,
    /// The resource's name.
    pub name: String,
    /// Which use of the name this is, oldest first from 1, among the loaded events.
    pub life: u32,
    /// How many uses of the name the loaded events show.
    pub lives: u32,
    /// The account that owns it.
    pub account: String,
    /// The region it lives in.
    pub region: String,
    /// The last status an event reported (`DELETED` after a successful delete); `None` if none did.
    pub status: Option<String>,
    /// The failure reason, when one was logged.
    pub failure_reason: Field,
    /// The error of the first start Transcribe refused (`BadRequestException: ...`): with no start that
    /// succeeded, the resource was never made.
    pub refused_start: Option<String>,
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
    /// The starter's ARN (empty where its record has none): two roles' sessions may share a name.
    pub started_by_arn: Option<String>,
    /// The eventID of the successful start that began this life, where the logs hold it: what tells
    /// this job from the name's other uses, however many of them load later.
    pub start_id: Option<String>,
    /// Indices into the events, oldest first.
    pub events: Vec<usize>,
    /// The identities that touched it, as (short name, ARN; empty where a record has none), sorted, each
    /// once: see [`Job::n_identities`]. A sorted list, not a set: a set of pairs brought a kilobyte of its
    /// own code into the page's download.
    pub identities: Vec<(String, String)>,
    /// Distinct source IPs that touched it.
    pub source_ips: BTreeSet<String>,
    /// What an investigator should look at, in words.
    pub anomalies: Vec<String>,
}

impl Job {
    fn new(kind: ResourceKind, name: &str, life: u32, event: &Event) -> Job {
        Job {
            kind,
            name: name.to_owned(),
            life,
            lives: life,
            account: event.account().to_owned(),
            region: event.aws_region().to_owned(),
            status: None,
            failure_reason: Field::Absent,
            refused_start: None,
            first: event.time,
            last: event.time,
            media_uri: Field::Absent,
            language: Field::Absent,
            started_by: None,
            started_by_arn: None,
            start_id: None,
            events: Vec::new(),
            identities: Vec::new(),
            source_ips: BTreeSet::new(),
            anomalies: Vec::new(),
        }
    }

    /// Whether a successful delete ended it.
    fn deleted(&self) -> bool {
        self.status.as_deref() == Some(crate::transcribe::DELETED)
    }

    /// The status to show: the last one reported; `CREATED` for a kind that reports none once it was
    /// created; `START REFUSED` (`CREATE REFUSED`) when every start seen failed, so Transcribe made nothing;
    /// `UNKNOWN` when no event says.
    pub fn status_label(&self) -> &str {
        match self.status.as_deref() {
            Some(status) => status,
            None if !self.kind.has_state() && self.started_by.is_some() => "CREATED",
            None if self.started_by.is_none() && self.refused_start.is_some() => {
                if self.kind.is_job() {
                    "START REFUSED"
                } else {
                    "CREATE REFUSED"
                }
            }
            None => "UNKNOWN",
        }
    }

    /// Why it failed, in words: the failure reason Transcribe reported, else the error of a refused start
    /// where no start succeeded; empty when neither.
    pub fn failure(&self) -> &str {
        match (&self.failure_reason, &self.refused_start) {
            (reason, _) if reason.is_present() => reason.display(),
            (_, Some(refused)) if self.started_by.is_none() => refused,
            _ => "",
        }
    }

    /// ` (use 2 of 3)` where the loaded events show the name used by more than one resource; else empty.
    pub fn use_of_name(&self) -> String {
        if self.lives > 1 {
            format!(" (use {} of {})", self.life, self.lives)
        } else {
            String::new()
        }
    }

    /// A key that tells this job from every other, and stays its own as more files load: account, region,
    /// kind, name and the eventID of the start that began it (none for a life begun before the logs).
    pub fn key(&self) -> String {
        let start = self.start_id.as_deref().unwrap_or_default();
        format!("{}/{}/{}/{}/{start}", self.account, self.region, self.kind.as_str(), self.name)
    }

    /// How many identities touched it: one per short name, but one per ARN where calls of one name came
    /// with different ARNs (two roles' sessions of one name); a call without an ARN counts with its name.
    pub fn n_identities(&self) -> usize {
        let mut n = 0;
        let mut arns = 0;
        let mut last: Option<&str> = None;
        // Sorted by name, then ARN: a name's call without an ARN comes first.
        for (name, arn) in &self.identities {
            if last != Some(name.as_str()) {
                last = Some(name);
                n += 1;
                arns = usize::from(!arn.is_empty());
            } else if !arn.is_empty() {
                arns += 1;
                n += usize::from(arns > 1);
            }
        }
        n
    }

    /// Milliseconds from the first event to the last.
    pub fn duration_ms(&self) -> Option<i64> {
        Some(self.last?.0 - self.first?.0)
    }
}

/// Whether two calls come from one identity: one ARN, where both records carry one (a role's session
/// names the role and the session), else one short name (a console CSV row and some records have no ARN).
fn same_identity(a: (&str, &str), b: (&str, &str)) -> bool {
    let ((a_name, a_arn), (b_name, b_arn)) = (a, b);
    if a_arn.is_empty() || b_arn.is_empty() {
        a_name == b_name
    } else {
        a_arn == b_arn
    }
}

/// An event's caller as (short name, ARN).
// Not inlined: the page's download carries one copy for its callers.
#[inline(never)]
fn caller(event: &Event) -> (&str, &str) {
    (event.text(Text::IdentityName), event.text(Text::Arn))
}

/// Groups the events that name a Transcribe resource into jobs, keyed by account, region, kind and name
/// (Transcribe names are unique per account and region while the resource lives), one job per life of
/// the name: a successful start after a successful delete or start begins another. `order` gives event indices oldest first (taken as
/// they come: the page's rows are 32-bit, and a copy of a million of them was made for each refresh).
pub fn jobs(events: &[Event], order: impl IntoIterator<Item = usize>) -> Vec<Job> {
    // Keys borrow from the events, and a set gets a copy of a name only when it lacks it: the page runs
    // this at every refresh while its jobs view is open, and copying every event's strings was most of
    // its cost.
    // Hashed, not ordered: a Transcribe event's key was compared with a dozen others, string by string, and
    // that was a third of a refresh. The jobs are sorted once at the end.
    // The key's latest life, as a place in `jobs`.
    let mut by_key: HashMap<(&str, &str, ResourceKind, &str), usize, foldhash::fast::FixedState> = HashMap::default();
    let mut jobs: Vec<Job> = Vec::new();
    // For each job, the place of the name's life before it, if any.
    let mut before: Vec<Option<usize>> = Vec::new();
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
        let succeeded = event.error_code().is_empty();
        let latest = by_key.get(&key).copied();
        // Transcribe refuses a start while the name is in use: one that succeeds after the life's own start or
        // delete begins a new life. Anything else (a poll of a deleted job, which fails) stays with the last.
        let ended = latest.map(|at| &jobs[at]).is_some_and(|job| job.started_by.is_some() || job.deleted());
        let at = match latest {
            // A delete logged in the very second a new life started ends the life before it, which is still
            // open: scripts delete a name and start it again at once.
            Some(at)
                if info.action == Action::Delete
                    && succeeded
                    && event.time.is_some()
                    && jobs[at].first == event.time
                    && before[at].is_some_and(|b| !jobs[b].deleted()) =>
            {
                before[at].unwrap_or(at)
            }
            Some(at) if !(ended && info.action == Action::Start && succeeded) => at,
            _ => {
                let life = latest.map_or(1, |at| jobs[at].life + 1);
                before.push(latest);
                by_key.insert(key, jobs.len());
                jobs.push(Job::new(info.kind, name, life, event));
                jobs.len() - 1
            }
        };
        let job = &mut jobs[at];
        job.events.push(i);
        // An event without a time leaves the job's span as it was (`None` is the least of options).
        job.first = match (job.first, event.time) {
            (Some(first), Some(time)) => Some(first.min(time)),
            (first, time) => first.or(time),
        };
        job.last = job.last.max(event.time);
        // Polls repeat the status they saw last: a copy only when it changed. A delete ends the life, so a
        // poll logged in the same second, and sorted after it, does not bring it back.
        if let Some(status) = info.status.as_deref().filter(|&s| !job.deleted() && job.status.as_deref() != Some(s)) {
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
        if info.action == Action::Start && !succeeded && job.refused_start.is_none() {
            let (code, message) = (event.error_code(), event.error_message());
            job.refused_start = Some(if message.is_empty() { code.to_owned() } else { format!("{code}: {message}") });
        }
        if info.action == Action::Start && succeeded && job.started_by.is_none() {
            job.started_by = Some(event.identity().name.to_owned());
            job.started_by_arn = Some(caller(event).1.to_owned());
            job.start_id = Some(event.event_id().to_owned());
        }
        // A record without a name or an address adds no identity or address to count.
        let (who, ip) = (caller(event), event.source_ip());
        if who != ("", "") {
            if let Err(at) = job.identities.binary_search_by(|(name, arn)| (name.as_str(), arn.as_str()).cmp(&who)) {
                job.identities.insert(at, (who.0.to_owned(), who.1.to_owned()));
            }
        }
        if !ip.is_empty() && !job.source_ips.contains(ip) {
            job.source_ips.insert(ip.to_owned());
        }
    }
    for job in &mut jobs {
        job.anomalies = anomalies(job, events);
    }
    // A name's last life counts its lives (each starts with its own number); the one before learns it from
    // the one after, which comes later in `jobs` and so has it already.
    for at in (0..jobs.len()).rev() {
        if let Some(b) = before[at] {
            jobs[b].lives = jobs[at].lives;
        }
    }
    // Newest first, then by name; the rest of the key only orders the ties, as it always did.
    crate::query::sort_items(jobs, &|a, b| {
        (b.last, &a.name, &a.account, &a.region, a.kind, b.life)
            .cmp(&(a.last, &b.name, &b.account, &b.region, b.kind, a.life))
    })
}

/// The signs worth a look: another identity than the starter reading or deleting the resource, more than
/// one source address, and calls refused for lack of permission.
fn anomalies<'e>(job: &Job, events: &'e [Event]) -> Vec<String> {
    let mut out = Vec::new();
    let job_events = || job.events.iter().filter_map(|&i| events.get(i));
    let starter_id = (job.started_by.as_deref().unwrap_or(""), job.started_by_arn.as_deref().unwrap_or(""));
    // A caller as a person reads it: the short name, or the ARN where that name is empty, or is the
    // starter's own while the caller is not the starter (two roles' sessions of one name).
    let named = |e: &'e Event| {
        let (name, arn) = caller(e);
        let twin = !starter_id.0.is_empty() && name == starter_id.0 && !same_identity((name, arn), starter_id);
        if (name.is_empty() || twin) && !arn.is_empty() {
            arn
        } else {
            name
        }
    };
    if let (Some(starter), Some(_)) = (&job.started_by, &job.started_by_arn) {
        // Each name once, in order, kept sorted as they come: collecting a set would bring a stable sort's
        // code into the page, which must stay under 400 KB, for a handful of names.
        let mut others: Vec<&'e str> = Vec::new();
        let read_or_deleted = job_events()
            .filter(|e| e.error_code().is_empty())
            .filter(|e| e.transcribe.as_ref().is_some_and(|t| matches!(t.action, Action::Read | Action::Delete)));
        // Compared by ARN, named as `named` says.
        let other = |e: &'e Event| (!same_identity(caller(e), starter_id)).then(|| named(e));
        for name in read_or_deleted.filter_map(other) {
            if let Err(at) = others.binary_search(&name) {
                others.insert(at, name);
            }
        }
        if !others.is_empty() {
            out.push(format!("read or deleted by another identity than {starter}: {}", others.join(", ")));
        }
        // A start of the name refused to someone else: a clash of names, or someone trying to take it.
        let mut refused: Vec<String> = Vec::new();
        let refused_starts = job_events()
            .filter(|e| !e.error_code().is_empty() && e.transcribe.as_ref().is_some_and(|t| t.action == Action::Start));
        for e in refused_starts {
            // In the order they came, each once.
            if let Some(name) = other(e) {
                let item = format!("{name} ({})", e.error_code());
                if !refused.contains(&item) {
                    refused.push(item);
                }
            }
        }
        if !refused.is_empty() {
            out.push(format!("a start by another identity than {starter} refused: {}", refused.join(", ")));
        }
    }
    if job.source_ips.len() > 1 {
        // Each address with who called from it, in the order they came: one person's IPv4 and IPv6, or a
        // service polling for its caller, read otherwise than a stranger's address.
        let mut ips: Vec<&str> = Vec::new();
        for ip in job_events().map(Event::source_ip) {
            if ips.len() < 4 && !ip.is_empty() && !ips.contains(&ip) {
                ips.push(ip);
            }
        }
        let n_ips = job.source_ips.len();
        let mut text = format!("touched from {n_ips} source addresses:");
        for (n, &ip) in ips.iter().enumerate() {
            let mut who: Vec<&str> = Vec::new();
            for e in job_events().filter(|e| e.source_ip() == ip) {
                let name = named(e);
                if !name.is_empty() && !who.contains(&name) {
                    who.push(name);
                }
            }
            text += if n > 0 { ", " } else { " " };
            text += ip;
            // A shared address (a NAT, a build farm) can carry many callers: three named, the rest counted.
            let more = who.len().saturating_sub(3);
            who.truncate(3);
            if more > 0 {
                text += &format!(" ({}, and {more} more)", who.join(", "));
            } else if !who.is_empty() {
                text += &format!(" ({})", who.join(", "));
            }
        }
        if n_ips > 4 {
            text += &format!(", and {} more", n_ips - 4);
        }
        out.push(text);
    }
    let denied = job_events()
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
    fn a_refused_start_says_so_and_another_identity_refused_a_start_is_named() {
        let failed =
            record("StartTranscriptionJob", "alice", "192.0.2.1", "2026-03-02T07:59:00Z", "BadRequestException", "bad")
                .replace(r#""errorCode""#, r#""errorMessage":"The media format is not supported.","errorCode""#);
        let records = [
            failed,
            record("StartTranscriptionJob", "alice", "192.0.2.1", "2026-03-02T08:00:00Z", "", "taken"),
            record(
                "StartTranscriptionJob",
                "mallory",
                "203.0.113.66",
                "2026-03-02T08:05:00Z",
                "ConflictException",
                "taken",
            ),
            record("GetTranscriptionJob", "alice", "192.0.2.1", "2026-03-02T08:06:00Z", "", "taken"),
        ];
        let (_, all) = jobs_of(&records);
        let bad = all.iter().find(|j| j.name == "bad").expect("bad");
        assert_eq!((bad.status_label(), bad.started_by.as_deref()), ("START REFUSED", None));
        assert_eq!(bad.failure(), "BadRequestException: The media format is not supported.");
        let taken = all.iter().find(|j| j.name == "taken").expect("taken");
        // Started by alice: mallory's refused start is worth a look, and not the job's failure.
        assert_eq!((taken.status_label(), taken.failure()), ("UNKNOWN", ""));
        assert!(
            taken
                .anomalies
                .iter()
                .any(|a| a == "a start by another identity than alice refused: mallory (ConflictException)"),
            "{:?}",
            taken.anomalies
        );
        assert_eq!(all.len(), 2, "the refused start is no job of its own");
    }

    #[test]
    fn an_address_shared_by_many_callers_names_three_and_counts_the_rest() {
        let mut records = vec![record("StartTranscriptionJob", "alice", "192.0.2.1", "2026-03-02T08:00:00Z", "", "j1")];
        for (k, who) in ["bob", "carol", "dana", "erin", "bob"].into_iter().enumerate() {
            let time = format!("2026-03-02T08:0{}:00Z", k + 1);
            records.push(record("GetTranscriptionJob", who, "198.51.100.7", &time, "", "j1"));
        }
        let (_, all) = jobs_of(&records);
        let j1 = all.iter().find(|j| j.name == "j1").expect("j1");
        assert!(
            j1.anomalies.contains(
                &"touched from 2 source addresses: 192.0.2.1 (alice), 198.51.100.7 (bob, carol, dana, and 1 more)"
                    .to_owned()
            ),
            "{:?}",
            j1.anomalies
        );
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
        let (_, all) = jobs_of(&records);
        let j1 = all.iter().find(|j| j.name == "j1").expect("j1");
        assert_eq!(j1.started_by.as_deref(), Some("alice"));
        assert_eq!(j1.duration_ms(), Some(61 * 60 * 1000));
        assert_eq!(
            j1.anomalies,
            vec![
                "read or deleted by another identity than alice: carol, eve, mallory".to_owned(),
                "touched from 2 source addresses: 192.0.2.1 (alice, eve, carol), 203.0.113.66 (mallory)".to_owned(),
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

    #[test]
    fn each_source_address_is_named_with_who_called_from_it() {
        let records: Vec<String> = [
            ("StartTranscriptionJob", "alice", "192.0.2.1", "08:00"),
            ("GetTranscriptionJob", "alice", "2001:db8::1", "08:01"),
            ("GetTranscriptionJob", "states.amazonaws.com", "states.amazonaws.com", "08:02"),
            ("GetTranscriptionJob", "bob", "198.51.100.1", "08:03"),
            ("GetTranscriptionJob", "carol", "198.51.100.2", "08:04"),
            ("GetTranscriptionJob", "bob", "192.0.2.1", "08:05"),
        ]
        .iter()
        .map(|(name, user, ip, at)| record(name, user, ip, &format!("2026-03-02T{at}:00Z"), "", "j1"))
        .collect();
        let (_, all) = jobs_of(&records);
        let touched = all[0].anomalies.iter().find(|a| a.starts_with("touched from")).expect("flagged");
        assert_eq!(
            touched,
            "touched from 5 source addresses: 192.0.2.1 (alice, bob), 2001:db8::1 (alice), \
             states.amazonaws.com (states.amazonaws.com), 198.51.100.1 (bob), and 1 more"
        );
    }

    fn jobs_of(records: &[String]) -> (Store, Vec<Job>) {
        let file = format!(r#"{{"Records":[{}]}}"#, records.join(","));
        let mut store = Store::new();
        store.add(ingest_file("a.json", file.as_bytes(), &IngestOptions::default()));
        let all = jobs(store.events(), store.by_time());
        (store, all)
    }

    /// A call by a role's session: the ARN names the role and the session, the short name the session.
    fn by_role(name: &str, role: &str, session: &str, time: &str, job: &str, status: &str) -> String {
        let response = if status.is_empty() {
            "null".to_owned()
        } else {
            format!(r#"{{"transcriptionJob":{{"transcriptionJobName":"{job}","transcriptionJobStatus":"{status}"}}}}"#)
        };
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/{role}/{session}","sessionContext":{{"sessionIssuer":{{"userName":"{role}"}}}}}},"eventTime":"{time}","eventSource":"transcribe.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","requestParameters":{{"transcriptionJobName":"{job}"}},"responseElements":{response},"eventID":"{name}-{role}-{time}","recipientAccountId":"111122223333"}}"#
        )
    }

    #[test]
    fn another_role_whose_session_has_the_starters_name_is_another_identity() {
        let (_, all) = jobs_of(&[
            by_role("StartTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:00:00Z", "j1", "IN_PROGRESS"),
            by_role("GetTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:01:00Z", "j1", "COMPLETED"),
            by_role("GetTranscriptionJob", "Intruder", "worker", "2026-03-02T08:02:00Z", "j1", "COMPLETED"),
        ]);
        let j1 = &all[0];
        assert_eq!(j1.started_by.as_deref(), Some("worker"));
        assert_eq!(j1.n_identities(), 2, "{:?}", j1.identities);
        assert_eq!(
            j1.anomalies,
            vec!["read or deleted by another identity than worker: arn:aws:sts::111122223333:assumed-role/Intruder/worker"
                .to_owned()]
        );
        // From another address, each address names its caller as a person tells them apart.
        let (_, all) = jobs_of(&[
            by_role("StartTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:00:00Z", "j1", "IN_PROGRESS"),
            by_role("GetTranscriptionJob", "Intruder", "worker", "2026-03-02T08:02:00Z", "j1", "COMPLETED")
                .replace("192.0.2.1", "203.0.113.66"),
        ]);
        assert_eq!(
            all[0].anomalies[1],
            "touched from 2 source addresses: 192.0.2.1 (worker), \
             203.0.113.66 (arn:aws:sts::111122223333:assumed-role/Intruder/worker)"
        );
        // The starter's own role and session, polling: nothing to flag.
        let (_, all) = jobs_of(&[
            by_role("StartTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:00:00Z", "j1", "IN_PROGRESS"),
            by_role("GetTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:01:00Z", "j1", "COMPLETED"),
        ]);
        assert!(all[0].anomalies.is_empty(), "{:?}", all[0].anomalies);
    }

    #[test]
    fn a_poll_in_the_second_of_the_delete_leaves_the_job_deleted() {
        // Sorted by time, the poll (read from the file after the delete) comes last: it cannot have
        // followed a delete that succeeded, since the job was gone.
        let (_, all) = jobs_of(&[
            by_role("StartTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:00:00Z", "j1", "IN_PROGRESS"),
            by_role("DeleteTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:05:00Z", "j1", ""),
            by_role("GetTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:05:00Z", "j1", "COMPLETED"),
        ]);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].status.as_deref(), Some("DELETED"));
        assert_eq!(all[0].events.len(), 3);
    }

    #[test]
    fn a_name_started_again_after_its_delete_is_another_job() {
        let (store, all) = jobs_of(&[
            by_role("StartTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:00:00Z", "j1", "IN_PROGRESS"),
            by_role("GetTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:01:00Z", "j1", "FAILED"),
            by_role("DeleteTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:02:00Z", "j1", ""),
            by_role("StartTranscriptionJob", "Other", "retry", "2026-03-02T09:00:00Z", "j1", "IN_PROGRESS"),
            by_role("GetTranscriptionJob", "Other", "retry", "2026-03-02T09:01:00Z", "j1", "COMPLETED"),
            // Started again with no delete in the logs (Transcribe refuses a name in use): a third life.
            by_role("StartTranscriptionJob", "Other", "again", "2026-03-03T09:00:00Z", "j1", "IN_PROGRESS"),
        ]);
        let lives: Vec<_> = all
            .iter()
            .map(|j| (j.life, j.lives, j.status.as_deref(), j.started_by.as_deref(), j.events.len()))
            .collect();
        // Newest first.
        assert_eq!(
            lives,
            vec![
                (3, 3, Some("IN_PROGRESS"), Some("again"), 1),
                (2, 3, Some("COMPLETED"), Some("retry"), 2),
                (1, 3, Some("DELETED"), Some("worker"), 3),
            ]
        );
        // No life sees another's caller as a stranger.
        assert!(
            all.iter().all(|j| j.anomalies.is_empty()),
            "{:?}",
            all.iter().map(|j| &j.anomalies).collect::<Vec<_>>()
        );
        let first = &all[2];
        let names: Vec<&str> = first.events.iter().map(|&i| store.events()[i].event_name()).collect();
        assert_eq!(names, ["StartTranscriptionJob", "GetTranscriptionJob", "DeleteTranscriptionJob"]);
    }

    #[test]
    fn a_vocabulary_filter_reads_as_created_since_transcribe_reports_no_state() {
        let create = |name: &str, event: &str, error: &str| {
            format!(
                r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","userName":"alice"}},"eventTime":"2026-03-02T08:00:00Z","eventSource":"transcribe.amazonaws.com","eventName":"{event}","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","errorCode":"{error}","requestParameters":{{"vocabularyFilterName":"{name}","vocabularyName":"{name}"}},"responseElements":null,"eventID":"{event}-{name}","recipientAccountId":"111122223333"}}"#
            )
        };
        let (_, all) = jobs_of(&[
            create("f1", "CreateVocabularyFilter", ""),
            create("f2", "CreateVocabularyFilter", "BadRequestException"),
            create("v1", "CreateVocabulary", ""),
        ]);
        let label = |name: &str| all.iter().find(|j| j.name == name).map(|j| j.status_label().to_owned());
        assert_eq!(label("f1").as_deref(), Some("CREATED"));
        // Refused: nothing was created.
        assert_eq!(label("f2").as_deref(), Some("CREATE REFUSED"));
        // A vocabulary has a state, and this response did not say it.
        assert_eq!(label("v1").as_deref(), Some("UNKNOWN"));
    }

    #[test]
    fn a_delete_in_the_second_of_a_restart_ends_the_life_before_it_in_either_order() {
        let start =
            || by_role("StartTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:00:00Z", "j1", "IN_PROGRESS");
        let get = || by_role("GetTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:01:00Z", "j1", "COMPLETED");
        let delete = || by_role("DeleteTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:02:00Z", "j1", "");
        let restart =
            || by_role("StartTranscriptionJob", "Pipeline", "w2", "2026-03-02T08:02:00Z", "j1", "IN_PROGRESS");
        for records in [[start(), get(), delete(), restart()], [start(), get(), restart(), delete()]] {
            let (_, all) = jobs_of(&records);
            let lives: Vec<_> = all.iter().map(|j| (j.life, j.status.as_deref(), j.events.len())).collect();
            assert_eq!(lives, vec![(2, Some("IN_PROGRESS"), 1), (1, Some("DELETED"), 3)]);
        }
    }

    #[test]
    fn a_jobs_key_stays_its_own_when_an_earlier_use_of_the_name_loads() {
        let newer = [
            by_role("StartTranscriptionJob", "Pipeline", "worker", "2026-03-03T08:00:00Z", "j1", "IN_PROGRESS"),
            by_role("GetTranscriptionJob", "Pipeline", "worker", "2026-03-03T08:01:00Z", "j1", "COMPLETED"),
        ];
        let (_, alone) = jobs_of(&newer);
        let older = [
            by_role("StartTranscriptionJob", "Pipeline", "worker", "2026-03-01T08:00:00Z", "j1", "IN_PROGRESS"),
            by_role("DeleteTranscriptionJob", "Pipeline", "worker", "2026-03-01T09:00:00Z", "j1", ""),
        ];
        let (_, both) = jobs_of(&[older[0].clone(), older[1].clone(), newer[0].clone(), newer[1].clone()]);
        assert_eq!(both.len(), 2);
        assert_eq!(both[0].key(), alone[0].key(), "the newer job is the same job");
        assert_ne!(both[1].key(), alone[0].key());
        assert_eq!((both[0].life, both[0].status.as_deref()), (2, Some("COMPLETED")));
    }

    #[test]
    fn a_starter_seen_without_an_arn_is_still_the_starter() {
        // A console CSV row (no ARN) starts it; the same user polls in records that carry the ARN.
        let csv = "Event name,Event time,User name,Event source,Resources,AWS region,Event ID,Source IP address,Recipient Account Id\n\
            StartTranscriptionJob,2026-03-02T08:00:00Z,worker,transcribe.amazonaws.com,\"[{\"\"resourceType\"\":\"\"AWS::Transcribe::TranscriptionJob\"\",\"\"resourceName\"\":\"\"j1\"\"}]\",us-east-1,csv-1,192.0.2.1,111122223333\n";
        let mut store = Store::new();
        store.add(ingest_file("h.csv", csv.as_bytes(), &IngestOptions::default()));
        let polls = [
            by_role("GetTranscriptionJob", "Pipeline", "worker", "2026-03-02T08:01:00Z", "j1", "COMPLETED"),
            // Another role under the same session name, and another role's session of another name.
            by_role("GetTranscriptionJob", "Intruder", "worker", "2026-03-02T08:02:00Z", "j1", "COMPLETED"),
            by_role("GetTranscriptionJob", "Intruder", "eve", "2026-03-02T08:03:00Z", "j1", "COMPLETED"),
        ];
        let file = format!(r#"{{"Records":[{}]}}"#, polls.join(","));
        store.add(ingest_file("a.json", file.as_bytes(), &IngestOptions::default()));
        let all = jobs(store.events(), store.by_time());
        assert_eq!(all.len(), 1, "{all:?}");
        let job = &all[0];
        assert_eq!(job.started_by.as_deref(), Some("worker"));
        // Without the starter's ARN, its name decides: the session named worker reads as the starter.
        assert_eq!(job.anomalies, vec!["read or deleted by another identity than worker: eve".to_owned()]);
        // worker (with and without an ARN, and under two roles' ARNs) and eve.
        assert_eq!(job.n_identities(), 3, "{:?}", job.identities);
    }
}

//! A deterministic generator of realistic CloudTrail deliveries: the built-in sample, the test data and the
//! benchmark input all come from [`generate`].
//!
//! [`GenConfig`] says how many records, over how many files, with what share of Amazon Transcribe calls and
//! duplicate deliveries; [`generate`] returns the files as CloudTrail puts them in S3 (`{"Records":[...]}`,
//! compact, gzip) and the [`Truth`] about what it wrote, counted while writing, never by reading the files
//! back. Transcribe resources follow lifecycles (start, polls, completion or failure, sometimes a delete by
//! someone else) rather than random calls, around them runs the usual noise of S3, STS, KMS, IAM, EC2, Lambda,
//! CloudWatch Logs and console sign-ins, and some calls fail as real ones do.
//!
//! ```
//! use trailscope_core::generate::{generate, GenConfig};
//!
//! let (files, truth) = generate(&GenConfig::sample());
//! assert_eq!(files.len(), 6);
//! assert!(files[0].name.ends_with(".json.gz"));
//! assert_eq!(truth.n_distinct_all, 2_000);
//! ```
//!
//! **Architecture Invariant:** the output depends only on the config. Same seed, same bytes, on every platform
//! including wasm32: one hand-written PRNG, ordered collections only, integer times, gzip with no file time.
//!
//! **Architecture Invariant:** the generator never calls the ingest code; a test recounts its files with
//! plain `serde_json::Value`, so the truth is independent of what it checks.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::io::Write as _;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenConfig {
    /// Seed of the pseudo-random generator: the same config gives the same bytes on every platform.
    pub seed: u64,
    /// Distinct records to write, before duplicate deliveries are added.
    pub n_events: usize,
    /// Delivery files to spread them over; fewer only when there are fewer records than files, none when
    /// there are no records. `0` counts as `1`.
    pub n_files: usize,
    /// Share of records that are Amazon Transcribe calls, per mille (50 = 5 %).
    pub transcribe_per_mille: u32,
    /// Gzip each file (`.json.gz`) as CloudTrail does; plain JSON (`.json`) otherwise.
    pub gzip: bool,
    /// Epoch milliseconds of the first event.
    pub start_ms: i64,
    /// Share of records delivered a second time, byte-identical, in a later file, per mille.
    pub duplicate_per_mille: u32,
}

impl GenConfig {
    /// The built-in sample a first visit shows: 2,000 events over one working day (from 2026-03-02T08:00:00Z)
    /// in 6 gzip files, a quarter of them Transcribe calls, a few duplicate deliveries.
    pub fn sample() -> Self {
        GenConfig {
            seed: 0x7472_6169_6c73_636f,
            n_events: 2_000,
            n_files: 6,
            transcribe_per_mille: 250,
            gzip: true,
            start_ms: SAMPLE_START_MS,
            duplicate_per_mille: 5,
        }
    }

    /// The benchmark input: 200,000 events (about four days) in 100 gzip files, 5 % Transcribe, 2 per mille
    /// duplicate deliveries.
    pub fn bench() -> Self {
        GenConfig {
            seed: 0x62_656e_6368,
            n_events: 200_000,
            n_files: 100,
            transcribe_per_mille: 50,
            gzip: true,
            start_ms: SAMPLE_START_MS,
            duplicate_per_mille: 2,
        }
    }
}

/// One CloudTrail delivery, as it sits in S3.
#[derive(Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The S3 key CloudTrail uses:
    /// `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<16 alnum>.json.gz`,
    /// without `.gz` when the config asks for plain JSON.
    pub name: String,
    /// The file's bytes: `{"Records":[...]}`, gzip-compressed unless the config says otherwise.
    pub bytes: Vec<u8>,
}

/// What [`generate`] wrote, counted while writing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Truth {
    /// Records over all files, duplicate deliveries included.
    pub n_records: u64,
    /// Distinct Transcribe events (`eventSource` `transcribe.amazonaws.com` or
    /// `transcribestreaming.amazonaws.com`), duplicates removed.
    pub n_transcribe: u64,
    /// Extra copies of Transcribe records.
    pub n_duplicates_transcribe: u64,
    /// Extra copies of any record.
    pub n_duplicates_all: u64,
    /// Distinct records (`eventID`s): `n_records - n_duplicates_all`.
    pub n_distinct_all: u64,
    /// Every Transcribe resource some event names, by resource name (names are unique across kinds).
    ///
    /// An event names a resource when its `requestParameters` carry `transcriptionJobName`,
    /// `medicalTranscriptionJobName`, `callAnalyticsJobName`, `vocabularyName` or `vocabularyFilterName`, or,
    /// for `TagResource`, a `resourceArn` ending in `/<name>`. Failed calls count too.
    pub jobs: BTreeMap<String, JobTruth>,
}

/// What the events say about one Transcribe resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobTruth {
    /// `transcription`, `medical`, `call-analytics`, `vocabulary` or `vocabulary-filter`.
    pub kind: &'static str,
    /// The status in the latest event of the resource that carries one (`transcriptionJobStatus`,
    /// `callAnalyticsJobStatus`, `vocabularyState` in `responseElements`), or `DELETED` after a successful
    /// delete. Empty when no event carries a status: vocabulary filters have none until deleted.
    pub last_status: &'static str,
    /// Distinct events naming the resource, failed calls included.
    pub n_events: u64,
}

/// Generates the files and the truth about them; see the module documentation.
pub fn generate(config: &GenConfig) -> (Vec<GeneratedFile>, Truth) {
    let mut gen = Gen::new(config);
    gen.run();
    gen.deliver()
}

impl fmt::Debug for GeneratedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Megabytes of gzip in a test failure help nobody.
        f.debug_struct("GeneratedFile").field("name", &self.name).field("bytes", &self.bytes.len()).finish()
    }
}

/// 2026-03-02T08:00:00Z.
const SAMPLE_START_MS: i64 = crate::time::days_from_civil(2026, 3, 2) * 86_400_000 + 8 * 3_600_000;

const ACCOUNTS: [&str; 2] = ["111122223333", "444455556666"];
const REGIONS: [&str; 3] = ["us-east-1", "eu-central-1", "us-west-2"];

/// (account, region) pairs in the order they come into use: the first three already cover both accounts and
/// all regions, so the 6-file sample shows them all. Slots 0 and 3 are each account's `us-east-1`, where
/// global services (IAM, sign-in) log.
const SLOTS: [(usize, usize); 6] = [(0, 0), (0, 1), (1, 2), (1, 0), (0, 2), (1, 1)];
const SLOT_WEIGHTS: [u32; 6] = [40, 20, 15, 12, 8, 5];

/// Documentation address ranges (RFC 5737, RFC 3849), so no real network shows up in a demo.
const OFFICE_IPS: [&str; 3] = ["203.0.113.10", "203.0.113.24", "198.51.100.23"];
const OFFICE_IPV6: &str = "2001:db8:85a3:4c1::7334";
const CI_IP: &str = "198.51.100.77";
const LAMBDA_IP: &str = "198.51.100.140";
const ODD_IP: &str = "192.0.2.211";

const HIDDEN: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// The tie-breaking sort key of records: time, then order of generation.
type SortKey = (i64, usize);

/// One AWS service as CloudTrail names it.
struct Service {
    source: &'static str,
    version: &'static str,
    /// Endpoint prefix, for `tlsDetails.clientProvidedHostHeader`.
    host: &'static str,
    /// Name in `aws-cli` user agents (`command/<cli>.<operation>`).
    cli: &'static str,
    /// Name in `aws-sdk-js` user agents (`api/<js>#3.540.0`).
    js: &'static str,
    /// Logged in `us-east-1` whatever the caller's region.
    global: bool,
    request_id: RequestId,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RequestId {
    Uuid,
    S3,
    None,
}

const TRANSCRIBE: Service = Service {
    source: "transcribe.amazonaws.com",
    version: "1.09",
    host: "transcribe",
    cli: "transcribe",
    js: "transcribe",
    global: false,
    request_id: RequestId::Uuid,
};
const STREAMING: Service = Service {
    source: "transcribestreaming.amazonaws.com",
    version: "1.09",
    host: "transcribestreaming",
    cli: "transcribe",
    js: "transcribe-streaming",
    global: false,
    request_id: RequestId::Uuid,
};
const S3: Service = Service {
    source: "s3.amazonaws.com",
    version: "1.10",
    host: "s3",
    cli: "s3",
    js: "s3",
    global: false,
    request_id: RequestId::S3,
};
const STS: Service = Service {
    source: "sts.amazonaws.com",
    version: "1.08",
    host: "sts",
    cli: "sts",
    js: "sts",
    global: false,
    request_id: RequestId::Uuid,
};
const KMS: Service = Service {
    source: "kms.amazonaws.com",
    version: "1.08",
    host: "kms",
    cli: "kms",
    js: "kms",
    global: false,
    request_id: RequestId::Uuid,
};
const IAM: Service = Service {
    source: "iam.amazonaws.com",
    version: "1.09",
    host: "iam",
    cli: "iam",
    js: "iam",
    global: true,
    request_id: RequestId::Uuid,
};
const EC2: Service = Service {
    source: "ec2.amazonaws.com",
    version: "1.09",
    host: "ec2",
    cli: "ec2",
    js: "ec2",
    global: false,
    request_id: RequestId::Uuid,
};
const LAMBDA: Service = Service {
    source: "lambda.amazonaws.com",
    version: "1.08",
    host: "lambda",
    cli: "lambda",
    js: "lambda",
    global: false,
    request_id: RequestId::Uuid,
};
const LOGS: Service = Service {
    source: "logs.amazonaws.com",
    version: "1.08",
    host: "logs",
    cli: "logs",
    js: "cloudwatch-logs",
    global: false,
    request_id: RequestId::Uuid,
};
const SIGNIN: Service = Service {
    source: "signin.amazonaws.com",
    version: "1.09",
    host: "signin",
    cli: "signin",
    js: "signin",
    global: true,
    request_id: RequestId::None,
};

/// Who calls.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    /// IAM user, command line on a Mac, sometimes the console.
    Alice,
    /// IAM user with scripts (Python, Node.js); its key also shows up where it should not.
    Bob,
    /// IAM user, data scientist on Linux.
    Erin,
    /// The CI role, one session per pipeline run.
    Ci,
    /// The Lambda function's role that runs the transcription pipeline.
    Pipeline,
    /// A console user through IAM Identity Center.
    Dana,
    /// The account's root user, rarely.
    Root,
    /// An AWS service acting as itself.
    Service(&'static str),
}

/// The user agent family of a call.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Agent {
    CliMac,
    CliLinux,
    CliOld,
    BotoMac,
    BotoLinux,
    BotoLambda,
    Js,
    Browser,
    Internal,
    /// An AWS service calling on the caller's behalf (`invokedBy`).
    Service(&'static str),
}

/// Everything about one record except the request, response, error text, extra data and resources, which a
/// scenario writes into [`Gen`]'s scratch buffers before [`Gen::emit`].
struct Head {
    t: i64,
    slot: usize,
    who: Who,
    agent: Agent,
    ip: &'static str,
    service: &'static Service,
    name: &'static str,
    read_only: bool,
    /// `errorCode`, with the message in `Gen::err`; `Some("")` writes the message alone, as a failed console
    /// sign-in does.
    error_code: Option<&'static str>,
    data_event: bool,
    event_type: &'static str,
    /// A console sign-in: the identity carries no access key.
    sign_in: bool,
    resource: Option<u32>,
    status: Option<&'static str>,
}

/// A record written into the arena.
struct Rec {
    t: i64,
    slot: u8,
    transcribe: bool,
    resource: Option<u32>,
    status: Option<&'static str>,
    start: usize,
    end: usize,
}

struct Resource {
    name: String,
    kind: &'static str,
}

/// Where a rollback returns to.
struct Mark {
    n_records: usize,
    arena_len: usize,
    n_resources: usize,
    n_transcribe: u64,
}

struct Gen<'c> {
    config: &'c GenConfig,
    rng: Rng,
    n_slots: usize,
    /// Milliseconds; advanced per record by a random gap around `gap_ms`.
    clock_ms: i64,
    gap_ms: i64,
    /// All records' JSON, back to back.
    arena: String,
    records: Vec<Rec>,
    resources: Vec<Resource>,
    names: BTreeSet<String>,
    n_transcribe: u64,
    /// Last console sign-in per account, in seconds: people sign in a few times a day, not per call.
    last_login: [i64; 2],
    req: String,
    resp: String,
    err: String,
    extra: String,
    res: String,
}

impl<'c> Gen<'c> {
    fn new(config: &'c GenConfig) -> Gen<'c> {
        let n_files = config.n_files.max(1);
        // Two files per (account, region) at least, so that duplicates have a later file to go to.
        let n_slots = (n_files / 2).clamp(1, SLOTS.len());
        // A working day for the sample, growing slower than the event count for big runs.
        let n_events = config.n_events.max(1) as f64;
        let span_ms = 8.0 * 3_600_000.0 * (n_events / 2_000.0).sqrt();
        let gap_ms = ((span_ms / n_events) as i64).max(1);
        Gen {
            config,
            rng: Rng::new(config.seed),
            n_slots,
            clock_ms: config.start_ms,
            gap_ms,
            arena: String::with_capacity(config.n_events.saturating_mul(1_500)),
            records: Vec::with_capacity(config.n_events),
            resources: Vec::new(),
            names: BTreeSet::new(),
            n_transcribe: 0,
            last_login: [i64::MIN / 2; 2],
            req: String::new(),
            resp: String::new(),
            err: String::new(),
            extra: String::new(),
            res: String::new(),
        }
    }

    /// Runs whole scenarios while they fit, steering towards the configured Transcribe share; the last few
    /// records are single calls so that the count comes out exact and no lifecycle is cut.
    fn run(&mut self) {
        let n_events = self.config.n_events;
        while self.records.len() < n_events {
            let mark = self.mark();
            if self.transcribe_is_behind() {
                self.transcribe_scenario();
            } else {
                self.noise_scenario();
            }
            if self.records.len() > n_events {
                self.rollback(mark);
                while self.records.len() < n_events {
                    if self.transcribe_is_behind() {
                        self.console_list(1);
                    } else {
                        self.ec2_describe();
                    }
                }
            }
        }
    }

    fn transcribe_is_behind(&self) -> bool {
        let n_next = self.records.len() as u64 + 1;
        self.n_transcribe * 1000 < u64::from(self.config.transcribe_per_mille) * n_next
    }

    fn mark(&self) -> Mark {
        Mark {
            n_records: self.records.len(),
            arena_len: self.arena.len(),
            n_resources: self.resources.len(),
            n_transcribe: self.n_transcribe,
        }
    }

    fn rollback(&mut self, mark: Mark) {
        self.records.truncate(mark.n_records);
        self.arena.truncate(mark.arena_len);
        self.resources.truncate(mark.n_resources);
        self.n_transcribe = mark.n_transcribe;
    }

    fn transcribe_scenario(&mut self) {
        match self.rng.weighted(&[44, 10, 12, 8, 4, 8, 9, 5]) {
            0 => self.transcription_job(),
            1 => self.medical_job(),
            2 => self.call_analytics_job(),
            3 => self.vocabulary(),
            4 => self.vocabulary_filter(),
            5 => self.streaming(),
            6 => {
                let n_calls = self.rng.range(1, 4) as usize;
                self.console_list(n_calls)
            }
            _ => self.probe(),
        }
    }

    fn noise_scenario(&mut self) {
        match self.rng.weighted(&[24, 12, 12, 13, 8, 12, 10, 2, 2]) {
            0 => self.s3_media(),
            1 => self.sts(),
            2 => self.kms(),
            3 => self.ec2_describe(),
            4 => self.lambda(),
            5 => self.logs(),
            6 => self.iam_console(),
            7 => self.console_login(),
            _ => self.stray_errors(),
        }
    }

    // ---- time, place, people -------------------------------------------------------------------------------

    /// The current second, where a scenario starts.
    fn now(&self) -> i64 {
        self.clock_ms.div_euclid(1000)
    }

    fn pick_slot(&mut self) -> usize {
        self.rng.weighted(&SLOT_WEIGHTS[..self.n_slots])
    }

    /// The slot where a global service logs the calls of `slot`'s account.
    fn global_slot(&self, slot: usize) -> usize {
        if SLOTS[slot].0 == 1 && self.n_slots > 3 {
            3
        } else {
            0
        }
    }

    fn account(slot: usize) -> &'static str {
        ACCOUNTS[SLOTS[slot].0]
    }

    fn region(slot: usize) -> &'static str {
        REGIONS[SLOTS[slot].1]
    }

    /// A call by `who` from its usual place with its usual tools.
    fn call(&mut self, t: i64, slot: usize, who: Who, service: &'static Service, name: &'static str) -> Head {
        let (agent, ip) = match who {
            Who::Alice if self.rng.chance(150) => (Agent::Browser, OFFICE_IPS[0]),
            Who::Alice => (Agent::CliMac, if self.rng.chance(200) { OFFICE_IPV6 } else { OFFICE_IPS[0] }),
            Who::Bob if self.rng.chance(400) => (Agent::Js, OFFICE_IPS[2]),
            Who::Bob => (Agent::BotoMac, OFFICE_IPS[1]),
            Who::Erin => (Agent::BotoLinux, if self.rng.chance(500) { OFFICE_IPV6 } else { OFFICE_IPS[2] }),
            Who::Ci => (Agent::CliLinux, CI_IP),
            Who::Pipeline => (Agent::BotoLambda, LAMBDA_IP),
            Who::Dana => (Agent::Browser, OFFICE_IPS[self.rng.below(2) as usize]),
            Who::Root => (Agent::Browser, OFFICE_IPS[0]),
            Who::Service(host) => (Agent::Service(host), host),
        };
        // The IAM console calls IAM from inside AWS.
        let (agent, ip) =
            if agent == Agent::Browser && service.global { (Agent::Internal, "AWS Internal") } else { (agent, ip) };
        let read_only = ["Get", "List", "Describe", "Filter", "Lookup", "Decrypt"].iter().any(|p| name.starts_with(p));
        Head {
            t,
            slot: if service.global { self.global_slot(slot) } else { slot },
            who,
            agent,
            ip,
            service,
            name,
            read_only,
            error_code: None,
            data_event: false,
            event_type: "AwsApiCall",
            sign_in: false,
            resource: None,
            status: None,
        }
    }

    /// A call an AWS service makes with `who`'s permissions (`invokedBy`).
    fn on_behalf(
        &mut self,
        t: i64,
        slot: usize,
        who: Who,
        via: &'static str,
        service: &'static Service,
        name: &'static str,
    ) -> Head {
        let mut head = self.call(t, slot, who, service, name);
        head.agent = Agent::Service(via);
        head.ip = via;
        head
    }

    fn new_resource(&mut self, name: &str, kind: &'static str) -> u32 {
        self.resources.push(Resource { name: name.to_owned(), kind });
        (self.resources.len() - 1) as u32
    }

    /// A fresh name such as `call-2026-03-02-0815-support-7f3a`.
    fn job_name(&mut self, prefixes: &[&str], topics: &[&str], t: i64) -> String {
        let prefix = self.rng.pick(prefixes);
        let topic = self.rng.pick(topics);
        let (year, month, day, hour, minute, _) = civil(t);
        loop {
            let mut name = format!("{prefix}-{year}-{month:02}-{day:02}-{hour:02}{minute:02}-{topic}-");
            self.rng.hex(&mut name, 4);
            if self.names.insert(name.clone()) {
                return name;
            }
        }
    }

    fn unique(&mut self, base: String) -> String {
        let mut name = base;
        while !self.names.insert(name.clone()) {
            name.push('-');
            self.rng.hex(&mut name, 2);
        }
        name
    }

    /// Writes the error text for an IAM policy denial of `who`.
    fn denial(&mut self, who: Who, t: i64, slot: usize, action: &str, resource: &str) {
        self.err.clear();
        self.err.push_str("User: ");
        write_principal_arn(&mut self.err, who, Self::account(slot), t);
        put(&mut self.err, format_args!(" is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"));
    }

    fn clear(&mut self) {
        self.req.clear();
        self.resp.clear();
        self.err.clear();
        self.extra.clear();
        self.res.clear();
    }

    // ---- Transcribe ------------------------------------------------------------------------------------------

    fn transcription_job(&mut self) {
        let slot = self.pick_slot();
        let (account, region) = (Self::account(slot), Self::region(slot));
        let mut t = self.now();
        let who =
            self.rng.pick(&[Who::Pipeline, Who::Pipeline, Who::Pipeline, Who::Alice, Who::Alice, Who::Dana, Who::Ci]);
        let name = self.job_name(
            &["call", "call", "meeting", "podcast", "interview", "voicemail"],
            &["support", "sales", "onboarding", "weekly-sync", "escalation", "billing", "renewal"],
            t,
        );
        let resource = self.new_resource(&name, "transcription");
        let language = language(&mut self.rng, region);
        let format = self.rng.pick(&["mp3", "wav", "wav", "flac", "mp4", "ogg", "m4a"]);
        let (year, month, day, ..) = civil(t);
        let media_bucket = format!("acme-media-{account}-{region}");
        let key = format!("incoming/{year}/{month:02}/{day:02}/{name}.{format}");
        let media_uri = format!("s3://{media_bucket}/{key}");
        let output_bucket = format!("acme-transcripts-{account}-{region}");
        let arn = format!("arn:aws:transcribe:{region}:{account}:transcription-job/{name}");

        if who != Who::Dana && self.rng.chance(600) {
            self.s3_object(t, slot, who, "PutObject", &media_bucket, &key, None);
            t += self.rng.range(1, 20);
        }
        if self.rng.chance(40) {
            // Someone without the permission tries first; the owner starts it a bit later.
            let mut head = self.call(t, slot, Who::Bob, &TRANSCRIBE, "StartTranscriptionJob");
            head.error_code = Some("AccessDeniedException");
            head.resource = Some(resource);
            self.denial(Who::Bob, t, slot, "transcribe:StartTranscriptionJob", &arn);
            self.transcription_request(&name, language, format, &media_uri, &output_bucket);
            self.emit(&head);
            t += self.rng.range(60, 900);
        }
        let started = t;
        let mut head = self.call(t, slot, who, &TRANSCRIBE, "StartTranscriptionJob");
        head.resource = Some(resource);
        head.status = Some("IN_PROGRESS");
        self.transcription_request(&name, language, format, &media_uri, &output_bucket);
        let job = JobText { name: &name, language, format, media_uri: &media_uri, started };
        self.resp.push_str(r#"{"transcriptionJob":"#);
        job.write(&mut self.resp, "IN_PROGRESS", None);
        self.resp.push('}');
        self.emit(&head);

        if self.rng.chance(50) {
            // A retry from a pipeline that did not see the first answer.
            t += self.rng.range(1, 5);
            let mut head = self.call(t, slot, who, &TRANSCRIBE, "StartTranscriptionJob");
            head.error_code = Some("ConflictException");
            head.resource = Some(resource);
            self.err.push_str("The requested job name already exists. Use a different job name.");
            self.transcription_request(&name, language, format, &media_uri, &output_bucket);
            self.emit(&head);
        }
        if self.rng.chance(200) {
            t += self.rng.range(1, 4);
            self.tag(t, slot, who, resource, &arn);
        }
        if self.rng.chance(400) {
            t += self.rng.range(1, 3);
            self.s3_object(t, slot, who, "GetObject", &media_bucket, &key, Some("transcribe.amazonaws.com"));
        }

        let outcome = self.rng.weighted(&[85, 10, 5]);
        let n_polls = self.rng.range(1, 6);
        let mut done_at = t;
        for poll_idx in 0..n_polls {
            t += self.rng.range(5, 60);
            let last = poll_idx == n_polls - 1;
            let mut head = self.call(t, slot, who, &TRANSCRIBE, "GetTranscriptionJob");
            head.resource = Some(resource);
            put(&mut self.req, format_args!(r#"{{"transcriptionJobName":{}}}"#, J(&name)));
            if !last && self.rng.chance(50) {
                head.error_code = Some("ThrottlingException");
                self.err.push_str("Rate exceeded");
                self.emit(&head);
                continue;
            }
            let status = match (last, outcome) {
                (true, 0) => "COMPLETED",
                (true, 1) => "FAILED",
                _ => "IN_PROGRESS",
            };
            head.status = Some(status);
            let end = match status {
                "COMPLETED" => {
                    Some(Ending::Transcript(format!("https://s3.{region}.amazonaws.com/{output_bucket}/{name}.json")))
                }
                "FAILED" => Some(Ending::Failure(self.rng.pick(&FAILURE_REASONS))),
                _ => None,
            };
            self.resp.push_str(r#"{"transcriptionJob":"#);
            job.write(&mut self.resp, status, end.as_ref().map(|end| (end, t - 1)));
            self.resp.push('}');
            self.emit(&head);
            done_at = t;
        }
        if outcome == 0 {
            self.s3_object(
                done_at - 1,
                slot,
                who,
                "PutObject",
                &output_bucket,
                &format!("{name}.json"),
                Some("transcribe.amazonaws.com"),
            );
        }
        if self.rng.chance(80) {
            t += self.rng.range(30, 600);
            let mut head = self.call(t, slot, Who::Bob, &TRANSCRIBE, "GetTranscriptionJob");
            head.resource = Some(resource);
            head.error_code = Some("AccessDeniedException");
            self.denial(Who::Bob, t, slot, "transcribe:GetTranscriptionJob", &arn);
            put(&mut self.req, format_args!(r#"{{"transcriptionJobName":{}}}"#, J(&name)));
            self.emit(&head);
        }
        if outcome != 2 && self.rng.chance(250) {
            t += self.rng.range(600, 6 * 3600);
            let deleter = self.rng.pick(&[who, who, Who::Ci, Who::Dana, Who::Alice]);
            self.delete(t, slot, deleter, "DeleteTranscriptionJob", "transcriptionJobName", resource, &name, &arn);
        }
    }

    fn transcription_request(
        &mut self,
        name: &str,
        language: &str,
        format: &str,
        media_uri: &str,
        output_bucket: &str,
    ) {
        put(
            &mut self.req,
            format_args!(
                r#"{{"transcriptionJobName":{},"languageCode":"{language}","mediaFormat":"{format}","media":{{"mediaFileUri":{}}},"outputBucketName":{}"#,
                J(name),
                J(media_uri),
                J(output_bucket)
            ),
        );
        if name.starts_with("meeting") || name.starts_with("interview") {
            self.req.push_str(r#","settings":{"showSpeakerLabels":true,"maxSpeakerLabels":4}"#);
        }
        self.req.push('}');
    }

    fn medical_job(&mut self) {
        let slot = self.pick_slot();
        let (account, region) = (Self::account(slot), Self::region(slot));
        let mut t = self.now();
        let who = self.rng.pick(&[Who::Pipeline, Who::Erin, Who::Erin]);
        let dictation = self.rng.chance(300);
        let name = self.job_name(
            if dictation { &["dictation"] } else { &["clinic-visit", "telehealth"] },
            &["cardiology", "primary", "followup", "intake"],
            t,
        );
        let resource = self.new_resource(&name, "medical");
        let kind = if dictation { "DICTATION" } else { "CONVERSATION" };
        let format = self.rng.pick(&["wav", "flac", "mp3"]);
        let (year, month, day, ..) = civil(t);
        let media_uri = if self.rng.chance(350) {
            HIDDEN.to_owned()
        } else {
            format!("s3://acme-clinical-audio-{account}-{region}/{year}/{month:02}/{day:02}/{name}.{format}")
        };
        let output_bucket = format!("acme-clinical-transcripts-{account}-{region}");
        let arn = format!("arn:aws:transcribe:{region}:{account}:medical-transcription-job/{name}");
        let started = t;

        let mut head = self.call(t, slot, who, &TRANSCRIBE, "StartMedicalTranscriptionJob");
        head.resource = Some(resource);
        head.status = Some("IN_PROGRESS");
        put(
            &mut self.req,
            format_args!(
                r#"{{"medicalTranscriptionJobName":{},"languageCode":"en-US","mediaFormat":"{format}","media":{{"mediaFileUri":{}}},"outputBucketName":{},"specialty":"PRIMARYCARE","type":"{kind}"}}"#,
                J(&name),
                J(&media_uri),
                J(&output_bucket)
            ),
        );
        let job = MedicalText { name: &name, format, media_uri: &media_uri, kind, started };
        job.write(&mut self.resp, "IN_PROGRESS", None);
        self.emit(&head);
        if self.rng.chance(150) {
            t += self.rng.range(1, 4);
            self.tag(t, slot, who, resource, &arn);
        }

        let outcome = self.rng.weighted(&[88, 8, 4]);
        let n_polls = self.rng.range(1, 5);
        for poll_idx in 0..n_polls {
            t += self.rng.range(10, 90);
            let status = match (poll_idx == n_polls - 1, outcome) {
                (true, 0) => "COMPLETED",
                (true, 1) => "FAILED",
                _ => "IN_PROGRESS",
            };
            let mut head = self.call(t, slot, who, &TRANSCRIBE, "GetMedicalTranscriptionJob");
            head.resource = Some(resource);
            head.status = Some(status);
            put(&mut self.req, format_args!(r#"{{"medicalTranscriptionJobName":{}}}"#, J(&name)));
            let end = match status {
                "COMPLETED" => Some(Ending::Transcript(format!(
                    "https://s3.{region}.amazonaws.com/{output_bucket}/medical/{name}.json"
                ))),
                "FAILED" => Some(Ending::Failure(self.rng.pick(&FAILURE_REASONS))),
                _ => None,
            };
            job.write(&mut self.resp, status, end.as_ref().map(|end| (end, t - 1)));
            self.emit(&head);
        }
        if outcome != 2 && self.rng.chance(150) {
            t += self.rng.range(3600, 12 * 3600);
            self.delete(
                t,
                slot,
                who,
                "DeleteMedicalTranscriptionJob",
                "medicalTranscriptionJobName",
                resource,
                &name,
                &arn,
            );
        }
    }

    fn call_analytics_job(&mut self) {
        let slot = self.pick_slot();
        let (account, region) = (Self::account(slot), Self::region(slot));
        let mut t = self.now();
        let who = self.rng.pick(&[Who::Pipeline, Who::Pipeline, Who::Bob]);
        let name = self.job_name(&["contact-center", "cc"], &["billing", "support", "retention", "sales"], t);
        let resource = self.new_resource(&name, "call-analytics");
        let (year, month, day, ..) = civil(t);
        let media_uri =
            format!("s3://acme-media-{account}-{region}/contact-center/{year}/{month:02}/{day:02}/{name}.wav");
        let output = format!("s3://acme-transcripts-{account}-{region}/analytics/");
        let role = format!("arn:aws:iam::{account}:role/TranscribeCallAnalyticsAccess");
        let arn = format!("arn:aws:transcribe:{region}:{account}:call-analytics-job/{name}");
        let started = t;
        let job = AnalyticsText { name: &name, media_uri: &media_uri, role: &role, started };

        let mut head = self.call(t, slot, who, &TRANSCRIBE, "StartCallAnalyticsJob");
        head.resource = Some(resource);
        put(
            &mut self.req,
            format_args!(
                r#"{{"callAnalyticsJobName":{},"media":{{"mediaFileUri":{}}},"outputLocation":{},"dataAccessRoleArn":{},"channelDefinitions":[{{"channelId":0,"participantRole":"AGENT"}},{{"channelId":1,"participantRole":"CUSTOMER"}}]}}"#,
                J(&name),
                J(&media_uri),
                J(&output),
                J(&role)
            ),
        );
        if who == Who::Bob && self.rng.chance(300) {
            head.error_code = Some("BadRequestException");
            self.err.push_str("The S3 URI that you provided can't be accessed. Make sure that you have read permission and try your request again.");
            self.emit(&head);
            t += self.rng.range(120, 900);
            head = self.call(t, slot, Who::Pipeline, &TRANSCRIBE, "StartCallAnalyticsJob");
            head.resource = Some(resource);
            put(
                &mut self.req,
                format_args!(
                    r#"{{"callAnalyticsJobName":{},"media":{{"mediaFileUri":{}}},"outputLocation":{},"dataAccessRoleArn":{}}}"#,
                    J(&name),
                    J(&media_uri),
                    J(&output),
                    J(&role)
                ),
            );
        }
        let who = head.who;
        head.status = Some("IN_PROGRESS");
        job.write(&mut self.resp, "IN_PROGRESS", None);
        self.emit(&head);

        let failed = self.rng.chance(80);
        let n_polls = self.rng.range(1, 5);
        for poll_idx in 0..n_polls {
            t += self.rng.range(15, 120);
            let status = match (poll_idx == n_polls - 1, failed) {
                (true, false) => "COMPLETED",
                (true, true) => "FAILED",
                _ => "IN_PROGRESS",
            };
            let mut head = self.call(t, slot, who, &TRANSCRIBE, "GetCallAnalyticsJob");
            head.resource = Some(resource);
            head.status = Some(status);
            put(&mut self.req, format_args!(r#"{{"callAnalyticsJobName":{}}}"#, J(&name)));
            let end = match status {
                "COMPLETED" => Some(Ending::Transcript(format!("{output}{name}.json"))),
                "FAILED" => Some(Ending::Failure(self.rng.pick(&FAILURE_REASONS))),
                _ => None,
            };
            job.write(&mut self.resp, status, end.as_ref().map(|end| (end, t - 1)));
            self.emit(&head);
        }
        if self.rng.chance(200) {
            t += self.rng.range(600, 4 * 3600);
            let deleter = self.rng.pick(&[who, Who::Ci, Who::Dana]);
            self.delete(t, slot, deleter, "DeleteCallAnalyticsJob", "callAnalyticsJobName", resource, &name, &arn);
        }
    }

    fn vocabulary(&mut self) {
        let slot = self.pick_slot();
        let (account, region) = (Self::account(slot), Self::region(slot));
        let mut t = self.now();
        let who = self.rng.pick(&[Who::Alice, Who::Erin, Who::Dana, Who::Ci]);
        let language = language(&mut self.rng, region);
        let topic = self.rng.pick(&["product-names", "brand-terms", "drug-names", "agent-names", "acronyms"]);
        let version = self.rng.range(1, 9);
        let name = self.unique(format!("{topic}-{}-v{version}", language.to_ascii_lowercase()));
        let resource = self.new_resource(&name, "vocabulary");
        let file_uri = format!("s3://acme-config-{account}/vocabularies/{name}.txt");
        let arn = format!("arn:aws:transcribe:{region}:{account}:vocabulary/{name}");

        let mut head = self.call(t, slot, who, &TRANSCRIBE, "CreateVocabulary");
        head.resource = Some(resource);
        head.status = Some("PENDING");
        put(
            &mut self.req,
            format_args!(
                r#"{{"vocabularyName":{},"languageCode":"{language}","vocabularyFileUri":{}}}"#,
                J(&name),
                J(&file_uri)
            ),
        );
        write_vocabulary(&mut self.resp, &name, language, "PENDING", t, None);
        self.emit(&head);

        let rounds = if self.rng.chance(400) { 2 } else { 1 };
        for round_idx in 0..rounds {
            if round_idx == 1 {
                t += self.rng.range(1800, 8 * 3600);
                let mut head = self.call(t, slot, who, &TRANSCRIBE, "UpdateVocabulary");
                head.resource = Some(resource);
                head.status = Some("PENDING");
                put(
                    &mut self.req,
                    format_args!(
                        r#"{{"vocabularyName":{},"languageCode":"{language}","vocabularyFileUri":{}}}"#,
                        J(&name),
                        J(&file_uri)
                    ),
                );
                write_vocabulary(&mut self.resp, &name, language, "PENDING", t, None);
                self.emit(&head);
            }
            let failed = self.rng.chance(120);
            let n_polls = self.rng.range(1, 4);
            for poll_idx in 0..n_polls {
                t += self.rng.range(20, 120);
                let status = match (poll_idx == n_polls - 1, failed) {
                    (true, false) => "READY",
                    (true, true) => "FAILED",
                    _ => "PENDING",
                };
                let mut head = self.call(t, slot, who, &TRANSCRIBE, "GetVocabulary");
                head.resource = Some(resource);
                head.status = Some(status);
                put(&mut self.req, format_args!(r#"{{"vocabularyName":{}}}"#, J(&name)));
                let failure = failed.then_some(
                    "The vocabulary that you're trying to create contains invalid characters or incorrectly formatted terms. See the developer guide for more information.",
                );
                write_vocabulary(
                    &mut self.resp,
                    &name,
                    language,
                    status,
                    t - 1,
                    failure.filter(|_| status == "FAILED"),
                );
                // GetVocabulary also returns where to download the list.
                if status == "READY" {
                    self.resp.pop();
                    put(
                        &mut self.resp,
                        format_args!(
                            r#","downloadUri":"https://s3.{region}.amazonaws.com/aws-transcribe-dictionary-model-{region}-prod/{account}/{name}/"#
                        ),
                    );
                    self.rng.uuid(&mut self.resp);
                    self.resp.push_str(r#"/input.txt"}"#);
                }
                self.emit(&head);
            }
        }
        if self.rng.chance(200) {
            t += self.rng.range(3600, 24 * 3600);
            let deleter = self.rng.pick(&[who, Who::Dana]);
            self.delete(t, slot, deleter, "DeleteVocabulary", "vocabularyName", resource, &name, &arn);
        }
    }

    fn vocabulary_filter(&mut self) {
        let slot = self.pick_slot();
        let (account, region) = (Self::account(slot), Self::region(slot));
        let mut t = self.now();
        let who = self.rng.pick(&[Who::Alice, Who::Dana]);
        let language = language(&mut self.rng, region);
        let name = self.unique(format!("profanity-filter-{}", language.to_ascii_lowercase()));
        let resource = self.new_resource(&name, "vocabulary-filter");
        let arn = format!("arn:aws:transcribe:{region}:{account}:vocabulary-filter/{name}");

        let mut head = self.call(t, slot, who, &TRANSCRIBE, "CreateVocabularyFilter");
        head.resource = Some(resource);
        put(
            &mut self.req,
            format_args!(
                r#"{{"vocabularyFilterName":{},"languageCode":"{language}","words":["darn","heck","shoot"]}}"#,
                J(&name)
            ),
        );
        put(
            &mut self.resp,
            format_args!(
                r#"{{"vocabularyFilterName":{},"languageCode":"{language}","lastModifiedTime":"{}"}}"#,
                J(&name),
                Java(t)
            ),
        );
        self.emit(&head);

        t += self.rng.range(5, 120);
        let mut head = self.call(t, slot, who, &TRANSCRIBE, "GetVocabularyFilter");
        head.resource = Some(resource);
        put(&mut self.req, format_args!(r#"{{"vocabularyFilterName":{}}}"#, J(&name)));
        self.emit(&head);

        if self.rng.chance(400) {
            t += self.rng.range(600, 6 * 3600);
            let mut head = self.call(t, slot, who, &TRANSCRIBE, "UpdateVocabularyFilter");
            head.resource = Some(resource);
            put(
                &mut self.req,
                format_args!(r#"{{"vocabularyFilterName":{},"words":["darn","heck","shoot","dang"]}}"#, J(&name)),
            );
            put(
                &mut self.resp,
                format_args!(
                    r#"{{"vocabularyFilterName":{},"languageCode":"{language}","lastModifiedTime":"{}"}}"#,
                    J(&name),
                    Java(t)
                ),
            );
            self.emit(&head);
        }
        if self.rng.chance(250) {
            t += self.rng.range(3600, 24 * 3600);
            self.delete(t, slot, who, "DeleteVocabularyFilter", "vocabularyFilterName", resource, &name, &arn);
        }
    }

    /// A successful delete, sometimes after a denied attempt.
    #[allow(clippy::too_many_arguments)]
    fn delete(
        &mut self,
        t: i64,
        slot: usize,
        who: Who,
        event_name: &'static str,
        field: &str,
        resource: u32,
        name: &str,
        arn: &str,
    ) {
        let mut t = t;
        if self.rng.chance(100) {
            let mut head = self.call(t, slot, Who::Bob, &TRANSCRIBE, event_name);
            head.resource = Some(resource);
            head.error_code = Some("AccessDeniedException");
            self.denial(Who::Bob, t, slot, &format!("transcribe:{event_name}"), arn);
            put(&mut self.req, format_args!(r#"{{"{field}":{}}}"#, J(name)));
            self.emit(&head);
            t += self.rng.range(60, 3600);
        }
        let mut head = self.call(t, slot, who, &TRANSCRIBE, event_name);
        head.resource = Some(resource);
        head.status = Some("DELETED");
        put(&mut self.req, format_args!(r#"{{"{field}":{}}}"#, J(name)));
        self.emit(&head);
    }

    fn tag(&mut self, t: i64, slot: usize, who: Who, resource: u32, arn: &str) {
        let mut head = self.call(t, slot, who, &TRANSCRIBE, "TagResource");
        head.resource = Some(resource);
        let value = self.rng.pick(&["support-qa", "sales-insights", "compliance", "research"]);
        put(
            &mut self.req,
            format_args!(
                r#"{{"resourceArn":{},"tags":[{{"key":"project","value":"{value}"}},{{"key":"cost-center","value":"cc-4410"}}]}}"#,
                J(arn)
            ),
        );
        self.emit(&head);
    }

    fn streaming(&mut self) {
        let slot = self.pick_slot();
        let mut t = self.now();
        let (who, websocket) = if self.rng.chance(300) { (Who::Dana, true) } else { (Who::Bob, false) };
        let n_sessions = self.rng.range(1, 3);
        for _ in 0..n_sessions {
            let name = if websocket { "StartStreamTranscriptionWebSocket" } else { "StartStreamTranscription" };
            let mut head = self.call(t, slot, who, &STREAMING, name);
            if !websocket {
                head.agent = Agent::Js;
            }
            let language = language(&mut self.rng, Self::region(slot));
            let rate = self.rng.pick(&[8000, 16000, 16000, 44100]);
            put(
                &mut self.req,
                format_args!(r#"{{"languageCode":"{language}","mediaSampleRateHertz":{rate},"mediaEncoding":"pcm"}}"#),
            );
            if self.rng.chance(60) {
                head.error_code = Some("BadRequestException");
                self.err.push_str("Your request timed out because no new audio was received for 15 seconds.");
            } else {
                self.resp.push_str(r#"{"sessionId":""#);
                self.rng.uuid(&mut self.resp);
                put(
                    &mut self.resp,
                    format_args!(
                        r#"","languageCode":"{language}","mediaSampleRateHertz":{rate},"mediaEncoding":"pcm"}}"#
                    ),
                );
            }
            self.emit(&head);
            t += self.rng.range(60, 1800);
        }
    }

    /// Someone browsing the Transcribe console, or a script listing jobs.
    fn console_list(&mut self, n_calls: usize) {
        let slot = self.pick_slot();
        let mut t = self.now();
        let who = self.rng.pick(&[Who::Dana, Who::Dana, Who::Alice, Who::Erin]);
        for _ in 0..n_calls {
            let name = self.rng.pick(&[
                "ListTranscriptionJobs",
                "ListTranscriptionJobs",
                "ListMedicalTranscriptionJobs",
                "ListCallAnalyticsJobs",
                "ListVocabularies",
                "ListVocabularyFilters",
            ]);
            let head = self.call(t, slot, who, &TRANSCRIBE, name);
            if name == "ListTranscriptionJobs" && self.rng.chance(400) {
                let status = self.rng.pick(&["COMPLETED", "FAILED", "IN_PROGRESS"]);
                put(&mut self.req, format_args!(r#"{{"status":"{status}","maxResults":100}}"#));
            } else {
                self.req.push_str(r#"{"maxResults":100}"#);
            }
            self.emit(&head);
            t += self.rng.range(2, 40);
        }
    }

    /// Bob's key used from an address nobody recognises, with an old tool: a short burst of discovery calls.
    fn probe(&mut self) {
        let slot = self.pick_slot();
        let account = Self::account(slot);
        let region = Self::region(slot);
        let mut t = self.now();
        let steps: [(&'static Service, &'static str, Option<&'static str>); 5] = [
            (&STS, "GetCallerIdentity", None),
            (&TRANSCRIBE, "ListTranscriptionJobs", Some("AccessDeniedException")),
            (&IAM, "ListUsers", Some("AccessDenied")),
            (&EC2, "DescribeInstances", Some("Client.UnauthorizedOperation")),
            (&TRANSCRIBE, "ListVocabularies", Some("AccessDeniedException")),
        ];
        for (service, name, error_code) in steps {
            let mut head = self.call(t, slot, Who::Bob, service, name);
            head.agent = Agent::CliOld;
            head.ip = ODD_IP;
            head.error_code = error_code;
            match name {
                "ListTranscriptionJobs" | "ListVocabularies" => {
                    self.req.push_str(r#"{"maxResults":100}"#);
                    let action = format!("transcribe:{name}");
                    self.denial(Who::Bob, t, slot, &action, &format!("arn:aws:transcribe:{region}:{account}:*"));
                }
                "ListUsers" => {
                    // IAM logs in us-east-1, maybe another slot: the head's slot says whose account.
                    let iam_account = Self::account(head.slot);
                    self.denial(Who::Bob, t, head.slot, "iam:ListUsers", &format!("arn:aws:iam::{iam_account}:user/"));
                }
                "DescribeInstances" => {
                    self.req.push_str(r#"{"instancesSet":{},"filterSet":{}}"#);
                    let denial = {
                        self.denial(Who::Bob, t, slot, "ec2:DescribeInstances", "*");
                        std::mem::take(&mut self.err)
                    };
                    self.err.push_str("You are not authorized to perform this operation. ");
                    self.err.push_str(&denial);
                }
                _ => {}
            }
            self.emit(&head);
            t += self.rng.range(1, 8);
        }
    }

    // ---- the rest of the account ---------------------------------------------------------------------------

    /// An S3 data event on an object; `via` names the service that read or wrote it for the caller.
    #[allow(clippy::too_many_arguments)]
    fn s3_object(
        &mut self,
        t: i64,
        slot: usize,
        who: Who,
        name: &'static str,
        bucket: &str,
        key: &str,
        via: Option<&'static str>,
    ) {
        let region = Self::region(slot);
        let mut head = match via {
            Some(via) => self.on_behalf(t, slot, who, via, &S3, name),
            None => self.call(t, slot, who, &S3, name),
        };
        head.data_event = true;
        put(
            &mut self.req,
            format_args!(
                r#"{{"bucketName":{},"Host":"{}.s3.{region}.amazonaws.com","key":{}}}"#,
                J(bucket),
                bucket,
                J(key)
            ),
        );
        let size = self.rng.range(40_000, 60_000_000);
        let (bytes_in, bytes_out) = if name == "PutObject" { (size, 0) } else { (0, size) };
        if name == "PutObject" {
            self.resp.push_str(
                r#"{"x-amz-server-side-encryption":"aws:kms","x-amz-server-side-encryption-aws-kms-key-id":""#,
            );
            write_key_arn(&mut self.resp, region, Self::account(slot), slot);
            self.resp.push_str(r#"","x-amz-server-side-encryption-bucket-key-enabled":"true"}"#);
        }
        put(
            &mut self.extra,
            format_args!(
                r#"{{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":{bytes_in},"AuthenticationMethod":"AuthHeader","x-amz-id-2":""#
            ),
        );
        self.rng.base64(&mut self.extra, 76);
        put(&mut self.extra, format_args!(r#"","bytesTransferredOut":{bytes_out}}}"#));
        put(
            &mut self.res,
            format_args!(
                r#"{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::{bucket}/{key}"}},{{"accountId":"{}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{bucket}"}}"#,
                Self::account(slot)
            ),
        );
        self.emit(&head);
    }

    fn s3_media(&mut self) {
        let slot = self.pick_slot();
        let t = self.now();
        let (account, region) = (Self::account(slot), Self::region(slot));
        let who = self.rng.pick(&[Who::Pipeline, Who::Pipeline, Who::Alice, Who::Bob, Who::Erin]);
        let bucket = format!("acme-media-{account}-{region}");
        let (year, month, day, ..) = civil(t - self.rng.range(0, 3) * 86_400);
        let mut key = format!("incoming/{year}/{month:02}/{day:02}/rec-");
        self.rng.hex(&mut key, 8);
        key.push_str(self.rng.pick(&[".wav", ".mp3", ".flac"]));
        let name = if self.rng.chance(500) { "GetObject" } else { "PutObject" };
        let mark = self.arena.len();
        self.s3_object(t, slot, who, name, &bucket, &key, None);
        if who == Who::Bob && self.rng.chance(200) {
            // Not allowed after all: rewrite as the failure S3 logs (no response, nothing transferred).
            self.records.pop();
            self.arena.truncate(mark);
            let mut head = self.call(t, slot, who, &S3, name);
            head.data_event = true;
            head.error_code = Some("AccessDenied");
            self.err.push_str("Access Denied");
            put(
                &mut self.req,
                format_args!(
                    r#"{{"bucketName":{},"Host":"{}.s3.{region}.amazonaws.com","key":{}}}"#,
                    J(&bucket),
                    bucket,
                    J(&key)
                ),
            );
            put(
                &mut self.res,
                format_args!(
                    r#"{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::{bucket}/{key}"}},{{"accountId":"{account}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{bucket}"}}"#
                ),
            );
            self.emit(&head);
        }
    }

    fn sts(&mut self) {
        let slot = self.pick_slot();
        let t = self.now();
        let account = Self::account(slot);
        match self.rng.weighted(&[40, 25, 35]) {
            0 => {
                // Lambda fetching the function role's credentials.
                let head = self.call(t, slot, Who::Service("lambda.amazonaws.com"), &STS, "AssumeRole");
                let role = format!("arn:aws:iam::{account}:role/transcribe-pipeline-role");
                let (role_key, key_key) = (key_of(Who::Pipeline, slot, 0), key_of(Who::Pipeline, slot, t / 3600 + 1));
                self.assume_role(&head, &role, "transcribe-pipeline-fn", role_key, key_key);
            }
            1 => {
                let mut head = self.call(t, slot, Who::Alice, &STS, "AssumeRole");
                head.agent = Agent::CliMac;
                let role = format!("arn:aws:iam::{account}:role/transcribe-ops");
                if self.rng.chance(80) {
                    head.error_code = Some("AccessDenied");
                    self.denial(Who::Alice, t, slot, "sts:AssumeRole", &role);
                    put(&mut self.req, format_args!(r#"{{"roleArn":{},"roleSessionName":"alice-cli"}}"#, J(&role)));
                    self.emit(&head);
                } else {
                    let salt = 0x006f_7073; // "ops": another role than any caller's.
                    let (role_key, key_key) =
                        (key_of(Who::Alice, slot, 0) ^ salt, key_of(Who::Alice, slot, t / 3600 + 1) ^ salt);
                    self.assume_role(&head, &role, "alice-cli", role_key, key_key);
                }
            }
            _ => {
                let who = self.rng.pick(&[Who::Ci, Who::Erin, Who::Bob]);
                let head = self.call(t, slot, who, &STS, "GetCallerIdentity");
                self.emit(&head);
            }
        }
    }

    /// `role_key` seeds the role's `AROA` ID and `key_key` the session's `ASIA` key; for the pipeline they are
    /// the ones its own calls carry, so the credentials handed out here are the ones seen in use.
    fn assume_role(&mut self, head: &Head, role: &str, session: &str, role_key: u64, key_key: u64) {
        put(
            &mut self.req,
            format_args!(r#"{{"roleArn":{},"roleSessionName":{},"durationSeconds":3600}}"#, J(role), J(session)),
        );
        self.resp.push_str(r#"{"credentials":{"accessKeyId":""#);
        write_id(&mut self.resp, "ASIA", key_key, 16);
        put(
            &mut self.resp,
            format_args!(r#"","expiration":"{}"}},"assumedRoleUser":{{"assumedRoleId":""#, Java(head.t + 3600)),
        );
        write_id(&mut self.resp, "AROA", role_key, 17);
        let assumed = role.replacen(":iam::", ":sts::", 1).replacen(":role/", ":assumed-role/", 1);
        put(&mut self.resp, format_args!(r#":{session}","arn":{}}}}}"#, J(&format!("{assumed}/{session}"))));
        self.emit(head);
    }

    fn kms(&mut self) {
        let slot = self.pick_slot();
        let t = self.now();
        let (account, region) = (Self::account(slot), Self::region(slot));
        let who = self.rng.pick(&[Who::Pipeline, Who::Pipeline, Who::Alice, Who::Erin]);
        let name = if self.rng.chance(650) { "Decrypt" } else { "GenerateDataKey" };
        let head = self.on_behalf(t, slot, who, "s3.amazonaws.com", &KMS, name);
        let mut object = format!("arn:aws:s3:::acme-media-{account}-{region}/incoming/rec-");
        self.rng.hex(&mut object, 8);
        object.push_str(".wav");
        if name == "Decrypt" {
            put(
                &mut self.req,
                format_args!(
                    r#"{{"encryptionContext":{{"aws:s3:arn":{}}},"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}}"#,
                    J(&object)
                ),
            );
        } else {
            self.req.push_str(r#"{"keyId":""#);
            write_key_arn(&mut self.req, region, account, slot);
            put(
                &mut self.req,
                format_args!(r#"","encryptionContext":{{"aws:s3:arn":{}}},"keySpec":"AES_256"}}"#, J(&object)),
            );
        }
        put(&mut self.res, format_args!(r#"{{"accountId":"{account}","type":"AWS::KMS::Key","ARN":""#));
        write_key_arn(&mut self.res, region, account, slot);
        self.res.push_str(r#""}"#);
        self.emit(&head);
    }

    fn ec2_describe(&mut self) {
        let slot = self.pick_slot();
        let t = self.now();
        let who = self.rng.pick(&[Who::Ci, Who::Ci, Who::Alice, Who::Erin, Who::Dana]);
        let (name, request) = self.rng.pick(&[
            ("DescribeInstances", r#"{"instancesSet":{},"filterSet":{}}"#),
            ("DescribeRegions", r#"{"regionSet":{}}"#),
            ("DescribeSecurityGroups", r#"{"securityGroupSet":{},"securityGroupIdSet":{},"filterSet":{}}"#),
            ("DescribeVpcs", r#"{"vpcSet":{},"filterSet":{}}"#),
            ("DescribeSubnets", r#"{"subnetSet":{},"filterSet":{}}"#),
        ]);
        let head = self.call(t, slot, who, &EC2, name);
        self.req.push_str(request);
        self.emit(&head);
    }

    fn lambda(&mut self) {
        let slot = self.pick_slot();
        let t = self.now();
        let (account, region) = (Self::account(slot), Self::region(slot));
        let function = format!("arn:aws:lambda:{region}:{account}:function:transcribe-pipeline-fn");
        match self.rng.weighted(&[35, 30, 20, 15]) {
            0 => {
                let head = self.call(t, slot, Who::Dana, &LAMBDA, "GetFunction20150331v2");
                put(&mut self.req, format_args!(r#"{{"functionName":{}}}"#, J(&function)));
                self.emit(&head);
            }
            1 => {
                let who = self.rng.pick(&[Who::Dana, Who::Ci, Who::Alice]);
                let head = self.call(t, slot, who, &LAMBDA, "ListFunctions20150331");
                self.emit(&head);
            }
            2 => {
                let head = self.call(t, slot, Who::Ci, &LAMBDA, "UpdateFunctionCode20150331v2");
                put(
                    &mut self.req,
                    format_args!(r#"{{"functionName":"transcribe-pipeline-fn","publish":true,"dryRun":false}}"#),
                );
                put(
                    &mut self.resp,
                    format_args!(
                        r#"{{"functionName":"transcribe-pipeline-fn","functionArn":{},"runtime":"python3.12","role":"arn:aws:iam::{account}:role/transcribe-pipeline-role","handler":"app.handler","codeSize":{},"timeout":300,"memorySize":512,"lastModified":"{}.000+0000","version":"{}","state":"Active","lastUpdateStatus":"InProgress","architectures":["arm64"]}}"#,
                        J(&function),
                        self.rng.range(20_000, 900_000),
                        Iso(t).to_string().trim_end_matches('Z'),
                        self.rng.range(2, 80)
                    ),
                );
                self.emit(&head);
            }
            _ => {
                let mut head = self.call(t, slot, Who::Erin, &LAMBDA, "GetFunctionConfiguration20150331v2");
                head.error_code = Some("ResourceNotFoundException");
                let missing = format!("arn:aws:lambda:{region}:{account}:function:transcribe-pipeline-fn-dev");
                put(&mut self.req, format_args!(r#"{{"functionName":{}}}"#, J(&missing)));
                put(&mut self.err, format_args!("Function not found: {missing}"));
                self.emit(&head);
            }
        }
    }

    fn logs(&mut self) {
        let slot = self.pick_slot();
        let t = self.now();
        let group = "/aws/lambda/transcribe-pipeline-fn";
        match self.rng.weighted(&[35, 30, 35]) {
            0 => {
                let head = self.call(t, slot, Who::Pipeline, &LOGS, "CreateLogStream");
                let (year, month, day, ..) = civil(t);
                put(
                    &mut self.req,
                    format_args!(r#"{{"logGroupName":"{group}","logStreamName":"{year}/{month:02}/{day:02}/[$LATEST]"#),
                );
                self.rng.hex(&mut self.req, 32);
                self.req.push_str(r#""}"#);
                self.emit(&head);
            }
            1 => {
                let who = self.rng.pick(&[Who::Dana, Who::Alice]);
                let head = self.call(t, slot, who, &LOGS, "DescribeLogGroups");
                self.req.push_str(r#"{"logGroupNamePrefix":"/aws/lambda/","limit":50}"#);
                self.emit(&head);
            }
            _ => {
                let who = self.rng.pick(&[Who::Dana, Who::Alice, Who::Erin]);
                let mut head = self.call(t, slot, who, &LOGS, "FilterLogEvents");
                put(
                    &mut self.req,
                    format_args!(
                        r#"{{"logGroupName":"{group}","startTime":{},"filterPattern":"ERROR","interleaved":true}}"#,
                        (t - 3600) * 1000
                    ),
                );
                if self.rng.chance(100) {
                    head.error_code = Some("ThrottlingException");
                    self.err.push_str("Rate exceeded");
                }
                self.emit(&head);
            }
        }
    }

    fn iam_console(&mut self) {
        let slot = self.pick_slot();
        let t = self.now();
        let (name, request) = self.rng.pick(&[
            ("GetRole", r#"{"roleName":"transcribe-pipeline-role"}"#),
            ("ListAttachedRolePolicies", r#"{"roleName":"transcribe-pipeline-role"}"#),
            ("ListRoles", ""),
            ("GetPolicyVersion", ""),
            ("ListUsers", ""),
        ]);
        let head = self.call(t, slot, Who::Dana, &IAM, name);
        let account = Self::account(head.slot);
        self.req.push_str(request);
        if name == "GetPolicyVersion" {
            put(
                &mut self.req,
                format_args!(
                    r#"{{"policyArn":"arn:aws:iam::{account}:policy/TranscribePipelineAccess","versionId":"v4"}}"#
                ),
            );
        }
        self.emit(&head);
    }

    fn console_login(&mut self) {
        let slot = self.pick_slot();
        let slot = self.global_slot(slot);
        let t = self.now();
        let account_idx = SLOTS[slot].0;
        if t - self.last_login[account_idx] < 3 * 3600 {
            return self.iam_console();
        }
        self.last_login[account_idx] = t;
        let who = if self.rng.chance(60) { Who::Root } else { Who::Alice };
        let mut head = self.call(t, slot, who, &SIGNIN, "ConsoleLogin");
        head.agent = Agent::Browser;
        head.ip = OFFICE_IPS[0];
        head.event_type = "AwsConsoleSignIn";
        head.sign_in = true;
        head.read_only = false;
        let failed = who == Who::Alice && self.rng.chance(100);
        if failed {
            head.error_code = Some("");
            self.err.push_str("Failed authentication");
            self.resp.push_str(r#"{"ConsoleLogin":"Failure"}"#);
        } else {
            self.resp.push_str(r#"{"ConsoleLogin":"Success"}"#);
        }
        self.extra.push_str(r#"{"LoginTo":"https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_"#);
        self.rng.hex(&mut self.extra, 16);
        put(
            &mut self.extra,
            format_args!(r#"","MobileVersion":"No","MFAUsed":"{}"}}"#, if failed { "No" } else { "Yes" }),
        );
        self.emit(&head);
    }

    /// Denials outside Transcribe: someone reaching a little past their permissions.
    fn stray_errors(&mut self) {
        let slot = self.pick_slot();
        let t = self.now();
        let (account, region) = (Self::account(slot), Self::region(slot));
        match self.rng.below(3) {
            0 => {
                let mut head = self.call(t, slot, Who::Bob, &EC2, "DescribeInstances");
                head.error_code = Some("Client.UnauthorizedOperation");
                self.req.push_str(r#"{"instancesSet":{},"filterSet":{}}"#);
                let denial = {
                    self.denial(Who::Bob, t, slot, "ec2:DescribeInstances", "*");
                    std::mem::take(&mut self.err)
                };
                self.err.push_str("You are not authorized to perform this operation. ");
                self.err.push_str(&denial);
                self.emit(&head);
            }
            1 => {
                let mut head = self.call(t, slot, Who::Erin, &IAM, "GetRole");
                head.error_code = Some("AccessDenied");
                self.req.push_str(r#"{"roleName":"transcribe-pipeline-role"}"#);
                let account = Self::account(head.slot);
                self.denial(
                    Who::Erin,
                    t,
                    head.slot,
                    "iam:GetRole",
                    &format!("arn:aws:iam::{account}:role/transcribe-pipeline-role"),
                );
                self.emit(&head);
            }
            _ => {
                let mut head = self.call(t, slot, Who::Erin, &KMS, "Decrypt");
                head.error_code = Some("AccessDeniedException");
                self.req.push_str(r#"{"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}"#);
                let mut key = String::new();
                write_key_arn(&mut key, region, account, slot);
                self.denial(Who::Erin, t, slot, "kms:Decrypt", &key);
                put(&mut self.res, format_args!(r#"{{"accountId":"{account}","type":"AWS::KMS::Key","ARN":"{key}"}}"#));
                self.emit(&head);
            }
        }
    }

    // ---- writing -------------------------------------------------------------------------------------------

    /// Appends one record to the arena from `head` and the scratch buffers, then clears them.
    fn emit(&mut self, head: &Head) {
        let start = self.arena.len();
        let service = head.service;
        let account = Self::account(head.slot);
        let region = Self::region(head.slot);
        let out = &mut self.arena;
        put(out, format_args!(r#"{{"eventVersion":"{}","userIdentity":"#, service.version));
        write_identity(out, head, account);
        put(
            out,
            format_args!(
                r#","eventTime":"{}","eventSource":"{}","eventName":"{}","awsRegion":"{region}","sourceIPAddress":"{}","userAgent":""#,
                Iso(head.t),
                service.source,
                head.name,
                head.ip
            ),
        );
        write_agent(out, head.agent, service, head.name);
        out.push('"');
        // A failed console sign-in has a message and a response but no code: `Some("")`.
        let failed = head.error_code.is_some_and(|code| !code.is_empty());
        match head.error_code {
            Some("") => put(out, format_args!(r#","errorMessage":{}"#, J(&self.err))),
            Some(code) => put(out, format_args!(r#","errorCode":"{code}","errorMessage":{}"#, J(&self.err))),
            None => {}
        }
        out.push_str(r#","requestParameters":"#);
        out.push_str(if self.req.is_empty() { "null" } else { &self.req });
        out.push_str(r#","responseElements":"#);
        out.push_str(if self.resp.is_empty() || failed { "null" } else { &self.resp });
        if !self.extra.is_empty() {
            out.push_str(r#","additionalEventData":"#);
            out.push_str(&self.extra);
        }
        match service.request_id {
            RequestId::Uuid => {
                out.push_str(r#","requestID":""#);
                self.rng.uuid(out);
                out.push('"');
            }
            RequestId::S3 => {
                out.push_str(r#","requestID":""#);
                self.rng.upper_alnum(out, 16);
                out.push('"');
            }
            RequestId::None => {}
        }
        out.push_str(r#","eventID":""#);
        self.rng.uuid(out);
        put(out, format_args!(r#"","readOnly":{}"#, head.read_only));
        if !self.res.is_empty() {
            out.push_str(r#","resources":["#);
            out.push_str(&self.res);
            out.push(']');
        }
        put(
            out,
            format_args!(
                r#","eventType":"{}","managementEvent":{},"recipientAccountId":"{account}","eventCategory":"{}""#,
                head.event_type,
                !head.data_event,
                if head.data_event { "Data" } else { "Management" }
            ),
        );
        let client = !matches!(head.agent, Agent::Internal | Agent::Service(_)) && !head.sign_in;
        if client && !self.rng.chance(50) {
            let (version, cipher) = if head.agent == Agent::CliOld {
                ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")
            } else {
                ("TLSv1.3", "TLS_AES_128_GCM_SHA256")
            };
            let host = service.host;
            if service.global {
                put(
                    out,
                    format_args!(
                        r#","tlsDetails":{{"tlsVersion":"{version}","cipherSuite":"{cipher}","clientProvidedHostHeader":"{host}.amazonaws.com"}}"#
                    ),
                );
            } else {
                put(
                    out,
                    format_args!(
                        r#","tlsDetails":{{"tlsVersion":"{version}","cipherSuite":"{cipher}","clientProvidedHostHeader":"{host}.{region}.amazonaws.com"}}"#
                    ),
                );
            }
        }
        if head.agent == Agent::Browser && !head.sign_in {
            out.push_str(r#","sessionCredentialFromConsole":"true""#);
        }
        out.push('}');

        let transcribe = service.source == TRANSCRIBE.source || service.source == STREAMING.source;
        self.n_transcribe += u64::from(transcribe);
        self.records.push(Rec {
            t: head.t,
            slot: head.slot as u8,
            transcribe,
            resource: head.resource,
            status: if head.error_code.is_some() { None } else { head.status },
            start,
            end: self.arena.len(),
        });
        self.clock_ms += self.rng.range(0, 2 * self.gap_ms);
        self.clear();
    }

    /// Cuts the records into deliveries, adds the duplicate deliveries, compresses, and counts.
    fn deliver(mut self) -> (Vec<GeneratedFile>, Truth) {
        let records = std::mem::take(&mut self.records);
        let mut order: Vec<usize> = (0..records.len()).collect();
        order.sort_by_key(|&rec_idx| (records[rec_idx].t, rec_idx));

        let mut truth = Truth { n_distinct_all: records.len() as u64, ..Truth::default() };
        for &rec_idx in &order {
            let rec = &records[rec_idx];
            truth.n_transcribe += u64::from(rec.transcribe);
            if let Some(resource_idx) = rec.resource {
                let resource = &self.resources[resource_idx as usize];
                let job = truth.jobs.entry(resource.name.clone()).or_insert(JobTruth {
                    kind: resource.kind,
                    last_status: "",
                    n_events: 0,
                });
                job.n_events += 1;
                if let Some(status) = rec.status {
                    job.last_status = status;
                }
            }
        }

        let mut by_slot: Vec<Vec<usize>> = vec![Vec::new(); self.n_slots];
        for &rec_idx in &order {
            by_slot[usize::from(records[rec_idx].slot)].push(rec_idx);
        }
        let n_files_by_slot = share_files(&by_slot, self.config.n_files.max(1));

        // Each file: its slot, its records in time order, and its delivery minute.
        let mut plans: Vec<(usize, Vec<usize>, i64)> = Vec::new();
        let mut firsts = Vec::with_capacity(self.n_slots);
        for (slot, slot_records) in by_slot.iter().enumerate() {
            firsts.push(plans.len());
            let n_files = n_files_by_slot[slot];
            let mut prev_minute = i64::MIN;
            for file_idx in 0..n_files {
                let chunk = &slot_records
                    [file_idx * slot_records.len() / n_files..(file_idx + 1) * slot_records.len() / n_files];
                let last_t = records[chunk[chunk.len() - 1]].t;
                // CloudTrail delivers about every five minutes, a few minutes after the calls.
                let minute = ((last_t + self.rng.range(60, 600)) / 60).max(prev_minute.saturating_add(1));
                prev_minute = minute;
                plans.push((slot, chunk.to_vec(), minute));
            }
        }

        // At-least-once delivery: some records come again, byte-identical, in a later file of the same trail.
        let mut extra: Vec<Vec<usize>> = vec![Vec::new(); plans.len()];
        for (slot, &first) in firsts.iter().enumerate() {
            let n_files = n_files_by_slot[slot];
            for file_idx in 0..n_files.saturating_sub(1) {
                for &rec_idx in &plans[first + file_idx].1 {
                    if self.rng.chance(self.config.duplicate_per_mille) {
                        let later = if file_idx + 2 < n_files && self.rng.chance(250) { 2 } else { 1 };
                        extra[first + file_idx + later].push(rec_idx);
                        truth.n_duplicates_all += 1;
                        truth.n_duplicates_transcribe += u64::from(records[rec_idx].transcribe);
                    }
                }
            }
        }
        truth.n_records = truth.n_distinct_all + truth.n_duplicates_all;

        let mut delivery: Vec<usize> = (0..plans.len()).collect();
        delivery.sort_by_key(|&plan_idx| (plans[plan_idx].2, plans[plan_idx].0));
        let mut names = Vec::with_capacity(plans.len());
        let mut contents = Vec::with_capacity(plans.len());
        for plan_idx in delivery {
            let (slot, ref own, minute) = plans[plan_idx];
            let mut rec_idxs: Vec<usize> = own.iter().chain(&extra[plan_idx]).copied().collect();
            rec_idxs.sort_by_key(|&rec_idx| -> SortKey { (records[rec_idx].t, rec_idx) });
            names.push(self.file_name(slot, minute));
            contents.push(rec_idxs);
        }
        let bytes = render_files(&self.arena, &records, &contents, self.config.gzip);
        let files = names.into_iter().zip(bytes).map(|(name, bytes)| GeneratedFile { name, bytes }).collect();
        (files, truth)
    }

    fn file_name(&mut self, slot: usize, minute: i64) -> String {
        let (account, region) = (Self::account(slot), Self::region(slot));
        let (year, month, day, hour, minute, _) = civil(minute * 60);
        let mut name = format!(
            "AWSLogs/{account}/CloudTrail/{region}/{year}/{month:02}/{day:02}/{account}_CloudTrail_{region}_{year}{month:02}{day:02}T{hour:02}{minute:02}Z_"
        );
        self.rng.alnum(&mut name, 16);
        name.push_str(if self.config.gzip { ".json.gz" } else { ".json" });
        name
    }
}

/// Files per slot: one for every slot with records, the rest where a file would otherwise hold the most
/// records, never more files than records.
fn share_files(by_slot: &[Vec<usize>], n_files: usize) -> Vec<usize> {
    let mut shares: Vec<usize> = by_slot.iter().map(|recs| usize::from(!recs.is_empty())).collect();
    let mut n_left = n_files.saturating_sub(shares.iter().sum());
    while n_left > 0 {
        let mut best: Option<usize> = None;
        for (slot, recs) in by_slot.iter().enumerate() {
            if shares[slot] == 0 || shares[slot] >= recs.len() {
                continue;
            }
            // recs / shares, compared by cross-multiplication.
            let better = match best {
                None => true,
                Some(b) => recs.len() * shares[b] > by_slot[b].len() * shares[slot],
            };
            if better {
                best = Some(slot);
            }
        }
        match best {
            Some(slot) => shares[slot] += 1,
            None => break,
        }
        n_left -= 1;
    }
    shares
}

/// Assembles and compresses the files, on every core where threads exist (not in the browser): files are
/// compressed one by one, so the bytes do not depend on the number of threads.
fn render_files(arena: &str, records: &[Rec], contents: &[Vec<usize>], gzip: bool) -> Vec<Vec<u8>> {
    let n_threads = std::thread::available_parallelism().map_or(1, usize::from).min(contents.len());
    let render_share = |first: usize, step: usize| -> Vec<(usize, Vec<u8>)> {
        let mut json = String::new();
        (first..contents.len())
            .step_by(step)
            .map(|file_idx| (file_idx, render_file(arena, records, &contents[file_idx], gzip, &mut json)))
            .collect()
    };
    let mut files = vec![Vec::new(); contents.len()];
    std::thread::scope(|scope| {
        // Files of one share are spread over the run, so the shares weigh about the same.
        let handles: Vec<_> = (1..n_threads.max(1))
            .map(|first| std::thread::Builder::new().spawn_scoped(scope, move || render_share(first, n_threads)))
            .collect();
        let mut shares = vec![render_share(0, n_threads.max(1))];
        for (first, handle) in (1..).zip(handles) {
            shares.push(match handle {
                Ok(handle) => handle.join().unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
                // No thread after all: do that share here.
                Err(_) => render_share(first, n_threads),
            });
        }
        for (file_idx, bytes) in shares.into_iter().flatten() {
            files[file_idx] = bytes;
        }
    });
    files
}

fn render_file(arena: &str, records: &[Rec], rec_idxs: &[usize], gzip: bool, json: &mut String) -> Vec<u8> {
    json.clear();
    json.push_str(r#"{"Records":["#);
    for (n, &rec_idx) in rec_idxs.iter().enumerate() {
        if n > 0 {
            json.push(',');
        }
        json.push_str(&arena[records[rec_idx].start..records[rec_idx].end]);
    }
    json.push_str("]}");
    if gzip {
        self::gzip(json.as_bytes())
    } else {
        json.as_bytes().to_vec()
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    // The default builder writes no file name and a zero time, so the bytes depend on the input alone.
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 8), flate2::Compression::default());
    encoder.write_all(bytes).expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

// ---- record parts ------------------------------------------------------------------------------------------

/// What a transcription job response repeats.
struct JobText<'a> {
    name: &'a str,
    language: &'a str,
    format: &'a str,
    media_uri: &'a str,
    started: i64,
}

enum Ending {
    Transcript(String),
    Failure(&'static str),
}

const FAILURE_REASONS: [&str; 4] = [
    "The media format provided does not match the detected media format. The detected media format is mp4 and the specified media format is mp3.",
    "Invalid sample rate for audio file. The sample rate must be between 8000 and 48000 Hertz.",
    "Unsupported audio format. Check the audio file and try your request again.",
    "The specified S3 file is empty.",
];

impl JobText<'_> {
    fn write(&self, out: &mut String, status: &str, end: Option<(&Ending, i64)>) {
        put(
            out,
            format_args!(
                r#"{{"transcriptionJobName":{},"transcriptionJobStatus":"{status}","languageCode":"{}","mediaFormat":"{}","media":{{"mediaFileUri":{}}}"#,
                J(self.name),
                self.language,
                self.format,
                J(self.media_uri)
            ),
        );
        write_ending(out, end);
        put(out, format_args!(r#","startTime":"{}","creationTime":"{}"}}"#, Java(self.started), Java(self.started)));
    }
}

struct MedicalText<'a> {
    name: &'a str,
    format: &'a str,
    media_uri: &'a str,
    kind: &'a str,
    started: i64,
}

impl MedicalText<'_> {
    fn write(&self, out: &mut String, status: &str, end: Option<(&Ending, i64)>) {
        put(
            out,
            format_args!(
                r#"{{"medicalTranscriptionJob":{{"medicalTranscriptionJobName":{},"transcriptionJobStatus":"{status}","languageCode":"en-US","mediaFormat":"{}","media":{{"mediaFileUri":{}}}"#,
                J(self.name),
                self.format,
                J(self.media_uri)
            ),
        );
        write_ending(out, end);
        put(
            out,
            format_args!(
                r#","startTime":"{}","creationTime":"{}","specialty":"PRIMARYCARE","type":"{}"}}}}"#,
                Java(self.started),
                Java(self.started),
                self.kind
            ),
        );
    }
}

struct AnalyticsText<'a> {
    name: &'a str,
    media_uri: &'a str,
    role: &'a str,
    started: i64,
}

impl AnalyticsText<'_> {
    fn write(&self, out: &mut String, status: &str, end: Option<(&Ending, i64)>) {
        put(
            out,
            format_args!(
                r#"{{"callAnalyticsJob":{{"callAnalyticsJobName":{},"callAnalyticsJobStatus":"{status}","media":{{"mediaFileUri":{}}}"#,
                J(self.name),
                J(self.media_uri)
            ),
        );
        if let Some((Ending::Transcript(_), _)) = end {
            out.push_str(r#","languageCode":"en-US","mediaSampleRateHertz":8000,"mediaFormat":"wav""#);
        }
        write_ending(out, end);
        put(
            out,
            format_args!(
                r#","startTime":"{}","creationTime":"{}","dataAccessRoleArn":{},"channelDefinitions":[{{"channelId":0,"participantRole":"AGENT"}},{{"channelId":1,"participantRole":"CUSTOMER"}}]}}}}"#,
                Java(self.started),
                Java(self.started),
                J(self.role)
            ),
        );
    }
}

fn write_ending(out: &mut String, end: Option<(&Ending, i64)>) {
    match end {
        Some((Ending::Transcript(uri), at)) => {
            put(
                out,
                format_args!(r#","transcript":{{"transcriptFileUri":{}}},"completionTime":"{}""#, J(uri), Java(at)),
            );
        }
        Some((Ending::Failure(reason), at)) => {
            put(out, format_args!(r#","failureReason":{},"completionTime":"{}""#, J(reason), Java(at)));
        }
        None => {}
    }
}

fn write_vocabulary(out: &mut String, name: &str, language: &str, state: &str, modified: i64, failure: Option<&str>) {
    put(
        out,
        format_args!(
            r#"{{"vocabularyName":{},"languageCode":"{language}","vocabularyState":"{state}","lastModifiedTime":"{}""#,
            J(name),
            Java(modified)
        ),
    );
    if let Some(reason) = failure {
        put(out, format_args!(r#","failureReason":{}"#, J(reason)));
    }
    out.push('}');
}

fn language(rng: &mut Rng, region: &str) -> &'static str {
    if region == "eu-central-1" {
        rng.pick(&["de-DE", "de-DE", "en-GB", "fr-FR"])
    } else {
        rng.pick(&["en-US", "en-US", "en-US", "es-US", "en-GB"])
    }
}

/// `userIdentity`, as CloudTrail writes it for each kind of caller.
fn write_identity(out: &mut String, head: &Head, account: &str) {
    let t = head.t;
    let slot = head.slot;
    let console = head.agent == Agent::Browser && !head.sign_in;
    let invoked_by = match head.agent {
        Agent::Service(host) => Some(host),
        _ => None,
    };
    match head.who {
        Who::Alice | Who::Bob | Who::Erin => {
            let user = match head.who {
                Who::Alice => "alice",
                Who::Bob => "bob",
                _ => "erin",
            };
            out.push_str(r#"{"type":"IAMUser","principalId":""#);
            write_id(out, "AIDA", key_of(head.who, slot, 0), 17);
            put(out, format_args!(r#"","arn":"arn:aws:iam::{account}:user/{user}","accountId":"{account}""#));
            if !head.sign_in {
                out.push_str(r#","accessKeyId":""#);
                if console {
                    write_id(out, "ASIA", key_of(head.who, slot, t / 3600 + 1), 16);
                } else {
                    write_id(out, "AKIA", key_of(head.who, slot, 0) ^ ACCESS_KEY_SALT, 16);
                }
                out.push('"');
            }
            put(out, format_args!(r#","userName":"{user}""#));
            if console {
                let since = t - t.rem_euclid(3600);
                put(
                    out,
                    format_args!(
                        r#","sessionContext":{{"attributes":{{"creationDate":"{}","mfaAuthenticated":"true"}}}}"#,
                        Iso(since)
                    ),
                );
            }
        }
        Who::Ci | Who::Pipeline | Who::Dana => {
            let (role_path, role, session) = match head.who {
                Who::Ci => ("", "ci-deploy", Session::Runner(t / 3600)),
                Who::Pipeline => ("", "transcribe-pipeline-role", Session::Named("transcribe-pipeline-fn")),
                _ => (
                    "aws-reserved/sso.amazonaws.com/eu-west-1/",
                    "AWSReservedSSO_TranscribeAdmin_4f2a9c1e7b3d5a60",
                    Session::Named("dana@example.com"),
                ),
            };
            out.push_str(r#"{"type":"AssumedRole","principalId":""#);
            let role_id_start = out.len();
            write_id(out, "AROA", key_of(head.who, slot, 0), 17);
            let role_id = out[role_id_start..].to_owned();
            put(
                out,
                format_args!(
                    r#":{session}","arn":"arn:aws:sts::{account}:assumed-role/{role}/{session}","accountId":"{account}","accessKeyId":""#
                ),
            );
            write_id(out, "ASIA", key_of(head.who, slot, t / 3600 + 1), 16);
            let since = t - t.rem_euclid(3600);
            put(
                out,
                format_args!(
                    r#"","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"{role_id}","arn":"arn:aws:iam::{account}:role/{role_path}{role}","accountId":"{account}","userName":"{role}"}},"webIdFederationData":{{}},"attributes":{{"creationDate":"{}","mfaAuthenticated":"{}"}}}}"#,
                    Iso(since),
                    head.who == Who::Dana
                ),
            );
        }
        Who::Root => {
            put(
                out,
                format_args!(
                    r#"{{"type":"Root","principalId":"{account}","arn":"arn:aws:iam::{account}:root","accountId":"{account}""#
                ),
            );
            if !head.sign_in {
                out.push_str(r#","accessKeyId":""#);
                write_id(out, "ASIA", key_of(head.who, slot, t / 3600 + 1), 16);
                out.push('"');
            }
        }
        Who::Service(host) => {
            put(out, format_args!(r#"{{"type":"AWSService","invokedBy":"{host}"}}"#));
            return;
        }
    }
    if let Some(host) = invoked_by {
        put(out, format_args!(r#","invokedBy":"{host}""#));
    }
    out.push('}');
}

/// The caller's ARN, as error messages quote it.
fn write_principal_arn(out: &mut String, who: Who, account: &str, t: i64) {
    match who {
        Who::Alice => put(out, format_args!("arn:aws:iam::{account}:user/alice")),
        Who::Bob => put(out, format_args!("arn:aws:iam::{account}:user/bob")),
        Who::Erin => put(out, format_args!("arn:aws:iam::{account}:user/erin")),
        Who::Ci => {
            put(out, format_args!("arn:aws:sts::{account}:assumed-role/ci-deploy/{}", Session::Runner(t / 3600)))
        }
        Who::Pipeline => put(
            out,
            format_args!("arn:aws:sts::{account}:assumed-role/transcribe-pipeline-role/transcribe-pipeline-fn"),
        ),
        Who::Dana => put(
            out,
            format_args!(
                "arn:aws:sts::{account}:assumed-role/AWSReservedSSO_TranscribeAdmin_4f2a9c1e7b3d5a60/dana@example.com"
            ),
        ),
        Who::Root => put(out, format_args!("arn:aws:iam::{account}:root")),
        Who::Service(host) => out.push_str(host),
    }
}

/// A role session name.
enum Session {
    /// A CI runner: one session per pipeline, here one per hour.
    Runner(i64),
    Named(&'static str),
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Session::Runner(hour) => write!(f, "gitlab-runner-{}", 10_000 + hour.rem_euclid(90_000)),
            Session::Named(name) => f.write_str(name),
        }
    }
}

fn write_agent(out: &mut String, agent: Agent, service: &Service, event_name: &str) {
    const BOTO: &str = "Boto3/1.34.50 md/Botocore#1.34.50 ua/2.0";
    match agent {
        Agent::CliMac | Agent::CliLinux => {
            out.push_str(if agent == Agent::CliMac {
                "aws-cli/2.15.30 Python/3.11.8 Darwin/23.3.0 exe/x86_64 prompt/off command/"
            } else {
                "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 prompt/off command/"
            });
            out.push_str(service.cli);
            out.push('.');
            if service.cli == "s3" {
                out.push_str("cp");
            } else {
                write_kebab(out, event_name);
            }
        }
        Agent::CliOld => out.push_str("aws-cli/1.18.69 Python/2.7.18 Linux/4.15.0-213-generic botocore/1.16.19"),
        Agent::BotoMac => {
            put(out, format_args!("{BOTO} os/macos#23.3.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.50"))
        }
        Agent::BotoLinux => put(
            out,
            format_args!("{BOTO} os/linux#6.1.79-99.164.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.34.50"),
        ),
        Agent::BotoLambda => put(
            out,
            format_args!("{BOTO} os/linux#5.10.213-222.867.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.50"),
        ),
        Agent::Js => put(
            out,
            format_args!("aws-sdk-js/3.540.0 ua/2.1 os/linux#6.1.79-99.164.amzn2023.x86_64 lang/js md/nodejs#20.11.1 api/{}#3.540.0", service.js),
        ),
        Agent::Browser => out.push_str(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
        ),
        Agent::Internal => out.push_str("AWS Internal"),
        Agent::Service(host) => out.push_str(host),
    }
}

/// `StartTranscriptionJob` as the CLI names it: `start-transcription-job`; stops at a version suffix.
fn write_kebab(out: &mut String, name: &str) {
    for (idx, c) in name.chars().enumerate() {
        if c.is_ascii_digit() {
            break;
        }
        if c.is_ascii_uppercase() && idx > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
}

/// The KMS key of a slot's buckets: a UUID fixed per slot.
fn write_key_arn(out: &mut String, region: &str, account: &str, slot: usize) {
    put(out, format_args!("arn:aws:kms:{region}:{account}:key/"));
    Rng::new(0x6b_6d73 + slot as u64).uuid(out);
}

/// Keeps a user's long-term access key from spelling the same letters as its principal ID.
const ACCESS_KEY_SALT: u64 = 0xacce_55ee;

/// Seed for an identity's IDs: stable per caller and slot, `epoch` changes temporary keys.
fn key_of(who: Who, slot: usize, epoch: i64) -> u64 {
    let who_idx: u64 = match who {
        Who::Alice => 1,
        Who::Bob => 2,
        Who::Erin => 3,
        Who::Ci => 4,
        Who::Pipeline => 5,
        Who::Dana => 6,
        Who::Root => 7,
        Who::Service(_) => 8,
    };
    // Same account, same principal: slots of one account share IDs.
    let account_idx = SLOTS[slot].0 as u64;
    mix(who_idx << 40 ^ account_idx << 32 ^ epoch as u64)
}

/// An AWS-style ID: `prefix` and `len` characters of upper-case letters and digits 2-7.
fn write_id(out: &mut String, prefix: &str, key: u64, len: usize) {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    out.push_str(prefix);
    let mut rng = Rng::new(key);
    for _ in 0..len {
        out.push(char::from(ALPHABET[rng.below(32) as usize]));
    }
}

/// Writing into a `String` cannot fail, so the `fmt::Result` carries nothing.
fn put(out: &mut String, args: fmt::Arguments<'_>) {
    let _ = out.write_fmt(args);
}

/// A JSON string literal, escaped by serde_json when the text needs it.
struct J<'a>(&'a str);

impl fmt::Display for J<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            f.write_str(&serde_json::to_string(self.0).map_err(|_| fmt::Error)?)
        } else {
            f.write_char('"')?;
            f.write_str(self.0)?;
            f.write_char('"')
        }
    }
}

/// Epoch seconds as CloudTrail's `eventTime`: `2026-03-02T08:00:12Z`.
struct Iso(i64);

impl fmt::Display for Iso {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day, hour, minute, second) = civil(self.0);
        write!(f, "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
    }
}

/// Epoch seconds as services written in Java log their own times: `Mar 2, 2026, 8:15:12 AM`.
struct Java(i64);

impl fmt::Display for Java {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let (year, month, day, hour, minute, second) = civil(self.0);
        let (hour12, half) = match hour {
            0 => (12, "AM"),
            1..=11 => (hour, "AM"),
            12 => (12, "PM"),
            _ => (hour - 12, "PM"),
        };
        write!(f, "{} {day}, {year}, {hour12}:{minute:02}:{second:02} {half}", MONTHS[month as usize - 1])
    }
}

/// (year, month, day, hour, minute, second) of epoch seconds, UTC.
fn civil(t: i64) -> (i64, i64, i64, i64, i64, i64) {
    let secs = t.rem_euclid(86_400);
    let (year, month, day) = crate::time::civil_from_days(t.div_euclid(86_400));
    (year, month, day, secs / 3600, secs / 60 % 60, secs % 60)
}

// ---- randomness --------------------------------------------------------------------------------------------

/// splitmix64: tiny, fast, and the same on every platform.
struct Rng {
    state: u64,
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.state)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut roll = self.below(total);
        for (idx, &weight) in weights.iter().enumerate() {
            if roll < u64::from(weight) {
                return idx;
            }
            roll -= u64::from(weight);
        }
        weights.len() - 1
    }

    fn chars_of(&mut self, out: &mut String, alphabet: &[u8], len: usize) {
        for _ in 0..len {
            out.push(char::from(alphabet[self.below(alphabet.len() as u64) as usize]));
        }
    }

    fn hex(&mut self, out: &mut String, len: usize) {
        self.chars_of(out, b"0123456789abcdef", len);
    }

    fn alnum(&mut self, out: &mut String, len: usize) {
        self.chars_of(out, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", len);
    }

    fn upper_alnum(&mut self, out: &mut String, len: usize) {
        self.chars_of(out, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", len);
    }

    fn base64(&mut self, out: &mut String, len: usize) {
        self.chars_of(out, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", len);
    }

    /// A version 4 UUID: `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`.
    fn uuid(&mut self, out: &mut String) {
        let (a, b) = (self.next_u64(), self.next_u64());
        let a = (a & 0xffff_ffff_ffff_0fff) | 0x4000;
        let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        put(
            out,
            format_args!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xffff,
                b >> 48,
                b & 0xffff_ffff_ffff
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::io::Read as _;

    /// Plain JSON: gzip costs seconds in a debug build and only two tests are about it.
    fn small(seed: u64) -> GenConfig {
        GenConfig {
            seed,
            n_events: 3_000,
            n_files: 8,
            transcribe_per_mille: 300,
            gzip: false,
            start_ms: SAMPLE_START_MS,
            duplicate_per_mille: 20,
        }
    }

    fn json_of(file: &GeneratedFile) -> Vec<u8> {
        if file.name.ends_with(".gz") {
            let mut json = Vec::new();
            flate2::read::GzDecoder::new(&file.bytes[..]).read_to_end(&mut json).unwrap();
            json
        } else {
            file.bytes.clone()
        }
    }

    fn records_of(file: &GeneratedFile) -> Vec<Value> {
        let value: Value = serde_json::from_slice(&json_of(file)).unwrap_or_else(|e| panic!("{}: {e}", file.name));
        match value {
            Value::Object(mut top) if top.len() == 1 => match top.remove("Records") {
                Some(Value::Array(records)) => records,
                other => panic!("{}: Records is {other:?}", file.name),
            },
            other => panic!("{}: not {{\"Records\":[...]}}: {:.200}", file.name, other.to_string()),
        }
    }

    fn text<'v>(record: &'v Value, pointer: &str) -> &'v str {
        record.pointer(pointer).and_then(Value::as_str).unwrap_or("")
    }

    /// The truth again, from the files alone, by the rules [`Truth`] documents.
    fn recount(files: &[GeneratedFile]) -> Truth {
        let mut truth = Truth::default();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut distinct = Vec::new();
        for file in files {
            for record in records_of(file) {
                truth.n_records += 1;
                let is_transcribe = text(&record, "/eventSource").starts_with("transcribe");
                let raw = record.to_string();
                match seen.get(text(&record, "/eventID")) {
                    Some(first) => {
                        assert_eq!(first, &raw, "a duplicate delivery differs from the first");
                        truth.n_duplicates_all += 1;
                        truth.n_duplicates_transcribe += u64::from(is_transcribe);
                    }
                    None => {
                        seen.insert(text(&record, "/eventID").to_owned(), raw);
                        truth.n_distinct_all += 1;
                        truth.n_transcribe += u64::from(is_transcribe);
                        if is_transcribe {
                            distinct.push(record);
                        }
                    }
                }
            }
        }
        // ISO times sort as text; a resource never has two events in one second.
        distinct.sort_by(|a, b| text(a, "/eventTime").cmp(text(b, "/eventTime")));
        for record in &distinct {
            let fields = [
                ("transcriptionJobName", "transcription"),
                ("medicalTranscriptionJobName", "medical"),
                ("callAnalyticsJobName", "call-analytics"),
                ("vocabularyName", "vocabulary"),
                ("vocabularyFilterName", "vocabulary-filter"),
            ];
            let mut named = fields.iter().find_map(|&(field, kind)| {
                Some((record.pointer(&format!("/requestParameters/{field}"))?.as_str()?, kind))
            });
            if named.is_none() {
                let arn = text(record, "/requestParameters/resourceArn");
                let kinds = [
                    ("transcription-job", "transcription"),
                    ("medical-transcription-job", "medical"),
                    ("call-analytics-job", "call-analytics"),
                    ("vocabulary", "vocabulary"),
                    ("vocabulary-filter", "vocabulary-filter"),
                ];
                if let Some((path, name)) = arn.rsplit_once(':').and_then(|(_, rest)| rest.split_once('/')) {
                    named = kinds.iter().find(|&&(p, _)| p == path).map(|&(_, kind)| (name, kind));
                }
            }
            let Some((name, kind)) = named else { continue };
            let job = truth.jobs.entry(name.to_owned()).or_insert(JobTruth { kind, last_status: "", n_events: 0 });
            assert_eq!(job.kind, kind, "{name}");
            job.n_events += 1;
            if record.get("errorCode").is_some() {
                continue;
            }
            let status = [
                "/transcriptionJob/transcriptionJobStatus",
                "/medicalTranscriptionJob/transcriptionJobStatus",
                "/callAnalyticsJob/callAnalyticsJobStatus",
                "/vocabularyState",
            ]
            .iter()
            .find_map(|pointer| record["responseElements"].pointer(pointer)?.as_str());
            let status = match status {
                Some(status) => Some(status),
                None if text(record, "/eventName").starts_with("Delete") => Some("DELETED"),
                None => None,
            };
            if let Some(status) = status {
                job.last_status = ["IN_PROGRESS", "COMPLETED", "FAILED", "PENDING", "READY", "DELETED"]
                    .into_iter()
                    .find(|s| *s == status)
                    .unwrap_or_else(|| panic!("unknown status {status}"));
            }
        }
        truth
    }

    #[test]
    fn same_seed_same_bytes() {
        let config = GenConfig { n_events: 1_000, gzip: true, ..small(7) };
        let (a, truth_a) = generate(&config);
        let (b, truth_b) = generate(&config);
        assert_eq!(a, b);
        assert_eq!(truth_a, truth_b);
        let (c, _) = generate(&GenConfig { seed: 8, ..config });
        assert_ne!(a, c);
    }

    #[test]
    fn truth_matches_a_recount() {
        for config in [small(1), GenConfig { n_files: 3, ..small(2) }, GenConfig::sample()] {
            let (files, truth) = generate(&config);
            assert_eq!(recount(&files), truth, "seed {}", config.seed);
        }
    }

    #[test]
    fn files_are_cloudtrail_deliveries() {
        let (files, truth) = generate(&GenConfig { n_events: 1_500, gzip: true, ..small(4) });
        assert_eq!(files.len(), 8);
        let mut n_records = 0;
        for file in &files {
            assert_eq!(&file.bytes[..2], &[0x1f, 0x8b], "{} is not gzip", file.name);
            let parts: Vec<&str> = file.name.split('/').collect();
            assert_eq!(parts.len(), 8, "{}", file.name);
            let (account, region) = (parts[1], parts[3]);
            assert_eq!((parts[0], parts[2]), ("AWSLogs", "CloudTrail"));
            let base = parts[7].strip_suffix(".json.gz").unwrap();
            let pieces: Vec<&str> = base.split('_').collect();
            assert_eq!(&pieces[..3], &[account, "CloudTrail", region]);
            assert_eq!(&pieces[3][..8], format!("{}{}{}", parts[4], parts[5], parts[6]));
            assert!(pieces[4].len() == 16 && pieces[4].bytes().all(|b| b.is_ascii_alphanumeric()));

            let records = records_of(file);
            let times: Vec<&str> = records.iter().map(|r| text(r, "/eventTime")).collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "{} is not sorted by time", file.name);
            for record in &records {
                assert_eq!(text(record, "/recipientAccountId"), account);
                assert_eq!(text(record, "/awsRegion"), region);
                let id = text(record, "/eventID");
                assert!(id.len() == 36 && &id[14..15] == "4", "{id}");
                assert!(record.get("requestParameters").is_some() && record.get("responseElements").is_some());
                if record.get("errorCode").is_some() {
                    assert!(record["responseElements"].is_null());
                }
            }
            n_records += records.len() as u64;
        }
        assert_eq!(n_records, truth.n_records);
    }

    #[test]
    fn duplicates_come_later_in_another_file() {
        let (files, truth) = generate(&small(5));
        assert!(truth.n_duplicates_all > 10, "{}", truth.n_duplicates_all);
        let mut first_file: BTreeMap<String, usize> = BTreeMap::new();
        for (file_idx, file) in files.iter().enumerate() {
            for record in records_of(file) {
                let id = text(&record, "/eventID").to_owned();
                if let Some(&first) = first_file.get(&id) {
                    assert!(first < file_idx, "copy of {id} not in a later file");
                    assert_eq!(files[first].name.split('/').nth(3), file.name.split('/').nth(3));
                } else {
                    first_file.insert(id, file_idx);
                }
            }
        }
    }

    #[test]
    fn sample_has_promised_size_and_variety() {
        let (files, truth) = generate(&GenConfig::sample());
        assert_eq!(files.len(), 6);
        assert_eq!(truth.n_distinct_all, 2_000);
        assert!((450..=550).contains(&truth.n_transcribe), "{}", truth.n_transcribe);
        assert!((1..=30).contains(&truth.n_duplicates_all), "{}", truth.n_duplicates_all);
        let kinds: BTreeSet<&str> = truth.jobs.values().map(|job| job.kind).collect();
        assert_eq!(kinds.len(), 5, "{kinds:?}");
        let statuses: BTreeSet<&str> = truth.jobs.values().map(|job| job.last_status).collect();
        for status in ["COMPLETED", "FAILED", "DELETED", "READY", "IN_PROGRESS"] {
            assert!(statuses.contains(status), "{status} missing from {statuses:?}");
        }

        let all: String = files.iter().map(|file| String::from_utf8(json_of(file)).unwrap()).collect();
        for needle in [
            "\"errorCode\":\"AccessDeniedException\"",
            "\"errorCode\":\"ThrottlingException\"",
            "\"errorCode\":\"ConflictException\"",
            "transcribestreaming.amazonaws.com",
            HIDDEN,
            "\"eventName\":\"TagResource\"",
            "\"eventName\":\"ConsoleLogin\"",
            "\"type\":\"AWSService\"",
            "\"invokedBy\":\"transcribe.amazonaws.com\"",
            OFFICE_IPV6,
            ODD_IP,
            "aws-cli/2.15.30",
            "Boto3/1.34.50",
            "aws-sdk-js/3.540.0",
            "\"userAgent\":\"AWS Internal\"",
            "Mozilla/5.0",
            "\"tlsDetails\"",
            "\"eventVersion\":\"1.08\"",
            "\"eventVersion\":\"1.09\"",
        ] {
            assert!(all.contains(needle), "sample lacks {needle}");
        }
        for account in ACCOUNTS {
            assert!(files.iter().any(|f| f.name.contains(account)), "no file for {account}");
        }
        for region in REGIONS {
            assert!(files.iter().any(|f| f.name.contains(region)), "no file for {region}");
        }
        let first = records_of(&files[0]);
        assert_eq!(text(&first[0], "/eventTime"), "2026-03-02T08:00:00Z");
    }

    #[test]
    fn bench_has_promised_size() {
        let config = GenConfig::bench();
        assert_eq!(
            (config.n_events, config.n_files, config.transcribe_per_mille, config.duplicate_per_mille),
            (200_000, 100, 50, 2)
        );
        assert!(config.gzip);
        // Plain JSON keeps a debug-build test quick; the records are the same.
        let (files, truth) = generate(&GenConfig { gzip: false, ..config });
        assert_eq!(files.len(), 100);
        assert_eq!(truth.n_distinct_all, 200_000);
        assert!((9_000..=11_000).contains(&truth.n_transcribe), "{}", truth.n_transcribe);
        assert!((200..=600).contains(&truth.n_duplicates_all), "{}", truth.n_duplicates_all);
        assert_eq!(truth.n_records, truth.n_distinct_all + truth.n_duplicates_all);
    }

    #[test]
    fn edge_configs_hold() {
        let (files, truth) = generate(&GenConfig { n_events: 0, ..small(1) });
        assert!(files.is_empty());
        assert_eq!(truth, Truth::default());

        let (files, truth) = generate(&GenConfig { n_events: 3, n_files: 10, ..small(1) });
        assert_eq!(files.len(), 3);
        assert_eq!(recount(&files), truth);

        let (files, truth) = generate(&GenConfig { n_files: 0, ..small(1) });
        assert_eq!(files.len(), 1);
        assert_eq!(truth.n_duplicates_all, 0);

        let (_, truth) = generate(&GenConfig { transcribe_per_mille: 0, ..small(1) });
        assert_eq!(truth.n_transcribe, 0);
        // Lifecycles bring their S3 and KMS calls along, so even 1000 per mille is not all Transcribe.
        let (files, truth) = generate(&GenConfig { transcribe_per_mille: 1000, ..small(1) });
        assert!(truth.n_transcribe > 2_400, "{}", truth.n_transcribe);
        assert_eq!(recount(&files), truth);
    }

    #[test]
    fn times_read_as_cloudtrail_writes_them() {
        assert_eq!(Iso(SAMPLE_START_MS / 1000 + 12).to_string(), "2026-03-02T08:00:12Z");
        assert_eq!(Java(SAMPLE_START_MS / 1000 + 15 * 60 + 12).to_string(), "Mar 2, 2026, 8:15:12 AM");
        assert_eq!(Java(SAMPLE_START_MS / 1000 + 4 * 3600).to_string(), "Mar 2, 2026, 12:00:00 PM");
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(crate::time::days_from_civil(2000, 3, 1), 11_017);
        let mut kebab = String::new();
        write_kebab(&mut kebab, "GetFunction20150331v2");
        assert_eq!(kebab, "get-function");
    }
}

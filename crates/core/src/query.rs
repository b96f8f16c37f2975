//! The search language and its evaluation over the index.
//!
//! A query is a value: terms (free text, `field:value`, `time:>...`), each maybe negated with `-`, plus
//! an optional time range. [`parse`] turns what a person typed into a [`Query`] and hints about what it
//! did not understand (never a silent empty table); [`evaluate`] answers with the matching rows.
//!
//! ```text
//! user:alice status:FAILED            both must hold
//! -event:GetTranscriptionJob          exclude
//! ip:10.0.0.0/8  ip:2001:db8::/32     CIDR
//! job:"call 7*"                       quotes for spaces, * as a wildcard
//! errorMessage:"User: \"x\" is*"       \" is a quote inside a value
//! time:>2026-03-07T14:00              times in UTC
//! requestParameters.languageCode:de-DE   any JSON path of the record (lists: any element)
//! ```

use std::net::IpAddr;

use serde_json::Value;

use crate::index::{Column, Index, StrId};
use crate::model::Event;
use crate::time::EventTime;

/// What was typed, understood.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// All must hold.
    pub terms: Vec<Term>,
    /// Inclusive start and exclusive end, in milliseconds since the epoch (set by brushing the timeline).
    pub range: Option<(i64, i64)>,
}

impl Query {
    /// Whether every event this query matches is also matched by `wider`: each of `wider`'s terms is here
    /// too, or is free text that a term here holds (typing `alic` after `ali`), and the range lies inside
    /// `wider`'s.
    pub fn narrows(&self, wider: &Query) -> bool {
        let inside = match (self.range, wider.range) {
            (_, None) => true,
            (Some((start, end)), Some((wide_start, wide_end))) => start >= wide_start && end <= wide_end,
            (None, Some(_)) => false,
        };
        inside && wider.terms.iter().all(|w| self.terms.iter().any(|t| t.implies(w)))
    }

    /// Whether this query can be answered by looking only at the rows `wider` matched, facet counts
    /// included: it [narrows](Query::narrows) `wider` and has no column terms, whose facets count rows
    /// that fail them too.
    pub fn answerable_within(&self, wider: &Query) -> bool {
        self.narrows(wider) && !self.terms.iter().any(|t| matches!(t.test, Test::Column(..)))
    }
}

/// One condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// True for `-term`.
    pub negate: bool,
    /// What it tests.
    pub test: Test,
}

impl Term {
    /// Whether every event this term holds for, `other` holds for too.
    fn implies(&self, other: &Term) -> bool {
        match (&self.test, &other.test) {
            _ if self == other => true,
            // A text holds every piece of itself; lacking a piece, it lacks the whole.
            (Test::Text(this), Test::Text(that)) if !self.negate && !other.negate => this.contains(that.as_str()),
            (Test::Text(this), Test::Text(that)) if self.negate && other.negate => that.contains(this.as_str()),
            _ => false,
        }
    }
}

/// What a term tests.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Text anywhere in the visible fields or the original JSON, ignoring case.
    Text(String),
    /// A column's value.
    Column(Column, Matcher),
    /// A value at a JSON path of the original record.
    Path(Vec<String>, Matcher),
    /// The event time against a bound.
    Time(Ordering, i64),
}

/// How a time is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordering {
    /// `>`
    After,
    /// `>=`
    AtOrAfter,
    /// `<`
    Before,
    /// `<=`
    AtOrBefore,
}

/// How a value is matched, ignoring case.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// The whole value.
    Exact(String),
    /// A pattern where `*` stands for any text.
    Wildcard(String),
    /// An address inside a network.
    Cidr(IpAddr, u8),
}

impl Matcher {
    /// A star alone (`error:*`), which asks for a value: not an empty one, nor a JSON `null` on a path.
    pub fn asks_for_a_value(&self) -> bool {
        matches!(self, Matcher::Wildcard(pattern) if lone_star(pattern))
    }
}

/// Something in the query the language did not understand, and what was done instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint(pub String);

/// Field names a person can type, with the column each means.
const FIELDS: &[(&str, Column)] = &[
    ("event", Column::EventName),
    ("eventname", Column::EventName),
    ("source", Column::EventSource),
    ("eventsource", Column::EventSource),
    ("region", Column::Region),
    ("awsregion", Column::Region),
    ("account", Column::Account),
    ("recipientaccountid", Column::Account),
    ("user", Column::Identity),
    ("identity", Column::Identity),
    ("username", Column::Identity),
    ("useridentity.username", Column::Identity),
    ("useridentity.arn", Column::IdentityArn),
    ("useridentity.type", Column::IdentityType),
    ("key", Column::AccessKey),
    ("accesskeyid", Column::AccessKey),
    ("useridentity.accesskeyid", Column::AccessKey),
    ("ip", Column::SourceIp),
    ("sourceipaddress", Column::SourceIp),
    ("agent", Column::UserAgent),
    ("useragent", Column::UserAgent),
    ("family", Column::AgentFamily),
    ("error", Column::ErrorCode),
    ("errorcode", Column::ErrorCode),
    ("job", Column::Resource),
    ("resource", Column::Resource),
    ("kind", Column::Kind),
    ("status", Column::Status),
    ("lang", Column::Language),
    ("language", Column::Language),
];

/// Top-level CloudTrail fields that have no column: searched in the original JSON.
const RECORD_FIELDS: &[&str] = &[
    "eventTime",
    "eventVersion",
    "eventType",
    "eventCategory",
    "readOnly",
    "managementEvent",
    "requestID",
    "errorMessage",
    "sharedEventID",
    "vpcEndpointId",
    "apiVersion",
    "sessionCredentialFromConsole",
    "vpcEndpointAccountId",
    "userIdentity",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "serviceEventDetails",
    "resources",
    "tlsDetails",
    "addendum",
    "edgeDeviceDetails",
    "insightDetails",
];

/// The fields the language knows, for the page's help.
pub fn field_names() -> Vec<&'static str> {
    vec![
        "event",
        "user",
        "ip",
        "region",
        "account",
        "error",
        "job",
        "status",
        "lang",
        "source",
        "agent",
        "key",
        "kind",
        "family",
        "id",
        "time",
        "userIdentity.arn",
    ]
}

/// What a typed `OR` is told, once.
const OR_HINT: &str = "OR: every term must hold, so OR is left out; a * finds several values (event:*TranscriptionJob)";

/// Reads a query. Never fails: what it cannot read becomes a hint, and the rest still applies.
pub fn parse(text: &str) -> (Query, Vec<Hint>) {
    let mut query = Query::default();
    let mut hints: Vec<Hint> = Vec::new();
    // Other search boxes (Athena, CloudTrail Lake, log tools) take AND, OR and NOT. Searched as words, "or"
    // and "and" are in nearly every record, and NOT would look for "not" rather than leave a term out.
    let mut not = false;
    for token in tokens(text) {
        match token.as_str() {
            "AND" => continue,
            "NOT" => {
                not = !not;
                continue;
            }
            "OR" => {
                if !hints.iter().any(|h| h.0 == OR_HINT) {
                    hints.push(Hint(OR_HINT.to_owned()));
                }
                continue;
            }
            _ => {}
        }
        let (negate, body) = negation(&token);
        let negate = negate != std::mem::take(&mut not);
        match term(body) {
            Ok(test) => query.terms.push(Term { negate, test }),
            Err(hint) => {
                hints.push(hint);
                // What was meant as a field's value is what to look for (usr:alice finds alice, ip:203.0.113
                // the addresses it begins); a field without a value is looked for as typed.
                let text = body.split_once(':').map(|(_, value)| value).filter(|v| !v.is_empty()).unwrap_or(body);
                query.terms.push(Term { negate, test: Test::Text(unquote(text).to_lowercase()) });
            }
        }
    }
    (query, hints)
}

/// The term that asks for `value` of the field named `field` (a name of [`FIELDS`], as the facets show it):
/// a quote in it written `\"`, and quoted when it holds white space. A star stays a wildcard, which matches
/// the value itself among others; [`toggle_value`] still knows the term as this value's.
pub fn value_term(field: &str, value: &str) -> String {
    let escaped = value.replace('"', "\\\"");
    if value.contains(char::is_whitespace) {
        format!("{field}:\"{escaped}\"")
    } else {
        format!("{field}:{escaped}")
    }
}

/// The values of `column` that a term of `query` of its own names (lower-cased, as terms hold them), each
/// once, with whether it is asked for (`true`) or left out, and whether the term names it exactly; where
/// terms disagree, the last one typed holds. What a facet marks as chosen. A wildcard term is named as it
/// is written: a facet's click writes a value holding a star that way, and the click that takes it back
/// finds it so, but a facet lists such a value only where an event has it.
pub fn named(query: &Query, column: Column) -> Vec<(&str, bool, bool)> {
    let mut named: Vec<(&str, bool, bool)> = Vec::new();
    for term in query.terms.iter().rev() {
        if let Test::Column(c, matcher @ (Matcher::Exact(v) | Matcher::Wildcard(v))) = &term.test {
            if *c == column && !named.iter().any(|(n, ..)| n == v) {
                named.push((v, !term.negate, matches!(matcher, Matcher::Exact(_))));
            }
        }
    }
    named
}

/// The search `text` after a click on a facet's `value` of the field named `field`, to include it, or
/// (`exclude`) to leave it out. A value already chosen is taken out of the search by a click, whether it
/// was asked for or left out (as its facet marks both), and by Alt-click when left out. Including a
/// value switches to it: the field's other terms that ask for a value go, since a facet lists the values
/// it offers instead (an event has one value of each), as does a term leaving this value out. Leaving a
/// value out takes out a term asking for it. Every other term stays as it was typed.
pub fn toggle_value(text: &str, field: &str, value: &str, exclude: bool) -> String {
    let column = column_named(field);
    let wanted = value.to_lowercase();
    // Each token, whether it is negated, and whether it tests this field, for this very value.
    let read: Vec<(String, bool, bool, bool)> = tokens(text)
        .into_iter()
        .map(|token| {
            let (negate, body) = negation(&token);
            let (same_column, same_value) = match term(body) {
                Ok(Test::Column(c, matcher)) if Some(c) == column => {
                    (true, matches!(&matcher, Matcher::Exact(v) | Matcher::Wildcard(v) if *v == wanted))
                }
                _ => (false, false),
            };
            (token, negate, same_column, same_value)
        })
        .collect();
    // A click on a chosen value, asked for or left out, takes it back out; Alt-click only on one left out.
    let already = read.iter().any(|&(_, negate, _, same_value)| same_value && (negate || !exclude));
    let mut kept: Vec<String> = read
        .into_iter()
        .filter(|&(_, negate, same_column, same_value)| {
            let drop = if already || exclude { same_value } else { same_column && (!negate || same_value) };
            !drop
        })
        .map(|(token, ..)| token)
        .collect();
    if !already {
        let term = value_term(field, value);
        kept.push(if exclude { format!("-{term}") } else { term });
    }
    kept.join(" ")
}

/// Whether a token is negated (`-term`), and the term; a lone `-` is text.
fn negation(token: &str) -> (bool, &str) {
    match token.strip_prefix('-') {
        Some(rest) if !rest.is_empty() => (true, rest),
        _ => (false, token),
    }
}

/// The column a field name means (any case), when it names one of [`FIELDS`].
fn column_named(field: &str) -> Option<Column> {
    FIELDS.iter().find(|(name, _)| name.eq_ignore_ascii_case(field)).map(|&(_, column)| column)
}

/// Splits on white space outside double quotes; quotes stay in the token for `term` to read. `\"` (how a
/// facet writes a quote inside a value) neither opens nor closes a quoted run, unless reading it so leaves
/// a run open: then every quote counts, so a phrase that ends in a backslash (`"C:\Program Files\"`) ends
/// there, as it always did.
fn tokens(text: &str) -> Vec<String> {
    match split(text, true) {
        (tokens, false) => tokens,
        (_, true) => split(text, false).0,
    }
}

/// The tokens, and whether a quoted run was left open.
fn split(text: &str, escapes: bool) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if escapes && chars.peek() == Some(&'"') => {
                current.push(c);
                current.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    (out, quoted)
}

fn unquote(text: &str) -> &str {
    text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text)
}

fn term(body: &str) -> Result<Test, Hint> {
    let Some((field, value)) = body.split_once(':').filter(|(f, _)| !f.starts_with('"')) else {
        return Ok(Test::Text(unquote(body).to_lowercase()));
    };
    let value = unquote(value);
    let lower_field = field.to_ascii_lowercase();
    // `eventTime:` is the record's own text (`eventTime:2026-03-07T14*`), unless it compares, as `time:` does.
    if lower_field == "time" || (lower_field == "eventtime" && value.starts_with(['<', '>'])) {
        return time_term(value);
    }
    if matches!(lower_field.as_str(), "id" | "eventid") {
        return Ok(Test::Path(vec!["eventID".to_owned()], matcher(value, false)?));
    }
    if let Some(column) = column_named(field) {
        if value.is_empty() {
            return Err(Hint(format!("{field}: needs a value; searched as text")));
        }
        return Ok(Test::Column(column, matcher(value, column == Column::SourceIp)?));
    }
    let is_path = field.contains('.') && field.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    // A top-level field in any case (eventtime:), read under CloudTrail's own spelling of its name.
    let record_field = RECORD_FIELDS.iter().find(|name| name.eq_ignore_ascii_case(field));
    if is_path || record_field.is_some() {
        let path = match record_field {
            Some(name) => vec![(*name).to_owned()],
            None => field.split('.').map(str::to_owned).collect(),
        };
        return Ok(Test::Path(path, matcher(value, false)?));
    }
    // `arn:aws:...`, `s3://...` or a time (`14:03`) typed as text is text; anything else was meant as a field.
    if matches!(lower_field.as_str(), "arn" | "s3" | "http" | "https")
        || field.is_empty()
        || field.starts_with(|c: char| c.is_ascii_digit())
        || !field.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Ok(Test::Text(body.to_lowercase()));
    }
    Err(Hint(format!("unknown field \"{field}\": searched as text (fields: {})", field_names().join(", "))))
}

fn matcher(value: &str, ip: bool) -> Result<Matcher, Hint> {
    if ip {
        if let Some((address, bits)) = value.split_once('/') {
            let address: IpAddr =
                address.parse().map_err(|_| Hint(format!("ip:{value}: not an address with a /prefix")))?;
            let max = if address.is_ipv4() { 32 } else { 128 };
            let bits: u8 = bits
                .parse()
                .ok()
                .filter(|b| *b <= max)
                .ok_or_else(|| Hint(format!("ip:{value}: the prefix must be 0 to {max}")))?;
            return Ok(Matcher::Cidr(address, bits));
        }
        // Digits and dots that are no address (`ip:203.0.113`) are a typo or a network without its prefix,
        // not one of the names CloudTrail writes there for AWS services (`ip:athena.amazonaws.com`).
        if value.bytes().all(|b| b.is_ascii_digit() || b == b'.') && value.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(Hint(format!("ip:{value}: not an address (a network is written ip:10.0.0.0/8)")));
        }
    }
    // A quote inside a value is written `\"`; no other backslash means anything (Windows paths).
    let value =
        if value.contains("\\\"") { value.replace("\\\"", "\"").into() } else { std::borrow::Cow::Borrowed(value) };
    let lower = value.to_lowercase();
    Ok(if lower.contains('*') { Matcher::Wildcard(lower) } else { Matcher::Exact(lower) })
}

fn time_term(value: &str) -> Result<Test, Hint> {
    let (ordering, rest) = if let Some(rest) = value.strip_prefix(">=") {
        (Ordering::AtOrAfter, rest)
    } else if let Some(rest) = value.strip_prefix("<=") {
        (Ordering::AtOrBefore, rest)
    } else if let Some(rest) = value.strip_prefix('>') {
        (Ordering::After, rest)
    } else if let Some(rest) = value.strip_prefix('<') {
        (Ordering::Before, rest)
    } else {
        return Err(Hint(format!("time:{value}: write time:>2026-03-07T14:00 or time:<2026-03-08")));
    };
    let (at, span) =
        parse_time(rest).ok_or_else(|| Hint(format!("time:{value}: not a time (write 2026-03-07T14:00, UTC)")))?;
    // A time is read to the precision written: <=2026-03-08 takes in all of the 8th, >2026-03-08 starts
    // on the 9th, as a person means them.
    Ok(match ordering {
        Ordering::AtOrBefore if span > 0 => Test::Time(Ordering::Before, at + span),
        Ordering::After if span > 0 => Test::Time(Ordering::AtOrAfter, at + span),
        _ => Test::Time(ordering, at),
    })
}

/// A date, or a date and time (to the hour, minute or second; a final Z allowed), in UTC: its start,
/// and how long the precision written spans in milliseconds (0 from seconds on: an instant).
fn parse_time(text: &str) -> Option<(i64, i64)> {
    let text = text.trim();
    let bare = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    let (full, span) = match bare.len() {
        10 => (format!("{bare}T00:00:00Z"), 86_400_000),
        13 => (format!("{bare}:00:00Z"), 3_600_000),
        16 => (format!("{bare}:00Z"), 60_000),
        19 => (format!("{bare}Z"), 0),
        _ => (text.to_owned(), 0),
    };
    EventTime::parse(&full).map(|t| (t.0, span))
}

/// Rows (indices into the events) that match `query`, among `candidates`, in their order.
pub fn evaluate(query: &Query, index: &Index, events: &[Event], candidates: &[u32]) -> Vec<u32> {
    let mut evaluation = Evaluation::new(query, index);
    evaluation.advance(index, events, candidates, usize::MAX);
    evaluation.rows
}

/// A query answered a slice at a time, so a search over the original JSON of a million events can show
/// its first rows at once and go on between frames; the answer is the same as [`evaluate`]'s.
///
/// Column and time terms are answered column at a time, as one bit per event: a scan down an integer
/// column is sequential, where testing rows in the candidates' (time) order jumps about memory. Terms
/// that read the JSON are then tested only on the candidates whose bits pass.
///
/// It also answers which rows each facet counts ([`Evaluation::facet_rows`]): those that pass every term
/// but the facet's own column terms. For terms that read the JSON, that means reading it for rows that
/// fail one column's terms too (not only for the matching rows); what they found is kept in `json_holds`.
pub struct Evaluation {
    /// The terms that read the JSON (free text and JSON paths), cheapest first.
    reading: Vec<Reading>,
    /// Per event: the time terms and the range hold.
    base: Bits,
    /// Per column with terms: the events where all of that column's terms hold.
    groups: Vec<(Column, Bits)>,
    /// `base` and every group: the events every cheap term holds for.
    pass: Bits,
    /// Whether the JSON must also be read where one column's terms fail, for the facet counts: when
    /// there are both column terms and terms that read the JSON.
    for_facets: bool,
    /// Per event, whether the terms that read the JSON all hold; known for the looked-at candidates that
    /// fail at most one column's terms.
    json_holds: Bits,
    /// The candidates looked at so far, and (when terms read the JSON) the matching ones, as bits.
    looked: Bits,
    matched: Bits,
    /// Candidates looked at so far.
    done: usize,
    /// Matching rows so far, in candidate order.
    pub rows: Vec<u32>,
}

/// One bit per event.
#[derive(Clone, Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn ones(n: usize) -> Bits {
        let mut words = vec![u64::MAX; n.div_ceil(64)];
        if !n.is_multiple_of(64) {
            if let Some(last) = words.last_mut() {
                *last = u64::MAX >> (64 - n % 64);
            }
        }
        Bits(words)
    }

    fn zeros(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }

    /// Bit `i` is `test(values[i])`, for every value: one sequential pass down a column, the test
    /// monomorphised into the loop.
    fn from_column<T: Copy>(values: &[T], mut test: impl FnMut(T) -> bool) -> Bits {
        Bits(
            values
                .chunks(64)
                .map(|chunk| chunk.iter().enumerate().fold(0u64, |bits, (k, &v)| bits | u64::from(test(v)) << k))
                .collect(),
        )
    }

    /// Events with a time from `first` to `last`, both included (events without a time never are).
    fn times_within(times: &[i64], first: i64, last: i64) -> Bits {
        Bits::from_column(times, |t| t != i64::MIN && t >= first && t <= last)
    }

    /// Flips every bit of the first `n`.
    fn negate(&mut self, n: usize) {
        let ones = Bits::ones(n);
        for (w, o) in self.0.iter_mut().zip(&ones.0) {
            *w ^= o;
        }
    }

    #[inline]
    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    #[inline]
    fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    fn and(&mut self, other: &Bits) {
        for (w, o) in self.0.iter_mut().zip(&other.0) {
            *w &= o;
        }
    }

    /// The set bits, lowest first.
    fn rows(&self) -> Vec<u32> {
        let mut rows = Vec::new();
        for (w, &word) in self.0.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                rows.push((w * 64) as u32 + word.trailing_zeros());
                word &= word - 1;
            }
        }
        rows
    }
}

/// What the cheap terms say about a row.
enum Cheap {
    /// Every cheap term holds.
    Pass,
    /// Only one column's terms fail.
    FailsOne,
    /// Terms on two columns, a time term or the range fail: no facet counts the row.
    Fails,
}

impl Evaluation {
    /// Prepares `query` over `index`: the column and time terms are answered here; the candidates are
    /// looked at by [`Evaluation::advance`].
    pub fn new(query: &Query, index: &Index) -> Evaluation {
        let n = index.len();
        // Free text is read first: it skips most rows through the sketch and the columns.
        let (mut cheap, mut reading, mut paths) = (Vec::new(), Vec::new(), Vec::new());
        for term in &query.terms {
            match prepare(term, index) {
                Prepared::Bits(term) => cheap.push(term),
                Prepared::Reads(term @ Reading::Text(_)) => reading.push(term),
                Prepared::Reads(term) => paths.push(term),
            }
        }
        reading.append(&mut paths);
        let times = &index.time;
        let mut base = match query.range {
            Some((start, end)) => Bits::times_within(times, start, end.saturating_sub(1)),
            None => Bits::ones(n),
        };
        let mut groups: Vec<(Column, Bits)> = Vec::new();
        for term in &cheap {
            let bits = term.bits(index);
            match term {
                BitTerm::Ids { column, .. } => match groups.iter_mut().find(|(c, _)| c == column) {
                    Some((_, group)) => group.and(&bits),
                    None => groups.push((*column, bits)),
                },
                _ => base.and(&bits),
            }
        }
        let mut pass = base.clone();
        for (_, group) in &groups {
            pass.and(group);
        }
        let for_reading = !reading.is_empty();
        let for_facets = for_reading && !groups.is_empty();
        Evaluation {
            reading,
            base,
            groups,
            pass,
            for_facets,
            json_holds: if for_facets { Bits::zeros(n) } else { Bits::default() },
            looked: Bits::zeros(n),
            matched: if for_reading { Bits::zeros(n) } else { Bits::default() },
            done: 0,
            rows: Vec::new(),
        }
    }

    /// Whether answering reads the original JSON (free text or a JSON path), which takes long enough over
    /// many events to be worth slicing.
    pub fn reads_json(&self) -> bool {
        !self.reading.is_empty()
    }

    /// Looks at up to `n` more candidates; true once every candidate has been looked at.
    pub fn advance(&mut self, index: &Index, events: &[Event], candidates: &[u32], n: usize) -> bool {
        let end = self.done.saturating_add(n).min(candidates.len());
        if self.reading.is_empty() {
            // Only bits to test: the matched ones are `pass` and `looked` (see `matched_rows`).
            for &row in &candidates[self.done..end] {
                self.looked.set(row as usize);
                if self.pass.get(row as usize) {
                    self.rows.push(row);
                }
            }
            self.done = end;
            return self.done == candidates.len();
        }
        for &row in &candidates[self.done..end] {
            let i = row as usize;
            self.looked.set(i);
            let cheap = self.cheap(i);
            let reads = match cheap {
                Cheap::Pass => true,
                Cheap::FailsOne => self.for_facets,
                Cheap::Fails => false,
            };
            if !reads {
                continue;
            }
            let json = self.reading.iter_mut().all(|p| p.holds(i, index, events));
            if json && self.for_facets {
                self.json_holds.set(i);
            }
            if json && matches!(cheap, Cheap::Pass) {
                self.rows.push(row);
                self.matched.set(i);
            }
        }
        self.done = end;
        self.done == candidates.len()
    }

    #[inline]
    fn cheap(&self, row: usize) -> Cheap {
        if self.pass.get(row) {
            return Cheap::Pass;
        }
        if !self.base.get(row) {
            return Cheap::Fails;
        }
        if self.groups.iter().filter(|(_, bits)| !bits.get(row)).count() == 1 {
            Cheap::FailsOne
        } else {
            Cheap::Fails
        }
    }

    /// Candidates looked at so far.
    pub fn looked_at(&self) -> usize {
        self.done
    }

    /// The matching rows found so far, lowest index first rather than in candidate order: what counts and
    /// sums need, read down the columns in order.
    pub fn matched_rows(&self) -> Vec<u32> {
        if self.reading.is_empty() {
            let mut bits = self.pass.clone();
            bits.and(&self.looked);
            return bits.rows();
        }
        self.matched.rows()
    }

    /// The looked-at candidates that pass every term but those on `column`, lowest index first: what a
    /// facet of `column` counts, so that choosing one value still shows the others to switch to.
    pub fn facet_rows(&self, column: Column) -> Vec<u32> {
        if !self.groups.iter().any(|(c, _)| *c == column) {
            return self.matched_rows();
        }
        let mut bits = self.base.clone();
        bits.and(&self.looked);
        for (_, group) in self.groups.iter().filter(|(c, _)| *c != column) {
            bits.and(group);
        }
        if self.for_facets {
            bits.and(&self.json_holds);
        }
        bits.rows()
    }
}

/// Counts per value of `column` over `rows`, most frequent first (ties by value). Rows lowest index first
/// read the column in order, which is much faster than jumping about it.
pub fn facet(index: &Index, column: Column, rows: &[u32]) -> Vec<(StrId, u32)> {
    let ids = index.column(column);
    let mut counts = vec![0u32; index.strings.len()];
    for &row in rows {
        if let Some(&id) = ids.get(row as usize) {
            counts[id as usize] += 1;
        }
    }
    ranked(index, counts)
}

/// [`facet`] over every event.
pub fn facet_all(index: &Index, column: Column) -> Vec<(StrId, u32)> {
    let mut counts = vec![0u32; index.strings.len()];
    for &id in index.column(column) {
        counts[id as usize] += 1;
    }
    ranked(index, counts)
}

fn ranked(index: &Index, counts: Vec<u32>) -> Vec<(StrId, u32)> {
    let mut out: Vec<(StrId, u32)> =
        counts.iter().enumerate().filter(|(_, &n)| n > 0).map(|(id, &n)| (id as StrId, n)).collect();
    sort_pairs(&mut out, &|a, b| b.1.cmp(&a.1).then_with(|| index.strings.get(a.0).cmp(index.strings.get(b.0))));
    out
}

/// Two numbers: a string id or row, and a count or place.
pub type Pair = (u32, u32);

/// Sorts pairs of numbers by `order`. The facets' counts and the page's table order both sort such pairs,
/// each by its own rule: through this one function the page downloads one copy of the sort, not two (a
/// kilobyte gzipped each), for a call through a pointer at each comparison.
pub fn sort_pairs(pairs: &mut [Pair], order: &dyn Fn(&Pair, &Pair) -> std::cmp::Ordering) {
    pairs.sort_unstable_by(|a, b| order(a, b));
}

/// Sorts `items` by `order` through [`sort_pairs`], for the same reason: each item's place is sorted, then
/// the items are moved to their places. The jobs' list and a dropped folder's files sort so.
pub fn sort_items<T>(items: Vec<T>, order: &dyn Fn(&T, &T) -> std::cmp::Ordering) -> Vec<T> {
    let mut places: Vec<Pair> = (0..items.len() as u32).map(|i| (i, 0)).collect();
    sort_pairs(&mut places, &|a, b| order(&items[a.0 as usize], &items[b.0 as usize]));
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    places.iter().filter_map(|&(i, _)| slots[i as usize].take()).collect()
}

/// Events over time, for the timeline: equal-width bins from the first to the last event among `rows`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Histogram {
    /// Start of the first bin, in milliseconds since the epoch.
    pub start: i64,
    /// Width of each bin in milliseconds.
    pub bin_ms: i64,
    /// Events per bin.
    pub counts: Vec<u32>,
    /// Of those, events with an error code.
    pub errors: Vec<u32>,
}

impl Histogram {
    /// The end of the last bin.
    pub fn end(&self) -> i64 {
        self.start + self.bin_ms * self.counts.len() as i64
    }
}

/// Bins the events of `rows` into at most `n_bins` bins of a round width (a second, a minute, an hour...).
pub fn histogram(index: &Index, rows: &[u32], n_bins: usize) -> Histogram {
    let times = || rows.iter().filter_map(|&r| index.time.get(r as usize).copied()).filter(|&t| t != i64::MIN);
    let (Some(min), Some(max)) = (times().min(), times().max()) else { return Histogram::default() };
    const ROUND: [i64; 14] = [
        1_000,
        5_000,
        15_000,
        60_000,
        300_000,
        900_000,
        1_800_000,
        3_600_000,
        10_800_000,
        21_600_000,
        43_200_000,
        86_400_000,
        604_800_000,
        2_592_000_000,
    ];
    let span = (max - min).max(1);
    let n_bins = n_bins.max(1) as i64;
    // Past the last round width (years of logs), whole days: the bars then start at midnight, and the
    // chart's ends read as dates rather than as odd milliseconds.
    const DAY: i64 = 86_400_000;
    let bin_ms = ROUND.iter().copied().find(|&b| span / b < n_bins).unwrap_or((span / n_bins / DAY + 1) * DAY);
    let start = min.div_euclid(bin_ms) * bin_ms;
    let n = ((max - start) / bin_ms + 1) as usize;
    let mut counts = vec![0u32; n];
    let mut errors = vec![0u32; n];
    let error_codes = index.column(Column::ErrorCode);
    for &row in rows {
        let t = index.time.get(row as usize).copied().unwrap_or(i64::MIN);
        if t == i64::MIN {
            continue;
        }
        let bin = ((t - start) / bin_ms) as usize;
        counts[bin] += 1;
        if error_codes.get(row as usize).copied().unwrap_or(0) != 0 {
            errors[bin] += 1;
        }
    }
    Histogram { start, bin_ms, counts, errors }
}

/// A term made ready for a scan: column and time terms are answered as one bit per event up front, the
/// others by reading rows' JSON.
enum Prepared {
    Bits(BitTerm),
    Reads(Reading),
}

/// A column term (a yes/no per interned string) or a time term.
enum BitTerm {
    Ids { negate: bool, column: Column, yes: Vec<bool> },
    Time { negate: bool, ordering: Ordering, at: i64 },
}

/// A term that reads a row's original JSON.
enum Reading {
    Path { negate: bool, path: Vec<String>, matcher: Matcher, clues: Box<PathClues> },
    Text(Box<TextTerm>),
}

/// Free text, with what it learns about rows 64 at a time: the candidates come in time order, which jumps
/// about the events, so looking up a row's columns and sketch one by one would miss the cache at every
/// row, while 64 neighbours read together are a few sequential lines.
struct TextTerm {
    negate: bool,
    finder: crate::caseless::Finder,
    yes: Vec<bool>,
    /// The columns where some value holds the text.
    columns: Vec<Column>,
    probe: Option<crate::sketch::Probe>,
    /// Per word of 64 rows: whether the two bitsets below are filled in for them.
    known: Vec<bool>,
    /// A row's columns hold the text.
    in_columns: Vec<u64>,
    /// The row's JSON may hold it (the sketch cannot rule it out): it must be read.
    maybe_in_json: Vec<u64>,
}

impl TextTerm {
    fn holds(&mut self, row: usize, index: &Index, events: &[Event]) -> bool {
        let word = row / 64;
        if self.known.len() <= word {
            let n_words = index.len().div_ceil(64).max(word + 1);
            self.known.resize(n_words, false);
            self.in_columns.resize(n_words, 0);
            self.maybe_in_json.resize(n_words, 0);
        }
        if !self.known[word] {
            self.learn(word, index);
        }
        let bit = 1u64 << (row % 64);
        let hit = self.in_columns[word] & bit != 0
            || (self.maybe_in_json[word] & bit != 0
                && events.get(row).is_some_and(|e| self.finder.is_in(e.raw().as_bytes())));
        hit != self.negate
    }

    fn learn(&mut self, word: usize, index: &Index) {
        let rows = word * 64..(word * 64 + 64).min(index.len());
        let (mut in_columns, mut maybe) = (0u64, 0u64);
        for column in &self.columns {
            for (k, &id) in index.column(*column).get(rows.clone()).unwrap_or(&[]).iter().enumerate() {
                // A string newer than this evaluation is only in rows added since, which it never asks.
                in_columns |= u64::from(self.yes.get(id as usize).copied().unwrap_or(false)) << k;
            }
        }
        for (k, row) in rows.enumerate() {
            // The sketch only speaks for the original JSON: the columns hold derived text too (the agent
            // family, the resource's kind), which is why they are asked as well.
            let may = self.probe.as_ref().is_none_or(|p| index.sketch.may_hold(row, p));
            maybe |= u64::from(may) << k;
        }
        // Rows the index does not have yet (none, in practice) are left to the plain read.
        let unknown =
            if index.len() >= word * 64 + 64 { 0 } else { u64::MAX << (index.len().saturating_sub(word * 64)) };
        self.in_columns[word] = in_columns;
        self.maybe_in_json[word] = maybe | unknown;
        self.known[word] = true;
    }
}

impl BitTerm {
    /// Per event, whether the term holds.
    fn bits(&self, index: &Index) -> Bits {
        let (negate, mut bits) = match self {
            BitTerm::Ids { negate, column, yes } => {
                (*negate, Bits::from_column(index.column(*column), |id| yes.get(id as usize).copied().unwrap_or(false)))
            }
            BitTerm::Time { negate, ordering, at } => {
                let (first, last) = match ordering {
                    Ordering::After => (at.saturating_add(1), i64::MAX),
                    Ordering::AtOrAfter => (*at, i64::MAX),
                    Ordering::Before => (i64::MIN, at.saturating_sub(1)),
                    Ordering::AtOrBefore => (i64::MIN, *at),
                };
                (*negate, Bits::times_within(&index.time, first, last))
            }
        };
        if negate {
            bits.negate(index.len());
        }
        bits
    }
}

impl Reading {
    fn holds(&mut self, row: usize, index: &Index, events: &[Event]) -> bool {
        match self {
            Reading::Path { negate, path, matcher, clues } => {
                let hit = clues.sketch_allows(row, index)
                    && events.get(row).is_some_and(|e| {
                        clues.may_hold(e.raw().as_bytes())
                            && serde_json::from_str(e.raw()).is_ok_and(|record| path_holds(&record, path, matcher))
                    });
                hit != *negate
            }
            Reading::Text(text) => text.holds(row, index, events),
        }
    }
}

fn prepare(term: &Term, index: &Index) -> Prepared {
    let strings = &index.strings;
    let negate = term.negate;
    match &term.test {
        Test::Column(column, matcher) => {
            let yes = (0..strings.len() as StrId).map(|id| matches(matcher, strings.lower(id))).collect();
            // `agent:` also matches the family name (agent:boto3).
            let yes = if *column == Column::UserAgent { with_family(index, matcher, yes) } else { yes };
            Prepared::Bits(BitTerm::Ids { negate, column: *column, yes })
        }
        Test::Time(ordering, at) => Prepared::Bits(BitTerm::Time { negate, ordering: *ordering, at: *at }),
        Test::Path(path, matcher) => Prepared::Reads(Reading::Path {
            negate,
            path: path.clone(),
            matcher: matcher.clone(),
            clues: Box::new(PathClues::new(path, matcher, index)),
        }),
        Test::Text(needle) => {
            let yes: Vec<bool> = (0..strings.len() as StrId)
                .map(|id| !needle.is_empty() && strings.lower(id).contains(needle.as_str()))
                .collect();
            let columns = Column::ALL
                .into_iter()
                .filter(|&c| yes.iter().enumerate().any(|(id, &y)| y && index.holds(c, id as StrId)))
                .collect();
            Prepared::Reads(Reading::Text(Box::new(TextTerm {
                negate,
                finder: crate::caseless::Finder::new(needle.as_bytes()),
                yes,
                columns,
                probe: index.sketch.probe(needle.as_bytes()),
                known: Vec::new(),
                in_columns: Vec::new(),
                maybe_in_json: Vec::new(),
            })))
        }
    }
}

fn with_family(index: &Index, matcher: &Matcher, mut yes: Vec<bool>) -> Vec<bool> {
    let strings = &index.strings;
    for id in 0..strings.len() as StrId {
        if !yes[id as usize] && matches(matcher, &crate::index::agent_family(strings.get(id)).to_lowercase()) {
            yes[id as usize] = true;
        }
    }
    yes
}

fn matches(matcher: &Matcher, lower_value: &str) -> bool {
    match matcher {
        Matcher::Exact(want) => lower_value == want,
        Matcher::Wildcard(pattern) => glob(pattern, lower_value) && !(lower_value.is_empty() && lone_star(pattern)),
        // sourceIPAddress may be a comma list: any address inside counts.
        Matcher::Cidr(network, bits) => lower_value
            .split(',')
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .any(|address| in_network(address, *network, *bits)),
    }
}

fn in_network(address: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits)) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits)) };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Whether a wildcard `pattern` is stars alone, which asks for a value, as in other search tools
/// (`error:*` is the calls that failed): it does not match an empty one, nor a JSON `null` on a path
/// ([`Matcher::asks_for_a_value`]), here or in the SQL hand-off.
pub(crate) fn lone_star(pattern: &str) -> bool {
    pattern.bytes().all(|b| b == b'*')
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().map_or(("", &[][..]), |(f, r)| (*f, r));
    let Some(mut remaining) = text.strip_prefix(first) else { return false };
    let Some((last, middle)) = rest.split_last() else { return remaining.is_empty() };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

/// Text that must appear in a record's JSON for a path term to hold there, so that most records are
/// passed over without being parsed: the last key in quotes, and a piece of the value. A `\u` escape can
/// hide any character, so a record holding one is always parsed.
struct PathClues {
    key: Option<memchr::memmem::Finder<'static>>,
    value: Option<crate::caseless::Finder>,
    /// The same two pieces as sketch bits, which rule a record out without reading it when the sketch
    /// says it is spelled verbatim (no escape, nothing beyond ASCII).
    probes: Vec<crate::sketch::Probe>,
}

impl PathClues {
    fn new(path: &[String], matcher: &Matcher, index: &Index) -> PathClues {
        let key = path.last().map(|k| format!("\"{k}\""));
        // Only a run of letters, digits and `-_.@` appears verbatim in the JSON whatever the value's type
        // (other characters may be escaped), and only one with a letter other than `e`, which a number
        // written another way (1e3 for 1000) could not have.
        let value = match matcher {
            Matcher::Exact(text) | Matcher::Wildcard(text) => text
                .split(|c: char| !(c.is_ascii_alphanumeric() || "-_.@".contains(c)))
                .filter(|run| run.bytes().any(|b| b.is_ascii_alphabetic() && !b.eq_ignore_ascii_case(&b'e')))
                .max_by_key(|run| run.len()),
            Matcher::Cidr(..) => None,
        };
        let pieces = key.iter().map(String::as_bytes).chain(value.map(str::as_bytes));
        PathClues {
            probes: pieces.filter_map(|piece| index.sketch.probe(piece)).collect(),
            key: key.map(|k| memchr::memmem::Finder::new(k.as_bytes()).into_owned()),
            value: value.map(|run| crate::caseless::Finder::new(run.as_bytes())),
        }
    }

    /// False when the sketch proves the record lacks a piece that a plainly spelled record must hold.
    #[inline]
    fn sketch_allows(&self, row: usize, index: &Index) -> bool {
        let sketch = &index.sketch;
        self.probes.is_empty() || !sketch.is_plain(row) || self.probes.iter().all(|p| sketch.may_hold(row, p))
    }

    fn may_hold(&self, raw: &[u8]) -> bool {
        // Any escape can spell a key differently (`a\/b` is `a/b`).
        let key = || memchr::memchr(b'\\', raw).is_some();
        // A value's letters can hide behind `\u`, or be non-ASCII letters that lower-case to ASCII ones (the
        // Kelvin sign to k, dotted capital I to i and a dot).
        let value = || {
            memchr::memmem::find(raw, b"\\u").is_some()
                || memchr::memmem::find(raw, "\u{212A}".as_bytes()).is_some()
                || memchr::memmem::find(raw, "\u{0130}".as_bytes()).is_some()
        };
        self.key.as_ref().is_none_or(|k| k.find(raw).is_some() || key())
            && self.value.as_ref().is_none_or(|v| v.is_in(raw) || value())
    }
}

/// Whether the value at `path` in a record matches, as text (strings bare, other values as JSON, any case).
/// A list met on the way is looked into element by element, and a list at the end matches through any
/// element too (`requestParameters.tags.key:project`, `requestParameters.languageOptions:de-DE`), as
/// log search tools read paths: CloudTrail's requests and responses hold their repeated fields in lists.
/// A JSON `null` is no value: a star alone, which asks for one, passes it by (`responseElements:*` is the
/// calls that answered something, as CloudTrail writes `"responseElements": null` for those that did not),
/// while `null` typed out finds it.
fn path_holds(at: &Value, path: &[String], matcher: &Matcher) -> bool {
    match (at, path.split_first()) {
        (Value::Array(items), _) if items.iter().any(|item| path_holds(item, path, matcher)) => true,
        (_, Some((key, rest))) => at.get(key).is_some_and(|next| path_holds(next, rest, matcher)),
        (Value::String(s), None) => matches(matcher, &s.to_lowercase()),
        (Value::Null, None) if matcher.asks_for_a_value() => false,
        (other, None) => matches(matcher, &other.to_string().to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows a query matches among the events of `raws`, one record each, in that order.
    fn rows_of(raws: &[&str]) -> impl Fn(&str) -> Vec<u32> {
        let events: Vec<crate::model::Event> = raws
            .iter()
            .map(|raw| serde_json::from_str::<crate::record::RawRecord<'_>>(raw).unwrap().into_event(raw))
            .collect();
        let index = Index::build(&events);
        let all: Vec<u32> = (0..events.len() as u32).collect();
        move |text| evaluate(&parse(text).0, &index, &events, &all)
    }

    #[test]
    fn event_time_is_the_record_s_text_or_a_comparison_and_a_partial_address_is_a_hint() {
        let (query, hints) =
            parse("eventtime:2026-03-07T14* eventTime:>=2026-03-07T14:00 ip:203.0.113 ip:athena.amazonaws.com");
        assert_eq!(
            query.terms[0].test,
            Test::Path(vec!["eventTime".into()], Matcher::Wildcard("2026-03-07t14*".into()))
        );
        assert_eq!(query.terms[1].test, Test::Time(Ordering::AtOrAfter, 1_772_892_000_000));
        // Looked for as text: the addresses that begin so, and whatever else holds it.
        assert_eq!(query.terms[2].test, Test::Text("203.0.113".into()));
        assert_eq!(query.terms[3].test, Test::Column(Column::SourceIp, Matcher::Exact("athena.amazonaws.com".into())));
        assert_eq!(hints.len(), 1, "{hints:?}");
        assert!(hints[0].0.starts_with("ip:203.0.113: not an address"), "{hints:?}");
    }

    /// One event at each time.
    fn events_at(times: &[&str]) -> Vec<crate::model::Event> {
        times
            .iter()
            .map(|t| {
                let raw = format!(r#"{{"eventVersion":"1","eventTime":"{t}","eventName":"X"}}"#);
                let record: crate::record::RawRecord<'_> = serde_json::from_str(&raw).unwrap();
                record.into_event(&raw)
            })
            .collect()
    }

    #[test]
    fn a_histogram_over_years_has_bars_of_whole_days() {
        let times = ["2016-01-26T10:11:12Z", "2021-06-01T00:00:00Z", "2026-02-26T23:59:59Z"];
        let h = histogram(&Index::build(&events_at(&times)), &[0, 1, 2], 120);
        // 3,685 days over 120 bars: 31 days each, starting at a midnight at most a bar before the first event.
        assert_eq!(h.bin_ms, 31 * 86_400_000);
        assert!(EventTime(h.start).to_iso().ends_with("T00:00:00Z"), "{}", EventTime(h.start).to_iso());
        let first = EventTime::parse(times[0]).map(|t| t.0).unwrap_or_default();
        assert!(h.start <= first && first < h.start + h.bin_ms);
        assert!(h.counts.len() <= 120 && h.counts.iter().sum::<u32>() == 3, "{} bars", h.counts.len());
    }

    #[test]
    fn a_facet_click_switches_values_and_a_second_click_takes_it_back() {
        // Including switches: the field's other values asked for go, every other term stays as typed.
        assert_eq!(
            toggle_value("status:FAILED  user:ali*", "status", "COMPLETED", false),
            "user:ali* status:COMPLETED"
        );
        assert_eq!(toggle_value("eventName:StartCallAnalyticsJob x", "event", "Get", false), "x event:Get");
        assert_eq!(toggle_value("user:ali* -user:bob", "user", "alice", false), "-user:bob user:alice");
        assert_eq!(toggle_value("ip:10.0.0.0/8", "ip", "10.1.2.3", false), "ip:10.1.2.3");
        // The same value again, whatever its case: taken out.
        assert_eq!(toggle_value("user:bob status:FAILED", "user", "Bob", false), "status:FAILED");
        // Leaving out, then asking for it, then leaving it out again.
        assert_eq!(toggle_value("user:bob", "region", "us-east-1", true), "user:bob -region:us-east-1");
        // A click on a value left out (struck through) takes it back out, as on one asked for.
        assert_eq!(toggle_value("-region:us-east-1 user:bob", "region", "us-east-1", false), "user:bob");
        assert_eq!(toggle_value("user:erin -user:alice", "user", "alice", false), "user:erin");
        assert_eq!(toggle_value("region:us-east-1", "region", "us-east-1", true), "-region:us-east-1");
        assert_eq!(toggle_value("-region:us-east-1 region:eu-west-1", "region", "us-east-1", true), "region:eu-west-1");
        // Leaving one value out keeps the others asked for (none of them is this value).
        assert_eq!(toggle_value("region:eu-west-1", "region", "us-east-1", true), "region:eu-west-1 -region:us-east-1");
        // Free text and JSON paths that mention the value are not terms of the field.
        assert_eq!(
            toggle_value("alice requestParameters.userName:alice", "user", "alice", false),
            "alice requestParameters.userName:alice user:alice"
        );
        // Values with spaces are quoted, and found again quoted.
        let text = toggle_value("", "user", "Jane Doe", false);
        assert_eq!(text, "user:\"Jane Doe\"");
        assert_eq!(toggle_value(&text, "user", "Jane Doe", false), "");
        assert_eq!(named(&parse(&text).0, Column::Identity), vec![("jane doe", true, true)]);
        assert_eq!(named(&parse("-user:Bob").0, Column::Identity), vec![("bob", false, true)]);
        assert_eq!(named(&parse("user:bob* region:x").0, Column::Identity), vec![("bob*", true, false)]);
        assert_eq!(
            named(&parse("user:bob -user:bob user:al").0, Column::Identity),
            vec![("al", true, true), ("bob", false, true)]
        );
    }

    #[test]
    fn a_facet_value_holding_quotes_stars_or_backslashes_asks_for_itself_and_is_taken_back() {
        for value in [r#"Mozilla "x" 5"#, "boto*3", r"C:\agent\", r"C:\Program Files\", r#"a\"b"#, r#"""#, "*"] {
            for exclude in [false, true] {
                let text = toggle_value("status:FAILED", "agent", value, exclude);
                let (query, hints) = parse(&text);
                assert!(hints.is_empty(), "{text}: {hints:?}");
                assert_eq!(query.terms.len(), 2, "{text}");
                let lower = value.to_lowercase();
                // A star stays a wildcard, which matches the value itself, and is named as chosen.
                let star = value.contains('*');
                let want = if star { Matcher::Wildcard(lower.clone()) } else { Matcher::Exact(lower.clone()) };
                let named_here = vec![(&*lower, !exclude, !star)];
                assert_eq!(query.terms[1].test, Test::Column(Column::UserAgent, want), "{text}");
                assert_eq!(query.terms[1].negate, exclude, "{text}");
                assert_eq!(named(&query, Column::UserAgent), named_here);
                assert_eq!(toggle_value(&text, "agent", value, false), "status:FAILED", "{text}");
            }
        }
        // Typed backslashes mean what they always did: a path with a wildcard, a phrase ending in one.
        let (query, _) = parse(r#"agent:C:\* "C:\Program Files\" event:StartTranscriptionJob"#);
        let tests: Vec<_> = query.terms.iter().map(|t| t.test.clone()).collect();
        assert_eq!(
            tests,
            [
                Test::Column(Column::UserAgent, Matcher::Wildcard(r"c:\*".into())),
                Test::Text(r"c:\program files\".into()),
                Test::Column(Column::EventName, Matcher::Exact("starttranscriptionjob".into())),
            ]
        );
    }

    #[test]
    fn or_is_left_out_with_a_hint_and_or_in_lower_case_or_quoted_is_text() {
        let (query, hints) = parse("event:StartTranscriptionJob OR event:DeleteTranscriptionJob OR x");
        assert_eq!(hints, vec![Hint(OR_HINT.to_owned())], "said once");
        assert_eq!(query, parse("event:StartTranscriptionJob event:DeleteTranscriptionJob x").0);
        // AND is what terms do already; NOT leaves the next term out, as - does.
        let (query, hints) = parse("user:alice AND NOT event:GetTranscriptionJob NOT -error:* NOT");
        assert!(hints.is_empty(), "{hints:?}");
        assert_eq!(query, parse("user:alice -event:GetTranscriptionJob error:*").0);
        for text in ["or", "\"OR\"", "-OR", "ORACLE", "and", "not", "\"NOT\""] {
            let (query, hints) = parse(text);
            assert!(hints.is_empty(), "{text}: {hints:?}");
            assert_eq!(query.terms.len(), 1, "{text}");
        }
    }

    #[test]
    fn parses_fields_negation_quotes_and_hints() {
        let (query, hints) = parse(r#"user:alice -event:GetTranscriptionJob job:"call 7*" colour:red"#);
        assert_eq!(query.terms.len(), 4);
        assert_eq!(query.terms[0].test, Test::Column(Column::Identity, Matcher::Exact("alice".into())));
        assert!(query.terms[1].negate);
        assert_eq!(query.terms[2].test, Test::Column(Column::Resource, Matcher::Wildcard("call 7*".into())));
        assert_eq!(query.terms[3].test, Test::Text("red".into()));
        assert_eq!(hints.len(), 1, "{hints:?}");
        assert!(hints[0].0.contains("colour"));
        // A time or an address typed as text is text, not a field and its value.
        let (query, hints) = parse("14:03:05 user: ::1");
        let texts: Vec<&Test> = query.terms.iter().map(|t| &t.test).collect();
        assert_eq!(texts, [&Test::Text("14:03:05".into()), &Test::Text("user:".into()), &Test::Text("::1".into())]);
        assert_eq!(hints.len(), 1, "only user: needs a value: {hints:?}");
        // Every top-level field of a record is CloudTrail's own name, objects too (any case).
        let (query, hints) = parse("additionalEventData:* serviceeventdetails:*");
        assert!(hints.is_empty(), "{hints:?}");
        assert_eq!(query.terms[1].test, Test::Path(vec!["serviceEventDetails".into()], Matcher::Wildcard("*".into())));
    }

    #[test]
    fn arn_and_urls_are_text() {
        let (query, hints) = parse("arn:aws:iam::111122223333:user/alice s3://bucket/key");
        assert!(hints.is_empty(), "{hints:?}");
        assert!(matches!(&query.terms[0].test, Test::Text(t) if t == "arn:aws:iam::111122223333:user/alice"));
        assert!(matches!(&query.terms[1].test, Test::Text(t) if t == "s3://bucket/key"));
    }

    #[test]
    fn cidr_and_time_terms() {
        let (query, hints) = parse("ip:10.0.0.0/8 time:>2026-03-07T14:00 ip:2001:db8::/32 time:yesterday");
        assert_eq!(query.terms[0].test, Test::Column(Column::SourceIp, Matcher::Cidr("10.0.0.0".parse().unwrap(), 8)));
        assert_eq!(
            query.terms[1].test,
            Test::Time(Ordering::AtOrAfter, EventTime::parse("2026-03-07T14:01:00Z").unwrap().0)
        );
        assert_eq!(
            query.terms[2].test,
            Test::Column(Column::SourceIp, Matcher::Cidr("2001:db8::".parse().unwrap(), 32))
        );
        assert_eq!(hints.len(), 1, "{hints:?}");
    }

    #[test]
    fn a_time_is_read_to_the_precision_written() {
        let at = |text: &str| EventTime::parse(text).unwrap().0;
        let test = |text: &str| parse(text).0.terms[0].test.clone();
        // <= takes in the whole day, hour or minute written; > starts after it.
        assert_eq!(test("time:<=2026-03-05"), Test::Time(Ordering::Before, at("2026-03-06T00:00:00Z")));
        assert_eq!(test("time:>2026-03-05"), Test::Time(Ordering::AtOrAfter, at("2026-03-06T00:00:00Z")));
        assert_eq!(test("time:<2026-03-05"), Test::Time(Ordering::Before, at("2026-03-05T00:00:00Z")));
        assert_eq!(test("time:>=2026-03-05"), Test::Time(Ordering::AtOrAfter, at("2026-03-05T00:00:00Z")));
        assert_eq!(test("time:<=2026-03-05T14"), Test::Time(Ordering::Before, at("2026-03-05T15:00:00Z")));
        assert_eq!(test("eventTime:>2026-03-05T14:00"), Test::Time(Ordering::AtOrAfter, at("2026-03-05T14:01:00Z")));
        // Seconds are an instant; a final Z is allowed at every precision, as the table writes times.
        assert_eq!(test("time:<=2026-03-05T14:00:00Z"), Test::Time(Ordering::AtOrBefore, at("2026-03-05T14:00:00Z")));
        assert_eq!(test("time:>2026-03-05T14:00Z"), Test::Time(Ordering::AtOrAfter, at("2026-03-05T14:01:00Z")));
        assert_eq!(test("time:>=2026-03-05T14:00:00"), Test::Time(Ordering::AtOrAfter, at("2026-03-05T14:00:00Z")));
        assert_eq!(
            test("time:<2026-03-05T14:00:00.500Z"),
            Test::Time(Ordering::Before, at("2026-03-05T14:00:00.500Z"))
        );
    }

    #[test]
    fn histogram_bins_are_round_and_hold_every_event() {
        let index = Index::build(&events_at(&["2026-03-02T08:00:10Z", "2026-03-02T08:59:59Z", "2026-03-02T10:30:00Z"]));
        let h = histogram(&index, &[0, 1, 2], 60);
        assert_eq!(h.bin_ms, 300_000);
        assert_eq!(h.start, EventTime::parse("2026-03-02T08:00:00Z").unwrap().0);
        assert_eq!(h.counts.iter().sum::<u32>(), 3);
        assert!(h.counts.len() <= 60);
        assert!(h.end() > EventTime::parse("2026-03-02T10:30:00Z").unwrap().0);
    }

    #[test]
    fn globs() {
        assert!(glob("call-*", "call-7"));
        assert!(glob("*-7", "call-7"));
        assert!(glob("c*l*7", "call-7"));
        assert!(!glob("c*x", "call-7"));
        assert!(glob("*", ""));
        assert!(!glob("a*a", "a"));
        // As a term, a star alone asks for a value.
        let star = |p: &str, v: &str| matches(&Matcher::Wildcard(p.to_owned()), v);
        assert!(star("*", "accessdenied") && star("**", "x") && star("a*", "a"));
        assert!(!star("*", "") && !star("**", ""));
    }

    #[test]
    fn networks() {
        let net: IpAddr = "10.0.0.0".parse().unwrap();
        assert!(matches(&Matcher::Cidr(net, 8), "10.1.2.3"));
        assert!(!matches(&Matcher::Cidr(net, 8), "11.1.2.3"));
        assert!(matches(&Matcher::Cidr(net, 8), "192.0.2.1, 10.9.9.9"));
        assert!(!matches(&Matcher::Cidr(net, 8), "lambda.amazonaws.com"));
    }

    #[test]
    fn path_terms_see_through_escapes_and_number_spellings() {
        let raws = [
            r#"{"eventVersion":"1","eventTime":"2026-03-02T08:00:00Z","eventName":"X","requestParameters":{"languageCode":"de-\u0044E","n":1e3}}"#,
            r#"{"eventVersion":"1","eventTime":"2026-03-02T08:00:00Z","eventName":"X","requestParameters":{"languageCode":"DE-de","n":1000}}"#,
            r#"{"eventVersion":"1","eventTime":"2026-03-02T08:00:00Z","eventName":"X","requestParameters":{"language\u0043ode":"de-de"}}"#,
            r#"{"eventVersion":"1","eventTime":"2026-03-02T08:00:00Z","eventName":"X","requestParameters":{"languageCode":"en-US"}}"#,
            r#"{"eventVersion":"1","eventTime":"2026-03-02T08:00:00Z","eventName":"X","requestParameters":{"a\/b":"v","k":"Kms"}}"#,
        ];
        let rows = rows_of(&raws);
        assert_eq!(rows("requestParameters.languageCode:de-de"), vec![0, 1, 2]);
        assert_eq!(rows("requestParameters.languageCode:DE-*"), vec![0, 1, 2]);
        assert_eq!(rows("-requestParameters.languageCode:de-de"), vec![3, 4]);
        assert_eq!(rows("requestParameters.n:1000.0"), vec![0]);
        assert_eq!(rows("requestParameters.n:1000"), vec![1]);
        assert_eq!(rows("requestParameters.languageCode:en-us"), vec![3]);
        assert_eq!(rows("requestParameters.a/b:v"), vec![4]);
        assert_eq!(rows("requestParameters.k:kms"), vec![4]);
    }

    #[test]
    fn a_star_alone_passes_a_json_null_by_and_null_typed_out_finds_it() {
        let raws = [
            r#"{"eventVersion":"1","eventName":"X","requestParameters":{"a":null},"responseElements":null}"#,
            r#"{"eventVersion":"1","eventName":"X","requestParameters":{"a":"null"},"responseElements":{"b":null}}"#,
            r#"{"eventVersion":"1","eventName":"X","requestParameters":{"a":[null,""]},"responseElements":{}}"#,
            r#"{"eventVersion":"1","eventName":"X","requestParameters":{"a":[null,"x"]}}"#,
        ];
        let rows = rows_of(&raws);
        assert_eq!(rows("responseElements:*"), vec![1, 2], "an object, even empty, is a value; null is not");
        assert_eq!(rows("-responseElements:*"), vec![0, 3], "null and absent alike");
        assert_eq!(rows("responseElements:null"), vec![0]);
        assert_eq!(rows("responseElements.b:*"), Vec::<u32>::new());
        assert_eq!(rows("requestParameters.a:*"), vec![1, 2, 3], "the text null, a list's element, the list whole");
        assert_eq!(rows("requestParameters.a:null"), vec![0, 1, 2, 3]);
        assert_eq!(rows("requestParameters.a:n*"), vec![0, 1, 2, 3], "a star beside text still reads null");
    }

    #[test]
    fn path_terms_look_into_lists() {
        let raws = [
            r#"{"eventVersion":"1","eventTime":"2026-03-02T08:00:00Z","eventName":"X","requestParameters":{"tags":[{"key":"team","value":"Claims"},{"key":"project","value":"p7"}],"languageOptions":["en-US","de-DE"]}}"#,
            r#"{"eventVersion":"1","eventTime":"2026-03-02T08:00:00Z","eventName":"X","requestParameters":{"tags":[{"key":"team","value":"billing"}],"languageOptions":[["fr-FR"]]}}"#,
            r#"{"eventVersion":"1","eventTime":"2026-03-02T08:00:00Z","eventName":"X","requestParameters":{"tags":{"key":"project"},"languageOptions":"de-DE"}}"#,
        ];
        let rows = rows_of(&raws);
        assert_eq!(rows("requestParameters.tags.key:project"), vec![0, 2], "any element's key, or an object's");
        assert_eq!(rows("requestParameters.tags.value:claims"), vec![0]);
        assert_eq!(rows("-requestParameters.tags.key:project"), vec![1]);
        assert_eq!(rows("requestParameters.languageOptions:de-DE"), vec![0, 2]);
        assert_eq!(rows("requestParameters.languageOptions:fr-*"), vec![1], "lists in lists");
        // The list as a whole still reads as its JSON text.
        assert_eq!(rows("requestParameters.languageOptions:*\"de-de\"]"), vec![0]);
        assert_eq!(rows("requestParameters.tags.nothing:*"), Vec::<u32>::new());
    }
}

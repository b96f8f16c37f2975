//! What the person typed, checked once: [`parse`] turns the raw arguments into a [`Command`] or a
//! [`UsageError`] that says what is wrong, and [`usage`] is the help text.
//!
//! Parsed by hand: one command with a handful of options does not need an argument-parsing crate, and the help
//! text below is written for people rather than generated.

use std::ffi::OsString;
use std::fmt;
use std::num::NonZeroUsize;
use std::path::PathBuf;

/// What to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Print the help text.
    Help,
    /// Print the version.
    Version,
    /// Read files and report on them.
    Scan(Scan),
}

/// The options of `trailscope scan`.
#[derive(Debug, PartialEq, Eq)]
pub struct Scan {
    /// Files and folders as given; `-` is standard input. Empty means standard input.
    pub paths: Vec<OsString>,
    /// The search, as typed in the page's box; several `--query` options are joined, so all must hold.
    pub query: String,
    /// Keep events of every service.
    pub keep_all: bool,
    /// What to write.
    pub format: Format,
    /// Where to write it; standard output when `None`.
    pub output: Option<PathBuf>,
    /// Print the jobs table instead of the events.
    pub jobs: bool,
    /// No progress line.
    pub quiet: bool,
    /// Threads to read files on; every core when `None`. Hidden: the tests use it to compare 1 and N.
    pub threads: Option<NonZeroUsize>,
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// What the page's overview shows.
    Summary,
    /// The page's "Export JSON Lines".
    Jsonl,
    /// The page's "Export CSV".
    Csv,
}

/// A mistake in the arguments, said for a person.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The one-line reminder printed under a usage error.
pub const SHORT_USAGE: &str = "usage: trailscope scan [--query QUERY] [--all] [--format summary|jsonl|csv] \
     [--output FILE] [--jobs] [--quiet] [PATH...]\nRun `trailscope --help` for the options and the search language.";

/// Reads the arguments after the program's name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, UsageError> {
    let mut args = args.into_iter();
    let Some(first) = args.next() else {
        return Err(UsageError("no command given".to_owned()));
    };
    match first.to_str() {
        Some("scan") => parse_scan(args),
        Some("-h" | "--help" | "help") => Ok(Command::Help),
        Some("-V" | "--version") => Ok(Command::Version),
        Some(other) if other.starts_with('-') => {
            Err(UsageError(format!("unknown option {other}: options come after the command, `trailscope scan`")))
        }
        _ => Err(UsageError(format!(
            "unknown command {}: the command is `scan` (trailscope scan PATH...)",
            first.to_string_lossy()
        ))),
    }
}

fn parse_scan(mut args: impl Iterator<Item = OsString>) -> Result<Command, UsageError> {
    let mut scan = Scan {
        paths: Vec::new(),
        query: String::new(),
        keep_all: false,
        format: Format::Summary,
        output: None,
        jobs: false,
        quiet: false,
        threads: None,
    };
    let mut format_given = false;
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str() else {
            // Only paths may be other than UTF-8; an option never is.
            scan.paths.push(arg);
            continue;
        };
        if text == "--" {
            scan.paths.extend(args.by_ref());
            break;
        }
        if text == "-" || !text.starts_with('-') {
            scan.paths.push(arg);
            continue;
        }
        // `--name=value` and `--name value` both work; short options take their value as the next argument.
        let (name, inline) = match text.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
            _ => (text, None),
        };
        let mut value = |what: &str| -> Result<String, UsageError> {
            if let Some(value) = inline.clone() {
                return Ok(value);
            }
            let next = args.next().ok_or_else(|| UsageError(format!("{name} needs a value: {name} {what}")))?;
            next.into_string().map_err(|_| UsageError(format!("the value of {name} is not valid UTF-8 text")))
        };
        match name {
            "-q" | "--query" => {
                let query = value("QUERY")?;
                if !scan.query.is_empty() {
                    scan.query.push(' ');
                }
                scan.query.push_str(&query);
            }
            "-f" | "--format" => {
                scan.format = match value("summary|jsonl|csv")?.as_str() {
                    "summary" => Format::Summary,
                    "jsonl" | "json-lines" | "ndjson" => Format::Jsonl,
                    "csv" => Format::Csv,
                    other => {
                        return Err(UsageError(format!("unknown format {other:?}: write summary, jsonl or csv")));
                    }
                };
                format_given = true;
            }
            "-o" | "--output" => scan.output = Some(PathBuf::from(value("FILE")?)),
            "--threads" => {
                let text = value("N")?;
                let n = text.parse::<usize>().ok().and_then(NonZeroUsize::new);
                scan.threads = Some(n.ok_or_else(|| UsageError(format!("--threads {text}: write a number from 1")))?);
            }
            "--all" | "--jobs" | "--quiet" | "-h" | "--help" if inline.is_some() => {
                return Err(UsageError(format!("{name} takes no value")));
            }
            "--all" => scan.keep_all = true,
            "--jobs" => scan.jobs = true,
            "--quiet" => scan.quiet = true,
            "-h" | "--help" => return Ok(Command::Help),
            _ => return Err(UsageError(format!("unknown option {name}"))),
        }
    }
    if scan.jobs && format_given && scan.format != Format::Summary {
        return Err(UsageError(
            "--jobs prints the jobs table; --format jsonl or csv exports events: choose one".to_owned(),
        ));
    }
    Ok(Command::Scan(scan))
}

/// The help text, with the search language's fields from the core so the two never disagree.
pub fn usage() -> String {
    let fields = trailscope_core::query::field_names().join(", ");
    format!(
        "\
trailscope {version}: review Amazon Transcribe activity in CloudTrail logs.

Usage: trailscope scan [OPTIONS] [PATH...]

Reads files and folders (folders are walked, every file in them is read) and reports what the page would
show for them. The format of each file is found from its bytes, never its name: CloudTrail S3 deliveries
(gzipped or not), the console's Event history downloads (JSON or CSV), lookup-events output, CloudWatch
Logs exports and payloads, EventBridge events, JSON Lines, a JSON array or a single record. Digest files
and files that are not logs are named on standard error with the reason; the others still load.
PATH `-`, or no PATH at all, reads standard input (gzipped or not).

Options:
  -q, --query QUERY     only the events matching QUERY, in the page's search language (below);
                        what it does not understand is said on standard error and searched as text
      --all             keep events of every service, not only Amazon Transcribe's
  -f, --format FORMAT   summary  what the page's overview shows (the default)
                        jsonl    the matching events' original records, one per line (Export JSON Lines)
                        csv      the table's columns (Export CSV); cells a spreadsheet would run as a
                                 formula (=, +, -, @, tab, carriage return) get a leading '
  -o, --output FILE     write to FILE instead of standard output
      --jobs            print the Transcribe jobs table (built from the matching events) instead
      --quiet           no progress line (it is only drawn when standard error is a terminal)
  -h, --help            this text
  -V, --version         the version

Search language (as in the page's search box):
  alice                          the word anywhere in the shown fields or the original JSON, any case
  user:alice status:FAILED       both at once; a field's value matches whole, any case
  -event:GetTranscriptionJob     everything but
  job:\"call 7*\"                  quotes hold spaces; * stands for any text
  error:*                        a star alone asks for a value: the calls that failed
  responseElements:*             (a JSON null is none: the calls that answered something)
  ip:10.0.0.0/8                  source addresses inside a network
  time:>2026-03-07T14:00         times in UTC, with >, >=, <, <=
  requestParameters.languageCode:de-DE   any JSON path of the original record
  requestParameters.tags.key:team        (a list on the way or at the end: any element)
Fields: {fields}; and CloudTrail's own names (eventName:, errorCode:, sourceIPAddress:, ...).

Events are deduplicated by eventID across files, as CloudTrail delivers at least once. Files are read on
every core but joined in the byte order of their paths (standard input first), so the copy kept is always
that of the first path, and the output is the same on any machine. A file named twice, or reached twice
through a link, is read once. Events are written oldest first, as the page's table sorts them.

Exit status: 0 when every file was read (or skipped as a digest), 3 when some were read and others
failed (the output holds what was read), 1 when none could be, 2 for a mistake in the arguments.
",
        version = env!("CARGO_PKG_VERSION"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(args: &[&str]) -> Result<Scan, UsageError> {
        match parse(std::iter::once("scan").chain(args.iter().copied()).map(OsString::from))? {
            Command::Scan(scan) => Ok(scan),
            other => panic!("expected a scan, got {other:?}"),
        }
    }

    #[test]
    fn options_take_values_either_way() {
        let got = scan(&["--query=user:alice", "-q", "-event:GetTranscriptionJob", "--format", "csv", "a", "-"])
            .expect("valid arguments");
        assert_eq!(got.query, "user:alice -event:GetTranscriptionJob");
        assert_eq!(got.format, Format::Csv);
        assert_eq!(got.paths, vec![OsString::from("a"), OsString::from("-")]);
    }

    #[test]
    fn double_dash_ends_the_options() {
        let got = scan(&["--all", "--", "--jobs"]).expect("valid arguments");
        assert!(got.keep_all && !got.jobs);
        assert_eq!(got.paths, vec![OsString::from("--jobs")]);
    }

    #[test]
    fn mistakes_are_named() {
        let message = |args: &[&str]| scan(args).err().map(|e| e.0).unwrap_or_default();
        assert_eq!(message(&["--colour"]), "unknown option --colour");
        assert_eq!(message(&["--format", "xml"]), "unknown format \"xml\": write summary, jsonl or csv");
        assert_eq!(message(&["--query"]), "--query needs a value: --query QUERY");
        assert_eq!(message(&["--threads", "0"]), "--threads 0: write a number from 1");
        assert_eq!(message(&["--all=yes"]), "--all takes no value");
        assert!(message(&["--jobs", "--format", "csv"]).contains("choose one"));
        assert!(parse(Vec::new()).is_err());
        assert!(parse(vec![OsString::from("scna")]).is_err());
    }
}

//! The search language over generated data: each query's rows equal a brute-force filter written
//! independently over the events' own fields, and facet counts equal a brute-force count.

use std::collections::BTreeMap;

use trailscope_core::generate::{generate, GenConfig};
use trailscope_core::index::{agent_family, Column, Index};
use trailscope_core::ingest::{ingest_file, IngestOptions};
use trailscope_core::model::{Event, Text};
use trailscope_core::query::{evaluate, facet, parse};
use trailscope_core::store::Store;
use trailscope_core::time::EventTime;

fn store() -> Store {
    let (files, _) = generate(&GenConfig { n_events: 20_000, n_files: 20, ..GenConfig::sample() });
    let mut store = Store::new();
    for file in files {
        store.add(ingest_file(&file.name, &file.bytes, &IngestOptions { keep_all: true, ..IngestOptions::default() }));
    }
    store
}

/// Event indices oldest first, as the page's candidates come.
fn time_order(store: &Store) -> Vec<u32> {
    store.by_time().into_iter().map(|i| i as u32).collect()
}

/// A query's rows written independently: which events it must show.
type Expected = Box<dyn Fn(&Event) -> bool>;

fn ms(text: &str) -> i64 {
    EventTime::parse(text).map(|t| t.0).unwrap_or_default()
}

fn in_24(ip: &str, prefix: &str) -> bool {
    ip.split(',').any(|a| a.trim().starts_with(prefix))
}

#[test]
fn queries_match_a_brute_force_filter() {
    let store = store();
    let events = store.events();
    let index = Index::build(events);
    let all: Vec<u32> = (0..events.len() as u32).collect();
    let language = |e: &Event| -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(e.raw()).ok()?;
        Some(v.get("requestParameters")?.get("languageCode")?.as_str()?.to_owned())
    };
    let cases: Vec<(&str, Expected)> = vec![
        ("user:alice", Box::new(|e| e.identity().name.eq_ignore_ascii_case("alice"))),
        ("-event:GetTranscriptionJob", Box::new(|e| e.event_name() != "GetTranscriptionJob")),
        ("status:failed", Box::new(|e| e.transcribe.as_ref().and_then(|t| t.status.as_deref()) == Some("FAILED"))),
        ("ip:198.51.100.0/24", Box::new(|e| in_24(e.source_ip(), "198.51.100."))),
        (
            "-ip:198.51.100.0/24 source:transcribe.amazonaws.com",
            Box::new(|e| !in_24(e.source_ip(), "198.51.100.") && e.event_source() == "transcribe.amazonaws.com"),
        ),
        (
            "job:*interview*",
            Box::new(|e| e.transcribe.as_ref().is_some_and(|t| t.name.display().to_lowercase().contains("interview"))),
        ),
        ("time:>=2026-03-02T12:00", Box::new(|e| e.time.is_some_and(|t| t.0 >= ms("2026-03-02T12:00:00Z")))),
        (
            // After 09:00 is from 09:01 on: a time is read to the precision written.
            "time:>2026-03-02T09:00 time:<2026-03-02T10",
            Box::new(|e| e.time.is_some_and(|t| t.0 >= ms("2026-03-02T09:01:00Z") && t.0 < ms("2026-03-02T10:00:00Z"))),
        ),
        (
            // Up to 09 takes in the whole of that hour.
            "time:<=2026-03-02T09",
            Box::new(|e| e.time.is_some_and(|t| t.0 < ms("2026-03-02T10:00:00Z"))),
        ),
        ("error:AccessDeniedException", Box::new(|e| e.error_code() == "AccessDeniedException")),
        (
            "accessdenied",
            Box::new(|e| {
                e.raw().to_lowercase().contains("accessdenied")
                    || e.error_code().to_lowercase().contains("accessdenied")
            }),
        ),
        (
            "requestParameters.languageCode:de-DE",
            Box::new(move |e| language(e).is_some_and(|l| l.eq_ignore_ascii_case("de-DE"))),
        ),
        (
            "agent:boto3",
            Box::new(|e| agent_family(e.user_agent()) == "Boto3" || e.user_agent().eq_ignore_ascii_case("boto3")),
        ),
        (
            "region:eu-central-1 -user:bob",
            Box::new(|e| e.aws_region() == "eu-central-1" && !e.identity().name.eq_ignore_ascii_case("bob")),
        ),
    ];
    for (text, brute) in cases {
        let (query, hints) = parse(text);
        assert!(hints.is_empty(), "{text}: {hints:?}");
        let got = evaluate(&query, &index, events, &all);
        let want: Vec<u32> = all.iter().copied().filter(|&i| brute(&events[i as usize])).collect();
        assert!(!want.is_empty() || text.starts_with("status"), "{text}: the data should have matches");
        assert_eq!(got.len(), want.len(), "{text}");
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn time_range_is_half_open() {
    let store = store();
    let events = store.events();
    let index = Index::build(events);
    let all: Vec<u32> = (0..events.len() as u32).collect();
    let (mut query, _) = parse("");
    let (start, end) = (ms("2026-03-02T10:00:00Z"), ms("2026-03-02T11:00:00Z"));
    query.range = Some((start, end));
    let got = evaluate(&query, &index, events, &all);
    let want = events.iter().filter(|e| e.time.is_some_and(|t| t.0 >= start && t.0 < end)).count();
    assert_eq!(got.len(), want);
    assert!(want > 0);
}

#[test]
fn facet_counts_equal_a_brute_force_count() {
    let store = store();
    let events = store.events();
    let index = Index::build(events);
    let (query, _) = parse("source:transcribe.amazonaws.com");
    let rows = evaluate(&query, &index, events, &(0..events.len() as u32).collect::<Vec<_>>());
    let got: BTreeMap<String, u32> = facet(&index, Column::EventName, &rows)
        .into_iter()
        .map(|(id, n)| (index.strings.get(id).to_owned(), n))
        .collect();
    let mut want: BTreeMap<String, u32> = BTreeMap::new();
    for &row in &rows {
        *want.entry(events[row as usize].event_name().to_owned()).or_default() += 1;
    }
    assert_eq!(got, want);
    let agents: BTreeMap<String, u32> = facet(&index, Column::AgentFamily, &rows)
        .into_iter()
        .map(|(id, n)| (index.strings.get(id).to_owned(), n))
        .collect();
    assert_eq!(agents.values().sum::<u32>() as usize, rows.len());
    let all: Vec<u32> = (0..events.len() as u32).collect();
    for column in [Column::EventName, Column::Identity, Column::SourceIp, Column::Status] {
        assert_eq!(trailscope_core::query::facet_all(&index, column), facet(&index, column, &all), "{column:?}");
    }
}

#[test]
fn an_unknown_field_is_a_hint_and_still_searches() {
    let (query, hints) = parse("colour:red user:alice");
    assert_eq!(hints.len(), 1);
    assert_eq!(query.terms.len(), 2);
}

#[test]
fn a_search_answered_in_slices_equals_one_answered_at_once() {
    use trailscope_core::query::Evaluation;
    let store = store();
    let events = store.events();
    let index = Index::build(events);
    let order = time_order(&store);
    for text in ["accessdenied", "requestParameters.languageCode:de-DE user:alice", "-interview", "id:*-0*", "zzzz"] {
        let (query, _) = parse(text);
        let whole = evaluate(&query, &index, events, &order);
        for slice in [1, 7, 1000, 4096, order.len()] {
            let mut evaluation = Evaluation::new(&query, &index);
            assert!(evaluation.reads_json(), "{text}");
            let mut calls = 0;
            while !evaluation.advance(&index, events, &order, slice) {
                calls += 1;
                assert!(evaluation.looked_at() <= order.len());
                // What is shown while the search goes on is a prefix of the final answer.
                assert_eq!(evaluation.rows[..], whole[..evaluation.rows.len()], "{text} slice {slice}");
            }
            assert!(calls >= order.len() / slice.max(1) - 1, "{text}: sliced into {calls} calls");
            assert_eq!(evaluation.rows, whole, "{text} slice {slice}");
        }
    }
    let (cheap, _) = parse("user:alice time:>2026-03-02");
    assert!(!Evaluation::new(&cheap, &index).reads_json());
}

/// A facet counts the rows that pass every term but its own column's, free text and JSON paths
/// included: choosing `user:alice` beside a word still shows the other identities that hold the word.
#[test]
fn facet_rows_leave_out_only_their_own_column_terms() {
    use trailscope_core::query::{Evaluation, Query};
    let store = store();
    let events = store.events();
    let index = Index::build(events);
    let order = time_order(&store);
    let columns = [Column::Identity, Column::EventName, Column::Status, Column::ErrorCode, Column::Region];
    for text in [
        "user:alice accessdenied",
        "user:alice status:FAILED -event:GetTranscriptionJob transcri",
        "event:StartTranscriptionJob requestParameters.languageCode:de-DE",
        "-error:* region:eu-central-1 -interview time:>2026-03-02",
        "user:alice event:Get* user:bob",
        "user:alice status:FAILED",
        "accessdenied",
    ] {
        let (query, hints) = parse(text);
        assert!(hints.is_empty(), "{text}: {hints:?}");
        for slice in [997, usize::MAX] {
            let mut evaluation = Evaluation::new(&query, &index);
            let mut n_counted = 0;
            while !evaluation.advance(&index, events, &order, slice) {}
            for column in columns {
                // Brute force: the query without the column's own terms, evaluated from scratch.
                let others = Query {
                    terms: query
                        .terms
                        .iter()
                        .filter(|t| !matches!(&t.test, trailscope_core::query::Test::Column(c, _) if *c == column))
                        .cloned()
                        .collect(),
                    range: query.range,
                };
                let mut want = evaluate(&others, &index, events, &order);
                want.sort_unstable();
                let got = evaluation.facet_rows(column);
                assert_eq!(got, want, "{text}: facet {column:?}");
                n_counted += got.len();
            }
            assert!(n_counted > 0, "{text}: some facet counts something");
        }
        // While the search goes on, a facet counts what it looked at so far, and never more than at the end.
        let mut partial = Evaluation::new(&query, &index);
        partial.advance(&index, events, &order, order.len() / 3);
        let whole = evaluate(&query, &index, events, &order);
        for column in columns {
            let rows = partial.facet_rows(column);
            assert!(rows.iter().all(|r| order[..order.len() / 3].contains(r)), "{text}: {column:?}");
        }
        assert!(partial.rows.len() <= whole.len());
        let mut sorted = partial.rows.clone();
        sorted.sort_unstable();
        assert_eq!(partial.matched_rows(), sorted, "{text}: the rows found so far, lowest first");
    }
}

/// Typing on narrows the answer: a query that keeps every term of the last one (a longer word holds the
/// shorter) is answered from the last one's rows alone, facets included, with the same answer as from
/// all rows. Queries that could match a row the last one did not are not answered that way.
#[test]
fn a_narrower_query_is_answered_within_the_last_answer() {
    use trailscope_core::query::{Evaluation, Query};
    let store = store();
    let events = store.events();
    let index = Index::build(events);
    let order = time_order(&store);
    let day = (ms("2026-03-02T00:00:00Z"), ms("2026-03-03T00:00:00Z"));
    let hour = (ms("2026-03-02T10:00:00Z"), ms("2026-03-02T11:00:00Z"));
    let with = |text: &str, range: Option<(i64, i64)>| Query { range, ..parse(text).0 };
    let narrower = [
        (with("a", None), with("al", None)),
        (with("al", None), with("alice", None)),
        (with("accessden", None), with("AccessDenied", None)),
        (with("transcri", None), with("transcri accessdenied", None)),
        (with("-accessdenied", None), with("-access", None)),
        (with("requestParameters.languageCode:de-DE", None), with("requestParameters.languageCode:de-DE trans", None)),
        (with("interview", Some(day)), with("interview", Some(hour))),
        (with("", None), with("kms", None)),
    ];
    for (wider, narrow) in &narrower {
        assert!(narrow.answerable_within(wider), "{narrow:?} within {wider:?}");
        let last = evaluate(wider, &index, events, &order);
        let mut from_last = Evaluation::new(narrow, &index);
        from_last.advance(&index, events, &last, usize::MAX);
        let mut from_all = Evaluation::new(narrow, &index);
        from_all.advance(&index, events, &order, usize::MAX);
        assert_eq!(from_last.rows, from_all.rows, "{narrow:?} within {wider:?}");
        for column in [Column::Identity, Column::EventName, Column::ErrorCode] {
            assert_eq!(from_last.facet_rows(column), from_all.facet_rows(column), "{narrow:?}: facet {column:?}");
        }
    }
    assert!(narrower.iter().any(|(wider, narrow)| {
        evaluate(narrow, &index, events, &order).len() < evaluate(wider, &index, events, &order).len()
    }));
    for (wider, other) in [
        (with("alice", None), with("alic", None)),
        (with("alice", None), with("bob", None)),
        (with("-access", None), with("-accessdenied", None)),
        (with("alice", None), with("-alice", None)),
        (with("interview", Some(hour)), with("interview", Some(day))),
        (with("interview", Some(hour)), with("interview", None)),
        (with("transcri accessdenied", None), with("transcri", None)),
    ] {
        assert!(!other.narrows(&wider), "{other:?} does not narrow {wider:?}");
    }
    // Column terms narrow too, but their facets count rows that fail them: those need every row.
    let (wider, narrow) = (with("alice", None), with("alice status:FAILED", None));
    assert!(narrow.narrows(&wider) && !narrow.answerable_within(&wider));
}

/// The page indexes each file's events as they arrive, while a search begun earlier goes on over the
/// rows it was given: events added meanwhile (with values never seen before) change nothing in its
/// answer, and never trip it.
#[test]
fn a_search_goes_on_unchanged_while_the_index_grows() {
    use trailscope_core::query::Evaluation;
    let store = store();
    let events = store.events();
    // Odd, so that the last 64 rows the search learns at once run past its rows into the new ones.
    let half = (events.len() / 2) | 1;
    let order: Vec<u32> = (0..half as u32).collect();
    for text in ["accessdenied", "alice", "-interview user:bob", "requestParameters.languageCode:de-DE"] {
        let (query, _) = parse(text);
        let whole = evaluate(&query, &Index::build(&events[..half]), &events[..half], &order);
        let mut index = Index::build(&events[..half]);
        let mut evaluation = Evaluation::new(&query, &index);
        evaluation.advance(&index, events, &order, half / 3);
        // New rows, whose strings the evaluation never saw: every event again, by other users and agents.
        for (k, event) in events.iter().enumerate() {
            let newer = event.with(&[
                (Text::UserAgent, &format!("agent-{k} accessdenied alice")),
                (Text::IdentityName, &format!("alice-{k}")),
                (Text::ErrorCode, &format!("AccessDenied{k}")),
            ]);
            index.push(&newer);
        }
        while !evaluation.advance(&index, events, &order, 997) {}
        let mut got = evaluation.matched_rows();
        got.sort_unstable();
        let mut want = whole.clone();
        want.sort_unstable();
        assert_eq!(got, want, "{text}");
    }
}

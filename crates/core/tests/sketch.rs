//! The free-text sketch never changes an answer: for needles cut from the events themselves (case flipped,
//! across escapes, quotes and non-ASCII text), random words and near misses, alone, negated and beside
//! other terms, evaluation with the sketch equals evaluation without it, over generated data and the real
//! corpus, for every sketch shape and with the sketch covering only part of the events.
//! `PROPTEST_CASES` sets the budget of the property tests.

mod common;

use proptest::prelude::*;
use trailscope_core::generate::{generate, GenConfig};
use trailscope_core::index::Index;
use trailscope_core::ingest::{ingest_file, IngestOptions};
use trailscope_core::model::Event;
use trailscope_core::query::{evaluate, parse, Matcher, Query, Term, Test};
use trailscope_core::sketch::Sketch;
use trailscope_core::store::Store;

fn generated() -> Vec<Event> {
    let (files, _) = generate(&GenConfig { n_events: 6_000, n_files: 6, ..GenConfig::sample() });
    let mut store = Store::new();
    for file in files {
        store.add(ingest_file(&file.name, &file.bytes, &IngestOptions { keep_all: true, ..IngestOptions::default() }));
    }
    store.events().to_vec()
}

fn corpus() -> Vec<Event> {
    let dir = common::corpus_dir();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the real corpus is missing at {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_none_or(|e| e != "md"))
        .collect();
    names.sort();
    let mut store = Store::new();
    for path in names {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        store.add(ingest_file(
            &path.to_string_lossy(),
            &bytes,
            &IngestOptions { keep_all: true, ..IngestOptions::default() },
        ));
    }
    assert!(store.events().len() > 50, "the corpus loads: {} events", store.events().len());
    store.events().to_vec()
}

/// Records whose bytes try the sketch's folding: escapes, quotes, backslashes, capitals next to symbols,
/// letters that lower-case to ASCII only under Unicode rules, and multi-byte text.
fn tricky() -> Vec<Event> {
    let raws = [
        r#"{"eventVersion":"1.08","eventName":"X","errorMessage":"Access\u0044enied \"quoted\" a\\b a\/b"}"#,
        r#"{"eventVersion":"1.08","eventName":"X","errorMessage":"KELVIN \u212A and İstanbul and ÉCOLE and 日本語テキスト"}"#,
        r#"{"eventVersion":"1.08","eventName":"X","requestParameters":{"k":"@`[{Zz^_~\t\n","MixedCASE":"ÀÖØÞ àöøþ"}}"#,
        r#"{"eventVersion":"1.08","eventName":"X","x":"\ud83d\ude00 emoji 😀 end","y":[1e3,-0.5,true,null]}"#,
    ];
    raws.iter()
        .map(|raw| {
            let record: trailscope_core::record::RawRecord<'_> =
                serde_json::from_str(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            record.into_event(raw)
        })
        .collect()
}

/// Two indexes of the same events: one read in full, one through `sketch` (maybe over part of them).
struct Pair {
    events: Vec<Event>,
    plain: Index,
    sketched: Index,
    order: Vec<u32>,
}

impl Pair {
    fn new(events: Vec<Event>, mut sketch: Sketch, covered: usize) -> Pair {
        let plain = Index::build(&events);
        let mut sketched = Index::build(&events);
        sketch.extend(&events[..covered.min(events.len())], usize::MAX);
        sketched.sketch = sketch;
        // Candidates in a scrambled order, as time order scrambles the events of several files.
        let mut order: Vec<u32> = (0..events.len() as u32).collect();
        order.sort_by_key(|&i| (i.wrapping_mul(2_654_435_761) >> 7, i));
        Pair { events, plain, sketched, order }
    }

    fn agree(&self, query: &Query) -> Result<usize, TestCaseError> {
        let want = evaluate(query, &self.plain, &self.events, &self.order);
        let got = evaluate(query, &self.sketched, &self.events, &self.order);
        prop_assert_eq!(&got, &want, "{:?}", query);
        Ok(want.len())
    }

    /// The needle alone, negated, and beside a column term and a second text term.
    fn agree_all_ways(&self, needle: &str) -> Result<usize, TestCaseError> {
        let text = |negate| Term { negate, test: Test::Text(needle.to_lowercase()) };
        let n = self.agree(&Query { terms: vec![text(false)], range: None })?;
        let n_negated = self.agree(&Query { terms: vec![text(true)], range: None })?;
        prop_assert_eq!(n + n_negated, self.events.len(), "{} and its negation", needle);
        for other in ["user:alice", "-error:*", "amazonaws", "-iam"] {
            let mut query = parse(other).0;
            query.terms.push(text(false));
            self.agree(&query)?;
            query.terms.last_mut().expect("just pushed").negate = true;
            self.agree(&query)?;
        }
        Ok(n)
    }

    /// JSON path terms for the leaves of event `pick`'s record: the exact value, a wildcard around a piece
    /// of it, a value it does not have, each alone and negated, and beside free text. Returns how many
    /// exact terms matched at least their own event.
    fn agree_on_paths(&self, pick: usize) -> Result<usize, TestCaseError> {
        let raw = &self.events[pick % self.events.len()].raw();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(raw) else { return Ok(0) };
        let mut leaves = Vec::new();
        collect_leaves(&value, &mut Vec::new(), &mut leaves);
        let mut n_found = 0;
        // Spread over the record, a handful of leaves (each term parses many records).
        let step = leaves.len().div_ceil(6).max(1);
        for (path, text) in leaves.into_iter().step_by(step) {
            let text = text.to_lowercase();
            let piece: String = text.chars().skip(1).take(6).collect();
            for (matcher, exact) in [
                (Matcher::Exact(text.clone()), true),
                (Matcher::Wildcard(format!("*{piece}*")), false),
                (Matcher::Exact(format!("{text}-zebra")), false),
            ] {
                for negate in [false, true] {
                    let term = Term { negate, test: Test::Path(path.clone(), matcher.clone()) };
                    let n = self.agree(&Query { terms: vec![term.clone()], range: None })?;
                    if exact && !negate && n > 0 {
                        n_found += 1;
                    }
                    let mut query = parse("amazonaws").0;
                    query.terms.push(term);
                    self.agree(&query)?;
                }
            }
        }
        Ok(n_found)
    }

    /// A needle cut from event `pick`'s JSON at `start` (chars), `len` chars long, with the case of the
    /// letters at odd positions flipped when `flip`.
    fn cut(&self, pick: usize, start: usize, len: usize, flip: bool) -> String {
        let raw = &self.events[pick % self.events.len()].raw();
        let chars: Vec<char> = raw.chars().collect();
        let start = start % chars.len().max(1);
        chars[start..(start + len).min(chars.len())]
            .iter()
            .enumerate()
            .map(|(k, &c)| if flip && k % 2 == 1 { flip_case(c) } else { c })
            .collect()
    }
}

/// The paths to the scalar values of `value` (into objects only, as path terms go), with the value as a
/// path term reads it: strings bare, other values as JSON.
fn collect_leaves(value: &serde_json::Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                path.push(key.clone());
                collect_leaves(inner, path, out);
                path.pop();
            }
        }
        serde_json::Value::String(s) => out.push((path.clone(), s.clone())),
        serde_json::Value::Array(_) => {}
        other => out.push((path.clone(), other.to_string())),
    }
}

/// Outside proptest, a disagreement fails the test with its message.
fn ok<T>(result: Result<T, TestCaseError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn flip_case(c: char) -> char {
    if c.is_ascii_uppercase() {
        c.to_ascii_lowercase()
    } else {
        c.to_ascii_uppercase()
    }
}

fn shapes() -> Vec<Sketch> {
    vec![Sketch::new(), Sketch::with_shape(4, 256), Sketch::with_shape(16, 64), Sketch::with_shape(2, 4096)]
}

#[test]
fn cut_needles_over_generated_data_every_shape_and_coverage() {
    let events = generated();
    let n = events.len();
    for (shape, covered) in shapes().into_iter().zip([n, n / 2 + 3, n, n - 1]) {
        let pair = Pair::new(events.clone(), shape, covered);
        let mut n_found = 0;
        for i in 0..60 {
            let needle = pair.cut(i * 97, i * 31, 3 + i % 10, i % 3 == 0);
            if ok(pair.agree_all_ways(&needle)) > 0 {
                n_found += 1;
            }
        }
        // The needles come from the events: nearly all must be found, so the test sees real matches.
        assert!(n_found >= 55, "only {n_found} needles found");
    }
}

#[test]
fn realistic_and_missing_words_over_generated_data() {
    let pair = Pair::new(generated(), Sketch::new(), usize::MAX);
    let mut found = Vec::new();
    for needle in [
        "accessdenied",
        "AccessDenied",
        "alice",
        "203.0.113.10",
        ".flac",
        "escalation",
        "kms",
        "zebra",
        "ab",
        "x",
        "\"",
        "\":\"",
    ] {
        found.push((needle, ok(pair.agree_all_ways(needle))));
    }
    assert!(found.iter().any(|&(n, k)| n == "accessdenied" && k > 0), "{found:?}");
    assert!(found.iter().any(|&(n, k)| n == "zebra" && k == 0), "{found:?}");
    // The sketch rules out most events for a rare word: otherwise it is not doing its job.
    let probe = pair.sketched.sketch.probe(b"zebra").expect("five bytes");
    let n_passed = (0..pair.events.len()).filter(|&row| pair.sketched.sketch.may_hold(row, &probe)).count();
    assert!(n_passed * 5 < pair.events.len(), "{n_passed} of {} pass for zebra", pair.events.len());
}

/// The page appends the bitsets its workers built per file, skipping duplicate deliveries: that must be
/// the very sketch it would have built itself over the kept events.
#[test]
fn bitsets_built_per_file_and_appended_equal_the_sketch_of_the_kept_events() {
    let (files, _) = generate(&GenConfig { n_events: 3_000, n_files: 5, ..GenConfig::sample() });
    let mut store = Store::new();
    let mut appended = Sketch::new();
    // The second file comes twice, as CloudTrail may deliver it: its events are kept once.
    for file in files.iter().chain(&files[1..2]) {
        let result =
            ingest_file(&file.name, &file.bytes, &IngestOptions { keep_all: true, ..IngestOptions::default() });
        let words = trailscope_core::sketch::words_of(&result.events);
        assert_eq!(words.len(), result.events.len() * trailscope_core::sketch::WORDS_PER_EVENT);
        let kept = store.add(result);
        assert!(appended.push_kept(&words, &kept));
    }
    assert!(store.summary().n_duplicates > 0, "the repeated file was deduplicated");
    let mut built = Sketch::new();
    assert!(built.extend(store.events(), usize::MAX));
    assert_eq!(appended.len(), store.events().len());
    for row in 0..store.events().len() {
        assert_eq!(appended.block_of(row), built.block_of(row), "event {row}");
    }
    // Another shape cannot take these bitsets: its events are left to `extend`.
    assert!(!Sketch::with_shape(4, 256).push_kept(built.block_of(0).expect("covered"), &[0]));
    // Kept events with a gap between them take their own bitsets; bitsets that do not reach a kept event
    // append the runs before it and say so.
    let three: Vec<u64> = (0..3).flat_map(|row| built.block_of(row).expect("covered").to_vec()).collect();
    let mut gap = Sketch::new();
    assert!(gap.push_kept(&three, &[0, 2]));
    assert_eq!((gap.len(), gap.block_of(1)), (2, built.block_of(2)));
    let mut short = Sketch::new();
    assert!(!short.push_kept(&three[..2 * trailscope_core::sketch::WORDS_PER_EVENT], &[0, 2]));
    assert_eq!((short.len(), short.block_of(0)), (1, built.block_of(0)));
}

/// JSON path terms pass over records by the sketch only where the record is spelled plainly: over
/// generated data, the real corpus and records full of escapes and non-ASCII text, the answer is the same.
#[test]
fn json_path_terms_agree_with_and_without_the_sketch() {
    let small: Vec<Event> = generated().into_iter().step_by(10).collect();
    for (events, picks) in [(small, 6), (corpus(), 20), (tricky(), 4)] {
        let n = events.len();
        for (shape, covered) in [(Sketch::new(), n), (Sketch::with_shape(4, 256), n / 2 + 1)] {
            let pair = Pair::new(events.clone(), shape, covered);
            let mut n_found = 0;
            for pick in 0..picks {
                n_found += ok(pair.agree_on_paths(pick * 7919));
            }
            assert!(n_found >= picks, "the exact values of the records' own leaves are found: {n_found}");
        }
    }
}

#[test]
fn cut_needles_over_the_real_corpus() {
    let events = corpus();
    for shape in shapes() {
        let pair = Pair::new(events.clone(), shape, usize::MAX);
        for i in 0..200 {
            let needle = pair.cut(i * 13, i * 53 + 7, 3 + i % 14, i % 2 == 0);
            ok(pair.agree_all_ways(&needle));
        }
    }
}

#[test]
fn escapes_quotes_and_non_ascii() {
    let pair = Pair::new(tricky(), Sketch::new(), usize::MAX);
    for needle in [
        "access\\u0044enied",
        "\\\"quoted\\\"",
        "a\\\\b",
        "a\\/b",
        "kelvin \\u212a",
        "日本語",
        "本語テ",
        "@`[{zz",
        "zz^_~",
        "ÀÖØ",
        "àöø",
        "\\ud83d",
        "😀 end",
        "1e3,-0.5",
        "mixedcase",
    ] {
        let n = ok(pair.agree_all_ways(needle));
        assert_eq!(n, 1, "{needle} is in exactly one record");
    }
    // Folding is ASCII only, as in `caseless`: a non-ASCII capital does not match its small letter.
    assert_eq!(ok(pair.agree_all_ways("écolE")), 0);
    // Unicode lower-casing of the needle (as `parse` does) can make a needle that is nowhere: still agreed.
    assert_eq!(ok(pair.agree_all_ways("İstanbul")), 0);
}

proptest! {
    #[test]
    fn any_text_holding_the_needle_passes(
        raw in "(?s).{0,200}",
        start in 0usize..200,
        len in 3usize..20,
        flips in any::<u64>(),
        per_block in 0usize..5,
        bits in 6u32..12,
    ) {
        let event = tricky().swap_remove(0).with_raw(&raw);
        let chars: Vec<char> = raw.chars().collect();
        let start = start.min(chars.len());
        let needle: String = chars[start..(start + len).min(chars.len())]
            .iter()
            .enumerate()
            .map(|(k, &c)| if flips >> (k % 64) & 1 == 1 { flip_case(c) } else { c })
            .collect();
        let events = vec![event; 1 << per_block];
        let mut sketch = Sketch::with_shape(1 << per_block, 1 << bits);
        prop_assert!(sketch.extend(&events, usize::MAX));
        if let Some(probe) = sketch.probe(needle.as_bytes()) {
            for row in 0..events.len() {
                prop_assert!(sketch.may_hold(row, &probe), "{:?} in {:?}", needle, raw);
            }
        } else {
            prop_assert!(needle.len() < 3);
        }
    }

    #[test]
    fn random_words_agree_over_generated_data(word in "[a-z0-9.:/_\\-]{1,12}", negate in any::<bool>()) {
        thread_local! {
            static PAIR: Pair = Pair::new(generated(), Sketch::new(), usize::MAX);
        }
        PAIR.with(|pair| {
            let query = Query { terms: vec![Term { negate, test: Test::Text(word.clone()) }], range: None };
            pair.agree(&query).map(|_| ())
        })?;
    }
}

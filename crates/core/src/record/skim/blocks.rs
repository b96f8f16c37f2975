//! The skim of a compact record, checked as JSON 64 bytes at a time rather than a token at a time.
//!
//! A delivery's records are compact JSON: no white space between tokens, few escapes. For such a record,
//! which byte may follow which is all JSON asks beyond matched brackets and well-formed numbers, and with
//! no white space that is a question about neighbouring bytes: one bit per byte for each kind of byte
//! (quotes, brackets, colons, commas, the bytes of numbers and words), shifted by one, answers it for 64
//! bytes in a few dozen instructions. Only the brackets, the numbers and words, and the top-level keys are
//! then visited one by one; a record's many strings and their separators are not.
//!
//! It answers only for what it fully checks, and says `None` of anything else (white space between
//! tokens, a backslash, nesting deeper than [`MAX_DEPTH`], a field it reads given twice or not as a
//! string, any fault): the token-at-a-time reader then decides, as it did before this existed, so this
//! reading is faster where it answers and changes no answer.

use super::Read;
use crate::split::prefix_xor;

/// Deepest nesting read here, below the reader's own limit: deeper records are the reader's to judge.
const MAX_DEPTH: u32 = 48;

/// The top-level fields of [`Read::fields`], in its order.
const FIELDS: [&[u8]; 5] = [b"eventVersion", b"eventTime", b"eventSource", b"eventName", b"eventType"];

/// Reads one object from the start of `b` as the reader's `summary_at` does, or `None` where this reading
/// cannot be sure of it. `whole` asks that only white space follows it.
pub(super) fn summary_at(b: &[u8], whole: bool) -> Option<Read> {
    if b.first() != Some(&b'{') {
        return None;
    }
    let mut fields: [Option<(usize, usize)>; 5] = [None; 5];
    // What one block hands the next: all ones when its last byte was inside a string (or in an object, or
    // at the record's top level), and the last byte's kind in each mask that looks one byte back.
    let (mut inside_carry, mut object_carry, mut top_carry) = (0u64, 0u64, 0u64);
    let mut prev = Prev::default();
    // A key's string that runs on into the next block (the carry of the addition that finds keys' ends).
    let mut key_carry = 0u64;
    // Open objects and lists, innermost in bit 0 (1 for an object).
    let (mut depth, mut objects) = (0u32, 0u64);
    let mut base = 0;
    loop {
        let rest = b.get(base..)?;
        if rest.is_empty() {
            return None; // The record does not end in `b`.
        }
        let block = match rest.first_chunk::<64>() {
            Some(block) => *block,
            None => {
                // Spaces past the end: were the record to reach them, it would not be compact.
                let mut padded = [b' '; 64];
                padded[..rest.len()].copy_from_slice(rest);
                padded
            }
        };
        let m = classify(&block);
        let inside = prefix_xor(m.quote) ^ inside_carry;
        inside_carry = ((inside as i64) >> 63) as u64;
        // An opening quote is inside its string, a closing one is not.
        let (open_quote, close_quote) = (m.quote & inside, m.quote & !inside);
        let outside = !inside & !close_quote;
        let (open_any, close_any) = (m.open_any & outside, m.close_any & outside);
        let (colon, comma) = (m.colon & outside, m.comma & outside);
        let scalar = outside & !(m.open_any | m.close_any | m.colon | m.comma | m.low);
        // The brackets, one by one: which is a brace, which container each byte is in, and where the
        // record ends.
        let (mut open_brace, mut close_brace) = (0u64, 0u64);
        let (mut object_flips, mut top_flips) = (0u64, 0u64);
        let mut in_object = object_carry != 0;
        let mut end = None;
        let mut brackets = open_any | close_any;
        while brackets != 0 {
            let k = brackets.trailing_zeros();
            let bit = 1u64 << k;
            let was_top = depth == 1;
            let brace = block[k as usize] & 0x20 != 0;
            if open_any & bit != 0 {
                if depth == MAX_DEPTH {
                    return None;
                }
                open_brace |= bit & 0u64.wrapping_sub(u64::from(brace));
                objects = (objects << 1) | u64::from(brace);
                depth += 1;
                if brace != in_object {
                    object_flips ^= bit;
                    in_object = brace;
                }
            } else {
                if (objects & 1 == 1) != brace {
                    return None;
                }
                close_brace |= bit & 0u64.wrapping_sub(u64::from(brace));
                objects >>= 1;
                depth -= 1;
                if depth == 0 {
                    end = Some(k);
                    break;
                }
                let object = objects & 1 == 1;
                if object != in_object {
                    object_flips ^= bit;
                    in_object = object;
                }
            }
            if was_top != (depth == 1) {
                top_flips ^= bit;
            }
            brackets &= brackets - 1;
        }
        let (open_list, close_list) = (open_any & !open_brace, close_any & !close_brace);
        let here = match end {
            Some(63) | None => u64::MAX,
            Some(k) => (1u64 << (k + 1)) - 1,
        };
        // An escape moves a string's end: not for this reading. (One after the record's end moves nothing
        // before it.)
        if m.backslash & here != 0 {
            return None;
        }
        // Control bytes: white space between tokens (the space aside, which is a byte of no number or word,
        // so refused where it stands), or in a string, where JSON has none.
        if m.low & here != 0 {
            return None;
        }
        // A bracket's own bit takes the container it opens or returns to; nothing below asks of it.
        let in_objects = prefix_xor(object_flips) ^ object_carry;
        let top = prefix_xor(top_flips) ^ top_carry;
        object_carry = ((in_objects as i64) >> 63) as u64;
        top_carry = ((top as i64) >> 63) as u64;

        // The byte before each: the same masks shifted by one, the last block's last bit coming in.
        let after = |mask: u64, carry: bool| (mask << 1) | u64::from(carry);
        let (after_open_brace, after_open_list) =
            (after(open_brace, prev.open_brace), after(open_list, prev.open_list));
        let (after_colon, after_comma) = (after(colon, prev.colon), after(comma, prev.comma));
        let comma_in_object = after_comma & after(in_objects, prev.in_object);
        let value_start = open_quote | open_any | scalar;
        // Keys: strings opened after `{`, or after a comma within an object. Adding each key's first bit
        // to its run of string bits carries past the run's end, onto its closing quote.
        let keys = open_quote & (after_open_brace | comma_in_object);
        let (sum, over) = inside.overflowing_add(keys);
        let (sum, over_carry) = sum.overflowing_add(key_carry);
        key_carry = u64::from(over | over_carry);
        let key_ends = (sum ^ inside) & close_quote;
        let value_ends = (close_quote & !key_ends) | close_brace | close_list;
        let (after_key_end, after_value_end) = (after(key_ends, prev.key_end), after(value_ends, prev.value_end));
        let wrong = (after_open_brace & !(open_quote | close_brace))
            | (after_open_list & !(value_start | close_list))
            | (after_colon & !value_start)
            | (comma_in_object & !open_quote)
            | (after_comma & !comma_in_object & !value_start)
            | (after_key_end & !colon)
            | (colon & !after_key_end)
            | (after_value_end & !(comma | close_brace | close_list));
        if wrong & here != 0 {
            return None;
        }

        // Numbers and words, each from its first byte: well formed, and followed by what may follow a value
        // (a byte that may not start one was refused above where it followed one).
        let mut starts = scalar & !after(scalar, prev.scalar) & here;
        while starts != 0 {
            let at = base + starts.trailing_zeros() as usize;
            let end = scalar_end(b, at)?;
            if !matches!(b.get(end), Some(b',' | b'}' | b']')) {
                return None;
            }
            starts &= starts - 1;
        }

        // The keys of the record itself, and the five fields among them.
        let mut top_keys = keys & top & here;
        while top_keys != 0 {
            let at = base + top_keys.trailing_zeros() as usize + 1;
            if let Some(slot) = field_at(b, at)? {
                // `"key":"value"`: anything but a string here is the reader's to judge.
                let start = at + FIELDS[slot].len() + 3;
                if fields[slot].is_some() || b.get(start - 1) != Some(&b'"') {
                    return None;
                }
                fields[slot] = Some((start, start + b.get(start..)?.iter().position(|&c| c == b'"')?));
            }
            top_keys &= top_keys - 1;
        }

        if let Some(k) = end {
            let end = base + k as usize + 1;
            let mut lines = 0;
            if whole {
                for &c in b.get(end..)? {
                    match c {
                        b'\n' => lines += 1,
                        b' ' | b'\t' | b'\r' => {}
                        _ => return None,
                    }
                }
            }
            return Some(Read { fields, end, lines });
        }
        let last = |mask: u64| mask >> 63 == 1;
        prev = Prev {
            open_brace: last(open_brace),
            open_list: last(open_list),
            colon: last(colon),
            comma: last(comma),
            in_object: last(in_objects),
            key_end: last(key_ends),
            value_end: last(value_ends),
            scalar: last(scalar),
        };
        base += 64;
    }
}

/// Whether the last byte of the block before was each of these.
#[derive(Default)]
struct Prev {
    open_brace: bool,
    open_list: bool,
    colon: bool,
    comma: bool,
    in_object: bool,
    key_end: bool,
    value_end: bool,
    scalar: bool,
}

/// Which of [`FIELDS`] the key whose text starts at `b[at]` is, if any (none where fewer than eight bytes
/// are left: the names are longer); `None` where `b` ends within a name. Eight bytes tell the five names
/// apart, so one load and compare turns away most keys, where a comparison of slices is a call that reads
/// a byte at a time in wasm.
#[inline(always)]
fn field_at(b: &[u8], at: usize) -> Option<Option<usize>> {
    let head = |bytes: &[u8]| bytes.first_chunk::<8>().map(|h| u64::from_le_bytes(*h));
    let Some(key) = head(b.get(at..)?) else { return Some(None) };
    for (slot, name) in FIELDS.iter().enumerate() {
        if Some(key) == head(name) {
            let tail = b.get(at + 8..at + name.len() + 1)?;
            return Some((tail[..tail.len() - 1] == name[8..] && tail[tail.len() - 1] == b'"').then_some(slot));
        }
    }
    Some(None)
}

/// Where the number or word that starts at `b[at]` ends, read as the token reader reads one.
fn scalar_end(b: &[u8], at: usize) -> Option<usize> {
    let mut p = super::Reader::new(b);
    p.i = at;
    match b.get(at)? {
        b't' => p.literal(b"true")?,
        b'f' => p.literal(b"false")?,
        b'n' => p.literal(b"null")?,
        _ => p.number()?,
    }
    Some(p.i)
}

/// The bytes that matter here in 64 bytes, one bit per byte.
#[derive(Default)]
struct Masks {
    quote: u64,
    backslash: u64,
    /// `{` and `[`.
    open_any: u64,
    /// `}` and `]`.
    close_any: u64,
    colon: u64,
    comma: u64,
    /// Control bytes, white space but the space among them.
    low: u64,
}

/// Sorts 64 bytes into [`Masks`], sixteen at a time with SIMD where the target has it. `{` and `[` differ
/// only by 0x20, as do `}` and `]`: one OR folds each pair onto one compare. A backslash or a control byte
/// is rare in a compact record: one test for the block says whether to find them.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::*;
    let mut m = Masks::default();
    // SAFETY: SSE2 is part of x86_64.
    let mut rare = unsafe { _mm_setzero_si128() };
    for k in 0..4 {
        // SAFETY: as above; the unaligned load reads bytes 16k..16k+16 of a 64-byte array.
        let bits = unsafe {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k) as *const __m128i);
            let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            let is = |w: __m128i, c: u8| _mm_cmpeq_epi8(w, _mm_set1_epi8(c as i8));
            let eq = |w: __m128i, c: u8| _mm_movemask_epi8(is(w, c)) as u16 as u64;
            // Unsigned v <= 0x1f: the minimum of v and 0x1f is v.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            rare = _mm_or_si128(rare, _mm_or_si128(is(v, b'\\'), control));
            [eq(v, b'"'), eq(folded, b'{'), eq(folded, b'}'), eq(v, b':'), eq(v, b',')]
        };
        m.add(bits, 16 * k);
    }
    // SAFETY: as above.
    if unsafe { _mm_movemask_epi8(rare) } != 0 {
        (m.backslash, m.low) = rare_masks(block);
    }
    m
}

/// As above, with wasm's simd128.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn classify(block: &[u8; 64]) -> Masks {
    use std::arch::wasm32::*;
    let mut m = Masks::default();
    let mut rare = u8x16_splat(0);
    for k in 0..4 {
        // SAFETY: the unaligned load reads bytes 16k..16k+16 of a 64-byte array.
        let v = unsafe { v128_load(block.as_ptr().add(16 * k) as *const v128) };
        let folded = v128_or(v, u8x16_splat(0x20));
        let eq = |w: v128, c: u8| u8x16_bitmask(u8x16_eq(w, u8x16_splat(c))) as u64;
        rare = v128_or(rare, v128_or(u8x16_eq(v, u8x16_splat(b'\\')), u8x16_lt(v, u8x16_splat(0x20))));
        m.add([eq(v, b'"'), eq(folded, b'{'), eq(folded, b'}'), eq(v, b':'), eq(v, b',')], 16 * k);
    }
    if v128_any_true(rare) {
        (m.backslash, m.low) = rare_masks(block);
    }
    m
}

/// As above, a byte at a time, for targets without SIMD here.
#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
fn classify(block: &[u8; 64]) -> Masks {
    let mut m = Masks::default();
    for (k, &c) in block.iter().enumerate() {
        let is = |want: u8| u64::from(c == want);
        let folded = c | 0x20;
        m.add([is(b'"'), u64::from(folded == b'{'), u64::from(folded == b'}'), is(b':'), is(b',')], k);
    }
    (m.backslash, m.low) = rare_masks(block);
    m
}

/// The backslashes and the control bytes of a block that has some.
#[inline(never)]
fn rare_masks(block: &[u8; 64]) -> (u64, u64) {
    let (mut backslash, mut low) = (0u64, 0u64);
    for (k, &c) in block.iter().enumerate() {
        backslash |= u64::from(c == b'\\') << k;
        low |= u64::from(c < 0x20) << k;
    }
    (backslash, low)
}

impl Masks {
    #[inline(always)]
    fn add(&mut self, bits: [u64; 5], shift: usize) {
        let [quote, open_any, close_any, colon, comma] = bits;
        self.quote |= quote << shift;
        self.open_any |= open_any << shift;
        self.close_any |= close_any << shift;
        self.colon |= colon << shift;
        self.comma |= comma << shift;
    }
}

#[cfg(test)]
mod tests {
    use super::super::summary_by_token;
    use super::super::tests::damaged;
    use super::*;

    fn read(b: &[u8], whole: bool) -> Option<Read> {
        summary_at(b, whole)
    }

    /// Wherever the block reading answers, the token-at-a-time reader answers the same.
    fn agrees(b: &[u8]) -> bool {
        [true, false].into_iter().all(|whole| match read(b, whole) {
            Some(here) => summary_by_token(b, whole) == Some(here),
            None => true,
        })
    }

    const BASE: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","sessionContext":{"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2026-03-02T08:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","requestParameters":{"filterSet":{"items":[{"name":"tag:a","valueSet":{}},[],[1,-2.5E+3,0.25,true,false,null]]},"maxResults":-1.5e-3},"responseElements":null,"readOnly":false,"resources":[{"ARN":"arn:aws:ec2:x","type":"x"}],"eventType":"AwsApiCall"}"#;

    #[test]
    fn reads_a_compact_record_as_the_reader_does() {
        let here = read(BASE.as_bytes(), true).expect("a compact record is read in blocks");
        assert!(agrees(BASE.as_bytes()));
        let name = here.fields[3].map(|(a, b)| &BASE[a..b]);
        assert_eq!(name, Some("DescribeInstances"));
        // Followed by the next record, as a chunk of a delivery holds it.
        let text = format!("{BASE},{BASE}]}}");
        assert_eq!(read(text.as_bytes(), false).map(|r| r.end), Some(BASE.len()));
        assert!(agrees(text.as_bytes()));
    }

    #[test]
    fn leaves_to_the_reader_what_it_does_not_check_itself() {
        for raw in [
            " {\"eventName\":\"A\"}",
            "{\"eventName\": \"A\"}",
            "{\"eventName\":\"A\"\n}",
            r#"{"eventName":"A\"B"}"#,
            r#"{"eventName":"A","eventName":"B"}"#,
            r#"{"eventName":12}"#,
        ] {
            assert!(read(raw.as_bytes(), true).is_none(), "{raw}");
        }
        let deep = format!(r#"{{"x":{}1{}}}"#, "[".repeat(50), "]".repeat(50));
        assert!(read(deep.as_bytes(), true).is_none());
        let fine = format!(r#"{{"x":{}1{}}}"#, "[".repeat(40), "]".repeat(40));
        assert!(read(fine.as_bytes(), true).is_some());
    }

    #[test]
    fn refuses_every_fault_the_reader_refuses() {
        for raw in [
            r#"{"x":01}"#,
            r#"{"x":1.}"#,
            r#"{"x":-}"#,
            r#"{"x":1e}"#,
            r#"{"x":tru}"#,
            r#"{"x":truex}"#,
            r#"{"x":[1,]}"#,
            r#"{"x":{"a":1,}}"#,
            r#"{"x":{"a"1}}"#,
            r#"{"x":{"a":}}"#,
            r#"{"x":["a":1]}"#,
            r#"{"x":{"a"}}"#,
            r#"{"x":[}"#,
            r#"{"x":{]}"#,
            r#"{"x":"a""b"}"#,
            r#"{"x":1"b"}"#,
            r#"{"x":{}{}}"#,
            r#"{"x":[][]}"#,
            r#"{"x":1}x"#,
            r#"{"x":1"#,
            r#"{"x":1,}"#,
            r#"{,"x":1}"#,
            r#"{"x"::1}"#,
            r#"{"x":1:2}"#,
            "{\"x\":\"a\tb\"}",
            "{\"x\":\"a\u{1}b\"}",
        ] {
            assert!(summary_by_token(raw.as_bytes(), true).is_none(), "the reader refuses {raw}");
            assert!(read(raw.as_bytes(), true).is_none(), "{raw}");
        }
    }

    #[test]
    fn never_disagrees_with_the_reader_on_damaged_records() {
        let mut read_here = 0;
        for text in damaged(BASE, b"\"{}[]:,-+.019eEtfnul x\x01") {
            assert!(agrees(text.as_bytes()), "{text}");
            read_here += read(text.as_bytes(), true).is_some() as usize;
        }
        // Damage that leaves JSON (a digit for a digit, a letter in a string) is still read here.
        assert!(read_here > 1000, "{read_here}");
        // Twice damaged: pairs of bytes, sampled.
        for (i, once) in damaged(BASE, b"\"{}[]:,1x").enumerate().step_by(13) {
            for twice in damaged(&once, b"\"{}[]:,1").skip(i % 17).step_by(29) {
                assert!(agrees(twice.as_bytes()), "{twice}");
            }
        }
    }

    #[test]
    fn every_structure_at_every_place_in_a_block() {
        // The record shifted through every offset of a 64-byte block, so that each bracket, quote, key end
        // and number falls on each bit, the first and the last among them, and across two blocks.
        for pad in 0..130 {
            let text = format!(r#"{{"p":"{}",{}"#, "y".repeat(pad), &BASE[1..]);
            assert!(read(text.as_bytes(), true).is_some(), "{text}");
            assert!(agrees(text.as_bytes()), "{text}");
            for cut in 1..text.len() {
                assert!(agrees(&text.as_bytes()[..cut]));
            }
            let key = format!(r#"{{"{}":[1,{{"k":"v"}}],{}"#, "k".repeat(pad), &BASE[1..]);
            assert!(read(key.as_bytes(), true).is_some(), "{key}");
            assert!(agrees(key.as_bytes()), "{key}");
            // A field's key at every offset, the last bit of a block among them, and keys like it.
            for field in ["eventName", "eventVer", "eventNameX", "eventNam", "eventTyp", "e"] {
                let text = format!(r#"{{"p":"{}","{field}":"v","q":1}}"#, "y".repeat(pad));
                assert!(read(text.as_bytes(), true).is_some(), "{text}");
                assert!(agrees(text.as_bytes()), "{text}");
                let number = format!(r#"{{"p":"{}","{field}":1}}"#, "y".repeat(pad));
                assert!(agrees(number.as_bytes()), "{number}");
            }
        }
    }

    /// The compact records of generated deliveries and of the real samples: read here, as the reader does.
    #[test]
    fn reads_real_and_generated_records() {
        let mut records: Vec<String> = Vec::new();
        let mut take = |value: &serde_json::Value| {
            for record in value.get("Records").and_then(|r| r.as_array()).into_iter().flatten() {
                records.push(serde_json::to_string(record).expect("JSON"));
            }
        };
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
        for entry in std::fs::read_dir(&corpus).into_iter().flatten().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            if let Ok(value) = crate::decode::decode(&bytes).map(|text| serde_json::from_slice(&text)) {
                take(&value.unwrap_or_default());
            }
        }
        let config = crate::generate::GenConfig { n_events: 3000, ..crate::generate::GenConfig::sample() };
        for file in crate::generate::generate(&config).0 {
            let text = crate::decode::decode(&file.bytes).expect("generated files decode");
            take(&serde_json::from_slice(&text).expect("generated files are JSON"));
        }
        assert!(records.len() > 3000, "{}", records.len());
        let read_here = records.iter().filter(|raw| read(raw.as_bytes(), true).is_some()).count();
        for raw in &records {
            assert!(agrees(raw.as_bytes()), "{raw}");
        }
        // Only a record with a backslash goes to the reader.
        let plain = records.iter().filter(|raw| !raw.contains('\\')).count();
        assert_eq!(read_here, plain);
    }

    proptest::proptest! {
        #[test]
        fn never_disagrees_with_the_reader_on_json_shaped_noise(
            head in proptest::sample::select(vec!["{", r#"{"eventName":"A","#, r#"{"x":["#, r#"{"x":{"#]),
            body in r#"[\[\]{}",:0-9a-z .+\-\t\x7fé]{0,200}"#,
        ) {
            let text = format!("{head}{body}");
            proptest::prop_assert!(agrees(text.as_bytes()), "{}", text);
        }
    }
}

//! A sketch of the events' original JSON that lets free text pass over most records without reading them.
//!
//! For each block of consecutive events (one event by default) the sketch keeps a bitset of the hashed
//! trigrams of their JSON, with ASCII letters folded exactly as [`crate::caseless`] folds them. A needle
//! of three bytes or more can only be in an event whose block has the bit of every one of the needle's
//! uncommon trigrams set (see below): a block missing one is proof of absence, whatever the bytes
//! (escapes, quotes, non-ASCII), because the needle's folded bytes are then a run of the block's folded
//! bytes. A set bit proves nothing (other trigrams share it), so the caller still reads the JSON there.
//!
//! Trigrams that nearly every CloudTrail record holds (those of its standard keys, [`COMMON_TEXT`]) set no
//! bit of their own: such a bit would be set in every block and rule nothing out, and it would pass every
//! needle whose trigram shares it. A needle's common trigrams are not asked about. A trigram is first
//! hashed to two bits more than the block has, and a table gives that hash's bit: its top bits, or bit 1
//! where a common trigram has that hash, so that marking a trigram is a lookup rather than a comparison
//! with the common one. The few other trigrams whose hash a common one shares say nothing either.
//!
//! Bit 0 of each block is not a trigram's: it says that some event of the block holds a backslash or a
//! byte beyond ASCII, where text may be spelled otherwise than it reads (`\u0041` for `A`, the Kelvin sign
//! for `k`), so that a search which must see a piece spelled verbatim (a JSON path's key and value) can
//! trust an absent trigram only in a block without it. Common trigrams, and those whose bit would be 0,
//! mark bit 1, which no probe asks about.
//!
//! The sketch covers a prefix of the events and grows a slice at a time ([`Sketch::extend`]), since
//! building it reads every record once; rows beyond it are simply read. Events are only ever appended,
//! so a sketch of a prefix stays true.
//!
//! ```
//! use trailscope_core::sketch::Sketch;
//! # let raw = r#"{"eventVersion":"1.08","eventName":"X","errorCode":"AccessDenied"}"#;
//! # let record: trailscope_core::record::RawRecord<'_> = serde_json::from_str(raw).unwrap();
//! let events = vec![record.into_event(raw)];
//! let mut sketch = Sketch::new();
//! assert!(sketch.extend(&events, usize::MAX));
//! let probe = sketch.probe(b"accessdenied").expect("long enough to sketch");
//! assert!(sketch.may_hold(0, &probe));
//! ```

use crate::model::Event;

/// The trigram bitsets of a prefix of the events, one per block of events.
#[derive(Debug, Clone)]
pub struct Sketch {
    /// log2 of the events per block.
    block_shift: u32,
    /// `64 - log2(bits per block) - SLOT_BITS`: a hash keeps the top bits of a 64-bit product.
    hash_shift: u32,
    words_per_block: usize,
    /// Per hash, the trigram's bit: 1 where a common trigram has that hash (see [`COMMON_TEXT`]), else the
    /// hash's top bits, but never 0.
    slots: Box<[u16]>,
    words: Vec<u64>,
    /// One byte per bit of a block while it is built, so that marking a trigram is a plain store rather
    /// than a read, an OR and a write that must wait for the previous one.
    marks: Vec<u8>,
}

/// A needle's trigrams as sketch bits, grouped by word: (word in the block, bits that must all be set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    words: Vec<(usize, u64)>,
}

/// One event per block and 2048 bits (256 bytes per event): chosen by `cargo bench --bench query`, where
/// larger blocks let through most records for any word that a few percent of events hold (a block passes
/// when any of its events does), and fewer bits fill up with the JSON's 700-odd distinct trigrams. Over
/// 300 words cut from generated records, 1024 bits let 10.7 % of all rows through that do not hold the
/// word, 2048 bits 5.4 % and 4096 bits 3.0 %; a user name in a fifth of the records went from 47 % of
/// the rows let through to 22 %, and every row let through is read in full.
const EVENTS_PER_BLOCK: usize = 1;
const BITS_PER_BLOCK: usize = 2048;

/// Text that nearly every CloudTrail record holds, as it is written: the keys of the record's standard
/// fields (CloudTrail's "record contents"), with the quotes and colons around them, in compact and spaced
/// JSON, and the values nearly all records share, as one text (one piece of data in the page's code
/// rather than thirty). The 300-odd trigrams found inside these are about a third of a record's distinct
/// trigrams. Only these trigrams are left out, so an unusual record still has all its others.
pub const COMMON_TEXT: &str = concat!(
    r#"{"eventVersion":"1.0"#,
    r#""userIdentity":{"type":""#,
    r#""principalId":""#,
    r#""arn":"arn:aws:"#,
    r#""accountId":""#,
    r#""accessKeyId":""#,
    r#""sessionContext":{"sessionIssuer":{"#,
    r#""attributes":{"creationDate":""#,
    r#""mfaAuthenticated":"false"}"#,
    r#""userName":""#,
    r#""eventTime":"20"#,
    r#"Z","eventSource":""#,
    r#".amazonaws.com","eventName":""#,
    r#""awsRegion":""#,
    r#""sourceIPAddress":""#,
    r#""userAgent":""#,
    r#""requestParameters":{"#,
    r#""responseElements":null"#,
    r#""requestID":""#,
    r#""eventID":""#,
    r#""readOnly":true"#,
    r#""readOnly":false"#,
    r#""eventType":"AwsApiCall""#,
    r#""managementEvent":true"#,
    r#""recipientAccountId":""#,
    r#""eventCategory":"Management""#,
    r#""tlsDetails":{"tlsVersion":"TLSv1."#,
    r#""cipherSuite":""#,
    r#""clientProvidedHostHeader":""#,
    r#"{ "eventVersion": "1.0"#,
    r#"": ""#,
    r#"": {"#,
    r#"", ""#,
);

/// A trigram's hash has this many bits more than a block: with 2048 bits, 8192 hashes (a table of 16 KB),
/// the 300-odd common trigrams' among them. Over twenty words and 50,000 generated records, two to five
/// bits let through the same rows within 0.1 %, as did comparing with the common trigram itself, and two
/// built the sketch fastest in wasm: 818 MB/s, against 571 MB/s for the comparison.
const SLOT_BITS: u32 = 2;

/// The words of one event's bitset in the chosen shape: what [`words_of`] gives per event.
pub const WORDS_PER_EVENT: usize = BITS_PER_BLOCK / 64;

/// The bitsets of `events` in the chosen shape, [`WORDS_PER_EVENT`] words each, in order: built where the
/// events were read (a worker, while the record is at hand), so the page only appends them
/// ([`Sketch::push_kept`]) instead of reading every record again on its own thread.
// Not inlined into the worker's handler: with its hot loop there, the whole handler (the file's reading
// around it) was optimised, a large function that browsers take long to compile.
#[inline(never)]
pub fn words_of(events: &[Event]) -> Vec<u64> {
    let mut sketch = Sketch::new();
    sketch.extend(events, usize::MAX);
    sketch.words
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch::new()
    }
}

impl Sketch {
    /// An empty sketch of the chosen shape.
    pub fn new() -> Sketch {
        Sketch::with_shape(EVENTS_PER_BLOCK, BITS_PER_BLOCK)
    }

    /// An empty sketch with `events_per_block` events per bitset of `bits_per_block` bits, both rounded up
    /// to a power of two (at least one event, 64 bits and at most 65,536), for measuring other shapes.
    pub fn with_shape(events_per_block: usize, bits_per_block: usize) -> Sketch {
        let events_per_block = events_per_block.max(1).next_power_of_two();
        let bits_per_block = bits_per_block.clamp(64, 1 << 16).next_power_of_two();
        let hash_bits = bits_per_block.trailing_zeros() + SLOT_BITS;
        // Bit 0 says whether the block is plain: the hashes that would mark it mark bit 1.
        let mut slots: Box<[u16]> = (0..1usize << hash_bits).map(|h| (h >> SLOT_BITS).max(1) as u16).collect();
        // Where two pieces meet, a trigram no record holds may be left out too: harmless.
        for w in COMMON_TEXT.as_bytes().windows(3) {
            let t = trigram(w[0].to_ascii_lowercase(), w[1].to_ascii_lowercase(), w[2].to_ascii_lowercase());
            slots[hash(t, 64 - hash_bits)] = 1;
        }
        Sketch {
            block_shift: events_per_block.trailing_zeros(),
            hash_shift: 64 - hash_bits,
            words_per_block: bits_per_block / 64,
            slots,
            words: Vec::new(),
            marks: Vec::new(),
        }
    }

    /// How many events (from the first) the sketch covers.
    pub fn len(&self) -> usize {
        (self.words.len() / self.words_per_block) << self.block_shift
    }

    /// True when it covers no event.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Events per block.
    pub fn events_per_block(&self) -> usize {
        1 << self.block_shift
    }

    /// Bits per block.
    pub fn bits_per_block(&self) -> usize {
        self.words_per_block * 64
    }

    /// The memory the bitsets take, in bytes.
    pub fn bytes(&self) -> usize {
        self.words.len() * 8
    }

    /// Sketches up to `max_events` more of `events` (the same events, in the same order, as before, maybe
    /// with more appended), whole blocks only; true once every whole block of `events` is covered. A last
    /// partial block waits for more events, and is read meanwhile.
    pub fn extend(&mut self, events: &[Event], max_events: usize) -> bool {
        let n_blocks = events.len() >> self.block_shift;
        let done = self.words.len() / self.words_per_block;
        let budget = (max_events >> self.block_shift).max(1);
        let end = n_blocks.min(done.saturating_add(budget));
        self.marks.resize(self.words_per_block * 64, 0);
        self.words.reserve((end.saturating_sub(done)) * self.words_per_block);
        for block in done..end {
            let first = block << self.block_shift;
            let last = (first + self.events_per_block()).min(events.len());
            self.marks.fill(0);
            for event in &events[first..last] {
                mark(&mut self.marks, event.raw().as_bytes(), self.hash_shift, &self.slots);
            }
            self.words.extend(self.marks.chunks_exact(64).map(pack));
        }
        end == n_blocks
    }

    /// Appends the bitsets of a file's kept events: `words` is what [`words_of`] made of all the file's
    /// events, and `kept` the positions among them of those kept (ascending, as `Store::add` gives them).
    /// Consecutive ones go in one copy (with no duplicate in the file, all of them). False when this sketch
    /// has another shape or `words` does not cover a kept event, with only the runs of kept events before
    /// that appended: the events left are sketched by [`Sketch::extend`], and the sketch stays a true
    /// sketch of a prefix.
    pub fn push_kept(&mut self, words: &[u64], kept: &[usize]) -> bool {
        if self.block_shift != 0 || self.words_per_block != WORDS_PER_EVENT {
            return false;
        }
        let mut at = 0;
        while let Some(&first) = kept.get(at) {
            let mut end = first + 1;
            at += 1;
            while kept.get(at) == Some(&end) {
                end += 1;
                at += 1;
            }
            let Some(run) = words.get(first * WORDS_PER_EVENT..end * WORDS_PER_EVENT) else { return false };
            self.words.extend_from_slice(run);
        }
        true
    }

    /// Sketches event `row` anew from `words` ([`words_of`] of its new text), where the event was replaced.
    /// Without them, or in another shape, the sketch ends before the row's block: a true sketch of a
    /// shorter prefix, past which searches read the rows.
    pub fn replace(&mut self, row: usize, words: Option<&[u64]>) {
        if row >= self.len() {
            return;
        }
        let start = (row >> self.block_shift) * self.words_per_block;
        match words {
            Some(words) if self.block_shift == 0 && words.len() == self.words_per_block => {
                self.words[start..start + self.words_per_block].copy_from_slice(words);
            }
            _ => self.words.truncate(start),
        }
    }

    /// The bitset of the block that holds event `row`, when the sketch covers it.
    pub fn block_of(&self, row: usize) -> Option<&[u64]> {
        let start = (row >> self.block_shift) * self.words_per_block;
        self.words.get(start..start + self.words_per_block)
    }

    /// The bits a needle needs, or `None` for a needle shorter than a trigram (the sketch says nothing
    /// about it).
    pub fn probe(&self, needle: &[u8]) -> Option<Probe> {
        let needle = needle.to_ascii_lowercase();
        if needle.len() < 3 {
            return None;
        }
        let mut words: Vec<(usize, u64)> = Vec::new();
        for window in needle.windows(3) {
            let bit = self.bit_of(trigram(window[0], window[1], window[2]));
            if bit == 1 {
                // A common trigram's bit, in nearly every block: nothing to ask.
                continue;
            }
            let (word, mask) = (bit / 64, 1u64 << (bit % 64));
            // Kept in order of word as they come (a needle has few): a sort here was the page's only one of
            // this type, a kilobyte of its download.
            match words.binary_search_by_key(&word, |&(w, _)| w) {
                Ok(at) => words[at].1 |= mask,
                Err(at) => words.insert(at, (word, mask)),
            }
        }
        Some(Probe { words })
    }

    /// The bit that trigram `t` marks.
    #[inline]
    fn bit_of(&self, t: u32) -> usize {
        usize::from(self.slots[hash(t, self.hash_shift)])
    }

    /// True when event `row` is covered and its block spells everything verbatim: no backslash and no byte
    /// beyond ASCII in its JSON. Only then does an absent trigram prove that a key or value written in the
    /// record's own spelling (not just as text) is missing.
    #[inline]
    pub fn is_plain(&self, row: usize) -> bool {
        self.block_of(row).is_some_and(|block| block[0] & 1 == 0)
    }

    /// False only when event `row` cannot hold the needle of `probe` (ignoring ASCII case); true when it may,
    /// and for rows the sketch does not cover yet.
    #[inline]
    pub fn may_hold(&self, row: usize, probe: &Probe) -> bool {
        let Some(block) = self.block_of(row) else { return true };
        probe.words.iter().all(|&(word, mask)| block.get(word).is_none_or(|&w| w & mask == mask))
    }
}

/// Marks the bit of the trigram of every position of `raw`, folded, as `slots` gives it for each hash, and
/// bit 0 when `raw` holds a backslash or a byte beyond ASCII.
#[inline]
fn mark(marks: &mut [u8], raw: &[u8], hash_shift: u32, slots: &[u16]) {
    const HASH_BITS: u32 = BITS_PER_BLOCK.trailing_zeros() + SLOT_BITS;
    const SHIFT: u32 = 64 - HASH_BITS;
    if let (Ok(marks), Ok(slots), SHIFT) =
        (<&mut [u8; BITS_PER_BLOCK]>::try_from(&mut *marks), <&[u16; 1 << HASH_BITS]>::try_from(slots), hash_shift)
    {
        // The page's shape, its sizes known here: the compiler sees every hash in range, and the mask (a
        // no-op, as every slot is a bit) every bit, and checks none (with bounds checks, the sketch was a
        // quarter slower in wasm).
        return mark_with(marks, raw, |t| usize::from(slots[hash(t, SHIFT)]) & (BITS_PER_BLOCK - 1));
    }
    mark_with(marks, raw, |t| usize::from(slots[hash(t, hash_shift)]));
}

/// [`mark`], given each trigram's bit.
#[inline(always)]
fn mark_with(marks: &mut [u8], raw: &[u8], bit_of: impl Fn(u32) -> usize) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut at = 0;
    let mut unplain = 0u64;
    // Eight bytes folded at once give six trigrams; the next load starts six bytes on.
    while at + 8 <= raw.len() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&raw[at..at + 8]);
        let x = u64::from_le_bytes(bytes);
        // The top bit of a byte beyond ASCII, or of a byte that was a backslash (the classic zero-byte
        // test on `x ^ b'\\'`: exact about whether any byte was one).
        let backslash = x ^ (u64::from(b'\\') * ONES);
        unplain |= x | (backslash.wrapping_sub(ONES) & !backslash);
        let word = fold8(x);
        for k in 0..6 {
            let t = (word >> (8 * k)) as u32 & 0x00FF_FFFF;
            marks[bit_of(t)] = 1;
        }
        at += 6;
    }
    let mut plain = unplain & (0x80 * ONES) == 0;
    for &b in &raw[at..] {
        plain &= b < 0x80 && b != b'\\';
    }
    if raw.len() >= 3 {
        for start in at..raw.len() - 2 {
            let b = |i: usize| raw[start + i].to_ascii_lowercase();
            marks[bit_of(trigram(b(0), b(1), b(2)))] = 1;
        }
    }
    if !plain {
        marks[0] = 1;
    }
}

/// Sixty-four marks (0 or 1) as the bits of a word, the first mark lowest.
#[inline]
fn pack(marks: &[u8]) -> u64 {
    let mut word = 0u64;
    for (k, sixteen) in marks.chunks_exact(16).enumerate() {
        word |= u64::from(pack16(sixteen.first_chunk::<16>().unwrap_or(&[0; 16]))) << (16 * k);
    }
    word
}

/// Sixteen marks as sixteen bits: a load, a compare or shift and a bitmask with SIMD, which made the sketch
/// 6 % faster in wasm than eight marks at a time in a word.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn pack16(marks: &[u8; 16]) -> u16 {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86_64; the unaligned load reads the 16 bytes of `marks`.
    unsafe {
        let v = _mm_loadu_si128(marks.as_ptr() as *const __m128i);
        !(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())) as u16)
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn pack16(marks: &[u8; 16]) -> u16 {
    use std::arch::wasm32::*;
    // SAFETY: the unaligned load reads the 16 bytes of `marks`.
    let v = unsafe { v128_load(marks.as_ptr() as *const v128) };
    // A mark's 1 moves to the byte's top bit, which the bitmask gathers.
    i8x16_bitmask(i8x16_shl(v, 7))
}

#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
#[inline(always)]
fn pack16(marks: &[u8; 16]) -> u16 {
    let mut bits = 0u16;
    for (k, &m) in marks.iter().enumerate() {
        bits |= u16::from(m & 1) << k;
    }
    bits
}

/// ASCII upper-case letters of eight bytes made lower-case, every other byte as it is (what
/// `u8::to_ascii_lowercase` does to each), without a branch.
#[inline(always)]
fn fold8(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Per byte, without carries between bytes: the low seven bits plus an offset set the top bit from
    // `A` up, and from just past `Z` up; a byte of 0x80 or more is never a letter.
    let low7 = x & (0x7F * ONES);
    let from_a = low7 + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low7 + (0x80 - u64::from(b'Z') - 1) * ONES;
    let upper = from_a & !past_z & !x & (0x80 * ONES);
    x | (upper >> 2)
}

#[inline(always)]
fn trigram(a: u8, b: u8, c: u8) -> u32 {
    u32::from(a) | u32::from(b) << 8 | u32::from(c) << 16
}

/// Fibonacci hashing: the top bits of the product mix all three bytes. A 64-bit product, because the
/// top bits of a 32-bit one sent common and rare trigrams to the same bits more often than chance.
#[inline(always)]
fn hash(trigram: u32, hash_shift: u32) -> usize {
    (u64::from(trigram).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> hash_shift) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold8_lowers_exactly_the_ascii_capitals() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                let x = u64::from(b) << (8 * lane) | 0x4141_4141_4141_4141 & !(0xFF << (8 * lane));
                let folded = fold8(x).to_le_bytes();
                assert_eq!(folded[lane], b.to_ascii_lowercase(), "byte {b:#x} in lane {lane}");
                for (other, &f) in folded.iter().enumerate().filter(|(o, _)| *o != lane) {
                    assert_eq!(f, b'a', "lane {other} beside {b:#x}");
                }
            }
        }
    }

    #[test]
    fn plain_means_no_backslash_and_nothing_beyond_ascii() {
        for (raw, plain) in [
            (&b"{\"a\":\"plain ASCII text, long enough for words\"}"[..], true),
            (b"short", true),
            (b"", true),
            (b"{\"a\":\"x\\u0041\"}", false),
            (b"ab\\", false),
            ("long enough text then caf\u{e9}".as_bytes(), false),
            (b"\xff", false),
        ] {
            for sketch in [Sketch::new(), Sketch::with_shape(1, 1024)] {
                let mut marks = vec![0u8; sketch.bits_per_block()];
                mark(&mut marks, raw, sketch.hash_shift, &sketch.slots);
                assert_eq!(marks[0] == 0, plain, "{:?}", String::from_utf8_lossy(raw));
            }
        }
    }

    #[test]
    fn common_trigrams_bits_stay_clear_and_are_not_asked_about() {
        let event = |raw: &str| {
            let record: crate::record::RawRecord<'_> = serde_json::from_str(raw).expect("valid");
            record.into_event(raw)
        };
        // The common bits stay clear, whatever the record; its other trigrams are marked.
        let mut sketch = Sketch::new();
        let raw = r#"{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","readOnly":true}"#;
        sketch.extend(&[event(raw)], 1);
        let block = sketch.block_of(0).expect("sketched");
        let bits = |t: &[u8]| {
            let t = trigram(t[0].to_ascii_lowercase(), t[1].to_ascii_lowercase(), t[2].to_ascii_lowercase());
            Some(sketch.bit_of(t)).filter(|&bit| bit != 1)
        };
        let rare: std::collections::BTreeSet<usize> = raw.as_bytes().windows(3).filter_map(bits).collect();
        let set_bits = (2..sketch.bits_per_block()).filter(|&bit| block[bit / 64] >> (bit % 64) & 1 == 1);
        assert_eq!(set_bits.collect::<std::collections::BTreeSet<_>>(), rare);
        let set: u32 = block.iter().map(|w| w.count_ones()).sum();
        let trigrams = raw.as_bytes().windows(3).collect::<std::collections::HashSet<_>>().len() as u32;
        assert!(set > 0 && set * 3 < trigrams, "{set} bits for {trigrams} trigrams");
        assert_eq!(sketch.probe(b"EventSource").map(|p| p.words.len()), Some(0));

        // Every piece of a record still passes; a piece it lacks is ruled out when it is rare enough.
        let raw = r#"{"eventVersion":"1.05","eventSource":"transcribe.amazonaws.com","eventName":"zebra"}"#;
        let mut sketch = Sketch::new();
        sketch.extend(&[event(raw)], 1);
        for at in 0..raw.len() {
            for len in 3..=(raw.len() - at).min(12) {
                let probe = sketch.probe(&raw.as_bytes()[at..at + len]).expect("three bytes or more");
                assert!(sketch.may_hold(0, &probe), "{}", &raw[at..at + len]);
            }
        }
        let absent = sketch.probe(b"eventName\":\"yak").expect("long enough");
        assert!(!absent.words.is_empty() && !sketch.may_hold(0, &absent));
    }

    #[test]
    fn a_replaced_event_is_sketched_from_its_new_words_or_the_sketch_ends_before_it() {
        let event = |raw: &str| {
            let record: crate::record::RawRecord<'_> = serde_json::from_str(raw).expect("valid");
            record.into_event(raw)
        };
        let old = r#"{"eventVersion":"1.05","eventSource":"transcribe.amazonaws.com","eventName":"zebra"}"#;
        let new = r#"{"eventVersion":"1.05","eventSource":"transcribe.amazonaws.com","eventName":"yak"}"#;
        let events = [event(old), event(old), event(old)];
        let mut sketch = Sketch::new();
        sketch.extend(&events, usize::MAX);
        let words = words_of(&[event(new)]);
        sketch.replace(1, Some(&words));
        let yak = sketch.probe(b"eventName\":\"yak").expect("long enough");
        let zebra = sketch.probe(b"eventName\":\"zebra").expect("long enough");
        assert!(sketch.may_hold(1, &yak) && !sketch.may_hold(1, &zebra));
        assert!(sketch.may_hold(0, &zebra) && sketch.may_hold(2, &zebra));
        // Without its words, the event is past the sketch: read, not ruled out.
        sketch.replace(2, None);
        assert_eq!(sketch.len(), 2);
        // Beyond the sketch: nothing to do.
        sketch.replace(5, None);
        assert_eq!(sketch.len(), 2);
    }

    #[test]
    fn pack_keeps_mark_order() {
        let mut marks = [0u8; 64];
        for k in [0, 1, 7, 8, 33, 63] {
            marks[k] = 1;
        }
        assert_eq!(pack(&marks), 1 | 1 << 1 | 1 << 7 | 1 << 8 | 1 << 33 | 1 << 63);
    }

    #[test]
    fn swar_marks_equal_one_trigram_at_a_time() {
        let mut raw = br#"{"A":"B\u00e9\"Zz@[`{","k":"ICH-"}0123456789ABCDEFGHIJ"#.to_vec();
        raw.extend_from_slice(&[0xff, 0x80, 0xc3, 0x89, b'K', 0xe2, 0x84, 0xaa, b'[', b'Z']);
        // The page's shape (its own path in `mark`) and another.
        for sketch in [Sketch::new(), Sketch::with_shape(1, 1024)] {
            let bits = sketch.bits_per_block();
            for len in 0..raw.len() {
                let (mut fast, mut slow) = (vec![0u8; bits], vec![0u8; bits]);
                mark(&mut fast, &raw[..len], sketch.hash_shift, &sketch.slots);
                for w in raw[..len].windows(3) {
                    let l = w.to_ascii_lowercase();
                    slow[sketch.bit_of(trigram(l[0], l[1], l[2]))] = 1;
                }
                slow[0] = u8::from(raw[..len].iter().any(|&b| b >= 0x80 || b == b'\\'));
                assert_eq!(fast, slow, "{bits} bits, first {len} bytes");
            }
        }
    }

    #[test]
    fn every_shape_s_slots_are_bits_of_its_block_and_common_trigrams_go_to_bit_1() {
        for log in 6..=16 {
            let sketch = Sketch::with_shape(1, 1 << log);
            let bits = sketch.bits_per_block();
            assert_eq!(bits, 1 << log);
            assert!(sketch.slots.iter().all(|&slot| (1..bits).contains(&usize::from(slot))), "{bits} bits");
            for w in COMMON_TEXT.as_bytes().windows(3) {
                let l = w.to_ascii_lowercase();
                assert_eq!(
                    sketch.bit_of(trigram(l[0], l[1], l[2])),
                    1,
                    "{bits} bits, {:?}",
                    String::from_utf8_lossy(w)
                );
            }
        }
        assert_eq!(Sketch::with_shape(1, 1 << 20).bits_per_block(), 1 << 16, "at most 65,536 bits");
    }
}

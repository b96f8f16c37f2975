//! A small CloudTrail delivery made without the generator, for the page's workers to read once before
//! anyone gives them a file.
//!
//! A browser runs new wasm in its quick baseline code and optimises a function only once it has run a
//! while, on the same two cores the first files then need: reading this first moves that work to the
//! moment the page opens. So it passes through every hot path a real delivery does (gunzip, with the
//! dynamic codes and back-references a compressor writes, the record splitter, the skim of other services'
//! records, the full read of Transcribe ones, the sketch, the wire format), while costing the page's
//! download a few hundred bytes rather than a stored file.

/// A gzipped S3 delivery of `n` records, one in three a Transcribe call.
// Not inlined, nor is `gzip`: run once, and each copy weighs on every visit's download of the worker.
#[inline(never)]
pub fn delivery(n: usize) -> Vec<u8> {
    // `#` stands for the record's number. One template per kind keeps the worker's download small. A
    // Transcribe response holds more than the rules read (skipped unread, as in a real one), and the
    // other calls' names differ record by record, as a real delivery's many names do its counts.
    const HEAD: &str = r##"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/u#"},"eventTime":"2026-03-02T08:00:00Z","sourceIPAddress":"10.0.0.1","eventID":"#","##;
    const CALLS: [&str; 3] = [
        r##""eventSource":"transcribe.amazonaws.com","eventName":"StartTranscriptionJob","requestParameters":{"transcriptionJobName":"#","media":{"mediaFileUri":"s3://a/#"}},"responseElements":{"transcriptionJob":{"transcriptionJobStatus":"IN_PROGRESS","settings":{"showSpeakerLabels":true,"maxSpeakerLabels":2,"channelIdentification":false},"startTime":"Mar 2, 2026, 8:00:00 AM","contentRedaction":null,"tags":[{"key":"team","value":"#"}]}}}"##,
        r##""eventSource":"s3.amazonaws.com","eventName":"GetObject#","requestParameters":{"bucketName":"a","key":"#"},"responseElements":null}"##,
        r##""eventSource":"kms.amazonaws.com","eventName":"Decrypt#","requestParameters":{},"responseElements":null}"##,
    ];
    let mut text = Vec::new();
    text.extend_from_slice(b"{\"Records\":[");
    for i in 0..n {
        if i > 0 {
            text.push(b',');
        }
        for piece in [HEAD, CALLS[i % CALLS.len()]] {
            for &b in piece.as_bytes() {
                if b == b'#' {
                    // The number's digits, most significant first.
                    let mut place = 1;
                    while place * 10 <= i {
                        place *= 10;
                    }
                    while place > 0 {
                        text.push(b'0' + (i / place % 10) as u8);
                        place /= 10;
                    }
                } else {
                    text.push(b);
                }
            }
        }
    }
    text.extend_from_slice(b"]}");
    gzip(&text)
}

/// Bytes of text per deflate block: a real delivery's compressor starts a new block every few dozen
/// kilobytes, and each block's header is decoded by a loop of its own in the browser's gunzip.
const BLOCK: usize = 16 * 1024;

/// The code lengths of every block, as runs of (length, how many symbols): 286 literal and length
/// symbols, the fixed code's lengths (RFC 1951, 3.2.6) but for the last six, so that the code is complete
/// as zlib requires of a dynamic block; then 30 distance symbols, also a complete code.
const RUNS: [(u8, u16); 6] = [(8, 144), (9, 112), (7, 26), (8, 4), (4, 2), (5, 28)];
const LITERALS: usize = 286;

/// The code-length alphabet's lengths for its symbols 0 to 9 (4, 5, 7, 8 and 9 are used), a complete
/// code, and the order in which a block's header gives them.
const LENGTH_LENGTHS: [u8; 10] = [0, 0, 0, 0, 3, 3, 0, 2, 2, 2];
const LENGTH_ORDER: [usize; 12] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4];

/// `text` as one gzip member (RFC 1952) of deflate blocks with dynamic Huffman codes and back-references
/// (RFC 1951), as a real compressor writes them, so the warm-up runs every hot path of a real file's
/// gunzip, without a compressor in the download. Every block has the same codes (`RUNS`); a
/// back-reference is the longest match at the last place that shared the next four bytes.
#[inline(never)]
fn gzip(text: &[u8]) -> Vec<u8> {
    let mut lengths = Vec::new();
    for (len, n) in RUNS {
        lengths.resize(lengths.len() + usize::from(n), len);
    }
    let (literals, distances) = lengths.split_at(LITERALS);
    let mut codes = canonical(literals);
    codes.extend(canonical(distances));
    let length_codes = canonical(&LENGTH_LENGTHS);
    let mut out = Bits { out: vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff], bits: 0, n_bits: 0 };
    // The last place each four-byte prefix (hashed to 12 bits) was seen.
    let mut last = vec![usize::MAX; 1 << 12];
    let mut at = 0;
    loop {
        let end = (at + BLOCK).min(text.len());
        // The block's header (BTYPE 10, dynamic codes): how many codes of each kind, the code-length
        // alphabet's lengths, then every literal, length and distance code's length in that alphabet.
        out.put(u32::from(end == text.len()) | 0b10 << 1, 3);
        out.put((LITERALS - 257) as u32, 5);
        out.put((lengths.len() - LITERALS - 1) as u32, 5);
        out.put((LENGTH_ORDER.len() - 4) as u32, 4);
        for symbol in LENGTH_ORDER {
            out.put(LENGTH_LENGTHS.get(symbol).map_or(0, |&len| u32::from(len)), 3);
        }
        for &len in &lengths {
            out.code(length_codes[usize::from(len)], u32::from(LENGTH_LENGTHS[usize::from(len)]));
        }
        while at < end {
            let (mut len, mut dist) = (0, 0);
            if let Some(four) = text.get(at..at + 4) {
                let h =
                    (u32::from_le_bytes([four[0], four[1], four[2], four[3]]).wrapping_mul(0x9E37_79B1) >> 20) as usize;
                let before = std::mem::replace(&mut last[h], at);
                // A match stops at the block's end, so that the block flagged last holds the text's end.
                if before != usize::MAX && at - before <= 32_768 {
                    len = text[before..end].iter().zip(&text[at..end]).take(258).take_while(|(a, b)| a == b).count();
                    dist = at - before;
                }
            }
            if len < 4 {
                out.symbol(&codes, &lengths, usize::from(text[at]));
                at += 1;
                continue;
            }
            // Length symbols 257 to 285 and distance symbols 0 to 29, each with its extra bits.
            let (symbol, extra, bits) = match len - 3 {
                255 => (285, 0, 0),
                l @ 0..8 => (257 + l, 0, 0),
                l => {
                    let e = l.ilog2() as usize - 2;
                    (265 + 4 * (e - 1) + (l >> e) - 4, l & ((1 << e) - 1), e)
                }
            };
            out.symbol(&codes, &lengths, symbol);
            out.put(extra as u32, bits as u32);
            let (symbol, extra, bits) = match dist - 1 {
                d @ 0..4 => (d, 0, 0),
                d => {
                    let e = d.ilog2() as usize - 1;
                    (2 * e + 2 + (d >> e & 1), d & ((1 << e) - 1), e)
                }
            };
            out.symbol(&codes, &lengths, LITERALS + symbol);
            out.put(extra as u32, bits as u32);
            at += len;
        }
        // End of block.
        out.symbol(&codes, &lengths, 256);
        if at == text.len() {
            break;
        }
    }
    out.put(0, 7);
    out.out.extend_from_slice(&crate::gunzip::crc32(0, text).to_le_bytes());
    out.out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.out
}

/// The canonical Huffman codes of `lengths` (RFC 1951, 3.2.2).
fn canonical(lengths: &[u8]) -> Vec<u32> {
    let mut count = [0u32; 16];
    for &len in lengths {
        count[usize::from(len)] += 1;
    }
    count[0] = 0;
    let mut next = [0u32; 16];
    for bits in 1..16 {
        next[bits] = (next[bits - 1] + count[bits - 1]) << 1;
    }
    lengths
        .iter()
        .map(|&len| {
            let code = next[usize::from(len)];
            next[usize::from(len)] += 1;
            code
        })
        .collect()
}

/// A deflate stream being written: bits fill each byte from the low bit.
struct Bits {
    out: Vec<u8>,
    bits: u32,
    n_bits: u32,
}

impl Bits {
    /// `len` bits of `value`, lowest first (extra bits and header fields); up to seven bits stay
    /// pending, which a last `put` of seven zero bits flushes. Not inlined: a copy at each of its dozen
    /// calls weighed 4 KB in the worker's download.
    #[inline(never)]
    fn put(&mut self, value: u32, len: u32) {
        self.bits |= value << self.n_bits;
        self.n_bits += len;
        while self.n_bits >= 8 {
            self.out.push(self.bits as u8);
            self.bits >>= 8;
            self.n_bits -= 8;
        }
    }

    /// A Huffman code of `len` bits, most significant first.
    #[inline(never)]
    fn code(&mut self, code: u32, len: u32) {
        self.put(code.reverse_bits() >> (32 - len), len);
    }

    /// Symbol `at` of the block's codes.
    fn symbol(&mut self, codes: &[u32], lengths: &[u8], at: usize) {
        self.code(codes[at], u32::from(lengths[at]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ingest_file, ingest_whole, IngestOptions, Outcome};
    use std::io::Read;

    #[test]
    fn is_gzip_any_decoder_reads() {
        let gz = delivery(50);
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut text).expect("valid gzip");
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(value["Records"].as_array().map(Vec::len), Some(50));
        // Back-references, as a compressor writes them, and several blocks (each with its own header).
        let gz = delivery(2000);
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut text).expect("valid gzip");
        assert!(text.len() > 20 * BLOCK && gz.len() * 5 < text.len(), "{} bytes of gzip for {}", gz.len(), text.len());
    }

    #[test]
    fn any_text_round_trips_whatever_falls_at_the_blocks_ends() {
        // Repetitive text ends in a back-reference, which once ran past a block's end and left the
        // stream without a last block.
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for len in [0, 1, 3, 4, 5, BLOCK - 1, BLOCK, BLOCK + 1, BLOCK + 100, 2 * BLOCK + 1, 3 * BLOCK + 257] {
            texts.push(vec![b'a'; len]);
            texts.push((0..len).map(|i| b"abcab"[i % 5] ^ (i / 7000) as u8).collect());
        }
        for text in texts {
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(&gzip(&text)[..]).read_to_end(&mut back).expect("valid gzip");
            assert!(back == text, "a text of {} bytes", text.len());
        }
    }

    #[test]
    fn reads_as_a_delivery_with_transcribe_events_and_others() {
        let result = ingest_file("warm", &delivery(100), &IngestOptions::default());
        assert!(matches!(result.outcome, Outcome::Loaded { .. }), "{:?}", result.outcome);
        assert_eq!(result.n_records, 100);
        assert_eq!(result.events.len(), 34);
        assert_eq!(result.per_service.len(), 3);
        let reference = ingest_whole("warm", &delivery(100), &IngestOptions::default());
        assert_eq!(reference.events, result.events);
        assert!(result.events.iter().all(|e| e.event_source() == "transcribe.amazonaws.com"));
        // The calls name their jobs, so the Transcribe rules run too.
        let named = |e: &crate::model::Event| e.transcribe.as_ref().is_some_and(|t| t.name.value().is_some());
        assert!(result.events.iter().all(named), "{:?}", result.events[0]);
    }
}

//! A small CloudTrail delivery made without the generator, for the page's workers to read once before
//! anyone gives them a file.
//!
//! A browser runs new wasm in its quick baseline code and optimises a function only once it has run a
//! while, on the same two cores the first files then need: reading this first moves that work to the
//! moment the page opens. So it passes through every hot path a real delivery does (gunzip, the record
//! splitter, the skim of other services' records, the full read of Transcribe ones, the sketch, the wire
//! format), while costing the page's download a few hundred bytes rather than a stored file.

/// A gzipped S3 delivery of `n` records, one in three a Transcribe call.
pub fn delivery(n: usize) -> Vec<u8> {
    // `#` stands for the record's number. One template per kind keeps the worker's download small.
    const HEAD: &str = r##"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/u#"},"eventTime":"2026-03-02T08:00:00Z","sourceIPAddress":"10.0.0.1","eventID":"#","##;
    const CALLS: [&str; 3] = [
        r##""eventSource":"transcribe.amazonaws.com","eventName":"StartTranscriptionJob","requestParameters":{"transcriptionJobName":"#","media":{"mediaFileUri":"s3://a/#"}},"responseElements":{"transcriptionJob":{"transcriptionJobStatus":"IN_PROGRESS"}}}"##,
        r##""eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName":"a","key":"#"},"responseElements":null}"##,
        r##""eventSource":"kms.amazonaws.com","eventName":"Decrypt","requestParameters":{},"responseElements":null}"##,
    ];
    let mut gz = Gzip::new();
    gz.text("{\"Records\":[", 0);
    for i in 0..n {
        if i > 0 {
            gz.text(",", i);
        }
        gz.text(HEAD, i);
        gz.text(CALLS[i % CALLS.len()], i);
    }
    gz.text("]}", 0);
    gz.finish()
}

/// ASCII text written as one gzip member holding a single deflate block of fixed-Huffman literals (RFC
/// 1951, 3.2.6): valid gzip that runs the same decoder as a real file, written without a compressor (which
/// would weigh more in the download than the whole warm-up).
struct Gzip {
    out: Vec<u8>,
    bits: u32,
    n_bits: u32,
    crc: u32,
    len: u32,
}

impl Gzip {
    fn new() -> Gzip {
        let mut gz = Gzip { out: vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff], bits: 0, n_bits: 0, crc: !0, len: 0 };
        // BFINAL, then BTYPE 01: the last block, fixed codes.
        gz.put(0b011, 3);
        gz
    }

    /// Bits into the stream, which fills from the low bit.
    fn put(&mut self, code: u32, len: u32) {
        self.bits |= code << self.n_bits;
        self.n_bits += len;
        while self.n_bits >= 8 {
            self.out.push(self.bits as u8);
            self.bits >>= 8;
            self.n_bits -= 8;
        }
    }

    /// `text` with each `#` written as `number`.
    fn text(&mut self, text: &str, number: usize) {
        for &b in text.as_bytes() {
            if b == b'#' {
                // The number's digits, most significant first.
                let mut place = 1;
                while place * 10 <= number {
                    place *= 10;
                }
                while place > 0 {
                    self.byte(b'0' + (number / place % 10) as u8);
                    place /= 10;
                }
            } else {
                self.byte(b);
            }
        }
    }

    fn byte(&mut self, b: u8) {
        debug_assert!(b < 144, "only bytes below 144 have the eight-bit codes written here");
        let mut crc = self.crc ^ u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { 0xedb8_8320 ^ (crc >> 1) } else { crc >> 1 };
        }
        self.crc = crc;
        self.len = self.len.wrapping_add(1);
        // An ASCII byte's code is eight bits from 0x30, sent most significant bit first.
        self.put(u32::from(b.wrapping_add(0x30).reverse_bits()), 8);
    }

    fn finish(mut self) -> Vec<u8> {
        // End of block (code 256: seven zero bits), then up to a byte boundary.
        self.put(0, 7);
        self.put(0, 7);
        self.out.extend_from_slice(&(!self.crc).to_le_bytes());
        self.out.extend_from_slice(&self.len.to_le_bytes());
        self.out
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

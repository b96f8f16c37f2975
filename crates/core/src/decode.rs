//! Bytes to text: gunzip when the bytes say gzip, strip a byte-order mark, and name what a file is
//! when it is not a log at all ("looks like a PNG image").
//!
//! Architecture invariant: the format is decided from the bytes, never from the file name.

use std::borrow::Cow;
use std::io::Read;

use crate::ingest::FileError;

/// The largest decoded size read into memory at once. Above it a file gets a clear error instead of
/// exhausting the tab's memory (wasm32 has 4 GiB in all, shared with everything already loaded).
pub const MAX_DECODED_BYTES: u64 = 1 << 30;

/// True when the bytes start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Decompresses gzip (every member of a multi-member file) or passes plain bytes through, then drops a
/// UTF-8 byte-order mark and turns UTF-16 text (what Windows PowerShell 5 writes for `aws ... > out.json`)
/// into UTF-8.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, [u8]>, FileError> {
    if bytes.is_empty() {
        return Err(FileError::new("the file is empty"));
    }
    let text = gunzip(bytes)?;
    match utf16_to_utf8(&text) {
        Some(converted) => converted.map(|s| Cow::Owned(s.into_bytes())),
        None => Ok(text),
    }
}

/// UTF-16 text (with its byte-order mark) as UTF-8; `None` when `bytes` are not UTF-16.
pub fn utf16_to_utf8(bytes: &[u8]) -> Option<Result<String, FileError>> {
    let little_endian = match bytes {
        [0xff, 0xfe, ..] => true,
        [0xfe, 0xff, ..] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little_endian {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| FileError::new("UTF-16 text with an invalid character: save the file as UTF-8 and try again")),
    )
}

fn gunzip(bytes: &[u8]) -> Result<Cow<'_, [u8]>, FileError> {
    if !is_gzip(bytes) {
        return Ok(Cow::Borrowed(strip_bom(bytes)));
    }
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(8).min(64 << 20));
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    // One byte past the limit tells "exactly at the limit" from "over it".
    let mut limited = decoder.take(MAX_DECODED_BYTES + 1);
    if let Err(error) = limited.read_to_end(&mut out) {
        return Err(gzip_error(&error));
    }
    if out.len() as u64 > MAX_DECODED_BYTES {
        return Err(FileError::new(format!(
            "gzip data decompresses to more than {} MiB; files that large are not supported yet",
            MAX_DECODED_BYTES >> 20
        )));
    }
    if out.is_empty() {
        return Err(FileError::new("the file is empty once decompressed (gzip of nothing)"));
    }
    let bom = out.len() - strip_bom(&out).len();
    out.drain(..bom);
    Ok(Cow::Owned(out))
}

/// The message for a gzip stream that could not be decoded.
pub fn gzip_error(error: &std::io::Error) -> FileError {
    if error.kind() == std::io::ErrorKind::UnexpectedEof {
        FileError::new("gzip data ends early: the file is truncated (an interrupted download or copy?)")
    } else {
        FileError::new(format!("gzip data is corrupt: {error}"))
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes)
}

/// Says what non-log bytes look like, for the error line a person reads. `gzip` tells whether they came
/// out of a gzip file.
pub fn describe_unknown(bytes: &[u8], gzip: bool) -> String {
    match (describe_bytes(bytes), gzip) {
        (Unknown::Binary(what), false) => format!("not gzip and not JSON: looks like {what}"),
        (Unknown::Binary(what), true) => format!("gzip data that is not a CloudTrail log: it holds {what}"),
        (Unknown::Text(what), false) => format!("not a CloudTrail log: {what}"),
        (Unknown::Text(what), true) => format!("gzip data that is not a CloudTrail log: {what}"),
    }
}

enum Unknown {
    Binary(&'static str),
    Text(String),
}

fn describe_bytes(bytes: &[u8]) -> Unknown {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive (unzip it first)"),
        (b"BZh", "bzip2 data (decompress it first)"),
        (b"\xfd7zXZ\x00", "xz data (decompress it first)"),
        (b"\x28\xb5\x2f\xfd", "zstd data (decompress it first)"),
        (b"\x00\x00\x00\x01Bud1", "a macOS .DS_Store file"),
        (b"PAR1", "a Parquet file"),
        (b"SQLite format 3\x00", "an SQLite database"),
        (b"\x7fELF", "a program (ELF)"),
        (b"RIFF", "a RIFF media file (WAV, AVI or WebP)"),
        (b"ID3", "an MP3 audio file"),
        (b"fLaC", "a FLAC audio file"),
        (b"OggS", "an Ogg media file"),
    ];
    const BINARY: &str = "binary data that is not a CloudTrail log";
    if let Some((_, what)) = SIGNATURES.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Unknown::Binary(what);
    }
    let head = &bytes[..bytes.len().min(4096)];
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(error) if error.error_len().is_none() => {
            // Cut inside a multi-byte character at the 4 KiB mark: the text before it is fine.
            std::str::from_utf8(&head[..error.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return Unknown::Binary(BINARY),
    };
    if text.contains('\0') {
        return Unknown::Binary(BINARY);
    }
    let trimmed = text.trim_start();
    let lower: String = trimmed.chars().take(64).collect::<String>().to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return Unknown::Text("looks like an HTML page".to_owned());
    }
    if lower.starts_with('<') {
        return Unknown::Text("looks like XML or HTML".to_owned());
    }
    let first_line: String = trimmed.lines().next().unwrap_or_default().chars().take(60).collect();
    Unknown::Text(format!("not JSON, CSV or CloudWatch Logs lines; the text starts with {first_line:?}"))
}

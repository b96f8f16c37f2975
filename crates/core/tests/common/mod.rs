//! What the integration tests share: the real corpus's folder and a reader that hands out chunks.

#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;

/// The real samples: `TRAILSCOPE_CORPUS`, else `../shared/corpus/real` beside the repository.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("TRAILSCOPE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/real")))
}

/// Hands out `k` bytes per read, as a slow disk or a browser's file slices might.
pub struct Chunked<'a> {
    /// What is left to hand out.
    pub bytes: &'a [u8],
    /// Bytes per read.
    pub k: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.k.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

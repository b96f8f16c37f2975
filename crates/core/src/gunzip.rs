//! Gzip members decoded as they stream: flate2's raw inflate, with the members' headers, trailers and
//! CRC-32 read here.
//!
//! flate2's own gzip reader checks each member's CRC-32 with zlib-rs's table code, which in wasm (no
//! carry-less multiply) took a seventh of a browser worker's time. [`crc32`] there first folds the data
//! with a sparse multiple of the CRC polynomial, a few 16-byte XORs per 16 bytes (the idea of Sam
//! Russell's "Chorba"), and leaves only the last 4,800 bytes of each piece to the table code: about three
//! times as fast. Natively zlib-rs's carry-less multiply stays, being faster still.
//!
//! What a file says is read as flate2 reads it, error for error: the reference path (`decode`) still uses
//! flate2's reader, and the tests compare the two on every input.

use std::io::{self, BufRead, Read};

use flate2::{Decompress, FlushDecompress, Status};

/// Every gzip member of `R`, one after the other, as one stream of bytes.
pub struct MultiGz<R> {
    inner: R,
    inflate: Decompress,
    state: State,
    /// CRC-32 and length (mod 2^32) of the member's bytes so far, to check against its trailer.
    crc: u32,
    size: u32,
}

/// Longest file name or comment in a member's header, as flate2 has it.
const MAX_FIELD: usize = 65535;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    Body,
    /// A member ended: another one, or the end of the file, follows.
    Next,
    End,
}

impl<R: BufRead> MultiGz<R> {
    /// A reader of the gzip members in `inner`.
    pub fn new(inner: R) -> MultiGz<R> {
        MultiGz { inner, inflate: Decompress::new(false), state: State::Header, crc: 0, size: 0 }
    }

    /// Reads a member's header (RFC 1952), checking its CRC-16 when it has one.
    fn header(&mut self) -> io::Result<()> {
        let mut fixed = [0u8; 10];
        self.inner.read_exact(&mut fixed)?;
        if fixed[..3] != [0x1f, 0x8b, 8] || fixed[3] & 0xe0 != 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "invalid gzip header"));
        }
        let flags = fixed[3];
        let mut crc = crc32(0, &fixed);
        if flags & 4 != 0 {
            let mut xlen = [0u8; 2];
            self.inner.read_exact(&mut xlen)?;
            crc = crc32(crc, &xlen);
            let mut extra = vec![0u8; usize::from(u16::from_le_bytes(xlen))];
            self.inner.read_exact(&mut extra)?;
            crc = crc32(crc, &extra);
        }
        // The file name, then the comment: each up to a NUL byte, and no longer than flate2 allows (a
        // damaged flag would otherwise have the rest of the file read as a name).
        for flag in [8, 16] {
            if flags & flag != 0 {
                let mut text = Vec::new();
                (&mut self.inner).take(MAX_FIELD as u64 + 1).read_until(0, &mut text)?;
                match text.last() {
                    Some(0) => {}
                    _ if text.len() > MAX_FIELD => {
                        return Err(io::Error::new(io::ErrorKind::InvalidInput, "gzip header field too long"))
                    }
                    _ => return Err(io::ErrorKind::UnexpectedEof.into()),
                }
                crc = crc32(crc, &text);
            }
        }
        if flags & 2 != 0 {
            let mut stored = [0u8; 2];
            self.inner.read_exact(&mut stored)?;
            if u16::from_le_bytes(stored) != crc as u16 {
                return Err(corrupt());
            }
        }
        Ok(())
    }

    /// Checks a member's trailer against what it gave.
    fn trailer(&mut self) -> io::Result<()> {
        let mut trailer = [0u8; 8];
        self.inner.read_exact(&mut trailer)?;
        let (crc, size) = trailer.split_at(4);
        if crc != self.crc.to_le_bytes() || size != self.size.to_le_bytes() {
            return Err(corrupt());
        }
        Ok(())
    }
}

impl<R: BufRead> Read for MultiGz<R> {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.state {
                State::Header => {
                    self.header()?;
                    self.inflate.reset(false);
                    (self.crc, self.size) = (0, 0);
                    self.state = State::Body;
                }
                State::Body => {
                    if into.is_empty() {
                        return Ok(0);
                    }
                    let (read, status, eof) = {
                        let input = self.inner.fill_buf()?;
                        let eof = input.is_empty();
                        let flush = if eof { FlushDecompress::Finish } else { FlushDecompress::None };
                        let (before_in, before_out) = (self.inflate.total_in(), self.inflate.total_out());
                        let status = self.inflate.decompress(input, into, flush);
                        let consumed = (self.inflate.total_in() - before_in) as usize;
                        self.inner.consume(consumed);
                        ((self.inflate.total_out() - before_out) as usize, status, eof)
                    };
                    self.crc = crc32(self.crc, &into[..read]);
                    self.size = self.size.wrapping_add(read as u32);
                    match status {
                        Ok(Status::StreamEnd) => {
                            // A member that fails its check ends the stream, as with flate2.
                            self.state = State::End;
                            self.trailer()?;
                            self.state = State::Next;
                            if read > 0 {
                                return Ok(read);
                            }
                        }
                        Ok(_) if read > 0 => return Ok(read),
                        Ok(_) if eof => {
                            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "incomplete deflate stream"))
                        }
                        Ok(_) => {}
                        Err(_) => return Err(io::Error::new(io::ErrorKind::InvalidInput, "corrupt deflate stream")),
                    }
                }
                State::Next => {
                    self.state = if self.inner.fill_buf()?.is_empty() { State::End } else { State::Header };
                }
                State::End => return Ok(0),
            }
        }
    }
}

fn corrupt() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "corrupt gzip stream does not have a matching checksum")
}

/// The CRC-32 of gzip (and zlib's `crc32`): `crc` so far, extended by `data`.
pub fn crc32(crc: u32, data: &[u8]) -> u32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if data.len() >= fold::FOLD_MIN {
        return fold::folded(crc, data);
    }
    zlib_rs::crc32::crc32(crc, data)
}

/// Folding, used in wasm with SIMD (and by the tests everywhere).
#[cfg(any(test, all(target_arch = "wasm32", target_feature = "simd128")))]
mod fold {
    /// The sparse multiple of the CRC polynomial, in 16-byte blocks: with y = x^128,
    /// y^300 = 1 + y^89 + y^117 + y^155 modulo the polynomial (found by search; the tests check it on data).
    /// So a block's contribution to the CRC is unchanged when it is XORed instead into the blocks 145, 183,
    /// 211 and 300 places later: moved forward block by block, the whole piece becomes its last 300 blocks.
    const BLOCKS: usize = 300;
    const MOVES: [usize; 4] = [145, 183, 211, 300];
    /// The pending XORs of the next 300 blocks, in a ring (a power of two above 300).
    const RING: usize = 512;
    /// Shorter pieces are left to the table code.
    pub const FOLD_MIN: usize = 16 * (BLOCKS + 64);

    /// [`super::crc32`] by folding, for `data` of at least [`FOLD_MIN`] bytes.
    pub fn folded(crc: u32, data: &[u8]) -> u32 {
        use self::block::*;
        let n = data.len() / 16;
        let mut ring = [ZERO; RING];
        // The CRC so far is the same as these bits XORed into the data's first four bytes, from a CRC of 0.
        ring[0] = low32(!crc);
        let mask = RING - 1;
        for (i, bytes) in data[..(n - BLOCKS) * 16].chunks_exact(16).enumerate() {
            let v = xor(load(bytes), ring[i & mask]);
            // Block i + 300 gets nothing before this: whatever its slot holds belonged to a block already read.
            ring[(i + MOVES[3]) & mask] = v;
            for step in &MOVES[..3] {
                ring[(i + step) & mask] = xor(ring[(i + step) & mask], v);
            }
        }
        let mut last = [0u8; BLOCKS * 16 + 16];
        for (k, i) in (n - BLOCKS..n).enumerate() {
            store(&mut last[k * 16..k * 16 + 16], xor(load(&data[i * 16..i * 16 + 16]), ring[i & mask]));
        }
        let rest = &data[n * 16..];
        last[BLOCKS * 16..BLOCKS * 16 + rest.len()].copy_from_slice(rest);
        // A CRC from 0 is zlib's `crc32` started from all ones (it inverts before and after).
        zlib_rs::crc32::crc32(!0, &last[..BLOCKS * 16 + rest.len()])
    }

    /// Sixteen bytes as one value: a SIMD register in wasm, a `u128` elsewhere (where only the tests use it).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    mod block {
        use std::arch::wasm32::*;
        pub type Block = v128;
        pub const ZERO: Block = u64x2(0, 0);
        #[inline(always)]
        pub fn load(bytes: &[u8]) -> Block {
            let bytes: &[u8; 16] = bytes.first_chunk().unwrap_or(&[0; 16]);
            // SAFETY: the unaligned load reads the 16 bytes of `bytes`.
            unsafe { v128_load(bytes.as_ptr() as *const v128) }
        }
        #[inline(always)]
        pub fn store(into: &mut [u8], value: Block) {
            if let Some(into) = into.first_chunk_mut::<16>() {
                // SAFETY: the unaligned store writes the 16 bytes of `into`.
                unsafe { v128_store(into.as_mut_ptr() as *mut v128, value) }
            }
        }
        #[inline(always)]
        pub fn xor(a: Block, b: Block) -> Block {
            v128_xor(a, b)
        }
        pub fn low32(bits: u32) -> Block {
            u64x2(u64::from(bits), 0)
        }
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    mod block {
        pub type Block = u128;
        pub const ZERO: Block = 0;
        pub fn load(bytes: &[u8]) -> Block {
            u128::from_le_bytes(*bytes.first_chunk().unwrap_or(&[0; 16]))
        }
        pub fn store(into: &mut [u8], value: Block) {
            if let Some(into) = into.first_chunk_mut::<16>() {
                *into = value.to_le_bytes();
            }
        }
        pub fn xor(a: Block, b: Block) -> Block {
            a ^ b
        }
        pub fn low32(bits: u32) -> Block {
            u128::from(bits)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fold::{folded, FOLD_MIN};
    use super::*;
    use std::io::Write;

    fn bytes(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn folding_gives_the_crc_of_the_table_code() {
        for n in [FOLD_MIN, FOLD_MIN + 1, FOLD_MIN + 15, FOLD_MIN + 16, 3 * FOLD_MIN + 7, 256 << 10] {
            let data = bytes(n, n as u64);
            for start in [0, 1, 0xffff_ffff, 0x1234_5678] {
                assert_eq!(folded(start, &data), zlib_rs::crc32::crc32(start, &data), "{n} bytes from {start:#x}");
            }
        }
        // The check value of CRC-32.
        assert_eq!(crc32(0, b"123456789"), 0xcbf4_3926);
    }

    fn gzip(parts: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for part in parts {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(part).expect("writes to memory");
            out.extend(encoder.finish().expect("writes to memory"));
        }
        out
    }

    fn ours(gz: &[u8], capacity: usize) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        MultiGz::new(io::BufReader::with_capacity(capacity, gz)).read_to_end(&mut out).map(|_| out)
    }

    fn flate2s(gz: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(gz).read_to_end(&mut out).map(|_| out)
    }

    #[test]
    fn reads_what_flate2_reads_and_fails_where_it_fails() {
        let big = bytes(300_000, 7);
        let gz = gzip(&[b"first member ", &big, b"", b"last"]);
        let mut cases = vec![gz.clone()];
        // Cut anywhere; a damaged CRC, size or header; trailing garbage; a header with every optional field.
        cases.extend(
            [1, 2, 9, 10, 11, 100, gz.len() / 2, gz.len() - 9, gz.len() - 4, gz.len() - 1].map(|n| gz[..n].to_vec()),
        );
        for at in [gz.len() - 8, gz.len() - 3, 3, 4, 12, 200] {
            let mut damaged = gz.clone();
            damaged[at] ^= 0x40;
            cases.push(damaged);
        }
        cases.push([gz.as_slice(), b"junk"].concat());
        let mut header = vec![0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 255, 3, 0, b'x', b'y', b'z'];
        header.extend(b"name\0comment\0");
        let check = crc32(0, &header) as u16;
        header.extend(check.to_le_bytes());
        let body = gzip(&[b"with a full header"]);
        cases.push([header.as_slice(), &body[10..]].concat());
        // A name at flate2's limit, one byte over it, and one that never ends.
        for n in [65535, 65536] {
            let mut named = vec![0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 255];
            named.extend(std::iter::repeat_n(b'n', n));
            named.push(0);
            cases.push([named.as_slice(), &body[10..]].concat());
        }
        cases.push([&[0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 255][..], &[b'n'; 70000][..]].concat());
        for case in &cases {
            for capacity in [1, 7, 64 << 10] {
                match (ours(case, capacity), flate2s(case)) {
                    (Ok(a), Ok(b)) => assert!(a == b, "{} bytes", case.len()),
                    (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{} bytes: {a} / {b}", case.len()),
                    (a, b) => panic!("{} bytes, read {capacity} at a time: ours {a:?}, flate2 {b:?}", case.len()),
                }
            }
        }
    }
}

//! ASCII case-insensitive substring search, fast enough to run free text over the original JSON of a
//! million events while someone types.
//!
//! A match must have the needle's two rarest bytes at their places, in either case; sixteen candidate
//! starts are tested at once with SIMD (SSE2 natively, simd128 in the browser), and only starts where both
//! bytes agree are compared in full. Folding case is an OR with 0x20, done only for letters, so `@` never
//! matches `` ` ``.
//!
//! The same SIMD gives [`is_ascii`], with which [`utf8`] lets the reader and the page's `wire` decoder skip
//! the full UTF-8 check for the nearly-always-ASCII JSON of CloudTrail records.

/// Whether every byte is below 0x80, sixteen at a time where the target has SIMD: nearly all CloudTrail
/// JSON is ASCII, and this is several times faster than a full UTF-8 check, which wasm would make four
/// bytes at a time.
pub fn is_ascii(bytes: &[u8]) -> bool {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use std::arch::wasm32::*;
        let mut blocks = bytes.chunks_exact(16);
        let mut high = u8x16_splat(0);
        for block in &mut blocks {
            // SAFETY: the unaligned load reads the 16 bytes of `block`.
            high = v128_or(high, unsafe { v128_load(block.as_ptr() as *const v128) });
        }
        u8x16_bitmask(high) == 0 && blocks.remainder().is_ascii()
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    bytes.is_ascii()
}

/// `bytes` as text, checked for UTF-8 in full only when they are not all ASCII.
pub fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if is_ascii(bytes) {
        // SAFETY: ASCII is UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    std::str::from_utf8(bytes)
}

/// A needle made ready for searching many haystacks.
#[derive(Debug, Clone)]
pub struct Finder {
    needle: Vec<u8>,
    /// Offsets in the needle of the two bytes tested first (the same when the needle has one byte).
    first: usize,
    second: usize,
    /// Those bytes folded, and the fold (0x20 for letters, else 0).
    first_byte: u8,
    second_byte: u8,
    first_fold: u8,
    second_fold: u8,
}

impl Finder {
    /// A finder for `needle`, compared without regard to ASCII case.
    pub fn new(needle: &[u8]) -> Finder {
        let needle = needle.to_ascii_lowercase();
        // Most frequent first, in CloudTrail JSON and English alike.
        const COMMON: &[u8] = b"\":,etaoinsrhldcum-fpgwyb./_0123456789vkxjqz";
        let rank = |b: u8| COMMON.iter().position(|&c| c == b).unwrap_or(COMMON.len());
        // The two rarest bytes, the earlier one first among equals.
        let rarest = |skip: Option<usize>| {
            (0..needle.len()).filter(|&i| Some(i) != skip).min_by_key(|&i| (std::cmp::Reverse(rank(needle[i])), i))
        };
        let first = rarest(None).unwrap_or(0);
        let second = rarest(Some(first)).unwrap_or(first);
        let (first, second) = (first.min(second), first.max(second));
        let fold = |b: u8| if b.is_ascii_lowercase() { 0x20 } else { 0 };
        let byte = |i: usize| needle.get(i).copied().unwrap_or(0);
        Finder {
            first,
            second,
            first_byte: byte(first),
            second_byte: byte(second),
            first_fold: fold(byte(first)),
            second_fold: fold(byte(second)),
            needle,
        }
    }

    /// Whether `haystack` holds the needle.
    pub fn is_in(&self, haystack: &[u8]) -> bool {
        let n = self.needle.len();
        if n == 0 {
            return true;
        }
        if n > haystack.len() {
            return false;
        }
        let last = haystack.len() - n;
        let mut start = 0;
        #[cfg(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            while start + 16 <= last + 1 {
                let mut mask = self.candidates16(haystack, start);
                while mask != 0 {
                    let at = start + mask.trailing_zeros() as usize;
                    if self.matches_at(haystack, at) {
                        return true;
                    }
                    mask &= mask - 1;
                }
                start += 16;
            }
        }
        (start..=last).any(|at| self.pair_at(haystack, at) && self.matches_at(haystack, at))
    }

    #[inline(always)]
    fn pair_at(&self, haystack: &[u8], at: usize) -> bool {
        haystack[at + self.first] | self.first_fold == self.first_byte
            && haystack[at + self.second] | self.second_fold == self.second_byte
    }

    #[inline(always)]
    fn matches_at(&self, haystack: &[u8], at: usize) -> bool {
        haystack[at..at + self.needle.len()].eq_ignore_ascii_case(&self.needle)
    }

    /// Bit `k` set when a match could start at `start + k`, for k in 0..16. The caller guarantees
    /// `start + 16 + needle.len() - 1 <= haystack.len()`, so both loads stay inside the haystack.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn candidates16(&self, haystack: &[u8], start: usize) -> u32 {
        use std::arch::x86_64::*;
        debug_assert!(start + self.second + 16 <= haystack.len());
        // SAFETY: SSE2 is part of x86_64; both unaligned loads read 16 bytes that lie inside `haystack`
        // (start + second + 16 <= start + needle.len() - 1 + 16 <= haystack.len()).
        unsafe {
            let a = _mm_loadu_si128(haystack.as_ptr().add(start + self.first) as *const __m128i);
            let b = _mm_loadu_si128(haystack.as_ptr().add(start + self.second) as *const __m128i);
            let a = _mm_cmpeq_epi8(
                _mm_or_si128(a, _mm_set1_epi8(self.first_fold as i8)),
                _mm_set1_epi8(self.first_byte as i8),
            );
            let b = _mm_cmpeq_epi8(
                _mm_or_si128(b, _mm_set1_epi8(self.second_fold as i8)),
                _mm_set1_epi8(self.second_byte as i8),
            );
            _mm_movemask_epi8(_mm_and_si128(a, b)) as u32
        }
    }

    /// As above, with wasm's simd128.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline(always)]
    fn candidates16(&self, haystack: &[u8], start: usize) -> u32 {
        use std::arch::wasm32::*;
        debug_assert!(start + self.second + 16 <= haystack.len());
        // SAFETY: both unaligned loads read 16 bytes inside `haystack`, as for x86_64 above.
        unsafe {
            let a = v128_load(haystack.as_ptr().add(start + self.first) as *const v128);
            let b = v128_load(haystack.as_ptr().add(start + self.second) as *const v128);
            let a = u8x16_eq(v128_or(a, u8x16_splat(self.first_fold)), u8x16_splat(self.first_byte));
            let b = u8x16_eq(v128_or(b, u8x16_splat(self.second_fold)), u8x16_splat(self.second_byte));
            u8x16_bitmask(v128_and(a, b)) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(haystack: &[u8], needle: &[u8]) -> bool {
        needle.is_empty() || haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
    }

    #[test]
    fn agrees_with_a_plain_scan() {
        let hay = br#"{"eventName":"StartTranscriptionJob","errorCode":"AccessDenied","x":"@`[{QqZz"}"#;
        let mut long = Vec::new();
        for _ in 0..40 {
            long.extend_from_slice(hay);
        }
        long.extend_from_slice(b"needle-AT-THE-END");
        for needle in [
            &b"starttranscription"[..],
            b"accessdenied",
            b"ACCESSDENIED",
            b"@",
            b"`",
            b"[",
            b"{",
            b"q",
            b"zz\"",
            b"needle-at-the-end",
            b"needle-at-the-endx",
            b"",
            b"qq",
            b"x",
        ] {
            for h in [&hay[..], &long[..], &long[3..], &b"ab"[..], &b""[..]] {
                assert_eq!(Finder::new(needle).is_in(h), naive(h, needle), "{:?} in {:?}", needle, h.len());
            }
        }
    }

    #[test]
    fn every_position_and_length() {
        // A match at every offset near the 16-byte block edges, with haystacks of every length around them.
        for len in 1..70 {
            for at in 0..len {
                for n in 1..=(len - at).min(5) {
                    let mut hay = vec![b'.'; len];
                    let needle = &b"KqXzY"[..n];
                    hay[at..at + n].copy_from_slice(needle);
                    let lower = needle.to_ascii_lowercase();
                    assert!(Finder::new(&lower).is_in(&hay), "len {len} at {at} n {n}");
                    hay[at + n - 1] = b'#';
                    assert_eq!(Finder::new(&lower).is_in(&hay), naive(&hay, &lower), "len {len} at {at} n {n}");
                }
            }
        }
    }
}

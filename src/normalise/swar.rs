//! Eight bytes at a time in one `u64` ("SIMD within a register"): the byte tests the
//! sanitiser's escaper (`html`) and the plain-text collapser (`text`) run over every
//! byte of text, so that prose is skipped a word at a time rather than byte by byte.
//!
//! Each test returns a mask with the high bit (0x80) of every flagged byte set. Two kinds
//! are offered, and callers must pick the one whose promise they need:
//! - exact tests (`equal`, `below`, `delete`) flag precisely the bytes asked for, so
//!   neighbouring bytes' flags can be compared (the collapser keeps a single space
//!   between two visible bytes);
//! - fast tests (`has_zero`, `below_loose`) are exact for the lowest flagged byte and may
//!   also flag a byte above a real match, which is harmless to "is there any" and "where is
//!   the first" questions, the only ones their callers ask.
//!
//! Words are read little-endian, so the lowest flagged byte (`first`) is the earliest in
//! the text. No `unsafe`: the eight bytes are copied out of the slice, which the compiler
//! turns into one unaligned load.

/// 0x01 in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// 0x80 in every byte: the flag bits.
pub(crate) const HIGHS: u64 = 0x8080_8080_8080_8080;
/// 0x7F in every byte.
const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// `byte` in every byte of a word.
pub(crate) const fn splat(byte: u8) -> u64 {
    ONES * byte as u64
}

/// The eight bytes of `bytes` from `at` as a word, or `None` when fewer than eight are
/// left.
pub(crate) fn load(bytes: &[u8], at: usize) -> Option<u64> {
    // A wrapped end lies before `at`: an empty range, `None` like any range past the end,
    // and one comparison fewer than a checked addition in the innermost loops.
    let chunk: [u8; 8] = bytes.get(at..at.wrapping_add(8))?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// Fast: the zero bytes of `word` (exact for the lowest; a 0x01 byte above a zero byte may
/// be flagged too).
pub(crate) const fn has_zero(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// Fast: the bytes of `word` equal to `byte` (exact for the lowest).
pub(crate) const fn has_byte(word: u64, byte: u8) -> u64 {
    has_zero(word ^ splat(byte))
}

/// Fast: the bytes of `word` below `limit` (at most 0x80; exact for the lowest).
pub(crate) const fn below_loose(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(splat(limit)) & !word & HIGHS
}

/// Exact: the bytes of `word` equal to `byte` (no carry crosses from one byte to the
/// next).
pub(crate) const fn equal(word: u64, byte: u8) -> u64 {
    let diff = word ^ splat(byte);
    !(((diff & LOWS) + LOWS) | diff) & HIGHS
}

/// Exact: the bytes of `word` below `limit` (1 to 0x80).
pub(crate) const fn below(word: u64, limit: u8) -> u64 {
    // `low + (0x80 - limit)` reaches the high bit from `limit` on, without carrying into
    // the next byte; bytes with their own high bit set are never below.
    let low = word & LOWS;
    !((low + splat(0x80 - limit)) | word) & HIGHS
}

/// Exact: the DEL bytes (0x7F) of `word`.
pub(crate) const fn delete(word: u64) -> u64 {
    ((word & LOWS) + ONES) & !word & HIGHS
}

/// Offset of the earliest flagged byte of a non-zero mask.
pub(crate) const fn first(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// Whether any byte of `bytes` passes: `word_test` on eight bytes at a time, then
/// `byte_test` on the rest. The two must agree on every byte.
pub(crate) fn any_byte(
    bytes: &[u8],
    word_test: impl Fn(u64) -> bool,
    byte_test: impl Fn(u8) -> bool,
) -> bool {
    let mut at = 0;
    while let Some(word) = load(bytes, at) {
        if word_test(word) {
            return true;
        }
        at += 8;
    }
    bytes
        .get(at..)
        .unwrap_or_default()
        .iter()
        .any(|&byte| byte_test(byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value at every position, among neighbours that tempt the carries: the
    /// exact tests flag exactly the matching bytes, the fast ones at least the lowest.
    #[test]
    fn tests_flag_what_they_promise() {
        let fillers = [0x00u8, 0x01, 0x1f, 0x20, 0x7f, 0x80, 0xff, b'a'];
        for filler in fillers {
            for value in 0..=255u8 {
                for at in 0..8 {
                    let mut bytes = [filler; 8];
                    bytes[at] = value;
                    let word = u64::from_le_bytes(bytes);
                    let exact = |mask: u64, pass: &dyn Fn(u8) -> bool| {
                        for (i, &byte) in bytes.iter().enumerate() {
                            let flagged = mask & (0x80 << (8 * i)) != 0;
                            assert_eq!(flagged, pass(byte), "{bytes:x?} byte {i}");
                        }
                    };
                    exact(equal(word, b'<'), &|b| b == b'<');
                    exact(equal(word, 0xc2), &|b| b == 0xc2);
                    exact(below(word, 0x20), &|b| b < 0x20);
                    exact(below(word, 0x21), &|b| b <= b' ');
                    exact(below(word, 0x80), &|b| b < 0x80);
                    exact(delete(word), &|b| b == 0x7f);
                    let lowest = |mask: u64, pass: &dyn Fn(u8) -> bool| match bytes
                        .iter()
                        .position(|&b| pass(b))
                    {
                        Some(i) => assert_eq!(first(mask), i, "{bytes:x?}"),
                        None => assert_eq!(mask, 0, "{bytes:x?}"),
                    };
                    lowest(has_zero(word), &|b| b == 0);
                    lowest(has_byte(word, b'&'), &|b| b == b'&');
                    lowest(below_loose(word, 0x20), &|b| b < 0x20);
                }
            }
        }
    }

    #[test]
    fn loading_and_any_byte() {
        let bytes = b"0123456789";
        assert_eq!(load(bytes, 0), Some(u64::from_le_bytes(*b"01234567")));
        assert_eq!(load(bytes, 2), Some(u64::from_le_bytes(*b"23456789")));
        assert_eq!(load(bytes, 3), None);
        assert_eq!(load(bytes, usize::MAX), None);
        for len in 0..20 {
            for at in 0..len {
                let mut text = vec![b'x'; len];
                text[at] = b'<';
                assert!(any_byte(&text, |w| has_byte(w, b'<') != 0, |b| b == b'<'));
            }
            let text = vec![b'x'; len];
            assert!(!any_byte(&text, |w| has_byte(w, b'<') != 0, |b| b == b'<'));
        }
    }
}

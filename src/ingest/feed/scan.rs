//! Byte surveys for the mappers: whether a value holds any of a few bytes, asked without
//! a branch per byte.
//!
//! A loop that stops at the first hit tests and branches on every byte; [`fold_flags`]
//! or-s together the bits a test gives each byte, sixteen bytes at a time, which the
//! compiler turns into vector compares. It pays for values a mapper surveys whole anyway
//! (`context::is_collapsed` on titles and other plain values). It did not pay for the
//! reader's attribute values and short text pieces, measured: there the set-up and
//! reduction cost more than the byte loop and `memchr2` they would have replaced.

/// The bits `flags` gives each byte of `bytes`, or-ed together: whole chunks of sixteen
/// bytes without a branch, then the tail byte by byte. `flags` should be a few compares
/// (each test its own bit) so the compiler can vectorise it.
#[inline]
pub(crate) fn fold_flags(bytes: &[u8], flags: impl Fn(u8) -> u8) -> u8 {
    let mut chunks = bytes.chunks_exact(16);
    let mut seen = 0u8;
    for chunk in chunks.by_ref() {
        seen = chunk.iter().fold(seen, |seen, &byte| seen | flags(byte));
    }
    chunks
        .remainder()
        .iter()
        .fold(seen, |seen, &byte| seen | flags(byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_is_seen_in_chunks_and_tail() {
        let test = |byte: u8| u8::from(byte == b'&') | (u8::from(byte == b'\n') << 1);
        for length in [0, 1, 15, 16, 17, 32, 47] {
            let clean = vec![b'x'; length];
            assert_eq!(fold_flags(&clean, test), 0, "{length}");
            for at in 0..length {
                let mut bytes = clean.clone();
                bytes[at] = b'&';
                assert_eq!(fold_flags(&bytes, test), 1, "& at {at} of {length}");
                bytes[length - 1 - at] = b'\n';
                let both = if length - 1 - at == at { 2 } else { 3 };
                assert_eq!(fold_flags(&bytes, test), both, "at {at} of {length}");
            }
        }
    }
}

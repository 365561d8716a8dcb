//! Base64 decoding for Atom 0.3 `mode="base64"` and Atom 1.0 base64 content: lenient
//! about whitespace and missing padding, as the content is wrapped by whoever wrote it.

/// Decodes standard (or URL-safe) base64, skipping whitespace; `None` on any other
/// character or an impossible length.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    let mut padding = false;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        if padding {
            // Data after padding is not base64.
            return None;
        }
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // Six leftover bits cannot come from whole bytes.
    (bits < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_wrapped_and_unpadded_input() {
        assert_eq!(
            decode("  RXhhbXBsZSA8Yj5BdG9tPC9iPg==\n").as_deref(),
            Some(b"Example <b>Atom</b>".as_slice())
        );
        assert_eq!(decode("YWI").as_deref(), Some(b"ab".as_slice()));
        assert_eq!(decode("").as_deref(), Some(b"".as_slice()));
    }

    #[test]
    fn refuses_what_is_not_base64() {
        assert_eq!(decode("not base64!"), None);
        assert_eq!(decode("YQ==YQ"), None);
        assert_eq!(decode("Y"), None);
    }
}

//! Bytes → text: the BOM, the XML declaration and the HTTP charset, in the order the XML
//! and HTTP specs give, with repair of mislabelled documents.
//!
//! The order is the one RFC 7303 §3 and XML 1.0 Appendix F give: a byte order mark (or,
//! without one, the zero-byte pattern of a UTF-16/UTF-32 `<`) decides; else the HTTP
//! `charset`; else the `encoding` of the XML declaration; else UTF-8. Labels go through
//! `charset` (WHATWG's readings, so `iso-8859-1` reads as windows-1252, as browsers and
//! feed readers do, plus other spellings and the code pages WHATWG leaves out). Real
//! feeds lie about their encoding all the time, so two repairs follow, each with a
//! warning: a document labelled with a single-byte encoding whose bytes are valid UTF-8
//! with multi-byte sequences is read as UTF-8, and a document labelled (or defaulted to)
//! UTF-8 whose bytes are not valid UTF-8 is read in the legacy encoding the bytes fit
//! (`chardetng`, the detector browsers use: windows-1252 for Western text, Big5 or KOI8-R
//! where the bytes say so), or, where valid multi-byte UTF-8 and stray bytes are mixed, as
//! UTF-8 with the stray bytes read as windows-1252. The result is plain Rust text; later
//! stages ignore whatever the declaration still says.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::charset::Charset;

/// A decoded document and what was repaired on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<'a> {
    /// Borrowed from the input when it is valid UTF-8 as it stands (the usual case), so
    /// a large document is not copied before it is read.
    pub text: Cow<'a, str>,
    /// The encoding the text was decoded from, by its WHATWG name (`UTF-32LE`/`UTF-32BE`
    /// and the code pages WHATWG does not list by their IANA or Python names).
    pub encoding: &'static str,
    pub warnings: Vec<String>,
}

/// How far into the document the XML declaration is looked for: junk before it (blank
/// lines, a stray PHP notice) is tolerated by the reader, so it is tolerated here too.
const DECLARATION_WINDOW: usize = 1024;

/// Non-ASCII bytes below which the encoding detector is not asked (it would be guessing
/// from one accented word).
const MIN_DETECTION_EVIDENCE: usize = 8;

/// Decodes a document.
pub fn decode<'a>(bytes: &'a [u8], http_charset: Option<&str>) -> Decoded<'a> {
    let mut warnings = Vec::new();

    if let Some((sniffed, bom_len)) = sniff(bytes) {
        let body = &bytes[bom_len..];
        if matches!(sniffed, Sniffed::Encoding(encoding) if encoding == UTF_8) {
            // UTF-8 is UTF-8 whoever says so: stray bytes get the same repair as below.
            return decode_utf8_or_repair(body, &mut warnings);
        }
        let (text, name, had_errors) = match sniffed {
            Sniffed::Encoding(encoding) => {
                let (text, had_errors) = encoding.decode_without_bom_handling(body);
                (text.into_owned(), encoding.name(), had_errors)
            }
            Sniffed::Utf32 { big_endian } => {
                let (text, had_errors) = decode_utf32(body, big_endian);
                let name = if big_endian { "UTF-32BE" } else { "UTF-32LE" };
                (text, name, had_errors)
            }
        };
        if had_errors {
            warnings.push(format!(
                "invalid {name} byte sequences were replaced with U+FFFD"
            ));
        }
        return Decoded {
            text: Cow::Owned(text),
            encoding: name,
            warnings,
        };
    }

    // No BOM and no UTF-16/32 pattern: the document is ASCII-compatible, so a label
    // saying UTF-16/32 is certainly wrong and is ignored like an unknown one.
    let mut label_source = None;
    if let Some(charset) = http_charset {
        match usable_label(charset) {
            Ok(encoding) => {
                label_source = Some((encoding, "the HTTP charset", clean_label(charset)))
            }
            Err(label) => warnings.push(format!(
                "the HTTP charset \"{label}\" is not a usable encoding for this document; ignored"
            )),
        }
    }
    if label_source.is_none()
        && let Some(label) = declared_encoding(bytes)
    {
        match usable_label(label) {
            Ok(encoding) => {
                label_source = Some((encoding, "the XML declaration", clean_label(label)))
            }
            Err(label) => warnings.push(format!(
                "the XML declaration names encoding \"{label}\", which is not usable for this document; read as UTF-8"
            )),
        }
    }

    match label_source {
        Some((charset, source, label)) if charset != Charset::Whatwg(UTF_8) => {
            decode_labelled(bytes, charset, (source, label), &mut warnings)
        }
        _ => decode_utf8_or_repair(bytes, &mut warnings),
    }
}

enum Sniffed {
    Encoding(&'static Encoding),
    Utf32 { big_endian: bool },
}

/// The BOM or, without one, the zero-byte pattern of the first characters (XML 1.0
/// Appendix F). Returns the encoding and the length of the BOM to skip.
fn sniff(bytes: &[u8]) -> Option<(Sniffed, usize)> {
    match bytes {
        [0x00, 0x00, 0xFE, 0xFF, ..] => Some((Sniffed::Utf32 { big_endian: true }, 4)),
        [0xFF, 0xFE, 0x00, 0x00, ..] => Some((Sniffed::Utf32 { big_endian: false }, 4)),
        [0xEF, 0xBB, 0xBF, ..] => Some((Sniffed::Encoding(UTF_8), 3)),
        [0xFE, 0xFF, ..] => Some((Sniffed::Encoding(UTF_16BE), 2)),
        [0xFF, 0xFE, ..] => Some((Sniffed::Encoding(UTF_16LE), 2)),
        [0x00, 0x00, 0x00, b, ..] if *b != 0 => Some((Sniffed::Utf32 { big_endian: true }, 0)),
        [b, 0x00, 0x00, 0x00, ..] if *b != 0 => Some((Sniffed::Utf32 { big_endian: false }, 0)),
        // `<?` (or `<r`, or leading whitespace) in UTF-16 without a BOM: every other byte
        // is zero.
        [0x00, a, 0x00, b, ..] if *a != 0 && *b != 0 => Some((Sniffed::Encoding(UTF_16BE), 0)),
        [a, 0x00, b, 0x00, ..] if *a != 0 && *b != 0 => Some((Sniffed::Encoding(UTF_16LE), 0)),
        _ => None,
    }
}

/// UTF-32 is not in the WHATWG set `encoding_rs` implements; it is simple enough to do
/// here. Returns the text and whether anything was replaced.
fn decode_utf32(bytes: &[u8], big_endian: bool) -> (String, bool) {
    let mut text = String::with_capacity(bytes.len() / 4);
    let mut had_errors = false;
    let mut chunks = bytes.chunks_exact(4);
    for chunk in &mut chunks {
        let quad = [chunk[0], chunk[1], chunk[2], chunk[3]];
        let value = if big_endian {
            u32::from_be_bytes(quad)
        } else {
            u32::from_le_bytes(quad)
        };
        match char::from_u32(value) {
            Some(c) => text.push(c),
            None => {
                text.push(char::REPLACEMENT_CHARACTER);
                had_errors = true;
            }
        }
    }
    if !chunks.remainder().is_empty() {
        text.push(char::REPLACEMENT_CHARACTER);
        had_errors = true;
    }
    (text, had_errors)
}

/// Resolves a label to an encoding usable for an ASCII-compatible document (one without
/// a BOM or UTF-16/32 pattern). Returns the cleaned label, printable, when it is unknown
/// or unusable.
fn usable_label(label: &str) -> Result<Charset, String> {
    let cleaned = clean_label(label);
    match Charset::for_label(cleaned) {
        // The label was read out of ASCII markup (or a header), so an encoding in which
        // ASCII bytes stop meaning themselves (UTF-16, ISO-2022-JP's escapes) cannot be
        // the document's; x-user-defined is no real encoding either.
        Some(charset)
            if charset.is_ascii_compatible()
                && charset != Charset::Whatwg(encoding_rs::X_USER_DEFINED) =>
        {
            Ok(charset)
        }
        _ if is_utf32_label(cleaned) => Err(printable(cleaned)),
        _ => Err(printable(&cleaned.chars().take(40).collect::<String>())),
    }
}

/// A label as a warning may print it: control characters escaped, so a hostile header
/// cannot write to the terminal.
fn printable(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A label without the quotes and spaces HTTP headers and declarations wrap it in.
fn clean_label(label: &str) -> &str {
    label.trim().trim_matches(|c| c == '"' || c == '\'').trim()
}

fn is_utf32_label(label: &str) -> bool {
    let lower = label.to_ascii_lowercase();
    lower.starts_with("utf-32") || lower.starts_with("ucs-4")
}

/// The `encoding` pseudo-attribute of the XML declaration, read as ASCII.
fn declared_encoding(bytes: &[u8]) -> Option<&str> {
    let window = &bytes[..bytes.len().min(DECLARATION_WINDOW)];
    let start = find(window, b"<?xml")?;
    let declaration = &window[start + 5..];
    let end = find(declaration, b"?>").unwrap_or(declaration.len());
    let declaration = &declaration[..end];
    let mut at = find(declaration, b"encoding")? + b"encoding".len();
    while declaration.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    if declaration.get(at) != Some(&b'=') {
        return None;
    }
    at += 1;
    while declaration.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    let value = &declaration[at..];
    let (value, stop) = match value.first() {
        Some(&quote @ (b'"' | b'\'')) => (&value[1..], Some(quote)),
        _ => (value, None),
    };
    let len = value
        .iter()
        .position(|&b| match stop {
            Some(quote) => b == quote,
            None => b.is_ascii_whitespace(),
        })
        .unwrap_or(value.len());
    std::str::from_utf8(&value[..len]).ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Decodes with a label that is not UTF-8, repairing the common lie of UTF-8 labelled as
/// something else: for a single-byte encoding, valid multi-byte UTF-8 is proof enough
/// (real Latin-1 text practically never is); for a multi-byte one (Shift_JIS, GBK, …),
/// the bytes must also be invalid in the labelled encoding.
fn decode_labelled<'a>(
    bytes: &'a [u8],
    encoding: Charset,
    (source, label): (&str, &str),
    warnings: &mut Vec<String>,
) -> Decoded<'a> {
    let (labelled, had_errors) = encoding.decode(bytes);
    if (encoding.is_single_byte() || had_errors)
        && !bytes.is_ascii()
        && let Some(text) = utf8(bytes)
    {
        // The label as written: `ISO-8859-1` is what the author wrote, not windows-1252.
        warnings.push(format!(
            "{source} says {label}, but the bytes are UTF-8; read as UTF-8"
        ));
        return Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8.name(),
            warnings: std::mem::take(warnings),
        };
    }
    if had_errors {
        warnings.push(format!(
            "bytes that are not valid {} were replaced with U+FFFD",
            encoding.name()
        ));
    }
    Decoded {
        text: labelled,
        encoding: encoding.name(),
        warnings: std::mem::take(warnings),
    }
}

/// Decodes a document labelled or defaulted to UTF-8. Invalid UTF-8 usually means the
/// document is really in a legacy encoding (windows-1252 most of all), read whole in the
/// encoding its bytes fit. But a UTF-8 document with stray bytes in it (one pasted
/// windows-1252 paragraph, one truncated character) stays UTF-8, with only the stray
/// bytes read as windows-1252: that is the case when it has valid multi-byte sequences
/// and either those outnumber the stray bytes or the stray bytes stand alone between
/// ASCII (`caf\xE9`, ` \x80 15`). Legacy multi-byte text (Shift_JIS, GBK) forms the odd
/// valid UTF-8 pair by accident, but its bytes come in runs.
fn decode_utf8_or_repair<'a>(bytes: &'a [u8], warnings: &mut Vec<String>) -> Decoded<'a> {
    if let Some(text) = utf8(bytes) {
        return Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8.name(),
            warnings: std::mem::take(warnings),
        };
    }
    let evidence = utf8_evidence(bytes);
    let mixed = evidence.multibyte > 0
        && (evidence.multibyte >= evidence.stray || evidence.isolated * 2 >= evidence.stray);
    if !mixed {
        let guessed = guess_legacy(bytes);
        warnings.push(format!(
            "the document is not valid UTF-8 (as its label or the default says); its bytes read as {}",
            guessed.name()
        ));
        let (text, had_errors) = guessed.decode_without_bom_handling(bytes);
        if had_errors {
            warnings.push(format!(
                "bytes that are not valid {} were replaced with U+FFFD",
                guessed.name()
            ));
        }
        return Decoded {
            text,
            encoding: guessed.name(),
            warnings: std::mem::take(warnings),
        };
    }
    warnings.push(
        "the document mixes UTF-8 with bytes that are not UTF-8; those bytes were read as windows-1252"
            .to_string(),
    );
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                text.push_str(valid);
                break;
            }
            Err(error) => {
                let (valid, after) = rest.split_at(error.valid_up_to());
                // The prefix was just checked; `from_utf8` cannot fail on it.
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = error.error_len().unwrap_or(after.len()).max(1);
                let (stray, remaining) = after.split_at(bad.min(after.len()));
                let (repaired, _) = WINDOWS_1252.decode_without_bom_handling(stray);
                text.push_str(&repaired);
                rest = remaining;
            }
        }
    }
    Decoded {
        text: Cow::Owned(text),
        encoding: UTF_8.name(),
        warnings: std::mem::take(warnings),
    }
}

/// The legacy encoding unlabelled (or mislabelled) bytes are most likely in, by the
/// detector browsers use: windows-1252 for Western text, which is what feeds claiming
/// UTF-8 mostly turn out to be, and Big5, KOI8-R, Shift_JIS and so on where the bytes say
/// so. With only a few non-ASCII bytes there is nothing to go on, and windows-1252 is the
/// likeliest by far.
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    if bytes.iter().filter(|byte| !byte.is_ascii()).count() < MIN_DETECTION_EVIDENCE {
        return WINDOWS_1252;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guessed = detector.guess(None, chardetng::Utf8Detection::Deny);
    // The detector only answers ASCII-compatible encodings, but be sure: the document
    // has already been read as ASCII-compatible.
    if guessed == UTF_16LE || guessed == UTF_16BE || guessed == encoding_rs::REPLACEMENT {
        WINDOWS_1252
    } else {
        guessed
    }
}

/// What the bytes of a document that is not valid UTF-8 say about it.
struct Utf8Evidence {
    /// Valid multi-byte UTF-8 sequences.
    multibyte: usize,
    /// Bytes that are not UTF-8.
    stray: usize,
    /// Stray bytes with ASCII (or nothing) on both sides: an accented letter or a curly
    /// quote from windows-1252, where legacy multi-byte text comes in runs.
    isolated: usize,
}

fn utf8_evidence(bytes: &[u8]) -> Utf8Evidence {
    let lead_bytes = |valid: &[u8]| valid.iter().filter(|&&byte| byte >= 0xC0).count();
    let mut evidence = Utf8Evidence {
        multibyte: 0,
        stray: 0,
        isolated: 0,
    };
    let mut offset = 0;
    loop {
        let rest = &bytes[offset..];
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                evidence.multibyte += lead_bytes(valid.as_bytes());
                return evidence;
            }
            Err(error) => {
                evidence.multibyte += lead_bytes(&rest[..error.valid_up_to()]);
                let start = offset + error.valid_up_to();
                let bad = error
                    .error_len()
                    .unwrap_or(rest.len() - error.valid_up_to())
                    .max(1);
                evidence.stray += bad;
                let before = start.checked_sub(1).map(|at| bytes[at]);
                let after = bytes.get(start + bad).copied();
                if bad == 1
                    && before.is_none_or(|byte| byte.is_ascii())
                    && after.is_none_or(|byte| byte.is_ascii())
                {
                    evidence.isolated += 1;
                }
                offset = start + bad;
                if offset >= bytes.len() {
                    return evidence;
                }
            }
        }
    }
}

/// `bytes` as text when they are valid UTF-8. Every document is checked whole before the
/// reader borrows from it: simdutf8's vector validator (in the tree through encoding_rs)
/// takes a fifth of the standard library's instructions on feed text, whose non-ASCII
/// letters and punctuation keep the standard library off its ASCII fast path. Both
/// accept exactly the UTF-8 of the Unicode standard (a test compares them); where the
/// bytes are not UTF-8 the repairs below use the standard library's error positions.
fn utf8(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector validator answers as `std::str::from_utf8` does: on every valid and
    /// invalid sequence of up to four bytes (lead bytes, overlong forms, surrogates, code
    /// points past U+10FFFF, truncations) placed at every offset around the validator's
    /// 64-byte blocks, inside ASCII and inside multi-byte text, and on random mixtures.
    #[test]
    fn the_vector_validator_agrees_with_the_standard_library() {
        let agree = |bytes: &[u8]| {
            assert_eq!(
                utf8(bytes).map(str::as_bytes),
                std::str::from_utf8(bytes).ok().map(str::as_bytes),
                "{bytes:x?}"
            );
        };
        let interesting: &[u8] = &[
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
            0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFF,
        ];
        let mut sequences = Vec::new();
        for &a in interesting {
            sequences.push(vec![a]);
            for &b in interesting {
                sequences.push(vec![a, b]);
                for &c in &[0x80u8, 0x9F, 0xA0, 0xBF, 0x41] {
                    sequences.push(vec![a, b, c]);
                    sequences.push(vec![a, b, c, 0x80]);
                }
            }
        }
        let mut valid = 0;
        for fill in ["a", "\u{e9}", "\u{20ac}"] {
            let around = fill.repeat(140 / fill.len());
            for sequence in &sequences {
                for at in [0, 1, 15, 31, 60, 61, 62, 63, 64, 65, 127, around.len()] {
                    let at = (0..=at.min(around.len()))
                        .rev()
                        .find(|&at| around.is_char_boundary(at))
                        .unwrap_or(0);
                    let mut bytes = around.as_bytes()[..at].to_vec();
                    bytes.extend_from_slice(sequence);
                    bytes.extend_from_slice(&around.as_bytes()[at..]);
                    agree(&bytes);
                    valid += usize::from(utf8(&bytes).is_some());
                }
            }
        }
        assert!(valid > 1_000, "{valid} valid");
        // xorshift64 over pieces of text and single bytes: a fixed seed, so a failure
        // repeats.
        let pieces: &[&[u8]] = &[
            b"<a>",
            b"text ",
            "\u{e9}".as_bytes(),
            "\u{20ac}".as_bytes(),
            "\u{1d11e}".as_bytes(),
            b"\x80",
            b"\xC3",
            b"\xE2\x82",
            b"\xF0\x9D\x84",
            b"\xED\xA0\x80",
            b"\xFF",
        ];
        let mut random = crate::test_random::Xorshift::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move |bound: usize| random.below(bound);
        let mut bytes = Vec::new();
        for _ in 0..20_000 {
            bytes.clear();
            for _ in 0..next(90) {
                bytes.extend_from_slice(pieces[next(pieces.len())]);
            }
            agree(&bytes);
        }
    }

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if big_endian {
                &[0xFE, 0xFF]
            } else {
                &[0xFF, 0xFE]
            });
        }
        for unit in text.encode_utf16() {
            out.extend_from_slice(&if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    }

    fn utf32(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let chars = bom.then_some('\u{feff}').into_iter().chain(text.chars());
        for c in chars {
            let value = c as u32;
            out.extend_from_slice(&if big_endian {
                value.to_be_bytes()
            } else {
                value.to_le_bytes()
            });
        }
        out
    }

    const DOC: &str = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss><title>Caf\u{e9} \u{20ac} \u{1f3a7}</title></rss>";

    #[test]
    fn utf16_with_and_without_bom() {
        for big_endian in [false, true] {
            for bom in [false, true] {
                let bytes = utf16(DOC, big_endian, bom);
                let decoded = decode(&bytes, None);
                assert_eq!(decoded.text, DOC, "big_endian={big_endian} bom={bom}");
                assert_eq!(
                    decoded.encoding,
                    if big_endian { "UTF-16BE" } else { "UTF-16LE" }
                );
                assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);
            }
        }
    }

    #[test]
    fn utf16_without_declaration_or_bom() {
        let doc = "<rss><title>\u{e9}</title></rss>";
        assert_eq!(decode(&utf16(doc, false, false), None).text, doc);
        assert_eq!(decode(&utf16(doc, true, false), None).text, doc);
    }

    #[test]
    fn utf32_with_and_without_bom() {
        let doc = "<?xml version=\"1.0\"?><rss>\u{e9}\u{1f3a7}</rss>";
        for big_endian in [false, true] {
            for bom in [false, true] {
                let bytes = utf32(doc, big_endian, bom);
                let decoded = decode(&bytes, None);
                assert_eq!(decoded.text, doc, "big_endian={big_endian} bom={bom}");
                assert!(decoded.warnings.is_empty());
            }
        }
        assert_eq!(decode(&utf32(doc, true, true), None).encoding, "UTF-32BE");
    }

    #[test]
    fn utf8_bom_is_stripped_and_wins_over_labels() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\u{e9}</a>".as_bytes(),
        );
        let decoded = decode(&bytes, Some("windows-1251"));
        assert_eq!(
            decoded.text,
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\u{e9}</a>"
        );
        assert_eq!(decoded.encoding, "UTF-8");
        assert!(decoded.warnings.is_empty());
    }

    #[test]
    fn utf8_bom_with_stray_windows_1252_bytes() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("<t>Valid: \u{468} Invalid: Espa".as_bytes());
        bytes.extend_from_slice(b"\xF1a</t>");
        let decoded = decode(&bytes, None);
        assert_eq!(decoded.text, "<t>Valid: \u{468} Invalid: Espa\u{f1}a</t>");
        assert_eq!(decoded.warnings.len(), 1);
    }

    #[test]
    fn utf16_bom_wins_over_http_charset() {
        let bytes = utf16(DOC, false, true);
        let decoded = decode(&bytes, Some("iso-8859-1"));
        assert_eq!(decoded.text, DOC);
    }

    #[test]
    fn windows_1252_declared() {
        // é, €, curly quotes and an en dash as windows-1252 bytes.
        let mut bytes =
            b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>caf\xE9 \x80 \x93 \x91q\x92 \x93"
                .to_vec();
        bytes.extend_from_slice(b"</a>");
        let decoded = decode(&bytes, None);
        assert!(
            decoded
                .text
                .contains("caf\u{e9} \u{20ac} \u{201c} \u{2018}q\u{2019} \u{201c}</a>"),
            "{}",
            decoded.text
        );
        assert_eq!(decoded.encoding, "windows-1252");
        assert!(decoded.warnings.is_empty());
    }

    #[test]
    fn iso_8859_1_reads_as_windows_1252() {
        let bytes = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\x93hi\x94 \xE9</a>";
        let decoded = decode(bytes, None);
        assert_eq!(
            decoded.text,
            "<?xml version='1.0' encoding='ISO-8859-1'?><a>\u{201c}hi\u{201d} \u{e9}</a>"
        );
    }

    #[test]
    fn iso_8859_15_euro_sign() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><a>\xA4 5</a>";
        let decoded = decode(bytes, None);
        assert!(
            decoded.text.ends_with("<a>\u{20ac} 5</a>"),
            "{}",
            decoded.text
        );
        assert_eq!(decoded.encoding, "ISO-8859-15");
    }

    #[test]
    fn declared_latin1_but_really_utf8() {
        let doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\u{e9} \u{20ac}</a>";
        let decoded = decode(doc.as_bytes(), None);
        assert_eq!(decoded.text, doc);
        assert_eq!(decoded.encoding, "UTF-8");
        assert_eq!(
            decoded.warnings,
            vec!["the XML declaration says ISO-8859-1, but the bytes are UTF-8; read as UTF-8"]
        );
    }

    #[test]
    fn declared_shift_jis_but_really_utf8() {
        let doc = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\u{65e5}\u{672c}\u{8a9e} caf\u{e9}</a>";
        let decoded = decode(doc.as_bytes(), None);
        assert_eq!(decoded.text, doc);
        assert_eq!(decoded.warnings.len(), 1);
        // Real Shift_JIS stays Shift_JIS.
        let decoded = decode(
            b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x93\xfa\x96\x7b</a>",
            None,
        );
        assert!(
            decoded.text.ends_with("<a>\u{65e5}\u{672c}</a>"),
            "{}",
            decoded.text
        );
        assert!(decoded.warnings.is_empty());
    }

    #[test]
    fn http_latin1_but_really_utf8() {
        let doc = "<a>caf\u{e9}</a>";
        let decoded = decode(doc.as_bytes(), Some("iso-8859-1"));
        assert_eq!(decoded.text, doc);
        assert!(decoded.warnings[0].contains("HTTP charset"));
    }

    #[test]
    fn declared_utf8_but_really_windows_1252() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>caf\xE9 \x80</a>";
        let decoded = decode(bytes, None);
        assert_eq!(
            decoded.text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>caf\u{e9} \u{20ac}</a>"
        );
        assert_eq!(decoded.encoding, "windows-1252");
        assert!(decoded.warnings[0].contains("windows-1252"));
    }

    #[test]
    fn undeclared_windows_1252_defaults_then_repairs() {
        let decoded = decode(b"<a>na\xEFve</a>", None);
        assert_eq!(decoded.text, "<a>na\u{ef}ve</a>");
        assert_eq!(decoded.warnings.len(), 1);
    }

    #[test]
    fn undeclared_legacy_cjk_and_cyrillic_are_detected() {
        let shift_jis = b"\x93\xfa\x96\x7b\x8c\xea\x82\xcc\x83\x65\x83\x4c\x83\x58\x83\x67\x82\xc5\x82\xb7\x81\x42\x83\x7c\x83\x62\x83\x68\x83\x4c\x83\x83\x83\x58\x83\x67\x82\xcc\x90\x56\x82\xb5\x82\xa2\x83\x47\x83\x73\x83\x5c\x81\x5b\x83\x68\x82\xf0\x8c\xf6\x8a\x4a\x82\xb5\x82\xdc\x82\xb5\x82\xbd\x81\x42";
        let koi8_r = b"\xf0\xd2\xc9\xd7\xc5\xd4, \xcb\xc1\xcb \xc4\xc5\xcc\xc1? \xee\xcf\xd7\xd9\xca \xd7\xd9\xd0\xd5\xd3\xcb \xd0\xcf\xc4\xcb\xc1\xd3\xd4\xc1 \xd5\xd6\xc5 \xc4\xcf\xd3\xd4\xd5\xd0\xc5\xce.";
        for (body, expected, encoding) in [
            (
                &shift_jis[..],
                "\u{65e5}\u{672c}\u{8a9e}\u{306e}\u{30c6}\u{30ad}\u{30b9}\u{30c8}\u{3067}\u{3059}\u{3002}\u{30dd}\u{30c3}\u{30c9}\u{30ad}\u{30e3}\u{30b9}\u{30c8}\u{306e}\u{65b0}\u{3057}\u{3044}\u{30a8}\u{30d4}\u{30bd}\u{30fc}\u{30c9}\u{3092}\u{516c}\u{958b}\u{3057}\u{307e}\u{3057}\u{305f}\u{3002}",
                "Shift_JIS",
            ),
            (
                &koi8_r[..],
                "\u{41f}\u{440}\u{438}\u{432}\u{435}\u{442}, \u{43a}\u{430}\u{43a} \u{434}\u{435}\u{43b}\u{430}? \u{41d}\u{43e}\u{432}\u{44b}\u{439} \u{432}\u{44b}\u{43f}\u{443}\u{441}\u{43a} \u{43f}\u{43e}\u{434}\u{43a}\u{430}\u{441}\u{442}\u{430} \u{443}\u{436}\u{435} \u{434}\u{43e}\u{441}\u{442}\u{443}\u{43f}\u{435}\u{43d}.",
                "KOI8",
            ),
        ] {
            let mut bytes = b"<rss><title>".to_vec();
            bytes.extend_from_slice(body);
            bytes.extend_from_slice(b"</title></rss>");
            let decoded = decode(&bytes, None);
            assert_eq!(
                decoded.text,
                format!("<rss><title>{expected}</title></rss>")
            );
            assert!(
                decoded.encoding.starts_with(encoding),
                "{}",
                decoded.encoding
            );
            assert_eq!(decoded.warnings.len(), 1);
        }
    }

    #[test]
    fn a_few_stray_bytes_are_windows_1252() {
        // Too little evidence for a detector: one byte could be anything.
        for (bytes, expected) in [
            (&b"<a>na\xefve</a>"[..], "<a>na\u{ef}ve</a>"),
            (b"<a>It\x92s</a>", "<a>It\u{2019}s</a>"),
            (b"<a>\xbfQu\xe9?</a>", "<a>\u{bf}Qu\u{e9}?</a>"),
        ] {
            let decoded = decode(bytes, None);
            assert_eq!(decoded.text, expected);
            assert_eq!(decoded.encoding, "windows-1252");
        }
    }

    #[test]
    fn mostly_utf8_with_stray_bytes() {
        let mut bytes = "<a>caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e "
            .as_bytes()
            .to_vec();
        bytes.extend_from_slice(b"\x93quoted\x94</a>");
        let decoded = decode(&bytes, None);
        assert_eq!(
            decoded.text,
            "<a>caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e \u{201c}quoted\u{201d}</a>"
        );
        assert_eq!(decoded.encoding, "UTF-8");
        assert_eq!(decoded.warnings.len(), 1);
        assert!(
            decoded.warnings[0].contains("mixes"),
            "{:?}",
            decoded.warnings
        );
    }

    #[test]
    fn isolated_stray_bytes_beside_one_utf8_sequence() {
        // A UTF-8 template (`–` in the title) around one item pasted from windows-1252.
        let mut bytes = "<t>Koor Cantabile \u{2013} Nieuws</t><d>Kaarten "
            .as_bytes()
            .to_vec();
        bytes.extend_from_slice(b"\x80 15 \x96 \x93Matth\xe4us-Passion\x94</d>");
        let decoded = decode(&bytes, None);
        assert_eq!(
            decoded.text,
            "<t>Koor Cantabile \u{2013} Nieuws</t><d>Kaarten \u{20ac} 15 \u{2013} \u{201c}Matth\u{e4}us-Passion\u{201d}</d>"
        );
        assert_eq!(decoded.encoding, "UTF-8");
        assert_eq!(
            decoded.warnings,
            vec![
                "the document mixes UTF-8 with bytes that are not UTF-8; those bytes were read as windows-1252"
            ]
        );
    }

    #[test]
    fn http_charset_overrides_declaration() {
        // The bytes are windows-1251 Cyrillic; the declaration lies.
        let bytes =
            b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xcf\xf0\xe8\xe2\xe5\xf2</a>";
        let decoded = decode(bytes, Some("\"windows-1251\""));
        assert!(
            decoded
                .text
                .ends_with("<a>\u{41f}\u{440}\u{438}\u{432}\u{435}\u{442}</a>")
        );
        assert_eq!(decoded.encoding, "windows-1251");
        assert!(decoded.warnings.is_empty());
    }

    #[test]
    fn unknown_labels_warn_and_fall_back() {
        let decoded = decode(
            b"<?xml version=\"1.0\" encoding=\"klingon-8\"?><a>x</a>",
            None,
        );
        assert_eq!(decoded.encoding, "UTF-8");
        assert_eq!(decoded.warnings.len(), 1);
        assert!(decoded.warnings[0].contains("klingon-8"));

        let decoded = decode(b"<a>\xE9</a>", Some("bogus"));
        assert_eq!(decoded.text, "<a>\u{e9}</a>");
        assert_eq!(decoded.warnings.len(), 2, "{:?}", decoded.warnings);
        assert!(decoded.warnings[0].contains("bogus"));
    }

    #[test]
    fn utf16_label_on_an_ascii_document_is_ignored() {
        let decoded = decode(
            b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>ok</a>",
            None,
        );
        assert_eq!(
            decoded.text,
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>ok</a>"
        );
        assert_eq!(decoded.warnings.len(), 1);
    }

    #[test]
    fn invalid_bytes_in_a_multibyte_encoding_are_replaced() {
        // A lone Shift_JIS lead byte at the end.
        let decoded = decode(
            b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x82\xa0\x82</a>",
            None,
        );
        assert!(decoded.text.contains('\u{3042}'), "{}", decoded.text);
        assert!(decoded.text.contains('\u{fffd}'));
        assert_eq!(decoded.warnings.len(), 1);
    }

    #[test]
    fn truncated_utf16_is_replaced() {
        let mut bytes = utf16("<a>x</a>", false, true);
        bytes.push(0x41);
        let decoded = decode(&bytes, None);
        assert_eq!(decoded.text, "<a>x</a>\u{fffd}");
        assert_eq!(decoded.warnings.len(), 1);
    }

    #[test]
    fn declaration_after_junk_and_single_quotes() {
        let bytes = b"\n\n  <?xml version='1.0' encoding = 'windows-1252' ?><a>\xE9</a>";
        assert_eq!(decode(bytes, None).encoding, "windows-1252");
        assert_eq!(
            declared_encoding(b"<?xml version=\"1.0\"?><a encoding=\"x\"/>"),
            None
        );
    }
}

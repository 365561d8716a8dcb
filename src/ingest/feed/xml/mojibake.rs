//! Text that went through the wrong encoding on the author's side, repaired the way feed
//! readers do once the text is complete.
//!
//! Two repairs, applied to every finished text node and attribute value, silently (the
//! Universal Feed Parser does both and does not flag them, and there is nothing the
//! reader of the warning could do):
//! - UTF-8 read as Latin-1 and written out again (`cafÃ©` for `café`, or `&#226;&#128;&#166;`
//!   for `…`): when every character fits in one byte and those bytes are valid UTF-8 with
//!   multi-byte sequences, the text is read again as UTF-8. Real Latin-1 text almost never
//!   forms valid multi-byte UTF-8 (`é` would have to be followed by two symbols from the
//!   0x80–0xBF range), so this does not damage what was right.
//! - The C1 control characters U+0080–U+009F, which no one means, are read as the
//!   windows-1252 characters at those bytes (`&#146;` → `’`), as browsers do.

use std::borrow::Cow;

/// Repairs a finished text; `scratch` is reused between calls. Text borrowed from the
/// document stays borrowed unless a repair applies (copied only then).
pub(super) fn repair_cow<'a>(text: Cow<'a, str>, scratch: &mut Vec<u8>) -> Cow<'a, str> {
    match survey(text.as_bytes()) {
        Some(survey) if survey.applies() => {
            let mut owned = text.into_owned();
            apply(&mut owned, survey, scratch);
            Cow::Owned(owned)
        }
        _ => text,
    }
}

/// What one pass over a text found.
#[derive(Clone, Copy)]
struct Survey {
    /// Every character is below U+0100 (only surveyed when `has_pair`; false otherwise).
    fits_in_latin1: bool,
    has_c1: bool,
    has_pair: bool,
}

impl Survey {
    /// Whether either repair would change the text.
    fn applies(self) -> bool {
        (self.fits_in_latin1 && self.has_pair) || self.has_c1
    }
}

/// The survey of a text, or `None` when no repair can apply.
fn survey(bytes: &[u8]) -> Option<Survey> {
    // Both repairs need a character from U+0080–U+00BF, which UTF-8 writes as C2 xx; most
    // text (ASCII, `é` = C3 A9, `“` = E2 80 9C) has none and is done after one memchr
    // (the crate's, which is several times faster than `<[u8]>::contains`).
    let mut found = memchr::memchr_iter(0xC2, bytes).peekable();
    found.peek()?;
    // C1 controls are C2 80–9F; a "lead byte read as Latin-1" (U+00C2–U+00F4) is C3 82–B4
    // and a "continuation byte read as Latin-1" (U+0080–U+00BF) is C2 80–BF, so a pair is
    // a C2 two bytes after such a C3. Only the C2 bytes need looking at, found by memchr
    // (a no-break space, C2 A0, is common in HTML), not every byte of the text.
    let mut has_c1 = false;
    let mut has_pair = false;
    for at in found {
        has_c1 |= matches!(bytes.get(at + 1), Some(0x80..=0x9F));
        has_pair |= at >= 2 && bytes[at - 2] == 0xC3 && (0x82..=0xB4).contains(&bytes[at - 1]);
        if has_c1 && has_pair {
            break;
        }
    }
    // Characters up to U+00FF are encoded with lead byte C2 or C3: any greater byte is a
    // character beyond Latin-1. Only the pair repair asks, and only when there is a pair.
    let fits_in_latin1 = has_pair && !bytes.iter().any(|&byte| byte > 0xC3);
    Some(Survey {
        fits_in_latin1,
        has_c1,
        has_pair,
    })
}

/// Applies the repairs a survey of `text` found.
fn apply(text: &mut String, survey: Survey, scratch: &mut Vec<u8>) {
    let Survey {
        fits_in_latin1,
        mut has_c1,
        has_pair,
    } = survey;
    if fits_in_latin1 && has_pair {
        scratch.clear();
        // Every character is below U+0100, so `as u8` keeps it whole.
        scratch.extend(text.chars().map(|c| c as u8));
        if let Ok(reread) = std::str::from_utf8(scratch) {
            // The bytes are not all ASCII (the text was not), so valid UTF-8 here means
            // multi-byte sequences: this was UTF-8 all along.
            text.clear();
            text.push_str(reread);
            has_c1 = contains_c1(text.as_bytes());
        }
    }
    if has_c1 {
        *text = text.chars().map(windows_1252).collect();
    }
}

/// Whether UTF-8 text holds a C1 control character (U+0080–U+009F).
fn contains_c1(bytes: &[u8]) -> bool {
    memchr::memchr_iter(0xC2, bytes).any(|at| matches!(bytes.get(at + 1), Some(0x80..=0x9F)))
}

/// The windows-1252 character for a C1 control (the five bytes windows-1252 leaves
/// undefined stay as they are); any other character unchanged.
fn windows_1252(c: char) -> char {
    const C1: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    match c as u32 {
        code @ 0x80..=0x9F => C1[(code - 0x80) as usize],
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(text: &str) -> String {
        repair_cow(Cow::Borrowed(text), &mut Vec::new()).into_owned()
    }

    #[test]
    fn utf8_read_as_latin1_is_read_again() {
        assert_eq!(repaired("caf\u{c3}\u{a9}"), "caf\u{e9}");
        // `&#226;&#128;&#166;`: the bytes of `…` as characters.
        assert_eq!(repaired("\u{e2}\u{80}\u{a6}"), "\u{2026}");
        assert_eq!(repaired("don\u{e2}\u{80}\u{99}t"), "don\u{2019}t");
    }

    #[test]
    fn found_at_any_offset_in_long_text() {
        for prefix in 0..20 {
            let ascii = "x".repeat(prefix);
            assert_eq!(
                repaired(&format!("{ascii}caf\u{c3}\u{a9} ok {ascii}")),
                format!("{ascii}caf\u{e9} ok {ascii}")
            );
            assert_eq!(
                repaired(&format!("{ascii}\u{92}{ascii}\u{e9}")),
                format!("{ascii}\u{2019}{ascii}\u{e9}")
            );
        }
    }

    #[test]
    fn real_latin1_and_other_text_is_left_alone() {
        for text in [
            "caf\u{e9}",
            "na\u{ef}ve \u{a9} 2024",
            "25\u{b0}C",
            "\u{e9}\u{e9}",
            "\u{65e5}\u{672c}",
            "plain",
        ] {
            assert_eq!(repaired(text), text);
        }
    }

    #[test]
    fn c1_controls_read_as_windows_1252() {
        assert_eq!(repaired("don\u{92}t"), "don\u{2019}t");
        assert_eq!(
            repaired("\u{93}quoted\u{94} \u{80}5"),
            "\u{201c}quoted\u{201d} \u{20ac}5"
        );
        assert_eq!(repaired("\u{9d}"), "\u{9d}");
        // Next to characters beyond Latin-1 too.
        assert_eq!(repaired("\u{65e5}\u{96}"), "\u{65e5}\u{2013}");
    }

    #[test]
    fn the_byte_checks_agree_with_the_characters() {
        // Around the edges of the C1 range: U+007F/U+0080, U+009F/U+00A0, and C2 bytes of
        // other characters.
        for text in [
            "a\u{7f}",
            "\u{80}",
            "x\u{9f}y",
            "\u{a0}\u{ff}",
            "\u{ff}\u{100}",
            "\u{100}\u{85}",
            "\u{bf}\u{c0}",
            "\u{2019}\u{a0}",
        ] {
            let by_chars = text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c));
            assert_eq!(contains_c1(text.as_bytes()), by_chars, "{text:?}");
        }
        assert_eq!(repaired("\u{ff}\u{85}"), "\u{ff}\u{2026}");
        assert_eq!(repaired("\u{100}\u{85}"), "\u{100}\u{2026}");
    }
}

//! Character references (`&amp;`, `&eacute;`, `&copy`, `&#233;`, `&#xE9;`) decoded the way
//! an HTML tokenizer decodes them, for `html` and `text`.
//!
//! Named references come from the HTML table in `entities`, including the legacy names a
//! browser also accepts without `;` (`&copy 2024`, `&amp`), matched by longest prefix as
//! browsers do (`&copyright` is `©right`). Inside an attribute value a legacy name followed
//! by a letter, digit or `=` is left alone, so query strings such as `?a=1&copy=2` survive.
//! Numeric references follow HTML too: 0, surrogates and values past U+10FFFF become
//! U+FFFD, and 128–159 are read as windows-1252 (`&#146;` is `’`), which is what the
//! documents that write them mean. Anything that is not a reference is left to the
//! caller as a literal `&`.

use super::entities;

/// What a reference stands for: one character, or (for a few named references) two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded {
    Char(char),
    Str(&'static str),
}

impl Decoded {
    /// Appends the decoded text to `out`.
    pub fn push_to(self, out: &mut String) {
        match self {
            Decoded::Char(c) => out.push(c),
            Decoded::Str(s) => out.push_str(s),
        }
    }
}

/// Longest named reference in the table, without `&` but with `;`.
const MAX_NAME: usize = 32;
/// Longest legacy name (accepted without `;`).
const MAX_LEGACY: usize = 6;

/// Decodes the reference at the start of `input`, which must begin with `&`. Returns what
/// it stands for and how many bytes it took, or `None` when the `&` is a literal one.
pub fn decode(input: &str, in_attribute: bool) -> Option<(Decoded, usize)> {
    let bytes = input.as_bytes();
    debug_assert_eq!(bytes.first(), Some(&b'&'));
    match bytes.get(1)? {
        b'#' => numeric(bytes),
        byte if byte.is_ascii_alphanumeric() => named(input, in_attribute),
        _ => None,
    }
}

/// `&#233;`, `&#xE9;`, with or without the `;`.
fn numeric(bytes: &[u8]) -> Option<(Decoded, usize)> {
    let hex = matches!(bytes.get(2), Some(b'x' | b'X'));
    let start = if hex { 3 } else { 2 };
    let mut end = start;
    let mut value: u32 = 0;
    while let Some(&byte) = bytes.get(end) {
        let digit = if hex {
            (byte as char).to_digit(16)
        } else {
            (byte as char).to_digit(10)
        };
        let Some(digit) = digit else { break };
        // Saturate: anything past U+10FFFF is replaced anyway.
        value = value
            .saturating_mul(if hex { 16 } else { 10 })
            .saturating_add(digit);
        end += 1;
    }
    if end == start {
        return None;
    }
    if bytes.get(end) == Some(&b';') {
        end += 1;
    }
    Some((Decoded::Char(code_point(value)), end))
}

/// HTML's rules for numeric references.
fn code_point(value: u32) -> char {
    if (0x80..=0x9f).contains(&value)
        && let Some(c) = windows_1252(value)
    {
        return c;
    }
    match char::from_u32(value) {
        Some('\0') | None => char::REPLACEMENT_CHARACTER,
        Some(c) => c,
    }
}

/// The characters windows-1252 puts at 0x80–0x9F (five positions are undefined).
fn windows_1252(value: u32) -> Option<char> {
    let c = match value {
        0x80 => '\u{20ac}',
        0x82 => '\u{201a}',
        0x83 => '\u{0192}',
        0x84 => '\u{201e}',
        0x85 => '\u{2026}',
        0x86 => '\u{2020}',
        0x87 => '\u{2021}',
        0x88 => '\u{02c6}',
        0x89 => '\u{2030}',
        0x8a => '\u{0160}',
        0x8b => '\u{2039}',
        0x8c => '\u{0152}',
        0x8e => '\u{017d}',
        0x91 => '\u{2018}',
        0x92 => '\u{2019}',
        0x93 => '\u{201c}',
        0x94 => '\u{201d}',
        0x95 => '\u{2022}',
        0x96 => '\u{2013}',
        0x97 => '\u{2014}',
        0x98 => '\u{02dc}',
        0x99 => '\u{2122}',
        0x9a => '\u{0161}',
        0x9b => '\u{203a}',
        0x9c => '\u{0153}',
        0x9e => '\u{017e}',
        0x9f => '\u{0178}',
        _ => return None,
    };
    Some(c)
}

/// `&eacute;`, or a legacy name without `;` matched by longest prefix.
fn named(input: &str, in_attribute: bool) -> Option<(Decoded, usize)> {
    let bytes = input.as_bytes();
    let run = bytes[1..]
        .iter()
        .take(MAX_NAME + 1)
        .take_while(|byte| byte.is_ascii_alphanumeric())
        .count();
    if run <= MAX_NAME && bytes.get(1 + run) == Some(&b';') {
        // The most frequent names first, without a search.
        let common = match &input[1..run + 1] {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => None,
        };
        if let Some(c) = common {
            return Some((Decoded::Char(c), run + 2));
        }
        // The name with its `;` is a slice of the input: no allocation.
        if let Some(text) = entities::lookup(&input[1..run + 2]) {
            return Some((decoded(text), run + 2));
        }
    }
    for len in (2..=run.min(MAX_LEGACY)).rev() {
        let Some(text) = entities::lookup(&input[1..1 + len]) else {
            continue;
        };
        if in_attribute {
            let next = bytes.get(1 + len).copied().unwrap_or(b' ');
            if next.is_ascii_alphanumeric() || next == b'=' {
                return None;
            }
        }
        return Some((decoded(text), 1 + len));
    }
    None
}

fn decoded(text: &'static str) -> Decoded {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Decoded::Char(c),
        _ => Decoded::Str(text),
    }
}

/// Decodes every reference in `text`, leaving literal `&`s as they are.
pub fn decode_all(text: &str, in_attribute: bool) -> std::borrow::Cow<'_, str> {
    let Some(first) = memchr::memchr(b'&', text.as_bytes()) else {
        return std::borrow::Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first]);
    let mut rest = &text[first..];
    while let Some(amp) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode(rest, in_attribute) {
            Some((value, used)) => {
                value.push_to(&mut out);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_in_text() {
        let cases = [
            ("caf&eacute;", "café"),
            ("&amp;&lt;&gt;&quot;&apos;", "&<>\"'"),
            ("&AMP;", "&"),
            ("&nbsp;", "\u{a0}"),
            ("&#233;&#xE9;&#Xe9;", "ééé"),
            ("&#233 and &#xe9x", "é and éx"),
            ("&copy 2024", "© 2024"),
            ("&copyright", "©right"),
            ("&notit;", "¬it;"),
            ("&notin;", "∉"),
            ("&amp", "&"),
            ("&hellip;", "…"),
            ("&hellip", "&hellip"),
            ("&nosuch;", "&nosuch;"),
            ("& alone", "& alone"),
            ("&#;", "&#;"),
            ("&#x;", "&#x;"),
            ("&;", "&;"),
            ("&#146;", "\u{2019}"),
            ("&#x80;", "€"),
            ("&#x81;", "\u{81}"),
            ("&#0;", "\u{fffd}"),
            ("&#xD800;", "\u{fffd}"),
            ("&#x110000;", "\u{fffd}"),
            ("&#99999999999999999999;", "\u{fffd}"),
            ("&NotNestedGreaterGreater;", "\u{2aa2}\u{338}"),
            ("a&b&c", "a&b&c"),
        ];
        for (input, expected) in cases {
            assert_eq!(decode_all(input, false), expected, "{input:?}");
        }
    }

    #[test]
    fn legacy_names_in_attributes_leave_query_strings_alone() {
        let cases = [
            ("?a=1&copy=2", "?a=1&copy=2"),
            ("?a=1&copyx", "?a=1&copyx"),
            ("?a=1&amp;copy=2", "?a=1&copy=2"),
            ("&copy 2024", "© 2024"),
            ("x&lt;y", "x<y"),
            ("?a&b=1", "?a&b=1"),
            ("&eacute;", "é"),
        ];
        for (input, expected) in cases {
            assert_eq!(decode_all(input, true), expected, "{input:?}");
        }
    }

    #[test]
    fn lengths_consumed() {
        assert_eq!(decode("&amp;rest", false), Some((Decoded::Char('&'), 5)));
        assert_eq!(decode("&#65x", false), Some((Decoded::Char('A'), 4)));
        assert_eq!(decode("&", false), None);
        assert_eq!(decode("&x", false), None);
        let long = format!("&{};", "a".repeat(100));
        assert_eq!(decode(&long, false), None);
    }
}

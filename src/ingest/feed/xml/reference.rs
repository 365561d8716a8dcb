//! Entity and character references: `&amp;`, `&#233;`, `&#xE9;` and the HTML named
//! entities feeds use in XML (`&nbsp;`, `&eacute;`).
//!
//! Only the five XML entities, numeric references and the HTML table resolve; nothing a
//! document declares itself is ever expanded (no external entities, no entity expansion
//! blow-up). An undefined name stays as literal text, and an `&` that starts no reference
//! at all is a literal `&`; both are recorded as repairs. Numeric references to code
//! points XML cannot hold become U+FFFD; references to 128–159 are read as windows-1252,
//! as browsers do, because that is what the feed's author meant by `&#146;`.

use super::repair::{Repair, Repairs};
use crate::normalise::entities;

/// The longest entity name in the HTML table, with room to spare.
const MAX_NAME: usize = 48;

/// Appends what the reference `&name;` stands for (`name` is without `&` and `;`).
pub(super) fn push_reference(name: &str, out: &mut String, repairs: &mut Repairs) {
    if let Some(number) = name.strip_prefix('#') {
        match char_reference(number) {
            Some(Ok(c)) => out.push(c),
            Some(Err(())) => {
                repairs.note(Repair::InvalidCharRef, || format!("&{name};"));
                out.push(char::REPLACEMENT_CHARACTER);
            }
            None => {
                repairs.note(Repair::BareAmpersand, || format!("&{name};"));
                push_literal(name, out);
            }
        }
        return;
    }
    if let Some(text) = named(name) {
        out.push_str(text);
    } else if is_name(name) {
        repairs.note(Repair::UndefinedEntity, || format!("&{name};"));
        push_literal(name, out);
    } else {
        repairs.note(Repair::BareAmpersand, || format!("&{name};"));
        push_literal(name, out);
    }
}

fn push_literal(name: &str, out: &mut String) {
    out.push('&');
    out.push_str(name);
    out.push(';');
}

/// `Some(Ok(c))` for a usable reference, `Some(Err(()))` for a well-formed reference to
/// an impossible code point, `None` when the digits are not digits at all.
fn char_reference(number: &str) -> Option<Result<char, ()>> {
    let (digits, radix) = match number.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Leading zeros are allowed; anything longer than that is out of range anyway.
    let significant = digits.trim_start_matches('0');
    if significant.len() > 8 {
        return Some(Err(()));
    }
    let value = u32::from_str_radix(
        if significant.is_empty() {
            "0"
        } else {
            significant
        },
        radix,
    )
    .ok()?;
    Some(code_point(value))
}

fn code_point(value: u32) -> Result<char, ()> {
    if value == 0 {
        return Err(());
    }
    if (0x80..=0x9F).contains(&value) {
        return Ok(WINDOWS_1252_C1[(value - 0x80) as usize]);
    }
    char::from_u32(value).ok_or(())
}

/// What HTML reads for `&#128;`…`&#159;`: the windows-1252 characters at those bytes
/// (the five bytes windows-1252 leaves undefined stay as they are).
const WINDOWS_1252_C1: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}', '\u{178}',
];

/// The five XML entities, then the HTML table (names there carry their `;`).
fn named(name: &str) -> Option<&'static str> {
    match name {
        "amp" => return Some("&"),
        "lt" => return Some("<"),
        "gt" => return Some(">"),
        "quot" => return Some("\""),
        "apos" => return Some("'"),
        _ => {}
    }
    if name.len() > MAX_NAME {
        return None;
    }
    let mut key = [0u8; MAX_NAME + 1];
    key[..name.len()].copy_from_slice(name.as_bytes());
    key[name.len()] = b';';
    let key = std::str::from_utf8(&key[..=name.len()]).ok()?;
    entities::lookup(key)
}

/// An XML name: what an entity reference may be called.
pub(super) fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' || c == ':' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '\u{B7}'))
}

/// Appends an attribute value with its references resolved and its whitespace normalised
/// as XML asks (tab, newline and carriage return become spaces; `\r\n` becomes one).
pub(super) fn push_attribute_value(raw: &str, out: &mut String, repairs: &mut Repairs) {
    let bytes = raw.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'&' => {
                out.push_str(&raw[start..i]);
                match reference_end(&raw[i + 1..]) {
                    Some(len) => {
                        push_reference(&raw[i + 1..i + 1 + len], out, repairs);
                        i += len + 2;
                    }
                    None => {
                        repairs.note(Repair::BareAmpersand, || {
                            format!("\"{}\"", &raw[..raw.len().min(i + 20)])
                        });
                        out.push('&');
                        i += 1;
                    }
                }
                start = i;
            }
            b'\r' => {
                out.push_str(&raw[start..i]);
                out.push(' ');
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            b'\t' | b'\n' => {
                out.push_str(&raw[start..i]);
                out.push(' ');
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&raw[start..]);
}

/// The length of the name of a reference starting after an `&` in an attribute value, if
/// a `;` closes it soon enough and nothing in between rules a reference out.
fn reference_end(rest: &str) -> Option<usize> {
    let end = rest
        .bytes()
        .take(MAX_NAME + 2)
        .position(|b| matches!(b, b';' | b'&' | b'<' | b'"' | b'\'') || b.is_ascii_whitespace())?;
    (rest.as_bytes()[end] == b';' && end > 0).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(name: &str) -> (String, Vec<String>) {
        let mut out = String::new();
        let mut repairs = Repairs::default();
        push_reference(name, &mut out, &mut repairs);
        (out, repairs.into_warnings())
    }

    fn attribute(raw: &str) -> (String, Vec<String>) {
        let mut out = String::new();
        let mut repairs = Repairs::default();
        push_attribute_value(raw, &mut out, &mut repairs);
        (out, repairs.into_warnings())
    }

    #[test]
    fn xml_html_and_numeric_references() {
        for (name, expected) in [
            ("amp", "&"),
            ("lt", "<"),
            ("apos", "'"),
            ("nbsp", "\u{a0}"),
            ("eacute", "\u{e9}"),
            ("hellip", "\u{2026}"),
            ("#233", "\u{e9}"),
            ("#xE9", "\u{e9}"),
            ("#XE9", "\u{e9}"),
            ("#x1F3A7", "\u{1f3a7}"),
            ("#0000065", "A"),
        ] {
            assert_eq!(resolve(name), (expected.to_string(), vec![]), "&{name};");
        }
    }

    #[test]
    fn c1_references_read_as_windows_1252() {
        assert_eq!(resolve("#146").0, "\u{2019}");
        assert_eq!(resolve("#x96").0, "\u{2013}");
        assert_eq!(resolve("#128").0, "\u{20ac}");
    }

    #[test]
    fn impossible_code_points_become_replacement() {
        for name in ["#0", "#xD800", "#x110000", "#99999999999999999999"] {
            let (text, warnings) = resolve(name);
            assert_eq!(text, "\u{fffd}", "&{name};");
            assert_eq!(warnings.len(), 1);
        }
    }

    #[test]
    fn undefined_and_bogus_references_stay_literal() {
        let (text, warnings) = resolve("foo");
        assert_eq!(text, "&foo;");
        assert!(warnings[0].contains("undefined entity"), "{warnings:?}");
        let (text, warnings) = resolve("T rocks");
        assert_eq!(text, "&T rocks;");
        assert!(warnings[0].contains("bare `&`"), "{warnings:?}");
        assert_eq!(resolve("#12a").0, "&#12a;");
    }

    #[test]
    fn attribute_values() {
        assert_eq!(
            attribute("a.mp3?x=1&amp;y=2&z=3"),
            (
                "a.mp3?x=1&y=2&z=3".to_string(),
                vec!["read a bare `&` as text (it should be written `&amp;`): \"a.mp3?x=1&amp;y=2&z=3\"".to_string()]
            )
        );
        assert_eq!(attribute("caf&eacute; &#233;").0, "caf\u{e9} \u{e9}");
        assert_eq!(attribute("a\tb\r\nc\nd&#10;e").0, "a b c d\ne");
        assert_eq!(attribute("plain").0, "plain");
        assert_eq!(attribute("&;").0, "&;");
        assert_eq!(attribute("tail &").0, "tail &");
    }

    #[test]
    fn names() {
        assert!(is_name("eacute"));
        assert!(is_name("x-1.2"));
        assert!(!is_name("1x"));
        assert!(!is_name("a b"));
        assert!(!is_name(""));
    }
}

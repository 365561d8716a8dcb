//! Entity and character references: `&amp;`, `&#233;`, `&#xE9;` and the HTML named
//! entities feeds use in XML (`&nbsp;`, `&eacute;`).
//!
//! What resolves: the five XML entities, numeric references, entities the DOCTYPE's
//! internal subset declares as plain text (`<!ENTITY id "tag:example.com,">`, which the
//! Universal Feed Parser also expands), and the HTML table. Nothing external is ever
//! fetched and nothing nested is expanded (`doctype.rs` keeps only plain-text
//! declarations), and declared entities may expand to at most the document's size again,
//! so no document can blow up. An undefined name stays as literal text and an `&` that
//! starts no reference is a literal `&`; both are recorded as repairs, as is an HTML name
//! (XML does not define them). References to code points XML cannot hold become U+FFFD;
//! 128–159 are left for `mojibake.rs`, which reads them as windows-1252.

use std::collections::HashMap;

use super::repair::{Repair, Repairs};
use crate::normalise::entities;

/// The longest entity name in the HTML table, with room to spare.
const MAX_NAME: usize = 48;

/// The expansion every document may use beyond its own length.
const EXPANSION_ALLOWANCE: usize = 1024 * 1024;

/// Resolves references for one document: knows its declared entities and how much more
/// they may expand to.
#[derive(Debug)]
pub(super) struct References {
    declared: HashMap<String, String>,
    budget: usize,
    /// HTML names met so far: a feed uses a handful of them over and over.
    html_seen: Vec<(String, &'static str)>,
}

/// How many distinct HTML names [`References`] remembers.
const HTML_SEEN: usize = 16;

impl References {
    /// References for a document of `len` bytes.
    pub(super) fn new(len: usize) -> References {
        References {
            declared: HashMap::new(),
            budget: len.saturating_add(EXPANSION_ALLOWANCE),
            html_seen: Vec::new(),
        }
    }

    /// Declares a plain-text entity; the first declaration of a name wins, as in XML.
    pub(super) fn declare(&mut self, name: &str, value: String) {
        self.declared.entry(name.to_string()).or_insert(value);
    }

    /// Appends what the reference `&name;` stands for (`name` is without `&` and `;`).
    pub(super) fn push(&mut self, name: &str, out: &mut String, repairs: &mut Repairs) {
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
        if let Some(text) = predefined(name) {
            out.push_str(text);
        } else if let Some(value) = self.declared.get(name) {
            if value.len() <= self.budget {
                self.budget -= value.len();
                out.push_str(value);
            } else {
                repairs.note(Repair::ExpansionLimit, || format!("&{name};"));
                push_literal(name, out);
            }
        } else if let Some(text) = self.html(name) {
            repairs.note(Repair::HtmlEntity, || format!("&{name};"));
            out.push_str(text);
        } else if is_name(name) {
            repairs.note(Repair::UndefinedEntity, || format!("&{name};"));
            push_literal(name, out);
        } else {
            repairs.note(Repair::BareAmpersand, || format!("&{name};"));
            push_literal(name, out);
        }
    }

    /// An HTML name, looked up in the table once per distinct name.
    fn html(&mut self, name: &str) -> Option<&'static str> {
        if let Some((_, text)) = self.html_seen.iter().find(|(seen, _)| seen == name) {
            return Some(text);
        }
        let text = html(name)?;
        if self.html_seen.len() < HTML_SEEN {
            self.html_seen.push((name.to_string(), text));
        }
        Some(text)
    }

    /// Appends an attribute value with its references resolved and its whitespace
    /// normalised as XML asks (tab, newline and carriage return become spaces; `\r\n`
    /// becomes one).
    pub(super) fn push_attribute_value(
        &mut self,
        raw: &str,
        out: &mut String,
        repairs: &mut Repairs,
    ) {
        self.push_attribute_value_with(raw, &mut Stops::new(raw.as_bytes()), out, repairs);
    }

    /// [`References::push_attribute_value`], with the stops' searches visible to tests.
    fn push_attribute_value_with(
        &mut self,
        raw: &str,
        stops: &mut Stops<'_>,
        out: &mut String,
        repairs: &mut Repairs,
    ) {
        let bytes = raw.as_bytes();
        let mut start = 0;
        let mut i = 0;
        // Runs without a reference or a line end are copied whole, not byte by byte.
        while let Some(next) = stops.next(i) {
            i = next;
            match bytes[i] {
                b'&' => {
                    out.push_str(&raw[start..i]);
                    match reference_end(&raw[i + 1..]) {
                        Some(len) => {
                            self.push(&raw[i + 1..i + 1 + len], out, repairs);
                            i += len + 2;
                        }
                        None => {
                            repairs.note(Repair::BareAmpersand, || format!("\"{raw}\""));
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
}

/// Finds the bytes an attribute value's decoding stops at (`&`, `\n`, `\r`, tab)
/// in order. `memchr3` takes three bytes, so tabs (rare) are searched for apart; each search's
/// result is remembered and a search runs again only once the position has passed it, so
/// each of the two scans over the value is linear however many stops there are.
struct Stops<'a> {
    bytes: &'a [u8],
    /// The next tab at or after the last position asked about.
    tab: Option<usize>,
    /// The next `&`, `\n` or `\r` at or after the last position asked about.
    other: Option<usize>,
    /// Bytes the searches have covered, to check in tests that they stay linear.
    #[cfg(test)]
    scanned: usize,
}

impl<'a> Stops<'a> {
    fn new(bytes: &'a [u8]) -> Stops<'a> {
        let mut stops = Stops {
            bytes,
            tab: None,
            other: None,
            #[cfg(test)]
            scanned: 0,
        };
        stops.tab = stops.search(0, |rest| memchr::memchr(b'\t', rest));
        stops.other = stops.search(0, |rest| memchr::memchr3(b'&', b'\n', b'\r', rest));
        stops
    }

    /// The first stop at or after `i`.
    fn next(&mut self, i: usize) -> Option<usize> {
        if self.tab.is_some_and(|tab| tab < i) {
            self.tab = self.search(i, |rest| memchr::memchr(b'\t', rest));
        }
        if self.other.is_some_and(|other| other < i) {
            self.other = self.search(i, |rest| memchr::memchr3(b'&', b'\n', b'\r', rest));
        }
        match (self.tab, self.other) {
            (Some(tab), Some(other)) => Some(tab.min(other)),
            (at, None) | (None, at) => at,
        }
    }

    fn search(&mut self, i: usize, find: impl Fn(&[u8]) -> Option<usize>) -> Option<usize> {
        let rest = self.bytes.get(i..).unwrap_or_default();
        let found = find(rest);
        #[cfg(test)]
        {
            self.scanned += found.map_or(rest.len(), |at| at + 1);
        }
        found.map(|at| i + at)
    }
}

fn push_literal(name: &str, out: &mut String) {
    out.push('&');
    out.push_str(name);
    out.push(';');
}

/// `Some(Ok(c))` for a usable reference, `Some(Err(()))` for a well-formed reference to
/// an impossible code point, `None` when the digits are not digits at all.
pub(super) fn char_reference(number: &str) -> Option<Result<char, ()>> {
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
    Some(match value {
        0 => Err(()),
        value => char::from_u32(value).ok_or(()),
    })
}

/// The five entities XML itself defines.
pub(super) fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

/// The HTML table (its names carry their `;`).
fn html(name: &str) -> Option<&'static str> {
    if name.len() > MAX_NAME {
        return None;
    }
    let mut key = [0u8; MAX_NAME + 1];
    key[..name.len()].copy_from_slice(name.as_bytes());
    key[name.len()] = b';';
    let key = std::str::from_utf8(&key[..=name.len()]).ok()?;
    entities::lookup(key)
}

/// An XML name: what an entity may be called.
pub(super) fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' || c == ':' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '\u{B7}'))
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
        References::new(0).push(name, &mut out, &mut repairs);
        (out, repairs.into_warnings())
    }

    fn attribute(raw: &str) -> (String, Vec<String>) {
        let mut out = String::new();
        let mut repairs = Repairs::default();
        References::new(0).push_attribute_value(raw, &mut out, &mut repairs);
        (out, repairs.into_warnings())
    }

    #[test]
    fn xml_and_numeric_references() {
        for (name, expected) in [
            ("amp", "&"),
            ("lt", "<"),
            ("gt", ">"),
            ("quot", "\""),
            ("apos", "'"),
            ("#233", "\u{e9}"),
            ("#xE9", "\u{e9}"),
            ("#XE9", "\u{e9}"),
            ("#x1F3A7", "\u{1f3a7}"),
            ("#0000065", "A"),
            // Left for the windows-1252 repair of finished text.
            ("#146", "\u{92}"),
        ] {
            assert_eq!(resolve(name), (expected.to_string(), vec![]), "&{name};");
        }
    }

    #[test]
    fn html_names_resolve_with_a_warning() {
        for (name, expected) in [
            ("nbsp", "\u{a0}"),
            ("eacute", "\u{e9}"),
            ("hellip", "\u{2026}"),
        ] {
            let (text, warnings) = resolve(name);
            assert_eq!(text, expected, "&{name};");
            assert_eq!(warnings.len(), 1);
            assert!(warnings[0].contains("HTML"), "{warnings:?}");
        }
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
    fn declared_entities_expand_within_the_budget() {
        let mut references = References::new(100);
        references.declare("id", "tag:example.com,".to_string());
        references.declare("id", "ignored".to_string());
        references.declare("big", "x".repeat(EXPANSION_ALLOWANCE));
        let mut out = String::new();
        let mut repairs = Repairs::default();
        references.push("id", &mut out, &mut repairs);
        assert_eq!(out, "tag:example.com,");
        references.push("big", &mut out, &mut repairs);
        assert_eq!(out.len(), 16 + EXPANSION_ALLOWANCE);
        // The budget (100 + the allowance) is now spent.
        references.push("big", &mut out, &mut repairs);
        assert!(out.ends_with("&big;"));
        let warnings = repairs.into_warnings();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("&big;"));
    }

    #[test]
    fn attribute_values() {
        assert_eq!(
            attribute("a.mp3?x=1&amp;y=2&z=3"),
            (
                "a.mp3?x=1&y=2&z=3".to_string(),
                vec![
                    "read a bare `&` as text (it should be written `&amp;`): \"a.mp3?x=1&amp;y=2&z=3\""
                        .to_string()
                ]
            )
        );
        assert_eq!(attribute("caf&#233; &#xe9;").0, "caf\u{e9} \u{e9}");
        assert_eq!(attribute("a\tb\r\nc\nd&#10;e").0, "a b c d\ne");
        assert_eq!(attribute("plain").0, "plain");
        assert_eq!(attribute("&;").0, "&;");
        assert_eq!(attribute("tail &").0, "tail &");
    }

    /// Tabs are searched for apart from `&` and line ends: in any order and position
    /// among them, each becomes one space, as the byte-by-byte rule says.
    #[test]
    fn attribute_values_with_tabs_among_references_and_line_ends() {
        assert_eq!(attribute("\ta&amp;b\tc\r\n\td\t").0, " a&b c  d ");
        assert_eq!(attribute("&lt;\t\t&gt;\n&amp;\t").0, "<  > & ");
        assert_eq!(attribute("\t").0, " ");
        assert_eq!(attribute("\r").0, " ");
        assert_eq!(attribute("x\r").0, "x ");
        assert_eq!(attribute("&#9;\t&#13;").0, "\t \r");
        // A long value with many references and a tab at its end stays linear and exact.
        let raw = "a&amp;".repeat(2000) + "\t";
        assert_eq!(attribute(&raw).0, "a&".repeat(2000) + " ");
    }

    /// Tabs with no `&` or line end after them, and the reverse: each search's result is
    /// kept until the position passes it, so together the searches cover each byte at most
    /// twice (once per search kind) however many stops there are, and the value decodes
    /// exactly.
    #[test]
    fn attribute_value_searches_stay_linear() {
        let cases = [
            ("\t".repeat(200_000), " ".repeat(200_000)),
            ("x\t".repeat(100_000), "x ".repeat(100_000)),
            ("\n".repeat(100_000) + "\t", " ".repeat(100_001)),
            (
                "\t".repeat(50_000) + &"&amp;\r\n".repeat(50_000),
                " ".repeat(50_000) + &"& ".repeat(50_000),
            ),
        ];
        for (raw, expected) in cases {
            let mut out = String::new();
            let mut repairs = Repairs::default();
            let mut stops = Stops::new(raw.as_bytes());
            References::new(0).push_attribute_value_with(&raw, &mut stops, &mut out, &mut repairs);
            assert!(
                out == expected,
                "a value of {} bytes decoded wrongly",
                raw.len()
            );
            assert!(repairs.into_warnings().is_empty());
            assert!(
                stops.scanned <= 2 * raw.len(),
                "{} bytes searched for a value of {}",
                stops.scanned,
                raw.len()
            );
        }
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

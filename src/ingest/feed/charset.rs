//! Encoding labels → encodings, as a reader expects: the WHATWG label list first (so
//! `iso-8859-1` reads as windows-1252, as browsers do), then the names other software
//! writes for the same encodings (`windows_1251`, `ms-cyrl`, `macroman`, `cp_is`) and the
//! single-byte encodings `encoding_rs` lacks (DOS code pages, older Mac ones, KOI8-T,
//! VISCII, TCVN 5712), looked up the way Python's codec registry does: case-insensitive,
//! with every run of punctuation or spaces read as one `_`.

use std::borrow::Cow;

use encoding_rs::Encoding;

use super::codepages::ALIASES;

/// An encoding a document can be read in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Charset {
    Whatwg(&'static Encoding),
    Table(&'static Codepage),
}

/// A single-byte, ASCII-compatible encoding as a table.
#[derive(Debug, PartialEq)]
pub(super) struct Codepage {
    /// The name the decoded document reports (IANA's where it has one).
    pub name: &'static str,
    /// Bytes below 0x80 that are not ASCII (VISCII and TCVN put capitals among the C0
    /// controls); every other one is itself.
    pub low: &'static [(u8, char)],
    /// Bytes 0x80..=0xFF; U+FFFD where the encoding leaves the byte undefined.
    pub high: [char; 128],
}

impl Codepage {
    /// Returns the text and whether an undefined byte was replaced with U+FFFD.
    fn decode(&self, bytes: &[u8]) -> (String, bool) {
        let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
        let mut had_errors = false;
        for &byte in bytes {
            let c = if byte < 0x80 {
                self.low
                    .iter()
                    .find(|&&(low, _)| low == byte)
                    .map_or(char::from(byte), |&(_, c)| c)
            } else {
                self.high[usize::from(byte - 0x80)]
            };
            had_errors |= c == char::REPLACEMENT_CHARACTER;
            text.push(c);
        }
        (text, had_errors)
    }
}

impl Charset {
    /// Resolves a label (already without quotes and surrounding spaces).
    pub(super) fn for_label(label: &str) -> Option<Charset> {
        if let Some(encoding) = Encoding::for_label(label.as_bytes()) {
            return Some(Charset::Whatwg(encoding));
        }
        let key = normalise(label)?;
        match ALIASES.binary_search_by(|(alias, _)| alias.cmp(&key.as_str())) {
            Ok(at) => Some(ALIASES[at].1),
            // `IBM-855` for `ibm855`, `KOI8_T` for `koi8t`: the separators Python's
            // lookup keeps matter less to the people writing labels than to Python.
            Err(_) => ALIASES
                .iter()
                .find(|(alias, _)| without_separators(alias).eq(without_separators(&key)))
                .map(|&(_, charset)| charset),
        }
    }

    /// The encoding's name: WHATWG's, or the table's.
    pub(super) fn name(self) -> &'static str {
        match self {
            Charset::Whatwg(encoding) => encoding.name(),
            Charset::Table(page) => page.name,
        }
    }

    pub(super) fn is_single_byte(self) -> bool {
        match self {
            Charset::Whatwg(encoding) => encoding.is_single_byte(),
            Charset::Table(_) => true,
        }
    }

    /// Decodes an ASCII-compatible document (no BOM handling); returns whether anything
    /// was replaced with U+FFFD.
    pub(super) fn decode(self, bytes: &[u8]) -> (Cow<'_, str>, bool) {
        match self {
            Charset::Whatwg(encoding) => encoding.decode_without_bom_handling(bytes),
            Charset::Table(page) => {
                let (text, had_errors) = page.decode(bytes);
                (Cow::Owned(text), had_errors)
            }
        }
    }
}

/// Longest label looked up: the longest alias is well under it, and a hostile header
/// should not make a long string.
const MAX_LABEL: usize = 64;

/// A label in Python's lookup form: lower case ASCII letters and digits, every run of
/// anything else as one `_`, none at either end. `None` for a label too long or not
/// ASCII to be any encoding's name.
fn normalise(label: &str) -> Option<String> {
    if label.len() > MAX_LABEL || !label.is_ascii() {
        return None;
    }
    let mut key = String::with_capacity(label.len());
    let mut gap = false;
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !key.is_empty() {
                key.push('_');
            }
            gap = false;
            key.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    Some(key)
}

fn without_separators(key: &str) -> impl Iterator<Item = u8> + '_ {
    key.bytes().filter(|&b| b != b'_')
}

#[cfg(test)]
mod tests {
    use super::super::codepages;
    use super::*;
    use encoding_rs::{IBM866, MACINTOSH, UTF_8, WINDOWS_1250, WINDOWS_1251, WINDOWS_1252};

    fn decode_as(label: &str, bytes: &[u8]) -> (String, &'static str) {
        let charset = Charset::for_label(label).unwrap_or_else(|| panic!("{label} unknown"));
        let (text, _) = charset.decode(bytes);
        (text.into_owned(), charset.name())
    }

    #[test]
    fn tables_spot_checked() {
        // (label, bytes, expected text): 0x80 of each table and a letter or two, from the
        // code page charts.
        let cases: &[(&str, &[u8], &str)] = &[
            ("cp437", b"\x80\x82\xe1\x9c", "\u{c7}\u{e9}\u{df}\u{a3}"),
            ("cp720", b"\x82\x98\xe3", "\u{e9}\u{621}\u{639}"),
            ("cp737", b"\x80\x98\xe0", "\u{391}\u{3b1}\u{3c9}"),
            ("cp775", b"\x80\x87\xd7", "\u{106}\u{107}\u{16b}"),
            ("cp850", b"\x80\x9d\xe1", "\u{c7}\u{d8}\u{df}"),
            ("cp852", b"\x80\x86\xa6", "\u{c7}\u{107}\u{17d}"),
            ("cp855", b"\x80\xa0\xe7", "\u{452}\u{430}\u{443}"),
            ("cp856", b"\x80\x9a\x9c", "\u{5d0}\u{5ea}\u{a3}"),
            ("cp857", b"\x80\x8d\x98", "\u{c7}\u{131}\u{130}"),
            ("cp858", b"\x80\xd5", "\u{c7}\u{20ac}"),
            ("cp860", b"\x80\x84\x94", "\u{c7}\u{e3}\u{f5}"),
            ("cp861", b"\x80\x8b\x95", "\u{c7}\u{d0}\u{fe}"),
            ("cp862", b"\x80\x9a\xa4", "\u{5d0}\u{5ea}\u{f1}"),
            ("cp863", b"\x80\x84\x8d", "\u{c7}\u{c2}\u{2017}"),
            ("cp864", b"\x80\xc8\x25", "\u{b0}\u{fe91}\u{66a}"),
            ("cp865", b"\x80\x9b\xaf", "\u{c7}\u{f8}\u{a4}"),
            ("cp869", b"\x86\xd6\xfe", "\u{386}\u{3b1}\u{25a0}"),
            ("cp1006", b"\xa1\xb0", "\u{6f0}\u{fe8d}"),
            ("cp1125", b"\x80\xf2\xf5", "\u{410}\u{490}\u{454}"),
            ("hp-roman8", b"\xa1\xb4\xde", "\u{c0}\u{c7}\u{df}"),
            ("koi8-t", b"\x80\xc1\xe1", "\u{49b}\u{430}\u{410}"),
            ("kz-1048", b"\x80\xaa\xe0", "\u{402}\u{492}\u{430}"),
            ("mac-arabic", b"\x80\xc7", "\u{c4}\u{627}"),
            ("mac-croatian", b"\x80\xa9\xb4", "\u{c4}\u{160}\u{2206}"),
            ("mac-farsi", b"\x80\xb0", "\u{c4}\u{6f0}"),
            ("macgreek", b"\x80\xc1\xe1", "\u{c4}\u{39d}\u{3b1}"),
            ("maciceland", b"\x80\xa0\xdc", "\u{c4}\u{dd}\u{d0}"),
            ("maclatin2", b"\x80\x81\x8c", "\u{c4}\u{100}\u{106}"),
            ("mac-romanian", b"\x80\xaf\xbf", "\u{c4}\u{218}\u{219}"),
            ("macturkish", b"\x80\xda\xdc", "\u{c4}\u{11e}\u{130}"),
            ("palmos", b"\x80\x8d", "\u{20ac}\u{2666}"),
            ("ptcp154", b"\x80\xc0", "\u{496}\u{410}"),
            ("viscii", b"\x80\x02\xe0", "\u{1ea0}\u{1eb2}\u{e0}"),
            ("tcvn", b"\x80\x01\xb5", "\u{c0}\u{da}\u{e0}"),
        ];
        let mut tables = std::collections::HashSet::new();
        for &(label, bytes, expected) in cases {
            let charset = Charset::for_label(label).unwrap_or_else(|| panic!("{label}"));
            if let Charset::Table(page) = charset {
                tables.insert(page.name);
            }
            assert_eq!(decode_as(label, bytes).0, expected, "{label}");
        }
        // Every table is checked above.
        let all: std::collections::HashSet<_> = ALIASES
            .iter()
            .filter_map(|(_, charset)| match charset {
                Charset::Table(page) => Some(page.name),
                Charset::Whatwg(_) => None,
            })
            .collect();
        assert_eq!(tables, all);
    }

    #[test]
    fn documents_in_a_code_page() {
        use super::super::decode::decode;
        let decoded = decode(
            b"<?xml version=\"1.0\" encoding=\"cp437\"?><t>\x80a \x9c</t>",
            None,
        );
        assert!(
            decoded.text.ends_with("<t>\u{c7}a \u{a3}</t>"),
            "{}",
            decoded.text
        );
        assert_eq!(decoded.encoding, "IBM437");
        assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);

        // The HTTP charset, in another spelling, wins over the declaration.
        let decoded = decode(
            b"<?xml version=\"1.0\" encoding=\"cp437\"?><t>\x80</t>",
            Some("\"IBM_855\""),
        );
        assert!(decoded.text.ends_with("<t>\u{452}</t>"), "{}", decoded.text);
        assert_eq!(decoded.encoding, "IBM855");

        // Undefined bytes are replaced, with a warning naming the encoding.
        let decoded = decode(b"<?xml version='1.0' encoding='cp856'?><t>\x9f</t>", None);
        assert!(
            decoded.text.ends_with("<t>\u{fffd}</t>"),
            "{}",
            decoded.text
        );
        assert_eq!(
            decoded.warnings,
            vec!["bytes that are not valid cp856 were replaced with U+FFFD"]
        );

        // UTF-8 labelled as a code page is read as UTF-8, as for any single-byte label.
        let doc = "<?xml version=\"1.0\" encoding=\"ibm850\"?><t>caf\u{e9}</t>";
        let decoded = decode(doc.as_bytes(), None);
        assert_eq!(decoded.text, doc);
        assert_eq!(
            decoded.warnings,
            vec!["the XML declaration says ibm850, but the bytes are UTF-8; read as UTF-8"]
        );

        // An underscore spelling of a WHATWG label.
        let decoded = decode(
            b"<?xml version=\"1.0\" encoding=\"windows_1251\"?><t>\xcf\xf0</t>",
            None,
        );
        assert!(
            decoded.text.ends_with("<t>\u{41f}\u{440}</t>"),
            "{}",
            decoded.text
        );
        assert_eq!(decoded.encoding, "windows-1251");
        assert!(decoded.warnings.is_empty());
    }

    #[test]
    fn undefined_bytes_are_replaced() {
        // cp856 leaves 0x9F undefined; VISCII's 0x41 is still `A`.
        let charset = Charset::for_label("cp856").unwrap();
        let (text, had_errors) = charset.decode(b"a\x9fb");
        assert_eq!(text, "a\u{fffd}b");
        assert!(had_errors);
        let (text, had_errors) = Charset::for_label("viscii").unwrap().decode(b"<a>A</a>");
        assert_eq!(text, "<a>A</a>");
        assert!(!had_errors);
    }

    #[test]
    fn every_alias_resolves_to_its_target() {
        assert!(ALIASES.windows(2).all(|pair| pair[0].0 < pair[1].0));
        // Without their separators, no two aliases name different encodings.
        let mut joined = std::collections::HashMap::new();
        for (alias, charset) in &ALIASES {
            let key: Vec<u8> = without_separators(alias).collect();
            let earlier = joined.insert(key, charset.name());
            assert!(earlier.is_none_or(|name| name == charset.name()), "{alias}");
        }
        for (alias, charset) in &ALIASES {
            assert_eq!(
                Charset::for_label(alias).map(Charset::name),
                Some(charset.name()),
                "{alias}"
            );
            // Written with hyphens and in capitals, as declarations do.
            let written = alias.replace('_', "-").to_ascii_uppercase();
            assert_eq!(
                Charset::for_label(&written).map(Charset::name),
                Some(charset.name()),
                "{written}"
            );
        }
    }

    #[test]
    fn labels_written_other_ways() {
        for (label, expected) in [
            ("windows_1251", Charset::Whatwg(WINDOWS_1251)),
            ("Windows 1251", Charset::Whatwg(WINDOWS_1251)),
            ("ms-cyrl", Charset::Whatwg(WINDOWS_1251)),
            ("MS-EE", Charset::Whatwg(WINDOWS_1250)),
            ("ms-ansi", Charset::Whatwg(WINDOWS_1252)),
            ("macroman", Charset::Whatwg(MACINTOSH)),
            ("mac", Charset::Whatwg(MACINTOSH)),
            ("csmacintosh", Charset::Whatwg(MACINTOSH)),
            ("866", Charset::Whatwg(IBM866)),
            ("utf8", Charset::Whatwg(UTF_8)),
            ("UTF_8", Charset::Whatwg(UTF_8)),
            ("437", Charset::Table(&codepages::CP437)),
            ("IBM437", Charset::Table(&codepages::CP437)),
            ("cspc8codepage437", Charset::Table(&codepages::CP437)),
            ("cp_is", Charset::Table(&codepages::CP861)),
            ("csPCp852", Charset::Table(&codepages::CP852)),
            ("IBM-855", Charset::Table(&codepages::CP855)),
            ("koi8_t", Charset::Table(&codepages::KOI8_T)),
            ("mac-cyrillic", Charset::Whatwg(encoding_rs::X_MAC_CYRILLIC)),
            ("maccentraleurope", Charset::Table(&codepages::MAC_LATIN2)),
            ("TCVN5712-1:1993", Charset::Table(&codepages::TCVN5712_1)),
            ("tcvn-5712", Charset::Table(&codepages::TCVN5712_1)),
        ] {
            assert_eq!(Charset::for_label(label), Some(expected), "{label}");
        }
        // WHATWG's reading of the labels it knows stands.
        assert_eq!(
            Charset::for_label("iso-8859-1"),
            Some(Charset::Whatwg(WINDOWS_1252))
        );
        assert_eq!(
            Charset::for_label("iso8859_1"),
            Some(Charset::Whatwg(WINDOWS_1252))
        );
        for label in [
            "klingon-8",
            "",
            "_",
            "cp",
            "ebcdic-cp-us",
            "x".repeat(200).as_str(),
            "cp437\u{e9}",
        ] {
            assert_eq!(Charset::for_label(label), None, "{label}");
        }
    }
}

//! Encoding labels → encodings, as a reader expects: the WHATWG label list (so
//! `iso-8859-1` reads as windows-1252, as browsers do), the names other software writes
//! for the same encodings (`windows_1251`, `ms-cyrl`, `macroman`, `cp_is`) and the
//! single-byte encodings `encoding_rs` lacks (DOS code pages, older Mac ones, KOI8-T,
//! VISCII, TCVN 5712). A label is looked up by its letters and digits alone, case
//! folded: `IBM-855`, `ibm_855` and `ibm855` are one name. Only encodings that read ASCII
//! bytes as ASCII are listed: a label is only ever read out of ASCII markup.

use std::borrow::Cow;

use encoding_rs::Encoding;

use super::codepages::ALIASES;

/// An encoding a document can be read in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Charset {
    Whatwg(&'static Encoding),
    Table(&'static Codepage),
}

/// Two charsets are one when they are the same static (`encoding_rs` compares its
/// encodings that way too); comparing 256 characters would say nothing more.
impl PartialEq for Charset {
    fn eq(&self, other: &Charset) -> bool {
        match (self, other) {
            (Charset::Whatwg(a), Charset::Whatwg(b)) => a == b,
            (Charset::Table(a), Charset::Table(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }
}

/// A single-byte, ASCII-compatible encoding as a table.
#[derive(Debug)]
pub(crate) struct Codepage {
    /// The name the decoded document reports (IANA's where it has one).
    pub name: &'static str,
    /// Every byte's character; U+FFFD where the encoding leaves the byte undefined.
    /// Bytes below 0x80 are ASCII except where VISCII and TCVN put capitals among the
    /// C0 controls.
    pub table: [char; 256],
}

impl Codepage {
    /// Returns the text and whether an undefined byte was replaced with U+FFFD.
    fn decode(&self, bytes: &[u8]) -> (String, bool) {
        let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
        let mut had_errors = false;
        for &byte in bytes {
            let c = self.table[usize::from(byte)];
            had_errors |= c == char::REPLACEMENT_CHARACTER;
            text.push(c);
        }
        (text, had_errors)
    }
}

impl Charset {
    /// Resolves a label (already without quotes and surrounding spaces). A label is
    /// letters, digits, spaces and `-_.:()+/`; anything else is no encoding's name.
    pub(crate) fn for_label(label: &str) -> Option<Charset> {
        if label.len() > MAX_LABEL || !label.bytes().all(is_label_byte) {
            return None;
        }
        let mut key = [0u8; MAX_LABEL];
        let mut len = 0;
        for byte in label.bytes().filter(u8::is_ascii_alphanumeric) {
            key[len] = byte.to_ascii_lowercase();
            len += 1;
        }
        let key = &key[..len];
        ALIASES
            .binary_search_by(|(alias, _)| alias.as_bytes().cmp(key))
            .ok()
            .map(|at| ALIASES[at].1)
    }

    /// The encoding's name: WHATWG's, or the table's.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Charset::Whatwg(encoding) => encoding.name(),
            Charset::Table(page) => page.name,
        }
    }

    pub(crate) fn is_single_byte(self) -> bool {
        match self {
            Charset::Whatwg(encoding) => encoding.is_single_byte(),
            Charset::Table(_) => true,
        }
    }

    /// Whether ASCII bytes mean themselves, as markup read before the label needs.
    pub(crate) fn is_ascii_compatible(self) -> bool {
        match self {
            Charset::Whatwg(encoding) => encoding.is_ascii_compatible(),
            Charset::Table(_) => true,
        }
    }

    /// Decodes an ASCII-compatible document (no BOM handling); returns whether anything
    /// was replaced with U+FFFD.
    pub(crate) fn decode(self, bytes: &[u8]) -> (Cow<'_, str>, bool) {
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

/// The bytes encoding names are written with (IANA's `ISO_8859-1:1987`,
/// `PC-Multilingual-850+euro`, `Windows 1251`).
fn is_label_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b" -_.:()+/".contains(&byte)
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
            ("cp864", b"\x80\xc8", "\u{b0}\u{fe91}"),
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
    fn labels_whose_ascii_is_not_ascii_are_refused() {
        use super::super::decode::decode;
        // In ISO-2022-JP `ESC $ B` makes `<a` half of a kanji: read as that, the markup
        // would be `<rss>釈</rss>`.
        for label in ["ISO_2022_JP", "iso-2022-jp", "csiso2022jp", "iso2022jp"] {
            let doc = format!("<?xml version='1.0' encoding='{label}'?><rss>\x1b$B<a\x1b(B</rss>");
            let decoded = decode(doc.as_bytes(), None);
            assert_eq!(decoded.text, doc, "{label}");
            assert_eq!(decoded.encoding, "UTF-8");
            assert_eq!(
                decoded.warnings,
                vec![format!(
                    "the XML declaration names encoding \"{label}\", which is not usable for this document; read as UTF-8"
                )]
            );
            let decoded = decode(b"<rss>\x1b$B<a\x1b(B</rss>", Some(label));
            assert_eq!(decoded.encoding, "UTF-8", "{label}");
            assert_eq!(
                decoded.warnings,
                vec![format!(
                    "the HTTP charset \"{label}\" is not a usable encoding for this document; ignored"
                )]
            );
        }
    }

    #[test]
    fn a_warning_prints_no_control_bytes() {
        use super::super::decode::decode;
        let decoded = decode(b"<rss/>", Some("cp437\u{1b}[2J\0"));
        assert_eq!(
            decoded.warnings,
            vec![
                "the HTTP charset \"cp437\\u{1b}[2J\\u{0}\" is not a usable encoding for this document; ignored"
            ]
        );
        let decoded = decode(b"<?xml version='1.0' encoding='<cp437>'?><rss/>", None);
        assert_eq!(decoded.encoding, "UTF-8");
        assert_eq!(decoded.warnings.len(), 1, "{:?}", decoded.warnings);
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
        for (alias, charset) in &ALIASES {
            assert!(
                alias
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            );
            assert_eq!(Charset::for_label(alias), Some(*charset), "{alias}");
            // Written in capitals, as declarations do.
            let written = alias.to_ascii_uppercase();
            assert_eq!(Charset::for_label(&written), Some(*charset), "{written}");
            // WHATWG's reading of a label it knows stands.
            if let Some(encoding) = Encoding::for_label(alias.as_bytes()) {
                assert_eq!(*charset, Charset::Whatwg(encoding), "{alias}");
            }
        }
    }

    #[test]
    fn every_target_reads_ascii_as_ascii() {
        for (alias, charset) in &ALIASES {
            assert!(charset.is_ascii_compatible(), "{alias}");
            if let Charset::Whatwg(encoding) = charset {
                assert!(encoding.is_ascii_compatible(), "{alias}");
            }
        }
        // The stateful ISO-2022-JP reads `\x1b$B<a\x1b(B` as one kanji: none of its
        // labels, in any spelling, is listed.
        for label in [
            "iso-2022-jp",
            "iso2022_jp",
            "iso2022jp",
            "ISO_2022_JP",
            "csiso2022jp",
        ] {
            assert_eq!(Charset::for_label(label), None, "{label}");
        }
    }

    #[test]
    fn no_table_changes_markup() {
        let markup = b"<>&'\"=/?! abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        for (alias, charset) in &ALIASES {
            if let Charset::Table(page) = charset {
                for &byte in markup {
                    assert_eq!(page.table[usize::from(byte)], char::from(byte), "{alias}");
                }
            }
        }
    }

    #[test]
    fn every_table_name_resolves_to_the_table() {
        for (_, charset) in &ALIASES {
            if let Charset::Table(page) = charset {
                assert_eq!(
                    Charset::for_label(page.name),
                    Some(*charset),
                    "{}",
                    page.name
                );
            }
        }
        for label in [
            "IBM00858",
            "CP00858",
            "CCSID00858",
            "csIBM00858",
            "PC-Multilingual-850+euro",
        ] {
            assert_eq!(
                Charset::for_label(label),
                Some(Charset::Table(&codepages::CP858)),
                "{label}"
            );
        }
    }

    #[test]
    fn cp864_keeps_the_percent_sign() {
        // URL escapes in an Arabic DOS feed stay URL escapes.
        let (text, _) = Charset::Table(&codepages::CP864).decode(b"a%20b\xc8");
        assert_eq!(text, "a%20b\u{fe91}");
    }

    #[test]
    fn tables_compare_by_identity() {
        let copy: &'static Codepage = Box::leak(Box::new(Codepage {
            name: codepages::CP437.name,
            table: codepages::CP437.table,
        }));
        assert_ne!(Charset::Table(copy), Charset::Table(&codepages::CP437));
        assert_eq!(
            Charset::Table(&codepages::CP437),
            Charset::Table(&codepages::CP437)
        );
        assert_ne!(
            Charset::Table(&codepages::CP437),
            Charset::Whatwg(WINDOWS_1252)
        );
    }

    #[test]
    fn whatwg_labels_in_other_spellings() {
        for (label, expected) in [
            ("windows_874", encoding_rs::WINDOWS_874),
            ("x_mac_cyrillic", encoding_rs::X_MAC_CYRILLIC),
            ("iso_8859_8_i", encoding_rs::ISO_8859_8_I),
            ("ks_c_5601_1989", encoding_rs::EUC_KR),
            ("KS C 5601-1989", encoding_rs::EUC_KR),
            ("sun_eu_greek", encoding_rs::ISO_8859_7),
            ("unicode_1_1_utf_8", UTF_8),
        ] {
            assert_eq!(
                Charset::for_label(label),
                Some(Charset::Whatwg(expected)),
                "{label}"
            );
        }
        // UTF-16, x-user-defined and `replacement` cannot describe an ASCII-readable
        // document.
        for label in [
            "utf-16",
            "x-user-defined",
            "utf_16le",
            "iso-2022-kr",
            "hz-gb-2312",
            "csiso2022kr",
        ] {
            assert_eq!(Charset::for_label(label), None, "{label}");
        }
    }

    #[test]
    fn labels_with_other_bytes_are_no_names() {
        for label in [
            "cp437\0",
            "<cp437>",
            "cp\u{1}437",
            "cp437\n",
            "cp\t437",
            "cp437;",
            "\"cp437\"",
            "cp437\u{e9}",
            "utf-8\u{7f}",
        ] {
            assert_eq!(Charset::for_label(label), None, "{label:?}");
        }
        for label in [
            "ISO_8859-1:1987",
            "(cp437)",
            "Windows 1251",
            "x-mac/ce",
            "TCVN5712-1.1993",
        ] {
            assert!(Charset::for_label(label).is_some(), "{label}");
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
            (
                "x-mac-centraleurroman",
                Charset::Table(&codepages::MAC_LATIN2),
            ),
            ("x-mac-ce", Charset::Table(&codepages::MAC_LATIN2)),
            ("csVISCII", Charset::Table(&codepages::VISCII)),
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

//! The attributes of a start tag read from its raw bytes in one pass.
//!
//! quick-xml's attribute iterator returns a `Result` and a `Cow` per attribute and walks
//! the tag byte by byte through a state machine: about 260 instructions an attribute, a
//! quarter of what a start tag cost the reader. [`scan`] reads the same attributes by the
//! same rules (those of quick-xml's HTML-mode iterator without its duplicate check, which
//! is how the reader has always used it: `name="value"`, `name='value'`, `name=value`
//! and a bare `name`, separated by XML whitespace) with a byte search to each `=` and
//! closing quote. A tag that iterator would report an error for (an `=` with no value
//! after it, a quote that never closes) is not read here: the caller goes through
//! quick-xml's iterator for it, so the repair and its warning stay exactly as they were.

/// One attribute as written in the document: its name and its value without quotes (`""`
/// for a bare name), both unprocessed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct RawAttribute<'a> {
    pub(super) key: &'a str,
    pub(super) value: &'a str,
}

/// The XML whitespace that separates attributes (quick-xml's `is_whitespace`).
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// Reads the attributes in `raw` (what follows a start tag's name, up to but not
/// including its `>` or `/>`) into `out` (cleared first), in document order, duplicates
/// included. `false` when the tag has an attribute quick-xml's iterator reports as an
/// error; `out` is then incomplete and the caller must read the tag through that
/// iterator instead.
// Inlined into its one caller, `Builder::start`: called on its own it cost 40
// instructions a tag more.
#[inline(always)]
pub(super) fn scan<'a>(raw: &'a str, out: &mut Vec<RawAttribute<'a>>) -> bool {
    out.clear();
    let bytes = raw.as_bytes();
    let len = bytes.len();
    let skip_space = |mut at: usize| {
        while at < len && is_space(bytes[at]) {
            at += 1;
        }
        at
    };
    let mut at = skip_space(0);
    while at < len {
        let key_start = at;
        // The name runs to the first `=` or whitespace after its first byte, which is
        // part of it whatever it is (`=x` is a name).
        at += 1;
        while at < len && bytes[at] != b'=' && !is_space(bytes[at]) {
            at += 1;
        }
        let key_end = at;
        if at < len && bytes[at] != b'=' {
            at = skip_space(at);
        }
        // A name without `=`: an attribute without a value; what follows (if anything)
        // starts the next name.
        if at >= len || bytes[at] != b'=' {
            let Some(key) = raw.get(key_start..key_end) else {
                return false;
            };
            out.push(RawAttribute { key, value: "" });
            continue;
        }
        // Past the `=`: the value, quoted or up to the next whitespace.
        at = skip_space(at + 1);
        let (value_start, value_end, next) = match bytes.get(at) {
            // `name=` at the end of the tag: an error.
            None => return false,
            Some(&quote @ (b'"' | b'\'')) => match memchr::memchr(quote, &bytes[at + 1..]) {
                Some(length) => (at + 1, at + 1 + length, at + 2 + length),
                // A quote that never closes: an error.
                None => return false,
            },
            Some(_) => {
                let end = bytes[at..]
                    .iter()
                    .position(|&byte| is_space(byte))
                    .map_or(len, |length| at + length);
                (at, end, end)
            }
        };
        match (raw.get(key_start..key_end), raw.get(value_start..value_end)) {
            (Some(key), Some(value)) => out.push(RawAttribute { key, value }),
            _ => return false,
        }
        at = skip_space(next);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::BytesStart;

    /// What quick-xml's HTML-mode iterator (without duplicate checks) reads from a start
    /// tag `t` followed by `raw`: the attributes, or `None` when it reports any error.
    fn quick_xml(raw: &str) -> Option<Vec<(String, String)>> {
        let content = format!("t{raw}");
        let tag = BytesStart::from_content(content.as_str(), 1);
        tag.html_attributes()
            .with_checks(false)
            .map(|attr| {
                attr.ok()
                    .map(|attr| (attr.key.0.to_string(), attr.value.to_string()))
            })
            .collect()
    }

    fn scanned(raw: &str) -> Option<Vec<(String, String)>> {
        let mut out = Vec::new();
        scan(raw, &mut out).then(|| {
            out.iter()
                .map(|attr| (attr.key.to_string(), attr.value.to_string()))
                .collect()
        })
    }

    #[test]
    fn reads_the_usual_forms() {
        let attrs = scanned(" url=\"http://x.org/a.mp3\" length='123'\n\ttype=audio/mpeg checked")
            .expect("no error");
        let attrs: Vec<(&str, &str)> = attrs
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        assert_eq!(
            attrs,
            [
                ("url", "http://x.org/a.mp3"),
                ("length", "123"),
                ("type", "audio/mpeg"),
                ("checked", ""),
            ]
        );
        // Duplicates are kept, values may hold the other quote and `>`.
        assert_eq!(
            scanned(" a=\"x'y>\" a = 'z\"' ").expect("no error"),
            [
                ("a".to_string(), "x'y>".to_string()),
                ("a".to_string(), "z\"".to_string())
            ]
        );
        assert_eq!(scanned(""), Some(Vec::new()));
        assert_eq!(scanned("  \n"), Some(Vec::new()));
    }

    #[test]
    fn refuses_what_quick_xml_reports() {
        assert_eq!(scanned(" a="), None);
        assert_eq!(scanned(" a=\"x"), None);
        assert_eq!(quick_xml(" a="), None);
        assert_eq!(quick_xml(" a=\"x"), None);
    }

    /// Every string of up to six bytes from the characters that matter to the rules (and
    /// a few long ones): the scan reads exactly what quick-xml's iterator reads, and
    /// refuses exactly the tags it reports an error for.
    #[test]
    fn agrees_with_quick_xml_on_every_short_tag() {
        const ALPHABET: &[u8] = b"a=\"' \t:";
        let mut checked = 0;
        for length in 0..=6u32 {
            for mut code in 0..ALPHABET.len().pow(length) {
                let mut raw = String::from(" ");
                for _ in 0..length {
                    raw.push(char::from(ALPHABET[code % ALPHABET.len()]));
                    code /= ALPHABET.len();
                }
                assert_eq!(scanned(&raw), quick_xml(&raw), "attributes of <t{raw}>");
                checked += 1;
            }
        }
        assert_eq!(checked, 137_257);
        for raw in [
            " xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\"",
            " href=\"https://x.org/?a=1&amp;b=2\" rel=alternate",
            " a = \"1\"b='2'c=3 d",
            " é=\"ü\" ñ",
            "\r\n\ta\r=\r'\n'",
        ] {
            assert_eq!(scanned(raw), quick_xml(raw), "attributes of <t{raw}>");
        }
    }

    /// Longer tags drawn at random (a fixed seed, so a failure repeats) from a wider
    /// alphabet: line ends, a form feed and a NUL (not separators), a non-ASCII letter,
    /// `>` and `/` (which reach the scan inside quoted values and through the lenient
    /// reader) and a namespace declaration's prefix. The scan agrees with quick-xml's
    /// iterator on every one, and both outcomes (read and refused) occur many times.
    #[test]
    fn agrees_with_quick_xml_on_random_tags() {
        const PIECES: &[&str] = &[
            "a", "=", "\"", "'", " ", "\n", "\r", "\t", "é", "\0", ">", "/", "\x0c", "xmlns:",
        ];
        let mut random = crate::test_random::Xorshift::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move |bound: usize| random.below(bound);
        let (mut read, mut refused) = (0, 0);
        let mut raw = String::new();
        for _ in 0..100_000 {
            raw.clear();
            raw.push(' ');
            for _ in 0..next(17) {
                raw.push_str(PIECES[next(PIECES.len())]);
            }
            let ours = scanned(&raw);
            assert_eq!(ours, quick_xml(&raw), "attributes of <t{raw:?}>");
            match ours {
                Some(_) => read += 1,
                None => refused += 1,
            }
        }
        assert!(
            read > 10_000 && refused > 10_000,
            "{read} read, {refused} refused"
        );
    }
}

//! `xml/…`: the document as XML, before any feed format: well-formed, UTF-8, only the
//! characters XML allows, `&` escaped, no `]]>` outside markup, HTML escaped once, and
//! namespace URIs exactly as their vocabularies define them.
//!
//! Decoding and the strict tree happen in [`load`]; problems the tree stepped over come
//! back in `XmlDoc::problems` and are reported by [`check`] with the rest.

use std::borrow::Cow;

use super::super::tree::{self, XmlDoc, is_xml_char, snippet};
use super::super::{Checker, Document, Rule, Severity};
use crate::ingest::feed::charset::Charset;
use crate::ingest::feed::ns;

pub const WELL_FORMED: Rule = Rule {
    id: "xml/well-formed",
    severity: Severity::Error,
    summary: "The document is well-formed XML: one root, every element closed by its own end tag.",
    reference: "XML 1.0 §2.1 Well-Formed XML Documents, https://www.w3.org/TR/xml/#sec-well-formed",
    explain: "A feed that is not well-formed XML is rejected by strict readers (Apple Podcasts, \
              many podcast apps) and guessed at by lenient ones, each differently. The finding \
              names the line where the parser gave up. Close every element with its own end \
              tag, keep one root element, and put nothing but comments and processing \
              instructions after it. Generate feeds with an XML writer rather than string \
              templates.",
};

pub const UTF8: Rule = Rule {
    id: "xml/utf8",
    severity: Severity::Error,
    summary: "The bytes are valid in the encoding the document declares (UTF-8 when it declares none).",
    reference: "XML 1.0 §4.3.3 Character Encoding in Entities, https://www.w3.org/TR/xml/#charencoding",
    explain: "A document without an encoding declaration (or declaring UTF-8) must be valid \
              UTF-8; a byte sequence that is not is a fatal error for XML parsers, and readers \
              that carry on show replacement characters. This usually comes from pasting text \
              saved as Windows-1252 into a UTF-8 template. Re-save the source text as UTF-8, \
              or declare the encoding the bytes really use.",
};

pub const ENCODING: Rule = Rule {
    id: "xml/encoding",
    severity: Severity::Warning,
    summary: "The document is encoded as UTF-8.",
    reference: "RSS Advisory Board best practices, https://www.rssboard.org/rss-profile#data-types-characterdata",
    explain: "Feeds in other encodings (ISO-8859-1, Windows-1252, UTF-16) are legal XML, but \
              JSON-based aggregators, podcast directories and many apps assume UTF-8 and \
              mangle everything outside ASCII. Write the feed as UTF-8 and declare \
              `<?xml version=\"1.0\" encoding=\"UTF-8\"?>`.",
};

pub const FORBIDDEN_CHARACTER: Rule = Rule {
    id: "xml/forbidden-character",
    severity: Severity::Error,
    summary: "No character XML 1.0 forbids (control characters other than tab, newline and carriage return; U+FFFE, U+FFFF), written or referenced.",
    reference: "XML 1.0 §2.2 Characters, https://www.w3.org/TR/xml/#charsets",
    explain: "Control characters such as U+0008 (backspace) or U+000C (form feed) usually come \
              from text pasted out of word processors. XML 1.0 forbids them even as character \
              references (`&#8;`), and strict parsers reject the whole feed. Remove them from \
              the source text.",
};

pub const UNESCAPED_AMPERSAND: Rule = Rule {
    id: "xml/unescaped-ampersand",
    severity: Severity::Error,
    summary: "Every `&` in text and attribute values is escaped as `&amp;` (or starts a reference).",
    reference: "XML 1.0 §2.4 Character Data and Markup, https://www.w3.org/TR/xml/#syntax",
    explain: "A bare `&` (as in `Q&A`, or a URL with `?a=1&b=2`) makes the document not \
              well-formed: strict readers reject the feed. Write `&amp;` in text and in \
              attribute values, or wrap text in CDATA.",
};

pub const UNDEFINED_ENTITY: Rule = Rule {
    id: "xml/undefined-entity",
    severity: Severity::Error,
    summary: "Only XML's five predefined entities (and numeric references) are used.",
    reference: "XML 1.0 §4.1 Character and Entity References, https://www.w3.org/TR/xml/#sec-references",
    explain: "HTML entities such as `&nbsp;`, `&eacute;` or `&rsquo;` are not defined in XML: \
              a feed using them is not well-formed. Write the character itself (the feed is \
              UTF-8) or a numeric reference (`&#160;`), or escape the HTML once more \
              (`&amp;nbsp;`) when it is HTML content.",
};

pub const UNBOUND_PREFIX: Rule = Rule {
    id: "xml/unbound-prefix",
    severity: Severity::Error,
    summary: "Every namespace prefix used (`itunes:`, `podcast:`) is declared with `xmlns:…`.",
    reference: "Namespaces in XML 1.0 §5 Namespace Constraint: Prefix Declared, https://www.w3.org/TR/xml-names/#nsc-NSDeclared",
    explain: "An element written `itunes:image` without `xmlns:itunes=\"…\"` on it or an \
              ancestor has no namespace: namespace-aware readers (Apple Podcasts among them) \
              do not see it as an iTunes tag at all. Declare every prefix on the root element.",
};

pub const CDATA_END: Rule = Rule {
    id: "xml/cdata-end",
    severity: Severity::Error,
    summary: "No `]]>` in text: a CDATA section cannot contain it.",
    reference: "XML 1.0 §2.4 Character Data and Markup, https://www.w3.org/TR/xml/#syntax",
    explain: "`]]>` ends a CDATA section, so content that contains it (code samples, nested \
              CDATA) ends the section early and the rest is read as text, where `]]>` is \
              forbidden. Split the sequence across two sections: `]]]]><![CDATA[>`, or \
              escape the text instead of using CDATA.",
};

pub const DOUBLE_ESCAPED: Rule = Rule {
    id: "xml/double-escaped",
    severity: Severity::Warning,
    summary: "HTML is escaped once: the text does not read as escaped markup (`&lt;p&gt;`) after XML decoding.",
    reference: "RSS Best Practices Profile, encoding HTML, https://www.rssboard.org/rss-profile#data-types-characterdata",
    explain: "HTML content is escaped once for XML (`&lt;p&gt;`) or wrapped in CDATA. Escaped \
              twice (`&amp;lt;p&amp;gt;`), readers show the tags as text: subscribers see \
              `<p>Hello</p>` instead of a paragraph. The finding quotes the text as it reads \
              after one decoding. Escape the HTML once.",
};

pub const NAMESPACE_URI: Rule = Rule {
    id: "xml/namespace-uri",
    severity: Severity::Error,
    summary: "Namespace URIs are written exactly as defined (case, scheme and trailing slash matter).",
    reference: "Namespaces in XML 1.0 §2.3 Comparing URI References, https://www.w3.org/TR/xml-names/#NSNameComparison; Apple Podcasts RSS requirements, https://podcasters.apple.com/support/823-podcast-requirements",
    explain: "Namespace URIs are compared character by character. \
              `http://www.itunes.com/DTDs/Podcast-1.0.dtd` is not the iTunes namespace \
              (`http://www.itunes.com/dtds/podcast-1.0.dtd`): Apple Podcasts ignores every \
              `itunes:` tag under it and rejects the show. The same holds for Atom \
              (`http://www.w3.org/2005/Atom`), content, Dublin Core and Media RSS. Copy the \
              URI from the specification.",
};

pub const NAMESPACE_LEGACY: Rule = Rule {
    id: "xml/namespace-legacy",
    severity: Severity::Warning,
    summary: "The Podcasting 2.0 namespace uses its current URI, https://podcastindex.org/namespace/1.0.",
    reference: "Podcasting 2.0 namespace, https://podcastindex.org/namespace/1.0",
    explain: "The namespace was first published at a GitHub URL; apps accept both today, but \
              the specification names `https://podcastindex.org/namespace/1.0`. Declare \
              `xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"`.",
};

pub const RULES: &[Rule] = &[
    WELL_FORMED,
    UTF8,
    ENCODING,
    FORBIDDEN_CHARACTER,
    UNESCAPED_AMPERSAND,
    UNDEFINED_ENTITY,
    UNBOUND_PREFIX,
    CDATA_END,
    DOUBLE_ESCAPED,
    NAMESPACE_URI,
    NAMESPACE_LEGACY,
];

/// Decodes `bytes` into the text the tree is built from (see [`tree`]); encoding
/// problems and forbidden characters are reported here.
pub fn text<'b>(bytes: &'b [u8], cx: &mut Checker) -> Cow<'b, str> {
    let text = decode(bytes, cx);
    forbidden_characters(&text, cx);
    text
}

/// The tree of `text` (from [`text`]), borrowing from it; what makes the document
/// unreadable is reported here.
pub fn tree<'t>(text: &'t str, cx: &mut Checker) -> Option<XmlDoc<'t>> {
    match tree::parse(text) {
        Ok(doc) => Some(doc),
        Err(unreadable) => {
            cx.report_at(
                &WELL_FORMED,
                Some(unreadable.line),
                None,
                format!("not well-formed: {}", unreadable.message),
            );
            None
        }
    }
}

pub fn check(doc: &Document, cx: &mut Checker) {
    let Document::Xml(doc) = doc else { return };
    for problem in &doc.problems {
        cx.report_at(
            problem.rule,
            Some(problem.line),
            None,
            problem.message.clone(),
        );
    }
    for declaration in &doc.declarations {
        namespace_uri(declaration, cx);
    }
    for el in doc.root.descendants() {
        double_escaped(el, cx);
    }
}

/// The document as text: UTF-8 (checked, and borrowed rather than copied: a build checks
/// every feed it writes), or the encoding its BOM or declaration names.
fn decode<'b>(bytes: &'b [u8], cx: &mut Checker) -> Cow<'b, str> {
    let (bom, body) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, length)) => (Some(encoding), &bytes[length..]),
        None => (None, bytes),
    };
    let declared = declared_encoding(body);
    // The declaration is read as the feed reader reads it (code pages, other spellings),
    // so a check speaks of the same text a build would ingest.
    let encoding = bom.map(Charset::Whatwg).or_else(|| {
        declared
            .as_deref()
            .and_then(|label| Charset::for_label(label.trim()))
    });
    match encoding {
        Some(encoding) if encoding != Charset::Whatwg(encoding_rs::UTF_8) => {
            cx.report_at(
                &ENCODING,
                Some(1),
                None,
                format!("the document is encoded as {}, not UTF-8", encoding.name()),
            );
            let (text, malformed) = encoding.decode(body);
            if malformed {
                cx.report_at(
                    &UTF8,
                    None,
                    None,
                    format!("bytes that are not valid {}", encoding.name()),
                );
            }
            Cow::Owned(text.into_owned())
        }
        _ => match std::str::from_utf8(body) {
            Ok(text) => Cow::Borrowed(text),
            Err(error) => {
                let at = error.valid_up_to();
                let line = memchr::memchr_iter(b'\n', &body[..at]).count() as u32 + 1;
                let bad: Vec<String> = body[at..]
                    .iter()
                    .take(error.error_len().unwrap_or(1))
                    .map(|b| format!("{b:02X}"))
                    .collect();
                cx.report_at(
                    &UTF8,
                    Some(line),
                    None,
                    format!(
                        "byte {} is not valid UTF-8 (after \"{}\")",
                        bad.join(" "),
                        snippet(
                            std::str::from_utf8(&body[at.saturating_sub(30)..at])
                                .unwrap_or_default(),
                            30
                        ),
                    ),
                );
                Cow::Owned(String::from_utf8_lossy(body).into_owned())
            }
        },
    }
}

/// The `encoding` of the XML declaration, if the document starts with one.
fn declared_encoding(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_string())
}

/// Reports characters XML 1.0 forbids, written literally (references are the tree's).
fn forbidden_characters(text: &str, cx: &mut Checker) {
    const MAX_REPORTED: usize = 10;
    // Almost every document has none: a byte scan (C0 controls other than tab, newline
    // and carriage return; U+FFFE and U+FFFF, encoded EF BF BE/BF) proves it without
    // decoding each character.
    let bytes = text.as_bytes();
    if !crate::ingest::feed::xml::has_control_characters(bytes)
        && !memchr::memmem::find_iter(bytes, b"\xEF\xBF")
            .any(|at| matches!(bytes.get(at + 2), Some(0xBE | 0xBF)))
    {
        return;
    }
    let mut line = 1u32;
    let mut found = 0usize;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        } else if !is_xml_char(c) && c != '\u{FFFD}' {
            found += 1;
            if found <= MAX_REPORTED {
                cx.report_at(
                    &FORBIDDEN_CHARACTER,
                    Some(line),
                    None,
                    format!("character U+{:04X}, which XML 1.0 forbids", c as u32),
                );
            }
        }
    }
    if found > MAX_REPORTED {
        cx.report_at(
            &FORBIDDEN_CHARACTER,
            None,
            None,
            format!(
                "{} more forbidden characters not listed",
                found - MAX_REPORTED
            ),
        );
    }
}

fn namespace_uri(declaration: &tree::Declaration, cx: &mut Checker) {
    let uri = &*declaration.uri;
    let canonical = ns::canonical(uri);
    let prefix = declaration
        .prefix
        .map(|p| format!("xmlns:{p}"))
        .unwrap_or_else(|| "xmlns".into());
    if uri == ns::PODCAST_GITHUB {
        cx.report_at(
            &NAMESPACE_LEGACY,
            Some(declaration.line),
            None,
            format!("{prefix}=\"{uri}\" is the old URI; use \"{}\"", ns::PODCAST),
        );
    } else if canonical != uri && canonical != ns::PODCAST {
        cx.report_at(
            &NAMESPACE_URI,
            Some(declaration.line),
            None,
            format!("{prefix}=\"{uri}\" should be exactly \"{canonical}\""),
        );
    } else if canonical == ns::PODCAST && uri != ns::PODCAST {
        // `http://`, a trailing slash or different case: not the namespace at all for
        // readers that compare strings.
        cx.report_at(
            &NAMESPACE_URI,
            Some(declaration.line),
            None,
            format!("{prefix}=\"{uri}\" should be exactly \"{}\"", ns::PODCAST),
        );
    }
}

/// Text that still reads as escaped markup after XML decoding, and has no real markup.
fn double_escaped(el: &tree::El, cx: &mut Checker) {
    let text = &el.text;
    // Most texts have no `&lt;`: one scan decides for them.
    if memchr::memmem::find(text.as_bytes(), b"&lt;").is_none() || text.contains('<') {
        return;
    }
    let escaped_tag = text.match_indices("&lt;").any(|(at, _)| {
        let after = &text[at + 4..];
        let after = after.strip_prefix('/').unwrap_or(after);
        after.starts_with(|c: char| c.is_ascii_alphabetic()) && after.contains("&gt;")
    });
    if escaped_tag {
        cx.report(
            &DOUBLE_ESCAPED,
            Some(el),
            None,
            format!(
                "<{}> reads \"{}\": its HTML is escaped twice",
                el.qname(),
                snippet(text.trim(), 50)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{fired, fires, quiet};

    const CLEAN: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" \
        xmlns:podcast=\"https://podcastindex.org/namespace/1.0\">\n\
        <channel><title>Q&amp;A</title><description>&lt;p&gt;Hi &amp;amp; bye&lt;/p&gt;</description>\n\
        <itunes:author>Me</itunes:author><podcast:locked>no</podcast:locked></channel></rss>";

    fn xml_ids(xml: &[u8]) -> Vec<&'static str> {
        fired(xml)
            .into_iter()
            .filter(|id| id.starts_with("xml/"))
            .collect()
    }

    #[test]
    fn a_clean_document_fires_no_xml_rule() {
        assert_eq!(xml_ids(CLEAN.as_bytes()), Vec::<&str>::new());
    }

    #[test]
    fn well_formed() {
        fires("xml/well-formed", b"<rss><channel></rss>");
        fires("xml/well-formed", b"<rss/><rss/>");
        quiet("xml/well-formed", CLEAN.as_bytes());
    }

    #[test]
    fn utf8_and_encoding() {
        fires(
            "xml/utf8",
            b"<rss><channel><title>caf\xE9</title></channel></rss>",
        );
        fires(
            "xml/encoding",
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><title>caf\xE9</title></rss>",
        );
        quiet(
            "xml/utf8",
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><title>caf\xE9</title></rss>",
        );
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "<rss><channel/></rss>".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        assert_eq!(xml_ids(&utf16), vec!["xml/encoding"]);
        quiet("xml/encoding", CLEAN.as_bytes());
    }

    #[test]
    fn code_pages_and_other_spellings_read_as_the_feed_reader_reads_them() {
        // The labels WHATWG does not list: only the encoding is reported, not the bytes.
        for doc in [
            &b"<?xml version=\"1.0\" encoding=\"cp437\"?><rss><title>\x80\x9c</title></rss>"[..],
            b"<?xml version=\"1.0\" encoding=\"windows_1251\"?><rss><title>\xcf\xf0</title></rss>",
        ] {
            assert_eq!(xml_ids(doc), vec!["xml/encoding"]);
        }
    }

    #[test]
    fn forbidden_characters_written_or_referenced() {
        fires(
            "xml/forbidden-character",
            b"<rss><title>a\x08b</title></rss>",
        );
        fires(
            "xml/forbidden-character",
            b"<rss><title>a&#x1;b</title></rss>",
        );
        quiet(
            "xml/forbidden-character",
            b"<rss><title>a\tb&#xA;</title></rss>",
        );
        // The noncharacters U+FFFE and U+FFFF written out, beside U+FFFD and U+FFFC (whose
        // encodings share their first two bytes), which are allowed.
        fires(
            "xml/forbidden-character",
            "<rss><title>a\u{FFFE}b</title></rss>".as_bytes(),
        );
        fires(
            "xml/forbidden-character",
            "<rss><title>\u{FFFD}\u{FFFF}</title></rss>".as_bytes(),
        );
        quiet(
            "xml/forbidden-character",
            "<rss><title>\u{FFFD}\u{FFFC}</title></rss>".as_bytes(),
        );
    }

    #[test]
    fn ampersands_and_entities() {
        fires("xml/unescaped-ampersand", b"<rss><title>Q&A</title></rss>");
        fires(
            "xml/unescaped-ampersand",
            b"<rss><link href=\"/?a=1&b=2\"/></rss>",
        );
        fires(
            "xml/undefined-entity",
            b"<rss><title>a&nbsp;b</title></rss>",
        );
        quiet("xml/unescaped-ampersand", CLEAN.as_bytes());
        quiet(
            "xml/undefined-entity",
            b"<rss><title>a&#160;b&apos;</title></rss>",
        );
    }

    #[test]
    fn unbound_prefix() {
        fires(
            "xml/unbound-prefix",
            b"<rss><itunes:author>Me</itunes:author></rss>",
        );
        quiet("xml/unbound-prefix", CLEAN.as_bytes());
    }

    #[test]
    fn cdata_end() {
        fires(
            "xml/cdata-end",
            b"<rss><description><![CDATA[code: a[b[1]]> c]]></description></rss>",
        );
        quiet(
            "xml/cdata-end",
            b"<rss><description><![CDATA[a]]]]><![CDATA[>b]]></description></rss>",
        );
    }

    #[test]
    fn double_escaped_html() {
        fires(
            "xml/double-escaped",
            b"<rss><description>&amp;lt;p&amp;gt;Hello&amp;lt;/p&amp;gt;</description></rss>",
        );
        // Escaped once, or real markup showing an escaped tag as code: fine.
        quiet("xml/double-escaped", CLEAN.as_bytes());
        quiet(
            "xml/double-escaped",
            b"<rss><description>&lt;code&gt;&amp;lt;p&amp;gt;&lt;/code&gt;</description></rss>",
        );
    }

    #[test]
    fn namespace_uris() {
        fires(
            "xml/namespace-uri",
            b"<rss xmlns:itunes=\"http://www.itunes.com/DTDs/Podcast-1.0.dtd\"/>",
        );
        fires(
            "xml/namespace-uri",
            b"<feed xmlns=\"https://www.w3.org/2005/Atom\"/>",
        );
        fires(
            "xml/namespace-uri",
            b"<rss xmlns:podcast=\"http://podcastindex.org/namespace/1.0\"/>",
        );
        fires(
            "xml/namespace-legacy",
            b"<rss xmlns:podcast=\"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md\"/>",
        );
        quiet("xml/namespace-uri", CLEAN.as_bytes());
        quiet("xml/namespace-legacy", CLEAN.as_bytes());
    }
}

//! Tests of the lenient reader: one per rule, on small documents written here.

use super::super::dom::{Element, Node};
use super::super::ns;
use super::*;

/// Reads `text`; the source is leaked so the tree can outlive this helper (tests only).
fn read_str(text: &str, base: Option<&url::Url>) -> Result<Document<'static>, ParseError> {
    let text: &'static str = Box::leak(text.to_string().into_boxed_str());
    let source: &'static Source<'static> = Box::leak(Box::new(Source::new(text)));
    read(source, base)
}

fn doc(text: &str) -> Document<'static> {
    match read_str(text, None) {
        Ok(document) => document,
        Err(error) => panic!("{error}: {text}"),
    }
}

fn child<'a>(element: Element<'a>, name: &str) -> Element<'a> {
    element
        .elements()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no <{name}> in <{}>", element.name))
}

fn path<'a>(root: Element<'a>, names: &[&str]) -> Element<'a> {
    names
        .iter()
        .fold(root, |element, name| child(element, name))
}

fn warned(document: &Document, needle: &str) -> bool {
    document.warnings.iter().any(|w| w.contains(needle))
}

#[test]
fn a_well_formed_feed_reads_without_warnings() {
    let document = doc(r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hello &amp; welcome</title>
<item><title>One</title><link>https://example.org/1</link></item></channel></rss>"#);
    assert!(document.warnings.is_empty(), "{:?}", document.warnings);
    assert_eq!(document.root().name, "rss");
    assert_eq!(document.root().attr("version"), Some("2.0"));
    let channel = child(document.root(), "channel");
    assert_eq!(child(channel, "title").text(), "Hello & welcome");
    assert_eq!(
        path(channel, &["item", "link"]).text(),
        "https://example.org/1"
    );
    assert_eq!(channel.children_named(None, "item").count(), 1);
}

#[test]
fn xml_and_numeric_entities() {
    let document = doc("<a>x&#233;&#xE9;&amp;amp;&lt;b&gt;&apos;&quot;</a>");
    assert_eq!(document.root().text(), "x\u{e9}\u{e9}&amp;<b>'\"");
    assert!(document.warnings.is_empty(), "{:?}", document.warnings);
    // References and the text around them are one text node.
    assert_eq!(document.root().nodes().count(), 1);
}

#[test]
fn html_entities_resolve_with_one_warning() {
    let document = doc("<a t=\"&eacute;\">&nbsp;x&eacute;&hellip;</a>");
    assert_eq!(document.root().text(), "\u{a0}x\u{e9}\u{2026}");
    assert_eq!(document.root().attr("t"), Some("\u{e9}"));
    assert_eq!(document.warnings.len(), 1, "{:?}", document.warnings);
    assert!(warned(&document, "&eacute; (4 times)"));
}

#[test]
fn windows_1252_references_and_double_encoding_are_repaired() {
    let document = doc(
        "<r><a>don&#146;t</a><b>&#226;&#128;&#166;</b><c>caf\u{c3}\u{a9}</c><d>\u{93}q\u{94}</d><e t=\"&#150;\"/></r>",
    );
    assert_eq!(child(document.root(), "a").text(), "don\u{2019}t");
    assert_eq!(child(document.root(), "b").text(), "\u{2026}");
    assert_eq!(child(document.root(), "c").text(), "caf\u{e9}");
    assert_eq!(child(document.root(), "d").text(), "\u{201c}q\u{201d}");
    assert_eq!(child(document.root(), "e").attr("t"), Some("\u{2013}"));
    assert!(document.warnings.is_empty(), "{:?}", document.warnings);
}

#[test]
fn repairs_and_line_ends_apply_wherever_they_fall_in_borrowed_text() {
    // The line-end and repair checks look for `\r` and the 0xC2 byte in one search: a
    // text with either, both, or a C2 that needs no repair (a no-break space).
    let document = doc(
        "<r><a>caf\u{c3}\u{a9}\r\nok</a><b>x\r\ndon\u{92}t</b><c>a\u{a0}b</c><d><![CDATA[\u{92}]]></d>\
         <e>\u{a0}\r</e><f>plain</f></r>",
    );
    let root = document.root();
    assert_eq!(child(root, "a").text(), "caf\u{e9}\nok");
    assert_eq!(child(root, "b").text(), "x\ndon\u{2019}t");
    assert_eq!(child(root, "c").text(), "a\u{a0}b");
    assert!(matches!(child(root, "c").text(), Cow::Borrowed(_)));
    assert_eq!(child(root, "d").text(), "\u{2019}");
    assert_eq!(child(root, "e").text(), "\u{a0}\n");
    assert!(matches!(child(root, "f").text(), Cow::Borrowed("plain")));
    assert!(document.warnings.is_empty(), "{:?}", document.warnings);
}

#[test]
fn undefined_entity_is_kept_as_text() {
    let document = doc("<a>x &foo; y &bar;</a>");
    assert_eq!(document.root().text(), "x &foo; y &bar;");
    assert_eq!(document.warnings.len(), 1, "{:?}", document.warnings);
    assert!(warned(&document, "&foo;"));
    assert!(warned(&document, "2 times"));
}

#[test]
fn bare_ampersands_are_text() {
    let document = doc("<a><t>AT&T rocks; Q&A</t><u>Tom & Jerry</u><v>fish &chips</v></a>");
    assert_eq!(child(document.root(), "t").text(), "AT&T rocks; Q&A");
    assert_eq!(child(document.root(), "u").text(), "Tom & Jerry");
    assert_eq!(child(document.root(), "v").text(), "fish &chips");
    assert_eq!(document.warnings.len(), 1, "{:?}", document.warnings);
    assert!(warned(&document, "bare `&`"));
}

#[test]
fn bare_ampersand_in_attribute() {
    let document = doc(r#"<a href="https://x.org/?a=1&b=2&amp;c=3"/>"#);
    assert_eq!(
        document.root().attr("href"),
        Some("https://x.org/?a=1&b=2&c=3")
    );
    assert!(warned(&document, "bare `&`"));
}

#[test]
fn less_than_that_starts_no_tag_is_text() {
    let document = doc("<a><t>1 < 2 and 3 <4 and <</t><u>x</u></a>");
    assert_eq!(child(document.root(), "t").text(), "1 < 2 and 3 <4 and <");
    assert_eq!(child(document.root(), "u").text(), "x");
    assert!(warned(&document, "`<`"));
}

#[test]
fn junk_before_the_declaration_is_skipped() {
    let document = doc("\n\n  garbage here\n<?xml version=\"1.0\"?>\n<rss><channel/></rss>");
    assert_eq!(document.root().name, "rss");
    assert_eq!(document.warnings.len(), 1, "{:?}", document.warnings);
    assert!(warned(&document, "garbage here"));
    // Whitespace alone is not worth a warning.
    assert!(doc("\n\n   <rss/>").warnings.is_empty());
}

#[test]
fn whitespace_before_the_declaration_is_a_repair() {
    let document = doc("\n\n<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss/>");
    assert_eq!(
        document.warnings,
        vec![
            "skipped whitespace before the XML declaration (it must start the document; strict XML readers reject the feed)"
        ]
    );
    // Without a declaration, whitespace before the root is allowed.
    assert!(doc("\n\n<rss/>").warnings.is_empty());
}

#[test]
fn forbidden_control_characters_are_removed() {
    let document = doc(
        "<rss><t>Notulen\u{c} Dorpsraad</t><d a=\"x\u{1}y\">V\u{1}\u{2} ok\u{8}\ttab</d></rss>",
    );
    assert_eq!(child(document.root(), "t").text(), "Notulen Dorpsraad");
    assert_eq!(child(document.root(), "d").text(), "V ok\ttab");
    assert_eq!(child(document.root(), "d").attr("a"), Some("xy"));
    assert_eq!(
        document.warnings,
        vec!["removed control characters that XML does not allow: U+000C (5 times)"]
    );
}

#[test]
fn control_characters_are_found_at_every_offset_of_a_chunk() {
    // Every byte below 0x20 and a few above, at each offset across two 64-byte chunks and
    // the tail: only the forbidden ones are found, and each exactly once.
    for length in [1, 63, 64, 65, 127, 128, 130] {
        for at in 0..length {
            for byte in (0u8..0x21).chain([0x7F, b'a']) {
                let mut text = vec![b'x'; length];
                text[at] = byte;
                let text = String::from_utf8(text).expect("ASCII");
                let forbidden = byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r');
                match without_control_characters(&text) {
                    Some((cleaned, first, count)) => {
                        assert!(forbidden, "{byte:#x} at {at} of {length}");
                        assert_eq!((first, count), (char::from(byte), 1));
                        assert_eq!(cleaned, "x".repeat(length - 1));
                    }
                    None => assert!(!forbidden, "{byte:#x} at {at} of {length}"),
                }
            }
        }
    }
}

#[test]
fn php_notice_before_the_feed_leaves_the_feed_as_root() {
    let document = doc(
        "<br />\n<b>Warning</b>:  Undefined variable in <b>/srv/feed.php</b> on line <b>12</b><br />\n<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Real</title></channel></rss>",
    );
    assert_eq!(document.root().name, "rss");
    assert_eq!(path(document.root(), &["channel", "title"]).text(), "Real");
    assert!(warned(&document, "outside the root"));
}

#[test]
fn doctype_with_external_entity_is_not_fetched() {
    let document = doc(r#"<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY remote SYSTEM "http://127.0.0.1:1/x"> ]>
<rss><channel><title>&xxe;&remote;</title></channel></rss>"#);
    assert_eq!(
        path(document.root(), &["channel", "title"]).text(),
        "&xxe;&remote;"
    );
    assert!(warned(&document, "DOCTYPE"));
    assert!(warned(&document, "&xxe;"));
    assert_eq!(document.doctype.as_deref(), Some("rss"));
}

#[test]
fn plain_text_doctype_entities_expand() {
    let document = doc(
        "<!DOCTYPE rss [\n  <!ENTITY id \"tag:example.com,\">\n]>\n<rss><guid>&id;2006-05-04:/blog/</guid><x a=\"&id;\"/></rss>",
    );
    assert_eq!(
        child(document.root(), "guid").text(),
        "tag:example.com,2006-05-04:/blog/"
    );
    assert_eq!(
        child(document.root(), "x").attr("a"),
        Some("tag:example.com,")
    );
    assert!(document.warnings.is_empty(), "{:?}", document.warnings);
}

#[test]
fn parameter_entities_are_ignored_silently() {
    let document = doc(
        "<?xml version=\"1.0\"?><!DOCTYPE rdf:RDF [\n<!ENTITY % HTMLlat1 PUBLIC\n \"-//W3C//ENTITIES Latin 1 for XHTML//EN\"\n \"http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent\">\n%HTMLlat1;\n]>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>",
    );
    assert_eq!(document.root().name, "RDF");
    assert!(document.warnings.is_empty(), "{:?}", document.warnings);
}

#[test]
fn external_dtd_and_entities_are_never_requested() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}/", listener.local_addr().expect("address"));
    let text = format!(
        "<!DOCTYPE rss SYSTEM \"{url}rss.dtd\" [<!ENTITY ext SYSTEM \"{url}ext\"> <!ENTITY % p SYSTEM \"{url}p\"> %p;]><rss>&ext;</rss>"
    );
    let document = doc(&text);
    assert_eq!(document.root().text(), "&ext;");
    match listener.accept() {
        Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
        Err(error) => panic!("{error}"),
        Ok((_, peer)) => panic!("the reader connected to {url} from {peer}"),
    }
}

#[test]
fn billion_laughs_is_not_expanded_and_is_fast() {
    let mut subset = String::from("<!ENTITY lol0 \"lol\">");
    for level in 1..10 {
        let previous = format!("&lol{};", level - 1);
        subset.push_str(&format!("<!ENTITY lol{level} \"{}\">", previous.repeat(10)));
    }
    let text = format!("<?xml version=\"1.0\"?><!DOCTYPE lolz [{subset}]><lolz>&lol9;</lolz>");
    let started = std::time::Instant::now();
    let document = doc(&text);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    assert_eq!(document.root().text(), "&lol9;");
}

#[test]
fn netscape_doctype_is_reported() {
    let document = doc(
        "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\"\n  \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n<rss version=\"0.91\"/>",
    );
    assert_eq!(
        document.doctype.as_deref(),
        Some(
            "rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\""
        )
    );
    assert!(document.warnings.is_empty());
}

#[test]
fn unclosed_tags_are_closed_by_the_parent_end_tag() {
    let document = doc(
        "<rss><channel><item><title>One<b>bold</item><item><title>Two</title></item></channel></rss>",
    );
    let channel = child(document.root(), "channel");
    let items: Vec<_> = channel.children_named(None, "item").collect();
    assert_eq!(items.len(), 2);
    assert_eq!(child(items[0], "title").text(), "Onebold");
    assert_eq!(child(items[1], "title").text(), "Two");
    assert!(warned(&document, "<b> (closed by </item>)"));
}

#[test]
fn a_text_element_left_open_is_closed_by_its_next_sibling() {
    let document = doc(
        "<rss><channel><item><title>Audities voor het najaar\n<link>https://x.example/a</link><description>D</description><itunes:duration>1:00</itunes:duration></item></channel></rss>",
    );
    let item = path(document.root(), &["channel", "item"]);
    assert_eq!(child(item, "title").text(), "Audities voor het najaar\n");
    assert_eq!(child(item, "link").text(), "https://x.example/a");
    assert_eq!(child(item, "description").text(), "D");
    assert!(
        warned(&document, "<title> (closed by <link>)"),
        "{:?}",
        document.warnings
    );

    // Markup that is content, not a sibling, stays inside.
    let document = doc(
        "<rss><item><title>A <b>bold</b> move</title><description><p>x<link rel=\"x\"/></p></description></item></rss>",
    );
    let item = child(document.root(), "item");
    assert_eq!(child(item, "title").text(), "A bold move");
    assert!(child(item, "title").child(None, "b").is_some());
    assert!(document.warnings.is_empty(), "{:?}", document.warnings);

    // Atom: an XHTML title keeps its div; an unclosed id ends at the next element.
    let document = doc(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">T</div></title><id>urn:x<updated>2024-01-01T00:00:00Z</updated></entry></feed>"#,
    );
    let entry = document
        .root()
        .child(Some(ns::ATOM10), "entry")
        .expect("entry");
    assert!(
        entry
            .child(Some(ns::ATOM10), "title")
            .and_then(|t| t.child(Some(ns::XHTML), "div"))
            .is_some()
    );
    assert_eq!(
        entry.child(Some(ns::ATOM10), "id").map(Element::text),
        Some("urn:x".into())
    );
    assert!(entry.child(Some(ns::ATOM10), "updated").is_some());
}

#[test]
fn stray_end_tags_are_ignored() {
    let document = doc("<rss><channel><title>T</bogus></title></p><link>L</link></channel></rss>");
    let channel = child(document.root(), "channel");
    assert_eq!(child(channel, "title").text(), "T");
    assert_eq!(child(channel, "link").text(), "L");
    assert!(warned(&document, "</bogus>"));
}

#[test]
fn end_tags_match_case_insensitively_as_a_fallback() {
    let document = doc("<item><pubDate>Mon</pubdate><title>T</title></item>");
    assert_eq!(child(document.root(), "pubDate").text(), "Mon");
    assert_eq!(child(document.root(), "title").text(), "T");
    assert!(document.warnings.is_empty(), "{:?}", document.warnings);
}

#[test]
fn truncated_documents_close_everything() {
    let document = doc("<rss><channel><title>T</title><item><title>Cut off her");
    let item = path(document.root(), &["channel", "item"]);
    assert_eq!(child(item, "title").text(), "Cut off her");
    assert!(warned(&document, "ends early"));

    // Cut inside a tag, a comment, or CDATA.
    let document = doc("<rss><channel><title>T</title><item a=\"1");
    assert_eq!(path(document.root(), &["channel", "title"]).text(), "T");
    assert!(warned(&document, "ends early"));
    let document = doc("<rss><channel><title>T</title><!-- never ends");
    assert_eq!(path(document.root(), &["channel", "title"]).text(), "T");
    let document = doc("<rss><d><![CDATA[<p>half");
    assert_eq!(child(document.root(), "d").text(), "<p>half");
    let document = doc("<rss><item><title><![CD\n\n");
    assert_eq!(path(document.root(), &["item", "title"]).text(), "");
    assert!(warned(&document, "ends early"));
    let document = doc("<rss version=\"2.0\">\n</rss");
    assert_eq!(document.root().attr("version"), Some("2.0"));
}

#[test]
fn attributes_without_quotes_or_values() {
    let document = doc(
        "<a><enclosure url=http://x.org/a.mp3 length=123 type=audio/mpeg/><input checked name='n'></input></a>",
    );
    let enclosure = child(document.root(), "enclosure");
    assert_eq!(enclosure.attr("url"), Some("http://x.org/a.mp3"));
    assert_eq!(enclosure.attr("length"), Some("123"));
    let input = child(document.root(), "input");
    assert_eq!(input.attr("checked"), Some(""));
    assert_eq!(input.attr("name"), Some("n"));
}

/// A tag with a malformed attribute (`z=` with no value) is read through quick-xml's
/// iterator instead of the one-pass scan: the attributes before it are kept, its namespace
/// declarations apply to the tag's own attributes and to its children, and the repair is
/// reported.
#[test]
fn a_malformed_attribute_keeps_the_rest_of_the_tag() {
    let document = doc(r#"<a xmlns:p="urn:x" x="1" p:y="2" z=><b p:v="3"/></a>"#);
    let root = document.root();
    assert_eq!(root.attr("x"), Some("1"));
    assert_eq!(root.attr_ns("urn:x", "y"), Some("2"));
    assert_eq!(root.attr("y"), None);
    assert_eq!(root.attr("z"), None);
    assert_eq!(root.attrs().len(), 2);
    assert_eq!(child(root, "b").attr_ns("urn:x", "v"), Some("3"));
    assert!(warned(&document, "recovered a malformed attribute: in <a>"));
    assert_eq!(document.warnings.len(), 1);

    // The same in an empty child tag, with a sibling after it whose attributes are read
    // by the scan again, in the namespace its parent declared.
    let document = doc(r#"<a xmlns:p="urn:x"><b x="1" p:y="2" z= /><c w='3' p:v=4/></a>"#);
    let b = child(document.root(), "b");
    assert_eq!(b.attr("x"), Some("1"));
    assert_eq!(b.attr_ns("urn:x", "y"), Some("2"));
    assert_eq!(b.attrs().len(), 2);
    let c = child(document.root(), "c");
    assert_eq!(c.attr("w"), Some("3"));
    assert_eq!(c.attr_ns("urn:x", "v"), Some("4"));
    assert!(warned(&document, "recovered a malformed attribute: in <b>"));
    assert_eq!(document.warnings.len(), 1);

    // Nothing can follow the error inside one tag: an attribute written after a bare `=`
    // is that attribute's unquoted value, as an HTML reader takes it, and no repair.
    let document = doc(r#"<a xmlns:p="urn:x" x="1" z= p:y="2"></a>"#);
    let root = document.root();
    assert_eq!(root.attr("x"), Some("1"));
    assert_eq!(root.attr("z"), Some("p:y=\"2\""));
    assert_eq!(root.attr_ns("urn:x", "y"), None);
    assert!(document.warnings.is_empty());
}

#[test]
fn cdata_is_literal_and_merged_with_text() {
    let document = doc("<d>a &amp; <![CDATA[<p>x &amp; y</p>]]> b</d>");
    assert_eq!(document.root().only_text(), Some("a & <p>x &amp; y</p> b"));
}

#[test]
fn plain_text_cdata_names_and_values_borrow_from_the_document() {
    let source = Source::new(
        "<rss a=\"1\" b=\"x&amp;y\"><t>plain</t><c><![CDATA[<p>html</p>]]></c>\
         <r>a &amp; b</r><n>x\r\ny</n><m>caf\u{c3}\u{a9}</m></rss>",
    );
    let document = read(&source, None).expect("reads");
    // Whether a string is a slice of the document text, not a copy of it.
    let range = source.text.as_bytes().as_ptr_range();
    let borrowed = |text: &str| range.contains(&text.as_ptr()) && !text.is_empty();
    let root = document.root();
    let text = |name: &str| child(root, name).text();
    assert_eq!(text("t"), "plain");
    assert!(borrowed(&text("t")));
    assert_eq!(text("c"), "<p>html</p>");
    assert!(borrowed(&text("c")));
    assert!(borrowed(root.name()));
    assert!(borrowed(&root.attrs()[0].value));
    // Decoded, normalised or repaired text is a copy, and right.
    assert_eq!(text("r"), "a & b");
    assert!(!borrowed(&text("r")));
    assert_eq!(text("n"), "x\ny");
    assert!(!borrowed(&text("n")));
    assert_eq!(text("m"), "caf\u{e9}");
    assert!(!borrowed(&text("m")));
    assert_eq!(root.attr("b"), Some("x&y"));
    assert!(!borrowed(&root.attrs()[1].value));
}

#[test]
fn lowercase_cdata_is_read_as_cdata() {
    let document = doc("<d><![cdata[<b>x</b>]]></d>");
    assert_eq!(document.root().text(), "<b>x</b>");
}

#[test]
fn comments_and_processing_instructions_are_dropped() {
    let document = doc("<a>x<!-- c -->y<?pi data?>z</a>");
    assert_eq!(document.root().only_text(), Some("xyz"));
}

#[test]
fn line_ends_are_normalised() {
    let document = doc("<a t=\"1\r\n2\">x\r\ny\rz<![CDATA[\r\n]]>&#13;</a>");
    // A character reference is content: `&#13;` stays a carriage return.
    assert_eq!(document.root().text(), "x\ny\nz\n\r");
    assert_eq!(document.root().attr("t"), Some("1 2"));
}

#[test]
fn default_and_prefixed_namespaces() {
    let document = doc(
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss">
<title>T</title><media:thumbnail url="u"/><div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div><x xmlns=""/></feed>"#,
    );
    let root = document.root();
    assert_eq!(root.ns(), Some(ns::ATOM10));
    assert!(root.child(Some(ns::ATOM10), "title").is_some());
    let thumbnail = root
        .child(Some(ns::MEDIA), "thumbnail")
        .expect("media:thumbnail");
    assert_eq!(thumbnail.prefix.as_deref(), Some("media"));
    // Unprefixed attributes have no namespace.
    assert!(thumbnail.attrs()[0].ns.is_none());
    let div = root.child(Some(ns::XHTML), "div").expect("xhtml div");
    assert!(div.child(Some(ns::XHTML), "p").is_some());
    assert!(root.child(None, "x").is_some());
    // Declarations are not kept as attributes.
    assert!(root.attrs().is_empty());
    assert!(document.warnings.is_empty(), "{:?}", document.warnings);
}

#[test]
fn a_default_namespace_ends_with_the_element_that_declared_it() {
    // Closed from the stack (`<div>`), closed as it opened (`<x/>`), and an inner
    // default undone while an outer one (`<b>`'s) stays.
    let document = doc(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><div xmlns="http://www.w3.org/1999/xhtml"><p/></div><a/><x xmlns=""/><b/><c xmlns="urn:c"><d xmlns="urn:d"/><e/></c><f/></feed>"#,
    );
    let root = document.root();
    let ns_of = |parent: Element<'_>, name: &str| {
        parent
            .elements()
            .find(|element| element.name() == name)
            .map(|element| element.ns().map(str::to_string))
    };
    let atom = Some(Some(ns::ATOM10.to_string()));
    assert_eq!(ns_of(root, "div"), Some(Some(ns::XHTML.to_string())));
    assert_eq!(ns_of(root, "a"), atom);
    assert_eq!(ns_of(root, "x"), Some(None));
    assert_eq!(ns_of(root, "b"), atom);
    let c = child(root, "c");
    assert_eq!(ns_of(c, "d"), Some(Some("urn:d".to_string())));
    assert_eq!(ns_of(c, "e"), Some(Some("urn:c".to_string())));
    assert_eq!(ns_of(root, "f"), atom);
}

/// The namespace of an element, `None` for none.
fn ns_name(element: Element<'_>) -> Option<String> {
    element.ns().map(str::to_string)
}

#[test]
fn a_default_namespace_ends_with_an_element_closed_by_recovery() {
    // An end tag closing elements left open: `</entry>` closes `<p>` and `<div>`, whose
    // XHTML default goes with it.
    let document = doc(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><div xmlns="http://www.w3.org/1999/xhtml"><p></entry><g/></feed>"#,
    );
    let root = document.root();
    let entry = child(root, "entry");
    assert_eq!(ns_name(entry), Some(ns::ATOM10.to_string()));
    let div = child(entry, "div");
    assert_eq!(ns_name(div), Some(ns::XHTML.to_string()));
    assert_eq!(ns_name(child(div, "p")), Some(ns::XHTML.to_string()));
    assert_eq!(ns_name(child(root, "g")), Some(ns::ATOM10.to_string()));
    assert!(
        warned(&document, "closed by </entry>"),
        "{:?}",
        document.warnings
    );

    // A text element closed by the next feed element: `<link>` is taken for a sibling
    // while the title's RSS 1.0 default is still in scope, closes the title, and then
    // opens outside that default, with no namespace.
    let document = doc(
        r#"<rss><channel><title xmlns="http://purl.org/rss/1.0/">T<link>u</link></channel></rss>"#,
    );
    let channel = child(document.root(), "channel");
    let title = child(channel, "title");
    assert_eq!(ns_name(title), Some(ns::RSS10.to_string()));
    assert_eq!(title.text(), "T");
    assert!(title.elements().next().is_none());
    let link = child(channel, "link");
    assert_eq!(ns_name(link), None);
    assert_eq!(link.text(), "u");
    assert!(
        warned(&document, "closed by <link>"),
        "{:?}",
        document.warnings
    );

    // A truncated document: an XHTML `<div>` closed earlier leaves the Atom default to
    // `<title>`; the one still open when the text ends keeps its own.
    let document = doc(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><div xmlns="http://www.w3.org/1999/xhtml"><p>a</p></div><title>T</title><content><div xmlns="http://www.w3.org/1999/xhtml"><p>half"#,
    );
    let entry = child(document.root(), "entry");
    let divs: Vec<_> = entry.elements().filter(|e| e.name == "div").collect();
    assert_eq!(divs.len(), 1);
    assert_eq!(ns_name(divs[0]), Some(ns::XHTML.to_string()));
    assert_eq!(ns_name(child(entry, "title")), Some(ns::ATOM10.to_string()));
    let content = child(entry, "content");
    assert_eq!(ns_name(content), Some(ns::ATOM10.to_string()));
    let p = path(content, &["div", "p"]);
    assert_eq!(ns_name(p), Some(ns::XHTML.to_string()));
    assert_eq!(p.text(), "half");
    assert!(warned(&document, "still open"), "{:?}", document.warnings);
}

#[test]
fn undeclared_well_known_prefix_is_bound_with_a_warning() {
    let document = doc(
        "<rss><channel><itunes:author>A</itunes:author><itunes:image href=\"i\"/><foo:bar>b</foo:bar></channel></rss>",
    );
    let channel = child(document.root(), "channel");
    assert_eq!(
        channel.child(Some(ns::ITUNES), "author").map(Element::text),
        Some("A".into())
    );
    assert!(channel.child(Some(ns::ITUNES), "image").is_some());
    let bar = channel.child(None, "bar").expect("foo:bar kept");
    assert_eq!(bar.prefix.as_deref(), Some("foo"));
    assert_eq!(document.warnings.len(), 2, "{:?}", document.warnings);
    assert!(warned(&document, "itunes:"));
    assert!(warned(&document, "foo:"));
}

#[test]
fn both_podcast_uris_and_custom_prefixes_are_one_namespace() {
    for declaration in [
        r#"xmlns:podcast="https://podcastindex.org/namespace/1.0""#,
        r#"xmlns:podcast="https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md""#,
    ] {
        let document = doc(&format!(
            "<rss {declaration}><podcast:locked>yes</podcast:locked></rss>"
        ));
        assert!(
            document.root().child(Some(ns::PODCAST), "locked").is_some(),
            "{declaration}"
        );
    }
    let document = doc(
        r#"<rss xmlns:pi="https://podcastindex.org/namespace/1.0" xmlns:it="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><pi:guid>g</pi:guid><it:explicit>no</it:explicit></rss>"#,
    );
    assert_eq!(
        document
            .root()
            .child(Some(ns::PODCAST), "guid")
            .map(Element::text),
        Some("g".into())
    );
    assert!(
        document
            .root()
            .child(Some(ns::ITUNES), "explicit")
            .is_some()
    );
    assert!(document.warnings.is_empty());
}

#[test]
fn prefixed_attributes_resolve() {
    let document = doc(
        r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item rdf:about="x"/></rdf:RDF>"#,
    );
    assert_eq!(document.root().ns(), Some(ns::RDF));
    let item = child(document.root(), "item");
    assert_eq!(item.attr_ns(ns::RDF, "about"), Some("x"));
    assert_eq!(item.attr("about"), None);
}

#[test]
fn namespace_uris_are_shared_not_copied() {
    let document = doc(r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry/><entry/></feed>"#);
    let entries: Vec<_> = document.root().elements().collect();
    let (Some(a), Some(b)) = (entries[0].ns(), entries[1].ns()) else {
        panic!("namespaces missing");
    };
    assert!(std::ptr::eq(a, b));
}

#[test]
fn xml_base_chains() {
    let base = url::Url::parse("http://example.org/feeds/atom.xml").expect("url");
    let document = read_str(
        r#"<feed xml:base="/blog/"><entry xml:base="2024/"><content xml:base="post/"><p/></content></entry><entry xml:base="https://other.example/x/"><link/></entry><entry/></feed>"#,
        Some(&base),
    )
    .expect("reads");
    let root = document.root();
    assert_eq!(root.base(), Some("http://example.org/blog/"));
    let entries: Vec<_> = root.elements().collect();
    assert_eq!(entries[0].base(), Some("http://example.org/blog/2024/"));
    let content = child(entries[0], "content");
    assert_eq!(content.base(), Some("http://example.org/blog/2024/post/"));
    assert_eq!(
        child(content, "p").base(),
        Some("http://example.org/blog/2024/post/")
    );
    assert_eq!(entries[1].base(), Some("https://other.example/x/"));
    assert_eq!(
        child(entries[1], "link").base(),
        Some("https://other.example/x/")
    );
    assert_eq!(entries[2].base(), Some("http://example.org/blog/"));
    // The attribute itself is kept, in the xml namespace.
    assert_eq!(root.attr_ns(ns::XML, "base"), Some("/blog/"));
}

#[test]
fn xml_base_without_a_document_url() {
    let document = doc(
        r#"<feed xml:base="relative/"><entry xml:base="http://a.example/b/"><x xml:base="c/"/></entry><y/></feed>"#,
    );
    assert_eq!(document.root().base(), Some("relative/"));
    let entry = child(document.root(), "entry");
    assert_eq!(child(entry, "x").base(), Some("http://a.example/b/c/"));
    assert_eq!(child(document.root(), "y").base(), Some("relative/"));
    // Every element of a document from a URL carries it.
    let base = url::Url::parse("https://e.example/feed").expect("url");
    let document = read_str("<rss><channel/></rss>", Some(&base)).expect("reads");
    assert_eq!(
        child(document.root(), "channel").base(),
        Some("https://e.example/feed")
    );
}

#[test]
fn base_and_lang_are_shared_between_elements() {
    let base = url::Url::parse("https://e.example/feed").expect("url");
    let document = read_str(r#"<rss xml:lang="nl"><a/><b/></rss>"#, Some(&base)).expect("reads");
    let children: Vec<_> = document.root().elements().collect();
    let (Some(a), Some(b)) = (children[0].base(), children[1].base()) else {
        panic!("base missing");
    };
    assert!(std::ptr::eq(a, b));
    let (Some(a), Some(b)) = (children[0].lang(), children[1].lang()) else {
        panic!("lang missing");
    };
    assert!(std::ptr::eq(a, b));
}

/// An `xml:base` or `xml:lang` that gives the enclosing value again keeps its string:
/// thousands of them add nothing to the tree's table.
#[test]
fn repeated_base_and_lang_add_no_strings() {
    let base = url::Url::parse("https://e.example/feed").expect("url");
    let text = format!(
        r#"<feed xml:base="/blog/" xml:lang="nl">{}<y xml:base="x/" xml:lang="en"/></feed>"#,
        r#"<x xml:base="" xml:lang="nl"/><x xml:base="/blog/"/>"#.repeat(2000)
    );
    let document = read_str(&text, Some(&base)).expect("reads");
    let root = document.root();
    assert_eq!(root.base(), Some("https://e.example/blog/"));
    let children: Vec<_> = root.elements().collect();
    assert_eq!(children.len(), 4001);
    for x in &children[..4000] {
        assert_eq!(x.base(), Some("https://e.example/blog/"));
        assert_eq!(x.lang(), Some("nl"));
    }
    assert_eq!(children[4000].base(), Some("https://e.example/blog/x/"));
    assert_eq!(children[4000].lang(), Some("en"));
    // The document URL, the xml namespace (of the attributes kept), the feed's base and
    // lang, and the last element's two.
    assert_eq!(document.tree.string_count(), 6);
    assert!(document.warnings.is_empty(), "{:?}", document.warnings);
}

/// An `xml:base` longer than 8 KiB once resolved is ignored, with a warning, and the
/// enclosing base kept; the elements inside resolve against that.
#[test]
fn an_overlong_base_is_ignored() {
    let base = url::Url::parse("https://e.example/feed").expect("url");
    let long = "a".repeat(200 * 1024);
    let text = format!(
        r#"<feed xml:base="https://e.example/{long}/">{}<entry xml:base="/blog/"><x xml:base="{long}/"><y xml:base="z/"/></x></entry></feed>"#,
        r#"<x xml:base=""/>"#.repeat(2000)
    );
    let document = read_str(&text, Some(&base)).expect("reads");
    let root = document.root();
    assert_eq!(root.base(), Some("https://e.example/feed"));
    assert!(
        root.elements()
            .take(2000)
            .all(|x| x.base() == Some("https://e.example/feed"))
    );
    let entry = child(root, "entry");
    assert_eq!(entry.base(), Some("https://e.example/blog/"));
    let x = child(entry, "x");
    assert_eq!(x.base(), Some("https://e.example/blog/"));
    assert_eq!(child(x, "y").base(), Some("https://e.example/blog/z/"));
    // The document URL, the xml namespace (of the attributes kept) and the two bases
    // that were taken.
    assert_eq!(document.tree.string_count(), 4);
    assert!(warned(&document, "ignored an `xml:base` longer than 8 KiB"));
    assert!(warned(&document, "(2 times)"), "{:?}", document.warnings);
    // Up to the limit a base is taken.
    let path = "b".repeat(builder::MAX_BASE - "https://e.example/".len());
    let document = read_str(&format!(r#"<feed xml:base="/{path}"/>"#), Some(&base)).expect("reads");
    assert_eq!(
        document.root().base().map(str::len),
        Some(builder::MAX_BASE)
    );
    assert!(document.warnings.is_empty(), "{:?}", document.warnings);
}

#[test]
fn xml_lang_is_inherited_and_can_be_reset() {
    let document = doc(
        r#"<feed xml:lang="en-US"><entry><title/></entry><entry xml:lang="nl"><title/></entry><entry xml:lang=""><title/></entry></feed>"#,
    );
    let entries: Vec<_> = document.root().elements().collect();
    assert_eq!(document.root().lang(), Some("en-US"));
    assert_eq!(child(entries[0], "title").lang(), Some("en-US"));
    assert_eq!(child(entries[1], "title").lang(), Some("nl"));
    assert_eq!(child(entries[2], "title").lang(), None);
}

#[test]
fn depth_is_capped_and_deep_trees_drop_safely() {
    let depth = 100_000;
    let text = format!(
        "<r>{}deep{}<after/></r>",
        "<d>".repeat(depth),
        "</d>".repeat(depth)
    );
    let document = doc(&text);
    let mut element = document.root();
    let mut levels = 1;
    while let Some(next) = element.child(None, "d") {
        element = next;
        levels += 1;
    }
    assert_eq!(levels, builder::MAX_DEPTH);
    assert_eq!(element.text(), "deep");
    // Closing tags of the flattened elements do not close their ancestors.
    assert!(document.root().child(None, "after").is_some());
    assert!(warned(&document, "deeper"));
    drop(document);

    // Void elements below the cap have no end tag to wait for.
    let text = format!(
        "<r>{}<br><img src=x>{}<after/></r>",
        "<d>".repeat(600),
        "</d>".repeat(600)
    );
    let document = doc(&text);
    assert!(document.root().child(None, "after").is_some());
}

#[test]
fn html_pages_read_with_void_elements() {
    let document = doc(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>Blog</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"><link rel="stylesheet" href="s.css">
</head><body><p>Hi<br>there<img src="a.png"></p></body></html>"#,
    );
    assert_eq!(document.root().name, "html");
    let head = child(document.root(), "head");
    assert_eq!(head.children_named(None, "link").count(), 2);
    assert_eq!(child(head, "title").text(), "Blog");
    let p = path(document.root(), &["body", "p"]);
    assert_eq!(p.inner_markup(), "Hi<br />there<img src=\"a.png\" />");
    assert_eq!(document.doctype.as_deref(), Some("html"));
}

#[test]
fn unescaped_html_in_a_description_keeps_its_shape() {
    let document = doc("<item><description><p>a<br>b</p><p>c</description><link>L</link></item>");
    let description = child(document.root(), "description");
    assert_eq!(description.inner_markup(), "<p>a<br />b</p><p>c</p>");
    assert_eq!(child(document.root(), "link").text(), "L");
}

#[test]
fn rss_link_is_not_void_outside_html() {
    let document = doc(
        "<rss><channel><link>https://x.org/</link><source url=\"u\">S</source></channel></rss>",
    );
    let channel = child(document.root(), "channel");
    assert_eq!(child(channel, "link").text(), "https://x.org/");
    assert_eq!(child(channel, "source").text(), "S");
}

#[test]
fn nothing_recoverable_is_an_error() {
    assert_eq!(read_str("", None), Err(ParseError::Empty));
    assert_eq!(read_str("  \n\t ", None), Err(ParseError::Empty));
    let error = read_str("Not Found", None).expect_err("plain text");
    assert_eq!(
        error.to_string(),
        "not valid XML: no element found; the document starts with \"Not Found\""
    );
    assert_eq!(
        read_str("<!-- only a comment -->", None),
        Err(ParseError::Empty)
    );
    assert_eq!(
        read_str("<?xml version=\"1.0\"?>\n", None),
        Err(ParseError::Empty)
    );
    assert!(matches!(read_str("&amp; <", None), Err(ParseError::Xml(_))));
}

#[test]
fn bom_left_in_text_is_ignored() {
    let document = doc("\u{feff}<rss/>");
    assert!(document.warnings.is_empty());
}

#[test]
fn encoding_in_the_declaration_is_ignored() {
    // The text is already decoded; the declaration must not change how it is read.
    let document = doc("<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\u{e9}\u{20ac}</a>");
    assert_eq!(document.root().text(), "\u{e9}\u{20ac}");
}

/// Inputs that would take quadratic time (or worse) if a recovery rescanned the rest of
/// the document each time. Linear reading takes well under a second even in a debug
/// build; the limit is generous so a busy machine does not fail the test.
#[test]
fn hostile_inputs_finish_quickly() {
    let cases = [
        "<a x=\"".repeat(100_000),
        "<".repeat(100_000),
        "&".repeat(100_000),
        "<a>".to_string() + &"<!".repeat(50_000),
        "<a>".to_string() + &"&#x".repeat(50_000),
        "<a ".to_string() + &"b='".repeat(50_000),
        "<d>".repeat(600) + &"</x>".repeat(20_000),
        "<d>".repeat(600) + &"</D>".repeat(20_000),
    ];
    for text in cases {
        let started = std::time::Instant::now();
        let _ = read_str(&text, None);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "slow on {}",
            &text[..20]
        );
    }
}

#[test]
fn truncation_is_one_warning() {
    let document = doc("<rss><channel><item><title>T</title><link>L</lin");
    assert_eq!(document.warnings.len(), 1, "{:?}", document.warnings);
    assert!(!warned(&document, "times"), "{:?}", document.warnings);
    assert_eq!(
        path(document.root(), &["channel", "item", "link"]).text(),
        "L"
    );
}

#[test]
fn nbsp_from_an_html_entity_is_kept() {
    let document = doc("<t>Pubquiz&nbsp;#12 &mdash; thema &lsquo;jaren tachtig&rsquo;</t>");
    assert_eq!(
        document.root().text(),
        "Pubquiz\u{a0}#12 \u{2014} thema \u{2018}jaren tachtig\u{2019}"
    );
    let document = doc("<t>&agrave; &euro;&nbsp;5</t>");
    assert_eq!(document.root().text(), "\u{e0} \u{20ac}\u{a0}5");
}

#[test]
fn layout_whitespace_between_feed_elements_is_not_kept() {
    let document = doc(
        "<rss>\n <channel>\n  <title> T </title>\n  <item>\n   <title>A</title>\n   \
         <description>\n <p>x</p>\n <item> </item>\n</description>\n  </item>\n </channel>\n</rss>",
    );
    let channel = child(document.root(), "channel");
    let item = child(channel, "item");
    for structure in [document.root(), channel, item] {
        assert!(
            structure
                .nodes()
                .all(|node| matches!(node, Node::Element(_))),
            "{:?}",
            structure.nodes().collect::<Vec<_>>()
        );
    }
    // Text elements keep their whitespace, and so does markup inside content, even
    // where it is named like a feed element.
    assert_eq!(child(channel, "title").text(), " T ");
    assert_eq!(
        child(item, "description").inner_markup(),
        "\n <p>x</p>\n <item> </item>\n"
    );
    // Text that is more than whitespace stays, whitespace around it included.
    let document =
        doc("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n <entry> x <id>1</id></entry></feed>");
    let entry = child(document.root(), "entry");
    assert_eq!(entry.text(), " x 1");
    assert_eq!(document.root().nodes().count(), 1);
}

#[test]
fn a_control_character_is_found_in_every_position_of_a_block() {
    // Blocks with allowed control characters in every chunk, and blocks with none (whose
    // chunks the survey passes over on their smallest byte).
    for unit in ["a\tb\r\n", "ab\u{e9}d\u{7f}"] {
        for length in [0, 1, 63, 64, 65, 200] {
            let clean = unit.repeat(length);
            assert!(!has_control_characters(clean.as_bytes()), "{length}");
            for at in 0..clean.len() {
                for forbidden in [0x00, 0x0B, 0x1F] {
                    let mut bytes = clean.clone().into_bytes();
                    bytes[at] = forbidden;
                    assert!(has_control_characters(&bytes), "{unit:?} {length} at {at}");
                }
            }
        }
    }
}

#[test]
fn the_survey_agrees_with_a_byte_by_byte_reading() {
    // Control characters (allowed and forbidden), carriage returns and letters, placed
    // anywhere in and around 64-byte chunks.
    const BYTES: &[u8] = b"a \t\n\r\x00\x0b\x1f\x7f\xc3";
    let mut random = crate::test_random::Xorshift::new(0x2545_F491_4F6C_DD1D);
    let (mut with_return, mut with_control) = (0, 0);
    for _ in 0..20_000 {
        let length = random.below(200);
        // A quarter of the bytes from `BYTES`, six of whose ten are below 0x20: one byte in
        // seven is, so nearly every 64-byte chunk takes the folds. Chunks holding a single
        // such byte are swept in `a_lone_carriage_return_is_found_at_every_offset_of_a_chunk`.
        let bytes: Vec<u8> = (0..length)
            .map(|_| match random.below(40) {
                0..=9 => BYTES[random.below(BYTES.len())],
                _ => b'x',
            })
            .collect();
        let survey = survey(&bytes);
        let forbidden = bytes
            .iter()
            .any(|&byte| byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r'));
        assert_eq!(survey.control, forbidden, "{bytes:?}");
        assert_eq!(survey.control, has_control_characters(&bytes), "{bytes:?}");
        assert_eq!(survey.carriage_return, bytes.contains(&b'\r'), "{bytes:?}");
        with_return += usize::from(survey.carriage_return);
        with_control += usize::from(survey.control);
    }
    assert!(with_return > 1_000 && with_return < 19_000, "{with_return}");
    assert!(
        with_control > 1_000 && with_control < 19_000,
        "{with_control}"
    );
}

#[test]
fn a_lone_carriage_return_is_found_at_every_offset_of_a_chunk() {
    // One `\r` in letters, at each offset across two 64-byte chunks and the tail, alone or
    // after a forbidden byte in the chunk before (which the survey finds first): the
    // survey, the source and the text read must agree with a byte-by-byte reading.
    for length in [1usize, 63, 64, 65, 127, 128, 130] {
        for at in 0..length {
            for forbidden_at in [None, at.checked_sub(64)] {
                let mut bytes = vec![b'x'; length];
                bytes[at] = b'\r';
                if let Some(before) = forbidden_at {
                    bytes[before] = 0x01;
                }
                let text = String::from_utf8(bytes.clone()).expect("ASCII");
                let context = format!("\\r at {at} of {length}, 0x01 at {forbidden_at:?}");
                assert_eq!(
                    survey(&bytes),
                    Survey {
                        control: forbidden_at.is_some(),
                        carriage_return: true,
                    },
                    "{context}"
                );
                let source = Source::new(&text);
                assert!(source.carriage_returns, "{context}");
                let kept: String = text.chars().filter(|&c| c != '\u{1}').collect();
                assert_eq!(&*source.text, kept, "{context}");

                // The same letters as an element's text, the `\r` read as a line end.
                let document = doc(&format!("<r>{text}</r>"));
                assert_eq!(
                    document.root().text(),
                    kept.replace('\r', "\n"),
                    "{context}"
                );
            }
        }
        let letters = "x".repeat(length);
        assert!(!survey(letters.as_bytes()).carriage_return, "{length}");
        assert!(!Source::new(&letters).carriage_returns, "{length}");
    }
}

#[test]
fn a_prefixed_element_with_attributes_closes_on_its_end_tag_in_any_case() {
    // The end tag compares with the start tag as written, exactly and then ignoring case;
    // in Dublin Core, whose text-only names the reader knows in any case, and in a
    // namespace it knows nothing of, whose names it does not fold.
    for uri in ["http://purl.org/dc/elements/1.1/", "http://example.org/ns"] {
        for (start, end) in [
            ("Dc:Creator", "dc:creator"),
            ("dc:creator", "DC:CREATOR"),
            ("dc:creator", "dc:creator"),
        ] {
            let text = format!(
                "<r xmlns:dc=\"{uri}\" xmlns:Dc=\"{uri}\">\
                 <{start} a=\"1\" b='2'>x</{end}><t>y</t></r>"
            );
            let document = doc(&text);
            let (prefix, name) = start.split_once(':').expect("prefixed");
            let creator = child(document.root(), name);
            assert_eq!(creator.prefix.as_deref(), Some(prefix), "{text}");
            assert_eq!(creator.text(), "x", "{text}");
            assert_eq!(creator.attr("a"), Some("1"), "{text}");
            assert_eq!(creator.attr("b"), Some("2"), "{text}");
            assert_eq!(child(document.root(), "t").text(), "y", "{text}");
            assert_eq!(document.root().elements().count(), 2, "{text}");
            assert!(
                document.warnings.is_empty(),
                "{text}: {:?}",
                document.warnings
            );
        }
    }
}

#[test]
fn text_reads_the_same_whether_the_document_holds_carriage_returns_or_not() {
    // The reader searches text for line ends only in a document holding a carriage
    // return. Random documents of text, references, CDATA and 0xC2 letters, with their
    // line ends written as `\r\n`, lone `\r` or `\n`, must read exactly as the same
    // documents with `\n` throughout; and a `\r` far from a piece (in a comment) must
    // change nothing.
    const PIECES: &[&str] = &[
        "a",
        "b c",
        "&amp;",
        "&lt;p&gt;",
        "\u{a0}",
        "caf\u{c3}\u{a9}",
        "don\u{92}t",
        "<![CDATA[x\ny]]>",
        "\n",
        "\n\n",
        " ",
        "\u{e9}",
    ];
    let mut random = crate::test_random::Xorshift::new(0x853C_49E6_748F_EA9B);
    for _ in 0..3_000 {
        let mut body = String::new();
        for _ in 0..random.below(12) {
            body.push_str(PIECES[random.below(PIECES.len())]);
        }
        let with_newlines = format!("<r><a t=\"1\">{body}</a><b>{body}x</b></r>");
        let expected = doc(&with_newlines);
        let texts = |document: &Document<'_>| {
            document
                .root()
                .elements()
                .map(|element| element.text().into_owned())
                .collect::<Vec<_>>()
        };
        // A lone `\r` only where no `\n` follows, which would join it into one line end.
        let mut written = String::new();
        let mut chars = with_newlines.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, random.below(3)) {
                ('\n', 0) => written.push_str("\r\n"),
                ('\n', 1) if chars.peek() != Some(&'\n') => written.push('\r'),
                _ => written.push(c),
            }
        }
        let far = with_newlines.replacen("<r>", "<r><!-- \r -->", 1);
        for text in [written, far] {
            let document = doc(&text);
            assert_eq!(texts(&document), texts(&expected), "{text:?}");
            assert_eq!(document.warnings, expected.warnings, "{text:?}");
        }
    }
}

//! The entry point: size limit, sniffing by content (never by name), dispatch on the root
//! element, and the errors for what is not a feed.

use super::*;

fn parse_str(text: &str) -> Result<Feed, ParseError> {
    parse(text.as_bytes(), &ParseOptions::default())
}

#[test]
fn documents_over_the_limit_are_refused_before_reading() {
    let options = ParseOptions {
        max_bytes: 10,
        ..ParseOptions::default()
    };
    let error = parse(b"<rss><channel></channel></rss>", &options).unwrap_err();
    assert_eq!(
        error,
        ParseError::TooLarge {
            size: 30,
            limit: 10
        }
    );
    assert_eq!(
        error.to_string(),
        "document is 30 bytes, over the limit of 10 bytes; raise --max-bytes if it is really a feed"
    );
}

#[test]
fn empty_documents() {
    assert_eq!(parse_str(""), Err(ParseError::Empty));
    assert_eq!(parse_str("\u{feff} \n"), Err(ParseError::Empty));
    assert_eq!(
        parse(b"\xef\xbb\xbf  ", &ParseOptions::default()),
        Err(ParseError::Empty)
    );
}

#[test]
fn sniffing_goes_by_content() {
    let json = parse_str(" \n{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": []}");
    assert_eq!(json.map(|feed| feed.format), Ok(Format::JsonFeed11));
    let rss = parse_str("\u{feff}<?xml version=\"1.0\"?>\n<!-- c --><rss><channel/></rss>");
    assert_eq!(rss.map(|feed| feed.format), Ok(Format::Rss20));
    let atom = parse_str("<feed xmlns='http://www.w3.org/2005/Atom'/>");
    assert_eq!(atom.map(|feed| feed.format), Ok(Format::Atom10));
}

#[test]
fn html_pages_name_their_feeds() {
    let page = r#"<!DOCTYPE html><html><head>
        <link rel="alternate" type="application/rss+xml" href="/feed.xml">
        <link rel="alternate" type="application/atom+xml" href="https://other.example/atom">
        </head><body>Hi</body></html>"#;
    let options = ParseOptions {
        base_url: url::Url::parse("https://blog.example/about/").ok(),
        ..ParseOptions::default()
    };
    let error = parse(page.as_bytes(), &options).unwrap_err();
    assert_eq!(
        error.to_string(),
        "got an HTML page, not a feed; use one of its feeds: https://blog.example/feed.xml, https://other.example/atom"
    );
    // XHTML served as XML is an HTML page too.
    let xhtml = parse_str(r#"<html xmlns="http://www.w3.org/1999/xhtml"><head/><body/></html>"#);
    assert_eq!(
        xhtml.unwrap_err().to_string(),
        "got an HTML page, not a feed; it links to no feed (no <link rel=\"alternate\">)"
    );
}

#[test]
fn other_xml_is_not_a_feed() {
    let error =
        parse_str(r#"<?xml version="1.0"?><opml version="2.0"><body/></opml>"#).unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a feed: the root element is <opml>, not <rss>, <rdf:RDF> or <feed>"
    );
    let error = parse_str("<x:doc xmlns:x='urn:x'/>").unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a feed: the root element is <x:doc>, not <rss>, <rdf:RDF> or <feed>"
    );
}

#[test]
fn text_without_any_element_is_an_xml_error() {
    let error = parse_str("this is just text").unwrap_err();
    assert!(matches!(error, ParseError::Xml(_)), "{error:?}");
}

#[test]
fn a_bare_channel_is_read_as_rss() {
    let feed = parse_str("<channel><title>T</title><item><title>I</title></item></channel>");
    let feed = feed.unwrap_or_default();
    assert_eq!(feed.title.as_deref(), Some("T"));
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(
        feed.warnings,
        vec!["the document is a bare <channel> without <rss>; read as RSS 2.0"]
    );
}

#[test]
fn reader_and_decoder_warnings_come_first() {
    let feed = parse(
        b"<rss><channel><title>caf\xe9</title><item><pubDate>x</pubDate></item></channel></rss>",
        &ParseOptions::default(),
    );
    let feed = feed.unwrap_or_default();
    assert_eq!(feed.title.as_deref(), Some("café"));
    assert!(feed.warnings.len() >= 2, "{:?}", feed.warnings);
    assert_eq!(
        feed.warnings.last().map(String::as_str),
        Some("entry 1: pubDate \"x\" is not a date omroep can read; omitted")
    );
}

#[test]
fn warnings_are_capped_with_a_count_of_the_rest() {
    let items = "<item><pubDate>never</pubDate></item>".repeat(150);
    let feed = parse_str(&format!("<rss><channel>{items}</channel></rss>")).unwrap_or_default();
    assert_eq!(feed.entries.len(), 150);
    assert_eq!(feed.warnings.len(), context::MAX_WARNINGS + 1);
    assert_eq!(
        feed.warnings[0],
        "entry 1: pubDate \"never\" is not a date omroep can read; omitted"
    );
    assert_eq!(
        feed.warnings.last().map(String::as_str),
        Some("50 more warnings were left out")
    );
}

#[test]
fn gzip_bytes_are_named_as_such() {
    let error = parse(
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
        &ParseOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a feed: the document is gzip-compressed data; decompress it first"
    );
}

#[test]
fn json_that_is_no_feed_is_an_error_not_an_empty_feed() {
    let error = parse_str(r#"{"error": {"code": 429, "message": "slow down"}}"#).unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a feed: JSON without \"version\" or \"items\"; a JSON Feed has both"
    );
    // Either key alone is enough to be read (with warnings) as a feed.
    assert!(parse_str(r#"{"items": []}"#).is_ok());
    assert!(parse_str(r#"{"version": "https://jsonfeed.org/version/1.1"}"#).is_ok());
}

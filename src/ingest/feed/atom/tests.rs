//! Atom 1.0 and 0.3 mapping rules, each on a small inline document.

use chrono::{TimeZone, Utc};

use crate::ingest::feed::{ParseOptions, parse};
use crate::model::{Category, Enclosure, Feed, Format, Person};

fn read(xml: &str) -> Feed {
    read_at(xml, None)
}

fn read_at(xml: &str, url: Option<&str>) -> Feed {
    let options = ParseOptions {
        base_url: url.and_then(|url| url::Url::parse(url).ok()),
        ..ParseOptions::default()
    };
    match parse(xml.as_bytes(), &options) {
        Ok(feed) => feed,
        Err(error) => panic!("test document did not parse: {error}"),
    }
}

fn atom10(body: &str) -> Feed {
    read(&format!(
        r#"<feed xmlns="http://www.w3.org/2005/Atom">{body}</feed>"#
    ))
}

fn atom03(body: &str) -> Feed {
    read(&format!(
        r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#">{body}</feed>"#
    ))
}

#[test]
fn versions_by_namespace_then_version_attribute() {
    assert_eq!(atom10("").format, Format::Atom10);
    assert_eq!(atom03("").format, Format::Atom03);
    let bare = read(r#"<feed version="0.3"><title>x</title></feed>"#);
    assert_eq!(bare.format, Format::Atom03);
    assert_eq!(bare.title.as_deref(), Some("x"));
    assert_eq!(
        bare.warnings,
        vec!["the feed element is not in an Atom namespace; read as atom0.3"]
    );
    let bare = read(r#"<feed xmlns="http://purl.org/echo/"><title>y</title></feed>"#);
    assert_eq!(bare.format, Format::Atom10);
    assert_eq!(bare.title.as_deref(), Some("y"));
}

#[test]
fn feed_fields() {
    let feed = atom10(
        r#"<title>Example Atom</title>
        <subtitle>Example subtitle</subtitle>
        <rights>Example rights</rights>
        <updated>2003-12-31T10:14:55Z</updated>
        <generator uri="http://example.com/" version="2.65">Example generator</generator>
        <author><name>Example author</name><email>me@example.com</email><uri>http://example.com/</uri></author>
        <category term="atom10" scheme="http://feedparser.org/tests/" label="Atom 1.0 tests"/>
        <link rel="alternate" type="text/html" href="http://www.example.com/"/>
        <link rel="self" href="http://www.example.com/feed.atom"/>
        <logo>http://example.com/logo.png</logo>
        <icon>http://example.com/favicon.ico</icon>"#,
    );
    assert_eq!(feed.title.as_deref(), Some("Example Atom"));
    assert_eq!(feed.description.as_deref(), Some("Example subtitle"));
    assert_eq!(feed.description_html, None);
    assert_eq!(feed.copyright.as_deref(), Some("Example rights"));
    assert_eq!(
        feed.updated,
        Some(Utc.with_ymd_and_hms(2003, 12, 31, 10, 14, 55).unwrap())
    );
    assert_eq!(feed.generator.as_deref(), Some("Example generator"));
    assert_eq!(
        feed.authors,
        vec![Person {
            name: Some("Example author".into()),
            email: Some("me@example.com".into()),
            uri: Some("http://example.com/".into()),
        }]
    );
    assert_eq!(
        feed.categories,
        vec![Category {
            term: "atom10".into(),
            label: Some("Atom 1.0 tests".into()),
            scheme: Some("http://feedparser.org/tests/".into()),
            subcategories: vec![],
        }]
    );
    assert_eq!(feed.link.as_deref(), Some("http://www.example.com/"));
    assert_eq!(
        feed.self_link.as_deref(),
        Some("http://www.example.com/feed.atom")
    );
    assert_eq!(
        feed.image.map(|image| image.url).as_deref(),
        Some("http://example.com/logo.png")
    );
}

#[test]
fn icon_is_the_image_without_a_logo() {
    let feed = atom10("<icon>/favicon.ico</icon><link href='http://example.com/'/>");
    assert_eq!(
        feed.image.map(|image| image.url).as_deref(),
        Some("http://example.com/favicon.ico")
    );
}

#[test]
fn atom_0_3_names() {
    let feed = atom03(
        r#"<title>T</title><tagline>Example tagline</tagline><copyright>Example copyright</copyright>
        <modified>2004-01-01T19:48:21Z</modified>
        <author><name>A</name><url>http://example.com/</url></author>
        <entry><id>tag:example.com,2004:1</id><title>E</title>
        <issued>2003-12-31T10:14:55Z</issued><modified>2004-01-01T19:48:21Z</modified>
        <created>2003-12-30T10:14:55Z</created></entry>"#,
    );
    assert_eq!(feed.description.as_deref(), Some("Example tagline"));
    assert_eq!(feed.copyright.as_deref(), Some("Example copyright"));
    assert_eq!(
        feed.updated,
        Some(Utc.with_ymd_and_hms(2004, 1, 1, 19, 48, 21).unwrap())
    );
    assert_eq!(feed.authors[0].uri.as_deref(), Some("http://example.com/"));
    let entry = &feed.entries[0];
    assert_eq!(entry.id, "tag:example.com,2004:1");
    assert_eq!(
        entry.published,
        Some(Utc.with_ymd_and_hms(2003, 12, 31, 10, 14, 55).unwrap())
    );
    assert_eq!(
        entry.updated,
        Some(Utc.with_ymd_and_hms(2004, 1, 1, 19, 48, 21).unwrap())
    );
}

#[test]
fn created_is_the_published_date_only_without_issued() {
    let feed = atom03("<entry><created>2003-12-30T10:14:55Z</created></entry>");
    assert_eq!(
        feed.entries[0].published,
        Some(Utc.with_ymd_and_hms(2003, 12, 30, 10, 14, 55).unwrap())
    );
}

#[test]
fn entry_id_is_kept_exactly_as_given() {
    for id in [
        "http://www.EXAMPLE.org/thing",
        "HTTP://www.example.org/thing",
        "http://www.example.com/%7ebob",
        "http://www.example.com/~bob",
    ] {
        let feed = atom10(&format!("<entry><id>  {id} </id></entry>"));
        assert_eq!(feed.entries[0].id, id);
        assert_eq!(feed.entries[0].guid.as_deref(), Some(id));
        assert_eq!(feed.entries[0].guid_is_permalink, None);
    }
}

#[test]
fn the_id_child_of_entry_wins_over_nested_ones() {
    let feed = atom10(
        r#"<entry><source><id>wrong</id><title>Wrong</title></source><id>right</id><title>Right</title></entry>"#,
    );
    assert_eq!(feed.entries[0].id, "right");
    assert_eq!(feed.entries[0].title.as_deref(), Some("Right"));
}

#[test]
fn link_without_rel_is_alternate_and_html_alternates_win() {
    let feed = atom10(
        r#"<entry>
        <link rel="alternate" type="application/atom+xml" href="http://www.example.com/entry.atom"/>
        <link rel="enclosure" type="audio/mpeg" length="1337" href="http://www.example.com/a.mp3"/>
        <link rel="enclosure"/>
        <link rel="service.edit" href="http://www.example.com/edit"/>
        <link href="http://www.example.com/alternate"/>
        </entry>"#,
    );
    let entry = &feed.entries[0];
    assert_eq!(
        entry.link.as_deref(),
        Some("http://www.example.com/alternate")
    );
    assert_eq!(
        entry.enclosures,
        vec![Enclosure {
            url: "http://www.example.com/a.mp3".into(),
            mime_type: Some("audio/mpeg".into()),
            length: Some(1337),
        }]
    );
    assert_eq!(entry.id, "http://www.example.com/alternate");
}

#[test]
fn text_constructs_of_type_text_are_literal() {
    let feed = atom10(
        r#"<title type="text">History of the &lt;blink&gt; tag</title>
        <entry><title>Example   Atom</title>
        <content type="text">1 &lt; 2</content></entry>"#,
    );
    assert_eq!(feed.title.as_deref(), Some("History of the <blink> tag"));
    let entry = &feed.entries[0];
    assert_eq!(entry.title.as_deref(), Some("Example Atom"));
    assert_eq!(entry.content_html.as_deref(), Some("1 &lt; 2"));
}

#[test]
fn xhtml_text_constructs_take_the_div_content() {
    let feed = atom10(
        r#"<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">History of the &lt;blink&gt; tag</div></title></entry>"#,
    );
    assert_eq!(
        feed.entries[0].title.as_deref(),
        Some("History of the <blink> tag")
    );
}

#[test]
fn base64_content_is_decoded() {
    let feed = atom03(
        r#"<entry><title mode="base64" type="text/plain">RXhhbXBsZSBBdG9t</title>
        <content mode="base64">
          RXhhbXBsZSBBdG9t
        </content>
        <summary mode="base64">bm90IGJhc2U2NCE=!</summary></entry>"#,
    );
    let entry = &feed.entries[0];
    assert_eq!(entry.title.as_deref(), Some("Example Atom"));
    assert_eq!(entry.content_html.as_deref(), Some("Example Atom"));
    assert_eq!(
        feed.warnings,
        vec!["entry 1: summary is declared base64 but is not; omitted"]
    );
}

#[test]
fn binary_content_is_not_text() {
    let feed = atom10(
        r#"<entry><title>pic</title><content type="image/png">iVBORw0KGgo=</content></entry>"#,
    );
    assert_eq!(feed.entries[0].content_html, None);
    assert_eq!(feed.entries[0].summary, None);
}

#[test]
fn a_text_construct_of_another_media_type_is_text() {
    // "test" is valid base64 too, for bytes that are not text: only content may be
    // base64 in Atom 1.0, so the title is the word itself.
    let feed = atom10(
        r#"<title type="application/x-custom">Show</title>
        <entry><title type="application/x-custom">test</title>
        <summary type="image/png">A summary</summary></entry>"#,
    );
    assert_eq!(feed.title.as_deref(), Some("Show"));
    assert_eq!(feed.entries[0].title.as_deref(), Some("test"));
    assert_eq!(feed.entries[0].summary.as_deref(), Some("A summary"));
}

#[test]
fn content_of_another_type_that_is_not_base64_is_its_text() {
    let feed = atom10(
        r#"<entry><content type="application/json">{"a": 1}</content></entry>
        <entry><content type="application/octet-stream">aGVsbG8gd29ybGQ=</content></entry>"#,
    );
    assert_eq!(
        feed.entries[0].content_html.as_deref(),
        Some("{&quot;a&quot;: 1}")
    );
    assert_eq!(feed.entries[1].content_html.as_deref(), Some("hello world"));
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
}

#[test]
fn content_src_gives_a_link_but_no_content() {
    let feed =
        atom10(r#"<entry><content type="video/mp4" src="http://example.com/movie.mp4"/></entry>"#);
    let entry = &feed.entries[0];
    assert_eq!(entry.content_html, None);
    assert_eq!(entry.link.as_deref(), Some("http://example.com/movie.mp4"));
}

#[test]
fn summary_and_content_are_separate() {
    let feed = atom10(
        r#"<entry><content type="text">Content</content><summary>Summary</summary></entry>"#,
    );
    let entry = &feed.entries[0];
    assert_eq!(entry.summary.as_deref(), Some("Summary"));
    assert_eq!(entry.content_html.as_deref(), Some("Content"));
}

#[test]
fn several_authors_and_a_bare_text_author() {
    let feed = atom10(
        r#"<entry><author><name>one</name><email>one@one.com</email><uri>http://one.com/</uri></author>
        <author><name>two</name><email>two@two.com</email><uri>http://two.com/</uri></author></entry>
        <entry><author>me@example.com (Bare Name)</author></entry>"#,
    );
    let names: Vec<_> = feed.entries[0]
        .authors
        .iter()
        .map(|author| {
            (
                author.name.as_deref(),
                author.email.as_deref(),
                author.uri.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (Some("one"), Some("one@one.com"), Some("http://one.com/")),
            (Some("two"), Some("two@two.com"), Some("http://two.com/")),
        ]
    );
    assert_eq!(
        feed.entries[1].authors[0].name.as_deref(),
        Some("Bare Name")
    );
}

#[test]
fn xml_base_resolves_links_and_inherits() {
    let feed = read_at(
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.com/parent/">
        <link href="index.html"/>
        <entry xml:base="entry/"><link href="1.html"/><author><name>x</name><uri>me</uri></author></entry>
        <entry><link href="/abs.html"/></entry>
        </feed>"#,
        Some("http://fetched.example/feed.atom"),
    );
    assert_eq!(
        feed.link.as_deref(),
        Some("http://example.com/parent/index.html")
    );
    assert_eq!(
        feed.entries[0].link.as_deref(),
        Some("http://example.com/parent/entry/1.html")
    );
    assert_eq!(
        feed.entries[0].authors[0].uri.as_deref(),
        Some("http://example.com/parent/entry/me")
    );
    assert_eq!(
        feed.entries[1].link.as_deref(),
        Some("http://example.com/abs.html")
    );
}

#[test]
fn relative_links_without_xml_base_use_the_fetched_url() {
    let feed = read_at(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="/relative/link"/></entry></feed>"#,
        Some("http://127.0.0.1:8097/feed.atom"),
    );
    assert_eq!(
        feed.entries[0].link.as_deref(),
        Some("http://127.0.0.1:8097/relative/link")
    );
}

#[test]
fn language_from_the_root_xml_lang() {
    let feed = read(r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-US"/>"#);
    assert_eq!(feed.language.as_deref(), Some("en-us"));
}

#[test]
fn bad_dates_warn_with_the_element_name() {
    let feed = atom10("<entry><updated>yesterday</updated></entry>");
    assert_eq!(feed.entries[0].updated, None);
    assert_eq!(
        feed.warnings,
        vec!["entry 1: updated \"yesterday\" is not a date omroep can read; omitted"]
    );
}

#[test]
fn youtube_style_media_group() {
    let feed = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"
              xmlns:yt="http://www.youtube.com/xml/schemas/2015">
        <entry><id>yt:video:abc</id><yt:videoId>abc</yt:videoId><title>Video</title>
        <link rel="alternate" href="https://www.youtube.com/watch?v=abc"/>
        <published>2024-03-05T09:00:00+00:00</published>
        <media:group><media:title>Video</media:title>
          <media:content url="https://www.youtube.com/v/abc?version=3" type="application/x-shockwave-flash" width="640" height="390"/>
          <media:thumbnail url="https://i1.ytimg.com/vi/abc/hqdefault.jpg" width="480" height="360"/>
          <media:description>What the video is about</media:description>
        </media:group></entry></feed>"#,
    );
    let entry = &feed.entries[0];
    assert_eq!(entry.summary.as_deref(), Some("What the video is about"));
    let image = entry
        .image
        .as_ref()
        .map(|image| (image.url.as_str(), image.width));
    assert_eq!(
        image,
        Some(("https://i1.ytimg.com/vi/abc/hqdefault.jpg", Some(480)))
    );
    assert_eq!(
        entry.enclosures[0].url,
        "https://www.youtube.com/v/abc?version=3"
    );
    assert_eq!(
        entry.published,
        Some(Utc.with_ymd_and_hms(2024, 3, 5, 9, 0, 0).unwrap())
    );
}

#[test]
fn a_link_written_as_text_counts_and_enclosures_do_not_replace_the_alternate() {
    let feed = atom10(
        r#"<entry><link rel="alternate" type="text/html">http://www.example.com/alternate</link>
        <link rel="enclosure" type="text/html">http://www.example.com/enclosure</link></entry>
        <entry><link rel="enclosure" type="text/html">http://www.example.com/enclosure</link>
        <link rel="alternate" type="text/html">http://www.example.com/alternate</link></entry>"#,
    );
    for entry in &feed.entries {
        assert_eq!(
            entry.link.as_deref(),
            Some("http://www.example.com/alternate")
        );
        assert_eq!(entry.enclosures[0].url, "http://www.example.com/enclosure");
    }
}

#[test]
fn a_later_date_of_the_same_kind_wins() {
    let feed = atom03(
        "<entry><issued>Thu, 01 Jan 2004 19:48:21 GMT</issued><published>Sat, 01 Jan 2010 19:48:21 GMT</published>\
         <updated>2010-12-01T10:14:55Z</updated><updated>2003-12-31T10:14:55Z</updated></entry>",
    );
    let entry = &feed.entries[0];
    assert_eq!(
        entry.published,
        Some(Utc.with_ymd_and_hms(2010, 1, 1, 19, 48, 21).unwrap())
    );
    assert_eq!(
        entry.updated,
        Some(Utc.with_ymd_and_hms(2003, 12, 31, 10, 14, 55).unwrap())
    );
}

#[test]
fn base64_of_an_unknown_type_that_is_text_is_read() {
    let feed =
        atom10(r#"<entry><title type="application/octet-stream">RXhhbXBsZSBBdG9t</title></entry>"#);
    assert_eq!(feed.entries[0].title.as_deref(), Some("Example Atom"));
}

#[test]
fn html_content_is_sanitised_against_its_xml_base_and_gives_the_summary() {
    let long = "word ".repeat(200);
    let feed = atom10(&format!(
        r#"<entry xml:base="http://example.com/test/">
        <content type="html">&lt;p&gt;See &lt;a href="test.html"&gt;test&lt;/a&gt; {long}&lt;/p&gt;</content></entry>
        <entry><content type="text">1 &lt; 2</content></entry>"#
    ));
    let entry = &feed.entries[0];
    let html = entry.content_html.as_deref().unwrap_or_default();
    assert!(
        html.starts_with(r#"<p>See <a href="http://example.com/test/test.html">test</a> word"#),
        "{html}"
    );
    let summary = entry.summary.as_deref().unwrap_or_default();
    assert!(summary.starts_with("See test word word"), "{summary}");
    assert!(summary.ends_with("word…"), "{summary}");
    assert!(
        summary.chars().count() <= 301,
        "{}",
        summary.chars().count()
    );
    assert_eq!(feed.entries[1].summary.as_deref(), Some("1 < 2"));
}

#[test]
fn an_html_summary_is_the_content_when_there_is_no_content() {
    let feed =
        atom10(r#"<entry><summary type="html">&lt;b&gt;Bold&lt;/b&gt; move</summary></entry>"#);
    let entry = &feed.entries[0];
    assert_eq!(entry.summary.as_deref(), Some("Bold move"));
    assert_eq!(entry.content_html.as_deref(), Some("<b>Bold</b> move"));
}

#[test]
fn content_modes_and_xhtml_containers() {
    let feed = atom03(
        r#"<entry><content type="text/html" mode="escaped">&lt;b&gt;Escaped&lt;/b&gt;</content></entry>
        <entry><content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Inline <i>xhtml</i></p></div></content></entry>"#,
    );
    assert_eq!(
        feed.entries[0].content_html.as_deref(),
        Some("<b>Escaped</b>")
    );
    // Atom 0.3 has no XHTML container: the div is part of the content.
    assert_eq!(
        feed.entries[1].content_html.as_deref(),
        Some("<div><p>Inline <i>xhtml</i></p></div>")
    );
    let feed = atom10(
        r#"<entry><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One</p><p>Two</p></div></content></entry>
        <entry><content type="html"><div xmlns="http://www.w3.org/1999/xhtml">Example &lt;b&gt;Atom&lt;/b&gt;</div></content></entry>
        <entry><content>Example <b>Atom</b></content></entry>"#,
    );
    let html: Vec<_> = feed
        .entries
        .iter()
        .map(|entry| entry.content_html.as_deref())
        .collect();
    assert_eq!(
        html,
        [
            Some("<p>One</p><p>Two</p>"),
            Some("Example <b>Atom</b>"),
            Some("Example <b>Atom</b>"),
        ]
    );
}

#[test]
fn declared_html_titles_lose_every_tag_and_inline_scripts_lose_their_text() {
    let feed = atom03(
        r#"<title type="text/html" mode="escaped">safe&lt;embed src="http://x.example/"&gt; title</title>
        <tagline type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml">safe<script type="text/javascript">location.href='x';</script> tagline</div></tagline>
        <entry><title type="text/html" mode="escaped">History of the &lt;blink&gt; tag</title></entry>"#,
    );
    assert_eq!(feed.title.as_deref(), Some("safe title"));
    assert_eq!(feed.description.as_deref(), Some("safe tagline"));
    assert_eq!(
        feed.description_html.as_deref(),
        Some("<div>safe tagline</div>")
    );
    // Escaped HTML is HTML: the blink tag is markup, not words.
    assert_eq!(feed.entries[0].title.as_deref(), Some("History of the tag"));

    let feed = atom10(
        r#"<entry><title type="html">A &lt;iframe src="http://x.example/"&gt;&lt;/iframe&gt;title</title>
        <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Sum<style>p{}</style>mary</div></summary></entry>"#,
    );
    let entry = &feed.entries[0];
    assert_eq!(entry.title.as_deref(), Some("A title"));
    assert_eq!(entry.summary.as_deref(), Some("Summary"));
    assert_eq!(entry.content_html.as_deref(), Some("Summary"));
}

#[test]
fn an_empty_href_is_the_xml_base_and_nothing_without_one() {
    let feed = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://www.詹姆斯.com/feed">
        <link rel="self" type="application/atom+xml" href=""/></feed>"#,
    );
    assert_eq!(
        feed.self_link.as_deref(),
        Some("http://www.詹姆斯.com/feed")
    );
    let feed = read_at(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><link rel="self" href=""/>
        <entry><link href=""/></entry></feed>"#,
        Some("https://fetched.example/feed.xml"),
    );
    assert_eq!(feed.self_link, None);
    assert_eq!(feed.entries[0].link, None);
}

#[test]
fn links_must_be_web_addresses_and_no_url_may_run_code() {
    let feed = atom10(
        r#"<link href="javascript:alert(1)"/><link rel="self" href="https://x.example/feed"/>
        <logo>javascript:logo()</logo>
        <entry><link href="data:text/html,x"/><link rel="enclosure" href="vbscript:e" type="audio/mpeg"/></entry>
        <entry><content src="javascript:src()" type="video/mp4"/></entry>"#,
    );
    assert_eq!(feed.link, None);
    assert_eq!(feed.self_link.as_deref(), Some("https://x.example/feed"));
    assert_eq!(feed.image, None);
    assert_eq!(feed.entries[0].link, None);
    assert!(feed.entries[0].enclosures.is_empty());
    assert_eq!(feed.entries[1].link, None);
    assert_eq!(
        feed.warnings,
        vec![
            "link \"javascript:alert(1)\" is not a web address; ignored",
            "URL \"javascript:logo()\" would run code, not name a resource; ignored",
            "entry 1: link \"data:text/html,x\" is not a web address; ignored",
            "entry 1: URL \"vbscript:e\" would run code, not name a resource; ignored",
            "entry 2: content src \"javascript:src()\" is not a web address; ignored",
        ]
    );
}

#[test]
fn an_atom_entry_document_is_a_feed_of_one_entry() {
    let feed = read_at(
        r#"<?xml version="1.0"?>
        <entry xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">
          <id>tag:blog.example,2024:post-7</id>
          <title type="html">Seven &amp;amp; counting</title>
          <link href="/2024/seven"/>
          <updated>2024-03-05T10:00:00+01:00</updated>
          <author><name>Ann</name></author>
        </entry>"#,
        Some("https://blog.example/feeds/post-7.xml"),
    );
    assert_eq!(feed.format, Format::Atom10);
    assert_eq!(feed.title, None);
    assert_eq!(feed.language.as_deref(), Some("en-gb"));
    assert_eq!(feed.entries.len(), 1);
    let entry = &feed.entries[0];
    assert_eq!(entry.guid.as_deref(), Some("tag:blog.example,2024:post-7"));
    assert_eq!(entry.title.as_deref(), Some("Seven & counting"));
    assert_eq!(
        entry.link.as_deref(),
        Some("https://blog.example/2024/seven")
    );
    assert_eq!(
        entry.updated,
        Some(Utc.with_ymd_and_hms(2024, 3, 5, 9, 0, 0).unwrap())
    );
    assert_eq!(entry.authors[0].name.as_deref(), Some("Ann"));
    assert!(
        feed.warnings
            .iter()
            .any(|w| w.contains("single Atom entry")),
        "{:?}",
        feed.warnings
    );

    // Only an entry in an Atom namespace: a bare <entry> is some other XML.
    let error = parse(b"<entry><title>x</title></entry>", &ParseOptions::default()).unwrap_err();
    assert!(
        error.to_string().contains("root element is <entry>"),
        "{error}"
    );
}

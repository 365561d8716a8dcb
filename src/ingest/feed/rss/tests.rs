//! RSS mapping rules, each on a small inline document.

use chrono::{TimeZone, Utc};

use crate::ingest::feed::{ParseOptions, parse};
use crate::model::{Category, Enclosure, Feed, Format, Image, Person};

fn read(xml: &str) -> Feed {
    match parse(xml.as_bytes(), &ParseOptions::default()) {
        Ok(feed) => feed,
        Err(error) => panic!("test document did not parse: {error}"),
    }
}

fn read_at(xml: &str, url: &str) -> Feed {
    let options = ParseOptions {
        base_url: url::Url::parse(url).ok(),
        ..ParseOptions::default()
    };
    match parse(xml.as_bytes(), &options) {
        Ok(feed) => feed,
        Err(error) => panic!("test document did not parse: {error}"),
    }
}

fn item(body: &str) -> Feed {
    read(&format!(
        r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
            xmlns:content="http://purl.org/rss/1.0/modules/content/"
            xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>T</title>
            <item>{body}</item></channel></rss>"#
    ))
}

fn person(name: Option<&str>, email: Option<&str>) -> Person {
    Person {
        name: name.map(String::from),
        email: email.map(String::from),
        uri: None,
    }
}

#[test]
fn versions_are_sniffed_from_the_root() {
    let cases = [
        (r#"<rss version="2.0"><channel/></rss>"#, Format::Rss20),
        (r#"<rss version="2.01"><channel/></rss>"#, Format::Rss20),
        (r#"<rss><channel/></rss>"#, Format::Rss20),
        (r#"<rss version="0.91"><channel/></rss>"#, Format::Rss09x),
        (r#"<rss version="0.92"><channel/></rss>"#, Format::Rss09x),
        (r#"<rss version="0.94"><channel/></rss>"#, Format::Rss09x),
        (
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                xmlns="http://purl.org/rss/1.0/"><channel/></rdf:RDF>"#,
            Format::Rss10,
        ),
        (
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel/></rdf:RDF>"#,
            Format::Rss09x,
        ),
    ];
    for (xml, format) in cases {
        let feed = read(xml);
        assert_eq!(feed.format, format, "{xml}");
        assert!(feed.warnings.is_empty(), "{xml}: {:?}", feed.warnings);
    }
    let unknown = read(r#"<rss version="3.0"><channel/></rss>"#);
    assert_eq!(unknown.format, Format::Rss20);
    assert_eq!(
        unknown.warnings,
        vec!["unknown RSS version \"3.0\"; read as RSS 2.0"]
    );
}

#[test]
fn channel_fields() {
    let feed = read(
        r#"<rss version="2.0"><channel>
        <title>Mark&#39;s &lt;feed&gt;</title>
        <link>http://example.com/</link>
        <description>Example description</description>
        <language>en-US</language>
        <copyright>Example copyright</copyright>
        <generator>Example generator</generator>
        <pubDate>Thu, 01 Jan 2004 19:48:21 GMT</pubDate>
        <lastBuildDate>Sat, 07 Sep 2002 00:00:01 GMT</lastBuildDate>
        <managingEditor>me@example.com (Example editor)</managingEditor>
        <webMaster>web@example.com (Not an author)</webMaster>
        <category domain="http://www.example.com/">Example category</category>
        <category>Second</category>
        <ttl>60</ttl>
        <textInput><title>Not the title</title><link>http://textinput.example.com/</link></textInput>
        </channel></rss>"#,
    );
    assert_eq!(feed.title.as_deref(), Some("Mark's <feed>"));
    assert_eq!(feed.link.as_deref(), Some("http://example.com/"));
    assert_eq!(feed.description.as_deref(), Some("Example description"));
    assert_eq!(feed.description_html, None);
    assert_eq!(feed.language.as_deref(), Some("en-us"));
    assert_eq!(feed.copyright.as_deref(), Some("Example copyright"));
    assert_eq!(feed.generator.as_deref(), Some("Example generator"));
    assert_eq!(
        feed.published,
        Some(Utc.with_ymd_and_hms(2004, 1, 1, 19, 48, 21).unwrap())
    );
    assert_eq!(
        feed.updated,
        Some(Utc.with_ymd_and_hms(2002, 9, 7, 0, 0, 1).unwrap())
    );
    assert_eq!(
        feed.authors,
        vec![person(Some("Example editor"), Some("me@example.com"))]
    );
    assert_eq!(
        feed.categories,
        vec![
            Category {
                term: "Example category".into(),
                scheme: Some("http://www.example.com/".into()),
                ..Category::default()
            },
            Category {
                term: "Second".into(),
                ..Category::default()
            },
        ]
    );
}

#[test]
fn element_names_match_case_insensitively() {
    let feed = read(
        r#"<rss><channel><TiTlE>Example title</TiTlE><item><PubDate>Thu, 01 Jan 2004 19:48:21 GMT</PubDate></item></channel></rss>"#,
    );
    assert_eq!(feed.title.as_deref(), Some("Example title"));
    assert!(feed.entries[0].published.is_some());
}

#[test]
fn channel_image_and_its_link_do_not_leak_into_the_channel() {
    let feed = read(
        r#"<rss version="2.0"><channel>
        <image><url>/logo.png</url><title>Sample image</title><link>http://example.org/link</link>
        <width>80</width><height>15</height></image>
        <title>Real title</title><link>http://channel.example.com/</link>
        </channel></rss>"#,
    );
    assert_eq!(feed.title.as_deref(), Some("Real title"));
    assert_eq!(feed.link.as_deref(), Some("http://channel.example.com/"));
    assert_eq!(
        feed.image,
        Some(Image {
            url: "http://channel.example.com/logo.png".into(),
            title: Some("Sample image".into()),
            link: Some("http://example.org/link".into()),
            width: Some(80),
            height: Some(15),
        })
    );
}

#[test]
fn bad_image_size_is_dropped_with_a_warning() {
    let feed = read(
        r#"<rss><channel><image><url>http://e.example/i.png</url><width>wide</width></image></channel></rss>"#,
    );
    assert_eq!(feed.image.as_ref().and_then(|image| image.width), None);
    assert_eq!(
        feed.warnings,
        vec!["image width \"wide\" is not a number of pixels; omitted"]
    );
}

#[test]
fn author_strings_are_split_into_name_and_email() {
    let feed = item(
        r#"<author>me@example.com (Example editor)</author>
        <dc:creator>Second Author</dc:creator><dc:creator>Example editor</dc:creator>"#,
    );
    assert_eq!(
        feed.entries[0].authors,
        vec![
            person(Some("Example editor"), Some("me@example.com")),
            person(Some("Second Author"), None),
        ]
    );
}

#[test]
fn guid_is_identity_and_a_permalink_guid_is_the_link_when_there_is_none() {
    let feed = item(r#"<guid>http://guid.example.com/</guid>"#);
    let entry = &feed.entries[0];
    assert_eq!(entry.id, "http://guid.example.com/");
    assert_eq!(entry.guid.as_deref(), Some("http://guid.example.com/"));
    assert_eq!(entry.guid_is_permalink, Some(true));
    assert_eq!(entry.link.as_deref(), Some("http://guid.example.com/"));

    let feed = item(
        r#"<guid isPermaLink="true">http://guid.example.com/</guid><link>http://link.example.com/</link>"#,
    );
    assert_eq!(
        feed.entries[0].link.as_deref(),
        Some("http://link.example.com/")
    );
    assert_eq!(feed.entries[0].id, "http://guid.example.com/");
}

#[test]
fn a_guid_that_is_not_a_permalink_is_never_a_link() {
    let feed = item(r#"<guid isPermaLink="false">http://guid.example.com/</guid>"#);
    let entry = &feed.entries[0];
    assert_eq!(entry.link, None);
    assert_eq!(entry.guid_is_permalink, Some(false));

    // Without the attribute the guid counts as a permalink, but "abc" is no address.
    let feed = item("<guid>abc</guid>");
    assert_eq!(feed.entries[0].id, "abc");
    assert_eq!(feed.entries[0].link, None);

    // `no` and `0` say "not a permalink" as `false` does.
    for value in ["no", "0", " FALSE "] {
        let feed = item(&format!(
            r#"<guid isPermaLink="{value}">http://guid.example.com/</guid>"#
        ));
        assert_eq!(feed.entries[0].guid_is_permalink, Some(false), "{value}");
        assert_eq!(feed.entries[0].link, None, "{value}");
    }

    // Nor is it one once resolved against the channel link: there is no such page.
    let feed = read(
        r#"<rss version="2.0"><channel><link>https://show.example/</link>
        <item><guid>12345</guid></item><item><guid>/episodes/7</guid></item></channel></rss>"#,
    );
    assert_eq!(feed.entries[0].id, "12345");
    assert_eq!(feed.entries[0].link, None);
    assert_eq!(feed.entries[1].link, None);

    // Neither is something that cannot be parsed as a URL.
    let feed = item(r#"<guid isPermaLink="true">http://example.c[o.test/</guid>"#);
    assert_eq!(feed.entries[0].link, None);
    assert_eq!(feed.entries[0].id, "http://example.c[o.test/");
}

#[test]
fn identity_falls_back_to_link_then_a_stable_hash() {
    let feed = item("<title>x</title><link>http://example.com/1</link>");
    assert_eq!(feed.entries[0].id, "http://example.com/1");
    assert_eq!(feed.entries[0].guid, None);

    let xml = r#"<rss><channel><item><title>No id</title><pubDate>Thu, 01 Jan 2004 19:48:21 GMT</pubDate></item></channel></rss>"#;
    let first = read(xml);
    let again = read(xml);
    assert!(first.entries[0].id.starts_with("urn:omroep:"));
    assert_eq!(first.entries[0].id, again.entries[0].id);
}

#[test]
fn description_is_summary_and_content_until_content_encoded_comes() {
    let feed = item("<description>Example description</description>");
    let entry = &feed.entries[0];
    assert_eq!(entry.summary.as_deref(), Some("Example description"));
    assert_eq!(entry.content_html.as_deref(), Some("Example description"));

    let feed = item("<description>Short</description><content:encoded>Full text</content:encoded>");
    let entry = &feed.entries[0];
    assert_eq!(entry.summary.as_deref(), Some("Short"));
    assert_eq!(entry.content_html.as_deref(), Some("Full text"));

    // Order in the document does not matter.
    let feed = item("<content:encoded>Full text</content:encoded><description>Short</description>");
    assert_eq!(feed.entries[0].content_html.as_deref(), Some("Full text"));
    assert_eq!(feed.entries[0].summary.as_deref(), Some("Short"));
}

#[test]
fn without_a_description_the_summary_comes_from_the_content() {
    let feed = item("<content:encoded>Full text here</content:encoded>");
    assert_eq!(feed.entries[0].summary.as_deref(), Some("Full text here"));
}

#[test]
fn a_summary_element_beside_the_description() {
    let feed =
        item("<summary>Example summary</summary><description>Example description</description>");
    let entry = &feed.entries[0];
    assert_eq!(entry.summary.as_deref(), Some("Example summary"));
    assert_eq!(entry.content_html.as_deref(), Some("Example description"));
}

#[test]
fn a_body_without_namespace_is_the_full_content() {
    let feed = read(
        r#"<rss version="2.0"><channel><link>https://blog.example/</link>
        <item><description>Short</description>
        <body>Full <a href="/post/1" onclick="steal()">post</a><script>x()</script></body>
        </item>
        <item><xhtml:body xmlns:xhtml="http://www.w3.org/1999/xhtml"><p>Also</p></xhtml:body></item>
        </channel></rss>"#,
    );
    let first = &feed.entries[0];
    assert_eq!(first.summary.as_deref(), Some("Short"));
    assert_eq!(
        first.content_html.as_deref(),
        Some(r#"Full <a href="https://blog.example/post/1">post</a>"#)
    );
    assert_eq!(feed.entries[1].content_html.as_deref(), Some("<p>Also</p>"));
    assert_eq!(feed.entries[1].summary.as_deref(), Some("Also"));
}

#[test]
fn enclosures_with_bad_lengths_keep_the_url() {
    let feed = item(
        r#"<enclosure url="http://example.com/1.mp3" length="100000" type="audio/mpeg"/>
        <enclosure url="http://example.com/2.gif" length="-1" type="image/gif"/>
        <enclosure url="http://example.com/3.ogg" length="big"/>
        <enclosure url="http://example.com/1.mp3" length="100000" type="audio/mpeg"/>
        <enclosure length="5"/>"#,
    );
    assert_eq!(
        feed.entries[0].enclosures,
        vec![
            Enclosure {
                url: "http://example.com/1.mp3".into(),
                mime_type: Some("audio/mpeg".into()),
                length: Some(100000),
            },
            Enclosure {
                url: "http://example.com/2.gif".into(),
                mime_type: Some("image/gif".into()),
                length: None,
            },
            Enclosure {
                url: "http://example.com/3.ogg".into(),
                mime_type: None,
                length: None,
            },
        ]
    );
    assert_eq!(
        feed.warnings,
        vec![
            "entry 1: enclosure length \"-1\" is not a number of bytes; omitted",
            "entry 1: enclosure length \"big\" is not a number of bytes; omitted",
            "entry 1: enclosure without a url attribute; ignored",
        ]
    );
}

#[test]
fn unreadable_dates_are_omitted_with_a_warning() {
    let feed = item("<title>x</title><pubDate>someday soon</pubDate>");
    assert_eq!(feed.entries[0].published, None);
    assert_eq!(
        feed.warnings,
        vec!["entry 1: pubDate \"someday soon\" is not a date omroep can read; omitted"]
    );
}

#[test]
fn dublin_core_dates_and_fields() {
    let feed = read(
        r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
            xmlns:dcterms="http://purl.org/dc/terms/"><channel>
        <dc:title>Example title</dc:title><dc:language>nl</dc:language>
        <dc:rights>Example copyright</dc:rights><dc:date>2003-12-31T10:14:55Z</dc:date>
        <dc:creator>Example editor (me@example.com)</dc:creator>
        <dc:subject>Example category</dc:subject>
        <dcterms:issued>2003-12-30T10:14:55Z</dcterms:issued>
        <item><dc:title>Item title</dc:title><dc:date>2003-12-31T10:14:55Z</dc:date>
        <dcterms:issued>2003-12-30T10:14:55Z</dcterms:issued>
        <dc:description>Item description</dc:description>
        <dc:subject>One</dc:subject><dc:subject>Two</dc:subject></item>
        </channel></rss>"#,
    );
    assert_eq!(feed.title.as_deref(), Some("Example title"));
    assert_eq!(feed.language.as_deref(), Some("nl"));
    assert_eq!(feed.copyright.as_deref(), Some("Example copyright"));
    assert_eq!(
        feed.updated,
        Some(Utc.with_ymd_and_hms(2003, 12, 31, 10, 14, 55).unwrap())
    );
    assert_eq!(
        feed.published,
        Some(Utc.with_ymd_and_hms(2003, 12, 30, 10, 14, 55).unwrap())
    );
    assert_eq!(
        feed.authors,
        vec![person(Some("Example editor"), Some("me@example.com"))]
    );
    assert_eq!(feed.categories[0].term, "Example category");
    let entry = &feed.entries[0];
    assert_eq!(entry.title.as_deref(), Some("Item title"));
    assert_eq!(
        entry.updated,
        Some(Utc.with_ymd_and_hms(2003, 12, 31, 10, 14, 55).unwrap())
    );
    assert_eq!(
        entry.published,
        Some(Utc.with_ymd_and_hms(2003, 12, 30, 10, 14, 55).unwrap())
    );
    assert_eq!(entry.summary.as_deref(), Some("Item description"));
    let terms: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(terms, ["One", "Two"]);
}

#[test]
fn rss_1_0_items_beside_the_channel_and_rdf_about() {
    let feed = read(
        r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
              xmlns:rss="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
          <rss:channel rdf:about="http://example.com/">
            <rss:title>Example feed</rss:title><rss:link>http://example.com/</rss:link>
            <rss:description>Example description</rss:description>
            <rss:image rdf:resource="http://example.com/logo.png"/>
            <rss:items><rdf:Seq><rdf:li rdf:resource="http://example.org/1"/></rdf:Seq></rss:items>
          </rss:channel>
          <rss:image rdf:about="http://example.com/logo.png">
            <rss:title>Logo</rss:title><rss:url>http://example.com/logo.png</rss:url>
            <rss:link>http://example.com/</rss:link>
          </rss:image>
          <rss:item rdf:about="http://example.org/1">
            <rss:title>Example title</rss:title><rss:link>http://example.com/1</rss:link>
            <rss:description>Item description</rss:description>
            <dc:date>2002-09-28T20:01:19Z</dc:date>
          </rss:item>
        </rdf:RDF>"#,
    );
    assert_eq!(feed.format, Format::Rss10);
    assert_eq!(feed.title.as_deref(), Some("Example feed"));
    assert_eq!(feed.description.as_deref(), Some("Example description"));
    assert_eq!(
        feed.image.as_ref().map(|image| image.url.as_str()),
        Some("http://example.com/logo.png")
    );
    assert_eq!(feed.entries.len(), 1);
    let entry = &feed.entries[0];
    assert_eq!(entry.id, "http://example.org/1");
    assert_eq!(entry.guid, None);
    assert_eq!(entry.link.as_deref(), Some("http://example.com/1"));
    assert_eq!(entry.title.as_deref(), Some("Example title"));
    assert!(entry.updated.is_some());
}

#[test]
fn rss_0_90() {
    let feed = read(
        r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
              xmlns="http://my.netscape.com/rdf/simple/0.9/">
          <channel><title>Example title</title><link>http://example.com/</link></channel>
          <item><title>Item title</title><link>http://example.com/1</link></item>
        </rdf:RDF>"#,
    );
    assert_eq!(feed.format, Format::Rss09x);
    assert_eq!(feed.title.as_deref(), Some("Example title"));
    assert_eq!(feed.entries[0].title.as_deref(), Some("Item title"));
}

#[test]
fn userland_namespaces_are_core_rss() {
    for uri in [
        "http://backend.userland.com/rss2",
        "http://backend.userland.com/rss",
        "http://blogs.law.harvard.edu/tech/rss",
        "http://purl.org/rss/1.0/modules/rss091#",
    ] {
        let feed = read(&format!(
            r#"<rss xmlns="{uri}"><channel><description>Example description</description></channel></rss>"#
        ));
        assert_eq!(
            feed.description.as_deref(),
            Some("Example description"),
            "{uri}"
        );
    }
    // A description in any other namespace is not the channel's.
    for uri in [
        "http://purl.org/atom/ns#",
        "http://www.w3.org/1999/xhtml",
        "http://webns.net/mvcb/",
        "http://example.com/rss",
    ] {
        let feed = read(&format!(
            r#"<rss><channel><x:description xmlns:x="{uri}">Other</x:description></channel></rss>"#
        ));
        assert_eq!(feed.description, None, "{uri}");
    }
}

#[test]
fn items_outside_the_channel_and_without_a_channel() {
    let feed = read(
        r#"<rss version="0.91"><channel><title>T</title></channel><item><title>A</title></item></rss>"#,
    );
    assert_eq!(feed.entries.len(), 1);
    let feed = read(r#"<rss><item><description>only</description></item></rss>"#);
    assert_eq!(feed.entries[0].summary.as_deref(), Some("only"));
}

#[test]
fn relative_links_resolve_against_xml_base_then_channel_link_then_fetched_url() {
    let xml = r#"<rss version="2.0"><channel><link>/blog/</link>
        <item><link>post-1</link><enclosure url="a.mp3" type="audio/mpeg" length="1"/></item>
        <item xml:base="http://cdn.example/base/"><link>post-2</link></item>
        </channel></rss>"#;
    let feed = read_at(xml, "http://example.com/feeds/rss.xml");
    assert_eq!(feed.link.as_deref(), Some("http://example.com/blog/"));
    assert_eq!(
        feed.entries[0].link.as_deref(),
        Some("http://example.com/blog/post-1")
    );
    assert_eq!(
        feed.entries[0].enclosures[0].url,
        "http://example.com/blog/a.mp3"
    );
    assert_eq!(
        feed.entries[1].link.as_deref(),
        Some("http://cdn.example/base/post-2")
    );
}

#[test]
fn atom_links_inside_rss() {
    let feed = read(
        r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
        <atom:link rel="self" type="application/rss+xml" href="http://example.com/feed.xml"/>
        <atom:link href="http://example.com/"/>
        <item><atom:link rel="enclosure" href="http://example.com/e.mp3" type="audio/mpeg" length="12"/>
        <atom:link rel="alternate" href="http://example.com/e"/></item>
        </channel></rss>"#,
    );
    assert_eq!(
        feed.self_link.as_deref(),
        Some("http://example.com/feed.xml")
    );
    assert_eq!(feed.link.as_deref(), Some("http://example.com/"));
    let entry = &feed.entries[0];
    assert_eq!(entry.link.as_deref(), Some("http://example.com/e"));
    assert_eq!(
        entry.enclosures,
        vec![Enclosure {
            url: "http://example.com/e.mp3".into(),
            mime_type: Some("audio/mpeg".into()),
            length: Some(12),
        }]
    );
}

#[test]
fn language_falls_back_to_xml_lang() {
    let feed = read(r#"<rss xml:lang="en_GB"><channel><title>x</title></channel></rss>"#);
    assert_eq!(feed.language.as_deref(), Some("en-gb"));
    let feed = read(r#"<rss xml:lang="fr"><channel><language>nl</language></channel></rss>"#);
    assert_eq!(feed.language.as_deref(), Some("nl"));
}

#[test]
fn made_up_tags_element_and_categories_in_order() {
    let feed = item("<tags>tag one, tag two</tags><category>category one</category>");
    let terms: Vec<&str> = feed.entries[0]
        .categories
        .iter()
        .map(|category| category.term.as_str())
        .collect();
    assert_eq!(terms, ["tag one", "tag two", "category one"]);
}

#[test]
fn duplicate_guids_warn_but_both_entries_stay() {
    let feed = read(
        r#"<rss><channel><item><guid>a</guid></item><item><guid>a</guid></item></channel></rss>"#,
    );
    assert_eq!(feed.entries.len(), 2);
    assert_eq!(
        feed.warnings,
        vec!["entry 2 has the same guid as entry 1: \"a\"; readers will see one of them"]
    );
}

#[test]
fn entries_keep_document_order_and_empty_fields_are_absent() {
    let feed = read(
        r#"<rss><channel><title>  </title><item><title>1</title></item><item><title>2</title><description></description></item></channel></rss>"#,
    );
    assert_eq!(feed.title, None);
    let titles: Vec<_> = feed.entries.iter().map(|e| e.title.as_deref()).collect();
    assert_eq!(titles, [Some("1"), Some("2")]);
    assert_eq!(feed.entries[1].summary, None);
    assert_eq!(feed.entries[1].content_html, None);
}

#[test]
fn an_rdf_document_without_a_channel_is_versioned_by_its_namespace() {
    let feed = read(
        r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"></rdf:RDF>"#,
    );
    assert_eq!(feed.format, Format::Rss09x);
}

#[test]
fn a_later_pub_date_wins() {
    let feed = item(
        "<pubDate>Thu, 01 Jan 2004 19:48:21 GMT</pubDate><pubDate>Fri, 02 Jan 2004 19:48:21 GMT</pubDate>",
    );
    assert_eq!(
        feed.entries[0].published,
        Some(Utc.with_ymd_and_hms(2004, 1, 2, 19, 48, 21).unwrap())
    );
}

#[test]
fn html_descriptions_become_plain_summaries_and_sanitised_content() {
    let feed = read(
        r#"<rss version="2.0"><channel><link>https://blog.example/</link>
        <description>&lt;p&gt;About &lt;b&gt;this&lt;/b&gt; blog&lt;/p&gt;</description>
        <item><title>Tom &amp;amp; Jerry</title>
        <description><![CDATA[<p>Read <a href="/posts/1" onclick="steal()">this</a>.</p><script>alert(1)</script>]]></description>
        </item></channel></rss>"#,
    );
    assert_eq!(feed.description.as_deref(), Some("About this blog"));
    assert_eq!(
        feed.description_html.as_deref(),
        Some("<p>About <b>this</b> blog</p>")
    );
    let entry = &feed.entries[0];
    assert_eq!(entry.title.as_deref(), Some("Tom & Jerry"));
    assert_eq!(entry.summary.as_deref(), Some("Read this."));
    let html = entry.content_html.as_deref().unwrap_or_default();
    assert!(
        html.contains(r#"<a href="https://blog.example/posts/1""#),
        "{html}"
    );
    assert!(
        !html.contains("onclick") && !html.contains("script"),
        "{html}"
    );
}

#[test]
fn naked_markup_in_a_description_is_html() {
    let feed = item("<description><p>Example <b>description</b></p></description>");
    let entry = &feed.entries[0];
    assert_eq!(entry.summary.as_deref(), Some("Example description"));
    assert_eq!(
        entry.content_html.as_deref(),
        Some("<p>Example <b>description</b></p>")
    );
}

#[test]
fn a_lone_html_tag_with_attributes_makes_a_description_html() {
    let feed = item(
        r#"<title>Watch &lt;embed src="https://x.example/v"&gt; now</title>
        <description>safe&lt;iframe src="https://x.example/"/&gt; description</description>"#,
    );
    let entry = &feed.entries[0];
    assert_eq!(entry.title.as_deref(), Some("Watch now"));
    assert_eq!(entry.summary.as_deref(), Some("safe description"));
    assert_eq!(entry.content_html.as_deref(), Some("safe description"));
    // Brackets in prose stay text.
    let feed = item("<title>Vec&lt;T&gt; and the &lt;blink&gt; tag</title>");
    assert_eq!(
        feed.entries[0].title.as_deref(),
        Some("Vec<T> and the <blink> tag")
    );
}

#[test]
fn a_no_break_space_in_a_title_is_kept() {
    let feed = read(
        "<rss version=\"2.0\"><channel><title>testing &nbsp; entity</title>\
         <item><title>thin&thinsp;space &amp; &lt;b&gt;bold&lt;/b&gt;&nbsp;!</title></item>\
         </channel></rss>",
    );
    assert_eq!(feed.title.as_deref(), Some("testing \u{a0} entity"));
    assert_eq!(
        feed.entries[0].title.as_deref(),
        Some("thin\u{2009}space & bold\u{a0}!")
    );
}

#[test]
fn cdf_channel_definition_format() {
    let feed = read(
        r#"<CHANNEL HREF="http://www.example.org/" LASTMOD="2004-04-06T23:05:43-05:00">
        <TITLE>Example feed</TITLE><ABSTRACT>Example description</ABSTRACT>
        <ITEM HREF="/items/1" LASTMOD="2004-04-07T01:00:00-05:00">
        <TITLE>Example item</TITLE><ABSTRACT>Item &lt;b&gt;description&lt;/b&gt;</ABSTRACT>
        </ITEM><ITEM LASTMOD="yesterday"><TITLE>Second</TITLE></ITEM></CHANNEL>"#,
    );
    assert_eq!(feed.format, Format::Rss20);
    assert_eq!(feed.link.as_deref(), Some("http://www.example.org/"));
    assert_eq!(feed.title.as_deref(), Some("Example feed"));
    assert_eq!(feed.description.as_deref(), Some("Example description"));
    assert_eq!(
        feed.updated,
        Some(Utc.with_ymd_and_hms(2004, 4, 7, 4, 5, 43).unwrap())
    );
    let item = &feed.entries[0];
    assert_eq!(item.link.as_deref(), Some("http://www.example.org/items/1"));
    assert_eq!(item.id, "http://www.example.org/items/1");
    assert_eq!(item.summary.as_deref(), Some("Item description"));
    assert_eq!(
        item.content_html.as_deref(),
        Some("Item <b>description</b>")
    );
    assert_eq!(
        item.updated,
        Some(Utc.with_ymd_and_hms(2004, 4, 7, 6, 0, 0).unwrap())
    );
    assert_eq!(feed.entries[1].updated, None);
    assert!(
        feed.warnings.iter().any(|warning| warning
            == "entry 2: LASTMOD \"yesterday\" is not a date omroep can read; omitted"),
        "{:?}",
        feed.warnings
    );
}

#[test]
fn links_that_are_not_web_addresses_and_urls_that_run_code_are_dropped() {
    let feed = read(
        r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
            xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
        <link>javascript:alert(1)</link>
        <atom:link rel="self" href="data:text/html,&lt;script&gt;x()&lt;/script&gt;"/>
        <item><title>One</title><link>javascript:alert('link')</link>
        <enclosure url="JaVaScRiPt:alert(2)" type="audio/mpeg" length="1"/>
        <itunes:image href="vbscript:x"/></item>
        <item><title>Two</title><link>mailto:someone@example.com</link><link>https://ok.example/2</link>
        <enclosure url="https://ok.example/2.mp3" type="audio/mpeg"/></item>
        </channel></rss>"#,
    );
    assert_eq!(feed.link, None);
    assert_eq!(feed.self_link, None);
    let first = &feed.entries[0];
    assert_eq!(first.link, None);
    assert!(first.enclosures.is_empty());
    assert_eq!(first.image, None);
    // A refused link leaves room for the next link element.
    assert_eq!(
        feed.entries[1].link.as_deref(),
        Some("https://ok.example/2")
    );
    assert_eq!(feed.entries[1].enclosures.len(), 1);
    assert_eq!(
        feed.warnings,
        vec![
            "link \"javascript:alert(1)\" is not a web address; ignored",
            "atom:link \"data:text/html,<script>x()</script>\" is not a web address; ignored",
            "entry 1: link \"javascript:alert('link')\" is not a web address; ignored",
            "entry 1: URL \"JaVaScRiPt:alert(2)\" would run code, not name a resource; ignored",
            "entry 1: URL \"vbscript:x\" would run code, not name a resource; ignored",
            "entry 2: link \"mailto:someone@example.com\" is not a web address; ignored",
        ]
    );
}

#[test]
fn atom_dates_and_authors_inside_rss_items() {
    // Shaped like ASP.NET's SyndicationFeed output, which binds Atom to `a10`.
    let feed = read(
        r#"<rss xmlns:a10="http://www.w3.org/2005/Atom" version="2.0"><channel><title>T</title>
        <a10:updated>2024-03-05T10:30:00+01:00</a10:updated>
        <item><guid isPermaLink="false">1</guid>
        <a10:author><a10:name>Team Communicatie</a10:name><a10:email>team@example.nl</a10:email></a10:author>
        <pubDate>Fri, 01 Mar 2024 14:05:00 +0100</pubDate>
        <a10:updated>2024-03-04T09:12:00+01:00</a10:updated></item>
        <item><guid isPermaLink="false">2</guid><a10:published>2024-01-03T09:00:00Z</a10:published>
        <a10:updated>not a date</a10:updated></item>
        </channel></rss>"#,
    );
    assert_eq!(
        feed.updated,
        Some(Utc.with_ymd_and_hms(2024, 3, 5, 9, 30, 0).unwrap())
    );
    let first = &feed.entries[0];
    assert_eq!(
        first.authors,
        vec![person(Some("Team Communicatie"), Some("team@example.nl"))]
    );
    assert_eq!(
        first.published,
        Some(Utc.with_ymd_and_hms(2024, 3, 1, 13, 5, 0).unwrap())
    );
    assert_eq!(
        first.updated,
        Some(Utc.with_ymd_and_hms(2024, 3, 4, 8, 12, 0).unwrap())
    );
    let second = &feed.entries[1];
    assert_eq!(
        second.published,
        Some(Utc.with_ymd_and_hms(2024, 1, 3, 9, 0, 0).unwrap())
    );
    assert_eq!(second.updated, None);
    assert_eq!(
        feed.warnings,
        vec!["entry 2: atom:updated \"not a date\" is not a date omroep can read; omitted"]
    );
}

/// The same HTML in `description` and `content:encoded` (podcast hosts write it so) is
/// read once for both: the summary and content equal what each would be alone, with the
/// content's URLs resolved against the content's own base.
#[test]
fn description_equal_to_content_encoded_gives_the_same_summary_and_content() {
    let html = "&lt;p&gt;Show  notes:&lt;br&gt;&lt;a href=\"ep/1.html\" onclick=\"x()\"&gt;one&lt;/a&gt; \
                &amp;amp; two&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;";
    let feed = read_at(
        &format!(
            r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
            <channel><title>T</title><link>https://site.example/</link>
            <item><description>{html}</description>
            <content:encoded xml:base="https://cdn.example/notes/">{html}</content:encoded></item>
            <item><description>{html}</description><content:encoded>{html}</content:encoded></item>
            <item><description>Plain  words, no markup</description>
            <content:encoded>Plain  words, no markup</content:encoded></item>
            <item><description>   </description><content:encoded>   </content:encoded></item>
            <item><description>{html}</description><content:encoded>&lt;p&gt;Other&lt;/p&gt;</content:encoded></item>
            </channel></rss>"#
        ),
        "https://fetched.example/feed.xml",
    );
    let entries = &feed.entries;
    let summary = "Show notes: one & two";
    assert_eq!(entries[0].summary.as_deref(), Some(summary));
    assert_eq!(
        entries[0].content_html.as_deref(),
        Some(
            "<p>Show  notes:<br /><a href=\"https://cdn.example/notes/ep/1.html\">one</a> &amp; two</p>"
        )
    );
    assert_eq!(entries[1].summary.as_deref(), Some(summary));
    assert_eq!(
        entries[1].content_html.as_deref(),
        Some(
            "<p>Show  notes:<br /><a href=\"https://site.example/ep/1.html\">one</a> &amp; two</p>"
        )
    );
    assert_eq!(
        entries[2].summary.as_deref(),
        Some("Plain words, no markup")
    );
    assert_eq!(
        entries[2].content_html.as_deref(),
        Some("Plain  words, no markup")
    );
    assert_eq!(entries[3].summary, None);
    assert_eq!(entries[3].content_html, None);
    // Different values: each read on its own.
    assert_eq!(entries[4].summary.as_deref(), Some(summary));
    assert_eq!(entries[4].content_html.as_deref(), Some("<p>Other</p>"));
}

/// Hostile markup in a `description` equal to its `content:encoded` is sanitised as
/// strictly on the shared path as each alone: upper-case tags, a `javascript:` link with
/// entity-encoded letters, a handler, a script split over lines.
#[test]
fn description_equal_to_content_encoded_is_sanitised_as_strictly() {
    let html = "&lt;P&gt;Hi &lt;A HREF=\"jav&amp;#x61;script&amp;colon;alert(1)\" ONCLICK=\"x()\"&gt;there&lt;/A&gt;\
                &lt;SCRIPT\n&gt;bad()&lt;/SCRIPT&gt;&lt;IMG SRC=\"pic.png\" onerror=\"x()\"&gt;&lt;/P&gt;";
    let feed = read_at(
        &format!(
            r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
            <channel><title>T</title>
            <item><description>{html}</description><content:encoded>{html}</content:encoded></item>
            <item><content:encoded>{html}</content:encoded></item>
            <item><description>{html}</description></item>
            </channel></rss>"#
        ),
        "https://fetched.example/feed.xml",
    );
    let shared = &feed.entries[0];
    assert_eq!(shared.summary.as_deref(), Some("Hi there"));
    assert_eq!(
        shared.content_html.as_deref(),
        Some("<p>Hi <a>there</a><img src=\"https://fetched.example/pic.png\" /></p>")
    );
    // The same as each path gives alone: content only, and a description only.
    assert_eq!(shared.content_html, feed.entries[1].content_html);
    assert_eq!(shared.summary, feed.entries[2].summary);
    assert_eq!(shared.content_html, feed.entries[2].content_html);
}

//! JSON Feed 1.0 and 1.1 mapping rules, and tolerance of wrong types per field.

use chrono::{TimeZone, Utc};

use crate::ingest::feed::{ParseError, ParseOptions, parse};
use crate::model::{Category, Enclosure, Feed, Format, Image, Person};

fn read(json: &str) -> Feed {
    read_at(json, None)
}

fn read_at(json: &str, url: Option<&str>) -> Feed {
    let options = ParseOptions {
        base_url: url.and_then(|url| url::Url::parse(url).ok()),
        ..ParseOptions::default()
    };
    match parse(json.as_bytes(), &options) {
        Ok(feed) => feed,
        Err(error) => panic!("test document did not parse: {error}"),
    }
}

#[test]
fn version_1_0_with_author_and_attachments() {
    let feed = read(
        r#"{
        "version": "https://jsonfeed.org/version/1",
        "title": "My Example Feed",
        "home_page_url": "https://example.org/",
        "feed_url": "https://example.org/feed.json",
        "description": "About things",
        "icon": "https://example.org/feed.png",
        "author": { "name": "me", "url": "mailto:me@example.org" },
        "items": [
            {
                "id": "2",
                "title": "post 2",
                "content_text": "This is a second item.\n\nIt has <two> paragraphs.",
                "url": "https://example.org/second-item",
                "date_published": "2024-03-05T10:00:00+01:00",
                "attachments": [
                    { "url": "https://example.org/show.mp3", "mime_type": "audio/mpeg",
                      "size_in_bytes": 12000000, "duration_in_seconds": 1834 }
                ],
                "tags": ["test", "JSON", "test"]
            },
            {
                "id": 1,
                "author": { "name": "you", "url": "http://example.net/~you" },
                "content_html": "Hello, world!",
                "url": "/initial-post"
            }
        ]
    }"#,
    );
    assert_eq!(feed.format, Format::JsonFeed10);
    assert_eq!(feed.title.as_deref(), Some("My Example Feed"));
    assert_eq!(feed.link.as_deref(), Some("https://example.org/"));
    assert_eq!(
        feed.self_link.as_deref(),
        Some("https://example.org/feed.json")
    );
    assert_eq!(feed.description.as_deref(), Some("About things"));
    assert_eq!(
        feed.image,
        Some(Image {
            url: "https://example.org/feed.png".into(),
            ..Image::default()
        })
    );
    assert_eq!(
        feed.authors,
        vec![Person {
            name: Some("me".into()),
            email: Some("me@example.org".into()),
            uri: None,
        }]
    );
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);

    let first = &feed.entries[0];
    assert_eq!(first.id, "2");
    assert_eq!(first.title.as_deref(), Some("post 2"));
    assert_eq!(
        first.content_html.as_deref(),
        Some("<p>This is a second item.</p><p>It has &lt;two&gt; paragraphs.</p>")
    );
    assert_eq!(
        first.published,
        Some(Utc.with_ymd_and_hms(2024, 3, 5, 9, 0, 0).unwrap())
    );
    assert_eq!(
        first.enclosures,
        vec![Enclosure {
            url: "https://example.org/show.mp3".into(),
            mime_type: Some("audio/mpeg".into()),
            length: Some(12000000),
        }]
    );
    assert_eq!(first.podcast.duration_seconds, Some(1834));
    assert_eq!(
        first.categories,
        vec![
            Category {
                term: "test".into(),
                ..Category::default()
            },
            Category {
                term: "JSON".into(),
                ..Category::default()
            },
        ]
    );

    let second = &feed.entries[1];
    assert_eq!(second.id, "1");
    assert_eq!(
        second.link.as_deref(),
        Some("https://example.org/initial-post")
    );
    assert_eq!(
        second.authors[0].uri.as_deref(),
        Some("http://example.net/~you")
    );
    assert_eq!(second.content_html.as_deref(), Some("Hello, world!"));
    assert_eq!(second.summary.as_deref(), Some("Hello, world!"));
}

#[test]
fn version_1_1_fields() {
    let feed = read(
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": "T", "language": "nl-NL",
            "authors": [{"name": "A"}, {"name": "B", "url": "https://b.example/"}],
            "items": [{"id": "x", "summary": "Short", "content_html": "Long",
                       "image": "https://e.example/i.png", "date_modified": "2024-01-02T03:04:05Z",
                       "external_url": "https://elsewhere.example/"}]}"#,
    );
    assert_eq!(feed.format, Format::JsonFeed11);
    assert_eq!(feed.language.as_deref(), Some("nl-nl"));
    let names: Vec<_> = feed.authors.iter().map(|a| a.name.as_deref()).collect();
    assert_eq!(names, [Some("A"), Some("B")]);
    let entry = &feed.entries[0];
    assert_eq!(entry.summary.as_deref(), Some("Short"));
    assert_eq!(entry.content_html.as_deref(), Some("Long"));
    assert_eq!(
        entry.image.as_ref().map(|image| image.url.as_str()),
        Some("https://e.example/i.png")
    );
    assert_eq!(entry.link.as_deref(), Some("https://elsewhere.example/"));
    assert_eq!(
        entry.updated,
        Some(Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap())
    );
}

#[test]
fn wrong_types_cost_the_field_not_the_feed() {
    let feed = read(
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": 42,
            "home_page_url": ["no"], "authors": {"name": "not a list"},
            "items": [
              {"id": {"a": 1}, "title": "kept", "url": "https://e.example/1",
               "tags": ["ok", 7], "attachments": [{"url": "https://e.example/a.mp3", "size_in_bytes": "many"}, 3],
               "date_published": "not a date"},
              "not an item",
              {"id": "2", "content_text": null}
            ]}"#,
    );
    assert_eq!(feed.title, None);
    assert_eq!(feed.link, None);
    assert_eq!(feed.entries.len(), 2);
    let entry = &feed.entries[0];
    assert_eq!(entry.title.as_deref(), Some("kept"));
    assert_eq!(entry.id, "https://e.example/1");
    assert_eq!(entry.categories.len(), 1);
    assert_eq!(entry.enclosures[0].length, None);
    assert_eq!(feed.entries[1].id, "2");
    assert_eq!(
        feed.warnings,
        vec![
            "home_page_url is a list, expected a string; ignored",
            "title is a number, expected a string; ignored",
            "authors is an object, expected a list; ignored",
            "entry 1: id is an object, expected a string; ignored",
            "entry 1: date_published \"not a date\" is not a date omroep can read; omitted",
            "entry 1: a tag is a number, expected a string; ignored",
            "entry 1: attachment size_in_bytes \"many\" is not a number of bytes; omitted",
            "entry 1: an attachment is a number, expected an object; ignored",
            "entry 2 is a string, expected an object; skipped",
        ]
    );
}

#[test]
fn missing_or_unknown_version_is_read_as_1_1() {
    let feed = read(r#"{"title": "T", "items": []}"#);
    assert_eq!(feed.format, Format::JsonFeed11);
    assert_eq!(feed.warnings, vec!["no JSON Feed version; read as 1.1"]);
    let feed = read(r#"{"version": "https://jsonfeed.org/version/2", "items": []}"#);
    assert_eq!(
        feed.warnings,
        vec!["unknown JSON Feed version \"https://jsonfeed.org/version/2\"; read as 1.1"]
    );
}

#[test]
fn a_version_written_as_a_number_is_that_version() {
    let cases = [
        ("1.0", Format::JsonFeed10, "1.0"),
        ("1", Format::JsonFeed10, "1.0"),
        ("1.1", Format::JsonFeed11, "1.1"),
        (
            "https://jsonfeed.org/version/1.0",
            Format::JsonFeed10,
            "1.0",
        ),
        (
            "https://jsonfeed.org/version/1.1/",
            Format::JsonFeed11,
            "1.1",
        ),
    ];
    for (written, format, read_as) in cases {
        let feed = read(&format!(
            r#"{{"version": "{written}", "title": "T", "items": []}}"#
        ));
        assert_eq!(feed.format, format, "{written}");
        assert_eq!(
            feed.warnings,
            vec![format!(
                "JSON Feed version \"{written}\" is not a version URL; read as {read_as}"
            )]
        );
    }
    let feed = read(r#"{"version": "1.2", "items": []}"#);
    assert_eq!(feed.format, Format::JsonFeed11);
    assert_eq!(
        feed.warnings,
        vec!["unknown JSON Feed version \"1.2\"; read as 1.1"]
    );
}

#[test]
fn relative_urls_resolve_against_home_page_then_fetched_url() {
    let feed = read_at(
        r#"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url": "p/1"}]}"#,
        Some("https://host.example/feeds/feed.json"),
    );
    assert_eq!(
        feed.entries[0].link.as_deref(),
        Some("https://host.example/feeds/p/1")
    );
    let feed = read_at(
        r#"{"version": "https://jsonfeed.org/version/1.1", "home_page_url": "/blog/",
            "items": [{"id": "1", "url": "p/1"}]}"#,
        Some("https://host.example/feeds/feed.json"),
    );
    assert_eq!(feed.link.as_deref(), Some("https://host.example/blog/"));
    assert_eq!(
        feed.entries[0].link.as_deref(),
        Some("https://host.example/blog/p/1")
    );
}

#[test]
fn not_json_or_not_an_object_is_an_error() {
    let options = ParseOptions::default();
    match parse(
        br#"{"version": "https://jsonfeed.org/version/1.1", "#,
        &options,
    ) {
        Err(ParseError::Json(message)) => {
            assert!(message.contains("line 1"), "{message}");
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn links_must_be_web_addresses_and_no_url_may_run_code() {
    let feed = read(
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": "T",
        "home_page_url": "javascript:alert(1)", "feed_url": "https://example.org/feed.json",
        "icon": "data:text/html,<script>x()</script>",
        "items": [{"id": "1", "url": "vbscript:x", "image": "javascript:y()",
            "authors": [{"name": "A", "url": "javascript:z()"}],
            "attachments": [{"url": "data:audio/mpeg;base64,AAAA", "mime_type": "audio/mpeg"},
                            {"url": "https://example.org/1.mp3", "mime_type": "audio/mpeg"}]}]}"#,
    );
    assert_eq!(feed.link, None);
    assert_eq!(
        feed.self_link.as_deref(),
        Some("https://example.org/feed.json")
    );
    assert_eq!(feed.image, None);
    let entry = &feed.entries[0];
    assert_eq!(entry.link, None);
    assert_eq!(entry.image, None);
    assert_eq!(entry.authors[0].uri, None);
    assert_eq!(entry.enclosures.len(), 1);
    assert_eq!(entry.enclosures[0].url, "https://example.org/1.mp3");
    assert_eq!(
        feed.warnings,
        vec![
            "home_page_url \"javascript:alert(1)\" is not a web address; ignored",
            "icon \"data:text/html,<script>x()</script>\" would run code, not name a resource; ignored",
            "entry 1: url \"vbscript:x\" is not a web address; ignored",
            "entry 1: image \"javascript:y()\" would run code, not name a resource; ignored",
            "entry 1: author url \"javascript:z()\" would run code, not name a resource; ignored",
            "entry 1: attachment url \"data:audio/mpeg;base64,AAAA\" would run code, not name a resource; ignored",
        ]
    );
}

#[test]
fn attachment_durations_lose_their_fraction_and_sizes_must_be_bytes() {
    let feed = read(
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [
        {"id": "1", "attachments": [{"url": "https://x.example/1.mp3", "mime_type": "audio/mpeg",
            "size_in_bytes": 22413312.0, "duration_in_seconds": 1401.6}]},
        {"id": "2", "attachments": [{"url": "https://x.example/2.mp3", "mime_type": "audio/mpeg",
            "size_in_bytes": -5, "duration_in_seconds": "1:02:03"}]},
        {"id": "3", "attachments": [{"url": "https://x.example/3.mp3", "mime_type": "audio/mpeg",
            "size_in_bytes": "12345", "duration_in_seconds": -1}]}]}"#,
    );
    let seconds: Vec<_> = feed
        .entries
        .iter()
        .map(|entry| entry.podcast.duration_seconds)
        .collect();
    assert_eq!(seconds, [Some(1401), Some(3723), None]);
    let lengths: Vec<_> = feed
        .entries
        .iter()
        .map(|entry| entry.enclosures[0].length)
        .collect();
    assert_eq!(lengths, [Some(22413312), None, Some(12345)]);
    assert_eq!(
        feed.warnings,
        vec![
            "entry 2: attachment size_in_bytes -5 is not a number of bytes; omitted",
            "entry 3: attachment duration_in_seconds -1 is not a whole number; omitted",
        ]
    );
}

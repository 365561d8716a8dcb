//! Test models for the renderers and the snapshot check shared by their tests.
//!
//! The models are small but hostile where it matters: titles with `&`, `<` and a
//! `<script>` tag, content holding `]]>`, a non-URL guid, an entry without a date, a
//! podcast with every Apple and Podcasting 2.0 field filled. Snapshots live in
//! `src/render/snapshots/`; `OMROEP_BLESS=1 cargo test` rewrites them (review the diff).

use std::path::PathBuf;

use chrono::{TimeZone, Utc};

use crate::model::*;

fn date(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<chrono::DateTime<Utc>> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single()
}

fn anna() -> Person {
    Person {
        name: Some("Anna de Vries".into()),
        email: Some("anna@example.org".into()),
        uri: Some("https://example.org/".into()),
    }
}

/// A bilingual blog: three posts, newest first.
pub fn blog() -> Feed {
    Feed {
        format: Format::Rss20,
        title: Some("Notes & <Sketches>".into()),
        link: Some("https://example.org/blog/".into()),
        description: Some("Short notes on writing, in Dutch and English.".into()),
        language: Some("nl".into()),
        copyright: Some("© 2024 Anna de Vries".into()),
        authors: vec![anna()],
        categories: vec![Category {
            term: "writing".into(),
            ..Category::default()
        }],
        image: Some(Image {
            url: "https://example.org/blog/logo.png".into(),
            width: Some(144),
            height: Some(144),
            ..Image::default()
        }),
        entries: vec![
            Entry {
                id: "https://example.org/blog/fish-and-chips/".into(),
                guid: Some("https://example.org/blog/fish-and-chips/".into()),
                title: Some("Fish & Chips <script>alert(1)</script>".into()),
                link: Some("https://example.org/blog/fish-and-chips/".into()),
                summary: Some("A post about 1 < 2 & fried fish.".into()),
                content_html: Some(
                    "<p>Hello <em>world</em> &amp; friends.</p><pre>a ]]> b</pre>".into(),
                ),
                published: date(2024, 3, 5, 9, 0),
                updated: date(2024, 3, 6, 10, 30),
                authors: vec![anna()],
                categories: vec![Category {
                    term: "food".into(),
                    label: Some("Food & drink".into()),
                    ..Category::default()
                }],
                ..Entry::default()
            },
            Entry {
                id: "urn:uuid:5b0e6a38-2f4e-4a6f-9d8e-1f2a3b4c5d6e".into(),
                guid: Some("urn:uuid:5b0e6a38-2f4e-4a6f-9d8e-1f2a3b4c5d6e".into()),
                guid_is_permalink: Some(false),
                title: Some("Schrikkeldag".into()),
                link: Some("https://example.org/blog/schrikkeldag/".into()),
                summary: Some("Een extra dag in februari.".into()),
                content_html: Some("<p>Een extra dag in <strong>februari</strong>.</p>".into()),
                published: date(2024, 2, 29, 23, 59),
                ..Entry::default()
            },
            Entry {
                id: "https://example.org/blog/undated/".into(),
                title: Some("Undated draft".into()),
                link: Some("https://example.org/blog/undated/".into()),
                content_html: Some("<p>No date was given.</p>".into()),
                ..Entry::default()
            },
        ],
        ..Feed::default()
    }
}

/// A podcast with every channel and item field filled, newest episode first.
pub fn podcast() -> Feed {
    let host = PodcastPerson {
        name: "Anna de Vries".into(),
        role: Some("host".into()),
        group: Some("cast".into()),
        img: Some("https://example.org/anna.jpg".into()),
        href: Some("https://example.org/".into()),
    };
    Feed {
        format: Format::Rss20,
        title: Some("Omroep & Co".into()),
        link: Some("https://example.org/podcast/".into()),
        description: Some("A podcast about publishing, <b>not</b> markup.".into()),
        language: Some("en".into()),
        copyright: Some("© 2024 Anna de Vries".into()),
        authors: vec![anna()],
        categories: vec![
            Category {
                term: "Society & Culture".into(),
                scheme: Some("itunes".into()),
                subcategories: vec!["Documentary".into(), "Philosophy".into()],
                ..Category::default()
            },
            Category {
                term: "Technology".into(),
                scheme: Some("itunes".into()),
                ..Category::default()
            },
        ],
        image: Some(Image {
            url: "https://example.org/podcast/artwork.jpg".into(),
            width: Some(3000),
            height: Some(3000),
            ..Image::default()
        }),
        podcast: FeedPodcast {
            explicit: Some(false),
            kind: Some("episodic".into()),
            owner: Some(Owner {
                name: Some("Anna de Vries".into()),
                email: Some("anna@example.org".into()),
            }),
            author: Some("Anna de Vries".into()),
            complete: Some(false),
            block: Some(false),
            new_feed_url: None,
            guid: Some(crate::normalise::id::podcast_guid(
                "https://example.org/podcast/feed.xml",
            )),
            locked: Some(Locked {
                value: true,
                owner: Some("anna@example.org".into()),
            }),
            medium: Some("podcast".into()),
            funding: vec![Funding {
                url: "https://example.org/support?via=feed&x=1".into(),
                text: Some("Support the show".into()),
            }],
            persons: vec![host.clone()],
        },
        entries: vec![
            Entry {
                id: "urn:omroep:episode-2".into(),
                guid: Some("urn:omroep:episode-2".into()),
                title: Some("Episode 2: Feeds & <Formats>".into()),
                link: Some("https://example.org/podcast/2/".into()),
                summary: Some("Why RSS still matters.".into()),
                content_html: Some(
                    "<p>Why <a href=\"https://www.rssboard.org/\">RSS</a> still matters.</p>"
                        .into(),
                ),
                published: date(2024, 4, 1, 6, 0),
                authors: vec![anna()],
                image: Some(Image {
                    url: "https://example.org/podcast/2.jpg".into(),
                    ..Image::default()
                }),
                enclosures: vec![Enclosure {
                    url: "https://example.org/podcast/media/2.mp3".into(),
                    mime_type: Some("audio/mpeg".into()),
                    length: Some(24_117_248),
                }],
                podcast: EntryPodcast {
                    duration_seconds: Some(3723),
                    explicit: Some(false),
                    season: Some(1),
                    episode: Some(2),
                    episode_type: Some("full".into()),
                    block: None,
                    transcripts: vec![
                        Transcript {
                            url: "https://example.org/podcast/2.vtt".into(),
                            mime_type: Some("text/vtt".into()),
                            language: Some("en".into()),
                            rel: Some("captions".into()),
                        },
                        Transcript {
                            url: "https://example.org/podcast/2.html".into(),
                            mime_type: Some("text/html".into()),
                            ..Transcript::default()
                        },
                    ],
                    chapters: Some(Chapters {
                        url: "https://example.org/podcast/2.chapters.json".into(),
                        mime_type: Some("application/json+chapters".into()),
                    }),
                    persons: vec![
                        host,
                        PodcastPerson {
                            name: "Bram \"Guest\" Jansen".into(),
                            role: Some("guest".into()),
                            ..PodcastPerson::default()
                        },
                    ],
                    funding: Vec::new(),
                },
                ..Entry::default()
            },
            Entry {
                id: "urn:omroep:trailer".into(),
                guid: Some("urn:omroep:trailer".into()),
                title: Some("Trailer".into()),
                summary: Some("What this show is about.".into()),
                published: date(2024, 3, 1, 6, 0),
                enclosures: vec![Enclosure {
                    url: "https://example.org/podcast/media/trailer.m4a".into(),
                    mime_type: Some("audio/x-m4a".into()),
                    length: Some(1_048_576),
                }],
                podcast: EntryPodcast {
                    duration_seconds: Some(59),
                    season: Some(1),
                    episode_type: Some("trailer".into()),
                    ..EntryPodcast::default()
                },
                ..Entry::default()
            },
        ],
        ..Feed::default()
    }
}

fn snapshot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/render/snapshots")
        .join(name)
}

/// Compares rendered output with its committed snapshot, byte for byte. With
/// `OMROEP_BLESS=1` the snapshot is rewritten instead.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = snapshot_path(name);
    if std::env::var_os("OMROEP_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{}: no snapshot; run OMROEP_BLESS=1 cargo test and review it",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the rendered output at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             (a snapshot change is a design change: re-bless with OMROEP_BLESS=1 and review)",
            path.display(),
            line + 1,
            expected.lines().nth(line).unwrap_or("<end>"),
            actual.lines().nth(line).unwrap_or("<end>"),
        );
    }
}

/// Fails unless `xml` is well-formed with every prefix bound, read by a strict reader.
pub fn assert_well_formed(xml: &str) {
    use quick_xml::NsReader;
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;

    let mut reader = NsReader::from_str(xml);
    let mut depth = 0i32;
    loop {
        match reader.read_resolved_event() {
            Ok((ResolveResult::Unknown(prefix), _)) => {
                panic!("unbound prefix {prefix:?}")
            }
            Ok((_, Event::Start(start))) => {
                depth += 1;
                for attr in start.attributes() {
                    let attr = attr.expect("well-formed attribute");
                    attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("attribute value unescapes");
                }
            }
            Ok((_, Event::End(_))) => depth -= 1,
            Ok((_, Event::Eof)) => break,
            Ok(_) => {}
            Err(error) => panic!("not well-formed at {}: {error}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
}

/// Where sample outputs go: `target/render-samples/`.
pub fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/render-samples")
}

/// Renders every format from the fixtures into `dir`; returns the file names written.
pub fn write_samples(dir: &std::path::Path) -> Vec<String> {
    use super::{Channel, FeedKind, Source};

    std::fs::create_dir_all(dir).unwrap();
    let blog = blog();
    let podcast = podcast();
    let blog_channel = |self_url| Channel {
        feed: &blog,
        kind: FeedKind::Blog,
        self_url,
        home_url: "https://example.org/blog/",
        generator: "omroep 0.1.0",
    };
    let podcast_channel = |self_url| Channel {
        feed: &podcast,
        kind: FeedKind::Podcast,
        self_url,
        home_url: "https://example.org/podcast/",
        generator: "omroep 0.1.0",
    };
    // The combined feed: every entry of both, newest first, each naming its feed.
    let notes = Source {
        name: "notes",
        title: "Notes & <Sketches>",
        url: "https://example.org/blog/feed.xml",
        home_url: "https://example.org/blog/",
    };
    let show = Source {
        name: "show",
        title: "Omroep & Co",
        url: "https://example.org/podcast/feed.xml",
        home_url: "https://example.org/podcast/",
    };
    let mut pairs: Vec<(&Entry, Source)> = blog
        .entries
        .iter()
        .map(|e| (e, notes))
        .chain(podcast.entries.iter().map(|e| (e, show)))
        .collect();
    pairs.sort_by_key(|(entry, _)| std::cmp::Reverse(super::entry_date(entry)));
    let combined = Feed {
        title: Some("Everything".into()),
        language: Some("en".into()),
        description: Some("Every post and episode.".into()),
        entries: pairs.iter().map(|(e, _)| (*e).clone()).collect(),
        ..Feed::default()
    };
    let sources: Vec<Source> = pairs.iter().map(|(_, s)| *s).collect();
    let combined_channel = |self_url| Channel {
        feed: &combined,
        kind: FeedKind::Aggregate,
        self_url,
        home_url: "https://example.org/",
        generator: "omroep 0.1.0",
    };
    let index = super::index::tests::sample(&blog, &podcast);
    let files = [
        (
            "blog.rss.xml",
            super::rss::render(&blog_channel("https://example.org/blog/feed.xml")),
        ),
        (
            "blog.atom.xml",
            super::atom::render(&blog_channel("https://example.org/blog/atom.xml")),
        ),
        (
            "blog.feed.json",
            super::jsonfeed::render(&blog_channel("https://example.org/blog/feed.json")),
        ),
        (
            "podcast.rss.xml",
            super::podcast::render(&podcast_channel("https://example.org/podcast/feed.xml")),
        ),
        (
            "podcast.atom.xml",
            super::atom::render(&podcast_channel("https://example.org/podcast/atom.xml")),
        ),
        (
            "podcast.feed.json",
            super::jsonfeed::render(&podcast_channel("https://example.org/podcast/feed.json")),
        ),
        (
            "all.rss.xml",
            super::rss::render_with_sources(
                &combined_channel("https://example.org/all.xml"),
                &sources,
            ),
        ),
        (
            "all.atom.xml",
            super::atom::render_with_sources(
                &combined_channel("https://example.org/all.atom.xml"),
                &sources,
            ),
        ),
        ("index.html", super::index::html(&index)),
        ("index.json", super::index::json(&index)),
    ];
    files
        .into_iter()
        .map(|(name, text)| {
            std::fs::write(dir.join(name), text).unwrap();
            name.to_owned()
        })
        .collect()
}

//! The `itunes:`, `podcast:`, `media:` and `content:` rules, on RSS and Atom documents.

use crate::ingest::feed::{ParseOptions, parse};
use crate::model::{
    Category, Chapters, Enclosure, Feed, Funding, Image, Locked, Owner, PodcastPerson, Transcript,
};

fn read(xml: &str) -> Feed {
    match parse(xml.as_bytes(), &ParseOptions::default()) {
        Ok(feed) => feed,
        Err(error) => panic!("test document did not parse: {error}"),
    }
}

/// An RSS 2.0 podcast with the usual namespaces; `podcast_ns` picks the Podcasting 2.0 URI.
fn podcast_with(podcast_ns: &str, channel: &str, item: &str) -> Feed {
    read(&format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
             xmlns:pod="{podcast_ns}" xmlns:media="http://search.yahoo.com/mrss/"
             xmlns:content="http://purl.org/rss/1.0/modules/content/">
        <channel><title>Show</title><link>https://show.example/</link>{channel}
        <item><title>Episode</title>{item}</item></channel></rss>"#
    ))
}

fn podcast(channel: &str, item: &str) -> Feed {
    podcast_with("https://podcastindex.org/namespace/1.0", channel, item)
}

#[test]
fn itunes_channel_fields() {
    let feed = podcast(
        r#"<itunes:author>Jane Host</itunes:author>
        <itunes:owner><itunes:name>Jane Owner</itunes:name><itunes:email>jane@show.example</itunes:email></itunes:owner>
        <itunes:explicit>false</itunes:explicit>
        <itunes:type>Serial</itunes:type>
        <itunes:complete>Yes</itunes:complete>
        <itunes:block>no</itunes:block>
        <itunes:new-feed-url>https://new.example/feed.xml</itunes:new-feed-url>
        <itunes:image href="https://show.example/art.jpg"/>
        <itunes:summary>Summary of the show</itunes:summary>
        <itunes:category text="Technology"><itunes:category text="Gadgets"/></itunes:category>
        <itunes:category text="Kids &amp; Family"/>"#,
        "",
    );
    let podcast = &feed.podcast;
    assert_eq!(podcast.author.as_deref(), Some("Jane Host"));
    assert_eq!(
        podcast.owner,
        Some(Owner {
            name: Some("Jane Owner".into()),
            email: Some("jane@show.example".into()),
        })
    );
    assert_eq!(podcast.explicit, Some(false));
    assert_eq!(podcast.kind.as_deref(), Some("serial"));
    assert_eq!(podcast.complete, Some(true));
    assert_eq!(podcast.block, Some(false));
    assert_eq!(
        podcast.new_feed_url.as_deref(),
        Some("https://new.example/feed.xml")
    );
    assert_eq!(
        feed.image,
        Some(Image {
            url: "https://show.example/art.jpg".into(),
            ..Image::default()
        })
    );
    assert_eq!(feed.description.as_deref(), Some("Summary of the show"));
    assert_eq!(
        feed.authors
            .first()
            .and_then(|author| author.name.as_deref()),
        Some("Jane Host")
    );
    assert_eq!(
        feed.categories,
        vec![
            Category {
                term: "Technology".into(),
                scheme: Some("itunes".into()),
                subcategories: vec!["Gadgets".into()],
                ..Category::default()
            },
            Category {
                term: "Kids & Family".into(),
                scheme: Some("itunes".into()),
                ..Category::default()
            },
        ]
    );
}

#[test]
fn explicit_values() {
    for (value, expected) in [
        ("yes", Some(true)),
        ("explicit", Some(true)),
        ("true", Some(true)),
        ("no", Some(false)),
        ("clean", Some(false)),
        ("false", Some(false)),
    ] {
        let feed = podcast(
            &format!("<itunes:explicit>{value}</itunes:explicit>"),
            &format!("<itunes:explicit>{value}</itunes:explicit>"),
        );
        assert_eq!(feed.podcast.explicit, expected, "{value}");
        assert_eq!(feed.entries[0].podcast.explicit, expected, "{value}");
    }
    let feed = podcast("<itunes:explicit>maybe</itunes:explicit>", "");
    assert_eq!(feed.podcast.explicit, None);
    assert_eq!(
        feed.warnings,
        vec!["itunes:explicit \"maybe\" is not yes/no/true/false/clean/explicit; omitted"]
    );
}

#[test]
fn itunes_image_wins_over_the_rss_image_but_an_empty_one_does_not() {
    let feed = podcast(
        r#"<image><url>https://show.example/small.png</url><title>Show</title><link>https://show.example/</link><width>144</width><height>144</height></image>
        <itunes:image href="https://show.example/art.jpg"/>"#,
        "",
    );
    assert_eq!(
        feed.image,
        Some(Image {
            url: "https://show.example/art.jpg".into(),
            title: Some("Show".into()),
            link: Some("https://show.example/".into()),
            width: None,
            height: None,
        })
    );
    let feed = podcast(
        r#"<image><url>http://i.INVALID/i.gif</url></image><itunes:image></itunes:image>"#,
        "",
    );
    assert_eq!(
        feed.image.map(|image| image.url).as_deref(),
        Some("http://i.INVALID/i.gif")
    );
    let feed = podcast(r#"<itunes:image url="http://a.b/i.png"/>"#, "");
    assert_eq!(
        feed.image.map(|image| image.url).as_deref(),
        Some("http://a.b/i.png")
    );
}

#[test]
fn keywords_are_categories_without_duplicates() {
    let feed = podcast(
        r#"<itunes:category text="Technology"/><itunes:keywords>technology, Gadgets ,,Gadgets</itunes:keywords>"#,
        "",
    );
    let terms: Vec<(&str, Option<&str>)> = feed
        .categories
        .iter()
        .map(|category| (category.term.as_str(), category.scheme.as_deref()))
        .collect();
    assert_eq!(terms, [("Technology", Some("itunes")), ("Gadgets", None)]);
}

#[test]
fn itunes_item_fields() {
    let feed = podcast(
        "",
        r#"<enclosure url="https://cdn.example/1.mp3" type="audio/mpeg" length="1234"/>
        <itunes:duration> 1:02:03 </itunes:duration>
        <itunes:season>2</itunes:season><itunes:episode>14</itunes:episode>
        <itunes:episodeType>Trailer</itunes:episodeType>
        <itunes:block>Yes</itunes:block>
        <itunes:image href="https://show.example/ep.jpg"/>
        <itunes:author>Guest Author</itunes:author>
        <itunes:summary>Episode summary</itunes:summary>"#,
    );
    let entry = &feed.entries[0];
    assert_eq!(entry.podcast.duration_seconds, Some(3723));
    assert_eq!(entry.podcast.season, Some(2));
    assert_eq!(entry.podcast.episode, Some(14));
    assert_eq!(entry.podcast.episode_type.as_deref(), Some("trailer"));
    assert_eq!(entry.podcast.block, Some(true));
    assert_eq!(
        entry.image.as_ref().map(|image| image.url.as_str()),
        Some("https://show.example/ep.jpg")
    );
    assert_eq!(entry.authors[0].name.as_deref(), Some("Guest Author"));
    assert_eq!(entry.summary.as_deref(), Some("Episode summary"));
    assert_eq!(entry.content_html.as_deref(), Some("Episode summary"));
}

#[test]
fn bad_podcast_numbers_warn() {
    let feed = podcast(
        "",
        r#"<itunes:duration>soon</itunes:duration><itunes:season>two</itunes:season>
        <itunes:episodeType>special</itunes:episodeType><itunes:episode>3.0</itunes:episode>"#,
    );
    let entry = &feed.entries[0];
    assert_eq!(entry.podcast.duration_seconds, None);
    assert_eq!(entry.podcast.season, None);
    assert_eq!(entry.podcast.episode, Some(3));
    assert_eq!(entry.podcast.episode_type, None);
    assert_eq!(
        feed.warnings,
        vec![
            "entry 1: itunes:duration \"soon\" is not a duration; omitted",
            "entry 1: itunes:season \"two\" is not a whole number; omitted",
            "entry 1: itunes:episodeType \"special\" is not one of full, trailer, bonus; omitted",
        ]
    );
}

#[test]
fn podcast_season_and_episode_only_when_itunes_ones_are_absent() {
    let feed = podcast(
        "",
        "<pod:season name=\"Two\">2</pod:season><pod:episode display=\"Ep 5\">5</pod:episode>",
    );
    assert_eq!(feed.entries[0].podcast.season, Some(2));
    assert_eq!(feed.entries[0].podcast.episode, Some(5));
    let feed = podcast(
        "",
        "<pod:season>9</pod:season><itunes:season>3</itunes:season><itunes:episode>4</itunes:episode><pod:episode>8</pod:episode>",
    );
    assert_eq!(feed.entries[0].podcast.season, Some(3));
    assert_eq!(feed.entries[0].podcast.episode, Some(4));
}

#[test]
fn podcasting_2_0_channel_fields_under_both_namespace_uris() {
    for uri in [
        "https://podcastindex.org/namespace/1.0",
        "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
    ] {
        let feed = podcast_with(
            uri,
            r#"<pod:guid> 917393e3-1b1e-5cef-ace4-edaa54e1f810 </pod:guid>
            <pod:locked owner="jane@show.example">yes</pod:locked>
            <pod:medium>Music</pod:medium>
            <pod:funding url="https://donate.example/">Support the show</pod:funding>
            <pod:funding>no url</pod:funding>
            <pod:person role="Host" group="Cast" img="/jane.jpg" href="https://jane.example/">Jane Doe</pod:person>
            <pod:person role="Gaffer">Unknown Role</pod:person>"#,
            "",
        );
        let podcast = &feed.podcast;
        assert_eq!(
            podcast.guid.as_deref(),
            Some("917393e3-1b1e-5cef-ace4-edaa54e1f810"),
            "{uri}"
        );
        assert_eq!(
            podcast.locked,
            Some(Locked {
                value: true,
                owner: Some("jane@show.example".into()),
            })
        );
        assert_eq!(podcast.medium.as_deref(), Some("music"));
        assert_eq!(
            podcast.funding,
            vec![Funding {
                url: "https://donate.example/".into(),
                text: Some("Support the show".into()),
            }]
        );
        assert_eq!(
            podcast.persons,
            vec![
                PodcastPerson {
                    name: "Jane Doe".into(),
                    role: Some("host".into()),
                    group: Some("cast".into()),
                    img: Some("https://show.example/jane.jpg".into()),
                    href: Some("https://jane.example/".into()),
                },
                PodcastPerson {
                    name: "Unknown Role".into(),
                    role: Some("gaffer".into()),
                    ..PodcastPerson::default()
                },
            ]
        );
        assert_eq!(
            feed.warnings,
            vec!["podcast:funding without a url attribute; ignored"]
        );
    }
}

#[test]
fn podcasting_2_0_item_fields() {
    let feed = podcast(
        "",
        r#"<pod:transcript url="https://show.example/1.vtt" type="text/vtt" language="nl-NL" rel="captions"/>
        <pod:transcript url="/1.json" type="application/json"/>
        <pod:chapters url="https://show.example/1.chapters.json" type="application/json+chapters"/>
        <pod:person role="guest" href="https://guest.example/">A Guest</pod:person>"#,
    );
    let podcast = &feed.entries[0].podcast;
    assert_eq!(
        podcast.transcripts,
        vec![
            Transcript {
                url: "https://show.example/1.vtt".into(),
                mime_type: Some("text/vtt".into()),
                language: Some("nl-nl".into()),
                rel: Some("captions".into()),
            },
            Transcript {
                url: "https://show.example/1.json".into(),
                mime_type: Some("application/json".into()),
                ..Transcript::default()
            },
        ]
    );
    assert_eq!(
        podcast.chapters,
        Some(Chapters {
            url: "https://show.example/1.chapters.json".into(),
            mime_type: Some("application/json+chapters".into()),
        })
    );
    assert_eq!(podcast.persons[0].name, "A Guest");
    assert_eq!(podcast.persons[0].role.as_deref(), Some("guest"));
}

#[test]
fn no_podcast_block_without_podcast_tags() {
    let feed = podcast("", "<description>plain</description>");
    assert!(feed.podcast.is_empty());
    assert!(feed.entries[0].podcast.is_empty());
    let json = serde_json::to_value(&feed).unwrap_or_default();
    assert!(json.get("podcast").is_none());
    assert!(json["entries"][0].get("podcast").is_none());
}

#[test]
fn media_content_is_the_enclosure_fallback_and_media_thumbnail_the_image() {
    let feed = podcast(
        "",
        r#"<media:content url="https://cdn.example/video-lo.mp4" type="video/mp4" fileSize="100" duration="61"/>
        <media:group>
          <media:content url="https://cdn.example/a-lo.mp3" type="audio/mpeg" fileSize="10"/>
          <media:content url="https://cdn.example/a-hi.mp3" type="audio/mpeg" fileSize="big" isDefault="true"/>
        </media:group>
        <media:content url="https://cdn.example/cover.jpg" medium="image"/>
        <media:thumbnail url="https://cdn.example/thumb.jpg" width="320" height="180"/>"#,
    );
    let entry = &feed.entries[0];
    assert_eq!(
        entry.enclosures,
        vec![
            Enclosure {
                url: "https://cdn.example/video-lo.mp4".into(),
                mime_type: Some("video/mp4".into()),
                length: Some(100),
            },
            Enclosure {
                url: "https://cdn.example/a-hi.mp3".into(),
                mime_type: Some("audio/mpeg".into()),
                length: None,
            },
        ]
    );
    assert_eq!(entry.podcast.duration_seconds, Some(61));
    assert_eq!(
        entry.image,
        Some(Image {
            url: "https://cdn.example/thumb.jpg".into(),
            width: Some(320),
            height: Some(180),
            ..Image::default()
        })
    );
    assert_eq!(
        feed.warnings,
        vec!["entry 1: media:content fileSize \"big\" is not a number of bytes; omitted"]
    );
}

#[test]
fn media_content_does_not_add_to_a_real_enclosure_but_lends_its_duration() {
    let feed = podcast(
        "",
        r#"<enclosure url="https://cdn.example/1.mp3" type="audio/mpeg" length="5"/>
        <media:content url="https://cdn.example/1.mp3" duration="125"/>
        <media:content url="https://cdn.example/other.mp3"/>"#,
    );
    let entry = &feed.entries[0];
    assert_eq!(entry.enclosures.len(), 1);
    assert_eq!(entry.podcast.duration_seconds, Some(125));
}

#[test]
fn a_media_image_is_the_entry_image_when_there_is_no_thumbnail() {
    let feed = podcast(
        "",
        r#"<media:content url="https://blog.example/featured.jpg" type="image/jpeg" width="1200"/>"#,
    );
    let entry = &feed.entries[0];
    assert!(entry.enclosures.is_empty());
    assert_eq!(
        entry
            .image
            .as_ref()
            .map(|image| (image.url.as_str(), image.width)),
        Some(("https://blog.example/featured.jpg", Some(1200)))
    );
}

#[test]
fn media_title_and_description_are_fallbacks() {
    let feed = read(
        r#"<rss xmlns:media="http://search.yahoo.com/mrss/"><channel><item>
        <media:title>foo</media:title><media:description>bar</media:description>
        <media:category scheme="http://example.INVALID/" label="lab1">cat1</media:category>
                <media:category>cat2</media:category>
        </item><item><title>real</title><media:title>foo</media:title></item></channel></rss>"#,
    );
    assert_eq!(feed.entries[0].title.as_deref(), Some("foo"));
    assert_eq!(feed.entries[0].summary.as_deref(), Some("bar"));
    assert_eq!(
        feed.entries[0].categories,
        vec![
            Category {
                term: "cat1".into(),
                label: Some("lab1".into()),
                scheme: Some("http://example.INVALID/".into()),
                ..Category::default()
            },
            Category {
                term: "cat2".into(),
                scheme: Some("http://search.yahoo.com/mrss/category_schema".into()),
                ..Category::default()
            }
        ]
    );
    assert_eq!(feed.entries[1].title.as_deref(), Some("real"));
}

#[test]
fn itunes_in_atom() {
    let feed = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd">
        <itunes:explicit>yes</itunes:explicit>
        <entry><itunes:duration>3:00</itunes:duration></entry></feed>"#,
    );
    assert_eq!(feed.podcast.explicit, Some(true));
    assert_eq!(feed.entries[0].podcast.duration_seconds, Some(180));
}

#[test]
fn itunes_under_the_uri_of_apples_early_example() {
    let feed = read(
        r#"<rss version="2.0" xmlns:itunes="http://example.com/DTDs/Podcast-1.0.dtd"><channel>
        <itunes:block>yes</itunes:block><itunes:author>Jane</itunes:author></channel></rss>"#,
    );
    assert_eq!(feed.podcast.block, Some(true));
    assert_eq!(feed.podcast.author.as_deref(), Some("Jane"));
}

#[test]
fn itunes_block_and_complete_count_only_yes() {
    let feed = podcast(
        "<itunes:block>true</itunes:block><itunes:complete>maybe</itunes:complete>",
        "<itunes:block> YES </itunes:block>",
    );
    assert_eq!(feed.podcast.block, Some(false));
    assert_eq!(feed.podcast.complete, Some(false));
    assert_eq!(feed.entries[0].podcast.block, Some(true));
    assert_eq!(
        feed.warnings,
        vec![
            "itunes:complete \"maybe\" is not \"Yes\", the only value Apple acts on; read as no",
            "itunes:block \"true\" is not \"Yes\", the only value Apple acts on; read as no",
        ]
    );
    let feed = podcast(
        "<itunes:block>False</itunes:block>",
        "<itunes:block>no</itunes:block>",
    );
    assert_eq!(feed.podcast.block, Some(false));
    assert_eq!(feed.entries[0].podcast.block, Some(false));
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
}

#[test]
fn a_category_written_twice_keeps_both_subcategories() {
    let feed = podcast(
        r#"<itunes:category text="Society &amp; Culture"><itunes:category text="Documentary"/></itunes:category>
        <itunes:category text="Society &amp; Culture"><itunes:category text="Places &amp; Travel"/></itunes:category>
        <itunes:category text="Society &amp; Culture"><itunes:category text="Documentary"/></itunes:category>
        <itunes:category text="Society &amp; Culture"/>"#,
        "",
    );
    assert_eq!(
        feed.categories,
        vec![Category {
            term: "Society & Culture".into(),
            scheme: Some("itunes".into()),
            subcategories: vec!["Documentary".into(), "Places & Travel".into()],
            ..Category::default()
        }]
    );
}

#[test]
fn a_nameless_category_around_named_ones_gives_the_named_ones() {
    let feed = podcast(
        r#"<itunes:category>
            <itunes:category text="Religion &amp; Spirituality"/>
            <itunes:category text="Christianity"/>
        </itunes:category>
        <itunes:category text=" "><itunes:category text="Christianity"/></itunes:category>
        <itunes:category text=""/>"#,
        "",
    );
    let read: Vec<(&str, Option<&str>, usize)> = feed
        .categories
        .iter()
        .map(|c| (c.term.as_str(), c.scheme.as_deref(), c.subcategories.len()))
        .collect();
    assert_eq!(
        read,
        vec![
            ("Religion & Spirituality", Some("itunes"), 0),
            ("Christianity", Some("itunes"), 0),
        ]
    );
}

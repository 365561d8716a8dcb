//! Podcast RSS: the RSS 2.0 channel of `rss` plus Apple's `itunes:` tags and the
//! Podcasting 2.0 `podcast:` namespace, written with the `rss` crate.
//!
//! Channel: `itunes:image`, `itunes:category` (with every subcategory nested, as a generic
//! extension because the crate's type holds only one), `itunes:explicit` as `true`/
//! `false`, `itunes:owner`, `itunes:author`, `itunes:type`, `itunes:block`,
//! `itunes:complete`, `itunes:new-feed-url`; `podcast:guid`, `locked`, `funding`,
//! `person`, `medium`. Items: the first audio/video enclosure with its true length,
//! `itunes:title` (a generic extension: the crate has no such field), `itunes:duration`
//! in whole seconds, `itunes:episode`, `itunes:season`, `itunes:episodeType`,
//! `itunes:explicit`, `itunes:image`, `itunes:block`; `podcast:transcript`, `chapters`,
//! `person`, `season`, `episode`.
//!
//! `podcast:guid` is the model's (which the publish ledger pins once published); a feed
//! without one gets the spec's derivation, UUIDv5 of `self_url` without its scheme.
//!
//! Any other field the model does not have is not written (never guessed): `itunes:explicit`
//! missing from the model stays missing, and `omroep validate` reports it.

use ::rss::extension::itunes::{ITunesChannelExtension, ITunesItemExtension, ITunesOwner};
use ::rss::extension::{Extension, ExtensionMap};

use super::rss::{element, insert};
use super::{Channel, owned};
use crate::model::{Category, Entry, Feed, PodcastPerson};

pub(crate) const ITUNES_NS: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
pub(crate) const PODCAST_NS: &str = "https://podcastindex.org/namespace/1.0";

/// Renders a podcast RSS feed.
pub fn render(channel: &Channel) -> String {
    let feed = channel.feed;
    let mut out = super::rss::channel(channel, &[], super::rss::Enclosures::Always);
    out.namespaces
        .insert("itunes".to_owned(), ITUNES_NS.to_owned());
    out.namespaces
        .insert("podcast".to_owned(), PODCAST_NS.to_owned());
    out.itunes_ext = Some(channel_itunes(feed));
    for category in feed
        .categories
        .iter()
        .filter(|category| category.scheme.as_deref() == Some("itunes"))
    {
        insert(
            &mut out.extensions,
            "itunes",
            "category",
            itunes_category(category),
        );
    }
    channel_podcast(feed, channel.self_url, &mut out.extensions);
    for (item, entry) in out.items.iter_mut().zip(&feed.entries) {
        item_podcast(entry, feed, item);
    }
    super::rss::write(out)
}

fn yes_no(flag: Option<bool>) -> Option<String> {
    flag.map(|flag| if flag { "Yes" } else { "No" }.to_owned())
}

fn true_false(flag: Option<bool>) -> Option<String> {
    flag.map(|flag| flag.to_string())
}

fn channel_itunes(feed: &Feed) -> ITunesChannelExtension {
    let podcast = &feed.podcast;
    ITunesChannelExtension {
        author: podcast
            .author
            .as_deref()
            .or(feed.authors.iter().find_map(|a| a.name.as_deref()))
            .map(owned),
        block: yes_no(podcast.block),
        image: feed.image.as_ref().map(|image| owned(&image.url)),
        explicit: true_false(podcast.explicit),
        complete: yes_no(podcast.complete),
        new_feed_url: podcast.new_feed_url.as_deref().map(owned),
        owner: podcast.owner.as_ref().map(|owner| ITunesOwner {
            name: owner.name.as_deref().map(owned),
            email: owner.email.as_deref().map(owned),
        }),
        r#type: podcast.kind.as_deref().map(owned),
        ..ITunesChannelExtension::default()
    }
}

/// `<itunes:category text="…">` with each subcategory as a nested `itunes:category`.
fn itunes_category(category: &Category) -> Extension {
    let mut parent = element("itunes:category", None, [("text", category.term.as_str())]);
    let children: Vec<Extension> = category
        .subcategories
        .iter()
        .map(|sub| element("itunes:category", None, [("text", sub.as_str())]))
        .collect();
    if !children.is_empty() {
        parent.children.insert("category".to_owned(), children);
    }
    parent
}

fn channel_podcast(feed: &Feed, self_url: &str, map: &mut ExtensionMap) {
    let podcast = &feed.podcast;
    let guid = podcast
        .guid
        .clone()
        .unwrap_or_else(|| crate::normalise::id::podcast_guid(self_url));
    insert(
        map,
        "podcast",
        "guid",
        element("podcast:guid", Some(&guid), []),
    );
    if let Some(locked) = &podcast.locked {
        let value = if locked.value { "yes" } else { "no" };
        let owner = locked.owner.as_deref().map(|owner| ("owner", owner));
        insert(
            map,
            "podcast",
            "locked",
            element("podcast:locked", Some(value), owner),
        );
    }
    for funding in &podcast.funding {
        // The text is required by the spec (it is the link's label); the URL stands in.
        let text = funding.text.as_deref().unwrap_or(&funding.url);
        let extension = element(
            "podcast:funding",
            Some(text),
            [("url", funding.url.as_str())],
        );
        insert(map, "podcast", "funding", extension);
    }
    for person in &podcast.persons {
        insert(map, "podcast", "person", person_element(person));
    }
    if let Some(medium) = &podcast.medium {
        insert(
            map,
            "podcast",
            "medium",
            element("podcast:medium", Some(medium), []),
        );
    }
}

fn person_element(person: &PodcastPerson) -> Extension {
    let attrs = [
        ("group", person.group.as_deref()),
        ("href", person.href.as_deref()),
        ("img", person.img.as_deref()),
        ("role", person.role.as_deref()),
    ];
    element(
        "podcast:person",
        Some(&person.name),
        attrs
            .into_iter()
            .filter_map(|(key, value)| value.map(|value| (key, value))),
    )
}

fn item_podcast(entry: &Entry, feed: &Feed, item: &mut ::rss::Item) {
    let podcast = &entry.podcast;
    item.itunes_ext = Some(ITunesItemExtension {
        author: entry
            .authors
            .iter()
            .find_map(|a| a.name.as_deref())
            .or(feed.podcast.author.as_deref())
            .map(owned),
        block: yes_no(podcast.block),
        image: entry.image.as_ref().map(|image| owned(&image.url)),
        duration: podcast.duration_seconds.map(|seconds| seconds.to_string()),
        explicit: true_false(podcast.explicit),
        episode: podcast.episode.map(|n| n.to_string()),
        season: podcast.season.map(|n| n.to_string()),
        episode_type: podcast.episode_type.as_deref().map(owned),
        ..ITunesItemExtension::default()
    });
    let map = &mut item.extensions;
    if let Some(title) = &entry.title {
        insert(
            map,
            "itunes",
            "title",
            element("itunes:title", Some(title), []),
        );
    }
    for transcript in &podcast.transcripts {
        let attrs = [
            ("url", Some(transcript.url.as_str())),
            ("type", transcript.mime_type.as_deref()),
            ("language", transcript.language.as_deref()),
            ("rel", transcript.rel.as_deref()),
        ];
        let extension = element(
            "podcast:transcript",
            None,
            attrs.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))),
        );
        insert(map, "podcast", "transcript", extension);
    }
    if let Some(chapters) = &podcast.chapters {
        let mime = chapters
            .mime_type
            .as_deref()
            .unwrap_or("application/json+chapters");
        let extension = element(
            "podcast:chapters",
            None,
            [("url", chapters.url.as_str()), ("type", mime)],
        );
        insert(map, "podcast", "chapters", extension);
    }
    for person in &podcast.persons {
        insert(map, "podcast", "person", person_element(person));
    }
    if let Some(season) = podcast.season {
        let season = season.to_string();
        insert(
            map,
            "podcast",
            "season",
            element("podcast:season", Some(&season), []),
        );
    }
    if let Some(episode) = podcast.episode {
        let episode = episode.to_string();
        insert(
            map,
            "podcast",
            "episode",
            element("podcast:episode", Some(&episode), []),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::super::{Channel, FeedKind};
    use super::*;

    fn channel(feed: &Feed) -> Channel<'_> {
        Channel {
            feed,
            kind: FeedKind::Podcast,
            self_url: "https://example.org/podcast/feed.xml",
            home_url: "https://example.org/podcast/",
            generator: "omroep 0.1.0",
        }
    }

    #[test]
    fn snapshot_podcast() {
        let feed = fixture::podcast();
        fixture::assert_snapshot("podcast.rss.xml", &render(&channel(&feed)));
    }

    #[test]
    fn namespaces_are_declared_with_the_exact_uris() {
        let feed = fixture::podcast();
        let xml = render(&channel(&feed));
        fixture::assert_well_formed(&xml);
        assert!(xml.contains("xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\""));
        assert!(xml.contains("xmlns:podcast=\"https://podcastindex.org/namespace/1.0\""));
    }

    #[test]
    fn apple_channel_tags_are_present() {
        let feed = fixture::podcast();
        let xml = render(&channel(&feed));
        for needle in [
            "<itunes:image href=\"https://example.org/podcast/artwork.jpg\"/>",
            "<itunes:explicit>false</itunes:explicit>",
            "<itunes:type>episodic</itunes:type>",
            "<itunes:author>Anna de Vries</itunes:author>",
            "<itunes:owner>\n      <itunes:name>Anna de Vries</itunes:name>\n      <itunes:email>anna@example.org</itunes:email>\n    </itunes:owner>",
            "<itunes:category text=\"Society &amp; Culture\">\n      <itunes:category text=\"Documentary\"/>\n      <itunes:category text=\"Philosophy\"/>\n    </itunes:category>",
            "<itunes:category text=\"Technology\"/>",
            "<itunes:complete>No</itunes:complete>",
            "<itunes:block>No</itunes:block>",
        ] {
            assert!(xml.contains(needle), "missing {needle}");
        }
    }

    #[test]
    fn podcasting_2_channel_tags_are_present() {
        let feed = fixture::podcast();
        let xml = render(&channel(&feed));
        for needle in [
            "<podcast:guid>",
            "<podcast:locked owner=\"anna@example.org\">yes</podcast:locked>",
            "<podcast:funding url=\"https://example.org/support?via=feed&amp;x=1\">Support the show</podcast:funding>",
            "<podcast:person group=\"cast\" href=\"https://example.org/\" img=\"https://example.org/anna.jpg\" role=\"host\">Anna de Vries</podcast:person>",
            "<podcast:medium>podcast</podcast:medium>",
        ] {
            assert!(xml.contains(needle), "missing {needle}");
        }
        let guid = crate::normalise::id::podcast_guid("https://example.org/podcast/feed.xml");
        assert!(xml.contains(&format!("<podcast:guid>{guid}</podcast:guid>")));
    }

    #[test]
    fn episode_tags_are_present() {
        let feed = fixture::podcast();
        let xml = render(&channel(&feed));
        for needle in [
            "<enclosure url=\"https://example.org/podcast/media/2.mp3\" length=\"24117248\" type=\"audio/mpeg\"/>",
            "<itunes:title>Episode 2: Feeds &amp; &lt;Formats&gt;</itunes:title>",
            "<itunes:duration>3723</itunes:duration>",
            "<itunes:episode>2</itunes:episode>",
            "<itunes:season>1</itunes:season>",
            "<itunes:episodeType>full</itunes:episodeType>",
            "<itunes:episodeType>trailer</itunes:episodeType>",
            "<podcast:transcript language=\"en\" rel=\"captions\" type=\"text/vtt\" url=\"https://example.org/podcast/2.vtt\"/>",
            "<podcast:chapters type=\"application/json+chapters\" url=\"https://example.org/podcast/2.chapters.json\"/>",
            "<podcast:person role=\"guest\">Bram &quot;Guest&quot; Jansen</podcast:person>",
            "<podcast:season>1</podcast:season>",
            "<podcast:episode>2</podcast:episode>",
            "<guid isPermaLink=\"false\">urn:omroep:episode-2</guid>",
        ] {
            assert!(xml.contains(needle), "missing {needle}");
        }
    }

    #[test]
    fn podcast_guid_defaults_to_the_spec_derivation_of_the_feed_url() {
        let mut feed = fixture::podcast();
        feed.podcast.guid = None;
        let mut channel = channel(&feed);
        channel.self_url = "https://podnews.net/rss";
        let xml = render(&channel);
        assert!(xml.contains("<podcast:guid>9b024349-ccf0-5f69-a609-6b82873eab3c</podcast:guid>"));
    }

    #[test]
    fn moved_blocked_finished_serial_shows_say_so() {
        let mut feed = fixture::podcast();
        feed.podcast.explicit = Some(true);
        feed.podcast.block = Some(true);
        feed.podcast.complete = Some(true);
        feed.podcast.kind = Some("serial".into());
        feed.podcast.new_feed_url = Some("https://new.example/feed.xml?a=1&b=2".into());
        feed.podcast.locked = Some(crate::model::Locked {
            value: false,
            owner: None,
        });
        feed.entries[0].podcast.block = Some(true);
        let xml = render(&channel(&feed));
        fixture::assert_well_formed(&xml);
        for needle in [
            "<itunes:explicit>true</itunes:explicit>",
            "<itunes:block>Yes</itunes:block>",
            "<itunes:complete>Yes</itunes:complete>",
            "<itunes:type>serial</itunes:type>",
            "<itunes:new-feed-url>https://new.example/feed.xml?a=1&amp;b=2</itunes:new-feed-url>",
            "<podcast:locked>no</podcast:locked>",
        ] {
            assert!(xml.contains(needle), "missing {needle}");
        }
        assert_eq!(xml.matches("<itunes:block>Yes</itunes:block>").count(), 2);
    }

    #[test]
    fn a_missing_explicit_flag_is_not_guessed() {
        let mut feed = fixture::podcast();
        feed.podcast.explicit = None;
        let xml = render(&channel(&feed));
        assert!(!xml.contains("<itunes:explicit>false</itunes:explicit>\n    <itunes:complete>"));
        assert_eq!(
            xml.matches("<itunes:explicit>").count(),
            1,
            "only the episode's"
        );
    }
}

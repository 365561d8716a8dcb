//! RSS 2.0 for blogs and combined feeds, written with the `rss` crate.
//!
//! What it writes beyond the core elements: `content:encoded` (the sanitised HTML),
//! `dc:creator` (RSS `author` must be an e-mail address, so names go in Dublin Core),
//! `atom:link rel="self"`, a `guid` whose `isPermaLink` is true only when the guid is the
//! entry's own http(s) URL, RFC 822 dates with a numeric zone, and `<source>` naming the
//! feed an entry came from in combined and aggregate feeds. `podcast` builds on
//! [`channel`] and adds the iTunes and Podcasting 2.0 tags.
//!
//! Enclosures: RSS readers and podcast apps treat a feed where some items have an
//! `<enclosure>` as a podcast and skip the items without one. So a blog or combined feed
//! writes `<enclosure>` only when every item has one; when posts and episodes are mixed,
//! an episode's media is linked at the end of its `content:encoded` instead (file name,
//! type, size, duration), and the Atom and JSON versions keep it as a real enclosure.
//! `podcast` always writes enclosures.
//!
//! The crate writes `atom:` and `podcast:` elements as generic extensions and declares only
//! the prefixes listed in `namespaces`, so every prefix used is registered here.

use std::collections::BTreeMap;

use ::rss::extension::dublincore::DublinCoreExtension;
use ::rss::extension::{Extension, ExtensionMap};

use super::{Channel, Source, entry_date, feed_updated, owned, rfc822};
use crate::model::{Entry, Person};

pub(crate) const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
pub(crate) const CONTENT_NS: &str = "http://purl.org/rss/1.0/modules/content/";
pub(crate) const DC_NS: &str = "http://purl.org/dc/elements/1.1/";

/// The largest image RSS 2.0 allows in `<image>`; bigger artwork omits width and height.
const MAX_IMAGE_WIDTH: u32 = 144;
const MAX_IMAGE_HEIGHT: u32 = 400;

/// Renders an RSS 2.0 feed.
pub fn render(channel: &Channel) -> String {
    render_with_sources(channel, &[])
}

/// Renders an RSS 2.0 feed whose entries each name the feed they came from: `sources[i]`
/// belongs to `channel.feed.entries[i]` (a shorter list leaves the rest without).
pub fn render_with_sources(channel: &Channel, sources: &[Source]) -> String {
    write(self::channel(
        channel,
        sources,
        Enclosures::WhenEveryItemHasOne,
    ))
}

/// When items get an `<enclosure>` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Enclosures {
    /// Podcast feeds: every item with media gets its enclosure.
    Always,
    /// Blog and combined feeds: only when no item lacks one (see the module docs).
    WhenEveryItemHasOne,
}

/// Serialises a channel built here (or extended by `podcast`) as the published text.
/// The channel is taken, and dropped before the layout pass: it holds a copy of every
/// entry's content, so keeping it alive beside the compact and the laid-out text made a
/// large feed's rendering hold its content three times instead of twice.
pub(crate) fn write(channel: ::rss::Channel) -> String {
    // Writing into a Vec cannot fail for I/O reasons, and the crate only writes valid
    // UTF-8; an empty document would be caught by every renderer test.
    let bytes = channel
        .write_to(Vec::with_capacity(estimate(&channel)))
        .unwrap_or_default();
    drop(channel);
    super::xml::layout(&bytes)
}

/// A generous guess at the output size (see [`super::size_hint`]).
fn estimate(channel: &::rss::Channel) -> usize {
    super::size_hint(
        4096,
        1024,
        channel
            .items
            .iter()
            .map(|item| super::texts_len([item.content.as_deref(), item.description.as_deref()])),
    )
}

/// The RSS channel for `channel`, without podcast tags.
pub(crate) fn channel(
    channel: &Channel,
    sources: &[Source],
    enclosures: Enclosures,
) -> ::rss::Channel {
    let feed = channel.feed;
    let title = feed_title(channel);
    let mut out = ::rss::Channel {
        title: title.clone(),
        link: owned(channel.home_url),
        description: owned(feed.description.as_deref().unwrap_or(&title)),
        language: feed.language.as_deref().map(owned),
        copyright: feed.copyright.as_deref().map(owned),
        managing_editor: feed.authors.iter().find_map(mailbox),
        pub_date: feed
            .entries
            .iter()
            .filter_map(entry_date)
            .max()
            .map(|d| rfc822(&d)),
        last_build_date: feed_updated(feed).map(|d| rfc822(&d)),
        generator: Some(owned(channel.generator)),
        docs: Some("https://www.rssboard.org/rss-specification".to_owned()),
        ..::rss::Channel::default()
    };
    out.categories = feed
        .categories
        .iter()
        .filter(|category| category.scheme.as_deref() != Some("itunes"))
        .map(category)
        .collect();
    if let Some(image) = &feed.image {
        let fits = |size: Option<u32>, max: u32| size.filter(|&size| size > 0 && size <= max);
        let width = fits(image.width, MAX_IMAGE_WIDTH);
        let height = fits(image.height, MAX_IMAGE_HEIGHT);
        let (width, height) = match (width, height) {
            (Some(w), Some(h)) => (Some(w.to_string()), Some(h.to_string())),
            _ => (None, None),
        };
        out.image = Some(::rss::Image {
            url: owned(&image.url),
            title: title.clone(),
            link: owned(channel.home_url),
            width,
            height,
            description: None,
        });
    }
    let self_link = element(
        "atom:link",
        None,
        [
            ("href", channel.self_url),
            ("rel", "self"),
            ("type", "application/rss+xml"),
        ],
    );
    insert(&mut out.extensions, "atom", "link", self_link);
    out.namespaces = namespaces(&[("atom", ATOM_NS), ("content", CONTENT_NS), ("dc", DC_NS)]);
    let write_enclosures = match enclosures {
        Enclosures::Always => true,
        Enclosures::WhenEveryItemHasOne => feed
            .entries
            .iter()
            .all(|entry| !entry.enclosures.is_empty()),
    };
    out.items = feed
        .entries
        .iter()
        .enumerate()
        .map(|(i, entry)| item(entry, sources.get(i), write_enclosures))
        .collect();
    out
}

/// The channel title: the feed's, else its home page (RSS requires one).
pub(crate) fn feed_title(channel: &Channel) -> String {
    owned(channel.feed.title.as_deref().unwrap_or(channel.home_url))
}

fn item(entry: &Entry, source: Option<&Source>, write_enclosure: bool) -> ::rss::Item {
    let mut item = ::rss::Item {
        title: entry.title.as_deref().map(owned),
        link: entry.link.as_deref().map(owned),
        description: entry
            .summary
            .as_deref()
            .or(entry.content_html.as_deref())
            .map(owned),
        content: entry.content_html.as_deref().map(owned),
        pub_date: entry_date(entry).map(|d| rfc822(&d)),
        guid: Some(guid(entry)),
        categories: entry.categories.iter().map(category).collect(),
        ..::rss::Item::default()
    };
    // RSS allows one enclosure: the episode's audio or video if there is one.
    let primary = entry
        .enclosures
        .iter()
        .find(|enclosure| super::is_episode_media(enclosure))
        .or(entry.enclosures.first());
    if let Some(enclosure) = primary.filter(|_| !write_enclosure) {
        let html = item.content.get_or_insert_with(String::new);
        html.push_str(&media_link(enclosure, entry.podcast.duration_seconds));
    }
    if let Some(enclosure) = primary.filter(|_| write_enclosure) {
        item.enclosure = Some(::rss::Enclosure {
            url: owned(&enclosure.url),
            // RSS Advisory Board practice: a length that cannot be known is written as 0.
            length: enclosure.length.unwrap_or(0).to_string(),
            mime_type: owned(
                enclosure
                    .mime_type
                    .as_deref()
                    .unwrap_or("application/octet-stream"),
            ),
        });
    }
    let creators: Vec<String> = entry.authors.iter().filter_map(display_name).collect();
    if !creators.is_empty() {
        item.dublin_core_ext = Some(DublinCoreExtension {
            creators,
            ..DublinCoreExtension::default()
        });
    }
    if let Some(source) = source {
        item.source = Some(::rss::Source {
            url: owned(source.url),
            title: Some(owned(source.title)),
        });
    }
    item
}

/// `<p><a href="…">file.mp3</a> (audio/mpeg, 24.1 MB, 1:02:03)</p>`: words-free, so it
/// reads the same in every language.
fn media_link(enclosure: &crate::model::Enclosure, duration: Option<u64>) -> String {
    let escape = crate::normalise::text::escape;
    let url = owned(&enclosure.url);
    let path = url.split(['?', '#']).next().unwrap_or(&url);
    let name = path
        .rsplit('/')
        .find(|part| !part.is_empty())
        .unwrap_or(path);
    let mut facts: Vec<String> = enclosure.mime_type.iter().map(|m| owned(m)).collect();
    if let Some(length) = enclosure.length.filter(|&length| length > 0) {
        facts.push(format!("{:.1} MB", length as f64 / 1_000_000.0));
    }
    if let Some(seconds) = duration.filter(|_| super::is_episode_media(enclosure)) {
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        facts.push(if h > 0 {
            format!("{h}:{m:02}:{s:02}")
        } else {
            format!("{m}:{s:02}")
        });
    }
    let facts = if facts.is_empty() {
        String::new()
    } else {
        format!(" ({})", escape(&facts.join(", ")))
    };
    format!(
        "<p><a href=\"{}\">{}</a>{facts}</p>",
        escape(&url),
        escape(name)
    )
}

/// The entry's guid, and whether it is a permalink: only an http(s) guid that the source
/// marked as one, or that is the entry's own link. A non-URL guid is never a permalink,
/// whatever the source said, because readers would open it as a web page.
pub(crate) fn guid(entry: &Entry) -> ::rss::Guid {
    let value = entry.guid.as_deref().unwrap_or(&entry.id);
    let is_url = value.starts_with("https://") || value.starts_with("http://");
    let permalink = is_url
        && match entry.guid_is_permalink {
            Some(flag) => flag,
            None => entry.link.as_deref() == Some(value),
        };
    ::rss::Guid {
        value: owned(value),
        permalink,
    }
}

fn category(category: &crate::model::Category) -> ::rss::Category {
    ::rss::Category {
        name: owned(category.label.as_deref().unwrap_or(&category.term)),
        domain: category.scheme.as_deref().map(owned),
    }
}

/// `managingEditor` wants `email (Name)`; without an address there is nothing to write.
fn mailbox(person: &Person) -> Option<String> {
    let email = person.email.as_deref()?;
    Some(match person.name.as_deref() {
        Some(name) => owned(&format!("{email} ({name})")),
        None => owned(email),
    })
}

fn display_name(person: &Person) -> Option<String> {
    person
        .name
        .as_deref()
        .or(person.email.as_deref())
        .map(owned)
}

/// A generic extension element with attributes (sorted by the crate) and optional text.
pub(crate) fn element<'a>(
    name: &str,
    value: Option<&str>,
    attrs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Extension {
    Extension {
        name: name.to_owned(),
        value: value.map(owned),
        attrs: attrs
            .into_iter()
            .map(|(key, value)| (key.to_owned(), owned(value)))
            .collect(),
        children: BTreeMap::new(),
    }
}

/// Adds an extension element under `prefix:local`; repeated elements keep their order.
pub(crate) fn insert(map: &mut ExtensionMap, prefix: &str, local: &str, extension: Extension) {
    map.entry(prefix.to_owned())
        .or_default()
        .entry(local.to_owned())
        .or_default()
        .push(extension);
}

pub(crate) fn namespaces(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(prefix, uri)| ((*prefix).to_owned(), (*uri).to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::super::{Channel, FeedKind};
    use super::*;

    fn blog_channel(feed: &crate::model::Feed) -> Channel<'_> {
        Channel {
            feed,
            kind: FeedKind::Blog,
            self_url: "https://example.org/blog/feed.xml",
            home_url: "https://example.org/blog/",
            generator: "omroep 0.1.0",
        }
    }

    #[test]
    fn snapshot_blog() {
        let feed = fixture::blog();
        fixture::assert_snapshot("blog.rss.xml", &render(&blog_channel(&feed)));
    }

    #[test]
    fn is_well_formed_with_every_prefix_declared() {
        let feed = fixture::blog();
        let xml = render(&blog_channel(&feed));
        fixture::assert_well_formed(&xml);
        for declaration in [
            "xmlns:atom=\"http://www.w3.org/2005/Atom\"",
            "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"",
            "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"",
        ] {
            assert!(xml.contains(declaration), "missing {declaration}");
        }
        assert!(xml.ends_with("</rss>\n") && !xml.ends_with("\n\n"));
    }

    #[test]
    fn titles_are_escaped_and_markup_never_leaks() {
        let feed = fixture::blog();
        let xml = render(&blog_channel(&feed));
        assert!(
            xml.contains("<title>Fish &amp; Chips &lt;script&gt;alert(1)&lt;/script&gt;</title>")
        );
        assert!(!xml.contains("<script>alert(1)</script>"));
    }

    #[test]
    fn guid_is_permalink_only_for_the_entry_url() {
        let feed = fixture::blog();
        let xml = render(&blog_channel(&feed));
        // The first entry's guid is its link: no attribute (true is the default).
        assert!(xml.contains("<guid>https://example.org/blog/fish-and-chips/</guid>"));
        // A urn is never a permalink.
        assert!(xml.contains(
            "<guid isPermaLink=\"false\">urn:uuid:5b0e6a38-2f4e-4a6f-9d8e-1f2a3b4c5d6e</guid>"
        ));
        let entry = Entry {
            id: "x".into(),
            guid: Some("tag:example.org,2024:1".into()),
            guid_is_permalink: Some(true),
            ..Entry::default()
        };
        assert!(!guid(&entry).permalink);
    }

    #[test]
    fn dates_are_rfc822_with_the_right_weekday_and_newest_entry_as_build_date() {
        let feed = fixture::blog();
        let xml = render(&blog_channel(&feed));
        // 2024-03-05 was a Tuesday; the first entry was updated on 2024-03-06 (Wednesday).
        assert!(xml.contains("<pubDate>Tue, 05 Mar 2024 09:00:00 +0000</pubDate>"));
        assert!(xml.contains("<lastBuildDate>Wed, 06 Mar 2024 10:30:00 +0000</lastBuildDate>"));
    }

    #[test]
    fn content_dc_creator_and_self_link_are_written() {
        let feed = fixture::blog();
        let xml = render(&blog_channel(&feed));
        assert!(xml.contains("<content:encoded><![CDATA[<p>Hello <em>world</em>"));
        assert!(xml.contains("<dc:creator>Anna de Vries</dc:creator>"));
        assert!(xml.contains(
            "<atom:link href=\"https://example.org/blog/feed.xml\" rel=\"self\" type=\"application/rss+xml\"/>"
        ));
    }

    #[test]
    fn sources_name_the_feed_each_entry_came_from() {
        let feed = fixture::blog();
        let source = Source {
            name: "notes",
            title: "Notes & more",
            url: "https://example.org/blog/feed.xml",
            home_url: "https://example.org/blog/",
        };
        let xml = render_with_sources(&blog_channel(&feed), &[source]);
        assert_eq!(xml.matches("<source ").count(), 1);
        assert!(xml.contains(
            "<source url=\"https://example.org/blog/feed.xml\">Notes &amp; more</source>"
        ));
    }

    #[test]
    fn mixed_posts_and_episodes_link_media_in_content_instead_of_enclosures() {
        let mut feed = fixture::blog();
        let episode = fixture::podcast().entries.remove(0);
        feed.entries.insert(0, episode);
        let xml = render(&blog_channel(&feed));
        fixture::assert_well_formed(&xml);
        assert!(!xml.contains("<enclosure"));
        assert!(xml.contains(
            "<a href=\"https://example.org/podcast/media/2.mp3\">2.mp3</a> (audio/mpeg, 24.1 MB, 1:02:03)</p>]]></content:encoded>"
        ));
        // When every item has media, the feed keeps real enclosures.
        feed.entries.truncate(1);
        let xml = render(&blog_channel(&feed));
        assert_eq!(xml.matches("<enclosure url=").count(), 1);
        assert!(!xml.contains("2.mp3</a>"));
    }

    #[test]
    fn the_same_model_gives_the_same_bytes() {
        let feed = fixture::blog();
        assert_eq!(
            render(&blog_channel(&feed)),
            render(&blog_channel(&feed.clone()))
        );
    }
}

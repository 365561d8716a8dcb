//! Atom 1.0 (RFC 4287), written with the `atom_syndication` crate.
//!
//! Identity: an entry's `id` is its guid (else the model's `id`) when that is an IRI, and
//! otherwise a `urn:omroep:` hash of it, so the same entry always gets the same id. The
//! feed's `id` is `urn:uuid:` + its `podcast:guid` when it has one (that never changes),
//! else the feed's own URL. `updated` is the newest entry date, never the build time (an
//! entry without any date, which Atom does not allow, takes the feed's). RFC
//! 4287 wants an author on the feed or on every entry, so the feed always has one: its
//! authors, else the podcast author or owner, else the feed's title.
//!
//! The crate writes extension attributes verbatim (unescaped), so the one extension used
//! here, `<source>` for combined feeds, escapes its own attribute values.

use std::collections::BTreeMap;

use ::atom_syndication as atom;
use chrono::{DateTime, FixedOffset, Utc};

use super::{Channel, Source, entry_updated, feed_updated, owned};
use crate::model::{Entry, Person};

/// Renders an Atom 1.0 feed.
pub fn render(channel: &Channel) -> String {
    render_with_sources(channel, &[])
}

/// Renders an Atom feed whose entries each name the feed they came from (`<source>`):
/// `sources[i]` belongs to `channel.feed.entries[i]`.
pub fn render_with_sources(channel: &Channel, sources: &[Source]) -> String {
    let feed = channel.feed;
    let updated = feed_updated(feed).unwrap_or(DateTime::UNIX_EPOCH);
    let title = super::rss::feed_title(channel);
    let mut authors: Vec<atom::Person> = feed.authors.iter().filter_map(person).collect();
    if authors.is_empty() {
        let name = feed
            .podcast
            .author
            .as_deref()
            .or(feed.podcast.owner.as_ref().and_then(|o| o.name.as_deref()))
            .unwrap_or(&title);
        authors.push(atom::Person {
            name: owned(name),
            ..atom::Person::default()
        });
    }
    let out = atom::Feed {
        title: atom::Text::plain(title.clone()),
        id: match &feed.podcast.guid {
            Some(guid) => format!("urn:uuid:{}", owned(guid)),
            None => owned(channel.self_url),
        },
        updated: fixed(updated),
        authors,
        categories: feed
            .categories
            .iter()
            .filter(|category| category.scheme.as_deref() != Some("itunes"))
            .map(category)
            .collect(),
        generator: Some(atom::Generator {
            value: owned(channel.generator),
            ..atom::Generator::default()
        }),
        links: vec![
            link(channel.home_url, "alternate", Some("text/html")),
            link(channel.self_url, "self", Some("application/atom+xml")),
        ],
        logo: feed.image.as_ref().map(|image| owned(&image.url)),
        rights: feed
            .copyright
            .as_deref()
            .map(|c| atom::Text::plain(owned(c))),
        subtitle: feed
            .description
            .as_deref()
            .map(|d| atom::Text::plain(owned(d))),
        lang: feed.language.as_deref().map(owned),
        entries: feed
            .entries
            .iter()
            .enumerate()
            .map(|(i, entry)| self::entry(entry, updated, sources.get(i)))
            .collect(),
        ..atom::Feed::default()
    };
    let config = atom::WriteConfig {
        write_document_declaration: true,
        indent_size: None,
    };
    // Writing into a Vec cannot fail for I/O reasons; the tests parse every output.
    let size = 4096
        + feed
            .entries
            .iter()
            .map(|e| 1024 + e.content_html.as_ref().map_or(0, |c| c.len() * 5 / 4))
            .sum::<usize>();
    let bytes = out
        .write_with_config(Vec::with_capacity(size), config)
        .unwrap_or_default();
    super::xml::layout(&bytes)
}

fn entry(entry: &Entry, feed_updated: DateTime<Utc>, source: Option<&Source>) -> atom::Entry {
    let mut links = Vec::new();
    if let Some(href) = &entry.link {
        links.push(link(href, "alternate", Some("text/html")));
    }
    for enclosure in &entry.enclosures {
        let mut enclosure_link = link(&enclosure.url, "enclosure", enclosure.mime_type.as_deref());
        enclosure_link.length = enclosure.length.map(|length| length.to_string());
        links.push(enclosure_link);
    }
    let mut out = atom::Entry {
        title: atom::Text::plain(owned(entry.title.as_deref().unwrap_or(""))),
        id: entry_id(entry),
        updated: fixed(entry_updated(entry).unwrap_or(feed_updated)),
        published: entry.published.map(fixed),
        authors: entry.authors.iter().filter_map(person).collect(),
        categories: entry.categories.iter().map(category).collect(),
        links,
        summary: entry
            .summary
            .as_deref()
            .map(|s| atom::Text::plain(owned(s))),
        content: entry.content_html.as_deref().map(|html| atom::Content {
            value: Some(owned(html)),
            content_type: Some("html".to_owned()),
            ..atom::Content::default()
        }),
        ..atom::Entry::default()
    };
    if let Some(source) = source {
        out.extensions
            .entry(String::new())
            .or_default()
            .insert("source".to_owned(), vec![source_element(source)]);
    }
    out
}

/// The entry's Atom id: its guid (or model id) when that is an IRI, else a stable hash.
pub(crate) fn entry_id(entry: &Entry) -> String {
    let value = entry.guid.as_deref().unwrap_or(&entry.id).trim();
    if has_scheme(value) && !value.chars().any(char::is_whitespace) {
        owned(value)
    } else {
        crate::normalise::id::stable_hash(Some(value), None, None)
    }
}

/// Whether a string starts with a URI scheme (`letter *( letter / digit / + - . ) :`).
fn has_scheme(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    !rest.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `<source><id/><link rel="self"/><title/></source>` (RFC 4287 §4.2.11), as an extension
/// element in the Atom namespace because the crate's own `Source` insists on an `updated`.
fn source_element(source: &Source) -> atom::extension::Extension {
    let text = |name: &str, value: &str| atom::extension::Extension {
        name: name.to_owned(),
        value: Some(owned(value)),
        ..atom::extension::Extension::default()
    };
    let mut self_link = atom::extension::Extension {
        name: "link".to_owned(),
        ..atom::extension::Extension::default()
    };
    // Extension attributes are written unescaped by the crate.
    self_link.attrs = BTreeMap::from([
        (
            "href".to_owned(),
            crate::normalise::text::escape(&owned(source.url)),
        ),
        ("rel".to_owned(), "self".to_owned()),
    ]);
    let mut element = atom::extension::Extension {
        name: "source".to_owned(),
        ..atom::extension::Extension::default()
    };
    element.children = BTreeMap::from([
        ("id".to_owned(), vec![text("id", source.url)]),
        ("link".to_owned(), vec![self_link]),
        ("title".to_owned(), vec![text("title", source.title)]),
    ]);
    element
}

fn fixed(date: DateTime<Utc>) -> DateTime<FixedOffset> {
    date.fixed_offset()
}

fn link(href: &str, rel: &str, mime_type: Option<&str>) -> atom::Link {
    atom::Link {
        href: owned(href),
        rel: rel.to_owned(),
        mime_type: mime_type.map(owned),
        ..atom::Link::default()
    }
}

fn person(person: &Person) -> Option<atom::Person> {
    let name = person.name.as_deref().or(person.email.as_deref())?;
    Some(atom::Person {
        name: owned(name),
        email: person.email.as_deref().map(owned),
        uri: person.uri.as_deref().map(owned),
        ..atom::Person::default()
    })
}

fn category(category: &crate::model::Category) -> atom::Category {
    atom::Category {
        term: owned(&category.term),
        scheme: category.scheme.as_deref().map(owned),
        label: category.label.as_deref().map(owned),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::super::{Channel, FeedKind};
    use super::*;

    fn channel(feed: &crate::model::Feed) -> Channel<'_> {
        Channel {
            feed,
            kind: FeedKind::Blog,
            self_url: "https://example.org/blog/atom.xml",
            home_url: "https://example.org/blog/",
            generator: "omroep 0.1.0",
        }
    }

    #[test]
    fn snapshot_blog() {
        let feed = fixture::blog();
        fixture::assert_snapshot("blog.atom.xml", &render(&channel(&feed)));
    }

    #[test]
    fn is_well_formed_with_lang_links_author_and_updated() {
        let feed = fixture::blog();
        let xml = render(&channel(&feed));
        fixture::assert_well_formed(&xml);
        assert!(xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"nl\">"));
        assert!(xml.contains(
            "<link href=\"https://example.org/blog/atom.xml\" rel=\"self\" type=\"application/atom+xml\"/>"
        ));
        assert!(xml.contains(
            "<link href=\"https://example.org/blog/\" rel=\"alternate\" type=\"text/html\"/>"
        ));
        assert!(xml.contains("<author>\n    <name>Anna de Vries</name>"));
        // The feed's updated is the newest entry's, not the first entry's published.
        assert!(xml.contains("<updated>2024-03-06T10:30:00+00:00</updated>"));
        assert!(xml.ends_with("</feed>\n"));
    }

    #[test]
    fn a_feed_without_authors_still_has_one() {
        let mut feed = fixture::blog();
        feed.authors.clear();
        for entry in &mut feed.entries {
            entry.authors.clear();
        }
        let xml = render(&channel(&feed));
        assert!(xml.contains("<author>\n    <name>Notes &amp; &lt;Sketches&gt;</name>"));
    }

    #[test]
    fn ids_are_stable_iris() {
        let entry = Entry {
            id: "x".into(),
            guid: Some("12345".into()),
            ..Entry::default()
        };
        let id = entry_id(&entry);
        assert!(id.starts_with("urn:omroep:"));
        assert_eq!(id, entry_id(&entry.clone()));
        let urn = Entry {
            id: "urn:uuid:5b0e6a38-2f4e-4a6f-9d8e-1f2a3b4c5d6e".into(),
            ..Entry::default()
        };
        assert_eq!(entry_id(&urn), urn.id);
    }

    #[test]
    fn titles_and_content_are_escaped() {
        let feed = fixture::blog();
        let xml = render(&channel(&feed));
        assert!(
            xml.contains("<title>Fish &amp; Chips &lt;script&gt;alert(1)&lt;/script&gt;</title>")
        );
        assert!(xml.contains("<content type=\"html\">&lt;p&gt;Hello &lt;em&gt;world&lt;/em&gt;"));
    }

    #[test]
    fn sources_are_written_and_escaped() {
        let feed = fixture::blog();
        let source = Source {
            name: "notes",
            title: "Notes & more",
            url: "https://example.org/feed.xml?a=1&b=2",
            home_url: "https://example.org/",
        };
        let xml = render_with_sources(&channel(&feed), &[source]);
        fixture::assert_well_formed(&xml);
        assert!(
            xml.contains("<link href=\"https://example.org/feed.xml?a=1&amp;b=2\" rel=\"self\"/>")
        );
        assert!(xml.contains("<title>Notes &amp; more</title>"));
    }
}

//! Atom 1.0 (RFC 4287), written directly as text.
//!
//! Identity: an entry's `id` is its guid (else the model's `id`) when that is an IRI, and
//! otherwise a `urn:omroep:` hash of it, so the same entry always gets the same id. The
//! feed's `id` is `urn:uuid:` + its `podcast:guid` when it has one (that never changes),
//! else the feed's own URL. `updated` is the newest entry date, never the build time (an
//! entry without any date, which Atom does not allow, takes the feed's). RFC
//! 4287 wants an author on the feed or on every entry, so the feed always has one: its
//! authors, else the podcast author or owner, else the feed's title.
//!
//! The document is written compactly into one string and then laid out (`xml.rs`), with
//! no intermediate structs: building the `atom_syndication` crate's owned structs for
//! every entry (each string copied, then written) was the larger part of rendering Atom.
//! The elements come in the order and with the escaping that crate used, so the files
//! are byte-identical to what it wrote: text and attribute values escape `& < > " '`,
//! elements are `<x></x>` until the layout pass makes empty ones `<x/>`. Combined feeds
//! name each entry's feed in a `<source>` (RFC 4287 §4.2.11).

use chrono::{DateTime, Utc};

use super::{Channel, Source, entry_updated, feed_updated, owned, xml_text};
use crate::model::{Entry, Person};
use crate::normalise::text::{self, Apostrophe};

const ATOM: &str = "http://www.w3.org/2005/Atom";

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
    let size = super::size_hint(
        4096,
        1024,
        feed.entries
            .iter()
            .map(|e| super::texts_len([e.content_html.as_deref()])),
    );
    let mut w = Writer {
        out: String::with_capacity(size),
    };
    w.out.push_str("<?xml version=\"1.0\"?>\n");
    w.start(
        "feed",
        &[
            ("xmlns", Some(ATOM)),
            (
                "xml:lang",
                feed.language.as_deref().map(xml_text).as_deref(),
            ),
        ],
    );
    w.text_element("title", &title);
    match &feed.podcast.guid {
        Some(guid) => w.text_element("id", &format!("urn:uuid:{}", xml_text(guid))),
        None => w.text_element("id", &xml_text(channel.self_url)),
    }
    w.text_element("updated", &rfc3339(updated));
    let mut authors = feed.authors.iter().filter(|p| has_name(p)).peekable();
    if authors.peek().is_none() {
        let name = feed
            .podcast
            .author
            .as_deref()
            .or(feed.podcast.owner.as_ref().and_then(|o| o.name.as_deref()))
            .unwrap_or(&title);
        w.start("author", &[]);
        w.text_element("name", &xml_text(name));
        w.end("author");
    }
    for author in authors {
        w.person(author);
    }
    for category in feed
        .categories
        .iter()
        .filter(|category| category.scheme.as_deref() != Some("itunes"))
    {
        w.category(category);
    }
    w.text_element("generator", &xml_text(channel.generator));
    w.link(channel.home_url, "alternate", Some("text/html"), None);
    w.link(channel.self_url, "self", Some("application/atom+xml"), None);
    if let Some(image) = &feed.image {
        w.text_element("logo", &xml_text(&image.url));
    }
    if let Some(copyright) = &feed.copyright {
        w.text_element("rights", &xml_text(copyright));
    }
    if let Some(description) = &feed.description {
        w.text_element("subtitle", &xml_text(description));
    }
    for (i, entry) in feed.entries.iter().enumerate() {
        w.entry(entry, updated, sources.get(i));
    }
    w.end("feed");
    super::xml::layout(w.out.as_bytes())
}

/// The compact document being written.
struct Writer {
    out: String,
}

impl Writer {
    /// A start tag; attributes whose value is `None` are left out.
    fn start(&mut self, name: &str, attrs: &[(&str, Option<&str>)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            if let Some(value) = value {
                self.attr(key, value);
            }
        }
        self.out.push('>');
    }

    fn attr(&mut self, key: &str, value: &str) {
        self.out.push(' ');
        self.out.push_str(key);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value);
        self.out.push('"');
    }

    fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name>text</name>`, the text escaped.
    fn text_element(&mut self, name: &str, text: &str) {
        self.start(name, &[]);
        escape_into(&mut self.out, text);
        self.end(name);
    }

    fn link(&mut self, href: &str, rel: &str, mime_type: Option<&str>, length: Option<u64>) {
        self.out.push_str("<link");
        self.attr("href", &xml_text(href));
        self.attr("rel", rel);
        if let Some(mime_type) = mime_type {
            self.attr("type", &xml_text(mime_type));
        }
        if let Some(length) = length {
            self.attr("length", &length.to_string());
        }
        self.out.push_str("/>");
    }

    fn person(&mut self, person: &Person) {
        let Some(name) = person.name.as_deref().or(person.email.as_deref()) else {
            return;
        };
        self.start("author", &[]);
        self.text_element("name", &xml_text(name));
        if let Some(email) = &person.email {
            self.text_element("email", &xml_text(email));
        }
        if let Some(uri) = &person.uri {
            self.text_element("uri", &xml_text(uri));
        }
        self.end("author");
    }

    fn category(&mut self, category: &crate::model::Category) {
        self.out.push_str("<category");
        self.attr("term", &xml_text(&category.term));
        if let Some(scheme) = &category.scheme {
            self.attr("scheme", &xml_text(scheme));
        }
        if let Some(label) = &category.label {
            self.attr("label", &xml_text(label));
        }
        self.out.push_str("/>");
    }

    fn entry(&mut self, entry: &Entry, feed_updated: DateTime<Utc>, source: Option<&Source>) {
        self.start("entry", &[]);
        self.text_element("title", &xml_text(entry.title.as_deref().unwrap_or("")));
        self.text_element("id", &entry_id(entry));
        self.text_element(
            "updated",
            &rfc3339(entry_updated(entry).unwrap_or(feed_updated)),
        );
        for author in &entry.authors {
            self.person(author);
        }
        for category in &entry.categories {
            self.category(category);
        }
        if let Some(href) = &entry.link {
            self.link(href, "alternate", Some("text/html"), None);
        }
        for enclosure in &entry.enclosures {
            self.link(
                &enclosure.url,
                "enclosure",
                enclosure.mime_type.as_deref(),
                enclosure.length,
            );
        }
        if let Some(published) = entry.published {
            self.text_element("published", &rfc3339(published));
        }
        if let Some(summary) = &entry.summary {
            self.text_element("summary", &xml_text(summary));
        }
        if let Some(html) = &entry.content_html {
            self.start("content", &[("type", Some("html"))]);
            escape_into(&mut self.out, &xml_text(html));
            self.end("content");
        }
        if let Some(source) = source {
            self.start("source", &[]);
            self.text_element("id", &xml_text(source.url));
            // This `href` has always been escaped by `normalise::text::escape`, which
            // leaves `'` as it is; kept so the combined files stay byte-identical.
            self.out.push_str("<link href=\"");
            self.out.push_str(&text::escape(&xml_text(source.url)));
            self.out.push_str("\" rel=\"self\"></link>");
            self.text_element("title", &xml_text(source.title));
            self.end("source");
        }
        self.end("entry");
    }
}

/// Escapes the five XML entities, as text and as attribute values alike.
fn escape_into(out: &mut String, text: &str) {
    // Writing into a String cannot fail.
    let _ = text::escape_to(out, text, Apostrophe::Escape);
}

/// Atom's date form, with the offset written `+00:00`.
fn rfc3339(date: DateTime<Utc>) -> String {
    date.fixed_offset().to_rfc3339()
}

/// Whether a person can be written (Atom requires a name; the email stands in for it).
fn has_name(person: &Person) -> bool {
    person.name.is_some() || person.email.is_some()
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

    /// The `atom_syndication` crate, the Atom reader this project's users chose, reads
    /// back what was written: the same title, id, dates, links, authors and content.
    #[test]
    fn atom_syndication_reads_back_every_field() {
        let feed = fixture::blog();
        let xml = render(&channel(&feed));
        let read = atom_syndication::Feed::read_from(xml.as_bytes()).expect("readable Atom");
        assert_eq!(read.title().as_str(), "Notes & <Sketches>");
        assert_eq!(read.lang(), Some("nl"));
        assert_eq!(read.updated().to_rfc3339(), "2024-03-06T10:30:00+00:00");
        let rels: Vec<(&str, &str)> = read
            .links()
            .iter()
            .map(|link| (link.rel(), link.href()))
            .collect();
        assert!(rels.contains(&("self", "https://example.org/blog/atom.xml")));
        assert!(rels.contains(&("alternate", "https://example.org/blog/")));
        assert_eq!(read.entries().len(), feed.entries.len());
        for (written, model) in read.entries().iter().zip(&feed.entries) {
            assert_eq!(written.id(), entry_id(model), "{}", model.id);
            assert_eq!(
                Some(written.title().as_str()),
                model.title.as_deref(),
                "{}",
                model.id
            );
            if let Some(link) = &model.link {
                assert_eq!(
                    written.links().first().map(|link| link.href()),
                    Some(link.as_str())
                );
            }
            if let Some(html) = &model.content_html {
                let content = written.content().expect("content");
                assert_eq!(content.content_type(), Some("html"));
                assert_eq!(content.value(), Some(html.as_str()));
            }
        }
        let first = &read.entries()[0];
        assert_eq!(first.authors()[0].name(), "Anna de Vries");
        assert_eq!(
            first.published().map(|date| date.to_rfc3339()).as_deref(),
            Some("2024-03-05T09:00:00+00:00")
        );
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

//! JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>), from omroep's own serde structs.
//!
//! Every item has `content_html` (the sanitised HTML) or `content_text` (the summary, else
//! the title), as the spec requires one of them. Episodes carry `attachments` with
//! `size_in_bytes` and `duration_in_seconds`. A finished podcast (`itunes:complete`) is
//! written as `expired: true`. Keys come in a fixed order and the document is
//! pretty-printed with two spaces, so output is byte-stable.

use serde::Serialize;

use super::{Channel, is_episode_media, rfc3339};
use crate::model::{Entry, Person};

const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    expired: bool,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_html: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment<'a>>,
}

#[derive(Serialize)]
struct Attachment<'a> {
    url: &'a str,
    mime_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_in_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_in_seconds: Option<u64>,
}

/// Renders a JSON Feed 1.1 document.
pub fn render(channel: &Channel) -> String {
    let feed = channel.feed;
    let document = JsonFeed {
        version: VERSION,
        title: feed.title.as_deref().unwrap_or(channel.home_url),
        home_page_url: channel.home_url,
        feed_url: channel.self_url,
        description: feed.description.as_deref(),
        icon: feed.image.as_ref().map(|image| image.url.as_str()),
        authors: authors(&feed.authors),
        language: feed.language.as_deref(),
        expired: feed.podcast.complete == Some(true),
        items: feed.entries.iter().map(item).collect(),
    };
    // Written into a buffer sized for the whole document: grown from empty, a 9 MB feed
    // was copied into a new buffer (and new pages) some twenty times. Serialising plain
    // structs of strings and numbers cannot fail, and serde_json writes only UTF-8.
    let mut bytes = Vec::with_capacity(size_hint(&document.items));
    if serde_json::to_writer_pretty(&mut bytes, &document).is_err() {
        return String::new();
    }
    bytes.push(b'\n');
    String::from_utf8(bytes).unwrap_or_default()
}

/// A generous guess at the document's size (see [`super::size_hint`]), from the items
/// as they will be written: an item without `content_html` writes its summary twice
/// (as `content_text` and `summary`).
fn size_hint(items: &[Item<'_>]) -> usize {
    super::size_hint(
        4096,
        1024,
        items.iter().map(|item| {
            super::texts_len([
                item.title,
                item.content_html,
                item.content_text,
                item.summary,
            ])
        }),
    )
}

fn authors(people: &[Person]) -> Vec<Author<'_>> {
    people
        .iter()
        .filter(|person| !person.is_empty())
        .map(|person| Author {
            name: person.name.as_deref().or(person.email.as_deref()),
            url: person
                .uri
                .clone()
                .or(person.email.as_ref().map(|email| format!("mailto:{email}"))),
        })
        .collect()
}

fn item(entry: &Entry) -> Item<'_> {
    let content_text = match entry.content_html {
        Some(_) => None,
        None => Some(
            entry
                .summary
                .as_deref()
                .or(entry.title.as_deref())
                .unwrap_or(""),
        ),
    };
    Item {
        id: entry.guid.as_deref().unwrap_or(&entry.id),
        url: entry.link.as_deref(),
        title: entry.title.as_deref(),
        content_html: entry.content_html.as_deref(),
        content_text,
        summary: entry.summary.as_deref(),
        image: entry.image.as_ref().map(|image| image.url.as_str()),
        date_published: entry.published.as_ref().map(rfc3339),
        date_modified: entry.updated.as_ref().map(rfc3339),
        authors: authors(&entry.authors),
        tags: entry
            .categories
            .iter()
            .map(|c| c.label.as_deref().unwrap_or(&c.term))
            .collect(),
        attachments: entry
            .enclosures
            .iter()
            .map(|enclosure| Attachment {
                url: &enclosure.url,
                mime_type: enclosure
                    .mime_type
                    .as_deref()
                    .unwrap_or("application/octet-stream"),
                size_in_bytes: enclosure.length,
                duration_in_seconds: entry
                    .podcast
                    .duration_seconds
                    .filter(|_| is_episode_media(enclosure)),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::super::{Channel, FeedKind};
    use super::*;
    use serde_json::Value;

    fn channel(feed: &crate::model::Feed) -> Channel<'_> {
        Channel {
            feed,
            kind: FeedKind::Podcast,
            self_url: "https://example.org/podcast/feed.json",
            home_url: "https://example.org/podcast/",
            generator: "omroep 0.1.0",
        }
    }

    #[test]
    fn snapshots() {
        let podcast = fixture::podcast();
        fixture::assert_snapshot("podcast.feed.json", &render(&channel(&podcast)));
        let blog = fixture::blog();
        fixture::assert_snapshot("blog.feed.json", &render(&channel(&blog)));
    }

    #[test]
    fn the_buffer_is_sized_for_items_that_write_their_summary_twice() {
        // Items without `content_html` write the summary as `content_text` and again as
        // `summary`: the guess counts it twice, so the buffer is not outgrown.
        let mut feed = fixture::blog();
        let template = feed.entries[0].clone();
        feed.entries = (0..50)
            .map(|i| {
                let mut entry = template.clone();
                entry.id = format!("{}-{i}", entry.id);
                entry.guid = None;
                entry.content_html = None;
                entry.summary = Some("\u{e9}t\u{e9} & \"co\"\n".repeat(200));
                entry
            })
            .collect();
        let written = render(&channel(&feed));
        let items: Vec<_> = feed.entries.iter().map(item).collect();
        let hint = size_hint(&items);
        assert!(hint >= written.len(), "{hint} < {}", written.len());
    }

    #[test]
    fn required_fields_and_attachments() {
        let feed = fixture::podcast();
        let json: Value = serde_json::from_str(&render(&channel(&feed))).unwrap();
        assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(json["title"], "Omroep & Co");
        assert_eq!(json["feed_url"], "https://example.org/podcast/feed.json");
        assert_eq!(json["home_page_url"], "https://example.org/podcast/");
        assert_eq!(json["language"], "en");
        let attachment = &json["items"][0]["attachments"][0];
        assert_eq!(attachment["url"], "https://example.org/podcast/media/2.mp3");
        assert_eq!(attachment["mime_type"], "audio/mpeg");
        assert_eq!(attachment["size_in_bytes"], 24_117_248);
        assert_eq!(attachment["duration_in_seconds"], 3723);
        assert_eq!(json["items"][0]["date_published"], "2024-04-01T06:00:00Z");
    }

    #[test]
    fn every_item_has_content_and_a_unique_id() {
        let feed = fixture::blog();
        let json: Value = serde_json::from_str(&render(&channel(&feed))).unwrap();
        let items = json["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        let mut ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
        for item in items {
            assert!(item["content_html"].is_string() || item["content_text"].is_string());
        }
        ids.dedup();
        assert_eq!(ids.len(), 3);
    }
}

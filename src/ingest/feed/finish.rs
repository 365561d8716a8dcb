//! The last step every dialect shares: entry identity, summaries taken from content, and
//! warnings about the feed as a whole (duplicate guids).
//!
//! Identity: an entry's `id` is its guid/id as given, else (RSS 1.0) its `rdf:about`,
//! else its link, else a hash of title, date and first enclosure URL
//! (`normalise::id::stable_hash`), so the same input always yields the same `id`.

use std::collections::HashMap;

use super::context::{Ctx, non_empty, quote, trim_text};
use crate::model::{Entry, Feed, utc_seconds};
use crate::normalise;

/// How long a summary taken from the content may be, in characters (ellipsis included).
const SUMMARY_CHARS: usize = 300;

/// Completes a mapped feed in place.
pub(crate) fn finish(feed: &mut Feed, ctx: &mut Ctx) {
    for entry in &mut feed.entries {
        assign_id(entry);
        if entry.summary.is_none()
            && let Some(html) = &entry.content_html
        {
            entry.summary = non_empty(normalise::text::summary(html, SUMMARY_CHARS));
        }
    }
    warn_duplicate_guids(feed, ctx);
}

fn assign_id(entry: &mut Entry) {
    if let Some(guid) = &entry.guid {
        entry.id = guid.clone();
    }
    if !trim_text(&entry.id).is_empty() {
        return;
    }
    if let Some(link) = &entry.link {
        entry.id = link.clone();
        return;
    }
    let date = entry
        .published
        .or(entry.updated)
        .map(|date| utc_seconds::format(&date));
    entry.id = normalise::id::stable_hash(
        entry.title.as_deref(),
        date.as_deref(),
        entry
            .enclosures
            .first()
            .map(|enclosure| enclosure.url.as_str()),
    );
}

fn warn_duplicate_guids(feed: &Feed, ctx: &mut Ctx) {
    let mut first_seen: HashMap<&str, usize> = HashMap::with_capacity(feed.entries.len());
    for (index, entry) in feed.entries.iter().enumerate() {
        let Some(guid) = entry.guid.as_deref() else {
            continue;
        };
        if let Some(first) = first_seen.get(guid) {
            ctx.warn(format!(
                "entry {} has the same guid as entry {}: {}; readers will see one of them",
                index + 1,
                first + 1,
                quote(guid)
            ));
        } else {
            first_seen.insert(guid, index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Enclosure;

    fn entry() -> Entry {
        Entry::default()
    }

    #[test]
    fn identity_order_is_guid_then_about_then_link_then_hash() {
        let mut with_guid = Entry {
            guid: Some("g".into()),
            link: Some("https://x.example/1".into()),
            ..entry()
        };
        assign_id(&mut with_guid);
        assert_eq!(with_guid.id, "g");

        let mut with_about = Entry {
            id: "https://x.example/about".into(),
            link: Some("https://x.example/1".into()),
            ..entry()
        };
        assign_id(&mut with_about);
        assert_eq!(with_about.id, "https://x.example/about");

        let mut with_link = Entry {
            link: Some("https://x.example/1".into()),
            ..entry()
        };
        assign_id(&mut with_link);
        assert_eq!(with_link.id, "https://x.example/1");

        let bare = || Entry {
            title: Some("Episode 1".into()),
            enclosures: vec![Enclosure {
                url: "https://x.example/1.mp3".into(),
                ..Enclosure::default()
            }],
            ..entry()
        };
        let (mut a, mut b) = (bare(), bare());
        assign_id(&mut a);
        assign_id(&mut b);
        assert!(a.id.starts_with("urn:omroep:"), "{}", a.id);
        assert_eq!(a.id, b.id);
        let mut other = Entry {
            title: Some("Episode 2".into()),
            ..bare()
        };
        assign_id(&mut other);
        assert_ne!(a.id, other.id);
    }

    #[test]
    fn duplicate_guids_are_kept_and_reported() {
        let mut feed = Feed {
            entries: vec![
                Entry {
                    guid: Some("same".into()),
                    ..entry()
                },
                Entry {
                    guid: Some("other".into()),
                    ..entry()
                },
                Entry {
                    guid: Some("same".into()),
                    ..entry()
                },
            ],
            ..Feed::default()
        };
        let mut ctx = Ctx::new(None);
        finish(&mut feed, &mut ctx);
        assert_eq!(feed.entries.len(), 3);
        assert_eq!(
            ctx.warnings,
            vec!["entry 3 has the same guid as entry 1: \"same\"; readers will see one of them"]
        );
    }

    #[test]
    fn summary_from_content_is_its_text_shortened() {
        let mut feed = Feed {
            entries: vec![
                Entry {
                    content_html: Some(format!("<p>{}</p>", "word ".repeat(100))),
                    ..entry()
                },
                Entry {
                    content_html: Some("<p>Short <b>one</b></p>".into()),
                    summary: Some("Given".into()),
                    ..entry()
                },
            ],
            ..Feed::default()
        };
        finish(&mut feed, &mut Ctx::new(None));
        let summary = feed.entries[0].summary.as_deref().unwrap_or_default();
        assert!(summary.starts_with("word word"), "{summary}");
        assert!(summary.ends_with("word…"), "{summary}");
        assert!(summary.chars().count() <= SUMMARY_CHARS);
        assert_eq!(feed.entries[1].summary.as_deref(), Some("Given"));
    }
}

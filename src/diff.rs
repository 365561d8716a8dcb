//! The semantic difference between two versions of one feed, both read by omroep's own
//! parser into the model: what subscribers would see change. Used by `omroep diff`.
//!
//! Entries are matched by guid, then (for the ones left) by link, then by the identity
//! the parser assigned; a pair matched by link whose guids differ is an identity warning,
//! since podcast apps and feed readers would show that entry twice. So is an enclosure URL
//! that changes (apps download the episode again, or lose its played state) and a
//! `podcast:guid` that changes (the podcast indexes see a new show).
//!
//! Fields that describe what a subscriber reads (title, dates, enclosure, tags…) are
//! reported with their old and new values; long ones (content, summary, description) by
//! name only. Values that only record when or by what the file was made (`lastBuildDate`,
//! `generator`) are not compared.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::{Entry, Feed};

/// One field that differs: its name and, for short fields, both values (`None` = absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub values: Option<Values>,
}

/// The old and new value of a short field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Values {
    pub old: Option<String>,
    pub new: Option<String>,
}

/// An entry as a person recognises it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRef {
    /// The guid (RSS `guid`, Atom `id`, JSON Feed `id`), else the identity the parser
    /// assigned.
    pub guid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// An entry present on both sides whose fields differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryChange {
    #[serde(flatten)]
    pub entry: EntryRef,
    pub fields: Vec<FieldChange>,
}

/// A change to something subscribers' apps use to recognise a feed or an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IdentityWarning {
    /// An entry (matched by its link) would get another guid.
    GuidChanged {
        title: Option<String>,
        old: Option<String>,
        new: Option<String>,
    },
    /// An entry's enclosure would move to another URL.
    EnclosureUrlChanged {
        guid: String,
        title: Option<String>,
        old: Option<String>,
        new: Option<String>,
    },
    /// The feed's `podcast:guid` would change.
    PodcastGuidChanged {
        old: Option<String>,
        new: Option<String>,
    },
}

impl std::fmt::Display for IdentityWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let or_none = |value: &Option<String>| value.clone().unwrap_or_else(|| "(none)".into());
        match self {
            IdentityWarning::GuidChanged { title, old, new } => write!(
                f,
                "the guid of {} would change from {} to {}; subscribers would see it twice",
                quoted_title(title),
                or_none(old),
                or_none(new)
            ),
            IdentityWarning::EnclosureUrlChanged {
                title, old, new, ..
            } => write!(
                f,
                "the enclosure URL of {} would change from {} to {}; apps would download it again",
                quoted_title(title),
                or_none(old),
                or_none(new)
            ),
            IdentityWarning::PodcastGuidChanged { old, new } => write!(
                f,
                "podcast:guid would change from {} to {}; podcast indexes would see a new show",
                or_none(old),
                or_none(new)
            ),
        }
    }
}

/// `"Title"`, or `(untitled)`.
pub fn quoted_title(title: &Option<String>) -> String {
    match title {
        Some(title) => format!("\"{title}\""),
        None => "(untitled)".into(),
    }
}

/// How the published version of a feed differs from the one a build would write.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FeedDiff {
    /// Feed-level fields (title, description, podcast metadata…).
    pub feed_fields: Vec<FieldChange>,
    pub added: Vec<EntryRef>,
    pub changed: Vec<EntryChange>,
    pub removed: Vec<EntryRef>,
    pub identity: Vec<IdentityWarning>,
}

impl FeedDiff {
    pub fn is_empty(&self) -> bool {
        self.feed_fields.is_empty()
            && self.added.is_empty()
            && self.changed.is_empty()
            && self.removed.is_empty()
            && self.identity.is_empty()
    }
}

/// Compares the published feed `old` with the feed a build would write, `new`.
pub fn compare(old: &Feed, new: &Feed) -> FeedDiff {
    let mut diff = FeedDiff {
        feed_fields: feed_fields(old, new),
        ..FeedDiff::default()
    };
    if old.podcast.guid != new.podcast.guid {
        diff.identity.push(IdentityWarning::PodcastGuidChanged {
            old: old.podcast.guid.clone(),
            new: new.podcast.guid.clone(),
        });
    }
    let pairs = match_entries(&old.entries, &new.entries);
    let mut old_matched = vec![false; old.entries.len()];
    for (new_index, entry) in new.entries.iter().enumerate() {
        let Some(old_index) = pairs.get(&new_index).copied() else {
            diff.added.push(entry_ref(entry));
            continue;
        };
        old_matched[old_index] = true;
        let before = &old.entries[old_index];
        if before.guid != entry.guid {
            diff.identity.push(IdentityWarning::GuidChanged {
                title: entry.title.clone(),
                old: before.guid.clone(),
                new: entry.guid.clone(),
            });
        }
        let old_url = before.enclosures.first().map(|e| e.url.clone());
        let new_url = entry.enclosures.first().map(|e| e.url.clone());
        if old_url.is_some() && old_url != new_url {
            diff.identity.push(IdentityWarning::EnclosureUrlChanged {
                guid: entry_ref(entry).guid,
                title: entry.title.clone(),
                old: old_url,
                new: new_url,
            });
        }
        let fields = entry_fields(before, entry);
        if !fields.is_empty() {
            diff.changed.push(EntryChange {
                entry: entry_ref(entry),
                fields,
            });
        }
    }
    diff.removed = old
        .entries
        .iter()
        .zip(&old_matched)
        .filter(|(_, matched)| !**matched)
        .map(|(entry, _)| entry_ref(entry))
        .collect();
    diff
}

fn entry_ref(entry: &Entry) -> EntryRef {
    EntryRef {
        guid: entry.guid.clone().unwrap_or_else(|| entry.id.clone()),
        title: entry.title.clone(),
    }
}

/// For each new entry's index, the index of the old entry it is; each old entry is
/// matched at most once. By guid, then link, then the parser's identity.
fn match_entries(old: &[Entry], new: &[Entry]) -> HashMap<usize, usize> {
    let keys: [fn(&Entry) -> Option<&str>; 3] = [
        |entry| entry.guid.as_deref().filter(|guid| !guid.is_empty()),
        |entry| entry.link.as_deref().filter(|link| !link.is_empty()),
        |entry| Some(entry.id.as_str()).filter(|id| !id.is_empty()),
    ];
    let mut pairs: HashMap<usize, usize> = HashMap::new();
    let mut taken: HashSet<usize> = HashSet::new();
    for key in keys {
        let mut by_key: HashMap<&str, usize> = HashMap::new();
        for (index, entry) in old.iter().enumerate() {
            if taken.contains(&index) {
                continue;
            }
            if let Some(value) = key(entry) {
                // The first of two entries sharing a key wins, as in the document.
                by_key.entry(value).or_insert(index);
            }
        }
        for (index, entry) in new.iter().enumerate() {
            if pairs.contains_key(&index) {
                continue;
            }
            if let Some(old_index) = key(entry).and_then(|value| by_key.remove(value)) {
                pairs.insert(index, old_index);
                taken.insert(old_index);
            }
        }
    }
    pairs
}

/// Collects field changes, shown with values or by name only.
#[derive(Default)]
struct Fields(Vec<FieldChange>);

impl Fields {
    fn shown(&mut self, field: &'static str, old: Option<String>, new: Option<String>) {
        if old != new {
            self.0.push(FieldChange {
                field,
                values: Some(Values { old, new }),
            });
        }
    }

    fn named<T: PartialEq>(&mut self, field: &'static str, old: &T, new: &T) {
        if old != new {
            self.0.push(FieldChange {
                field,
                values: None,
            });
        }
    }
}

fn date(value: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    value.map(|date| crate::model::utc_seconds::format(&date))
}

fn text<T: ToString>(value: Option<T>) -> Option<String> {
    value.map(|value| value.to_string())
}

fn joined<T>(items: &[T], part: impl Fn(&T) -> Option<String>) -> Option<String> {
    let parts: Vec<String> = items.iter().filter_map(part).collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn entry_fields(old: &Entry, new: &Entry) -> Vec<FieldChange> {
    let mut fields = Fields::default();
    fields.shown("title", old.title.clone(), new.title.clone());
    fields.shown("link", old.link.clone(), new.link.clone());
    fields.shown("date", date(old.published), date(new.published));
    fields.shown("updated", date(old.updated), date(new.updated));
    fields.named("summary", &old.summary, &new.summary);
    fields.named("content", &old.content_html, &new.content_html);
    let names = |entry: &Entry| joined(&entry.authors, |person| person.name.clone());
    fields.shown("authors", names(old), names(new));
    let tags = |entry: &Entry| joined(&entry.categories, |tag| Some(tag.term.clone()));
    fields.shown("tags", tags(old), tags(new));
    let image = |entry: &Entry| entry.image.as_ref().map(|image| image.url.clone());
    fields.shown("image", image(old), image(new));
    let (before, after) = (old.enclosures.first(), new.enclosures.first());
    fields.shown(
        "enclosure url",
        before.map(|e| e.url.clone()),
        after.map(|e| e.url.clone()),
    );
    fields.shown(
        "enclosure length",
        text(before.and_then(|e| e.length)),
        text(after.and_then(|e| e.length)),
    );
    fields.shown(
        "enclosure type",
        before.and_then(|e| e.mime_type.clone()),
        after.and_then(|e| e.mime_type.clone()),
    );
    fields.shown(
        "enclosures",
        text(Some(old.enclosures.len()).filter(|n| *n > 1)),
        text(Some(new.enclosures.len()).filter(|n| *n > 1)),
    );
    let (p, q) = (&old.podcast, &new.podcast);
    fields.shown(
        "duration",
        text(p.duration_seconds),
        text(q.duration_seconds),
    );
    fields.shown("season", text(p.season), text(q.season));
    fields.shown("episode", text(p.episode), text(q.episode));
    fields.shown(
        "episode type",
        p.episode_type.clone(),
        q.episode_type.clone(),
    );
    fields.shown("explicit", text(p.explicit), text(q.explicit));
    fields.shown("block", text(p.block), text(q.block));
    fields.named("transcripts", &p.transcripts, &q.transcripts);
    fields.named("chapters", &p.chapters, &q.chapters);
    fields.named("persons", &p.persons, &q.persons);
    fields.named("funding", &p.funding, &q.funding);
    fields.0
}

fn feed_fields(old: &Feed, new: &Feed) -> Vec<FieldChange> {
    let mut fields = Fields::default();
    fields.shown("title", old.title.clone(), new.title.clone());
    fields.shown("link", old.link.clone(), new.link.clone());
    fields.shown("self link", old.self_link.clone(), new.self_link.clone());
    fields.named("description", &old.description, &new.description);
    fields.shown("language", old.language.clone(), new.language.clone());
    fields.shown("copyright", old.copyright.clone(), new.copyright.clone());
    let names = |feed: &Feed| joined(&feed.authors, |person| person.name.clone());
    fields.shown("authors", names(old), names(new));
    let categories = |feed: &Feed| {
        joined(&feed.categories, |category| {
            let mut term = category.term.clone();
            if !category.subcategories.is_empty() {
                term = format!("{term} > {}", category.subcategories.join(" / "));
            }
            Some(term)
        })
    };
    fields.shown("categories", categories(old), categories(new));
    let image = |feed: &Feed| feed.image.as_ref().map(|image| image.url.clone());
    fields.shown("image", image(old), image(new));
    let (p, q) = (&old.podcast, &new.podcast);
    fields.shown("explicit", text(p.explicit), text(q.explicit));
    fields.shown("type", p.kind.clone(), q.kind.clone());
    fields.named("owner", &p.owner, &q.owner);
    fields.shown("itunes author", p.author.clone(), q.author.clone());
    fields.shown("complete", text(p.complete), text(q.complete));
    fields.shown("block", text(p.block), text(q.block));
    fields.shown(
        "new feed url",
        p.new_feed_url.clone(),
        q.new_feed_url.clone(),
    );
    fields.shown("podcast guid", p.guid.clone(), q.guid.clone());
    fields.shown(
        "locked",
        text(p.locked.as_ref().map(|locked| locked.value)),
        text(q.locked.as_ref().map(|locked| locked.value)),
    );
    fields.shown("medium", p.medium.clone(), q.medium.clone());
    fields.named("funding", &p.funding, &q.funding);
    fields.named("persons", &p.persons, &q.persons);
    fields.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Enclosure;

    fn entry(guid: &str, title: &str, link: &str) -> Entry {
        Entry {
            id: guid.into(),
            guid: Some(guid.into()),
            title: Some(title.into()),
            link: Some(link.into()),
            ..Entry::default()
        }
    }

    fn with_audio(mut entry: Entry, url: &str, length: u64) -> Entry {
        entry.enclosures = vec![Enclosure {
            url: url.into(),
            mime_type: Some("audio/mpeg".into()),
            length: Some(length),
        }];
        entry
    }

    fn feed(entries: Vec<Entry>) -> Feed {
        Feed {
            title: Some("Show".into()),
            entries,
            ..Feed::default()
        }
    }

    #[test]
    fn same_feed_has_no_difference() {
        let one = feed(vec![entry("a", "A", "https://x/a")]);
        assert!(compare(&one, &one.clone()).is_empty());
    }

    #[test]
    fn reports_added_changed_and_removed_entries() {
        let old = feed(vec![
            with_audio(entry("b", "B", "https://x/b"), "https://m/b.mp3", 10),
            entry("a", "A", "https://x/a"),
        ]);
        let new = feed(vec![
            entry("c", "C", "https://x/c"),
            with_audio(entry("b", "B2", "https://x/b"), "https://m/b.mp3", 12),
        ]);
        let diff = compare(&old, &new);
        assert_eq!(diff.added, [entry_ref(&new.entries[0])]);
        assert_eq!(diff.removed, [entry_ref(&old.entries[1])]);
        assert_eq!(diff.changed.len(), 1);
        let fields: Vec<_> = diff.changed[0]
            .fields
            .iter()
            .map(|f| (f.field, f.values.clone()))
            .collect();
        assert_eq!(
            fields,
            [
                (
                    "title",
                    Some(Values {
                        old: Some("B".into()),
                        new: Some("B2".into())
                    })
                ),
                (
                    "enclosure length",
                    Some(Values {
                        old: Some("10".into()),
                        new: Some("12".into())
                    })
                ),
            ]
        );
        assert!(diff.identity.is_empty());
    }

    #[test]
    fn a_new_guid_on_the_same_link_is_an_identity_warning() {
        let old = feed(vec![entry("old-guid", "A", "https://x/a")]);
        let new = feed(vec![entry("new-guid", "A", "https://x/a")]);
        let diff = compare(&old, &new);
        assert!(diff.added.is_empty() && diff.removed.is_empty());
        assert_eq!(
            diff.identity,
            [IdentityWarning::GuidChanged {
                title: Some("A".into()),
                old: Some("old-guid".into()),
                new: Some("new-guid".into()),
            }]
        );
    }

    #[test]
    fn enclosure_and_podcast_guid_changes_are_identity_warnings() {
        let mut old = feed(vec![with_audio(entry("a", "A", "l"), "https://m/a.mp3", 1)]);
        let mut new = feed(vec![with_audio(entry("a", "A", "l"), "https://n/a.mp3", 1)]);
        old.podcast.guid = Some("g1".into());
        new.podcast.guid = Some("g2".into());
        let diff = compare(&old, &new);
        assert_eq!(
            diff.identity,
            [
                IdentityWarning::PodcastGuidChanged {
                    old: Some("g1".into()),
                    new: Some("g2".into())
                },
                IdentityWarning::EnclosureUrlChanged {
                    guid: "a".into(),
                    title: Some("A".into()),
                    old: Some("https://m/a.mp3".into()),
                    new: Some("https://n/a.mp3".into()),
                },
            ]
        );
        assert_eq!(diff.feed_fields[0].field, "podcast guid");
        assert_eq!(diff.changed[0].fields[0].field, "enclosure url");
    }

    #[test]
    fn long_fields_are_named_without_values() {
        let mut old = feed(vec![entry("a", "A", "l")]);
        let mut new = old.clone();
        old.entries[0].content_html = Some("<p>one</p>".into());
        new.entries[0].content_html = Some("<p>two</p>".into());
        let diff = compare(&old, &new);
        assert_eq!(
            diff.changed[0].fields,
            [FieldChange {
                field: "content",
                values: None
            }]
        );
        let json = serde_json::to_string(&diff.changed[0]).expect("serialises");
        assert_eq!(
            json,
            r#"{"guid":"a","title":"A","fields":[{"field":"content"}]}"#
        );
        new.entries[0].content_html = old.entries[0].content_html.clone();
        assert!(compare(&old, &new).is_empty());
    }
}

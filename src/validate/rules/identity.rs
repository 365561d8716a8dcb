//! `identity/…`: what a feed publishes compared with what the site published before, as
//! the publish ledger (`ledger.rs`) records it: a guid that changed (the same enclosure
//! under a new guid) or vanished (a recorded entry missing while newer and older ones are
//! present), an enclosure URL that now belongs to another entry or changed, a pubDate that
//! moved, a `podcast:guid` that changed.
//!
//! Runs only when the context names the feed and carries the ledger (the site's own
//! feeds, under `omroep validate` without targets); a document alone has no history.
//! `build` enforces the same identity through the ledger itself and refuses to publish.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::super::tree::El;
use super::super::{Checker, Document, Rule, Severity};
use super::dates;
use crate::ingest::feed::ns;
use crate::ledger::OVERRIDE_FLAG;

pub const GUID_CHANGED: Rule = Rule {
    id: "identity/guid-changed",
    severity: Severity::Error,
    summary: "An entry keeps the guid it was published with (its enclosure now appears under another guid).",
    reference: "RSS 2.0 Specification, guid, https://www.rssboard.org/rss-specification#ltguidgtSubelementOfLtitemgt; omroep's publish ledger (README.md, Identity: the ledger)",
    explain: "Apps recognise entries by guid: a new guid makes a published episode or post \
              appear again as new, and podcast apps download it twice. The ledger shows the \
              old guid; put it back (for local content, `guid:` in the front matter), or \
              accept the change with `omroep build --allow-identity-change`.",
};

pub const GUID_VANISHED: Rule = Rule {
    id: "identity/guid-vanished",
    severity: Severity::Error,
    summary: "A published entry that falls within the feed's date range is still in the feed.",
    reference: "omroep's publish ledger (README.md, Identity: the ledger); RSS Best Practices Profile, guid, https://www.rssboard.org/rss-profile#element-channel-item-guid",
    explain: "The ledger records an entry that is missing from the feed while older entries \
              are still there: it was deleted, filtered out or lost its guid. Subscribers \
              keep it, but new subscribers will never see it. Restore it, or accept the \
              removal with `omroep build --allow-identity-change`.",
};

pub const ENCLOSURE_REUSED: Rule = Rule {
    id: "identity/enclosure-reused",
    severity: Severity::Error,
    summary: "An enclosure URL is not reused for a different entry than the one it was published with.",
    reference: "Apple Podcasts requirements (unique enclosure URLs), https://podcasters.apple.com/support/823-podcast-requirements; omroep's publish ledger (README.md, Identity: the ledger)",
    explain: "Podcast apps cache episodes by enclosure URL: a new episode published at an old \
              episode's URL is never downloaded by those who have the old one, and both show \
              the same audio. Give each episode's file its own name.",
};

pub const ENCLOSURE_CHANGED: Rule = Rule {
    id: "identity/enclosure-changed",
    severity: Severity::Error,
    summary: "A published entry keeps its enclosure URL.",
    reference: "RSS 2.0 Specification, enclosure, https://www.rssboard.org/rss-specification#ltenclosuregtSubelementOfLtitemgt; omroep's publish ledger (README.md, Identity: the ledger)",
    explain: "Podcast apps download an episode again when its enclosure URL changes, and some \
              list it twice. Keep serving the file at the published URL (redirect if it \
              moved), or accept the change with `omroep build --allow-identity-change`.",
};

pub const PUBDATE_MOVED: Rule = Rule {
    id: "identity/pubdate-moved",
    severity: Severity::Warning,
    summary: "A published entry keeps its first publication date.",
    reference: "RSS 2.0 Specification, pubDate, https://www.rssboard.org/rss-specification#ltpubdategtSubelementOfLtitemgt; omroep's publish ledger (README.md, Identity: the ledger)",
    explain: "Readers sort by publication date; moving it pushes an old entry back to the top \
              (or buries a new one) and some apps notify again. Keep the original date and \
              record edits in an updated date instead.",
};

pub const PODCAST_GUID_CHANGED: Rule = Rule {
    id: "identity/podcast-guid-changed",
    severity: Severity::Error,
    summary: "The show keeps the `podcast:guid` it was published with.",
    reference: "Podcasting 2.0 guid (never change it once published), https://podcastindex.org/namespace/1.0#guid; omroep's publish ledger (README.md, Identity: the ledger)",
    explain: "Directories identify a show by `podcast:guid` across moves of its feed; a new \
              one lists the show twice and loses its subscribers' history. Set the old guid \
              in the feed's configuration (`guid = \"…\"`).",
};

pub const RULES: &[Rule] = &[
    GUID_CHANGED,
    GUID_VANISHED,
    ENCLOSURE_REUSED,
    ENCLOSURE_CHANGED,
    PUBDATE_MOVED,
    PODCAST_GUID_CHANGED,
];

/// One entry as the document publishes it.
struct Published {
    guid: String,
    enclosure: Option<String>,
    date: Option<DateTime<Utc>>,
    line: Option<u32>,
}

pub fn check(doc: &Document, cx: &mut Checker) {
    let Some(identity) = cx.context.identity.as_ref() else {
        return;
    };
    let feed = identity.feed.as_str();
    let ledger = &identity.ledger;
    let (entries, podcast_guid) = published(doc);

    let mut findings: Vec<(&'static Rule, Option<u32>, Option<String>, String)> = Vec::new();
    if let (Some(old), Some((new, line))) = (ledger.podcast_guid(feed), &podcast_guid)
        && old != new
    {
        findings.push((
            &PODCAST_GUID_CHANGED,
            *line,
            None,
            format!("podcast:guid is {new}; the ledger records {old} for feed `{feed}`"),
        ));
    }
    let in_doc: HashSet<&str> = entries.iter().map(|entry| entry.guid.as_str()).collect();
    let recorded: HashMap<&str, &crate::ledger::Record> = ledger
        .entries
        .iter()
        .filter(|record| record.feed == feed)
        .map(|record| (record.guid.as_str(), record))
        .collect();
    let by_url: HashMap<&str, &crate::ledger::Record> = ledger
        .entries
        .iter()
        .filter_map(|record| record.enclosure_url.as_deref().map(|url| (url, record)))
        .collect();
    for entry in &entries {
        let label = Some(entry.guid.clone());
        if let Some(record) = recorded.get(entry.guid.as_str()) {
            match (&record.enclosure_url, &entry.enclosure) {
                (Some(old), new) if new.as_ref() != Some(old) => findings.push((
                    &ENCLOSURE_CHANGED,
                    entry.line,
                    label.clone(),
                    format!(
                        "enclosure is {}; it was published as {old}",
                        new.as_deref().unwrap_or("gone")
                    ),
                )),
                _ => {}
            }
            if let (Some(old), Some(new)) = (record.first_published, entry.date)
                && old != new
            {
                findings.push((
                    &PUBDATE_MOVED,
                    entry.line,
                    label.clone(),
                    format!(
                        "dated {}; first published {}",
                        new.to_rfc3339(),
                        old.to_rfc3339()
                    ),
                ));
            }
        }
        let Some(url) = entry.enclosure.as_deref() else {
            continue;
        };
        let Some(owner) = by_url.get(url) else {
            continue;
        };
        if owner.guid == entry.guid && owner.feed == feed {
            continue;
        }
        if owner.feed == feed && !in_doc.contains(owner.guid.as_str()) {
            findings.push((
                &GUID_CHANGED,
                entry.line,
                label,
                format!(
                    "enclosure {url} was published with guid `{}`; the guid is now `{}`",
                    owner.guid, entry.guid
                ),
            ));
        } else {
            findings.push((
                &ENCLOSURE_REUSED,
                entry.line,
                label,
                format!(
                    "enclosure {url} was published for entry `{}` of feed `{}`",
                    owner.guid, owner.feed
                ),
            ));
        }
    }
    // A recorded entry is expected while the feed still reaches back to its date: a
    // feed's limit lets the oldest entries go, and that is not a vanished guid.
    let oldest = entries.iter().filter_map(|entry| entry.date).min();
    let changed: HashSet<&str> = findings
        .iter()
        .filter(|(rule, ..)| rule.id == GUID_CHANGED.id)
        .filter_map(|(_, _, _, message)| message.split('`').nth(1))
        .collect();
    let mut vanished: Vec<&crate::ledger::Record> = recorded
        .values()
        .filter(|record| !in_doc.contains(record.guid.as_str()))
        .filter(|record| !changed.contains(record.guid.as_str()))
        .filter(|record| match (record.first_published, oldest) {
            (Some(date), Some(oldest)) => date >= oldest,
            _ => entries.is_empty(),
        })
        .copied()
        .collect();
    vanished.sort_by(|a, b| a.guid.cmp(&b.guid));
    for record in vanished {
        findings.push((
            &GUID_VANISHED,
            None,
            Some(record.guid.clone()),
            format!(
                "published entry `{}` ({}) is no longer in the feed; restore it, or pass {OVERRIDE_FLAG} to build",
                record.guid, record.source
            ),
        ));
    }
    for (rule, line, entry, message) in findings {
        cx.report_at(rule, line, entry.as_deref(), message);
    }
}

/// The entries (guid, first enclosure, publication date) and the `podcast:guid`.
fn published(doc: &Document) -> (Vec<Published>, Option<(String, Option<u32>)>) {
    match doc {
        Document::Xml(doc) => {
            let root = &doc.root;
            if let Some(channel) = root
                .is(None, "rss")
                .then(|| root.child(None, "channel"))
                .flatten()
            {
                let podcast_guid = channel
                    .children
                    .iter()
                    .find(|el| el.in_ns(ns::PODCAST) && el.name == "guid")
                    .map(|el| (el.trimmed().to_string(), Some(el.line)));
                let entries = channel
                    .children_named(None, "item")
                    .filter_map(|item| {
                        Some(Published {
                            guid: text_of(item.child(None, "guid"))?,
                            enclosure: item
                                .child(None, "enclosure")
                                .and_then(|el| el.attr("url"))
                                .map(|url| url.trim().to_string()),
                            date: item
                                .child(None, "pubDate")
                                .and_then(|el| dates::rfc822(el.trimmed()).ok())
                                .map(|date| date.to_utc()),
                            line: Some(item.line),
                        })
                    })
                    .collect();
                (entries, podcast_guid)
            } else if root.in_ns(ns::ATOM10) && root.name == "feed" {
                let atom = Some(ns::ATOM10);
                let entries = root
                    .children_named(atom, "entry")
                    .filter_map(|entry| {
                        Some(Published {
                            guid: text_of(entry.child(atom, "id"))?,
                            enclosure: entry
                                .children_named(atom, "link")
                                .find(|link| link.attr("rel") == Some("enclosure"))
                                .and_then(|link| link.attr("href"))
                                .map(|url| url.trim().to_string()),
                            date: entry
                                .child(atom, "published")
                                .or_else(|| entry.child(atom, "updated"))
                                .and_then(|el| dates::rfc3339(el.trimmed()).ok())
                                .map(|date| date.to_utc()),
                            line: Some(entry.line),
                        })
                    })
                    .collect();
                (entries, None)
            } else {
                (Vec::new(), None)
            }
        }
        Document::Json(value) => {
            let items = value.get("items").and_then(Value::as_array);
            let entries = items
                .into_iter()
                .flatten()
                .filter_map(|item| {
                    Some(Published {
                        guid: item.get("id")?.as_str()?.to_string(),
                        enclosure: item
                            .get("attachments")
                            .and_then(|a| a.get(0))
                            .and_then(|a| a.get("url"))
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        date: item
                            .get("date_published")
                            .and_then(Value::as_str)
                            .and_then(|text| dates::rfc3339(text).ok())
                            .map(|date| date.to_utc()),
                        line: None,
                    })
                })
                .collect();
            (entries, None)
        }
    }
}

fn text_of(el: Option<&El>) -> Option<String> {
    el.map(El::trimmed)
        .filter(|text| !text.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use crate::ledger::Ledger;
    use crate::validate::testing::context;
    use crate::validate::{Identity, validate};

    const LEDGER: &str = "podcast\tshow\tguid-1\n\
        entry\tshow\t2026-01-05T09:00:00Z\tep-1\tepisodes/1.md\thttps://m.example/1.mp3\t100\n\
        entry\tshow\t2026-01-12T09:00:00Z\tep-2\tepisodes/2.md\thttps://m.example/2.mp3\t200\n\
        entry\tshow\t2026-01-19T09:00:00Z\tep-3\tepisodes/3.md\thttps://m.example/3.mp3\t300\n\
        entry\tother\t2025-12-01T09:00:00Z\tx-1\tx/1.md\thttps://m.example/x.mp3\t50\n";

    fn item(guid: &str, url: &str, date: &str) -> String {
        format!(
            "<item><title>{guid}</title><guid isPermaLink=\"false\">{guid}</guid>\
             <enclosure url=\"{url}\" length=\"1\" type=\"audio/mpeg\"/><pubDate>{date}</pubDate></item>"
        )
    }

    const D1: &str = "Mon, 05 Jan 2026 09:00:00 +0000";
    const D2: &str = "Mon, 12 Jan 2026 09:00:00 +0000";
    const D3: &str = "Mon, 19 Jan 2026 09:00:00 +0000";

    fn feed(podcast_guid: &str, items: &[String]) -> Vec<u8> {
        format!(
            "<rss version=\"2.0\" xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"><channel>\
             <podcast:guid>{podcast_guid}</podcast:guid>{}</channel></rss>",
            items.concat()
        )
        .into_bytes()
    }

    fn identity_findings(bytes: &[u8]) -> Vec<(String, String)> {
        let mut cx = context();
        cx.identity = Some(Identity {
            feed: "show".into(),
            ledger: Ledger::parse(LEDGER).unwrap(),
        });
        validate("show", bytes, &cx)
            .into_iter()
            .filter(|f| f.rule.id.starts_with("identity/"))
            .map(|f| (f.rule.id.to_string(), f.entry.unwrap_or_default()))
            .collect()
    }

    fn ids(bytes: &[u8]) -> Vec<String> {
        identity_findings(bytes)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    fn unchanged() -> Vec<String> {
        vec![
            item("ep-3", "https://m.example/3.mp3", D3),
            item("ep-2", "https://m.example/2.mp3", D2),
            item("ep-1", "https://m.example/1.mp3", D1),
        ]
    }

    #[test]
    fn an_unchanged_feed_and_a_feed_without_a_ledger_fire_nothing() {
        assert_eq!(ids(&feed("guid-1", &unchanged())), Vec::<String>::new());
        // The oldest entry fell off by the feed's limit: not vanished.
        let limited = &unchanged()[..2];
        assert_eq!(ids(&feed("guid-1", limited)), Vec::<String>::new());
        let plain = crate::validate::testing::fired(&feed("guid-2", &[]));
        assert!(!plain.iter().any(|id| id.starts_with("identity/")));
    }

    #[test]
    fn podcast_guid_changed() {
        assert_eq!(
            ids(&feed("guid-2", &unchanged())),
            vec!["identity/podcast-guid-changed"]
        );
    }

    #[test]
    fn guid_changed_and_vanished() {
        let mut items = unchanged();
        items[1] = item("ep-2-new", "https://m.example/2.mp3", D2);
        assert_eq!(
            identity_findings(&feed("guid-1", &items)),
            vec![("identity/guid-changed".to_string(), "ep-2-new".to_string())]
        );
        let mut items = unchanged();
        items.remove(1);
        assert_eq!(
            identity_findings(&feed("guid-1", &items)),
            vec![("identity/guid-vanished".to_string(), "ep-2".to_string())]
        );
    }

    #[test]
    fn enclosures_reused_or_changed_and_dates_moved() {
        let mut items = unchanged();
        items.insert(0, item("ep-4", "https://m.example/x.mp3", D3));
        assert_eq!(
            ids(&feed("guid-1", &items)),
            vec!["identity/enclosure-reused"]
        );
        let mut items = unchanged();
        items[0] = item("ep-3", "https://m.example/3-v2.mp3", D3);
        assert_eq!(
            ids(&feed("guid-1", &items)),
            vec!["identity/enclosure-changed"]
        );
        let mut items = unchanged();
        items[0] = item(
            "ep-3",
            "https://m.example/3.mp3",
            "Tue, 20 Jan 2026 09:00:00 +0000",
        );
        assert_eq!(ids(&feed("guid-1", &items)), vec!["identity/pubdate-moved"]);
    }
}

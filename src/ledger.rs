//! The identity ledger: a text file beside the site, committed by the user, recording what
//! was published (per entry: feed, guid, first-published date, source, enclosure URL and
//! length; per podcast feed: its `podcast:guid`).
//!
//! Identity is sacred (issue 3): subscribers' apps key entries on the guid and episodes on
//! the enclosure URL, and directories key a show on `podcast:guid`. So a build is refused,
//! with a line naming the entry and the override flag, when it would change a published
//! guid (same source, new guid), change or reuse a published enclosure URL, or silently
//! drop a published entry. New entries are appended.
//!
//! The file is tab-separated, one record per line, sorted (podcast lines by feed, entries by
//! feed, first-published date and guid), so the same history always gives the same bytes
//! and a new entry shows as one added line in a diff.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

use crate::model::utc_seconds;

/// The flag that accepts identity changes, named in every refusal.
pub const OVERRIDE_FLAG: &str = "--allow-identity-change";

const HEADER: &str = "\
# omroep ledger: the identities this site has published. Commit this file.
# `omroep build` refuses to change a published guid or enclosure URL, or to drop a
# published entry, unless run with --allow-identity-change. Tab-separated fields:
# podcast FEED PODCAST-GUID
# entry FEED FIRST-PUBLISHED GUID SOURCE ENCLOSURE-URL ENCLOSURE-LENGTH
";

/// One published entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub feed: String,
    pub guid: String,
    pub first_published: Option<DateTime<Utc>>,
    /// Where it came from: the content file relative to the site root, or a feed URL.
    pub source: String,
    pub enclosure_url: Option<String>,
    pub enclosure_length: Option<u64>,
}

/// Everything published so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// `podcast:guid` per podcast feed.
    pub podcasts: BTreeMap<String, String>,
    pub entries: Vec<Record>,
}

/// An entry as this build would publish it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    pub guid: String,
    pub source: String,
    pub published: Option<DateTime<Utc>>,
    pub enclosure_url: Option<String>,
    pub enclosure_length: Option<u64>,
    /// Whether it is written to the feed this time (entries past the feed's `limit` exist
    /// and so are not "dropped", but are not recorded as published either).
    pub in_output: bool,
}

/// One feed as this build would publish it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedBuild {
    pub name: String,
    /// The `podcast:guid` it would carry, for podcast feeds.
    pub podcast_guid: Option<String>,
    /// Every entry that passes the feed's filters, published or past its limit.
    pub entries: Vec<Current>,
}

/// A change to published identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    GuidChanged {
        feed: String,
        source: String,
        old: String,
        new: String,
    },
    EnclosureChanged {
        feed: String,
        guid: String,
        old: String,
        new: Option<String>,
    },
    EnclosureReused {
        feed: String,
        guid: String,
        url: String,
        owner_feed: String,
        owner_guid: String,
    },
    Dropped {
        feed: String,
        guid: String,
        source: String,
        feed_gone: bool,
    },
    PodcastGuidChanged {
        feed: String,
        old: String,
        new: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::GuidChanged {
                feed,
                source,
                old,
                new,
            } => write!(
                f,
                "feed `{feed}`: {source}: its guid would change from `{old}` to `{new}` and \
                 subscribers would see it twice; set `guid: {old}` in its front matter to keep \
                 it, or pass {OVERRIDE_FLAG}"
            ),
            Violation::EnclosureChanged {
                feed,
                guid,
                old,
                new,
            } => write!(
                f,
                "feed `{feed}`: entry `{guid}`: its enclosure URL would change from {old} to {}; \
                 podcast apps would download it again; keep the old URL, or pass {OVERRIDE_FLAG}",
                new.as_deref().unwrap_or("nothing")
            ),
            Violation::EnclosureReused {
                feed,
                guid,
                url,
                owner_feed,
                owner_guid,
            } => write!(
                f,
                "feed `{feed}`: entry `{guid}`: enclosure URL {url} was already published for \
                 entry `{owner_guid}` of feed `{owner_feed}`; give the new audio its own file \
                 name, or pass {OVERRIDE_FLAG}"
            ),
            Violation::Dropped {
                feed,
                guid,
                source,
                feed_gone,
            } => {
                if *feed_gone {
                    write!(
                        f,
                        "feed `{feed}`: its definition is gone, dropping published entry `{guid}` \
                         ({source}); restore feeds/{feed}.toml, or pass {OVERRIDE_FLAG}"
                    )
                } else {
                    write!(
                        f,
                        "feed `{feed}`: published entry `{guid}` ({source}) would be dropped; \
                         restore it (or the filter that kept it), or pass {OVERRIDE_FLAG}"
                    )
                }
            }
            Violation::PodcastGuidChanged { feed, old, new } => write!(
                f,
                "feed `{feed}`: its podcast:guid would change from {old} to {new}, and \
                 directories would list the show twice; set `guid = \"{old}\"` in \
                 feeds/{feed}.toml, or pass {OVERRIDE_FLAG}"
            ),
        }
    }
}

/// The outcome of comparing a build with the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciled {
    /// The ledger after this build: new entries added, moved sources updated, and, when
    /// identity changes are allowed, the changes recorded.
    pub ledger: Ledger,
    pub violations: Vec<Violation>,
}

impl Ledger {
    /// Reads the ledger; a missing file is an empty ledger (a site that published nothing).
    pub fn read(path: &Path) -> Result<Ledger> {
        Ledger::read_with_text(path).map(|(ledger, _)| ledger)
    }

    /// Reads the ledger, with the text it was read from (empty for a missing file).
    pub fn read_with_text(path: &Path) -> Result<(Ledger, String)> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Ledger::default(), String::new()));
            }
            Err(error) => {
                return Err(error).with_context(|| format!("{}: cannot read", path.display()));
            }
        };
        let ledger = Ledger::parse(&text).with_context(|| path.display().to_string())?;
        Ok((ledger, text))
    }

    /// Parses the ledger's text.
    pub fn parse(text: &str) -> Result<Ledger> {
        let mut ledger = Ledger::default();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let bad = |what: &str| -> anyhow::Error {
                anyhow::anyhow!(
                    "line {number}: {what}; fix the line or restore the file from version control"
                )
            };
            match fields.as_slice() {
                ["podcast", feed, guid] => {
                    ledger.podcasts.insert(
                        unescape(feed).map_err(|e| bad(&e))?,
                        unescape(guid).map_err(|e| bad(&e))?,
                    );
                }
                ["entry", feed, date, guid, source, url, length] => {
                    let first_published = match unescape_optional(date).map_err(|e| bad(&e))? {
                        None => None,
                        Some(date) => Some(
                            DateTime::parse_from_rfc3339(&date)
                                .map_err(|_| bad(&format!("`{date}` is not an RFC 3339 date")))?
                                .with_timezone(&Utc),
                        ),
                    };
                    let enclosure_length = match unescape_optional(length).map_err(|e| bad(&e))? {
                        None => None,
                        Some(length) => Some(
                            length
                                .parse::<u64>()
                                .map_err(|_| bad(&format!("`{length}` is not a byte length")))?,
                        ),
                    };
                    let guid = unescape(guid).map_err(|e| bad(&e))?;
                    if guid.is_empty() {
                        return Err(bad("an entry without a guid"));
                    }
                    ledger.entries.push(Record {
                        feed: unescape(feed).map_err(|e| bad(&e))?,
                        guid,
                        first_published,
                        source: unescape(source).map_err(|e| bad(&e))?,
                        enclosure_url: unescape_optional(url).map_err(|e| bad(&e))?,
                        enclosure_length,
                    });
                }
                _ => {
                    return Err(bad(
                        "expected `podcast` with 2 fields or `entry` with 6, separated by tabs",
                    ));
                }
            }
        }
        ledger.sort();
        Ok(ledger)
    }

    fn sort(&mut self) {
        self.entries.sort_by(|a, b| {
            (&a.feed, a.first_published, &a.guid).cmp(&(&b.feed, b.first_published, &b.guid))
        });
    }

    /// The ledger's text: always the same bytes for the same records.
    pub fn to_text(&self) -> String {
        let mut text = String::from(HEADER);
        for (feed, guid) in &self.podcasts {
            text.push_str(&format!("podcast\t{}\t{}\n", escape(feed), escape(guid)));
        }
        let mut entries: Vec<&Record> = self.entries.iter().collect();
        entries.sort_by(|a, b| {
            (&a.feed, a.first_published, &a.guid).cmp(&(&b.feed, b.first_published, &b.guid))
        });
        for record in entries {
            let date = record.first_published.as_ref().map(utc_seconds::format);
            let length = record.enclosure_length.map(|length| length.to_string());
            text.push_str(&format!(
                "entry\t{}\t{}\t{}\t{}\t{}\t{}\n",
                escape(&record.feed),
                escape_optional(date.as_deref()),
                escape(&record.guid),
                escape(&record.source),
                escape_optional(record.enclosure_url.as_deref()),
                escape_optional(length.as_deref()),
            ));
        }
        text
    }

    /// The `podcast:guid` already published for a feed.
    pub fn podcast_guid(&self, feed: &str) -> Option<&str> {
        self.podcasts.get(feed).map(String::as_str)
    }

    /// Compares what this build would publish with what was published. `built` holds the
    /// feeds built this time; `skipped` names feeds that exist but were not built (they
    /// failed), whose records are left as they are. Any other feed in the ledger is gone.
    /// With `allow`, violations are still listed but the new ledger records the change.
    pub fn reconcile(&self, built: &[FeedBuild], skipped: &[&str], allow: bool) -> Reconciled {
        let mut violations = Vec::new();
        let mut next = Ledger::default();
        // Who owns each published enclosure URL, to catch reuse across feeds.
        let mut owners: HashMap<&str, (&str, &str)> = HashMap::new();
        for record in &self.entries {
            if let Some(url) = &record.enclosure_url {
                owners.entry(url).or_insert((&record.feed, &record.guid));
            }
        }

        for (feed, guid) in &self.podcasts {
            let current = built.iter().find(|b| &b.name == feed);
            match current.and_then(|b| b.podcast_guid.as_ref()) {
                Some(new) if new != guid => {
                    violations.push(Violation::PodcastGuidChanged {
                        feed: feed.clone(),
                        old: guid.clone(),
                        new: new.clone(),
                    });
                    let keep = if allow { new } else { guid };
                    next.podcasts.insert(feed.clone(), keep.clone());
                }
                _ => {
                    next.podcasts.insert(feed.clone(), guid.clone());
                }
            }
        }
        for feed in built {
            if let Some(guid) = &feed.podcast_guid {
                next.podcasts
                    .entry(feed.name.clone())
                    .or_insert_with(|| guid.clone());
            }
        }

        for record in &self.entries {
            let built_here = built.iter().any(|b| b.name == record.feed);
            if !built_here {
                if skipped.contains(&record.feed.as_str()) {
                    next.entries.push(record.clone());
                } else {
                    violations.push(Violation::Dropped {
                        feed: record.feed.clone(),
                        guid: record.guid.clone(),
                        source: record.source.clone(),
                        feed_gone: true,
                    });
                    if !allow {
                        next.entries.push(record.clone());
                    }
                }
            }
        }

        for feed in built {
            let records: Vec<&Record> = self
                .entries
                .iter()
                .filter(|r| r.feed == feed.name)
                .collect();
            let mut matched = vec![false; records.len()];
            // Indexes, so a feed of thousands of entries is matched in linear time.
            let mut guid_index: HashMap<&str, usize> = HashMap::new();
            let mut source_index: HashMap<&str, Vec<usize>> = HashMap::new();
            for (index, record) in records.iter().enumerate() {
                guid_index.entry(&record.guid).or_insert(index);
                source_index.entry(&record.source).or_default().push(index);
            }
            // A record is the same entry under a new guid only when its source (a local
            // file) holds one entry, before and now, and its guid is gone from the build.
            // A remote feed's entries share their source, so pairing them by source would
            // call a new post a renamed old one, depending on the order of the entries.
            let current_guids: HashSet<&str> = feed
                .entries
                .iter()
                .map(|entry| entry.guid.as_str())
                .collect();
            let mut current_per_source: HashMap<&str, usize> = HashMap::new();
            for entry in &feed.entries {
                *current_per_source.entry(&entry.source).or_default() += 1;
            }
            let mut seen_urls: HashMap<&str, &str> = HashMap::new();
            for entry in &feed.entries {
                let by_guid = guid_index.get(entry.guid.as_str()).copied();
                let by_source = |matched: &[bool]| {
                    let candidates = source_index.get(entry.source.as_str())?;
                    let single = candidates.len() == 1
                        && current_per_source.get(entry.source.as_str()) == Some(&1);
                    candidates.iter().copied().find(|i| {
                        single && !matched[*i] && !current_guids.contains(records[*i].guid.as_str())
                    })
                };
                // Two entries of this build sharing a URL nobody published yet; a URL that
                // was published is checked against its owner below.
                if let Some(url) = &entry.enclosure_url
                    && !owners.contains_key(url.as_str())
                {
                    match seen_urls.get(url.as_str()) {
                        Some(other) if *other != entry.guid => {
                            violations.push(Violation::EnclosureReused {
                                feed: feed.name.clone(),
                                guid: entry.guid.clone(),
                                url: url.clone(),
                                owner_feed: feed.name.clone(),
                                owner_guid: other.to_string(),
                            });
                        }
                        _ => {
                            seen_urls.insert(url, &entry.guid);
                        }
                    }
                }
                if let Some(index) = by_guid {
                    matched[index] = true;
                    let record = records[index];
                    let mut updated = record.clone();
                    updated.source = entry.source.clone();
                    if let Some(old) = &record.enclosure_url
                        && entry.enclosure_url.as_ref() != Some(old)
                    {
                        violations.push(Violation::EnclosureChanged {
                            feed: feed.name.clone(),
                            guid: entry.guid.clone(),
                            old: old.clone(),
                            new: entry.enclosure_url.clone(),
                        });
                        if allow {
                            updated.enclosure_url = entry.enclosure_url.clone();
                        }
                    } else if record.enclosure_url.is_none() && entry.in_output {
                        updated.enclosure_url = entry.enclosure_url.clone();
                    }
                    if updated.enclosure_url == entry.enclosure_url {
                        updated.enclosure_length = entry.enclosure_length;
                    }
                    next.entries.push(updated);
                    continue;
                }
                if let Some(index) = by_source(&matched) {
                    matched[index] = true;
                    let record = records[index];
                    violations.push(Violation::GuidChanged {
                        feed: feed.name.clone(),
                        source: entry.source.clone(),
                        old: record.guid.clone(),
                        new: entry.guid.clone(),
                    });
                    if allow {
                        next.entries.push(new_record(&feed.name, entry));
                    } else {
                        next.entries.push(record.clone());
                    }
                    continue;
                }
                if let Some(url) = &entry.enclosure_url
                    && let Some((owner_feed, owner_guid)) = owners.get(url.as_str())
                    && *owner_guid != entry.guid
                {
                    violations.push(Violation::EnclosureReused {
                        feed: feed.name.clone(),
                        guid: entry.guid.clone(),
                        url: url.clone(),
                        owner_feed: owner_feed.to_string(),
                        owner_guid: owner_guid.to_string(),
                    });
                    if !allow {
                        continue;
                    }
                }
                if entry.in_output {
                    next.entries.push(new_record(&feed.name, entry));
                }
            }
            for (index, record) in records.iter().enumerate() {
                if matched[index] {
                    continue;
                }
                violations.push(Violation::Dropped {
                    feed: record.feed.clone(),
                    guid: record.guid.clone(),
                    source: record.source.clone(),
                    feed_gone: false,
                });
                if !allow {
                    next.entries.push((*record).clone());
                }
            }
        }
        next.sort();
        Reconciled {
            ledger: next,
            violations,
        }
    }
}

fn new_record(feed: &str, entry: &Current) -> Record {
    Record {
        feed: feed.to_string(),
        guid: entry.guid.clone(),
        first_published: entry.published,
        source: entry.source.clone(),
        enclosure_url: entry.enclosure_url.clone(),
        enclosure_length: entry.enclosure_length,
    }
}

/// Tabs and line breaks in a guid or path would break the format, so they are escaped;
/// `-` alone stands for "no value", so a real `-` is escaped too.
fn escape(text: &str) -> String {
    if text == "-" {
        return "\\-".into();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out
}

fn escape_optional(text: Option<&str>) -> String {
    text.map(escape).unwrap_or_else(|| "-".into())
}

fn unescape(text: &str) -> std::result::Result<String, String> {
    if text == "\\-" {
        return Ok("-".into());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            other => {
                return Err(format!(
                    "unknown escape `\\{}`",
                    other.map(String::from).unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

fn unescape_optional(text: &str) -> std::result::Result<Option<String>, String> {
    if text == "-" {
        Ok(None)
    } else {
        unescape(text).map(Some)
    }
}

/// Refuses a ledger whose records contradict each other (two records for one guid in a
/// feed): it was edited by hand or merged badly, and guessing would risk identity.
pub fn check_consistent(ledger: &Ledger) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for record in &ledger.entries {
        if !seen.insert((&record.feed, &record.guid)) {
            bail!(
                "feed `{}`: entry `{}` is recorded twice; remove one of the lines",
                record.feed,
                record.guid
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(day: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(2024, 3, day, 9, 0, 0).unwrap())
    }

    fn post(guid: &str, source: &str, day: u32) -> Current {
        Current {
            guid: guid.into(),
            source: source.into(),
            published: date(day),
            enclosure_url: None,
            enclosure_length: None,
            in_output: true,
        }
    }

    fn episode(guid: &str, source: &str, day: u32, url: &str) -> Current {
        Current {
            enclosure_url: Some(url.into()),
            enclosure_length: Some(1000),
            ..post(guid, source, day)
        }
    }

    fn feed(name: &str, entries: Vec<Current>) -> FeedBuild {
        FeedBuild {
            name: name.into(),
            podcast_guid: None,
            entries,
        }
    }

    fn first_build() -> Ledger {
        let built = [
            feed(
                "blog",
                vec![
                    post("https://x/b/", "posts/b.md", 2),
                    post("https://x/a/", "posts/a.md", 1),
                ],
            ),
            FeedBuild {
                podcast_guid: Some("9b024349-ccf0-5f69-a609-6b82873eab3c".into()),
                ..feed(
                    "show",
                    vec![episode("ep1", "episodes/1.md", 3, "https://cdn/1.mp3")],
                )
            },
        ];
        let result = Ledger::default().reconcile(&built, &[], false);
        assert!(result.violations.is_empty());
        result.ledger
    }

    #[test]
    fn text_is_sorted_and_round_trips() {
        let ledger = first_build();
        let text = ledger.to_text();
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            body,
            [
                "podcast\tshow\t9b024349-ccf0-5f69-a609-6b82873eab3c",
                "entry\tblog\t2024-03-01T09:00:00Z\thttps://x/a/\tposts/a.md\t-\t-",
                "entry\tblog\t2024-03-02T09:00:00Z\thttps://x/b/\tposts/b.md\t-\t-",
                "entry\tshow\t2024-03-03T09:00:00Z\tep1\tepisodes/1.md\thttps://cdn/1.mp3\t1000",
            ]
        );
        assert_eq!(Ledger::parse(&text).unwrap(), ledger);
    }

    #[test]
    fn hostile_fields_are_escaped() {
        let mut ledger = Ledger::default();
        ledger.entries.push(Record {
            feed: "blog".into(),
            guid: "a\tb\nc\\d".into(),
            first_published: None,
            source: "-".into(),
            enclosure_url: None,
            enclosure_length: None,
        });
        let text = ledger.to_text();
        assert!(
            text.contains("entry\tblog\t-\ta\\tb\\nc\\\\d\t\\-\t-\t-\n"),
            "{text}"
        );
        assert_eq!(Ledger::parse(&text).unwrap(), ledger);
    }

    #[test]
    fn a_broken_line_is_reported_with_its_number() {
        let error = Ledger::parse("# x\nentry\tblog\tnot-a-date\tg\ts\t-\t-\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 2: `not-a-date` is not an RFC 3339 date; fix the line or restore the file from version control"
        );
    }

    #[test]
    fn same_build_again_changes_nothing() {
        let ledger = first_build();
        let built = [
            feed(
                "blog",
                vec![
                    post("https://x/b/", "posts/b.md", 2),
                    post("https://x/a/", "posts/a.md", 1),
                ],
            ),
            FeedBuild {
                podcast_guid: Some("9b024349-ccf0-5f69-a609-6b82873eab3c".into()),
                ..feed(
                    "show",
                    vec![episode("ep1", "episodes/1.md", 3, "https://cdn/1.mp3")],
                )
            },
        ];
        let result = ledger.reconcile(&built, &[], false);
        assert_eq!(result.violations, []);
        assert_eq!(result.ledger, ledger);
    }

    #[test]
    fn a_changed_guid_is_refused_and_allowed_with_the_flag() {
        let ledger = first_build();
        let built = [
            feed(
                "blog",
                vec![
                    post("https://x/b-renamed/", "posts/b.md", 2),
                    post("https://x/a/", "posts/a.md", 1),
                ],
            ),
            feed(
                "show",
                vec![episode("ep1", "episodes/1.md", 3, "https://cdn/1.mp3")],
            ),
        ];
        let refused = ledger.reconcile(&built, &[], false);
        assert_eq!(refused.violations.len(), 1);
        assert_eq!(
            refused.violations[0].to_string(),
            "feed `blog`: posts/b.md: its guid would change from `https://x/b/` to \
             `https://x/b-renamed/` and subscribers would see it twice; set `guid: https://x/b/` \
             in its front matter to keep it, or pass --allow-identity-change"
        );
        assert_eq!(
            refused.ledger, ledger,
            "a refused build records nothing new"
        );
        let allowed = ledger.reconcile(&built, &[], true);
        assert!(
            allowed
                .ledger
                .entries
                .iter()
                .any(|r| r.guid == "https://x/b-renamed/")
        );
        assert!(
            !allowed
                .ledger
                .entries
                .iter()
                .any(|r| r.guid == "https://x/b/")
        );
    }

    #[test]
    fn a_moved_file_with_the_same_guid_is_fine() {
        let ledger = first_build();
        let built = [
            feed(
                "blog",
                vec![
                    post("https://x/b/", "posts/2024/b.md", 2),
                    post("https://x/a/", "posts/a.md", 1),
                ],
            ),
            feed(
                "show",
                vec![episode("ep1", "episodes/1.md", 3, "https://cdn/1.mp3")],
            ),
        ];
        let result = ledger.reconcile(&built, &[], false);
        assert_eq!(result.violations, []);
        assert!(
            result
                .ledger
                .entries
                .iter()
                .any(|r| r.source == "posts/2024/b.md")
        );
    }

    #[test]
    fn new_posts_of_a_remote_feed_are_new_entries_not_renamed_old_ones() {
        let feed_url = "https://blog.example/feed.json";
        let old = Ledger::default()
            .reconcile(
                &[feed(
                    "planet",
                    vec![post("p/2", feed_url, 2), post("p/1", feed_url, 1)],
                )],
                &[],
                false,
            )
            .ledger;
        // The source grew: its new posts come first (newest first), before the old ones.
        let grown = [feed(
            "planet",
            vec![
                post("p/4", feed_url, 4),
                post("p/3", feed_url, 3),
                post("p/2", feed_url, 2),
                post("p/1", feed_url, 1),
            ],
        )];
        let result = old.reconcile(&grown, &[], false);
        assert_eq!(result.violations, []);
        let guids: Vec<&str> = result
            .ledger
            .entries
            .iter()
            .map(|r| r.guid.as_str())
            .collect();
        assert_eq!(guids, ["p/1", "p/2", "p/3", "p/4"]);

        // An old post gone from a remote source is a drop, named as such, not a rename
        // of whichever new post happens to come first.
        let replaced = [feed(
            "planet",
            vec![post("p/5", feed_url, 5), post("p/2", feed_url, 2)],
        )];
        let result = old.reconcile(&replaced, &[], false);
        assert_eq!(
            result.violations,
            [Violation::Dropped {
                feed: "planet".into(),
                guid: "p/1".into(),
                source: feed_url.into(),
                feed_gone: false,
            }]
        );
    }

    #[test]
    fn a_dropped_entry_is_refused_but_one_past_the_limit_is_not() {
        let ledger = first_build();
        let mut past_limit = post("https://x/a/", "posts/a.md", 1);
        past_limit.in_output = false;
        let built = [
            feed(
                "blog",
                vec![post("https://x/b/", "posts/b.md", 2), past_limit],
            ),
            feed(
                "show",
                vec![episode("ep1", "episodes/1.md", 3, "https://cdn/1.mp3")],
            ),
        ];
        assert_eq!(ledger.reconcile(&built, &[], false).violations, []);
        let dropped = [
            feed("blog", vec![post("https://x/b/", "posts/b.md", 2)]),
            feed(
                "show",
                vec![episode("ep1", "episodes/1.md", 3, "https://cdn/1.mp3")],
            ),
        ];
        let result = ledger.reconcile(&dropped, &[], false);
        assert_eq!(
            result
                .violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "feed `blog`: published entry `https://x/a/` (posts/a.md) would be dropped; \
              restore it (or the filter that kept it), or pass --allow-identity-change"
            ]
        );
        assert_eq!(result.ledger, ledger);
        let allowed = ledger.reconcile(&dropped, &[], true);
        assert_eq!(allowed.ledger.entries.len(), 2);
    }

    #[test]
    fn a_removed_feed_drops_its_entries_but_a_failed_one_does_not() {
        let ledger = first_build();
        let only_show = [feed(
            "show",
            vec![episode("ep1", "episodes/1.md", 3, "https://cdn/1.mp3")],
        )];
        let gone = ledger.reconcile(&only_show, &[], false);
        assert_eq!(gone.violations.len(), 2);
        assert!(
            gone.violations[0]
                .to_string()
                .contains("its definition is gone")
        );
        let failed = ledger.reconcile(&only_show, &["blog"], false);
        assert_eq!(failed.violations, []);
        assert_eq!(failed.ledger, ledger);
    }

    #[test]
    fn enclosure_urls_may_not_change_or_be_reused() {
        let ledger = first_build();
        let changed = [
            feed(
                "blog",
                vec![
                    post("https://x/b/", "posts/b.md", 2),
                    post("https://x/a/", "posts/a.md", 1),
                ],
            ),
            feed(
                "show",
                vec![episode("ep1", "episodes/1.md", 3, "https://cdn/one.mp3")],
            ),
        ];
        let result = ledger.reconcile(&changed, &[], false);
        assert_eq!(
            result
                .violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "feed `show`: entry `ep1`: its enclosure URL would change from https://cdn/1.mp3 to \
              https://cdn/one.mp3; podcast apps would download it again; keep the old URL, or \
              pass --allow-identity-change"
            ]
        );
        let reused = [
            feed(
                "blog",
                vec![
                    post("https://x/b/", "posts/b.md", 2),
                    post("https://x/a/", "posts/a.md", 1),
                ],
            ),
            feed(
                "show",
                vec![
                    episode("ep2", "episodes/2.md", 4, "https://cdn/1.mp3"),
                    episode("ep1", "episodes/1.md", 3, "https://cdn/1.mp3"),
                ],
            ),
        ];
        let result = ledger.reconcile(&reused, &[], false);
        assert!(
            result.violations.iter().any(|v| matches!(
                v,
                Violation::EnclosureReused { guid, owner_guid, .. } if guid == "ep2" && owner_guid == "ep1"
            )),
            "{:?}",
            result.violations
        );
    }

    #[test]
    fn two_new_entries_may_not_share_an_enclosure_url() {
        let built = [feed(
            "show",
            vec![
                episode("ep2", "episodes/2.md", 4, "https://cdn/new.mp3"),
                episode("ep1", "episodes/1.md", 3, "https://cdn/new.mp3"),
            ],
        )];
        let result = Ledger::default().reconcile(&built, &[], false);
        assert_eq!(
            result.violations,
            [Violation::EnclosureReused {
                feed: "show".into(),
                guid: "ep1".into(),
                url: "https://cdn/new.mp3".into(),
                owner_feed: "show".into(),
                owner_guid: "ep2".into(),
            }]
        );
    }

    #[test]
    fn a_changed_podcast_guid_is_refused() {
        let ledger = first_build();
        let built = [
            feed(
                "blog",
                vec![
                    post("https://x/b/", "posts/b.md", 2),
                    post("https://x/a/", "posts/a.md", 1),
                ],
            ),
            FeedBuild {
                podcast_guid: Some("917393e3-1b1e-5cef-ace4-edaa54e1f810".into()),
                ..feed(
                    "show",
                    vec![episode("ep1", "episodes/1.md", 3, "https://cdn/1.mp3")],
                )
            },
        ];
        let result = ledger.reconcile(&built, &[], false);
        assert_eq!(result.violations.len(), 1);
        assert!(result.violations[0].to_string().starts_with(
            "feed `show`: its podcast:guid would change from 9b024349-ccf0-5f69-a609-6b82873eab3c to 917393e3"
        ));
        assert_eq!(
            result.ledger.podcast_guid("show"),
            Some("9b024349-ccf0-5f69-a609-6b82873eab3c")
        );
    }

    #[test]
    fn duplicate_records_are_inconsistent() {
        let mut ledger = first_build();
        ledger.entries.push(ledger.entries[0].clone());
        assert!(check_consistent(&ledger).is_err());
        assert!(check_consistent(&first_build()).is_ok());
    }
}

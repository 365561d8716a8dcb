//! The renderers: the normalised model in, the text of one output file out.
//!
//! Each output format has its own module (`rss`, `atom`, `podcast`, `jsonfeed`, `opml`,
//! `index`). Renderers are pure: they never read the clock, the disk or the network, so the
//! same model always gives byte-identical output (issue 3, "Byte-stable"). Writing files is
//! `publish`'s job; choosing, filtering, ordering and limiting entries is the caller's
//! (entries arrive newest first and are rendered in the order given).
//!
//! Policies every renderer follows:
//! - Dates come from the model only. A feed's "last changed" date (`lastBuildDate`, Atom
//!   `updated`, the index's date) is the newest entry date, else the feed's own dates.
//! - Text from sources is hostile: characters XML 1.0 forbids are dropped, everything is
//!   escaped by the writer, and HTML is only the model's already-sanitised `content_html`.
//! - Every document ends with exactly one newline.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Entry, Feed};

pub mod atom;
pub mod index;
pub mod jsonfeed;
pub mod opml;
pub mod podcast;
pub mod rss;
mod xml;

/// What a published feed is: the user's blog, the user's podcast, or a planet of other
/// people's feeds. Written in config and JSON as `blog`, `podcast`, `aggregate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedKind {
    Blog,
    Podcast,
    Aggregate,
}

impl FeedKind {
    /// The name used in config files, JSON and the HTML index.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Blog => "blog",
            FeedKind::Podcast => "podcast",
            FeedKind::Aggregate => "aggregate",
        }
    }
}

/// Everything a feed renderer needs: the feed (metadata and entries, newest first, already
/// filtered and limited) and where it is published.
#[derive(Debug, Clone, Copy)]
pub struct Channel<'a> {
    /// Feed-level metadata and the entries to render, in the order to render them.
    pub feed: &'a Feed,
    /// What the feed is. The tags written follow from the renderer called (`podcast` vs
    /// `rss`), not from this; it is carried so callers pass one value everywhere.
    pub kind: FeedKind,
    /// Absolute URL of the file being rendered (`atom:link rel="self"`, Atom `id`
    /// fallback, JSON Feed `feed_url`).
    pub self_url: &'a str,
    /// The site page this feed belongs to (RSS `link`, Atom alternate link).
    pub home_url: &'a str,
    /// Written as the feed's generator, e.g. `omroep 0.1.0`.
    pub generator: &'a str,
}

/// The feed an entry came from, for combined and aggregate feeds: written as RSS
/// `<source url="…">title</source>` and Atom `<source>`; see `rss::render_with_sources`
/// and `atom::render_with_sources`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source<'a> {
    /// Short name of the feed (its definition file's stem), used by the HTML index.
    pub name: &'a str,
    pub title: &'a str,
    /// Absolute URL of that feed's own file.
    pub url: &'a str,
    /// That feed's home page.
    pub home_url: &'a str,
}

/// The date an entry is shown and sorted by: published, else updated.
pub(crate) fn entry_date(entry: &Entry) -> Option<DateTime<Utc>> {
    entry.published.or(entry.updated)
}

/// The newest date an entry carries: updated, else published.
pub(crate) fn entry_updated(entry: &Entry) -> Option<DateTime<Utc>> {
    match (entry.updated, entry.published) {
        (Some(updated), Some(published)) => Some(updated.max(published)),
        (updated, published) => updated.or(published),
    }
}

/// When the feed last changed: the newest entry date, else the feed's own `updated` or
/// `published`. Never "now", so a rebuild of the same input gives the same bytes.
pub(crate) fn feed_updated(feed: &Feed) -> Option<DateTime<Utc>> {
    feed.entries
        .iter()
        .filter_map(entry_updated)
        .max()
        .or(feed.updated)
        .or(feed.published)
}

/// RFC 822 date as RSS 2.0 wants it: two-digit day, four-digit year, numeric zone.
pub(crate) fn rfc822(date: &DateTime<Utc>) -> String {
    date.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// RFC 3339 date in UTC to the second, with a `Z` suffix.
pub(crate) fn rfc3339(date: &DateTime<Utc>) -> String {
    crate::model::utc_seconds::format(date)
}

/// Drops the characters XML 1.0 does not allow anywhere in a document (most C0 controls,
/// unpaired surrogates cannot occur in a Rust string, U+FFFE and U+FFFF). Escaping is the
/// writer's job; this only makes the text representable at all.
pub(crate) fn xml_text(text: &str) -> Cow<'_, str> {
    fn allowed(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    }
    // Fast path on bytes: a control byte below 0x20, or the lead byte of U+FFFE/U+FFFF
    // (EF BF BE/BF), are the only ways a Rust string can hold a forbidden character.
    // Blocks are tested without early exit so the compiler can vectorise the scan.
    let suspicious = |b: u8| (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') | (b == 0xEF);
    let mut blocks = text.as_bytes().chunks_exact(32);
    let clean = blocks.all(|block| !block.iter().fold(false, |hit, &b| hit | suspicious(b)))
        && !blocks.remainder().iter().any(|&b| suspicious(b));
    if clean || text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

/// `xml_text` for an owned result, the form the feed crates' structs take.
pub(crate) fn owned(text: &str) -> String {
    xml_text(text).into_owned()
}

/// Whether an enclosure is audio or video (what a podcast app plays).
pub(crate) fn is_episode_media(enclosure: &crate::model::Enclosure) -> bool {
    enclosure
        .mime_type
        .as_deref()
        .is_some_and(|mime| mime.starts_with("audio/") || mime.starts_with("video/"))
}

/// A generous guess at a rendered document's size, so that its buffer is allocated once
/// (grown from empty, a feed of megabytes was copied into a new buffer a dozen times and
/// more): `fixed` bytes for the document's own head, and per item `per_item` bytes for
/// its markup and fields plus the length of the texts it writes (`item_texts`, one sum
/// per item) and a quarter more for their escapes.
pub(crate) fn size_hint(
    fixed: usize,
    per_item: usize,
    item_texts: impl IntoIterator<Item = usize>,
) -> usize {
    item_texts
        .into_iter()
        .map(|text| per_item + text + text / 4)
        .fold(fixed, usize::saturating_add)
}

/// The summed length of the texts that are present.
pub(crate) fn texts_len<'a>(texts: impl IntoIterator<Item = Option<&'a str>>) -> usize {
    texts.into_iter().flatten().map(str::len).sum()
}

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
mod index_browser;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn rfc822_has_the_right_weekday_two_digit_day_and_numeric_zone() {
        let date = Utc.with_ymd_and_hms(2024, 3, 5, 9, 7, 3).unwrap();
        assert_eq!(rfc822(&date), "Tue, 05 Mar 2024 09:07:03 +0000");
        let leap = Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 59).unwrap();
        assert_eq!(rfc822(&leap), "Thu, 29 Feb 2024 23:59:59 +0000");
    }

    #[test]
    fn xml_text_drops_forbidden_characters_only() {
        assert_eq!(xml_text("a\u{0}b\u{1b}c\u{FFFF}d"), "abcd");
        assert!(matches!(xml_text("tab\tok é 🎙"), Cow::Borrowed(_)));
    }

    #[test]
    fn feed_updated_is_the_newest_entry_date_not_the_first() {
        let feed = fixture::blog();
        let newest = feed.entries.iter().filter_map(entry_updated).max();
        assert_eq!(feed_updated(&feed), newest);
        assert!(newest.is_some());
        let empty = Feed {
            updated: Some(Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()),
            ..Feed::default()
        };
        assert_eq!(feed_updated(&empty), empty.updated);
    }

    /// Writes every renderer's output for the fixtures to `target/render-samples/`, where
    /// `feed-clients` and the browser test read them (see the module's tests).
    #[test]
    fn samples_are_written_for_external_checks() {
        let dir = fixture::samples_dir();
        let written = fixture::write_samples(&dir);
        for name in written {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            assert!(!bytes.is_empty() && bytes.ends_with(b"\n"), "{name}");
            assert!(std::str::from_utf8(&bytes).is_ok(), "{name} is UTF-8");
        }
    }

    /// Real feed clients read every sample without a problem: set `OMROEP_FEED_CLIENTS` to
    /// the `feed-clients` tool and run
    /// `cargo test --lib render::tests::samples_pass_feed_clients -- --ignored`.
    #[test]
    #[ignore = "needs the feed-clients tool (Python and Node clients)"]
    fn samples_pass_feed_clients() {
        let tool = std::env::var_os("OMROEP_FEED_CLIENTS")
            .expect("set OMROEP_FEED_CLIENTS to the feed-clients tool");
        let dir = fixture::samples_dir().join("clients");
        let files: Vec<_> = fixture::write_samples(&dir)
            .into_iter()
            .filter(|name| name.ends_with(".xml") || name.ends_with(".feed.json"))
            .map(|name| dir.join(name))
            .collect();
        let output = std::process::Command::new(tool)
            .args(&files)
            .output()
            .expect("run feed-clients");
        let report = String::from_utf8_lossy(&output.stdout);
        let verdicts: Vec<&str> = report
            .lines()
            .filter(|line| line.contains("verdict") || line.contains("PROBLEM"))
            .collect();
        assert!(
            output.status.success(),
            "feed-clients found problems:\n{}",
            verdicts.join("\n")
        );
        assert_eq!(verdicts.len(), files.len(), "one verdict per feed");
    }

    /// Renders a site of 10,000 entries across 5 feeds (2 podcasts, 3 blogs) in every
    /// format plus the combined feeds and index, and prints the time and peak memory:
    /// `cargo test --lib render::tests::bench_10000_entries -- --ignored --nocapture`.
    #[test]
    #[ignore = "benchmark; run explicitly"]
    fn bench_10000_entries() {
        use std::time::Instant;

        let blog = fixture::blog();
        let podcast = fixture::podcast();
        let feeds: Vec<(Feed, FeedKind)> = (0..5)
            .map(|f| {
                let (template, kind) = if f < 2 {
                    (&podcast, FeedKind::Podcast)
                } else {
                    (&blog, FeedKind::Blog)
                };
                let mut feed = template.clone();
                feed.entries = (0..2000)
                    .map(|i| {
                        let mut entry = template.entries[i % 2].clone();
                        entry.id = format!("urn:bench:{f}:{i}");
                        entry.guid = Some(entry.id.clone());
                        entry.title = Some(format!("Entry {i} of feed {f} & friends"));
                        entry.content_html = Some("<p>Some words &amp; more.</p>".repeat(40));
                        entry.published = Utc
                            .timestamp_opt(1_700_000_000 - i as i64 * 3600, 0)
                            .single();
                        entry
                    })
                    .collect();
                (feed, kind)
            })
            .collect();
        let started = Instant::now();
        let mut bytes = 0usize;
        // Time spent per output format, in the order first seen.
        let mut times: Vec<(&str, std::time::Duration)> = Vec::new();
        let mut timed = |name: &'static str, render: &mut dyn FnMut() -> usize| {
            let t = Instant::now();
            let len = render();
            match times.iter_mut().find(|(n, _)| *n == name) {
                Some((_, total)) => *total += t.elapsed(),
                None => times.push((name, t.elapsed())),
            }
            len
        };
        for (feed, kind) in &feeds {
            let channel = Channel {
                feed,
                kind: *kind,
                self_url: "https://example.org/feed.xml",
                home_url: "https://example.org/",
                generator: "omroep 0.1.0",
            };
            bytes += match kind {
                FeedKind::Podcast => timed("podcast", &mut || podcast::render(&channel).len()),
                _ => timed("rss", &mut || rss::render(&channel).len()),
            };
            bytes += timed("atom", &mut || atom::render(&channel).len());
            bytes += timed("jsonfeed", &mut || jsonfeed::render(&channel).len());
        }
        let mut all: Vec<(&Entry, &str)> = feeds
            .iter()
            .enumerate()
            .flat_map(|(f, (feed, _))| {
                let name = ["a", "b", "c", "d", "e"][f];
                feed.entries.iter().map(move |e| (e, name))
            })
            .collect();
        all.sort_by_key(|(e, _)| std::cmp::Reverse(entry_date(e)));
        let combined = Feed {
            title: Some("All".into()),
            entries: all.iter().map(|(e, _)| (*e).clone()).collect(),
            ..Feed::default()
        };
        let channel = Channel {
            feed: &combined,
            kind: FeedKind::Aggregate,
            self_url: "https://example.org/all.xml",
            home_url: "https://example.org/",
            generator: "omroep 0.1.0",
        };
        bytes += timed("combined rss", &mut || rss::render(&channel).len());
        bytes += timed("combined atom", &mut || atom::render(&channel).len());
        let index = index::Index {
            site_title: "Bench",
            site_url: "https://example.org/",
            language: Some("en"),
            feeds: vec![],
            entries: all
                .iter()
                .map(|(entry, name)| index::IndexEntry {
                    entry,
                    feed_name: name,
                    kind: FeedKind::Blog,
                })
                .collect(),
        };
        bytes += timed("index.html", &mut || index::html(&index).len());
        bytes += timed("index.json", &mut || index::json(&index).len());
        let elapsed = started.elapsed();
        let peak = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM"))
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        println!(
            "rendered 10,000 entries / 5 feeds (17 documents, {:.1} MB) in {elapsed:.2?}; {peak}",
            bytes as f64 / 1e6
        );
        for (name, time) in &times {
            println!("  {name:<14} {time:.2?}");
        }
        assert!(bytes > 10_000_000);
    }

    #[test]
    fn feed_kind_serialises_lowercase() {
        assert_eq!(
            serde_json::to_string(&FeedKind::Aggregate).unwrap(),
            "\"aggregate\""
        );
        assert_eq!(FeedKind::Podcast.as_str(), "podcast");
    }
}

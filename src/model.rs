//! The normalised feed: the one model every part of omroep speaks.
//!
//! Its JSON form is the public contract printed by `omroep parse SOURCE --json` and
//! documented in `docs/normalised-feed.md`. The serde attributes here *are* that contract:
//! a field with no value and an empty list are omitted, dates are RFC 3339 UTC strings to
//! the second with a `Z` suffix, and no key exists that the contract does not name.
//!
//! Ingest (`ingest::feed` for remote feeds, `ingest::markdown`/`ingest::audio` for local
//! content) fills it; the store keeps it as JSON; the renderers read it. Where a field comes
//! from in each dialect is said on the field. Every text field is already normalised when
//! it is here: plain text fields hold no markup, HTML fields hold sanitised HTML with
//! absolute URLs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The feed dialect a document was detected as (by sniffing, never by file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Format {
    /// RSS 2.0, and `<rss>` documents whose version is missing or unknown.
    #[default]
    #[serde(rename = "rss2.0")]
    Rss20,
    /// RSS 1.0: RDF with the `http://purl.org/rss/1.0/` namespace.
    #[serde(rename = "rss1.0")]
    Rss10,
    /// RSS 0.90 (RDF with the Netscape namespace) and `<rss version="0.91|0.92|0.93|0.94">`.
    #[serde(rename = "rss0.9x")]
    Rss09x,
    /// Atom 1.0 (RFC 4287), namespace `http://www.w3.org/2005/Atom`.
    #[serde(rename = "atom1.0")]
    Atom10,
    /// Atom 0.3, namespace `http://purl.org/atom/ns#`.
    #[serde(rename = "atom0.3")]
    Atom03,
    /// JSON Feed 1.0 (`https://jsonfeed.org/version/1`).
    #[serde(rename = "jsonfeed1.0")]
    JsonFeed10,
    /// JSON Feed 1.1 (`https://jsonfeed.org/version/1.1`).
    #[serde(rename = "jsonfeed1.1")]
    JsonFeed11,
}

impl Format {
    /// The contract's name for the format, as printed in `format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Rss20 => "rss2.0",
            Format::Rss10 => "rss1.0",
            Format::Rss09x => "rss0.9x",
            Format::Atom10 => "atom1.0",
            Format::Atom03 => "atom0.3",
            Format::JsonFeed10 => "jsonfeed1.0",
            Format::JsonFeed11 => "jsonfeed1.1",
        }
    }
}

/// One feed, normalised.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feed {
    pub format: Format,
    /// RSS `channel/title`, Atom `feed/title`, JSON Feed `title`; plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The site's home page: RSS `channel/link` (else an `atom:link rel="alternate"`),
    /// Atom `link rel="alternate"` (or a link without `rel`), JSON Feed `home_page_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The feed's own URL: `atom:link rel="self"` in any dialect, JSON Feed `feed_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
    /// Plain text of RSS `description`, Atom `subtitle`/`tagline`, `itunes:summary`/
    /// `itunes:subtitle` as fallbacks, JSON Feed `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Sanitised HTML of the description, present only when the source had markup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_html: Option<String>,
    /// BCP 47: RSS `language`, `dc:language`, `xml:lang` on the root, JSON Feed `language`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// RSS `lastBuildDate` (else `dc:date`), Atom `updated`/`modified`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "utc_seconds::option"
    )]
    pub updated: Option<DateTime<Utc>>,
    /// RSS `pubDate`, Atom 0.3 `issued`, `dcterms:issued`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "utc_seconds::option"
    )]
    pub published: Option<DateTime<Utc>>,
    /// RSS `generator`, Atom `generator`, `admin:generatorAgent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    /// RSS `copyright`, Atom `rights`/`copyright`, `dc:rights`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyright: Option<String>,
    /// RSS `managingEditor`/`dc:creator`/`itunes:author`, Atom `author`, JSON Feed `authors`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Person>,
    /// RSS `category`, `dc:subject`, Atom `category`, `itunes:category` (scheme `itunes`,
    /// nested categories as `subcategories`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// RSS `image`, Atom `logo`/`icon`, `itunes:image`, `media:thumbnail`, JSON Feed `icon`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// iTunes and Podcasting 2.0 channel fields; omitted when none was present.
    #[serde(default, skip_serializing_if = "FeedPodcast::is_empty")]
    pub podcast: FeedPodcast,
    /// The entries, in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<Entry>,
    /// What was repaired or ignored while reading, one human-readable line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A person: an author, contributor or managing editor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

impl Person {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.email.is_none() && self.uri.is_none()
    }
}

/// A category or tag. For `itunes:category` the scheme is the literal `itunes` and the
/// nested `itunes:category` elements are the `subcategories`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub term: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subcategories: Vec<String>,
}

/// An image: the feed's artwork, or an entry's.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// Channel-level podcast fields from the `itunes:` and `podcast:` namespaces.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedPodcast {
    /// `itunes:explicit`: `yes`/`true`/`explicit` → true, `no`/`false`/`clean` → false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit: Option<bool>,
    /// `itunes:type`: `episodic` or `serial`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `itunes:owner` with its `itunes:name` and `itunes:email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// `itunes:author`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// `itunes:complete` (`yes` → true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
    /// `itunes:block` (`yes` → true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<bool>,
    /// `itunes:new-feed-url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_feed_url: Option<String>,
    /// `podcast:guid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    /// `podcast:locked` (`yes`/`no`) and its `owner` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<Locked>,
    /// `podcast:medium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// `podcast:funding`, each with its `url` attribute and its text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funding: Vec<Funding>,
    /// `podcast:person` at channel level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<PodcastPerson>,
}

impl FeedPodcast {
    pub fn is_empty(&self) -> bool {
        *self == FeedPodcast::default()
    }
}

/// The `podcast:medium` values of the Podcasting 2.0 namespace; each also has a list
/// form with an `L` suffix (`podcastL`), and `mixed` is a list of several.
pub const PODCAST_MEDIUMS: &[&str] = &[
    "podcast",
    "music",
    "video",
    "film",
    "audiobook",
    "newsletter",
    "blog",
    "publisher",
    "course",
];

/// Whether `value` is a `podcast:medium` the namespace defines, list forms included.
pub fn is_podcast_medium(value: &str) -> bool {
    let base = value.strip_suffix('L').unwrap_or(value);
    value == "mixed" || PODCAST_MEDIUMS.contains(&base)
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owner {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locked {
    pub value: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Funding {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// `podcast:person`: the text is the name; `role` and `group` are lower-cased as in the
/// Podcasting 2.0 taxonomy (an unknown value is kept, never a reason to refuse the feed).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodcastPerson {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub img: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

/// One entry (RSS `item`, Atom `entry`, JSON Feed item).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Identity: the guid/id as given, else the link, else a stable hash of
    /// title + date + enclosure URL (see `normalise::id`). Never empty.
    pub id: String,
    /// RSS `guid`, Atom `id`, JSON Feed `id`, exactly as given (trimmed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    /// RSS `guid isPermaLink` (absent attribute means true, per RSS 2.0); only for RSS guids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid_is_permalink: Option<bool>,
    /// Plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// RSS `link` (else a permalink guid), Atom `link rel="alternate"`, JSON Feed `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Plain text: RSS `description`, Atom `summary`, `itunes:summary`/`subtitle`, JSON Feed
    /// `summary` (else the text of the content, shortened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Sanitised HTML: `content:encoded`, Atom `content`, RSS `description`, JSON Feed
    /// `content_html` (or `content_text` escaped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_html: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "utc_seconds::option"
    )]
    pub published: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "utc_seconds::option"
    )]
    pub updated: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Person>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// `itunes:image`, `media:thumbnail`, JSON Feed `image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// RSS `enclosure`, Atom `link rel="enclosure"`, JSON Feed `attachments`, and
    /// `media:content` when nothing else gave one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enclosures: Vec<Enclosure>,
    /// iTunes and Podcasting 2.0 item fields; omitted when none was present.
    #[serde(default, skip_serializing_if = "EntryPodcast::is_empty")]
    pub podcast: EntryPodcast,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enclosure {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Bytes. A non-numeric or negative length is dropped (with a warning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
}

/// Item-level podcast fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryPodcast {
    /// `itunes:duration` in any form (`3723`, `62:03`, `1:02:03.5`), JSON Feed
    /// `duration_in_seconds`, `media:content duration`; whole seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit: Option<bool>,
    /// `itunes:season`, else `podcast:season`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<u32>,
    /// `itunes:episode`, else `podcast:episode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episode: Option<u32>,
    /// `itunes:episodeType`: `full`, `trailer` or `bonus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episode_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcripts: Vec<Transcript>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chapters: Option<Chapters>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<PodcastPerson>,
    /// `podcast:funding` at item level (the Podcasting 2.0 namespace allows it on
    /// `<item>` as well as `<channel>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funding: Vec<Funding>,
}

impl EntryPodcast {
    pub fn is_empty(&self) -> bool {
        *self == EntryPodcast::default()
    }
}

/// `podcast:transcript`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transcript {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel: Option<String>,
}

/// `podcast:chapters`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chapters {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

/// Serde for dates as the contract writes them: RFC 3339, UTC, whole seconds, `Z`.
pub mod utc_seconds {
    use std::fmt;

    use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
    use serde::Deserializer;
    use serde::de::{self, Visitor};

    /// Formats a date the contract's way.
    pub fn format(date: &DateTime<Utc>) -> String {
        date.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// `text` as a date when it is spelled exactly as [`format`] spells one
    /// (`2024-03-05T09:00:00Z`); `None` for any other spelling, valid or not, which the
    /// caller leaves to chrono's parser. Stored items bring their dates back by the
    /// thousand (a second run decodes every remembered outcome), and chrono's general
    /// RFC 3339 parser is a large part of that decoding (figures in BENCHMARKS.md).
    /// Where this gives a date, chrono's strict and relaxed parsers give the same one
    /// (tested).
    pub fn parse_exact(text: &str) -> Option<DateTime<Utc>> {
        let bytes: &[u8; 20] = text.as_bytes().try_into().ok()?;
        let separators = [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'Z'),
        ];
        if separators.iter().any(|&(at, byte)| bytes[at] != byte) {
            return None;
        }
        let number = |at: usize, digits: usize| {
            bytes[at..at + digits]
                .iter()
                .try_fold(0u32, |value, &byte| {
                    byte.is_ascii_digit()
                        .then(|| value * 10 + u32::from(byte - b'0'))
                })
        };
        let year = i32::try_from(number(0, 4)?).ok()?;
        // `and_hms_opt` refuses a leap second (`:60`), which is then chrono's to read.
        let time = NaiveDate::from_ymd_opt(year, number(5, 2)?, number(8, 2)?)?.and_hms_opt(
            number(11, 2)?,
            number(14, 2)?,
            number(17, 2)?,
        )?;
        Some(time.and_utc())
    }

    #[cfg(test)]
    /// Asserts that two readings of the JSON document `json` agree: the same date, or the
    /// same whole error message (the position in the document included).
    pub(crate) fn assert_same_reading(
        json: &str,
        read: Result<Option<DateTime<Utc>>, serde_json::Error>,
        expected: Result<Option<DateTime<Utc>>, serde_json::Error>,
    ) {
        match (read, expected) {
            (Ok(read), Ok(expected)) => assert_eq!(read, expected, "{json}"),
            (Err(read), Err(expected)) => {
                assert_eq!(read.to_string(), expected.to_string(), "{json}")
            }
            (read, expected) => panic!("{json}: {read:?} / {expected:?}"),
        }
    }

    #[cfg(test)]
    /// Spellings near the one `utc_seconds::format` writes: every field in and out of
    /// range, digits and separators swapped for other bytes, lengths one off.
    pub(crate) fn test_spellings() -> Vec<String> {
        let mut random = crate::test_random::Xorshift::new(0x5eed_da7e);
        let mut spellings = vec![
            "2024-03-05T09:00:00Z".to_string(),
            "0000-01-01T00:00:00Z".to_string(),
            "9999-12-31T23:59:59Z".to_string(),
            "2024-02-29T12:00:00Z".to_string(),
            "2023-02-29T12:00:00Z".to_string(),
            "2016-12-31T23:59:60Z".to_string(),
            "2024-03-05T24:00:00Z".to_string(),
            "2024-03-05t09:00:00z".to_string(),
            "2024-03-05 09:00:00Z".to_string(),
            "2024-03-05T09:00:00+00:00".to_string(),
            "2024-03-05T09:00:00.5Z".to_string(),
            "+2024-03-05T09:00:00Z".to_string(),
            "2024-3-05T09:00:00Z".to_string(),
            "２024-03-05T09:00:00Z".to_string(),
        ];
        let noise = b"0123456789-T:Z+ .tz";
        for _ in 0..20_000 {
            let field = |random: &mut crate::test_random::Xorshift, top: usize| {
                // Mostly in range, sometimes just past it.
                random.below(top + 3)
            };
            let mut text = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                random.below(10_000),
                field(&mut random, 12),
                field(&mut random, 31),
                field(&mut random, 24),
                field(&mut random, 60),
                field(&mut random, 61),
            )
            .into_bytes();
            match random.below(4) {
                0 => {
                    let at = random.below(text.len());
                    text[at] = noise[random.below(noise.len())];
                }
                1 => {
                    text.pop();
                }
                2 => text.insert(random.below(text.len() + 1), b'0'),
                _ => {}
            }
            spellings.push(String::from_utf8(text).unwrap());
        }
        spellings
    }

    /// A visitor for an optional text field read in place, borrowed from the input
    /// rather than copied into a `String` first: none and unit read as `None`, a string
    /// as `parse` reads it. `expecting` names the accepted type in serde's "invalid type"
    /// messages. With `like_string`, the text is asked for and taken as `String` does it
    /// (`deserialize_string`, and bytes that are UTF-8 count as a string); without, as
    /// chrono's `Deserialize` does it (`deserialize_str`, strings only). An error of
    /// `parse` becomes the deserializer's at the string, where chrono's `Deserialize`
    /// reports it; a caller that wants it where a `String` parsed afterwards reported it
    /// returns the `Result` as the value instead.
    pub(crate) struct OptionalText<P> {
        pub parse: P,
        pub expecting: &'static str,
        pub like_string: bool,
    }

    impl<'de, P, V, E> Visitor<'de> for OptionalText<P>
    where
        P: FnOnce(&str) -> Result<V, E>,
        E: fmt::Display,
    {
        type Value = Option<V>;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("option")
        }

        fn visit_none<D: de::Error>(self) -> Result<Self::Value, D> {
            Ok(None)
        }

        fn visit_unit<D: de::Error>(self) -> Result<Self::Value, D> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            if self.like_string {
                deserializer.deserialize_string(Text(self)).map(Some)
            } else {
                deserializer.deserialize_str(Text(self)).map(Some)
            }
        }
    }

    struct Text<P>(OptionalText<P>);

    impl<P, V, E> Visitor<'_> for Text<P>
    where
        P: FnOnce(&str) -> Result<V, E>,
        E: fmt::Display,
    {
        type Value = V;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str(self.0.expecting)
        }

        fn visit_str<D: de::Error>(self, text: &str) -> Result<Self::Value, D> {
            (self.0.parse)(text).map_err(D::custom)
        }

        fn visit_bytes<D: de::Error>(self, bytes: &[u8]) -> Result<Self::Value, D> {
            if !self.0.like_string {
                return Err(D::invalid_type(de::Unexpected::Bytes(bytes), &self));
            }
            match std::str::from_utf8(bytes) {
                Ok(text) => self.visit_str(text),
                Err(_) => Err(D::invalid_value(de::Unexpected::Bytes(bytes), &self)),
            }
        }
    }

    pub mod option {
        use std::convert::Infallible;

        use chrono::{DateTime, Utc};
        use serde::de;
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(
            date: &Option<DateTime<Utc>>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match date {
                Some(date) => serializer.serialize_some(&super::format(date)),
                None => serializer.serialize_none(),
            }
        }

        /// What `Option<String>` accepts (none, unit, or a string, or bytes that are
        /// UTF-8, with the same messages), parsed as RFC 3339 without first copying the
        /// text into a `String` of its own. A bad date's error is made once the option
        /// is read, so that the format gives it the position it gave when the text was
        /// read into a `String` and parsed afterwards.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            let date = super::OptionalText {
                parse: |text: &str| Ok::<_, Infallible>(parse(text)),
                expecting: "a string",
                like_string: true,
            };
            deserializer
                .deserialize_option(date)?
                .map(|date| date.map_err(de::Error::custom))
                .transpose()
        }

        /// `text` as RFC 3339, as `DateTime::parse_from_rfc3339` reads it.
        pub(crate) fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
            match super::parse_exact(text) {
                Some(date) => Ok(date),
                None => DateTime::parse_from_rfc3339(text).map(|date| date.with_timezone(&Utc)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn empty_fields_and_lists_are_omitted() {
        let feed = Feed {
            format: Format::Atom03,
            title: Some("T".into()),
            entries: vec![Entry {
                id: "x".into(),
                ..Entry::default()
            }],
            ..Feed::default()
        };
        let json = serde_json::to_string(&feed).unwrap();
        assert_eq!(
            json,
            r#"{"format":"atom0.3","title":"T","entries":[{"id":"x"}]}"#
        );
    }

    #[test]
    fn dates_are_utc_seconds_with_z() {
        let entry = Entry {
            id: "x".into(),
            published: Some(Utc.with_ymd_and_hms(2024, 3, 5, 9, 0, 0).unwrap()),
            ..Entry::default()
        };
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["published"], "2024-03-05T09:00:00Z");
        let back: Entry = serde_json::from_value(json).unwrap();
        assert_eq!(back, entry);
    }

    #[test]
    fn an_exactly_spelled_date_reads_as_chrono_reads_it() {
        let mut fast = 0;
        for text in utc_seconds::test_spellings() {
            let strict = DateTime::parse_from_rfc3339(&text).map(|d| d.with_timezone(&Utc));
            let relaxed = text.parse::<DateTime<chrono::FixedOffset>>();
            match utc_seconds::parse_exact(&text) {
                Some(date) => {
                    fast += 1;
                    assert_eq!(Ok(date), strict, "{text}");
                    assert_eq!(Ok(date), relaxed.map(|d| d.with_timezone(&Utc)), "{text}");
                    assert_eq!(utc_seconds::format(&date), text);
                }
                // Whatever `format` writes takes the fast way, but a leap second.
                None => assert!(
                    strict.is_err()
                        || utc_seconds::format(&strict.unwrap()) != text
                        || text.ends_with(":60Z"),
                    "{text}"
                ),
            }
        }
        assert!(
            fast > 2_000,
            "the fast way is taken often enough to test it: {fast}"
        );
    }

    #[test]
    fn dates_read_back_from_json_and_the_row_format_as_before() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Dated {
            #[serde(default, with = "utc_seconds::option")]
            date: Option<DateTime<Utc>>,
        }
        // The way these fields were read before the fast way: a `String`, then chrono,
        // the error made once the option was read.
        fn string_then_chrono<'de, D: serde::Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            Option::<String>::deserialize(deserializer)?
                .map(|text| {
                    DateTime::parse_from_rfc3339(&text)
                        .map(|date| date.with_timezone(&Utc))
                        .map_err(serde::de::Error::custom)
                })
                .transpose()
        }
        #[derive(Deserialize)]
        struct Reference {
            #[serde(default, deserialize_with = "string_then_chrono")]
            date: Option<DateTime<Utc>>,
        }
        let mut documents: Vec<String> = utc_seconds::test_spellings()
            .iter()
            .step_by(50)
            .map(|text| serde_json::json!({ "date": text }).to_string())
            .collect();
        documents.extend(
            [
                r#"{}"#,
                r#"{"date":null}"#,
                r#"{"date":5}"#,
                r#"{"date":["x"]}"#,
                "{\"date\":\"nope\"}",
                "{\"date\":\"nope\"\n}",
                "{\"date\":\"nope\" , \"other\":1}",
                "{\"date\":\"2024-03-05T09:00:00Z\"\n\n  ,\"date\":1}",
            ]
            .map(str::to_string),
        );
        for json in &documents {
            utc_seconds::assert_same_reading(
                json,
                serde_json::from_str::<Dated>(json).map(|d| d.date),
                serde_json::from_str::<Reference>(json).map(|d| d.date),
            );
        }
        for (json, message) in [
            (
                "{\"date\":\"nope\"}",
                "premature end of input at line 1 column 15",
            ),
            (
                "{\"date\":\"nope\"\n}",
                "premature end of input at line 2 column 1",
            ),
        ] {
            let error = serde_json::from_str::<Dated>(json).unwrap_err();
            assert_eq!(error.to_string(), message, "{json}");
        }
        for text in utc_seconds::test_spellings().iter().step_by(50) {
            let date = DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|d| d.with_timezone(&Utc));
            let dated = Dated { date };
            let row = crate::store::compact::to_row(&dated).unwrap();
            assert_eq!(crate::store::compact::from_row::<Dated>(&row), Ok(dated));
        }
    }

    #[test]
    fn podcast_type_is_serialised_as_type() {
        let podcast = FeedPodcast {
            kind: Some("serial".into()),
            ..FeedPodcast::default()
        };
        let json = serde_json::to_value(&podcast).unwrap();
        assert_eq!(json, serde_json::json!({"type": "serial"}));
    }
}

//! The combined index of every published feed: `index.html` for visitors and `index.json`
//! for scripts.
//!
//! The HTML page is one static file with no external assets: a minijinja template with
//! auto-escaping (embedded with `include_str!`), its CSS and a small script inline. It lists
//! every entry newest first with its kind (post or episode), date, title (linked), plain-
//! text summary and feed; each episode has an `<audio controls preload="none">` player and
//! its duration. The kind filter and the search box are a progressive enhancement: the
//! form is `hidden` until the script runs, and the list is complete without it.
//!
//! Safety: only plain text goes into the page, escaped by the template engine; no source
//! HTML is included. Only `http(s)` URLs become `href`/`src` (a `javascript:` link from a
//! source is dropped). A Content-Security-Policy `<meta>` allows no script and no style but
//! the inline ones, named by their SHA-256 hashes, computed here from the exact text that
//! is embedded, so the policy always matches.
//!
//! `index.json` has this shape (fields without a value are omitted):
//!
//! ```json
//! { "version": 1, "title": "…", "home_page_url": "…", "language": "nl",
//!   "updated": "2024-04-01T06:00:00Z",
//!   "feeds": [ { "name": "podcast", "title": "…", "kind": "podcast",
//!                "links": [ { "format": "podcast", "url": "…" } ] } ],
//!   "entries": [ { "id": "…", "feed": "podcast", "kind": "episode", "title": "…",
//!                  "link": "…", "date": "2024-04-01T06:00:00Z", "updated": "…",
//!                  "summary": "…", "authors": ["…"],
//!                  "enclosure": { "url": "…", "mime_type": "audio/mpeg",
//!                                 "length": 24117248, "duration_seconds": 3723 } } ] }
//! ```
//!
//! `kind` of an entry is `episode` when it carries audio or video or belongs to a podcast
//! feed, else `post`; `date` is
//! the published date (else the updated one); entries keep the caller's order.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{FeedKind, entry_date, entry_updated, is_episode_media, rfc3339};
use crate::model::{Enclosure, Entry};
use crate::normalise::text::{self, Apostrophe};

const TEMPLATE: &str = include_str!("templates/index.html");
const STYLE: &str = include_str!("templates/index.css");
const SCRIPT: &str = include_str!("templates/index.js");
const GENERATOR: &str = concat!("omroep ", env!("CARGO_PKG_VERSION"));
/// Summaries longer than this many characters are cut at a word boundary in the HTML page.
const SUMMARY_CHARS: usize = 320;

/// The whole site: its feeds (for the subscribe links) and every entry, newest first.
#[derive(Debug, Clone)]
pub struct Index<'a> {
    pub site_title: &'a str,
    pub site_url: &'a str,
    /// BCP 47 language of the site: the page's `lang` and the language of its labels
    /// (Dutch for `nl…`, else English).
    pub language: Option<&'a str>,
    pub feeds: Vec<IndexFeed<'a>>,
    /// Newest first; rendered in this order.
    pub entries: Vec<IndexEntry<'a>>,
}

/// A published feed and the URLs of its formats.
#[derive(Debug, Clone)]
pub struct IndexFeed<'a> {
    /// Short name (the feed definition's file stem), what entries refer to.
    pub name: &'a str,
    pub title: &'a str,
    pub kind: FeedKind,
    /// Artwork shown beside the subscribe links (with the feed title as alt text).
    pub image: Option<&'a str>,
    pub links: Vec<FeedLink<'a>>,
}

/// One published format of a feed: `format` is `rss`, `atom`, `podcast` or `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedLink<'a> {
    pub format: &'a str,
    pub url: &'a str,
}

/// An entry and the feed it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct IndexEntry<'a> {
    pub entry: &'a Entry,
    /// The `name` of its feed in `Index::feeds`.
    pub feed_name: &'a str,
    pub kind: FeedKind,
}

/// Renders `index.html`.
pub fn html(index: &Index) -> String {
    let labels = Labels::for_language(index.language);
    let mut alternates = Vec::new();
    let feeds: Vec<FeedView> = index
        .feeds
        .iter()
        .map(|feed| {
            let mut links = Vec::new();
            for link in &feed.links {
                let Some(url) = web_url(link.url) else {
                    continue;
                };
                let (label, mime) = format_label(link.format, &labels);
                alternates.push(Alternate {
                    mime,
                    title: format!("{} ({label})", feed.title),
                    url: url.to_owned(),
                });
                links.push(LinkView {
                    label: label.to_owned(),
                    url: url.to_owned(),
                    mime: Some(mime),
                });
                if link.format == "podcast" {
                    // Apps register these schemes; the rest of the URL is the feed's.
                    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
                    for (scheme, label) in
                        [("podcast", labels.open_app), ("pcast", labels.open_pcast)]
                    {
                        links.push(LinkView {
                            label: label.to_owned(),
                            url: format!("{scheme}://{rest}"),
                            mime: None,
                        });
                    }
                }
            }
            FeedView {
                title: feed.title.to_owned(),
                image: feed.image.and_then(web_url).map(str::to_owned),
                image_alt: format!("{} {}", labels.artwork, feed.title),
                links_label: format!("{} {}", labels.subscribe_to, feed.title),
                links,
            }
        })
        .collect();
    let entries: Vec<EntryView> = index
        .entries
        .iter()
        .enumerate()
        .map(|(i, item)| entry_view(i, item, index, &labels))
        .collect();
    let page = Page {
        lang: index.language.unwrap_or("en"),
        title: index.site_title,
        site_url: web_url(index.site_url),
        csp: content_security_policy(),
        generator: GENERATOR,
        alternates,
        feeds,
        entries,
        labels: &labels,
    };
    let mut env = minijinja::Environment::new();
    env.set_formatter(html_formatter);
    // The template is part of the program: a failure here is a bug the tests catch, not
    // something input can cause (every value is a plain string or list).
    env.add_template("index.html", TEMPLATE)
        .expect("the embedded index template parses");
    let template = env
        .get_template("index.html")
        .expect("the embedded index template is registered");
    // Style and script are the program's own text, marked safe so they are not escaped;
    // the CSP names their hashes.
    let values = minijinja::Value::from(minijinja::value::Serde(&page));
    // The template reads the converted values only: the views (a copy of every entry's
    // title, summary and links) go before the page is written.
    drop(page);
    let context = minijinja::context! {
        style => minijinja::Value::from_safe_string(STYLE.to_owned()),
        script => minijinja::Value::from_safe_string(SCRIPT.to_owned()),
        ..values
    };
    // Written into a buffer sized for the page up front: grown by doubling, a page of
    // megabytes was copied several times and briefly held one and a half times over.
    let mut bytes = Vec::with_capacity(size_hint(index));
    template
        .render_captured_to(context, &mut bytes)
        .expect("the embedded index template renders");
    // The template and every value are UTF-8 text.
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
    super::xml::with_final_newline(text)
}

/// A generous guess at the size of `index.html` or `index.json`: a fixed part, and per
/// entry its markup and its summary and title (both shortened or quoted once).
fn size_hint(index: &Index) -> usize {
    super::size_hint(
        32 * 1024,
        768,
        index.entries.iter().map(|item| {
            super::texts_len([item.entry.summary.as_deref(), item.entry.title.as_deref()])
        }),
    )
}

/// Escapes every string the template prints, except the program's own safe ones. Only
/// `& < > "` are replaced: every attribute in the template is double-quoted, and leaving
/// `/` and `'` alone keeps URLs and the CSP readable (minijinja's default escapes them).
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text) if !value.is_safe() => text::escape_to(out, text, Apostrophe::Keep)
            .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write")),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Renders `index.json` (shape in the module documentation).
pub fn json(index: &Index) -> String {
    let document = JsonIndex {
        version: 1,
        title: index.site_title,
        home_page_url: index.site_url,
        language: index.language,
        updated: index
            .entries
            .iter()
            .filter_map(|item| entry_updated(item.entry))
            .max()
            .map(|date| rfc3339(&date)),
        feeds: index
            .feeds
            .iter()
            .map(|feed| JsonFeedRef {
                name: feed.name,
                title: feed.title,
                kind: feed.kind,
                links: feed
                    .links
                    .iter()
                    .map(|link| JsonLink {
                        format: link.format,
                        url: link.url,
                    })
                    .collect(),
            })
            .collect(),
        entries: index.entries.iter().map(json_entry).collect(),
    };
    // Plain structs of strings and numbers always serialise, as UTF-8; written into a
    // buffer sized up front (see `html`).
    let mut bytes = Vec::with_capacity(size_hint(index));
    if serde_json::to_writer_pretty(&mut bytes, &document).is_err() {
        bytes.clear();
    }
    let mut text = String::from_utf8(bytes).unwrap_or_default();
    text.push('\n');
    text
}

/// The policy for the page: nothing loads but the inline style and script (by hash),
/// images and media over http(s); no forms submit anywhere, no base URL can be injected.
pub(crate) fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src '{}'; script-src '{}'; img-src https: http: data:; \
         media-src https: http:; base-uri 'none'; form-action 'none'",
        sha256_source(STYLE),
        sha256_source(SCRIPT)
    )
}

/// A CSP hash source: `sha256-` and the base64 of the SHA-256 of the exact text.
fn sha256_source(text: &str) -> String {
    format!("sha256-{}", base64(&Sha256::digest(text.as_bytes())))
}

/// Standard base64 with padding (RFC 4648 §4), as CSP hash sources are written.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The URL if it is an absolute http(s) URL, the only kind the page links to.
fn web_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let scheme = url.split_once("://")?.0;
    (scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")).then_some(url)
}

fn format_label(format: &str, labels: &Labels) -> (&'static str, &'static str) {
    match format {
        "rss" => ("RSS", "application/rss+xml"),
        "atom" => ("Atom", "application/atom+xml"),
        "json" => ("JSON Feed", "application/feed+json"),
        "podcast" => (labels.podcast_feed, "application/rss+xml"),
        _ => (labels.feed, "application/xml"),
    }
}

fn entry_view(i: usize, item: &IndexEntry, index: &Index, labels: &Labels) -> EntryView {
    let entry = item.entry;
    let audio = entry.enclosures.iter().find(|e| is_episode_media(e));
    let episode = is_episode(item);
    let title = entry
        .title
        .clone()
        .filter(|title| !title.trim().is_empty())
        .unwrap_or_else(|| labels.untitled.to_owned());
    let feed_title = index
        .feeds
        .iter()
        .find(|feed| feed.name == item.feed_name)
        .map_or(item.feed_name, |feed| feed.title);
    let date = entry_date(entry);
    let duration = entry.podcast.duration_seconds.filter(|_| audio.is_some());
    EntryView {
        dom_id: format!("entry-{}", i + 1),
        kind: if episode { "episode" } else { "post" },
        kind_label: if episode { labels.episode } else { labels.post },
        title: title.clone(),
        link: entry.link.as_deref().and_then(web_url).map(str::to_owned),
        date_iso: date.map(|d| rfc3339(&d)),
        date_text: date.map(|d| d.format("%Y-%m-%d").to_string()),
        feed_name: item.feed_name.to_owned(),
        feed_title: feed_title.to_owned(),
        summary: entry.summary.as_deref().map(shorten),
        duration_iso: duration.map(iso_duration),
        duration_text: duration.map(clock_duration),
        audio: audio.and_then(|enclosure| audio_view(enclosure, &title, labels)),
    }
}

fn audio_view(enclosure: &Enclosure, title: &str, labels: &Labels) -> Option<AudioView> {
    let url = web_url(&enclosure.url)?;
    let size = enclosure
        .length
        .filter(|&length| length > 0)
        .map(|length| format!(" ({:.1} MB)", length as f64 / 1_000_000.0))
        .unwrap_or_default();
    Some(AudioView {
        url: url.to_owned(),
        label: format!("{}: {title}", labels.play),
        download: format!("{}{size}", labels.download),
    })
}

/// An entry is an episode when it carries audio or video, or belongs to a podcast feed.
fn is_episode(item: &IndexEntry) -> bool {
    item.kind == FeedKind::Podcast || item.entry.enclosures.iter().any(is_episode_media)
}

/// Cuts a plain-text summary at a word boundary after at most `SUMMARY_CHARS` characters.
fn shorten(text: &str) -> String {
    if text.chars().count() <= SUMMARY_CHARS {
        return text.to_owned();
    }
    let cut: String = text.chars().take(SUMMARY_CHARS).collect();
    let end = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end())
}

/// `1:02:03` or `4:05`.
fn clock_duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// HTML `<time datetime>` duration: `PT1H2M3S`.
fn iso_duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

fn json_entry<'a>(item: &IndexEntry<'a>) -> JsonEntry<'a> {
    let entry = item.entry;
    let audio = entry.enclosures.iter().find(|e| is_episode_media(e));
    let enclosure = audio.or(entry.enclosures.first());
    JsonEntry {
        id: entry.guid.as_deref().unwrap_or(&entry.id),
        feed: item.feed_name,
        kind: if is_episode(item) { "episode" } else { "post" },
        title: entry.title.as_deref(),
        link: entry.link.as_deref(),
        date: entry_date(entry).map(|d| rfc3339(&d)),
        updated: entry.updated.map(|d| rfc3339(&d)),
        summary: entry.summary.as_deref(),
        authors: entry
            .authors
            .iter()
            .filter_map(|a| a.name.as_deref().or(a.email.as_deref()))
            .collect(),
        enclosure: enclosure.map(|enclosure| JsonEnclosure {
            url: &enclosure.url,
            mime_type: enclosure.mime_type.as_deref(),
            length: enclosure.length,
            duration_seconds: entry
                .podcast
                .duration_seconds
                .filter(|_| is_episode_media(enclosure)),
        }),
    }
}

/// The words of the page, in the site's language.
#[derive(Serialize)]
struct Labels {
    skip: &'static str,
    subscribe: &'static str,
    subscribe_to: &'static str,
    latest: &'static str,
    filter: &'static str,
    show: &'static str,
    all: &'static str,
    posts: &'static str,
    episodes: &'static str,
    search: &'static str,
    count_one: &'static str,
    count_many: &'static str,
    empty: &'static str,
    post: &'static str,
    episode: &'static str,
    duration: &'static str,
    play: &'static str,
    download: &'static str,
    untitled: &'static str,
    artwork: &'static str,
    podcast_feed: &'static str,
    feed: &'static str,
    open_app: &'static str,
    open_pcast: &'static str,
    generated: &'static str,
}

impl Labels {
    fn for_language(language: Option<&str>) -> Labels {
        let dutch = language.is_some_and(|l| {
            l.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("nl"))
                && (l.len() == 2 || l[2..].starts_with('-'))
        });
        if dutch {
            Labels {
                skip: "Naar de berichten",
                subscribe: "Abonneren",
                subscribe_to: "Abonneren op",
                latest: "Nieuwste eerst",
                filter: "Berichten filteren",
                show: "Toon",
                all: "Alles",
                posts: "Berichten",
                episodes: "Afleveringen",
                search: "Zoeken",
                count_one: "1 item getoond",
                count_many: "{n} items getoond",
                empty: "Nog niets gepubliceerd.",
                post: "Bericht",
                episode: "Aflevering",
                duration: "Duur",
                play: "Afspelen",
                download: "Aflevering downloaden",
                untitled: "Zonder titel",
                artwork: "Afbeelding van",
                podcast_feed: "Podcastfeed",
                feed: "Feed",
                open_app: "Open in podcastapp",
                open_pcast: "pcast-link",
                generated: "Gemaakt met",
            }
        } else {
            Labels {
                skip: "Skip to the entries",
                subscribe: "Subscribe",
                subscribe_to: "Subscribe to",
                latest: "Newest first",
                filter: "Filter the entries",
                show: "Show",
                all: "Everything",
                posts: "Posts",
                episodes: "Episodes",
                search: "Search",
                count_one: "1 entry shown",
                count_many: "{n} entries shown",
                empty: "Nothing published yet.",
                post: "Post",
                episode: "Episode",
                duration: "Duration",
                play: "Play",
                download: "Download the episode",
                untitled: "Untitled",
                artwork: "Artwork of",
                podcast_feed: "Podcast feed",
                feed: "Feed",
                open_app: "Open in a podcast app",
                open_pcast: "pcast link",
                generated: "Made with",
            }
        }
    }
}

#[derive(Serialize)]
struct Page<'a> {
    lang: &'a str,
    title: &'a str,
    site_url: Option<&'a str>,
    csp: String,
    generator: &'a str,
    alternates: Vec<Alternate>,
    feeds: Vec<FeedView>,
    entries: Vec<EntryView>,
    labels: &'a Labels,
}

#[derive(Serialize)]
struct Alternate {
    mime: &'static str,
    title: String,
    url: String,
}

#[derive(Serialize)]
struct FeedView {
    title: String,
    image: Option<String>,
    image_alt: String,
    links_label: String,
    links: Vec<LinkView>,
}

#[derive(Serialize)]
struct LinkView {
    label: String,
    url: String,
    mime: Option<&'static str>,
}

#[derive(Serialize)]
struct EntryView {
    dom_id: String,
    kind: &'static str,
    kind_label: &'static str,
    title: String,
    link: Option<String>,
    date_iso: Option<String>,
    date_text: Option<String>,
    feed_name: String,
    feed_title: String,
    summary: Option<String>,
    duration_iso: Option<String>,
    duration_text: Option<String>,
    audio: Option<AudioView>,
}

#[derive(Serialize)]
struct AudioView {
    url: String,
    label: String,
    download: String,
}

#[derive(Serialize)]
struct JsonIndex<'a> {
    version: u32,
    title: &'a str,
    home_page_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
    feeds: Vec<JsonFeedRef<'a>>,
    entries: Vec<JsonEntry<'a>>,
}

#[derive(Serialize)]
struct JsonFeedRef<'a> {
    name: &'a str,
    title: &'a str,
    kind: FeedKind,
    links: Vec<JsonLink<'a>>,
}

#[derive(Serialize)]
struct JsonLink<'a> {
    format: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    id: &'a str,
    feed: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enclosure: Option<JsonEnclosure<'a>>,
}

#[derive(Serialize)]
struct JsonEnclosure<'a> {
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mime_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_seconds: Option<u64>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::fixture;
    use super::*;
    use crate::model::Feed;

    pub(crate) fn sample<'a>(blog: &'a Feed, podcast: &'a Feed) -> Index<'a> {
        let mut entries: Vec<IndexEntry> = blog
            .entries
            .iter()
            .map(|entry| IndexEntry {
                entry,
                feed_name: "notes",
                kind: FeedKind::Blog,
            })
            .chain(podcast.entries.iter().map(|entry| IndexEntry {
                entry,
                feed_name: "show",
                kind: FeedKind::Podcast,
            }))
            .collect();
        // Newest first, undated last, as the caller sorts them.
        entries.sort_by_key(|item| std::cmp::Reverse(entry_date(item.entry)));
        Index {
            site_title: "Omroep <Example> & Co",
            site_url: "https://example.org/",
            language: Some("en"),
            feeds: vec![
                IndexFeed {
                    name: "notes",
                    title: "Notes & <Sketches>",
                    kind: FeedKind::Blog,
                    image: None,
                    links: vec![
                        FeedLink {
                            format: "rss",
                            url: "https://example.org/blog/feed.xml",
                        },
                        FeedLink {
                            format: "atom",
                            url: "https://example.org/blog/atom.xml",
                        },
                        FeedLink {
                            format: "json",
                            url: "https://example.org/blog/feed.json",
                        },
                    ],
                },
                IndexFeed {
                    name: "show",
                    title: "Omroep & Co",
                    kind: FeedKind::Podcast,
                    image: Some("https://example.org/podcast/artwork.jpg"),
                    links: vec![
                        FeedLink {
                            format: "podcast",
                            url: "https://example.org/podcast/feed.xml",
                        },
                        FeedLink {
                            format: "json",
                            url: "https://example.org/podcast/feed.json",
                        },
                    ],
                },
            ],
            entries,
        }
    }

    #[test]
    fn snapshots() {
        let (blog, podcast) = (fixture::blog(), fixture::podcast());
        let index = sample(&blog, &podcast);
        fixture::assert_snapshot("index.html", &html(&index));
        fixture::assert_snapshot("index.json", &json(&index));
    }

    #[test]
    fn a_script_title_is_escaped_text() {
        let (blog, podcast) = (fixture::blog(), fixture::podcast());
        let page = html(&sample(&blog, &podcast));
        assert!(page.contains("Fish &amp; Chips &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(page.matches("<script").count(), 1, "only our own script");
        assert!(page.contains("<title>Omroep &lt;Example&gt; &amp; Co</title>"));
    }

    #[test]
    fn only_web_urls_become_links() {
        let mut blog = fixture::blog();
        blog.entries[0].link = Some("javascript:alert(1)".into());
        blog.entries[1].link = Some(" JaVaScRiPt:alert(2)".into());
        let podcast = fixture::podcast();
        let page = html(&sample(&blog, &podcast));
        assert!(!page.to_ascii_lowercase().contains("javascript:"));
    }

    #[test]
    fn the_csp_hashes_match_the_inline_script_and_style() {
        let (blog, podcast) = (fixture::blog(), fixture::podcast());
        let page = html(&sample(&blog, &podcast));
        let between = |open: &str, close: &str| {
            let start = page.find(open).unwrap() + open.len();
            let end = start + page[start..].find(close).unwrap();
            page[start..end].to_owned()
        };
        let script = between("<script>", "</script>");
        let style = between("<style>", "</style>");
        let csp = between("http-equiv=\"Content-Security-Policy\" content=\"", "\"");
        assert!(csp.contains(&format!("script-src '{}'", sha256_source(&script))));
        assert!(csp.contains(&format!("style-src '{}'", sha256_source(&style))));
        assert!(csp.starts_with("default-src 'none';"));
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn episodes_get_a_player_duration_and_podcast_links() {
        let (blog, podcast) = (fixture::blog(), fixture::podcast());
        let page = html(&sample(&blog, &podcast));
        assert_eq!(page.matches("<audio controls preload=\"none\"").count(), 2);
        assert!(page.contains("<time datetime=\"PT1H2M3S\">1:02:03</time>"));
        assert!(page.contains("href=\"podcast://example.org/podcast/feed.xml\""));
        assert!(page.contains("href=\"pcast://example.org/podcast/feed.xml\""));
        assert!(page.contains("alt=\"Artwork of Omroep &amp; Co\""));
        assert_eq!(page.matches("data-kind=\"episode\"").count(), 2);
        assert_eq!(page.matches("data-kind=\"post\"").count(), 3);
        assert_eq!(page.matches("<h1").count(), 1);
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    }

    #[test]
    fn json_lists_every_entry_with_its_feed_and_enclosure() {
        let (blog, podcast) = (fixture::blog(), fixture::podcast());
        let value: serde_json::Value =
            serde_json::from_str(&json(&sample(&blog, &podcast))).unwrap();
        let entries = value["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[0]["feed"], "show");
        assert_eq!(entries[0]["kind"], "episode");
        assert_eq!(entries[0]["enclosure"]["length"], 24_117_248);
        assert_eq!(entries[0]["enclosure"]["duration_seconds"], 3723);
        assert_eq!(entries[1]["feed"], "notes");
        assert_eq!(entries[1]["kind"], "post");
        assert_eq!(value["updated"], "2024-04-01T06:00:00Z");
        assert_eq!(value["feeds"][1]["kind"], "podcast");
    }

    #[test]
    fn dutch_sites_get_dutch_labels() {
        let (blog, podcast) = (fixture::blog(), fixture::podcast());
        let mut index = sample(&blog, &podcast);
        index.language = Some("nl-BE");
        let page = html(&index);
        assert!(page.contains("<html lang=\"nl-BE\">"));
        assert!(page.contains("> Afleveringen</label>"));
    }
}

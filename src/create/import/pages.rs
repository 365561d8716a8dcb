//! Reading the feed to import: a file or a URL, and every page after it.
//!
//! Feeds that publish their whole archive in pages (RFC 5005 §3, "paged feeds") name the
//! next page with a `link rel="next"` at feed level (an `atom:link` in RSS); JSON Feed
//! names it `next_url`. Pages are followed up to a cap, a page seen before ends the walk
//! (a loop), and an entry that two pages both hold is taken once, from the first page.
//! Relative `next` links resolve against the page's URL, or for a file against its
//! folder. The feed-level fields come from the first page.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use quick_xml::events::Event;
use url::Url;

use crate::ingest::document::{UrlReader, is_url, read_capped};
use crate::ingest::feed::{self, ParseOptions};
use crate::model::Feed;

/// Where a page is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    File(PathBuf),
    Url(Url),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Url(url) => write!(f, "{url}"),
        }
    }
}

/// The source feed with the entries of all its pages.
#[derive(Debug)]
pub struct Source {
    pub feed: Feed,
    /// Where the first page was read (after redirects, for a URL).
    pub first: Location,
    pub pages: usize,
    /// Pages not followed (a loop, the cap, a broken page), one line each.
    pub warnings: Vec<String>,
}

/// Reads `source` (a path, relative to the current folder, or an http(s) URL) and its
/// next pages. Errors name the page.
pub fn read(source: &str, max_pages: usize, max_bytes: usize) -> Result<Source> {
    let first = if is_url(source) {
        Location::Url(
            Url::parse(source)
                .map_err(|error| anyhow::anyhow!("{source}: not a valid URL ({error})"))?,
        )
    } else {
        Location::File(PathBuf::from(source))
    };
    let mut urls = UrlReader::default();
    let (mut feed, mut next, first_at) = read_page(&first, max_bytes, &mut urls)?;
    let mut seen: HashSet<Location> = HashSet::from([first.clone(), first_at.clone()]);
    let mut ids: HashSet<String> = feed.entries.iter().map(|e| e.id.clone()).collect();
    let mut warnings = Vec::new();
    let mut pages = 1;
    while let Some(location) = next.take() {
        if seen.contains(&location) {
            warnings.push(format!(
                "page {location} was read before (the `next` links loop); stopped there"
            ));
            break;
        }
        if pages > max_pages {
            warnings.push(format!(
                "stopped after {max_pages} next pages (--max-pages); {location} and later pages were not read"
            ));
            break;
        }
        seen.insert(location.clone());
        match read_page(&location, max_bytes, &mut urls) {
            Ok((page, after, at)) => {
                seen.insert(at);
                pages += 1;
                for entry in page.entries {
                    if ids.insert(entry.id.clone()) {
                        feed.entries.push(entry);
                    }
                }
                feed.warnings.extend(page.warnings);
                next = after;
            }
            Err(error) => {
                // The entries read so far are still good; the user sees what is missing.
                warnings.push(format!(
                    "{error:#}; the entries of this page and later ones were not imported"
                ));
                break;
            }
        }
    }
    Ok(Source {
        feed,
        first: first_at,
        pages,
        warnings,
    })
}

/// One page: the feed, its `next` page, and where it really was read.
fn read_page(
    location: &Location,
    max_bytes: usize,
    urls: &mut UrlReader,
) -> Result<(Feed, Option<Location>, Location)> {
    match location {
        Location::Url(url) => {
            let (fetched, options) = urls.get(url, max_bytes)?;
            let feed = feed::parse(&fetched.bytes, &options).with_context(|| url.to_string())?;
            let next = next_link(&fetched.bytes)
                .and_then(|href| fetched.base_url.join(&href).ok())
                .filter(|url| matches!(url.scheme(), "http" | "https"))
                .map(Location::Url);
            Ok((feed, next, Location::Url(fetched.base_url)))
        }
        Location::File(path) => {
            let shown = path.to_string_lossy();
            let bytes = read_capped(&shown, max_bytes)?;
            let options = ParseOptions {
                max_bytes,
                ..ParseOptions::default()
            };
            let feed = feed::parse(&bytes, &options).with_context(|| shown.to_string())?;
            let next = next_link(&bytes).map(|href| {
                if is_url(&href) {
                    Url::parse(&href)
                        .map(Location::Url)
                        .unwrap_or_else(|_| Location::File(PathBuf::from(href)))
                } else {
                    let folder = path.parent().unwrap_or(Path::new(""));
                    Location::File(folder.join(href.split(['?', '#']).next().unwrap_or("")))
                }
            });
            Ok((feed, next, location.clone()))
        }
    }
}

/// The feed-level `next` link of a page, as written.
pub fn next_link(bytes: &[u8]) -> Option<String> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    if bytes[start..].starts_with(b"{") {
        let json: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        return json
            .get("next_url")
            .and_then(|v| v.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
    }
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().check_end_names = false;
    let mut buffer = Vec::new();
    // Inside an item or entry, a `next` link is that entry's business, not the feed's.
    let mut in_entry = 0usize;
    loop {
        let event = reader.read_event_into(&mut buffer).ok()?;
        match &event {
            Event::Eof => return None,
            Event::Start(element) | Event::Empty(element) => {
                let name = element.local_name();
                let local: &str = name.as_ref();
                let empty = matches!(event, Event::Empty(_));
                if matches!(local, "item" | "entry") && !empty {
                    in_entry += 1;
                } else if local == "link" && in_entry == 0 {
                    let mut rel = None;
                    let mut href = None;
                    for attribute in element.attributes().flatten() {
                        let value = attribute.value.trim().to_string();
                        match attribute.key.local_name().as_ref() {
                            "rel" => rel = Some(value),
                            "href" => href = Some(value),
                            _ => {}
                        }
                    }
                    if rel
                        .as_deref()
                        .is_some_and(|r| r.eq_ignore_ascii_case("next"))
                        && let Some(href) = href.filter(|h| !h.is_empty())
                    {
                        return Some(href.replace("&amp;", "&"));
                    }
                }
            }
            Event::End(element) => {
                if matches!(element.local_name().as_ref(), "item" | "entry") {
                    in_entry = in_entry.saturating_sub(1);
                }
            }
            _ => {}
        }
        buffer.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_at_feed_level_only() {
        let rss = br#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
            <atom:link rel="self" href="https://x.example/feed?page=1"/>
            <item><atom:link rel="next" href="https://x.example/not-this"/></item>
            <atom:link rel="next" href="https://x.example/feed?page=2&amp;x=1"/>
            </channel></rss>"#;
        assert_eq!(
            next_link(rss).as_deref(),
            Some("https://x.example/feed?page=2&x=1")
        );
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><link rel="next" href="page2.xml"/></feed>"#;
        assert_eq!(next_link(atom).as_deref(), Some("page2.xml"));
        let json = br#" {"version":"https://jsonfeed.org/version/1.1","next_url":"https://x.example/2.json","items":[]}"#;
        assert_eq!(next_link(json).as_deref(), Some("https://x.example/2.json"));
        assert_eq!(next_link(b"<rss><channel></channel></rss>"), None);
    }
}

//! The site-wide outputs: `index.html` and `index.json`, the combined `rss.xml` and
//! `atom.xml` of every entry across all feeds (each naming the feed it belongs to), and
//! `feeds.opml` listing every published feed (with an aggregate's sources beneath it).
//!
//! An entry published in two feeds appears once, under the first feed by name, so the
//! combined feeds never hold two items with one guid. The combined feeds are an index of
//! everything: each entry with its title, link, date, summary, tags and enclosure, but not
//! its full content, which its own feed carries. A site's whole history in full would make
//! a file of tens of megabytes that feed readers refuse or time out on. The pool of
//! entries is copied (without content) before the feeds render, so each combined file can
//! be rendered on whichever core is free while the feeds' own files are still being
//! written (`build::run` schedules them).

use std::collections::HashSet;

use super::channel::{GENERATOR, main_format};
use crate::config::{FeedConfig, FeedKind, Site, SourceLocation};
use crate::model::{Entry, Feed};
use crate::publish::Output;
use crate::render::index::{FeedLink, Index, IndexEntry, IndexFeed};
use crate::render::opml::Outline;
use crate::render::{self, Channel, Source};

/// Whether a combined output is a feed (checked by the validation rules), rather than the
/// HTML/JSON index or the OPML.
pub fn is_feed(path: &str) -> bool {
    matches!(path, "rss.xml" | "atom.xml")
}

/// Every published entry once, and the feed (by position) each belongs to.
pub struct Pool {
    seen: HashSet<String>,
    entries: Vec<(Entry, usize)>,
}

impl Pool {
    /// An empty pool with room for `entries` (every feed's, summed), so that it is
    /// allocated once: grown as feeds are added, each step moved every entry copied so
    /// far (10,000 of them, on the one thread that runs before rendering).
    pub fn with_capacity(entries: usize) -> Self {
        Pool {
            seen: HashSet::with_capacity(entries),
            entries: Vec::with_capacity(entries),
        }
    }

    /// Adds a copy of a feed's entries without their content (the feed keeps its own
    /// for its files); an entry already added by an earlier feed is skipped.
    pub fn add(&mut self, feed: usize, entries: &mut [Entry]) {
        for entry in entries {
            if self.seen.insert(super::collect::guid_of(entry).to_string()) {
                // Taken out for the copy and put back: cloning it would copy every
                // entry's HTML only to drop it.
                let content = entry.content_html.take();
                self.entries.push((entry.clone(), feed));
                entry.content_html = content;
            }
        }
    }
}

/// A published feed's definition and its artwork's URL (its entries are in the pool).
pub struct Published<'a> {
    pub config: &'a FeedConfig,
    pub image: Option<String>,
}

/// The combined files, rendered independently of each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum File {
    Rss,
    Atom,
    Html,
    Json,
    Opml,
}

impl File {
    /// Every combined file, the costliest first (10,000 entries' RSS or Atom is
    /// rendered and validated; the index is rendered only; the OPML lists the feeds).
    pub const ALL: [File; 5] = [File::Rss, File::Atom, File::Html, File::Json, File::Opml];
}

/// What every combined file is made from, prepared once; each file is then rendered
/// on its own ([`Combined::render`]), on whichever core is free.
pub struct Combined<'a> {
    site: &'a Site,
    feeds: Vec<Published<'a>>,
    home: String,
    /// Each feed's main format's URL (what a combined entry names as its source).
    main_urls: Vec<String>,
    /// Every entry once, newest first, without content.
    feed: Feed,
    /// The feed (by position in `feeds`) each entry of `feed` belongs to.
    owners: Vec<usize>,
}

impl<'a> Combined<'a> {
    /// Orders the pool's entries newest first (ties by id) under the site's channel.
    pub fn new(site: &'a Site, feeds: Vec<Published<'a>>, pool: Pool) -> Self {
        let home = site.base_url.to_string();
        let main_urls: Vec<String> = feeds
            .iter()
            .map(|published| {
                site.url_of(&published.config.output_file(main_format(published.config)))
            })
            .collect();
        let mut pooled = pool.entries;
        pooled.sort_by(|(a, _), (b, _)| {
            let date = |entry: &Entry| entry.published.or(entry.updated);
            date(b).cmp(&date(a)).then_with(|| a.id.cmp(&b.id))
        });
        let (entries, owners): (Vec<Entry>, Vec<usize>) = pooled.into_iter().unzip();
        let feed = Feed {
            title: Some(site.title.clone()),
            link: Some(home.clone()),
            description: site
                .description
                .clone()
                .or_else(|| Some(site.title.clone())),
            language: Some(site.language.clone()),
            authors: site
                .author_name
                .as_ref()
                .map(|name| crate::model::Person {
                    name: Some(name.clone()),
                    email: site.author_email.clone(),
                    uri: None,
                })
                .into_iter()
                .collect(),
            entries,
            ..Feed::default()
        };
        Combined {
            site,
            feeds,
            home,
            main_urls,
            feed,
            owners,
        }
    }

    /// Renders one combined file.
    pub fn render(&self, file: File) -> Output {
        match file {
            File::Rss => Output::bytes(
                "rss.xml",
                render::rss::render_with_sources(
                    &self.channel(&self.site.url_of("rss.xml")),
                    &self.sources(),
                ),
            ),
            File::Atom => Output::bytes(
                "atom.xml",
                render::atom::render_with_sources(
                    &self.channel(&self.site.url_of("atom.xml")),
                    &self.sources(),
                ),
            ),
            File::Html => {
                self.with_index(|index| Output::bytes("index.html", render::index::html(index)))
            }
            File::Json => {
                self.with_index(|index| Output::bytes("index.json", render::index::json(index)))
            }
            File::Opml => self.opml(),
        }
    }

    fn channel<'c>(&'c self, self_url: &'c str) -> Channel<'c> {
        Channel {
            feed: &self.feed,
            kind: FeedKind::Aggregate,
            self_url,
            home_url: &self.home,
            generator: GENERATOR,
        }
    }

    /// The feed each entry came from, entry by entry.
    fn sources(&self) -> Vec<Source<'_>> {
        self.owners
            .iter()
            .map(|owner| Source {
                name: &self.feeds[*owner].config.name,
                title: &self.feeds[*owner].config.title,
                url: &self.main_urls[*owner],
                home_url: &self.home,
            })
            .collect()
    }

    /// The index's view of the site (for `index.html` and `index.json`).
    fn with_index<R>(&self, write: impl FnOnce(&Index) -> R) -> R {
        let site = self.site;
        let urls: Vec<Vec<(&str, String)>> = self
            .feeds
            .iter()
            .map(|published| {
                published
                    .config
                    .formats
                    .iter()
                    .map(|format| {
                        (
                            format.as_str(),
                            site.url_of(&published.config.output_file(*format)),
                        )
                    })
                    .collect()
            })
            .collect();
        let index = Index {
            site_title: &site.title,
            site_url: &self.home,
            language: Some(&site.language),
            feeds: self
                .feeds
                .iter()
                .zip(&urls)
                .map(|(published, urls)| IndexFeed {
                    name: &published.config.name,
                    title: &published.config.title,
                    kind: published.config.kind,
                    image: published.image.as_deref(),
                    links: urls
                        .iter()
                        .map(|(format, url)| FeedLink { format, url })
                        .collect(),
                })
                .collect(),
            entries: self
                .feed
                .entries
                .iter()
                .zip(&self.owners)
                .map(|(entry, owner)| IndexEntry {
                    entry,
                    feed_name: &self.feeds[*owner].config.name,
                    kind: self.feeds[*owner].config.kind,
                })
                .collect(),
        };
        write(&index)
    }

    /// `feeds.opml`: every feed, and under an aggregate the feeds it reads.
    fn opml(&self) -> Output {
        let source_urls: Vec<Vec<String>> = self
            .feeds
            .iter()
            .map(|published| {
                published
                    .config
                    .sources
                    .iter()
                    .flat_map(|source| match &source.location {
                        SourceLocation::Url(url) => vec![url.to_string()],
                        SourceLocation::Opml { feeds, .. } => {
                            feeds.iter().map(|url| url.to_string()).collect()
                        }
                        _ => Vec::new(),
                    })
                    .collect()
            })
            .collect();
        let outlines: Vec<Outline<'_>> = self
            .feeds
            .iter()
            .enumerate()
            .map(|(index, published)| Outline {
                title: &published.config.title,
                xml_url: &self.main_urls[index],
                html_url: Some(&self.home),
                kind: Some(published.config.kind.as_str()),
                children: source_urls[index]
                    .iter()
                    .map(|url| Outline {
                        title: url,
                        xml_url: url,
                        html_url: None,
                        kind: None,
                        children: Vec::new(),
                    })
                    .collect(),
            })
            .collect();
        Output::bytes(
            "feeds.opml",
            render::opml::render(&self.site.title, &outlines),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(guid: &str) -> Entry {
        Entry {
            id: guid.to_string(),
            content_html: Some(format!("<p>{guid}</p>")),
            ..Entry::default()
        }
    }

    #[test]
    fn the_pool_holds_each_entry_once_without_content_in_the_room_it_was_given() {
        let mut first = vec![entry("a"), entry("b"), entry("c")];
        let mut second = vec![entry("b"), entry("d")];
        let mut pool = Pool::with_capacity(first.len() + second.len());
        let room = (pool.entries.capacity(), pool.seen.capacity());
        pool.add(0, &mut first);
        pool.add(1, &mut second);
        let held: Vec<_> = pool
            .entries
            .iter()
            .map(|(entry, feed)| (entry.id.as_str(), *feed, entry.content_html.is_none()))
            .collect();
        assert_eq!(
            held,
            [
                ("a", 0, true),
                ("b", 0, true),
                ("c", 0, true),
                ("d", 1, true)
            ]
        );
        // The feeds keep their own content.
        assert!(
            first
                .iter()
                .chain(&second)
                .all(|e| e.content_html.is_some())
        );
        // Never grown: the room reserved up front was enough.
        assert_eq!((pool.entries.capacity(), pool.seen.capacity()), room);
    }
}

//! The site-wide outputs: `index.html` and `index.json`, the combined `rss.xml` and
//! `atom.xml` of every entry across all feeds (each naming the feed it belongs to), and
//! `feeds.opml` listing every published feed (with an aggregate's sources beneath it).
//!
//! An entry published in two feeds appears once, under the first feed by name, so the
//! combined feeds never hold two items with one guid. The combined feeds are an index of
//! everything: each entry with its title, link, date, summary, tags and enclosure, but not
//! its full content, which its own feed carries. A site's whole history in full would make
//! a file of tens of megabytes that feed readers refuse or time out on. Each file is handed
//! to `emit` as soon as it is rendered, so only as many are in memory as there are cores
//! rendering them.

use std::collections::HashSet;

use anyhow::Result;

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
#[derive(Default)]
pub struct Pool {
    seen: HashSet<String>,
    entries: Vec<(Entry, usize)>,
}

impl Pool {
    /// Adds a feed's entries; an entry already added by an earlier feed is skipped.
    pub fn add(&mut self, feed: usize, entries: Vec<Entry>) {
        for mut entry in entries {
            if self
                .seen
                .insert(super::collect::guid_of(&entry).to_string())
            {
                entry.content_html = None;
                self.entries.push((entry, feed));
            }
        }
    }
}

/// A published feed's definition and its feed-level model (entries already in the pool).
pub struct Published<'a> {
    pub config: &'a FeedConfig,
    pub feed: Feed,
}

/// The combined files, rendered independently of each other.
#[derive(Debug, Clone, Copy)]
enum File {
    Rss,
    Atom,
    Html,
    Json,
    Opml,
}

/// Renders the combined outputs on all cores, handing each to `emit` as soon as it is
/// rendered (from the thread that rendered it).
pub fn render(
    site: &Site,
    feeds: &[Published<'_>],
    pool: Pool,
    emit: &(dyn Fn(Output) -> Result<()> + Sync),
) -> Result<()> {
    let home = site.base_url.to_string();
    let main_urls: Vec<String> = feeds
        .iter()
        .map(|published| site.url_of(&published.config.output_file(main_format(published.config))))
        .collect();

    let mut pooled = pool.entries;
    pooled.sort_by(|(a, _), (b, _)| {
        let date = |entry: &Entry| entry.published.or(entry.updated);
        date(b).cmp(&date(a)).then_with(|| a.id.cmp(&b.id))
    });
    let (entries, owners): (Vec<Entry>, Vec<usize>) = pooled.into_iter().unzip();
    let combined = Feed {
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

    let sources: Vec<Source<'_>> = owners
        .iter()
        .map(|owner| Source {
            name: &feeds[*owner].config.name,
            title: &feeds[*owner].config.title,
            url: &main_urls[*owner],
            home_url: &home,
        })
        .collect();
    let urls: Vec<Vec<(&str, String)>> = feeds
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
        site_url: &home,
        language: Some(&site.language),
        feeds: feeds
            .iter()
            .zip(&urls)
            .map(|(published, urls)| IndexFeed {
                name: &published.config.name,
                title: &published.config.title,
                kind: published.config.kind,
                image: published
                    .feed
                    .image
                    .as_ref()
                    .map(|image| image.url.as_str()),
                links: urls
                    .iter()
                    .map(|(format, url)| FeedLink { format, url })
                    .collect(),
            })
            .collect(),
        entries: combined
            .entries
            .iter()
            .zip(&owners)
            .map(|(entry, owner)| IndexEntry {
                entry,
                feed_name: &feeds[*owner].config.name,
                kind: feeds[*owner].config.kind,
            })
            .collect(),
    };
    let source_urls: Vec<Vec<String>> = feeds
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
    let outlines: Vec<Outline<'_>> = feeds
        .iter()
        .enumerate()
        .map(|(index, published)| Outline {
            title: &published.config.title,
            xml_url: &main_urls[index],
            html_url: Some(&home),
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
    let channel = |self_url| Channel {
        feed: &combined,
        kind: FeedKind::Aggregate,
        self_url,
        home_url: &home,
        generator: GENERATOR,
    };
    let rss_url = site.url_of("rss.xml");
    let atom_url = site.url_of("atom.xml");
    let files = [File::Rss, File::Atom, File::Html, File::Json, File::Opml];
    crate::parallel::map(&files, |file| {
        emit(match file {
            File::Rss => Output::bytes(
                "rss.xml",
                render::rss::render_with_sources(&channel(&rss_url), &sources),
            ),
            File::Atom => Output::bytes(
                "atom.xml",
                render::atom::render_with_sources(&channel(&atom_url), &sources),
            ),
            File::Html => Output::bytes("index.html", render::index::html(&index)),
            File::Json => Output::bytes("index.json", render::index::json(&index)),
            File::Opml => Output::bytes("feeds.opml", render::opml::render(&site.title, &outlines)),
        })
    })
    .into_iter()
    .collect()
}

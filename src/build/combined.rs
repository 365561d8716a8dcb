//! The site-wide outputs: `index.html` and `index.json`, the combined `rss.xml` and
//! `atom.xml` of every entry across all feeds (each naming the feed it belongs to), and
//! `feeds.opml` listing every published feed (with an aggregate's sources beneath it).
//!
//! An entry published in two feeds appears once, under the first feed by name, so the
//! combined feeds never hold two items with one guid.

use std::collections::HashSet;

use super::channel::{GENERATOR, main_format};
use crate::config::{FeedConfig, FeedKind, OutputFormat, Site, SourceLocation};
use crate::model::{Entry, Feed};
use crate::publish::Output;
use crate::render::index::{FeedLink, Index, IndexEntry, IndexFeed};
use crate::render::opml::Outline;
use crate::render::{self, Channel, Source};

/// A feed as built this time, for the combined outputs.
pub struct Published<'a> {
    pub config: &'a FeedConfig,
    pub feed: &'a Feed,
}

/// Renders the combined outputs from every published feed (in name order).
pub fn outputs(site: &Site, feeds: &[Published<'_>]) -> Vec<Output> {
    let urls: Vec<Vec<(OutputFormat, String)>> = feeds
        .iter()
        .map(|published| {
            published
                .config
                .formats
                .iter()
                .map(|format| (*format, site.url_of(&published.config.output_file(*format))))
                .collect()
        })
        .collect();
    let main_urls: Vec<String> = feeds
        .iter()
        .map(|published| site.url_of(&published.config.output_file(main_format(published.config))))
        .collect();
    let home = site.base_url.to_string();

    // Every entry once, newest first, with the feed it belongs to.
    let mut seen = HashSet::new();
    let mut entries: Vec<(&Entry, usize)> = Vec::new();
    for (index, published) in feeds.iter().enumerate() {
        for entry in &published.feed.entries {
            if seen.insert(super::collect::guid_of(entry)) {
                entries.push((entry, index));
            }
        }
    }
    entries.sort_by(|(a, _), (b, _)| {
        let date = |entry: &Entry| entry.published.or(entry.updated);
        date(b).cmp(&date(a)).then_with(|| a.id.cmp(&b.id))
    });

    let sources: Vec<Source<'_>> = entries
        .iter()
        .map(|(_, index)| Source {
            name: &feeds[*index].config.name,
            title: &feeds[*index].config.title,
            url: &main_urls[*index],
            home_url: &home,
        })
        .collect();
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
        entries: entries.iter().map(|(entry, _)| (*entry).clone()).collect(),
        ..Feed::default()
    };
    let rss_url = site.url_of("rss.xml");
    let atom_url = site.url_of("atom.xml");
    let channel = |self_url| Channel {
        feed: &combined,
        kind: FeedKind::Aggregate,
        self_url,
        home_url: &home,
        generator: GENERATOR,
    };
    let rss = render::rss::render_with_sources(&channel(&rss_url), &sources);
    let atom = render::atom::render_with_sources(&channel(&atom_url), &sources);

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
                    .map(|(format, url)| FeedLink {
                        format: format.as_str(),
                        url,
                    })
                    .collect(),
            })
            .collect(),
        entries: entries
            .iter()
            .map(|(entry, index)| IndexEntry {
                entry,
                feed_name: &feeds[*index].config.name,
                kind: feeds[*index].config.kind,
            })
            .collect(),
    };
    let html = render::index::html(&index);
    let json = render::index::json(&index);

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
    let opml = render::opml::render(&site.title, &outlines);

    vec![
        Output::bytes("index.html", html),
        Output::bytes("index.json", json),
        Output::bytes("rss.xml", rss),
        Output::bytes("atom.xml", atom),
        Output::bytes("feeds.opml", opml),
    ]
}

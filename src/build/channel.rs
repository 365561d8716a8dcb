//! One feed's outputs: the feed-level model built from its definition and the site
//! (title, links, language, authors, artwork, Apple and Podcasting 2.0 metadata), rendered
//! in each of its formats, plus the files it publishes beside itself (artwork, and each
//! entry's transcripts, chapters and images).

use std::path::Path;

use crate::config::{Artwork, FeedConfig, FeedKind, OutputFormat, Site};
use crate::model::{self, Feed, FeedPodcast};
use crate::publish::Output;
use crate::render::{self, Channel};

/// Written as every feed's generator.
pub const GENERATOR: &str = concat!("omroep ", env!("CARGO_PKG_VERSION"));

/// A feed ready to render: its model (entries included) and where each format goes.
pub struct Built {
    pub feed: Feed,
    /// Its artwork file to copy, and the output path it is copied to.
    pub artwork_copy: Option<(std::path::PathBuf, String)>,
    pub warnings: Vec<String>,
}

/// The feed's `podcast:guid`: as configured, else what the ledger recorded (so a new base
/// URL does not change it), else derived from the podcast feed's URL as Podcasting 2.0
/// says.
pub fn podcast_guid(site: &Site, feed: &FeedConfig, recorded: Option<&str>) -> Option<String> {
    let podcast = feed.podcast.as_ref()?;
    if let Some(guid) = &podcast.guid {
        return Some(guid.clone());
    }
    if let Some(recorded) = recorded {
        return Some(recorded.to_string());
    }
    let format = if feed.formats.contains(&OutputFormat::Podcast) {
        OutputFormat::Podcast
    } else {
        *feed.formats.first()?
    };
    Some(crate::normalise::id::podcast_guid(
        &site.url_of(&feed.output_file(format)),
    ))
}

/// The model of one feed, with its entries (newest first, limited).
pub fn build(
    site: &Site,
    config: &FeedConfig,
    entries: Vec<model::Entry>,
    guid: Option<String>,
) -> Built {
    let mut warnings = Vec::new();
    let authors: Vec<model::Person> = match (&config.author, &site.author_name) {
        (Some(name), _) => vec![model::Person {
            name: Some(name.clone()),
            ..Default::default()
        }],
        (None, Some(name)) => vec![model::Person {
            name: Some(name.clone()),
            email: site.author_email.clone(),
            uri: None,
        }],
        (None, None) => Vec::new(),
    };
    let (image, artwork_copy) = match &config.artwork {
        None => (None, None),
        Some(Artwork::Remote(url)) => (
            Some(model::Image {
                url: url.to_string(),
                title: Some(config.title.clone()),
                link: Some(site.base_url.to_string()),
                ..Default::default()
            }),
            None,
        ),
        Some(Artwork::Local(file)) => {
            let extension = file
                .extension()
                .and_then(|ext| ext.to_str())
                .map(str::to_ascii_lowercase)
                .unwrap_or_else(|| "jpg".into());
            let output = format!("{}/artwork.{extension}", config.path);
            let (width, height) = match crate::ingest::artwork::read(file) {
                Ok(art) => {
                    for problem in crate::ingest::artwork::warnings(&art) {
                        warnings.push(format!("{}: artwork {problem}", shown(site, file)));
                    }
                    (Some(art.width), Some(art.height))
                }
                Err(problem) => {
                    warnings.push(format!("{}: artwork {problem}", shown(site, file)));
                    (None, None)
                }
            };
            (
                Some(model::Image {
                    url: site.url_of(&output),
                    title: Some(config.title.clone()),
                    link: Some(site.base_url.to_string()),
                    width,
                    height,
                }),
                Some((file.clone(), output)),
            )
        }
    };
    let mut categories = Vec::new();
    let mut podcast = FeedPodcast::default();
    if let Some(meta) = &config.podcast {
        categories = meta
            .categories
            .iter()
            .map(|category| model::Category {
                term: category.name.to_string(),
                label: None,
                scheme: Some("itunes".into()),
                subcategories: category
                    .subcategories
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            })
            .collect();
        podcast = FeedPodcast {
            explicit: Some(meta.explicit),
            kind: Some(meta.show_type.as_str().into()),
            owner: (meta.owner_name.is_some() || meta.owner_email.is_some()).then(|| {
                model::Owner {
                    name: meta.owner_name.clone(),
                    email: meta.owner_email.clone(),
                }
            }),
            author: config.author.clone().or_else(|| site.author_name.clone()),
            complete: Some(meta.complete),
            block: Some(meta.block),
            new_feed_url: meta.new_feed_url.clone(),
            guid,
            locked: meta.locked.map(|value| model::Locked {
                value,
                owner: meta.owner_email.clone(),
            }),
            medium: meta.medium.clone(),
            funding: meta
                .funding
                .iter()
                .map(|funding| model::Funding {
                    url: funding.url.clone(),
                    text: funding.text.clone(),
                })
                .collect(),
            persons: meta
                .persons
                .iter()
                .map(|person| model::PodcastPerson {
                    name: person.name.clone(),
                    role: person.role.clone(),
                    group: person.group.clone(),
                    img: person.img.clone(),
                    href: person.href.clone(),
                })
                .collect(),
        };
    }
    let feed = Feed {
        title: Some(config.title.clone()),
        link: Some(site.base_url.to_string()),
        description: config
            .description
            .clone()
            .or_else(|| site.description.clone())
            .or_else(|| Some(config.title.clone())),
        language: Some(config.language.clone()),
        copyright: config.copyright.clone(),
        authors,
        categories,
        image,
        podcast,
        entries,
        ..Feed::default()
    };
    Built {
        feed,
        artwork_copy,
        warnings,
    }
}

/// Renders one format of a feed.
pub fn render(site: &Site, config: &FeedConfig, feed: &Feed, format: OutputFormat) -> Output {
    let home = site.base_url.to_string();
    let path = config.output_file(format);
    let self_url = site.url_of(&path);
    let channel = Channel {
        feed,
        kind: config.kind,
        self_url: &self_url,
        home_url: &home,
        generator: GENERATOR,
    };
    let text = match format {
        OutputFormat::Rss => render::rss::render(&channel),
        OutputFormat::Atom => render::atom::render(&channel),
        OutputFormat::Podcast => render::podcast::render(&channel),
        OutputFormat::Json => render::jsonfeed::render(&channel),
    };
    Output::bytes(path, text)
}

/// The format a feed is best subscribed to by: podcast RSS for podcasts, else RSS, else
/// whatever it has.
pub fn main_format(config: &FeedConfig) -> OutputFormat {
    let preference = match config.kind {
        FeedKind::Podcast => [
            OutputFormat::Podcast,
            OutputFormat::Rss,
            OutputFormat::Atom,
            OutputFormat::Json,
        ],
        _ => [
            OutputFormat::Rss,
            OutputFormat::Atom,
            OutputFormat::Json,
            OutputFormat::Podcast,
        ],
    };
    preference
        .into_iter()
        .find(|format| config.formats.contains(format))
        .unwrap_or(OutputFormat::Rss)
}

fn shown(site: &Site, file: &Path) -> String {
    file.strip_prefix(&site.root)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

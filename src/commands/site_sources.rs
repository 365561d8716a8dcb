//! Which remote sources the site's feed definitions name, and where the store is: the
//! small part of the configuration that `ingest` and `sources` need.
//!
//! It reads `omroep.toml` (found in the current folder or its parents; the keys
//! `base_url` and `store`, every other key left to the configuration module) and the
//! `url` keys of the `[[source]]` tables in `feeds/*.toml`. Everything else in those
//! files is somebody else's business and is not checked here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The site file's name.
const SITE_FILE: &str = "omroep.toml";
/// The store's path when `omroep.toml` names none, relative to the site root.
const DEFAULT_STORE: &str = ".omroep/store.sqlite";

/// The remote sources of a site.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteSources {
    pub root: PathBuf,
    pub store: PathBuf,
    pub base_url: Option<String>,
    /// Feed name (its file name in `feeds/` without `.toml`) → its remote source URLs.
    pub feeds: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct SiteFile {
    base_url: Option<String>,
    store: Option<PathBuf>,
}

#[derive(Deserialize)]
struct FeedFile {
    #[serde(default)]
    source: Vec<SourceTable>,
}

#[derive(Deserialize)]
struct SourceTable {
    url: Option<String>,
}

impl SiteSources {
    /// Finds `omroep.toml` in `start` or a parent, and reads the feed definitions.
    pub fn load(start: &Path) -> Result<SiteSources> {
        let root = start
            .ancestors()
            .find(|folder| folder.join(SITE_FILE).is_file())
            .with_context(|| {
                format!(
                    "{}: no {SITE_FILE} here or in any parent folder; run omroep inside a site",
                    start.display()
                )
            })?
            .to_path_buf();
        let site_path = root.join(SITE_FILE);
        let site: SiteFile = read_toml(&site_path)?;
        let store = root.join(site.store.unwrap_or_else(|| PathBuf::from(DEFAULT_STORE)));
        let mut feeds = BTreeMap::new();
        let folder = root.join("feeds");
        if folder.is_dir() {
            let listing = std::fs::read_dir(&folder)
                .with_context(|| format!("{}: could not list", folder.display()))?;
            for item in listing {
                let path = item
                    .with_context(|| format!("{}: could not list", folder.display()))?
                    .path();
                if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                    continue;
                }
                let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
                    continue;
                };
                let feed: FeedFile = read_toml(&path)?;
                let urls = feed.source.into_iter().filter_map(|s| s.url).collect();
                feeds.insert(name.to_string(), urls);
            }
        }
        Ok(SiteSources {
            root,
            store,
            base_url: site.base_url,
            feeds,
        })
    }

    /// The source URLs of one feed, or of all feeds, each once, in a stable order.
    pub fn urls(&self, feed: Option<&str>) -> Result<Vec<String>> {
        let selected: Vec<&Vec<String>> = match feed {
            Some(name) => match self.feeds.get(name) {
                Some(urls) => vec![urls],
                None => {
                    let known: Vec<&str> = self.feeds.keys().map(String::as_str).collect();
                    bail!(
                        "no feed named {name:?} in {}; the feeds are: {}",
                        self.root.join("feeds").display(),
                        if known.is_empty() {
                            "(none)".to_string()
                        } else {
                            known.join(", ")
                        }
                    );
                }
            },
            None => self.feeds.values().collect(),
        };
        let mut urls: Vec<String> = Vec::new();
        for url in selected.into_iter().flatten() {
            if !urls.contains(url) {
                urls.push(url.clone());
            }
        }
        Ok(urls)
    }

    /// The names of the feeds that list `url`.
    pub fn feeds_of(&self, url: &str) -> Vec<String> {
        self.feeds
            .iter()
            .filter(|(_, urls)| urls.iter().any(|u| u == url))
            .map(|(name, _)| name.clone())
            .collect()
    }
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: could not read", path.display()))?;
    toml::from_str(&text).map_err(|error| {
        let message = error.message().trim().to_string();
        let line = error.span().map(|span| {
            text.as_bytes()[..span.start.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        });
        match line {
            Some(line) => anyhow::anyhow!("{}:{line}: {message}", path.display()),
            None => anyhow::anyhow!("{}: {message}", path.display()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn reads_remote_sources_of_every_feed_from_a_subfolder() {
        let dir = site(&[
            (
                "omroep.toml",
                "title = \"x\"\nbase_url = \"https://site.example/\"\n",
            ),
            (
                "feeds/planet.toml",
                "kind = \"aggregate\"\n[[source]]\nurl = \"https://a.example/feed\"\n\
                 [[source]]\nopml = \"subs.opml\"\n[[source]]\nurl = \"https://b.example/rss\"\n",
            ),
            (
                "feeds/blog.toml",
                "[[source]]\nmarkdown = \"posts/*.md\"\n[[source]]\nurl = \"https://a.example/feed\"\n",
            ),
            ("content/posts/x.md", ""),
        ]);
        let sources = SiteSources::load(&dir.path().join("content/posts")).unwrap();
        assert_eq!(sources.root, dir.path());
        assert_eq!(sources.store, dir.path().join(".omroep/store.sqlite"));
        assert_eq!(sources.base_url.as_deref(), Some("https://site.example/"));
        assert_eq!(
            sources.urls(None).unwrap(),
            ["https://a.example/feed", "https://b.example/rss"]
        );
        assert_eq!(
            sources.urls(Some("blog")).unwrap(),
            ["https://a.example/feed"]
        );
        assert_eq!(
            sources.feeds_of("https://a.example/feed"),
            ["blog", "planet"]
        );
        let error = sources.urls(Some("nope")).unwrap_err().to_string();
        assert!(error.contains("no feed named \"nope\""), "{error}");
        assert!(error.contains("blog, planet"), "{error}");
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let dir = site(&[
            ("omroep.toml", "store = \"state/db.sqlite\"\n"),
            (
                "feeds/bad.toml",
                "[[source]]\nurl = \"https://a.example/\"\nurl = 3\n",
            ),
        ]);
        let error = SiteSources::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("feeds/bad.toml:3:"), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let error = SiteSources::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("no omroep.toml"), "{error}");
    }
}

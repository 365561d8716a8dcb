//! Gathers each feed's entries from its sources: local Markdown and audio through
//! `ingest::local` (which already applies drafts and scheduling, and skips the files
//! the store's file cache knows unchanged), then the feed's and each
//! source's filters, newest first with a stable tiebreak, and the feed's limit.
//!
//! Remote sources (`url`, and the feeds an `opml` file lists) are read back from the
//! store, where `omroep ingest` (or `run`) put them: the build never fetches. Their
//! entries were normalised and their HTML sanitised when they were parsed. A source the
//! store has never fetched successfully, or a missing store, gives one warning per feed,
//! and the feed is built from what there is.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::config::{FeedConfig, FeedKind, Filter, Site, SourceLocation};
use crate::ingest::Listings;
use crate::ingest::local::{Asset, HeldBack, ItemKind, LocalItem, LocalSettings, Problem, Session};
use crate::model::{Entry, Person};
use crate::store::Store;
use crate::store::local_files::StoredFileCache;

/// One entry of a feed, with what the build needs beside the model.
#[derive(Debug, Clone)]
pub struct Item {
    pub entry: Entry,
    /// The content file relative to the site root (`/`-separated): the entry's identity
    /// key in the ledger besides its guid.
    pub source: String,
    pub is_episode: bool,
    /// Files to publish beside the feeds (transcripts, chapters, images).
    pub assets: Vec<Asset>,
}

/// A feed's entries after filters and sorting: `items[..published]` are written, the rest
/// are past the feed's limit.
#[derive(Debug, Clone, Default)]
pub struct FeedItems {
    pub items: Vec<Item>,
    pub published: usize,
    /// Errors and warnings from reading the sources, one line each.
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// When the earliest scheduled (held-back) entry becomes due.
    pub next_due: Option<chrono::DateTime<chrono::Utc>>,
}

impl FeedItems {
    pub fn in_output(&self) -> &[Item] {
        &self.items[..self.published]
    }
}

/// Reads local content for every feed. One session per language, so a post without a
/// `lang` gets its feed's language, and a file shared by feeds of one language is read once.
pub struct Collector<'a> {
    site: &'a Site,
    now: chrono::DateTime<chrono::Utc>,
    sessions: HashMap<String, Session>,
    /// The store of fetched remote sources, when the site has one.
    store: Option<&'a Store>,
    /// What earlier runs learned from local files, shared by every session.
    files: Arc<StoredFileCache>,
    /// The Markdown sources' listings, when they were taken ahead ([`list_ahead`]).
    listings: Option<Arc<Listings>>,
}

/// Lists the folders of every Markdown source of the site's feeds, in the order the
/// feeds read them: a build does it while its store opens (see `ingest::ahead`) and
/// hands the listings to [`Collector::with_listings`].
pub fn list_ahead(site: &Site) -> Listings {
    let patterns: Vec<&str> = site
        .feeds
        .iter()
        .flat_map(|feed| &feed.sources)
        .filter_map(|source| match &source.location {
            SourceLocation::Markdown(pattern) => Some(pattern.as_str()),
            _ => None,
        })
        .collect();
    Listings::list(&site.root, &patterns)
}

impl<'a> Collector<'a> {
    /// `store` is the opened store of remote sources, or `None` when there is none
    /// yet; `files` the file cache (empty when the store has none).
    pub fn new(
        site: &'a Site,
        now: chrono::DateTime<chrono::Utc>,
        store: Option<&'a Store>,
        files: Arc<StoredFileCache>,
    ) -> Self {
        Collector {
            site,
            now,
            sessions: HashMap::new(),
            store,
            files,
            listings: None,
        }
    }

    /// A collector whose Markdown sources take their listings from `listings`.
    pub fn with_listings(mut self, listings: Listings) -> Self {
        self.listings = Some(Arc::new(listings));
        self
    }

    fn session(&mut self, language: &str) -> &mut Session {
        let site = self.site;
        let now = self.now;
        let files = &self.files;
        let listings = &self.listings;
        self.sessions
            .entry(language.to_string())
            .or_insert_with(|| {
                let mut settings = LocalSettings::new(site.root.clone(), site.base_url.clone());
                settings.media_base_url = site.media_base_url.clone();
                if let Some(permalink) = &site.permalink {
                    settings.permalink = permalink.clone();
                }
                settings.language = Some(language.to_string());
                settings.author = site.author_name.as_ref().map(|name| Person {
                    name: Some(name.clone()),
                    email: site.author_email.clone(),
                    uri: None,
                });
                settings.now = now;
                settings.timezone = site.timezone;
                let session = Session::with_file_cache(settings, Box::new(files.clone()));
                match listings {
                    Some(listings) => session.with_listings(listings.clone()),
                    None => session,
                }
            })
    }

    /// The entries of one feed.
    pub fn feed(&mut self, feed: &FeedConfig) -> FeedItems {
        let mut out = FeedItems::default();
        let mut seen: HashSet<String> = HashSet::new();
        let mut without_audio = 0usize;
        let mut not_fetched: Vec<String> = Vec::new();
        for source in &feed.sources {
            // Each item with the key that makes two of them one entry.
            let found: Vec<(String, Item)> = match &source.location {
                SourceLocation::Markdown(pattern) => {
                    let collected = self.session(&feed.language).collect_markdown(pattern);
                    local_items(collected, &mut out)
                }
                SourceLocation::Audio(folder) => {
                    let collected = self.session(&feed.language).collect_audio(folder);
                    local_items(collected, &mut out)
                }
                SourceLocation::Url(url) => {
                    self.remote_items(feed, &[url.as_str()], &mut not_fetched, &mut out)
                }
                SourceLocation::Opml { feeds, .. } => {
                    let urls: Vec<&str> = feeds.iter().map(url::Url::as_str).collect();
                    self.remote_items(feed, &urls, &mut not_fetched, &mut out)
                }
            };
            for (key, item) in found {
                // The same file matched by two sources of one feed is one entry, and so
                // is one stored remote entry reached through two sources.
                if !seen.insert(key) {
                    continue;
                }
                if !keeps(&feed.filter, &item) || !keeps(&source.filter, &item) {
                    continue;
                }
                if feed.kind == FeedKind::Podcast && !item.is_episode {
                    without_audio += 1;
                    continue;
                }
                // Two remote feeds may use one guid (numbered guids are common); readers
                // would take them for one entry, and the remote feed cannot be fixed
                // here, so the first one (in source order) is kept and the user told.
                if source.location.is_remote()
                    && let Some(first) = out
                        .items
                        .iter()
                        .find(|other| guid_of(&other.entry) == guid_of(&item.entry))
                {
                    out.warnings.push(format!(
                        "feed `{}`: {} has an entry with the guid `{}` that {} already uses; it is left out",
                        feed.name,
                        item.source,
                        guid_of(&item.entry),
                        first.source
                    ));
                    continue;
                }
                out.items.push(item);
            }
        }
        if !not_fetched.is_empty() {
            let what = match self.store {
                None => format!(
                    "there is no store yet ({})",
                    self.site
                        .store
                        .strip_prefix(&self.site.root)
                        .unwrap_or(&self.site.store)
                        .display()
                ),
                Some(_) => format!(
                    "{} of its remote sources never fetched successfully ({})",
                    not_fetched.len(),
                    not_fetched.join(", ")
                ),
            };
            out.warnings.push(format!(
                "feed `{}`: built without the entries of remote sources: {what}; run `omroep ingest` or `omroep run` to fetch them",
                feed.name
            ));
        }
        if without_audio > 0 {
            out.warnings.push(format!(
                "feed `{}`: {without_audio} entries without audio left out (a podcast feed lists episodes only)",
                feed.name
            ));
        }
        sort_newest_first(&mut out.items);
        check_unique_guids(feed, &out.items, &mut out.errors);
        out.published = feed
            .limit
            .map_or(out.items.len(), |limit| limit.min(out.items.len()));
        out
    }

    /// Saves what the sessions learned (remembered remote audio facts); returns warnings.
    pub fn finish(mut self) -> Vec<String> {
        let mut languages: Vec<String> = self.sessions.keys().cloned().collect();
        languages.sort();
        languages
            .iter()
            .filter_map(|language| self.sessions.get_mut(language)?.finish())
            .map(|problem| problem_line(&problem))
            .collect()
    }
}

impl Collector<'_> {
    /// The stored entries of the remote sources `urls` (as configured), each marked with
    /// its source's URL; URLs the store has no successful fetch of go to `not_fetched`.
    fn remote_items(
        &self,
        feed: &FeedConfig,
        urls: &[&str],
        not_fetched: &mut Vec<String>,
        out: &mut FeedItems,
    ) -> Vec<(String, Item)> {
        let Some(store) = self.store else {
            not_fetched.extend(urls.iter().map(|url| url.to_string()));
            return Vec::new();
        };
        let mut items = Vec::new();
        for url in urls {
            let state = match store.source(url) {
                Ok(state) => state,
                Err(error) => {
                    out.errors
                        .push(format!("feed `{}`: {url}: {error:#}", feed.name));
                    continue;
                }
            };
            let Some(state) = state.filter(|state| state.last_success.is_some()) else {
                not_fetched.push(url.to_string());
                continue;
            };
            match store.entries(&[state.id]) {
                // Ids are only unique within their source: the store's owner qualifies them.
                Ok(stored) => items.extend(stored.into_iter().map(|stored| {
                    (
                        format!("remote {}\n{}", stored.source, stored.entry.id),
                        remote_item(stored.entry, url),
                    )
                })),
                Err(error) => out.errors.push(format!(
                    "feed `{}`: {url}: could not read its entries from {}: {error:#}",
                    feed.name,
                    self.site.store.display()
                )),
            }
        }
        items
    }
}

/// Local items of one source; its problems go to the feed's errors and warnings.
fn local_items(
    collected: crate::ingest::local::Collected,
    out: &mut FeedItems,
) -> Vec<(String, Item)> {
    for (_, held) in &collected.held_back {
        if let HeldBack::Scheduled(date) = held {
            out.next_due = Some(out.next_due.map_or(*date, |due| due.min(*date)));
        }
    }
    for problem in &collected.problems {
        let line = problem_line(problem);
        if problem.is_error {
            out.errors.push(line);
        } else {
            out.warnings.push(line);
        }
    }
    collected
        .items
        .into_iter()
        .map(|local| (local.entry.id.clone(), to_item(local)))
        .collect()
}

/// A stored remote entry as a feed item: an episode when it carries an enclosure; its
/// ledger key is the source's URL as configured.
fn remote_item(entry: Entry, url: &str) -> Item {
    Item {
        is_episode: !entry.enclosures.is_empty(),
        entry,
        source: url.to_string(),
        assets: Vec::new(),
    }
}

fn problem_line(problem: &Problem) -> String {
    problem.to_string()
}

fn to_item(local: LocalItem) -> Item {
    let is_episode = local.kind == ItemKind::Episode;
    let mut entry = local.entry;
    // The tags as written take part in filtering; they are also in `entry.categories`.
    for tag in local.tags {
        if !entry
            .categories
            .iter()
            .any(|c| c.term.eq_ignore_ascii_case(&tag))
        {
            entry.categories.push(crate::model::Category {
                term: tag,
                ..Default::default()
            });
        }
    }
    Item {
        entry,
        source: local.path.to_string_lossy().replace('\\', "/"),
        is_episode,
        assets: local.assets,
    }
}

fn keeps(filter: &Filter, item: &Item) -> bool {
    filter.is_empty()
        || filter.keeps(
            item.entry
                .categories
                .iter()
                .map(|category| category.term.as_str()),
            item.is_episode,
        )
}

/// Newest first by published date (else updated); equal dates by id, so the order never
/// depends on the file system's listing order. Entries without a date go last.
pub fn sort_newest_first(items: &mut [Item]) {
    items.sort_by(|a, b| {
        let date = |item: &Item| item.entry.published.or(item.entry.updated);
        date(b)
            .cmp(&date(a))
            .then_with(|| a.entry.id.cmp(&b.entry.id))
    });
}

/// Two files with one guid would be one entry to every reader: refuse the feed.
fn check_unique_guids(feed: &FeedConfig, items: &[Item], errors: &mut Vec<String>) {
    let mut first: HashMap<&str, &str> = HashMap::new();
    for item in items {
        let guid = guid_of(&item.entry);
        if let Some(other) = first.insert(guid, &item.source) {
            errors.push(format!(
                "feed `{}`: {} and {} have the same guid `{guid}`; give one of them its own `guid`",
                feed.name, other, item.source
            ));
        }
    }
}

/// The identity a reader keys an entry on: the guid as written, else the id.
pub fn guid_of(entry: &Entry) -> &str {
    entry.guid.as_deref().unwrap_or(&entry.id)
}

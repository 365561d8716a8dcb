//! The build pipeline: config → each feed's entries → filters, order, limit → render →
//! ledger check → publish.
//!
//! Policies:
//! - A feed whose sources have errors, or whose identity check fails, is not rebuilt: its
//!   previous outputs stay as they were, its ledger records too, and the run reports a
//!   partial failure. The combined outputs are then left as they were as well, since they
//!   would mix new and stale feeds. Nothing is ever half-published.
//! - Outputs depend only on the inputs: no "now" in any file (`lastBuildDate`/`updated` come
//!   from the newest entry), stable ordering everywhere. The clock only decides which
//!   scheduled entries are due.
//! - `check` computes everything and writes nothing.

pub mod channel;
pub mod collect;
pub mod combined;
pub mod fingerprint;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use crate::config::Site;
use crate::ledger::{self, Current, FeedBuild, Ledger, Violation};
use crate::publish::{self, Change, Output};

/// How to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// Compute what would change, write nothing.
    pub check: bool,
    /// Accept identity changes (record them in the ledger) instead of refusing.
    pub allow_identity_change: bool,
    /// Scheduled entries dated up to this moment are published.
    pub now: DateTime<Utc>,
}

/// What a build did (or, with `check`, would do).
#[derive(Debug, Default)]
pub struct Report {
    /// Every output file relative to the output folder, and what happened to it.
    pub changes: Vec<(String, Change)>,
    /// Whether the ledger gained or changed records.
    pub ledger_changed: bool,
    /// Entries recorded in the ledger for the first time.
    pub ledger_added: usize,
    /// Feeds not rebuilt this time.
    pub failed_feeds: Vec<String>,
    /// Problems that made a feed fail, one line each.
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl Report {
    /// Whether anything on disk changed (or would change).
    pub fn changed_anything(&self) -> bool {
        self.ledger_changed
            || self
                .changes
                .iter()
                .any(|(_, change)| *change != Change::Unchanged)
    }
}

/// Builds every feed of the site and the combined outputs.
pub fn run(site: &Site, options: &Options) -> Result<Report> {
    let started = std::time::SystemTime::now();
    let mut report = Report::default();
    let old_ledger = Ledger::read(&site.ledger)?;
    ledger::check_consistent(&old_ledger).with_context(|| site.ledger.display().to_string())?;

    if let Some(state) = fingerprint::State::load(site)
        && state.still_holds(site, options.allow_identity_change, options.now)
    {
        report.warnings = state.warnings;
        report.changes = state
            .outputs
            .into_iter()
            .filter(|(path, _, _)| path != publish::MANIFEST)
            .map(|(path, _, _)| (path, Change::Unchanged))
            .collect();
        return Ok(report);
    }

    // The store keeps the fetched remote sources, read here, and the local file cache,
    // through which content files unchanged since the last build are not read again.
    // A store that cannot be opened fails a build that needs remote sources from it; for
    // the cache alone it only costs speed (a warning, and every file is read).
    let has_remote = site.feeds.iter().any(|feed| feed.has_remote_sources());
    let existed = site.store.is_file();
    let mut store = if existed || !options.check {
        match crate::store::Store::open(&site.store) {
            Ok(store) => Some(store),
            Err(error) if has_remote && existed => {
                return Err(anyhow::Error::new(error).context(format!(
                    "{}: could not open the store of fetched sources",
                    site.store.display()
                )));
            }
            Err(error) => {
                report.warnings.push(format!(
                    "{error}; content files are read without the file cache"
                ));
                None
            }
        }
    } else {
        None
    };
    let files = match store.as_ref().map(crate::store::Store::local_files) {
        Some(Ok(files)) => files,
        Some(Err(error)) => {
            report.warnings.push(format!(
                "{error}; content files are read without the file cache"
            ));
            Default::default()
        }
        None => Default::default(),
    };
    let files = std::sync::Arc::new(files);
    // Remote sources are read only from a store that an ingest created.
    let remote_store = store.as_ref().filter(|_| has_remote && existed);

    // Collect every feed's entries.
    let mut collector = collect::Collector::new(site, options.now, remote_store, files.clone());
    let mut items: Vec<collect::FeedItems> = Vec::with_capacity(site.feeds.len());
    let mut failed = vec![false; site.feeds.len()];
    for (index, feed) in site.feeds.iter().enumerate() {
        let found = collector.feed(feed);
        report.warnings.extend(found.warnings.iter().cloned());
        if !found.errors.is_empty() {
            report.errors.extend(found.errors.iter().cloned());
            failed[index] = true;
        }
        items.push(found);
    }
    report.warnings.extend(collector.finish());
    // What the run learned is saved on a thread of its own while the feeds render (every
    // source was read, so what the cache holds about other files is obsolete). The
    // thread closes the store, and is joined before the build state records the store's
    // size and time.
    let saving = match store.take() {
        Some(mut store) if !options.check => {
            let files = files.clone();
            Some(std::thread::spawn(move || {
                store.save_local_files(&files, true).map(|_| ())
            }))
        }
        _ => None,
    };
    let next_due = items.iter().filter_map(|found| found.next_due).min();

    // Check identity against the ledger; a feed that would break it is not built.
    let guids: Vec<Option<String>> = site
        .feeds
        .iter()
        .map(|feed| channel::podcast_guid(site, feed, old_ledger.podcast_guid(&feed.name)))
        .collect();
    let mut reconciled = reconcile(site, &old_ledger, &items, &guids, &failed, options);
    let refused: Vec<String> = if options.allow_identity_change {
        Vec::new()
    } else {
        violating_feeds(&reconciled.violations)
    };
    if options.allow_identity_change {
        report.warnings.extend(
            reconciled
                .violations
                .iter()
                .map(|violation| format!("accepted: {violation}")),
        );
    } else if !refused.is_empty() {
        report
            .errors
            .extend(reconciled.violations.iter().map(ToString::to_string));
        for (index, feed) in site.feeds.iter().enumerate() {
            if refused.contains(&feed.name) {
                failed[index] = true;
            }
        }
        reconciled = reconcile(site, &old_ledger, &items, &guids, &failed, options);
        // A feed whose definition is gone but which published entries: its outputs stay
        // (nothing is removed) until the user restores it or accepts the change.
        for name in &refused {
            if !site.feeds.iter().any(|feed| &feed.name == name) {
                report.failed_feeds.push(name.clone());
            }
        }
    }

    // A build killed while staging left temporary files beside the outputs, the ledger
    // or the build state; they are never renamed into place, so they can go.
    if !options.check {
        publish::remove_stray_temporaries(&site.output, true, started);
        for folder in [
            site.ledger.parent(),
            Some(site.root.join(".omroep").as_path()),
        ]
        .into_iter()
        .flatten()
        {
            publish::remove_stray_temporaries(folder, false, started);
        }
    }

    // Render what can be built, staging each file as soon as it is rendered.
    let mut stage = publish::Stage::new(&site.output, options.check);
    let mut extra_inputs = add_assets(&mut stage, site, &items, &failed)?;
    extra_inputs.extend(site.feeds.iter().filter_map(|feed| match &feed.artwork {
        Some(crate::config::Artwork::Local(file)) => Some(file.clone()),
        _ => None,
    }));
    let mut models: Vec<(usize, channel::Built)> = Vec::new();
    for (index, feed) in site.feeds.iter().enumerate() {
        if failed[index] {
            report.failed_feeds.push(feed.name.clone());
            continue;
        }
        let found = std::mem::take(&mut items[index]);
        let published = found.published;
        let entries: Vec<_> = found
            .items
            .into_iter()
            .take(published)
            .map(|item| item.entry)
            .collect();
        let model = channel::build(site, feed, entries, guids[index].clone());
        report.warnings.extend(model.warnings.iter().cloned());
        if let Some((source, output)) = &model.artwork_copy {
            stage.add(Output::copy(output.clone(), source.clone()))?;
        }
        models.push((index, model));
    }
    // Every file of every feed is independent of the others: they are rendered on all
    // cores, each staged as soon as it is rendered. The stage sorts what it staged, so
    // the order in which the threads finish changes nothing.
    let stage = std::sync::Mutex::new(stage);
    let stage_one = |output: Output| -> Result<()> {
        stage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .add(output)
    };
    let jobs: Vec<(usize, crate::config::OutputFormat)> = models
        .iter()
        .enumerate()
        .flat_map(|(position, (index, _))| {
            site.feeds[*index]
                .formats
                .iter()
                .map(move |format| (position, *format))
        })
        .collect();
    crate::parallel::map(&jobs, |(position, format)| {
        let (index, model) = &models[*position];
        stage_one(channel::render(
            site,
            &site.feeds[*index],
            &model.feed,
            *format,
        ))
    })
    .into_iter()
    .collect::<Result<()>>()?;
    let mut built = Vec::new();
    let mut pool = combined::Pool::default();
    for (index, mut model) in models {
        pool.add(built.len(), std::mem::take(&mut model.feed.entries));
        built.push(combined::Published {
            config: &site.feeds[index],
            feed: model.feed,
        });
    }
    report.failed_feeds.sort();
    for name in &report.failed_feeds {
        report.errors.push(format!(
            "feed `{name}`: not rebuilt; its previous outputs stay as they were"
        ));
    }
    let all_built = report.failed_feeds.is_empty();
    if all_built {
        combined::render(site, &built, pool, &stage_one)?;
    }
    let stage = stage
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);

    if let Some(saving) = saving {
        let saved = saving
            .join()
            .unwrap_or_else(|_| Err(crate::store::StoreError::Interrupted));
        if let Err(error) = saved {
            report.warnings.push(format!(
                "{}: could not save the file cache ({error}); the next build reads every content file",
                site.store.display()
            ));
        }
    }

    // When a feed failed, nothing is removed: its old files must stay.
    let plan = stage.finish(&|_| !all_built)?;
    report.changes = plan
        .changes()
        .into_iter()
        .map(|(path, change)| (path.to_string(), change))
        .collect();
    let new_ledger = reconciled.ledger;
    report.ledger_changed = new_ledger != old_ledger;
    let known: std::collections::HashSet<(&str, &str)> = old_ledger
        .entries
        .iter()
        .map(|record| (record.feed.as_str(), record.guid.as_str()))
        .collect();
    report.ledger_added = new_ledger
        .entries
        .iter()
        .filter(|record| !known.contains(&(record.feed.as_str(), record.guid.as_str())))
        .count();
    if !options.check {
        publish::apply(plan)?;
        if report.ledger_changed {
            publish::write_atomic(&site.ledger, new_ledger.to_text().as_bytes())?;
        }
        save_state(site, options, &report, all_built, extra_inputs, next_due);
    }
    Ok(report)
}

/// Records what this build saw and left, for the next build's fast path; after a partial
/// build the state is removed, so the next build is a full one.
fn save_state(
    site: &Site,
    options: &Options,
    report: &Report,
    all_built: bool,
    extra_inputs: Vec<std::path::PathBuf>,
    next_due: Option<DateTime<Utc>>,
) {
    let file = site.root.join(fingerprint::STATE_FILE);
    if !all_built {
        let _ = std::fs::remove_file(&file);
        return;
    }
    let outputs: Vec<String> = report
        .changes
        .iter()
        .filter(|(_, change)| *change != Change::Removed)
        .map(|(path, _)| path.clone())
        .collect();
    let state = fingerprint::State::record(
        site,
        options.allow_identity_change,
        extra_inputs,
        &outputs,
        report.warnings.clone(),
        next_due,
    );
    // Losing the state only costs the next build its fast path.
    let _ = publish::write_atomic(&file, state.to_json().as_bytes());
}

fn reconcile(
    site: &Site,
    old: &Ledger,
    items: &[collect::FeedItems],
    guids: &[Option<String>],
    failed: &[bool],
    options: &Options,
) -> ledger::Reconciled {
    let mut builds = Vec::new();
    let mut skipped = Vec::new();
    for (index, feed) in site.feeds.iter().enumerate() {
        if failed[index] {
            skipped.push(feed.name.as_str());
            continue;
        }
        let found = &items[index];
        builds.push(FeedBuild {
            name: feed.name.clone(),
            podcast_guid: guids[index].clone(),
            entries: found
                .items
                .iter()
                .enumerate()
                .map(|(position, item)| {
                    let enclosure = item.entry.enclosures.first();
                    Current {
                        guid: collect::guid_of(&item.entry).to_string(),
                        source: item.source.clone(),
                        published: item.entry.published.or(item.entry.updated),
                        enclosure_url: enclosure.map(|e| e.url.clone()),
                        enclosure_length: enclosure.and_then(|e| e.length),
                        in_output: position < found.published,
                    }
                })
                .collect(),
        });
    }
    old.reconcile(&builds, &skipped, options.allow_identity_change)
}

fn violating_feeds(violations: &[Violation]) -> Vec<String> {
    let mut feeds: Vec<String> = violations
        .iter()
        .map(|violation| match violation {
            Violation::GuidChanged { feed, .. }
            | Violation::EnclosureChanged { feed, .. }
            | Violation::EnclosureReused { feed, .. }
            | Violation::Dropped { feed, .. }
            | Violation::PodcastGuidChanged { feed, .. } => feed.clone(),
        })
        .collect();
    feeds.sort();
    feeds.dedup();
    feeds
}

/// The files entries publish beside the feeds: their assets, and their local audio when
/// it is served from under the site's base URL (a CDN elsewhere is synced by the user).
/// A file shared by two entries (or feeds) is copied once; two different files claiming
/// one output path would publish the wrong file for one of them, so the build stops.
fn add_assets(
    stage: &mut publish::Stage,
    site: &Site,
    items: &[collect::FeedItems],
    failed: &[bool],
) -> Result<Vec<std::path::PathBuf>> {
    let mut assets: std::collections::BTreeMap<String, std::path::PathBuf> =
        std::collections::BTreeMap::new();
    let mut read = Vec::new();
    for (index, found) in items.iter().enumerate() {
        if failed[index] {
            continue;
        }
        for item in found.in_output() {
            read.extend(
                item.entry
                    .enclosures
                    .iter()
                    .filter_map(|enclosure| media_in_site(site, &enclosure.url)),
            );
            let audio = item
                .entry
                .enclosures
                .iter()
                .filter_map(|enclosure| local_media(site, &enclosure.url));
            let files = item
                .assets
                .iter()
                .map(|asset| (asset.output.clone(), asset.source.clone()))
                .chain(audio);
            for (output, source) in files {
                match assets.get(&output) {
                    Some(known) if *known != source => {
                        anyhow::bail!(
                            "{} and {} would both be published as {output}; rename one of them",
                            known.display(),
                            source.display(),
                        );
                    }
                    Some(_) => {}
                    None => {
                        assets.insert(output, source);
                    }
                }
            }
        }
    }
    for (output, source) in assets {
        read.push(source.clone());
        stage.add(Output::copy(output, source))?;
    }
    read.sort();
    read.dedup();
    Ok(read)
}

/// A media URL's local file and output path, when the file lives in the site and its URL
/// is under the base URL: `media_base_url` + path in the site = `base_url` + output path.
fn local_media(site: &Site, url: &str) -> Option<(String, std::path::PathBuf)> {
    let source = media_in_site(site, url)?;
    let url = url::Url::parse(url).ok()?;
    let output = crate::ingest::permalink::output_path(&site.base_url, &url)?;
    Some((output, source))
}

/// The file in the site that a media URL under `media_base_url` was made from.
fn media_in_site(site: &Site, url: &str) -> Option<std::path::PathBuf> {
    let url = url::Url::parse(url).ok()?;
    let in_site = crate::ingest::permalink::output_path(&site.media_base_url, &url)?;
    if in_site.is_empty()
        || in_site
            .split('/')
            .any(|segment| segment == ".." || segment.is_empty())
    {
        return None;
    }
    let source = site.root.join(&in_site);
    source.is_file().then_some(source)
}

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
pub mod preview;

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
    /// Publish feeds whose output breaks a validation rule of severity error (the findings
    /// become warnings) instead of refusing them.
    pub allow_invalid: bool,
    /// Render everything even when the saved state says nothing changed, and check
    /// identity with the `identity/…` rules against the ledger: what `omroep validate`
    /// runs, together with `check`.
    pub validate_all: bool,
    /// Run the `online/…` hosting checks too (`omroep validate --online`).
    pub online: bool,
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
    /// What the validation rules found in the rendered feeds; each finding's target is
    /// the output path relative to the output folder.
    pub findings: Vec<crate::validate::Finding>,
    /// The output paths the validation rules checked.
    pub validated: Vec<String>,
}

impl Report {
    /// Takes in what [`validated`] recorded in a report of its own (one per thread).
    fn absorb_validation(&mut self, found: Report) {
        self.validated.extend(found.validated);
        self.errors.extend(found.errors);
        self.warnings.extend(found.warnings);
        self.findings.extend(found.findings);
    }

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
    let (old_ledger, ledger_text) = Ledger::read_with_text(&site.ledger)?;
    ledger::check_consistent(&old_ledger).with_context(|| site.ledger.display().to_string())?;

    let mut walked = None;
    if !options.validate_all
        && let Some(state) = fingerprint::State::load(site)
    {
        let (holds, stamps) = state.still_holds(site, options.allow_identity_change, options.now);
        if holds {
            report.warnings = state.warnings;
            report.changes = state
                .outputs
                .into_iter()
                .filter(|(path, _, _)| path != publish::MANIFEST)
                .map(|(path, _, _)| (path, Change::Unchanged))
                .collect();
            return Ok(report);
        }
        walked = stamps;
    }
    // What the next build's fast path compares (a `stat` of every source file) is taken
    // before any source is read (see `FolderStamps`): the check above took it if it
    // walked the folders, else a thread starts walking them now, beside the reading.
    let folder_stamps = (!options.check).then(|| fingerprint::FolderStamps::start(site, walked));

    // The store keeps the fetched remote sources, read here, and the local file cache,
    // through which content files unchanged since the last build are not read again.
    // A store that cannot be opened fails a build that needs remote sources from it; for
    // the cache alone it only costs speed (a warning, and every file is read).
    let has_remote = site.feeds.iter().any(|feed| feed.has_remote_sources());
    let existed = site.store.is_file();
    // The store opens on a thread of its own, which then loads the file cache through
    // it, while this one lists the content folders and collects them.
    let (files, mut pending) = (existed || !options.check)
        .then(|| crate::store::Store::open_in_background(&site.store))
        .unzip();
    let listings = collect::list_ahead(site);
    // Why the file cache is not used, when it is not (said once every feed is read).
    let mut no_cache = None;
    let files = match files {
        Some(Ok(files)) => files,
        Some(Err(error)) => {
            no_cache = Some(error);
            Default::default()
        }
        None => Default::default(),
    };
    let files = std::sync::Arc::new(files);
    // Remote sources are read only from a store that an ingest created: a build that
    // has them waits for the store before collecting (the file cache's rows are read
    // through it first), and fails when it does not open. Any other build needs the
    // store only to save what it learned.
    let mut store = None;
    if has_remote
        && existed
        && let Some(pending) = pending.take()
    {
        store = Some(pending.wait().map_err(|error| {
            anyhow::Error::new(error).context(format!(
                "{}: could not open the store of fetched sources",
                site.store.display()
            ))
        })?);
    }
    let remote_store = store.as_ref();

    // Collect every feed's entries.
    let mut collector = collect::Collector::new(site, options.now, remote_store, files.clone())
        .with_listings(listings);
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
    // The threads that read the content end here: the memory they allocated (the
    // entries, freed while the feeds render) is then this thread's to reuse, where idle
    // threads would keep it in their own heaps.
    crate::parallel::release();
    // A store that did not open, or a file cache that did not load, cost only speed
    // (every content file was read); said once, in every mode, a check included.
    let opened = pending.map(crate::store::local_files::PendingStore::wait);
    let cache_error = match opened {
        Some(Ok(opened)) => {
            store = Some(opened);
            no_cache.or_else(|| files.load_error())
        }
        Some(Err(error)) => Some(error),
        None => no_cache.or_else(|| files.load_error()),
    };
    if let Some(error) = cache_error {
        report.warnings.push(format!(
            "{error}; content files are read without the file cache"
        ));
    }
    // What the run learned is saved on a thread of its own while the ledger is checked
    // and the feed models are built (every source was read, so what the cache holds about
    // other files is obsolete). The thread closes the store, and is joined before the
    // feeds render: the cache's remembered outcomes are a second copy of every entry
    // read, and holding them while the largest feeds render made the build's peak.
    let saving = match store.take() {
        // The collector has finished with the file cache: the saving thread takes the one
        // handle left, and frees every remembered outcome and row (tens of MB of content)
        // while it saves, instead of at the end of the build.
        Some(mut store) if !options.check => Some(std::thread::spawn(move || {
            match std::sync::Arc::try_unwrap(files) {
                Ok(files) => store.save_local_files_consumed(files, true),
                Err(files) => store.save_local_files(&files, true),
            }
            .map(|_| ())
        })),
        _ => {
            drop(files);
            None
        }
    };
    let next_due = items.iter().filter_map(|found| found.next_due).min();

    // Check identity against the ledger; a feed that would break it is not built.
    let guids: Vec<Option<String>> = site
        .feeds
        .iter()
        .map(|feed| channel::podcast_guid(site, feed, old_ledger.podcast_guid(&feed.name)))
        .collect();
    let builds = feed_builds(site, &items, &guids);
    let mut reconciled = reconcile(&old_ledger, &builds, &failed, options);
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
        reconciled = reconcile(&old_ledger, &builds, &failed, options);
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
    let (mut extra_inputs, asset_owners) = add_assets(&mut stage, site, &items, &failed)?;
    extra_inputs.extend(site.feeds.iter().filter_map(|feed| match &feed.artwork {
        Some(crate::config::Artwork::Local(file)) => Some(file.clone()),
        _ => None,
    }));
    // Each model behind a lock of its own: its formats render at once under shared
    // locks, and the last of them takes it exclusively to free the entries (the combined
    // files render from copies of their own).
    let mut models: Vec<Model> = Vec::new();
    let mut invalid = false;
    for (index, feed) in site.feeds.iter().enumerate() {
        if failed[index] {
            report.failed_feeds.push(feed.name.clone());
            continue;
        }
        let found = std::mem::take(&mut items[index]);
        let published = found.published;
        // The files entries publish (episode artwork) by URL, for the artwork rules.
        let assets: Vec<(String, std::path::PathBuf)> = found
            .items
            .iter()
            .take(published)
            .flat_map(|item| item.assets.iter())
            .map(|asset| (site.url_of(&asset.output), asset.source.clone()))
            .collect();
        let entries: Vec<_> = found
            .items
            .into_iter()
            .take(published)
            .map(|item| item.entry)
            .collect();
        let model = channel::build(site, feed, entries, guids[index].clone());
        report.warnings.extend(model.warnings.iter().cloned());
        let context = validation_context(site, feed, &model, &assets, &old_ledger, options);
        models.push(Model {
            index,
            formats_left: std::sync::atomic::AtomicUsize::new(feed.formats.len()),
            built: std::sync::RwLock::new(model),
            context,
        });
    }
    // The combined files are made only when every feed is built. Their entries (without
    // content) are copied now, so that they can render beside the feeds' own files: a
    // core that has no feed file left takes a combined one instead of waiting for the
    // other core's last feed. A feed refused by validation below takes them back.
    let combined = report.failed_feeds.is_empty().then(|| {
        let entries = models
            .iter_mut()
            .map(|model| {
                let built = model.built.get_mut();
                let built = built.unwrap_or_else(std::sync::PoisonError::into_inner);
                built.feed.entries.len()
            })
            .sum();
        let mut pool = combined::Pool::with_capacity(entries);
        let mut published = Vec::with_capacity(models.len());
        for (position, model) in models.iter_mut().enumerate() {
            let built = model
                .built
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            pool.add(position, &mut built.feed.entries);
            published.push(combined::Published {
                config: &site.feeds[model.index],
                image: built.feed.image.as_ref().map(|image| image.url.clone()),
            });
        }
        combined::Combined::new(site, published, pool)
    });
    // The save ends here, before the feeds render (see where it starts); what it
    // reported is kept for the end of the build.
    let saved = saving.map(|saving| {
        saving
            .join()
            .unwrap_or_else(|_| Err(crate::store::StoreError::Interrupted))
    });
    // Every file to render is one task, and each core takes the next one as it becomes
    // free: the feeds' files, largest feed first, then the combined files, costliest
    // first, so the files that finish last are the small ones. A file is validated and
    // written to its temporary name (outside the stage's lock, so the other core's
    // writing and syncing never waits) as soon as it is rendered, and its bytes and tree
    // are dropped before the core takes its next task. Every file of every feed is
    // validated, so the findings are those of every file; a feed with a refused file is
    // taken back whole below. `parallel::map` returns the results in task order, which
    // is put back in feed and format order, and the stage sorts what it staged, so
    // thread scheduling changes nothing.
    let mut tasks: Vec<Task> = Vec::new();
    let mut by_size: Vec<usize> = (0..models.len()).collect();
    by_size.sort_by_key(|&position| {
        std::cmp::Reverse(
            models[position]
                .built
                .read()
                .map_or(0, |built| built.feed.entries.len()),
        )
    });
    for position in by_size {
        let formats = &site.feeds[models[position].index].formats;
        tasks.extend((0..formats.len()).map(|format| Task::Feed { position, format }));
    }
    if let Some(combined) = &combined {
        tasks.extend(
            combined::File::ALL
                .into_iter()
                .map(|file| Task::Combined(combined, file)),
        );
    }
    let writer = stage.writer();
    let stage = std::sync::Mutex::new(stage);
    let results = crate::parallel::map(&tasks, |task| -> Result<Rendered> {
        let mut found = Report::default();
        let output = match *task {
            Task::Feed { position, format } => {
                let model = &models[position];
                let feed = &site.feeds[model.index];
                let output = {
                    let built = model
                        .built
                        .read()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    channel::render(site, feed, &built.feed, feed.formats[format])
                };
                let valid = validated(
                    std::slice::from_ref(&output),
                    &model.context,
                    options,
                    &mut found,
                );
                // The feed's last file is rendered: its entries (most of what the model
                // holds) are needed no more, so they are freed now rather than when the
                // last feed is done. Nothing after this reads them (the task order and
                // the validation context were taken before rendering, and only the
                // artwork copy is read below), and the combined pool holds its own
                // content-free copies.
                if model
                    .formats_left
                    .fetch_sub(1, std::sync::atomic::Ordering::AcqRel)
                    == 1
                {
                    model
                        .built
                        .write()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .feed
                        .entries = Vec::new();
                }
                (output, valid)
            }
            Task::Combined(combined, file) => {
                let output = combined.render(file);
                let valid = !combined::is_feed(&output.path)
                    || validated(
                        std::slice::from_ref(&output),
                        &crate::validate::Context::default(),
                        options,
                        &mut found,
                    );
                (output, valid)
            }
        };
        let (output, valid) = output;
        let path = output.path.clone();
        if valid {
            let staged = writer.prepare(output)?;
            stage
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(staged)?;
        }
        Ok(Rendered { found, path, valid })
    });
    let mut stage = stage
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // The files read outside the source folders are known only now: they are stamped
    // after the reading (an audio file's) but before the publishing (an asset's copy).
    // A thread that failed only costs the next build its fast path, and so does an input
    // changed since the build started (it may have changed after it was read; on Unix
    // its ctime says so, see `fingerprint::changed_at`).
    let stamps = folder_stamps.and_then(|stamps| stamps.finish(extra_inputs));
    // Back in the order of the feeds and their formats, then the combined files.
    let mut per_feed: Vec<Vec<Option<Rendered>>> = models
        .iter()
        .map(|model| {
            (0..site.feeds[model.index].formats.len())
                .map(|_| None)
                .collect()
        })
        .collect();
    let mut per_file = Vec::new();
    for (task, result) in tasks.iter().zip(results) {
        let rendered = result?;
        match *task {
            Task::Feed { position, format } => per_feed[position][format] = Some(rendered),
            Task::Combined(..) => per_file.push(rendered),
        }
    }
    for (model, rendered) in models.iter().zip(per_feed) {
        let feed = &site.feeds[model.index];
        let rendered: Vec<Rendered> = rendered.into_iter().flatten().collect();
        let valid = rendered.iter().all(|file| file.valid);
        let staged: Vec<String> = rendered
            .iter()
            .filter(|file| file.valid)
            .map(|file| file.path.clone())
            .collect();
        for file in rendered {
            report.absorb_validation(file.found);
        }
        if !valid {
            // Refused: nothing of this feed is published, and the ledger does not record
            // its entries (reconciled again below).
            stage.discard(&staged);
            failed[model.index] = true;
            invalid = true;
            report.failed_feeds.push(feed.name.clone());
            continue;
        }
        let built = model
            .built
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((source, output)) = &built.artwork_copy {
            stage.add(Output::copy(output.clone(), source.clone()))?;
        }
    }
    drop(models);
    if invalid {
        // A refused feed's audio and assets stay as they were too: its previous feed
        // still describes them (an enclosure's length, an image). A file another,
        // published feed also names goes out for that feed.
        let held_back: Vec<String> = asset_owners
            .into_iter()
            .filter(|(_, owners)| owners.iter().all(|&owner| failed[owner]))
            .map(|(output, _)| output)
            .collect();
        stage.discard(&held_back);
    }
    report.failed_feeds.sort();
    for name in &report.failed_feeds {
        report.errors.push(format!(
            "feed `{name}`: not rebuilt; its previous outputs stay as they were"
        ));
    }
    if invalid {
        reconciled = reconcile(&old_ledger, &builds, &failed, options);
    }
    let all_built = report.failed_feeds.is_empty();
    // A combined feed refused by validation keeps its previous file; all of them do when
    // a feed was refused (they would list entries that feed does not publish).
    let mut kept = std::collections::HashSet::new();
    if all_built {
        let before = (
            report.validated.len(),
            report.errors.len(),
            report.warnings.len(),
            report.findings.len(),
        );
        for file in per_file {
            report.absorb_validation(file.found);
            if !file.valid {
                kept.insert(file.path);
            }
        }
        // What the combined files reported is put in a fixed order.
        report.validated[before.0..].sort();
        report.errors[before.1..].sort();
        report.warnings[before.2..].sort();
        report.findings[before.3..].sort_by(|a, b| {
            (&a.target, a.line, a.rule.id, &a.message)
                .cmp(&(&b.target, b.line, b.rule.id, &b.message))
        });
    } else {
        let staged: Vec<String> = per_file
            .into_iter()
            .filter(|file| file.valid)
            .map(|file| file.path)
            .collect();
        stage.discard(&staged);
    }

    if let Some(Err(error)) = saved {
        report.warnings.push(format!(
            "{}: could not save the file cache ({error}); the next build reads every content file",
            site.store.display()
        ));
    }

    // When a feed failed, nothing is removed: its old files must stay.
    let plan = stage.finish(&|path| !all_built || kept.contains(path))?;
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
        // The ledger as this build left it, for the state: what it wrote, else what it
        // read at the start (read again, it could hold a change made since, unbuilt).
        let ledger_text = if report.ledger_changed {
            let text = new_ledger.to_text();
            publish::write_atomic(&site.ledger, text.as_bytes())?;
            text
        } else {
            ledger_text
        };
        if let Some(stamps) = &stamps {
            save_state(
                site,
                options,
                &report,
                all_built,
                &ledger_text,
                stamps,
                next_due,
            );
        } else {
            save_state_removed(site);
        }
    }
    Ok(report)
}

/// Records what this build saw and left (`ledger`: the ledger's text it used, `stamps`:
/// those of the files it read), for the next build's fast path; after a partial
/// build the state is removed, so the next build is a full one.
fn save_state(
    site: &Site,
    options: &Options,
    report: &Report,
    all_built: bool,
    ledger: &str,
    stamps: &fingerprint::SourceStamps,
    next_due: Option<DateTime<Utc>>,
) {
    if !all_built {
        save_state_removed(site);
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
        ledger,
        stamps,
        &outputs,
        report.warnings.clone(),
        next_due,
    );
    // Losing the state only costs the next build its fast path.
    let file = site.root.join(fingerprint::STATE_FILE);
    let _ = publish::write_atomic(&file, state.to_json().as_bytes());
}

/// Removes the saved state, so the next build is a full one.
fn save_state_removed(site: &Site) {
    let _ = std::fs::remove_file(site.root.join(fingerprint::STATE_FILE));
}

/// What each feed would publish, for the ledger; computed once, before rendering takes
/// the entries, so the ledger can be reconciled again when validation refuses a feed.
fn feed_builds(
    site: &Site,
    items: &[collect::FeedItems],
    guids: &[Option<String>],
) -> Vec<FeedBuild> {
    site.feeds
        .iter()
        .enumerate()
        .map(|(index, feed)| {
            let found = &items[index];
            FeedBuild {
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
            }
        })
        .collect()
}

fn reconcile(
    old: &Ledger,
    builds: &[FeedBuild],
    failed: &[bool],
    options: &Options,
) -> ledger::Reconciled {
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for (build, failed) in builds.iter().zip(failed) {
        if *failed {
            skipped.push(build.name.as_str());
        } else {
            kept.push(build.clone());
        }
    }
    old.reconcile(&kept, &skipped, options.allow_identity_change)
}

/// What the validation rules may know about one feed: where it is published, its local
/// artwork and the files its entries publish, and (for `omroep validate`) the ledger.
fn validation_context(
    site: &Site,
    feed: &crate::config::FeedConfig,
    model: &channel::Built,
    assets: &[(String, std::path::PathBuf)],
    ledger: &Ledger,
    options: &Options,
) -> crate::validate::Context {
    let mut context = crate::validate::Context {
        now: Some(options.now),
        online: options.online,
        base_dir: Some(site.root.clone()),
        // A build has warned about its artwork while reading the site; `omroep
        // validate` (which checks everything) reports the feed's findings as they are.
        artwork_checked_on_read: !options.validate_all,
        ..Default::default()
    };
    if let Some((source, output)) = &model.artwork_copy {
        context
            .local_files
            .insert(site.url_of(output), source.clone());
    }
    context.local_files.extend(assets.iter().cloned());
    if options.validate_all {
        context.identity = Some(crate::validate::Identity {
            feed: feed.name.clone(),
            ledger: ledger.clone(),
        });
    }
    context
}

/// A feed ready to render, shared by the cores rendering its formats.
struct Model {
    /// The feed's position in the site's feeds.
    index: usize,
    built: std::sync::RwLock<channel::Built>,
    /// Formats not yet rendered: the last one frees the entries.
    formats_left: std::sync::atomic::AtomicUsize,
    context: crate::validate::Context,
}

/// One file the build renders.
#[derive(Clone, Copy)]
enum Task<'c> {
    /// A feed's format: the feed by position in the models, the format by position in
    /// its definition's `formats`.
    Feed {
        position: usize,
        format: usize,
    },
    Combined(&'c combined::Combined<'c>, combined::File),
}

/// What rendering one file found: its validation report, its path, and whether it
/// was valid (then it is staged).
struct Rendered {
    found: Report,
    path: String,
    valid: bool,
}

/// Runs the validation rules on rendered feed outputs and records the findings: errors
/// refuse the outputs (returns false) unless `allow_invalid`, which reports them as
/// warnings; warnings are reported as warnings.
fn validated(
    outputs: &[Output],
    context: &crate::validate::Context,
    options: &Options,
    report: &mut Report,
) -> bool {
    use crate::validate::Severity;
    let mut refused = false;
    for output in outputs {
        let publish::Content::Bytes(bytes) = &output.content else {
            continue;
        };
        let findings = crate::validate::validate(&output.path, bytes, context);
        report.validated.push(output.path.clone());
        for finding in &findings {
            let line = finding
                .line
                .map(|line| format!(" line {line}:"))
                .unwrap_or_default();
            let entry = finding
                .entry
                .as_deref()
                .map(|entry| format!(" entry `{entry}`:"))
                .unwrap_or_default();
            let text = format!(
                "{}:{line}{entry} {} ({})",
                output.path, finding.message, finding.rule.id
            );
            match finding.severity() {
                Severity::Error if !options.allow_invalid => {
                    refused = true;
                    report.errors.push(format!(
                        "{text}; fix it, or pass --allow-invalid to publish anyway"
                    ));
                }
                Severity::Error | Severity::Warning => report.warnings.push(text),
                Severity::Info => {}
            }
        }
        report.findings.extend(findings);
    }
    !refused
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

/// Each staged asset's output path, with the feeds (by index) that publish it.
type AssetOwners = Vec<(String, Vec<usize>)>;

/// The files entries publish beside the feeds: their assets, and their local audio when
/// it is served from under the site's base URL (a CDN elsewhere is synced by the user).
/// A file shared by two entries (or feeds) is copied once; two different files claiming
/// one output path would publish the wrong file for one of them, so the build stops.
/// Returns the files read, and each staged output path with the feeds that publish it.
fn add_assets(
    stage: &mut publish::Stage,
    site: &Site,
    items: &[collect::FeedItems],
    failed: &[bool],
) -> Result<(Vec<std::path::PathBuf>, AssetOwners)> {
    let mut assets: std::collections::BTreeMap<String, (std::path::PathBuf, Vec<usize>)> =
        std::collections::BTreeMap::new();
    let mut read = Vec::new();
    for (index, found) in items.iter().enumerate() {
        if failed[index] {
            continue;
        }
        for item in found.in_output() {
            let mut audio = Vec::new();
            for enclosure in &item.entry.enclosures {
                let Ok(url) = url::Url::parse(&enclosure.url) else {
                    continue;
                };
                let Some(source) = media_in_site(site, &url) else {
                    continue;
                };
                if let Some(output) = media_output(site, &url) {
                    audio.push((output, source.clone()));
                }
                read.push(source);
            }
            let files = item
                .assets
                .iter()
                .map(|asset| (asset.output.clone(), asset.source.clone()))
                .chain(audio);
            for (output, source) in files {
                match assets.get_mut(&output) {
                    Some((known, _)) if *known != source => {
                        anyhow::bail!(
                            "{} and {} would both be published as {output}; rename one of them",
                            known.display(),
                            source.display(),
                        );
                    }
                    Some((_, owners)) => {
                        if owners.last() != Some(&index) {
                            owners.push(index);
                        }
                    }
                    None => {
                        assets.insert(output, (source, vec![index]));
                    }
                }
            }
        }
    }
    let mut owners = Vec::with_capacity(assets.len());
    for (output, (source, feeds)) in assets {
        read.push(source.clone());
        stage.add(Output::copy(output.clone(), source))?;
        owners.push((output, feeds));
    }
    read.sort();
    read.dedup();
    Ok((read, owners))
}

/// The output path of a media URL whose file lives in the site, when the URL is under the
/// base URL: `media_base_url` + path in the site = `base_url` + output path.
fn media_output(site: &Site, url: &url::Url) -> Option<String> {
    crate::ingest::permalink::output_path(&site.base_url, url)
}

/// The file in the site that a media URL under `media_base_url` was made from.
fn media_in_site(site: &Site, url: &url::Url) -> Option<std::path::PathBuf> {
    let in_site = crate::ingest::permalink::output_path(&site.media_base_url, url)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn options(allow_invalid: bool) -> Options {
        Options {
            check: true,
            allow_identity_change: false,
            now: Utc::now(),
            allow_invalid,
            validate_all: false,
            online: false,
        }
    }

    /// A channel without a description: one `rss/channel-required` error.
    const INVALID: &str = "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel>\
        <title>t</title><link>https://example.org/</link>\
        <atom:link rel=\"self\" href=\"https://example.org/rss.xml\"/></channel></rss>";

    #[test]
    fn a_feed_with_errors_is_refused_unless_invalid_feeds_are_allowed() {
        let outputs = [
            Output::bytes("blog/rss.xml", INVALID),
            Output::copy("blog/artwork.jpg", "artwork.jpg"),
        ];
        let context = crate::validate::Context::default();
        let mut report = Report::default();
        assert!(!validated(&outputs, &context, &options(false), &mut report));
        assert_eq!(
            report.errors,
            vec![
                "blog/rss.xml: line 1: no <description> (rss/channel-required); fix it, or pass \
                 --allow-invalid to publish anyway"
            ]
        );
        assert_eq!(report.validated, vec!["blog/rss.xml"]);
        assert_eq!(report.findings.len(), 1);

        let mut report = Report::default();
        assert!(validated(&outputs, &context, &options(true), &mut report));
        assert!(report.errors.is_empty());
        assert_eq!(
            report.warnings,
            vec!["blog/rss.xml: line 1: no <description> (rss/channel-required)"]
        );
    }

    #[test]
    fn only_the_combined_feeds_are_validated_among_site_outputs() {
        assert!(combined::is_feed("rss.xml") && combined::is_feed("atom.xml"));
        assert!(!combined::is_feed("index.json") && !combined::is_feed("feeds.opml"));
    }
}

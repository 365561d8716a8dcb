//! `omroep ingest [--feed NAME] [--json]`: fetch every remote source into the store.
//!
//! Takes the store's run lock first (a second run over the same store exits with status
//! 3), then hands the sources to `ingest::run`. On a terminal a progress bar shows the
//! run; with `-v` each source also gets one plain line on standard error (without it, a
//! cron job stays quiet). Failures are always printed. The summary goes to standard output, as text or, with
//! `--json`, as one JSON object. Exit status 1 when any source failed.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use super::Status;
use super::build::load_site;
use crate::cli::{Cli, GlobalArgs, IngestArgs};
use crate::config::Site;
use crate::ingest::remote::{FetchSettings, user_agent};
use crate::ingest::run::{self, RunReport, RunSettings, SourceOutcome, SourceReport, SourceSpec};
use crate::report;
use crate::store::Store;
use crate::store::lock::StoreLock;

pub fn run(args: &IngestArgs, global: &GlobalArgs) -> Result<Status> {
    let cwd = Cli::current_dir();
    let site = match load_site(global, &cwd) {
        Ok(site) => site,
        Err(status) => return Ok(status),
    };
    let urls = match remote_urls(&site, args.feed.as_deref()) {
        Ok(urls) => urls,
        Err(message) => {
            report::error(&message);
            return Ok(Status::Fatal);
        }
    };
    let settings = RunSettings {
        fetch: FetchSettings {
            user_agent: user_agent(Some(site.base_url.as_str())),
            concurrency: usize::from(args.concurrency),
            per_host: usize::from(args.per_host),
            connect_timeout: Duration::from_secs_f64(args.connect_timeout),
            timeout: Duration::from_secs_f64(args.timeout),
            max_transfer_bytes: args.max_bytes,
            max_body_bytes: args.max_bytes,
            ..FetchSettings::default()
        },
        ..RunSettings::default()
    };
    let _lock = StoreLock::acquire(&site.store)?;
    let report = fetch_into_store(&site, urls, &settings, global)?;

    // Buffered: standard output flushes at every newline, and the pretty JSON of a
    // thousand sources is thousands of lines (as many system calls).
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json() {
        let json = serde_json::json!({
            "totals": report.totals(),
            "sources": report.sources,
        });
        serde_json::to_writer_pretty(&mut stdout, &json)?;
        writeln!(stdout)?;
    } else if !global.quiet {
        write_summary(&mut stdout, &report)?;
    }
    stdout.flush()?;
    Ok(if report.totals().failed > 0 {
        Status::Partial
    } else {
        Status::Success
    })
}

/// The remote source URLs of one feed, or of every feed, each once, in the order the
/// feeds (sorted by name) and their sources name them. An unknown feed name is an error
/// listing the known ones.
pub fn remote_urls(site: &Site, feed: Option<&str>) -> std::result::Result<Vec<String>, String> {
    let selected: Vec<&crate::config::FeedConfig> = match feed {
        Some(name) => match site.feeds.iter().find(|config| config.name == name) {
            Some(config) => vec![config],
            None => {
                let mut known: Vec<&str> = site.feeds.iter().map(|f| f.name.as_str()).collect();
                known.sort_unstable();
                return Err(format!(
                    "--feed {}: no such feed in {}; the feeds are: {}",
                    report::clean(name),
                    site.root.join("feeds").display(),
                    if known.is_empty() {
                        "(none)".to_string()
                    } else {
                        known.join(", ")
                    }
                ));
            }
        },
        None => {
            let mut all: Vec<&crate::config::FeedConfig> = site.feeds.iter().collect();
            all.sort_by(|a, b| a.name.cmp(&b.name));
            all
        }
    };
    let mut urls: Vec<String> = Vec::new();
    for config in selected {
        for url in config.remote_urls() {
            if !urls.iter().any(|known| known == url.as_str()) {
                urls.push(url.to_string());
            }
        }
    }
    Ok(urls)
}

/// The names of the feeds that aggregate `url`, sorted.
pub fn feeds_of(site: &Site, url: &str) -> Vec<String> {
    let mut names: Vec<String> = site
        .feeds
        .iter()
        .filter(|config| config.remote_urls().iter().any(|u| u.as_str() == url))
        .map(|config| config.name.clone())
        .collect();
    names.sort();
    names
}

/// Fetches `urls` into the site's store, printing each source's line as it is recorded:
/// the part of `ingest` that `run` shares. The caller holds the store's run lock.
pub fn fetch_into_store(
    site: &Site,
    urls: Vec<String>,
    settings: &RunSettings,
    _global: &GlobalArgs,
) -> Result<RunReport> {
    let mut store = Store::open(&site.store)?;
    let specs: Vec<SourceSpec> = urls.into_iter().map(|url| SourceSpec { url }).collect();

    let bar = (report::shows(report::Level::Normal)
        && std::io::stderr().is_terminal()
        && !specs.is_empty())
    .then(|| {
        let bar = ProgressBar::new(specs.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} sources  {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let mut on_source = |source: &SourceReport| {
        let line = source_line(source);
        match (&bar, source.is_failure()) {
            (Some(bar), true) => bar.suspend(|| report::error(&line)),
            (Some(bar), false) => {
                bar.set_message(report::clean(&source.url));
                if report::shows(report::Level::Verbose) {
                    bar.suspend(|| report::log(&line));
                }
            }
            (None, true) => report::error(&line),
            (None, false) => report::log(&line),
        }
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let report = run::ingest(&mut store, &specs, settings, &mut on_source)
        .with_context(|| format!("{}", site.store.display()))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(report)
}

/// One source's plain line (without the `omroep:` prefix).
fn source_line(source: &SourceReport) -> String {
    let url = &source.url;
    let moved = match &source.moved_to {
        Some(to) => format!(" (moved permanently to {to})"),
        None => String::new(),
    };
    match &source.outcome {
        SourceOutcome::Fetched {
            entries,
            entries_new,
            entries_changed,
        } => format!(
            "fetched {url}: {entries} entries, {entries_new} new, {entries_changed} changed{moved}"
        ),
        SourceOutcome::NotModified => format!("not modified {url}{moved}"),
        SourceOutcome::Unchanged => format!("unchanged {url}{moved}"),
        SourceOutcome::Failed { error, next_fetch } => {
            let next = next_fetch
                .map(|when| {
                    format!(
                        " (next try after {})",
                        crate::model::utc_seconds::format(&when)
                    )
                })
                .unwrap_or_default();
            let via = if source.fetched_url == *url {
                String::new()
            } else {
                format!(" (fetched as {})", source.fetched_url)
            };
            format!("{url}{via}: {error}{next}")
        }
        SourceOutcome::Retired { error } => format!("retired {url}: {error}"),
        SourceOutcome::SkippedRetired { .. } => {
            format!("skipped {url}: retired (answered 410 Gone earlier)")
        }
        SourceOutcome::Deferred { until, .. } => format!(
            "skipped {url}: backing off after failures until {}",
            until
                .map(|when| crate::model::utc_seconds::format(&when))
                .unwrap_or_default()
        ),
    }
}

pub fn write_summary(out: &mut impl Write, report: &RunReport) -> std::io::Result<()> {
    let totals = report.totals();
    writeln!(
        out,
        "sources: {} fetched, {} not modified, {} failed, {} retired, {} skipped",
        totals.fetched, totals.not_modified, totals.failed, totals.retired, totals.skipped
    )?;
    writeln!(
        out,
        "entries: {} new, {} changed",
        totals.entries_new, totals.entries_changed
    )?;
    for source in &report.sources {
        if let Some(to) = &source.moved_to {
            writeln!(
                out,
                "moved: {} -> {} (permanent redirect; update the feed definition)",
                report::clean(&source.url),
                report::clean(to)
            )?;
        }
        // A retirement happens once (later runs skip the source quietly), so this is the
        // only time a cron job's output names the URL.
        if let SourceOutcome::Retired { error } = &source.outcome {
            let url = report::clean(&source.url);
            writeln!(
                out,
                "retired: {url} ({}; `omroep sources --enable {url}` fetches it again)",
                report::clean(error)
            )?;
        }
    }
    Ok(())
}

//! `omroep diff [--against URL] [--feed NAME] [--exit-code] [--format text|json]`: what
//! the next build would change for subscribers, feed by feed. Writes no output, ledger or
//! build state.
//!
//! Each feed's main format is rendered in memory (`build::preview`) and compared with the
//! published one: the file in the output folder, or with `--against` the same path under
//! that base URL, fetched with omroep's fetcher. Both are read by omroep's parser, so the
//! comparison is of what subscribers see, not of bytes (`crate::diff`). A feed that is not
//! published yet (no file, or 404/410) is `new`.
//!
//! Exit status, as `git diff`: 0 whether or not there are differences, or with
//! `--exit-code` 1 when there are; 2 when a feed could not be compared (its published
//! version unreadable, or its sources broken so the build would not rebuild it).

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Serialize;

use super::Status;
use super::build::load_site;
use crate::build::preview::{self, FeedPreview};
use crate::cli::{Cli, DiffArgs, GlobalArgs, ReportFormat};
use crate::config::{self, Site};
use crate::diff::{self, EntryRef, FeedDiff, FieldChange, quoted_title};
use crate::ingest::feed::{self as parser, ParseOptions};
use crate::ingest::remote::{Answer, FetchError, FetchSettings, Fetcher, Request, user_agent};
use crate::model::Feed;
use crate::report::{self, Style, paint};

/// One feed's result.
#[derive(Debug, Serialize)]
struct FeedReport {
    feed: String,
    /// The file or URL compared with.
    published: String,
    /// `new`, `changed`, `unchanged` or `failed`.
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<String>,
    #[serde(flatten)]
    diff: FeedDiff,
}

#[derive(Debug, Default, Serialize)]
struct Totals {
    new: usize,
    changed: usize,
    unchanged: usize,
    failed: usize,
}

#[derive(Debug, Serialize)]
struct Report {
    /// The output folder or the base URL compared with.
    against: String,
    differences: bool,
    totals: Totals,
    feeds: Vec<FeedReport>,
}

pub fn run(global: &GlobalArgs, args: &DiffArgs) -> Result<Status> {
    let cwd = Cli::current_dir();
    let site = match load_site(global, &cwd) {
        Ok(site) => site,
        Err(status) => return Ok(status),
    };
    let against = match &args.against {
        Some(text) => Some(base_url(text)?),
        None => None,
    };
    if let Some(name) = &args.feed
        && !site.feeds.iter().any(|feed| &feed.name == name)
    {
        let known: Vec<&str> = site.feeds.iter().map(|f| f.name.as_str()).collect();
        report::error(&format!(
            "--feed {}: no such feed; the feeds are: {}",
            report::clean(name),
            known.join(", ")
        ));
        return Ok(Status::Fatal);
    }
    let preview = preview::render(&site, chrono::Utc::now())?;
    for warning in &preview.warnings {
        report::warning(warning);
    }
    let selected: Vec<&FeedPreview> = preview
        .feeds
        .iter()
        .filter(|feed| args.feed.as_ref().is_none_or(|name| &feed.name == name))
        .collect();
    let published = match &against {
        Some(base) => fetch_published(&site, base, &selected)?,
        None => selected
            .iter()
            .map(|feed| read_published(&site, feed, &cwd))
            .collect(),
    };
    let mut feeds = Vec::new();
    for (feed, published) in selected.into_iter().zip(published) {
        feeds.push(compare(&site, feed, published));
    }
    let mut totals = Totals::default();
    for feed in &feeds {
        match feed.status {
            "new" => totals.new += 1,
            "changed" => totals.changed += 1,
            "unchanged" => totals.unchanged += 1,
            _ => totals.failed += 1,
        }
    }
    let report = Report {
        against: match &against {
            Some(url) => url.to_string(),
            None => config::shown_path(&site.output, &cwd)
                .to_string_lossy()
                .into_owned(),
        },
        differences: totals.new + totals.changed > 0,
        totals,
        feeds,
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        ReportFormat::Text => write_text(&mut out, &report, report::settings().color_stdout)?,
    }
    out.flush()?;
    for feed in &report.feeds {
        for error in &feed.errors {
            report::error(&format!("feed `{}`: {error}", feed.feed));
        }
    }
    Ok(if report.totals.failed > 0 {
        Status::Fatal
    } else if args.exit_code && report.differences {
        Status::Partial
    } else {
        Status::Success
    })
}

/// What is published of one feed: where it was looked for, and its bytes (`None` when
/// it is not published), or why it could not be read.
type Published = (String, std::result::Result<Option<Vec<u8>>, String>);

/// A base URL for `--against`: http(s), ending with `/` so feed paths go under it.
fn base_url(text: &str) -> Result<url::Url> {
    let mut url = url::Url::parse(text.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
        .with_context(|| {
            format!("--against {text}: not an http(s) URL; give the published site's base URL")
        })?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn read_published(site: &Site, feed: &FeedPreview, cwd: &std::path::Path) -> Published {
    let file = site.output.join(&feed.path);
    let shown = config::shown_path(&file, cwd)
        .to_string_lossy()
        .into_owned();
    let result = match std::fs::read(&file) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(format!("{shown}: cannot read ({error})")),
    };
    report::debug(&format!("{shown}: read the published feed"));
    (shown, result)
}

fn fetch_published(site: &Site, base: &url::Url, feeds: &[&FeedPreview]) -> Result<Vec<Published>> {
    let settings = FetchSettings {
        user_agent: user_agent(Some(site.base_url.as_str())),
        timeout: Duration::from_secs(60),
        ..FetchSettings::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let fetcher = Fetcher::new(settings).map_err(|error| anyhow::anyhow!("{error}"))?;
    let mut published = Vec::new();
    for feed in feeds {
        let url = base
            .join(&feed.path)
            .map(|url| url.to_string())
            .unwrap_or_else(|_| format!("{base}{}", feed.path));
        let request = Request {
            url: url.clone(),
            ..Request::default()
        };
        let fetched = runtime.block_on(fetcher.fetch(&request));
        let result = match fetched.result {
            Ok(Answer::Body { bytes, .. }) => {
                report::log(&format!("fetched {url}: {} bytes", bytes.len()));
                Ok(Some(bytes))
            }
            Ok(Answer::NotModified { .. }) => {
                Err(format!("{url}: {}", FetchError::UnexpectedNotModified))
            }
            Err(FetchError::Status { status: 404, .. }) | Err(FetchError::Gone) => {
                report::log(&format!("{url}: not published (HTTP 404/410)"));
                Ok(None)
            }
            Err(error) => Err(format!("{url}: {error}")),
        };
        published.push((url, result));
    }
    Ok(published)
}

fn compare(site: &Site, feed: &FeedPreview, (published, bytes): Published) -> FeedReport {
    let failed = |errors: Vec<String>| FeedReport {
        feed: feed.name.clone(),
        published: published.clone(),
        status: "failed",
        errors,
        diff: FeedDiff::default(),
    };
    let rendered = match &feed.rendered {
        Ok(bytes) => bytes,
        Err(errors) => {
            let mut errors = errors.clone();
            errors.push("a build would not rebuild this feed; fix the errors above".into());
            return failed(errors);
        }
    };
    let options = ParseOptions {
        base_url: url::Url::parse(&site.url_of(&feed.path)).ok(),
        ..ParseOptions::default()
    };
    let new = match parser::parse(rendered, &options) {
        Ok(new) => new,
        Err(error) => {
            return failed(vec![format!(
                "the feed a build would write does not parse ({error}); this is a bug in omroep"
            )]);
        }
    };
    let old = match bytes {
        Err(error) => return failed(vec![error]),
        Ok(None) => None,
        Ok(Some(bytes)) => match parser::parse(&bytes, &options) {
            Ok(old) => Some(old),
            Err(error) => return failed(vec![format!("{published}: {error}")]),
        },
    };
    let (status, diff) = match old {
        None => {
            // Everything is new: only the entries are worth listing.
            let empty = Feed::default();
            let mut diff = diff::compare(&empty, &new);
            diff.feed_fields.clear();
            diff.identity.clear();
            ("new", diff)
        }
        Some(old) => {
            let diff = diff::compare(&old, &new);
            let status = if diff.is_empty() {
                "unchanged"
            } else {
                "changed"
            };
            (status, diff)
        }
    };
    FeedReport {
        feed: feed.name.clone(),
        published,
        status,
        errors: Vec::new(),
        diff,
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn write_text(out: &mut impl Write, report: &Report, color: bool) -> std::io::Result<()> {
    for feed in &report.feeds {
        let diff = &feed.diff;
        let mut parts = Vec::new();
        if feed.status == "new" {
            parts.push(format!(
                "new feed, {}",
                count(diff.added.len(), "entry", "entries")
            ));
        } else if feed.status == "changed" {
            if !diff.feed_fields.is_empty() {
                parts.push(count(diff.feed_fields.len(), "feed field", "feed fields"));
            }
            for (n, what) in [
                (diff.added.len(), "added"),
                (diff.changed.len(), "changed"),
                (diff.removed.len(), "removed"),
            ] {
                if n > 0 {
                    parts.push(format!("{n} {what}"));
                }
            }
            if !diff.identity.is_empty() {
                parts.push(count(
                    diff.identity.len(),
                    "identity warning",
                    "identity warnings",
                ));
            }
        } else {
            parts.push(feed.status.to_string());
        }
        writeln!(
            out,
            "{} {} ({}): {}",
            paint("==", Style::Bold, color),
            feed.feed,
            report::clean(&feed.published),
            parts.join(", ")
        )?;
        if !diff.feed_fields.is_empty() {
            writeln!(
                out,
                "{} feed: {}",
                paint("~", Style::Yellow, color),
                fields_text(&diff.feed_fields)
            )?;
        }
        for entry in &diff.added {
            writeln!(
                out,
                "{} {}",
                paint("+", Style::Green, color),
                entry_text(entry)
            )?;
        }
        for change in &diff.changed {
            writeln!(
                out,
                "{} {}: {}",
                paint("~", Style::Yellow, color),
                entry_text(&change.entry),
                fields_text(&change.fields)
            )?;
        }
        for entry in &diff.removed {
            writeln!(
                out,
                "{} {}",
                paint("-", Style::Red, color),
                entry_text(entry)
            )?;
        }
        for warning in &diff.identity {
            writeln!(
                out,
                "{} identity: {}",
                paint("!", Style::Red, color),
                report::clean(&warning.to_string())
            )?;
        }
    }
    let totals = &report.totals;
    let mut summary = format!(
        "diff: {} changed, {} new, {} unchanged",
        count(totals.changed, "feed", "feeds"),
        totals.new,
        totals.unchanged
    );
    if totals.failed > 0 {
        summary.push_str(&format!(", {} failed", totals.failed));
    }
    writeln!(out, "{summary}")
}

fn entry_text(entry: &EntryRef) -> String {
    report::clean(&format!("{} <{}>", quoted_title(&entry.title), entry.guid))
}

fn fields_text(fields: &[FieldChange]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|change| match &change.values {
            Some(values) => {
                let shown = |value: &Option<String>| match value {
                    Some(value) => format!("\"{value}\""),
                    None => "(none)".into(),
                };
                format!(
                    "{} {} -> {}",
                    change.field,
                    shown(&values.old),
                    shown(&values.new)
                )
            }
            None => format!("{} changed", change.field),
        })
        .collect();
    report::clean(&parts.join("; "))
}

//! `omroep sources [--failing] [--json] [--enable URL]`: every remote source the feed
//! definitions name, with what the store knows of it.
//!
//! A source's state is `new` (never fetched), `ok`, `failing` (its last fetch failed;
//! it is retried after back-off) or `retired` (it answered 410 Gone and is not fetched
//! until `--enable URL` brings it back). `--failing` lists only those that need
//! attention: failing and retired ones, and those moved by a permanent redirect whose
//! definition still names the old URL.

use std::collections::HashMap;
use std::io::Write;

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Status;
use super::build::load_site;
use super::ingest::{feeds_of, remote_urls};
use crate::cli::{Cli, GlobalArgs, SourcesArgs};
use crate::config::Site;
use crate::model::utc_seconds;
use crate::report;
use crate::store::{SourceState, Store};

#[derive(Debug, Serialize)]
struct Row {
    url: String,
    /// Where it is fetched now, when a permanent redirect moved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    moved_to: Option<String>,
    state: &'static str,
    feeds: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    entries: u64,
    #[serde(skip_serializing_if = "Option::is_none", with = "utc_seconds::option")]
    last_fetch: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none", with = "utc_seconds::option")]
    last_success: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
    consecutive_failures: u32,
    #[serde(skip_serializing_if = "Option::is_none", with = "utc_seconds::option")]
    next_fetch: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none", with = "utc_seconds::option")]
    retired_at: Option<DateTime<Utc>>,
}

impl Row {
    fn needs_attention(&self) -> bool {
        matches!(self.state, "failing" | "retired") || self.moved_to.is_some()
    }
}

pub fn run(args: &SourcesArgs, global: &GlobalArgs) -> Result<Status> {
    let site = match load_site(global, &Cli::current_dir()) {
        Ok(site) => site,
        Err(status) => return Ok(status),
    };
    let urls = match remote_urls(&site, None) {
        Ok(urls) => urls,
        Err(message) => {
            report::error(&message);
            return Ok(Status::Fatal);
        }
    };
    let mut store = Store::open(&site.store)?;
    if let Some(url) = &args.enable {
        if !store.reenable(url)? {
            bail!(
                "{url}: the store has no such source; `omroep sources` lists them (use the URL as configured)"
            );
        }
        if report::shows(report::Level::Normal) {
            eprintln!(
                "{}: enabled; the next ingest fetches it",
                report::clean(url)
            );
        }
        return Ok(Status::Success);
    }
    let known: HashMap<String, SourceState> = store
        .sources()?
        .into_iter()
        .map(|state| (state.configured_url.clone(), state))
        .collect();
    let rows: Vec<Row> = urls
        .into_iter()
        .map(|url| row(&site, url.clone(), known.get(&url)))
        .filter(|row| !args.failing || row.needs_attention())
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json() {
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
    } else {
        for row in &rows {
            write_row(&mut out, row)?;
        }
    }
    out.flush()?;
    Ok(Status::Success)
}

fn row(site: &Site, url: String, state: Option<&SourceState>) -> Row {
    let feeds = feeds_of(site, &url);
    let Some(state) = state else {
        return Row {
            url,
            moved_to: None,
            state: "new",
            feeds,
            title: None,
            entries: 0,
            last_fetch: None,
            last_success: None,
            last_status: None,
            last_error: None,
            consecutive_failures: 0,
            next_fetch: None,
            retired_at: None,
        };
    };
    let label = if state.retired_at.is_some() {
        "retired"
    } else if state.consecutive_failures > 0 {
        "failing"
    } else if state.last_fetch.is_some() {
        "ok"
    } else {
        "new"
    };
    Row {
        moved_to: (state.url != url).then(|| state.url.clone()),
        url,
        state: label,
        feeds,
        title: state.title.clone(),
        entries: state.entries,
        last_fetch: state.last_fetch,
        last_success: state.last_success,
        last_status: state.last_status,
        last_error: state.last_error.clone(),
        consecutive_failures: state.consecutive_failures,
        next_fetch: state.next_fetch,
        retired_at: state.retired_at,
    }
}

fn write_row(out: &mut impl Write, row: &Row) -> std::io::Result<()> {
    let title = row
        .title
        .as_deref()
        .map(|title| format!("  \"{}\"", report::clean(title)))
        .unwrap_or_default();
    writeln!(
        out,
        "{:<8} {}  [{}] {} entries{title}",
        row.state,
        report::clean(&row.url),
        row.feeds.join(", "),
        row.entries
    )?;
    let date = |when: &Option<DateTime<Utc>>| when.as_ref().map(utc_seconds::format);
    if let Some(last) = date(&row.last_fetch) {
        let status = row
            .last_status
            .map(|s| format!(" (HTTP {s})"))
            .unwrap_or_default();
        writeln!(out, "         last fetch {last}{status}")?;
    }
    if let Some(to) = &row.moved_to {
        writeln!(
            out,
            "         moved permanently to {}; update the feed definition",
            report::clean(to)
        )?;
    }
    if let Some(error) = &row.last_error {
        writeln!(
            out,
            "         error: {} ({} failures in a row)",
            report::clean(error),
            row.consecutive_failures
        )?;
    }
    if let Some(next) = date(&row.next_fetch) {
        writeln!(out, "         next try after {next}")?;
    }
    if let Some(since) = date(&row.retired_at) {
        writeln!(
            out,
            "         retired {since}; `omroep sources --enable {}` fetches it again",
            report::clean(&row.url)
        )?;
    }
    Ok(())
}

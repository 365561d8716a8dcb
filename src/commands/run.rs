//! `omroep run`: ingest, then build; what cron and CI call.
//!
//! Local content (Markdown posts, audio folders) is read inside the build, once per run.
//! Remote sources (`url`, and the feeds of `opml` files) are first fetched into the store
//! exactly as `omroep ingest` does, under the store's run lock, which the run holds until
//! its build has written everything. A source that fails makes the run partial (exit 1)
//! while the build still goes ahead with what the store holds; a configuration or store
//! error stops the run (exit 2), and a store locked by another run, `ingest` or `build`
//! exits 3.

use std::io::Write;

use anyhow::Result;

use super::Status;
use super::build::{build_and_report, build_json, load_site};
use super::ingest::{fetch_into_store, remote_urls, write_summary};
use crate::cli::{BuildArgs, Cli, GlobalArgs, ReportFormat};
use crate::ingest::remote::{FetchSettings, user_agent};
use crate::ingest::run::RunSettings;
use crate::report;
use crate::store::lock::StoreLock;

pub fn run(global: &GlobalArgs, args: &BuildArgs) -> Result<Status> {
    let cwd = Cli::current_dir();
    let site = match load_site(global, &cwd) {
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
    let json = args.format == ReportFormat::Json;
    let mut sources_failed = false;
    let mut ingest_json = serde_json::Value::Null;
    let _lock = if args.check {
        None
    } else {
        Some(StoreLock::acquire(&site.store)?)
    };
    if !urls.is_empty() && !args.check {
        let settings = RunSettings {
            fetch: FetchSettings {
                user_agent: user_agent(Some(site.base_url.as_str())),
                ..FetchSettings::default()
            },
            ..RunSettings::default()
        };
        let ingested = fetch_into_store(&site, urls, &settings, global)?;
        if json {
            ingest_json = serde_json::json!({
                "totals": ingested.totals(),
                "sources": ingested.sources,
            });
        } else if report::shows(report::Level::Normal) {
            let mut stdout = std::io::stdout().lock();
            write_summary(&mut stdout, &ingested)?;
            stdout.flush()?;
        }
        sources_failed = ingested.totals().failed > 0;
    }
    let built = if json {
        let (status, build) = build_json(&site, args, &cwd)?;
        let mut stdout = std::io::stdout().lock();
        let document = serde_json::json!({"ingest": ingest_json, "build": build});
        serde_json::to_writer_pretty(&mut stdout, &document)?;
        writeln!(stdout)?;
        stdout.flush()?;
        status
    } else {
        build_and_report(&site, global, args, &cwd)?
    };
    Ok(match built {
        Status::Success if sources_failed => Status::Partial,
        status => status,
    })
}

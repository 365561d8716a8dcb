//! `omroep build [--check] [--allow-identity-change]`: render every feed, the combined
//! index and the OPML, and print what changed.
//!
//! Standard output lists each file written or removed (`-v` adds the unchanged ones) and a
//! summary line, or with `--format json` one JSON document (docs/json-output.md); warnings
//! and errors go to standard error. Exit status: 0 when all feeds
//! were built (and, with `--check`, nothing would change), 1 when a feed was not rebuilt or
//! `--check` found changes, 2 for configuration, ledger or disk errors.

use std::io::{self, Write};
use std::path::Path;

use anyhow::Result;

use super::Status;
use crate::build::{self, Options};
use crate::cli::{BuildArgs, Cli, GlobalArgs, ReportFormat};
use crate::config::{self, Site};
use crate::publish::Change;
use crate::report;

pub fn run(global: &GlobalArgs, args: &BuildArgs) -> Result<Status> {
    let cwd = Cli::current_dir();
    let site = match load_site(global, &cwd) {
        Ok(site) => site,
        Err(status) => return Ok(status),
    };
    // A build writes the outputs, the ledger and the store's file cache: two at once (a
    // user's `build` while cron's `run` builds) would interleave them. `--check` writes
    // nothing and needs no lock.
    let _lock = if args.check {
        None
    } else {
        Some(crate::store::lock::StoreLock::acquire(&site.store)?)
    };
    build_and_report(&site, global, args, &cwd)
}

/// Finds and checks the configuration, printing every problem; `Err` carries the status
/// to exit with.
pub fn load_site(global: &GlobalArgs, cwd: &Path) -> std::result::Result<Site, Status> {
    let file = config::locate(global.config.as_deref(), cwd).map_err(|error| {
        report::error(&error.to_string());
        Status::Fatal
    })?;
    let site = config::load(&file, cwd).map_err(|errors| {
        for error in &errors {
            report::error(&error.to_string());
        }
        Status::Fatal
    })?;
    report::debug(&format!(
        "{}: {} feeds, output folder {}",
        config::shown_path(&file, cwd).display(),
        site.feeds.len(),
        config::shown_path(&site.output, cwd).display()
    ));
    Ok(site)
}

/// Builds the site and returns the report as JSON (warnings and errors are printed).
pub fn build_json(
    site: &Site,
    args: &BuildArgs,
    cwd: &Path,
) -> Result<(Status, serde_json::Value)> {
    let outcome = build_site(site, args)?;
    let status = status_of(&outcome, args);
    let count = |wanted: &[Change]| {
        outcome
            .changes
            .iter()
            .filter(|(_, change)| wanted.contains(change))
            .count()
    };
    let changes: Vec<serde_json::Value> = outcome
        .changes
        .iter()
        .map(|(path, change)| serde_json::json!({"path": path, "change": change.as_str()}))
        .collect();
    let json = serde_json::json!({
        "check": args.check,
        "output": config::shown_path(&site.output, cwd).to_string_lossy(),
        "changed": outcome.changed_anything(),
        "totals": {
            "written": count(&[Change::Created, Change::Updated]),
            "unchanged": count(&[Change::Unchanged]),
            "removed": count(&[Change::Removed]),
        },
        "files": changes,
        "ledger": {
            "file": config::shown_path(&site.ledger, cwd).to_string_lossy(),
            "changed": outcome.ledger_changed,
            "new_entries": outcome.ledger_added,
        },
        "failed_feeds": outcome.failed_feeds,
        "errors": outcome.errors,
        "warnings": outcome.warnings,
    });
    Ok((status, json))
}

/// Runs the build and prints its warnings and errors on standard error.
fn build_site(site: &Site, args: &BuildArgs) -> Result<build::Report> {
    let options = Options {
        check: args.check,
        allow_identity_change: args.allow_identity_change,
        now: chrono::Utc::now(),
        allow_invalid: args.allow_invalid,
        validate_all: false,
        online: false,
    };
    let started = std::time::Instant::now();
    let outcome = build::run(site, &options)?;
    report::debug(&format!("build took {} ms", started.elapsed().as_millis()));
    for warning in &outcome.warnings {
        report::warning(warning);
    }
    for error in &outcome.errors {
        report::error(error);
    }
    Ok(outcome)
}

fn status_of(outcome: &build::Report, args: &BuildArgs) -> Status {
    if !outcome.failed_feeds.is_empty() || (args.check && outcome.changed_anything()) {
        Status::Partial
    } else {
        Status::Success
    }
}

/// Builds the site and prints the report.
pub fn build_and_report(
    site: &Site,
    global: &GlobalArgs,
    args: &BuildArgs,
    cwd: &Path,
) -> Result<Status> {
    if args.format == ReportFormat::Json {
        let (status, json) = build_json(site, args, cwd)?;
        let mut stdout = io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &json)?;
        writeln!(stdout)?;
        stdout.flush()?;
        return Ok(status);
    }
    let outcome = build_site(site, args)?;

    let mut stdout = io::stdout().lock();
    let output = config::shown_path(&site.output, cwd);
    let ledger = config::shown_path(&site.ledger, cwd);
    let (mut written, mut unchanged, mut removed) = (0usize, 0usize, 0usize);
    for (path, change) in &outcome.changes {
        match change {
            Change::Created | Change::Updated => written += 1,
            Change::Unchanged => unchanged += 1,
            Change::Removed => removed += 1,
        }
        let show = *change != Change::Unchanged || global.verbose > 0;
        if show && !global.quiet {
            let verb = if args.check && *change != Change::Unchanged {
                format!("would be {}", change.as_str())
            } else {
                change.as_str().to_string()
            };
            writeln!(
                stdout,
                "{verb} {}",
                report::clean(&output.join(path).to_string_lossy())
            )?;
        }
    }
    if outcome.ledger_changed && !global.quiet {
        let verb = if args.check {
            "would be updated"
        } else {
            "updated"
        };
        writeln!(
            stdout,
            "{verb} {} ({} new {})",
            ledger.display(),
            outcome.ledger_added,
            if outcome.ledger_added == 1 {
                "entry"
            } else {
                "entries"
            }
        )?;
    }
    if !global.quiet {
        let summary = if args.check {
            if outcome.changed_anything() {
                format!(
                    "check: outputs are out of date ({written} to write, {removed} to remove, {unchanged} unchanged)"
                )
            } else {
                format!("check: outputs are up to date ({unchanged} files)")
            }
        } else if outcome.changed_anything() {
            format!("build: {written} written, {unchanged} unchanged, {removed} removed")
        } else {
            format!("build: nothing changed ({unchanged} files unchanged)")
        };
        let failed = match outcome.failed_feeds.len() {
            0 => String::new(),
            1 => "; 1 feed not rebuilt".to_string(),
            n => format!("; {n} feeds not rebuilt"),
        };
        writeln!(stdout, "{summary}{failed}")?;
    }
    stdout.flush()?;
    Ok(status_of(&outcome, args))
}

//! `omroep import SOURCE`: turn a feed into local content (see `create::import`) and
//! print what was written: one line per file created or updated (`-v` adds the
//! unchanged ones), then a summary; with `--dry-run` the same lines say what would be
//! written. `--format json` prints the whole report as one object. Warnings (what a
//! build cannot reproduce exactly, what the feed definition still needs) go to standard
//! error.
//!
//! Import needs the site folder but not a site that builds: a podcast definition it
//! just wrote may still lack artwork, and a second import must still work. So only the
//! site file's `timezone` is read here, not the whole configuration.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::Status;
use crate::cli::{Cli, GlobalArgs, ImportArgs, ReportFormat};
use crate::config::{self, values::TimeZone};
use crate::create::import::{self, Action, Options, Report};
use crate::report;

pub fn run(args: &ImportArgs, global: &GlobalArgs) -> Result<Status> {
    let cwd = Cli::current_dir();
    let site_file = match config::locate(global.config.as_deref(), &cwd) {
        Ok(file) => file,
        Err(error) => {
            report::error(&error.to_string());
            return Ok(Status::Fatal);
        }
    };
    let root = site_file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let zone = match site_zone(&site_file, &cwd) {
        Ok(zone) => zone,
        Err(message) => {
            report::error(&message);
            return Ok(Status::Fatal);
        }
    };
    let options = Options {
        source: args.source.clone(),
        feed: args.feed.clone(),
        into: args.into.clone(),
        dry_run: args.dry_run,
        max_pages: args.max_pages,
        max_bytes: args.max_bytes,
    };
    let report = import::run(&root, zone, &options)?;
    for warning in report.warnings.iter().chain(&report.skipped) {
        if !global.quiet {
            report::warning(warning);
        }
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        ReportFormat::Text => write_text(&mut out, &report, &root, &cwd, global)?,
    }
    Ok(if report.skipped.is_empty() {
        Status::Success
    } else {
        Status::Partial
    })
}

/// The site's time zone, from the site file alone.
fn site_zone(site_file: &Path, cwd: &Path) -> Result<chrono_tz::Tz, String> {
    let shown = config::shown_path(site_file, cwd);
    let text = std::fs::read_to_string(site_file)
        .map_err(|e| format!("{}: cannot read ({e})", shown.display()))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        format!(
            "{}: not valid TOML ({})",
            shown.display(),
            e.message().trim()
        )
    })?;
    match table.get("timezone") {
        None => Ok(chrono_tz::Tz::UTC),
        Some(value) => value
            .as_str()
            .ok_or_else(|| "expected a time zone name".to_string())
            .and_then(TimeZone::parse)
            .map(|zone| zone.0)
            .map_err(|message| format!("{}: key `timezone`: {message}", shown.display())),
    }
}

fn write_text(
    out: &mut impl Write,
    report: &Report,
    root: &Path,
    cwd: &Path,
    global: &GlobalArgs,
) -> Result<()> {
    let shown =
        |path: &str| report::clean(&config::shown_path(&root.join(path), cwd).to_string_lossy());
    let verb = |action: Action| match (action, report.dry_run) {
        (Action::Create, false) => "created",
        (Action::Create, true) => "would create",
        (Action::Update, false) => "updated",
        (Action::Update, true) => "would update",
        (Action::Unchanged, _) => "unchanged",
    };
    for planned in std::iter::once(&report.definition).chain(&report.files) {
        if planned.action != Action::Unchanged || global.verbose > 0 {
            writeln!(out, "{} {}", verb(planned.action), shown(&planned.path))
                .context("standard output")?;
        }
    }
    let pages = if report.pages == 1 { "page" } else { "pages" };
    writeln!(
        out,
        "import{}: {} entries from {} {pages}: {} {}, {} unchanged, {} skipped",
        if report.dry_run { " (dry run)" } else { "" },
        report.entries,
        report.pages,
        report.count(Action::Create),
        if report.dry_run {
            "to write"
        } else {
            "written"
        },
        report.count(Action::Unchanged),
        report.skipped.len()
    )?;
    Ok(())
}

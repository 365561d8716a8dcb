//! `omroep validate [TARGET…] [--explain RULE] [--format text|json|sarif] [--strict]`.
//!
//! Without a target it validates every feed the site builds by running the build in
//! memory (check mode: nothing is written) with identity changes and invalid feeds let
//! through, so every feed is rendered exactly as `build` would write it and every
//! finding, the `identity/…` ones against the ledger included, is reported. The combined
//! `rss.xml` and `atom.xml` are checked too. With targets, each file, `-` or URL is read
//! (URLs with the one-shot fetcher of `parse`, `ingest::document`) and checked alone.
//!
//! Findings go to standard output in the chosen format; problems reading a target or the
//! site go to standard error. Exit status: 0 without errors (and, under `--strict`,
//! without warnings), 1 when some finding fails the run or a target could not be read,
//! 2 for an unknown rule, bad arguments or configuration.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::Result;

use super::Status;
use crate::build::{self, Options};
use crate::cli::{Cli, ColorChoice, GlobalArgs, ValidateArgs, ValidateFormat};
use crate::config;
use crate::ingest::document::{self, UrlReader, is_url, read_capped};
use crate::report;
use crate::validate::{self, Context, Finding, output, rules};

pub fn run(global: &GlobalArgs, args: &ValidateArgs) -> Result<Status> {
    let mut stdout = io::stdout().lock();
    if let Some(id) = &args.explain {
        let Some(rule) = rules::find(id) else {
            report::error(&format!(
                "no rule `{id}`; rule ids look like `rss/guid-unique`, and docs/validate.md \
                 lists them all"
            ));
            return Ok(Status::Fatal);
        };
        output::explain(&mut stdout, rule)?;
        return Ok(Status::Success);
    }
    let cwd = Cli::current_dir();
    let (targets, findings, unreadable) = if args.targets.is_empty() {
        match site_findings(global, &cwd, args.online)? {
            Ok(found) => found,
            Err(status) => return Ok(status),
        }
    } else {
        target_findings(&args.targets, args.max_bytes, &cwd, args.online)
    };
    match args.format {
        ValidateFormat::Text => {
            let color = use_color(global.color, io::stdout().is_terminal());
            output::text(&mut stdout, &findings, &targets, color)?;
        }
        ValidateFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &output::json(&findings, &targets))?;
            writeln!(stdout)?;
        }
        ValidateFormat::Sarif => {
            serde_json::to_writer_pretty(&mut stdout, &output::sarif(&findings))?;
            writeln!(stdout)?;
        }
    }
    stdout.flush()?;
    Ok(if unreadable || validate::fails(&findings, args.strict) {
        Status::Partial
    } else {
        Status::Success
    })
}

type Found = (Vec<String>, Vec<Finding>, bool);

/// Every feed the site builds, rendered in memory and checked by the build itself.
fn site_findings(
    global: &GlobalArgs,
    cwd: &Path,
    online: bool,
) -> Result<std::result::Result<Found, Status>> {
    let site = match super::build::load_site(global, cwd) {
        Ok(site) => site,
        Err(status) => return Ok(Err(status)),
    };
    let options = Options {
        check: true,
        allow_identity_change: true,
        now: chrono::Utc::now(),
        allow_invalid: true,
        validate_all: true,
        online,
    };
    let outcome = build::run(&site, &options)?;
    // Problems that kept a feed from rendering at all (a broken post, an unreadable
    // source) are not findings but still mean the site's feeds were not all checked.
    for error in &outcome.errors {
        report::error(error);
    }
    let shown = config::shown_path(&site.output, cwd);
    let name = |path: &str| shown.join(path).to_string_lossy().replace('\\', "/");
    let targets = outcome.validated.iter().map(|path| name(path)).collect();
    let findings = outcome
        .findings
        .into_iter()
        .map(|mut finding| {
            finding.target = name(&finding.target);
            finding
        })
        .collect();
    Ok(Ok((targets, findings, !outcome.errors.is_empty())))
}

/// Each target read and checked alone; one that cannot be read is reported and skipped.
fn target_findings(sources: &[String], max_bytes: usize, cwd: &Path, online: bool) -> Found {
    let mut urls = UrlReader::default();
    let mut targets = Vec::new();
    let mut findings = Vec::new();
    let mut unreadable = false;
    for source in sources {
        let mut context = Context {
            online,
            ..Context::default()
        };
        match read(source, max_bytes, &mut urls, &mut context, cwd) {
            Ok((name, bytes)) => {
                findings.extend(validate::validate(&name, &bytes, &context));
                targets.push(name);
            }
            Err(error) => {
                report::error(&format!("{error:#}"));
                unreadable = true;
            }
        }
    }
    (targets, findings, unreadable)
}

/// The bytes of one target and the name findings give it; fills in what the context can
/// know (the folder of a file, the address of a URL).
fn read(
    source: &str,
    max_bytes: usize,
    urls: &mut UrlReader,
    context: &mut Context,
    cwd: &Path,
) -> Result<(String, Vec<u8>)> {
    if is_url(source) {
        let url = url::Url::parse(source)
            .map_err(|error| anyhow::anyhow!("{source}: not a valid URL ({error})"))?;
        let (fetched, _) = urls.get(&url, max_bytes)?;
        context.feed_url = Some(source.to_string());
        return Ok((source.to_string(), fetched.bytes));
    }
    if source == "-" {
        let bytes = document::read_stdin(max_bytes)?;
        if bytes.len() > max_bytes {
            anyhow::bail!("standard input: larger than {max_bytes} bytes; raise --max-bytes");
        }
        context.base_dir = Some(cwd.to_path_buf());
        return Ok(("standard input".to_string(), bytes));
    }
    let bytes = read_capped(source, max_bytes)?;
    if bytes.len() > max_bytes {
        anyhow::bail!("{source}: larger than {max_bytes} bytes; raise --max-bytes");
    }
    context.base_dir = Path::new(source).parent().map(|parent| cwd.join(parent));
    Ok((source.to_string(), bytes))
}

/// Whether to colour text output: `--color`, else a terminal without `NO_COLOR` set.
fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        }
    }
}

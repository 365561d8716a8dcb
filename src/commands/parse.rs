//! `omroep parse SOURCE… [--json]`: read feeds and print the normalised model.
//!
//! A source is a file path, `-` (standard input) or an http(s) URL (`http.rs`). One
//! source with `--json` prints the contract's object alone; several print one compact
//! object per line, each with a `source` key, and a source that fails prints
//! `{"source": …, "error": …}` on its line while the others go on. Without `--json` a
//! short summary is printed. Every failure is also reported on standard error, and any
//! failure makes the exit status non-zero.

pub mod http;

use std::io::{self, Read, Write};

use anyhow::{Context, Result};

use super::Status;
use crate::cli::ParseArgs;
use crate::ingest::feed::{self, ParseOptions};
use crate::model::Feed;
use crate::report;

pub fn run(args: &ParseArgs) -> Result<Status> {
    let options = ParseOptions {
        max_bytes: args.max_bytes,
        ..ParseOptions::default()
    };
    let mut stdout = io::stdout().lock();
    let several = args.sources.len() > 1;
    let mut failed = 0;
    let mut fetcher = None;
    for source in &args.sources {
        let result = parse_source(source, &options, &mut fetcher);
        match (result, args.json(), several) {
            (Ok(feed), true, false) => {
                serde_json::to_writer_pretty(&mut stdout, &feed)?;
                writeln!(stdout)?;
            }
            (Ok(feed), true, true) => {
                let line = SourcedFeed {
                    source,
                    feed: &feed,
                };
                serde_json::to_writer(&mut stdout, &line)?;
                writeln!(stdout)?;
            }
            (Ok(feed), false, _) => {
                write_summary(&mut stdout, source, &feed, several)?;
            }
            (Err(error), json, several) => {
                failed += 1;
                let message = format!("{error:#}");
                if json && several {
                    let line = serde_json::json!({"source": source, "error": message});
                    serde_json::to_writer(&mut stdout, &line)?;
                    writeln!(stdout)?;
                }
                report::error(&message);
            }
        }
    }
    stdout.flush()?;
    Ok(if failed == 0 {
        Status::Success
    } else {
        Status::Partial
    })
}

/// One line of the several-sources output: the source first, then the contract's
/// fields, written straight out (no intermediate JSON value for a large feed).
#[derive(serde::Serialize)]
struct SourcedFeed<'a> {
    source: &'a str,
    #[serde(flatten)]
    feed: &'a Feed,
}

/// Reads and parses one source: a path, `-`, or an http(s) URL. Errors name the source.
fn parse_source(
    source: &str,
    options: &ParseOptions,
    fetcher: &mut Option<http::Fetcher>,
) -> Result<Feed> {
    if is_url(source) {
        let url = url::Url::parse(source)
            .map_err(|error| anyhow::anyhow!("{source}: not a valid URL ({error})"))?;
        if fetcher.is_none() {
            *fetcher = Some(http::Fetcher::new()?);
        }
        let Some(client) = fetcher.as_ref() else {
            anyhow::bail!("{source}: no HTTP client");
        };
        let fetched = client
            .get(&url, options.max_bytes)
            .with_context(|| source.to_string())?;
        let options = ParseOptions {
            base_url: Some(fetched.base_url),
            http_charset: fetched.charset,
            http_language: fetched.language,
            ..options.clone()
        };
        return feed::parse(&fetched.bytes, &options).with_context(|| source.to_string());
    }
    let (name, bytes) = if source == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .take(options.max_bytes as u64 + 1)
            .read_to_end(&mut bytes)
            .context("standard input: could not read")?;
        ("standard input", bytes)
    } else {
        (source, read_capped(source, options.max_bytes)?)
    };
    feed::parse(&bytes, options).with_context(|| name.to_string())
}

/// Whether a source names an http(s) URL rather than a file.
pub(crate) fn is_url(source: &str) -> bool {
    let lower = source.get(..8).unwrap_or(source).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Reads a file, refusing one over the limit before reading it when its size is known.
pub(crate) fn read_capped(path: &str, max_bytes: usize) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .map_err(|error| anyhow::anyhow!("{path}: could not open ({error}); check the path"))?;
    if let Ok(metadata) = file.metadata() {
        if metadata.is_dir() {
            anyhow::bail!("{path}: is a folder, not a feed file");
        }
        if metadata.len() > max_bytes as u64 {
            return Err(feed::ParseError::TooLarge {
                size: usize::try_from(metadata.len()).unwrap_or(usize::MAX),
                limit: max_bytes,
            })
            .with_context(|| path.to_string());
        }
    }
    let mut bytes = Vec::new();
    file.take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{path}: could not read"))?;
    Ok(bytes)
}

fn write_summary(out: &mut impl Write, source: &str, feed: &Feed, several: bool) -> io::Result<()> {
    if several {
        writeln!(out, "== {}", report::clean(source))?;
    }
    writeln!(out, "format:   {}", feed.format.as_str())?;
    if let Some(title) = &feed.title {
        writeln!(out, "title:    {}", report::clean(title))?;
    }
    if let Some(link) = &feed.link {
        writeln!(out, "link:     {}", report::clean(link))?;
    }
    writeln!(out, "entries:  {}", feed.entries.len())?;
    let mut newest: Vec<_> = feed.entries.iter().collect();
    newest.sort_by_key(|entry| std::cmp::Reverse(entry.published.or(entry.updated)));
    for entry in newest.iter().take(5) {
        let date = entry
            .published
            .or(entry.updated)
            .map(|date| date.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "----------".into());
        let title = entry.title.as_deref().unwrap_or("(untitled)");
        writeln!(out, "  {date}  {}", report::clean(title))?;
    }
    if !feed.warnings.is_empty() {
        writeln!(out, "warnings: {}", feed.warnings.len())?;
        for warning in &feed.warnings {
            writeln!(out, "  - {}", report::clean(warning))?;
        }
    }
    Ok(())
}

//! `omroep parse SOURCE… [--json]`: read feeds and print the normalised model.
//!
//! A source is a file path, `-` (standard input) or an http(s) URL (read through
//! `ingest::document`). One
//! source with `--json` prints the contract's object alone; several print one compact
//! object per line, each with a `source` key, and a source that fails prints
//! `{"source": …, "error": …}` on its line while the others go on. Without `--json` a
//! short summary is printed. Every failure is also reported on standard error, and any
//! failure makes the exit status non-zero.

use std::io::{self, Write};

use anyhow::{Context, Result};

use super::Status;
use crate::cli::ParseArgs;
use crate::ingest::document::{self, UrlReader};
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
    let mut urls = UrlReader::default();
    for source in &args.sources {
        let result = parse_source(source, &options, &mut urls);
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
fn parse_source(source: &str, options: &ParseOptions, urls: &mut UrlReader) -> Result<Feed> {
    if document::is_url(source) {
        let url = url::Url::parse(source)
            .map_err(|error| anyhow::anyhow!("{source}: not a valid URL ({error})"))?;
        let (fetched, options) = urls.get(&url, options.max_bytes)?;
        return feed::parse(&fetched.bytes, &options).with_context(|| source.to_string());
    }
    let (name, bytes) = if source == "-" {
        ("standard input", document::read_stdin(options.max_bytes)?)
    } else {
        (source, document::read_capped(source, options.max_bytes)?)
    };
    feed::parse(&bytes, options).with_context(|| name.to_string())
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

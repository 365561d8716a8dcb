//! `omroep parse SOURCE… [--json]`: read feeds and print the normalised model.
//!
//! One source with `--json` prints the contract's object alone; several print one compact
//! object per line, each with a `source` key, and a source that fails prints
//! `{"source": …, "error": …}` on its line while the others go on.

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
    for source in &args.sources {
        let result = parse_source(source, &options);
        match (result, args.json, several) {
            (Ok(feed), true, false) => {
                serde_json::to_writer_pretty(&mut stdout, &feed)?;
                writeln!(stdout)?;
            }
            (Ok(feed), true, true) => {
                let mut object = serde_json::Map::new();
                object.insert("source".into(), source.clone().into());
                if let serde_json::Value::Object(fields) = serde_json::to_value(&feed)? {
                    object.extend(fields);
                }
                serde_json::to_writer(&mut stdout, &object)?;
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

/// Reads and parses one source: a path, `-`, or an http(s) URL.
fn parse_source(source: &str, options: &ParseOptions) -> Result<Feed> {
    if source.starts_with("http://") || source.starts_with("https://") {
        anyhow::bail!("{source}: fetching URLs is not supported yet; save the feed to a file");
    }
    let bytes = if source == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .take(options.max_bytes as u64 + 1)
            .read_to_end(&mut bytes)
            .context("standard input: could not read")?;
        bytes
    } else {
        read_capped(source, options.max_bytes)?
    };
    let name = if source == "-" {
        "standard input"
    } else {
        source
    };
    feed::parse(&bytes, options).with_context(|| name.to_string())
}

fn read_capped(path: &str, max_bytes: usize) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).with_context(|| format!("{path}: could not open"))?;
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

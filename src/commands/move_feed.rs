//! `omroep move-feed NEW_URL [--feed NAME]`: a feed moves to another address.
//!
//! For a podcast, the move is recorded in its definition (`feeds/NAME.toml`): the
//! top-level `new_feed_url` key, so every build writes `itunes:new-feed-url`, and `guid`
//! pinned to the `podcast:guid` the feed has now, so the show keeps its identity even if
//! the site's base URL changes later (the guid is otherwise derived from the feed's URL).
//! The file is edited in place, comments and layout kept; the edit is checked by parsing
//! the result, and the site's configuration is loaded again before the command succeeds
//! (a failure puts the old file back). RSS and Atom have no such element, so for a blog
//! nothing is recorded.
//!
//! Then it prints 301 redirect rules from the feed's current path to the new URL for
//! nginx, Apache, Caddy and Netlify/Cloudflare `_redirects` files: only the main format
//! (the one subscribers use) is redirected, since NEW_URL names one document.

use std::io::Write;
use std::ops::Range;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use toml::Spanned;

use super::Status;
use super::build::load_site;
use crate::build::channel;
use crate::cli::{Cli, GlobalArgs, MoveFeedArgs, ReportFormat};
use crate::config::{self, FeedConfig, FeedKind, Site};
use crate::ledger::Ledger;
use crate::report;

pub fn run(global: &GlobalArgs, args: &MoveFeedArgs) -> Result<Status> {
    let cwd = Cli::current_dir();
    let site = match load_site(global, &cwd) {
        Ok(site) => site,
        Err(status) => return Ok(status),
    };
    let feed = choose_feed(&site, args.feed.as_deref())?;
    let new_url = new_url(&args.new_url)?;
    let old_url = site.url_of(&feed.output_file(channel::main_format(feed)));
    if old_url == new_url {
        bail!("{new_url}: that is where feed `{}` is now", feed.name);
    }
    let old_path = url::Url::parse(&old_url)
        .map(|url| url.path().to_string())
        .with_context(|| format!("{old_url}: the feed's current URL does not parse"))?;
    let definition = config::shown_path(&feed.file, &cwd);

    let mut recorded = None;
    if feed.kind == FeedKind::Podcast {
        let ledger = Ledger::read(&site.ledger)?;
        let guid = channel::podcast_guid(&site, feed, ledger.podcast_guid(&feed.name))
            .with_context(|| format!("feed `{}`: has no podcast:guid to keep", feed.name))?;
        let before = record(&feed.file, &new_url, &guid)?;
        let file = config::locate(global.config.as_deref(), &cwd)?;
        if let Err(errors) = config::load(&file, &cwd) {
            crate::publish::write_atomic(&feed.file, before.as_bytes())?;
            let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
            bail!(
                "the edited configuration does not load ({}); {} was put back as it was",
                messages.join("; "),
                definition.display()
            );
        }
        recorded = Some(guid);
    }
    let rules = redirect_rules(&old_path, &new_url);
    let mut out = std::io::stdout().lock();
    if args.format == ReportFormat::Json {
        let redirects: serde_json::Map<String, serde_json::Value> = rules
            .iter()
            .map(|(server, _, rule)| (server.to_string(), rule.as_str().into()))
            .collect();
        let json = serde_json::json!({
            "feed": feed.name,
            "from": old_url,
            "to": new_url,
            "recorded": recorded.as_ref().map(|guid| serde_json::json!({
                "file": definition.to_string_lossy(),
                "new_feed_url": new_url,
                "guid": guid,
            })),
            "redirects": redirects,
        });
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(Status::Success);
    }
    writeln!(
        out,
        "feed `{}` moves from {old_url} to {new_url}",
        feed.name
    )?;
    match &recorded {
        Some(guid) => {
            writeln!(
                out,
                "recorded in {}: new_feed_url = {new_url}, guid = {guid} (podcast:guid stays)",
                definition.display()
            )?;
            let output = site
                .output
                .join(feed.output_file(channel::main_format(feed)));
            writeln!(
                out,
                "the next build writes <itunes:new-feed-url> into {}",
                config::shown_path(&output, &cwd).display()
            )?;
        }
        None => writeln!(
            out,
            "nothing recorded: a {} feed has no element that announces a move; the redirects below do it",
            feed.kind.as_str()
        )?,
    }
    for (_, heading, rule) in &rules {
        write!(out, "\n# {heading}\n{rule}")?;
    }
    out.flush()?;
    Ok(Status::Success)
}

/// The feed named by `--feed`, else the site's only podcast, else its only feed.
fn choose_feed<'a>(site: &'a Site, name: Option<&str>) -> Result<&'a FeedConfig> {
    let names = || {
        site.feeds
            .iter()
            .map(|feed| feed.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(name) = name {
        return site
            .feeds
            .iter()
            .find(|feed| feed.name == name)
            .with_context(|| {
                format!(
                    "--feed {}: no such feed; the feeds are: {}",
                    report::clean(name),
                    names()
                )
            });
    }
    let podcasts: Vec<&FeedConfig> = site
        .feeds
        .iter()
        .filter(|feed| feed.kind == FeedKind::Podcast)
        .collect();
    match (podcasts.as_slice(), site.feeds.as_slice()) {
        ([only], _) => Ok(*only),
        ([], [only]) => Ok(only),
        _ => bail!(
            "which feed moves? name it with --feed NAME; the feeds are: {}",
            names()
        ),
    }
}

/// NEW_URL checked: an absolute http(s) URL without characters that would need quoting
/// in a web server's configuration.
fn new_url(text: &str) -> Result<String> {
    let url = url::Url::parse(text.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
        .with_context(|| format!("{text}: not an http(s) URL; give the feed's full new address"))?;
    let url = url.to_string();
    if url
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | ';' | '\\' | '{' | '}'))
    {
        bail!(
            "{url}: has characters that redirect rules cannot carry unquoted; percent-encode them"
        );
    }
    Ok(url)
}

/// The redirect rules, one per server: its key in the JSON output, a comment saying where
/// it goes, and the rule.
fn redirect_rules(old_path: &str, new_url: &str) -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "nginx",
            "nginx (inside the old site's server block)",
            format!("location = {old_path} {{\n    return 301 {new_url};\n}}\n"),
        ),
        (
            "apache",
            "Apache (.htaccess or the old site's virtual host)",
            format!("Redirect 301 {old_path} {new_url}\n"),
        ),
        (
            "caddy",
            "Caddy (inside the old site's block)",
            format!("redir {old_path} {new_url} 301\n"),
        ),
        (
            "redirects_file",
            "Netlify or Cloudflare Pages (a _redirects file at the top of the old site)",
            format!("{old_path} {new_url} 301\n"),
        ),
    ]
}

/// The two keys move-feed writes, with where their values are when present.
#[derive(Deserialize)]
struct Keys {
    new_feed_url: Option<Spanned<toml::Value>>,
    guid: Option<Spanned<toml::Value>>,
}

/// Writes `new_feed_url` and (when absent) `guid` into the feed definition; returns the
/// text it had before.
fn record(file: &std::path::Path, new_url: &str, guid: &str) -> Result<String> {
    let shown = file.display();
    let text = std::fs::read_to_string(file).with_context(|| format!("{shown}: cannot read"))?;
    let edited = edit(&text, new_url, guid).map_err(|why| {
        anyhow::anyhow!(
            "{shown}: {why}; add `new_feed_url = \"{new_url}\"` and `guid = \"{guid}\"` at the top by hand"
        )
    })?;
    crate::publish::write_atomic(file, edited.as_bytes())?;
    Ok(text)
}

/// The definition with `new_feed_url = NEW_URL` (replacing any earlier value) and `guid`
/// (unless already set) among its top-level keys. The result is parsed again and must
/// equal the original plus exactly these keys, so a layout this edit cannot handle is
/// refused instead of written wrong.
fn edit(text: &str, new_url: &str, guid: &str) -> std::result::Result<String, String> {
    let original: toml::Table =
        toml::from_str(text).map_err(|e| format!("not valid TOML ({e})"))?;
    let keys: Keys = toml::from_str(text).map_err(|e| format!("not valid TOML ({e})"))?;
    let quoted = |value: &str| toml::Value::String(value.to_string()).to_string();

    let mut replacements: Vec<(Range<usize>, String)> = Vec::new();
    let mut inserted = String::new();
    match &keys.new_feed_url {
        Some(value) => replacements.push((value.span(), quoted(new_url))),
        None => inserted.push_str(&format!("new_feed_url = {}\n", quoted(new_url))),
    }
    if keys.guid.is_none() {
        inserted.push_str(&format!("guid = {}\n", quoted(guid)));
    }
    if !inserted.is_empty() {
        // Top-level keys must come before the first table header.
        let at = first_header(text).unwrap_or(text.len());
        let mut block = String::new();
        if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
            block.push('\n');
        }
        block.push_str(&inserted);
        if at < text.len() {
            block.push('\n');
        }
        replacements.push((at..at, block));
    }
    replacements.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut edited = text.to_string();
    for (range, replacement) in replacements {
        edited.replace_range(range, &replacement);
    }

    let mut expected = original;
    expected.insert("new_feed_url".into(), toml::Value::String(new_url.into()));
    expected
        .entry("guid")
        .or_insert_with(|| toml::Value::String(guid.into()));
    let result: toml::Table =
        toml::from_str(&edited).map_err(|e| format!("the edit would not be valid TOML ({e})"))?;
    if result != expected {
        return Err("could not place the keys safely in this file's layout".into());
    }
    Ok(edited)
}

/// The byte offset of the first line that opens a table (`[x]` or `[[x]]`), outside
/// multi-line strings. A wrong guess is caught by the check in [`edit`].
fn first_header(text: &str) -> Option<usize> {
    let mut offset = 0;
    let mut in_string: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if in_string.is_none() && trimmed.starts_with('[') {
            return Some(offset);
        }
        for delimiter in ["\"\"\"", "'''"] {
            let count = line.matches(delimiter).count();
            if count % 2 == 1 {
                in_string = match in_string {
                    Some(open) if open == delimiter => None,
                    None => Some(delimiter),
                    other => other,
                };
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_both_keys_before_the_first_table_and_keeps_comments() {
        let text = "kind = \"podcast\" # the kind\ntitle = \"Show\"\n\n[owner]\nname = \"A\"\n";
        let edited = edit(text, "https://new.example/feed.xml", "abc").expect("edits");
        assert_eq!(
            edited,
            "kind = \"podcast\" # the kind\ntitle = \"Show\"\n\nnew_feed_url = \"https://new.example/feed.xml\"\nguid = \"abc\"\n\n[owner]\nname = \"A\"\n"
        );
    }

    #[test]
    fn replaces_an_earlier_move_and_keeps_a_configured_guid() {
        let text =
            "kind = \"podcast\"\nguid = \"mine\"\nnew_feed_url = \"https://a.example/f.xml\"\n";
        let edited = edit(text, "https://b.example/f.xml", "derived").expect("edits");
        assert_eq!(
            edited,
            "kind = \"podcast\"\nguid = \"mine\"\nnew_feed_url = \"https://b.example/f.xml\"\n"
        );
    }

    #[test]
    fn a_header_inside_a_multiline_string_is_not_a_table() {
        let text = "description = \"\"\"\n[not a table]\n\"\"\"\n[[source]]\nmarkdown = \"x\"\n";
        let edited = edit(text, "https://b.example/f.xml", "g").expect("edits");
        assert!(
            edited.ends_with(
                "\"\"\"\nnew_feed_url = \"https://b.example/f.xml\"\nguid = \"g\"\n\n[[source]]\nmarkdown = \"x\"\n"
            ),
            "{edited}"
        );
    }

    #[test]
    fn refuses_urls_that_need_quoting_in_server_configs() {
        assert!(new_url("https://x.example/a;b").is_err());
        assert!(new_url("ftp://x.example/feed").is_err());
        assert_eq!(
            new_url("https://X.example/feed.xml").expect("valid"),
            "https://x.example/feed.xml"
        );
    }
}

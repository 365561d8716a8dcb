//! `omroep new post|episode "Title"`: one new Markdown file with the front matter a
//! feed needs, in the folder the feed reads.
//!
//! The date is now (or `--date`) in the site's time zone, written with its offset, so
//! the file says the same moment wherever it is built. The file is named
//! `YYYY-MM-DD-slug.md` (the date prefix is not part of the URL). An episode gets the next
//! episode number of its podcast (the highest `episode` of any Markdown file the feed
//! reads, drafts and scheduled ones included, or track tag of its audio files, plus one)
//! and, from its audio file, the measured duration. The audio's length and type are
//! reported but not written: omroep measures a local file on every build, and a written
//! `length` would override that measurement after the audio is replaced.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::place::{self, Want};
use super::yaml::{FrontMatter, Value};
use crate::config::{FeedConfig, Site, SourceLocation};
use crate::ingest::{audio, bare_audio, collect, frontmatter, post, reference};

/// What to create.
#[derive(Debug, Clone)]
pub struct Request {
    pub want: Want,
    pub title: String,
    /// `--feed NAME`.
    pub feed: Option<String>,
    /// `--audio FILE`, as given (relative to `cwd`).
    pub audio: Option<PathBuf>,
    pub draft: bool,
    /// The entry's date; the current time when `None`.
    pub date: Option<DateTime<Utc>>,
}

/// What was created: printed by the command, as text or JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Created {
    /// The new file, relative to the site root.
    pub path: String,
    pub feed: String,
    pub kind: &'static str,
    pub title: String,
    /// RFC 3339 in the site's time zone, as written in the file.
    pub date: String,
    pub slug: String,
    pub draft: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub episode: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

/// Creates the file; errors are one line naming what to fix.
pub fn create(site: &Site, cwd: &Path, request: &Request) -> Result<Created, String> {
    let title = request.title.trim();
    if title.is_empty() {
        return Err("the title is empty; give one, such as `omroep new post \"My title\"`".into());
    }
    let (feed, folder) = place::target(site, request.want, request.feed.as_deref())?;
    let date = request.date.unwrap_or_else(Utc::now);
    let local = date.with_timezone(&site.timezone);
    let written_date = local.to_rfc3339_opts(SecondsFormat::Secs, true);

    let mut measured = None;
    let mut audio_href = None;
    if request.want == Want::Episode {
        let Some(given) = &request.audio else {
            return Err("an episode needs its audio: add --audio FILE".into());
        };
        let (href, info) = site_audio(site, cwd, given)?;
        audio_href = Some(href);
        measured = Some(info);
    }
    let episode = match request.want {
        Want::Episode => Some(next_episode(site, feed)?),
        Want::Post => None,
    };

    let slug = place::stem(title, request.want.noun());
    if let Some(existing) = place::with_slug(&site.root, &folder.folder, &slug) {
        return Err(format!(
            "{} already has the slug `{slug}` (its URL would be this one's); choose another title",
            existing.display()
        ));
    }
    let relative = folder.file(&format!("{}-{slug}.md", local.format("%Y-%m-%d")))?;

    let mut fm = FrontMatter::new();
    fm.set("title", Value::text(title))
        .set("date", Value::Bare(written_date.clone()));
    if let (Some(href), Some(info)) = (&audio_href, &measured) {
        fm.set("audio", Value::text(href.clone()))
            .set("duration", Value::Number(info.whole_seconds()))
            .maybe("episode", episode.map(|n| Value::Number(u64::from(n))));
    }
    if request.draft {
        fm.set("draft", Value::Flag(true));
    }
    place::write_new(&site.root.join(&relative), &fm.document(""))?;
    Ok(Created {
        path: reference::slash_path(&relative),
        feed: feed.name.clone(),
        kind: request.want.noun(),
        title: title.to_string(),
        date: written_date,
        slug,
        draft: request.draft,
        episode,
        audio: audio_href,
        duration_seconds: measured.as_ref().map(audio::AudioInfo::whole_seconds),
        length: measured.as_ref().map(|info| info.length),
        mime_type: measured.map(|info| info.mime_type),
    })
}

/// The audio file as the front matter names it (`/`-rooted at the site root) and what
/// it measures. It must be inside the site, where the build can publish it.
fn site_audio(site: &Site, cwd: &Path, given: &Path) -> Result<(String, audio::AudioInfo), String> {
    let shown = given.display();
    let full = cwd.join(given);
    let real = full
        .canonicalize()
        .map_err(|e| format!("{shown}: cannot open the audio ({e}); check the path"))?;
    let root = site
        .root
        .canonicalize()
        .map_err(|e| format!("{}: cannot open the site folder ({e})", site.root.display()))?;
    let Ok(relative) = real.strip_prefix(&root) else {
        return Err(format!(
            "{shown}: is outside the site folder {}; copy the audio into the site first \
             (for example under content/episodes/), so the build can publish it",
            site.root.display()
        ));
    };
    if !real.is_file() {
        return Err(format!("{shown}: is not a file"));
    }
    let info = audio::probe(&real, None).map_err(|e| format!("{shown}: {e}"))?;
    Ok((format!("/{}", reference::slash_path(relative)), info))
}

/// One more than the highest episode number the podcast has now (1 for the first).
fn next_episode(site: &Site, feed: &FeedConfig) -> Result<u32, String> {
    let mut highest = 0u32;
    for source in &feed.sources {
        match &source.location {
            SourceLocation::Markdown(pattern) => {
                let found = collect::find(&site.root, pattern, &["md", "markdown"], true)?;
                for relative in found.files {
                    let Ok(text) = post::read_text(&site.root.join(&relative)) else {
                        continue;
                    };
                    // A file omroep cannot read has no number to count; the build
                    // reports it.
                    let Ok(doc) = frontmatter::parse(&text) else {
                        continue;
                    };
                    for field in doc.fields.iter().filter(|f| f.key == "episode") {
                        let number = match &field.value {
                            frontmatter::Value::Integer(n) => u32::try_from(*n).ok(),
                            frontmatter::Value::String(s) => s.trim().parse().ok(),
                            _ => None,
                        };
                        highest = highest.max(number.unwrap_or(0));
                    }
                }
            }
            SourceLocation::Audio(folder) => {
                let found = collect::find(&site.root, folder, bare_audio::EXTENSIONS, false)?;
                for relative in found.files {
                    if let Ok(info) = audio::probe(&site.root.join(&relative), None) {
                        highest = highest.max(info.tags.track.unwrap_or(0));
                    }
                }
            }
            SourceLocation::Url(_) | SourceLocation::Opml { .. } => {}
        }
    }
    highest
        .checked_add(1)
        .ok_or_else(|| format!("feed `{}` has episode numbers up to {highest}", feed.name))
}

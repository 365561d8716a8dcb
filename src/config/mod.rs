//! Site configuration: `omroep.toml` at the site root and one `feeds/NAME.toml` per
//! published feed (the feed's name is the file stem).
//!
//! `load` reads and checks everything up front, so a build never starts on a config that
//! would fail half-way. Every problem is reported as one line naming the file, the line and
//! the key, and what is expected; all problems are collected, not just the first. Paths
//! resolve against the site root, except OPML files, which resolve against the feed
//! definition's folder (so a feed file and its subscription list can travel together).

pub mod feed;
pub mod location;
pub mod opml;
pub mod values;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

pub use feed::{
    AppleCategory, Artwork, AudioFilter, FeedConfig, FeedKind, Filter, OutputFormat, PodcastConfig,
    ShowType, SourceConfig, SourceLocation,
};
pub use location::ConfigError;
use location::Document;
use values::{Email, HttpUrl, Language, Text, TimeZone};

/// The site file's name.
pub const SITE_FILE: &str = "omroep.toml";
/// The folder of feed definitions, beside the site file.
pub const FEEDS_DIR: &str = "feeds";
/// Config files are small; anything larger is a mistake (or an attack on the parser).
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Files the build writes at the top of the output folder, which no feed may claim.
pub const COMBINED_FILES: &[&str] = &[
    "index.html",
    "index.json",
    "rss.xml",
    "atom.xml",
    "feeds.opml",
];

/// The checked configuration of one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The folder holding `omroep.toml`; relative paths resolve against it.
    pub root: PathBuf,
    pub title: String,
    pub description: Option<String>,
    /// Ends with `/`.
    pub base_url: url::Url,
    /// Where audio and other media are served from; ends with `/`. Defaults to `base_url`.
    pub media_base_url: url::Url,
    pub language: String,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub output: PathBuf,
    pub store: PathBuf,
    pub ledger: PathBuf,
    /// The URL pattern of posts, e.g. `/{year}/{slug}/`; `None` leaves the default to the
    /// Markdown collector.
    pub permalink: Option<String>,
    /// `timezone`: local content dates without an offset are read in it (UTC by default).
    pub timezone: chrono_tz::Tz,
    /// Sorted by name.
    pub feeds: Vec<FeedConfig>,
}

impl Site {
    /// The public URL of a file in the output folder.
    pub fn url_of(&self, output_file: &str) -> String {
        self.base_url
            .join(output_file)
            .map(|url| url.to_string())
            .unwrap_or_else(|_| format!("{}{output_file}", self.base_url))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: Text,
    base_url: HttpUrl,
    language: Language,
    description: Option<Text>,
    author: Option<RawAuthor>,
    output: Option<Spanned<String>>,
    store: Option<Spanned<String>>,
    ledger: Option<Spanned<String>>,
    permalink: Option<Spanned<String>>,
    media_base_url: Option<HttpUrl>,
    timezone: Option<TimeZone>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthor {
    name: Text,
    email: Option<Email>,
}

/// Finds `omroep.toml` in `start` or the nearest parent folder that has one.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|folder| folder.join(SITE_FILE))
        .find(|file| file.is_file())
}

/// Where to read the config from: `--config PATH` (a file, or a folder holding
/// `omroep.toml`), else found from `cwd` upwards.
pub fn locate(given: Option<&Path>, cwd: &Path) -> Result<PathBuf, ConfigError> {
    match given {
        Some(path) => {
            let path = cwd.join(path);
            let file = if path.is_dir() {
                path.join(SITE_FILE)
            } else {
                path
            };
            if file.is_file() {
                Ok(file)
            } else {
                Err(ConfigError {
                    file: file.clone(),
                    line: None,
                    key: None,
                    message: "no such file; --config names an omroep.toml or its folder".into(),
                })
            }
        }
        None => find(cwd).ok_or_else(|| ConfigError {
            file: PathBuf::from(SITE_FILE),
            line: None,
            key: None,
            message: format!(
                "not found in {} or any parent folder; run `omroep init` to create a site, \
                 or pass --config PATH",
                cwd.display()
            ),
        }),
    }
}

/// Reads and checks the site file and every feed definition beside it.
pub fn load(site_file: &Path, cwd: &Path) -> Result<Site, Vec<ConfigError>> {
    let root = site_file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let shown = shown_path(site_file, cwd);
    let text = read_small(site_file).map_err(|message| {
        vec![ConfigError {
            file: shown.clone(),
            line: None,
            key: None,
            message,
        }]
    })?;
    let doc = Document::new(&shown, &text);
    let raw: RawSite = toml::from_str(&text).map_err(|error| vec![doc.from_toml(&error)])?;
    let mut errors = Vec::new();

    let mut folder = |value: &Option<Spanned<String>>, key: &str, default: &str| -> PathBuf {
        match value {
            None => root.join(default),
            Some(value) if value.get_ref().trim().is_empty() => {
                errors.push(doc.error_key(Some(value.span()), key, "must not be empty"));
                root.join(default)
            }
            Some(value) => root.join(value.get_ref().trim()),
        }
    };
    let output = folder(&raw.output, "output", "public");
    let store = folder(&raw.store, "store", ".omroep/store.sqlite");
    let ledger = folder(&raw.ledger, "ledger", "omroep.ledger");
    if normalised(&output) == normalised(&root)
        || normalised(&root).starts_with(normalised(&output))
    {
        errors.push(doc.error_key(
            raw.output.as_ref().map(|value| value.span()),
            "output",
            "must be a folder of its own inside or beside the site, not the site folder \
             itself or one of its parents",
        ));
    }
    if let Some(permalink) = &raw.permalink
        && !permalink.get_ref().contains("{slug}")
    {
        errors.push(doc.error_at(
            Some(permalink.span()),
            format!(
                "`{}` has no `{{slug}}`, so posts would share one URL; \
                 expected e.g. `/{{year}}/{{slug}}/`",
                permalink.get_ref()
            ),
        ));
    }

    let base_url = raw.base_url.into_folder();
    let media_base_url = raw
        .media_base_url
        .map(HttpUrl::into_folder)
        .unwrap_or_else(|| base_url.clone());
    let author_name = raw.author.as_ref().map(|author| author.name.0.clone());
    let author_email = raw
        .author
        .as_ref()
        .and_then(|author| author.email.as_ref().map(|email| email.0.clone()));

    let feeds = load_feeds(
        &root,
        cwd,
        &feed::FeedDefaults {
            root: &root,
            language: &raw.language.0,
            author_name: author_name.as_deref(),
            author_email: author_email.as_deref(),
        },
        &mut errors,
    );
    if errors.is_empty() {
        check_paths(&feeds, cwd, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Site {
        root,
        title: raw.title.0,
        description: raw.description.map(|text| text.0),
        base_url,
        media_base_url,
        language: raw.language.0,
        author_name,
        author_email,
        output,
        store,
        ledger,
        permalink: raw.permalink.map(|value| value.into_inner()),
        timezone: raw.timezone.map_or(chrono_tz::Tz::UTC, |zone| zone.0),
        feeds,
    })
}

fn load_feeds(
    root: &Path,
    cwd: &Path,
    defaults: &feed::FeedDefaults<'_>,
    errors: &mut Vec<ConfigError>,
) -> Vec<FeedConfig> {
    let dir = root.join(FEEDS_DIR);
    let shown_dir = shown_path(&dir, cwd);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) => {
            errors.push(ConfigError {
                file: shown_dir,
                line: None,
                key: None,
                message: format!(
                    "cannot read the feeds folder ({error}); put one NAME.toml per feed in it"
                ),
            });
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml") && path.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        errors.push(ConfigError {
            file: shown_dir,
            line: None,
            key: None,
            message: "no feed definitions; add one NAME.toml per feed (see `omroep init`)".into(),
        });
    }
    let mut feeds = Vec::new();
    for file in files {
        let shown = shown_path(&file, cwd);
        let name = file
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default()
            .to_string();
        if !valid_feed_name(&name) {
            errors.push(ConfigError {
                file: shown,
                line: None,
                key: None,
                message: "a feed's file name is its name and must use only letters, digits, \
                          `-` and `_` (it appears in URLs and the ledger); rename the file"
                    .into(),
            });
            continue;
        }
        let text = match read_small(&file) {
            Ok(text) => text,
            Err(message) => {
                errors.push(ConfigError {
                    file: shown,
                    line: None,
                    key: None,
                    message,
                });
                continue;
            }
        };
        let doc = Document::new(&shown, &text);
        match feed::check(&name, &file, &doc, defaults) {
            Ok(feed) => feeds.push(feed),
            Err(found) => errors.extend(found),
        }
    }
    feeds
}

/// Two feeds writing the same file, or a feed claiming a combined output, would overwrite
/// each other's files on every build.
fn check_paths(feeds: &[FeedConfig], cwd: &Path, errors: &mut Vec<ConfigError>) {
    for (index, feed) in feeds.iter().enumerate() {
        let clash = |message: String| ConfigError {
            file: shown_path(&feed.file, cwd),
            line: None,
            key: Some("path".into()),
            message,
        };
        if COMBINED_FILES.contains(&feed.path.as_str()) {
            errors.push(clash(format!(
                "`{}` is a file of the combined index; choose another path",
                feed.path
            )));
        }
        for other in &feeds[..index] {
            if other.path == feed.path {
                errors.push(clash(format!(
                    "`{}` is also the path of feed `{}`; each feed needs its own path",
                    feed.path, other.name
                )));
            }
        }
    }
}

fn valid_feed_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn read_small(file: &Path) -> Result<String, String> {
    use std::io::Read;
    let handle = std::fs::File::open(file).map_err(|error| format!("cannot open ({error})"))?;
    let mut bytes = Vec::new();
    handle
        .take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("cannot read ({error})"))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(format!(
            "larger than {MAX_CONFIG_BYTES} bytes; is this really a config file?"
        ));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8; save the file as UTF-8".to_string())
}

/// The path to show in messages: relative to the current folder when it is below it.
pub fn shown_path(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// A path with `.` segments removed, for comparing folders without touching the disk.
fn normalised(path: &Path) -> PathBuf {
    path.components()
        .filter(|part| !matches!(part, std::path::Component::CurDir))
        .collect()
}

#[cfg(test)]
mod tests;

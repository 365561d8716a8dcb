//! One published feed, from `feeds/NAME.toml`: its kind, sources, filters, formats, output
//! path and feed-level metadata (for podcasts, everything Apple and Podcasting 2.0 ask for).
//!
//! Raw serde structs with `deny_unknown_fields` catch typos; `check` turns them into a
//! `FeedConfig` whose values are all valid, reporting each problem with file, line and key.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::location::{ConfigError, Document};
use super::opml;
use super::values::{Email, HttpUrl, Language, OutputPath, Text};
use crate::apple_categories;
use crate::model::{PODCAST_MEDIUMS, is_podcast_medium};

pub use crate::render::FeedKind;

/// The formats written when a feed does not list its own.
pub fn default_formats(kind: FeedKind) -> Vec<OutputFormat> {
    match kind {
        FeedKind::Blog | FeedKind::Aggregate => {
            vec![OutputFormat::Rss, OutputFormat::Atom, OutputFormat::Json]
        }
        FeedKind::Podcast => vec![OutputFormat::Podcast, OutputFormat::Json],
    }
}

/// An output format of one feed, and the file it is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Rss,
    Atom,
    Podcast,
    Json,
}

impl OutputFormat {
    pub const ALL: [OutputFormat; 4] = [
        OutputFormat::Rss,
        OutputFormat::Atom,
        OutputFormat::Podcast,
        OutputFormat::Json,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Rss => "rss",
            OutputFormat::Atom => "atom",
            OutputFormat::Podcast => "podcast",
            OutputFormat::Json => "json",
        }
    }

    /// The file name inside the feed's output path.
    pub fn file_name(self) -> &'static str {
        match self {
            OutputFormat::Rss => "rss.xml",
            OutputFormat::Atom => "atom.xml",
            OutputFormat::Podcast => "podcast.xml",
            OutputFormat::Json => "feed.json",
        }
    }

    /// The media type a server should send the file with (also used in `<link>`s).
    pub fn media_type(self) -> &'static str {
        match self {
            OutputFormat::Rss | OutputFormat::Podcast => "application/rss+xml",
            OutputFormat::Atom => "application/atom+xml",
            OutputFormat::Json => "application/feed+json",
        }
    }
}

/// `itunes:type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShowType {
    Episodic,
    Serial,
}

impl ShowType {
    pub fn as_str(self) -> &'static str {
        match self {
            ShowType::Episodic => "episodic",
            ShowType::Serial => "serial",
        }
    }
}

/// Keep or drop entries by audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AudioFilter {
    /// Only entries with an audio enclosure.
    With,
    /// Only entries without one.
    Without,
}

/// Which entries a feed (or one of its sources) keeps. Tags match an entry's tags and
/// categories, ignoring case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Keep only entries with at least one of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Drop entries with any of these tags.
    #[serde(default)]
    pub exclude_tags: Vec<String>,
    pub audio: Option<AudioFilter>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.exclude_tags.is_empty() && self.audio.is_none()
    }

    /// Whether an entry with these tags, with or without audio, is kept.
    pub fn keeps<'a>(&self, tags: impl Iterator<Item = &'a str> + Clone, has_audio: bool) -> bool {
        let has = |wanted: &[String]| {
            tags.clone().any(|tag| {
                wanted
                    .iter()
                    .any(|w| w.trim().eq_ignore_ascii_case(tag.trim()))
            })
        };
        if !self.tags.is_empty() && !has(&self.tags) {
            return false;
        }
        if has(&self.exclude_tags) {
            return false;
        }
        match self.audio {
            Some(AudioFilter::With) => has_audio,
            Some(AudioFilter::Without) => !has_audio,
            None => true,
        }
    }
}

/// Where a source's entries come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceLocation {
    /// A glob of Markdown files, relative to the site root, as written.
    Markdown(String),
    /// A folder of audio files, relative to the site root, as written.
    Audio(String),
    /// A remote feed.
    Url(url::Url),
    /// An OPML file (absolute) and the feed URLs it lists.
    Opml { file: PathBuf, feeds: Vec<url::Url> },
}

impl SourceLocation {
    pub fn is_remote(&self) -> bool {
        matches!(self, SourceLocation::Url(_) | SourceLocation::Opml { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
    pub location: SourceLocation,
    pub filter: Filter,
}

/// The feed's image: a file in the site (copied beside the feed) or a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Artwork {
    Local(PathBuf),
    Remote(url::Url),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppleCategory {
    pub name: &'static str,
    pub subcategories: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub role: Option<String>,
    pub group: Option<String>,
    pub img: Option<String>,
    pub href: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funding {
    pub url: String,
    pub text: Option<String>,
}

/// Feed-level podcast metadata (kind = "podcast" only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodcastConfig {
    pub categories: Vec<AppleCategory>,
    pub explicit: bool,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    pub show_type: ShowType,
    /// As configured; when absent, derived from the podcast feed's URL.
    pub guid: Option<String>,
    pub locked: Option<bool>,
    pub funding: Vec<Funding>,
    pub persons: Vec<Person>,
    pub medium: Option<String>,
    pub complete: bool,
    pub block: bool,
    pub new_feed_url: Option<String>,
}

/// One feed definition, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedConfig {
    /// The file stem of its definition.
    pub name: String,
    /// Its definition file, for messages.
    pub file: PathBuf,
    pub kind: FeedKind,
    pub title: String,
    pub description: Option<String>,
    pub language: String,
    pub sources: Vec<SourceConfig>,
    pub filter: Filter,
    pub limit: Option<usize>,
    pub formats: Vec<OutputFormat>,
    /// Output path prefix under the output folder and the base URL.
    pub path: String,
    pub artwork: Option<Artwork>,
    pub copyright: Option<String>,
    pub author: Option<String>,
    pub podcast: Option<PodcastConfig>,
}

impl FeedConfig {
    pub fn has_remote_sources(&self) -> bool {
        self.sources
            .iter()
            .any(|source| source.location.is_remote())
    }

    /// The URLs of the remote feeds this feed aggregates: each `url` source and every
    /// `xmlUrl` of each `opml` source, in definition order, each once.
    pub fn remote_urls(&self) -> Vec<&url::Url> {
        let mut urls: Vec<&url::Url> = Vec::new();
        for source in &self.sources {
            let found: Vec<&url::Url> = match &source.location {
                SourceLocation::Url(url) => vec![url],
                SourceLocation::Opml { feeds, .. } => feeds.iter().collect(),
                SourceLocation::Markdown(_) | SourceLocation::Audio(_) => Vec::new(),
            };
            for url in found {
                if !urls.contains(&url) {
                    urls.push(url);
                }
            }
        }
        urls
    }

    /// The output file of a format, relative to the output folder.
    pub fn output_file(&self, format: OutputFormat) -> String {
        format!("{}/{}", self.path, format.file_name())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    kind: Spanned<FeedKind>,
    title: Text,
    description: Option<Text>,
    language: Option<Language>,
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
    #[serde(default)]
    filter: Filter,
    limit: Option<Spanned<i64>>,
    formats: Option<Spanned<Vec<Spanned<OutputFormat>>>>,
    path: Option<OutputPath>,
    artwork: Option<Spanned<String>>,
    copyright: Option<Text>,
    author: Option<Text>,
    // Podcast-only keys below.
    #[serde(default)]
    category: Vec<Spanned<RawCategory>>,
    explicit: Option<Spanned<bool>>,
    owner: Option<Spanned<RawOwner>>,
    #[serde(rename = "type")]
    show_type: Option<Spanned<ShowType>>,
    guid: Option<Spanned<String>>,
    locked: Option<Spanned<bool>>,
    #[serde(default)]
    funding: Vec<Spanned<RawFunding>>,
    #[serde(default)]
    person: Vec<Spanned<RawPerson>>,
    medium: Option<Spanned<String>>,
    complete: Option<Spanned<bool>>,
    block: Option<Spanned<bool>>,
    new_feed_url: Option<Spanned<HttpUrl>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    markdown: Option<Spanned<String>>,
    audio: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    opml: Option<Spanned<String>>,
    #[serde(default)]
    filter: Filter,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    name: Spanned<String>,
    #[serde(default)]
    subcategories: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOwner {
    name: Option<Text>,
    email: Email,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFunding {
    url: HttpUrl,
    text: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: Text,
    role: Option<Text>,
    group: Option<Text>,
    img: Option<HttpUrl>,
    href: Option<HttpUrl>,
}

/// Site-wide values a feed definition falls back on or is checked against.
pub struct FeedDefaults<'a> {
    pub root: &'a Path,
    pub language: &'a str,
    pub author_name: Option<&'a str>,
    pub author_email: Option<&'a str>,
}

/// Reads and checks one feed definition. Every problem found is returned, not just the
/// first, so one run shows the user everything to fix.
pub fn check(
    name: &str,
    file: &Path,
    doc: &Document<'_>,
    defaults: &FeedDefaults<'_>,
) -> Result<FeedConfig, Vec<ConfigError>> {
    let raw: RawFeed = toml::from_str(doc.text).map_err(|error| vec![doc.from_toml(&error)])?;
    let mut errors = Vec::new();
    let kind = *raw.kind.get_ref();
    let kind_span = Some(raw.kind.span());
    let podcast = kind == FeedKind::Podcast;

    let feed_dir = file.parent().unwrap_or(defaults.root);
    let mut sources = Vec::new();
    for source in &raw.source {
        match check_source(source, doc, defaults.root, feed_dir) {
            Ok(source) => sources.push(source),
            Err(error) => errors.push(error),
        }
    }
    if sources.is_empty() && raw.source.is_empty() {
        errors.push(doc.error_key(
            kind_span.clone(),
            "source",
            "a feed needs at least one [[source]] table with `markdown`, `audio`, `url` or `opml`",
        ));
    }

    let limit = match &raw.limit {
        Some(limit) if *limit.get_ref() < 1 => {
            errors.push(doc.error_at(
                Some(limit.span()),
                format!(
                    "expected a number of entries of at least 1, found {}",
                    limit.get_ref()
                ),
            ));
            None
        }
        Some(limit) => Some(usize::try_from(*limit.get_ref()).unwrap_or(usize::MAX)),
        None => None,
    };

    let formats = match &raw.formats {
        None => default_formats(kind),
        Some(formats) => {
            let mut seen = Vec::new();
            for format in formats.get_ref() {
                let value = *format.get_ref();
                if seen.contains(&value) {
                    errors.push(doc.error_at(
                        Some(format.span()),
                        format!("`{}` is listed twice", value.as_str()),
                    ));
                } else if value == OutputFormat::Podcast && !podcast {
                    errors.push(doc.error_at(
                        Some(format.span()),
                        "`podcast` is only for feeds with `kind = \"podcast\"`; \
                         use `rss`, `atom` or `json`",
                    ));
                } else {
                    seen.push(value);
                }
            }
            if formats.get_ref().is_empty() {
                errors.push(doc.error_at(
                    Some(formats.span()),
                    "expected at least one of `rss`, `atom`, `podcast`, `json`",
                ));
            }
            seen.sort();
            seen
        }
    };

    let artwork = raw.artwork.as_ref().and_then(|artwork| {
        match check_artwork(artwork.get_ref(), defaults.root) {
            Ok(artwork) => Some(artwork),
            Err(message) => {
                errors.push(doc.error_at(Some(artwork.span()), message));
                None
            }
        }
    });

    // Podcast-only keys on another kind are mistakes worth stopping for: the user expects
    // them to be published and they would not be.
    let podcast_only: [(&str, Option<Range<usize>>); 12] = [
        ("category", raw.category.first().map(|c| c.span())),
        ("explicit", raw.explicit.as_ref().map(|v| v.span())),
        ("owner", raw.owner.as_ref().map(|v| v.span())),
        ("type", raw.show_type.as_ref().map(|v| v.span())),
        ("guid", raw.guid.as_ref().map(|v| v.span())),
        ("locked", raw.locked.as_ref().map(|v| v.span())),
        ("funding", raw.funding.first().map(|v| v.span())),
        ("person", raw.person.first().map(|v| v.span())),
        ("medium", raw.medium.as_ref().map(|v| v.span())),
        ("complete", raw.complete.as_ref().map(|v| v.span())),
        ("block", raw.block.as_ref().map(|v| v.span())),
        ("new_feed_url", raw.new_feed_url.as_ref().map(|v| v.span())),
    ];
    let podcast_config = if podcast {
        check_podcast(&raw, doc, kind_span.clone(), defaults, &mut errors)
    } else {
        for (key, span) in podcast_only {
            if let Some(span) = span {
                errors.push(doc.error_key(
                    Some(span),
                    key,
                    format!(
                        "only for podcast feeds; this feed has `kind = \"{}\"`",
                        kind.as_str()
                    ),
                ));
            }
        }
        None
    };

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(FeedConfig {
        name: name.to_string(),
        file: file.to_path_buf(),
        kind,
        title: raw.title.0,
        description: raw.description.map(|text| text.0),
        language: raw
            .language
            .map(|language| language.0)
            .unwrap_or_else(|| defaults.language.to_string()),
        sources,
        filter: raw.filter,
        limit,
        formats,
        path: raw
            .path
            .map(|path| path.0)
            .unwrap_or_else(|| name.to_string()),
        artwork,
        copyright: raw.copyright.map(|text| text.0),
        author: raw.author.map(|text| text.0),
        podcast: podcast_config,
    })
}

fn check_podcast(
    raw: &RawFeed,
    doc: &Document<'_>,
    kind_span: Option<Range<usize>>,
    defaults: &FeedDefaults<'_>,
    errors: &mut Vec<ConfigError>,
) -> Option<PodcastConfig> {
    let before = errors.len();
    // Apple refuses a show without these; better to hear it from omroep than from Apple.
    if raw.artwork.is_none() {
        errors.push(doc.error_key(
            kind_span.clone(),
            "artwork",
            "missing; a podcast needs square artwork (JPEG or PNG, 1400-3000 px), \
             e.g. `artwork = \"content/artwork.jpg\"`",
        ));
    }
    if raw.category.is_empty() {
        errors.push(doc.error_key(
            kind_span.clone(),
            "category",
            "missing; a podcast needs at least one Apple category, e.g. \
             `[[category]]` with `name = \"Education\"`",
        ));
    }
    if raw.explicit.is_none() {
        errors.push(doc.error_key(
            kind_span.clone(),
            "explicit",
            "missing; a podcast must say `explicit = true` or `explicit = false`",
        ));
    }
    if raw.description.is_none() {
        errors.push(doc.error_key(
            kind_span,
            "description",
            "missing; a podcast needs a description (Apple shows it on the show page)",
        ));
    }
    let mut categories: Vec<AppleCategory> = Vec::new();
    for category in &raw.category {
        let category = category.get_ref();
        match apple_categories::check(category.name.get_ref().trim(), &category.subcategories) {
            Ok((name, subcategories)) => {
                if categories.iter().any(|known| known.name == name) {
                    errors.push(doc.error_at(
                        Some(category.name.span()),
                        format!("`{name}` is listed twice; put all its subcategories in one [[category]]"),
                    ));
                }
                categories.push(AppleCategory {
                    name,
                    subcategories,
                })
            }
            Err(error) => errors.push(doc.error_at(Some(category.name.span()), error.to_string())),
        }
    }
    let guid =
        raw.guid
            .as_ref()
            .and_then(|guid| match uuid::Uuid::parse_str(guid.get_ref().trim()) {
                Ok(uuid) => Some(uuid.hyphenated().to_string()),
                Err(_) => {
                    errors.push(doc.error_at(
                    Some(guid.span()),
                    format!(
                        "`{}` is not a UUID; expected e.g. `9b024349-ccf0-5f69-a609-6b82873eab3c`, \
                         or leave `guid` out to derive it from the feed URL",
                        guid.get_ref()
                    ),
                ));
                    None
                }
            });
    let medium = raw.medium.as_ref().and_then(|medium| {
        let value = medium.get_ref().trim();
        if is_podcast_medium(value) {
            return Some(value.to_string());
        }
        let list_forms: Vec<String> = PODCAST_MEDIUMS.iter().map(|m| format!("{m}L")).collect();
        errors.push(doc.error_at(
            Some(medium.span()),
            format!(
                "`{value}` is not a podcast:medium; expected one of {}, mixed, {}",
                PODCAST_MEDIUMS.join(", "),
                list_forms.join(", ")
            ),
        ));
        None
    });
    let owner = raw.owner.as_ref().map(|owner| owner.get_ref());
    let owner_name = owner
        .and_then(|owner| owner.name.as_ref().map(|name| name.0.clone()))
        .or_else(|| defaults.author_name.map(str::to_string));
    let owner_email = owner
        .map(|owner| owner.email.0.clone())
        .or_else(|| defaults.author_email.map(str::to_string));
    if let Some(locked) = &raw.locked
        && *locked.get_ref()
        && owner_email.is_none()
    {
        errors.push(doc.error_at(
            Some(locked.span()),
            "`locked = true` needs an owner e-mail (podcast:locked names it); \
             add `[owner]` with `email = \"…\"`",
        ));
    }
    if errors.len() > before {
        return None;
    }
    Some(PodcastConfig {
        categories,
        explicit: raw.explicit.as_ref().is_some_and(|v| *v.get_ref()),
        owner_name,
        owner_email,
        show_type: raw
            .show_type
            .as_ref()
            .map(|v| *v.get_ref())
            .unwrap_or(ShowType::Episodic),
        guid,
        locked: raw.locked.as_ref().map(|v| *v.get_ref()),
        funding: raw
            .funding
            .iter()
            .map(|funding| Funding {
                url: funding.get_ref().url.0.to_string(),
                text: funding.get_ref().text.as_ref().map(|text| text.0.clone()),
            })
            .collect(),
        persons: raw
            .person
            .iter()
            .map(|person| {
                let person = person.get_ref();
                Person {
                    name: person.name.0.clone(),
                    role: person.role.as_ref().map(|v| v.0.to_lowercase()),
                    group: person.group.as_ref().map(|v| v.0.to_lowercase()),
                    img: person.img.as_ref().map(|v| v.0.to_string()),
                    href: person.href.as_ref().map(|v| v.0.to_string()),
                }
            })
            .collect(),
        medium,
        complete: raw.complete.as_ref().is_some_and(|v| *v.get_ref()),
        block: raw.block.as_ref().is_some_and(|v| *v.get_ref()),
        new_feed_url: raw.new_feed_url.as_ref().map(|v| v.get_ref().0.to_string()),
    })
}

fn check_source(
    source: &Spanned<RawSource>,
    doc: &Document<'_>,
    root: &Path,
    feed_dir: &Path,
) -> Result<SourceConfig, ConfigError> {
    let raw = source.get_ref();
    let given: Vec<(&str, &Spanned<String>)> = [
        ("markdown", &raw.markdown),
        ("audio", &raw.audio),
        ("url", &raw.url),
        ("opml", &raw.opml),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.as_ref().map(|value| (key, value)))
    .collect();
    let (key, value) = match given.as_slice() {
        [one] => *one,
        [] => {
            return Err(doc.error_at(
                Some(source.span()),
                "a [[source]] needs exactly one of `markdown`, `audio`, `url` or `opml`",
            ));
        }
        [first, second, ..] => {
            return Err(doc.error_at(
                Some(second.1.span()),
                format!(
                    "this [[source]] has both `{}` and `{}`; give each its own [[source]] table",
                    first.0, second.0
                ),
            ));
        }
    };
    let text = value.get_ref().trim();
    let at = |message: String| doc.error_at(Some(value.span()), message);
    if text.is_empty() {
        return Err(at("must not be empty".into()));
    }
    let location = match key {
        "markdown" => {
            globset::Glob::new(text)
                .map_err(|error| at(format!("`{text}` is not a valid glob pattern ({error})")))?;
            SourceLocation::Markdown(text.to_string())
        }
        "audio" => {
            let folder = root.join(text);
            if !folder.is_dir() {
                return Err(at(format!(
                    "`{}` is not a folder; expected a folder of audio files, relative to the site root",
                    folder.display()
                )));
            }
            SourceLocation::Audio(text.to_string())
        }
        "url" => SourceLocation::Url(HttpUrl::parse(text).map_err(at)?.0),
        _ => {
            let file = feed_dir.join(text);
            let feeds = read_opml(&file).map_err(at)?;
            SourceLocation::Opml { file, feeds }
        }
    };
    Ok(SourceConfig {
        location,
        filter: raw.filter.clone(),
    })
}

fn read_opml(file: &Path) -> Result<Vec<url::Url>, String> {
    use std::io::Read;
    let shown = file.display();
    let handle = std::fs::File::open(file).map_err(|error| {
        format!("cannot open `{shown}` ({error}); OPML paths are relative to the feed definition's folder")
    })?;
    let mut bytes = Vec::new();
    handle
        .take(opml::MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("cannot read `{shown}` ({error})"))?;
    if bytes.len() as u64 > opml::MAX_BYTES {
        return Err(format!(
            "`{shown}` is larger than {} bytes",
            opml::MAX_BYTES
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("`{shown}` is not UTF-8; save the OPML file as UTF-8"))?;
    opml::feed_urls(&text).map_err(|error| format!("`{shown}`: {error}"))
}

fn check_artwork(text: &str, root: &Path) -> Result<Artwork, String> {
    let text = text.trim();
    if text.starts_with("http://") || text.starts_with("https://") {
        return Ok(Artwork::Remote(HttpUrl::parse(text)?.0));
    }
    let file = root.join(text);
    if !file.is_file() {
        return Err(format!(
            "`{}` is not a file; expected an image path relative to the site root, or an https URL",
            file.display()
        ));
    }
    match file
        .extension()
        .and_then(|ext| ext.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("jpg" | "jpeg" | "png") => Ok(Artwork::Local(file)),
        _ => Err(format!(
            "`{text}` is not a .jpg, .jpeg or .png file; Apple accepts JPEG and PNG artwork only"
        )),
    }
}

//! `omroep import SOURCE`: an existing feed → local content and a feed definition.
//!
//! The plan is made first and written last, so `--dry-run` shows exactly what a real run
//! would write. Every entry becomes one Markdown file (`entry_file`, `body`) in the folder
//! of the feed definition (`definition`), unless a file there already has its guid: a
//! second import of the same feed writes nothing. The source's pages are followed
//! (`pages`). File names come from hostile titles and go through `create::place`.

pub mod body;
pub mod definition;
pub mod entry_file;
pub mod pages;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono_tz::Tz;
use serde::Serialize;

use super::place::{self, ContentFolder, Names};
use crate::config::FEEDS_DIR;
use crate::ingest::{collect, frontmatter, post, reference};

/// What to import and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// A file (relative to the current folder) or an http(s) URL.
    pub source: String,
    /// `--feed NAME`: the definition to write or merge into.
    pub feed: Option<String>,
    /// `--into FOLDER`: the content folder of a new definition.
    pub into: Option<String>,
    pub dry_run: bool,
    pub max_pages: usize,
    pub max_bytes: usize,
}

/// What happens (or, in a dry run, would happen) to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Unchanged,
}

/// One file of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Planned {
    /// Relative to the site root, `/`-separated.
    pub path: String,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `markdown` or `html`: what the body was written as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<&'static str>,
    #[serde(skip)]
    text: Option<String>,
}

/// The outcome of an import.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub source: String,
    pub feed: String,
    pub dry_run: bool,
    pub pages: usize,
    pub entries: usize,
    pub definition: Planned,
    pub files: Vec<Planned>,
    /// Entries that could not be imported, one line each.
    pub skipped: Vec<String>,
    pub warnings: Vec<String>,
}

impl Report {
    pub fn count(&self, action: Action) -> usize {
        self.files.iter().filter(|f| f.action == action).count()
    }
}

/// Imports into the site at `root`, writing dates in `zone`.
pub fn run(root: &Path, zone: Tz, options: &Options) -> Result<Report> {
    let source = pages::read(&options.source, options.max_pages, options.max_bytes)?;
    let feed = &source.feed;
    let source_url = match &source.first {
        pages::Location::Url(url) => Some(url.to_string()),
        pages::Location::File(_) => None,
    };
    let mut warnings = source.warnings.clone();

    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for entry in &feed.entries {
        match entry_file::build(entry, zone) {
            Ok(file) => files.push(file),
            Err(reason) => skipped.push(reason),
        }
    }
    // A podcast when the source says it is one (iTunes or Podcasting 2.0 channel data),
    // or when every entry is an episode; a blog with one audio post stays a blog.
    let episodes = files.iter().filter(|f| f.is_episode).count();
    let says_podcast = !feed.podcast.is_empty()
        || feed
            .categories
            .iter()
            .any(|c| c.scheme.as_deref() == Some("itunes"));
    let podcast = episodes > 0 && (says_podcast || episodes == files.len());
    if podcast && episodes < files.len() {
        warnings.push(format!(
            "{} entries have no audio; they are imported, but a podcast feed publishes episodes only (a blog feed reading the same folder would publish them)",
            files.len() - episodes
        ));
    }

    let name = match &options.feed {
        Some(name) => {
            if !valid_name(name) {
                bail!("--feed {name}: a feed name uses only letters, digits, `-` and `_`");
            }
            name.clone()
        }
        None => default_name(feed.title.as_deref().unwrap_or("")),
    };
    let definition_relative = format!("{FEEDS_DIR}/{name}.toml");
    let definition_path = root.join(&definition_relative);
    let (folder, definition) = if definition_path.is_file() {
        if let Some(into) = &options.into {
            warnings.push(format!(
                "--into {into} is not used: {definition_relative} exists, and its files go where it reads them"
            ));
        }
        merge(
            root,
            &name,
            &definition_path,
            &definition_relative,
            feed,
            source_url.as_deref(),
            podcast,
            &mut warnings,
        )?
    } else {
        let folder = match &options.into {
            Some(into) => checked_folder(into)?,
            None => format!("content/{name}"),
        };
        let guid = podcast
            .then(|| definition::show_guid(feed, source_url.as_deref()))
            .flatten();
        if podcast && guid.is_none() {
            warnings.push("the source has no podcast:guid and no URL to derive one from; import from the feed's URL to keep the show's identity".into());
        }
        let (text, lacking) = definition::new_definition(feed, podcast, &folder, guid.as_deref());
        warnings.extend(lacking);
        let content = ContentFolder::of(&name, root, &format!("{folder}/*.md"))
            .map_err(anyhow::Error::msg)?;
        (
            content,
            Planned {
                path: definition_relative,
                action: Action::Create,
                guid: None,
                title: feed.title.clone(),
                body: None,
                text: Some(text),
            },
        )
    };

    let existing = existing_guids(root, &folder)?;
    let mut names = Names::in_folder(root, &folder.folder);
    let mut planned = Vec::new();
    let mut this_run: HashSet<String> = HashSet::new();
    for file in files {
        warnings.extend(file.warnings.iter().cloned());
        if let Some(path) = existing.get(&file.guid) {
            planned.push(Planned {
                path: path.clone(),
                action: Action::Unchanged,
                guid: Some(file.guid.clone()),
                title: file.title.clone(),
                body: None,
                text: None,
            });
            continue;
        }
        if !this_run.insert(file.guid.clone()) {
            skipped.push(format!(
                "`{}` has the guid of an earlier entry ({}); only the first was imported",
                file.title.as_deref().unwrap_or("untitled"),
                file.guid
            ));
            continue;
        }
        if file.is_episode && file.title.is_none() {
            warnings.push(format!(
                "an episode with guid {} has no title, which podcast apps need; give it a `title` in its file before building",
                file.guid
            ));
        }
        let body = file.body();
        let fallback = if file.is_episode { "episode" } else { "post" };
        let stem = names.claim(&place::stem(&file.name_from, fallback));
        let relative = folder
            .file(&format!("{}-{stem}.md", file.day))
            .map_err(anyhow::Error::msg)?;
        planned.push(Planned {
            path: reference::slash_path(&relative),
            action: Action::Create,
            guid: Some(file.guid.clone()),
            title: file.title.clone(),
            body: Some(body.kind()),
            text: Some(file.front_matter.document(body.text())),
        });
    }

    if !options.dry_run {
        write(root, &definition)?;
        for file in &planned {
            write(root, file)?;
        }
    }
    Ok(Report {
        source: options.source.clone(),
        feed: name,
        dry_run: options.dry_run,
        pages: source.pages,
        entries: feed.entries.len(),
        definition,
        files: planned,
        skipped,
        warnings,
    })
}

fn write(root: &Path, planned: &Planned) -> Result<()> {
    let Some(text) = &planned.text else {
        return Ok(());
    };
    let full = root.join(&planned.path);
    match planned.action {
        Action::Create => place::write_new(&full, text).map_err(anyhow::Error::msg),
        Action::Update => {
            let dir = full.parent().unwrap_or(root);
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("{}: cannot write", planned.path))?;
            std::io::Write::write_all(&mut tmp, text.as_bytes())
                .with_context(|| format!("{}: cannot write", planned.path))?;
            tmp.persist(&full)
                .map_err(|e| anyhow::anyhow!("{}: cannot write ({})", planned.path, e.error))?;
            Ok(())
        }
        Action::Unchanged => Ok(()),
    }
}

/// Uses an existing definition: its folder, and its `guid` added when it has none.
#[allow(clippy::too_many_arguments)]
fn merge(
    root: &Path,
    name: &str,
    path: &Path,
    relative: &str,
    feed: &crate::model::Feed,
    source_url: Option<&str>,
    podcast: bool,
    warnings: &mut Vec<String>,
) -> Result<(ContentFolder, Planned)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{relative}: cannot read"))?;
    let existing = definition::read_existing(&text)
        .map_err(|message| anyhow::anyhow!("{relative}: {message}"))?;
    let Some(pattern) = existing.markdown else {
        bail!(
            "{relative}: reads no Markdown files; add a [[source]] with `markdown = \"content/{name}/*.md\"`, or import into a new feed with --feed"
        );
    };
    let folder = ContentFolder::of(name, root, &pattern).map_err(anyhow::Error::msg)?;
    let mut planned = Planned {
        path: relative.to_string(),
        action: Action::Unchanged,
        guid: None,
        title: feed.title.clone(),
        body: None,
        text: None,
    };
    let is_podcast = existing.kind.as_deref() == Some("podcast");
    if podcast && !is_podcast {
        warnings.push(format!(
            "{relative} is not a podcast feed; the imported episodes will not be published as a podcast there"
        ));
    }
    if is_podcast && let Some(guid) = definition::show_guid(feed, source_url) {
        match existing.guid {
            None => {
                planned.action = Action::Update;
                planned.text = Some(definition::add_guid(&text, &guid));
            }
            Some(kept) if !kept.trim().eq_ignore_ascii_case(&guid) => warnings.push(format!(
                "{relative} has guid {kept}, but the imported show is known to podcast apps as {guid}; change it if this is the same show"
            )),
            Some(_) => {}
        }
    }
    Ok((folder, planned))
}

/// The guid of each Markdown file the folder's feed reads now.
fn existing_guids(root: &Path, folder: &ContentFolder) -> Result<HashMap<String, String>> {
    let pattern = if folder.folder.is_empty() {
        "**/*.md".to_string()
    } else {
        format!("{}/**/*.md", folder.folder)
    };
    if !root.join(&folder.folder).is_dir() {
        return Ok(HashMap::new());
    }
    let found =
        collect::find(root, &pattern, &["md", "markdown"], true).map_err(anyhow::Error::msg)?;
    let mut guids = HashMap::new();
    for relative in found.files {
        let Ok(text) = post::read_text(&root.join(&relative)) else {
            continue;
        };
        let Ok(doc) = frontmatter::parse(&text) else {
            continue;
        };
        if let Some(frontmatter::Value::String(guid)) = doc
            .fields
            .iter()
            .find(|f| f.key == "guid")
            .map(|f| &f.value)
        {
            guids
                .entry(guid.trim().to_string())
                .or_insert_with(|| reference::slash_path(&relative));
        }
    }
    Ok(guids)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A feed name from a title: its slug when that is a valid name, else `imported`.
fn default_name(title: &str) -> String {
    let stem = place::stem(title, "imported");
    let short: String = stem.chars().take(40).collect();
    let short = short.trim_end_matches('-').to_string();
    if valid_name(&short) {
        short
    } else {
        "imported".to_string()
    }
}

/// `--into`: a plain relative folder inside the site.
fn checked_folder(into: &str) -> Result<String> {
    let trimmed = into.trim().trim_matches('/');
    let path = PathBuf::from(trimmed);
    let plain = !trimmed.is_empty()
        && !path.is_absolute()
        && trimmed
            .split('/')
            .all(|part| !part.is_empty() && part != ".." && part != "." && !part.starts_with('.'))
        && !trimmed.contains(['*', '?', '[', '{', '\\']);
    if !plain {
        bail!(
            "--into {into}: expected a folder inside the site such as `content/blog`, without `..` or wildcards"
        );
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_names_from_titles() {
        assert_eq!(
            default_name("Één ontwikkeling — de podcast"),
            "een-ontwikkeling-de-podcast"
        );
        assert_eq!(default_name("Подкаст"), "imported");
        assert_eq!(default_name(""), "imported");
    }

    #[test]
    fn into_folders_stay_inside_the_site() {
        assert_eq!(checked_folder("content/blog/").unwrap(), "content/blog");
        // A leading `/` means the site root, as in front matter.
        assert_eq!(checked_folder("/blog").unwrap(), "blog");
        for bad in ["../x", "a/../../b", "content/*", ".hidden", "a//b", ""] {
            assert!(checked_folder(bad).is_err(), "{bad}");
        }
    }
}

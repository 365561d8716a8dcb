//! Where a new content file goes, and under which name.
//!
//! The folder comes from a feed definition's `markdown` source: the part of its glob
//! before the first wildcard (`content/posts/*.md` → `content/posts/`), or the folder it
//! names. The file must then match that glob, or the feed would never read it. File
//! names come from titles, which are hostile input (an imported feed is somebody else's
//! text): they are slugs (letters, digits and `-` only, so no `/`, `..` or hidden
//! names), cut to a length every file system takes, and made unique with `-2`, `-3`, …
//! A file is written beside its place and linked in only while the name is free
//! (`persist_noclobber`), so it appears whole or not at all and an existing file is never
//! overwritten, even in a race with another process.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{FeedConfig, FeedKind, Site, SourceLocation};
use crate::ingest::permalink;

/// The longest file stem we write, in bytes (file systems allow 255 for the whole name).
pub const MAX_STEM_BYTES: usize = 80;

/// What kind of entry a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Post,
    Episode,
}

impl Want {
    pub fn noun(self) -> &'static str {
        match self {
            Want::Post => "post",
            Want::Episode => "episode",
        }
    }

    fn takes(self, kind: FeedKind) -> bool {
        match self {
            Want::Post => matches!(kind, FeedKind::Blog | FeedKind::Aggregate),
            Want::Episode => kind == FeedKind::Podcast,
        }
    }
}

/// A folder that a feed reads Markdown files from.
#[derive(Debug)]
pub struct ContentFolder {
    /// The feed's name.
    pub feed: String,
    /// Relative to the site root, `/`-separated, no trailing `/` (empty for the root).
    pub folder: String,
    matcher: globset::GlobMatcher,
    pattern: String,
}

impl ContentFolder {
    /// The folder of a `markdown` source pattern.
    pub fn of(feed: &str, root: &Path, pattern: &str) -> Result<ContentFolder, String> {
        let trimmed = pattern.trim().trim_start_matches("./");
        let is_glob = trimmed.contains(crate::ingest::collect::GLOB_CHARACTERS);
        let full = if !is_glob && root.join(trimmed).is_dir() {
            format!("{}/**/*.md", trimmed.trim_end_matches('/'))
        } else {
            trimmed.to_string()
        };
        let matcher = globset::GlobBuilder::new(&full)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("`{pattern}` is not a valid glob: {e}"))?
            .compile_matcher();
        let folder: Vec<&str> = full
            .split('/')
            .take_while(|part| !part.contains(crate::ingest::collect::GLOB_CHARACTERS))
            .collect();
        // A pattern naming one file (`posts/only.md`) has no folder to add files to.
        let folder = if is_glob || !trimmed.ends_with(".md") {
            folder.join("/")
        } else {
            return Err(format!(
                "feed `{feed}` reads the single file `{trimmed}`; give it a glob such as \
                 `content/posts/*.md` to add files"
            ));
        };
        if folder.split('/').any(|part| part == "..") || Path::new(&folder).is_absolute() {
            return Err(format!(
                "`{pattern}` must be a path inside the site folder, without `..`"
            ));
        }
        Ok(ContentFolder {
            feed: feed.to_string(),
            folder,
            matcher,
            pattern: trimmed.to_string(),
        })
    }

    /// The site-relative path of a file named `name` in the folder, when the feed's glob
    /// takes it.
    pub fn file(&self, name: &str) -> Result<PathBuf, String> {
        let relative = if self.folder.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.folder)
        };
        if !self.matcher.is_match(&relative) {
            return Err(format!(
                "feed `{}` reads `{}`, which would not take a new file `{relative}`; \
                 write the file yourself, or use a glob such as `{}/*.md`",
                self.feed,
                self.pattern,
                if self.folder.is_empty() {
                    "content"
                } else {
                    &self.folder
                }
            ));
        }
        Ok(PathBuf::from(relative))
    }
}

/// The feed a new post or episode goes to: `--feed NAME`, else the only feed of the
/// right kind with a `markdown` source. With several candidates the user must choose.
pub fn target<'s>(
    site: &'s Site,
    want: Want,
    feed: Option<&str>,
) -> Result<(&'s FeedConfig, ContentFolder), String> {
    let markdown = |feed: &FeedConfig| {
        feed.sources
            .iter()
            .find_map(|source| match &source.location {
                SourceLocation::Markdown(pattern) => Some(pattern.clone()),
                _ => None,
            })
    };
    let chosen = match feed {
        Some(name) => {
            let Some(feed) = site.feeds.iter().find(|f| f.name == name) else {
                let names: Vec<&str> = site.feeds.iter().map(|f| f.name.as_str()).collect();
                return Err(format!(
                    "no feed `{name}`; the site's feeds are {}",
                    names.join(", ")
                ));
            };
            if !want.takes(feed.kind) {
                return Err(format!(
                    "feed `{name}` is a {} feed; a new {} goes to a {} feed",
                    feed.kind.as_str(),
                    want.noun(),
                    if want == Want::Post {
                        "blog"
                    } else {
                        "podcast"
                    }
                ));
            }
            feed
        }
        None => {
            let candidates: Vec<&FeedConfig> = site
                .feeds
                .iter()
                .filter(|f| want.takes(f.kind) && markdown(f).is_some())
                .collect();
            match candidates.as_slice() {
                [one] => *one,
                [] => {
                    return Err(format!(
                        "no {} feed reads Markdown files; add a [[source]] with \
                         `markdown = \"content/…/*.md\"` to one",
                        if want == Want::Post {
                            "blog"
                        } else {
                            "podcast"
                        }
                    ));
                }
                several => {
                    let names: Vec<&str> = several.iter().map(|f| f.name.as_str()).collect();
                    return Err(format!(
                        "several feeds could take the {}: {}; choose one with --feed NAME",
                        want.noun(),
                        names.join(", ")
                    ));
                }
            }
        }
    };
    let Some(pattern) = markdown(chosen) else {
        return Err(format!(
            "feed `{}` reads no Markdown files; add a [[source]] with `markdown = \"content/…/*.md\"`",
            chosen.name
        ));
    };
    let folder = ContentFolder::of(&chosen.name, &site.root, &pattern)?;
    Ok((chosen, folder))
}

/// A file stem from hostile text: a slug, at most [`MAX_STEM_BYTES`], never empty and
/// never a name Windows reserves.
pub fn stem(text: &str, fallback: &str) -> String {
    let slug = permalink::slugify(text);
    let mut cut = String::new();
    for part in slug.split('-') {
        let extra = if cut.is_empty() { 0 } else { 1 } + part.len();
        if cut.len() + extra > MAX_STEM_BYTES {
            if cut.is_empty() {
                // One very long word: cut it at a character boundary.
                let end = (0..=MAX_STEM_BYTES)
                    .rev()
                    .find(|&i| part.is_char_boundary(i))
                    .unwrap_or(0);
                cut.push_str(&part[..end]);
            }
            break;
        }
        if !cut.is_empty() {
            cut.push('-');
        }
        cut.push_str(part);
    }
    if cut.is_empty() {
        cut = fallback.to_string();
    }
    const RESERVED: &[&str] = &[
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
        "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ];
    if RESERVED.contains(&cut.as_str()) {
        cut.push_str("-1");
    }
    cut
}

/// Names already used in a folder and by this run, so two files never get one name.
#[derive(Debug, Default)]
pub struct Names {
    taken: HashSet<String>,
}

impl Names {
    /// The names under `folder` (site-relative) now, as slugs of their file names.
    pub fn in_folder(root: &Path, folder: &str) -> Names {
        let mut taken = HashSet::new();
        if let Ok(entries) = std::fs::read_dir(root.join(folder)) {
            for entry in entries.flatten() {
                let path = entry.path();
                taken.insert(permalink::slug_from_path(&path));
                if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                    taken.insert(stem.to_ascii_lowercase());
                }
            }
        }
        Names { taken }
    }

    /// `stem`, else `stem-2`, `stem-3`, …: the first that is free; it is then taken.
    pub fn claim(&mut self, stem: &str) -> String {
        let mut candidate = stem.to_string();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{stem}-{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

/// The Markdown file in `folder` (site-relative) whose slug is `slug`, if any.
pub fn with_slug(root: &Path, folder: &str, slug: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root.join(folder))
        .ok()?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "md" || ext == "markdown")
                && permalink::slug_from_path(path) == slug
        })
        .collect();
    found.sort();
    found.into_iter().next().map(|path| {
        path.strip_prefix(root)
            .map(Path::to_path_buf)
            .unwrap_or(path)
    })
}

/// Writes a new file, creating its folder; an existing file is an error, never replaced.
pub fn write_new(full: &Path, text: &str) -> Result<(), String> {
    let parent = full.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create folder {}: {e}", parent.display()))?;
    // Written beside it, then linked into place only if the name is still free: the file
    // appears whole or not at all, and nothing that exists is ever replaced.
    let mut tmp = tempfile::NamedTempFile::new_in(parent)
        .map_err(|e| format!("cannot write in {}: {e}", parent.display()))?;
    tmp.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", full.display()))?;
    tmp.persist_noclobber(full).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists; omroep never overwrites a file (give another title, or remove it)",
                full.display()
            )
        } else {
            format!("cannot create {}: {}", full.display(), e.error)
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_fold_cut_and_never_escape() {
        assert_eq!(stem("Één ontwikkeling", "post"), "een-ontwikkeling");
        assert_eq!(stem("../../etc/passwd", "post"), "etc-passwd");
        assert_eq!(stem("???", "post"), "post");
        assert_eq!(stem("CON", "post"), "con-1");
        let long = "woord ".repeat(40);
        let cut = stem(&long, "post");
        assert!(cut.len() <= MAX_STEM_BYTES && !cut.ends_with('-'), "{cut}");
        let one_word = "é".repeat(200);
        let cut = stem(&one_word, "post");
        assert_eq!(cut, "e".repeat(MAX_STEM_BYTES));
        let cyrillic = "д".repeat(100);
        let cut = stem(&cyrillic, "post");
        assert!(cut.len() <= MAX_STEM_BYTES && cut.chars().all(|c| c == 'д'));
    }

    #[test]
    fn names_are_made_unique() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("2024-03-05-hallo.md"), "x").unwrap();
        let mut names = Names::in_folder(dir.path(), "");
        assert_eq!(names.claim("hallo"), "hallo-2");
        assert_eq!(names.claim("hallo"), "hallo-3");
        assert_eq!(names.claim("nieuw"), "nieuw");
    }

    #[test]
    fn folders_come_from_globs_and_files_must_match() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/posts")).unwrap();
        let glob = ContentFolder::of("blog", dir.path(), "content/posts/*.md").unwrap();
        assert_eq!(glob.folder, "content/posts");
        assert_eq!(
            glob.file("x.md").unwrap(),
            PathBuf::from("content/posts/x.md")
        );
        let deep = ContentFolder::of("blog", dir.path(), "content/**/*.md").unwrap();
        assert_eq!(deep.folder, "content");
        let plain = ContentFolder::of("blog", dir.path(), "content/posts").unwrap();
        assert_eq!(
            plain.file("x.md").unwrap(),
            PathBuf::from("content/posts/x.md")
        );
        let bundle = ContentFolder::of("blog", dir.path(), "content/*/index.md").unwrap();
        let error = bundle.file("x.md").unwrap_err();
        assert!(error.contains("would not take a new file"), "{error}");
        assert!(ContentFolder::of("blog", dir.path(), "../elsewhere/*.md").is_err());
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/b.md");
        write_new(&file, "first").unwrap();
        let error = write_new(&file, "second").unwrap_err();
        assert!(
            error.ends_with(
                "already exists; omroep never overwrites a file (give another title, or remove it)"
            ),
            "{error}"
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "first");
    }
}

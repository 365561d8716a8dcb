//! One Markdown file → one [`LocalItem`] (a post, or an episode when it names `audio`),
//! a held-back draft or scheduled entry, or the problems that stopped it.
//!
//! The order matters to the user: front matter syntax first (nothing else can be read
//! without it), then every field (all their errors at once), then drafts (whose other
//! mistakes are only warnings, since they are work in progress), then the date (required:
//! a file's mtime changes on every checkout and would reorder the feed), the permalink,
//! the body, and the episode's audio and attachments.

use std::path::Path;

use url::Url;

use super::episode;
use super::fields::{self, Meta};
use super::file_cache::{Dependencies, FileStamp};
use super::frontmatter;
use super::local::{Asset, HeldBack, ItemKind, LocalItem, Problem, Session};
use super::markdown::{self, Bases};
use super::permalink;
use super::reference::{self, Target};
use crate::model::{Category, Entry, Image};

/// The largest Markdown file we read.
pub const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// What became of one file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    Item {
        item: Box<LocalItem>,
        /// Remote audio whose length or type must still be asked.
        pending: Option<episode::Pending>,
        problems: Vec<Problem>,
    },
    Held {
        held: HeldBack,
        problems: Vec<Problem>,
    },
    Failed {
        problems: Vec<Problem>,
    },
}

/// A file's outcome with what it depended on.
pub struct Reading {
    pub outcome: Outcome,
    pub dependencies: Dependencies,
    /// The file's date, when it had a readable one.
    pub date: Option<chrono::DateTime<chrono::Utc>>,
}

/// Reads the Markdown file at `relative` (to the site root); `listed` is its stamp,
/// taken before reading (`None`: the file was gone).
pub fn read(session: &Session, relative: &Path, listed: Option<FileStamp>) -> Reading {
    let mut problems = Vec::new();
    let mut dependencies = Dependencies::default();
    let mut date = None;
    let outcome = match read_inner(
        session,
        relative,
        listed,
        &mut problems,
        &mut dependencies,
        &mut date,
    ) {
        Ok(Read::Item(item, pending)) => Outcome::Item {
            item,
            pending,
            problems,
        },
        Ok(Read::Held(held)) => Outcome::Held { held, problems },
        Err(()) => Outcome::Failed { problems },
    };
    Reading {
        outcome,
        dependencies,
        date,
    }
}

enum Read {
    Item(Box<LocalItem>, Option<episode::Pending>),
    Held(HeldBack),
}

fn read_inner(
    session: &Session,
    relative: &Path,
    listed: Option<FileStamp>,
    problems: &mut Vec<Problem>,
    deps: &mut Dependencies,
    date_out: &mut Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Read, ()> {
    let settings = session.settings.clone();
    let full = settings.site_root.join(relative);
    // Stamped before reading (by the listing, else now): a file changed while read is
    // then read again next run.
    let stamp = listed.or_else(|| FileStamp::of(&full).ok());
    deps.record_stamp(&full, stamp);
    let text = read_text(&full).map_err(|(line, message)| {
        problems.push(Problem::error(relative, message).at_line(line));
    })?;
    if let Some(stamp) = stamp {
        deps.record_read(&full, stamp, text.as_bytes());
    }
    let doc = frontmatter::parse(&text).map_err(|e| {
        problems.push(Problem::error(relative, e.message).at_line(e.line));
    })?;
    let (meta, field_problems) = fields::read(&doc.fields, relative, settings.timezone);
    if meta.draft {
        // Work in progress: its mistakes must not fail a build.
        problems.extend(field_problems.into_iter().map(|p| Problem {
            is_error: false,
            ..p
        }));
        return Ok(Read::Held(HeldBack::Draft));
    }
    let mut failed = field_problems.iter().any(|p| p.is_error);
    problems.extend(field_problems);
    *date_out = meta.date;
    let Some(date) = meta.date else {
        if !meta.lines.contains_key("date") {
            problems.push(
                Problem::error(
                    relative,
                    "no `date`; add one such as `date: 2024-03-05` (omroep never uses the file's modification time)",
                )
                .at_line(Some(1))
                .in_field("date"),
            );
        }
        return Err(());
    };
    let is_episode = meta.audio.is_some();
    let title_reported = problems
        .iter()
        .any(|p| p.is_error && p.field.as_deref() == Some("title"));
    if is_episode && meta.title.is_none() && !title_reported {
        problems.push(
            Problem::error(
                relative,
                "an episode needs a `title`; podcast apps list episodes by it",
            )
            .at_line(meta.line("title").or(Some(1)))
            .in_field("title"),
        );
        failed = true;
    }
    if let Some(updated) = meta.updated
        && updated < date
    {
        problems.push(
            Problem::warning(relative, "is before `date`; check the two dates")
                .at_line(meta.line("updated"))
                .in_field("updated"),
        );
    }
    let language = meta.lang.clone().or_else(|| {
        settings
            .language
            .as_deref()
            .and_then(crate::normalise::language::normalise)
    });
    let slug = match &meta.slug {
        Some(given) => {
            let slug = permalink::slugify(given);
            if slug != *given {
                problems.push(
                    Problem::warning(
                        relative,
                        format!("`{given}` is not URL-safe; using `{slug}`"),
                    )
                    .at_line(meta.line("slug"))
                    .in_field("slug"),
                );
            }
            slug
        }
        None => permalink::slug_from_path(relative),
    };
    if slug.is_empty() {
        problems.push(
            Problem::error(
                relative,
                "the slug is empty; give a `slug` of letters or digits",
            )
            .at_line(meta.line("slug"))
            .in_field("slug"),
        );
        return Err(());
    }
    let page = permalink::url(
        &settings.base_url,
        &settings.permalink,
        &date,
        &slug,
        language.as_deref(),
    )
    .map_err(|message| problems.push(Problem::error(relative, message)))?;

    let bases = Bases {
        page: &page,
        site: &settings.base_url,
    };
    let mut assets = Vec::new();
    let page_path = permalink::output_path(&settings.base_url, &page).unwrap_or_default();
    let rendered = {
        let mut local = |href: &str| {
            body_asset(
                &settings.site_root,
                &settings.base_url,
                relative,
                &page_path,
                href,
                &mut assets,
                deps,
            )
        };
        markdown::render(doc.body, &bases, &mut local)
    };

    let mut ctx = ItemContext {
        site_root: &settings.site_root,
        base_url: &settings.base_url,
        relative,
        page: &page,
        assets: &mut assets,
        problems,
        meta: &meta,
        failed: false,
        deps,
    };
    let mut entry = entry_from(&meta, &page, &rendered, &settings, &mut ctx);
    let mut pending = None;
    if is_episode {
        pending = episode::apply(session, &mut ctx, &mut entry, language.as_deref());
    }
    failed |= ctx.failed;
    if failed {
        return Err(());
    }
    if date > settings.now {
        return Ok(Read::Held(HeldBack::Scheduled(date)));
    }
    assets.sort();
    assets.dedup();
    let tags = meta.tags.clone();
    Ok(Read::Item(
        Box::new(LocalItem {
            entry,
            kind: if is_episode {
                ItemKind::Episode
            } else {
                ItemKind::Post
            },
            language,
            path: relative.to_path_buf(),
            tags,
            assets,
        }),
        pending,
    ))
}

/// Reads a file as UTF-8 text, refusing absurd sizes; an error may name a line.
pub fn read_text(full: &Path) -> Result<String, (Option<usize>, String)> {
    use std::io::Read;
    let cannot = |e: std::io::Error| (None, format!("cannot read it: {e}"));
    let too_big = |size: &str| {
        (
            None,
            format!(
                "{size}, more than the {MAX_BYTES} bytes a post may have; is it really Markdown?"
            ),
        )
    };
    // One open file for the size and the bytes: a file that grows after its size was
    // taken is still read no further than the limit.
    let file = std::fs::File::open(full).map_err(cannot)?;
    let len = file.metadata().map_err(cannot)?.len();
    if len > MAX_BYTES {
        return Err(too_big(&format!("is {len} bytes")));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_big("grew while it was read"));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        (
            Some(line),
            format!("not UTF-8 text (byte {offset}); save the file as UTF-8"),
        )
    })
}

/// What the episode and image code needs to know about the item being built.
pub struct ItemContext<'a> {
    pub site_root: &'a Path,
    pub base_url: &'a Url,
    /// The Markdown file, relative to the site root.
    pub relative: &'a Path,
    /// The item's own URL.
    pub page: &'a Url,
    pub assets: &'a mut Vec<Asset>,
    pub problems: &'a mut Vec<Problem>,
    pub meta: &'a Meta,
    /// Set when an error means the item must be skipped.
    pub failed: bool,
    /// Every local file looked at (or looked for).
    pub deps: &'a mut Dependencies,
}

impl ItemContext<'_> {
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        let line = self.meta.line(field);
        self.problems.push(
            Problem::error(self.relative, message)
                .at_line(line)
                .in_field(field),
        );
        self.failed = true;
    }

    pub fn warning(&mut self, field: &str, message: impl Into<String>) {
        let line = self.meta.line(field);
        self.problems.push(
            Problem::warning(self.relative, message)
                .at_line(line)
                .in_field(field),
        );
    }

    /// Resolves a front matter reference to its public URL; a local file becomes an asset
    /// published under the item's URL. Errors are recorded against `field`.
    /// Resolves a front matter reference, noting the local file it names (or would name)
    /// as a dependency.
    pub fn locate(&mut self, href: &str) -> Result<Target, String> {
        if url::Url::parse(href.trim()).is_err()
            && let Some(relative) = reference::site_relative(self.relative, href)
        {
            self.deps.record(&self.site_root.join(relative));
        }
        reference::locate(self.site_root, self.relative, href)
    }

    pub fn publish(&mut self, field: &str, href: &str) -> Option<(String, Option<Target>)> {
        let target = match self.locate(href) {
            Ok(target) => target,
            Err(message) => {
                self.error(field, message);
                return None;
            }
        };
        match &target {
            Target::Remote(url) => Some((url.to_string(), Some(target))),
            Target::Local { full, relative } => {
                let page_path =
                    permalink::output_path(self.base_url, self.page).unwrap_or_default();
                let Some(output) = asset_output(&page_path, href, relative) else {
                    self.error(
                        field,
                        format!("`{href}` cannot be published; give the file a name"),
                    );
                    return None;
                };
                let url = match permalink::join_path(self.base_url, &output) {
                    Ok(url) => url.to_string(),
                    Err(message) => {
                        self.error(field, message);
                        return None;
                    }
                };
                self.assets.push(Asset {
                    source: full.clone(),
                    output,
                });
                Some((url, Some(target)))
            }
        }
    }
}

/// Where a local file referenced as `href` is published. A file beside the Markdown
/// file or below it (`ep1.vtt`, `beeld/x.jpg`) goes beside the page, as in a page
/// bundle (`blog/2024/ep1/ep1.vtt`); any other (`../art.jpg`, `/art/cover.jpg`) at its
/// own path from the site root, so a file shared by many posts is published once.
pub fn asset_output(page_path: &str, href: &str, site_relative: &Path) -> Option<String> {
    let href = href.trim();
    let beside = (!href.starts_with('/'))
        .then(|| reference::normalise(Path::new(href)))
        .flatten()
        .filter(|p| !p.as_os_str().is_empty());
    let out = match beside {
        Some(below) => {
            let dir = &page_path[..page_path.rfind('/').map(|i| i + 1).unwrap_or(0)];
            format!("{dir}{}", reference::slash_path(&below))
        }
        None => reference::slash_path(site_relative),
    };
    (!out.is_empty()).then_some(out)
}

fn entry_from(
    meta: &Meta,
    page: &Url,
    rendered: &markdown::Rendered,
    settings: &super::local::LocalSettings,
    ctx: &mut ItemContext<'_>,
) -> Entry {
    let permalink = page.to_string();
    let link = match &meta.link {
        Some(link) => match markdown::resolve(
            link,
            &Bases {
                page,
                site: &settings.base_url,
            },
        ) {
            markdown::Resolved::Unchanged => {
                if Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
                    link.clone()
                } else {
                    let field = if ctx.meta.lines.contains_key("link") {
                        "link"
                    } else {
                        "canonical"
                    };
                    ctx.error(
                        field,
                        format!("expected an http(s) URL or a /path on the site, found `{link}`"),
                    );
                    permalink.clone()
                }
            }
            markdown::Resolved::Site(url) | markdown::Resolved::Page(url) => url.to_string(),
        },
        None => permalink.clone(),
    };
    let (id, guid_is_permalink) = match &meta.guid {
        Some(guid) => (guid.clone(), *guid == permalink),
        None => (permalink.clone(), true),
    };
    let image = meta.image.as_ref().and_then(|href| {
        let (url, target) = ctx.publish("image", href)?;
        if ctx.meta.audio.is_some()
            && let Some(Target::Local { full, .. }) = target
        {
            check_artwork(ctx, "image", &full);
        }
        Some(Image {
            url,
            ..Image::default()
        })
    });
    let authors = if meta.authors.is_empty() {
        settings.author.iter().cloned().collect()
    } else {
        meta.authors.clone()
    };
    Entry {
        id: id.clone(),
        guid: Some(id),
        guid_is_permalink: Some(guid_is_permalink),
        title: meta.title.clone(),
        link: Some(link),
        summary: meta.summary.clone().or_else(|| rendered.summary.clone()),
        content_html: (!rendered.html.trim().is_empty()).then(|| rendered.html.clone()),
        published: meta.date,
        updated: meta.updated,
        authors,
        categories: meta
            .tags
            .iter()
            .map(|tag| Category {
                term: tag.clone(),
                ..Category::default()
            })
            .collect(),
        image,
        ..Entry::default()
    }
}

/// Apple's artwork rules, as warnings with the numbers found.
pub fn check_artwork(ctx: &mut ItemContext<'_>, field: &str, full: &Path) {
    match super::artwork::read(full) {
        Ok(art) => {
            for warning in super::artwork::warnings(&art) {
                ctx.warning(field, warning);
            }
        }
        Err(message) => ctx.error(field, message),
    }
}

/// A relative reference in the body that names a local file (an image, a PDF) publishes
/// that file; the reference then points at it.
fn body_asset(
    site_root: &Path,
    base_url: &Url,
    relative: &Path,
    page_path: &str,
    href: &str,
    assets: &mut Vec<Asset>,
    deps: &mut Dependencies,
) -> Option<Url> {
    let path_part = href.split(['?', '#']).next().unwrap_or("");
    if path_part.is_empty() || path_part.ends_with('/') {
        return None;
    }
    let decoded = permalink::percent_decode(path_part);
    let dir = relative.parent().unwrap_or(Path::new(""));
    let site_relative = reference::normalise(&dir.join(&decoded))?;
    let full = site_root.join(&site_relative);
    deps.record(&full);
    if !full.is_file() || !reference::inside(site_root, &full) {
        return None;
    }
    let output = asset_output(page_path, &decoded, &site_relative)?;
    let url = permalink::join_path(base_url, &output).ok()?;
    assets.push(Asset {
        source: full,
        output,
    });
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_over_the_size_limit_is_refused_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.md");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_BYTES + 1).unwrap();
        let (line, message) = read_text(&path).unwrap_err();
        assert_eq!(line, None);
        assert_eq!(
            message,
            format!(
                "is {} bytes, more than the {MAX_BYTES} bytes a post may have; is it really Markdown?",
                MAX_BYTES + 1
            )
        );
        // At the limit exactly, it is read.
        file.set_len(MAX_BYTES).unwrap();
        assert_eq!(read_text(&path).unwrap().len() as u64, MAX_BYTES);
    }

    #[test]
    fn assets_beside_the_post_go_beside_the_page_and_others_keep_their_path() {
        let file = Path::new("content/episodes/audio/ep1.vtt");
        assert_eq!(
            asset_output("blog/2024/ep1/", "ep1.vtt", file).as_deref(),
            Some("blog/2024/ep1/ep1.vtt")
        );
        assert_eq!(
            asset_output("blog/2024/ep1/", "audio/./ep1.vtt", file).as_deref(),
            Some("blog/2024/ep1/audio/ep1.vtt")
        );
        assert_eq!(
            asset_output("blog/2024/ep1.html", "ep1.vtt", file).as_deref(),
            Some("blog/2024/ep1.vtt")
        );
        let shared = Path::new("content/artwork.jpg");
        assert_eq!(
            asset_output("blog/2024/ep1/", "../artwork.jpg", shared).as_deref(),
            Some("content/artwork.jpg")
        );
        assert_eq!(
            asset_output("blog/2024/ep1/", "/content/artwork.jpg", shared).as_deref(),
            Some("content/artwork.jpg")
        );
    }
}

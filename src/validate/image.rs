//! Finding and reading the artwork a feed names, for the `apple/artwork-…` rules.
//!
//! The bytes decide, never the URL: `ingest::artwork` reads the format, the size and the
//! colour model. This module only works out where the bytes are. An artwork URL is read
//! from a local file when the build said which file serves it, when it is relative to the
//! feed file, or when it lives on the same site as the feed (the feed's own URL, or its
//! `atom:link rel="self"`, maps the site onto the folder the feed file is in). Otherwise it
//! is fetched only under `--online`. A path that would climb out of the site's folder is
//! not read: a hostile feed must not make omroep probe the disk.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use url::Url;

use super::Context;
use crate::ingest::artwork::{self, Artwork};

/// The most bytes read of one image: enough for any header, frame marker and the
/// metadata segments before them.
pub const MAX_IMAGE_BYTES: u64 = 8 * 1024 * 1024;

/// What could be learned about one artwork URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Looked {
    /// The image was read; `from` is the file or URL it was read from.
    Read { artwork: Artwork, from: String },
    /// The bytes were found but are no image, or could not be had; the reason.
    Unreadable(String),
    /// Nothing local serves this URL and `--online` is off.
    Unchecked,
}

/// Reads the artwork at `href`, as named in a feed whose own URL is `feed_url` (the
/// context's, else the feed's self link).
pub fn look(href: &str, feed_url: Option<&str>, context: &Context) -> Looked {
    let local = local_file(href, feed_url, context).or_else(|| {
        // A relative URL can only mean a file beside the feed: missing is an answer too.
        let base_dir = context.base_dir.as_deref()?;
        relative_path(href).map(|relative| base_dir.join(relative))
    });
    if let Some(path) = local {
        return match read_file(&path) {
            Ok(bytes) => inspect(&bytes, path.display().to_string()),
            Err(reason) => Looked::Unreadable(format!("{}: {reason}", path.display())),
        };
    }
    let absolute = Url::parse(href)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"));
    match absolute {
        Some(url) if context.online => match super::online::fetch_prefix(url.as_str()) {
            Ok(bytes) => inspect(&bytes, href.to_string()),
            Err(reason) => Looked::Unreadable(reason),
        },
        _ => Looked::Unchecked,
    }
}

fn inspect(bytes: &[u8], from: String) -> Looked {
    match artwork::inspect(bytes) {
        Ok(artwork) => Looked::Read { artwork, from },
        Err(reason) => Looked::Unreadable(format!("{from}: {reason}")),
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_IMAGE_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    Ok(bytes)
}

/// The local file that holds what `href` serves, if one is known and exists.
pub fn local_file(href: &str, feed_url: Option<&str>, context: &Context) -> Option<PathBuf> {
    if let Some(path) = context.local_files.get(href) {
        return Some(path.clone());
    }
    let base_dir = context.base_dir.as_deref()?;
    let path = match Url::parse(href) {
        Ok(url) => on_same_site(&url, &Url::parse(feed_url?).ok()?, base_dir)?,
        // Relative to the feed file.
        Err(url::ParseError::RelativeUrlWithoutBase) => base_dir.join(relative_path(href)?),
        Err(_) => return None,
    };
    path.is_file().then_some(path)
}

/// A relative URL as a path below the feed's folder; `None` for one that would climb out.
fn relative_path(href: &str) -> Option<PathBuf> {
    if Url::parse(href) != Err(url::ParseError::RelativeUrlWithoutBase) {
        return None;
    }
    let path = href.split(['?', '#']).next().unwrap_or(href);
    let mut out = PathBuf::new();
    for segment in path.split('/') {
        let decoded = percent_decode(segment)?;
        match Path::new(&decoded)
            .components()
            .collect::<Vec<_>>()
            .as_slice()
        {
            [] | [Component::CurDir] => {}
            [Component::Normal(name)] => out.push(name),
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// Maps `url` onto the disk when it is on the feed's site: the feed file sits in
/// `base_dir`, so the site's root is as many folders up as the feed URL is deep.
fn on_same_site(url: &Url, feed: &Url, base_dir: &Path) -> Option<PathBuf> {
    if url.origin() != feed.origin() {
        return None;
    }
    let feed_dirs = feed.path_segments()?.count().saturating_sub(1);
    let mut root = base_dir.to_path_buf();
    for _ in 0..feed_dirs {
        root = root.parent()?.to_path_buf();
        if root.as_os_str().is_empty() {
            root = PathBuf::from(".");
        }
    }
    // `Url` has already resolved `.` and `..`; a decoded segment must still be one plain name.
    let mut path = root;
    for segment in url.path_segments()? {
        let decoded = percent_decode(segment)?;
        if decoded.is_empty() {
            continue;
        }
        let part = Path::new(&decoded);
        let mut parts = part.components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(name)), None) => path.push(name),
            _ => return None,
        }
    }
    Some(path)
}

fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(base_dir: &Path) -> Context {
        Context {
            base_dir: Some(base_dir.to_path_buf()),
            ..Context::default()
        }
    }

    #[test]
    fn a_url_on_the_feeds_site_is_read_from_the_site_folder() {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(site.path().join("podcast")).unwrap();
        std::fs::create_dir_all(site.path().join("img/my art")).unwrap();
        std::fs::write(site.path().join("img/my art/cover.jpg"), b"x").unwrap();
        let cx = context(&site.path().join("podcast"));
        let feed = Some("https://pod.example/podcast/feed.xml");
        let found = local_file("https://pod.example/img/my%20art/cover.jpg", feed, &cx);
        assert_eq!(
            found.map(|p| p.canonicalize().unwrap()),
            Some(
                site.path()
                    .join("img/my art/cover.jpg")
                    .canonicalize()
                    .unwrap()
            )
        );
        // Another host, a missing file, or no feed URL: nothing local.
        assert_eq!(
            local_file("https://cdn.example/img/my%20art/cover.jpg", feed, &cx),
            None
        );
        assert_eq!(
            local_file("https://pod.example/img/other.jpg", feed, &cx),
            None
        );
        assert_eq!(
            local_file("https://pod.example/img/my%20art/cover.jpg", None, &cx),
            None
        );
    }

    #[test]
    fn paths_never_climb_out_of_the_site() {
        let site = tempfile::tempdir().unwrap();
        let inner = site.path().join("public");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(site.path().join("secret.jpg"), b"x").unwrap();
        let cx = context(&inner);
        assert_eq!(local_file("../secret.jpg", None, &cx), None);
        let feed = Some("https://pod.example/feed.xml");
        assert_eq!(
            local_file("https://pod.example/%2E%2E/secret.jpg", feed, &cx),
            None
        );
        assert_eq!(
            local_file("https://pod.example/..%2Fsecret.jpg", feed, &cx),
            None
        );
    }

    #[test]
    fn what_cannot_be_read_says_why_and_remote_art_waits_for_online() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cover.jpg"), b"not an image").unwrap();
        let cx = context(dir.path());
        match look("cover.jpg", None, &cx) {
            Looked::Unreadable(reason) => assert!(
                reason.ends_with("not an image omroep can read; use a JPEG or PNG file"),
                "{reason}"
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            look("https://cdn.example/cover.jpg", None, &cx),
            Looked::Unchecked
        );
        match look("missing.jpg", None, &cx) {
            Looked::Unreadable(reason) => {
                assert!(reason.contains("missing.jpg: cannot read it"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        let art =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/content/artwork.jpg");
        let mut cx = context(dir.path());
        cx.local_files
            .insert("https://pod.example/a.jpg".into(), art);
        match look("https://pod.example/a.jpg", None, &cx) {
            Looked::Read { artwork, from } => {
                assert_eq!(
                    (artwork.width, artwork.mime_type.as_str()),
                    (1400, "image/jpeg")
                );
                assert!(from.ends_with("artwork.jpg"), "{from}");
            }
            other => panic!("{other:?}"),
        }
    }
}

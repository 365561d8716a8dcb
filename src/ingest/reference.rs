//! References from content to other files: `audio: ep1.mp3`, `transcript: ep1.vtt`,
//! `image: /art/cover.jpg`, or a URL. A relative path is looked up beside the Markdown
//! file, a `/`-rooted one at the site root; neither may lead outside the site folder, so
//! a hostile or mistaken `../../` cannot publish a file from elsewhere on the machine.

use std::path::{Component, Path, PathBuf};

use url::Url;

/// Where a reference leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file inside the site: its full path and its path relative to the site root.
    Local { full: PathBuf, relative: PathBuf },
    /// An `http(s)` URL.
    Remote(Url),
}

/// Resolves `href`, written in the file `from` (relative to `site_root`).
pub fn locate(site_root: &Path, from: &Path, href: &str) -> Result<Target, String> {
    let href = href.trim();
    if href.is_empty() {
        return Err("is empty".to_string());
    }
    if let Ok(url) = Url::parse(href) {
        return match url.scheme() {
            "http" | "https" => Ok(Target::Remote(url)),
            // `C:\x` parses as a URL with scheme `c`; it is a path outside the site.
            scheme if scheme.len() == 1 => Err(format!("`{href}` is outside the site folder")),
            scheme => Err(format!(
                "`{href}`: use a path in the site or an http(s) URL, not `{scheme}:`"
            )),
        };
    }
    let Some(relative) = site_relative(from, href) else {
        return Err(format!("`{href}` leads outside the site folder"));
    };
    let full = site_root.join(&relative);
    match std::fs::metadata(&full) {
        Ok(meta) if meta.is_file() => {
            if !inside(site_root, &full) {
                return Err(format!(
                    "`{href}` is a link to a file outside the site folder"
                ));
            }
            Ok(Target::Local { full, relative })
        }
        Ok(_) => Err(format!("`{href}` is a folder, not a file")),
        Err(_) => Err(format!(
            "`{href}` not found (looked for {})",
            relative.display()
        )),
    }
}

/// The path a (non-URL) reference names, relative to the site root; `None` when it
/// climbs out of the site.
pub fn site_relative(from: &Path, href: &str) -> Option<PathBuf> {
    let href = href.trim();
    match href.strip_prefix('/') {
        Some(rooted) => normalise(Path::new(rooted)),
        None => normalise(&from.parent().unwrap_or(Path::new("")).join(href)),
    }
}

/// Whether `full` (an existing path) really lies inside `site_root` once symbolic links
/// are followed: a link inside the site must not publish a file from elsewhere.
pub fn inside(site_root: &Path, full: &Path) -> bool {
    match (site_root.canonicalize(), full.canonicalize()) {
        (Ok(root), Ok(real)) => real.starts_with(root),
        _ => false,
    }
}

/// Resolves `.` and `..` without touching the disk; `None` when `..` climbs above the
/// start or the path is absolute.
pub fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// A path relative to the site root as `/`-separated text.
pub fn slash_path(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_beside_the_file_or_at_the_root_and_never_outside() {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(site.path().join("content/episodes/audio")).unwrap();
        std::fs::write(site.path().join("content/episodes/audio/ep1.mp3"), b"x").unwrap();
        let from = Path::new("content/episodes/ep1.md");
        let expected = Target::Local {
            full: site.path().join("content/episodes/audio/ep1.mp3"),
            relative: PathBuf::from("content/episodes/audio/ep1.mp3"),
        };
        assert_eq!(
            locate(site.path(), from, "audio/ep1.mp3"),
            Ok(expected.clone())
        );
        assert_eq!(
            locate(site.path(), from, "/content/episodes/audio/ep1.mp3"),
            Ok(expected)
        );
        let err = locate(site.path(), from, "../../../etc/passwd").unwrap_err();
        assert!(err.contains("outside the site"), "{err}");
        let err = locate(site.path(), from, "audio/ep2.mp3").unwrap_err();
        assert_eq!(
            err,
            "`audio/ep2.mp3` not found (looked for content/episodes/audio/ep2.mp3)"
        );
        assert!(
            locate(site.path(), from, "audio")
                .unwrap_err()
                .contains("folder")
        );
        assert!(
            locate(site.path(), from, "file:///etc/passwd")
                .unwrap_err()
                .contains("not `file:`")
        );
        assert!(matches!(
            locate(site.path(), from, "https://cdn.example/ep1.mp3"),
            Ok(Target::Remote(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_out_of_the_site_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), b"x").unwrap();
        let site = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), site.path().join("t.vtt"))
            .unwrap();
        let err = locate(site.path(), Path::new("ep.md"), "t.vtt").unwrap_err();
        assert_eq!(err, "`t.vtt` is a link to a file outside the site folder");
    }

    /// Checks against one site after another, and a site reached through a link, are each
    /// judged by their own root.
    #[cfg(unix)]
    #[test]
    fn each_site_is_judged_by_its_own_root_when_roots_alternate() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::write(a.path().join("own.vtt"), b"a").unwrap();
        std::fs::write(b.path().join("x.vtt"), b"b").unwrap();
        std::os::unix::fs::symlink(b.path().join("x.vtt"), a.path().join("t.vtt")).unwrap();
        std::os::unix::fs::symlink(a.path().join("own.vtt"), a.path().join("alias.vtt")).unwrap();
        let through = tempfile::tempdir().unwrap();
        let linked_root = through.path().join("site");
        std::os::unix::fs::symlink(a.path(), &linked_root).unwrap();
        let from = Path::new("ep.md");
        for _ in 0..2 {
            assert!(locate(b.path(), from, "x.vtt").is_ok());
            assert_eq!(
                locate(a.path(), from, "t.vtt").unwrap_err(),
                "`t.vtt` is a link to a file outside the site folder"
            );
            assert!(locate(a.path(), from, "alias.vtt").is_ok());
            assert!(locate(&linked_root, from, "own.vtt").is_ok());
            assert!(locate(b.path(), from, "x.vtt").is_ok());
            assert!(locate(&linked_root, from, "t.vtt").is_err());
            assert!(!inside(b.path(), &a.path().join("own.vtt")));
            assert!(inside(a.path(), &a.path().join("own.vtt")));
            assert!(!inside(&b.path().join("missing"), &b.path().join("x.vtt")));
        }
    }

    /// A root reached through a link that is repointed between two checks (a deploy
    /// flipping `current` to another release) is judged where it points at each check.
    #[cfg(unix)]
    #[test]
    fn a_root_link_repointed_between_checks_is_judged_where_it_points_now() {
        let releases = tempfile::tempdir().unwrap();
        let (first, second) = (releases.path().join("1"), releases.path().join("2"));
        std::fs::create_dir(&first).unwrap();
        std::fs::create_dir(&second).unwrap();
        std::fs::write(first.join("own.vtt"), b"1").unwrap();
        std::fs::write(second.join("own.vtt"), b"2").unwrap();
        std::os::unix::fs::symlink(first.join("own.vtt"), second.join("t.vtt")).unwrap();
        let current = releases.path().join("current");
        std::os::unix::fs::symlink(&first, &current).unwrap();
        let from = Path::new("ep.md");
        assert!(inside(&current, &current.join("own.vtt")));
        assert!(locate(&current, from, "own.vtt").is_ok());

        std::fs::remove_file(&current).unwrap();
        std::os::unix::fs::symlink(&second, &current).unwrap();
        assert!(!inside(&current, &current.join("t.vtt")));
        assert_eq!(
            locate(&current, from, "t.vtt").unwrap_err(),
            "`t.vtt` is a link to a file outside the site folder"
        );
        assert!(inside(&current, &current.join("own.vtt")));
        assert!(locate(&current, from, "own.vtt").is_ok());
    }
}

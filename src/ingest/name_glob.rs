//! The shapes of source pattern where a listed file's name alone decides whether it
//! matches: `posts/**/*.md`, `episodes/*.md`, a folder (`posts`, which `collect::find`
//! turns into `posts/**/*`). Matching a name against a few literal pieces costs a small
//! part of running the whole relative path through the glob's regular expression, once
//! for every file of the site.
//!
//! Only patterns whose meaning is certain take this way: fixed folders without any glob
//! syntax, then optionally `**/`, then one name made of literal text and `*`s. Every
//! other pattern (classes, alternatives, `?`, escapes, wildcards in folder names) is
//! matched by `globset` against the whole path. `globset` (with `literal_separator`)
//! matches bytes: a `*` is any run of bytes without `/`, literal text is compared byte
//! for byte and case-sensitively, `**/` in the middle is any number of folders (none
//! too), and a leading `**/` any number of folders from the start.

use std::path::Path;

/// A pattern split into fixed folders and a name glob (see the module's doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NamePattern<'a> {
    /// The fixed folders, as spelled in the pattern (`posts/./nl`), without a trailing
    /// `/`; empty for none.
    pub folders: &'a str,
    /// Whether the name glob follows `**/`: files at any depth below the folders match,
    /// else only the files directly in them.
    pub any_depth: bool,
    /// The last part of the pattern.
    pub name: NameGlob<'a>,
}

impl<'a> NamePattern<'a> {
    /// `pattern` split, when it has one of the shapes the module's doc names.
    pub fn of(pattern: &'a str) -> Option<NamePattern<'a>> {
        let (folders, last) = match pattern.rsplit_once('/') {
            Some((folders, last)) => (Some(folders), last),
            None => (None, pattern),
        };
        let (folders, any_depth) = match folders {
            None => ("", false),
            Some("**") => ("", true),
            Some(folders) => match folders.strip_suffix("/**") {
                Some(fixed) => (fixed, true),
                None => (folders, false),
            },
        };
        // `globset` reads `\` as an escape (on Unix) and `[`, `]`, `{`, `}`, `,`, `?`,
        // `*` as syntax: a folder part holding any of them is left to it.
        let plain = |text: &str| !text.contains(['\\', '[', ']', '{', '}', ',', '?', '*']);
        if !plain(folders) {
            return None;
        }
        Some(NamePattern {
            folders,
            any_depth,
            name: NameGlob::of(last)?,
        })
    }

    /// Whether the listing of `start` spells every file below it as `self.folders`
    /// followed by `/`: `relative`, the folder's path relative to the site root that its
    /// files' names are joined to, holds the fixed folders exactly (`posts/./`, not
    /// `posts/` for `posts/.`; no doubled `/`). Then matching a file's path comes down
    /// to matching its name (and its depth, when not `any_depth`).
    pub fn spells(&self, relative: &Path) -> bool {
        let spelled = relative.as_os_str().as_encoded_bytes();
        if self.folders.is_empty() {
            return spelled.is_empty();
        }
        spelled.strip_suffix(b"/") == Some(self.folders.as_bytes())
    }
}

/// One file name's glob: literal text and `*`s (each any run of bytes; a name holds no
/// `/`), split at the `*`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameGlob<'a> {
    /// The literal pieces between the `*`s: one more than the `*`s.
    pieces: Vec<&'a [u8]>,
}

impl<'a> NameGlob<'a> {
    /// The glob of `text`, when it is literal text and single `*`s only (no `**`, which
    /// `globset` reads differently, and no other syntax) and not empty.
    fn of(text: &'a str) -> Option<NameGlob<'a>> {
        if text.is_empty()
            || text.contains("**")
            || text.contains(['\\', '[', ']', '{', '}', ',', '?', '/'])
        {
            return None;
        }
        Some(NameGlob {
            pieces: text.as_bytes().split(|&b| b == b'*').collect(),
        })
    }

    /// Whether `name` (a file name's bytes) matches.
    pub fn matches(&self, name: &[u8]) -> bool {
        let (first, rest) = match self.pieces.split_first() {
            Some(split) => split,
            None => return false,
        };
        let Some((last, middle)) = rest.split_last() else {
            return name == *first;
        };
        if name.len() < first.len() + last.len()
            || !name.starts_with(first)
            || !name.ends_with(last)
        {
            return false;
        }
        // Each middle piece at its first place after the one before: taking the first
        // place leaves the most room for the pieces after it.
        let mut between = &name[first.len()..name.len() - last.len()];
        for piece in middle {
            match find(between, piece) {
                Some(at) => between = &between[at + piece.len()..],
                None => return false,
            }
        }
        true
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(pattern: &str) -> globset::GlobMatcher {
        globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .unwrap()
            .compile_matcher()
    }

    #[test]
    fn patterns_split_into_fixed_folders_and_a_name() {
        let split = |pattern| {
            NamePattern::of(pattern).map(|p| {
                (
                    p.folders,
                    p.any_depth,
                    p.name
                        .pieces
                        .iter()
                        .map(|piece| String::from_utf8_lossy(piece).into_owned())
                        .collect::<Vec<_>>(),
                )
            })
        };
        let owned = |pieces: &[&str]| pieces.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(
            split("posts/**/*.md"),
            Some(("posts", true, owned(&["", ".md"])))
        );
        assert_eq!(
            split("episodes/*.md"),
            Some(("episodes", false, owned(&["", ".md"])))
        );
        assert_eq!(split("**/*"), Some(("", true, owned(&["", ""]))));
        assert_eq!(split("*.md"), Some(("", false, owned(&["", ".md"]))));
        assert_eq!(
            split("a/./b/**/x*y*z"),
            Some(("a/./b", true, owned(&["x", "y", "z"])))
        );
        assert_eq!(split("top.md"), Some(("", false, owned(&["top.md"]))));
        for other in [
            "posts/**",
            "posts/**/",
            "posts/",
            "posts/*/*.md",
            "posts/**/a/*.md",
            "p*/**/*.md",
            "posts/**/**/*.md",
            "posts/**/a**.md",
            "posts/*.{md,markdown}",
            "posts/[ab]*.md",
            "posts/?.md",
            "posts/\\*.md",
            "po\\sts/*.md",
            "a,b/*.md",
            "",
        ] {
            assert_eq!(split(other), None, "{other}");
        }
    }

    #[test]
    fn a_name_matches_as_the_glob_matcher_matches_it() {
        let mut random = crate::test_random::Xorshift::new(0x5eed_2026);
        let alphabet: &[&str] = &[
            "a", "b", "A", "1", "0", ".", "-", "_", " ", "é", "日", "md", ".md", "x",
        ];
        let globs = [
            "*", "*.md", "*.MD", "a*", "*a", "a*b", "*a*", "a*b*c", "*.*", "**x", "x**", "a.md",
            "*é*", "é*.md", "*-*-*", "b*b", "aa*aa", "*.md.md", ".*", "*.",
        ];
        for pattern in globs {
            let Some(name_glob) = NameGlob::of(pattern) else {
                assert!(pattern.contains("**"), "{pattern}");
                continue;
            };
            let matcher = glob(pattern);
            for _ in 0..2000 {
                let length = random.below(7);
                let name: String = (0..length)
                    .map(|_| alphabet[random.below(alphabet.len())])
                    .collect();
                assert_eq!(
                    name_glob.matches(name.as_bytes()),
                    matcher.is_match(&name),
                    "{pattern} against {name:?}"
                );
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_matches_as_the_glob_matcher_matches_it() {
        use std::os::unix::ffi::OsStrExt;
        for (pattern, name) in [
            ("*.md", &b"\xff.md"[..]),
            ("*.md", b"\xff.m\xff"),
            ("\u{e9}*", b"\xc3\xa9\xff"),
            ("*\u{e9}", b"\xffe\xcc\x81"),
            ("a*b", b"a\xfe\xffb"),
        ] {
            let path = std::ffi::OsStr::from_bytes(name);
            assert_eq!(
                NameGlob::of(pattern).unwrap().matches(name),
                glob(pattern).is_match(path),
                "{pattern} against {name:?}"
            );
        }
    }

    #[test]
    fn the_start_folder_must_spell_the_fixed_folders() {
        let pattern = NamePattern::of("posts/./**/*.md").unwrap();
        assert!(pattern.spells(Path::new("posts/./")));
        assert!(!pattern.spells(Path::new("posts/")));
        assert!(!pattern.spells(Path::new("posts/.")));
        let top = NamePattern::of("**/*.md").unwrap();
        assert!(top.spells(Path::new("")));
        assert!(!top.spells(Path::new("posts/")));
        let doubled = NamePattern::of("posts//*.md").unwrap();
        assert!(!doubled.spells(Path::new("posts/")));
    }
}

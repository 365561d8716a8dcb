//! URLs made absolute against a base.
//!
//! Resolution is RFC 3986 §5.2 done on the text itself rather than through a URL parser,
//! so a URL keeps the characters it was written with: an IRI stays an IRI
//! (`http://any.test/À`, not `%C3%80`), a host is not punycoded, and an absolute URL comes
//! back exactly as given (`http://example.com` gets no trailing slash). What a browser
//! would ignore is removed first: surrounding whitespace and control characters, and tabs
//! and line breaks inside (WHATWG URL parsing strips them too, which is why
//! `jav&#x09;ascript:` is a `javascript:` URL). A `feed:` URL, the old "subscribe" scheme,
//! becomes the http(s) URL it wraps, since nothing can fetch `feed:` itself.
//!
//! Nothing here panics or fails: without a usable base (none, or one without a scheme) the
//! reference comes back cleaned but relative. Which schemes are safe to publish is the
//! caller's policy (`html` has it for markup).

use std::borrow::Cow;
use std::ops::Range;

use url::Url;

/// Resolves `href` against `base`; returns `href` trimmed when there is no base or it
/// cannot be resolved.
pub fn resolve(base: Option<&Url>, href: &str) -> String {
    join(base.map(Url::as_str), href)
}

/// Resolves `href` against a base given as text (an `xml:base` value, a feed link),
/// keeping both as written. Without a base, or with a relative one, `href` comes back
/// cleaned and unresolved. An empty `href` is the base itself, minus its fragment.
pub fn join(base: Option<&str>, href: &str) -> String {
    let href = cleaned(href);
    // An absolute reference ignores the base: do not read it.
    if scheme(&href).is_some() {
        return href.into_owned();
    }
    resolve_cleaned(base.and_then(Base::new).as_ref(), href).into_owned()
}

/// A base URL cleaned, checked and split once, for resolving many references against it.
pub struct Base<'a> {
    text: Cow<'a, str>,
    /// Where `Parts::split` found the components in `text` (the base has a scheme).
    scheme: Range<usize>,
    authority: Option<Range<usize>>,
    path: Range<usize>,
    query: Option<Range<usize>>,
}

impl<'a> Base<'a> {
    /// `None` when `base` is not absolute (it has no scheme), so nothing can be resolved
    /// against it.
    pub fn new(base: &'a str) -> Option<Base<'a>> {
        let text = match clean(base) {
            Cow::Borrowed(cleaned) => unwrap_feed_scheme(cleaned),
            Cow::Owned(cleaned) => Cow::Owned(unwrap_feed_scheme(&cleaned).into_owned()),
        };
        let parts = Parts::split(&text);
        let within = |part: &str| {
            let start = part.as_ptr() as usize - text.as_ptr() as usize;
            start..start + part.len()
        };
        let scheme = within(parts.scheme?);
        let authority = parts.authority.map(within);
        let path = within(parts.path);
        let query = parts.query.map(within);
        Some(Base {
            scheme,
            authority,
            path,
            query,
            text,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The scheme, as written (every `Base` has one).
    pub fn scheme(&self) -> &str {
        &self.text[self.scheme.clone()]
    }

    /// Appends `reference` resolved against this base: what `join_with(Some(self),
    /// reference)` returns, without its cleaning. The caller has checked that `reference`
    /// is clean (`clean` would return it unchanged) and has no scheme.
    pub(crate) fn resolve_into(&self, out: &mut String, reference: &str) {
        debug_assert!(matches!(clean(reference), Cow::Borrowed(c) if c.len() == reference.len()));
        debug_assert!(scheme(reference).is_none());
        self.resolve_cleaned_into(out, reference);
    }

    /// Appends a cleaned reference without a scheme resolved against this base (RFC 3986
    /// §5.2.2). A path-absolute reference (`/a/b.png?x#y`, most relative links in feed
    /// content) whose path has no dot segment comes out as the base's scheme and
    /// authority followed by the reference as it is, so it is written so, without being
    /// split; any other goes through `resolve_reference_into`.
    fn resolve_cleaned_into(&self, out: &mut String, reference: &str) {
        let bytes = reference.as_bytes();
        if bytes.first() == Some(&b'/') && bytes.get(1) != Some(&b'/') {
            let path_end = memchr::memchr2(b'?', b'#', bytes).unwrap_or(bytes.len());
            if !has_dot_segment(&reference[..path_end]) {
                out.push_str(self.scheme());
                out.push(':');
                if let Some(authority) = &self.authority {
                    out.push_str("//");
                    out.push_str(&self.text[authority.clone()]);
                }
                out.push_str(reference);
                return;
            }
        }
        resolve_reference_into(out, &self.parts(), &Parts::split(reference));
    }

    /// The components, as `Parts::split` gives them (a base's fragment is never used).
    fn parts(&self) -> Parts<'_> {
        let text: &str = &self.text;
        let slice = |range: &Range<usize>| &text[range.clone()];
        Parts {
            scheme: Some(slice(&self.scheme)),
            authority: self.authority.as_ref().map(slice),
            path: slice(&self.path),
            query: self.query.as_ref().map(slice),
            fragment: None,
        }
    }
}

/// `join` with a prepared base.
pub fn join_with(base: Option<&Base>, href: &str) -> String {
    join_borrowed(base, href).into_owned()
}

/// `join_with`, borrowing `href` when it comes back as it was written (an absolute,
/// clean URL: most URLs in feed content), so the sanitiser copies it only once.
pub(crate) fn join_borrowed<'h>(base: Option<&Base>, href: &'h str) -> Cow<'h, str> {
    let href = cleaned(href);
    if scheme(&href).is_some() {
        return href;
    }
    resolve_cleaned(base, href)
}

/// `href` cleaned (`clean`) and out of any `feed:` wrapper.
fn cleaned(href: &str) -> Cow<'_, str> {
    match clean(href) {
        Cow::Borrowed(cleaned) => unwrap_feed_scheme(cleaned),
        Cow::Owned(cleaned) => Cow::Owned(unwrap_feed_scheme(&cleaned).into_owned()),
    }
}

/// A cleaned relative reference resolved against `base`, or as it is without one.
fn resolve_cleaned<'h>(base: Option<&Base>, href: Cow<'h, str>) -> Cow<'h, str> {
    match base {
        Some(base) => {
            let mut out = String::with_capacity(base.text.len() + href.len() + 16);
            base.resolve_cleaned_into(&mut out, &href);
            Cow::Owned(out)
        }
        None => href,
    }
}

/// Removes what browsers ignore in a URL: leading and trailing whitespace and C0 control
/// characters, and every tab, line feed and carriage return inside.
pub fn clean(href: &str) -> Cow<'_, str> {
    let bytes = href.as_bytes();
    let start = bytes.iter().position(|&b| b > b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| b > b' ')
        .map_or(start, |last| last + 1);
    let trimmed = &href[start..end];
    // Every URL in content passes here: one vectorised search, not a loop over bytes.
    if memchr::memchr3(b'\t', b'\n', b'\r', trimmed.as_bytes()).is_some() {
        Cow::Owned(trimmed.replace(['\t', '\n', '\r'], ""))
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// The scheme of an absolute URL (`https`, `mailto`), as written; `None` for a relative
/// reference. A scheme is a letter followed by letters, digits, `+`, `-` or `.`, then `:`.
pub fn scheme(url: &str) -> Option<&str> {
    // Only the scheme's own characters are read: a relative reference stops at its first
    // byte, not after a search for a `:` through the whole of it.
    let bytes = url.as_bytes();
    if !bytes.first()?.is_ascii_alphabetic() {
        return None;
    }
    let end = bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))?;
    (bytes[end] == b':').then(|| &url[..end])
}

/// `feed://host/x` → `http://host/x`; `feed:https://host/x` → `https://host/x`.
fn unwrap_feed_scheme(url: &str) -> Cow<'_, str> {
    let Some(rest) = url
        .get(..5)
        .filter(|prefix| prefix.eq_ignore_ascii_case("feed:"))
        .map(|_| &url[5..])
    else {
        return Cow::Borrowed(url);
    };
    if let Some(authority) = rest.strip_prefix("//") {
        Cow::Owned(format!("http://{authority}"))
    } else if scheme(rest).is_some() {
        Cow::Borrowed(rest)
    } else {
        Cow::Borrowed(url)
    }
}

/// The five components of RFC 3986 §3, as slices of the original text.
struct Parts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

impl<'a> Parts<'a> {
    /// Splits a URL reference into its components (RFC 3986 appendix B).
    fn split(url: &'a str) -> Parts<'a> {
        let (rest, fragment) = split_at_byte(url, b'#');
        let (rest, query) = split_at_byte(rest, b'?');
        let (scheme, rest) = match scheme(rest) {
            Some(scheme) => (Some(scheme), &rest[scheme.len() + 1..]),
            None => (None, rest),
        };
        let (authority, path) = match rest.strip_prefix("//") {
            Some(after) => {
                // An authority is a few bytes: a plain loop beats a vectorised search.
                let end = after
                    .bytes()
                    .position(|byte| byte == b'/')
                    .unwrap_or(after.len());
                (Some(&after[..end]), &after[end..])
            }
            None => (None, rest),
        };
        Parts {
            scheme,
            authority,
            path,
            query,
            fragment,
        }
    }
}

/// `text` split around the first `byte` (ASCII), which is dropped: `split_once` with a
/// vectorised search, for the many URLs in content.
fn split_at_byte(text: &str, byte: u8) -> (&str, Option<&str>) {
    match memchr::memchr(byte, text.as_bytes()) {
        // An ASCII byte always sits on a character boundary.
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    }
}

/// RFC 3986 §5.2.2, for a reference without a scheme: the tests' reference for
/// `Base::resolve_cleaned_into`'s shortcut.
#[cfg(test)]
fn resolve_reference(base: &Parts, reference: &Parts) -> String {
    let mut out = String::with_capacity(
        base.scheme.map_or(0, str::len)
            + base.authority.map_or(0, str::len)
            + base.path.len()
            + reference.path.len()
            + 16,
    );
    resolve_reference_into(&mut out, base, reference);
    out
}

/// `resolve_reference`, appended to `out`: the result is written piece by piece where it
/// ends up, with no buffer of its own for the merged path.
fn resolve_reference_into(out: &mut String, base: &Parts, reference: &Parts) {
    out.push_str(base.scheme.unwrap_or_default());
    out.push(':');
    if let Some(authority) = reference.authority.or(base.authority) {
        out.push_str("//");
        out.push_str(authority);
    }
    let query = if reference.authority.is_some() || reference.path.starts_with('/') {
        push_without_dot_segments(out, "", reference.path);
        reference.query
    } else if reference.path.is_empty() {
        out.push_str(base.path);
        reference.query.or(base.query)
    } else {
        // The merge (§5.2.3), its dot segments removed as it is written.
        push_without_dot_segments(out, directory(base), reference.path);
        reference.query
    };
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    if let Some(fragment) = reference.fragment {
        out.push('#');
        out.push_str(fragment);
    }
}

/// RFC 3986 §5.2.3: the part of the base path a relative path is appended to (up to
/// and including its last `/`).
fn directory<'a>(base: &Parts<'a>) -> &'a str {
    if base.authority.is_some() && base.path.is_empty() {
        "/"
    } else {
        match memchr::memrchr(b'/', base.path.as_bytes()) {
            // An ASCII byte always sits on a character boundary.
            Some(slash) => &base.path[..=slash],
            None => "",
        }
    }
}

/// Whether a path has a `.` or `..` segment; most paths have none, and are checked by
/// looking only at their dots.
fn has_dot_segment(path: &str) -> bool {
    let bytes = path.as_bytes();
    let ends_segment = |at: usize| bytes.get(at).is_none_or(|&b| b == b'/');
    memchr::memchr_iter(b'.', bytes).any(|at| {
        let starts_segment = at == 0 || bytes[at - 1] == b'/';
        starts_segment
            && (ends_segment(at + 1) || (bytes.get(at + 1) == Some(&b'.') && ends_segment(at + 2)))
    })
}

/// Appends `directory` followed by `path` (the merge of §5.2.3 when `directory` is a base's,
/// or a path alone when it is empty) with its `.` and `..` segments resolved (RFC 3986
/// §5.2.4). `directory` is empty or ends with `/` (`directory` gives it so). The result is
/// written straight into `out`: a `../` reference costs no buffer of its own.
fn push_without_dot_segments(out: &mut String, directory: &str, path: &str) {
    debug_assert!(directory.is_empty() || directory.ends_with('/'));
    // A segment that starts in `path` starts after `directory`'s last `/`, as it would in
    // the two joined: the joined path has a dot segment exactly when one of them has.
    let directory_has_dots = has_dot_segment(directory);
    if !directory_has_dots && !has_dot_segment(path) {
        out.push_str(directory);
        out.push_str(path);
        return;
    }
    let absolute = if directory.is_empty() {
        path.starts_with('/')
    } else {
        directory.starts_with('/')
    };
    if !directory_has_dots && !directory.is_empty() {
        // `../../x` against a clean directory (most relative links with dots in feed
        // content): each `..` takes one segment off the directory, never its root, and
        // what follows the last `../` is kept whole when it has no dot segment.
        let mut rest = path;
        let mut up = 0usize;
        while let Some(after) = rest.strip_prefix("../") {
            rest = after;
            up += 1;
        }
        if up > 0 && !has_dot_segment(rest) {
            let mut kept = &directory[..directory.len() - 1];
            for _ in 0..up {
                // An absolute directory keeps its leading empty segment: `kept` empty is
                // the root. A relative one has no empty first segment: empty is nothing.
                kept = kept.rfind('/').map_or("", |slash| &kept[..slash]);
            }
            out.push_str(kept);
            if absolute || !kept.is_empty() {
                out.push('/');
            }
            out.push_str(rest);
            return;
        }
    }
    let start = out.len();
    // The joined path's segments: `directory`'s but the empty one after its last `/`,
    // then `path`'s.
    let leading = match directory.len() {
        0 => None,
        len => Some(directory[..len - 1].split('/')),
    };
    let mut segments = leading
        .into_iter()
        .flatten()
        .chain(path.split('/'))
        .peekable();
    // How many segments are kept; `out[start..]` holds them joined by `/`.
    let mut kept = 0usize;
    // A path ending in `.` or `..` names a directory: keep the trailing slash.
    let mut trailing_slash = false;
    while let Some(segment) = segments.next() {
        let is_last = segments.peek().is_none();
        match segment {
            "." => trailing_slash = is_last,
            ".." => {
                if kept > usize::from(absolute) {
                    // Segments hold no `/`: the last one starts after the last `/`.
                    kept -= 1;
                    let end = if kept == 0 {
                        start
                    } else {
                        out[start..].rfind('/').map_or(start, |slash| start + slash)
                    };
                    out.truncate(end);
                }
                trailing_slash = is_last;
            }
            other => {
                if kept > 0 {
                    out.push('/');
                }
                out.push_str(other);
                kept += 1;
                trailing_slash = false;
            }
        }
    }
    if absolute && !out[start..].starts_with('/') {
        out.insert(start, '/');
    }
    if trailing_slash && !out[start..].ends_with('/') {
        out.push('/');
    }
}

/// RFC 3986 §5.2.4 with a buffer of its own: the tests' reference for
/// `push_without_dot_segments`.
#[cfg(test)]
fn remove_dot_segments(path: &str) -> Cow<'_, str> {
    if !has_dot_segment(path) {
        return Cow::Borrowed(path);
    }
    let absolute = path.starts_with('/');
    // The kept segments joined by `/`, and how many there are.
    let mut joined = String::with_capacity(path.len());
    let mut kept = 0usize;
    let mut segments = path.split('/').peekable();
    // A path ending in `.` or `..` names a directory: keep the trailing slash.
    let mut trailing_slash = false;
    while let Some(segment) = segments.next() {
        let is_last = segments.peek().is_none();
        match segment {
            "." => trailing_slash = is_last,
            ".." => {
                if kept > usize::from(absolute) {
                    // Segments hold no `/`: the last one starts after the last `/`.
                    kept -= 1;
                    joined.truncate(if kept == 0 {
                        0
                    } else {
                        joined.rfind('/').unwrap_or(0)
                    });
                }
                trailing_slash = is_last;
            }
            other => {
                if kept > 0 {
                    joined.push('/');
                }
                joined.push_str(other);
                kept += 1;
                trailing_slash = false;
            }
        }
    }
    if absolute && !joined.starts_with('/') {
        joined.insert(0, '/');
    }
    if trailing_slash && !joined.ends_with('/') {
        joined.push('/');
    }
    Cow::Owned(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://a/b/c/d;p?q";

    #[test]
    fn rfc_3986_normal_examples() {
        let cases = [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            ("g?y#s", "http://a/b/c/g?y#s"),
            (";x", "http://a/b/c/;x"),
            ("g;x", "http://a/b/c/g;x"),
            ("g;x?y#s", "http://a/b/c/g;x?y#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../", "http://a/"),
            ("../../g", "http://a/g"),
        ];
        for (reference, expected) in cases {
            assert_eq!(join(Some(BASE), reference), expected, "{reference:?}");
        }
    }

    #[test]
    fn dot_segments_found_by_their_dots() {
        for path in [
            "",
            ".",
            "..",
            "...",
            "./",
            "../",
            "/.",
            "/..",
            "/...",
            "a.b",
            "a/.b",
            "a/b.",
            "a/./b",
            "a/../b",
            "a/.../b",
            "a/..b",
            ".a",
            "..a/",
            "/a/b/c.html",
            "a//.",
            ".//",
        ] {
            let by_segments = path
                .split('/')
                .any(|segment| segment == "." || segment == "..");
            assert_eq!(has_dot_segment(path), by_segments, "{path:?}");
        }
    }

    #[test]
    fn scheme_is_only_a_leading_scheme() {
        let cases = [
            ("https://x", Some("https")),
            ("itms-apps:x", Some("itms-apps")),
            ("a+b.c-d:", Some("a+b.c-d")),
            ("/path:x", None),
            ("1http:x", None),
            ("ht tp:x", None),
            ("page?x=a:b", None),
            ("http", None),
            ("", None),
            (":x", None),
        ];
        for (url, expected) in cases {
            assert_eq!(scheme(url), expected, "{url:?}");
        }
    }

    #[test]
    fn rfc_3986_abnormal_examples() {
        let cases = [
            ("../../../g", "http://a/g"),
            ("../../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            (".g", "http://a/b/c/.g"),
            ("g..", "http://a/b/c/g.."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("./g/.", "http://a/b/c/g/"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("g?y/./x", "http://a/b/c/g?y/./x"),
            ("g#s/../x", "http://a/b/c/g#s/../x"),
            ("http:g", "http:g"),
        ];
        for (reference, expected) in cases {
            assert_eq!(join(Some(BASE), reference), expected, "{reference:?}");
        }
    }

    #[test]
    fn feed_urls_as_written() {
        let cases: &[(Option<&str>, &str, &str)] = &[
            // Absolute URLs come back untouched: no trailing slash, no re-encoding.
            (
                Some("http://example.org/"),
                "http://example.com",
                "http://example.com",
            ),
            (
                Some("http://example.org/"),
                "HTTPS://Example.com/A",
                "HTTPS://Example.com/A",
            ),
            (None, "https://example.com/x", "https://example.com/x"),
            // IRIs keep their characters.
            (Some("http://any.test/"), "À", "http://any.test/À"),
            (
                Some("http://www.詹姆斯.com/feed"),
                "",
                "http://www.詹姆斯.com/feed",
            ),
            // Whitespace and control characters browsers ignore.
            (
                Some("http://example.com/a/"),
                "  b.html \n",
                "http://example.com/a/b.html",
            ),
            (
                Some("http://example.com/"),
                "x\t/y\n/z",
                "http://example.com/x/y/z",
            ),
            // Protocol-relative.
            (
                Some("https://example.com/a"),
                "//cdn.example.net/i.png",
                "https://cdn.example.net/i.png",
            ),
            (None, "//cdn.example.net/i.png", "//cdn.example.net/i.png"),
            // Base without a path.
            (
                Some("http://example.com"),
                "relative/link",
                "http://example.com/relative/link",
            ),
            (
                Some("http://example.com?x=1"),
                "?y=2",
                "http://example.com?y=2",
            ),
            // Fragments.
            (
                Some("http://example.com/post#top"),
                "#comments",
                "http://example.com/post#comments",
            ),
            (
                Some("http://example.com/post#top"),
                "",
                "http://example.com/post",
            ),
            // No usable base: the reference comes back cleaned.
            (None, " relative ", "relative"),
            (Some("not a url"), "relative", "relative"),
            (Some(""), "relative", "relative"),
            // Other schemes are absolute.
            (
                Some("http://example.com/"),
                "mailto:a@example.com",
                "mailto:a@example.com",
            ),
            (
                Some("http://example.com/"),
                "javascript:alert(1)",
                "javascript:alert(1)",
            ),
            // feed: wraps an http(s) URL.
            (None, "feed://example.com/rss", "http://example.com/rss"),
            (
                None,
                "FEED:https://example.com/rss",
                "https://example.com/rss",
            ),
            (
                Some("feed://example.com/blog/"),
                "rss.xml",
                "http://example.com/blog/rss.xml",
            ),
        ];
        for (base, reference, expected) in cases {
            assert_eq!(
                join(*base, reference),
                *expected,
                "{base:?} + {reference:?}"
            );
        }
    }

    #[test]
    fn join_reads_the_base_only_for_relative_references() {
        let bases = [
            None,
            Some("http://a/b/c/d;p?q"),
            Some("feed://a/b/"),
            Some(" http://a/\tb/ "),
            Some("relative/base/"),
            Some(""),
        ];
        let hrefs = [
            "https://x.test/a",
            " HTTP://x.test/a b ",
            "feed://x.test/rss",
            "feed:https://x.test/rss",
            "mailto:me@x.test",
            "g",
            "../g",
            "//x.test/g",
            "?q",
            "#f",
            "",
            "\tjava\nscript:alert(1)",
            "1:not-a-scheme",
        ];
        for base in bases {
            let prepared = base.and_then(Base::new);
            for href in hrefs {
                assert_eq!(
                    join(base, href),
                    join_with(prepared.as_ref(), href),
                    "{base:?} {href:?}"
                );
            }
        }
    }

    #[test]
    fn resolve_takes_a_parsed_base() {
        let base = Url::parse("https://example.com/blog/post/").ok();
        assert_eq!(
            resolve(base.as_ref(), "../img/a.png"),
            "https://example.com/blog/img/a.png"
        );
        assert_eq!(resolve(None, " /a "), "/a");
        assert_eq!(resolve(base.as_ref(), "https://x.test"), "https://x.test");
    }

    #[test]
    fn scheme_detection() {
        let cases: &[(&str, Option<&str>)] = &[
            ("https://x", Some("https")),
            ("JavaScript:alert(1)", Some("JavaScript")),
            ("svn+ssh://x", Some("svn+ssh")),
            ("mailto:a@b", Some("mailto")),
            ("/path:with/colon", None),
            ("1http://x", None),
            ("a b:c", None),
            ("relative", None),
            (":nothing", None),
            ("", None),
        ];
        for (url, expected) in cases {
            assert_eq!(scheme(url), *expected, "{url:?}");
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        for reference in [
            "../../../../../../",
            "//",
            "///",
            "?",
            "#",
            ":",
            "::",
            "\u{0}",
            "é/../..",
            "%",
            "\\..\\",
        ] {
            for base in [
                None,
                Some("http://a"),
                Some("http://a/b/"),
                Some("mailto:x"),
                Some("x:"),
            ] {
                let _ = join(base, reference);
            }
        }
        assert_eq!(join(Some("mailto:x@y"), "z"), "mailto:z");
    }

    /// RFC 3986 §5.2.3's merge: a base with an authority and an empty path gives `/`, a
    /// base path without a slash gives nothing, otherwise everything up to the last `/`
    /// (which may follow non-ASCII text).
    #[test]
    fn merging_relative_paths() {
        assert_eq!(join(Some("http://a"), "g"), "http://a/g");
        assert_eq!(join(Some("http://a?q"), "g/h"), "http://a/g/h");
        assert_eq!(join(Some("http://a/"), "g"), "http://a/g");
        assert_eq!(join(Some("http://a/b"), "g"), "http://a/g");
        assert_eq!(join(Some("http://a/b/c/"), "g"), "http://a/b/c/g");
        assert_eq!(join(Some("x:b"), "g"), "x:g");
        assert_eq!(join(Some("x:b/c"), "g?y#z"), "x:b/g?y#z");
        assert_eq!(join(Some("http://a/é/ü"), "ß"), "http://a/é/ß");
        assert_eq!(join(Some("http://a/é/ü"), "../ß/"), "http://a/ß/");
        assert_eq!(join(Some("http://a/b/c/d"), "../../../../g"), "http://a/g");
    }

    /// A path-absolute reference written whole after the base's scheme and authority
    /// (`Base::resolve_cleaned_into`'s shortcut) gives what splitting and §5.2.2 give,
    /// for references with dot segments anywhere (path, query, fragment), `?` and `#` in
    /// either order, empty components, network paths, a backslash after the first slash
    /// (which browsers read as a second one: both keep it as written), percent-encoded
    /// dots and a query after a non-ASCII path, against bases with and without an
    /// authority, query or path.
    #[test]
    fn path_absolute_shortcut_agrees_with_the_split_resolution() {
        let bases = [
            "http://a/b/c/d;p?q",
            "https://host.test",
            "https://host.test/",
            "http://user@host:8080/x/y?z#f",
            "file:///etc/x",
            "mailto:someone@example.com",
            "urn:isbn:123",
            "http://a/é/ü",
            "feed://host/x",
        ];
        let mut references = vec![
            "/".to_string(),
            "//".to_string(),
            "//g/h".to_string(),
            "///x".to_string(),
        ];
        let paths = [
            "/",
            "/a",
            "/a/",
            "/a/b.png",
            "/.",
            "/..",
            "/./",
            "/../",
            "/a/.",
            "/a/..",
            "/a/./b",
            "/a/../b",
            "/.a",
            "/..a",
            "/a.",
            "/a..",
            "/.../",
            "/%2e/",
            "/%2E%2E/",
            "/a/.b/",
            "/ß/./é",
            "/wp-content/uploads/2021/03/x-1024x682.jpg",
            "/\\evil",
            "/%2e%2e/x",
            "/é?x",
        ];
        for path in paths {
            for tail in [
                "",
                "?",
                "#",
                "?q",
                "#f",
                "?q#f",
                "#f?q",
                "?/./",
                "#/../",
                "?a/..",
                "?.",
                "#.",
                "?q=1.2&r=/x/..",
                "#a?b/./c",
            ] {
                references.push(format!("{path}{tail}"));
            }
        }
        for text in bases {
            let base = Base::new(text).expect("absolute base");
            for reference in &references {
                let mut fast = String::from("<");
                base.resolve_cleaned_into(&mut fast, reference);
                let split = resolve_reference(&base.parts(), &Parts::split(reference));
                assert_eq!(fast, format!("<{split}"), "{reference:?} against {text:?}");
            }
        }
    }

    /// Dot segments removed while writing (`push_without_dot_segments`) give what the
    /// joined path with a buffer of its own gives, after text already in `out`, for
    /// generated directories and paths: dot segments in either or both, empty segments,
    /// dots inside names, `..` past the root, absolute and relative, non-ASCII.
    #[test]
    fn dot_segments_removed_in_place_agree_with_their_own_buffer() {
        const SEGMENTS: [&str; 9] = ["", ".", "..", "...", "a", ".b", "c.", "..d", "ß"];
        let mut random = crate::test_random::Xorshift::new(0x9e37_79b9_7f4a_7c15);
        let generated = |random: &mut crate::test_random::Xorshift, directory: bool| {
            let count = random.below(6);
            if directory && count == 0 {
                return String::new();
            }
            let mut text = String::new();
            for index in 0..count {
                if index > 0 || random.below(2) == 0 {
                    text.push('/');
                }
                text.push_str(SEGMENTS[random.below(SEGMENTS.len())]);
            }
            if directory && !text.ends_with('/') {
                text.push('/');
            }
            text
        };
        let mut with_dots = 0;
        let mut only_leading_parents = 0;
        for _ in 0..50_000 {
            let directory = generated(&mut random, true);
            let mut path = generated(&mut random, false);
            if random.below(3) == 0 {
                for _ in 0..=random.below(4) {
                    path.insert_str(0, "../");
                }
            }
            let rest = path.trim_start_matches("../");
            only_leading_parents += usize::from(
                rest.len() < path.len()
                    && !directory.is_empty()
                    && !has_dot_segment(&directory)
                    && !has_dot_segment(rest),
            );
            let joined = format!("{directory}{path}");
            let mut out = String::from("http://h");
            push_without_dot_segments(&mut out, &directory, &path);
            let expected = format!("http://h{}", remove_dot_segments(&joined));
            assert_eq!(out, expected, "{directory:?} + {path:?}");
            with_dots += usize::from(has_dot_segment(&joined));
        }
        assert!(
            with_dots > 10_000,
            "{with_dots} of the paths had dot segments"
        );
        assert!(
            only_leading_parents > 2_000,
            "{only_leading_parents} paths were `../` before a clean rest"
        );
    }
}

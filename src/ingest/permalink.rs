//! Permalinks and slugs: where a post lives on the site.
//!
//! A pattern such as `/blog/{year}/{slug}/` is expanded with the entry's date (in UTC,
//! the site time zone for now), slug and language, and joined onto the site's base URL
//! segment by segment, so every segment is percent-encoded and nothing in a title or file
//! name can climb out of the site (`..` and `/` never survive slugging).

use chrono::{DateTime, Datelike, Utc};
use url::Url;

/// The placeholders a pattern may use.
pub const PLACEHOLDERS: &[&str] = &["year", "month", "day", "slug", "lang"];

/// Checks a pattern once, before any file is read.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    let mut rest = pattern;
    let mut has_slug = false;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err(format!(
                "permalink pattern `{pattern}` has a `{{` without `}}`"
            ));
        };
        let name = &rest[open + 1..open + close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "permalink pattern `{pattern}` uses `{{{name}}}`; use {{year}} {{month}} {{day}} {{slug}} {{lang}}"
            ));
        }
        has_slug |= name == "slug";
        rest = &rest[open + close + 1..];
    }
    if !has_slug {
        return Err(format!(
            "permalink pattern `{pattern}` has no {{slug}}, so every post would get the same URL; add {{slug}}"
        ));
    }
    Ok(())
}

/// Expands `pattern` and joins it onto `base`. The pattern must have passed
/// [`check_pattern`]; an empty `{lang}` drops its segment.
pub fn url(
    base: &Url,
    pattern: &str,
    date: &DateTime<Utc>,
    slug: &str,
    lang: Option<&str>,
) -> Result<Url, String> {
    let expanded = pattern
        .replace("{year}", &format!("{:04}", date.year()))
        .replace("{month}", &format!("{:02}", date.month()))
        .replace("{day}", &format!("{:02}", date.day()))
        .replace("{lang}", lang.unwrap_or(""))
        .replace("{slug}", slug);
    join_path(base, &expanded)
}

/// Joins a `/`-separated path onto `base` (as if `base` ended with `/`), encoding each
/// segment; `.`/`..`/empty segments are dropped, a trailing `/` is kept.
pub fn join_path(base: &Url, path: &str) -> Result<Url, String> {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    let trailing = path.ends_with('/');
    {
        let mut segments = url
            .path_segments_mut()
            .map_err(|_| format!("base URL `{base}` cannot have paths"))?;
        segments.pop_if_empty();
        for segment in path.split('/') {
            if segment.is_empty() || segment == "." || segment == ".." {
                continue;
            }
            segments.push(segment);
        }
        if trailing {
            segments.push("");
        }
    }
    Ok(url)
}

/// The output path of a URL under `base`: its path after `base`'s, percent-decoded.
/// `None` when the URL is not under `base`.
pub fn output_path(base: &Url, url: &Url) -> Option<String> {
    if url.origin() != base.origin() {
        return None;
    }
    let base_path = base.path();
    let base_dir = &base_path[..base_path.rfind('/').map(|i| i + 1).unwrap_or(0)];
    let rest = url.path().strip_prefix(base_dir)?;
    let decoded = percent_decode(rest);
    if decoded.is_empty() || decoded.split('/').any(|s| s == "..") {
        return None;
    }
    Some(decoded)
}

/// Decodes `%XX` escapes; invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URL-safe slug: lower case, Latin accents folded (`Één café` → `een-cafe`), other
/// letters and digits of any script kept, everything else a single `-`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let kept = fold(c).or_else(|| c.is_alphanumeric().then_some(""));
        let Some(folded) = kept else {
            dash = true;
            continue;
        };
        if dash && !out.is_empty() {
            out.push('-');
        }
        dash = false;
        if folded.is_empty() {
            out.push(c);
        } else {
            out.push_str(folded);
        }
    }
    out
}

/// ASCII for the accented Latin letters Dutch, English and their neighbours use.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
        'æ' => "ae",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ĳ' => "ij",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
        'œ' => "oe",
        'ß' => "ss",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        _ => return None,
    })
}

/// The slug a file name gives: its stem without a leading `2024-03-05-` date; for
/// `…/hello/index.md` the folder's name.
pub fn slug_from_path(path: &std::path::Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let stem = if matches!(stem, "index" | "_index") {
        path.parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or(stem)
    } else {
        stem
    };
    let bytes = stem.as_bytes();
    let dated = bytes.len() > 11
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && bytes[10] == b'-';
    slugify(if dated { &stem[11..] } else { stem })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn base() -> Url {
        Url::parse("https://coach.example/site/").unwrap()
    }

    #[test]
    fn patterns_expand_every_placeholder() {
        let date = Utc.with_ymd_and_hms(2024, 3, 5, 9, 0, 0).unwrap();
        let url = url(
            &base(),
            "/{lang}/blog/{year}/{month}/{day}/{slug}/",
            &date,
            "hallo",
            Some("nl"),
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://coach.example/site/nl/blog/2024/03/05/hallo/"
        );
        let url = super::url(&base(), "/{lang}/{slug}.html", &date, "hallo", None).unwrap();
        assert_eq!(url.as_str(), "https://coach.example/site/hallo.html");
    }

    #[test]
    fn bad_patterns_are_refused_with_the_fix() {
        assert!(check_pattern("/blog/{year}/{slug}/").is_ok());
        let err = check_pattern("/blog/{jaar}/{slug}/").unwrap_err();
        assert!(err.contains("`{jaar}`"), "{err}");
        assert!(
            check_pattern("/blog/{year}/")
                .unwrap_err()
                .contains("no {slug}")
        );
    }

    #[test]
    fn slugs_fold_accents_and_drop_punctuation() {
        assert_eq!(slugify("Één café, twee thee's!"), "een-cafe-twee-thee-s");
        assert_eq!(slugify("  ../../etc/passwd "), "etc-passwd");
        assert_eq!(slugify("Straße & Œuvre"), "strasse-oeuvre");
        assert_eq!(slugify("Привет мир"), "привет-мир");
        assert_eq!(slugify("???"), "");
    }

    #[test]
    fn slugs_from_file_names() {
        use std::path::Path;
        assert_eq!(
            slug_from_path(Path::new("posts/2024-03-05-Mijn eerste post.md")),
            "mijn-eerste-post"
        );
        assert_eq!(slug_from_path(Path::new("posts/hello/index.md")), "hello");
        assert_eq!(slug_from_path(Path::new("posts/2024.md")), "2024");
    }

    #[test]
    fn join_encodes_segments_and_output_paths_decode_them() {
        let url = join_path(&base(), "blog/mijn foto's/").unwrap();
        assert_eq!(
            url.as_str(),
            "https://coach.example/site/blog/mijn%20foto's/"
        );
        let asset = url.join("beeld%201.jpg").unwrap();
        assert_eq!(
            output_path(&base(), &asset).as_deref(),
            Some("blog/mijn foto's/beeld 1.jpg")
        );
        let outside = Url::parse("https://coach.example/other/x.jpg").unwrap();
        assert_eq!(output_path(&base(), &outside), None);
    }
}

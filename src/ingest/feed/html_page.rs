//! An HTML page given where a feed was expected: recognised before XML parsing, and its
//! `<link rel="alternate">` feed links listed (absolute) so the error can say which URL
//! to use instead.
//!
//! HTML is not XML, so the page is scanned for `<link …>` and `<base href>` tags with a
//! small tag tokenizer rather than parsed.

use url::Url;

use crate::normalise::url::resolve;

/// The feed types a page can point to with `<link rel="alternate" type="…">`.
const FEED_TYPES: [&str; 5] = [
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
];

/// Whether the document is an HTML page: `<html>` as its first tag, or an HTML doctype
/// followed by anything but a feed's root (after an XML declaration, comments and
/// whitespace). A feed behind a stray XHTML doctype is still a feed.
pub(crate) fn is_html(text: &str) -> bool {
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    let mut html_doctype = false;
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after
                .split_once("?>")
                .map_or("", |(_, tail)| tail)
                .trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after
                .split_once("-->")
                .map_or("", |(_, tail)| tail)
                .trim_start();
        } else if rest.len() >= 9
            && rest.is_char_boundary(9)
            && rest[..9].eq_ignore_ascii_case("<!doctype")
        {
            let head: String = rest
                .chars()
                .take(14)
                .collect::<String>()
                .to_ascii_lowercase();
            html_doctype |= head.starts_with("<!doctype html");
            rest = rest
                .split_once('>')
                .map_or("", |(_, tail)| tail)
                .trim_start();
        } else {
            break;
        }
    }
    let Some(tag) = rest.strip_prefix('<') else {
        return html_doctype;
    };
    let name: String = tag
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
        .collect::<String>()
        .to_ascii_lowercase();
    match name.as_str() {
        "html" => true,
        "rss" | "feed" | "rdf:rdf" | "channel" => false,
        _ => html_doctype,
    }
}

/// The feed URLs a page advertises, absolute against its `<base href>` or `page_url`.
pub(crate) fn alternates(text: &str, page_url: Option<&Url>) -> Vec<String> {
    let mut base = page_url.cloned();
    let mut found = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut position = 0;
    while let Some(offset) = lower[position..].find('<') {
        let start = position + offset + 1;
        let name_len = lower[start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(lower.len() - start);
        let name = &lower[start..start + name_len];
        let (attributes, end) = read_attributes(text, start + name_len);
        position = end.max(start);
        match name {
            "base" => {
                if let Some(href) = attribute(&attributes, "href") {
                    base = match &base {
                        Some(base) => base.join(href.trim()).ok(),
                        None => Url::parse(href.trim()).ok(),
                    }
                    .or(base);
                }
            }
            "link" => {
                let rel = attribute(&attributes, "rel")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let kind = attribute(&attributes, "type")
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                let is_alternate = rel.split_ascii_whitespace().any(|word| word == "alternate");
                if is_alternate
                    && FEED_TYPES.contains(&kind.as_str())
                    && let Some(href) = attribute(&attributes, "href")
                    && !href.trim().is_empty()
                {
                    let url = resolve(base.as_ref(), href);
                    if !found.contains(&url) {
                        found.push(url);
                    }
                }
            }
            "body" => break,
            _ => {}
        }
    }
    found
}

fn attribute<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Reads `name="value"` pairs from `from` up to the closing `>`; returns them (names
/// lower-cased, values with the few entities URLs carry decoded) and the index after `>`.
fn read_attributes(text: &str, from: usize) -> (Vec<(String, String)>, usize) {
    let bytes = text.as_bytes();
    let mut attributes = Vec::new();
    let mut index = from;
    loop {
        while index < bytes.len() && (bytes[index].is_ascii_whitespace() || bytes[index] == b'/') {
            index += 1;
        }
        if index >= bytes.len() {
            return (attributes, index);
        }
        if bytes[index] == b'>' {
            return (attributes, index + 1);
        }
        let name_start = index;
        while index < bytes.len()
            && !bytes[index].is_ascii_whitespace()
            && !matches!(bytes[index], b'=' | b'>' | b'/')
        {
            index += 1;
        }
        let name = text[name_start..index].to_ascii_lowercase();
        while index < bytes.len() && bytes[index].is_ascii_whitespace() {
            index += 1;
        }
        let mut value = String::new();
        if index < bytes.len() && bytes[index] == b'=' {
            index += 1;
            while index < bytes.len() && bytes[index].is_ascii_whitespace() {
                index += 1;
            }
            if index < bytes.len() && (bytes[index] == b'"' || bytes[index] == b'\'') {
                let quote = bytes[index];
                let value_start = index + 1;
                let value_end = bytes[value_start..]
                    .iter()
                    .position(|&byte| byte == quote)
                    .map_or(bytes.len(), |offset| value_start + offset);
                value = text[value_start..value_end].to_string();
                index = (value_end + 1).min(bytes.len());
            } else {
                let value_start = index;
                while index < bytes.len()
                    && !bytes[index].is_ascii_whitespace()
                    && bytes[index] != b'>'
                {
                    index += 1;
                }
                value = text[value_start..index].to_string();
            }
        }
        if name.is_empty() {
            // A stray character that cannot start a name: step over it.
            index += 1;
            continue;
        }
        let value = value
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&#38;", "&");
        attributes.push((name, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html>
<html lang="nl"><head>
<meta charset="utf-8">
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
<LINK REL='alternate' TYPE='application/atom+xml' HREF='atom.xml?a=1&amp;b=2'>
<link rel=alternate type=application/feed+json href=https://cdn.example/feed.json>
<link rel="alternate" hreflang="en" href="/en/">
</head><body><link rel="alternate" type="application/rss+xml" href="/not-in-head.xml"></body></html>"#;

    #[test]
    fn recognises_html_pages_and_not_feeds() {
        assert!(is_html(PAGE));
        assert!(is_html("\u{feff}  <!-- x --><html><head>"));
        assert!(is_html(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">"
        ));
        assert!(!is_html("<rss version=\"2.0\"><channel/></rss>"));
        assert!(!is_html("<htmlish/>"));
        assert!(!is_html(
            "<?xml version=\"1.0\"?><!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"x\">\n<rss><channel/></rss>"
        ));
        assert!(is_html("<!doctype html>\n<head><title>x</title>"));
        assert!(!is_html(""));
    }

    #[test]
    fn lists_feed_alternates_made_absolute() {
        let url = Url::parse("https://blog.example/posts/index.html").ok();
        assert_eq!(
            alternates(PAGE, url.as_ref()),
            vec![
                "https://blog.example/feed.xml",
                "https://blog.example/posts/atom.xml?a=1&b=2",
                "https://cdn.example/feed.json",
            ]
        );
    }

    #[test]
    fn base_href_and_no_page_url() {
        let page = r#"<html><head><base href="https://other.example/dir/">
<link rel="alternate" type="application/rss+xml" href="rss"></head>"#;
        assert_eq!(
            alternates(page, None),
            vec!["https://other.example/dir/rss"]
        );
        assert!(alternates("<html><head></head><body>", None).is_empty());
        // A truncated tag must not hang or panic.
        assert!(alternates("<html><link rel=\"alternate\" href=\"", None).is_empty());
    }
}

//! The state shared while one document is mapped onto the model: the bases relative URLs
//! resolve against, the warnings collected so far, and the small conversions every
//! dialect mapper applies to an element's value (plain text, sanitised HTML, absolute
//! URL, date).
//!
//! Relative URLs resolve against the element's `xml:base` when the document set one, then
//! the feed's own link, then the URL the document was fetched from (the contract's order).
//! The reader gives every element its effective base starting from the fetched URL, so an
//! element "has an `xml:base`" exactly when its base differs from that URL.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use url::Url;

/// Bases are kept as text, as written: `normalise::url::join` and the sanitiser resolve
/// against text, so an IRI base stays an IRI and nothing is parsed twice.
type Base = String;

use super::dom::{Element, Node};
use crate::normalise;

/// Mapping state for one document.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// The URL the document was fetched from: the last base.
    doc_url: Option<Base>,
    /// The feed's home page, once known: the base after `xml:base`.
    feed_link: Option<Base>,
    /// Where in the document the mapper is ("entry 3"), prefixed to warnings.
    scope: Option<String>,
    pub warnings: Vec<String>,
    /// Warnings past [`MAX_WARNINGS`], counted but not kept.
    suppressed: usize,
}

/// At most this many warnings are kept for one document: a feed with a bad date in each
/// of its ten thousand items needs a handful of examples, not ten thousand lines.
pub(crate) const MAX_WARNINGS: usize = 100;

impl Ctx {
    pub fn new(doc_url: Option<&Url>) -> Ctx {
        Ctx {
            doc_url: doc_url.map(|url| url.as_str().to_string()),
            feed_link: None,
            scope: None,
            warnings: Vec::new(),
            suppressed: 0,
        }
    }

    /// Records the feed's (already absolute) link as the base for what has no `xml:base`.
    pub fn set_feed_link(&mut self, link: Option<&str>) {
        self.feed_link = link
            .filter(|link| {
                normalise::url::scheme(link).is_some_and(|scheme| {
                    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
                })
            })
            .map(str::to_string);
    }

    /// Sets the prefix of later warnings (`Some("entry 3")`), or clears it.
    pub fn set_scope(&mut self, scope: Option<String>) {
        self.scope = scope;
    }

    /// Records a warning, prefixed with the current scope.
    pub fn warn(&mut self, message: impl AsRef<str>) {
        if self.warnings.len() >= MAX_WARNINGS {
            self.suppressed += 1;
            return;
        }
        let message = message.as_ref();
        let line = match &self.scope {
            Some(scope) => format!("{scope}: {message}"),
            None => message.to_string(),
        };
        self.warnings.push(line);
    }

    /// The warnings, with a last line counting those left out.
    pub fn into_warnings(mut self) -> Vec<String> {
        if self.suppressed > 0 {
            self.warnings
                .push(format!("{} more warnings were left out", self.suppressed));
        }
        self.warnings
    }

    /// The base for URLs inside `element`.
    pub fn base<'a>(&'a self, element: &'a Element) -> Option<&'a str> {
        if let Some(base) = element.base.as_deref()
            && Some(base) != self.doc_url.as_deref()
        {
            return Some(base);
        }
        self.feed_link.as_deref().or(self.doc_url.as_deref())
    }

    /// The base used for the feed's own link: `xml:base`, else the fetched URL.
    pub fn base_without_feed_link<'a>(&'a self, element: &'a Element) -> Option<&'a str> {
        element.base.as_deref().or(self.doc_url.as_deref())
    }

    /// `href` made absolute against the element's base; `None` when empty.
    pub fn url(&self, element: &Element, href: &str) -> Option<String> {
        let href = href.trim();
        if href.is_empty() {
            return None;
        }
        Some(normalise::url::join(self.base(element), href))
    }

    /// The element's text made an absolute URL; `None` when empty.
    pub fn url_text(&self, element: &Element) -> Option<String> {
        self.url(element, &element.text())
    }

    /// Plain text of a value that may hold markup and entities; `None` when empty. A
    /// value that does not look like HTML is text as it stands: "1 < 2" keeps its `<`.
    pub fn plain(&self, value: &str) -> Option<String> {
        if looks_like_html(value) {
            non_empty(normalise::text::plain(value))
        } else {
            collapse_whitespace(value)
        }
    }

    /// Plain text of an element whose content may be markup (escaped or written inline).
    pub fn plain_of(&self, element: &Element) -> Option<String> {
        self.plain(&raw_value(element))
    }

    /// Sanitised HTML of a value, with URLs resolved against the element's base.
    pub fn html(&self, element: &Element, html: &str) -> Option<String> {
        if html.trim().is_empty() {
            return None;
        }
        non_empty(normalise::html::sanitise_relative_to(
            html,
            self.base(element),
        ))
    }

    /// Sanitised HTML of an element whose content is HTML (escaped or written inline).
    pub fn html_of(&self, element: &Element) -> Option<String> {
        self.html(element, &raw_value(element))
    }

    /// The element's text read as a date; an unreadable value is dropped with a warning
    /// naming `field` and the value.
    pub fn date(&mut self, field: &str, element: &Element) -> Option<DateTime<Utc>> {
        let text = element.text();
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let date = normalise::date::parse(text);
        if date.is_none() {
            self.warn(format!(
                "{field} {} is not a date omroep can read; omitted",
                quote(text)
            ));
        }
        date
    }
}

/// The content of an element that holds text or markup: markup written inline (naked
/// HTML in an RSS description, say) is serialised back, otherwise the decoded text
/// (borrowed when it is one text node, as it nearly always is: content can be large).
pub(crate) fn raw_value(element: &Element) -> Cow<'_, str> {
    if element.has_element_children() {
        return Cow::Owned(element.inner_markup());
    }
    match element.children.as_slice() {
        [Node::Text(text)] => Cow::Borrowed(text),
        _ => Cow::Owned(element.text()),
    }
}

/// `Some(text)` unless it is empty after trimming.
pub(crate) fn non_empty(text: String) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == text.len() {
        Some(text)
    } else {
        Some(trimmed.to_string())
    }
}

/// Whitespace runs collapsed to one space, trimmed: for values that are plain text by
/// definition (Atom `type="text"`, JSON Feed), where markup-looking characters are text.
pub(crate) fn collapse_whitespace(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    non_empty(out)
}

/// A value quoted for a warning, shortened so one absurd value cannot flood the output.
pub(crate) fn quote(value: &str) -> String {
    const MAX: usize = 80;
    let value = value.trim();
    if value.chars().count() <= MAX {
        format!("\"{value}\"")
    } else {
        let cut: String = value.chars().take(MAX).collect();
        format!("\"{cut}…\"")
    }
}

/// Whether a value that is nominally text carries HTML: an end tag, a line-break or
/// image tag, or an entity or character reference left after XML decoding (which means it
/// was escaped twice). A lone `<word>` is not enough: "History of the <blink> tag" is text.
pub(crate) fn looks_like_html(value: &str) -> bool {
    let bytes = value.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        let next = bytes.get(index + 1).copied();
        match byte {
            b'<' if next == Some(b'/') => {
                let rest = &bytes[index + 2..];
                let name = rest
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .count();
                if name > 0 && rest[name..].iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'>')
                {
                    return true;
                }
            }
            b'<' if next.is_some_and(|c| c.is_ascii_alphabetic()) => {
                let rest = &value[index + 1..];
                let name: String = rest
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase();
                let after = rest[name.len()..].chars().next();
                let is_void = matches!(name.as_str(), "br" | "img" | "hr" | "p");
                if is_void && after.is_some_and(|c| c == '>' || c == '/' || c.is_whitespace()) {
                    return true;
                }
            }
            b'&' if next.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'#') => {
                let rest = &bytes[index + 1..];
                let word = rest
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'#')
                    .count();
                if rest.get(word) == Some(&b';') {
                    // A numeric reference, or a name HTML knows: `&T;` in "AT&T;" is text.
                    let name = &value[index + 1..index + 2 + word];
                    if name.starts_with('#') || normalise::entities::lookup(name).is_some() {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn element_with_base(base: Option<&str>) -> Element {
        Element {
            name: "link".into(),
            base: base.map(Arc::from),
            ..Element::default()
        }
    }

    #[test]
    fn base_order_is_xml_base_then_feed_link_then_fetched_url() {
        let fetched = Url::parse("https://fetched.example/feed.xml").ok();
        let mut ctx = Ctx::new(fetched.as_ref());
        let plain = element_with_base(Some("https://fetched.example/feed.xml"));
        let based = element_with_base(Some("https://base.example/dir/"));

        assert_eq!(
            ctx.url(&plain, "a.mp3").as_deref(),
            Some("https://fetched.example/a.mp3")
        );
        ctx.set_feed_link(Some("https://site.example/blog/"));
        assert_eq!(
            ctx.url(&plain, "a.mp3").as_deref(),
            Some("https://site.example/blog/a.mp3")
        );
        assert_eq!(
            ctx.url(&based, "a.mp3").as_deref(),
            Some("https://base.example/dir/a.mp3")
        );
        assert_eq!(ctx.url(&plain, "  "), None);
    }

    #[test]
    fn date_warnings_name_field_value_and_scope() {
        let mut ctx = Ctx::new(None);
        ctx.set_scope(Some("entry 2".into()));
        let element = Element {
            name: "pubDate".into(),
            children: vec![super::super::dom::Node::Text("someday".into())],
            ..Element::default()
        };
        assert_eq!(ctx.date("pubDate", &element), None);
        assert_eq!(
            ctx.warnings,
            vec!["entry 2: pubDate \"someday\" is not a date omroep can read; omitted"]
        );
    }

    #[test]
    fn html_detection() {
        assert!(looks_like_html("<p>x</p>"));
        assert!(looks_like_html("line<br/>break"));
        assert!(looks_like_html("<img src=\"x\">"));
        assert!(!looks_like_html("History of the <blink> tag"));
        assert!(!looks_like_html("<!DOCTYPE"));
        assert!(looks_like_html("a &amp; b"));
        assert!(looks_like_html("caf&#233;"));
        assert!(!looks_like_html("1 < 2 & 3 > 2"));
        assert!(!looks_like_html("AT&T; fine"));
        assert!(!looks_like_html("plain"));
    }

    #[test]
    fn helpers() {
        assert_eq!(collapse_whitespace("  a \n b  ").as_deref(), Some("a b"));
        assert_eq!(collapse_whitespace(" \n "), None);
        assert_eq!(non_empty(" x ".into()).as_deref(), Some("x"));
        assert_eq!(quote(&"x".repeat(100)).chars().count(), 83);
    }
}

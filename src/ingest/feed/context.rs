//! The state shared while one document is mapped onto the model: the bases relative URLs
//! resolve against, the warnings collected so far, and the small conversions every
//! dialect mapper applies to an element's value (plain text, sanitised HTML, absolute
//! URL, date).
//!
//! Relative URLs resolve against the element's `xml:base` when the document set one, then
//! the feed's own link, then the URL the document was fetched from (the contract's order).
//! The reader gives every element its effective base starting from the fetched URL, so an
//! element "has an `xml:base`" exactly when its base differs from that URL.
//!
//! No URL that runs code (`javascript:`, `vbscript:`, `data:`) reaches the model, whatever
//! field it was written in, and a page link (the feed's or an entry's link, the self
//! link) must be a web address (`http`, `https`, or relative with nothing to resolve it
//! against); anything else is dropped with a warning.

use std::cell::RefCell;

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use url::Url;

/// Bases are kept as text, as written: `normalise::url::join` and the sanitiser resolve
/// against text, so an IRI base stays an IRI and nothing is parsed twice.
type Base = String;

use super::dom::{Element, LowerName};
use crate::normalise;

/// Mapping state for one document.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// The URL the document was fetched from: the last base.
    doc_url: Option<Base>,
    /// The feed's home page, once known: the base after `xml:base`.
    feed_link: Option<Base>,
    /// The entry the mapper is in (numbered from 1), prefixed to warnings as "entry 3":
    /// a number, made text only for a warning.
    entry: Option<usize>,
    pub warnings: Vec<String>,
    /// Warnings past [`MAX_WARNINGS`], counted but not kept.
    suppressed: usize,
    /// Warnings raised where the mapper holds the context shared (a URL refused inside
    /// [`Ctx::url`]), already prefixed with the entry ("entry 3: …"); moved into
    /// `warnings`, in order, before the next warning and at the end.
    pending: RefCell<Vec<String>>,
}

/// At most this many warnings are kept for one document: a feed with a bad date in each
/// of its ten thousand items needs a handful of examples, not ten thousand lines.
pub(crate) const MAX_WARNINGS: usize = 100;

impl Ctx {
    pub fn new(doc_url: Option<&Url>) -> Ctx {
        Ctx {
            doc_url: doc_url.map(|url| url.as_str().to_string()),
            feed_link: None,
            entry: None,
            warnings: Vec::new(),
            suppressed: 0,
            pending: RefCell::new(Vec::new()),
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

    /// Sets the entry (numbered from 1) later warnings name (`Some(3)`: "entry 3: …"), or
    /// clears it.
    pub fn set_entry(&mut self, entry: Option<usize>) {
        self.entry = entry;
    }

    /// Records a warning, prefixed with the entry ("entry 3: …") when there is one.
    pub fn warn(&mut self, message: impl AsRef<str>) {
        self.flush_pending();
        let line = self.scoped(message.as_ref());
        self.push_warning(line);
    }

    fn scoped(&self, message: &str) -> String {
        match self.entry {
            Some(entry) => format!("entry {entry}: {message}"),
            None => message.to_string(),
        }
    }

    fn push_warning(&mut self, line: String) {
        if self.warnings.len() >= MAX_WARNINGS {
            self.suppressed += 1;
        } else {
            self.warnings.push(line);
        }
    }

    /// Records a warning through a shared reference; see `pending`.
    fn note(&self, message: &str) {
        let line = self.scoped(message);
        self.pending.borrow_mut().push(line);
    }

    fn flush_pending(&mut self) {
        let pending = std::mem::take(self.pending.get_mut());
        for line in pending {
            self.push_warning(line);
        }
    }

    /// The warnings, with a last line counting those left out.
    pub fn into_warnings(mut self) -> Vec<String> {
        self.flush_pending();
        if self.suppressed > 0 {
            self.warnings
                .push(format!("{} more warnings were left out", self.suppressed));
        }
        self.warnings
    }

    /// The base for URLs inside `element`.
    pub fn base<'a>(&'a self, element: Element<'a>) -> Option<&'a str> {
        self.xml_base(element)
            .or(self.feed_link.as_deref())
            .or(self.doc_url.as_deref())
    }

    /// The element's `xml:base`, when the document set one (not the fetched URL).
    pub fn xml_base<'a>(&'a self, element: Element<'a>) -> Option<&'a str> {
        element
            .base()
            .filter(|base| Some(*base) != self.doc_url.as_deref())
    }

    /// The base used for the feed's own link: `xml:base`, else the fetched URL.
    pub fn base_without_feed_link<'a>(&'a self, element: Element<'a>) -> Option<&'a str> {
        element.base().or(self.doc_url.as_deref())
    }

    /// `href` made absolute against the element's base; `None` when empty, or (with a
    /// warning) when it would run code instead of naming a resource.
    pub fn url(&self, element: Element<'_>, href: &str) -> Option<String> {
        // Most addresses in a feed: nothing to clean, resolve or check for code.
        if let Some(url) = plain_web_url(href) {
            return Some(url.to_owned());
        }
        let url = self.resolve_unplain(element, href)?;
        if runs_code(&url) {
            self.note(&format!(
                "URL {} would run code, not name a resource; ignored",
                quote(&url)
            ));
            return None;
        }
        Some(url)
    }

    /// `href` made absolute against the element's base, unchecked; `None` when empty.
    pub fn resolve(&self, element: Element<'_>, href: &str) -> Option<String> {
        if let Some(url) = plain_web_url(href) {
            return Some(url.to_owned());
        }
        self.resolve_unplain(element, href)
    }

    /// [`Ctx::resolve`] for an `href` that [`plain_web_url`] has already turned down.
    fn resolve_unplain(&self, element: Element<'_>, href: &str) -> Option<String> {
        let href = trim_text(href);
        if href.is_empty() {
            return None;
        }
        // An absolute reference ignores any base (`join` does not read it): skip finding
        // the element's base.
        if normalise::url::scheme(href).is_some() {
            return Some(normalise::url::join(None, href));
        }
        Some(normalise::url::join(self.base(element), href))
    }

    /// A resolved URL for a resource (`field` names it in the warning): dropped when it
    /// would run code.
    pub fn code_free(&mut self, field: &str, url: String) -> Option<String> {
        if !runs_code(&url) {
            return Some(url);
        }
        self.warn(format!(
            "{field} {} would run code, not name a resource; ignored",
            quote(&url)
        ));
        None
    }

    /// A page link (`field` names it in the warning): kept only when it is a web address.
    pub fn web_link(&mut self, field: &str, url: Option<String>) -> Option<String> {
        let url = url?;
        if is_web_address(&url) {
            return Some(url);
        }
        self.warn(format!(
            "{field} {} is not a web address; ignored",
            quote(&url)
        ));
        None
    }

    /// The element's text made an absolute URL; `None` when empty.
    pub fn url_text(&self, element: Element<'_>) -> Option<String> {
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
    pub fn plain_of(&self, element: Element<'_>) -> Option<String> {
        self.plain(&raw_value(element))
    }

    /// `plain_of(summary)`, with `html_of(content)` when reading the value once gives
    /// both: an RSS item's `description` beside its `content:encoded`. Podcast hosts and
    /// blog engines often write the same HTML into both; then the value is tokenized once
    /// for both (`normalise::html::sanitise_with_plain`, resolving against `content`'s
    /// base as `html_of` does), and the content's sanitised HTML is handed back for the
    /// caller to pass on ([`Extensions::apply_to_entry`](super::namespaces::Extensions::apply_to_entry))
    /// instead of sanitising it again: (plain text, `Some(html_of(content))` or `None`
    /// when it was not made).
    pub fn plain_beside(
        &self,
        summary: Element<'_>,
        content: Option<Element<'_>>,
    ) -> (Option<String>, Option<Option<String>>) {
        let value = raw_value(summary);
        if let Some(content) = content
            && raw_value(content) == value
            && !value.trim().is_empty()
            && looks_like_html(&value)
        {
            let (html, text) = normalise::html::sanitise_with_plain(&value, self.base(content));
            return (non_empty(text), Some(non_empty(html)));
        }
        (self.plain(&value), None)
    }

    /// Sanitised HTML of a value, with URLs resolved against the element's base.
    pub fn html(&self, element: Element<'_>, html: &str) -> Option<String> {
        if html.trim().is_empty() {
            return None;
        }
        non_empty(normalise::html::sanitise_relative_to(
            html,
            self.base(element),
        ))
    }

    /// Sanitised HTML of an element whose content is HTML (escaped or written inline).
    pub fn html_of(&self, element: Element<'_>) -> Option<String> {
        self.html(element, &raw_value(element))
    }

    /// `plain_of` and `html_of` of the same element, (plain text, sanitised HTML), in one
    /// tokenizing pass where the value is HTML: for a description that is both an entry's
    /// summary and its content.
    pub fn plain_and_html_of(&self, element: Element<'_>) -> (Option<String>, Option<String>) {
        let value = raw_value(element);
        if value.trim().is_empty() || !looks_like_html(&value) {
            return (self.plain(&value), self.html(element, &value));
        }
        let (html, text) = normalise::html::sanitise_with_plain(&value, self.base(element));
        (non_empty(text), non_empty(html))
    }

    /// The element's text read as a date; an unreadable value is dropped with a warning
    /// naming `field` and the value.
    pub fn date(&mut self, field: &str, element: Element<'_>) -> Option<DateTime<Utc>> {
        let text = element.text();
        let text = trim_text(&text);
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

/// Whether a URL is a web address: `http` or `https`, or relative (no scheme), which is
/// all a page link can be once resolved against what base there is.
pub(crate) fn is_web_address(url: &str) -> bool {
    normalise::url::scheme(url).is_none_or(|scheme| {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    })
}

/// `href` trimmed, when it is an `http://` or `https://` address (scheme in lower case)
/// that `normalise::url::join` would give back as it is: it has a scheme, so the base
/// is not read, and it has no control character or space at its end and no tab or line
/// break inside to remove. Such an address runs no code, so [`Ctx::url`] keeps it
/// without the scheme checks.
fn plain_web_url(href: &str) -> Option<&str> {
    let url = trim_text(href);
    let web = url.starts_with("https://") || url.starts_with("http://");
    (web && url.as_bytes().last().is_some_and(|&last| last > b' ')
        && memchr::memchr3(b'\t', b'\n', b'\r', url.as_bytes()).is_none())
    .then_some(url)
}

/// Whether a URL would run code where a page follows it: `javascript:`, `vbscript:`, and
/// `data:` (which can carry a whole HTML page with its scripts).
pub(crate) fn runs_code(url: &str) -> bool {
    normalise::url::scheme(url).is_some_and(|scheme| {
        ["javascript", "vbscript", "data", "livescript"]
            .iter()
            .any(|code| scheme.eq_ignore_ascii_case(code))
    })
}

/// The content of an element that holds text or markup: markup written inline (naked
/// HTML in an RSS description, say) is serialised back, otherwise the decoded text
/// (borrowed when it is one text node, as it nearly always is: content can be large).
pub(crate) fn raw_value(element: Element<'_>) -> Cow<'_, str> {
    if element.has_element_children() {
        return Cow::Owned(element.inner_markup());
    }
    element.text()
}

/// `text.trim()`, answered at once for the usual value that starts and ends with a visible
/// ASCII character: nothing to trim, so no character is decoded at either end.
pub(crate) fn trim_text(text: &str) -> &str {
    let visible = |byte: &u8| (b'!'..=b'~').contains(byte);
    let bytes = text.as_bytes();
    if bytes.first().is_some_and(visible) && bytes.last().is_some_and(visible) {
        return text;
    }
    text.trim()
}

/// `Some(text)` unless it is empty after trimming.
pub(crate) fn non_empty(text: String) -> Option<String> {
    let trimmed = trim_text(&text);
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
///
/// Whitespace is what `normalise::text::plain` collapses: ASCII whitespace and the
/// Unicode line separators. A no-break space, an em space or a thin space is a character
/// the author chose (`&nbsp;` in a title), so it stays.
pub(crate) fn collapse_whitespace(text: &str) -> Option<String> {
    // Most values (titles, guids, types) are already collapsed: one check, one copy.
    if is_collapsed(text.as_bytes()) {
        return Some(text.to_string());
    }
    // Byte by byte: the separators are ASCII or the UTF-8 sequences C2 85 (U+0085) and
    // E2 80 A8/A9 (U+2028/U+2029), so no character needs decoding, and words are copied
    // whole.
    let bytes = text.as_bytes();
    let separator_at = |at: usize| -> usize {
        match bytes[at] {
            b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' => 1,
            0xC2 if bytes.get(at + 1) == Some(&0x85) => 2,
            0xE2 if matches!(bytes.get(at + 1..at + 3), Some([0x80, 0xA8 | 0xA9])) => 3,
            _ => 0,
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut word_start = 0;
    while at < bytes.len() {
        match separator_at(at) {
            0 => at += 1,
            length => {
                // Separators are whole characters, so both ends of a word are boundaries.
                push_word(&mut out, text.get(word_start..at).unwrap_or_default());
                at += length;
                word_start = at;
            }
        }
    }
    push_word(&mut out, text.get(word_start..).unwrap_or_default());
    non_empty(out)
}

/// Whether [`collapse_whitespace`] would return `bytes` as they are: not empty, ASCII
/// other than a space at both ends (the result is trimmed of Unicode white space too),
/// no separator inside but single spaces. Conservative: a lead byte of the multi-byte
/// separators (0xC2, 0xE2) sends the text down the full path.
fn is_collapsed(bytes: &[u8]) -> bool {
    let ascii_word = |byte: &u8| byte.is_ascii() && *byte != b' ';
    if !bytes.first().is_some_and(ascii_word) || !bytes.last().is_some_and(ascii_word) {
        return false;
    }
    // Without a branch per byte (`scan::fold_flags`): a separator or lead byte, then two
    // spaces in a row (each byte with the one after it).
    let separators = super::scan::fold_flags(bytes, |byte| {
        u8::from(matches!(byte, b'\t'..=b'\r')) | u8::from(byte == 0xC2) | u8::from(byte == 0xE2)
    });
    let double_spaces = bytes
        .iter()
        .zip(bytes.iter().skip(1))
        .fold(0u8, |seen, (&byte, &next)| {
            seen | (u8::from(byte == b' ') & u8::from(next == b' '))
        });
    separators == 0 && double_spaces == 0
}

/// Appends a word of [`collapse_whitespace`], after one space unless it is the first.
fn push_word(out: &mut String, word: &str) {
    if word.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
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
    // Only a `<` or `&` can start markup: jump from one to the next.
    for index in memchr::memchr2_iter(b'<', b'&', bytes) {
        let byte = bytes[index];
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
                let length = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
                let (name, after) = rest.split_at(length);
                // Lowercased on the stack; a name too long for it reads as "", as no
                // HTML element's name is that long.
                let name = LowerName::new(name);
                let name = name.as_str();
                let is_void = matches!(name, "br" | "img" | "hr" | "p");
                let ends_name = after
                    .chars()
                    .next()
                    .is_some_and(|c| c == '>' || c == '/' || c.is_whitespace());
                if is_void && ends_name {
                    return true;
                }
                // `<embed src="…">`: an HTML element with an attribute is markup, where a
                // bare `<blink>` in prose may be a word in brackets.
                if starts_with_attribute(after) && normalise::elements::lookup(name).is_some() {
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

/// Whether the text after a tag name is whitespace, then an attribute name and `=`.
fn starts_with_attribute(after: &str) -> bool {
    let rest = after.trim_start();
    if rest.len() == after.len() {
        return false;
    }
    let name = rest
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':'))
        .count();
    name > 0 && rest[name..].trim_start().starts_with('=')
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::dom::{ElementData, Tree};
    use super::super::ns::Known;

    /// A tree of one `<link>` element with this base.
    fn element_with_base(base: Option<&str>) -> Tree<'static> {
        let mut tree = Tree::default();
        let mut data = ElementData::new("link".into());
        if let Some(base) = base {
            data.base = tree.add_string(base);
        }
        tree.push_element(None, data, Known::NoNamespace, 0);
        tree
    }

    #[test]
    fn base_order_is_xml_base_then_feed_link_then_fetched_url() {
        let fetched = Url::parse("https://fetched.example/feed.xml").ok();
        let mut ctx = Ctx::new(fetched.as_ref());
        let plain = element_with_base(Some("https://fetched.example/feed.xml"));
        let plain = plain.element(0);
        let based = element_with_base(Some("https://base.example/dir/"));
        let based = based.element(0);

        assert_eq!(
            ctx.url(plain, "a.mp3").as_deref(),
            Some("https://fetched.example/a.mp3")
        );
        ctx.set_feed_link(Some("https://site.example/blog/"));
        assert_eq!(
            ctx.url(plain, "a.mp3").as_deref(),
            Some("https://site.example/blog/a.mp3")
        );
        assert_eq!(
            ctx.url(based, "a.mp3").as_deref(),
            Some("https://base.example/dir/a.mp3")
        );
        assert_eq!(ctx.url(plain, "  "), None);
    }

    #[test]
    fn date_warnings_name_field_value_and_scope() {
        let mut ctx = Ctx::new(None);
        ctx.set_entry(Some(2));
        let mut tree = Tree::default();
        let index = tree.push_element(
            None,
            ElementData::new("pubDate".into()),
            Known::NoNamespace,
            0,
        );
        tree.push_text(index, "someday".into());
        assert_eq!(ctx.date("pubDate", tree.element(index)), None);
        assert_eq!(
            ctx.warnings,
            vec!["entry 2: pubDate \"someday\" is not a date omroep can read; omitted"]
        );
    }

    #[test]
    fn refused_urls_warn_in_order_with_their_scope() {
        let mut ctx = Ctx::new(None);
        let tree = element_with_base(None);
        let element = tree.element(0);
        ctx.set_entry(Some(1));
        assert_eq!(ctx.url(element, " javascript:alert(1)"), None);
        assert_eq!(ctx.url(element, "java\tscript:alert(2)"), None);
        ctx.set_entry(Some(2));
        ctx.warn("later");
        assert_eq!(ctx.url(element, "DATA:text/html,x"), None);
        assert_eq!(
            ctx.url(element, "https://ok.example/a").as_deref(),
            Some("https://ok.example/a")
        );
        assert_eq!(
            ctx.into_warnings(),
            vec![
                "entry 1: URL \"javascript:alert(1)\" would run code, not name a resource; ignored",
                "entry 1: URL \"javascript:alert(2)\" would run code, not name a resource; ignored",
                "entry 2: later",
                "entry 2: URL \"DATA:text/html,x\" would run code, not name a resource; ignored",
            ]
        );
        assert!(is_web_address("/relative"));
        assert!(is_web_address("HTTPS://x.example/"));
        assert!(!is_web_address("mailto:a@b.example"));
        assert!(!runs_code("https://x.example/javascript:"));
    }

    #[test]
    fn html_detection() {
        assert!(looks_like_html("<p>x</p>"));
        assert!(looks_like_html("line<br/>break"));
        assert!(looks_like_html("<img src=\"x\">"));
        assert!(!looks_like_html("History of the <blink> tag"));
        assert!(looks_like_html(
            "safe<embed src=\"http://x.example/\"> text"
        ));
        assert!(looks_like_html("a <iframe  src = 'x'/>"));
        assert!(!looks_like_html("Vec<T> and <T =U>"));
        assert!(!looks_like_html("a <made-up x=\"1\"> tag"));
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
        // Every separator, at the ends and between words, next to characters that share
        // their first bytes (U+00A0 is C2 A0, U+2019 is E2 80 99) and stay.
        assert_eq!(
            collapse_whitespace("\u{85}a\x0bb\x0c\tc\u{2029}\u{a0}\u{2028}\u{2019}d\u{85}\r\n")
                .as_deref(),
            Some("a b c \u{a0} \u{2019}d")
        );
        // Characters whose encoding starts like a separator's (E2 80, C2) at the very end.
        assert_eq!(
            collapse_whitespace("a \u{2019}").as_deref(),
            Some("a \u{2019}")
        );
        assert_eq!(
            collapse_whitespace("a\u{20ac}").as_deref(),
            Some("a\u{20ac}")
        );
        assert_eq!(collapse_whitespace("x\u{2028}").as_deref(), Some("x"));
        assert_eq!(collapse_whitespace(" \n "), None);
        assert_eq!(
            collapse_whitespace("testing \u{a0} \u{2003}entity\u{2028}x").as_deref(),
            Some("testing \u{a0} \u{2003}entity x")
        );
        assert_eq!(non_empty(" x ".into()).as_deref(), Some("x"));
        assert_eq!(quote(&"x".repeat(100)).chars().count(), 83);
    }

    /// Every string of `pieces` joined, as many as `most` of them (the same piece may
    /// repeat), the empty string included.
    fn joinings(pieces: &[&str], most: usize) -> Vec<String> {
        let mut strings = vec![String::new()];
        for _ in 0..most {
            let longer: Vec<String> = strings
                .iter()
                .flat_map(|string| pieces.iter().map(move |piece| format!("{string}{piece}")))
                .collect();
            strings.extend(longer);
        }
        strings
    }

    #[test]
    fn collapsing_agrees_with_splitting_on_separators() {
        // Every string of up to four pieces: the quick path (already collapsed) and the
        // full one must both give the words joined by single spaces, trimmed.
        const PIECES: [&str; 10] = [
            "a", "b", " ", "\t", "\n", "\u{85}", "\u{2028}", "\u{a0}", "\u{3000}", "\u{2019}",
        ];
        let is_separator = |c: char| {
            c.is_ascii_whitespace() || matches!(c, '\u{b}' | '\u{85}' | '\u{2028}' | '\u{2029}')
        };
        let strings = joinings(&PIECES, 4);
        for text in &strings {
            let words: Vec<&str> = text.split(is_separator).filter(|w| !w.is_empty()).collect();
            // The result is trimmed of Unicode white space (`\u{a0}`, `\u{3000}`) as well.
            let joined = words.join(" ");
            let expected = Some(joined.trim().to_string()).filter(|text| !text.is_empty());
            assert_eq!(collapse_whitespace(text), expected, "{text:?}");
        }
        // Long values (surveyed sixteen bytes at a time): a piece anywhere in one.
        let long = "word ".repeat(12) + "end";
        for piece in PIECES {
            for at in 0..=long.len() {
                let text = format!("{}{piece}{}", &long[..at], &long[at..]);
                let words: Vec<&str> = text.split(is_separator).filter(|w| !w.is_empty()).collect();
                let joined = words.join(" ");
                let expected = Some(joined.trim().to_string()).filter(|text| !text.is_empty());
                assert_eq!(collapse_whitespace(&text), expected, "{text:?}");
            }
        }
    }

    #[test]
    fn trimming_agrees_with_str_trim() {
        // Every string of up to four pieces: visible ASCII, each kind of white space at
        // either end, controls and DEL that are not white space, and non-ASCII letters.
        const PIECES: [&str; 12] = [
            "a",
            "~",
            "!",
            " ",
            "\t",
            "\n",
            "\u{b}",
            "\u{85}",
            "\u{a0}",
            "\u{3000}",
            "\u{1}\u{7f}",
            "é",
        ];
        let strings = joinings(&PIECES, 4);
        for text in &strings {
            assert_eq!(trim_text(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn plain_web_urls_are_what_the_full_resolution_gives() {
        // Every address of up to three pieces after a scheme-like start: where the
        // shortcut answers, the long way (trim, clean, resolve) gives the same text.
        const STARTS: [&str; 9] = [
            "http://",
            "https://",
            "HTTP://",
            "http:/",
            "feed://",
            " https://",
            "\u{a0}http://",
            "https:",
            "\u{1}http://",
        ];
        const PIECES: [&str; 12] = [
            "a", "/", " ", "\t", "\n", "\r", "\u{1}", "\u{7f}", "\u{a0}", "\u{2028}", "é", "..",
        ];
        let mut tails = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = tails
                .iter()
                .flat_map(|tail| PIECES.iter().map(move |piece| format!("{tail}{piece}")))
                .collect();
            tails.extend(longer);
        }
        let mut answered = 0;
        for start in STARTS {
            for tail in &tails {
                let href = format!("{start}{tail}");
                let Some(fast) = plain_web_url(&href) else {
                    continue;
                };
                answered += 1;
                // One base: an address the shortcut answers has a scheme, and `join` does
                // not read the base of an address with a scheme.
                let slow = normalise::url::join(Some("https://base.example/dir/"), href.trim());
                assert_eq!(fast, slow, "{href:?}");
            }
        }
        assert!(answered > 1000, "{answered}");
        for refused in [
            "http://a\tb",
            "http://a\u{1}",
            "HTTPS://a",
            "feed://a",
            "x.mp3",
            "",
        ] {
            assert_eq!(plain_web_url(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn clean_web_addresses_resolve_as_written() {
        let fetched = Url::parse("https://fetched.example/feed.xml").ok();
        let ctx = Ctx::new(fetched.as_ref());
        let tree = element_with_base(Some("https://base.example/dir/"));
        let link = tree.element(0);
        for (href, resolved) in [
            ("https://a.example/x?y=1", "https://a.example/x?y=1"),
            (" http://a.example/x ", "http://a.example/x"),
            ("http://a.example/a\tb", "http://a.example/ab"),
            ("https:x", "https:x"),
            ("x.mp3", "https://base.example/dir/x.mp3"),
            ("feed://a.example/rss", "http://a.example/rss"),
        ] {
            assert_eq!(ctx.resolve(link, href).as_deref(), Some(resolved), "{href}");
            assert_eq!(ctx.url(link, href).as_deref(), Some(resolved), "{href}");
            assert_eq!(
                normalise::url::join(ctx.base(link), href.trim()),
                resolved,
                "{href}"
            );
        }
    }
}

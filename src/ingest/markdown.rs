//! Markdown bodies → HTML for the feeds, and the plain-text summary.
//!
//! pulldown-cmark renders with an explicit set of extensions (tables, footnotes,
//! strikethrough, task lists, smart punctuation, `{#id}` heading attributes), never
//! `Options::all()`, so a new extension in a later release cannot change published HTML.
//! Every heading gets an `id` (from its text, unique in the page) for links into posts.
//!
//! Feed readers show content away from the site, so relative URLs are resolved here. A
//! relative reference that names a file beside the Markdown file (`photo.jpg`) is handed
//! to the caller, who publishes the file and gives its URL; any other relative reference
//! (`../x/`) resolves against the post's own URL, a site-rooted one (`/about/`) against
//! the site's base URL (which may have a path). The same happens to `href`/`src`
//! attributes in raw HTML. Fragment links (`#note`) stay as they are: they point into the
//! same content.
//!
//! The summary is the text before a `<!-- more -->` line, else the first paragraph.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use url::Url;

/// The extensions we render with.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A rendered body.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rendered {
    pub html: String,
    /// Plain text before `<!-- more -->`, else of the first paragraph.
    pub summary: Option<String>,
}

/// Gives the public URL of a local file named by a relative reference, after arranging
/// for it to be published; `None` when the reference names no local file.
pub type LocalFiles<'f> = dyn FnMut(&str) -> Option<Url> + 'f;

/// Where URLs resolve.
pub struct Bases<'a> {
    /// The post's own URL.
    pub page: &'a Url,
    /// The site's base URL, for `/`-rooted references.
    pub site: &'a Url,
}

/// Renders `body`; `local` is asked about every relative reference.
pub fn render(body: &str, bases: &Bases<'_>, local: &mut LocalFiles<'_>) -> Rendered {
    let mut refs = Resolver { bases, local };
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut more_at = None;
    for event in Parser::new_ext(body, options()) {
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: refs.resolve(&dest_url),
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: refs.resolve(&dest_url),
                title,
                id,
            }),
            Event::Html(html) if is_more_marker(&html) => {
                if more_at.is_none() {
                    more_at = Some(events.len());
                }
                continue;
            }
            Event::Html(html) => Event::Html(resolve_html(&html, &mut refs).into()),
            Event::InlineHtml(html) => Event::InlineHtml(resolve_html(&html, &mut refs).into()),
            other => other,
        };
        events.push(event);
    }
    // A marker inside a paragraph arrives as inline HTML; drop it there too.
    if more_at.is_none()
        && let Some(i) = events
            .iter()
            .position(|e| matches!(e, Event::InlineHtml(h) if is_more_marker(h)))
    {
        events.remove(i);
        more_at = Some(i);
    }
    // The summary first: `more_at` indexes the events as they are now.
    let summary = match more_at {
        Some(end) => plain_text(&events[..end.min(events.len())]),
        None => first_paragraph(&events).and_then(plain_text),
    };
    // An HTML block holding only the marker leaves an empty Start/End pair behind.
    drop_empty_html_blocks(&mut events);
    add_heading_ids(&mut events);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Rendered { html, summary }
}

fn is_more_marker(html: &str) -> bool {
    let compact: String = html
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    compact == "<!--more-->"
}

fn drop_empty_html_blocks(events: &mut Vec<Event<'_>>) {
    let mut i = 0;
    while i + 1 < events.len() {
        if matches!(events[i], Event::Start(Tag::HtmlBlock))
            && matches!(events[i + 1], Event::End(TagEnd::HtmlBlock))
        {
            events.drain(i..i + 2);
        } else {
            i += 1;
        }
    }
}

/// Resolves references for one rendering.
struct Resolver<'r, 'f> {
    bases: &'r Bases<'r>,
    local: &'r mut LocalFiles<'f>,
}

impl Resolver<'_, '_> {
    fn resolve_text(&mut self, href: &str) -> Option<String> {
        match resolve(href, self.bases) {
            Resolved::Unchanged => None,
            Resolved::Site(url) => Some(url.to_string()),
            Resolved::Page(url) => Some((self.local)(href).unwrap_or(url).to_string()),
        }
    }

    fn resolve<'a>(&mut self, href: &str) -> CowStr<'a> {
        CowStr::from(self.resolve_text(href).unwrap_or_else(|| href.to_string()))
    }
}

/// How a reference resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// Absolute, a fragment, or not a URL we can resolve: left as written.
    Unchanged,
    /// `/x`, resolved against the site's base URL.
    Site(Url),
    /// Relative to the page.
    Page(Url),
}

/// Resolves `href` against the page or the site.
pub fn resolve(href: &str, bases: &Bases<'_>) -> Resolved {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') || Url::parse(href).is_ok() {
        return Resolved::Unchanged;
    }
    if href.starts_with("//") {
        return match bases.page.join(href) {
            Ok(url) => Resolved::Site(url),
            Err(_) => Resolved::Unchanged,
        };
    }
    if let Some(rooted) = href.strip_prefix('/') {
        let mut site = bases.site.clone();
        if !site.path().ends_with('/') {
            let path = format!("{}/", site.path());
            site.set_path(&path);
        }
        return match site.join(rooted) {
            Ok(url) => Resolved::Site(url),
            Err(_) => Resolved::Unchanged,
        };
    }
    match bases.page.join(href) {
        Ok(url) => Resolved::Page(url),
        Err(_) => Resolved::Unchanged,
    }
}

/// Resolves `href="…"`/`src="…"` (and `poster`) attribute values inside raw HTML.
fn resolve_html(html: &str, refs: &mut Resolver<'_, '_>) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = find_url_attribute(&lower, search) {
        let (value_start, value_end) = found;
        let value = &html[value_start..value_end];
        if let Some(replacement) = refs.resolve_text(value) {
            out.push_str(&html[copied..value_start]);
            out.push_str(&replacement.replace('"', "%22"));
            copied = value_end;
        }
        search = value_end;
    }
    out.push_str(&html[copied..]);
    out
}

/// Finds the next quoted value of an `href`, `src` or `poster` attribute; returns the
/// byte range of the value between its quotes.
fn find_url_attribute(lower: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = lower.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        let rest = &lower[i..];
        let name_len = ["href", "src", "poster"]
            .iter()
            .find(|name| rest.starts_with(*name))
            .map(|name| name.len());
        let preceded = i > 0 && (bytes[i - 1].is_ascii_whitespace());
        if let (Some(len), true) = (name_len, preceded) {
            let mut j = i + len;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let quote = bytes[j];
                    let start = j + 1;
                    let end = lower[start..].find(quote as char).map(|k| start + k)?;
                    return Some((start, end));
                }
            }
        }
        i += rest.chars().next().map(char::len_utf8).unwrap_or(1);
    }
    None
}

/// Gives every heading without `{#id}` an id from its text, unique in the page.
fn add_heading_ids(events: &mut [Event<'_>]) {
    let mut used: HashSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            for e in &events[i + 1..] {
                match e {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let mut base = super::permalink::slugify(&text);
            if base.is_empty() {
                base = "section".to_string();
            }
            let mut id = base.clone();
            let mut n = 1;
            while used.contains(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            used.insert(id.clone());
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
                *slot = Some(CowStr::from(id));
            }
        }
        i += 1;
    }
}

/// The events of the first top-level paragraph.
fn first_paragraph<'e, 'a>(events: &'e [Event<'a>]) -> Option<&'e [Event<'a>]> {
    let mut depth = 0usize;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                let end = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))?;
                return Some(&events[i..i + end]);
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The readable text of some events, as `normalise::text::plain` makes it: footnote
/// definitions, image alt text and raw HTML are left out.
fn plain_text(events: &[Event<'_>]) -> Option<String> {
    let mut text = String::new();
    let mut skip = 0usize;
    for e in events {
        match e {
            Event::Start(Tag::FootnoteDefinition(_) | Tag::Image { .. }) => skip += 1,
            Event::End(TagEnd::FootnoteDefinition | TagEnd::Image) => skip = skip.saturating_sub(1),
            _ if skip > 0 => {}
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => text.push(' '),
            _ => {}
        }
    }
    let text = crate::normalise::text::plain(&text);
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_at(body: &str) -> Rendered {
        let page = Url::parse("https://coach.example/site/blog/2024/hallo/").unwrap();
        let site = Url::parse("https://coach.example/site/").unwrap();
        let mut local = |href: &str| {
            (href == "foto.jpg").then(|| Url::parse("https://media.example/foto.jpg").unwrap())
        };
        render(
            body,
            &Bases {
                page: &page,
                site: &site,
            },
            &mut local,
        )
    }

    #[test]
    fn renders_the_chosen_extensions() {
        let r = render_at(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~weg~~ \"quoted\" -- dash\n\nNote[^1].\n\n[^1]: The note.\n\n- [x] done\n",
        );
        assert!(r.html.contains("<table>"), "{}", r.html);
        assert!(r.html.contains("<del>weg</del>"), "{}", r.html);
        assert!(r.html.contains("“quoted” – dash"), "{}", r.html);
        assert!(r.html.contains("footnote-definition"), "{}", r.html);
        assert!(r.html.contains("type=\"checkbox\""), "{}", r.html);
    }

    #[test]
    fn headings_get_unique_ids_and_keep_given_ones() {
        let r = render_at("# Één idee\n\n## Één idee\n\n## Eigen {#mine}\n");
        assert!(r.html.contains("<h1 id=\"een-idee\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"een-idee-1\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"mine\">Eigen</h2>"), "{}", r.html);
    }

    #[test]
    fn local_files_get_their_published_url_other_relative_links_resolve_against_the_post() {
        let r = render_at(
            "[a](foto.jpg) [b](/over/) [c](../) [d](https://x.example/) [e](#noot) [f](mailto:a@b.nl)\n\n<img src=\"beeld.png\" alt=\"x\"> <a href='/contact/'>c</a>\n",
        );
        assert!(
            r.html.contains("href=\"https://media.example/foto.jpg\""),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("href=\"https://coach.example/site/over/\""),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("href=\"https://coach.example/site/blog/2024/\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("href=\"https://x.example/\""));
        assert!(r.html.contains("href=\"#noot\""));
        assert!(r.html.contains("href=\"mailto:a@b.nl\""));
        assert!(
            r.html
                .contains("src=\"https://coach.example/site/blog/2024/hallo/beeld.png\""),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("href='https://coach.example/site/contact/'"),
            "{}",
            r.html
        );
    }

    #[test]
    fn summary_is_the_first_paragraph_as_plain_text() {
        let r = render_at(
            "# Titel\n\nDit is *de* eerste\nalinea met `code` en een [link](x).\n\nTweede.\n",
        );
        assert_eq!(
            r.summary.as_deref(),
            Some("Dit is de eerste alinea met code en een link.")
        );
    }

    #[test]
    fn summary_stops_at_the_more_marker_which_is_not_published() {
        let r = render_at("Eerste.\n\nTweede.\n\n<!-- more -->\n\nDerde.\n");
        assert_eq!(r.summary.as_deref(), Some("Eerste. Tweede."));
        assert!(!r.html.contains("more"), "{}", r.html);
        assert!(r.html.contains("<p>Derde.</p>"));
    }

    #[test]
    fn hostile_bodies_render_without_crashing() {
        let deep = format!("{}deep\n", "> ".repeat(20_000));
        assert!(render_at(&deep).html.contains("deep"));
        let links = "[x](".repeat(20_000);
        assert!(!render_at(&links).html.is_empty());
        let html = "<a href=\"".repeat(5_000);
        assert!(!render_at(&html).html.is_empty());
    }

    #[test]
    fn a_body_without_paragraphs_has_no_summary() {
        assert_eq!(render_at("# Only a heading\n").summary, None);
        assert_eq!(render_at("").summary, None);
    }
}

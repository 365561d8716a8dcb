//! Atom 1.0 (RFC 4287) and Atom 0.3 → [`Feed`].
//!
//! Atom 0.3 differs in names (`tagline`, `copyright`, `modified`, `issued`, `created`,
//! `url` for a person's page) and in how content is written: a MIME `type` plus a `mode`
//! of `xml` (inline, the default), `escaped` or `base64`. Atom 1.0 has text constructs of
//! `type` `text` (the default), `html` or `xhtml` (markup inside one XHTML `div`, which
//! is not part of the value), and content that may be any MIME type, base64-encoded when
//! it is neither text nor XML. Both are read by one mapper.
//!
//! Text constructs become plain text for titles and names and sanitised HTML for
//! content; `type="text"` is literal text (a `<` in it is a character, not a tag).
//! Markup written inline where the type claims text or escaped HTML (seen in the wild) is
//! taken as markup. A `link` without `rel` is `alternate`. Core elements are those in the
//! root's namespace (or either Atom namespace).

use std::borrow::Cow;

use super::base64;
use super::context::{Ctx, collapse_whitespace, looks_like_html, non_empty};
use super::dom::{Element, Node};
use super::namespaces::{self, Extensions};
use super::ns::{self, Known};
use super::person;
use super::rss::{link_rel, push_enclosure};
use crate::model::{Category, Enclosure, Entry, Feed, Format, Image, Person};
use crate::normalise;

/// Maps an Atom `feed` document; `format` says which version the root declared.
pub(crate) fn map_atom(root: Element<'_>, format: Format, ctx: &mut Ctx) -> Feed {
    let core = CoreNs {
        ns: root.ns(),
        format,
    };
    let mut feed = Feed {
        format,
        ..Feed::default()
    };
    let links: Vec<Element<'_>> = root
        .elements()
        .filter(|element| core.is(*element, "link"))
        .collect();
    // The feed link first: it is the base for every relative URL without `xml:base`.
    feed.link = alternate(&links).and_then(|link| {
        let href = link
            .attr("href")
            .map_or_else(|| link.text().into_owned(), str::to_string);
        let href = href.trim();
        (!href.is_empty()).then(|| normalise::url::join(ctx.base_without_feed_link(link), href))
    });
    feed.link = ctx.web_link("link", feed.link);
    ctx.set_feed_link(feed.link.as_deref());
    feed.self_link = links
        .iter()
        .find(|link| link_rel(**link) == "self")
        .and_then(|link| resolve_href(ctx, *link));
    feed.self_link = ctx.web_link("self link", feed.self_link);

    let mut ext = Extensions::default();
    let mut logo = None;
    let mut icon = None;
    let mut created = None;
    let mut entries = Vec::new();
    for child in root.elements() {
        if !core.is_ns(child) {
            ext.read(child);
            continue;
        }
        match child.lower_name().as_str() {
            "title" if feed.title.is_none() => {
                feed.title = construct(ctx, child, core.format).and_then(|value| value.plain());
            }
            "subtitle" | "tagline" if feed.description.is_none() => {
                if let Some(value) = construct(ctx, child, core.format) {
                    feed.description = value.plain();
                    if value.kind != Kind::Text && looks_like_html(&value.value) {
                        feed.description_html = value.html(ctx, child);
                    }
                }
            }
            "rights" | "copyright" if feed.copyright.is_none() => {
                feed.copyright = construct(ctx, child, core.format).and_then(|value| value.plain());
            }
            // A later value wins, as in the Universal Feed Parser.
            "updated" | "modified" => {
                if let Some(date) = ctx.date(&child.name, child) {
                    feed.updated = Some(date);
                }
            }
            "published" | "issued" => {
                if let Some(date) = ctx.date(&child.name, child) {
                    feed.published = Some(date);
                }
            }
            "created" if created.is_none() => created = Some(child),
            "generator" if feed.generator.is_none() => {
                feed.generator = ctx.plain_of(child).or_else(|| {
                    [child.attr("uri"), child.attr("url")]
                        .into_iter()
                        .flatten()
                        .find_map(|href| ctx.url(child, href))
                });
            }
            "author" => {
                if let Some(person) = atom_person(ctx, &core, child) {
                    namespaces::push_person(&mut feed.authors, person);
                }
            }
            "category" => {
                if let Some(category) = category(ctx, child) {
                    namespaces::push_category(&mut feed.categories, category);
                }
            }
            "logo" if logo.is_none() => logo = ctx.url_text(child),
            "icon" if icon.is_none() => icon = ctx.url_text(child),
            "entry" => entries.push(child),
            _ => {}
        }
    }
    if feed.published.is_none() {
        feed.published = created.and_then(|element| ctx.date("created", element));
    }
    feed.image = logo.or(icon).map(|url| Image {
        url,
        ..Image::default()
    });
    feed.language = root.lang().and_then(normalise::language::normalise);
    ext.apply_to_feed(ctx, &mut feed);

    feed.entries = entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            ctx.set_entry(Some(index + 1));
            map_entry(*entry, &core, ctx)
        })
        .collect();
    ctx.set_entry(None);
    feed
}

/// Maps an Atom Entry Document (RFC 4287 section 4.1.2: a lone `entry` as the root, what
/// some servers answer for one post's feed URL): a feed of that one entry and nothing else,
/// since the document says nothing about the feed it belongs to.
pub(crate) fn map_entry_document(root: Element<'_>, format: Format, ctx: &mut Ctx) -> Feed {
    let core = CoreNs {
        ns: root.ns(),
        format,
    };
    ctx.warn("the document is a single Atom entry, not a feed; read as a feed of that one entry");
    ctx.set_entry(Some(1));
    let entry = map_entry(root, &core, ctx);
    ctx.set_entry(None);
    Feed {
        format,
        language: root.lang().and_then(normalise::language::normalise),
        entries: vec![entry],
        ..Feed::default()
    }
}

fn map_entry(element: Element<'_>, core: &CoreNs, ctx: &mut Ctx) -> Entry {
    let mut entry = Entry::default();
    let mut ext = Extensions::default();
    let mut links = Vec::new();
    let mut summary = None;
    let mut content = None;
    let mut created = None;
    for child in element.elements() {
        if !core.is_ns(child) {
            ext.read(child);
            continue;
        }
        match child.lower_name().as_str() {
            "id" if entry.guid.is_none() => {
                let text = child.text();
                let id = text.trim();
                entry.guid = (!id.is_empty()).then(|| id.to_string());
            }
            "title" if entry.title.is_none() => {
                entry.title = construct(ctx, child, core.format).and_then(|value| value.plain());
            }
            "link" => links.push(child),
            "summary" if summary.is_none() => summary = Some(child),
            "content" if content.is_none() => content = Some(child),
            // A later value wins, as in the Universal Feed Parser.
            "published" | "issued" => {
                if let Some(date) = ctx.date(&child.name, child) {
                    entry.published = Some(date);
                }
            }
            "updated" | "modified" => {
                if let Some(date) = ctx.date(&child.name, child) {
                    entry.updated = Some(date);
                }
            }
            "created" if created.is_none() => created = Some(child),
            "author" => {
                if let Some(person) = atom_person(ctx, core, child) {
                    namespaces::push_person(&mut entry.authors, person);
                }
            }
            "category" => {
                if let Some(category) = category(ctx, child) {
                    namespaces::push_category(&mut entry.categories, category);
                }
            }
            _ => {}
        }
    }
    if entry.published.is_none() {
        entry.published = created.and_then(|element| ctx.date("created", element));
    }
    let link = alternate(&links).and_then(|link| resolve_href(ctx, link));
    entry.link = ctx.web_link("link", link);
    for link in links.iter().filter(|link| link_rel(**link) == "enclosure") {
        let Some(url) = href(ctx, *link) else {
            continue;
        };
        let length = link
            .attr("length")
            .and_then(|value| namespaces::enclosure_length(ctx, "link length", value));
        push_enclosure(
            &mut entry.enclosures,
            Enclosure {
                url,
                mime_type: link.attr("type").and_then(collapse_whitespace),
                length,
            },
        );
    }

    let summary =
        summary.and_then(|element| Some((element, construct(ctx, element, core.format)?)));
    if let Some((_, value)) = &summary {
        entry.summary = value.plain();
    }
    if let Some(content) = content {
        match content.attr("src") {
            // Out-of-line content: nothing to show inline, but it says where the entry is.
            Some(src) => {
                if entry.link.is_none() {
                    let link = ctx.resolve(content, src);
                    entry.link = ctx.web_link("content src", link);
                }
            }
            None => {
                entry.content_html =
                    construct(ctx, content, core.format).and_then(|value| value.html(ctx, content));
            }
        }
    }
    if entry.content_html.is_none()
        && let Some((element, value)) = &summary
        && value.kind != Kind::Text
    {
        // An HTML summary is the only markup this entry has.
        entry.content_html = value.html(ctx, *element);
    }
    ext.apply_to_entry(ctx, &mut entry, None);
    entry
}

/// The namespace of the root's core elements, and the Atom version the root declared
/// (text constructs differ between the two).
struct CoreNs<'a> {
    ns: Option<&'a str>,
    format: Format,
}

impl CoreNs<'_> {
    fn is_ns(&self, element: Element<'_>) -> bool {
        matches!(element.known(), Known::Atom10 | Known::Atom03) || element.ns() == self.ns
    }

    fn is(&self, element: Element<'_>, name: &str) -> bool {
        self.is_ns(element) && element.name.eq_ignore_ascii_case(name)
    }
}

/// What a text construct or content element holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Literal text.
    Text,
    /// HTML, as a string.
    Html,
    /// XHTML or other XML markup, serialised.
    Markup,
}

/// A text construct's value: borrowed from the document when it is one text node, as
/// content and summaries (the large values) nearly always are.
#[derive(Debug)]
struct Construct<'d> {
    kind: Kind,
    value: Cow<'d, str>,
}

impl Construct<'_> {
    /// Plain text of the value. Declared or inline markup is always read as HTML (its
    /// tags removed, script and style content dropped), unlike text of unknown kind,
    /// which `Ctx::plain` reads as HTML only when it looks like HTML.
    fn plain(&self) -> Option<String> {
        match self.kind {
            Kind::Text => collapse_whitespace(&self.value),
            Kind::Html | Kind::Markup => non_empty(normalise::text::plain(&self.value)),
        }
    }

    fn html(&self, ctx: &Ctx, element: Element<'_>) -> Option<String> {
        match self.kind {
            Kind::Text => {
                (!self.value.trim().is_empty()).then(|| normalise::text::escape(self.value.trim()))
            }
            Kind::Html | Kind::Markup => ctx.html(element, &self.value),
        }
    }
}

/// Reads a text construct (`title`, `summary`, `rights`, …) or `content` element.
fn construct<'d>(ctx: &mut Ctx, element: Element<'d>, format: Format) -> Option<Construct<'d>> {
    let declared = element
        .attr("type")
        .map(|kind| kind.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let mode = element
        .attr("mode")
        .map(|mode| mode.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let (mut kind, binary) = match declared.as_str() {
        "" | "text" | "plain" | "text/plain" => (Kind::Text, false),
        "html" | "text/html" => (Kind::Html, false),
        "xhtml" | "application/xhtml+xml" => (Kind::Markup, false),
        other if other.ends_with("+xml") || other.ends_with("/xml") => (Kind::Markup, false),
        other if other.starts_with("text/") => (Kind::Text, false),
        _ => (Kind::Text, true),
    };

    // Another media type says base64 (RFC 4287 section 4.1.3.3), but what is written is
    // not always so: content that is not base64 at all (JSON, written as is) and a title
    // or summary whose base64 reading is not text ("test" is valid base64, of bytes that
    // are not text) are their literal text, as feedparser and gofeed read them.
    let by_type = binary && mode != "base64" && !element.has_element_children();
    let is_content = element.name.eq_ignore_ascii_case("content");
    if mode == "base64" || (binary && !element.has_element_children()) {
        let text = element.text();
        let literal = |text: Cow<'d, str>, undecodable: bool| {
            (by_type && (undecodable || !is_content)).then_some(Construct {
                kind: Kind::Text,
                value: text,
            })
        };
        let Some(bytes) = base64::decode(&text) else {
            if let Some(construct) = literal(text, true) {
                return Some(construct);
            }
            ctx.warn(format!(
                "{} is declared base64 but is not; omitted",
                element.name
            ));
            return None;
        };
        let value = if binary {
            // A picture, sound or film inlined as content has nothing to show as text;
            // another type whose bytes are text (seen as application/octet-stream) does.
            let media = ["image/", "audio/", "video/"]
                .iter()
                .any(|prefix| declared.starts_with(prefix));
            match String::from_utf8(bytes) {
                // Control characters say the bytes are not text after all.
                Ok(text)
                    if !media
                        && !text
                            .chars()
                            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) =>
                {
                    kind = if looks_like_html(&text) {
                        Kind::Html
                    } else {
                        Kind::Text
                    };
                    text
                }
                _ => return literal(text, false),
            }
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        if kind == Kind::Markup {
            kind = Kind::Html;
        }
        return Some(Construct {
            kind,
            value: Cow::Owned(value),
        });
    }

    if !element.has_element_children() {
        let value = element.text();
        if kind == Kind::Markup {
            // XHTML without elements is just its text.
            kind = Kind::Text;
        }
        return Some(Construct { kind, value });
    }

    let div = single_div(element);
    if kind == Kind::Html
        && let Some(div) = div
        && !div.has_element_children()
    {
        // Typepad wraps escaped HTML in an XHTML div.
        return Some(Construct {
            kind: Kind::Html,
            value: div.text(),
        });
    }
    // Atom 1.0 XHTML: the div is the container, not the content (RFC 4287 3.1.1.3).
    // Atom 0.3 has no such rule: its inline XML, div included, is the content, as the
    // Universal Feed Parser keeps it. Markup written inline under another type is taken
    // as it stands.
    let container = match div {
        Some(div) if format == Format::Atom10 && declared_xhtml(&declared) => div,
        _ => element,
    };
    Some(Construct {
        kind: Kind::Markup,
        value: Cow::Owned(container.inner_markup()),
    })
}

fn declared_xhtml(declared: &str) -> bool {
    matches!(declared, "xhtml" | "application/xhtml+xml")
}

/// The one `div` an element holds when all else in it is whitespace.
fn single_div(element: Element<'_>) -> Option<Element<'_>> {
    let mut div = None;
    for node in element.nodes() {
        match node {
            Node::Text(text) if text.trim().is_empty() => {}
            Node::Element(child) if child.name.eq_ignore_ascii_case("div") && div.is_none() => {
                div = Some(child);
            }
            _ => return None,
        }
    }
    div
}

/// The link to use as the page: the first `alternate` with an HTML type (or none), else
/// the first `alternate` of any type.
fn alternate<'a>(links: &[Element<'a>]) -> Option<Element<'a>> {
    let alternates: Vec<Element<'_>> = links
        .iter()
        .copied()
        .filter(|link| link_rel(*link) == "alternate")
        .filter(|link| has_href(*link))
        .collect();
    alternates
        .iter()
        .copied()
        .find(|link| match link.attr("type") {
            None => true,
            Some(kind) => {
                let kind = kind.trim().to_ascii_lowercase();
                kind.is_empty() || kind == "text/html" || kind == "application/xhtml+xml"
            }
        })
        .or_else(|| alternates.first().copied())
}

/// A link's target: `href`, or its text in feeds that write the URL as content. An
/// empty `href` is the base itself (RFC 3986 5.2), but only an `xml:base` the document
/// set counts: an empty placeholder must not turn into the feed's own URL.
fn href(ctx: &Ctx, link: Element<'_>) -> Option<String> {
    match link.attr("href") {
        Some(href) if href.trim().is_empty() => ctx.xml_base(link).map(str::to_string),
        Some(href) => ctx.url(link, href),
        None => ctx.url_text(link),
    }
}

/// `href` for a link to a page, unchecked: the caller keeps it only if it is a web
/// address (`Ctx::web_link`), with a warning that names the field.
fn resolve_href(ctx: &Ctx, link: Element<'_>) -> Option<String> {
    match link.attr("href") {
        Some(href) if href.trim().is_empty() => ctx.xml_base(link).map(str::to_string),
        Some(href) => ctx.resolve(link, href),
        None => ctx.resolve(link, &link.text()),
    }
}

fn has_href(link: Element<'_>) -> bool {
    link.attr("href").map_or_else(
        || !link.text().trim().is_empty(),
        |href| !href.trim().is_empty(),
    )
}

/// An `atom:author` inside another dialect (RSS), read as an Atom 1.0 person.
pub(crate) fn atom10_person(ctx: &Ctx, element: Element<'_>) -> Option<Person> {
    let core = CoreNs {
        ns: Some(ns::ATOM10),
        format: Format::Atom10,
    };
    atom_person(ctx, &core, element)
}

/// An Atom person: `name`, `email`, `uri` (1.0) or `url`/`homepage` (0.3). An author
/// written as bare text is split like an RSS author.
fn atom_person(ctx: &Ctx, core: &CoreNs, element: Element<'_>) -> Option<Person> {
    if !element.has_element_children() {
        return ctx
            .plain_of(element)
            .and_then(|text| person::from_text(&text));
    }
    let mut person = Person::default();
    for child in element.elements().filter(|child| core.is_ns(*child)) {
        match child.lower_name().as_str() {
            "name" if person.name.is_none() => person.name = ctx.plain_of(child),
            "email" if person.email.is_none() => person.email = collapse_whitespace(&child.text()),
            "uri" | "url" | "homepage" if person.uri.is_none() => person.uri = ctx.url_text(child),
            _ => {}
        }
    }
    (!person.is_empty()).then_some(person)
}

/// An Atom category: `term`, `scheme`, `label`; Atom 0.3-era feeds sometimes give the
/// term as text.
fn category(ctx: &Ctx, element: Element<'_>) -> Option<Category> {
    let term = element
        .attr("term")
        .and_then(collapse_whitespace)
        .or_else(|| ctx.plain_of(element))?;
    Some(Category {
        term,
        label: element.attr("label").and_then(|label| ctx.plain(label)),
        scheme: element.attr("scheme").and_then(collapse_whitespace),
        ..Category::default()
    })
}

#[cfg(test)]
mod tests;

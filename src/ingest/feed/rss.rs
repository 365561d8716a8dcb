//! RSS in every version → [`Feed`]: 0.90 (RDF with Netscape's namespace), 0.91 (Netscape
//! and Userland), 0.92, 0.93, 0.94, 1.0 (RDF) and 2.0.
//!
//! The versions differ little for a reader: 2.0 added `guid`, `enclosure` (0.92),
//! `category domain`, `author`; 1.0 moved items beside the channel and took dates,
//! authors and subjects from Dublin Core. One mapper serves them all. The version is
//! taken from the root: `<rss version="0.9x">` is `rss0.9x`; `<rss>` with a 2.x
//! version, no version or a version omroep does not know is `rss2.0` (an unknown one
//! with a warning); `rdf:RDF` is `rss1.0`, or `rss0.9x` when its channel is in the RSS
//! 0.90 namespace.
//!
//! Core elements may be unqualified or in any of the namespaces RSS has been published
//! under (RSS 1.0, RSS 0.90, Userland's and Harvard's); names match case-insensitively.
//!
//! Microsoft's Channel Definition Format (CDF, 1997), a bare `CHANNEL` of `ITEM`s, is
//! read by the same mapper, as the Universal Feed Parser reads it: its `HREF` attribute
//! is the link, `LASTMOD` the updated date and `ABSTRACT` the description.

use super::context::{Ctx, collapse_whitespace, quote, trim_text};
use super::dom::Element;
use super::namespaces::{self, Extensions};
use super::ns::{self, Known};
use super::person;
use crate::model::{Category, Enclosure, Entry, Feed, Format, Image};
use crate::normalise;

/// Maps an `<rss>` document.
pub(crate) fn map_rss(root: Element<'_>, ctx: &mut Ctx) -> Feed {
    let version = root.attr("version").map(str::trim).unwrap_or("");
    let format = if version.starts_with("0.9") {
        Format::Rss09x
    } else if version.is_empty() || version == "2" || version.starts_with("2.") {
        Format::Rss20
    } else {
        ctx.warn(format!(
            "unknown RSS version {}; read as RSS 2.0",
            quote(version)
        ));
        Format::Rss20
    };
    let channel = root.elements().find(|element| is_core(*element, "channel"));
    let container = channel.unwrap_or(root);
    let mut items: Vec<Element<'_>> = container
        .elements()
        .filter(|element| is_core(*element, "item"))
        .collect();
    if channel.is_some() {
        // Some 0.9x-era feeds close the channel before their items.
        items.extend(root.elements().filter(|element| is_core(*element, "item")));
    }
    let image = container
        .elements()
        .chain(root.elements())
        .find(|element| is_core(*element, "image") && has_image_url(*element));
    map_channel(format, root, container, &items, image, ctx)
}

/// Maps an `rdf:RDF` document (RSS 1.0 or 0.90); `text` is the document, for a
/// channel-less one whose version only its namespace declarations tell.
pub(crate) fn map_rdf(root: Element<'_>, text: &str, ctx: &mut Ctx) -> Feed {
    let channel = root.elements().find(|element| is_core(*element, "channel"));
    let netscape = match channel.and_then(Element::ns) {
        Some(namespace) => namespace == ns::RSS090,
        None => text.contains(ns::RSS090),
    };
    let format = if netscape {
        Format::Rss09x
    } else {
        Format::Rss10
    };
    // Items belong beside the channel; some feeds put them inside it.
    let mut items: Vec<Element<'_>> = root
        .elements()
        .filter(|element| is_core(*element, "item"))
        .collect();
    if let Some(channel) = channel {
        items.extend(
            channel
                .elements()
                .filter(|element| is_core(*element, "item")),
        );
    }
    // The channel's `image` only points (rdf:resource) at the sibling that has the URL.
    let image = root
        .elements()
        .chain(channel.into_iter().flat_map(Element::elements))
        .find(|element| is_core(*element, "image") && has_image_url(*element));
    let container = channel.unwrap_or(root);
    map_channel(format, root, container, &items, image, ctx)
}

/// Whether an element is the RSS core element `name` (unqualified or in an RSS namespace).
fn is_core(element: Element<'_>, name: &str) -> bool {
    is_core_element(element) && element.name.eq_ignore_ascii_case(name)
}

/// Whether an element is unqualified or in an RSS namespace: by the kind of its
/// namespace, and for a URI omroep has no kind for, by the URIs Userland and Harvard
/// published RSS 0.91/2.0 under (with variants) and the RSS 0.91 module of RSS 1.0.
fn is_core_element(element: Element<'_>) -> bool {
    match element.known() {
        Known::NoNamespace
        | Known::Rss10
        | Known::Rss090
        | Known::Rss091Userland
        | Known::Rss2Userland => true,
        Known::Other => element.ns().is_some_and(|uri| {
            uri.contains("backend.userland.com/rss")
                || uri.contains("blogs.law.harvard.edu/tech/rss")
                || uri == "http://purl.org/rss/1.0/modules/rss091#"
        }),
        _ => false,
    }
}

fn map_channel(
    format: Format,
    root: Element<'_>,
    channel: Element<'_>,
    items: &[Element<'_>],
    image: Option<Element<'_>>,
    ctx: &mut Ctx,
) -> Feed {
    let mut feed = Feed {
        format,
        ..Feed::default()
    };
    // The channel link first: it is the base for every relative URL without `xml:base`.
    feed.link = channel
        .elements()
        .filter(|element| is_core(*element, "link"))
        .find_map(|element| link_value(ctx, element, true));
    feed.link = ctx.web_link("link", feed.link);
    if feed.link.is_none()
        && let Some(href) = channel.attr("href").filter(|href| !href.trim().is_empty())
    {
        // CDF: the channel's address is an attribute.
        let link = normalise::url::join(ctx.base_without_feed_link(channel), href.trim());
        feed.link = ctx.web_link("CHANNEL HREF", Some(link));
    }
    ctx.set_feed_link(feed.link.as_deref());

    let mut ext = Extensions::default();
    for child in channel.elements() {
        if !is_core_element(child) {
            ext.read(child);
            continue;
        }
        match child.lower_name().as_str() {
            "title" if feed.title.is_none() => feed.title = ctx.plain_of(child),
            "description" | "abstract" if feed.description.is_none() => {
                let (text, html) = namespaces::description_pair(ctx, child);
                feed.description = text;
                feed.description_html = html;
            }
            "language" if feed.language.is_none() => {
                feed.language = normalise::language::normalise(&child.text());
            }
            "copyright" if feed.copyright.is_none() => feed.copyright = ctx.plain_of(child),
            "managingeditor" | "author" => {
                if let Some(person) = ctx
                    .plain_of(child)
                    .and_then(|text| person::from_text(&text))
                {
                    namespaces::push_person(&mut feed.authors, person);
                }
            }
            // A later value wins, as in the Universal Feed Parser.
            "pubdate" => {
                if let Some(date) = ctx.date("pubDate", child) {
                    feed.published = Some(date);
                }
            }
            "lastbuilddate" => {
                if let Some(date) = ctx.date("lastBuildDate", child) {
                    feed.updated = Some(date);
                }
            }
            "generator" if feed.generator.is_none() => feed.generator = ctx.plain_of(child),
            "category" => {
                if let Some(category) = category(ctx, child) {
                    namespaces::push_category(&mut feed.categories, category);
                }
            }
            "tags" => add_tags(&mut feed.categories, child),
            _ => {}
        }
    }
    if feed.updated.is_none() {
        feed.updated = lastmod(ctx, channel);
    }
    for link in &ext.atom_links {
        match link_rel(*link).as_str() {
            "self" if feed.self_link.is_none() => {
                feed.self_link = page_href(ctx, *link);
            }
            "alternate" if feed.link.is_none() => {
                feed.link = page_href(ctx, *link);
                ctx.set_feed_link(feed.link.as_deref());
            }
            _ => {}
        }
    }
    if feed.language.is_none() {
        feed.language = [channel.lang(), root.lang()]
            .into_iter()
            .flatten()
            .find_map(normalise::language::normalise);
    }
    feed.image = image.and_then(|element| rss_image(ctx, element));
    ext.apply_to_feed(ctx, &mut feed);

    feed.entries = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            ctx.set_entry(Some(index + 1));
            map_item(*item, ctx)
        })
        .collect();
    ctx.set_entry(None);
    feed
}

fn map_item(item: Element<'_>, ctx: &mut Ctx) -> Entry {
    let mut entry = Entry::default();
    let mut ext = Extensions::default();
    let mut guid: Option<Element<'_>> = None;
    let mut description: Option<Element<'_>> = None;
    let mut summary: Option<Element<'_>> = None;
    let mut full: Option<Element<'_>> = None;
    for child in item.elements() {
        if !is_core_element(child) {
            ext.read(child);
            continue;
        }
        match child.lower_name().as_str() {
            "title" if entry.title.is_none() => entry.title = ctx.plain_of(child),
            "link" if entry.link.is_none() => {
                let link = link_value(ctx, child, false);
                entry.link = ctx.web_link("link", link);
            }
            "guid" if guid.is_none() => guid = Some(child),
            "description" | "abstract" if description.is_none() => description = Some(child),
            "summary" if summary.is_none() => summary = Some(child),
            "fullitem" if full.is_none() => full = Some(child),
            "body" => ext.read_unqualified_body(child),
            "pubdate" => {
                if let Some(date) = ctx.date("pubDate", child) {
                    entry.published = Some(date);
                }
            }
            "author" => {
                if let Some(person) = ctx
                    .plain_of(child)
                    .and_then(|text| person::from_text(&text))
                {
                    namespaces::push_person(&mut entry.authors, person);
                }
            }
            "category" => {
                if let Some(category) = category(ctx, child) {
                    namespaces::push_category(&mut entry.categories, category);
                }
            }
            "tags" => add_tags(&mut entry.categories, child),
            "enclosure" => {
                if let Some(enclosure) = enclosure(ctx, child) {
                    push_enclosure(&mut entry.enclosures, enclosure);
                }
            }
            _ => {}
        }
    }

    if let Some(guid) = guid
        && let Some(value) = collapse_whitespace(&guid.text())
    {
        // `false` is the only value RSS 2.0 defines for "not a permalink"; feeds also
        // write `no` and `0`, which mean the same to every reader.
        let permalink = guid.attr("isPermaLink").is_none_or(|value| {
            !matches!(
                value.trim().to_ascii_lowercase().as_str(),
                "false" | "no" | "0"
            )
        });
        entry.guid_is_permalink = Some(permalink);
        // A permalink guid is the item's address when it has no link; only a real web
        // address qualifies, whatever the attribute claims. It must be absolute as
        // written: `<guid>12345</guid>` resolved against the channel link would invent a
        // page that does not exist.
        // Parsed only when it could become the link: most items have their own.
        let web_address = || {
            url::Url::parse(&value)
                .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
        };
        if permalink && entry.link.is_none() && web_address() {
            entry.link = Some(value.clone());
        }
        entry.guid = Some(value);
    }
    for link in &ext.atom_links {
        match link_rel(*link).as_str() {
            "alternate" if entry.link.is_none() => entry.link = page_href(ctx, *link),
            "enclosure" => {
                if let Some(url) = href(ctx, *link) {
                    let length = link.attr("length").and_then(|value| {
                        namespaces::enclosure_length(ctx, "atom:link length", value)
                    });
                    push_enclosure(
                        &mut entry.enclosures,
                        Enclosure {
                            url,
                            mime_type: link.attr("type").and_then(collapse_whitespace),
                            length,
                        },
                    );
                }
            }
            _ => {}
        }
    }
    if entry.link.is_none() {
        // CDF: the item's address is an attribute.
        let link = item.attr("href").and_then(|href| ctx.resolve(item, href));
        entry.link = ctx.web_link("ITEM HREF", link);
    }
    if entry.updated.is_none() {
        entry.updated = lastmod(ctx, item);
    }
    if entry.guid.is_none()
        && let Some(about) = item.attr_ns(ns::RDF, "about").and_then(collapse_whitespace)
    {
        // RSS 1.0 names each item with rdf:about: its identity when there is no guid.
        entry.id = about;
    }

    // A description is the summary and, until fuller content turns up, the content.
    let mut content_encoded_html = None;
    if let Some(summary) = summary {
        entry.summary = ctx.plain_of(summary);
    }
    if let Some(full) = full {
        entry.content_html = ctx.html_of(full);
    }
    if let Some(description) = description {
        // Sanitising is the costly part; skip it when fuller content will replace it.
        let as_content = entry.content_html.is_none() && !ext.has_full_content();
        match (entry.summary.is_none(), as_content) {
            (true, true) => {
                (entry.summary, entry.content_html) = ctx.plain_and_html_of(description);
            }
            (true, false) => {
                (entry.summary, content_encoded_html) =
                    ctx.plain_beside(description, ext.content_encoded());
            }
            (false, true) => entry.content_html = ctx.html_of(description),
            (false, false) => {}
        }
    }
    ext.apply_to_entry(ctx, &mut entry, content_encoded_html);
    entry
}

/// A CDF `LASTMOD` attribute read as a date; an unreadable one is dropped with a warning.
fn lastmod(ctx: &mut Ctx, element: Element<'_>) -> Option<chrono::DateTime<chrono::Utc>> {
    let value = element.attr("lastmod")?.trim();
    if value.is_empty() {
        return None;
    }
    let date = normalise::date::parse(value);
    if date.is_none() {
        ctx.warn(format!(
            "LASTMOD {} is not a date omroep can read; omitted",
            quote(value)
        ));
    }
    date
}

/// The URL in a `link` element: its text, or an `href` attribute some feeds use. The
/// channel link resolves against `xml:base` and the fetched URL only, as it is itself
/// the next base.
fn link_value(ctx: &Ctx, element: Element<'_>, channel: bool) -> Option<String> {
    let text = element.text();
    let value = if trim_text(&text).is_empty() {
        element.attr("href")?.to_string()
    } else {
        text.into_owned()
    };
    if channel {
        let value = trim_text(&value);
        if value.is_empty() {
            return None;
        }
        Some(normalise::url::join(
            ctx.base_without_feed_link(element),
            value,
        ))
    } else {
        ctx.resolve(element, &value)
    }
}

/// An Atom link's relation; a missing `rel` means `alternate` (RFC 4287 4.2.7.2).
pub(crate) fn link_rel(link: Element<'_>) -> String {
    link.attr("rel")
        .map(|rel| rel.trim().to_ascii_lowercase())
        .filter(|rel| !rel.is_empty())
        .unwrap_or_else(|| "alternate".to_string())
}

fn href(ctx: &Ctx, link: Element<'_>) -> Option<String> {
    link.attr("href").and_then(|href| ctx.url(link, href))
}

/// An `atom:link` to a page (self, alternate): a web address or nothing.
fn page_href(ctx: &mut Ctx, link: Element<'_>) -> Option<String> {
    let url = link.attr("href").and_then(|href| ctx.resolve(link, href));
    ctx.web_link("atom:link", url)
}

fn category(ctx: &Ctx, element: Element<'_>) -> Option<Category> {
    let term = ctx.plain_of(element)?;
    Some(Category {
        term,
        scheme: element.attr("domain").and_then(collapse_whitespace),
        ..Category::default()
    })
}

fn enclosure(ctx: &mut Ctx, element: Element<'_>) -> Option<Enclosure> {
    let Some(url) = element.attr("url").and_then(|href| ctx.url(element, href)) else {
        if !namespaces::has_value(element, "url") {
            ctx.warn("enclosure without a url attribute; ignored");
        }
        return None;
    };
    let length = element
        .attr("length")
        .and_then(|value| namespaces::enclosure_length(ctx, "enclosure length", value));
    Some(Enclosure {
        url,
        mime_type: element.attr("type").and_then(collapse_whitespace),
        length,
    })
}

/// A `tags` element (not in any RSS specification, but written by some blog engines):
/// comma-separated terms.
fn add_tags(categories: &mut Vec<Category>, element: Element<'_>) {
    for term in element.text().split(',').filter_map(collapse_whitespace) {
        namespaces::push_category(
            categories,
            Category {
                term,
                ..Category::default()
            },
        );
    }
}

/// Adds an enclosure unless one with the same URL is already listed.
pub(crate) fn push_enclosure(enclosures: &mut Vec<Enclosure>, enclosure: Enclosure) {
    if !enclosures.iter().any(|known| known.url == enclosure.url) {
        enclosures.push(enclosure);
    }
}

fn has_image_url(element: Element<'_>) -> bool {
    element
        .elements()
        .any(|child| is_core(child, "url") && !child.text().trim().is_empty())
        || (!element.has_element_children() && !element.text().trim().is_empty())
}

/// The channel `image`: `url`, `title`, `link`, `width`, `height`; a bare URL as its
/// text is accepted too.
fn rss_image(ctx: &mut Ctx, element: Element<'_>) -> Option<Image> {
    let child = |name: &str| element.elements().find(|child| is_core(*child, name));
    let url = match child("url") {
        Some(url) => ctx.url_text(url),
        None => ctx.url_text(element),
    }?;
    let mut size = |name: &str| -> Option<u32> {
        let text = child(name)?.text();
        let value = text.trim();
        if value.is_empty() {
            return None;
        }
        let parsed = value.parse().ok();
        if parsed.is_none() {
            ctx.warn(format!(
                "image {name} {} is not a number of pixels; omitted",
                quote(value)
            ));
        }
        parsed
    };
    let width = size("width");
    let height = size("height");
    Some(Image {
        url,
        title: child("title").and_then(|title| ctx.plain_of(title)),
        link: child("link").and_then(|link| ctx.url_text(link)),
        width,
        height,
    })
}

#[cfg(test)]
mod tests;

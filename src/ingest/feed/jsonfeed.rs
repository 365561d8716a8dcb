//! JSON Feed 1.0 and 1.1 → [`Feed`].
//!
//! The document is read into loose serde structs: every field is optional and wrapped in
//! [`Loose`], which keeps a value of the wrong type instead of failing, so one bad field
//! (a number where a string belongs, an object for a list) costs that field and a warning,
//! never the feed. Only a document that is not JSON, or whose top level is not an object,
//! is refused.
//!
//! Both versions are read the same way: 1.1's `authors` and `language` and 1.0's
//! `author` are all accepted whatever the declared version. A missing or unknown
//! `version` is read as 1.1 with a warning. Relative URLs resolve against
//! `home_page_url`, then the URL the document was fetched from.

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::ParseError;
use super::context::{Ctx, collapse_whitespace, looks_like_html, non_empty, quote};
use super::namespaces::{push_category, push_person};
use super::rss::push_enclosure;
use crate::model::{Category, Enclosure, Entry, Feed, Format, Image, Person};
use crate::normalise;

/// A field that is either of the expected type or something else (kept for the warning).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Loose<T> {
    Ok(T),
    Wrong(Value),
}

type Field<T> = Option<Loose<T>>;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Document {
    version: Field<String>,
    title: Field<String>,
    home_page_url: Field<String>,
    feed_url: Field<String>,
    description: Field<String>,
    icon: Field<String>,
    favicon: Field<String>,
    language: Field<String>,
    author: Field<Author>,
    authors: Field<Vec<Loose<Author>>>,
    items: Field<Vec<Loose<Item>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Author {
    name: Field<String>,
    url: Field<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Item {
    id: Field<Value>,
    url: Field<String>,
    external_url: Field<String>,
    title: Field<String>,
    content_html: Field<String>,
    content_text: Field<String>,
    summary: Field<String>,
    image: Field<String>,
    banner_image: Field<String>,
    date_published: Field<String>,
    date_modified: Field<String>,
    author: Field<Author>,
    authors: Field<Vec<Loose<Author>>>,
    tags: Field<Vec<Loose<String>>>,
    attachments: Field<Vec<Loose<Attachment>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Attachment {
    url: Field<String>,
    mime_type: Field<String>,
    size_in_bytes: Field<Value>,
    duration_in_seconds: Field<Value>,
}

/// The JSON type of a value, for warnings.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Takes a loose field's value, warning when it had the wrong type (`null` is absence).
fn take<T>(ctx: &mut Ctx, field: &str, expected: &str, value: Field<T>) -> Option<T> {
    match value? {
        Loose::Ok(value) => Some(value),
        Loose::Wrong(Value::Null) => None,
        Loose::Wrong(other) => {
            ctx.warn(format!(
                "{field} is {}, expected {expected}; ignored",
                kind(&other)
            ));
            None
        }
    }
}

/// The version in `1`, `1.0`, `1.1`, `https://jsonfeed.org/version/1.0` or with a trailing
/// slash; `None` for anything else.
fn loose_version(written: &str) -> Option<Format> {
    let lower = written.to_ascii_lowercase();
    let number = [
        "https://jsonfeed.org/version/",
        "http://jsonfeed.org/version/",
        "version ",
    ]
    .iter()
    .find_map(|prefix| lower.strip_prefix(prefix))
    .unwrap_or(&lower)
    .trim_end_matches('/');
    match number {
        "1" | "1.0" => Some(Format::JsonFeed10),
        "1.1" => Some(Format::JsonFeed11),
        _ => None,
    }
}

fn take_text(ctx: &mut Ctx, field: &str, value: Field<String>) -> Option<String> {
    take(ctx, field, "a string", value).filter(|text| !text.trim().is_empty())
}

/// Maps a JSON Feed document.
pub(crate) fn map_json(
    text: &str,
    doc_url: Option<&Url>,
    ctx: &mut Ctx,
) -> Result<Feed, ParseError> {
    let value: Value = serde_json::from_str(text).map_err(|error| {
        ParseError::Json(format!(
            "{error}; check the file is complete and is JSON Feed"
        ))
    })?;
    if !value.is_object() {
        return Err(ParseError::Json(format!(
            "the top level is {}, not an object",
            kind(&value)
        )));
    }
    // An API's error answer or any other JSON object must not pass for an empty feed that
    // a cron job would then publish: a JSON Feed has at least one of the two.
    if value.get("version").is_none() && value.get("items").is_none() {
        return Err(ParseError::NotAFeed(
            "JSON without \"version\" or \"items\"; a JSON Feed has both".to_string(),
        ));
    }
    // Each field is `Loose`, so deserialising an object cannot fail on a field's type.
    let document: Document =
        serde_json::from_value(value).map_err(|error| ParseError::Json(error.to_string()))?;

    let version = take_text(ctx, "version", document.version);
    let format = match version.as_deref().map(str::trim) {
        Some("https://jsonfeed.org/version/1") | Some("http://jsonfeed.org/version/1") => {
            Format::JsonFeed10
        }
        Some("https://jsonfeed.org/version/1.1") | Some("http://jsonfeed.org/version/1.1") => {
            Format::JsonFeed11
        }
        Some(other) => match loose_version(other) {
            // Written as a bare number or a near miss of the URL (seen in the wild):
            // the version is clear, the value is still worth fixing.
            Some(format) => {
                ctx.warn(format!(
                    "JSON Feed version {} is not a version URL; read as {}",
                    quote(other),
                    if format == Format::JsonFeed10 {
                        "1.0"
                    } else {
                        "1.1"
                    }
                ));
                format
            }
            None => {
                ctx.warn(format!(
                    "unknown JSON Feed version {}; read as 1.1",
                    quote(other)
                ));
                Format::JsonFeed11
            }
        },
        None => {
            ctx.warn("no JSON Feed version; read as 1.1");
            Format::JsonFeed11
        }
    };

    let mut feed = Feed {
        format,
        ..Feed::default()
    };
    let doc_base = doc_url.map(Url::as_str);
    let home_page = take_text(ctx, "home_page_url", document.home_page_url)
        .map(|href| normalise::url::join(doc_base, &href));
    feed.link = ctx.web_link("home_page_url", home_page);
    // The home page is the base when it is absolute; else the fetched URL.
    let home = feed
        .link
        .clone()
        .filter(|link| normalise::url::scheme(link).is_some());
    let base = home.as_deref().or(doc_base);
    let absolute = |href: String| normalise::url::join(base, &href);

    feed.title = take_text(ctx, "title", document.title).and_then(|text| text_value(&text));
    let feed_url = take_text(ctx, "feed_url", document.feed_url).map(absolute);
    feed.self_link = ctx.web_link("feed_url", feed_url);
    if let Some(description) = take_text(ctx, "description", document.description) {
        feed.description = text_value(&description);
        if looks_like_html(&description) {
            feed.description_html =
                non_empty(normalise::html::sanitise_relative_to(&description, base));
        }
    }
    feed.language = take_text(ctx, "language", document.language)
        .and_then(|tag| normalise::language::normalise(&tag));
    let icon = take_text(ctx, "icon", document.icon)
        .or_else(|| take_text(ctx, "favicon", document.favicon));
    feed.image = icon
        .map(absolute)
        .and_then(|url| ctx.code_free("icon", url))
        .map(|url| Image {
            url,
            ..Image::default()
        });
    feed.authors = authors(ctx, document.author, document.authors, &absolute);

    let items = take(ctx, "items", "a list", document.items).unwrap_or_default();
    for (index, item) in items.into_iter().enumerate() {
        ctx.set_entry(Some(index + 1));
        match item {
            Loose::Ok(item) => feed.entries.push(map_item(ctx, item, base)),
            Loose::Wrong(other) => {
                ctx.set_entry(None);
                ctx.warn(format!(
                    "entry {} is {}, expected an object; skipped",
                    index + 1,
                    kind(&other)
                ));
            }
        }
    }
    ctx.set_entry(None);
    Ok(feed)
}

fn map_item(ctx: &mut Ctx, item: Item, base: Option<&str>) -> Entry {
    let absolute = |href: String| normalise::url::join(base, &href);
    let guid = match take(ctx, "id", "a string", item.id) {
        Some(Value::String(id)) => non_empty(id),
        // The spec wants a string; numbers are common and unambiguous.
        Some(Value::Number(number)) => Some(number.to_string()),
        Some(Value::Null) | None => None,
        Some(other) => {
            ctx.warn(format!(
                "id is {}, expected a string; ignored",
                kind(&other)
            ));
            None
        }
    };
    let mut entry = Entry {
        guid,
        ..Entry::default()
    };
    let link = take_text(ctx, "url", item.url)
        .or_else(|| take_text(ctx, "external_url", item.external_url))
        .map(&absolute);
    entry.link = ctx.web_link("url", link);
    entry.title = take_text(ctx, "title", item.title).and_then(|text| text_value(&text));
    let html = take_text(ctx, "content_html", item.content_html);
    let text = take_text(ctx, "content_text", item.content_text);
    entry.content_html = match (html, &text) {
        (Some(html), _) => non_empty(normalise::html::sanitise_relative_to(&html, base)),
        (None, Some(text)) => Some(text_to_html(text)),
        (None, None) => None,
    };
    entry.summary = take_text(ctx, "summary", item.summary).and_then(|text| text_value(&text));
    let image = take_text(ctx, "image", item.image)
        .or_else(|| take_text(ctx, "banner_image", item.banner_image));
    entry.image = image
        .map(&absolute)
        .and_then(|url| ctx.code_free("image", url))
        .map(|url| Image {
            url,
            ..Image::default()
        });
    entry.published = date(ctx, "date_published", item.date_published);
    entry.updated = date(ctx, "date_modified", item.date_modified);
    entry.authors = authors(ctx, item.author, item.authors, &absolute);
    for tag in take(ctx, "tags", "a list", item.tags).unwrap_or_default() {
        match tag {
            Loose::Ok(term) => {
                if let Some(term) = collapse_whitespace(&term) {
                    push_category(
                        &mut entry.categories,
                        Category {
                            term,
                            ..Category::default()
                        },
                    );
                }
            }
            Loose::Wrong(other) => ctx.warn(format!(
                "a tag is {}, expected a string; ignored",
                kind(&other)
            )),
        }
    }
    for attachment in take(ctx, "attachments", "a list", item.attachments).unwrap_or_default() {
        let attachment = match attachment {
            Loose::Ok(attachment) => attachment,
            Loose::Wrong(other) => {
                ctx.warn(format!(
                    "an attachment is {}, expected an object; ignored",
                    kind(&other)
                ));
                continue;
            }
        };
        let Some(url) = take_text(ctx, "attachment url", attachment.url) else {
            ctx.warn("attachment without a url; ignored");
            continue;
        };
        let Some(url) = ctx.code_free("attachment url", absolute(url)) else {
            continue;
        };
        let length = bytes(ctx, "attachment size_in_bytes", attachment.size_in_bytes);
        let seconds = seconds(
            ctx,
            "attachment duration_in_seconds",
            attachment.duration_in_seconds,
        );
        if entry.podcast.duration_seconds.is_none() {
            entry.podcast.duration_seconds = seconds;
        }
        push_enclosure(
            &mut entry.enclosures,
            Enclosure {
                url,
                mime_type: take_text(ctx, "attachment mime_type", attachment.mime_type)
                    .and_then(|kind| collapse_whitespace(&kind)),
                length,
            },
        );
    }
    entry
}

/// JSON Feed text fields are plain text by definition, but feeds put entities and tags
/// in titles often enough that the HTML-aware plain-text rule is applied when they do.
fn text_value(text: &str) -> Option<String> {
    if looks_like_html(text) {
        non_empty(normalise::text::plain(text))
    } else {
        collapse_whitespace(text)
    }
}

/// `content_text` as HTML: escaped, paragraphs at blank lines, line breaks kept.
fn text_to_html(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .map(str::trim)
        .filter(|paragraph| !paragraph.is_empty())
        .map(|paragraph| {
            let lines: Vec<String> = paragraph.lines().map(normalise::text::escape).collect();
            format!("<p>{}</p>", lines.join("<br>"))
        })
        .collect()
}

fn date(ctx: &mut Ctx, field: &str, value: Field<String>) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = take_text(ctx, field, value)?;
    let date = normalise::date::parse(&text);
    if date.is_none() {
        ctx.warn(format!(
            "{field} {} is not a date omroep can read; omitted",
            quote(&text)
        ));
    }
    date
}

/// A size in bytes: a non-negative whole number (also written as a string or as `3.0`);
/// anything else is omitted with a warning, worded as for an RSS enclosure length.
fn bytes(ctx: &mut Ctx, field: &str, value: Field<Value>) -> Option<u64> {
    let value = take(ctx, field, "a number", value)?;
    let parsed = match &value {
        Value::Number(number) => number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|float| *float >= 0.0 && float.fract() == 0.0 && *float < 2e19)
                .map(|float| float as u64)
        }),
        Value::String(text) => text.trim().parse().ok(),
        Value::Null => return None,
        _ => None,
    };
    if parsed.is_none() {
        ctx.warn(format!("{field} {value} is not a number of bytes; omitted"));
    }
    parsed
}

/// A duration in whole seconds; a fraction is cut off, as for `itunes:duration`
/// (`normalise::duration`), which also reads one written as a string.
fn seconds(ctx: &mut Ctx, field: &str, value: Field<Value>) -> Option<u64> {
    let value = take(ctx, field, "a number", value)?;
    let parsed = match &value {
        Value::Number(number) => number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|float| *float >= 0.0 && *float < 2e19)
                .map(|float| float.trunc() as u64)
        }),
        Value::String(text) => normalise::duration::parse(text),
        Value::Null => return None,
        _ => None,
    };
    if parsed.is_none() {
        ctx.warn(format!("{field} {value} is not a whole number; omitted"));
    }
    parsed
}

/// 1.1 `authors` and 1.0 `author` (both accepted); an author `url` with `mailto:` is an
/// email address.
fn authors(
    ctx: &mut Ctx,
    author: Field<Author>,
    authors: Field<Vec<Loose<Author>>>,
    absolute: &dyn Fn(String) -> String,
) -> Vec<Person> {
    let mut all: Vec<Author> = Vec::new();
    for author in take(ctx, "authors", "a list", authors).unwrap_or_default() {
        match author {
            Loose::Ok(author) => all.push(author),
            Loose::Wrong(other) => ctx.warn(format!(
                "an author is {}, expected an object; ignored",
                kind(&other)
            )),
        }
    }
    if let Some(author) = take(ctx, "author", "an object", author) {
        all.push(author);
    }
    let mut people = Vec::new();
    for author in all {
        let name = take_text(ctx, "author name", author.name).and_then(|name| text_value(&name));
        let url = take_text(ctx, "author url", author.url);
        let (email, uri) = match url {
            Some(url) => match url.trim().strip_prefix("mailto:") {
                Some(email) => (collapse_whitespace(email), None),
                None => (None, ctx.code_free("author url", absolute(url))),
            },
            None => (None, None),
        };
        push_person(&mut people, Person { name, email, uri });
    }
    people
}

#[cfg(test)]
mod tests;

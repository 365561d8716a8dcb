//! `json/…`: JSON Feed 1.1: the version URL, the required top-level fields, items with
//! unique string ids and content, attachments with a URL and MIME type, absolute URLs
//! and RFC 3339 dates.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::super::{Checker, Document, Rule, Severity};
use super::dates;

pub const SYNTAX: Rule = Rule {
    id: "json/syntax",
    severity: Severity::Error,
    summary: "The document is valid JSON (UTF-8) whose top level is an object.",
    reference: "RFC 8259, https://www.rfc-editor.org/rfc/rfc8259; JSON Feed 1.1, https://www.jsonfeed.org/version/1.1/",
    explain: "A JSON Feed is one JSON object, encoded as UTF-8. A trailing comma, a comment, \
              an unescaped control character or a truncated file makes every reader reject \
              it; the finding names the line and column where parsing stopped. Write the feed \
              with a JSON serialiser rather than a text template.",
};

pub const VERSION: Rule = Rule {
    id: "json/version",
    severity: Severity::Error,
    summary: "`version` is \"https://jsonfeed.org/version/1.1\" (or the older \".../version/1\").",
    reference: "JSON Feed 1.1 §Top-level, https://www.jsonfeed.org/version/1.1/#top-level-a-name-top-level-a",
    explain: "Readers recognise a JSON Feed by its `version` URL. Without it, or with another \
              value, the document is just JSON. Set `\"version\": \"https://jsonfeed.org/version/1.1\"`.",
};

pub const VERSION_OLD: Rule = Rule {
    id: "json/version-old",
    severity: Severity::Info,
    summary: "The feed declares JSON Feed 1.1 rather than 1.0.",
    reference: "JSON Feed 1.1 changes, https://www.jsonfeed.org/2020/08/07/json-feed-version.html",
    explain: "Version 1.1 adds `authors` (a list), `language` and clarifies ids as strings; \
              1.0 feeds still work everywhere. Move to 1.1 by changing `version` and \
              replacing `author` with `authors`.",
};

pub const REQUIRED: Rule = Rule {
    id: "json/required",
    severity: Severity::Error,
    summary: "The feed has a `title` (string) and an `items` array.",
    reference: "JSON Feed 1.1 §Top-level, https://www.jsonfeed.org/version/1.1/#top-level-a-name-top-level-a",
    explain: "`title` and `items` are required; `items` may be empty but must be an array of \
              objects. Readers drop feeds without them.",
};

pub const FEED_URL: Rule = Rule {
    id: "json/feed-url",
    severity: Severity::Warning,
    summary: "The feed names its own address in `feed_url` and its site in `home_page_url`.",
    reference: "JSON Feed 1.1 §Top-level (feed_url: strongly recommended), https://www.jsonfeed.org/version/1.1/#top-level-a-name-top-level-a",
    explain: "`feed_url` lets readers find the feed again if it moves and de-duplicate \
              subscriptions; `home_page_url` is where the title links. Both should be \
              absolute URLs.",
};

pub const ITEM_ID: Rule = Rule {
    id: "json/item-id",
    severity: Severity::Error,
    summary: "Every item has an `id`, a non-empty string.",
    reference: "JSON Feed 1.1 §Items (id: required), https://www.jsonfeed.org/version/1.1/#items-a-name-items-a",
    explain: "Readers use `id` to tell new items from ones already seen. It is required and, \
              in 1.1, a string (numbers are accepted by some readers, and compared \
              differently by others). Use the item's permanent URL or another value that \
              never changes.",
};

pub const ITEM_ID_UNIQUE: Rule = Rule {
    id: "json/item-id-unique",
    severity: Severity::Error,
    summary: "No two items share an `id`.",
    reference: "JSON Feed 1.1 §Items (id: unique for that item for that feed over time), https://www.jsonfeed.org/version/1.1/#items-a-name-items-a",
    explain: "Two items with one id are one item to a reader: the second hides the first, or \
              replaces it. Give each item its own id.",
};

pub const ITEM_CONTENT: Rule = Rule {
    id: "json/item-content",
    severity: Severity::Error,
    summary: "Every item has `content_html` or `content_text` (a string).",
    reference: "JSON Feed 1.1 §Items (content_html and content_text: one must be present), https://www.jsonfeed.org/version/1.1/#items-a-name-items-a",
    explain: "An item needs at least one of `content_html` and `content_text`; an empty \
              string is allowed when there is nothing to say (a podcast episode whose notes \
              are empty).",
};

pub const ATTACHMENT: Rule = Rule {
    id: "json/attachment",
    severity: Severity::Error,
    summary: "Every attachment has `url` and `mime_type`; `size_in_bytes` and `duration_in_seconds` are non-negative numbers.",
    reference: "JSON Feed 1.1 §Attachments, https://www.jsonfeed.org/version/1.1/#attachments-a-name-attachments-a",
    explain: "Attachments (podcast audio) need the file's absolute `url` and its `mime_type` \
              (`audio/mpeg`); podcast apps use `size_in_bytes` and `duration_in_seconds` to \
              show progress, so they must be numbers, not strings.",
};

pub const URL: Rule = Rule {
    id: "json/url",
    severity: Severity::Error,
    summary: "`home_page_url`, `feed_url`, item `url`/`external_url`, images and attachment URLs are absolute.",
    reference: "JSON Feed 1.1, https://www.jsonfeed.org/version/1.1/",
    explain: "A JSON Feed has no base URL: a relative URL cannot be resolved by a reader. \
              Write full `https://…` URLs.",
};

pub const DATE: Rule = Rule {
    id: "json/date",
    severity: Severity::Error,
    summary: "`date_published` and `date_modified` are RFC 3339 timestamps.",
    reference: "JSON Feed 1.1 §Items (RFC 3339 format), https://www.jsonfeed.org/version/1.1/#items-a-name-items-a",
    explain: "Dates are RFC 3339 (`2026-03-01T09:30:00Z` or with an offset such as `+01:00`); \
              readers that cannot parse a date sort the item as new, or drop it.",
};

pub const DATE_IMPLAUSIBLE: Rule = Rule {
    id: "json/date-implausible",
    severity: Severity::Warning,
    summary: "Dates are neither before 1995 nor more than two days in the future.",
    reference: "JSON Feed 1.1 §Items (date_published), https://www.jsonfeed.org/version/1.1/#items-a-name-items-a",
    explain: "A date in 1970 is usually a zero timestamp; a future date pins an item to the \
              top of readers' lists. Fix the date in the source.",
};

pub const AUTHOR_DEPRECATED: Rule = Rule {
    id: "json/author-deprecated",
    severity: Severity::Info,
    summary: "A 1.1 feed uses `authors` (a list), not the 1.0 `author` object.",
    reference: "JSON Feed 1.1 §Top-level (author: deprecated), https://www.jsonfeed.org/version/1.1/#top-level-a-name-top-level-a",
    explain: "Version 1.1 deprecates `author` in favour of `authors`, an array. Publishers may \
              keep `author` too for old readers, but `authors` should be present.",
};

pub const RULES: &[Rule] = &[
    SYNTAX,
    VERSION,
    VERSION_OLD,
    REQUIRED,
    FEED_URL,
    ITEM_ID,
    ITEM_ID_UNIQUE,
    ITEM_CONTENT,
    ATTACHMENT,
    URL,
    DATE,
    DATE_IMPLAUSIBLE,
    AUTHOR_DEPRECATED,
];

const V11: &str = "https://jsonfeed.org/version/1.1";
const V10: &str = "https://jsonfeed.org/version/1";

/// Parses the bytes as JSON; a syntax error becomes a `json/syntax` finding.
pub fn load(bytes: &[u8], cx: &mut Checker) -> Option<Value> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => Some(value),
        Err(error) => {
            cx.report_at(
                &SYNTAX,
                Some(error.line() as u32),
                None,
                format!("not valid JSON: {error}"),
            );
            None
        }
    }
}

pub fn check(doc: &Document, cx: &mut Checker) {
    let Document::Json(value) = doc else { return };
    let Some(feed) = value.as_object() else {
        cx.report_at(&SYNTAX, None, None, "the top level is not an object");
        return;
    };
    let version = feed.get("version").and_then(Value::as_str);
    match version {
        Some(V11) => {}
        Some(V10) | Some("https://jsonfeed.org/version/1.0") => {
            cx.report_at(&VERSION_OLD, None, None, format!("version is \"{V10}\""))
        }
        Some(other) => cx.report_at(
            &VERSION,
            None,
            None,
            format!("version is \"{other}\", not \"{V11}\""),
        ),
        None => cx.report_at(&VERSION, None, None, "no `version` string"),
    }
    if !feed.get("title").is_some_and(Value::is_string) {
        cx.report_at(&REQUIRED, None, None, "no `title` string");
    }
    for field in ["feed_url", "home_page_url"] {
        match feed.get(field) {
            None => cx.report_at(&FEED_URL, None, None, format!("no `{field}`")),
            Some(value) => absolute_url(value, field, None, cx),
        }
    }
    for field in ["icon", "favicon"] {
        if let Some(value) = feed.get(field) {
            absolute_url(value, field, None, cx);
        }
    }
    if version == Some(V11) && feed.contains_key("author") && !feed.contains_key("authors") {
        cx.report_at(
            &AUTHOR_DEPRECATED,
            None,
            None,
            "the feed has `author` but no `authors`",
        );
    }
    let Some(items) = feed.get("items").and_then(Value::as_array) else {
        cx.report_at(&REQUIRED, None, None, "no `items` array");
        return;
    };
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let Some(item) = item.as_object() else {
            cx.report_at(
                &REQUIRED,
                None,
                Some(&format!("item {}", index + 1)),
                "an item is not an object",
            );
            continue;
        };
        let label = item_label(item, index);
        check_item(item, &label, version == Some(V11), cx);
        if let Some(id) = id_text(item)
            && let Some(first) = ids.insert(id.clone(), index)
        {
            cx.report_at(
                &ITEM_ID_UNIQUE,
                None,
                Some(&label),
                format!("id \"{id}\" is also the id of item {}", first + 1),
            );
        }
    }
}

fn check_item(item: &Map<String, Value>, label: &str, v11: bool, cx: &mut Checker) {
    match item.get("id") {
        Some(Value::String(id)) if !id.trim().is_empty() => {}
        Some(Value::String(_)) => cx.report_at(&ITEM_ID, None, Some(label), "`id` is empty"),
        // 1.0 allowed numeric ids.
        Some(Value::Number(_)) if !v11 => {}
        Some(other) => cx.report_at(
            &ITEM_ID,
            None,
            Some(label),
            format!("`id` is {}, not a string", kind(other)),
        ),
        None => cx.report_at(&ITEM_ID, None, Some(label), "no `id`"),
    }
    let has_content = ["content_html", "content_text"]
        .iter()
        .any(|field| item.get(*field).is_some_and(Value::is_string));
    if !has_content {
        cx.report_at(
            &ITEM_CONTENT,
            None,
            Some(label),
            "neither `content_html` nor `content_text` is a string",
        );
    }
    for field in ["url", "external_url", "image", "banner_image"] {
        if let Some(value) = item.get(field) {
            absolute_url(value, field, Some(label), cx);
        }
    }
    for field in ["date_published", "date_modified"] {
        match item.get(field) {
            None => {}
            Some(Value::String(text)) => match dates::rfc3339(text) {
                Ok(instant) => {
                    if let Some(problem) = dates::implausible(instant.to_utc(), cx.now()) {
                        cx.report_at(
                            &DATE_IMPLAUSIBLE,
                            None,
                            Some(label),
                            format!("{field}: {problem}"),
                        );
                    }
                }
                Err(problem) => cx.report_at(
                    &DATE,
                    None,
                    Some(label),
                    format!("{field} \"{text}\": {problem}"),
                ),
            },
            Some(other) => cx.report_at(
                &DATE,
                None,
                Some(label),
                format!("{field} is {}, not a string", kind(other)),
            ),
        }
    }
    match item.get("attachments") {
        None => {}
        Some(Value::Array(attachments)) => {
            for (index, attachment) in attachments.iter().enumerate() {
                check_attachment(attachment, index, label, cx);
            }
        }
        Some(other) => cx.report_at(
            &ATTACHMENT,
            None,
            Some(label),
            format!("`attachments` is {}, not an array", kind(other)),
        ),
    }
}

fn check_attachment(attachment: &Value, index: usize, label: &str, cx: &mut Checker) {
    let which = format!("attachment {}", index + 1);
    let Some(attachment) = attachment.as_object() else {
        cx.report_at(
            &ATTACHMENT,
            None,
            Some(label),
            format!("{which} is not an object"),
        );
        return;
    };
    match attachment.get("url") {
        Some(value) => absolute_url(value, "attachment url", Some(label), cx),
        None => cx.report_at(
            &ATTACHMENT,
            None,
            Some(label),
            format!("{which} has no `url`"),
        ),
    }
    match attachment.get("mime_type") {
        Some(Value::String(mime)) if mime.contains('/') => {}
        Some(other) => cx.report_at(
            &ATTACHMENT,
            None,
            Some(label),
            format!("{which}: mime_type {other} is not a MIME type such as \"audio/mpeg\""),
        ),
        None => cx.report_at(
            &ATTACHMENT,
            None,
            Some(label),
            format!("{which} has no `mime_type`"),
        ),
    }
    for field in ["size_in_bytes", "duration_in_seconds"] {
        if let Some(value) = attachment.get(field)
            && !value.as_f64().is_some_and(|n| n >= 0.0)
        {
            cx.report_at(
                &ATTACHMENT,
                None,
                Some(label),
                format!("{which}: {field} is {value}, not a non-negative number"),
            );
        }
    }
}

fn absolute_url(value: &Value, field: &str, entry: Option<&str>, cx: &mut Checker) {
    let Some(text) = value.as_str() else {
        cx.report_at(
            &URL,
            None,
            entry,
            format!("{field} is {}, not a string", kind(value)),
        );
        return;
    };
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {}
        Ok(url) => cx.report_at(
            &URL,
            None,
            entry,
            format!(
                "{field} \"{text}\" has scheme `{}`, not http(s)",
                url.scheme()
            ),
        ),
        Err(_) => cx.report_at(
            &URL,
            None,
            entry,
            format!("{field} \"{text}\" is not an absolute URL"),
        ),
    }
}

fn id_text(item: &Map<String, Value>) -> Option<String> {
    match item.get("id")? {
        Value::String(id) => Some(id.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The id, else the title, else the position: what a finding names the item by.
fn item_label(item: &Map<String, Value>, index: usize) -> String {
    id_text(item)
        .filter(|id| !id.trim().is_empty())
        .or_else(|| {
            item.get("title")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| format!("item {}", index + 1))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{fired, fires, quiet};

    const CLEAN: &str = r#"{
      "version": "https://jsonfeed.org/version/1.1",
      "title": "Notes",
      "home_page_url": "https://example.org/",
      "feed_url": "https://example.org/feed.json",
      "authors": [{"name": "Me"}],
      "items": [
        {"id": "https://example.org/a", "content_html": "<p>a</p>",
         "date_published": "2026-03-01T09:30:00+01:00"},
        {"id": "https://example.org/b", "content_text": "",
         "attachments": [{"url": "https://example.org/b.mp3", "mime_type": "audio/mpeg",
                          "size_in_bytes": 1200, "duration_in_seconds": 61}]}
      ]
    }"#;

    /// The clean feed with `from` replaced by `to` (which must occur).
    fn broken(from: &str, to: &str) -> Vec<u8> {
        assert!(CLEAN.contains(from), "{from}");
        CLEAN.replacen(from, to, 1).into_bytes()
    }

    #[test]
    fn a_clean_feed_fires_nothing() {
        assert_eq!(fired(CLEAN.as_bytes()), Vec::<&str>::new());
    }

    #[test]
    fn syntax() {
        fires("json/syntax", b"{\"version\": 1,}");
        fires("json/syntax", b"[1, 2]");
        quiet("json/syntax", CLEAN.as_bytes());
    }

    #[test]
    fn version() {
        fires("json/version", &broken("version/1.1", "version/2"));
        fires("json/version", &broken("\"version\"", "\"versie\""));
        fires("json/version-old", &broken("version/1.1", "version/1"));
        quiet("json/version", CLEAN.as_bytes());
    }

    #[test]
    fn required_fields_and_feed_url() {
        fires("json/required", &broken("\"title\": \"Notes\",", ""));
        fires("json/required", &broken("\"items\"", "\"entries\""));
        fires("json/feed-url", &broken("\"feed_url\"", "\"feed\""));
        quiet("json/required", CLEAN.as_bytes());
    }

    #[test]
    fn item_ids() {
        fires(
            "json/item-id",
            &broken("\"id\": \"https://example.org/a\",", ""),
        );
        fires("json/item-id", &broken("\"https://example.org/a\"", "17"));
        fires(
            "json/item-id-unique",
            &broken("https://example.org/b", "https://example.org/a"),
        );
        quiet("json/item-id-unique", CLEAN.as_bytes());
    }

    #[test]
    fn item_content_attachments_urls_dates() {
        fires("json/item-content", &broken("\"content_text\": \"\",", ""));
        fires(
            "json/attachment",
            &broken("\"mime_type\": \"audio/mpeg\",", ""),
        );
        fires("json/attachment", &broken("1200", "\"1200\""));
        fires(
            "json/url",
            &broken("\"https://example.org/b.mp3\"", "\"/b.mp3\""),
        );
        fires(
            "json/url",
            &broken("\"https://example.org/\"", "\"ftp://example.org/\""),
        );
        fires(
            "json/date",
            &broken(
                "2026-03-01T09:30:00+01:00",
                "Sun, 01 Mar 2026 09:30:00 +0100",
            ),
        );
        fires(
            "json/author-deprecated",
            &broken(
                "\"authors\": [{\"name\": \"Me\"}]",
                "\"author\": {\"name\": \"Me\"}",
            ),
        );
        fires(
            "json/date-implausible",
            &broken("2026-03-01T09:30:00+01:00", "1970-01-01T00:00:00Z"),
        );
        quiet("json/date-implausible", CLEAN.as_bytes());
        quiet("json/attachment", CLEAN.as_bytes());
        quiet("json/date", CLEAN.as_bytes());
    }
}

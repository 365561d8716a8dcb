//! `rss/…`: RSS 2.0 as the RSS Advisory Board's specification and profile define it:
//! one channel with its required elements, items with a title or description, unique
//! guids, at most one complete enclosure, RFC 822 dates with a four-digit year, a numeric
//! zone and the right weekday, and dates that are plausible. Runs on documents whose
//! root is `<rss>`.

use std::collections::HashMap;

use super::super::tree::{El, snippet};
use super::super::{Checker, Document, Rule, Severity, entry_label, is_absolute_http};
use super::dates;
use crate::ingest::feed::ns;

pub const VERSION: Rule = Rule {
    id: "rss/version",
    severity: Severity::Warning,
    summary: "The root is `<rss version=\"2.0\">`.",
    reference: "RSS 2.0 Specification, https://www.rssboard.org/rss-specification#whatIsRss",
    explain: "The `version` attribute tells readers which RSS they are reading; without it, or \
              with 0.91/0.92, readers apply older rules (0.91 limits lengths and has no \
              guid or enclosure). Write `version=\"2.0\"`.",
};

pub const CHANNEL: Rule = Rule {
    id: "rss/channel",
    severity: Severity::Error,
    summary: "`<rss>` holds exactly one `<channel>`.",
    reference: "RSS 2.0 Specification, required channel elements, https://www.rssboard.org/rss-specification#requiredChannelElements",
    explain: "Everything in an RSS feed lives in its single `<channel>`; readers ignore a \
              second one and find nothing without one. Put all items in one channel.",
};

pub const CHANNEL_REQUIRED: Rule = Rule {
    id: "rss/channel-required",
    severity: Severity::Error,
    summary: "The channel has a non-empty `<title>`, `<link>` and `<description>`.",
    reference: "RSS 2.0 Specification, required channel elements, https://www.rssboard.org/rss-specification#requiredChannelElements",
    explain: "`title`, `link` (the site's address) and `description` are required in every \
              channel. Podcast directories and readers show them in listings; an empty \
              description counts as missing. Add the missing element.",
};

pub const ITEM_REQUIRED: Rule = Rule {
    id: "rss/item-required",
    severity: Severity::Error,
    summary: "Every item has a `<title>` or a `<description>`.",
    reference: "RSS 2.0 Specification, elements of item, https://www.rssboard.org/rss-specification#hrelementsOfLtitemgt",
    explain: "An item needs at least a title or a description; with neither, readers show \
              an empty entry. Give every item a title.",
};

pub const GUID_MISSING: Rule = Rule {
    id: "rss/guid-missing",
    severity: Severity::Warning,
    summary: "Every item has a `<guid>`.",
    reference: "RSS Best Practices Profile, guid, https://www.rssboard.org/rss-profile#element-channel-item-guid",
    explain: "Without a guid, readers and podcast apps guess an item's identity from its \
              link, title or enclosure, and show it again as new when any of those changes. \
              Give every item a guid that never changes.",
};

pub const GUID_UNIQUE: Rule = Rule {
    id: "rss/guid-unique",
    severity: Severity::Error,
    summary: "No two items share a guid.",
    reference: "RSS 2.0 Specification, guid (a string that uniquely identifies the item), https://www.rssboard.org/rss-specification#ltguidgtSubelementOfLtitemgt",
    explain: "Readers key items on their guid: of two items with one guid, one is hidden, \
              or replaces the other back and forth. Give each item its own guid.",
};

pub const GUID_PERMALINK: Rule = Rule {
    id: "rss/guid-permalink",
    severity: Severity::Warning,
    summary: "A guid that is a permalink (the default, `isPermaLink` absent or true) is an absolute http(s) URL.",
    reference: "RSS 2.0 Specification, guid isPermaLink, https://www.rssboard.org/rss-specification#ltguidgtSubelementOfLtitemgt",
    explain: "`isPermaLink` defaults to true, which tells readers the guid is the item's \
              address, and some open it as the link. A guid like `episode-12` or a UUID must \
              carry `isPermaLink=\"false\"`.",
};

pub const ENCLOSURE_COUNT: Rule = Rule {
    id: "rss/enclosure-count",
    severity: Severity::Error,
    summary: "An item has at most one `<enclosure>`.",
    reference: "RSS Best Practices Profile, enclosure (support for multiple enclosures is inconsistent), https://www.rssboard.org/rss-profile#element-channel-item-enclosure",
    explain: "Podcast apps play the first enclosure and ignore the rest, or skip the item. \
              Publish one media file per item; offer other formats with \
              `podcast:alternateEnclosure`.",
};

pub const ENCLOSURE_ATTRIBUTES: Rule = Rule {
    id: "rss/enclosure-attributes",
    severity: Severity::Error,
    summary: "An enclosure has `url` (absolute http(s)), `length` (a whole number of bytes) and `type` (a MIME type).",
    reference: "RSS 2.0 Specification, enclosure, https://www.rssboard.org/rss-specification#ltenclosuregtSubelementOfLtitemgt",
    explain: "All three attributes are required: `url` is where the file is, `length` its \
              size in bytes (apps use it for progress and storage), `type` its MIME type \
              (`audio/mpeg`). Write the real byte size, not a duration.",
};

pub const DATE_FORMAT: Rule = Rule {
    id: "rss/date-format",
    severity: Severity::Error,
    summary: "`pubDate` and `lastBuildDate` are RFC 822 dates with a four-digit year, an RFC 822 zone and the right weekday.",
    reference: "RSS 2.0 Specification (dates conform to RFC 822, four-digit year allowed), https://www.rssboard.org/rss-specification#optionalChannelElements; RSS Best Practices Profile, https://www.rssboard.org/rss-profile#data-types-datetime",
    explain: "Write dates like `Wed, 02 Oct 2002 13:00:00 +0000`: English day and month \
              abbreviations, a four-digit year, a zone RFC 822 knows (better a numeric one, \
              see `rss/date-zone`) and the weekday that the date really falls on. Readers \
              that cannot parse a date sort the item as new.",
};

pub const DATE_ZONE: Rule = Rule {
    id: "rss/date-zone",
    severity: Severity::Warning,
    summary: "Dates give their time zone as a number (`+0000`, `-0500`), not a name (`GMT`, `EST`).",
    reference: "RSS Best Practices Profile, dates (use numeric time zones), https://www.rssboard.org/rss-profile#data-types-datetime",
    explain: "RFC 822 allows `GMT`, `UT` and a few North American zone names, and most \
              readers understand `GMT`; but other names (`CET`, `BST`) are not RFC 822 at \
              all and readers guess them differently, so the profile recommends numeric \
              zones throughout. Write `+0000` instead of `GMT`.",
};

pub const DATE_IMPLAUSIBLE: Rule = Rule {
    id: "rss/date-implausible",
    severity: Severity::Warning,
    summary: "Dates are neither before 1995 nor more than two days in the future.",
    reference: "RSS 2.0 Specification, pubDate, https://www.rssboard.org/rss-specification#ltpubdategtSubelementOfLtitemgt",
    explain: "A date in 1970 is usually a zero timestamp; a future date pins an item to the \
              top of readers' lists (and some hide it until then). Fix the date in the \
              source.",
};

pub const LINK: Rule = Rule {
    id: "rss/link",
    severity: Severity::Error,
    summary: "Channel and item `<link>`s are absolute http(s) URLs.",
    reference: "RSS 2.0 Specification, link, https://www.rssboard.org/rss-specification#requiredChannelElements",
    explain: "RSS has no base URL: a relative link cannot be resolved by readers. Write full \
              `https://…` URLs.",
};

pub const SELF_LINK: Rule = Rule {
    id: "rss/self-link",
    severity: Severity::Warning,
    summary: "The channel names its own address with `<atom:link rel=\"self\">`.",
    reference: "RSS Best Practices Profile, atom:link, https://www.rssboard.org/rss-profile#namespace-elements-atom-link",
    explain: "The self link lets readers and directories find the feed's canonical address \
              (after redirects, or when the feed is copied). Add \
              `<atom:link href=\"…feed URL…\" rel=\"self\" type=\"application/rss+xml\"/>` \
              with `xmlns:atom=\"http://www.w3.org/2005/Atom\"`.",
};

pub const AUTHOR_EMAIL: Rule = Rule {
    id: "rss/author-email",
    severity: Severity::Warning,
    summary: "`author`, `managingEditor` and `webMaster` start with an email address.",
    reference: "RSS 2.0 Specification, author (the email address of the author), https://www.rssboard.org/rss-specification#ltauthorgtSubelementOfLtitemgt",
    explain: "These elements hold an email address, optionally followed by a name in \
              parentheses: `anne@example.org (Anne de Vries)`. For a name alone, use \
              `dc:creator` (or `itunes:author` in podcasts).",
};

pub const LANGUAGE: Rule = Rule {
    id: "rss/language",
    severity: Severity::Warning,
    summary: "`<language>` is a language tag such as `en` or `nl-BE`.",
    reference: "RSS 2.0 Specification, language, https://www.rssboard.org/rss-language-codes",
    explain: "Readers and podcast directories use the language to list and filter feeds. \
              Write an ISO 639 code, optionally with a region (`en-GB`), not a name \
              (`English`).",
};

pub const RULES: &[Rule] = &[
    VERSION,
    CHANNEL,
    CHANNEL_REQUIRED,
    ITEM_REQUIRED,
    GUID_MISSING,
    GUID_UNIQUE,
    GUID_PERMALINK,
    ENCLOSURE_COUNT,
    ENCLOSURE_ATTRIBUTES,
    DATE_FORMAT,
    DATE_ZONE,
    DATE_IMPLAUSIBLE,
    LINK,
    SELF_LINK,
    AUTHOR_EMAIL,
    LANGUAGE,
];

pub fn check(doc: &Document, cx: &mut Checker) {
    let Document::Xml(doc) = doc else { return };
    let root = &doc.root;
    if !root.is(None, "rss") {
        return;
    }
    match root.attr("version") {
        Some("2.0") => {}
        Some(other) => cx.report(
            &VERSION,
            Some(root),
            None,
            format!("version is \"{other}\""),
        ),
        None => cx.report(&VERSION, Some(root), None, "no version attribute"),
    }
    let channels: Vec<&El> = root.children_named(None, "channel").collect();
    let Some(channel) = channels.first() else {
        cx.report(&CHANNEL, Some(root), None, "no <channel>");
        return;
    };
    if let Some(second) = channels.get(1) {
        cx.report(
            &CHANNEL,
            Some(second),
            None,
            format!("{} <channel> elements", channels.len()),
        );
    }
    channel_elements(channel, cx);
    let mut guids: HashMap<&str, &El> = HashMap::new();
    for item in channel.children_named(None, "item") {
        let label = entry_label(item);
        let has = |name| {
            item.child(None, name)
                .is_some_and(|el: &El| !el.trimmed().is_empty())
        };
        if !has("title") && !has("description") {
            cx.report(
                &ITEM_REQUIRED,
                Some(item),
                label,
                "an item with neither title nor description",
            );
        }
        match item.child(None, "guid") {
            None => cx.report(&GUID_MISSING, Some(item), label, "no <guid>"),
            Some(guid) => {
                let value = guid.trimmed();
                if value.is_empty() {
                    cx.report(&GUID_MISSING, Some(guid), label, "an empty <guid>");
                } else {
                    if let Some(first) = guids.insert(value, guid) {
                        cx.report(
                            &GUID_UNIQUE,
                            Some(guid),
                            label,
                            format!(
                                "guid \"{value}\" is also the guid of the item on line {}",
                                first.line
                            ),
                        );
                    }
                    let permalink = guid.attr("isPermaLink").is_none_or(|v| v.trim() == "true");
                    if permalink && !is_absolute_http(value) {
                        cx.report(
                            &GUID_PERMALINK,
                            Some(guid),
                            label,
                            format!(
                                "guid \"{}\" is not a URL; add isPermaLink=\"false\"",
                                snippet(value, 60)
                            ),
                        );
                    }
                }
            }
        }
        let enclosures: Vec<&El> = item.children_named(None, "enclosure").collect();
        if enclosures.len() > 1 {
            cx.report(
                &ENCLOSURE_COUNT,
                Some(enclosures[1]),
                label,
                format!("{} enclosures", enclosures.len()),
            );
        }
        for enclosure in enclosures {
            enclosure_attributes(enclosure, label, cx);
        }
        if let Some(date) = item.child(None, "pubDate") {
            date_element(date, label, cx);
        }
        if let Some(link) = item.child(None, "link") {
            link_element(link, label, cx);
        }
        if let Some(author) = item.child(None, "author") {
            author_email(author, label, cx);
        }
    }
}

fn channel_elements(channel: &El, cx: &mut Checker) {
    for name in ["title", "link", "description"] {
        match channel.child(None, name) {
            None => cx.report(
                &CHANNEL_REQUIRED,
                Some(channel),
                None,
                format!("no <{name}>"),
            ),
            Some(el) if el.trimmed().is_empty() => cx.report(
                &CHANNEL_REQUIRED,
                Some(el),
                None,
                format!("<{name}> is empty"),
            ),
            Some(_) => {}
        }
    }
    if let Some(link) = channel.child(None, "link") {
        link_element(link, None, cx);
    }
    for name in ["pubDate", "lastBuildDate"] {
        if let Some(date) = channel.child(None, name) {
            date_element(date, None, cx);
        }
    }
    for name in ["managingEditor", "webMaster"] {
        if let Some(el) = channel.child(None, name) {
            author_email(el, None, cx);
        }
    }
    if let Some(language) = channel.child(None, "language")
        && !is_language_tag(language.trimmed())
    {
        cx.report(
            &LANGUAGE,
            Some(language),
            None,
            format!(
                "\"{}\" is not a language tag",
                snippet(language.trimmed(), 30)
            ),
        );
    }
    let has_self = channel
        .children
        .iter()
        .any(|el| el.in_ns(ns::ATOM10) && el.name == "link" && el.attr("rel") == Some("self"));
    if !has_self {
        cx.report(
            &SELF_LINK,
            Some(channel),
            None,
            "no <atom:link rel=\"self\">",
        );
    }
}

fn enclosure_attributes(enclosure: &El, label: Option<&str>, cx: &mut Checker) {
    let mut problems = Vec::new();
    match enclosure.attr("url").map(str::trim) {
        None | Some("") => problems.push("no url".to_string()),
        Some(url) if !is_absolute_http(url) => problems.push(format!(
            "url \"{}\" is not an absolute http(s) URL",
            snippet(url, 60)
        )),
        Some(_) => {}
    }
    match enclosure.attr("length").map(str::trim) {
        None | Some("") => problems.push("no length".to_string()),
        Some(length) if length.parse::<u64>().is_err() => problems.push(format!(
            "length \"{}\" is not a whole number of bytes",
            snippet(length, 20)
        )),
        Some(_) => {}
    }
    match enclosure.attr("type").map(str::trim) {
        None | Some("") => problems.push("no type".to_string()),
        Some(kind) if !kind.contains('/') => {
            problems.push(format!("type \"{}\" is not a MIME type", snippet(kind, 30)))
        }
        Some(_) => {}
    }
    if !problems.is_empty() {
        cx.report(
            &ENCLOSURE_ATTRIBUTES,
            Some(enclosure),
            label,
            problems.join("; "),
        );
    }
}

fn date_element(el: &El, label: Option<&str>, cx: &mut Checker) {
    let text = el.trimmed();
    match dates::rfc822(text) {
        Ok(instant) => {
            if !dates::has_numeric_zone(text) {
                cx.report(
                    &DATE_ZONE,
                    Some(el),
                    label,
                    format!("<{}> \"{}\" names its zone", el.name, snippet(text, 40)),
                );
            }
            dates::report_implausible(&DATE_IMPLAUSIBLE, el, label, instant, cx);
        }
        Err(problem) => cx.report(
            &DATE_FORMAT,
            Some(el),
            label,
            format!("<{}> \"{}\": {problem}", el.name, snippet(text, 40)),
        ),
    }
}

fn link_element(el: &El, label: Option<&str>, cx: &mut Checker) {
    let text = el.trimmed();
    if !text.is_empty() && !is_absolute_http(text) {
        cx.report(
            &LINK,
            Some(el),
            label,
            format!(
                "<link> \"{}\" is not an absolute http(s) URL",
                snippet(text, 60)
            ),
        );
    }
}

fn author_email(el: &El, label: Option<&str>, cx: &mut Checker) {
    let text = el.trimmed();
    let address = text.split_whitespace().next().unwrap_or_default();
    let looks_like_email = address
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
    if !looks_like_email {
        cx.report(
            &AUTHOR_EMAIL,
            Some(el),
            label,
            format!(
                "<{}> \"{}\" does not start with an email address",
                el.name,
                snippet(text, 40)
            ),
        );
    }
}

/// A BCP 47-shaped tag: a 2–3 letter language, then letter/digit subtags.
pub fn is_language_tag(text: &str) -> bool {
    let mut parts = text.split('-');
    let language = parts.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{fired, fires, quiet, replaced};

    pub const CLEAN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Notes</title>
    <link>https://example.org/</link>
    <description>Short notes.</description>
    <language>nl-BE</language>
    <managingEditor>anne@example.org (Anne)</managingEditor>
    <lastBuildDate>Sun, 01 Mar 2026 09:30:00 +0000</lastBuildDate>
    <atom:link href="https://example.org/rss.xml" rel="self" type="application/rss+xml"/>
    <item>
      <title>One</title>
      <link>https://example.org/one/</link>
      <guid>https://example.org/one/</guid>
      <pubDate>Sun, 01 Mar 2026 09:30:00 +0000</pubDate>
      <author>anne@example.org (Anne)</author>
      <enclosure url="https://example.org/one.mp3" length="1234" type="audio/mpeg"/>
    </item>
    <item>
      <description>Two, without a title.</description>
      <guid isPermaLink="false">episode-2</guid>
      <pubDate>Sat, 28 Feb 2026 09:30:00 -0500</pubDate>
    </item>
  </channel>
</rss>"#;

    fn rss(from: &str, to: &str) -> Vec<u8> {
        replaced(CLEAN, from, to)
    }

    #[test]
    fn a_clean_feed_fires_nothing() {
        assert_eq!(fired(CLEAN.as_bytes()), Vec::<&str>::new());
    }

    #[test]
    fn version_and_channel() {
        fires("rss/version", &rss(r#"version="2.0""#, r#"version="0.91""#));
        fires("rss/channel", &rss("</channel>", "</channel><channel/>"));
        fires("rss/channel", b"<rss version=\"2.0\"/>");
        fires(
            "rss/channel-required",
            &rss("<description>Short notes.</description>", ""),
        );
        fires(
            "rss/channel-required",
            &rss("<title>Notes</title>", "<title> </title>"),
        );
        quiet("rss/channel-required", CLEAN.as_bytes());
    }

    #[test]
    fn items_and_guids() {
        fires(
            "rss/item-required",
            &rss("<description>Two, without a title.</description>", ""),
        );
        fires(
            "rss/guid-missing",
            &rss("<guid>https://example.org/one/</guid>", ""),
        );
        fires(
            "rss/guid-unique",
            &rss(
                r#"<guid isPermaLink="false">episode-2</guid>"#,
                "<guid>https://example.org/one/</guid>",
            ),
        );
        fires(
            "rss/guid-permalink",
            &rss(r#"<guid isPermaLink="false">"#, "<guid>"),
        );
        quiet("rss/guid-unique", CLEAN.as_bytes());
        quiet("rss/guid-permalink", CLEAN.as_bytes());
    }

    #[test]
    fn enclosures() {
        let enclosure =
            r#"<enclosure url="https://example.org/one.mp3" length="1234" type="audio/mpeg"/>"#;
        fires("rss/enclosure-count", &rss(enclosure, &enclosure.repeat(2)));
        fires("rss/enclosure-attributes", &rss(r#" length="1234""#, ""));
        fires(
            "rss/enclosure-attributes",
            &rss(r#"length="1234""#, r#"length="12:34""#),
        );
        fires(
            "rss/enclosure-attributes",
            &rss(r#"url="https://example.org/one.mp3""#, r#"url="one.mp3""#),
        );
        fires(
            "rss/enclosure-attributes",
            &rss(r#"type="audio/mpeg""#, r#"type="mp3""#),
        );
        quiet("rss/enclosure-attributes", CLEAN.as_bytes());
    }

    #[test]
    fn dates() {
        let date = "Sun, 01 Mar 2026 09:30:00 +0000</pubDate>";
        fires(
            "rss/date-format",
            &rss(date, "Sun, 01 Mar 26 09:30:00 +0000</pubDate>"),
        );
        fires(
            "rss/date-format",
            &rss(date, "Sun, 01 Mar 2026 09:30:00 CET</pubDate>"),
        );
        fires(
            "rss/date-zone",
            &rss(date, "Sun, 01 Mar 2026 09:30:00 GMT</pubDate>"),
        );
        quiet(
            "rss/date-format",
            &rss(date, "Sun, 01 Mar 2026 09:30:00 GMT</pubDate>"),
        );
        quiet("rss/date-zone", CLEAN.as_bytes());
        fires(
            "rss/date-format",
            &rss(date, "Mon, 01 Mar 2026 09:30:00 +0000</pubDate>"),
        );
        fires(
            "rss/date-format",
            &rss(date, "2026-03-01T09:30:00Z</pubDate>"),
        );
        fires(
            "rss/date-implausible",
            &rss(date, "Thu, 01 Jan 1970 00:00:00 +0000</pubDate>"),
        );
        fires(
            "rss/date-implausible",
            &rss(date, "Fri, 01 Jan 2038 00:00:00 +0000</pubDate>"),
        );
        quiet("rss/date-format", CLEAN.as_bytes());
    }

    #[test]
    fn links_authors_language() {
        fires(
            "rss/link",
            &rss(
                "<link>https://example.org/one/</link>",
                "<link>/one/</link>",
            ),
        );
        fires("rss/self-link", &rss(r#"rel="self""#, r#"rel="alternate""#));
        fires(
            "rss/author-email",
            &rss(
                "<author>anne@example.org (Anne)</author>",
                "<author>Anne</author>",
            ),
        );
        fires(
            "rss/language",
            &rss(
                "<language>nl-BE</language>",
                "<language>Dutch (Belgium)</language>",
            ),
        );
        quiet("rss/self-link", CLEAN.as_bytes());
    }
}

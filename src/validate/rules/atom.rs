//! `atom/…`: Atom 1.0 (RFC 4287): the feed's and each entry's required elements, author
//! rules, IRIs for ids, unique entry ids, RFC 3339 dates, text constructs (`type`, xhtml
//! wrapped in one `div`), links with `href` and no duplicate alternates, and content
//! rules. Runs on documents whose root is an Atom 1.0 `<feed>`.

use std::collections::HashMap;

use super::super::tree::{El, snippet};
use super::super::{Checker, Document, Rule, Severity, entry_label};
use super::dates;
use crate::ingest::feed::ns;

pub const FEED_REQUIRED: Rule = Rule {
    id: "atom/feed-required",
    severity: Severity::Error,
    summary: "The feed has exactly one `<id>`, `<title>` and `<updated>`.",
    reference: "RFC 4287 §4.1.1 The atom:feed Element, https://www.rfc-editor.org/rfc/rfc4287#section-4.1.1",
    explain: "An Atom feed must contain exactly one `atom:id`, one `atom:title` and one \
              `atom:updated`. Readers use the id to recognise the feed and `updated` to \
              decide whether to re-read it.",
};

pub const ENTRY_REQUIRED: Rule = Rule {
    id: "atom/entry-required",
    severity: Severity::Error,
    summary: "Every entry has exactly one `<id>`, `<title>` and `<updated>`.",
    reference: "RFC 4287 §4.1.2 The atom:entry Element, https://www.rfc-editor.org/rfc/rfc4287#section-4.1.2",
    explain: "Each entry must contain exactly one `atom:id` (its permanent identity), one \
              `atom:title` and one `atom:updated`. Readers show entries without them \
              inconsistently, or drop them.",
};

pub const AUTHOR: Rule = Rule {
    id: "atom/author",
    severity: Severity::Error,
    summary: "The feed has an `<author>`, or every entry has one (directly or in its `<source>`); every author has a `<name>`.",
    reference: "RFC 4287 §4.1.1 (atom:feed MUST contain one or more atom:author unless all entries do) and §3.2 Person Constructs, https://www.rfc-editor.org/rfc/rfc4287#section-4.1.1",
    explain: "Atom requires an author for every entry, inherited from the feed when the \
              entry has none. Add `<author><name>…</name></author>` to the feed (or to each \
              entry). A person construct must contain a `name`.",
};

pub const ID_IRI: Rule = Rule {
    id: "atom/id-iri",
    severity: Severity::Error,
    summary: "Every `<id>` is an absolute IRI (`https://…`, `urn:uuid:…`, `tag:…`).",
    reference: "RFC 4287 §4.2.6 The atom:id Element, https://www.rfc-editor.org/rfc/rfc4287#section-4.2.6",
    explain: "An Atom id is an absolute IRI that never changes. A relative path, a bare \
              number or a title is not one; readers comparing ids may treat them \
              unpredictably. Use the entry's permanent URL, a `tag:` URI or a \
              `urn:uuid:`.",
};

pub const ID_UNIQUE: Rule = Rule {
    id: "atom/id-unique",
    severity: Severity::Error,
    summary: "No two entries share an `<id>` (unless they are revisions with different `updated`).",
    reference: "RFC 4287 §4.1.1 (entries with the same id are the same entry), https://www.rfc-editor.org/rfc/rfc4287#section-4.1.1",
    explain: "Entries with the same id are versions of one entry; readers show only one of \
              them. Give each entry its own id.",
};

pub const DATE: Rule = Rule {
    id: "atom/date",
    severity: Severity::Error,
    summary: "`<updated>` and `<published>` are RFC 3339 timestamps with a zone.",
    reference: "RFC 4287 §3.3 Date Constructs, https://www.rfc-editor.org/rfc/rfc4287#section-3.3",
    explain: "Atom dates are RFC 3339: `2026-03-01T09:30:00Z` or `2026-03-01T10:30:00+01:00`, \
              with an uppercase `T`, seconds and a zone. RSS-style dates are not accepted.",
};

pub const DATE_IMPLAUSIBLE: Rule = Rule {
    id: "atom/date-implausible",
    severity: Severity::Warning,
    summary: "Dates are neither before 1995 nor more than two days in the future.",
    reference: "RFC 4287 §3.3 Date Constructs, https://www.rfc-editor.org/rfc/rfc4287#section-3.3",
    explain: "A date in 1970 is usually a zero timestamp; a future date pins an entry to the \
              top of readers' lists. Fix the date in the source.",
};

pub const TEXT_TYPE: Rule = Rule {
    id: "atom/text-type",
    severity: Severity::Error,
    summary: "Text constructs (`title`, `subtitle`, `summary`, `rights`) have `type` text, html or xhtml.",
    reference: "RFC 4287 §3.1 Text Constructs, https://www.rfc-editor.org/rfc/rfc4287#section-3.1",
    explain: "A text construct's `type` is `text` (the default), `html` (escaped HTML) or \
              `xhtml` (inline XHTML in a div). MIME types such as `text/html` are only valid \
              on `<content>`.",
};

pub const XHTML_DIV: Rule = Rule {
    id: "atom/xhtml-div",
    severity: Severity::Error,
    summary: "xhtml text and content hold exactly one XHTML `<div>` and nothing else.",
    reference: "RFC 4287 §3.1.1.3 XHTML, https://www.rfc-editor.org/rfc/rfc4287#section-3.1.1.3",
    explain: "With `type=\"xhtml\"`, the element's content is a single \
              `<div xmlns=\"http://www.w3.org/1999/xhtml\">`, which is not part of the text; \
              readers drop what is outside it or show the wrapper. Wrap the markup in that \
              div.",
};

pub const LINK_HREF: Rule = Rule {
    id: "atom/link-href",
    severity: Severity::Error,
    summary: "Every `<link>` has an `href`.",
    reference: "RFC 4287 §4.2.7.1 The href Attribute, https://www.rfc-editor.org/rfc/rfc4287#section-4.2.7.1",
    explain: "`href` is required on atom:link; a link without it points nowhere. Atom links \
              are empty elements with the address in `href`, not in the element text.",
};

pub const LINK_ALTERNATE_DUPLICATE: Rule = Rule {
    id: "atom/link-alternate-duplicate",
    severity: Severity::Error,
    summary: "At most one `rel=\"alternate\"` link per `type` and `hreflang` combination.",
    reference: "RFC 4287 §4.1.1 and §4.1.2 (MUST NOT contain more than one atom:link with rel=\"alternate\" that has the same type and hreflang), https://www.rfc-editor.org/rfc/rfc4287#section-4.1.2",
    explain: "Readers open the alternate link as the entry's (or feed's) page; two with the \
              same type and language leave them guessing. Keep one, or give the others a \
              different `type`/`hreflang` or another `rel`.",
};

pub const ENTRY_CONTENT: Rule = Rule {
    id: "atom/entry-content",
    severity: Severity::Error,
    summary: "An entry without `<content>` has an alternate link; one whose content is out of line (`src`) or not text has a `<summary>`.",
    reference: "RFC 4287 §4.1.2 The atom:entry Element, https://www.rfc-editor.org/rfc/rfc4287#section-4.1.2",
    explain: "An entry needs something to show: inline content or a link to the page. When \
              the content is elsewhere (`src=`) or is a media type that is not text, readers \
              need a summary to display. Add the missing element.",
};

pub const SELF_LINK: Rule = Rule {
    id: "atom/self-link",
    severity: Severity::Warning,
    summary: "The feed names its own address with `<link rel=\"self\">`.",
    reference: "RFC 4287 §4.1.1 (atom:feed elements SHOULD contain one atom:link with rel=\"self\"), https://www.rfc-editor.org/rfc/rfc4287#section-4.1.1",
    explain: "The self link tells readers and hubs the feed's canonical address. Add \
              `<link rel=\"self\" href=\"…feed URL…\" type=\"application/atom+xml\"/>`.",
};

pub const RULES: &[Rule] = &[
    FEED_REQUIRED,
    ENTRY_REQUIRED,
    AUTHOR,
    ID_IRI,
    ID_UNIQUE,
    DATE,
    DATE_IMPLAUSIBLE,
    TEXT_TYPE,
    XHTML_DIV,
    LINK_HREF,
    LINK_ALTERNATE_DUPLICATE,
    ENTRY_CONTENT,
    SELF_LINK,
];

const A: Option<&str> = Some(ns::ATOM10);

pub fn check(doc: &Document, cx: &mut Checker) {
    let Document::Xml(doc) = doc else { return };
    let feed = &doc.root;
    if !feed.is(A, "feed") {
        return;
    }
    required(feed, &FEED_REQUIRED, None, cx);
    common(feed, None, cx);
    if !feed
        .children
        .iter()
        .any(|el| el.is(A, "link") && el.attr("rel") == Some("self"))
    {
        cx.report(&SELF_LINK, Some(feed), None, "no <link rel=\"self\">");
    }
    let feed_has_author = feed.child(A, "author").is_some();
    let mut ids: HashMap<&str, (&El, Option<&str>)> = HashMap::new();
    for entry in feed.children_named(A, "entry") {
        let label = entry_label(entry);
        required(entry, &ENTRY_REQUIRED, label, cx);
        common(entry, label, cx);
        let source_author = entry
            .child(A, "source")
            .is_some_and(|source| source.child(A, "author").is_some());
        if !feed_has_author && entry.child(A, "author").is_none() && !source_author {
            cx.report(
                &AUTHOR,
                Some(entry),
                label,
                "neither the entry nor the feed has an <author>",
            );
        }
        if let Some(id) = entry.child(A, "id") {
            let updated = entry.child(A, "updated").map(El::trimmed);
            if let Some((first, first_updated)) = ids.insert(id.trimmed(), (id, updated))
                && first_updated == updated
            {
                cx.report(
                    &ID_UNIQUE,
                    Some(id),
                    label,
                    format!(
                        "id \"{}\" is also the id of the entry on line {}",
                        snippet(id.trimmed(), 60),
                        first.line
                    ),
                );
            }
        }
        if let Some(published) = entry.child(A, "published") {
            date(published, label, cx);
        }
        entry_content(entry, label, cx);
    }
}

/// Exactly one id, title and updated.
fn required(el: &El, rule: &'static Rule, label: Option<&str>, cx: &mut Checker) {
    for name in ["id", "title", "updated"] {
        match el.children_named(A, name).count() {
            1 => {}
            0 => cx.report(
                rule,
                Some(el),
                label,
                format!("<{}> has no <{name}>", el.name),
            ),
            n => cx.report(
                rule,
                Some(el),
                label,
                format!("<{}> has {n} <{name}> elements", el.name),
            ),
        }
    }
}

/// What feeds and entries share: id, updated, authors, text constructs, links.
fn common(el: &El, label: Option<&str>, cx: &mut Checker) {
    if let Some(id) = el.child(A, "id") {
        let text = id.trimmed();
        if !text.is_empty() && !is_absolute_iri(text) {
            cx.report(
                &ID_IRI,
                Some(id),
                label,
                format!("id \"{}\" is not an absolute IRI", snippet(text, 60)),
            );
        }
    }
    if let Some(updated) = el.child(A, "updated") {
        date(updated, label, cx);
    }
    for person in el
        .children
        .iter()
        .filter(|c| c.is(A, "author") || c.is(A, "contributor"))
    {
        if person
            .child(A, "name")
            .is_none_or(|name| name.trimmed().is_empty())
        {
            cx.report(
                &AUTHOR,
                Some(person),
                label,
                format!("<{}> without a <name>", person.name),
            );
        }
    }
    for name in ["title", "subtitle", "summary", "rights"] {
        for text in el.children_named(A, name) {
            text_construct(text, label, cx);
        }
    }
    let mut alternates: HashMap<(Option<&str>, Option<&str>), &El> = HashMap::new();
    for link in el.children_named(A, "link") {
        if link.attr("href").is_none_or(|href| href.trim().is_empty()) {
            cx.report(&LINK_HREF, Some(link), label, "a <link> without href");
        }
        if link.attr("rel").is_none_or(|rel| rel == "alternate")
            && let Some(first) = alternates.insert((link.attr("type"), link.attr("hreflang")), link)
        {
            cx.report(
                &LINK_ALTERNATE_DUPLICATE,
                Some(link),
                label,
                format!(
                    "a second alternate link (type {}) after the one on line {}",
                    link.attr("type").unwrap_or("unset"),
                    first.line
                ),
            );
        }
    }
}

fn text_construct(el: &El, label: Option<&str>, cx: &mut Checker) {
    match el.attr("type").unwrap_or("text") {
        "text" | "html" => {}
        "xhtml" => xhtml_div(el, label, cx),
        other => cx.report(
            &TEXT_TYPE,
            Some(el),
            label,
            format!(
                "<{}> type \"{}\" is not text, html or xhtml",
                el.name,
                snippet(other, 30)
            ),
        ),
    }
}

fn xhtml_div(el: &El, label: Option<&str>, cx: &mut Checker) {
    let divs = el.children.len() == 1 && el.children[0].is(Some(ns::XHTML), "div");
    if !divs || !el.text.trim().is_empty() {
        let found = match el.children.first() {
            Some(first) => format!(
                "<{}> in namespace {}",
                first.qname(),
                first.ns.as_deref().unwrap_or("none")
            ),
            None => "text only".into(),
        };
        cx.report(
            &XHTML_DIV,
            Some(el),
            label,
            format!(
                "<{}> type=\"xhtml\" holds {} ({} child elements); wrap it in one XHTML <div>",
                el.name,
                found,
                el.children.len()
            ),
        );
    }
}

fn entry_content(entry: &El, label: Option<&str>, cx: &mut Checker) {
    let has_alternate = entry
        .children_named(A, "link")
        .any(|link| link.attr("rel").is_none_or(|rel| rel == "alternate"));
    let has_summary = entry.child(A, "summary").is_some();
    match entry.child(A, "content") {
        None => {
            if !has_alternate {
                cx.report(
                    &ENTRY_CONTENT,
                    Some(entry),
                    label,
                    "no <content> and no alternate link",
                );
            }
        }
        Some(content) => {
            let kind = content.attr("type").unwrap_or("text");
            if kind == "xhtml" {
                xhtml_div(content, label, cx);
            }
            let textual = matches!(kind, "text" | "html" | "xhtml")
                || kind.starts_with("text/")
                || kind.ends_with("+xml")
                || kind.ends_with("/xml");
            if content.attr("src").is_some() && !has_summary {
                cx.report(
                    &ENTRY_CONTENT,
                    Some(content),
                    label,
                    "<content src> without a <summary>",
                );
            } else if !textual && !has_summary {
                cx.report(
                    &ENTRY_CONTENT,
                    Some(content),
                    label,
                    format!(
                        "<content type=\"{}\"> without a <summary>",
                        snippet(kind, 30)
                    ),
                );
            }
        }
    }
}

fn date(el: &El, label: Option<&str>, cx: &mut Checker) {
    let text = el.trimmed();
    match dates::rfc3339(text) {
        Ok(instant) => {
            dates::report_implausible(&DATE_IMPLAUSIBLE, el, label, instant, cx);
        }
        Err(problem) => cx.report(
            &DATE,
            Some(el),
            label,
            format!("<{}> \"{}\": {problem}", el.name, snippet(text, 40)),
        ),
    }
}

/// An absolute IRI: a scheme (letter, then letters, digits, `+-.`), a colon, and more.
fn is_absolute_iri(text: &str) -> bool {
    match text.split_once(':') {
        Some((scheme, rest)) => {
            !rest.is_empty()
                && !text.contains(char::is_whitespace)
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{fired, fires, quiet, replaced};

    const CLEAN: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Notes</title>
  <id>https://example.org/atom.xml</id>
  <updated>2026-03-01T09:30:00Z</updated>
  <author><name>Anne</name></author>
  <link href="https://example.org/" rel="alternate" type="text/html"/>
  <link href="https://example.org/atom.xml" rel="self" type="application/atom+xml"/>
  <entry>
    <title type="html">One &amp;amp; two</title>
    <id>tag:example.org,2026:one</id>
    <updated>2026-03-01T09:30:00+01:00</updated>
    <published>2026-03-01T09:30:00.5+01:00</published>
    <link href="https://example.org/one/"/>
    <link href="https://example.org/en/one/" hreflang="en"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One</p></div></content>
  </entry>
  <entry>
    <title>Two</title>
    <id>urn:uuid:5b2b0d8e-0000-4000-8000-000000000002</id>
    <updated>2026-02-28T09:30:00Z</updated>
    <summary>Two, as audio.</summary>
    <content type="audio/mpeg" src="https://example.org/two.mp3"/>
  </entry>
</feed>"#;

    fn atom(from: &str, to: &str) -> Vec<u8> {
        replaced(CLEAN, from, to)
    }

    #[test]
    fn a_clean_feed_fires_nothing() {
        assert_eq!(fired(CLEAN.as_bytes()), Vec::<&str>::new());
    }

    #[test]
    fn required_elements() {
        fires(
            "atom/feed-required",
            &atom("<updated>2026-03-01T09:30:00Z</updated>", ""),
        );
        fires(
            "atom/feed-required",
            &atom(
                "<title>Notes</title>",
                "<title>Notes</title><title>Again</title>",
            ),
        );
        fires("atom/entry-required", &atom("<title>Two</title>", ""));
        fires(
            "atom/entry-required",
            &atom("<id>tag:example.org,2026:one</id>", ""),
        );
        quiet("atom/entry-required", CLEAN.as_bytes());
    }

    #[test]
    fn authors() {
        fires(
            "atom/author",
            &atom("<author><name>Anne</name></author>", ""),
        );
        fires(
            "atom/author",
            &atom(
                "<author><name>Anne</name></author>",
                "<author><email>a@example.org</email></author>",
            ),
        );
        // Every entry with its own author: no feed author needed.
        let each = String::from_utf8(atom("<author><name>Anne</name></author>", "")).unwrap();
        let each = each.replace("<entry>", "<entry><author><name>B</name></author>");
        quiet("atom/author", each.as_bytes());
    }

    #[test]
    fn ids_and_dates() {
        fires("atom/id-iri", &atom("tag:example.org,2026:one", "/one/"));
        let same_id = String::from_utf8(atom(
            "urn:uuid:5b2b0d8e-0000-4000-8000-000000000002",
            "tag:example.org,2026:one",
        ))
        .unwrap();
        // Same id with another `updated`: a revision, allowed.
        quiet("atom/id-unique", same_id.as_bytes());
        let same_id = same_id.replace("2026-02-28T09:30:00Z", "2026-03-01T09:30:00+01:00");
        fires("atom/id-unique", same_id.as_bytes());
        fires(
            "atom/date",
            &atom("2026-03-01T09:30:00Z", "Sun, 01 Mar 2026 09:30:00 +0000"),
        );
        fires(
            "atom/date",
            &atom("2026-02-28T09:30:00Z", "2026-02-28T09:30:00"),
        );
        fires(
            "atom/date-implausible",
            &atom("2026-02-28T09:30:00Z", "1970-01-01T00:00:00Z"),
        );
        quiet("atom/id-unique", CLEAN.as_bytes());
        quiet("atom/date", CLEAN.as_bytes());
    }

    #[test]
    fn text_constructs_and_xhtml() {
        fires(
            "atom/text-type",
            &atom(r#"<title type="html">"#, r#"<title type="text/html">"#),
        );
        fires(
            "atom/xhtml-div",
            &atom(
                r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>One</p></div>"#,
                r#"<p xmlns="http://www.w3.org/1999/xhtml">One</p>"#,
            ),
        );
        fires(
            "atom/xhtml-div",
            &atom(r#"<div xmlns="http://www.w3.org/1999/xhtml">"#, "<div>"),
        );
        quiet("atom/xhtml-div", CLEAN.as_bytes());
    }

    #[test]
    fn links_and_content() {
        fires(
            "atom/link-href",
            &atom(
                r#"<link href="https://example.org/one/"/>"#,
                r#"<link rel="alternate"/>"#,
            ),
        );
        fires(
            "atom/link-alternate-duplicate",
            &atom(r#" hreflang="en""#, ""),
        );
        fires("atom/self-link", &atom(r#"rel="self""#, r#"rel="via""#));
        fires(
            "atom/entry-content",
            &atom("<summary>Two, as audio.</summary>", ""),
        );
        let no_link =
            String::from_utf8(atom(r#"<link href="https://example.org/one/"/>"#, "")).unwrap();
        let no_link = no_link.replace(
            r#"<link href="https://example.org/en/one/" hreflang="en"/>"#,
            "",
        );
        let no_link = no_link.replace(r#"<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One</p></div></content>"#, "");
        fires("atom/entry-content", no_link.as_bytes());
        quiet("atom/link-alternate-duplicate", CLEAN.as_bytes());
        quiet("atom/entry-content", CLEAN.as_bytes());
    }
}

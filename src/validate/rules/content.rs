//! `content/…`: hygiene of the HTML inside entries (RSS `description` and
//! `content:encoded`, Atom `content`/`summary` of type html or xhtml, JSON Feed
//! `content_html`): no scripts, frames, event handlers or `javascript:` URLs, which
//! readers strip (so the entry shows differently than written) or which are unsafe, and no
//! relative URLs where the format gives readers no base to resolve them against.
//!
//! Escaped HTML is read with the crate's browser-like tokenizer (`normalise::tokenizer`);
//! inline XHTML is walked as the tree it already is. Each rule is reported once per field
//! with the first offending value and the count.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::tree::{El, snippet};
use super::super::{Checker, Document, Rule, Severity, entry_label};
use crate::ingest::feed::ns;
use crate::normalise::tokenizer::{Token, Tokenizer};

pub const SCRIPT: Rule = Rule {
    id: "content/script",
    severity: Severity::Error,
    summary: "Entry HTML holds no `<script>` (nor `<object>`, `<embed>`).",
    reference: "RSS Best Practices Profile, encoding HTML (readers strip scripts), https://www.rssboard.org/rss-profile#data-types-characterdata",
    explain: "Feed readers remove scripts and plugins from entries for their users' safety, \
              so whatever the script builds never appears; a reader that did run it would \
              be running code from the feed. Publish the result as HTML, or link to the \
              page.",
};

pub const IFRAME: Rule = Rule {
    id: "content/iframe",
    severity: Severity::Warning,
    summary: "Entry HTML holds no `<iframe>` (embedded players, maps).",
    reference: "RSS Best Practices Profile, encoding HTML, https://www.rssboard.org/rss-profile#data-types-characterdata",
    explain: "Most readers and podcast apps strip iframes, leaving a gap where the video or \
              map was. Add a link (and a thumbnail image) to the embedded content as well.",
};

pub const EVENT_HANDLER: Rule = Rule {
    id: "content/event-handler",
    severity: Severity::Error,
    summary: "Entry HTML has no event-handler attributes (`onclick`, `onload`, `onerror`, …).",
    reference: "HTML Living Standard, event handler content attributes, https://html.spec.whatwg.org/multipage/webappapis.html#event-handler-content-attributes",
    explain: "Event handlers are scripts: readers strip them, and they are a common way to \
              smuggle code into a page that shows the feed. Remove them from the source \
              HTML.",
};

pub const JAVASCRIPT_URL: Rule = Rule {
    id: "content/javascript-url",
    severity: Severity::Error,
    summary: "No `href`/`src` in entry HTML uses the `javascript:` scheme.",
    reference: "HTML Living Standard, javascript: URLs, https://html.spec.whatwg.org/multipage/browsing-the-web.html#javascript-protocol",
    explain: "A `javascript:` link runs code when clicked; readers neutralise it, so the link \
              does nothing. Link to a page instead.",
};

pub const RELATIVE_URL: Rule = Rule {
    id: "content/relative-url",
    severity: Severity::Warning,
    summary: "Links and images in entry HTML use absolute URLs (Atom may set `xml:base`).",
    reference: "RSS Best Practices Profile, relative URLs, https://www.rssboard.org/rss-profile#data-types-characterdata; RFC 4287 §2 xml:base, https://www.rfc-editor.org/rfc/rfc4287#section-2",
    explain: "A reader shows the entry away from your site, so `/images/a.jpg` or \
              `../post/` resolve against the reader's own address (or nothing): images \
              break and links go nowhere. RSS and JSON Feed have no base URL; Atom can \
              declare one with `xml:base`. Write absolute `https://…` URLs.",
};

pub const RULES: &[Rule] = &[SCRIPT, IFRAME, EVENT_HANDLER, JAVASCRIPT_URL, RELATIVE_URL];

/// Attributes that hold a URL a reader would load or follow.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "poster",
    "action",
    "formaction",
    "cite",
    "background",
    "data",
];

pub fn check(doc: &Document, cx: &mut Checker) {
    match doc {
        Document::Xml(doc) => {
            let root = &doc.root;
            if root.is(None, "rss") {
                for channel in root.children_named(None, "channel") {
                    for item in channel.children_named(None, "item") {
                        let label = entry_label(item);
                        for el in &item.children {
                            if el.is(None, "description") || el.is(Some(ns::CONTENT), "encoded") {
                                let mut found = Found::default();
                                scan_html(&el.text, false, &mut found);
                                found.report(el, label, cx);
                            }
                        }
                    }
                }
            } else if root.in_ns(ns::ATOM10) && root.name == "feed" {
                let feed_base = has_base(root);
                for entry in root
                    .children
                    .iter()
                    .filter(|el| el.in_ns(ns::ATOM10) && el.name == "entry")
                {
                    let label = entry_label(entry);
                    for el in entry.children.iter().filter(|el| {
                        el.in_ns(ns::ATOM10) && (el.name == "content" || el.name == "summary")
                    }) {
                        let based = feed_base || has_base(entry) || has_base(el);
                        let mut found = Found::default();
                        match el.attr("type").unwrap_or("text") {
                            "html" => scan_html(&el.text, based, &mut found),
                            "xhtml" => {
                                for child in el.children.iter().flat_map(El::descendants) {
                                    scan_element(child, based || has_base(child), &mut found);
                                }
                            }
                            _ => continue,
                        }
                        found.report(el, label, cx);
                    }
                }
            }
        }
        Document::Json(value) => {
            let items = value.get("items").and_then(Value::as_array);
            for (index, item) in items.into_iter().flatten().enumerate() {
                let Some(html) = item.get("content_html").and_then(Value::as_str) else {
                    continue;
                };
                let mut found = Found::default();
                scan_html(html, false, &mut found);
                if found.hits.is_empty() {
                    continue;
                }
                let label = item
                    .get("id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("item {}", index + 1));
                found.report_at(None, "content_html", Some(&label), cx);
            }
        }
    }
}

/// Per rule: the first offending value and how many there were, in one field.
#[derive(Default)]
struct Found {
    hits: BTreeMap<&'static str, (&'static Rule, String, usize)>,
}

impl Found {
    fn add(&mut self, rule: &'static Rule, example: String) {
        self.hits.entry(rule.id).or_insert((rule, example, 0)).2 += 1;
    }

    /// Reports the hits in the element `el`'s text; its name is written out only when
    /// there is something to report (nearly every field of a build has nothing).
    fn report(self, el: &El, label: Option<&str>, cx: &mut Checker) {
        if !self.hits.is_empty() {
            self.report_at(Some(el.line), &format!("<{}>", el.qname()), label, cx);
        }
    }

    fn report_at(self, line: Option<u32>, field: &str, label: Option<&str>, cx: &mut Checker) {
        for (rule, example, count) in self.hits.into_values() {
            let more = if count > 1 {
                format!(" (and {} more)", count - 1)
            } else {
                String::new()
            };
            cx.report_at(rule, line, label, format!("{field}: {example}{more}"));
        }
    }
}

fn scan_html(html: &str, based: bool, found: &mut Found) {
    let mut tokens = Tokenizer::new(html);
    while let Some(token) = tokens.next_token() {
        let Token::StartTag { name, .. } = token else {
            continue;
        };
        let name = name.to_ascii_lowercase();
        tag(&name, found);
        for attribute in tokens.attributes() {
            attribute_value(
                &name,
                &attribute.name.to_ascii_lowercase(),
                &attribute.value(),
                based,
                found,
            );
        }
        if name == "script" || name == "style" {
            tokens.skip_raw_text(&name);
        }
    }
}

fn scan_element(el: &El, based: bool, found: &mut Found) {
    let name = el.name.to_ascii_lowercase();
    tag(&name, found);
    for attr in &el.attrs {
        attribute_value(
            &name,
            &attr.name.to_ascii_lowercase(),
            &attr.value,
            based,
            found,
        );
    }
}

fn tag(name: &str, found: &mut Found) {
    match name {
        "script" | "object" | "embed" => found.add(&SCRIPT, format!("<{name}>")),
        "iframe" | "frame" | "frameset" => found.add(&IFRAME, format!("<{name}>")),
        _ => {}
    }
}

fn attribute_value(tag: &str, name: &str, value: &str, based: bool, found: &mut Found) {
    if name.len() > 2 && name.starts_with("on") && name.bytes().all(|b| b.is_ascii_alphabetic()) {
        found.add(
            &EVENT_HANDLER,
            format!("<{tag} {name}=\"{}\">", snippet(value, 30)),
        );
        return;
    }
    if !URL_ATTRIBUTES.contains(&name) {
        return;
    }
    let url = value.trim();
    let scheme_free: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    if scheme_free.to_ascii_lowercase().starts_with("javascript:") {
        found.add(
            &JAVASCRIPT_URL,
            format!("<{tag} {name}=\"{}\">", snippet(url, 40)),
        );
    } else if !based && is_relative(url) {
        found.add(
            &RELATIVE_URL,
            format!("<{tag} {name}=\"{}\">", snippet(url, 60)),
        );
    }
}

/// Whether a URL needs a base to resolve: not empty, not a fragment, and without a scheme
/// (RFC 3986 §3.1: a letter, then letters, digits, `+`, `-` or `.`, then `:`). Checked by
/// hand: entries hold thousands of links, and a full URL parse of each is the slow part.
fn is_relative(url: &str) -> bool {
    if url.is_empty() || url.starts_with('#') {
        return false;
    }
    let scheme_end = url.find(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)));
    let has_scheme = url.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme_end.is_some_and(|end| url[end..].starts_with(':'));
    !has_scheme
}

fn has_base(el: &El) -> bool {
    el.attr_ns(Some(ns::XML), "base").is_some()
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{fired, fires, quiet, replaced};

    const RSS: &str = r##"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>t</title><link>https://example.org/</link><description>d</description>
    <atom:link href="https://example.org/rss.xml" rel="self" type="application/rss+xml"/>
    <item>
      <guid>https://example.org/1</guid>
      <description>&lt;p&gt;Hi &lt;a href="#top"&gt;top&lt;/a&gt;&lt;/p&gt;</description>
      <content:encoded><![CDATA[<p><a href="https://example.org/x">x</a> <img src="https://example.org/i.jpg" alt=""> <a href="mailto:a@example.org">mail</a></p>]]></content:encoded>
    </item>
  </channel>
</rss>"##;

    const ATOM: &str = r#"<feed xmlns="http://www.w3.org/2005/Atom">
  <title>t</title><id>https://example.org/a</id><updated>2026-03-01T00:00:00Z</updated>
  <author><name>A</name></author><link rel="self" href="https://example.org/a"/>
  <entry xml:base="https://example.org/posts/">
    <title>e</title><id>https://example.org/e</id><updated>2026-03-01T00:00:00Z</updated>
    <link href="https://example.org/e"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p><img src="a.jpg"/></p></div></content>
  </entry>
</feed>"#;

    const JSON: &str = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t",
      "home_page_url": "https://example.org/", "feed_url": "https://example.org/feed.json",
      "items": [{"id": "1", "content_html": "<p>hi</p>"}]}"#;

    #[test]
    fn clean_documents_fire_nothing() {
        assert_eq!(fired(RSS.as_bytes()), Vec::<&str>::new());
        assert_eq!(fired(ATOM.as_bytes()), Vec::<&str>::new());
        assert_eq!(fired(JSON.as_bytes()), Vec::<&str>::new());
    }

    #[test]
    fn scripts_frames_and_handlers_in_every_format() {
        fires(
            "content/script",
            &replaced(RSS, "<p><a", "<script>alert(1)</script><p><a"),
        );
        fires(
            "content/script",
            &replaced(
                JSON,
                "<p>hi</p>",
                "<embed src=\\\"https://example.org/x.swf\\\">",
            ),
        );
        fires(
            "content/iframe",
            &replaced(
                RSS,
                "&lt;p&gt;Hi",
                "&lt;iframe src=\"https://example.org/v\"&gt;&lt;/iframe&gt;&lt;p&gt;Hi",
            ),
        );
        fires(
            "content/event-handler",
            &replaced(RSS, r#"alt="""#, r#"alt="" onerror="steal()""#),
        );
        fires(
            "content/event-handler",
            &replaced(
                ATOM,
                r#"<img src="a.jpg"/>"#,
                r#"<img src="a.jpg" onload="x()"/>"#,
            ),
        );
        fires(
            "content/javascript-url",
            &replaced(RSS, "https://example.org/x", "java\tscript:alert(1)"),
        );
        quiet("content/script", RSS.as_bytes());
    }

    #[test]
    fn what_counts_as_relative() {
        for relative in [
            "/a.jpg",
            "a.jpg",
            "../x",
            "//cdn.example/a.jpg",
            "?q=1",
            "1a:b",
        ] {
            assert!(super::is_relative(relative), "{relative}");
        }
        for absolute in [
            "https://a.example/",
            "mailto:a@example.org",
            "data:image/png;base64,",
            "tel:+31",
            "#top",
            "",
        ] {
            assert!(!super::is_relative(absolute), "{absolute}");
        }
    }

    #[test]
    fn relative_urls_unless_atom_declares_a_base() {
        fires(
            "content/relative-url",
            &replaced(RSS, "https://example.org/i.jpg", "/i.jpg"),
        );
        fires(
            "content/relative-url",
            &replaced(JSON, "<p>hi</p>", "<a href=\\\"../x\\\">x</a>"),
        );
        fires(
            "content/relative-url",
            &replaced(ATOM, r#" xml:base="https://example.org/posts/""#, ""),
        );
        quiet("content/relative-url", RSS.as_bytes());
        quiet("content/relative-url", ATOM.as_bytes());
    }
}

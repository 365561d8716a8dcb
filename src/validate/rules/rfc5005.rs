//! `rfc5005/…`: feed paging and archiving (RFC 5005): a complete feed carries no paging
//! links and is not also an archive, an archive document links to the current feed,
//! the marker elements are empty, and paging links are absolute. Runs on RSS channels
//! (links as `atom:link`) and Atom feeds.

use super::super::tree::{El, snippet};
use super::super::{Checker, Document, Rule, Severity, is_absolute_http};
use crate::ingest::feed::ns;

pub const COMPLETE_PAGED: Rule = Rule {
    id: "rfc5005/complete-paged",
    severity: Severity::Error,
    summary: "A complete feed (`fh:complete`) has no paging or archive links.",
    reference: "RFC 5005 §2 Complete Feeds, https://www.rfc-editor.org/rfc/rfc5005#section-2",
    explain: "`fh:complete` tells readers the document holds every entry, so they replace \
              their copy with it. Links to next, previous or archive pages contradict that, \
              and readers disagree on which to believe. Drop `fh:complete` from paged feeds, \
              or drop the paging links.",
};

pub const ARCHIVE_COMPLETE: Rule = Rule {
    id: "rfc5005/archive-complete",
    severity: Severity::Error,
    summary: "A document is not both an archive (`fh:archive`) and complete (`fh:complete`).",
    reference: "RFC 5005 §2 and §4 Archived Feeds, https://www.rfc-editor.org/rfc/rfc5005#section-4",
    explain: "An archive document is one fixed page of a larger history; a complete feed is \
              the whole history. Mark the document as one or the other.",
};

pub const ARCHIVE_CURRENT: Rule = Rule {
    id: "rfc5005/archive-current",
    severity: Severity::Warning,
    summary: "An archive document (`fh:archive`) links to the subscription feed with `rel=\"current\"`.",
    reference: "RFC 5005 §4 Archived Feeds (archive documents SHOULD contain a current link), https://www.rfc-editor.org/rfc/rfc5005#section-4",
    explain: "A reader that lands on an archive page needs the `current` link to find the \
              feed to subscribe to. Add `<atom:link rel=\"current\" href=\"…feed URL…\"/>`.",
};

pub const MARKER_EMPTY: Rule = Rule {
    id: "rfc5005/marker-empty",
    severity: Severity::Error,
    summary: "`fh:complete` and `fh:archive` are empty elements.",
    reference: "RFC 5005 §2 and §4, https://www.rfc-editor.org/rfc/rfc5005#section-2",
    explain: "The markers carry meaning by being present; content such as \
              `<fh:complete>false</fh:complete>` still marks the feed complete. Remove the \
              element instead of giving it a value.",
};

pub const LINK_HREF: Rule = Rule {
    id: "rfc5005/link-href",
    severity: Severity::Error,
    summary: "Paging and archive links (`first`, `last`, `next`, `previous`, `prev-archive`, `next-archive`, `current`) have absolute http(s) `href`s.",
    reference: "RFC 5005 §3 Paged Feeds and §4 Archived Feeds, https://www.rfc-editor.org/rfc/rfc5005#section-3",
    explain: "Readers follow these links to fetch more of the feed; a missing or relative \
              `href` (RSS has no base URL) ends the walk. Write full `https://…` URLs.",
};

pub const RULES: &[Rule] = &[
    COMPLETE_PAGED,
    ARCHIVE_COMPLETE,
    ARCHIVE_CURRENT,
    MARKER_EMPTY,
    LINK_HREF,
];

const PAGING: &[&str] = &[
    "first",
    "last",
    "next",
    "previous",
    "prev",
    "prev-archive",
    "next-archive",
];

pub fn check(doc: &Document, cx: &mut Checker) {
    let Document::Xml(doc) = doc else { return };
    let root = &doc.root;
    let container = if root.is(None, "rss") {
        match root.child(None, "channel") {
            Some(channel) => channel,
            None => return,
        }
    } else if root.in_ns(ns::ATOM10) && root.name == "feed" {
        root
    } else {
        return;
    };
    let history = Some(ns::FEED_HISTORY);
    let complete = container.child(history, "complete");
    let archive = container.child(history, "archive");
    for marker in [complete, archive].into_iter().flatten() {
        if !marker.trimmed().is_empty() || !marker.children.is_empty() {
            cx.report(
                &MARKER_EMPTY,
                Some(marker),
                None,
                format!(
                    "<{}> holds \"{}\"",
                    marker.qname(),
                    snippet(marker.trimmed(), 20)
                ),
            );
        }
    }
    let links: Vec<(&str, &El)> = container
        .children
        .iter()
        .filter(|el| el.in_ns(ns::ATOM10) && el.name == "link")
        .filter_map(|el| el.attr("rel").map(|rel| (rel.trim(), el)))
        .collect();
    if let (Some(complete), Some(_)) = (complete, archive) {
        cx.report(
            &ARCHIVE_COMPLETE,
            Some(complete),
            None,
            "both fh:complete and fh:archive",
        );
    }
    if let Some(complete) = complete {
        let paging: Vec<&str> = links
            .iter()
            .filter(|(rel, _)| PAGING.contains(rel))
            .map(|(rel, _)| *rel)
            .collect();
        if !paging.is_empty() {
            cx.report(
                &COMPLETE_PAGED,
                Some(complete),
                None,
                format!("fh:complete with paging links: {}", paging.join(", ")),
            );
        }
    }
    if let Some(archive) = archive
        && !links.iter().any(|(rel, _)| *rel == "current")
    {
        cx.report(
            &ARCHIVE_CURRENT,
            Some(archive),
            None,
            "fh:archive without a rel=\"current\" link",
        );
    }
    for (rel, link) in &links {
        if !PAGING.contains(rel) && *rel != "current" {
            continue;
        }
        match link.attr("href").map(str::trim) {
            Some(href) if is_absolute_http(href) => {}
            Some(href) => cx.report(
                &LINK_HREF,
                Some(link),
                None,
                format!(
                    "rel=\"{rel}\" href \"{}\" is not an absolute http(s) URL",
                    snippet(href, 60)
                ),
            ),
            None => cx.report(
                &LINK_HREF,
                Some(link),
                None,
                format!("rel=\"{rel}\" without href"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{fired, fires, quiet, replaced};

    const CLEAN: &str = r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:fh="http://purl.org/syndication/history/1.0">
  <channel>
    <title>Notes</title><link>https://example.org/</link><description>d</description>
    <atom:link href="https://example.org/rss.xml" rel="self" type="application/rss+xml"/>
    <fh:archive/>
    <atom:link href="https://example.org/rss.xml" rel="current"/>
    <atom:link href="https://example.org/archive/2025.xml" rel="prev-archive"/>
  </channel>
</rss>"#;

    const ATOM_COMPLETE: &str = r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:fh="http://purl.org/syndication/history/1.0">
  <title>t</title><id>https://example.org/a</id><updated>2026-03-01T00:00:00Z</updated>
  <author><name>A</name></author><link rel="self" href="https://example.org/a"/>
  <fh:complete/>
</feed>"#;

    #[test]
    fn clean_archive_and_complete_feeds_fire_nothing() {
        assert_eq!(fired(CLEAN.as_bytes()), Vec::<&str>::new());
        assert_eq!(fired(ATOM_COMPLETE.as_bytes()), Vec::<&str>::new());
    }

    #[test]
    fn complete_feeds_do_not_page() {
        fires(
            "rfc5005/complete-paged",
            &replaced(
                ATOM_COMPLETE,
                "<fh:complete/>",
                r#"<fh:complete/><link rel="next" href="https://example.org/2"/>"#,
            ),
        );
        fires(
            "rfc5005/archive-complete",
            &replaced(CLEAN, "<fh:archive/>", "<fh:archive/><fh:complete/>"),
        );
        quiet("rfc5005/complete-paged", CLEAN.as_bytes());
    }

    #[test]
    fn archives_markers_and_links() {
        fires(
            "rfc5005/archive-current",
            &replaced(CLEAN, r#"rel="current""#, r#"rel="alternate""#),
        );
        fires(
            "rfc5005/marker-empty",
            &replaced(
                ATOM_COMPLETE,
                "<fh:complete/>",
                "<fh:complete>false</fh:complete>",
            ),
        );
        fires(
            "rfc5005/link-href",
            &replaced(
                CLEAN,
                "https://example.org/archive/2025.xml",
                "/archive/2025.xml",
            ),
        );
        quiet("rfc5005/link-href", CLEAN.as_bytes());
    }
}

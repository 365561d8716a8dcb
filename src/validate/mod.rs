//! `omroep validate`: offline rules for every feed format omroep reads and writes (issue 6).
//!
//! A document (bytes from a file, standard input, a URL or a build in memory) becomes a
//! [`Document`]: a strict XML tree (`tree.rs`) or a JSON value. Every rule family in
//! `rules/` then looks at it through a [`Checker`], which collects [`Finding`]s; each
//! finding names a [`Rule`] (stable id, severity, spec reference, explanation), the target,
//! the entry (guid or title) and the line. This module owns the types and the run; the
//! families own the rules; `output.rs` prints findings as text, JSON or SARIF; the command
//! lives in `commands/validate.rs` and `build` calls [`validate`] on what it writes.

pub mod image;
pub mod online;
pub mod output;
pub mod rules;
pub mod tree;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ledger::Ledger;
use tree::El;

/// How bad a finding is: errors fail the run (and the build), warnings fail it only
/// under `--strict`, information never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One rule: what `--explain` prints and what every finding points to.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, `family/name` (`rss/guid-unique`).
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what the rule asks for.
    pub summary: &'static str,
    /// The spec section or directory rule (a URL, or a section name and URL).
    pub reference: &'static str,
    /// The full text and how to fix it.
    pub explain: &'static str,
}

/// One problem found in one document.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    /// The file, URL or feed name checked.
    pub target: String,
    /// The guid or title of the item it concerns, if any.
    pub entry: Option<String>,
    pub line: Option<u32>,
    /// One line, with the values found.
    pub message: String,
}

impl Finding {
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
}

/// A document ready for the rule families; an XML tree borrows from the decoded text.
#[derive(Debug, Clone)]
pub enum Document<'t> {
    Xml(tree::XmlDoc<'t>),
    Json(serde_json::Value),
}

/// What the families may know beyond the document itself.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Whether the `--online` checks run (they fetch media, artwork and the feed).
    pub online: bool,
    /// Where the document is (or will be) published, when known.
    pub feed_url: Option<String>,
    /// Folder that relative local paths are read from (the feed file's folder).
    pub base_dir: Option<PathBuf>,
    /// Local files known to hold what a URL serves (a build's artwork and media), so
    /// offline checks can read them: URL → file.
    pub local_files: BTreeMap<String, PathBuf>,
    /// The publish ledger and the feed's name in it, for the `identity/…` rules.
    pub identity: Option<Identity>,
    /// The time dates are judged against (`implausible`); the clock when `None`.
    pub now: Option<DateTime<Utc>>,
    /// Set by `build`: the artwork it serves from its own files (`local_files`: the
    /// feed's artwork, episode images, embedded covers) was checked against Apple's
    /// numbers (format, size, square, colour) while the site was read, and reported with
    /// the file and field to fix, so the rendered feed's copy of those findings would only
    /// repeat them. Other artwork a built feed names is still judged.
    pub artwork_checked_on_read: bool,
}

/// The ledger view the identity rules compare a feed against.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The feed's name in the ledger (its file name in `feeds/`, without `.toml`).
    pub feed: String,
    pub ledger: Ledger,
}

/// Collects the findings of one document.
pub struct Checker<'a> {
    target: String,
    pub context: &'a Context,
    findings: Vec<Finding>,
}

impl<'a> Checker<'a> {
    pub fn new(target: impl Into<String>, context: &'a Context) -> Checker<'a> {
        Checker {
            target: target.into(),
            context,
            findings: Vec::new(),
        }
    }

    /// The file, URL or feed name being checked.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Records a finding of `rule` at `el` (its line), for `entry` (guid or title).
    pub fn report(
        &mut self,
        rule: &'static Rule,
        el: Option<&El>,
        entry: Option<&str>,
        message: impl Into<String>,
    ) {
        self.report_at(rule, el.map(|el| el.line), entry, message);
    }

    /// Records a finding at a line known without an element.
    pub fn report_at(
        &mut self,
        rule: &'static Rule,
        line: Option<u32>,
        entry: Option<&str>,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            rule,
            target: self.target.clone(),
            entry: entry.map(str::to_string),
            line,
            message: message.into(),
        });
    }

    /// The time dates are judged against.
    pub fn now(&self) -> DateTime<Utc> {
        self.context.now.unwrap_or_else(Utc::now)
    }

    /// The findings so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// Checks one document's bytes with every rule family; findings come back in the order
/// of their lines (document-wide ones first), then rule ids.
pub fn validate(target: &str, bytes: &[u8], context: &Context) -> Vec<Finding> {
    let mut cx = Checker::new(target, context);
    with_document(bytes, &mut cx, |document, cx| {
        for family in rules::FAMILIES {
            (family.check)(document, cx);
        }
    });
    let mut findings = cx.into_findings();
    findings.sort_by(|a, b| {
        (a.line, a.rule.id, &a.entry, &a.message).cmp(&(b.line, b.rule.id, &b.entry, &b.message))
    });
    findings
}

/// Decodes and parses the bytes and hands the document to `check` (an XML tree borrows
/// the decoded text, which lives only as long as this call); what makes that impossible
/// is reported as a finding (`xml/well-formed`, `json/syntax`) and gives no document.
pub fn with_document<R>(
    bytes: &[u8],
    cx: &mut Checker,
    check: impl FnOnce(&Document, &mut Checker) -> R,
) -> Option<R> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') || first == Some(&b'[') {
        let document = Document::Json(rules::json::load(body, cx)?);
        return Some(check(&document, cx));
    }
    let text = rules::xml::text(bytes, cx);
    let document = Document::Xml(rules::xml::tree(&text, cx)?);
    Some(check(&document, cx))
}

/// The label findings use for an RSS item or Atom entry: its guid/id, else its title.
/// Borrowed from the tree: every rule family asks for every item's label, and only the
/// few items with a finding need it as a string of their own.
pub fn entry_label<'a>(item: &'a El<'_>) -> Option<&'a str> {
    ["guid", "id", "title"].iter().find_map(|name| {
        item.children
            .iter()
            .find(|child| child.name == *name && !child.trimmed().is_empty())
            .map(El::trimmed)
    })
}

/// Whether `text` is an absolute `http`/`https` URL with a host.
pub fn is_absolute_http(text: &str) -> bool {
    let text = text.trim();
    plainly_absolute_http(text) || parsed_absolute_http(text)
}

/// The URL parser's verdict on `text` as an absolute `http`/`https` URL with a host:
/// `is_absolute_http`'s slow path, for what [`plainly_absolute_http`] leaves to it.
fn parsed_absolute_http(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

/// Whether `text` is, by its shape alone, an `http`/`https` URL that the URL parser
/// accepts with a host: a lowercase scheme, then a host of lowercase letters, digits,
/// dots and hyphens whose last label starts with a letter (so it is a domain, never an
/// IPv4 address the parser may refuse) and no label starts with `xn--` (punycode, which
/// may not decode), then nothing or a path, query or fragment (which the parser
/// percent-encodes and never refuses). Every link, guid and enclosure of a built feed
/// has this shape, and parsing them was an eighth of the validation of a combined feed;
/// anything else is left to the parser.
fn plainly_absolute_http(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return false;
    };
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let host = &rest[..end];
    if !host
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return false;
    }
    if host.split('.').any(|label| label.starts_with("xn--")) {
        return false;
    }
    host.split('.')
        .rev()
        .find(|label| !label.is_empty())
        .is_some_and(|last| last.as_bytes()[0].is_ascii_lowercase())
}

/// Whether any finding fails the run: an error, or under `strict` a warning.
pub fn fails(findings: &[Finding], strict: bool) -> bool {
    findings.iter().any(|finding| match finding.severity() {
        Severity::Error => true,
        Severity::Warning => strict,
        Severity::Info => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The URL parser's own verdict, which `is_absolute_http` gave before its shortcut.
    fn parsed(text: &str) -> bool {
        parsed_absolute_http(text.trim())
    }

    /// The shortcut says yes only where the parser does, on URLs built from pieces that
    /// each test one of its conditions (every combination of them), and on the cases
    /// the parser refuses or reads as something else.
    #[test]
    fn the_shortcut_agrees_with_the_url_parser() {
        let schemes = [
            "http://", "https://", "HTTP://", "ftp://", "http:/", "", "http:",
        ];
        let hosts = [
            "example.org",
            "a",
            "a.b-c.d",
            "example.",
            "example..org",
            ".example",
            "-a.b",
            "1.2.3.4",
            "999.1.1.1",
            "example.123",
            "example.0x1f",
            "0x7f",
            "xn--nxasmq6b.com",
            "a.xn--zz",
            "xn--",
            "EXAMPLE.org",
            "ex ample.org",
            "ex_ample.org",
            "",
            "a@b.org",
            "a:80",
            "a:99999",
            "[::1]",
            "ex%41mple.org",
            "münchen.de",
            "a..",
            "...",
        ];
        let tails = ["", "/", "/a b/c?d=e#f", "?q", "#f", "/\\x", "/%zz", "/é"];
        let mut agreed = 0;
        for scheme in schemes {
            for host in hosts {
                for tail in tails {
                    for pad in ["", " ", "\t"] {
                        let text = format!("{pad}{scheme}{host}{tail}{pad}");
                        let trimmed = text.trim();
                        if plainly_absolute_http(trimmed) {
                            assert!(
                                parsed(&text),
                                "{text:?}: the shortcut says yes, the parser no"
                            );
                            agreed += 1;
                        }
                        assert_eq!(is_absolute_http(&text), parsed(&text), "{text:?}");
                    }
                }
            }
        }
        // The shortcut did take the common case.
        assert!(agreed > 100, "{agreed}");
        assert!(plainly_absolute_http("https://bench.example/nl/2007/post/"));
        assert!(!plainly_absolute_http("https://example.123/"));
        assert!(!is_absolute_http("https://999.1.1.1/"));
        assert!(is_absolute_http(" http://1.2.3.4/x "));
    }
}

/// Helpers for the rule families' tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use chrono::TimeZone;

    /// The clock rules judge test documents against: 2026-06-01.
    pub fn context() -> Context {
        Context {
            now: Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).single(),
            ..Context::default()
        }
    }

    /// The ids of every finding on `bytes`.
    pub fn fired(bytes: &[u8]) -> Vec<&'static str> {
        validate("test", bytes, &context())
            .iter()
            .map(|finding| finding.rule.id)
            .collect()
    }

    /// `clean` with the first `from` replaced by `to` (which must occur).
    #[track_caller]
    pub fn replaced(clean: &str, from: &str, to: &str) -> Vec<u8> {
        assert!(clean.contains(from), "{from:?} is not in the document");
        clean.replacen(from, to, 1).into_bytes()
    }

    /// Asserts that rule `id` fires on `bytes`.
    #[track_caller]
    pub fn fires(id: &str, bytes: &[u8]) {
        let findings = validate("test", bytes, &context());
        assert!(
            findings.iter().any(|finding| finding.rule.id == id),
            "{id} should fire on {:?}; got {:?}",
            String::from_utf8_lossy(bytes),
            findings
                .iter()
                .map(|f| format!("{}: {}", f.rule.id, f.message))
                .collect::<Vec<_>>()
        );
    }

    /// Asserts that rule `id` does not fire on `bytes`.
    #[track_caller]
    pub fn quiet(id: &str, bytes: &[u8]) {
        let findings = validate("test", bytes, &context());
        let hits: Vec<_> = findings
            .iter()
            .filter(|finding| finding.rule.id == id)
            .map(|finding| finding.message.clone())
            .collect();
        assert!(
            hits.is_empty(),
            "{id} should not fire on {:?}: {hits:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

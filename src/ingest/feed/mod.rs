//! Feed documents in any dialect → [`Feed`].
//!
//! The entry point [`parse`] checks the size, decodes the bytes (`decode.rs`: BOM, XML
//! declaration, HTTP charset), sniffs the document and dispatches: a leading `{` is JSON
//! Feed (`jsonfeed.rs`); an HTML page is refused with the feed links it advertises
//! (`html_page.rs`); anything else goes through the lenient XML reader (`xml.rs`) and is
//! dispatched on its root element — `rss` to `rss.rs` (RSS 0.9x and 2.0; an `<rss>`
//! without a version is RSS 2.0), `rdf:RDF` to `rss.rs` (RSS 1.0 and 0.90), `feed` to
//! `atom.rs` (Atom 1.0 or 0.3 by namespace, else by `version`). The `itunes:`,
//! `podcast:`, `media:`, Dublin Core and `content:` elements are read in
//! `namespaces.rs`, which both XML mappers call. `finish.rs` assigns entry identities and
//! reports what concerns the whole feed. The file name never matters.

mod atom;
mod base64;
pub(crate) mod charset;
mod codepages;
mod context;
pub mod decode;
pub mod dom;
mod finish;
mod html_page;
mod jsonfeed;
mod namespaces;
pub mod ns;
mod person;
mod rss;
mod scan;
pub mod xml;

use context::Ctx;
use dom::Element;

use crate::model::{Feed, Format};
use crate::normalise;

/// The default cap on a document's size: 50 MiB.
pub const DEFAULT_MAX_BYTES: usize = 50 * 1024 * 1024;

/// How to read one document.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Documents larger than this are refused.
    pub max_bytes: usize,
    /// The URL the document was fetched from: the last base for relative URLs.
    pub base_url: Option<url::Url>,
    /// The `charset` parameter of the HTTP `Content-Type`, when fetched over HTTP.
    pub http_charset: Option<String>,
    /// The HTTP `Content-Language`: the feed's language when the document names none.
    pub http_language: Option<String>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            base_url: None,
            http_charset: None,
            http_language: None,
        }
    }
}

/// Why a document could not be read as a feed at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error(
        "document is {size} bytes, over the limit of {limit} bytes; raise --max-bytes if it is really a feed"
    )]
    TooLarge { size: usize, limit: usize },
    #[error("document is empty")]
    Empty,
    #[error("got an HTML page, not a feed{}", alternates_hint(.alternates))]
    Html { alternates: Vec<String> },
    #[error("not a feed: {0}")]
    NotAFeed(String),
    #[error("not valid XML: {0}")]
    Xml(String),
    #[error("not valid JSON Feed: {0}")]
    Json(String),
}

fn alternates_hint(alternates: &[String]) -> String {
    if alternates.is_empty() {
        "; it links to no feed (no <link rel=\"alternate\">)".to_string()
    } else {
        format!("; use one of its feeds: {}", alternates.join(", "))
    }
}

/// Parses one feed document in any supported dialect.
pub fn parse(bytes: &[u8], options: &ParseOptions) -> Result<Feed, ParseError> {
    if bytes.len() > options.max_bytes {
        return Err(ParseError::TooLarge {
            size: bytes.len(),
            limit: options.max_bytes,
        });
    }
    // A server that sends gzip without saying so in Content-Encoding (or a `.gz` file
    // given by mistake) would otherwise be reported as broken XML quoting binary bytes.
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Err(ParseError::NotAFeed(
            "the document is gzip-compressed data; decompress it first".to_string(),
        ));
    }
    let decoded = decode::decode(bytes, options.http_charset.as_deref());
    parse_text(&decoded.text, decoded.warnings, options)
}

/// Sniffs decoded text and maps it; `warnings` are those of decoding.
fn parse_text(
    text: &str,
    warnings: Vec<String>,
    options: &ParseOptions,
) -> Result<Feed, ParseError> {
    let text = text.trim_start_matches('\u{feff}');
    let start = text.trim_start();
    if start.is_empty() {
        return Err(ParseError::Empty);
    }
    let mut ctx = Ctx::new(options.base_url.as_ref());
    ctx.warnings = warnings;
    let mut feed = if start.starts_with('{') {
        jsonfeed::map_json(start, options.base_url.as_ref(), &mut ctx)?
    } else if html_page::is_html(text) {
        return Err(ParseError::Html {
            alternates: html_page::alternates(text, options.base_url.as_ref()),
        });
    } else {
        let source = xml::Source::new(text);
        let mut document = xml::read(&source, options.base_url.as_ref())?;
        ctx.warnings.append(&mut document.warnings);
        map_xml(document.root(), text, options, &mut ctx)?
    };
    if feed.language.is_none() {
        // Only the first tag of a list ("nl, en") says what the document is in.
        feed.language = options
            .http_language
            .as_deref()
            .and_then(|languages| languages.split(',').next())
            .and_then(normalise::language::normalise);
    }
    finish::finish(&mut feed, &mut ctx);
    feed.warnings = ctx.into_warnings();
    Ok(feed)
}

/// Dispatches an XML document on its root element.
fn map_xml(
    root: Element<'_>,
    text: &str,
    options: &ParseOptions,
    ctx: &mut Ctx,
) -> Result<Feed, ParseError> {
    let name = root.name.to_ascii_lowercase();
    let feed = match (root.ns(), name.as_str()) {
        (Some(ns::RDF), "rdf") => rss::map_rdf(root, text, ctx),
        (_, "rss") => rss::map_rss(root, ctx),
        (Some(ns::ATOM10), "feed") => atom::map_atom(root, Format::Atom10, ctx),
        (Some(ns::ATOM03), "feed") => atom::map_atom(root, Format::Atom03, ctx),
        (Some(ns::ATOM10), "entry") => atom::map_entry_document(root, Format::Atom10, ctx),
        (Some(ns::ATOM03), "entry") => atom::map_entry_document(root, Format::Atom03, ctx),
        (_, "feed") => {
            // Pre-1.0 Atom lived under several provisional namespaces (or none).
            let format = match root.attr("version").map(str::trim) {
                Some("0.1" | "0.2" | "0.3") => Format::Atom03,
                _ => Format::Atom10,
            };
            ctx.warn(format!(
                "the feed element is not in an Atom namespace; read as {}",
                format.as_str()
            ));
            atom::map_atom(root, format, ctx)
        }
        (_, "channel") => {
            ctx.warn("the document is a bare <channel> without <rss>; read as RSS 2.0");
            rss::map_rss(root, ctx)
        }
        (_, "html") => {
            return Err(ParseError::Html {
                alternates: html_page::alternates(text, options.base_url.as_ref()),
            });
        }
        _ => {
            let written = match &root.prefix {
                Some(prefix) => format!("{prefix}:{}", root.name),
                None => root.name.to_string(),
            };
            return Err(ParseError::NotAFeed(format!(
                "the root element is <{written}>, not <rss>, <rdf:RDF> or <feed>"
            )));
        }
    };
    Ok(feed)
}

#[cfg(test)]
mod tests;

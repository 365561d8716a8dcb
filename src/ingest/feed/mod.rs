//! Feed documents in any dialect → [`Feed`].
//!
//! The entry point [`parse`] decodes the bytes (`decode.rs`), sniffs the document — a
//! leading `{` is JSON Feed, anything else goes through the lenient XML reader
//! (`xml.rs`) — and dispatches on the root element to the dialect mapper (`rss.rs` for
//! RSS 0.9x/1.0/2.0, `atom.rs` for Atom 0.3/1.0, `jsonfeed.rs`). The `itunes:`,
//! `podcast:`, `media:` and Dublin Core elements are read in `namespaces.rs`, which both
//! XML mappers call.

pub mod decode;
pub mod dom;
pub mod ns;
pub mod xml;

use crate::model::Feed;

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
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            base_url: None,
            http_charset: None,
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
    let decoded = decode::decode(bytes, options.http_charset.as_deref());
    let _ = decoded;
    Err(ParseError::NotAFeed("the parser is not written yet".into()))
}

//! Namespace URIs omroep reads, and the prefixes they are usually bound to.
//!
//! Feeds in the wild use prefixes they never declare (`itunes:` without `xmlns:itunes`);
//! the reader binds such a prefix to the URI listed here, with a warning. Matching is
//! always on the URI, never on the prefix written in the document.

pub const ATOM10: &str = "http://www.w3.org/2005/Atom";
pub const ATOM03: &str = "http://purl.org/atom/ns#";
pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
pub const RSS10: &str = "http://purl.org/rss/1.0/";
/// RSS 0.90 (Netscape's RDF vocabulary).
pub const RSS090: &str = "http://my.netscape.com/rdf/simple/0.9/";
/// Userland's namespace for RSS 0.91 written as RDF; rarely seen.
pub const RSS091_USERLAND: &str = "http://backend.userland.com/rss091";
pub const RSS2_USERLAND: &str = "http://backend.userland.com/rss2";
pub const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
pub const DC: &str = "http://purl.org/dc/elements/1.1/";
pub const DCTERMS: &str = "http://purl.org/dc/terms/";
pub const ITUNES: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
/// The Podcasting 2.0 namespace, as published by podcastindex.org.
pub const PODCAST: &str = "https://podcastindex.org/namespace/1.0";
/// The older URI of the same namespace, still found in many feeds.
pub const PODCAST_GITHUB: &str =
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md";
pub const MEDIA: &str = "http://search.yahoo.com/mrss/";
pub const XHTML: &str = "http://www.w3.org/1999/xhtml";
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";
pub const SYNDICATION: &str = "http://purl.org/rss/1.0/modules/syndication/";
pub const ADMIN: &str = "http://webns.net/mvcb/";
pub const SLASH: &str = "http://purl.org/rss/1.0/modules/slash/";
/// Feed paging and archiving (RFC 5005): `fh:complete`, `fh:archive`.
pub const FEED_HISTORY: &str = "http://purl.org/syndication/history/1.0";
pub const GOOGLEPLAY: &str = "http://www.google.com/schemas/play-podcasts/1.0";

/// The namespaces the reader and the mappers tell apart, as one byte: worked out once per
/// namespace URI in a document (the reader keeps it beside the URI) so that a test such
/// as "is this an RSS core element?" is a byte compare, not a string compare per element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Known {
    /// No namespace in scope.
    #[default]
    NoNamespace,
    Rss10,
    Rss090,
    Rss091Userland,
    Rss2Userland,
    Atom10,
    Atom03,
    Rdf,
    Content,
    Dc,
    Dcterms,
    Itunes,
    Podcast,
    Media,
    Xhtml,
    Xml,
    Admin,
    /// Any other URI.
    Other,
}

impl Known {
    /// The kind of a (canonical, see [`canonical`]) namespace URI.
    pub fn of(uri: Option<&str>) -> Known {
        let Some(uri) = uri else {
            return Known::NoNamespace;
        };
        match uri {
            RSS10 => Known::Rss10,
            RSS090 => Known::Rss090,
            RSS091_USERLAND => Known::Rss091Userland,
            RSS2_USERLAND => Known::Rss2Userland,
            ATOM10 => Known::Atom10,
            ATOM03 => Known::Atom03,
            RDF => Known::Rdf,
            CONTENT => Known::Content,
            DC => Known::Dc,
            DCTERMS => Known::Dcterms,
            ITUNES => Known::Itunes,
            PODCAST => Known::Podcast,
            MEDIA => Known::Media,
            XHTML => Known::Xhtml,
            XML => Known::Xml,
            ADMIN => Known::Admin,
            _ => Known::Other,
        }
    }
}

/// The URI a well-known prefix stands for when a document uses it without declaring it.
pub fn default_for_prefix(prefix: &str) -> Option<&'static str> {
    Some(match prefix.to_ascii_lowercase().as_str() {
        "atom" => ATOM10,
        "rdf" => RDF,
        "content" => CONTENT,
        "dc" => DC,
        "dcterms" => DCTERMS,
        "itunes" => ITUNES,
        "podcast" => PODCAST,
        "media" => MEDIA,
        "xhtml" => XHTML,
        "xml" => XML,
        "sy" => SYNDICATION,
        "admin" => ADMIN,
        "slash" => SLASH,
        "googleplay" => GOOGLEPLAY,
        _ => return None,
    })
}

/// Canonical form of a namespace URI: the variants real feeds write for the same
/// vocabulary map to one constant, so mappers compare against one value.
///
/// - both Podcasting 2.0 URIs → [`PODCAST`];
/// - the iTunes URI written with different case or `https`, or as the `example.com` URI
///   of an early Apple example → [`ITUNES`] (the URI is case-sensitive by the spec, but
///   readers accept the variants, and so do we);
/// - Media RSS with or without the trailing slash → [`MEDIA`];
/// - Atom 1.0 written as `https`/with a trailing slash → [`ATOM10`].
///
/// A URI longer than [`MAX_KNOWN_LENGTH`] bytes is returned as it is.
pub fn canonical(uri: &str) -> &str {
    // No known namespace is anywhere near this long, even written with spaces and a
    // scheme: a longer URI is returned as written, without trimming or lowercasing a
    // copy of it. Readers call this for every element in scope of a declaration, so a
    // hostile document's megabyte-long URI must cost nothing here.
    if uri.len() > MAX_KNOWN_LENGTH {
        return uri;
    }
    let trimmed = uri.trim();
    let lower = trimmed.to_ascii_lowercase();
    let lower = lower.trim_end_matches('/');
    let without_scheme = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
        .unwrap_or(lower);
    match without_scheme {
        "podcastindex.org/namespace/1.0" => PODCAST,
        "github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md" => PODCAST,
        "www.itunes.com/dtds/podcast-1.0.dtd" | "itunes.com/dtds/podcast-1.0.dtd" => ITUNES,
        // An early example in Apple's podcast specification declared this URI, and feeds
        // copied it; the Universal Feed Parser reads it as iTunes too.
        "example.com/dtds/podcast-1.0.dtd" => ITUNES,
        "search.yahoo.com/mrss" => MEDIA,
        "www.w3.org/2005/atom" => ATOM10,
        "purl.org/atom/ns#" => ATOM03,
        "purl.org/rss/1.0" => RSS10,
        "purl.org/rss/1.0/modules/content" => CONTENT,
        "purl.org/dc/elements/1.1" => DC,
        "purl.org/dc/terms" => DCTERMS,
        "my.netscape.com/rdf/simple/0.9" => RSS090,
        "www.w3.org/1999/02/22-rdf-syntax-ns#" => RDF,
        "www.w3.org/1999/xhtml" => XHTML,
        _ => trimmed,
    }
}

/// Longer than any URI [`canonical`] maps, written with `https://`, a trailing slash and
/// some surrounding white space (the longest, the GitHub Podcasting 2.0 URI, has 75 bytes).
pub const MAX_KNOWN_LENGTH: usize = 160;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_very_long_uri_is_returned_as_written() {
        let long = format!("  https://a.example/{}  ", "x".repeat(1 << 20));
        assert!(std::ptr::eq(canonical(&long), long.as_str()));
        let padded = format!("  {PODCAST_GITHUB}/  ");
        assert!(padded.len() <= MAX_KNOWN_LENGTH);
        assert_eq!(canonical(&padded), PODCAST);
        assert!(PODCAST_GITHUB.len() + "https://".len() + 8 < MAX_KNOWN_LENGTH);
    }

    #[test]
    fn both_podcast_uris_are_one_namespace() {
        assert_eq!(canonical(PODCAST_GITHUB), PODCAST);
        assert_eq!(
            canonical("https://podcastindex.org/namespace/1.0/"),
            PODCAST
        );
        assert_eq!(canonical(PODCAST), PODCAST);
    }

    #[test]
    fn itunes_variants_and_unknown_uris() {
        assert_eq!(
            canonical("http://www.itunes.com/DTDs/Podcast-1.0.dtd"),
            ITUNES
        );
        assert_eq!(canonical("http://example.com/DTDs/Podcast-1.0.dtd"), ITUNES);
        assert_eq!(
            canonical("https://example.org/ns"),
            "https://example.org/ns"
        );
        assert_eq!(default_for_prefix("itunes"), Some(ITUNES));
        assert_eq!(default_for_prefix("foo"), None);
    }

    #[test]
    fn known_namespaces_by_uri() {
        assert_eq!(Known::of(None), Known::NoNamespace);
        assert_eq!(Known::of(Some(ITUNES)), Known::Itunes);
        assert_eq!(Known::of(Some(canonical(PODCAST_GITHUB))), Known::Podcast);
        assert_eq!(Known::of(Some(RSS2_USERLAND)), Known::Rss2Userland);
        assert_eq!(Known::of(Some(XML)), Known::Xml);
        // Only the canonical spelling is known: the reader canonicalises first.
        assert_eq!(
            Known::of(Some("http://www.itunes.com/DTDs/Podcast-1.0.dtd")),
            Known::Other
        );
        assert_eq!(Known::of(Some("")), Known::Other);
    }
}

//! Element and attribute names without an allocation each: the names feeds (RSS, Atom,
//! their extensions) and the HTML inside them use come from a fixed vocabulary of
//! `&'static str`; only names outside it are copied to the heap.
//!
//! A feed of a thousand items otherwise allocates (and frees) a string for every element
//! and attribute name, a fifth of what building the tree costs.

use super::super::dom::Name;

/// The name as a [`Name`]: borrowed from the vocabulary when it is there (exact case),
/// copied otherwise. One hash and at most a few comparisons: this runs for every element
/// and attribute, and a binary search of the vocabulary cost as much as the allocation.
pub(super) fn name(written: &str) -> Name {
    if written.len() <= MAX_LEN {
        let mut slot = hash(written.as_bytes());
        loop {
            match TABLE[slot] {
                0 => break,
                entry => {
                    let known = NAMES[usize::from(entry) - 1];
                    if known == written {
                        return Name::Borrowed(known);
                    }
                }
            }
            slot = (slot + 1) & (SLOTS - 1);
        }
    }
    Name::Owned(written.to_string())
}

/// Longer names are never looked up (none in the vocabulary is longer).
const MAX_LEN: usize = 32;

/// Open-addressing table of `NAMES` (index + 1; 0 is an empty slot), built at compile
/// time; a quarter full, so a probe sequence is short.
const SLOTS: usize = 1024;
const TABLE: [u16; SLOTS] = build_table();

/// FNV-1a, reduced to a slot.
const fn hash(bytes: &[u8]) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    let mut at = 0;
    while at < bytes.len() {
        hash = (hash ^ bytes[at] as u32).wrapping_mul(0x0100_0193);
        at += 1;
    }
    (hash as usize) & (SLOTS - 1)
}

const fn build_table() -> [u16; SLOTS] {
    let mut table = [0u16; SLOTS];
    let mut index = 0;
    while index < NAMES.len() {
        assert!(NAMES[index].len() <= MAX_LEN);
        let mut slot = hash(NAMES[index].as_bytes());
        while table[slot] != 0 {
            slot = (slot + 1) & (SLOTS - 1);
        }
        table[slot] = index as u16 + 1;
        index += 1;
    }
    table
}

/// Sorted by bytes, without duplicates (a test checks), to keep it easy to read.
const NAMES: &[&str] = &[
    "RDF",
    "Seq",
    "a",
    "abbr",
    "about",
    "address",
    "admin",
    "align",
    "allow",
    "allowfullscreen",
    "alt",
    "alternateEnclosure",
    "article",
    "aspect-ratio",
    "atom",
    "audio",
    "author",
    "b",
    "base",
    "bitrate",
    "block",
    "blockquote",
    "border",
    "br",
    "caption",
    "category",
    "cellpadding",
    "cellspacing",
    "center",
    "channel",
    "chapters",
    "chat",
    "cite",
    "class",
    "cloud",
    "code",
    "col",
    "colgroup",
    "colspan",
    "comment",
    "commentRss",
    "comments",
    "community",
    "complete",
    "content",
    "contentLink",
    "contributor",
    "controls",
    "copyright",
    "countryOfOrigin",
    "coverage",
    "created",
    "creator",
    "credit",
    "customKey",
    "customValue",
    "date",
    "day",
    "dc",
    "dd",
    "del",
    "description",
    "dir",
    "div",
    "dl",
    "docs",
    "domain",
    "dt",
    "duration",
    "em",
    "email",
    "embed",
    "enclosure",
    "encoded",
    "end",
    "entry",
    "episode",
    "episodeType",
    "errorReportsTo",
    "explicit",
    "expression",
    "fee",
    "feed",
    "feedGuid",
    "feedUrl",
    "feedburner",
    "figcaption",
    "figure",
    "fileSize",
    "font",
    "footer",
    "format",
    "frameborder",
    "funding",
    "generator",
    "generatorAgent",
    "geo",
    "georss",
    "googleplay",
    "group",
    "guid",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hash",
    "header",
    "height",
    "hour",
    "hr",
    "href",
    "hreflang",
    "html",
    "i",
    "icon",
    "id",
    "identifier",
    "iframe",
    "image",
    "images",
    "img",
    "in-reply-to",
    "info",
    "ins",
    "integrity",
    "isClosedCaptioned",
    "isDefault",
    "isPermaLink",
    "issued",
    "item",
    "items",
    "itunes",
    "keywords",
    "label",
    "lang",
    "language",
    "lastBuildDate",
    "length",
    "li",
    "license",
    "link",
    "liveItem",
    "loading",
    "location",
    "locked",
    "logo",
    "managingEditor",
    "mark",
    "media",
    "medium",
    "method",
    "mode",
    "modified",
    "name",
    "nav",
    "new-feed-url",
    "ol",
    "order",
    "origEnclosureLink",
    "origLink",
    "osm",
    "owner",
    "p",
    "param",
    "path",
    "payment",
    "peerLink",
    "person",
    "picture",
    "player",
    "podcast",
    "podroll",
    "point",
    "port",
    "poster",
    "pre",
    "preload",
    "price",
    "protocol",
    "pubDate",
    "published",
    "publisher",
    "q",
    "rating",
    "rdf",
    "ref",
    "registerProcedure",
    "rel",
    "relation",
    "remoteItem",
    "resource",
    "restriction",
    "rights",
    "role",
    "rowspan",
    "rss",
    "s",
    "scene",
    "scenes",
    "scheme",
    "season",
    "section",
    "sizes",
    "skipDays",
    "skipHours",
    "slash",
    "small",
    "socialInteract",
    "soundbite",
    "source",
    "span",
    "split",
    "src",
    "srcset",
    "starRating",
    "start",
    "statistics",
    "status",
    "strike",
    "strong",
    "style",
    "sub",
    "subject",
    "subtitle",
    "summary",
    "summary_detail",
    "sup",
    "sy",
    "table",
    "tagline",
    "target",
    "tbody",
    "td",
    "term",
    "text",
    "textInput",
    "textinput",
    "tfoot",
    "th",
    "thead",
    "thr",
    "thumbnail",
    "time",
    "title",
    "total",
    "tr",
    "trailer",
    "transcript",
    "ttl",
    "txt",
    "type",
    "u",
    "ul",
    "updateBase",
    "updateFrequency",
    "updatePeriod",
    "updated",
    "uri",
    "url",
    "uuid",
    "valign",
    "value",
    "valueRecipient",
    "version",
    "video",
    "wbr",
    "webMaster",
    "wfw",
    "width",
    "xhtml",
    "xmlns",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_is_sorted_and_unique() {
        assert!(
            NAMES
                .windows(2)
                .all(|pair| pair[0].as_bytes() < pair[1].as_bytes())
        );
    }

    #[test]
    fn every_vocabulary_name_is_found() {
        for known in NAMES {
            assert!(matches!(name(known), Name::Borrowed(found) if found == *known));
        }
    }

    #[test]
    fn known_names_are_borrowed_and_others_copied() {
        for known in ["item", "pubDate", "enclosure", "RDF", "new-feed-url", "a"] {
            let found = name(known);
            assert!(matches!(found, Name::Borrowed(_)), "{known}");
            assert_eq!(found, known);
        }
        for other in ["pubdate", "Item", "x-custom", "", "zzzzz", &"a".repeat(40)] {
            let found = name(other);
            assert!(matches!(found, Name::Owned(_)), "{other}");
            assert_eq!(found, other);
        }
    }
}

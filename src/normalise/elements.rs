//! What omroep knows about each HTML element: whether the sanitiser keeps it, unwraps it
//! (drops the tag, keeps what is inside) or drops it with everything inside, and the few
//! facts the tree rules and plain-text conversion need (void, block, table part…).
//!
//! The policy, decided for feeds that end up on someone else's page:
//! - **Kept**: text structure and formatting, lists, tables, images, figures, `audio`/
//!   `video`/`picture`/`source`/`track`, ruby, and a few obsolete but inert elements
//!   older feeds still carry.
//! - **Dropped with their content**: `script` and `style` (raw text, never shown), and
//!   `template` and `svg`, whose content is inert markup or drawing code, not text.
//! - **Unwrapped**: everything else that is known, so its text survives: embedding
//!   (`iframe`, `object`, `embed`, `applet`, `frame`), `noscript` (its fallback content is
//!   exactly what a reader without scripts should see), forms and their controls (a
//!   third-party form on the index page is a phishing tool), `dialog` (positioned over
//!   the page when open), document-level elements, MathML (its text is the formula's best
//!   plain reading), and unknown elements.

/// What the sanitiser does with an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Keep,
    Unwrap,
    /// Drop the element and all its content; its content is raw text.
    DropRawText,
    /// Drop the element and all its content; its content is markup (track nesting).
    DropNested,
}

/// An element the table knows.
#[derive(Debug, PartialEq, Eq)]
pub struct Element {
    /// The canonical, lower-case name.
    pub name: &'static str,
    pub policy: Policy,
    flags: u16,
}

/// No end tag and no content (`br`, `img`).
pub const VOID: u16 = 1;
/// A start tag that closes an open `p` (HTML's "close a p element").
pub const CLOSES_P: u16 = 1 << 1;
/// `h1`–`h6`.
pub const HEADING: u16 = 1 << 2;
/// HTML's "special" category, where the search for an open `li`, `dd` or `dt` stops.
pub const SPECIAL: u16 = 1 << 3;
/// Bounds "button scope": an open `p` outside it is not closed by a block.
pub const SCOPE: u16 = 1 << 4;
/// `caption`, `colgroup`, `col`, `thead`, `tbody`, `tfoot`, `tr`, `td`, `th`.
pub const TABLE_PART: u16 = 1 << 5;
/// Separates words when converted to plain text.
pub const BREAK: u16 = 1 << 6;

impl Element {
    pub fn is(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}

const fn e(name: &'static str, policy: Policy, flags: u16) -> Element {
    Element {
        name,
        policy,
        flags,
    }
}

use Policy::{DropNested, DropRawText, Keep, Unwrap};

const BLOCK: u16 = CLOSES_P | SPECIAL | BREAK;

/// Sorted by name for binary search.
static ELEMENTS: &[Element] = &[
    e("a", Keep, 0),
    e("abbr", Keep, 0),
    e("acronym", Keep, 0),
    e("address", Keep, BLOCK),
    e("applet", Unwrap, SCOPE | SPECIAL),
    e("area", Keep, VOID | SPECIAL),
    e("article", Keep, BLOCK),
    e("aside", Keep, BLOCK),
    e("audio", Keep, 0),
    e("b", Keep, 0),
    e("base", Unwrap, VOID | SPECIAL),
    e("basefont", Unwrap, VOID | SPECIAL),
    e("bdi", Keep, 0),
    e("bdo", Keep, 0),
    e("bgsound", Unwrap, VOID | SPECIAL),
    e("big", Keep, 0),
    e("blink", Unwrap, 0),
    e("blockquote", Keep, BLOCK),
    e("body", Unwrap, SPECIAL | BREAK),
    e("br", Keep, VOID | SPECIAL | BREAK),
    e("button", Unwrap, SCOPE | SPECIAL),
    e("canvas", Keep, 0),
    e("caption", Keep, TABLE_PART | SCOPE | SPECIAL | BREAK),
    e("center", Keep, BLOCK),
    e("cite", Keep, 0),
    e("code", Keep, 0),
    e("col", Keep, VOID | TABLE_PART | SPECIAL),
    e("colgroup", Keep, TABLE_PART | SPECIAL),
    e("command", Unwrap, VOID),
    e("data", Keep, 0),
    e("datagrid", Keep, 0),
    e("datalist", Unwrap, 0),
    e("dd", Keep, BLOCK),
    e("del", Keep, 0),
    e("details", Keep, BLOCK),
    e("dfn", Keep, 0),
    e("dialog", Unwrap, BLOCK),
    e("dir", Keep, BLOCK),
    e("div", Keep, BLOCK),
    e("dl", Keep, BLOCK),
    e("dt", Keep, BLOCK),
    e("em", Keep, 0),
    e("embed", Unwrap, VOID | SPECIAL),
    e("event-source", Keep, 0),
    e("fieldset", Keep, BLOCK),
    e("figcaption", Keep, BLOCK),
    e("figure", Keep, BLOCK),
    e("font", Keep, 0),
    e("footer", Keep, BLOCK),
    e("form", Unwrap, BLOCK),
    e("frame", Unwrap, VOID | SPECIAL),
    e("frameset", Unwrap, SPECIAL | BREAK),
    e("h1", Keep, BLOCK | HEADING),
    e("h2", Keep, BLOCK | HEADING),
    e("h3", Keep, BLOCK | HEADING),
    e("h4", Keep, BLOCK | HEADING),
    e("h5", Keep, BLOCK | HEADING),
    e("h6", Keep, BLOCK | HEADING),
    e("head", Unwrap, SPECIAL | BREAK),
    e("header", Keep, BLOCK),
    e("hgroup", Keep, BLOCK),
    e("hr", Keep, VOID | BLOCK),
    e("html", Unwrap, SCOPE | SPECIAL | BREAK),
    e("i", Keep, 0),
    e("iframe", Unwrap, SPECIAL | BREAK),
    e("image", Unwrap, VOID),
    e("img", Keep, VOID | SPECIAL),
    e("input", Unwrap, VOID | SPECIAL),
    e("ins", Keep, 0),
    e("isindex", Unwrap, VOID | SPECIAL),
    e("kbd", Keep, 0),
    e("keygen", Unwrap, VOID | SPECIAL),
    e("label", Keep, 0),
    e("legend", Keep, BREAK),
    e("li", Keep, BLOCK),
    e("link", Unwrap, VOID | SPECIAL),
    e("listing", Unwrap, BLOCK),
    e("m", Keep, 0),
    e("main", Keep, BLOCK),
    e("map", Keep, 0),
    e("mark", Keep, 0),
    e("marquee", Unwrap, SCOPE | SPECIAL | BREAK),
    e("math", Unwrap, 0),
    e("menu", Keep, BLOCK),
    e("meta", Unwrap, VOID | SPECIAL),
    e("meter", Keep, 0),
    e("multicol", Keep, 0),
    e("nav", Keep, BLOCK),
    e("nextid", Keep, 0),
    e("nobr", Unwrap, 0),
    e("noembed", Unwrap, SPECIAL),
    e("noframes", Unwrap, SPECIAL),
    e("noscript", Unwrap, SPECIAL),
    e("object", Unwrap, SCOPE | SPECIAL),
    e("ol", Keep, BLOCK),
    e("optgroup", Unwrap, BREAK),
    e("option", Unwrap, BREAK),
    e("output", Keep, 0),
    e("p", Keep, BLOCK),
    e("param", Unwrap, VOID | SPECIAL),
    e("picture", Keep, 0),
    e("plaintext", Unwrap, BLOCK),
    e("pre", Keep, BLOCK),
    e("progress", Keep, 0),
    e("q", Keep, 0),
    e("rb", Keep, 0),
    e("rp", Keep, 0),
    e("rt", Keep, 0),
    e("rtc", Keep, 0),
    e("ruby", Keep, 0),
    e("s", Keep, 0),
    e("samp", Keep, 0),
    e("script", DropRawText, SPECIAL),
    e("search", Unwrap, BLOCK),
    e("section", Keep, BLOCK),
    e("select", Unwrap, SPECIAL | BREAK),
    e("slot", Unwrap, 0),
    e("small", Keep, 0),
    e("sound", Keep, 0),
    e("source", Keep, VOID | SPECIAL),
    e("spacer", Keep, 0),
    e("span", Keep, 0),
    e("strike", Keep, 0),
    e("strong", Keep, 0),
    e("style", DropRawText, SPECIAL),
    e("sub", Keep, 0),
    e("summary", Keep, BLOCK),
    e("sup", Keep, 0),
    e("svg", DropNested, 0),
    e("table", Keep, CLOSES_P | SCOPE | SPECIAL | BREAK),
    e("tbody", Keep, TABLE_PART | SPECIAL | BREAK),
    e("td", Keep, TABLE_PART | SCOPE | SPECIAL | BREAK),
    e("template", DropNested, SCOPE | SPECIAL),
    e("textarea", Unwrap, SPECIAL | BREAK),
    e("tfoot", Keep, TABLE_PART | SPECIAL | BREAK),
    e("th", Keep, TABLE_PART | SCOPE | SPECIAL | BREAK),
    e("thead", Keep, TABLE_PART | SPECIAL | BREAK),
    e("time", Keep, 0),
    e("title", Unwrap, SPECIAL | BREAK),
    e("tr", Keep, TABLE_PART | SPECIAL | BREAK),
    e("track", Keep, VOID | SPECIAL),
    e("tt", Keep, 0),
    e("u", Keep, 0),
    e("ul", Keep, BLOCK),
    e("var", Keep, 0),
    e("video", Keep, 0),
    e("wbr", Keep, VOID | SPECIAL),
    e("xmp", Unwrap, BLOCK),
];

/// Longest name in the table.
const MAX_NAME: usize = 12;

/// Looks an element up by name, case-insensitively; `None` for unknown names.
pub fn lookup(name: &str) -> Option<&'static Element> {
    if name.len() > MAX_NAME {
        return None;
    }
    let mut buffer = [0u8; MAX_NAME];
    let lower = &mut buffer[..name.len()];
    lower.copy_from_slice(name.as_bytes());
    lower.make_ascii_lowercase();
    let lower = std::str::from_utf8(lower).ok()?;
    ELEMENTS
        .binary_search_by(|element| element.name.cmp(lower))
        .ok()
        .map(|index| &ELEMENTS[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_names_fit() {
        assert!(ELEMENTS.windows(2).all(|pair| pair[0].name < pair[1].name));
        assert!(
            ELEMENTS
                .iter()
                .all(|element| element.name.len() <= MAX_NAME)
        );
    }

    #[test]
    fn lookup_ignores_case() {
        assert_eq!(lookup("P").map(|e| e.name), Some("p"));
        assert_eq!(
            lookup("ScRiPt").map(|e| e.policy),
            Some(Policy::DropRawText)
        );
        assert!(lookup("img").is_some_and(|e| e.is(VOID)));
        assert_eq!(lookup("blinkenlights-and-more"), None);
        assert_eq!(lookup("é"), None);
        assert_eq!(lookup("o:p"), None);
    }
}

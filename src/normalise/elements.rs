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
/// A start tag that may close open elements other than a `p`, a table part or a heading
/// (those have flags of their own): `a` and the ruby parts.
pub const MAKES_ROOM: u16 = 1 << 7;

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

/// Packs a name of at most 16 bytes, ASCII-lower-cased, into one integer whose order is
/// the names' alphabetical order: lookups in the hot path compare integers, not strings.
/// `None` for longer names and names holding a NUL byte, which no table holds.
pub const fn pack_lowercase(name: &[u8]) -> Option<u128> {
    if name.len() > 16 {
        return None;
    }
    let mut key: u128 = 0;
    let mut i = 0;
    while i < 16 {
        let byte = if i < name.len() {
            if name[i] == 0 {
                return None;
            }
            name[i].to_ascii_lowercase()
        } else {
            0
        };
        key = (key << 8) | byte as u128;
        i += 1;
    }
    Some(key)
}

/// `pack_lowercase` for the hot path: the same key, built byte by byte.
pub fn key(name: &[u8]) -> Option<u128> {
    if name.len() > 16 {
        return None;
    }
    let mut key: u128 = 0;
    for &byte in name {
        if byte == 0 {
            return None;
        }
        key = (key << 8) | u128::from(byte.to_ascii_lowercase());
    }
    // An empty name shifts by all 128 bits: no key but zero.
    Some(key.checked_shl(8 * (16 - name.len() as u32)).unwrap_or(0))
}

/// Slots in a `NameIndex`: a power of two well above the table sizes, so probes are short.
const SLOTS: usize = 512;

/// An open-addressing hash index from packed names to positions in a table, built at
/// compile time: a lookup is one multiplication and usually one comparison.
pub struct NameIndex {
    /// Position in the table plus one; 0 is an empty slot.
    slots: [u8; SLOTS],
}

const fn slot_of(key: u128) -> usize {
    let folded = (key as u64) ^ ((key >> 64) as u64);
    (folded.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 55) as usize
}

impl NameIndex {
    /// Indexes `keys` (distinct, at most 255 of them).
    pub const fn build(keys: &[u128]) -> NameIndex {
        assert!(keys.len() < 256 && keys.len() * 2 < SLOTS);
        let mut slots = [0u8; SLOTS];
        let mut index = 0;
        while index < keys.len() {
            let mut slot = slot_of(keys[index]);
            while slots[slot] != 0 {
                slot = (slot + 1) % SLOTS;
            }
            slots[slot] = (index + 1) as u8;
            index += 1;
        }
        NameIndex { slots }
    }

    /// The position of `key` in `keys`, the table this index was built from.
    pub fn find(&self, keys: &[u128], key: u128) -> Option<usize> {
        let mut slot = slot_of(key);
        loop {
            let entry = usize::from(self.slots[slot]);
            if entry == 0 {
                return None;
            }
            if keys.get(entry - 1) == Some(&key) {
                return Some(entry - 1);
            }
            slot = (slot + 1) % SLOTS;
        }
    }
}

/// The packed keys of a table's names, in the table's order.
pub const fn keys_of<const N: usize>(names: [&str; N]) -> [u128; N] {
    let mut keys = [0u128; N];
    let mut i = 0;
    while i < N {
        keys[i] = match pack_lowercase(names[i].as_bytes()) {
            Some(key) => key,
            None => panic!("table names fit in 16 bytes"),
        };
        i += 1;
    }
    keys
}

use Policy::{DropNested, DropRawText, Keep, Unwrap};

const BLOCK: u16 = CLOSES_P | SPECIAL | BREAK;

/// Sorted by name, which keeps duplicates out and the table easy to read.
const ELEMENTS: &[Element] = &[
    e("a", Keep, MAKES_ROOM),
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
    e("rb", Keep, MAKES_ROOM),
    e("rp", Keep, MAKES_ROOM),
    e("rt", Keep, MAKES_ROOM),
    e("rtc", Keep, MAKES_ROOM),
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

const ELEMENT_COUNT: usize = ELEMENTS.len();

const fn element_names() -> [&'static str; ELEMENT_COUNT] {
    let mut names = [""; ELEMENT_COUNT];
    let mut i = 0;
    while i < ELEMENT_COUNT {
        names[i] = ELEMENTS[i].name;
        i += 1;
    }
    names
}

static ELEMENT_TABLE: &[Element] = ELEMENTS;
static ELEMENT_KEYS: [u128; ELEMENT_COUNT] = keys_of(element_names());
static ELEMENT_INDEX: NameIndex = NameIndex::build(&keys_of(element_names()));

/// Looks an element up by its name's key (`pack_lowercase`); `None` for unknown names.
pub fn lookup_packed(key: u128) -> Option<&'static Element> {
    let index = ELEMENT_INDEX.find(&ELEMENT_KEYS, key)?;
    ELEMENT_TABLE.get(index)
}

/// Every element the policy knows, in name order.
#[cfg(test)]
pub(crate) fn all() -> &'static [Element] {
    ELEMENT_TABLE
}

/// Looks an element up by name, case-insensitively; `None` for unknown names.
pub fn lookup(name: &str) -> Option<&'static Element> {
    lookup_packed(key(name.as_bytes())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_by_name_and_key() {
        assert!(ELEMENTS.windows(2).all(|pair| pair[0].name < pair[1].name));
        assert!(ELEMENT_KEYS.windows(2).all(|pair| pair[0] < pair[1]));
        for element in ELEMENT_TABLE {
            assert!(lookup(element.name).is_some_and(|found| std::ptr::eq(found, element)));
        }
    }

    #[test]
    fn packing_is_case_insensitive_and_bounded() {
        assert_eq!(pack_lowercase(b"DiV"), pack_lowercase(b"div"));
        assert_ne!(pack_lowercase(b"div"), pack_lowercase(b"divs"));
        assert!(pack_lowercase(&[b'a'; 16]).is_some());
        assert_eq!(pack_lowercase(&[b'a'; 17]), None);
        assert_eq!(pack_lowercase(b"div\0"), None);
        for name in [
            "",
            "a",
            "DIV",
            "blockquote",
            "accept-charset",
            "0123456789abcdef",
            "x\0",
        ] {
            assert_eq!(
                key(name.as_bytes()),
                pack_lowercase(name.as_bytes()),
                "{name}"
            );
        }
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

//! The document tree the lenient XML reader (`xml.rs`) builds and the dialect mappers
//! (`rss.rs`, `atom.rs`, `namespaces.rs`) read.
//!
//! Names are already resolved: every element and attribute carries its namespace URI
//! (unbound well-known prefixes such as `itunes:` or `dc:` are bound to their usual URI
//! by the reader, with a warning), its local name as written, and the effective
//! `xml:base` and `xml:lang` in scope. Text is entity-decoded (XML and HTML named
//! entities); CDATA sections become plain text nodes.
//!
//! The tree is an arena: every node of a document sits in one `Vec` of a [`Tree`], linked
//! by index (first child, next sibling), and every attribute in one more, so building a
//! document is pushes and freeing it is two `Vec` drops instead of one allocation per
//! element, child list, attribute list and text. Names, and text and attribute values that
//! needed no decoding (no reference, no line end to normalise, nothing to repair: CDATA
//! and plain text, which is nearly all of it), borrow from the document text (`'a`); the
//! mappers read elements through the [`Element`] handle, a tree reference and an index.
//! Namespace URIs and `xml:base`/`xml:lang` values are kept once in the tree's table of
//! strings, and elements and attributes hold their index there ([`StringId`]): inheriting
//! a base or a language is copying a number, not counting a shared reference up and down.

use std::borrow::Cow;
use std::ops::Deref;

use super::ns::Known;

/// Index of "no node" in [`Tree`]'s links.
const NONE: u32 = u32::MAX;

/// An index into a [`Tree`]'s table of strings (namespace URIs, `xml:base` and
/// `xml:lang` values), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringId(u32);

impl StringId {
    /// No string: no namespace, no base, no language.
    pub const NONE: StringId = StringId(NONE);

    pub fn is_none(self) -> bool {
        self == StringId::NONE
    }
}

/// All nodes and attributes of one document; `'a` is the document text they borrow from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tree<'a> {
    nodes: Vec<Entry<'a>>,
    attrs: Vec<Attribute<'a>>,
    /// Namespace URIs, bases and languages, each added once by the reader and named by
    /// index from elements and attributes.
    strings: Vec<Box<str>>,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry<'a> {
    /// The next sibling, or [`NONE`].
    next: u32,
    /// An element's kind of namespace (see [`Element::known`]): kept here, in room the
    /// node's alignment leaves after `next`, rather than in [`ElementData`], which it
    /// would make 8 bytes larger.
    known: Known,
    node: NodeData<'a>,
}

#[derive(Debug, Clone, PartialEq)]
enum NodeData<'a> {
    Element(ElementData<'a>),
    /// Decoded character data, from text or a CDATA section.
    Text(Cow<'a, str>),
}

/// An attribute, with its value entity-decoded and its whitespace normalised as XML does.
/// Namespace declarations (`xmlns`, `xmlns:p`) are consumed by the reader and never appear
/// here; `xml:base` and `xml:lang` do (namespace [`ns::XML`](super::ns::XML)), besides
/// being resolved into the element's [`Element::base`] and [`Element::lang`].
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute<'a> {
    /// Namespace URI in the tree's strings; none for an unprefixed attribute.
    pub(super) ns: StringId,
    /// The local name as written.
    pub name: Cow<'a, str>,
    pub value: Cow<'a, str>,
}

/// What the tree stores of one element; read through an [`Element`].
#[derive(Debug, Clone, PartialEq)]
pub struct ElementData<'a> {
    /// Namespace URI in the tree's strings (read it with [`Element::ns`]); none when no
    /// namespace is in scope.
    pub(super) ns: StringId,
    /// The prefix as written (`itunes` in `itunes:image`), kept for re-serialising markup.
    pub prefix: Option<Cow<'a, str>>,
    /// The local name as written (case preserved).
    pub name: Cow<'a, str>,
    /// The effective base URL (`xml:base` resolved against its parent's base, which starts
    /// at the URL the document was fetched from), if any: [`Element::base`].
    pub(super) base: StringId,
    /// The effective `xml:lang`, if any: [`Element::lang`].
    pub(super) lang: StringId,
    /// The element's attributes: `Tree::attrs[attrs.0..attrs.1]`.
    attrs: (u32, u32),
    first_child: u32,
    last_child: u32,
}

impl<'a> ElementData<'a> {
    /// An element without attributes or children yet.
    pub(super) fn new(name: Cow<'a, str>) -> ElementData<'a> {
        ElementData {
            ns: StringId::NONE,
            prefix: None,
            name,
            base: StringId::NONE,
            lang: StringId::NONE,
            attrs: (0, 0),
            first_child: NONE,
            last_child: NONE,
        }
    }
}

/// Answered for an index that is not an element, which the reader never hands out.
static NO_ELEMENT: ElementData<'static> = ElementData {
    ns: StringId::NONE,
    prefix: None,
    name: Cow::Borrowed(""),
    base: StringId::NONE,
    lang: StringId::NONE,
    attrs: (0, 0),
    first_child: NONE,
    last_child: NONE,
};

impl<'a> Tree<'a> {
    /// An empty tree with room for about `nodes` nodes and `attrs` attributes.
    pub(super) fn with_capacity(nodes: usize, attrs: usize) -> Tree<'a> {
        Tree {
            nodes: Vec::with_capacity(nodes),
            attrs: Vec::with_capacity(attrs),
            strings: Vec::new(),
        }
    }

    /// Adds a string to the table and returns its index; the caller keeps the index to
    /// share it (the reader adds each namespace URI once per document).
    pub(super) fn add_string(&mut self, string: &str) -> StringId {
        match u32::try_from(self.strings.len()) {
            Ok(index) if index < NONE => {
                self.strings.push(Box::from(string));
                StringId(index)
            }
            // More strings than a `u32` counts cannot come from a document within the
            // size limit; were it to happen, the value is dropped rather than mixed up.
            _ => StringId::NONE,
        }
    }

    /// How many strings the table holds.
    #[cfg(test)]
    pub(super) fn string_count(&self) -> usize {
        self.strings.len()
    }

    /// The string at `id`, if any.
    pub(super) fn string(&self, id: StringId) -> Option<&str> {
        self.strings.get(id.0 as usize).map(|string| &**string)
    }

    /// Whether another node fits (indices are `u32`; the size limit on documents keeps
    /// any real document far below).
    pub(super) fn has_room(&self) -> bool {
        self.nodes.len() < NONE as usize - 1
    }

    /// The index the next attribute pushed gets.
    pub(super) fn attrs_len(&self) -> u32 {
        u32::try_from(self.attrs.len()).unwrap_or(NONE)
    }

    pub(super) fn push_attribute(&mut self, attribute: Attribute<'a>) {
        self.attrs.push(attribute);
    }

    /// Adds an element whose attributes are those pushed since `attrs_from`, as the last
    /// child of `parent` (or unattached, for a top-level element); returns its index.
    /// `known` is the kind of `data.ns`, `Known::of(data.ns)`: the reader worked it out
    /// once per namespace, so it is passed in rather than worked out again per element.
    pub(super) fn push_element(
        &mut self,
        parent: Option<u32>,
        mut data: ElementData<'a>,
        known: Known,
        attrs_from: u32,
    ) -> u32 {
        debug_assert_eq!(
            known,
            Known::of(self.string(data.ns)),
            "the kind of <{}>'s namespace",
            data.name
        );
        data.attrs = (attrs_from, self.attrs_len());
        self.push(parent, known, NodeData::Element(data))
    }

    /// Adds a text node as the last child of `parent`.
    pub(super) fn push_text(&mut self, parent: u32, text: Cow<'a, str>) {
        self.push(Some(parent), Known::NoNamespace, NodeData::Text(text));
    }

    fn push(&mut self, parent: Option<u32>, known: Known, node: NodeData<'a>) -> u32 {
        let index = u32::try_from(self.nodes.len()).unwrap_or(NONE);
        self.nodes.push(Entry {
            next: NONE,
            known,
            node,
        });
        if let Some(parent) = parent
            && let Some(Entry {
                node: NodeData::Element(data),
                ..
            }) = self.nodes.get_mut(parent as usize)
        {
            let previous = std::mem::replace(&mut data.last_child, index);
            if previous == NONE {
                data.first_child = index;
            } else if let Some(entry) = self.nodes.get_mut(previous as usize) {
                entry.next = index;
            }
        }
        index
    }

    /// The element at `index` (as returned by [`Tree::push_element`]).
    pub fn element(&self, index: u32) -> Element<'_> {
        Element { tree: self, index }
    }

    /// The stored data of the element at `index`.
    pub(super) fn data(&self, index: u32) -> &ElementData<'a> {
        match self.nodes.get(index as usize) {
            Some(Entry {
                node: NodeData::Element(data),
                ..
            }) => data,
            _ => &NO_ELEMENT,
        }
    }
}

/// One element of a document: a reference to its tree and its index there. Copy it
/// freely; its fields ([`ElementData`]: `ns`, `prefix`, `name`, `base`, `lang`) read
/// through `Deref`.
#[derive(Clone, Copy)]
pub struct Element<'d> {
    tree: &'d Tree<'d>,
    index: u32,
}

impl std::fmt::Debug for Element<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Element")
            .field("name", &self.data().name)
            .field("ns", &self.ns())
            .finish_non_exhaustive()
    }
}

impl<'d> Deref for Element<'d> {
    type Target = ElementData<'d>;

    fn deref(&self) -> &ElementData<'d> {
        self.tree.data(self.index)
    }
}

/// A name in ASCII lowercase, on the stack; see [`Element::lower_name`]. A name without
/// capitals (nearly every feed name) is borrowed as it is, not copied: the one scan for
/// capitals is all it costs.
pub enum LowerName<'n> {
    Borrowed(&'n str),
    Lowered {
        bytes: [u8; LOWER_NAME_MAX],
        len: usize,
    },
}

/// The longest name [`LowerName`] keeps.
const LOWER_NAME_MAX: usize = 32;

impl<'n> LowerName<'n> {
    /// The longest name kept.
    pub const MAX: usize = LOWER_NAME_MAX;

    pub fn new(name: &'n str) -> LowerName<'n> {
        if name.len() > LowerName::MAX {
            return LowerName::Borrowed("");
        }
        if !name.bytes().any(|byte| byte.is_ascii_uppercase()) {
            return LowerName::Borrowed(name);
        }
        let mut bytes = [0; LowerName::MAX];
        bytes[..name.len()].copy_from_slice(name.as_bytes());
        bytes[..name.len()].make_ascii_lowercase();
        LowerName::Lowered {
            bytes,
            len: name.len(),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            LowerName::Borrowed(name) => name,
            // Lowercasing ASCII bytes keeps UTF-8 valid, and the copy ends where the name
            // does.
            LowerName::Lowered { bytes, len } => {
                std::str::from_utf8(bytes.get(..*len).unwrap_or_default()).unwrap_or_default()
            }
        }
    }
}

/// A node inside an element.
#[derive(Debug, Clone, Copy)]
pub enum Node<'d> {
    Element(Element<'d>),
    /// Decoded character data, from text or a CDATA section.
    Text(&'d str),
}

/// The child nodes of an element, in document order.
#[derive(Clone)]
pub struct Nodes<'d> {
    tree: &'d Tree<'d>,
    next: u32,
}

impl<'d> Iterator for Nodes<'d> {
    type Item = Node<'d>;

    fn next(&mut self) -> Option<Node<'d>> {
        let index = self.next;
        let entry = self.tree.nodes.get(index as usize)?;
        self.next = entry.next;
        Some(match &entry.node {
            NodeData::Element(_) => Node::Element(Element {
                tree: self.tree,
                index,
            }),
            NodeData::Text(text) => Node::Text(text),
        })
    }
}

impl<'d> Element<'d> {
    /// The element's stored data, for the lifetime of the tree (the fields `Deref` reads
    /// live only as long as the handle).
    pub fn data(self) -> &'d ElementData<'d> {
        self.tree.data(self.index)
    }

    /// The local name as written, for the lifetime of the tree.
    pub fn name(self) -> &'d str {
        &self.data().name
    }

    /// The namespace URI, for the lifetime of the tree.
    pub fn ns(self) -> Option<&'d str> {
        self.tree.string(self.data().ns)
    }

    /// What kind of namespace `ns` is, for matching without comparing URIs.
    pub fn known(self) -> Known {
        self.tree
            .nodes
            .get(self.index as usize)
            .map_or(Known::NoNamespace, |entry| entry.known)
    }

    /// The effective base URL, for the lifetime of the tree.
    pub fn base(self) -> Option<&'d str> {
        self.tree.string(self.data().base)
    }

    /// The effective `xml:lang`, for the lifetime of the tree.
    pub fn lang(self) -> Option<&'d str> {
        self.tree.string(self.data().lang)
    }

    /// The local name in ASCII lowercase, without allocating: for matching against the
    /// names of the dialects, all lowercase and short. A name longer than
    /// [`LowerName::MAX`] bytes reads as `""`, which matches none of them.
    pub fn lower_name(self) -> LowerName<'d> {
        LowerName::new(self.name())
    }

    /// True when this element has the given namespace and local name. Local names match
    /// ASCII case-insensitively: real feeds write `pubdate` and `PubDate`.
    pub fn is(self, ns: Option<&str>, name: &str) -> bool {
        self.ns() == ns && self.name().eq_ignore_ascii_case(name)
    }

    /// The child nodes, in document order.
    pub fn nodes(self) -> Nodes<'d> {
        Nodes {
            tree: self.tree,
            next: self.data().first_child,
        }
    }

    /// The child elements, in document order.
    pub fn elements(self) -> impl Iterator<Item = Element<'d>> + Clone {
        self.nodes().filter_map(|node| match node {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        })
    }

    /// The first child element with this namespace and local name.
    pub fn child(self, ns: Option<&str>, name: &str) -> Option<Element<'d>> {
        self.elements().find(|element| element.is(ns, name))
    }

    /// Every child element with this namespace and local name.
    pub fn children_named<'n>(
        self,
        ns: Option<&'n str>,
        name: &'n str,
    ) -> impl Iterator<Item = Element<'d>> + 'n
    where
        'd: 'n,
    {
        self.elements().filter(move |element| element.is(ns, name))
    }

    /// The attributes, in document order.
    pub fn attrs(self) -> &'d [Attribute<'d>] {
        let (from, to) = self.data().attrs;
        self.tree
            .attrs
            .get(from as usize..to as usize)
            .unwrap_or_default()
    }

    /// The value of an unprefixed attribute (case-insensitive name).
    pub fn attr(self, name: &str) -> Option<&'d str> {
        self.attrs()
            .iter()
            .find(|attr| attr.ns.is_none() && attr.name.eq_ignore_ascii_case(name))
            .map(|attr| &*attr.value)
    }

    /// The value of a namespaced attribute.
    pub fn attr_ns(self, ns: &str, name: &str) -> Option<&'d str> {
        self.attrs()
            .iter()
            .find(|attr| {
                self.tree.string(attr.ns) == Some(ns) && attr.name.eq_ignore_ascii_case(name)
            })
            .map(|attr| &*attr.value)
    }

    /// All descendant text concatenated, markup dropped: borrowed when the element holds
    /// one text node and nothing else (nearly every feed element), copied otherwise.
    pub fn text(self) -> Cow<'d, str> {
        let mut nodes = self.nodes();
        match (nodes.next(), nodes.next()) {
            (None, _) => Cow::Borrowed(""),
            (Some(Node::Text(text)), None) => Cow::Borrowed(text),
            _ => {
                let mut out = String::new();
                self.collect_text(&mut out);
                Cow::Owned(out)
            }
        }
    }

    fn collect_text(self, out: &mut String) {
        for node in self.nodes() {
            match node {
                Node::Text(text) => out.push_str(text),
                Node::Element(element) => element.collect_text(out),
            }
        }
    }

    /// The element's single text node, if that is all it holds.
    pub fn only_text(self) -> Option<&'d str> {
        let mut nodes = self.nodes();
        match (nodes.next(), nodes.next()) {
            (Some(Node::Text(text)), None) => Some(text),
            _ => None,
        }
    }

    /// True when the element has child elements (markup written unescaped inside it).
    pub fn has_element_children(self) -> bool {
        self.elements().next().is_some()
    }

    /// True when the element holds a child element or text other than whitespace: what
    /// `has_element_children() || !text().trim().is_empty()` says, without copying the
    /// text (content can be many kilobytes).
    pub fn has_content(self) -> bool {
        self.nodes().any(|node| match node {
            Node::Element(_) => true,
            Node::Text(text) => !text.trim().is_empty(),
        })
    }

    /// The element's content re-serialised as markup: text escaped, child elements written
    /// back with their prefixes as written. Used for Atom `type="xhtml"` and for RSS
    /// descriptions that carry unescaped HTML.
    pub fn inner_markup(self) -> String {
        let mut out = String::new();
        for node in self.nodes() {
            write_node(node, &mut out);
        }
        out
    }
}

fn write_node(node: Node<'_>, out: &mut String) {
    match node {
        Node::Text(text) => escape_into(text, false, out),
        Node::Element(element) => {
            out.push('<');
            // XHTML content is written without prefixes: browsers and sanitisers read it
            // as HTML.
            out.push_str(element.name());
            for attr in element.attrs() {
                out.push(' ');
                out.push_str(&attr.name);
                out.push_str("=\"");
                escape_into(&attr.value, true, out);
                out.push('"');
            }
            let mut children = element.nodes().peekable();
            if children.peek().is_none() {
                out.push_str(" />");
            } else {
                out.push('>');
                for child in children {
                    write_node(child, out);
                }
                out.push_str("</");
                out.push_str(element.name());
                out.push('>');
            }
        }
    }
}

/// Appends `text` with `&`, `<` and `>` (and `"` in an attribute value) escaped.
fn escape_into(text: &str, attribute: bool, out: &mut String) {
    // Writing to a `String` cannot fail.
    let _ = crate::normalise::text::escape_chars_to(out, text, attribute, false);
}

#[cfg(test)]
mod tests {
    use super::super::ns;
    use super::*;

    /// `<div>a &lt; b &amp; <b>bold</b><br/></div>` built by hand.
    fn sample() -> Tree<'static> {
        let mut tree = Tree::default();
        let div = tree.push_element(None, ElementData::new("div".into()), Known::NoNamespace, 0);
        tree.push_text(div, "a < b & ".into());
        let b = tree.push_element(
            Some(div),
            ElementData::new("b".into()),
            Known::NoNamespace,
            0,
        );
        tree.push_text(b, Cow::Owned("bold".to_string()));
        tree.push_attribute(Attribute {
            ns: StringId::NONE,
            name: "Clear".into(),
            value: "all \"x\"".into(),
        });
        tree.push_element(
            Some(div),
            ElementData::new("br".into()),
            Known::NoNamespace,
            0,
        );
        tree
    }

    #[test]
    fn text_and_markup() {
        let tree = sample();
        let p = tree.element(0);
        assert_eq!(p.text(), "a < b & bold");
        assert!(matches!(p.text(), Cow::Owned(_)));
        assert_eq!(
            p.inner_markup(),
            "a &lt; b &amp; <b>bold</b><br Clear=\"all &quot;x&quot;\" />"
        );
        assert!(p.has_element_children());
        assert!(p.has_content());
        let b = p.child(None, "B").expect("the <b> child");
        assert!(matches!(b.text(), Cow::Borrowed("bold")));
        assert_eq!(b.only_text(), Some("bold"));
        assert_eq!(p.only_text(), None);
        let br = p.elements().nth(1).expect("the <br> child");
        assert_eq!(br.attr("clear"), Some("all \"x\""));
        assert_eq!(br.attr_ns("urn:x", "clear"), None);
        assert_eq!(b.attrs().len(), 0);
        assert!(!br.has_content());
        assert_eq!(br.text(), "");
        assert_eq!(p.children_named(None, "br").count(), 1);
        assert_eq!(b.lower_name().as_str(), "b");
    }

    #[test]
    fn markup_escapes_only_what_it_must() {
        let mut tree = Tree::default();
        let p = tree.push_element(None, ElementData::new("p".into()), Known::NoNamespace, 0);
        tree.push_text(p, "\u{e9} \"q\" <>&\u{2019}".into());
        tree.push_attribute(Attribute {
            ns: StringId::NONE,
            name: "title".into(),
            value: "\u{e9}\"<>&".into(),
        });
        tree.push_element(Some(p), ElementData::new("i".into()), Known::NoNamespace, 0);
        assert_eq!(
            tree.element(p).inner_markup(),
            "\u{e9} \"q\" &lt;&gt;&amp;\u{2019}<i title=\"\u{e9}&quot;&lt;&gt;&amp;\" />"
        );
    }

    #[test]
    fn lower_names() {
        assert_eq!(LowerName::new("PubDate").as_str(), "pubdate");
        assert_eq!(LowerName::new("Éa").as_str(), "Éa");
        assert_eq!(
            LowerName::new(&"x".repeat(LowerName::MAX)).as_str().len(),
            LowerName::MAX
        );
        assert_eq!(LowerName::new(&"x".repeat(LowerName::MAX + 1)).as_str(), "");
        assert_eq!(
            LowerName::new(&"X".repeat(LowerName::MAX)).as_str(),
            "x".repeat(32)
        );
        assert!(matches!(
            LowerName::new("enclosure"),
            LowerName::Borrowed("enclosure")
        ));
        assert_eq!(LowerName::new("").as_str(), "");
        assert_eq!(LowerName::new("ÉTÉ").as_str(), "ÉtÉ");
    }

    #[test]
    fn whitespace_only_text_is_no_content() {
        let mut tree = Tree::default();
        let e = tree.push_element(None, ElementData::new("e".into()), Known::NoNamespace, 0);
        tree.push_text(e, " \n".into());
        tree.push_text(e, "\t".into());
        assert!(!tree.element(e).has_content());
        assert_eq!(tree.element(e).text(), " \n\t");
        // An index that is no element reads as an empty element, never a panic.
        assert_eq!(tree.element(1).name(), "");
        assert_eq!(tree.element(99).known(), Known::NoNamespace);
        assert_eq!(tree.element(e).known(), Known::NoNamespace);
        assert_eq!(tree.element(99).nodes().count(), 0);
    }

    #[test]
    fn an_element_keeps_the_kind_of_its_namespace() {
        let mut tree = Tree::default();
        let mut data = ElementData::new("title".into());
        data.ns = tree.add_string(ns::ITUNES);
        let title = tree.push_element(None, data, Known::Itunes, 0);
        tree.push_text(title, "T".into());
        let element = tree.element(title);
        assert_eq!(element.known(), Known::Itunes);
        assert_eq!(element.ns(), Some(ns::ITUNES));
    }

    /// A kind that is not the one of the element's namespace is a mistake of the caller,
    /// caught wherever debug assertions are on (as in every test).
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "the kind of <title>'s namespace")]
    fn a_kind_that_contradicts_the_namespace_is_refused() {
        let mut tree = Tree::default();
        let mut data = ElementData::new("title".into());
        data.ns = tree.add_string(ns::ITUNES);
        tree.push_element(None, data, Known::NoNamespace, 0);
    }
}

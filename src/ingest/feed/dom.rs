//! The document tree the lenient XML reader (`xml.rs`) builds and the dialect mappers
//! (`rss.rs`, `atom.rs`, `namespaces.rs`) read.
//!
//! Names are already resolved: every element and attribute carries its namespace URI
//! (unbound well-known prefixes such as `itunes:` or `dc:` are bound to their usual URI
//! by the reader, with a warning), its local name as written, and the effective
//! `xml:base` and `xml:lang` in scope. Text is entity-decoded (XML and HTML named
//! entities); CDATA sections become plain text nodes.

use std::borrow::Cow;
use std::sync::Arc;

/// An element or attribute name (or prefix) as written: borrowed from the reader's fixed
/// vocabulary of feed and HTML names (`xml/names.rs`), owned only when it is not there.
/// Reads as a `&str`.
pub type Name = Cow<'static, str>;

/// A node inside an element.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    /// Decoded character data, from text or a CDATA section.
    Text(String),
}

/// An attribute, with its value entity-decoded and its whitespace normalised as XML does.
/// Namespace declarations (`xmlns`, `xmlns:p`) are consumed by the reader and never appear
/// here; `xml:base` and `xml:lang` do (namespace [`ns::XML`](super::ns::XML)), besides
/// being resolved into [`Element::base`] and [`Element::lang`].
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Namespace URI; `None` for an unprefixed attribute.
    pub ns: Option<Arc<str>>,
    /// The local name as written.
    pub name: Name,
    pub value: String,
}

/// One element of the document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    /// Namespace URI; `None` when no namespace is in scope.
    pub ns: Option<Arc<str>>,
    /// The prefix as written (`itunes` in `itunes:image`), kept for re-serialising markup.
    pub prefix: Option<Name>,
    /// The local name as written (case preserved).
    pub name: Name,
    pub attrs: Vec<Attribute>,
    pub children: Vec<Node>,
    /// The effective base URL (`xml:base` resolved against its parent's base, which starts
    /// at the URL the document was fetched from), if any.
    pub base: Option<Arc<str>>,
    /// The effective `xml:lang`, if any.
    pub lang: Option<Arc<str>>,
}

impl Element {
    /// True when this element has the given namespace and local name. Local names match
    /// ASCII case-insensitively: real feeds write `pubdate` and `PubDate`.
    pub fn is(&self, ns: Option<&str>, name: &str) -> bool {
        self.ns.as_deref() == ns && self.name.eq_ignore_ascii_case(name)
    }

    /// The child elements, in document order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        })
    }

    /// The first child element with this namespace and local name.
    pub fn child(&self, ns: Option<&str>, name: &str) -> Option<&Element> {
        self.elements().find(|element| element.is(ns, name))
    }

    /// Every child element with this namespace and local name.
    pub fn children_named<'a>(
        &'a self,
        ns: Option<&'a str>,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |element| element.is(ns, name))
    }

    /// The value of an unprefixed attribute (case-insensitive name).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|attr| attr.ns.is_none() && attr.name.eq_ignore_ascii_case(name))
            .map(|attr| attr.value.as_str())
    }

    /// The value of a namespaced attribute.
    pub fn attr_ns(&self, ns: &str, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|attr| attr.ns.as_deref() == Some(ns) && attr.name.eq_ignore_ascii_case(name))
            .map(|attr| attr.value.as_str())
    }

    /// All descendant text concatenated, markup dropped.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for node in &self.children {
            match node {
                Node::Text(text) => out.push_str(text),
                Node::Element(element) => element.collect_text(out),
            }
        }
    }

    /// True when the element has child elements (markup written unescaped inside it).
    pub fn has_element_children(&self) -> bool {
        self.elements().next().is_some()
    }

    /// True when the element holds a child element or text other than whitespace: what
    /// `has_element_children() || !text().trim().is_empty()` says, without copying the
    /// text (content can be many kilobytes).
    pub fn has_content(&self) -> bool {
        self.children.iter().any(|node| match node {
            Node::Element(_) => true,
            Node::Text(text) => !text.trim().is_empty(),
        })
    }

    /// The element's content re-serialised as markup: text escaped, child elements written
    /// back with their prefixes as written. Used for Atom `type="xhtml"` and for RSS
    /// descriptions that carry unescaped HTML.
    pub fn inner_markup(&self) -> String {
        let mut out = String::new();
        for node in &self.children {
            write_node(node, &mut out);
        }
        out
    }
}

fn write_node(node: &Node, out: &mut String) {
    match node {
        Node::Text(text) => escape_into(text, false, out),
        Node::Element(element) => {
            out.push('<');
            // XHTML content is written without prefixes: browsers and sanitisers read it
            // as HTML.
            out.push_str(&element.name);
            for attr in &element.attrs {
                out.push(' ');
                out.push_str(&attr.name);
                out.push_str("=\"");
                escape_into(&attr.value, true, out);
                out.push('"');
            }
            if element.children.is_empty() {
                out.push_str(" />");
            } else {
                out.push('>');
                for child in &element.children {
                    write_node(child, out);
                }
                out.push_str("</");
                out.push_str(&element.name);
                out.push('>');
            }
        }
    }
}

fn escape_into(text: &str, attribute: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(name: &str, children: Vec<Node>) -> Element {
        Element {
            name: Name::Owned(name.to_string()),
            children,
            ..Element::default()
        }
    }

    #[test]
    fn text_and_markup() {
        let p = el(
            "div",
            vec![
                Node::Text("a < b & ".into()),
                Node::Element(el("b", vec![Node::Text("bold".into())])),
                Node::Element(el("br", vec![])),
            ],
        );
        assert_eq!(p.text(), "a < b & bold");
        assert_eq!(p.inner_markup(), "a &lt; b &amp; <b>bold</b><br />");
        assert!(p.has_element_children());
        assert!(p.has_content());
        assert!(el("br", vec![Node::Element(el("br", vec![]))]).has_content());
        assert!(!el("e", vec![Node::Text(" \n".into()), Node::Text("\t".into())]).has_content());
        assert!(!el("e", vec![]).has_content());
        assert!(el("e", vec![Node::Text(" ".into()), Node::Text("x ".into())]).has_content());
        assert!(p.child(None, "B").is_some());
    }
}

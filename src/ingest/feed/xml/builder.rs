//! Tree construction for the lenient reader: open-element stack, namespace scopes,
//! `xml:base`/`xml:lang` inheritance, end-tag recovery and the depth cap.
//!
//! The event loop in `xml.rs` feeds tokens in; this module decides where each one goes.
//! Policies: an end tag closes the nearest open element with the same name (closing
//! whatever was left open inside it, looking at most 64 levels up), and is ignored when
//! nothing open matches; a text-only feed element left open (`<title>`, `<pubDate>`) is
//! closed by the next feed element that starts; void HTML elements (`<br>`, and in an
//! HTML page `<link>`, `<meta>`, …) close themselves; text outside the root is dropped; several top-level elements (junk before or after the
//! feed) leave the largest as the root. `xmlns` declarations are consumed here and not
//! kept in `attrs`; `xml:base` and `xml:lang` stay in `attrs` (namespace [`ns::XML`]) as
//! well as being resolved onto every element (a value equal to the enclosing one shares
//! its string; a base longer than [`MAX_BASE`] once resolved is ignored, with a warning).

use std::borrow::Cow;

use quick_xml::events::BytesStart;

use super::super::dom::{Attribute, ElementData, LowerName, StringId, Tree};
use super::super::ns::{self, Known};
use super::attributes::{self, RawAttribute};
use super::doctype;
use super::mojibake;
use super::reference::References;
use super::repair::{Repair, Repairs};

/// Elements nested deeper than this are flattened into their ancestor at this depth, so
/// no recursive code downstream can overflow the stack.
pub(super) const MAX_DEPTH: usize = 512;

/// How many open elements, from the innermost, an end tag may close.
const END_TAG_REACH: usize = 64;

/// The longest `xml:base`, once resolved, an element may take; a longer one is ignored
/// and the enclosing base kept. Each distinct base is stored in full, so without a cap
/// thousands of elements each joining onto a long base would take memory in their square.
pub(super) const MAX_BASE: usize = 8 * 1024;

struct Open<'a> {
    /// The element's index in the tree.
    index: u32,
    /// Its name as written in the start tag (the same as its prefix and local name in
    /// the tree, joined by a colon), for end tags to compare with at once; `None` if the
    /// tag was not found in the document, when they compare with the tree's.
    qname: Option<&'a str>,
    /// Length of `Builder::scope` before this element's declarations.
    scope_len: usize,
    /// `Builder::default_ns` before this element's declarations: the default namespace
    /// again once it closes.
    outer_default: Namespace,
    /// Byte offset of the start tag, to measure a top-level element's size.
    start: usize,
    /// Text since the last child element: adjacent text, references and CDATA become one
    /// node when the next child element or the end tag comes. Borrowed while it is one
    /// piece of the document as written (plain text, CDATA), owned once it is more.
    text: Cow<'a, str>,
    /// `text` is one piece borrowed from the document without a 0xC2 byte, so the
    /// mojibake repair cannot change it (see `literal`); only meaningful while `text` is
    /// borrowed, as any addition makes it owned.
    clean: bool,
    /// A feed structure element (see [`Class::structural`]) inside structure elements only:
    /// whitespace between its children is layout nobody reads, and is not kept.
    structural: bool,
    /// The element holds only text in every feed dialect (see [`Class::text_only`]).
    text_only: bool,
}

/// A namespace: its URI in the tree's strings (none for no namespace) and its kind,
/// worked out once when the URI is interned, so classifying an element compares a byte,
/// not strings.
#[derive(Clone, Copy)]
struct Namespace {
    uri: StringId,
    known: Known,
}

impl Namespace {
    /// No namespace.
    const NONE: Namespace = Namespace {
        uri: StringId::NONE,
        known: Known::NoNamespace,
    };
}

struct Binding {
    /// `""` for the default namespace.
    prefix: String,
    /// No namespace after `xmlns=""`.
    ns: Namespace,
}

pub(super) struct Builder<'a> {
    /// The document text: names, text and attribute values borrow from it.
    source: &'a str,
    pub(super) tree: Tree<'a>,
    stack: Vec<Open<'a>>,
    /// Finished top-level elements (tree indices) with their size in bytes.
    top_level: Vec<(u32, usize)>,
    scope: Vec<Binding>,
    /// The default namespace in `scope` (the innermost binding without a prefix): kept
    /// up to date as bindings come and go, so an unprefixed element, nearly every one,
    /// does not search the bindings for it.
    default_ns: Namespace,
    /// Undeclared prefixes met so far, bound document-wide after the first warning.
    implicit: Vec<Binding>,
    interned: Vec<Namespace>,
    /// The URL the document was fetched from, in the tree's strings.
    document_base: StringId,
    /// Start tags skipped beyond [`MAX_DEPTH`] whose end tags are still to come.
    overflow: usize,
    /// The root element is `<html>`: void elements close themselves.
    html: bool,
    /// The document holds a carriage return somewhere (`Source`'s survey): without one,
    /// no piece of text needs searching for line ends to normalise.
    carriage_returns: bool,
    pub(super) doctype: Option<String>,
    /// Text (not just whitespace) was met outside any element.
    pub(super) saw_text: bool,
    references: References,
    /// Reused by the mojibake repair.
    scratch: Vec<u8>,
    /// The attributes of the start tag being read (`attributes::scan`), reused.
    raw_attributes: Vec<RawAttribute<'a>>,
    pub(super) repairs: Repairs,
}

impl<'a> Builder<'a> {
    /// A builder for the document `source` fetched from `base`.
    pub(super) fn new(
        source: &'a str,
        base: Option<&url::Url>,
        carriage_returns: bool,
    ) -> Builder<'a> {
        // About one node per 60 bytes in feeds: room for most without regrowing. Attributes
        // are rarer (podcast feeds: an enclosure, an image and a few `podcast:` tags an
        // item, one every 300 to 500 bytes), but a vector of them grown from empty copies
        // every one several times over: a tenth of what attributes cost the reader.
        let mut tree = Tree::with_capacity(source.len() / 64, source.len() / 256);
        let document_base = base.map_or(StringId::NONE, |url| tree.add_string(url.as_str()));
        Builder {
            source,
            tree,
            stack: Vec::with_capacity(32),
            top_level: Vec::new(),
            scope: Vec::new(),
            default_ns: Namespace::NONE,
            implicit: Vec::new(),
            interned: Vec::new(),
            document_base,
            overflow: 0,
            html: false,
            carriage_returns,
            doctype: None,
            saw_text: false,
            references: References::new(source.len()),
            scratch: Vec::new(),
            raw_attributes: Vec::new(),
            repairs: Repairs::default(),
        }
    }

    /// `part` (a slice of the document the tokenizer handed out) as a slice of the
    /// document with the document's lifetime; a copy if it does not lie in the document.
    fn borrow(&self, part: &str) -> Cow<'a, str> {
        super::within(self.source, part).map_or_else(|| Cow::Owned(part.to_string()), Cow::Borrowed)
    }

    /// Moves the pending text of the innermost open element into its children, repaired
    /// (`mojibake.rs`).
    fn flush_text(&mut self) {
        if let Some(open) = self.stack.last_mut()
            && !open.text.is_empty()
        {
            let text = std::mem::replace(&mut open.text, Cow::Borrowed(""));
            let text = match (&text, std::mem::take(&mut open.clean)) {
                (Cow::Borrowed(_), true) => text,
                _ => mojibake::repair_cow(text, &mut self.scratch),
            };
            self.tree.push_text(open.index, text);
        }
    }

    /// A start tag (`empty` for `<tag/>`) at byte offset `at`.
    pub(super) fn start(&mut self, tag: &BytesStart, empty: bool, at: usize) {
        if self.stack.len() >= MAX_DEPTH || !self.tree.has_room() {
            // A skipped element swallows its end tag later, unless it never gets one.
            let (_, name) = split_qname(tag.name().0);
            if !empty && !self.is_void(classify(Known::NoNamespace, name)) {
                self.overflow += 1;
            }
            self.repairs.note(Repair::DepthCap, || {
                format!("<{}> below depth {MAX_DEPTH}", tag.name().0)
            });
            return;
        }
        let qname = tag.name().0;
        self.close_unclosed_text_element(qname, at);
        self.flush_text();
        let scope_len = self.scope.len();
        let outer_default = self.default_ns;
        let (mut base, mut lang) = match self.stack.last() {
            Some(open) => {
                let parent = self.tree.data(open.index);
                (parent.base, parent.lang)
            }
            None => (self.document_base, StringId::NONE),
        };

        // The tag as a slice of the document, found once: its name, prefix and attributes
        // are cut from it with the document's lifetime, without looking each up again.
        let in_document = super::within(self.source, tag);
        // The attributes, read from the tag's bytes in one pass (`attributes.rs`) unless
        // one is malformed: then through quick-xml's iterator, which reports it.
        let scanned = in_document
            .and_then(|whole| whole.get(qname.len()..))
            .is_some_and(|raw| attributes::scan(raw, &mut self.raw_attributes));
        if scanned {
            // First pass: declarations and xml:base/xml:lang, which apply to the element's
            // own name and attributes.
            for at in 0..self.raw_attributes.len() {
                let RawAttribute { key, value } = self.raw_attributes[at];
                if key.starts_with("xml") {
                    self.declare(key, value, &mut base, &mut lang);
                }
            }
        } else {
            for attr in tag.html_attributes().with_checks(false).flatten() {
                self.declare(attr.key.0, &attr.value, &mut base, &mut lang);
            }
        }

        let (prefix, name) = split_qname(qname);
        let Namespace { uri: ns, known } = match prefix {
            Some(prefix) => self.resolve_prefix(prefix, qname),
            None => self.default_ns,
        };

        let attrs_from = self.tree.attrs_len();
        if scanned {
            for at in 0..self.raw_attributes.len() {
                let RawAttribute { key, value } = self.raw_attributes[at];
                self.attribute(qname, Cow::Borrowed(key), Cow::Borrowed(value));
            }
        } else {
            for attr in tag.html_attributes().with_checks(false) {
                match attr {
                    Ok(attr) => {
                        let key = self.borrow(attr.key.0);
                        let value = self.borrow(&attr.value);
                        self.attribute(qname, key, value);
                    }
                    Err(error) => self
                        .repairs
                        .note(Repair::BadAttribute, || format!("in <{qname}>: {error}")),
                }
            }
        }

        if self.stack.is_empty() && self.top_level.is_empty() {
            self.html = name.eq_ignore_ascii_case("html");
        }
        let class = classify(known, name);
        let void = self.is_void(class);
        let structural =
            class.structural && self.stack.last().is_none_or(|parent| parent.structural);
        // `name` ends `qname` and `prefix` starts it: the same bytes of the tag in the
        // document.
        let written = in_document.and_then(|whole| whole.get(..qname.len()));
        let mut element = ElementData::new(
            match written.and_then(|written| written.get(written.len() - name.len()..)) {
                Some(name) => Cow::Borrowed(name),
                None => Cow::Owned(name.to_string()),
            },
        );
        element.ns = ns;
        element.prefix =
            prefix.map(
                |prefix| match written.and_then(|written| written.get(..prefix.len())) {
                    Some(prefix) => Cow::Borrowed(prefix),
                    None => Cow::Owned(prefix.to_string()),
                },
            );
        element.base = base;
        element.lang = lang;
        let parent = self.stack.last().map(|open| open.index);
        let index = self.tree.push_element(parent, element, known, attrs_from);
        if empty || void {
            // Closed as soon as it opens (`<enclosure …/>`, `<br>`), without a trip
            // through the stack of open elements.
            self.closed(index, scope_len, outer_default, 0);
            return;
        }
        self.stack.push(Open {
            index,
            qname: written,
            scope_len,
            outer_default,
            start: at,
            text: Cow::Borrowed(""),
            clean: false,
            structural,
            text_only: class.text_only,
        });
    }

    /// An attribute of a start tag in the first pass: a namespace declaration goes into
    /// scope, `xml:base` and `xml:lang` change the element's `base` and `lang`; anything
    /// else waits for [`Builder::attribute`].
    ///
    /// Every key handled here starts with `xml`, so any other key falls through all the
    /// cases; the first pass after [`attributes::scan`] tests that prefix before calling,
    /// so an ordinary attribute costs no call there.
    fn declare(&mut self, key: &str, raw: &str, base: &mut StringId, lang: &mut StringId) {
        if key == "xmlns" || key.starts_with("xmlns:") {
            let prefix = key.strip_prefix("xmlns").unwrap_or_default();
            let prefix = prefix.strip_prefix(':').unwrap_or(prefix);
            let mut value = String::new();
            self.references
                .push_attribute_value(raw, &mut value, &mut self.repairs);
            let value = value.trim();
            let ns = match value.is_empty() {
                true => Namespace::NONE,
                false => self.intern(ns::canonical(value)),
            };
            if prefix.is_empty() {
                self.default_ns = ns;
            }
            self.scope.push(Binding {
                prefix: prefix.to_string(),
                ns,
            });
        } else if key == "xml:base" {
            let mut value = String::new();
            self.references
                .push_attribute_value(raw, &mut value, &mut self.repairs);
            let inherited = self.tree.string(*base);
            let resolved = crate::normalise::url::join(inherited, value.trim());
            if resolved.len() > MAX_BASE {
                self.repairs
                    .note(Repair::LongBase, || format!("xml:base=\"{raw}\""));
            } else if inherited != Some(resolved.as_str()) {
                // The same base as the enclosing one keeps its string.
                *base = self.tree.add_string(&resolved);
            }
        } else if key == "xml:lang" {
            let mut value = String::new();
            self.references
                .push_attribute_value(raw, &mut value, &mut self.repairs);
            let value = value.trim();
            if value.is_empty() {
                *lang = StringId::NONE;
            } else if self.tree.string(*lang) != Some(value) {
                *lang = self.tree.add_string(value);
            }
        }
    }

    /// An attribute (`key`, value `raw` as written) of the start tag `qname`, kept in the
    /// tree unless it declares a namespace or its name is unusable.
    fn attribute(&mut self, qname: &str, key: Cow<'a, str>, raw: Cow<'a, str>) {
        if key == "xmlns" || key.starts_with("xmlns:") {
            return;
        }
        if !key.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == ':') {
            self.repairs
                .note(Repair::BadAttribute, || format!("in <{qname}>: `{key}`"));
            return;
        }
        let (attr_prefix, name) = match &key {
            Cow::Borrowed(key) => {
                let (prefix, name) = split_qname(key);
                (prefix, Cow::Borrowed(name))
            }
            Cow::Owned(key) => {
                let (prefix, name) = split_qname(key);
                (prefix, Cow::Owned(name.to_string()))
            }
        };
        let attr_ns = match attr_prefix {
            Some("xml") => self.intern(ns::XML).uri,
            Some(attr_prefix) => self.resolve_prefix(attr_prefix, &key).uri,
            None => StringId::NONE,
        };
        // References and line ends need decoding; anything else is the value as written.
        // One pass also looks for the 0xC2 byte without which the mojibake repair has
        // nothing to do (values are short: no `memchr` call per value; a fold sixteen
        // bytes at a time, `scan::fold_flags`, measured 190 instructions a value more).
        let (decode, c2) = raw.bytes().fold((false, false), |(decode, c2), byte| {
            (
                decode | matches!(byte, b'&' | b'\t' | b'\n' | b'\r'),
                c2 | (byte == 0xC2),
            )
        });
        let value = if decode {
            let mut value = String::with_capacity(raw.len());
            self.references
                .push_attribute_value(&raw, &mut value, &mut self.repairs);
            mojibake::repair_cow(Cow::Owned(value), &mut self.scratch)
        } else if c2 {
            mojibake::repair_cow(raw, &mut self.scratch)
        } else {
            raw
        };
        self.tree.push_attribute(Attribute {
            ns: attr_ns,
            name,
            value,
        });
    }

    /// Closes the innermost element when it holds only text in every feed dialect
    /// (`<title>`, `<pubDate>`, …) and the new start tag is one of its siblings, not
    /// content: `<title>Audities<link>…` is a title whose end tag was forgotten. Readers
    /// recover it this way; waiting for the parent's end tag would swallow the rest of
    /// the item into the title.
    fn close_unclosed_text_element(&mut self, qname: &str, at: usize) {
        let Some(open) = self.stack.last() else {
            return;
        };
        if !open.text_only {
            return;
        }
        let element = self.tree.data(open.index);
        let (prefix, name) = split_qname(qname);
        let ns = match prefix {
            Some(prefix) => self.peek_prefix(prefix),
            None => self.tree.string(self.default_ns.uri),
        };
        if !is_feed_element(ns, name) {
            return;
        }
        let unclosed = display_qname(element);
        self.repairs.note(Repair::Unclosed, || {
            format!("<{unclosed}> (closed by <{qname}>)")
        });
        self.close_top(at);
    }

    /// An end tag `</qname>` ending at byte offset `at`.
    pub(super) fn end(&mut self, qname: &str, at: usize) {
        if self.overflow > 0 {
            self.overflow -= 1;
            return;
        }
        // Only the innermost elements are candidates, so a flood of stray end tags under a
        // deep stack stays linear; an end tag meant for an element further out is lost,
        // and the end of the document closes that element anyway.
        let reach = self.stack.len().saturating_sub(END_TAG_REACH);
        let candidates = &self.stack[reach..];
        let tree = &self.tree;
        let found = candidates
            .iter()
            .rposition(|open| match open.qname {
                Some(written) => written == qname,
                None => qname_is(tree.data(open.index), qname),
            })
            .or_else(|| {
                // Real feeds write `<pubDate>…</pubdate>`.
                candidates.iter().rposition(|open| match open.qname {
                    Some(written) => written.eq_ignore_ascii_case(qname),
                    None => qname_is_ignore_case(tree.data(open.index), qname),
                })
            })
            .map(|index| index + reach);
        match found {
            Some(index) => {
                if index + 1 < self.stack.len() && !self.html {
                    let inner = self.tree.data(self.stack[self.stack.len() - 1].index);
                    let unclosed = display_qname(inner);
                    self.repairs.note(Repair::Unclosed, || {
                        format!("<{unclosed}> (closed by </{qname}>)")
                    });
                }
                while self.stack.len() > index {
                    self.close_top(at);
                }
            }
            None => {
                let (_, name) = split_qname(qname);
                let void = self.is_void(classify(Known::NoNamespace, name));
                if !void {
                    self.repairs
                        .note(Repair::StrayEndTag, || format!("</{qname}>"));
                }
            }
        }
    }

    /// Character data from the document (`raw` is text between markup, without
    /// references; a leading `&` is one that started no reference); `expected` is the
    /// length the text node it starts will probably reach (more than `raw` when a
    /// reference follows).
    pub(super) fn text(&mut self, raw: &str, expected: impl FnOnce() -> usize) {
        if let Some(open) = self.stack.last_mut()
            && open.text.is_empty()
        {
            // Indentation between an item's children is a third of a feed's text nodes;
            // no mapper reads the text of a structure element, only its children.
            if open.structural && raw.bytes().all(|byte| byte.is_ascii_whitespace()) {
                return;
            }
            let expected = expected();
            if expected > raw.len() {
                open.text = Cow::Owned(String::with_capacity(expected));
            }
        }
        if raw.starts_with('&') && !self.stack.is_empty() {
            self.repairs.note(Repair::BareAmpersand, || {
                format!("\"{}\"", raw.chars().take(20).collect::<String>())
            });
        }
        self.literal(raw);
    }

    /// Text taken as is (CDATA contents, or markup characters read as text).
    // Inlined into `text`, its caller for every piece of text: the call cost as much as
    // the work for the short pieces between references.
    #[inline]
    pub(super) fn literal(&mut self, text: &str) {
        let carriage_returns = self.carriage_returns;
        let Some(open) = self.stack.last_mut() else {
            if !text.trim().is_empty() {
                self.saw_text = true;
                let kind = if self.top_level.is_empty() {
                    Repair::JunkBeforeRoot
                } else {
                    Repair::ExtraTopLevel
                };
                self.repairs.note(kind, || format!("\"{}\"", text.trim()));
            }
            return;
        };
        // The first piece of a text node borrows from the document unless its line ends
        // need normalising; one search finds both a `\r` and the 0xC2 byte without which
        // the mojibake repair (`flush_text`) has nothing to do.
        if let Cow::Borrowed("") = open.text
            && !text.is_empty()
            && let Some(text) = super::within(self.source, text)
        {
            let bytes = text.as_bytes();
            let clean = if carriage_returns {
                match memchr::memchr2(b'\r', 0xC2, bytes) {
                    None => Some(true),
                    Some(at) if bytes[at] == 0xC2 => memchr::memchr(b'\r', &bytes[at..])
                        .is_none()
                        .then_some(false),
                    Some(_) => None,
                }
            } else {
                Some(memchr::memchr(0xC2, bytes).is_none())
            };
            if let Some(clean) = clean {
                open.text = Cow::Borrowed(text);
                open.clean = clean;
                return;
            }
        }
        push_text(open.text.to_mut(), text, carriage_returns);
    }

    /// A reference `&name;` in text.
    pub(super) fn reference(&mut self, name: &str) {
        self.saw_text |= self.stack.is_empty();
        if let Some(open) = self.stack.last_mut() {
            // Straight into the text node: a character reference's `&#13;` is content and
            // escapes line-end normalisation, as XML says.
            self.references
                .push(name, open.text.to_mut(), &mut self.repairs);
        }
    }

    /// The `<!DOCTYPE …>` contents: the declaration is kept for dialect detection (RSS
    /// 0.91 Netscape vs Userland), plain-text entities of the internal subset are
    /// declared, anything else in it is ignored.
    pub(super) fn doctype(&mut self, content: &str) {
        if self.doctype.is_some() {
            return;
        }
        let parsed = doctype::parse(content);
        for (name, value) in parsed.entities {
            self.references.declare(name, value);
        }
        if let Some(name) = parsed.refused {
            self.repairs
                .note(Repair::DoctypeEntities, || format!("<!ENTITY {name} …>"));
        }
        self.doctype = Some(parsed.declaration);
    }

    /// Closes whatever is open (a truncated document) and picks the root element: its
    /// index in the tree, if there is one.
    pub(super) fn finish(mut self, end: usize) -> Finished<'a> {
        if !self.stack.is_empty() {
            let open = display_qname(self.tree.data(self.stack[self.stack.len() - 1].index));
            if !self.repairs.contains(Repair::Truncated) {
                self.repairs
                    .note(Repair::Truncated, || format!("<{open}> still open"));
            }
            while !self.stack.is_empty() {
                self.close_top(end);
            }
        }
        if self.top_level.len() > 1 {
            let count = self.top_level.len() - 1;
            self.repairs.note(Repair::ExtraTopLevel, || {
                format!("{count} element(s) besides the root")
            });
        }
        let root = self
            .top_level
            .iter()
            .enumerate()
            // The largest wins; on a tie, the first.
            .max_by_key(|(index, (_, size))| (*size, std::cmp::Reverse(*index)))
            .map(|(_, (element, _))| *element);
        Finished {
            tree: self.tree,
            root,
            doctype: self.doctype,
            repairs: self.repairs,
        }
    }

    fn close_top(&mut self, at: usize) {
        self.flush_text();
        let Some(open) = self.stack.pop() else {
            return;
        };
        self.closed(
            open.index,
            open.scope_len,
            open.outer_default,
            at.saturating_sub(open.start),
        );
    }

    /// The bookkeeping of an element that has closed, whether from the stack of open
    /// elements or as it opened: its namespace declarations go out of scope (back to
    /// `scope_len` bindings, and the default namespace back to `outer_default`, both as
    /// they were when it started), and a top-level element is a candidate for the root
    /// (`size` bytes long).
    #[inline]
    fn closed(&mut self, index: u32, scope_len: usize, outer_default: Namespace, size: usize) {
        self.scope.truncate(scope_len);
        self.default_ns = outer_default;
        if self.stack.is_empty() {
            self.top_level.push((index, size));
        }
    }

    /// Whether an element of this class closes itself (see [`Class::void_html`]).
    fn is_void(&self, class: Class) -> bool {
        class.void_always || (self.html && class.void_html)
    }

    /// The namespace a prefix stands for, without binding or reporting anything.
    fn peek_prefix(&self, prefix: &str) -> Option<&str> {
        match self
            .scope
            .iter()
            .rev()
            .chain(self.implicit.iter())
            .find(|binding| binding.prefix == prefix)
        {
            Some(binding) => self.tree.string(binding.ns.uri),
            None => ns::default_for_prefix(prefix),
        }
    }

    fn resolve_prefix(&mut self, prefix: &str, qname: &str) -> Namespace {
        if let Some(binding) = self
            .scope
            .iter()
            .rev()
            .chain(self.implicit.iter())
            .find(|binding| binding.prefix == prefix)
        {
            return binding.ns;
        }
        if prefix == "xml" {
            return self.intern(ns::XML);
        }
        let ns = match ns::default_for_prefix(prefix) {
            Some(uri) => {
                self.repairs.note(Repair::UndeclaredPrefix, || {
                    format!("{prefix}: (in <{qname}>) as {uri}")
                });
                self.intern(uri)
            }
            None => {
                self.repairs.note(Repair::UnknownPrefix, || {
                    format!("{prefix}: (in <{qname}>)")
                });
                Namespace::NONE
            }
        };
        self.implicit.push(Binding {
            prefix: prefix.to_string(),
            ns,
        });
        ns
    }

    /// One entry in the tree's strings per namespace URI per document, with its kind.
    fn intern(&mut self, uri: &str) -> Namespace {
        let tree = &self.tree;
        if let Some(existing) = self
            .interned
            .iter()
            .find(|known| tree.string(known.uri) == Some(uri))
        {
            return *existing;
        }
        let ns = Namespace {
            uri: self.tree.add_string(uri),
            known: Known::of(Some(uri)),
        };
        self.interned.push(ns);
        ns
    }
}

/// What [`Builder::finish`] leaves: the tree, the index of its root element (none when
/// the document held no element), the DOCTYPE declaration and the repairs made.
pub(super) struct Finished<'a> {
    pub(super) tree: Tree<'a>,
    pub(super) root: Option<u32>,
    pub(super) doctype: Option<String>,
    pub(super) repairs: Repairs,
}

/// What the reader needs to know of an element from its namespace and name, worked out
/// once when it starts. Names match ASCII case-insensitively (feeds write `pubdate` and
/// `PubDate`), except `rdf:RDF`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Class {
    /// Holds only text in RSS, Atom and their common extensions (`title`, `pubDate`,
    /// `dc:creator`, `itunes:duration`, …). Atom text constructs may hold an XHTML `<div>`,
    /// which is not a feed element, so they qualify.
    text_only: bool,
    /// One of the elements of RSS and Atom that hold other feed elements, not text or
    /// content: `rss`, `rdf:RDF`, `channel`, `item`, `image`, `textInput`, `feed`,
    /// `entry`, and Atom's `author`, `contributor` and `source`. Only counted as such (by
    /// the caller) when every ancestor is one too: an `<item>` inside unescaped HTML of a
    /// description is content, its whitespace kept for `inner_markup`.
    structural: bool,
    /// A void element that cannot be mistaken for a feed element (`br`, `hr`, `img`,
    /// `wbr`; `link` and `source` are RSS elements with content), unprefixed or XHTML:
    /// void in any document, as HTML written unescaped inside a description uses `<br>`
    /// without closing it.
    void_always: bool,
    /// One of HTML's void elements, unprefixed or XHTML: in an HTML page they never have
    /// an end tag.
    void_html: bool,
}

fn classify(known: Known, name: &str) -> Class {
    match known {
        // Namespaces none of whose elements the reader treats apart (`podcast:`,
        // `content:`, `media:`, …): no name to lowercase and compare.
        Known::Content
        | Known::Podcast
        | Known::Media
        | Known::Xml
        | Known::Admin
        | Known::Other => {
            return Class::default();
        }
        Known::Rdf => {
            return Class {
                structural: name == "RDF",
                ..Class::default()
            };
        }
        _ => {}
    }
    let roles = roles(LowerName::new(name).as_str());
    if roles == 0 {
        return Class::default();
    }
    let has = |role: u8| roles & role != 0;
    let text_only = match known {
        Known::NoNamespace
        | Known::Rss10
        | Known::Rss090
        | Known::Rss2Userland
        | Known::Atom10
        | Known::Atom03 => has(TEXT_CORE),
        Known::Dc | Known::Dcterms | Known::Itunes => has(TEXT_EXTENSION),
        _ => false,
    };
    let structural = match known {
        Known::NoNamespace => has(RSS_STRUCTURE | FEED_OR_ENTRY),
        Known::Rss10 | Known::Rss090 | Known::Rss2Userland | Known::Rss091Userland => {
            has(RSS_STRUCTURE)
        }
        Known::Atom10 | Known::Atom03 => has(FEED_OR_ENTRY | ATOM_PERSON_OR_SOURCE),
        // `Known::Rdf` returned above: only `<rdf:RDF>` is structural.
        _ => false,
    };
    let html = matches!(known, Known::NoNamespace | Known::Xhtml);
    Class {
        text_only,
        structural,
        void_always: html && has(VOID_ALWAYS),
        void_html: html && has(VOID_ALWAYS | VOID_HTML),
    }
}

/// Roles of a lowercased local name for [`classify`], which keeps those its namespace
/// gives it. Text-only in RSS and Atom (`title`, `pubdate`, `updated`, …).
const TEXT_CORE: u8 = 1;
/// Text-only in Dublin Core and iTunes (`creator`, `duration`, `explicit`, …).
const TEXT_EXTENSION: u8 = 2;
/// RSS structure: `rss`, `channel`, `item`, `image`, `textinput`.
const RSS_STRUCTURE: u8 = 4;
/// `feed` and `entry`: structure in Atom and without a namespace.
const FEED_OR_ENTRY: u8 = 8;
/// Atom's `author`, `contributor` and `source`.
const ATOM_PERSON_OR_SOURCE: u8 = 16;
/// `br`, `hr`, `img`, `wbr`: void in any document.
const VOID_ALWAYS: u8 = 32;
/// HTML's other void elements: void in an HTML page.
const VOID_HTML: u8 = 64;

/// The roles `lower` may have, found by its length first, so a name is compared with the
/// few known names of its length only (one string `match` compares them one by one).
fn roles(lower: &str) -> u8 {
    match lower.len() {
        2 => match lower {
            "id" => TEXT_CORE,
            "br" | "hr" => VOID_ALWAYS,
            _ => 0,
        },
        3 => match lower {
            "ttl" => TEXT_CORE,
            "rss" => RSS_STRUCTURE,
            "img" | "wbr" => VOID_ALWAYS,
            "col" => VOID_HTML,
            _ => 0,
        },
        4 => match lower {
            "link" => TEXT_CORE | VOID_HTML,
            "guid" | "docs" => TEXT_CORE,
            "date" => TEXT_EXTENSION,
            "item" => RSS_STRUCTURE,
            "feed" => FEED_OR_ENTRY,
            "area" | "base" | "meta" => VOID_HTML,
            _ => 0,
        },
        5 => match lower {
            "title" => TEXT_CORE,
            "image" => RSS_STRUCTURE,
            "entry" => FEED_OR_ENTRY,
            "embed" | "input" | "param" | "track" => VOID_HTML,
            _ => 0,
        },
        6 => match lower {
            "issued" => TEXT_CORE,
            "rights" | "season" => TEXT_EXTENSION,
            "author" => TEXT_EXTENSION | ATOM_PERSON_OR_SOURCE,
            "source" => ATOM_PERSON_OR_SOURCE | VOID_HTML,
            _ => 0,
        },
        7 => match lower {
            "pubdate" | "updated" | "created" => TEXT_CORE,
            "creator" | "subject" | "episode" => TEXT_EXTENSION,
            "channel" => RSS_STRUCTURE,
            _ => 0,
        },
        8 => match lower {
            "comments" | "language" | "modified" => TEXT_CORE,
            "duration" | "explicit" | "subtitle" | "keywords" => TEXT_EXTENSION,
            _ => 0,
        },
        9 => match lower {
            "copyright" | "webmaster" | "generator" | "published" => TEXT_CORE,
            "textinput" => RSS_STRUCTURE,
            _ => 0,
        },
        11 => match lower {
            "episodetype" => TEXT_EXTENSION,
            "contributor" => ATOM_PERSON_OR_SOURCE,
            _ => 0,
        },
        13 => match lower {
            "lastbuilddate" => TEXT_CORE,
            _ => 0,
        },
        14 => match lower {
            "managingeditor" => TEXT_CORE,
            _ => 0,
        },
        _ => 0,
    }
}

/// Elements that are parts of a channel, item or entry, never content of one of their
/// text elements: what may end a text element whose end tag was forgotten.
fn is_feed_element(ns: Option<&str>, name: &str) -> bool {
    const CORE: &[&str] = &[
        "item",
        "entry",
        "channel",
        "title",
        "link",
        "description",
        "pubDate",
        "guid",
        "enclosure",
        "author",
        "category",
        "comments",
        "source",
        "content",
        "summary",
        "updated",
        "published",
        "id",
    ];
    match ns {
        None | Some(ns::RSS10 | ns::RSS090 | ns::RSS2_USERLAND | ns::ATOM10 | ns::ATOM03) => {
            CORE.iter().any(|known| name.eq_ignore_ascii_case(known))
        }
        Some(ns::ITUNES | ns::PODCAST | ns::DC | ns::DCTERMS | ns::CONTENT | ns::MEDIA) => true,
        Some(_) => false,
    }
}

/// Splits `prefix:local` at the first colon; a name with an empty side is taken whole as
/// a local name.
fn split_qname(qname: &str) -> (Option<&str>, &str) {
    // A byte search: names are short, and `split_once(':')` builds a character searcher.
    match qname.bytes().position(|byte| byte == b':') {
        Some(colon) if colon > 0 && colon + 1 < qname.len() => {
            match (qname.get(..colon), qname.get(colon + 1..)) {
                (Some(prefix), Some(local)) => (Some(prefix), local),
                _ => (None, qname),
            }
        }
        _ => (None, qname),
    }
}

/// The length of the element's name as written, prefix included.
fn qname_len(element: &ElementData<'_>) -> usize {
    element.prefix.as_ref().map_or(0, |prefix| prefix.len() + 1) + element.name.len()
}

fn qname_is(element: &ElementData<'_>, qname: &str) -> bool {
    if qname_len(element) != qname.len() {
        return false;
    }
    match &element.prefix {
        Some(prefix) => {
            qname.starts_with(&**prefix)
                && qname.as_bytes()[prefix.len()] == b':'
                && qname.ends_with(&*element.name)
        }
        None => qname == element.name,
    }
}

fn qname_is_ignore_case(element: &ElementData<'_>, qname: &str) -> bool {
    if qname_len(element) != qname.len() {
        return false;
    }
    let (prefix, name) = split_qname(qname);
    element.name.eq_ignore_ascii_case(name)
        && match (&element.prefix, prefix) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (None, None) => true,
            _ => false,
        }
}

fn display_qname(element: &ElementData<'_>) -> String {
    match &element.prefix {
        Some(prefix) => format!("{prefix}:{}", element.name),
        None => element.name.to_string(),
    }
}

/// Appends text, normalising line ends as XML does (`\r\n` and lone `\r` become `\n`);
/// `carriage_returns` is false when the document holds none, and the text is not searched.
fn push_text(target: &mut String, text: &str, carriage_returns: bool) {
    // `memchr` rather than `str::contains`: every piece of text passes here, and the
    // crate's vectorised search is several times faster than the standard library's.
    if carriage_returns && memchr::memchr(b'\r', text.as_bytes()).is_some() {
        target.push_str(&text.replace("\r\n", "\n").replace('\r', "\n"));
    } else {
        target.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// End tags compare with the start tag's name as written; the tree's prefix and local
    /// name, which `qname_is` and `qname_is_ignore_case` join, must give the same answers.
    #[test]
    fn names_as_written_match_as_the_tree_names_do() {
        const NAMES: &[&str] = &[
            "a",
            "A",
            "ab",
            "aB",
            "a:b",
            "A:B",
            "a:B",
            ":a",
            ":A",
            "a:",
            "A:",
            ":",
            "::",
            "a::b",
            "a:b:c",
            "A:b:C",
            "ab:c",
            "a:bc",
            "pubDate",
            "pubdate",
            "PUBDATE",
            "x:pubDate",
            "\u{e9}t\u{e9}",
            "\u{c9}t\u{c9}",
            "",
        ];
        for written in NAMES {
            let (prefix, name) = split_qname(written);
            let mut element = ElementData::new(Cow::Borrowed(name));
            element.prefix = prefix.map(Cow::Borrowed);
            for qname in NAMES {
                assert_eq!(
                    *written == *qname,
                    qname_is(&element, qname),
                    "{written:?} {qname:?}"
                );
                assert_eq!(
                    written.eq_ignore_ascii_case(qname),
                    qname_is_ignore_case(&element, qname),
                    "{written:?} {qname:?}"
                );
            }
        }
    }

    #[test]
    fn classes_by_namespace_and_name() {
        let class = |known, name| classify(known, name);
        // Text-only elements, in any case, in the namespaces that define them only.
        assert!(class(Known::NoNamespace, "PubDate").text_only);
        assert!(class(Known::Atom10, "updated").text_only);
        assert!(class(Known::Itunes, "episodeType").text_only);
        assert!(class(Known::Dcterms, "subject").text_only);
        assert!(!class(Known::Itunes, "title").text_only);
        assert!(!class(Known::Media, "title").text_only);
        assert!(!class(Known::NoNamespace, "description").text_only);
        // Structure: RDF only in its exact case; Atom's person constructs only in Atom.
        assert!(class(Known::Rdf, "RDF").structural);
        assert!(!class(Known::Rdf, "rdf").structural);
        assert!(class(Known::NoNamespace, "TextInput").structural);
        assert!(class(Known::NoNamespace, "entry").structural);
        assert!(class(Known::Rss091Userland, "item").structural);
        assert!(class(Known::Atom03, "Contributor").structural);
        assert!(!class(Known::NoNamespace, "author").structural);
        assert!(!class(Known::Rss10, "feed").structural);
        assert!(!class(Known::Other, "item").structural);
        // Namespaces with nothing special to the reader: nothing, whatever the name.
        assert_eq!(class(Known::Podcast, "title"), Class::default());
        assert_eq!(class(Known::Content, "br"), Class::default());
        // Void elements: unprefixed or XHTML only; `link` only in an HTML page.
        let br = class(Known::Xhtml, "BR");
        assert!(br.void_always && br.void_html);
        let link = class(Known::NoNamespace, "link");
        assert!(!link.void_always && link.void_html);
        assert_eq!(class(Known::Atom10, "br"), Class::default());
        // Names longer than any known name match nothing.
        assert_eq!(class(Known::NoNamespace, &"b".repeat(40)), Class::default());
    }
}

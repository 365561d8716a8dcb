//! The strict XML tree the validator checks: built from the raw bytes with quick-xml,
//! every element keeping its line, its resolved namespace and the prefix it was written with.
//!
//! The tree borrows from the decoded text: names, prefixes, declared namespace URIs,
//! attribute values and text are slices of the document, and only what had to be changed
//! to be read (text with references or CDATA beside other text, attribute values with
//! references or literal tabs and newlines) is an owned string. The namespace an element
//! or attribute is in is one `Rc` per declaration, shared by everything in its scope. A
//! build validates every feed it writes, and a string allocated and freed per name and
//! text of a 10,000-entry feed was a fifth of a full build's CPU time.
//!
//! Unlike the lenient reader in `ingest::feed::xml` (which repairs what feed readers
//! repair), nothing here is fixed up silently. A problem the tree can step over (a bare
//! `&`, an undefined entity, an unbound prefix, a character reference to a forbidden
//! character) is recorded in [`XmlDoc::problems`] with its line, and the `xml/…` rule
//! family reports it; a problem that leaves no tree to check (mismatched or unclosed tags,
//! content after the root) is an [`Unreadable`] error naming its line. Encoding is decided
//! in `rules/xml.rs`; this module reads text that is already decoded.

use std::borrow::Cow;
use std::rc::Rc;

use quick_xml::Reader;
use quick_xml::errors::{Error, IllFormedError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::PrefixDeclaration;

use super::Rule;
use super::rules::xml as xml_rules;
use crate::ingest::feed::{ns, xml};

/// Deeper nesting than this is refused: no feed needs it, and it keeps the recursive
/// walks of the rule families within the stack.
pub const MAX_DEPTH: usize = 256;

/// A parsed document: its root element and what was found on the way; `'t` is the
/// decoded text it borrows from.
#[derive(Debug, Clone)]
pub struct XmlDoc<'t> {
    pub root: El<'t>,
    /// Problems stepped over while building the tree, reported by the `xml/…` family.
    pub problems: Vec<Problem>,
    /// Every namespace declaration in the document: (line, prefix, URI as written).
    pub declarations: Vec<Declaration<'t>>,
}

/// One `xmlns` / `xmlns:prefix` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration<'t> {
    pub line: u32,
    /// `None` for the default namespace.
    pub prefix: Option<&'t str>,
    pub uri: Cow<'t, str>,
}

/// One element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct El<'t> {
    /// The namespace URI exactly as declared (not canonicalised: the rules judge it).
    /// One shared copy per declaration: every element and attribute in its scope holds
    /// the same `Rc`, so an element costs a reference count for its namespace however
    /// long the URI is.
    pub ns: Option<Rc<str>>,
    pub prefix: Option<&'t str>,
    /// The local name.
    pub name: &'t str,
    /// Attributes other than namespace declarations.
    pub attrs: Vec<Attr<'t>>,
    pub children: Vec<El<'t>>,
    /// The element's own text (its text, references and CDATA, not its children's),
    /// decoded: borrowed when it is one run of text without references.
    pub text: Cow<'t, str>,
    /// Whether any of that text came from a CDATA section.
    pub cdata: bool,
    /// The 1-based line of the start tag.
    pub line: u32,
}

/// One attribute, its value decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr<'t> {
    /// Shared with the declaration's other users, like [`El::ns`].
    pub ns: Option<Rc<str>>,
    pub name: &'t str,
    pub value: Cow<'t, str>,
}

/// A problem the tree stepped over.
#[derive(Debug, Clone)]
pub struct Problem {
    pub rule: &'static Rule,
    pub line: u32,
    pub message: String,
}

/// Why a document gives no tree: the line and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub line: u32,
    pub message: String,
}

impl<'t> El<'t> {
    /// The value of the un-namespaced attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|attr| attr.ns.is_none() && attr.name == name)
            .map(|attr| &*attr.value)
    }

    /// The value of attribute `name` in namespace `ns` (`None`: un-namespaced).
    pub fn attr_ns(&self, ns: Option<&str>, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|attr| attr.ns.as_deref() == ns && attr.name == name)
            .map(|attr| &*attr.value)
    }

    /// The first child named `name` in namespace `ns` (`None`: no namespace).
    pub fn child(&self, ns: Option<&str>, name: &str) -> Option<&El<'t>> {
        self.children.iter().find(|child| child.is(ns, name))
    }

    /// Every child named `name` in namespace `ns`, in document order.
    pub fn children_named<'a>(
        &'a self,
        ns: Option<&'a str>,
        name: &'a str,
    ) -> impl Iterator<Item = &'a El<'t>> {
        self.children.iter().filter(move |child| child.is(ns, name))
    }

    /// Whether this element is `name` in namespace `ns`.
    pub fn is(&self, ns: Option<&str>, name: &str) -> bool {
        self.name == name && self.ns.as_deref() == ns
    }

    /// Whether this element's namespace is `uri` once canonicalised (both Podcasting 2.0
    /// URIs, iTunes in any case): for rules that judge the content, not the URI.
    ///
    /// `uri` is one of the canonical URIs of `ingest::feed::ns` (which canonicalise to
    /// themselves), so an element whose namespace is written exactly as `uri` is in it
    /// without canonicalising: the rule families ask this of nearly every element, and
    /// canonicalising lowercases a copy of the URI each time.
    pub fn in_ns(&self, uri: &str) -> bool {
        match self.ns.as_deref() {
            Some(declared) if declared == uri => true,
            Some(declared) => ns::canonical(declared) == uri,
            None => false,
        }
    }

    /// The text with surrounding whitespace removed.
    pub fn trimmed(&self) -> &str {
        self.text.trim()
    }

    /// The qualified name as written (`itunes:image`), for messages.
    pub fn qname(&self) -> String {
        match self.prefix {
            Some(prefix) => format!("{prefix}:{}", self.name),
            None => self.name.to_string(),
        }
    }

    /// This element and every descendant, depth first in document order.
    pub fn descendants(&self) -> Descendants<'_, 't> {
        Descendants { stack: vec![self] }
    }
}

/// Iterator behind [`El::descendants`].
pub struct Descendants<'a, 't> {
    stack: Vec<&'a El<'t>>,
}

impl<'a, 't> Iterator for Descendants<'a, 't> {
    type Item = &'a El<'t>;

    fn next(&mut self) -> Option<&'a El<'t>> {
        let next = self.stack.pop()?;
        self.stack.extend(next.children.iter().rev());
        Some(next)
    }
}

/// Builds the tree of `text` (already decoded); the tree borrows from it.
pub fn parse(text: &str) -> Result<XmlDoc<'_>, Unreadable> {
    let mut builder = Builder {
        text,
        lines: LineCounter::default(),
        scopes: vec![Vec::new()],
        stack: Vec::new(),
        finished: Vec::new(),
        starts: Vec::new(),
        root: None,
        problems: Vec::new(),
        declarations: Vec::new(),
        xml_ns: None,
    };
    builder.run()?;
    match builder.root {
        Some(root) => Ok(XmlDoc {
            root,
            problems: builder.problems,
            declarations: builder.declarations,
        }),
        None => Err(Unreadable {
            line: 1,
            message: "no root element".into(),
        }),
    }
}

/// Turns byte offsets into line numbers; offsets are asked for in increasing order, so
/// the whole document is scanned for newlines once.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u32,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: usize) -> u32 {
        let offset = offset.min(text.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 0;
        }
        let newlines = memchr::memchr_iter(b'\n', &text.as_bytes()[self.offset..offset]).count();
        self.line += newlines as u32;
        self.offset = offset;
        self.line + 1
    }
}

struct Builder<'t> {
    text: &'t str,
    lines: LineCounter,
    /// Prefix bindings per open element (plus one for the document): `None` = default.
    /// The URI is copied once per declaration into an `Rc` that every element and
    /// attribute in its scope shares (a decoded, owned URI copied per element let a
    /// small document ask for terabytes).
    scopes: Vec<Vec<(Option<&'t str>, Rc<str>)>>,
    stack: Vec<El<'t>>,
    /// The closed children of every open element, in document order: an open element's
    /// children are `finished[start..]` for the `start` beside it in `starts`. They move
    /// into one exactly sized `children` when it closes, instead of each parent's vector
    /// growing by doubling (a channel of 10,000 items reallocated and copied its
    /// children a dozen times).
    finished: Vec<El<'t>>,
    starts: Vec<usize>,
    root: Option<El<'t>>,
    problems: Vec<Problem>,
    declarations: Vec<Declaration<'t>>,
    /// The `xml:` namespace, allocated the first time it is used.
    xml_ns: Option<Rc<str>>,
}

/// `piece` appended to an element's text: a first piece that is a slice of the document
/// is kept borrowed; anything else makes the text owned, with room for `ahead()` more
/// bytes (see [`owned`]). An owned first piece (text whose `\r\n` was normalised, a
/// reference kept as written, CDATA) is copied into that room rather than kept with room
/// for itself only, which would let the rest of the run grow it by doubling.
fn append<'t>(text: &mut Cow<'t, str>, piece: Cow<'t, str>, ahead: impl FnOnce() -> usize) {
    if piece.is_empty() {
        return;
    }
    if text.is_empty() && matches!(piece, Cow::Borrowed(_)) {
        *text = piece;
    } else {
        owned(text, ahead).push_str(&piece);
    }
}

/// The element's text as an owned string; when it has to be made owned, it gets room for
/// what it holds and `ahead()` bytes more (asked only then: it may scan the document). Escaped markup (an RSS `description` or
/// `content:encoded`) arrives as hundreds of pieces, text between references, and a
/// string grown piece by piece was reallocated a dozen times per element: 5 % of a
/// build's time went to those copies and the fresh pages they touched.
fn owned<'c>(text: &'c mut Cow<'_, str>, ahead: impl FnOnce() -> usize) -> &'c mut String {
    if let Cow::Borrowed(borrowed) = *text {
        let mut string = String::with_capacity(borrowed.len() + ahead());
        string.push_str(borrowed);
        *text = Cow::Owned(string);
    }
    text.to_mut()
}

/// The bytes of the document from `at` to the next `<` (or its end): the rest of a run of
/// text and references, whose decoded text is never longer (a reference is longer than
/// the character it stands for, a kept one is copied as written, and line-end
/// normalisation only shortens), so room for it is room for the whole run.
fn run_length(document: &str, at: usize) -> usize {
    let rest = document.as_bytes().get(at..).unwrap_or_default();
    memchr::memchr(b'<', rest).unwrap_or(rest.len())
}

impl<'t> Builder<'t> {
    /// A name from the reader as a slice of the document (see [`within`]).
    fn name(&self, part: &str, line: u32) -> Result<&'t str, Unreadable> {
        xml::within(self.text, part).ok_or_else(|| Unreadable {
            line,
            message: format!("the XML reader returned the name `{part}` from outside the document"),
        })
    }

    fn run(&mut self) -> Result<(), Unreadable> {
        let mut reader = Reader::from_str(self.text);
        // A bare `&` is reported (xml/unescaped-ampersand) and the tree goes on.
        reader.config_mut().allow_dangling_amp = true;
        reader.config_mut().check_comments = true;
        loop {
            let start = reader.buffer_position() as usize;
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(error) => {
                    let at = reader.error_position() as usize;
                    let line = self.lines.line_at(self.text, at);
                    return Err(Unreadable {
                        line,
                        message: describe(&error),
                    });
                }
            };
            // Only elements keep a line; text, CDATA and references (escaped markup is
            // thousands of them per entry) count the lines up to where they start only
            // when they have a problem to report, which took a tenth of a tree's time
            // as one short count per event.
            match event {
                Event::Start(tag) => {
                    let line = self.lines.line_at(self.text, start);
                    self.open(&tag, line)?;
                }
                Event::Empty(tag) => {
                    let line = self.lines.line_at(self.text, start);
                    self.open(&tag, line)?;
                    self.close();
                }
                Event::End(_) => self.close(),
                Event::Text(text) => {
                    let content = text.xml10_content();
                    self.text_event(content, start)?;
                }
                Event::CData(data) => {
                    let content = data.into_inner();
                    match self.stack.last_mut() {
                        Some(el) => {
                            append(&mut el.text, content, || 0);
                            el.cdata = true;
                        }
                        None => {
                            return Err(Unreadable {
                                line: self.lines.line_at(self.text, start),
                                message: "CDATA outside the root element".into(),
                            });
                        }
                    }
                }
                Event::GeneralRef(reference) => {
                    match self.reference(&reference, Place::At(start)) {
                        Resolved::Char(c) => self.push_char(c, start)?,
                        Resolved::Kept(text) => self.push_text(Cow::Owned(text), start)?,
                    }
                }
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
        if let Some(open) = self.stack.last() {
            let line = self.lines.line_at(self.text, self.text.len());
            return Err(Unreadable {
                line,
                message: format!(
                    "the document ends inside <{}> (opened on line {})",
                    open.qname(),
                    open.line
                ),
            });
        }
        Ok(())
    }

    fn open(&mut self, tag: &BytesStart, line: u32) -> Result<(), Unreadable> {
        let qname = self.name(tag.name().0, line)?;
        if self.stack.is_empty() && self.root.is_some() {
            return Err(Unreadable {
                line,
                message: format!(
                    "a second root element <{}> after the first one closed",
                    tag.name().0
                ),
            });
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(Unreadable {
                line,
                message: format!("elements nested deeper than {MAX_DEPTH} levels"),
            });
        }
        let mut scope = Vec::new();
        let mut raw_attrs = Vec::new();
        for attr in tag.attributes() {
            let attr = match attr {
                Ok(attr) => attr,
                Err(error) => {
                    return Err(Unreadable {
                        line,
                        message: format!("a malformed attribute in <{}>: {error}", tag.name().0),
                    });
                }
            };
            let value = match xml::within(self.text, &attr.value) {
                Some(raw) => self.attr_value(raw, line),
                None => Cow::Owned(self.attr_value(&attr.value, line).into_owned()),
            };
            match attr.key.as_namespace_binding() {
                Some(PrefixDeclaration::Default) => {
                    scope.push((None, Rc::from(&*value)));
                    self.declarations.push(Declaration {
                        line,
                        prefix: None,
                        uri: value,
                    });
                }
                Some(PrefixDeclaration::Named(prefix)) => {
                    let prefix = self.name(prefix, line)?;
                    scope.push((Some(prefix), Rc::from(&*value)));
                    self.declarations.push(Declaration {
                        line,
                        prefix: Some(prefix),
                        uri: value,
                    });
                }
                None => raw_attrs.push((self.name(attr.key.0, line)?, value)),
            }
        }
        self.scopes.push(scope);
        let (prefix, name) = split_qname(qname);
        let ns = self.resolve(prefix, true, line, qname);
        let mut attrs = Vec::with_capacity(raw_attrs.len());
        for (key, value) in raw_attrs {
            let (prefix, name) = split_qname(key);
            let ns = if prefix.is_some() {
                self.resolve(prefix, false, line, key)
            } else {
                None
            };
            if attrs
                .iter()
                .any(|a: &Attr| a.name == name && a.ns.as_deref() == ns.as_deref())
            {
                return Err(Unreadable {
                    line,
                    message: format!("attribute {key} appears twice in <{qname}>"),
                });
            }
            attrs.push(Attr { ns, name, value });
        }
        self.starts.push(self.finished.len());
        self.stack.push(El {
            ns,
            prefix,
            name,
            attrs,
            children: Vec::new(),
            text: Cow::Borrowed(""),
            cdata: false,
            line,
        });
        Ok(())
    }

    fn close(&mut self) {
        self.scopes.pop();
        // quick-xml checks that end tags match their start tags, so the stack is never
        // empty here.
        if let Some(mut el) = self.stack.pop() {
            let start = self.starts.pop().unwrap_or(self.finished.len());
            el.children = self.finished.drain(start..).collect();
            if self.stack.is_empty() {
                self.root = Some(el);
            } else {
                self.finished.push(el);
            }
        }
    }

    /// The namespace bound to `prefix` (for an element, `None` means the default one): the
    /// declaration's shared `Rc`, so a caller gets a reference count, never a copy.
    fn resolve(
        &mut self,
        prefix: Option<&str>,
        element: bool,
        line: u32,
        qname: &str,
    ) -> Option<Rc<str>> {
        if prefix == Some("xml") {
            return Some(self.xml_ns.get_or_insert_with(|| Rc::from(ns::XML)).clone());
        }
        if prefix.is_none() && !element {
            return None;
        }
        for scope in self.scopes.iter().rev() {
            for (bound, uri) in scope.iter().rev() {
                if *bound == prefix {
                    // `xmlns=""` undeclares the default namespace.
                    return (!uri.is_empty()).then(|| uri.clone());
                }
            }
        }
        if let Some(prefix) = prefix {
            self.problems.push(Problem {
                rule: &xml_rules::UNBOUND_PREFIX,
                line,
                message: format!(
                    "<{qname}> uses the prefix `{prefix}:` but no xmlns:{prefix} declares it"
                ),
            });
        }
        None
    }

    fn text_event(&mut self, content: Cow<'t, str>, at: usize) -> Result<(), Unreadable> {
        // One scan for both bytes that can mean a problem: most pieces of text have
        // neither, and a search for `]]>` set up per piece cost more than the piece.
        if memchr::memchr2(b'&', b']', content.as_bytes()).is_some() {
            self.text_problems(&content, at);
        }
        self.push_text(content, at)
    }

    /// Records a bare `&` or a `]]>` in a piece of text starting at byte `at`.
    fn text_problems(&mut self, content: &str, at: usize) {
        // With `allow_dangling_amp`, a `&` that starts no reference arrives as text.
        if content.contains('&') {
            let line = self.lines.line_at(self.text, at);
            self.problems.push(Problem {
                rule: &xml_rules::UNESCAPED_AMPERSAND,
                line,
                message: format!("a bare `&` in text: \"{}\"", snippet(content, 40)),
            });
        }
        if content.contains("]]>") {
            let line = self.lines.line_at(self.text, at);
            let in_element = self.stack.last().map(El::qname).unwrap_or_default();
            self.problems.push(Problem {
                rule: &xml_rules::CDATA_END,
                line,
                message: format!(
                    "`]]>` in the text of <{in_element}> (a CDATA section ended early, or an \
                     unescaped `>`)"
                ),
            });
        }
    }

    /// A character a reference stands for: escaped markup is mostly references, so it is
    /// pushed without a string of its own.
    fn push_char(&mut self, c: char, at: usize) -> Result<(), Unreadable> {
        let document = self.text;
        match self.stack.last_mut() {
            Some(el) => {
                owned(&mut el.text, || run_length(document, at)).push(c);
                Ok(())
            }
            None => {
                let mut buffer = [0u8; 4];
                let text: &str = c.encode_utf8(&mut buffer);
                self.push_text(Cow::Owned(text.to_string()), at)
            }
        }
    }

    /// Text (a text event's, or what a reference stands for) starting at byte `at` of
    /// the document, added to the open element's text.
    fn push_text(&mut self, content: Cow<'t, str>, at: usize) -> Result<(), Unreadable> {
        let document = self.text;
        match self.stack.last_mut() {
            Some(el) => {
                append(&mut el.text, content, || run_length(document, at));
                Ok(())
            }
            None if content.trim().is_empty() => Ok(()),
            None => Err(Unreadable {
                line: self.lines.line_at(self.text, at),
                message: format!(
                    "text outside the root element: \"{}\"",
                    snippet(content.trim(), 40)
                ),
            }),
        }
    }

    /// The line of a place in the document.
    fn line_of(&mut self, place: Place) -> u32 {
        match place {
            Place::At(at) => self.lines.line_at(self.text, at),
            Place::Line(line) => line,
        }
    }

    /// The text a reference (`&amp;`, `&#233;`) at `at` stands for; an unknown or
    /// forbidden one is recorded and kept as written.
    fn reference(&mut self, reference: &str, at: Place) -> Resolved {
        match resolve_reference(reference) {
            Ok(c) => Resolved::Char(c),
            Err(RefError::Forbidden(code)) => {
                let line = self.line_of(at);
                self.problems.push(Problem {
                    rule: &xml_rules::FORBIDDEN_CHARACTER,
                    line,
                    message: format!("&{reference}; refers to U+{code:04X}, which XML 1.0 forbids"),
                });
                Resolved::Kept(String::new())
            }
            Err(RefError::Unknown) => {
                let line = self.line_of(at);
                self.problems.push(Problem {
                    rule: &xml_rules::UNDEFINED_ENTITY,
                    line,
                    message: format!(
                        "&{reference}; is not one of XML's five entities (&amp; &lt; &gt; &quot; \
                         &apos;)"
                    ),
                });
                Resolved::Kept(format!("&{reference};"))
            }
        }
    }

    /// An attribute value with its references resolved; problems recorded like text's.
    /// Borrowed from `raw` when there is nothing to resolve or normalise.
    fn attr_value<'r>(&mut self, raw: &'r str, line: u32) -> Cow<'r, str> {
        if !raw.contains('&') {
            return normalise_attr_whitespace(raw);
        }
        let mut value = String::with_capacity(raw.len());
        // The message is the same for every bare `&` of the value: made once.
        let mut bare_message: Option<String> = None;
        let mut rest = raw;
        while let Some(at) = rest.find('&') {
            value.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            // The run of name bytes, then `;` right after it (`;` is no name byte). Looking
            // for the `;` first scanned to the end of the value for every bare `&`: a value
            // of n of them cost O(n²).
            let name = after
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || b"#_-.".contains(b))
                .count();
            let end = (name > 0 && after.as_bytes().get(name) == Some(&b';')).then_some(name);
            match end {
                Some(end) => {
                    match self.reference(&after[..end], Place::Line(line)) {
                        Resolved::Char(c) => value.push(c),
                        Resolved::Kept(text) => value.push_str(&text),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    let message = bare_message.get_or_insert_with(|| {
                        format!("a bare `&` in an attribute value: \"{}\"", snippet(raw, 60))
                    });
                    self.problems.push(Problem {
                        rule: &xml_rules::UNESCAPED_AMPERSAND,
                        line,
                        message: message.clone(),
                    });
                    value.push('&');
                    rest = after;
                }
            }
        }
        value.push_str(rest);
        Cow::Owned(normalise_attr_whitespace(&value).into_owned())
    }
}

/// Attribute-value normalisation (XML 1.0 §3.3.3): literal tabs and newlines read as spaces.
fn normalise_attr_whitespace(value: &str) -> Cow<'_, str> {
    if value.contains(['\t', '\n', '\r']) {
        Cow::Owned(value.replace("\r\n", " ").replace(['\t', '\n', '\r'], " "))
    } else {
        Cow::Borrowed(value)
    }
}

/// Where a reference is: at a byte of the document (its line counted only if it has a
/// problem), or on a known line (an attribute's, which is its element's).
#[derive(Clone, Copy)]
enum Place {
    At(usize),
    Line(u32),
}

/// What a reference stands for: one character, or (when it is unknown or forbidden) the
/// text kept in its place.
enum Resolved {
    Char(char),
    Kept(String),
}

enum RefError {
    Unknown,
    Forbidden(u32),
}

fn resolve_reference(reference: &str) -> Result<char, RefError> {
    let predefined = match reference {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    };
    if let Some(c) = predefined {
        return Ok(c);
    }
    let number = reference.strip_prefix('#').ok_or(RefError::Unknown)?;
    let code = match number.strip_prefix('x') {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => number.parse::<u32>(),
    }
    .map_err(|_| RefError::Unknown)?;
    match char::from_u32(code) {
        Some(c) if is_xml_char(c) => Ok(c),
        _ => Err(RefError::Forbidden(code)),
    }
}

/// Whether XML 1.0 allows the character (§2.2 Char).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn split_qname(qname: &str) -> (Option<&str>, &str) {
    match qname.split_once(':') {
        Some((prefix, local)) => (Some(prefix), local),
        None => (None, qname),
    }
}

/// At most `max` characters of `text`, with control characters shown escaped.
pub fn snippet(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

fn describe(error: &Error) -> String {
    match error {
        Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!(
                "</{found}> closes <{expected}>; every element must be closed by its own end tag"
            )
        }
        Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            format!("</{name}> closes no open element")
        }
        Error::IllFormed(IllFormedError::MissingEndTag(name)) => {
            format!("<{name}> is never closed")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(xml: &str) -> XmlDoc<'_> {
        parse(xml).expect("a tree")
    }

    /// `in_ns` takes an element in exactly the namespace asked for as in it without
    /// canonicalising, which is right only because every canonical URI canonicalises to
    /// itself; and a namespace written another way is still recognised.
    #[test]
    fn in_ns_agrees_with_canonicalising() {
        for uri in [
            ns::ATOM10,
            ns::ITUNES,
            ns::PODCAST,
            ns::CONTENT,
            ns::DC,
            ns::MEDIA,
        ] {
            assert_eq!(ns::canonical(uri), uri);
            let doc = format!("<r xmlns=\"{uri}\"/>");
            assert!(tree(&doc).root.in_ns(uri), "{uri}");
        }
        let doc = tree(
            "<rss xmlns:i=\"HTTP://www.itunes.com/DTDs/Podcast-1.0.dtd\"><i:image/>\
             <i:author xmlns:i=\"https://podcastindex.org/namespace/1.0/\"/></rss>",
        );
        let [image, author] = &doc.root.children[..] else {
            panic!("two children")
        };
        assert!(image.in_ns(ns::ITUNES) && !image.in_ns(ns::PODCAST));
        assert!(author.in_ns(ns::PODCAST) && !author.in_ns(ns::ITUNES));
        assert!(!doc.root.in_ns(ns::ITUNES));
    }

    #[test]
    fn escaped_markup_is_decoded_into_one_allocation_the_size_of_its_written_run() {
        let escaped = "&lt;p&gt;caf&#233; &amp; th\u{e9} &#x1F600;&lt;/p&gt;\r\n".repeat(200);
        let decoded = "<p>caf\u{e9} & th\u{e9} \u{1F600}</p>\n".repeat(200);
        for (xml, run) in [
            (format!("<d>{escaped}</d>"), escaped.len()),
            (format!("<d>lead {escaped}</d>"), escaped.len() + 5),
            (
                format!("<d>{escaped}<b/>tail &amp; more</d>"),
                escaped.len(),
            ),
        ] {
            let doc = tree(&xml);
            let text = &doc.root.text;
            assert!(
                text.starts_with(&decoded) || text.starts_with("lead "),
                "{text:.60}"
            );
            assert!(text.contains(&decoded));
            let Cow::Owned(owned) = text else {
                panic!("a decoded text is owned")
            };
            // Room for the whole run was reserved when the text became owned (its
            // written length, which the decoded text never outgrows): one allocation,
            // where growing piece by piece would have ended at a power of two.
            assert_eq!(owned.capacity(), run);
        }
        // A run whose first piece is already owned (its `\r\n` normalised): it is
        // copied into room for the whole run, not kept with room for itself only.
        let run = "\r\n&lt;p&gt;caf&#233;&lt;/p&gt;\r\n".repeat(50);
        let xml = format!("<d>{run}</d>");
        let doc = tree(&xml);
        assert_eq!(doc.root.text, "\n<p>caf\u{e9}</p>\n".repeat(50));
        let Cow::Owned(owned) = &doc.root.text else {
            panic!("a decoded text is owned")
        };
        assert_eq!(owned.capacity(), run.len());
    }

    #[test]
    fn namespaces_lines_text_and_attributes() {
        let doc = tree(
            "<?xml version=\"1.0\"?>\n<rss xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\n\
             <channel><title>A &amp; B <![CDATA[<i>c</i>]]></title>\n\
             <itunes:image href=\"x.jpg?a=1&amp;b=2\"/></channel></rss>",
        );
        assert_eq!(doc.root.name, "rss");
        assert_eq!(doc.root.line, 2);
        let channel = doc.root.child(None, "channel").unwrap();
        let title = channel.child(None, "title").unwrap();
        assert_eq!(title.text, "A & B <i>c</i>");
        assert!(title.cdata);
        let image = channel.child(Some(ns::ITUNES), "image").unwrap();
        assert_eq!(image.attr("href"), Some("x.jpg?a=1&b=2"));
        assert_eq!(image.line, 4);
        assert_eq!(image.qname(), "itunes:image");
        assert!(doc.problems.is_empty());
        assert_eq!(doc.declarations.len(), 1);
        assert_eq!(doc.root.descendants().count(), 4);
    }

    #[test]
    fn recoverable_problems_are_recorded_with_their_line() {
        let doc = tree("<a>\n<b x=\"1 & 2\">AT&T &nbsp; &#1;</b><c:d/></a>");
        let ids: Vec<_> = doc.problems.iter().map(|p| (p.rule.id, p.line)).collect();
        assert!(
            ids.contains(&(xml_rules::UNESCAPED_AMPERSAND.id, 2)),
            "{ids:?}"
        );
        assert!(
            ids.contains(&(xml_rules::UNDEFINED_ENTITY.id, 2)),
            "{ids:?}"
        );
        assert!(
            ids.contains(&(xml_rules::FORBIDDEN_CHARACTER.id, 2)),
            "{ids:?}"
        );
        assert!(ids.contains(&(xml_rules::UNBOUND_PREFIX.id, 2)), "{ids:?}");
        assert_eq!(doc.root.children[0].attr("x"), Some("1 & 2"));

        // Problems in text and references after the last element (`<b/>`, line 2): each
        // carries the line where its own event starts (the bare `&` starts a text piece
        // that runs on to the `]]>`), not the last element's line.
        let doc = tree("<a>\n<b/>\nx & y ]]> &bogus;\n&#1;</a>");
        let ids: Vec<_> = doc.problems.iter().map(|p| (p.rule.id, p.line)).collect();
        assert_eq!(
            ids,
            [
                (xml_rules::UNESCAPED_AMPERSAND.id, 3),
                (xml_rules::CDATA_END.id, 3),
                (xml_rules::UNDEFINED_ENTITY.id, 3),
                (xml_rules::FORBIDDEN_CHARACTER.id, 4),
            ]
        );
    }

    #[test]
    fn broken_documents_give_no_tree() {
        let cases = [
            ("<a><b></a>", 1),
            ("<a>\n<b>", 2),
            ("<a/>\n<b/>", 2),
            ("<a/>text", 1),
            ("", 1),
            ("<a x=\"1\" x=\"2\"/>", 1),
            ("<a/>\n\n&amp;x", 3),
        ];
        for (xml, line) in cases {
            let error = parse(xml).expect_err(xml);
            assert_eq!(error.line, line, "{xml}: {}", error.message);
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn a_decoded_namespace_is_shared_not_copied_per_element() {
        // `&#9;` makes both URIs owned (decoded) strings: every element and attribute in
        // their scope must share the declaration's one copy, not clone it.
        let doc = tree(
            "<r xmlns=\"urn:long&#9;uri\" xmlns:p=\"urn:p&#9;\"><a/><a><p:b p:c=\"1\"/></a></r>",
        );
        let root = doc.root.ns.as_ref().expect("a default namespace");
        assert_eq!(&**root, "urn:long uri");
        let a = &doc.root.children[0];
        let inner = &doc.root.children[1];
        for el in [a, inner] {
            assert!(Rc::ptr_eq(root, el.ns.as_ref().unwrap()), "{}", el.name);
        }
        let b = &inner.children[0];
        let p = b.ns.as_ref().expect("the p: namespace");
        assert_eq!(&**p, "urn:p ");
        assert!(Rc::ptr_eq(p, b.attrs[0].ns.as_ref().unwrap()));
        assert_eq!(b.attr_ns(Some("urn:p "), "c"), Some("1"));
        assert!(b.is(Some("urn:p "), "b"));
        assert!(doc.problems.is_empty());
    }

    #[test]
    fn many_bare_ampersands_in_an_attribute_are_linear() {
        // Looking for a `;` after every `&` scanned the rest of the value each time (about
        // 5 s of a debug build for this value, and quadratic); the name run stops at the
        // next `&`. The message is also made once per value, not snippeted per `&`.
        const COUNT: usize = 200_000;
        let value = "&".repeat(COUNT);
        let xml = format!("<a x=\"{value}\" y=\"&amp;b &c &d; &#x41;\"/>");
        let doc = tree(&xml);
        assert_eq!(doc.root.attr("x"), Some(value.as_str()));
        assert_eq!(doc.root.attr("y"), Some("&b &c &d; A"));
        let bare = doc
            .problems
            .iter()
            .filter(|p| p.rule.id == xml_rules::UNESCAPED_AMPERSAND.id)
            .count();
        assert_eq!(bare, COUNT + 1);
        assert!(
            doc.problems[0]
                .message
                .starts_with("a bare `&` in an attribute value: \"&&&"),
            "{}",
            doc.problems[0].message
        );
        let undefined = doc
            .problems
            .iter()
            .filter(|p| p.rule.id == xml_rules::UNDEFINED_ENTITY.id)
            .count();
        assert_eq!(undefined, 1);
    }
}

//! HTML from feeds made safe: an allow-list sanitiser that re-serialises what it keeps,
//! with every URL made absolute against the document's base.
//!
//! The input is tokenized (`tokenizer`) and only what the allow-lists accept is written
//! back, serialised in one form: element and attribute names from our own tables, every
//! attribute value double-quoted and escaped, all text escaped. Most feed HTML is already
//! in that form, so input is copied through where it is provably the same bytes the
//! serialiser would write, and everything else is written piece by piece. A tag is
//! copied when its shape is the serialiser's — lower case, `name="value"` with one space
//! between, allowed names in order — and only what the serialiser writes differently is
//! written in its place: a value with something to decode, escape, resolve or filter, an
//! attribute it drops, the end of a void or self-closed element. Text is copied up to the
//! first byte that needs escaping. Either way the output is the serialiser's,
//! so no quoting trick, comment or encoding can smuggle a tag through. Which elements
//! are kept, unwrapped or dropped with their content is the policy in `elements`; inline
//! styles are filtered by `style`.
//!
//! Attributes: a fixed allow-list (no `on*` handler, no `srcdoc`, `formaction`, `ping`,
//! `autofocus` or `accesskey`). URL attributes (`href`, `src`, `srcset` candidates,
//! `poster`, `cite`, `action`, `background`, `longdesc`, …) have their references
//! decoded and every control character removed, are resolved against the base, and are
//! kept only with a scheme from `is_allowed_scheme` or none at all (no base to resolve
//! against); `src`, `srcset` and `poster` also accept `data:` images other than SVG. An
//! attribute that fails is dropped, not emptied (an empty one stays empty). Comments,
//! doctypes and processing instructions never reach the output. Attributes are written in
//! name order (as the Universal Feed Parser writes them), the first of
//! a duplicated name winning as in browsers; the sanitiser adds none of its own (the
//! contract is compared with other parsers; a page that shows the HTML can add
//! `rel="noopener"` itself).
//!
//! The result is a balanced fragment that cannot reach outside itself, so an aggregated
//! post cannot break the page it is shown on: void elements are written `<br />`,
//! elements left open are closed at the end, stray end tags are dropped, and the start
//! tags that make a browser close elements implicitly (`p` by a block, `li`, `dd`/`dt`,
//! nested `a`, headings in headings, table parts) are closed explicitly in the output.
//! Table parts outside a table, and `li`/`dd`/`dt` where a browser would search past the
//! fragment for an element to close, are unwrapped. Nesting deeper than `MAX_DEPTH`
//! elements is flattened. The page should wrap each fragment in a `div` or `article`
//! (never a `p`, `li`, `td` or `a`).
//!
//! Text keeps its characters (references decoded; `&`, `<`, `>` escaped); control
//! characters that XML forbids are removed, line breaks normalised to `\n`, and leading
//! and trailing whitespace trimmed.

use std::borrow::Cow;

use super::elements::{
    self, CLOSES_P, Element, HEADING, MAKES_ROOM, Policy, SCOPE, SPECIAL, TABLE_PART, VOID,
};
use super::tokenizer::{Attribute, Token, Tokenizer};
use super::{charref::Decoded, style, swar};

/// Deeper nesting than this is flattened (the tags are dropped, the content kept).
const MAX_DEPTH: usize = 256;

/// Sanitises `html` and resolves its URLs against `base`.
pub fn sanitise(html: &str, base: Option<&url::Url>) -> String {
    sanitise_relative_to(html, base.map(url::Url::as_str))
}

/// Sanitises `html`, resolving its URLs against a base given as text (`xml:base`, a feed
/// link), which is kept as written (an IRI stays an IRI).
pub fn sanitise_relative_to(html: &str, base: Option<&str>) -> String {
    run::<false, true>(html, base).0
}

/// `sanitise_relative_to` and `text::plain` of the same HTML in one tokenizing pass:
/// (sanitised HTML, plain text), each exactly what the two functions return. A
/// description that is both an entry's summary and its content is read once.
pub(crate) fn sanitise_with_plain(html: &str, base: Option<&str>) -> (String, String) {
    run::<true, true>(html, base)
}

/// The sanitiser's loop: (sanitised HTML, and with `PLAIN` the plain text of the same
/// HTML, else nothing). With `COPY`, input the sanitiser would write unchanged — text
/// with nothing to escape and tags already in its own form (`Sanitiser::copied_tag`) —
/// is not written piece by piece but owed (`Sanitiser::span`) and copied in one piece
/// where something else must be written; without it every piece is written as it is
/// read. Both give the same bytes (the tests compare them); `COPY` does less work.
fn run<const PLAIN: bool, const COPY: bool>(html: &str, base: Option<&str>) -> (String, String) {
    let mut sanitiser = Sanitiser::new(html, base);
    let mut plain = super::text::Plain::with_capacity(if PLAIN { html.len() } else { 0 });
    let mut tokenizer = Tokenizer::new(html);
    loop {
        let mut at = tokenizer.offset();
        if sanitiser.skipping.is_none() && !(PLAIN && plain.is_skipping()) {
            // Text, references and copied tags in one loop, up to a tag it does not take,
            // which goes the long way next.
            if COPY && !tokenizer.in_cdata() {
                at = copied_run::<PLAIN>(&mut sanitiser, &mut plain, at);
                tokenizer.take_read(at);
            }
            // Without `COPY` (the tests' reference), text is still read by `text_run`.
            else if tokenizer.text_ahead().is_some() {
                at = text_run::<PLAIN>(&mut sanitiser, &mut plain, at);
                tokenizer.take_read(at);
            }
            // A character reference in CDATA: decoded and written as `looked_up` writes
            // it, without a token of its own.
            else if COPY && let Some(decoded) = tokenizer.take_reference() {
                sanitiser.copied_reference(at, tokenizer.offset(), decoded);
                if PLAIN {
                    plain.reference(decoded);
                }
                continue;
            } else if COPY && let Some((end, element)) = sanitiser.copied_tag(at) {
                tokenizer.take_tag(end);
                // What `Plain::looked_up` does with a kept element's tag.
                if PLAIN && element.is(elements::BREAK) {
                    plain.space();
                }
                continue;
            }
        }
        // Every other token the long way, after what is owed.
        sanitiser.at = at;
        sanitiser.flush();
        if !long_token::<PLAIN>(&mut sanitiser, &mut plain, &mut tokenizer) {
            break;
        }
        sanitiser.span = tokenizer.offset();
    }
    (sanitiser.finish(), plain.finish())
}

/// Text from `at` (not markup), up to its first `<` or `&` or the end: escaped (and for
/// `PLAIN` collapsed) in one loop that writes only what differs from the input and
/// leaves the rest owed. Returns where it stopped.
fn text_run<const PLAIN: bool>(
    sanitiser: &mut Sanitiser<'_, '_>,
    plain: &mut super::text::Plain,
    at: usize,
) -> usize {
    let span = sanitiser.span;
    let owed = &sanitiser.input[span..];
    let (stop, run) = if PLAIN {
        plain.push_text_with_html_from(&mut sanitiser.out, owed, at - span)
    } else {
        escape::<{ Stop::MARKUP }>(&mut sanitiser.out, owed, at - span, &TEXT_SPECIAL)
    };
    sanitiser.span = span + run;
    span + stop
}

/// From `at` (text, outside CDATA and anything skipped): text, character references,
/// literal `&` and copied tags in one loop, as the tokenizer would read them one token
/// at a time, until a tag that goes the long way or the end. None of these changes what
/// is skipped nor enters CDATA, so a clean paragraph with inline tags is one call.
/// Returns where it stopped (between tokens).
fn copied_run<const PLAIN: bool>(
    sanitiser: &mut Sanitiser<'_, '_>,
    plain: &mut super::text::Plain,
    mut at: usize,
) -> usize {
    let input = sanitiser.input;
    let bytes = input.as_bytes();
    loop {
        match bytes.get(at) {
            None => return at,
            Some(b'<') => {
                let Some((end, element)) = sanitiser.copied_tag(at) else {
                    return at;
                };
                // What `Plain::looked_up` does with a kept element's tag.
                if PLAIN && element.is(elements::BREAK) {
                    plain.space();
                }
                at = end;
            }
            Some(b'&') => {
                // The three references `copied_reference` leaves in place, known without
                // a decode: the commonest references in feeds' content.
                if let Some((c, used)) = escape_reference(&bytes[at..]) {
                    if PLAIN {
                        plain.reference(Decoded::Char(c));
                    }
                    at += used;
                    continue;
                }
                // What `Tokenizer::take_reference` reads, and what `next_token` gives
                // when it reads nothing: the `&` as text, which the escaper writes
                // `&amp;`.
                match super::charref::decode(&input[at..], false) {
                    Some((decoded, used)) => {
                        sanitiser.copied_reference(at, at + used, decoded);
                        if PLAIN {
                            plain.reference(decoded);
                        }
                        at += used;
                    }
                    None => {
                        sanitiser.at = at;
                        sanitiser.flush();
                        sanitiser.out.push_str("&amp;");
                        sanitiser.span = at + 1;
                        if PLAIN {
                            plain.reference(Decoded::Char('&'));
                        }
                        at += 1;
                    }
                }
            }
            // Whitespace between tags (`</p>\n<p>`), a sixth of the text runs in feed
            // content: what the text loops do with it, without entering them. Spaces,
            // tabs and line feeds are written as they are read (they stay owed) and make
            // a word break in the plain text; a carriage return or anything else goes
            // to the loops.
            Some(b'\n' | b' ' | b'\t') => {
                let blank = bytes[at..]
                    .iter()
                    .take_while(|&&byte| matches!(byte, b'\n' | b' ' | b'\t'))
                    .count();
                if bytes.get(at + blank) == Some(&b'<') {
                    if PLAIN {
                        plain.space();
                    }
                    at += blank;
                } else {
                    at = text_run::<PLAIN>(sanitiser, plain, at);
                }
            }
            Some(_) => at = text_run::<PLAIN>(sanitiser, plain, at),
        }
    }
}

/// `&amp;`, `&lt;` or `&gt;` at the start of `bytes`: the character and the reference's
/// length, as `charref::decode` gives them for text; `None` for anything else (which
/// `decode` then reads).
#[inline(always)]
fn escape_reference(bytes: &[u8]) -> Option<(char, usize)> {
    let head: &[u8; 4] = bytes.get(..4)?.try_into().ok()?;
    match head {
        b"&lt;" => Some(('<', 4)),
        b"&gt;" => Some(('>', 4)),
        b"&amp" if bytes.get(4) == Some(&b';') => Some(('&', 5)),
        _ => None,
    }
}

/// Reads the next token and writes it the long way, to the HTML and (for `PLAIN`) the
/// plain text; `false` at the end of the input. What is owed must be flushed before.
fn long_token<'a, const PLAIN: bool>(
    sanitiser: &mut Sanitiser<'a, '_>,
    plain: &mut super::text::Plain,
    tokenizer: &mut Tokenizer<'a>,
) -> bool {
    let Some(token) = tokenizer.next_token() else {
        return false;
    };
    // One lookup of the tag's name for both.
    let element = token.element();
    let mut skip = sanitiser.looked_up(token, element, tokenizer.attributes());
    if PLAIN {
        // Both skip the raw text of the same elements (one policy table); either answer
        // will do.
        skip = plain.looked_up(token, element, tokenizer.source()).or(skip);
    }
    if let Some(raw_text) = skip {
        tokenizer.skip_raw_text(raw_text.name);
    }
    true
}

/// URL schemes that may appear in sanitised HTML.
fn is_allowed_scheme(scheme: &str) -> bool {
    const ALLOWED: &[&str] = &[
        "http",
        "https",
        "ftp",
        "ftps",
        "sftp",
        "mailto",
        "tel",
        "sms",
        "geo",
        "magnet",
        "xmpp",
        "irc",
        "ircs",
        "news",
        "nntp",
        "webcal",
        "sip",
        "sips",
        "gopher",
        "itms",
        "itms-apps",
        "itms-podcasts",
        "itpc",
        "pcast",
        "podcast",
    ];
    ALLOWED
        .iter()
        .any(|allowed| allowed.eq_ignore_ascii_case(scheme))
}

/// An absolute `http://` or `https://` URL (scheme written in lower case) without
/// surrounding spaces. The caller has checked that it holds no control character, so
/// `url::join_borrowed` would return it unchanged and its scheme is allowed.
fn is_plain_web_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://")) && !url.ends_with(' ')
}

/// `data:` URLs of raster images, which cannot run script.
fn is_data_image(url: &str) -> bool {
    let Some(rest) = url
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("data:"))
        .map(|_| &url[5..])
    else {
        return false;
    };
    let mime_end = rest.find([';', ',']).unwrap_or(rest.len());
    let mime = rest[..mime_end].trim().to_ascii_lowercase();
    matches!(
        mime.as_str(),
        "image/png"
            | "image/gif"
            | "image/jpeg"
            | "image/jpg"
            | "image/webp"
            | "image/avif"
            | "image/bmp"
            | "image/x-icon"
            | "image/vnd.microsoft.icon"
    )
}

/// How an allowed attribute's value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    /// A URL: resolved, scheme-checked.
    Url,
    /// A URL that may also be a `data:` image.
    Image,
    /// A list of image candidates, each checked like `Image`.
    SrcSet,
    /// Filtered by `style::filter`.
    Style,
}

use Kind::{Image, Plain, SrcSet, Style, Url};

/// Allowed attributes, on any kept element. Sorted for binary search.
const ATTRIBUTE_NAMES: &[(&str, Kind)] = &[
    ("abbr", Plain),
    ("accept", Plain),
    ("accept-charset", Plain),
    ("action", Url),
    ("align", Plain),
    ("alt", Plain),
    ("autocomplete", Plain),
    ("axis", Plain),
    ("background", Url),
    ("balance", Plain),
    ("bgcolor", Plain),
    ("bgproperties", Plain),
    ("border", Plain),
    ("bordercolor", Plain),
    ("bordercolordark", Plain),
    ("bordercolorlight", Plain),
    ("bottompadding", Plain),
    ("cellpadding", Plain),
    ("cellspacing", Plain),
    ("ch", Plain),
    ("challenge", Plain),
    ("char", Plain),
    ("charoff", Plain),
    ("charset", Plain),
    ("checked", Plain),
    ("choff", Plain),
    ("cite", Url),
    ("class", Plain),
    ("clear", Plain),
    ("color", Plain),
    ("cols", Plain),
    ("colspan", Plain),
    ("compact", Plain),
    ("contenteditable", Plain),
    ("controls", Plain),
    ("coords", Plain),
    ("data", Url),
    ("datafld", Plain),
    ("datapagesize", Plain),
    ("datasrc", Plain),
    ("datetime", Plain),
    ("default", Plain),
    ("delay", Plain),
    ("dir", Plain),
    ("disabled", Plain),
    ("draggable", Plain),
    ("dynsrc", Url),
    ("enctype", Plain),
    ("end", Plain),
    ("face", Plain),
    ("for", Plain),
    ("form", Plain),
    ("frame", Plain),
    ("galleryimg", Plain),
    ("gutter", Plain),
    ("headers", Plain),
    ("height", Plain),
    ("hidden", Plain),
    ("hidefocus", Plain),
    ("high", Plain),
    ("href", Url),
    ("hreflang", Plain),
    ("hspace", Plain),
    ("icon", Url),
    ("id", Plain),
    ("inputmode", Plain),
    ("ismap", Plain),
    ("keytype", Plain),
    ("kind", Plain),
    ("label", Plain),
    ("lang", Plain),
    ("leftspacing", Plain),
    ("list", Plain),
    ("longdesc", Url),
    ("loop", Plain),
    ("loopcount", Plain),
    ("loopend", Plain),
    ("loopstart", Plain),
    ("low", Plain),
    ("lowsrc", Url),
    ("max", Plain),
    ("maxlength", Plain),
    ("media", Plain),
    ("method", Plain),
    ("min", Plain),
    ("multiple", Plain),
    ("muted", Plain),
    ("name", Plain),
    ("nohref", Plain),
    ("noshade", Plain),
    ("nowrap", Plain),
    ("open", Plain),
    ("optimum", Plain),
    ("pattern", Plain),
    ("point-size", Plain),
    ("poster", Image),
    ("pqg", Plain),
    ("preload", Plain),
    ("prompt", Plain),
    ("radiogroup", Plain),
    ("readonly", Plain),
    ("rel", Plain),
    ("repeat-max", Plain),
    ("repeat-min", Plain),
    ("replace", Plain),
    ("required", Plain),
    ("rev", Plain),
    ("reversed", Plain),
    ("rightspacing", Plain),
    ("rows", Plain),
    ("rowspan", Plain),
    ("rules", Plain),
    ("scope", Plain),
    ("selected", Plain),
    ("shape", Plain),
    ("size", Plain),
    ("sizes", Plain),
    ("span", Plain),
    ("src", Image),
    ("srclang", Plain),
    ("srcset", SrcSet),
    ("start", Plain),
    ("step", Plain),
    ("style", Style),
    ("summary", Plain),
    ("suppress", Plain),
    ("tabindex", Plain),
    ("target", Plain),
    ("template", Plain),
    ("title", Plain),
    ("toppadding", Plain),
    ("type", Plain),
    ("unselectable", Plain),
    ("urn", Plain),
    ("usemap", Plain),
    ("valign", Plain),
    ("value", Plain),
    ("variable", Plain),
    ("volume", Plain),
    ("vrml", Plain),
    ("vspace", Plain),
    ("width", Plain),
    ("wrap", Plain),
    ("xml:lang", Plain),
];

const fn attribute_names() -> [&'static str; ATTRIBUTE_NAMES.len()] {
    let mut names = [""; ATTRIBUTE_NAMES.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = ATTRIBUTE_NAMES[i].0;
        i += 1;
    }
    names
}

/// The table as one static, sorted by name: a position in it is in name order, which the
/// long way (which sorts the kept attributes by position) and the copy path (which copies
/// a tag only when its attributes come in that order) rely on.
static ATTRIBUTE_TABLE: &[(&str, Kind)] = ATTRIBUTE_NAMES;
static ATTRIBUTE_KEYS: [u128; ATTRIBUTE_NAMES.len()] = elements::keys_of(attribute_names());
static ATTRIBUTE_INDEX: elements::NameIndex =
    elements::NameIndex::build(&elements::keys_of(attribute_names()));

/// An allowed attribute's position in `ATTRIBUTE_TABLE` (in name order), any case.
fn attribute(name: &str) -> Option<usize> {
    let key = elements::key(name.as_bytes())?;
    ATTRIBUTE_INDEX.find(&ATTRIBUTE_KEYS, key)
}

struct Sanitiser<'a, 'b> {
    out: String,
    /// The HTML being sanitised.
    input: &'a str,
    /// Where the input owed to `out` starts: `input[span..at]` is written as it is
    /// before anything else is written (`flush`). Input that would be written unchanged
    /// is owed rather than written, and copied in one piece.
    span: usize,
    /// Where the input owed to `out` ends: the start of what is being read.
    at: usize,
    /// Kept elements open in the output, outermost first.
    stack: Vec<&'static Element>,
    /// The base as given, split into a `Base` only when a relative URL needs it: most
    /// URLs in content are absolute.
    base_text: Option<&'b str>,
    base: std::cell::OnceCell<Option<PreparedBase<'b>>>,
    /// The attributes of the tag being written, by their position in `ATTRIBUTE_TABLE`
    /// (reused between tags).
    kept: Vec<(usize, Cow<'a, str>, Write)>,
    /// What differs from the input in a tag that is copied (reused between tags).
    edits: Vec<Edit<'a>>,
    /// Inside an element dropped with its content: which one, and how deep.
    skipping: Option<(&'static Element, usize)>,
}

/// A piece of a copied tag (`Sanitiser::copied_tag`) written differently from the input:
/// `input[start..end]` is replaced by `value` written as `write` says, or left out.
struct Edit<'a> {
    start: usize,
    end: usize,
    value: Option<(Cow<'a, str>, Write)>,
}

impl<'a, 'b> Sanitiser<'a, 'b> {
    fn new(html: &'a str, base: Option<&'b str>) -> Self {
        Sanitiser {
            out: String::with_capacity(html.len() + html.len() / 8),
            input: html,
            span: 0,
            at: 0,
            stack: Vec::new(),
            base_text: base,
            base: std::cell::OnceCell::new(),
            kept: Vec::new(),
            edits: Vec::new(),
            skipping: None,
        }
    }

    /// Writes the input owed (`input[span..at]`).
    fn flush(&mut self) {
        // `span` never passes `at`, and both sit between tokens (character boundaries):
        // a broken invariant fails the tests rather than drop output silently.
        debug_assert!(
            self.span <= self.at
                && self.input.is_char_boundary(self.span)
                && self.input.is_char_boundary(self.at),
            "input owed out of order or inside a character: {}..{}",
            self.span,
            self.at
        );
        if let Some(owed) = self.input.get(self.span..self.at) {
            self.out.push_str(owed);
            self.span = self.at;
        }
    }

    /// At `at`, a start or end tag of a kept element that the tokenizer would read as it
    /// is read here and whose output is (nearly) the input: taken in place, the tag's
    /// own bytes owed rather than written. Returns where the tag ends and its element,
    /// or `None` (nothing done) for any other tag, which the tokenizer reads.
    ///
    /// A start tag is copied when it is written `<name` (lower case, a kept element),
    /// then ` name="value"` attributes (lower case, one space before each, double
    /// quotes, allowed names in strictly increasing order: no sorting and no duplicates
    /// to drop), then `>`, ` >`, `/>` or ` />`. What differs in the output is written
    /// in place (`Edit`): a value the sanitiser writes otherwise (a relative URL
    /// resolved, references decoded, a style filtered), an attribute it drops, the end
    /// of a void or self-closed element. An end tag is copied when it is `</name>` and
    /// closes the innermost open element. Everything else — upper case, other quoting,
    /// repeated or unordered names, end tags that close more than one element — goes
    /// the long way.
    ///
    /// Inlined, with the end tag's short compare, into the copy loop; the start tag's
    /// reading stays out of line, so an end tag does not pay for its frame.
    #[inline]
    fn copied_tag(&mut self, at: usize) -> Option<(usize, &'static Element)> {
        let bytes = self.input.as_bytes();
        if bytes.get(at) != Some(&b'<') {
            return None;
        }
        match *bytes.get(at + 1)? {
            b'a'..=b'z' => self.copied_start_tag(at),
            b'/' => self.copied_end_tag(at),
            _ => None,
        }
    }

    #[inline(never)]
    fn copied_start_tag(&mut self, at: usize) -> Option<(usize, &'static Element)> {
        let (name_end, key) = packed_name::<false>(self.input.as_bytes(), at + 1);
        let element = elements::lookup_packed(key?)?;
        if element.policy != Policy::Keep {
            return None;
        }
        self.edits.clear();
        let close = self.read_copied_attributes(name_end)?;
        self.open_copied(element, at, close);
        Some((close.end, element))
    }

    /// The attributes of a start tag from `i` (just after its name), in the form
    /// `copied_tag` takes, with the edits they need; `None` for any other form.
    fn read_copied_attributes(&mut self, mut i: usize) -> Option<Close> {
        let input = self.input;
        let bytes = input.as_bytes();
        // The table is sorted by name: positions in it are in name order.
        let mut last = None;
        loop {
            let attribute_start = i;
            match *bytes.get(i)? {
                b'>' => return Some(Close::new(i, i + 1, false)),
                b'/' if bytes.get(i + 1) == Some(&b'>') => return Some(Close::new(i, i + 2, true)),
                b' ' => match *bytes.get(i + 1)? {
                    b'>' => return Some(Close::new(i, i + 2, false)),
                    b'/' if bytes.get(i + 2) == Some(&b'>') => {
                        return Some(Close::new(i, i + 3, true));
                    }
                    b'a'..=b'z' => i += 1,
                    _ => return None,
                },
                _ => return None,
            }
            let (name_end, key) = packed_name::<true>(bytes, i);
            i = name_end;
            if !bytes[i..].starts_with(b"=\"") {
                return None;
            }
            let value_start = i + 2;
            // One scan finds the closing quote and whether the value holds anything to
            // decode or escape before it (`"` is among the bytes `first_unclean` stops at).
            let (value_end, clean) = value_end(bytes, value_start)?;
            i = value_end + 1;
            let Some(index) = key.and_then(|key| ATTRIBUTE_INDEX.find(&ATTRIBUTE_KEYS, key)) else {
                // Not allowed: left out.
                self.edits.push(Edit {
                    start: attribute_start,
                    end: i,
                    value: None,
                });
                continue;
            };
            // In order, each name once (a dropped value counts: the long way would keep
            // a later one of the same name).
            if last.is_some_and(|last| index <= last) {
                return None;
            }
            last = Some(index);
            let (_, kind) = ATTRIBUTE_TABLE[index];
            let raw = &input[value_start..value_end];
            match self.attribute_value(raw, kind, clean) {
                // Written as it is read: nothing to edit.
                (Some(Cow::Borrowed(value)), Write::Verbatim) if std::ptr::eq(value, raw) => {}
                (None, _) => self.edits.push(Edit {
                    start: attribute_start,
                    end: i,
                    value: None,
                }),
                (Some(value), write) => self.edits.push(Edit {
                    start: value_start,
                    end: value_end,
                    value: Some((value, write)),
                }),
            }
        }
    }

    /// `start` for a copied start tag (from `at` to `close.end`), its edits applied.
    fn open_copied(&mut self, element: &'static Element, at: usize, close: Close) {
        self.at = at;
        if !self.admit(element) {
            // Not written at all.
            self.flush();
            self.span = close.end;
            return;
        }
        // Most copied tags have nothing to edit: the list is taken out of `self` (to
        // flush between its items) only when it holds something.
        if !self.edits.is_empty() {
            let mut edits = std::mem::take(&mut self.edits);
            for edit in edits.drain(..) {
                self.at = edit.start;
                self.flush();
                if let Some((value, write)) = edit.value {
                    let base = self.base.get().and_then(Option::as_ref);
                    write_value(&mut self.out, base, &value, write);
                }
                self.span = edit.end;
            }
            self.edits = edits;
        }
        let void = element.is(VOID);
        let end = if void { " />" } else { ">" };
        if close.self_closing && !void {
            // `<div/>` in a feed is XHTML for an empty element.
            self.at = close.start;
            self.flush();
            self.out.push('>');
            self.out.push_str("</");
            self.out.push_str(element.name);
            self.out.push('>');
            self.span = close.end;
            return;
        }
        // `>`, ` >`, `/>` and ` />` differ in length or in `self_closing`.
        if close.end - close.start != end.len() || close.self_closing != void {
            self.at = close.start;
            self.flush();
            self.out.push_str(end);
            self.span = close.end;
        }
        if !void {
            self.stack.push(element);
        }
    }

    /// `</name>` closing the innermost open element, its name spelled exactly as the
    /// element table spells it (lower case; `event-source` holds a `-`), which the
    /// tokenizer reads as that name.
    #[inline]
    fn copied_end_tag(&mut self, at: usize) -> Option<(usize, &'static Element)> {
        let bytes = self.input.as_bytes();
        // Only kept elements are open, and never a void one: `end` would write exactly
        // this end tag and close nothing else.
        let element = *self.stack.last()?;
        let name_start = at + 2;
        let name_end = name_start + element.name.len();
        if bytes.get(name_start..name_end) != Some(element.name.as_bytes())
            || bytes.get(name_end) != Some(&b'>')
        {
            return None;
        }
        self.stack.pop();
        Some((name_end + 1, element))
    }

    /// A character reference from `at` to `end`, outside anything skipped, decoded to
    /// `decoded`: what `looked_up` writes for it. `&amp;`, `&lt;` and `&gt;` decode to
    /// the characters the escaper writes as exactly these bytes, so they stay owed.
    fn copied_reference(&mut self, at: usize, end: usize, decoded: Decoded) {
        let written_as_read = match decoded {
            Decoded::Char('&') => self.input.get(at..end) == Some("&amp;"),
            Decoded::Char('<') => self.input.get(at..end) == Some("&lt;"),
            Decoded::Char('>') => self.input.get(at..end) == Some("&gt;"),
            _ => false,
        };
        if written_as_read {
            return;
        }
        self.at = at;
        self.flush();
        push_decoded(&mut self.out, decoded);
        self.span = end;
    }

    /// Takes one token (`attributes` are the tokenizer's for a start tag), with the
    /// element a tag names already looked up (`None` for other tokens and unknown
    /// names). Returns the element whose raw text (`script`, `style`) the tokenizer must
    /// skip next. Nothing may be owed (`flush` first).
    fn looked_up(
        &mut self,
        token: Token<'a>,
        element: Option<&'static Element>,
        attributes: &[Attribute<'a>],
    ) -> Option<&'static Element> {
        match token {
            Token::Text(text) => {
                if self.skipping.is_none() {
                    push_text(&mut self.out, text);
                }
            }
            Token::Reference(decoded) => {
                if self.skipping.is_none() {
                    push_decoded(&mut self.out, decoded);
                }
            }
            Token::Ignored => {}
            Token::StartTag { self_closing, .. } => {
                let element = element?;
                match element.policy {
                    // A browser reads raw text even after `<script/>`.
                    Policy::DropRawText => return Some(element),
                    Policy::DropNested if self_closing => {}
                    Policy::DropNested => match &mut self.skipping {
                        None => self.skipping = Some((element, 1)),
                        Some((outer, depth)) if std::ptr::eq(*outer, element) => *depth += 1,
                        Some(_) => {}
                    },
                    _ if self.skipping.is_some() => {}
                    Policy::Keep => self.start(element, attributes, self_closing),
                    Policy::Unwrap => {}
                }
            }
            Token::EndTag { .. } => {
                let element = element?;
                if let Some((outer, depth)) = &mut self.skipping {
                    if std::ptr::eq(*outer, element) {
                        *depth -= 1;
                        if *depth == 0 {
                            self.skipping = None;
                        }
                    }
                    return None;
                }
                if element.policy == Policy::Keep {
                    self.end(element);
                }
            }
        }
        None
    }

    fn finish(mut self) -> String {
        self.at = self.input.len();
        self.flush();
        self.close_through(0);
        let mut out = self.out;
        // Trimmed in place: content nearly always ends with a line break, and copying the
        // whole fragment to drop it would cost as much as writing it.
        let is_space = |c: char| c.is_ascii_whitespace();
        let end = out.trim_end_matches(is_space).len();
        out.truncate(end);
        let start = out.len() - out.trim_start_matches(is_space).len();
        out.drain(..start);
        out.shrink_to_fit();
        out
    }

    /// A kept start tag.
    fn start(
        &mut self,
        element: &'static Element,
        attributes: &[Attribute<'a>],
        self_closing: bool,
    ) {
        if !self.admit(element) {
            return;
        }
        self.write_start_tag(element, attributes);
        if element.is(VOID) {
            return;
        }
        // `<div/>` in a feed is XHTML for an empty element.
        if self_closing {
            self.out.push_str("</");
            self.out.push_str(element.name);
            self.out.push('>');
        } else {
            self.stack.push(element);
        }
    }

    /// Whether a kept element's start tag is written: room made for it (`make_room_for`)
    /// and not nested too deep.
    #[inline]
    fn admit(&mut self, element: &'static Element) -> bool {
        self.make_room_for(element) && (element.is(VOID) || self.stack.len() < MAX_DEPTH)
    }

    /// A kept end tag: closes the element and everything opened inside it; a stray one
    /// (nothing open of that name, or a void element) is dropped.
    fn end(&mut self, element: &'static Element) {
        if element.is(VOID) {
            return;
        }
        if let Some(index) = self
            .stack
            .iter()
            .rposition(|open| std::ptr::eq(*open, element))
        {
            self.close_through(index);
        }
    }

    /// Closes what a browser would close before `element` opens, so that the output means
    /// the same to a browser as to us. `false` when the element must not be opened here.
    fn make_room_for(&mut self, element: &'static Element) -> bool {
        // Most tags (inline formatting, images) have no rule: one test of their flags.
        if !element.is(CLOSES_P | HEADING | TABLE_PART | MAKES_ROOM) {
            return true;
        }
        self.make_room_for_rules(element)
    }

    /// `make_room_for` without its early return: the rules themselves, which leave the
    /// stack alone and return `true` for an element without any of the flags they need
    /// (the tests check every such element).
    #[inline(never)]
    fn make_room_for_rules(&mut self, element: &'static Element) -> bool {
        match element.name {
            "li" => {
                if !self.close_list_item(&["li"]) {
                    return false;
                }
                self.close_p();
            }
            "dd" | "dt" => {
                if !self.close_list_item(&["dd", "dt"]) {
                    return false;
                }
                self.close_p();
            }
            "a" => {
                if let Some(index) = self.find_in_scope("a") {
                    self.close_through(index);
                }
            }
            "rb" | "rp" | "rt" | "rtc" => {
                if self
                    .stack
                    .last()
                    .is_some_and(|top| matches!(top.name, "rb" | "rp" | "rt"))
                {
                    self.close_through(self.stack.len() - 1);
                }
            }
            "table" => {
                // A table directly inside a table (not in a cell) closes the outer one.
                let context = self
                    .stack
                    .iter()
                    .rposition(|open| matches!(open.name, "table" | "td" | "th" | "caption"));
                if let Some(index) = context
                    && self.stack[index].name == "table"
                {
                    self.close_through(index);
                }
                self.close_p();
            }
            _ if element.is(TABLE_PART) => return self.make_room_for_table_part(element),
            _ => {
                if element.is(CLOSES_P) {
                    self.close_p();
                }
                if element.is(HEADING) && self.stack.last().is_some_and(|top| top.is(HEADING)) {
                    self.close_through(self.stack.len() - 1);
                }
            }
        }
        true
    }

    /// HTML's search for an open `li` (or `dd`/`dt`) to close. `false` when the search
    /// would leave the fragment: the element is then not opened at all.
    fn close_list_item(&mut self, names: &[&str]) -> bool {
        for index in (0..self.stack.len()).rev() {
            let open = self.stack[index];
            if names.contains(&open.name) {
                self.close_through(index);
                return true;
            }
            if open.is(SPECIAL) && !matches!(open.name, "address" | "div" | "p") {
                return true;
            }
        }
        false
    }

    /// Closes an open `p` unless a scope boundary (table, cell, caption) comes first.
    fn close_p(&mut self) {
        if let Some(index) = self.find_in_scope("p") {
            self.close_through(index);
        }
    }

    fn find_in_scope(&self, name: &str) -> Option<usize> {
        for index in (0..self.stack.len()).rev() {
            let open = self.stack[index];
            if open.name == name {
                return Some(index);
            }
            if open.is(SCOPE) {
                return None;
            }
        }
        None
    }

    /// Table parts need a table, and close the parts they cannot sit in.
    fn make_room_for_table_part(&mut self, element: &'static Element) -> bool {
        let Some(table) = self.stack.iter().rposition(|open| open.name == "table") else {
            return false;
        };
        let stops_at: &[&str] = match element.name {
            "caption" | "colgroup" | "thead" | "tbody" | "tfoot" => &[],
            "col" => &["colgroup"],
            "tr" => &["thead", "tbody", "tfoot"],
            _ => &["tr", "thead", "tbody", "tfoot"],
        };
        let keep = self.stack[table + 1..]
            .iter()
            .rposition(|open| stops_at.contains(&open.name))
            .map_or(table + 1, |offset| table + 1 + offset + 1);
        if keep < self.stack.len() {
            self.close_through(keep);
        }
        true
    }

    /// Writes end tags for the open elements from the innermost down to `index`.
    fn close_through(&mut self, index: usize) {
        if self.stack.len() > index {
            self.flush();
        }
        while self.stack.len() > index {
            if let Some(open) = self.stack.pop() {
                self.out.push_str("</");
                self.out.push_str(open.name);
                self.out.push('>');
            }
        }
    }

    fn write_start_tag(&mut self, element: &'static Element, attributes: &[Attribute<'a>]) {
        debug_assert!(self.span >= self.at, "a tag written before the input owed");
        self.kept.clear();
        for attribute in attributes {
            let Some(index) = self::attribute(attribute.name) else {
                continue;
            };
            if self.kept.iter().any(|(kept, _, _)| *kept == index) {
                continue;
            }
            // A position the index gave: always in the table.
            let (_, kind) = ATTRIBUTE_TABLE[index];
            let raw = attribute.raw_value();
            // Only a URL's value gains from knowing it: a plain one is decoded and
            // escaped in one pass either way.
            let clean = matches!(kind, Url | Image) && is_verbatim_url(raw.as_bytes());
            if let (Some(value), write) = self.attribute_value(raw, kind, clean) {
                self.kept.push((index, value, write));
            }
        }
        // Authors mostly write one or two attributes, or write them in order already.
        // The table is sorted by name: positions in it are in name order.
        if !self.kept.is_sorted_by_key(|(index, _, _)| *index) {
            self.kept.sort_unstable_by_key(|(index, _, _)| *index);
        }

        self.out.push('<');
        self.out.push_str(element.name);
        let base = self.base.get().and_then(Option::as_ref);
        for (index, value, write) in &self.kept {
            let (name, _) = ATTRIBUTE_TABLE[*index];
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            write_value(&mut self.out, base, value, *write);
            self.out.push('"');
        }
        self.out
            .push_str(if element.is(VOID) { " />" } else { ">" });
    }

    /// An allowed attribute's value as it will be written, and how; `None` to drop the
    /// attribute. `raw` is the value as written (references not decoded); `clean` says
    /// that `is_verbatim_url(raw)` is known to hold (`false` when unknown). Both the long
    /// way (`write_start_tag`) and the copy (`copied_tag`) decide here; the copy leaves a
    /// value in place only when this returns `raw` itself with `Write::Verbatim`. Most
    /// values are written in one pass over their bytes: plain ones decoded while escaped,
    /// web URLs with nothing to decode, clean or escape as they are (`safe_url`,
    /// `decode_all` and the escaper would each return them unchanged).
    fn attribute_value(
        &self,
        raw: &'a str,
        kind: Kind,
        clean: bool,
    ) -> (Option<Cow<'a, str>>, Write) {
        match kind {
            // Nothing to decode or escape but `&amp;`, which comes back as written.
            Plain if clean => (Some(Cow::Borrowed(raw)), Write::Verbatim),
            Plain => (Some(Cow::Borrowed(raw)), Write::Decoded),
            Url | Image if clean => match url_shape(raw) {
                Shape::Web => (Some(Cow::Borrowed(raw)), Write::Verbatim),
                Shape::Relative => match self.prepared_base() {
                    // Nothing to resolve against: `safe_url` keeps it as it is.
                    None => (Some(Cow::Borrowed(raw)), Write::Verbatim),
                    Some(base) if base.resolves_verbatim => {
                        (Some(Cow::Borrowed(raw)), Write::Resolved)
                    }
                    Some(_) => self.checked_attribute_url(raw, kind),
                },
                Shape::Other => self.checked_attribute_url(raw, kind),
            },
            Url | Image => self.checked_attribute_url(raw, kind),
            SrcSet => (
                self.safe_srcset(&decoded(raw)).map(Cow::Owned),
                Write::Escaped,
            ),
            Style => (style::filter(&decoded(raw)).map(Cow::Owned), Write::Escaped),
        }
    }

    /// The base, split into its components on first use.
    fn prepared_base(&self) -> Option<&PreparedBase<'b>> {
        self.base
            .get_or_init(|| {
                let base = super::url::Base::new(self.base_text?)?;
                // Nothing `is_verbatim_url` looks at, not even `&amp;`: one pass.
                let resolves_verbatim = is_allowed_scheme(base.scheme())
                    && first_unclean(base.as_str().as_bytes(), 0).is_none();
                Some(PreparedBase {
                    base,
                    resolves_verbatim,
                })
            })
            .as_ref()
    }

    fn base(&self) -> Option<&super::url::Base<'b>> {
        self.prepared_base().map(|prepared| &prepared.base)
    }

    /// A URL attribute the long way: references decoded, then `safe_url`.
    fn checked_attribute_url(&self, raw: &'a str, kind: Kind) -> (Option<Cow<'a, str>>, Write) {
        let value = match decoded(raw) {
            Cow::Borrowed(value) => self.safe_url(value, kind == Image),
            Cow::Owned(value) => self
                .safe_url(&value, kind == Image)
                .map(|url| Cow::Owned(url.into_owned())),
        };
        (value, Write::Escaped)
    }

    /// A URL attribute's value as it will be written, or `None` to drop the attribute.
    /// Control characters are removed before the scheme is checked, so the check sees
    /// exactly what is written.
    fn safe_url<'v>(&self, value: &'v str, images: bool) -> Option<Cow<'v, str>> {
        let control = has_ascii_control(value.as_bytes());
        if !control && is_plain_web_url(value) {
            // Most URLs in content: nothing to clean, trim, unwrap or resolve, and the
            // scheme is allowed. `checked_url` gives the same answer, only slower.
            return Some(Cow::Borrowed(value));
        }
        self.checked_url(value, images, control)
    }

    /// `safe_url` without its shortcut; `control` tells whether `value` holds an ASCII
    /// control character.
    fn checked_url<'v>(&self, value: &'v str, images: bool, control: bool) -> Option<Cow<'v, str>> {
        let is_space = |c: char| c.is_ascii_whitespace();
        let resolved = if control {
            let cleaned: String = value.chars().filter(|c| !c.is_ascii_control()).collect();
            let cleaned = cleaned.trim_matches(is_space);
            if cleaned.is_empty() {
                return Some(Cow::Borrowed(""));
            }
            Cow::Owned(super::url::join_borrowed(self.base(), cleaned).into_owned())
        } else {
            let cleaned = value.trim_matches(is_space);
            if cleaned.is_empty() {
                return Some(Cow::Borrowed(""));
            }
            super::url::join_borrowed(self.base(), cleaned)
        };
        let allowed = match super::url::scheme(&resolved) {
            None => true,
            Some(scheme) => is_allowed_scheme(scheme) || (images && is_data_image(&resolved)),
        };
        allowed.then_some(resolved)
    }

    /// `srcset`: each candidate URL checked like `src`; unsafe candidates are dropped,
    /// and the attribute with them when none is left.
    fn safe_srcset(&self, value: &str) -> Option<String> {
        // Usually one allocation, not one per doubling: a relative candidate grows by
        // about the base's length.
        let mut out = String::with_capacity(value.len() + self.base_text.map_or(0, str::len) + 16);
        for (url, descriptor) in srcset_candidates(value) {
            let Some(url) = self.safe_url(url, true).filter(|url| !url.is_empty()) else {
                continue;
            };
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&url);
            if !descriptor.is_empty() {
                out.push(' ');
                out.push_str(descriptor);
            }
        }
        (!out.is_empty()).then_some(out)
    }
}

/// An attribute value as written with its character references decoded (the rules for
/// attribute values: `charref::decode_all` with `in_attribute`).
fn decoded(raw: &str) -> Cow<'_, str> {
    super::charref::decode_all(raw, true)
}

/// Writes a kept attribute's value (`Sanitiser::attribute_value`) between its quotes.
/// `base` is the sanitiser's base if it has been prepared (it has, for `Write::Resolved`).
fn write_value(out: &mut String, base: Option<&PreparedBase<'_>>, value: &str, write: Write) {
    match write {
        Write::Verbatim => out.push_str(value),
        Write::Resolved => match base {
            Some(base) => base.base.resolve_into(out, value),
            // Only chosen with a base at hand (`prepared_base`, initialised first).
            None => {
                debug_assert!(false, "Write::Resolved without a base: {value:?}");
                push_raw_attribute_value(out, value);
            }
        },
        Write::Decoded => push_raw_attribute_value(out, value),
        Write::Escaped => push_attribute_value(out, value),
    }
}

/// Where a copied start tag (`Sanitiser::copied_tag`) closes: `input[start..end]` is
/// `>`, ` >`, `/>` or ` />`.
#[derive(Debug, Clone, Copy)]
struct Close {
    start: usize,
    end: usize,
    /// Written `/>`.
    self_closing: bool,
}

impl Close {
    fn new(start: usize, end: usize, self_closing: bool) -> Self {
        Close {
            start,
            end,
            self_closing,
        }
    }
}

/// A byte of a tag name in the form `copied_tag` takes: lower-case ASCII letters and
/// digits (the tokenizer's name runs further, to whitespace, `/` or `>`; the caller
/// checks what follows).
fn is_tag_name_byte(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit()
}

/// A byte of an attribute name in the form `copied_tag` takes: lower-case ASCII letters,
/// digits, `-`, `_`, `:` and `.` (the caller checks that `=` follows).
fn is_attribute_name_byte(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'-' | b'_' | b':' | b'.')
}

/// The name from `from` (tag name bytes, or with `ATTRIBUTE` attribute name bytes): where
/// it ends, and its key for the name tables (`elements::key`), `None` when it is longer
/// than any table's names. A copied tag reads two or three names; read byte by byte and
/// packed a byte at a time they were most of its cost. Where sixteen bytes follow `from`
/// and the name ends among them, one SSE2 compare set finds its end and the key is those
/// bytes themselves, cut after the name (the name's bytes are lower case and never NUL,
/// so `elements::key` would pack exactly them); otherwise `packed_name_bytewise`.
#[inline(always)]
fn packed_name<const ATTRIBUTE: bool>(bytes: &[u8], from: usize) -> (usize, Option<u128>) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if let Some(block) = bytes.get(from..from.wrapping_add(16))
        && let Ok(block) = <[u8; 16]>::try_from(block)
    {
        // SAFETY: the only requirement of a `#[target_feature(enable = "sse2")]` function
        // is a processor with SSE2, and this code is compiled only for targets that have
        // it (the `cfg` above; every x86-64 target does).
        let len = unsafe { name_length_sse2::<ATTRIBUTE>(block) };
        if len < 16 {
            return (from + len, Some(key_of_block(block, len)));
        }
    }
    packed_name_bytewise::<ATTRIBUTE>(bytes, from)
}

/// `packed_name` a byte at a time: the reference the block path is tested against, and
/// what reads a name too close to the end of the input or sixteen bytes long or more.
fn packed_name_bytewise<const ATTRIBUTE: bool>(bytes: &[u8], from: usize) -> (usize, Option<u128>) {
    let name_byte = if ATTRIBUTE {
        is_attribute_name_byte
    } else {
        is_tag_name_byte
    };
    let mut i = from;
    while let Some(&byte) = bytes.get(i)
        && name_byte(byte)
    {
        i += 1;
    }
    (i, elements::key(&bytes[from..i]))
}

/// The key `elements::key` packs for the first `len` bytes of `block` (`len` below 16),
/// when they are name bytes (lower case, none NUL): the bytes in order from the most
/// significant, zeros after them.
fn key_of_block(block: [u8; 16], len: usize) -> u128 {
    // `packed_name` passes a length below 16; `& 15` spares the bounds check.
    debug_assert!(len < 16, "{len}");
    u128::from_be_bytes(block) & NAME_MASKS[len & 15]
}

/// For each length below 16, the bits of a key's first `len` bytes (from the most
/// significant).
const NAME_MASKS: [u128; 16] = {
    let mut masks = [0u128; 16];
    let mut len = 1;
    while len < 16 {
        masks[len] = u128::MAX << (8 * (16 - len));
        len += 1;
    }
    masks
};

/// How many of `block`'s bytes, from its first, are name bytes (`is_tag_name_byte`, or
/// with `ATTRIBUTE` `is_attribute_name_byte`); 16 when all are.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn name_length_sse2<const ATTRIBUTE: bool>(block: [u8; 16]) -> usize {
    use super::text::sse2::{bits, equal, load_block, splat};
    use std::arch::x86_64::{
        __m128i, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_min_epu8, _mm_or_si128, _mm_sub_epi8,
    };
    let block = load_block(block);
    // `first <= byte <= last`, unsigned: `byte - first` wraps above `last - first` for a
    // byte below `first`.
    let within = |first: u8, last: u8| {
        let offset: __m128i = _mm_sub_epi8(block, splat(first));
        _mm_cmpeq_epi8(_mm_min_epu8(offset, splat(last - first)), offset)
    };
    let name = if ATTRIBUTE {
        // `-`, `.`, the digits and `:` are 0x2D..=0x3A but for `/` (0x2F).
        let punctuation_and_digits = _mm_andnot_si128(equal(block, b'/'), within(b'-', b':'));
        _mm_or_si128(
            _mm_or_si128(within(b'a', b'z'), punctuation_and_digits),
            equal(block, b'_'),
        )
    } else {
        _mm_or_si128(within(b'a', b'z'), within(b'0', b'9'))
    };
    // A set bit above the sixteen stops the count at 16.
    ((bits(name) ^ 0xffff) | 0x1_0000).trailing_zeros() as usize
}

/// From the start of a double-quoted attribute value: where its closing quote is, and
/// whether the value is clean (`is_verbatim_url` of it holds: nothing to decode, escape or
/// clean but `&amp;`). `None` when no quote closes it.
fn value_end(bytes: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut at = start;
    loop {
        let found = first_unclean(bytes, at)?;
        match bytes[found..] {
            [b'"', ..] => return Some((found, true)),
            [b'&', b'a', b'm', b'p', b';', ..] => at = found + 5,
            _ => {
                let close = memchr::memchr(b'"', &bytes[found..])?;
                return Some((found + close, false));
            }
        }
    }
}

/// Splits a `srcset` into (URL, descriptor) candidates the way HTML does: a URL is a run
/// of non-whitespace (trailing commas stripped); its descriptors run to the next comma
/// outside parentheses.
fn srcset_candidates(value: &str) -> Vec<(&str, &str)> {
    let bytes = value.as_bytes();
    let mut candidates = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let url_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut url = &value[url_start..i];
        if url.ends_with(',') {
            url = url.trim_end_matches(',');
            candidates.push((url, ""));
            continue;
        }
        let descriptor_start = i;
        let mut depth = 0usize;
        while i < bytes.len() {
            match bytes[i] {
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        candidates.push((url, value[descriptor_start..i].trim()));
    }
    candidates
}

/// The base of a sanitiser's URLs, split, and whether a clean relative reference
/// resolved against it needs nothing escaped and keeps an allowed scheme.
struct PreparedBase<'b> {
    base: super::url::Base<'b>,
    /// The base's scheme is allowed and its text holds nothing to escape: a reference
    /// that `is_verbatim_url` passes, resolved against it, is written as resolved.
    resolves_verbatim: bool,
}

/// What a URL attribute's value is, for one that `is_verbatim_url` passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// An absolute `http://` or `https://` URL without surrounding spaces: written as it is.
    Web,
    /// A reference without a scheme and without surrounding spaces: resolved.
    Relative,
    /// Anything else (another scheme, empty, surrounding spaces): checked the long way.
    Other,
}

/// The shape of a value `is_verbatim_url` passed.
fn url_shape(raw: &str) -> Shape {
    match raw.as_bytes() {
        [] | [b' ', ..] | [.., b' '] => Shape::Other,
        _ if is_plain_web_url(raw) => Shape::Web,
        _ if super::url::scheme(raw).is_none() => Shape::Relative,
        _ => Shape::Other,
    }
}

/// How a kept attribute's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    /// As it is: `is_verbatim_url` found nothing to decode or escape in it but `&amp;`,
    /// which decoding and escaping would give back as it was.
    Verbatim,
    /// A clean relative reference (`Shape::Relative`), resolved against the base while
    /// it is written: neither holds anything to escape but `&amp;` (`PreparedBase`).
    Resolved,
    /// The value as written in the tag: references decoded, then escaped.
    Decoded,
    /// Already decoded (and checked): escaped.
    Escaped,
}

/// Whether a value holds none of the bytes that decoding (`&`), escaping (`<`, `>`, `"`,
/// U+FFFE/U+FFFF's lead byte) or URL cleaning (ASCII controls, DEL) would act on, except
/// `&amp;`: decoded to `&` and escaped again it comes back as written, and no URL
/// component (scheme, `?`, `#`, `/`, a dot segment) starts or ends inside it. The bytes
/// are found by `first_unclean`, many at a time.
fn is_verbatim_url(bytes: &[u8]) -> bool {
    let mut at = 0;
    while let Some(found) = first_unclean(bytes, at) {
        if !bytes[found..].starts_with(b"&amp;") {
            return false;
        }
        at = found + 5;
    }
    true
}

/// The bytes `is_verbatim_url` must look at: what the attribute escaper acts on
/// (`ATTRIBUTE_SPECIAL`: `&`, `<`, `>`, `"`, 0xEF, ASCII controls but tab and line feed)
/// and what URL cleaning removes besides (tab, line feed, DEL). The scalar check reads
/// it; the word and block loops test every control byte and `UNCLEAN_ABOVE_CONTROLS`,
/// which the tests check against it.
static URL_UNCLEAN: [bool; 256] = {
    let mut table = special_bytes(true);
    table[0x09] = true;
    table[0x0a] = true;
    table[0x7f] = true;
    table
};

/// The bytes of `URL_UNCLEAN` from 0x20 up, for the word and block loops (which test the
/// controls below 0x20 with one comparison).
const UNCLEAN_ABOVE_CONTROLS: [u8; 6] = [0x7f, b'&', b'<', b'>', b'"', 0xef];

/// From `at`: the first byte `is_verbatim_url` must look at (`URL_UNCLEAN`). Sixteen
/// bytes at a time where SSE2 is there (every x86-64 processor; URLs are tens of bytes),
/// then eight, then one.
fn first_unclean(bytes: &[u8], mut at: usize) -> Option<usize> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: the only requirement of a `#[target_feature(enable = "sse2")]` function
        // is a processor with SSE2, and this code is compiled only for targets that have
        // it (the `cfg` above; every x86-64 target does).
        let (stop, found) = unsafe { first_unclean_sse2(bytes, at) };
        if found {
            return Some(stop);
        }
        at = stop;
    }
    let (stop, found) = first_unclean_words(bytes, at);
    if found {
        return Some(stop);
    }
    let rest = bytes.get(stop..).unwrap_or_default();
    rest.iter()
        .position(|&byte| URL_UNCLEAN[usize::from(byte)])
        .map(|offset| stop + offset)
}

/// `first_unclean`'s eight-byte loop: (where it stopped, whether at a flagged byte); when
/// not, fewer than eight bytes are left from there. The SWAR tests misfire only above a
/// real match, so a flagged byte is exact.
fn first_unclean_words(bytes: &[u8], mut at: usize) -> (usize, bool) {
    while let Some(word) = swar::load(bytes, at) {
        let mut mask = swar::below_loose(word, 0x20);
        for byte in UNCLEAN_ABOVE_CONTROLS {
            mask |= swar::has_byte(word, byte);
        }
        if mask != 0 {
            return (at + swar::first(mask), true);
        }
        at += 8;
    }
    (at, false)
}

/// `first_unclean`'s sixteen-byte loop: (where it stopped, whether at a flagged byte);
/// when not, fewer than sixteen bytes are left from there.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn first_unclean_sse2(bytes: &[u8], mut at: usize) -> (usize, bool) {
    use super::text::sse2::{bits, equal, load, splat};
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_min_epu8, _mm_or_si128};
    while let Some(block) = load(bytes, at) {
        // Unsigned `byte <= 0x1F`: the minimum of the two is the byte itself.
        let mut flagged = _mm_cmpeq_epi8(_mm_min_epu8(block, splat(0x1f)), block);
        for byte in UNCLEAN_ABOVE_CONTROLS {
            flagged = _mm_or_si128(flagged, equal(block, byte));
        }
        let mask = bits(flagged);
        if mask != 0 {
            return (at + mask.trailing_zeros() as usize, true);
        }
        at += 16;
    }
    (at, false)
}

/// Bytes that need attention in text: `&`, `<`, `>`, carriage return, control characters
/// XML forbids, and 0xEF (the lead byte of U+FFFE and U+FFFF, which XML forbids too).
const fn special_bytes(attribute: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = !matches!(byte, 0x09 | 0x0a);
        byte += 1;
    }
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[0xef] = true;
    if attribute {
        table[b'"' as usize] = true;
    }
    table
}

static TEXT_SPECIAL: [bool; 256] = special_bytes(false);
static ATTRIBUTE_SPECIAL: [bool; 256] = special_bytes(true);

/// The bytes of an eight-byte chunk that may need attention (`special_bytes`), as the
/// high bit of each such byte: SWAR "has zero byte" and "has byte less than" tricks. The
/// lowest set bit is exact (the tricks only misfire above a real match), which is all the
/// caller uses: it jumps straight to that byte. Tabs and line feeds are flagged too; the
/// caller steps over them.
fn special_in_chunk(chunk: u64, attribute: bool) -> u64 {
    let has = |byte: u8| swar::has_byte(chunk, byte);
    let quote = if attribute { has(b'"') } else { 0 };
    swar::below_loose(chunk, 0x20) | has(b'&') | has(b'<') | has(b'>') | has(0xef) | quote
}

/// From `at`: the first byte the escaper must look at (`special_bytes(attribute)`), or
/// perhaps a tab or line feed before it (which the escaper steps over), or the end.
/// Sixteen bytes at a time where SSE2 is there (every x86-64 processor), then eight, then
/// one: text runs and attribute values are tens to hundreds of bytes.
#[inline(always)]
fn next_special(bytes: &[u8], mut at: usize, attribute: bool) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: the only requirement of a `#[target_feature(enable = "sse2")]` function
        // is a processor with SSE2, and this code is compiled only for targets that have
        // it (the `cfg` above; every x86-64 target does).
        let (stop, found) = unsafe { special_sse2(bytes, at, attribute) };
        if found {
            return stop;
        }
        at = stop;
    }
    while let Some(chunk) = swar::load(bytes, at) {
        let found = special_in_chunk(chunk, attribute);
        if found != 0 {
            return at + swar::first(found);
        }
        at += 8;
    }
    let special = if attribute {
        &ATTRIBUTE_SPECIAL
    } else {
        &TEXT_SPECIAL
    };
    let rest = bytes.get(at..).unwrap_or_default();
    rest.iter()
        .position(|&byte| special[usize::from(byte)])
        .map_or(bytes.len(), |offset| at + offset)
}

/// `next_special`'s sixteen-byte loop: (where it stopped, whether at a flagged byte);
/// when not, fewer than sixteen bytes are left from there. Exact: it flags the bytes of
/// `special_bytes(attribute)` and no others (tabs and line feeds, frequent in text and
/// left as they are, do not stop it).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn special_sse2(bytes: &[u8], mut at: usize, attribute: bool) -> (usize, bool) {
    use super::text::sse2::{bits, equal, load, splat};
    use std::arch::x86_64::{_mm_andnot_si128, _mm_cmpeq_epi8, _mm_min_epu8, _mm_or_si128};
    while let Some(block) = load(bytes, at) {
        // Unsigned `byte <= 0x1F`: the minimum of the two is the byte itself; less tab
        // and line feed.
        let controls = _mm_cmpeq_epi8(_mm_min_epu8(block, splat(0x1f)), block);
        let kept = _mm_or_si128(equal(block, b'\t'), equal(block, b'\n'));
        let mut flagged = _mm_andnot_si128(kept, controls);
        for byte in [b'&', b'<', b'>', 0xef] {
            flagged = _mm_or_si128(flagged, equal(block, byte));
        }
        if attribute {
            flagged = _mm_or_si128(flagged, equal(block, b'"'));
        }
        let mask = bits(flagged);
        if mask != 0 {
            return (at + mask.trailing_zeros() as usize, true);
        }
        at += 16;
    }
    (at, false)
}

/// Whether any byte is an ASCII control character (below 0x20, or 0x7F), eight bytes at a
/// time: every URL in content is checked.
fn has_ascii_control(bytes: &[u8]) -> bool {
    swar::any_byte(
        bytes,
        |word| swar::below_loose(word, 0x20) | swar::has_byte(word, 0x7f) != 0,
        |byte| byte.is_ascii_control(),
    )
}

fn push_escaped(out: &mut String, text: &str, special: &[bool; 256]) {
    let (_, run) = escape::<{ Stop::NOWHERE }>(out, text, 0, special);
    out.push_str(&text[run..]);
}

/// Where `escape` stops instead of escaping (constants, for a const generic).
struct Stop;

impl Stop {
    const NOWHERE: u8 = 0;
    /// At `<` or `&`: where the tokenizer's next token starts.
    const MARKUP: u8 = 1;
    /// At `&`: where a reference may start.
    const REFERENCE: u8 = 2;
}

/// Appends escaped text up to its first `<` or `&`, where the next token starts; returns
/// how many bytes were read. The tokenizer leaves text to this loop (`text_ahead`), so
/// each byte of text is read once, not once to find where the text ends and again to
/// escape it.
#[cfg(test)]
pub(crate) fn push_text_until_markup(out: &mut String, text: &str) -> usize {
    let (stop, run) = escape::<{ Stop::MARKUP }>(out, text, 0, &TEXT_SPECIAL);
    out.push_str(&text[run..stop]);
    stop
}

/// Appends an attribute value as written in its tag, references decoded, escaped: in one
/// pass when it holds no `&` (nearly always), else decoded first (a decoded `\r` must
/// meet a following `\n` as the escaper sees it in decoded text).
fn push_raw_attribute_value(out: &mut String, raw: &str) {
    let start = out.len();
    let (stop, run) = escape::<{ Stop::REFERENCE }>(out, raw, 0, &ATTRIBUTE_SPECIAL);
    if stop < raw.len() {
        out.truncate(start);
        push_attribute_value(out, &super::charref::decode_all(raw, true));
    } else {
        out.push_str(&raw[run..]);
    }
}

/// The escaper, reading `text` from `from`; `text[..from]` is owed to `out` (input
/// written as it is, not yet copied). With `STOP` (a `Stop` constant), a `<` or `&` ends
/// the text instead of being escaped (they are among the bytes the chunk test flags
/// anyway, so finding them costs nothing more). Returns (where it stopped, where the
/// bytes still owed start): only what differs from the input is written, so `text[run..
/// stop]` is left to the caller, to write or to copy later with more.
fn escape<const STOP: u8>(
    out: &mut String,
    text: &str,
    from: usize,
    special: &[bool; 256],
) -> (usize, usize) {
    let bytes = text.as_bytes();
    let attribute = special[usize::from(b'"')];
    let mut run = 0;
    let mut i = from;
    while i < bytes.len() {
        // Many bytes at a time to the first byte that may need attention; prose is
        // copied in long runs.
        i = next_special(bytes, i, attribute);
        let Some(&byte) = bytes.get(i) else {
            break;
        };
        if !special[usize::from(byte)] {
            i += 1;
            continue;
        }
        if byte == 0xef {
            // Only U+FFFE and U+FFFF are removed; other characters starting with 0xEF stay.
            if bytes.get(i + 1) == Some(&0xbf) && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)) {
                out.push_str(&text[run..i]);
                i += 3;
                run = i;
            } else {
                i += 1;
            }
            continue;
        }
        match byte {
            b'&' if STOP != Stop::NOWHERE => return (i, run),
            b'<' if STOP == Stop::MARKUP => return (i, run),
            _ => {}
        }
        out.push_str(&text[run..i]);
        match byte {
            b'&' => out.push_str("&amp;"),
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            b'"' => out.push_str("&quot;"),
            b'\r' => {
                out.push('\n');
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            0x0c => out.push(' '),
            _ => {}
        }
        i += 1;
        run = i;
    }
    (bytes.len(), run)
}

/// Appends text, escaped for an element's content.
pub(crate) fn push_text(out: &mut String, text: &str) {
    push_escaped(out, text, &TEXT_SPECIAL);
}

fn push_attribute_value(out: &mut String, value: &str) {
    push_escaped(out, value, &ATTRIBUTE_SPECIAL);
}

fn push_decoded(out: &mut String, decoded: Decoded) {
    match decoded {
        // Most references in content are punctuation (`&#8217;`, `&nbsp;`): a character
        // the escaper would copy as it is goes straight out, without a pass of its own.
        Decoded::Char(c) if !is_special_char(c) => out.push(c),
        Decoded::Char(c) => {
            let mut buffer = [0u8; 4];
            push_text(out, c.encode_utf8(&mut buffer));
        }
        Decoded::Str(text) => push_text(out, text),
    }
}

/// Whether the text escaper acts on `c`: its bytes include one `TEXT_SPECIAL` flags and
/// it is not one of the characters starting with 0xEF that are kept (only U+FFFE and
/// U+FFFF are removed).
fn is_special_char(c: char) -> bool {
    match u32::from(c) {
        0..0x80 => TEXT_SPECIAL[c as usize],
        code => code == 0xfffe || code == 0xffff,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn control_characters_found_at_every_offset() {
        for len in 0..20 {
            let clean = "a".repeat(len);
            assert!(!has_ascii_control(clean.as_bytes()));
            // Bytes next to the control range, and multi-byte characters, are not controls.
            assert!(!has_ascii_control("\u{20}~\u{80}\u{ff}\u{7ff}".as_bytes()));
            for at in 0..len {
                for control in [0x00, 0x09, 0x0a, 0x1f, 0x7f] {
                    let mut bytes = clean.clone().into_bytes();
                    bytes[at] = control;
                    assert!(has_ascii_control(&bytes), "{control:#x} at {at} of {len}");
                }
            }
        }
    }

    /// What `push_escaped` must write, one character at a time.
    fn escaped_by_hand(text: &str, attribute: bool) -> String {
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' if attribute => out.push_str("&quot;"),
                '\r' => {
                    out.push('\n');
                    chars.next_if_eq(&'\n');
                }
                '\u{c}' => out.push(' '),
                '\t' | '\n' => out.push(c),
                '\u{fffe}' | '\u{ffff}' => {}
                c if u32::from(c) < 0x20 => {}
                c => out.push(c),
            }
        }
        out
    }

    /// `next_special` stops at the first byte the escaper's table flags, or at a tab or
    /// line feed before it, never later: every byte value at every offset of the
    /// sixteen-byte blocks, the eight-byte words and the single bytes after them, from
    /// every start.
    #[test]
    fn next_special_stops_at_the_first_flagged_byte() {
        for (attribute, table) in [(false, &TEXT_SPECIAL), (true, &ATTRIBUTE_SPECIAL)] {
            for len in [1, 7, 8, 15, 16, 17, 24, 31, 32, 40, 47] {
                for place in 0..len {
                    for value in 0..=255u8 {
                        let mut bytes = vec![b'a'; len];
                        bytes[place] = value;
                        for from in 0..=place {
                            let stop = next_special(&bytes, from, attribute);
                            let first = (from..len)
                                .find(|&i| table[usize::from(bytes[i])])
                                .unwrap_or(len);
                            assert!(
                                stop == first
                                    || (stop < first && matches!(bytes[stop], b'\t' | b'\n')),
                                "{value:#x} at {place} of {len} from {from}: {stop}, not {first}"
                            );
                            assert!(
                                bytes[from..stop]
                                    .iter()
                                    .all(|&byte| !table[usize::from(byte)]),
                                "{value:#x} at {place} of {len} from {from}: passed a flagged byte"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn escaping_finds_every_special_byte_at_every_offset() {
        let specials = [
            "&", "<", ">", "\"", "\r", "\r\n", "\u{c}", "\u{1}", "\t", "\n", "\u{fffe}",
            "\u{ffff}", "\u{fffd}", "\u{e000}", "\u{7f}", "é",
        ];
        for len in 0..40 {
            for at in 0..=len {
                for special in specials {
                    for second in ["", "<", "\r"] {
                        let text = format!(
                            "{}{special}{}{second}",
                            "a".repeat(at),
                            "b".repeat(len - at)
                        );
                        for (attribute, table) in
                            [(false, &TEXT_SPECIAL), (true, &ATTRIBUTE_SPECIAL)]
                        {
                            let mut out = String::new();
                            push_escaped(&mut out, &text, table);
                            assert_eq!(out, escaped_by_hand(&text, attribute), "{text:?}");
                        }
                    }
                }
            }
        }
    }

    /// Texts with each byte either loop treats apart at every offset of two eight-byte
    /// chunks, among visible text with single spaces, and what may follow them.
    fn texts_with_specials() -> Vec<String> {
        let specials = [
            "&", "<", ">", "\"", "\r", "\r\n", "\u{c}", "\u{b}", "\u{1}", "\0", "\t", "\n", " ",
            "  ", "\u{fffe}", "\u{ffff}", "\u{fffd}", "\u{e000}", "\u{7f}", "é", "\u{85}",
            "\u{2028}", "\u{2029}", "\u{a0}", " >", "> ", " < ", " &", "\u{2019}",
        ];
        let filler: Vec<char> = "ab cd e".chars().collect();
        let mut texts = Vec::new();
        for len in 0..18 {
            let fill: String = (0..len).map(|i| filler[i % filler.len()]).collect();
            for at in 0..=len {
                for special in specials {
                    for after in ["", "<p>x", "&amp;y", " ", "\r"] {
                        texts.push(format!("{}{special}{}{after}", &fill[..at], &fill[at..]));
                    }
                }
            }
        }
        texts
    }

    #[test]
    fn text_until_markup_is_escaped_like_whole_text() {
        for text in texts_with_specials() {
            let stop = text.find(['<', '&']).unwrap_or(text.len());
            let mut out = String::from("before ");
            assert_eq!(push_text_until_markup(&mut out, &text), stop, "{text:?}");
            assert_eq!(
                out,
                format!("before {}", escaped_by_hand(&text[..stop], false)),
                "{text:?}"
            );
        }
    }

    /// The fused loop writes what the escaper and the collapser each write alone (both
    /// checked against their rules written out character by character), stops where they
    /// stop, and carries the collapser's owed space in from earlier text.
    #[test]
    fn text_for_html_and_plain_in_one_loop_matches_each_alone() {
        use crate::normalise::text::{Plain, tests::collapsed};
        for text in texts_with_specials() {
            let stop = text.find(['<', '&']).unwrap_or(text.len());
            for earlier in ["", "x ", "x", " "] {
                let mut plain = Plain::with_capacity(0);
                let mut html = String::new();
                if !earlier.is_empty() {
                    assert_eq!(plain.push_text_with_html(&mut html, earlier), earlier.len());
                }
                let used = plain.push_text_with_html(&mut html, &text);
                assert_eq!(used, stop, "{text:?}");
                let expected_html = format!("{earlier}{}", escaped_by_hand(&text[..stop], false));
                assert_eq!(html, expected_html, "{earlier:?} then {text:?}");
                assert_eq!(
                    plain.finish(),
                    collapsed(&format!("{earlier}{}", &text[..stop])),
                    "{earlier:?} then {text:?}"
                );
            }
        }
    }

    #[test]
    fn verbatim_values_have_nothing_to_decode_escape_or_clean_but_amp() {
        // Spaces and bytes with the high bit set other than 0xEF are clean, in every
        // position of a block, a word and the tail (48 bytes, cut at every character).
        let neighbours = " \u{80}\u{ff}\u{7ff}\u{10000}".repeat(4);
        assert!(is_verbatim_url(neighbours.as_bytes()));
        for (end, _) in neighbours.char_indices() {
            assert!(is_verbatim_url(&neighbours.as_bytes()[..end]), "{end}");
        }
        // Up to 40 bytes: on x86-64 sixteen-byte blocks, then at most one eight-byte word
        // and single bytes; elsewhere words and single bytes. The word loop is tested
        // on its own below.
        for len in 0..40 {
            let clean: String = "https://a.test/p?q=1#é".chars().cycle().take(len).collect();
            assert!(is_verbatim_url(clean.as_bytes()), "{clean:?}");
            for at in 0..clean.len() {
                if !clean.is_char_boundary(at) {
                    continue;
                }
                for special in [
                    "&", "<", ">", "\"", "\u{0}", "\t", "\n", "\u{1f}", "\u{7f}", "\u{fffe}",
                    "\u{f000}",
                ] {
                    let text = format!("{}{special}{}", &clean[..at], &clean[at..]);
                    assert!(!is_verbatim_url(text.as_bytes()), "{text:?}");
                    let amp = format!("{}&amp;{}", &clean[..at], &clean[at..]);
                    assert!(is_verbatim_url(amp.as_bytes()), "{amp:?}");
                    let amp_then = format!("{}&amp;{special}{}", &clean[..at], &clean[at..]);
                    assert!(!is_verbatim_url(amp_then.as_bytes()), "{amp_then:?}");
                }
            }
        }
    }

    /// Where a loop of `first_unclean` stopped, (`stop`, `found`), is right for `bytes`
    /// read from `at` `width` bytes at a time: at the first byte `URL_UNCLEAN` flags, or
    /// before fewer than `width` bytes with none flagged before them.
    fn check_unclean_loop(bytes: &[u8], at: usize, width: usize, (stop, found): (usize, bool)) {
        let first = bytes[at..]
            .iter()
            .position(|&byte| URL_UNCLEAN[usize::from(byte)])
            .map(|offset| at + offset);
        if found {
            assert_eq!(Some(stop), first, "{bytes:x?} from {at}, {width} at a time");
        } else {
            assert!(
                stop >= at && (stop - at).is_multiple_of(width) && bytes.len() - stop < width,
                "{bytes:x?} from {at}, {width} at a time: stopped at {stop}"
            );
            assert!(
                first.is_none_or(|first| first >= stop),
                "{bytes:x?} from {at}, {width} at a time: missed {first:?}"
            );
        }
    }

    /// Each of `first_unclean`'s loops finds the first byte `URL_UNCLEAN` flags, whatever
    /// it is and wherever it lies in values up to 40 bytes, from several starts; the
    /// word loop is called directly, as on x86-64 the block loop leaves it little to do.
    #[test]
    fn unclean_bytes_are_found_by_every_loop_at_every_offset() {
        // The table is the controls and the loops' list, nothing else.
        for byte in 0..=255u8 {
            let listed = byte < 0x20 || UNCLEAN_ABOVE_CONTROLS.contains(&byte);
            assert_eq!(URL_UNCLEAN[usize::from(byte)], listed, "{byte:#04x}");
        }
        let unclean = |byte: &u8| URL_UNCLEAN[usize::from(*byte)];
        let check = |value: &[u8]| {
            let starts = [Some(0), Some(9), value.iter().position(unclean)];
            for at in starts.into_iter().flatten().filter(|&at| at <= value.len()) {
                check_unclean_loop(value, at, 8, first_unclean_words(value, at));
                #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
                {
                    // SAFETY: compiled only for targets with SSE2 (see `first_unclean`).
                    let stopped = unsafe { first_unclean_sse2(value, at) };
                    check_unclean_loop(value, at, 16, stopped);
                }
                let first = value[at..]
                    .iter()
                    .position(unclean)
                    .map(|offset| at + offset);
                assert_eq!(first_unclean(value, at), first, "{value:x?} from {at}");
            }
        };
        let clean = [
            b'a', b' ', 0x80, 0xee, 0xf0, 0xff, b'~', b'%', b'/', b'?', 0x21,
        ];
        for len in 0..=40 {
            let mut value: Vec<u8> = clean.iter().copied().cycle().take(len).collect();
            check(&value);
            for at in 0..len {
                let filler = value[at];
                for byte in 0..=255u8 {
                    value[at] = byte;
                    check(&value);
                    // A flagged byte after a flagged one (where the SWAR tests may
                    // misfire) changes nothing.
                    if unclean(&byte) && at + 1 < len {
                        let last = value[len - 1];
                        value[len - 1] = 0;
                        check(&value);
                        value[len - 1] = last;
                    }
                }
                value[at] = filler;
            }
        }
    }

    /// `copied_end_tag` compares an end tag's bytes with the open element's name as the
    /// table spells it: the tokenizer must read `</name>` as an end tag of that same
    /// element, whatever comes after it.
    #[test]
    fn element_names_are_read_as_themselves() {
        for element in elements::all() {
            for after in ["", "text", "<p>", ">"] {
                let html = format!("</{}>{after}", element.name);
                let mut tokenizer = Tokenizer::new(&html);
                let token = tokenizer.next_token();
                assert_eq!(token, Some(Token::EndTag { name: element.name }), "{html}");
                assert_eq!(tokenizer.offset(), element.name.len() + 3, "{html}");
                let found = token.and_then(Token::element);
                assert!(
                    found.is_some_and(|found| std::ptr::eq(found, element)),
                    "{html}"
                );
            }
        }
    }

    /// `packed_name` (sixteen bytes at a time where they are there) finds the same end and
    /// key as reading byte by byte, for tag and attribute names: names of every length up
    /// to 20 made of every name byte, each followed by every byte value, and every byte
    /// value at every position of a name, with input ending anywhere after it.
    #[test]
    fn names_are_read_by_block_as_byte_by_byte() {
        fn check<const ATTRIBUTE: bool>(bytes: &[u8]) {
            for from in 0..=bytes.len().min(3) {
                let by_block = packed_name::<ATTRIBUTE>(bytes, from);
                let by_byte = packed_name_bytewise::<ATTRIBUTE>(bytes, from);
                assert_eq!(
                    by_block, by_byte,
                    "{bytes:x?} from {from}, attribute {ATTRIBUTE}"
                );
            }
        }
        fn check_both(bytes: &[u8]) {
            check::<false>(bytes);
            check::<true>(bytes);
        }
        // Every byte either class takes, cycled, so every one sits at every position.
        let name_bytes: Vec<u8> = (0..=255u8)
            .filter(|&byte| is_tag_name_byte(byte) || is_attribute_name_byte(byte))
            .collect();
        for len in 0..=20 {
            for shift in [0, 7, 13, 29] {
                let name: Vec<u8> = name_bytes
                    .iter()
                    .copied()
                    .cycle()
                    .skip(shift)
                    .take(len)
                    .collect();
                for after in 0..=255u8 {
                    let mut bytes = name.clone();
                    bytes.push(after);
                    bytes.extend_from_slice(b"=\"value\" title=\"x\">text");
                    // Input ending at every point from the name's end on.
                    for end in len..=bytes.len() {
                        check_both(&bytes[..end]);
                    }
                }
                for at in 0..len {
                    for byte in 0..=255u8 {
                        let mut bytes = name.clone();
                        bytes[at] = byte;
                        bytes.extend_from_slice(b" href=\"/\">text and more text");
                        check_both(&bytes);
                    }
                }
            }
        }
        // Multi-byte characters and upper case end a name; so does `/` among the
        // punctuation around the digits.
        for text in [
            "a\u{e9}b c d e f g h i j",
            "srcSet=\"a\" b c d e f g h",
            "data/x=\"1\" and more text",
        ] {
            check_both(text.as_bytes());
        }
    }

    /// A value as written, decoded and escaped in one pass, is what decoding it and then
    /// escaping it gives, references and line breaks meeting across them included.
    #[test]
    fn raw_attribute_values_are_decoded_then_escaped() {
        let mut values = texts_with_specials();
        values.extend(
            [
                "a&#13;\nb",
                "a\r&#10;b",
                "&#13;",
                "x&amp;y",
                "&quot;q&quot;",
                "&bogus;",
                "&lt;b&gt;",
                "&#xFFFE;x",
                "&#0;",
                "a&b",
                "&",
                "&amp",
                "&#x26;lt;",
                "\r&#13;&#10;\n",
            ]
            .map(String::from),
        );
        for raw in values {
            let mut one_pass = String::from("<");
            push_raw_attribute_value(&mut one_pass, &raw);
            let mut two_passes = String::from("<");
            push_attribute_value(
                &mut two_passes,
                &crate::normalise::charref::decode_all(&raw, true),
            );
            assert_eq!(one_pass, two_passes, "{raw:?}");
        }
    }

    /// A decoded reference is written as the escaper writes its text, whichever way it
    /// goes: every ASCII character, the 0xEF-led ones and others.
    #[test]
    fn decoded_references_are_escaped_like_text() {
        let chars = (0..0x80u32)
            .chain([
                0xa0, 0x2019, 0xe000, 0xefff, 0xf000, 0xfeff, 0xfffd, 0xfffe, 0xffff,
            ])
            .chain([0x1_0000, 0x1_f600, 0x10_ffff])
            .filter_map(char::from_u32);
        for c in chars {
            let mut fast = String::from("x");
            push_decoded(&mut fast, Decoded::Char(c));
            let mut escaped = String::from("x");
            push_text(&mut escaped, c.encode_utf8(&mut [0u8; 4]));
            assert_eq!(fast, escaped, "{c:?}");
        }
    }

    #[test]
    fn attribute_table_is_sorted() {
        assert!(ATTRIBUTE_NAMES.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(ATTRIBUTE_KEYS.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(
            attribute("HREF").map(|i| ATTRIBUTE_TABLE[i]),
            Some(("href", Url))
        );
        assert_eq!(attribute("onclick"), None);
        assert_eq!(attribute("a-very-long-attribute-name"), None);
    }
}

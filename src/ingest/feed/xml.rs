//! The lenient XML reader: text → [`Element`] tree, on quick-xml's tokenizer.
//!
//! It reads what a feed reader reads (the Universal Feed Parser's "bozo" recovery): junk
//! before the root, a DOCTYPE (never fetched; only its plain-text entities expanded),
//! bare `&` and `<`, undefined entities, control characters XML forbids (removed),
//! unclosed and mismatched tags, truncated documents, undeclared namespace prefixes. Each kind of repair is reported once as a warning (`repair.rs`).
//! Only a document without any element is an error.
//!
//! quick-xml does the tokenizing; this module steers it past what it cannot take (a `<`
//! that starts no tag, markup left open at the end) by restarting it after the bad spot,
//! and `builder.rs` builds the tree: namespaces resolved (and canonicalised through
//! [`ns::canonical`](super::ns::canonical)), `xml:base`/`xml:lang` inherited, nesting
//! capped at 512 levels (`builder::MAX_DEPTH`). References resolve in `reference.rs`
//! (with the DOCTYPE's plain-text entities from `doctype.rs`), and finished text gets the
//! encoding repairs of `mojibake.rs`.
//! The text is expected to be decoded already (`decode.rs`): the encoding named in the
//! XML declaration is ignored.

mod attributes;
mod builder;
mod doctype;
mod mojibake;
mod reference;
mod repair;

use quick_xml::Reader;
use quick_xml::errors::{Error, SyntaxError};
use quick_xml::events::Event;

use super::ParseError;
use std::borrow::Cow;

use super::dom::{Element, Tree};
use builder::Builder;
use repair::Repair;

/// The tree of a document, its root element and what was repaired while reading it; `'a`
/// is the text it was read from ([`Source`]), which the tree borrows.
#[derive(Debug, Clone, PartialEq)]
pub struct Document<'a> {
    pub tree: Tree<'a>,
    /// The root element's index in `tree`.
    root: u32,
    pub warnings: Vec<String>,
    /// The `<!DOCTYPE …>` declaration without its internal subset and with whitespace
    /// collapsed (`rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "…"`), if
    /// the document has one: RSS 0.91 Netscape and Userland differ only there.
    pub doctype: Option<String>,
}

impl Document<'_> {
    /// The root element.
    pub fn root(&self) -> Element<'_> {
        self.tree.element(self.root)
    }
}

/// Decoded document text made ready for [`read`]: without a leading BOM and without the
/// C0 control characters XML forbids (a copy only when it has some). The tree [`read`]
/// builds borrows from it.
pub struct Source<'t> {
    text: Cow<'t, str>,
    /// The first control character removed, for the warning.
    removed: Option<char>,
    /// How many were removed.
    removed_count: usize,
    /// The text holds a carriage return, so its line ends may need normalising; when it
    /// holds none (most feeds), the reader does not search each piece of text for one.
    carriage_returns: bool,
}

impl<'t> Source<'t> {
    pub fn new(text: &'t str) -> Source<'t> {
        // A BOM left in the text (decoded twice, or written twice) is not content.
        let text = text.trim_start_matches('\u{feff}');
        let survey = survey(text.as_bytes());
        // Removing control characters leaves carriage returns as they were.
        match survey
            .control
            .then(|| without_control_characters(text))
            .flatten()
        {
            Some((cleaned, first, count)) => Source {
                text: Cow::Owned(cleaned),
                removed: Some(first),
                removed_count: count,
                carriage_returns: survey.carriage_return,
            },
            None => Source {
                text: Cow::Borrowed(text),
                removed: None,
                removed_count: 0,
                carriage_returns: survey.carriage_return,
            },
        }
    }
}

/// How many times a tag whose attribute quote never closes is re-read as text before the
/// rest of the document is taken as truncated: each retry rescans to the end, so the
/// count must stay small for the reader to stay linear.
const UNCLOSED_QUOTE_RETRIES: usize = 8;

/// Reads a document; `base` is the URL it was fetched from.
/// `part` as a slice of `text` with `text`'s lifetime, when it lies inside it. The
/// reader reads from `text` and hands out names, attributes and text as slices of it, but
/// with the lifetime of the event; this gets the document's lifetime back without a copy.
/// A slice of any other (live) allocation cannot lie inside `text`, so a hit is always the
/// same bytes.
pub fn within<'t>(text: &'t str, part: &str) -> Option<&'t str> {
    let offset = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    text.get(offset..offset.checked_add(part.len())?)
}

pub fn read<'a>(
    source: &'a Source<'_>,
    base: Option<&url::Url>,
) -> Result<Document<'a>, ParseError> {
    let text: &'a str = &source.text;
    let mut builder = Builder::new(text, base, source.carriage_returns);
    if let Some(first) = source.removed {
        builder
            .repairs
            .note_many(Repair::ControlCharacters, source.removed_count, || {
                format!("U+{:04X}", u32::from(first))
            });
    }
    let leading = text.trim_start();
    if leading.len() < text.len()
        && leading.starts_with("<?xml")
        && leading[5..].starts_with(|c: char| c.is_ascii_whitespace() || c == '?')
    {
        builder
            .repairs
            .note(Repair::WhitespaceBeforeDeclaration, String::new);
    }
    let mut reader = tokenizer(text);
    let mut quote_retries = 0;
    loop {
        let at = text.len() - reader.get_ref().len();
        let rest = &text.as_bytes()[at..];
        if rest.first() == Some(&b'<') && !opens_markup(rest) {
            builder.repairs.note(Repair::BareLessThan, || {
                format!("\"{}\"", snippet(&text[at..], 20))
            });
            builder.literal("<");
            reader = tokenizer(&text[at + 1..]);
            continue;
        }
        let event = reader.read_event();
        let after = text.len() - reader.get_ref().len();
        match event {
            Ok(Event::Start(tag)) => builder.start(&tag, false, at),
            Ok(Event::Empty(tag)) => builder.start(&tag, true, at),
            Ok(Event::End(tag)) => builder.end(tag.name().0, after),
            Ok(Event::Text(content)) => {
                // Text cut short by a reference goes on to the next tag: room for all of
                // it at once saves growing the string piece by piece.
                builder.text(&content, || {
                    let rest = &text[after..];
                    match rest.starts_with('&') {
                        true => {
                            content.len()
                                + memchr::memchr(b'<', rest.as_bytes()).unwrap_or(rest.len())
                        }
                        false => content.len(),
                    }
                });
            }
            Ok(Event::CData(content)) => builder.literal(&content),
            Ok(Event::GeneralRef(name)) => builder.reference(&name),
            Ok(Event::DocType(content)) => builder.doctype(&content),
            Ok(Event::Decl(_) | Event::PI(_) | Event::Comment(_)) => {}
            Ok(Event::Eof) => break,
            // Ill-formed (as opposed to syntax) errors leave the tokenizer able to go on;
            // with the checks this reader switches off, only `<!DOCTYPE>` without a name
            // is left, and it is harmless.
            Err(Error::IllFormed(_)) => {}
            Err(Error::Syntax(error)) => match recover(text, at, &error, &mut quote_retries) {
                Recovery::Resume { literal, from } => {
                    if literal == "<" {
                        builder.repairs.note(Repair::BareLessThan, || {
                            format!("\"{}\"", snippet(&text[at..], 20))
                        });
                    }
                    builder.literal(literal);
                    reader = tokenizer(&text[from..]);
                }
                Recovery::Stop { literal } => {
                    builder.literal(literal);
                    builder
                        .repairs
                        .note(Repair::Truncated, || error.to_string());
                    break;
                }
            },
            // Reading from a string cannot fail otherwise; treat it like the end.
            Err(error) => {
                builder
                    .repairs
                    .note(Repair::Truncated, || error.to_string());
                break;
            }
        }
    }
    let saw_text = builder.saw_text;
    let finished = builder.finish(text.len());
    match finished.root {
        Some(root) => Ok(Document {
            tree: finished.tree,
            root,
            warnings: finished.repairs.into_warnings(),
            doctype: finished.doctype,
        }),
        // Whitespace, comments, a declaration: nothing was there to begin with.
        None if !saw_text => Err(ParseError::Empty),
        None => Err(ParseError::Xml(format!(
            "no element found; the document starts with \"{}\"",
            snippet(text.trim_start(), 40)
        ))),
    }
}

/// Whether `bytes` hold a C0 control character XML forbids (any but tab, newline and
/// carriage return). One pass, a chunk at a time, for the common case of finding
/// nothing: parsing checks every document read, and validation every feed written.
pub(crate) fn has_control_characters(bytes: &[u8]) -> bool {
    let forbidden = |byte: u8| byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r');
    // Whole 64-byte chunks, without a branch per byte: the smallest byte of a chunk first
    // (one vector minimum per 16 bytes), as seven chunks in ten of a feed hold no line
    // end or tab at all; only a chunk with one is folded into a byte of flags (a third
    // fewer instructions than a fold of booleans over chunks of any length). The tail
    // byte by byte.
    let mut chunks = bytes.chunks_exact(64);
    chunks.by_ref().any(|chunk| {
        chunk.iter().fold(u8::MAX, |least, &byte| least.min(byte)) < 0x20
            && chunk.iter().fold(0u8, |seen, &byte| {
                seen | (u8::from(byte < 0x20)
                    & u8::from(byte != b'\t')
                    & u8::from(byte != b'\n')
                    & u8::from(byte != b'\r'))
            }) != 0
    }) || chunks.remainder().iter().any(|&byte| forbidden(byte))
}

/// What [`Source::new`] learns of a document's bytes in one pass.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Survey {
    /// A C0 control character XML forbids (as [`has_control_characters`]).
    control: bool,
    /// A carriage return.
    carriage_return: bool,
}

/// [`has_control_characters`] and whether there is a carriage return, in the same pass
/// and by the same chunk test: a carriage return is below 0x20 as well, so only chunks
/// the smallest-byte test sends on can hold one. Each question is a fold of its own over
/// such a chunk (one fold marking two bits costs more than both: it is not vectorised as
/// well), and the carriage-return fold stops once one is found.
fn survey(bytes: &[u8]) -> Survey {
    let forbidden = |byte: u8| {
        u8::from(byte < 0x20)
            & u8::from(byte != b'\t')
            & u8::from(byte != b'\n')
            & u8::from(byte != b'\r')
    };
    let carriage_return = |byte: u8| u8::from(byte == b'\r');
    let mut survey = Survey {
        control: false,
        carriage_return: false,
    };
    let mut chunks = bytes.chunks_exact(64);
    for chunk in chunks.by_ref() {
        if chunk.iter().fold(u8::MAX, |least, &byte| least.min(byte)) < 0x20 {
            survey.control |= chunk.iter().fold(0u8, |seen, &byte| seen | forbidden(byte)) != 0;
            if !survey.carriage_return {
                survey.carriage_return = chunk
                    .iter()
                    .fold(0u8, |seen, &byte| seen | carriage_return(byte))
                    != 0;
            }
        }
    }
    for &byte in chunks.remainder() {
        survey.control |= forbidden(byte) != 0;
        survey.carriage_return |= carriage_return(byte) != 0;
    }
    survey
}

/// The text without the C0 control characters XML forbids (all but tab, newline and
/// carriage return), with the first one removed and their count, or `None` when it has
/// none. They come from copy-pasted office text and break strict readers; nobody means
/// them.
fn without_control_characters(text: &str) -> Option<(String, char, usize)> {
    let forbidden = |byte: u8| byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r');
    let mut cleaned = String::with_capacity(text.len());
    let mut first = None;
    let mut count = 0;
    for c in text.chars() {
        if c.is_ascii() && forbidden(c as u8) {
            first.get_or_insert(c);
            count += 1;
        } else {
            cleaned.push(c);
        }
    }
    Some((cleaned, first?, count))
}

fn tokenizer(text: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.allow_dangling_amp = true;
    config.allow_unmatched_ends = true;
    config.check_end_names = false;
    config.check_comments = false;
    config.expand_empty_elements = false;
    config.trim_markup_names_in_closing_tags = true;
    reader
}

/// Whether the `<` at the start of `rest` opens markup: a tag name, an end tag, `<!` or
/// `<?`. Anything else (`a < b`, `<3`) is text.
fn opens_markup(rest: &[u8]) -> bool {
    let name_start = |b: Option<&u8>| {
        b.is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80)
    };
    match rest.get(1) {
        Some(b'!' | b'?') => true,
        Some(b'/') => name_start(rest.get(2)),
        next => name_start(next),
    }
}

enum Recovery<'t> {
    /// Add `literal` as text and go on tokenizing at byte `from`.
    Resume { literal: &'t str, from: usize },
    /// Add `literal` as text; the document ends here.
    Stop { literal: &'t str },
}

/// What to do about markup at byte `at` the tokenizer could not read.
fn recover<'t>(
    text: &'t str,
    at: usize,
    error: &SyntaxError,
    quote_retries: &mut usize,
) -> Recovery<'t> {
    let markup = &text[at..];
    let as_text = Recovery::Resume {
        literal: "<",
        from: at + 1,
    };
    let starts_with = |prefix: &str| {
        markup.len() >= prefix.len() && markup[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    // The document ends inside the opening of a CDATA section, comment or DOCTYPE
    // (`<![CD`): nothing more to read.
    let tail = markup.trim_end();
    if tail.len() < "<!DOCTYPE".len()
        && ["<![CDATA[", "<!--", "<!DOCTYPE"].iter().any(|opening| {
            opening.len() > tail.len() && opening.starts_with(&tail.to_ascii_uppercase())
        })
    {
        return Recovery::Stop { literal: "" };
    }
    match error {
        // `<![cdata[` in the wrong case is still meant as CDATA.
        SyntaxError::UnclosedCData if starts_with("<![CDATA[") => {
            let body = &markup[9..];
            match body.find("]]>") {
                Some(end) => Recovery::Resume {
                    literal: &body[..end],
                    from: at + 9 + end + 3,
                },
                None => Recovery::Stop { literal: body },
            }
        }
        SyntaxError::UnclosedComment if markup.starts_with("<!--") => {
            Recovery::Stop { literal: "" }
        }
        SyntaxError::UnclosedDoctype if starts_with("<!DOCTYPE") => Recovery::Stop { literal: "" },
        SyntaxError::UnclosedPI | SyntaxError::UnclosedXmlDecl | SyntaxError::UnclosedTag => {
            Recovery::Stop { literal: "" }
        }
        SyntaxError::UnclosedSingleQuotedAttributeValue
        | SyntaxError::UnclosedDoubleQuotedAttributeValue => {
            if *quote_retries < UNCLOSED_QUOTE_RETRIES {
                *quote_retries += 1;
                as_text
            } else {
                Recovery::Stop { literal: "" }
            }
        }
        // `<!x`, or a `<!-`/`<![`/`<!D` that turned out to be none of those.
        _ => as_text,
    }
}

/// The first `chars` characters of `text`, on one line.
fn snippet(text: &str, chars: usize) -> String {
    text.chars()
        .take(chars)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod bench;
#[cfg(test)]
mod tests;

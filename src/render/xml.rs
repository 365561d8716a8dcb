//! Line layout for the XML the feed crates write.
//!
//! `rss` and `atom_syndication` write one long line (their "pretty" mode puts whitespace
//! inside empty elements, which changes the element's value). This pass reads that compact
//! document back and copies every token verbatim, adding a newline and two-space indent
//! only between tags that have no text between them, and turning `<x …></x>` into
//! `<x …/>`. Text and CDATA are never touched, so the document means exactly the same.
//! Mixed content (text and elements side by side, as in Atom `type="xhtml"`) is not
//! produced by omroep's renderers; where text precedes a tag no whitespace is added.

use quick_xml::Reader;
use quick_xml::events::Event;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Nothing,
    /// A start tag, an end tag, an empty element, a declaration or a comment.
    Tag,
    Text,
}

/// Lays out a compact XML document, one element per line. A document the reader rejects
/// is returned unchanged (layout is cosmetic; well-formedness is the renderers' tests' job).
pub(crate) fn layout(compact: &str) -> String {
    match try_layout(compact) {
        Ok(text) => text,
        Err(_) => with_final_newline(compact.to_owned()),
    }
}

fn try_layout(compact: &str) -> Result<String, quick_xml::Error> {
    let mut reader = Reader::from_str(compact);
    let mut out = String::with_capacity(compact.len() + compact.len() / 4);
    let mut depth = 0usize;
    let mut last = Last::Nothing;
    // A start tag already written except for its closing `>`, kept open in case the next
    // token is its end tag.
    let mut open = false;
    loop {
        let from = position(&reader);
        let event = reader.read_event()?;
        let raw = &compact[from..position(&reader)];
        match event {
            Event::Eof => break,
            Event::Start(_) => {
                close_open(&mut out, &mut open);
                newline(&mut out, last, depth);
                // Everything but the final `>`.
                out.push_str(&raw[..raw.len() - 1]);
                open = true;
                depth += 1;
                last = Last::Tag;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if open {
                    out.push_str("/>");
                    open = false;
                } else {
                    if last == Last::Tag {
                        newline(&mut out, last, depth);
                    }
                    out.push_str(raw);
                }
                last = Last::Tag;
            }
            Event::Empty(_) | Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {
                close_open(&mut out, &mut open);
                newline(&mut out, last, depth);
                out.push_str(raw);
                last = Last::Tag;
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) | Event::DocType(_) => {
                close_open(&mut out, &mut open);
                // Whitespace between top-level nodes is replaced by our own newlines.
                if depth == 0 && raw.trim().is_empty() {
                    continue;
                }
                out.push_str(raw);
                last = Last::Text;
            }
        }
    }
    close_open(&mut out, &mut open);
    Ok(with_final_newline(out))
}

fn position(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

fn close_open(out: &mut String, open: &mut bool) {
    if *open {
        out.push('>');
        *open = false;
    }
}

fn newline(out: &mut String, last: Last, depth: usize) {
    if last == Last::Tag {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

/// Ends a document with exactly one newline.
pub(crate) fn with_final_newline(mut text: String) -> String {
    let trimmed = text.trim_end_matches(['\n', '\r', ' ', '\t']).len();
    text.truncate(trimmed);
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_structure_and_keeps_text_verbatim() {
        let compact = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss a=\"1\"><channel><title>A &amp; B</title><x k=\"v\"></x><d><![CDATA[<p>hi</p>]]></d><e/></channel></rss>";
        assert_eq!(
            layout(compact),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss a=\"1\">\n  <channel>\n    <title>A &amp; B</title>\n    <x k=\"v\"/>\n    <d><![CDATA[<p>hi</p>]]></d>\n    <e/>\n  </channel>\n</rss>\n"
        );
    }

    #[test]
    fn whitespace_text_inside_an_element_is_kept() {
        assert_eq!(layout("<a><b> </b></a>"), "<a>\n  <b> </b>\n</a>\n");
    }

    #[test]
    fn a_broken_document_comes_back_unchanged_with_a_newline() {
        assert_eq!(layout("<a><b></a>"), "<a><b></a>\n");
    }
}

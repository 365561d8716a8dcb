//! Line layout for the XML the renderers write.
//!
//! The `rss` crate (and the Atom writer, in the same way) write one long line (the crate's
//! "pretty" mode puts whitespace inside empty elements, which changes the element's
//! value). This pass tokenises that
//! compact document and copies every token verbatim, adding a newline and two-space indent
//! only between tags that have no text between them, and turning `<x …></x>` into
//! `<x …/>`. Text and CDATA are never touched, so the document means exactly the same.
//! Mixed content (text and elements side by side, as in Atom `type="xhtml"`) is not
//! produced by omroep's renderers; where text precedes a tag no whitespace is added.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Nothing,
    /// A start tag, an end tag, an empty element, a declaration or a comment.
    Tag,
    Text,
}

/// One token of the compact document.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Start,
    End,
    /// An empty element, declaration, processing instruction, comment or doctype.
    Standalone,
    /// Character data, entity references and CDATA sections.
    Text,
}

/// Lays out a compact UTF-8 XML document, one element per line. A document that does not
/// tokenise (an unterminated tag or section, unbalanced tags) is returned unchanged: layout
/// is cosmetic, and well-formedness is what the renderers' tests check.
pub(crate) fn layout(compact: &[u8]) -> String {
    // The writers only write UTF-8; lossy conversion keeps the function total anyway.
    let compact = match std::str::from_utf8(compact) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(compact),
    };
    let text = try_layout(&compact).unwrap_or_else(|| compact.into_owned());
    with_final_newline(text)
}

/// A hand-written tokenizer rather than quick-xml's reader: the reader splits escaped
/// text at every entity, and escaped HTML content made this pass cost as much as writing
/// the feed. Only token boundaries matter here, never names or entities.
fn try_layout(compact: &str) -> Option<String> {
    let mut out = String::with_capacity(compact.len() + compact.len() / 8);
    let mut depth = 0usize;
    let mut last = Last::Nothing;
    // A start tag already written except for its closing `>`, kept open in case the next
    // token is its end tag.
    let mut open = false;
    let mut at = 0;
    while at < compact.len() {
        let (token, len) = next_token(&compact[at..])?;
        let raw = &compact[at..at + len];
        at += len;
        match token {
            Token::Start => {
                close_open(&mut out, &mut open);
                newline(&mut out, last, depth);
                // Everything but the final `>`.
                out.push_str(&raw[..raw.len() - 1]);
                open = true;
                depth += 1;
                last = Last::Tag;
            }
            Token::End => {
                depth = depth.checked_sub(1)?;
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
            Token::Standalone => {
                close_open(&mut out, &mut open);
                newline(&mut out, last, depth);
                out.push_str(raw);
                last = Last::Tag;
            }
            Token::Text => {
                // Whitespace between top-level nodes is replaced by our own newlines.
                if depth == 0 && raw.trim().is_empty() {
                    continue;
                }
                close_open(&mut out, &mut open);
                out.push_str(raw);
                last = Last::Text;
            }
        }
    }
    close_open(&mut out, &mut open);
    (depth == 0).then_some(out)
}

/// The kind and byte length of the token at the start of `input` (not empty). Every
/// boundary is an ASCII byte, so each length is a char boundary.
fn next_token(input: &str) -> Option<(Token, usize)> {
    if !input.starts_with('<') {
        let len = find_byte(input.as_bytes(), b'<').unwrap_or(input.len());
        return Some((Token::Text, len));
    }
    let through = |end: &str| find(input, end).map(|i| i + end.len());
    if input.starts_with("<![CDATA[") {
        return Some((Token::Text, through("]]>")?));
    }
    if input.starts_with("<!--") {
        return Some((Token::Standalone, through("-->")?));
    }
    if input.starts_with("<?") {
        return Some((Token::Standalone, through("?>")?));
    }
    // A tag (or doctype) ends at the first `>` outside a quoted attribute value.
    let mut quote = None;
    let end = input.bytes().position(|b| match quote {
        Some(q) if b == q => {
            quote = None;
            false
        }
        Some(_) => false,
        None if b == b'"' || b == b'\'' => {
            quote = Some(b);
            false
        }
        None => b == b'>',
    })?;
    let len = end + 1;
    let token = if input.starts_with("</") {
        Token::End
    } else if input.starts_with("<!") || input[..len].ends_with("/>") {
        Token::Standalone
    } else {
        Token::Start
    };
    Some((token, len))
}

/// Where `needle` (ASCII) first occurs in `haystack`.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    let bytes = haystack.as_bytes();
    let first = needle.as_bytes()[0];
    let mut from = 0;
    while let Some(i) = find_byte(&bytes[from..], first) {
        let at = from + i;
        if bytes[at..].starts_with(needle.as_bytes()) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The first index of `byte`, tested 32 bytes at a time without branching inside a block
/// so the compiler can vectorise it (feeds are mostly long runs of text).
pub(crate) fn find_byte(haystack: &[u8], byte: u8) -> Option<usize> {
    let mut blocks = haystack.chunks_exact(32);
    let mut offset = 0;
    for block in &mut blocks {
        if block.iter().fold(false, |hit, &b| hit | (b == byte)) {
            return block.iter().position(|&b| b == byte).map(|i| offset + i);
        }
        offset += 32;
    }
    blocks
        .remainder()
        .iter()
        .position(|&b| b == byte)
        .map(|i| offset + i)
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
            layout(compact.as_bytes()),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss a=\"1\">\n  <channel>\n    <title>A &amp; B</title>\n    <x k=\"v\"/>\n    <d><![CDATA[<p>hi</p>]]></d>\n    <e/>\n  </channel>\n</rss>\n"
        );
    }

    #[test]
    fn whitespace_text_inside_an_element_is_kept() {
        assert_eq!(layout(b"<a><b> </b></a>"), "<a>\n  <b> </b>\n</a>\n");
    }

    #[test]
    fn a_broken_document_comes_back_unchanged_with_a_newline() {
        assert_eq!(layout(b"<a><b></a>"), "<a><b></a>\n");
        assert_eq!(layout(b"<a><![CDATA[x</a>"), "<a><![CDATA[x</a>\n");
        assert_eq!(layout(b"<a x=\"1>"), "<a x=\"1>\n");
    }

    #[test]
    fn quoted_brackets_cdata_and_comments_are_single_tokens() {
        let compact = b"<a t=\"x>y\"><!--c<d>--><b><![CDATA[<i>]]></b></a>";
        assert_eq!(
            layout(compact),
            "<a t=\"x>y\">\n  <!--c<d>-->\n  <b><![CDATA[<i>]]></b>\n</a>\n"
        );
    }
}

//! A lenient, single-pass HTML tokenizer shared by `html` (sanitising) and `text` (plain
//! text). It reads the way a browser's tokenizer reads, because the markup it meets was
//! written for browsers: tag names run to whitespace, `/` or `>` (so `<scr<script>` is one
//! odd tag name), attributes may be double-, single- or un-quoted or have no value, the
//! first attribute of a name wins, and a tag cut off by the end of the document is dropped
//! whole (an unclosed `<img src=x onerror=…` leaves nothing behind).
//!
//! Where browsers and older parsers disagree we pick the reading that keeps the author's
//! text: a `<` with no `>` anywhere after it is a literal `<` (`a<b` in a sloppy summary),
//! and a comment without `-->` ends at the first `>` instead of swallowing the rest of
//! the post. A CDATA section in HTML is what double-wrapped feeds leave behind
//! (`&lt;![CDATA[&lt;p&gt;…`): its markers are dropped and its content read as markup,
//! which is what the author meant. Comments, doctypes and processing instructions
//! produce nothing.
//!
//! Nothing is allocated per token: tokens borrow the input, and attribute values are
//! decoded only when the caller asks for one. Every search that could scan to the end of
//! the input remembers its failure, so hostile input stays linear.

use std::borrow::Cow;

use super::charref::{self, Decoded};

/// One piece of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// Literal text (no `<` or `&`, except a lone literal one), not yet escaped.
    Text(&'a str),
    /// A decoded character reference.
    Reference(Decoded),
    /// A start tag, its name as written; its attributes are in `Tokenizer::attributes`.
    StartTag { name: &'a str, self_closing: bool },
    /// An end tag, its name as written.
    EndTag { name: &'a str },
    /// A comment, doctype, processing instruction, CDATA marker or a tag cut off by the end.
    Ignored,
}

impl Token<'_> {
    /// The known HTML element a start or end tag names; `None` for other tokens and
    /// unknown names.
    pub(crate) fn element(self) -> Option<&'static super::elements::Element> {
        match self {
            Token::StartTag { name, .. } | Token::EndTag { name } => super::elements::lookup(name),
            _ => None,
        }
    }
}

/// An attribute as written: name not yet lower-cased, value not yet decoded.
#[derive(Debug, Clone, Copy)]
pub struct Attribute<'a> {
    pub name: &'a str,
    raw_value: &'a str,
}

impl<'a> Attribute<'a> {
    /// The value with its character references decoded.
    pub fn value(&self) -> Cow<'a, str> {
        charref::decode_all(self.raw_value, true)
    }

    /// The value as written, references not yet decoded.
    pub fn raw_value(&self) -> &'a str {
        self.raw_value
    }
}

pub struct Tokenizer<'a> {
    input: &'a str,
    pos: usize,
    /// Where the token just returned started, for callers that keep it verbatim.
    token_start: usize,
    /// The last `>` in the input: a `<` after it cannot open a tag.
    last_gt: Option<usize>,
    /// A comment starting at or after this position has no `-->`.
    no_comment_end_from: usize,
    /// Inside `<![CDATA[`: its `]]>` is a marker, not text.
    in_cdata: bool,
    attributes: Vec<Attribute<'a>>,
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

impl<'a> Tokenizer<'a> {
    pub fn new(input: &'a str) -> Self {
        Tokenizer {
            input,
            pos: 0,
            token_start: 0,
            last_gt: input.rfind('>'),
            no_comment_end_from: usize::MAX,
            in_cdata: false,
            attributes: Vec::new(),
        }
    }

    /// The attributes of the start tag just returned.
    pub fn attributes(&self) -> &[Attribute<'a>] {
        &self.attributes
    }

    /// The source text of the token just returned.
    pub fn source(&self) -> &'a str {
        &self.input[self.token_start..self.pos]
    }

    /// After a start tag whose content is raw text (`script`, `style`): moves to its end
    /// tag, so the next token is `</name>`, or to the end when there is none.
    pub fn skip_raw_text(&mut self, name: &str) {
        let bytes = self.input.as_bytes();
        let mut from = self.pos;
        while let Some(offset) = self.input[from..].find("</") {
            let at = from + offset;
            let name_end = at + 2 + name.len();
            let matches_name = bytes
                .get(at + 2..name_end)
                .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name.as_bytes()));
            let delimited = bytes
                .get(name_end)
                .is_none_or(|&byte| is_space(byte) || byte == b'/' || byte == b'>');
            if matches_name && delimited {
                self.pos = at;
                return;
            }
            from = at + 2;
        }
        self.pos = self.input.len();
    }

    /// When the next token is text outside a CDATA section: the input from there on,
    /// for a caller that reads the text itself in the same loop that writes it (the
    /// sanitiser's escaper, the plain-text collapser) instead of having it found here
    /// first and scanned again there. The text runs to the first `<` or `&`; the caller
    /// reads that far, or less, and reports how far with `take_text`.
    pub fn text_ahead(&self) -> Option<&'a str> {
        let rest = self.input.get(self.pos..)?;
        match rest.as_bytes().first()? {
            b'<' | b'&' => None,
            _ if self.in_cdata => None,
            _ => Some(rest),
        }
    }

    /// Moves past `len` bytes of the text `text_ahead` gave, which must not reach past
    /// its first `<` or `&` (that is where the next token starts) nor split a character.
    pub fn take_text(&mut self, len: usize) {
        debug_assert!(
            !self.input[self.pos..self.pos + len].contains(['<', '&']),
            "text taken past markup"
        );
        self.token_start = self.pos;
        self.pos += len;
    }

    /// Where the next token starts, in bytes from the start of the input.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Inside a CDATA section, where text ends at `]]>` too.
    pub(crate) fn in_cdata(&self) -> bool {
        self.in_cdata
    }

    /// Moves past input the caller read itself from the next token's start to `end`
    /// (text, references and tags, as `next_token` would have read them); `end` is
    /// where a token starts, or the end.
    pub(crate) fn take_read(&mut self, end: usize) {
        debug_assert!(
            self.pos <= end && self.input.is_char_boundary(end),
            "read backwards or inside a character"
        );
        self.token_start = self.pos;
        self.pos = end;
    }

    /// Moves past a tag the caller read itself, from the next token's start to `end`
    /// (just after its `>`), as `next_token` would have read it.
    pub(crate) fn take_tag(&mut self, end: usize) {
        debug_assert!(
            self.input.as_bytes().get(self.pos) == Some(&b'<')
                && self.input.as_bytes().get(end.wrapping_sub(1)) == Some(&b'>'),
            "not a tag"
        );
        self.token_start = self.pos;
        self.pos = end;
    }

    /// At a character reference (`&` and what `charref::decode` reads after it in text):
    /// moves past it and returns what it decodes to, the token `next_token` would give
    /// there; `None`, nothing taken, at anything else.
    pub(crate) fn take_reference(&mut self) -> Option<Decoded> {
        let start = self.pos;
        let rest = self.input.get(start..)?;
        if !rest.starts_with('&') {
            return None;
        }
        let (decoded, used) = charref::decode(rest, false)?;
        self.token_start = start;
        self.pos = start + used;
        Some(decoded)
    }

    /// The next token, or `None` at the end.
    pub fn next_token(&mut self) -> Option<Token<'a>> {
        let bytes = self.input.as_bytes();
        let start = self.pos;
        self.token_start = start;
        let &first = bytes.get(start)?;
        let token = match first {
            b'<' => self.markup(),
            b'&' => match self.take_reference() {
                Some(decoded) => Token::Reference(decoded),
                None => self.literal(1),
            },
            b']' if self.in_cdata && bytes[start..].starts_with(b"]]>") => {
                self.in_cdata = false;
                self.pos += 3;
                Token::Ignored
            }
            _ => {
                let rest = &bytes[start + 1..];
                let next = if self.in_cdata {
                    memchr::memchr3(b'<', b'&', b']', rest)
                } else {
                    memchr::memchr2(b'<', b'&', rest)
                };
                let end = next.map_or(bytes.len(), |offset| start + 1 + offset);
                self.pos = end;
                Token::Text(&self.input[start..end])
            }
        };
        Some(token)
    }

    /// `n` bytes of literal text.
    fn literal(&mut self, n: usize) -> Token<'a> {
        let start = self.pos;
        self.pos += n;
        Token::Text(&self.input[start..self.pos])
    }

    /// At a `<`.
    fn markup(&mut self) -> Token<'a> {
        let bytes = self.input.as_bytes();
        let start = self.pos;
        // A tag needs a `>`; without one, `a<b` is text. (Comments and declarations
        // are not prose, and run to the end like a browser reads them.)
        let tag_can_close = self.last_gt.is_some_and(|last| last > start);
        match bytes.get(start + 1) {
            Some(byte) if byte.is_ascii_alphabetic() => {
                if tag_can_close {
                    self.start_tag()
                } else {
                    self.literal(1)
                }
            }
            Some(b'/') => match bytes.get(start + 2) {
                Some(byte) if byte.is_ascii_alphabetic() && tag_can_close => self.end_tag(),
                Some(byte) if byte.is_ascii_alphabetic() => self.literal(1),
                Some(b'>') => {
                    self.pos += 3;
                    Token::Ignored
                }
                _ => self.bogus_comment(start + 2),
            },
            Some(b'!') => {
                let rest = &self.input[start + 2..];
                if rest.starts_with("--") {
                    self.comment(start + 4)
                } else if rest.starts_with("[CDATA[") {
                    self.in_cdata = true;
                    self.pos = start + 9;
                    Token::Ignored
                } else {
                    self.bogus_comment(start + 2)
                }
            }
            Some(b'?') => self.bogus_comment(start + 2),
            _ => self.literal(1),
        }
    }

    fn tag_name_end(&self, from: usize) -> usize {
        let bytes = self.input.as_bytes();
        bytes[from..]
            .iter()
            .position(|&byte| is_space(byte) || byte == b'/' || byte == b'>')
            .map_or(bytes.len(), |offset| from + offset)
    }

    fn start_tag(&mut self) -> Token<'a> {
        let name_start = self.pos + 1;
        let name_end = self.tag_name_end(name_start);
        let name = &self.input[name_start..name_end];
        self.attributes.clear();
        // `<p>`: most tags in content, nothing for `read_attributes` to read.
        if self.input.as_bytes().get(name_end) == Some(&b'>') {
            self.pos = name_end + 1;
            return Token::StartTag {
                name,
                self_closing: false,
            };
        }
        match self.read_attributes(name_end) {
            Some((end, self_closing)) => {
                self.pos = end;
                Token::StartTag { name, self_closing }
            }
            None => {
                self.attributes.clear();
                self.pos = self.input.len();
                Token::Ignored
            }
        }
    }

    fn end_tag(&mut self) -> Token<'a> {
        let name_start = self.pos + 2;
        let name_end = self.tag_name_end(name_start);
        let name = &self.input[name_start..name_end];
        if self.input.as_bytes().get(name_end) == Some(&b'>') {
            self.attributes.clear();
            self.pos = name_end + 1;
            return Token::EndTag { name };
        }
        // End tags may carry attributes; they are read (quotes matter) and forgotten.
        let result = self.read_attributes(name_end);
        self.attributes.clear();
        match result {
            Some((end, _)) => {
                self.pos = end;
                Token::EndTag { name }
            }
            None => {
                self.pos = self.input.len();
                Token::Ignored
            }
        }
    }

    /// Reads attributes up to the tag's `>`; returns the position after it and whether the
    /// tag ended in `/>`, or `None` when the input ends first.
    fn read_attributes(&mut self, mut i: usize) -> Option<(usize, bool)> {
        let input = self.input;
        let bytes = input.as_bytes();
        let len = bytes.len();
        loop {
            while i < len && is_space(bytes[i]) {
                i += 1;
            }
            match bytes.get(i)? {
                b'>' => return Some((i + 1, false)),
                b'/' => {
                    if bytes.get(i + 1) == Some(&b'>') {
                        return Some((i + 2, true));
                    }
                    i += 1;
                    continue;
                }
                _ => {}
            }
            // The first character belongs to the name even when it is `=`.
            let name_start = i;
            i += 1;
            while i < len && !(is_space(bytes[i]) || matches!(bytes[i], b'/' | b'>' | b'=')) {
                i += 1;
            }
            // `i` may sit inside a multi-byte character only if the name started with one;
            // move to the next boundary so slicing is safe.
            while !input.is_char_boundary(i) {
                i += 1;
            }
            let name = &input[name_start..i];
            while i < len && is_space(bytes[i]) {
                i += 1;
            }
            let mut raw_value = "";
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while i < len && is_space(bytes[i]) {
                    i += 1;
                }
                match *bytes.get(i)? {
                    quote @ (b'"' | b'\'') => {
                        let value_start = i + 1;
                        let close = memchr::memchr(quote, &bytes[value_start..])?;
                        raw_value = &input[value_start..value_start + close];
                        i = value_start + close + 1;
                    }
                    b'>' => {}
                    _ => {
                        let value_start = i;
                        while i < len && !(is_space(bytes[i]) || bytes[i] == b'>') {
                            i += 1;
                        }
                        raw_value = &input[value_start..i];
                    }
                }
            }
            self.attributes.push(Attribute { name, raw_value });
        }
    }

    /// After `<!--`: ends at `-->` or `--!>` (`<!-->` and `<!--->` are empty comments);
    /// without either, at the first `>`; without that, at the end.
    fn comment(&mut self, content: usize) -> Token<'a> {
        let input = self.input;
        let rest = &input[content..];
        if rest.starts_with('>') {
            self.pos = content + 1;
            return Token::Ignored;
        }
        if rest.starts_with("->") {
            self.pos = content + 2;
            return Token::Ignored;
        }
        if content < self.no_comment_end_from {
            let mut from = content;
            while let Some(offset) = input[from..].find("--") {
                let at = from + offset;
                let after = &input[at + 2..];
                if after.starts_with('>') {
                    self.pos = at + 3;
                    return Token::Ignored;
                }
                if after.starts_with("!>") {
                    self.pos = at + 4;
                    return Token::Ignored;
                }
                from = at + 1;
            }
            self.no_comment_end_from = content;
        }
        self.pos = input[content..]
            .find('>')
            .map_or(input.len(), |offset| content + offset + 1);
        Token::Ignored
    }

    /// `<!DOCTYPE …>`, `<?…>`, `</3>`: skipped up to the next `>`.
    fn bogus_comment(&mut self, from: usize) -> Token<'a> {
        self.pos = self.input[from..]
            .find('>')
            .map_or(self.input.len(), |offset| from + offset + 1);
        Token::Ignored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens of `input` in a compact notation, attributes decoded.
    fn tokens(input: &str) -> Vec<String> {
        let mut tokenizer = Tokenizer::new(input);
        let mut out = Vec::new();
        while let Some(token) = tokenizer.next_token() {
            out.push(match token {
                Token::Text(text) => format!("text {text:?}"),
                Token::Reference(decoded) => {
                    let mut text = String::new();
                    decoded.push_to(&mut text);
                    format!("ref {text:?}")
                }
                Token::StartTag { name, self_closing } => {
                    let attributes: Vec<String> = tokenizer
                        .attributes()
                        .iter()
                        .map(|attribute| format!("{}={:?}", attribute.name, attribute.value()))
                        .collect();
                    let slash = if self_closing { "/" } else { "" };
                    format!("<{name}{slash} {}>", attributes.join(" "))
                }
                Token::EndTag { name } => format!("</{name}>"),
                Token::Ignored => "ignored".to_string(),
            });
        }
        out
    }

    #[test]
    fn text_references_and_tags() {
        assert_eq!(
            tokens("a &amp; b<p class=x>c</p>"),
            [
                "text \"a \"",
                "ref \"&\"",
                "text \" b\"",
                "<p class=\"x\">",
                "text \"c\"",
                "</p>"
            ]
        );
    }

    #[test]
    fn attribute_forms() {
        assert_eq!(
            tokens(r#"<img src="a.png" alt='it&#39;s' width=10 hidden title = "t" data-x=>"#),
            [r#"<img src="a.png" alt="it's" width="10" hidden="" title="t" data-x="">"#]
        );
        assert_eq!(tokens("<br/>"), ["<br/ >"]);
        assert_eq!(tokens("<a href=x/>"), ["<a href=\"x/\">"]);
        assert_eq!(tokens("<a/b>"), ["<a b=\"\">"]);
        assert_eq!(tokens("<a =x>"), ["<a =x=\"\">"]);
        assert_eq!(
            tokens("<a title=\"x\"href=y>"),
            ["<a title=\"x\" href=\"y\">"]
        );
        assert_eq!(tokens("<a title=\"a>b\">"), ["<a title=\"a>b\">"]);
    }

    #[test]
    fn browser_quirks() {
        // The tag name runs to whitespace, `/` or `>`.
        assert_eq!(
            tokens("<scr<script>ipt>"),
            ["<scr<script >", "text \"ipt>\""]
        );
        // A tag cut off by the end is dropped whole.
        assert_eq!(
            tokens("x<img src=\"y onerror=alert(1)>"),
            ["text \"x\"", "ignored"]
        );
        assert_eq!(
            tokens("x<img src=y onerror"),
            ["text \"x\"", "text \"<\"", "text \"img src=y onerror\""]
        );
        // `<` not followed by a letter is text.
        assert_eq!(
            tokens("a < b"),
            ["text \"a \"", "text \"<\"", "text \" b\""]
        );
        assert_eq!(tokens("</>x"), ["ignored", "text \"x\""]);
        assert_eq!(tokens("</3>x"), ["ignored", "text \"x\""]);
        assert_eq!(tokens("</p class=\">\">"), ["</p>"]);
    }

    #[test]
    fn comments_cdata_and_declarations() {
        assert_eq!(tokens("<!--x-->y"), ["ignored", "text \"y\""]);
        assert_eq!(tokens("<!-->y"), ["ignored", "text \"y\""]);
        assert_eq!(tokens("<!--->y"), ["ignored", "text \"y\""]);
        assert_eq!(tokens("<!--x--!>y"), ["ignored", "text \"y\""]);
        assert_eq!(tokens("<!-- a -- b -->y"), ["ignored", "text \"y\""]);
        // No `-->`: the comment ends at the first `>`.
        assert_eq!(
            tokens("sa<!-- -- x >fe"),
            ["text \"sa\"", "ignored", "text \"fe\""]
        );
        assert_eq!(tokens("safe<!--"), ["text \"safe\"", "ignored"]);
        assert_eq!(tokens("safe<!-- a"), ["text \"safe\"", "ignored"]);
        assert_eq!(tokens("<!DOCTYPE html>x"), ["ignored", "text \"x\""]);
        assert_eq!(tokens("<?php echo 1 ?>x"), ["ignored", "text \"x\""]);
        assert_eq!(
            tokens("<![CDATA[<b>]]>x]]>"),
            ["ignored", "<b >", "ignored", "text \"x]]>\""]
        );
        assert_eq!(tokens("<![CDATA[<b>"), ["ignored", "<b >"]);
    }

    #[test]
    fn raw_text_skipping() {
        let input = "<script>if (a</b) x = '</scripty>';</SCRIPT >after";
        let mut tokenizer = Tokenizer::new(input);
        assert!(matches!(
            tokenizer.next_token(),
            Some(Token::StartTag { name: "script", .. })
        ));
        tokenizer.skip_raw_text("script");
        assert_eq!(
            tokenizer.next_token(),
            Some(Token::EndTag { name: "SCRIPT" })
        );
        assert_eq!(tokenizer.next_token(), Some(Token::Text("after")));

        let mut unclosed = Tokenizer::new("<style>b{}");
        unclosed.next_token();
        unclosed.skip_raw_text("style");
        assert_eq!(unclosed.next_token(), None);
    }

    #[test]
    fn non_ascii_everywhere_is_sliced_safely() {
        for input in [
            "<é>",
            "<a é=ü>",
            "<a\u{a0}b>",
            "<p title=\"é\">ü</p>",
            "é<",
            "<a b=é",
            "&é;",
            "<!--é",
            "<![CDATA[é",
        ] {
            let _ = tokens(input);
        }
        assert_eq!(tokens("<a é=ü>"), ["<a é=\"ü\">"]);
    }

    #[test]
    fn pathological_input_is_linear() {
        let many_comments = "<!-- >".repeat(20_000) + ">";
        let started = std::time::Instant::now();
        assert_eq!(tokens(&many_comments).len(), 20_001);
        let many_cdata = "<![CDATA[ x]".repeat(20_000) + ">";
        assert_eq!(tokens(&many_cdata).len(), 60_000);
        let many_lt = "<a".repeat(50_000);
        assert!(!tokens(&many_lt).is_empty());
        assert!(started.elapsed().as_secs() < 5);
    }
}

//! The tokenizer the lenient reader runs on: quick-xml 0.42's events, found directly in
//! the decoded document for the markup that makes up nearly all of a feed.
//!
//! Text, references, start, empty and end tags and CDATA sections are found here with
//! quick-xml's own rules (the same `memchr` searches, its `ElementParser` for the `>` that
//! ends a tag outside quoted values, the same trimming of end-tag names), as the events
//! quick-xml's reader hands out under the reader's configuration ([`configured`]). What is
//! left — comments, DOCTYPE, processing instructions, the XML declaration, anything
//! malformed — goes to quick-xml's reader itself, started where the markup begins, for one
//! event.
//!
//! Why not quick-xml's reader throughout: it checks every piece of text and every tag it
//! hands out for valid UTF-8 (its byte-slice reader cannot know the bytes came from a
//! `str`), and copies every start tag's name to match end tags against, which the reader
//! switches off. The text is a `str` already, and every offset found here is at an ASCII
//! byte, so slicing it needs no check beyond the character boundary.

use memchr::{memchr_iter, memchr2, memchr3};
use quick_xml::Reader;
use quick_xml::errors::Error;
use quick_xml::events::{BytesCData, BytesEnd, BytesRef, BytesStart, BytesText, Event};
use quick_xml::parser::{ElementParser, Parser};

/// quick-xml's reader configured for the lenient reader: dangling `&` read as text,
/// unmatched and mismatched end tags and `--` in comments let through (the tree builder
/// recovers them), empty elements left as `Empty` events.
pub(super) fn configured(text: &str) -> Reader<&[u8]> {
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

/// Events of a document from a byte offset on.
pub(super) struct Tokenizer<'a> {
    text: &'a str,
    /// Byte offset of the next event.
    position: usize,
    /// The end was reached, or markup ended the document: only `Eof` from here.
    done: bool,
}

impl<'a> Tokenizer<'a> {
    /// Events of `text` from byte `from` on (a character boundary). A byte order mark
    /// there is skipped, as quick-xml's reader skips one at its start.
    pub(super) fn new(text: &'a str, from: usize) -> Tokenizer<'a> {
        let bom = match text.get(from..) {
            Some(rest) if rest.starts_with('\u{feff}') => '\u{feff}'.len_utf8(),
            _ => 0,
        };
        Tokenizer {
            text,
            position: from + bom,
            done: false,
        }
    }

    /// Byte offset of the next event in the text.
    pub(super) fn position(&self) -> usize {
        self.position
    }

    /// The next event; after `Eof` or an error other than an ill-formed one, `Eof`.
    pub(super) fn read_event(&mut self) -> Result<Event<'a>, Error> {
        if self.done {
            return Ok(Event::Eof);
        }
        match self.text.as_bytes().get(self.position) {
            None => {
                self.done = true;
                Ok(Event::Eof)
            }
            Some(b'<') => self.markup(),
            Some(b'&') => Ok(self.reference()),
            Some(_) => Ok(self.text_run()),
        }
    }

    /// `text[from..to]`; the offsets are at ASCII bytes or the end, so always boundaries.
    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.text.get(from..to).unwrap_or_default()
    }

    /// Text up to the next `<` or `&` (the event starts with neither).
    fn text_run(&mut self) -> Event<'a> {
        let start = self.position;
        let bytes = self.text.as_bytes();
        let end = match memchr2(b'<', b'&', &bytes[start..]) {
            Some(length) => start + length,
            None => {
                self.done = true;
                bytes.len()
            }
        };
        self.position = end;
        Event::Text(BytesText::from_escaped(self.slice(start, end)))
    }

    /// At `&`: a reference `&name;`, or, when a `&`, `<` or the end comes before any `;`,
    /// the `&` and what follows up to there as text.
    fn reference(&mut self) -> Event<'a> {
        let start = self.position;
        let bytes = self.text.as_bytes();
        let after = start + 1;
        match memchr3(b';', b'&', b'<', &bytes[after..]) {
            Some(length) if bytes[after + length] == b';' => {
                self.position = after + length + 1;
                Event::GeneralRef(BytesRef::new(self.slice(after, after + length)))
            }
            Some(length) => {
                self.position = after + length;
                Event::Text(BytesText::from_escaped(self.slice(start, after + length)))
            }
            None => {
                self.done = true;
                self.position = bytes.len();
                Event::Text(BytesText::from_escaped(self.slice(start, bytes.len())))
            }
        }
    }

    /// At `<`: a tag or a CDATA section found here, anything else read by quick-xml.
    fn markup(&mut self) -> Result<Event<'a>, Error> {
        let start = self.position;
        let rest = &self.text.as_bytes()[start..];
        match rest.get(1) {
            Some(b'!') if rest.starts_with(b"<![CDATA[") => {
                // The first `>` after `]]`, as quick-xml looks for it (from the `<`).
                match memchr_iter(b'>', rest).find(|&end| rest[..end].ends_with(b"]]")) {
                    Some(end) => {
                        self.position = start + end + 1;
                        let content = self.slice(start + 9, start + end - 2);
                        Ok(Event::CData(BytesCData::new(content)))
                    }
                    None => self.by_quick_xml(),
                }
            }
            Some(b'!' | b'?') | None => self.by_quick_xml(),
            Some(b'/') => match ElementParser::Outside.feed(rest) {
                Some(end) => {
                    self.position = start + end + 1;
                    // Between `</` and `>`, without trailing whitespace.
                    let content = &rest[2..end];
                    let length = content
                        .iter()
                        .rposition(|&byte| !is_whitespace(byte))
                        .map_or(content.len(), |last| last + 1);
                    let name = self.slice(start + 2, start + 2 + length);
                    Ok(Event::End(BytesEnd::new(name)))
                }
                None => self.by_quick_xml(),
            },
            Some(_) => match ElementParser::Outside.feed(rest) {
                Some(end) => {
                    self.position = start + end + 1;
                    let empty = end >= 2 && rest[end - 1] == b'/';
                    let content_end = if empty { end - 1 } else { end };
                    let content = &rest[1..content_end];
                    let name_length = content
                        .iter()
                        .position(|&byte| is_whitespace(byte))
                        .unwrap_or(content.len());
                    let tag = BytesStart::from_content(
                        self.slice(start + 1, start + content_end),
                        name_length,
                    );
                    Ok(match empty {
                        true => Event::Empty(tag),
                        false => Event::Start(tag),
                    })
                }
                None => self.by_quick_xml(),
            },
        }
    }

    /// One event read by quick-xml's own reader, started at the current offset.
    fn by_quick_xml(&mut self) -> Result<Event<'a>, Error> {
        let rest = self.slice(self.position, self.text.len());
        let mut reader = configured(rest);
        let event = reader.read_event();
        self.position = self.text.len() - reader.get_ref().len();
        match &event {
            // Ill-formed (as opposed to syntax) errors leave quick-xml able to go on.
            Err(Error::IllFormed(_)) => {}
            Err(_) | Ok(Event::Eof) => self.done = true,
            Ok(_) => {}
        }
        event
    }
}

/// XML whitespace, as quick-xml counts it.
fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\r' | b'\n' | b'\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event and the offset after it, until `Eof` or an error other than an
    /// ill-formed one (what the reader's loop sees), from quick-xml's reader and from
    /// the tokenizer.
    fn both(text: &str) -> (Vec<String>, Vec<String>) {
        let mut theirs = Vec::new();
        let mut reader = configured(text);
        loop {
            let event = reader.read_event();
            let after = text.len() - reader.get_ref().len();
            let stop = match &event {
                Ok(Event::Eof) => true,
                Err(error) => !matches!(error, Error::IllFormed(_)),
                Ok(_) => false,
            };
            theirs.push(format!("{event:?} @{after}"));
            if stop {
                break;
            }
        }
        let mut ours = Vec::new();
        let mut tokenizer = Tokenizer::new(text, 0);
        loop {
            let event = tokenizer.read_event();
            let after = tokenizer.position();
            let stop = match &event {
                Ok(Event::Eof) => true,
                Err(error) => !matches!(error, Error::IllFormed(_)),
                Ok(_) => false,
            };
            ours.push(format!("{event:?} @{after}"));
            if stop {
                break;
            }
        }
        (theirs, ours)
    }

    #[track_caller]
    fn same_as_quick_xml(text: &str) {
        let (theirs, ours) = both(text);
        assert_eq!(ours, theirs, "events of {text:?}");
    }

    #[test]
    fn feeds_read_as_quick_xml_reads_them() {
        same_as_quick_xml(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>\n  <title>A &amp; B</title>\
             <item><description><![CDATA[<p>x</p>]]></description><enclosure url='a>b' \
             length=\"1\"/></item></channel></rss>\n",
        );
        same_as_quick_xml("\u{feff}<a>caf\u{e9} \u{201c}q\u{201d}</a >");
        same_as_quick_xml("<a><b/><c x=\"1\" /><d\n/></a\t\n>tail");
        same_as_quick_xml("<a:b xmlns:a='u'>t</a:b>");
    }

    #[test]
    fn references_and_dangling_ampersands() {
        same_as_quick_xml("<a>&amp;&#233;&unknown; & x &y<b/>&</a>");
        same_as_quick_xml("<a>AT&T &&; &z");
        same_as_quick_xml("<a>x&");
        same_as_quick_xml("&lead<a/>");
    }

    #[test]
    fn cdata_sections() {
        same_as_quick_xml("<a><![CDATA[]]><![CDATA[x]>y]]]]><![CDATA[>]]></a>");
        same_as_quick_xml("<a><![CDATA[never closed</a>");
        same_as_quick_xml("<a><![cdata[lower]]></a>");
        same_as_quick_xml("<a><![CDATA[");
    }

    #[test]
    fn markup_left_to_quick_xml() {
        same_as_quick_xml("<!DOCTYPE rss [<!ENTITY x \"y\">]><!-- c -- d --><?pi x?><rss/>");
        same_as_quick_xml("<!DOCTYPE><a/>");
        same_as_quick_xml("<a><!x></a>");
        same_as_quick_xml("<a><!-- open");
        same_as_quick_xml("<?xml version='1.0'");
        same_as_quick_xml("<??><a/>");
    }

    #[test]
    fn unclosed_and_odd_tags() {
        same_as_quick_xml("<a href=\"x");
        same_as_quick_xml("<a href='x");
        same_as_quick_xml("<a b");
        same_as_quick_xml("<a></a");
        same_as_quick_xml("<a></ a ></>");
        same_as_quick_xml("<a/ ><b / >");
        same_as_quick_xml("<a x=\"/>\">y</a>");
        same_as_quick_xml("<");
    }

    #[test]
    fn starting_after_a_repair() {
        // The reader restarts the tokenizer after markup it read as text.
        let text = "<a>1 < 2</a>";
        let mut tokenizer = Tokenizer::new(text, 6);
        assert!(matches!(tokenizer.read_event(), Ok(Event::Text(t)) if &*t == " 2"));
        assert!(matches!(tokenizer.read_event(), Ok(Event::End(e)) if e.name().0 == "a"));
        assert!(matches!(tokenizer.read_event(), Ok(Event::Eof)));
        assert_eq!(tokenizer.position(), text.len());
        // A byte order mark where it starts is skipped.
        let text = "x\u{feff}<b/>";
        let mut tokenizer = Tokenizer::new(text, 1);
        assert!(matches!(tokenizer.read_event(), Ok(Event::Empty(_))));
    }
}

//! Plain text: markup removed, entities decoded, whitespace collapsed.
//!
//! Titles, names and summaries may arrive as HTML, as escaped HTML or as plain text that
//! merely contains `<` and `&`. `plain` reads them with the same tokenizer as the
//! sanitiser, but conservatively: only tags of real HTML elements are markup, so
//! `a < b`, `Vec<T>` and `<Hard> news` keep their text, while `<b>bold</b>` and
//! `<o:p>` (namespaced editor junk) do not. Script and style content is dropped, block
//! boundaries (`<p>`, `<br>`, `<li>`, cells) separate words, references are decoded, and
//! runs of whitespace (ASCII whitespace and the Unicode line separators) become one space.
//! A no-break space is a character the author chose, so it is kept as U+00A0. Control
//! characters XML forbids are removed.

use super::charref::Decoded;
use super::elements::{self, BREAK, Policy};
use super::swar;
use super::tokenizer::{Token, Tokenizer};

/// Turns text that may hold markup and entities into plain text.
pub fn plain(text: &str) -> String {
    plain_until(text, None)
}

/// `truncate_words(&plain(html), max_chars)`, without reading past what the summary
/// needs: an entry's summary taken from 8 KB of content keeps 300 characters, so the
/// tokenizer stops once the plain text holds enough to decide the cut (`Plain::decides`).
pub fn summary(html: &str, max_chars: usize) -> String {
    // `max_chars + 1` characters of text show whether a cut is needed and where.
    let needed = max_chars.saturating_add(1);
    truncate_words(&plain_until(html, Some(needed)), max_chars)
}

/// `plain(text)`, or with `needed`, a prefix of it that holds at least `needed`
/// characters (or all of it) and decides where a cut at `needed - 1` goes.
fn plain_until(text: &str, needed: Option<usize>) -> String {
    let capacity = needed.map_or(text.len(), |needed| {
        text.len().min(needed.saturating_mul(4))
    });
    let mut out = Plain::with_capacity(capacity);
    if !text.contains(['<', '&']) {
        out.text.push(text);
        return out.finish();
    }
    let mut tokenizer = Tokenizer::new(text);
    loop {
        if out.skipping.is_none()
            && let Some(text) = tokenizer.text_ahead()
        {
            let used = out.text.push_until::<true>(text);
            tokenizer.take_text(used);
        } else {
            let Some(token) = tokenizer.next_token() else {
                break;
            };
            if let Some(raw_text) = out.token(token, tokenizer.source()) {
                tokenizer.skip_raw_text(raw_text.name);
            }
        }
        if needed.is_some_and(|needed| out.decides(needed)) {
            break;
        }
    }
    out.finish()
}

/// Plain text built token by token: what `plain` does with each token, kept apart so the
/// sanitiser can feed it the tokens it reads anyway (`html::sanitise_with_plain`) and a
/// description that is both summary and content is tokenized once.
pub(crate) struct Plain {
    text: Collapser,
    /// Inside an element dropped with its content: which one, and how deep.
    skipping: Option<(&'static elements::Element, usize)>,
}

impl Plain {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Plain {
            text: Collapser::with_capacity(capacity),
            skipping: None,
        }
    }

    /// Takes one token; `source` is the token as written. Returns the element whose raw
    /// text (`script`, `style`) the tokenizer must skip next.
    pub(crate) fn token(
        &mut self,
        token: Token<'_>,
        source: &str,
    ) -> Option<&'static elements::Element> {
        self.looked_up(token, token.element(), source)
    }

    /// `token`, with the element a tag names already looked up (`None` for other tokens
    /// and unknown names): the sanitiser looks each name up once for both.
    pub(crate) fn looked_up(
        &mut self,
        token: Token<'_>,
        element: Option<&'static elements::Element>,
        source: &str,
    ) -> Option<&'static elements::Element> {
        match token {
            Token::Text(text) => {
                if self.skipping.is_none() {
                    self.text.push(text);
                }
            }
            Token::Reference(decoded) => {
                if self.skipping.is_none() {
                    self.reference(decoded);
                }
            }
            Token::Ignored => {}
            Token::StartTag { name, self_closing } => match element {
                None if is_namespaced(name) => {}
                None => {
                    if self.skipping.is_none() {
                        self.text.push(source);
                    }
                }
                Some(element) => match element.policy {
                    Policy::DropRawText => return Some(element),
                    Policy::DropNested if self_closing => {}
                    Policy::DropNested => match &mut self.skipping {
                        None => self.skipping = Some((element, 1)),
                        Some((outer, depth)) if std::ptr::eq(*outer, element) => *depth += 1,
                        Some(_) => {}
                    },
                    _ if element.is(BREAK) => self.text.space(),
                    _ => {}
                },
            },
            Token::EndTag { name } => match element {
                None if is_namespaced(name) => {}
                None => {
                    if self.skipping.is_none() {
                        self.text.push(source);
                    }
                }
                Some(element) => {
                    if let Some((outer, depth)) = &mut self.skipping {
                        if std::ptr::eq(*outer, element) {
                            *depth -= 1;
                            if *depth == 0 {
                                self.skipping = None;
                            }
                        }
                    } else if element.is(BREAK) {
                        self.text.space();
                    }
                }
            },
        }
        None
    }

    pub(crate) fn finish(self) -> String {
        self.text.finish()
    }

    /// Whether text is being dropped (inside an element dropped with its content).
    pub(crate) fn is_skipping(&self) -> bool {
        self.skipping.is_some()
    }

    /// Takes text that `Tokenizer::text_ahead` gave, up to its first `<` or `&`, and
    /// writes the same text escaped to `html` as `html::push_text_until_markup` does;
    /// returns how many bytes were read. For `html::sanitise_with_plain`: the text of a
    /// description that is both summary and content is read once for both.
    #[cfg(test)]
    pub(crate) fn push_text_with_html(&mut self, html: &mut String, text: &str) -> usize {
        let (stop, html_run) = self.text.push_with_html(html, text, 0);
        html.push_str(&text[html_run..stop]);
        stop
    }

    /// `push_text_with_html` of `text[from..]`, where `text[..from]` is input owed to
    /// `html` (to be copied as it is, not yet written): only what differs from the input
    /// is written. Returns (where it stopped, where the bytes still owed to `html`
    /// start), both in `text`.
    pub(crate) fn push_text_with_html_from(
        &mut self,
        html: &mut String,
        text: &str,
        from: usize,
    ) -> (usize, usize) {
        self.text.push_with_html(html, text, from)
    }

    /// A character reference's text, outside anything skipped (what `looked_up` does
    /// with one).
    pub(crate) fn reference(&mut self, decoded: Decoded) {
        match decoded {
            Decoded::Char(c) => self.text.push_char(c),
            Decoded::Str(text) => self.text.push(text),
        }
    }

    /// A word break, as a block element's tag makes (what `looked_up` does for one).
    pub(crate) fn space(&mut self) {
        self.text.space();
    }

    /// Whether the text so far starts the final text with at least `chars` characters
    /// after any leading whitespace (`truncate_words` trims Unicode whitespace, which the
    /// collapser keeps, such as U+00A0) and ends in a visible character: the text only
    /// grows at its end, so no later token can change its first `chars` characters or
    /// make them trailing whitespace.
    fn decides(&self, chars: usize) -> bool {
        let text = self.text.out.as_str();
        // Bytes are at least as many as characters: most calls end here.
        if text.len() < chars {
            return false;
        }
        text.chars().next_back().is_some_and(|c| !c.is_whitespace())
            && text.trim_start().chars().nth(chars - 1).is_some()
    }
}

/// `o:p`, `svg:rect`: markup from another vocabulary, never prose.
fn is_namespaced(name: &str) -> bool {
    name.contains(':')
}

/// Whether a byte is visible text by itself or starts a character that is: not
/// whitespace, not a control, and not the lead byte of a character `Collapser::push`
/// treats specially.
fn is_plain_visible(byte: u8) -> bool {
    byte > b' ' && byte != 0x7f && !matches!(byte, 0xc2 | 0xe2 | 0xef)
}

/// For eight bytes of text, as the high bit of each byte: the bytes `is_plain_visible`
/// rejects (whitespace, controls, the lead bytes `Collapser::push` looks at), and the
/// spaces among them. Exact for every byte, so neighbours can be compared.
fn chunk_masks(chunk: u64) -> (u64, u64) {
    let mut attention = swar::below(chunk, 0x21) | swar::delete(chunk);
    if chunk & swar::HIGHS != 0 {
        attention |= swar::equal(chunk, 0xc2) | swar::equal(chunk, 0xe2) | swar::equal(chunk, 0xef);
    }
    (attention, swar::equal(chunk, b' '))
}

/// The bytes of eight bytes of text the collapsing loops must stop at, as the high bit of
/// each: `chunk_masks`'s attention bytes and `extra` (markup the caller stops at), less
/// the single spaces between two visible bytes, which stay in the run. The first byte's
/// left neighbour is visible and in the run when `run_before` (the run started before
/// it); the last byte's right neighbour is not known here, so a space there stops.
fn chunk_stops(word: u64, extra: u64, run_before: bool) -> u64 {
    let (attention, spaces) = chunk_masks(word);
    let attention = attention | extra;
    let visible = !attention & swar::HIGHS;
    let left = (visible << 8) | if run_before { 0x80 } else { 0 };
    let kept_spaces = spaces & left & (visible >> 8);
    attention & !kept_spaces
}

/// Which markup bytes end a collapsing loop's text, besides `chunk_masks`'s (constants,
/// for a const generic): none, `<` and `&` (where the tokenizer's next token starts), or
/// those and `>` (which the fused loop must escape).
struct Markup;

impl Markup {
    const NONE: u8 = 0;
    const TOKEN: u8 = 1;
    const TOKEN_AND_GT: u8 = 2;
}

/// `Markup`'s bytes among eight bytes, as the high bit of each (exact).
fn markup_in_chunk<const MARKUP: u8>(word: u64) -> u64 {
    match MARKUP {
        Markup::NONE => 0,
        Markup::TOKEN => swar::equal(word, b'<') | swar::equal(word, b'&'),
        _ => swar::equal(word, b'<') | swar::equal(word, b'&') | swar::equal(word, b'>'),
    }
}

/// From `i`: the first byte the collapsing loops must stop at (`chunk_stops`, with the
/// `MARKUP` bytes and the run of visible text starting at `run`), or the first of the last
/// seven or fewer bytes. Sixteen bytes at a time where SSE2 is there (every x86-64
/// processor), then eight.
fn next_stop<const MARKUP: u8>(bytes: &[u8], mut i: usize, run: usize) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: the only requirement of a `#[target_feature(enable = "sse2")]` function
        // is a processor with SSE2, and this code is compiled only for targets that have
        // it (the `cfg` above; every x86-64 target does).
        let (at, stop) = unsafe { sse2::next_stop::<MARKUP>(bytes, i, run) };
        if stop {
            return at;
        }
        i = at;
    }
    while let Some(word) = swar::load(bytes, i) {
        let stop = chunk_stops(word, markup_in_chunk::<MARKUP>(word), i > run);
        if stop != 0 {
            return i + swar::first(stop);
        }
        i += 8;
    }
    i
}

/// `chunk_stops` for sixteen bytes given as bit masks (bit `n` for byte `n`): the
/// attention bytes (`chunk_masks`'s and the markup the caller stops at) and the spaces.
/// The single spaces between two visible bytes stay in the run; the last byte's right
/// neighbour is not known here, so a space there stops.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn block_stops(attention: u32, spaces: u32, run_before: bool) -> u32 {
    let visible = !attention & 0xffff;
    let left = (visible << 1) | u32::from(run_before);
    let kept_spaces = spaces & left & (visible >> 1);
    attention & !kept_spaces
}

/// Sixteen bytes at a time with SSE2, which every x86-64 processor has (it is part of the
/// architecture's baseline). Inside these `#[target_feature]` functions the intrinsics
/// are safe to call; the one `unsafe` is the call into `next_stop` from a function
/// compiled without the attribute. The text runs this reads are whole paragraphs of
/// content, long enough for one compare of sixteen bytes to pay where eight-byte words
/// need twice the tests.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(crate) mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x,
        _mm_set1_epi8,
    };

    /// `super::next_stop`'s sixteen-byte loop: (where it stopped, whether at a flagged
    /// byte); when not, fewer than sixteen bytes are left from there.
    #[target_feature(enable = "sse2")]
    pub(super) fn next_stop<const MARKUP: u8>(
        bytes: &[u8],
        mut i: usize,
        run: usize,
    ) -> (usize, bool) {
        while let Some(block) = load(bytes, i) {
            let (attention, spaces) = block_masks::<MARKUP>(block);
            let stop = super::block_stops(attention, spaces, i > run);
            if stop != 0 {
                return (i + stop.trailing_zeros() as usize, true);
            }
            i += 16;
        }
        (i, false)
    }

    /// The sixteen bytes of `bytes` from `at`, or `None` when fewer are left.
    #[target_feature(enable = "sse2")]
    pub(crate) fn load(bytes: &[u8], at: usize) -> Option<__m128i> {
        let block: [u8; 16] = bytes.get(at..at.wrapping_add(16))?.try_into().ok()?;
        Some(load_block(block))
    }

    /// `block` in a vector register.
    #[target_feature(enable = "sse2")]
    pub(crate) fn load_block(block: [u8; 16]) -> __m128i {
        let [low @ .., _, _, _, _, _, _, _, _] = block;
        let [_, _, _, _, _, _, _, _, high @ ..] = block;
        // Reinterpreted bits, not numbers: the compiler makes this one unaligned load.
        _mm_set_epi64x(
            u64::from_le_bytes(high) as i64,
            u64::from_le_bytes(low) as i64,
        )
    }

    #[target_feature(enable = "sse2")]
    pub(crate) fn splat(byte: u8) -> __m128i {
        _mm_set1_epi8(byte as i8)
    }

    #[target_feature(enable = "sse2")]
    pub(crate) fn equal(block: __m128i, byte: u8) -> __m128i {
        _mm_cmpeq_epi8(block, splat(byte))
    }

    #[target_feature(enable = "sse2")]
    pub(crate) fn bits(block: __m128i) -> u32 {
        // The sign bit of each byte, bit `n` for byte `n`: sixteen bits, never negative.
        _mm_movemask_epi8(block) as u32
    }

    /// `chunk_masks` and `markup_in_chunk` of sixteen bytes, as bit masks: (the bytes
    /// `is_plain_visible` rejects or `MARKUP` names, the spaces). Exact for every byte.
    #[target_feature(enable = "sse2")]
    pub(super) fn block_masks<const MARKUP: u8>(block: __m128i) -> (u32, u32) {
        // Unsigned `byte <= 0x20`: the minimum of the two is the byte itself.
        let mut attention = _mm_cmpeq_epi8(_mm_min_epu8(block, splat(b' ')), block);
        attention = _mm_or_si128(attention, equal(block, 0x7f));
        if MARKUP != super::Markup::NONE {
            attention = _mm_or_si128(attention, equal(block, b'<'));
            attention = _mm_or_si128(attention, equal(block, b'&'));
        }
        if MARKUP == super::Markup::TOKEN_AND_GT {
            attention = _mm_or_si128(attention, equal(block, b'>'));
        }
        let mut attention = bits(attention);
        if bits(block) != 0 {
            let leads = _mm_or_si128(
                _mm_or_si128(equal(block, 0xc2), equal(block, 0xe2)),
                equal(block, 0xef),
            );
            attention |= bits(leads);
        }
        (attention, bits(equal(block, b' ')))
    }
}

/// Builds text with whitespace collapsed to single spaces and trimmed at both ends.
struct Collapser {
    out: String,
    /// A space is owed before the next visible character.
    pending_space: bool,
}

impl Collapser {
    fn with_capacity(capacity: usize) -> Self {
        Collapser {
            out: String::with_capacity(capacity),
            pending_space: false,
        }
    }

    fn space(&mut self) {
        self.pending_space = true;
    }

    fn push(&mut self, text: &str) {
        self.push_until::<false>(text);
    }

    /// `push`; with `MARKUP_ENDS`, only up to the first `<` or `&` (where the tokenizer's
    /// next token starts). Returns how many bytes were read.
    fn push_until<const MARKUP_ENDS: bool>(&mut self, text: &str) -> usize {
        let bytes = text.as_bytes();
        let mut run = 0;
        let mut i = 0;
        while i < bytes.len() {
            // Eight bytes at a time to the first byte the code below must look at: visible
            // text and single spaces between visible bytes are skipped together.
            i = if MARKUP_ENDS {
                next_stop::<{ Markup::TOKEN }>(bytes, i, run)
            } else {
                next_stop::<{ Markup::NONE }>(bytes, i, run)
            };
            let Some(&byte) = bytes.get(i) else {
                break;
            };
            if MARKUP_ENDS && matches!(byte, b'<' | b'&') {
                break;
            }
            if byte <= b' ' || byte == 0x7f {
                // One space between two visible characters needs no collapsing: it stays
                // in the run, so prose is copied in long pieces rather than word by word.
                // (A space before the markup that ends the text is not between two
                // visible characters: a break may follow.)
                if byte == b' '
                    && i > run
                    && bytes.get(i + 1).copied().is_some_and(|next| {
                        is_plain_visible(next) && !(MARKUP_ENDS && matches!(next, b'<' | b'&'))
                    })
                {
                    i += 2;
                    continue;
                }
                self.flush(&text[run..i]);
                if matches!(byte, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
                    self.pending_space = true;
                }
                i += 1;
                run = i;
                continue;
            }
            // Lead bytes of U+0085, U+2028, U+2029, U+FFFE and U+FFFF.
            if matches!(byte, 0xc2 | 0xe2 | 0xef)
                && let Some(c) = text[i..].chars().next()
                && matches!(
                    c,
                    '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}'
                )
            {
                self.flush(&text[run..i]);
                self.push_char(c);
                i += c.len_utf8();
                run = i;
                continue;
            }
            i += 1;
        }
        self.flush(&text[run..i]);
        i
    }

    /// `push_until::<true>` and, into `html`, `html::push_text_until_markup` of the same
    /// text in one loop. The two differ only at a few bytes, each keeping its own run:
    /// whitespace is collapsed here but written as it is there (`\r` as `\n`, form feed
    /// as a space), `>` is escaped there, DEL and the Unicode line separators are
    /// removed or collapsed here only; both stop at `<` and `&` and drop U+FFFE, U+FFFF
    /// and the other control characters.
    ///
    /// Reads from `from`; `text[..from]` is owed to `html` (input to be copied as it is),
    /// and so is what this leaves unwritten: returns (where it stopped, where the bytes
    /// still owed to `html` start).
    fn push_with_html(&mut self, html: &mut String, text: &str, from: usize) -> (usize, usize) {
        let bytes = text.as_bytes();
        let mut run = from;
        let mut html_run = 0;
        let mut i = from;
        while i < bytes.len() {
            // As in `push_until`, with `>` also stopping the chunk test (the escaper must
            // see it); a space is kept in both runs when its neighbours are visible.
            i = next_stop::<{ Markup::TOKEN_AND_GT }>(bytes, i, run);
            let Some(&byte) = bytes.get(i) else {
                break;
            };
            match byte {
                b'<' | b'&' => break,
                b'>' => {
                    html.push_str(&text[html_run..i]);
                    html.push_str("&gt;");
                    i += 1;
                    html_run = i;
                }
                // Visible on both sides: the space stays in both runs, and the byte after
                // it needs no look (it is none of the bytes either side treats apart).
                b' ' if i > run
                    && bytes.get(i + 1).copied().is_some_and(|next| {
                        is_plain_visible(next) && !matches!(next, b'<' | b'&' | b'>')
                    }) =>
                {
                    i += 2;
                }
                _ if byte <= b' ' || byte == 0x7f => {
                    self.flush(&text[run..i]);
                    let mut next = i + 1;
                    match byte {
                        b'\t' | b'\n' | b' ' | 0x7f => {}
                        b'\r' => {
                            html.push_str(&text[html_run..i]);
                            html.push('\n');
                            if bytes.get(next) == Some(&b'\n') {
                                next += 1;
                            }
                            html_run = next;
                        }
                        0x0c => {
                            html.push_str(&text[html_run..i]);
                            html.push(' ');
                            html_run = next;
                        }
                        _ => {
                            html.push_str(&text[html_run..i]);
                            html_run = next;
                        }
                    }
                    if matches!(byte, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
                        self.pending_space = true;
                    }
                    i = next;
                    run = i;
                }
                // Lead bytes of U+0085, U+2028, U+2029, U+FFFE and U+FFFF.
                0xc2 | 0xe2 | 0xef => match text[i..].chars().next() {
                    Some(c @ ('\u{85}' | '\u{2028}' | '\u{2029}')) => {
                        self.flush(&text[run..i]);
                        self.pending_space = true;
                        i += c.len_utf8();
                        run = i;
                    }
                    Some(c @ ('\u{fffe}' | '\u{ffff}')) => {
                        self.flush(&text[run..i]);
                        html.push_str(&text[html_run..i]);
                        i += c.len_utf8();
                        run = i;
                        html_run = i;
                    }
                    _ => i += 1,
                },
                _ => i += 1,
            }
        }
        self.flush(&text[run..i]);
        (i, html_run)
    }

    fn push_char(&mut self, c: char) {
        match c {
            '\t' | '\n' | '\r' | '\u{b}' | '\u{c}' | ' ' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                self.pending_space = true;
            }
            '\u{fffe}' | '\u{ffff}' => {}
            c if c.is_ascii_control() => {}
            c => {
                let mut buffer = [0u8; 4];
                self.flush(c.encode_utf8(&mut buffer));
            }
        }
    }

    /// Appends visible text (no whitespace or controls in it).
    fn flush(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if self.pending_space && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.pending_space = false;
        self.out.push_str(text);
    }

    fn finish(self) -> String {
        self.out
    }
}

/// Escapes text for use inside HTML or XML (element content or a double-quoted attribute).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    // Writing into a String cannot fail.
    let _ = escape_to(&mut out, text, Apostrophe::Keep);
    out
}

/// Whether [`escape_to`] writes `'` as `&apos;` too (some writers always did, and their
/// files stay byte-identical) or leaves it, as a double-quoted attribute allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apostrophe {
    Keep,
    Escape,
}

/// Writes `text` with `& < > "` (and `'` when asked) replaced by entities, in one pass.
pub fn escape_to(
    out: &mut impl std::fmt::Write,
    text: &str,
    apostrophe: Apostrophe,
) -> std::fmt::Result {
    escape_chars_to(out, text, true, apostrophe == Apostrophe::Escape)
}

/// Writes `text` with `& < >` replaced by entities, and `"` and `'` when asked: text
/// content needs neither quote escaped, an attribute value its delimiter. Runs without
/// any of them are written whole.
pub fn escape_chars_to(
    out: &mut impl std::fmt::Write,
    text: &str,
    quote: bool,
    apostrophe: bool,
) -> std::fmt::Result {
    let mut run = 0;
    if !quote && !apostrophe {
        // Text (XHTML content's text nodes) runs for a hundred bytes and more between the
        // characters to escape: a vector search to each one costs a fraction of a test
        // per byte.
        let bytes = text.as_bytes();
        for at in memchr::memchr3_iter(b'&', b'<', b'>', bytes) {
            // The characters searched for are ASCII, so both ends are char boundaries.
            out.write_str(&text[run..at])?;
            out.write_str(match bytes[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                _ => "&gt;",
            })?;
            run = at + 1;
        }
        return out.write_str(&text[run..]);
    }
    // The special characters are ASCII, so every index found is a char boundary.
    for (i, byte) in text.bytes().enumerate() {
        let replacement = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if quote => "&quot;",
            b'\'' if apostrophe => "&apos;",
            _ => continue,
        };
        out.write_str(&text[run..i])?;
        out.write_str(replacement)?;
        run = i + 1;
    }
    out.write_str(&text[run..])
}

/// Shortens plain text to at most `max_chars` characters, cutting at a word boundary and
/// ending with `…` when anything was cut. A single word longer than the limit is cut
/// inside the word.
pub fn truncate_words(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    if max_chars == 0 {
        return String::new();
    }
    // Room for the ellipsis.
    let budget = max_chars - 1;
    let cut = text
        .char_indices()
        .nth(budget)
        .map_or(text.len(), |(index, _)| index);
    let head = &text[..cut];
    // Cut at the last whitespace, unless the next character starts a new word anyway.
    let next_is_space = text[cut..].starts_with(char::is_whitespace);
    let head = if next_is_space {
        head
    } else {
        match head.rfind(char::is_whitespace) {
            Some(space) if space > 0 => &head[..space],
            _ => head,
        }
    };
    let head = head.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–' | '—')
    });
    format!("{head}…")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Text escaped through the search for `& < >` is what escaping character by character
    /// writes, on random mixtures of the escaped characters, quotes, multi-byte letters and
    /// runs long enough for the vector search's wide steps; the quoted form too.
    #[test]
    fn escaping_text_by_search_agrees_with_escaping_each_character() {
        const PIECES: &[&str] = &[
            "&",
            "<",
            ">",
            "\"",
            "'",
            "a",
            "é",
            "€",
            "😀",
            " ",
            "\n",
            "&amp;",
            "long run of plain words without anything to escape in it at all, ",
        ];
        let reference = |text: &str, quote: bool| -> String {
            text.chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' if quote => "&quot;".to_string(),
                    other => other.to_string(),
                })
                .collect()
        };
        let mut random = crate::test_random::Xorshift::new(0x2545_F491_4F6C_DD1D);
        let mut next = move |bound: usize| random.below(bound);
        let mut escaped_some = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..next(24) {
                text.push_str(PIECES[next(PIECES.len())]);
            }
            for quote in [false, true] {
                let mut ours = String::from("kept ");
                escape_chars_to(&mut ours, &text, quote, false).expect("writing to a String");
                assert_eq!(
                    ours,
                    format!("kept {}", reference(&text, quote)),
                    "{text:?} (quote: {quote})"
                );
                escaped_some += usize::from(ours.len() > text.len() + 5);
            }
        }
        assert!(escaped_some > 10_000, "{escaped_some}");
    }

    #[test]
    fn plain_text_from_markup() {
        let cases = [
            ("Hello <b>world</b>", "Hello world"),
            ("<p>One</p><p>Two</p>", "One Two"),
            ("line<br>break", "line break"),
            ("line<br/>break", "line break"),
            ("<ul><li>a</li><li>b</li></ul>", "a b"),
            ("H<sub>2</sub>O", "H2O"),
            ("caf&eacute; &amp; bar", "café & bar"),
            ("&lt;b&gt;escaped&lt;/b&gt;", "<b>escaped</b>"),
            (
                "safe<script>alert(1)</script> description",
                "safe description",
            ),
            ("a<style>b{}</style>b", "ab"),
            ("a<svg><text>x</text></svg>b", "ab"),
            ("x<!-- comment -->y", "xy"),
            ("<![CDATA[wrapped <b>bold</b>]]>", "wrapped bold"),
            ("Word<o:p></o:p> here", "Word here"),
            ("<a href=\"x\" onclick=\"y\">link</a>", "link"),
            (
                "<title>Crazy HTML -- Can Your Regex Parse This?</title>",
                "Crazy HTML -- Can Your Regex Parse This?",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(plain(input), expected, "{input:?}");
        }
    }

    #[test]
    fn plain_text_that_merely_contains_angle_brackets() {
        let cases = [
            ("a < b", "a < b"),
            ("a<b", "a<b"),
            ("x > y", "x > y"),
            ("Vec<T> in Rust", "Vec<T> in Rust"),
            ("Die <Hard> Trilogy", "Die <Hard> Trilogy"),
            ("if a <= b && c", "if a <= b && c"),
            ("Q&A", "Q&A"),
            ("AT&T &c.", "AT&T &c."),
            ("1 &lt 2", "1 < 2"),
            ("</> nothing", "nothing"),
        ];
        for (input, expected) in cases {
            assert_eq!(plain(input), expected, "{input:?}");
        }
    }

    #[test]
    fn whitespace_is_collapsed_and_trimmed() {
        let cases = [
            ("  padded  ", "padded"),
            ("a\n\n\tb\r\nc", "a b c"),
            ("a&#10;b", "a b"),
            ("a\u{2028}b\u{85}c", "a b c"),
            ("no\u{a0}break", "no\u{a0}break"),
            ("&nbsp;kept&nbsp;", "\u{a0}kept\u{a0}"),
            ("ctrl\u{1}\u{7f}chars\u{fffe}", "ctrlchars"),
            ("", ""),
            ("   ", ""),
            ("<p> </p>", ""),
            ("é  ü", "é ü"),
            ("“quoted”  — dash", "“quoted” — dash"),
            // Single spaces kept inside a run, next to what must still be collapsed.
            ("one two  three", "one two three"),
            ("a \u{2028}b", "a b"),
            ("a \u{85} b", "a b"),
            ("a \u{1}b", "a b"),
            ("a \u{7f}b c", "a b c"),
            ("a \u{fffe}b", "a b"),
            ("x \u{e9}t\u{e9} y", "x \u{e9}t\u{e9} y"),
            ("end \n", "end"),
            (" a b ", "a b"),
        ];
        for (input, expected) in cases {
            assert_eq!(plain(input), expected, "{input:?}");
        }
    }

    /// `next_stop` as its rule states it, byte by byte: blocks of sixteen bytes where SSE2
    /// is used, then eight, each stopping at the first byte that is not visible text
    /// (`is_plain_visible`) or is one of the `markup` bytes, except a space with visible
    /// neighbours inside the block (the first byte's left neighbour counts as visible
    /// when the run started before the block).
    fn next_stop_by_rule(bytes: &[u8], mut i: usize, run: usize, markup: &[u8]) -> usize {
        let attention = |byte: u8| !is_plain_visible(byte) || markup.contains(&byte);
        let widths: &[usize] = if cfg!(all(target_arch = "x86_64", target_feature = "sse2")) {
            &[16, 8]
        } else {
            &[8]
        };
        for &width in widths {
            while i + width <= bytes.len() {
                for k in 0..width {
                    let j = i + k;
                    if !attention(bytes[j]) {
                        continue;
                    }
                    if bytes[j] == b' ' {
                        let left = if k == 0 {
                            i > run
                        } else {
                            !attention(bytes[j - 1])
                        };
                        let right = k + 1 < width && !attention(bytes[j + 1]);
                        if left && right {
                            continue;
                        }
                    }
                    return j;
                }
                i += width;
            }
        }
        i
    }

    /// Every byte value at every position of a sixteen-byte block and of the eight-byte
    /// words after it, among neighbours that are visible, spaces or markup: the stop is
    /// where the rule puts it, for each set of markup bytes.
    #[test]
    fn next_stop_finds_the_byte_the_rule_names() {
        let fillers: [&[u8]; 5] = [b"a", b" ", b"a b", b"<a &b>", b"\xc3\xa9 "];
        for filler in fillers {
            for value in 0..=255u8 {
                for at in 0..30 {
                    let mut bytes: Vec<u8> = filler.iter().copied().cycle().take(30).collect();
                    bytes[at] = value;
                    for (start, run) in [(0, 0), (1, 0), (3, 3), (5, 2)] {
                        let by_rule = |markup: &[u8]| next_stop_by_rule(&bytes, start, run, markup);
                        assert_eq!(
                            next_stop::<{ Markup::NONE }>(&bytes, start, run),
                            by_rule(b""),
                            "{bytes:x?} from {start}, run {run}"
                        );
                        assert_eq!(
                            next_stop::<{ Markup::TOKEN }>(&bytes, start, run),
                            by_rule(b"<&"),
                            "{bytes:x?} from {start}, run {run}"
                        );
                        assert_eq!(
                            next_stop::<{ Markup::TOKEN_AND_GT }>(&bytes, start, run),
                            by_rule(b"<&>"),
                            "{bytes:x?} from {start}, run {run}"
                        );
                    }
                }
            }
        }
    }

    /// Whitespace collapsing character by character, as the rules above state it.
    pub(crate) fn collapsed(text: &str) -> String {
        let mut out = String::new();
        let mut pending = false;
        for c in text.chars() {
            match c {
                '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{2028}'
                | '\u{2029}' => pending = true,
                '\u{fffe}' | '\u{ffff}' => {}
                c if c.is_ascii_control() => {}
                c => {
                    if pending && !out.is_empty() {
                        out.push(' ');
                    }
                    pending = false;
                    out.push(c);
                }
            }
        }
        out
    }

    /// `count` strings of pieces chosen by a fixed-seed linear congruential generator;
    /// each has up to `u64::MAX >> length_shift` pieces.
    fn generated(pieces: &[&str], seed: u64, count: usize, length_shift: u32) -> Vec<String> {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            state
        };
        (0..count)
            .map(|_| {
                let length = next() >> length_shift;
                (0..length)
                    .map(|_| pieces[(next() >> 33) as usize % pieces.len()])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn collapsing_agrees_with_the_rules_on_generated_text() {
        const PIECES: [&str; 16] = [
            " ",
            "a",
            "bc",
            "\n",
            "\u{85}",
            "\u{2028}",
            "\u{e9}",
            "\u{2019}",
            "\u{1}",
            "\u{fffe}",
            "\u{a0}",
            "\u{7f}",
            "defghijk",
            " l ",
            "\u{c2}\u{a0}",
            "  ",
        ];
        for text in generated(&PIECES, 0x2545_f491_4f6c_dd1d, 20_000, 60) {
            assert_eq!(plain(&text), collapsed(&text), "{text:?}");
        }
    }

    /// Literal `<` and `&` (no tag, no reference) end the collapser's text runs where
    /// the tokenizer leaves text to it (`push_until`): the text on both sides of them is
    /// collapsed as if they were any other visible character, wherever they fall in the
    /// eight-byte chunks, next to single spaces, runs of spaces and line separators.
    #[test]
    fn collapsing_across_literal_markup_characters_agrees_with_the_rules() {
        const PIECES: [&str; 16] = [
            " ", "a", "bc", "\n", "\u{2028}", "\u{e9}", "\u{1}", "\u{7f}", "defghijk", " l ", "  ",
            " < ", "<3 ", " & ", "&", " <",
        ];
        for text in generated(&PIECES, 0x9e37_79b9_7f4a_7c15, 20_000, 60) {
            // `&` before a letter could start a reference; these pieces never put one there
            // except `&` + "a"/"bc"/"defghijk", which name no entity.
            assert_eq!(plain(&text), collapsed(&text), "{text:?}");
        }
    }

    #[test]
    fn escape_covers_markup_characters() {
        assert_eq!(
            escape("a & b < c > d \"e\" 'f'"),
            "a &amp; b &lt; c &gt; d &quot;e&quot; 'f'"
        );
        assert_eq!(escape("plain é"), "plain é");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn summaries_stop_early_but_equal_the_truncated_plain_text() {
        let word_soup = "word ".repeat(100);
        let cases = [
            format!("<p>{word_soup}</p><p>{word_soup}</p>"),
            format!("<p>{}</p>", "<b>bold</b> and ".repeat(80)),
            // Leading no-break spaces are trimmed by `truncate_words`, not by the collapser.
            format!("&nbsp;&nbsp;{}", "<i>x</i> y ".repeat(100)),
            format!("{}<p>tail</p>", "&nbsp;".repeat(400)),
            // Trailing Unicode whitespace after the cut point must not count.
            format!("<p>{}</p>{}", "a".repeat(299), "&#x2003;".repeat(10)),
            format!(
                "<p>{}</p>{}<p>z</p>",
                "a".repeat(299),
                "&#x2003;".repeat(10)
            ),
            format!("<p>{}</p> <p>b</p>", "a ".repeat(150)),
            format!(
                "<p>{}</p><script>{}</script>",
                "é".repeat(400),
                "x".repeat(50)
            ),
            "<p>short</p>".to_string(),
            "no markup at all".to_string(),
            String::new(),
        ];
        for html in &cases {
            for max in [0, 1, 5, 299, 300, 301, 1000] {
                assert_eq!(
                    summary(html, max),
                    truncate_words(&plain(html), max),
                    "{max} {html:?}"
                );
            }
        }
    }

    #[test]
    fn summaries_of_generated_markup_equal_the_truncated_plain_text() {
        const PIECES: [&str; 14] = [
            " ",
            "word",
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "&nbsp;",
            "&#x2003;",
            "\u{e9}t\u{e9}",
            "<br>",
            "\n",
            "&amp;",
            "<script>x</script>",
            "a, b; c:",
        ];
        for html in generated(&PIECES, 0x9e37_79b9_7f4a_7c15, 3_000, 57) {
            for max in [3, 20, 60] {
                assert_eq!(
                    summary(&html, max),
                    truncate_words(&plain(&html), max),
                    "{max} {html:?}"
                );
            }
        }
    }

    #[test]
    fn truncation_at_word_boundaries() {
        let text = "The quick brown fox jumps over the lazy dog";
        let cases: &[(usize, &str)] = &[
            (100, "The quick brown fox jumps over the lazy dog"),
            (43, "The quick brown fox jumps over the lazy dog"),
            (42, "The quick brown fox jumps over the lazy…"),
            (20, "The quick brown fox…"),
            (19, "The quick brown…"),
            (5, "The…"),
            (1, "…"),
            (0, ""),
        ];
        for (max, expected) in cases {
            let got = truncate_words(text, *max);
            assert_eq!(got, *expected, "{max}");
            assert!(got.chars().count() <= *max, "{max}");
        }
        assert_eq!(truncate_words("Supercalifragilistic", 6), "Super…");
        assert_eq!(truncate_words("Hello, world and more", 8), "Hello…");
        assert_eq!(truncate_words("  éé éé éé  ", 6), "éé éé…");
    }
}

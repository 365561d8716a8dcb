//! Words, titles and blog-style HTML for the generated corpus.
//!
//! The HTML looks like what WordPress, Ghost, Hugo and podcast hosts put in feeds:
//! paragraphs with links (absolute, root-relative and path-relative), inline markup,
//! named and numeric character references, figures with `srcset`, lists, quotes, code,
//! and now and then what a sanitiser must remove (embedded iframes, widget scripts,
//! event handlers, inline styles). Every character is one the document's encoding can
//! hold, so windows-1252 and ISO-8859-1 documents never need a character reference.

use crate::rng::Rng;

/// The encoding a document will be written in: it bounds the characters prose may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Windows1252,
    Latin1,
}

const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "a",
    "to",
    "in",
    "is",
    "you",
    "that",
    "it",
    "he",
    "was",
    "for",
    "on",
    "are",
    "as",
    "with",
    "his",
    "they",
    "at",
    "be",
    "this",
    "have",
    "from",
    "or",
    "one",
    "had",
    "by",
    "word",
    "but",
    "not",
    "what",
    "all",
    "were",
    "we",
    "when",
    "your",
    "can",
    "said",
    "there",
    "use",
    "an",
    "each",
    "which",
    "she",
    "do",
    "how",
    "their",
    "if",
    "will",
    "up",
    "other",
    "about",
    "out",
    "many",
    "then",
    "them",
    "these",
    "so",
    "some",
    "her",
    "would",
    "make",
    "like",
    "him",
    "into",
    "time",
    "has",
    "look",
    "two",
    "more",
    "write",
    "go",
    "see",
    "number",
    "no",
    "way",
    "could",
    "people",
    "my",
    "than",
    "first",
    "water",
    "been",
    "call",
    "who",
    "oil",
    "its",
    "now",
    "find",
    "long",
    "down",
    "day",
    "did",
    "get",
    "come",
    "made",
    "may",
    "part",
    "podcast",
    "episode",
    "interview",
    "garden",
    "kitchen",
    "recipe",
    "bicycle",
    "software",
    "release",
    "compiler",
    "feed",
    "newsletter",
    "microphone",
    "studio",
    "guest",
    "season",
    "listener",
    "history",
    "climate",
    "library",
    "museum",
    "weekend",
    "coffee",
    "season",
    "river",
    "harbour",
    "de",
    "het",
    "een",
    "en",
    "van",
    "ik",
    "te",
    "dat",
    "die",
    "in",
    "niet",
    "is",
    "op",
    "aflevering",
    "luisteraar",
    "fiets",
    "gracht",
    "boterham",
    "gezellig",
    "uitzending",
    "zomer",
    "winter",
    "omroep",
    "nieuws",
    "verhaal",
    "stad",
    "dorp",
    "water",
    "licht",
];

/// Words with characters every supported encoding holds (ISO-8859-1 is the smallest).
const LATIN1_WORDS: &[&str] = &[
    "café",
    "naïve",
    "coördinatie",
    "één",
    "Zoë",
    "Müller",
    "façade",
    "señor",
    "crème",
    "brûlée",
    "privé",
    "ruïne",
    "financiële",
    "geïnteresseerd",
    "Ærø",
    "smörgåsbord",
    "déjà",
    "vu",
    "½",
    "°C",
    "©",
    "Straße",
    "über",
];

/// Characters windows-1252 has and ISO-8859-1 lacks: typographic punctuation mostly.
const CP1252_WORDS: &[&str] = &[
    "“quoted”",
    "it’s",
    "‘single’",
    "–",
    "—",
    "…",
    "€12",
    "œuvre",
    "Šibenik",
];

/// What only UTF-8 can carry.
const UTF8_WORDS: &[&str] = &[
    "Kraków",
    "Łódź",
    "東京",
    "✓",
    "🎙️",
    "Ελληνικά",
    "Привет",
    "→",
];

const ENTITIES: &[&str] = &[
    "&amp;", "&mdash;", "&hellip;", "&#8217;", "&nbsp;", "&eacute;", "&lt;", "&gt;", "&quot;",
    "&copy;", "&#x2014;", "&#8220;", "&#8221;", "&rsquo;", "&ndash;",
];

/// Character references XML knows without a DTD: for XHTML content.
const XML_ENTITIES: &[&str] = &[
    "&amp;", "&#8217;", "&lt;", "&gt;", "&quot;", "&#x2014;", "&#160;",
];

const HOSTS: &[&str] = &[
    "en.wikipedia.org",
    "github.com",
    "www.youtube.com",
    "developer.mozilla.org",
    "www.theguardian.com",
    "nos.nl",
    "www.nytimes.com",
    "podcastindex.org",
    "docs.rs",
];

pub fn word(rng: &mut Rng, charset: Charset) -> &'static str {
    match rng.range(0, 99) {
        0..=3 => rng.pick(LATIN1_WORDS),
        4 if charset != Charset::Latin1 => rng.pick(CP1252_WORDS),
        5 if charset == Charset::Utf8 => rng.pick(UTF8_WORDS),
        _ => rng.pick(WORDS),
    }
}

/// A slug for URLs and file names: ASCII words joined by `-`.
pub fn slug(rng: &mut Rng) -> String {
    let count = rng.range(2, 6);
    let words: Vec<&str> = (0..count).map(|_| rng.pick(WORDS)).collect();
    words.join("-")
}

/// A title of a few capitalised words; plain text (the caller escapes it).
pub fn title(rng: &mut Rng, charset: Charset) -> String {
    let count = rng.range(3, 9);
    let mut out = String::new();
    for i in 0..count {
        if i > 0 {
            out.push(' ');
        }
        let w = word(rng, charset);
        let mut chars = w.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if rng.chance(10) {
        out.push_str(" & more");
    }
    if rng.chance(5) {
        out.push_str(": \"live\" <edition>");
    }
    out
}

/// Plain sentences, `words` long.
pub fn sentences(rng: &mut Rng, charset: Charset, words: usize) -> String {
    let mut out = String::new();
    let mut capital = true;
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        let w = word(rng, charset);
        if capital {
            let mut chars = w.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
            capital = false;
        } else {
            out.push_str(w);
        }
        if rng.chance(8) {
            out.push('.');
            capital = true;
        }
    }
    out.push('.');
    out
}

/// The site an HTML body belongs to: where its relative links point.
pub struct Site {
    pub host: String,
    /// `/blog` or empty: sites not at the root of their host.
    pub path: String,
}

/// Options for one HTML body.
#[derive(Clone, Copy)]
pub struct HtmlStyle {
    pub charset: Charset,
    /// Only XML's own entities and numeric references (Atom XHTML content).
    pub xml_safe: bool,
    /// Percentage of links and images that are relative.
    pub relative_percent: u64,
}

/// Blog HTML of about `target` bytes.
pub fn html_body(rng: &mut Rng, site: &Site, style: HtmlStyle, target: usize) -> String {
    let mut out = String::with_capacity(target + 1024);
    while out.len() < target {
        match rng.range(0, 99) {
            0..=54 => paragraph(rng, site, style, &mut out),
            55..=64 => figure(rng, site, style, &mut out),
            65..=74 => list(rng, site, style, &mut out),
            75..=81 => {
                let level = rng.range(2, 3);
                out.push_str(&format!("<h{level}>"));
                out.push_str(&escape(&title(rng, style.charset)));
                out.push_str(&format!("</h{level}>\n"));
            }
            82..=87 => {
                out.push_str("<blockquote><p>");
                let words = rng.range(15, 50);
                inline_text(rng, site, style, words, &mut out);
                out.push_str("</p></blockquote>\n");
            }
            88..=93 => code_block(rng, &mut out),
            94..=96 => embed(rng, &mut out),
            _ => paragraph_with_handlers(rng, site, style, &mut out),
        }
    }
    out
}

fn paragraph(rng: &mut Rng, site: &Site, style: HtmlStyle, out: &mut String) {
    out.push_str("<p>");
    let words = rng.range(40, 120);
    inline_text(rng, site, style, words, out);
    out.push_str("</p>\n");
}

/// What sanitisers exist for: inline styles and event handlers in otherwise normal text.
fn paragraph_with_handlers(rng: &mut Rng, site: &Site, style: HtmlStyle, out: &mut String) {
    out.push_str("<p style=\"color: #333; background-image: url(javascript:alert(1)); margin: 0 0 1em\" onclick=\"track('p')\">");
    let words = rng.range(20, 60);
    inline_text(rng, site, style, words, out);
    out.push_str(" <a href=\"javascript:void(0)\" onmouseover=\"show()\">more</a></p>\n");
}

fn inline_text(rng: &mut Rng, site: &Site, style: HtmlStyle, words: usize, out: &mut String) {
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        match rng.range(0, 99) {
            0..=2 => {
                out.push_str("<a href=\"");
                out.push_str(&link(rng, site, style));
                out.push_str("\">");
                out.push_str(&escape(word(rng, style.charset)));
                out.push(' ');
                out.push_str(&escape(word(rng, style.charset)));
                out.push_str("</a>");
            }
            3 => {
                out.push_str("<strong>");
                out.push_str(&escape(word(rng, style.charset)));
                out.push_str("</strong>");
            }
            4 => {
                out.push_str("<em>");
                out.push_str(&escape(word(rng, style.charset)));
                out.push_str("</em>");
            }
            5 => {
                out.push_str("<code>");
                out.push_str(rng.pick(&["Vec&lt;u8&gt;", "a &amp;&amp; b", "x &lt; 10", "main()"]));
                out.push_str("</code>");
            }
            6..=8 => {
                let entities = if style.xml_safe {
                    XML_ENTITIES
                } else {
                    ENTITIES
                };
                out.push_str(rng.pick(entities));
            }
            _ => out.push_str(&escape(word(rng, style.charset))),
        }
    }
}

fn link(rng: &mut Rng, site: &Site, style: HtmlStyle) -> String {
    let year = rng.range(2012, 2026);
    let month = rng.range(1, 12);
    if rng.chance(style.relative_percent) {
        return match rng.range(0, 2) {
            0 => format!("{}/{year}/{month:02}/{}/", site.path, slug(rng)),
            1 => format!("../{}/", slug(rng)),
            _ => format!("{}/tag/{}", site.path, slug(rng)),
        };
    }
    match rng.range(0, 3) {
        0 => format!(
            "https://{}{}/{year}/{month:02}/{}/",
            site.host,
            site.path,
            slug(rng)
        ),
        1 => format!(
            "https://{}/search?q={}&amp;page={}&amp;utm_source=feed",
            rng.pick(HOSTS),
            slug(rng),
            rng.range(1, 9)
        ),
        _ => format!("https://{}/wiki/{}", rng.pick(HOSTS), slug(rng)),
    }
}

fn image_url(rng: &mut Rng, site: &Site, style: HtmlStyle, width: usize) -> String {
    let year = rng.range(2012, 2026);
    let month = rng.range(1, 12);
    let name = slug(rng);
    if rng.chance(style.relative_percent) {
        format!(
            "{}/wp-content/uploads/{year}/{month:02}/{name}-{width}x{}.jpg",
            site.path,
            width * 2 / 3
        )
    } else {
        format!(
            "https://{}{}/wp-content/uploads/{year}/{month:02}/{name}-{width}x{}.jpg",
            site.host,
            site.path,
            width * 2 / 3
        )
    }
}

fn figure(rng: &mut Rng, site: &Site, style: HtmlStyle, out: &mut String) {
    let id = rng.range(100, 99_999);
    let large = image_url(rng, site, style, 1024);
    let small = image_url(rng, site, style, 300);
    out.push_str(&format!(
        "<figure class=\"wp-block-image size-large\"><img loading=\"lazy\" decoding=\"async\" width=\"1024\" height=\"683\" src=\"{large}\" alt=\"{}\" class=\"wp-image-{id}\" srcset=\"{large} 1024w, {small} 300w\" sizes=\"(max-width: 1024px) 100vw, 1024px\" />",
        escape(&title(rng, style.charset)).replace('"', "&quot;"),
    ));
    out.push_str("<figcaption class=\"wp-element-caption\">");
    let words = rng.range(5, 20);
    inline_text(rng, site, style, words, out);
    out.push_str("</figcaption></figure>\n");
}

fn list(rng: &mut Rng, site: &Site, style: HtmlStyle, out: &mut String) {
    let tag = if rng.chance(60) { "ul" } else { "ol" };
    out.push_str(&format!("<{tag}>\n"));
    for _ in 0..rng.range(3, 7) {
        out.push_str("<li>");
        let words = rng.range(5, 25);
        inline_text(rng, site, style, words, out);
        out.push_str("</li>\n");
    }
    out.push_str(&format!("</{tag}>\n"));
}

fn code_block(rng: &mut Rng, out: &mut String) {
    out.push_str("<pre class=\"wp-block-code\"><code>");
    for _ in 0..rng.range(3, 12) {
        out.push_str(rng.pick(&[
            "fn main() {\n",
            "    let items: Vec&lt;String&gt; = load(&amp;path)?;\n",
            "    if a &lt; b &amp;&amp; c &gt; d { return; }\n",
            "&lt;div class=\"note\"&gt;Hello&lt;/div&gt;\n",
            "}\n",
            "curl -s 'https://example.org/feed?x=1&amp;y=2' | xmllint --format -\n",
        ]));
    }
    out.push_str("</code></pre>\n");
}

/// Embeds as pasted by authors: a video iframe or a social widget script.
fn embed(rng: &mut Rng, out: &mut String) {
    let id = rng.range(100_000, 999_999);
    if rng.chance(50) {
        out.push_str(&format!(
            "<figure class=\"wp-block-embed is-type-video\"><div class=\"wp-block-embed__wrapper\"><iframe title=\"Video\" width=\"640\" height=\"360\" src=\"https://www.youtube.com/embed/v{id}?feature=oembed\" frameborder=\"0\" allow=\"autoplay; encrypted-media\" allowfullscreen=\"allowfullscreen\"></iframe></div></figure>\n"
        ));
    } else {
        out.push_str(&format!(
            "<blockquote class=\"twitter-tweet\"><p lang=\"en\" dir=\"ltr\">A post</p><a href=\"https://twitter.com/someone/status/{id}\">link</a></blockquote><script async=\"async\" src=\"https://platform.twitter.com/widgets.js\" charset=\"utf-8\"></script>\n"
        ));
    }
}

/// Escapes text for an HTML or XML text node.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for a double-quoted XML attribute.
pub fn escape_attr(text: &str) -> String {
    escape(text).replace('"', "&quot;")
}

/// A plain-text summary of HTML: its words, cut to about `max` bytes, WordPress-style.
pub fn excerpt(rng: &mut Rng, charset: Charset, max: usize) -> String {
    let mut text = sentences(rng, charset, max / 6);
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        Site {
            host: "blog.example.com".into(),
            path: String::new(),
        }
    }

    #[test]
    fn html_body_reaches_its_target_size() {
        let mut rng = Rng::new(3);
        let style = HtmlStyle {
            charset: Charset::Utf8,
            xml_safe: false,
            relative_percent: 30,
        };
        for target in [2_000, 8_000] {
            let html = html_body(&mut rng, &site(), style, target);
            assert!(html.len() >= target, "{} < {target}", html.len());
            assert!(
                html.len() < target + 4_000,
                "{} far over {target}",
                html.len()
            );
        }
    }

    #[test]
    fn latin1_prose_stays_inside_latin1() {
        let mut rng = Rng::new(5);
        let style = HtmlStyle {
            charset: Charset::Latin1,
            xml_safe: false,
            relative_percent: 30,
        };
        let html = html_body(&mut rng, &site(), style, 50_000);
        assert!(
            html.chars().all(|c| (c as u32) < 0x100),
            "non-Latin-1 character in Latin-1 prose"
        );
        assert!(
            html.chars().any(|c| (c as u32) >= 0x80),
            "no accented character at all"
        );
    }

    #[test]
    fn xml_safe_html_uses_no_named_html_entities() {
        let mut rng = Rng::new(9);
        let style = HtmlStyle {
            charset: Charset::Utf8,
            xml_safe: true,
            relative_percent: 30,
        };
        let html = html_body(&mut rng, &site(), style, 50_000);
        for named in ["&nbsp;", "&mdash;", "&eacute;", "&hellip;", "&rsquo;"] {
            assert!(!html.contains(named), "{named} in XHTML");
        }
    }

    #[test]
    fn escape_covers_markup_characters() {
        assert_eq!(escape("a < b & c > d"), "a &lt; b &amp; c &gt; d");
        assert_eq!(escape_attr("say \"hi\""), "say &quot;hi&quot;");
    }
}

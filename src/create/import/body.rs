//! An imported entry's HTML body → the body of its Markdown file.
//!
//! htmd turns HTML into Markdown, but Markdown cannot say everything HTML can, and a
//! converter that guesses silently changes what subscribers read. So a body becomes
//! Markdown only when two checks pass: every element in it is one Markdown has a form for
//! (paragraphs, headings, emphasis, links, images, lists, quotes, code, rules, simple
//! tables, figures), and rendering the Markdown back with the build's own options gives
//! the same text, the same links and the same images. Anything else (an `iframe`,
//! a table with merged cells, `sup`, straight quotes that smart punctuation would curl)
//! is kept as HTML, which Markdown passes through untouched. Kept HTML is written
//! without blank lines (a blank line would end the HTML block and let Markdown read the
//! rest) and starts with a block-level tag, wrapping it in a `div` where it does not.

use crate::ingest::markdown;
use crate::normalise::text;
use crate::normalise::tokenizer::{Token, Tokenizer};

/// A body ready for the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Markdown(String),
    /// HTML, prepared to pass through Markdown unchanged.
    Html(String),
}

impl Body {
    pub fn text(&self) -> &str {
        match self {
            Body::Markdown(text) | Body::Html(text) => text,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Body::Markdown(_) => "markdown",
            Body::Html(_) => "html",
        }
    }
}

/// Elements Markdown (with the build's extensions) has a form for.
const EXPRESSIBLE: &[&str] = &[
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "em",
    "i",
    "strong",
    "b",
    "a",
    "img",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "del",
    "s",
    "strike",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "div",
    "span",
];

/// Attributes whose loss changes what a reader sees or where a link goes.
const MEANINGFUL: &[&str] = &["colspan", "rowspan", "start", "style", "target", "title"];

/// Converts `html` (sanitised, absolute URLs) to the best faithful body.
pub fn convert(html: &str) -> Body {
    let html = html.trim();
    if html.is_empty() {
        return Body::Markdown(String::new());
    }
    if expressible(html)
        && let Ok(markdown) = htmd::convert(html)
    {
        let markdown = markdown.trim().to_string();
        if signature(&render(&markdown)) == signature(html) {
            return Body::Markdown(markdown);
        }
    }
    Body::Html(pass_through(html))
}

fn expressible(html: &str) -> bool {
    let mut tokenizer = Tokenizer::new(html);
    while let Some(token) = tokenizer.next_token() {
        if let Token::StartTag { name, .. } | Token::EndTag { name } = token {
            let name = name.to_ascii_lowercase();
            if !EXPRESSIBLE.contains(&name.as_str()) {
                return false;
            }
            let meaningful = tokenizer
                .attributes()
                .iter()
                .any(|a| MEANINGFUL.contains(&a.name.to_ascii_lowercase().as_str()));
            if matches!(token, Token::StartTag { .. }) && meaningful {
                return false;
            }
        }
    }
    true
}

/// What a reader gets from a body: its text, and where its links and images point.
#[derive(Debug, PartialEq, Eq)]
struct Signature {
    text: String,
    links: Vec<String>,
    images: Vec<(String, String)>,
}

fn signature(html: &str) -> Signature {
    let mut links = Vec::new();
    let mut images = Vec::new();
    let mut tokenizer = Tokenizer::new(html);
    while let Some(token) = tokenizer.next_token() {
        if let Token::StartTag { name, .. } = token {
            let attribute = |wanted: &str| {
                tokenizer
                    .attributes()
                    .iter()
                    .find(|a| a.name.eq_ignore_ascii_case(wanted))
                    .map(|a| a.value().trim().to_string())
                    .unwrap_or_default()
            };
            if name.eq_ignore_ascii_case("a") {
                links.push(attribute("href"));
            } else if name.eq_ignore_ascii_case("img") {
                images.push((attribute("src"), text::plain(&attribute("alt"))));
            }
        }
    }
    Signature {
        text: text::plain(html),
        links,
        images,
    }
}

/// The HTML the build makes of a Markdown body (absolute URLs stay as they are).
fn render(body: &str) -> String {
    let base = url::Url::parse("https://import.invalid/").expect("a valid URL");
    let bases = markdown::Bases {
        page: &base,
        site: &base,
    };
    markdown::render(body, &bases, &mut |_| None).html
}

/// CommonMark's block-level tags: an HTML block that starts with one runs to the next
/// blank line.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "iframe",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "section",
    "summary",
    "table",
    "ul",
];

/// `html` as one Markdown HTML block: no blank lines, opening with a block-level tag.
fn pass_through(html: &str) -> String {
    // A blank line inside `<pre>` is content; an empty comment keeps the line non-blank
    // and adds nothing to the text.
    let lines: Vec<String> = html
        .lines()
        .map(|line| {
            if line.trim().is_empty() {
                "<!-- -->".to_string()
            } else {
                line.trim_end().to_string()
            }
        })
        .collect();
    let mut out = lines.join("\n");
    // Outside `<pre>` the kept-blank markers are noise: drop the lines that hold only one.
    if !out.to_ascii_lowercase().contains("<pre") {
        out = out
            .lines()
            .filter(|line| *line != "<!-- -->")
            .collect::<Vec<_>>()
            .join("\n");
    }
    let opens_block = out
        .strip_prefix('<')
        .map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            BLOCK_TAGS.contains(&name.as_str())
        })
        .unwrap_or(false);
    if opens_block {
        out
    } else {
        format!("<div>\n{out}\n</div>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_for_readers(html: &str, body: &Body) {
        assert_eq!(signature(&render(body.text())), signature(html), "{body:?}");
    }

    #[test]
    fn plain_structure_becomes_markdown() {
        let html = "<p>Begin maart, <em>binnen</em> zaaien.</p><h2>Welke rassen?</h2>\
                    <ul><li>‘Moneymaker’</li><li><strong>Gardener’s</strong> Delight</li></ul>\
                    <p>Lees <a href=\"https://moestuin.example.nl/zaaigrond/\">De beste zaaigrond</a>.</p>";
        let body = convert(html);
        assert_eq!(
            body,
            Body::Markdown(
                "Begin maart, *binnen* zaaien.\n\n## Welke rassen?\n\n\
                 *   ‘Moneymaker’\n*   **Gardener’s** Delight\n\n\
                 Lees [De beste zaaigrond](https://moestuin.example.nl/zaaigrond/)."
                    .into()
            )
        );
        same_for_readers(html, &body);
    }

    #[test]
    fn what_markdown_cannot_say_stays_html() {
        for html in [
            "<p>Kijk:</p><iframe src=\"https://video.example/embed/1\"></iframe>",
            "<table><tr><td colspan=\"2\">samen</td></tr></table>",
            "<p>E = mc<sup>2</sup></p>",
            // Smart punctuation would curl these quotes: not the author's text.
            "<p>\"De wasmachine staat buiten,\" zei ze.</p>",
        ] {
            let body = convert(html);
            assert_eq!(body.kind(), "html", "{html}");
            same_for_readers(html, &body);
        }
    }

    #[test]
    fn kept_html_is_one_block_even_with_blank_lines() {
        let html = "<span>x<sup>1</sup></span>\n\n* geen lijst *\n\n    geen code";
        let body = convert(html);
        assert_eq!(
            body,
            Body::Html(
                "<div>\n<span>x<sup>1</sup></span>\n* geen lijst *\n    geen code\n</div>".into()
            )
        );
        same_for_readers(html, &body);
        let pre = "<pre>a\n\nb</pre><sup>1</sup>";
        let body = convert(pre);
        assert_eq!(
            body,
            Body::Html("<div>\n<pre>a\n<!-- -->\nb</pre><sup>1</sup>\n</div>".into())
        );
    }
}

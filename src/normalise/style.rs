//! `style` attributes filtered to a harmless subset.
//!
//! Inline styles carry real formatting in feeds (colours, alignment, fonts from editors)
//! and real attacks (`url(javascript:…)`, `expression()`, escapes, overlays with
//! `position`). Rather than drop them all, a style is kept only when it passes three
//! gates, the same approach the Universal Feed Parser takes:
//! 1. Every `url(…)` is removed (no remote loads, no script URLs).
//! 2. The text left may hold only letters, digits, whitespace, `: ; , # % . !`, a hyphen
//!    between word characters, quoted font names of letters and spaces, and parentheses
//!    around numbers (`rgb(0, 128, 0)`). Backslash escapes, comments, `@`, `expression(…)`,
//!    `calc(…)`, quotes with anything else in them: the whole style is dropped.
//! 3. It must read as `property: value` declarations. Each property must be on the list
//!    below (nothing that positions, layers or transforms); `margin*`, `padding*`,
//!    `border*` and `background*` are kept only when every word of the value is a known
//!    keyword, a colour or a small non-negative length (no `99999em`, no negative margins).
//!
//! Kept declarations are written back as `property: value;` joined by spaces; a style with
//! nothing left is `None`, and the attribute is dropped.

/// Properties kept with any value that passed the character gate.
fn is_plain_property(lower: &str) -> bool {
    matches!(
        lower,
        "background-color"
            | "border-bottom-color"
            | "border-collapse"
            | "border-color"
            | "border-left-color"
            | "border-right-color"
            | "border-top-color"
            | "caption-side"
            | "clear"
            | "color"
            | "cursor"
            | "direction"
            | "display"
            | "float"
            | "font"
            | "font-family"
            | "font-size"
            | "font-style"
            | "font-variant"
            | "font-weight"
            | "height"
            | "letter-spacing"
            | "line-height"
            | "list-style-type"
            | "overflow"
            | "text-align"
            | "text-decoration"
            | "text-indent"
            | "text-transform"
            | "vertical-align"
            | "white-space"
            | "width"
            | "word-spacing"
    )
}

/// Families whose every value word is checked.
fn is_checked_family(lower: &str) -> bool {
    let family = lower.split('-').next().unwrap_or(lower);
    matches!(family, "background" | "border" | "margin" | "padding")
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "!important"
            | "auto"
            | "none"
            | "inherit"
            | "initial"
            | "transparent"
            | "solid"
            | "dashed"
            | "dotted"
            | "double"
            | "groove"
            | "ridge"
            | "inset"
            | "outset"
            | "hidden"
            | "thin"
            | "medium"
            | "thick"
            | "collapse"
            | "separate"
            | "scroll"
            | "fixed"
            | "top"
            | "bottom"
            | "left"
            | "right"
            | "center"
            | "aqua"
            | "black"
            | "blue"
            | "brown"
            | "fuchsia"
            | "gray"
            | "grey"
            | "green"
            | "lime"
            | "maroon"
            | "navy"
            | "olive"
            | "orange"
            | "purple"
            | "red"
            | "silver"
            | "teal"
            | "white"
            | "yellow"
    )
}

/// `#fff`, `12px`, `0`, `1.5em`, `50%`, and the pieces of `rgb(0, 128, 0)` as whitespace
/// splits them (`rgb(0,`, `128,`, `0)`). Lengths have at most three integer digits.
fn is_small_value(word: &str) -> bool {
    if let Some(hex) = word.strip_prefix('#') {
        return !hex.is_empty() && hex.len() <= 8 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let lower = word.to_ascii_lowercase();
    let mut rest = lower.as_str();
    for prefix in ["rgba(", "rgb("] {
        if let Some(after) = rest.strip_prefix(prefix) {
            rest = after;
            break;
        }
    }
    let rest = rest
        .strip_suffix(',')
        .or_else(|| rest.strip_suffix(')'))
        .unwrap_or(rest);
    let number_end = rest
        .bytes()
        .position(|b| !(b.is_ascii_digit() || b == b'.'))
        .unwrap_or(rest.len());
    let (number, unit) = rest.split_at(number_end);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_ok = (!whole.is_empty() || !fraction.is_empty())
        && whole.len() <= 3
        && fraction.len() <= 3
        && !fraction.contains('.');
    let unit_ok = matches!(
        unit,
        "" | "px" | "em" | "ex" | "rem" | "in" | "cm" | "mm" | "pt" | "pc" | "%" | "vh" | "vw"
    );
    digits_ok && unit_ok
}

/// Removes every `url(…)`, case-insensitively, with the whitespace after it.
fn without_urls(style: &str) -> String {
    let lower = style.to_ascii_lowercase();
    let mut out = String::with_capacity(style.len());
    let mut pos = 0;
    while let Some(offset) = lower[pos..].find("url") {
        let at = pos + offset;
        let after = lower[at + 3..].trim_start();
        let open = lower.len() - after.len();
        if !after.starts_with('(') {
            out.push_str(&style[pos..at + 3]);
            pos = at + 3;
            continue;
        }
        // An unclosed `url(` takes the rest: it is dropped with it.
        let close = lower[open..]
            .find(')')
            .map_or(lower.len(), |i| open + i + 1);
        out.push_str(&style[pos..at]);
        out.push(' ');
        pos = close;
        while style[pos..].starts_with(char::is_whitespace) {
            pos += style[pos..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out.push_str(&style[pos..]);
    out
}

/// Gate 2: the characters a harmless style is made of.
fn passes_character_gate(style: &str) -> bool {
    let bytes = style.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            b if b.is_ascii_alphanumeric() || b.is_ascii_whitespace() => i += 1,
            b':' | b',' | b';' | b'#' | b'%' | b'.' | b'!' | b'_' => i += 1,
            b'-' => {
                let before = i > 0 && is_word(bytes[i - 1]);
                let after = bytes.get(i + 1).is_some_and(|&b| is_word(b));
                if !(before && after) {
                    return false;
                }
                i += 1;
            }
            b'\'' | b'"' => {
                let Some(len) = bytes[i + 1..].iter().position(|&b| b == byte) else {
                    return false;
                };
                let inner = &bytes[i + 1..i + 1 + len];
                let plain = !inner.is_empty()
                    && inner.iter().all(|&b| is_word(b) || b == b' ' || b == b'-');
                if !plain {
                    return false;
                }
                i += len + 2;
            }
            b'(' => {
                let Some(len) = bytes[i + 1..].iter().position(|&b| b == b')') else {
                    return false;
                };
                let inner = &bytes[i + 1..i + 1 + len];
                let numeric = inner
                    .iter()
                    .all(|&b| b.is_ascii_digit() || matches!(b, b',' | b'.' | b'%' | b' '));
                if !numeric {
                    return false;
                }
                i += len + 2;
            }
            _ => return false,
        }
    }
    true
}

/// Filters a `style` attribute value; `None` when nothing harmless is left.
pub fn filter(style: &str) -> Option<String> {
    let style = without_urls(style);
    if !passes_character_gate(&style) {
        return None;
    }
    let mut kept: Vec<String> = Vec::new();
    for declaration in style.split(';') {
        if declaration.trim().is_empty() {
            continue;
        }
        // Gate 3: `property: value`, the property a word with hyphens.
        let (property, value) = declaration.split_once(':')?;
        let property = property.trim();
        let value = value.trim_start();
        let property_ok = !property.is_empty()
            && property
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !property_ok || value.contains(':') {
            return None;
        }
        if value.trim().is_empty() {
            continue;
        }
        let lower = property.to_ascii_lowercase();
        let keep = is_plain_property(&lower)
            || (is_checked_family(&lower)
                && value
                    .split_whitespace()
                    .all(|word| is_keyword(word) || is_small_value(word)));
        if keep {
            kept.push(format!("{property}: {value};"));
        }
    }
    (!kept.is_empty()).then(|| kept.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harmless_styles_are_kept_and_normalised() {
        let cases = [
            ("color: red;", "color: red;"),
            ("color:red", "color: red;"),
            (
                "font-family : Comic Sans MS;",
                "font-family: Comic Sans MS;",
            ),
            (
                "font-family: 'Lucida Console';",
                "font-family: 'Lucida Console';",
            ),
            (
                "font-family: arial,sans-serif;",
                "font-family: arial,sans-serif;",
            ),
            ("letter-spacing:1px;", "letter-spacing: 1px;"),
            ("TEXT-INDENT: 0.5in;", "TEXT-INDENT: 0.5in;"),
            (
                "border: 1px solid rgb(0, 0, 0);",
                "border: 1px solid rgb(0, 0, 0);",
            ),
            ("border: medium none ;", "border: medium none ;"),
            ("border: none !important;", "border: none !important;"),
            ("margin: 0 15px 0 0;", "margin: 0 15px 0 0;"),
            ("padding: 2ex;", "padding: 2ex;"),
            ("background: yellow;", "background: yellow;"),
            ("color: rgb(0, 128, 0);", "color: rgb(0, 128, 0);"),
            (
                "text-align: center; color: #008",
                "text-align: center; color: #008;",
            ),
            (
                "background-color: #000; background-image: url(/i.jpg); background-repeat: no-repeat;",
                "background-color: #000;",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(filter(input).as_deref(), Some(expected), "{input:?}");
        }
    }

    #[test]
    fn unsafe_or_unknown_declarations_are_dropped() {
        let cases: &[(&str, Option<&str>)] = &[
            ("position: absolute;", None),
            ("margin: 99999em;", None),
            ("padding: 99999em;", None),
            ("margin-top: -500px;", None),
            ("mso-ansi-language: NL;", None),
            ("tab-stops: list .5in;", None),
            ("z-index: 1000; color: red", Some("color: red;")),
            ("background-image: url(javascript:alert(1))", None),
            ("background: url('javascript:alert(1)')", None),
            ("width: expression(alert(1))", None),
            ("color: red; width: calc(100% - 1px)", None),
            ("color: \\72 ed", None),
            ("color: red /* x */", None),
            ("@import 'x'; color: red", None),
            ("-moz-binding: url(x.xml#xss)", None),
            ("-moz-background-clip: initial; color: red", None),
            ("color: red; behavior: x", Some("color: red;")),
            ("color: 'unclosed", None),
            ("font-family: \"a<b\"", None),
            ("color", None),
            ("color:", None),
            ("", None),
            ("   ;  ; ", None),
            ("color: red: blue", None),
            ("transform: rotate(90)", None),
        ];
        for (input, expected) in cases {
            assert_eq!(filter(input).as_deref(), *expected, "{input:?}");
        }
    }

    #[test]
    fn small_values() {
        for word in [
            "0", "12px", "1.5em", "50%", "#fff", "#A0B1C2", "rgb(0,", "0)", ".5in", "100%",
        ] {
            assert!(is_small_value(word), "{word}");
        }
        for word in [
            "99999em",
            "-5px",
            "1.2.3",
            "12furlongs",
            "#",
            "#xyz",
            "px",
            "",
        ] {
            assert!(!is_small_value(word), "{word}");
        }
    }
}

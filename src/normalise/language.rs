//! Language tags to BCP 47 with a lower-cased language part (`nl`, `en-us`).
//!
//! The whole tag is lower-cased (BCP 47 tags are case-insensitive, and the contract
//! prints `en-us`), `_` becomes `-`, and junk around the tag is dropped: quotes, a
//! trailing dot or hyphen, and everything after the first space, comma or semicolon
//! (`en-US, nl` → `en-us`). Feeds that write a language's name (`English`, `Nederlands`)
//! get its code for the common ones. What still is not a tag — subtags longer than eight
//! characters, digits in the language, `x-default` and other private-use tags, which name
//! no language — is `None`, so the caller can warn instead of publishing junk.

/// Normalises a language tag; `None` for an empty value.
pub fn normalise(tag: &str) -> Option<String> {
    let first = tag
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(')
        .find(|part| !part.is_empty())?;
    let cleaned = first
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .replace('_', "-")
        .to_ascii_lowercase();
    if let Some(code) = code_for_name(&cleaned) {
        return Some(code.to_string());
    }
    is_tag(&cleaned).then_some(cleaned)
}

/// BCP 47 shape: a 2–8 letter language (or `i-` grandfathered), then subtags of 1–8
/// letters or digits. Private use (`x-…`) names no language.
fn is_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let Some(language) = subtags.next() else {
        return false;
    };
    let language_ok = language == "i"
        || ((2..=8).contains(&language.len()) && language.bytes().all(|b| b.is_ascii_lowercase()));
    language_ok
        && subtags.all(|subtag| {
            (1..=8).contains(&subtag.len())
                && subtag
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Codes for language names feeds write instead of a tag, in English and in the
/// language itself (plus the Dutch name for a few, for Dutch-speaking publishers).
fn code_for_name(name: &str) -> Option<&'static str> {
    let code = match name {
        "english" | "engels" => "en",
        "dutch" | "nederlands" | "vlaams" | "flemish" => "nl",
        "german" | "deutsch" | "duits" => "de",
        "french" | "francais" | "frans" => "fr",
        "spanish" | "espanol" | "spaans" => "es",
        "italian" | "italiano" | "italiaans" => "it",
        "portuguese" | "portugues" | "portugees" => "pt",
        "swedish" | "svenska" | "zweeds" => "sv",
        "norwegian" | "norsk" | "noors" => "no",
        "danish" | "dansk" | "deens" => "da",
        "finnish" | "suomi" | "fins" => "fi",
        "polish" | "polski" | "pools" => "pl",
        "russian" | "russisch" => "ru",
        "japanese" | "japans" => "ja",
        "chinese" | "chinees" => "zh",
        "korean" | "koreaans" => "ko",
        "arabic" | "arabisch" => "ar",
        "turkish" | "turkce" | "turks" => "tr",
        "greek" | "grieks" => "el",
        "czech" | "cestina" | "tsjechisch" => "cs",
        "hungarian" | "magyar" | "hongaars" => "hu",
        "frisian" | "frysk" | "fries" => "fy",
        "afrikaans" => "af",
        "hindi" => "hi",
        _ => return None,
    };
    Some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised() {
        let cases: &[(&str, Option<&str>)] = &[
            ("nl", Some("nl")),
            ("NL", Some("nl")),
            ("en-US", Some("en-us")),
            ("en_US", Some("en-us")),
            ("en-gb", Some("en-gb")),
            (" nl-BE \n", Some("nl-be")),
            ("zh-Hant-TW", Some("zh-hant-tw")),
            ("es-419", Some("es-419")),
            ("\"en\"", Some("en")),
            ("<en>", Some("en")),
            ("en-", Some("en")),
            ("en.", Some("en")),
            ("en-US, nl", Some("en-us")),
            ("en; q=0.8", Some("en")),
            ("i-klingon", Some("i-klingon")),
            ("English", Some("en")),
            ("Nederlands", Some("nl")),
            ("english (US)", Some("en")),
            ("Deutsch", Some("de")),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise(input).as_deref(), *expected, "{input:?}");
        }
    }

    #[test]
    fn junk_is_none() {
        for input in [
            "",
            "   ",
            "-",
            "x-default",
            "X-Default",
            "e",
            "12",
            "en-toolongsubtag",
            "en--us",
            "klingonlanguage",
            "n/a",
            "é",
        ] {
            assert_eq!(normalise(input), None, "{input:?}");
        }
    }
}

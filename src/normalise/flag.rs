//! Yes/no values of the iTunes and Podcasting 2.0 namespaces.
//!
//! Values are read case-insensitively with surrounding whitespace ignored, because feeds
//! write `Yes`, `TRUE` and ` no `. A value outside the documented set is `None`, so the
//! caller can warn and leave the field out instead of guessing.

/// `itunes:explicit`: `yes`/`true`/`explicit` → true, `no`/`false`/`clean` → false.
pub fn explicit(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "explicit" => Some(true),
        "no" | "false" | "clean" => Some(false),
        _ => None,
    }
}

/// `itunes:block`, `itunes:complete`, `podcast:locked`: `yes`/`true` → true, `no`/`false` → false.
pub fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_values() {
        let cases: &[(&str, Option<bool>)] = &[
            ("yes", Some(true)),
            ("Yes", Some(true)),
            ("TRUE", Some(true)),
            (" explicit\n", Some(true)),
            ("no", Some(false)),
            ("False", Some(false)),
            ("clean", Some(false)),
            ("Clean ", Some(false)),
            ("", None),
            ("maybe", None),
            ("1", None),
            ("y", None),
        ];
        for (input, expected) in cases {
            assert_eq!(explicit(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn yes_no_values() {
        let cases: &[(&str, Option<bool>)] = &[
            ("yes", Some(true)),
            ("YES", Some(true)),
            (" true ", Some(true)),
            ("no", Some(false)),
            ("False", Some(false)),
            ("clean", None),
            ("explicit", None),
            ("", None),
            ("nope", None),
        ];
        for (input, expected) in cases {
            assert_eq!(yes_no(input), *expected, "{input:?}");
        }
    }
}

//! Yes/no values of the iTunes and Podcasting 2.0 namespaces.

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

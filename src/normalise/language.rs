//! Language tags to BCP 47 with a lower-cased language part (`nl`, `en-us`).

/// Normalises a language tag; `None` for an empty value.
pub fn normalise(tag: &str) -> Option<String> {
    let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
    (!tag.is_empty()).then_some(tag)
}

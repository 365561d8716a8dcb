//! URLs made absolute against a base.

use url::Url;

/// Resolves `href` against `base`; returns `href` trimmed when there is no base or it
/// cannot be resolved.
pub fn resolve(base: Option<&Url>, href: &str) -> String {
    let href = href.trim();
    match base.and_then(|base| base.join(href).ok()) {
        Some(url) => url.to_string(),
        None => href.to_string(),
    }
}

//! People written as one string: RSS `author`/`managingEditor` ("me@example.com (Jane
//! Doe)"), `dc:creator`, `itunes:author` and the like, split into name and email.
//!
//! The forms seen in feeds: `email (Name)` (what RSS 2.0 asks for), `Name <email>`,
//! `Name (email)`, `mailto:` prefixes, a bare email or a bare name. The email is the first
//! word that looks like an address; the name is what remains once the address and the
//! brackets around it are taken away.

use crate::model::Person;

/// Splits a plain-text author string into name and email; `None` when nothing is left.
pub(crate) fn from_text(text: &str) -> Option<Person> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let Some((start, end)) = find_email(text) else {
        return Some(Person {
            name: Some(text.to_string()),
            ..Person::default()
        });
    };
    let email = text[start..end].to_string();
    let mut name = format!("{}{}", &text[..start], &text[end..]);
    for empty in ["mailto:", "()", "<>", "[]"] {
        name = name.replace(empty, "");
    }
    let mut name = name.trim();
    // "me@example.com (Jane Doe)" leaves "(Jane Doe)"; take the brackets off.
    loop {
        let stripped = name
            .strip_prefix('(')
            .and_then(|inner| inner.strip_suffix(')'))
            .or_else(|| {
                name.strip_prefix('<')
                    .and_then(|inner| inner.strip_suffix('>'))
            });
        match stripped {
            Some(inner) => name = inner.trim(),
            None => break,
        }
    }
    let name = name
        .trim_start_matches(['(', '<', ',', ';'])
        .trim_end_matches([')', '>', ',', ';'])
        .trim();
    Some(Person {
        name: (!name.is_empty()).then(|| name.to_string()),
        email: Some(email),
        uri: None,
    })
}

/// The byte range of the first email address in `text`.
fn find_email(text: &str) -> Option<(usize, usize)> {
    let at = text.find('@')?;
    let is_part = |c: char| c.is_alphanumeric() || "._%+-'".contains(c);
    let start = text[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_part(*c))
        .last()
        .map(|(index, _)| index)?;
    let domain_len: usize = text[at + 1..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '.' || *c == '-')
        .map(char::len_utf8)
        .sum();
    let domain = text[at + 1..at + 1 + domain_len].trim_end_matches('.');
    if domain.is_empty() || !domain.contains('.') {
        return None;
    }
    Some((start, at + 1 + domain.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> (Option<String>, Option<String>) {
        let person = from_text(text).unwrap_or_default();
        (person.name, person.email)
    }

    fn pair(name: Option<&str>, email: Option<&str>) -> (Option<String>, Option<String>) {
        (name.map(String::from), email.map(String::from))
    }

    #[test]
    fn rss_form_email_then_name() {
        assert_eq!(
            split("me@example.com (Example editor)"),
            pair(Some("Example editor"), Some("me@example.com"))
        );
        assert_eq!(
            split("me+spam@example.com (Example editor)"),
            pair(Some("Example editor"), Some("me+spam@example.com"))
        );
    }

    #[test]
    fn other_forms() {
        assert_eq!(
            split("Example editor (me@example.com)"),
            pair(Some("Example editor"), Some("me@example.com"))
        );
        assert_eq!(
            split("Example editor <me@example.com>"),
            pair(Some("Example editor"), Some("me@example.com"))
        );
        assert_eq!(
            split("mailto:me@example.com"),
            pair(None, Some("me@example.com"))
        );
        assert_eq!(split("Jane Doe"), pair(Some("Jane Doe"), None));
        assert_eq!(split("@handle"), pair(Some("@handle"), None));
        assert_eq!(split("a@localhost"), pair(Some("a@localhost"), None));
        assert_eq!(from_text("  "), None);
    }
}

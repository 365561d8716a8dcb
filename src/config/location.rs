//! Turns a byte span in a TOML file into what a user can act on: the line and the dotted
//! key it belongs to (`source[2].markdown`), so every config error reads
//! `feeds/podcast.toml:7: key `explcit`: unknown key; expected one of …`.
//!
//! The key is found by walking the spanned document tree (`toml::de::DeTable`) down to the
//! innermost key whose key or value contains the span: serde's own messages do not say
//! which key a value belonged to.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One configuration problem: which file, where, which key, and what is expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// A TOML document being checked: its text and the name to show for it.
pub struct Document<'a> {
    pub shown: PathBuf,
    pub text: &'a str,
}

impl<'a> Document<'a> {
    pub fn new(shown: &Path, text: &'a str) -> Self {
        Document {
            shown: shown.to_path_buf(),
            text,
        }
    }

    /// An error at a span: the line and the key are worked out from the document.
    pub fn error_at(&self, span: Option<Range<usize>>, message: impl Into<String>) -> ConfigError {
        let (line, key) = match span {
            Some(span) => (Some(self.line_of(span.start)), self.key_at(span)),
            None => (None, None),
        };
        ConfigError {
            file: self.shown.clone(),
            line,
            key,
            message: message.into(),
        }
    }

    /// An error about a named key, placed at the span given (usually the key's value, or the
    /// start of the file for a key that is missing).
    pub fn error_key(
        &self,
        span: Option<Range<usize>>,
        key: &str,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            file: self.shown.clone(),
            line: span.map(|span| self.line_of(span.start)),
            key: Some(key.to_string()),
            message: message.into(),
        }
    }

    /// An error that belongs to the whole file.
    pub fn error_file(&self, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.shown.clone(),
            line: None,
            key: None,
            message: message.into(),
        }
    }

    /// Converts the TOML parser's error, rewording serde's phrasing into the project's.
    pub fn from_toml(&self, error: &toml::de::Error) -> ConfigError {
        let message = reword(error.message());
        let span = error.span();
        // A missing key has the span of its table, so naming the table's key would mislead:
        // say which key is missing instead.
        if let Some(missing) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            let table = span.clone().and_then(|span| self.table_at(span));
            let key = match table {
                Some(table) => format!("{table}.{missing}"),
                None => missing.to_string(),
            };
            return ConfigError {
                file: self.shown.clone(),
                line: span.map(|span| self.line_of(span.start)),
                key: Some(key),
                message: "missing; this key is required".into(),
            };
        }
        self.error_at(span, message)
    }

    /// The 1-based line holding a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|byte| **byte == b'\n')
            .count()
            + 1
    }

    /// The dotted path of the innermost key whose key or value covers `span`.
    pub fn key_at(&self, span: Range<usize>) -> Option<String> {
        let tree = DeTable::parse(self.text).ok()?;
        let mut path = String::new();
        walk_table(tree.get_ref(), &span, &mut path);
        (!path.is_empty()).then_some(path)
    }

    /// The dotted path of the table whose own span is `span` (serde reports a missing key
    /// at the table that lacks it; the top-level table has no path).
    fn table_at(&self, span: Range<usize>) -> Option<String> {
        let tree = DeTable::parse(self.text).ok()?;
        find_exact(tree.get_ref(), &span)
    }
}

fn find_exact(table: &DeTable<'_>, span: &Range<usize>) -> Option<String> {
    for (key, value) in table.iter() {
        if value.span() == *span {
            return Some(key.get_ref().to_string());
        }
        let inner = match value.get_ref() {
            DeValue::Table(table) => find_exact(table, span).map(|rest| format!(".{rest}")),
            DeValue::Array(items) => items.iter().enumerate().find_map(|(index, item)| {
                let here = format!("[{}]", index + 1);
                if item.span() == *span {
                    return Some(here);
                }
                match item.get_ref() {
                    DeValue::Table(table) => {
                        find_exact(table, span).map(|rest| format!("{here}.{rest}"))
                    }
                    _ => None,
                }
            }),
            _ => None,
        };
        if let Some(inner) = inner {
            return Some(format!("{}{inner}", key.get_ref()));
        }
    }
    None
}

fn covers(outer: Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Where a value's text lies including everything nested in it: the parser's span of an
/// array-of-tables item covers only its `[[header]]`.
fn extent(value: &Spanned<DeValue<'_>>) -> Range<usize> {
    let mut range = value.span();
    let mut widen = |other: Range<usize>| {
        range.start = range.start.min(other.start);
        range.end = range.end.max(other.end);
    };
    match value.get_ref() {
        DeValue::Table(table) => {
            for (key, value) in table.iter() {
                widen(key.span());
                widen(extent(value));
            }
        }
        DeValue::Array(items) => {
            for item in items.iter() {
                widen(extent(item));
            }
        }
        _ => {}
    }
    range
}

/// Descends into the key whose text covers `span`, appending it to `path`.
fn walk_table(table: &DeTable<'_>, span: &Range<usize>, path: &mut String) {
    for (key, value) in table.iter() {
        let value_extent = extent(value);
        let whole = key.span().start.min(value_extent.start)..key.span().end.max(value_extent.end);
        if covers(whole, span) {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key.get_ref());
            walk_value(value, span, path);
            return;
        }
    }
}

fn walk_value(value: &Spanned<DeValue<'_>>, span: &Range<usize>, path: &mut String) {
    match value.get_ref() {
        DeValue::Table(table) => walk_table(table, span, path),
        DeValue::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                if covers(extent(item), span) {
                    // Numbered from 1, as a user counts `[[source]]` tables in the file.
                    path.push_str(&format!("[{}]", index + 1));
                    walk_value(item, span, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// serde's messages, in the words this project uses.
fn reword(message: &str) -> String {
    let message = message.trim().replace('\n', "; ");
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((_, expected)) = rest.split_once("`, ") {
            return format!("unknown key; {expected}");
        }
        return "unknown key".into();
    }
    if let Some(rest) = message.strip_prefix("unknown variant `")
        && let Some((value, expected)) = rest.split_once("`, ")
    {
        return format!("`{value}` is not allowed; {expected}");
    }
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return format!("expected {expected}, found {found}");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_in_arrays_of_tables() {
        let text = "title = \"x\"\n\n[[source]]\nmarkdown = \"a\"\n\n[[source]]\naudio = 3\n";
        let doc = Document::new(Path::new("feeds/a.toml"), text);
        let offset = text.find('3').unwrap();
        assert_eq!(doc.line_of(offset), 7);
        assert_eq!(
            doc.key_at(offset..offset + 1).as_deref(),
            Some("source[2].audio")
        );
    }

    #[test]
    fn rewords_serde_messages() {
        assert_eq!(
            reword("unknown field `explcit`, expected one of `a`, `b`"),
            "unknown key; expected one of `a`, `b`"
        );
        assert_eq!(
            reword("invalid type: string \"yes\", expected a boolean"),
            "expected a boolean, found string \"yes\""
        );
    }
}

//! Front matter as omroep writes it: a YAML block whose every value reads back as
//! written. Text is always double-quoted (so `yes`, `1:02` or `2024` stay text, and no
//! character of a hostile title can end the block or start a new key); dates, numbers
//! and flags are bare. Keys come out in the order they are added.

use std::fmt::Write;

/// One front matter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    /// Written bare: an RFC 3339 date or any other token known to be safe.
    Bare(String),
    Number(u64),
    Flag(bool),
    List(Vec<Value>),
    /// A table of key → value, in order.
    Map(Vec<(String, Value)>),
}

impl Value {
    pub fn text(text: impl Into<String>) -> Value {
        Value::Text(text.into())
    }
}

/// A front matter block under construction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    fields: Vec<(&'static str, Value)>,
}

impl FrontMatter {
    pub fn new() -> FrontMatter {
        FrontMatter::default()
    }

    /// Adds a field; an empty list or map is left out.
    pub fn set(&mut self, key: &'static str, value: Value) -> &mut FrontMatter {
        let empty = match &value {
            Value::List(items) => items.is_empty(),
            Value::Map(entries) => entries.is_empty(),
            Value::Text(text) => text.is_empty(),
            _ => false,
        };
        if !empty {
            self.fields.push((key, value));
        }
        self
    }

    /// Adds a field when there is a value.
    pub fn maybe(&mut self, key: &'static str, value: Option<Value>) -> &mut FrontMatter {
        if let Some(value) = value {
            self.set(key, value);
        }
        self
    }

    /// The whole file: the block between `---` lines, then the body.
    pub fn document(&self, body: &str) -> String {
        let mut out = String::from("---\n");
        for (key, value) in &self.fields {
            write_field(&mut out, key, value, 0);
        }
        out.push_str("---\n");
        let body = body.trim_matches('\n');
        if !body.is_empty() {
            out.push('\n');
            out.push_str(body);
            out.push('\n');
        }
        out
    }
}

fn write_field(out: &mut String, key: &str, value: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match value {
        Value::List(items) if items.iter().any(|item| matches!(item, Value::Map(_))) => {
            let _ = writeln!(out, "{pad}{key}:");
            for item in items {
                match item {
                    Value::Map(entries) => {
                        for (i, (k, v)) in entries.iter().enumerate() {
                            let lead = if i == 0 { "- " } else { "  " };
                            let _ = write!(out, "{pad}  {lead}");
                            let mut line = String::new();
                            write_field(&mut line, k, v, indent + 4);
                            out.push_str(line.trim_start());
                        }
                    }
                    other => {
                        let _ = writeln!(out, "{pad}  - {}", inline(other));
                    }
                }
            }
        }
        Value::Map(entries) => {
            let _ = writeln!(out, "{pad}{key}:");
            for (k, v) in entries {
                write_field(out, k, v, indent + 2);
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{key}: {}", inline(other));
        }
    }
}

/// A value on one line (flow style for lists).
fn inline(value: &Value) -> String {
    match value {
        Value::Text(text) => quote(text),
        Value::Bare(text) => text.clone(),
        Value::Number(n) => n.to_string(),
        Value::Flag(b) => b.to_string(),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(inline).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", inline(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A YAML double-quoted scalar: backslash, quote and every control character escaped,
/// so the value stays on one line whatever it holds.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::frontmatter::{self, Value as Read};

    #[test]
    fn every_kind_of_value_reads_back_as_written() {
        let mut fm = FrontMatter::new();
        fm.set("title", Value::text("Yes: \"1:02\" — a\\b\n---\ttab\u{7}"))
            .set("date", Value::Bare("2024-03-05T09:30:00+01:00".into()))
            .set("episode", Value::Number(12))
            .set("draft", Value::Flag(true))
            .set(
                "tags",
                Value::List(vec![Value::text("no"), Value::text("a, b")]),
            )
            .set("empty", Value::List(Vec::new()))
            .set(
                "persons",
                Value::List(vec![
                    Value::Map(vec![
                        ("name".into(), Value::text("Anne")),
                        ("role".into(), Value::text("host")),
                    ]),
                    Value::Map(vec![("name".into(), Value::text("Bram: guest"))]),
                ]),
            );
        let text = fm.document("Body text.\n");
        assert_eq!(
            text,
            "---\n\
             title: \"Yes: \\\"1:02\\\" — a\\\\b\\n---\\ttab\\u0007\"\n\
             date: 2024-03-05T09:30:00+01:00\n\
             episode: 12\n\
             draft: true\n\
             tags: [\"no\", \"a, b\"]\n\
             persons:\n  - name: \"Anne\"\n    role: \"host\"\n  - name: \"Bram: guest\"\n\
             ---\n\nBody text.\n"
        );
        let doc = frontmatter::parse(&text).unwrap();
        let get = |key: &str| {
            doc.fields
                .iter()
                .find(|f| f.key == key)
                .map(|f| f.value.clone())
        };
        assert_eq!(
            get("title"),
            Some(Read::String("Yes: \"1:02\" — a\\b\n---\ttab\u{7}".into()))
        );
        assert_eq!(get("episode"), Some(Read::Integer(12)));
        assert_eq!(get("draft"), Some(Read::Bool(true)));
        assert_eq!(
            get("tags"),
            Some(Read::List(vec![
                Read::String("no".into()),
                Read::String("a, b".into())
            ]))
        );
        assert_eq!(
            get("persons"),
            Some(Read::List(vec![
                Read::Map(vec![
                    ("name".into(), Read::String("Anne".into())),
                    ("role".into(), Read::String("host".into())),
                ]),
                Read::Map(vec![("name".into(), Read::String("Bram: guest".into()))]),
            ]))
        );
        assert_eq!(get("empty"), None);
        assert_eq!(doc.body, "\nBody text.\n");
    }
}

//! Front matter: the YAML (`---`) or TOML (`+++`) block at the top of a Markdown file,
//! split from the body and read into a flat list of top-level fields, each with the line it
//! starts on, so that every later complaint can say `file:line: field `x`: …`.
//!
//! Values are kept in a small format-neutral [`Value`] tree; turning them into typed fields
//! (dates, numbers, people) is the job of `fields.rs`, which knows what each field means.

use std::fmt;

/// The syntax of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Toml,
}

/// A front matter value, independent of YAML or TOML.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    /// A string; TOML dates and times arrive here too, in their TOML text form.
    String(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    /// What kind of value this is, in words for an error message.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "an empty value",
            Value::Bool(_) => "true/false",
            Value::Integer(_) => "a whole number",
            Value::Float(_) => "a number",
            Value::String(_) => "text",
            Value::List(_) => "a list",
            Value::Map(_) => "a table of keys",
        }
    }
}

/// One top-level front matter field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: String,
    /// 1-based line in the whole file.
    pub line: usize,
    pub value: Value,
}

/// A Markdown file split into its front matter and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Document<'a> {
    pub syntax: Syntax,
    pub fields: Vec<Field>,
    pub body: &'a str,
    /// 1-based line of the file on which the body starts.
    pub body_line: usize,
}

/// Why a file's front matter could not be read at all.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatterError {
    /// 1-based line in the whole file, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for FrontMatterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn error(line: Option<usize>, message: impl Into<String>) -> FrontMatterError {
    FrontMatterError {
        line,
        message: message.into(),
    }
}

/// Splits `text` (a whole Markdown file) and parses its front matter.
pub fn parse(text: &str) -> Result<Document<'_>, FrontMatterError> {
    // A byte order mark is invisible in editors; it must not hide the opening fence.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (syntax, fence) = match first_line(text) {
        "---" => (Syntax::Yaml, "---"),
        "+++" => (Syntax::Toml, "+++"),
        _ => {
            return Err(error(
                Some(1),
                "no front matter; start the file with a `---` (YAML) or `+++` (TOML) line",
            ));
        }
    };
    let after_open = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    let mut offset = after_open;
    let mut line = 2;
    let mut close = None;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map(|i| offset + i + 1)
            .unwrap_or(text.len());
        let current = text[offset..end].trim_end_matches(['\n', '\r']);
        // YAML also allows `...` to end a document.
        if current.trim_end() == fence || (syntax == Syntax::Yaml && current.trim_end() == "...") {
            close = Some((offset, end, line));
            break;
        }
        offset = end;
        line += 1;
    }
    let Some((close_start, body_start, close_line)) = close else {
        return Err(error(
            Some(1),
            format!(
                "front matter opened with `{fence}` on line 1 is never closed; add a `{fence}` line after the last field"
            ),
        ));
    };
    let block = &text[after_open..close_start];
    let fields = match syntax {
        Syntax::Yaml => parse_yaml(block)?,
        Syntax::Toml => parse_toml(block)?,
    };
    Ok(Document {
        syntax,
        fields,
        body: &text[body_start..],
        body_line: close_line + 1,
    })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim_end()
}

/// The front matter starts on line 2 of the file (line 1 is the fence).
const FIRST_LINE: usize = 2;

fn parse_yaml(block: &str) -> Result<Vec<Field>, FrontMatterError> {
    if block.trim().is_empty() {
        return Ok(Vec::new());
    }
    match simple_yaml(block) {
        Some(fields) => Ok(fields),
        None => saphyr_yaml(block),
    }
}

/// Any YAML block, read by serde-saphyr.
fn saphyr_yaml(block: &str) -> Result<Vec<Field>, FrontMatterError> {
    // A front matter block has tens of fields; a budget far above that still refuses
    // alias bombs ("billion laughs") and absurd nesting long before they cost anything.
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: 10_000,
            max_nodes: 10_000,
            max_aliases: 200,
            max_recorded_anchor_events: 10_000,
            max_depth: 32,
            max_total_scalar_bytes: 4 * 1024 * 1024,
        },
    };
    let top: Top = serde_saphyr::from_str_with_options(block, options).map_err(|e| {
        let line = e
            .location()
            .map(|l| l.line() as usize)
            .filter(|&l| l > 0)
            .map(|l| l + FIRST_LINE - 1);
        error(
            line,
            format!("front matter is not valid YAML: {}", yaml_message(&e)),
        )
    })?;
    Ok(top
        .0
        .into_iter()
        .map(|(key, line, value)| Field {
            key,
            line: line.max(1) + FIRST_LINE - 1,
            value,
        })
        .collect())
}

/// The common front matter shape read without a YAML parser: every line `key: value` with a
/// plain scalar, or a flow list `[a, b]` of plain scalars, at the left margin. serde-saphyr
/// costs tens of microseconds per such block (events, spans, budget), which is most of a
/// build's time per Markdown file. Anything this does not fully understand returns `None`
/// and serde-saphyr reads the block; whatever it accepts it reads exactly as serde-saphyr
/// does (the differential tests in `frontmatter_fast_tests.rs` hold it to that).
fn simple_yaml(block: &str) -> Option<Vec<Field>> {
    // serde-saphyr refuses a block past its budget (events, scalar bytes); a block this
    // small stays far inside it (the smallest event, a list item `a,`, is two bytes), and
    // bounds the duplicate-key check below, which compares each key with every earlier one.
    if block.len() > SIMPLE_YAML_MAX_BYTES {
        return None;
    }
    let mut fields: Vec<Field> = Vec::new();
    for (index, raw) in block.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            continue;
        }
        let colon = line.find(':')?;
        let key = &line[..colon];
        if !simple_key(key) || fields.iter().any(|field| field.key == key) {
            return None;
        }
        let rest = &line[colon + 1..];
        let value = if rest.is_empty() {
            Value::Null
        } else {
            // `key:value` is one scalar in YAML, not a field.
            let text = rest.strip_prefix(' ')?.trim_matches(' ');
            if let Some(inner) = text.strip_prefix('[') {
                let inner = inner.strip_suffix(']')?;
                let mut items = Vec::new();
                if !inner.trim_matches(' ').is_empty() {
                    for item in inner.split(',') {
                        let item = item.trim_matches(' ');
                        // Flow context gives `:`, `[`, `]`, `{`, `}` meanings of their own.
                        if item.is_empty() || item.contains([':', '[', ']', '{', '}']) {
                            return None;
                        }
                        items.push(plain_scalar(item)?);
                    }
                }
                Value::List(items)
            } else {
                if text.contains(['[', ']', '{', '}']) {
                    return None;
                }
                plain_scalar(text)?
            }
        };
        fields.push(Field {
            key: key.to_string(),
            line: index + FIRST_LINE,
            value,
        });
    }
    Some(fields)
}

/// The largest block [`simple_yaml`] reads; larger ones go to serde-saphyr and its budget.
const SIMPLE_YAML_MAX_BYTES: usize = 16 * 1024;

/// The longest key [`simple_yaml`] reads: serde-saphyr's scanner looks at most 1,024 bytes
/// ahead for the `:` of a key and refuses longer ones.
const SIMPLE_KEY_MAX_BYTES: usize = 128;

/// A field name that YAML reads as that very text: letters, digits, `_` and `-`, starting
/// with a letter or `_`, not too long for serde-saphyr's key scan, and not a word YAML
/// would turn into true/false/null first.
fn simple_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    bytes.len() <= SIMPLE_KEY_MAX_BYTES
        && matches!(bytes.first(), Some(b) if b.is_ascii_alphabetic() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        && special_word(key).is_none()
}

/// The value of a YAML 1.1 bool or null word (serde-saphyr's resolution); `Some(None)` for
/// a word the fast path leaves to serde-saphyr: `null` in other capitals, and anything a
/// float parser might take (`inf…`, `nan…`).
fn special_word(text: &str) -> Option<Option<Value>> {
    const TRUE: [&str; 4] = ["true", "yes", "y", "on"];
    const FALSE: [&str; 4] = ["false", "no", "n", "off"];
    if TRUE.iter().any(|w| text.eq_ignore_ascii_case(w)) {
        return Some(Some(Value::Bool(true)));
    }
    if FALSE.iter().any(|w| text.eq_ignore_ascii_case(w)) {
        return Some(Some(Value::Bool(false)));
    }
    if matches!(text, "~" | "null" | "Null" | "NULL") {
        return Some(Some(Value::Null));
    }
    let lower = text.get(..3).map(|head| head.to_ascii_lowercase());
    if text.eq_ignore_ascii_case("null") || matches!(lower.as_deref(), Some("inf" | "nan")) {
        return Some(None);
    }
    None
}

/// A plain scalar (already trimmed) as serde-saphyr resolves it, or `None` when its
/// resolution is not plainly text, a bool, null or a small decimal integer.
fn plain_scalar(text: &str) -> Option<Value> {
    if let Some(word) = special_word(text) {
        return word;
    }
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    if first.is_ascii_digit() || first == b'-' {
        return integer(text).or_else(|| date(text).then(|| Value::String(text.to_string())));
    }
    if !(first.is_ascii_alphabetic() || first == b'/' || first == b'_' || first >= 0x80) {
        return None;
    }
    // `: ` and ` #` end a plain scalar; `#` and a trailing `:` are declined outright.
    if text.contains(": ") || text.contains('#') || text.ends_with(':') {
        return None;
    }
    if !text.chars().all(plain_char) {
        return None;
    }
    Some(Value::String(text.to_string()))
}

/// A character that stands for itself inside a plain scalar: printable, not a tab, and
/// not one of the invisible characters YAML treats specially (byte order mark, NEL,
/// line/paragraph separators) or that could be trimmed as white space.
fn plain_char(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !(c.is_control() || c.is_whitespace() || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}'))
}

/// `-?[1-9][0-9]{0,17}` or `0`: a decimal integer that fits `i64` whatever its digits.
fn integer(text: &str) -> Option<Value> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let ok = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" && digits.len() == text.len() || !digits.starts_with('0'));
    if !ok {
        return None;
    }
    text.parse().ok().map(Value::Integer)
}

/// `YYYY-MM-DD`, optionally followed by `T` or one space and a time of digits, `:` and `.`,
/// with `Z` or a `+HH:MM`/`-HH:MM` offset: text to YAML, never a number.
fn date(text: &str) -> bool {
    let bytes = text.as_bytes();
    let day = |b: &[u8]| {
        b.len() == 10
            && b.iter().enumerate().all(|(i, &c)| match i {
                4 | 7 => c == b'-',
                _ => c.is_ascii_digit(),
            })
    };
    if bytes.len() < 10 || !day(&bytes[..10]) {
        return false;
    }
    let time = &bytes[10..];
    if time.is_empty() {
        return true;
    }
    let Some((&sep, time)) = time.split_first() else {
        return false;
    };
    let time = match time.strip_suffix(b"Z") {
        Some(rest) => rest,
        None if time.len() > 6 && matches!(time[time.len() - 6], b'+' | b'-') => {
            let offset = &time[time.len() - 5..];
            if !(offset[2] == b':'
                && offset[..2]
                    .iter()
                    .chain(&offset[3..])
                    .all(u8::is_ascii_digit))
            {
                return false;
            }
            &time[..time.len() - 6]
        }
        None => time,
    };
    (sep == b'T' || sep == b' ')
        && time.len() >= 5
        && time[0].is_ascii_digit()
        && time.last().is_some_and(u8::is_ascii_digit)
        && time
            .iter()
            .all(|&c| c.is_ascii_digit() || c == b':' || c == b'.')
}

/// serde-saphyr's message without its source snippet: one line.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("").trim();
    // Its messages end with " at line X column Y"; we print the line ourselves.
    let first = match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    first.to_string()
}

fn parse_toml(block: &str) -> Result<Vec<Field>, FrontMatterError> {
    let table = toml::de::DeTable::parse(block).map_err(|e| {
        let line = e
            .span()
            .map(|span| line_of(block, span.start) + FIRST_LINE - 1);
        error(
            line,
            format!("front matter is not valid TOML: {}", e.message().trim()),
        )
    })?;
    let mut fields: Vec<Field> = table
        .into_inner()
        .into_iter()
        .map(|(key, value)| Field {
            line: line_of(block, key.span().start) + FIRST_LINE - 1,
            key: key.into_inner().into_owned(),
            value: from_toml(value.into_inner()),
        })
        .collect();
    fields.sort_by_key(|field| field.line);
    Ok(fields)
}

/// 1-based line of a byte offset within `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn from_toml(value: toml::de::DeValue<'_>) -> Value {
    use toml::de::DeValue;
    match value {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Integer(n),
            Err(_) => Value::String(i.as_str().to_string()),
        },
        DeValue::Float(f) => match f.as_str().parse::<f64>() {
            Ok(n) => Value::Float(n),
            Err(_) => Value::String(f.as_str().to_string()),
        },
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => Value::List(
            items
                .into_iter()
                .map(|item| from_toml(item.into_inner()))
                .collect(),
        ),
        DeValue::Table(table) => {
            let mut entries: Vec<(usize, String, Value)> = table
                .into_iter()
                .map(|(key, value)| {
                    (
                        key.span().start,
                        key.into_inner().into_owned(),
                        from_toml(value.into_inner()),
                    )
                })
                .collect();
            entries.sort_by_key(|(start, _, _)| *start);
            Value::Map(entries.into_iter().map(|(_, k, v)| (k, v)).collect())
        }
    }
}

/// The top-level YAML mapping: keys with the line each starts on, in document order.
struct Top(Vec<(String, usize, Value)>);

impl<'de> serde::Deserialize<'de> for Top {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TopVisitor;
        impl<'de> serde::de::Visitor<'de> for TopVisitor {
            type Value = Top;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of `field: value` lines")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Top, E> {
                Ok(Top(Vec::new()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<serde_saphyr::Spanned<KeyText>>()? {
                    let value: Value = map.next_value()?;
                    out.push((key.value.0, key.referenced.line() as usize, value));
                }
                Ok(Top(out))
            }
        }
        deserializer.deserialize_map(TopVisitor)
    }
}

/// A mapping key; YAML allows `2024: x` or `true: x`, which we read as text.
struct KeyText(String);

impl<'de> serde::Deserialize<'de> for KeyText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match <Value as serde::Deserialize>::deserialize(deserializer)? {
            Value::String(s) => Ok(KeyText(s)),
            Value::Integer(n) => Ok(KeyText(n.to_string())),
            Value::Float(n) => Ok(KeyText(n.to_string())),
            Value::Bool(b) => Ok(KeyText(b.to_string())),
            Value::Null => Ok(KeyText(String::new())),
            other => Err(serde::de::Error::custom(format!(
                "a field name must be text, not {}",
                other.kind()
            ))),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> serde::de::Visitor<'de> for ValueVisitor {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Integer(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
                Ok(i64::try_from(v)
                    .map(Value::Integer)
                    .unwrap_or(Value::String(v.to_string())))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
                Ok(i64::try_from(v)
                    .map(Value::Integer)
                    .unwrap_or(Value::String(v.to_string())))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
                Ok(i64::try_from(v)
                    .map(Value::Integer)
                    .unwrap_or(Value::String(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Value, E> {
                Ok(Value::String(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Value, E> {
                Ok(Value::String(v))
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
                <Value as serde::Deserialize>::deserialize(d)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Value>()? {
                    items.push(item);
                }
                Ok(Value::List(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<KeyText>()? {
                    let value: Value = map.next_value()?;
                    entries.push((key.0, value));
                }
                Ok(Value::Map(entries))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

#[cfg(test)]
#[path = "frontmatter_fast_tests.rs"]
mod fast_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_fields_carry_their_file_lines() {
        let doc =
            parse("---\ntitle: Hallo\n\ntags:\n  - a\n  - b\ndraft: true\n---\nBody\n").unwrap();
        assert_eq!(doc.syntax, Syntax::Yaml);
        let keys: Vec<(&str, usize)> = doc
            .fields
            .iter()
            .map(|f| (f.key.as_str(), f.line))
            .collect();
        assert_eq!(keys, vec![("title", 2), ("tags", 4), ("draft", 7)]);
        assert_eq!(
            doc.fields[1].value,
            Value::List(vec![Value::String("a".into()), Value::String("b".into())])
        );
        assert_eq!(doc.fields[2].value, Value::Bool(true));
        assert_eq!(doc.body, "Body\n");
        assert_eq!(doc.body_line, 9);
    }

    #[test]
    fn toml_fields_carry_their_file_lines_in_document_order() {
        let doc = parse("+++\ntitle = \"Hi\"\ndate = 2024-03-05T09:00:00+01:00\n[[persons]]\nname = \"Ann\"\n+++\nText").unwrap();
        assert_eq!(doc.syntax, Syntax::Toml);
        let keys: Vec<(&str, usize)> = doc
            .fields
            .iter()
            .map(|f| (f.key.as_str(), f.line))
            .collect();
        assert_eq!(keys, vec![("title", 2), ("date", 3), ("persons", 4)]);
        assert_eq!(
            doc.fields[1].value,
            Value::String("2024-03-05T09:00:00+01:00".into())
        );
        assert_eq!(
            doc.fields[2].value,
            Value::List(vec![Value::Map(vec![(
                "name".into(),
                Value::String("Ann".into())
            )])])
        );
        assert_eq!(doc.body, "Text");
    }

    #[test]
    fn missing_or_unclosed_front_matter_is_an_error_on_line_one() {
        let err = parse("# Just markdown\n").unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(err.message.contains("no front matter"), "{err}");
        let err = parse("---\ntitle: x\nbody without end\n").unwrap_err();
        assert!(err.message.contains("never closed"), "{err}");
    }

    #[test]
    fn yaml_syntax_errors_name_the_file_line() {
        let err = parse("---\ntitle: ok\ntags: [a, b\n---\n").unwrap_err();
        assert!(
            err.message.starts_with("front matter is not valid YAML"),
            "{err}"
        );
        assert!(matches!(err.line, Some(3..=4)), "{:?}", err.line);
    }

    #[test]
    fn toml_syntax_errors_name_the_file_line() {
        let err = parse("+++\ntitle = \"ok\"\ndate = \n+++\n").unwrap_err();
        assert!(
            err.message.starts_with("front matter is not valid TOML"),
            "{err}"
        );
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn an_alias_bomb_is_refused_quickly() {
        let mut yaml = String::from("---\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            yaml.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        yaml.push_str("---\n");
        let start = std::time::Instant::now();
        let err = parse(&yaml).unwrap_err();
        assert!(
            err.message.starts_with("front matter is not valid YAML"),
            "{err}"
        );
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn absurd_nesting_is_an_error_not_a_crash() {
        let deep = 100_000;
        let toml = format!("+++\na = {}{}\n+++\n", "[".repeat(deep), "]".repeat(deep));
        assert!(parse(&toml).is_err());
        let yaml = format!("---\na: {}{}\n---\n", "[".repeat(deep), "]".repeat(deep));
        assert!(parse(&yaml).is_err());
    }

    #[test]
    fn byte_order_mark_and_crlf_are_accepted() {
        let doc = parse("\u{feff}---\r\ntitle: x\r\n---\r\nBody").unwrap();
        assert_eq!(doc.fields[0].key, "title");
        assert_eq!(doc.body, "Body");
    }
}

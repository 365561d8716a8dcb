//! Front matter fields → typed values, with a [`Problem`] for every field that does not
//! hold what it should (naming its line and what is expected) and a warning for every
//! field omroep does not know, suggesting the known field it is probably a typo of.
//!
//! Dates without an offset are read in the site's time zone (`timezone` in `omroep.toml`,
//! UTC by default), so `2024-03-05 09:30` is half past nine where the author lives; an
//! offset (`2024-03-05T09:30:00+01:00`, `Z`) always wins. Around a clock change the wall
//! time can be ambiguous (it happens twice in autumn: the first, summer-time one is
//! taken) or missing (skipped in spring: read with the offset in force before the jump),
//! so every written date still names exactly one moment.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::frontmatter::{Field, Value};
use super::local::Problem;
use crate::model::{Person, PodcastPerson};

/// Fields of posts and episodes.
pub const POST_FIELDS: &[&str] = &[
    "title",
    "date",
    "updated",
    "slug",
    "summary",
    "tags",
    "categories",
    "authors",
    "author",
    "image",
    "lang",
    "draft",
    "guid",
    "link",
    "canonical",
];

/// Fields only episodes (files with `audio`) use.
pub const EPISODE_FIELDS: &[&str] = &[
    "audio",
    "duration",
    "season",
    "episode",
    "episode_type",
    "explicit",
    "block",
    "transcript",
    "chapters",
    "persons",
    "funding",
    "length",
    "type",
];

/// A transcript reference as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TranscriptRef {
    pub href: String,
    pub mime_type: Option<String>,
    pub language: Option<String>,
    pub rel: Option<String>,
}

/// A `funding` entry as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FundingRef {
    pub url: String,
    pub text: Option<String>,
}

/// The typed front matter of one file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Meta {
    pub title: Option<String>,
    pub date: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub slug: Option<String>,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    pub authors: Vec<Person>,
    pub image: Option<String>,
    pub lang: Option<String>,
    pub draft: bool,
    pub guid: Option<String>,
    /// `link`, else `canonical`.
    pub link: Option<String>,
    pub audio: Option<String>,
    pub duration: Option<u64>,
    pub season: Option<u32>,
    pub episode: Option<u32>,
    pub episode_type: Option<String>,
    pub explicit: Option<bool>,
    pub block: Option<bool>,
    pub transcripts: Vec<TranscriptRef>,
    pub chapters: Option<String>,
    pub persons: Vec<PodcastPerson>,
    pub funding: Vec<FundingRef>,
    /// `length`: the enclosure length, overriding what omroep would learn.
    pub length: Option<u64>,
    /// `type`: the enclosure MIME type, overriding what omroep would learn.
    pub mime_type: Option<String>,
    /// The line of each field present, for later complaints.
    pub lines: HashMap<String, usize>,
}

impl Meta {
    /// The line a field was written on.
    pub fn line(&self, field: &str) -> Option<usize> {
        self.lines.get(field).copied()
    }
}

/// Reads the fields of `path`, dates without an offset in `zone`; problems are returned
/// alongside (errors mean the value was not usable).
pub fn read(fields: &[Field], path: &Path, zone: Tz) -> (Meta, Vec<Problem>) {
    let mut meta = Meta::default();
    let mut problems = Vec::new();
    let is_episode = fields
        .iter()
        .any(|f| f.key == "audio" && f.value != Value::Null);
    for field in fields {
        let problem = |message: String| {
            Problem::error(path, message)
                .at_line(Some(field.line))
                .in_field(field.key.clone())
        };
        if meta.lines.contains_key(&field.key) {
            problems.push(problem("given twice; keep one".to_string()));
            continue;
        }
        meta.lines.insert(field.key.clone(), field.line);
        if field.value == Value::Null {
            // `summary:` with nothing after it: the same as leaving the field out.
            continue;
        }
        let key = field.key.as_str();
        if EPISODE_FIELDS.contains(&key) && !is_episode {
            problems.push(
                Problem::warning(
                    path,
                    "only episodes use this; add `audio` to make this an episode, or remove it",
                )
                .at_line(Some(field.line))
                .in_field(key),
            );
            continue;
        }
        let result = read_one(&mut meta, key, &field.value, zone);
        match result {
            Ok(()) => {}
            Err(Complaint::Error(message)) => problems.push(problem(message)),
            Err(Complaint::Warning(message)) => problems.push(
                Problem::warning(path, message)
                    .at_line(Some(field.line))
                    .in_field(key),
            ),
        }
    }
    (meta, problems)
}

enum Complaint {
    Error(String),
    Warning(String),
}

impl From<String> for Complaint {
    fn from(message: String) -> Complaint {
        Complaint::Error(message)
    }
}

fn read_one(meta: &mut Meta, key: &str, value: &Value, zone: Tz) -> Result<(), Complaint> {
    match key {
        "title" => meta.title = non_empty(plain(text(value)?)),
        "date" => meta.date = Some(date(value, zone)?),
        "updated" => meta.updated = Some(date(value, zone)?),
        "slug" => meta.slug = non_empty(text(value)?.trim().to_string()),
        "summary" => meta.summary = non_empty(plain(text(value)?)),
        "tags" | "categories" => {
            for tag in text_list(value)? {
                let tag = plain(tag);
                if !tag.is_empty() && !meta.tags.contains(&tag) {
                    meta.tags.push(tag);
                }
            }
        }
        "authors" | "author" => {
            let people = match value {
                Value::List(items) => items.iter().map(person).collect::<Result<Vec<_>, _>>()?,
                other => vec![person(other)?],
            };
            meta.authors
                .extend(people.into_iter().filter(|p| !p.is_empty()));
        }
        "image" => meta.image = non_empty(text(value)?.trim().to_string()),
        "lang" => meta.lang = Some(language(value)?),
        "draft" => meta.draft = flag(value, crate::normalise::flag::yes_no)?,
        "guid" => meta.guid = non_empty(text(value)?.trim().to_string()),
        "link" | "canonical" => {
            let link = non_empty(text(value)?.trim().to_string());
            if key == "link" || meta.link.is_none() {
                meta.link = link;
            }
        }
        "audio" => meta.audio = non_empty(text(value)?.trim().to_string()),
        "duration" => meta.duration = Some(duration(value)?),
        "season" => meta.season = Some(positive(value)?),
        "episode" => meta.episode = Some(positive(value)?),
        "episode_type" => {
            let kind = text(value)?.trim().to_ascii_lowercase();
            if !matches!(kind.as_str(), "full" | "trailer" | "bonus") {
                return Err(
                    format!("expected `full`, `trailer` or `bonus`, found `{kind}`").into(),
                );
            }
            meta.episode_type = Some(kind);
        }
        "explicit" => meta.explicit = Some(flag(value, crate::normalise::flag::explicit)?),
        "block" => meta.block = Some(flag(value, crate::normalise::flag::yes_no)?),
        "transcript" => meta.transcripts = transcripts(value)?,
        "chapters" => meta.chapters = non_empty(text(value)?.trim().to_string()),
        "persons" => meta.persons = persons(value)?,
        "funding" => meta.funding = funding(value)?,
        "length" => {
            let length = positive(value)?;
            meta.length = Some(u64::from(length));
        }
        "type" => {
            let mime = text(value)?.trim().to_ascii_lowercase();
            if !mime.contains('/') || mime.contains(char::is_whitespace) {
                return Err(
                    format!("expected a MIME type such as `audio/mpeg`, found `{mime}`").into(),
                );
            }
            meta.mime_type = Some(mime);
        }
        unknown => {
            let hint = match closest_field(unknown) {
                Some(known) => format!("unknown field; did you mean `{known}`?"),
                None => format!(
                    "unknown field, ignored; known fields are {}",
                    POST_FIELDS
                        .iter()
                        .chain(EPISODE_FIELDS)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(Complaint::Warning(hint));
        }
    }
    Ok(())
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

fn plain(text: String) -> String {
    crate::normalise::text::plain(&text)
}

fn text(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Integer(n) => Ok(n.to_string()),
        Value::Float(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(format!("expected text, found {}", other.kind())),
    }
}

fn text_list(value: &Value) -> Result<Vec<String>, String> {
    match value {
        Value::List(items) => items
            .iter()
            .map(|item| {
                text(item)
                    .map_err(|_| format!("expected a list of words, found {} in it", item.kind()))
            })
            .collect(),
        other => Ok(vec![text(other).map_err(|_| {
            format!(
                "expected a list such as `[coaching, podcast]`, found {}",
                other.kind()
            )
        })?]),
    }
}

fn flag(value: &Value, read: fn(&str) -> Option<bool>) -> Result<bool, String> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => {
            read(s).ok_or_else(|| format!("expected true or false, found `{}`", s.trim()))
        }
        other => Err(format!("expected true or false, found {}", other.kind())),
    }
}

fn positive(value: &Value) -> Result<u32, String> {
    let n = match value {
        Value::Integer(n) => Some(*n),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match n.and_then(|n| u32::try_from(n).ok()).filter(|&n| n >= 1) {
        Some(n) => Ok(n),
        None => Err(format!(
            "expected a whole number of 1 or more, found {}",
            describe(value)
        )),
    }
}

fn duration(value: &Value) -> Result<u64, String> {
    let seconds = match value {
        Value::Integer(n) if *n >= 0 => Some(*n as u64),
        Value::Float(n) if *n >= 0.0 && n.is_finite() => Some(n.round() as u64),
        Value::String(s)
            if s.chars()
                .all(|c| c.is_ascii_digit() || c == ':' || c == '.' || c == ' ') =>
        {
            crate::normalise::duration::parse(s)
        }
        _ => None,
    };
    seconds.ok_or_else(|| {
        format!(
            "expected seconds (`1834`) or hours:minutes:seconds (`30:34`, `1:02:03`), found {}",
            describe(value)
        )
    })
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("`{}`", s.trim()),
        Value::Integer(n) => format!("`{n}`"),
        Value::Float(n) => format!("`{n}`"),
        Value::Bool(b) => format!("`{b}`"),
        other => other.kind().to_string(),
    }
}

/// Reads a date; see the module documentation for the accepted forms. A date without an
/// offset is a wall-clock time in `zone`. Fractions of a second are dropped: the store
/// keeps whole seconds, and an item must be the same whether it was read now or decoded
/// from the file cache (in this run, for a second source naming the same file, or the next).
pub fn parse_date(raw: &str, zone: Tz) -> Option<DateTime<Utc>> {
    parse_date_exact(raw, zone).map(|date| date.with_nanosecond(0).unwrap_or(date))
}

fn parse_date_exact(raw: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let text = raw.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date.with_timezone(&Utc));
    }
    // `2024-03-05 09:30`, `2024-03-05T09:30:00+0100`, `… 09:30:00 +01:00`, `…Z`.
    let mut normal = text.replacen(['T', 't'], " ", 1);
    if let Some(stripped) = normal.strip_suffix(['Z', 'z']) {
        normal = format!("{stripped}+00:00");
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y-%m-%d %H:%M%#z",
        "%Y-%m-%d %H:%M:%S%.f %#z",
        "%Y-%m-%d %H:%M %#z",
    ] {
        if let Ok(date) = DateTime::parse_from_str(&normal, format) {
            return Some(date.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"] {
        if let Ok(date) = NaiveDateTime::parse_from_str(&normal, format) {
            return Some(in_zone(date, zone));
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| in_zone(d, zone))
}

/// The moment a wall-clock time in `zone` names; see the module documentation for the
/// hours a clock change doubles or skips.
pub fn in_zone(wall: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(date) => date.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Skipped by a spring-forward jump: the offset before the jump is the one in
            // force a few hours earlier.
            let before = wall - chrono::Duration::hours(3);
            let offset = match zone.from_local_datetime(&before) {
                LocalResult::Single(date) | LocalResult::Ambiguous(date, _) => date.offset().fix(),
                LocalResult::None => Utc.fix(),
            };
            (wall - chrono::Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc()
        }
    }
}

fn date(value: &Value, zone: Tz) -> Result<DateTime<Utc>, String> {
    let raw = match value {
        Value::String(s) => s.as_str(),
        other => {
            return Err(format!(
                "expected a date such as `2024-03-05` or `2024-03-05T09:30:00+01:00`, found {}",
                describe(other)
            ));
        }
    };
    parse_date(raw, zone).ok_or_else(|| {
        format!(
            "expected a date such as `2024-03-05` or `2024-03-05T09:30:00+01:00`, found `{}`",
            raw.trim()
        )
    })
}

fn language(value: &Value) -> Result<String, String> {
    let raw = text(value)?;
    let tag = crate::normalise::language::normalise(&raw).unwrap_or_default();
    let valid = !tag.is_empty()
        && tag.split('-').enumerate().all(|(i, part)| {
            let len_ok = if i == 0 {
                (2..=3).contains(&part.len())
            } else {
                (1..=8).contains(&part.len())
            };
            len_ok && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
        && tag
            .split('-')
            .next()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_alphabetic()));
    if !valid {
        return Err(format!(
            "expected a language tag such as `nl` or `en-GB`, found `{}`",
            raw.trim()
        ));
    }
    Ok(tag)
}

/// `Ann de Vries`, `Ann de Vries <ann@example.org>`, or `{name, email, uri}`.
fn person(value: &Value) -> Result<Person, String> {
    match value {
        Value::Map(entries) => {
            let mut person = Person::default();
            for (key, value) in entries {
                let value = non_empty(
                    text(value)
                        .map_err(|e| format!("in `{key}`: {e}"))?
                        .trim()
                        .to_string(),
                );
                match key.as_str() {
                    "name" => person.name = value.map(plain),
                    "email" => person.email = value,
                    "uri" | "url" | "href" => person.uri = value,
                    other => {
                        return Err(format!(
                            "an author has `name`, `email` and `uri`, not `{other}`"
                        ));
                    }
                }
            }
            Ok(person)
        }
        Value::String(s) => Ok(person_from_text(s)),
        other => Err(format!(
            "expected a name or `{{name, email}}`, found {}",
            other.kind()
        )),
    }
}

fn person_from_text(text: &str) -> Person {
    let text = text.trim();
    if let Some((name, rest)) = text.split_once('<')
        && let Some(email) = rest.strip_suffix('>')
        && email.contains('@')
    {
        return Person {
            name: non_empty(crate::normalise::text::plain(name)),
            email: Some(email.trim().to_string()),
            uri: None,
        };
    }
    Person {
        name: non_empty(crate::normalise::text::plain(text)),
        ..Person::default()
    }
}

fn transcripts(value: &Value) -> Result<Vec<TranscriptRef>, String> {
    let items = match value {
        Value::List(items) => items.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(s) => Ok(TranscriptRef {
                href: s.trim().to_string(),
                ..TranscriptRef::default()
            }),
            Value::Map(entries) => {
                let mut t = TranscriptRef::default();
                for (key, value) in entries {
                    let value = text(value).map_err(|e| format!("in `{key}`: {e}"))?.trim().to_string();
                    match key.as_str() {
                        "url" | "path" | "href" | "file" => t.href = value,
                        "type" => t.mime_type = non_empty(value.to_ascii_lowercase()),
                        "language" | "lang" => t.language = crate::normalise::language::normalise(&value),
                        "rel" => t.rel = non_empty(value),
                        other => return Err(format!("a transcript has `url`, `type`, `language` and `rel`, not `{other}`")),
                    }
                }
                if t.href.is_empty() {
                    return Err("a transcript needs its `url` (a file path or URL)".to_string());
                }
                Ok(t)
            }
            other => Err(format!("expected a file path or URL, found {}", other.kind())),
        })
        .collect()
}

fn persons(value: &Value) -> Result<Vec<PodcastPerson>, String> {
    let items = match value {
        Value::List(items) => items.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(s) if !s.trim().is_empty() => Ok(PodcastPerson {
                name: plain(s.clone()),
                ..PodcastPerson::default()
            }),
            Value::Map(entries) => {
                let mut p = PodcastPerson::default();
                for (key, value) in entries {
                    let value = text(value).map_err(|e| format!("in `{key}`: {e}"))?.trim().to_string();
                    match key.as_str() {
                        "name" => p.name = plain(value),
                        "role" => p.role = non_empty(value.to_lowercase()),
                        "group" => p.group = non_empty(value.to_lowercase()),
                        "img" | "image" => p.img = non_empty(value),
                        "href" | "url" => p.href = non_empty(value),
                        other => return Err(format!("a person has `name`, `role`, `group`, `img` and `href`, not `{other}`")),
                    }
                }
                if p.name.is_empty() {
                    return Err("every person needs a `name`".to_string());
                }
                Ok(p)
            }
            other => Err(format!("expected a name or `{{name, role}}`, found {}", other.kind())),
        })
        .collect()
}

fn funding(value: &Value) -> Result<Vec<FundingRef>, String> {
    let items = match value {
        Value::List(items) => items.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(s) => Ok(FundingRef {
                url: s.trim().to_string(),
                text: None,
            }),
            Value::Map(entries) => {
                let mut f = FundingRef::default();
                for (key, value) in entries {
                    let value = text(value)
                        .map_err(|e| format!("in `{key}`: {e}"))?
                        .trim()
                        .to_string();
                    match key.as_str() {
                        "url" => f.url = value,
                        "text" => f.text = non_empty(plain(value)),
                        other => {
                            return Err(format!("funding has `url` and `text`, not `{other}`"));
                        }
                    }
                }
                if f.url.is_empty() {
                    return Err("funding needs a `url`".to_string());
                }
                Ok(f)
            }
            other => Err(format!(
                "expected a URL or `{{url, text}}`, found {}",
                other.kind()
            )),
        })
        .collect()
}

/// The known field closest to a misspelt one, if it is close enough to be a typo.
pub fn closest_field(unknown: &str) -> Option<&'static str> {
    let unknown = unknown.to_ascii_lowercase();
    POST_FIELDS
        .iter()
        .chain(EPISODE_FIELDS)
        .map(|known| (edit_distance(&unknown, known), *known))
        .filter(|(distance, known)| {
            *distance <= 2 && *distance < known.len().max(unknown.len()) / 2 + 1
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

/// Damerau–Levenshtein distance (optimal string alignment): a swapped pair of letters,
/// the commonest typo, counts as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn field(key: &str, line: usize, value: Value) -> Field {
        Field {
            key: key.into(),
            line,
            value,
        }
    }

    fn s(text: &str) -> Value {
        Value::String(text.into())
    }

    /// Most tests do not care about the zone: read in UTC.
    fn read(fields: &[Field], path: &Path) -> (Meta, Vec<Problem>) {
        super::read(fields, path, Tz::UTC)
    }

    #[test]
    fn dates_in_every_accepted_form() {
        let utc = |h, m| Utc.with_ymd_and_hms(2024, 3, 5, h, m, 0).unwrap();
        let parse = |raw| parse_date(raw, Tz::UTC);
        assert_eq!(parse("2024-03-05"), Some(utc(0, 0)));
        assert_eq!(parse("2024-03-05 09:30"), Some(utc(9, 30)));
        assert_eq!(parse("2024-03-05T09:30:00"), Some(utc(9, 30)));
        assert_eq!(parse("2024-03-05T09:30:00Z"), Some(utc(9, 30)));
        assert_eq!(parse("2024-03-05T10:30:00+01:00"), Some(utc(9, 30)));
        assert_eq!(parse("2024-03-05 10:30 +0100"), Some(utc(9, 30)));
        assert_eq!(parse("5 maart 2024"), None);
        assert_eq!(parse("2024-02-30"), None);
        // To the whole second, as the store keeps it.
        assert_eq!(parse("2024-03-05T09:30:00.7Z"), Some(utc(9, 30)));
        assert_eq!(parse("2024-03-05T10:30:00.25+01:00"), Some(utc(9, 30)));
        assert_eq!(parse("2024-03-05 09:30:00.999"), Some(utc(9, 30)));
    }

    #[test]
    fn dates_without_an_offset_are_read_in_the_site_zone() {
        let amsterdam = Tz::Europe__Amsterdam;
        let at = |y, mo, d, h, mi| Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap();
        // Winter (+01:00) and summer (+02:00).
        assert_eq!(
            parse_date("2024-03-05 09:30", amsterdam),
            Some(at(2024, 3, 5, 8, 30))
        );
        assert_eq!(
            parse_date("2024-07-01T09:30:00", amsterdam),
            Some(at(2024, 7, 1, 7, 30))
        );
        // A bare day starts at local midnight.
        assert_eq!(
            parse_date("2024-03-05", amsterdam),
            Some(at(2024, 3, 4, 23, 0))
        );
        // An offset or `Z` wins over the zone.
        assert_eq!(
            parse_date("2024-03-05T09:30:00Z", amsterdam),
            Some(at(2024, 3, 5, 9, 30))
        );
        assert_eq!(
            parse_date("2024-03-05T09:30:00+05:00", amsterdam),
            Some(at(2024, 3, 5, 4, 30))
        );
        // 02:30 on 2024-10-27 happens twice: the first (summer time, +02:00) is taken.
        assert_eq!(
            parse_date("2024-10-27 02:30", amsterdam),
            Some(at(2024, 10, 27, 0, 30))
        );
        // 02:30 on 2024-03-31 never happens: read with the winter offset (+01:00).
        assert_eq!(
            parse_date("2024-03-31 02:30", amsterdam),
            Some(at(2024, 3, 31, 1, 30))
        );
    }

    #[test]
    fn front_matter_dates_use_the_zone_given() {
        let (meta, problems) = super::read(
            &[
                field("date", 2, s("2024-03-05 09:30")),
                field("updated", 3, s("2024-03-06")),
            ],
            Path::new("p.md"),
            Tz::Europe__Amsterdam,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            meta.date,
            Some(Utc.with_ymd_and_hms(2024, 3, 5, 8, 30, 0).unwrap())
        );
        assert_eq!(
            meta.updated,
            Some(Utc.with_ymd_and_hms(2024, 3, 5, 23, 0, 0).unwrap())
        );
    }

    #[test]
    fn a_bad_field_names_its_line_and_what_is_expected() {
        let (_, problems) = read(
            &[field("title", 2, s("Hoi")), field("date", 3, s("gisteren"))],
            Path::new("posts/x.md"),
        );
        assert_eq!(problems.len(), 1);
        assert!(problems[0].is_error);
        assert_eq!(
            problems[0].to_string(),
            "posts/x.md:3: field `date`: expected a date such as `2024-03-05` or `2024-03-05T09:30:00+01:00`, found `gisteren`"
        );
    }

    #[test]
    fn unknown_fields_are_warnings_with_a_suggestion() {
        let (meta, problems) = read(
            &[
                field("titel", 2, s("Hoi")),
                field("catagories", 3, s("x")),
                field("colour", 4, s("red")),
            ],
            Path::new("p.md"),
        );
        assert_eq!(meta.title, None);
        assert!(problems.iter().all(|p| !p.is_error));
        assert_eq!(
            problems[0].to_string(),
            "p.md:2: field `titel`: unknown field; did you mean `title`?"
        );
        assert!(problems[1].message.contains("did you mean `categories`?"));
        assert!(
            problems[2]
                .message
                .starts_with("unknown field, ignored; known fields are title, date")
        );
    }

    #[test]
    fn tags_authors_and_people_in_their_several_forms() {
        let (meta, problems) = read(
            &[
                field(
                    "tags",
                    2,
                    Value::List(vec![s("coaching"), s("Leiderschap")]),
                ),
                field("categories", 3, s("coaching")),
                field("author", 4, s("Anne de Vries <anne@example.org>")),
                field("audio", 5, s("a.mp3")),
                field(
                    "persons",
                    6,
                    Value::List(vec![
                        s("Anne"),
                        Value::Map(vec![
                            ("name".into(), s("Bram")),
                            ("role".into(), s("Guest")),
                        ]),
                    ]),
                ),
            ],
            Path::new("e.md"),
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(meta.tags, vec!["coaching", "Leiderschap"]);
        assert_eq!(meta.authors[0].name.as_deref(), Some("Anne de Vries"));
        assert_eq!(meta.authors[0].email.as_deref(), Some("anne@example.org"));
        assert_eq!(meta.persons[1].role.as_deref(), Some("guest"));
    }

    #[test]
    fn episode_fields_on_a_post_and_wrong_numbers() {
        let (_, problems) = read(&[field("season", 2, Value::Integer(1))], Path::new("p.md"));
        assert!(!problems[0].is_error);
        assert!(problems[0].message.contains("only episodes use this"));
        let (_, problems) = read(
            &[
                field("audio", 2, s("a.mp3")),
                field("episode", 3, Value::Integer(0)),
                field("episode_type", 4, s("teaser")),
                field("duration", 5, s("long")),
                field("explicit", 6, s("maybe")),
            ],
            Path::new("e.md"),
        );
        let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            messages,
            vec![
                "e.md:3: field `episode`: expected a whole number of 1 or more, found `0`",
                "e.md:4: field `episode_type`: expected `full`, `trailer` or `bonus`, found `teaser`",
                "e.md:5: field `duration`: expected seconds (`1834`) or hours:minutes:seconds (`30:34`, `1:02:03`), found `long`",
                "e.md:6: field `explicit`: expected true or false, found `maybe`",
            ]
        );
    }

    #[test]
    fn a_field_given_twice_is_an_error() {
        let (_, problems) = read(
            &[field("title", 2, s("a")), field("title", 3, s("b"))],
            Path::new("p.md"),
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(3));
        assert!(problems[0].message.contains("given twice"));
    }

    #[test]
    fn languages_are_checked() {
        let (meta, _) = read(&[field("lang", 2, s("en_GB"))], Path::new("p.md"));
        assert_eq!(meta.lang.as_deref(), Some("en-gb"));
        // Language names are understood ("Nederlands" is `nl`); a value that is neither a
        // name nor a BCP 47 tag is an error.
        let (meta, _) = read(&[field("lang", 2, s("Nederlands"))], Path::new("p.md"));
        assert_eq!(meta.lang.as_deref(), Some("nl"));
        let (_, problems) = read(&[field("lang", 2, s("12345"))], Path::new("p.md"));
        assert!(problems[0].is_error);
    }
}

//! One imported entry → the front matter and body of its Markdown file.
//!
//! Identity is written exactly as the source feed published it: the guid (or, when the
//! feed had none, the id omroep derived for it, which never changes), the date to the
//! second, and the enclosure URL, length and type, so a build publishes the same values
//! and no podcast app or reader shows the entry twice. Dates are written in the site's
//! time zone with their offset: the same moment, in the author's own clock.

use chrono::SecondsFormat;
use chrono_tz::Tz;

use super::body::{self, Body};
use crate::create::yaml::{FrontMatter, Value};
use crate::ingest::attachments::transcript_type;
use crate::ingest::episode::type_from_extension;
use crate::model::{Enclosure, Entry, Person};

/// An entry ready to be written.
#[derive(Debug, Clone)]
pub struct EntryFile {
    pub guid: String,
    pub title: Option<String>,
    pub is_episode: bool,
    pub front_matter: FrontMatter,
    /// The source's HTML body; converted only when the file is written (`body`).
    pub content_html: Option<String>,
    /// The local date, `YYYY-MM-DD`, for the file name.
    pub day: String,
    /// What the file name is made from (the old URL's last segment, else the title).
    pub name_from: String,
    /// What a build cannot reproduce exactly, one line each.
    pub warnings: Vec<String>,
}

/// The identity of an entry as written in its file's `guid`.
pub fn guid_of(entry: &Entry) -> String {
    entry.guid.clone().unwrap_or_else(|| entry.id.clone())
}

/// Builds the file of `entry`; `Err` says why it cannot be imported.
pub fn build(entry: &Entry, zone: Tz) -> Result<EntryFile, String> {
    let guid = guid_of(entry);
    let Some(date) = entry.published.or(entry.updated) else {
        return Err(format!(
            "`{}` has no date, which local content needs; it was not imported",
            entry.title.as_deref().unwrap_or(&guid)
        ));
    };
    let local = date.with_timezone(&zone);
    let mut warnings = Vec::new();
    let mut fm = FrontMatter::new();
    fm.maybe("title", entry.title.clone().map(Value::Text)).set(
        "date",
        Value::Bare(local.to_rfc3339_opts(SecondsFormat::Secs, true)),
    );
    if let Some(updated) = entry.updated.filter(|u| *u != date) {
        fm.set(
            "updated",
            Value::Bare(
                updated
                    .with_timezone(&zone)
                    .to_rfc3339_opts(SecondsFormat::Secs, true),
            ),
        );
    }
    fm.set("guid", Value::text(guid.clone()))
        .maybe("canonical", entry.link.clone().map(Value::Text))
        .set(
            "authors",
            Value::List(entry.authors.iter().filter_map(author).collect()),
        )
        .set(
            "tags",
            Value::List(
                entry
                    .categories
                    .iter()
                    .filter(|c| c.scheme.as_deref() != Some("itunes"))
                    .map(|c| Value::text(c.term.clone()))
                    .collect(),
            ),
        )
        .maybe("summary", entry.summary.clone().map(Value::Text))
        .maybe(
            "image",
            entry.image.as_ref().map(|i| Value::text(i.url.clone())),
        );

    let enclosure = audio_enclosure(&entry.enclosures);
    if let Some(enclosure) = enclosure {
        for transcript in &entry.podcast.transcripts {
            if transcript.mime_type.is_none() && transcript_type(&transcript.url).is_none() {
                warnings.push(format!(
                    "{}: the source gives this transcript no type, and its name shows none; add its `type` in the file, or the build refuses the episode",
                    transcript.url
                ));
            }
        }
        fm.set("audio", Value::text(enclosure.url.clone()));
        enclosure_fields(&mut fm, enclosure, &mut warnings);
        let p = &entry.podcast;
        fm.maybe("duration", p.duration_seconds.map(Value::Number))
            .maybe(
                "season",
                p.season
                    .filter(|&n| n >= 1)
                    .map(|n| Value::Number(n.into())),
            )
            .maybe(
                "episode",
                p.episode
                    .filter(|&n| n >= 1)
                    .map(|n| Value::Number(n.into())),
            )
            .maybe("episode_type", p.episode_type.clone().map(Value::Text))
            .maybe("explicit", p.explicit.map(Value::Flag))
            .maybe("block", p.block.map(Value::Flag))
            .set(
                "transcript",
                Value::List(
                    p.transcripts
                        .iter()
                        .map(|t| {
                            table(&[
                                ("url", Some(&t.url)),
                                ("type", t.mime_type.as_ref()),
                                ("language", t.language.as_ref()),
                                ("rel", t.rel.as_ref()),
                            ])
                        })
                        .collect(),
                ),
            )
            .maybe(
                "chapters",
                p.chapters.as_ref().map(|c| Value::text(c.url.clone())),
            )
            .set(
                "persons",
                Value::List(
                    p.persons
                        .iter()
                        .map(|person| {
                            table(&[
                                ("name", Some(&person.name)),
                                ("role", person.role.as_ref()),
                                ("group", person.group.as_ref()),
                                ("img", person.img.as_ref()),
                                ("href", person.href.as_ref()),
                            ])
                        })
                        .collect(),
                ),
            )
            .set(
                "funding",
                Value::List(
                    p.funding
                        .iter()
                        .map(|f| table(&[("url", Some(&f.url)), ("text", f.text.as_ref())]))
                        .collect(),
                ),
            );
    }
    let name_from = match (&entry.link, enclosure) {
        (Some(link), None) => last_segment(link)
            .filter(|s| s.chars().any(char::is_alphabetic))
            .or_else(|| entry.title.clone())
            .unwrap_or_default(),
        _ => entry.title.clone().unwrap_or_default(),
    };
    Ok(EntryFile {
        guid,
        title: entry.title.clone(),
        is_episode: enclosure.is_some(),
        front_matter: fm,
        content_html: entry.content_html.clone(),
        day: local.format("%Y-%m-%d").to_string(),
        name_from,
        warnings,
    })
}

impl EntryFile {
    /// The body for the file: Markdown where faithful, else the HTML.
    pub fn body(&self) -> Body {
        self.content_html
            .as_deref()
            .map(body::convert)
            .unwrap_or(Body::Markdown(String::new()))
    }
}

/// The enclosure that makes an entry an episode: the first audio or video one.
fn audio_enclosure(enclosures: &[Enclosure]) -> Option<&Enclosure> {
    enclosures.iter().find(|e| {
        let mime = e.mime_type.as_deref().unwrap_or("").to_ascii_lowercase();
        mime.starts_with("audio/")
            || mime.starts_with("video/")
            || (mime.is_empty() && type_from_extension(&e.url).is_some())
    })
}

/// `type` and `length` as the source gave them, so the build needs no HEAD request.
fn enclosure_fields(fm: &mut FrontMatter, enclosure: &Enclosure, warnings: &mut Vec<String>) {
    let mime = enclosure
        .mime_type
        .as_deref()
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| m.contains('/') && !m.contains(char::is_whitespace));
    match mime {
        Some(mime) => {
            fm.set("type", Value::Text(mime));
        }
        None => match type_from_extension(&enclosure.url) {
            Some(guessed) => {
                warnings.push(format!(
                    "{}: the source gave no enclosure type; wrote `{guessed}` from the file name",
                    enclosure.url
                ));
                fm.set("type", Value::text(guessed));
            }
            None => warnings.push(format!(
                "{}: the source gave no enclosure type; the build will ask the server once",
                enclosure.url
            )),
        },
    }
    // The `length` field takes 1 to 4294967295 bytes.
    match enclosure.length.filter(|&n| n >= 1 && n <= u64::from(u32::MAX)) {
        Some(length) => {
            fm.set("length", Value::Number(length));
        }
        None => warnings.push(format!(
            "{}: the source gave no usable enclosure length ({}); the build will ask the server once",
            enclosure.url,
            enclosure
                .length
                .map_or_else(|| "none".to_string(), |n| n.to_string())
        )),
    }
}

fn author(person: &Person) -> Option<Value> {
    match (&person.name, &person.email, &person.uri) {
        (_, _, Some(_)) => Some(table(&[
            ("name", person.name.as_ref()),
            ("email", person.email.as_ref()),
            ("uri", person.uri.as_ref()),
        ])),
        (Some(name), Some(email), None) => Some(Value::Text(format!("{name} <{email}>"))),
        (Some(name), None, None) => Some(Value::text(name.clone())),
        (None, Some(email), None) => Some(table(&[("email", Some(email))])),
        (None, None, None) => None,
    }
}

fn table(pairs: &[(&str, Option<&String>)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), Value::text(v.clone()))))
            .collect(),
    )
}

/// The last non-empty path segment of a URL, without its extension.
fn last_segment(link: &str) -> Option<String> {
    let url = url::Url::parse(link).ok()?;
    let segment = url.path_segments()?.rev().find(|s| !s.is_empty())?;
    let decoded = crate::ingest::permalink::percent_decode(segment);
    let stem = match decoded.rsplit_once('.') {
        Some((stem, "html" | "htm" | "php" | "aspx")) => stem.to_string(),
        _ => decoded,
    };
    Some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntryPodcast, Transcript};

    fn episode(enclosure: Enclosure) -> Entry {
        Entry {
            id: "https://old.example/1".into(),
            title: Some("Eén".into()),
            published: Some(chrono::DateTime::from_timestamp(1_709_625_600, 0).expect("a date")),
            enclosures: vec![enclosure],
            ..Entry::default()
        }
    }

    #[test]
    fn what_the_build_cannot_reproduce_is_said() {
        let mut entry = episode(Enclosure {
            url: "https://cdn.example/1.mp3".into(),
            mime_type: None,
            length: Some(0),
        });
        entry.podcast = EntryPodcast {
            transcripts: vec![Transcript {
                url: "https://cdn.example/1/transcript".into(),
                ..Transcript::default()
            }],
            ..EntryPodcast::default()
        };
        let file = build(&entry, Tz::Europe__Amsterdam).unwrap();
        assert_eq!(
            file.warnings,
            [
                "https://cdn.example/1/transcript: the source gives this transcript no type, and its name shows none; add its `type` in the file, or the build refuses the episode",
                "https://cdn.example/1.mp3: the source gave no enclosure type; wrote `audio/mpeg` from the file name",
                "https://cdn.example/1.mp3: the source gave no usable enclosure length (0); the build will ask the server once",
            ]
        );
        let text = file.front_matter.document("");
        assert_eq!(
            text,
            "---\ntitle: \"Eén\"\ndate: 2024-03-05T09:00:00+01:00\nguid: \"https://old.example/1\"\n\
             audio: \"https://cdn.example/1.mp3\"\ntype: \"audio/mpeg\"\n\
             transcript:\n  - url: \"https://cdn.example/1/transcript\"\n---\n"
        );
    }

    #[test]
    fn an_entry_without_a_date_is_refused() {
        let mut entry = episode(Enclosure::default());
        entry.published = None;
        assert_eq!(
            build(&entry, Tz::UTC).unwrap_err(),
            "`Eén` has no date, which local content needs; it was not imported"
        );
    }
}

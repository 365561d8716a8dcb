//! The podcast half of a Markdown episode: its audio (a local file measured exactly, or a
//! URL whose length and type a server tells us), the iTunes/Podcasting 2.0 fields, and
//! the transcripts and chapters, checked and published beside the feed.
//!
//! A local file's public URL is the media base URL plus its path from the site root,
//! because audio usually lives on a CDN rather than beside the HTML. Front matter
//! `length` and `type` win over what omroep learns; a `duration` that disagrees with the
//! measured audio is a warning, and the measurement is used.

use url::Url;

use super::attachments;
use super::local::Session;
use super::permalink;
use super::post::ItemContext;
use super::reference::{self, Target};
use crate::model::{Chapters, Enclosure, Entry, EntryPodcast, Funding, Transcript};

/// Remote audio whose length or type is still to be asked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub url: String,
    pub line: Option<usize>,
}

/// Fills the episode fields of `entry`; returns the audio URL to ask about, if any.
pub fn apply(
    session: &Session,
    ctx: &mut ItemContext<'_>,
    entry: &mut Entry,
    language: Option<&str>,
) -> Option<Pending> {
    let meta = ctx.meta;
    let mut podcast = EntryPodcast {
        duration_seconds: meta.duration,
        explicit: meta.explicit,
        season: meta.season,
        episode: meta.episode,
        episode_type: meta.episode_type.clone(),
        block: meta.block,
        persons: meta.persons.clone(),
        ..EntryPodcast::default()
    };
    let mut pending = None;
    if let Some(audio) = &meta.audio {
        match ctx.locate(audio) {
            Ok(Target::Local { full, relative }) => {
                local_audio(session, ctx, entry, &mut podcast, &full, &relative);
            }
            Ok(Target::Remote(url)) => {
                pending = remote_audio(session, ctx, entry, &mut podcast, &url);
            }
            Err(message) => ctx.error("audio", message),
        }
    }
    for person in &mut podcast.persons {
        if let Some(img) = person.img.take() {
            person.img = ctx.publish("persons", &img).map(|(url, _)| url);
        }
    }
    for funding in &meta.funding {
        match url::Url::parse(&funding.url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => podcast.funding.push(Funding {
                url: url.to_string(),
                text: funding.text.clone(),
            }),
            _ => ctx.error(
                "funding",
                format!("expected an http(s) URL, found `{}`", funding.url),
            ),
        }
    }
    for transcript in &meta.transcripts {
        if let Some(t) = publish_transcript(ctx, transcript, language) {
            podcast.transcripts.push(t);
        }
    }
    if let Some(chapters) = &meta.chapters {
        podcast.chapters = publish_chapters(ctx, chapters, podcast.duration_seconds);
    }
    entry.podcast = podcast;
    pending
}

fn local_audio(
    session: &Session,
    ctx: &mut ItemContext<'_>,
    entry: &mut Entry,
    podcast: &mut EntryPodcast,
    full: &std::path::Path,
    relative: &std::path::Path,
) {
    let info = match session.probe(full, false) {
        Ok(info) => info,
        Err(message) => {
            let written = ctx.meta.audio.clone().unwrap_or_default();
            ctx.error("audio", format!("`{written}`: {message}"));
            return;
        }
    };
    let url = match permalink::join_path(
        &session.settings.media_base_url,
        &reference::slash_path(relative),
    ) {
        Ok(url) => url.to_string(),
        Err(message) => {
            ctx.error("audio", message);
            return;
        }
    };
    let measured = info.whole_seconds();
    if let Some(given) = ctx.meta.duration
        && given.abs_diff(measured) > 1
    {
        ctx.warning(
            "duration",
            format!("says {given} s, but the audio is {measured} s long; using {measured} s"),
        );
    }
    podcast.duration_seconds = Some(measured);
    if let Some(length) = ctx.meta.length
        && length != info.length
    {
        ctx.warning(
            "length",
            format!(
                "says {length} bytes, but the file has {} bytes; using {length} as you asked",
                info.length
            ),
        );
    }
    if let Some(mime) = &ctx.meta.mime_type
        && *mime != info.mime_type
    {
        ctx.warning(
            "type",
            format!(
                "says {mime}, but the file is {}; using {mime} as you asked",
                info.mime_type
            ),
        );
    }
    entry.enclosures = vec![Enclosure {
        url,
        mime_type: Some(ctx.meta.mime_type.clone().unwrap_or(info.mime_type.clone())),
        length: Some(ctx.meta.length.unwrap_or(info.length)),
    }];
}

fn remote_audio(
    session: &Session,
    ctx: &mut ItemContext<'_>,
    entry: &mut Entry,
    podcast: &mut EntryPodcast,
    url: &Url,
) -> Option<Pending> {
    if podcast.duration_seconds.is_none() {
        ctx.warning(
            "audio",
            "omroep cannot measure remote audio; add `duration` so podcast apps can show it",
        );
    }
    entry.enclosures = vec![Enclosure {
        url: url.to_string(),
        mime_type: ctx.meta.mime_type.clone(),
        length: ctx.meta.length,
    }];
    if ctx.meta.mime_type.is_some() && ctx.meta.length.is_some() {
        return None;
    }
    let pending = Pending {
        url: url.to_string(),
        line: ctx.meta.line("audio"),
    };
    // Known from an earlier run (or source): fill it in now.
    if fill_remote(session, entry, &pending).is_some() {
        return None;
    }
    Some(pending)
}

/// Fills a remote enclosure's missing length/type from the session's cache; `None` when
/// the cache has no (usable) answer.
pub fn fill_remote(session: &Session, entry: &mut Entry, pending: &Pending) -> Option<()> {
    if session.refresh_remote_media && !session.asked.contains(&pending.url) {
        return None;
    }
    let known = super::local::lock(&session.remote).get(&pending.url)?;
    let enclosure = entry.enclosures.first_mut()?;
    enclosure.length = enclosure.length.or(Some(known.length));
    if enclosure.mime_type.is_none() {
        enclosure.mime_type = known
            .mime_type
            .filter(|t| t.starts_with("audio/") || t.starts_with("video/"))
            .or_else(|| type_from_extension(&pending.url).map(str::to_string));
    }
    Some(())
}

/// Our enclosure type table, by extension, for servers that say `application/octet-stream`.
pub fn type_from_extension(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "mp3" => "audio/mpeg",
        "m4a" | "m4b" => "audio/x-m4a",
        "mp4" | "m4v" => "video/mp4",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "flac" => "audio/flac",
        "wav" => "audio/wav",
        "aac" => "audio/aac",
        _ => return None,
    })
}

fn publish_transcript(
    ctx: &mut ItemContext<'_>,
    written: &super::fields::TranscriptRef,
    language: Option<&str>,
) -> Option<Transcript> {
    let mime = written
        .mime_type
        .clone()
        .or_else(|| attachments::transcript_type(&written.href).map(str::to_string));
    let Some(mime) = mime else {
        ctx.error(
            "transcript",
            format!("cannot tell the type of `{}`; use .vtt, .srt, .json, .html or .txt, or give its `type`", written.href),
        );
        return None;
    };
    let (url, target) = ctx.publish("transcript", &written.href)?;
    if let Some(Target::Local { full, .. }) = &target {
        match read_small(full) {
            Ok(bytes) => {
                if let Err(message) = attachments::check_transcript(&bytes, &mime) {
                    ctx.error("transcript", format!("`{}` {message}", written.href));
                    return None;
                }
            }
            Err(message) => {
                ctx.error("transcript", format!("`{}` {message}", written.href));
                return None;
            }
        }
    }
    let captions = matches!(mime.as_str(), "text/vtt" | "application/x-subrip");
    Some(Transcript {
        url,
        mime_type: Some(mime),
        language: written.language.clone().or(language.map(str::to_string)),
        rel: written
            .rel
            .clone()
            .or(captions.then(|| "captions".to_string())),
    })
}

fn publish_chapters(
    ctx: &mut ItemContext<'_>,
    href: &str,
    duration: Option<u64>,
) -> Option<Chapters> {
    let (url, target) = ctx.publish("chapters", href)?;
    if let Some(Target::Local { full, .. }) = &target {
        let checked = read_small(full).and_then(|bytes| attachments::check_chapters(&bytes));
        match checked {
            Ok(summary) => {
                if let Some(duration) = duration
                    && summary.last_start > duration as f64
                {
                    ctx.warning(
                        "chapters",
                        format!(
                            "the last chapter starts at {} s, after the audio ends at {duration} s",
                            summary.last_start
                        ),
                    );
                }
            }
            Err(message) => {
                ctx.error("chapters", format!("`{href}` {message}"));
                return None;
            }
        }
    }
    Some(Chapters {
        url,
        mime_type: Some(attachments::CHAPTERS_TYPE.to_string()),
    })
}

fn read_small(full: &std::path::Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(full).map_err(|e| format!("cannot be read: {e}"))?;
    if meta.len() > attachments::MAX_BYTES {
        return Err(format!(
            "is {} bytes, more than the {} an attachment may have",
            meta.len(),
            attachments::MAX_BYTES
        ));
    }
    std::fs::read(full).map_err(|e| format!("cannot be read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enclosure_types_from_our_table() {
        assert_eq!(
            type_from_extension("https://cdn.example/a/ep1.MP3?x=1"),
            Some("audio/mpeg")
        );
        assert_eq!(
            type_from_extension("https://cdn.example/ep1.m4a"),
            Some("audio/x-m4a")
        );
        assert_eq!(
            type_from_extension("https://cdn.example/ep1.opus"),
            Some("audio/opus")
        );
        assert_eq!(type_from_extension("https://cdn.example/ep1"), None);
    }
}

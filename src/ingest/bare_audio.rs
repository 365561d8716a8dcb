//! A bare audio file (no Markdown beside it) → one episode, from its tags alone: title,
//! artist (the author), track (episode number), disc (season), date, comment (the
//! summary) and the embedded cover (the episode image, published as an asset).
//!
//! Such an episode has no page of its own, so its identity is its enclosure URL (a guid
//! that is not a permalink). Title and a full date are required: a file without them
//! is an error that says which tag to add.

use std::path::Path;

use super::audio::AudioInfo;
use super::local::{Asset, HeldBack, ItemKind, LocalItem, Problem, Session};
use super::permalink;
use super::reference;
use crate::model::{Enclosure, Entry, EntryPodcast, Image, Person};

/// The file extensions a bare audio folder is searched for (the type itself is sniffed).
pub const EXTENSIONS: &[&str] = &["mp3", "m4a", "m4b", "mp4", "ogg", "oga", "opus", "flac"];

/// What became of one audio file.
pub enum AudioOutcome {
    Item(Box<LocalItem>, Vec<Problem>),
    Held(HeldBack, Vec<Problem>),
    Failed(Vec<Problem>),
}

/// Reads the audio file at `relative` (to the site root) as an episode.
pub fn read(session: &Session, relative: &Path) -> AudioOutcome {
    let settings = session.settings.clone();
    let full = settings.site_root.join(relative);
    let mut problems = Vec::new();
    let info = match session.probe(&full, true) {
        Ok(info) => info,
        Err(message) => return AudioOutcome::Failed(vec![Problem::error(relative, message)]),
    };
    let tag_error = |message: &str| Problem::error(relative, message);
    let title = info.tags.title.clone();
    if title.is_none() {
        problems.push(tag_error(
            "no title tag; add one with a tag editor, or describe the episode in a Markdown file with `audio:`",
        ));
    }
    let date = match &info.tags.date {
        None => {
            problems.push(tag_error(
                "no date tag; add the publication date (such as 2024-03-05) with a tag editor",
            ));
            None
        }
        Some(raw) => match super::fields::parse_date(raw, settings.timezone) {
            Some(date) => Some(date),
            None => {
                problems.push(tag_error(
                    &format!("the date tag `{raw}` is not a full date; an episode needs one such as 2024-03-05"),
                ));
                None
            }
        },
    };
    let (Some(title), Some(date)) = (title, date) else {
        return AudioOutcome::Failed(problems);
    };
    let url = match permalink::join_path(&settings.media_base_url, &reference::slash_path(relative))
    {
        Ok(url) => url.to_string(),
        Err(message) => return AudioOutcome::Failed(vec![Problem::error(relative, message)]),
    };
    let mut assets = Vec::new();
    let image = cover(
        &settings.base_url,
        relative,
        &info,
        &mut assets,
        &mut problems,
    );
    if date > settings.now {
        return AudioOutcome::Held(HeldBack::Scheduled(date), problems);
    }
    let authors = match &info.tags.artist {
        Some(artist) => vec![Person {
            name: Some(crate::normalise::text::plain(artist)),
            ..Person::default()
        }],
        None => settings.author.iter().cloned().collect(),
    };
    let language = settings
        .language
        .as_deref()
        .and_then(crate::normalise::language::normalise);
    let entry = Entry {
        id: url.clone(),
        guid: Some(url.clone()),
        guid_is_permalink: Some(false),
        title: Some(crate::normalise::text::plain(&title)),
        summary: info
            .tags
            .comment
            .as_deref()
            .map(crate::normalise::text::plain)
            .filter(|s| !s.is_empty()),
        published: Some(date),
        authors,
        image,
        enclosures: vec![Enclosure {
            url,
            mime_type: Some(info.mime_type.clone()),
            length: Some(info.length),
        }],
        podcast: EntryPodcast {
            duration_seconds: Some(info.whole_seconds()),
            episode: info.tags.track.filter(|&n| n >= 1),
            season: info.tags.disc.filter(|&n| n >= 1),
            ..EntryPodcast::default()
        },
        ..Entry::default()
    };
    AudioOutcome::Item(
        Box::new(LocalItem {
            entry,
            kind: ItemKind::Episode,
            language,
            path: relative.to_path_buf(),
            tags: Vec::new(),
            assets,
        }),
        problems,
    )
}

/// The embedded cover, published as `<audio path>.jpg`/`.png` under the site's base URL
/// and checked against Apple's artwork rules.
fn cover(
    base_url: &url::Url,
    relative: &Path,
    info: &AudioInfo,
    assets: &mut Vec<Asset>,
    problems: &mut Vec<Problem>,
) -> Option<Image> {
    let cover = info.tags.cover.as_ref()?;
    let ext = if cover.mime_type == "image/png" {
        "png"
    } else {
        "jpg"
    };
    let output = reference::slash_path(&relative.with_extension(ext));
    let url = permalink::join_path(base_url, &output).ok()?;
    match super::artwork::read(&cover.path) {
        Ok(art) => {
            for warning in super::artwork::warnings(&art) {
                problems.push(Problem::warning(
                    relative,
                    format!("the embedded cover {warning}"),
                ));
            }
        }
        Err(message) => {
            problems.push(Problem::warning(
                relative,
                format!("the embedded cover: {message}; it is left out"),
            ));
            return None;
        }
    }
    assets.push(Asset {
        source: cover.path.clone(),
        output,
    });
    Some(Image {
        url: url.to_string(),
        ..Image::default()
    })
}

//! Ingest: everything that turns outside input into the normalised model.
//!
//! `feed` parses documents in any feed dialect. Local content goes through `local`
//! (the public API: [`collect_markdown`], [`collect_audio`], [`Session`]): `collect` finds
//! the files (`name_glob` matches the usual patterns by file name), `post` reads a
//! Markdown file (`frontmatter` splits and parses it, `fields` types each field,
//! `markdown` renders the body, `permalink` places it on the site), `episode` adds the
//! podcast parts (`audio`/`mp3`/`mp4_boxes` measure local audio, `remote_media` asks
//! servers about remote audio, `attachments` checks transcripts and chapters, `artwork`
//! checks images), and `bare_audio` turns a tagged audio file into an episode on its
//! own. `reference` keeps every referenced path inside the site, and `file_cache` is the
//! seam through which the store skips unchanged files. `document`
//! reads the one file, standard input or URL that `parse` and `import` are pointed at.

pub mod ahead;
pub mod artwork;
pub mod attachments;
pub mod audio;
pub mod bare_audio;
pub mod collect;
pub mod document;
pub mod episode;
pub mod feed;
pub mod fields;
pub mod file_cache;
pub mod frontmatter;
pub mod local;
pub mod markdown;
pub mod mp3;
pub mod mp4_boxes;
mod name_glob;
pub mod parse_pool;
pub mod permalink;
pub mod post;
pub mod reference;
pub mod remote_media;

pub use ahead::Listings;
pub use file_cache::{
    CachedAudio, CachedDocument, Dependencies, FileCache, FileStamp, Freshness, MemoryFileCache,
};
pub use local::{
    Asset, Collected, FileRead, HeldBack, ItemKind, LocalItem, LocalSettings, Problem, Session,
    collect_audio, collect_markdown,
};
pub mod remote;
pub mod run;

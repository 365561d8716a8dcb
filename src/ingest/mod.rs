//! Ingest: everything that turns outside input into the normalised model.
//!
//! `feed` parses documents in any feed dialect; later parts add remote fetching and
//! local content (Markdown posts, audio files).

pub mod feed;
pub mod remote;
pub mod run;

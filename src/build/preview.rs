//! What a build would publish for each feed, rendered in memory and written nowhere: the
//! input of `omroep diff`.
//!
//! It takes the same steps as [`super::run`] for one feed (collect the entries, apply the
//! limit, build the channel model with the `podcast:guid` the ledger pins, render) but
//! stages nothing, skips the ledger check (the diff reports identity changes itself, by
//! comparing with what is published) and does not save the remote-media cache either.
//! (Reading audio files may still fill the cover cache under `.omroep/covers`, as any
//! build does; it is derived data, never an output.)
//! Only each feed's main format is rendered: the one subscribers use (see
//! [`channel::main_format`]); the other formats carry the same entries.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::{channel, collect};
use crate::config::{OutputFormat, Site};
use crate::ledger::Ledger;

/// One feed as the next build would write it.
#[derive(Debug)]
pub struct FeedPreview {
    /// The feed's name (its definition's file stem).
    pub name: String,
    /// The format compared: the feed's main one.
    pub format: OutputFormat,
    /// The output file, relative to the output folder.
    pub path: String,
    /// The rendered bytes, or the errors that would stop the build from rebuilding it.
    pub rendered: std::result::Result<Vec<u8>, Vec<String>>,
}

/// Every feed of the site, sorted by name, and the warnings collecting them gave.
#[derive(Debug, Default)]
pub struct Preview {
    pub feeds: Vec<FeedPreview>,
    pub warnings: Vec<String>,
}

/// Renders each feed's main format in memory, with entries due at `now`.
pub fn render(site: &Site, now: DateTime<Utc>) -> Result<Preview> {
    let ledger = Ledger::read(&site.ledger)?;
    let has_remote = site.feeds.iter().any(|feed| feed.has_remote_sources());
    let store = if site.store.is_file() {
        Some(crate::store::Store::open(&site.store).with_context(|| {
            format!(
                "{}: could not open the store of fetched sources",
                site.store.display()
            )
        })?)
    } else {
        None
    };
    let mut preview = Preview::default();
    // What earlier builds remembered of the content files only saves reading them; a
    // store that cannot give it costs time, not correctness. The preview writes nothing.
    let files = store
        .as_ref()
        .and_then(|store| store.local_files().ok())
        .unwrap_or_default();
    let remote_store = store.as_ref().filter(|_| has_remote);
    let mut collector =
        collect::Collector::new(site, now, remote_store, std::sync::Arc::new(files));
    for feed in &site.feeds {
        let found = collector.feed(feed);
        preview.warnings.extend(found.warnings.iter().cloned());
        let format = channel::main_format(feed);
        let path = feed.output_file(format);
        let rendered = if found.errors.is_empty() {
            let guid = channel::podcast_guid(site, feed, ledger.podcast_guid(&feed.name));
            let entries = found
                .items
                .into_iter()
                .take(found.published)
                .map(|item| item.entry)
                .collect();
            let model = channel::build(site, feed, entries, guid);
            preview.warnings.extend(model.warnings.iter().cloned());
            match channel::render(site, feed, &model.feed, format).content {
                crate::publish::Content::Bytes(bytes) => Ok(bytes),
                crate::publish::Content::Copy(source) => Err(vec![format!(
                    "{}: a feed rendered as a file copy; this is a bug in omroep",
                    source.display()
                )]),
            }
        } else {
            Err(found.errors)
        };
        preview.feeds.push(FeedPreview {
            name: feed.name.clone(),
            format,
            path,
            rendered,
        });
    }
    // The collector is dropped without `finish`: a preview saves no cache.
    drop(collector);
    preview.feeds.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(preview)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_example_site_without_writing() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = root.join("omroep.toml");
        let mut site = crate::config::load(&file, root).expect("the example site loads");
        // Outputs and state elsewhere, so the test proves nothing is written there.
        site.output = dir.path().join("public");
        site.ledger = dir.path().join("ledger");
        let preview = render(&site, Utc::now()).expect("the preview renders");
        let names: Vec<&str> = preview.feeds.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["blog-en", "blog-nl", "podcast"]);
        let podcast = &preview.feeds[2];
        assert_eq!(podcast.format, OutputFormat::Podcast);
        assert_eq!(podcast.path, "podcast/podcast.xml");
        let bytes = podcast.rendered.as_ref().expect("the podcast renders");
        let text = String::from_utf8_lossy(bytes);
        assert!(text.contains("<podcast:guid>"), "{text}");
        assert!(!site.output.exists() && !site.ledger.exists());
    }
}

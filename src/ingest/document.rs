//! Reading one document the user names on the command line: a file path, `-` for
//! standard input, or an http(s) URL (`http`). `omroep parse` and `omroep import` read
//! their sources through this, so both enforce the same size cap the same way and give
//! the parser the same facts about where a document came from (its URL as base, the
//! HTTP charset and language).
//!
//! The cron path's fetcher (`ingest::remote`) is a different thing: it keeps validators
//! in the store, asks conditionally and runs many requests at once.

pub mod http;

use std::io::Read;

use anyhow::{Context, Result};
use url::Url;

use crate::ingest::feed::{self, ParseOptions};

/// Whether a source names an http(s) URL rather than a file.
pub fn is_url(source: &str) -> bool {
    let lower = source.get(..8).unwrap_or(source).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Reads a file, refusing one over the limit before reading it when its size is known.
pub fn read_capped(path: &str, max_bytes: usize) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .map_err(|error| anyhow::anyhow!("{path}: could not open ({error}); check the path"))?;
    if let Ok(metadata) = file.metadata() {
        if metadata.is_dir() {
            anyhow::bail!("{path}: is a folder, not a feed file");
        }
        if metadata.len() > max_bytes as u64 {
            return Err(feed::ParseError::TooLarge {
                size: usize::try_from(metadata.len()).unwrap_or(usize::MAX),
                limit: max_bytes,
            })
            .with_context(|| path.to_string());
        }
    }
    read_limited(file, max_bytes).with_context(|| format!("{path}: could not read"))
}

/// Reads standard input up to one byte past the limit (the parser refuses what is over).
pub fn read_stdin(max_bytes: usize) -> Result<Vec<u8>> {
    read_limited(std::io::stdin().lock(), max_bytes).context("standard input: could not read")
}

fn read_limited(reader: impl Read, max_bytes: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(max_bytes as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads URLs with one HTTP client, started on the first URL (a run that reads only
/// files never starts a runtime).
#[derive(Default)]
pub struct UrlReader {
    fetcher: Option<http::Fetcher>,
}

impl UrlReader {
    /// GETs `url` (at most `max_bytes`), and the parse options that say where the
    /// document came from. Errors name the URL.
    pub fn get(&mut self, url: &Url, max_bytes: usize) -> Result<(http::Fetched, ParseOptions)> {
        let fetcher = match &mut self.fetcher {
            Some(fetcher) => fetcher,
            empty => empty.insert(http::Fetcher::new()?),
        };
        let fetched = fetcher
            .get(url, max_bytes)
            .with_context(|| url.to_string())?;
        let options = ParseOptions {
            max_bytes,
            base_url: Some(fetched.base_url.clone()),
            http_charset: fetched.charset.clone(),
            http_language: fetched.language.clone(),
        };
        Ok((fetched, options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths_by_their_scheme_in_any_case() {
        assert!(is_url("https://example.org/feed"));
        assert!(is_url("HTTP://example.org/feed"));
        assert!(!is_url("feeds/blog.xml"));
        assert!(!is_url("ftp://example.org/feed"));
        assert!(!is_url("http:"));
    }

    #[test]
    fn a_file_over_the_cap_is_refused_before_it_is_read() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("big.xml");
        std::fs::write(&path, vec![b' '; 64]).unwrap();
        let shown = path.to_string_lossy();
        let error = read_capped(&shown, 10).unwrap_err();
        assert!(format!("{error:#}").contains("big.xml"), "{error:#}");
        assert_eq!(read_capped(&shown, 64).unwrap().len(), 64);
        let error = read_capped(&folder.path().to_string_lossy(), 10).unwrap_err();
        assert!(error.to_string().contains("is a folder"), "{error}");
    }
}

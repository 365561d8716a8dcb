//! The seam through which a store remembers what was learned from local files, so that
//! unchanged files are not read again on the next run.
//!
//! Two things are remembered. An audio probe (a frame-by-frame MP3 scan, tags, cover),
//! keyed by the file's size and modification time ([`FileStamp`]). And a whole Markdown
//! file's [`Outcome`], kept as a [`CachedDocument`] with every
//! file it depended on (the Markdown itself, its audio, transcripts, chapters, images,
//! and the files a relative link could have named but did not exist) and the settings
//! it was read with: while all of those are unchanged, the outcome is reused without
//! reading anything but file metadata.
//!
//! The SQLite store (issue 5) implements [`FileCache`] across runs and may add a content
//! hash check when only an mtime changed (a git checkout touches every mtime). Until then
//! [`MemoryFileCache`] keeps both for as long as it lives: one run, or several sessions
//! that share it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::audio::AudioInfo;
use super::post::Outcome;

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileStamp {
    pub size: u64,
    pub modified: Option<SystemTime>,
}

impl FileStamp {
    /// The stamp of the file at `path` as it is now.
    pub fn of(path: &Path) -> std::io::Result<FileStamp> {
        let meta = std::fs::metadata(path)?;
        Ok(FileStamp {
            size: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// The files an outcome depended on, each with its stamp when it was read (`None`: it
/// did not exist, and its appearing must invalidate the outcome).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependencies(Vec<(PathBuf, Option<FileStamp>)>);

impl Dependencies {
    /// Notes the current state of the file at `path` (a full path).
    pub fn record(&mut self, path: &Path) {
        if self.0.iter().any(|(known, _)| known == path) {
            return;
        }
        self.0.push((path.to_path_buf(), FileStamp::of(path).ok()));
    }

    /// Whether every file is as it was: same size and mtime, or still absent.
    pub fn unchanged(&self) -> bool {
        self.unchanged_by(&mut |path| FileStamp::of(path).ok())
    }

    /// As [`Dependencies::unchanged`], with the stamps given by `stamp` (which may
    /// remember them for the rest of a run: many files share one artwork).
    pub fn unchanged_by(&self, stamp: &mut dyn FnMut(&Path) -> Option<FileStamp>) -> bool {
        self.0.iter().all(|(path, known)| stamp(path) == *known)
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.0.iter().map(|(path, _)| path.as_path())
    }
}

/// A Markdown file's outcome and what it depended on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedDocument {
    /// The settings it was read with ([`super::local::LocalSettings::cache_key`]).
    pub settings_key: String,
    pub dependencies: Dependencies,
    /// Its date and whether that was after `now` when it was read: an outcome is valid
    /// only while `now` stays on the same side of the date.
    pub date: Option<DateTime<Utc>>,
    pub was_future: bool,
    pub outcome: Outcome,
}

impl CachedDocument {
    /// Whether the outcome still holds for these settings at `now`, with file stamps
    /// from `stamp`.
    pub fn is_valid(
        &self,
        settings_key: &str,
        now: DateTime<Utc>,
        stamp: &mut dyn FnMut(&Path) -> Option<FileStamp>,
    ) -> bool {
        self.settings_key == settings_key
            && self.date.is_none_or(|date| (date > now) == self.was_future)
            && self.dependencies.unchanged_by(stamp)
    }
}

/// Remembers audio probes and Markdown outcomes by file.
pub trait FileCache {
    /// The probe of `path` if the cache knows this version of the file.
    fn audio(&self, path: &Path, stamp: &FileStamp) -> Option<AudioInfo>;
    /// Remembers the probe of this version of `path`.
    fn put_audio(&mut self, path: &Path, stamp: FileStamp, info: &AudioInfo);
    /// The last outcome of the Markdown file at `path` (a full path); the caller checks
    /// that it is still valid. (Shared, so a cache in memory hands it out without a copy.)
    fn document(&self, path: &Path) -> Option<Arc<CachedDocument>> {
        let _ = path;
        None
    }
    /// Remembers the outcome of the Markdown file at `path`.
    fn put_document(&mut self, path: &Path, document: Arc<CachedDocument>) {
        let _ = (path, document);
    }
}

/// A cache shared by several sessions (one per feed language, say): each holds a clone
/// of the `Arc`.
impl<T: FileCache> FileCache for Arc<std::sync::Mutex<T>> {
    fn audio(&self, path: &Path, stamp: &FileStamp) -> Option<AudioInfo> {
        self.lock().ok()?.audio(path, stamp)
    }

    fn put_audio(&mut self, path: &Path, stamp: FileStamp, info: &AudioInfo) {
        if let Ok(mut cache) = self.lock() {
            cache.put_audio(path, stamp, info);
        }
    }

    fn document(&self, path: &Path) -> Option<Arc<CachedDocument>> {
        self.lock().ok()?.document(path)
    }

    fn put_document(&mut self, path: &Path, document: Arc<CachedDocument>) {
        if let Ok(mut cache) = self.lock() {
            cache.put_document(path, document);
        }
    }
}

/// A cache that lives as long as the value: one run, or several sessions sharing it.
#[derive(Debug, Default)]
pub struct MemoryFileCache {
    audio: HashMap<PathBuf, (FileStamp, AudioInfo)>,
    documents: HashMap<PathBuf, Arc<CachedDocument>>,
}

impl FileCache for MemoryFileCache {
    fn audio(&self, path: &Path, stamp: &FileStamp) -> Option<AudioInfo> {
        self.audio
            .get(path)
            .filter(|(known, _)| known == stamp)
            .map(|(_, info)| info.clone())
    }

    fn put_audio(&mut self, path: &Path, stamp: FileStamp, info: &AudioInfo) {
        self.audio.insert(path.to_path_buf(), (stamp, info.clone()));
    }

    fn document(&self, path: &Path) -> Option<Arc<CachedDocument>> {
        self.documents.get(path).cloned()
    }

    fn put_document(&mut self, path: &Path, document: Arc<CachedDocument>) {
        self.documents.insert(path.to_path_buf(), document);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_notice_changes_and_appearing_files() {
        let dir = tempfile::tempdir().unwrap();
        let present = dir.path().join("a.md");
        let absent = dir.path().join("b.jpg");
        std::fs::write(&present, "one").unwrap();
        let mut deps = Dependencies::default();
        deps.record(&present);
        deps.record(&absent);
        deps.record(&present);
        assert_eq!(deps.paths().count(), 2);
        assert!(deps.unchanged());
        std::fs::write(&absent, "new").unwrap();
        assert!(!deps.unchanged(), "a file that appeared");
        std::fs::remove_file(&absent).unwrap();
        assert!(deps.unchanged());
        std::fs::write(&present, "longer").unwrap();
        assert!(!deps.unchanged(), "a file that grew");
    }

    #[test]
    fn a_shared_cache_serves_every_session_holding_it() {
        let shared = Arc::new(std::sync::Mutex::new(MemoryFileCache::default()));
        let mut one: Box<dyn FileCache> = Box::new(shared.clone());
        let two: Box<dyn FileCache> = Box::new(shared.clone());
        let stamp = FileStamp {
            size: 1,
            modified: None,
        };
        one.put_audio(Path::new("a.mp3"), stamp, &AudioInfo::default());
        assert_eq!(
            two.audio(Path::new("a.mp3"), &stamp),
            Some(AudioInfo::default())
        );
    }

    #[test]
    fn a_changed_stamp_misses() {
        let mut cache = MemoryFileCache::default();
        let stamp = FileStamp {
            size: 10,
            modified: None,
        };
        let info = AudioInfo {
            length: 10,
            ..AudioInfo::default()
        };
        cache.put_audio(Path::new("a.mp3"), stamp, &info);
        assert_eq!(cache.audio(Path::new("a.mp3"), &stamp), Some(info));
        let grown = FileStamp { size: 11, ..stamp };
        assert_eq!(cache.audio(Path::new("a.mp3"), &grown), None);
        assert_eq!(cache.audio(Path::new("b.mp3"), &stamp), None);
    }
}

//! The seam through which a store remembers what was learned from local audio files, so
//! that an unchanged file is not read again on the next run.
//!
//! Reading an episode's audio (a frame-by-frame MP3 scan, its tags, its cover) is the one
//! expensive step of local ingest. A [`FileCache`] is asked first, with the file's size
//! and modification time; the SQLite store (issue 5) implements it and may fall back to a
//! content hash when only the mtime changed (a git checkout touches every mtime). Until
//! then [`MemoryFileCache`] keeps probes for one run, so a file shared by two feeds is
//! read once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::audio::AudioInfo;

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// Remembers audio probes by file.
pub trait FileCache {
    /// The probe of `path` if the cache knows this version of the file.
    fn audio(&self, path: &Path, stamp: &FileStamp) -> Option<AudioInfo>;
    /// Remembers the probe of this version of `path`.
    fn put_audio(&mut self, path: &Path, stamp: FileStamp, info: &AudioInfo);
}

/// A cache that lives as long as the run.
#[derive(Debug, Default)]
pub struct MemoryFileCache {
    audio: HashMap<PathBuf, (FileStamp, AudioInfo)>,
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
}

#[cfg(test)]
mod tests {
    use super::*;

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

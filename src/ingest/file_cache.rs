//! The seam through which a store remembers what was learned from local files, so that
//! unchanged files are not read again on the next run.
//!
//! Two things are remembered. An audio probe (a frame-by-frame MP3 scan, tags, cover) as
//! a [`CachedAudio`], and a whole Markdown file's [`Outcome`] as a [`CachedDocument`]
//! with every file it depended on (the Markdown itself, its audio, transcripts,
//! chapters, images, and the files a relative link could have named but did not exist)
//! and the settings it was read with.
//!
//! Whether a file is unchanged is decided the cheap way first: the same size and
//! modification time ([`FileStamp`]) means unchanged, without reading it. A different
//! size means changed. The same size with another mtime (a `git checkout` or `touch`
//! sets every mtime) is settled by the SHA-256 of the content, kept beside the stamp:
//! the same hash means the remembered result still holds, and the caller stores the
//! fresh stamp so that the next run need not hash again. A stamp whose mtime is not
//! clearly before the run's start is stored without it ([`FileStamp::settled`]), so the
//! next run hashes that file rather than trust a stamp an edit may have left alike.
//!
//! [`MemoryFileCache`] keeps both for as long as it lives; the SQLite store
//! (`store::local_files`) keeps them across runs. A cache is shared by every session
//! of a run and by the threads reading files, so it takes `&self` throughout.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
        Ok(FileStamp::of_metadata(&std::fs::metadata(path)?))
    }

    /// The stamp `meta` describes.
    pub fn of_metadata(meta: &std::fs::Metadata) -> FileStamp {
        FileStamp {
            size: meta.len(),
            modified: meta.modified().ok(),
        }
    }

    /// This stamp as a run that started at `started` may remember it beside what it
    /// read: kept when its mtime is clearly before the start, else with no mtime.
    /// File systems date writes by a coarse clock (whole seconds on some), so an edit
    /// in the same tick as the reading that keeps the size leaves size and mtime as
    /// they were, and a stamp remembered with the old content's result would hold it
    /// for good. Without an mtime the next run's stamp differs from this one, and the
    /// content's hash decides ([`Freshness`]).
    pub fn settled(self, started: SystemTime) -> FileStamp {
        let cut = started.checked_sub(SETTLED);
        let settled = matches!((self.modified, cut), (Some(modified), Some(cut)) if modified < cut);
        if settled {
            self
        } else {
            FileStamp {
                modified: None,
                ..self
            }
        }
    }
}

/// How long before a run's start a file's mtime must lie for its stamp alone to vouch
/// for its content next run ([`FileStamp::settled`]).
const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);

/// SHA-256 of `bytes`, lower-case hex.
pub fn hash_bytes(bytes: &[u8]) -> String {
    crate::store::hex_sha256(bytes)
}

/// SHA-256 of the file at `path`, read in pieces (audio files can be large).
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buffer)? {
            0 => break,
            n => hasher.update(&buffer[..n]),
        }
    }
    Ok(crate::store::to_hex(&hasher.finalize()))
}

/// The hash of the file at `path`, taken between two identical stamps: a file that
/// changed while it was hashed gets no hash (and is read again next time), never a
/// hash that belongs to another version than the stamp says.
pub fn hash_stable(path: &Path, before: &FileStamp) -> Option<String> {
    let hash = hash_file(path).ok()?;
    (FileStamp::of(path).ok().as_ref() == Some(before)).then_some(hash)
}

/// One file an outcome depended on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    pub path: PathBuf,
    /// Its stamp when it was read; `None`: it did not exist, and its appearing must
    /// invalidate the outcome.
    pub stamp: Option<FileStamp>,
    /// The SHA-256 of its content when it was read, when known.
    #[serde(default)]
    pub hash: Option<String>,
}

/// How a remembered result compares with the files as they are now.
#[derive(Debug, Clone, PartialEq)]
pub enum Freshness<T> {
    /// Every file has the stamp it had.
    Same,
    /// Some files only got a new mtime, and their content hashes are what they were:
    /// the result holds, and this is it with the fresh stamps, to be remembered.
    Touched(T),
    /// Something changed: read again.
    Changed,
}

/// Compares a remembered stamp and hash with the file as it is now (`now`), hashing it
/// (`hash`) only when the size is the same and the mtime is not.
fn compare(
    known: Option<&FileStamp>,
    known_hash: Option<&str>,
    now: Option<FileStamp>,
    hash: &mut dyn FnMut(&FileStamp) -> Option<String>,
) -> Freshness<FileStamp> {
    match (known, now) {
        (None, None) => Freshness::Same,
        (Some(known), Some(now)) if *known == now => Freshness::Same,
        (Some(known), Some(now)) if known.size == now.size => match known_hash {
            Some(expected) if hash(&now).as_deref() == Some(expected) => Freshness::Touched(now),
            _ => Freshness::Changed,
        },
        _ => Freshness::Changed,
    }
}

/// The files an outcome depended on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependencies(Vec<Dependency>);

impl Dependencies {
    /// The files of a remembered outcome as they were stored, in their order.
    pub(crate) fn from_stored(stored: Vec<Dependency>) -> Dependencies {
        Dependencies(stored)
    }

    /// Notes the current state of the file at `path` (a full path); its hash is added
    /// by [`Dependencies::fill_hashes`] once the reading is done.
    pub fn record(&mut self, path: &Path) {
        if self.0.iter().any(|known| known.path == path) {
            return;
        }
        self.0.push(Dependency {
            path: path.to_path_buf(),
            stamp: FileStamp::of(path).ok(),
            hash: None,
        });
    }

    /// As [`Dependencies::record`], with the file's stamp already taken (`None`: it did
    /// not exist).
    pub fn record_stamp(&mut self, path: &Path, stamp: Option<FileStamp>) {
        if self.0.iter().any(|known| known.path == path) {
            return;
        }
        self.0.push(Dependency {
            path: path.to_path_buf(),
            stamp,
            hash: None,
        });
    }

    /// Notes a file whose `bytes` were read (its stamp taken before reading them).
    pub fn record_read(&mut self, path: &Path, stamp: FileStamp, bytes: &[u8]) {
        let hash = Some(hash_bytes(bytes));
        match self.0.iter_mut().find(|known| known.path == path) {
            Some(known) => {
                known.stamp = Some(stamp);
                known.hash = hash;
            }
            None => self.0.push(Dependency {
                path: path.to_path_buf(),
                stamp: Some(stamp),
                hash,
            }),
        }
    }

    /// Every stamp [`FileStamp::settled`] by a run that started at `started`, before
    /// the dependencies are remembered.
    pub fn settle(&mut self, started: SystemTime) {
        for known in &mut self.0 {
            known.stamp = known.stamp.map(|stamp| stamp.settled(started));
        }
    }

    /// Adds the content hash of every existing file that has none yet, from `hash`
    /// (given the path and the recorded stamp; `None` when it changed meanwhile).
    pub fn fill_hashes(&mut self, hash: &mut dyn FnMut(&Path, &FileStamp) -> Option<String>) {
        for known in &mut self.0 {
            if let (Some(stamp), None) = (&known.stamp, &known.hash) {
                known.hash = hash(&known.path, stamp);
            }
        }
    }

    /// Whether every file is as it was: same size and mtime, or still absent.
    pub fn unchanged(&self) -> bool {
        self.unchanged_by(&mut |path| FileStamp::of(path).ok())
    }

    /// As [`Dependencies::unchanged`], with the stamps given by `stamp` (which may
    /// remember them for the rest of a run: many files share one artwork).
    pub fn unchanged_by(&self, stamp: &mut dyn FnMut(&Path) -> Option<FileStamp>) -> bool {
        self.0.iter().all(|known| stamp(&known.path) == known.stamp)
    }

    /// Compares every file with its current stamp (`stamp`), hashing (`hash`) those
    /// whose size is the same but whose mtime is not.
    pub fn freshness(
        &self,
        stamp: &mut dyn FnMut(&Path) -> Option<FileStamp>,
        hash: &mut dyn FnMut(&Path, &FileStamp) -> Option<String>,
    ) -> Freshness<Dependencies> {
        let mut touched: Option<Dependencies> = None;
        for (index, known) in self.0.iter().enumerate() {
            let now = stamp(&known.path);
            let mut hash_now = |now: &FileStamp| hash(&known.path, now);
            match compare(
                known.stamp.as_ref(),
                known.hash.as_deref(),
                now,
                &mut hash_now,
            ) {
                Freshness::Same => {}
                Freshness::Touched(now) => {
                    touched.get_or_insert_with(|| self.clone()).0[index].stamp = Some(now);
                }
                Freshness::Changed => return Freshness::Changed,
            }
        }
        match touched {
            Some(fresh) => Freshness::Touched(fresh),
            None => Freshness::Same,
        }
    }

    /// The hash recorded for `path` when it had this `stamp`, if one was.
    pub fn known_hash(&self, path: &Path, stamp: &FileStamp) -> Option<String> {
        self.0
            .iter()
            .find(|known| known.path == path && known.stamp.as_ref() == Some(stamp))
            .and_then(|known| known.hash.clone())
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.0.iter().map(|known| known.path.as_path())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Dependency> {
        self.0.iter()
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
    #[serde(default, deserialize_with = "stored_date::deserialize")]
    pub date: Option<DateTime<Utc>>,
    pub was_future: bool,
    pub outcome: Outcome,
}

/// A [`CachedDocument`]'s date read back as chrono's own `Deserialize` reads it (RFC 3339,
/// relaxed, with chrono's messages), but for the spelling chrono writes a whole second
/// in, which is read without chrono's general parser (figures in BENCHMARKS.md).
pub(crate) mod stored_date {
    use chrono::{DateTime, FixedOffset, Utc};
    use serde::Deserializer;

    use crate::model::utc_seconds::{OptionalText, parse_exact};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        deserializer.deserialize_option(OptionalText {
            parse,
            expecting: "an RFC 3339 formatted date and time string",
            like_string: false,
        })
    }

    /// `text` as chrono's `Deserialize` for `DateTime<Utc>` reads it.
    pub(crate) fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
        match parse_exact(text) {
            Some(date) => Ok(date),
            None => text
                .parse::<DateTime<FixedOffset>>()
                .map(|date| date.with_timezone(&Utc)),
        }
    }
}

impl CachedDocument {
    /// Whether the outcome still holds for these settings at `now`, with file stamps
    /// from `stamp` (and no hashing: a touched file counts as changed).
    pub fn is_valid(
        &self,
        settings_key: &str,
        now: DateTime<Utc>,
        stamp: &mut dyn FnMut(&Path) -> Option<FileStamp>,
    ) -> bool {
        self.holds_for(settings_key, now) && self.dependencies.unchanged_by(stamp)
    }

    /// Whether these settings and `now` are the ones the outcome was made for.
    pub fn holds_for(&self, settings_key: &str, now: DateTime<Utc>) -> bool {
        self.settings_key == settings_key
            && self.date.is_none_or(|date| (date > now) == self.was_future)
    }

    /// Whether the outcome still holds for these settings at `now`, the files compared
    /// as [`Dependencies::freshness`] does; a touched result carries the document with
    /// the fresh stamps.
    pub fn freshness(
        &self,
        settings_key: &str,
        now: DateTime<Utc>,
        stamp: &mut dyn FnMut(&Path) -> Option<FileStamp>,
        hash: &mut dyn FnMut(&Path, &FileStamp) -> Option<String>,
    ) -> Freshness<CachedDocument> {
        if !self.holds_for(settings_key, now) {
            return Freshness::Changed;
        }
        match self.dependencies.freshness(stamp, hash) {
            Freshness::Same => Freshness::Same,
            Freshness::Touched(dependencies) => Freshness::Touched(CachedDocument {
                dependencies,
                ..self.clone()
            }),
            Freshness::Changed => Freshness::Changed,
        }
    }
}

/// An audio file's probe, with the version of the file it was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedAudio {
    pub stamp: FileStamp,
    /// The SHA-256 of the file when it was probed, when known.
    #[serde(default)]
    pub hash: Option<String>,
    pub info: AudioInfo,
}

impl CachedAudio {
    /// Compares with the file as it is now (`now`), hashing it only when its size is
    /// the same and its mtime is not.
    pub fn freshness(
        &self,
        path: &Path,
        now: &FileStamp,
        hash: &mut dyn FnMut(&Path, &FileStamp) -> Option<String>,
    ) -> Freshness<CachedAudio> {
        let mut hash_now = |now: &FileStamp| hash(path, now);
        match compare(
            Some(&self.stamp),
            self.hash.as_deref(),
            Some(*now),
            &mut hash_now,
        ) {
            Freshness::Same => Freshness::Same,
            Freshness::Touched(stamp) => Freshness::Touched(CachedAudio {
                stamp,
                ..self.clone()
            }),
            Freshness::Changed => Freshness::Changed,
        }
    }
}

/// Remembers audio probes and Markdown outcomes by file (full paths). Shared by the
/// sessions and threads of a run, so every method takes `&self`.
pub trait FileCache: Send + Sync {
    /// The last probe of the audio file at `path`; the caller checks that it still holds.
    fn audio(&self, path: &Path) -> Option<CachedAudio>;
    /// Remembers the probe of the audio file at `path`.
    fn put_audio(&self, path: &Path, audio: CachedAudio);
    /// The last outcome of the Markdown file at `path`; the caller checks that it is
    /// still valid. (Shared, so a cache in memory hands it out without a copy.)
    fn document(&self, path: &Path) -> Option<Arc<CachedDocument>>;
    /// Remembers the outcome of the Markdown file at `path`.
    fn put_document(&self, path: &Path, document: Arc<CachedDocument>);
    /// Whether [`FileCache::document`] answers without waiting (a cache that loads its
    /// rows on a thread of its own is not ready until they are loaded): a caller with
    /// other work to do does that first.
    fn ready(&self) -> bool {
        true
    }
}

/// A cache shared by several sessions (one per feed language, say): each holds a clone
/// of the `Arc`.
impl<T: FileCache + ?Sized> FileCache for Arc<T> {
    fn audio(&self, path: &Path) -> Option<CachedAudio> {
        (**self).audio(path)
    }

    fn put_audio(&self, path: &Path, audio: CachedAudio) {
        (**self).put_audio(path, audio);
    }

    fn document(&self, path: &Path) -> Option<Arc<CachedDocument>> {
        (**self).document(path)
    }

    fn put_document(&self, path: &Path, document: Arc<CachedDocument>) {
        (**self).put_document(path, document);
    }

    fn ready(&self) -> bool {
        (**self).ready()
    }
}

/// A cache that lives as long as the value: one run, or several sessions sharing it.
#[derive(Debug, Default)]
pub struct MemoryFileCache {
    audio: Mutex<HashMap<PathBuf, CachedAudio>>,
    documents: Mutex<HashMap<PathBuf, Arc<CachedDocument>>>,
}

impl FileCache for MemoryFileCache {
    fn audio(&self, path: &Path) -> Option<CachedAudio> {
        self.audio.lock().ok()?.get(path).cloned()
    }

    fn put_audio(&self, path: &Path, audio: CachedAudio) {
        if let Ok(mut known) = self.audio.lock() {
            known.insert(path.to_path_buf(), audio);
        }
    }

    fn document(&self, path: &Path) -> Option<Arc<CachedDocument>> {
        self.documents.lock().ok()?.get(path).cloned()
    }

    fn put_document(&self, path: &Path, document: Arc<CachedDocument>) {
        if let Ok(mut known) = self.documents.lock() {
            known.insert(path.to_path_buf(), document);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_date_reads_back_as_chrono_reads_it() {
        #[derive(Deserialize)]
        struct Fast {
            #[serde(default, deserialize_with = "stored_date::deserialize")]
            date: Option<DateTime<Utc>>,
        }
        #[derive(Deserialize)]
        struct Chrono {
            #[serde(default)]
            date: Option<DateTime<Utc>>,
        }
        let mut documents: Vec<String> = crate::model::utc_seconds::test_spellings()
            .iter()
            .step_by(20)
            .map(|text| serde_json::json!({ "date": text }).to_string())
            .collect();
        documents.extend([r#"{}"#, r#"{"date":null}"#, r#"{"date":5}"#].map(str::to_string));
        for json in &documents {
            crate::model::utc_seconds::assert_same_reading(
                json,
                serde_json::from_str::<Fast>(json).map(|d| d.date),
                serde_json::from_str::<Chrono>(json).map(|d| d.date),
            );
        }
    }

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

    fn stamp_of(path: &Path) -> Option<FileStamp> {
        FileStamp::of(path).ok()
    }

    /// Sets the mtime of `path` a minute later without changing its content.
    fn touch(path: &Path) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        let later = std::fs::metadata(path).unwrap().modified().unwrap()
            + std::time::Duration::from_secs(60);
        file.set_modified(later).unwrap();
    }

    #[test]
    fn a_touched_file_is_settled_by_its_hash_and_a_rewritten_one_is_changed() {
        let dir = tempfile::tempdir().unwrap();
        let post = dir.path().join("a.md");
        std::fs::write(&post, "same text").unwrap();
        let mut deps = Dependencies::default();
        deps.record(&post);
        let mut hashed = Vec::new();
        deps.fill_hashes(&mut |path, stamp| {
            hashed.push(path.to_path_buf());
            hash_stable(path, stamp)
        });
        assert_eq!(hashed, vec![post.clone()]);
        assert_eq!(
            deps.iter().next().unwrap().hash.as_deref(),
            Some(hash_bytes(b"same text").as_str())
        );

        let hashes = std::cell::Cell::new(0);
        let mut hash = |path: &Path, stamp: &FileStamp| {
            hashes.set(hashes.get() + 1);
            hash_stable(path, stamp)
        };
        assert_eq!(deps.freshness(&mut stamp_of, &mut hash), Freshness::Same);
        touch(&post);
        let Freshness::Touched(fresh) = deps.freshness(&mut stamp_of, &mut hash) else {
            panic!("a touched file with the same content still holds");
        };
        assert_eq!(fresh.freshness(&mut stamp_of, &mut hash), Freshness::Same);
        // Same size, other bytes, another mtime: the hash tells.
        std::fs::write(&post, "SAME TEXT").unwrap();
        touch(&post);
        assert_eq!(
            fresh.freshness(&mut stamp_of, &mut hash),
            Freshness::Changed
        );
        assert_eq!(
            hashes.get(),
            2,
            "hashed only when the size matched and mtime not"
        );
        // Another size is a change without hashing.
        std::fs::write(&post, "longer text").unwrap();
        assert_eq!(
            fresh.freshness(&mut stamp_of, &mut hash),
            Freshness::Changed
        );
        assert_eq!(hashes.get(), 2);
    }

    #[test]
    fn a_file_without_a_known_hash_counts_as_changed_when_touched() {
        let dir = tempfile::tempdir().unwrap();
        let post = dir.path().join("a.md");
        std::fs::write(&post, "text").unwrap();
        let mut deps = Dependencies::default();
        deps.record(&post);
        touch(&post);
        assert_eq!(
            deps.freshness(&mut stamp_of, &mut |path, stamp| hash_stable(path, stamp)),
            Freshness::Changed
        );
    }

    #[test]
    fn a_shared_cache_serves_every_session_holding_it() {
        let shared = Arc::new(MemoryFileCache::default());
        let one: Box<dyn FileCache> = Box::new(shared.clone());
        let two: Box<dyn FileCache> = Box::new(shared.clone());
        let audio = CachedAudio {
            stamp: FileStamp {
                size: 1,
                modified: None,
            },
            hash: None,
            info: AudioInfo::default(),
        };
        one.put_audio(Path::new("a.mp3"), audio.clone());
        assert_eq!(two.audio(Path::new("a.mp3")), Some(audio));
        assert_eq!(two.audio(Path::new("b.mp3")), None);
    }

    #[test]
    fn an_audio_probe_holds_while_the_file_is_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.mp3");
        std::fs::write(&path, "0123456789").unwrap();
        let stamp = FileStamp::of(&path).unwrap();
        let cached = CachedAudio {
            stamp,
            hash: hash_stable(&path, &stamp),
            info: AudioInfo {
                length: 10,
                ..AudioInfo::default()
            },
        };
        let mut hash = |path: &Path, stamp: &FileStamp| hash_stable(path, stamp);
        assert_eq!(cached.freshness(&path, &stamp, &mut hash), Freshness::Same);
        touch(&path);
        let now = FileStamp::of(&path).unwrap();
        assert!(matches!(
            cached.freshness(&path, &now, &mut hash),
            Freshness::Touched(CachedAudio { stamp, .. }) if stamp == now
        ));
        std::fs::write(&path, "01234567890").unwrap();
        let grown = FileStamp::of(&path).unwrap();
        assert_eq!(
            cached.freshness(&path, &grown, &mut hash),
            Freshness::Changed
        );
    }
}

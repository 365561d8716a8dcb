//! Local content → normalised entries: the public face of Markdown posts, Markdown
//! episodes and folders of bare audio files.
//!
//! [`collect_markdown`] and [`collect_audio`] are what `omroep build` calls, once per
//! `[[source]]`. They never stop at a broken file: each file becomes either a
//! [`LocalItem`], a held-back entry (draft or scheduled), or a [`Problem`] naming the file,
//! line and field. A [`Session`] does the same for several sources in one run, so that a
//! file used by two feeds is read once and the remote-media answers are saved once.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Entry, Person};
use crate::store::local_files::{PathMap, key_of};

use super::audio::AudioInfo;
use super::file_cache::{CachedAudio, FileCache, FileStamp, Freshness, MemoryFileCache};
use super::remote_media::RemoteMediaCache;

/// Site-wide settings for reading local content.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalSettings {
    /// Globs, folders and relative paths resolve here; nothing outside it is read.
    pub site_root: PathBuf,
    /// The site's public base URL; permalinks and assets live under it.
    pub base_url: url::Url,
    /// Where audio is served (often a CDN); an audio file's URL is this plus its path
    /// relative to `site_root`. Defaults to `base_url`.
    pub media_base_url: url::Url,
    /// Permalink pattern, relative to `base_url`, e.g. `/blog/{year}/{slug}/`.
    /// Placeholders: `{year}` `{month}` `{day}` (of the date, in UTC) `{slug}` `{lang}`.
    pub permalink: String,
    /// The site's default language (BCP 47); a post's `lang` overrides it.
    pub language: Option<String>,
    /// The default author of a post that names none.
    pub author: Option<Person>,
    /// Entries dated after this are held back as scheduled.
    pub now: DateTime<Utc>,
    /// The site's time zone: front matter and tag dates without an offset are read in it.
    pub timezone: chrono_tz::Tz,
}

impl LocalSettings {
    /// Settings with the defaults: media served from `base_url`, permalinks
    /// `/{year}/{slug}/`, no language or author, `now` = the current time, dates in UTC.
    pub fn new(site_root: impl Into<PathBuf>, base_url: url::Url) -> LocalSettings {
        LocalSettings {
            site_root: site_root.into(),
            media_base_url: base_url.clone(),
            base_url,
            permalink: DEFAULT_PERMALINK.to_string(),
            language: None,
            author: None,
            now: Utc::now(),
            timezone: chrono_tz::Tz::UTC,
        }
    }
}

impl LocalSettings {
    /// Everything in the settings that shapes an item (all but `now`, which a cached
    /// outcome checks against its date): two reads with equal keys give equal items.
    /// A digest of them (XXH3-128, in hex): every remembered outcome carries the key,
    /// and a second run reads and compares it for each one (the settings themselves are
    /// a tenth of a post's row, a string to copy and compare per file).
    pub fn cache_key(&self) -> String {
        let author = self.author.as_ref().map(|a| (&a.name, &a.email, &a.uri));
        let settings = format!(
            "{}\n{}\n{}\n{:?}\n{:?}\n{}\n{}",
            self.base_url,
            self.media_base_url,
            self.permalink,
            self.language,
            author,
            self.site_root.display(),
            self.timezone.name()
        );
        format!("{:032x}", xxhash_rust::xxh3::xxh3_128(settings.as_bytes()))
    }
}

/// Where embedded cover pictures are extracted, relative to the site root.
pub const COVERS_DIR: &str = ".omroep/covers";

/// The permalink pattern used when a site sets none.
pub const DEFAULT_PERMALINK: &str = "/{year}/{slug}/";

/// What a local item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemKind {
    /// A Markdown file without `audio`.
    Post,
    /// A Markdown file with `audio`, or a bare audio file.
    Episode,
}

/// One post or episode, ready for the feeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalItem {
    /// Fully normalised: absolute URLs, HTML rendered from Markdown (the author's own,
    /// not sanitised), plain-text title and summary, enclosure with true length and type.
    pub entry: Entry,
    pub kind: ItemKind,
    /// The item's language (its `lang`, else the site's).
    pub language: Option<String>,
    /// The source file, relative to `site_root`.
    pub path: PathBuf,
    /// The tags and categories, as written (also in `entry.categories`).
    pub tags: Vec<String>,
    /// Files to publish beside the feeds: transcripts, chapters, images.
    pub assets: Vec<Asset>,
}

/// A file to copy into the output folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Asset {
    /// Where the file is now: `site_root` joined with its path, or a file omroep extracted
    /// under `site_root/.omroep/` (an embedded cover picture).
    pub source: PathBuf,
    /// Its path under the output folder, `/`-separated, no leading `/`; its public URL is
    /// `base_url` joined with this.
    pub output: String,
}

/// Why an entry is not published (yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HeldBack {
    /// `draft: true`: never published.
    Draft,
    /// Dated after `now`: published by the first run after this moment.
    Scheduled(DateTime<Utc>),
}

/// Something wrong with one file. Errors mean the file was skipped; warnings mean it was
/// used, but something in it deserves a look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The file, relative to `site_root` (empty for a problem with the source itself).
    pub path: PathBuf,
    /// 1-based line in the file.
    pub line: Option<usize>,
    /// The front matter field (or tag) concerned.
    pub field: Option<String>,
    /// What is wrong and what to do, lower-case, one line.
    pub message: String,
    pub is_error: bool,
}

impl Problem {
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            line: None,
            field: None,
            message: message.into(),
            is_error: true,
        }
    }

    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Problem {
        Problem {
            is_error: false,
            ..Problem::error(path, message)
        }
    }

    pub fn at_line(mut self, line: Option<usize>) -> Problem {
        self.line = line;
        self
    }

    pub fn in_field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }
}

/// `posts/x.md:3: field `date`: …`
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.to_string_lossy().replace('\\', "/");
        if !path.is_empty() {
            f.write_str(&path)?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            f.write_str(": ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Everything one source produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Collected {
    /// Newest first; items with the same date in path order.
    pub items: Vec<LocalItem>,
    /// Drafts and scheduled entries, by source path (relative to `site_root`).
    pub held_back: Vec<(PathBuf, HeldBack)>,
    /// Errors (the file was skipped) and warnings, in path order.
    pub problems: Vec<Problem>,
}

impl Collected {
    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.is_error)
    }
}

/// Reads every Markdown file matching `pattern` (a glob relative to `site_root`, such as
/// `content/posts/**/*.md`; a folder means every `.md` file under it).
pub fn collect_markdown(pattern: &str, settings: &LocalSettings) -> Collected {
    let mut session = Session::new(settings.clone());
    let collected = session.collect_markdown(pattern);
    session.finish_into(collected)
}

/// Reads every audio file directly inside `folder` (relative to `site_root`) as one
/// episode, from its tags.
pub fn collect_audio(folder: &str, settings: &LocalSettings) -> Collected {
    let mut session = Session::new(settings.clone());
    let collected = session.collect_audio(folder);
    session.finish_into(collected)
}

/// One run's worth of local reading with one set of settings: remembers what it read
/// (in its [`FileCache`], and the stamps it looked at), so several sources sharing
/// files read each file once, and saves what it learned
/// about remote audio when it finishes. Feeds with different settings (another
/// permalink pattern) use one session each, and may share one [`FileCache`].
///
/// The files of a source are read on several threads at once (they are independent);
/// what the session remembers for the run is therefore behind locks.
pub struct Session {
    pub(super) settings: LocalSettings,
    pub(super) files: Box<dyn FileCache>,
    pub(super) remote: Mutex<RemoteMediaCache>,
    /// Audio probes of this run, by full path (keyed like `stamps`), each with the
    /// stamp of the file it was made for (a file replaced during the run, as between
    /// two posts naming it, is probed again, and that probe replaces the first): two
    /// cells, without covers and with them, that the first thread to ask fills (from
    /// the file cache, or by reading the file) while the others that ask the same
    /// wait for it. Looked up and claimed in one step under the map's lock: a check
    /// first and a probe after it let two threads both miss and both read the file.
    probes: Mutex<PathMap<(FileStamp, Arc<ProbeCells>)>>,
    /// Remote audio URLs asked about in this run.
    pub(super) asked: HashSet<String>,
    /// Ask servers again instead of trusting `.omroep/remote-media.json`.
    pub(super) refresh_remote_media: bool,
    /// `settings.cache_key()`, computed once.
    pub(super) settings_key: String,
    /// File stamps looked up while checking cached outcomes: within one run a file
    /// shared by many items (an artwork) is looked at once. Keyed by the path's bytes,
    /// which hash in one go (a `PathBuf` hashes component by component).
    pub(super) stamps: Mutex<PathMap<Option<FileStamp>>>,
    /// Content hashes taken in this run, by file (keyed like `stamps`), each with the
    /// stamp it was taken for (an artwork shared by many episodes is hashed once; a
    /// file asked for with another stamp is hashed again, and that hash replaces the
    /// first). Each is a cell that the first thread to ask fills while the others that
    /// ask for the same file wait for it: looked up and filled under the map's lock,
    /// two threads would both miss and both hash the file.
    hashes: Mutex<PathMap<(FileStamp, HashCell)>>,
    /// Every file whose content this session read, in the order read.
    pub(super) reads: Mutex<Vec<FileRead>>,
    /// When the session started: stamps it remembers are [`FileStamp::settled`] by it.
    pub(super) started: std::time::SystemTime,
    /// Listings of Markdown sources taken ahead (see [`Session::with_listings`]).
    pub(super) listings: Option<Arc<super::Listings>>,
}

/// A content hash taken once per run (see [`Session::hash`]).
type HashCell = Arc<OnceLock<Option<String>>>;

/// An audio file's probe (see [`Session::probe`]): what was learned, or the one-line
/// error.
type Probed = OnceLock<Result<AudioInfo, String>>;

/// The probes of one version of an audio file, made once per run each (see
/// [`Session::probe`]): without its embedded covers and with them.
#[derive(Default)]
struct ProbeCells {
    bare: Probed,
    covers: Probed,
}

/// A file whose content a session read, and why: what the file cache exists to avoid.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FileRead {
    /// A Markdown file read and turned into an item (full path).
    Parsed(PathBuf),
    /// An audio file measured (full path).
    Probed(PathBuf),
    /// A file hashed to tell whether it changed (same size, new mtime) or to remember
    /// its content (full path).
    Hashed(PathBuf),
}

/// Locks `mutex`, also after a thread panicked while holding it: what the ingest
/// session and the store's file cache guard with it are caches of facts, each written
/// whole (one assignment or insertion), so their state stays consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Session {
    /// A session that remembers audio probes and Markdown outcomes in memory, for as
    /// long as it lives.
    pub fn new(settings: LocalSettings) -> Session {
        Session::with_file_cache(settings, Box::new(MemoryFileCache::default()))
    }

    /// A session whose audio probes and Markdown outcomes are kept by `files` (the
    /// store's [`crate::store::local_files::StoredFileCache`]): unchanged files are then
    /// not read again, run after run.
    pub fn with_file_cache(settings: LocalSettings, files: Box<dyn FileCache>) -> Session {
        let remote = Mutex::new(RemoteMediaCache::for_site(&settings.site_root));
        let settings_key = settings.cache_key();
        Session {
            settings_key,
            settings,
            files,
            remote,
            probes: Mutex::default(),
            asked: HashSet::new(),
            refresh_remote_media: false,
            stamps: Mutex::default(),
            hashes: Mutex::default(),
            reads: Mutex::new(Vec::new()),
            started: std::time::SystemTime::now(),
            listings: None,
        }
    }

    /// A session whose Markdown collections take their listings from `listings` where
    /// it listed their pattern ahead (see [`super::Listings`]).
    pub fn with_listings(mut self, listings: Arc<super::Listings>) -> Session {
        self.listings = Some(listings);
        self
    }

    /// Ask remote servers again (once in this session) for the length and type of audio
    /// URLs, instead of using the answers remembered in `.omroep/remote-media.json`.
    pub fn refresh_remote_media(mut self, refresh: bool) -> Session {
        self.refresh_remote_media = refresh;
        self
    }

    pub fn settings(&self) -> &LocalSettings {
        &self.settings
    }

    /// Every file whose content this session has read so far (Markdown parsed, audio
    /// measured, files hashed), in the order read; the files the file cache answered
    /// for are not in it.
    pub fn reads(&self) -> Vec<FileRead> {
        lock(&self.reads).clone()
    }

    /// As [`collect_markdown`], sharing this session's reads.
    pub fn collect_markdown(&mut self, pattern: &str) -> Collected {
        super::collect::markdown(self, pattern)
    }

    /// As [`collect_audio`], sharing this session's reads.
    pub fn collect_audio(&mut self, folder: &str) -> Collected {
        super::collect::audio(self, folder)
    }

    pub(super) fn note_read(&self, read: FileRead) {
        lock(&self.reads).push(read);
    }

    /// The stamp of `path` now, looked up once per run.
    pub(super) fn stamp(&self, path: &Path) -> Option<FileStamp> {
        let key = key_of(path);
        if let Some(known) = lock(&self.stamps).get(key) {
            return *known;
        }
        let stamp = FileStamp::of(path).ok();
        lock(&self.stamps).insert(key.into(), stamp);
        stamp
    }

    /// The content hash of `path` as of `stamp`, taken once per run; `None` when the
    /// file cannot be read or changed while it was hashed.
    pub(super) fn hash(&self, path: &Path, stamp: &FileStamp) -> Option<String> {
        let key = key_of(path);
        let cell = {
            let mut hashes = lock(&self.hashes);
            match hashes.get_mut(key) {
                Some((known, cell)) if known == stamp => cell.clone(),
                Some(entry) => {
                    *entry = (*stamp, HashCell::default());
                    entry.1.clone()
                }
                // A key is allocated only for a file not asked for before.
                None => {
                    let cell = HashCell::default();
                    hashes.insert(key.into(), (*stamp, cell.clone()));
                    cell
                }
            }
        };
        // Hashed outside the map's lock (other files are hashed meanwhile); a thread
        // asking for this file meanwhile waits in `get_or_init` for this hash.
        cell.get_or_init(|| {
            self.note_read(FileRead::Hashed(path.to_path_buf()));
            super::file_cache::hash_stable(path, stamp)
        })
        .clone()
    }

    /// Reads an audio file once per run for each version of it (or not at all when the
    /// file cache knows this version); `covers` also extracts its embedded cover. The
    /// message of an error is one line for the user.
    pub(super) fn probe(&self, full: &Path, covers: bool) -> Result<AudioInfo, String> {
        let stamp =
            FileStamp::of(full).map_err(|e| format!("cannot read {}: {e}", full.display()))?;
        let key = key_of(full);
        let cells = {
            let mut probes = lock(&self.probes);
            match probes.get_mut(key) {
                Some((known, cells)) if *known == stamp => cells.clone(),
                // Replaced since it was probed (as between two posts naming it): what
                // was learned about the old content no longer answers.
                Some(entry) => {
                    *entry = (stamp, Arc::default());
                    entry.1.clone()
                }
                // A key is allocated only for a file not asked for before.
                None => {
                    let cells = Arc::<ProbeCells>::default();
                    probes.insert(key.into(), (stamp, cells.clone()));
                    cells
                }
            }
        };
        if covers {
            // A probe without covers answers when it looked at them anyway (the file
            // cache knew them) or found no audio; otherwise the file is measured again
            // with them (as one file named by an episode and found in a folder of bare
            // audio is), once, and that probe answers from then on.
            if let Some(answer) = cells.bare.get()
                && answer.as_ref().map_or(true, |info| info.covers_read)
            {
                return answer.clone();
            }
            cells
                .covers
                .get_or_init(|| self.probe_now(full, &stamp, true))
                .clone()
        } else {
            if let Some(answer) = cells.covers.get() {
                return answer.clone();
            }
            cells
                .bare
                .get_or_init(|| self.probe_now(full, &stamp, false))
                .clone()
        }
    }

    /// [`Session::probe`]'s work, done once per file (and once more for its covers).
    fn probe_now(&self, full: &Path, stamp: &FileStamp, covers: bool) -> Result<AudioInfo, String> {
        if let Some(cached) = self.files.audio(full)
            && (!covers || cached.info.covers_read)
            && cached
                .info
                .tags
                .cover
                .as_ref()
                .is_none_or(|c| c.path.is_file())
        {
            match cached.freshness(full, stamp, &mut |path, stamp| self.hash(path, stamp)) {
                Freshness::Same => return Ok(cached.info),
                Freshness::Touched(mut fresh) => {
                    let info = fresh.info.clone();
                    fresh.stamp = fresh.stamp.settled(self.started);
                    self.files.put_audio(full, fresh);
                    return Ok(info);
                }
                Freshness::Changed => {}
            }
        }
        let covers_dir = self.settings.site_root.join(COVERS_DIR);
        self.note_read(FileRead::Probed(full.to_path_buf()));
        match super::audio::probe(full, covers.then_some(covers_dir.as_path())) {
            Ok(info) => {
                let hash = self.hash(full, stamp);
                self.files.put_audio(
                    full,
                    CachedAudio {
                        stamp: stamp.settled(self.started),
                        hash,
                        info: info.clone(),
                    },
                );
                Ok(info)
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Saves what was learned about remote audio (`.omroep/remote-media.json`); returns a
    /// warning when that file could not be written.
    pub fn finish(&mut self) -> Option<Problem> {
        lock(&self.remote)
            .save()
            .err()
            .map(|message| Problem::warning(RemoteMediaCache::RELATIVE_PATH, message))
    }

    fn finish_into(mut self, mut collected: Collected) -> Collected {
        if let Some(problem) = self.finish() {
            collected.problems.push(problem);
        }
        collected
    }
}

/// `path` relative to `root`, or `path` itself when it is not under `root`.
pub(super) fn relative_to(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_key_changes_with_every_setting_that_shapes_an_item_and_only_with_those() {
        let base = || LocalSettings::new("/site", url::Url::parse("https://example.org/").unwrap());
        let key = base().cache_key();
        assert_eq!(key.len(), 32);
        assert!(key.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
        let mut later = base();
        later.now += chrono::Duration::days(3);
        assert_eq!(later.cache_key(), key, "`now` is checked per outcome");
        let changes: [fn(&mut LocalSettings); 9] = [
            |s| s.site_root = "/elsewhere".into(),
            |s| s.base_url = url::Url::parse("https://example.net/").unwrap(),
            |s| s.media_base_url = url::Url::parse("https://cdn.example.org/").unwrap(),
            |s| s.permalink = "/{lang}/{slug}/".into(),
            |s| s.language = Some("nl".into()),
            |s| {
                s.author = Some(Person {
                    name: Some("Anne".into()),
                    email: None,
                    uri: None,
                });
            },
            |s| {
                s.author = Some(Person {
                    name: Some("Anne".into()),
                    email: Some("anne@example.org".into()),
                    uri: None,
                });
            },
            |s| {
                s.author = Some(Person {
                    name: Some("Anne".into()),
                    email: None,
                    uri: Some("https://example.org/anne".into()),
                });
            },
            |s| s.timezone = chrono_tz::Europe::Amsterdam,
        ];
        let mut keys = std::collections::HashSet::from([key]);
        for change in changes {
            let mut settings = base();
            change(&mut settings);
            assert!(keys.insert(settings.cache_key()), "{settings:?}");
        }
    }

    #[test]
    fn problem_display_names_file_line_and_field() {
        let problem = Problem::error("posts/x.md", "expected a date such as 2024-03-05")
            .at_line(Some(3))
            .in_field("date");
        assert_eq!(
            problem.to_string(),
            "posts/x.md:3: field `date`: expected a date such as 2024-03-05"
        );
        let bare = Problem::warning("", "pattern matched no files");
        assert_eq!(bare.to_string(), "pattern matched no files");
    }

    #[test]
    fn a_file_asked_for_by_many_threads_at_once_is_hashed_once() {
        let site = tempfile::tempdir().unwrap();
        let artwork = site.path().join("artwork.jpg");
        std::fs::write(&artwork, vec![7u8; 1 << 20]).unwrap();
        let stamp = FileStamp::of(&artwork).unwrap();
        let session = Session::new(LocalSettings::new(
            site.path(),
            url::Url::parse("https://example.org/").unwrap(),
        ));
        let start = std::sync::Barrier::new(8);
        let hashes: Vec<Option<String>> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        session.hash(&artwork, &stamp)
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let expected = super::super::file_cache::hash_file(&artwork).ok();
        assert!(expected.is_some());
        assert!(hashes.iter().all(|hash| *hash == expected), "{hashes:?}");
        assert_eq!(session.reads(), vec![FileRead::Hashed(artwork)]);
    }

    /// How often the session has measured `audio` so far.
    fn times_probed(session: &Session, audio: &Path) -> usize {
        let probed = FileRead::Probed(audio.to_path_buf());
        session
            .reads()
            .iter()
            .filter(|read| **read == probed)
            .count()
    }

    #[test]
    fn an_audio_file_asked_for_by_many_threads_at_once_is_measured_once() {
        let site = tempfile::tempdir().unwrap();
        let audio = site.path().join("ep.mp3");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/audio/speech-cbr.mp3");
        std::fs::copy(&fixture, &audio).unwrap();
        let broken = site.path().join("broken.mp3");
        std::fs::write(&broken, b"not audio at all").unwrap();
        let session = Session::new(LocalSettings::new(
            site.path(),
            url::Url::parse("https://example.org/").unwrap(),
        ));
        let start = std::sync::Barrier::new(8);
        let probes: Vec<_> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        (session.probe(&audio, false), session.probe(&broken, false))
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let (first, failure) = &probes[0];
        let info = first.as_ref().expect("the fixture is audio");
        assert_eq!(info.length, std::fs::metadata(&fixture).unwrap().len());
        let message = failure.as_ref().expect_err("not audio");
        assert!(message.contains("not an audio format"), "{message}");
        assert!(probes.iter().all(|p| p == &probes[0]));
        let mut reads = session.reads();
        reads.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        assert_eq!(
            reads,
            vec![
                FileRead::Hashed(audio.clone()),
                FileRead::Probed(broken.clone()),
                FileRead::Probed(audio.clone()),
            ],
            "each file read once, the failure remembered too"
        );
        // Asked for with its covers after a probe without them, by many threads at
        // once: measured again, once, and that probe answers from then on (also when
        // asked for without covers).
        let start = std::sync::Barrier::new(8);
        let with_covers: Vec<_> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        session.probe(&audio, true)
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let first_with_covers = with_covers[0].clone().unwrap();
        assert!(first_with_covers.covers_read);
        assert!(with_covers.iter().all(|p| p == &with_covers[0]));
        assert_eq!(session.probe(&audio, true), Ok(first_with_covers.clone()));
        assert_eq!(session.probe(&audio, false), Ok(first_with_covers));
        assert_eq!(times_probed(&session, &audio), 2);
    }

    #[test]
    fn an_audio_file_replaced_during_the_run_is_measured_again() {
        let site = tempfile::tempdir().unwrap();
        let audio = site.path().join("ep.mp3");
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/audio");
        let old = fixtures.join("speech-cbr.mp3");
        let new = fixtures.join("speech-vbr-noxing.mp3");
        std::fs::copy(&old, &audio).unwrap();
        let session = Session::new(LocalSettings::new(
            site.path(),
            url::Url::parse("https://example.org/").unwrap(),
        ));
        let first = session.probe(&audio, false).unwrap();
        assert_eq!(first.length, std::fs::metadata(&old).unwrap().len());
        let first_stamp = FileStamp::of(&audio).unwrap();

        // Replaced between two posts naming it: other content, another size and mtime.
        std::fs::copy(&new, &audio).unwrap();
        let later = first_stamp.modified.unwrap() + std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&audio)
            .unwrap()
            .set_modified(later)
            .unwrap();
        let second_stamp = FileStamp::of(&audio).unwrap();
        assert_ne!(first_stamp, second_stamp);

        let second = session.probe(&audio, false).unwrap();
        let new_length = std::fs::metadata(&new).unwrap().len();
        assert_eq!(second.length, new_length, "the new content's facts");
        assert_ne!(second.duration, first.duration);
        // What the file cache keeps for later runs is the new version, whole.
        let cached = session.files.audio(&audio).expect("remembered");
        // Dated after the run's start, its stamp is kept without the mtime: the next run
        // has the hash vouch for the content ([`FileStamp::settled`]).
        let unsettled = FileStamp {
            modified: None,
            ..second_stamp
        };
        assert_eq!(cached.stamp, unsettled);
        assert_eq!(cached.info, second);
        assert_eq!(
            cached.hash,
            super::super::file_cache::hash_file(&audio).ok()
        );
        // Asked again unchanged: not read again.
        assert_eq!(session.probe(&audio, false), Ok(second));
        assert_eq!(times_probed(&session, &audio), 2);
    }

    #[test]
    fn a_file_asked_for_again_with_a_new_stamp_is_hashed_again() {
        let site = tempfile::tempdir().unwrap();
        let artwork = site.path().join("artwork.jpg");
        std::fs::write(&artwork, b"first").unwrap();
        let first = FileStamp::of(&artwork).unwrap();
        let session = Session::new(LocalSettings::new(
            site.path(),
            url::Url::parse("https://example.org/").unwrap(),
        ));
        let one = session.hash(&artwork, &first);
        assert_eq!(one, super::super::file_cache::hash_file(&artwork).ok());
        assert_eq!(
            session.hash(&artwork, &first),
            one,
            "asked again: not read again"
        );
        std::fs::write(&artwork, b"second, longer").unwrap();
        let second = FileStamp::of(&artwork).unwrap();
        assert_ne!(first, second);
        let two = session.hash(&artwork, &second);
        assert_eq!(two, super::super::file_cache::hash_file(&artwork).ok());
        assert_ne!(one, two);
        assert_eq!(
            session.reads(),
            vec![FileRead::Hashed(artwork.clone()), FileRead::Hashed(artwork)]
        );
    }

    #[test]
    fn settings_default_media_to_the_base_url() {
        let base = url::Url::parse("https://example.org/").unwrap();
        let settings = LocalSettings::new("/site", base.clone());
        assert_eq!(settings.media_base_url, base);
        assert_eq!(settings.permalink, DEFAULT_PERMALINK);
    }
}

//! The no-change fast path: a build that finds its inputs and outputs exactly as the last
//! successful build left them skips reading, rendering and comparing altogether.
//!
//! The state (`.omroep/build-state.json` under the site) holds a SHA-256 over everything
//! a build depends on — omroep's version, the checked config, the ledger, the size and
//! mtime of every file under each source's folder and of every other file the last build
//! read (assets, audio), the store of fetched remote sources (when a feed has any), and the
//! remembered remote-media facts — plus the size and mtime of
//! every output it left, the warnings it printed (replayed, so both paths print the same),
//! and the moment the next scheduled entry falls due. Anything different, any doubt, and
//! the full build runs. The state is only written after a build in which every feed was
//! built, and none of whose inputs changed after the build started (such a file may
//! have changed between its read and its stamp: [`FolderStamps`]). On Unix "changed" is
//! the file's ctime, not its mtime (see [`changed_at`]).

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{Site, SourceLocation};

/// Where the state lives, relative to the site root.
pub const STATE_FILE: &str = ".omroep/build-state.json";

/// The site's folder of omroep's own state and of files derived from its inputs.
const STATE_FOLDER: &str = ".omroep";

/// What the last complete build saw and left.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub key: String,
    /// Files outside the source folders that the build read (assets, audio).
    pub extra_inputs: Vec<PathBuf>,
    /// Each output (relative to the output folder) with its size and mtime.
    pub outputs: Vec<(String, u64, u128)>,
    pub warnings: Vec<String>,
    /// When the earliest held-back scheduled entry becomes due.
    pub next_due: Option<DateTime<Utc>>,
}

impl State {
    /// The state of the last build, if any and readable.
    pub fn load(site: &Site) -> Option<State> {
        let text = std::fs::read_to_string(site.root.join(STATE_FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Whether a build now would find everything as this state left it. When it walked
    /// the source folders to know, their stamps come back too (without the other files
    /// this state names): taken before the build reads any source, they are the ones a
    /// build that follows records ([`FolderStamps::Taken`]).
    pub fn still_holds(
        &self,
        site: &Site,
        allow: bool,
        now: DateTime<Utc>,
    ) -> (bool, Option<SourceStamps>) {
        if self.next_due.is_some_and(|due| now >= due) {
            return (false, None);
        }
        let mut stamps = SourceStamps::gather(site, &self.extra_inputs);
        let holds = key(site, allow, &stamps) == self.key
            && self
                .outputs
                .iter()
                .all(|(path, size, mtime)| stamp(&site.output.join(path)) == Some((*size, *mtime)));
        stamps.extra = Vec::new();
        (holds, Some(stamps))
    }

    /// The state after a build that wrote (or kept) `outputs`; `ledger` is the ledger's
    /// text the build used (the text it wrote, else the text it read: not the file read
    /// again, which someone may have changed since), `sources` the stamps of the source
    /// folders' files, taken before the build read them, and of the other files the
    /// build read.
    pub fn record(
        site: &Site,
        allow: bool,
        ledger: &str,
        sources: &SourceStamps,
        outputs: &[String],
        warnings: Vec<String>,
        next_due: Option<DateTime<Utc>>,
    ) -> State {
        let mut files: Vec<String> = outputs.to_vec();
        files.push(crate::publish::MANIFEST.to_string());
        let outputs = files
            .into_iter()
            .filter_map(|path| {
                let (size, mtime) = stamp(&site.output.join(&path))?;
                Some((path, size, mtime))
            })
            .collect();
        State {
            key: key_with(site, allow, ledger, sources),
            extra_inputs: sources.extra.iter().map(|(file, _)| file.clone()).collect(),
            outputs,
            warnings,
            next_due,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Size and mtime (nanoseconds since the epoch) of a file.
fn stamp(path: &Path) -> Option<(u64, u128)> {
    stamp_of(&std::fs::metadata(path).ok()?)
}

fn stamp_of(meta: &std::fs::Metadata) -> Option<(u64, u128)> {
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((meta.len(), mtime))
}

/// A file's stamp, and whether it changed at or after `started` (see [`changed_at`]);
/// never, without a `started`, or when the file cannot be stamped.
fn stamp_since(path: &Path, started: Option<u128>) -> (Option<(u64, u128)>, bool) {
    let Ok(meta) = std::fs::metadata(path) else {
        return (None, false);
    };
    let stamp = stamp_of(&meta);
    let late = started.is_some_and(|started| {
        // A file whose change cannot be dated may have changed at any time.
        stamp.is_some() && changed_at(&meta).is_none_or(|changed| changed >= started)
    });
    (stamp, late)
}

/// When a file last changed, in nanoseconds since the epoch, for telling whether it
/// changed while a build ran. On Unix this is the ctime, not the mtime: the mtime says
/// when the content was written, not when the file arrived — a file moved into a source
/// folder (`mv`), copied keeping its times (`cp -p`, `rsync -a`, `tar x`) or saved by an
/// editor that writes a temporary file and renames it keeps an mtime older than the build
/// it arrived during — and any tool can set it, to the future too (`touch -d`, files from
/// a machine whose clock runs ahead), which would keep the no-change path off until the
/// clock passed it. The kernel sets the ctime itself, from its own clock, on every write,
/// rename, permission or time change, and no tool can set it, so it is never behind the
/// change nor ahead of the clock that dates the build's start ([`file_system_now`]) —
/// when both are one clock. On NFS or SMB the file's server sets the ctime, and each
/// mount dates by its own clock: a source on a file system whose clock lags the one
/// holding `.omroep` by more than a build takes can carry, for an edit made during the
/// build, a ctime before its start, and that edit goes unseen until the file changes
/// again (not covered). The ctime stays out of the key: a `chmod` or a `git checkout`
/// that leaves size and mtime alone must not end the fast path. Elsewhere the mtime is all there is.
#[cfg(unix)]
fn changed_at(meta: &std::fs::Metadata) -> Option<u128> {
    use std::os::unix::fs::MetadataExt;
    let seconds = u128::try_from(meta.ctime()).ok()?;
    let nanos = u128::try_from(meta.ctime_nsec()).ok()?;
    Some(seconds * 1_000_000_000 + nanos)
}

#[cfg(not(unix))]
fn changed_at(meta: &std::fs::Metadata) -> Option<u128> {
    stamp_of(meta).map(|(_, mtime)| mtime)
}

/// The folder a source's files live under: the part of its pattern before any glob
/// character. Everything under it counts as input (over-counting only costs a rebuild).
fn source_folder(site: &Site, pattern: &str) -> PathBuf {
    let prefix: PathBuf = pattern
        .trim_start_matches("./")
        .split('/')
        .take_while(|part| !part.contains(['*', '?', '[', '{']))
        .collect();
    let folder = site.root.join(&prefix);
    if folder.is_dir() {
        folder
    } else {
        folder.parent().map(Path::to_path_buf).unwrap_or(folder)
    }
}

/// The size and mtime of every file under each source's folder, folder by folder: the
/// costly part of the key (a `stat` per content file), so a build gathers it on a thread
/// of its own while it reads ([`FolderStamps`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceStamps {
    folders: Vec<(PathBuf, Vec<FileStamp>)>,
    /// The files outside the source folders that the build read (assets, audio).
    extra: Vec<(PathBuf, Option<(u64, u128)>)>,
}

/// A file's path and its size and mtime (none when it could not be read).
type FileStamp = (String, Option<(u64, u128)>);

impl SourceStamps {
    /// Walks every source folder and stamps `extra_inputs` now.
    pub fn gather(site: &Site, extra_inputs: &[PathBuf]) -> SourceStamps {
        Self::walk(Self::folders(site), Self::skipped(site), None)
            .0
            .with_extra(extra_inputs.to_vec(), None, &site.root.join(STATE_FOLDER))
            .0
    }

    /// These stamps with `extra_inputs` (the files read outside the source folders)
    /// stamped now, in place of any stamped before; with whether any of them changed at
    /// or after `started` (never, without one).
    ///
    /// A file under `state` (the site's `.omroep` folder) does not count as changed late:
    /// such a file is derived by the build itself (an audio file's embedded cover, written
    /// to `.omroep/covers` while the build reads the audio), so it is always new in a
    /// build that wrote it, and its source is an input checked on its own.
    fn with_extra(
        mut self,
        extra_inputs: Vec<PathBuf>,
        started: Option<u128>,
        state: &Path,
    ) -> (Self, bool) {
        let mut late = false;
        self.extra = extra_inputs
            .into_iter()
            .map(|file| {
                let (stamp, changed_late) = stamp_since(&file, started);
                late |= changed_late && !file.starts_with(state);
                (file, stamp)
            })
            .collect();
        (self, late)
    }

    fn folders(site: &Site) -> Vec<PathBuf> {
        let mut folders: Vec<PathBuf> = site
            .feeds
            .iter()
            .flat_map(|feed| &feed.sources)
            .filter_map(|source| match &source.location {
                SourceLocation::Markdown(pattern) | SourceLocation::Audio(pattern) => {
                    Some(source_folder(site, pattern))
                }
                SourceLocation::Opml { file, .. } => Some(file.clone()),
                SourceLocation::Url(_) => None,
            })
            .collect();
        folders.sort();
        folders.dedup();
        folders
    }

    /// The output folder and omroep's own state change with every build, and `.git`
    /// is not content: a source pattern at the site root must not count them. Nor the
    /// ledger, which the key holds by content, and which a build rewrites after the
    /// stamps are gathered.
    fn skipped(site: &Site) -> [PathBuf; 4] {
        [
            site.output.clone(),
            site.root.join(STATE_FOLDER),
            site.root.join(".git"),
            site.ledger.clone(),
        ]
    }

    /// The stamps of every file under `folders`, with whether any of them changed at or
    /// after `started` (never, without one).
    fn walk(
        folders: Vec<PathBuf>,
        skipped: [PathBuf; 4],
        started: Option<u128>,
    ) -> (SourceStamps, bool) {
        let mut late = false;
        let folders = folders
            .into_iter()
            .map(|folder| {
                let mut files: Vec<FileStamp> = walkdir::WalkDir::new(&folder)
                    .follow_links(true)
                    .into_iter()
                    .filter_entry(|entry| !skipped.iter().any(|skip| entry.path() == skip))
                    .filter_map(Result::ok)
                    .filter(|entry| entry.file_type().is_file())
                    .map(|entry| {
                        let (stamp, changed_late) = stamp_since(entry.path(), started);
                        late |= changed_late;
                        (entry.path().to_string_lossy().into_owned(), stamp)
                    })
                    .collect();
                files.sort();
                (folder, files)
            })
            .collect();
        let stamps = SourceStamps {
            folders,
            extra: Vec::new(),
        };
        (stamps, late)
    }
}

/// The stamps of the source folders a build records, taken before it reads any source:
/// a file edited after its stamp is then recorded with its old mtime, and the next build
/// sees the change. (Stamped after the read, an edit between the two would be recorded as
/// if it had been built, and the next build would keep the stale output.)
///
/// The folders walked on a thread beside the reading, and the files read elsewhere
/// (stamped in [`FolderStamps::finish`], after they were read), can be stamped after
/// their read. So the build's start is remembered as the file system dates it, and
/// stamps holding any file that changed at or after it ([`changed_at`]: the ctime on
/// Unix) are not recorded: such a file may have changed between its read and its stamp,
/// and the next build does the full check.
pub struct FolderStamps {
    walk: Walk,
    /// The build's start on the file system's clock, in nanoseconds since the epoch.
    started: u128,
    /// The site's `.omroep` folder (see [`SourceStamps::with_extra`]).
    state: PathBuf,
}

enum Walk {
    /// Walked already, by the fast-path check ([`State::still_holds`]), before the
    /// build's start was dated: every file was stamped before the start.
    Taken(SourceStamps),
    /// Being walked on a thread of its own, started before the first source is read.
    /// It only stats while the reading parses, so it keeps ahead of it; a file the
    /// reading reaches first is stamped just after its read. With whether any file it
    /// stamped changed at or after the build's start.
    Walking(std::thread::JoinHandle<(SourceStamps, bool)>),
}

impl FolderStamps {
    /// The stamps the fast-path check took if it walked, else a walk started now.
    pub fn start(site: &Site, taken: Option<SourceStamps>) -> FolderStamps {
        let state = site.root.join(STATE_FOLDER);
        let started = file_system_now(&state);
        let walk = match taken {
            Some(stamps) => Walk::Taken(stamps),
            None => {
                let folders = SourceStamps::folders(site);
                let skipped = SourceStamps::skipped(site);
                Walk::Walking(std::thread::spawn(move || {
                    SourceStamps::walk(folders, skipped, Some(started))
                }))
            }
        };
        FolderStamps {
            walk,
            started,
            state,
        }
    }

    /// The folders' stamps with `extra_inputs` stamped now; `None` when the walking
    /// thread failed (which only costs the next build its fast path), or when a file
    /// changed at or after the build's start (it may have changed after its read).
    pub fn finish(self, extra_inputs: Vec<PathBuf>) -> Option<SourceStamps> {
        let (stamps, walked_late) = match self.walk {
            Walk::Taken(stamps) => (stamps, false),
            Walk::Walking(walk) => walk.join().ok()?,
        };
        let (stamps, extra_late) = stamps.with_extra(extra_inputs, Some(self.started), &self.state);
        (!walked_late && !extra_late).then_some(stamps)
    }
}

/// Now, as the file system would date a file changed now: the change time
/// ([`changed_at`]) of a file created in `folder` (and removed at once; named as the
/// build's other temporary files, so a build killed before it is removed has the next
/// one sweep it away: [`crate::publish::remove_stray_temporaries`]). The kernel dates
/// files with a coarser clock than [`std::time::SystemTime::now`], and some file systems
/// keep whole seconds only, so a file written just after a reading of the system clock
/// can carry an earlier time; one dated by the same file system cannot. Without a
/// writable `folder` (the state could not be saved there either), two seconds before the
/// system clock's now.
fn file_system_now(folder: &Path) -> u128 {
    let dated = start_clock(folder)
        .ok()
        .and_then(|file| file.as_file().metadata().ok())
        .and_then(|meta| changed_at(&meta));
    dated.unwrap_or_else(|| {
        (std::time::SystemTime::now() - std::time::Duration::from_secs(2))
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos())
    })
}

/// The file [`file_system_now`] dates the build's start by.
fn start_clock(folder: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    crate::publish::temp_beside(&folder.join("build-start"))
}

/// The key of the site as it is now, the ledger read from its file: what the fast-path
/// check compares with the recorded one.
fn key(site: &Site, allow: bool, sources: &SourceStamps) -> String {
    let ledger = std::fs::read_to_string(&site.ledger).unwrap_or_default();
    key_with(site, allow, &ledger, sources)
}

/// The key over everything a build depends on, with `ledger` the ledger's text.
///
/// What a build recorded is only as good as the moment each part was taken: the source
/// stamps before the reading (or checked against the build's start, [`FolderStamps`]),
/// the ledger as the build used it. The store of fetched remote sources and the
/// remote-media facts are stamped here, when the state is recorded, after the build
/// read them (and after it saved its own file cache into the store). No ingest can
/// change the store in between: `build`, `ingest` and `run` each hold the store's run
/// lock (`store::lock`) for their whole run, and `build --check` records no state.
fn key_with(site: &Site, allow: bool, ledger: &str, sources: &SourceStamps) -> String {
    let mut hasher = Sha256::new();
    let mut add = |text: &str| {
        hasher.update(text.as_bytes());
        hasher.update([0u8]);
    };
    add(env!("CARGO_PKG_VERSION"));
    add(&format!("{site:?}"));
    add(if allow { "allow" } else { "refuse" });
    add(ledger);
    for (folder, files) in &sources.folders {
        add(&folder.to_string_lossy());
        for (path, stamp) in files {
            add(&format!("{path} {stamp:?}"));
        }
    }
    for (file, stamp) in &sources.extra {
        add(&format!("{} {stamp:?}", file.display()));
    }
    // Remote sources are read from the store: any ingest that changed it (its file or,
    // in WAL mode, its log) makes the build a full one.
    if site.feeds.iter().any(|feed| feed.has_remote_sources()) {
        let mut log = site.store.as_os_str().to_owned();
        log.push("-wal");
        add(&format!("store {:?}", stamp(&site.store)));
        add(&format!("store log {:?}", stamp(Path::new(&log))));
    }
    let remote = site
        .root
        .join(crate::ingest::remote_media::RemoteMediaCache::RELATIVE_PATH);
    add(&format!("{:?}", stamp(&remote)));
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn site() -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("feeds")).unwrap();
        fs::create_dir_all(root.join("posts")).unwrap();
        fs::write(
            root.join("omroep.toml"),
            "title = \"T\"\nbase_url = \"https://x.example/\"\nlanguage = \"en\"\n",
        )
        .unwrap();
        fs::write(
            root.join("feeds/blog.toml"),
            "kind = \"blog\"\ntitle = \"B\"\n[[source]]\nmarkdown = \"**/*.md\"\n",
        )
        .unwrap();
        fs::write(root.join("posts/a.md"), "a").unwrap();
        let site = crate::config::load(&root.join("omroep.toml"), root).unwrap();
        (dir, site)
    }

    #[test]
    fn the_key_follows_every_input() {
        let (dir, site) = site();
        let first = key(&site, false, &SourceStamps::gather(&site, &[]));
        assert_eq!(
            key(&site, false, &SourceStamps::gather(&site, &[])),
            first,
            "same inputs, same key"
        );
        assert_ne!(
            key(&site, true, &SourceStamps::gather(&site, &[])),
            first,
            "the override flag counts"
        );
        fs::write(dir.path().join("posts/b.md"), "b").unwrap();
        let added = key(&site, false, &SourceStamps::gather(&site, &[]));
        assert_ne!(added, first, "a new file counts");
        fs::write(dir.path().join("posts/b.md"), "bb").unwrap();
        assert_ne!(
            key(&site, false, &SourceStamps::gather(&site, &[])),
            added,
            "a changed file counts"
        );
        let extra = dir.path().join("art.jpg");
        fs::write(&extra, "x").unwrap();
        let with_extra = key(
            &site,
            false,
            &SourceStamps::gather(&site, std::slice::from_ref(&extra)),
        );
        fs::write(&extra, "xy").unwrap();
        assert_ne!(
            key(&site, false, &SourceStamps::gather(&site, &[extra])),
            with_extra,
            "files read elsewhere count"
        );
        fs::create_dir_all(dir.path().join("public")).unwrap();
        fs::create_dir_all(dir.path().join(".omroep")).unwrap();
        let before_outputs = key(&site, false, &SourceStamps::gather(&site, &[]));
        fs::write(dir.path().join("public/index.html"), "x").unwrap();
        fs::write(dir.path().join(".omroep/build-state.json"), "{}").unwrap();
        assert_eq!(
            key(&site, false, &SourceStamps::gather(&site, &[])),
            before_outputs,
            "outputs and state do not"
        );
        let before_ledger = key(&site, false, &SourceStamps::gather(&site, &[]));
        fs::write(&site.ledger, "# ledger\n").unwrap();
        let after_ledger = key(&site, false, &SourceStamps::gather(&site, &[]));
        assert_ne!(after_ledger, before_ledger, "the ledger counts");
        // A build rewrites the ledger after it gathered the stamps: the same text
        // written again (a new mtime) must not end the next build's fast path.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&site.ledger, "# ledger\n").unwrap();
        settle(&site);
        let background = FolderStamps::start(&site, None).finish(Vec::new()).unwrap();
        assert_eq!(background, SourceStamps::gather(&site, &[]));
        assert_eq!(
            key(&site, false, &background),
            after_ledger,
            "by content only"
        );
    }

    #[test]
    fn a_missing_output_or_a_due_entry_ends_the_fast_path() {
        let (_dir, site) = site();
        fs::create_dir_all(&site.output).unwrap();
        fs::write(site.output.join("index.html"), "x").unwrap();
        let now = Utc::now();
        let due = now + chrono::Duration::hours(1);
        let state = State::record(
            &site,
            false,
            "",
            &SourceStamps::gather(&site, &[]),
            &["index.html".into()],
            vec![],
            Some(due),
        );
        assert!(state.still_holds(&site, false, now).0);
        assert!(
            !state.still_holds(&site, false, due).0,
            "a scheduled entry fell due"
        );
        let round_trip: State = serde_json::from_str(&state.to_json()).unwrap();
        assert_eq!(round_trip, state);
        fs::remove_file(site.output.join("index.html")).unwrap();
        assert!(!state.still_holds(&site, false, now).0);
    }

    #[test]
    fn the_state_records_the_ledger_the_build_used_not_the_file_read_again() {
        let (_dir, site) = site();
        fs::create_dir_all(&site.output).unwrap();
        fs::write(site.output.join("index.html"), "x").unwrap();
        let now = Utc::now();
        let record = |ledger: &str| {
            let stamps = SourceStamps::gather(&site, &[]);
            State::record(
                &site,
                false,
                ledger,
                &stamps,
                &["index.html".into()],
                vec![],
                None,
            )
        };
        fs::write(&site.ledger, "# as the build wrote it\n").unwrap();
        assert!(
            record("# as the build wrote it\n")
                .still_holds(&site, false, now)
                .0
        );
        // Changed on disk after the build used it: the next build must see the change.
        fs::write(&site.ledger, "# changed since\n").unwrap();
        assert!(
            !record("# as the build wrote it\n")
                .still_holds(&site, false, now)
                .0
        );
    }

    #[test]
    fn a_start_clock_file_left_by_a_killed_build_is_swept_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join(".omroep");
        // Left behind, as by a build killed before it removed the file.
        let (_, left) = start_clock(&folder).unwrap().keep().unwrap();
        assert!(left.starts_with(&folder) && left.is_file());
        let next_build = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
        assert_eq!(
            crate::publish::remove_stray_temporaries(&folder, false, next_build),
            1
        );
        assert!(!left.exists());
    }

    /// Dates `file` an hour from now (as if it were edited after the build started), or
    /// an hour ago.
    fn dated(file: &Path, later: bool) {
        let hour = std::time::Duration::from_secs(3600);
        let now = std::time::SystemTime::now();
        fs::File::options()
            .write(true)
            .open(file)
            .unwrap()
            .set_modified(if later { now + hour } else { now - hour })
            .unwrap();
    }

    /// Waits until the file system's clock has passed every change made under the site so
    /// far: it ticks coarsely, and a file changed in the tick a build starts in counts as
    /// changed during the build. Polls the condition itself, so it cannot flake.
    fn settle(site: &Site) {
        let state = site.root.join(".omroep");
        fs::create_dir_all(&state).unwrap();
        let marker = state.join("settled");
        fs::write(&marker, "").unwrap();
        let changed = changed_at(&fs::metadata(&marker).unwrap()).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while file_system_now(&state) <= changed {
            assert!(
                std::time::Instant::now() < deadline,
                "the clock stands still"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Whether a walk of the source folders, now, finds a file changed at or after
    /// `started` (what the walking thread of a build that started then reports).
    fn walk_finds_late(site: &Site, started: u128) -> bool {
        SourceStamps::walk(
            SourceStamps::folders(site),
            SourceStamps::skipped(site),
            Some(started),
        )
        .1
    }

    #[test]
    fn stamps_holding_a_file_changed_since_the_build_started_are_not_recorded() {
        let (dir, site) = site();
        let post = dir.path().join("posts/a.md");
        let art = dir.path().join("art.jpg");
        fs::write(&art, "x").unwrap();
        let start = || file_system_now(&site.root.join(".omroep"));
        let finished = || FolderStamps::start(&site, None).finish(vec![art.clone()]);
        settle(&site);
        assert!(
            finished().is_some(),
            "inputs changed before the build are recorded"
        );

        // Written after the start: a source the walking thread may stamp after the build
        // read it, and a file read outside the source folders, stamped after rendering.
        let started = start();
        fs::write(&post, "edited").unwrap();
        assert!(walk_finds_late(&site, started), "a source written since");
        settle(&site);
        let stamps = FolderStamps::start(&site, None);
        fs::write(&art, "y").unwrap();
        assert_eq!(
            stamps.finish(vec![art.clone()]),
            None,
            "an asset written since"
        );

        // Moved in after the start with the mtime it was written with, long before (`mv`
        // from elsewhere, `rsync -a`, `cp -p`, `tar x`, an editor's rename of its
        // temporary file): the mtime says nothing of its arrival, the ctime does.
        let moved_in = |to: &Path| {
            let draft = site.root.join(".omroep/draft");
            fs::write(&draft, "a draft written long ago").unwrap();
            dated(&draft, false);
            fs::rename(&draft, to).unwrap();
            let mtime = fs::metadata(to).unwrap().modified().unwrap();
            assert!(mtime < std::time::SystemTime::now() - std::time::Duration::from_secs(60));
        };
        settle(&site);
        let started = start();
        moved_in(&dir.path().join("posts/new.md"));
        assert!(walk_finds_late(&site, started), "a source moved in since");
        settle(&site);
        let stamps = FolderStamps::start(&site, None);
        moved_in(&art);
        assert_eq!(
            stamps.finish(vec![art.clone()]),
            None,
            "an asset moved in since"
        );

        // Dated in the future (by `touch -d`, or on a machine whose clock runs ahead), but
        // changed before the start: recorded, and the next build takes the fast path.
        dated(&post, true);
        dated(&art, true);
        settle(&site);
        assert!(!walk_finds_late(&site, start()));
        let stamps = finished().expect("future-dated inputs are recorded");
        fs::create_dir_all(&site.output).unwrap();
        fs::write(site.output.join("index.html"), "x").unwrap();
        let state = State::record(
            &site,
            false,
            "",
            &stamps,
            &["index.html".into()],
            vec![],
            None,
        );
        assert!(state.still_holds(&site, false, Utc::now()).0);
    }

    #[test]
    fn a_derived_input_under_the_state_folder_written_during_the_build_is_recorded() {
        let (dir, site) = site();
        let covers = dir.path().join(".omroep/covers");
        fs::create_dir_all(&covers).unwrap();
        let cover = covers.join("cover.jpg");
        let art = dir.path().join("art.jpg");

        // An episode's embedded cover, written to `.omroep/covers` while the build reads
        // the audio, and then read as an input: the build's no-change state is recorded.
        settle(&site);
        let stamps = FolderStamps::start(&site, None);
        fs::write(&cover, "cover").unwrap();
        let recorded = stamps.finish(vec![cover.clone()]);
        let recorded = recorded.expect("a cover the build wrote does not block the record");
        assert!(
            recorded
                .extra
                .iter()
                .any(|(path, stamp)| path == &cover && stamp.is_some()),
            "the cover is still stamped as an input"
        );

        // The same, outside `.omroep`: it may have changed after its read.
        settle(&site);
        let stamps = FolderStamps::start(&site, None);
        fs::write(&art, "art").unwrap();
        assert_eq!(stamps.finish(vec![cover.clone(), art.clone()]), None);
    }

    #[test]
    fn a_source_edited_after_the_stamps_were_taken_ends_the_next_fast_path() {
        let (dir, site) = site();
        fs::create_dir_all(&site.output).unwrap();
        fs::write(site.output.join("index.html"), "x").unwrap();
        let art = dir.path().join("art.jpg");
        fs::write(&art, "x").unwrap();
        for file in ["omroep.toml", "feeds/blog.toml", "posts/a.md", "art.jpg"] {
            dated(&dir.path().join(file), false);
        }
        settle(&site);
        let now = Utc::now();
        let record = |stamps: &SourceStamps| {
            State::record(
                &site,
                false,
                "",
                stamps,
                &["index.html".into()],
                vec![],
                None,
            )
        };
        // The fast-path check walked the folders and found its state stale: the build
        // records those stamps, not newer ones.
        let stale = State::default();
        let (holds, taken) = stale.still_holds(&site, false, now);
        assert!(!holds);
        let taken = taken.expect("the folders were walked");
        assert_eq!(taken, SourceStamps::gather(&site, &[]));
        let reused = FolderStamps::start(&site, Some(taken));
        // A source edited while the build reads and renders (after the stamps).
        fs::write(dir.path().join("posts/a.md"), "edited").unwrap();
        let stamps = reused.finish(vec![art.clone()]).unwrap();
        assert_eq!(stamps.extra.len(), 1, "the extra input is stamped");
        assert!(
            !record(&stamps).still_holds(&site, false, now).0,
            "the edit is seen by the next build"
        );
        // Stamps taken after the edit hold, as they should.
        dated(&dir.path().join("posts/a.md"), false);
        settle(&site);
        let state = record(&FolderStamps::start(&site, None).finish(vec![art]).unwrap());
        assert!(state.still_holds(&site, false, now).0);
    }
}

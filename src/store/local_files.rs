//! The file cache kept in the store: what was learned from local content files, so
//! that a new run (a new process) skips every file that did not change.
//!
//! [`Store::local_files`] loads the remembered Markdown outcomes and audio probes (in
//! the compact row format of `store::compact`, the rows in a few large buffers, each decoded
//! only when its file is asked for) on a thread of its own, beside the caller's listing
//! of the content folders; the run's
//! sessions share the [`StoredFileCache`] as their [`FileCache`];
//! [`Store::save_local_files`] writes what the run learned in one transaction, and
//! writes nothing at all (no transaction, so no WAL to check-point at close) when the
//! run learned nothing and no row is stale. The cache only ever costs speed, never
//! correctness: a row that cannot be decoded is a miss, and whether a remembered result
//! still holds is decided by the caller from the stamps and hashes it carries
//! (`ingest::file_cache`), never by the store.
//!
//! A remembered outcome is decoded for the caller alone and not kept decoded here: the
//! caller is then its only owner and takes the item out of it without a deep copy (the
//! rows stay, so asking again decodes again; a run asks once per file and session).
//!
//! The compact format rather than JSON or MessagePack with named fields: a second run
//! with nothing changed spends most of its time decoding the remembered outcomes (whole
//! items, HTML included). There fields go by position and a row's strings are checked
//! for UTF-8 once, not one by one; rows of an earlier encoding (MessagePack, written
//! before) or of another omroep release do not decode, are misses, and are replaced by
//! the run that reads those files again.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

use rusqlite::params;

use super::{Result, Store, compact};
use crate::ingest::file_cache::{CachedAudio, CachedDocument, FileCache};
use crate::ingest::local::lock;

/// Remembered results of local files, loaded from the store, plus what this run learned.
#[derive(Debug, Default)]
pub struct StoredFileCache {
    /// The loading thread, joined when the cache is consumed (it closes its connection
    /// after handing the rows over; see [`Store::local_files`]).
    loading: Mutex<Option<JoinHandle<()>>>,
    /// What the loading thread shares with the callers.
    shared: Arc<Shared>,
}

/// The state the loading thread and the callers share.
#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    /// Every loaded row's bytes, read without the lock (they never change after
    /// loading); or why the load failed (every file is then a miss; see
    /// [`StoredFileCache::load_error`]). Set by the loading thread once the rows' index
    /// is installed in `state`: the first one to ask for a row waits for it.
    bytes: OnceLock<std::result::Result<RowBytes, String>>,
}

/// What [`load_rows`] read.
#[derive(Debug)]
struct Loaded {
    bytes: RowBytes,
    documents: Rows,
    audio: Rows,
}

/// The loaded rows' bytes, one after the other in buffers of [`RowBytes::CHUNK`] (a
/// larger row has a buffer of its own): a few allocations instead of one per row, and
/// no need to know the rows' total length before reading them (a query for it walks
/// every page of both tables, a third of the load).
#[derive(Debug, Default)]
struct RowBytes {
    chunks: Vec<Vec<u8>>,
}

/// Where a row's bytes are in [`RowBytes`].
#[derive(Debug, Clone)]
struct Span {
    chunk: usize,
    bytes: Range<usize>,
}

impl RowBytes {
    const CHUNK: usize = 1 << 20;

    fn push(&mut self, row: &[u8]) -> Span {
        let fits = self
            .chunks
            .last()
            .is_some_and(|chunk| chunk.capacity() - chunk.len() >= row.len());
        if !fits {
            self.chunks
                .push(Vec::with_capacity(row.len().max(Self::CHUNK)));
        }
        let chunk = self.chunks.len() - 1;
        let buffer = &mut self.chunks[chunk];
        let start = buffer.len();
        buffer.extend_from_slice(row);
        Span {
            chunk,
            bytes: start..buffer.len(),
        }
    }

    fn get(&self, span: &Span) -> Option<&[u8]> {
        self.chunks.get(span.chunk)?.get(span.bytes.clone())
    }
}

#[derive(Debug, Default)]
struct State {
    /// Rows as loaded. A row stays after it was asked for (and is decoded again if it
    /// is asked for again): the decoded outcome goes to the caller alone, which can
    /// then take its item without copying it.
    documents: Rows,
    audio: Rows,
    /// Outcomes put by this run (they win over rows). Encoded when put, so that the
    /// caller that put one is its only owner and takes its item without a copy: a run
    /// holds each outcome once decoded (its entry) and once encoded, not twice decoded.
    learned_documents: PathMap<Learned>,
    /// Audio rows asked for (decoded, or `None` when the row was unreadable) and
    /// probes put by this run.
    parsed_audio: PathMap<Option<CachedAudio>>,
    /// The probes this run learned, by path, to be written by the next save.
    new_audio: HashMap<String, CachedAudio>,
}

/// An outcome put by this run.
#[derive(Debug)]
struct Learned {
    put: Put,
    /// Written by a save already (it still answers for its file).
    saved: bool,
}

impl Learned {
    /// The path to save it under, while it is not saved yet: `None` once saved, or when
    /// `key` is not UTF-8 (such a file is remembered for this run only).
    fn unsaved_path<'k>(&self, key: &'k [u8]) -> Option<&'k str> {
        if self.saved {
            return None;
        }
        std::str::from_utf8(key).ok()
    }
}

#[derive(Debug)]
enum Put {
    /// Its row, and the keys of the files it depended on: the probes of those audio
    /// files stay when the store is pruned.
    Row {
        data: Vec<u8>,
        dependencies: Vec<Key>,
    },
    /// An outcome that does not encode: it answers for this run only and is not saved.
    Unencoded(Arc<CachedDocument>),
}

impl Put {
    fn dependencies(&self) -> Box<dyn Iterator<Item = &[u8]> + '_> {
        match self {
            Put::Row { dependencies, .. } => Box::new(dependencies.iter().map(|key| &key[..])),
            Put::Unencoded(document) => Box::new(document.dependencies.paths().map(key_of)),
        }
    }
}

/// A path as a map key: its bytes, hashed in one go. A `PathBuf` key hashes component
/// by component, which was an eighth of a second run's instructions; two spellings of
/// one file (`a//b`, `a/./b`) are then two keys, which costs at most a miss, and the
/// paths asked for are built the same way as the ones stored.
type Key = Box<[u8]>;

/// A map by path (keyed by the path's bytes, see `Key`). foldhash instead of the
/// standard SipHash: the keys are the site's own file names, and SipHash was a tenth
/// of a second run's lookups.
pub(crate) type PathMap<V> = HashMap<Key, V, foldhash::fast::RandomState>;

/// The stored rows of one table, by path.
type Rows = PathMap<Row>;

/// How much of the database file [`Store::local_files`] maps while it loads: all of
/// any store up to 1 GiB (pages past it are read as usual).
const LOAD_MAP_SIZE: i64 = 1 << 30;

/// The key of `path` in a [`PathMap`]: its bytes as the OS gives them.
pub(crate) fn key_of(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// A stored row and whether this run needs it: asked for, or (an audio probe) named by
/// an outcome this run reused. Rows nobody needed are pruned when the run is saved.
#[derive(Debug)]
struct Row {
    /// Where its bytes are in [`Shared::bytes`].
    data: Span,
    needed: bool,
}

/// What [`Store::save_local_files`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Saved {
    pub written: usize,
    /// Rows of files that no source names any more.
    pub removed: usize,
}

impl Shared {
    /// Makes the outcome of a load the one asked from: the rows' index into `state`,
    /// their bytes (or why there are none) into `bytes`. The one way a load is
    /// installed, on the loading thread or (a store in memory) at once; `load` runs
    /// here, and a panic in it is the load's error.
    fn install(&self, load: impl FnOnce() -> Result<Loaded>) {
        let bytes = match std::panic::catch_unwind(AssertUnwindSafe(load)) {
            Ok(Ok(loaded)) => {
                let mut state = lock(&self.state);
                state.documents = loaded.documents;
                state.audio = loaded.audio;
                Ok(loaded.bytes)
            }
            // SQLite's own words: the message it goes into already names the store.
            Ok(Err(super::StoreError::Sql(error))) => Err(error.to_string()),
            Ok(Err(super::StoreError::FileCache(why))) => Err(why),
            Ok(Err(error)) => Err(error.to_string()),
            Err(panic) => Err(
                match panic
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                {
                    Some(message) => format!("the thread loading it stopped: {message}"),
                    None => "the thread loading it stopped".to_string(),
                },
            ),
        };
        let _ = self.bytes.set(bytes);
    }
}

impl StoredFileCache {
    /// A cache of rows already loaded.
    fn of(loaded: Loaded) -> StoredFileCache {
        let cache = StoredFileCache::default();
        cache.shared.install(|| Ok(loaded));
        cache
    }

    /// The rows' bytes, once loaded: waits for the loading thread the first time. A
    /// load that failed leaves no rows (every file is a miss) and its error for
    /// [`StoredFileCache::load_error`].
    fn rows(&self) -> &RowBytes {
        static NONE: RowBytes = RowBytes { chunks: Vec::new() };
        self.loaded().as_ref().unwrap_or(&NONE)
    }

    /// Waits for the loading thread to end, once the rows are in: it closes its
    /// connection after handing them over. A save waits for it, so that the store's own
    /// connection is the last one open when it closes, and checkpoints and empties the
    /// WAL as it does alone (what a build's fast path stamps next is then what stays).
    fn join_loading(&self) {
        if let Some(loading) = lock(&self.loading).take() {
            let _ = loading.join();
        }
    }

    /// The load's outcome: waits for the loading thread the first time. A cache that
    /// never had a loading thread (`StoredFileCache::default()`, a build's without a
    /// store) has no rows.
    fn loaded(&self) -> &std::result::Result<RowBytes, String> {
        if let Some(loaded) = self.shared.bytes.get() {
            return loaded;
        }
        if lock(&self.loading).is_none() {
            return self.shared.bytes.get_or_init(|| Ok(RowBytes::default()));
        }
        self.shared.bytes.wait()
    }

    /// Why the load failed, if it did: every file was then a miss (read again). Waits
    /// for the load when no file was asked for yet. The caller reports it, in any mode
    /// (a build, a check); [`Store::save_local_files`] still writes what the run learned.
    pub fn load_error(&self) -> Option<super::StoreError> {
        self.loaded()
            .as_ref()
            .err()
            .map(|error| super::StoreError::FileCache(error.clone()))
    }

    /// How many results this run learned (to be written by the next save).
    pub fn learned(&self) -> usize {
        let state = lock(&self.shared.state);
        state
            .learned_documents
            .iter()
            .filter(|(key, learned)| learned.unsaved_path(key).is_some())
            .count()
            + state.new_audio.len()
    }
}

/// A result as stored, in the compact format. `None` when it does not encode (it is
/// then simply not remembered).
fn encode<T: serde::Serialize>(value: &T) -> Option<Vec<u8>> {
    compact::to_row(value).ok()
}

/// A stored row as a result; `None` (a miss) when it is not one: damaged, of an earlier
/// encoding, or written by an omroep whose types differed.
fn decode<T: serde::de::DeserializeOwned>(row: &[u8]) -> Option<T> {
    compact::from_row(row).ok()
}

/// A stored outcome, read by the compact format's own reader of documents (which
/// reads what `decode` would, in far fewer instructions); `None` as for `decode`.
fn decode_document(row: &[u8]) -> Option<CachedDocument> {
    compact::document_from_row(row).ok()
}

impl FileCache for StoredFileCache {
    fn audio(&self, path: &Path) -> Option<CachedAudio> {
        let rows = self.rows();
        let row = {
            let mut state = lock(&self.shared.state);
            if let Some(parsed) = state.parsed_audio.get(key_of(path)) {
                return parsed.clone();
            }
            let row = state.audio.get_mut(key_of(path))?;
            row.needed = true;
            row.data.clone()
        };
        let parsed: Option<CachedAudio> = decode(rows.get(&row)?);
        lock(&self.shared.state)
            .parsed_audio
            .insert(key_of(path).into(), parsed.clone());
        parsed
    }

    fn put_audio(&self, path: &Path, audio: CachedAudio) {
        let Some(key) = path.to_str() else {
            return;
        };
        let mut state = lock(&self.shared.state);
        state.new_audio.insert(key.to_string(), audio.clone());
        state.parsed_audio.insert(key_of(path).into(), Some(audio));
    }

    fn document(&self, path: &Path) -> Option<Arc<CachedDocument>> {
        let rows = self.rows();
        let data = {
            let mut state = lock(&self.shared.state);
            if let Some(learned) = state.learned_documents.get(key_of(path)) {
                let row = match &learned.put {
                    Put::Row { data, .. } => data.clone(),
                    Put::Unencoded(document) => return Some(document.clone()),
                };
                drop(state);
                // Decoded outside the lock, as a stored row is; this run's own
                // results were remembered with their audio probes already.
                return decode_document(&row).map(Arc::new);
            }
            let row = state.documents.get_mut(key_of(path))?;
            row.needed = true;
            row.data.clone()
        };
        // Decoded outside the lock: the threads reading files ask at the same time.
        let document = decode_document(rows.get(&data)?)?;
        // The audio probes this outcome depends on stay: it does not ask for them,
        // yet they spare a re-measurement when only the show notes change.
        {
            let mut state = lock(&self.shared.state);
            for dependency in document.dependencies.paths() {
                if let Some(row) = state.audio.get_mut(key_of(dependency)) {
                    row.needed = true;
                }
            }
        }
        Some(Arc::new(document))
    }

    fn ready(&self) -> bool {
        self.shared.bytes.get().is_some()
    }

    fn put_document(&self, path: &Path, document: Arc<CachedDocument>) {
        // Encoded on the caller's thread, outside the lock (the threads reading files
        // put at the same time); the caller's handle is then the outcome's only one.
        let put = match encode(&*document) {
            Some(data) => Put::Row {
                data,
                dependencies: document
                    .dependencies
                    .paths()
                    .map(|p| key_of(p).into())
                    .collect(),
            },
            None => Put::Unencoded(document),
        };
        // A path that is not UTF-8 cannot be a key in the store; such a file is
        // remembered for this run only (a save skips it).
        lock(&self.shared.state)
            .learned_documents
            .insert(key_of(path).into(), Learned { put, saved: false });
    }
}

impl Store {
    /// The file cache as the last run left it. The rows are loaded on a thread of their
    /// own, through a second connection, while the caller goes on (lists the sources'
    /// folders): the first file asked for waits for the load. That was a sixth of a
    /// second run's time on the calling thread, next to a listing that leaves the
    /// other core idle. A store in memory (tests, dry runs) is loaded here and now.
    ///
    /// The rows are read through a memory map of the database file: SQLite then hands
    /// out each row where it lies in the map instead of first reading every page with
    /// `pread` into its own cache (a kernel copy and a fresh page of the cache per
    /// 4 KiB: the cache is filled once and thrown away). What keeps the map safe when
    /// the file changes is SQLite itself, not `store::lock` (which keeps other omroep
    /// runs away but stops no other tool): each statement of the load reads inside a
    /// read transaction, so no SQLite writer can shrink the file below the pages it
    /// reads meanwhile; SQLite remaps when it sees the file's size change, and reads
    /// pages past the map's end as usual. (A tool that cut the file short outside
    /// SQLite's locking would break any reader, mapped or not.) The loading connection
    /// is read-only, opened on the loading thread (a failure to open it is the load's:
    /// see [`StoredFileCache::load_error`]) and closed after the load is handed over
    /// (the callers do not wait for the unmapping); this connection is left as it was.
    pub fn local_files(&self) -> Result<StoredFileCache> {
        let Some(path) = super::file_of(&self.conn) else {
            return Ok(StoredFileCache::of(load_rows(&self.conn)?));
        };
        let path = PathBuf::from(path);
        start_loading(move || Ok(Source::File(path)))
    }

    /// [`Store::open`] and then [`Store::local_files`], on a thread of their own, while
    /// the caller goes on (lists the content folders, and starts on them): the file
    /// cache at once, its rows loaded by that thread, through the store's own
    /// connection, once the store is open; and the store, which [`PendingStore::wait`]
    /// gives once the thread is done with it. Opening the store and starting a thread
    /// each take about as long as listing a thousand files: side by side, not one
    /// after the other. The store's own connection reads the rows (through a memory
    /// map, as [`Store::local_files`] does, set back after): a second connection would
    /// read and parse the schema again, and close after. Its first reading of the file
    /// has rolled back any journal a killed run left and brought the schema up to date.
    pub fn open_in_background(path: &Path) -> (Result<StoredFileCache>, PendingStore) {
        Store::open_loading_with(path, load_mapped)
    }

    /// [`Store::open_in_background`], the rows read by `load`.
    fn open_loading_with(
        path: &Path,
        load: fn(&rusqlite::Connection) -> Result<Loaded>,
    ) -> (Result<StoredFileCache>, PendingStore) {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let opened = start_loading({
            let path = path.to_path_buf();
            move || {
                let opened = Store::open(&path);
                // A load that panics costs the file cache only: the store is handed
                // over all the same, and the panic is the load's error (see `install`).
                let loaded = match &opened {
                    Ok(store) => std::panic::catch_unwind(AssertUnwindSafe(|| load(&store.conn))),
                    Err(_) => Ok(Err(super::StoreError::FileCache(
                        "the store did not open".into(),
                    ))),
                };
                // Nothing to hand over when the caller is gone.
                let _ = sender.send(opened);
                match loaded {
                    Ok(loaded) => loaded.map(Source::Loaded),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
        match opened {
            Ok(files) => (Ok(files), PendingStore(Pending::Thread(receiver))),
            // No thread: the store opened here and now, without its file cache.
            Err(error) => (
                Err(error),
                PendingStore(Pending::Ready(Box::new(Store::open(path)))),
            ),
        }
    }

    /// Writes what the run learned, in one transaction. With `prune`, rows of files
    /// the run never asked about are removed (the caller read every source, so those
    /// files are gone or no longer named) — except the probes of audio files that an
    /// outcome of this run depends on: a reused outcome does not ask for its audio, yet
    /// the probe is what spares a re-measurement when only the show notes change.
    /// When there is nothing to write or remove, nothing is written.
    /// A load that failed (every file was then a miss) is not this save's error: the
    /// caller reports it from [`StoredFileCache::load_error`]; what the run learned is
    /// written all the same (and nothing is pruned: no row was loaded).
    pub fn save_local_files(&mut self, cache: &StoredFileCache, prune: bool) -> Result<Saved> {
        // The rows, to know which are stale, even when no file was asked for.
        cache.rows();
        cache.join_loading();
        self.save_state(&cache.shared, prune, false)
    }

    /// As [`Store::save_local_files`], for a cache no one will ask again (a build's, once
    /// every source was read). What it holds is freed as soon as the save has no use for
    /// it: the rows' bytes and the decoded results before anything is written (only the
    /// rows' index tells which are stale), each learned outcome once it is encoded. On
    /// a touched checkout the rows are a second copy of every entry, and they were
    /// held while the feeds' models were built beside the save.
    pub fn save_local_files_consumed(
        &mut self,
        cache: StoredFileCache,
        prune: bool,
    ) -> Result<Saved> {
        cache.rows();
        cache.join_loading();
        // The loading thread has ended: this is the last handle on the rows' bytes.
        let StoredFileCache { mut shared, .. } = cache;
        if let Some(shared) = Arc::get_mut(&mut shared) {
            shared.bytes.take();
        }
        lock(&shared.state).parsed_audio = PathMap::default();
        self.save_state(&shared, prune, true)
    }

    /// The save itself, from the state the rows were loaded into; with `consume`, each
    /// learned outcome is dropped once it is encoded (the cache is not asked again).
    fn save_state(&mut self, shared: &Shared, prune: bool, consume: bool) -> Result<Saved> {
        let mut state = lock(&shared.state);
        let (stale_documents, stale_audio) = if prune {
            // What this run put stays, and so do the probes of the audio its new
            // outcomes depend on (those it reused marked theirs when they were asked).
            let unsaved = || state.learned_documents.iter().filter(|(_, l)| !l.saved);
            let put: HashSet<&[u8]> = unsaved().map(|(key, _)| &key[..]).collect();
            let in_use: HashSet<&[u8]> = unsaved()
                .flat_map(|(_, learned)| learned.put.dependencies())
                .chain(state.new_audio.keys().map(|k| k.as_bytes()))
                .collect();
            (stale(&state.documents, &put), stale(&state.audio, &in_use))
        } else {
            (Vec::new(), Vec::new())
        };
        let mut saved = Saved::default();
        let nothing_to_do = state
            .learned_documents
            .iter()
            .all(|(key, learned)| learned.unsaved_path(key).is_none())
            && state.new_audio.is_empty()
            && stale_documents.is_empty()
            && stale_audio.is_empty();
        if !nothing_to_do {
            let tx = self.conn.transaction()?;
            let mut upsert = |table: &str, path: &str, data: Option<&[u8]>| {
                let Some(data) = data else {
                    return Ok(());
                };
                tx.prepare_cached(&format!(
                    "INSERT INTO {table} (path, data) VALUES (?1, ?2)
                     ON CONFLICT(path) DO UPDATE SET data = excluded.data"
                ))?
                .execute(params![path, data])?;
                saved.written += 1;
                Ok::<(), rusqlite::Error>(())
            };
            if consume {
                for (key, learned) in std::mem::take(&mut state.learned_documents) {
                    let path = learned.unsaved_path(&key);
                    if let (Put::Row { data, .. }, Some(path)) = (learned.put, path) {
                        upsert("local_documents", path, Some(&data))?;
                    }
                }
            } else {
                for (key, learned) in &state.learned_documents {
                    if let (Put::Row { data, .. }, Some(path)) =
                        (&learned.put, learned.unsaved_path(key))
                    {
                        upsert("local_documents", path, Some(data))?;
                    }
                }
            }
            for (path, audio) in &state.new_audio {
                upsert("local_audio", path, encode(audio).as_deref())?;
            }
            for (table, rows) in [
                ("local_documents", &stale_documents),
                ("local_audio", &stale_audio),
            ] {
                if rows.is_empty() {
                    continue;
                }
                let mut delete =
                    tx.prepare_cached(&format!("DELETE FROM {table} WHERE path = ?1"))?;
                for path in rows {
                    saved.removed += delete.execute([path])?;
                }
            }
            tx.commit()?;
        }
        for learned in state.learned_documents.values_mut() {
            learned.saved = true;
        }
        state.new_audio.clear();
        if prune {
            state.documents.retain(|_, row| row.needed);
            state.audio.retain(|_, row| row.needed);
        }
        Ok(saved)
    }
}

/// Where the loading thread takes the rows from.
enum Source {
    /// The database file, through a read-only connection of its own.
    File(PathBuf),
    /// Already read (through the store's own connection).
    Loaded(Loaded),
}

/// Starts loading the rows of a store on a thread of its own (see
/// [`Store::local_files`]): the thread first runs `first`, which says where the rows
/// are (or why there are none).
fn start_loading<F>(first: F) -> Result<StoredFileCache>
where
    F: FnOnce() -> Result<Source> + Send + 'static,
{
    let shared = Arc::new(Shared::default());
    // On a core of its own, or it waits for the caller to block (see `Spread`).
    let spread = Arc::new(crate::parallel::Spread::beside_caller());
    let loading = std::thread::Builder::new()
        .name("omroep-file-cache".into())
        .spawn({
            let shared = shared.clone();
            let spread = spread.clone();
            move || {
                let mut connection = None;
                // Everything the thread does before the rows are installed is inside
                // `install`, which catches a panic: the callers wait for the rows, never
                // for a thread that stopped without saying.
                shared.install(|| {
                    spread.settle();
                    match first()? {
                        Source::File(path) => {
                            let (loaded, conn) = load_from(&path)?;
                            connection = Some(conn);
                            Ok(loaded)
                        }
                        Source::Loaded(loaded) => Ok(loaded),
                    }
                });
                // Closed once the rows are handed over: unmapping the file and
                // closing its WAL index is not the callers' wait.
                drop(connection);
            }
        })
        .map_err(super::StoreError::Thread)?;
    spread.started();
    Ok(StoredFileCache {
        loading: Mutex::new(Some(loading)),
        shared,
    })
}

/// The store [`Store::open_in_background`] opens.
pub struct PendingStore(Pending);

enum Pending {
    /// On the thread that opens it and then loads the file cache through it.
    Thread(std::sync::mpsc::Receiver<Result<Store>>),
    /// Opened already (no thread could be started).
    Ready(Box<Result<Store>>),
}

impl PendingStore {
    /// The store, once the thread has opened it and loaded the file cache's rows
    /// through it; its error if it did not open.
    pub fn wait(self) -> Result<Store> {
        match self.0 {
            Pending::Thread(store) => store
                .recv()
                .unwrap_or(Err(super::StoreError::OpeningStopped)),
            Pending::Ready(store) => *store,
        }
    }
}

/// The rows of `conn`'s store, read through a memory map of its file (see
/// [`Store::local_files`]); the connection's map is set back to none after. A map that
/// cannot be set back costs memory only, not the rows.
fn load_mapped(conn: &rusqlite::Connection) -> Result<Loaded> {
    conn.pragma_update(None, "mmap_size", LOAD_MAP_SIZE)?;
    let loaded = load_rows(conn);
    let _ = conn.pragma_update(None, "mmap_size", 0);
    loaded
}

/// The rows of the store at `path`, through a read-only connection of their own, opened
/// on the loading thread rather than by the caller, which lists folders meanwhile.
/// The connection comes back with them, for the caller to close once they are handed
/// over.
fn load_from(path: &Path) -> Result<(Loaded, rusqlite::Connection)> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "mmap_size", LOAD_MAP_SIZE)?;
    let loaded = load_rows(&conn)?;
    Ok((loaded, conn))
}

/// [`Store::local_files`]'s reading of the rows.
fn load_rows(conn: &rusqlite::Connection) -> Result<Loaded> {
    let mut bytes = RowBytes::default();
    let mut load = |table: &str| -> Result<Rows> {
        let mut statement = conn.prepare(&format!("SELECT path, data FROM {table}"))?;
        let mut rows = statement.query([])?;
        let mut loaded = Rows::default();
        while let Some(row) = rows.next()? {
            // A row of other types is not one this omroep wrote: a miss (and
            // replaced when its file is read again).
            let (Ok(path), Ok(data)) = (row.get_ref(0)?.as_str(), row.get_ref(1)?.as_blob()) else {
                continue;
            };
            let path: Key = path.as_bytes().into();
            let row = Row {
                data: bytes.push(data),
                needed: false,
            };
            loaded.insert(path, row);
        }
        Ok(loaded)
    };
    let documents = load("local_documents")?;
    let audio = load("local_audio")?;
    Ok(Loaded {
        bytes,
        documents,
        audio,
    })
}

/// The paths of the rows no one needed in this run, except those in `keep`.
fn stale(rows: &Rows, keep: &HashSet<&[u8]>) -> Vec<String> {
    rows.iter()
        .filter(|(path, row)| !row.needed && !keep.contains(&path[..]))
        .filter_map(|(path, _)| std::str::from_utf8(path).ok().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::audio::AudioInfo;
    use crate::ingest::file_cache::{Dependencies, FileStamp};
    use crate::ingest::local::{HeldBack, Problem};
    use crate::ingest::post::Outcome;
    use crate::store::temp_store;
    use std::path::PathBuf;

    fn document(message: &str) -> Arc<CachedDocument> {
        Arc::new(CachedDocument {
            settings_key: "key".into(),
            dependencies: Dependencies::default(),
            date: None,
            was_future: false,
            outcome: Outcome::Held {
                held: HeldBack::Draft,
                problems: vec![Problem::warning("a.md", message)],
            },
        })
    }

    fn audio(length: u64) -> CachedAudio {
        CachedAudio {
            stamp: FileStamp {
                size: length,
                modified: Some(std::time::UNIX_EPOCH),
            },
            hash: Some("ab".into()),
            info: AudioInfo {
                length,
                duration: 1.25,
                ..AudioInfo::default()
            },
        }
    }

    #[test]
    fn what_a_run_learns_is_there_for_the_next_and_unasked_rows_are_pruned() {
        let (_dir, path, mut store) = temp_store();
        let cache = store.local_files().unwrap();
        assert_eq!(cache.document(Path::new("/site/a.md")), None);
        cache.put_document(Path::new("/site/a.md"), document("one"));
        cache.put_document(Path::new("/site/b.md"), document("two"));
        cache.put_audio(Path::new("/site/a.mp3"), audio(10));
        assert_eq!(cache.learned(), 3);
        let saved = store.save_local_files(&cache, true).unwrap();
        assert_eq!(
            saved,
            Saved {
                written: 3,
                removed: 0
            }
        );
        drop(store);

        // A new process: only a.md and a.mp3 are asked for, then b.md is gone.
        let mut store = Store::open(&path).unwrap();
        let cache = store.local_files().unwrap();
        assert_eq!(
            cache.document(Path::new("/site/a.md")),
            Some(document("one"))
        );
        assert_eq!(cache.audio(Path::new("/site/a.mp3")), Some(audio(10)));
        let saved = store.save_local_files(&cache, true).unwrap();
        assert_eq!(
            saved,
            Saved {
                written: 0,
                removed: 1
            }
        );
        let cache = store.local_files().unwrap();
        assert_eq!(cache.document(Path::new("/site/b.md")), None);
        assert_eq!(
            cache.document(Path::new("/site/a.md")),
            Some(document("one"))
        );
    }

    /// An episode file and its audio in `dir`, and an outcome that depends on both.
    fn episode_with_sound(dir: &Path) -> (PathBuf, PathBuf, CachedDocument) {
        let episode = dir.join("ep.md");
        let sound = dir.join("ep.mp3");
        std::fs::write(&episode, "notes").unwrap();
        std::fs::write(&sound, "sound").unwrap();
        let mut depending = (*document("one")).clone();
        depending.dependencies.record(&episode);
        depending.dependencies.record(&sound);
        (episode, sound, depending)
    }

    #[test]
    fn the_probe_of_audio_a_reused_outcome_depends_on_survives_pruning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let (episode, sound, depending) = episode_with_sound(dir.path());
        let mut store = Store::open(&path).unwrap();
        let cache = store.local_files().unwrap();
        cache.put_document(&episode, Arc::new(depending.clone()));
        cache.put_audio(&sound, audio(5));
        cache.put_audio(Path::new("/gone.mp3"), audio(7));
        store.save_local_files(&cache, true).unwrap();
        drop(store);

        // The next run reuses the outcome and never asks for the probe itself.
        let mut store = Store::open(&path).unwrap();
        let cache = store.local_files().unwrap();
        assert_eq!(cache.document(&episode), Some(Arc::new(depending)));
        let saved = store.save_local_files(&cache, true).unwrap();
        assert_eq!(
            saved,
            Saved {
                written: 0,
                removed: 1
            },
            "only the probe nothing depends on is removed"
        );
        drop(store);

        // A run that edits the show notes then finds the probe.
        let store = Store::open(&path).unwrap();
        let cache = store.local_files().unwrap();
        assert_eq!(cache.audio(&sound), Some(audio(5)));
        assert_eq!(cache.audio(Path::new("/gone.mp3")), None);
    }

    #[test]
    fn a_remembered_outcome_is_handed_out_unshared_and_what_a_run_puts_wins() {
        let (_dir, path) = store_with_one_document();

        let mut store = Store::open(&path).unwrap();
        let cache = store.local_files().unwrap();
        // The caller is the only owner, so it can take the item without a copy; a
        // second ask decodes the row again.
        let first = cache.document(Path::new("/site/a.md")).unwrap();
        assert_eq!(Arc::strong_count(&first), 1);
        let second = cache.document(Path::new("/site/a.md")).unwrap();
        assert_eq!(Arc::strong_count(&second), 1);
        assert_eq!(first, second);
        // What this run puts is served from then on, and saved over the row.
        cache.put_document(Path::new("/site/a.md"), document("two"));
        assert_eq!(
            cache.document(Path::new("/site/a.md")),
            Some(document("two"))
        );
        let saved = store.save_local_files(&cache, true).unwrap();
        assert_eq!(
            saved,
            Saved {
                written: 1,
                removed: 0
            }
        );
        let cache = store.local_files().unwrap();
        assert_eq!(
            cache.document(Path::new("/site/a.md")),
            Some(document("two"))
        );
    }

    #[test]
    fn an_outcome_put_is_the_callers_alone_and_answers_after_a_save_that_wrote_it() {
        let (_dir, path, mut store) = temp_store();
        let cache = store.local_files().unwrap();
        let put = document("one");
        cache.put_document(Path::new("/site/a.md"), put.clone());
        assert_eq!(Arc::strong_count(&put), 1, "the cache keeps no handle");
        let asked = cache.document(Path::new("/site/a.md")).unwrap();
        assert_eq!((Arc::strong_count(&asked), &asked), (1, &put));
        assert_eq!(store.save_local_files(&cache, true).unwrap().written, 1);
        // Written once: the next save has nothing to do, and the outcome still answers.
        assert_eq!(cache.learned(), 0);
        assert_eq!(
            store.save_local_files(&cache, true).unwrap(),
            Saved::default()
        );
        assert_eq!(cache.document(Path::new("/site/a.md")), Some(put.clone()));
        drop(store);
        let store = Store::open(&path).unwrap();
        let cache = store.local_files().unwrap();
        assert_eq!(cache.document(Path::new("/site/a.md")), Some(put));
    }

    #[test]
    fn a_consumed_save_writes_and_prunes_what_a_borrowed_one_does() {
        // Two stores go through the same two runs; the second run's save consumes the
        // cache in one and borrows it in the other.
        let dir = tempfile::tempdir().unwrap();
        let (episode, sound, depending) = episode_with_sound(dir.path());
        let mut results = Vec::new();
        for consume in [false, true] {
            let path = dir.path().join(format!("store-{consume}.sqlite"));
            let mut store = Store::open(&path).unwrap();
            let cache = store.local_files().unwrap();
            cache.put_document(Path::new("/site/kept.md"), document("kept"));
            cache.put_document(Path::new("/site/gone.md"), document("gone"));
            cache.put_audio(&sound, audio(5));
            cache.put_audio(Path::new("/gone.mp3"), audio(7));
            cache.put_audio(Path::new("/asked.mp3"), audio(8));
            store.save_local_files(&cache, true).unwrap();
            drop(store);

            let mut store = Store::open(&path).unwrap();
            let cache = store.local_files().unwrap();
            assert!(cache.document(Path::new("/site/kept.md")).is_some());
            assert_eq!(cache.audio(Path::new("/asked.mp3")), Some(audio(8)));
            cache.put_document(&episode, Arc::new(depending.clone()));
            cache.put_document(Path::new("/site/new.md"), document("new"));
            let saved = if consume {
                store.save_local_files_consumed(cache, true).unwrap()
            } else {
                store.save_local_files(&cache, true).unwrap()
            };
            drop(store);

            let store = Store::open(&path).unwrap();
            let cache = store.local_files().unwrap();
            let documents: Vec<_> = ["/site/kept.md", "/site/gone.md", "/site/new.md"]
                .iter()
                .map(|path| cache.document(Path::new(path)))
                .chain([cache.document(&episode)])
                .collect();
            let probes: Vec<_> = [
                sound.as_path(),
                Path::new("/gone.mp3"),
                Path::new("/asked.mp3"),
            ]
            .iter()
            .map(|path| cache.audio(path))
            .collect();
            results.push((saved, documents, probes));
        }
        assert_eq!(results[0], results[1]);
        let (saved, documents, probes) = &results[0];
        assert_eq!(
            *saved,
            Saved {
                written: 2,
                removed: 2
            }
        );
        assert!(documents[1].is_none() && documents.iter().filter(|d| d.is_some()).count() == 3);
        assert_eq!(probes, &vec![Some(audio(5)), None, Some(audio(8))]);
    }

    #[test]
    fn an_outcome_put_without_asking_first_is_not_pruned_as_unasked() {
        let (_dir, _path, mut store) = temp_store();
        let cache = store.local_files().unwrap();
        cache.put_document(Path::new("/site/a.md"), document("one"));
        store.save_local_files(&cache, true).unwrap();
        let cache = store.local_files().unwrap();
        cache.put_document(Path::new("/site/a.md"), document("two"));
        let saved = store.save_local_files(&cache, true).unwrap();
        assert_eq!(saved.removed, 0);
        let cache = store.local_files().unwrap();
        assert_eq!(
            cache.document(Path::new("/site/a.md")),
            Some(document("two"))
        );
    }

    #[test]
    fn loading_serves_every_row_of_a_store_spanning_many_pages_and_unmaps() {
        let (_dir, path, mut store) = temp_store();
        let cache = store.local_files().unwrap();
        // Enough rows to fill many pages, of many sizes: 1.5 MB, over more than one of
        // the load's buffers (checked below).
        for i in 0..300 {
            cache.put_document(
                Path::new(&format!("/site/{i}.md")),
                document(&"text ".repeat(i * 7)),
            );
            cache.put_audio(Path::new(&format!("/site/{i}.mp3")), audio(i as u64));
        }
        store.save_local_files(&cache, true).unwrap();
        drop(store);

        let store = Store::open(&path).unwrap();
        let map_size = |store: &Store| -> i64 {
            store
                .conn
                .pragma_query_value(None, "mmap_size", |row| row.get(0))
                .unwrap()
        };
        let before = map_size(&store);
        let cache = store.local_files().unwrap();
        assert_eq!(map_size(&store), before, "the map is for the load only");
        assert!(
            cache.rows().chunks.len() > 1,
            "{} buffers",
            cache.rows().chunks.len()
        );
        for i in (0..300).step_by(7).chain([1, 150, 299]) {
            assert_eq!(
                cache.document(Path::new(&format!("/site/{i}.md"))),
                Some(document(&"text ".repeat(i * 7)))
            );
            assert_eq!(
                cache.audio(Path::new(&format!("/site/{i}.mp3"))),
                Some(audio(i as u64))
            );
        }
    }

    #[test]
    fn remembered_outcomes_decode_when_asked_for_and_a_damaged_row_is_a_miss() {
        let (_dir, path, mut store) = temp_store();
        let cache = store.local_files().unwrap();
        put_numbered(&cache, 50);
        store.save_local_files(&cache, true).unwrap();
        // One row damaged where it lies (a changed byte in the middle).
        store
            .conn
            .execute(
                "UPDATE local_documents
                 SET data = CAST(substr(data, 1, 30) || X'ff' || substr(data, 32) AS BLOB)
                 WHERE path = '/site/7.md'",
                [],
            )
            .unwrap();
        drop(store);

        let store = Store::open(&path).unwrap();
        let cache = store.local_files().unwrap();
        for i in 0..50 {
            let asked = cache.document(Path::new(&format!("/site/{i}.md")));
            if i == 7 {
                assert_eq!(asked, None, "the damaged row is a miss");
            } else {
                assert_eq!(asked, Some(document(&i.to_string())));
            }
        }
        // Asked again (a second source naming the file): decoded again from the row.
        assert_eq!(cache.document(Path::new("/site/3.md")), Some(document("3")));
        assert_eq!(cache.document(Path::new("/site/7.md")), None);
    }

    #[test]
    fn a_load_that_fails_makes_every_file_a_miss_and_is_reported_and_the_save_writes() {
        let (_dir, _path, mut store) = temp_store();
        let cache = store.local_files().unwrap();
        cache.put_document(Path::new("/site/a.md"), document("one"));
        store.save_local_files(&cache, true).unwrap();
        assert!(cache.load_error().is_none());
        // A table the load reads is gone (as in a damaged store): the loading thread's
        // query fails after the store opened.
        store.conn.execute("DROP TABLE local_audio", []).unwrap();
        let cache = store.local_files().unwrap();
        assert_eq!(cache.document(Path::new("/site/a.md")), None, "a miss");
        cache.put_document(Path::new("/site/b.md"), document("two"));
        let error = cache.load_error().expect("the failed load is reported");
        assert!(
            error
                .to_string()
                .starts_with("store: could not load the file cache (no such table: local_audio"),
            "{error}"
        );
        // The save is not an error: what the run learned is written, nothing pruned.
        let saved = store.save_local_files(&cache, true).unwrap();
        assert_eq!(
            saved,
            Saved {
                written: 1,
                removed: 0
            }
        );
        let rows: i64 = store
            .conn
            .query_row("SELECT count(*) FROM local_documents", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 2);
    }

    #[test]
    fn a_store_opened_in_the_background_serves_the_rows_a_later_load_would() {
        let (dir, path, mut store) = temp_store();
        let cache = store.local_files().unwrap();
        put_numbered(&cache, 40);
        cache.put_audio(Path::new("/site/a.mp3"), audio(10));
        store.save_local_files(&cache, true).unwrap();
        drop(store);

        let (files, store) = Store::open_in_background(&path);
        let files = files.unwrap();
        for i in 0..40 {
            assert_eq!(
                files.document(Path::new(&format!("/site/{i}.md"))),
                Some(document(&i.to_string()))
            );
        }
        assert_eq!(files.audio(Path::new("/site/a.mp3")), Some(audio(10)));
        assert!(files.load_error().is_none());
        // The store handed over is the one the caller writes through, its map of the
        // file set back to none.
        let mut store = store.wait().unwrap();
        let mapped: i64 = store
            .conn
            .pragma_query_value(None, "mmap_size", |row| row.get(0))
            .unwrap();
        assert_eq!(mapped, 0);
        files.put_document(Path::new("/site/new.md"), document("new"));
        assert_eq!(store.save_local_files(&files, false).unwrap().written, 1);
        drop(store);

        // A new store: the load waits for its tables, so it is empty, not failed.
        let (files, store) = Store::open_in_background(&dir.path().join("new.sqlite"));
        let files = files.unwrap();
        assert!(store.wait().is_ok());
        assert_eq!(files.document(Path::new("/site/1.md")), None);
        assert!(files.load_error().is_none(), "{:?}", files.load_error());
    }

    #[test]
    fn a_store_that_does_not_open_is_the_error_and_its_load_does_not_wait() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the database file should be: the store cannot open.
        let path = dir.path().join("store.sqlite");
        std::fs::create_dir(&path).unwrap();
        let (files, store) = Store::open_in_background(&path);
        let Err(error) = store.wait() else {
            panic!("a folder opened as a store");
        };
        assert!(
            error.to_string().contains("could not open the store"),
            "{error}"
        );
        // Its file cache has no rows, and says why.
        let files = files.unwrap();
        assert_eq!(files.document(Path::new("/site/a.md")), None);
        assert_eq!(
            files.load_error().map(|error| error.to_string()).as_deref(),
            Some("store: could not load the file cache (the store did not open)")
        );
        // What the loading thread is left with when the store did not open, and when
        // its first step stopped.
        let cache = start_loading(|| {
            Err(super::super::StoreError::FileCache(
                "the store did not open".into(),
            ))
        })
        .unwrap();
        assert_eq!(cache.document(Path::new("/site/a.md")), None);
        assert_eq!(
            cache.load_error().map(|error| error.to_string()).as_deref(),
            Some("store: could not load the file cache (the store did not open)")
        );
        let cache = start_loading(|| panic!("no store here")).unwrap();
        assert_eq!(
            cache.load_error().map(|error| error.to_string()).as_deref(),
            Some(
                "store: could not load the file cache (the thread loading it stopped: no store here)"
            )
        );
        // A thread that stopped before handing the store over.
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Store>>(1);
        drop(sender);
        let Err(error) = PendingStore(Pending::Thread(receiver)).wait() else {
            panic!("a store from a thread that stopped");
        };
        assert_eq!(error.to_string(), "store: the thread opening it stopped");
    }

    /// Puts `/site/{i}.md` for every `i` below `count`, each a document of its number.
    fn put_numbered(cache: &StoredFileCache, count: usize) {
        for i in 0..count {
            cache.put_document(
                Path::new(&format!("/site/{i}.md")),
                document(&i.to_string()),
            );
        }
    }

    /// A closed store on disk that remembers `/site/a.md` (a document "one").
    fn store_with_one_document() -> (tempfile::TempDir, PathBuf) {
        let (dir, path, mut store) = temp_store();
        let cache = store.local_files().unwrap();
        cache.put_document(Path::new("/site/a.md"), document("one"));
        store.save_local_files(&cache, true).unwrap();
        (dir, path)
    }

    #[test]
    fn a_load_that_panics_costs_the_file_cache_only() {
        let (_dir, path) = store_with_one_document();
        let (files, store) =
            Store::open_loading_with(&path, |_| panic!("a load that fails midway"));
        let files = files.unwrap();
        assert_eq!(files.document(Path::new("/site/a.md")), None);
        assert_eq!(
            files.load_error().map(|error| error.to_string()).as_deref(),
            Some(
                "store: could not load the file cache (the thread loading it stopped: a load that fails midway)"
            )
        );
        // The store is handed over all the same, and what the run learns is saved.
        let mut store = store.wait().expect("the store, though its load panicked");
        files.put_document(Path::new("/site/b.md"), document("two"));
        assert_eq!(store.save_local_files(&files, false).unwrap().written, 1);
    }

    #[test]
    fn row_bytes_hand_back_every_row_across_buffers() {
        let mut bytes = RowBytes::default();
        // Rows of many sizes: some fill a buffer's tail, one is larger than a buffer,
        // some are empty.
        let rows: Vec<Vec<u8>> = (0..700usize)
            .map(|i| match i {
                350 => vec![7; RowBytes::CHUNK + 3],
                _ if i % 97 == 0 => Vec::new(),
                _ => (0..(i * 37) % 5000).map(|b| (b ^ i) as u8).collect(),
            })
            .collect();
        let spans: Vec<Span> = rows.iter().map(|row| bytes.push(row)).collect();
        assert!(bytes.chunks.len() > 2, "{} buffers", bytes.chunks.len());
        for (row, span) in rows.iter().zip(&spans) {
            assert_eq!(bytes.get(span), Some(&row[..]));
        }
        assert_eq!(
            bytes.get(&Span {
                chunk: bytes.chunks.len(),
                bytes: 0..0
            }),
            None
        );
    }

    #[test]
    fn a_save_waits_for_the_loading_connection_so_the_store_closes_last() {
        let (_dir, path) = store_with_one_document();
        let wal = path.with_extension("sqlite-wal");
        for _ in 0..20 {
            let (files, store) = Store::open_in_background(&path);
            let files = files.unwrap();
            let mut store = store.wait().unwrap();
            files.put_document(Path::new("/site/b.md"), document("two"));
            store.save_local_files(&files, true).unwrap();
            assert!(
                lock(&files.loading).is_none(),
                "the loading thread was joined"
            );
            drop(store);
            // The store's connection was the last: its close emptied the WAL.
            assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_store_whose_path_is_not_utf8_loads_its_rows_in_the_background() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join(std::ffi::OsStr::from_bytes(b"caf\xe9"))
            .join("store.sqlite");
        let mut store = Store::open(&path).unwrap();
        let cache = store.local_files().unwrap();
        cache.put_document(Path::new("/site/a.md"), document("one"));
        store.save_local_files(&cache, true).unwrap();
        drop(store);
        let (files, store) = Store::open_in_background(&path);
        let files = files.unwrap();
        assert_eq!(
            files.document(Path::new("/site/a.md")),
            Some(document("one"))
        );
        assert!(store.wait().is_ok());
        assert!(files.load_error().is_none(), "{:?}", files.load_error());
    }

    #[test]
    fn the_rows_load_beside_the_caller_and_the_first_question_waits_for_them() {
        let (_dir, path, mut store) = temp_store();
        let cache = store.local_files().unwrap();
        for i in 0..200 {
            cache.put_document(Path::new(&format!("/site/{i}.md")), document("x"));
        }
        store.save_local_files(&cache, true).unwrap();
        drop(store);
        let mut store = Store::open(&path).unwrap();
        let cache = Arc::new(store.local_files().unwrap());
        // Asked from many threads at once, as the collecting workers do.
        let found = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..4)
                .map(|t| {
                    let cache = &cache;
                    scope.spawn(move || {
                        (t..200)
                            .step_by(4)
                            .filter(|i| {
                                cache
                                    .document(Path::new(&format!("/site/{i}.md")))
                                    .is_some()
                            })
                            .count()
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().unwrap())
                .sum::<usize>()
        });
        assert_eq!(found, 200);
        let saved = store.save_local_files(&cache, true).unwrap();
        assert_eq!(saved, Saved::default(), "every row was asked for");
        // A save with no question asked waits for the rows too, so that it knows which
        // are stale (here all: no source named a file).
        let cache = store.local_files().unwrap();
        let saved = store.save_local_files(&cache, true).unwrap();
        assert_eq!(saved.removed, 200);
    }

    #[test]
    fn a_run_that_learned_nothing_writes_nothing() {
        let (dir, path, mut store) = temp_store();
        let cache = store.local_files().unwrap();
        cache.put_document(Path::new("/site/a.md"), document("one"));
        store.save_local_files(&cache, true).unwrap();
        drop(store);

        let wal = dir.path().join("store.sqlite-wal");
        let mut store = Store::open(&path).unwrap();
        let cache = store.local_files().unwrap();
        assert!(cache.document(Path::new("/site/a.md")).is_some());
        let saved = store.save_local_files(&cache, true).unwrap();
        assert_eq!(saved, Saved::default());
        let wal_size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(wal_size, 0, "no transaction was written");
    }

    /// Copies the example site's content into a temporary folder (a run may write
    /// extracted cover pictures under the site's `.omroep/`).
    fn example_content() -> tempfile::TempDir {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/content");
        let to = tempfile::tempdir().unwrap();
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let target = to.path().join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
                // Last changed well before the runs, as a site's files are: a file
                // changed just before a run is hashed by the next one, however alike.
                std::fs::File::options()
                    .write(true)
                    .open(&target)
                    .unwrap()
                    .set_modified(
                        std::time::SystemTime::now() - std::time::Duration::from_secs(3600),
                    )
                    .unwrap();
            }
        }
        to
    }

    /// Collects the example content's posts, episodes and broken files, as one run
    /// over the store at `store` does; returns what was collected and the files read.
    fn collect_example(
        site: &Path,
        store: &Path,
    ) -> (Vec<crate::ingest::Collected>, Vec<crate::ingest::FileRead>) {
        let mut settings = crate::ingest::LocalSettings::new(
            site,
            url::Url::parse("https://example.org/").unwrap(),
        );
        settings.now = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let mut store = Store::open(store).unwrap();
        let files = Arc::new(store.local_files().unwrap());
        let mut session =
            crate::ingest::Session::with_file_cache(settings, Box::new(files.clone()));
        let collected = ["posts/**/*.md", "episodes/*.md", "broken/*.md"]
            .map(|pattern| session.collect_markdown(pattern))
            .into();
        store.save_local_files(&files, true).unwrap();
        (collected, session.reads())
    }

    #[test]
    fn a_second_run_collects_from_the_rows_exactly_what_the_first_read() {
        let site = example_content();
        let store = site.path().join(".omroep/store.sqlite");
        let (first, reads) = collect_example(site.path(), &store);
        assert!(
            reads.len() > 20,
            "the first run reads every file: {reads:?}"
        );
        // Posts (one a draft, one scheduled), episodes, broken files (two usable).
        let counts: Vec<_> = first
            .iter()
            .map(|c| (c.items.len(), c.held_back.len(), c.problems.is_empty()))
            .collect();
        assert_eq!(counts, [(8, 2, true), (3, 0, true), (2, 1, false)]);
        assert!(first[2].problems.iter().any(|p| p.is_error));
        let (second, reads) = collect_example(site.path(), &store);
        assert_eq!(reads, Vec::new(), "nothing read again");
        assert_eq!(
            second, first,
            "items, held back and problems as the first run had them"
        );
    }

    #[test]
    fn rows_of_the_earlier_messagepack_encoding_are_misses_and_replaced() {
        let site = example_content();
        let store = site.path().join(".omroep/store.sqlite");
        let (first, _) = collect_example(site.path(), &store);
        // Rewrite every row as the previous release stored it.
        let conn = rusqlite::Connection::open(&store).unwrap();
        for table in ["local_documents", "local_audio"] {
            let rows: Vec<(String, Vec<u8>)> = conn
                .prepare(&format!("SELECT path, data FROM {table}"))
                .unwrap()
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(!rows.is_empty());
            for (path, data) in rows {
                let old = if table == "local_documents" {
                    let document: CachedDocument = decode(&data).unwrap();
                    rmp_serde::to_vec_named(&document).unwrap()
                } else {
                    let audio: CachedAudio = decode(&data).unwrap();
                    rmp_serde::to_vec_named(&audio).unwrap()
                };
                conn.execute(
                    &format!("UPDATE {table} SET data = ?1 WHERE path = ?2"),
                    params![old, path],
                )
                .unwrap();
            }
        }
        drop(conn);
        let (again, reads) = collect_example(site.path(), &store);
        assert!(reads.len() > 20, "every file read again: {reads:?}");
        assert_eq!(again, first);
        let (third, reads) = collect_example(site.path(), &store);
        assert_eq!(
            reads,
            Vec::new(),
            "the rows were replaced in the new encoding"
        );
        assert_eq!(third, first);
    }

    #[test]
    fn an_unreadable_row_is_a_miss_not_an_error() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute(
                "INSERT INTO local_documents (path, data) VALUES ('/site/a.md', X'c1')",
                [],
            )
            .unwrap();
        store
            .conn
            .execute(
                "INSERT INTO local_audio (path, data) VALUES ('/site/a.mp3', X'90')",
                [],
            )
            .unwrap();
        // Not a blob at all.
        store
            .conn
            .execute(
                "INSERT INTO local_audio (path, data) VALUES ('/site/b.mp3', 'text')",
                [],
            )
            .unwrap();
        let cache = store.local_files().unwrap();
        assert_eq!(cache.document(Path::new("/site/a.md")), None);
        assert_eq!(cache.audio(Path::new("/site/a.mp3")), None);
        assert_eq!(cache.audio(Path::new("/site/b.mp3")), None);
        // What the run then learns replaces the broken row.
        cache.put_document(Path::new("/site/a.md"), document("fresh"));
        store.save_local_files(&cache, false).unwrap();
        let cache = store.local_files().unwrap();
        assert_eq!(
            cache.document(Path::new("/site/a.md")),
            Some(document("fresh"))
        );
    }
}

//! The durable store: SQLite, and the only module that speaks SQL.
//!
//! It keeps the remote sources (where each is fetched now, its permanent-redirect
//! history, validators for conditional GET, the hash of the last body, failures and
//! back-off, retirement), every entry ever seen (the normalised model packed as
//! MessagePack, LZ4-compressed when long (`entry_value.rs`), with a content hash and
//! first seen / last seen / last changed times) and the remembered facts
//! about remote media, and what was learned from local files (`local_files`: the file
//! cache through which unchanged content files are not read again). The schema is versioned (`schema.rs`) and migrated on open; the
//! database runs in WAL mode (an ingest writes through a rollback journal while it runs:
//! [`Store::begin_long_run`]), and every source's update is made inside one transaction
//! (several sources may share one: [`Store::group`]), so a run killed at any moment
//! leaves the store as it was after the last commit, never with half a source.
//!
//! Policies enforced here:
//! - **Archive.** Entries that drop out of a source's feed window stay; they are only
//!   marked as no longer in the feed.
//! - **Undated entries** keep the time they were first seen: they sort by it, and the
//!   read API ([`Store::entries`]) fills `published` with it when the entry has neither
//!   `published` nor `updated`. The stored JSON itself is never given a made-up date.
//! - **One entry, several sources.** An entry is identified across sources by its guid
//!   when the guid is globally unique (an absolute URI, a `urn:`/`tag:` URI or a UUID),
//!   otherwise by its id within its source; failing that, by its link, when that link is
//!   used by no other entry of the same document (podcasts often give every item the
//!   show's home page). The first source to store an entry owns it: only that source's
//!   later versions change it, so two sources carrying it cannot make it flip back and
//!   forth.

pub mod checkpoint;
pub mod compact;
mod entry_value;
pub mod local_files;
pub mod lock;
pub mod schema;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::model::{Entry, Feed};

/// A source's row id.
pub type SourceId = i64;

/// Why the store could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: could not open the store: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path}: could not create its folder: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Schema {
        path: PathBuf,
        source: schema::MigrateError,
    },
    #[error("store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("store: could not load the file cache ({0})")]
    FileCache(String),
    #[error("store: the thread writing it stopped before it finished")]
    Interrupted,
    #[error("{path}: could not sync the emptied WAL: {source}")]
    WalSync {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("store: could not start a thread: {0}")]
    Thread(std::io::Error),
    #[error("store: the thread opening it stopped")]
    OpeningStopped,
    #[error("store: entry {key} holds JSON omroep cannot read ({source}); the store is damaged")]
    BadJson {
        key: String,
        source: serde_json::Error,
    },
    #[error("store: entry {key} holds {detail}; the store is damaged")]
    DamagedEntry { key: String, detail: String },
    #[error("store: entry {key} could not be encoded for the store ({detail})")]
    Unencodable { key: String, detail: String },
    #[error(
        "store: a database error abandoned this group of source updates, so none of it may be committed; drop the group and record them again"
    )]
    Doomed,
}

type Result<T> = std::result::Result<T, StoreError>;

impl StoreError {
    /// Whether the error is the database's own (its file, the disk, the lock, memory)
    /// rather than one update's data: such an error dooms every update, not one.
    fn is_store_wide(&self) -> bool {
        use rusqlite::ErrorCode;
        match self {
            StoreError::BadJson { .. }
            | StoreError::DamagedEntry { .. }
            | StoreError::Unencodable { .. } => false,
            StoreError::Sql(rusqlite::Error::SqliteFailure(error, _)) => !matches!(
                error.code,
                ErrorCode::ConstraintViolation | ErrorCode::TooBig | ErrorCode::TypeMismatch
            ),
            StoreError::Sql(
                rusqlite::Error::InvalidParameterName(_)
                | rusqlite::Error::ToSqlConversionFailure(_),
            ) => false,
            _ => true,
        }
    }
}

/// What the store knows about one remote source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceState {
    pub id: SourceId,
    /// The URL as the configuration names it: the source's name, never changed.
    pub configured_url: String,
    /// Where it is fetched now: the configured URL, moved by permanent redirects.
    pub url: String,
    /// The feed's title, from its last parsed document.
    pub title: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The fingerprint of the last body that was parsed and stored (see
    /// [`content_hash`]; stores written before it hold a SHA-256 instead).
    pub body_hash: Option<String>,
    pub last_fetch: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    /// The HTTP status of the last fetch; `None` when no answer came (or never fetched).
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    /// Not fetched before this time (back-off after failures, or the server's Retry-After).
    pub next_fetch: Option<DateTime<Utc>>,
    /// Set when the source answered 410 Gone: it is not fetched again until re-enabled.
    pub retired_at: Option<DateTime<Utc>>,
    /// Entries linked to this source, including archived ones.
    pub entries: u64,
    /// Every permanent redirect followed, oldest first.
    pub redirects: Vec<Redirect>,
}

/// What a fetch of one source needs from the store: where to fetch it, the
/// validators, and whether it may be fetched now. A subset of [`SourceState`], read
/// without the joins a listing needs.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchState {
    pub id: SourceId,
    /// The URL as the configuration names it.
    pub configured_url: String,
    /// Where it is fetched now (moved by permanent redirects).
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The fingerprint of the last body that was parsed and stored.
    pub body_hash: Option<String>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub next_fetch: Option<DateTime<Utc>>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// One permanent redirect that moved a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub from: String,
    pub to: String,
    pub status: u16,
    pub at: DateTime<Utc>,
}

/// The validators a server gave for conditional GET next time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The result of fetching one source, to be recorded in one transaction.
#[derive(Debug)]
pub struct FetchRecord<'a> {
    pub at: DateTime<Utc>,
    /// The final HTTP status, `None` when no answer came.
    pub status: Option<u16>,
    /// Where the source now lives, when permanent redirects moved it.
    pub moved_to: Option<&'a str>,
    /// The permanent redirects that moved it (recorded in its history).
    pub redirects: &'a [Redirect],
    pub outcome: Outcome<'a>,
}

/// What happened to a fetched source.
#[derive(Debug)]
pub enum Outcome<'a> {
    /// A new document was parsed: `meta` is the feed without its entries.
    Parsed {
        meta: &'a Feed,
        entries: &'a PreparedEntries,
        validators: Validators,
        body_hash: &'a str,
    },
    /// 304 Not Modified, or a 200 whose body hash equals the stored one. Validators
    /// absent from this answer keep their stored values.
    NotModified { validators: Validators },
    /// A failure: counted, and the source is not fetched again before `next_fetch`.
    Failed {
        error: &'a str,
        next_fetch: DateTime<Utc>,
    },
    /// 410 Gone: the source is retired.
    Gone { error: &'a str },
}

/// A document's entries made ready for the store: identity, stored form and content hash
/// computed up front. This is the costly part of storing a document and needs no
/// database, so the ingest run does it on its worker threads, leaving only SQL for the
/// one thread that writes.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedEntries {
    source: SourceId,
    items: Vec<PreparedEntry>,
    /// What the items hold in their strings and stored values, in bytes.
    bytes: usize,
}

#[derive(Debug, Clone, PartialEq)]
struct PreparedEntry {
    key: String,
    guid: Option<String>,
    link: Option<String>,
    /// The link, when no other entry of the same document has it (see the module docs).
    unique_link: bool,
    /// The entry as stored, and its content hash (see `entry_value.rs`).
    stored: entry_value::Encoded,
    date: Option<i64>,
}

impl PreparedEntries {
    /// Prepares the entries of one document of `source`. A repeated id keeps its first
    /// occurrence (the parser has warned about it).
    pub fn new(source: SourceId, entries: &[Entry]) -> Result<PreparedEntries> {
        let mut links: HashMap<&str, usize> = HashMap::new();
        for link in entries.iter().filter_map(|e| e.link.as_deref()) {
            *links.entry(link).or_default() += 1;
        }
        let mut keys = HashSet::new();
        let mut items = Vec::with_capacity(entries.len());
        // One encoder for the document: its buffers and compression table are reused.
        let mut encoder = entry_value::Encoder::default();
        let mut bytes = 0;
        for entry in entries {
            let key = entry_key(source, entry);
            if !keys.insert(key.clone()) {
                continue;
            }
            let stored = encoder
                .encode(entry)
                .map_err(|detail| StoreError::Unencodable {
                    key: key.clone(),
                    detail,
                })?;
            bytes += key.len()
                + stored.value.len()
                + entry.guid.as_ref().map_or(0, String::len)
                + entry.link.as_ref().map_or(0, String::len);
            items.push(PreparedEntry {
                unique_link: entry
                    .link
                    .as_deref()
                    .is_some_and(|link| links.get(link) == Some(&1)),
                key,
                guid: entry.guid.clone(),
                link: entry.link.clone(),
                date: entry.published.or(entry.updated).map(|d| d.timestamp()),
                stored,
            });
        }
        Ok(PreparedEntries {
            source,
            items,
            bytes,
        })
    }

    /// About how much memory the entries hold: the bytes of their keys, guids, links
    /// and stored values (not the few words of bookkeeping per entry).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Drops every entry and frees their memory (the capacity too), keeping the
    /// source they were prepared for.
    pub fn clear(&mut self) {
        self.items = Vec::new();
        self.bytes = 0;
    }

    /// How many distinct entries the document holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The entry in an `entries.json` value of any stored form (see `entry_value.rs`).
fn entry_from_column(key: String, value: rusqlite::types::ValueRef) -> Result<Entry> {
    entry_value::decode(value).map_err(|detail| StoreError::DamagedEntry { key, detail })
}

/// Entries added and changed by one update.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EntryCounts {
    /// Entries the store did not have.
    pub new: u64,
    /// Entries whose content changed.
    pub changed: u64,
    /// Entries in the document (after dropping repeated ids).
    pub seen: u64,
}

/// An entry as the build reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    /// The normalised entry; see the module docs for how `published` is filled.
    pub entry: Entry,
    /// The source that owns it (first stored it).
    pub source: SourceId,
    pub first_seen: DateTime<Utc>,
    /// The last successful fetch (a 304 counts) of a source whose document held it.
    pub last_seen: DateTime<Utc>,
    pub last_changed: DateTime<Utc>,
}

/// What is known about one remote media file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFacts {
    pub url: String,
    pub length: Option<u64>,
    pub mime_type: Option<String>,
    pub checked_at: DateTime<Utc>,
}

/// An open store.
pub struct Store {
    /// Declared before `conn`, so that it stops first and the writer's connection, the
    /// last one open, checkpoints what is left on close.
    checkpointer: Option<checkpoint::Checkpointer>,
    conn: Connection,
    /// How long the writer waits for another connection's lock: `normal` outside a long
    /// run, `long_run` inside one (see [`Store::begin_long_run`]). Fields rather than
    /// constants so that tests can wait milliseconds rather than seconds.
    busy: BusyTimeouts,
    /// Whether [`Store::begin_long_run`] switched the store to the rollback journal.
    in_long_run: bool,
}

#[derive(Clone, Copy, Debug)]
struct BusyTimeouts {
    normal: Duration,
    long_run: Duration,
}

/// How long any connection waits for another's lock (a second `sources` listing, say,
/// holding the write lock for a moment) before it fails with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an ingest's writer waits for readers in a long run, where every commit
/// needs them gone (see [`Store::begin_long_run`]): far past any command's read (a
/// `sources` listing or a `build --check` takes seconds), so that only a reader
/// that never ends (an interactive `sqlite3` left in a transaction) fails the run.
const LONG_RUN_BUSY_TIMEOUT: Duration = Duration::from_secs(300);

/// The most WAL a store keeps on disk between checkpoints and runs: what
/// `wal_autocheckpoint` lets it grow to (4,096 pages of 16 KiB), so that a run's WAL
/// is cut back only when it grew past that.
const WAL_SIZE_LIMIT: i64 = 64 << 20;

/// The path of the file `conn` is a store in; `None` for a store in memory (SQLite
/// names no file for one, or an empty one) or a path that is not UTF-8.
fn file_of(conn: &Connection) -> Option<&str> {
    conn.path().filter(|file| !file.is_empty())
}

/// Keeps the store's `-wal` and `-shm` files when the last connection closes, the WAL
/// emptied (cut to zero bytes after the closing checkpoint) rather than deleted.
/// SQLite otherwise deletes both on close, so every run (also one that only reads, such
/// as a build with nothing changed) created two files and deleted them again: an ext4
/// inode allocation each, about a tenth of a no-change run's time in the file cache's
/// bench. Crash safety is the same: the closing checkpoint still copies every commit
/// into the database first, and an empty or stale WAL left by a killed run is what
/// SQLite finds after any crash (its frames are checked against the header's salts).
/// A store in memory has no files: the setting is not asked for there.
fn keep_wal_files(conn: &Connection) -> rusqlite::Result<()> {
    if file_of(conn).is_none() {
        return Ok(());
    }
    // On close, a persistent WAL is truncated to zero only when a size limit is set; the
    // limit also applies when a checkpoint lets the WAL start over during a run.
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
    let mut persist = 1;
    conn.file_control(
        Some(rusqlite::MAIN_DB),
        rusqlite::FileControl::PersistWal(&mut persist),
    )
}

/// Whether the store of `conn` is a database in a rollback journal's mode (its header
/// says so), not WAL nor new (empty) nor in memory. Reading the page count reads the
/// header, and rolls back a journal left by a run killed mid-commit.
fn rollback_mode(conn: &Connection) -> rusqlite::Result<bool> {
    if file_of(conn).is_none() {
        return Ok(false);
    }
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |row| row.get(0))?;
    Ok(pages > 0 && !in_wal_mode(conn)?)
}

fn in_wal_mode(conn: &Connection) -> rusqlite::Result<bool> {
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0))?;
    Ok(mode.eq_ignore_ascii_case("wal"))
}

/// Syncs the `-wal` file of the store in `file` (see [`Store::begin_long_run`] for
/// why); a store with no such file has nothing to sync.
fn sync_wal_file(file: &str) -> std::io::Result<()> {
    #[cfg(test)]
    tests::WAL_SYNCS.with(|syncs| syncs.set(syncs.get() + 1));
    match std::fs::File::open(format!("{file}-wal")) {
        Ok(wal) => wal.sync_all(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// A store in a long run's scope (see [`Store::long_run`]): it is the store, and
/// switches it back to WAL when dropped.
pub struct LongRun<'a> {
    store: &'a mut Store,
    begun: bool,
}

impl LongRun<'_> {
    /// Begins the long run ([`Store::begin_long_run`]) unless it has begun already.
    pub fn begin(&mut self) -> Result<()> {
        if !self.begun {
            self.store.begin_long_run()?;
            self.begun = true;
        }
        Ok(())
    }
}

impl std::ops::Deref for LongRun<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl std::ops::DerefMut for LongRun<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        self.store
    }
}

impl Drop for LongRun<'_> {
    fn drop(&mut self) {
        self.store.end_long_run();
    }
}

impl Store {
    /// Opens (creating it and its folder if needed) and migrates the store at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|source| StoreError::Folder {
                path: folder.to_path_buf(),
                source,
            })?;
        }
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_error)?;
        Self::setup(conn, path)
    }

    /// A store that lives in memory only (for tests and dry runs).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        Self::setup(conn, Path::new(":memory:"))
    }

    fn setup(mut conn: Connection, path: &Path) -> Result<Store> {
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        // Another process (a second `sources` listing, say) may hold the write lock for a
        // moment; wait rather than fail. In a long run (the rollback journal) the writer
        // must also wait for every reader before each commit, and waits longer there
        // (see [`Store::begin_long_run`]).
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        // Entries are a few KiB of JSON each: 16 KiB pages hold most of them without
        // overflow chains and halve the page writes. Only takes effect on a new store
        // (before WAL is switched on); an existing store keeps its page size.
        conn.pragma_update(None, "page_size", 16384)
            .map_err(open_error)?;
        // WAL: readers never block the writer, and a commit is one append. NORMAL
        // synchronous is durable across a crash of omroep (the WAL is still consistent);
        // only a power loss may drop the last commits, never corrupt earlier ones.
        // A store found in a rollback journal's mode is in an ingest's hands (see
        // [`Store::begin_long_run`]), or was when that run was killed or ended early: it
        // is left so, with the sync that mode needs, and the next ingest switches it
        // back. Switching here would, while a group of the run is open, wait for its
        // lock and fail the open after the busy timeout ("database is locked"); and
        // between two groups it would succeed, and the run's connection, which reads the
        // mode from the file's header, would write the rest of the run through the WAL
        // at FULL sync, with no background checkpoints.
        if rollback_mode(&conn).map_err(open_error)? {
            conn.pragma_update_and_check(None, "journal_mode", "PERSIST", |_| Ok(()))
                .map_err(open_error)?;
            conn.pragma_update(None, "synchronous", "FULL")
                .map_err(open_error)?;
        } else {
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
                .map_err(open_error)?;
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(open_error)?;
        }
        keep_wal_files(&conn).map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        // Checkpoint (copy the WAL into the database, with an fsync) every 64 MiB of
        // WAL rather than every 4 MiB: a run writes hundreds of MiB, and each page then
        // reaches the database once instead of again and again.
        conn.pragma_update(None, "wal_autocheckpoint", 4096)
            .map_err(open_error)?;
        conn.pragma_update(None, "cache_size", -8192)
            .map_err(open_error)?;
        // Recording a source uses about twenty statements (the savepoints, the source's
        // update, the entries' lookups and writes); rusqlite's default cache of 16 would
        // parse some of them again for every source.
        conn.set_prepared_statement_cache_capacity(64);
        schema::migrate(&mut conn).map_err(|source| StoreError::Schema {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Store {
            checkpointer: None,
            conn,
            busy: BusyTimeouts {
                normal: BUSY_TIMEOUT,
                long_run: LONG_RUN_BUSY_TIMEOUT,
            },
            in_long_run: false,
        })
    }

    /// The source named `configured_url`, added (never fetched) if the store lacks it.
    pub fn ensure_source(&mut self, configured_url: &str) -> Result<SourceState> {
        self.conn.execute(
            "INSERT INTO sources (configured_url, url) VALUES (?1, ?1)
             ON CONFLICT(configured_url) DO NOTHING",
            [configured_url],
        )?;
        self.source(configured_url)?
            .ok_or(StoreError::Sql(rusqlite::Error::QueryReturnedNoRows))
    }

    /// The sources named by `configured_urls`, in that order, adding those the store
    /// lacks, with just what a fetch needs ([`FetchState`]): one read of the sources
    /// table, and a write only when some are new. This is what a run over many
    /// sources starts with, so it leaves out what [`Store::sources`] joins in for
    /// listings (entry counts, redirect history, the title out of the feed's JSON).
    pub fn ensure_sources(&mut self, configured_urls: &[&str]) -> Result<Vec<FetchState>> {
        let mut known = self.fetch_states()?;
        let missing: Vec<&str> = {
            let mut asked = HashSet::new();
            configured_urls
                .iter()
                .copied()
                .filter(|url| !known.contains_key(*url) && asked.insert(*url))
                .collect()
        };
        if !missing.is_empty() {
            let tx = self.conn.transaction()?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO sources (configured_url, url) VALUES (?1, ?1)
                     ON CONFLICT(configured_url) DO NOTHING",
                )?;
                for url in &missing {
                    insert.execute([url])?;
                }
            }
            tx.commit()?;
            // Read back rather than assume: another process may have added some of
            // them in between (it waits for the run lock only when it runs too).
            known = self.fetch_states()?;
        }
        configured_urls
            .iter()
            .map(|url| {
                known
                    .get(*url)
                    .cloned()
                    .ok_or(StoreError::Sql(rusqlite::Error::QueryReturnedNoRows))
            })
            .collect()
    }

    /// Every source's [`FetchState`], by configured URL, in one query.
    fn fetch_states(&self) -> Result<HashMap<String, FetchState>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, configured_url, url, etag, last_modified, body_hash, last_error,
                    consecutive_failures, next_fetch, retired_at
             FROM sources",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(FetchState {
                id: row.get(0)?,
                configured_url: row.get(1)?,
                url: row.get(2)?,
                etag: row.get(3)?,
                last_modified: row.get(4)?,
                body_hash: row.get(5)?,
                last_error: row.get(6)?,
                consecutive_failures: row.get::<_, i64>(7)?.max(0) as u32,
                next_fetch: time(row.get(8)?),
                retired_at: time(row.get(9)?),
            })
        })?;
        let mut states = HashMap::new();
        for state in rows {
            let state = state?;
            states.insert(state.configured_url.clone(), state);
        }
        Ok(states)
    }

    /// The source named `configured_url`, if the store has it.
    pub fn source(&self, configured_url: &str) -> Result<Option<SourceState>> {
        let mut states = self.query_sources("WHERE s.configured_url = ?1", [configured_url])?;
        Ok(states.pop())
    }

    /// Every source the store has, in the order they were first added.
    pub fn sources(&self) -> Result<Vec<SourceState>> {
        self.query_sources("", [])
    }

    fn query_sources<P: rusqlite::Params>(
        &self,
        filter: &str,
        params: P,
    ) -> Result<Vec<SourceState>> {
        let sql = format!(
            "SELECT s.id, s.configured_url, s.url, json_extract(s.feed_json, '$.title'),
                    s.etag, s.last_modified, s.body_hash, s.last_fetch, s.last_success,
                    s.last_status, s.last_error, s.consecutive_failures, s.next_fetch,
                    s.retired_at,
                    (SELECT count(*) FROM entry_sources m WHERE m.source = s.id)
             FROM sources s {filter} ORDER BY s.id"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map(params, |row| {
            Ok(SourceState {
                id: row.get(0)?,
                configured_url: row.get(1)?,
                url: row.get(2)?,
                title: row.get(3)?,
                etag: row.get(4)?,
                last_modified: row.get(5)?,
                body_hash: row.get(6)?,
                last_fetch: time(row.get(7)?),
                last_success: time(row.get(8)?),
                last_status: row.get::<_, Option<i64>>(9)?.map(|s| s as u16),
                last_error: row.get(10)?,
                consecutive_failures: row.get::<_, i64>(11)?.max(0) as u32,
                next_fetch: time(row.get(12)?),
                retired_at: time(row.get(13)?),
                entries: row.get::<_, i64>(14)?.max(0) as u64,
                redirects: Vec::new(),
            })
        })?;
        let mut states = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        let mut redirects = self.conn.prepare_cached(
            "SELECT from_url, to_url, status, at FROM redirects WHERE source = ?1 ORDER BY id",
        )?;
        for state in &mut states {
            state.redirects = redirects
                .query_map([state.id], |row| {
                    Ok(Redirect {
                        from: row.get(0)?,
                        to: row.get(1)?,
                        status: row.get::<_, i64>(2)? as u16,
                        at: time(row.get(3)?).unwrap_or_default(),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
        }
        Ok(states)
    }

    /// Readies the store for a long run of group commits (an ingest's): a rollback
    /// journal (PERSIST) with FULL sync instead of the WAL, until [`Store::end_long_run`]
    /// (or the end of a [`LongRun`]).
    ///
    /// A run that mostly adds rows mostly appends pages, which a rollback journal never
    /// copies: only the pages a group changes that existed before it are journaled, and
    /// every page reaches the database file once. In WAL every page is written twice
    /// (the WAL, then the database by a checkpoint), the writer waits for checkpoints so
    /// that the WAL can start over, and the close copies what is left and cuts a WAL of
    /// tens of MiB. FULL sync keeps each committed group across a power loss, as a
    /// rollback journal needs it to.
    ///
    /// Readers and the writer wait for each other in this mode, as they never do in
    /// WAL. Readers (`omroep sources`, `build --check`) read while a group is open, but
    /// from the moment the group first spills pages into the database file (its page
    /// cache full) or begins to commit, until its commit ends, they wait (the busy
    /// timeout, 10 s). The writer in turn cannot commit while any reader is in a read
    /// transaction: it waits for them, for up to `LONG_RUN_BUSY_TIMEOUT` (and retries
    /// its COMMIT, the group kept whole, should SQLite give up sooner), where the
    /// normal busy timeout would have failed the run's group and the run with it.
    ///
    /// Switching needs the store to itself: when another process has it open in WAL
    /// mode (SQLite answers busy), the run keeps the WAL, with background checkpoints.
    pub fn begin_long_run(&mut self) -> Result<()> {
        let Some(file) = file_of(&self.conn).map(str::to_owned) else {
            return Ok(());
        };
        // FULL before the switch, so that the switch's own write (the header's new
        // mode) is synced as well.
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        let switched = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "PERSIST", |row| {
                row.get::<_, String>(0)
            });
        let kept_wal = match switched {
            Ok(mode) if mode.eq_ignore_ascii_case("persist") => false,
            Ok(_) => true,
            Err(rusqlite::Error::SqliteFailure(error, _))
                if matches!(
                    error.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                true
            }
            Err(error) => {
                let _ = self.conn.pragma_update(None, "synchronous", "NORMAL");
                return Err(error.into());
            }
        };
        if kept_wal {
            self.conn.pragma_update(None, "synchronous", "NORMAL")?;
            return self.checkpoint_in_background();
        }
        // The switch copied the WAL into the database and cut the `-wal` file to zero
        // bytes, but with the WAL kept on close (`keep_wal_files`) SQLite syncs only the
        // database, not that cut. Where a sync of one file does not order another
        // file's size change (btrfs, ext4 with fast_commit), a power loss could bring
        // back the old WAL frames, which the next open would replay over the pages this
        // run writes directly into the database. Synced before the first group, the cut
        // is on disk before any such page.
        sync_wal_file(&file).map_err(|source| StoreError::WalSync {
            path: PathBuf::from(format!("{file}-wal")),
            source,
        })?;
        self.conn.busy_timeout(self.busy.long_run)?;
        self.in_long_run = true;
        Ok(())
    }

    /// Ends what [`Store::begin_long_run`] began: the store goes back to WAL (which
    /// every other command reads it in) with NORMAL sync and the normal busy timeout,
    /// or stops its background checkpoints. Switching back is best effort: should
    /// another process have the store open, it stays in the rollback journal's mode,
    /// which every command reads it in as well, and the next run's end switches it
    /// back. A store opened in that mode (a run before ended early) is switched back
    /// too.
    pub fn end_long_run(&mut self) {
        self.stop_background_checkpoints();
        if self.in_long_run {
            self.in_long_run = false;
            let _ = self.conn.busy_timeout(self.busy.normal);
        }
        if file_of(&self.conn).is_none() || in_wal_mode(&self.conn).unwrap_or(true) {
            return;
        }
        let back = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0));
        if back.is_ok_and(|mode| mode.eq_ignore_ascii_case("wal")) {
            let _ = self.conn.pragma_update(None, "synchronous", "NORMAL");
        }
    }

    /// A scope for a long run: [`LongRun::begin`] starts it (when the run has something
    /// to write), and however the scope ends (an error returned half-way included),
    /// [`Store::end_long_run`] switches the store back to WAL.
    pub fn long_run(&mut self) -> LongRun<'_> {
        LongRun {
            store: self,
            begun: false,
        }
    }

    /// Hands WAL checkpoints to a background thread (see `checkpoint.rs`) until the
    /// store is closed, so that the thread writing a long run of commits never waits
    /// for the disk. Does nothing for a store in memory, or when already on.
    pub fn checkpoint_in_background(&mut self) -> Result<()> {
        // A store in memory has no file (nor has one we could not name in UTF-8; the
        // writer's own checkpoints serve it).
        let file = file_of(&self.conn);
        if let (None, Some(file)) = (&self.checkpointer, file) {
            self.checkpointer = Some(checkpoint::Checkpointer::start(
                Path::new(file),
                checkpoint::INTERVAL,
            )?);
        }
        Ok(())
    }

    /// Stops the background checkpoints (waiting for one under way); the writer's own
    /// automatic checkpoints go on as before.
    pub fn stop_background_checkpoints(&mut self) {
        self.checkpointer = None;
    }

    /// Records one fetch of a source, all in one transaction. Returns what changed in
    /// the entries (zero unless a document was parsed).
    pub fn record(&mut self, source: SourceId, record: &FetchRecord) -> Result<EntryCounts> {
        let tx = self.conn.transaction()?;
        let counts = apply(&tx, source, record)?;
        tx.commit()?;
        Ok(counts)
    }

    /// Records several fetches in one [`Group`], committed together (the tests' way of
    /// recording a group at once; the ingest run records each result as it arrives).
    #[cfg(test)]
    pub fn record_all(
        &mut self,
        records: &[(SourceId, &FetchRecord)],
    ) -> Result<Vec<Result<EntryCounts>>> {
        let mut group = self.group()?;
        let mut results = Vec::with_capacity(records.len());
        for (source, record) in records {
            results.push(group.record(*source, record)?);
        }
        group.commit()?;
        Ok(results)
    }

    /// Opens a group of source updates that will share one transaction, each update
    /// inside its own savepoint. They share one commit, which writes the pages they
    /// have in common (indexes, the sources table) once instead of once each, yet each
    /// source's update stays whole and apart:
    /// - an update that fails on its own data (a constraint, JSON that will not
    ///   serialise) is rolled back to its savepoint, alone, and returned as that
    ///   source's error; the others in the group still land;
    /// - an error of the database itself (disk full, I/O, a damaged file, the lock)
    ///   dooms the whole group: it is returned as the outer error, the group refuses to
    ///   commit, and nothing of it may be reported as stored;
    /// - a crash before the commit loses the group, which the next run fetches again
    ///   (its validators were never stored).
    ///
    /// Each update is recorded as it comes ([`Group::record`]), so that whatever it
    /// holds can be dropped at once, and all are committed together
    /// ([`Group::commit`]). Dropping the group without committing rolls every update in
    /// it back.
    ///
    /// With background checkpoints on, each commit asks for one at once, and once the
    /// WAL has grown past `checkpoint::RESTART_FROM` the next group begins only when it
    /// finished (within `checkpoint::SETTLE_LIMIT`), so that the WAL starts over
    /// instead of growing (see `checkpoint.rs`).
    pub fn group(&mut self) -> Result<Group<'_>> {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.settle();
        }
        let commit_wait = if self.in_long_run {
            self.busy.long_run
        } else {
            self.busy.normal
        };
        Ok(Group {
            tx: self.conn.transaction()?,
            doomed: false,
            checkpointer: self.checkpointer.as_ref(),
            commit_wait,
        })
    }

    /// Brings a retired or backed-off source back: it is fetched on the next run.
    /// Returns false when the store has no source of that name.
    pub fn reenable(&mut self, configured_url: &str) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE sources SET retired_at = NULL, next_fetch = NULL, consecutive_failures = 0
             WHERE configured_url = ?1",
            [configured_url],
        )?;
        Ok(changed > 0)
    }

    /// The feed-level fields (title, link, image, …) of a source's last parsed document.
    pub fn source_feed(&self, source: SourceId) -> Result<Option<Feed>> {
        let json: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT feed_json FROM sources WHERE id = ?1",
                [source],
                |row| row.get(0),
            )
            .optional()?;
        json.flatten()
            .map(|json| {
                serde_json::from_str(&json).map_err(|error| StoreError::BadJson {
                    key: format!("source {source}"),
                    source: error,
                })
            })
            .transpose()
    }

    /// Every entry linked to any of `sources` (archived ones included), each once,
    /// newest first (by `published`, else `updated`, else first seen; ties by identity).
    pub fn entries(&self, sources: &[SourceId]) -> Result<Vec<StoredEntry>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT e.key, e.json, e.owner, e.first_seen,
                    (SELECT max(CASE WHEN m.in_feed THEN max(m.last_seen,
                                          coalesce(s.last_success, 0))
                                     ELSE m.last_seen END)
                     FROM entry_sources m JOIN sources s ON s.id = m.source
                     WHERE m.entry = e.id),
                    e.last_changed
             FROM entries e
             WHERE e.id IN (SELECT m.entry FROM entry_sources m
                            WHERE m.source IN (SELECT value FROM json_each(?1)))
             ORDER BY e.sort_date DESC, e.key",
        )?;
        let wanted = serde_json::to_string(sources).unwrap_or_else(|_| "[]".into());
        let mut rows = statement.query([wanted])?;
        let mut entries = Vec::new();
        while let Some(row) = rows.next()? {
            let (key, source, first_seen, last_seen, last_changed) = (
                row.get::<_, String>(0)?,
                row.get::<_, SourceId>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, Option<i64>>(4)?,
                row.get::<_, i64>(5)?,
            );
            let mut entry = entry_from_column(key, row.get_ref(1)?)?;
            let first_seen = time(Some(first_seen)).unwrap_or_default();
            if entry.published.is_none() && entry.updated.is_none() {
                entry.published = Some(first_seen);
            }
            entries.push(StoredEntry {
                entry,
                source,
                first_seen,
                last_seen: time(last_seen).unwrap_or(first_seen),
                last_changed: time(Some(last_changed)).unwrap_or_default(),
            });
        }
        Ok(entries)
    }

    /// What is remembered about a remote media file.
    pub fn media(&self, url: &str) -> Result<Option<MediaFacts>> {
        Ok(self
            .conn
            .query_row(
                "SELECT url, length, mime_type, checked_at FROM media WHERE url = ?1",
                [url],
                |row| {
                    Ok(MediaFacts {
                        url: row.get(0)?,
                        length: row.get::<_, Option<i64>>(1)?.map(|n| n.max(0) as u64),
                        mime_type: row.get(2)?,
                        checked_at: time(row.get(3)?).unwrap_or_default(),
                    })
                },
            )
            .optional()?)
    }

    /// Remembers (or replaces) the facts about a remote media file.
    pub fn remember_media(&mut self, facts: &MediaFacts) -> Result<()> {
        let length = facts.length.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        self.conn.execute(
            "INSERT INTO media (url, length, mime_type, checked_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(url) DO UPDATE SET length = excluded.length,
                 mime_type = excluded.mime_type, checked_at = excluded.checked_at",
            params![
                facts.url,
                length,
                facts.mime_type,
                facts.checked_at.timestamp()
            ],
        )?;
        Ok(())
    }

    /// Runs SQLite's own consistency check; `Ok(())` when it reports nothing wrong.
    pub fn check_integrity(&self) -> Result<std::result::Result<(), String>> {
        let report: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        Ok(if report == "ok" { Ok(()) } else { Err(report) })
    }
}

/// Source updates sharing one transaction, each in its own savepoint (see
/// [`Store::group`] for what that guarantees). The savepoint statements are
/// prepared once per connection rather than parsed again for every source.
pub struct Group<'a> {
    tx: rusqlite::Transaction<'a>,
    /// Set by a database error: the group may hold part of an update, so it must
    /// never be committed (see [`Group::commit`]).
    doomed: bool,
    /// Asked for a checkpoint once the group is committed.
    checkpointer: Option<&'a checkpoint::Checkpointer>,
    /// How long the commit keeps trying while other connections hold it off.
    commit_wait: Duration,
}

impl Group<'_> {
    /// Records one fetch of `source` inside its own savepoint. The outer error is the
    /// database's own and dooms the whole group: what the update had written is rolled
    /// back as far as the database still allows, and [`Group::commit`] refuses from
    /// then on (drop the group: nothing of it is kept). The inner error is this
    /// update's alone, which was rolled back without touching the others.
    pub fn record(
        &mut self,
        source: SourceId,
        record: &FetchRecord,
    ) -> Result<Result<EntryCounts>> {
        if self.doomed {
            return Err(StoreError::Doomed);
        }
        let result = self.record_in_savepoint(source, record);
        if result.is_err() {
            // The savepoint may hold part of the update; a caller that committed
            // anyway would store half a source. The rollback is a courtesy (the
            // database that failed may refuse it too); the doom is what protects.
            let _ = self.tx.execute_batch("ROLLBACK TO source; RELEASE source");
            self.doomed = true;
        }
        result
    }

    fn record_in_savepoint(
        &mut self,
        source: SourceId,
        record: &FetchRecord,
    ) -> Result<Result<EntryCounts>> {
        self.tx.prepare_cached("SAVEPOINT source")?.execute([])?;
        match apply(&self.tx, source, record) {
            Ok(counts) => {
                self.tx.prepare_cached("RELEASE source")?.execute([])?;
                Ok(Ok(counts))
            }
            Err(error) if error.is_store_wide() => Err(error),
            Err(error) => {
                self.tx.prepare_cached("ROLLBACK TO source")?.execute([])?;
                self.tx.prepare_cached("RELEASE source")?.execute([])?;
                Ok(Err(error))
            }
        }
    }

    /// Commits every update recorded in the group; refuses, committing nothing, when a
    /// database error doomed the group (see [`Group::record`]).
    pub fn commit(self) -> Result<()> {
        if self.doomed {
            // Dropping the transaction rolls the whole group back.
            return Err(StoreError::Doomed);
        }
        // COMMIT is run on the connection rather than through `Transaction::commit`,
        // which rolls the group back when the COMMIT fails. A COMMIT that fails busy
        // (readers still in the store, in a long run: see `Store::begin_long_run`) leaves
        // the transaction open and whole, and is tried again until `commit_wait` has
        // passed, however soon SQLite's busy handler gave up. Once it succeeded the
        // transaction is over, and dropping `tx` does nothing.
        let started = Instant::now();
        loop {
            match self.tx.execute_batch("COMMIT") {
                Ok(()) => break,
                Err(rusqlite::Error::SqliteFailure(error, _))
                    if error.code == rusqlite::ErrorCode::DatabaseBusy
                        && !self.tx.is_autocommit()
                        && started.elapsed() < self.commit_wait =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                // Dropping `tx` rolls back what is left of the group.
                Err(error) => return Err(error.into()),
            }
        }
        if let Some(checkpointer) = self.checkpointer {
            checkpointer.ask();
        }
        Ok(())
    }
}

/// Records one fetch of a source inside `tx`.
fn apply(tx: &Connection, source: SourceId, record: &FetchRecord) -> Result<EntryCounts> {
    let at = record.at.timestamp();
    let status = record.status.map(i64::from);
    if let Some(url) = record.moved_to {
        tx.prepare_cached("UPDATE sources SET url = ?2 WHERE id = ?1")?
            .execute(params![source, url])?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO redirects (source, from_url, to_url, status, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for hop in record.redirects {
            insert.execute(params![
                source,
                hop.from,
                hop.to,
                hop.status,
                hop.at.timestamp()
            ])?;
        }
    }
    let mut counts = EntryCounts::default();
    match &record.outcome {
        Outcome::Parsed {
            meta,
            entries,
            validators,
            body_hash,
        } => {
            let meta_json = serde_json::to_string(meta).map_err(|error| StoreError::BadJson {
                key: format!("source {source}"),
                source: error,
            })?;
            tx.prepare_cached(
                "UPDATE sources SET feed_json = ?2, etag = ?3, last_modified = ?4,
                     body_hash = ?5, last_fetch = ?6, last_success = ?6, last_status = ?7,
                     last_error = NULL, consecutive_failures = 0, next_fetch = NULL
                 WHERE id = ?1",
            )?
            .execute(params![
                source,
                meta_json,
                validators.etag,
                validators.last_modified,
                body_hash,
                at,
                status
            ])?;
            if entries.source != source {
                // Keys of local guids embed the source: prepared for another
                // source, they would file the entries under the wrong one.
                return Err(StoreError::Sql(rusqlite::Error::InvalidParameterName(
                    format!(
                        "entries prepared for source {} recorded for {source}",
                        entries.source
                    ),
                )));
            }
            counts = store_entries(tx, source, entries, at)?;
        }
        Outcome::NotModified { validators } => {
            tx.prepare_cached(
                "UPDATE sources SET etag = coalesce(?2, etag),
                     last_modified = coalesce(?3, last_modified), last_fetch = ?4,
                     last_success = ?4, last_status = ?5, last_error = NULL,
                     consecutive_failures = 0, next_fetch = NULL
                 WHERE id = ?1",
            )?
            .execute(params![
                source,
                validators.etag,
                validators.last_modified,
                at,
                status
            ])?;
            // The entries still in the document count as seen now through the
            // source's `last_success` (see `schema.rs`): no entry row is touched.
        }
        Outcome::Failed { error, next_fetch } => {
            tx.prepare_cached(
                "UPDATE sources SET last_fetch = ?2, last_status = ?3, last_error = ?4,
                     consecutive_failures = consecutive_failures + 1, next_fetch = ?5
                 WHERE id = ?1",
            )?
            .execute(params![source, at, status, error, next_fetch.timestamp()])?;
        }
        Outcome::Gone { error } => {
            tx.prepare_cached(
                "UPDATE sources SET last_fetch = ?2, last_status = ?3, last_error = ?4,
                     consecutive_failures = consecutive_failures + 1, next_fetch = NULL,
                     retired_at = ?2
                 WHERE id = ?1",
            )?
            .execute(params![source, at, status, error])?;
        }
    }
    Ok(counts)
}

/// Inserts or updates the entries of one parsed document (see the module docs).
fn store_entries(
    tx: &Connection,
    source: SourceId,
    entries: &PreparedEntries,
    now: i64,
) -> Result<EntryCounts> {
    tx.prepare_cached("UPDATE entry_sources SET in_feed = 0 WHERE source = ?1")?
        .execute([source])?;
    let mut by_key = tx.prepare_cached("SELECT id, owner, hash FROM entries WHERE key = ?1")?;
    let mut by_link = tx.prepare_cached(
        "SELECT id, owner, hash FROM entries WHERE link = ?1 ORDER BY id LIMIT 1",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO entries (key, owner, guid, link, hash, sort_date, first_seen,
                              last_changed, json)
         VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, ?7), ?7, ?7, ?8)",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE entries SET guid = ?2, link = ?3, json = ?4, hash = ?5,
             sort_date = coalesce(?6, first_seen), last_changed = ?7
         WHERE id = ?1",
    )?;
    let mut rehash = tx.prepare_cached("UPDATE entries SET hash = ?2 WHERE id = ?1")?;
    let mut link_entry = tx.prepare_cached(
        "INSERT INTO entry_sources (source, entry, in_feed, last_seen) VALUES (?1, ?2, 1, ?3)
         ON CONFLICT(source, entry) DO UPDATE SET in_feed = 1, last_seen = ?3",
    )?;
    let mut counts = EntryCounts::default();
    for item in &entries.items {
        counts.seen += 1;
        // What the stored version is to this update (worked out while the row is at
        // hand: a hash of an earlier build's kind needs the new version to compare).
        let row = |row: &rusqlite::Row| -> rusqlite::Result<(i64, Found)> {
            let owner: SourceId = row.get(1)?;
            let stored = row.get_ref(2)?;
            let found = if owner != source {
                Found::OwnedElsewhere
            } else if !item.stored.hash.same_as_stored(stored, &item.stored.value) {
                Found::Changed
            } else if entry_value::EntryHash::is_old_kind(stored) {
                Found::SameOldHash
            } else {
                Found::Same
            };
            Ok((row.get(0)?, found))
        };
        let mut existing = by_key.query_row([&item.key], row).optional()?;
        if existing.is_none()
            && item.unique_link
            && let Some(link) = item.link.as_deref()
        {
            existing = by_link.query_row([link], row).optional()?;
        }
        let id = match existing {
            None => {
                insert.execute(params![
                    item.key,
                    source,
                    item.guid,
                    item.link,
                    item.stored.hash,
                    item.date,
                    now,
                    item.stored.value
                ])?;
                counts.new += 1;
                tx.last_insert_rowid()
            }
            Some((id, Found::Changed)) => {
                update.execute(params![
                    id,
                    item.guid,
                    item.link,
                    item.stored.value,
                    item.stored.hash,
                    item.date,
                    now
                ])?;
                counts.changed += 1;
                id
            }
            Some((id, Found::SameOldHash)) => {
                // Stored by an earlier build, and the same content: only the hash is
                // brought up to date (once), nothing counts as changed.
                rehash.execute(params![id, item.stored.hash])?;
                id
            }
            Some((id, Found::Same | Found::OwnedElsewhere)) => id,
        };
        link_entry.execute(params![source, id, now])?;
    }
    Ok(counts)
}

/// How an entry being stored relates to the version the store has.
enum Found {
    /// Owned by another source, whose versions alone change it.
    OwnedElsewhere,
    Changed,
    /// The same, under a hash of an earlier build's kind.
    SameOldHash,
    Same,
}

/// The identity of an entry across sources (see the module docs).
fn entry_key(source: SourceId, entry: &Entry) -> String {
    match entry.guid.as_deref() {
        Some(guid) if is_global_guid(guid) => format!("guid:{guid}"),
        _ => format!("source:{source}:{}", entry.id),
    }
}

/// A guid that names one thing wherever it appears: an absolute URI with a host, a
/// `urn:` or `tag:` URI, or a UUID. Guids like `42` are unique only within their feed.
fn is_global_guid(guid: &str) -> bool {
    if uuid::Uuid::try_parse(guid).is_ok() {
        return true;
    }
    match url::Url::parse(guid) {
        Ok(url) => url.has_host() || matches!(url.scheme(), "urn" | "tag"),
        Err(_) => false,
    }
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn hex_sha256(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

/// The hash that tells whether a fetched body changed: `x3:` and the XXH3-128 of
/// `bytes` as hex. It is not a cryptographic hash, and need not be: whoever could forge
/// a collision controls the content anyway, and it only decides whether to parse
/// again. It is about ten times faster than SHA-256, which this fingerprint replaced; a
/// stored hash of that older kind then simply reads as "changed" once (one more parse
/// of that body). Stored entries of earlier builds carry this hash of their JSON (see
/// `entry_value.rs` for what they carry now).
pub fn content_hash(bytes: &[u8]) -> String {
    format!("x3:{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// `bytes` as lower-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 15), 16).unwrap_or('0'));
    }
    hex
}

fn time(seconds: Option<i64>) -> Option<DateTime<Utc>> {
    seconds.and_then(|s| DateTime::from_timestamp(s, 0))
}

/// A store in a fresh file of a temporary folder, for tests: the folder (kept alive while
/// the test holds it), the store's path, and the open store.
#[cfg(test)]
pub(crate) fn temp_store() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let store = Store::open(&path).unwrap();
    (dir, path, store)
}

#[cfg(test)]
mod tests;

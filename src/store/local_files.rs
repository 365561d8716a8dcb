//! The file cache kept in the store: what was learned from local content files, so
//! that a new run (a new process) skips every file that did not change.
//!
//! [`Store::local_files`] loads the remembered Markdown outcomes and audio probes (as
//! JSON, parsed only when a file is asked for); the run's sessions share the
//! [`StoredFileCache`] as their [`FileCache`]; [`Store::save_local_files`] writes what
//! the run learned in one transaction. The cache only ever costs speed, never
//! correctness: a row that cannot be parsed is a miss, and whether a remembered result
//! still holds is decided by the caller from the stamps and hashes it carries
//! (`ingest::file_cache`), never by the store.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::params;

use super::{Result, Store};
use crate::ingest::file_cache::{CachedAudio, CachedDocument, FileCache};

/// Remembered results of local files, loaded from the store, plus what this run learned.
#[derive(Debug, Default)]
pub struct StoredFileCache {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Rows as loaded, not asked for yet.
    documents: HashMap<PathBuf, String>,
    audio: HashMap<PathBuf, String>,
    /// Rows asked for (parsed, or `None` when the JSON was unreadable) and results put
    /// by this run.
    parsed_documents: HashMap<PathBuf, Option<Arc<CachedDocument>>>,
    parsed_audio: HashMap<PathBuf, Option<CachedAudio>>,
    /// What this run learned, by path; turned into JSON only when saved, one row at a
    /// time, so a run never holds every outcome twice over.
    new_documents: HashMap<String, Arc<CachedDocument>>,
    new_audio: HashMap<String, CachedAudio>,
}

/// What [`Store::save_local_files`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Saved {
    pub written: usize,
    /// Rows of files that no source names any more.
    pub removed: usize,
}

impl StoredFileCache {
    /// How many results this run learned (to be written by the next save).
    pub fn learned(&self) -> usize {
        self.state
            .lock()
            .map(|state| state.new_documents.len() + state.new_audio.len())
            .unwrap_or(0)
    }
}

impl FileCache for StoredFileCache {
    fn audio(&self, path: &Path) -> Option<CachedAudio> {
        let row = {
            let mut state = self.state.lock().ok()?;
            if let Some(parsed) = state.parsed_audio.get(path) {
                return parsed.clone();
            }
            state.audio.remove(path)?
        };
        let parsed: Option<CachedAudio> = serde_json::from_str(&row).ok();
        if let Ok(mut state) = self.state.lock() {
            state
                .parsed_audio
                .insert(path.to_path_buf(), parsed.clone());
        }
        parsed
    }

    fn put_audio(&self, path: &Path, audio: CachedAudio) {
        let Some(key) = path.to_str() else {
            return;
        };
        if let Ok(mut state) = self.state.lock() {
            state.new_audio.insert(key.to_string(), audio.clone());
            state.parsed_audio.insert(path.to_path_buf(), Some(audio));
        }
    }

    fn document(&self, path: &Path) -> Option<Arc<CachedDocument>> {
        let row = {
            let mut state = self.state.lock().ok()?;
            if let Some(parsed) = state.parsed_documents.get(path) {
                return parsed.clone();
            }
            state.documents.remove(path)?
        };
        // Parsed outside the lock: the threads reading files ask at the same time.
        let parsed: Option<Arc<CachedDocument>> = serde_json::from_str(&row).ok().map(Arc::new);
        if let Ok(mut state) = self.state.lock() {
            state
                .parsed_documents
                .insert(path.to_path_buf(), parsed.clone());
        }
        parsed
    }

    fn put_document(&self, path: &Path, document: Arc<CachedDocument>) {
        // A path that is not UTF-8 cannot be a key; such a file is simply read each run.
        let Some(key) = path.to_str() else {
            return;
        };
        if let Ok(mut state) = self.state.lock() {
            state
                .new_documents
                .insert(key.to_string(), document.clone());
            state
                .parsed_documents
                .insert(path.to_path_buf(), Some(document));
        }
    }
}

impl Store {
    /// The file cache as the last run left it.
    pub fn local_files(&self) -> Result<StoredFileCache> {
        let load = |table: &str| -> Result<HashMap<PathBuf, String>> {
            let mut statement = self
                .conn
                .prepare(&format!("SELECT path, json FROM {table}"))?;
            let rows = statement.query_map([], |row| {
                Ok((PathBuf::from(row.get::<_, String>(0)?), row.get(1)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        Ok(StoredFileCache {
            state: Mutex::new(State {
                documents: load("local_documents")?,
                audio: load("local_audio")?,
                ..State::default()
            }),
        })
    }

    /// Writes what the run learned, in one transaction. With `prune`, rows of files
    /// the run never asked about are removed (the caller read every source, so those
    /// files are gone or no longer named).
    pub fn save_local_files(&mut self, cache: &StoredFileCache, prune: bool) -> Result<Saved> {
        let mut state = match cache.state.lock() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        };
        let tx = self.conn.transaction()?;
        let mut saved = Saved::default();
        let mut upsert = |table: &str, path: &str, json: serde_json::Result<String>| {
            // A result that does not serialise is simply not remembered.
            let Ok(json) = json else {
                return Ok(());
            };
            tx.prepare_cached(&format!(
                "INSERT INTO {table} (path, json) VALUES (?1, ?2)
                 ON CONFLICT(path) DO UPDATE SET json = excluded.json"
            ))?
            .execute(params![path, json])?;
            saved.written += 1;
            Ok::<(), rusqlite::Error>(())
        };
        for (path, document) in &state.new_documents {
            upsert("local_documents", path, serde_json::to_string(&**document))?;
        }
        for (path, audio) in &state.new_audio {
            upsert("local_audio", path, serde_json::to_string(audio))?;
        }
        if prune {
            for (table, rows) in [
                ("local_documents", &state.documents),
                ("local_audio", &state.audio),
            ] {
                let mut delete =
                    tx.prepare_cached(&format!("DELETE FROM {table} WHERE path = ?1"))?;
                for path in rows.keys().filter_map(|path| path.to_str()) {
                    saved.removed += delete.execute([path])?;
                }
            }
        }
        tx.commit()?;
        state.new_documents.clear();
        state.new_audio.clear();
        if prune {
            state.documents.clear();
            state.audio.clear();
        }
        Ok(saved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::audio::AudioInfo;
    use crate::ingest::file_cache::{Dependencies, FileStamp};
    use crate::ingest::local::{HeldBack, Problem};
    use crate::ingest::post::Outcome;

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
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let mut store = Store::open(&path).unwrap();
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

    #[test]
    fn an_unreadable_row_is_a_miss_not_an_error() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute(
                "INSERT INTO local_documents (path, json) VALUES ('/site/a.md', '{not json')",
                [],
            )
            .unwrap();
        store
            .conn
            .execute(
                "INSERT INTO local_audio (path, json) VALUES ('/site/a.mp3', '[]')",
                [],
            )
            .unwrap();
        let cache = store.local_files().unwrap();
        assert_eq!(cache.document(Path::new("/site/a.md")), None);
        assert_eq!(cache.audio(Path::new("/site/a.mp3")), None);
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

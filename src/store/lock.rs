//! The run lock: one writer run per store at a time.
//!
//! A lock file beside the store (`<store>.lock`) is locked with the operating system's
//! advisory file lock (`File::try_lock`). The lock belongs to the open file, so it is
//! released however the process ends — a killed run never leaves a stale lock behind;
//! the file itself may stay and means nothing on its own.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{path}: another omroep run is using this store; wait for it to finish (or stop it) and try again"
    )]
    Busy { path: PathBuf },
    #[error("{path}: could not create the lock file: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
    path: PathBuf,
}

impl StoreLock {
    /// Takes the lock for the store at `store_path` without waiting.
    pub fn acquire(store_path: &Path) -> Result<StoreLock, LockError> {
        let mut name = store_path.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|source| LockError::Io {
                path: path.clone(),
                source,
            })?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| LockError::Io {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(StoreLock { _file: file, path }),
            Err(TryLockError::WouldBlock) => Err(LockError::Busy { path }),
            Err(TryLockError::Error(source)) => Err(LockError::Io { path, source }),
        }
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_store_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("state/store.sqlite");
        let first = StoreLock::acquire(&store).unwrap();
        assert_eq!(first.path(), dir.path().join("state/store.sqlite.lock"));
        let second = StoreLock::acquire(&store).unwrap_err();
        assert!(matches!(second, LockError::Busy { .. }));
        assert!(second.to_string().contains("another omroep run"));
        drop(first);
        StoreLock::acquire(&store).unwrap();
    }
}

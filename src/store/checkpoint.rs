//! WAL checkpoints on a thread of their own, for the long stream of commits of an
//! ingest run.
//!
//! A checkpoint copies the WAL's pages into the database file and then waits for the
//! disk (an fsync). Run by the writing connection itself (SQLite's automatic
//! checkpoint), that wait stops the one thread that writes the store; the results
//! queued for it then fill up, the fetches holding them keep their places, and both
//! cores go idle until the disk is done. Here a second connection checkpoints in the
//! background every [`INTERVAL`], in SQLite's PASSIVE mode, which never blocks the
//! writer (in WAL mode a checkpoint and a write may run at once) and takes only the
//! pages already committed. The writer's automatic checkpoint stays as the fallback: if
//! this thread fell behind, the writer would checkpoint as before.
//!
//! Nothing here is needed for correctness: a checkpoint that fails (the disk is busy,
//! the store is locked by another process) is simply tried again at the next tick, and
//! whatever is left in the WAL is checkpointed when the store is closed.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::StoreError;

/// How often the background thread checkpoints. Short enough that the WAL stays small
/// (and the checkpoint on close short), long enough that the fsyncs stay few.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// A running background checkpointer; stopped (and joined) when dropped.
pub struct Checkpointer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    pub(super) thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the WAL of the database at `path` every `interval`.
    /// The connection is opened here, on the caller's thread, so that a store that
    /// cannot be opened a second time says so at once.
    pub fn start(path: &Path, interval: Duration) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open(path)?;
        // A checkpoint waits a moment for another checkpoint (the writer's fallback)
        // rather than failing at once; it never waits for the writer itself.
        conn.busy_timeout(Duration::from_millis(100))?;
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let signal = stop.clone();
        let thread = std::thread::Builder::new()
            .name("omroep-checkpoint".into())
            .spawn(move || run(conn, &signal, interval))
            .map_err(StoreError::Thread)?;
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (flag, wake) = &*self.stop;
        // A poisoned flag means the thread panicked: there is nothing left to stop.
        if let Ok(mut stopped) = flag.lock() {
            *stopped = true;
            wake.notify_all();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread: a PASSIVE checkpoint every `interval` until told to stop.
fn run(conn: Connection, stop: &(Mutex<bool>, Condvar), interval: Duration) {
    let (flag, wake) = stop;
    let Ok(mut stopped) = flag.lock() else { return };
    loop {
        let Ok((guard, _)) = wake.wait_timeout(stopped, interval) else {
            return;
        };
        stopped = guard;
        if *stopped {
            return;
        }
        // Not holding the flag while the disk works: stopping must not wait for it
        // longer than the one checkpoint under way.
        drop(stopped);
        // Best effort (see the module docs): an error is tried again at the next tick.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        stopped = match flag.lock() {
            Ok(guard) => guard,
            Err(_) => return,
        };
        if *stopped {
            return;
        }
    }
}

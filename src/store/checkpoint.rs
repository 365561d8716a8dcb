//! WAL checkpoints on a thread of their own, for the long stream of commits of an
//! ingest run.
//!
//! A checkpoint copies the WAL's pages into the database file and then waits for the
//! disk (an fsync). Run by the writing connection itself (SQLite's automatic
//! checkpoint), that wait stops the one thread that writes the store; the results
//! queued for it then fill up, the fetches holding them keep their places, and both
//! cores go idle until the disk is done. Here a second connection checkpoints in the
//! background, in SQLite's PASSIVE mode, which never blocks the writer (in WAL mode a
//! checkpoint and a write may run at once) and takes only the pages already committed:
//! at once when the writer asks ([`Checkpointer::ask`], after each commit of a group),
//! and every [`INTERVAL`] besides. The writer's automatic checkpoint stays as the
//! fallback: if this thread fell behind, the writer would checkpoint as before.
//!
//! **Restarting the WAL.** SQLite writes the WAL from its start again (instead of
//! appending to it) only when a write transaction begins while every frame is already
//! in the database file. A writer that begins its next group right after a commit
//! never finds it so: the WAL then grows until the writer's own fallback checkpoint
//! (with its fsyncs, on the writer) at 64 MiB, and at close it is large to checkpoint
//! and cut back. So the writer, having asked for a checkpoint of its commit, lets it
//! finish before it begins the next group ([`Checkpointer::settle`], bounded by
//! [`SETTLE_LIMIT`]); it has usually been waiting for results meanwhile anyway. The
//! WAL then stays at about one group's size.
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

/// How often the background thread checkpoints unasked. Short enough that the WAL
/// stays small (and the checkpoint on close short), long enough that the fsyncs stay few.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// The longest the writer waits for the checkpoint it asked for before it begins its
/// next group regardless (the WAL then goes on growing until a later checkpoint
/// finishes in time): a disk much slower than usual must not hold every fetch up.
pub const SETTLE_LIMIT: Duration = Duration::from_millis(250);

/// What the writer and the thread share.
#[derive(Default)]
struct State {
    stop: bool,
    /// Checkpoints asked for so far, and how many of them have finished: the thread's
    /// next checkpoint finishes every one asked for before it began.
    asked: u64,
    finished: u64,
}

/// A running background checkpointer; stopped (and joined) when dropped.
pub struct Checkpointer {
    shared: Arc<(Mutex<State>, Condvar)>,
    pub(super) thread: Option<JoinHandle<()>>,
    /// See [`SETTLE_LIMIT`]; tests set it.
    pub(super) settle_limit: Duration,
}

impl Checkpointer {
    /// Starts checkpointing the WAL of the database at `path` every `interval`, and
    /// whenever asked. The connection is opened here, on the caller's thread, so that a
    /// store that cannot be opened a second time says so at once.
    pub fn start(path: &Path, interval: Duration) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open(path)?;
        // A checkpoint waits a moment for another checkpoint (the writer's fallback)
        // rather than failing at once; it never waits for the writer itself.
        conn.busy_timeout(Duration::from_millis(100))?;
        let shared = Arc::new((Mutex::new(State::default()), Condvar::new()));
        let theirs = shared.clone();
        let thread = std::thread::Builder::new()
            .name("omroep-checkpoint".into())
            .spawn(move || run(conn, &theirs, interval))
            .map_err(StoreError::Thread)?;
        Ok(Checkpointer {
            shared,
            thread: Some(thread),
            settle_limit: SETTLE_LIMIT,
        })
    }

    /// Asks for a checkpoint now (of everything committed so far), without waiting.
    pub fn ask(&self) {
        let (state, wake) = &*self.shared;
        // A poisoned state means the thread panicked: nothing will checkpoint, and the
        // writer's own automatic checkpoints serve as they would without this thread.
        if let Ok(mut state) = state.lock() {
            state.asked += 1;
            wake.notify_all();
        }
    }

    /// Waits until every checkpoint asked for has finished, or [`SETTLE_LIMIT`]
    /// passed. Returns whether they finished.
    pub fn settle(&self) -> bool {
        let (state, done) = &*self.shared;
        let Ok(state) = state.lock() else {
            return false;
        };
        match done.wait_timeout_while(state, self.settle_limit, |state| {
            state.finished < state.asked && !state.stop
        }) {
            Ok((state, _)) => state.finished >= state.asked,
            Err(_) => false,
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (state, wake) = &*self.shared;
        // A poisoned state means the thread panicked: there is nothing left to stop.
        if let Ok(mut state) = state.lock() {
            state.stop = true;
            wake.notify_all();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread: a PASSIVE checkpoint whenever asked, and every `interval`, until told
/// to stop.
fn run(conn: Connection, shared: &(Mutex<State>, Condvar), interval: Duration) {
    let (state, wake) = shared;
    let Ok(mut guard) = state.lock() else { return };
    loop {
        if guard.finished == guard.asked {
            guard = match wake.wait_timeout_while(guard, interval, |state| {
                !state.stop && state.finished == state.asked
            }) {
                Ok((guard, _)) => guard,
                Err(_) => return,
            };
        }
        if guard.stop {
            return;
        }
        let asked = guard.asked;
        // Not holding the state while the disk works: stopping and asking must not
        // wait for it longer than the one checkpoint under way.
        drop(guard);
        // Best effort (see the module docs): an error is tried again at the next tick.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        guard = match state.lock() {
            Ok(guard) => guard,
            Err(_) => return,
        };
        guard.finished = guard.finished.max(asked);
        // The writer may be waiting for this one (`settle`).
        wake.notify_all();
        if guard.stop {
            return;
        }
    }
}

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
//! and cut back. So once the WAL has grown past [`RESTART_FROM`], the writer, having
//! asked for a checkpoint of its commit, lets it finish before it begins the next group
//! ([`Checkpointer::settle`], bounded by [`SETTLE_LIMIT`]); the checkpoints asked for
//! after the commits before it, which the writer did not wait for, have copied the
//! rest. The WAL then stays near that size, and the writer waits for the disk once per
//! few groups rather than after every one (each wait is a checkpoint's two fsyncs, on
//! a busy disk tens of milliseconds). Starting over has a cost of its own on the
//! writer: the first commit into the restarted WAL syncs its new header (one fsync,
//! at every synchronous setting but OFF; the store runs at NORMAL): one more reason
//! to let the WAL grow to [`RESTART_FROM`] rather than start it over at every group.
//!
//! Nothing here is needed for correctness: a checkpoint that fails (the disk is busy,
//! the store is locked by another process) is simply tried again at the next tick, and
//! whatever is left in the WAL is checkpointed when the store is closed.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
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

/// How large the WAL may grow (as the last checkpoint found it) before the writer waits
/// for a checkpoint so that it starts over: about a second of an ingest run's commits,
/// a quarter of the writer's own fallback checkpoint's 64 MiB.
pub const RESTART_FROM: u64 = 16 << 20;

/// What the writer and the thread share.
#[derive(Default)]
struct State {
    stop: bool,
    /// Checkpoints asked for so far, and how many of them have finished: the thread's
    /// next checkpoint finishes every one asked for before it began.
    asked: u64,
    finished: u64,
    /// The WAL's size in bytes as the last checkpoint found it.
    wal_bytes: u64,
}

/// A running background checkpointer; stopped (and joined) when dropped.
pub struct Checkpointer {
    shared: Arc<(Mutex<State>, Condvar)>,
    pub(super) thread: Option<JoinHandle<()>>,
    /// See [`SETTLE_LIMIT`] and [`RESTART_FROM`]; tests set them.
    pub(super) settle_limit: Duration,
    pub(super) restart_from: u64,
}

impl Checkpointer {
    /// Starts checkpointing the WAL of the database at `path` every `interval`, and
    /// whenever asked. The connection is opened here, on the caller's thread, so that a
    /// store that cannot be opened a second time says so at once.
    pub fn start(path: &Path, interval: Duration) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open(path)?;
        // A PASSIVE checkpoint never calls the busy handler: when another checkpoint
        // (the writer's fallback) holds the lock it returns busy at once (see
        // `finish`), and it never waits for the writer. The timeout serves the other
        // statements of this connection (opening the WAL index, reading the page
        // size) while another connection holds a lock they need for a moment.
        conn.busy_timeout(Duration::from_millis(100))?;
        let shared = Arc::new((Mutex::new(State::default()), Condvar::new()));
        let theirs = shared.clone();
        let thread = std::thread::Builder::new()
            .name("omroep-checkpoint".into())
            .spawn(move || {
                // The store's page size, which a WAL frame holds one of (16 KiB for
                // stores made since it was chosen; older ones keep theirs).
                let page_size = conn
                    .query_row("PRAGMA page_size", [], |row| row.get::<_, i64>(0))
                    .ok()
                    .and_then(|size| u64::try_from(size).ok())
                    .unwrap_or(16384);
                // Best effort (see the module docs): an error is tried again at the
                // next tick. The second column is the WAL's length in frames (pages).
                let checkpoint = || {
                    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                        row.get::<_, i64>(1)
                    })
                    .ok()
                };
                run(&theirs, interval, page_size, checkpoint);
            })
            .map_err(StoreError::Thread)?;
        Ok(Checkpointer {
            shared,
            thread: Some(thread),
            settle_limit: SETTLE_LIMIT,
            restart_from: RESTART_FROM,
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

    /// When the WAL has grown to [`RESTART_FROM`] (or this thread is two checkpoints
    /// behind the commits), waits until every checkpoint asked for has finished, or
    /// [`SETTLE_LIMIT`] passed, so that the next write transaction starts the WAL over.
    pub fn settle(&self) {
        let (state, done) = &*self.shared;
        let Ok(state) = state.lock() else {
            return;
        };
        if !must_wait(&state, self.restart_from) {
            return;
        }
        // A poisoned state (the thread panicked while holding it) is not waited for.
        let Ok((mut state, _)) = done.wait_timeout_while(state, self.settle_limit, |state| {
            state.finished < state.asked && !state.stop
        }) else {
            return;
        };
        if state.finished >= state.asked {
            // The WAL is all in the database file, and the next transaction starts it
            // over; the size measured before is no longer its size, and waiting on it
            // again would cost the next group a second wait for the same restart.
            // (Should a reader keep the WAL from starting over, the next checkpoint
            // measures it again.)
            state.wal_bytes = 0;
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

/// The thread: a checkpoint (`checkpoint`, giving the WAL's length in frames of
/// `page_size` bytes) whenever asked, and every `interval`, until told to stop.
fn run(
    shared: &(Mutex<State>, Condvar),
    interval: Duration,
    page_size: u64,
    mut checkpoint: impl FnMut() -> Option<i64>,
) {
    let (state, wake) = shared;
    // However the thread ends (told to, or a panic in SQLite that left the state
    // unpoisoned), the writer must not wait for it again.
    let _stopped = Stopped(shared);
    let Ok(mut guard) = state.lock() else { return };
    loop {
        // At once when a checkpoint is asked for already.
        guard = match wake.wait_timeout_while(guard, interval, |state| {
            !state.stop && state.finished == state.asked
        }) {
            Ok((guard, _)) => guard,
            Err(_) => return,
        };
        if guard.stop {
            return;
        }
        let asked = guard.asked;
        // Not holding the state while the disk works: stopping and asking must not
        // wait for it longer than the one checkpoint under way.
        drop(guard);
        let frames = checkpoint();
        guard = match state.lock() {
            Ok(guard) => guard,
            Err(_) => return,
        };
        finish(&mut guard, asked, frames, page_size);
        // The writer may be waiting for this one (`settle`).
        wake.notify_all();
        if guard.stop {
            return;
        }
    }
}

/// Marks the state stopped when dropped, and wakes a writer waiting in
/// [`Checkpointer::settle`], which then returns at once.
struct Stopped<'a>(&'a (Mutex<State>, Condvar));

impl Drop for Stopped<'_> {
    fn drop(&mut self) {
        let (state, wake) = self.0;
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        state.stop = true;
        wake.notify_all();
    }
}

/// Whether the writer waits for the checkpoints asked for before it begins its next
/// group: when the WAL has grown to `restart_from`. The size is the last finished
/// checkpoint's; a thread two checkpoints behind has not counted the last groups, and
/// is waited for all the same.
fn must_wait(state: &State, restart_from: u64) -> bool {
    state.wal_bytes >= restart_from || state.asked - state.finished >= 2
}

/// Records a checkpoint attempt that began when `asked` checkpoints had been asked
/// for and found the WAL `frames` long (`None`: it failed).
///
/// The attempt counts as finished whatever came of it, a failure or a busy result
/// included: the writer waits in [`Checkpointer::settle`] for an attempt, not for a
/// success, and holding it back would keep it waiting the whole [`SETTLE_LIMIT`]
/// behind a disk or another process that will not answer sooner, while this thread
/// tried again and again at once. The WAL size, though, is changed only by a
/// checkpoint that measured it: SQLite gives -1 for the length when another
/// checkpoint held the lock (and copied nothing here), which is not an empty WAL.
fn finish(state: &mut State, asked: u64, frames: Option<i64>, page_size: u64) {
    state.finished = state.finished.max(asked);
    if let Some(frames) = frames.and_then(|frames| u64::try_from(frames).ok()) {
        state.wal_bytes = frames * page_size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A checkpointer with no thread, its state as given.
    fn with_state(state: State) -> Checkpointer {
        Checkpointer {
            shared: Arc::new((Mutex::new(state), Condvar::new())),
            thread: None,
            settle_limit: Duration::from_secs(30),
            restart_from: RESTART_FROM,
        }
    }

    fn wal_bytes(checkpointer: &Checkpointer) -> u64 {
        checkpointer.shared.0.lock().unwrap().wal_bytes
    }

    #[test]
    fn a_finished_wait_is_not_waited_for_again_at_the_next_group() {
        // The last checkpoint found the WAL past the threshold and finished every one
        // asked for: the writer waits (at once done), and the WAL starts over with its
        // next transaction, so the group after that must not wait on the old size.
        let checkpointer = with_state(State {
            asked: 3,
            finished: 3,
            wal_bytes: RESTART_FROM + 1,
            ..State::default()
        });
        checkpointer.settle();
        assert_eq!(wal_bytes(&checkpointer), 0);
    }

    #[test]
    fn a_busy_checkpoint_keeps_the_size_measured_before() {
        let mut state = State {
            asked: 2,
            finished: 1,
            wal_bytes: 20 << 20,
            ..State::default()
        };
        // Another checkpoint held the lock: SQLite answers (1, -1, -1).
        finish(&mut state, 2, Some(-1), 16384);
        assert_eq!(
            state.wal_bytes,
            20 << 20,
            "a busy checkpoint is no empty WAL"
        );
        assert_eq!(state.finished, 2, "the writer's wait for it is over");
        // A failed one keeps it too.
        finish(&mut state, 2, None, 16384);
        assert_eq!(state.wal_bytes, 20 << 20);
        // One that measured the WAL sets it.
        finish(&mut state, 2, Some(10), 16384);
        assert_eq!(state.wal_bytes, 10 * 16384);
        finish(&mut state, 2, Some(0), 16384);
        assert_eq!(state.wal_bytes, 0);
    }

    #[test]
    fn the_writer_waits_from_the_size_asked_or_two_checkpoints_behind() {
        let state = |wal_bytes, asked, finished| State {
            asked,
            finished,
            wal_bytes,
            ..State::default()
        };
        // Below the threshold, caught up or one checkpoint behind: no wait.
        assert!(!must_wait(&state(RESTART_FROM - 1, 5, 5), RESTART_FROM));
        assert!(!must_wait(&state(RESTART_FROM - 1, 5, 4), RESTART_FROM));
        assert!(!must_wait(&state(0, 1, 0), RESTART_FROM));
        // At the threshold and past it.
        assert!(must_wait(&state(RESTART_FROM, 5, 5), RESTART_FROM));
        assert!(must_wait(&state(RESTART_FROM + 1, 5, 4), RESTART_FROM));
        // Two checkpoints behind, however small the WAL was.
        assert!(must_wait(&state(0, 5, 3), RESTART_FROM));
        assert!(must_wait(&state(0, 2, 0), RESTART_FROM));
    }

    #[test]
    fn a_thread_that_died_is_not_waited_for() {
        let mut checkpointer = with_state(State::default());
        checkpointer.restart_from = 0;
        let theirs = checkpointer.shared.clone();
        let thread = std::thread::spawn(move || {
            run(&theirs, Duration::from_secs(60), 16384, || {
                panic!("the checkpoint failed inside SQLite")
            });
        });
        checkpointer.ask();
        assert!(thread.join().is_err(), "the thread panicked");
        assert!(
            !checkpointer.shared.0.is_poisoned(),
            "the panic came with the state unlocked"
        );
        // The checkpoint asked for will never finish: the writer goes on at once
        // rather than after its limit (30 s here).
        let started = std::time::Instant::now();
        checkpointer.settle();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the writer waited {:?} for a thread that had died",
            started.elapsed()
        );
    }
}

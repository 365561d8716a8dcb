//! Threads kept between maps: a run's maps (the posts, then the episodes) are worked on
//! by the same threads, started once, instead of by new threads for each one, until
//! [`release`] ends them (`build` does once every feed is read).
//!
//! Starting a thread costs its stack, its signal stack, its allocator heap and a move to
//! a core of its own ([`Spread`]), and ending it gives all of that back: for a map of a
//! millisecond, a tenth of a millisecond before its first item is worked on (the
//! episodes of a second run in `benches/local_content.rs`).
//!
//! One map at a time uses the pool. A map asked for while another one has it (another
//! thread's, or one inside a map's work) is refused, and starts threads of its own.

use std::any::Any;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::Spread;

/// A map's work as the pool's threads see it: borrowed for the map's duration only
/// (see [`Pool::run`] for why that holds).
type Job = &'static (dyn Fn() + Sync);

struct State {
    /// The map being worked on, while it is (the pool is then taken).
    job: Option<Job>,
    /// How many maps were posted: a thread joins each one once (again only after a
    /// panic in it).
    maps: u64,
    /// How many more threads may join the current map.
    seats: usize,
    /// How many threads are in its work now.
    running: usize,
    /// The first panic of its work.
    panic: Option<Box<dyn Any + Send>>,
    /// Asks every thread to end (see [`release`]); set by one release at a time.
    ending: bool,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// Threads started so far.
    started: usize,
}

pub(super) struct Pool {
    state: Mutex<State>,
    /// A map was posted, or the threads are asked to end.
    posted: Condvar,
    /// A thread left a map's work.
    left: Condvar,
    /// Where the threads settle: the caller waits while they work.
    spread: Spread,
}

/// The process's pool.
static POOL: Pool = Pool::new();

/// The process's pool, which [`super::map`] and [`super::map_gather`] use.
pub(super) fn global() -> &'static Pool {
    &POOL
}

/// Ends the pool's threads (and waits for them); the next map starts new ones. What the
/// end of a process does: a benchmark of runs "as a new process" calls it between runs.
/// Nothing happens while a map has the pool, and a release while another is under way
/// returns at once.
pub fn release() {
    POOL.release();
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Pool {
    pub(super) const fn new() -> Pool {
        Pool {
            state: Mutex::new(State {
                job: None,
                maps: 0,
                seats: 0,
                running: 0,
                panic: None,
                ending: false,
                threads: Vec::new(),
                started: 0,
            }),
            posted: Condvar::new(),
            left: Condvar::new(),
            spread: Spread::replacing_caller(),
        }
    }

    /// Runs `work` on `threads` threads of the pool while the caller waits, until
    /// `claimed` (the items' counter `work` takes them by) reaches `items` and no thread
    /// is in `work` any more. `false` when the pool is taken or no thread could be
    /// started: the caller then works another way. A panic in `work` reaches the caller
    /// once every item was claimed.
    pub(super) fn run(
        &'static self,
        threads: usize,
        work: &(dyn Fn() + Sync),
        claimed: &AtomicUsize,
        items: usize,
    ) -> bool {
        {
            let mut state = lock(&self.state);
            if state.job.is_some() || state.ending {
                return false;
            }
            while state.threads.len() < threads {
                let started = std::thread::Builder::new()
                    .name("omroep-worker".into())
                    .spawn(|| self.serve());
                match started {
                    Ok(thread) => {
                        state.threads.push(thread);
                        state.started += 1;
                    }
                    Err(_) => break,
                }
            }
            if state.threads.is_empty() {
                return false;
            }
            // SAFETY: only the lifetime is changed. Nothing from here to the job's
            // removal below can panic or return (the wait loop only reads an atomic and
            // waits on a condition variable, whose poisoning is taken over), and the job
            // is removed under the lock once no thread is in it (`running` is 0; a thread
            // joins only under the lock, while the job is posted): no thread uses the
            // reference after `work` is gone.
            let job = unsafe { std::mem::transmute::<&(dyn Fn() + Sync), Job>(work) };
            // `running` is 0 and `panic` empty: the last map waited for the one and took
            // the other.
            state.job = Some(job);
            state.maps += 1;
            state.seats = threads;
        }
        self.posted.notify_all();
        let panic = {
            let mut state = lock(&self.state);
            while !(state.running == 0 && claimed.load(Ordering::Relaxed) >= items) {
                state = self
                    .left
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            state.job = None;
            state.seats = 0;
            state.panic.take()
        };
        if let Some(panic) = panic {
            std::panic::resume_unwind(panic);
        }
        true
    }

    /// A pool thread: settles on a core, then joins each map posted, until asked to end.
    fn serve(&'static self) {
        self.spread.settle();
        let mut served = 0;
        let mut state = lock(&self.state);
        loop {
            if state.ending {
                return;
            }
            let open = state.seats > 0 && state.maps != served;
            let Some(job) = state.job.filter(|_| open) else {
                state = self
                    .posted
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            };
            state.seats -= 1;
            state.running += 1;
            let map = state.maps;
            drop(state);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            state = lock(&self.state);
            state.running -= 1;
            match outcome {
                // Every item is claimed: nothing is left in this map for this thread.
                Ok(()) => served = map,
                // The item that panicked is given up; the thread takes its seat again and
                // goes on with the other items, as the threads of a map's own do.
                Err(panic) => {
                    state.panic.get_or_insert(panic);
                    state.seats += 1;
                }
            }
            self.left.notify_all();
        }
    }

    /// See [`release`].
    fn release(&'static self) {
        let threads = {
            let mut state = lock(&self.state);
            if state.job.is_some() || state.ending {
                return;
            }
            state.ending = true;
            std::mem::take(&mut state.threads)
        };
        self.posted.notify_all();
        for thread in threads {
            let _ = thread.join();
        }
        // Every thread has ended: the next map's threads settle as the first ones did.
        let mut state = lock(&self.state);
        self.spread.reset();
        state.ending = false;
    }

    /// How many threads the pool has started so far.
    #[cfg(test)]
    pub(super) fn started(&self) -> usize {
        lock(&self.state).started
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Runs `items` items on `threads` threads of `pool`: each item records the thread
    /// that took it. `None` when the pool refused.
    fn run_items(
        pool: &'static Pool,
        threads: usize,
        items: usize,
    ) -> Option<Vec<std::thread::ThreadId>> {
        let next = AtomicUsize::new(0);
        let taken = Mutex::new(Vec::new());
        let work = || {
            while next.fetch_add(1, Ordering::Relaxed) < items {
                std::thread::sleep(std::time::Duration::from_micros(50));
                taken.lock().unwrap().push(std::thread::current().id());
            }
        };
        let ran = pool.run(threads, &work, &next, items);
        ran.then(|| taken.into_inner().unwrap())
    }

    #[test]
    fn maps_one_after_the_other_are_worked_on_by_the_threads_started_for_the_first() {
        static POOL: Pool = Pool::new();
        let first = run_items(&POOL, 2, 40).expect("the pool is free");
        assert_eq!(first.len(), 40, "every item is worked on once");
        assert_eq!(POOL.started(), 2);
        let second = run_items(&POOL, 2, 40).expect("the pool is free again");
        assert_eq!(second.len(), 40);
        assert_eq!(POOL.started(), 2, "no thread started for the second map");
        let threads: HashSet<_> = first.iter().chain(&second).collect();
        assert!(threads.len() <= 2, "{threads:?}");
        assert!(!threads.contains(&std::thread::current().id()));
        // A map that asks for more threads starts only the ones missing, and one that
        // asks for fewer is worked on by as many as it asks for.
        assert_eq!(run_items(&POOL, 3, 30).map(|taken| taken.len()), Some(30));
        assert_eq!(POOL.started(), 3);
        let few = run_items(&POOL, 1, 20).expect("the pool is free");
        assert_eq!(few.len(), 20);
        assert_eq!(few.iter().collect::<HashSet<_>>().len(), 1);
        assert_eq!(POOL.started(), 3);
    }

    #[test]
    fn a_map_asked_for_while_the_pool_works_is_refused() {
        static POOL: Pool = Pool::new();
        let inner = Mutex::new(None);
        let next = AtomicUsize::new(0);
        let work = || {
            if next.fetch_add(1, Ordering::Relaxed) == 0 {
                *inner.lock().unwrap() = Some(run_items(&POOL, 1, 1).is_some());
            }
        };
        assert!(POOL.run(2, &work, &next, 1));
        assert_eq!(*inner.lock().unwrap(), Some(false));
        // Free again once the map is done.
        assert!(run_items(&POOL, 2, 4).is_some());
    }

    /// What `work` gives, on a thread of its own: fails the test if it takes longer than
    /// `seconds` (a pool that hangs would hang the test instead).
    fn within_seconds<T: Send + 'static>(
        seconds: u64,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(work());
        });
        receiver
            .recv_timeout(std::time::Duration::from_secs(seconds))
            .expect("finished in time")
    }

    #[test]
    fn a_panic_reaches_the_caller_once_every_other_item_was_worked_on() {
        static POOL: Pool = Pool::new();
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        static DONE: AtomicUsize = AtomicUsize::new(0);
        let outcome = within_seconds(10, || {
            let work = || {
                loop {
                    let item = NEXT.fetch_add(1, Ordering::Relaxed);
                    if item >= 100 {
                        break;
                    }
                    assert!(item % 30 != 7, "item {item} fails");
                    DONE.fetch_add(1, Ordering::Relaxed);
                }
            };
            std::panic::catch_unwind(|| POOL.run(2, &work, &NEXT, 100))
        });
        let message = outcome.expect_err("the panic is passed on");
        let message = message
            .downcast_ref::<String>()
            .expect("a formatted message");
        assert!(message.contains("fails"), "{message}");
        // Items 7, 37, 67 and 97 failed; every other one was worked on.
        assert_eq!(DONE.load(Ordering::Relaxed), 96);
        // The threads are still there for the next map.
        assert_eq!(run_items(&POOL, 2, 10).map(|taken| taken.len()), Some(10));
        assert_eq!(POOL.started(), 2);
    }

    #[test]
    fn releases_at_the_same_time_end_the_threads_once() {
        static POOL: Pool = Pool::new();
        for round in 0..50 {
            within_seconds(10, move || {
                assert_eq!(run_items(&POOL, 2, 8).map(|taken| taken.len()), Some(8));
                let releases: Vec<_> = (0..3)
                    .map(|_| std::thread::spawn(|| POOL.release()))
                    .collect();
                for release in releases {
                    release.join().unwrap();
                }
            });
            // Whichever release did it, every thread ended.
            assert!(lock(&POOL.state).threads.is_empty(), "round {round}");
        }
        assert_eq!(run_items(&POOL, 2, 8).map(|taken| taken.len()), Some(8));
    }

    #[test]
    fn released_threads_end_and_the_next_map_starts_new_ones() {
        static POOL: Pool = Pool::new();
        let first: HashSet<_> = run_items(&POOL, 2, 20).unwrap().into_iter().collect();
        POOL.release();
        assert!(lock(&POOL.state).threads.is_empty());
        let second: HashSet<_> = run_items(&POOL, 2, 20).unwrap().into_iter().collect();
        assert_eq!(POOL.started(), 4);
        assert!(first.is_disjoint(&second), "{first:?} {second:?}");
    }
}

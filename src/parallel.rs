//! Independent work spread over the machine's cores, with results in input order, so
//! that nothing a build writes depends on thread scheduling.
//!
//! One helper, [`map`]: the calling thread and the process's pool of helper threads
//! take the next unclaimed item from a shared counter (cheap items and costly ones even
//! out), and each result is put back at its item's position. Small inputs run on the
//! calling thread alone.
//!
//! The helpers are started as [`map`]s come to need them and then wait for the
//! next one, parked: a run calls [`map`] several times, and starting and ending threads
//! each time cost more than a second run's small batches (the allocator also has to take
//! over the memory pages of every thread that ended). The caller always works on its
//! own items too, so a [`map`] inside a [`map`], or several at once from different
//! threads, always make progress, whatever the helpers are doing.

use std::any::Any;
use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

/// Below this many items, [`map`] does not use the helpers.
const SERIAL_BELOW: usize = 4;

/// How many threads to use: the available cores, or `OMROEP_THREADS` when set (1
/// makes every run serial, for measuring or debugging). Decided once per process:
/// asking for the available cores reads the process's cgroup files every time, and a
/// run calls [`map`] many times.
pub fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        std::env::var("OMROEP_THREADS")
            .ok()
            .and_then(|value| value.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
    })
}

/// `work` applied to every item, results in the order of `items`. A panic in `work`
/// is passed on to the caller once no thread works on `items` any more.
///
/// Items run on the calling thread and on the pool's helper threads, which live as long
/// as the process and serve every [`map`]. So whatever `work` needs from its thread is
/// the caller's to provide on each: thread-locals set by the caller are not set on a
/// helper (and a helper's outlive the call), a `RefCell` borrow or a re-entrant lock
/// held by the caller is not held there, and neither is an entered tokio runtime.
pub fn map<T, R, F>(items: &[T], work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let threads = threads().min(items.len());
    if threads <= 1 || items.len() < SERIAL_BELOW {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    let claim_all = || {
        let mut mine = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else { break };
            mine.push((index, work(item)));
        }
        done.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(mine);
    };
    pool().run(&claim_all, threads - 1);
    let mut done = done.into_inner().unwrap_or_else(PoisonError::into_inner);
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

/// The process's helpers, started as [`map`]s need them: at most one fewer than
/// [`threads`], as the caller of a [`map`] works on its items too, and at most a few
/// per core whatever `OMROEP_THREADS` asks for.
fn pool() -> &'static Pool {
    static POOL: OnceLock<&'static Pool> = OnceLock::new();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    POOL.get_or_init(|| Pool::new(threads().saturating_sub(1).min(4 * cores)))
}

struct Pool {
    /// Jobs that may still have unclaimed items, oldest first, and how many helpers
    /// are started.
    queue: Mutex<Queue>,
    /// Signalled once per helper a queued job wants.
    posted: Condvar,
    /// The most helpers this pool starts.
    most: usize,
}

struct Queue {
    jobs: VecDeque<Arc<Job>>,
    started: usize,
}

/// One [`map`]'s items, as the helpers see them: a function that claims and works on
/// items until none is left.
struct Job {
    /// The caller's `claim_all`, with its lifetime erased (see `Pool::run`).
    claim_all: &'static (dyn Fn() + Sync),
    /// How many helpers joined and have not finished, and the first panic of one.
    state: Mutex<JobState>,
    /// Signalled when a helper finishes.
    finished: Condvar,
}

struct JobState {
    /// Helpers that may still call `claim_all`.
    joined: usize,
    /// Helpers that may still join (the caller's want).
    open: usize,
    panic: Option<Box<dyn Any + Send>>,
}

impl Pool {
    /// A pool that starts up to `most` helpers, none yet.
    fn new(most: usize) -> &'static Pool {
        Box::leak(Box::new(Pool {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                started: 0,
            }),
            posted: Condvar::new(),
            most,
        }))
    }

    /// `claim_all` run by the caller and by up to `helpers` helpers at once; returns
    /// once none of them runs it any more, passing on the first panic.
    fn run(&'static self, claim_all: &(dyn Fn() + Sync), helpers: usize) {
        // SAFETY: the reference outlives its uses. Helpers reach it only through the
        // job, and only after joining it, which they do under the queue's lock while
        // the job is queued. Before returning or unwinding (the caller's own panic is
        // caught below), this function takes the job out of the queue under that lock,
        // so no helper joins later, and waits until every helper that joined has
        // returned from `claim_all` and said so (`joined -= 1`). Only then can
        // `claim_all`'s borrows end. A helper still holds its `Arc<Job>`, and so the
        // reference, for a moment after that, when the caller may have returned and the
        // closure be gone; but nothing reads the reference after that point, and
        // dropping the job (its last holder may be that helper) drops a reference,
        // which does nothing to what it points to.
        let erased: &'static (dyn Fn() + Sync) = unsafe {
            std::mem::transmute::<&(dyn Fn() + Sync), &'static (dyn Fn() + Sync)>(claim_all)
        };
        let job = Arc::new(Job {
            claim_all: erased,
            state: Mutex::new(JobState {
                joined: 0,
                open: helpers,
                panic: None,
            }),
            finished: Condvar::new(),
        });
        let helpers = {
            let mut queue = self.lock_queue();
            let helpers = helpers.min(self.most);
            while queue.started < helpers {
                let started = std::thread::Builder::new()
                    .name(format!("omroep-worker-{}", queue.started))
                    .spawn(move || self.help());
                // Without (more) helpers every job is still done, by its caller too.
                if started.is_err() {
                    break;
                }
                queue.started += 1;
            }
            queue.jobs.push_back(job.clone());
            helpers.min(queue.started)
        };
        for _ in 0..helpers {
            self.posted.notify_one();
        }
        let own = panic::catch_unwind(AssertUnwindSafe(claim_all));
        self.withdraw(&job);
        let mut state = job.lock_state();
        while state.joined > 0 {
            state = job
                .finished
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let helper_panic = state.panic.take();
        drop(state);
        if let Err(payload) = own {
            discard(helper_panic);
            panic::resume_unwind(payload);
        }
        if let Some(payload) = helper_panic {
            panic::resume_unwind(payload);
        }
    }

    /// A helper's life: join the oldest queued job, work on it until its items run out,
    /// then wait for the next.
    fn help(&self) {
        loop {
            let job = {
                let mut queue = self.lock_queue();
                loop {
                    let wanted = queue.jobs.iter().position(|job| {
                        let mut state = job.lock_state();
                        if state.open == 0 {
                            return false;
                        }
                        state.open -= 1;
                        state.joined += 1;
                        true
                    });
                    match wanted {
                        Some(at) => break queue.jobs[at].clone(),
                        None => {
                            queue = self
                                .posted
                                .wait(queue)
                                .unwrap_or_else(PoisonError::into_inner);
                        }
                    }
                }
            };
            let outcome = panic::catch_unwind(AssertUnwindSafe(job.claim_all));
            // Every item is claimed (or one panicked): no other helper need join.
            self.withdraw(&job);
            let losing = {
                let mut state = job.lock_state();
                let losing = match outcome {
                    Err(payload) if state.panic.is_none() => {
                        state.panic = Some(payload);
                        None
                    }
                    Err(payload) => Some(payload),
                    Ok(()) => None,
                };
                state.joined -= 1;
                job.finished.notify_all();
                losing
            };
            // Only once the caller may go on: dropping a payload runs its code.
            discard(losing);
        }
    }

    fn withdraw(&self, job: &Arc<Job>) {
        self.lock_queue()
            .jobs
            .retain(|queued| !Arc::ptr_eq(queued, job));
    }

    fn lock_queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Drops a panic's payload that is not passed on. Its `Drop` may panic too: that panic
/// is caught so that the thread goes on, and its own payload is leaked rather than
/// dropped, so that this ends.
fn discard(payload: Option<Box<dyn Any + Send>>) {
    if let Err(nested) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(nested);
    }
}

impl Job {
    fn lock_state(&self) -> MutexGuard<'_, JobState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_input_order() {
        let items: Vec<u64> = (0..1000).collect();
        // Uneven work, so that threads finish out of order.
        let squares = map(&items, |&n| {
            if n % 7 == 0 {
                std::thread::sleep(std::time::Duration::from_micros(50));
            }
            n * n
        });
        assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
        assert_eq!(map(&[] as &[u64], |&n| n), Vec::<u64>::new());
        assert_eq!(map(&[3u64], |&n| n + 1), vec![4]);
    }

    #[test]
    fn every_item_is_worked_on_once() {
        let items: Vec<usize> = (0..500).collect();
        let calls = AtomicUsize::new(0);
        let out = map(&items, |&n| {
            calls.fetch_add(1, Ordering::Relaxed);
            n
        });
        assert_eq!(out.len(), 500);
        assert_eq!(calls.load(Ordering::Relaxed), 500);
    }

    #[test]
    fn the_same_helpers_serve_every_map() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..50 {
            let items: Vec<u64> = (0..64).collect();
            let ids = map(&items, |_| {
                std::thread::sleep(std::time::Duration::from_micros(20));
                std::thread::current().id()
            });
            seen.extend(ids);
        }
        // The caller and the pool's helpers, not new threads per map.
        assert!(
            seen.len() <= threads(),
            "{} threads for {}",
            seen.len(),
            threads()
        );
    }

    #[test]
    fn maps_inside_maps_and_from_many_threads_at_once_all_finish() {
        let outer: Vec<u64> = (0..40).collect();
        let sums: Vec<Vec<u64>> = std::thread::scope(|scope| {
            let callers: Vec<_> = (0..4)
                .map(|t| {
                    let outer = &outer;
                    scope.spawn(move || {
                        map(outer, |&n| {
                            let inner: Vec<u64> = (0..n + t).collect();
                            map(&inner, |&m| m * 2).iter().sum()
                        })
                    })
                })
                .collect();
            callers.into_iter().map(|c| c.join().unwrap()).collect()
        });
        for (t, sums) in sums.iter().enumerate() {
            let expected: Vec<u64> = outer
                .iter()
                .map(|&n| (0..n + t as u64).map(|m| m * 2).sum())
                .collect();
            assert_eq!(*sums, expected);
        }
    }

    #[test]
    fn a_panic_in_work_reaches_the_caller_with_its_message_and_the_pool_goes_on() {
        let items: Vec<u64> = (0..200).collect();
        for unlucky in [0, 3, 150, 199] {
            let caught = std::panic::catch_unwind(|| {
                map(&items, |&n| {
                    assert_ne!(n, unlucky, "item {n} is unlucky");
                    n
                })
            });
            let payload = caught.expect_err("the panic is passed on");
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .unwrap_or_default();
            assert!(
                message.contains(&format!("item {unlucky} is unlucky")),
                "{message}"
            );
        }
        assert_eq!(map(&items, |&n| n + 1), (1..201).collect::<Vec<_>>());
    }

    /// Runs `claim_all` on `pool` with `helpers` on another thread; `None` when it did
    /// not return within a minute.
    fn run_within_a_minute(
        pool: &'static Pool,
        helpers: usize,
        claim_all: impl Fn() + Sync + Send + 'static,
    ) -> Option<std::thread::Result<()>> {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let outcome =
                std::panic::catch_unwind(AssertUnwindSafe(|| pool.run(&claim_all, helpers)));
            // A payload that panics when dropped is the test's to leak.
            let _ = sender.send(outcome.map_err(|payload| {
                std::mem::forget(payload);
                Box::new(()) as Box<dyn Any + Send>
            }));
        });
        receiver
            .recv_timeout(std::time::Duration::from_secs(60))
            .ok()
    }

    #[test]
    fn payloads_that_panic_when_dropped_neither_hang_the_caller_nor_end_helpers() {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("a payload that panics when dropped");
            }
        }
        let pool = Pool::new(3);
        for _ in 0..3 {
            // The caller and all three helpers in `claim_all` at once, then each panics:
            // one payload is passed on, three are dropped.
            let arrived = Arc::new(AtomicUsize::new(0));
            let all_in = arrived.clone();
            let outcome = run_within_a_minute(pool, 3, move || {
                all_in.fetch_add(1, Ordering::SeqCst);
                let start = std::time::Instant::now();
                while all_in.load(Ordering::SeqCst) < 4
                    && start.elapsed() < std::time::Duration::from_secs(10)
                {
                    std::thread::yield_now();
                }
                std::panic::panic_any(Bomb);
            });
            assert!(
                matches!(outcome, Some(Err(_))),
                "the caller returned with a panic"
            );
            assert_eq!(arrived.load(Ordering::SeqCst), 4, "all helpers joined");
        }
        assert_eq!(pool.lock_queue().started, 3);
    }

    #[test]
    fn a_pool_starts_only_the_helpers_a_job_wants_up_to_its_most() {
        let pool = Pool::new(3);
        assert_eq!(
            run_within_a_minute(pool, 2, || {}).map(|r| r.is_ok()),
            Some(true)
        );
        assert_eq!(pool.lock_queue().started, 2);
        assert_eq!(
            run_within_a_minute(pool, 9, || {}).map(|r| r.is_ok()),
            Some(true)
        );
        assert_eq!(pool.lock_queue().started, 3);
    }

    #[test]
    fn the_callers_own_panic_waits_for_helpers_on_borrowed_items() {
        let caller = std::thread::current().id();
        let items: Vec<String> = (0..64).map(|n| format!("item {n}")).collect();
        let worked = AtomicUsize::new(0);
        let caught = std::panic::catch_unwind(AssertUnwindSafe(|| {
            map(&items, |item| {
                if std::thread::current().id() == caller {
                    // Give the helpers time to claim items of their own first.
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    panic!("the caller's own item");
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
                worked.fetch_add(item.len(), Ordering::Relaxed);
            })
        }));
        let payload = caught.expect_err("the caller's panic is passed on");
        assert_eq!(
            payload.downcast_ref::<&str>().copied(),
            Some("the caller's own item")
        );
        // Every helper is out of `work` by now: what it counted stays put.
        let counted = worked.load(Ordering::Relaxed);
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(worked.load(Ordering::Relaxed), counted);
        drop(items);
    }
}

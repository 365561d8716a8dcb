//! Independent work spread over the machine's cores, with results in input order, so
//! that nothing a build writes depends on thread scheduling.
//!
//! One helper, [`map`]: the calling thread and the process's pool of helper threads
//! take the next unclaimed item from a shared counter (cheap items and costly ones even
//! out), and each result is put back at its item's position. Small inputs run on the
//! calling thread alone.
//!
//! The helpers are started by the first [`map`] that needs them and then wait for the
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

/// The process's helpers, started on first use: one fewer than [`threads`], as the
/// caller of a [`map`] works on its items too.
fn pool() -> &'static Pool {
    static POOL: OnceLock<&'static Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let pool: &'static Pool = Box::leak(Box::new(Pool {
            queue: Mutex::new(VecDeque::new()),
            posted: Condvar::new(),
        }));
        for n in 0..threads().saturating_sub(1) {
            let started = std::thread::Builder::new()
                .name(format!("omroep-worker-{n}"))
                .spawn(|| pool.help());
            // Without helpers every job is still done, by its caller alone.
            if started.is_err() {
                break;
            }
        }
        pool
    })
}

struct Pool {
    /// Jobs that may still have unclaimed items, oldest first.
    queue: Mutex<VecDeque<Arc<Job>>>,
    /// Signalled when a job is queued.
    posted: Condvar,
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
    /// `claim_all` run by the caller and by up to `helpers` helpers at once; returns
    /// once none of them runs it any more, passing on the first panic.
    fn run(&self, claim_all: &(dyn Fn() + Sync), helpers: usize) {
        // SAFETY: the reference outlives its uses. Helpers reach it only through the
        // job, and only after joining it, which they do under the queue's lock while
        // the job is queued. Before returning or unwinding (the caller's own panic is
        // caught below), this function takes the job out of the queue under that lock,
        // so no helper joins later, and waits until every helper that joined has
        // returned from `claim_all`. Only then can `claim_all`'s borrows end.
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
        self.lock_queue().push_back(job.clone());
        self.posted.notify_all();
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
                    let wanted = queue.iter().position(|job| {
                        let mut state = job.lock_state();
                        if state.open == 0 {
                            return false;
                        }
                        state.open -= 1;
                        state.joined += 1;
                        true
                    });
                    match wanted {
                        Some(at) => break queue[at].clone(),
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
            let mut state = job.lock_state();
            if let Err(payload) = outcome {
                state.panic.get_or_insert(payload);
            }
            state.joined -= 1;
            job.finished.notify_all();
        }
    }

    fn withdraw(&self, job: &Arc<Job>) {
        self.lock_queue().retain(|queued| !Arc::ptr_eq(queued, job));
    }

    fn lock_queue(&self) -> MutexGuard<'_, VecDeque<Arc<Job>>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
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
}

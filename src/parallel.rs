//! Independent work spread over the machine's cores, with results in input order, so
//! that nothing a build writes depends on thread scheduling.
//!
//! [`map`] (results in a vector) and [`map_gather`] (results handed over one by one):
//! threads take the next unclaimed item from a shared counter (cheap items and costly
//! ones even out), and each result is put in its item's own slot. The threads are the
//! process's pool, started by the first map and kept for the next ones (see `pool`); a
//! map that finds the pool taken starts scoped threads of its own. Small inputs run on
//! the calling thread: starting threads costs more than a few items. New threads settle
//! on cores of their own first ([`Spread`]): they start on their parent's core.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

mod pool;
mod spread;

pub use pool::release;

pub use spread::Spread;

/// Below this many items, [`map`] does not start threads.
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
/// is passed on to the caller once every thread has stopped.
pub fn map<T, R, F>(items: &[T], work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    map_on(Some(pool::global()), threads(), items, work)
}

/// As [`map`], with each item's result handed to `gather` (with the item) on the
/// calling thread, in the order of `items`, instead of collected: a caller that sorts
/// the results into places of its own moves each one once.
///
/// Each result is put straight into its item's slot by the thread that worked it out,
/// so that what is left to the caller (waiting meanwhile) is to take them out in order,
/// with nothing to sort or merge.
pub fn map_gather<T, R, F, G>(items: &[T], work: F, gather: G)
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
    G: FnMut(&T, R),
{
    map_gather_on(Some(pool::global()), threads(), items, work, gather);
}

/// [`map`] on at most `threads` threads of `pool` (`None`: threads of its own).
fn map_on<T, R, F>(
    pool: Option<&'static pool::Pool>,
    threads: usize,
    items: &[T],
    work: F,
) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let mut results = Vec::with_capacity(items.len());
    map_gather_on(pool, threads, items, work, |_, result| results.push(result));
    results
}

/// [`map_gather`] on at most `threads` threads of `pool`; on threads of its own when
/// there is none, or it is taken.
fn map_gather_on<T, R, F, G>(
    pool: Option<&'static pool::Pool>,
    threads: usize,
    items: &[T],
    work: F,
    mut gather: G,
) where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
    G: FnMut(&T, R),
{
    let threads = threads.min(items.len());
    if threads <= 1 || items.len() < SERIAL_BELOW {
        for item in items {
            gather(item, work(item));
        }
        return;
    }
    let next = AtomicUsize::new(0);
    // A lock per slot rather than a `OnceLock`, which would ask results to be `Sync`
    // too; each is taken once by the thread that fills it, and never waited for.
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let take_items = || {
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let (Some(item), Some(slot)) = (items.get(index), slots.get(index)) else {
                break;
            };
            let result = work(item);
            let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.replace(result).is_some() {
                unreachable!("item {index} claimed twice");
            }
        }
    };
    if !pool.is_some_and(|pool| pool.run(threads, &take_items, &next, items.len())) {
        let spread = Spread::replacing_caller();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    spread.settle();
                    take_items();
                });
            }
        });
    }
    // No thread panicked (the pool and `scope` pass a panic on), so every index below
    // the items' count was claimed and its slot filled.
    for (item, slot) in items.iter().zip(slots) {
        let result = slot
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .expect("every claimed item has its result");
        gather(item, result);
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

    /// A result that counts how many of its kind are dropped.
    struct Counted<'a> {
        item: usize,
        text: String,
        drops: &'a AtomicUsize,
    }

    impl Drop for Counted<'_> {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn every_result_lands_in_its_own_slot_on_any_number_of_threads() {
        // The items in a scrambled order, so that a result put at its item's value, or
        // at the position of the item a thread worked on before, is caught.
        let lengths = [
            0,
            1,
            SERIAL_BELOW - 1,
            SERIAL_BELOW,
            SERIAL_BELOW + 1,
            7,
            64,
            333,
        ];
        // On a pool of the test's own (no other test takes it) and on threads of the
        // map's own.
        static POOL: pool::Pool = pool::Pool::new();
        for (pool, threads) in [None, Some(&POOL)]
            .into_iter()
            .flat_map(|pool| [1, 2, 3, 8].map(|threads| (pool, threads)))
        {
            for length in lengths {
                let items: Vec<usize> = (0..length).map(|n| (n * 7919 + 13) % 1009).collect();
                let drops = AtomicUsize::new(0);
                let out = map_on(pool, threads, &items, |&n| {
                    if n % 5 == 0 {
                        std::thread::sleep(std::time::Duration::from_micros(20));
                    }
                    Counted {
                        item: n,
                        text: format!("item {n}"),
                        drops: &drops,
                    }
                });
                assert_eq!(
                    drops.load(Ordering::Relaxed),
                    0,
                    "no result lost on the way"
                );
                let got: Vec<(usize, &str)> =
                    out.iter().map(|c| (c.item, c.text.as_str())).collect();
                let texts: Vec<String> = items.iter().map(|n| format!("item {n}")).collect();
                let want: Vec<(usize, &str)> = items
                    .iter()
                    .zip(&texts)
                    .map(|(&n, text)| (n, text.as_str()))
                    .collect();
                assert_eq!(got, want, "{threads} threads, {length} items");
                drop(out);
                assert_eq!(drops.load(Ordering::Relaxed), length);
            }
        }
        assert_eq!(POOL.started(), 8, "the maps given the pool ran on it");
    }

    #[test]
    fn gather_has_each_item_with_its_own_result_in_item_order() {
        let items: Vec<usize> = (0..300).map(|n| (n * 7919 + 13) % 1009).collect();
        static POOL: pool::Pool = pool::Pool::new();
        for (pool, threads) in [None, Some(&POOL)]
            .into_iter()
            .flat_map(|pool| [1, 2, 3, 8].map(|threads| (pool, threads)))
        {
            let mut seen: Vec<(*const usize, String)> = Vec::new();
            map_gather_on(
                pool,
                threads,
                &items,
                |&n| {
                    if n % 3 == 0 {
                        std::thread::sleep(std::time::Duration::from_micros(20));
                    }
                    format!("item {n}")
                },
                |item, result| seen.push((std::ptr::from_ref(item), result)),
            );
            let want: Vec<(*const usize, String)> = items
                .iter()
                .map(|n| (std::ptr::from_ref(n), format!("item {n}")))
                .collect();
            assert_eq!(seen, want, "{threads} threads");
        }
        assert_eq!(POOL.started(), 8, "the maps given the pool ran on it");
    }

    #[test]
    fn a_panic_in_work_reaches_the_caller_and_every_finished_result_is_dropped() {
        let items: Vec<usize> = (0..200).collect();
        static POOL: pool::Pool = pool::Pool::new();
        for pool in [None, Some(&POOL)] {
            let made = AtomicUsize::new(0);
            let drops = AtomicUsize::new(0);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                map_on(pool, 4, &items, |&n| {
                    assert_ne!(n, 150, "the item that fails");
                    made.fetch_add(1, Ordering::Relaxed);
                    Counted {
                        item: n,
                        text: String::new(),
                        drops: &drops,
                    }
                })
            }));
            assert!(outcome.is_err());
            // The other threads go on to the end: every other item is worked on.
            assert_eq!(made.load(Ordering::Relaxed), 199);
            assert_eq!(drops.load(Ordering::Relaxed), made.load(Ordering::Relaxed));
        }
        assert_eq!(POOL.started(), 4, "the map given the pool ran on it");
    }
}

//! Independent work spread over the machine's cores, with results in input order, so
//! that nothing a build writes depends on thread scheduling.
//!
//! One helper, [`map`]: scoped threads take the next unclaimed item from a shared
//! counter (cheap items and costly ones even out), and each result is put back at its
//! item's position. Small inputs run on the calling thread: starting threads costs
//! more than a few items. The threads settle on cores of their own first ([`Spread`]):
//! new threads start on their parent's core.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

mod spread;

pub use spread::Spread;

/// Below this many items, [`map`] does not start threads.
const SERIAL_BELOW: usize = 4;

/// How many threads to use: the available cores, or `OMROEP_THREADS` when set (1
/// makes every run serial, for measuring or debugging). Decided once per process:
/// asking for the available cores reads the process's cgroup files every time, and a
/// run calls [`map`] many times.
pub fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
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
    let threads = threads().min(items.len());
    if threads <= 1 || items.len() < SERIAL_BELOW {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    let spread = Spread::replacing_caller();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                spread.settle();
                let mut mine = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    mine.push((index, work(item)));
                }
                done.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .extend(mine);
            });
        }
    });
    let mut done = done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
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
}

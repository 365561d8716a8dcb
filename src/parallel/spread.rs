//! New threads moved onto cores nobody else of the group is using.
//!
//! Linux places a new thread on its parent's core and leaves it there until the periodic
//! load balancing moves it, which on some kernels (measured on the 2-core KVM guests this
//! project is built and benchmarked on) takes one to two milliseconds: a thread started to
//! work beside its parent waits that long for the parent to block, and two workers started
//! for a `map` run one after the other on one core while the other core idles. A thread
//! already running elsewhere is woken where it last ran, so only the start is at fault.
//! A run of `omroep build` that finds nothing changed lasts a few milliseconds, most of it
//! in such threads (the file cache's loading thread beside the listing, the workers that
//! check and decode remembered outcomes).
//!
//! A thread of a [`Spread`] therefore settles first thing ([`Spread::settle`]): it claims
//! the core it finds itself on, or, when another thread of the group holds that core
//! already, moves itself to a free one of the cores it may use (its affinity mask is
//! narrowed to that core for one system call, then given back whole, so the scheduler
//! stays free to move it later). Where the kernel already spread the threads, each finds
//! its own core free and nothing moves. Placement is a matter of speed only: any failure
//! (an unknown core, a refused system call, another system) leaves the thread where it is.
//! `OMROEP_THREAD_PLACEMENT=off` turns it off: a service whose system calls are filtered
//! (systemd's `SystemCallFilter=~@resources`) may be killed, not refused, when a thread
//! sets its affinity.
//!
//! Measured with a 2 ms busy loop in a parent and in one new thread (20 rounds, an idle
//! 2-core guest): both finished after 2.0–4.0 ms (median 4.0: one after the other) as
//! started, and after 2.04–2.05 ms when the new thread moved itself first.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The cores a group's threads hold, one bit per core number (cores from
/// `usize::BITS` on are never claimed, and their threads never move).
#[derive(Debug)]
pub struct Spread {
    claimed: AtomicUsize,
    /// Whether the thread that holds the starting thread's core first lets the others
    /// run (they wait in that core's queue until it does).
    step_aside: bool,
}

impl Spread {
    /// For threads that work while the caller waits for them (a `map`): the caller's core
    /// is free for one of them. The first to hold it steps aside once, so that the others,
    /// queued behind it on that core, get to run and move.
    pub const fn replacing_caller() -> Spread {
        Spread {
            claimed: AtomicUsize::new(0),
            step_aside: true,
        }
    }

    /// Forgets every core claimed: the group's threads have ended, and new ones settle
    /// as the first did.
    pub(super) fn reset(&self) {
        self.claimed.store(0, Ordering::Release);
    }

    /// For a thread that works while the caller goes on: the caller's core is taken. The
    /// caller calls [`Spread::started`] once it has started the thread.
    pub fn beside_caller() -> Spread {
        Spread {
            claimed: AtomicUsize::new(current_core().map_or(0, bit)),
            step_aside: false,
        }
    }

    /// Called by the caller of [`Spread::beside_caller`] right after starting its thread:
    /// the new thread waits in this core's queue, and gets to run (and move) only when
    /// the caller lets it.
    pub fn started(&self) {
        if cfg!(target_os = "linux") && enabled() {
            std::thread::yield_now();
        }
    }

    /// Called first thing on each thread of the group: holds this core, or moves to a
    /// free one when another thread of the group holds it.
    pub fn settle(&self) {
        let Some(core) = current_core() else {
            return;
        };
        let held = self.claimed.fetch_or(bit(core), Ordering::AcqRel);
        if held & bit(core) == 0 {
            if self.step_aside && held == 0 {
                std::thread::yield_now();
            }
            return;
        }
        let Some(allowed) = affinity::allowed() else {
            return;
        };
        loop {
            let held = self.claimed.load(Ordering::Acquire);
            let Some(free) = next_free(allowed, held, core) else {
                return;
            };
            if self.claimed.fetch_or(bit(free), Ordering::AcqRel) & bit(free) == 0 {
                affinity::move_to(free);
                return;
            }
        }
    }
}

/// How many cores a group can tell apart: one bit each in a `usize`.
const CORES: usize = usize::BITS as usize;

fn bit(core: usize) -> usize {
    if core < CORES { 1 << core } else { 0 }
}

/// The first core after `from` (going round) that `allowed` has and `held` has not.
fn next_free(allowed: usize, held: usize, from: usize) -> Option<usize> {
    let free = allowed & !held;
    if free == 0 {
        return None;
    }
    let from = from.min(CORES - 1);
    // The free cores above `from` first, then from the lowest: threads of one group
    // fill the cores in turn rather than all starting at core 0.
    let above = free & !(usize::MAX >> (CORES - 1 - from));
    let pick = if above != 0 { above } else { free };
    Some(pick.trailing_zeros() as usize)
}

/// Whether threads are placed at all (`OMROEP_THREAD_PLACEMENT=off` says no); read once.
fn enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| {
        std::env::var("OMROEP_THREAD_PLACEMENT").map_or(true, |value| value.trim() != "off")
    })
}

/// The core this thread runs on, where the system tells it and placement is on.
fn current_core() -> Option<usize> {
    if !enabled() {
        return None;
    }
    affinity::current_core()
}

#[cfg(target_os = "linux")]
mod affinity {
    /// The core this thread runs on now.
    pub fn current_core() -> Option<usize> {
        // SAFETY: `sched_getcpu` takes no arguments and only reads; it returns -1 on
        // failure.
        let core = unsafe { libc::sched_getcpu() };
        usize::try_from(core).ok()
    }

    /// The cores below `CORES` this thread may run on, as bits; `None` if they cannot be
    /// read.
    pub fn allowed() -> Option<usize> {
        let set = get()?;
        let mut bits = 0;
        for core in 0..super::CORES {
            // SAFETY: `set` is a whole `cpu_set_t` and `core` is below `CORES`, which is
            // below `CPU_SETSIZE` (1024).
            if unsafe { libc::CPU_ISSET(core, &set) } {
                bits |= 1 << core;
            }
        }
        Some(bits)
    }

    /// Whether this thread may run on a core from `CORES` on.
    #[cfg(test)]
    pub fn has_high_cores() -> bool {
        get().is_some_and(|set| {
            // SAFETY: `set` is a whole `cpu_set_t`; every core asked is below
            // `CPU_SETSIZE`.
            (super::CORES..libc::CPU_SETSIZE as usize)
                .any(|core| unsafe { libc::CPU_ISSET(core, &set) })
        })
    }

    /// Lets this thread run on `cores` only (bits below `CORES`); for tests.
    #[cfg(test)]
    pub fn narrow_to(cores: usize) -> bool {
        let mut mask = empty();
        for core in 0..super::CORES {
            if cores & (1 << core) != 0 {
                // SAFETY: `mask` is a whole `cpu_set_t` and `core` is below `CORES`.
                unsafe { libc::CPU_SET(core, &mut mask) };
            }
        }
        set(&mask)
    }

    /// Moves this thread to `core`, then lets it run on every core it could before (its
    /// whole mask as it was, cores from `CORES` on included).
    pub fn move_to(core: usize) {
        let Some(before) = get() else {
            return;
        };
        let mut only = empty();
        // SAFETY: `only` is a whole `cpu_set_t` and `core` is below `CORES`.
        unsafe { libc::CPU_SET(core, &mut only) };
        // Narrowing the mask to one core moves the thread there before the call returns;
        // giving the mask back does not move it again (its core is in the mask). A
        // restore that fails is tried once more: a thread left on one core would stay
        // there, with every thread it starts.
        if set(&only) && !set(&before) {
            let restored = set(&before);
            debug_assert!(
                restored,
                "a moved thread's affinity mask could not be restored"
            );
        }
    }

    fn empty() -> libc::cpu_set_t {
        // SAFETY: `cpu_set_t` is a plain bit array, valid when all zero.
        unsafe { std::mem::zeroed() }
    }

    fn get() -> Option<libc::cpu_set_t> {
        let mut set = empty();
        // SAFETY: pid 0 is this thread; the pointer and size describe `set`, which the
        // call fills.
        let done =
            unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
        (done == 0).then_some(set)
    }

    fn set(mask: &libc::cpu_set_t) -> bool {
        // SAFETY: pid 0 is this thread; the pointer and size describe `mask`, which the
        // call only reads.
        unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), mask) == 0 }
    }
}

#[cfg(not(target_os = "linux"))]
mod affinity {
    pub fn current_core() -> Option<usize> {
        None
    }

    pub fn allowed() -> Option<usize> {
        None
    }

    pub fn move_to(_core: usize) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_core_is_found_above_the_current_one_first_then_from_the_lowest() {
        let four = 0b1111;
        assert_eq!(next_free(four, 0b0001, 0), Some(1));
        assert_eq!(next_free(four, 0b0011, 1), Some(2));
        assert_eq!(next_free(four, 0b1000, 3), Some(0));
        assert_eq!(next_free(four, 0b1010, 3), Some(0));
        assert_eq!(next_free(four, 0b1010, 1), Some(2));
        assert_eq!(next_free(four, four, 2), None);
        // Cores the thread may not use are never picked.
        assert_eq!(next_free(0b0101, 0b0001, 0), Some(2));
        assert_eq!(next_free(0b0101, 0b0101, 0), None);
        // The top core and cores from 64 on.
        let top = CORES - 1;
        assert_eq!(next_free(1 << top, 0, top), Some(top));
        assert_eq!(next_free(1 << top | 1, 1 << top, 5000), Some(0));
        assert_eq!(bit(CORES), 0);
    }

    /// Every thread of a group claims a core of its own while there are cores enough
    /// (where the system can tell cores and move threads), and keeps its whole mask.
    #[test]
    fn threads_of_a_group_claim_cores_of_their_own_and_keep_their_masks() {
        let Some(allowed) = affinity::allowed() else {
            return;
        };
        let cores = allowed.count_ones() as usize;
        // A thread started on a core from `CORES` on claims nothing.
        if cores < 2 || current_core().is_none() || affinity::has_high_cores() {
            return;
        }
        let spread = Spread::replacing_caller();
        let masks: Vec<Option<usize>> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..cores)
                .map(|_| {
                    scope.spawn(|| {
                        spread.settle();
                        affinity::allowed()
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let claimed = spread.claimed.load(Ordering::Acquire);
        assert_eq!(
            claimed.count_ones() as usize,
            cores,
            "each thread claimed a core of its own"
        );
        assert_eq!(claimed & !allowed, 0, "only allowed cores are claimed");
        // Whether it moved or not, each thread may run everywhere it could before.
        assert!(masks.iter().all(|mask| *mask == Some(allowed)), "{masks:?}");
    }

    /// A thread that moved gets its whole mask back.
    #[test]
    fn a_thread_that_moves_may_run_everywhere_afterwards() {
        let Some(allowed) = affinity::allowed() else {
            return;
        };
        if allowed.count_ones() < 2 || !enabled() {
            return;
        }
        let spread = Spread::beside_caller();
        let after = std::thread::scope(|scope| {
            let thread = scope.spawn(|| {
                spread.settle();
                affinity::allowed()
            });
            spread.started();
            thread.join().unwrap()
        });
        assert_eq!(after, Some(allowed));
        assert_eq!(
            spread.claimed.load(Ordering::Acquire).count_ones(),
            2,
            "the caller's core and the thread's"
        );
    }

    /// Under a mask narrowed to two cores (as `taskset` does), a move goes to the other
    /// one and gives back exactly those two.
    #[test]
    fn a_move_keeps_a_narrowed_mask() {
        let Some(allowed) = affinity::allowed() else {
            return;
        };
        if allowed.count_ones() < 2 || !enabled() {
            return;
        }
        let first = allowed.trailing_zeros() as usize;
        let second = (allowed & !(1 << first)).trailing_zeros() as usize;
        let two = 1 << first | 1 << second;
        let after = std::thread::spawn(move || {
            assert!(affinity::narrow_to(two));
            let here = current_core().expect("a core");
            let other = if here == first { second } else { first };
            affinity::move_to(other);
            affinity::allowed()
        })
        .join()
        .unwrap();
        assert_eq!(after, Some(two), "the narrowed mask, not the process's");
    }
}

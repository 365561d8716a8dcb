//! The allocator's policy while a build renders: freed memory is kept for reuse instead of
//! going back to the system.
//!
//! The `omroep` binary allocates with mimalloc and has it return freed pages to the system
//! 100 ms after they are freed (`shorten_purge_delay` in `src/main.rs`), which keeps the
//! reading phase's peak low: the file cache, the collected entries and the feed models
//! are each freed before the next phase grows. Rendering is different: each of the two
//! cores renders, validates and writes one file after another, and every file needs a
//! fresh 1–11 MB output buffer, its layout copy and a validation tree of the same order.
//! Returned after 100 ms, those pages were faulted in again by the next file, and page
//! faults were a fifth of a 10,000-entry build's profile. While the files render the
//! freed pages are therefore kept (the working set of two files at a time, well below the
//! reading phase's peak), and the short delay is restored when rendering ends.
//!
//! The option is changed only when it holds the binary's own setting, so a
//! `MIMALLOC_PURGE_DELAY` the user set, another allocator (the tests use the system's),
//! or another mimalloc whose options are numbered differently are left alone.

// The option calls live in the C library the `mimalloc` crate links in.
use mimalloc as _;

unsafe extern "C" {
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in the bundled mimalloc (v3).
const PURGE_DELAY: std::ffi::c_int = 15;
/// The delay (ms) the binary sets at start (`src/main.rs`).
const BINARY_PURGE_DELAY: std::ffi::c_long = 100;
/// Never purge.
const KEEP: std::ffi::c_long = -1;

/// Keeps freed memory for reuse until dropped (see the module docs).
pub struct KeepFreedPages {
    changed: bool,
}

impl KeepFreedPages {
    pub fn start() -> KeepFreedPages {
        // SAFETY: plain option getter and setter of the linked allocator, safe to call at
        // any time from any thread; the value is checked before it is changed.
        let changed = unsafe {
            match while_rendering(mi_option_get(PURGE_DELAY)) {
                Some(delay) => {
                    mi_option_set(PURGE_DELAY, delay);
                    true
                }
                None => false,
            }
        };
        KeepFreedPages { changed }
    }
}

impl Drop for KeepFreedPages {
    fn drop(&mut self) {
        if self.changed {
            // SAFETY: as in `start`.
            unsafe { mi_option_set(PURGE_DELAY, BINARY_PURGE_DELAY) }
        }
    }
}

/// The purge delay to render with, when the current one is the binary's own.
fn while_rendering(current: std::ffi::c_long) -> Option<std::ffi::c_long> {
    (current == BINARY_PURGE_DELAY).then_some(KEEP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_binary_own_delay_is_changed() {
        assert_eq!(while_rendering(BINARY_PURGE_DELAY), Some(KEEP));
        // mimalloc's default (the tests' allocator is the system's, so this is what
        // they see), a user's `MIMALLOC_PURGE_DELAY`, never purging already.
        for other in [1000, 0, 10, KEEP] {
            assert_eq!(while_rendering(other), None, "{other}");
        }
        // Outside the binary the option keeps mimalloc's default, so a build's render
        // phase leaves it as it found it.
        let before = unsafe { mi_option_get(PURGE_DELAY) };
        drop(KeepFreedPages::start());
        assert_eq!(unsafe { mi_option_get(PURGE_DELAY) }, before);
    }
}

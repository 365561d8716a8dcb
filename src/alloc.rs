//! The global allocator of the `omroep` binary and of the benches: mimalloc, asked
//! through its plain entry points whenever the layout allows.
//!
//! The `mimalloc` crate's allocator passes every request to mimalloc's aligned entry
//! points (`mi_malloc_aligned` and kin), which check the alignment, look for a block
//! that happens to be aligned, and only then allocate as `mi_malloc` does. Nearly
//! every allocation omroep makes (strings, vectors of the model's structs) asks for an
//! alignment that every mimalloc block has anyway: a block's size is a multiple of the
//! word size and its page starts at least 16-byte aligned, so every block is aligned
//! to a word. Those go to `mi_malloc`, `mi_zalloc` and `mi_realloc`; a larger alignment
//! goes to the aligned entry points as before. (std's rule for the system allocator,
//! `align <= 16 && align <= size`, would hold for the bundled mimalloc too, whose size
//! classes from 16 bytes up are multiples of 16; the word is what every version of it
//! promises, and strings and vectors of the model's structs ask for no more.) Every
//! block is freed by `mi_free`, which takes a block from either kind of call.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};

// mimalloc's own option calls (in the C library `libmimalloc-sys` links in). The
// crate's `extended` bindings lack the numbers of the options set here, hence these
// declarations and the numbers below, taken from the bundled version's `mimalloc.h`
// (its `mi_option_e`, where the bindings' `mi_option_max_segment_reclaim` is 21 too).
unsafe extern "C" {
    fn mi_version() -> std::ffi::c_int;
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in the bundled mimalloc (v3), and its default there (ms).
const PURGE_DELAY: std::ffi::c_int = 15;
const PURGE_DELAY_DEFAULT: std::ffi::c_long = 1000;

/// `mi_option_page_reclaim_on_free` in the bundled mimalloc (v3), and its default.
const RECLAIM_ON_FREE: std::ffi::c_int = 35;
const RECLAIM_ON_FREE_DEFAULT: std::ffi::c_long = 0;

/// Sets the allocator's options omroep runs with; the binary calls it first thing, and
/// so do the benches, which measure what users run. An option is only changed when it
/// reads as the bundled version's default, so another mimalloc (whose option numbers
/// may differ) or a `MIMALLOC_…` variable set by the user is left alone (unless the
/// user set exactly that default).
///
/// - Freed memory goes back to the system after 100 ms instead of a second. A build
///   frees each phase's working set (a feed's rendered files and validation tree, the
///   file cache once saved) and then allocates as much again: with a second's delay the
///   freed pages were still counted when the combined files were rendered, about 25 MB
///   of a 10,000-entry build's peak.
/// - A block freed by one thread in a page of a thread that has ended makes the page
///   the freeing thread's own (`page_reclaim_on_free` 1, where the default only gives
///   it back to the thread that made it). Results are made on worker threads that end
///   once a run's content is read (`parallel::release`) and are freed by the caller
///   after: by default every such free took mimalloc's slow path for pages of ended
///   threads, again and again for the same page (−15 % of the instructions of a
///   local-content run with nothing changed).
pub fn configure() {
    // SAFETY: both are plain option getters/setters of the linked allocator, safe to
    // call at any time; each number is checked against its documented default before
    // it is set.
    unsafe {
        // The numbers are v3's (v2 numbers its options otherwise): `mi_version` is
        // major * 10000 + minor * 100 + patch.
        if mi_version() / 10000 != 3 {
            return;
        }
        if mi_option_get(PURGE_DELAY) == PURGE_DELAY_DEFAULT {
            mi_option_set(PURGE_DELAY, 100);
        }
        if mi_option_get(RECLAIM_ON_FREE) == RECLAIM_ON_FREE_DEFAULT {
            mi_option_set(RECLAIM_ON_FREE, 1);
        }
    }
}

/// The largest alignment every block of `mi_malloc` has (see the module's doc).
const PLAIN_ALIGN: usize = std::mem::size_of::<usize>();

/// mimalloc as a [`GlobalAlloc`], through its plain entry points where the alignment
/// allows (`#[global_allocator] static A: omroep::alloc::MiMalloc = omroep::alloc::MiMalloc;`).
pub struct MiMalloc;

// SAFETY: every method returns a block of mimalloc's of at least the layout's size
// and alignment, or null: `mi_malloc`/`mi_zalloc`/`mi_realloc` are only called when the
// alignment is at most the word size, which every mimalloc block has (its size classes
// are whole words, its pages start at least 16-byte aligned); larger alignments go to
// the `_aligned` entry points, which take the alignment (a power of two, as `Layout`
// guarantees). `mi_free` frees a block from any of them, whatever its alignment, and
// `mi_realloc` keeps the contents up to the smaller size as `realloc` must.
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl's comment; both calls accept any size.
        unsafe {
            if layout.align() <= PLAIN_ALIGN {
                mi_malloc(layout.size()) as *mut u8
            } else {
                mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`; both calls return zeroed memory.
        unsafe {
            if layout.align() <= PLAIN_ALIGN {
                mi_zalloc(layout.size()) as *mut u8
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: the caller gives a block this allocator returned, so one of mimalloc's.
        unsafe { mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` is a block of mimalloc's (the caller's contract); the new block
        // keeps the layout's alignment by the same rule as `alloc`.
        unsafe {
            if layout.align() <= PLAIN_ALIGN {
                mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes around mimalloc's size classes (the word-only aligned ones among them)
    /// and past its small and medium objects.
    const SIZES: &[usize] = &[
        1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 40, 48, 56, 64, 72, 100, 128, 200, 256, 1000,
        1024, 4095, 4096, 5000, 70_000, 600_000,
    ];

    fn fill(block: *mut u8, size: usize, seed: usize) {
        for index in 0..size {
            // SAFETY: `block` holds at least `size` bytes (checked non-null by the caller).
            unsafe { *block.add(index) = (index.wrapping_mul(31) ^ seed) as u8 };
        }
    }

    fn holds(block: *const u8, size: usize, seed: usize) -> bool {
        // SAFETY: as in `fill`; the bytes were written by it.
        (0..size).all(|index| unsafe { *block.add(index) } == (index.wrapping_mul(31) ^ seed) as u8)
    }

    fn aligned(block: *const u8, align: usize) -> bool {
        !block.is_null() && (block as usize).is_multiple_of(align)
    }

    #[test]
    fn blocks_are_aligned_and_keep_their_contents_through_reallocation() {
        let allocator = MiMalloc;
        let aligns = (0..=12).map(|shift| 1usize << shift);
        for align in aligns {
            for &size in SIZES {
                let layout = Layout::from_size_align(size, align).unwrap();
                // Several at once, so that blocks further into a page are seen too.
                let mut blocks = Vec::new();
                for seed in 0..8 {
                    // SAFETY: a layout of non-zero size.
                    let block = unsafe { allocator.alloc(layout) };
                    assert!(aligned(block, align), "size {size}, align {align}");
                    fill(block, size, seed);
                    blocks.push((block, seed));
                }
                for &(block, seed) in &blocks {
                    assert!(holds(block, size, seed), "size {size}, align {align}");
                }
                for (index, (block, seed)) in blocks.into_iter().enumerate() {
                    // Grown, then shrunk below the first size.
                    let grown_size = size * 3 + index;
                    // SAFETY: `block` came from `alloc` with `layout`; the new size is
                    // non-zero and fits a `Layout` with this alignment.
                    let grown = unsafe { allocator.realloc(block, layout, grown_size) };
                    assert!(aligned(grown, align), "grown {grown_size}, align {align}");
                    assert!(
                        holds(grown, size, seed),
                        "grown {grown_size}, align {align}"
                    );
                    fill(grown, grown_size, seed + 1);
                    let grown_layout = Layout::from_size_align(grown_size, align).unwrap();
                    let shrunk_size = size.div_ceil(2);
                    // SAFETY: as above, with the layout `grown` has.
                    let shrunk = unsafe { allocator.realloc(grown, grown_layout, shrunk_size) };
                    assert!(
                        aligned(shrunk, align),
                        "shrunk {shrunk_size}, align {align}"
                    );
                    assert!(
                        holds(shrunk, shrunk_size, seed + 1),
                        "shrunk, align {align}"
                    );
                    let shrunk_layout = Layout::from_size_align(shrunk_size, align).unwrap();
                    // SAFETY: the live block of `shrunk_layout`.
                    unsafe { allocator.dealloc(shrunk, shrunk_layout) };
                }
                // SAFETY: a layout of non-zero size.
                let zeroed = unsafe { allocator.alloc_zeroed(layout) };
                assert!(aligned(zeroed, align), "zeroed {size}, align {align}");
                // SAFETY: `size` bytes were just allocated.
                assert!((0..size).all(|index| unsafe { *zeroed.add(index) } == 0));
                // SAFETY: the live block of `layout`.
                unsafe { allocator.dealloc(zeroed, layout) };
            }
        }
    }

    #[test]
    fn the_options_are_set_on_the_bundled_mimalloc() {
        // SAFETY: plain getters of the linked allocator.
        let version = unsafe { mi_version() };
        assert_eq!(
            version / 10000,
            3,
            "the option numbers are v3's ({version})"
        );
        configure();
        // SAFETY: as above.
        let (reclaim, purge) =
            unsafe { (mi_option_get(RECLAIM_ON_FREE), mi_option_get(PURGE_DELAY)) };
        if std::env::var_os("MIMALLOC_PAGE_RECLAIM_ON_FREE").is_none() {
            assert_eq!(reclaim, 1);
        }
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(purge, 100);
        }
    }
}

//! Output buffers a build's rendering threads reuse from one file to the next.
//!
//! A rendered feed is megabytes, written into a buffer sized for it up front (and, for
//! the XML formats, a compact text laid out into a second one). Allocated fresh for every
//! file, each buffer is new memory the kernel has to fault in page by page, because the
//! allocator hands freed pages back to the system soon after (`src/main.rs`); in a full
//! build those faults were a quarter of all page faults. A thread that `keep`s therefore
//! holds on to the buffers of the file it last rendered and hands them out again for the
//! next one. Only a thread that opted in keeps anything, at most [`SPARES`] buffers, and
//! `release` frees them, so what is held is bounded by the largest file a core renders.

use std::cell::{Cell, RefCell};

/// Spares kept per thread: the last file's bytes, given back once staged. (Keeping its
/// compact text too, given back after the layout pass, saved more page faults but held
/// it through the file's validation and raised the build's peak memory.)
const SPARES: usize = 1;

/// Buffers smaller than this are cheap to allocate and not worth keeping.
const WORTH_KEEPING: usize = 256 * 1024;

thread_local! {
    static KEEPING: Cell<bool> = const { Cell::new(false) };
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// From now on this thread keeps buffers given back, until [`release`].
pub fn keep() {
    KEEPING.set(true);
}

/// This thread stops keeping buffers and frees the ones it kept.
pub fn release() {
    KEEPING.set(false);
    let spare = SPARE.take();
    drop(spare);
}

/// An empty buffer with room for at least `capacity` bytes: the smallest kept spare that
/// is large enough, else a new one. A spare too small for it is freed rather than grown,
/// which would copy its whole capacity.
pub fn take(capacity: usize) -> Vec<u8> {
    SPARE.with_borrow_mut(|spare| {
        let fits = (0..spare.len())
            .filter(|&i| spare[i].capacity() >= capacity)
            .min_by_key(|&i| spare[i].capacity());
        match fits {
            Some(i) => spare.swap_remove(i),
            None => {
                // Nothing fits: the largest spare goes, so a thread never holds more than
                // it needs for the file at hand and its next-largest buffer.
                if let Some(largest) = (0..spare.len()).max_by_key(|&i| spare[i].capacity()) {
                    drop(spare.swap_remove(largest));
                }
                Vec::with_capacity(capacity)
            }
        }
    })
}

/// [`take`] as text.
pub fn take_string(capacity: usize) -> String {
    // An empty buffer is valid UTF-8.
    String::from_utf8(take(capacity)).unwrap_or_default()
}

/// Hands a buffer back for the next [`take`] on this thread; freed when the thread does
/// not keep buffers, or the buffer is small, or it would be one spare too many (then the
/// smallest goes).
pub fn give_back(mut buffer: Vec<u8>) {
    if !KEEPING.get() || buffer.capacity() < WORTH_KEEPING {
        return;
    }
    buffer.clear();
    SPARE.with_borrow_mut(|spare| {
        spare.push(buffer);
        if spare.len() > SPARES
            && let Some(smallest) = (0..spare.len()).min_by_key(|&i| spare[i].capacity())
        {
            drop(spare.swap_remove(smallest));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    // Each test runs on its own thread, so the thread-local state starts empty.

    #[test]
    fn a_thread_that_does_not_keep_gets_new_buffers() {
        give_back(take(WORTH_KEEPING));
        assert!(SPARE.with_borrow(Vec::is_empty));
        let again = take(WORTH_KEEPING);
        assert!(again.is_empty() && again.capacity() >= WORTH_KEEPING);
    }

    #[test]
    fn a_kept_buffer_comes_back_empty_for_a_file_it_fits() {
        keep();
        let mut bytes = take(2 * WORTH_KEEPING);
        bytes.extend_from_slice(b"the last file");
        let at = bytes.as_ptr();
        give_back(bytes);
        let text = take_string(WORTH_KEEPING);
        assert_eq!(text.as_ptr(), at);
        assert!(text.is_empty() && text.capacity() >= 2 * WORTH_KEEPING);
        assert!(SPARE.with_borrow(Vec::is_empty));
        release();
    }

    #[test]
    fn the_spares_are_bounded_and_release_frees_them() {
        keep();
        for size in [1, 3, 2] {
            give_back(Vec::with_capacity(size * WORTH_KEEPING));
        }
        let kept: Vec<usize> =
            SPARE.with_borrow(|spare| spare.iter().map(|b| b.capacity() / WORTH_KEEPING).collect());
        assert_eq!(kept.len(), SPARES);
        assert_eq!(
            kept.iter().min(),
            Some(&(4 - SPARES)),
            "the largest are kept"
        );
        // Too large for any spare: the largest is freed, a new buffer handed out.
        let big = take(8 * WORTH_KEEPING);
        assert!(big.capacity() >= 8 * WORTH_KEEPING);
        assert_eq!(SPARE.with_borrow(Vec::len), SPARES - 1);
        give_back(Vec::with_capacity(16));
        assert_eq!(
            SPARE.with_borrow(Vec::len),
            SPARES - 1,
            "small buffers are not kept"
        );
        release();
        assert!(SPARE.with_borrow(Vec::is_empty));
        give_back(big);
        assert!(SPARE.with_borrow(Vec::is_empty), "kept only while keeping");
    }
}

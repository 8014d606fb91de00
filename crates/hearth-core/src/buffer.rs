//! A per-thread buffer to serialize into before the bytes get their own allocation (JSON
//! responses use it, and so can a battery's store).
//!
//! Serializing straight into a fresh `Vec` costs a buffer sized by guesswork (grown by
//! doubling, or shrunk afterwards), and `Bytes::from(Vec)` allocates a shared header whenever
//! the capacity exceeds the length. Writing into this buffer and copying the result into an
//! allocation of its exact size costs one allocation per value instead.

use std::cell::RefCell;

/// A thread keeps a buffer up to this size between uses; a larger one is dropped (or handed
/// over, see [`with_buffer`]).
pub const KEEP: usize = 16 * 1024;

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `write` with this thread's buffer, empty. `write` copies out what it needs; it may
/// also take the buffer (`std::mem::take`) when what it wrote is larger than [`KEEP`].
/// Re-entrant calls (a value whose serialization serializes another) get a buffer of their own.
pub fn with_buffer<R>(write: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            let r = write(&mut buf);
            if buf.capacity() > KEEP {
                *buf = Vec::new();
            }
            r
        }
        Err(_) => write(&mut Vec::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_use_starts_empty_and_big_buffers_are_not_kept() {
        with_buffer(|b| b.extend_from_slice(b"abc"));
        assert_eq!(with_buffer(|b| b.len()), 0);
        with_buffer(|b| b.resize(KEEP * 2, 0));
        assert!(with_buffer(|b| b.capacity()) <= KEEP);
    }

    #[test]
    fn a_nested_use_gets_its_own_buffer() {
        let (outer, inner) = with_buffer(|outer| {
            outer.extend_from_slice(b"outer");
            let inner = with_buffer(|inner| {
                inner.extend_from_slice(b"inner");
                inner.clone()
            });
            (outer.clone(), inner)
        });
        assert_eq!((&outer[..], &inner[..]), (&b"outer"[..], &b"inner"[..]));
    }
}

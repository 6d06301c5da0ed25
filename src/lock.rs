//! One way to lock a mutex for the crate and its fake: a thread that panicked while holding it
//! does not poison it for everyone else, because what the crate's mutexes guard (the last
//! attempt of a call, the fake's state) is only ever changed by single assignments, never left
//! half-changed.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// `mutex`'s contents, even if a thread panicked while holding it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

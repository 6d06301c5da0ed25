//! Randomness for the retry jitter and the fake's tokens, from the standard library's
//! randomly keyed hasher (no dependency needed; not for secrets that matter).

use std::{
    collections::hash_map::RandomState,
    hash::{BuildHasher, Hasher},
    time::SystemTime,
};

/// A random `u64`: each call hashes the time with a freshly keyed hasher.
pub(crate) fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

/// A random number in `[0, 1)`.
pub(crate) fn random_unit() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

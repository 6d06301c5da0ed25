//! The client's throttle: when Prolific throttles one request (429), every request of the
//! client (its clones, the chunks of a bulk change, concurrent tasks) holds back until that
//! request's next try, then they resume spread out rather than in one burst.
//!
//! It is one instant to wait for, shared by the client's hooks and read without a lock before
//! every attempt; a throttled answer moves it later. Work that wants to hear of the waits
//! (the progress of a bulk change) runs inside [`reporting_waits`].

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use crate::random::random_unit;

/// Told how long the request is about to wait because Prolific throttled the client.
pub(crate) type WaitFn = Arc<dyn Fn(Duration) + Send + Sync>;

tokio::task_local! {
    static ON_WAIT: WaitFn;
}

/// Runs `work`, telling `on_wait` of every wait of its requests on a throttle.
pub(crate) async fn reporting_waits<F: Future>(on_wait: Option<WaitFn>, work: F) -> F::Output {
    match on_wait {
        Some(on_wait) => ON_WAIT.scope(on_wait, work).await,
        None => work.await,
    }
}

/// Tells the work running this request, if it asked, that it waits `wait`.
pub(crate) fn report_wait(wait: Duration) {
    let _ = ON_WAIT.try_with(|on_wait| on_wait(wait));
}

/// When the client's requests may be sent again.
#[derive(Debug)]
pub(crate) struct Throttle {
    /// What the instants below count from: when the client was built.
    epoch: Instant,
    /// No request is sent before this many milliseconds after `epoch`.
    not_before_ms: AtomicU64,
}

impl Throttle {
    pub(crate) fn new() -> Self {
        Throttle {
            epoch: Instant::now(),
            not_before_ms: AtomicU64::new(0),
        }
    }

    /// Holds every request back for `wait` from now (or longer, if already held longer):
    /// after a throttled answer, until its next try.
    pub(crate) fn hold(&self, wait: Duration) {
        let until = (self.epoch.elapsed() + wait).as_millis() as u64;
        self.not_before_ms.fetch_max(until, Ordering::Relaxed);
    }

    /// How long to wait before sending, when requests are held back: until the end of the
    /// hold, plus a random part of `spread` so that waiters resume spread out. `None`, the
    /// usual case, when they are not.
    pub(crate) fn wait(&self, spread: Duration) -> Option<Duration> {
        let not_before = self.not_before_ms.load(Ordering::Relaxed);
        let now = self.epoch.elapsed().as_millis() as u64;
        (not_before > now)
            .then(|| Duration::from_millis(not_before - now) + spread.mul_f64(random_unit()))
    }
}

//! Retries: which failures are retried, for which operations, and how long to wait.
//!
//! * Retried failures: connection errors, timeouts, and the statuses 408, 429, 500, 502, 503
//!   and 504.
//! * Every operation but create is safe to retry: reads change nothing, an update or delete
//!   sent twice ends in the same state, and Prolific documents add and remove as ignoring ids
//!   already in (or not in) the group.
//! * Create is retried only when the server cannot have acted on it: the connection could not
//!   be made (nothing was sent), or the server answered 429. Never after a timeout or a 5xx,
//!   which may come after the group was made, so a retry never creates a second group.
//! * The wait is exponential back-off with full jitter: a random time between zero and
//!   `min(max_backoff, base_backoff * 2^attempt)`. A `Retry-After` from the server (seconds
//!   or an HTTP date) replaces it, capped at `max_retry_after`.

use std::{
    hash::{BuildHasher, Hasher},
    sync::atomic::{AtomicU32, Ordering},
    time::{Duration, Instant, SystemTime},
};

use futures_util::future::Either;
use reqwest::{StatusCode, header::HeaderMap};
use tracing::{Instrument, Span, instrument::Instrumented};

use crate::error::is_retryable_status;

/// How the client retries failed requests. The defaults: 2 retries, 0.5 s base back-off,
/// 8 s cap, `Retry-After` honoured up to 60 s.
///
/// ```
/// use std::time::Duration;
/// let policy = prolific::RetryPolicy::default()
///     .max_retries(4)
///     .base_backoff(Duration::from_millis(200));
/// assert_eq!(policy.get_max_retries(), 4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    base_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy::default().max_retries(0)
    }

    /// How many times a failed request is sent again (`0` turns retries off).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The back-off before the first retry; each further retry doubles it.
    pub fn base_backoff(mut self, base: Duration) -> Self {
        self.base_backoff = base;
        self
    }

    /// The longest back-off between two attempts.
    pub fn max_backoff(mut self, cap: Duration) -> Self {
        self.max_backoff = cap;
        self
    }

    /// The longest wait a server's `Retry-After` can impose.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// The configured number of retries.
    pub fn get_max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Whether, and after how long, attempt number `attempt` (0 for the first) of `operation`
    /// that came to `what` should be tried again.
    pub(crate) fn next_delay(
        &self,
        operation: &str,
        attempt: u32,
        what: Attempt<'_>,
    ) -> Option<Duration> {
        if attempt >= self.max_retries {
            return None;
        }
        let creates = operation == CREATE;
        match what {
            Attempt::Failed(e) if e.is_connect() => Some(self.backoff(attempt)),
            // `is_decode`: reqwest reports a body cut off mid-way as a decode error.
            Attempt::Failed(e)
                if !creates
                    && (e.is_timeout() || e.is_request() || e.is_body() || e.is_decode()) =>
            {
                Some(self.backoff(attempt))
            }
            Attempt::Failed(_) | Attempt::Final => None,
            Attempt::Answered {
                status,
                retry_after,
            } => {
                let retry = if creates {
                    status == StatusCode::TOO_MANY_REQUESTS
                } else {
                    is_retryable_status(status)
                };
                retry.then(|| {
                    retry_after
                        .map(|wait| wait.min(self.max_retry_after))
                        .unwrap_or_else(|| self.backoff(attempt))
                })
            }
        }
    }

    /// Full jitter: uniform in `[0, min(max_backoff, base_backoff * 2^attempt)]`.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .base_backoff
            .saturating_mul(1u32 << attempt.min(20))
            .min(self.max_backoff);
        ceiling.mul_f64(random_unit())
    }
}

/// What one attempt came to, as far as retrying is concerned.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Attempt<'a> {
    /// The server answered with this status (and this `Retry-After`).
    Answered {
        status: StatusCode,
        retry_after: Option<Duration>,
    },
    /// No whole answer: the connection, the request or the reading of the body failed.
    Failed(&'a reqwest::Error),
    /// An error no retry can fix (the request could not be built, say).
    Final,
}

impl<'a> Attempt<'a> {
    /// What a request sent with reqwest came to.
    pub(crate) fn of(result: &'a reqwest::Result<reqwest::Response>) -> Self {
        match result {
            Ok(response) => Attempt::Answered {
                status: response.status(),
                retry_after: retry_after_unless_success(response),
            },
            Err(e) => Attempt::Failed(e),
        }
    }
}

/// The `Retry-After` of an answer that is not a success (a success is never retried).
pub(crate) fn retry_after_unless_success(response: &reqwest::Response) -> Option<Duration> {
    if response.status().is_success() {
        None
    } else {
        retry_after(response.headers())
    }
}

/// One call's way through its attempts: the policy, the count, a `tracing` span per attempt,
/// and the wait between two. The loops that make the attempts are `error::call` (which
/// re-sends the generated call) and the hooks' `exec` (for the generated client used on its
/// own, which re-sends copies of the request).
pub(crate) struct Retrier<'a> {
    policy: &'a RetryPolicy,
    /// The client's count of retries, for `Client::retries`.
    retries: &'a AtomicU32,
    operation: &'static str,
    /// The attempt under way, 0 for the first.
    attempt: u32,
    /// When the attempt under way started, if its span is enabled (for `duration_ms`).
    started: Option<Instant>,
}

impl<'a> Retrier<'a> {
    pub(crate) fn new(
        policy: &'a RetryPolicy,
        retries: &'a AtomicU32,
        operation: &'static str,
    ) -> Self {
        Retrier {
            policy,
            retries,
            operation,
            attempt: 0,
            started: None,
        }
    }

    /// How many attempts have been made, counting the one under way.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempt + 1
    }

    /// Whether the policy allows another attempt after this one.
    pub(crate) fn may_retry(&self) -> bool {
        self.attempt < self.policy.max_retries
    }

    /// The span of the attempt under way: `prolific.request`, with the operation and the
    /// attempt; `exec` adds the method and path, [`Retrier::next_delay`] the status and the
    /// duration (from here, when the attempt starts).
    pub(crate) fn span(&mut self) -> Span {
        if !traced() {
            self.started = None;
            return Span::none();
        }
        let span = tracing::debug_span!(
            "prolific.request",
            operation = self.operation,
            method = tracing::field::Empty,
            path = tracing::field::Empty,
            attempt = self.attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        self.started = (!span.is_disabled()).then(Instant::now);
        span
    }

    /// Runs one attempt in `span`. A disabled span (nobody listens) costs nothing: the
    /// attempt runs bare.
    ///
    /// A combinator rather than an `async fn`: the attempt (a generated call's future, over
    /// 1.5 kB) is held once, not once as an argument and again as the future awaited.
    pub(crate) fn run<F: Future>(&self, span: &Span, attempt: F) -> Either<F, Instrumented<F>> {
        if span.is_disabled() {
            Either::Left(attempt)
        } else {
            Either::Right(attempt.instrument(span.clone()))
        }
    }

    /// After an attempt that came to `what`: how long to wait before the next, or `None` to
    /// stop here. Notes the status (or the failure) and the duration in the attempt's span.
    pub(crate) fn next_delay(&self, span: &Span, what: Attempt<'_>) -> Option<Duration> {
        if !span.is_disabled() {
            if let Some(started) = self.started {
                span.record("duration_ms", started.elapsed().as_millis() as u64);
            }
            match what {
                Attempt::Answered { status, .. } => {
                    span.record("status", status.as_u16());
                }
                Attempt::Failed(e) => {
                    tracing::debug!(parent: span, error = %e, "request failed");
                }
                Attempt::Final => {}
            }
        }
        self.policy.next_delay(self.operation, self.attempt, what)
    }

    /// Waits `delay` and moves on to the next attempt.
    pub(crate) async fn wait(&mut self, span: &Span, delay: Duration) {
        tracing::debug!(parent: span, delay_ms = delay.as_millis() as u64, "retrying");
        self.retries.fetch_add(1, Ordering::Relaxed);
        // Boxed: a timer is large, and only a retry needs one.
        Box::pin(tokio::time::sleep(delay)).await;
        self.attempt += 1;
    }
}

/// Whether anything may record a request's span (a debug span): a `tracing` subscriber that
/// takes debug spans, or, through `tracing`'s `log` fallback when no subscriber is set, a
/// `log` logger at debug level.
///
/// Two atomic loads. When neither listens, `debug_span!` would make a disabled span anyway,
/// but with `tracing`'s `log` feature on (any crate in the build can turn it on) its creation
/// and drop each pass through the fallback's checks: about 250 instructions per request.
pub(crate) fn traced() -> bool {
    use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
    (STATIC_MAX_LEVEL >= LevelFilter::DEBUG && LevelFilter::current() >= LevelFilter::DEBUG)
        || log::max_level() >= log::LevelFilter::Debug
}

/// The `operationId` of the one operation that is not idempotent.
const CREATE: &str = "create_participant_group";

/// The server's `Retry-After`, as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A random number in `[0, 1)`, from the standard library's randomly keyed hasher.
fn random_unit() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    #[test]
    fn backoff_stays_under_the_exponential_ceiling_and_the_cap() {
        let policy = RetryPolicy::default().max_retries(10);
        for attempt in 0..10 {
            let ceiling = Duration::from_millis(500 * (1 << attempt)).min(Duration::from_secs(8));
            for _ in 0..50 {
                assert!(policy.backoff(attempt) <= ceiling);
            }
        }
        // Jitter really varies.
        let samples: std::collections::HashSet<_> = (0..20).map(|_| policy.backoff(3)).collect();
        assert!(samples.len() > 10);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(30);
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(27) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }
}

//! [`RetryPolicy`]: which failures are retried, for which operations, and how long to wait.
//!
//! * Retried failures: connection errors, timeouts, a body cut off mid-way, and the statuses
//!   408, 429, 500, 502, 503 and 504.
//! * Idempotent operations ([`Operation::is_idempotent`]: all but create and the message to a
//!   group) are retried on every one of them.
//! * Create and the message are retried only when the server cannot have acted on them: the
//!   connection could not be made (nothing was sent), or the server answered 429. Never after
//!   a timeout or a 5xx, which may come after the group was made or the message sent, so a
//!   retry never creates a second group nor messages people twice.
//! * The wait is exponential back-off with full jitter: a random time between zero and
//!   `min(max_backoff, base_backoff * 2^attempt)`. A `Retry-After` from the server (seconds
//!   or an HTTP date) replaces it, capped at `max_retry_after`.
//! * A 429 (Prolific throttling under contention; the request was not carried out) has a
//!   patience of its own instead of `max_retries`: it is retried, for any operation, with
//!   growing jittered waits (between half and all of `min(max_backoff, base_backoff *
//!   2^(n+1))` after the n-th), until the request has spent `max_throttle_wait` waiting on
//!   429s. A `Retry-After` that reaches past what is left of that ends the call at once.
//!
//! The attempts themselves are made by the hooks (`src/hooks.rs`), for every call of the
//! generated client, through the wrapper or not; while one request waits out a 429, the
//! client's other requests wait with it (`src/throttle.rs`).

use std::time::{Duration, SystemTime};

use reqwest::{StatusCode, header::HeaderMap};

use crate::{operation::Operation, random::random_unit};

/// How the client retries failed requests. The defaults: 2 retries, 0.5 s base back-off,
/// 8 s cap, `Retry-After` honoured up to 60 s, and up to 60 s of waiting out 429s per request.
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
    /// Also how far the client's requests spread out when they resume after a throttle.
    pub(crate) base_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    pub(crate) max_throttle_wait: Duration,
}

/// What to do after an attempt, as [`RetryPolicy::next`] decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Return what the attempt came to.
    Stop,
    /// Send it again after this wait (a failure counted against `max_retries`).
    Retry(Duration),
    /// Prolific throttled it: send it again after this wait, counted against
    /// `max_throttle_wait`.
    Throttled(Duration),
}

/// What one request has been through so far.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tally {
    /// Retries after failures other than 429.
    pub(crate) failures: u32,
    /// 429 answers.
    pub(crate) throttles: u32,
    /// Time spent waiting because Prolific throttled the client.
    pub(crate) throttled_for: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            max_throttle_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every request once, a 429 included.
    pub fn none() -> Self {
        RetryPolicy::default()
            .max_retries(0)
            .max_throttle_wait(Duration::ZERO)
    }

    /// How many times a request that failed other than by a 429 is sent again (`0` turns
    /// those retries off).
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

    /// How long one request may spend waiting out 429s (Prolific throttling it) before it
    /// fails with that 429 ([`Error::is_rate_limited`](crate::Error::is_rate_limited));
    /// `Duration::ZERO`: a 429 is not retried. Default 60 s.
    pub fn max_throttle_wait(mut self, patience: Duration) -> Self {
        self.max_throttle_wait = patience;
        self
    }

    /// The configured number of retries.
    pub fn get_max_retries(&self) -> u32 {
        self.max_retries
    }

    /// After an attempt of `operation` came to `outcome`, with `tally` what the request has
    /// been through before it: whether to try again, and after how long. `operation` is `None`
    /// for a call the crate does not know, which is treated as not idempotent.
    pub(crate) fn next(
        &self,
        operation: Option<Operation>,
        tally: Tally,
        outcome: &reqwest::Result<reqwest::Response>,
    ) -> Next {
        let idempotent = operation.is_some_and(Operation::is_idempotent);
        let asked = match outcome {
            // Not carried out, so retried for any operation, on the patience for 429s.
            Ok(response) if response.status() == StatusCode::TOO_MANY_REQUESTS => {
                let left = self.max_throttle_wait.saturating_sub(tally.throttled_for);
                let wait = match retry_after(response.headers()) {
                    Some(asked) => asked.min(self.max_retry_after),
                    None => self.throttle_backoff(tally.throttles).min(left),
                };
                // A floor, so that a `Retry-After: 0` or a zero back-off can neither make a
                // throttled request resend at full speed nor leave its patience unspent.
                let wait = wait.max(MIN_THROTTLE_WAIT);
                return if left.is_zero() || wait > left {
                    Next::Stop
                } else {
                    Next::Throttled(wait)
                };
            }
            _ if tally.failures >= self.max_retries => return Next::Stop,
            Ok(response) if idempotent && is_retryable_status(response.status()) => {
                retry_after(response.headers()).map(|wait| wait.min(self.max_retry_after))
            }
            // Nothing was sent.
            Err(e) if e.is_connect() => None,
            // `is_decode`: reqwest reports a body cut off mid-way as a decode error.
            Err(e)
                if idempotent
                    && (e.is_timeout() || e.is_request() || e.is_body() || e.is_decode()) =>
            {
                None
            }
            _ => return Next::Stop,
        };
        Next::Retry(asked.unwrap_or_else(|| self.backoff(tally.failures)))
    }

    /// The wait after the `throttles`-th 429 (0 for the first): uniform between half and all
    /// of `min(max_backoff, base_backoff * 2^(throttles + 1))`, so a throttled client sends
    /// about two requests a second at most, and fewer as the throttle lasts.
    fn throttle_backoff(&self, throttles: u32) -> Duration {
        let ceiling = self.backoff_ceiling(throttles + 1);
        ceiling / 2 + (ceiling / 2).mul_f64(random_unit())
    }

    fn backoff_ceiling(&self, attempt: u32) -> Duration {
        self.base_backoff
            .saturating_mul(1u32 << attempt.min(20))
            .min(self.max_backoff)
    }

    /// Full jitter: uniform in `[0, min(max_backoff, base_backoff * 2^attempt)]`.
    fn backoff(&self, attempt: u32) -> Duration {
        self.backoff_ceiling(attempt).mul_f64(random_unit())
    }
}

/// The shortest wait after a 429, whatever the `Retry-After` or the back-off says.
const MIN_THROTTLE_WAIT: Duration = Duration::from_millis(100);

/// The statuses worth retrying: 408, 429, 500, 502, 503, 504.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

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

    fn answered(status: u16, retry_after: Option<&str>) -> reqwest::Result<reqwest::Response> {
        let mut response = http::Response::builder().status(status);
        if let Some(value) = retry_after {
            response = response.header(RETRY_AFTER, value);
        }
        Ok(response.body("").unwrap().into())
    }

    /// What the default policy does next for a get after `tally` and an answer of `status`.
    fn next(tally: Tally, status: u16, retry_after: Option<&str>) -> Next {
        let get = Some(Operation::GetGroup);
        RetryPolicy::default().next(get, tally, &answered(status, retry_after))
    }

    #[test]
    fn create_is_retried_only_when_it_cannot_have_been_applied() {
        let policy = RetryPolicy::default();
        let (create, first) = (Some(Operation::CreateGroup), Tally::default());
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(next(first, status, None) != Next::Stop);
            let retried = policy.next(create, first, &answered(status, None)) != Next::Stop;
            assert_eq!(retried, status == 429, "{status}");
        }
        for status in [200, 400, 401, 404, 422, 501] {
            assert_eq!(next(first, status, None), Next::Stop);
        }
        // An operation the crate does not know is treated as not idempotent.
        assert_eq!(policy.next(None, first, &answered(503, None)), Next::Stop);
        // No more than the policy's retries; `Retry-After` replaces the back-off, capped.
        let twice = Tally {
            failures: 2,
            ..first
        };
        assert_eq!(next(twice, 503, None), Next::Stop);
        assert_eq!(
            next(first, 503, Some("7")),
            Next::Retry(Duration::from_secs(7))
        );
        // A Retry-After is capped; a zero one still waits a little, spending the patience.
        let (asked_long, asked_none) =
            (next(first, 429, Some("3600")), next(first, 429, Some("0")));
        let capped = Next::Throttled(Duration::from_secs(60));
        assert_eq!(
            (asked_long, asked_none),
            (capped, Next::Throttled(MIN_THROTTLE_WAIT))
        );
    }

    #[test]
    fn a_429_is_waited_out_with_growing_waits_until_the_patience_is_spent() {
        let waits = |throttles| match next(
            Tally {
                throttles,
                ..Tally::default()
            },
            429,
            None,
        ) {
            Next::Throttled(wait) => wait,
            other => panic!("{other:?}"),
        };
        let (first, late) = (waits(0), waits(9));
        assert!(first >= Duration::from_millis(500) && first <= Duration::from_secs(1));
        assert!(late >= Duration::from_secs(4) && late <= Duration::from_secs(8));
        // max_retries does not count 429s; the last wait is cut to the patience left.
        let tally = Tally {
            failures: 2,
            throttles: 6,
            throttled_for: Duration::from_secs(55),
        };
        assert!(
            matches!(next(tally, 429, None), Next::Throttled(w) if w <= Duration::from_secs(5))
        );
        let spent = Tally {
            throttled_for: Duration::from_secs(60),
            ..tally
        };
        assert_eq!(next(spent, 429, None), Next::Stop);
        // A Retry-After past the patience left ends the call at once (tests/it/throttle.rs has
        // the rest: the whole client, the words of the error, `none()`).
        assert_eq!(next(tally, 429, Some("6")), Next::Stop);
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

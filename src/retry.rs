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
//!
//! The attempts themselves are made by the hooks (`src/hooks.rs`), for every call of the
//! generated client, through the wrapper or not.

use std::time::{Duration, SystemTime};

use reqwest::{StatusCode, header::HeaderMap};

use crate::{operation::Operation, random::random_unit};

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

    /// After attempt `attempt` (0 for the first) of `operation` came to `outcome`: how long to
    /// wait before trying again, or `None` to stop. `operation` is `None` for a call the crate
    /// does not know, which is treated as not idempotent.
    pub(crate) fn delay_after(
        &self,
        operation: Option<Operation>,
        attempt: u32,
        outcome: &reqwest::Result<reqwest::Response>,
    ) -> Option<Duration> {
        if attempt >= self.max_retries {
            return None;
        }
        let idempotent = operation.is_some_and(Operation::is_idempotent);
        let asked = match outcome {
            Ok(response) => {
                let status = response.status();
                let retry = if idempotent {
                    is_retryable_status(status)
                } else {
                    status == StatusCode::TOO_MANY_REQUESTS
                };
                if !retry {
                    return None;
                }
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
            Err(_) => return None,
        };
        Some(asked.unwrap_or_else(|| self.backoff(attempt)))
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

    #[test]
    fn create_is_retried_only_when_it_cannot_have_been_applied() {
        let policy = RetryPolicy::default();
        let create = Some(Operation::CreateGroup);
        let get = Some(Operation::GetGroup);
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(
                policy
                    .delay_after(get, 0, &answered(status, None))
                    .is_some()
            );
            let retried = policy
                .delay_after(create, 0, &answered(status, None))
                .is_some();
            assert_eq!(retried, status == 429, "{status}");
        }
        for status in [200, 400, 401, 404, 422, 501] {
            assert!(
                policy
                    .delay_after(get, 0, &answered(status, None))
                    .is_none()
            );
        }
        // An operation the crate does not know is treated as not idempotent.
        assert!(policy.delay_after(None, 0, &answered(503, None)).is_none());
        // No more than the policy's retries.
        assert!(policy.delay_after(get, 2, &answered(503, None)).is_none());
        // `Retry-After` replaces the back-off, capped.
        let wait = policy.delay_after(get, 0, &answered(429, Some("7")));
        assert_eq!(wait, Some(Duration::from_secs(7)));
        let wait = policy.delay_after(get, 0, &answered(429, Some("3600")));
        assert_eq!(wait, Some(Duration::from_secs(60)));
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

//! Scripted faults: what the fake answers instead of the truth, for the next requests.
//!
//! [`Fault`] is here; [`text`] reads faults from text ([`FaultSpec`]), [`answers`] writes the
//! HTTP answers they stand for, and [`queue`] holds the faults waiting for requests.

mod answers;
mod queue;
mod text;

use std::time::{Duration, SystemTime};

use http::{HeaderValue, StatusCode};

use super::answers::Response;

pub(crate) use queue::FaultQueue;
pub use text::{FaultSpec, ParseFaultError};

/// The `Retry-After` of a [`Fault::rate_limited`] answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP date>`, such as `Wed, 21 Oct 2015 07:28:00 GMT`.
    At(SystemTime),
}

impl RetryAfter {
    fn header_value(self) -> HeaderValue {
        match self {
            RetryAfter::Seconds(seconds) => HeaderValue::from(seconds),
            RetryAfter::At(when) => HeaderValue::from_str(&httpdate::fmt_http_date(when))
                .unwrap_or_else(|_| HeaderValue::from_static("0")),
        }
    }
}

/// What the fake answers instead of the truth.
///
/// Every fault but [`Fault::delay`] replaces the answer and leaves the state alone: a create
/// that meets a fault creates nothing. A delay waits, then answers (and acts) normally, even
/// when the client has given up by then.
///
/// A fault can also be read from text (`status=503`, `rate-limited=2`, `throttled=8s`,
/// `delay=200`, `drop`, `truncated`, `html=502`): see [`FaultSpec`].
///
/// ```
/// use std::time::Duration;
/// use prolific::fake::Fault;
///
/// let faults = [
///     Fault::status(503)?,
///     Fault::rate_limited_after_secs(2),
///     Fault::throttled(Duration::from_secs(8)),
///     Fault::delay(Duration::from_millis(200)),
///     Fault::drop_connection(),
///     Fault::truncated_body(),
///     Fault::non_json(502)?,
/// ];
/// assert!(Fault::status(101).is_err());
/// # let _ = faults;
/// # Ok::<(), prolific::fake::ParseFaultError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault(Kind);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Status(StatusCode),
    RateLimited(Option<RetryAfter>),
    Throttled(Duration),
    Delay(Duration),
    DropConnection,
    TruncatedBody,
    NonJson(StatusCode),
}

impl Fault {
    /// Answers `status` with Prolific's JSON error envelope (`error_code` is
    /// `149000 + status`, such as `149503`).
    ///
    /// Fails, as `"status=101".parse::<Fault>()` does, when `status` is not between 200 and
    /// 599: the fake could not answer it with a body.
    pub fn status(status: u16) -> Result<Self, ParseFaultError> {
        Ok(Fault(Kind::Status(answerable(status)?)))
    }

    /// Answers 429 with Prolific's error envelope (`error_code` 140429) and, when given, a
    /// `Retry-After` header.
    pub fn rate_limited(retry_after: Option<RetryAfter>) -> Self {
        Fault(Kind::RateLimited(retry_after))
    }

    /// Answers 429 with `Retry-After: <seconds>`.
    pub fn rate_limited_after_secs(seconds: u64) -> Self {
        Fault::rate_limited(Some(RetryAfter::Seconds(seconds)))
    }

    /// Answers 429 with `Retry-After: <HTTP date>`.
    pub fn rate_limited_until(when: SystemTime) -> Self {
        Fault::rate_limited(Some(RetryAfter::At(when)))
    }

    /// Throttles as Prolific does under contention: answers 429 with Prolific's error
    /// envelope (`error_code` 140429) and no `Retry-After` to every request it applies to, for
    /// `duration` from the first request that meets it. A throttle lasts for a time, not a
    /// number of requests: the count it is injected with is not used.
    pub fn throttled(duration: Duration) -> Self {
        Fault(Kind::Throttled(duration))
    }

    /// Waits this long, then acts and answers normally: set it longer than a client's timeout
    /// to make it time out.
    ///
    /// The request is carried out even when the client has timed out or closed the
    /// connection during the wait, as a real server that is slow would: a create that times
    /// out still creates its group, which a later list finds.
    pub fn delay(delay: Duration) -> Self {
        Fault(Kind::Delay(delay))
    }

    /// Closes the connection without answering anything, like a server that crashed.
    pub fn drop_connection() -> Self {
        Fault(Kind::DropConnection)
    }

    /// Answers 200 with a `Content-Length` that promises more JSON than is sent, then closes
    /// the connection: the body is cut off half way.
    pub fn truncated_body() -> Self {
        Fault(Kind::TruncatedBody)
    }

    /// Answers `status` with an HTML page, as a proxy in front of the API would.
    ///
    /// Fails, as `"html=101".parse::<Fault>()` does, when `status` is not between 200 and 599.
    pub fn non_json(status: u16) -> Result<Self, ParseFaultError> {
        Ok(Fault(Kind::NonJson(answerable(status)?)))
    }

    /// How long a throttle lasts; `None` for the other faults.
    pub(crate) fn throttle(&self) -> Option<Duration> {
        match self.0 {
            Kind::Throttled(duration) => Some(duration),
            _ => None,
        }
    }

    /// What the server does about this fault.
    pub(crate) fn action(&self) -> Action {
        match &self.0 {
            Kind::Status(status) => Action::Respond(answers::status(*status)),
            Kind::RateLimited(retry_after) => Action::Respond(answers::rate_limited(*retry_after)),
            Kind::Throttled(_) => Action::Respond(answers::rate_limited(None)),
            Kind::Delay(delay) => Action::Delay(*delay),
            Kind::DropConnection => Action::Drop,
            Kind::TruncatedBody => Action::Respond(answers::truncated()),
            Kind::NonJson(status) => Action::Respond(answers::html(*status)),
        }
    }
}

/// A status the fake can answer with a body: between 200 and 599. The one check, for the
/// constructors and for text.
fn answerable(status: u16) -> Result<StatusCode, ParseFaultError> {
    match StatusCode::from_u16(status) {
        Ok(code) if (200..600).contains(&status) => Ok(code),
        _ => Err(ParseFaultError::new(format!(
            "a fault's status must be between 200 and 599, not {status}"
        ))),
    }
}

/// What the server does about a fault.
pub(crate) enum Action {
    /// Answer this instead of the truth.
    Respond(Response),
    /// Wait, then answer the truth.
    Delay(Duration),
    /// Close the connection without an answer.
    Drop,
}

//! Scripted faults: what the fake answers instead of the truth, for the next requests.

use std::{
    collections::VecDeque,
    io,
    time::{Duration, SystemTime},
};

use futures_util::{StreamExt, stream};
use http::{HeaderValue, StatusCode, header};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Bytes, Frame};

use super::answers::{self, ErrorCode, Response, body};
use crate::Operation;

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
/// ```
/// use std::time::Duration;
/// use prolific::fake::Fault;
///
/// let faults = [
///     Fault::status(503),
///     Fault::rate_limited_after_secs(2),
///     Fault::delay(Duration::from_millis(200)),
///     Fault::drop_connection(),
///     Fault::truncated_body(),
///     Fault::non_json(502),
/// ];
/// # let _ = faults;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault(Kind);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Status(StatusCode),
    RateLimited(Option<RetryAfter>),
    Delay(Duration),
    DropConnection,
    TruncatedBody,
    NonJson(StatusCode),
}

impl Fault {
    /// Answers `status` with Prolific's JSON error envelope (`error_code` is
    /// `149000 + status`, such as `149503`).
    ///
    /// # Panics
    ///
    /// When `status` is not between 200 and 599.
    pub fn status(status: u16) -> Self {
        Fault(Kind::Status(answerable(status)))
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
    /// # Panics
    ///
    /// When `status` is not between 200 and 599.
    pub fn non_json(status: u16) -> Self {
        Fault(Kind::NonJson(answerable(status)))
    }

    /// What the server does about this fault.
    pub(crate) fn action(&self) -> Action {
        match &self.0 {
            Kind::Status(status) => Action::Respond(status_answer(*status)),
            Kind::RateLimited(retry_after) => Action::Respond(rate_limited_answer(*retry_after)),
            Kind::Delay(delay) => Action::Delay(*delay),
            Kind::DropConnection => Action::Drop,
            Kind::TruncatedBody => Action::Respond(truncated_answer()),
            Kind::NonJson(status) => Action::Respond(html_answer(*status)),
        }
    }
}

/// A status the fake can answer with a body.
fn answerable(status: u16) -> StatusCode {
    match StatusCode::from_u16(status) {
        Ok(code) if (200..600).contains(&status) => code,
        _ => panic!("a fault's status must be between 200 and 599, not {status}"),
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

fn status_answer(status: StatusCode) -> Response {
    let title = status.canonical_reason().unwrap_or("Injected fault");
    answers::error_response(
        status,
        ErrorCode::Injected(status),
        title,
        "A fault injected into the fake Prolific.",
    )
}

fn rate_limited_answer(retry_after: Option<RetryAfter>) -> Response {
    let detail = match retry_after {
        Some(RetryAfter::Seconds(seconds)) => {
            format!("Request was throttled. Expected available in {seconds} seconds.")
        }
        _ => "Request was throttled.".to_owned(),
    };
    let mut response = answers::error_response(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        "Too many requests",
        &detail,
    );
    if let Some(retry_after) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, retry_after.header_value());
    }
    response
}

/// The JSON of a group, of which only the first half is sent.
const TRUNCATED_JSON: &str = r#"{"id": "642ea7ff7639ab670b05a0b5", "name": "Passed all attention checks", "description": null, "workspace_id": "5e9b9c9b0f9c9a0001b1ca2f", "organisation_id": null, "project_id": null, "participant_count": 0, "is_deleted": false, "feeder_studies": []}"#;

fn truncated_answer() -> Response {
    let (sent, _) = TRUNCATED_JSON.split_at(TRUNCATED_JSON.len() / 2);
    let cut = stream::once(async {
        // Let the first half reach the client before the connection is closed.
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(io::Error::other("the fake cut this body off"))
    });
    let frames = stream::iter([Ok(Frame::data(Bytes::from_static(sent.as_bytes())))]).chain(cut);
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(TRUNCATED_JSON.len()),
    );
    response
}

fn html_answer(status: StatusCode) -> Response {
    let line = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let page = format!(
        "<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n<center><h1>{line}</h1></center>\r\n\
         <hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = Response::new(body(page));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// The faults waiting for requests, in the order they were injected.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<Scripted>,
}

#[derive(Debug)]
struct Scripted {
    /// `None`: any request, even to a path that is not the API's.
    target: Option<Operation>,
    fault: Fault,
    remaining: usize,
}

impl FaultQueue {
    /// Queues `fault` for the next `times` requests aimed at `target`.
    pub(crate) fn push(&mut self, target: Option<Operation>, times: usize, fault: Fault) {
        if times > 0 {
            self.queue.push_back(Scripted {
                target,
                fault,
                remaining: times,
            });
        }
    }

    /// Takes the first queued fault that applies to a request of `operation` (`None` for a
    /// request that is not one of the API's operations).
    pub(crate) fn take(&mut self, operation: Option<Operation>) -> Option<Fault> {
        let position = self
            .queue
            .iter()
            .position(|s| s.target.is_none() || s.target == operation)?;
        let scripted = &mut self.queue[position];
        scripted.remaining -= 1;
        if scripted.remaining == 0 {
            self.queue.remove(position).map(|s| s.fault)
        } else {
            Some(scripted.fault.clone())
        }
    }

    /// How many requests will still meet a fault.
    pub(crate) fn pending(&self) -> usize {
        self.queue
            .iter()
            .fold(0usize, |sum, s| sum.saturating_add(s.remaining))
    }

    /// Forgets every queued fault.
    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_taken_in_order_and_only_by_their_target() {
        let mut queue = FaultQueue::default();
        queue.push(Some(Operation::AddMembers), 2, Fault::status(503));
        queue.push(None, 1, Fault::drop_connection());
        assert_eq!(queue.pending(), 3);
        assert_eq!(
            queue.take(Some(Operation::GetGroup)),
            Some(Fault::drop_connection())
        );
        assert_eq!(queue.take(Some(Operation::GetGroup)), None);
        assert_eq!(queue.take(None), None);
        assert_eq!(
            queue.take(Some(Operation::AddMembers)),
            Some(Fault::status(503))
        );
        assert_eq!(queue.pending(), 1);
        assert!(queue.take(Some(Operation::AddMembers)).is_some());
        assert_eq!(queue.pending(), 0);
    }

    #[test]
    #[should_panic(expected = "between 200 and 599")]
    fn informational_statuses_are_refused() {
        let _ = Fault::status(101);
    }
}

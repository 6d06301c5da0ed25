//! Scripted faults: what the fake answers instead of the truth, for the next requests.

use std::{
    collections::VecDeque,
    fmt, io,
    str::FromStr,
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
/// A fault can also be read from text (`status=503`, `rate-limited=2`, `delay=200`, `drop`,
/// `truncated`, `html=502`): see [`FaultSpec`].
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

/// Reads a fault's kind: `status=NNN`, `rate-limited`, `rate-limited=SECONDS`, `delay=MS`,
/// `drop`, `truncated` or `html=NNN` (a status between 200 and 599).
///
/// ```
/// use std::time::Duration;
/// use prolific::fake::Fault;
///
/// assert_eq!("status=503".parse(), Ok(Fault::status(503)));
/// assert_eq!("delay=250".parse(), Ok(Fault::delay(Duration::from_millis(250))));
/// assert!("status=99".parse::<Fault>().is_err());
/// ```
impl FromStr for Fault {
    type Err = ParseFaultError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, value) = match text.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (text, None),
        };
        let fault = match (name, value) {
            ("status", Some(status)) => Fault(Kind::Status(parse_status(status)?)),
            ("html", Some(status)) => Fault(Kind::NonJson(parse_status(status)?)),
            ("rate-limited", None) => Fault::rate_limited(None),
            ("rate-limited", Some(seconds)) => {
                Fault::rate_limited_after_secs(parse_number(seconds, "a number of seconds")?)
            }
            ("delay", Some(ms)) => Fault::delay(Duration::from_millis(parse_number(
                ms,
                "a number of milliseconds",
            )?)),
            ("drop", None) => Fault::drop_connection(),
            ("truncated", None) => Fault::truncated_body(),
            _ => {
                return Err(ParseFaultError::new(format!(
                    "unknown fault {text:?}: expected status=NNN, rate-limited[=SECONDS], \
                     delay=MS, drop, truncated or html=NNN"
                )));
            }
        };
        Ok(fault)
    }
}

fn parse_number<T: FromStr>(text: &str, what: &str) -> Result<T, ParseFaultError> {
    text.parse()
        .map_err(|_| ParseFaultError::new(format!("{text:?} is not {what}")))
}

fn parse_status(text: &str) -> Result<StatusCode, ParseFaultError> {
    match parse_number::<u16>(text, "an HTTP status")? {
        status @ 200..=599 => Ok(answerable(status)),
        status => Err(ParseFaultError::new(format!(
            "a fault's status must be between 200 and 599, not {status}"
        ))),
    }
}

/// Faults for the next requests of one operation, or of any: what the standalone server's
/// `--fault OPERATION:KIND[:COUNT]` and its control endpoint take, and
/// [`FakeProlific::inject_spec`](super::FakeProlific::inject_spec) injects.
///
/// `OPERATION` is an `operationId` such as `create_participant_group`
/// ([`Operation::operation_id`]), or `any` for every request; `KIND` is read as a [`Fault`]
/// is; `COUNT`, how many requests meet the fault, is 1 when left out.
///
/// ```
/// use prolific::fake::{Fault, FaultSpec, Operation};
///
/// let spec: FaultSpec = "create_participant_group:status=503:2".parse().unwrap();
/// assert_eq!(spec.operation, Some(Operation::CreateGroup));
/// assert_eq!(spec.fault, Fault::status(503));
/// assert_eq!(spec.count, 2);
///
/// let spec: FaultSpec = "any:drop".parse().unwrap();
/// assert_eq!((spec.operation, spec.count), (None, 1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultSpec {
    /// The operation whose requests meet the fault; `None` for any request.
    pub operation: Option<Operation>,
    /// What they meet.
    pub fault: Fault,
    /// How many requests meet it.
    pub count: usize,
}

impl FaultSpec {
    /// `count` requests of `operation` (`None`: any request) meet `fault`.
    pub fn new(operation: Option<Operation>, fault: Fault, count: usize) -> Self {
        FaultSpec {
            operation,
            fault,
            count,
        }
    }
}

impl FromStr for FaultSpec {
    type Err = ParseFaultError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.split(':');
        let (Some(operation), Some(kind), count, None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ParseFaultError::new(format!(
                "{text:?} is not OPERATION:KIND[:COUNT], such as create_participant_group:status=503:2"
            )));
        };
        let count = match count {
            None => 1,
            Some(count) => match parse_number(count, "a count")? {
                0 => return Err(ParseFaultError::new("a fault's count must be at least 1")),
                count => count,
            },
        };
        Ok(FaultSpec {
            operation: parse_operation(operation)?,
            fault: kind.parse()?,
            count,
        })
    }
}

/// `any` (`None`) or an `operationId`.
pub(crate) fn parse_operation(text: &str) -> Result<Option<Operation>, ParseFaultError> {
    if text == "any" {
        return Ok(None);
    }
    Operation::from_operation_id(text).map(Some).ok_or_else(|| {
        let known: Vec<&str> = Operation::ALL.iter().map(|o| o.operation_id()).collect();
        ParseFaultError::new(format!(
            "unknown operation {text:?}: expected any or one of {}",
            known.join(", ")
        ))
    })
}

/// Why a [`Fault`] or a [`FaultSpec`] could not be read from text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFaultError {
    message: String,
}

impl ParseFaultError {
    fn new(message: impl Into<String>) -> Self {
        ParseFaultError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseFaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseFaultError {}

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
    fn fault_specs_are_read_from_text() {
        let spec = |text: &str| text.parse::<FaultSpec>();
        assert_eq!(
            spec("create_participant_group:status=503"),
            Ok(FaultSpec::new(
                Some(Operation::CreateGroup),
                Fault::status(503),
                1
            ))
        );
        assert_eq!(
            spec("any:rate-limited=3:4"),
            Ok(FaultSpec::new(None, Fault::rate_limited_after_secs(3), 4))
        );
        assert_eq!(
            spec("list_participant_groups:rate-limited").map(|s| s.fault),
            Ok(Fault::rate_limited(None))
        );
        assert_eq!(
            spec("add_participant_group_members:delay=1500:2").map(|s| s.fault),
            Ok(Fault::delay(Duration::from_millis(1500)))
        );
        assert_eq!(
            spec("any:drop").map(|s| s.fault),
            Ok(Fault::drop_connection())
        );
        assert_eq!(
            spec("any:truncated").map(|s| s.fault),
            Ok(Fault::truncated_body())
        );
        assert_eq!(
            spec("get_participant_group:html=502:10"),
            Ok(FaultSpec::new(
                Some(Operation::GetGroup),
                Fault::non_json(502),
                10
            ))
        );
    }

    #[test]
    fn bad_fault_specs_say_what_is_wrong() {
        let error = |text: &str| text.parse::<FaultSpec>().unwrap_err().to_string();
        assert!(error("status=503").contains("OPERATION:KIND[:COUNT]"));
        assert!(error("any:status=503:1:2").contains("OPERATION:KIND[:COUNT]"));
        assert!(error("create_group:drop").contains("unknown operation \"create_group\""));
        assert!(error("any:explode").contains("unknown fault \"explode\""));
        assert!(error("any:drop=1").contains("unknown fault"));
        assert!(error("any:status").contains("unknown fault"));
        assert!(error("any:status=abc").contains("\"abc\" is not an HTTP status"));
        assert_eq!(
            error("any:html=700"),
            "a fault's status must be between 200 and 599, not 700"
        );
        assert!(error("any:delay=-5").contains("milliseconds"));
        assert!(error("any:drop:x").contains("\"x\" is not a count"));
        assert_eq!(error("any:drop:0"), "a fault's count must be at least 1");
    }

    #[test]
    #[should_panic(expected = "between 200 and 599")]
    fn informational_statuses_are_refused() {
        let _ = Fault::status(101);
    }
}

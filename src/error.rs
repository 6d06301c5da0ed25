//! Errors: one [`Error`] for everything the crate can fail with, the server's error envelope
//! ([`ApiError`]), and the report of a bulk operation that stopped part way ([`BulkError`]).
//! How the generated client's errors become these is the job of the `mapping` submodule.
//!
//! Callers usually branch on the predicates ([`Error::is_not_found`],
//! [`Error::is_rate_limited`], [`Error::is_retryable`], ...) rather than on the variants.

use std::{collections::BTreeMap, fmt, time::Duration};

use reqwest::StatusCode;

use crate::{operation::Operation, retry::is_retryable_status};

mod mapping;

pub(crate) use mapping::RawResult;

/// The result type of every fallible call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The largest part of an unreadable response body kept in an error, in bytes.
pub const EXCERPT_LIMIT: usize = 1024;

/// Everything a call to Prolific can fail with.
///
/// `Display` gives one sentence a person can act on; the token never appears in it, nor in
/// `Debug`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Prolific (or something in front of it) answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The input was refused before anything was sent.
    #[error("invalid input: {what} {problem}")]
    InvalidInput {
        /// What was wrong, such as `participant id #3` or `name`.
        what: String,
        /// Why it was refused, such as `is empty`.
        problem: String,
    },

    /// The client could not be configured (missing token, bad base URL, ...).
    #[error("configuration error: {0}")]
    Config(String),

    /// The request did not complete within the configured time.
    #[error(
        "timed out waiting for Prolific ({operation}); the request may or may not have been applied"
    )]
    Timeout {
        /// The operation that timed out.
        operation: Operation,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },

    /// The connection failed: refused, reset, DNS, TLS, or the body was cut off.
    ///
    /// `Display` ends with the innermost cause (such as `Connection refused`), and for an
    /// operation that is not idempotent, says when the request may have been applied.
    #[error("could not talk to Prolific ({operation}): {}", connection_failure(.operation, .source))]
    Connection {
        /// The operation that failed.
        operation: Operation,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },

    /// A success status came with a body that is not what the API documents.
    #[error(
        "Prolific answered {status} to {operation} with a body that could not be read as the expected JSON ({}): {source}; body starts: {excerpt:?}",
        .operation.expected_answer()
    )]
    Decode {
        /// The operation.
        operation: Operation,
        /// The status of the answer.
        status: StatusCode,
        /// At most [`EXCERPT_LIMIT`] bytes of the body.
        excerpt: String,
        /// Why it could not be decoded.
        #[source]
        source: serde_json::Error,
    },

    /// A bulk membership change stopped part way; says what was applied and what was not.
    #[error("{0}")]
    Bulk(Box<BulkError>),

    /// More than one live group has the name looked for, so none was picked
    /// ([`find_by_name`](crate::ParticipantGroups::find_by_name),
    /// [`get_or_create`](crate::ParticipantGroups::get_or_create)).
    #[error(
        "{} live groups are named {name:?} ({}); none was picked: delete or rename all but one",
        .group_ids.len(),
        .group_ids.join(", ")
    )]
    DuplicateName {
        /// The name looked for.
        name: String,
        /// The ids of the live groups with that name, in the order listed.
        group_ids: Vec<String>,
    },
}

impl Error {
    /// The HTTP status of the answer, when the error came from one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
            Error::Bulk(bulk) => bulk.source.status(),
            _ => None,
        }
    }

    /// The server's error details, when Prolific answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::Bulk(bulk) => bulk.source.api(),
            _ => None,
        }
    }

    /// The report of a bulk operation that stopped part way.
    pub fn bulk(&self) -> Option<&BulkError> {
        match self {
            Error::Bulk(bulk) => Some(bulk),
            _ => None,
        }
    }

    /// 404: the group does not exist, or the token may not see it.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// 401: the token is missing or not valid.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    /// 403: the token is valid but may not do this.
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(StatusCode::FORBIDDEN)
    }

    /// 429: Prolific throttled the request (it is under contention) for longer than the
    /// client waits ([`RetryPolicy::max_throttle_wait`](crate::RetryPolicy::max_throttle_wait)),
    /// or asked to wait longer than that. The request was not applied: running it again later
    /// finishes it.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// The request was refused as invalid: 400 or 422 from the server, or invalid input
    /// caught before sending.
    pub fn is_validation(&self) -> bool {
        matches!(self, Error::InvalidInput { .. })
            || matches!(
                self.status(),
                Some(StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY)
            )
    }

    /// The request timed out.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Bulk(bulk) => bulk.source.is_timeout(),
            _ => false,
        }
    }

    /// Trying again later may succeed: a timeout, a connection failure, 408, 429, 500, 502,
    /// 503 or 504. (Whether a retry is *safe* depends on the operation; see the crate docs.)
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Connection { .. } => true,
            Error::Bulk(bulk) => bulk.source.is_retryable(),
            _ => self.status().is_some_and(is_retryable_status),
        }
    }

    /// How long the server asked the client to wait (`Retry-After`), when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api().and_then(|api| api.retry_after)
    }

    /// The error with `hint` (what to do about it) added to Prolific's answer; other errors
    /// are returned as they are.
    pub(crate) fn with_hint(self, hint: String) -> Self {
        match self {
            Error::Api(mut api) => {
                api.hint = Some(hint);
                Error::Api(api)
            }
            other => other,
        }
    }

    pub(crate) fn invalid(what: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::InvalidInput {
            what: what.into(),
            problem: problem.into(),
        }
    }
}

/// An error answer from Prolific, with whatever its body said.
///
/// Prolific's usual body is `{"error": {"status", "error_code", "title", "detail",
/// "additional_information", ...}}`; some endpoints answer `{"message", "detail"}`; proxies
/// answer HTML or nothing. All three end up here: the fields the body had are filled, and
/// for a body that is not Prolific's JSON, [`ApiError::excerpt`] keeps its start.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation that failed.
    pub operation: Operation,
    /// The HTTP status.
    pub status: StatusCode,
    /// Prolific's error code, as text (the API sends numbers or strings).
    pub error_code: Option<String>,
    /// A short summary, from `error.title` or the flat shape's `message`.
    pub title: Option<String>,
    /// What went wrong, in one of the three shapes Prolific uses.
    pub detail: Option<ErrorDetail>,
    /// Where to read more, often a link.
    pub additional_information: Option<String>,
    /// The start of the body (at most [`EXCERPT_LIMIT`] bytes) when it was not Prolific's JSON.
    pub excerpt: Option<String>,
    /// The server's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
    /// How many times the request was sent (1 when it was not retried).
    pub attempts: u32,
    /// How long the request waited because Prolific throttled the client (its own 429s, and
    /// the client's other requests' while it was held back); zero when it was not throttled.
    pub throttled_for: Duration,
    /// What to do about it, when the client knows more than the answer says (such as a base
    /// URL that ends in `/api/v1`, for a 404).
    hint: Option<String>,
}

impl ApiError {
    /// Per-field messages, when `detail` was a map of field name to messages (a 400 on a bad
    /// body). Empty otherwise.
    pub fn field_errors(&self) -> BTreeMap<&str, &[String]> {
        match &self.detail {
            Some(ErrorDetail::Fields(fields)) => fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_slice()))
                .collect(),
            _ => BTreeMap::new(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prolific answered {} to {}", self.status, self.operation)?;
        if let Some(title) = &self.title {
            write!(f, ": {title}")?;
        }
        match &self.detail {
            Some(ErrorDetail::Text(text)) => write!(f, " ({text})")?,
            Some(ErrorDetail::List(items)) => write!(f, " ({})", items.join("; "))?,
            Some(ErrorDetail::Fields(fields)) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(field, messages)| format!("{field}: {}", messages.join(" ")))
                    .collect();
                write!(f, " ({})", parts.join("; "))?;
            }
            None => {}
        }
        if let Some(code) = &self.error_code {
            write!(f, " [error code {code}]")?;
        }
        if let Some(excerpt) = &self.excerpt {
            if excerpt.is_empty() {
                write!(f, " with an empty body")?;
            } else {
                write!(f, "; body starts: {excerpt:?}")?;
            }
        }
        if let Some(wait) = self.retry_after {
            write!(f, "; retry after {} s", wait.as_secs_f64())?;
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            write!(f, "; Prolific throttled the request")?;
            if !self.throttled_for.is_zero() {
                write!(f, " for {:.1} s", self.throttled_for.as_secs_f64())?;
            }
            let what = match self.operation {
                Operation::ListGroups | Operation::GetGroup | Operation::ListMembers => "request",
                _ => "change",
            };
            write!(
                f,
                ", so it was not applied; running the same {what} again later finishes it"
            )?;
        }
        // A server error may come after the work was done: not retried, and worth saying.
        if !self.operation.is_idempotent() && self.status.is_server_error() {
            write!(f, "; the request may or may not have been applied")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

/// The `detail` of an error, in the three shapes Prolific uses.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorDetail {
    /// A sentence.
    Text(String),
    /// A list of sentences.
    List(Vec<String>),
    /// Messages per field of the request body, such as `name: ["This field is required."]`.
    Fields(BTreeMap<String, Vec<String>>),
}

/// What a bulk membership change (add, remove, replace or sync, in chunks) had done when it
/// stopped.
///
/// Chunks are sent in order, so the ids of [`BulkError::not_applied`] are exactly those of the
/// failed chunk and every chunk after it. The failed chunk itself may have been applied by the
/// server if the failure was a timeout or a dropped connection; adding and removing are
/// idempotent, so sending those ids again is safe.
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkError {
    /// The operation of the chunk that failed: [`Operation::AddMembers`] or
    /// [`Operation::RemoveMembers`]; a replacement sends its first chunk with
    /// [`Operation::UpdateGroup`] and the others with [`Operation::AddMembers`].
    pub operation: Operation,
    /// The group being changed.
    pub group_id: String,
    /// How many chunks succeeded before the failure (of a sync: in the step that failed).
    pub chunks_applied: usize,
    /// How many chunks the operation was split into (of a sync: the step that failed).
    pub chunks_total: usize,
    /// How many (de-duplicated) ids were in chunks that succeeded.
    pub ids_applied: usize,
    /// The ids that were not applied, in the order given.
    pub not_applied: Vec<String>,
    /// Ids of a later step that was never begun: the removals of a
    /// [sync](crate::ParticipantGroups::sync_participants) whose additions stopped part way.
    /// Empty otherwise.
    pub not_started: Vec<String>,
    /// Ids of an earlier step, all applied: the additions of a sync whose removals stopped
    /// part way. Empty otherwise.
    pub applied_before: Vec<String>,
    /// Why the failed chunk failed.
    pub source: Error,
}

impl fmt::Display for BulkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.operation {
            Operation::AddMembers => "adding participants to",
            Operation::RemoveMembers => "removing participants from",
            _ => "replacing the participants of",
        };
        write!(
            f,
            "{verb} group {} stopped after {} of {} chunks: {} ids applied, {} not applied",
            self.group_id,
            self.chunks_applied,
            self.chunks_total,
            self.ids_applied,
            self.not_applied.len(),
        )?;
        if !self.not_started.is_empty() {
            let n = self.not_started.len();
            write!(
                f,
                "; the removals meant to follow ({n} ids) were not started"
            )?;
        }
        if !self.applied_before.is_empty() {
            let n = self.applied_before.len();
            write!(f, "; the additions before them ({n} ids) were all applied")?;
        }
        if let Some(advice) = self.advice() {
            write!(f, "; {advice}")?;
        }
        write!(f, "; cause: {}", self.source)
    }
}

impl BulkError {
    /// What to do next, in a person's words: running the change again only where that can
    /// succeed (the cause was transient), otherwise what is wrong, when it is known.
    fn advice(&self) -> Option<&'static str> {
        if self.source.is_retryable() {
            return Some(match self.operation {
                Operation::AddMembers | Operation::RemoveMembers => {
                    "running the same change again finishes it (adding and removing are idempotent)"
                }
                _ => {
                    "running the same replacement again finishes it (it starts over from the first chunk)"
                }
            });
        }
        if self.source.is_not_found() {
            Some(
                "the group was not found (or this token may not see it), so running it again will not help",
            )
        } else if self.source.is_unauthorized() {
            Some("the API token was refused, so running it again will not help")
        } else if self.source.is_forbidden() {
            Some("this token may not change the group, so running it again will not help")
        } else if self.source.is_validation() {
            Some("Prolific refused the request as invalid, so running it again will not help")
        } else {
            None
        }
    }
}

impl std::error::Error for BulkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// What a [`Error::Connection`] says after the operation: reqwest's message, the innermost
/// cause of it (reqwest's own message names only the URL), and, for an operation that is not
/// idempotent, that it may have been applied, unless the connection was never made.
fn connection_failure(operation: &Operation, source: &reqwest::Error) -> String {
    let mut text = source.to_string();
    if let Some(cause) = root_cause(source) {
        text = format!("{text}: {cause}");
    }
    if !operation.is_idempotent() && !source.is_connect() {
        text.push_str("; the request may or may not have been applied");
    }
    text
}

/// The message of the innermost error of `error`'s `source()` chain, when there is one and it
/// says something other than `error` itself.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut innermost = error.source()?;
    while let Some(next) = innermost.source() {
        innermost = next;
    }
    let text = innermost.to_string();
    (!text.is_empty() && text != error.to_string()).then_some(text)
}

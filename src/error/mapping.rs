//! From the generated client's errors to the crate's [`Error`]: progenitor's error kinds
//! mapped to ours, Prolific's error envelope decoded into an [`ApiError`], and what progenitor
//! drops kept (the status of an error answer whose body is not JSON, a bounded excerpt of
//! such a body, the number of attempts).

use std::time::Duration;

use reqwest::StatusCode;

use super::{ApiError, EXCERPT_LIMIT, Error, ErrorDetail};
use crate::{generated::types, hooks::LastAttempt, operation::Operation, retry::retry_after};

/// What a call of the generated client returns.
pub(crate) type RawResult<T> = std::result::Result<
    progenitor_client::ResponseValue<T>,
    progenitor_client::Error<types::ErrorResponse>,
>;

impl ApiError {
    /// Builds the error from a decoded envelope.
    fn from_envelope(
        operation: Operation,
        status: StatusCode,
        body: types::ErrorResponse,
        retry_after: Option<Duration>,
    ) -> Self {
        // `..`: a field the spec adds to the envelope later needs no edit here.
        let types::ErrorResponse {
            error,
            message,
            detail,
            ..
        } = body;
        let (error_code, title, inner_detail, additional_information) = match error {
            Some(e) => (
                e.error_code.map(|code| match code {
                    types::ErrorBodyErrorCode::Int64(n) => n.to_string(),
                    types::ErrorBodyErrorCode::String(s) => s,
                }),
                e.title,
                e.detail,
                e.additional_information,
            ),
            None => (None, None, None, None),
        };
        ApiError {
            operation,
            status,
            error_code,
            title: title.or(message),
            detail: inner_detail.or(detail).map(ErrorDetail::from),
            additional_information,
            excerpt: None,
            retry_after,
            attempts: 1,
            throttled_for: Duration::ZERO,
            hint: None,
        }
    }

    /// Builds the error from a body that is not Prolific's JSON.
    fn from_body(
        operation: Operation,
        status: StatusCode,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Self {
        ApiError {
            operation,
            status,
            error_code: None,
            title: None,
            detail: None,
            additional_information: None,
            excerpt: Some(excerpt(body)),
            retry_after,
            attempts: 1,
            throttled_for: Duration::ZERO,
            hint: None,
        }
    }
}

impl From<types::ErrorDetail> for ErrorDetail {
    fn from(detail: types::ErrorDetail) -> Self {
        match detail {
            types::ErrorDetail::String(text) => ErrorDetail::Text(text),
            types::ErrorDetail::Array(items) => ErrorDetail::List(items),
            types::ErrorDetail::Object(fields) => ErrorDetail::Fields(
                fields
                    .into_iter()
                    .map(|(field, messages)| {
                        let messages = match messages {
                            types::ErrorDetailObjectValue::String(m) => vec![m],
                            types::ErrorDetailObjectValue::Array(ms) => ms,
                        };
                        (field, messages)
                    })
                    .collect(),
            ),
        }
    }
}

impl Error {
    /// Maps an error of the generated client for `operation`, keeping what progenitor drops:
    /// the status of an error answer whose body is not JSON (from `last`, what the hooks noted
    /// of the last attempt), a bounded excerpt of such a body, the number of attempts, and how
    /// long the call waited on a throttle.
    pub(crate) async fn from_raw(
        operation: Operation,
        error: progenitor_client::Error<types::ErrorResponse>,
        last: LastAttempt,
    ) -> Error {
        use progenitor_client::Error as Raw;
        let api = |api: ApiError| {
            Error::Api(Box::new(ApiError {
                attempts: last.attempts.max(1),
                throttled_for: last.throttled_for,
                ..api
            }))
        };
        match error {
            Raw::InvalidRequest(message) => Error::invalid(
                format!("the {operation} request"),
                format!("could not be built: {message}"),
            ),
            Raw::CommunicationError(e) | Raw::ResponseBodyError(e) | Raw::InvalidUpgrade(e) => {
                transport(operation, e)
            }
            Raw::ErrorResponse(value) => {
                let status = value.status();
                let retry_after = retry_after(value.headers());
                api(ApiError::from_envelope(
                    operation,
                    status,
                    value.into_inner(),
                    retry_after,
                ))
            }
            Raw::InvalidResponsePayload(body, source) => match last.status {
                Some(status) if !status.is_success() => api(ApiError::from_body(
                    operation,
                    status,
                    &body,
                    last.retry_after,
                )),
                status => Error::Decode {
                    operation,
                    status: status.unwrap_or(StatusCode::OK),
                    excerpt: excerpt(&body),
                    source,
                },
            },
            Raw::UnexpectedResponse(response) => {
                let status = response.status();
                let retry_after = retry_after(response.headers());
                let body = match response.bytes().await {
                    Ok(body) => body,
                    Err(e) => return transport(operation, e),
                };
                match serde_json::from_slice::<types::ErrorResponse>(&body) {
                    Ok(envelope) => api(ApiError::from_envelope(
                        operation,
                        status,
                        envelope,
                        retry_after,
                    )),
                    Err(_) => api(ApiError::from_body(operation, status, &body, retry_after)),
                }
            }
            Raw::Custom(message) => Error::Config(message),
        }
    }
}

fn transport(operation: Operation, source: reqwest::Error) -> Error {
    if source.is_timeout() {
        Error::Timeout { operation, source }
    } else {
        Error::Connection { operation, source }
    }
}

/// At most [`EXCERPT_LIMIT`] bytes of `body` as text, cut on a character boundary.
fn excerpt(body: &[u8]) -> String {
    let mut end = body.len().min(EXCERPT_LIMIT);
    let text = loop {
        match std::str::from_utf8(&body[..end]) {
            Ok(text) => break text.to_owned(),
            // Cut inside a multi-byte character: step back to the last whole one.
            Err(e) if e.error_len().is_none() => end = e.valid_up_to(),
            // Not UTF-8 at all: show it lossily.
            Err(_) => break String::from_utf8_lossy(&body[..end]).into_owned(),
        }
    };
    if body.len() > end {
        format!("{text}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_bounded_and_cut_on_a_char_boundary() {
        let body = "é".repeat(EXCERPT_LIMIT); // 2 bytes each
        let text = excerpt(body.as_bytes());
        assert_eq!(
            text.chars().filter(|c| *c == 'é').count(),
            EXCERPT_LIMIT / 2
        );
        assert!(text.ends_with('…'));
        assert_eq!(
            excerpt(b"<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
        assert_eq!(excerpt(&[0xff, 0xfe]), "\u{fffd}\u{fffd}");
    }
}

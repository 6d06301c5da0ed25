//! The HTTP answers a fault stands for: Prolific's error envelope with a status, a 429 with
//! or without `Retry-After`, a body cut off half way, and a proxy's HTML page.

use std::{io, time::Duration};

use futures_util::{StreamExt, stream};
use http::{HeaderValue, StatusCode, header};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Bytes, Frame};

use super::RetryAfter;
use crate::fake::answers::{self, ErrorCode, Response, body};

/// `status` in Prolific's envelope, with the error code of an injected fault.
pub(super) fn status(status: StatusCode) -> Response {
    let title = status.canonical_reason().unwrap_or("Injected fault");
    answers::error_response(
        status,
        ErrorCode::Injected(status),
        title,
        "A fault injected into the fake Prolific.",
    )
}

/// 429 in Prolific's envelope, with `Retry-After` when given.
pub(super) fn rate_limited(retry_after: Option<RetryAfter>) -> Response {
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

/// 200 with a `Content-Length` the body never reaches.
pub(super) fn truncated() -> Response {
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

/// `status` with nginx's HTML error page.
pub(super) fn html(status: StatusCode) -> Response {
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

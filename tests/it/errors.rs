//! Each kind of error, its fields, its predicates, and its message.

use crate::support;

use std::time::Duration;

use httpmock::prelude::*;
use prolific::{Client, Error, ErrorDetail};
use serde_json::{Value, json};
use support::*;

/// Answers GET of the group with `status` and `body`, and returns the error of `get`.
async fn error_for(status: u16, body: Option<Value>, raw: Option<&str>) -> Error {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET);
            let then = then.status(status);
            if let Some(body) = body {
                then.json_body(body);
            } else if let Some(raw) = raw {
                then.header("content-type", "text/html").body(raw);
            }
        })
        .await;
    client(&server.base_url())
        .participant_groups()
        .get(GROUP_ID)
        .await
        .unwrap_err()
}

fn envelope(status: u16, title: &str, detail: Value) -> Value {
    json!({"error": {
        "status": status, "error_code": 140000 + u32::from(status), "title": title, "detail": detail,
        "additional_information": "/api/v1/errors/", "traceback": null, "interactive": false
    }})
}

/// Which predicates hold, in a fixed order, to compare in one assertion.
fn predicates(e: &Error) -> [bool; 6] {
    [
        e.is_not_found(),
        e.is_unauthorized(),
        e.is_forbidden(),
        e.is_rate_limited(),
        e.is_validation(),
        e.is_retryable(),
    ]
}

#[tokio::test]
async fn not_found_keeps_the_envelope() {
    let err = error_for(
        404,
        Some(envelope(404, "Not found", json!("No such group."))),
        None,
    )
    .await;
    assert_eq!(predicates(&err), [true, false, false, false, false, false]);
    let api = err.api().unwrap();
    assert_eq!(api.status, 404);
    assert_eq!(api.error_code.as_deref(), Some("140404"));
    assert_eq!(api.title.as_deref(), Some("Not found"));
    assert_eq!(api.detail, Some(ErrorDetail::Text("No such group.".into())));
    assert_eq!(
        api.additional_information.as_deref(),
        Some("/api/v1/errors/")
    );
    assert_eq!(api.operation, prolific::Operation::GetGroup);
    assert_eq!(
        err.to_string(),
        "Prolific answered 404 Not Found to get_participant_group: Not found (No such group.) \
         [error code 140404]"
    );
}

#[tokio::test]
async fn unauthorized_and_forbidden() {
    let err = error_for(
        401,
        Some(envelope(401, "Unauthorized", json!("Invalid token."))),
        None,
    )
    .await;
    assert_eq!(predicates(&err), [false, true, false, false, false, false]);
    let err = error_for(
        403,
        Some(envelope(403, "Forbidden", json!(["Not yours."]))),
        None,
    )
    .await;
    assert_eq!(predicates(&err), [false, false, true, false, false, false]);
    assert_eq!(
        err.api().unwrap().detail,
        Some(ErrorDetail::List(vec!["Not yours.".into()]))
    );
}

#[tokio::test]
async fn validation_errors_expose_per_field_messages() {
    let detail = json!({"name": ["This field is required."], "workspace_id": "Unknown workspace."});
    let err = error_for(400, Some(envelope(400, "Invalid request", detail)), None).await;
    assert_eq!(predicates(&err), [false, false, false, false, true, false]);
    let fields = err.api().unwrap().field_errors();
    assert_eq!(fields["name"], ["This field is required.".to_string()]);
    assert_eq!(fields["workspace_id"], ["Unknown workspace.".to_string()]);
    assert!(
        err.to_string()
            .contains("(name: This field is required.; workspace_id: Unknown workspace.)")
    );

    let err = error_for(
        422,
        Some(envelope(422, "Unprocessable", json!("bad"))),
        None,
    )
    .await;
    assert!(err.is_validation());
}

#[tokio::test]
async fn rate_limited_with_retry_after() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET);
            then.status(429)
                .header("retry-after", "3")
                .json_body(envelope(429, "Too many requests", json!("Slow down.")));
        })
        .await;
    let err = client(&server.base_url())
        .participant_groups()
        .get(GROUP_ID)
        .await
        .unwrap_err();
    assert_eq!(predicates(&err), [false, false, false, true, false, true]);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    assert!(
        err.to_string().ends_with(
            "retry after 3 s; Prolific throttled the request, so it was not applied; running \
             the same request again later finishes it"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn an_html_error_keeps_status_and_a_bounded_excerpt() {
    let page = format!("<html><body>Bad gateway{}</body></html>", "!".repeat(5_000));
    let err = error_for(502, None, Some(&page)).await;
    assert_eq!(predicates(&err), [false, false, false, false, false, true]);
    let api = err.api().unwrap();
    assert_eq!(api.status, 502);
    let excerpt = api.excerpt.as_deref().unwrap();
    assert!(excerpt.starts_with("<html><body>Bad gateway!!!"));
    assert_eq!(excerpt.len(), prolific::EXCERPT_LIMIT + '…'.len_utf8());
    assert!(err.to_string().starts_with(
        "Prolific answered 502 Bad Gateway to get_participant_group; body starts: \"<html>"
    ));
}

#[tokio::test]
async fn an_empty_5xx_body_and_the_flat_shape() {
    let err = error_for(500, None, Some("")).await;
    assert_eq!(err.status().unwrap(), 500);
    assert!(err.is_retryable());
    assert!(err.to_string().ends_with("with an empty body"), "{err}");

    let err = error_for(
        404,
        Some(json!({"message": "Not found.", "detail": "Gone."})),
        None,
    )
    .await;
    let api = err.api().unwrap();
    assert_eq!(api.title.as_deref(), Some("Not found."));
    assert_eq!(api.detail, Some(ErrorDetail::Text("Gone.".into())));
}

#[tokio::test]
async fn a_json_error_that_is_not_an_envelope_keeps_an_excerpt() {
    let err = error_for(409, Some(json!({"error": "conflict"})), None).await;
    let api = err.api().unwrap();
    assert_eq!(api.status, 409);
    assert_eq!(api.excerpt.as_deref(), Some(r#"{"error":"conflict"}"#));
}

#[tokio::test]
async fn a_success_with_a_body_that_is_not_a_group_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET);
            then.status(200).body("{\"id\": 5}");
        })
        .await;
    let err = client(&server.base_url())
        .participant_groups()
        .get(GROUP_ID)
        .await
        .unwrap_err();
    match &err {
        Error::Decode {
            status,
            excerpt,
            operation,
            ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(excerpt, "{\"id\": 5}");
            assert_eq!(*operation, prolific::Operation::GetGroup);
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn connection_refused_is_a_connection_error() {
    let url = support::closed_url();
    let err = client(&url)
        .participant_groups()
        .get(GROUP_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Connection {
                operation: prolific::Operation::GetGroup,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn a_slow_server_is_a_timeout() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET);
            then.status(200)
                .delay(Duration::from_secs(2))
                .json_body(group_example());
        })
        .await;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .timeout(Duration::from_millis(200))
        .retry_policy(prolific::RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.participant_groups().get(GROUP_ID).await.unwrap_err();
    assert!(err.is_timeout() && err.is_retryable(), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("timed out waiting for Prolific (get_participant_group)")
    );
}

#[tokio::test]
async fn no_error_shows_the_token() {
    let err = error_for(
        401,
        Some(envelope(401, "Unauthorized", json!("Invalid token."))),
        None,
    )
    .await;
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains(TOKEN), "{shown}");
    }
}

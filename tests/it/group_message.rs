//! The message to a group on the wire: the exact body with and without a study, the fake's
//! record of it, input refused before sending, and no retry that could message people twice.

use crate::support;

#[cfg(feature = "fake")]
use std::time::Duration;

use httpmock::prelude::*;
#[cfg(feature = "fake")]
use prolific::{
    Error, Operation,
    fake::{FakeProlific, Fault},
};
use serde_json::json;
use support::*;

const PATH: &str = "/api/v1/messages/participant-group/";
const STUDY_ID: &str = "60aca280709ee40ec37d4885";

#[tokio::test]
async fn a_message_sends_exactly_the_group_and_the_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("authorization", AUTH)
                .header("content-type", "application/json")
                .query_param_count(".*", ".*", 0)
                .json_body(json!({
                    "participant_group_id": GROUP_ID,
                    "body": "Session 2 opens tomorrow.",
                }));
            then.status(204);
        })
        .await;
    client(&server.base_url())
        .participant_groups()
        .message(GROUP_ID, "Session 2 opens tomorrow.")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn a_message_about_a_study_sends_its_id() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(json!({
                "participant_group_id": GROUP_ID,
                "body": "Reminder",
                "study_id": STUDY_ID,
            }));
            then.status(204);
        })
        .await;
    client(&server.base_url())
        .participant_groups()
        .message(GROUP_ID, "Reminder")
        .study(STUDY_ID)
        .await
        .unwrap();
    mock.assert_async().await;
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn the_fake_keeps_each_message_and_refuses_an_unknown_group() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Session 1");
    let groups = fake.client().participant_groups();
    groups.message(&id, "first").await.unwrap();
    groups.message(&id, "second").study(STUDY_ID).await.unwrap();
    let sent = fake.messages();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        (sent[0].participant_group_id.as_str(), sent[0].body.as_str()),
        (id.as_str(), "first")
    );
    assert_eq!(sent[0].study_id, None);
    assert_eq!(sent[1].body, "second");
    assert_eq!(sent[1].study_id.as_deref(), Some(STUDY_ID));
    assert_eq!(fake.requests()[1].status.map(|s| s.as_u16()), Some(204));

    let err = groups.message(GROUP_ID, "nobody").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.api().unwrap().operation, Operation::MessageGroup);
    assert_eq!(fake.messages().len(), 2);
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let fake = FakeProlific::start().await.unwrap();
    let groups = fake.client().participant_groups();
    let invalid = |result: prolific::Result<()>, field: &str| match result {
        Err(Error::InvalidInput { what, .. }) => assert_eq!(what, field),
        other => panic!("expected invalid {field}, got {other:?}"),
    };
    invalid(groups.message(GROUP_ID, " \n").await, "message body");
    invalid(groups.message("", "hello").await, "group id");
    invalid(
        groups.message(GROUP_ID, "hello").study("a b").await,
        "study id",
    );
    assert_eq!(fake.requests(), []);
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn a_message_is_not_retried_after_a_server_error_or_a_timeout() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Session 1");
    // Retries are on (two by default), yet one attempt only.
    let groups = fake.client().participant_groups();
    fake.inject_on(Operation::MessageGroup, 1, Fault::status(503).unwrap());
    let err = groups.message(&id, "once").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    let said = err.to_string();
    assert!(
        said.ends_with("; the request may or may not have been applied"),
        "{said}"
    );
    assert_eq!(fake.requests().len(), 1);

    fake.clear_requests();
    fake.inject_on(
        Operation::MessageGroup,
        1,
        Fault::delay(Duration::from_secs(2)),
    );
    let impatient = prolific::Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = impatient
        .participant_groups()
        .message(&id, "once")
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(fake.requests().len(), 1);

    // A 429 is retried: the server did not act on it.
    fake.clear_requests();
    fake.inject_on(
        Operation::MessageGroup,
        1,
        Fault::rate_limited_after_secs(0),
    );
    groups.message(&id, "after a 429").await.unwrap();
    assert_eq!(fake.requests().len(), 2);
    let messages = fake.messages();
    assert_eq!(
        messages.last().map(|m| m.body.as_str()),
        Some("after a 429")
    );
}

//! Bulk membership changes on the wire: chunk boundaries, de-duplication, progress, partial
//! failure reports, and replacement.

use crate::support;

use std::sync::{Arc, Mutex};

use httpmock::prelude::*;
use prolific::{Error, Progress};
use serde_json::json;
use support::*;

const MEMBERS: &str = "/api/v1/participant-groups/642ea7ff7639ab670b05a0b5/participants/";

/// Expects one request of `method` with exactly `chunk` as its ids.
async fn chunk<'a>(
    server: &'a MockServer,
    method: httpmock::Method,
    chunk: &[String],
    status: u16,
) -> httpmock::Mock<'a> {
    let body = json!({ "participant_ids": chunk });
    let answer = members(chunk);
    server
        .mock_async(move |when, then| {
            when.method(method)
                .path(MEMBERS)
                .header("authorization", AUTH)
                .json_body(body);
            then.status(status).json_body(answer);
        })
        .await
}

/// Adds `n` ids and checks that they went in chunks of `sizes`.
async fn add_in_chunks(n: usize, sizes: &[usize]) {
    let server = MockServer::start_async().await;
    let ids = ids(n);
    let mut mocks = Vec::new();
    let mut start = 0;
    for size in sizes {
        mocks.push(chunk(&server, POST, &ids[start..start + size], 200).await);
        start += size;
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let members = client(&server.base_url())
        .participant_groups()
        .add_participants(GROUP_ID, &ids)
        .on_progress(move |p| log.lock().unwrap().push(p))
        .await
        .unwrap();
    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
    // The answer is the last chunk's membership list.
    assert_eq!(members.len(), *sizes.last().unwrap());
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), sizes.len());
    let last = seen.last().unwrap();
    assert_eq!(
        (last.chunks_done, last.chunks_total),
        (sizes.len(), sizes.len())
    );
    assert_eq!((last.ids_done, last.ids_total), (n, n));
}

#[tokio::test]
async fn one_id_is_one_request() {
    add_in_chunks(1, &[1]).await;
}

#[tokio::test]
async fn a_thousand_ids_are_one_request() {
    add_in_chunks(1_000, &[1_000]).await;
}

#[tokio::test]
async fn a_thousand_and_one_ids_are_two_requests() {
    add_in_chunks(1_001, &[1_000, 1]).await;
}

#[tokio::test]
async fn two_thousand_five_hundred_ids_are_three_requests() {
    add_in_chunks(2_500, &[1_000, 1_000, 500]).await;
}

#[tokio::test]
async fn no_ids_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let groups = client(&server.base_url()).participant_groups();
    for err in [
        groups
            .add_participants(GROUP_ID, Vec::<String>::new())
            .await
            .unwrap_err(),
        groups
            .remove_participants(GROUP_ID, [""; 0])
            .await
            .unwrap_err(),
    ] {
        assert!(err.is_validation(), "{err}");
        assert_eq!(
            err.to_string(),
            "invalid input: participant ids are missing: give at least one id"
        );
    }
    let err = groups
        .add_participants(GROUP_ID, ["a"])
        .chunk_size(0)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "invalid input: chunk size is zero");
    let err = groups
        .add_participants(GROUP_ID, ["a", "\u{7}"])
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: participant id #2 contains a control character (\"\\u{7}\")"
    );
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn duplicates_are_sent_once_in_first_seen_order() {
    let server = MockServer::start_async().await;
    let unique = ids(1_000);
    let mut with_repeats = unique.clone();
    with_repeats.extend(unique[..500].iter().cloned());
    with_repeats.insert(10, unique[3].clone());
    let mock = chunk(&server, POST, &unique, 200).await;
    client(&server.base_url())
        .participant_groups()
        .add_participants(GROUP_ID, with_repeats)
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn remove_uses_delete_with_the_chunk_size_given() {
    let server = MockServer::start_async().await;
    let ids = ids(5);
    let a = chunk(&server, DELETE, &ids[..2], 200).await;
    let b = chunk(&server, DELETE, &ids[2..4], 200).await;
    let c = chunk(&server, DELETE, &ids[4..], 200).await;
    let left = client(&server.base_url())
        .participant_groups()
        .remove_participants(GROUP_ID, ids.iter())
        .chunk_size(2)
        .await
        .unwrap();
    for m in [a, b, c] {
        m.assert_calls_async(1).await;
    }
    assert_eq!(left.len(), 1);
}

#[tokio::test]
async fn a_failing_chunk_reports_what_was_and_was_not_applied() {
    let server = MockServer::start_async().await;
    let ids = ids(2_500);
    let first = chunk(&server, POST, &ids[..1_000], 200).await;
    let failing = chunk(&server, POST, &ids[1_000..2_000], 503).await;
    let never = chunk(&server, POST, &ids[2_000..], 200).await;
    let progress = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let log = progress.clone();
    let err = client(&server.base_url())
        .participant_groups()
        .add_participants(GROUP_ID, &ids)
        .on_progress(move |p| log.lock().unwrap().push(p))
        .await
        .unwrap_err();
    first.assert_calls_async(1).await;
    failing.assert_calls_async(1).await;
    never.assert_calls_async(0).await;

    let bulk = err.bulk().expect("a bulk error");
    assert_eq!(bulk.operation, prolific::Operation::AddMembers);
    assert_eq!(bulk.group_id, GROUP_ID);
    assert_eq!((bulk.chunks_applied, bulk.chunks_total), (1, 3));
    assert_eq!(bulk.ids_applied, 1_000);
    assert_eq!(bulk.not_applied, ids[1_000..]);
    assert_eq!(bulk.source.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable());
    assert_eq!(progress.lock().unwrap().len(), 1);
    let text = err.to_string();
    assert!(
        text.starts_with(
            "adding participants to group 642ea7ff7639ab670b05a0b5 stopped after 1 of 3 chunks: \
             1000 ids applied, 1500 not applied"
        ),
        "{text}"
    );
    assert!(text.contains("503 Service Unavailable"), "{text}");
}

#[tokio::test]
async fn replace_with_nothing_empties_the_group_with_an_explicit_empty_list() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"))
                .header("authorization", AUTH)
                .body(r#"{"participant_ids":[]}"#);
            then.status(200).json_body(group_example());
        })
        .await;
    let group = client(&server.base_url())
        .participant_groups()
        .replace_participants(GROUP_ID, Vec::<String>::new())
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(group.participant_count, Some(0));
}

#[tokio::test]
async fn replace_beyond_one_chunk_patches_then_adds_then_reads_the_group() {
    let server = MockServer::start_async().await;
    let ids = ids(2_500);
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"))
                .json_body(json!({ "participant_ids": &ids[..1_000] }));
            then.status(200).json_body(group_example());
        })
        .await;
    let b = chunk(&server, POST, &ids[1_000..2_000], 200).await;
    let c = chunk(&server, POST, &ids[2_000..], 200).await;
    let mut last = group_example();
    last["participant_count"] = json!(2_500);
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"));
            then.status(200).json_body(last);
        })
        .await;
    let group = client(&server.base_url())
        .participant_groups()
        .replace_participants(GROUP_ID, &ids)
        .await
        .unwrap();
    for m in [patch, b, c, get] {
        m.assert_calls_async(1).await;
    }
    assert_eq!(group.participant_count, Some(2_500));
}

#[tokio::test]
async fn a_replace_that_fails_part_way_says_the_group_holds_the_first_chunks() {
    let server = MockServer::start_async().await;
    let ids = ids(3);
    server
        .mock_async(|when, then| {
            when.method(PATCH)
                .json_body(json!({ "participant_ids": &ids[..1] }));
            then.status(200).json_body(group_example());
        })
        .await;
    chunk(&server, POST, &ids[1..2], 200).await;
    chunk(&server, POST, &ids[2..], 500).await;
    let err = client(&server.base_url())
        .participant_groups()
        .replace_participants(GROUP_ID, &ids)
        .chunk_size(1)
        .await
        .unwrap_err();
    let Error::Bulk(bulk) = &err else {
        panic!("expected a bulk error, got {err:?}");
    };
    // The chunks after the first are added.
    assert_eq!(bulk.operation, prolific::Operation::AddMembers);
    assert_eq!(
        (bulk.chunks_applied, bulk.chunks_total, bulk.ids_applied),
        (2, 3, 2)
    );
    assert_eq!(bulk.not_applied, ids[2..]);
}

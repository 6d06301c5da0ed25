//! Paging of the group list: 0, 1 and several pages, `_links.next`, `meta.count`, a server
//! that ignores `limit`, and lazy fetching by the stream.

use crate::support;

use futures_util::{StreamExt, TryStreamExt};
use httpmock::prelude::*;
use prolific::GroupFilter;
use serde_json::{Value, json};
use support::*;

fn groups(range: std::ops::Range<usize>) -> Vec<Value> {
    range
        .map(|i| group(&format!("g{i}"), &format!("Group {i}")))
        .collect()
}

/// Answers the page at `offset` (with limit 2) with `body`.
async fn page<'a>(server: &'a MockServer, offset: u64, body: Value) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/participant-groups/")
                .query_param("workspace_id", WORKSPACE_ID)
                .query_param("limit", "2")
                .query_param("offset", offset.to_string());
            then.status(200).json_body(body);
        })
        .await
}

async fn names(server: &MockServer) -> Vec<String> {
    client(&server.base_url())
        .participant_groups()
        .list(GroupFilter::workspace(WORKSPACE_ID))
        .page_size(2)
        .send()
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.name)
        .collect()
}

#[tokio::test]
async fn an_empty_list_takes_one_request() {
    let server = MockServer::start_async().await;
    let first = page(&server, 0, json!({"results": []})).await;
    assert!(names(&server).await.is_empty());
    first.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_short_first_page_is_the_only_page() {
    let server = MockServer::start_async().await;
    let first = page(&server, 0, json!({"results": groups(0..1)})).await;
    assert_eq!(names(&server).await, ["Group 0"]);
    first.assert_calls_async(1).await;
}

#[tokio::test]
async fn several_pages_are_read_until_a_short_one() {
    let server = MockServer::start_async().await;
    let pages = [
        page(&server, 0, json!({"results": groups(0..2)})).await,
        page(&server, 2, json!({"results": groups(2..4)})).await,
        page(&server, 4, json!({"results": groups(4..5)})).await,
    ];
    assert_eq!(
        names(&server).await,
        ["Group 0", "Group 1", "Group 2", "Group 3", "Group 4"]
    );
    for p in pages {
        p.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn a_full_last_page_ends_with_an_empty_one_or_the_count() {
    let server = MockServer::start_async().await;
    let a = page(&server, 0, json!({"results": groups(0..2)})).await;
    let b = page(&server, 2, json!({"results": groups(2..4)})).await;
    let c = page(&server, 4, json!({"results": []})).await;
    assert_eq!(names(&server).await.len(), 4);
    for p in [a, b, c] {
        p.assert_calls_async(1).await;
    }

    let server = MockServer::start_async().await;
    let a = page(
        &server,
        0,
        json!({"results": groups(0..2), "meta": {"count": 4}}),
    )
    .await;
    let b = page(
        &server,
        2,
        json!({"results": groups(2..4), "meta": {"count": 4}}),
    )
    .await;
    let c = page(&server, 4, json!({"results": []})).await;
    assert_eq!(names(&server).await.len(), 4);
    a.assert_calls_async(1).await;
    b.assert_calls_async(1).await;
    c.assert_calls_async(0).await;
}

#[tokio::test]
async fn links_next_is_followed_and_its_absence_stops() {
    let server = MockServer::start_async().await;
    let next = format!(
        "{}/api/v1/participant-groups/?workspace_id={WORKSPACE_ID}&limit=2&offset=10",
        server.base_url()
    );
    let a = page(
        &server,
        0,
        json!({"results": groups(0..2), "_links": {"next": {"href": next, "title": null}}}),
    )
    .await;
    let skipped = page(&server, 2, json!({"results": groups(2..4)})).await;
    let b = page(
        &server,
        10,
        json!({"results": groups(10..12), "_links": {"next": {"href": null, "title": null}}}),
    )
    .await;
    assert_eq!(
        names(&server).await,
        ["Group 0", "Group 1", "Group 10", "Group 11"]
    );
    a.assert_calls_async(1).await;
    b.assert_calls_async(1).await;
    skipped.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_group_shifted_onto_the_next_page_comes_once_and_in_order() {
    // A group created while paging pushes the list back by one: page 2 repeats group 1.
    let server = MockServer::start_async().await;
    let pages = [
        page(&server, 0, json!({"results": groups(0..2)})).await,
        page(&server, 2, json!({"results": groups(1..3)})).await,
        page(&server, 4, json!({"results": groups(3..4)})).await,
    ];
    assert_eq!(
        names(&server).await,
        ["Group 0", "Group 1", "Group 2", "Group 3"]
    );
    for p in pages {
        p.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn a_server_that_ignores_limit_and_offset_cannot_loop_or_repeat() {
    let server = MockServer::start_async().await;
    let all = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v1/participant-groups/");
            then.status(200).json_body(json!({"results": groups(0..5)}));
        })
        .await;
    assert_eq!(names(&server).await.len(), 5);
    // The second request (offset 5) brings nothing new, so paging stops there.
    all.assert_calls_async(2).await;
}

#[tokio::test]
async fn the_stream_fetches_pages_only_when_needed() {
    let server = MockServer::start_async().await;
    let a = page(&server, 0, json!({"results": groups(0..2)})).await;
    let b = page(&server, 2, json!({"results": groups(2..3)})).await;
    let mut stream = Box::pin(
        client(&server.base_url())
            .participant_groups()
            .list(GroupFilter::workspace(WORKSPACE_ID))
            .page_size(2)
            .stream(),
    );
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(first.name, "Group 0");
    a.assert_calls_async(1).await;
    b.assert_calls_async(0).await;
    let rest: Vec<_> = stream.map(|g| g.unwrap().name).collect().await;
    assert_eq!(rest, ["Group 1", "Group 2"]);
    b.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_error_on_a_later_page_ends_the_stream_with_it() {
    let server = MockServer::start_async().await;
    page(&server, 0, json!({"results": groups(0..2)})).await;
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("offset", "2");
            then.status(404)
                .json_body(json!({"error": {"status": 404, "title": "Not found"}}));
        })
        .await;
    let items: Vec<_> = client(&server.base_url())
        .participant_groups()
        .list(GroupFilter::workspace(WORKSPACE_ID))
        .page_size(2)
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert!(items[2].as_ref().unwrap_err().is_not_found());
}

#[tokio::test]
async fn bad_paging_input_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let groups = client(&server.base_url()).participant_groups();
    let err = groups
        .list(GroupFilter::workspace(WORKSPACE_ID))
        .page_size(0)
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("page size is zero"), "{err}");
    let err = groups
        .list(GroupFilter::workspace(""))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_validation());
}

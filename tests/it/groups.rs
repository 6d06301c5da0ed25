//! The participant-groups handle on the wire: each method's requests (count and content),
//! and invalid input refused before anything is sent.

use crate::support;

use httpmock::prelude::*;
use prolific::{Client, Error, GroupFilter, Owner};
use serde_json::json;
use support::*;

/// A mock that answers anything with 500, to prove that nothing was sent.
async fn tripwire(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await
}

fn assert_invalid(err: Error, what: &str, problem: &str) {
    match err {
        Error::InvalidInput {
            what: w,
            problem: p,
        } => {
            assert_eq!(w, what);
            assert!(
                p.starts_with(problem),
                "{p:?} should start with {problem:?}"
            );
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn client_is_cheap_to_clone_and_shareable() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Client>();
    assert_traits::<prolific::ParticipantGroups>();
}

#[tokio::test]
async fn list_sends_the_filter_and_the_first_page_request() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/participant-groups/")
                .header("authorization", AUTH)
                .query_param("project_id", "proj")
                .query_param("active", "false")
                .query_param("limit", "200")
                .query_param("offset", "0")
                .query_param_count(".*", ".*", 4);
            then.status(200).json_body(list_example());
        })
        .await;
    let groups = client(&server.base_url())
        .participant_groups()
        .list(GroupFilter::project("proj"))
        .active(false)
        .send()
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "Group 1");
}

#[tokio::test]
async fn create_sends_exactly_one_owner_and_the_options() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v1/participant-groups/")
                .json_body(json!({
                    "name": "Pilot",
                    "organisation_id": "org1",
                    "description": "first wave",
                    "participant_ids": ["a", "b"]
                }));
            then.status(201).json_body(group_example());
        })
        .await;
    let description = String::from("first wave");
    let group = client(&server.base_url())
        .participant_groups()
        .create(Owner::organisation("org1"), "Pilot")
        .description(&description)
        .participants(["a", "b", "a"])
        .send()
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(group.id, GROUP_ID);
}

#[tokio::test]
async fn create_without_participants_leaves_the_field_out() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v1/participant-groups/")
                .json_body(json!({"name": "Pilot", "workspace_id": WORKSPACE_ID}));
            then.status(201).json_body(group_example());
        })
        .await;
    client(&server.base_url())
        .participant_groups()
        .create(
            Owner::Workspace(WORKSPACE_ID.to_string()),
            String::from("Pilot"),
        )
        .send()
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn create_refuses_bad_input_before_sending() {
    let server = MockServer::start_async().await;
    let wire = tripwire(&server).await;
    let groups = client(&server.base_url()).participant_groups();
    let err = groups
        .create(Owner::workspace("w"), "  ")
        .send()
        .await
        .unwrap_err();
    assert_invalid(err, "name", "is empty");
    let err = groups
        .create(Owner::workspace(""), "n")
        .send()
        .await
        .unwrap_err();
    assert_invalid(err, "workspace id", "is empty");
    let err = groups
        .create(Owner::organisation("o"), "n")
        .participants(["ok", "bad id"])
        .send()
        .await
        .unwrap_err();
    assert_invalid(err, "participant id #2", "contains whitespace");
    wire.assert_calls_async(0).await;
}

#[tokio::test]
async fn get_delete_and_participants_address_the_group() {
    let server = MockServer::start_async().await;
    let path = format!("/api/v1/participant-groups/{GROUP_ID}/");
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path.clone())
                .header("authorization", AUTH);
            then.status(200).json_body(group_example());
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(path.clone())
                .header("authorization", AUTH);
            then.status(204);
        })
        .await;
    let members = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{path}participants/"))
                .header("authorization", AUTH);
            then.status(200).json_body(members_example());
        })
        .await;
    let groups = client(&server.base_url()).participant_groups();
    let id = String::from(GROUP_ID);

    assert_eq!(
        groups.get(&id).await.unwrap().name,
        "Passed all attention checks"
    );
    groups.delete(id.as_str()).await.unwrap();
    let list = groups.participants(id).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].participant_id, "5e9b9c9b0f9c9a0001b0b1f5");
    get.assert_calls_async(1).await;
    delete.assert_calls_async(1).await;
    members.assert_calls_async(1).await;
}

#[tokio::test]
async fn bad_group_ids_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let wire = tripwire(&server).await;
    let groups = client(&server.base_url()).participant_groups();
    for (bad, problem) in [
        ("", "is empty"),
        (" ", "contains whitespace"),
        ("a\u{0}b", "contains a control character"),
        ("..", "is a relative path segment"),
    ] {
        assert_invalid(groups.get(bad).await.unwrap_err(), "group id", problem);
        assert_invalid(groups.delete(bad).await.unwrap_err(), "group id", problem);
        assert_invalid(
            groups.participants(bad).await.unwrap_err(),
            "group id",
            problem,
        );
        assert_invalid(
            groups.update(bad).name("n").send().await.unwrap_err(),
            "group id",
            problem,
        );
        assert_invalid(
            groups.add_participants(bad, ["p"]).await.unwrap_err(),
            "group id",
            problem,
        );
    }
    wire.assert_calls_async(0).await;
}

#[tokio::test]
async fn ids_with_reserved_characters_stay_in_their_path_segment() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).is_true(|req| {
                req.uri().path() == "/api/v1/participant-groups/a%2Fb%3Fc%23d%25e/"
                    && req.uri().query().is_none()
            });
            then.status(200).json_body(group_example());
        })
        .await;
    client(&server.base_url())
        .participant_groups()
        .get("a/b?c#d%e")
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn update_renames_and_never_touches_membership() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"))
                .body(r#"{"name":"Renamed"}"#);
            then.status(200).json_body(group_example());
        })
        .await;
    let groups = client(&server.base_url()).participant_groups();
    groups
        .update(GROUP_ID)
        .name("Renamed")
        .send()
        .await
        .unwrap();
    mock.assert_calls_async(1).await;

    let err = groups.update(GROUP_ID).send().await.unwrap_err();
    assert_invalid(err, "the update", "changes nothing");
    let err = groups.update(GROUP_ID).name("").send().await.unwrap_err();
    assert_invalid(err, "name", "is empty");
    mock.assert_calls_async(1).await;
}

#[test]
fn nothing_shows_the_token() {
    let builder = Client::builder()
        .token("secret-token-value")
        .base_url("https://x.test");
    assert!(!format!("{builder:?}").contains("secret-token-value"));
    let client = builder.build().unwrap();
    let shown = format!("{client:?} {:?}", client.raw());
    assert!(!shown.contains("secret-token-value"), "{shown}");
    assert!(shown.contains("redacted"));
}

#[test]
fn configuration_errors_are_typed_and_say_what_to_do() {
    let err = Client::builder().build().unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    assert!(err.to_string().contains("PROLIFIC_TOKEN"), "{err}");
    let err = Client::builder()
        .token("t")
        .base_url("http://example.com")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("clear text"), "{err}");
    let err = Client::builder()
        .token("t")
        .base_url("not a url")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("is not a URL"), "{err}");
    let err = Client::builder().token("bad\ntoken").build().unwrap_err();
    assert!(!err.to_string().contains("bad\ntoken"));
    assert_eq!(
        Client::new("t").unwrap().base_url(),
        "https://api.prolific.com"
    );
}

#[tokio::test]
async fn user_agent_and_trailing_slash_are_applied() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"))
                .header("user-agent", "my-lab/1.0");
            then.status(200).json_body(group_example());
        })
        .await;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(format!("{}/", server.base_url()))
        .user_agent("my-lab/1.0")
        .build()
        .unwrap();
    client.participant_groups().get(GROUP_ID).await.unwrap();
    mock.assert_calls_async(1).await;
}

/// One calling rule: `.await` on a builder sends exactly what `.send()` sends, for the
/// builders that are not membership changes too (those have their own tests in `bulk`).
#[tokio::test]
async fn every_builder_can_be_awaited_as_it_is() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v1/participant-groups/")
                .header("authorization", AUTH)
                .json_body(json!({"name": "Pilot", "workspace_id": WORKSPACE_ID}));
            then.status(201).json_body(group_example());
        })
        .await;
    let rename = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"))
                .json_body(json!({"name": "Renamed"}));
            then.status(200).json_body(group_example());
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/participant-groups/")
                .query_param("workspace_id", WORKSPACE_ID);
            then.status(200).json_body(list_example());
        })
        .await;
    let groups = client(&server.base_url()).participant_groups();

    let created = groups
        .create(Owner::workspace(WORKSPACE_ID), "Pilot")
        .await
        .unwrap();
    assert_eq!(created.id, GROUP_ID);
    let renamed = groups.update(GROUP_ID).name("Renamed").await.unwrap();
    assert_eq!(renamed.id, GROUP_ID);
    let listed = groups
        .list(GroupFilter::workspace(WORKSPACE_ID))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Group 1");

    create.assert_calls_async(1).await;
    rename.assert_calls_async(1).await;
    list.assert_calls_async(1).await;
}

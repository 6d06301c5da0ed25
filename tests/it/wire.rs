//! The generated client on the wire: one test per operation asserting the exact request
//! (method, path, query, `Authorization` and `api-version`, JSON body) and decoding the docs'
//! example answer.

use crate::support;

use chrono::{TimeZone, Utc};
use httpmock::prelude::*;
use prolific::types;
use serde_json::json;
use support::*;

#[tokio::test]
async fn list_participant_groups_sends_the_flat_filter_and_paging() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/participant-groups/")
                .header("authorization", AUTH)
                .header("api-version", "1.0.0")
                .header("accept", "application/json")
                .query_param("workspace_id", WORKSPACE_ID)
                .query_param("active", "true")
                .query_param("limit", "50")
                .query_param("offset", "100")
                .query_param_count(".*", ".*", 4);
            then.status(200).json_body(list_example());
        })
        .await;
    let client = client(&server.base_url());
    let page = client
        .raw()
        .list_participant_groups()
        .workspace_id(WORKSPACE_ID)
        .active(true)
        .limit(50u64)
        .offset(100u64)
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_async().await;

    assert_eq!(page.results.len(), 1);
    let group = &page.results[0];
    assert_eq!(group.id, "5e9b9c9b0f9c9a0001b0b1f5");
    assert_eq!(group.name, "Group 1");
    assert_eq!(
        group.description.as_deref(),
        Some("My first participant group")
    );
    assert_eq!(group.participant_count, Some(10));
    assert_eq!(group.is_deleted, Some(false));
    assert_eq!(group.project_id, None);
    let study = &group.feeder_studies.as_ref().unwrap()[0];
    assert_eq!(study.status.as_deref(), Some("COMPLETED"));
    let code = &study.feeder_completion_codes.as_ref().unwrap()[0];
    assert_eq!(code.code.as_deref(), Some("AJVRH234"));
    assert_eq!(code.action.as_deref(), Some("ADD_TO_PARTICIPANT_GROUP"));
    assert!(page.links.is_none() && page.meta.is_none());
}

#[tokio::test]
async fn list_participant_groups_by_project_sends_only_project_id() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/participant-groups/")
                .query_param("project_id", "p1")
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(json!({"results": []}));
        })
        .await;
    let page = client(&server.base_url())
        .raw()
        .list_participant_groups()
        .project_id("p1")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert!(page.results.is_empty());
}

#[tokio::test]
async fn create_participant_group_posts_the_body_and_decodes_201() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v1/participant-groups/")
                .header("authorization", AUTH)
                .header("api-version", "1.0.0")
                .header("content-type", "application/json")
                .query_param_count(".*", ".*", 0)
                .json_body(json!({
                    "name": "Passed all attention checks",
                    "workspace_id": WORKSPACE_ID,
                    "description": "Participants who passed all attention checks",
                    "participant_ids": ["5e9b9c9b0f9c9a0001b0b1f4"]
                }));
            then.status(201).json_body(group_example());
        })
        .await;
    let answer = client(&server.base_url())
        .raw()
        .create_participant_group()
        .body(
            types::CreateParticipantGroup::builder()
                .name("Passed all attention checks")
                .workspace_id(Some(WORKSPACE_ID.to_owned()))
                .description(Some(
                    "Participants who passed all attention checks".to_owned(),
                ))
                .participant_ids(vec!["5e9b9c9b0f9c9a0001b0b1f4".to_owned()]),
        )
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(answer.status(), 201);
    assert_eq!(answer.id, GROUP_ID);
    assert_eq!(answer.workspace_id.as_deref(), Some(WORKSPACE_ID));
}

#[tokio::test]
async fn get_participant_group_reads_one_group() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"))
                .header("authorization", AUTH)
                .header("api-version", "1.0.0")
                .query_param_count(".*", ".*", 0);
            then.status(200).json_body(group_example());
        })
        .await;
    let group = client(&server.base_url())
        .raw()
        .get_participant_group()
        .id(GROUP_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_async().await;
    assert_eq!(group.name, "Passed all attention checks");
    assert_eq!(group.feeder_studies, Some(vec![]));
    // The update page's example has no `is_deleted`.
    assert_eq!(group.is_deleted, None);
}

#[tokio::test]
async fn update_participant_group_patches_only_what_is_set() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"))
                .header("authorization", AUTH)
                .header("api-version", "1.0.0")
                .json_body(json!({"name": "Passed all attention checks"}));
            then.status(200).json_body(group_example());
        })
        .await;
    let group = client(&server.base_url())
        .raw()
        .update_participant_group()
        .id(GROUP_ID)
        .body(
            types::UpdateParticipantGroup::builder()
                .name(Some("Passed all attention checks".to_owned())),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_async().await;
    assert_eq!(group.participant_count, Some(0));
}

#[tokio::test]
async fn update_with_an_empty_participant_list_sends_the_empty_list() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"))
                .body(r#"{"participant_ids":[]}"#);
            then.status(200).json_body(group_example());
        })
        .await;
    client(&server.base_url())
        .raw()
        .update_participant_group()
        .id(GROUP_ID)
        .body(types::UpdateParticipantGroup::builder().participant_ids(Some(vec![])))
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn delete_participant_group_expects_204() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"))
                .header("authorization", AUTH)
                .header("api-version", "1.0.0")
                .body("");
            then.status(204);
        })
        .await;
    let answer = client(&server.base_url())
        .raw()
        .delete_participant_group()
        .id(GROUP_ID)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(answer.status(), 204);
}

#[tokio::test]
async fn list_participant_group_members_decodes_memberships() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!(
                    "/api/v1/participant-groups/{GROUP_ID}/participants/"
                ))
                .header("authorization", AUTH)
                .header("api-version", "1.0.0")
                .query_param_count(".*", ".*", 0);
            then.status(200).json_body(members_example());
        })
        .await;
    let members = client(&server.base_url())
        .raw()
        .list_participant_group_members()
        .id(GROUP_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_async().await;
    assert_eq!(
        members.results,
        vec![
            types::Membership::builder()
                .participant_id("5e9b9c9b0f9c9a0001b0b1f5")
                .datetime_created(Some(Utc.with_ymd_and_hms(2020, 4, 20, 12, 0, 0).unwrap()))
                .try_into()
                .unwrap()
        ]
    );
}

#[tokio::test]
async fn add_participant_group_members_posts_the_ids() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!(
                    "/api/v1/participant-groups/{GROUP_ID}/participants/"
                ))
                .header("authorization", AUTH)
                .header("api-version", "1.0.0")
                .header("content-type", "application/json")
                .json_body(json!({"participant_ids": THREE_IDS}));
            then.status(200).json_body(members_example());
        })
        .await;
    let members = client(&server.base_url())
        .raw()
        .add_participant_group_members()
        .id(GROUP_ID)
        .body(
            types::ParticipantIds::builder().participant_ids(THREE_IDS.map(String::from).to_vec()),
        )
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(
        members.results[0].participant_id,
        "5e9b9c9b0f9c9a0001b0b1f5"
    );
}

#[tokio::test]
async fn remove_participant_group_members_deletes_with_a_json_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(format!(
                    "/api/v1/participant-groups/{GROUP_ID}/participants/"
                ))
                .header("authorization", AUTH)
                .header("api-version", "1.0.0")
                .header("content-type", "application/json")
                .json_body(json!({"participant_ids": THREE_IDS}));
            then.status(200).json_body(members_example());
        })
        .await;
    let members = client(&server.base_url())
        .raw()
        .remove_participant_group_members()
        .id(GROUP_ID)
        .body(
            types::ParticipantIds::builder().participant_ids(THREE_IDS.map(String::from).to_vec()),
        )
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(members.results.len(), 1);
}

#[test]
fn a_group_with_null_in_every_nullable_field_decodes() {
    let group: types::ParticipantGroup = serde_json::from_value(json!({
        "id": GROUP_ID, "name": "n", "description": null, "workspace_id": null,
        "organisation_id": null, "project_id": null, "feeder_studies": null,
        "participant_count": null, "is_deleted": null
    }))
    .unwrap();
    assert_eq!(
        group,
        // Through the builder, as a downstream crate builds one: every field not set is `None`.
        types::ParticipantGroup::builder()
            .id(GROUP_ID)
            .name("n")
            .try_into()
            .unwrap()
    );
}

#[test]
fn a_group_with_only_id_and_name_decodes_and_without_them_fails() {
    let group: types::ParticipantGroup =
        serde_json::from_value(json!({"id": GROUP_ID, "name": "n"})).unwrap();
    assert_eq!((group.id.as_str(), group.name.as_str()), (GROUP_ID, "n"));
    assert_eq!(group.participant_count, None);
    let missing = serde_json::from_value::<types::ParticipantGroup>(json!({"name": "n"}));
    assert!(
        missing
            .unwrap_err()
            .to_string()
            .contains("missing field `id`")
    );
}

#[test]
fn a_group_with_unknown_fields_decodes() {
    let group: types::ParticipantGroup = serde_json::from_value(json!({
        "id": GROUP_ID, "name": "n", "colour": "blue", "tags": [1, 2], "nested": {"a": null}
    }))
    .unwrap();
    assert_eq!(group.name, "n");
}

#[test]
fn the_error_envelope_decodes_with_each_detail_shape() {
    let decode = |detail: serde_json::Value| -> types::ErrorResponse {
        serde_json::from_value(json!({"error": {
            "status": 400, "error_code": 140001, "title": "Invalid request",
            "detail": detail, "additional_information": "/api/v1/errors/140001",
            "traceback": null, "interactive": false
        }}))
        .unwrap()
    };
    let text = decode(json!("Not allowed."));
    assert_eq!(
        text.error.as_ref().unwrap().detail,
        Some(types::ErrorDetail::String("Not allowed.".into()))
    );
    assert_eq!(
        text.error.as_ref().unwrap().error_code,
        Some(types::ErrorBodyErrorCode::Int64(140001))
    );
    let list = decode(json!(["first", "second"]));
    assert_eq!(
        list.error.unwrap().detail,
        Some(types::ErrorDetail::Array(vec![
            "first".into(),
            "second".into()
        ]))
    );
    let fields = decode(json!({"name": ["This field is required."], "workspace_id": "Bad id."}));
    let Some(types::ErrorDetail::Object(map)) = fields.error.unwrap().detail else {
        panic!("a field map");
    };
    assert_eq!(
        map["name"],
        types::ErrorDetailObjectValue::Array(vec!["This field is required.".into()])
    );
    assert_eq!(
        map["workspace_id"],
        types::ErrorDetailObjectValue::String("Bad id.".into())
    );

    // The flat shape some endpoints use.
    let flat: types::ErrorResponse =
        serde_json::from_value(json!({"message": "Not found", "detail": "No such group"})).unwrap();
    assert_eq!(flat.message.as_deref(), Some("Not found"));
    assert_eq!(
        flat.detail,
        Some(types::ErrorDetail::String("No such group".into()))
    );
}

/// Every [`prolific::Operation`] is reached through the wrapper, with its method and path (the
/// crate's own tests tie the enum to the spec).
#[cfg(feature = "fake")]
#[tokio::test]
async fn the_wrapper_reaches_every_operation() {
    use prolific::{GroupFilter, Operation, Owner, fake::FakeProlific};

    let fake = FakeProlific::start().await.unwrap();
    let groups = fake.client().participant_groups();
    let id = fake.seed_groups(WORKSPACE_ID, 1).remove(0);
    let collection = "/api/v1/participant-groups/".to_owned();
    let group = format!("/api/v1/participant-groups/{id}/");
    let members = format!("/api/v1/participant-groups/{id}/participants/");
    let messages = "/api/v1/messages/participant-group/".to_owned();
    for &operation in Operation::ALL {
        fake.clear_requests();
        let (method, path) = match operation {
            Operation::ListGroups => {
                groups
                    .list(GroupFilter::workspace(WORKSPACE_ID))
                    .send()
                    .await
                    .unwrap();
                ("GET", &collection)
            }
            Operation::CreateGroup => {
                groups
                    .create(Owner::workspace(WORKSPACE_ID), "New")
                    .send()
                    .await
                    .unwrap();
                ("POST", &collection)
            }
            Operation::GetGroup => {
                groups.get(&id).await.unwrap();
                ("GET", &group)
            }
            Operation::UpdateGroup => {
                groups.update(&id).name("Renamed").send().await.unwrap();
                ("PATCH", &group)
            }
            Operation::DeleteGroup => {
                groups.delete(&id).await.unwrap();
                ("DELETE", &group)
            }
            Operation::ListMembers => {
                groups.participants(&id).await.unwrap();
                ("GET", &members)
            }
            Operation::AddMembers => {
                groups.add_participants(&id, ["p1"]).send().await.unwrap();
                ("POST", &members)
            }
            Operation::RemoveMembers => {
                groups
                    .remove_participants(&id, ["p1"])
                    .send()
                    .await
                    .unwrap();
                ("DELETE", &members)
            }
            Operation::MessageGroup => {
                groups.message(&id, "Hello").send().await.unwrap();
                ("POST", &messages)
            }
            _ => panic!("{operation}: reach the new operation through the wrapper here"),
        };
        let requests = fake.requests();
        assert_eq!(requests.len(), 1, "{operation}: {requests:?}");
        assert_eq!(
            (requests[0].method.as_str(), &requests[0].path),
            (method, path),
            "{operation}"
        );
        // Every request names the library and its version.
        assert_eq!(
            requests[0].header("referer"),
            Some(prolific::DEFAULT_REFERER),
            "{operation}"
        );
    }
}

#[tokio::test]
async fn the_referer_names_the_crate_and_its_version_or_the_application() {
    assert_eq!(
        prolific::DEFAULT_REFERER,
        format!(
            "https://crates.io/crates/prolific/{}",
            env!("CARGO_PKG_VERSION")
        )
    );
    let server = MockServer::start_async().await;
    let app = "https://lab.example.org/recruitment-tool";
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"))
                .header("referer", app)
                .header_count("referer", ".*", 1)
                .header(
                    "user-agent",
                    concat!("prolific-rust/", env!("CARGO_PKG_VERSION")),
                );
            then.status(200).json_body(group_example());
        })
        .await;
    let client = prolific::Client::builder()
        .base_url(server.base_url())
        .token(TOKEN)
        .referer(app)
        .build()
        .unwrap();
    client.participant_groups().get(GROUP_ID).await.unwrap();
    // The raw client sends it too.
    client
        .raw()
        .get_participant_group()
        .id(GROUP_ID)
        .send()
        .await
        .unwrap();
    mock.assert_calls_async(2).await;

    let err = prolific::Client::builder()
        .token(TOKEN)
        .referer("not a url")
        .build()
        .unwrap_err();
    assert!(
        matches!(err, prolific::Error::Config(ref m) if m.contains("referer")),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_referer_stays_the_crates_after_a_redirect() {
    let server = MockServer::start_async().await;
    let moved = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v1/participant-groups/{GROUP_ID}/"));
            then.status(301).header("location", "/elsewhere/");
        })
        .await;
    let target = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/elsewhere/")
                .header("referer", prolific::DEFAULT_REFERER);
            then.status(200).json_body(group_example());
        })
        .await;
    let group = client(&server.base_url())
        .participant_groups()
        .get(GROUP_ID)
        .await
        .unwrap();
    assert_eq!(group.id, GROUP_ID);
    moved.assert_async().await;
    target.assert_async().await;
}

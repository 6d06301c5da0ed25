//! Groups by name: `find_by_name` and `get_or_create` read every page of live groups only,
//! never pick a deleted group, and refuse to guess between two live ones.

use crate::support;

use httpmock::prelude::*;
use prolific::GroupFilter;
#[cfg(feature = "fake")]
use prolific::{Error, Owner, fake::FakeProlific};
use serde_json::json;
use support::*;

/// A fake holding a deleted "Target", four groups of other (near) names, and a live "Target"
/// made last.
#[cfg(feature = "fake")]
async fn fake_with_a_deleted_twin() -> (FakeProlific, String, String) {
    let fake = FakeProlific::start().await.unwrap();
    let deleted = fake.seed_group(WORKSPACE_ID, "Target");
    fake.client()
        .participant_groups()
        .delete(&deleted)
        .await
        .unwrap();
    fake.seed_groups_named(WORKSPACE_ID, ["A", "B", "target", "Target "]);
    let live = fake.seed_group(WORKSPACE_ID, "Target");
    fake.clear_requests();
    (fake, deleted, live)
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn find_by_name_reads_every_page_of_live_groups_and_skips_the_deleted_twin() {
    let (fake, deleted, live) = fake_with_a_deleted_twin().await;
    let groups = fake.client().participant_groups();
    let found = groups
        .find_by_name(GroupFilter::workspace(WORKSPACE_ID), "Target")
        .await
        .unwrap()
        .expect("the live group");
    assert_eq!(found.id, live);
    assert_ne!(found.id, deleted);
    assert_eq!(found.is_deleted, Some(false));
    // One page of 200 holds them all; the request asks for live groups only.
    let sent = fake.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].query.as_deref(),
        Some(format!("active=true&limit=200&offset=0&workspace_id={WORKSPACE_ID}").as_str())
    );
    // Names match exactly: not case-insensitively, not trimmed.
    for other in ["TARGET", "Target  ", "Targ"] {
        let none = groups
            .find_by_name(GroupFilter::workspace(WORKSPACE_ID), other)
            .await
            .unwrap();
        assert_eq!(none, None, "{other:?}");
    }
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn find_by_name_follows_every_page() {
    // 450 groups, the live match last: it is on the third page of 200.
    let fake = FakeProlific::start().await.unwrap();
    fake.seed_groups(WORKSPACE_ID, 449);
    let live = fake.seed_group(WORKSPACE_ID, "Last");
    let found = fake
        .client()
        .participant_groups()
        .find_by_name(GroupFilter::workspace(WORKSPACE_ID), "Last")
        .await
        .unwrap();
    assert_eq!(found.map(|g| g.id), Some(live));
    let offsets: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| r.query.clone().unwrap())
        .collect();
    assert_eq!(
        offsets,
        [0, 200, 400]
            .map(|o| format!("active=true&limit=200&offset={o}&workspace_id={WORKSPACE_ID}"))
    );
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn only_a_deleted_group_of_the_name_is_not_found() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Gone");
    let groups = fake.client().participant_groups();
    groups.delete(&id).await.unwrap();
    let found = groups
        .find_by_name(GroupFilter::workspace(WORKSPACE_ID), "Gone")
        .await
        .unwrap();
    assert_eq!(found, None);
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn two_live_groups_of_the_name_are_an_error_naming_both() {
    let fake = FakeProlific::start().await.unwrap();
    let ids = fake.seed_groups_named(WORKSPACE_ID, ["Twin", "Other", "Twin"]);
    let groups = fake.client().participant_groups();
    let err = groups
        .find_by_name(GroupFilter::workspace(WORKSPACE_ID), "Twin")
        .await
        .unwrap_err();
    match &err {
        Error::DuplicateName { name, group_ids } => {
            assert_eq!(name, "Twin");
            assert_eq!(group_ids, &[ids[0].clone(), ids[2].clone()]);
        }
        other => panic!("expected DuplicateName, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains(&ids[0]) && message.contains(&ids[2]),
        "{message}"
    );
    assert!(
        message.contains("2 live groups are named \"Twin\""),
        "{message}"
    );

    // get_or_create refuses the same way, and creates nothing.
    fake.clear_requests();
    let err = groups
        .get_or_create(Owner::workspace(WORKSPACE_ID), "Twin")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DuplicateName { .. }), "{err:?}");
    assert!(fake.requests().iter().all(|r| r.method == "GET"));
    assert_eq!(fake.groups().len(), 3);
}

#[tokio::test]
async fn a_server_that_ignores_active_still_never_yields_a_deleted_group() {
    let server = MockServer::start_async().await;
    let mut deleted = group(GROUP_ID, "Target");
    deleted["is_deleted"] = json!(true);
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/participant-groups/")
                .query_param("workspace_id", WORKSPACE_ID)
                .query_param("active", "true");
            then.status(200).json_body(json!({ "results": [deleted] }));
        })
        .await;
    let found = client(&server.base_url())
        .participant_groups()
        .find_by_name(GroupFilter::workspace(WORKSPACE_ID), "Target")
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(found, None);
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn get_or_create_returns_the_live_group_unchanged() {
    let (fake, _deleted, live) = fake_with_a_deleted_twin().await;
    fake.seed_members(&live, ["p1"]);
    let group = fake
        .client()
        .participant_groups()
        .get_or_create(Owner::workspace(WORKSPACE_ID), "Target")
        .description("ignored: the group exists")
        .participants(["p2", "p3"])
        .send()
        .await
        .unwrap();
    assert_eq!(group.id, live);
    assert_eq!(group.participant_count, Some(1));
    // Only reads went out.
    let sent = fake.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].method, "GET");
    let state = fake.group(&live).unwrap();
    assert_eq!(state.members.len(), 1);
    assert_eq!(state.group.description, None);
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn get_or_create_makes_a_new_group_when_only_a_deleted_one_has_the_name() {
    let fake = FakeProlific::start().await.unwrap();
    let deleted = fake.seed_group(WORKSPACE_ID, "Session 2");
    let groups = fake.client().participant_groups();
    groups.delete(&deleted).await.unwrap();
    fake.clear_requests();

    let group = groups
        .get_or_create(Owner::workspace(WORKSPACE_ID), "Session 2")
        .description("Everyone from session 1")
        .participants(["p1", "p2", "p1"])
        .await
        .unwrap();
    assert_ne!(group.id, deleted);
    assert_eq!(group.name, "Session 2");
    assert_eq!(group.participant_count, Some(2));

    let sent = fake.requests();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(
        (sent[0].method.as_str(), sent[1].method.as_str()),
        ("GET", "POST")
    );
    assert_eq!(sent[1].path, "/api/v1/participant-groups/");
    assert_eq!(
        sent[1].body,
        Some(json!({
            "name": "Session 2",
            "workspace_id": WORKSPACE_ID,
            "description": "Everyone from session 1",
            "participant_ids": ["p1", "p2"],
        }))
    );
    // The deleted group is still deleted and untouched.
    assert_eq!(fake.group(&deleted).unwrap().group.is_deleted, Some(true));
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn get_or_create_refuses_bad_input_before_sending() {
    let fake = FakeProlific::start().await.unwrap();
    let groups = fake.client().participant_groups();

    let err = groups
        .get_or_create(Owner::organisation("5e9b9c9b0f9c9a0001b1ca30"), "Pilot")
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::InvalidInput { what, problem } => {
            assert_eq!(what, "owner");
            assert!(problem.contains("workspace"), "{problem}");
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }

    let err = groups
        .get_or_create(Owner::workspace(WORKSPACE_ID), "Pilot")
        .participants(["ok", "not ok"])
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");

    let err = groups
        .find_by_name(GroupFilter::workspace(WORKSPACE_ID), "  ")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref what, .. } if what == "name"),
        "{err:?}"
    );

    assert_eq!(fake.requests(), []);
    assert_eq!(fake.groups(), []);
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn the_outcome_says_whether_the_group_was_found_or_created() {
    let fake = FakeProlific::start().await.unwrap();
    let groups = fake.client().participant_groups();
    let ask = || groups.get_or_create(Owner::workspace(WORKSPACE_ID), "Wave 2");
    let first = ask()
        .participants(["p1"])
        .send_with_outcome()
        .await
        .unwrap();
    assert!(first.was_created(), "{first:?}");
    let second = ask()
        .participants(["p2"])
        .send_with_outcome()
        .await
        .unwrap();
    assert!(!second.was_created(), "{second:?}");
    let id = first.into_group().id;
    assert_eq!(
        second,
        prolific::GetOrCreateOutcome::Found(fake.group(&id).unwrap().group)
    );
    // The found group kept its members: p2 was not added.
    assert_eq!(support::fake::member_ids(&fake, &id), ["p1"]);
}

//! `sync_participants` on the wire: it reads the members, sends every POST before any DELETE,
//! never PATCHes, sends exactly the missing and the extra ids, writes nothing on a dry run or
//! for a group in shape, and a sync that stopped part way is finished by running it again.

use crate::support;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use prolific::{
    Error, Operation, Progress,
    fake::{FakeProlific, Fault, RecordedRequest},
};
use serde_json::Value;
use support::*;

/// A fake with one group holding `members`; returns the fake, the group id and a client that
/// does not retry.
async fn group_with(members: &[&str]) -> (FakeProlific, String, prolific::Client) {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Session 2");
    fake.seed_members(&id, members.iter().copied());
    let client = support::fake::client(&fake);
    (fake, id, client)
}

/// The group's member ids, sorted.
fn members_of(fake: &FakeProlific, id: &str) -> Vec<String> {
    let mut ids = support::fake::member_ids(fake, id);
    ids.sort();
    ids
}

/// The ids of a request's body.
fn body_ids(request: &RecordedRequest) -> Vec<String> {
    match &request.body {
        Some(Value::Object(body)) => {
            serde_json::from_value(body["participant_ids"].clone()).unwrap()
        }
        other => panic!("no participant_ids in {other:?}"),
    }
}

fn strings(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

#[tokio::test]
async fn sync_reads_then_adds_every_chunk_then_removes_and_never_patches() {
    let (fake, id, client) = group_with(&["a", "b", "c", "d", "e"]).await;
    let report = client
        .participant_groups()
        // "f" twice: repeated ids count once.
        .sync_participants(&id, ["c", "f", "a", "g", "f", "h", "i"])
        .chunk_size(2)
        .send()
        .await
        .unwrap();
    assert_eq!(report.added, strings(&["f", "g", "h", "i"]));
    assert_eq!(report.removed, strings(&["b", "d", "e"]));
    assert_eq!(report.unchanged, 2);

    let members_path = format!("/api/v1/participant-groups/{id}/participants/");
    let sent = fake.requests();
    let shape: Vec<(&str, &str)> = sent
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    let m = members_path.as_str();
    assert_eq!(
        shape,
        [
            ("GET", m),
            ("POST", m),
            ("POST", m),
            ("DELETE", m),
            ("DELETE", m)
        ]
    );
    assert_eq!(body_ids(&sent[1]), strings(&["f", "g"]));
    assert_eq!(body_ids(&sent[2]), strings(&["h", "i"]));
    assert_eq!(body_ids(&sent[3]), strings(&["b", "d"]));
    assert_eq!(body_ids(&sent[4]), strings(&["e"]));
    assert_eq!(
        members_of(&fake, &id),
        strings(&["a", "c", "f", "g", "h", "i"])
    );
}

#[tokio::test]
async fn a_dry_run_only_reads_and_reports_what_a_sync_would_do() {
    let (fake, id, client) = group_with(&["a", "b"]).await;
    let groups = client.participant_groups();
    let plan = groups
        .sync_participants(&id, ["b", "c"])
        .dry_run(true)
        .await
        .unwrap();
    let sent = fake.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].method, "GET");
    assert_eq!(members_of(&fake, &id), strings(&["a", "b"]));

    // The real sync does what the dry run said.
    let done = groups.sync_participants(&id, ["b", "c"]).await.unwrap();
    assert_eq!(plan, done);
    assert_eq!(
        (plan.added, plan.removed, plan.unchanged),
        (strings(&["c"]), strings(&["a"]), 1)
    );
}

#[tokio::test]
async fn a_group_in_shape_gets_no_write() {
    let (fake, id, client) = group_with(&["a", "b", "c"]).await;
    let report = client
        .participant_groups()
        .sync_participants(&id, ["c", "b", "a", "a"])
        .on_progress(|p| panic!("nothing to send, yet progress {p:?}"))
        .await
        .unwrap();
    assert_eq!(
        (report.added.len(), report.removed.len(), report.unchanged),
        (0, 0, 3)
    );
    let methods: Vec<String> = fake.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["GET"]);
}

#[tokio::test]
async fn syncing_to_an_empty_list_removes_everyone_with_deletes() {
    let (fake, id, client) = group_with(&["a", "b", "c"]).await;
    let report = client
        .participant_groups()
        .sync_participants(&id, Vec::<String>::new())
        .await
        .unwrap();
    assert_eq!(report.removed, strings(&["a", "b", "c"]));
    let methods: Vec<String> = fake.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["GET", "DELETE"]);
    assert!(members_of(&fake, &id).is_empty());
}

#[tokio::test]
async fn progress_counts_both_steps_as_one_sync() {
    let (_fake, id, client) = group_with(&["x", "y"]).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    client
        .participant_groups()
        .sync_participants(&id, ["a", "b", "c"])
        .chunk_size(2)
        .on_progress(move |p: Progress| log.lock().unwrap().push(p))
        .await
        .unwrap();
    let seen: Vec<(usize, usize, usize, usize)> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|p| (p.chunks_done, p.chunks_total, p.ids_done, p.ids_total))
        .collect();
    // Two chunks of additions (2 + 1 ids), then one of removals (2 ids).
    assert_eq!(seen, [(1, 3, 2, 5), (2, 3, 3, 5), (3, 3, 5, 5)]);
}

#[tokio::test]
async fn a_failed_addition_says_what_was_applied_removes_nothing_and_a_rerun_finishes() {
    let (fake, id, client) = group_with(&["old1", "old2", "keep"]).await;
    fake.inject_on(Operation::AddMembers, 1, Fault::status(503).unwrap());
    fake.clear_requests();
    let groups = client.participant_groups();
    let target = ["keep", "new1", "new2", "new3"];
    let err = groups
        .sync_participants(&id, target)
        .chunk_size(2)
        .send()
        .await
        .unwrap_err();
    let bulk = err.bulk().expect("a bulk report");
    assert_eq!(bulk.operation, Operation::AddMembers);
    assert_eq!(
        (bulk.chunks_applied, bulk.chunks_total, bulk.ids_applied),
        (0, 2, 0)
    );
    assert_eq!(bulk.not_applied, strings(&["new1", "new2", "new3"]));
    assert_eq!(bulk.not_started, strings(&["old1", "old2"]));
    assert!(bulk.applied_before.is_empty());
    let message = err.to_string();
    assert!(
        message.contains("the removals meant to follow (2 ids) were not started"),
        "{message}"
    );
    assert!(
        message.contains("running the same change again finishes it"),
        "{message}"
    );
    // Nobody was removed.
    assert!(fake.requests().iter().all(|r| r.method != "DELETE"));
    assert_eq!(members_of(&fake, &id), strings(&["keep", "old1", "old2"]));

    let report = groups
        .sync_participants(&id, target)
        .chunk_size(2)
        .await
        .unwrap();
    assert_eq!(report.added, strings(&["new1", "new2", "new3"]));
    assert_eq!(
        members_of(&fake, &id),
        strings(&["keep", "new1", "new2", "new3"])
    );
}

#[tokio::test]
async fn a_failed_removal_says_what_was_applied_and_a_rerun_finishes() {
    let (fake, id, client) = group_with(&["old1", "old2", "old3", "keep"]).await;
    // The first chunk of removals goes through (a delay of nothing), the second fails.
    fake.inject_on(Operation::RemoveMembers, 1, Fault::delay(Duration::ZERO));
    fake.inject_on(Operation::RemoveMembers, 1, Fault::status(500).unwrap());
    let groups = client.participant_groups();
    let err = groups
        .sync_participants(&id, ["keep", "new", "new2"])
        .chunk_size(2)
        .send()
        .await
        .unwrap_err();
    let bulk = err.bulk().expect("a bulk report");
    assert_eq!(bulk.operation, Operation::RemoveMembers);
    assert_eq!(
        (bulk.chunks_applied, bulk.chunks_total, bulk.ids_applied),
        (1, 2, 2)
    );
    assert_eq!(bulk.not_applied, strings(&["old3"]));
    assert!(bulk.not_started.is_empty());
    assert_eq!(bulk.applied_before, strings(&["new", "new2"]));
    let message = err.to_string();
    assert!(
        message.contains("the additions before them (2 ids) were all applied"),
        "{message}"
    );
    assert_eq!(
        members_of(&fake, &id),
        strings(&["keep", "new", "new2", "old3"])
    );

    let report = groups
        .sync_participants(&id, ["keep", "new", "new2"])
        .await
        .unwrap();
    assert_eq!(report.added, Vec::<String>::new());
    assert_eq!(report.removed, strings(&["old3"]));
    assert_eq!(members_of(&fake, &id), strings(&["keep", "new", "new2"]));
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let (fake, id, client) = group_with(&["a"]).await;
    let groups = client.participant_groups();
    let cases = [
        groups.sync_participants(&id, ["a", ""]).send().await,
        groups
            .sync_participants(&id, ["a"])
            .chunk_size(0)
            .send()
            .await,
        groups.sync_participants("", ["a"]).send().await,
    ];
    for result in cases {
        assert!(
            matches!(result, Err(Error::InvalidInput { .. })),
            "{result:?}"
        );
    }
    assert_eq!(fake.requests(), []);
}

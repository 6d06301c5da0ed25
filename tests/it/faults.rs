//! Retries, timeouts and idempotency against the local Prolific's fault injection: each
//! fault gives its documented outcome, `Retry-After` is honoured, and create is never
//! duplicated.

use crate::support::{
    self, WORKSPACE_ID,
    fake::{retrying_builder, retrying_client},
};

use std::time::{Duration, Instant, SystemTime};

use prolific::{
    Client, Error, GroupFilter, Owner, RetryPolicy,
    fake::{FakeProlific, Fault, Operation},
};

/// A fake with one group, and the group's id.
async fn fake_with_group() -> (FakeProlific, String) {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_groups(WORKSPACE_ID, 1).remove(0);
    fake.clear_requests();
    (fake, id)
}

/// Each retryable fault, once, then success after exactly one retry: two requests. Through
/// the wrapper, and through the generated client used on its own (`Client::raw`), which
/// retries by the same policy, re-sending copies of the request.
#[tokio::test]
async fn each_transient_fault_is_retried_to_success() {
    let faults = || {
        [
            ("500", Fault::status(500).unwrap()),
            ("502", Fault::status(502).unwrap()),
            ("503", Fault::status(503).unwrap()),
            ("504", Fault::status(504).unwrap()),
            ("408", Fault::status(408).unwrap()),
            ("429", Fault::rate_limited(None)),
            ("html 502", Fault::non_json(502).unwrap()),
            ("dropped connection", Fault::drop_connection()),
            ("truncated body", Fault::truncated_body()),
        ]
    };
    for raw in [false, true] {
        for (name, fault) in faults() {
            let (fake, id) = fake_with_group().await;
            let client = retrying_client(&fake, 2);
            fake.inject(fault);
            let got = if raw {
                let group = client.raw().get_participant_group().id(&id).send().await;
                group.map(|g| g.into_inner().id).ok()
            } else {
                client
                    .participant_groups()
                    .get(&id)
                    .await
                    .map(|g| g.id)
                    .ok()
            };
            assert_eq!(got, Some(id.clone()), "{name} (raw: {raw})");
            assert_eq!(
                fake.requests().len(),
                2,
                "{name} (raw: {raw}): one failure, one retry"
            );
            assert_eq!(client.retries(), 1, "{name} (raw: {raw})");
        }
    }
}

/// The generated client used on its own stops at the retry limit too, with the last answer.
#[tokio::test]
async fn the_raw_client_stops_at_the_retry_limit() {
    let (fake, id) = fake_with_group().await;
    fake.inject_n(5, Fault::status(503).unwrap());
    let err = retrying_client(&fake, 2)
        .raw()
        .get_participant_group()
        .id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test]
async fn retries_stop_at_the_limit_with_the_last_error() {
    let (fake, id) = fake_with_group().await;
    fake.inject_n(5, Fault::status(503).unwrap());
    let err = retrying_client(&fake, 2)
        .participant_groups()
        .get(&id)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.api().unwrap().attempts, 3);
    assert!(err.to_string().ends_with("(after 3 attempts)"), "{err}");
    assert_eq!(fake.requests().len(), 3);
    assert_eq!(fake.faults_pending(), 2);
}

#[tokio::test]
async fn retry_policy_none_gives_each_fault_as_its_typed_error() {
    let (fake, id) = fake_with_group().await;
    let groups = support::fake::client(&fake).participant_groups();

    fake.inject(Fault::non_json(502).unwrap());
    let err = groups.get(&id).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status, 502);
    assert!(api.excerpt.as_deref().unwrap().contains("<html"), "{api:?}");

    fake.inject(Fault::drop_connection());
    let err = groups.get(&id).await.unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");

    fake.inject(Fault::truncated_body());
    let err = groups.get(&id).await.unwrap_err();
    assert!(
        matches!(err, Error::Connection { .. } | Error::Decode { .. }),
        "{err:?}"
    );

    fake.inject(Fault::rate_limited_after_secs(7));
    let err = groups.get(&id).await.unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(fake.requests().len(), 4);
}

#[tokio::test]
async fn retry_after_is_honoured_in_seconds_and_as_a_date() {
    let (fake, id) = fake_with_group().await;
    let client = retrying_client(&fake, 2);
    fake.inject(Fault::rate_limited_after_secs(1));
    let start = Instant::now();
    client.participant_groups().get(&id).await.unwrap();
    let waited = start.elapsed();
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");

    // An HTTP date has whole seconds: ask for 2 s from now, expect a wait of more than 0.9 s.
    fake.inject(Fault::rate_limited_until(
        SystemTime::now() + Duration::from_secs(2),
    ));
    let start = Instant::now();
    client.participant_groups().get(&id).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(fake.requests().len(), 4);
}

#[tokio::test]
async fn retry_after_is_capped() {
    let (fake, id) = fake_with_group().await;
    let client = retrying_builder(&fake, 1)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(1)
                .max_retry_after(Duration::from_millis(50)),
        )
        .build()
        .unwrap();
    fake.inject(Fault::rate_limited_after_secs(120));
    let start = Instant::now();
    client.participant_groups().get(&id).await.unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_hung_server_is_a_timeout_and_reads_are_retried() {
    let (fake, id) = fake_with_group().await;
    let client = retrying_builder(&fake, 1)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    fake.inject(Fault::delay(Duration::from_secs(5)));
    let start = Instant::now();
    let group = client.participant_groups().get(&id).await.unwrap();
    assert_eq!(group.id, id);
    assert!(start.elapsed() < Duration::from_secs(3));
    assert_eq!(fake.requests().len(), 2);

    let no_retry = retrying_builder(&fake, 0)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    fake.inject(Fault::delay(Duration::from_secs(5)));
    let err = no_retry.participant_groups().get(&id).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

async fn group_count(fake: &FakeProlific) -> usize {
    fake.client()
        .participant_groups()
        .list(GroupFilter::workspace(WORKSPACE_ID))
        .send()
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn create_is_never_retried_after_a_timeout_or_a_5xx() {
    let fake = FakeProlific::start().await.unwrap();
    let slow = retrying_builder(&fake, 3)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    // The fake makes the group, then answers too late.
    fake.inject_on(
        Operation::CreateGroup,
        1,
        Fault::delay(Duration::from_secs(2)),
    );
    let err = slow
        .participant_groups()
        .create(Owner::workspace(WORKSPACE_ID), "Once")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let posts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "a create that timed out is not sent again");
    assert!(group_count(&fake).await <= 1, "never a duplicate group");

    fake.inject_on(Operation::CreateGroup, 1, Fault::status(503).unwrap());
    let err = retrying_client(&fake, 3)
        .participant_groups()
        .create(Owner::workspace(WORKSPACE_ID), "Twice?")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    let creates = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(creates, 2, "one create per call, none retried");
}

#[tokio::test]
async fn create_is_retried_after_429_and_after_a_refused_connection() {
    let fake = FakeProlific::start().await.unwrap();
    let client = retrying_client(&fake, 2);
    fake.inject_on(Operation::CreateGroup, 1, Fault::rate_limited(None));
    client
        .participant_groups()
        .create(Owner::workspace(WORKSPACE_ID), "After 429")
        .send()
        .await
        .unwrap();
    assert_eq!(group_count(&fake).await, 1);
    assert_eq!(client.retries(), 1);

    let url = support::closed_url();
    let refused = Client::builder()
        .base_url(&url)
        .token("t")
        .retry_policy(
            RetryPolicy::default()
                .max_retries(2)
                .base_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let err = refused
        .participant_groups()
        .create(Owner::workspace(WORKSPACE_ID), "Nowhere")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert_eq!(
        refused.retries(),
        2,
        "nothing was sent, so create was retried"
    );
}

#[tokio::test]
async fn faults_on_one_operation_leave_the_others_alone() {
    let (fake, id) = fake_with_group().await;
    let groups = retrying_client(&fake, 0).participant_groups();
    fake.inject_on(Operation::AddMembers, 1, Fault::status(500).unwrap());
    groups.get(&id).await.unwrap();
    groups.participants(&id).await.unwrap();
    let err = groups.add_participants(&id, ["p1"]).await.unwrap_err();
    assert_eq!(err.bulk().unwrap().not_applied, ["p1"]);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    groups.add_participants(&id, ["p1"]).await.unwrap();
    assert_eq!(fake.group(&id).unwrap().members.len(), 1);
}

#[tokio::test]
async fn a_bulk_add_under_faults_loses_nothing() {
    let (fake, id) = fake_with_group().await;
    let ids: Vec<String> = (0..2_500).map(|i| format!("{i:024x}")).collect();
    fake.inject_on(Operation::AddMembers, 1, Fault::drop_connection());
    fake.inject_on(Operation::AddMembers, 1, Fault::status(503).unwrap());
    let members = retrying_client(&fake, 3)
        .participant_groups()
        .add_participants(&id, &ids)
        .await
        .unwrap();
    assert_eq!(members.len(), 2_500);
    assert_eq!(support::fake::member_ids(&fake, &id), ids);
    assert_eq!(fake.requests().len(), 5, "3 chunks + 2 retries");
}

//! Throttling, as Prolific does it under contention (429, no `Retry-After`, for a while): the
//! fake's throttle fault, and a client that waits it out (its own patience for 429s, every
//! request of the client slowing down together, progress told of the waits) or says, when
//! its patience runs out, that running the same change again later finishes it.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use prolific::{
    Client, Owner, Progress, RetryPolicy,
    fake::{FakeProlific, Fault, Operation, RecordedRequest},
    raw::ClientInfo,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{WORKSPACE_ID, fake::member_ids, ids};

/// A client of `fake` with `policy`.
fn client_with(fake: &FakeProlific, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .retry_policy(policy)
        .build()
        .unwrap()
}

/// The statuses the fake answered to the requests of `operation`, in order.
fn statuses(requests: &[RecordedRequest], operation: Operation) -> Vec<u16> {
    requests
        .iter()
        .filter(|r| r.operation == Some(operation))
        .map(|r| r.status.map_or(0, |s| s.as_u16()))
        .collect()
}

/// `n` 429s, then one `last`.
fn throttled_then(n: usize, last: u16) -> Vec<u16> {
    let mut statuses = vec![429; n];
    statuses.push(last);
    statuses
}

/// A plain reqwest client (the one under the crate's, which installs the TLS provider).
fn http(fake: &FakeProlific) -> reqwest::Client {
    fake.client().raw().client().clone()
}

/// One GET of the fake's API with its token, by plain reqwest: the status, whether a
/// `Retry-After` came, and the JSON body.
async fn get(http: &reqwest::Client, fake: &FakeProlific, path: &str) -> (StatusCode, bool, Value) {
    let response = http
        .get(format!("{}{path}", fake.base_url()))
        .header("Authorization", format!("Token {}", fake.token()))
        .send()
        .await
        .expect("the fake answers");
    let status = response.status();
    let retry_after = response.headers().contains_key("retry-after");
    (status, retry_after, response.json().await.unwrap())
}

#[tokio::test]
async fn the_fake_throttles_one_operation_for_a_while_in_prolifics_envelope() {
    let fake = FakeProlific::start().await.unwrap();
    let http = http(&fake);
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    let group = format!("/api/v1/participant-groups/{id}/");
    let members = format!("/api/v1/participant-groups/{id}/participants/");
    fake.inject_on(
        Operation::GetGroup,
        1,
        Fault::throttled(Duration::from_millis(1500)),
    );
    // The window opens with the first request that meets it.
    let opened = Instant::now();
    for _ in 0..3 {
        let (status, retry_after, body) = get(&http, &fake, &group).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(!retry_after, "Prolific sends no Retry-After");
        assert_eq!(body["error"]["status"], 429);
        assert_eq!(body["error"]["error_code"], 140429);
        assert_eq!(body["error"]["detail"], "Request was throttled.");
        // Other operations pass.
        assert_eq!(get(&http, &fake, &members).await.0, StatusCode::OK);
    }
    assert_eq!(fake.faults_pending(), 1);
    tokio::time::sleep(Duration::from_millis(1550).saturating_sub(opened.elapsed())).await;
    assert_eq!(get(&http, &fake, &group).await.0, StatusCode::OK);
    assert_eq!(fake.faults_pending(), 0);
}

#[tokio::test]
async fn a_throttle_comes_from_text_and_from_the_control_endpoint() {
    let fake = FakeProlific::builder()
        .control_endpoint(true)
        .start()
        .await
        .unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    let http = http(&fake);
    let post = |fault: Value| {
        http.post(format!("{}/_fake/faults", fake.base_url()))
            .json(&fault)
            .send()
    };
    let refused = post(json!({"kind": "throttled=5s", "count": 2}))
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"],
        "a throttle lasts for its time, not a count of requests: leave the count out"
    );
    let accepted = post(json!({"operation": "any", "kind": "throttled=400ms"}))
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::CREATED);
    assert_eq!(
        accepted.json::<Value>().await.unwrap(),
        json!({"pending": 1})
    );
    let path = format!("/api/v1/participant-groups/{id}/");
    assert_eq!(
        get(&http, &fake, &path).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );

    fake.clear_faults();
    fake.inject_spec("any:throttled=5s".parse().unwrap());
    assert_eq!(
        get(&http, &fake, &path).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    fake.clear_faults();
    assert_eq!(get(&http, &fake, &path).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_get_throttled_for_8_s_succeeds_within_about_16_s_at_two_requests_a_second_at_most() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.inject(Fault::throttled(Duration::from_secs(8)));
    let started = Instant::now();
    let group = fake.client().participant_groups().get(&id).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(group.name, "Pilot");
    assert!(elapsed >= Duration::from_secs(8), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(17), "{elapsed:?}");
    let requests = fake.requests();
    let sent = statuses(&requests, Operation::GetGroup);
    assert_eq!(sent, throttled_then(sent.len() - 1, 200));
    assert!(
        sent.len() as f64 <= 2.0 * elapsed.as_secs_f64(),
        "{} requests in {elapsed:?}",
        sent.len()
    );
}

#[tokio::test]
async fn a_long_chunked_add_finishes_through_a_throttled_window_every_id_applied_once() {
    let fake = Arc::new(FakeProlific::start().await.unwrap());
    let id = fake.seed_group(WORKSPACE_ID, "Session 1");
    let wanted = ids(600);
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let on_progress = {
        let (fake, seen) = (Arc::clone(&fake), Arc::clone(&seen));
        move |progress: Progress| {
            // Prolific starts throttling the adds half way through.
            if progress.chunks_done == 30 && progress.throttled.is_none() {
                let window = Fault::throttled(Duration::from_millis(2_500));
                fake.inject_on(Operation::AddMembers, 1, window);
            }
            seen.lock().unwrap().push(progress);
        }
    };
    let members = fake
        .client()
        .participant_groups()
        .add_participants(&id, &wanted)
        .chunk_size(10)
        .on_progress(on_progress)
        .await
        .unwrap();
    assert_eq!(members.len(), 600);
    assert_eq!(member_ids(&fake, &id), wanted);
    // Every chunk applied once: 60 adds answered 200, and the throttled ones in between.
    let sent = statuses(&fake.requests(), Operation::AddMembers);
    assert_eq!(sent.iter().filter(|s| **s == 200).count(), 60);
    let refused = sent.iter().filter(|s| **s == 429).count();
    assert!(refused >= 2, "{sent:?}");
    assert_eq!(sent[..30], [200; 30]);
    assert_eq!(sent[30..30 + refused], vec![429; refused]);
    // The callback heard of each wait, at the chunk that waited.
    let seen = seen.lock().unwrap();
    let waits: Vec<&Progress> = seen.iter().filter(|p| p.throttled.is_some()).collect();
    assert_eq!(waits.len(), refused, "{seen:?}");
    for wait in waits {
        assert_eq!(
            (wait.chunks_done, wait.ids_done, wait.chunks_total),
            (30, 300, 60)
        );
        assert!(wait.throttled.unwrap() <= Duration::from_secs(8));
    }
    assert_eq!(seen.last().unwrap().ids_done, 600);
}

#[tokio::test]
async fn a_create_throttled_for_3_s_creates_one_group() {
    let fake = FakeProlific::start().await.unwrap();
    fake.inject_on(
        Operation::CreateGroup,
        1,
        Fault::throttled(Duration::from_secs(3)),
    );
    let group = fake
        .client()
        .participant_groups()
        .create(
            Owner::workspace(WORKSPACE_ID),
            "Passed all attention checks",
        )
        .await
        .unwrap();
    let groups = fake.groups();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].group.id, group.id);
    let sent = statuses(&fake.requests(), Operation::CreateGroup);
    assert!(sent.len() >= 3, "{sent:?}");
    assert_eq!(sent, throttled_then(sent.len() - 1, 201));
}

#[tokio::test]
async fn a_patience_of_1_s_ends_with_the_throttled_error_and_its_words() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.inject(Fault::throttled(Duration::from_secs(30)));
    let patient_for_1_s = RetryPolicy::default().max_throttle_wait(Duration::from_secs(1));
    let groups = client_with(&fake, patient_for_1_s).participant_groups();
    let started = Instant::now();
    let error = groups.get(&id).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(error.is_rate_limited(), "{error:?}");
    assert!(
        elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    let attempts = statuses(&fake.requests(), Operation::GetGroup).len();
    assert!(attempts >= 2, "{attempts}");
    assert_eq!(
        error.to_string(),
        format!(
            "Prolific answered 429 Too Many Requests to get_participant_group: Too many requests \
             (Request was throttled.) [error code 140429] (after {attempts} attempts); Prolific \
             throttled the request for 1.0 s, so it was not applied; running the same request \
             again later finishes it"
        )
    );

    // A change says the same, in the words of a change.
    let error = groups
        .add_participants(&id, ["p1"])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.ends_with(
            "; Prolific throttled the request for 1.0 s, so it was not applied; running the same \
             change again later finishes it"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn retry_policy_none_gives_the_429_at_once() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.inject(Fault::throttled(Duration::from_secs(30)));
    let groups = client_with(&fake, RetryPolicy::none()).participant_groups();
    let started = Instant::now();
    let error = groups.get(&id).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(500));
    assert!(error.is_rate_limited());
    assert_eq!(statuses(&fake.requests(), Operation::GetGroup), [429]);
    assert!(
        error.to_string().ends_with(
            "[error code 140429]; Prolific throttled the request, so it was not applied; \
             running the same request again later finishes it"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_clone_sends_nothing_before_the_throttled_requests_next_try() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.inject(Fault::throttled(Duration::from_millis(1_500)));
    let client = fake.client();
    let first = tokio::spawn({
        let (groups, id) = (client.participant_groups(), id.clone());
        async move { groups.get(&id).await }
    });
    // Once the get has met the throttle, a clone lists the members.
    while fake.requests().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let members = client.clone().participant_groups().participants(&id).await;
    assert!(members.unwrap().is_empty());
    assert_eq!(first.await.unwrap().unwrap().name, "Pilot");
    let requests = fake.requests();
    let operations: Vec<_> = requests.iter().map(|r| r.operation.unwrap()).collect();
    assert_eq!(operations[..2], [Operation::GetGroup, Operation::GetGroup]);
    assert_eq!(requests[0].status, Some(StatusCode::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn concurrent_requests_of_one_client_wait_together() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    let window = Duration::from_secs(3);
    fake.inject(Fault::throttled(window));
    let client = fake.client();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (groups, id) = (client.participant_groups(), id.clone());
            tokio::spawn(async move { groups.get(&id).await.map(|g| g.name) })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "Pilot");
    }
    let sent = statuses(&fake.requests(), Operation::GetGroup);
    let refused = sent.iter().filter(|s| **s == 429).count();
    // At most one refusal per task before they learn of the throttle, then about two
    // requests a second for the whole client (each task on its own would make three or four).
    assert!(
        refused <= 8 + 2 * window.as_secs() as usize + 2,
        "{refused} refused: {sent:?}"
    );
    assert_eq!(sent.iter().filter(|s| **s == 200).count(), 8);
}

#[tokio::test]
async fn a_retry_after_past_the_patience_left_ends_the_call_at_once() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.inject(Fault::rate_limited_after_secs(5));
    let patient_for_2_s = RetryPolicy::default().max_throttle_wait(Duration::from_secs(2));
    let groups = client_with(&fake, patient_for_2_s).participant_groups();
    let started = Instant::now();
    let error = groups.get(&id).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(500));
    assert!(error.is_rate_limited());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(5)));
    assert_eq!(statuses(&fake.requests(), Operation::GetGroup), [429]);
    assert!(
        error.to_string().ends_with(
            "; retry after 5 s; Prolific throttled the request, so it was not applied; running \
             the same request again later finishes it"
        ),
        "{error}"
    );
    // One within it is waited for.
    fake.inject(Fault::rate_limited_after_secs(1));
    let started = Instant::now();
    assert_eq!(groups.get(&id).await.unwrap().name, "Pilot");
    assert!(started.elapsed() >= Duration::from_secs(1));
}

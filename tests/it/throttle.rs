//! Throttling, as Prolific does it under contention (429, no `Retry-After`, for a while): the
//! fake's throttle fault on the wire, and over the control endpoint.

use std::time::{Duration, Instant};

use prolific::{
    fake::{FakeProlific, Fault, Operation},
    raw::ClientInfo,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::WORKSPACE_ID;

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

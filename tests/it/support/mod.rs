//! Shared test helpers: clients pointed at a mock server, and the docs' example bodies;
//! [`fake`] holds those for tests against the local Prolific.
#![allow(dead_code)]

#[cfg(feature = "fake")]
pub mod fake;

use serde_json::{Value, json};

/// The token every test client sends.
pub const TOKEN: &str = "test-token-3f9a";
/// `Authorization` as it must appear on the wire.
pub const AUTH: &str = "Token test-token-3f9a";
/// Ids from the docs (the workspace's also names the one every test's groups are made in).
pub const GROUP_ID: &str = "642ea7ff7639ab670b05a0b5";
pub const WORKSPACE_ID: &str = "5e9b9c9b0f9c9a0001b1ca2f";

/// A client for `base_url` that does not retry, a 429 included (so a test sees exactly one
/// request per call).
pub fn client(base_url: &str) -> prolific::Client {
    prolific::Client::builder()
        .base_url(base_url)
        .token(TOKEN)
        .retry_policy(prolific::RetryPolicy::none())
        .build()
        .expect("a valid test client")
}

/// The group of the update page's example answer.
pub fn group_example() -> Value {
    json!({
        "description": "Participants who passed all attention checks",
        "feeder_studies": [],
        "id": GROUP_ID,
        "name": "Passed all attention checks",
        "participant_count": 0,
        "workspace_id": WORKSPACE_ID,
        "project_id": null
    })
}

/// The list page's example answer.
pub fn list_example() -> Value {
    json!({
        "results": [{
            "id": "5e9b9c9b0f9c9a0001b0b1f5",
            "name": "Group 1",
            "workspace_id": WORKSPACE_ID,
            "organisation_id": WORKSPACE_ID,
            "description": "My first participant group",
            "participant_count": 10,
            "is_deleted": false,
            "feeder_studies": [{
                "id": "5e9b9c9b0f9c9a0001b0b1f4",
                "name": "Study 1",
                "internal_name": "My Study",
                "status": "COMPLETED",
                "feeder_completion_codes": [{
                    "code": "AJVRH234",
                    "code_type": "COMPLETION_CODE",
                    "action": "ADD_TO_PARTICIPANT_GROUP"
                }]
            }],
            "project_id": null
        }]
    })
}

/// The membership pages' example answer.
pub fn members_example() -> Value {
    json!({
        "results": [{
            "participant_id": "5e9b9c9b0f9c9a0001b0b1f5",
            "datetime_created": "2020-04-20T12:00:00Z"
        }]
    })
}

/// The membership pages' example request ids.
pub const THREE_IDS: [&str; 3] = [
    "5e9b9c9b0f9c9a0001b0b1f4",
    "5e9b9c9b0f9c9a0001b0b1f5",
    "5e9b9c9b0f9c9a0001b0b1f6",
];

/// `n` distinct participant ids that look like Prolific's.
pub fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{i:024x}")).collect()
}

/// A group with `id` and `name`, as JSON.
pub fn group(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "participant_count": 0, "is_deleted": false})
}

/// A membership answer listing `ids`.
pub fn members(ids: &[String]) -> Value {
    let results: Vec<Value> = ids
        .iter()
        .map(|id| json!({"participant_id": id, "datetime_created": "2020-04-20T12:00:00Z"}))
        .collect();
    json!({ "results": results })
}

/// The base URL of a local port where nothing listens: one that was free a moment ago, so a
/// connection to it is refused.
pub fn closed_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// The participant ids of a membership list, in its order.
pub fn participant_ids(members: &[prolific::types::Membership]) -> Vec<&str> {
    members.iter().map(|m| m.participant_id.as_str()).collect()
}

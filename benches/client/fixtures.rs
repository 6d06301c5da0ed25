//! What the server answers: the ids the scenarios use, and the bodies of groups, member lists
//! and pages of groups.

use serde_json::json;

use crate::server::{Answers, response};

/// The token both clients send.
pub const TOKEN: &str = "bench-token";
/// The group every scenario reads and changes.
pub const GROUP: &str = "642ea7ff7639ab670b05a0b5";
/// The workspace the listings are of.
pub const WORKSPACE: &str = "5e9b9c9b0f9c9a0001b1ca2f";

/// Group number `i` of the workspace, as Prolific describes one.
pub fn group(i: usize) -> serde_json::Value {
    json!({
        "id": format!("{i:024x}"), "name": format!("Group {i}"), "description": "A group",
        "workspace_id": WORKSPACE, "organisation_id": null, "project_id": null,
        "participant_count": 10, "is_deleted": false, "feeder_studies": []
    })
}

/// A member list of `n` participants, as the members endpoints answer.
pub fn members_body(n: usize) -> Vec<u8> {
    let mut body = String::with_capacity(n * 90 + 16);
    body.push_str("{\"results\":[");
    for i in 0..n {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            "{{\"participant_id\":\"{i:024x}\",\"datetime_created\":\"2020-04-20T12:00:00Z\"}}"
        ));
    }
    body.push_str("]}");
    body.into_bytes()
}

/// The answers to a listing of the workspace's groups `all`, in pages of `page`: one per page,
/// and an empty one past the end.
pub fn page_answers(all: &[serde_json::Value], page: usize, answers: &mut Answers) {
    let total = all.len();
    for offset in (0..=total).step_by(page) {
        let results = &all[offset.min(total)..(offset + page).min(total)];
        answers.insert(
            format!(
                "GET /api/v1/participant-groups/?limit={page}&offset={offset}&workspace_id={WORKSPACE}"
            ),
            response("200 OK", &serde_json::to_vec(&json!({ "results": results })).unwrap()),
        );
    }
}

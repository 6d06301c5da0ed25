//! `prolific::fake`: the fake Prolific's faults, errors and rules, through the crate's client
//! and through raw HTTP. Run with `cargo test --features fake --test it fake`.

use crate::support::{
    WORKSPACE_ID,
    fake::{builder, client},
    participant_ids,
};

use std::{
    collections::BTreeMap,
    time::{Duration, Instant, SystemTime},
};

use prolific::{
    Error, ErrorDetail, GroupFilter, Owner,
    fake::{FakeProlific, Fault, Operation},
    types,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const GROUPS: &str = "/api/v1/participant-groups/";

// --- Helpers -------------------------------------------------------------------------------

async fn fake() -> FakeProlific {
    FakeProlific::builder()
        .token("fake-test-token")
        .start()
        .await
        .expect("the fake starts")
}

/// One group made without HTTP.
fn seed_one(fake: &FakeProlific) -> String {
    fake.seed_groups(WORKSPACE_ID, 1).remove(0)
}

/// An answer read by hand.
struct Raw {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

/// Sends one request by hand: `body` is sent as is, with `Content-Type: application/json`.
async fn raw(fake: &FakeProlific, method: Method, path: &str, body: Option<&str>) -> Raw {
    raw_with_auth(
        fake,
        method,
        path,
        body,
        Some(&format!("Token {}", fake.token())),
    )
    .await
}

async fn raw_with_auth(
    fake: &FakeProlific,
    method: Method,
    path: &str,
    body: Option<&str>,
    authorization: Option<&str>,
) -> Raw {
    // Building a prolific client installs the TLS crypto provider reqwest needs to build.
    let _ = fake.client();
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", fake.base_url()));
    if let Some(authorization) = authorization {
        request = request.header("Authorization", authorization);
    }
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.expect("the fake answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a whole body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON body")
    };
    Raw {
        status,
        headers,
        body,
    }
}

/// The `error` of an envelope, checked to have every field of Prolific's shape.
fn envelope(raw: &Raw, status: u16, code: u32) -> &Value {
    let error = &raw.body["error"];
    assert_eq!(raw.status.as_u16(), status, "{}", raw.body);
    assert_eq!(error["status"], status);
    assert_eq!(error["error_code"], code);
    assert_eq!(
        error["additional_information"],
        format!("/api/v1/errors/{code}")
    );
    assert_eq!(error["traceback"], Value::Null);
    assert_eq!(error["interactive"], false);
    assert!(error["title"].is_string());
    error
}

/// The per-field messages of a 400, decoded with the crate's own types.
fn field_errors(raw: &Raw) -> BTreeMap<String, Vec<String>> {
    envelope(raw, 400, 140_001);
    let decoded: types::ErrorResponse =
        serde_json::from_value(raw.body.clone()).expect("the envelope decodes");
    let detail = decoded.error.and_then(|e| e.detail).expect("a detail");
    match ErrorDetail::from(detail) {
        ErrorDetail::Fields(fields) => fields,
        other => panic!("not per-field: {other:?}"),
    }
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
    let mut map = BTreeMap::<String, Vec<String>>::new();
    for (field, message) in pairs {
        map.entry((*field).to_owned())
            .or_default()
            .push((*message).to_owned());
    }
    map
}

fn json_ids(body: &Value) -> Vec<&str> {
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|m| m["participant_id"].as_str().expect("an id"))
        .collect()
}

// --- Faults --------------------------------------------------------------------------------

#[tokio::test]
async fn status_fault_answers_the_envelope_and_touches_nothing() {
    let fake = fake().await;
    fake.inject(Fault::status(503).unwrap());
    let err = client(&fake)
        .participant_groups()
        .create(Owner::workspace(WORKSPACE_ID), "Pilot")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    let api = err.api().expect("an API error");
    assert_eq!(api.error_code.as_deref(), Some("149503"));
    assert_eq!(api.title.as_deref(), Some("Service Unavailable"));
    assert_eq!(api.operation, prolific::Operation::CreateGroup);
    assert_eq!(fake.faults_pending(), 0);
    // The create met the fault: no group was made.
    let groups = client(&fake)
        .participant_groups()
        .list(GroupFilter::workspace(WORKSPACE_ID))
        .send()
        .await
        .unwrap();
    assert!(groups.is_empty());
}

#[tokio::test]
async fn rate_limit_carries_retry_after_in_seconds_or_as_a_date() {
    let fake = fake().await;
    let id = seed_one(&fake);
    let groups = client(&fake).participant_groups();

    fake.inject(Fault::rate_limited_after_secs(7));
    let err = groups.get(&id).await.unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(err.api().unwrap().error_code.as_deref(), Some("140429"));

    fake.inject(Fault::rate_limited_until(
        SystemTime::now() + Duration::from_secs(30),
    ));
    let wait = groups.get(&id).await.unwrap_err().retry_after().unwrap();
    assert!(
        wait > Duration::from_secs(27) && wait <= Duration::from_secs(30),
        "{wait:?}"
    );

    fake.inject(Fault::rate_limited(None));
    let err = groups.get(&id).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(err.retry_after(), None);
}

#[tokio::test]
async fn dropped_connection_is_a_connection_error() {
    let fake = fake().await;
    let id = seed_one(&fake);
    fake.inject(Fault::drop_connection());
    let err = client(&fake)
        .participant_groups()
        .get(&id)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Connection {
                operation: prolific::Operation::GetGroup,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    // The server is still up.
    assert!(client(&fake).participant_groups().get(&id).await.is_ok());
}

#[tokio::test]
async fn truncated_body_is_a_connection_error() {
    let fake = fake().await;
    let id = seed_one(&fake);
    fake.inject(Fault::truncated_body());
    let err = client(&fake)
        .participant_groups()
        .get(&id)
        .await
        .unwrap_err();
    // The body ends before its Content-Length: reading it fails, which the client reports as
    // a connection failure (not a decode error: no JSON was parsed).
    assert!(
        matches!(
            err,
            Error::Connection {
                operation: prolific::Operation::GetGroup,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn non_json_answer_keeps_the_html_in_the_excerpt() {
    let fake = fake().await;
    let id = seed_one(&fake);
    fake.inject(Fault::non_json(502).unwrap());
    let err = client(&fake)
        .participant_groups()
        .get(&id)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    let excerpt = err.api().unwrap().excerpt.as_deref().unwrap();
    assert!(excerpt.contains("<h1>502 Bad Gateway</h1>"), "{excerpt:?}");
}

#[tokio::test]
async fn delay_longer_than_the_timeout_times_out_and_a_short_one_answers() {
    let fake = fake().await;
    let id = seed_one(&fake);
    let impatient = builder(&fake)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    fake.inject(Fault::delay(Duration::from_secs(3)));
    let err = impatient.participant_groups().get(&id).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");

    fake.inject(Fault::delay(Duration::from_millis(150)));
    let started = Instant::now();
    let group = client(&fake).participant_groups().get(&id).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(group.id, id);
}

#[tokio::test]
async fn with_retries_a_503_then_success_succeeds_after_two_requests() {
    let fake = fake().await;
    let id = seed_one(&fake);
    fake.inject(Fault::status(503).unwrap());
    let group = fake.client().participant_groups().get(&id).await.unwrap();
    assert_eq!(group.id, id);
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.path == format!("{GROUPS}{id}/")));
}

#[tokio::test]
async fn inject_on_hits_only_its_operation_in_order() {
    let fake = fake().await;
    let id = seed_one(&fake);
    let groups = client(&fake).participant_groups();
    fake.inject_on(Operation::AddMembers, 2, Fault::status(500).unwrap());
    fake.inject_on(Operation::AddMembers, 1, Fault::non_json(502).unwrap());
    assert_eq!(fake.faults_pending(), 3);

    groups.get(&id).await.unwrap();
    groups.participants(&id).await.unwrap();
    groups.remove_participants(&id, ["a"]).await.unwrap();
    assert_eq!(fake.faults_pending(), 3);

    for expected in [500, 500, 502] {
        let err = groups.add_participants(&id, ["a"]).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(expected));
    }
    assert_eq!(fake.faults_pending(), 0);
    let members = groups.add_participants(&id, ["a"]).await.unwrap();
    assert_eq!(participant_ids(&members), ["a"]);
}

#[tokio::test]
async fn inject_n_hits_the_next_requests_whatever_they_are() {
    let fake = fake().await;
    let id = seed_one(&fake);
    fake.inject_n(2, Fault::status(504).unwrap());
    let response = raw(&fake, Method::GET, "/not/the/api/", None).await;
    envelope(&response, 504, 149_504);
    let err = client(&fake)
        .participant_groups()
        .get(&id)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::GATEWAY_TIMEOUT));
    assert!(client(&fake).participant_groups().get(&id).await.is_ok());

    fake.inject_n(5, Fault::status(500).unwrap());
    fake.clear_faults();
    assert_eq!(fake.faults_pending(), 0);
}

// --- Errors --------------------------------------------------------------------------------

#[tokio::test]
async fn missing_token_is_401_on_every_path() {
    let fake = fake().await;
    for path in [GROUPS, "/api/v1/participant-groups/x/", "/nowhere"] {
        let response = raw_with_auth(&fake, Method::GET, path, None, None).await;
        let error = envelope(&response, 401, 140_101);
        assert_eq!(
            error["detail"],
            "Authentication credentials were not provided."
        );
        assert_eq!(response.headers["www-authenticate"], "Token");
    }
    let bearer = raw_with_auth(&fake, Method::GET, GROUPS, None, Some("Bearer x")).await;
    envelope(&bearer, 401, 140_101);
}

#[tokio::test]
async fn wrong_token_is_401_through_the_client() {
    let fake = fake().await;
    let id = seed_one(&fake);
    let stranger = builder(&fake).token("not-the-token").build().unwrap();
    let err = stranger.participant_groups().get(&id).await.unwrap_err();
    assert!(err.is_unauthorized());
    let api = err.api().unwrap();
    assert_eq!(api.error_code.as_deref(), Some("140101"));
    assert_eq!(api.detail, Some(ErrorDetail::Text("Invalid token.".into())));
    // The scheme's case does not matter; the token's does.
    let lower = format!("token {}", fake.token());
    let ok = raw_with_auth(
        &fake,
        Method::GET,
        &format!("{GROUPS}{id}/"),
        None,
        Some(&lower),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_group_and_unknown_path_are_404() {
    let fake = fake().await;
    let groups = client(&fake).participant_groups();
    let err = groups.get("000000000000000000000000").await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.api().unwrap().error_code.as_deref(), Some("140404"));
    for result in [
        groups.delete("nope").await.err(),
        groups.participants("nope").await.err(),
        groups.add_participants("nope", ["a"]).await.err(),
        groups.remove_participants("nope", ["a"]).await.err(),
    ] {
        assert!(result.unwrap().is_not_found());
    }
    for path in [
        "/",
        "/api/v1/participant-groups",
        "/api/v1/participant-groups/x/y/",
    ] {
        envelope(&raw(&fake, Method::GET, path, None).await, 404, 140_404);
    }
}

#[tokio::test]
async fn group_ids_are_decoded_and_paths_recorded_raw() {
    let fake = fake().await;
    let err = client(&fake)
        .participant_groups()
        .get("a/b")
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    let detail = err.api().unwrap().detail.clone();
    assert_eq!(
        detail,
        Some(ErrorDetail::Text(
            "No participant group with id \"a/b\", or you do not have permission to see it.".into()
        ))
    );
    assert_eq!(fake.requests()[0].path, "/api/v1/participant-groups/a%2Fb/");
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let fake = fake().await;
    let id = seed_one(&fake);
    let cases = [
        (Method::PUT, GROUPS.to_owned(), "GET, POST"),
        (Method::DELETE, GROUPS.to_owned(), "GET, POST"),
        (Method::POST, format!("{GROUPS}{id}/"), "GET, PATCH, DELETE"),
        (
            Method::PATCH,
            format!("{GROUPS}{id}/participants/"),
            "GET, POST, DELETE",
        ),
    ];
    for (method, path, allow) in cases {
        let response = raw(&fake, method.clone(), &path, None).await;
        let error = envelope(&response, 405, 140_405);
        assert_eq!(error["detail"], format!("Method \"{method}\" not allowed."));
        assert_eq!(response.headers["allow"], allow);
    }
}

#[tokio::test]
async fn malformed_bodies_are_400_with_a_sentence() {
    let fake = fake().await;
    let id = seed_one(&fake);
    let cases = [
        (Method::POST, GROUPS.to_owned(), "{\"name\": "),
        (Method::PATCH, format!("{GROUPS}{id}/"), "[1, 2]"),
        (Method::POST, format!("{GROUPS}{id}/participants/"), ""),
        (
            Method::DELETE,
            format!("{GROUPS}{id}/participants/"),
            "\"ids\"",
        ),
    ];
    for (method, path, body) in cases {
        let response = raw(&fake, method, &path, Some(body)).await;
        let detail = envelope(&response, 400, 140_002)["detail"]
            .as_str()
            .expect("a sentence")
            .to_owned();
        let expected = match body {
            "" => "A JSON object is required in the request body.",
            "[1, 2]" => "Invalid data. Expected a JSON object, but got a list.",
            "\"ids\"" => "Invalid data. Expected a JSON object, but got a string.",
            _ => "JSON parse error - ",
        };
        assert!(detail.starts_with(expected), "{detail}");
    }
}

/// A method, a path, a body, and the per-field messages it must get.
type BodyCase<'a> = (Method, &'a str, Value, Vec<(&'a str, &'a str)>);

#[tokio::test]
async fn invalid_bodies_are_400_per_field() {
    const REQUIRED: &str = "This field is required.";
    const BLANK: &str = "This field may not be blank.";
    const NULL: &str = "This field may not be null.";
    const NOT_STRING: &str = "Not a valid string.";
    const EITHER: &str = "Either workspace_id or organisation_id must be given.";
    const ONLY_ONE: &str = "Give only one of workspace_id and organisation_id.";

    let fake = fake().await;
    let id = seed_one(&fake);
    let group = format!("{GROUPS}{id}/");
    let members = format!("{GROUPS}{id}/participants/");
    let cases: Vec<BodyCase> = vec![
        (
            Method::POST,
            GROUPS,
            json!({}),
            vec![
                ("name", REQUIRED),
                ("workspace_id", EITHER),
                ("organisation_id", EITHER),
            ],
        ),
        (
            Method::POST,
            GROUPS,
            json!({"name": "  ", "workspace_id": "w"}),
            vec![("name", BLANK)],
        ),
        (
            Method::POST,
            GROUPS,
            json!({"name": 5, "organisation_id": "o"}),
            vec![("name", NOT_STRING)],
        ),
        (
            Method::POST,
            GROUPS,
            json!({"name": "n", "workspace_id": "w", "organisation_id": "o"}),
            vec![("workspace_id", ONLY_ONE), ("organisation_id", ONLY_ONE)],
        ),
        (
            Method::POST,
            GROUPS,
            json!({"name": "n", "workspace_id": 7}),
            vec![("workspace_id", NOT_STRING)],
        ),
        (
            Method::POST,
            GROUPS,
            json!({"name": "n", "workspace_id": "w", "description": null}),
            vec![("description", NULL)],
        ),
        (
            Method::POST,
            GROUPS,
            json!({"name": "n", "workspace_id": "w", "participant_ids": "abc"}),
            vec![(
                "participant_ids",
                "Expected a list of items but got a string.",
            )],
        ),
        (
            Method::POST,
            GROUPS,
            json!({"name": "n", "workspace_id": "w", "participant_ids": ["a", 1, null]}),
            vec![
                ("participant_ids", "Item 1: Not a valid string."),
                ("participant_ids", "Item 2: Not a valid string."),
            ],
        ),
        (
            Method::PATCH,
            &group,
            json!({"name": ""}),
            vec![("name", BLANK)],
        ),
        (
            Method::PATCH,
            &group,
            json!({"name": null}),
            vec![("name", NULL)],
        ),
        (
            Method::PATCH,
            &group,
            json!({"participant_ids": {"a": 1}}),
            vec![(
                "participant_ids",
                "Expected a list of items but got an object.",
            )],
        ),
        (
            Method::POST,
            &members,
            json!({}),
            vec![("participant_ids", REQUIRED)],
        ),
        (
            Method::DELETE,
            &members,
            json!({"participant_ids": null}),
            vec![("participant_ids", NULL)],
        ),
    ];
    for (method, path, body, expected) in cases {
        let response = raw(&fake, method.clone(), path, Some(&body.to_string())).await;
        assert_eq!(
            field_errors(&response),
            fields(&expected),
            "{method} {path} {body}"
        );
    }
    // None of them changed anything.
    let state = fake.group(&id).unwrap();
    assert_eq!(state.group.name, "Group 1");
    assert!(state.members.is_empty());
    assert_eq!(
        raw(
            &fake,
            Method::GET,
            &format!("{GROUPS}?workspace_id=w"),
            None
        )
        .await
        .body["meta"]["count"],
        0
    );
}

#[tokio::test]
async fn invalid_list_queries_are_400_per_field() {
    const EITHER: &str = "Either workspace_id or project_id must be given.";
    const ONLY_ONE: &str = "Give only one of workspace_id and project_id.";
    let fake = fake().await;
    let cases: [(&str, Vec<(&str, &str)>); 6] = [
        ("", vec![("workspace_id", EITHER), ("project_id", EITHER)]),
        (
            "workspace_id=w&project_id=p",
            vec![("workspace_id", ONLY_ONE), ("project_id", ONLY_ONE)],
        ),
        (
            "workspace_id=",
            vec![("workspace_id", "This field may not be blank.")],
        ),
        (
            "workspace_id=w&limit=ten",
            vec![("limit", "A valid integer is required.")],
        ),
        (
            "workspace_id=w&offset=-1",
            vec![("offset", "Ensure this value is greater than or equal to 0.")],
        ),
        (
            "workspace_id=w&active=yes",
            vec![("active", "Must be true or false.")],
        ),
    ];
    for (query, expected) in cases {
        let response = raw(&fake, Method::GET, &format!("{GROUPS}?{query}"), None).await;
        assert_eq!(field_errors(&response), fields(&expected), "{query}");
    }
}

#[tokio::test]
async fn the_list_reads_the_docs_filter_form_and_djangos_booleans() {
    let fake = fake().await;
    let ids = fake.seed_groups(WORKSPACE_ID, 3);
    let deleted = raw(&fake, Method::DELETE, &format!("{GROUPS}{}/", ids[0]), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let listed = |query: String| {
        let fake = &fake;
        async move {
            let response = raw(fake, Method::GET, &format!("{GROUPS}?{query}"), None).await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{query}: {}",
                response.body
            );
            let results = response.body["results"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let ids: Vec<String> = results
                .iter()
                .map(|group| group["id"].as_str().unwrap_or_default().to_owned())
                .collect();
            ids
        }
    };
    // The docs' curl example (`-G -d "filter[workspace_id]=..."`), its brackets as curl sends
    // them and percent-encoded, lists what the flat form the client sends lists.
    for scope in [
        format!("workspace_id={WORKSPACE_ID}"),
        format!("filter[workspace_id]={WORKSPACE_ID}"),
        format!("filter%5Bworkspace_id%5D={WORKSPACE_ID}"),
    ] {
        assert_eq!(listed(scope.clone()).await, ids, "{scope}");
        assert_eq!(
            listed(format!("{scope}&active=True")).await,
            ids[1..],
            "{scope}"
        );
        assert_eq!(
            listed(format!("{scope}&active=False")).await,
            ids[..1],
            "{scope}"
        );
        assert_eq!(
            listed(format!("{scope}&active=true")).await,
            ids[1..],
            "{scope}"
        );
    }
    // A project scope in the filter form is a project scope: no group of the workspace.
    assert_eq!(
        listed("filter[project_id]=p1".to_owned()).await,
        Vec::<String>::new()
    );
    const ONLY_ONE: &str = "Give only one of workspace_id and project_id.";
    let both = raw(
        &fake,
        Method::GET,
        &format!("{GROUPS}?filter[workspace_id]={WORKSPACE_ID}&filter%5Bproject_id%5D=p1"),
        None,
    )
    .await;
    assert_eq!(
        field_errors(&both),
        fields(&[("workspace_id", ONLY_ONE), ("project_id", ONLY_ONE)])
    );
}

// --- The API's rules -----------------------------------------------------------------------

#[tokio::test]
async fn create_answers_201_with_the_whole_group() {
    let fake = fake().await;
    let body = json!({
        "name": "Pilot",
        "organisation_id": "org1",
        "description": "First wave",
        "participant_ids": ["a", "b", "a"],
    });
    let response = raw(&fake, Method::POST, GROUPS, Some(&body.to_string())).await;
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(response.headers["content-type"], "application/json");
    let id = response.body["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 24);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        response.body,
        json!({
            "id": id,
            "name": "Pilot",
            "description": "First wave",
            "workspace_id": null,
            "organisation_id": "org1",
            "project_id": null,
            "participant_count": 2,
            "is_deleted": false,
            "feeder_studies": [],
        })
    );
    let members = fake.group(&id).unwrap().members;
    assert_eq!(participant_ids(&members), ["a", "b"]);
    // Recorded as sent.
    let request = &fake.requests()[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", GROUPS)
    );
    assert_eq!(request.body, Some(body));
    assert_eq!(request.query, None);
}

#[tokio::test]
async fn delete_is_soft_and_active_filters() {
    let fake = fake().await;
    let groups = client(&fake).participant_groups();
    let ids = fake.seed_groups(WORKSPACE_ID, 3);
    fake.seed_groups("another-workspace", 2);

    let response = raw(&fake, Method::DELETE, &format!("{GROUPS}{}/", ids[1]), None).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(response.body, Value::Null);
    // Deleting again is the same state: 204 again.
    groups.delete(&ids[1]).await.unwrap();

    let deleted = groups.get(&ids[1]).await.unwrap();
    assert_eq!(deleted.is_deleted, Some(true));
    assert_eq!(groups.get(&ids[0]).await.unwrap().is_deleted, Some(false));

    let list = |active: Option<bool>| {
        let mut request = groups.list(GroupFilter::workspace(WORKSPACE_ID));
        if let Some(active) = active {
            request = request.active(active);
        }
        async move {
            let listed = request.send().await.unwrap();
            listed.into_iter().map(|g| g.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(list(None).await, ids);
    assert_eq!(list(Some(true)).await, [ids[0].clone(), ids[2].clone()]);
    assert_eq!(list(Some(false)).await, [ids[1].clone()]);
    assert!(
        groups
            .list(GroupFilter::project("any"))
            .send()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn add_ignores_members_and_remove_ignores_strangers() {
    let fake = fake().await;
    let id = seed_one(&fake);
    let groups = client(&fake).participant_groups();

    let first = groups.add_participants(&id, ["a", "b"]).await.unwrap();
    assert_eq!(participant_ids(&first), ["a", "b"]);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = groups.add_participants(&id, ["b", "c"]).await.unwrap();
    assert_eq!(participant_ids(&second), ["a", "b", "c"]);
    // A member keeps the time they joined; a newcomer gets a later one.
    assert_eq!(second[1].datetime_created, first[1].datetime_created);
    assert!(second[2].datetime_created > first[1].datetime_created);

    let left = groups.remove_participants(&id, ["a", "zz"]).await.unwrap();
    assert_eq!(participant_ids(&left), ["b", "c"]);
    assert_eq!(groups.get(&id).await.unwrap().participant_count, Some(2));

    // On the wire: the whole membership, with RFC 3339 UTC times.
    let response = raw(
        &fake,
        Method::POST,
        &format!("{GROUPS}{id}/participants/"),
        Some(r#"{"participant_ids": []}"#),
    )
    .await;
    assert_eq!(json_ids(&response.body), ["b", "c"]);
    let stamp = response.body["results"][0]["datetime_created"]
        .as_str()
        .unwrap();
    assert!(stamp.ends_with('Z'), "{stamp}");
    assert!(
        chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
        "{stamp}"
    );
}

#[tokio::test]
async fn patch_overwrites_membership_and_renames() {
    let fake = fake().await;
    let id = seed_one(&fake);
    let path = format!("{GROUPS}{id}/");
    fake.seed_members(&id, ["a", "b", "c"]);
    let joined = fake.group(&id).unwrap().members[2].datetime_created;

    let patch = |body: Value| {
        let fake = &fake;
        let path = path.clone();
        async move { raw(fake, Method::PATCH, &path, Some(&body.to_string())).await }
    };
    let response = patch(json!({"participant_ids": ["d", "c"]})).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["participant_count"], 2);
    let state = fake.group(&id).unwrap();
    assert_eq!(participant_ids(&state.members), ["c", "d"]);
    assert_eq!(state.members[0].datetime_created, joined);

    let response = patch(json!({"name": "Renamed"})).await;
    assert_eq!(response.body["name"], "Renamed");
    assert_eq!(response.body["participant_count"], 2);
    let response = patch(json!({"participant_ids": null})).await;
    assert_eq!(response.body["participant_count"], 2);

    let response = patch(json!({"participant_ids": []})).await;
    assert_eq!(response.body["participant_count"], 0);
    assert!(fake.group(&id).unwrap().members.is_empty());

    // Through the client: an explicit empty list reaches the wire.
    fake.seed_members(&id, ["x"]);
    fake.clear_requests();
    let emptied = client(&fake)
        .participant_groups()
        .replace_participants(&id, Vec::<String>::new())
        .await
        .unwrap();
    assert_eq!(emptied.participant_count, Some(0));
    let requests = fake.requests();
    let last = requests.last().unwrap();
    assert_eq!(last.method, "PATCH");
    assert_eq!(last.body, Some(json!({"participant_ids": []})));
}

#[tokio::test]
async fn group_list_pages_with_links_and_a_small_default_page() {
    let fake = fake().await;
    let ids = fake.seed_groups(WORKSPACE_ID, 23);
    let base = format!("{}{GROUPS}?workspace_id={WORKSPACE_ID}", fake.base_url());
    let href = |extra: &str, offset: usize| format!("{base}{extra}&limit=10&offset={offset}");

    let first = raw(
        &fake,
        Method::GET,
        &format!("{GROUPS}?workspace_id={WORKSPACE_ID}"),
        None,
    )
    .await;
    let results = first.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    assert_eq!(results[0]["id"], ids[0].as_str());
    assert_eq!(results[0]["name"], "Group 1");
    assert_eq!(first.body["meta"], json!({"count": 23}));
    assert_eq!(
        first.body["_links"],
        json!({
            "self": {"href": href("", 0), "title": "Current page"},
            "next": {"href": href("", 10), "title": "Next page"},
            "previous": {"href": null, "title": "Previous page"},
            "last": {"href": href("", 20), "title": "Last page"},
        })
    );

    let query = format!("{GROUPS}?workspace_id={WORKSPACE_ID}&active=true&offset=20");
    let last = raw(&fake, Method::GET, &query, None).await;
    assert_eq!(last.body["results"].as_array().unwrap().len(), 3);
    assert_eq!(last.body["results"][2]["id"], ids[22].as_str());
    let links = &last.body["_links"];
    assert_eq!(links["next"]["href"], Value::Null);
    assert_eq!(links["previous"]["href"], href("&active=true", 10));
    assert_eq!(links["self"]["href"], href("&active=true", 20));

    let page = raw(
        &fake,
        Method::GET,
        &format!("{GROUPS}?workspace_id={WORKSPACE_ID}&limit=4&offset=100"),
        None,
    )
    .await;
    assert_eq!(page.body["results"], json!([]));
    assert_eq!(page.body["meta"]["count"], 23);

    // The client pages through it all.
    fake.clear_requests();
    let listed = client(&fake)
        .participant_groups()
        .list(GroupFilter::workspace(WORKSPACE_ID))
        .page_size(5)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.into_iter().map(|g| g.id).collect::<Vec<_>>(), ids);
    let queries: Vec<String> = fake
        .requests()
        .into_iter()
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert_eq!(queries.len(), 5);
    assert!(queries.iter().all(|q| q.contains("limit=5")), "{queries:?}");
}

#[tokio::test]
async fn builder_sets_token_port_and_page_size() {
    let fake = FakeProlific::builder()
        .token("my-token")
        .default_page_size(3)
        .start()
        .await
        .unwrap();
    assert_eq!(fake.token(), "my-token");
    assert_eq!(fake.base_url(), format!("http://{}", fake.addr()));
    fake.seed_groups(WORKSPACE_ID, 5);
    let page = raw(
        &fake,
        Method::GET,
        &format!("{GROUPS}?workspace_id={WORKSPACE_ID}"),
        None,
    )
    .await;
    assert_eq!(page.body["results"].as_array().unwrap().len(), 3);
    let port = fake.addr().port();
    fake.shutdown().await;

    let again = FakeProlific::builder().port(port).start().await.unwrap();
    assert_eq!(again.addr().port(), port);
    assert_eq!(again.token().len(), 32);
    assert!(FakeProlific::builder().token("").start().await.is_err());
    assert!(FakeProlific::builder().token("a b").start().await.is_err());
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let fake = fake().await;
    let id = seed_one(&fake);
    let stale = client(&fake);
    stale.participant_groups().get(&id).await.unwrap();
    fake.shutdown().await;
    let err = stale.participant_groups().get(&id).await.unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");

    let fake = self::fake().await;
    let url = fake.base_url().to_owned();
    drop(fake);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let orphan = prolific::Client::builder()
        .base_url(url)
        .token("t")
        .retry_policy(prolific::RetryPolicy::none())
        .build()
        .unwrap();
    let err = orphan.participant_groups().get("x").await.unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
}

#[tokio::test]
async fn big_groups_stay_quick_to_change() {
    let fake = FakeProlific::builder()
        .record_requests(false)
        .start()
        .await
        .unwrap();
    let id = seed_one(&fake);
    let ids: Vec<String> = (0..50_000).map(|i| format!("{i:024x}")).collect();
    assert_eq!(fake.seed_members(&id, ids.iter().cloned()), Some(50_000));
    assert_eq!(fake.seed_members("nope", ["a"]), None);

    let groups = client(&fake).participant_groups();
    let started = Instant::now();
    let left = groups
        .remove_participants(&id, &ids[..2_000])
        .await
        .unwrap();
    assert_eq!(left.len(), 48_000);
    assert_eq!(left[0].participant_id, ids[2_000]);
    let members = groups.participants(&id).await.unwrap();
    assert_eq!(members.len(), 48_000);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert!(fake.requests().is_empty());
}

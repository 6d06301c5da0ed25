//! The fake tests what users worry about: `?` on starting it, a create that times out while
//! the fake still acts, every group it holds, what each request was for and how it was
//! answered, named seeds, and faults given as text or over the control endpoint.

use crate::support::{
    WORKSPACE_ID,
    fake::{builder, client},
};

use std::time::Duration;

use prolific::{
    Error, GroupFilter, Owner,
    fake::{FakeProlific, Fault, FaultSpec, Operation},
};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn start_is_a_prolific_result_for_the_question_mark() -> prolific::Result<()> {
    let fake = FakeProlific::start().await?;
    let group = fake
        .client()
        .participant_groups()
        .create(Owner::workspace(WORKSPACE_ID), "Pilot")
        .send()
        .await?;
    assert_eq!(
        fake.group(&group.id).map(|g| g.group.name).as_deref(),
        Some("Pilot")
    );

    let taken = FakeProlific::builder()
        .port(fake.addr().port())
        .start()
        .await
        .unwrap_err();
    assert!(matches!(taken, Error::Config(_)), "{taken:?}");
    assert!(
        taken
            .to_string()
            .contains("cannot start the fake Prolific on 127.0.0.1, port "),
        "{taken}"
    );
    let bad_token = FakeProlific::builder()
        .token("a b")
        .start()
        .await
        .unwrap_err();
    assert!(bad_token.to_string().contains("token"), "{bad_token}");
    Ok(())
}

/// What the README warns about: a create that times out may still have been applied, so
/// list the workspace's groups before trying again.
#[tokio::test]
async fn a_create_that_times_out_still_creates_and_a_later_list_finds_it() -> prolific::Result<()> {
    let fake = FakeProlific::start().await?;
    let impatient = builder(&fake).timeout(Duration::from_millis(200)).build()?;
    fake.inject_on(
        Operation::CreateGroup,
        1,
        Fault::delay(Duration::from_millis(600)),
    );
    let error = impatient
        .participant_groups()
        .create(Owner::workspace(WORKSPACE_ID), "Pilot")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                operation: Operation::CreateGroup,
                ..
            }
        ),
        "{error:?}"
    );
    // The client has gone; the fake goes on and creates the group once the delay is over.
    assert!(fake.groups().is_empty());
    assert_eq!(fake.requests()[0].status, None);
    tokio::time::sleep(Duration::from_millis(800)).await;

    let listed = client(&fake)
        .participant_groups()
        .list(GroupFilter::workspace(WORKSPACE_ID))
        .send()
        .await?;
    let names: Vec<&str> = listed.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Pilot"]);
    assert_eq!(fake.requests()[0].status, Some(StatusCode::CREATED));
    Ok(())
}

#[tokio::test]
async fn groups_holds_every_group_in_creation_order_deleted_ones_included() -> prolific::Result<()>
{
    let fake = FakeProlific::start().await?;
    assert!(fake.groups().is_empty());
    let seeded = fake.seed_groups(WORKSPACE_ID, 2);
    let groups = client(&fake).participant_groups();
    let created = groups
        .create(Owner::organisation("org"), "Made over HTTP")
        .participants(["p1", "p2"])
        .send()
        .await?;
    groups.delete(&seeded[0]).await?;

    let all = fake.groups();
    let ids: Vec<&str> = all.iter().map(|g| g.group.id.as_str()).collect();
    assert_eq!(ids, [&*seeded[0], &*seeded[1], &*created.id]);
    let deleted: Vec<Option<bool>> = all.iter().map(|g| g.group.is_deleted).collect();
    assert_eq!(deleted, [Some(true), Some(false), Some(false)]);
    assert_eq!(all[2].group.organisation_id.as_deref(), Some("org"));
    assert_eq!(all[2].members.len(), 2);
    assert_eq!(Some(&all[1]), fake.group(&seeded[1]).as_ref());
    Ok(())
}

#[tokio::test]
async fn seeds_can_be_named() -> prolific::Result<()> {
    let fake = FakeProlific::start().await?;
    let pilot = fake.seed_group(WORKSPACE_ID, "Pilot");
    let more = fake.seed_groups_named(WORKSPACE_ID, ["Main", "Follow-up"]);
    let none = fake.seed_groups_named(WORKSPACE_ID, Vec::<String>::new());
    assert!(none.is_empty());
    let numbered = fake.seed_groups("elsewhere", 1);

    let names: Vec<String> = fake.groups().into_iter().map(|g| g.group.name).collect();
    assert_eq!(names, ["Pilot", "Main", "Follow-up", "Group 1"]);
    assert_eq!(fake.group(&more[1]).unwrap().group.name, "Follow-up");

    let listed = client(&fake)
        .participant_groups()
        .list(GroupFilter::workspace(WORKSPACE_ID))
        .send()
        .await?;
    let ids: Vec<&str> = listed.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, [&*pilot, &*more[0], &*more[1]]);
    assert_ne!(numbered[0], pilot);
    Ok(())
}

#[tokio::test]
async fn recorded_requests_know_their_operation_and_status() -> prolific::Result<()> {
    let fake = FakeProlific::start().await?;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    let groups = client(&fake).participant_groups();
    groups.get(&id).await?;
    fake.inject_on(Operation::AddMembers, 1, Fault::status(503).unwrap());
    assert_eq!(
        groups
            .add_participants(&id, ["p1"])
            .await
            .unwrap_err()
            .status(),
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
    fake.inject(Fault::drop_connection());
    assert!(groups.delete(&id).await.is_err());
    groups.get("no-such-group").await.unwrap_err();

    // Raw requests: a path that is not the API's, and a wrong token.
    let http = reqwest::Client::new();
    let unknown = http
        .get(format!("{}/api/v2/else/", fake.base_url()))
        .header("Authorization", format!("Token {}", fake.token()))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let wrong_token = http
        .get(format!(
            "{}/api/v1/participant-groups/{id}/participants/",
            fake.base_url()
        ))
        .header("Authorization", "Token wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_token.status(), StatusCode::UNAUTHORIZED);

    let seen: Vec<(Option<Operation>, Option<u16>)> = fake
        .requests()
        .iter()
        .map(|r| (r.operation, r.status.map(|s| s.as_u16())))
        .collect();
    assert_eq!(
        seen,
        [
            (Some(Operation::GetGroup), Some(200)),
            (Some(Operation::AddMembers), Some(503)),
            (Some(Operation::DeleteGroup), None),
            (Some(Operation::GetGroup), Some(404)),
            (None, Some(404)),
            (Some(Operation::ListMembers), Some(401)),
        ]
    );
    Ok(())
}

#[test]
fn fault_specs_read_as_the_fake_server_takes_them() {
    let spec: FaultSpec = "create_participant_group:status=503:2".parse().unwrap();
    assert_eq!(
        spec,
        FaultSpec::new(Some(Operation::CreateGroup), Fault::status(503).unwrap(), 2)
    );
    let spec: FaultSpec = "any:rate-limited=3".parse().unwrap();
    assert_eq!(
        spec,
        FaultSpec::new(None, Fault::rate_limited_after_secs(3), 1)
    );
    let kinds = [
        ("delay=250", Fault::delay(Duration::from_millis(250))),
        ("drop", Fault::drop_connection()),
        ("truncated", Fault::truncated_body()),
        ("html=502", Fault::non_json(502).unwrap()),
        ("rate-limited", Fault::rate_limited(None)),
    ];
    for (kind, fault) in kinds {
        let spec: FaultSpec = format!("get_participant_group:{kind}").parse().unwrap();
        assert_eq!(spec.fault, fault, "{kind}");
    }
    let error = "createGroup:drop".parse::<FaultSpec>().unwrap_err();
    assert!(
        error.to_string().starts_with("unknown operation \"createGroup\": expected any or one of list_participant_groups, create_participant_group"),
        "{error}"
    );
}

#[tokio::test]
async fn inject_spec_aims_a_fault_read_from_text() -> prolific::Result<()> {
    let fake = FakeProlific::start().await?;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.inject_spec(
        "add_participant_group_members:status=502:2"
            .parse()
            .unwrap(),
    );
    let groups = client(&fake).participant_groups();
    groups.get(&id).await?;
    assert_eq!(fake.faults_pending(), 2);
    let error = groups.add_participants(&id, ["p1"]).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_GATEWAY));
    assert_eq!(fake.faults_pending(), 1);
    Ok(())
}

/// Sends one control request without a token; the answer's status and JSON body.
async fn control(
    fake: &FakeProlific,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", fake.base_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the control endpoint answers");
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, body)
}

#[tokio::test]
async fn a_fault_posted_to_the_control_endpoint_is_met_by_the_client() -> prolific::Result<()> {
    use reqwest::Method;
    let fake = FakeProlific::builder()
        .control_endpoint(true)
        .start()
        .await?;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    let groups = client(&fake).participant_groups();

    let fault = json!({"operation": "get_participant_group", "kind": "status=503", "count": 2});
    let (status, body) = control(&fake, Method::POST, "/_fake/faults", Some(fault)).await;
    assert_eq!((status, body), (StatusCode::CREATED, json!({"pending": 2})));
    let (status, body) = control(
        &fake,
        Method::POST,
        "/_fake/faults",
        Some(json!({"kind": "drop"})),
    )
    .await;
    assert_eq!((status, body), (StatusCode::CREATED, json!({"pending": 3})));
    assert_eq!(fake.faults_pending(), 3);

    // The control requests met no fault and were not recorded.
    assert!(fake.requests().is_empty());
    for _ in 0..2 {
        let error = groups.get(&id).await.unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    }
    let error = groups.delete(&id).await.unwrap_err();
    assert!(matches!(error, Error::Connection { .. }), "{error:?}");
    assert_eq!(groups.get(&id).await?.name, "Pilot");
    let (_, body) = control(&fake, Method::GET, "/_fake/faults", None).await;
    assert_eq!(body, json!({"pending": 0}));

    let (status, requests) = control(&fake, Method::GET, "/_fake/requests", None).await;
    assert_eq!(status, StatusCode::OK);
    let seen: Vec<(&Value, &Value)> = requests
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (&r["operation"], &r["status"]))
        .collect();
    assert_eq!(
        seen,
        [
            (&json!("get_participant_group"), &json!(503)),
            (&json!("get_participant_group"), &json!(503)),
            (&json!("delete_participant_group"), &Value::Null),
            (&json!("get_participant_group"), &json!(200)),
        ]
    );
    let delete = &requests[2];
    assert_eq!(delete["method"], "DELETE");
    assert_eq!(delete["path"], format!("/api/v1/participant-groups/{id}/"));
    assert_eq!(delete["body"], Value::Null);
    assert!(
        delete["headers"]
            .as_array()
            .unwrap()
            .contains(&json!(["authorization", format!("Token {}", fake.token())]))
    );

    let (status, _) = control(&fake, Method::DELETE, "/_fake/requests", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(fake.requests().is_empty());
    control(
        &fake,
        Method::POST,
        "/_fake/faults",
        Some(json!({"kind": "drop"})),
    )
    .await;
    let (status, _) = control(&fake, Method::DELETE, "/_fake/faults", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(fake.faults_pending(), 0);
    Ok(())
}

#[tokio::test]
async fn the_control_endpoint_says_what_is_wrong_and_is_off_by_default() -> prolific::Result<()> {
    use reqwest::Method;
    let fake = FakeProlific::builder()
        .control_endpoint(true)
        .start()
        .await?;
    let post = |body: Value| control(&fake, Method::POST, "/_fake/faults", Some(body));
    let (status, body) = post(json!({"operation": "create_group", "kind": "drop"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("unknown operation \"create_group\""),
        "{body}"
    );
    let (status, body) = post(json!({"kind": "status=700"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"],
        "a fault's status must be between 200 and 599, not 700"
    );
    let (status, body) = post(json!({"kind": "drop", "count": 0})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "a fault's count must be at least 1");
    let (status, body) = post(json!({"operation": "any"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("missing field `kind`"),
        "{body}"
    );
    assert_eq!(fake.faults_pending(), 0);

    let (status, body) = control(&fake, Method::GET, "/_fake/other", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body["error"].as_str().unwrap().contains("/_fake/faults"),
        "{body}"
    );
    let (status, _) = control(&fake, Method::PUT, "/_fake/requests", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);

    // Off by default: the path is the API's, which needs a token and has no such resource.
    let plain = FakeProlific::start().await?;
    let (status, body) = control(
        &plain,
        Method::POST,
        "/_fake/faults",
        Some(json!({"kind": "drop"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["status"], 401);
    assert_eq!(plain.faults_pending(), 0);
    assert_eq!(plain.requests().len(), 1);
    Ok(())
}

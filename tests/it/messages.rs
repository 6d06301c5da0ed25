//! The words of the messages a user meets (issue 18): each says what happened and, where
//! something can be done, what to do.

use crate::support;

use std::process::Command;

use httpmock::prelude::*;
use prolific::{Client, Error, GroupFilter, Owner};
use serde_json::json;
use support::*;

/// A client for a server that is never reached: for input refused before sending.
fn unreached() -> Client {
    client("http://127.0.0.1:9")
}

#[tokio::test]
async fn positions_count_from_one() {
    let groups = unreached().participant_groups();
    let err = groups.add_participants(GROUP_ID, ["", "ok"]).await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "invalid input: participant id #1 is empty (\"\")"
    );
    let err = groups.remove_participants(GROUP_ID, ["ok", "a b"]).await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "invalid input: participant id #2 contains whitespace (\"a b\")"
    );
}

/// The message of an add of two ids whose one request is answered `status`.
async fn bulk_add_failing_with(status: u16) -> String {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(status)
                .json_body(json!({"error": {"title": "t", "detail": "d"}}));
        })
        .await;
    let err = client(&server.base_url())
        .participant_groups()
        .add_participants(GROUP_ID, ["p1", "p2"])
        .await
        .unwrap_err();
    assert!(err.bulk().is_some(), "{err:?}");
    err.to_string()
}

const RUN_AGAIN: &str =
    "; running the same change again finishes it (adding and removing are idempotent); cause: ";

#[tokio::test]
async fn bulk_advice_to_run_again_only_when_a_transient_failure_stopped_it() {
    for status in [429, 500, 503] {
        let text = bulk_add_failing_with(status).await;
        assert!(
            text.starts_with(&format!(
                "adding participants to group {GROUP_ID} stopped after 0 of 1 chunks: 0 ids \
                 applied, 2 not applied{RUN_AGAIN}Prolific answered {status}"
            )),
            "{text}"
        );
        assert!(!text.contains("not_applied"), "{text}");
    }
    let permanent = [
        (
            404,
            "the group was not found (or this token may not see it), so running it again will \
             not help",
        ),
        (
            400,
            "Prolific refused the request as invalid, so running it again will not help",
        ),
        (
            401,
            "the API token was refused, so running it again will not help",
        ),
        (
            403,
            "this token may not change the group, so running it again will not help",
        ),
    ];
    for (status, advice) in permanent {
        let text = bulk_add_failing_with(status).await;
        assert!(
            text.contains(&format!(
                "0 ids applied, 2 not applied; {advice}; cause: Prolific answered {status}"
            )),
            "{text}"
        );
        assert!(!text.contains("running the same"), "{text}");
    }
}

#[tokio::test]
async fn a_replacement_is_run_again_as_a_whole() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("PATCH");
            then.status(502).body("<html>bad gateway</html>");
        })
        .await;
    let err = client(&server.base_url())
        .participant_groups()
        .replace_participants(GROUP_ID, ["p1"])
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(
            "1 not applied; running the same replacement again finishes it (it starts over \
             from the first chunk); cause: Prolific answered 502 Bad Gateway"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn a_connection_error_gives_its_root_cause_and_nothing_was_sent() {
    let url = support::closed_url();
    let err = client(&url)
        .participant_groups()
        .create(Owner::workspace(WORKSPACE_ID), "n")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "could not talk to Prolific (create_participant_group): error sending request for \
             url ({url}/api/v1/participant-groups/): "
        )),
        "{text}"
    );
    assert!(text.contains("Connection refused"), "{text}");
    // Refused: the request never left, so there is no doubt about whether it was applied.
    assert!(!text.contains("may or may not"), "{text}");
}

#[cfg(feature = "fake")]
#[tokio::test]
async fn a_create_cut_off_after_sending_may_have_been_applied() {
    use prolific::{Operation, fake::FakeProlific, fake::Fault};

    let fake = FakeProlific::start().await.unwrap();
    let client = support::fake::client(&fake);
    let groups = client.participant_groups();
    for fault in [Fault::drop_connection(), Fault::truncated_body()] {
        fake.inject_on(Operation::CreateGroup, 1, fault.clone());
        let err = groups
            .create(Owner::workspace(WORKSPACE_ID), "n")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Connection { .. }),
            "{fault:?}: {err:?}"
        );
        let text = err.to_string();
        assert!(
            text.starts_with("could not talk to Prolific (create_participant_group): "),
            "{text}"
        );
        assert!(
            text.ends_with("; the request may or may not have been applied"),
            "{text}"
        );
    }
    // Reading is idempotent: running it again is always safe, so no note.
    let id = fake.seed_groups(WORKSPACE_ID, 1).remove(0);
    fake.inject_on(Operation::GetGroup, 1, Fault::drop_connection());
    let text = groups.get(&id).await.unwrap_err().to_string();
    assert!(!text.contains("may or may not"), "{text}");
}

/// Set in the child process that runs [`from_env_in_a_process_of_its_own`].
const CHILD: &str = "PROLIFIC_TEST_FROM_ENV_CHILD";

/// What `Client::from_env` says in a process of its own whose environment holds `token` and
/// `url` (`None`: unset): `OK <base URL>` or `ERR <message>`. Environment variables are
/// process-wide, so they are set only in a child process, never in this one.
fn from_env_with(token: Option<&str>, url: Option<&str>) -> String {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "messages::from_env_in_a_process_of_its_own",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD, "1");
    for (name, value) in [(prolific::TOKEN_ENV, token), (prolific::URL_ENV, url)] {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the child process failed:\n{stdout}"
    );
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("from_env: "))
        .unwrap_or_else(|| panic!("no answer from the child process:\n{stdout}"))
        .to_owned()
}

#[test]
#[ignore = "run by configuration_from_the_environment_names_the_variable in a process of its own"]
fn from_env_in_a_process_of_its_own() {
    assert!(std::env::var_os(CHILD).is_some(), "run only as a child");
    match Client::from_env() {
        Ok(client) => println!("from_env: OK {}", client.base_url()),
        Err(e) => println!("from_env: ERR {e}"),
    }
}

#[test]
fn configuration_from_the_environment_names_the_variable() {
    assert_eq!(
        from_env_with(None, None),
        "ERR configuration error: the environment variable PROLIFIC_TOKEN is not set; set it \
         to your Prolific API token"
    );
    assert_eq!(
        from_env_with(Some(""), None),
        "ERR configuration error: the API token in PROLIFIC_TOKEN is empty; set it to your \
         Prolific API token"
    );
    // As when the token is read from a file with its newline: the character and where it is,
    // and never the token.
    let answer = from_env_with(Some(&format!("{TOKEN}\n")), None);
    assert_eq!(
        answer,
        format!(
            "ERR configuration error: the API token in PROLIFIC_TOKEN contains a line feed \
             (\\n) at position {}, which is not allowed in an HTTP header",
            TOKEN.len() + 1
        )
    );
    assert_eq!(
        from_env_with(Some(TOKEN), Some("not a url")),
        "ERR configuration error: the base URL \"not a url\" in PROLIFIC_URL is not a URL \
         (relative URL without a base)"
    );
    assert_eq!(
        from_env_with(Some(TOKEN), Some("http://example.com"))
            .split(" which ")
            .next(),
        Some(
            "ERR configuration error: the base URL \"http://example.com\" in PROLIFIC_URL uses \
             plain http to a host that is not loopback,"
        )
    );
}

#[test]
fn an_empty_url_in_the_environment_means_the_default() {
    for empty in ["", "  ", "\n"] {
        assert_eq!(
            from_env_with(Some(TOKEN), Some(empty)),
            "OK https://api.prolific.com",
            "{empty:?}"
        );
    }
    assert_eq!(
        from_env_with(Some(TOKEN), Some("http://127.0.0.1:8080/")),
        "OK http://127.0.0.1:8080"
    );
}

#[test]
fn a_token_given_in_code_is_described_without_a_variable() {
    let message = |token: &str| {
        Client::builder()
            .token(token)
            .build()
            .unwrap_err()
            .to_string()
    };
    assert_eq!(message(""), "configuration error: the API token is empty");
    assert_eq!(
        message("abc\n"),
        "configuration error: the API token contains a line feed (\\n) at position 4, which \
         is not allowed in an HTTP header"
    );
}

#[tokio::test]
async fn a_404_under_a_base_url_ending_in_the_api_path_says_to_drop_it() {
    let server = MockServer::start_async().await;
    let doubled = server
        .mock_async(|when, then| {
            when.path_prefix("/api/v1/api/v1/");
            then.status(404)
                .json_body(json!({"error": {"title": "Not found"}}));
        })
        .await;
    for (given, base, extra) in [
        ("/api/v1", "/api/v1", "/api/v1"),
        ("/api/v1/", "/api/v1", "/api/v1"),
        ("/api", "/api", "/api"),
        ("/api/", "/api", "/api"),
    ] {
        let given = format!("{}{given}", server.base_url());
        let err = client(&given)
            .participant_groups()
            .get(GROUP_ID)
            .await
            .unwrap_err();
        assert!(err.is_not_found(), "{err:?}");
        assert!(
            err.to_string().ends_with(&format!(
                "; the base URL {}{base} ends in {extra}; give it without that path: the client \
                 adds /api/v1/... itself",
                server.base_url()
            )),
            "{err}"
        );
    }
    doubled.assert_calls_async(2).await;
    // A 404 under a right base URL says nothing about it.
    let err = client(&server.base_url())
        .participant_groups()
        .get(GROUP_ID)
        .await
        .unwrap_err();
    assert!(
        err.is_not_found() && !err.to_string().contains("base URL"),
        "{err}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_the_expected_json_says_what_was_expected() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .header("content-type", "text/html")
                .body("<html>maintenance</html>");
        })
        .await;
    let groups = client(&server.base_url()).participant_groups();
    let read = [
        (
            groups.get(GROUP_ID).await.unwrap_err(),
            "get_participant_group",
            "a participant group",
        ),
        (
            groups
                .list(GroupFilter::workspace(WORKSPACE_ID))
                .send()
                .await
                .unwrap_err(),
            "list_participant_groups",
            "a page of participant groups",
        ),
        (
            groups.participants(GROUP_ID).await.unwrap_err(),
            "list_participant_group_members",
            "the members of a group",
        ),
    ];
    for (err, operation, expected) in read {
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "Prolific answered 200 OK to {operation} with a body that could not be read as \
                 the expected JSON ({expected}): "
            )),
            "{text}"
        );
        assert!(
            text.ends_with("; body starts: \"<html>maintenance</html>\""),
            "{text}"
        );
    }
}

#[tokio::test]
async fn messages_use_the_words_the_user_wrote() {
    let groups = unreached().participant_groups();
    let err = groups.list(GroupFilter::workspace("")).send().await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "invalid input: workspace id is empty (\"\")"
    );
    let err = groups.list(GroupFilter::project(" ")).send().await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "invalid input: project id contains whitespace (\" \")"
    );
    let err = groups.update(GROUP_ID).send().await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "invalid input: the update changes nothing: give a new name with .name(..)"
    );
}

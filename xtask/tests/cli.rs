//! `cargo xtask drift` as a team and CI run it: the built binary (cargo builds it for this test),
//! its exit status, its text and its JSON.

use std::{
    path::PathBuf,
    process::{Command, Output},
};

/// A fixture's path, as a string argument.
fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    path.to_str().expect("a UTF-8 path").to_owned()
}

/// Runs `xtask` with these arguments.
fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

/// The output's stdout, as text.
fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The output's stderr, as text.
fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn every_difference_accepted_exits_0_with_a_summary() {
    let output = xtask(&["drift", &fixture("prolific-2026-08.yaml")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("theirs:   ") && lines[0].ends_with("prolific-2026-08.yaml"));
    assert!(
        lines[1].ends_with("openapi/participant-groups.yaml"),
        "{text}"
    );
    assert!(lines[2].ends_with("openapi/drift-accepted.toml"), "{text}");
    assert_eq!(lines[3], "");
    assert!(
        lines[4].starts_with("summary: no new difference in 9 operations; "),
        "{text}"
    );
    assert_eq!(lines.len(), 5, "{text}");
}

#[test]
fn a_new_difference_exits_1_and_prints_only_it() {
    let output = xtask(&["drift", &fixture("prolific-2026-08-new-field.yaml")]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let body: Vec<&str> = text.lines().skip(4).collect();
    assert_eq!(body.len(), 3, "{text}");
    assert_eq!(
        body[0],
        "GET /api/v1/participant-groups/  response 200 field results[].is_pinned: in theirs, not in ours"
    );
    assert_eq!(body[1], "");
    assert!(
        body[2].starts_with("summary: 1 new difference in 9 operations; "),
        "{text}"
    );
    assert!(body[2].ends_with(" accepted"), "{text}");
}

#[test]
fn json_names_the_new_difference_as_data() {
    let output = xtask(&[
        "drift",
        &fixture("prolific-2026-08-message-field.yaml"),
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["status"], 1);
    assert_eq!(report["operations"], 9);
    assert_eq!(report["stale"], serde_json::json!([]));
    assert_eq!(
        report["new"],
        serde_json::json!([{
            "line": "POST /api/v1/messages/participant-group/  request body field subject: in theirs, not in ours",
            "operation": "POST /api/v1/messages/participant-group/",
            "method": "POST",
            "path": "/api/v1/messages/participant-group/",
            "where": "request body field subject",
            "what": "in theirs, not in ours",
            "subject": { "kind": "request_field", "field": "subject" },
            "change": { "kind": "presence", "only_in": "theirs" },
        }])
    );
    let accepted = report["accepted"].as_array().expect("a list");
    assert!(accepted.iter().all(|entry| entry["reason"].is_string()));
    assert!(!accepted.is_empty());
}

#[test]
fn all_reports_every_difference_as_new() {
    let output = xtask(&["drift", &fixture("prolific-2026-08.yaml"), "--all"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.lines().nth(2) == Some("accepted: none"), "{text}");
    assert!(text.contains(
        "\nGET /api/v1/participant-groups/  parameter active (query): type string in theirs, boolean in ours\n"
    ));
}

#[test]
fn a_file_that_is_not_openapi_exits_2_without_a_report() {
    let output = xtask(&["drift", &fixture("not_openapi.yaml")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output)
            .ends_with("not_openapi.yaml: not an OpenAPI document (no `openapi` version)\n"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    for (args, message) in [
        (&[][..], "xtask: no task given"),
        (&["drift"][..], "xtask: no spec to check"),
        (&["frobnicate"][..], "xtask: unknown task `frobnicate`"),
        (
            &["drift", "a.yaml", "--frobnicate"][..],
            "xtask: unknown option `--frobnicate`",
        ),
        (
            &["drift", "a.yaml", "--all", "--accepted", "b.toml"][..],
            "exclude each other",
        ),
    ] {
        let output = xtask(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let help = xtask(&["drift", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).starts_with("usage: cargo xtask drift "));
}

//! The drift report (`examples/spec_drift.rs`) run on the fixture specs in `tests/fixtures/drift/`.
//!
//! The example is built once with cargo, with this test's features (a no-op when `cargo test`
//! has already built the examples), and its binary is then run directly for each case. Each case asserts the exit status
//! and the exact difference lines.
//!
//! `same.yaml` is compared with our real spec, `openapi/participant-groups.yaml`: when that spec
//! changes, `same.yaml` must change with it. Every other fixture is compared with `base.yaml`, a
//! cut-down spec in our style, and differs from it in one kind of way.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::OnceLock,
};

/// The directory of the fixture specs.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drift")
}

/// The crate features this test was built with. The example is built with the same ones, so
/// that cargo reuses the library `cargo test` has just built instead of building it again with
/// other features. (A feature missing from this list costs one more build of the library, no
/// more.)
fn feature_args() -> Vec<String> {
    let enabled = [
        ("rustls", cfg!(feature = "rustls")),
        ("native-tls", cfg!(feature = "native-tls")),
        ("schemars", cfg!(feature = "schemars")),
        ("fake", cfg!(feature = "fake")),
    ];
    let features: Vec<&str> = enabled
        .iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect();
    let mut args = vec!["--no-default-features".to_owned()];
    if !features.is_empty() {
        args.push(format!("--features={}", features.join(",")));
    }
    args
}

/// Builds the example once and returns the path of its binary, read from cargo's JSON messages.
fn spec_drift_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let output = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--example", "spec_drift"])
            .args(feature_args())
            .arg("--message-format=json")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "cargo build --example spec_drift failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|message| message["target"]["name"] == "spec_drift")
            .find_map(|message| message["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the spec_drift executable")
    })
}

/// Runs the report with these arguments.
fn run(args: &[&str]) -> Output {
    Command::new(spec_drift_binary())
        .args(args)
        .output()
        .expect("spec_drift runs")
}

/// Runs the report on `fixture`, compared with `base.yaml`.
fn run_against_base(fixture: &str) -> Output {
    let theirs = fixtures().join(fixture);
    let base = fixtures().join("base.yaml");
    let (theirs, base) = (theirs.to_str().unwrap(), base.to_str().unwrap());
    run(&[theirs, "--ours", base])
}

/// The report's difference lines: every line but the header, the blank lines and the summary.
fn differences(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.is_empty())
        .filter(|line| {
            !["theirs:", "ours:", "paths under ", "summary:"]
                .iter()
                .any(|header| line.starts_with(header))
        })
        .map(str::to_owned)
        .collect()
}

/// The report's last line.
fn summary(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout.lines().last().unwrap_or_default().to_owned()
}

/// Asserts that comparing `fixture` with `base.yaml` gives exactly these difference lines,
/// exit status 1 and this summary.
fn assert_drift(fixture: &str, expected: &[&str], expected_summary: &str) {
    let output = run_against_base(fixture);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{fixture}: stderr:\n{stderr}"
    );
    assert_eq!(differences(&output), expected, "{fixture}");
    assert_eq!(summary(&output), expected_summary, "{fixture}");
    assert!(
        stderr.is_empty(),
        "{fixture}: unexpected warnings:\n{stderr}"
    );
}

#[test]
fn a_spec_in_prolifics_style_saying_what_ours_says_shows_no_drift() {
    // No --ours: the report's default is our real spec.
    let same = fixtures().join("same.yaml");
    let output = run(&[same.to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(differences(&output), Vec::<String>::new());
    assert_eq!(summary(&output), "summary: no differences in 8 operations");
}

#[test]
fn a_spec_with_a_schema_that_contains_itself_matches_itself() {
    let output = run_against_base("base.yaml");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(summary(&output), "summary: no differences in 3 operations");
}

#[test]
fn a_missing_operation_is_reported() {
    assert_drift(
        "missing_operation.yaml",
        &[
            "GET /api/v1/participant-groups/{participant_group_id}/  operation: in theirs, not in ours",
            "PATCH /api/v1/participant-groups/{id}/  operation: in ours, not in theirs",
        ],
        "summary: 2 differences in 2 of 4 operations",
    );
}

#[test]
fn an_extra_operation_in_a_json_spec_is_reported() {
    assert_drift(
        "extra_operation.json",
        &[
            "DELETE /api/v1/participant-groups/{participant_group_id}/  operation: in theirs, not in ours",
        ],
        "summary: 1 difference in 1 of 4 operations",
    );
}

#[test]
fn parameter_differences_are_reported_but_an_exploded_filter_object_is_not() {
    assert_drift(
        "parameter.yaml",
        &[
            "GET /api/v1/participant-groups/  parameter active (query): in theirs, not in ours",
            "GET /api/v1/participant-groups/  parameter limit (query): type string in theirs, integer in ours",
            "GET /api/v1/participant-groups/  parameter limit (query): required in theirs, not in ours",
        ],
        "summary: 3 differences in 1 of 3 operations",
    );
}

#[test]
fn an_exploded_oneof_filter_matching_our_flat_parameters_is_no_drift() {
    // `filter`'s variants send `workspace_id` or `project_id`: base.yaml's two optional flat
    // parameters. The union is compared with them, and nothing differs.
    let output = run_against_base("oneof_filter.yaml");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr:\n{stderr}");
    assert_eq!(differences(&output), Vec::<String>::new());
    assert_eq!(summary(&output), "summary: no differences in 3 operations");
    assert!(stderr.is_empty(), "unexpected warnings:\n{stderr}");
}

#[test]
fn a_oneof_filter_variant_property_missing_extra_or_always_required_is_reported() {
    assert_drift(
        "oneof_filter_drift.yaml",
        &[
            "GET /api/v1/participant-groups/  parameter organisation_id (query): in theirs, not in ours",
            "GET /api/v1/participant-groups/  parameter project_id (query): in ours, not in theirs",
            "GET /api/v1/participant-groups/  parameter workspace_id (query): required in theirs, not in ours",
        ],
        "summary: 3 differences in 1 of 3 operations",
    );
}

#[test]
fn an_exploded_filter_that_cannot_be_compared_gets_a_line_saying_so() {
    assert_drift(
        "oneof_filter_unreadable.yaml",
        &[
            "GET /api/v1/participant-groups/  parameter filter (query) in theirs: not compared: an exploded object whose properties cannot be read: a member (#/components/schemas/Query) is string, not an object",
            "GET /api/v1/participant-groups/  parameter project_id (query): in ours, not in theirs",
            "GET /api/v1/participant-groups/  parameter workspace_id (query): in ours, not in theirs",
        ],
        "summary: 3 differences in 1 of 3 operations",
    );
}

#[test]
fn a_request_body_field_difference_is_reported() {
    assert_drift(
        "request_body_field.yaml",
        &[
            "POST /api/v1/participant-groups/  request body field organisation_id: in theirs, not in ours",
        ],
        "summary: 1 difference in 1 of 3 operations",
    );
}

#[test]
fn a_response_field_type_difference_is_reported() {
    assert_drift(
        "response_field_type.yaml",
        &[
            "GET /api/v1/participant-groups/  response 200 field meta.count: type string in theirs, integer in ours",
        ],
        "summary: 1 difference in 1 of 3 operations",
    );
}

#[test]
fn a_required_ness_difference_is_reported() {
    assert_drift(
        "required.yaml",
        &[
            "GET /api/v1/participant-groups/  response 200 field results: required in ours, not in theirs",
        ],
        "summary: 1 difference in 1 of 3 operations",
    );
}

#[test]
fn a_nullability_difference_is_reported_in_nested_fields_of_every_operation() {
    assert_drift(
        "nullable.yaml",
        &[
            "GET /api/v1/participant-groups/  response 200 field results[].feeder_studies[].status: nullable in theirs, not in ours",
            "POST /api/v1/participant-groups/  response 201 field feeder_studies[].status: nullable in theirs, not in ours",
            "PATCH /api/v1/participant-groups/{id}/  response 200 field feeder_studies[].status: nullable in theirs, not in ours",
        ],
        "summary: 3 differences in 3 of 3 operations",
    );
}

#[test]
fn usage_and_read_errors_exit_with_2() {
    let not_openapi = fixtures().join("not_openapi.yaml");
    let missing = fixtures().join("no-such-spec.yaml");
    let cases: [(&[&str], &str); 4] = [
        (&[], "spec_drift: no spec to check"),
        (
            &["--frobnicate"],
            "spec_drift: unknown option `--frobnicate`",
        ),
        (&[missing.to_str().unwrap()], "spec_drift: cannot read"),
        (
            &[not_openapi.to_str().unwrap()],
            "not_openapi.yaml: not an OpenAPI document",
        ),
    ];
    for (args, message) in cases {
        let output = run(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}: a report was printed");
    }
}

#[test]
fn help_prints_the_usage_and_exits_with_0() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "usage: spec_drift <theirs: openapi.yaml | openapi.json> [--ours <path>]\n"
    );
}

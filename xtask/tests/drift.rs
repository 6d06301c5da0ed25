//! The drift check called on the fixtures in `tests/fixtures/`, no cargo inside cargo.
//!
//! * `prolific-2026-08.yaml` is Prolific's current spec, trimmed to the group and group-message
//!   paths; the `prolific-2026-08-*.yaml` files are copies of it with one change each. They are
//!   compared with our real spec and `openapi/drift-accepted.toml`, as a team would run it.
//! * `prolific-2026-04.yaml` is the same in the shape of Prolific's older 3.0 spec.
//! * `same.yaml` says what our spec says, in Prolific's style, with no accepted file.
//! * The other fixtures are compared with `base.yaml`, a cut-down spec in our style, and differ
//!   from it in one kind of way.

use std::{fs, path::PathBuf};

use xtask::drift::{Change, Error, Options, Report, Side, Subject, check, workspace_root};

/// A fixture's path.
fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A scratch file for this test binary, with these contents.
fn scratch(name: &str, contents: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    fs::write(&path, contents).expect("the scratch file is written");
    path
}

/// Compares a fixture with our spec, with our accepted file.
fn against_ours(name: &str) -> Report {
    check(&Options::with_defaults(fixture(name))).expect("the specs are read")
}

/// Compares a fixture with `base.yaml`, every difference new.
fn against_base(name: &str) -> Report {
    let options = Options {
        theirs: fixture(name),
        ours: fixture("base.yaml"),
        accepted: None,
    };
    check(&options).expect("the specs are read")
}

/// The number of entries in our accepted file.
fn accepted_entries() -> usize {
    let path = workspace_root().join("openapi/drift-accepted.toml");
    let text = fs::read_to_string(path).expect("the accepted file is read");
    text.lines().filter(|line| *line == "[[accepted]]").count()
}

/// Asserts that `report` has exactly these new lines, exit status 1, and that every entry of our
/// accepted file was used.
fn assert_new(report: &Report, expected: &[&str]) {
    assert_eq!(report.new_lines(), expected);
    assert_eq!(report.status(), 1);
    assert_eq!(report.stale, []);
    assert_eq!(report.accepted.len(), accepted_entries());
}

#[test]
fn prolifics_current_spec_has_only_accepted_differences() {
    let report = against_ours("prolific-2026-08.yaml");
    assert_eq!(report.new_lines(), Vec::<String>::new());
    assert_eq!(report.status(), 0);
    assert_eq!(report.stale, []);
    assert_eq!(report.accepted.len(), accepted_entries());
    assert_eq!(report.operations, 9);
    assert_eq!(
        report.summary(),
        format!(
            "summary: no new difference in 9 operations; {} accepted",
            accepted_entries()
        )
    );
}

#[test]
fn prolifics_current_spec_as_json_reads_the_same() {
    let yaml = fs::read_to_string(fixture("prolific-2026-08.yaml")).unwrap();
    let yaml: serde_norway::Value = serde_norway::from_str(&yaml).unwrap();
    let json = xtask::drift::yaml_to_json(yaml).unwrap();
    let path = scratch("prolific-2026-08.json", &json.to_string());
    let report = check(&Options::with_defaults(path)).unwrap();
    assert_eq!(report.status(), 0);
    assert_eq!(report.stale, []);
    assert_eq!(report.accepted.len(), accepted_entries());
}

#[test]
fn a_new_field_in_participant_group_is_new() {
    let report = against_ours("prolific-2026-08-new-field.yaml");
    assert_new(
        &report,
        &[
            "GET /api/v1/participant-groups/  response 200 field results[].is_pinned: in theirs, not in ours",
        ],
    );
    let difference = &report.new[0];
    assert_eq!(
        difference.subject,
        Subject::ResponseField {
            status: "200".to_owned(),
            field: "results[].is_pinned".to_owned()
        }
    );
    assert_eq!(
        difference.change,
        Change::Presence {
            only_in: Side::Theirs
        }
    );
}

#[test]
fn a_removed_field_is_new() {
    assert_new(
        &against_ours("prolific-2026-08-removed-field.yaml"),
        &[
            "GET /api/v1/participant-groups/  response 200 field results[].description: in ours, not in theirs",
        ],
    );
}

#[test]
fn a_new_required_field_in_the_group_message_is_new() {
    assert_new(
        &against_ours("prolific-2026-08-message-field.yaml"),
        &[
            "POST /api/v1/messages/participant-group/  request body field subject: in theirs, not in ours",
        ],
    );
}

#[test]
fn a_new_operation_on_a_group_path_is_new() {
    let report = against_ours("prolific-2026-08-new-operation.yaml");
    assert_new(
        &report,
        &["PUT /api/v1/participant-groups/{id}/  operation: in theirs, not in ours"],
    );
    assert_eq!(report.operations, 10);
}

#[test]
fn a_new_path_under_the_groups_is_new() {
    assert_new(
        &against_ours("prolific-2026-08-new-path.yaml"),
        &["GET /api/v1/participant-groups/{id}/export/  operation: in theirs, not in ours"],
    );
}

#[test]
fn an_older_3_0_spec_is_compared_and_its_differences_named() {
    let report = against_ours("prolific-2026-04.yaml");
    let group_fields = ["id", "is_deleted", "name", "participant_count"];
    let mut expected = Vec::new();
    for field in group_fields {
        expected.push(format!(
            "GET /api/v1/participant-groups/  response 200 field results[].{field}: nullable in theirs, not in ours"
        ));
    }
    for (operation, status) in [
        ("POST /api/v1/participant-groups/", "201"),
        ("GET /api/v1/participant-groups/{id}/", "200"),
        ("PATCH /api/v1/participant-groups/{id}/", "200"),
    ] {
        for field in group_fields {
            expected.push(format!(
                "{operation}  response {status} field {field}: nullable in theirs, not in ours"
            ));
        }
    }
    for method in ["GET", "POST", "DELETE"] {
        expected.push(format!(
            "{method} /api/v1/participant-groups/{{id}}/participants/  response 200 field results[].participant_id: nullable in theirs, not in ours"
        ));
    }
    assert_eq!(report.new_lines(), expected);
    assert_eq!(report.status(), 1);
    // Where the old spec was as lenient as ours, the entries accepting the difference are stale.
    let stale: Vec<String> = report.stale.iter().map(|entry| entry.line()).collect();
    assert!(stale.contains(
        &"GET /api/v1/participant-groups/{id}/participants/  response 200 field results[].datetime_created: nullable in ours, not in theirs"
            .to_owned()
    ));
    assert_eq!(
        report.stale.len() + report.accepted.len(),
        accepted_entries()
    );
}

#[test]
fn a_stale_entry_is_reported_without_changing_the_status() {
    let ours = fs::read_to_string(workspace_root().join("openapi/drift-accepted.toml")).unwrap();
    let extra = "\n[[accepted]]\noperation = \"GET /api/v1/participant-groups/\"\n\
                 where = \"parameter colour (query)\"\nwhat = \"in theirs, not in ours\"\n\
                 reason = \"An entry whose difference is gone.\"\n";
    let accepted = scratch("stale-accepted.toml", &(ours + extra));
    let mut options = Options::with_defaults(fixture("prolific-2026-08.yaml"));
    options.accepted = Some(accepted);
    let report = check(&options).unwrap();
    assert_eq!(report.status(), 0);
    let stale: Vec<String> = report.stale.iter().map(|entry| entry.line()).collect();
    assert_eq!(
        stale,
        ["GET /api/v1/participant-groups/  parameter colour (query): in theirs, not in ours"]
    );
    assert!(report.text().contains(
        "\nstale: GET /api/v1/participant-groups/  parameter colour (query): in theirs, not in ours (accepted, no longer found)\n"
    ));
    assert!(report.summary().ends_with("; 1 stale entry"));
}

#[test]
fn an_entry_accepts_only_its_exact_difference() {
    // The entry accepts `active` as a string against our boolean; a spec where `active` became
    // an integer is new again, and the old entry is stale.
    let spec = fs::read_to_string(fixture("prolific-2026-08.yaml")).unwrap();
    let changed = spec.replacen(
        "ApiV1ParticipantGroupsGetParametersActive:\n      type: string",
        "ApiV1ParticipantGroupsGetParametersActive:\n      type: integer",
        1,
    );
    assert_ne!(changed, spec, "the fixture declares `active` as expected");
    let report = check(&Options::with_defaults(scratch(
        "active-integer.yaml",
        &changed,
    )))
    .unwrap();
    assert_eq!(
        report.new_lines(),
        [
            "GET /api/v1/participant-groups/  parameter active (query): type integer in theirs, boolean in ours"
        ]
    );
    let stale: Vec<String> = report.stale.iter().map(|entry| entry.line()).collect();
    assert_eq!(
        stale,
        [
            "GET /api/v1/participant-groups/  parameter active (query): type string in theirs, boolean in ours"
        ]
    );
}

#[test]
fn a_spec_in_prolifics_style_saying_what_ours_says_shows_no_difference() {
    // The restated `Authorization` header, the `{}` body of a 204, `filter`, 3.1 nullability.
    let mut options = Options::with_defaults(fixture("same.yaml"));
    options.accepted = None;
    let report = check(&options).unwrap();
    assert_eq!(report.new_lines(), Vec::<String>::new());
    assert_eq!(report.operations, 9);
}

#[test]
fn a_spec_without_the_security_scheme_differs_in_authentication() {
    let same = fs::read_to_string(fixture("same.yaml")).unwrap();
    let without = same.replacen("name: Authorization\n", "name: X-Token\n", 1);
    assert_ne!(without, same);
    let mut options = Options::with_defaults(scratch("other-scheme.yaml", &without));
    options.accepted = None;
    let report = check(&options).unwrap();
    let lines = report.new_lines();
    assert_eq!(lines.len(), 18, "{lines:#?}");
    assert!(lines.contains(
        &"POST /api/v1/messages/participant-group/  authentication header Authorization: in ours, not in theirs"
            .to_owned()
    ));
    assert!(lines.contains(
        &"POST /api/v1/messages/participant-group/  parameter Authorization (header): in theirs, not in ours"
            .to_owned()
    ));
}

#[test]
fn a_spec_with_a_schema_that_contains_itself_matches_itself() {
    let report = against_base("base.yaml");
    assert_eq!(report.status(), 0);
    assert_eq!(
        report.summary(),
        "summary: no new difference in 3 operations; 0 accepted"
    );
}

#[test]
fn a_missing_operation_is_reported() {
    let report = against_base("missing_operation.yaml");
    assert_eq!(
        report.new_lines(),
        [
            "GET /api/v1/participant-groups/{participant_group_id}/  operation: in theirs, not in ours",
            "PATCH /api/v1/participant-groups/{id}/  operation: in ours, not in theirs",
        ]
    );
    assert_eq!(report.status(), 1);
}

#[test]
fn an_extra_operation_in_a_json_spec_is_reported() {
    assert_eq!(
        against_base("extra_operation.json").new_lines(),
        [
            "DELETE /api/v1/participant-groups/{participant_group_id}/  operation: in theirs, not in ours"
        ]
    );
}

#[test]
fn parameter_differences_are_reported() {
    assert_eq!(
        against_base("parameter.yaml").new_lines(),
        [
            "GET /api/v1/participant-groups/  parameter active (query): in theirs, not in ours",
            "GET /api/v1/participant-groups/  parameter limit (query): type string in theirs, integer in ours",
            "GET /api/v1/participant-groups/  parameter limit (query): required in theirs, not in ours",
        ]
    );
}

#[test]
fn an_exploded_oneof_filter_matching_our_flat_parameters_is_no_difference() {
    let report = against_base("oneof_filter.yaml");
    assert_eq!(report.new_lines(), Vec::<String>::new());
    assert_eq!(report.status(), 0);
}

#[test]
fn a_oneof_filter_variant_property_missing_extra_or_always_required_is_reported() {
    assert_eq!(
        against_base("oneof_filter_drift.yaml").new_lines(),
        [
            "GET /api/v1/participant-groups/  parameter organisation_id (query): in theirs, not in ours",
            "GET /api/v1/participant-groups/  parameter project_id (query): in ours, not in theirs",
            "GET /api/v1/participant-groups/  parameter workspace_id (query): required in theirs, not in ours",
        ]
    );
}

#[test]
fn a_part_that_cannot_be_compared_gets_a_line_saying_so() {
    let report = against_base("oneof_filter_unreadable.yaml");
    assert_eq!(
        report.new_lines(),
        [
            "GET /api/v1/participant-groups/  parameter filter (query): not compared in theirs: an exploded object whose properties cannot be read: a member (#/components/schemas/Query) is string, not an object",
            "GET /api/v1/participant-groups/  parameter project_id (query): in ours, not in theirs",
            "GET /api/v1/participant-groups/  parameter workspace_id (query): in ours, not in theirs",
        ]
    );
    assert_eq!(report.status(), 1);
}

#[test]
fn a_reference_that_does_not_resolve_gets_a_line_saying_so() {
    let base = fs::read_to_string(fixture("base.yaml")).unwrap();
    let broken = base.replacen(
        "$ref: \"#/components/schemas/CreateParticipantGroup\"",
        "$ref: \"#/components/schemas/Missing\"",
        1,
    );
    assert_ne!(broken, base);
    let options = Options {
        theirs: scratch("unresolved.yaml", &broken),
        ours: fixture("base.yaml"),
        accepted: None,
    };
    let lines = check(&options).unwrap().new_lines();
    assert_eq!(
        lines,
        [
            "POST /api/v1/participant-groups/  a schema: not compared in theirs: $ref #/components/schemas/Missing does not resolve",
            "POST /api/v1/participant-groups/  request body: type unresolved in theirs, object in ours",
            "POST /api/v1/participant-groups/  request body field name: in ours, not in theirs",
            "POST /api/v1/participant-groups/  request body field participant_ids: in ours, not in theirs",
            "POST /api/v1/participant-groups/  request body field workspace_id: in ours, not in theirs",
        ]
    );
}

#[test]
fn request_body_response_type_required_and_nullable_differences_are_reported() {
    let cases: [(&str, &[&str]); 4] = [
        (
            "request_body_field.yaml",
            &[
                "POST /api/v1/participant-groups/  request body field organisation_id: in theirs, not in ours",
            ],
        ),
        (
            "response_field_type.yaml",
            &[
                "GET /api/v1/participant-groups/  response 200 field meta.count: type string in theirs, integer in ours",
            ],
        ),
        (
            "required.yaml",
            &[
                "GET /api/v1/participant-groups/  response 200 field results: required in ours, not in theirs",
            ],
        ),
        (
            "nullable.yaml",
            &[
                "GET /api/v1/participant-groups/  response 200 field results[].feeder_studies[].status: nullable in theirs, not in ours",
                "POST /api/v1/participant-groups/  response 201 field feeder_studies[].status: nullable in theirs, not in ours",
                "PATCH /api/v1/participant-groups/{id}/  response 200 field feeder_studies[].status: nullable in theirs, not in ours",
            ],
        ),
    ];
    for (name, expected) in cases {
        assert_eq!(against_base(name).new_lines(), expected, "{name}");
    }
}

#[test]
fn files_that_are_not_openapi_3_are_errors() {
    let not_openapi = check(&Options::with_defaults(fixture("not_openapi.yaml")));
    assert!(
        matches!(not_openapi, Err(Error::NotOpenApi { .. })),
        "{not_openapi:?}"
    );
    let swagger = scratch("swagger.yaml", "swagger: \"2.0\"\npaths: {}\n");
    let swagger = check(&Options::with_defaults(swagger)).unwrap_err();
    assert!(
        swagger
            .to_string()
            .ends_with("swagger.yaml: Swagger 2 is not supported, only OpenAPI 3.x")
    );
    let yaml = scratch("broken.yaml", "openapi: [3.1\n");
    let yaml = check(&Options::with_defaults(yaml));
    assert!(matches!(yaml, Err(Error::Syntax { .. })), "{yaml:?}");
    let json = scratch("broken.json", "{\"openapi\": ");
    let json = check(&Options::with_defaults(json)).unwrap_err();
    assert!(
        json.to_string().contains("broken.json: not valid JSON"),
        "{json}"
    );
    let missing = check(&Options::with_defaults(fixture("no-such-spec.yaml")));
    assert!(matches!(missing, Err(Error::Read { .. })), "{missing:?}");
}

#[test]
fn an_entry_without_a_reason_or_given_twice_is_an_error() {
    let entry = "[[accepted]]\noperation = \"GET /x\"\nwhere = \"operation\"\n\
                 what = \"in theirs, not in ours\"\nreason = \"Because.\"\n";
    let cases = [
        (
            "no-reason.toml",
            entry.replace("Because.", " "),
            "needs a reason of one line",
        ),
        (
            "twice.toml",
            format!("{entry}\n{entry}"),
            "is accepted twice",
        ),
        (
            "unknown-key.toml",
            entry.replace("reason", "why"),
            "unknown field `why`",
        ),
    ];
    for (name, text, message) in cases {
        let mut options = Options::with_defaults(fixture("prolific-2026-08.yaml"));
        options.accepted = Some(scratch(name, &text));
        let error = check(&options).unwrap_err();
        assert!(error.to_string().contains(message), "{name}: {error}");
    }
}

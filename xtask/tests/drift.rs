//! The drift check on small specs, called directly on the fixtures in `tests/fixtures/` (no
//! cargo inside cargo): each differs from `base.yaml`, a cut-down spec in our style, in one kind
//! of way.

mod support;

use std::fs;

use xtask::drift::{Error, Options, check};

use support::*;

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

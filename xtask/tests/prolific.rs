//! The drift check on Prolific's own spec, called directly on the fixtures in `tests/fixtures/`
//! (no cargo inside cargo), with our spec and `openapi/drift-accepted.toml`, as a team runs it:
//!
//! * `prolific-2026-08.yaml` is Prolific's current spec, trimmed to the group and group-message
//!   paths; the `prolific-2026-08-*.yaml` files are copies of it with one change each.
//! * `prolific-2026-04.yaml` is the same in the shape of Prolific's older 3.0 spec.
//! * `same.yaml` says what our spec says, in Prolific's style, with no accepted file.

mod support;

use std::fs;

use xtask::drift::{Change, Options, Side, Subject, check, workspace_root};

use support::*;

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

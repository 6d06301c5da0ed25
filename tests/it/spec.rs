//! Checks that tie the spec, `openapi/participant-groups.yaml`, to the code generated from it:
//!
//! * the surface of the client build.rs generated (operations, client methods, model types)
//!   equals the committed snapshot `openapi/surface.txt`, so a change to it is always seen in
//!   review;
//! * every example in the spec decodes into its generated type and encodes back to itself.

use std::{env, fs, path::PathBuf};

use prolific::types;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// The committed snapshot of the generated surface, relative to the crate root.
const SURFACE: &str = "openapi/surface.txt";
/// The surface build.rs listed in this build (cargo gives the tests of a package with a build
/// script its `OUT_DIR`, so the listing needs no public item of the crate).
const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/surface.txt"));
/// The spec, relative to the crate root.
const SPEC: &str = "openapi/participant-groups.yaml";
/// The command that rewrites the snapshot.
const UPDATE_COMMAND: &str = "UPDATE_SURFACE=1 cargo test --test it spec::surface";
/// Lines of context around each change in a snapshot diff.
const CONTEXT: usize = 2;

/// A path relative to the crate root.
fn manifest_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

// ---------------------------------------------------------------------------------------------
// The surface snapshot
// ---------------------------------------------------------------------------------------------

/// The generated surface (`$OUT_DIR/surface.txt`, written by build.rs) must equal the
/// committed `openapi/surface.txt`. On a difference the test fails with a diff of the lines.
///
/// After a deliberate change to the spec or the generator, rewrite the snapshot and commit it:
///
/// ```text
/// UPDATE_SURFACE=1 cargo test --test it spec::surface
/// ```
#[test]
fn surface_snapshot_is_current() {
    check_committed(SURFACE, GENERATED);
}

/// build.rs finds what progenitor generated for each operation by the shape of its output
/// (`build/progenitor_output.rs`). A progenitor that writes it differently must fail here,
/// not leave a listing with nothing in it that a snapshot update would then accept.
#[test]
fn surface_listing_finds_every_operation() {
    let operations: Vec<&str> = GENERATED
        .lines()
        .filter(|line| !line.starts_with(' ') && line.contains(": ") && line.contains(" /api/"))
        .collect();
    assert_eq!(
        operations.len(),
        prolific::Operation::ALL.len(),
        "{GENERATED}"
    );
    for &operation in prolific::Operation::ALL {
        let heading = format!("{operation}: ");
        assert!(
            operations.iter().any(|line| line.starts_with(&heading)),
            "{operation} is not listed"
        );
    }
    let methods = GENERATED
        .lines()
        .filter(|line| line.starts_with("    method: Client::"));
    assert_eq!(methods.count(), operations.len(), "{GENERATED}");
    assert!(!GENERATED.contains("<not generated>"), "{GENERATED}");
    assert!(
        !GENERATED.contains(": ?"),
        "a send type was not found:\n{GENERATED}"
    );
    assert!(
        GENERATED.contains("\n## Types\n\nstruct "),
        "no model types:\n{GENERATED}"
    );
    assert!(
        GENERATED.contains("\nstruct ParticipantGroup\n    "),
        "{GENERATED}"
    );
}

/// Compares a committed file with what was generated, rewriting it under `UPDATE_SURFACE=1`.
fn check_committed(relative: &str, generated: &str) {
    let path = manifest_path(relative);
    let committed = fs::read_to_string(&path)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    if committed == generated {
        return;
    }
    if env::var_os("UPDATE_SURFACE").is_some_and(|v| v == "1") {
        fs::write(&path, generated)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        eprintln!("rewrote {relative}");
        return;
    }
    panic!(
        "{relative} does not match what the spec generates (- committed, + generated):\n\n{}\n\
         If the change is intended, rewrite it and commit it:\n\n    {UPDATE_COMMAND}\n",
        line_diff(&committed, generated)
    );
}

/// One line of a diff: in both texts, only in the old one, or only in the new one.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Edit<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// The line edits that turn `old` into `new`, by longest common subsequence.
fn edits<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Edit<'a>> {
    // common[i][j]: length of the longest common subsequence of old[i..] and new[j..].
    let mut common = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut edits = Vec::new();
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            edits.push(Edit::Same(old[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < old.len() && (j == new.len() || common[i + 1][j] >= common[i][j + 1]) {
            edits.push(Edit::Removed(old[i]));
            i += 1;
        } else {
            edits.push(Edit::Added(new[j]));
            j += 1;
        }
    }
    edits
}

/// A unified-style diff of two texts: changed lines with [`CONTEXT`] lines around them, each
/// run headed by `@@ -<old line> +<new line> @@`.
fn line_diff(old: &str, new: &str) -> String {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let edits = edits(&old_lines, &new_lines);
    let changed: Vec<usize> = (0..edits.len())
        .filter(|&k| !matches!(edits[k], Edit::Same(_)))
        .collect();
    let shown = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= CONTEXT);
    let mut out = String::new();
    let (mut old_no, mut new_no) = (1, 1);
    let mut in_hunk = false;
    for (k, edit) in edits.iter().enumerate() {
        if shown(k) {
            if !in_hunk {
                out.push_str(&format!("@@ -{old_no} +{new_no} @@\n"));
                in_hunk = true;
            }
            let (mark, line) = match edit {
                Edit::Same(line) => (' ', line),
                Edit::Removed(line) => ('-', line),
                Edit::Added(line) => ('+', line),
            };
            out.push_str(&format!("{mark}{line}\n"));
        } else {
            in_hunk = false;
        }
        match edit {
            Edit::Same(_) => (old_no, new_no) = (old_no + 1, new_no + 1),
            Edit::Removed(_) => old_no += 1,
            Edit::Added(_) => new_no += 1,
        }
    }
    out
}

#[test]
fn line_diff_shows_changes_with_context_and_line_numbers() {
    let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
    let new = "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n";
    assert_eq!(
        line_diff(old, new),
        "@@ -2 +2 @@\n b\n c\n-d\n+D\n e\n f\n@@ -9 +9 @@\n i\n j\n+k\n"
    );
    assert_eq!(line_diff(old, old), "");
}

// ---------------------------------------------------------------------------------------------
// The spec's examples
// ---------------------------------------------------------------------------------------------

/// One `example` of the spec, with where it is and the schema it illustrates.
struct Example {
    /// Where it is, as a path of keys: `paths./api/v1/participant-groups/.get.responses.200`.
    place: String,
    /// The name of the component schema its media type refers to, if it refers to one.
    schema: Option<String>,
    /// The example itself.
    value: Value,
}

/// The spec, untyped.
fn spec() -> Value {
    let text = fs::read_to_string(manifest_path(SPEC)).expect("the spec is readable");
    serde_norway::from_str(&text).expect("the spec is YAML with string keys")
}

/// Every example of the spec: those of request bodies and responses under `paths` (referenced
/// components are visited once, under `components`), and those of `components/responses` and
/// `components/requestBodies`.
fn examples(spec: &Value) -> Vec<Example> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let place = format!("paths.{path}.{method}");
            media_examples(
                &op["requestBody"],
                &format!("{place}.requestBody"),
                &mut found,
            );
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                let place = format!("{place}.responses.{status}");
                media_examples(response, &place, &mut found);
            }
        }
    }
    for kind in ["responses", "requestBodies"] {
        for (name, holder) in spec["components"][kind].as_object().into_iter().flatten() {
            media_examples(holder, &format!("components.{kind}.{name}"), &mut found);
        }
    }
    found
}

/// The examples of each media type of a request body or response (`example` and each
/// `examples.*.value`).
fn media_examples(holder: &Value, place: &str, found: &mut Vec<Example>) {
    for (media_type, media) in holder["content"].as_object().into_iter().flatten() {
        let schema = media["schema"]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(str::to_owned);
        let place = format!("{place}.content.{media_type}");
        if let Some(value) = media.get("example") {
            found.push(Example {
                place: place.clone(),
                schema: schema.clone(),
                value: value.clone(),
            });
        }
        for (name, example) in media["examples"].as_object().into_iter().flatten() {
            if let Some(value) = example.get("value") {
                found.push(Example {
                    place: format!("{place}.examples.{name}"),
                    schema: schema.clone(),
                    value: value.clone(),
                });
            }
        }
    }
}

/// Decodes `example` as a `T` and encodes it again.
fn round_trip<T: DeserializeOwned + Serialize>(example: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(example.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

/// Round-trips `example` through the generated type of the schema `schema`, or `None` when no
/// generated type is mapped to that schema here: add one arm per schema that has examples.
fn round_trip_as(schema: &str, example: &Value) -> Option<Result<Value, String>> {
    Some(match schema {
        "ParticipantGroup" => round_trip::<types::ParticipantGroup>(example),
        "ParticipantGroupList" => round_trip::<types::ParticipantGroupList>(example),
        "MembershipList" => round_trip::<types::MembershipList>(example),
        "CreateParticipantGroup" => round_trip::<types::CreateParticipantGroup>(example),
        "UpdateParticipantGroup" => round_trip::<types::UpdateParticipantGroup>(example),
        "ParticipantIds" => round_trip::<types::ParticipantIds>(example),
        "GroupMessage" => round_trip::<types::GroupMessage>(example),
        "ErrorResponse" => round_trip::<types::ErrorResponse>(example),
        _ => return None,
    })
}

/// `value` without its null-valued object keys, at every depth: the generated types skip
/// `None` on output, so a round trip drops them.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

#[test]
fn every_example_round_trips_through_its_generated_type() {
    let examples = examples(&spec());
    assert!(!examples.is_empty(), "no example found in {SPEC}");
    let mut failures = Vec::new();
    for example in &examples {
        let Some(schema) = &example.schema else {
            continue;
        };
        let Some(result) = round_trip_as(schema, &example.value) else {
            continue;
        };
        let expected = without_nulls(&example.value);
        match result {
            Ok(encoded) if encoded == expected => {}
            Ok(encoded) => failures.push(format!(
                "{} ({schema}): encodes back as\n{encoded:#}\nnot as\n{expected:#}",
                example.place
            )),
            Err(e) => failures.push(format!(
                "{} ({schema}): does not decode: {e}",
                example.place
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_example_has_a_generated_type_to_round_trip_through() {
    let unmapped: Vec<String> = examples(&spec())
        .into_iter()
        .filter(|example| match &example.schema {
            Some(schema) => round_trip_as(schema, &example.value).is_none(),
            None => true,
        })
        .map(|example| match example.schema {
            Some(schema) => format!("{}: schema {schema}", example.place),
            None => format!("{}: not a $ref to a component schema", example.place),
        })
        .collect();
    assert!(
        unmapped.is_empty(),
        "add these schemas to `round_trip_as` in tests/it/spec.rs:\n{}",
        unmapped.join("\n")
    );
}

#[test]
fn every_json_body_and_success_response_has_an_example() {
    let spec = spec();
    let examples = examples(&spec);
    let has_example = |place: &str| examples.iter().any(|e| e.place.starts_with(place));
    let mut missing = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let place = format!("paths.{path}.{method}");
            if op["requestBody"]["content"].is_object()
                && !has_example(&format!("{place}.requestBody"))
            {
                missing.push(format!("{place}.requestBody"));
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                let place = format!("{place}.responses.{status}");
                if status.starts_with('2')
                    && response["content"].is_object()
                    && !has_example(&place)
                {
                    missing.push(place);
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "these bodies have no example to round-trip:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_field_unknown_to_the_generated_type_fails_the_round_trip() {
    // The check above is only worth something if a mistyped key in an example is caught.
    let example = serde_json::json!({"id": "g1", "name": "Group", "participant_coutn": 3});
    let encoded = round_trip_as("ParticipantGroup", &example)
        .expect("ParticipantGroup is mapped")
        .expect("decodes: unknown fields are ignored");
    assert_ne!(encoded, without_nulls(&example));
    assert_eq!(encoded, serde_json::json!({"id": "g1", "name": "Group"}));
}

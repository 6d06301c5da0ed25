//! Every operation of the spec is reachable through the hand-written wrapper, and the wrapper
//! names no operation the spec does not have.
//!
//! The generated client names each method after its `operationId`, so a wrapper method reaches
//! an operation by calling `.<operationId>()` on the raw client, and names it for error
//! reporting in `call("<operationId>", ...)`, or, for the membership changes that share one
//! call site (src/bulk.rs), in `const OPERATION: &'static str = "<operationId>";`.

use std::{collections::BTreeSet, fs, path::Path};

/// The `operationId`s of the spec.
fn spec_operations() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = fs::read_to_string(root.join("openapi/participant-groups.yaml")).unwrap();
    let spec: serde_json::Value = serde_norway::from_str(&text).unwrap();
    let mut ids = BTreeSet::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            if let Some(id) = operation.get("operationId").and_then(|v| v.as_str()) {
                ids.insert(id.to_owned());
            }
        }
    }
    ids
}

/// The hand-written wrapper's sources: `src/*.rs` but the generated module.
fn wrapper_sources() -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = String::new();
    for entry in fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("generated.rs") {
            all.push_str(&fs::read_to_string(path).unwrap());
        }
    }
    all
}

/// The operation names quoted in `call("...", ...)` and `OPERATION: &'static str = "...";`.
fn named_in_calls(sources: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for marker in ["call(", "OPERATION: &'static str ="] {
        let mut rest = sources;
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            let trimmed = rest.trim_start();
            if let Some(quoted) = trimmed.strip_prefix('"')
                && let Some(end) = quoted.find('"')
            {
                names.insert(quoted[..end].to_owned());
            }
        }
    }
    names
}

#[test]
fn every_spec_operation_has_a_wrapper_method() {
    let sources = wrapper_sources();
    let missing: Vec<String> = spec_operations()
        .into_iter()
        .filter(|id| !sources.contains(&format!(".{id}()")))
        .map(|id| {
            format!(
                "operation `{id}` has no wrapper method: add one to src/groups.rs that calls \
                 `self.client.raw().{id}()` through `call(\"{id}\", ...)`, and its tests"
            )
        })
        .collect();
    assert!(missing.is_empty(), "\n{}\n", missing.join("\n"));
}

#[test]
fn the_wrapper_names_only_operations_of_the_spec() {
    let spec = spec_operations();
    let named = named_in_calls(&wrapper_sources());
    assert!(named.len() >= spec.len(), "found the call sites: {named:?}");
    let unknown: Vec<&String> = named.difference(&spec).collect();
    assert!(
        unknown.is_empty(),
        "the wrapper names operations the spec does not have (dropped or renamed?): {unknown:?}"
    );
}

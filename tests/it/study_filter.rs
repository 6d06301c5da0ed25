//! `StudyFilter` serialises exactly as Prolific's docs write study filters.

use prolific::StudyFilter;
use serde_json::json;

#[test]
fn in_any_group_is_one_allowlist_with_every_id() {
    let filter = StudyFilter::in_any_group(["g1", "g2", "g3"]);
    assert_eq!(
        serde_json::to_string(&filter).unwrap(),
        r#"{"filter_id":"participant_group_allowlist","selected_values":["g1","g2","g3"]}"#
    );
}

#[test]
fn in_every_group_is_an_and_of_one_allowlist_per_group() {
    let filter = StudyFilter::in_every_group(vec!["g1".to_string(), "g2".to_string()]);
    assert_eq!(
        serde_json::to_value(&filter).unwrap(),
        json!({
            "filter_id": "and",
            "selected_filters": [
                {"filter_id": "participant_group_allowlist", "selected_values": ["g1"]},
                {"filter_id": "participant_group_allowlist", "selected_values": ["g2"]}
            ]
        })
    );
    // The two are not the same filter, even for one group.
    assert_ne!(
        StudyFilter::in_every_group(["g1"]),
        StudyFilter::in_any_group(["g1"])
    );
}

#[test]
fn composites_nest_as_the_docs_write_them() {
    let filter = StudyFilter::any([
        StudyFilter::in_every_group(["g1", "g2"]),
        StudyFilter::select("current-country-of-residence", ["0", "1"]),
    ]);
    assert_eq!(
        serde_json::to_value(&filter).unwrap(),
        json!({
            "filter_id": "or",
            "selected_filters": [
                {"filter_id": "and", "selected_filters": [
                    {"filter_id": "participant_group_allowlist", "selected_values": ["g1"]},
                    {"filter_id": "participant_group_allowlist", "selected_values": ["g2"]}
                ]},
                {"filter_id": "current-country-of-residence", "selected_values": ["0", "1"]}
            ]
        })
    );
    assert_eq!(
        serde_json::to_value(StudyFilter::all([])).unwrap(),
        json!({"filter_id": "and", "selected_filters": []})
    );
}

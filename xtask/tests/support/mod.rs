//! What the drift tests share: the fixtures' paths, scratch files, and the two ways of
//! comparing (with our spec and accepted file, or with `base.yaml` and nothing accepted).
#![allow(dead_code)]

use std::{fs, path::PathBuf};

use xtask::drift::{Options, Report, check, workspace_root};

/// A fixture's path.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A scratch file for this test binary, with these contents.
pub fn scratch(name: &str, contents: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    fs::write(&path, contents).expect("the scratch file is written");
    path
}

/// Compares a fixture with our spec, with our accepted file.
pub fn against_ours(name: &str) -> Report {
    check(&Options::with_defaults(fixture(name))).expect("the specs are read")
}

/// Compares a fixture with `base.yaml`, every difference new.
pub fn against_base(name: &str) -> Report {
    let options = Options {
        theirs: fixture(name),
        ours: fixture("base.yaml"),
        accepted: None,
    };
    check(&options).expect("the specs are read")
}

/// The number of entries in our accepted file.
pub fn accepted_entries() -> usize {
    let path = workspace_root().join("openapi/drift-accepted.toml");
    let text = fs::read_to_string(path).expect("the accepted file is read");
    text.lines().filter(|line| *line == "[[accepted]]").count()
}

/// Asserts that `report` has exactly these new lines, exit status 1, and that every entry of our
/// accepted file was used.
pub fn assert_new(report: &Report, expected: &[&str]) {
    assert_eq!(report.new_lines(), expected);
    assert_eq!(report.status(), 1);
    assert_eq!(report.stale, []);
    assert_eq!(report.accepted.len(), accepted_entries());
}

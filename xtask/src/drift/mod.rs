//! `cargo xtask drift SPEC`: where Prolific's published OpenAPI spec ("theirs") and ours
//! disagree, less the differences reviewed and accepted in `openapi/drift-accepted.toml`.
//!
//! Both documents are read untyped: OpenAPI 3.0 or 3.1, YAML or JSON (`load`). Compared:
//! every operation of ours, and every operation of theirs under the paths of ours or under
//! [`SCOPE`] (the participant groups and the group message), matched by method and path, path
//! parameter names ignored (`model`, `read`). For each operation (`compare`):
//!
//! * its presence, and its authentication header (a header parameter that only restates a
//!   security scheme, such as Prolific's `Authorization`, is that, not a parameter);
//! * its parameters: presence, location, required-ness, type; an exploded object such as
//!   Prolific's `filter` is compared as the flat query parameters it sends (`params`);
//! * its JSON request body: presence, required-ness, and every field's presence, type,
//!   required-ness and nullability (`nullable: true` and 3.1's `type: [x, "null"]` alike);
//! * its success response: status, and the same four facts for every field, nested objects and
//!   array items included (`results[].feeder_studies[].status`); a `204` has no body.
//!
//! Error responses, descriptions, formats, `readOnly` and examples are not compared. A part
//! that cannot be read is a difference of its own, saying why.
//!
//! Each [`Difference`] is typed data ([`Subject`], [`Change`]); [`Report`] renders the
//! outcome as text or JSON. Exit status: 0 when every difference is accepted, 1 when one is new,
//! 2 when a file cannot be used ([`Error`]).

mod accepted;
mod compare;
mod difference;
mod error;
mod load;
mod model;
mod params;
mod read;
mod report;
mod shape;
mod spec;

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

pub use accepted::Entry;
pub use difference::{Change, Difference, Side, Subject};
pub use error::Error;
pub use load::yaml_to_json;
pub use report::Report;

use self::{accepted::load_accepted, load::load_spec, spec::Spec};

/// Prolific's operations under these paths are compared even where ours has none: one
/// Prolific adds there is a difference.
pub const SCOPE: [&str; 2] = [
    "/api/v1/participant-groups/",
    "/api/v1/messages/participant-group/",
];

/// What to compare.
#[derive(Clone, Debug)]
pub struct Options {
    /// Prolific's spec.
    pub theirs: PathBuf,
    /// Our spec.
    pub ours: PathBuf,
    /// The accepted differences, or `None` to report every difference as new.
    pub accepted: Option<PathBuf>,
}

impl Options {
    /// Compares `theirs` with this repository's spec and accepted file.
    pub fn with_defaults(theirs: impl Into<PathBuf>) -> Self {
        let root = workspace_root();
        Self {
            theirs: theirs.into(),
            ours: root.join("openapi/participant-groups.yaml"),
            accepted: Some(root.join("openapi/drift-accepted.toml")),
        }
    }
}

/// The root of this workspace (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_owned()
}

/// Reads both specs and the accepted file, and compares.
pub fn check(options: &Options) -> Result<Report, Error> {
    let theirs_root = load_spec(&options.theirs)?;
    let ours_root = load_spec(&options.ours)?;
    let entries = match &options.accepted {
        Some(path) => load_accepted(path)?,
        None => Vec::new(),
    };
    let ours = Spec::new(&ours_root).operations(|_| true);
    let our_paths: BTreeSet<&str> = ours.keys().map(|key| key.path.as_str()).collect();
    let in_scope = |path: &str| {
        our_paths.contains(path) || SCOPE.iter().any(|prefix| path.starts_with(prefix))
    };
    let theirs = Spec::new(&theirs_root).operations(in_scope);
    let operations = theirs
        .keys()
        .chain(ours.keys())
        .collect::<BTreeSet<_>>()
        .len();

    let mut report = Report {
        theirs: options.theirs.clone(),
        ours: options.ours.clone(),
        accepted_file: options.accepted.clone(),
        operations,
        new: Vec::new(),
        accepted: Vec::new(),
        stale: Vec::new(),
    };
    let mut used = vec![false; entries.len()];
    for difference in compare::compare(&theirs, &ours) {
        match entries.iter().position(|entry| entry.accepts(&difference)) {
            Some(i) => {
                used[i] = true;
                report
                    .accepted
                    .push((difference, entries[i].reason.clone()));
            }
            None => report.new.push(difference),
        }
    }
    report.stale = entries
        .into_iter()
        .zip(used)
        .filter_map(|(entry, used)| (!used).then_some(entry))
        .collect();
    Ok(report)
}

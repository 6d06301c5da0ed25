//! The accepted differences: `openapi/drift-accepted.toml`, one entry per difference the team
//! has reviewed and chosen to keep, each with its reason.
//!
//! ```toml
//! [[accepted]]
//! operation = "GET /api/v1/participant-groups/"
//! where = "parameter active (query)"
//! what = "type string in theirs, boolean in ours"
//! reason = "The same bytes on the wire: a boolean query parameter is sent as true/false."
//! ```
//!
//! `operation`, `where` and `what` are the three parts of the report's line
//! (`METHOD /path  where: what`), matched exactly: there are no wildcards, so an entry never
//! hides a new difference, and a difference whose facts change (another type) is new again.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{difference::Difference, error::Error, load::read};

/// One accepted difference.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// `METHOD /path`, as the report names the operation.
    pub operation: String,
    /// Where in the operation, as the report says it (`response 200 field results[].name`).
    #[serde(rename = "where")]
    pub place: String,
    /// What differs, as the report says it (`nullable in ours, not in theirs`).
    pub what: String,
    /// Why it is accepted, in one line.
    pub reason: String,
}

impl Entry {
    /// Whether this entry accepts `difference`.
    pub fn accepts(&self, difference: &Difference) -> bool {
        self.operation == difference.operation()
            && self.place == difference.subject.to_string()
            && self.what == difference.change.to_string()
    }

    /// The report line of the difference this entry accepts.
    pub fn line(&self) -> String {
        format!("{}  {}: {}", self.operation, self.place, self.what)
    }
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// The entries, in the file's order.
    #[serde(default)]
    accepted: Vec<Entry>,
}

/// Reads the accepted file: every entry must have all four parts, a reason of one line, and
/// appear once.
pub fn load_accepted(path: &Path) -> Result<Vec<Entry>, Error> {
    let text = read(path)?;
    let file: File = toml::from_str(&text).map_err(|e| Error::Syntax {
        path: path.to_owned(),
        message: format!("not a valid accepted file: {e}"),
    })?;
    let invalid = |message: String| Error::Accepted {
        path: path.to_owned(),
        message,
    };
    for (i, entry) in file.accepted.iter().enumerate() {
        let line = entry.line();
        if entry.reason.trim().is_empty() || entry.reason.contains('\n') {
            return Err(invalid(format!("`{line}` needs a reason of one line")));
        }
        if file.accepted[..i]
            .iter()
            .any(|earlier| earlier.line() == line)
        {
            return Err(invalid(format!("`{line}` is accepted twice")));
        }
    }
    Ok(file.accepted)
}

//! The outcome of a drift check, as text or as JSON.
//!
//! The text report lists the new differences, one line each (`METHOD /path  where: what`),
//! then the accepted entries that no longer occur (`stale: ...`), then a summary:
//!
//! ```text
//! theirs:   ../shared/prolific/openapi-2026-08.yml
//! ours:     openapi/participant-groups.yaml
//! accepted: openapi/drift-accepted.toml
//!
//! GET /api/v1/participant-groups/  response 200 field results[].is_pinned: in theirs, not in ours
//!
//! summary: 1 new difference in 9 operations; 72 accepted
//! ```
//!
//! With `--json` it prints one JSON object instead:
//!
//! ```json
//! {
//!   "theirs": "../shared/prolific/openapi-2026-08.yml",
//!   "ours": "openapi/participant-groups.yaml",
//!   "accepted_file": "openapi/drift-accepted.toml",
//!   "operations": 9,
//!   "status": 1,
//!   "new": [
//!     {
//!       "line": "GET /api/v1/participant-groups/  response 200 field results[].is_pinned: in theirs, not in ours",
//!       "operation": "GET /api/v1/participant-groups/",
//!       "method": "GET",
//!       "path": "/api/v1/participant-groups/",
//!       "where": "response 200 field results[].is_pinned",
//!       "what": "in theirs, not in ours",
//!       "subject": { "kind": "response_field", "status": "200", "field": "results[].is_pinned" },
//!       "change": { "kind": "presence", "only_in": "theirs" }
//!     }
//!   ],
//!   "accepted": [ { "line": "...", "...": "as in new", "reason": "why it is accepted" } ],
//!   "stale": [ { "operation": "...", "where": "...", "what": "...", "reason": "..." } ]
//! }
//! ```
//!
//! `status` is the exit status. `accepted_file` is `null` when none was used. `subject.kind` is
//! one of `operation`, `path_item`, `authentication` (with `header`), `parameter` (`name`,
//! `location`), `parameter_ref` (`reference`), `request_body`, `request_field` (`field`),
//! `response` (`status`), `response_body` (`status`), `response_field` (`status`, `field`),
//! `schema`; `change.kind` is one of `presence` (`only_in`), `type` (`theirs`, `ours`),
//! `required` (`only_in`), `nullable` (`only_in`), `status` (`theirs`, `ours`),
//! `not_compared` (`side`, `reason`); `only_in` and `side` are `theirs` or `ours`.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::{accepted::Entry, difference::Difference};

/// What a drift check found.
#[derive(Debug)]
pub struct Report {
    /// Prolific's spec, as given.
    pub theirs: PathBuf,
    /// Our spec.
    pub ours: PathBuf,
    /// The accepted file, if one was used.
    pub accepted_file: Option<PathBuf>,
    /// How many operations were compared (in either spec).
    pub operations: usize,
    /// The differences no entry accepts.
    pub new: Vec<Difference>,
    /// The accepted differences, each with its reason.
    pub accepted: Vec<(Difference, String)>,
    /// The accepted entries that match no difference any more.
    pub stale: Vec<Entry>,
}

impl Report {
    /// The exit status: 0 when every difference is accepted, 1 when one is new. Stale entries
    /// do not change it.
    pub fn status(&self) -> u8 {
        u8::from(!self.new.is_empty())
    }

    /// The report's new difference lines.
    pub fn new_lines(&self) -> Vec<String> {
        self.new.iter().map(ToString::to_string).collect()
    }

    /// The report as text.
    pub fn text(&self) -> String {
        let accepted_file = self
            .accepted_file
            .as_ref()
            .map_or_else(|| "none".to_owned(), |p| p.display().to_string());
        let mut out = format!(
            "theirs:   {}\nours:     {}\naccepted: {accepted_file}\n\n",
            self.theirs.display(),
            self.ours.display()
        );
        for line in self.new_lines() {
            out.push_str(&line);
            out.push('\n');
        }
        if !self.new.is_empty() {
            out.push('\n');
        }
        for entry in &self.stale {
            out.push_str(&format!(
                "stale: {} (accepted, no longer found)\n",
                entry.line()
            ));
        }
        if !self.stale.is_empty() {
            out.push('\n');
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// The last line: `summary: 1 new difference in 9 operations; 72 accepted`.
    pub fn summary(&self) -> String {
        let new = match self.new.len() {
            0 => "no new difference".to_owned(),
            1 => "1 new difference".to_owned(),
            n => format!("{n} new differences"),
        };
        let mut summary = format!(
            "summary: {new} in {} operations; {} accepted",
            self.operations,
            self.accepted.len()
        );
        match self.stale.len() {
            0 => {}
            1 => summary.push_str("; 1 stale entry"),
            n => summary.push_str(&format!("; {n} stale entries")),
        }
        summary
    }

    /// The report as JSON (its shape is in this module's documentation).
    pub fn json(&self) -> Value {
        let path = |p: &PathBuf| p.display().to_string();
        let accepted: Vec<Value> = self
            .accepted
            .iter()
            .map(|(difference, reason)| {
                let mut value = difference_json(difference);
                value["reason"] = json!(reason);
                value
            })
            .collect();
        let stale: Vec<Value> = self.stale.iter().map(|entry| json!(entry)).collect();
        json!({
            "theirs": path(&self.theirs),
            "ours": path(&self.ours),
            "accepted_file": self.accepted_file.as_ref().map(path),
            "operations": self.operations,
            "status": self.status(),
            "new": self.new.iter().map(difference_json).collect::<Vec<_>>(),
            "accepted": accepted,
            "stale": stale,
        })
    }
}

/// One difference as JSON: its line, its parts as the accepted file names them, and its
/// subject and change as data.
fn difference_json(difference: &Difference) -> Value {
    json!({
        "line": difference.to_string(),
        "operation": difference.operation(),
        "method": difference.method,
        "path": difference.path,
        "where": difference.subject.to_string(),
        "what": difference.change.to_string(),
        "subject": difference.subject,
        "change": difference.change,
    })
}

//! Compares the operations of two specs, one [`Difference`] per fact that differs.
//!
//! A field or operation found on one side only is one difference: the fields nested in it are
//! not listed. A part that could not be read on either side is a difference of its own
//! ([`Change::NotCompared`]): the specs cannot be shown to agree there.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    difference::{Change, Difference, Side, Subject},
    model::{Body, Fields, Operation, OperationKey, Param, ParamKey, Success},
};

/// Every difference between the operations of either spec, operation by operation.
pub fn compare(
    theirs: &BTreeMap<OperationKey, Operation>,
    ours: &BTreeMap<OperationKey, Operation>,
) -> Vec<Difference> {
    let keys: BTreeSet<&OperationKey> = theirs.keys().chain(ours.keys()).collect();
    keys.into_iter()
        .flat_map(|key| compare_operation(theirs.get(key), ours.get(key)))
        .collect()
}

/// The differences of one operation, found in `theirs`, `ours` or both.
fn compare_operation(theirs: Option<&Operation>, ours: Option<&Operation>) -> Vec<Difference> {
    let Some(named) = ours.or(theirs) else {
        return Vec::new();
    };
    let mut diffs = Diffs {
        method: &named.method,
        path: &named.path,
        found: Vec::new(),
    };
    for (side, op) in [(Side::Theirs, theirs), (Side::Ours, ours)] {
        for unread in op.iter().flat_map(|op| &op.unread) {
            let reason = unread.reason.clone();
            let change = Change::NotCompared { side, reason };
            diffs.push(unread.subject.clone(), change);
        }
    }
    match (theirs, ours) {
        (Some(t), Some(o)) => {
            compare_auth(&t.auth, &o.auth, &mut diffs);
            compare_params(&t.params, &o.params, &mut diffs);
            compare_body(t.body.as_ref(), o.body.as_ref(), &mut diffs);
            compare_success(t.success.as_ref(), o.success.as_ref(), &mut diffs);
        }
        // An unreadable path item (method `*`) has said why through its unread part.
        _ if named.method == "*" => {}
        _ => diffs.push(Subject::Operation, presence(theirs.is_some())),
    }
    diffs.found
}

/// The differences found in one operation.
struct Diffs<'o> {
    /// The operation's method.
    method: &'o str,
    /// The operation's path.
    path: &'o str,
    /// The differences so far.
    found: Vec<Difference>,
}

impl Diffs<'_> {
    /// Adds a difference of this operation.
    fn push(&mut self, subject: Subject, change: Change) {
        self.found.push(Difference {
            method: self.method.to_owned(),
            path: self.path.to_owned(),
            subject,
            change,
        });
    }
}

/// Found in one spec only: in theirs when `in_theirs`.
fn presence(in_theirs: bool) -> Change {
    Change::Presence {
        only_in: Side::of(in_theirs),
    }
}

/// Authentication headers: presence.
fn compare_auth(theirs: &BTreeSet<String>, ours: &BTreeSet<String>, diffs: &mut Diffs<'_>) {
    for header in theirs.symmetric_difference(ours) {
        let subject = Subject::Authentication {
            header: header.clone(),
        };
        diffs.push(subject, presence(theirs.contains(header)));
    }
}

/// Parameter differences: presence, type, required-ness.
fn compare_params(
    theirs: &BTreeMap<ParamKey, Param>,
    ours: &BTreeMap<ParamKey, Param>,
    diffs: &mut Diffs<'_>,
) {
    let keys: BTreeSet<&ParamKey> = theirs.keys().chain(ours.keys()).collect();
    for key in keys {
        let (t, o) = (theirs.get(key), ours.get(key));
        let Some(named) = o.or(t) else { continue };
        let subject = Subject::Parameter {
            name: named.name.clone(),
            location: key.location.clone(),
        };
        let (Some(t), Some(o)) = (t, o) else {
            diffs.push(subject, presence(t.is_some()));
            continue;
        };
        if t.ty != o.ty {
            let (theirs, ours) = (t.ty.clone(), o.ty.clone());
            diffs.push(subject.clone(), Change::Type { theirs, ours });
        }
        if t.required != o.required {
            let only_in = Side::of(t.required);
            diffs.push(subject, Change::Required { only_in });
        }
    }
}

/// Request body differences: presence, required-ness, fields.
fn compare_body(theirs: Option<&Body>, ours: Option<&Body>, diffs: &mut Diffs<'_>) {
    match (theirs, ours) {
        (Some(t), Some(o)) => {
            if t.required != o.required {
                let only_in = Side::of(t.required);
                diffs.push(Subject::RequestBody, Change::Required { only_in });
            }
            let subject = |field: &str| match field {
                "" => Subject::RequestBody,
                _ => Subject::RequestField {
                    field: field.to_owned(),
                },
            };
            compare_fields(subject, &t.fields, &o.fields, diffs);
        }
        (Some(_), None) | (None, Some(_)) => {
            diffs.push(Subject::RequestBody, presence(theirs.is_some()));
        }
        (None, None) => {}
    }
}

/// Success response differences: presence, status, body, fields.
fn compare_success(theirs: Option<&Success>, ours: Option<&Success>, diffs: &mut Diffs<'_>) {
    let (t, o) = match (theirs, ours) {
        (Some(t), Some(o)) => (t, o),
        (Some(only), None) | (None, Some(only)) => {
            let subject = Subject::Response {
                status: only.status.clone(),
            };
            diffs.push(subject, presence(theirs.is_some()));
            return;
        }
        (None, None) => return,
    };
    let status = o.status.clone();
    if t.status != o.status {
        let change = Change::Status {
            theirs: t.status.clone(),
            ours: o.status.clone(),
        };
        diffs.push(
            Subject::Response {
                status: status.clone(),
            },
            change,
        );
    }
    match (&t.fields, &o.fields) {
        (Some(tf), Some(of)) => {
            let subject = |field: &str| match field {
                "" => Subject::ResponseBody {
                    status: status.clone(),
                },
                _ => Subject::ResponseField {
                    status: status.clone(),
                    field: field.to_owned(),
                },
            };
            compare_fields(subject, tf, of, diffs);
        }
        (Some(_), None) | (None, Some(_)) => {
            let subject = Subject::ResponseBody {
                status: status.clone(),
            };
            diffs.push(subject, presence(t.fields.is_some()));
        }
        (None, None) => {}
    }
}

/// Field differences: presence, type, required-ness, nullability. `subject` names the field at
/// a dotted path (`""` is the body itself).
fn compare_fields(
    subject: impl Fn(&str) -> Subject,
    theirs: &Fields,
    ours: &Fields,
    diffs: &mut Diffs<'_>,
) {
    let paths: BTreeSet<&String> = theirs.keys().chain(ours.keys()).collect();
    let mut missing: Option<&str> = None;
    for path in paths {
        if missing.is_some_and(|parent| is_nested_in(path, parent)) {
            continue;
        }
        let (Some(t), Some(o)) = (theirs.get(path), ours.get(path)) else {
            diffs.push(subject(path), presence(theirs.contains_key(path)));
            missing = Some(path);
            continue;
        };
        if t.ty != o.ty {
            let (theirs, ours) = (t.ty.clone(), o.ty.clone());
            diffs.push(subject(path), Change::Type { theirs, ours });
        }
        if t.required != o.required {
            let only_in = Side::of(t.required);
            diffs.push(subject(path), Change::Required { only_in });
        }
        if t.nullable != o.nullable {
            let only_in = Side::of(t.nullable);
            diffs.push(subject(path), Change::Nullable { only_in });
        }
    }
}

/// Whether the field at `path` is nested in the field at `parent` (`a.b` and `a[].b` are in
/// `a`; every field is in the body, `""`).
fn is_nested_in(path: &str, parent: &str) -> bool {
    parent.is_empty()
        || path
            .strip_prefix(parent)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

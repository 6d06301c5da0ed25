//! The input of each operation: the JSON body or the list's query, parsed and checked with
//! Prolific's (Django REST framework's) messages. Nothing here knows about HTTP.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use url::form_urlencoded;

use super::{
    GroupMessage,
    answers::Problem,
    store::{ListQuery, NewGroup, Owner, Scope},
};

const REQUIRED: &str = "This field is required.";
const NOT_NULL: &str = "This field may not be null.";
const NOT_BLANK: &str = "This field may not be blank.";
const NOT_A_STRING: &str = "Not a valid string.";

/// Messages per field, in Prolific's (Django REST framework's) words.
#[derive(Default)]
struct FieldErrors(BTreeMap<&'static str, Vec<String>>);

impl FieldErrors {
    fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_default().push(message.into());
    }

    fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn into_problem(self) -> Problem {
        Problem::invalid_fields(self.0)
    }

    /// `Ok(value)` when no field was wrong.
    fn finish<T>(self, value: T) -> Result<T, Problem> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self.into_problem())
        }
    }
}

/// The body as a JSON object. An empty or malformed body, or JSON that is not an object, is a
/// 400 whose `detail` is a sentence.
pub(crate) fn object(body: &[u8]) -> Result<Map<String, Value>, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::malformed(
            "A JSON object is required in the request body.".to_owned(),
        ));
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Problem::malformed(format!(
            "Invalid data. Expected a JSON object, but got {}.",
            json_type(&other)
        ))),
        Err(e) => Err(Problem::malformed(format!("JSON parse error - {e}"))),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A string field that may not be null. `blank`: whether `""` (or only spaces) is allowed.
fn string(
    body: &mut Map<String, Value>,
    field: &'static str,
    blank: bool,
    errors: &mut FieldErrors,
) -> Option<String> {
    match body.remove(field)? {
        Value::String(s) if !blank && s.trim().is_empty() => errors.add(field, NOT_BLANK),
        Value::String(s) => return Some(s),
        Value::Null => errors.add(field, NOT_NULL),
        _ => errors.add(field, NOT_A_STRING),
    }
    None
}

/// A list of participant ids. `None` (with no error) when the field is absent, or null and
/// `nullable`.
fn id_list(
    body: &mut Map<String, Value>,
    field: &'static str,
    nullable: bool,
    errors: &mut FieldErrors,
) -> Option<Vec<String>> {
    let items = match body.remove(field)? {
        Value::Array(items) => items,
        Value::Null if nullable => return None,
        Value::Null => {
            errors.add(field, NOT_NULL);
            return None;
        }
        other => {
            let got = json_type(&other);
            errors.add(field, format!("Expected a list of items but got {got}."));
            return None;
        }
    };
    let mut ids = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::String(id) => ids.push(id),
            _ => errors.add(field, format!("Item {i}: {NOT_A_STRING}")),
        }
    }
    Some(ids)
}

pub(crate) fn new_group(mut body: Map<String, Value>) -> Result<NewGroup, Problem> {
    let mut errors = FieldErrors::default();
    if !body.contains_key("name") {
        errors.add("name", REQUIRED);
    }
    let name = string(&mut body, "name", false, &mut errors);
    let description = string(&mut body, "description", true, &mut errors);
    let workspace = string(&mut body, "workspace_id", false, &mut errors);
    let organisation = string(&mut body, "organisation_id", false, &mut errors);
    let owner = owner(workspace, organisation, &mut errors);
    let participant_ids = id_list(&mut body, "participant_ids", false, &mut errors);
    match (name, owner) {
        (Some(name), Some(owner)) if errors.is_empty() => Ok(NewGroup {
            name,
            owner,
            description,
            participant_ids: participant_ids.unwrap_or_default(),
        }),
        // A missing name or owner has been reported.
        _ => Err(errors.into_problem()),
    }
}

/// Exactly one of `workspace_id` and `organisation_id`.
fn owner(
    workspace: Option<String>,
    organisation: Option<String>,
    errors: &mut FieldErrors,
) -> Option<Owner> {
    let message = match (workspace, organisation) {
        (Some(id), None) => return Some(Owner::Workspace(id)),
        (None, Some(id)) => return Some(Owner::Organisation(id)),
        (Some(_), Some(_)) => "Give only one of workspace_id and organisation_id.",
        // One was given but refused: that is reported already.
        (None, None) if errors.has("workspace_id") || errors.has("organisation_id") => {
            return None;
        }
        (None, None) => "Either workspace_id or organisation_id must be given.",
    };
    errors.add("workspace_id", message);
    errors.add("organisation_id", message);
    None
}

pub(crate) type Update = (Option<String>, Option<Vec<String>>);

pub(crate) fn update(mut body: Map<String, Value>) -> Result<Update, Problem> {
    let mut errors = FieldErrors::default();
    let name = string(&mut body, "name", false, &mut errors);
    let ids = id_list(&mut body, "participant_ids", true, &mut errors);
    errors.finish((name, ids))
}

/// A message to a group: `participant_group_id` and `body` required and not blank,
/// `study_id` optional.
pub(crate) fn group_message(mut body: Map<String, Value>) -> Result<GroupMessage, Problem> {
    let mut errors = FieldErrors::default();
    for field in ["participant_group_id", "body"] {
        if !body.contains_key(field) {
            errors.add(field, REQUIRED);
        }
    }
    let group = string(&mut body, "participant_group_id", false, &mut errors);
    let text = string(&mut body, "body", false, &mut errors);
    let study_id = string(&mut body, "study_id", false, &mut errors);
    match (group, text) {
        // The builder, not a struct literal: a field the spec adds later needs no edit here.
        (Some(participant_group_id), Some(body)) if errors.is_empty() => {
            Ok(GroupMessage::builder()
                .participant_group_id(participant_group_id)
                .body(body)
                .study_id(study_id)
                .try_into()
                .expect("a message with both of its required fields"))
        }
        _ => Err(errors.into_problem()),
    }
}

pub(crate) fn participant_ids(mut body: Map<String, Value>) -> Result<Vec<String>, Problem> {
    let mut errors = FieldErrors::default();
    let had = body.contains_key("participant_ids");
    let ids = id_list(&mut body, "participant_ids", false, &mut errors);
    if !had {
        errors.add("participant_ids", REQUIRED);
    }
    errors.finish(ids.unwrap_or_default())
}

/// The group list's query: exactly one of `workspace_id` and `project_id`, `active`,
/// `limit` (0 or absent: `page_size`) and `offset`. Unknown parameters are ignored; of a
/// repeated one, the last counts.
///
/// The scope is read in the flat form the client sends (`workspace_id=...`) and in the form of
/// the docs' curl example (`filter[workspace_id]=...`, brackets percent-encoded or not); `active`
/// as `true`/`false` and, as Django reads it, `True`/`False`.
pub(crate) fn list_query(raw: &str, page_size: usize) -> Result<ListQuery, Problem> {
    let mut errors = FieldErrors::default();
    let (mut workspace, mut project, mut active, mut limit, mut offset) =
        (None, None, None, None, None);
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        let slot = match &*key {
            "workspace_id" | "filter[workspace_id]" => &mut workspace,
            "project_id" | "filter[project_id]" => &mut project,
            "active" => &mut active,
            "limit" => &mut limit,
            "offset" => &mut offset,
            _ => continue,
        };
        *slot = Some(value.into_owned());
    }
    let scope = scope(workspace, project, &mut errors);
    let active = active.and_then(|value| match value.as_str() {
        "true" | "True" => Some(true),
        "false" | "False" => Some(false),
        _ => {
            errors.add("active", "Must be true or false.");
            None
        }
    });
    let limit = limit.and_then(|value| count(&value, "limit", &mut errors));
    let offset = offset.and_then(|value| count(&value, "offset", &mut errors));
    match scope {
        Some(scope) if errors.is_empty() => Ok(ListQuery {
            scope,
            active,
            offset: offset.unwrap_or(0),
            limit: limit.filter(|&limit| limit > 0).unwrap_or(page_size),
        }),
        // A missing or doubled scope has been reported.
        _ => Err(errors.into_problem()),
    }
}

fn scope(
    workspace: Option<String>,
    project: Option<String>,
    errors: &mut FieldErrors,
) -> Option<Scope> {
    let blank = |id: &Option<String>| id.as_deref().is_some_and(|id| id.trim().is_empty());
    let (bad_workspace, bad_project) = (blank(&workspace), blank(&project));
    if bad_workspace {
        errors.add("workspace_id", NOT_BLANK);
    }
    if bad_project {
        errors.add("project_id", NOT_BLANK);
    }
    match (workspace, project) {
        _ if bad_workspace || bad_project => None,
        (Some(id), None) => Some(Scope::Workspace(id)),
        (None, Some(id)) => Some(Scope::Project(id)),
        (given, _) => {
            let message = if given.is_some() {
                "Give only one of workspace_id and project_id."
            } else {
                "Either workspace_id or project_id must be given."
            };
            errors.add("workspace_id", message);
            errors.add("project_id", message);
            None
        }
    }
}

/// A non-negative integer query parameter; one too large for `usize` counts as `usize::MAX`
/// (an offset past every group, or a page with all of them).
fn count(value: &str, field: &'static str, errors: &mut FieldErrors) -> Option<usize> {
    let (negative, digits) = match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+') => (false, &value[1..]),
        _ => (false, value),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        errors.add(field, "A valid integer is required.");
        return None;
    }
    if negative && digits.bytes().any(|b| b != b'0') {
        errors.add(field, "Ensure this value is greater than or equal to 0.");
        return None;
    }
    Some(digits.parse().unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_queries_are_checked() {
        let q = list_query("workspace_id=w&limit=5&offset=10&active=false&x=1", 10)
            .unwrap_or_else(|_| panic!("valid"));
        assert_eq!(q.scope, Scope::Workspace("w".into()));
        assert_eq!((q.limit, q.offset, q.active), (5, 10, Some(false)));
        let q = list_query("project_id=p&limit=0", 10).unwrap_or_else(|_| panic!("valid"));
        assert_eq!((q.scope, q.limit), (Scope::Project("p".into()), 10));
        let q = list_query("workspace_id=w&offset=2970905922821192941568&limit=-0", 10)
            .unwrap_or_else(|_| panic!("valid"));
        assert_eq!((q.offset, q.limit), (usize::MAX, 10));
        let q = list_query("filter%5Bproject_id%5D=p&active=True", 10)
            .unwrap_or_else(|_| panic!("valid"));
        assert_eq!(
            (q.scope, q.active),
            (Scope::Project("p".into()), Some(true))
        );
        let q = list_query("filter[workspace_id]=w&active=False", 10)
            .unwrap_or_else(|_| panic!("valid"));
        assert_eq!(
            (q.scope, q.active),
            (Scope::Workspace("w".into()), Some(false))
        );
        for bad in [
            "",
            "workspace_id=w&project_id=p",
            "workspace_id=",
            "workspace_id=w&limit=-1",
            "workspace_id=w&limit=ten",
            "workspace_id=w&offset=1.5",
            "workspace_id=w&offset=",
            "workspace_id=w&offset=-",
            "workspace_id=w&active=yes",
            "workspace_id=w&active=TRUE",
            "filter[workspace_id]=w&filter[project_id]=p",
            "filter[organisation_id]=o",
        ] {
            assert!(list_query(bad, 10).is_err(), "{bad}");
        }
    }
}

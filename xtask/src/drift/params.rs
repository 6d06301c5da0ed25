//! An operation's parameters as they go on the wire.
//!
//! * Path parameters are named by position (`{0}`): `{id}` and `{participant_group_id}` are the
//!   same parameter.
//! * A header parameter that only restates a security scheme (Prolific declares
//!   `Authorization` on every operation) is not a parameter: it is the operation's
//!   authentication, compared as such.
//! * A query parameter that is an object in the default form style with `explode` (Prolific's
//!   `filter`) is compared as the query parameters it sends: the properties of the object and of
//!   its `allOf`, `oneOf` and `anyOf` variants, as if declared flat. `style: deepObject` would
//!   be `filter[workspace_id]=...` and is compared as declared.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{
    difference::Subject,
    model::{Param, ParamKey, Unread},
    shape::{MAX_DEPTH, declared_type},
    spec::Spec,
};

/// The parameters of one operation, as read.
#[derive(Debug, Default)]
pub struct Parameters {
    /// By location and wire name.
    pub params: BTreeMap<ParamKey, Param>,
    /// The headers of restated security schemes.
    pub auth: BTreeSet<String>,
    /// What could not be compared.
    pub unread: Vec<Unread>,
}

/// The properties an exploded form object puts on the wire, each as a query parameter of its
/// own: its own properties and those of its `allOf`, `oneOf` and `anyOf` variants.
#[derive(Debug, Default)]
struct WireObject<'a> {
    /// Each property's type labels (more than one when variants disagree), in name order.
    properties: BTreeMap<&'a str, BTreeSet<String>>,
    /// The properties that must be sent whichever variant is chosen.
    required: BTreeSet<&'a str>,
}

impl<'a> Spec<'a> {
    /// The parameters of an operation: the path item's, overridden by the operation's own.
    pub fn parameters(&self, path: &str, item: &'a Value, op: &'a Value) -> Parameters {
        let schemes = self.scheme_headers();
        let declared = [item, op]
            .into_iter()
            .filter_map(|holder| holder.get("parameters").and_then(Value::as_array))
            .flatten();
        let mut read = Parameters::default();
        for param in declared {
            let param = match self.deref(param) {
                Ok((param, _)) => param,
                Err(reason) => {
                    let reference = param.get("$ref").and_then(Value::as_str).unwrap_or("?");
                    let subject = Subject::ParameterRef {
                        reference: reference.to_owned(),
                    };
                    read.unread.push(Unread { subject, reason });
                    continue;
                }
            };
            let name = param.get("name").and_then(Value::as_str).unwrap_or("");
            let in_header = param.get("in").and_then(Value::as_str) == Some("header");
            let restated = schemes.values().find(|h| h.eq_ignore_ascii_case(name));
            match restated {
                Some(header) if in_header => {
                    read.auth.insert((*header).to_owned());
                }
                _ => self.add_parameter(path, param, &mut read),
            }
        }
        read
    }

    /// Adds one parameter declaration (replacing an earlier one of the same name), or records
    /// why it cannot be compared.
    fn add_parameter(&self, path: &str, param: &'a Value, read: &mut Parameters) {
        let name = param.get("name").and_then(Value::as_str).unwrap_or("");
        let location = param.get("in").and_then(Value::as_str).unwrap_or("");
        let required = param
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(location == "path");
        let schema = param.get("schema").or_else(|| first_content_schema(param));
        let shape = schema.map(|s| self.shape(s)).unwrap_or_default();

        // Prolific's `filter` is an object whose `oneOf` variants hold `workspace_id` or
        // `project_id`, sent as `workspace_id=...`: exactly what our flat parameters send. A
        // union with a member that is not an object (`object|string`) is read the same way, so
        // that the report says why it cannot be compared rather than listing `filter` as
        // missing.
        let is_object = shape.ty.split('|').any(|ty| ty == "object");
        if location == "query" && is_object && is_exploded_form(param) {
            let object = schema.map_or_else(
                || Err("no schema".to_owned()),
                |schema| self.wire_object(schema, 0),
            );
            match object {
                Ok(object) if object.properties.is_empty() => read.unread.push(Unread {
                    subject: parameter(name, location),
                    reason: "an exploded object that declares no properties, so what it \
                             sends is unknown"
                        .to_owned(),
                }),
                Ok(object) => {
                    for (prop, labels) in &object.properties {
                        let flat = Param {
                            name: (*prop).to_owned(),
                            required: required && object.required.contains(prop),
                            ty: labels.iter().cloned().collect::<Vec<_>>().join("|"),
                            declared_by: name.to_owned(),
                        };
                        insert(read, location, prop, flat);
                    }
                }
                Err(e) => read.unread.push(Unread {
                    subject: parameter(name, location),
                    reason: format!("an exploded object whose properties cannot be read: {e}"),
                }),
            }
            return;
        }

        let key_name = if location == "path" {
            path_parameter_position(path, name)
                .map_or_else(|| name.to_owned(), |i| format!("{{{i}}}"))
        } else {
            name.to_owned()
        };
        let ty = schema.map_or_else(|| "any".to_owned(), |s| self.label(s, 0));
        let param = Param {
            name: name.to_owned(),
            required,
            ty,
            declared_by: name.to_owned(),
        };
        insert(read, location, &key_name, param);
    }

    /// The properties an exploded form object sends, read through `$ref`s and compositions.
    ///
    /// Every `allOf` member applies, so their properties add up and any of them can make one
    /// required. One `oneOf` variant applies (at least one `anyOf` variant), so the properties
    /// are the union of the variants' and a property is required only when every variant
    /// requires it (a `null` variant requires nothing). A member that is not an object is an
    /// error: what it would put on the wire is not a set of named parameters.
    fn wire_object(&self, schema: &'a Value, depth: usize) -> Result<WireObject<'a>, String> {
        if depth > MAX_DEPTH {
            return Err("compositions nested too deeply (a schema that contains itself?)".into());
        }
        let (schema, refs) = self.deref(schema)?;
        let named = refs.last().map_or_else(String::new, |r| format!(" ({r})"));
        let (ty, _) = declared_type(schema);
        let mut object = WireObject::default();
        match ty.as_str() {
            "object" | "any" => {}
            "null" => return Ok(object),
            other => return Err(format!("a member{named} is {other}, not an object")),
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (prop, schema) in properties {
                let labels = object.properties.entry(prop.as_str()).or_default();
                labels.insert(self.label(schema, 0));
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            object
                .required
                .extend(required.iter().filter_map(Value::as_str));
        }
        for member in members(schema, "allOf") {
            let part = self.wire_object(member, depth + 1)?;
            object.merge(part.properties);
            object.required.extend(part.required);
        }
        for keyword in ["oneOf", "anyOf"] {
            let mut variants = members(schema, keyword).peekable();
            if variants.peek().is_none() {
                continue;
            }
            let mut always_required: Option<BTreeSet<&'a str>> = None;
            for variant in variants {
                let part = self.wire_object(variant, depth + 1)?;
                always_required = Some(match always_required {
                    None => part.required,
                    Some(so_far) => so_far.intersection(&part.required).copied().collect(),
                });
                object.merge(part.properties);
            }
            object.required.extend(always_required.unwrap_or_default());
        }
        Ok(object)
    }
}

impl<'a> WireObject<'a> {
    /// Adds properties, keeping every type label a property is given.
    fn merge(&mut self, properties: BTreeMap<&'a str, BTreeSet<String>>) {
        for (name, labels) in properties {
            self.properties.entry(name).or_default().extend(labels);
        }
    }
}

/// The subject of a parameter.
fn parameter(name: &str, location: &str) -> Subject {
    Subject::Parameter {
        name: name.to_owned(),
        location: location.to_owned(),
    }
}

/// Adds a parameter under `location` and `key_name`. Two declarations that put the same name on
/// the wire (a parameter and a property of an exploded object) cannot both be compared: the
/// later one is kept, and that is reported. An operation's parameter replacing its path's of
/// the same name is not reported.
fn insert(read: &mut Parameters, location: &str, key_name: &str, param: Param) {
    let key = ParamKey {
        location: location.to_owned(),
        name: key_name.to_owned(),
    };
    if let Some(earlier) = read.params.get(&key)
        && earlier.declared_by != param.declared_by
    {
        read.unread.push(Unread {
            subject: parameter(&param.name, location),
            reason: format!(
                "sent by both `{}` and `{}`; only `{}` is compared",
                earlier.declared_by, param.declared_by, param.declared_by
            ),
        });
    }
    read.params.insert(key, param);
}

/// The members of a schema's `allOf`, `oneOf` or `anyOf` (none when it has no such keyword).
fn members<'a>(schema: &'a Value, keyword: &str) -> impl Iterator<Item = &'a Value> {
    schema
        .get(keyword)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Whether a parameter is serialised in the form style with `explode` (the query default).
fn is_exploded_form(param: &Value) -> bool {
    let style = param.get("style").and_then(Value::as_str).unwrap_or("form");
    let explode = param
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    style == "form" && explode
}

/// The schema of a parameter declared with `content` rather than `schema`.
fn first_content_schema(param: &Value) -> Option<&Value> {
    param
        .get("content")?
        .as_object()?
        .values()
        .next()?
        .get("schema")
}

/// The position of `{name}` among the path's parameters.
fn path_parameter_position(path: &str, name: &str) -> Option<usize> {
    path.split('{')
        .skip(1)
        .position(|rest| rest.split('}').next() == Some(name))
}

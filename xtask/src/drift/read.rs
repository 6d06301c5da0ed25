//! Reads the compared model (`model`) out of a spec: every operation in scope, its
//! authentication, parameters (`params`), JSON request body and success response, with every
//! field of the bodies by its dotted JSON path (`results[].feeder_studies[].name`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{
    difference::Subject,
    model::{Body, Field, Fields, METHODS, Operation, OperationKey, Success, Unread},
    shape::Shape,
    spec::Spec,
};

impl<'a> Spec<'a> {
    /// Every operation whose path (as [`normalise_path`] gives it) `in_scope` accepts, by key.
    /// A path item that cannot be read is an operation of method `*` holding why.
    pub fn operations(&self, in_scope: impl Fn(&str) -> bool) -> BTreeMap<OperationKey, Operation> {
        let mut operations = BTreeMap::new();
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else {
            return operations;
        };
        for (path, item) in paths {
            let normalised = normalise_path(path);
            if !in_scope(&normalised) {
                continue;
            }
            let item = match self.deref(item) {
                Ok((item, _)) => item,
                Err(reason) => {
                    let key = OperationKey {
                        path: normalised,
                        rank: METHODS.len(),
                    };
                    operations.insert(key, unreadable_path(path, reason));
                    continue;
                }
            };
            for (rank, method) in METHODS.iter().enumerate() {
                if let Some(op) = item.get(*method) {
                    let key = OperationKey {
                        path: normalised.clone(),
                        rank,
                    };
                    operations.insert(key, self.operation(path, method, item, op));
                }
            }
        }
        operations
    }

    /// Reads one operation of the path item `item`.
    fn operation(&self, path: &str, method: &str, item: &'a Value, op: &'a Value) -> Operation {
        self.take_problems();
        let parameters = self.parameters(path, item, op);
        let mut unread = parameters.unread;
        let body = self.request_body(op, &mut unread);
        let success = self.success(op, &mut unread);
        let mut auth = parameters.auth;
        auth.extend(self.security_headers(op));
        unread.extend(self.take_problems().into_iter().map(|reason| Unread {
            subject: Subject::Schema,
            reason,
        }));
        Operation {
            method: method.to_uppercase(),
            path: path.to_owned(),
            params: parameters.params,
            auth,
            unread,
            body,
            success,
        }
    }

    /// The headers of the security schemes the operation requires (its own `security`, else
    /// the document's).
    fn security_headers(&self, op: &'a Value) -> BTreeSet<String> {
        let schemes = self.scheme_headers();
        let requirements = op.get("security").or_else(|| self.root.get("security"));
        let names = requirements
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .flat_map(|requirement| requirement.keys());
        let mut headers = BTreeSet::new();
        for name in names {
            match schemes.get(name.as_str()) {
                Some(header) => {
                    headers.insert((*header).to_owned());
                }
                None => self.note(format!("security scheme {name} is not declared")),
            }
        }
        headers
    }

    /// The operation's JSON request body.
    fn request_body(&self, op: &'a Value, unread: &mut Vec<Unread>) -> Option<Body> {
        let body = op.get("requestBody")?;
        let body = match self.deref(body) {
            Ok((body, _)) => body,
            Err(reason) => {
                let subject = Subject::RequestBody;
                unread.push(Unread { subject, reason });
                return None;
            }
        };
        let required = body
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let fields = json_schema(body)
            .map(|s| self.fields(s))
            .unwrap_or_default();
        Some(Body { required, fields })
    }

    /// The operation's success response: the lowest 2xx status it declares. A `204` is read
    /// without a body, whatever it declares: an HTTP 204 carries none (Prolific's spec declares
    /// `{}` on its 204s).
    fn success(&self, op: &'a Value, unread: &mut Vec<Unread>) -> Option<Success> {
        let responses = op.get("responses")?.as_object()?;
        let (status, response) = responses
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .min_by_key(|(status, _)| status.as_str())?;
        let fields = match self.deref(response) {
            Ok(_) if status == "204" => None,
            Ok((response, _)) => json_schema(response).map(|s| self.fields(s)),
            Err(reason) => {
                let subject = Subject::Response {
                    status: status.clone(),
                };
                unread.push(Unread { subject, reason });
                None
            }
        };
        Some(Success {
            status: status.clone(),
            fields,
        })
    }

    /// The fields of a body schema, the body itself under the key `""` (always "required":
    /// whether a request body must be sent is compared on its own).
    fn fields(&self, schema: &'a Value) -> Fields {
        let mut fields = Fields::new();
        self.collect(schema, String::new(), true, &mut fields, &mut Vec::new());
        fields
    }

    /// Records the field at `path` with schema `schema`, then its nested fields.
    ///
    /// `stack` holds the `$ref`s being expanded, so that a schema that contains itself is
    /// recorded once and not expanded again.
    fn collect(
        &self,
        schema: &'a Value,
        path: String,
        required: bool,
        fields: &mut Fields,
        stack: &mut Vec<&'a str>,
    ) {
        let shape = self.shape(schema);
        let field = Field {
            ty: self.label(schema, 0),
            required,
            nullable: shape.nullable,
        };
        fields.insert(path.clone(), field);
        self.descend(&shape, &path, fields, stack);
    }

    /// Records the properties of an object shape, or of an array's items, under `path`.
    fn descend(
        &self,
        shape: &Shape<'a>,
        path: &str,
        fields: &mut Fields,
        stack: &mut Vec<&'a str>,
    ) {
        if shape.refs.iter().any(|r| stack.contains(r)) {
            return;
        }
        stack.extend(&shape.refs);
        for (name, schema) in &shape.properties {
            let required = shape.required.contains(name);
            let child = if path.is_empty() {
                (*name).to_owned()
            } else {
                format!("{path}.{name}")
            };
            self.collect(schema, child, required, fields, stack);
        }
        if let Some(items) = shape.items {
            let items = self.shape(items);
            self.descend(&items, &format!("{path}[]"), fields, stack);
        }
        stack.truncate(stack.len() - shape.refs.len());
    }
}

/// The operation standing for a path item that could not be read.
fn unreadable_path(path: &str, reason: String) -> Operation {
    Operation {
        method: "*".to_owned(),
        path: path.to_owned(),
        params: BTreeMap::new(),
        auth: BTreeSet::new(),
        unread: vec![Unread {
            subject: Subject::PathItem,
            reason,
        }],
        body: None,
        success: None,
    }
}

/// The schema of a request body's or response's JSON content (or of its first content).
fn json_schema(holder: &Value) -> Option<&Value> {
    let content = holder.get("content")?.as_object()?;
    content
        .iter()
        .find(|(media, _)| media.contains("json"))
        .or_else(|| content.iter().next())
        .and_then(|(_, media)| media.get("schema"))
}

/// A path with each `{parameter}` replaced by `{}`, so that parameter names do not matter.
pub fn normalise_path(path: &str) -> String {
    let mut normalised = String::with_capacity(path.len());
    let mut in_braces = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_braces = true;
                normalised.push_str("{}");
            }
            '}' => in_braces = false,
            _ if in_braces => {}
            _ => normalised.push(c),
        }
    }
    normalised
}

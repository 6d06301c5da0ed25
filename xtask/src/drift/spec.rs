//! An OpenAPI document being read: `$ref` resolution, the security schemes, and the problems
//! met on the way (each becomes a "not compared" line rather than being dropped).

use std::{cell::RefCell, collections::BTreeMap};

use serde_json::Value;

/// A document, with what reading it needs.
pub struct Spec<'a> {
    /// The whole document, against which local `$ref`s are resolved.
    pub root: &'a Value,
    /// Problems met while reading the current operation, taken by [`Spec::take_problems`].
    problems: RefCell<Vec<String>>,
}

impl<'a> Spec<'a> {
    /// A document already checked to be OpenAPI 3.x (see `load`).
    pub fn new(root: &'a Value) -> Self {
        Self {
            root,
            problems: RefCell::default(),
        }
    }

    /// Follows `$ref`s (local ones, `#/...`) until a value that is not a reference.
    ///
    /// Returns the value and the references followed; a reference that is not local, does not
    /// resolve or leads back to itself is an error.
    pub fn deref(&self, mut value: &'a Value) -> Result<(&'a Value, Vec<&'a str>), String> {
        let mut followed = Vec::new();
        while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            if followed.contains(&reference) {
                return Err(format!("cyclic $ref {reference}"));
            }
            let pointer = reference
                .strip_prefix('#')
                .ok_or_else(|| format!("non-local $ref {reference} is not followed"))?;
            value = self
                .root
                .pointer(pointer)
                .ok_or_else(|| format!("$ref {reference} does not resolve"))?;
            followed.push(reference);
        }
        Ok((value, followed))
    }

    /// Records a problem met while reading a schema.
    pub fn note(&self, problem: String) {
        let mut problems = self.problems.borrow_mut();
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    }

    /// The problems recorded since the last call.
    pub fn take_problems(&self) -> Vec<String> {
        self.problems.take()
    }

    /// The header each security scheme sends its credentials in, by scheme name: an `apiKey`
    /// scheme's `name` when it goes in a header, `Authorization` for `http`, `oauth2` and
    /// `openIdConnect`.
    pub fn scheme_headers(&self) -> BTreeMap<&'a str, &'a str> {
        let schemes = self
            .root
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object);
        let mut headers = BTreeMap::new();
        for (name, scheme) in schemes.into_iter().flatten() {
            let Ok((scheme, _)) = self.deref(scheme) else {
                self.note(format!("security scheme {name} does not resolve"));
                continue;
            };
            let field = |key| scheme.get(key).and_then(Value::as_str);
            let header = match field("type") {
                Some("apiKey") if field("in") == Some("header") => field("name"),
                Some("http" | "oauth2" | "openIdConnect") => Some("Authorization"),
                _ => None,
            };
            if let Some(header) = header {
                headers.insert(name.as_str(), header);
            }
        }
        headers
    }
}

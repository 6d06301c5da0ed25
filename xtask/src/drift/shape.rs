//! Schemas seen through `$ref`s and compositions (`allOf`, `anyOf`, `oneOf`): the type label
//! and nullability compared, and the properties and items to descend into.
//!
//! Nullability is read in all the ways OpenAPI spells it: 3.0's `nullable: true`, 3.1's
//! `type: [string, "null"]`, a `null` in an `enum`, and an `anyOf`/`oneOf` with a
//! `{type: "null"}` member. So a 3.0 spec and a 3.1 spec saying the same thing agree.

use std::collections::BTreeSet;

use serde_json::Value;

use super::spec::Spec;

/// How deep array labels (`array<array<...>>`) and nested compositions (`anyOf` in `allOf`
/// ...) are followed: a schema that contains itself through them must not recurse forever.
pub const MAX_DEPTH: usize = 16;

/// A schema seen through its `$ref`s and compositions: the facts the report compares.
#[derive(Debug, Default)]
pub struct Shape<'a> {
    /// The type label, before array items are spelled out (`array`, not `array<string>`).
    pub ty: String,
    /// Whether `null` is allowed.
    pub nullable: bool,
    /// An object's properties, in the spec's order.
    pub properties: Vec<(&'a str, &'a Value)>,
    /// The names of an object's required properties.
    pub required: BTreeSet<&'a str>,
    /// An array's item schema.
    pub items: Option<&'a Value>,
    /// The `$ref`s followed to reach this shape, to stop recursion into cyclic schemas.
    pub refs: Vec<&'a str>,
}

impl<'a> Spec<'a> {
    /// A schema's type label, array items spelled out: `array<object>`, `array<string>`.
    pub fn label(&self, schema: &'a Value, depth: usize) -> String {
        let shape = self.shape(schema);
        match shape.items {
            Some(items) if shape.ty == "array" && depth < MAX_DEPTH => {
                format!("array<{}>", self.label(items, depth + 1))
            }
            _ => shape.ty,
        }
    }

    /// Sees a schema through its `$ref`s, `allOf`, `anyOf` and `oneOf`.
    pub fn shape(&self, schema: &'a Value) -> Shape<'a> {
        self.shape_at(schema, 0)
    }

    /// [`Spec::shape`] of a schema nested `depth` compositions deep.
    fn shape_at(&self, schema: &'a Value, depth: usize) -> Shape<'a> {
        if depth > MAX_DEPTH {
            return Shape {
                ty: "recursive".to_owned(),
                ..Shape::default()
            };
        }
        let (schema, refs) = match self.deref(schema) {
            Ok(resolved) => resolved,
            Err(e) => {
                self.note(e);
                return Shape {
                    ty: "unresolved".to_owned(),
                    ..Shape::default()
                };
            }
        };
        let mut shape = if let Some(members) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
            self.union_shape(members, depth + 1)
        } else if let Some(members) = schema.get("allOf") {
            self.intersection_shape(members, depth + 1)
        } else {
            Shape::default()
        };
        shape.refs.splice(0..0, refs);
        // A type declared beside a composition wins over what the composition says, when that
        // is nothing (`anyOf: [{required: [a]}, {required: [b]}]` only constrains an object).
        let (declared, nullable) = declared_type(schema);
        if shape.ty.is_empty() || (shape.ty == "any" && declared != "any") {
            shape.ty = declared;
        }
        shape.nullable |= nullable;
        shape.nullable |= schema.get("nullable").and_then(Value::as_bool) == Some(true);
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            shape
                .properties
                .extend(properties.iter().map(|(k, v)| (k.as_str(), v)));
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            shape
                .required
                .extend(required.iter().filter_map(Value::as_str));
        }
        if shape.items.is_none() {
            shape.items = schema.get("items");
        }
        shape
    }

    /// The shape of an `anyOf`/`oneOf`: `null` members make it nullable; one other member is
    /// the shape itself; several give a label like `integer|string`.
    fn union_shape(&self, members: &'a Value, depth: usize) -> Shape<'a> {
        let members = members.as_array().map(Vec::as_slice).unwrap_or_default();
        let mut nullable = false;
        let mut others = Vec::new();
        for member in members {
            let shape = self.shape_at(member, depth);
            if shape.ty == "null" {
                nullable = true;
            } else {
                others.push(shape);
            }
        }
        let mut shape = if others.len() == 1 {
            others.remove(0)
        } else if others.is_empty() {
            Shape {
                ty: "null".to_owned(),
                ..Shape::default()
            }
        } else {
            let labels: BTreeSet<String> = others.iter().map(|s| s.ty.clone()).collect();
            Shape {
                nullable: others.iter().any(|s| s.nullable),
                ty: labels.into_iter().collect::<Vec<_>>().join("|"),
                ..Shape::default()
            }
        };
        shape.nullable |= nullable;
        shape
    }

    /// The shape of an `allOf`: the members' properties and required lists merged, the first
    /// member's type; nullable only if every member is.
    fn intersection_shape(&self, members: &'a Value, depth: usize) -> Shape<'a> {
        let members = members.as_array().map(Vec::as_slice).unwrap_or_default();
        let mut merged = Shape {
            nullable: !members.is_empty(),
            ..Shape::default()
        };
        for member in members {
            let shape = self.shape_at(member, depth);
            if merged.ty.is_empty() || merged.ty == "any" {
                merged.ty = shape.ty;
            }
            merged.nullable &= shape.nullable;
            merged.properties.extend(shape.properties);
            merged.required.extend(shape.required);
            merged.items = merged.items.or(shape.items);
            merged.refs.extend(shape.refs);
        }
        merged
    }
}

/// A schema's own `type`: the label and whether it admits `null`. Without `type`, the label is
/// guessed from `properties` or `items`, else `any`.
pub fn declared_type(schema: &Value) -> (String, bool) {
    let null_in_enum = schema
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.iter().any(Value::is_null));
    match schema.get("type") {
        Some(Value::String(ty)) => (ty.clone(), ty == "null" || null_in_enum),
        Some(Value::Array(types)) => {
            let names: BTreeSet<&str> = types.iter().filter_map(Value::as_str).collect();
            let nullable = names.contains("null");
            let others: Vec<&str> = names.into_iter().filter(|t| *t != "null").collect();
            let ty = if others.is_empty() {
                "null".to_owned()
            } else {
                others.join("|")
            };
            (ty, nullable || null_in_enum)
        }
        _ if schema.get("properties").is_some() => ("object".to_owned(), null_in_enum),
        _ if schema.get("items").is_some() => ("array".to_owned(), null_in_enum),
        _ => ("any".to_owned(), null_in_enum),
    }
}

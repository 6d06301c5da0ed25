//! What the drift check knows of an operation: the facts it compares. `read` fills these in
//! from a spec, `compare` compares two of them.

use std::collections::{BTreeMap, BTreeSet};

use super::difference::Subject;

/// HTTP methods an OpenAPI path item can hold, in the order the report lists them.
pub const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

/// An operation's identity: its path with parameter names blanked out, and its method.
/// (operationIds are not used: they differ between Prolific's own versions.)
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OperationKey {
    /// The path with every `{name}` replaced by `{}`.
    pub path: String,
    /// The method's position in [`METHODS`], so that GET is listed before POST.
    pub rank: usize,
}

/// What is compared of one operation.
#[derive(Debug)]
pub struct Operation {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path as the spec spells it.
    pub path: String,
    /// Its parameters, path-level ones included; not those that restate a security scheme.
    pub params: BTreeMap<ParamKey, Param>,
    /// The headers that carry its credentials: from its security requirements, and from
    /// header parameters that restate a security scheme (Prolific's `Authorization`).
    pub auth: BTreeSet<String>,
    /// The parts that could not be read, each with why: reported, never dropped in silence.
    pub unread: Vec<Unread>,
    /// Its JSON request body, if it has one.
    pub body: Option<Body>,
    /// Its success (2xx) response, if it has one.
    pub success: Option<Success>,
}

/// A part of an operation that could not be read, and why.
#[derive(Debug)]
pub struct Unread {
    /// Which part.
    pub subject: Subject,
    /// Why it could not be read.
    pub reason: String,
}

/// A parameter's identity: where it goes and its name. Path parameters are named by their
/// position in the path (`{0}`, `{1}`), since path parameter names are not on the wire.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ParamKey {
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// The name, or `{n}` for the n-th path parameter.
    pub name: String,
}

/// What is compared of one parameter.
#[derive(Debug)]
pub struct Param {
    /// The name the spec gives it, for the report.
    pub name: String,
    /// Whether it must be sent.
    pub required: bool,
    /// Its schema's type label.
    pub ty: String,
    /// The parameter declaration it comes from: its own name, or that of the exploded object
    /// (`filter`) it is a property of.
    pub declared_by: String,
}

/// A request body.
#[derive(Debug)]
pub struct Body {
    /// Whether the body must be sent.
    pub required: bool,
    /// Its fields; the key `""` is the body itself.
    pub fields: Fields,
}

/// The success response of an operation.
#[derive(Debug)]
pub struct Success {
    /// Its status key: `200`, `201`, `204`, `2XX`.
    pub status: String,
    /// Its fields, or `None` when it has no JSON body (a `204` never has one); the key `""` is
    /// the body itself.
    pub fields: Option<Fields>,
}

/// Fields by dotted path (`results[].feeder_studies[].status`); `""` is the whole body.
pub type Fields = BTreeMap<String, Field>;

/// What is compared of one field.
#[derive(Debug)]
pub struct Field {
    /// Its type label: `string`, `object`, `array<object>`, `integer|string`, ...
    pub ty: String,
    /// Whether its parent object lists it as required.
    pub required: bool,
    /// Whether `null` is an allowed value (3.0's `nullable: true`, 3.1's `type: [x, "null"]`,
    /// or a `null` member of an `anyOf`/`oneOf`).
    pub nullable: bool,
}

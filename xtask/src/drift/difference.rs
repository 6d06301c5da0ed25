//! One difference between Prolific's spec ("theirs") and ours: which operation, where in it,
//! and what differs, as data. Its text form is the report's line,
//! `METHOD /path  where: what`, and `where` and `what` are exactly what an entry of the accepted
//! file holds.

use std::fmt;

use serde::Serialize;

/// Which spec something is found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Prolific's published spec.
    Theirs,
    /// Our hand-written spec.
    Ours,
}

impl Side {
    /// The side in which `in_theirs` says a thing is found.
    pub fn of(in_theirs: bool) -> Self {
        if in_theirs { Self::Theirs } else { Self::Ours }
    }

    /// `theirs` or `ours`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Theirs => "theirs",
            Self::Ours => "ours",
        }
    }

    /// `in theirs, not in ours` (or the other way round).
    fn only_here(self) -> &'static str {
        match self {
            Self::Theirs => "in theirs, not in ours",
            Self::Ours => "in ours, not in theirs",
        }
    }
}

/// Where in an operation a difference is: the "where" of a report line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// The operation itself.
    Operation,
    /// A path item that could not be read, so none of its operations are known.
    PathItem,
    /// A header that carries the credentials of a security scheme (`Authorization`).
    Authentication {
        /// The header's name.
        header: String,
    },
    /// A parameter, by its name on the wire and its location (`query`, `path`, `header`).
    Parameter {
        /// The name (for an exploded object such as `filter`, the name of each property).
        name: String,
        /// `path`, `query`, `header` or `cookie`.
        location: String,
    },
    /// A parameter declared by a `$ref` that could not be followed.
    ParameterRef {
        /// The reference.
        reference: String,
    },
    /// The JSON request body as a whole.
    RequestBody,
    /// A field of the request body, by its dotted JSON path.
    RequestField {
        /// `name`, `feeder_studies[].name`.
        field: String,
    },
    /// The success response as a whole.
    Response {
        /// Its status key, `200` or `204`.
        status: String,
    },
    /// The JSON body of the success response.
    ResponseBody {
        /// Its status key.
        status: String,
    },
    /// A field of the success response's body, by its dotted JSON path.
    ResponseField {
        /// Its status key.
        status: String,
        /// `results[].feeder_studies[].status`.
        field: String,
    },
    /// A schema of the operation that could not be read.
    Schema,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Operation => f.write_str("operation"),
            Self::PathItem => f.write_str("path item"),
            Self::Authentication { header } => write!(f, "authentication header {header}"),
            Self::Parameter { name, location } => write!(f, "parameter {name} ({location})"),
            Self::ParameterRef { reference } => write!(f, "parameter {reference}"),
            Self::RequestBody => f.write_str("request body"),
            Self::RequestField { field } => write!(f, "request body field {field}"),
            Self::Response { status } => write!(f, "response {status}"),
            Self::ResponseBody { status } => write!(f, "response {status} body"),
            Self::ResponseField { status, field } => write!(f, "response {status} field {field}"),
            Self::Schema => f.write_str("a schema"),
        }
    }
}

/// What differs: the "what" of a report line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Declared in one spec only.
    Presence {
        /// The spec that declares it.
        only_in: Side,
    },
    /// Declared with other types (`string`, `array<object>`, `integer|string`).
    Type {
        /// Prolific's type.
        theirs: String,
        /// Ours.
        ours: String,
    },
    /// Required in one spec only.
    Required {
        /// The spec that requires it.
        only_in: Side,
    },
    /// May be `null` in one spec only.
    Nullable {
        /// The spec that allows `null`.
        only_in: Side,
    },
    /// Another success status.
    Status {
        /// Prolific's status.
        theirs: String,
        /// Ours.
        ours: String,
    },
    /// A part that could not be compared: the specs cannot be shown to agree there.
    NotCompared {
        /// The spec in which it could not be read.
        side: Side,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Presence { only_in } => f.write_str(only_in.only_here()),
            Self::Type { theirs, ours } => write!(f, "type {theirs} in theirs, {ours} in ours"),
            Self::Required { only_in } => write!(f, "required {}", only_in.only_here()),
            Self::Nullable { only_in } => write!(f, "nullable {}", only_in.only_here()),
            Self::Status { theirs, ours } => {
                write!(f, "status {theirs} in theirs, {ours} in ours")
            }
            Self::NotCompared { side, reason } => {
                write!(f, "not compared in {}: {reason}", side.name())
            }
        }
    }
}

/// One difference: the operation (`METHOD /path`), where in it, and what differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The method in capitals.
    pub method: String,
    /// The path as our spec spells it (as theirs does for an operation only they have).
    pub path: String,
    /// Where in the operation.
    pub subject: Subject,
    /// What differs.
    pub change: Change,
}

impl Difference {
    /// `METHOD /path`: the `operation` of an accepted entry.
    pub fn operation(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The report's line: `METHOD /path  where: what`.
impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}  {}: {}",
            self.method, self.path, self.subject, self.change
        )
    }
}

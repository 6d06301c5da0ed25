//! Reports where Prolific's published OpenAPI spec and ours disagree about participant groups.
//!
//! ```text
//! cargo run --example spec_drift -- <Prolific's openapi.yaml or .json> [--ours <path>]
//! ```
//!
//! `--ours` defaults to `openapi/participant-groups.yaml` in this crate. Both documents are read
//! untyped (OpenAPI 3.0 or 3.1, YAML or JSON by extension), local `$ref`s are followed, and only
//! paths under `/api/v1/participant-groups/` are compared. For each operation (method and path,
//! with path parameter names ignored: `{id}` and `{participant_group_id}` are the same path) it
//! prints one line per difference in:
//!
//! * the operation's presence;
//! * its parameters: presence, location, required-ness, schema type. A query parameter that is
//!   an object in the default form style with `explode` (Prolific's `filter`) is compared as the
//!   query parameters it sends: the properties of the object and of its `allOf`, `oneOf` and
//!   `anyOf` variants, as if declared flat. A parameter the report cannot compare (a `$ref` that
//!   does not resolve, an exploded object with a variant that is not an object or with no
//!   properties, two declarations sending the same name) gets a line saying so, and counts as
//!   a difference: the specs cannot be shown to agree;
//! * its JSON request body: presence, required-ness, and every field's presence, type,
//!   required-ness and nullability;
//! * its success response: status, and the same four facts for every field, nested objects
//!   and array items included, with dotted paths like `results[].feeder_studies[].status`.
//!
//! Error responses, descriptions, formats and examples are not compared.
//!
//! Exit status: 0 when the specs agree, 1 when they differ, 2 on a usage or read error.

use std::{
    collections::{BTreeMap, BTreeSet},
    ffi::OsString,
    fs,
    path::{Path, PathBuf},
    process::ExitCode,
};

use serde_json::Value;

/// Only operations whose path starts with this are compared.
const PREFIX: &str = "/api/v1/participant-groups/";
/// Our spec, relative to the crate root, when `--ours` is not given.
const DEFAULT_OURS: &str = "openapi/participant-groups.yaml";
/// HTTP methods an OpenAPI path item can hold, in the order the report lists them.
const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];
/// How deep array labels (`array<array<...>>`) and nested compositions (`anyOf` in `allOf` ...)
/// are followed: a schema that contains itself through them must not recurse forever.
const MAX_DEPTH: usize = 16;

/// The one-line usage, printed by `--help` and after a usage error.
const USAGE: &str = "usage: spec_drift <theirs: openapi.yaml | openapi.json> [--ours <path>]";

/// Parses the arguments, compares the specs, prints the report and exits with 0 (no difference),
/// 1 (differences) or 2 (usage or read error, message on stderr).
fn main() -> ExitCode {
    let args = match Args::parse(std::env::args_os().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("spec_drift: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match compare_files(&args) {
        Ok(report) => {
            print!("{}", report.render());
            if report.difference_count() == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(message) => {
            eprintln!("spec_drift: {message}");
            ExitCode::from(2)
        }
    }
}

/// Reads both specs and compares them.
fn compare_files(args: &Args) -> Result<Report, String> {
    let theirs = load(&args.theirs)?;
    let ours = load(&args.ours)?;
    let theirs_ops = Spec::new(&theirs, &args.theirs)?.operations();
    let ours_ops = Spec::new(&ours, &args.ours)?.operations();
    Ok(Report::compare(args, &theirs_ops, &ours_ops))
}

// ---------------------------------------------------------------------------------------------
// Arguments and reading
// ---------------------------------------------------------------------------------------------

/// The command line: the spec to check and the spec to check it against.
struct Args {
    /// Prolific's published spec.
    theirs: PathBuf,
    /// Our hand-written spec.
    ours: PathBuf,
}

impl Args {
    /// Reads `<theirs> [--ours <path>]` (also `--ours=<path>`); anything else is a usage error.
    /// `None` means that help was asked for.
    fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Option<Self>, String> {
        let mut theirs = None;
        let mut ours = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let text = arg.to_string_lossy();
            if text == "--ours" {
                let value = args.next().ok_or("--ours needs a path")?;
                ours = Some(PathBuf::from(value));
            } else if let Some(value) = text.strip_prefix("--ours=") {
                ours = Some(PathBuf::from(value));
            } else if text == "-h" || text == "--help" {
                return Ok(None);
            } else if text.starts_with('-') {
                return Err(format!("unknown option `{text}`"));
            } else if theirs.replace(PathBuf::from(&arg)).is_some() {
                return Err("more than one spec to check".to_owned());
            }
        }
        let theirs = theirs.ok_or("no spec to check")?;
        let ours = ours.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_OURS));
        Ok(Some(Self { theirs, ours }))
    }
}

/// Reads a spec as untyped JSON: `.json` files with serde_json, anything else as YAML.
fn load(path: &Path) -> Result<Value, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let is_json = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    if is_json {
        serde_json::from_str(&text).map_err(|e| format!("{}: not valid JSON: {e}", path.display()))
    } else {
        let mut yaml: serde_norway::Value = serde_norway::from_str(&text)
            .map_err(|e| format!("{}: not valid YAML: {e}", path.display()))?;
        yaml.apply_merge()
            .map_err(|e| format!("{}: bad YAML merge key: {e}", path.display()))?;
        yaml_to_json(yaml).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Converts YAML to JSON, turning scalar mapping keys (YAML allows `200:` unquoted) into strings.
fn yaml_to_json(yaml: serde_norway::Value) -> Result<Value, String> {
    use serde_norway::Value as Yaml;
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().map_or(Value::Null, Value::from)
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(map) => {
            let mut object = serde_json::Map::new();
            for (key, value) in map {
                let key = match key {
                    Yaml::String(s) => s,
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                object.insert(key, yaml_to_json(value)?);
            }
            Value::Object(object)
        }
        Yaml::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

// ---------------------------------------------------------------------------------------------
// The model compared: what the report knows of an operation
// ---------------------------------------------------------------------------------------------

/// An operation's identity: its path with parameter names blanked out, and its method.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct OperationKey {
    /// The path with every `{name}` replaced by `{}`.
    path: String,
    /// The method's position in [`METHODS`], so that the report lists GET before POST.
    rank: usize,
}

/// What is compared of one operation.
#[derive(Debug)]
struct Operation {
    /// `GET`, `POST`, ...
    method: String,
    /// The path as the spec spells it.
    path: String,
    /// Its parameters, path-level ones included.
    params: BTreeMap<ParamKey, Param>,
    /// Parameters that could not be read into [`Operation::params`], each with why: they are
    /// reported as such, never dropped in silence.
    unread: Vec<Unread>,
    /// Its JSON request body, if it has one.
    body: Option<Body>,
    /// Its success (2xx) response, if it has one.
    success: Option<Success>,
}

/// A parameter's identity: where it goes and its name. Path parameters are named by their
/// position in the path (`{0}`, `{1}`), since path parameter names are not on the wire.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ParamKey {
    /// `path`, `query`, `header` or `cookie`.
    location: String,
    /// The name, or `{n}` for the n-th path parameter.
    name: String,
}

/// What is compared of one parameter.
#[derive(Debug)]
struct Param {
    /// The name the spec gives it, for the report.
    name: String,
    /// Whether it must be sent.
    required: bool,
    /// Its schema's type label.
    ty: String,
    /// The name of the parameter declaration it comes from: its own name, or that of the
    /// exploded object (`filter`) it is a property of.
    declared_by: String,
}

/// A parameter the report could not compare, and why.
#[derive(Debug)]
struct Unread {
    /// What it is, as the report names it: `parameter filter (query)`.
    subject: String,
    /// Why it could not be compared.
    reason: String,
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

/// A request body.
#[derive(Debug)]
struct Body {
    /// Whether the body must be sent.
    required: bool,
    /// Its fields; the key `""` is the body itself.
    fields: Fields,
}

/// The success response of an operation.
#[derive(Debug)]
struct Success {
    /// Its status key: `200`, `201`, `204`, `2XX`.
    status: String,
    /// Its fields, or `None` when the response has no JSON body; the key `""` is the body itself.
    fields: Option<Fields>,
}

/// Fields by dotted path (`results[].feeder_studies[].status`); `""` is the whole body.
type Fields = BTreeMap<String, Field>;

/// What is compared of one field.
#[derive(Debug)]
struct Field {
    /// Its type label: `string`, `object`, `array<object>`, `integer|string`, ...
    ty: String,
    /// Whether its parent object lists it as required.
    required: bool,
    /// Whether `null` is an allowed value.
    nullable: bool,
}

// ---------------------------------------------------------------------------------------------
// Reading the model out of a spec
// ---------------------------------------------------------------------------------------------

/// An OpenAPI document, with the `$ref` resolution that reading it needs.
struct Spec<'a> {
    /// The whole document, against which local `$ref`s are resolved.
    root: &'a Value,
    /// The file it came from, for warnings.
    file: &'a Path,
}

/// A schema seen through its `$ref`s and compositions: the facts the report compares.
#[derive(Debug, Default)]
struct Shape<'a> {
    /// The type label, before array items are spelled out (`array`, not `array<string>`).
    ty: String,
    /// Whether `null` is allowed.
    nullable: bool,
    /// An object's properties, in the spec's order.
    properties: Vec<(&'a str, &'a Value)>,
    /// The names of an object's required properties.
    required: BTreeSet<&'a str>,
    /// An array's item schema.
    items: Option<&'a Value>,
    /// The `$ref`s followed to reach this shape, to stop recursion into cyclic schemas.
    refs: Vec<&'a str>,
}

impl<'a> Spec<'a> {
    /// Checks that `root` looks like an OpenAPI 3 document.
    fn new(root: &'a Value, file: &'a Path) -> Result<Self, String> {
        let version = root.get("openapi").and_then(Value::as_str);
        match version {
            Some(v) if v.starts_with("3.") => {}
            Some(v) => return Err(format!("{}: OpenAPI {v} is not supported", file.display())),
            None if root.get("swagger").is_some() => {
                return Err(format!("{}: Swagger 2 is not supported", file.display()));
            }
            None => return Err(format!("{}: not an OpenAPI document", file.display())),
        }
        if !root.get("paths").is_some_and(Value::is_object) {
            return Err(format!("{}: no `paths` object", file.display()));
        }
        Ok(Self { root, file })
    }

    /// Prints a warning about something the report had to skip.
    fn warn(&self, message: &str) {
        eprintln!("spec_drift: warning: {}: {message}", self.file.display());
    }

    /// Follows `$ref`s (local ones, `#/...`) until a value that is not a reference.
    ///
    /// Returns the value and the references followed; a reference that is not local, does not
    /// resolve or leads back to itself is an error.
    fn deref(&self, mut value: &'a Value) -> Result<(&'a Value, Vec<&'a str>), String> {
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

    /// Every operation under [`PREFIX`], by key.
    fn operations(&self) -> BTreeMap<OperationKey, Operation> {
        let mut operations = BTreeMap::new();
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else {
            return operations;
        };
        for (path, item) in paths.iter().filter(|(path, _)| path.starts_with(PREFIX)) {
            let item = match self.deref(item) {
                Ok((item, _)) => item,
                Err(e) => {
                    self.warn(&format!("path {path} skipped: {e}"));
                    continue;
                }
            };
            for (rank, method) in METHODS.iter().enumerate() {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let key = OperationKey {
                    path: normalise_path(path),
                    rank,
                };
                operations.insert(key, self.operation(path, method, item, op));
            }
        }
        operations
    }

    /// Reads one operation of the path item `item`.
    fn operation(&self, path: &str, method: &str, item: &'a Value, op: &'a Value) -> Operation {
        let (params, unread) = self.parameters(path, item, op);
        Operation {
            method: method.to_uppercase(),
            path: path.to_owned(),
            params,
            unread,
            body: self.request_body(op),
            success: self.success(op),
        }
    }

    /// The parameters of an operation: the path item's, overridden by the operation's own, and
    /// those it could not read.
    fn parameters(
        &self,
        path: &str,
        item: &'a Value,
        op: &'a Value,
    ) -> (BTreeMap<ParamKey, Param>, Vec<Unread>) {
        let declared = [item, op]
            .into_iter()
            .filter_map(|holder| holder.get("parameters").and_then(Value::as_array))
            .flatten();
        let mut params = BTreeMap::new();
        let mut unread = Vec::new();
        for param in declared {
            match self.deref(param) {
                Ok((param, _)) => self.add_parameter(path, param, &mut params, &mut unread),
                Err(reason) => {
                    let reference = param.get("$ref").and_then(Value::as_str).unwrap_or("?");
                    unread.push(Unread {
                        subject: format!("parameter {reference}"),
                        reason,
                    });
                }
            }
        }
        (params, unread)
    }

    /// Adds one parameter declaration to `params` (replacing an earlier one of the same name),
    /// or to `unread` when it cannot be compared.
    fn add_parameter(
        &self,
        path: &str,
        param: &'a Value,
        params: &mut BTreeMap<ParamKey, Param>,
        unread: &mut Vec<Unread>,
    ) {
        let name = param.get("name").and_then(Value::as_str).unwrap_or("");
        let location = param.get("in").and_then(Value::as_str).unwrap_or("");
        let required = param
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(location == "path");
        let schema = param.get("schema").or_else(|| first_content_schema(param));
        let shape = schema.map(|s| self.shape(s)).unwrap_or_default();

        // An object-valued query parameter in the default style (form, exploded) puts each of
        // its properties on the wire as a query parameter of its own: Prolific's published spec
        // declares the list scope as `filter`, an object whose `oneOf` variants hold
        // `workspace_id` or `project_id`, which is sent as `workspace_id=...`, exactly what our
        // flat `workspace_id` and `project_id` parameters send. So such a parameter is compared
        // as the union of the properties of its variants, and that is not drift.
        // (`style: deepObject` would be `filter[workspace_id]=...`: compared as is.) A union
        // with a member that is not an object (`object|string`) is read the same way, so that
        // the report says why it cannot be compared rather than listing `filter` as missing.
        let is_object = shape.ty.split('|').any(|ty| ty == "object");
        if location == "query" && is_object && is_exploded_form(param) {
            let subject = format!("parameter {name} ({location})");
            let object = schema.map_or_else(
                || Err("no schema".to_owned()),
                |schema| self.wire_object(schema, 0),
            );
            let object = match object {
                Ok(object) if object.properties.is_empty() => {
                    Err("it declares none, so what it sends is unknown".to_owned())
                }
                other => other,
            };
            match object {
                Ok(object) => {
                    for (prop, labels) in &object.properties {
                        let key = ParamKey {
                            location: location.to_owned(),
                            name: (*prop).to_owned(),
                        };
                        let flat = Param {
                            name: (*prop).to_owned(),
                            required: required && object.required.contains(prop),
                            ty: labels.iter().cloned().collect::<Vec<_>>().join("|"),
                            declared_by: name.to_owned(),
                        };
                        insert_parameter(params, unread, key, flat);
                    }
                }
                Err(e) => unread.push(Unread {
                    subject,
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
        let key = ParamKey {
            location: location.to_owned(),
            name: key_name,
        };
        let ty = schema.map_or_else(|| "any".to_owned(), |s| self.label(s, 0));
        let param = Param {
            name: name.to_owned(),
            required,
            ty,
            declared_by: name.to_owned(),
        };
        insert_parameter(params, unread, key, param);
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

    /// The operation's JSON request body.
    fn request_body(&self, op: &'a Value) -> Option<Body> {
        let body = op.get("requestBody")?;
        let body = match self.deref(body) {
            Ok((body, _)) => body,
            Err(e) => {
                self.warn(&format!("a request body skipped: {e}"));
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

    /// The operation's success response: the lowest 2xx status it declares.
    fn success(&self, op: &'a Value) -> Option<Success> {
        let responses = op.get("responses")?.as_object()?;
        let (status, response) = responses
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .min_by_key(|(status, _)| status.as_str())?;
        let fields = match self.deref(response) {
            Ok((response, _)) => json_schema(response).map(|s| self.fields(s)),
            Err(e) => {
                self.warn(&format!("response {status} read as empty: {e}"));
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

    /// A schema's type label, array items spelled out: `array<object>`, `array<string>`.
    fn label(&self, schema: &'a Value, depth: usize) -> String {
        let shape = self.shape(schema);
        match shape.items {
            Some(items) if shape.ty == "array" && depth < MAX_DEPTH => {
                format!("array<{}>", self.label(items, depth + 1))
            }
            _ => shape.ty,
        }
    }

    /// Sees a schema through its `$ref`s, `allOf`, `anyOf` and `oneOf`.
    ///
    /// Nullability is read in all the ways OpenAPI spells it: 3.0's `nullable: true`, 3.1's
    /// `type: [string, "null"]`, and an `anyOf`/`oneOf` with a `{type: "null"}` member.
    fn shape(&self, schema: &'a Value) -> Shape<'a> {
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
                self.warn(&e);
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
fn declared_type(schema: &Value) -> (String, bool) {
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

impl<'a> WireObject<'a> {
    /// Adds properties, keeping every type label a property is given.
    fn merge(&mut self, properties: BTreeMap<&'a str, BTreeSet<String>>) {
        for (name, labels) in properties {
            self.properties.entry(name).or_default().extend(labels);
        }
    }
}

/// The members of a schema's `allOf`, `oneOf` or `anyOf` (none when it has no such keyword).
fn members<'a>(schema: &'a Value, keyword: &str) -> impl Iterator<Item = &'a Value> {
    schema
        .get(keyword)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Adds a parameter. Two declarations that put the same name on the wire (a parameter and a
/// property of an exploded object) cannot both be compared: the later one is kept, and that is
/// reported. An operation's parameter replacing its path's of the same name is not reported.
fn insert_parameter(
    params: &mut BTreeMap<ParamKey, Param>,
    unread: &mut Vec<Unread>,
    key: ParamKey,
    param: Param,
) {
    if let Some(earlier) = params.get(&key)
        && earlier.declared_by != param.declared_by
    {
        unread.push(Unread {
            subject: format!("parameter {} ({})", param.name, key.location),
            reason: format!(
                "sent by both `{}` and `{}`; only `{}` is compared",
                earlier.declared_by, param.declared_by, param.declared_by
            ),
        });
    }
    params.insert(key, param);
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

/// The schema of a request body's or response's JSON content (or of its first content).
fn json_schema(holder: &Value) -> Option<&Value> {
    let content = holder.get("content")?.as_object()?;
    content
        .iter()
        .find(|(media, _)| media.contains("json"))
        .or_else(|| content.iter().next())
        .and_then(|(_, media)| media.get("schema"))
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

/// A path with each `{parameter}` replaced by `{}`, so that parameter names do not matter.
fn normalise_path(path: &str) -> String {
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

/// The position of `{name}` among the path's parameters.
fn path_parameter_position(path: &str, name: &str) -> Option<usize> {
    path.split('{')
        .skip(1)
        .position(|rest| rest.split('}').next() == Some(name))
}

// ---------------------------------------------------------------------------------------------
// Comparing and reporting
// ---------------------------------------------------------------------------------------------

/// The differences found, grouped by operation.
struct Report {
    /// A few lines saying what was compared.
    header: Vec<String>,
    /// One group of difference lines per operation that differs.
    groups: Vec<Vec<String>>,
    /// How many operations were compared (in either spec).
    operation_count: usize,
}

impl Report {
    /// Compares every operation of either spec.
    fn compare(
        args: &Args,
        theirs: &BTreeMap<OperationKey, Operation>,
        ours: &BTreeMap<OperationKey, Operation>,
    ) -> Self {
        let keys: BTreeSet<&OperationKey> = theirs.keys().chain(ours.keys()).collect();
        let groups = keys
            .iter()
            .map(|key| compare_operation(theirs.get(key), ours.get(key)))
            .filter(|lines| !lines.is_empty())
            .collect();
        let header = vec![
            format!("theirs: {}", args.theirs.display()),
            format!("ours:   {}", args.ours.display()),
            format!("paths under {PREFIX}"),
        ];
        Self {
            header,
            groups,
            operation_count: keys.len(),
        }
    }

    /// The number of difference lines.
    fn difference_count(&self) -> usize {
        self.groups.iter().map(Vec::len).sum()
    }

    /// The report as printed: header, groups separated by blank lines, a summary line.
    fn render(&self) -> String {
        let mut out = self.header.join("\n");
        out.push_str("\n\n");
        for group in &self.groups {
            for line in group {
                out.push_str(line);
                out.push('\n');
            }
            out.push('\n');
        }
        let differences = self.difference_count();
        let summary = if differences == 0 {
            format!(
                "summary: no differences in {} operations",
                self.operation_count
            )
        } else {
            format!(
                "summary: {differences} {} in {} of {} operations",
                plural(differences, "difference", "differences"),
                self.groups.len(),
                self.operation_count
            )
        };
        out.push_str(&summary);
        out.push('\n');
        out
    }
}

/// Picks the singular or plural of a noun.
fn plural<'s>(n: usize, one: &'s str, many: &'s str) -> &'s str {
    if n == 1 { one } else { many }
}

/// Where something is found: only in theirs, only in ours.
fn presence(in_theirs: bool) -> &'static str {
    if in_theirs {
        "in theirs, not in ours"
    } else {
        "in ours, not in theirs"
    }
}

/// The difference lines of one operation.
fn compare_operation(theirs: Option<&Operation>, ours: Option<&Operation>) -> Vec<String> {
    let (theirs, ours) = match (theirs, ours) {
        (Some(t), Some(o)) => (t, o),
        (Some(only), None) | (None, Some(only)) => {
            let what = presence(ours.is_none());
            return vec![format!("{} {}  operation: {what}", only.method, only.path)];
        }
        (None, None) => return Vec::new(),
    };
    let mut diffs = Vec::new();
    for (side, op) in [("theirs", theirs), ("ours", ours)] {
        for unread in &op.unread {
            diffs.push(format!(
                "{} in {side}: not compared: {}",
                unread.subject, unread.reason
            ));
        }
    }
    compare_params(&theirs.params, &ours.params, &mut diffs);
    compare_body(theirs.body.as_ref(), ours.body.as_ref(), &mut diffs);
    compare_success(theirs.success.as_ref(), ours.success.as_ref(), &mut diffs);
    let prefix = format!("{} {}", ours.method, ours.path);
    diffs
        .into_iter()
        .map(|diff| format!("{prefix}  {diff}"))
        .collect()
}

/// Parameter differences: presence, required-ness, type.
fn compare_params(
    theirs: &BTreeMap<ParamKey, Param>,
    ours: &BTreeMap<ParamKey, Param>,
    diffs: &mut Vec<String>,
) {
    let keys: BTreeSet<&ParamKey> = theirs.keys().chain(ours.keys()).collect();
    for key in keys {
        let (t, o) = (theirs.get(key), ours.get(key));
        let Some(named) = o.or(t) else { continue };
        let subject = format!("parameter {} ({})", named.name, key.location);
        match (t, o) {
            (Some(t), Some(o)) => {
                if t.ty != o.ty {
                    diffs.push(format!(
                        "{subject}: type {} in theirs, {} in ours",
                        t.ty, o.ty
                    ));
                }
                if t.required != o.required {
                    diffs.push(format!("{subject}: required {}", presence(t.required)));
                }
            }
            _ => diffs.push(format!("{subject}: {}", presence(t.is_some()))),
        }
    }
}

/// Request body differences: presence, required-ness, fields.
fn compare_body(theirs: Option<&Body>, ours: Option<&Body>, diffs: &mut Vec<String>) {
    match (theirs, ours) {
        (Some(t), Some(o)) => {
            if t.required != o.required {
                diffs.push(format!("request body: required {}", presence(t.required)));
            }
            compare_fields("request body", "request body", &t.fields, &o.fields, diffs);
        }
        (Some(_), None) | (None, Some(_)) => {
            diffs.push(format!("request body: {}", presence(theirs.is_some())));
        }
        (None, None) => {}
    }
}

/// Success response differences: presence, status, body, fields.
fn compare_success(theirs: Option<&Success>, ours: Option<&Success>, diffs: &mut Vec<String>) {
    let (t, o) = match (theirs, ours) {
        (Some(t), Some(o)) => (t, o),
        (Some(only), None) | (None, Some(only)) => {
            let what = presence(theirs.is_some());
            diffs.push(format!("response {}: {what}", only.status));
            return;
        }
        (None, None) => return,
    };
    if t.status != o.status {
        diffs.push(format!(
            "success status: {} in theirs, {} in ours",
            t.status, o.status
        ));
    }
    let subject = format!("response {}", o.status);
    let body = format!("{subject} body");
    match (&t.fields, &o.fields) {
        (Some(tf), Some(of)) => compare_fields(&subject, &body, tf, of, diffs),
        (Some(_), None) | (None, Some(_)) => {
            diffs.push(format!("{body}: {}", presence(t.fields.is_some())));
        }
        (None, None) => {}
    }
}

/// Field differences under `subject` (`request body`, `response 200`): presence, type,
/// required-ness, nullability. The key `""` is the body itself, called `body` in the report.
fn compare_fields(
    subject: &str,
    body: &str,
    theirs: &Fields,
    ours: &Fields,
    diffs: &mut Vec<String>,
) {
    let paths: BTreeSet<&String> = theirs.keys().chain(ours.keys()).collect();
    // A field on one side only is one difference: the fields nested in it are not listed.
    let mut missing: Option<&str> = None;
    for path in paths {
        if missing.is_some_and(|parent| is_nested_in(path, parent)) {
            continue;
        }
        let what = if path.is_empty() {
            body.to_owned()
        } else {
            format!("{subject} field {path}")
        };
        match (theirs.get(path), ours.get(path)) {
            (Some(t), Some(o)) => {
                if t.ty != o.ty {
                    diffs.push(format!("{what}: type {} in theirs, {} in ours", t.ty, o.ty));
                }
                if t.required != o.required {
                    diffs.push(format!("{what}: required {}", presence(t.required)));
                }
                if t.nullable != o.nullable {
                    diffs.push(format!("{what}: nullable {}", presence(t.nullable)));
                }
            }
            (t, _) => {
                diffs.push(format!("{what}: {}", presence(t.is_some())));
                missing = Some(path);
            }
        }
    }
}

/// Whether the field at `path` is nested in the field at `parent` (`a.b` and `a[].b` are in `a`;
/// every field is in the body, `""`).
fn is_nested_in(path: &str, parent: &str) -> bool {
    parent.is_empty()
        || path
            .strip_prefix(parent)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

//! Reads a spec as untyped JSON: `.json` files with serde_json, anything else as YAML (with
//! merge keys applied and scalar keys such as an unquoted `200:` turned into strings), then
//! checks that it is an OpenAPI 3.x document.

use std::{fs, path::Path};

use serde_json::Value;

use super::error::Error;

/// Reads and checks the spec at `path`.
pub fn load_spec(path: &Path) -> Result<Value, Error> {
    let text = read(path)?;
    let is_json = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    let syntax = |message: String| Error::Syntax {
        path: path.to_owned(),
        message,
    };
    let root = if is_json {
        serde_json::from_str(&text).map_err(|e| syntax(format!("not valid JSON: {e}")))?
    } else {
        let mut yaml: serde_norway::Value =
            serde_norway::from_str(&text).map_err(|e| syntax(format!("not valid YAML: {e}")))?;
        yaml.apply_merge()
            .map_err(|e| syntax(format!("bad YAML merge key: {e}")))?;
        yaml_to_json(yaml).map_err(syntax)?
    };
    check_openapi(&root).map_err(|message| Error::NotOpenApi {
        path: path.to_owned(),
        message,
    })?;
    Ok(root)
}

/// Reads a file as text.
pub fn read(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(|error| Error::Read {
        path: path.to_owned(),
        error,
    })
}

/// Checks that `root` is an OpenAPI 3.x document with a `paths` object.
fn check_openapi(root: &Value) -> Result<(), String> {
    match root.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.") => {}
        Some(v) => return Err(format!("OpenAPI {v} is not supported, only 3.x")),
        None if root.get("swagger").is_some() => {
            return Err("Swagger 2 is not supported, only OpenAPI 3.x".to_owned());
        }
        None => return Err("not an OpenAPI document (no `openapi` version)".to_owned()),
    }
    if !root.get("paths").is_some_and(Value::is_object) {
        return Err("no `paths` object".to_owned());
    }
    Ok(())
}

/// Converts YAML to JSON, turning scalar mapping keys (YAML allows `200:` unquoted) into
/// strings.
pub fn yaml_to_json(yaml: serde_norway::Value) -> Result<Value, String> {
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

//! The generated surface as plain text, written by build.rs to `$OUT_DIR/surface.txt`.
//!
//! A person reads it to see what a spec change did to the generated code, and
//! `tests/it/spec.rs` compares it with the committed `openapi/surface.txt`, so such a change is
//! never silent. It lists, in the spec's order, each operation with its raw client method,
//! parameters, body, success and error types; then each model type with its fields or
//! variants. Rust types are printed by their last path segment (`Option<String>`, not
//! `::std::option::Option<::std::string::String>`). The listing depends only on the spec and
//! the generator, never on the crate's features.

use std::fmt::Write as _;

use openapiv3::{OpenAPI, Parameter, ReferenceOr, StatusCode};
use proc_macro2::{TokenStream, TokenTree};
use syn::{Attribute, Fields, Item, Meta};

use crate::progenitor_output::{GeneratedOperation, generated_operations, module_items, type_name};

/// The serde attribute that every optional field carries; left out of the listing as noise.
const SKIP_NONE: &str = "skip_serializing_if = \"Option::is_none\"";

/// Renders the listing of the code generated from `spec`.
pub fn render(spec: &OpenAPI, file: &syn::File) -> String {
    let mut out = String::new();
    out.push_str(
        "# The generated surface of the `prolific` crate, written by build.rs (build/surface.rs)\n\
         # from openapi/participant-groups.yaml. tests/it/spec.rs checks that this file is current;\n\
         # after a deliberate change: UPDATE_SURFACE=1 cargo test --test it spec::surface\n\
         # Types are shown by their last path segment. Serde attributes are shown, except\n\
         # skip_serializing_if = \"Option::is_none\", which every optional field has.\n",
    );
    out.push_str("\n## Operations\n");
    let generated = generated_operations(file);
    for (path, method, item_params, op) in spec_operations(spec) {
        let id = op.operation_id.as_deref().unwrap_or("<no operationId>");
        let empty = GeneratedOperation::default();
        let gen_op = generated.get(id).unwrap_or(&empty);
        let _ = writeln!(out, "\n{id}: {} {path}", method.to_uppercase());
        let client_method = gen_op.method.as_deref().unwrap_or("<not generated>");
        let _ = writeln!(out, "    method: Client::{client_method}");
        for param in item_params.iter().chain(&op.parameters) {
            let Some(param) = resolve_parameter(spec, param) else {
                let _ = writeln!(out, "    parameter <unresolved $ref>");
                continue;
            };
            let data = param.parameter_data_ref();
            let ty = gen_op
                .fields
                .get(&snake_case(&data.name))
                .map_or("<not generated>", String::as_str);
            let _ = writeln!(
                out,
                "    parameter {} ({}): {ty}",
                data.name,
                location(param)
            );
        }
        let body = gen_op.fields.get("body").map_or("none", String::as_str);
        let _ = writeln!(out, "    body: {body}");
        let _ = writeln!(
            out,
            "    success: {} {}",
            success_status(op),
            gen_op.success
        );
        let _ = writeln!(out, "    error: {}", gen_op.error);
    }
    out.push_str("\n## Types\n");
    for item in module_items(&file.items, "types") {
        render_type(item, &mut out);
    }
    out
}

/// Every operation of the spec in its order, with the parameters of its path item.
fn spec_operations(
    spec: &OpenAPI,
) -> impl Iterator<Item = (&str, &str, &[ReferenceOr<Parameter>], &openapiv3::Operation)> {
    spec.paths.iter().flat_map(|(path, item)| {
        let item = item.as_item();
        let params = item.map_or(&[][..], |item| item.parameters.as_slice());
        item.into_iter()
            .flat_map(|item| item.iter())
            .map(move |(method, op)| (path.as_str(), method, params, op))
    })
}

/// A parameter, following a `#/components/parameters/...` reference.
fn resolve_parameter<'a>(
    spec: &'a OpenAPI,
    param: &'a ReferenceOr<Parameter>,
) -> Option<&'a Parameter> {
    match param {
        ReferenceOr::Item(param) => Some(param),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/parameters/")?;
            resolve_parameter(spec, spec.components.as_ref()?.parameters.get(name)?)
        }
    }
}

/// Where a parameter goes: `path`, `query`, `header`, `cookie`.
fn location(param: &Parameter) -> &'static str {
    match param {
        Parameter::Path { .. } => "path",
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// The first 2xx status an operation declares (`200`, `2XX`), or `none`.
fn success_status(op: &openapiv3::Operation) -> String {
    op.responses
        .responses
        .keys()
        .find_map(|status| match status {
            StatusCode::Code(code) if (200..300).contains(code) => Some(code.to_string()),
            StatusCode::Range(2) => Some("2XX".to_owned()),
            _ => None,
        })
        .unwrap_or_else(|| "none".to_owned())
}

/// A parameter name as progenitor spells the builder method: `snake_case`.
fn snake_case(name: &str) -> String {
    let mut snake = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            snake.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        snake.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        });
    }
    snake
}

/// Writes one item of the `types` module: a struct with its fields, an enum with its variants,
/// or a type alias. Other items (impls, the `builder` and `error` modules) are skipped.
fn render_type(item: &Item, out: &mut String) {
    match item {
        Item::Struct(s) => match &s.fields {
            Fields::Named(named) => {
                let _ = writeln!(out, "\nstruct {}{}", s.ident, serde_note(&s.attrs));
                for field in &named.named {
                    let name = field.ident.as_ref().map(ToString::to_string);
                    let name = name.unwrap_or_default();
                    let note = serde_note(&field.attrs);
                    let _ = writeln!(out, "    {name}: {}{note}", type_name(&field.ty));
                }
            }
            Fields::Unnamed(unnamed) => {
                let types: Vec<String> = unnamed.unnamed.iter().map(|f| type_name(&f.ty)).collect();
                let note = serde_note(&s.attrs);
                let _ = writeln!(out, "\nstruct {}({}){note}", s.ident, types.join(", "));
            }
            Fields::Unit => {
                let _ = writeln!(out, "\nstruct {}{}", s.ident, serde_note(&s.attrs));
            }
        },
        Item::Enum(e) => {
            let _ = writeln!(out, "\nenum {}{}", e.ident, serde_note(&e.attrs));
            for variant in &e.variants {
                let fields = match &variant.fields {
                    Fields::Named(named) => {
                        let fields: Vec<String> = named
                            .named
                            .iter()
                            .map(|f| {
                                let name = f.ident.as_ref().map(ToString::to_string);
                                format!("{}: {}", name.unwrap_or_default(), type_name(&f.ty))
                            })
                            .collect();
                        format!(" {{ {} }}", fields.join(", "))
                    }
                    Fields::Unnamed(unnamed) => {
                        let types: Vec<String> =
                            unnamed.unnamed.iter().map(|f| type_name(&f.ty)).collect();
                        format!("({})", types.join(", "))
                    }
                    Fields::Unit => String::new(),
                };
                let note = serde_note(&variant.attrs);
                let _ = writeln!(out, "    {}{fields}{note}", variant.ident);
            }
        }
        Item::Type(alias) => {
            let _ = writeln!(out, "\ntype {} = {}", alias.ident, type_name(&alias.ty));
        }
        _ => {}
    }
}

/// The serde attributes of an item, as `  serde(rename = "_links")`, or nothing.
fn serde_note(attrs: &[Attribute]) -> String {
    let parts: Vec<String> = attrs
        .iter()
        .filter_map(|attr| match &attr.meta {
            Meta::List(list) if list.path.is_ident("serde") => Some(serde_parts(&list.tokens)),
            _ => None,
        })
        .flatten()
        .filter(|part| part != SKIP_NONE)
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("  serde({})", parts.join(", "))
    }
}

/// The comma-separated parts of a `#[serde(...)]` attribute: `default`, `rename = "x"`.
fn serde_parts(tokens: &TokenStream) -> Vec<String> {
    let mut parts = vec![String::new()];
    for token in tokens.clone() {
        let current = parts.last_mut().expect("never empty");
        match token {
            TokenTree::Punct(p) if p.as_char() == ',' => parts.push(String::new()),
            TokenTree::Punct(p) if p.as_char() == '=' => current.push_str(" = "),
            TokenTree::Literal(lit) => current.push_str(&clean_paths(&lit.to_string())),
            other => current.push_str(&other.to_string()),
        }
    }
    parts.retain(|part| !part.is_empty());
    parts
}

/// Drops the `::std::option::`-style prefixes from paths inside a string.
fn clean_paths(text: &str) -> String {
    [
        "::std::option::",
        "::std::vec::",
        "::std::string::",
        "::std::",
    ]
    .iter()
    .fold(text.to_owned(), |text, prefix| text.replace(prefix, ""))
}

use std::panic::{self, AssertUnwindSafe};

use openapiv3::OpenAPI;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

use crate::{fail, rewrite, surface};

/// What one run of the generator produces.
pub struct Generated {
    /// The client and its types, formatted, without the header build.rs adds.
    pub code: String,
    /// The listing of the generated surface (see `build/surface.rs`).
    pub surface: String,
}

/// Generates the client from the spec's text, or stops the build with a message naming the
/// spec file and, when it can be found, the operation at fault.
pub fn run(text: &str) -> Generated {
    let spec: OpenAPI = serde_norway::from_str(text)
        .unwrap_or_else(|e| fail(&format!("not a valid OpenAPI 3.0 document: {e}")));
    check_operation_ids(&spec);
    let mut file = match generate(&spec) {
        Ok(file) => file,
        Err(message) => {
            let culprit = find_failing_operation(&spec)
                .map(|op| format!(" (operation `{op}`)"))
                .unwrap_or_default();
            fail(&format!(
                "progenitor could not generate the client{culprit}: {message}"
            ))
        }
    };
    let surface = surface::render(&spec, &file);
    rewrite::run(&mut file);
    schemars_behind_feature(&mut file.items);
    Generated {
        code: prettyplease::unparse(&file),
        surface,
    }
}

/// The derive that the `schemars` feature turns on. The code is generated with it and then
/// each one is moved into `#[cfg_attr(feature = "schemars", derive(..))]`, so one committed
/// file serves builds with and without the feature.
const JSON_SCHEMA: &str = "schemars::JsonSchema";

fn schemars_behind_feature(items: &mut [syn::Item]) {
    for item in items {
        let attrs = match item {
            syn::Item::Struct(s) => &mut s.attrs,
            syn::Item::Enum(e) => &mut e.attrs,
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &mut m.content {
                    schemars_behind_feature(items);
                }
                continue;
            }
            _ => continue,
        };
        let mut found = false;
        for attr in attrs.iter_mut() {
            if !attr.path().is_ident("derive") {
                continue;
            }
            let paths = attr
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                .expect("a derive list");
            let kept: Vec<&syn::Path> = paths
                .iter()
                .filter(|p| {
                    let is_schema = quote_tokens(p) == JSON_SCHEMA;
                    found |= is_schema;
                    !is_schema
                })
                .collect();
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
        if found {
            attrs.push(syn::parse_quote!(
                #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
            ));
        }
    }
}

fn quote_tokens(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// Progenitor's settings: builder-style calls, one `Client`, and hooks that the crate must
/// implement (`src/hooks.rs`), so a forgotten implementation is a compile error.
fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote_path("crate::hooks::Inner"))
        .with_derive("PartialEq")
        .with_derive(JSON_SCHEMA);
    settings
}

fn quote_path(path: &str) -> proc_macro2::TokenStream {
    path.parse().expect("a valid Rust path")
}

/// Runs the generator, turning its panics into errors.
fn generate(spec: &OpenAPI) -> Result<syn::File, String> {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let tokens = Generator::new(&settings())
            .generate_tokens(spec)
            .map_err(|e| e.to_string())?;
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))
    }));
    panic::set_hook(previous);
    result.unwrap_or_else(|payload| {
        Err(payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "the generator panicked".to_owned()))
    })
}

/// After a failure, generates each operation on its own to name the first one that fails.
fn find_failing_operation(spec: &OpenAPI) -> Option<String> {
    for (path, item) in &spec.paths.paths {
        let Some(item) = item.as_item() else { continue };
        for (method, operation) in item.iter() {
            let mut single = spec.clone();
            let mut only = item.clone();
            for (other, _) in item.iter() {
                if other != method {
                    clear_method(&mut only, other);
                }
            }
            single.paths.paths.clear();
            single
                .paths
                .paths
                .insert(path.clone(), openapiv3::ReferenceOr::Item(only));
            if generate(&single).is_err() {
                let id = operation
                    .operation_id
                    .clone()
                    .unwrap_or_else(|| "<no operationId>".into());
                return Some(format!("{id}: {} {path}", method.to_uppercase()));
            }
        }
    }
    None
}

fn clear_method(item: &mut openapiv3::PathItem, method: &str) {
    let slot = match method {
        "get" => &mut item.get,
        "put" => &mut item.put,
        "post" => &mut item.post,
        "delete" => &mut item.delete,
        "options" => &mut item.options,
        "head" => &mut item.head,
        "patch" => &mut item.patch,
        "trace" => &mut item.trace,
        _ => return,
    };
    *slot = None;
}

/// Progenitor names methods after `operationId`: each operation needs one, and they must differ.
fn check_operation_ids(spec: &OpenAPI) {
    let mut seen = std::collections::BTreeMap::new();
    for (path, method, operation) in spec.operations() {
        let place = format!("{} {path}", method.to_uppercase());
        let Some(id) = &operation.operation_id else {
            fail(&format!("operation {place} has no operationId"));
        };
        if let Some(first) = seen.insert(id.clone(), place.clone()) {
            fail(&format!(
                "operationId `{id}` is used twice: {first} and {place}"
            ));
        }
    }
}

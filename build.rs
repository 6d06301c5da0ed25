//! Generates the raw client from `openapi/participant-groups.yaml` with progenitor.
//!
//! The output, formatted with prettyplease, goes to `$OUT_DIR/generated.rs` and is included
//! by `src/generated.rs`; a plain listing of it goes to `$OUT_DIR/surface.txt` (see
//! `build/surface.rs`), for the snapshot test in `tests/spec.rs`. Nothing else happens here.
//! A generator failure stops the build with a message naming the spec file and, when it can be
//! found, the operation at fault.

use std::{
    env, fs,
    panic::{self, AssertUnwindSafe},
    path::{Path, PathBuf},
};

use openapiv3::OpenAPI;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

#[path = "build/surface.rs"]
mod surface;

const SPEC_DIR: &str = "openapi";
const SPEC: &str = "openapi/participant-groups.yaml";

fn main() {
    // Rebuild when any spec file changes. (Not the whole directory: `openapi/surface.txt`,
    // the snapshot this build's output is compared with, lives there too.)
    for entry in fs::read_dir(SPEC_DIR)
        .unwrap_or_else(|e| fail(SPEC, &format!("cannot read {SPEC_DIR}/: {e}")))
    {
        let path = entry.expect("readable directory entry").path();
        let is_spec = path
            .extension()
            .is_some_and(|ext| ["yaml", "yml", "json"].iter().any(|e| ext == *e));
        if is_spec {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_SCHEMARS");

    let text =
        fs::read_to_string(SPEC).unwrap_or_else(|e| fail(SPEC, &format!("cannot read: {e}")));
    let spec: OpenAPI = serde_norway::from_str(&text)
        .unwrap_or_else(|e| fail(SPEC, &format!("not a valid OpenAPI 3.0 document: {e}")));
    check_operation_ids(&spec);

    let file = match generate(&spec) {
        Ok(file) => file,
        Err(message) => {
            let culprit = find_failing_operation(&spec)
                .map(|op| format!(" (operation `{op}`)"))
                .unwrap_or_default();
            fail(
                SPEC,
                &format!("progenitor could not generate the client{culprit}: {message}"),
            )
        }
    };

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    write(&out_dir.join("generated.rs"), &prettyplease::unparse(&file));
    write(&out_dir.join("surface.txt"), &surface::render(&spec, &file));
}

/// Writes a generated file, stopping the build if it cannot.
fn write(out: &Path, contents: &str) {
    fs::write(out, contents)
        .unwrap_or_else(|e| fail(SPEC, &format!("cannot write {}: {e}", out.display())));
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
        .with_derive("PartialEq");
    if env::var_os("CARGO_FEATURE_SCHEMARS").is_some() {
        settings.with_derive("schemars::JsonSchema");
    }
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
            fail(SPEC, &format!("operation {place} has no operationId"));
        };
        if let Some(first) = seen.insert(id.clone(), place.clone()) {
            fail(
                SPEC,
                &format!("operationId `{id}` is used twice: {first} and {place}"),
            );
        }
    }
}

fn fail(spec: &str, message: &str) -> ! {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join(spec);
    panic!("\n\nerror in {}: {message}\n", spec.display());
}

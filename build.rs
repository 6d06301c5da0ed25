//! Generates the client from its spec, `openapi/participant-groups.yaml`, in every build.
//!
//! progenitor turns the spec into a client and its model types (`build/codegen.rs`), written
//! formatted to `$OUT_DIR/participant_groups.rs`, which `src/generated.rs` includes as it is.
//! Beside it goes `$OUT_DIR/surface.txt`, a plain listing of what was generated
//! (`build/surface.rs`), which `tests/it/spec.rs` compares with the committed
//! `openapi/surface.txt`, so that a change to the generated surface is always seen in review.
//!
//! Edit the spec and run `cargo build`: the client follows. A spec the generator cannot handle
//! stops the build with a message naming the spec file and, when it can be found, the operation.

use std::{env, fs, path::Path};

#[path = "build/codegen.rs"]
mod codegen;
#[path = "build/progenitor_output.rs"]
mod progenitor_output;
#[path = "build/surface.rs"]
mod surface;

/// The spec the client is generated from.
const SPEC: &str = "openapi/participant-groups.yaml";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build");
    let text = fs::read_to_string(SPEC).unwrap_or_else(|e| fail(&format!("cannot read: {e}")));
    let schemars = env::var_os("CARGO_FEATURE_SCHEMARS").is_some();
    let generated = codegen::run(&text, schemars);
    let out_dir = env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let out_dir = Path::new(&out_dir);
    write(&out_dir.join("participant_groups.rs"), &generated.code);
    write(&out_dir.join("surface.txt"), &generated.surface);
}

/// Writes a generated file, stopping the build if it cannot.
fn write(out: &Path, contents: &str) {
    fs::write(out, contents)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out.display())));
}

/// Stops the build with a message naming the spec.
fn fail(message: &str) -> ! {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join(SPEC);
    panic!("\n\nerror in {}: {message}\n", spec.display());
}

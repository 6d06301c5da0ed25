//! The maintainers' tasks of the `prolific` crate, run from the workspace root as
//! `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! This package is a workspace member outside the crate's build and package: `cargo build` and
//! `cargo test` at the root leave it alone (`default-members`), and it does not depend on
//! `prolific`. Its one task today is [`drift`]: where Prolific's published OpenAPI spec and ours
//! disagree, less the differences the team has reviewed and accepted.

pub mod drift;

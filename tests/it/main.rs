//! The integration tests, in one binary so that CI links them once. Each module holds one
//! concern; `support` holds what several share (test clients, the docs' example bodies).
//!
//! A plain `cargo test` runs every test that needs no feature. The modules that run against
//! the local Prolific build only with `fake` (and `cli` also with `cli`); the README's test
//! command, `cargo test --features fake,schemars,cli`, runs them all.

mod bulk;
mod by_name;
#[cfg(all(feature = "cli", feature = "fake"))]
mod cli;
mod errors;
#[cfg(feature = "fake")]
mod fake;
#[cfg(feature = "fake")]
mod fake_worries;
#[cfg(feature = "fake")]
mod faults;
mod group_message;
mod groups;
#[cfg(feature = "fake")]
mod log_fallback;
mod messages;
mod paging;
mod robust;
#[cfg(feature = "fake")]
mod soak;
#[cfg(feature = "fake")]
mod spans;
mod spec;
#[cfg(feature = "fake")]
mod steady_throttle;
mod study_filter;
mod support;
#[cfg(feature = "fake")]
mod sync;
#[cfg(feature = "fake")]
mod throttle;
mod wire;

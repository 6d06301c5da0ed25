//! The integration tests, in one binary so that CI links them once. Each module holds one
//! concern; `support` holds what several share (test clients, the docs' example bodies).

mod bulk;
mod by_name;
#[cfg(feature = "cli")]
mod cli;
mod errors;
mod fake;
mod fake_worries;
mod faults;
mod group_message;
mod groups;
mod log_fallback;
mod messages;
mod paging;
mod robust;
mod soak;
mod spans;
mod spec;
mod study_filter;
mod support;
mod sync;
mod wire;

//! A Rust client for Prolific's participant-groups API.
//!
//! # A tour
//!
//! * [`Client`] holds the token and the settings; build it with [`Client::new`],
//!   [`Client::builder`] or [`Client::from_env`] (`PROLIFIC_TOKEN`, `PROLIFIC_URL`).
//! * [`Client::participant_groups`] is the handle for the API: list (every page, or as a
//!   `Stream`), create, get, update, delete, and membership changes of any size in chunks.
//! * Every failure is an [`Error`], with predicates such as [`Error::is_not_found`] and
//!   [`Error::is_retryable`]; Prolific's error bodies are kept in [`ApiError`].
//! * The model types ([`ParticipantGroup`], [`Membership`], ...) and the raw client are
//!   generated at build time from `openapi/participant-groups.yaml`: see [`types`] and
//!   [`raw`].
//!
//! ```no_run
//! use prolific::{Client, GroupFilter, Owner};
//!
//! # async fn run() -> prolific::Result<()> {
//! let client = Client::from_env()?;
//! let groups = client.participant_groups();
//!
//! let group = groups
//!     .create(Owner::workspace("5e9b9c9b0f9c9a0001b1ca2f"), "Passed all attention checks")
//!     .send()
//!     .await?;
//! let members = groups
//!     .add_participants(&group.id, ["5e9b9c9b0f9c9a0001b0b1f4", "5e9b9c9b0f9c9a0001b0b1f5"])
//!     .await?;
//! println!("{} now has {} members", group.name, members.len());
//!
//! for group in groups.list(GroupFilter::workspace("5e9b9c9b0f9c9a0001b1ca2f")).send().await? {
//!     println!("{}: {}", group.id, group.name);
//! }
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod bulk;
mod client;
mod error;
#[cfg(feature = "fake")]
#[cfg_attr(docsrs, doc(cfg(feature = "fake")))]
pub mod fake;
mod generated;
mod groups;
mod hooks;
mod input;
mod paginate;
mod retry;

pub use bulk::{
    Add, AddParticipants, BulkChange, DEFAULT_CHUNK_SIZE, Progress, Remove, RemoveParticipants,
    Replace, ReplaceParticipants,
};
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, TOKEN_ENV,
    URL_ENV,
};
pub use error::{ApiError, BulkError, EXCERPT_LIMIT, Error, ErrorDetail, Result};
pub use generated::types;
pub use groups::{CreateGroup, GroupFilter, ListGroups, Owner, ParticipantGroups, UpdateGroup};
pub use paginate::DEFAULT_PAGE_SIZE;
pub use retry::RetryPolicy;
pub use types::{Membership, ParticipantGroup};

/// The generated client and its request builders, for advanced use: every call through it
/// still sends the token and retries like [`Client`]. Get it with [`Client::raw`].
pub mod raw {
    pub use crate::generated::{Client, ClientInfo, Error, ResponseValue, builder, prelude};
    pub use crate::hooks::Inner;
}

/// A plain listing of the generated surface (operations, client methods, model types), written
/// by build.rs and compared with the committed `openapi/surface.txt` by `tests/spec.rs`.
#[doc(hidden)]
pub const GENERATED_SURFACE: &str = include_str!(concat!(env!("OUT_DIR"), "/surface.txt"));

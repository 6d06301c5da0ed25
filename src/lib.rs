//! A Rust client for Prolific's participant-groups API.
#![deny(missing_docs)]

mod generated;
mod hooks;

pub use generated::types;

/// The generated client and its request builders, for advanced use.
pub mod raw {
    pub use crate::generated::{Client, ClientInfo, Error, ResponseValue, builder, prelude};
    pub use crate::hooks::Inner;
}

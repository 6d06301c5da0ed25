//! The raw client, generated at build time by progenitor from
//! `openapi/participant-groups.yaml` (see `build.rs`). Nothing here is written by hand.
//!
//! Most users never need this module: [`crate::Client`] wraps it. It is public for advanced
//! use, as [`crate::raw`] (the client and its request builders) and [`crate::types`] (the
//! model types, shared with the wrapper).

#![allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]

include!(concat!(env!("OUT_DIR"), "/generated.rs"));

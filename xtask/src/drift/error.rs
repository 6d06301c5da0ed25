//! Why a drift check could not be made at all (exit status 2). A part of a spec that cannot be
//! compared is not one of these: it is a line of the report.

use std::{fmt, io, path::PathBuf};

/// A file that could not be used.
#[derive(Debug)]
pub enum Error {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// The file is not valid YAML or JSON (or, for the accepted file, TOML).
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The file is valid, but not an OpenAPI 3.x document.
    NotOpenApi {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        message: String,
    },
    /// The accepted file is TOML, but an entry is not a valid entry.
    Accepted {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, error } => write!(f, "cannot read {}: {error}", path.display()),
            Self::Syntax { path, message }
            | Self::NotOpenApi { path, message }
            | Self::Accepted { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

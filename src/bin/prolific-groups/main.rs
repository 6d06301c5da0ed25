//! `prolific-groups`: Prolific's participant groups from the shell (feature `cli`).
//!
//! `prolific-groups --help` lists the commands, and `prolific-groups COMMAND --help` tells
//! one with an example. The token is read from `PROLIFIC_TOKEN` only. Exit status: 0 on
//! success, 1 for an error from Prolific or the network, 2 for a usage or input error found
//! before anything was sent.

mod args;
mod commands;
mod ids;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli, &mut std::io::stdout().lock()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                eprintln!("prolific-groups: {}", failure.message);
            }
            ExitCode::from(failure.status)
        }
    }
}

/// Why a command failed: what to tell the user, and the exit status.
#[derive(Debug)]
pub struct Failure {
    /// One or more sentences, for standard error (none when there is nothing to say).
    pub message: String,
    /// 1 for an error from Prolific or the network, 2 for a usage or input error; 0 when the
    /// output's reader went away.
    pub status: u8,
}

impl Failure {
    /// A usage or input error, found before anything was sent: exit status 2.
    pub fn input(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            status: 2,
        }
    }

    /// An error from Prolific, the network, or writing the output: exit status 1.
    pub fn failed(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            status: 1,
        }
    }
}

impl From<prolific::Error> for Failure {
    fn from(error: prolific::Error) -> Self {
        let mut message = error.to_string();
        if let Some(more) = error
            .api()
            .and_then(|api| api.additional_information.as_ref())
        {
            message.push_str(&format!("\nmore: {more}"));
        }
        match error {
            // Refused by the library before anything was sent.
            prolific::Error::InvalidInput { .. } | prolific::Error::Config(_) => {
                Failure::input(message)
            }
            _ => Failure::failed(message),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        // The reader of the output went away (`... | head`): it has what it wanted, so stop
        // quietly, with success, as other command-line tools do.
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure {
                message: String::new(),
                status: 0,
            };
        }
        Failure::failed(format!("cannot write the output: {error}"))
    }
}

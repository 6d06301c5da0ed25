//! `cargo xtask <task>`: the maintainers' tasks of the `prolific` crate.
//!
//! ```text
//! cargo xtask drift <theirs: openapi.yaml | openapi.json> [--ours PATH] [--accepted PATH | --all] [--json]
//! ```
//!
//! `--ours` defaults to `openapi/participant-groups.yaml`, `--accepted` to
//! `openapi/drift-accepted.toml`; `--all` reports every difference as new (for a review).
//! Exit status: 0 when every difference is accepted, 1 when one is new, 2 when the command line
//! is wrong or a file cannot be used (unreadable, not YAML or JSON, not OpenAPI 3.x, an invalid
//! accepted file).

use std::{ffi::OsString, io::Write as _, path::PathBuf, process::ExitCode};

use xtask::drift::{self, Options};

/// The usage, printed by `--help` and after a usage error.
const USAGE: &str = "usage: cargo xtask drift <theirs: openapi.yaml | openapi.json> \
                     [--ours PATH] [--accepted PATH | --all] [--json]";

/// What the command line asks for.
enum Command {
    /// Print the usage.
    Help,
    /// Run the drift check.
    Drift {
        /// What to compare.
        options: Options,
        /// Print JSON instead of text.
        json: bool,
    },
}

/// Runs the task and exits with its status.
fn main() -> ExitCode {
    let command = match parse(std::env::args_os().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("xtask: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (options, json) = match command {
        Command::Help => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Drift { options, json } => (options, json),
    };
    match drift::check(&options) {
        Ok(report) => {
            let text = if json {
                format!("{:#}\n", report.json())
            } else {
                report.text()
            };
            // A reader that stops early (`| head`) is not an error of the check: the status
            // stays the report's.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::from(report.status())
        }
        Err(error) => {
            eprintln!("xtask drift: {error}");
            ExitCode::from(2)
        }
    }
}

/// Reads `drift <theirs> [--ours PATH] [--accepted PATH | --all] [--json]`.
fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut args = args.into_iter();
    match args.next().as_ref().and_then(|a| a.to_str()) {
        Some("drift") => {}
        Some("-h" | "--help") => return Ok(Command::Help),
        Some(other) => return Err(format!("unknown task `{other}`")),
        None => return Err("no task given".to_owned()),
    }
    let mut theirs = None;
    let mut ours = None;
    let mut accepted = None;
    let mut all = false;
    let mut json = false;
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy().into_owned();
        let mut value = |name: &str| {
            args.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{name} needs a path"))
        };
        match text.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--json" => json = true,
            "--all" => all = true,
            "--ours" => ours = Some(value("--ours")?),
            "--accepted" => accepted = Some(value("--accepted")?),
            _ if text.starts_with('-') => return Err(format!("unknown option `{text}`")),
            _ if theirs.is_some() => return Err("more than one spec to check".to_owned()),
            _ => theirs = Some(PathBuf::from(arg)),
        }
    }
    if all && accepted.is_some() {
        return Err("--all and --accepted exclude each other".to_owned());
    }
    let mut options = Options::with_defaults(theirs.ok_or("no spec to check")?);
    if let Some(ours) = ours {
        options.ours = ours;
    }
    if all {
        options.accepted = None;
    } else if let Some(accepted) = accepted {
        options.accepted = Some(accepted);
    }
    Ok(Command::Drift { options, json })
}

//! A fake Prolific on 127.0.0.1, for trying the API by hand or testing another client.
//!
//! ```text
//! cargo run --example fake_server --features fake -- [--port 8080] [--token T] [--page-size 10]
//! ```
//!
//! Prints `fake Prolific listening on http://127.0.0.1:8080 (token: T)` when ready, then
//! serves until Ctrl-C or SIGTERM (their default action ends the process: the fake keeps
//! everything in memory, so there is nothing to save). Then, for example:
//!
//! ```text
//! curl -H 'Authorization: Token T' 'http://127.0.0.1:8080/api/v1/participant-groups/?workspace_id=w1'
//! ```

use std::{io::Write, process::ExitCode};

use prolific::fake::{DEFAULT_PAGE_SIZE, FakeProlific};

const USAGE: &str = "\
Serves a fake Prolific participant-groups API on 127.0.0.1 until Ctrl-C or SIGTERM.

Usage: fake_server [--port PORT] [--token TOKEN] [--page-size N]

Options:
  --port PORT      the port to listen on (default: a free one)
  --token TOKEN    the token to accept as `Authorization: Token TOKEN` (default: a random one)
  --page-size N    the page size of a group list without `limit` (default: 10)
  -h, --help       print this help";

#[derive(Debug, Default)]
struct Args {
    port: u16,
    token: Option<String>,
    page_size: Option<usize>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args::default();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value.into())),
            _ => (arg, None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                let port = value()?;
                parsed.port = port.parse().map_err(|_| format!("bad port: {port}"))?;
            }
            "--token" => parsed.token = Some(value()?),
            "--page-size" => {
                let size = value()?;
                parsed.page_size =
                    Some(size.parse().map_err(|_| format!("bad page size: {size}"))?);
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Some(parsed))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("fake_server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut builder = FakeProlific::builder()
        .port(args.port)
        .default_page_size(args.page_size.unwrap_or(DEFAULT_PAGE_SIZE));
    if let Some(token) = args.token {
        builder = builder.token(token);
    }
    let fake = match builder.start().await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("fake_server: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "fake Prolific listening on {} (token: {})",
        fake.base_url(),
        fake.token()
    );
    // A script waiting for the line above must see it now, even through a pipe.
    let _ = std::io::stdout().flush();
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}

//! A fake Prolific on 127.0.0.1, for trying the API by hand or testing another client.
//!
//! ```text
//! cargo run --example fake_server --features fake -- [--port 8080] [--token T] [--page-size 10]
//!     [--fault OPERATION:KIND[:COUNT]]... [--no-control]
//! ```
//!
//! Prints `fake Prolific listening on http://127.0.0.1:8080 (token: T)` when ready, then
//! serves until Ctrl-C or SIGTERM (their default action ends the process: the fake keeps
//! everything in memory, so there is nothing to save). `--help` tells the faults and the
//! control endpoint. Then, for example:
//!
//! ```text
//! curl -H 'Authorization: Token T' 'http://127.0.0.1:8080/api/v1/participant-groups/?workspace_id=w1'
//! ```

use std::{io::Write, process::ExitCode};

use clap::Parser;
use prolific::fake::{DEFAULT_LIMIT, FakeProlific, FaultSpec};

const LONG_ABOUT: &str = "\
Serves a fake Prolific participant-groups API on 127.0.0.1 until Ctrl-C or SIGTERM, with the \
rules of the real API, in memory.

Prints `fake Prolific listening on http://127.0.0.1:PORT (token: TOKEN)` once it accepts \
requests. Every API request needs `Authorization: Token TOKEN`.";

const AFTER_LONG_HELP: &str = "\
Faults (--fault, and the control endpoint's \"kind\"):
  OPERATION  an operationId, such as create_participant_group, list_participant_groups,
             add_participant_group_members; or `any` for every request
  KIND       status=NNN            answer NNN (200-599) in Prolific's error envelope
             rate-limited[=SECS]   answer 429, with `Retry-After: SECS` when given
             throttled=DURATION    answer 429 (no Retry-After) to every request it applies to
                                   for DURATION (8s, 500ms) from the first; takes no COUNT
             delay=MS              wait MS milliseconds, then act and answer normally (the
                                   request is carried out even if the client gave up)
             drop                  close the connection without answering
             truncated             answer 200 with a body cut off half way
             html=NNN              answer NNN with an HTML page, as a proxy would
  COUNT      how many requests meet the fault (default 1; not for throttled)
  Faults are met in the order given, each by the next requests it applies to.

Control endpoint (plain JSON under /_fake/, no token needed; off with --no-control):
  POST   /_fake/faults    {\"operation\": \"create_participant_group\", \"kind\": \"status=503\", \"count\": 2}
                          (operation defaults to \"any\", count to 1) -> 201 {\"pending\": N}
  GET    /_fake/faults    -> {\"pending\": N}, how many requests will still meet a fault
  DELETE /_fake/faults    forget every pending fault
  GET    /_fake/requests  the API requests received, oldest first: [{\"method\", \"path\", \"query\",
                          \"headers\", \"body\", \"raw_body\", \"operation\", \"status\"}, ...]
                          (status is null for a dropped connection)
  DELETE /_fake/requests  forget the requests received
  Control requests are not recorded and meet no faults.

Example:
  fake_server --port 8080 --token T --fault create_participant_group:status=503:2 --fault any:delay=500
  curl -X POST http://127.0.0.1:8080/_fake/faults -d '{\"operation\": \"any\", \"kind\": \"drop\"}'
  curl -H 'Authorization: Token T' 'http://127.0.0.1:8080/api/v1/participant-groups/?workspace_id=w1'
  curl http://127.0.0.1:8080/_fake/requests";

/// Serves a fake Prolific participant-groups API on 127.0.0.1 until Ctrl-C or SIGTERM.
#[derive(Debug, Parser)]
#[command(
    name = "fake_server",
    long_about = LONG_ABOUT,
    after_help = "Faults, the control endpoint and an example: --help",
    after_long_help = AFTER_LONG_HELP
)]
struct Args {
    /// The port to listen on (default: a free one)
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    port: u16,

    /// The token to accept as `Authorization: Token TOKEN` (default: a random one)
    #[arg(long)]
    token: Option<String>,

    /// The page size of a group list without `limit`
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT)]
    page_size: usize,

    /// A fault for the next requests of OPERATION, such as create_participant_group:status=503:2
    /// (repeatable)
    #[arg(long = "fault", value_name = "OPERATION:KIND[:COUNT]")]
    faults: Vec<FaultSpec>,

    /// Do not serve the control endpoint under /_fake/ (its paths are then the API's 404s)
    #[arg(long)]
    no_control: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut builder = FakeProlific::builder()
        .port(args.port)
        .default_page_size(args.page_size)
        .control_endpoint(!args.no_control);
    if let Some(token) = args.token {
        builder = builder.token(token);
    }
    let fake = match builder.start().await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("fake_server: {e}");
            return ExitCode::FAILURE;
        }
    };
    for spec in args.faults {
        fake.inject_spec(spec);
    }
    println!(
        "fake Prolific listening on {} (token: {})",
        fake.base_url(),
        fake.token()
    );
    if !args.no_control {
        println!(
            "control endpoint: {}/_fake/faults and {}/_fake/requests (see --help)",
            fake.base_url(),
            fake.base_url()
        );
    }
    // A script waiting for the lines above must see them now, even through a pipe.
    let _ = std::io::stdout().flush();
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}

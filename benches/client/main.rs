//! `prolific` against hand-written reqwest + serde_json code, side by side in one process,
//! against one local HTTP server that answers fixed bodies (so the server costs both the same).
//!
//! ```sh
//! cargo bench --bench client          # every scenario
//! cargo bench --bench client -- 2 5   # scenarios 2 and 5 only
//! bash benches/build-cost.sh          # the build-time side: see that script
//! ```
//!
//! # The baselines
//!
//! A baseline does the work careful hand-written code would do for the same guarantees, in
//! plain code: reqwest with the same timeouts, bodies read whole and parsed with serde_json.
//! Where `prolific` guards against bad input or a misbehaving server, so does the baseline:
//!
//! * before a bulk add, it checks every id as `add_participants` does (no empty id, no
//!   whitespace or control character, not `.` or `..`) and drops repeats with a `HashSet`,
//!   keeping first occurrences in order, before it sends anything;
//! * when listing, it keeps a `HashSet` of the group ids seen, drops groups seen already, and
//!   stops at a page that adds nothing new as well as at a short page, so that a server that
//!   repeats pages can neither make it loop nor return a group twice.
//!
//! # The scenarios
//!
//! 1. `get` of one group, 500 times in sequence.
//! 2. `get` of one group, 1,000 times with 64 in flight; and, to show what noise alone does to
//!    a ratio, the baseline against a second baseline (A/A, 1.0 on a quiet machine).
//! 3. `participants()` of a group of 100,000 and of 1,000,000 members, in one body: the
//!    throughput, and the peak of live heap memory over each call (by a counting allocator),
//!    beside the body's size.
//! 4. `list(..).send()` of 10,000 groups in pages of 200; and, for each client on its own, what
//!    paging costs against one page of all the groups.
//! 5. `add_participants` of 100,000 ids in sequential requests of 1,000.
//! 6. Latency-bound: the server waits 20 ms before each answer, as Prolific's network would. A
//!    bulk add of 20,000 ids (1,000 per request, sequential), a listing of 2,000 groups in
//!    pages of 200, and a sync of a group of 10,000 members to a list that adds 2,000 and
//!    removes 2,000 (one read, then four writes of 1,000): the time is the round trips', and
//!    the client's own cost is what it adds.
//!
//! # The guard rails
//!
//! Each row with a target shows it and whether it was met, and the summary counts them:
//!
//! * every timed prolific/baseline ratio at least 0.85 (`prolific` at least 85% of the
//!   baseline's throughput);
//! * in scenario 6, where the network sets the pace, at least 0.97;
//! * `participants()` of 1,000,000 members peaks at most at 2.5 times the body's size.
//!
//! Rows marked "(same client)" compare a client with itself (the A/A row, the cost of paging):
//! they have no target and are left out of the summary's worst score.
//!
//! # Reading the figures
//!
//! Each scenario runs both sides in alternating rounds, back to back, and reports the medians
//! of each side. Ratios are `prolific / baseline`: for timings, the median of each round's own
//! ratio of throughputs (so the machine's drift cancels), higher is better; for peak memory,
//! lower is better. The server runs on its own thread and the clients on the main thread's
//! single-threaded runtime, so on two cores neither starves the other.
//!
//! Beside each timed ratio, the middle half of the rounds' own ratios (first to third
//! quartile) shows how much the machine moved it. On a shared machine the ratios move by
//! several percent from run to run: compare the A/A row before reading much into a few
//! percent either way.
//!
//! To compare a change smaller than that, profile one side at a time:
//! `PROLIFIC_BENCH_ONLY=prolific` (or `baseline`) runs only that side of the scenario's first
//! comparison, `PROLIFIC_BENCH_ROUNDS` times (default 1), prints its time and exits. For
//! instance, instruction counts of the client thread alone (the `-01` file; the server has its
//! own):
//!
//! ```sh
//! PROLIFIC_BENCH_ONLY=prolific valgrind --tool=callgrind --separate-threads=yes \
//!     target/release/deps/client-<hash> --bench 2
//! ```
//!
//! Each such run includes the client's setup. In scenario 2, the difference between a run of
//! 4 rounds and one of 1 round, divided by the 3,000 requests between them, is what one
//! request costs (callgrind's `Ir`); `callgrind_annotate --inclusive=no` of both sides, per
//! function, shows where the two differ.
//!
//! # The code
//!
//! `main.rs` runs the scenarios asked for and prints the table; `loopback.rs` holds scenarios
//! 1 to 5 and `latency.rs` scenario 6; `clients.rs` the two clients; `server.rs` the
//! fixed-answer server and `fixtures.rs` what it answers; `measure.rs` the rounds, rows and
//! guard rails; `alloc.rs` the counting allocator behind the peak-memory rows.

mod alloc;
mod clients;
mod fixtures;
mod latency;
mod loopback;
mod measure;
mod server;

use std::time::Duration;

use fixtures::{GROUP, group};
use measure::{INFO, PEAK_PER_BODY_TARGET};
use server::{Answers, response, serve};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass other flags: run
    // only when benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        println!("run with `cargo bench --bench client`");
        return;
    }
    let mut answers = Answers::new();
    answers.insert(
        format!("GET /api/v1/participant-groups/{GROUP}/"),
        response("200 OK", &serde_json::to_vec(&group(1)).unwrap()),
    );
    let base = serve(answers, Duration::ZERO).await;

    // `cargo bench --bench client -- 5` runs only scenario 5 (any of 1 to 6, several allowed).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |n: &str| only.is_empty() || only.iter().any(|o| o == n);
    let mut rows = Vec::new();
    if wanted("1") {
        loopback::get_sequential(&base, &mut rows).await;
    }
    if wanted("2") {
        loopback::get_concurrent(&base, &mut rows).await;
    }
    let (mut per_body_100k, mut per_body_1m) = (f64::NAN, f64::NAN);
    if wanted("3") {
        per_body_100k = loopback::large_group(100_000, 11, None, &mut rows).await;
        per_body_1m =
            loopback::large_group(1_000_000, 15, Some(PEAK_PER_BODY_TARGET), &mut rows).await;
    }
    if wanted("4") {
        loopback::list_pages(&mut rows).await;
    }
    if wanted("5") {
        loopback::bulk_add(&mut rows).await;
    }
    if wanted("6") {
        latency::latency(&mut rows).await;
    }

    let width = rows.iter().map(|r| r.scenario.len()).max().unwrap_or(0);
    println!(
        "\n{:<width$} {:>10} {:7} {:>10} {:7} {:>8}  {:<18}  middle half of rounds",
        "scenario (median of rounds)", "prolific", "", "baseline", "", "ratio", "target"
    );
    let (mut met, mut missed) = (0, Vec::new());
    for row in &rows {
        let unit = row.unit.split('/').next().unwrap();
        let target = match row.target.check(row.ratio) {
            Some((target, true)) => {
                met += 1;
                format!("{target} ok")
            }
            Some((target, false)) => {
                missed.push(row.scenario.as_str());
                format!("{target} MISSED")
            }
            None => String::new(),
        };
        let spread = row
            .spread
            .map(|(low, high)| format!("{low:.3} to {high:.3}"))
            .unwrap_or_default();
        let line = format!(
            "{:<width$} {:>10.1} {unit:<7} {:>10.1} {unit:<7} {:>8.3}  {target:<18}  {spread}",
            row.scenario, row.prolific, row.baseline, row.ratio
        );
        println!("{}", line.trim_end());
    }
    let worst = rows
        .iter()
        .filter(|r| !r.scenario.contains(INFO))
        .min_by(|a, b| a.score().total_cmp(&b.score()))
        .unwrap();
    println!(
        "\nsummary: worst prolific/baseline score {:.3} ({})",
        worst.score(),
        worst.scenario
    );
    if wanted("3") {
        println!(
            "participants() peak memory: {per_body_100k:.2}x the body at 100,000 members, \
             {per_body_1m:.2}x at 1,000,000"
        );
    }
    if missed.is_empty() {
        println!("guard rails: all {met} met");
    } else {
        println!(
            "guard rails: {met} met, {} missed: {}",
            missed.len(),
            missed.join("; ")
        );
    }
}

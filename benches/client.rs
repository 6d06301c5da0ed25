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

use std::{
    alloc::{GlobalAlloc, Layout, System},
    collections::{HashMap, HashSet},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::{StreamExt, stream};
use prolific::{Client, GroupFilter, types};
use serde_json::json;
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

// ---------------------------------------------------------------- memory accounting

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size > layout.size() {
                let grow = new_size - layout.size();
                let live = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its output with the peak of live bytes above the start.
async fn peak_of<T>(f: impl Future<Output = T>) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f.await;
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

// ---------------------------------------------------------------- the fixed-answer server

/// Full HTTP responses by `METHOD path?query`.
type Answers = HashMap<String, Arc<Vec<u8>>>;

fn response(status: &str, body: &[u8]) -> Arc<Vec<u8>> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    Arc::new(out)
}

/// Serves `answers` over HTTP/1.1 keep-alive on 127.0.0.1, each after `delay` (the network's
/// round trip, when not zero); returns the base URL.
///
/// The server runs on its own thread with its own single-threaded runtime, and the clients on
/// the main thread's (see `main`): on two cores each side has one, so the two clients' runs
/// do not also compete with the server for a scheduler.
async fn serve(answers: Answers, delay: Duration) -> String {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", std_listener.local_addr().unwrap());
    let answers = Arc::new(answers);
    let not_found = response("404 Not Found", b"{}");
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(accept(std_listener, answers, not_found, delay));
    });
    url
}

async fn accept(
    std_listener: std::net::TcpListener,
    answers: Arc<Answers>,
    not_found: Arc<Vec<u8>>,
    delay: Duration,
) {
    let listener = TcpListener::from_std(std_listener).unwrap();
    {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            socket.set_nodelay(true).unwrap();
            let answers = answers.clone();
            let not_found = not_found.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut read = BufReader::with_capacity(64 * 1024, read);
                let mut line = String::new();
                let mut body = Vec::new();
                loop {
                    line.clear();
                    if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut parts = line.split_whitespace();
                    let key = format!(
                        "{} {}",
                        parts.next().unwrap_or(""),
                        parts.next().unwrap_or("")
                    );
                    let mut length = 0;
                    loop {
                        let mut header = String::new();
                        if read.read_line(&mut header).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if header == "\r\n" {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                    body.resize(length, 0);
                    if read.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let answer = answers.get(&key).unwrap_or(&not_found);
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    if write.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    }
}

// ---------------------------------------------------------------- the two clients

const TOKEN: &str = "bench-token";
const GROUP: &str = "642ea7ff7639ab670b05a0b5";
const WORKSPACE: &str = "5e9b9c9b0f9c9a0001b1ca2f";

fn prolific_client(base: &str) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(base)
        .build()
        .unwrap()
}

/// The baseline: reqwest with the same settings as `prolific::Client`'s defaults.
struct Raw {
    http: reqwest::Client,
    base: String,
}

impl Raw {
    fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(prolific::DEFAULT_TIMEOUT)
            .connect_timeout(prolific::DEFAULT_CONNECT_TIMEOUT)
            .user_agent("bench")
            .build()
            .unwrap();
        Raw {
            http,
            base: base.to_owned(),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let bytes = self
            .http
            .get(format!("{}{path}", self.base))
            .header("authorization", format!("Token {TOKEN}"))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    async fn post_members(&self, ids: &[&str]) -> types::MembershipList {
        self.send_members(reqwest::Method::POST, ids).await
    }

    /// Adds (POST) or removes (DELETE) `ids`.
    async fn send_members(&self, method: reqwest::Method, ids: &[&str]) -> types::MembershipList {
        // What hand-written code would send: the ids serialised in place, not copied.
        #[derive(serde::Serialize)]
        struct Body<'a> {
            participant_ids: &'a [&'a str],
        }
        let body = serde_json::to_vec(&Body {
            participant_ids: ids,
        })
        .unwrap();
        let bytes = self
            .http
            .request(
                method,
                format!(
                    "{}/api/v1/participant-groups/{GROUP}/participants/",
                    self.base
                ),
            )
            .header("authorization", format!("Token {TOKEN}"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    /// Every group of the workspace, in pages of `size`: what `list(..).send()` does, by hand.
    async fn list_all(&self, size: usize) -> Vec<types::ParticipantGroup> {
        // Like `send()`, it returns every group: a hand-written lister keeps them too. And
        // like `send()`, it guards against a server that repeats pages (one that ignores
        // `offset`, say): it keeps each group once, and stops at a page that adds nothing new
        // as well as at a short page.
        let mut all = Vec::new();
        let mut seen = HashSet::new();
        let mut offset = 0;
        loop {
            let answer: types::ParticipantGroupList = self
                .get(&format!(
                    "/api/v1/participant-groups/?limit={size}&offset={offset}&workspace_id={WORKSPACE}"
                ))
                .await;
            let received = answer.results.len();
            let before = all.len();
            for group in answer.results {
                if seen.insert(group.id.clone()) {
                    all.push(group);
                }
            }
            if received < size || all.len() == before {
                break;
            }
            offset += received;
        }
        all
    }

    /// Adds `ids` to the group in sequential requests of `chunk` ids: what
    /// `add_participants(..).chunk_size(chunk)` does, by hand.
    async fn add_all(&self, ids: &[String], chunk: usize) {
        let unique = checked_unique(ids).unwrap();
        for part in unique.chunks(chunk) {
            self.post_members(part).await;
        }
    }

    /// Makes the group's members exactly `ids`: reads them, adds the missing ids, then
    /// removes the others, in sequential requests of `chunk` ids; what
    /// `sync_participants(..).chunk_size(chunk)` does, by hand.
    async fn sync_all(&self, ids: &[String], chunk: usize) {
        let unique = checked_unique(ids).unwrap();
        let members: types::MembershipList = self
            .get(&format!("/api/v1/participant-groups/{GROUP}/participants/"))
            .await;
        let current: HashSet<&str> = members
            .results
            .iter()
            .map(|m| m.participant_id.as_str())
            .collect();
        let wanted: HashSet<&str> = unique.iter().copied().collect();
        let to_add: Vec<&str> = unique
            .iter()
            .copied()
            .filter(|id| !current.contains(id))
            .collect();
        let to_remove: Vec<&str> = members
            .results
            .iter()
            .map(|m| m.participant_id.as_str())
            .filter(|id| !wanted.contains(id))
            .collect();
        for part in to_add.chunks(chunk) {
            self.send_members(reqwest::Method::POST, part).await;
        }
        for part in to_remove.chunks(chunk) {
            self.send_members(reqwest::Method::DELETE, part).await;
        }
    }
}

/// What careful hand-written code does before a bulk change, for the guarantees `prolific`
/// gives: refuses the whole input if an id cannot be one (empty, whitespace, a control
/// character, the path segments `.` and `..`), and drops repeats, keeping each id's first place.
fn checked_unique(ids: &[String]) -> Result<Vec<&str>, String> {
    let mut seen = HashSet::with_capacity(ids.len());
    let mut unique = Vec::with_capacity(ids.len());
    for (index, id) in ids.iter().enumerate() {
        let id = id.as_str();
        if id.is_empty()
            || id.chars().any(|c| c.is_whitespace() || c.is_control())
            || id == "."
            || id == ".."
        {
            return Err(format!("participant id #{index} is invalid: {id:?}"));
        }
        if seen.insert(id) {
            unique.push(id);
        }
    }
    Ok(unique)
}

// ---------------------------------------------------------------- bodies

fn group(i: usize) -> serde_json::Value {
    json!({
        "id": format!("{i:024x}"), "name": format!("Group {i}"), "description": "A group",
        "workspace_id": WORKSPACE, "organisation_id": null, "project_id": null,
        "participant_count": 10, "is_deleted": false, "feeder_studies": []
    })
}

fn members_body(n: usize) -> Vec<u8> {
    let mut body = String::with_capacity(n * 90 + 16);
    body.push_str("{\"results\":[");
    for i in 0..n {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            "{{\"participant_id\":\"{i:024x}\",\"datetime_created\":\"2020-04-20T12:00:00Z\"}}"
        ));
    }
    body.push_str("]}");
    body.into_bytes()
}

/// The answers to a listing of the workspace's groups `all`, in pages of `page`: one per page,
/// and an empty one past the end.
fn page_answers(all: &[serde_json::Value], page: usize, answers: &mut Answers) {
    let total = all.len();
    for offset in (0..=total).step_by(page) {
        let results = &all[offset.min(total)..(offset + page).min(total)];
        answers.insert(
            format!(
                "GET /api/v1/participant-groups/?limit={page}&offset={offset}&workspace_id={WORKSPACE}"
            ),
            response("200 OK", &serde_json::to_vec(&json!({ "results": results })).unwrap()),
        );
    }
}

// ---------------------------------------------------------------- measuring

/// The guard rails: what `prolific` must show against the baseline.
///
/// Every timed comparison: at least this fraction of the baseline's throughput.
const RATIO_TARGET: f64 = 0.85;
/// When the network sets the pace (scenario 6), the client's own cost must all but vanish.
const LATENCY_TARGET: f64 = 0.97;
/// `participants()` of a 1,000,000-member group: peak memory at most this many times the body.
const PEAK_PER_BODY_TARGET: f64 = 2.5;

/// A row's guard rail.
#[derive(Clone, Copy)]
enum Target {
    /// None: the row compares a client with itself, or shows noise.
    None,
    /// The ratio (of throughputs) at least this.
    Ratio(f64),
    /// `prolific`'s peak memory, `measured` times the body, at most `limit` times it.
    PeakPerBody { measured: f64, limit: f64 },
}

impl Target {
    /// What the target is, and whether the row meets it; `None` without a target.
    fn check(&self, ratio: f64) -> Option<(String, bool)> {
        match *self {
            Target::None => None,
            Target::Ratio(least) => Some((format!(">= {least:.2}"), ratio >= least)),
            Target::PeakPerBody { measured, limit } => {
                Some((format!("<= {limit:.1}x body"), measured <= limit))
            }
        }
    }
}

/// Medians of both sides over alternating rounds, and their ratio.
struct Row {
    scenario: String,
    unit: &'static str,
    prolific: f64,
    baseline: f64,
    /// `prolific / baseline`: for timings, the median of the rounds' own ratios (each round
    /// runs both sides back to back, so drift in the machine's speed cancels out).
    ratio: f64,
    /// The first and third quartiles of the rounds' own ratios, for timings: how far the
    /// machine's noise moves the ratio (see also the A/A row of scenario 2).
    spread: Option<(f64, f64)>,
    /// Higher is better (throughput) or lower is better (memory).
    higher_is_better: bool,
    target: Target,
}

impl Row {
    /// A throughput row: `count` items per round of each side, timed by `t`.
    fn throughput(
        scenario: String,
        unit: &'static str,
        count: usize,
        t: &Timing,
        target: Target,
    ) -> Self {
        Row {
            scenario,
            unit,
            prolific: count as f64 / t.a,
            baseline: count as f64 / t.b,
            ratio: t.speedup,
            spread: Some(t.spread),
            higher_is_better: true,
            target,
        }
    }

    /// The ratio as "goodness": above 1 means `prolific` did better.
    fn score(&self) -> f64 {
        if self.higher_is_better {
            self.ratio
        } else {
            1.0 / self.ratio
        }
    }
}

fn median(xs: Vec<f64>) -> f64 {
    quantiles(xs, [0.5])[0]
}

/// The values at the given fractions of `xs` sorted (nearest rank).
fn quantiles<const N: usize>(mut xs: Vec<f64>, at: [f64; N]) -> [f64; N] {
    xs.sort_by(f64::total_cmp);
    at.map(|q| xs[((xs.len() - 1) as f64 * q).round() as usize])
}

/// Median seconds of each side, and the median over rounds of `b`'s time / `a`'s time (how
/// much faster `a` ran than `b` in the same round).
struct Timing {
    a: f64,
    b: f64,
    speedup: f64,
    /// The quartiles of the rounds' speedups.
    spread: (f64, f64),
}

/// With `PROLIFIC_BENCH_ONLY` set, runs only that side (`a` is `prolific`, `b` the
/// baseline), `PROLIFIC_BENCH_ROUNDS` times, prints its time and ends the process.
/// Otherwise does nothing.
async fn one_side_only<FA, FB, A, B>(a: &mut FA, b: &mut FB)
where
    FA: FnMut() -> A,
    FB: FnMut() -> B,
    A: Future<Output = ()>,
    B: Future<Output = ()>,
{
    let Ok(side) = std::env::var("PROLIFIC_BENCH_ONLY") else {
        return;
    };
    let rounds = std::env::var("PROLIFIC_BENCH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let start = Instant::now();
    for _ in 0..rounds {
        match side.as_str() {
            "prolific" => a().await,
            "baseline" => b().await,
            other => panic!("PROLIFIC_BENCH_ONLY is `prolific` or `baseline`, not {other:?}"),
        }
    }
    println!(
        "{side} alone: {rounds} rounds in {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    std::process::exit(0);
}

/// Runs `a` and `b` alternately for `rounds` rounds.
async fn timed<FA, FB, A, B>(rounds: usize, mut a: FA, mut b: FB) -> Timing
where
    FA: FnMut() -> A,
    FB: FnMut() -> B,
    A: Future<Output = ()>,
    B: Future<Output = ()>,
{
    one_side_only(&mut a, &mut b).await;
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        // Alternate which side goes first, so warm-up and drift cost both alike.
        if round % 2 == 0 {
            ta.push(seconds(a()).await);
            tb.push(seconds(b()).await);
        } else {
            tb.push(seconds(b()).await);
            ta.push(seconds(a()).await);
        }
    }
    timing(ta, tb)
}

/// The `Timing` of rounds that took `ta` seconds on one side and `tb` on the other.
fn timing(ta: Vec<f64>, tb: Vec<f64>) -> Timing {
    let [low, speedup, high] = quantiles(
        ta.iter().zip(&tb).map(|(a, b)| b / a).collect(),
        [0.25, 0.5, 0.75],
    );
    Timing {
        a: median(ta),
        b: median(tb),
        speedup,
        spread: (low, high),
    }
}

async fn seconds(f: impl Future<Output = ()>) -> f64 {
    let start = Instant::now();
    f.await;
    start.elapsed().as_secs_f64()
}

// ---------------------------------------------------------------- scenarios

const ROUNDS: usize = 15;

/// Scenarios 1 and 2 measure a per-request cost of a few percent against a machine whose
/// speed wanders by more than that over a fraction of a second. Short rounds (500 and 1,000
/// requests, tens of milliseconds), many of them: the two sides of a pair then run under
/// nearly the same conditions. With 41 rounds of 3,000 and 6,000 requests, the A/A row read
/// 0.92 to 1.05 from run to run; with these, 0.996 and 1.001.
const GET_ROUNDS: usize = 245;

/// Scenario 4's rounds are short (tens of milliseconds) and so the most at the mercy of the
/// machine's hiccups: more of them, for a steadier median.
const LIST_ROUNDS: usize = 61;

/// Scenario 5's rounds take tens of milliseconds too; with 15 of them, one bad stretch of the
/// machine moved its median by a third (0.60 in a run where the others read 0.93 to 1.04).
const BULK_ROUNDS: usize = 61;

/// Scenario 6's rounds wait on the network, a few tenths of a second each, and beside that
/// wait the machine's noise is small: a few rounds suffice.
const LATENCY_ROUNDS: usize = 9;

/// Marks rows that compare a client with itself (the cost of paging), not with the baseline:
/// they are left out of the summary's worst score.
const INFO: &str = "(same client)";

async fn get_sequential(base: &str, rows: &mut Vec<Row>) {
    let (client, raw) = (prolific_client(base), Raw::new(base));
    let groups = client.participant_groups();
    let n = 500;
    let path = format!("/api/v1/participant-groups/{GROUP}/");
    let t = timed(
        GET_ROUNDS,
        || async {
            for _ in 0..n {
                groups.get(GROUP).await.unwrap();
            }
        },
        || async {
            for _ in 0..n {
                raw.get::<types::ParticipantGroup>(&path).await;
            }
        },
    )
    .await;
    rows.push(Row::throughput(
        format!("1. get x{n}, sequential"),
        "req/s",
        n,
        &t,
        Target::Ratio(RATIO_TARGET),
    ));
}

async fn get_concurrent(base: &str, rows: &mut Vec<Row>) {
    let client = prolific_client(base);
    // Leaked: both comparisons below borrow it for the rest of the run.
    let raw: &'static Raw = Box::leak(Box::new(Raw::new(base)));
    let groups = client.participant_groups();
    let n = 1_000;
    let path = format!("/api/v1/participant-groups/{GROUP}/");
    let raw_run = |raw: &'static Raw| {
        let path = &path;
        async move {
            stream::iter(0..n)
                .map(|_| raw.get::<types::ParticipantGroup>(path))
                .buffer_unordered(64)
                .for_each(|_| async {})
                .await;
        }
    };
    let t = timed(
        GET_ROUNDS,
        || async {
            stream::iter(0..n)
                .map(|_| groups.get(GROUP))
                .buffer_unordered(64)
                .for_each(|r| async move {
                    r.unwrap();
                })
                .await;
        },
        || raw_run(raw),
    )
    .await;
    rows.push(Row::throughput(
        format!("2. get x{}, 64 in flight", grouped(n)),
        "req/s",
        n,
        &t,
        Target::Ratio(RATIO_TARGET),
    ));
    // The baseline against a second, identical baseline: what the machine's noise alone
    // does to a ratio here (1.0 on a quiet machine).
    let twin = Box::leak(Box::new(Raw::new(base)));
    let t = timed(GET_ROUNDS, || raw_run(raw), || raw_run(twin)).await;
    rows.push(Row::throughput(
        format!("2. A/A: raw reqwest vs a second raw reqwest {INFO}"),
        "req/s",
        n,
        &t,
        Target::None,
    ));
}

/// Scenario 3 for a group of `members`; returns `prolific`'s peak memory over the body's size.
/// `peak_target`: the most that may be.
async fn large_group(
    members: usize,
    rounds: usize,
    peak_target: Option<f64>,
    rows: &mut Vec<Row>,
) -> f64 {
    let body = members_body(members);
    let size = body.len();
    let mut answers = Answers::new();
    answers.insert(
        format!("GET /api/v1/participant-groups/{GROUP}/participants/"),
        response("200 OK", &body),
    );
    drop(body);
    let base = serve(answers, Duration::ZERO).await;
    let (client, raw) = (prolific_client(&base), Raw::new(&base));
    let groups = client.participant_groups();
    let path = format!("/api/v1/participant-groups/{GROUP}/participants/");
    one_side_only(
        &mut || async { assert_eq!(groups.participants(GROUP).await.unwrap().len(), members) },
        &mut || async {
            let list = raw.get::<types::MembershipList>(&path).await;
            assert_eq!(list.results.len(), members);
        },
    )
    .await;
    let (mut time_a, mut time_b, mut mem_a, mut mem_b) = (vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        // Alternate which side goes first, as `timed` does.
        for side in [round % 2, 1 - round % 2] {
            let start = Instant::now();
            if side == 0 {
                let (list, peak) = peak_of(groups.participants(GROUP)).await;
                time_a.push(start.elapsed().as_secs_f64());
                assert_eq!(list.unwrap().len(), members);
                mem_a.push(peak as f64);
            } else {
                let (list, peak) = peak_of(raw.get::<types::MembershipList>(&path)).await;
                time_b.push(start.elapsed().as_secs_f64());
                assert_eq!(list.results.len(), members);
                mem_b.push(peak as f64);
            }
        }
    }
    let (mem_a, mem_b) = (median(mem_a), median(mem_b));
    let per_body = mem_a / size as f64;
    rows.push(Row::throughput(
        format!("3. participants() of {}", grouped(members)),
        "members/s",
        members,
        &timing(time_a, time_b),
        Target::Ratio(RATIO_TARGET),
    ));
    rows.push(Row {
        scenario: format!(
            "3. participants() of {}: peak memory ({:.1} MB body; prolific {per_body:.2}x it)",
            grouped(members),
            size as f64 / 1e6
        ),
        unit: "MB",
        prolific: mem_a / 1e6,
        baseline: mem_b / 1e6,
        ratio: mem_a / mem_b,
        spread: None,
        higher_is_better: false,
        target: match peak_target {
            Some(limit) => Target::PeakPerBody {
                measured: per_body,
                limit,
            },
            None => Target::None,
        },
    });
    per_body
}

async fn list_pages(rows: &mut Vec<Row>) {
    let total = 10_000;
    let page = 200;
    let all: Vec<_> = (0..total).map(group).collect();
    let mut answers = Answers::new();
    page_answers(&all, page, &mut answers);
    let one = serde_json::to_vec(&json!({ "results": all })).unwrap();
    answers.insert(
        format!("GET /api/v1/participant-groups/?limit={total}&offset=0&workspace_id={WORKSPACE}"),
        response("200 OK", &one),
    );
    answers.insert(
        format!(
            "GET /api/v1/participant-groups/?limit={total}&offset={total}&workspace_id={WORKSPACE}"
        ),
        response("200 OK", br#"{"results":[]}"#),
    );
    let base = serve(answers, Duration::ZERO).await;
    let (client, raw) = (prolific_client(&base), Raw::new(&base));
    let groups = client.participant_groups();
    let list = |size: usize| {
        let groups = groups.clone();
        async move {
            let got = groups
                .list(GroupFilter::workspace(WORKSPACE))
                .page_size(size as u64)
                .send()
                .await
                .unwrap();
            assert_eq!(got.len(), total);
        }
    };
    let raw_list = |size: usize| {
        let raw = &raw;
        async move { assert_eq!(raw.list_all(size).await.len(), total) }
    };
    let t = timed(LIST_ROUNDS, || list(page), || raw_list(page)).await;
    rows.push(Row::throughput(
        format!("4. list {} groups, pages of {page}", grouped(total)),
        "groups/s",
        total,
        &t,
        Target::Ratio(RATIO_TARGET),
    ));
    // What paging itself costs (50 round trips instead of 1), for each client on its own.
    let t = timed(ROUNDS, || list(page), || list(total)).await;
    rows.push(Row::throughput(
        format!("4. pages of {page} vs one page, prolific {INFO}"),
        "groups/s",
        total,
        &t,
        Target::None,
    ));
    let t = timed(ROUNDS, || raw_list(page), || raw_list(total)).await;
    rows.push(Row::throughput(
        format!("4. pages of {page} vs one page, raw reqwest {INFO}"),
        "groups/s",
        total,
        &t,
        Target::None,
    ));
}

async fn bulk_add(rows: &mut Vec<Row>) {
    let n = 100_000;
    let chunk = 1_000;
    let answer = members_body(10);
    let mut answers = Answers::new();
    answers.insert(
        format!("POST /api/v1/participant-groups/{GROUP}/participants/"),
        response("200 OK", &answer),
    );
    let base = serve(answers, Duration::ZERO).await;
    let (client, raw) = (prolific_client(&base), Raw::new(&base));
    let groups = client.participant_groups();
    let ids: Vec<String> = (0..n).map(|i| format!("{i:024x}")).collect();
    let t = timed(
        BULK_ROUNDS,
        || async {
            groups
                .add_participants(GROUP, &ids)
                .chunk_size(chunk)
                .await
                .unwrap();
        },
        || raw.add_all(&ids, chunk),
    )
    .await;
    rows.push(Row::throughput(
        format!(
            "5. add_participants of {} ids, chunks of {}",
            grouped(n),
            grouped(chunk)
        ),
        "ids/s",
        n,
        &t,
        Target::Ratio(RATIO_TARGET),
    ));
}

/// Scenario 6: both clients against a server that waits before each answer, as Prolific's
/// network would, so that the time is the round trips' and the client's own cost is what it
/// adds to them. Sequential requests, as in scenarios 4 and 5.
async fn latency(rows: &mut Vec<Row>) {
    let delay = Duration::from_millis(20);
    let ms = delay.as_millis();
    let (n, chunk) = (20_000, 1_000);
    let (total, page) = (2_000, 200);
    let members = 10_000;
    let mut answers = Answers::new();
    answers.insert(
        format!("POST /api/v1/participant-groups/{GROUP}/participants/"),
        response("200 OK", &members_body(10)),
    );
    answers.insert(
        format!("DELETE /api/v1/participant-groups/{GROUP}/participants/"),
        response("200 OK", &members_body(10)),
    );
    answers.insert(
        format!("GET /api/v1/participant-groups/{GROUP}/participants/"),
        response("200 OK", &members_body(members)),
    );
    let all: Vec<_> = (0..total).map(group).collect();
    page_answers(&all, page, &mut answers);
    let base = serve(answers, delay).await;
    let (client, raw) = (prolific_client(&base), Raw::new(&base));
    let groups = client.participant_groups();

    let ids: Vec<String> = (0..n).map(|i| format!("{i:024x}")).collect();
    let t = timed(
        LATENCY_ROUNDS,
        || async {
            groups
                .add_participants(GROUP, &ids)
                .chunk_size(chunk)
                .await
                .unwrap();
        },
        || raw.add_all(&ids, chunk),
    )
    .await;
    rows.push(Row::throughput(
        format!(
            "6. latency {ms} ms: add {} ids, {} per request",
            grouped(n),
            grouped(chunk)
        ),
        "ids/s",
        n,
        &t,
        Target::Ratio(LATENCY_TARGET),
    ));

    let t = timed(
        LATENCY_ROUNDS,
        || async {
            let got = groups
                .list(GroupFilter::workspace(WORKSPACE))
                .page_size(page as u64)
                .send()
                .await
                .unwrap();
            assert_eq!(got.len(), total);
        },
        || async { assert_eq!(raw.list_all(page).await.len(), total) },
    )
    .await;
    rows.push(Row::throughput(
        format!(
            "6. latency {ms} ms: list {} groups, pages of {page}",
            grouped(total)
        ),
        "groups/s",
        total,
        &t,
        Target::Ratio(LATENCY_TARGET),
    ));

    // The group holds ids 0 to 9,999; the list is 2,000 to 11,999: 2,000 to add, 2,000 to
    // remove, in 1 read and 4 writes.
    let target: Vec<String> = (2_000..members + 2_000)
        .map(|i| format!("{i:024x}"))
        .collect();
    let t = timed(
        LATENCY_ROUNDS,
        || async {
            let report = groups
                .sync_participants(GROUP, &target)
                .chunk_size(chunk)
                .await
                .unwrap();
            assert_eq!((report.added.len(), report.removed.len()), (2_000, 2_000));
        },
        || raw.sync_all(&target, chunk),
    )
    .await;
    rows.push(Row::throughput(
        format!(
            "6. latency {ms} ms: sync {} members to a list (2,000 in, 2,000 out)",
            grouped(members)
        ),
        "ids/s",
        members,
        &t,
        Target::Ratio(LATENCY_TARGET),
    ));
}

/// `n` with its thousands apart: 20,000.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

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
        get_sequential(&base, &mut rows).await;
    }
    if wanted("2") {
        get_concurrent(&base, &mut rows).await;
    }
    let (mut per_body_100k, mut per_body_1m) = (f64::NAN, f64::NAN);
    if wanted("3") {
        per_body_100k = large_group(100_000, 11, None, &mut rows).await;
        per_body_1m = large_group(1_000_000, 15, Some(PEAK_PER_BODY_TARGET), &mut rows).await;
    }
    if wanted("4") {
        list_pages(&mut rows).await;
    }
    if wanted("5") {
        bulk_add(&mut rows).await;
    }
    if wanted("6") {
        latency(&mut rows).await;
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

//! A soak: thousands of mixed membership operations against the local Prolific with a few
//! percent of injected faults (throttling windows among them: every request answered 429 for
//! up to a quarter of a second), checked against an in-memory model. The final membership of
//! every group must match the model exactly.
//!
//! ```sh
//! cargo run --release --example soak --features fake -- [operations] [fault percent] [seed]
//! ```
//!
//! Defaults: 5,000 operations, 4 % faults, seed 1. `tests/it/soak.rs` runs a small version.

use std::{
    collections::{BTreeMap, BTreeSet},
    process::ExitCode,
    time::{Duration, Instant},
};

use prolific::{
    Client, Owner, RetryPolicy,
    fake::{FakeProlific, Fault},
};

/// What a soak run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Membership operations sent (adds, removes, replaces).
    pub operations: usize,
    /// Faults injected into the fake.
    pub faults: usize,
    /// Of those, throttling windows.
    pub throttle_windows: usize,
    /// Retries the client made.
    pub retries: u32,
    /// Operations that failed even after retries and were sent again by the soak.
    pub resent: usize,
    /// Groups whose final membership differs from the model.
    pub mismatches: usize,
    /// How long the run took.
    pub elapsed: Duration,
}

/// A small deterministic generator (xorshift64*), so a run can be repeated from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn percent(&mut self, p: u32) -> bool {
        self.below(100) < p as usize
    }
}

const GROUPS: usize = 4;
const POOL: usize = 400;

fn participant(i: usize) -> String {
    format!("5e9b9c9b0f9c9a00{i:08x}")
}

/// A fault, and whether it is a throttling window.
fn random_fault(rng: &mut Rng) -> (Fault, bool) {
    let fault = match rng.below(8) {
        0 => Fault::status(500).unwrap(),
        1 => Fault::status(502).unwrap(),
        2 => Fault::status(503).unwrap(),
        3 => Fault::rate_limited_after_secs(0),
        4 => Fault::non_json(502).unwrap(),
        5 => Fault::drop_connection(),
        6 => Fault::truncated_body(),
        _ => {
            let window = Duration::from_millis(50 + rng.below(200) as u64);
            return (Fault::throttled(window), true);
        }
    };
    (fault, false)
}

/// Runs `operations` random membership changes with `fault_percent` % of them preceded by a
/// fault, and compares the fake's final state with the model.
pub async fn soak(operations: usize, fault_percent: u32, seed: u64) -> Report {
    let started = Instant::now();
    let fake = FakeProlific::start().await.expect("the fake starts");
    let client = Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .retry_policy(
            RetryPolicy::default()
                .max_retries(3)
                .base_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(10)),
        )
        .build()
        .expect("a client for the fake");
    let groups = client.participant_groups();
    let mut rng = Rng(seed.max(1));
    let mut model: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in 0..GROUPS {
        let group = groups
            .create(
                Owner::workspace("5e9b9c9b0f9c9a0001b1ca2f"),
                format!("soak {i}"),
            )
            .send()
            .await
            .expect("create");
        model.insert(group.id, BTreeSet::new());
    }
    let ids: Vec<String> = model.keys().cloned().collect();
    let mut report = Report::default();

    for _ in 0..operations {
        let group = &ids[rng.below(GROUPS)];
        let batch: Vec<String> = (0..1 + rng.below(40))
            .map(|_| participant(rng.below(POOL)))
            .collect();
        let kind = rng.below(20);
        if rng.percent(fault_percent) {
            let (fault, window) = random_fault(&mut rng);
            report.throttle_windows += usize::from(window);
            fake.inject(fault);
            report.faults += 1;
        }
        // Membership changes are idempotent, so an operation that still fails after the
        // client's retries is simply sent again.
        loop {
            let result = match kind {
                0 => groups
                    .replace_participants(group, &batch)
                    .chunk_size(16)
                    .await
                    .map(drop),
                1..=11 => groups
                    .add_participants(group, &batch)
                    .chunk_size(16)
                    .await
                    .map(drop),
                _ => groups
                    .remove_participants(group, &batch)
                    .chunk_size(16)
                    .await
                    .map(drop),
            };
            match result {
                Ok(()) => break,
                Err(e) if e.is_retryable() => report.resent += 1,
                Err(e) => panic!("a soak operation failed for good: {e}"),
            }
        }
        let members = model.get_mut(group).expect("a modelled group");
        match kind {
            0 => *members = batch.into_iter().collect(),
            1..=11 => members.extend(batch),
            _ => batch.iter().for_each(|id| {
                members.remove(id);
            }),
        }
        report.operations += 1;
    }

    for (id, expected) in &model {
        let stored: BTreeSet<String> = fake
            .group(id)
            .expect("the group exists")
            .members
            .into_iter()
            .map(|m| m.participant_id)
            .collect();
        let listed: BTreeSet<String> = groups
            .participants(id)
            .await
            .expect("list members")
            .into_iter()
            .map(|m| m.participant_id)
            .collect();
        if &stored != expected || &listed != expected {
            report.mismatches += 1;
        }
    }
    report.retries = client.retries();
    report.elapsed = started.elapsed();
    report
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (operations, percent, seed) = (arg(0, 5_000) as usize, arg(1, 4) as u32, arg(2, 1));
    println!("soak: {operations} operations, {percent} % faults, seed {seed}");
    let report = soak(operations, percent, seed).await;
    println!(
        "operations: {}\nfaults injected: {} ({} of them throttling windows)\nretries: {}\nresent after retries ran out: {}\nmismatches: {}\ntime: {:.2} s",
        report.operations,
        report.faults,
        report.throttle_windows,
        report.retries,
        report.resent,
        report.mismatches,
        report.elapsed.as_secs_f64()
    );
    if report.mismatches == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

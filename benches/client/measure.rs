//! Measuring: the guard rails, the rows of the table, and the timing of both sides in
//! alternating rounds, with the medians and quartiles of their ratios.

use std::time::Instant;

/// The guard rails: what `prolific` must show against the baseline.
///
/// Every timed comparison: at least this fraction of the baseline's throughput.
pub const RATIO_TARGET: f64 = 0.85;
/// When the network sets the pace (scenario 6), the client's own cost must all but vanish.
pub const LATENCY_TARGET: f64 = 0.97;
/// `participants()` of a 1,000,000-member group: peak memory at most this many times the body.
pub const PEAK_PER_BODY_TARGET: f64 = 2.5;

/// Marks rows that compare a client with itself (the cost of paging), not with the baseline:
/// they are left out of the summary's worst score.
pub const INFO: &str = "(same client)";

/// A row's guard rail.
#[derive(Clone, Copy)]
pub enum Target {
    /// None: the row compares a client with itself, or shows noise.
    None,
    /// The ratio (of throughputs) at least this.
    Ratio(f64),
    /// `prolific`'s peak memory, `measured` times the body, at most `limit` times it.
    PeakPerBody { measured: f64, limit: f64 },
}

impl Target {
    /// What the target is, and whether the row meets it; `None` without a target.
    pub fn check(&self, ratio: f64) -> Option<(String, bool)> {
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
pub struct Row {
    pub scenario: String,
    pub unit: &'static str,
    pub prolific: f64,
    pub baseline: f64,
    /// `prolific / baseline`: for timings, the median of the rounds' own ratios (each round
    /// runs both sides back to back, so drift in the machine's speed cancels out).
    pub ratio: f64,
    /// The first and third quartiles of the rounds' own ratios, for timings: how far the
    /// machine's noise moves the ratio (see also the A/A row of scenario 2).
    pub spread: Option<(f64, f64)>,
    /// Higher is better (throughput) or lower is better (memory).
    pub higher_is_better: bool,
    pub target: Target,
}

impl Row {
    /// A throughput row: `count` items per round of each side, timed by `t`.
    pub fn throughput(
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
    pub fn score(&self) -> f64 {
        if self.higher_is_better {
            self.ratio
        } else {
            1.0 / self.ratio
        }
    }
}

pub fn median(xs: Vec<f64>) -> f64 {
    quantiles(xs, [0.5])[0]
}

/// The values at the given fractions of `xs` sorted (nearest rank).
fn quantiles<const N: usize>(mut xs: Vec<f64>, at: [f64; N]) -> [f64; N] {
    xs.sort_by(f64::total_cmp);
    at.map(|q| xs[((xs.len() - 1) as f64 * q).round() as usize])
}

/// Median seconds of each side, and the median over rounds of `b`'s time / `a`'s time (how
/// much faster `a` ran than `b` in the same round).
pub struct Timing {
    a: f64,
    b: f64,
    speedup: f64,
    /// The quartiles of the rounds' speedups.
    spread: (f64, f64),
}

/// With `PROLIFIC_BENCH_ONLY` set, runs only that side (`a` is `prolific`, `b` the
/// baseline), `PROLIFIC_BENCH_ROUNDS` times, prints its time and ends the process.
/// Otherwise does nothing.
pub async fn one_side_only<FA, FB, A, B>(a: &mut FA, b: &mut FB)
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
pub async fn timed<FA, FB, A, B>(rounds: usize, mut a: FA, mut b: FB) -> Timing
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
pub fn timing(ta: Vec<f64>, tb: Vec<f64>) -> Timing {
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

pub fn grouped(n: usize) -> String {
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

//! Scenarios 1 to 5, on loopback, where only the clients' CPU counts: gets in sequence and
//! 64 in flight, a large group's members, a paged listing, a chunked bulk add.

use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use prolific::{GroupFilter, types};
use serde_json::json;

use crate::{
    alloc::peak_of,
    clients::{Raw, prolific_client},
    fixtures::{GROUP, WORKSPACE, group, members_body, page_answers},
    measure::{INFO, RATIO_TARGET, Row, Target, grouped, median, one_side_only, timed, timing},
    server::{Answers, response, serve},
};

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

pub async fn get_sequential(base: &str, rows: &mut Vec<Row>) {
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

pub async fn get_concurrent(base: &str, rows: &mut Vec<Row>) {
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
pub async fn large_group(
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

pub async fn list_pages(rows: &mut Vec<Row>) {
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

pub async fn bulk_add(rows: &mut Vec<Row>) {
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

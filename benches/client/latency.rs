//! Scenario 6: both clients against a server that waits before each answer, as Prolific's
//! network would.

use std::time::Duration;

use prolific::GroupFilter;

use crate::{
    clients::{Raw, prolific_client},
    fixtures::{GROUP, WORKSPACE, group, members_body, page_answers},
    measure::{LATENCY_TARGET, Row, Target, grouped, timed},
    server::{Answers, response, serve},
};

/// Scenario 6's rounds wait on the network, a few tenths of a second each, and beside that
/// wait the machine's noise is small: a few rounds suffice.
const LATENCY_ROUNDS: usize = 9;

/// Scenario 6: both clients against a server that waits before each answer, as Prolific's
/// network would, so that the time is the round trips' and the client's own cost is what it
/// adds to them. Sequential requests, as in scenarios 4 and 5.
pub async fn latency(rows: &mut Vec<Row>) {
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

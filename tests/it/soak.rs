//! A small soak (see `examples/soak.rs` for the full one): mixed membership operations with
//! injected faults, throttling windows among them, must leave exactly the modelled membership.

#[path = "../../examples/soak.rs"]
#[allow(dead_code)]
mod example;

#[tokio::test]
async fn a_small_soak_loses_and_duplicates_nothing() {
    let report = example::soak(400, 5, 7).await;
    assert_eq!(report.operations, 400);
    assert!(report.faults > 5, "faults were injected: {report:?}");
    assert!(
        report.throttle_windows > 0,
        "throttling windows among them: {report:?}"
    );
    assert!(
        report.retries as usize >= report.faults,
        "every fault cost a retry: {report:?}"
    );
    assert_eq!(report.mismatches, 0, "{report:?}");
}

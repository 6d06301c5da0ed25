//! Helpers for tests against the local Prolific (`prolific::fake`, feature `fake`).

use std::time::Duration;

use prolific::{Client, ClientBuilder, RetryPolicy, fake::FakeProlific};

/// A client of `fake` that never retries, a 429 included, so one call is one request.
pub fn client(fake: &FakeProlific) -> Client {
    builder(fake).build().expect("a client")
}

/// The builder of [`client`], for a test that changes one more setting.
pub fn builder(fake: &FakeProlific) -> ClientBuilder {
    Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .retry_policy(RetryPolicy::none())
}

/// A client of `fake` that retries `retries` times with millisecond back-off.
pub fn retrying_client(fake: &FakeProlific, retries: u32) -> Client {
    retrying_builder(fake, retries).build().unwrap()
}

/// The builder of [`retrying_client`], for a test that changes one more setting.
pub fn retrying_builder(fake: &FakeProlific, retries: u32) -> ClientBuilder {
    Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .retry_policy(
            RetryPolicy::default()
                .max_retries(retries)
                .base_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5)),
        )
}

/// The ids of a group's members in the fake, in join order.
pub fn member_ids(fake: &FakeProlific, group_id: &str) -> Vec<String> {
    let state = fake.group(group_id).expect("the group exists");
    state
        .members
        .into_iter()
        .map(|m| m.participant_id)
        .collect()
}

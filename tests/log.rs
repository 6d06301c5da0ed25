//! With no `tracing` subscriber but a `log` logger at debug level, each attempt's span still
//! reaches the logger through `tracing`'s `log` fallback (turned on in this build by a
//! dev-dependency; any crate in an application's build can turn it on). The crate skips
//! making spans only when neither could record them. Its own test binary: the logger and
//! `tracing`'s fallback are global.
#![cfg(feature = "fake")]

use std::sync::Mutex;

use prolific::{Client, fake::FakeProlific};

const WORKSPACE: &str = "5e9b9c9b0f9c9a0001b1ca2f";

/// Keeps every record's target and text.
struct Keep(Mutex<Vec<(String, String)>>);

impl log::Log for Keep {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let kept = (record.target().to_owned(), record.args().to_string());
        self.0.lock().unwrap().push(kept);
    }

    fn flush(&self) {}
}

static LOGGER: Keep = Keep(Mutex::new(Vec::new()));

fn spans_logged() -> Vec<String> {
    LOGGER
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, text)| text.contains("prolific.request"))
        .map(|(_, text)| text.clone())
        .collect()
}

#[tokio::test]
async fn a_log_logger_at_debug_sees_each_request_span() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_groups(WORKSPACE, 1).remove(0);
    let client = Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .build()
        .unwrap();
    log::set_logger(&LOGGER).unwrap();

    // Below debug, nothing of the crate's spans is logged.
    log::set_max_level(log::LevelFilter::Info);
    client.participant_groups().get(&id).await.unwrap();
    assert_eq!(spans_logged(), Vec::<String>::new());

    log::set_max_level(log::LevelFilter::Debug);
    client.participant_groups().get(&id).await.unwrap();
    let logged = spans_logged();
    assert!(
        logged
            .iter()
            .any(|text| text.contains("operation=\"get_participant_group\"")
                && text.contains("attempt=0")),
        "{logged:#?}"
    );
    let everything = format!("{:?}", LOGGER.0.lock().unwrap());
    assert!(
        !everything.contains(fake.token()),
        "the token reached a log"
    );
}

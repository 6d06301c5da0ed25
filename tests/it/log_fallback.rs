//! With no `tracing` subscriber but a `log` logger at debug level, each attempt's span still
//! reaches the logger through `tracing`'s `log` fallback (turned on in this build by a
//! dev-dependency; any crate in an application's build can turn it on).
//!
//! The logger is global, and `tracing` stops falling back to `log` for the whole process once
//! any test has set a subscriber (`spans` does), so the test runs in a process of its own: the
//! test binary started again to run only [`in_a_process_of_its_own`].

use crate::support::WORKSPACE_ID;

use std::{process::Command, sync::Mutex};

use prolific::{Client, fake::FakeProlific};

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

/// Set in the child process that runs [`in_a_process_of_its_own`].
const CHILD: &str = "PROLIFIC_TEST_LOG_CHILD";

#[test]
fn a_log_logger_at_debug_sees_each_request_span() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "log_fallback::in_a_process_of_its_own",
            "--exact",
            "--ignored",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the child process failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
#[ignore = "run by a_log_logger_at_debug_sees_each_request_span in a process of its own"]
async fn in_a_process_of_its_own() {
    assert!(
        std::env::var_os(CHILD).is_some(),
        "run through a_log_logger_at_debug_sees_each_request_span"
    );
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_groups(WORKSPACE_ID, 1).remove(0);
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

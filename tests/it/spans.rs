//! The `prolific.request` span: one per attempt, with what a reader of traces relies on
//! (operation, method, path, attempt, status, duration), the retry noted between two, and
//! never the token. Captured by a minimal subscriber written here.

use crate::support::{WORKSPACE_ID, fake::retrying_client};

use std::{
    collections::BTreeMap,
    fmt,
    sync::{Arc, Mutex, OnceLock},
};

use prolific::fake::{FakeProlific, Fault};
use tracing::{
    Event, Metadata, Subscriber,
    field::{Field, Visit},
    span::{Attributes, Id, Record},
};
use tracing_core::span::Current;

/// A span as captured: its name and its fields, rendered with `Debug`.
#[derive(Debug, Clone)]
struct Captured {
    name: &'static str,
    metadata: &'static Metadata<'static>,
    fields: BTreeMap<String, String>,
}

/// Keeps every span and event it is given, and which span is entered (for
/// `Span::current`, which the crate's `exec` hook records the request into).
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<Captured>>>,
    events: Arc<Mutex<Vec<Captured>>>,
    entered: Arc<Mutex<Vec<Id>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut captured = Captured {
            name: span.metadata().name(),
            metadata: span.metadata(),
            fields: BTreeMap::new(),
        };
        span.record(&mut Fields(&mut captured.fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push(captured);
        Id::from_u64(spans.len() as u64)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let captured = &mut spans[span.into_u64() as usize - 1];
        values.record(&mut Fields(&mut captured.fields));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut captured = Captured {
            name: event.metadata().name(),
            metadata: event.metadata(),
            fields: BTreeMap::new(),
        };
        event.record(&mut Fields(&mut captured.fields));
        self.events.lock().unwrap().push(captured);
    }

    fn enter(&self, span: &Id) {
        self.entered.lock().unwrap().push(span.clone());
    }

    fn exit(&self, span: &Id) {
        let mut entered = self.entered.lock().unwrap();
        if let Some(at) = entered.iter().rposition(|s| s == span) {
            entered.remove(at);
        }
    }

    fn current_span(&self) -> Current {
        match self.entered.lock().unwrap().last() {
            Some(id) => {
                let metadata = self.spans.lock().unwrap()[id.into_u64() as usize - 1].metadata;
                Current::new(id.clone(), metadata)
            }
            None => Current::none(),
        }
    }
}

impl Capture {
    fn requests(&self) -> Vec<BTreeMap<String, String>> {
        let spans = self.spans.lock().unwrap();
        spans
            .iter()
            .filter(|s| s.name == "prolific.request")
            .map(|s| s.fields.clone())
            .collect()
    }

    /// Everything captured, as one text, to search for what must never appear.
    fn everything(&self) -> String {
        format!(
            "{:?}{:?}",
            self.spans.lock().unwrap(),
            self.events.lock().unwrap()
        )
    }
}

/// With only one dispatcher registered, `tracing` decides whether a callsite is of interest by
/// asking the dispatcher of whichever thread meets it first: another test of this binary, with
/// no subscriber, would make the crate's callsites uninteresting for the capture too. With a
/// second one registered for the life of the binary, every callsite asks all of them.
fn keep_a_second_dispatcher() {
    static SECOND: OnceLock<tracing::Dispatch> = OnceLock::new();
    SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
}

/// One span per attempt, through the wrapper and through the generated client used on its
/// own: a 503, then the retry that succeeds.
#[tokio::test]
async fn each_attempt_has_a_span_with_its_request_and_answer() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_groups(WORKSPACE_ID, 1).remove(0);
    for raw in [false, true] {
        let capture = Capture::default();
        keep_a_second_dispatcher();
        let _default = tracing::subscriber::set_default(capture.clone());
        let client = retrying_client(&fake, 2);
        fake.inject(Fault::status(503).unwrap());
        if raw {
            client
                .raw()
                .get_participant_group()
                .id(&id)
                .send()
                .await
                .unwrap();
        } else {
            client.participant_groups().get(&id).await.unwrap();
        }

        let spans = capture.requests();
        assert_eq!(spans.len(), 2, "raw: {raw}: {spans:#?}");
        for (attempt, (span, status)) in spans.iter().zip(["503", "200"]).enumerate() {
            let field = |name: &str| span.get(name).map(String::as_str);
            assert_eq!(
                field("operation"),
                Some("get_participant_group"),
                "raw: {raw}"
            );
            assert_eq!(field("method"), Some("GET"), "raw: {raw}");
            let path = format!("/api/v1/participant-groups/{id}/");
            assert_eq!(field("path"), Some(path.as_str()), "raw: {raw}");
            assert_eq!(
                field("attempt"),
                Some(attempt.to_string().as_str()),
                "raw: {raw}"
            );
            assert_eq!(field("status"), Some(status), "raw: {raw}");
            let took: u64 = field("duration_ms").unwrap().parse().unwrap();
            assert!(took < 10_000, "raw: {raw}: {took} ms");
        }
        let events = capture.events.lock().unwrap().clone();
        let retrying: Vec<_> = events
            .iter()
            .filter(|e| e.fields.get("message").map(String::as_str) == Some("retrying"))
            .collect();
        assert_eq!(retrying.len(), 1, "raw: {raw}: {events:#?}");
        assert!(retrying[0].fields.contains_key("delay_ms"), "raw: {raw}");
        assert!(
            !capture.everything().contains(fake.token()),
            "raw: {raw}: the token reached a trace"
        );
    }
}

/// Each wait on Prolific's throttling is an event with the operation, the wait, and how long
/// the request had waited before it.
#[tokio::test]
async fn each_throttled_wait_is_an_event_with_the_wait_and_the_time_waited() {
    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_groups(WORKSPACE_ID, 1).remove(0);
    let capture = Capture::default();
    keep_a_second_dispatcher();
    let _default = tracing::subscriber::set_default(capture.clone());
    // Long enough for several 429s at the shortest wait after one (100 ms).
    fake.inject(Fault::throttled(std::time::Duration::from_millis(350)));
    retrying_client(&fake, 0)
        .participant_groups()
        .get(&id)
        .await
        .unwrap();

    let refused = fake
        .requests()
        .iter()
        .filter(|r| r.status == Some(429.try_into().unwrap()))
        .count();
    let events = capture.events.lock().unwrap().clone();
    let waits: Vec<_> = events
        .iter()
        .filter(|e| {
            e.fields.get("message").map(String::as_str) == Some("throttled by Prolific: waiting")
        })
        .collect();
    assert!(refused >= 2);
    assert_eq!(waits.len(), refused, "{events:#?}");
    let mut waited = 0;
    for wait in waits {
        assert_eq!(wait.fields["operation"], "get_participant_group");
        let so_far: u64 = wait.fields["waited_ms"].parse().unwrap();
        assert!(so_far >= waited, "{so_far} < {waited}");
        waited = so_far + wait.fields["wait_ms"].parse::<u64>().unwrap();
    }
}

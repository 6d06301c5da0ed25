//! The seam between the generated client and the hand-written crate: progenitor's
//! `ClientHooks`, implemented once for the generated [`raw::Client`](crate::raw::Client).
//!
//! Every request of every operation, through [`Client`](crate::Client) or through
//! [`Client::raw`](crate::Client::raw), passes through here:
//!
//! * `pre` adds the token;
//! * `exec` makes the attempts: each is sent and its body read whole (so a body cut off
//!   mid-way fails the attempt, and is retried like a dropped connection), in a `tracing` span
//!   `prolific.request`; between two, it waits as the [`RetryPolicy`] says. Before each, it
//!   waits while the client is held back by a throttled answer ([`Throttle`]), with a
//!   `tracing` event `throttled by Prolific` (operation, wait, waited so far) for each wait.
//!
//! What the last attempt came to is noted in the client's [`Hooks`], when the caller gave
//! them a place for that (`Hooks::for_one_call`): the wrapper uses it to keep the status of
//! an error answer whose body is not JSON, which progenitor's error leaves out.

use std::{
    fmt,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use http_body_util::BodyExt;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::{
    ResponseBuilderExt, StatusCode,
    header::{AUTHORIZATION, HeaderValue},
};
use tracing::Instrument;

use crate::{
    generated::Client as RawClient,
    lock::lock,
    operation::Operation,
    retry::{Next, RetryPolicy, Tally, retry_after},
    throttle::{Throttle, report_wait},
};

/// The state the crate's hooks carry for the generated client (progenitor's "inner" value):
/// the token header, the retry policy, the throttle state, and the count of retries. `Debug`
/// never shows the token.
#[derive(Clone)]
pub struct Hooks {
    authorization: HeaderValue,
    retry: RetryPolicy,
    /// Shared by every clone: one client slows down together.
    throttle: Arc<Throttle>,
    retries: Arc<AtomicU32>,
    /// Where to note the last attempt's answer, for a client made for one call.
    last: Option<Arc<Mutex<LastAttempt>>>,
}

/// What the last attempt of one call came to.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LastAttempt {
    /// The answer's status; `None` when no answer came.
    pub(crate) status: Option<StatusCode>,
    /// The answer's `Retry-After`, unless it was a success.
    pub(crate) retry_after: Option<Duration>,
    /// How many attempts were made.
    pub(crate) attempts: u32,
    /// How long the call waited because Prolific throttled the client.
    pub(crate) throttled_for: Duration,
}

impl Hooks {
    /// Hooks that send `Authorization: Token <token>` and retry by `retry`.
    pub(crate) fn new(
        token: &str,
        retry: RetryPolicy,
    ) -> Result<Self, reqwest::header::InvalidHeaderValue> {
        let mut authorization = HeaderValue::from_str(&format!("Token {token}"))?;
        authorization.set_sensitive(true);
        Ok(Hooks {
            authorization,
            retry,
            throttle: Arc::new(Throttle::new()),
            retries: Arc::default(),
            last: None,
        })
    }

    /// How many retries this client (and its clones) has made since it was built.
    pub(crate) fn retry_count(&self) -> u32 {
        self.retries.load(Ordering::Relaxed)
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// A copy for a client that makes one call, and the place where its hooks note what the
    /// call's last attempt came to. Retries are still counted with this client's.
    pub(crate) fn for_one_call(&self) -> (Hooks, Arc<Mutex<LastAttempt>>) {
        let last = Arc::new(Mutex::new(LastAttempt::default()));
        let inner = Hooks {
            last: Some(Arc::clone(&last)),
            ..self.clone()
        };
        (inner, last)
    }

    fn note(&self, outcome: &reqwest::Result<reqwest::Response>, attempts: u32, tally: Tally) {
        if let Some(last) = &self.last {
            let answer = outcome.as_ref().ok();
            *lock(last) = LastAttempt {
                status: answer.map(reqwest::Response::status),
                retry_after: answer
                    .filter(|response| !response.status().is_success())
                    .and_then(|response| retry_after(response.headers())),
                attempts,
                throttled_for: tally.throttled_for,
            };
        }
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("authorization", &"Token <redacted>")
            .field("retry", &self.retry)
            .finish()
    }
}

impl ClientHooks<Hooks> for RawClient {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        request
            .headers_mut()
            .insert(AUTHORIZATION, self.inner().authorization.clone());
        Ok(())
    }

    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let hooks = self.inner();
        let operation = Operation::from_operation_id(info.operation_id);
        let mut attempt = 0;
        let mut tally = Tally::default();
        loop {
            // Held back by another request's throttled answer: wait until its next try, but
            // no longer than this request's own patience for 429s.
            while tally.throttled_for < hooks.retry.max_throttle_wait
                && let Some(wait) = hooks.throttle.wait(hooks.retry.base_backoff)
            {
                throttled_wait(info, wait, &mut tally).await;
            }
            // A copy to send again if this attempt fails (the generated client's bodies are
            // in memory, so this is cheap).
            let spare = request.try_clone();
            let span = tracing::debug_span!(
                "prolific.request",
                operation = info.operation_id,
                method = %request.method(),
                path = request.url().path(),
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let started = Instant::now();
            let outcome = async { read_whole(self.client().execute(request).await?).await }
                .instrument(span.clone())
                .await;
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            match &outcome {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                }
                Err(e) => tracing::debug!(parent: &span, error = %e, "request failed"),
            }
            hooks.note(&outcome, attempt + 1, tally);
            request = match (hooks.retry.next(operation, tally, &outcome), spare) {
                (Next::Retry(delay), Some(spare)) => {
                    tracing::debug!(parent: &span, delay_ms = delay.as_millis() as u64, "retrying");
                    tally.failures += 1;
                    tokio::time::sleep(delay).await;
                    spare
                }
                (Next::Throttled(delay), Some(spare)) => {
                    tally.throttles += 1;
                    hooks.throttle.hold(delay);
                    throttled_wait(info, delay, &mut tally).await;
                    spare
                }
                _ => return outcome,
            };
            hooks.retries.fetch_add(1, Ordering::Relaxed);
            attempt += 1;
        }
    }
}

/// Waits `wait` because Prolific throttled the client, and says so: a `tracing` event, and
/// the work running the request, when it asked ([`report_wait`]).
async fn throttled_wait(info: &OperationInfo, wait: Duration, tally: &mut Tally) {
    tracing::info!(
        operation = info.operation_id,
        wait_ms = wait.as_millis() as u64,
        waited_ms = tally.throttled_for.as_millis() as u64,
        "throttled by Prolific: waiting"
    );
    report_wait(wait);
    tokio::time::sleep(wait).await;
    tally.throttled_for += wait;
}

/// The response with its whole body read into memory, status, headers and URL kept.
async fn read_whole(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let url = response.url().clone();
    let (mut parts, body) = http::Response::from(response).into_parts();
    let body = body.collect().await?.to_bytes();
    // reqwest keeps a response's URL in an extension that only its builder can set.
    if let Ok(with_url) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(with_url.into_parts().0.extensions);
    }
    Ok(http::Response::from_parts(parts, body).into())
}

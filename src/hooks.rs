//! The seam between the generated client and the hand-written crate: progenitor's
//! `ClientHooks`, implemented once for the generated [`raw::Client`](crate::raw::Client).
//!
//! Every request of every operation passes through [`ClientHooks::pre`] (the token is added)
//! and [`ClientHooks::exec`] (retries, the tracing span, and a note of the final status for
//! error mapping). Nothing else in the crate touches requests on their way out.

use std::{
    cell::Cell,
    fmt,
    sync::{
        Arc,
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

use crate::{generated::Client as RawClient, retry::RetryPolicy};

/// What the generated client carries for its hooks (progenitor's "inner" value): the
/// `Authorization` header and the retry policy. `Debug` never shows the token.
#[derive(Clone)]
pub struct Inner {
    authorization: HeaderValue,
    retry: RetryPolicy,
    retries: Arc<AtomicU32>,
}

impl Inner {
    /// Hooks that send `Authorization: Token <token>` and retry by `retry`.
    pub(crate) fn new(
        token: &str,
        retry: RetryPolicy,
    ) -> Result<Self, reqwest::header::InvalidHeaderValue> {
        let mut authorization = HeaderValue::from_str(&format!("Token {token}"))?;
        authorization.set_sensitive(true);
        Ok(Inner {
            authorization,
            retry,
            retries: Arc::default(),
        })
    }

    /// How many retries this client (and its clones) has made since it was built.
    pub fn retries(&self) -> u32 {
        self.retries.load(Ordering::Relaxed)
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("authorization", &"Token <redacted>")
            .field("retry", &self.retry)
            .finish()
    }
}

/// What the last attempt of a call answered, for mapping errors that progenitor reports
/// without their status (a non-JSON error body).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) status: Option<StatusCode>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) attempts: u32,
}

/// What one call of the generated client shares with its hooks, for the length of the call.
struct CallContext {
    /// Written by every attempt in `exec`; read once the call is done.
    outcome: Cell<Outcome>,
    /// A request body the crate wrote itself, sent instead of the generated client's
    /// serialisation of the same value (taken by `pre`).
    body: Cell<Option<Vec<u8>>>,
}

tokio::task_local! {
    static CALL: CallContext;
}

/// Runs one call of the generated client and returns what its last attempt answered.
///
/// With `body`, the request carries those bytes instead of the body the generated client
/// serialised: for bulk membership chunks, whose JSON the crate writes straight from the
/// borrowed ids (see `bulk::chunk_body`) rather than from a `Vec<String>` copy of them. The
/// bytes must be JSON of the operation's body type (the `Content-Type` the generated client
/// set stays).
pub(crate) fn observe<F: Future + Unpin>(
    body: Option<Vec<u8>>,
    call: F,
) -> impl Future<Output = (F::Output, Outcome)> {
    let context = CallContext {
        outcome: Cell::new(Outcome::default()),
        body: Cell::new(body),
    };
    CALL.scope(context, ObserveFuture { call: Some(call) })
}

/// Polls the call, and once it is done reads the outcome its attempts recorded: a future
/// by hand rather than an `async` block, which would store the call twice.
struct ObserveFuture<F> {
    call: Option<F>,
}

impl<F: Future + Unpin> Future for ObserveFuture<F> {
    type Output = (F::Output, Outcome);

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let call = self.call.as_mut().expect("polled after completion");
        let output = std::task::ready!(std::pin::Pin::new(call).poll(cx));
        self.call = None;
        std::task::Poll::Ready((output, CALL.with(|call| call.outcome.get())))
    }
}

fn record(outcome: Outcome) {
    // Outside `observe` (the raw client used directly) there is nowhere to record: fine.
    let _ = CALL.try_with(|call| call.outcome.set(outcome));
}

/// The body prepared for this call, if any (once: the first attempt's request carries it,
/// and retries send clones of that request).
fn prepared_body() -> Option<Vec<u8>> {
    CALL.try_with(|call| call.body.take()).ok().flatten()
}

/// Reads the whole body inside the retry loop, so that a body cut off mid-way (or too slow
/// to arrive) is retried like a failed request, then hands the generated code a response over
/// the bytes read. Nothing is copied: the status, headers and extensions move across, and the
/// body's `Bytes` are shared.
async fn buffered(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let url = response.url().clone();
    let (mut parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let bytes = body.collect().await?.to_bytes();
    // Keep the response's URL (reqwest stores it as an extension only its builder can set);
    // without it, reqwest would parse a placeholder URL for every response.
    let with_url = http::response::Builder::new().url(url).body(()).ok();
    if let Some(mut with_url) = with_url {
        parts
            .extensions
            .extend(std::mem::take(with_url.extensions_mut()));
    }
    Ok(reqwest::Response::from(http::Response::from_parts(
        parts, bytes,
    )))
}

impl ClientHooks<Inner> for RawClient {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        request
            .headers_mut()
            .insert(AUTHORIZATION, self.inner().authorization.clone());
        if let Some(body) = prepared_body() {
            *request.body_mut() = Some(body.into());
        }
        Ok(())
    }

    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let policy = self.inner().retry;
        let mut attempt = 0;
        loop {
            let spare = (attempt < policy.get_max_retries())
                .then(|| request.try_clone())
                .flatten();
            let span = tracing::debug_span!(
                "prolific.request",
                operation = info.operation_id,
                method = %request.method(),
                path = request.url().path(),
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let send = async { buffered(self.client().execute(request).await?).await };
            // A disabled span (no subscriber wants it) costs nothing: skip its bookkeeping.
            let result = if span.is_disabled() {
                send.await
            } else {
                let started = Instant::now();
                let result = send.instrument(span.clone()).await;
                span.record("duration_ms", started.elapsed().as_millis() as u64);
                match &result {
                    Ok(response) => {
                        span.record("status", response.status().as_u16());
                    }
                    Err(e) => {
                        tracing::debug!(parent: &span, error = %e, "request failed");
                    }
                }
                result
            };
            let status = result.as_ref().ok().map(|r| r.status());
            record(Outcome {
                status,
                retry_after: result
                    .as_ref()
                    .ok()
                    .and_then(|r| crate::retry::retry_after(r.headers())),
                attempts: attempt + 1,
            });
            match (
                policy.next_delay(info.operation_id, attempt, &result),
                spare,
            ) {
                (Some(delay), Some(next)) => {
                    tracing::debug!(
                        parent: &span,
                        delay_ms = delay.as_millis() as u64,
                        "retrying"
                    );
                    self.inner().retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(delay).await;
                    request = next;
                    attempt += 1;
                }
                _ => return result,
            }
        }
    }
}

//! The seam between the generated client and the hand-written crate: progenitor's
//! `ClientHooks`, implemented once for the generated [`raw::Client`](crate::raw::Client).
//!
//! Every request of every operation passes through [`ClientHooks::pre`] (the token is added)
//! and [`ClientHooks::exec`] (sends it). Inside a call of the wrapper (`error::call`, which
//! retries whole generated calls), `exec` makes one attempt and notes its status for the
//! retry decision and the error mapping; for the generated client used on its own, `exec`
//! retries by itself, re-sending copies of the request. Nothing else in the crate touches
//! requests on their way out.

use std::{
    cell::RefCell,
    fmt, mem,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use futures_util::future::Either;
use http_body_util::BodyExt;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::{
    ResponseBuilderExt, StatusCode,
    header::{AUTHORIZATION, HeaderValue},
};

use crate::{
    generated::Client as RawClient,
    retry::{Attempt, Retrier, RetryPolicy},
};

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

    /// A retrier for one call of `operation` by this policy, counting into this client.
    pub(crate) fn retrier(&self, operation: &'static str) -> Retrier<'_> {
        Retrier::new(&self.retry, &self.retries, operation)
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

/// What the last attempt of a call was answered, for mapping errors that progenitor reports
/// without their status (a non-JSON error body), and for deciding on a retry.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) status: Option<StatusCode>,
    pub(crate) retry_after: Option<Duration>,
}

/// What one call of the wrapper (`error::call`) shares with the hooks, for the length of the
/// call and all its attempts.
struct CallContext {
    /// Written by every attempt in `exec`.
    outcome: Outcome,
    /// A request body the crate wrote itself, sent instead of the generated client's
    /// serialisation of the same value (by `pre`, on every attempt).
    body: Option<Bytes>,
}

thread_local! {
    /// The context of the wrapper call being polled on this thread, if any. `Observed` puts
    /// its call's there for the length of each poll, and the hooks, which the generated call
    /// runs inside that poll, read and write it.
    static CURRENT: RefCell<Option<CallContext>> = const { RefCell::new(None) };
}

pin_project_lite::pin_project! {
    /// A wrapper call, with its context current whenever it is polled (see [`observe`]).
    ///
    /// What `tokio::task_local!` does, cut to what a call needs: the context moves into the
    /// thread-local for each poll and back out after, and the call's output is handed
    /// straight through.
    pub(crate) struct Observed<F> {
        context: Option<CallContext>,
        #[pin]
        call: F,
    }
}

impl<F: Future> Future for Observed<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _current = Current::enter(this.context);
        this.call.poll(cx)
    }
}

/// Makes a call's context current, and puts back what was current before when dropped
/// (also when the poll panics).
struct Current<'a> {
    /// The call's context while it is not current; what was current, while it is.
    slot: &'a mut Option<CallContext>,
}

impl<'a> Current<'a> {
    fn enter(slot: &'a mut Option<CallContext>) -> Self {
        CURRENT.with_borrow_mut(|current| mem::swap(current, slot));
        Current { slot }
    }
}

impl Drop for Current<'_> {
    fn drop(&mut self) {
        CURRENT.with_borrow_mut(|current| mem::swap(current, self.slot));
    }
}

/// Runs `call` (a wrapper call: one or more attempts of a generated call) with a context
/// the hooks can see: `exec` then makes one attempt per request and records what it
/// answered, and leaves retrying to the caller.
///
/// With `body`, every request carries those bytes instead of the body the generated client
/// serialised: for bulk membership chunks, whose JSON the crate writes straight from the
/// borrowed ids (see `bulk::chunk_body`) rather than from a `Vec<String>` copy of them. The
/// bytes must be JSON of the operation's body type (the `Content-Type` the generated client
/// set stays).
pub(crate) fn observe<F: Future>(body: Option<Bytes>, call: F) -> Observed<F> {
    Observed {
        context: Some(CallContext {
            outcome: Outcome::default(),
            body,
        }),
        call,
    }
}

/// What the last request of the call under way answered (inside `observe`).
pub(crate) fn outcome() -> Outcome {
    CURRENT.with_borrow(|call| call.as_ref().map(|call| call.outcome).unwrap_or_default())
}

/// Whether a wrapper call is under way (see `observe`).
fn in_call() -> bool {
    CURRENT.with_borrow(Option::is_some)
}

/// The body prepared for this call, if any.
fn prepared_body() -> Option<Bytes> {
    CURRENT.with_borrow(|call| call.as_ref().and_then(|call| call.body.clone()))
}

/// Notes the request's method and path in `span` (the attempt's).
fn note_request(span: &tracing::Span, request: &reqwest::Request) {
    if !span.is_disabled() {
        span.record("method", tracing::field::display(request.method()));
        span.record("path", request.url().path());
    }
}

/// Reads the whole body inside the retry loop, so that a body cut off mid-way (or too slow
/// to arrive) is retried like a failed request, then hands the generated code a response over
/// the bytes read. Nothing is copied: the status, headers and extensions move across, and the
/// body's `Bytes` are shared. (Only for the generated client used on its own: a wrapper
/// call's retries cover the reading of the body already.)
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

    // Not an `async fn`: its future would keep the moved-in request for its whole life, 570
    // bytes inside every generated call's future. The request is handed to reqwest at once,
    // and the future holds only reqwest's handle (or the boxed retry loop).
    fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> {
        if in_call() {
            // A wrapper call retries whole generated calls (`error::call`), the reading and
            // decoding of the body included: one attempt here, in the call's span.
            // When nothing listens, the attempt's span is disabled: skip looking it up.
            if crate::retry::traced() {
                note_request(&tracing::Span::current(), &request);
            }
            let pending = self.client().execute(request);
            Either::Left(async move {
                let result = pending.await;
                record(&result);
                result
            })
        } else {
            // Boxed: its copies and buffering would otherwise swell every call's future.
            Either::Right(Box::pin(exec_with_retries(
                self,
                request,
                info.operation_id,
            )))
        }
    }
}

/// Notes what this attempt was answered (nothing, if it failed) for the call under way.
fn record(result: &reqwest::Result<reqwest::Response>) {
    CURRENT.with_borrow_mut(|call| {
        if let Some(call) = call {
            call.outcome = Outcome {
                status: result.as_ref().ok().map(reqwest::Response::status),
                retry_after: result
                    .as_ref()
                    .ok()
                    .and_then(crate::retry::retry_after_unless_success),
            };
        }
    });
}

/// `exec` for the generated client used on its own: retries here, by the client's policy,
/// re-sending copies of the request.
async fn exec_with_retries(
    raw: &RawClient,
    mut request: reqwest::Request,
    operation: &'static str,
) -> reqwest::Result<reqwest::Response> {
    let mut retrier = raw.inner().retrier(operation);
    loop {
        let spare = retrier.may_retry().then(|| request.try_clone()).flatten();
        let span = retrier.span();
        note_request(&span, &request);
        let send = async { buffered(raw.client().execute(request).await?).await };
        let result = retrier.run(&span, send).await;
        match (retrier.next_delay(&span, Attempt::of(&result)), spare) {
            (Some(delay), Some(next)) => {
                retrier.wait(&span, delay).await;
                request = next;
            }
            _ => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::*;

    fn answered(status: u16) -> reqwest::Result<reqwest::Response> {
        let response = http::Response::builder()
            .status(status)
            .header("retry-after", "7")
            .body("")
            .unwrap();
        Ok(reqwest::Response::from(response))
    }

    /// One call: notes the answer `status`, lets the other call run, then reports what it
    /// sees of its own context.
    async fn call(status: u16) -> (Option<Bytes>, Option<StatusCode>) {
        assert!(in_call());
        record(&answered(status));
        tokio::task::yield_now().await;
        (prepared_body(), outcome().status)
    }

    #[tokio::test]
    async fn calls_polled_in_turn_each_see_their_own_context() {
        let (a, b) = tokio::join!(
            observe(Some(Bytes::from_static(b"a")), call(503)),
            observe(Some(Bytes::from_static(b"b")), call(200)),
        );
        assert_eq!(
            a,
            (
                Some(Bytes::from_static(b"a")),
                Some(StatusCode::SERVICE_UNAVAILABLE)
            )
        );
        assert_eq!(b, (Some(Bytes::from_static(b"b")), Some(StatusCode::OK)));
        // Nothing is current outside a call.
        assert!(!in_call());
        assert_eq!(outcome().status, None);
    }

    #[tokio::test]
    async fn a_retry_after_is_noted_only_for_an_answer_that_is_not_a_success() {
        let seen = observe(None, async {
            record(&answered(429));
            let refused = outcome();
            record(&answered(200));
            (refused, outcome())
        })
        .await;
        assert_eq!(seen.0.retry_after, Some(Duration::from_secs(7)));
        assert_eq!(seen.1.retry_after, None);
    }

    #[test]
    fn a_call_that_panics_leaves_nothing_current() {
        let mut call = std::pin::pin!(observe(None, async { panic!("boom") }));
        let waker = futures_util::task::noop_waker();
        let polled = catch_unwind(AssertUnwindSafe(|| {
            call.as_mut().poll(&mut Context::from_waker(&waker))
        }));
        assert!(polled.is_err());
        assert!(!in_call());
    }
}

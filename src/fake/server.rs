//! The socket side: accept connections, serve HTTP/1.1 on each with hyper, hand control
//! requests to [`control`] when it is on, record every other request, play the scripted
//! faults, and hand the rest to [`routes`].
//!
//! Connections are served with hyper's own connection builder, so that a fault can close one
//! without answering: a service that fails makes hyper drop the connection.

use std::{
    fmt,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use http::{Request, header, request::Parts};
use http_body_util::{BodyExt, Limited};
use hyper::{
    body::{Bytes, Incoming},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::TokioIo;
use tokio::{
    net::{TcpListener, TcpStream},
    task::JoinSet,
};

use super::{
    answers::Response,
    control::{self, Control},
    faults::{Action, FaultQueue},
    recorded::Recorded,
    routes::{self, Api, Call},
};
use crate::lock::lock;

/// The largest request body read, in bytes (a million participant ids take about 28 MB).
/// A larger body closes the connection.
pub(crate) const MAX_BODY: usize = 256 * 1024 * 1024;

/// What the handle and the connections share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) api: Api,
    pub(crate) faults: Mutex<FaultQueue>,
    pub(crate) log: Mutex<Vec<Recorded>>,
    /// Whether requests are kept for [`FakeProlific::requests`](super::FakeProlific::requests).
    pub(crate) record: bool,
    /// Whether paths under [`control::PREFIX`] are the control endpoint's.
    pub(crate) control: bool,
}

/// Accepts connections until the task is aborted; aborting it also ends every connection
/// (they live in its `JoinSet`).
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, or a connection reset before it was accepted: go on.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        connections.spawn(serve_connection(stream, Arc::clone(&shared)));
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request| handle(Arc::clone(&shared), request));
    // An error here is a client going away or a dropped connection: nothing to report.
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct Hangup;

impl fmt::Display for Hangup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the fake closed the connection")
    }
}

impl std::error::Error for Hangup {}

async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Response, Hangup> {
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, MAX_BODY)
        .collect()
        .await
        .map_err(|_| Hangup)?
        .to_bytes();
    let path = parts.uri.path();
    if shared.control && path.starts_with(control::PREFIX) {
        let control = Control {
            faults: &shared.faults,
            log: &shared.log,
        };
        return Ok(control.answer(&parts.method, path, &body));
    }
    let operation = routes::operation(&parts.method, path);
    let status = Arc::new(OnceLock::new());
    if shared.record {
        lock(&shared.log).push(Recorded {
            method: parts.method.clone(),
            path: path.to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers: parts.headers.clone(),
            body: body.clone(),
            operation,
            status: Arc::clone(&status),
        });
    }
    let fault = lock(&shared.faults).take(operation);
    let response = match fault.map(|fault| fault.action()) {
        Some(Action::Drop) => return Err(Hangup),
        Some(Action::Respond(response)) => response,
        None => truth(&shared.api, &parts, &body),
        Some(Action::Delay(delay)) => {
            // A task of its own, so that the request is carried out even when the client gives
            // up during the wait and hyper drops this future.
            let task = tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let response = truth(&shared.api, &parts, &body);
                let _ = status.set(response.status());
                response
            });
            return task.await.map_err(|_| Hangup);
        }
    };
    let _ = status.set(response.status());
    Ok(response)
}

/// The API's own answer to a request.
fn truth(api: &Api, parts: &Parts, body: &Bytes) -> Response {
    let call = Call {
        method: &parts.method,
        path: parts.uri.path(),
        query: parts.uri.query(),
        authorization: parts.headers.get(header::AUTHORIZATION),
        body,
    };
    api.answer(&call)
}

//! The socket side: accept connections, serve HTTP/1.1 on each with hyper, record every
//! request, play the scripted faults, and hand the rest to [`routes`].
//!
//! Connections are served with hyper's own connection builder, so that a fault can close one
//! without answering: a service that fails makes hyper drop the connection.

use std::{
    fmt,
    sync::{Arc, Mutex},
    time::Duration,
};

use http::{HeaderMap, Method, Request, header};
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
    faults::{Action, FaultQueue},
    routes::{self, Api, Call},
    store::lock,
};

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
}

/// A request as received, kept cheaply (the body is shared, not copied).
#[derive(Debug)]
pub(crate) struct Recorded {
    method: Method,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
}

impl Recorded {
    /// The public view: headers as text, the body parsed when it is JSON.
    pub(crate) fn to_public(&self) -> RecordedRequest {
        RecordedRequest {
            method: self.method.to_string(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect(),
            body: serde_json::from_slice(&self.body).ok(),
            raw_body: self.body.to_vec(),
        }
    }
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

/// A request the fake received, from [`FakeProlific::requests`](super::FakeProlific::requests).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// Such as `POST`.
    pub method: String,
    /// The path as received, percent-encoding kept, such as
    /// `/api/v1/participant-groups/a%2Fb/`.
    pub path: String,
    /// The query string as received (without `?`), if any.
    pub query: Option<String>,
    /// Every header, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON; `None` when it is empty or not JSON.
    pub body: Option<serde_json::Value>,
    /// The body as received.
    pub raw_body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of a header, by case-insensitive name.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = prolific::fake::FakeProlific::start().await?;
    /// let _ = fake.client().participant_groups().get("642ea7ff7639ab670b05a0b5").await;
    /// let request = &fake.requests()[0];
    /// assert_eq!(request.header("Authorization"), Some(format!("Token {}", fake.token()).as_str()));
    /// # Ok(()) }
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
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
    let query = parts.uri.query();
    if shared.record {
        lock(&shared.log).push(Recorded {
            method: parts.method.clone(),
            path: path.to_owned(),
            query: query.map(str::to_owned),
            headers: parts.headers.clone(),
            body: body.clone(),
        });
    }
    let operation = routes::operation(&parts.method, path);
    let fault = lock(&shared.faults).take(operation);
    match fault.map(|fault| fault.action()) {
        Some(Action::Respond(response)) => return Ok(response),
        Some(Action::Drop) => return Err(Hangup),
        Some(Action::Delay(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }
    let call = Call {
        method: &parts.method,
        path,
        query,
        authorization: parts.headers.get(header::AUTHORIZATION),
        body: &body,
    };
    Ok(shared.api.answer(&call))
}

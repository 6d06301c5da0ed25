//! The control endpoint ([`FakeBuilder::control_endpoint`](super::FakeBuilder::control_endpoint)):
//! plain JSON under `/_fake/` to inject faults and read the recorded requests over HTTP, for
//! clients that cannot call [`FakeProlific`](super::FakeProlific)'s methods.
//!
//! | request | answer |
//! | --- | --- |
//! | `POST /_fake/faults` `{"operation": "create_participant_group", "kind": "status=503", "count": 2}` | 201 `{"pending": N}` |
//! | `GET /_fake/faults` | 200 `{"pending": N}` |
//! | `DELETE /_fake/faults` | 204: every pending fault forgotten |
//! | `GET /_fake/requests` | 200 `[{"method", "path", "query", "headers", "body", "raw_body", "operation", "status"}, ...]` |
//! | `DELETE /_fake/requests` | 204: the recorded requests forgotten |
//!
//! `operation` is an `operationId` or `any` (the default), `kind` is read as
//! [`Fault`](super::Fault) is, and `count` is 1 when left out (a throttle, `throttled=8s`,
//! takes none: it lasts for its time). Mistakes answer 400, 404 or
//! 405 with `{"error": "<a sentence>"}`. No token is needed: the fake listens on 127.0.0.1
//! only. Control requests are not recorded and meet no faults.

use std::sync::Mutex;

use http::{HeaderValue, Method, StatusCode, header};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    answers::{Response, json, no_content},
    faults::{FaultQueue, FaultSpec},
    recorded::Recorded,
};
use crate::lock::lock;

/// The reserved path under which the control endpoint answers.
pub(crate) const PREFIX: &str = "/_fake/";

/// What the control endpoint reaches.
pub(crate) struct Control<'a> {
    pub(crate) faults: &'a Mutex<FaultQueue>,
    pub(crate) log: &'a Mutex<Vec<Recorded>>,
}

/// The body of `POST /_fake/faults`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewFault {
    #[serde(default = "any")]
    operation: String,
    kind: String,
    count: Option<usize>,
}

fn any() -> String {
    "any".to_owned()
}

/// A recorded request as the control endpoint writes it.
#[derive(Serialize)]
struct RequestJson {
    method: String,
    path: String,
    query: Option<String>,
    /// `[name, value]` pairs, in the order received.
    headers: Vec<(String, String)>,
    body: Option<Value>,
    /// The body as text (invalid UTF-8 replaced).
    raw_body: String,
    operation: Option<&'static str>,
    status: Option<u16>,
}

impl Control<'_> {
    /// Answers a request whose path starts with [`PREFIX`].
    pub(crate) fn answer(&self, method: &Method, path: &str, request_body: &[u8]) -> Response {
        let name = &path[PREFIX.len()..];
        let allow = match name {
            "faults" => "GET, POST, DELETE",
            "requests" => "GET, DELETE",
            _ => {
                return error(
                    StatusCode::NOT_FOUND,
                    format!("no control path {path}: there are /_fake/faults and /_fake/requests"),
                );
            }
        };
        match (name, method.as_str()) {
            ("faults", "POST") => self.add_fault(request_body),
            ("faults", "GET") => self.pending(StatusCode::OK),
            ("faults", "DELETE") => {
                lock(self.faults).clear();
                no_content()
            }
            ("requests", "GET") => self.requests(),
            ("requests", "DELETE") => {
                lock(self.log).clear();
                no_content()
            }
            _ => {
                let mut response = error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    format!("{path} does not take {method} (it takes {allow})"),
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static(allow));
                response
            }
        }
    }

    fn add_fault(&self, request_body: &[u8]) -> Response {
        let new: NewFault = match serde_json::from_slice(request_body) {
            Ok(new) => new,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "expected {{\"operation\": \"create_participant_group\", \"kind\": \"status=503\", \"count\": 2}}: {e}"
                    ),
                );
            }
        };
        match FaultSpec::from_parts(&new.operation, &new.kind, new.count) {
            Ok(spec) => {
                lock(self.faults).push(spec.operation, spec.count, spec.fault);
                self.pending(StatusCode::CREATED)
            }
            Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
        }
    }

    fn pending(&self, status: StatusCode) -> Response {
        let pending = lock(self.faults).pending();
        json(status, &json!({ "pending": pending }))
    }

    fn requests(&self) -> Response {
        let requests: Vec<RequestJson> = lock(self.log)
            .iter()
            .map(|recorded| {
                let public = recorded.to_public();
                RequestJson {
                    method: public.method,
                    path: public.path,
                    query: public.query,
                    headers: public.headers,
                    body: public.body,
                    raw_body: String::from_utf8_lossy(&public.raw_body).into_owned(),
                    operation: public.operation.map(|o| o.operation_id()),
                    status: public.status.map(|s| s.as_u16()),
                }
            })
            .collect();
        json(StatusCode::OK, &requests)
    }
}

fn error(status: StatusCode, message: String) -> Response {
    json(status, &json!({ "error": message }))
}

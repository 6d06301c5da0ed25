//! The requests the fake received: kept cheaply as they arrive, each with the status it was
//! answered once there is one, and shown as [`RecordedRequest`]s.

use std::sync::{Arc, OnceLock};

use http::{HeaderMap, Method, StatusCode};
use hyper::body::Bytes;

use crate::Operation;

/// A request as received, kept cheaply (the body is shared, not copied).
#[derive(Debug)]
pub(crate) struct Recorded {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) operation: Option<Operation>,
    /// Set once the request is answered; never set for a dropped connection.
    pub(crate) status: Arc<OnceLock<StatusCode>>,
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
            operation: self.operation,
            status: self.status.get().copied(),
        }
    }
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
    /// The operation the method and path are for, whatever the answer (a request with a
    /// wrong token is still for its operation); `None` when they are not one of the API's.
    pub operation: Option<Operation>,
    /// The status answered: the truth's, or a fault's (a truncated body was answered 200).
    /// `None` when the connection was dropped without an answer, or while the answer is
    /// still being made (during a [`Fault::delay`](super::Fault::delay)).
    pub status: Option<StatusCode>,
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

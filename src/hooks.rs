//! The seam between the generated client and the hand-written crate: progenitor's
//! `ClientHooks`, implemented once for the generated [`raw::Client`](crate::raw::Client).

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::generated::Client as RawClient;

/// State the generated client carries for its hooks (progenitor's "inner" value).
#[derive(Clone, Debug, Default)]
pub struct Inner {}

impl ClientHooks<Inner> for RawClient {
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.client().execute(request).await
    }
}

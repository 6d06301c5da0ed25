//! [`Client`] and [`ClientBuilder`]: the token, the base URL, timeouts and retries.

use std::{env::VarError, fmt, sync::Arc, time::Duration};

use progenitor_client::ClientInfo;
use reqwest::{
    Url,
    header::{HeaderMap, HeaderValue, REFERER},
};

use crate::{
    error::{Error, RawResult, Result},
    generated::Client as RawClient,
    hooks::Hooks,
    lock::lock,
    operation::Operation,
    retry::RetryPolicy,
    validate::check_token,
};

/// Prolific's API.
pub const DEFAULT_BASE_URL: &str = "https://api.prolific.com";
/// The environment variable [`Client::from_env`] reads the token from (required).
pub const TOKEN_ENV: &str = "PROLIFIC_TOKEN";
/// The environment variable [`Client::from_env`] reads the base URL from (optional).
pub const URL_ENV: &str = "PROLIFIC_URL";
/// How long a whole request may take by default, from sending to the end of the body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long making a connection may take by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The `Referer` sent by default: Prolific asks libraries to name themselves and their
/// version with it (API reference, Introduction). An application can send its own URL with
/// [`ClientBuilder::referer`].
pub const DEFAULT_REFERER: &str = concat!(
    "https://crates.io/crates/prolific/",
    env!("CARGO_PKG_VERSION")
);

/// A client for Prolific's participant-groups API.
///
/// Cheap to clone (the clones share one connection pool) and `Send + Sync`, so build one and
/// pass it around.
///
/// ```no_run
/// # async fn run() -> prolific::Result<()> {
/// let client = prolific::Client::new("my-token")?;
/// let group = client.participant_groups().get("642ea7ff7639ab670b05a0b5").await?;
/// println!("{} has {:?} members", group.name, group.participant_count);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    raw: Arc<RawClient>,
}

impl Client {
    /// A client for `https://api.prolific.com` with this token and the default settings.
    ///
    /// Fails with [`Error::Config`] when the token is empty or not valid in a header.
    pub fn new(token: impl Into<String>) -> Result<Self> {
        Client::builder().token(token).build()
    }

    /// A builder to set the base URL, timeouts, user agent and retries.
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = prolific::Client::builder()
    ///     .token("my-token")
    ///     .base_url("https://api.prolific.com")
    ///     .timeout(Duration::from_secs(60))
    ///     .build()?;
    /// # Ok::<(), prolific::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: the token from `PROLIFIC_TOKEN` (required)
    /// and the base URL from `PROLIFIC_URL` (optional; unset or empty means
    /// `https://api.prolific.com`). A bad value fails with [`Error::Config`] naming the variable.
    ///
    /// ```no_run
    /// let client = prolific::Client::from_env()?;
    /// # Ok::<(), prolific::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_env()?.build()
    }

    /// The generated client underneath, for calls the wrapper does not offer. It sends the
    /// token and retries like this client.
    pub fn raw(&self) -> &RawClient {
        &self.raw
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.raw.baseurl()
    }

    /// How many retries this client and its clones have made so far.
    pub fn retries(&self) -> u32 {
        self.raw.inner().retry_count()
    }

    /// Makes one call of the generated client for `operation` (`send`, given the client to
    /// call) and maps its error to an [`Error`]. The call runs on a copy of the generated
    /// client made for it, whose hooks note what its last attempt came to.
    pub(crate) async fn call<T>(
        &self,
        operation: Operation,
        send: impl AsyncFnOnce(&RawClient) -> RawResult<T>,
    ) -> Result<T> {
        let (inner, last) = self.raw.inner().for_one_call();
        let raw = RawClient::new_with_client(self.base_url(), self.raw.client().clone(), inner);
        match send(&raw).await {
            Ok(value) => Ok(value.into_inner()),
            Err(error) => {
                let last = *lock(&last);
                let error = Error::from_raw(operation, error, last).await;
                match base_url_hint(self.base_url()) {
                    Some(hint) if error.is_not_found() => Err(error.with_hint(hint)),
                    _ => Err(error),
                }
            }
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("token", &"<redacted>")
            .field("retry", &self.raw.inner().retry_policy())
            .finish()
    }
}

/// Builds a [`Client`]. Every setting has a default except the token.
///
/// | setting | default |
/// | --- | --- |
/// | [`base_url`](Self::base_url) | `https://api.prolific.com` |
/// | [`timeout`](Self::timeout) | 30 s per request |
/// | [`connect_timeout`](Self::connect_timeout) | 10 s |
/// | [`user_agent`](Self::user_agent) | `prolific-rust/<version>` |
/// | [`referer`](Self::referer) | `https://crates.io/crates/prolific/<version>` |
/// | [`max_retries`](Self::max_retries) | 2 (see [`RetryPolicy`]) |
/// | [`allow_insecure_http`](Self::allow_insecure_http) | off: `http://` only to loopback |
#[derive(Clone, Default)]
#[must_use]
pub struct ClientBuilder {
    token: Option<String>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    referer: Option<String>,
    retry: RetryPolicy,
    allow_insecure_http: bool,
    /// The environment variable the token came from, if it did, for messages about it.
    token_from: Option<&'static str>,
    /// The environment variable the base URL came from, if it did, for messages about it.
    url_from: Option<&'static str>,
}

impl ClientBuilder {
    /// A builder holding `PROLIFIC_TOKEN` and, when set and not empty, `PROLIFIC_URL`; other
    /// settings can still be changed before [`build`](Self::build).
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_vars(std::env::var(TOKEN_ENV), std::env::var(URL_ENV))
    }

    /// What [`from_env`](Self::from_env) makes of the two variables, as `std::env::var` read
    /// them. Errors about their values (checked by [`build`](Self::build)) name the variable.
    fn from_vars(
        token: std::result::Result<String, VarError>,
        url: std::result::Result<String, VarError>,
    ) -> Result<Self> {
        let token = match token {
            Ok(token) => token,
            Err(VarError::NotPresent) => {
                return Err(Error::Config(format!(
                    "the environment variable {TOKEN_ENV} is not set; set it to your Prolific API token"
                )));
            }
            Err(VarError::NotUnicode(_)) => {
                return Err(Error::Config(format!(
                    "the environment variable {TOKEN_ENV} is not valid Unicode; set it to your Prolific API token"
                )));
            }
        };
        let mut builder = Client::builder().token(token);
        builder.token_from = Some(TOKEN_ENV);
        match url {
            // Set but empty means the default, as unset does.
            Ok(url) if url.trim().is_empty() => {}
            Ok(url) => {
                builder = builder.base_url(url);
                builder.url_from = Some(URL_ENV);
            }
            Err(VarError::NotPresent) => {}
            Err(VarError::NotUnicode(_)) => {
                return Err(Error::Config(format!(
                    "the environment variable {URL_ENV} is not valid Unicode; set it to a URL, or \
                     unset it for {DEFAULT_BASE_URL}"
                )));
            }
        }
        Ok(builder)
    }

    /// The API token, sent as `Authorization: Token <token>`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self.token_from = None;
        self
    }

    /// Where the API is, such as `https://api.prolific.com` or a local server: without the
    /// `/api/v1` path, which the client adds itself.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self.url_from = None;
        self
    }

    /// How long a whole request may take, from sending it to reading the end of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long making a connection may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The `Referer` header: a URL that names the application, as Prolific's docs suggest
    /// for apps (by default [`DEFAULT_REFERER`], naming this crate and its version).
    pub fn referer(mut self, url: impl Into<String>) -> Self {
        self.referer = Some(url.into());
        self
    }

    /// How many times a request that failed other than by a 429 is retried (`0` turns those
    /// retries off; a 429 has a patience of its own, [`RetryPolicy::max_throttle_wait`]).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry = self.retry.max_retries(retries);
        self
    }

    /// The whole retry policy (back-off base and cap, `Retry-After` cap, patience for 429s;
    /// [`RetryPolicy::none`] sends every request once).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Allows `http://` to hosts other than loopback. Off by default: the token would cross
    /// the network in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Builds the client. Fails with [`Error::Config`] for a missing or malformed token or a
    /// base URL that is not usable.
    pub fn build(self) -> Result<Client> {
        let token = self.token.ok_or_else(|| {
            Error::Config(format!(
                "no API token: call ClientBuilder::token or set {TOKEN_ENV}"
            ))
        })?;
        check_token(&token, self.token_from)?;
        let base_url = check_base_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            self.allow_insecure_http,
            self.url_from,
        )?;
        // `check_token` refuses what a header cannot carry, so this fails only if the two
        // disagree.
        let inner = Hooks::new(&token, self.retry).map_err(|_| {
            Error::Config("the API token contains characters not allowed in a header".into())
        })?;

        let referer = self.referer.as_deref().unwrap_or(DEFAULT_REFERER);
        let referer = Url::parse(referer)
            .ok()
            .and_then(|url| HeaderValue::from_str(url.as_str()).ok())
            .ok_or_else(|| Error::Config(format!("the referer {referer:?} is not a URL")))?;

        install_tls_provider();
        let http = reqwest::Client::builder()
            .default_headers(HeaderMap::from_iter([(REFERER, referer)]))
            // Keep that `Referer` after a redirect, rather than the URL redirected from.
            .referer(false)
            .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .user_agent(
                self.user_agent
                    .unwrap_or_else(|| concat!("prolific-rust/", env!("CARGO_PKG_VERSION")).into()),
            )
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            raw: Arc::new(RawClient::new_with_client(&base_url, http, inner)),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("referer", &self.referer)
            .field("retry", &self.retry)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

/// Checks a base URL and returns it without a trailing slash (the generated client appends
/// `/api/v1/...`). `from` is the environment variable it came from, if it did.
fn check_base_url(url: &str, allow_insecure_http: bool, from: Option<&str>) -> Result<String> {
    let from = from.map(|var| format!(" in {var}")).unwrap_or_default();
    let bad = |why: &str| Error::Config(format!("the base URL {url:?}{from} {why}"));
    let parsed = Url::parse(url).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&parsed) => {}
        "http" => {
            return Err(bad(
                "uses plain http to a host that is not loopback, which would send the token in \
                 clear text; use https, or ClientBuilder::allow_insecure_http(true) if you must",
            ));
        }
        _ => {
            return Err(bad(
                "must start with https:// (or http:// for a local server)",
            ));
        }
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad("must not have a query or a fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("must not carry credentials"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// What to say with a 404 when the base URL ends in `/api/v1` or `/api`: the generated client
/// adds `/api/v1/...` to the base URL, so such a base URL asks for paths that do not exist.
/// The URL stays accepted, as a server may well live under such a prefix.
fn base_url_hint(base_url: &str) -> Option<String> {
    let url = Url::parse(base_url).ok()?;
    let path = url.path().trim_end_matches('/').to_ascii_lowercase();
    let extra = ["/api/v1", "/api"]
        .into_iter()
        .find(|extra| path.ends_with(extra))?;
    Some(format!(
        "the base URL {base_url} ends in {extra}; give it without that path: the client adds \
         /api/v1/... itself"
    ))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// With the `rustls` feature, reqwest is built without a crypto provider; install `ring` as
/// the process default unless the application installed one already.
fn install_tls_provider() {
    #[cfg(feature = "rustls")]
    {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalised() {
        assert_eq!(
            check_base_url("https://api.prolific.com/", false, None).unwrap(),
            "https://api.prolific.com"
        );
        assert_eq!(
            check_base_url("http://127.0.0.1:8080", false, None).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            check_base_url("http://localhost:1/prefix/", false, None).unwrap(),
            "http://localhost:1/prefix"
        );
        assert_eq!(
            check_base_url("http://[::1]:9", false, None).unwrap(),
            "http://[::1]:9"
        );
        assert!(
            check_base_url("http://example.com", false, None)
                .unwrap_err()
                .to_string()
                .contains("clear text")
        );
        assert_eq!(
            check_base_url("http://example.com", true, None).unwrap(),
            "http://example.com"
        );
        assert!(check_base_url("ftp://example.com", false, None).is_err());
        assert!(check_base_url("api.prolific.com", false, None).is_err());
        assert!(check_base_url("https://api.prolific.com/?x=1", false, None).is_err());
        assert!(check_base_url("https://user:pw@api.prolific.com", false, None).is_err());
    }
}

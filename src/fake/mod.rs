//! A working Prolific on `127.0.0.1`, in memory, for tests, examples and benchmarks.
//!
//! [`FakeProlific`] serves the nine operations (eight on participant groups, and the message
//! to a group) over real HTTP, with the rules of the real API. It can be told to misbehave
//! ([`Fault`]), asked what it was sent ([`FakeProlific::requests`]), what it holds
//! ([`FakeProlific::groups`]) and which messages it passed on ([`FakeProlific::messages`]).
//! It speaks HTTP only: any client can use it, and the crate's [`Client`](crate::Client)
//! talks to it exactly as to Prolific.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> prolific::Result<()> {
//! use prolific::{Owner, fake::{FakeProlific, Fault}};
//!
//! let fake = FakeProlific::start().await?;
//! let groups = fake.client().participant_groups();
//! let group = groups
//!     .create(Owner::workspace("5e9b9c9b0f9c9a0001b1ca2f"), "Pilot")
//!     .send()
//!     .await?;
//! groups.add_participants(&group.id, ["p1", "p2"]).await?;
//! assert_eq!(fake.group(&group.id).unwrap().members.len(), 2);
//!
//! // The next request is answered 503; the client retries and succeeds.
//! fake.inject(Fault::status(503).unwrap());
//! assert_eq!(groups.get(&group.id).await?.participant_count, Some(2));
//! assert_eq!(fake.requests().len(), 4);
//! # Ok(()) }
//! ```
//!
//! Run it on its own with `cargo run --example fake_server --features fake` (`-- --help` for
//! its options, faults at start and its control endpoint: [`FakeBuilder::control_endpoint`]).
//!
//! # What it does
//!
//! * Every request needs `Authorization: Token <token>`; this is checked first, on every path.
//! * Paths are the spec's, trailing slash included; a group id is one path segment, and
//!   percent-encoding in it is decoded.
//! * Create answers 201 with the group; delete answers 204 with no body. A delete is soft: the
//!   group stays readable with `is_deleted: true`, and deleting it again answers 204 again.
//! * The group list needs exactly one of `workspace_id` and `project_id`. `active=true` lists
//!   live groups, `active=false` deleted ones, no `active` both. Groups come in creation
//!   order, `limit` (absent or 0: the default page size, 10 unless
//!   [`FakeBuilder::default_page_size`] says otherwise) and `offset` page them, and every
//!   page carries `_links` (`self`, `next`, `previous`, `last`: absolute URLs with the same
//!   filter, `href` null when there is no such page) and `meta.count`. Groups belong to no
//!   project (`project_id` is deprecated and always null), so a project's list is empty.
//! * Add ignores participants already in the group, remove ignores those not in it; both
//!   answer `{"results": [...]}` with every member afterwards, in join order. Update's
//!   `participant_ids` overwrites the membership (`[]` empties it; absent or null leaves it
//!   alone). A member's `datetime_created` is set when they join and kept while they stay.
//! * A message to a group answers 204 and is kept for [`FakeProlific::messages`]; it needs
//!   `participant_group_id` and `body` (neither blank) and takes an optional `study_id`. An
//!   unknown group is a 404.
//! * Ids are not checked for format: any string is a participant id.
//! * A request body is checked before the group is looked up.
//!
//! # Errors
//!
//! Errors come in Prolific's envelope, `{"error": {"status", "error_code", "title",
//! "detail", "additional_information", "traceback": null, "interactive": false}}`, with
//! these codes:
//!
//! | status | `error_code` | when | `detail` |
//! | --- | --- | --- | --- |
//! | 400 | 140001 | a field of the body or the query is wrong | `{"field": ["message", ...]}` |
//! | 400 | 140002 | the body is empty, not JSON, or not a JSON object | a sentence |
//! | 401 | 140101 | no `Authorization` header, or a wrong token | a sentence |
//! | 404 | 140404 | no such group, or a path that is not the API's | a sentence |
//! | 405 | 140405 | a method the path does not have (with an `Allow` header) | a sentence |
//! | 429 | 140429 | [`Fault::rate_limited`], [`Fault::throttled`] | a sentence |
//! | any | 149000 + status | [`Fault::status`], such as 149503 | a sentence |
//!
//! The field messages are Django REST framework's: `This field is required.`, `This field
//! may not be blank.`, `This field may not be null.`, `Not a valid string.`, and so on.
//! Create refuses a missing, blank or non-string `name`, neither or both of `workspace_id`
//! and `organisation_id` (both fields then carry the message), and a `participant_ids` that
//! is not a list of strings. Update refuses a blank `name` and a bad `participant_ids`. Add
//! and remove require `participant_ids`. A message refuses a missing or blank
//! `participant_group_id` or `body`. The list refuses neither or both of `workspace_id`
//! and `project_id`, a `limit` or `offset` that is not a non-negative integer, and an
//! `active` that is not `true` or `false`.

mod answers;
mod control;
mod faults;
mod input;
mod recorded;
mod routes;
mod server;
mod store;

use std::{
    fmt,
    net::{Ipv4Addr, SocketAddr},
    sync::{Arc, Mutex},
};

use tokio::{net::TcpListener, task::JoinHandle};

pub use crate::Operation;
pub use faults::{Fault, FaultSpec, ParseFaultError, RetryAfter};
pub use recorded::RecordedRequest;

/// A message sent to a group, as the fake received it ([`FakeProlific::messages`]).
pub use crate::types::GroupMessage;

use crate::{Error, lock::lock, random::random_u64, types};
use answers::GroupJson;
use recorded::Recorded;
use routes::Api;
use server::Shared;
use store::{Group, NewGroup, Owner, Store};

/// The page size the fake answers a group list request without `limit` with, unless
/// [`FakeBuilder::default_page_size`] sets another. (The client always sends a `limit`:
/// [`crate::DEFAULT_PAGE_SIZE`] unless told otherwise.)
pub const DEFAULT_LIMIT: usize = 10;

/// A running fake Prolific. Stops when dropped (or with [`shutdown`](Self::shutdown)).
///
/// Must be started inside a Tokio runtime; the server runs as tasks of that runtime.
pub struct FakeProlific {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl FakeProlific {
    /// Starts a fake on `127.0.0.1` at a free port, with a random token.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// let fake = prolific::fake::FakeProlific::start().await?;
    /// assert!(fake.base_url().starts_with("http://127.0.0.1:"));
    /// # Ok(()) }
    /// ```
    ///
    /// Fails with [`Error::Config`] when no port is free.
    pub async fn start() -> crate::Result<FakeProlific> {
        FakeProlific::builder().start().await
    }

    /// A builder to choose the token, the port, the default page size, and whether to serve
    /// the control endpoint.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// let fake = prolific::fake::FakeProlific::builder()
    ///     .token("secret")
    ///     .default_page_size(3)
    ///     .start()
    ///     .await?;
    /// assert_eq!(fake.token(), "secret");
    /// # Ok(()) }
    /// ```
    pub fn builder() -> FakeBuilder {
        FakeBuilder::default()
    }

    /// Where the fake listens, such as `http://127.0.0.1:49152` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.shared.api.base_url
    }

    /// The address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token the fake accepts, as in `Authorization: Token <token>`.
    pub fn token(&self) -> &str {
        &self.shared.api.token
    }

    /// A [`Client`](crate::Client) for this fake, with the default settings (retries
    /// included). Build one with [`Client::builder`](crate::Client::builder),
    /// [`base_url`](Self::base_url) and [`token`](Self::token) for other settings.
    ///
    /// # Panics
    ///
    /// When the HTTP client cannot be built (the TLS backend fails to initialise).
    pub fn client(&self) -> crate::Client {
        crate::Client::builder()
            .base_url(self.base_url())
            .token(self.token())
            .build()
            .unwrap_or_else(|e| panic!("cannot build a client for the fake Prolific: {e}"))
    }

    /// Stops the server and waits until it no longer accepts connections.
    pub async fn shutdown(mut self) {
        self.server.abort();
        // Aborting drops the accept loop and, with it, every open connection.
        let _ = (&mut self.server).await;
    }

    /// The next request, whatever it is for, meets `fault`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// use prolific::fake::{FakeProlific, Fault};
    /// let fake = FakeProlific::start().await?;
    /// fake.inject(Fault::status(502).unwrap());
    /// let client = prolific::Client::builder()
    ///     .base_url(fake.base_url())
    ///     .token(fake.token())
    ///     .max_retries(0)
    ///     .build()
    ///     .unwrap();
    /// let error = client.participant_groups().get("642ea7ff7639ab670b05a0b5").await.unwrap_err();
    /// assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    /// # Ok(()) }
    /// ```
    pub fn inject(&self, fault: Fault) {
        self.inject_n(1, fault);
    }

    /// The next `n` requests, whatever they are for, meet `fault` (a
    /// [throttle](Fault::throttled) meets them for its time instead, whatever `n` is).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// use std::time::Duration;
    /// use prolific::fake::{FakeProlific, Fault};
    /// let fake = FakeProlific::start().await?;
    /// let id = fake.seed_group("5e9b9c9b0f9c9a0001b1ca2f", "Pilot");
    /// // Every request for the next second is answered 429, as Prolific does under contention.
    /// fake.inject_n(1, Fault::throttled(Duration::from_secs(1)));
    /// let group = fake.client().participant_groups().get(&id).await?; // waits it out
    /// assert_eq!(group.name, "Pilot");
    /// # Ok(()) }
    /// ```
    pub fn inject_n(&self, n: usize, fault: Fault) {
        lock(&self.shared.faults).push(None, n, fault);
    }

    /// The next `n` requests of `operation` meet `fault` (a [throttle](Fault::throttled), every
    /// request of `operation` for its time); other requests pass untouched.
    ///
    /// Faults are taken in the order they were injected, one per request they apply to.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// use prolific::fake::{FakeProlific, Fault, Operation};
    /// let fake = FakeProlific::start().await?;
    /// fake.inject_on(Operation::AddMembers, 2, Fault::rate_limited_after_secs(1));
    /// assert_eq!(fake.faults_pending(), 2);
    /// # Ok(()) }
    /// ```
    pub fn inject_on(&self, operation: Operation, n: usize, fault: Fault) {
        lock(&self.shared.faults).push(Some(operation), n, fault);
    }

    /// The next `spec.count` requests of `spec.operation` (of any operation when `None`)
    /// meet `spec.fault`: [`inject_on`](Self::inject_on) or [`inject_n`](Self::inject_n)
    /// from a spec read from text.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use prolific::fake::FakeProlific;
    /// let fake = FakeProlific::start().await?;
    /// fake.inject_spec("create_participant_group:status=503:2".parse()?);
    /// assert_eq!(fake.faults_pending(), 2);
    /// # Ok(()) }
    /// ```
    pub fn inject_spec(&self, spec: FaultSpec) {
        lock(&self.shared.faults).push(spec.operation, spec.count, spec.fault);
    }

    /// How many requests will still meet an injected fault; a throttle not yet over counts as
    /// one.
    pub fn faults_pending(&self) -> usize {
        lock(&self.shared.faults).pending()
    }

    /// Forgets every injected fault not yet met.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Every request received so far (unless [`FakeBuilder::record_requests`] turned this
    /// off), oldest first, faulted ones included.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log)
            .iter()
            .map(Recorded::to_public)
            .collect()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// The messages sent to groups, oldest first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// let fake = prolific::fake::FakeProlific::start().await?;
    /// let id = fake.seed_group("5e9b9c9b0f9c9a0001b1ca2f", "Session 1");
    /// fake.client().participant_groups().message(&id, "Session 2 opens tomorrow").await?;
    /// let sent = fake.messages();
    /// assert_eq!(sent[0].participant_group_id, id);
    /// assert_eq!(sent[0].body, "Session 2 opens tomorrow");
    /// assert_eq!(sent[0].study_id, None);
    /// # Ok(()) }
    /// ```
    pub fn messages(&self) -> Vec<GroupMessage> {
        lock(&self.shared.api.store).messages().to_vec()
    }

    /// A group and its members, deleted or not; `None` for an unknown id.
    pub fn group(&self, id: &str) -> Option<GroupState> {
        lock(&self.shared.api.store).get(id).map(group_state)
    }

    /// Every group the fake holds, deleted ones included, in creation order: those seeded,
    /// and those created over HTTP (even by a request whose client had given up).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// let fake = prolific::fake::FakeProlific::start().await?;
    /// let ids = fake.seed_groups("5e9b9c9b0f9c9a0001b1ca2f", 2);
    /// fake.client().participant_groups().delete(&ids[0]).await?;
    /// let groups = fake.groups();
    /// assert_eq!(groups.len(), 2);
    /// assert_eq!(groups[0].group.is_deleted, Some(true));
    /// # Ok(()) }
    /// ```
    pub fn groups(&self) -> Vec<GroupState> {
        lock(&self.shared.api.store)
            .iter()
            .map(group_state)
            .collect()
    }

    /// Creates `n` empty groups in a workspace, named `Group 1` to `Group <n>`, without HTTP;
    /// returns their ids in creation order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// let fake = prolific::fake::FakeProlific::start().await?;
    /// let ids = fake.seed_groups("5e9b9c9b0f9c9a0001b1ca2f", 25);
    /// assert_eq!(ids.len(), 25);
    /// assert_eq!(fake.group(&ids[24]).unwrap().group.name, "Group 25");
    /// # Ok(()) }
    /// ```
    pub fn seed_groups(&self, workspace_id: &str, n: usize) -> Vec<String> {
        self.seed_groups_named(workspace_id, (1..=n).map(|i| format!("Group {i}")))
    }

    /// Creates an empty group of this name in a workspace, without HTTP; returns its id.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// let fake = prolific::fake::FakeProlific::start().await?;
    /// let id = fake.seed_group("5e9b9c9b0f9c9a0001b1ca2f", "Pilot");
    /// assert_eq!(fake.group(&id).unwrap().group.name, "Pilot");
    /// # Ok(()) }
    /// ```
    pub fn seed_group(&self, workspace_id: &str, name: impl Into<String>) -> String {
        self.seed_groups_named(workspace_id, [name]).remove(0)
    }

    /// Creates an empty group for each name in a workspace, without HTTP; returns their ids
    /// in creation order (the order of `names`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// let fake = prolific::fake::FakeProlific::start().await?;
    /// let ids = fake.seed_groups_named("5e9b9c9b0f9c9a0001b1ca2f", ["Pilot", "Main"]);
    /// assert_eq!(fake.group(&ids[1]).unwrap().group.name, "Main");
    /// # Ok(()) }
    /// ```
    pub fn seed_groups_named<I>(&self, workspace_id: &str, names: I) -> Vec<String>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let mut store = lock(&self.shared.api.store);
        names
            .into_iter()
            .map(|name| {
                let new = NewGroup {
                    name: name.into(),
                    owner: Owner::Workspace(workspace_id.to_owned()),
                    description: None,
                    participant_ids: Vec::new(),
                };
                store.create(new).id.clone()
            })
            .collect()
    }

    /// Adds participants to a group without HTTP (those already in it are ignored), such as
    /// a million for a benchmark; returns the number of members afterwards, or `None` for an
    /// unknown group.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// let fake = prolific::fake::FakeProlific::start().await?;
    /// let [id] = <[String; 1]>::try_from(fake.seed_groups("w", 1)).unwrap();
    /// let ids = (0..1000).map(|i| format!("{i:024x}"));
    /// assert_eq!(fake.seed_members(&id, ids), Some(1000));
    /// # Ok(()) }
    /// ```
    pub fn seed_members<I>(&self, group_id: &str, ids: I) -> Option<usize>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let mut store = lock(&self.shared.api.store);
        let ids = ids.into_iter().map(Into::into).collect();
        store
            .add_members(group_id, ids)
            .map(|group| group.members.len())
    }
}

impl Drop for FakeProlific {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl fmt::Debug for FakeProlific {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeProlific")
            .field("base_url", &self.base_url())
            .field("token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Builds a [`FakeProlific`]: [`FakeProlific::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct FakeBuilder {
    token: Option<String>,
    port: u16,
    page_size: usize,
    record: bool,
    control: bool,
}

impl Default for FakeBuilder {
    fn default() -> Self {
        FakeBuilder {
            token: None,
            port: 0,
            page_size: DEFAULT_LIMIT,
            record: true,
            control: false,
        }
    }
}

impl FakeBuilder {
    /// The token to accept (default: a random one).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The port to listen on (default 0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The page size of a group list request without `limit` (default
    /// [`DEFAULT_LIMIT`]; 0 counts as 1). Small on purpose: a client that forgets to
    /// page sees only the first page.
    pub fn default_page_size(mut self, size: usize) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// Whether to keep every request for [`FakeProlific::requests`] (default on). Turn it off
    /// for long benchmarks, whose request bodies would otherwise pile up.
    pub fn record_requests(mut self, record: bool) -> Self {
        self.record = record;
        self
    }

    /// Whether to serve the control endpoint (default off): plain JSON under `/_fake/` to
    /// inject faults and read the recorded requests over HTTP, for clients in other
    /// languages. With it on, paths under `/_fake/` are no longer the API's 404s.
    ///
    /// | request | answer |
    /// | --- | --- |
    /// | `POST /_fake/faults` with `{"operation": "create_participant_group", "kind": "status=503", "count": 2}` | 201 `{"pending": N}` |
    /// | `GET /_fake/faults` | 200 `{"pending": N}`: how many requests will still meet a fault |
    /// | `DELETE /_fake/faults` | 204: every pending fault forgotten |
    /// | `GET /_fake/requests` | 200: the recorded requests, oldest first, as a JSON list |
    /// | `DELETE /_fake/requests` | 204: the recorded requests forgotten |
    ///
    /// A fault's `operation` is an `operationId` or `any` (the default), its `kind` is read
    /// as a [`Fault`] is (`status=503`, `rate-limited=2`, `throttled=8s`, `delay=200`, `drop`,
    /// `truncated`, `html=502`), and `count` is 1 when left out (a throttle takes none): see
    /// [`FaultSpec`]. Each recorded request
    /// is `{"method", "path", "query", "headers": [[name, value], ...], "body" (JSON or
    /// null), "raw_body" (text), "operation" (an operationId or null), "status" (a number, or
    /// null for a dropped connection)}`. Mistakes answer 400, 404 or 405 with
    /// `{"error": "<a sentence>"}`.
    ///
    /// The control endpoint needs no token (the fake listens on 127.0.0.1 only), and its
    /// requests are neither recorded nor met by faults.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> prolific::Result<()> {
    /// let fake = prolific::fake::FakeProlific::builder()
    ///     .control_endpoint(true)
    ///     .start()
    ///     .await?;
    /// // Then, from any HTTP client:
    /// // POST {base_url}/_fake/faults {"operation": "any", "kind": "drop"}
    /// # let _ = fake;
    /// # Ok(()) }
    /// ```
    pub fn control_endpoint(mut self, on: bool) -> Self {
        self.control = on;
        self
    }

    /// Binds `127.0.0.1:<port>` and starts serving.
    ///
    /// Fails with [`Error::Config`] when the port cannot be bound, or when the token is empty
    /// or cannot appear in an HTTP header.
    pub async fn start(self) -> crate::Result<FakeProlific> {
        let token = self.token.unwrap_or_else(random_token);
        // The client's own check (not blank, valid in a header), then Django REST framework's
        // rule, which the fake follows: `Token <token>` cannot carry a token with a space.
        crate::validate::check_token(&token, None)?;
        if token.contains(' ') {
            return Err(Error::Config(
                "the fake Prolific's token must not contain spaces (Prolific refuses them)"
                    .to_owned(),
            ));
        }
        let port = match self.port {
            0 => "a free port".to_owned(),
            port => format!("port {port}"),
        };
        let cannot_start = |e: std::io::Error| {
            Error::Config(format!(
                "cannot start the fake Prolific on 127.0.0.1, {port}: {e}"
            ))
        };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))
            .await
            .map_err(cannot_start)?;
        let addr = listener.local_addr().map_err(cannot_start)?;
        let shared = Arc::new(Shared {
            api: Api {
                token,
                base_url: format!("http://{addr}"),
                page_size: self.page_size,
                store: Mutex::new(Store::default()),
            },
            faults: Mutex::default(),
            log: Mutex::default(),
            record: self.record,
            control: self.control,
        });
        let server = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        Ok(FakeProlific {
            shared,
            addr,
            server,
        })
    }
}

/// A group and its members, from [`FakeProlific::group`] and [`FakeProlific::groups`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct GroupState {
    /// The group, as the API would answer it.
    pub group: types::ParticipantGroup,
    /// Its members, in join order.
    pub members: Vec<types::Membership>,
}

/// The public view of a group of the store.
fn group_state(group: &Group) -> GroupState {
    let json = serde_json::to_value(GroupJson::from(group))
        .and_then(serde_json::from_value)
        .unwrap_or_else(|e| panic!("the fake's group JSON does not fit the spec: {e}"));
    let members = group
        .members
        .iter()
        // Through the builder, so that a field the spec adds later needs no edit here.
        .map(|member| {
            types::Membership::builder()
                .participant_id(member.id.to_string())
                .datetime_created(Some(member.joined))
                .try_into()
                .expect("a member has both of a membership's fields")
        })
        .collect();
    GroupState {
        group: json,
        members,
    }
}

/// 32 random hex digits.
fn random_token() -> String {
    format!("{:016x}{:016x}", random_u64(), random_u64())
}

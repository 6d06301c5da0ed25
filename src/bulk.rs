//! Bulk membership changes: de-duplication, sequential chunks, progress, and a report of
//! exactly what was applied when a chunk fails.
//!
//! Prolific documents no cap on ids per request, but recommends at most 1,000 ids per request
//! and sequential rather than parallel batches for its other bulk endpoints; those are the
//! defaults here.
//!
//! Built for large inputs: ids the caller lends stay borrowed (the change holds `Cow`s), each
//! chunk's body is built while the previous chunk is in flight, and the ids are copied once,
//! into the request bodies.

use std::{
    borrow::Cow,
    fmt,
    future::{Future, IntoFuture},
    marker::PhantomData,
    pin::Pin,
    sync::Arc,
};

use futures_util::future::join;

use crate::{
    error::{BulkError, Error, RawResult, Result, call_with_body},
    generated::Client as RawClient,
    groups::ParticipantGroups,
    input::{CheckedIds, check_group_id},
    types::{self, Membership, ParticipantGroup},
};

/// The number of ids sent per request unless `.chunk_size(n)` says otherwise.
pub const DEFAULT_CHUNK_SIZE: usize = 1_000;

/// How far a bulk change has got, passed to the `.on_progress` callback after each chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Chunks applied so far.
    pub chunks_done: usize,
    /// Chunks in all.
    pub chunks_total: usize,
    /// Ids applied so far (after de-duplication).
    pub ids_done: usize,
    /// Ids in all (after de-duplication).
    pub ids_total: usize,
}

type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// A bulk membership change, configured by its kind `K`. Use it through its aliases
/// [`AddParticipants`], [`RemoveParticipants`] and [`ReplaceParticipants`], and `.await` it.
///
/// It borrows the ids it was given (`'a`) until it completes; give owned `String`s for a
/// change that must be `'static` (to spawn it, say).
#[must_use = "a membership change does nothing until it is awaited"]
pub struct BulkChange<'a, K> {
    groups: ParticipantGroups,
    group_id: String,
    ids: Result<CheckedIds<'a>>,
    chunk_size: usize,
    progress: Option<ProgressFn>,
    kind: PhantomData<K>,
}

/// Adds participants, from [`ParticipantGroups::add_participants`]; resolves to every member
/// afterwards.
pub type AddParticipants<'a> = BulkChange<'a, Add>;
/// Removes participants, from [`ParticipantGroups::remove_participants`]; resolves to every
/// member afterwards.
pub type RemoveParticipants<'a> = BulkChange<'a, Remove>;
/// Replaces the membership, from [`ParticipantGroups::replace_participants`]; resolves to the
/// group.
///
/// Up to one chunk of ids, the replacement is one PATCH and readers see the old membership,
/// then the new one. With more ids, the first chunk replaces the membership (PATCH) and the
/// rest are added chunk by chunk (POST), so meanwhile readers see the first chunk's
/// participants, then a growing subset of the new membership, and finally exactly `ids`. If
/// a chunk fails, the group holds exactly the chunks before it, and the error says which ids
/// are missing.
pub type ReplaceParticipants<'a> = BulkChange<'a, Replace>;

/// The kind of a [`BulkChange`] that adds participants.
#[derive(Debug)]
pub enum Add {}
/// The kind of a [`BulkChange`] that removes participants.
#[derive(Debug)]
pub enum Remove {}
/// The kind of a [`BulkChange`] that replaces the membership.
#[derive(Debug)]
pub enum Replace {}

impl<'a, K> BulkChange<'a, K> {
    pub(crate) fn new(
        groups: ParticipantGroups,
        group_id: &str,
        ids: Result<CheckedIds<'a>>,
    ) -> Self {
        BulkChange {
            groups,
            group_id: group_id.to_owned(),
            ids,
            chunk_size: DEFAULT_CHUNK_SIZE,
            progress: None,
            kind: PhantomData,
        }
    }

    /// How many ids to send per request (default 1,000).
    pub fn chunk_size(mut self, size: usize) -> Self {
        self.chunk_size = size;
        self
    }

    /// Called after each chunk is applied.
    pub fn on_progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Checks the input and returns the ids.
    fn prepare(&mut self, ids_required: bool) -> Result<CheckedIds<'a>> {
        check_group_id(&self.group_id)?;
        if self.chunk_size == 0 {
            return Err(Error::invalid("chunk size", "is zero"));
        }
        let ids = std::mem::replace(&mut self.ids, Ok(CheckedIds::default()))?;
        if ids_required && ids.ids.is_empty() {
            return Err(Error::invalid(
                "participant ids",
                "are missing: give at least one id",
            ));
        }
        Ok(ids)
    }

    fn run<'r>(&'r self, operation: &'static str, ids: &'r CheckedIds<'a>) -> Run<'r, 'a> {
        Run {
            operation,
            group_id: &self.group_id,
            ids: &ids.ids,
            plain: ids.plain,
            chunk_size: self.chunk_size,
            progress: self.progress.as_ref(),
        }
    }
}

impl<K> fmt::Debug for BulkChange<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkChange")
            .field("group_id", &self.group_id)
            .field("ids", &self.ids.as_ref().map(|ids| ids.ids.len()))
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

/// Ids, owned.
fn owned<'i, 'a: 'i>(ids: impl Iterator<Item = &'i Cow<'a, str>>) -> Vec<String> {
    ids.map(|id| String::from(&**id)).collect()
}

/// The JSON body of an add or remove chunk, `{"participant_ids":[...]}`, byte for byte what
/// serde_json writes for [`types::ParticipantIds`] holding `chunk`, but written straight from
/// the borrowed ids: no `String` per id, and ids that need no escaping (all of Prolific's)
/// are copied whole instead of byte by byte. `plain` says every id is known to need none.
pub(crate) fn chunk_body<'i, 'a: 'i>(
    chunk: impl Iterator<Item = &'i Cow<'a, str>> + Clone,
    plain: bool,
) -> Vec<u8> {
    const OPEN: &[u8] = b"{\"participant_ids\":[";
    const CLOSE: &[u8] = b"]}";
    let ids: usize = chunk.clone().map(|id| id.len() + 3).sum();
    let mut body = Vec::with_capacity(OPEN.len() + ids + CLOSE.len());
    body.extend_from_slice(OPEN);
    for (index, id) in chunk.enumerate() {
        if index > 0 {
            body.push(b',');
        }
        if plain || needs_no_escape(id) {
            body.push(b'"');
            body.extend_from_slice(id.as_bytes());
            body.push(b'"');
        } else {
            serde_json::to_writer(&mut body, &**id).expect("a Vec takes every write");
        }
    }
    body.extend_from_slice(CLOSE);
    body
}

/// True when JSON needs no escape in `id`: no `"`, `\` or control character below 0x20
/// (serde_json escapes nothing else). Without early exits, so that it compiles to SIMD.
fn needs_no_escape(id: &str) -> bool {
    id.bytes()
        .fold(true, |ok, b| ok & (b >= 0x20) & (b != b'"') & (b != b'\\'))
}

/// Sends ids chunk by chunk, reporting progress, and on failure says what was applied.
struct Run<'r, 'a> {
    operation: &'static str,
    group_id: &'r str,
    ids: &'r [Cow<'a, str>],
    /// Every id is plain (see [`CheckedIds::plain`]).
    plain: bool,
    chunk_size: usize,
    progress: Option<&'r ProgressFn>,
}

impl Run<'_, '_> {
    fn chunks_total(&self) -> usize {
        self.ids.len().div_ceil(self.chunk_size).max(1)
    }

    fn report(&self, chunks_done: usize) {
        if let Some(callback) = self.progress {
            callback(Progress {
                chunks_done,
                chunks_total: self.chunks_total(),
                ids_done: (chunks_done * self.chunk_size).min(self.ids.len()),
                ids_total: self.ids.len(),
            });
        }
    }

    fn failed(&self, chunks_applied: usize, source: Error) -> Error {
        let ids_applied = (chunks_applied * self.chunk_size).min(self.ids.len());
        Error::Bulk(Box::new(BulkError {
            operation: self.operation,
            group_id: self.group_id.to_owned(),
            chunks_applied,
            chunks_total: self.chunks_total(),
            ids_applied,
            not_applied: owned(self.ids[ids_applied..].iter()),
            source,
        }))
    }

    /// Sends chunks `skip..` one after another with `send`, given each chunk's JSON body,
    /// returning the last answer. Each chunk's body is built while the one before it is in
    /// flight.
    async fn chunks<T, F, Fut>(&self, skip: usize, mut send: F) -> Result<Option<T>>
    where
        F: FnMut(Vec<u8>) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let chunks = self.ids.chunks(self.chunk_size).map(<[_]>::iter);
        let mut chunks = chunks.enumerate().skip(skip);
        let Some((mut index, first)) = chunks.next() else {
            return Ok(None);
        };
        let mut body = chunk_body(first, self.plain);
        loop {
            let upcoming = chunks.next();
            let (answer, next) = join(send(body), async {
                // Let the request go out before spending the wait on the next body.
                tokio::task::yield_now().await;
                upcoming.map(|(index, chunk)| (index, chunk_body(chunk, self.plain)))
            })
            .await;
            let answer = answer.map_err(|e| self.failed(index, e))?;
            self.report(index + 1);
            match next {
                Some((next_index, next_body)) => (index, body) = (next_index, next_body),
                None => return Ok(Some(answer)),
            }
        }
    }
}

/// What adding and removing differ in: the operation and its call of the generated client.
/// Sealed: the kinds are [`Add`] and [`Remove`].
pub trait MembershipChange: sealed::Sealed {
    /// The `operationId` of the request that sends one chunk.
    #[doc(hidden)]
    const OPERATION: &'static str;
    /// How a [`BulkError`] names the operation.
    #[doc(hidden)]
    const NAME: &'static str;
    /// Sends one chunk.
    #[doc(hidden)]
    fn send<'r>(
        raw: &'r RawClient,
        group_id: &'r str,
        body: types::ParticipantIds,
    ) -> impl Future<Output = RawResult<types::MembershipList>> + Send + 'r;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Add {}
    impl Sealed for super::Remove {}
}

impl MembershipChange for Add {
    const OPERATION: &'static str = "add_participant_group_members";
    const NAME: &'static str = "add";
    fn send<'r>(
        raw: &'r RawClient,
        group_id: &'r str,
        body: types::ParticipantIds,
    ) -> impl Future<Output = RawResult<types::MembershipList>> + Send + 'r {
        raw.add_participant_group_members()
            .id(group_id)
            .body(body)
            .send()
    }
}

impl MembershipChange for Remove {
    const OPERATION: &'static str = "remove_participant_group_members";
    const NAME: &'static str = "remove";
    fn send<'r>(
        raw: &'r RawClient,
        group_id: &'r str,
        body: types::ParticipantIds,
    ) -> impl Future<Output = RawResult<types::MembershipList>> + Send + 'r {
        raw.remove_participant_group_members()
            .id(group_id)
            .body(body)
            .send()
    }
}

impl ParticipantGroups {
    /// Sends one chunk of an add or a remove, given its JSON body (from [`chunk_body`]);
    /// returns the membership after it.
    async fn change_members<K: MembershipChange>(
        &self,
        group_id: &str,
        body: Vec<u8>,
    ) -> Result<Vec<Membership>> {
        // The generated builder checks and serialises an empty list; the hooks send `body`,
        // the same operation's body with this chunk's ids, in its place.
        let placeholder = || types::ParticipantIds {
            participant_ids: Vec::new(),
        };
        let answer = call_with_body(
            K::OPERATION,
            self.client().raw(),
            Some(body.into()),
            |raw| K::send(raw, group_id, placeholder()),
        )
        .await?;
        Ok(answer.results)
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

impl<'a, K: MembershipChange + Send + 'a> IntoFuture for BulkChange<'a, K> {
    type Output = Result<Vec<Membership>>;
    type IntoFuture = BoxFuture<'a, Vec<Membership>>;

    fn into_future(mut self) -> Self::IntoFuture {
        Box::pin(async move {
            let ids = self.prepare(true)?;
            let run = self.run(K::NAME, &ids);
            let (groups, id) = (&self.groups, self.group_id.as_str());
            let last = run
                .chunks(0, |chunk| groups.change_members::<K>(id, chunk))
                .await?;
            Ok(last.unwrap_or_default())
        })
    }
}

impl<'a> IntoFuture for BulkChange<'a, Replace> {
    type Output = Result<ParticipantGroup>;
    type IntoFuture = BoxFuture<'a, ParticipantGroup>;

    fn into_future(mut self) -> Self::IntoFuture {
        Box::pin(async move {
            let ids = self.prepare(false)?;
            let run = self.run("replace", &ids);
            let (groups, id) = (&self.groups, self.group_id.as_str());
            let first = ids.ids.chunks(self.chunk_size).next().unwrap_or_default();
            let first = owned(first.iter());
            let group = match groups.patch(id, None, Some(first)).await {
                Ok(group) => group,
                Err(e) => return Err(run.failed(0, e)),
            };
            run.report(1);
            if run.chunks_total() == 1 {
                return Ok(group);
            }
            run.chunks(1, |chunk| groups.change_members::<Add>(id, chunk))
                .await?;
            // The group as it stands after the last chunk (its count has changed).
            groups.get(id).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::plainly_an_id;
    use proptest::prelude::*;

    /// What the generated client would have sent for these ids.
    fn serde_body(ids: &[String]) -> Vec<u8> {
        serde_json::to_vec(&types::ParticipantIds {
            participant_ids: ids.to_vec(),
        })
        .unwrap()
    }

    fn cows(ids: &[String]) -> Vec<Cow<'_, str>> {
        ids.iter().map(|id| Cow::Borrowed(id.as_str())).collect()
    }

    #[test]
    fn chunk_bodies_are_serde_json_byte_for_byte() {
        let cases: Vec<Vec<String>> = vec![
            vec![],
            vec!["5e9b9c9b0f9c9a0001b0b1f4".into()],
            vec![
                "a\"b".into(),
                "back\\slash".into(),
                "tab\there".into(),
                "\u{7f}".into(),
            ],
            vec![
                "é".into(),
                "\u{2028}".into(),
                "\u{0}".into(),
                "\u{1f}".into(),
                " ".into(),
            ],
        ];
        for ids in cases {
            let body = chunk_body(cows(&ids).iter(), false);
            assert_eq!(
                String::from_utf8(body).unwrap(),
                String::from_utf8(serde_body(&ids)).unwrap()
            );
        }
    }

    proptest! {
        #[test]
        fn chunk_bodies_match_serde_json_for_any_ids(ids in prop::collection::vec(any::<String>(), 0..20)) {
            prop_assert_eq!(chunk_body(cows(&ids).iter(), false), serde_body(&ids));
        }

        #[test]
        fn chunk_bodies_of_plain_ids_match_serde_json(ids in prop::collection::vec("[!-~]{1,30}", 0..20)) {
            let plain: Vec<String> = ids.into_iter().filter(|id| plainly_an_id(id)).collect();
            prop_assert_eq!(chunk_body(cows(&plain).iter(), true), serde_body(&plain));
        }
    }
}

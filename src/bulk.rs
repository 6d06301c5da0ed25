//! Bulk membership changes: de-duplication, sequential chunks, progress, and a report of
//! exactly what was applied when a chunk fails.
//!
//! Prolific documents no cap on ids per request, but recommends at most 1,000 ids per request
//! and sequential rather than parallel batches for its other bulk endpoints; those are the
//! defaults here.

use std::{
    fmt,
    future::{Future, IntoFuture},
    marker::PhantomData,
    pin::Pin,
    sync::Arc,
};

use crate::{
    error::{BulkError, Error, Result, call},
    groups::ParticipantGroups,
    input::check_group_id,
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
#[must_use = "a membership change does nothing until it is awaited"]
pub struct BulkChange<K> {
    groups: ParticipantGroups,
    group_id: String,
    ids: Result<Vec<String>>,
    chunk_size: usize,
    progress: Option<ProgressFn>,
    kind: PhantomData<K>,
}

/// Adds participants, from [`ParticipantGroups::add_participants`]; resolves to every member
/// afterwards.
pub type AddParticipants = BulkChange<Add>;
/// Removes participants, from [`ParticipantGroups::remove_participants`]; resolves to every
/// member afterwards.
pub type RemoveParticipants = BulkChange<Remove>;
/// Replaces the membership, from [`ParticipantGroups::replace_participants`]; resolves to the
/// group.
///
/// Up to one chunk of ids, the replacement is one PATCH and readers see the old membership,
/// then the new one. With more ids, the first chunk replaces the membership (PATCH) and the
/// rest are added chunk by chunk (POST), so meanwhile readers see the first chunk's
/// participants, then a growing subset of the new membership, and finally exactly `ids`. If
/// a chunk fails, the group holds exactly the chunks before it, and the error says which ids
/// are missing.
pub type ReplaceParticipants = BulkChange<Replace>;

/// The kind of a [`BulkChange`] that adds participants.
#[derive(Debug)]
pub enum Add {}
/// The kind of a [`BulkChange`] that removes participants.
#[derive(Debug)]
pub enum Remove {}
/// The kind of a [`BulkChange`] that replaces the membership.
#[derive(Debug)]
pub enum Replace {}

impl<K> BulkChange<K> {
    pub(crate) fn new(groups: ParticipantGroups, group_id: &str, ids: Result<Vec<String>>) -> Self {
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
    fn prepare(&mut self, ids_required: bool) -> Result<Vec<String>> {
        check_group_id(&self.group_id)?;
        if self.chunk_size == 0 {
            return Err(Error::invalid("chunk size", "is zero"));
        }
        let ids = std::mem::replace(&mut self.ids, Ok(Vec::new()))?;
        if ids_required && ids.is_empty() {
            return Err(Error::invalid(
                "participant ids",
                "are missing: give at least one id",
            ));
        }
        Ok(ids)
    }
}

impl<K> fmt::Debug for BulkChange<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkChange")
            .field("group_id", &self.group_id)
            .field("ids", &self.ids.as_ref().map(Vec::len))
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

/// Sends `ids` chunk by chunk with `send`, reporting progress, and on failure says what was
/// applied. `first_chunk_index` counts chunks already applied before these.
struct Run<'a> {
    operation: &'static str,
    group_id: &'a str,
    ids: &'a [String],
    chunk_size: usize,
    progress: Option<&'a ProgressFn>,
}

impl Run<'_> {
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
            not_applied: self.ids[ids_applied..].to_vec(),
            source,
        }))
    }

    /// Sends chunks `skip..` with `send`, returning the last answer.
    async fn chunks<T, F, Fut>(&self, skip: usize, mut send: F) -> Result<Option<T>>
    where
        F: FnMut(Vec<String>) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut last = None;
        for (index, chunk) in self.ids.chunks(self.chunk_size).enumerate().skip(skip) {
            match send(chunk.to_vec()).await {
                Ok(answer) => last = Some(answer),
                Err(e) => return Err(self.failed(index, e)),
            }
            self.report(index + 1);
        }
        Ok(last)
    }
}

impl ParticipantGroups {
    async fn post_members(&self, id: &str, ids: Vec<String>) -> Result<Vec<Membership>> {
        let body = types::ParticipantIds {
            participant_ids: ids,
        };
        let raw = self.client().raw();
        Ok(call(
            "add_participant_group_members",
            raw.add_participant_group_members().id(id).body(body).send(),
        )
        .await?
        .results)
    }

    async fn delete_members(&self, id: &str, ids: Vec<String>) -> Result<Vec<Membership>> {
        let body = types::ParticipantIds {
            participant_ids: ids,
        };
        let raw = self.client().raw();
        Ok(call(
            "remove_participant_group_members",
            raw.remove_participant_group_members()
                .id(id)
                .body(body)
                .send(),
        )
        .await?
        .results)
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

impl IntoFuture for BulkChange<Add> {
    type Output = Result<Vec<Membership>>;
    type IntoFuture = BoxFuture<Vec<Membership>>;

    fn into_future(mut self) -> Self::IntoFuture {
        Box::pin(async move {
            let ids = self.prepare(true)?;
            let run = self.run("add", &ids);
            let groups = &self.groups;
            let id = self.group_id.as_str();
            let last = run
                .chunks(0, |chunk| groups.post_members(id, chunk))
                .await?;
            Ok(last.unwrap_or_default())
        })
    }
}

impl IntoFuture for BulkChange<Remove> {
    type Output = Result<Vec<Membership>>;
    type IntoFuture = BoxFuture<Vec<Membership>>;

    fn into_future(mut self) -> Self::IntoFuture {
        Box::pin(async move {
            let ids = self.prepare(true)?;
            let run = self.run("remove", &ids);
            let groups = &self.groups;
            let id = self.group_id.as_str();
            let last = run
                .chunks(0, |chunk| groups.delete_members(id, chunk))
                .await?;
            Ok(last.unwrap_or_default())
        })
    }
}

impl IntoFuture for BulkChange<Replace> {
    type Output = Result<ParticipantGroup>;
    type IntoFuture = BoxFuture<ParticipantGroup>;

    fn into_future(mut self) -> Self::IntoFuture {
        Box::pin(async move {
            let ids = self.prepare(false)?;
            let run = self.run("replace", &ids);
            let groups = &self.groups;
            let id = self.group_id.as_str();
            let first = ids
                .chunks(self.chunk_size)
                .next()
                .unwrap_or_default()
                .to_vec();
            let group = match groups.patch(id, None, Some(first)).await {
                Ok(group) => group,
                Err(e) => return Err(run.failed(0, e)),
            };
            run.report(1);
            if run.chunks_total() == 1 {
                return Ok(group);
            }
            run.chunks(1, |chunk| groups.post_members(id, chunk))
                .await?;
            // The group as it stands after the last chunk (its count has changed).
            groups.get(id).await
        })
    }
}

impl<K> BulkChange<K> {
    fn run<'a>(&'a self, operation: &'static str, ids: &'a [String]) -> Run<'a> {
        Run {
            operation,
            group_id: &self.group_id,
            ids,
            chunk_size: self.chunk_size,
            progress: self.progress.as_ref(),
        }
    }
}

//! Membership changes of any size: [`AddParticipants`], [`RemoveParticipants`] and
//! [`ReplaceParticipants`] (and, on the same parts, [`SyncParticipants`](super::SyncParticipants)).
//! The ids are checked and de-duplicated before anything is sent, then sent in sequential
//! chunks, with progress, and a report of exactly what was applied when a chunk fails
//! ([`BulkError`]).
//!
//! Prolific documents no cap on ids per request, but recommends at most 1,000 ids per request
//! and sequential rather than parallel batches for its other bulk endpoints; those are the
//! defaults here.

use std::{borrow::Cow, fmt, future::IntoFuture, sync::Arc};

use super::{BoxFuture, update::patch};
use crate::{
    client::Client,
    error::{BulkError, Error, Result},
    generated::types::{self, Membership, ParticipantGroup},
    operation::Operation,
    validate::{check_group_id, participant_ids},
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

pub(super) type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// What the membership changes hold: the group, the ids, and how to send them.
pub(super) struct Change<'a> {
    client: Client,
    group_id: String,
    /// The ids, checked and de-duplicated (those the caller lent stay borrowed); or why they
    /// were refused.
    ids: Result<Vec<Cow<'a, str>>>,
    pub(super) chunk_size: usize,
    pub(super) progress: Option<ProgressFn>,
}

impl<'a> Change<'a> {
    pub(super) fn new<I, S>(client: Client, group_id: &str, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        Change {
            client,
            group_id: group_id.to_owned(),
            ids: participant_ids(ids),
            chunk_size: DEFAULT_CHUNK_SIZE,
            progress: None,
        }
    }

    /// Checks the input; returns the ids and the change that sends them.
    pub(super) fn prepare(self, ids_required: bool) -> Result<(Vec<Cow<'a, str>>, Chunks)> {
        check_group_id(&self.group_id)?;
        if self.chunk_size == 0 {
            return Err(Error::invalid("chunk size", "is zero"));
        }
        let ids = self.ids?;
        if ids_required && ids.is_empty() {
            return Err(Error::invalid(
                "participant ids",
                "are missing: give at least one id",
            ));
        }
        let chunks = Chunks {
            client: self.client,
            group_id: self.group_id,
            chunk_size: self.chunk_size,
            progress: self.progress,
        };
        Ok((ids, chunks))
    }

    /// Adds or removes (by `operation`) every id, chunk by chunk; resolves to the membership
    /// after the last chunk.
    async fn add_or_remove(self, operation: Operation) -> Result<Vec<Membership>> {
        let (ids, chunks) = self.prepare(true)?;
        let last = chunks.send(&ids, 0, operation).await?;
        Ok(last.unwrap_or_default())
    }

    /// Replaces the membership: the first chunk with a PATCH, the others added.
    async fn replace(self) -> Result<ParticipantGroup> {
        let (ids, chunks) = self.prepare(false)?;
        let first = ids.chunks(chunks.chunk_size).next().unwrap_or_default();
        let group = patch(&chunks.client, &chunks.group_id, None, Some(owned(first)))
            .await
            .map_err(|e| chunks.failed(&ids, Operation::UpdateGroup, 0, e))?;
        chunks.report(&ids, 1);
        if chunks.total(&ids) == 1 {
            return Ok(group);
        }
        chunks.send(&ids, 1, Operation::AddMembers).await?;
        // The group as it stands after the last chunk (its count has changed).
        chunks
            .client
            .participant_groups()
            .get(&chunks.group_id)
            .await
    }
}

impl fmt::Debug for Change<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Change")
            .field("group_id", &self.group_id)
            .field("ids", &self.ids.as_ref().map(Vec::len))
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

/// Sends checked ids to a group chunk by chunk, reports progress, and on failure says what
/// was applied.
pub(super) struct Chunks {
    pub(super) client: Client,
    pub(super) group_id: String,
    pub(super) chunk_size: usize,
    progress: Option<ProgressFn>,
}

impl Chunks {
    /// The same, for one step of several that report progress as one change: `(chunks, ids)`
    /// `done` by earlier steps, and in `all` steps.
    pub(super) fn step(&self, done: (usize, usize), all: (usize, usize)) -> Chunks {
        let progress = self.progress.clone().map(|callback| -> ProgressFn {
            Arc::new(move |step: Progress| {
                callback(Progress {
                    chunks_done: done.0 + step.chunks_done,
                    chunks_total: all.0,
                    ids_done: done.1 + step.ids_done,
                    ids_total: all.1,
                })
            })
        });
        Chunks {
            client: self.client.clone(),
            group_id: self.group_id.clone(),
            chunk_size: self.chunk_size,
            progress,
        }
    }

    fn total(&self, ids: &[Cow<'_, str>]) -> usize {
        ids.len().div_ceil(self.chunk_size).max(1)
    }

    fn report(&self, ids: &[Cow<'_, str>], chunks_done: usize) {
        if let Some(callback) = &self.progress {
            callback(Progress {
                chunks_done,
                chunks_total: self.total(ids),
                ids_done: (chunks_done * self.chunk_size).min(ids.len()),
                ids_total: ids.len(),
            });
        }
    }

    pub(super) fn failed(
        &self,
        ids: &[Cow<'_, str>],
        operation: Operation,
        chunks_applied: usize,
        source: Error,
    ) -> Error {
        let ids_applied = (chunks_applied * self.chunk_size).min(ids.len());
        Error::Bulk(Box::new(BulkError {
            operation,
            group_id: self.group_id.clone(),
            chunks_applied,
            chunks_total: self.total(ids),
            ids_applied,
            not_applied: owned(&ids[ids_applied..]),
            not_started: Vec::new(),
            applied_before: Vec::new(),
            source,
        }))
    }

    /// Sends the chunks of `ids` from the one numbered `first` on, one after another, with
    /// `operation` (add or remove); returns the membership after the last one.
    pub(super) async fn send(
        &self,
        ids: &[Cow<'_, str>],
        first: usize,
        operation: Operation,
    ) -> Result<Option<Vec<Membership>>> {
        let mut last = None;
        for (index, chunk) in ids.chunks(self.chunk_size).enumerate().skip(first) {
            let members = self
                .send_one(operation, chunk)
                .await
                .map_err(|e| self.failed(ids, operation, index, e))?;
            self.report(ids, index + 1);
            last = Some(members);
        }
        Ok(last)
    }

    /// Sends one chunk; returns the membership after it.
    async fn send_one(
        &self,
        operation: Operation,
        chunk: &[Cow<'_, str>],
    ) -> Result<Vec<Membership>> {
        let body = types::ParticipantIds {
            participant_ids: owned(chunk),
        };
        let group_id = self.group_id.as_str();
        let members = self
            .client
            .call(operation, async |raw| {
                if operation == Operation::RemoveMembers {
                    let request = raw.remove_participant_group_members();
                    request.id(group_id).body(body).send().await
                } else {
                    let request = raw.add_participant_group_members();
                    request.id(group_id).body(body).send().await
                }
            })
            .await?;
        Ok(members.results)
    }
}

/// Copies of ids, for a request body or a report.
pub(super) fn owned(ids: &[Cow<'_, str>]) -> Vec<String> {
    ids.iter().map(|id| String::from(&**id)).collect()
}

/// What the membership changes share: their options and their bare `.await`; for the three
/// that hold only a [`Change`], how they are made too.
macro_rules! change_options {
    ($change:ident -> $output:ty) => {
        impl<'a> $change<'a> {
            pub(super) fn new<I, S>(client: Client, group_id: &str, ids: I) -> Self
            where
                I: IntoIterator<Item = S>,
                S: Into<Cow<'a, str>>,
            {
                $change(Change::new(client, group_id, ids))
            }
        }

        change_options!($change.0 -> $output);
    };
    ($change:ident . $field:tt -> $output:ty) => {
        impl<'a> $change<'a> {
            /// How many ids to send per request (default 1,000).
            pub fn chunk_size(mut self, size: usize) -> Self {
                self.$field.chunk_size = size;
                self
            }

            /// Called after each chunk is applied.
            pub fn on_progress(
                mut self,
                callback: impl Fn(Progress) + Send + Sync + 'static,
            ) -> Self {
                self.$field.progress = Some(Arc::new(callback));
                self
            }
        }

        /// `.await` is [`send`](Self::send).
        impl<'a> IntoFuture for $change<'a> {
            type Output = Result<$output>;
            type IntoFuture = BoxFuture<'a, $output>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

/// Adds participants, from
/// [`ParticipantGroups::add_participants`](super::ParticipantGroups::add_participants);
/// `.send()` or `.await` resolves to every member afterwards.
///
/// It borrows the ids it was given (`'a`) until it completes; give owned `String`s for a
/// change that must be `'static` (to spawn it, say).
#[derive(Debug)]
#[must_use = "a membership change does nothing until `.send()` or `.await`"]
pub struct AddParticipants<'a>(Change<'a>);

impl AddParticipants<'_> {
    /// Adds the participants, chunk by chunk, and returns every member afterwards.
    pub async fn send(self) -> Result<Vec<Membership>> {
        self.0.add_or_remove(Operation::AddMembers).await
    }
}

change_options!(AddParticipants -> Vec<Membership>);

/// Removes participants, from
/// [`ParticipantGroups::remove_participants`](super::ParticipantGroups::remove_participants);
/// `.send()` or `.await` resolves to every member afterwards.
#[derive(Debug)]
#[must_use = "a membership change does nothing until `.send()` or `.await`"]
pub struct RemoveParticipants<'a>(Change<'a>);

impl RemoveParticipants<'_> {
    /// Removes the participants, chunk by chunk, and returns every member afterwards.
    pub async fn send(self) -> Result<Vec<Membership>> {
        self.0.add_or_remove(Operation::RemoveMembers).await
    }
}

change_options!(RemoveParticipants -> Vec<Membership>);

/// Replaces the membership, from
/// [`ParticipantGroups::replace_participants`](super::ParticipantGroups::replace_participants);
/// `.send()` or `.await` resolves to the group.
///
/// Up to one chunk of ids, the replacement is one PATCH and readers see the old membership,
/// then the new one. With more ids, the first chunk replaces the membership (PATCH) and the
/// rest are added chunk by chunk (POST), so meanwhile readers see the first chunk's
/// participants, then a growing subset of the new membership, and finally exactly `ids`. If
/// a chunk fails, the group holds exactly the chunks before it, and the error says which ids
/// are missing.
#[derive(Debug)]
#[must_use = "a membership change does nothing until `.send()` or `.await`"]
pub struct ReplaceParticipants<'a>(Change<'a>);

impl ReplaceParticipants<'_> {
    /// Replaces the membership and returns the group as it is afterwards.
    pub async fn send(self) -> Result<ParticipantGroup> {
        self.0.replace().await
    }
}

change_options!(ReplaceParticipants -> ParticipantGroup);

pub(super) use change_options;

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

use super::{
    BoxFuture,
    chunks::{Chunks, Progress, ProgressFn, owned},
    update::patch,
};
use crate::{
    client::Client,
    error::{Error, Result},
    generated::types::{Membership, ParticipantGroup},
    operation::Operation,
    throttle::reporting_waits,
    validate::{check_group_id, participant_ids},
};

/// The number of ids sent per request unless `.chunk_size(n)` says otherwise.
pub const DEFAULT_CHUNK_SIZE: usize = 1_000;

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
        let chunks = Chunks::new(self.client, self.group_id, self.chunk_size, self.progress);
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
        let replace_first = patch(&chunks.client, &chunks.group_id, None, Some(owned(first)));
        let group = reporting_waits(chunks.on_wait(&ids, 0), replace_first)
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

/// What the membership changes and the sync share: `.chunk_size`, `.on_progress` and their
/// bare `.await`, on the [`Change`] in field `$field`.
macro_rules! change_options {
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
pub struct AddParticipants<'a>(pub(super) Change<'a>);

impl AddParticipants<'_> {
    /// Adds the participants, chunk by chunk, and returns every member afterwards.
    pub async fn send(self) -> Result<Vec<Membership>> {
        self.0.add_or_remove(Operation::AddMembers).await
    }
}

change_options!(AddParticipants.0 -> Vec<Membership>);

/// Removes participants, from
/// [`ParticipantGroups::remove_participants`](super::ParticipantGroups::remove_participants);
/// `.send()` or `.await` resolves to every member afterwards.
#[derive(Debug)]
#[must_use = "a membership change does nothing until `.send()` or `.await`"]
pub struct RemoveParticipants<'a>(pub(super) Change<'a>);

impl RemoveParticipants<'_> {
    /// Removes the participants, chunk by chunk, and returns every member afterwards.
    pub async fn send(self) -> Result<Vec<Membership>> {
        self.0.add_or_remove(Operation::RemoveMembers).await
    }
}

change_options!(RemoveParticipants.0 -> Vec<Membership>);

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
pub struct ReplaceParticipants<'a>(pub(super) Change<'a>);

impl ReplaceParticipants<'_> {
    /// Replaces the membership and returns the group as it is afterwards.
    pub async fn send(self) -> Result<ParticipantGroup> {
        self.0.replace().await
    }
}

change_options!(ReplaceParticipants.0 -> ParticipantGroup);

pub(super) use change_options;

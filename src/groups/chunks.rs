//! The chunk engine of the membership changes ([`AddParticipants`](super::AddParticipants),
//! [`RemoveParticipants`](super::RemoveParticipants),
//! [`ReplaceParticipants`](super::ReplaceParticipants) and
//! [`SyncParticipants`](super::SyncParticipants)): checked ids sent to a group in sequential
//! chunks, [`Progress`] after each, and on failure a [`BulkError`] that says exactly what was
//! applied.

use std::{borrow::Cow, sync::Arc, time::Duration};

use crate::{
    client::Client,
    error::{BulkError, Error, Result},
    generated::types::{self, Membership},
    operation::Operation,
    throttle::{WaitFn, reporting_waits},
};

/// How far a bulk change has got, passed to the `.on_progress` callback after each chunk, and
/// while a chunk waits because Prolific throttled it.
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
    /// `Some(wait)` when Prolific throttled the client (429) and the next chunk waits this long
    /// before it is sent again; `None` when a chunk was applied.
    pub throttled: Option<Duration>,
}

/// The `.on_progress` callback, shared by the steps of a change.
pub(super) type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// One step of a change made of several, as [`Chunks::step`] counts it: what the steps before
/// it did, and the size of the whole change.
#[derive(Clone, Copy, Debug)]
pub(super) struct Step {
    /// Chunks sent by the steps before this one.
    pub(super) chunks_before: usize,
    /// Ids sent by the steps before this one.
    pub(super) ids_before: usize,
    /// Chunks of every step.
    pub(super) chunks_total: usize,
    /// Ids of every step.
    pub(super) ids_total: usize,
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
    pub(super) fn new(
        client: Client,
        group_id: String,
        chunk_size: usize,
        progress: Option<ProgressFn>,
    ) -> Self {
        Chunks {
            client,
            group_id,
            chunk_size,
            progress,
        }
    }

    /// The same engine for one step of a change made of several (a sync's additions, then its
    /// removals), whose progress is reported as one change.
    pub(super) fn step(&self, step: Step) -> Chunks {
        let progress = self.progress.clone().map(|callback| -> ProgressFn {
            Arc::new(move |within: Progress| {
                callback(Progress {
                    chunks_done: step.chunks_before + within.chunks_done,
                    chunks_total: step.chunks_total,
                    ids_done: step.ids_before + within.ids_done,
                    ids_total: step.ids_total,
                    throttled: within.throttled,
                })
            })
        });
        Chunks {
            progress,
            ..Chunks::new(
                self.client.clone(),
                self.group_id.clone(),
                self.chunk_size,
                None,
            )
        }
    }

    pub(super) fn total(&self, ids: &[Cow<'_, str>]) -> usize {
        ids.len().div_ceil(self.chunk_size).max(1)
    }

    pub(super) fn report(&self, ids: &[Cow<'_, str>], chunks_done: usize) {
        if let Some(callback) = &self.progress {
            callback(self.progress(ids, chunks_done));
        }
    }

    fn progress(&self, ids: &[Cow<'_, str>], chunks_done: usize) -> Progress {
        Progress {
            chunks_done,
            chunks_total: self.total(ids),
            ids_done: (chunks_done * self.chunk_size).min(ids.len()),
            ids_total: ids.len(),
            throttled: None,
        }
    }

    /// What tells the callback that the chunk after `chunks_done` waits on a throttle.
    pub(super) fn on_wait(&self, ids: &[Cow<'_, str>], chunks_done: usize) -> Option<WaitFn> {
        let callback = self.progress.clone()?;
        let progress = self.progress(ids, chunks_done);
        Some(Arc::new(move |wait| {
            callback(Progress {
                throttled: Some(wait),
                ..progress
            })
        }))
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
            let on_wait = self.on_wait(ids, index);
            let members = reporting_waits(on_wait, self.send_one(operation, chunk))
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
        // The builder, not a struct literal: a field the spec adds later needs no edit here.
        let body = types::ParticipantIds::builder().participant_ids(owned(chunk));
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

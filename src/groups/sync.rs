//! [`SyncParticipants`]: makes a group's membership exactly a list by adding the missing ids,
//! then removing the extra ones, and never by overwriting.

use std::{borrow::Cow, collections::HashSet, future::IntoFuture, sync::Arc};

use serde::Serialize;

use super::{
    BoxFuture,
    chunks::{Progress, Step, owned},
    members::{Change, change_options},
};
use crate::{
    client::Client,
    error::{Error, Result},
    operation::Operation,
};

/// What a sync did (or, for a dry run, would do), from [`SyncParticipants::send`].
///
/// Serialises as `{"added": [...], "removed": [...], "unchanged": N}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SyncReport {
    /// The ids added: in the list but not in the group, in the list's order.
    pub added: Vec<String>,
    /// The ids removed: in the group but not in the list, in the group's order.
    pub removed: Vec<String>,
    /// How many ids of the list were in the group already.
    pub unchanged: usize,
}

/// Makes a group's membership exactly a list, from
/// [`ParticipantGroups::sync_participants`](super::ParticipantGroups::sync_participants);
/// `.send()` or `.await` resolves to a [`SyncReport`].
///
/// It reads the members (and nothing else), adds the missing ids in chunks (POST), and only
/// then removes the extra ones in chunks (DELETE). It never overwrites the membership (PATCH),
/// so while it runs nobody who belongs in the list is ever out of the group: a study
/// recruiting from the group meanwhile may still see some of the people being removed, never
/// miss one being kept. A group already in shape gets no write at all.
///
/// If a chunk fails, the [`BulkError`](crate::BulkError) says what was applied in the step
/// that failed; when the additions stopped, its `not_started` holds the removals that were
/// never sent, and when the removals stopped, its `applied_before` holds the additions, all
/// made. Running the same sync again finishes the job, as it starts from the group as it then
/// is.
#[derive(Debug)]
#[must_use = "a sync does nothing until `.send()` or `.await`"]
pub struct SyncParticipants<'a> {
    change: Change<'a>,
    dry_run: bool,
}

impl<'a> SyncParticipants<'a> {
    pub(super) fn new<I, S>(client: Client, group_id: &str, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        SyncParticipants {
            change: Change::new(client, group_id, ids),
            dry_run: false,
        }
    }

    /// `true`: read the members and report what would change, writing nothing.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Syncs the group (or, for a dry run, only works out how) and reports the changes.
    pub async fn send(self) -> Result<SyncReport> {
        let (target, chunks) = self.change.prepare(false)?;
        let members = chunks
            .client
            .participant_groups()
            .participants(&chunks.group_id)
            .await?;
        let current: HashSet<&str> = members.iter().map(|m| m.participant_id.as_str()).collect();
        let wanted: HashSet<&str> = target.iter().map(|id| &**id).collect();
        let to_add: Vec<Cow<'_, str>> = target
            .iter()
            .filter(|id| !current.contains(&***id))
            .map(|id| Cow::Borrowed(&**id))
            .collect();
        let to_remove: Vec<Cow<'_, str>> = members
            .iter()
            .map(|m| m.participant_id.as_str())
            .filter(|id| !wanted.contains(id))
            .map(Cow::Borrowed)
            .collect();
        let report = SyncReport {
            added: owned(&to_add),
            removed: owned(&to_remove),
            unchanged: target.len() - to_add.len(),
        };
        if self.dry_run {
            return Ok(report);
        }

        let chunks_of = |n: usize| n.div_ceil(chunks.chunk_size);
        let additions = Step {
            chunks_before: 0,
            ids_before: 0,
            chunks_total: chunks_of(to_add.len()) + chunks_of(to_remove.len()),
            ids_total: to_add.len() + to_remove.len(),
        };
        let removals = Step {
            chunks_before: chunks_of(to_add.len()),
            ids_before: to_add.len(),
            ..additions
        };
        chunks
            .step(additions)
            .send(&to_add, 0, Operation::AddMembers)
            .await
            .map_err(|mut e| {
                if let Error::Bulk(bulk) = &mut e {
                    bulk.not_started = report.removed.clone();
                }
                e
            })?;
        chunks
            .step(removals)
            .send(&to_remove, 0, Operation::RemoveMembers)
            .await
            .map_err(|mut e| {
                if let Error::Bulk(bulk) = &mut e {
                    bulk.applied_before = report.added.clone();
                }
                e
            })?;
        Ok(report)
    }
}

change_options!(SyncParticipants.change -> SyncReport);

//! [`ParticipantGroups`]: the handle for the participant-groups API, one method per call.
//! Each request builder lives in its own file with its `send`.

/// `.await` on a request builder is its `send()`: one calling rule for every builder (the
/// membership changes get theirs from `members::change_options`, with their lifetime).
macro_rules! send_on_await {
    ($builder:ty => $output:ty) => {
        impl std::future::IntoFuture for $builder {
            type Output = $crate::Result<$output>;
            type IntoFuture = super::BoxFuture<'static, $output>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

mod chunks;
mod create;
mod find;
mod list;
mod members;
mod message;
mod sync;
mod update;

pub use chunks::Progress;
pub use create::CreateGroup;
pub use find::{GetOrCreateGroup, GetOrCreateOutcome};
pub use list::{DEFAULT_PAGE_SIZE, ListGroups};
pub use members::{AddParticipants, DEFAULT_CHUNK_SIZE, RemoveParticipants, ReplaceParticipants};
pub use message::MessageGroup;
pub use sync::{SyncParticipants, SyncReport};
pub use update::UpdateGroup;

use std::{borrow::Cow, future::Future, pin::Pin};

use self::members::Change;
use crate::{
    client::Client,
    error::Result,
    generated::types::{Membership, ParticipantGroup},
    operation::Operation,
    validate::check_group_id,
};

/// What the builders' `.await` returns: their `send()`, boxed.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

impl Client {
    /// The participant groups: list, find, create, read, update, delete, change and sync
    /// membership, and message the members.
    pub fn participant_groups(&self) -> ParticipantGroups {
        ParticipantGroups {
            client: self.clone(),
        }
    }
}

/// The participant groups of Prolific, from [`Client::participant_groups`].
///
/// ```no_run
/// use prolific::{GroupFilter, Owner};
/// # async fn run(client: prolific::Client) -> prolific::Result<()> {
/// let groups = client.participant_groups();
/// let group = groups
///     .create(Owner::workspace("5e9b9c9b0f9c9a0001b1ca2f"), "Passed all attention checks")
///     .description("Participants who passed all attention checks")
///     .send()
///     .await?;
/// groups.add_participants(&group.id, ["5e9b9c9b0f9c9a0001b0b1f4"]).await?;
/// let all = groups.list(GroupFilter::workspace("5e9b9c9b0f9c9a0001b1ca2f")).send().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ParticipantGroups {
    client: Client,
}

/// Which groups to list: those of a workspace, or of a project.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GroupFilter {
    /// The groups of this workspace.
    Workspace(String),
    /// The groups of this project.
    Project(String),
}

impl GroupFilter {
    /// The groups of this workspace.
    pub fn workspace(id: impl Into<String>) -> Self {
        GroupFilter::Workspace(id.into())
    }

    /// The groups of this project.
    pub fn project(id: impl Into<String>) -> Self {
        GroupFilter::Project(id.into())
    }
}

/// Where a new group lives: in a workspace, or in an organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Owner {
    /// A group of this workspace.
    Workspace(String),
    /// A group of this organisation.
    Organisation(String),
}

impl Owner {
    /// A group of this workspace.
    pub fn workspace(id: impl Into<String>) -> Self {
        Owner::Workspace(id.into())
    }

    /// A group of this organisation.
    pub fn organisation(id: impl Into<String>) -> Self {
        Owner::Organisation(id.into())
    }
}

impl ParticipantGroups {
    /// Lists the groups of a workspace or a project, across all pages.
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// use prolific::GroupFilter;
    /// let live = client
    ///     .participant_groups()
    ///     .list(GroupFilter::workspace("5e9b9c9b0f9c9a0001b1ca2f"))
    ///     .active(true)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self, filter: GroupFilter) -> ListGroups {
        ListGroups::new(self.client.clone(), filter)
    }

    /// Creates a group in a workspace or an organisation.
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// use prolific::Owner;
    /// let group = client
    ///     .participant_groups()
    ///     .create(Owner::workspace("5e9b9c9b0f9c9a0001b1ca2f"), "Pilot")
    ///     .participants(["5e9b9c9b0f9c9a0001b0b1f4", "5e9b9c9b0f9c9a0001b0b1f5"])
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, owner: Owner, name: impl Into<String>) -> CreateGroup {
        CreateGroup::new(self.client.clone(), owner, name.into())
    }

    /// The live group named exactly `name` among the groups of a workspace or a project:
    /// `None` when there is none. Every page is read, with `active=true`; a deleted group never
    /// matches. Two or more live groups with the name fail with [`Error::DuplicateName`](crate::Error::DuplicateName),
    /// naming their ids: the crate never guesses.
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// use prolific::GroupFilter;
    /// let workspace = GroupFilter::workspace("5e9b9c9b0f9c9a0001b1ca2f");
    /// match client.participant_groups().find_by_name(workspace, "Session 2").await? {
    ///     Some(group) => println!("{} has {:?} members", group.id, group.participant_count),
    ///     None => println!("no live group of that name"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn find_by_name(
        &self,
        filter: GroupFilter,
        name: impl AsRef<str>,
    ) -> Result<Option<ParticipantGroup>> {
        find::find_by_name(&self.client, filter, name.as_ref()).await
    }

    /// The live group of this name in a workspace, unchanged, or a new one made with the
    /// documented create body when there is none. See [`GetOrCreateGroup`] for what happens
    /// when two processes do this at once. An [`Owner::Organisation`] is refused before
    /// anything is sent: Prolific cannot list an organisation's groups.
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// use prolific::Owner;
    /// let group = client
    ///     .participant_groups()
    ///     .get_or_create(Owner::workspace("5e9b9c9b0f9c9a0001b1ca2f"), "Session 2")
    ///     .description("Everyone who completed session 1")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn get_or_create(&self, owner: Owner, name: impl Into<String>) -> GetOrCreateGroup {
        GetOrCreateGroup::new(self.create(owner, name))
    }

    /// Reads one group (deleted groups too, with `is_deleted: Some(true)`).
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// match client.participant_groups().get("642ea7ff7639ab670b05a0b5").await {
    ///     Ok(group) => println!("{}", group.name),
    ///     Err(e) if e.is_not_found() => println!("no such group"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: impl AsRef<str>) -> Result<ParticipantGroup> {
        let id = id.as_ref();
        check_group_id(id)?;
        self.client
            .call(Operation::GetGroup, async |raw| {
                raw.get_participant_group().id(id).send().await
            })
            .await
    }

    /// Renames a group. Membership is changed with the membership methods, never here.
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// let group = client
    ///     .participant_groups()
    ///     .update("642ea7ff7639ab670b05a0b5")
    ///     .name("Passed all attention checks")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, id: impl AsRef<str>) -> UpdateGroup {
        UpdateGroup::new(self.client.clone(), id.as_ref().to_owned())
    }

    /// Deletes a group. The delete is soft: the group stays readable with `is_deleted` set
    /// and is listed with `.active(false)`.
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// client.participant_groups().delete("642ea7ff7639ab670b05a0b5").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, id: impl AsRef<str>) -> Result<()> {
        let id = id.as_ref();
        check_group_id(id)?;
        self.client
            .call(Operation::DeleteGroup, async |raw| {
                raw.delete_participant_group().id(id).send().await
            })
            .await
    }

    /// Every member of a group.
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// let members = client.participant_groups().participants("642ea7ff7639ab670b05a0b5").await?;
    /// for member in &members {
    ///     println!("{} since {:?}", member.participant_id, member.datetime_created);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn participants(&self, id: impl AsRef<str>) -> Result<Vec<Membership>> {
        let id = id.as_ref();
        check_group_id(id)?;
        let list = self
            .client
            .call(Operation::ListMembers, async |raw| {
                raw.list_participant_group_members().id(id).send().await
            })
            .await?;
        Ok(list.results)
    }

    /// Adds participants to a group, in chunks; ids already in the group are ignored by
    /// Prolific. Resolves to the whole membership afterwards. See [`AddParticipants`].
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client, ids: Vec<String>) -> prolific::Result<()> {
    /// let members = client
    ///     .participant_groups()
    ///     .add_participants("642ea7ff7639ab670b05a0b5", &ids)
    ///     .on_progress(|p| println!("{}/{} ids", p.ids_done, p.ids_total))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn add_participants<'a, I, S>(&self, id: impl AsRef<str>, ids: I) -> AddParticipants<'a>
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        AddParticipants(Change::new(self.client.clone(), id.as_ref(), ids))
    }

    /// Removes participants from a group, in chunks; ids not in the group are ignored by
    /// Prolific. Resolves to the whole membership afterwards. See [`RemoveParticipants`].
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// let left = client
    ///     .participant_groups()
    ///     .remove_participants("642ea7ff7639ab670b05a0b5", ["5e9b9c9b0f9c9a0001b0b1f4"])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn remove_participants<'a, I, S>(
        &self,
        id: impl AsRef<str>,
        ids: I,
    ) -> RemoveParticipants<'a>
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        RemoveParticipants(Change::new(self.client.clone(), id.as_ref(), ids))
    }

    /// Makes the group's membership exactly `ids` without ever overwriting it: reads the
    /// members, adds the missing ids, then removes the extra ones, in chunks. Resolves to a
    /// [`SyncReport`]. See [`SyncParticipants`].
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client, approved: Vec<String>) -> prolific::Result<()> {
    /// let groups = client.participant_groups();
    /// let plan = groups.sync_participants("642ea7ff7639ab670b05a0b5", &approved).dry_run(true).await?;
    /// println!("would add {}, remove {}", plan.added.len(), plan.removed.len());
    /// let done = groups.sync_participants("642ea7ff7639ab670b05a0b5", &approved).await?;
    /// # Ok(()) }
    /// ```
    pub fn sync_participants<'a, I, S>(&self, id: impl AsRef<str>, ids: I) -> SyncParticipants<'a>
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        SyncParticipants::new(self.client.clone(), id.as_ref(), ids)
    }

    /// Sends a message to every member of a group, optionally about a study. Never retried
    /// after a timeout or a server error (see [`MessageGroup`]).
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// client
    ///     .participant_groups()
    ///     .message("642ea7ff7639ab670b05a0b5", "Session 2 opens tomorrow at 10:00 UTC.")
    ///     .study("60aca280709ee40ec37d4885")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn message(&self, id: impl AsRef<str>, body: impl Into<String>) -> MessageGroup {
        MessageGroup::new(self.client.clone(), id.as_ref().to_owned(), body.into())
    }

    /// Makes the group's membership exactly `ids`: the one way to overwrite membership. An
    /// empty list empties the group. Resolves to the group. See [`ReplaceParticipants`] for
    /// what readers see while a replacement larger than one chunk is under way.
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// let emptied = client
    ///     .participant_groups()
    ///     .replace_participants("642ea7ff7639ab670b05a0b5", Vec::<String>::new())
    ///     .await?;
    /// assert_eq!(emptied.participant_count, Some(0));
    /// # Ok(()) }
    /// ```
    pub fn replace_participants<'a, I, S>(
        &self,
        id: impl AsRef<str>,
        ids: I,
    ) -> ReplaceParticipants<'a>
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        ReplaceParticipants(Change::new(self.client.clone(), id.as_ref(), ids))
    }
}

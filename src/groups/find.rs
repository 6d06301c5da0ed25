//! Groups by name: [`find_by_name`](super::ParticipantGroups::find_by_name) and
//! [`GetOrCreateGroup`]. Only live groups count: a deleted group keeps its name, and is never
//! found nor reused.

use std::future::ready;

use futures_util::TryStreamExt;

use super::{CreateGroup, GroupFilter, ListGroups, Owner, create::create};
use crate::{
    client::Client,
    error::{Error, Result},
    generated::types::ParticipantGroup,
    validate::check_name,
};

/// The one live group named exactly `name` among those `filter` lists; `None` when there is
/// none, [`Error::DuplicateName`] when there are several.
pub(super) async fn find_by_name(
    client: &Client,
    filter: GroupFilter,
    name: &str,
) -> Result<Option<ParticipantGroup>> {
    check_name(name)?;
    let mut found: Vec<ParticipantGroup> = ListGroups::new(client.clone(), filter)
        .active(true)
        .stream()
        // `active=true` already leaves deleted groups out; a server that ignored it must not
        // make one match.
        .try_filter(|group| ready(group.name == name && group.is_deleted != Some(true)))
        .try_collect()
        .await?;
    match found.len() {
        0 | 1 => Ok(found.pop()),
        _ => Err(Error::DuplicateName {
            name: name.to_owned(),
            group_ids: found.into_iter().map(|group| group.id).collect(),
        }),
    }
}

/// The live group of a name in a workspace, created if there is none. From
/// [`ParticipantGroups::get_or_create`](super::ParticipantGroups::get_or_create).
///
/// The description and participants are used only when the group is created: an existing
/// group is returned unchanged (use
/// [`sync_participants`](super::ParticipantGroups::sync_participants) to bring its members
/// in line).
///
/// **Two processes at once.** Prolific has no "create unless it exists": the crate lists,
/// then creates. Two processes that run `get_or_create` for the same new name at the same
/// moment can both find nothing and both create, leaving two live groups of that name. The
/// crate never guesses between them afterwards: the next `find_by_name` or `get_or_create`
/// fails with [`Error::DuplicateName`], naming both ids, so you can keep one and delete the
/// other. To avoid it, let one process set up the groups, or serialise the calls.
#[derive(Debug)]
#[must_use = "a get-or-create request does nothing until `.send()` or `.await`"]
pub struct GetOrCreateGroup {
    create: CreateGroup,
}

impl GetOrCreateGroup {
    pub(super) fn new(create: CreateGroup) -> Self {
        GetOrCreateGroup { create }
    }

    /// The description of the group, if it is created.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.create = self.create.description(description);
        self
    }

    /// The participants of the group, if it is created (an existing group is left as it is).
    pub fn participants<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.create = self.create.participants(ids);
        self
    }

    /// Returns the live group of that name in the workspace, or creates it. Everything given
    /// is checked before anything is sent; an organisation as owner is refused, as Prolific
    /// cannot list an organisation's groups.
    pub async fn send(self) -> Result<ParticipantGroup> {
        self.send_with_outcome()
            .await
            .map(GetOrCreateOutcome::into_group)
    }

    /// As [`send`](Self::send), saying whether the group was found or created.
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// use prolific::{GetOrCreateOutcome, Owner};
    /// let outcome = client
    ///     .participant_groups()
    ///     .get_or_create(Owner::workspace("5e9b9c9b0f9c9a0001b1ca2f"), "Session 2")
    ///     .participants(["5e9b9c9b0f9c9a0001b0b1f4"])
    ///     .send_with_outcome()
    ///     .await?;
    /// if let GetOrCreateOutcome::Found(group) = &outcome {
    ///     println!("{} was there already; its members are as they were", group.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_with_outcome(self) -> Result<GetOrCreateOutcome> {
        let Owner::Workspace(workspace) = self.create.owner().clone() else {
            return Err(Error::invalid(
                "owner",
                "is an organisation: Prolific lists groups by workspace or project only, so \
                 get-or-create needs a workspace (use create for an organisation's group)",
            ));
        };
        let (client, name, body) = self.create.into_body()?;
        match find_by_name(&client, GroupFilter::Workspace(workspace), &name).await? {
            Some(group) => Ok(GetOrCreateOutcome::Found(group)),
            None => create(&client, body).await.map(GetOrCreateOutcome::Created),
        }
    }
}

/// What [`GetOrCreateGroup::send_with_outcome`] did.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum GetOrCreateOutcome {
    /// The live group of that name, as it was: the description and participants given were
    /// not used.
    Found(ParticipantGroup),
    /// A group made now, with the description and participants given.
    Created(ParticipantGroup),
}

impl GetOrCreateOutcome {
    /// The group, found or created.
    pub fn into_group(self) -> ParticipantGroup {
        match self {
            GetOrCreateOutcome::Found(group) | GetOrCreateOutcome::Created(group) => group,
        }
    }

    /// Whether the group was created now.
    pub fn was_created(&self) -> bool {
        matches!(self, GetOrCreateOutcome::Created(_))
    }
}

send_on_await!(GetOrCreateGroup => ParticipantGroup);

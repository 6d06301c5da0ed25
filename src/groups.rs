//! The participant-groups handle: one method per operation of the API.

use std::borrow::Cow;

use crate::{
    Client,
    bulk::{AddParticipants, RemoveParticipants, ReplaceParticipants},
    error::{Error, Result, call},
    input::{check_group_id, check_id, check_name, participant_ids},
    types::{self, Membership, ParticipantGroup},
};

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
    pub(crate) fn new(client: Client) -> Self {
        ParticipantGroups { client }
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

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
        ListGroups {
            client: self.client.clone(),
            filter,
            active: None,
            page_size: crate::paginate::DEFAULT_PAGE_SIZE,
        }
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
        CreateGroup {
            client: self.client.clone(),
            owner,
            name: name.into(),
            description: None,
            participants: None,
        }
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
        call("get_participant_group", self.client.raw(), |raw| {
            raw.get_participant_group().id(id).send()
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
        UpdateGroup {
            client: self.client.clone(),
            id: id.as_ref().to_owned(),
            name: None,
        }
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
        call("delete_participant_group", self.client.raw(), |raw| {
            raw.delete_participant_group().id(id).send()
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
        let list = call("list_participant_group_members", self.client.raw(), |raw| {
            raw.list_participant_group_members().id(id).send()
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
        AddParticipants::new(self.clone(), id.as_ref(), participant_ids(ids))
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
        RemoveParticipants::new(self.clone(), id.as_ref(), participant_ids(ids))
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
        ReplaceParticipants::new(self.clone(), id.as_ref(), participant_ids(ids))
    }

    /// Sends one PATCH. `participant_ids: Some(..)` overwrites the membership.
    pub(crate) async fn patch(
        &self,
        id: &str,
        name: Option<String>,
        participant_ids: Option<Vec<String>>,
    ) -> Result<ParticipantGroup> {
        let body = types::UpdateParticipantGroup {
            name,
            participant_ids,
        };
        call("update_participant_group", self.client.raw(), |raw| {
            raw.update_participant_group()
                .id(id)
                .body(body.clone())
                .send()
        })
        .await
    }
}

/// Lists groups: `.send()` reads every page, `.stream()` yields groups as pages arrive.
/// From [`ParticipantGroups::list`].
#[derive(Clone, Debug)]
#[must_use = "a list request does nothing until `.send()` or `.stream()`"]
pub struct ListGroups {
    pub(crate) client: Client,
    pub(crate) filter: GroupFilter,
    pub(crate) active: Option<bool>,
    pub(crate) page_size: u64,
}

impl ListGroups {
    /// `true`: only live groups; `false`: only deleted ones. Unset: both.
    pub fn active(mut self, active: bool) -> Self {
        self.active = Some(active);
        self
    }

    /// How many groups to ask for per page (default 200).
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = size;
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
        let (GroupFilter::Workspace(id) | GroupFilter::Project(id)) = &self.filter;
        check_id(|| "filter id".into(), id)?;
        if self.page_size == 0 {
            return Err(Error::invalid("page size", "is zero"));
        }
        Ok(())
    }
}

/// Creates a group. From [`ParticipantGroups::create`].
#[derive(Debug)]
#[must_use = "a create request does nothing until `.send()`"]
pub struct CreateGroup {
    client: Client,
    owner: Owner,
    name: String,
    description: Option<String>,
    participants: Option<Result<Vec<String>>>,
}

impl CreateGroup {
    /// A description of the group.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Participants to put in the group when it is made (de-duplicated, sent in the one
    /// create request).
    pub fn participants<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids = ids.into_iter().map(|id| Cow::Owned(id.into()));
        self.participants = Some(
            participant_ids(ids).map(|ids| ids.ids.into_iter().map(Cow::into_owned).collect()),
        );
        self
    }

    /// Creates the group and returns it.
    pub async fn send(self) -> Result<ParticipantGroup> {
        check_name(&self.name)?;
        let (workspace_id, organisation_id) = match self.owner {
            Owner::Workspace(id) => {
                check_id(|| "workspace id".into(), &id)?;
                (Some(id), None)
            }
            Owner::Organisation(id) => {
                check_id(|| "organisation id".into(), &id)?;
                (None, Some(id))
            }
        };
        let participant_ids = self.participants.transpose()?.unwrap_or_default();
        let body = types::CreateParticipantGroup {
            name: self.name,
            description: self.description,
            workspace_id,
            organisation_id,
            participant_ids,
        };
        call("create_participant_group", self.client.raw(), |raw| {
            raw.create_participant_group().body(body.clone()).send()
        })
        .await
    }
}

/// Renames a group. From [`ParticipantGroups::update`].
#[derive(Clone, Debug)]
#[must_use = "an update request does nothing until `.send()`"]
pub struct UpdateGroup {
    client: Client,
    id: String,
    name: Option<String>,
}

impl UpdateGroup {
    /// The new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sends the update and returns the group as it is now.
    pub async fn send(self) -> Result<ParticipantGroup> {
        check_group_id(&self.id)?;
        let Some(name) = self.name else {
            return Err(Error::invalid("update", "changes nothing: set .name(..)"));
        };
        check_name(&name)?;
        self.client
            .participant_groups()
            .patch(&self.id, Some(name), None)
            .await
    }
}

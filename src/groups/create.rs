//! [`CreateGroup`]: a new group in a workspace or an organisation.

use std::borrow::Cow;

use super::Owner;
use crate::{
    client::Client,
    error::Result,
    generated::types::{self, ParticipantGroup},
    operation::Operation,
    validate::{check_id, check_name, participant_ids},
};

/// Creates a group. From [`ParticipantGroups::create`](super::ParticipantGroups::create);
/// `.send()` or `.await` resolves to the new group.
#[derive(Debug)]
#[must_use = "a create request does nothing until `.send()` or `.await`"]
pub struct CreateGroup {
    client: Client,
    owner: Owner,
    name: String,
    description: Option<String>,
    participants: Option<Result<Vec<String>>>,
}

impl CreateGroup {
    pub(super) fn new(client: Client, owner: Owner, name: String) -> Self {
        CreateGroup {
            client,
            owner,
            name,
            description: None,
            participants: None,
        }
    }

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
        self.participants =
            Some(participant_ids(ids).map(|ids| ids.into_iter().map(Cow::into_owned).collect()));
        self
    }

    /// Creates the group and returns it.
    pub async fn send(self) -> Result<ParticipantGroup> {
        let (client, _, body) = self.into_body()?;
        create(&client, body).await
    }

    /// The owner, as given.
    pub(super) fn owner(&self) -> &Owner {
        &self.owner
    }

    /// Checks the input and returns the name and the create request's body.
    pub(super) fn into_body(self) -> Result<(Client, String, CreateBody)> {
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
        // The builder, not a struct literal: a field the spec adds later needs no edit here.
        let body = types::CreateParticipantGroup::builder()
            .name(self.name.clone())
            .description(self.description)
            .workspace_id(workspace_id)
            .organisation_id(organisation_id)
            .participant_ids(self.participants.transpose()?.unwrap_or_default());
        Ok((self.client, self.name, body))
    }
}

send_on_await!(CreateGroup => ParticipantGroup);

/// The body of a create request, every field checked.
pub(super) type CreateBody = types::builder::CreateParticipantGroup;

/// Sends a create request.
pub(super) async fn create(client: &Client, body: CreateBody) -> Result<ParticipantGroup> {
    client
        .call(Operation::CreateGroup, async |raw| {
            raw.create_participant_group().body(body).send().await
        })
        .await
}

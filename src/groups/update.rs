//! [`UpdateGroup`]: renaming a group, and the PATCH that replacing its membership starts with.

use crate::{
    client::Client,
    error::{Error, Result},
    generated::types::{self, ParticipantGroup},
    operation::Operation,
    validate::{check_group_id, check_name},
};

/// Renames a group. From [`ParticipantGroups::update`](super::ParticipantGroups::update);
/// `.send()` or `.await` resolves to the group as it is now.
#[derive(Debug)]
#[must_use = "an update request does nothing until `.send()` or `.await`"]
pub struct UpdateGroup {
    client: Client,
    id: String,
    name: Option<String>,
}

impl UpdateGroup {
    pub(super) fn new(client: Client, id: String) -> Self {
        UpdateGroup {
            client,
            id,
            name: None,
        }
    }

    /// The new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sends the update and returns the group as it is now.
    pub async fn send(self) -> Result<ParticipantGroup> {
        check_group_id(&self.id)?;
        let Some(name) = self.name else {
            return Err(Error::invalid(
                "the update",
                "changes nothing: give a new name with .name(..)",
            ));
        };
        check_name(&name)?;
        patch(&self.client, &self.id, Some(name), None).await
    }
}

send_on_await!(UpdateGroup => ParticipantGroup);

/// Sends one PATCH. `participant_ids: Some(..)` overwrites the membership.
pub(super) async fn patch(
    client: &Client,
    id: &str,
    name: Option<String>,
    participant_ids: Option<Vec<String>>,
) -> Result<ParticipantGroup> {
    // The builder, not a struct literal: a field the spec adds later needs no edit here.
    let body = types::UpdateParticipantGroup::builder()
        .name(name)
        .participant_ids(participant_ids);
    client
        .call(Operation::UpdateGroup, async |raw| {
            raw.update_participant_group()
                .id(id)
                .body(body)
                .send()
                .await
        })
        .await
}

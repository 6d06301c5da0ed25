//! [`MessageGroup`]: a message to every member of a group.

use crate::{
    client::Client,
    error::{Error, Result},
    generated::types,
    operation::Operation,
    validate::{check_group_id, check_id},
};

/// Sends a message to the members of a group. From
/// [`ParticipantGroups::message`](super::ParticipantGroups::message).
///
/// Not retried after a timeout or a server error: the message may have gone out, and sent
/// twice it reaches everyone twice. Such a failure says that the request "may or may not have
/// been applied"; find out (from the participants, or Prolific's app) before sending again.
#[derive(Debug)]
#[must_use = "a message does nothing until `.send()` or `.await`"]
pub struct MessageGroup {
    client: Client,
    group_id: String,
    body: String,
    study_id: Option<String>,
}

impl MessageGroup {
    pub(super) fn new(client: Client, group_id: String, body: String) -> Self {
        MessageGroup {
            client,
            group_id,
            body,
            study_id: None,
        }
    }

    /// The study the message is about.
    pub fn study(mut self, study_id: impl Into<String>) -> Self {
        self.study_id = Some(study_id.into());
        self
    }

    /// Sends the message.
    pub async fn send(self) -> Result<()> {
        check_group_id(&self.group_id)?;
        if self.body.trim().is_empty() {
            return Err(Error::invalid("message body", "is empty"));
        }
        if let Some(study_id) = &self.study_id {
            check_id(|| "study id".into(), study_id)?;
        }
        // The builder, not a struct literal: a field the spec adds later needs no edit here.
        let body = types::GroupMessage::builder()
            .participant_group_id(self.group_id)
            .body(self.body)
            .study_id(self.study_id);
        self.client
            .call(Operation::MessageGroup, async |raw| {
                raw.send_participant_group_message().body(body).send().await
            })
            .await
    }
}

send_on_await!(MessageGroup => ());

//! [`Operation`]: the nine calls of the API, named once for retries, errors, bulk reports and
//! the fake.

use std::fmt;

/// One of the nine operations of Prolific's participant-groups API (the eight on groups and
/// their members, and the message to a group).
///
/// Errors name the operation that failed ([`ApiError::operation`](crate::ApiError)), the retry
/// policy asks whether it [is idempotent](Self::is_idempotent), and the fake aims faults at it
/// ([`FakeProlific::inject_on`](crate::fake::FakeProlific::inject_on), with the `fake` feature).
///
/// ```
/// use prolific::Operation;
/// assert_eq!(Operation::AddMembers.operation_id(), "add_participant_group_members");
/// assert_eq!(Operation::from_operation_id("create_participant_group"), Some(Operation::CreateGroup));
/// assert!(!Operation::CreateGroup.is_idempotent());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `GET /api/v1/participant-groups/`
    ListGroups,
    /// `POST /api/v1/participant-groups/`
    CreateGroup,
    /// `GET /api/v1/participant-groups/{id}/`
    GetGroup,
    /// `PATCH /api/v1/participant-groups/{id}/`
    UpdateGroup,
    /// `DELETE /api/v1/participant-groups/{id}/`
    DeleteGroup,
    /// `GET /api/v1/participant-groups/{id}/participants/`
    ListMembers,
    /// `POST /api/v1/participant-groups/{id}/participants/`
    AddMembers,
    /// `DELETE /api/v1/participant-groups/{id}/participants/`
    RemoveMembers,
    /// `POST /api/v1/messages/participant-group/`
    MessageGroup,
}

impl Operation {
    /// Every operation, in the spec's order. A slice, not an array, so that an operation
    /// Prolific adds is not a breaking change.
    pub const ALL: &[Operation] = &[
        Operation::ListGroups,
        Operation::CreateGroup,
        Operation::GetGroup,
        Operation::UpdateGroup,
        Operation::DeleteGroup,
        Operation::ListMembers,
        Operation::AddMembers,
        Operation::RemoveMembers,
        Operation::MessageGroup,
    ];

    /// The operation's `operationId` in the spec, which is also the name of the generated
    /// client's method for it.
    pub fn operation_id(self) -> &'static str {
        match self {
            Operation::ListGroups => "list_participant_groups",
            Operation::CreateGroup => "create_participant_group",
            Operation::GetGroup => "get_participant_group",
            Operation::UpdateGroup => "update_participant_group",
            Operation::DeleteGroup => "delete_participant_group",
            Operation::ListMembers => "list_participant_group_members",
            Operation::AddMembers => "add_participant_group_members",
            Operation::RemoveMembers => "remove_participant_group_members",
            Operation::MessageGroup => "send_participant_group_message",
        }
    }

    /// The operation with this `operationId`, if there is one.
    pub fn from_operation_id(id: &str) -> Option<Operation> {
        Operation::ALL
            .iter()
            .copied()
            .find(|operation| operation.operation_id() == id)
    }

    /// What a success answer of the operation holds, in words, for messages about a body
    /// that could not be read.
    pub(crate) fn expected_answer(self) -> &'static str {
        match self {
            Operation::ListGroups => "a page of participant groups",
            Operation::CreateGroup | Operation::GetGroup | Operation::UpdateGroup => {
                "a participant group"
            }
            Operation::DeleteGroup | Operation::MessageGroup => "an empty answer",
            Operation::ListMembers | Operation::AddMembers | Operation::RemoveMembers => {
                "the members of a group"
            }
        }
    }

    /// Whether sending the request twice leaves the same state as sending it once, so that a
    /// retry after a timeout is safe. Every operation but [`CreateGroup`](Self::CreateGroup)
    /// and [`MessageGroup`](Self::MessageGroup) is: reads change nothing, an update or delete
    /// sent twice ends in the same state, and Prolific documents add and remove as ignoring
    /// ids already in (or not in) the group. A create sent twice makes two groups, and a
    /// message sent twice reaches every member twice.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Operation::CreateGroup | Operation::MessageGroup)
    }
}

impl fmt::Display for Operation {
    /// The `operationId`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation_id())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::Operation;

    /// The operations of the spec, as build.rs listed them: `<operationId>: <METHOD> <path>`.
    const SURFACE: &str = include_str!(concat!(env!("OUT_DIR"), "/surface.txt"));

    /// Each operation's method and path. The match is exhaustive: a new variant does not
    /// compile until it is given here, and the test below then ties it to the spec.
    fn request_line(operation: Operation) -> &'static str {
        match operation {
            Operation::ListGroups => "GET /api/v1/participant-groups/",
            Operation::CreateGroup => "POST /api/v1/participant-groups/",
            Operation::GetGroup => "GET /api/v1/participant-groups/{id}/",
            Operation::UpdateGroup => "PATCH /api/v1/participant-groups/{id}/",
            Operation::DeleteGroup => "DELETE /api/v1/participant-groups/{id}/",
            Operation::ListMembers => "GET /api/v1/participant-groups/{id}/participants/",
            Operation::AddMembers => "POST /api/v1/participant-groups/{id}/participants/",
            Operation::RemoveMembers => "DELETE /api/v1/participant-groups/{id}/participants/",
            Operation::MessageGroup => "POST /api/v1/messages/participant-group/",
        }
    }

    /// Every operation of the spec is an `Operation` with the same method and path, and no
    /// `Operation` is missing from the spec. (The wire tests, `tests/it/wire.rs`, send every
    /// `Operation` through the wrapper.)
    #[test]
    fn the_operations_are_exactly_the_specs() {
        let spec: BTreeSet<&str> = SURFACE
            .lines()
            .filter(|line| line.contains(": ") && line.contains(" /api/"))
            .filter(|line| !line.starts_with(' '))
            .collect();
        let ours: BTreeSet<String> = Operation::ALL
            .iter()
            .map(|&op| format!("{op}: {}", request_line(op)))
            .collect();
        let ours: BTreeSet<&str> = ours.iter().map(String::as_str).collect();
        assert_eq!(
            ours, spec,
            "openapi/participant-groups.yaml and src/operation.rs differ"
        );
        assert_eq!(
            ours.len(),
            Operation::ALL.len(),
            "ALL holds each operation once"
        );
        for &op in Operation::ALL {
            assert_eq!(Operation::from_operation_id(op.operation_id()), Some(op));
        }
    }

    #[test]
    fn only_create_and_message_are_not_idempotent() {
        let not: Vec<Operation> = Operation::ALL
            .iter()
            .copied()
            .filter(|op| !op.is_idempotent())
            .collect();
        assert_eq!(not, [Operation::CreateGroup, Operation::MessageGroup]);
    }
}

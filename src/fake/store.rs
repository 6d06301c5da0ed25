//! The fake's state: participant groups and their members, with the API's rules and no HTTP.
//!
//! Groups are kept in creation order and never removed (a delete is soft). Members are kept in
//! join order with an O(1) membership test, add and remove, so groups of a million members
//! stay cheap to change a chunk at a time.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::{Serialize, Serializer, ser::SerializeSeq};

use super::GroupMessage;

/// Where a group lives: a workspace or an organisation (exactly one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    Workspace(String),
    Organisation(String),
}

/// Which groups a list covers: those of a workspace or of a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    Workspace(String),
    /// Groups made here never belong to a project (`project_id` is deprecated and always
    /// null), so a project's list is empty.
    Project(String),
}

/// A validated create request.
#[derive(Debug)]
pub(crate) struct NewGroup {
    pub(crate) name: String,
    pub(crate) owner: Owner,
    pub(crate) description: Option<String>,
    pub(crate) participant_ids: Vec<String>,
}

/// A validated list request.
#[derive(Debug)]
pub(crate) struct ListQuery {
    pub(crate) scope: Scope,
    /// `Some(true)`: live groups only; `Some(false)`: deleted ones only; `None`: both.
    pub(crate) active: Option<bool>,
    pub(crate) offset: usize,
    pub(crate) limit: usize,
}

/// One page of a group list.
pub(crate) struct Page<'a> {
    pub(crate) groups: Vec<&'a Group>,
    /// How many groups match the filter across all pages.
    pub(crate) count: usize,
}

/// One participant group.
#[derive(Debug)]
pub(crate) struct Group {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) owner: Owner,
    pub(crate) is_deleted: bool,
    pub(crate) members: Members,
}

impl Group {
    pub(crate) fn workspace_id(&self) -> Option<&str> {
        match &self.owner {
            Owner::Workspace(id) => Some(id),
            Owner::Organisation(_) => None,
        }
    }

    pub(crate) fn organisation_id(&self) -> Option<&str> {
        match &self.owner {
            Owner::Organisation(id) => Some(id),
            Owner::Workspace(_) => None,
        }
    }
}

/// Every group, in creation order, and the messages sent to groups.
#[derive(Debug, Default)]
pub(crate) struct Store {
    groups: Vec<Group>,
    messages: Vec<GroupMessage>,
    by_id: HashMap<String, usize>,
    by_workspace: HashMap<String, Vec<usize>>,
    next_id: u64,
}

impl Store {
    /// Creates a group; its initial members join now.
    pub(crate) fn create(&mut self, new: NewGroup) -> &Group {
        let id = self.new_id();
        let slot = self.groups.len();
        if let Owner::Workspace(workspace) = &new.owner {
            self.by_workspace
                .entry(workspace.clone())
                .or_default()
                .push(slot);
        }
        let mut members = Members::default();
        members.add(new.participant_ids, now());
        self.by_id.insert(id.clone(), slot);
        self.groups.push(Group {
            id,
            name: new.name,
            description: new.description,
            owner: new.owner,
            is_deleted: false,
            members,
        });
        &self.groups[slot]
    }

    /// The group with this id, deleted or not.
    pub(crate) fn get(&self, id: &str) -> Option<&Group> {
        self.by_id.get(id).map(|&slot| &self.groups[slot])
    }

    /// Every group, deleted or not, in creation order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Group> {
        self.groups.iter()
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Group> {
        let slot = *self.by_id.get(id)?;
        Some(&mut self.groups[slot])
    }

    /// Renames a group and/or overwrites its membership (`None` leaves a field alone).
    pub(crate) fn update(
        &mut self,
        id: &str,
        name: Option<String>,
        participant_ids: Option<Vec<String>>,
    ) -> Option<&Group> {
        let group = self.get_mut(id)?;
        if let Some(name) = name {
            group.name = name;
        }
        if let Some(ids) = participant_ids {
            group.members.replace(ids, now());
        }
        Some(group)
    }

    /// Marks a group deleted. Deleting a deleted group succeeds again: the state is the same.
    pub(crate) fn delete(&mut self, id: &str) -> bool {
        self.get_mut(id)
            .map(|group| group.is_deleted = true)
            .is_some()
    }

    /// Adds participants, ignoring those already in the group.
    pub(crate) fn add_members(&mut self, id: &str, ids: Vec<String>) -> Option<&Group> {
        let group = self.get_mut(id)?;
        group.members.add(ids, now());
        Some(group)
    }

    /// Removes participants, ignoring those not in the group.
    pub(crate) fn remove_members(&mut self, id: &str, ids: &[String]) -> Option<&Group> {
        let group = self.get_mut(id)?;
        for participant in ids {
            group.members.remove(participant);
        }
        Some(group)
    }

    /// Keeps a message to a group; `false` (and nothing kept) when there is no such group.
    /// A deleted group is still a group here: Prolific's docs do not say that it refuses one.
    pub(crate) fn send_message(&mut self, message: GroupMessage) -> bool {
        if self.get(&message.participant_group_id).is_none() {
            return false;
        }
        self.messages.push(message);
        true
    }

    /// The messages sent to groups, oldest first.
    pub(crate) fn messages(&self) -> &[GroupMessage] {
        &self.messages
    }

    /// One page of the groups in `query`'s scope, in creation order.
    pub(crate) fn list(&self, query: &ListQuery) -> Page<'_> {
        let slots: &[usize] = match &query.scope {
            Scope::Workspace(workspace) => self.by_workspace.get(workspace).map_or(&[], |v| v),
            Scope::Project(_) => &[],
        };
        let matching = slots
            .iter()
            .map(|&slot| &self.groups[slot])
            .filter(|group| query.active.is_none_or(|active| active != group.is_deleted));
        let mut page = Page {
            groups: Vec::new(),
            count: 0,
        };
        for group in matching {
            if page.count >= query.offset && page.groups.len() < query.limit {
                page.groups.push(group);
            }
            page.count += 1;
        }
        page
    }

    /// A fresh 24-hex-digit id, like a MongoDB ObjectId: a timestamp, then a counter.
    fn new_id(&mut self) -> String {
        self.next_id += 1;
        let seconds = Utc::now().timestamp().clamp(0, i64::from(u32::MAX));
        format!("{seconds:08x}{:016x}", self.next_id)
    }
}

/// The members of a group in join order: O(1) membership test, add and remove.
///
/// Removal leaves a hole that iteration skips; the holes are squeezed out once they
/// outnumber the members, so iteration stays linear in the number of members.
#[derive(Debug, Default)]
pub(crate) struct Members {
    slots: Vec<Option<Member>>,
    index: HashMap<Arc<str>, usize>,
}

/// One participant's membership.
#[derive(Debug)]
pub(crate) struct Member {
    pub(crate) id: Arc<str>,
    pub(crate) joined: DateTime<Utc>,
}

impl Members {
    /// How many participants are in the group.
    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    /// Every member, in join order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Member> {
        self.slots.iter().flatten()
    }

    /// Adds the participants not yet in the group; they join at `now`.
    pub(crate) fn add(&mut self, ids: impl IntoIterator<Item = String>, now: DateTime<Utc>) {
        for id in ids {
            if self.index.contains_key(id.as_str()) {
                continue;
            }
            let id: Arc<str> = id.into();
            self.index.insert(Arc::clone(&id), self.slots.len());
            self.slots.push(Some(Member { id, joined: now }));
        }
    }

    /// Removes a participant if they are in the group.
    pub(crate) fn remove(&mut self, id: &str) {
        let Some(slot) = self.index.remove(id) else {
            return;
        };
        self.slots[slot] = None;
        if self.slots.len() > 2 * self.index.len() + 16 {
            self.compact();
        }
    }

    /// Makes the membership exactly `ids`: those who stay keep their place and join time,
    /// the others leave, and the newcomers join at `now`.
    pub(crate) fn replace(&mut self, ids: Vec<String>, now: DateTime<Utc>) {
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        for slot in &mut self.slots {
            if slot.as_ref().is_some_and(|m| !wanted.contains(&*m.id)) {
                *slot = None;
            }
        }
        self.compact();
        drop(wanted);
        self.add(ids, now);
    }

    /// Drops the holes left by removals and rebuilds the index.
    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        self.index.clear();
        for (slot, member) in self.slots.iter().flatten().enumerate() {
            self.index.insert(Arc::clone(&member.id), slot);
        }
    }
}

/// Serializes as Prolific's membership list items, without copying the members; members who
/// joined together share one formatted timestamp.
impl Serialize for Members {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Item<'a> {
            participant_id: &'a str,
            datetime_created: &'a str,
        }
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        let mut last: Option<(DateTime<Utc>, String)> = None;
        for member in self.iter() {
            let stamp = match &last {
                Some((at, text)) if *at == member.joined => text,
                _ => &last.insert((member.joined, rfc3339(member.joined))).1,
            };
            seq.serialize_element(&Item {
                participant_id: &member.id,
                datetime_created: stamp,
            })?;
        }
        seq.end()
    }
}

/// The time a member joins: now, to the microsecond, as Prolific's answers give it (so that
/// [`FakeProlific::group`](super::FakeProlific::group) and the HTTP answers agree).
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// RFC 3339 in UTC with a `Z`, to the microsecond (as Django REST framework writes it).
pub(crate) fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("p{i}")).collect()
    }

    fn order(members: &Members) -> Vec<&str> {
        members.iter().map(|m| &*m.id).collect()
    }

    #[test]
    fn members_keep_join_order_through_adds_removes_and_replaces() {
        let mut members = Members::default();
        let now = Utc::now();
        members.add(ids(0..5), now);
        members.add(vec!["p2".into(), "p9".into(), "p9".into()], now);
        assert_eq!(order(&members), ["p0", "p1", "p2", "p3", "p4", "p9"]);
        members.remove("p1");
        members.remove("nobody");
        assert_eq!(order(&members), ["p0", "p2", "p3", "p4", "p9"]);
        members.replace(vec!["p9".into(), "new".into(), "p0".into()], now);
        assert_eq!(order(&members), ["p0", "p9", "new"]);
        assert_eq!(members.len(), 3);
        members.replace(Vec::new(), now);
        assert_eq!(members.len(), 0);
        assert_eq!(members.iter().count(), 0);
    }

    #[test]
    fn removing_most_members_compacts_and_keeps_the_index_right() {
        let mut members = Members::default();
        members.add(ids(0..1000), Utc::now());
        for id in ids(0..990) {
            members.remove(&id);
        }
        assert!(members.slots.len() < 100, "{}", members.slots.len());
        assert_eq!(order(&members), ids(990..1000));
        members.remove("p995");
        assert_eq!(members.len(), 9);
        assert!(!order(&members).contains(&"p995"));
    }

    #[test]
    fn lists_page_in_creation_order_with_exact_counts() {
        let mut store = Store::default();
        let made: Vec<String> = (0..7)
            .map(|i| {
                store
                    .create(NewGroup {
                        name: format!("g{i}"),
                        owner: Owner::Workspace("w".into()),
                        description: None,
                        participant_ids: Vec::new(),
                    })
                    .id
                    .clone()
            })
            .collect();
        store.delete(&made[1]);
        let query = |active, offset, limit| ListQuery {
            scope: Scope::Workspace("w".into()),
            active,
            offset,
            limit,
        };
        let page = store.list(&query(None, 5, 10));
        assert_eq!(page.count, 7);
        assert_eq!(page.groups.len(), 2);
        let page = store.list(&query(Some(true), 0, 2));
        assert_eq!(page.count, 6);
        assert_eq!(page.groups[1].id, made[2]);
        let page = store.list(&query(Some(false), 3, 2));
        assert_eq!((page.count, page.groups.len()), (1, 0));
        assert_eq!(made[0].len(), 24);
        assert!(made[0].bytes().all(|b| b.is_ascii_hexdigit()));
    }
}

//! The HTTP side of the API: find the resource and the operation, check the token, then
//! parse the input ([`input`](super::input)), call the store, and answer in Prolific's shapes
//! ([`answers`]).

use std::sync::Mutex;

use http::{HeaderValue, Method, StatusCode};
use percent_encoding::percent_decode_str;

use super::{
    answers::{
        self, GROUP_MESSAGES, GROUPS, GroupJson, Problem, Response, json, members_json, no_content,
    },
    input::{group_message, list_query, new_group, object, participant_ids, update},
    store::Store,
};
use crate::{Operation, lock::lock};

/// The API behind the socket: its token, its state, and how it writes links.
#[derive(Debug)]
pub(crate) struct Api {
    pub(crate) token: String,
    /// Such as `http://127.0.0.1:8080`, for the absolute links of the group list.
    pub(crate) base_url: String,
    /// The page size of a group list that gives no `limit`.
    pub(crate) page_size: usize,
    pub(crate) store: Mutex<Store>,
}

/// One request, as the server read it.
pub(crate) struct Call<'a> {
    pub(crate) method: &'a Method,
    /// Raw, percent-encoding kept.
    pub(crate) path: &'a str,
    /// Raw.
    pub(crate) query: Option<&'a str>,
    pub(crate) authorization: Option<&'a HeaderValue>,
    pub(crate) body: &'a [u8],
}

/// The four resources of the API.
enum Resource {
    Groups,
    Group(String),
    Members(String),
    GroupMessages,
}

impl Resource {
    /// The resource at `path`; `None` for a path that is not the API's (or whose id is not
    /// UTF-8 once percent-decoded).
    fn at(path: &str) -> Option<Resource> {
        if path == GROUP_MESSAGES {
            return Some(Resource::GroupMessages);
        }
        let rest = path.strip_prefix(GROUPS)?;
        if rest.is_empty() {
            return Some(Resource::Groups);
        }
        let (segment, rest) = rest.split_once('/')?;
        let id = percent_decode_str(segment).decode_utf8().ok()?.into_owned();
        match rest {
            "" => Some(Resource::Group(id)),
            "participants/" => Some(Resource::Members(id)),
            _ => None,
        }
    }

    /// The `Allow` header of the resource.
    fn allow(&self) -> &'static str {
        match self {
            Resource::Groups => "GET, POST",
            Resource::Group(_) => "GET, PATCH, DELETE",
            Resource::Members(_) => "GET, POST, DELETE",
            Resource::GroupMessages => "POST",
        }
    }

    fn operation(&self, method: &Method) -> Option<Operation> {
        use Operation::*;
        let operation = match (self, method.as_str()) {
            (Resource::Groups, "GET") => ListGroups,
            (Resource::Groups, "POST") => CreateGroup,
            (Resource::Group(_), "GET") => GetGroup,
            (Resource::Group(_), "PATCH") => UpdateGroup,
            (Resource::Group(_), "DELETE") => DeleteGroup,
            (Resource::Members(_), "GET") => ListMembers,
            (Resource::Members(_), "POST") => AddMembers,
            (Resource::Members(_), "DELETE") => RemoveMembers,
            (Resource::GroupMessages, "POST") => MessageGroup,
            _ => return None,
        };
        Some(operation)
    }
}

/// The operation a request is for, if it is one of the API's.
pub(crate) fn operation(method: &Method, path: &str) -> Option<Operation> {
    Resource::at(path)?.operation(method)
}

type Answer = Result<Response, Problem>;

impl Api {
    /// Answers one request: 401 before anything else, then 404, 405, 400, or the truth.
    pub(crate) fn answer(&self, call: &Call<'_>) -> Response {
        self.dispatch(call).unwrap_or_else(Problem::into_response)
    }

    fn dispatch(&self, call: &Call<'_>) -> Answer {
        self.authenticate(call.authorization)?;
        let resource = Resource::at(call.path).ok_or_else(Problem::no_such_path)?;
        let Some(operation) = resource.operation(call.method) else {
            return Err(Problem::method_not_allowed(call.method, resource.allow()));
        };
        let id = match &resource {
            Resource::Groups | Resource::GroupMessages => "",
            Resource::Group(id) | Resource::Members(id) => id,
        };
        match operation {
            Operation::ListGroups => self.list_groups(call.query),
            Operation::CreateGroup => self.create_group(call.body),
            Operation::GetGroup => self.get_group(id),
            Operation::UpdateGroup => self.update_group(id, call.body),
            Operation::DeleteGroup => self.delete_group(id),
            Operation::ListMembers => self.list_members(id),
            Operation::AddMembers => self.add_members(id, call.body),
            Operation::RemoveMembers => self.remove_members(id, call.body),
            Operation::MessageGroup => self.message_group(call.body),
        }
    }

    /// Checks `Authorization: Token <token>` as Django REST framework does (the scheme's case
    /// does not matter).
    fn authenticate(&self, header: Option<&HeaderValue>) -> Result<(), Problem> {
        let mut words = header
            .map(HeaderValue::as_bytes)
            .unwrap_or_default()
            .split(|&b| b == b' ')
            .filter(|word| !word.is_empty());
        let detail = match (words.next(), words.next(), words.next()) {
            (Some(scheme), token, rest) if scheme.eq_ignore_ascii_case(b"token") => {
                match (token, rest) {
                    (Some(token), None) if token == self.token.as_bytes() => return Ok(()),
                    (Some(_), None) => "Invalid token.",
                    (None, _) => "Invalid token header. No credentials provided.",
                    (Some(_), Some(_)) => {
                        "Invalid token header. Token string should not contain spaces."
                    }
                }
            }
            _ => "Authentication credentials were not provided.",
        };
        Err(Problem::unauthorized(detail))
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        lock(&self.store)
    }

    fn list_groups(&self, query: Option<&str>) -> Answer {
        let query = list_query(query.unwrap_or_default(), self.page_size)?;
        let store = self.store();
        let page = store.list(&query);
        Ok(answers::group_list(&self.base_url, &query, page))
    }

    fn create_group(&self, body: &[u8]) -> Answer {
        let new = new_group(object(body)?)?;
        let mut store = self.store();
        Ok(json(
            StatusCode::CREATED,
            &GroupJson::from(store.create(new)),
        ))
    }

    fn get_group(&self, id: &str) -> Answer {
        let store = self.store();
        let group = store.get(id).ok_or_else(|| Problem::no_such_group(id))?;
        Ok(json(StatusCode::OK, &GroupJson::from(group)))
    }

    fn update_group(&self, id: &str, body: &[u8]) -> Answer {
        let (name, ids) = update(object(body)?)?;
        let mut store = self.store();
        let group = store
            .update(id, name, ids)
            .ok_or_else(|| Problem::no_such_group(id))?;
        Ok(json(StatusCode::OK, &GroupJson::from(group)))
    }

    fn delete_group(&self, id: &str) -> Answer {
        if !self.store().delete(id) {
            return Err(Problem::no_such_group(id));
        }
        Ok(no_content())
    }

    fn list_members(&self, id: &str) -> Answer {
        let store = self.store();
        let group = store.get(id).ok_or_else(|| Problem::no_such_group(id))?;
        Ok(members_json(&group.members))
    }

    fn add_members(&self, id: &str, body: &[u8]) -> Answer {
        let ids = participant_ids(object(body)?)?;
        let mut store = self.store();
        let group = store
            .add_members(id, ids)
            .ok_or_else(|| Problem::no_such_group(id))?;
        Ok(members_json(&group.members))
    }

    fn remove_members(&self, id: &str, body: &[u8]) -> Answer {
        let ids = participant_ids(object(body)?)?;
        let mut store = self.store();
        let group = store
            .remove_members(id, &ids)
            .ok_or_else(|| Problem::no_such_group(id))?;
        Ok(members_json(&group.members))
    }

    fn message_group(&self, body: &[u8]) -> Answer {
        let message = group_message(object(body)?)?;
        let mut store = self.store();
        let id = message.participant_group_id.clone();
        if !store.send_message(message) {
            return Err(Problem::no_such_group(&id));
        }
        Ok(no_content())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_operations_with_ids_decoded() {
        let op = |m: Method, p: &str| operation(&m, p);
        assert_eq!(op(Method::GET, GROUPS), Some(Operation::ListGroups));
        assert_eq!(
            op(
                Method::DELETE,
                "/api/v1/participant-groups/a%2Fb/participants/"
            ),
            Some(Operation::RemoveMembers)
        );
        assert_eq!(op(Method::PUT, GROUPS), None);
        assert_eq!(
            op(Method::POST, "/api/v1/messages/participant-group/"),
            Some(Operation::MessageGroup)
        );
        assert_eq!(op(Method::GET, "/api/v1/messages/participant-group/"), None);
        assert_eq!(op(Method::GET, "/api/v1/participant-groups"), None);
        assert_eq!(op(Method::GET, "/api/v1/participant-groups/x/y/"), None);
        assert!(matches!(
            Resource::at("/api/v1/participant-groups/a%2Fb%20c%zz/"),
            Some(Resource::Group(id)) if id == "a/b c%zz"
        ));
        assert!(Resource::at("/api/v1/participant-groups/%ff/").is_none());
    }
}

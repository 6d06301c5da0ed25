//! Prolific's shapes: a group, a page of the group list with its links, a membership list,
//! and the error envelope with the fake's error codes.

use std::{collections::BTreeMap, io};

use http::{HeaderValue, Method, StatusCode, header};
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Bytes;
use serde::Serialize;
use serde_json::{Map, Value};
use url::form_urlencoded;

use super::store::{Group, ListQuery, Members, Page, Scope};

/// The collection's path; a group's is `{GROUPS}{id}/`, its members' `{GROUPS}{id}/participants/`.
pub(crate) const GROUPS: &str = "/api/v1/participant-groups/";
/// The path of a message to a group.
pub(crate) const GROUP_MESSAGES: &str = "/api/v1/messages/participant-group/";

/// The body of an answer of the fake.
pub(crate) type Body = BoxBody<Bytes, io::Error>;

/// An answer of the fake.
pub(crate) type Response = http::Response<Body>;

/// A body of these bytes.
pub(crate) fn body(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A group as Prolific writes it.
#[derive(Serialize)]
pub(crate) struct GroupJson<'a> {
    id: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    workspace_id: Option<&'a str>,
    organisation_id: Option<&'a str>,
    project_id: Option<&'a str>,
    participant_count: usize,
    is_deleted: bool,
    feeder_studies: [(); 0],
}

impl<'a> From<&'a Group> for GroupJson<'a> {
    fn from(group: &'a Group) -> Self {
        GroupJson {
            id: &group.id,
            name: &group.name,
            description: group.description.as_deref(),
            workspace_id: group.workspace_id(),
            organisation_id: group.organisation_id(),
            project_id: None,
            participant_count: group.members.len(),
            is_deleted: group.is_deleted,
            feeder_studies: [],
        }
    }
}

#[derive(Serialize)]
struct GroupListJson<'a> {
    results: Vec<GroupJson<'a>>,
    #[serde(rename = "_links")]
    links: LinksJson,
    meta: MetaJson,
}

#[derive(Serialize)]
struct LinksJson {
    #[serde(rename = "self")]
    this: LinkJson,
    next: LinkJson,
    previous: LinkJson,
    last: LinkJson,
}

#[derive(Serialize)]
struct LinkJson {
    href: Option<String>,
    title: &'static str,
}

#[derive(Serialize)]
struct MetaJson {
    count: usize,
}

/// A membership list: every member, in join order.
pub(crate) fn members_json(members: &Members) -> Response {
    #[derive(Serialize)]
    struct Results<'a> {
        results: &'a Members,
    }
    json(StatusCode::OK, &Results { results: members })
}

/// `value` as a JSON answer.
pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> Response {
    // Serializing these shapes cannot fail (no maps with non-string keys, no failing impls).
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = Response::new(self::body(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// 204 with no body.
pub(crate) fn no_content() -> Response {
    let mut response = Response::new(body(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// A page of the group list, with `_links` and `meta`.
pub(crate) fn group_list(base_url: &str, query: &ListQuery, page: Page<'_>) -> Response {
    let list = GroupListJson {
        links: links(base_url, query, page.count),
        meta: MetaJson { count: page.count },
        results: page.groups.into_iter().map(GroupJson::from).collect(),
    };
    json(StatusCode::OK, &list)
}

/// The `_links` of a page: absolute, with the same filter and page size.
fn links(base_url: &str, query: &ListQuery, count: usize) -> LinksJson {
    let limit = query.limit;
    let next = query.offset.checked_add(limit).filter(|&next| next < count);
    let previous = (query.offset > 0).then(|| query.offset.saturating_sub(limit));
    let last = count.saturating_sub(1) / limit * limit;
    let link = |offset: Option<usize>, title| LinkJson {
        href: offset.map(|offset| page_href(base_url, query, offset)),
        title,
    };
    LinksJson {
        this: link(Some(query.offset), "Current page"),
        next: link(next, "Next page"),
        previous: link(previous, "Previous page"),
        last: link(Some(last), "Last page"),
    }
}

fn page_href(base_url: &str, query: &ListQuery, offset: usize) -> String {
    let mut pairs = form_urlencoded::Serializer::new(String::new());
    match &query.scope {
        Scope::Workspace(id) => pairs.append_pair("workspace_id", id),
        Scope::Project(id) => pairs.append_pair("project_id", id),
    };
    if let Some(active) = query.active {
        pairs.append_pair("active", if active { "true" } else { "false" });
    }
    pairs.append_pair("limit", &query.limit.to_string());
    pairs.append_pair("offset", &offset.to_string());
    format!("{base_url}{GROUPS}?{}", pairs.finish())
}

/// The `error_code` of each kind of error the fake answers (see the module docs' table).
#[derive(Clone, Copy, Debug)]
pub(crate) enum ErrorCode {
    /// 400: a field of the body or the query is wrong; `detail` maps fields to messages.
    InvalidFields,
    /// 400: the body is empty, not JSON, or not a JSON object; `detail` is a sentence.
    Malformed,
    /// 401.
    Unauthorized,
    /// 404: no such group, or no such path.
    NotFound,
    /// 405.
    MethodNotAllowed,
    /// 429 from [`Fault::rate_limited`](super::Fault::rate_limited).
    RateLimited,
    /// From [`Fault::status`](super::Fault::status): `149000 + status`.
    Injected(StatusCode),
}

impl ErrorCode {
    fn number(self) -> u32 {
        match self {
            ErrorCode::InvalidFields => 140_001,
            ErrorCode::Malformed => 140_002,
            ErrorCode::Unauthorized => 140_101,
            ErrorCode::NotFound => 140_404,
            ErrorCode::MethodNotAllowed => 140_405,
            ErrorCode::RateLimited => 140_429,
            ErrorCode::Injected(status) => 149_000 + u32::from(status.as_u16()),
        }
    }
}

/// A refusal, to be answered in Prolific's envelope.
pub(crate) struct Problem {
    status: StatusCode,
    code: ErrorCode,
    title: &'static str,
    detail: Value,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl Problem {
    fn new(status: StatusCode, code: ErrorCode, title: &'static str, detail: Value) -> Self {
        Problem {
            status,
            code,
            title,
            detail,
            headers: Vec::new(),
        }
    }

    pub(crate) fn unauthorized(detail: &str) -> Self {
        let mut problem = Problem::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "Not authenticated",
            detail.into(),
        );
        problem
            .headers
            .push((header::WWW_AUTHENTICATE, HeaderValue::from_static("Token")));
        problem
    }

    pub(crate) fn no_such_group(id: &str) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "Not found",
            format!(
                "No participant group with id {id:?}, or you do not have permission to see it."
            )
            .into(),
        )
    }

    pub(crate) fn no_such_path() -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "Not found",
            "Not found.".into(),
        )
    }

    pub(crate) fn method_not_allowed(method: &Method, allow: &'static str) -> Self {
        let mut problem = Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
            "Method not allowed",
            format!("Method \"{method}\" not allowed.").into(),
        );
        problem
            .headers
            .push((header::ALLOW, HeaderValue::from_static(allow)));
        problem
    }

    pub(crate) fn invalid_fields(fields: BTreeMap<&'static str, Vec<String>>) -> Self {
        let detail = fields
            .into_iter()
            .map(|(field, messages)| (field.to_owned(), Value::from(messages)))
            .collect::<Map<_, _>>();
        Problem::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidFields,
            "Invalid request",
            Value::Object(detail),
        )
    }

    pub(crate) fn malformed(detail: String) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::Malformed,
            "Invalid request",
            detail.into(),
        )
    }

    pub(crate) fn into_response(self) -> Response {
        let mut response = envelope(self.status, self.code, self.title, self.detail);
        response.headers_mut().extend(self.headers);
        response
    }
}

/// An answer of `status` in Prolific's error envelope, with a sentence as `detail`.
pub(crate) fn error_response(
    status: StatusCode,
    code: ErrorCode,
    title: &str,
    detail: &str,
) -> Response {
    envelope(status, code, title, detail.into())
}

fn envelope(status: StatusCode, code: ErrorCode, title: &str, detail: Value) -> Response {
    #[derive(Serialize)]
    struct Envelope<'a> {
        error: ErrorJson<'a>,
    }
    #[derive(Serialize)]
    struct ErrorJson<'a> {
        status: u16,
        error_code: u32,
        title: &'a str,
        detail: Value,
        additional_information: String,
        traceback: Option<&'a str>,
        interactive: bool,
    }
    let error_code = code.number();
    let body = Envelope {
        error: ErrorJson {
            status: status.as_u16(),
            error_code,
            title,
            detail,
            additional_information: format!("/api/v1/errors/{error_code}"),
            traceback: None,
            interactive: false,
        },
    };
    json(status, &body)
}

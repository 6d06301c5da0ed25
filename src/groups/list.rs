//! [`ListGroups`]: the group list, every page at once (`send()`) or as a `Stream` (`stream()`).
//!
//! A page is asked for with `limit` (the page size) and `offset`. The next page starts where
//! `_links.next` says when the server gives it, and after the groups received otherwise.
//! Paging stops at the first of: a `_links` without a `next` href, a page shorter than the
//! limit, an offset at or past `meta.count`, or a page that adds no group not already seen (so
//! a server that ignores `limit` or `offset` cannot make the client loop, nor repeat groups).

use std::collections::HashSet;

use futures_util::{Stream, StreamExt, TryStreamExt, stream};

use super::GroupFilter;
use crate::{
    client::Client,
    error::{Error, Result},
    generated::types::ParticipantGroup,
    operation::Operation,
    validate::check_id,
};

/// The page size used unless [`ListGroups::page_size`] says otherwise (as Prolific's CLI).
pub const DEFAULT_PAGE_SIZE: u64 = 200;

/// Lists groups: `.send()` (or `.await`) reads every page, `.stream()` yields groups as pages
/// arrive. From [`ParticipantGroups::list`](super::ParticipantGroups::list).
#[derive(Debug)]
#[must_use = "a list request does nothing until `.send()`, `.await` or `.stream()`"]
pub struct ListGroups {
    client: Client,
    filter: GroupFilter,
    active: Option<bool>,
    page_size: u64,
}

impl ListGroups {
    pub(super) fn new(client: Client, filter: GroupFilter) -> Self {
        ListGroups {
            client,
            filter,
            active: None,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }

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

    /// Reads every page and returns all the groups, each once, in the order received.
    pub async fn send(self) -> Result<Vec<ParticipantGroup>> {
        let mut pager = Pager::new(self)?;
        let mut all = Vec::new();
        while let Some(page) = pager.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }

    /// The groups one by one, fetching each page only when the previous one is used up.
    /// The stream is `Unpin`, so `next()`/`try_next()` work on it directly.
    ///
    /// ```no_run
    /// # async fn run(client: prolific::Client) -> prolific::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use prolific::GroupFilter;
    /// let mut groups = client
    ///     .participant_groups()
    ///     .list(GroupFilter::workspace("5e9b9c9b0f9c9a0001b1ca2f"))
    ///     .stream();
    /// while let Some(group) = groups.try_next().await? {
    ///     println!("{}: {}", group.id, group.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> impl Stream<Item = Result<ParticipantGroup>> + Send + Unpin + 'static {
        let pages = match Pager::new(self) {
            Ok(pager) => stream::try_unfold(pager, async |mut pager| {
                Ok(pager.next_page().await?.map(|page| (page, pager)))
            })
            .left_stream(),
            Err(e) => stream::once(async { Err(e) }).right_stream(),
        };
        pages
            .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}

send_on_await!(ListGroups => Vec<ParticipantGroup>);

/// Where paging stands between two pages.
struct Pager {
    request: ListGroups,
    /// The offset of the next page, or `None` when there is none.
    next: Option<u64>,
    /// The ids of the groups yielded so far.
    seen: HashSet<String>,
}

impl Pager {
    /// A pager at the first page, once the request's input is checked.
    fn new(request: ListGroups) -> Result<Self> {
        match &request.filter {
            GroupFilter::Workspace(id) => check_id(|| "workspace id".into(), id)?,
            GroupFilter::Project(id) => check_id(|| "project id".into(), id)?,
        }
        if request.page_size == 0 {
            return Err(Error::invalid("page size", "is zero"));
        }
        Ok(Pager {
            request,
            next: Some(0),
            seen: HashSet::new(),
        })
    }

    /// Fetches the page under the cursor, moves the cursor on, and returns the page's groups
    /// not seen before; `None` once paging is done.
    async fn next_page(&mut self) -> Result<Option<Vec<ParticipantGroup>>> {
        let Some(offset) = self.next else {
            return Ok(None);
        };
        let ListGroups {
            client,
            filter,
            active,
            page_size,
        } = &self.request;
        let page = client
            .call(Operation::ListGroups, async |raw| {
                let mut builder = raw
                    .list_participant_groups()
                    .limit(*page_size)
                    .offset(offset);
                builder = match filter {
                    GroupFilter::Workspace(id) => builder.workspace_id(id),
                    GroupFilter::Project(id) => builder.project_id(id),
                };
                if let Some(active) = active {
                    builder = builder.active(*active);
                }
                builder.send().await
            })
            .await?;

        let received = page.results.len() as u64;
        let mut groups = page.results;
        groups.retain(|group| self.seen.insert(group.id.clone()));
        let next_href = page
            .links
            .as_ref()
            .map(|links| links.next.as_ref().and_then(|link| link.href.as_deref()));
        self.next = following_offset(
            offset,
            received,
            groups.len() as u64,
            *page_size,
            next_href,
            page.meta.and_then(|meta| meta.count),
        );
        Ok(Some(groups))
    }
}

/// The offset of the page after one at `offset`, or `None` when paging should stop.
///
/// `next_href` is `None` when the page had no `_links`, `Some(None)` when it had `_links`
/// without a `next` href.
fn following_offset(
    offset: u64,
    received: u64,
    fresh: u64,
    limit: u64,
    next_href: Option<Option<&str>>,
    count: Option<u64>,
) -> Option<u64> {
    if received < limit || fresh == 0 {
        return None;
    }
    let after = offset + received;
    let next = match next_href {
        Some(None) => return None,
        Some(Some(href)) => offset_in(href).unwrap_or(after),
        None => after,
    };
    if next <= offset || count.is_some_and(|count| next >= count) {
        return None;
    }
    Some(next)
}

/// The `offset` query parameter of a link.
fn offset_in(href: &str) -> Option<u64> {
    let url = reqwest::Url::parse(href).ok()?;
    url.query_pairs()
        .find(|(key, _)| key == "offset")
        .and_then(|(_, value)| value.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::following_offset;

    const NEXT: Option<Option<&str>> = Some(Some(
        "https://x/api/v1/participant-groups/?limit=2&offset=7",
    ));

    #[test]
    fn paging_stops_on_each_documented_condition() {
        // Full page, nothing else known: continue after it.
        assert_eq!(following_offset(0, 2, 2, 2, None, None), Some(2));
        // Short page.
        assert_eq!(following_offset(0, 1, 1, 2, None, None), None);
        // `_links` without `next`.
        assert_eq!(following_offset(0, 2, 2, 2, Some(None), None), None);
        // `next` is followed.
        assert_eq!(following_offset(0, 2, 2, 2, NEXT, None), Some(7));
        // At or past `meta.count`.
        assert_eq!(following_offset(0, 2, 2, 2, None, Some(2)), None);
        assert_eq!(following_offset(2, 2, 2, 2, None, Some(5)), Some(4));
        // Nothing new: the server ignores `offset`.
        assert_eq!(following_offset(2, 2, 0, 2, None, None), None);
        // A `next` that points backwards.
        assert_eq!(
            following_offset(8, 2, 2, 2, Some(Some("http://x/?offset=0")), None),
            None
        );
    }
}

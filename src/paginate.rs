//! Paging through the group list with `limit` and `offset`, as a `Stream`.
//!
//! A page is asked for with `limit` (the page size) and `offset`. The next page starts where
//! `_links.next` says when the server gives it, and after the groups received otherwise.
//! Paging stops at the first of: a `_links` without a `next` href, a page shorter than the
//! limit, an offset at or past `meta.count`, or a page that adds no group not already seen (so
//! a server that ignores `limit` or `offset` cannot make the client loop, nor repeat groups).

use std::collections::HashSet;

use futures_util::{Stream, StreamExt, TryStreamExt, stream};

use crate::{
    error::{Result, call},
    groups::{GroupFilter, ListGroups},
    types::{ParticipantGroup, ParticipantGroupList},
};

/// The page size used unless [`ListGroups::page_size`] says otherwise (as Prolific's CLI).
pub const DEFAULT_PAGE_SIZE: u64 = 200;

/// Where paging stands between two pages.
struct Cursor {
    request: ListGroups,
    /// The offset of the next page, or `None` when there is none.
    next: Option<u64>,
    /// The ids of the groups yielded so far.
    seen: HashSet<String, foldhash::fast::RandomState>,
}

impl ListGroups {
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
        let start = self.check().map(|()| Cursor {
            request: self,
            next: Some(0),
            seen: HashSet::default(),
        });
        stream::once(async move { start })
            .map_ok(|cursor| stream::try_unfold(cursor, next_page))
            .try_flatten()
            .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}

/// Fetches the page under the cursor and moves it on.
async fn next_page(mut cursor: Cursor) -> Result<Option<(Vec<ParticipantGroup>, Cursor)>> {
    let Some(offset) = cursor.next else {
        return Ok(None);
    };
    let request = &cursor.request;
    let (workspace_id, project_id) = match &request.filter {
        GroupFilter::Workspace(id) => (Some(id.as_str()), None),
        GroupFilter::Project(id) => (None, Some(id.as_str())),
    };
    let mut builder = request
        .client
        .raw()
        .list_participant_groups()
        .limit(request.page_size)
        .offset(offset);
    if let Some(id) = workspace_id {
        builder = builder.workspace_id(id);
    }
    if let Some(id) = project_id {
        builder = builder.project_id(id);
    }
    if let Some(active) = request.active {
        builder = builder.active(active);
    }
    let page: ParticipantGroupList = call("list_participant_groups", builder.send()).await?;

    let received = page.results.len() as u64;
    let fresh: Vec<ParticipantGroup> = page
        .results
        .into_iter()
        .filter(|group| cursor.seen.insert(group.id.clone()))
        .collect();
    cursor.next = following_offset(
        offset,
        received,
        fresh.len() as u64,
        request.page_size,
        page.links
            .as_ref()
            .map(|links| links.next.as_ref().and_then(|link| link.href.as_deref())),
        page.meta.and_then(|meta| meta.count),
    );
    Ok(Some((fresh, cursor)))
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

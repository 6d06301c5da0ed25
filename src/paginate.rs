//! Paging through the group list with `limit` and `offset`: all at once (`send()`) or as a
//! `Stream` (`stream()`), both through one pager.
//!
//! A page is asked for with `limit` (the page size) and `offset`. The next page starts where
//! `_links.next` says when the server gives it, and after the groups received otherwise.
//! Paging stops at the first of: a `_links` without a `next` href, a page shorter than the
//! limit, an offset at or past `meta.count`, or a page that adds no group not already seen (so
//! a server that ignores `limit` or `offset` cannot make the client loop, nor repeat groups).

use std::{
    collections::{HashMap, HashSet, hash_map::Entry},
    hash::{BuildHasher, BuildHasherDefault, Hasher},
};

use futures_util::{Stream, StreamExt, TryStreamExt, stream};

use crate::{
    error::{Result, call},
    groups::{GroupFilter, ListGroups},
    types::{ParticipantGroup, ParticipantGroupList},
};

/// The page size used unless [`ListGroups::page_size`] says otherwise (as Prolific's CLI).
pub const DEFAULT_PAGE_SIZE: u64 = 200;

/// Where paging stands between two pages.
struct Pager {
    request: ListGroups,
    /// The offset of the next page, or `None` when there is none.
    next: Option<u64>,
    /// The ids of the groups yielded so far.
    seen: SeenIds,
}

impl ListGroups {
    /// Reads every page and returns all the groups, each once, in the order received.
    pub async fn send(self) -> Result<Vec<ParticipantGroup>> {
        let mut pager = Pager::new(self)?;
        // Pages are kept as they come and joined once at the end: each group is moved once,
        // where growing one list page by page would copy it again at every doubling.
        let mut pages = Vec::new();
        let mut total = 0;
        while let Some(page) = pager.next_page().await? {
            total += page.len();
            pages.push(page);
        }
        Ok(match pages.len() {
            1 => pages.pop().unwrap_or_default(),
            _ => {
                let mut all = Vec::with_capacity(total);
                for page in pages {
                    all.extend(page);
                }
                all
            }
        })
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
        let start = Pager::new(self);
        stream::once(async move { start })
            .map_ok(|pager| {
                stream::try_unfold(pager, |mut pager| async move {
                    Ok(pager.next_page().await?.map(|groups| (groups, pager)))
                })
            })
            .try_flatten()
            .map_ok(|groups| stream::iter(groups.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}

impl Pager {
    /// A pager at the first page, once the request's input is checked.
    fn new(request: ListGroups) -> Result<Self> {
        request.check()?;
        Ok(Pager {
            request,
            next: Some(0),
            seen: SeenIds::default(),
        })
    }

    /// Fetches the page under the cursor, moves the cursor on, and returns the page's groups
    /// not seen before; `None` once paging is done.
    async fn next_page(&mut self) -> Result<Option<Vec<ParticipantGroup>>> {
        let Some(offset) = self.next else {
            return Ok(None);
        };
        let request = &self.request;
        let (workspace_id, project_id) = match &request.filter {
            GroupFilter::Workspace(id) => (Some(id.as_str()), None),
            GroupFilter::Project(id) => (None, Some(id.as_str())),
        };
        let page: ParticipantGroupList =
            call("list_participant_groups", request.client.raw(), |raw| {
                let mut builder = raw
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
                builder.send()
            })
            .await?;

        let received = page.results.len() as u64;
        let mut groups = page.results;
        self.seen.reserve(
            groups.len(),
            groups.first().map_or(0, |group| group.id.len()),
        );
        groups.retain(|group| self.seen.insert(&group.id));
        self.next = following_offset(
            offset,
            received,
            groups.len() as u64,
            request.page_size,
            page.links
                .as_ref()
                .map(|links| links.next.as_ref().and_then(|link| link.href.as_deref())),
            page.meta.and_then(|meta| meta.count),
        );
        Ok(Some(groups))
    }
}

/// The ids of the groups yielded so far: each id's bytes once, end to end in one string, found
/// through a table from the id's hash to its index.
///
/// A `HashSet<String>` of the ids would cost an allocation and a copy per group, and a table of
/// 32-byte entries that misses the cache; this one allocates only to grow, its entries are 16
/// bytes, and they never need hashing again. (Listing 10,000 groups, it was the largest cost
/// over hand-written code; see `benches/client.rs`, scenario 4.)
#[derive(Default)]
struct SeenIds {
    hasher: foldhash::fast::RandomState,
    /// Every id kept, end to end.
    text: String,
    /// Where each id ends in `text`, by index.
    ends: Vec<usize>,
    /// From an id's hash to the index of the first id with that hash.
    by_hash: HashMap<u64, u32, BuildHasherDefault<Hashed>>,
    /// Ids whose hash an earlier, different id already has (odds of 2^-64 each), and any past
    /// the four billionth.
    others: HashSet<Box<str>>,
}

impl SeenIds {
    /// Makes room for `more` ids of about `len` bytes each.
    fn reserve(&mut self, more: usize, len: usize) {
        self.by_hash.reserve(more);
        self.ends.reserve(more);
        self.text.reserve(more.saturating_mul(len));
    }

    /// Adds `id`; `true` if it was not there yet.
    fn insert(&mut self, id: &str) -> bool {
        let index = u32::try_from(self.ends.len());
        match (self.by_hash.entry(self.hasher.hash_one(id)), index) {
            (Entry::Occupied(entry), _) => {
                let i = *entry.get() as usize;
                let start = i.checked_sub(1).map_or(0, |before| self.ends[before]);
                &self.text[start..self.ends[i]] != id && self.others.insert(id.into())
            }
            (Entry::Vacant(entry), Ok(index)) => {
                entry.insert(index);
                self.text.push_str(id);
                self.ends.push(self.text.len());
                true
            }
            (Entry::Vacant(_), Err(_)) => self.others.insert(id.into()),
        }
    }
}

/// The "hasher" of a table keyed by hashes already made: the key is its own hash.
#[derive(Default)]
struct Hashed(u64);

impl Hasher for Hashed {
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys come here; fold anything else in all the same.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
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
    use std::hash::BuildHasher;

    use super::{SeenIds, following_offset};

    #[test]
    fn seen_ids_tells_each_id_once() {
        let mut seen = SeenIds::default();
        let long = "x".repeat(300);
        let ids = [
            "642ea7ff7639ab670b05a0b5",
            "",
            "a",
            "é",
            long.as_str(),
            "642ea7ff7639ab670b05a0b6",
        ];
        for id in ids {
            assert!(seen.insert(id), "{id:?} is new");
        }
        for id in ids {
            assert!(!seen.insert(id), "{id:?} was seen");
        }
        seen.reserve(1000, 24);
        for i in 0..1000 {
            assert!(seen.insert(&format!("{i:024x}")));
        }
        assert!((0..1000).all(|i| !seen.insert(&format!("{i:024x}"))));
        assert!(!seen.insert("a"));
    }

    #[test]
    fn seen_ids_tells_apart_ids_whose_hashes_collide() {
        let mut seen = SeenIds::default();
        assert!(seen.insert("first"));
        // Make "second" hash like "first" did: its entry points at "first".
        let hash = seen.hasher.hash_one("second");
        seen.by_hash.insert(hash, 0);
        assert!(
            seen.insert("second"),
            "a different id with the same hash is new"
        );
        assert!(!seen.insert("second"));
        assert!(!seen.insert("first"));
    }

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

//! Checks of user input, made before anything is sent.

use std::{borrow::Cow, hash::BuildHasher};

use crate::error::{Error, Result};

/// Checks an id that goes into a path or a body: Prolific documents no format (they look
/// like 24 hex digits), so only what cannot be an id is refused: an empty id, whitespace,
/// control characters, and the path segments `.` and `..` (which URL parsers resolve even
/// when percent-encoded). Everything else is percent-encoded by the generated client.
pub(crate) fn check_id(what: impl FnOnce() -> String, id: &str) -> Result<()> {
    let problem = if id.is_empty() {
        "is empty"
    } else if id.chars().any(char::is_whitespace) {
        "contains whitespace"
    } else if id.chars().any(char::is_control) {
        "contains a control character"
    } else if id == "." || id == ".." {
        "is a relative path segment"
    } else {
        return Ok(());
    };
    Err(Error::invalid(what(), format!("{problem} ({id:?})")))
}

/// Checks a group id.
pub(crate) fn check_group_id(id: &str) -> Result<()> {
    if plainly_an_id(id) {
        return Ok(());
    }
    check_id(|| "group id".into(), id)
}

/// Checks a group name: it must have something other than whitespace.
pub(crate) fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "is empty"));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid("name", "contains a control character"));
    }
    Ok(())
}

/// Participant ids that passed [`participant_ids`]: checked, without repeats, in the order
/// given.
#[derive(Debug, Default)]
pub(crate) struct CheckedIds<'a> {
    /// The ids; those the caller lent stay borrowed.
    pub(crate) ids: Vec<Cow<'a, str>>,
    /// True when every id is [`plain`](plainly_an_id): a JSON string of it is the id between
    /// quotes, with nothing to escape.
    pub(crate) plain: bool,
}

/// Checks participant ids and drops repeats, keeping each id's first place. Ids the caller
/// lent stay borrowed: nothing is copied here.
///
/// This runs on every id of a bulk change before anything is sent, so it is built for large
/// inputs: ids made of printable ASCII (all of Prolific's) pass a branch-free byte check, and
/// repeats are found without a hash table over every id (which, for 100,000 ids, is 2 MB of
/// scattered reads and writes): see [`Repeats`]. When the input's length is known, each id
/// is checked and hashed as it is taken, in one pass over the input.
pub(crate) fn participant_ids<'a, I, S>(ids: I) -> Result<CheckedIds<'a>>
where
    I: IntoIterator<Item = S>,
    S: Into<Cow<'a, str>>,
{
    let mut plain = true;
    let mut take = |repeats: &mut Repeats, index: usize, id: &str| {
        if !plainly_an_id(id) {
            plain = false;
            check_id(|| format!("participant id #{index}"), id)?;
        }
        repeats.note(id);
        Ok::<_, Error>(())
    };
    let ids = ids.into_iter();
    let (count, exactly) = ids.size_hint();
    let (mut ids, repeats) = if exactly == Some(count) {
        // The count is known (a slice, a `Vec`): each id is checked as it is taken, while
        // it is in the cache, rather than in a second pass over all of them.
        let mut taken: Vec<Cow<'a, str>> = Vec::with_capacity(count);
        let mut repeats = Repeats::new(count);
        for id in ids {
            let id = id.into();
            take(&mut repeats, taken.len(), &id)?;
            taken.push(id);
        }
        (taken, repeats)
    } else {
        let taken: Vec<Cow<'a, str>> = ids.map(Into::into).collect();
        let mut repeats = Repeats::new(taken.len());
        for (index, id) in taken.iter().enumerate() {
            take(&mut repeats, index, id)?;
        }
        (taken, repeats)
    };
    let repeats = repeats.find(&ids);
    if !repeats.is_empty() {
        let mut repeats = repeats.into_iter().peekable();
        let mut index = 0;
        ids.retain(|_| {
            let repeat = repeats.next_if_eq(&index).is_some();
            index += 1;
            !repeat
        });
    }
    Ok(CheckedIds { ids, plain })
}

/// Finds the ids that repeat an earlier one, with a hash table per bucket of ids.
///
/// A hash table over all the ids at once (for 100,000 ids, 2 MB) is read and written at
/// random, and nearly every id costs a cache miss. Here [`Repeats::note`] keeps each id's
/// hash in order and counts the ids of each bucket (by the hash's top bits, about
/// [`BUCKET_IDS`] ids a bucket). [`Repeats::find`] then places the ids by bucket, and finds
/// the repeats of each bucket in a small table that stays in the cache. Every pass reads and
/// writes in order, except the placing, which writes to one place per bucket. Ids are
/// compared only when their hashes are equal.
struct Repeats {
    hasher: foldhash::fast::RandomState,
    /// Each id's hash, in order.
    hashes: Vec<u64>,
    /// How many ids each bucket holds.
    counts: Vec<u32>,
}

/// About how many ids a bucket of [`Repeats`] holds. Its table (two to four slots an id, of 4
/// bytes) and its ids (8 bytes each) then take 16 to 24 kB, within a core's first-level cache.
const BUCKET_IDS: usize = 1024;

/// A free slot of a bucket's table.
const FREE: u32 = u32::MAX;

impl Repeats {
    /// Room for `count` ids.
    fn new(count: usize) -> Self {
        Repeats {
            hasher: Default::default(),
            hashes: Vec::with_capacity(count),
            counts: vec![0; count.div_ceil(BUCKET_IDS).max(1)],
        }
    }

    /// Notes the next id.
    fn note(&mut self, id: &str) {
        let hash = self.hasher.hash_one(id);
        let buckets = self.counts.len();
        self.counts[bucket(hash, buckets)] += 1;
        self.hashes.push(hash);
    }

    /// The places, in order, of the ids noted (`ids`, in the same order) that repeat an
    /// earlier one.
    fn find(self, ids: &[Cow<'_, str>]) -> Vec<usize> {
        find_repeats(&self.hashes, &self.counts, ids)
    }
}

/// The bucket of `hash` among `buckets`, by its top 32 bits (multiplied, not masked, so that
/// any number of buckets divides them evenly).
fn bucket(hash: u64, buckets: usize) -> usize {
    (((hash >> 32) * buckets as u64) >> 32) as usize
}

/// [`Repeats::find`], for hashes and counts made by [`Repeats::note`] (or, in tests, made up:
/// equal hashes of different ids are told apart by comparing the ids).
fn find_repeats(hashes: &[u64], counts: &[u32], ids: &[Cow<'_, str>]) -> Vec<usize> {
    // Places are kept in 32 bits: 2^32 ids would take 100 GB in `ids` alone.
    debug_assert!(u32::try_from(hashes.len()).is_ok());
    let buckets = counts.len();
    // Where each bucket starts in `placed`.
    let mut next: Vec<usize> = Vec::with_capacity(buckets);
    let mut start = 0;
    for &count in counts {
        next.push(start);
        start += count as usize;
    }
    // Each id's place in the input and the low half of its hash, by bucket; in each bucket,
    // in the input's order.
    let mut placed = vec![(0u32, 0u32); hashes.len()];
    for (index, &hash) in hashes.iter().enumerate() {
        let at = &mut next[bucket(hash, buckets)];
        placed[*at] = (hash as u32, index as u32);
        *at += 1;
    }
    let mut repeats = Vec::new();
    let mut table: Vec<u32> = Vec::new();
    let mut end = 0;
    for &count in counts {
        let ids_of_bucket = &placed[end..end + count as usize];
        end += count as usize;
        let size = (ids_of_bucket.len() * 2).next_power_of_two().max(16);
        table.clear();
        table.resize(size, FREE);
        for (entry, &(low, index)) in ids_of_bucket.iter().enumerate() {
            let mut slot = low as usize & (size - 1);
            loop {
                let held = table[slot];
                if held == FREE {
                    table[slot] = entry as u32;
                    break;
                }
                let (held_low, held_index) = ids_of_bucket[held as usize];
                if held_low == low && ids[held_index as usize] == ids[index as usize] {
                    repeats.push(index as usize);
                    break;
                }
                slot = (slot + 1) & (size - 1);
            }
        }
    }
    repeats.sort_unstable();
    repeats
}

/// True when `id` is certainly accepted by [`check_id`] and needs no escaping in JSON:
/// non-empty printable ASCII without spaces, `"` or `\`, and not `.` or `..`.
pub(crate) fn plainly_an_id(id: &str) -> bool {
    !id.is_empty() && plain_bytes(id.as_bytes()) && id != "." && id != ".."
}

/// True when every byte is printable ASCII other than space, `"` and `\`. Without early
/// exits, so that it compiles to SIMD.
fn plain_bytes(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| {
        ok & (b.wrapping_sub(0x21) < 0x7f - 0x21) & (b != b'"') & (b != b'\\')
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_that_cannot_be_ids_are_refused() {
        for bad in ["", " ", "a b", "a\tb", "a\nb", "\u{7f}", ".", ".."] {
            assert!(check_group_id(bad).is_err(), "{bad:?}");
        }
        for good in [
            "642ea7ff7639ab670b05a0b5",
            "a/b",
            "a?b",
            "a#b",
            "%2F",
            "...",
            "é",
        ] {
            assert!(check_group_id(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn the_fast_check_never_accepts_what_the_full_check_refuses() {
        let samples = [
            "",
            " ",
            ".",
            "..",
            "...",
            "a b",
            "a\tb",
            "\u{7f}",
            "\u{0}",
            "~",
            "!",
            "é",
            "a\u{a0}b",
            "642ea7ff7639ab670b05a0b5",
            "a/b",
            "%2F",
            "\u{2028}",
        ];
        for id in samples {
            if plainly_an_id(id) {
                assert!(check_id(String::new, id).is_ok(), "{id:?}");
            }
        }
        // Every single byte, alone and inside an id.
        for b in 0u8..=0x7f {
            let alone = (b as char).to_string();
            let inside = format!("ab{alone}cd");
            for id in [alone, inside] {
                if plainly_an_id(&id) {
                    assert!(check_id(String::new, &id).is_ok(), "{id:?}");
                } else {
                    let plain = (0x21..0x7f).contains(&b) && b != b'"' && b != b'\\';
                    assert!(
                        !plain || id == "." || id == "..",
                        "{id:?} took the slow path"
                    );
                }
            }
        }
    }

    #[test]
    fn the_byte_check_is_exactly_plain_ascii() {
        let plain = |b: u8| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\';
        for b in 0..=u8::MAX {
            for at in 0..3 {
                let mut bytes = *b"xyz";
                bytes[at] = b;
                assert_eq!(plain_bytes(&bytes), plain(b), "{b:#x} at {at}");
            }
        }
        assert!(plain_bytes(b""));
    }

    #[test]
    fn ids_that_need_escaping_are_accepted_but_not_plain() {
        let ids = participant_ids(["a\"b", "c"]).unwrap();
        assert_eq!(ids.ids, ["a\"b", "c"]);
        assert!(!ids.plain);
        assert!(participant_ids(["5e9b9c9b0f9c9a0001b0b1f4"]).unwrap().plain);
    }

    #[test]
    fn borrowed_ids_stay_borrowed() {
        let given = vec!["a".to_owned(), "b".to_owned(), "a".to_owned()];
        let ids = participant_ids(&given).unwrap().ids;
        assert_eq!(ids, ["a", "b"]);
        assert!(ids.iter().all(|id| matches!(id, Cow::Borrowed(_))));
    }

    proptest::proptest! {
        /// Against the plain way: keep an id when a set of those kept so far lacks it. Ids
        /// from a small alphabet repeat often; the many ids of the second case share marks.
        /// Both from a slice (whose length is known: one pass) and from an iterator whose
        /// length is not (collected first).
        #[test]
        fn repeats_are_dropped_exactly_in_order(
            ids in proptest::collection::vec("[a-d]{1,3}", 0..200),
            many in proptest::collection::vec("[0-9a-f]{1,6}", 0..1000),
        ) {
            for ids in [ids, many] {
                let mut kept = HashSet::new();
                let expected: Vec<&str> = ids.iter().map(String::as_str).filter(|id| kept.insert(*id)).collect();
                let got = participant_ids(&ids).unwrap().ids;
                proptest::prop_assert_eq!(&got, &expected);
                let unknown_length = participant_ids(ids.iter().filter(|_| true)).unwrap().ids;
                proptest::prop_assert_eq!(unknown_length, expected);
            }
        }
    }

    /// Hashes that collide, made up: every id in one bucket with the same hash, and ids
    /// spread over buckets with the same low half of the hash. Repeats are still exactly
    /// the ids seen before, told apart by comparing the ids.
    #[test]
    fn ids_whose_hashes_collide_are_told_apart() {
        let ids: Vec<Cow<'_, str>> = ["a", "b", "a", "c", "b", "b", "d", "a"]
            .into_iter()
            .map(Cow::Borrowed)
            .collect();
        let expected = vec![2, 4, 5, 7];
        // One bucket, one hash.
        assert_eq!(find_repeats(&[7; 8], &[8], &ids), expected);
        // Three buckets; the low half is the same everywhere, the high half differs by id.
        let high = |id: &str| u64::from(id.as_bytes()[0] - b'a') * (u64::MAX / 4);
        let hashes: Vec<u64> = ids.iter().map(|id| high(id) & !0xffff_ffff | 7).collect();
        let mut counts = vec![0; 3];
        for &hash in &hashes {
            counts[bucket(hash, 3)] += 1;
        }
        assert_eq!(counts, [6, 1, 1], "a and b, c, d");
        assert_eq!(find_repeats(&hashes, &counts, &ids), expected);
        // Nothing noted, nothing found.
        assert!(find_repeats(&[], &[0], &[]).is_empty());
    }

    #[test]
    fn participant_ids_are_deduplicated_in_order() {
        assert_eq!(
            participant_ids(["b", "a", "b", "c", "a"]).unwrap().ids,
            ["b", "a", "c"]
        );
        let err = participant_ids(["ok", ""]).unwrap_err().to_string();
        assert_eq!(err, "invalid input: participant id #1 is empty (\"\")");
        let unknown_length = ["ok", "ok", ""].into_iter().filter(|_| true);
        let err = participant_ids(unknown_length).unwrap_err().to_string();
        assert_eq!(err, "invalid input: participant id #2 is empty (\"\")");
    }
}

//! Checks of user input, made before anything is sent.

use std::{borrow::Cow, collections::HashSet, hash::BuildHasher};

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
/// is checked and marked as it is taken, in one pass over the input.
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

/// Finds the ids that repeat an earlier one, in two passes.
///
/// The first pass ([`Repeats::note`]) marks each id's hash in a bitmap of 16 bits per id,
/// and in a second bitmap when the first already had it: an id whose mark is only in the
/// first bitmap is certainly unique. The second pass ([`Repeats::find`]) puts only the
/// others (the true repeats and about one id in sixteen that shares a mark by chance) in an
/// exact set. Both bitmaps together are 4 bytes an id (512 kB for 100,000 ids, where a hash
/// set of all the ids would be 2 MB), read and written where an id's mark falls.
struct Repeats {
    hasher: foldhash::fast::RandomState,
    /// `bits - 1`: the mask from a hash to its mark.
    mask: u64,
    /// By 64 marks: those seen once or more, and those seen more than once (side by side,
    /// so that one cache line holds both).
    seen: Vec<[u64; 2]>,
    /// Each id's mark, in order.
    marks: Vec<u32>,
}

impl Repeats {
    /// Room for `count` ids.
    fn new(count: usize) -> Self {
        let bits = count
            .saturating_mul(16)
            .next_power_of_two()
            .clamp(64, 1 << 31);
        Repeats {
            hasher: Default::default(),
            mask: bits as u64 - 1,
            seen: vec![[0; 2]; bits / 64],
            marks: Vec::with_capacity(count),
        }
    }

    /// Notes the next id.
    fn note(&mut self, id: &str) {
        let mark = self.hasher.hash_one(id) & self.mask;
        let [once, twice] = &mut self.seen[(mark / 64) as usize];
        let bit = 1 << (mark % 64);
        *twice |= *once & bit;
        *once |= bit;
        self.marks.push(mark as u32);
    }

    /// The places of the ids noted (`ids`, in the same order) that repeat an earlier one.
    fn find(self, ids: &[Cow<'_, str>]) -> Vec<usize> {
        let mut candidates: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
        let mut repeats = Vec::new();
        for (index, (id, mark)) in ids.iter().zip(self.marks).enumerate() {
            let twice = self.seen[(mark / 64) as usize][1] & (1 << (mark % 64)) != 0;
            if twice && !candidates.insert(id) {
                repeats.push(index);
            }
        }
        repeats
    }
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

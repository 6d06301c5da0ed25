//! Checks of user input, made before anything is sent.

use std::{borrow::Cow, collections::HashSet};

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

/// Checks participant ids and removes repeats, keeping the first occurrence's place. Ids the
/// caller lent stay borrowed: nothing is copied here.
///
/// This runs on every id of a bulk change before anything is sent, so it is built for large
/// inputs: ids made of printable ASCII (all of Prolific's) pass a branch-free byte check, and
/// repeats are found with a fast keyed hash over the borrowed strings.
pub(crate) fn participant_ids<'a, I, S>(ids: I) -> Result<Vec<Cow<'a, str>>>
where
    I: IntoIterator<Item = S>,
    S: Into<Cow<'a, str>>,
{
    let ids: Vec<Cow<'a, str>> = ids.into_iter().map(Into::into).collect();
    for (index, id) in ids.iter().enumerate() {
        if !plainly_an_id(id) {
            check_id(|| format!("participant id #{index}"), id)?;
        }
    }
    Ok(without_repeats(ids))
}

/// True when `id` is certainly accepted by [`check_id`]: non-empty printable ASCII without
/// spaces, and not `.` or `..`. Written without early exits so that it compiles to SIMD.
fn plainly_an_id(id: &str) -> bool {
    let printable = id
        .bytes()
        .fold(true, |ok, b| ok & (b.wrapping_sub(0x21) < 0x7f - 0x21));
    printable && !id.is_empty() && id != "." && id != ".."
}

/// Removes repeated ids, keeping each first occurrence in its place.
fn without_repeats<'a>(mut ids: Vec<Cow<'a, str>>) -> Vec<Cow<'a, str>> {
    let mut keep: Vec<bool> = Vec::new();
    {
        let mut seen: HashSet<&str, foldhash::fast::RandomState> =
            HashSet::with_capacity_and_hasher(ids.len(), Default::default());
        for (index, id) in ids.iter().enumerate() {
            if !seen.insert(id) {
                if keep.is_empty() {
                    keep = vec![true; ids.len()];
                }
                keep[index] = false;
            }
        }
    }
    if !keep.is_empty() {
        let mut keep = keep.into_iter();
        ids.retain(|_| keep.next().unwrap_or(true));
    }
    ids
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
                    let printable = (0x21..0x7f).contains(&b);
                    assert!(
                        !printable || id == "." || id == "..",
                        "{id:?} took the slow path"
                    );
                }
            }
        }
    }

    #[test]
    fn borrowed_ids_stay_borrowed() {
        let given = vec!["a".to_owned(), "b".to_owned(), "a".to_owned()];
        let ids = participant_ids(&given).unwrap();
        assert_eq!(ids, ["a", "b"]);
        assert!(ids.iter().all(|id| matches!(id, Cow::Borrowed(_))));
    }

    #[test]
    fn participant_ids_are_deduplicated_in_order() {
        assert_eq!(
            participant_ids(["b", "a", "b", "c", "a"]).unwrap(),
            ["b", "a", "c"]
        );
        let err = participant_ids(["ok", ""]).unwrap_err().to_string();
        assert_eq!(err, "invalid input: participant id #1 is empty (\"\")");
    }
}

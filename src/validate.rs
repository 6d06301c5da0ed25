//! Checks of user input, made before anything is sent.

use std::collections::HashSet;

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

/// Checks participant ids and drops repeats, keeping each id's first place.
pub(crate) fn participant_ids<I, S>(ids: I) -> Result<Vec<String>>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut seen = HashSet::new();
    let mut checked = Vec::new();
    for (index, id) in ids.into_iter().enumerate() {
        let id = id.into();
        check_id(|| format!("participant id #{index}"), &id)?;
        if seen.insert(id.clone()) {
            checked.push(id);
        }
    }
    Ok(checked)
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
            "a\"b",
        ] {
            assert!(check_group_id(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn participant_ids_are_deduplicated_in_order() {
        assert_eq!(
            participant_ids(["b", "a", "b", "c", "a"]).unwrap(),
            ["b", "a", "c"]
        );
        let err = participant_ids(["ok", ""]).unwrap_err().to_string();
        assert_eq!(err, "invalid input: participant id #1 is empty (\"\")");
        let unknown_length = ["ok", "ok", ""].into_iter().filter(|_| true);
        let err = participant_ids(unknown_length).unwrap_err().to_string();
        assert_eq!(err, "invalid input: participant id #2 is empty (\"\")");
    }
}

//! Checks of user input, made before anything is sent.

use std::borrow::Cow;

use indexmap::IndexSet;

use crate::error::{Error, Result};

/// Checks an id that goes into a path or a body: Prolific documents no format (they look
/// like 24 hex digits), so only what cannot be an id is refused: an empty id, whitespace,
/// control characters, and the path segments `.` and `..` (which URL parsers resolve even
/// when percent-encoded). Everything else is percent-encoded by the generated client.
pub(crate) fn check_id(what: impl FnOnce() -> String, id: &str) -> Result<()> {
    let is_odd = |c: &char| c.is_whitespace() || c.is_control();
    // Ids are ASCII in practice: their bytes are their characters, with nothing to decode.
    let odd = if id.is_ascii() {
        id.bytes().map(char::from).find(is_odd)
    } else {
        id.chars().find(is_odd)
    };
    let problem = if id.is_empty() {
        "is empty"
    } else if odd.is_some_and(char::is_whitespace) {
        "contains whitespace"
    } else if odd.is_some() {
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

/// Checks an API token: it must have something other than whitespace, and only characters an
/// HTTP header can carry (any but the ASCII control characters other than tab). `from` is the
/// environment variable it came from, if it did. Messages say which character is wrong and
/// where, never the token.
pub(crate) fn check_token(token: &str, from: Option<&str>) -> Result<()> {
    let the_token = match from {
        Some(var) => format!("the API token in {var}"),
        None => "the API token".to_owned(),
    };
    let blank = if token.is_empty() {
        Some("is empty")
    } else if token.trim().is_empty() {
        Some("is only whitespace")
    } else {
        None
    };
    if let Some(blank) = blank {
        let advice = if from.is_some() {
            "; set it to your Prolific API token"
        } else {
            ""
        };
        return Err(Error::Config(format!("{the_token} {blank}{advice}")));
    }
    let odd = (1_usize..)
        .zip(token.chars())
        .find(|(_, c)| c.is_ascii_control() && *c != '\t');
    match odd {
        Some((position, c)) => Err(Error::Config(format!(
            "{the_token} contains {} at position {position}, which is not allowed in an HTTP \
             header",
            describe_control(c)
        ))),
        None => Ok(()),
    }
}

/// An ASCII control character in words, with its escape.
fn describe_control(c: char) -> String {
    match c {
        '\n' => "a line feed (\\n)".to_owned(),
        '\r' => "a carriage return (\\r)".to_owned(),
        '\0' => "a NUL character (\\0)".to_owned(),
        c => format!("a control character (U+{:04X})", u32::from(c)),
    }
}

/// Checks participant ids and drops repeats, keeping each id's first place. Ids the caller
/// lends stay borrowed: bulk changes take any number of them, and copy each once, into the
/// request that sends it.
pub(crate) fn participant_ids<'a, I, S>(ids: I) -> Result<Vec<Cow<'a, str>>>
where
    I: IntoIterator<Item = S>,
    S: Into<Cow<'a, str>>,
{
    let ids = ids.into_iter();
    // The ids are the caller's own, so SipHash's defence against crafted collisions buys
    // nothing here: foldhash (hashbrown's default) hashes them for much less.
    let mut unique: IndexSet<_, foldhash::fast::RandomState> =
        IndexSet::with_capacity_and_hasher(ids.size_hint().0, Default::default());
    // Positions are counted from 1, as a person counts them: the first id is #1.
    for (position, id) in ids.enumerate().map(|(index, id)| (index + 1, id)) {
        let id = id.into();
        check_id(|| format!("participant id #{position}"), &id)?;
        unique.insert(id);
    }
    Ok(unique.into_iter().collect())
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
    fn tokens_are_checked_without_being_shown() {
        assert!(check_token("secret\tpart", None).is_ok());
        assert!(check_token("sécret", None).is_ok());
        let message = |token: &str, from| check_token(token, from).unwrap_err().to_string();
        assert_eq!(
            message("", None),
            "configuration error: the API token is empty"
        );
        assert_eq!(
            message(" \n", Some("PROLIFIC_TOKEN")),
            "configuration error: the API token in PROLIFIC_TOKEN is only whitespace; set it \
             to your Prolific API token"
        );
        assert_eq!(
            message("secret\r\n", None),
            "configuration error: the API token contains a carriage return (\\r) at position 7, \
             which is not allowed in an HTTP header"
        );
        assert_eq!(
            message("sé\u{7f}", None),
            "configuration error: the API token contains a control character (U+007F) at \
             position 3, which is not allowed in an HTTP header"
        );
        assert!(message("a\0", None).contains("a NUL character (\\0) at position 2"));
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
        assert_eq!(err, "invalid input: participant id #2 is empty (\"\")");
        let unknown_length = ["ok", "ok", ""].into_iter().filter(|_| true);
        let err = participant_ids(unknown_length).unwrap_err().to_string();
        assert_eq!(err, "invalid input: participant id #3 is empty (\"\")");
    }
}

//! The words of the messages a user meets (issue 18): each says what happened and, where
//! something can be done, what to do.

use crate::support;

use prolific::{Client, GroupFilter};
use support::*;

/// A client for a server that is never reached: for input refused before sending.
fn unreached() -> Client {
    client("http://127.0.0.1:9")
}

#[tokio::test]
async fn positions_count_from_one() {
    let groups = unreached().participant_groups();
    let err = groups.add_participants(GROUP_ID, ["", "ok"]).await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "invalid input: participant id #1 is empty (\"\")"
    );
    let err = groups.remove_participants(GROUP_ID, ["ok", "a b"]).await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "invalid input: participant id #2 contains whitespace (\"a b\")"
    );
}

#[tokio::test]
async fn messages_use_the_words_the_user_wrote() {
    let groups = unreached().participant_groups();
    let err = groups.list(GroupFilter::workspace("")).send().await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "invalid input: workspace id is empty (\"\")"
    );
    let err = groups.list(GroupFilter::project(" ")).send().await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "invalid input: project id contains whitespace (\" \")"
    );
    let err = groups.update(GROUP_ID).send().await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "invalid input: the update changes nothing: give a new name with .name(..)"
    );
}

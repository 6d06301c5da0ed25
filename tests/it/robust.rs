//! No response body, however malformed, makes the client panic: generated inputs (arbitrary
//! bytes, and valid bodies mutated byte by byte) for every response type, decoded directly
//! and through the client with every status class.

use crate::support;

use httpmock::prelude::*;
use prolific::{Error, GroupFilter, types};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use support::*;

/// The docs' example body of every response type.
fn valid_bodies() -> Vec<Vec<u8>> {
    let envelope = serde_json::json!({"error": {
        "status": 400, "error_code": 140001, "title": "Invalid request",
        "detail": {"name": ["This field is required."]}, "additional_information": "x",
        "traceback": null, "interactive": false
    }});
    [group_example(), list_example(), members_example(), envelope]
        .iter()
        .map(|v| serde_json::to_vec(v).unwrap())
        .collect()
}

/// Decodes `bytes` as `T`: an error is fine, a panic is not.
fn decode<T: DeserializeOwned>(bytes: &[u8]) {
    let _ = serde_json::from_slice::<T>(bytes);
}

fn decode_all(bytes: &[u8]) {
    decode::<types::ParticipantGroup>(bytes);
    decode::<types::ParticipantGroupList>(bytes);
    decode::<types::MembershipList>(bytes);
    decode::<types::ErrorResponse>(bytes);
}

/// A valid body with some bytes replaced, some removed, and maybe cut short.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(valid_bodies()),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        prop::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(|(mut body, replace, remove, cut)| {
            for (at, byte) in replace {
                let i = at.index(body.len());
                body[i] = byte;
            }
            for at in remove {
                if !body.is_empty() {
                    body.remove(at.index(body.len()));
                }
            }
            if let Some(at) = cut {
                body.truncate(at.index(body.len() + 1));
            }
            body
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&bytes);
    }

    #[test]
    fn mutated_bodies_never_panic_the_decoders(body in mutated()) {
        decode_all(&body);
    }
}

/// Serves `body` with `status` for every request and calls each reading operation.
async fn through_the_client(server: &MockServer, status: u16, body: Vec<u8>) {
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(status).body(body);
        })
        .await;
    let groups = client(&server.base_url()).participant_groups();
    let results: Vec<Result<(), Error>> = vec![
        groups.get(GROUP_ID).await.map(drop),
        groups.participants(GROUP_ID).await.map(drop),
        groups
            .list(GroupFilter::workspace(WORKSPACE_ID))
            .send()
            .await
            .map(drop),
        groups.add_participants(GROUP_ID, ["p"]).await.map(drop),
        groups.delete(GROUP_ID).await,
    ];
    for result in results {
        if let Err(e) = result {
            // Every error renders, and an error status is always kept.
            let _ = e.to_string();
            if !(200..300).contains(&status) {
                assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{e:?}");
            }
        }
    }
    mock.delete_async().await;
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn malformed_answers_never_panic_the_client(
        body in prop_oneof![prop::collection::vec(any::<u8>(), 0..2_048), mutated()],
        status in prop::sample::select(vec![200u16, 201, 204, 400, 401, 404, 409, 429, 500, 502, 503]),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let server = MockServer::start_async().await;
            through_the_client(&server, status, body).await;
        });
    }
}

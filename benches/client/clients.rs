//! The two clients: `prolific` as a user builds it, and the baseline, hand-written reqwest +
//! serde_json code doing the same jobs with the same checks (see `main.rs`).

use std::collections::HashSet;

use prolific::{Client, types};

use crate::fixtures::{GROUP, TOKEN, WORKSPACE};

/// `prolific`'s client, as a user builds it: the defaults, and the token.
pub fn prolific_client(base: &str) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(base)
        .build()
        .unwrap()
}

/// The baseline: reqwest with the same settings as `prolific::Client`'s defaults.
pub struct Raw {
    http: reqwest::Client,
    base: String,
}

impl Raw {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(prolific::DEFAULT_TIMEOUT)
            .connect_timeout(prolific::DEFAULT_CONNECT_TIMEOUT)
            .user_agent("bench")
            .build()
            .unwrap();
        Raw {
            http,
            base: base.to_owned(),
        }
    }

    pub async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let bytes = self
            .http
            .get(format!("{}{path}", self.base))
            .header("authorization", format!("Token {TOKEN}"))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    async fn post_members(&self, ids: &[&str]) -> types::MembershipList {
        self.send_members(reqwest::Method::POST, ids).await
    }

    /// Adds (POST) or removes (DELETE) `ids`.
    async fn send_members(&self, method: reqwest::Method, ids: &[&str]) -> types::MembershipList {
        // What hand-written code would send: the ids serialised in place, not copied.
        #[derive(serde::Serialize)]
        struct Body<'a> {
            participant_ids: &'a [&'a str],
        }
        let body = serde_json::to_vec(&Body {
            participant_ids: ids,
        })
        .unwrap();
        let bytes = self
            .http
            .request(
                method,
                format!(
                    "{}/api/v1/participant-groups/{GROUP}/participants/",
                    self.base
                ),
            )
            .header("authorization", format!("Token {TOKEN}"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    /// Every group of the workspace, in pages of `size`: what `list(..).send()` does, by hand.
    pub async fn list_all(&self, size: usize) -> Vec<types::ParticipantGroup> {
        // Like `send()`, it returns every group: a hand-written lister keeps them too. And
        // like `send()`, it guards against a server that repeats pages (one that ignores
        // `offset`, say): it keeps each group once, and stops at a page that adds nothing new
        // as well as at a short page.
        let mut all = Vec::new();
        let mut seen = HashSet::new();
        let mut offset = 0;
        loop {
            let answer: types::ParticipantGroupList = self
                .get(&format!(
                    "/api/v1/participant-groups/?limit={size}&offset={offset}&workspace_id={WORKSPACE}"
                ))
                .await;
            let received = answer.results.len();
            let before = all.len();
            for group in answer.results {
                if seen.insert(group.id.clone()) {
                    all.push(group);
                }
            }
            if received < size || all.len() == before {
                break;
            }
            offset += received;
        }
        all
    }

    /// Adds `ids` to the group in sequential requests of `chunk` ids: what
    /// `add_participants(..).chunk_size(chunk)` does, by hand.
    pub async fn add_all(&self, ids: &[String], chunk: usize) {
        let unique = checked_unique(ids).unwrap();
        for part in unique.chunks(chunk) {
            self.post_members(part).await;
        }
    }

    /// Makes the group's members exactly `ids`: reads them, adds the missing ids, then
    /// removes the others, in sequential requests of `chunk` ids; what
    /// `sync_participants(..).chunk_size(chunk)` does, by hand.
    pub async fn sync_all(&self, ids: &[String], chunk: usize) {
        let unique = checked_unique(ids).unwrap();
        let members: types::MembershipList = self
            .get(&format!("/api/v1/participant-groups/{GROUP}/participants/"))
            .await;
        let current: HashSet<&str> = members
            .results
            .iter()
            .map(|m| m.participant_id.as_str())
            .collect();
        let wanted: HashSet<&str> = unique.iter().copied().collect();
        let to_add: Vec<&str> = unique
            .iter()
            .copied()
            .filter(|id| !current.contains(id))
            .collect();
        let to_remove: Vec<&str> = members
            .results
            .iter()
            .map(|m| m.participant_id.as_str())
            .filter(|id| !wanted.contains(id))
            .collect();
        for part in to_add.chunks(chunk) {
            self.send_members(reqwest::Method::POST, part).await;
        }
        for part in to_remove.chunks(chunk) {
            self.send_members(reqwest::Method::DELETE, part).await;
        }
    }
}

/// What careful hand-written code does before a bulk change, for the guarantees `prolific`
/// gives: refuses the whole input if an id cannot be one (empty, whitespace, a control
/// character, the path segments `.` and `..`), and drops repeats, keeping each id's first place.
fn checked_unique(ids: &[String]) -> Result<Vec<&str>, String> {
    let mut seen = HashSet::with_capacity(ids.len());
    let mut unique = Vec::with_capacity(ids.len());
    for (index, id) in ids.iter().enumerate() {
        let id = id.as_str();
        if id.is_empty()
            || id.chars().any(|c| c.is_whitespace() || c.is_control())
            || id == "."
            || id == ".."
        {
            return Err(format!("participant id #{index} is invalid: {id:?}"));
        }
        if seen.insert(id) {
            unique.push(id);
        }
    }
    Ok(unique)
}

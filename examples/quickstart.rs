//! The whole life of a participant group, step by step.
//!
//! ```sh
//! cargo run --example quickstart --features fake
//! ```
//!
//! Without `PROLIFIC_TOKEN` it starts a local Prolific in this process (`prolific::fake`), so
//! it needs no account and no network. With `PROLIFIC_TOKEN` (and `PROLIFIC_WORKSPACE_ID`,
//! plus `PROLIFIC_URL` for a server other than Prolific's) it runs against that server, and
//! cleans up the groups it made. Exits with 0 only if every step did what it should.

use std::{
    collections::BTreeSet,
    io::{IsTerminal, Write},
    process::ExitCode,
};

use prolific::{Client, GroupFilter, Owner, ParticipantGroup, StudyFilter, fake::FakeProlific};

/// A step that did not do what it should.
type Outcome<T = ()> = Result<T, String>;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => {
            println!("\nAll steps passed.");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("\n✗ {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Outcome {
    // Keep the local server alive for the whole run (dropping it stops it).
    let (client, workspace, local) = connect().await?;
    let groups = client.participant_groups();

    let group = groups
        .create(
            Owner::workspace(&workspace),
            "Quickstart: passed attention checks",
        )
        .description("Made by the prolific crate's quickstart")
        .send()
        .await
        .map_err(|e| format!("create: {e}"))?;
    step(format!("created group {:?} ({})", group.name, group.id));

    let everyone = participant_ids(0..3_000);
    let interactive = std::io::stdout().is_terminal();
    let members = groups
        .add_participants(&group.id, &everyone)
        .on_progress(move |p| {
            let line = format!(
                "  adding participants: chunk {}/{} ({} of {} ids)",
                p.chunks_done, p.chunks_total, p.ids_done, p.ids_total
            );
            // Redraw one line on a terminal; one line per chunk otherwise.
            if interactive {
                print!("\r{line}");
                let _ = std::io::stdout().flush();
            } else {
                println!("{line}");
            }
        })
        .await
        .map_err(|e| format!("add participants: {e}"))?;
    if interactive {
        println!();
    }
    expect(
        members.len() == 3_000,
        format!("3000 members after the add, got {}", members.len()),
    )?;
    step("added 3,000 participants in 3 chunks of 1,000");

    let listed = groups
        .participants(&group.id)
        .await
        .map_err(|e| format!("list members: {e}"))?;
    expect(
        listed.len() == 3_000,
        format!("3000 members listed, got {}", listed.len()),
    )?;
    let first = &listed[0];
    step(format!(
        "listed 3,000 members; the first, {}, joined at {}",
        first.participant_id,
        first
            .datetime_created
            .map_or("an unknown time".into(), |t| t
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string())
    ));

    let leaving = &everyone[..500];
    let left = groups
        .remove_participants(&group.id, leaving)
        .await
        .map_err(|e| format!("remove participants: {e}"))?;
    expect(
        left.len() == 2_500,
        format!("2500 members after removing 500, got {}", left.len()),
    )?;
    expect(
        left.iter().all(|m| !leaving.contains(&m.participant_id)),
        "no removed participant is still a member",
    )?;
    step("removed 500 participants; 2,500 remain");

    let renamed = groups
        .update(&group.id)
        .name("Quickstart: second wave")
        .send()
        .await
        .map_err(|e| format!("rename: {e}"))?;
    expect(
        renamed.name == "Quickstart: second wave",
        format!("the new name, got {:?}", renamed.name),
    )?;
    step(format!("renamed the group to {:?}", renamed.name));

    let wanted = participant_ids(2_000..3_200);
    let replaced = groups
        .replace_participants(&group.id, &wanted)
        .await
        .map_err(|e| format!("replace participants: {e}"))?;
    let now: BTreeSet<String> = groups
        .participants(&group.id)
        .await
        .map_err(|e| format!("list members: {e}"))?
        .into_iter()
        .map(|m| m.participant_id)
        .collect();
    expect(
        now == wanted.iter().cloned().collect(),
        "membership is exactly the 1,200 ids given",
    )?;
    expect(
        replaced.participant_count == Some(1_200),
        format!(
            "participant_count 1200, got {:?}",
            replaced.participant_count
        ),
    )?;
    step("replaced the membership with 1,200 participants (PATCH, then one more chunk)");

    let session2 = next_session(&client, &workspace).await?;
    let filter = StudyFilter::in_any_group([&group.id, &session2.id]);
    let json = serde_json::to_string(&filter).map_err(|e| e.to_string())?;
    expect(
        json.contains(r#""filter_id":"participant_group_allowlist""#),
        format!("an allowlist filter, got {json}"),
    )?;
    step(format!("a study's `filters` entry for both groups: {json}"));

    let reminder = "Session 2 opens tomorrow at 10:00 UTC.";
    groups
        .message(&session2.id, reminder)
        .send()
        .await
        .map_err(|e| format!("message: {e}"))?;
    if let Some(fake) = &local {
        let sent = fake.messages();
        expect(
            sent.len() == 1 && sent[0].body == reminder,
            "the local Prolific to hold the message",
        )?;
    }
    step(format!(
        "messaged the members of {:?}: {reminder:?}",
        session2.name
    ));

    let extras = [
        create_extra(&client, &workspace, "Quickstart: extra A").await?,
        create_extra(&client, &workspace, "Quickstart: extra B").await?,
    ];
    let pages = groups
        .list(GroupFilter::workspace(&workspace))
        .active(true)
        .page_size(2)
        .send()
        .await
        .map_err(|e| format!("list groups: {e}"))?;
    let ours: Vec<&ParticipantGroup> = pages
        .iter()
        .filter(|g| g.id == group.id || extras.iter().any(|e| e.id == g.id))
        .collect();
    expect(
        ours.len() == 3,
        format!("our 3 groups in the list, found {}", ours.len()),
    )?;
    step(format!(
        "listed {} live groups of the workspace in pages of 2, ours among them",
        pages.len()
    ));

    groups
        .delete(&group.id)
        .await
        .map_err(|e| format!("delete: {e}"))?;
    for extra in extras.iter().chain([&session2]) {
        groups
            .delete(&extra.id)
            .await
            .map_err(|e| format!("delete: {e}"))?;
    }
    let gone = groups
        .get(&group.id)
        .await
        .map_err(|e| format!("get: {e}"))?;
    expect(
        gone.is_deleted == Some(true),
        "the deleted group reads as is_deleted",
    )?;
    step("deleted the groups; the first is still readable, marked deleted");

    let live = ids_of(
        &groups
            .list(GroupFilter::workspace(&workspace))
            .active(true)
            .send()
            .await
            .map_err(|e| format!("list live: {e}"))?,
    );
    let deleted = ids_of(
        &groups
            .list(GroupFilter::workspace(&workspace))
            .active(false)
            .send()
            .await
            .map_err(|e| format!("list deleted: {e}"))?,
    );
    expect(
        !live.contains(&group.id),
        "the group is no longer listed as active",
    )?;
    expect(
        deleted.contains(&group.id),
        "the group is listed with active=false",
    )?;
    step(format!(
        "listed with active=false: {} deleted group(s), ours among them",
        deleted.len()
    ));
    Ok(())
}

/// The group of a second session: found or made by name, then kept in step with the list of
/// people approved for it, with a dry run first.
async fn next_session(client: &Client, workspace: &str) -> Outcome<ParticipantGroup> {
    let groups = client.participant_groups();
    let name = "Quickstart: session 2";
    let session2 = groups
        .get_or_create(Owner::workspace(workspace), name)
        .description("Approved for the second session")
        .participants(participant_ids(3_000..3_600))
        .send()
        .await
        .map_err(|e| format!("get or create: {e}"))?;
    let again = groups
        .get_or_create(Owner::workspace(workspace), name)
        .send()
        .await
        .map_err(|e| format!("get or create: {e}"))?;
    expect(
        again.id == session2.id,
        "the second get_or_create to find the first's group",
    )?;
    step(format!(
        "get-or-create made {name:?} with 600 members, then found it again by name"
    ));

    let approved = participant_ids(2_500..3_500);
    let plan = groups
        .sync_participants(&session2.id, &approved)
        .dry_run(true)
        .await
        .map_err(|e| format!("sync (dry run): {e}"))?;
    expect(
        (plan.added.len(), plan.removed.len(), plan.unchanged) == (500, 100, 500),
        format!(
            "a plan to add 500, remove 100 and keep 500, got {}, {}, {}",
            plan.added.len(),
            plan.removed.len(),
            plan.unchanged
        ),
    )?;
    step("a dry-run sync to 1,000 approved ids: would add 500, remove 100, keep 500");

    let done = groups
        .sync_participants(&session2.id, &approved)
        .await
        .map_err(|e| format!("sync: {e}"))?;
    expect(done == plan, "the sync to do what the dry run said")?;
    let members = groups
        .participants(&session2.id)
        .await
        .map_err(|e| format!("list members: {e}"))?;
    let now: BTreeSet<&str> = members.iter().map(|m| m.participant_id.as_str()).collect();
    expect(
        now == approved.iter().map(String::as_str).collect(),
        "membership to be exactly the approved ids",
    )?;
    step("synced: added the 500 missing ids first, then removed the 100 extra ones");
    Ok(session2)
}

/// The client and workspace to use, and the local server when there is one.
async fn connect() -> Outcome<(Client, String, Option<FakeProlific>)> {
    if std::env::var_os(prolific::TOKEN_ENV).is_some() {
        let client = Client::from_env().map_err(|e| e.to_string())?;
        let workspace = std::env::var("PROLIFIC_WORKSPACE_ID").map_err(|_| {
            "PROLIFIC_TOKEN is set: set PROLIFIC_WORKSPACE_ID to the workspace to use".to_string()
        })?;
        println!(
            "Using {} (PROLIFIC_TOKEN is set), workspace {workspace}\n",
            client.base_url()
        );
        return Ok((client, workspace, None));
    }
    let fake = FakeProlific::start().await.map_err(|e| e.to_string())?;
    println!(
        "No PROLIFIC_TOKEN set: using a local Prolific at {} (set PROLIFIC_TOKEN to use the real one)\n",
        fake.base_url()
    );
    Ok((fake.client(), "5e9b9c9b0f9c9a0001b1ca2f".into(), Some(fake)))
}

async fn create_extra(client: &Client, workspace: &str, name: &str) -> Outcome<ParticipantGroup> {
    client
        .participant_groups()
        .create(Owner::workspace(workspace), name)
        .send()
        .await
        .map_err(|e| format!("create {name:?}: {e}"))
}

/// `n` participant ids that look like Prolific's.
fn participant_ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("60a1b2c3d4e5f6{i:010x}")).collect()
}

fn ids_of(groups: &[ParticipantGroup]) -> Vec<String> {
    groups.iter().map(|g| g.id.clone()).collect()
}

fn step(line: impl std::fmt::Display) {
    println!("✓ {line}");
}

fn expect(ok: bool, what: impl Into<String>) -> Outcome {
    if ok {
        Ok(())
    } else {
        Err(format!("expected {}", what.into()))
    }
}

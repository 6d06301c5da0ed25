//! `prolific-groups`, the command line (feature `cli`): the built binary run against a fake
//! Prolific, as a researcher or a CI job would run it. Every run goes through [`run`], which
//! checks that the token appears in nothing the binary printed.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use prolific::{
    Membership, Operation, ParticipantGroup,
    fake::{FakeProlific, Fault},
};

use crate::support::{TOKEN, WORKSPACE_ID, fake::member_ids};

/// How a run of the binary ended, and what it printed.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Asserts exit status 0 and nothing on standard error (where a progress bar would be,
    /// were it a terminal); returns standard output.
    fn ok(self) -> String {
        assert_eq!(self.code, 0, "{self:?}");
        assert_eq!(self.stderr, "", "{self:?}");
        self.stdout
    }

    /// Asserts exit status `code` and nothing on standard output; returns standard error.
    fn fails(self, code: i32) -> String {
        assert_eq!(self.code, code, "{self:?}");
        assert_eq!(self.stdout, "", "{self:?}");
        self.stderr
    }
}

/// Runs the binary with `args` against `fake` (its token in `PROLIFIC_TOKEN`, its address in
/// `PROLIFIC_URL`).
async fn cli(fake: &FakeProlific, args: &[&str]) -> Run {
    run(fake, args, None, true).await
}

/// As [`cli`], with `stdin` as standard input.
async fn cli_stdin(fake: &FakeProlific, args: &[&str], stdin: &str) -> Run {
    run(fake, args, Some(stdin), true).await
}

/// Runs the binary against the fake: with its token and address in the environment, or none
/// at all.
async fn run(fake: &FakeProlific, args: &[&str], stdin: Option<&str>, with_token: bool) -> Run {
    let env = with_token.then(|| (fake.token(), fake.base_url()));
    run_at(env, fake.token(), args, stdin).await
}

/// Runs the binary with `env` as `PROLIFIC_TOKEN` and `PROLIFIC_URL` (neither when `None`, and
/// no other `PROLIFIC_` variable of the test's own environment); asserts that `token` is in
/// nothing it printed. The binary runs on a thread of its own, so that a server on the test's
/// runtime keeps serving meanwhile.
async fn run_at(env: Option<(&str, &str)>, token: &str, args: &[&str], stdin: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_prolific-groups"));
    command
        .args(args)
        .env_remove(prolific::TOKEN_ENV)
        .env_remove(prolific::URL_ENV)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some((token, url)) = env {
        command
            .env(prolific::TOKEN_ENV, token)
            .env(prolific::URL_ENV, url);
    }
    let stdin = stdin.unwrap_or_default().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("the binary starts");
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
        drop(input);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let run = Run {
        code: output.status.code().expect("an exit status"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    for printed in [&run.stdout, &run.stderr] {
        assert!(!printed.contains(token), "the token was printed: {run:?}");
    }
    run
}

/// A file of `contents` for this test (`name` makes it the test's own).
fn file(name: &str, contents: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    std::fs::write(&path, contents).unwrap();
    path
}

/// A path as an argument.
fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The fake's groups of the workspace, live or deleted as asked, in creation order.
fn fake_groups(fake: &FakeProlific, deleted: Option<bool>) -> Vec<ParticipantGroup> {
    fake.groups()
        .into_iter()
        .map(|state| state.group)
        .filter(|group| deleted.is_none_or(|d| group.is_deleted == Some(d)))
        .collect()
}

/// A fake Prolific for one test.
async fn fake() -> FakeProlific {
    FakeProlific::start().await.expect("the fake starts")
}

#[tokio::test(flavor = "multi_thread")]
async fn list_shows_live_groups_deleted_ones_or_all() {
    let fake = fake().await;
    let ids = fake.seed_groups_named(WORKSPACE_ID, ["Pilot", "Main study", "Old"]);
    fake.seed_members(&ids[1], ["p1", "p2"]);
    fake.client()
        .participant_groups()
        .delete(&ids[2])
        .await
        .unwrap();

    for (flag, deleted) in [
        (None, Some(false)),
        (Some("--deleted"), Some(true)),
        (Some("--all"), None),
    ] {
        let mut args = vec!["list", "--workspace", WORKSPACE_ID, "--json"];
        args.extend(flag);
        let listed: Vec<ParticipantGroup> =
            serde_json::from_str(&cli(&fake, &args).await.ok()).unwrap();
        assert_eq!(listed, fake_groups(&fake, deleted), "{flag:?}");
    }

    let table = cli(&fake, &["list", "--workspace", WORKSPACE_ID])
        .await
        .ok();
    let expected = format!(
        "ID                        NAME        MEMBERS  DELETED\n\
         {}  Pilot       0        no\n\
         {}  Main study  2        no\n",
        ids[0], ids[1]
    );
    assert_eq!(table, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_of_a_project_asks_for_the_project() {
    let fake = fake().await;
    fake.seed_group(WORKSPACE_ID, "Pilot");
    let listed = cli(&fake, &["list", "--project", "p1", "--json"])
        .await
        .ok();
    assert_eq!(
        serde_json::from_str::<Vec<ParticipantGroup>>(&listed).unwrap(),
        []
    );
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0]
            .query
            .as_deref()
            .map(|q| q.contains("project_id=p1")),
        Some(true)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_shows_a_group_as_the_api_gives_it() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.seed_members(&id, ["p1", "p2"]);

    let json = cli(&fake, &["get", &id, "--json"]).await.ok();
    let group: ParticipantGroup = serde_json::from_str(&json).unwrap();
    assert_eq!(group, fake.group(&id).unwrap().group);

    let lines = cli(&fake, &["get", &id]).await.ok();
    assert!(
        lines.starts_with(&format!("id: {id}\nname: Pilot\n")),
        "{lines}"
    );
    assert!(
        lines.contains(&format!("\nworkspace: {WORKSPACE_ID}\n")),
        "{lines}"
    );
    assert!(lines.contains("\nmembers: 2\ndeleted: no\n"), "{lines}");
}

#[tokio::test(flavor = "multi_thread")]
async fn rename_and_delete_change_the_group() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");

    let said = cli(&fake, &["rename", &id, "Passed all checks"]).await.ok();
    assert_eq!(
        said,
        format!("renamed group {id} to \"Passed all checks\"\n")
    );
    assert_eq!(fake.group(&id).unwrap().group.name, "Passed all checks");

    let said = cli(&fake, &["delete", &id]).await.ok();
    assert_eq!(said, format!("deleted group {id}\n"));
    assert_eq!(fake.group(&id).unwrap().group.is_deleted, Some(true));
}

#[tokio::test(flavor = "multi_thread")]
async fn members_as_a_table_json_and_csv() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.seed_members(&id, ["p1", "p2"]);
    let held = fake.group(&id).unwrap().members;
    assert_eq!(held.len(), 2);
    // The fake's state and its answers agree, to the microsecond.
    let answered = fake.client().participant_groups().participants(&id).await;
    assert_eq!(answered.unwrap(), held);

    let json = cli(&fake, &["members", &id, "--json"]).await.ok();
    assert_eq!(
        serde_json::from_str::<Vec<Membership>>(&json).unwrap(),
        held
    );

    let csv = cli(&fake, &["members", &id, "--csv"]).await.ok();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["participant_id", "datetime_created"]
    );
    let rows: Vec<Membership> = reader
        .records()
        .map(|row| {
            let row = row.unwrap();
            Membership::builder()
                .participant_id(&row[0])
                .datetime_created(Some(row[1].parse().unwrap()))
                .try_into()
                .unwrap()
        })
        .collect();
    assert_eq!(rows, held);

    let table = cli(&fake, &["members", &id]).await.ok();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].starts_with("PARTICIPANT_ID  JOINED"), "{table}");
    assert!(lines[1].starts_with("p1              20"), "{table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_makes_a_group_with_the_ids_of_an_export() {
    let fake = fake().await;
    let export = file(
        "create-export.csv",
        "Submission id,Participant id,Status\ns1,p1,APPROVED\ns2,p2,APPROVED\n",
    );
    let json = cli(
        &fake,
        &[
            "create",
            "--workspace",
            WORKSPACE_ID,
            "--name",
            "Pilot",
            "--description",
            "From the pilot",
            "--ids",
            path(&export),
            "--json",
        ],
    )
    .await
    .ok();
    let group: ParticipantGroup = serde_json::from_str(&json).unwrap();
    assert_eq!(group, fake.group(&group.id).unwrap().group);
    assert_eq!(group.name, "Pilot");
    assert_eq!(group.description.as_deref(), Some("From the pilot"));
    assert_eq!(member_ids(&fake, &group.id), ["p1", "p2"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_in_an_organisation_says_what_it_made() {
    let fake = fake().await;
    let said = cli(
        &fake,
        &["create", "--organisation", "o1", "--name", "Panel"],
    )
    .await
    .ok();
    let groups = fake.groups();
    assert_eq!(groups.len(), 1);
    let group = &groups[0].group;
    assert_eq!(group.organisation_id.as_deref(), Some("o1"));
    assert_eq!(
        said,
        format!("created group {} (\"Panel\", 0 members)\n", group.id)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn add_combines_arguments_and_a_file_of_lines() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    let lines = file(
        "add-lines.txt",
        "# passed the checks\np2\n\n  p3  \n# p4 was excluded\np1\n",
    );

    let said = cli(&fake, &["add", &id, "p1", "--ids", path(&lines)])
        .await
        .ok();
    assert_eq!(
        said,
        format!("group {id}: all 3 ids are in the group now (3 members)\n")
    );
    assert_eq!(member_ids(&fake, &id), ["p1", "p2", "p3"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_come_from_a_named_column_or_standard_input() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");

    let named = file("column.csv", "study,who\ns1,p1\ns1,p2\n");
    cli(
        &fake,
        &["add", &id, "--ids", path(&named), "--column", "WHO"],
    )
    .await
    .ok();
    assert_eq!(member_ids(&fake, &id), ["p1", "p2"]);

    let pids = "session,PROLIFIC_PID\nx,p3\ny,p4\n";
    cli_stdin(&fake, &["add", &id, "--ids", "-"], pids)
        .await
        .ok();
    assert_eq!(member_ids(&fake, &id), ["p1", "p2", "p3", "p4"]);

    // A column of its own, header included, is a CSV too.
    let single = "participant_id\np5\n";
    cli_stdin(&fake, &["add", &id, "--ids", "-"], single)
        .await
        .ok();
    assert_eq!(member_ids(&fake, &id), ["p1", "p2", "p3", "p4", "p5"]);

    // As a spreadsheet saves it on Windows: a byte-order mark, and CRLF line ends.
    let excel = "\u{feff}Participant id,Status\r\np6,APPROVED\r\n";
    cli_stdin(&fake, &["add", &id, "--ids", "-"], excel)
        .await
        .ok();
    assert_eq!(member_ids(&fake, &id), ["p1", "p2", "p3", "p4", "p5", "p6"]);
    cli_stdin(&fake, &["remove", &id, "--ids", "-"], "\u{feff}p6\r\n")
        .await
        .ok();
    assert_eq!(member_ids(&fake, &id), ["p1", "p2", "p3", "p4", "p5"]);

    let said = cli_stdin(&fake, &["remove", &id, "p5", "--ids", "-"], "p1\np4\n")
        .await
        .ok();
    assert_eq!(
        said,
        format!("group {id}: all 3 ids are out of the group now (2 members)\n")
    );
    assert_eq!(member_ids(&fake, &id), ["p2", "p3"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn input_errors_exit_with_2_and_send_nothing() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    let no_column = file("no-column.csv", "study,who\ns1,p1\n");
    let malformed = file("malformed.csv", "study,participant_id\ns1,p1\ns2\n");
    let empty_cell = file("empty-cell.csv", "study,participant_id\ns1,\n");
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-no-such-file");

    let cases: [(&[&str], &str); 14] = [
        (
            &["add", &id, "--ids", path(&no_column)],
            "found no participant-id column",
        ),
        (
            &["add", &id, "--ids", path(&no_column), "--column", "pid"],
            "found no column named \"pid\"",
        ),
        (
            &["add", &id, "--ids", path(&malformed)],
            "found record with 1 field",
        ),
        (
            &["add", &id, "--ids", path(&empty_cell)],
            "line 2 has no participant id",
        ),
        (
            &["add", &id, "--ids", path(&missing)],
            "cannot read ids from",
        ),
        (&["add", &id, "p1", "p 2"], "participant id #2"),
        (&["add", &id], "participant ids are missing"),
        (&["get", "a b"], "invalid input"),
        (
            &["list", "--workspace", WORKSPACE_ID, "--deleted", "--all"],
            "cannot be used with",
        ),
        (
            &["add", &id, "p1", "--chunk-size", "0"],
            "chunk size is zero",
        ),
        (
            &["sync", &id, "--ids", path(&malformed)],
            "found record with 1 field",
        ),
        (&["find", "--workspace", WORKSPACE_ID, ""], "name is empty"),
        (&["rename", &id, " "], "name is empty"),
        (&["create", "--workspace", WORKSPACE_ID], "--name <NAME>"),
    ];
    for (args, says) in cases {
        let stderr = cli(&fake, args).await.fails(2);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let stderr = run(&fake, &["get", &id], None, false).await.fails(2);
    assert!(stderr.contains("PROLIFIC_TOKEN is not set"), "{stderr}");
    assert_eq!(fake.requests(), []);
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_from_prolific_exit_with_1_and_say_what_it_answered() {
    let fake = fake().await;
    let stderr = cli(&fake, &["get", "642ea7ff7639ab670b05a0b5"])
        .await
        .fails(1);
    assert!(
        stderr.starts_with(
            "prolific-groups: Prolific answered 404 Not Found to get_participant_group"
        ),
        "{stderr}"
    );

    // Three 500s outlast the client's two retries.
    fake.inject_on(Operation::ListGroups, 3, Fault::status(500).unwrap());
    let stderr = cli(&fake, &["list", "--workspace", WORKSPACE_ID])
        .await
        .fails(1);
    assert!(
        stderr.contains("answered 500 Internal Server Error"),
        "{stderr}"
    );
    assert!(stderr.contains("after 3 attempts"), "{stderr}");

    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.inject_on(Operation::AddMembers, 1, Fault::status(400).unwrap());
    let stderr = cli(&fake, &["add", &id, "p1"]).await.fails(1);
    assert!(stderr.contains("0 ids applied, 1 not applied"), "{stderr}");
    assert!(stderr.contains("answered 400 Bad Request"), "{stderr}");
    assert!(
        stderr.contains("so running it again will not help"),
        "{stderr}"
    );
    assert!(!stderr.contains("finishes it"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_add_throttled_by_prolific_says_it_waits_unless_quiet() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    let throttle = || {
        let window = Fault::throttled(std::time::Duration::from_millis(1_200));
        fake.inject_on(Operation::AddMembers, 1, window);
    };
    throttle();
    let run = cli(&fake, &["add", &id, "p1", "p2", "--chunk-size", "1"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        format!("group {id}: all 2 ids are in the group now (2 members)\n")
    );
    // Standard error is not a terminal here, so the bar is hidden and each wait has a line.
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(!lines.is_empty(), "{run:?}");
    for line in lines {
        let seconds = line
            .strip_prefix("throttled by Prolific, waiting ")
            .and_then(|rest| rest.strip_suffix(" s"))
            .unwrap_or_else(|| panic!("{line:?}"));
        assert!(["1", "2"].contains(&seconds), "{line:?}");
    }

    throttle();
    let said = cli(&fake, &["add", &id, "p3", "--quiet"]).await.ok();
    assert_eq!(
        said,
        format!("group {id}: all 1 ids are in the group now (3 members)\n")
    );
    assert_eq!(member_ids(&fake, &id), ["p1", "p2", "p3"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_add_that_stops_part_way_leaves_a_file_that_finishes_it() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    let ids = file("partial-ids.txt", "p1\np2\np3\np4\np5\n");
    let failed = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-partial-failed.txt");
    // The first chunk passes (a delay changes nothing); the second meets 503 on its first
    // attempt and on both retries.
    fake.inject_on(
        Operation::AddMembers,
        1,
        Fault::delay(std::time::Duration::ZERO),
    );
    fake.inject_on(Operation::AddMembers, 3, Fault::status(503).unwrap());

    let args = [
        "add",
        &id,
        "--chunk-size",
        "2",
        "--failed-out",
        path(&failed),
    ];
    let stderr = cli(&fake, &[&args[..], &["--ids", path(&ids)]].concat())
        .await
        .fails(1);
    assert!(
        stderr.contains("stopped after 1 of 3 chunks: 2 ids applied, 3 not applied"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("the same command with --ids {}", path(&failed))),
        "{stderr}"
    );
    assert_eq!(member_ids(&fake, &id), ["p1", "p2"]);
    assert_eq!(std::fs::read_to_string(&failed).unwrap(), "p3\np4\np5\n");

    // `--quiet` (no bar either way here, as standard error is not a terminal) changes nothing
    // else.
    let said = cli(
        &fake,
        &[&args[..], &["--ids", path(&failed), "--quiet"]].concat(),
    )
    .await
    .ok();
    assert_eq!(
        said,
        format!("group {id}: all 3 ids are in the group now (5 members)\n")
    );
    assert_eq!(member_ids(&fake, &id), ["p1", "p2", "p3", "p4", "p5"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remove_that_stops_part_way_writes_what_is_left() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.seed_members(&id, ["p1", "p2", "p3"]);
    let failed = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-remove-failed.txt");
    fake.inject_on(
        Operation::RemoveMembers,
        1,
        Fault::delay(std::time::Duration::ZERO),
    );
    fake.inject_on(Operation::RemoveMembers, 1, Fault::status(400).unwrap());

    let args = [
        "remove",
        &id,
        "p1",
        "p2",
        "p3",
        "--chunk-size",
        "1",
        "--failed-out",
        path(&failed),
    ];
    let stderr = cli(&fake, &args).await.fails(1);
    assert!(stderr.contains("1 ids applied, 2 not applied"), "{stderr}");
    // Refused (400): the file is written, without advice to run it again.
    assert!(
        stderr.ends_with(&format!("the 2 ids not applied are in {}\n", path(&failed))),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&failed).unwrap(), "p2\np3\n");
    assert_eq!(member_ids(&fake, &id), ["p2", "p3"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn help_gives_an_example_for_every_command() {
    let fake = fake().await;
    for command in [
        "list", "find", "create", "get", "rename", "delete", "members", "add", "remove", "sync",
        "message",
    ] {
        let help = cli(&fake, &[command, "--help"]).await.ok();
        assert!(
            help.contains(&format!("Example:\n  prolific-groups {command} ")),
            "{help}"
        );
    }
    assert_eq!(fake.requests(), []);
}

#[tokio::test(flavor = "multi_thread")]
async fn url_names_the_server_instead_of_prolific_url() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    let closed = crate::support::closed_url();
    let stderr = cli(&fake, &["get", &id, "--url", &closed]).await.fails(1);
    assert!(stderr.contains("could not talk to Prolific"), "{stderr}");
    assert_eq!(fake.requests(), []);
}

#[tokio::test(flavor = "multi_thread")]
async fn find_gives_the_live_group_of_a_name() {
    let fake = fake().await;
    let ids = fake.seed_groups_named(WORKSPACE_ID, ["Pilot", "Main", "Twice", "Twice"]);
    let groups = fake.client().participant_groups();
    groups.delete(&ids[0]).await.unwrap();
    let live_pilot = fake.seed_group(WORKSPACE_ID, "Pilot");

    let json = cli(
        &fake,
        &["find", "--workspace", WORKSPACE_ID, "Pilot", "--json"],
    )
    .await
    .ok();
    let found: ParticipantGroup = serde_json::from_str(&json).unwrap();
    assert_eq!(found, fake.group(&live_pilot).unwrap().group);

    let lines = cli(&fake, &["find", "--workspace", WORKSPACE_ID, "Main"])
        .await
        .ok();
    assert!(
        lines.starts_with(&format!("id: {}\nname: Main\n", ids[1])),
        "{lines}"
    );

    let stderr = cli(&fake, &["find", "--workspace", WORKSPACE_ID, "Nobody"])
        .await
        .fails(1);
    assert!(
        stderr.contains("no live group named \"Nobody\""),
        "{stderr}"
    );

    let stderr = cli(&fake, &["find", "--workspace", WORKSPACE_ID, "Twice"])
        .await
        .fails(1);
    assert!(
        stderr.contains(&ids[2]) && stderr.contains(&ids[3]),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_if_missing_uses_the_live_group_or_creates_one() {
    let fake = fake().await;
    let existing = fake.seed_group(WORKSPACE_ID, "Pilot");
    let create = [
        "create",
        "--workspace",
        WORKSPACE_ID,
        "--if-missing",
        "--json",
        "--name",
    ];

    let json = cli(&fake, &[&create[..], &["Pilot"]].concat()).await.ok();
    let group: ParticipantGroup = serde_json::from_str(&json).unwrap();
    assert_eq!(group.id, existing);
    assert_eq!(fake.groups().len(), 1);
    let sent: Vec<_> = fake
        .requests()
        .into_iter()
        .filter_map(|r| r.operation)
        .collect();
    assert_eq!(sent, [Operation::ListGroups]);

    let ids = file("if-missing.txt", "p1\np2\n");
    let json = cli(
        &fake,
        &[&create[..], &["Session 2", "--ids", path(&ids)]].concat(),
    )
    .await
    .ok();
    let group: ParticipantGroup = serde_json::from_str(&json).unwrap();
    assert_eq!(group, fake.group(&group.id).unwrap().group);
    assert_eq!(group.name, "Session 2");
    assert_eq!(member_ids(&fake, &group.id), ["p1", "p2"]);

    fake.clear_requests();
    let args = [
        "create",
        "--organisation",
        "o1",
        "--name",
        "Pilot",
        "--if-missing",
    ];
    let stderr = cli(&fake, &args).await.fails(2);
    assert!(stderr.contains("organisation"), "{stderr}");
    assert_eq!(fake.requests(), []);

    // Without --json: whether the group was found or created, and that a found group was
    // left as it is.
    let human = [
        "create",
        "--workspace",
        WORKSPACE_ID,
        "--if-missing",
        "--name",
    ];
    let found = cli(
        &fake,
        &[&human[..], &["Pilot", "--ids", path(&ids)]].concat(),
    )
    .await;
    assert_eq!(found.code, 0, "{found:?}");
    assert_eq!(
        found.stdout,
        format!("found live group {existing} (\"Pilot\", 0 members)\n")
    );
    assert_eq!(
        found.stderr,
        "prolific-groups: it was left as it is: --description and --ids are used only when \
         creating (sync brings its members in line with a file)\n"
    );
    assert!(member_ids(&fake, &existing).is_empty());
    let said = cli(&fake, &[&human[..], &["Session 3"]].concat())
        .await
        .ok();
    assert!(said.starts_with("created group "), "{said}");
    assert!(said.ends_with(" (\"Session 3\", 0 members)\n"), "{said}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_makes_the_group_match_a_file() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.seed_members(&id, ["p1", "p2", "p3"]);
    let export = file(
        "sync-export.csv",
        "Submission id,Participant id\ns1,p2\ns2,p4\ns3,p3\ns4,p5\n",
    );

    let plan = cli(
        &fake,
        &["sync", &id, "--ids", path(&export), "--dry-run", "--json"],
    )
    .await
    .ok();
    let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let expected = serde_json::json!({"added": ["p4", "p5"], "removed": ["p1"], "unchanged": 2});
    assert_eq!(plan, expected);
    assert_eq!(member_ids(&fake, &id), ["p1", "p2", "p3"]);
    let sent: Vec<_> = fake
        .requests()
        .into_iter()
        .filter_map(|r| r.operation)
        .collect();
    assert_eq!(sent, [Operation::ListMembers]);

    let said = cli(&fake, &["sync", &id, "--ids", path(&export), "--dry-run"])
        .await
        .ok();
    assert_eq!(
        said,
        format!("group {id}: would add 2, would remove 1, 2 unchanged\n")
    );

    let done = cli(&fake, &["sync", &id, "--ids", path(&export), "--json"])
        .await
        .ok();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&done).unwrap(),
        expected
    );
    assert_eq!(member_ids(&fake, &id), ["p2", "p3", "p4", "p5"]);

    let said = cli_stdin(&fake, &["sync", &id, "--ids", "-"], "p2\np3\np4\np5\n")
        .await
        .ok();
    assert_eq!(
        said,
        format!("group {id}: added 0, removed 0, 4 unchanged\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_that_stops_part_way_is_finished_by_running_it_again() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.seed_members(&id, ["p1", "p2"]);
    let wanted = file("sync-partial.txt", "p2\np3\np4\np5\n");
    // The first chunk of additions passes, the second is refused.
    fake.inject_on(
        Operation::AddMembers,
        1,
        Fault::delay(std::time::Duration::ZERO),
    );
    fake.inject_on(Operation::AddMembers, 1, Fault::status(400).unwrap());

    let args = ["sync", &id, "--ids", path(&wanted), "--chunk-size", "2"];
    let stderr = cli(&fake, &args).await.fails(1);
    // Refused (400): running it again would not help, and nothing says it would.
    assert!(
        stderr.contains("so running it again will not help"),
        "{stderr}"
    );
    assert!(!stderr.contains("finishes it"), "{stderr}");
    assert_eq!(member_ids(&fake, &id), ["p1", "p2", "p3", "p4"]);

    // A server error through every retry: the sync says that running it again finishes it.
    fake.inject_on(Operation::AddMembers, 3, Fault::status(503).unwrap());
    let stderr = cli(&fake, &args).await.fails(1);
    assert!(
        stderr.contains("running the same sync again finishes it"),
        "{stderr}"
    );
    assert_eq!(member_ids(&fake, &id), ["p1", "p2", "p3", "p4"]);

    let said = cli(&fake, &args).await.ok();
    assert_eq!(
        said,
        format!("group {id}: added 1, removed 1, 3 unchanged\n")
    );
    assert_eq!(member_ids(&fake, &id), ["p2", "p3", "p4", "p5"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_to_no_ids_is_refused() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");
    fake.seed_members(&id, ["p1"]);
    let stderr = cli_stdin(&fake, &["sync", &id, "--ids", "-"], "# nobody\n")
        .await
        .fails(2);
    assert!(stderr.contains("would remove every member"), "{stderr}");
    assert_eq!(fake.requests(), []);
}

#[tokio::test(flavor = "multi_thread")]
async fn message_reaches_the_group() {
    let fake = fake().await;
    let id = fake.seed_group(WORKSPACE_ID, "Pilot");

    let args = [
        "message",
        &id,
        "--body",
        "Session 2 opens tomorrow",
        "--study",
        "s1",
    ];
    let said = cli(&fake, &args).await.ok();
    assert_eq!(
        said,
        format!("sent the message to the members of group {id}\n")
    );
    let sent = fake.messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].participant_group_id, id);
    assert_eq!(sent[0].body, "Session 2 opens tomorrow");
    assert_eq!(sent[0].study_id.as_deref(), Some("s1"));

    fake.clear_requests();
    let stderr = cli(&fake, &["message", &id, "--body", " "]).await.fails(2);
    assert!(stderr.contains("message body is empty"), "{stderr}");
    assert_eq!(fake.requests(), []);

    let stderr = cli(
        &fake,
        &["message", "642ea7ff7639ab670b05a0b5", "--body", "Hi"],
    )
    .await
    .fails(1);
    assert!(stderr.contains("404 Not Found"), "{stderr}");
    assert_eq!(fake.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn prolifics_field_errors_are_shown() {
    let server = httpmock::MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST);
            then.status(400).json_body(serde_json::json!({"error": {
                "status": 400,
                "error_code": 140001,
                "title": "Invalid request",
                "detail": {"description": ["Ensure this field has no more than 500 characters."]},
                "additional_information": "/api/v1/errors/140001"
            }}));
        })
        .await;
    let url = server.base_url();
    let args = ["create", "--workspace", WORKSPACE_ID, "--name", "Pilot"];
    let stderr = run_at(Some((TOKEN, &url)), TOKEN, &args, None)
        .await
        .fails(1);
    assert_eq!(
        stderr,
        "prolific-groups: Prolific answered 400 Bad Request to create_participant_group: Invalid \
         request (description: Ensure this field has no more than 500 characters.) [error code \
         140001]\nmore: /api/v1/errors/140001\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_stops_early_ends_the_output_quietly() {
    use std::io::{BufRead, BufReader, Read};

    let fake = FakeProlific::start().await.unwrap();
    let id = fake.seed_group(WORKSPACE_ID, "Large");
    fake.seed_members(&id, (0..100_000).map(|i| format!("{i:024x}")));
    let mut command = Command::new(env!("CARGO_BIN_EXE_prolific-groups"));
    command
        .args(["members", &id, "--csv"])
        .env(prolific::TOKEN_ENV, fake.token())
        .env(prolific::URL_ENV, fake.base_url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // `prolific-groups members ... --csv | head -1`.
    let (first, status, stderr) = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (first, status, stderr)
    })
    .await
    .unwrap();
    assert_eq!(first, "participant_id,datetime_created\n");
    assert_eq!((status.code(), stderr.as_str()), (Some(0), ""));
}

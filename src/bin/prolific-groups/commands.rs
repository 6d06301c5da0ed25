//! The commands: each reads its input, connects, calls the library and prints the outcome.
//! Input is read before connecting, so that an input error sends nothing.

use std::{collections::HashSet, io::Write, path::Path};

use prolific::{BulkError, GetOrCreateOutcome, GroupFilter, ParticipantGroups};

use crate::{
    Failure,
    args::{Change, Cli, Command, IdFile, SyncArgs},
    ids, output, progress,
};

/// Runs the command of `cli`, printing on `out`.
pub async fn run(cli: Cli, out: &mut impl Write) -> Result<(), Failure> {
    let url = cli.url.as_deref();
    match cli.command {
        Command::List {
            scope,
            deleted,
            all,
            json,
        } => {
            let mut list = connect(url)?.list(scope.filter());
            if !all {
                list = list.active(!deleted);
            }
            let groups = list.send().await?;
            if json {
                output::json(out, &groups)?;
            } else {
                output::groups(out, &groups)?;
            }
        }
        Command::Find {
            workspace,
            name,
            json,
        } => {
            let filter = GroupFilter::workspace(&workspace);
            let Some(group) = connect(url)?.find_by_name(filter, &name).await? else {
                let message = format!("no live group named {name:?} in workspace {workspace}");
                return Err(Failure::failed(message));
            };
            if json {
                output::json(out, &group)?;
            } else {
                output::group(out, &group)?;
            }
        }
        Command::Create {
            owner,
            name,
            description,
            ids,
            if_missing,
            json,
        } => {
            let ids = read_ids(&ids)?;
            let groups = connect(url)?;
            let gave_more = description.is_some() || !ids.is_empty();
            let outcome = if if_missing {
                let mut request = groups.get_or_create(owner.owner(), name);
                if let Some(description) = description {
                    request = request.description(description);
                }
                request.participants(ids).send_with_outcome().await?
            } else {
                let mut request = groups.create(owner.owner(), name);
                if let Some(description) = description {
                    request = request.description(description);
                }
                GetOrCreateOutcome::Created(request.participants(ids).send().await?)
            };
            let created = outcome.was_created();
            let group = outcome.into_group();
            if json {
                output::json(out, &group)?;
            } else {
                let members = group.participant_count.unwrap_or(0);
                let name = &group.name;
                let done = if created { "created" } else { "found live" };
                writeln!(
                    out,
                    "{done} group {} ({name:?}, {members} members)",
                    group.id
                )?;
                if !created && gave_more {
                    eprintln!(
                        "prolific-groups: it was left as it is: --description and --ids are used \
                         only when creating (sync brings its members in line with a file)"
                    );
                }
            }
        }
        Command::Get { group, json } => {
            let group = connect(url)?.get(group).await?;
            if json {
                output::json(out, &group)?;
            } else {
                output::group(out, &group)?;
            }
        }
        Command::Rename { group, name } => {
            let group = connect(url)?.update(group).name(name).send().await?;
            writeln!(out, "renamed group {} to {:?}", group.id, group.name)?;
        }
        Command::Delete { group } => {
            connect(url)?.delete(&group).await?;
            writeln!(out, "deleted group {group}")?;
        }
        Command::Members { group, json, csv } => {
            let members = connect(url)?.participants(group).await?;
            if json {
                output::json(out, &members)?;
            } else if csv {
                output::members_csv(out, &members)?;
            } else {
                output::members(out, &members)?;
            }
        }
        Command::Sync(sync_args) => sync(sync_args, url, cli.quiet, out).await?,
        Command::Message { group, body, study } => {
            let mut message = connect(url)?.message(&group, body);
            if let Some(study) = study {
                message = message.study(study);
            }
            message.send().await?;
            writeln!(out, "sent the message to the members of group {group}")?;
        }
        Command::Add(change) => change_members(change, Verb::Add, url, cli.quiet, out).await?,
        Command::Remove(change) => {
            change_members(change, Verb::Remove, url, cli.quiet, out).await?;
        }
    }
    Ok(())
}

/// A client for `PROLIFIC_TOKEN`, at `url` if given (else `PROLIFIC_URL`, else Prolific).
fn connect(url: Option<&str>) -> Result<ParticipantGroups, Failure> {
    let mut builder = prolific::ClientBuilder::from_env()?;
    if let Some(url) = url {
        builder = builder.base_url(url);
    }
    Ok(builder.build()?.participant_groups())
}

/// The ids of `--ids FILE`, none without it.
fn read_ids(file: &IdFile) -> Result<Vec<String>, Failure> {
    match &file.file {
        Some(path) => ids::read(path, file.column.as_deref()).map_err(Failure::input),
        None => Ok(Vec::new()),
    }
}

/// Adding or removing.
#[derive(Clone, Copy)]
enum Verb {
    Add,
    Remove,
}

/// `add` and `remove`: the ids of the arguments and the file, in chunks, with progress.
async fn change_members(
    change: Change,
    verb: Verb,
    url: Option<&str>,
    quiet: bool,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let mut ids = change.ids;
    ids.extend(read_ids(&change.file)?);
    let groups = connect(url)?;
    let bar = progress::bar(ids.len(), quiet);
    let result = match verb {
        Verb::Add => {
            let add = groups.add_participants(&change.group, &ids);
            let add = add.chunk_size(change.chunk_size);
            add.on_progress(progress::follow(&bar, quiet)).send().await
        }
        Verb::Remove => {
            let remove = groups.remove_participants(&change.group, &ids);
            let remove = remove.chunk_size(change.chunk_size);
            remove
                .on_progress(progress::follow(&bar, quiet))
                .send()
                .await
        }
    };
    bar.finish_and_clear();
    let members = match result {
        Ok(members) => members,
        Err(prolific::Error::Bulk(bulk)) => {
            return Err(stopped_part_way(&bulk, change.failed_out.as_deref()));
        }
        Err(error) => return Err(error.into()),
    };
    // Prolific ignores ids already in (or not in) the group and does not say which those
    // were, so the summary states what holds now rather than what changed.
    let distinct = ids.iter().collect::<HashSet<_>>().len();
    let now = match verb {
        Verb::Add => "in the group",
        Verb::Remove => "out of the group",
    };
    writeln!(
        out,
        "group {}: all {distinct} ids are {now} now ({} members)",
        change.group,
        members.len()
    )?;
    Ok(())
}

/// The failure of an `add` or `remove` that stopped part way; with `--failed-out FILE`, the
/// ids not applied are written there, one per line, for the same command with `--ids FILE`.
fn stopped_part_way(bulk: &BulkError, failed_out: Option<&Path>) -> Failure {
    let mut message = bulk.to_string();
    let Some(path) = failed_out else {
        message.push_str("\n(with --failed-out FILE, the ids not applied are written to FILE)");
        return Failure::failed(message);
    };
    let mut text = bulk.not_applied.join("\n");
    text.push('\n');
    let (n, shown) = (bulk.not_applied.len(), path.display());
    match std::fs::write(path, text) {
        // Only where running it again can succeed: the library's advice says when it cannot.
        Ok(()) if bulk.source.is_retryable() => message.push_str(&format!(
            "\nthe {n} ids not applied are in {shown}; the same command with --ids {shown} finishes it"
        )),
        Ok(()) => message.push_str(&format!("\nthe {n} ids not applied are in {shown}")),
        Err(e) => message.push_str(&format!(
            "\ncould not write the ids not applied to {shown}: {e}"
        )),
    }
    Failure::failed(message)
}

/// `sync`: the group's members made exactly the ids of a file, with progress; or, for a dry
/// run, what that would change.
async fn sync(
    args: SyncArgs,
    url: Option<&str>,
    quiet: bool,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let ids = ids::read(&args.file, args.column.as_deref()).map_err(Failure::input)?;
    if ids.is_empty() {
        return Err(Failure::input(format!(
            "{} holds no ids: a sync would remove every member (use remove for that)",
            args.file
        )));
    }
    let bar = progress::bar(ids.len(), quiet || args.dry_run);
    let result = connect(url)?
        .sync_participants(&args.group, &ids)
        .dry_run(args.dry_run)
        .chunk_size(args.chunk_size)
        .on_progress(progress::follow(&bar, quiet))
        .send()
        .await;
    bar.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(error @ prolific::Error::Bulk(_)) => {
            // Never a file of leftovers: syncing to it would remove everyone else. Running
            // it again is advised only where that can succeed.
            let retryable = error.is_retryable();
            let mut failure = Failure::from(error);
            if retryable {
                let advice = "the sync stopped part way: running the same sync again finishes it";
                failure.message = format!("{}\n{advice}", failure.message);
            }
            return Err(failure);
        }
        Err(error) => return Err(error.into()),
    };
    if args.json {
        output::json(out, &report)?;
    } else {
        let (add, remove) = if args.dry_run {
            ("would add", "would remove")
        } else {
            ("added", "removed")
        };
        writeln!(
            out,
            "group {}: {add} {}, {remove} {}, {} unchanged",
            args.group,
            report.added.len(),
            report.removed.len(),
            report.unchanged
        )?;
    }
    Ok(())
}

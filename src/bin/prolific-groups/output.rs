//! What the commands print on standard output: aligned tables and `key: value` lines for
//! people, JSON and CSV for scripts.

use std::io::{self, Write};

use prolific::{Membership, ParticipantGroup};
use serde::Serialize;

/// Prints `value` as pretty JSON, then a newline.
pub fn json(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// Prints groups as a table: id, name, members, deleted.
pub fn groups(out: &mut impl Write, groups: &[ParticipantGroup]) -> io::Result<()> {
    let rows = groups.iter().map(|group| {
        vec![
            group.id.clone(),
            group.name.clone(),
            count(group.participant_count),
            yes_no(group.is_deleted),
        ]
    });
    table(out, ["ID", "NAME", "MEMBERS", "DELETED"], rows)
}

/// Prints one group as `key: value` lines.
pub fn group(out: &mut impl Write, group: &ParticipantGroup) -> io::Result<()> {
    let none = || "-".to_owned();
    let studies = group
        .feeder_studies
        .iter()
        .flatten()
        .map(|study| match (&study.id, &study.name) {
            (Some(id), Some(name)) => format!("{id} ({name})"),
            (id, name) => id.clone().or(name.clone()).unwrap_or_else(none),
        })
        .collect::<Vec<_>>();
    let lines = [
        ("id", group.id.clone()),
        ("name", group.name.clone()),
        (
            "description",
            group.description.clone().unwrap_or_else(none),
        ),
        ("workspace", group.workspace_id.clone().unwrap_or_else(none)),
        (
            "organisation",
            group.organisation_id.clone().unwrap_or_else(none),
        ),
        ("members", count(group.participant_count)),
        ("deleted", yes_no(group.is_deleted)),
        ("feeder studies", join_or_none(&studies)),
    ];
    for (key, value) in lines {
        writeln!(out, "{key}: {value}")?;
    }
    Ok(())
}

/// Prints memberships as a table: participant id, when they joined.
pub fn members(out: &mut impl Write, members: &[Membership]) -> io::Result<()> {
    let rows = members
        .iter()
        .map(|member| vec![member.participant_id.clone(), joined(member)]);
    table(out, ["PARTICIPANT_ID", "JOINED"], rows)
}

/// Prints memberships as CSV: `participant_id,datetime_created`.
pub fn members_csv(out: &mut impl Write, members: &[Membership]) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer
        .write_record(["participant_id", "datetime_created"])
        .map_err(io_error)?;
    for member in members {
        writer
            .write_record([member.participant_id.as_str(), &joined(member)])
            .map_err(io_error)?;
    }
    writer.flush()
}

/// The CSV writer's error as the I/O error underneath, so that a closed pipe stays one.
fn io_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// When a member joined, as RFC 3339; empty when Prolific did not say.
fn joined(member: &Membership) -> String {
    member
        .datetime_created
        .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

/// Prints rows under a header, each column as wide as its widest cell.
fn table<const N: usize>(
    out: &mut impl Write,
    header: [&str; N],
    rows: impl Iterator<Item = Vec<String>>,
) -> io::Result<()> {
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let rows: Vec<Vec<String>> = std::iter::once(header).chain(rows).collect();
    let mut widths = [0; N];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}

fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

fn yes_no(flag: Option<bool>) -> String {
    if flag == Some(true) { "yes" } else { "no" }.to_owned()
}

fn join_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(", ")
    }
}

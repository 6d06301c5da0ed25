//! Participant ids from a file or standard input: one per line, or a column of a CSV.

use std::io::Read;

/// The headers of the participant-id column, compared without regard to case: this crate's
/// and the API's, Prolific's exports', and the one Prolific adds to a study's URL.
const ID_HEADERS: [&str; 3] = ["participant_id", "participant id", "prolific_pid"];

/// Reads the ids of `path` (`-` for standard input); `column` names the CSV column to use.
///
/// The text is a CSV when `column` is given, or when its first line that is neither blank
/// nor a comment holds a comma or is one of the known headers; otherwise it holds one id per
/// line. The error says what is wrong and where, in a sentence.
pub fn read(path: &str, column: Option<&str>) -> Result<Vec<String>, String> {
    let text = if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read ids from standard input: {e}"))?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read ids from {path}: {e}"))?
    };
    // Spreadsheets often save a byte-order mark first: it is not part of the first header or id.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let name = if path == "-" { "standard input" } else { path };
    let first = text.lines().map(str::trim).find(|line| !skipped(line));
    let is_csv = column.is_some()
        || first.is_some_and(|line| line.contains(',') || is_id_header(line, None));
    if is_csv {
        from_csv(text, column).map_err(|e| format!("{name}: {e}"))
    } else {
        Ok(text
            .lines()
            .map(str::trim)
            .filter(|line| !skipped(line))
            .map(str::to_owned)
            .collect())
    }
}

/// Blank lines and comments, which hold no id.
fn skipped(line: &str) -> bool {
    line.is_empty() || line.starts_with('#')
}

/// Whether `header` names the id column: the one asked for, or else a known one.
fn is_id_header(header: &str, column: Option<&str>) -> bool {
    match column {
        Some(column) => header.trim().eq_ignore_ascii_case(column.trim()),
        None => ID_HEADERS
            .iter()
            .any(|known| header.trim().eq_ignore_ascii_case(known)),
    }
}

/// The ids of the id column of a CSV with a header row.
fn from_csv(text: &str, column: Option<&str>) -> Result<Vec<String>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let index = headers
        .iter()
        .position(|header| is_id_header(header, column))
        .ok_or_else(|| {
            let wanted = match column {
                Some(column) => format!("column named {column:?}"),
                None => "participant-id column (participant_id, Participant id or \
                         PROLIFIC_PID; name another with --column)"
                    .to_owned(),
            };
            let found: Vec<&str> = headers.iter().collect();
            format!("found no {wanted} among the headers {found:?}")
        })?;
    let mut ids = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let line = record.position().map_or(0, csv::Position::line);
        match record.get(index) {
            Some(id) if !id.is_empty() => ids.push(id.to_owned()),
            _ => return Err(format!("line {line} has no participant id")),
        }
    }
    Ok(ids)
}

//! The progress bar of bulk changes, on standard error when it is a terminal; and what it
//! says while Prolific throttles the change.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar for a change of `ids` ids; hidden with `--quiet` or when standard error is not a
/// terminal (a pipe, a file, a CI log).
pub fn bar(ids: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} ids ({elapsed}) {msg}")
        .expect("a valid template");
    ProgressBar::new(ids as u64).with_style(style)
}

/// The library's `.on_progress` callback, moving `bar` after each chunk. While Prolific
/// throttles the change, it says so: on the bar, or, when the bar is hidden only because
/// standard error is not a terminal, on a line of its own; with `--quiet`, nowhere.
pub fn follow(
    bar: &ProgressBar,
    quiet: bool,
) -> impl Fn(prolific::Progress) + Send + Sync + 'static {
    let bar = bar.clone();
    move |progress| {
        // The total after de-duplication, which the bar could not know beforehand.
        bar.set_length(progress.ids_total as u64);
        bar.set_position(progress.ids_done as u64);
        let Some(wait) = progress.throttled else {
            bar.set_message("");
            return;
        };
        let note = format!(
            "throttled by Prolific, waiting {} s",
            wait.as_secs_f64().ceil()
        );
        if !bar.is_hidden() {
            bar.set_message(note);
        } else if !quiet {
            eprintln!("{note}");
        }
    }
}

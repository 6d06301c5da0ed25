//! The progress bar of bulk changes, on standard error when it is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar for a change of `ids` ids; hidden with `--quiet` or when standard error is not a
/// terminal (a pipe, a file, a CI log).
pub fn bar(ids: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} ids ({elapsed})")
        .expect("a valid template");
    ProgressBar::new(ids as u64).with_style(style)
}

/// The library's `.on_progress` callback, moving `bar` after each chunk.
pub fn follow(bar: &ProgressBar) -> impl Fn(prolific::Progress) + Send + Sync + 'static {
    let bar = bar.clone();
    move |progress| {
        // The total after de-duplication, which the bar could not know beforehand.
        bar.set_length(progress.ids_total as u64);
        bar.set_position(progress.ids_done as u64);
    }
}

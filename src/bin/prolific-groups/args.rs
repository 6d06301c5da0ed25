//! The command line: every command, its options and its help, as clap derives them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const ABOUT: &str = "\
Prolific's participant groups from the shell: list, create, change membership at any size, \
sync with a file, message.

The token is read from PROLIFIC_TOKEN (never from an argument); PROLIFIC_URL or --url names \
another server. Exit status: 0 on success, 1 for an error from Prolific or the network, 2 for \
a usage or input error (then nothing was sent).";

const IDS_HELP: &str = "\
Read participant ids from FILE (`-` for standard input): one id per line (blank lines and lines \
starting with # are ignored), or a CSV with a header row whose participant-id column is \
`participant_id`, `Participant id` (Prolific's exports) or `PROLIFIC_PID` (any case), or the \
one named by --column.";

/// The `after_help` of `add` and `remove`, which differ only in the verb.
macro_rules! change_help {
    ($verb:literal) => {
        concat!(
            "If a chunk fails, the command exits with 1 and says how many ids were applied; with \
             --failed-out FILE the others are written there, one per line, and the same command \
             with --ids FILE finishes the job.\n\nExample:\n  prolific-groups ",
            $verb,
            " 642ea7ff7639ab670b05a0b5 5e9b9c9b0f9c9a0001b0b1f4 5e9b9c9b0f9c9a0001b0b1f5\n  \
             prolific-groups ",
            $verb,
            " 642ea7ff7639ab670b05a0b5 --ids export.csv --failed-out failed.txt"
        )
    };
}

/// Prolific's participant groups from the shell.
#[derive(Debug, Parser)]
#[command(name = "prolific-groups", version, about, long_about = ABOUT, after_help = "\
Example:
  export PROLIFIC_TOKEN=...
  prolific-groups create --workspace 5e9b9c9b0f9c9a0001b1ca2f --name Pilot --ids export.csv
  prolific-groups list --workspace 5e9b9c9b0f9c9a0001b1ca2f")]
pub struct Cli {
    /// Prolific's address, without /api/v1 (default: $PROLIFIC_URL, else `https://api.prolific.com`)
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,

    /// Show no progress bar, nor the waits while Prolific throttles a change
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// What to do
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the groups of a workspace or a project (live ones unless --deleted or --all)
    #[command(after_help = "\
Example:
  prolific-groups list --workspace 5e9b9c9b0f9c9a0001b1ca2f
  prolific-groups list --workspace 5e9b9c9b0f9c9a0001b1ca2f --all --json")]
    List {
        /// Whose groups
        #[command(flatten)]
        scope: Scope,
        /// Only deleted groups
        #[arg(long, conflicts_with = "all")]
        deleted: bool,
        /// Live and deleted groups
        #[arg(long)]
        all: bool,
        /// Print a JSON array of groups
        #[arg(long)]
        json: bool,
    },

    /// Find the live group of a workspace with this name
    #[command(after_help = "\
Exits with 1 when no live group has the name, or when several do.

Example:
  prolific-groups find --workspace 5e9b9c9b0f9c9a0001b1ca2f 'Passed all attention checks'")]
    Find {
        /// The workspace to look in
        #[arg(long, value_name = "ID")]
        workspace: String,
        /// The group's name, exactly
        name: String,
        /// Print the group as JSON
        #[arg(long)]
        json: bool,
    },

    /// Create a group, with members from a file if given
    #[command(after_help = "\
Example:
  prolific-groups create --workspace 5e9b9c9b0f9c9a0001b1ca2f --name Pilot --ids export.csv
  prolific-groups create --workspace 5e9b9c9b0f9c9a0001b1ca2f --name Pilot --if-missing --json")]
    Create {
        /// Where the group lives
        #[command(flatten)]
        owner: OwnerArgs,
        /// The group's name
        #[arg(long)]
        name: String,
        /// A description of the group
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
        /// Its first members
        #[command(flatten)]
        ids: IdFile,
        /// Use the live group of the workspace with this name if there is one, instead of
        /// creating another (workspaces only; an existing group is left as it is)
        #[arg(long)]
        if_missing: bool,
        /// Print the group as JSON
        #[arg(long)]
        json: bool,
    },

    /// Show one group (deleted ones too)
    #[command(after_help = "\
Example:
  prolific-groups get 642ea7ff7639ab670b05a0b5 --json")]
    Get {
        /// The group's id
        group: String,
        /// Print the group as JSON, as the API gives it
        #[arg(long)]
        json: bool,
    },

    /// Rename a group
    #[command(after_help = "\
Example:
  prolific-groups rename 642ea7ff7639ab670b05a0b5 'Passed all attention checks'")]
    Rename {
        /// The group's id
        group: String,
        /// Its new name
        name: String,
    },

    /// Delete a group (Prolific keeps it, marked deleted: `list --deleted` shows it)
    #[command(after_help = "\
Example:
  prolific-groups delete 642ea7ff7639ab670b05a0b5")]
    Delete {
        /// The group's id
        group: String,
    },

    /// List the members of a group
    #[command(after_help = "\
Example:
  prolific-groups members 642ea7ff7639ab670b05a0b5 --csv > members.csv")]
    Members {
        /// The group's id
        group: String,
        /// Print a JSON array of memberships
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV: participant_id,datetime_created
        #[arg(long)]
        csv: bool,
    },

    /// Add participants to a group (those already in it are left as they are)
    #[command(after_help = change_help!("add"))]
    Add(Change),

    /// Remove participants from a group (those not in it are ignored)
    #[command(after_help = change_help!("remove"))]
    Remove(Change),

    /// Make a group's members exactly the ids of a file: add the missing, then remove the others
    #[command(after_help = "\
A sync that stops part way exits with 1; running the same sync again finishes it.

Example:
  prolific-groups sync 642ea7ff7639ab670b05a0b5 --ids export.csv --dry-run
  prolific-groups sync 642ea7ff7639ab670b05a0b5 --ids export.csv")]
    Sync(SyncArgs),

    /// Send a message to every member of a group
    #[command(after_help = "\
Example:
  prolific-groups message 642ea7ff7639ab670b05a0b5 --body 'A new study is open for you'")]
    Message {
        /// The group's id
        group: String,
        /// The message
        #[arg(long, value_name = "TEXT")]
        body: String,
        /// The study the message is about
        #[arg(long, value_name = "ID")]
        study: Option<String>,
    },
}

/// `--workspace` or `--project`: whose groups to list.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Scope {
    /// The groups of this workspace
    #[arg(long, value_name = "ID")]
    pub workspace: Option<String>,
    /// The groups of this project
    #[arg(long, value_name = "ID")]
    pub project: Option<String>,
}

/// `--workspace` or `--organisation`: where a new group lives.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct OwnerArgs {
    /// Create it in this workspace
    #[arg(long, value_name = "ID")]
    pub workspace: Option<String>,
    /// Create it in this organisation
    #[arg(long, value_name = "ID")]
    pub organisation: Option<String>,
}

/// `--ids FILE` and `--column NAME`.
#[derive(Debug, Args)]
pub struct IdFile {
    /// Read participant ids from FILE (`-` for standard input): one per line, or a CSV
    #[arg(long = "ids", value_name = "FILE", long_help = IDS_HELP)]
    pub file: Option<String>,
    /// The CSV column holding the ids (default: participant_id, Participant id or PROLIFIC_PID)
    #[arg(long, value_name = "NAME", requires = "file")]
    pub column: Option<String>,
}

/// What `add` and `remove` take.
#[derive(Debug, Args)]
pub struct Change {
    /// The group's id
    pub group: String,
    /// Participant ids (combined with those of --ids)
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// More ids
    #[command(flatten)]
    pub file: IdFile,
    /// If the change stops part way, write the ids not applied to FILE, one per line
    #[arg(long, value_name = "FILE")]
    pub failed_out: Option<PathBuf>,
    /// How many ids to send per request
    #[arg(long, value_name = "N", default_value_t = prolific::DEFAULT_CHUNK_SIZE)]
    pub chunk_size: usize,
}

/// What `sync` takes.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The group's id
    pub group: String,
    /// The file of ids the group must hold (`-` for standard input)
    #[arg(long = "ids", value_name = "FILE", long_help = IDS_HELP)]
    pub file: String,
    /// The CSV column holding the ids
    #[arg(long, value_name = "NAME")]
    pub column: Option<String>,
    /// Say what would change, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// How many ids to send per request
    #[arg(long, value_name = "N", default_value_t = prolific::DEFAULT_CHUNK_SIZE)]
    pub chunk_size: usize,
    /// Print {"added": [...], "removed": [...], "unchanged": N}
    #[arg(long)]
    pub json: bool,
}

impl OwnerArgs {
    /// The owner given: clap makes sure there is exactly one.
    pub fn owner(self) -> prolific::Owner {
        match (self.workspace, self.organisation) {
            (Some(id), _) => prolific::Owner::workspace(id),
            (None, id) => prolific::Owner::organisation(id.expect("clap requires an owner")),
        }
    }
}

impl Scope {
    /// The filter given: clap makes sure there is exactly one.
    pub fn filter(self) -> prolific::GroupFilter {
        match (self.workspace, self.project) {
            (Some(id), _) => prolific::GroupFilter::workspace(id),
            (None, id) => prolific::GroupFilter::project(id.expect("clap requires a scope")),
        }
    }
}

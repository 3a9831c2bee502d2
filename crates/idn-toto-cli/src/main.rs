//! `idn-toto`: the command-line face of the IDNPLAY Integration Services
//! API TOTO client.
//!
//! Live (sends requests; base URL from `--base-url` or `IDN_TOTO_BASE_URL`,
//! token from `IDN_TOTO_TOKEN` or `--token-file FILE`, never from argv):
//! - `idn-toto call ENDPOINT (--params JSON | --param key=value...)
//!   [--output table|json|csv] [--all-pages] [--yes] [--dry-run] [--journal JOURNAL]`
//! - `idn-toto batch TYPE FILE.csv [--output ...] [--yes] [--dry-run] [--journal JOURNAL]`
//! - `idn-toto journal settle JOURNAL`
//! - `idn-toto match --credits FILE --account BANK:NUMBER... [--format csv|moota]
//!   [--signature-secret-file F --signature HEX] [--max-auto-amount N] [--output ...]`
//!
//! Offline:
//! - `idn-toto endpoints`, `idn-toto request`, `idn-toto parse`,
//!   `idn-toto journal show [--json] JOURNAL`, `idn-toto journal export JOURNAL`.
//!
//! A JOURNAL is a JSON Lines file, `sqlite:PATH` (a SQLite file several
//! processes share) or a `postgres://` URL (the password from PGPASSWORD).
//!
//! Exit codes: see [`output::code`] and the README.

mod batch;
mod journal_spec;
mod live;
mod matcher;
mod offline;
mod output;
mod warnings;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "Exit codes: 0 ok; 1 other failure (writing the output); 2 usage \
(including a money move with no terminal to confirm on and no --yes, and a token on the \
command line: nothing sent); 3 invalid_request; 4 api; 5 http; 6 decode; 7 transport; \
8 outcome_unknown (a money move, batch item or settlement whose outcome is not known, or a \
settlement the journal could not record); \
9 a batch in which some items failed or were not sent (a key in use or in conflict included), \
or a match plan that holds a request or leaves a credit unclaimed (once its rows are checked, a \
batch prints its outcomes and exits 8 or 9 whatever fails later, a full journal \
included); 10 declined at the prompt (nothing sent); 11 key_in_use or key_conflict (a keyed \
call: nothing sent). Errors are the core's error JSON on stdout when stdout is piped, one line on stderr \
on a terminal.";

#[derive(Debug, Parser)]
#[command(
    name = "idn-toto",
    version,
    about = "Command-line tool for the IDNPLAY Integration Services API TOTO: live calls, \
             batches from CSV, journal settling; offline request building and parsing",
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Send one call and print its answer (asks before moving money).
    Call(CallArgs),
    /// Send accept/reject or manual items from a CSV file (header: the
    /// canonical parameter names, each once), at most 25 per request; one
    /// outcome per row, in order. The file is read twice (checked whole,
    /// then sent 25 rows at a time), so any size fits in flat memory.
    Batch(BatchArgs),
    /// List the 13 endpoints: id, method, path template, idempotent.
    Endpoints {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the request descriptor for an endpoint as JSON (offline).
    Request(RequestArgs),
    /// Parse a response body (FILE, or stdin) into canonical JSON (offline).
    Parse(ParseArgs),
    /// Read or settle a money-move journal (JSON Lines written by the
    /// clients and by `--journal`).
    #[command(subcommand)]
    Journal(JournalCommand),
    /// Plan the approval of pending deposits from bank credits (a CSV or a
    /// Moota webhook body): what to approve, what to hold and why, and the
    /// credits nothing may take. Prints the plan; approves nothing.
    Match(matcher::MatchArgs),
}

#[derive(Debug, Subcommand)]
enum JournalCommand {
    /// One row per money-moving item: what it was, its last state, and
    /// whether it is open (no definite state yet: settle it). Offline.
    Show {
        /// Print one JSON object per item instead of a table.
        #[arg(long)]
        json: bool,
        /// The journal: a JSON Lines file, `sqlite:PATH` or a `postgres://`
        /// URL.
        file: String,
    },
    /// Find out, with reads only, what happened to every move the journal
    /// leaves open, and append a `settled` line for each.
    Settle(SettleArgs),
    /// Write the journal's lines as JSON Lines to stdout (from any store:
    /// the format every tool reads and settles). Offline.
    Export {
        /// The journal: a JSON Lines file, `sqlite:PATH` or a `postgres://`
        /// URL.
        file: String,
    },
}

/// Where the API is and how to reach it (live commands).
#[derive(Debug, Args)]
struct LiveArgs {
    /// The agent's base URL, e.g. https://agent.example.com/home.php
    #[arg(long, env = "IDN_TOTO_BASE_URL")]
    base_url: String,
    /// Read the token from the first line of this file (default: the
    /// IDN_TOTO_TOKEN environment variable).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Refused: a token on the command line is readable by every user of
    /// the machine.
    #[arg(long, hide = true, num_args = 0..=1, value_name = "TOKEN")]
    token: Option<Option<String>>,
    /// How long one attempt may take, in milliseconds.
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    timeout_ms: u64,
    /// Send through this proxy (http://, https://, socks5://).
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Allow a plain http:// base URL to a host that is not loopback (the
    /// token travels in the URL path).
    #[arg(long)]
    allow_insecure_http: bool,
    /// The ambiguous path words as a JSON object (see `PathWords`).
    #[arg(long, value_name = "JSON")]
    path_words: Option<String>,
    /// How long settling waits before a read that could conclude
    /// `not_applied`, in milliseconds (default 5000).
    #[arg(long, value_name = "MS")]
    settle_delay_ms: Option<u64>,
    /// How long a keyed move's claim keeps other processes out of its key
    /// (default 300000: five minutes); after it, a crashed holder's move
    /// is settled, never sent again blindly.
    #[arg(long, value_name = "MS")]
    key_lease_ms: Option<u64>,
}

#[derive(Debug, Args)]
struct CallArgs {
    /// Endpoint id (see `idn-toto endpoints`).
    endpoint: String,
    /// Canonical parameters as a JSON object.
    #[arg(long, value_name = "JSON", conflicts_with = "param")]
    params: Option<String>,
    /// One canonical parameter (repeat for more).
    #[arg(long = "param", value_name = "KEY=VALUE")]
    param: Vec<String>,
    /// table (default on a terminal), json (default when piped: the
    /// canonical JSON), or csv (the rows).
    #[arg(long, value_enum)]
    output: Option<output::Output>,
    /// Every page of full_transaction or pga_transaction: the rows as JSON
    /// Lines (or CSV) as they come, a table at the end on a terminal.
    #[arg(long)]
    all_pages: bool,
    /// Send the money move under this operation key (needs --journal): it
    /// happens at most once per key on this server; a re-run sends nothing
    /// and prints the recorded answer.
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    #[command(flatten)]
    moves: MoveArgs,
    #[command(flatten)]
    live: LiveArgs,
}

#[derive(Debug, Args)]
struct BatchArgs {
    /// deposit or withdraw.
    r#type: String,
    /// The items: a CSV file whose header names the canonical parameters
    /// (trans_id,user,action,comment,operator or user,amount,comment,operator),
    /// and optionally `key`: each row's operation key (needs --journal).
    file: PathBuf,
    /// table (default on a terminal), json (default when piped) or csv.
    #[arg(long, value_enum)]
    output: Option<output::Output>,
    #[command(flatten)]
    moves: MoveArgs,
    #[command(flatten)]
    live: LiveArgs,
}

/// What `call` and `batch` take for money moves.
#[derive(Debug, Args)]
struct MoveArgs {
    /// Send money moves without asking.
    #[arg(long)]
    yes: bool,
    /// Print what would be sent (the request with the token redacted, or
    /// the batch's items) and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Journal every money move here, so an unknown outcome can be settled
    /// later (`idn-toto journal settle JOURNAL`): a JSON Lines file,
    /// `sqlite:PATH` (a SQLite file several processes share) or a
    /// `postgres://` URL (put the password in PGPASSWORD, not here).
    #[arg(long, value_name = "JOURNAL")]
    journal: Option<String>,
}

#[derive(Debug, Args)]
struct SettleArgs {
    /// The journal: a JSON Lines file, `sqlite:PATH` or a `postgres://`
    /// URL.
    file: String,
    /// table (default on a terminal), json (JSON Lines, default when
    /// piped) or csv.
    #[arg(long, value_enum)]
    output: Option<output::Output>,
    #[command(flatten)]
    live: LiveArgs,
}

#[derive(Debug, Args)]
struct RequestArgs {
    /// Endpoint id (see `idn-toto endpoints`).
    endpoint: String,
    /// The agent's base URL, e.g. https://agent.example.com/home.php
    #[arg(long)]
    base_url: String,
    /// The token (prefer --token-env: command lines end up in shell history).
    #[arg(
        long,
        conflicts_with = "token_env",
        required_unless_present = "token_env"
    )]
    token: Option<String>,
    /// Read the token from this environment variable.
    #[arg(long)]
    token_env: Option<String>,
    /// Canonical parameters as a JSON object.
    #[arg(long, default_value = "{}")]
    params: String,
    /// The ambiguous path words as a JSON object (see `PathWords`).
    #[arg(long)]
    path_words: Option<String>,
    /// Allow a plain http:// base URL to a host that is not loopback (the
    /// token travels in the URL path: anyone on the way can read it).
    #[arg(long)]
    allow_insecure_http: bool,
    /// Show the real URL instead of the redacted one.
    #[arg(long)]
    reveal_token: bool,
}

#[derive(Debug, Args)]
struct ParseArgs {
    /// Endpoint id (see `idn-toto endpoints`).
    endpoint: String,
    /// The HTTP status of the response.
    #[arg(long, default_value_t = 200)]
    status: u16,
    /// The largest body read, in bytes; a larger one is a decode error
    /// before any parsing (reading stops one byte after the limit).
    #[arg(long, default_value_t = idn_toto::DEFAULT_MAX_BODY_SIZE)]
    max_body_size: usize,
    /// The body file; stdin when absent.
    file: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    warnings::to_stderr();
    match cli.command {
        Command::Call(args) => live::call(args),
        Command::Batch(args) => batch::batch(args),
        Command::Endpoints { json } => offline::endpoints(json),
        Command::Request(args) => offline::request(args),
        Command::Parse(args) => offline::parse(args),
        Command::Journal(JournalCommand::Show { json, file }) => offline::journal_show(&file, json),
        Command::Journal(JournalCommand::Export { file }) => offline::journal_export(&file),
        Command::Journal(JournalCommand::Settle(args)) => live::settle(args),
        Command::Match(args) => matcher::run(args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}

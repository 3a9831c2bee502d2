//! `idn-toto`: the offline command-line face of the core.
//!
//! - `idn-toto endpoints`: the endpoint table.
//! - `idn-toto request <id> --base-url URL (--token T | --token-env VAR) [--params JSON]
//!   [--path-words JSON] [--allow-insecure-http] [--reveal-token]`
//! - `idn-toto parse <id> [--status N] [--max-body-size BYTES] [FILE]`
//! - `idn-toto journal show [--json] FILE`: a money-move journal, one row per
//!   item: what it was, its last state, whether it is still open.
//!
//! Exit codes: 0 success; 1 the core refused (invalid request, API refusal,
//! HTTP status, undecodable body: the error JSON is on stdout); 2 usage.

use std::io::IsTerminal;
use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use idn_toto::{
    dynamic, Client, EndpointId, Error, Journal, JournalEvent, JournalRecord, MoneyMove,
};
use serde_json::Value;

#[derive(Debug, Parser)]
#[command(
    name = "idn-toto",
    version,
    about = "Offline tool for the IDNPLAY Integration Services API TOTO: build requests, parse responses"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the 13 endpoints: id, method, path template, idempotent.
    Endpoints {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the request descriptor for an endpoint as JSON.
    Request(RequestArgs),
    /// Parse a response body (FILE, or stdin) into canonical JSON.
    Parse(ParseArgs),
    /// Read a money-move journal (JSON Lines written by the clients).
    #[command(subcommand)]
    Journal(JournalCommand),
}

#[derive(Debug, Subcommand)]
enum JournalCommand {
    /// One row per money-moving item: what it was, its last state, and
    /// whether it is open (no definite state yet: settle it).
    Show {
        /// Print one JSON object per item instead of a table.
        #[arg(long)]
        json: bool,
        /// The journal file.
        file: std::path::PathBuf,
    },
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
    file: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Endpoints { json } => endpoints(json),
        Command::Request(args) => request(args),
        Command::Parse(args) => parse(args),
        Command::Journal(JournalCommand::Show { json, file }) => journal_show(&file, json),
    }
}

/// What one journaled item was, in words.
fn describe(record: &JournalRecord) -> String {
    let p = &record.params;
    let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("?").to_owned();
    match record.money_move() {
        Ok(MoneyMove::AcceptReject { .. }) => format!(
            "{} {} {} of {}",
            text("action").to_ascii_lowercase(),
            text("type"),
            text("trans_id"),
            text("user")
        ),
        Ok(MoneyMove::Manual { amount, .. }) => {
            format!("manual {} {amount} for {}", text("type"), text("user"))
        }
        Err(_) => "(unreadable parameters)".into(),
    }
}

fn journal_show(file: &std::path::Path, json: bool) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => return usage(&format!("cannot read {}: {e}", file.display())),
    };
    let journal = match Journal::read(&text) {
        Ok(j) => j,
        Err(e) => return refused(&e),
    };
    let open: Vec<String> = journal.unsettled().into_iter().map(|o| o.id).collect();
    // The last word on each id, in the order of their first line.
    let mut rows: Vec<(String, &JournalRecord, &JournalRecord)> = Vec::new();
    for record in &journal.records {
        match rows.iter_mut().find(|(id, _, _)| *id == record.id) {
            Some(row) => row.2 = record,
            None => rows.push((record.id.clone(), record, record)),
        }
    }
    let mut out = std::io::stdout().lock();
    let mut lines = Vec::new();
    if !json {
        lines.push(format!(
            "{:<16} {:<21} {:<12} {:<5} {:<25} WHAT",
            "ID", "ENDPOINT", "STATE", "OPEN", "AT"
        ));
    }
    for (id, first, last) in &rows {
        let state = match (last.event, last.state.as_deref()) {
            (JournalEvent::Intent, _) => "intent",
            (_, Some(state)) => state,
            (_, None) => "?",
        };
        let is_open = open.contains(id);
        if json {
            lines.push(
                serde_json::json!({
                    "id": id,
                    "endpoint": first.endpoint.as_str(),
                    "what": describe(first),
                    "state": state,
                    "open": is_open,
                    "at": last.at,
                    "message": last.message,
                })
                .to_string(),
            );
        } else {
            lines.push(format!(
                "{:<16} {:<21} {:<12} {:<5} {:<25} {}",
                id,
                first.endpoint.as_str(),
                state,
                if is_open { "yes" } else { "no" },
                last.at,
                describe(first)
            ));
        }
    }
    if !json {
        lines.push(format!(
            "{} items, {} open{}",
            rows.len(),
            open.len(),
            if journal.torn_tail {
                " (a torn last line was ignored)"
            } else {
                ""
            }
        ));
    }
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

fn usage(message: &str) -> ExitCode {
    eprintln!("idn-toto: {message}");
    ExitCode::from(2)
}

fn print_json(v: &Value) -> ExitCode {
    let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{text}").is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn refused(e: &Error) -> ExitCode {
    print_json(&e.to_json());
    ExitCode::from(1)
}

fn endpoint_id(s: &str) -> Result<EndpointId, ExitCode> {
    s.parse::<EndpointId>().map_err(|e| usage(&e.to_string()))
}

fn endpoints(json: bool) -> ExitCode {
    if json {
        return print_json(&dynamic::endpoints_json());
    }
    let mut out = std::io::stdout().lock();
    let mut lines = vec![format!(
        "{:<22} {:<6} {:<10} PATH",
        "ID", "METHOD", "IDEMPOTENT"
    )];
    for e in &idn_toto::ENDPOINTS {
        lines.push(format!(
            "{:<22} {:<6} {:<10} {}",
            e.id.as_str(),
            e.method.as_str(),
            if e.idempotent { "yes" } else { "no" },
            e.path
        ));
    }
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

fn request(args: RequestArgs) -> ExitCode {
    let id = match endpoint_id(&args.endpoint) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let token = match (&args.token, &args.token_env) {
        (Some(t), _) => t.clone(),
        (None, Some(var)) => match std::env::var(var) {
            Ok(t) => t,
            Err(_) => return usage(&format!("environment variable {var} is not set")),
        },
        (None, None) => return usage("give --token or --token-env"),
    };
    let params: Value = match serde_json::from_str(&args.params) {
        Ok(v) => v,
        Err(e) => {
            return refused(&Error::InvalidRequest {
                field: "params".into(),
                reason: format!("not JSON: {e}"),
            })
        }
    };
    let path_words = match args
        .path_words
        .as_deref()
        .map(serde_json::from_str::<Value>)
    {
        None => Value::Null,
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            return refused(&Error::InvalidRequest {
                field: "path_words".into(),
                reason: format!("not JSON: {e}"),
            })
        }
    };
    let config = serde_json::json!({
        "base_url": args.base_url,
        "token": token,
        "path_words": path_words,
        "allow_insecure_http": args.allow_insecure_http,
    });
    let client = match Client::from_json(&config) {
        Ok(c) => c,
        Err(e) => return refused(&e),
    };
    match dynamic::build(&client, id, &params) {
        Ok(r) => print_json(&r.to_json(args.reveal_token)),
        Err(e) => refused(&e.redacted(&client)),
    }
}

fn parse(args: ParseArgs) -> ExitCode {
    let id = match endpoint_id(&args.endpoint) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let mut body = Vec::new();
    // One byte past the limit is enough to know the body is too large.
    let limit = u64::try_from(args.max_body_size)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let read = match &args.file {
        Some(path) => std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut body)),
        None => std::io::stdin().take(limit).read_to_end(&mut body),
    };
    if let Err(e) = read {
        return usage(&format!("cannot read the body: {e}"));
    }
    if let Err(e) = dynamic::check_body_size(id, &body, args.max_body_size) {
        return refused(&e);
    }
    // Piped: the canonical JSON written straight from the typed response
    // (no intermediate value: a large body costs a small multiple of its
    // size). On a terminal: the same, indented.
    match dynamic::parse_to_string(id, args.status, &body) {
        Ok(text) if !std::io::stdout().is_terminal() => {
            drop(body);
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{text}").is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Ok(text) => match serde_json::from_str::<Value>(&text) {
            Ok(v) => print_json(&v),
            Err(_) => print_json(&Value::String(text)),
        },
        Err(e) => refused(&e),
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

//! The offline commands: `endpoints`, `request`, `parse`, `journal show`.
//! No network.

use std::io::IsTerminal;
use std::io::{Read, Write};
use std::process::ExitCode;

use idn_toto::{dynamic, Client, Error, Journal, JournalEvent, JournalRecord};
use idn_toto_client::JournalStore;
use serde_json::Value;

use crate::output::{endpoint_id, print_json, refused, usage};
use crate::{ParseArgs, RequestArgs};

/// What one journaled item was, in words.
pub(crate) fn describe(record: &JournalRecord) -> String {
    // The move was read with the line: a line without one is not a record.
    record.money_move().to_string()
}

/// The journal a `journal` argument names: a JSON Lines file (read by the
/// core's rule, a line that is not UTF-8 named too), `sqlite:PATH` or a
/// `postgres://` URL. An error is printed, and its exit code returned.
fn read_journal(spec: &str) -> Result<Journal, ExitCode> {
    crate::journal_spec::warn_if_password(spec);
    let store = JournalStore::from_spec(spec).map_err(|e| refused(&e))?;
    if let JournalStore::File(file) = &store {
        let bytes = std::fs::read(file.path())
            .map_err(|e| usage(&format!("cannot read {}: {e}", file.path().display())))?;
        return Journal::read_bytes(&bytes).map_err(|e| refused(&e));
    }
    store.read().map_err(|e| refused(&e))
}

/// `idn-toto journal export JOURNAL`: the journal's lines as JSON Lines.
pub(crate) fn journal_export(spec: &str) -> ExitCode {
    let journal = match read_journal(spec) {
        Ok(j) => j,
        Err(code) => return code,
    };
    let text: String = journal.records.iter().map(JournalRecord::to_line).collect();
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage(&format!("cannot write the journal to stdout: {e}")),
    }
}

pub(crate) fn journal_show(spec: &str, json: bool) -> ExitCode {
    let journal = match read_journal(spec) {
        Ok(j) => j,
        Err(code) => return code,
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

pub(crate) fn endpoints(json: bool) -> ExitCode {
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

pub(crate) fn request(args: RequestArgs) -> ExitCode {
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

pub(crate) fn parse(args: ParseArgs) -> ExitCode {
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

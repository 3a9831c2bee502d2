//! The live commands: `call`, `batch`, `journal settle`. They send real
//! requests through `idn_toto_client::blocking::Client`; the core decides
//! everything, this only reads arguments, asks, and prints.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use idn_toto::{dynamic, Error, OperationKey, PathWords, Request, SettleState};
use idn_toto_client::blocking::Client;
use idn_toto_client::{JournalSettlement, JournalStore};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};

use crate::output::{self, code, endpoint_id, refused, usage, Output};
use crate::{CallArgs, LiveArgs, SettleArgs};

/// What a live command refuses before doing anything.
const TOKEN_ON_ARGV: &str = "a live call never takes the token on the command line (every user \
     of this machine can read a process's arguments): set IDN_TOTO_TOKEN, or give \
     --token-file FILE";

/// Ends a live command: its steps return `Err(code)` to stop early (the
/// message is already printed), `Ok(code)` when it ran to the end.
fn finish(run: Result<ExitCode, ExitCode>) -> ExitCode {
    run.unwrap_or_else(|code| code)
}

/// Goes on only when printing succeeded.
fn printed(code: ExitCode) -> Result<(), ExitCode> {
    if code == ExitCode::SUCCESS {
        Ok(())
    } else {
        Err(code)
    }
}

/// A token on the command line is refused before anything else.
pub(crate) fn no_token_on_argv(live: &LiveArgs) -> Result<(), ExitCode> {
    match live.token {
        Some(_) => Err(usage(TOKEN_ON_ARGV)),
        None => Ok(()),
    }
}

/// The token: `--token-file` (its first line), else `IDN_TOTO_TOKEN`.
fn token(live: &LiveArgs, required: bool) -> Result<Option<String>, ExitCode> {
    no_token_on_argv(live)?;
    if let Some(path) = &live.token_file {
        warn_if_shared(path);
        return match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(text.lines().next().unwrap_or("").trim().to_owned())),
            Err(e) => Err(usage(&format!(
                "cannot read the token file {}: {e}",
                path.display()
            ))),
        };
    }
    match std::env::var("IDN_TOTO_TOKEN") {
        Ok(t) => Ok(Some(t)),
        Err(_) if !required => Ok(None),
        Err(_) => Err(usage(
            "no token: set IDN_TOTO_TOKEN, or give --token-file FILE",
        )),
    }
}

/// A token file that the group or others may read is used, with a warning
/// on stderr (anyone who can read it can move money).
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o044 != 0 {
                eprintln!(
                    "idn-toto: warning: the token file {} is readable by {} (mode {mode:03o}): \
                     anyone who can read it can move money; `chmod 600 {}` makes it yours alone",
                    path.display(),
                    match (mode & 0o040 != 0, mode & 0o004 != 0) {
                        (true, true) => "its group and every user",
                        (true, false) => "its group",
                        _ => "every user",
                    },
                    path.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The client the live arguments describe. Without a token (a dry run
/// only), a stand-in that is redacted like any token.
pub(crate) fn client(
    live: &LiveArgs,
    journal: Option<&str>,
    dry_run: bool,
) -> Result<Client, ExitCode> {
    let token = token(live, !dry_run)?.unwrap_or_else(|| "TOKEN".into());
    let mut builder = Client::builder(&live.base_url, &token)
        .timeout(Duration::from_millis(live.timeout_ms.max(1)))
        .allow_insecure_http(live.allow_insecure_http);
    if let Some(words) = &live.path_words {
        let words = serde_json::from_str::<Value>(words)
            .map_err(|e| Error::InvalidRequest {
                field: "path_words".into(),
                reason: format!("not JSON: {e}"),
            })
            .and_then(|v| PathWords::from_json(&v));
        match words {
            Ok(w) => builder = builder.path_words(w),
            Err(e) => return Err(refused(&e)),
        }
    }
    if let Some(proxy) = &live.proxy {
        builder = builder.proxy(proxy);
    }
    if let Some(spec) = journal {
        crate::journal_spec::warn_if_password(spec);
        let store = JournalStore::from_spec(spec).map_err(|e| refused(&e))?;
        builder = builder.journal_store(store);
    }
    if let Some(ms) = live.settle_delay_ms {
        builder = builder.settle_delay(Duration::from_millis(ms));
    }
    if let Some(ms) = live.key_lease_ms {
        builder = builder.key_lease(Duration::from_millis(ms));
    }
    builder.build().map_err(|e| refused(&e))
}

/// `--params JSON`, or `--param key=value` pairs (values are strings).
fn params(args: &CallArgs) -> Result<Value, ExitCode> {
    if let Some(text) = &args.params {
        return serde_json::from_str(text).map_err(|e| {
            refused(&Error::InvalidRequest {
                field: "params".into(),
                reason: format!("not JSON: {e}"),
            })
        });
    }
    let mut map = Map::new();
    for pair in &args.param {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(usage(&format!("--param takes key=value, got {pair:?}")));
        };
        map.insert(k.trim().to_owned(), Value::String(v.to_owned()));
    }
    Ok(Value::Object(map))
}

/// Asks before money moves, showing `what` (made only when it is shown):
/// `--yes` skips it; with no terminal to ask on, nothing is sent.
pub(crate) fn confirm(what: impl FnOnce() -> String, yes: bool) -> Result<(), ExitCode> {
    if yes {
        return Ok(());
    }
    let what = what();
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(usage(&format!(
            "{what}\nthis moves money and there is no terminal to confirm on: nothing was sent \
             (give --yes to send without asking, or --dry-run to see the request)"
        )));
    }
    eprint!("{what}\nSend it? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return Err(usage("no answer read: nothing was sent"));
    }
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => {
            eprintln!("idn-toto: declined: nothing was sent");
            Err(ExitCode::from(code::DECLINED))
        }
    }
}

/// What a single money move will do, in words.
fn describe_request(request: &Request, params: &Value) -> String {
    let mut lines = vec![format!(
        "{} moves money: {} {}",
        request.endpoint(),
        request.method(),
        request.redacted_url()
    )];
    if let Some(map) = params.as_object() {
        for (k, v) in map {
            lines.push(format!("  {k}: {}", output::cell(v)));
        }
    }
    lines.join("\n")
}

/// `idn-toto call ENDPOINT ...`
pub(crate) fn call(args: CallArgs) -> ExitCode {
    finish(run_call(&args))
}

fn run_call(args: &CallArgs) -> Result<ExitCode, ExitCode> {
    no_token_on_argv(&args.live)?;
    let id = endpoint_id(&args.endpoint)?;
    if args.all_pages && id.info().next_page.is_none() {
        return Err(usage(&format!(
            "{id} is not paged: --all-pages is for full_transaction and pga_transaction"
        )));
    }
    let params = params(args)?;
    let key = match &args.key {
        Some(k) => Some(OperationKey::parse("key", k).map_err(|e| refused(&e))?),
        None => None,
    };
    if key.is_some() && id.info().idempotent {
        return Err(usage(&format!(
            "{id} moves no money: --key is for money moves"
        )));
    }
    if key.is_some() && args.moves.journal.is_none() {
        return Err(usage(
            "--key needs --journal: the journal (a file, sqlite:PATH or postgres://...) keeps the keys",
        ));
    }
    let client = client(
        &args.live,
        args.moves.journal.as_deref(),
        args.moves.dry_run,
    )?;
    // Invalid parameters are refused here, before anything is sent.
    let request = dynamic::build(client.core(), id, &params)
        .map_err(|e| refused(&e.redacted(client.core())))?;
    if args.moves.dry_run {
        return Ok(output::print_json(&request.to_json(false)));
    }
    if !request.is_idempotent() {
        confirm(|| describe_request(&request, &params), args.moves.yes)?;
    }
    let out = Output::or_default(args.output);
    if args.all_pages {
        return Ok(all_pages(&client, id, params, out));
    }
    let answer = match key {
        Some(key) => client.send_json_keyed(id, &params, key),
        None => client.send_json(id, &params),
    }
    .map_err(|e| refused(&e))?;
    if answer.get("replayed").and_then(Value::as_bool) == Some(true) {
        eprintln!(
            "idn-toto: not sent: the key {:?} was done before; this is the recorded answer",
            args.key.as_deref().unwrap_or_default()
        );
    }
    Ok(print_answer(&answer, out))
}

fn print_answer(answer: &Value, out: Output) -> ExitCode {
    match out {
        Output::Json if std::io::stdout().is_terminal() => output::print_json(answer),
        Output::Json => output::print_line(&answer.to_string()),
        Output::Table => output::print_line(&output::answer_table(answer)),
        Output::Csv => output::print_csv(output::answer_csv(answer)),
    }
}

/// Every page: rows as JSON Lines (or CSV) as they come, or one table at
/// the end; a progress bar on stderr when it is a terminal.
fn all_pages(client: &Client, id: idn_toto::EndpointId, first: Value, out: Output) -> ExitCode {
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{prefix} page {pos}/{len} {wide_bar} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(id.as_str());
        bar
    } else {
        ProgressBar::hidden()
    };
    let pages_iter = match client.pages_json(id, &first) {
        Ok(p) => p,
        Err(e) => return refused(&e),
    };
    let mut pages: u64 = 0;
    let mut table_rows: Vec<Value> = Vec::new();
    let mut columns: Option<Vec<String>> = None;
    let mut stdout = std::io::stdout().lock();
    for page in pages_iter {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                bar.abandon();
                return refused(&e);
            }
        };
        pages += 1;
        if let Some(total) = page.get("total_page").and_then(Value::as_u64) {
            bar.set_length(total.max(pages));
        }
        bar.set_position(pages);
        let rows = match page.get("data") {
            Some(Value::Array(rows)) => rows.clone(),
            _ => Vec::new(),
        };
        bar.set_message(format!("{} rows", rows.len()));
        let written = match out {
            Output::Json => rows.iter().try_for_each(|r| writeln!(stdout, "{r}")),
            Output::Csv => {
                // The columns of the first page; every page has the same.
                let header = columns.is_none();
                let cols = columns
                    .get_or_insert_with(|| output::rows_of(&rows).0)
                    .clone();
                let lines: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        cols.iter()
                            .map(|c| r.get(c).map(output::cell).unwrap_or_default())
                            .collect()
                    })
                    .collect();
                match output::csv_text(&cols, &lines) {
                    Ok(text) => {
                        let body = if header {
                            text.as_str()
                        } else {
                            text.split_once('\n').map_or("", |(_, rest)| rest)
                        };
                        write!(stdout, "{body}")
                    }
                    Err(e) => return usage(&format!("cannot write CSV: {e}")),
                }
            }
            Output::Table => {
                table_rows.extend(rows);
                Ok(())
            }
        };
        if written.is_err() {
            return ExitCode::from(code::OTHER);
        }
    }
    bar.finish_and_clear();
    if out == Output::Table {
        let (cols, rows) = output::rows_of(&table_rows);
        let text = if rows.is_empty() {
            "(no rows)".to_owned()
        } else {
            output::table(&cols, &rows)
        };
        if writeln!(stdout, "{text}\n{} rows, {pages} pages", rows.len()).is_err() {
            return ExitCode::from(code::OTHER);
        }
    }
    ExitCode::SUCCESS
}

/// `idn-toto journal settle FILE`
pub(crate) fn settle(args: SettleArgs) -> ExitCode {
    finish(run_settle(&args))
}

fn run_settle(args: &SettleArgs) -> Result<ExitCode, ExitCode> {
    no_token_on_argv(&args.live)?;
    crate::journal_spec::warn_if_password(&args.file);
    let store = JournalStore::from_spec(&args.file).map_err(|e| refused(&e))?;
    if let JournalStore::File(file) = &store {
        if !file.path().exists() {
            return Err(usage(&format!("no journal at {}", file.path().display())));
        }
    }
    let label = store.describe();
    let client = client(&args.live, None, false)?;
    // The journal is opened for appending (and checked) before anything is
    // read from the server: one that can't be written refuses here.
    let settled = client.settle_store(store).map_err(|e| refused(&e))?;
    printed(print_settled(&settled, Output::or_default(args.output)))?;
    let unrecorded = settled.iter().filter(|s| !s.recorded).count();
    if unrecorded > 0 {
        eprintln!(
            "idn-toto: {unrecorded} of {} settlements could not be written to {}: the journal \
             still shows those moves open; run `idn-toto journal settle` again once it can be \
             written",
            settled.len(),
            label
        );
    }
    // A move the journal still leaves open (undetermined, or its line
    // lost) is not success.
    if unrecorded > 0
        || settled
            .iter()
            .any(|s| s.settlement.state == SettleState::Undetermined)
    {
        return Ok(ExitCode::from(code::OUTCOME_UNKNOWN));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_settled(settled: &[JournalSettlement], out: Output) -> ExitCode {
    let columns: Vec<String> = ["id", "what", "state", "reason"]
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    let rows: Vec<Vec<String>> = settled
        .iter()
        .map(|s| {
            vec![
                s.open.id.clone(),
                crate::offline::describe(&s.open.intent),
                s.settlement.state.as_str().to_owned(),
                s.settlement.reason.clone(),
            ]
        })
        .collect();
    match out {
        Output::Table if rows.is_empty() => {
            output::print_line("nothing open: every move in the journal is settled")
        }
        Output::Table => output::print_line(&format!(
            "{}\n{} settled",
            output::table(&columns, &rows),
            rows.len()
        )),
        Output::Csv => output::print_csv(output::csv_text(&columns, &rows)),
        Output::Json => {
            let mut stdout = std::io::stdout().lock();
            for s in settled {
                let line = serde_json::json!({
                    "id": s.open.id,
                    "endpoint": s.open.intent.endpoint.as_str(),
                    "params": s.open.intent.params,
                    "settlement": s.settlement.to_json(),
                    "recorded": s.recorded,
                });
                if writeln!(stdout, "{line}").is_err() {
                    return ExitCode::from(code::OTHER);
                }
            }
            ExitCode::SUCCESS
        }
    }
}

//! The live commands (`call`, `batch`, `journal settle`), run as a user
//! would, against the sandbox on 127.0.0.1 port 0.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::*;
use idn_toto::{EndpointId, JournalRecord};
use idn_toto_sandbox::Sandbox;
use serde_json::{json, Value};

const ACCEPT: &str = r#"{"type":"deposit","trans_id":"123450001","user":"IPSUM","action":"accept","comment":"cli","operator":"OP01"}"#;

#[test]
fn call_user_balance_prints_json_piped_and_a_table_or_csv_on_request() {
    let sandbox = sandbox();
    let out = run(&sandbox, &["call", "user_balance", "--param", "user=LOREM"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["balance"], "8900.00");
    assert_eq!(stdout(&out).lines().count(), 1, "compact when piped");

    let out = run(
        &sandbox,
        &[
            "call",
            "user_balance",
            "--params",
            r#"{"user":"LOREM"}"#,
            "--output",
            "table",
        ],
    );
    assert!(stdout(&out).contains("8900.00") && stdout(&out).contains("balance"));
    let out = run(
        &sandbox,
        &[
            "call",
            "transaction_list",
            "--param",
            "type=deposit",
            "--output",
            "csv",
        ],
    );
    let text = stdout(&out);
    let mut lines = text.lines();
    assert!(
        lines.next().unwrap().contains("trans") || text.contains("id,"),
        "{text}"
    );
    assert!(text.contains("123450001"), "{text}");
}

#[test]
fn errors_exit_with_their_kinds_code_and_print_the_error_json() {
    let sandbox = sandbox();
    let out = run(
        &sandbox,
        &["call", "user_balance", "--param", "user=NOBODY"],
    );
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(json(&out)["error"]["kind"], "api");

    let n = served(&sandbox);
    let out = run(&sandbox, &["call", "user_balance", "--param", "user=a/b"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(json(&out)["error"]["field"], "user");
    let out = run(&sandbox, &["call", "user_balance", "--param", "nobody"]);
    assert_eq!(out.status.code(), Some(2), "not key=value");
    assert_eq!(served(&sandbox), n, "nothing sent for bad input");

    let mut cmd = Command::new(BIN);
    let out = cmd
        .args([
            "call",
            "game_list",
            "--base-url",
            "http://127.0.0.1:9/home.php",
        ])
        .env("IDN_TOTO_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert_eq!(json(&out)["error"]["kind"], "transport");
    assert!(!stdout(&out).contains(TOKEN));

    let out = run(&sandbox, &["call", "bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(
        &sandbox,
        &[
            "call",
            "user_balance",
            "--param",
            "user=LOREM",
            "--all-pages",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "not paged");
}

#[test]
fn the_token_never_comes_from_the_command_line() {
    let sandbox = sandbox();
    let n = served(&sandbox);
    for args in [
        &[
            "call",
            "user_balance",
            "--param",
            "user=LOREM",
            "--token",
            TOKEN,
        ][..],
        &[
            "call",
            "user_balance",
            "--param",
            "user=LOREM",
            &format!("--token={TOKEN}"),
        ],
        &["batch", "deposit", "x.csv", "--token", TOKEN],
    ] {
        let out = run(&sandbox, args);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("never takes the token"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(served(&sandbox), n);

    // No token at all: a usage error naming where to put it.
    let out = run_with(
        &sandbox,
        &["call", "user_balance", "--param", "user=LOREM"],
        false,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("IDN_TOTO_TOKEN"));

    // From a file (its first line).
    let file_dir = tempfile::tempdir().unwrap();
    let file = file_dir.path().join("token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    let out = run_with(
        &sandbox,
        &[
            "call",
            "user_balance",
            "--param",
            "user=LOREM",
            "--token-file",
            path(&file),
        ],
        false,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn money_moves_are_confirmed_or_refused_and_dry_runs_send_nothing() {
    let sandbox = sandbox();
    let n = served(&sandbox);
    // No terminal, no --yes: refused, nothing sent.
    let out = run(&sandbox, &["call", "accept_reject", "--params", ACCEPT]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nothing was sent"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("/***/push_dps/123450001"),
        "shows what it would do"
    );
    // A dry run prints the redacted request.
    let out = run(
        &sandbox,
        &["call", "accept_reject", "--params", ACCEPT, "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(0));
    let request = json(&out);
    assert_eq!(request["idempotent"], false);
    assert!(request["url"]
        .as_str()
        .unwrap()
        .contains("/***/push_dps/123450001/IPSUM/ACCEPT"));
    assert_eq!(served(&sandbox), n, "nothing sent");
    // A dry run needs no token.
    let out = run_with(
        &sandbox,
        &["call", "accept_reject", "--params", ACCEPT, "--dry-run"],
        false,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let journal_dir = tempfile::tempdir().unwrap();

    let journal = journal_dir.path().join("call.jsonl");
    let out = run(
        &sandbox,
        &[
            "call",
            "accept_reject",
            "--params",
            ACCEPT,
            "--yes",
            "--journal",
            path(&journal),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        json(&out)["message"],
        "Transaction has been successfully processed."
    );
    assert_eq!(served(&sandbox), n + 1, "sent once");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(text.lines().count(), 2, "intent and outcome: {text}");
    assert!(text.contains("\"succeeded\""));
    // Again: the server refuses it.
    let out = run(
        &sandbox,
        &["call", "accept_reject", "--params", ACCEPT, "--yes"],
    );
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(json(&out)["error"]["api_kind"], "transaction_not_found");
}

#[test]
fn all_pages_streams_every_row_as_json_lines() {
    let sandbox = sandbox();
    let report = [
        "call",
        "full_transaction",
        "--param",
        "user=LOREMS",
        "--param",
        "date=2024-05-17",
    ];
    let first = json(&run(&sandbox, &report));
    let total = first["total_data"].as_u64().unwrap();
    assert!(first["total_page"].as_u64().unwrap() > 1, "several pages");
    let out = run(&sandbox, &[&report[..], &["--all-pages"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len() as u64, total);
    assert!(rows.iter().all(|r| r["user"] == "LOREMS"));
    assert!(
        stderr(&out).is_empty(),
        "no progress bar off a terminal: {}",
        stderr(&out)
    );

    let out = run(
        &sandbox,
        &[
            "call",
            "pga_transaction",
            "--params",
            r#"{"start_date":"2024-03-01","end_date":"2024-03-31"}"#,
            "--all-pages",
            "--output",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let header = text.lines().next().unwrap();
    assert!(header.contains("id_invoice"), "{header}");
    assert_eq!(
        text.lines().filter(|l| *l == header).count(),
        1,
        "one header"
    );
    let mut ids: Vec<&str> = text.lines().skip(1).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "no row twice");
    assert!(n > 1);
}

#[test]
fn batches_give_one_outcome_per_row_in_order() {
    let sandbox = sandbox();
    let csv_dir = tempfile::tempdir().unwrap();
    let csv = csv_dir.path().join("accept.csv");
    std::fs::write(
        &csv,
        "trans_id,user,action,comment,operator\n\
         123450001,IPSUM,accept,cli batch,OP01\n\
         123450001,IPSUM,accept,cli batch again,OP01\n\
         123450002,andi88,reject,cli batch,OP01\n",
    )
    .unwrap();
    let n = served(&sandbox);
    // The same transaction twice is refused before anything is sent.
    let out = run(&sandbox, &["batch", "deposit", path(&csv), "--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert_eq!(served(&sandbox), n);

    std::fs::write(
        &csv,
        "trans_id,user,action,comment,operator\n\
         123450001,IPSUM,accept,cli batch,OP01\n\
         999999999,IPSUM,accept,cli batch,OP01\n\
         123450002,andi88,reject,cli batch,OP01\n",
    )
    .unwrap();
    let out = run(&sandbox, &["batch", "deposit", path(&csv)]);
    assert_eq!(out.status.code(), Some(2), "no terminal, no --yes");
    let out = run(&sandbox, &["batch", "deposit", path(&csv), "--dry-run"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["items"].as_array().unwrap().len(), 3);
    assert_eq!(json(&out)["requests"], 1);
    assert_eq!(served(&sandbox), n, "nothing sent");
    let out = run(&sandbox, &["batch", "deposit", path(&csv), "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(9),
        "one row failed: {}",
        stderr(&out)
    );
    let outcomes = json(&out);
    let statuses: Vec<&str> = outcomes
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["succeeded", "failed", "succeeded"]);
    assert_eq!(served(&sandbox), n + 1, "one request");

    // Manual rows, journaled, as CSV.
    let journal_dir = tempfile::tempdir().unwrap();
    let journal = journal_dir.path().join("batch.jsonl");
    std::fs::write(
        &csv,
        "user,amount,comment,operator\nDOLER,1.25,a,OP01\nDOLER,2.50,b,OP01\n",
    )
    .unwrap();
    let out = run(
        &sandbox,
        &[
            "batch",
            "withdraw",
            path(&csv),
            "--yes",
            "--journal",
            path(&journal),
            "--output",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        text.lines().next(),
        Some("row,status,trans_id,user,amount,message")
    );
    assert!(
        text.lines()
            .nth(2)
            .unwrap()
            .starts_with("2,succeeded,,DOLER,2.50"),
        "{text}"
    );
    let lines = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(lines.lines().count(), 4, "two intents, two outcomes");

    // A header that is not a parameter name: refused, naming it.
    std::fs::write(
        &csv,
        "user,amount,comment,operator,colour\nDOLER,1,a,OP01,red\n",
    )
    .unwrap();
    let out = run(&sandbox, &["batch", "deposit", path(&csv), "--yes"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("colour"));
}

#[test]
fn journal_settle_finds_out_what_happened_and_closes_the_moves() {
    let sandbox = sandbox();
    // Two intents whose answers were lost: one the server processed, one it
    // never received.
    let journal_dir = tempfile::tempdir().unwrap();
    let journal = journal_dir.path().join("settle.jsonl");
    let out = run(
        &sandbox,
        &["call", "accept_reject", "--params", ACCEPT, "--yes"],
    );
    assert_eq!(out.status.code(), Some(0));
    let lines = two_open_moves();
    std::fs::write(&journal, lines).unwrap();
    let out = run(
        &sandbox,
        &[
            "journal",
            "settle",
            path(&journal),
            "--settle-delay-ms",
            "0",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let states: Vec<(String, String)> = stdout(&out)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_owned(),
                v["settlement"]["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("a1".into(), "applied".into()),
            ("a2".into(), "not_applied".into())
        ]
    );
    // Nothing open any more; settling again has nothing to do.
    let show = run(&sandbox, &["journal", "show", "--json", path(&journal)]);
    assert!(
        stdout(&show).lines().all(|l| l.contains("\"open\":false")),
        "{}",
        stdout(&show)
    );
    let again = run(
        &sandbox,
        &["journal", "settle", path(&journal), "--output", "table"],
    );
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout(&again).contains("nothing open"));
    let missing = run(&sandbox, &["journal", "settle", "/nonexistent/j.jsonl"]);
    assert_eq!(missing.status.code(), Some(2));
}

/// Issue 22, item 3: `--journal sqlite:PATH` is a journal like the file:
/// money moves write their lines to it, `journal show`, `journal settle`
/// and `journal export` work on it, and what it exports is the JSON Lines
/// journal every tool reads.
#[test]
fn a_sqlite_journal_is_written_shown_settled_and_exported() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("moves.sqlite");
    let spec = format!("sqlite:{}", path(&db));
    // The same two lost answers as the file test, in the store.
    let out = run(
        &sandbox,
        &["call", "accept_reject", "--params", ACCEPT, "--yes"],
    );
    assert_eq!(out.status.code(), Some(0));
    let store = idn_toto_client::SqliteStore::open(&db).unwrap();
    let lines: Vec<String> = two_open_moves().lines().map(|l| format!("{l}\n")).collect();
    store.append_lines(&lines).unwrap();
    drop(store);
    let show = run(&sandbox, &["journal", "show", "--json", &spec]);
    assert_eq!(show.status.code(), Some(0), "{}", stderr(&show));
    assert_eq!(
        stdout(&show).matches("\"open\":true").count(),
        2,
        "{}",
        stdout(&show)
    );
    let settled = run(
        &sandbox,
        &["journal", "settle", &spec, "--settle-delay-ms", "0"],
    );
    assert_eq!(settled.status.code(), Some(0), "{}", stderr(&settled));
    let states: Vec<String> = stdout(&settled)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["settlement"]["state"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(states, ["applied", "not_applied"]);
    // A money move journaled to the store: its intent and its outcome.
    let manual =
        r#"{"type":"deposit","user":"LOREM","amount":"10","comment":"cli","operator":"OP01"}"#;
    let out = run(
        &sandbox,
        &[
            "call",
            "manual_transaction",
            "--params",
            manual,
            "--yes",
            "--journal",
            &spec,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let export = run(&sandbox, &["journal", "export", &spec]);
    assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
    let journal = idn_toto::Journal::read(&stdout(&export)).unwrap();
    let events: Vec<String> = journal
        .records
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r.id.len().min(2),
                r.state.as_deref().unwrap_or("intent")
            )
        })
        .collect();
    assert_eq!(events.len(), 6, "{events:?}");
    assert!(journal.unsettled().is_empty(), "nothing open");
    let last = journal.records.last().unwrap();
    assert_eq!(
        (last.endpoint, last.state.as_deref()),
        (EndpointId::ManualTransaction, Some("succeeded"))
    );
    assert!(!stdout(&export).contains(sandbox.token()));
    // Nothing open any more.
    let again = run(&sandbox, &["journal", "settle", &spec, "--output", "table"]);
    assert!(
        stdout(&again).contains("nothing open"),
        "{}",
        stdout(&again)
    );
    // A store this build can't reach is refused before anything is read.
    let bad = run(
        &sandbox,
        &["journal", "show", "postgres://nobody@127.0.0.1:1/none"],
    );
    assert_eq!(bad.status.code(), Some(3), "{}", stderr(&bad));
}

/// Two accept intents whose answers were lost (one the sandbox processed,
/// `a1`, one it never received, `a2`), as journal lines.
fn two_open_moves() -> String {
    [
        ("a1", "123450001", "IPSUM"),
        ("a2", "123450002", "andi88"),
    ]
    .iter()
    .map(|(id, tx, user)| {
        JournalRecord::intent(
            id,
            EndpointId::AcceptReject,
            json!({"type":"deposit","trans_id":tx,"user":user,"action":"accept","comment":"c","operator":"OP01"}),
            None,
            "2026-11-30T12:00:00.000Z",
        )
        .unwrap()
        .to_line()
    })
    .collect()
}

/// A file no one may write to while it lives: `chmod 0444`, and where
/// that does not stop this process (root, as in the CI container),
/// `chattr +i` (ext4, xfs, btrfs). `None` when neither works here.
#[cfg(unix)]
struct ReadOnly(std::path::PathBuf, bool);

#[cfg(unix)]
impl ReadOnly {
    fn make(path: &Path) -> Option<ReadOnly> {
        use std::os::unix::fs::PermissionsExt;
        let writable = |p: &Path| std::fs::OpenOptions::new().append(true).open(p).is_ok();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).unwrap();
        if !writable(path) {
            return Some(ReadOnly(path.to_owned(), false));
        }
        let immutable = Command::new("chattr")
            .arg("+i")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success());
        let guard = ReadOnly(path.to_owned(), immutable);
        if writable(path) {
            eprintln!(
                "skipped: {} stays writable here (root without chattr)",
                path.display()
            );
            return None;
        }
        Some(guard)
    }
}

#[cfg(unix)]
impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        }
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o644));
    }
}

/// Issue 20, J3: a journal that can be read but not written is refused
/// before anything is read from the server (exit 3), never settled
/// without its lines.
#[cfg(unix)]
#[test]
fn journal_settle_refuses_a_journal_it_cannot_write_before_any_read() {
    let sandbox = sandbox();
    let journal_dir = tempfile::tempdir().unwrap();
    let journal = journal_dir.path().join("read-only.jsonl");
    std::fs::write(&journal, two_open_moves()).unwrap();
    let Some(_read_only) = ReadOnly::make(&journal) else {
        return;
    };
    let before = served(&sandbox);
    let out = run(
        &sandbox,
        &[
            "journal",
            "settle",
            path(&journal),
            "--settle-delay-ms",
            "0",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let e = json(&out);
    assert_eq!(e["error"]["field"], "journal", "{e}");
    assert_eq!(served(&sandbox), before, "nothing read from the server");
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), two_open_moves());
}

/// Issue 20, J3: the journal fills up while `journal settle` writes its
/// lines (`ulimit -f`: a real short write): the verdicts are printed, each
/// marked not recorded, and the exit code is not success; once there is
/// room, settling again cuts the fragment and records them.
#[cfg(target_os = "linux")]
#[test]
fn journal_settle_says_so_when_its_lines_cannot_be_written() {
    let sandbox = sandbox();
    let journal_dir = tempfile::tempdir().unwrap();
    let journal = journal_dir.path().join("full.jsonl");
    // Padded with a blank line so the file ends 60 bytes before a
    // 512-byte block: `ulimit -f` (in blocks) then stops the first
    // `settled` line after 60 bytes.
    let mut text = two_open_moves();
    let pad = (512 - (text.len() + 60) % 512) % 512;
    assert!(pad >= 1);
    text.push_str(&" ".repeat(pad - 1));
    text.push('\n');
    std::fs::write(&journal, &text).unwrap();
    let blocks = (text.len() + 60) / 512;
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$@\""))
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_idn-toto"))
        .args([
            "journal",
            "settle",
            path(&journal),
            "--settle-delay-ms",
            "0",
        ])
        .env("IDN_TOTO_BASE_URL", sandbox.base_url())
        .env("IDN_TOTO_TOKEN", sandbox.token())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(8),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("could not be written"),
        "{}",
        stderr(&out)
    );
    let printed: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(printed.len(), 2, "both verdicts printed");
    assert!(
        printed.iter().all(|v| v["recorded"] == false),
        "{printed:?}"
    );
    assert!(
        printed.iter().all(|v| v["settlement"]["state"].is_string()),
        "{printed:?}"
    );
    // Room again: the fragment is cut, the lines recorded (whatever the
    // verdicts, exit 0 or 8).
    let again = run(
        &sandbox,
        &[
            "journal",
            "settle",
            path(&journal),
            "--settle-delay-ms",
            "0",
        ],
    );
    assert!(
        matches!(again.status.code(), Some(0 | 8)),
        "{}",
        stderr(&again)
    );
    assert!(
        stdout(&again)
            .lines()
            .all(|l| l.contains("\"recorded\":true")),
        "{}",
        stdout(&again)
    );
    let read = idn_toto::Journal::read(&std::fs::read_to_string(&journal).unwrap()).unwrap();
    assert_eq!(read.records.len(), 4, "two intents, two settled lines");
    assert!(!read.torn_tail);
}

/// Runs `idn-toto` on a pseudo terminal (util-linux `script`), typing
/// `input` at it.
fn run_on_terminal(sandbox: &Sandbox, args: &str, input: &str) -> Output {
    use std::io::Write;
    let bin = BIN;
    let mut child = Command::new("script")
        .args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .env("IDN_TOTO_BASE_URL", sandbox.base_url())
        .env("IDN_TOTO_TOKEN", sandbox.token())
        .env("COLUMNS", "120")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs the CLI on a pseudo terminal");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!stdout(&out).contains(TOKEN), "the token was printed");
    out
}

#[test]
fn a_terminal_is_asked_before_money_moves() {
    let sandbox = sandbox();
    let args = format!("call accept_reject --params '{ACCEPT}'");
    let n = served(&sandbox);
    let out = run_on_terminal(&sandbox, &args, "n\n");
    assert_eq!(out.status.code(), Some(10), "{}", stdout(&out));
    let screen = stdout(&out);
    assert!(screen.contains("Send it? [y/N]"), "{screen}");
    assert!(screen.contains("declined: nothing was sent"), "{screen}");
    assert_eq!(served(&sandbox), n, "declined: nothing sent");

    let out = run_on_terminal(&sandbox, &args, "y\n");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let screen = stdout(&out);
    assert!(
        screen.contains("Transaction has been successfully processed."),
        "{screen}"
    );
    assert!(
        screen.contains("│ message"),
        "a table on a terminal: {screen}"
    );
    assert_eq!(served(&sandbox), n + 1);

    // On a terminal an error is one readable line, not JSON.
    let out = run_on_terminal(&sandbox, "call user_balance --param user=NOBODY", "");
    assert_eq!(out.status.code(), Some(4));
    let screen = stdout(&out);
    assert!(
        screen.contains("idn-toto: api refused the request (user_not_found)"),
        "{screen}"
    );
    assert!(!screen.contains("\"error\""), "{screen}");
}

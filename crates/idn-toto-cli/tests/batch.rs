//! `idn-toto batch` as an operator uses it, against the sandbox on
//! 127.0.0.1 port 0: what a full disk, a bad header, a user who doesn't
//! exist, a hostile cell, a file of any size and a shared token file do
//! (issue 20, C1-C6).
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::*;
use idn_toto_sandbox::{Config, Sandbox, Seed};
use serde_json::Value;

/// A CSV of `n` manual rows of 1.00, alternating IPSUM and LOREM.
fn bonus_csv(dir: &Path, n: usize) -> std::path::PathBuf {
    let file = dir.join(format!("bonus{n}.csv"));
    let mut text = String::from("user,amount,comment,operator\n");
    for i in 0..n {
        let user = if i % 2 == 0 { "IPSUM" } else { "LOREM" };
        text.push_str(&format!("{user},1.00,bonus {i},OP01\n"));
    }
    std::fs::write(&file, text).unwrap();
    file
}

fn statuses(outcomes: &Value) -> Vec<String> {
    outcomes
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap().to_owned())
        .collect()
}

fn repeat(status: &str, n: usize) -> Vec<String> {
    vec![status.to_owned(); n]
}

/// Byte offsets in a journal after its first `lines` lines.
fn offset_after(journal: &str, lines: usize) -> u64 {
    journal
        .split_inclusive('\n')
        .take(lines)
        .map(|l| l.len() as u64)
        .sum()
}

/// C1. The journal fills up after the first request of a batch of 30. The
/// file size limit (`RLIMIT_FSIZE`, set by util-linux `prlimit` on the CLI
/// alone) is what a full disk looks like to a writer: a write past it fails
/// (`EFBIG`, after a short write), with no root, no mount and nothing else
/// on the machine affected. `SIGXFSZ`, which would kill the writer, is
/// ignored by the shell first (an ignored signal stays ignored across
/// `exec`). The limit is placed from a first run with room: after the
/// first request's 25 intents, halfway through its 25 outcome lines.
#[test]
fn a_journal_that_fills_up_after_the_first_request_still_prints_every_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let csv = bonus_csv(dir.path(), 30);

    let roomy = sandbox();
    let journal = dir.path().join("roomy.jsonl");
    let out = run(
        &roomy,
        &[
            "batch",
            "deposit",
            path(&csv),
            "--yes",
            "--journal",
            path(&journal),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(text.lines().count(), 60, "30 intents, 30 outcomes: {text}");
    assert!(text.lines().take(25).all(|l| l.contains("\"intent\"")));
    assert!(text
        .lines()
        .skip(25)
        .take(25)
        .all(|l| l.contains("\"outcome\"")));
    let intents = offset_after(&text, 25);
    let limit = (intents + offset_after(&text, 50)) / 2;

    let sandbox = sandbox();
    let (ipsum, lorem) = (cents(&sandbox, "IPSUM"), cents(&sandbox, "LOREM"));
    let n = served(&sandbox);
    let journal = dir.path().join("full.jsonl");
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "trap '' XFSZ; exec prlimit --fsize=\"$LIMIT\" -- \"$0\" \"$@\"",
        BIN,
        "batch",
        "deposit",
        path(&csv),
        "--yes",
        "--journal",
        path(&journal),
    ])
    .env("LIMIT", limit.to_string());
    let out = run_command(&sandbox, cmd, true);
    assert_eq!(
        out.status.code(),
        Some(9),
        "some rows were sent, some not: {}",
        stderr(&out)
    );
    let outcomes = json(&out);
    let want = [repeat("succeeded", 25), repeat("not_sent", 5)].concat();
    assert_eq!(statuses(&outcomes), want, "{}", stderr(&out));
    let unsent = &outcomes.as_array().unwrap()[25];
    assert_eq!(unsent["index"], 25);
    assert!(
        unsent["message"]
            .as_str()
            .unwrap()
            .contains("the journal could not be written"),
        "{unsent}"
    );
    // Credited once each, the 25 sent; the 5 others never left.
    assert_eq!(cents(&sandbox, "IPSUM") - ipsum, 13 * 100);
    assert_eq!(cents(&sandbox, "LOREM") - lorem, 12 * 100);
    assert_eq!(
        served(&sandbox) - n,
        5,
        "the first 25 rows: two history reads and their request; the last 5: \
         two history reads (their intents then could not be written)"
    );
    let err = stderr(&out);
    assert!(
        err.contains("warning: journal lines could not be written"),
        "the lost outcome lines are reported: {err}"
    );
    assert!(
        err.contains("30 rows: 25 succeeded, 0 failed, 0 unknown, 5 not sent"),
        "{err}"
    );
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), limit);
}

/// C2. A header that names a column twice, or a column that is no item
/// field, is refused before anything is sent, naming the column.
#[test]
fn a_header_naming_a_column_twice_or_an_unknown_column_sends_nothing() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("header.csv");
    let lorem = cents(&sandbox, "LOREM");
    let n = served(&sandbox);
    for (text, names) in [
        (
            "user,amount,comment,operator,amount\nLOREM,1,a,OP01,999999\n",
            "column 5 (\"amount\") repeats column 2",
        ),
        (
            "user,amount,comment,operator,user\nLOREM,1,a,OP01,DOLER\n",
            "column 5 (\"user\") repeats column 1",
        ),
        // An unknown column whose cells are all empty said nothing before.
        (
            "user,amount,comment,operator,colour\nLOREM,1,a,OP01,\n",
            "column 5 (\"colour\") is not an item field",
        ),
        (
            "user,amount,Comment,operator\nLOREM,1,a,OP01\n",
            "column 3 (\"Comment\") is not an item field",
        ),
    ] {
        std::fs::write(&csv, text).unwrap();
        let out = run(&sandbox, &["batch", "deposit", path(&csv), "--yes"]);
        assert_eq!(out.status.code(), Some(3), "{text}: {}", stderr(&out));
        let error = json(&out)["error"].clone();
        assert_eq!(error["kind"], "invalid_request");
        assert_eq!(error["field"], "header");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(names), "{text}: {message}");
        assert!(message.contains("nothing was sent"), "{message}");
        // A dry run refuses it too.
        let out = run(&sandbox, &["batch", "deposit", path(&csv), "--dry-run"]);
        assert_eq!(out.status.code(), Some(3));
    }
    assert_eq!(served(&sandbox), n, "nothing sent");
    assert_eq!(cents(&sandbox, "LOREM"), lorem);
}

/// A row far down the file holding the token (pasted into a comment) or a
/// key holding it: the core would refuse that row's part, after the earlier
/// parts were paid; the batch refuses the file before anything is sent
/// (exit 3, the field named, the token in no output), dry run included.
#[test]
fn a_row_holding_the_token_sends_nothing_even_far_down_the_file() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bonus.csv");
    let lorem = cents(&sandbox, "LOREM");
    let n = served(&sandbox);
    for (row, field) in [
        (
            format!("LOREM,1.00,for {TOKEN},OP01,"),
            "transaction[40].comment",
        ),
        (
            format!("LOREM,1.00,c,OP01,k:{}", TOKEN.to_lowercase()),
            "transaction[40].key",
        ),
    ] {
        let mut text = String::from("user,amount,comment,operator,key\n");
        for i in 0..40 {
            text.push_str(&format!("LOREM,1.00,bonus {i},OP01,\n"));
        }
        text.push_str(&row);
        text.push('\n');
        std::fs::write(&csv, text).unwrap();
        let journal = dir.path().join("moves.jsonl");
        for extra in ["--yes", "--dry-run"] {
            let out = run(
                &sandbox,
                &[
                    "batch",
                    "deposit",
                    path(&csv),
                    extra,
                    "--journal",
                    path(&journal),
                ],
            );
            assert_eq!(out.status.code(), Some(3), "{row}: {}", stderr(&out));
            let error = json(&out)["error"].clone();
            assert_eq!(
                (error["kind"].as_str(), error["field"].as_str()),
                (Some("invalid_request"), Some(field))
            );
            let shown = format!("{}{}", stdout(&out), stderr(&out));
            assert!(
                !shown.contains(TOKEN) && !shown.contains(&TOKEN.to_lowercase()),
                "{shown}"
            );
        }
    }
    assert_eq!(served(&sandbox), n, "nothing sent");
    assert_eq!(cents(&sandbox, "LOREM"), lorem);
}

/// C3. A row whose user the history read says doesn't exist fails alone
/// (`user_not_found`, never sent); the other rows are paid.
#[test]
fn a_row_whose_user_does_not_exist_fails_alone() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bonus.csv");
    std::fs::write(
        &csv,
        "user,amount,comment,operator\n\
         LOREM,5.00,bonus,OP01\n\
         GHOST,7.00,bonus,OP01\n\
         IPSUM,9.00,bonus,OP01\n",
    )
    .unwrap();
    let (lorem, ipsum) = (cents(&sandbox, "LOREM"), cents(&sandbox, "IPSUM"));
    let out = run(&sandbox, &["batch", "deposit", path(&csv), "--yes"]);
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    let outcomes = json(&out);
    assert_eq!(statuses(&outcomes), ["succeeded", "failed", "succeeded"]);
    let ghost = &outcomes[1];
    assert_eq!(ghost["api_kind"], "user_not_found");
    assert_eq!(ghost["user"], "GHOST");
    assert!(
        ghost["message"].as_str().unwrap().starts_with("not sent: "),
        "{ghost}"
    );
    assert_eq!(cents(&sandbox, "LOREM") - lorem, 500);
    assert_eq!(cents(&sandbox, "IPSUM") - ipsum, 900);

    // A history read that fails in transport still stops the batch: nothing
    // is sent.
    let out = Command::new(BIN)
        .args(["batch", "deposit", path(&csv), "--yes"])
        .env("IDN_TOTO_BASE_URL", "http://127.0.0.1:9/home.php")
        .env("IDN_TOTO_TOKEN", TOKEN)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    assert_eq!(statuses(&json(&out)), repeat("not_sent", 3));
}

/// C4. CSV output never starts a cell with a formula character, but
/// numbers (negative amounts included) stay numbers.
#[test]
fn csv_output_never_starts_a_formula_and_numbers_stay_numbers() {
    let mut seed: Value = serde_json::from_str(Seed::builtin_json()).unwrap();
    seed["users"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"user": "=HYPERLINK(\"x.example\")", "balance": "10.00", "joindate": "2020-01-01 10:00:00.0000000"}));
    let seed = Seed::from_json(&seed.to_string()).unwrap();
    let sandbox = Sandbox::start(Config::default().with_token(TOKEN).with_seed(seed)).unwrap();
    let hostile = "=HYPERLINK(\"x.example\")";

    let out = run(
        &sandbox,
        &[
            "call",
            "user_balance",
            "--param",
            &format!("user={hostile}"),
            "--output",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("user,\"'=HYPERLINK(\"\"x.example\"\")\""),
        "{text}"
    );
    assert!(text.contains("balance,10.00"), "{text}");

    // Negative amounts are numbers: left as they are.
    let out = run(
        &sandbox,
        &[
            "call",
            "full_transaction",
            "--param",
            "user=LOREMS",
            "--param",
            "date=2024-05-17",
            "--all-pages",
            "--output",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(",-3000.00"), "{text}");
    assert!(!text.contains('\''), "{text}");

    // Outcomes as CSV: the user's cell is neutralised too.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bonus.csv");
    std::fs::write(
        &csv,
        format!(
            "user,amount,comment,operator\n\"{}\",1.00,@bonus,OP01\n",
            hostile.replace('"', "\"\"")
        ),
    )
    .unwrap();
    let out = run(
        &sandbox,
        &["batch", "deposit", path(&csv), "--yes", "--output", "csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .starts_with("1,succeeded,,\"'=HYPERLINK(\"\"x.example\"\")\",1.00,"),
        "{text}"
    );
}

/// The peak resident set of one run, in KiB, measured by GNU time.
fn peak_kib(sandbox: &Sandbox, args: &[&str]) -> (u64, Output) {
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "peak-rss-kib %M", BIN]).args(args);
    let out = run_command(sandbox, cmd, true);
    let err = stderr(&out);
    let kib = err
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("peak-rss-kib "))
        .unwrap_or_else(|| panic!("GNU time (/usr/bin/time) reports the peak: {err}"))
        .trim()
        .parse()
        .unwrap();
    (kib, out)
}

/// C5. Memory stays flat for any file size: the rows are read twice,
/// 25 at a time, and never held together (nor a confirmation table built
/// under `--yes`). Ten times the rows may not cost more than a few MiB
/// more; before, it cost about ten times as much.
#[test]
fn memory_stays_flat_for_any_file_size() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let rows = |n: usize, user: &str| {
        let file = dir.path().join(format!("{user}{n}.csv"));
        let mut text = String::from("user,amount,comment,operator\n");
        for i in 0..n {
            text.push_str(&format!("{user},{}.50,row {i},OP01\n", i % 1000 + 1));
        }
        std::fs::write(&file, text).unwrap();
        file
    };
    const SLACK_KIB: u64 = 8 * 1024;

    // Checked and printed, nothing sent.
    let (small, out) = peak_kib(
        &sandbox,
        &["batch", "deposit", path(&rows(6_000, "LOREM")), "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (large, out) = peak_kib(
        &sandbox,
        &[
            "batch",
            "deposit",
            path(&rows(60_000, "LOREM")),
            "--dry-run",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["items"].as_array().unwrap().len(), 60_000);
    assert!(
        large < small + SLACK_KIB,
        "--dry-run: 6,000 rows {small} KiB, 60,000 rows {large} KiB"
    );

    // Sent: withdrawals from a user whose balance is 0, each refused by the
    // sandbox (so its history, read before each request, stays small).
    let (small, out) = peak_kib(
        &sandbox,
        &["batch", "withdraw", path(&rows(200, "indah23")), "--yes"],
    );
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    let (large, out) = peak_kib(
        &sandbox,
        &["batch", "withdraw", path(&rows(2_000, "indah23")), "--yes"],
    );
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    let outcomes = json(&out);
    assert_eq!(statuses(&outcomes), repeat("failed", 2_000));
    assert_eq!(outcomes[1_999]["index"], 1_999);
    assert_eq!(outcomes[1_999]["message"], "Insufficient balance");
    assert!(
        large < small + SLACK_KIB,
        "sent: 200 rows {small} KiB, 2,000 rows {large} KiB"
    );
}

/// C5. On a terminal the confirmation shows the counts and the total from
/// the first pass, and the first rows, not every row.
#[test]
fn the_confirmation_shows_counts_totals_and_the_first_rows() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let csv = bonus_csv(dir.path(), 30);
    let n = served(&sandbox);
    let (out, _) = on_terminal(
        &sandbox,
        &format!("batch deposit {}", path(&csv)),
        |_| {},
        "n\n",
    );
    assert_eq!(out.status.code(), Some(10), "{}", stdout(&out));
    let screen = stdout(&out);
    assert!(
        screen.contains(
            "a batch of 30 deposit items (manual, 30.00 in total) moves money (2 requests)"
        ),
        "{screen}"
    );
    assert!(
        screen.contains("bonus 9") && !screen.contains("bonus 10"),
        "{screen}"
    );
    assert!(screen.contains("... and 20 more rows"), "{screen}");
    assert_eq!(served(&sandbox), n, "declined: nothing sent");
}

/// A file changed while the confirmation waits is not sent from the first
/// request whose rows differ from the ones checked.
#[test]
fn rows_changed_after_the_check_are_not_sent() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let csv = bonus_csv(dir.path(), 30);
    let (ipsum, lorem) = (cents(&sandbox, "IPSUM"), cents(&sandbox, "LOREM"));
    let changed = csv.clone();
    let (out, _) = on_terminal(
        &sandbox,
        &format!("batch deposit {}", path(&csv)),
        move |_| {
            let text = std::fs::read_to_string(&changed).unwrap();
            let text = text.replace("LOREM,1.00,bonus 27,", "LOREM,999999.00,bonus 27,");
            std::fs::write(&changed, text).unwrap();
        },
        "y\n",
    );
    assert_eq!(out.status.code(), Some(9), "{}", stdout(&out));
    let screen = stdout(&out);
    assert!(
        screen.contains("changed after it was checked: nothing from row 26 on was sent"),
        "{screen}"
    );
    assert!(
        screen.contains("30 rows: 25 succeeded, 0 failed, 0 unknown, 5 not sent"),
        "{screen}"
    );
    assert_eq!(cents(&sandbox, "IPSUM") - ipsum, 13 * 100);
    assert_eq!(cents(&sandbox, "LOREM") - lorem, 12 * 100);
}

/// Runs `idn-toto ARGS` on a pseudo terminal (util-linux `script`); once
/// the prompt shows, calls `at_prompt`, then types `input`.
fn on_terminal(
    sandbox: &Sandbox,
    args: &str,
    at_prompt: impl FnOnce(&str),
    input: &str,
) -> (Output, String) {
    let mut child = Command::new("script")
        .args(["-qec", &format!("{BIN} {args}"), "/dev/null"])
        .env("IDN_TOTO_BASE_URL", sandbox.base_url())
        .env("IDN_TOTO_TOKEN", sandbox.token())
        .env("COLUMNS", "120")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs the CLI on a pseudo terminal");
    let mut screen = Vec::new();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&screen).contains("Send it? [y/N]") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "no prompt: {}", String::from_utf8_lossy(&screen));
        screen.extend_from_slice(&buf[..n]);
    }
    let before = String::from_utf8_lossy(&screen).into_owned();
    at_prompt(&before);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    stdout.read_to_end(&mut screen).unwrap();
    let mut out = child.wait_with_output().unwrap();
    out.stdout = screen;
    assert!(!String::from_utf8_lossy(&out.stdout).contains(TOKEN));
    (out, before)
}

/// C6. A token file the group or others can read is used, with a warning.
#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    let args = [
        "call",
        "user_balance",
        "--param",
        "user=LOREM",
        "--token-file",
        path(&file),
    ];
    for (mode, warned) in [
        (0o644, Some("its group and every user")),
        (0o640, Some("its group")),
        (0o604, Some("every user")),
        (0o600, None),
        (0o400, None),
    ] {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        let out = run_with(&sandbox, &args, false);
        assert_eq!(out.status.code(), Some(0), "{mode:o}: {}", stderr(&out));
        assert_eq!(json(&out)["balance"], "8900.00");
        let err = stderr(&out);
        match warned {
            Some(who) => {
                assert!(
                    err.contains(&format!(
                        "warning: the token file {} is readable by {who} (mode {mode:03o})",
                        path(&file)
                    )),
                    "{mode:o}: {err}"
                );
                assert!(err.contains("chmod 600"), "{err}");
            }
            None => assert!(err.is_empty(), "{mode:o}: {err}"),
        }
    }
}

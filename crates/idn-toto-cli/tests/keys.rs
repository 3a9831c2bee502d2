//! Operation keys in the CLI (issue 22), against the sandbox on 127.0.0.1
//! port 0: a keyed batch run again pays nothing twice (a JSON Lines file
//! and a SQLite file), a keyed call replays its answer and refuses a key
//! reused for another move, eight processes on one SQLite file credit
//! every key once, and a run killed (SIGKILL) mid-batch, run again,
//! credits every key once with no manual step.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "../../idn-toto-client/tests/common/pg.rs"]
mod pg;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use idn_toto_sandbox::{Config, Sandbox};

/// A CSV of `n` keyed manual rows of 1.00, alternating IPSUM and LOREM;
/// row `i` has the key `{prefix}:{i}`.
fn keyed_csv(dir: &Path, name: &str, n: usize, prefix: &str) -> PathBuf {
    let file = dir.join(name);
    let mut text = String::from("user,amount,comment,operator,key\n");
    for i in 0..n {
        let user = if i % 2 == 0 { "IPSUM" } else { "LOREM" };
        text.push_str(&format!("{user},1.00,bonus {i},OP01,{prefix}:{i}\n"));
    }
    std::fs::write(&file, text).unwrap();
    file
}

fn statuses(out: &std::process::Output) -> Vec<String> {
    json(out)
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap().to_owned())
        .collect()
}

fn balances(sandbox: &Sandbox) -> (i64, i64) {
    (cents(sandbox, "IPSUM"), cents(sandbox, "LOREM"))
}

fn batch<'a>(csv: &'a Path, journal: &'a str) -> Vec<&'a str> {
    vec![
        "batch",
        "deposit",
        path(csv),
        "--yes",
        "--output",
        "json",
        "--journal",
        journal,
    ]
}

/// Runs `n` copies of `idn-toto args` at once; checks that every row of
/// every run ends `succeeded`, `already_done` or `key_in_use`, and that each
/// of the `rows` keys was sent (`succeeded`) by exactly one run.
fn at_once_each_key_once(sandbox: &Sandbox, n: usize, args: &[&str], rows: usize) {
    let children: Vec<_> = (0..n).map(|_| spawn(sandbox, args)).collect();
    let mut succeeded = vec![0; rows];
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 9)),
            "{:?} {} {}",
            out.status,
            stderr(&out),
            stdout(&out)
        );
        for (i, status) in statuses(&out).iter().enumerate() {
            assert!(
                ["succeeded", "already_done", "key_in_use"].contains(&status.as_str()),
                "row {i}: {status}"
            );
            succeeded[i] += usize::from(status == "succeeded");
        }
    }
    assert_eq!(succeeded, vec![1; rows], "each key sent exactly once");
}

/// Re-running a keyed bonus batch sends nothing already paid, with either
/// store; a key reused with another amount is refused before anything is
/// sent, the rest stays done. Without the fix (keys ignored), the second
/// run pays again.
#[test]
fn a_keyed_batch_run_again_pays_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let csv = keyed_csv(dir.path(), "bonus.csv", 30, "bonus-2024-05");
    let file = dir.path().join("moves.jsonl");
    let sqlite = format!("sqlite:{}", path(&dir.path().join("moves.sqlite")));
    for journal in [path(&file).to_owned(), sqlite] {
        let sandbox = sandbox();
        let (ipsum, lorem) = balances(&sandbox);
        let first = run(&sandbox, &batch(&csv, &journal));
        assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
        assert_eq!(statuses(&first), vec!["succeeded"; 30]);
        assert_eq!(balances(&sandbox), (ipsum + 1_500, lorem + 1_500));

        let before = served(&sandbox);
        let again = run(&sandbox, &batch(&csv, &journal));
        assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
        assert_eq!(statuses(&again), vec!["already_done"; 30]);
        assert_eq!(balances(&sandbox), (ipsum + 1_500, lorem + 1_500));
        // Only the history reads (two users in each of the two parts of
        // 25 rows): no money request.
        assert_eq!(served(&sandbox) - before, 4, "{journal}");
        assert!(stderr(&again).contains("30 already done"));

        // Row 7 under its key with another amount: key_conflict.
        let text = std::fs::read_to_string(&csv).unwrap();
        let changed = dir.path().join("changed.csv");
        std::fs::write(
            &changed,
            text.replace("LOREM,1.00,bonus 7,", "LOREM,2.00,bonus 7,"),
        )
        .unwrap();
        let conflict = run(&sandbox, &batch(&changed, &journal));
        assert_eq!(conflict.status.code(), Some(9), "{}", stderr(&conflict));
        let mut want = vec!["already_done".to_owned(); 30];
        want[7] = "key_conflict".into();
        assert_eq!(statuses(&conflict), want);
        assert!(json(&conflict)[7]["message"]
            .as_str()
            .unwrap()
            .contains("amount 1.00 vs 2.00"));
        assert_eq!(balances(&sandbox), (ipsum + 1_500, lorem + 1_500));
    }
}

/// One key twice in a file, or keys without a journal: refused before
/// anything is sent.
#[test]
fn keys_are_checked_before_anything_is_sent() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let csv = keyed_csv(dir.path(), "bonus.csv", 30, "k");
    let text = std::fs::read_to_string(&csv).unwrap();
    let twice = dir.path().join("twice.csv");
    std::fs::write(&twice, text.replace(",k:28\n", ",k:3\n")).unwrap();
    let journal = dir.path().join("moves.jsonl");
    let before = served(&sandbox);
    let out = run(&sandbox, &batch(&twice, path(&journal)));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(json(&out)["error"]["field"], "transaction[28].key");
    let no_journal = run(
        &sandbox,
        &["batch", "deposit", path(&csv), "--yes", "--output", "json"],
    );
    assert_eq!(no_journal.status.code(), Some(2));
    assert!(stderr(&no_journal).contains("keys need --journal"));
    assert_eq!(served(&sandbox), before, "nothing was sent");
}

/// `call --key`: the first call sends, the second replays the recorded
/// answer (`replayed`, nothing sent), the key with another amount is
/// `key_conflict` (exit 11), nothing sent.
#[test]
fn a_keyed_call_replays_and_refuses_a_conflict() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let journal = format!("sqlite:{}", path(&dir.path().join("moves.sqlite")));
    let params = |amount: &str| {
        format!(
            r#"{{"type":"deposit","user":"LOREM","amount":"{amount}","comment":"bonus","operator":"OP01"}}"#
        )
    };
    let call = |amount: &str| {
        let p = params(amount);
        run(
            &sandbox,
            &[
                "call",
                "manual_transaction",
                "--params",
                &p,
                "--key",
                "bonus-2024-05:LOREM",
                "--yes",
                "--journal",
                &journal,
            ],
        )
    };
    let before = cents(&sandbox, "LOREM");
    let first = call("70");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(json(&first).get("replayed").is_none());
    let served_before = served(&sandbox);
    let again = call("70.00");
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(json(&again)["replayed"], true);
    assert_eq!(json(&again)["message"], json(&first)["message"]);
    let conflict = call("80");
    assert_eq!(conflict.status.code(), Some(11), "{}", stderr(&conflict));
    assert_eq!(json(&conflict)["error"]["kind"], "key_conflict");
    // The replay and the conflict read nothing but the user's history.
    assert_eq!(served(&sandbox) - served_before, 2);
    assert_eq!(cents(&sandbox, "LOREM"), before + 7_000);
}

/// Eight processes run the same keyed CSV at once against one SQLite
/// file: each key is credited once; every item ends `succeeded`,
/// `already_done` or `key_in_use`; a final run completes what is left and
/// pays nothing more.
#[test]
fn eight_processes_on_one_sqlite_file_credit_each_key_once() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let rows = 60;
    let csv = keyed_csv(dir.path(), "bonus.csv", rows, "eight");
    let journal = format!("sqlite:{}", path(&dir.path().join("moves.sqlite")));
    let (ipsum, lorem) = balances(&sandbox);
    at_once_each_key_once(&sandbox, 8, &batch(&csv, &journal), rows);
    assert_eq!(balances(&sandbox), (ipsum + 3_000, lorem + 3_000));
    let last = run(&sandbox, &batch(&csv, &journal));
    assert_eq!(last.status.code(), Some(0), "{}", stderr(&last));
    assert_eq!(statuses(&last), vec!["already_done"; rows]);
    assert_eq!(balances(&sandbox), (ipsum + 3_000, lorem + 3_000));
}

/// Two processes on two "machines" (two CLI runs sharing one Postgres,
/// a throwaway cluster this test starts) run the same keyed CSV at once:
/// each key credited once; a final run pays nothing more.
#[test]
fn two_processes_on_one_postgres_credit_each_key_once() {
    let cluster = pg::Cluster::start(false);
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let rows = 50;
    let csv = keyed_csv(dir.path(), "bonus.csv", rows, "pg");
    let journal = cluster.url();
    let (ipsum, lorem) = balances(&sandbox);
    at_once_each_key_once(&sandbox, 2, &batch(&csv, &journal), rows);
    assert_eq!(balances(&sandbox), (ipsum + 2_500, lorem + 2_500));
    let last = run(&sandbox, &batch(&csv, &journal));
    assert_eq!(last.status.code(), Some(0), "{}", stderr(&last));
    assert_eq!(statuses(&last), vec!["already_done"; rows]);
    assert_eq!(balances(&sandbox), (ipsum + 2_500, lorem + 2_500));
    // The store exports the one journal format, every key's lines in it.
    let text = exported(&sandbox, &journal);
    let journal = idn_toto::Journal::read(&text).unwrap();
    assert_eq!(journal.key_records().len(), rows);
    assert!(journal.unsettled().is_empty());
}

/// A run killed (SIGKILL) with its second request in flight, then run
/// again with the same keys once its claims' lease ran out: the open
/// moves are settled (reads only), what landed is `already_done`, what
/// did not is sent; every key credited exactly once, exit 0, no manual
/// step. Both journals (file, SQLite).
#[test]
fn a_run_killed_mid_batch_then_run_again_credits_each_key_once() {
    let dir = tempfile::tempdir().unwrap();
    // Six requests of at most 25 items: after the second request's claims
    // the run still has four to go (over a second at 300 ms each), so the
    // poll that waits for those claims cannot miss the kill however slow
    // the machine (with three requests it sometimes saw the run end first).
    let rows = 150;
    let each = rows as i64 / 2 * 100;
    let csv = keyed_csv(dir.path(), "bonus.csv", rows, "crash");
    let cases = [
        (
            "sqlite",
            format!("sqlite:{}", path(&dir.path().join("m.sqlite"))),
        ),
        ("file", path(&dir.path().join("m.jsonl")).to_owned()),
    ];
    for (store, journal) in cases {
        // Every API request takes 300 ms: the kill lands with a request
        // in flight.
        let sandbox = Sandbox::start(Config {
            delay_ms: 300,
            ..Config::default().with_token(TOKEN)
        })
        .unwrap();
        let (ipsum, lorem) = balances(&sandbox);
        let lease = ["--timeout-ms", "1000", "--key-lease-ms", "1000"];
        let mut args = batch(&csv, &journal);
        args.extend(lease);
        // Killed once the second request's items are claimed (intents 26..).
        kill_after_intents(spawn(&sandbox, &args), &journal, 26);
        let text = exported(&sandbox, &journal);
        let open = idn_toto::Journal::read(&text).unwrap().unsettled().len();
        assert!(open > 0, "{store}: the kill left open moves");
        // The killed holder's claims keep others out until their lease
        // ends (one second after its last claim, made before the kill):
        // a deadline to wait for, not a race.
        std::thread::sleep(Duration::from_millis(1_100));
        let mut again = batch(&csv, &journal);
        again.extend(["--settle-delay-ms", "0"]);
        again.extend(lease);
        let out = run(&sandbox, &again);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{store}: {} {}",
            stderr(&out),
            stdout(&out)
        );
        let counts = statuses(&out)
            .into_iter()
            .fold(BTreeMap::new(), |mut m, s| {
                *m.entry(s).or_insert(0) += 1;
                m
            });
        assert!(
            counts
                .keys()
                .all(|s| s == "succeeded" || s == "already_done"),
            "{store}: {counts:?}"
        );
        assert_eq!(
            balances(&sandbox),
            (ipsum + each, lorem + each),
            "{store}: every key credited exactly once ({counts:?})"
        );
        let journal_text = exported(&sandbox, &journal);
        assert!(
            idn_toto::Journal::read(&journal_text)
                .unwrap()
                .unsettled()
                .is_empty(),
            "{store}: nothing left open"
        );
    }
}

/// The journal's lines as JSON Lines (any store).
fn exported(sandbox: &Sandbox, journal: &str) -> String {
    let out = run(sandbox, &["journal", "export", journal]);
    if out.status.code() == Some(0) {
        stdout(&out)
    } else {
        String::new()
    }
}

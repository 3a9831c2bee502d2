//! `idn-toto match` against the sandbox's matching day
//! (`crates/idn-toto-sandbox/seed-matching.json`): the bank statement comes
//! from `/__sandbox/bank/credits`, the pending deposits from the server.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use idn_toto_sandbox::{Config, Sandbox, Seed};

mod common;
use serde_json::Value;

const TOKEN: &str = "CLI-MATCH-T0KEN-246813579";
const SEED: &str = include_str!("../../idn-toto-sandbox/seed-matching.json");
const WATCHED: [&str; 6] = [
    "--account",
    "BCA:8830-112-456",
    "--account",
    "MANDIRI:137-00-1122334-5",
    "--account",
    "bni:5352889976",
];

fn sandbox() -> Sandbox {
    Sandbox::start(
        Config::default()
            .with_token(TOKEN)
            .with_seed(Seed::from_json(SEED).unwrap()),
    )
    .unwrap()
}

/// The statement (`?QUERY`) and its `Signature` header.
fn statement(sandbox: &Sandbox, query: &str) -> (Vec<u8>, Option<String>) {
    let mut r = ureq::get(&format!("{}/bank/credits?{query}", sandbox.admin_url()))
        .call()
        .unwrap();
    let signature = r
        .headers()
        .get("signature")
        .map(|v| v.to_str().unwrap().to_owned());
    (r.body_mut().read_to_vec().unwrap(), signature)
}

fn run(sandbox: &Sandbox, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_idn-toto"))
        .args(args)
        .env("IDN_TOTO_BASE_URL", sandbox.base_url())
        .env("IDN_TOTO_TOKEN", sandbox.token())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    for stream in [&out.stdout, &out.stderr] {
        assert!(!String::from_utf8_lossy(stream).contains(TOKEN));
    }
    out
}

fn plan(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// trans_id -> credit for approvals, trans_id -> reason for holds, credit
/// -> reason for the unclaimed.
fn summary(plan: &Value) -> [BTreeMap<String, String>; 3] {
    let pairs = |key: &str, k: &str, v: &str| -> BTreeMap<String, String> {
        plan[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e[k].as_str().unwrap().to_owned(),
                    e[v].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    [
        pairs("approve", "trans_id", "credit"),
        pairs("hold", "trans_id", "reason"),
        pairs("unclaimed", "credit", "reason"),
    ]
}

fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn the_plan_of_the_sandbox_day_from_its_csv_statement() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credits.csv");
    std::fs::write(&file, statement(&sandbox, "format=csv").0).unwrap();
    let mut args = vec!["match", "--credits", path(&file), "--output", "json"];
    args.extend(WATCHED);
    args.extend(["--max-auto-amount", "5000000"]);
    let out = run(&sandbox, &args);
    assert_eq!(out.status.code(), Some(9), "something is held");
    let [approve, hold, unclaimed] = summary(&plan(&out));
    assert_eq!(
        approve,
        map(&[
            ("200000001", "SBX-200000001-1"), // the name as given
            ("200000002", "SBX-200000002-1"), // a name the bank cut short
            ("200000003", "SBX-200000003-1"), // the same amount twice,
            ("200000004", "SBX-200000004-1"), // told apart by the names
            ("200000008", "SBX-200000008-1"), // the first of a double transfer
            ("200000009", "SBX-200000009-1"), // delivered three times, approved once
        ])
    );
    assert_eq!(
        hold,
        map(&[
            ("200000005", "ambiguous"), // the same amount twice, no names
            ("200000006", "ambiguous"),
            ("200000007", "outside_window"), // a late credit
            ("200000010", "name_mismatch"),
            ("200000011", "cross_day"),
            ("200000012", "no_credit"),
            ("200000013", "over_limit"),
            ("200000014", "unknown_account"),
        ])
    );
    assert_eq!(
        unclaimed,
        map(&[
            ("OTHER-1", "no_request"), // a credit with no request
            ("SBX-200000005-1", "ambiguous"),
            ("SBX-200000006-1", "ambiguous"),
            ("SBX-200000007-1", "outside_window"),
            ("SBX-200000008-2", "double_transfer"),
            ("SBX-200000010-1", "name_mismatch"),
            ("SBX-200000011-1", "cross_day"),
            ("SBX-200000013-1", "over_limit"),
            ("SBX-200000014-1", "unknown_account"),
        ])
    );
    // The same plan as a table and as CSV.
    let mut args = vec!["match", "--credits", path(&file), "--output", "csv"];
    args.extend(WATCHED);
    let out = run(&sandbox, &args);
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.starts_with("plan,trans_id,user,amount,credit,reason,candidates\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\napprove,200000001,andi,100000.0000,SBX-200000001-1,,\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\nhold,200000012,lina,500000.0000,,no_credit,\n"),
        "{csv}"
    );
    // Without the limit, 200000013 is approved.
    assert!(csv.contains("\napprove,200000013,"), "{csv}");
}

#[test]
fn a_signed_moota_body_is_read_only_with_its_signature() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let (body, signature) = statement(&sandbox, "format=moota&secret=hook-secret");
    let signature = signature.unwrap();
    let file = dir.path().join("moota.json");
    std::fs::write(&file, &body).unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "hook-secret\n").unwrap();
    let moota = |sig: &str| {
        let mut args = vec![
            "match",
            "--credits",
            path(&file),
            "--format",
            "moota",
            "--signature-secret-file",
            path(&secret),
            "--signature",
            sig,
            "--output",
            "json",
        ];
        args.extend(WATCHED);
        run(&sandbox, &args)
    };
    let out = moota(&signature);
    assert_eq!(out.status.code(), Some(9));
    let [approve, hold, _] = summary(&plan(&out));
    // Moota carries no sender names: the same amount twice can no longer be
    // told apart, and the stranger's name no longer stops 200000010.
    assert_eq!(hold["200000003"], "ambiguous");
    assert_eq!(hold["200000004"], "ambiguous");
    assert_eq!(approve["200000010"], "SBX-200000010-1");
    assert_eq!(approve["200000001"], "SBX-200000001-1");

    // A wrong signature: nothing read, the core's error, exit 3.
    let wrong = format!("{}0", &signature[..63]);
    let out = moota(&wrong);
    assert_eq!(out.status.code(), Some(3));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["error"]["field"], "signature");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hook-secret"));
}

/// A user's balance (text) and pending ids, from the sandbox's truth.
fn truth(sandbox: &Sandbox, user: &str) -> (String, Vec<String>) {
    let state: Value = serde_json::from_str(
        &ureq::get(&format!("{}/state/{user}", sandbox.admin_url()))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    (
        state["balance"].as_str().unwrap().to_owned(),
        state["pending"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect(),
    )
}

/// The six approvals of the sandbox day: (trans_id, user, amount in
/// rupiah).
const APPROVED: [(&str, &str, i64); 6] = [
    ("200000001", "andi", 100_000),
    ("200000002", "budi", 250_000),
    ("200000003", "citra", 100_000),
    ("200000004", "dewi", 100_000),
    ("200000008", "hendra", 150_000),
    ("200000009", "indah", 175_000),
];

fn rupiah(balance: &str) -> i64 {
    balance.split('.').next().unwrap().parse().unwrap()
}

#[test]
fn approve_needs_a_journal() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credits.csv");
    std::fs::write(&file, statement(&sandbox, "").0).unwrap();
    let mut args = vec!["match", "--credits", path(&file), "--approve", "--yes"];
    args.extend(WATCHED);
    let out = run(&sandbox, &args);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--approve needs --journal"), "{err}");
    assert!(out.stdout.is_empty());
    // Nothing was approved: every deposit is still pending.
    assert_eq!(truth(&sandbox, "andi").1, ["200000001"]);
}

/// The day's statement in a file, a SQLite journal beside it, and the
/// approved users' balances before: what the approving tests start from.
struct Approving {
    _dir: tempfile::TempDir,
    file: std::path::PathBuf,
    journal: String,
    before: Vec<i64>,
}

impl Approving {
    fn new(sandbox: &Sandbox) -> Approving {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("credits.csv");
        std::fs::write(&file, statement(sandbox, "").0).unwrap();
        let journal = format!("sqlite:{}", path(&dir.path().join("match.sqlite")));
        let before = APPROVED
            .iter()
            .map(|(_, u, _)| rupiah(&truth(sandbox, u).0))
            .collect();
        Approving {
            _dir: dir,
            file,
            journal,
            before,
        }
    }

    /// `match --approve --yes` on the day, JSON out, `extra` added.
    fn args<'a>(&'a self, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "match",
            "--credits",
            path(&self.file),
            "--approve",
            "--yes",
            "--journal",
            &self.journal,
            "--output",
            "json",
            "--max-auto-amount",
            "5000000",
        ];
        args.extend(WATCHED);
        args.extend(extra);
        args
    }

    /// Every approved request was approved exactly once (the sandbox's
    /// truth: its balance went up by its amount once, it is not pending).
    fn check_each_approved_once(&self, sandbox: &Sandbox) {
        for (k, (trans_id, user, amount)) in APPROVED.iter().enumerate() {
            let (balance, pending) = truth(sandbox, user);
            assert_eq!(
                rupiah(&balance),
                self.before[k] + amount,
                "{user}: approved once"
            );
            assert!(!pending.contains(&(*trans_id).to_owned()), "{user}");
        }
    }
}

/// `--approve` accepts what the plan approves, each under the key
/// match:<credit ref>; the sandbox shows each request approved once; a
/// re-run approves nothing again (the requests are no longer pending, and a
/// credit's key names its transaction).
#[test]
fn approve_accepts_each_match_once_and_a_re_run_approves_nothing_twice() {
    let sandbox = sandbox();
    let day = Approving::new(&sandbox);
    let args = day.args(&[]);
    let out = run(&sandbox, &args);
    assert_eq!(out.status.code(), Some(9), "something is held");
    let doc = plan(&out);
    let statuses: Vec<&str> = doc["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["succeeded"; 6]);
    day.check_each_approved_once(&sandbox);
    let again = run(&sandbox, &args);
    assert_eq!(again.status.code(), Some(9));
    assert_eq!(plan(&again)["approve"].as_array().unwrap().len(), 0);
    // The journal's done keys make their credits already_claimed.
    let [_, _, unclaimed] = summary(&plan(&again));
    for (trans_id, _, _) in APPROVED {
        assert_eq!(
            unclaimed
                .get(&format!("SBX-{trans_id}-1"))
                .map(String::as_str),
            Some("already_claimed"),
            "{unclaimed:?}"
        );
    }
    day.check_each_approved_once(&sandbox);
    // The journal holds one key per credit, each done.
    let export = Command::new(env!("CARGO_BIN_EXE_idn-toto"))
        .args(["journal", "export", &day.journal])
        .output()
        .unwrap();
    let journal = idn_toto::Journal::read(&String::from_utf8_lossy(&export.stdout)).unwrap();
    let keys: Vec<String> = journal
        .key_records()
        .iter()
        .map(|r| format!("{}={}", r.key.as_str(), r.state.as_str()))
        .collect();
    assert_eq!(
        keys,
        APPROVED
            .iter()
            .map(|(t, _, _)| format!("match:SBX-{t}-1=succeeded"))
            .collect::<Vec<_>>()
    );
}

/// A matcher killed (SIGKILL) with its approvals in flight, then run again
/// after its claims' lease: every matched request approved exactly once
/// (the sandbox's balances and pending lists), whichever way the killed
/// request went.
#[test]
fn a_matcher_killed_while_approving_then_run_again_approves_each_once() {
    let sandbox = Sandbox::start(Config {
        delay_ms: 400,
        ..Config::default()
            .with_token(TOKEN)
            .with_seed(Seed::from_json(SEED).unwrap())
    })
    .unwrap();
    let day = Approving::new(&sandbox);
    let args = day.args(&[
        "--timeout-ms",
        "1000",
        "--key-lease-ms",
        "1000",
        "--settle-delay-ms",
        "0",
    ]);
    // Killed once all six claims are in the store (the request is then
    // about to leave or in flight).
    common::kill_after_intents(common::spawn(&sandbox, &args), &day.journal, 6);
    // Its claims keep others out until their lease ends (1 s after they
    // were made, before the kill): a deadline, not a race.
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let out = run(&sandbox, &args);
    assert!(
        matches!(out.status.code(), Some(9)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    day.check_each_approved_once(&sandbox);
}

#[test]
fn unwatched_destinations_and_a_bad_line() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    // No credit, and an account no request goes to.
    let file = dir.path().join("credits.csv");
    std::fs::write(
        &file,
        "ref,account,posted_at,amount,sender_name,description\n",
    )
    .unwrap();
    let out = run(
        &sandbox,
        &[
            "match",
            "--credits",
            path(&file),
            "--account",
            "BCA:1",
            "--output",
            "json",
        ],
    );
    // Every request's destination is unwatched: held unknown_account.
    assert_eq!(out.status.code(), Some(9));
    let [approve, hold, unclaimed] = summary(&plan(&out));
    assert!(approve.is_empty() && unclaimed.is_empty());
    assert!(hold.values().all(|r| r == "unknown_account"), "{hold:?}");

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "ref,account,posted_at,amount,sender_name,description\nA,BCA:1,2024-05-16 09:00:00,100.000,,\n",
    )
    .unwrap();
    let out = run(
        &sandbox,
        &["match", "--credits", path(&bad), "--account", "BCA:1"],
    );
    assert_eq!(out.status.code(), Some(3));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["error"]["field"], "line 2, column amount");
}

#[test]
fn nothing_held_and_nothing_unclaimed_exits_0() {
    // A day of one request and its credit.
    let seed = r#"{"today": "2024-05-17",
        "users": [{"user": "andi", "balance": "0", "bank_acc_name": "ANDI WIJAYA",
                   "joindate": "2023-01-01 10:00:00.0000000"}],
        "pending": [{"id": "1", "user": "andi", "type": "deposit", "date": "16-05-2024 09:00:00",
                     "amount": "100000", "destination_bank": "BCA",
                     "destination_acc_number": "8830-112-456"}]}"#;
    let sandbox = Sandbox::start(
        Config::default()
            .with_token(TOKEN)
            .with_seed(Seed::from_json(seed).unwrap()),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credits.csv");
    std::fs::write(&file, statement(&sandbox, "").0).unwrap();
    let out = run(
        &sandbox,
        &[
            "match",
            "--credits",
            path(&file),
            "--account",
            "BCA:8830112456",
            "--output",
            "table",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("approve") && table.contains("SBX-1-1"),
        "{table}"
    );
}

//! The deposit matcher (issue 23): the shared vectors `tests/vectors/matcher.json`
//! (the format is in `tests/vectors/README.md`), then one test per rule on the
//! typed API, each written so that breaking the rule fails it.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use idn_toto::{
    credits_from_csv, credits_from_moota, credits_from_moota_signed, match_deposits,
    match_deposits_json, moota_signature, verify_moota_signature, Account, Credit, Decimal, Error,
    MatchPlan, MatchReason, MatchRules, NaiveDateTime, NameMatch, PendingTransaction,
    TransactionType,
};
use serde_json::{json, Value};

fn vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/matcher.json");
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// `want` fits `got`: objects by the keys `want` gives, arrays element by
/// element with the same length, anything else equal.
fn fits(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|gv| fits(v, gv))),
        (Value::Array(w), Value::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(a, b)| fits(a, b))
        }
        _ => want == got,
    }
}

fn reversed(v: &Value) -> Value {
    let mut items = v.as_array().cloned().unwrap_or_default();
    items.reverse();
    Value::Array(items)
}

struct Run {
    failures: Vec<String>,
    cases: usize,
}

impl Run {
    fn check_error(&mut self, name: &str, want: &Value, err: &Error) {
        let got = err.to_json()["error"].clone();
        if !fits(want, &got) {
            self.failures
                .push(format!("{name}: error {got}, want {want}"));
        }
    }

    fn check_list(&mut self, name: &str, case: &Value, got: Result<Vec<Credit>, Error>) {
        match (got, case.get("expect"), case.get("error")) {
            (Ok(credits), Some(want), _) => {
                let got = serde_json::to_value(&credits).unwrap();
                if !fits(want, &got) {
                    self.failures
                        .push(format!("{name}: got {got}, want {want}"));
                }
            }
            (Err(e), _, Some(want)) => self.check_error(name, want, &e),
            (Ok(credits), _, _) => self
                .failures
                .push(format!("{name}: want an error, got {credits:?}")),
            (Err(e), _, _) => self
                .failures
                .push(format!("{name}: want credits, got {}", e.to_json())),
        }
    }
}

/// `tests/vectors/matcher.json`: every case's plan, the same plan with the
/// inputs reversed, the feeds' credits and errors, and that every reason
/// code is exercised.
#[test]
fn matcher_vectors() {
    let doc = vectors();
    let mut run = Run {
        failures: Vec::new(),
        cases: 0,
    };
    let mut reasons_seen = BTreeSet::new();
    for case in doc["match_cases"].as_array().unwrap() {
        run.cases += 1;
        let name = case["name"].as_str().unwrap_or("?");
        let (pending, credits, rules) = (&case["pending"], &case["credits"], &case["rules"]);
        let plan = match match_deposits_json(pending, credits, rules) {
            Ok(plan) => plan,
            Err(e) => {
                run.failures
                    .push(format!("{name}: refused: {}", e.to_json()));
                continue;
            }
        };
        let want = &case["expect"];
        if !fits(want, &plan) {
            run.failures
                .push(format!("{name}:\n  got  {plan}\n  want {want}"));
        }
        let again = match_deposits_json(&reversed(pending), &reversed(credits), rules).unwrap();
        if again != plan {
            run.failures
                .push(format!("{name}: the plan changes with the input order"));
        }
        for entry in ["hold", "unclaimed"] {
            for item in want[entry].as_array().unwrap() {
                reasons_seen.insert(item["reason"].as_str().unwrap().to_owned());
            }
        }
    }
    for case in doc["csv_cases"].as_array().unwrap() {
        run.cases += 1;
        let name = format!("csv: {}", case["name"].as_str().unwrap_or("?"));
        let text = case["csv"].as_str().unwrap();
        run.check_list(&name, case, credits_from_csv(text.as_bytes()));
    }
    for case in doc["moota_cases"].as_array().unwrap() {
        run.cases += 1;
        let name = format!("moota: {}", case["name"].as_str().unwrap_or("?"));
        let body = case["body"].as_str().unwrap().as_bytes();
        let got = match (case.get("signature"), case.get("secret")) {
            (Some(sig), Some(secret)) => credits_from_moota_signed(
                body,
                sig.as_str().unwrap(),
                secret.as_str().unwrap().as_bytes(),
            ),
            _ => credits_from_moota(body),
        };
        run.check_list(&name, case, got);
    }
    let all: BTreeSet<String> = [
        "no_credit",
        "ambiguous",
        "name_mismatch",
        "outside_window",
        "cross_day",
        "over_limit",
        "double_transfer",
        "unknown_account",
        "already_claimed",
        "no_request",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for missing in all.difference(&reasons_seen) {
        run.failures
            .push(format!("no match case expects the reason {missing}"));
    }
    if run.cases < 55 {
        run.failures
            .push(format!("only {} cases: the floor is 55", run.cases));
    }
    if !run.failures.is_empty() {
        let mut report = String::new();
        for f in &run.failures {
            let _ = writeln!(report, "- {f}");
        }
        panic!(
            "{} matcher vector checks failed:\n{report}",
            run.failures.len()
        );
    }
    eprintln!("matcher vectors: {} cases passed", run.cases);
}

// ---------------------------------------------------------------- the rules, typed

const BCA: &str = "BCA:8830-112-456";

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn request(id: &str, date: &str, amount: &str, name: &str) -> PendingTransaction {
    PendingTransaction {
        id: id.into(),
        user: format!("user-{id}"),
        date: at(date),
        r#type: TransactionType::Deposit,
        game: String::new(),
        bank_acc_name: name.into(),
        bank_name: "BCA".into(),
        bank_acc_number: "1".into(),
        amount: dec(amount),
        destination_bank: "BCA".into(),
        destination_acc_number: "8830-112-456".into(),
    }
}

fn credit(r: &str, posted: &str, amount: &str, name: Option<&str>) -> Credit {
    Credit {
        r#ref: r.into(),
        account: Account::parse("account", BCA).unwrap(),
        posted_at: Some(at(posted)),
        amount: dec(amount),
        sender_name: name.map(String::from),
        description: None,
    }
}

fn rules() -> MatchRules {
    MatchRules::new(vec![
        Account::parse("accounts[0]", "bca:8830112456").unwrap()
    ])
}

fn approved(plan: &MatchPlan) -> Vec<(&str, &str)> {
    plan.approve
        .iter()
        .map(|a| (a.trans_id.as_str(), a.credit.as_str()))
        .collect()
}

fn held(plan: &MatchPlan) -> Vec<(&str, MatchReason)> {
    plan.hold
        .iter()
        .map(|h| (h.trans_id.as_str(), h.reason))
        .collect()
}

fn unclaimed(plan: &MatchPlan) -> Vec<(&str, MatchReason)> {
    plan.unclaimed
        .iter()
        .map(|u| (u.credit.as_str(), u.reason))
        .collect()
}

#[test]
fn rule_1_only_watched_accounts_that_are_the_destination() {
    let pending = [request("T1", "2024-05-16 09:00:00", "100000", "ANDI")];
    let mut c = credit("C1", "2024-05-16 09:01:00", "100000", None);
    let plan = match_deposits(&pending, &[c.clone()], &rules());
    assert_eq!(approved(&plan), [("T1", "C1")]);
    // Same digits at another bank: another account.
    c.account = Account::parse("account", "BRI:8830112456").unwrap();
    let plan = match_deposits(&pending, &[c.clone()], &rules());
    assert_eq!(unclaimed(&plan), [("C1", MatchReason::UnknownAccount)]);
    assert_eq!(held(&plan), [("T1", MatchReason::NoCredit)]);
    // Watched, but not the request's destination.
    let mut r = rules();
    r.accounts.push(c.account.clone());
    let plan = match_deposits(&pending, &[c], &r);
    assert_eq!(unclaimed(&plan), [("C1", MatchReason::NoRequest)]);
    // The request's destination not watched.
    let plan = match_deposits(
        &pending,
        &[],
        &MatchRules::new(vec![Account::parse("a", "BCA:1").unwrap()]),
    );
    assert_eq!(held(&plan), [("T1", MatchReason::UnknownAccount)]);
}

#[test]
fn rule_1_undated_and_claimed_credits_are_never_taken() {
    let pending = [request("T1", "2024-05-16 09:00:00", "100000", "ANDI")];
    let mut c = credit("C1", "2024-05-16 09:01:00", "100000", None);
    c.posted_at = None;
    let plan = match_deposits(&pending, &[c], &rules());
    assert!(plan.approve.is_empty());
    assert_eq!(unclaimed(&plan), [("C1", MatchReason::OutsideWindow)]);

    let c = credit("C1", "2024-05-16 09:01:00", "100000", None);
    let mut r = rules();
    r.claimed_refs.insert("C1".into());
    let plan = match_deposits(&pending, &[c], &r);
    assert!(plan.approve.is_empty());
    assert_eq!(unclaimed(&plan), [("C1", MatchReason::AlreadyClaimed)]);
}

#[test]
fn rule_1_copies_under_one_ref_count_once_unless_they_disagree() {
    let pending = [request(
        "T1",
        "2024-05-16 09:00:00",
        "100000",
        "ANDI WIJAYA",
    )];
    let c = credit("C1", "2024-05-16 09:01:00", "100000", Some("ANDI WIJAYA"));
    let plan = match_deposits(&pending, &[c.clone(), c.clone(), c.clone()], &rules());
    assert_eq!(approved(&plan), [("T1", "C1")]);
    assert!(plan.unclaimed.is_empty(), "{plan:?}");
    // A copy with another sender name: a conflict, nothing approved.
    let mut other = c.clone();
    other.sender_name = Some("BUDI".into());
    let plan = match_deposits(&pending, &[c, other], &rules());
    assert!(plan.approve.is_empty());
    assert_eq!(held(&plan), [("T1", MatchReason::Ambiguous)]);
    assert_eq!(unclaimed(&plan), [("C1", MatchReason::Ambiguous)]);
}

#[test]
fn rule_2_amounts_match_exactly() {
    let pending = [request("T1", "2024-05-16 09:00:00", "100000.0000", "ANDI")];
    for (amount, ok) in [
        ("100000", true),
        ("100000.00", true),
        ("100000.01", false),
        ("99999.99", false),
    ] {
        let plan = match_deposits(
            &pending,
            &[credit("C1", "2024-05-16 09:01:00", amount, None)],
            &rules(),
        );
        assert_eq!(plan.approve.len() == 1, ok, "{amount}");
    }
}

#[test]
fn rule_3_the_window_is_inclusive_and_never_crosses_midnight() {
    let pending = [request("T1", "2024-05-16 12:00:00", "100000", "ANDI")];
    let try_at = |posted: &str| {
        let plan = match_deposits(&pending, &[credit("C1", posted, "100000", None)], &rules());
        (plan.approve.len(), plan.unclaimed.first().map(|u| u.reason))
    };
    assert_eq!(try_at("2024-05-16 11:45:00"), (1, None));
    assert_eq!(try_at("2024-05-16 15:00:00"), (1, None));
    assert_eq!(
        try_at("2024-05-16 11:44:59"),
        (0, Some(MatchReason::OutsideWindow))
    );
    assert_eq!(
        try_at("2024-05-16 15:00:01"),
        (0, Some(MatchReason::OutsideWindow))
    );

    let late = [request("T1", "2024-05-16 23:50:00", "100000", "ANDI")];
    let plan = match_deposits(
        &late,
        &[credit("C1", "2024-05-17 00:05:00", "100000", None)],
        &rules(),
    );
    assert!(plan.approve.is_empty());
    assert_eq!(held(&plan), [("T1", MatchReason::CrossDay)]);
    assert_eq!(plan.hold[0].candidates, ["C1"]);
    assert_eq!(unclaimed(&plan), [("C1", MatchReason::CrossDay)]);

    // Configurable.
    let mut r = rules();
    r.window_after_secs = 60;
    let plan = match_deposits(
        &pending,
        &[credit("C1", "2024-05-16 12:01:01", "100000", None)],
        &r,
    );
    assert!(plan.approve.is_empty());
}

#[test]
fn rule_4_names_fold_and_a_truncated_name_needs_eight_characters() {
    let pending = [request(
        "T1",
        "2024-05-16 09:00:00",
        "100000",
        "Budi Santoso, S.E.",
    )];
    for (sender, how) in [
        ("BUDI SANTOSO SE", Some(NameMatch::Exact)),
        ("budi-santoso s.e.", Some(NameMatch::Exact)),
        ("BUDI SANT", Some(NameMatch::Truncated)),
        ("BUDI SAN", None),
        ("SANTOSO BUDI", None),
    ] {
        let plan = match_deposits(
            &pending,
            &[credit("C1", "2024-05-16 09:01:00", "100000", Some(sender))],
            &rules(),
        );
        match how {
            Some(how) => assert_eq!(plan.approve[0].evidence.name, how, "{sender}"),
            None => assert_eq!(held(&plan), [("T1", MatchReason::NameMismatch)], "{sender}"),
        }
    }
}

#[test]
fn rule_4_a_nameless_credit_only_when_no_other_request_is_in_its_window() {
    let one = [request("T1", "2024-05-16 09:00:00", "100000", "ANDI")];
    let two = [
        request("T1", "2024-05-16 09:00:00", "100000", "ANDI"),
        request("T2", "2024-05-16 09:16:00", "100000", "BUDI"),
    ];
    let c = [credit("C1", "2024-05-16 09:01:00", "100000", None)];
    assert_eq!(
        approved(&match_deposits(&one, &c, &rules())),
        [("T1", "C1")]
    );
    let plan = match_deposits(&two, &c, &rules());
    assert!(plan.approve.is_empty());
    assert_eq!(
        held(&plan),
        [
            ("T1", MatchReason::Ambiguous),
            ("T2", MatchReason::Ambiguous)
        ]
    );
    // With names, the same two requests are told apart.
    let named = [credit("C1", "2024-05-16 09:01:00", "100000", Some("ANDI"))];
    let plan = match_deposits(&two, &named, &rules());
    assert_eq!(approved(&plan), [("T1", "C1")]);
    assert_eq!(held(&plan), [("T2", MatchReason::NoCredit)]);
}

#[test]
fn rule_5_two_way_uniqueness_over_the_whole_window() {
    // First come first served would pay T1 with C1 and T2 with C2. C1 could
    // be T2's too, so neither is certain.
    let pending = [
        request("T1", "2024-05-16 10:00:00", "100000", "ANDI"),
        request("T2", "2024-05-16 10:05:00", "100000", "BUDI SANTOSO"),
    ];
    let credits = [
        credit("C1", "2024-05-16 10:02:00", "100000", None),
        credit("C2", "2024-05-16 10:06:00", "100000", Some("BUDI SANTOSO")),
    ];
    let plan = match_deposits(&pending, &credits, &rules());
    assert!(plan.approve.is_empty(), "{plan:?}");
    assert_eq!(
        unclaimed(&plan),
        [
            ("C1", MatchReason::Ambiguous),
            ("C2", MatchReason::Ambiguous)
        ]
    );
    // A chain: T1 - C1 - T2 - C2 - T3 holds all three.
    let pending = [
        request("T1", "2024-05-16 10:00:00", "100000", "A"),
        request("T2", "2024-05-16 12:00:00", "100000", "B"),
        request("T3", "2024-05-16 14:30:00", "100000", "C"),
    ];
    let credits = [
        credit("C1", "2024-05-16 12:00:00", "100000", None),
        credit("C2", "2024-05-16 14:30:00", "100000", None),
    ];
    let plan = match_deposits(&pending, &credits, &rules());
    assert!(plan.approve.is_empty(), "{plan:?}");
    assert_eq!(plan.hold.len(), 3);
}

#[test]
fn rule_6_double_transfers_and_requests_approved_before() {
    let pending = [request("T1", "2024-05-16 13:00:00", "150000", "HENDRA")];
    let credits = [
        credit("C2", "2024-05-16 13:10:00", "150000", None),
        credit("C1", "2024-05-16 13:01:00", "150000", Some("HENDRA")),
        credit("C0", "2024-05-16 13:10:00", "150000", None),
    ];
    let plan = match_deposits(&pending, &credits, &rules());
    assert_eq!(approved(&plan), [("T1", "C1")]);
    assert_eq!(plan.approve[0].evidence.double_transfer, ["C0", "C2"]);
    assert_eq!(
        unclaimed(&plan),
        [
            ("C0", MatchReason::DoubleTransfer),
            ("C2", MatchReason::DoubleTransfer)
        ]
    );
    let mut r = rules();
    r.approved_trans_ids.insert("T1".into());
    let plan = match_deposits(&pending, &credits, &r);
    assert!(plan.approve.is_empty());
    assert_eq!(held(&plan), [("T1", MatchReason::AlreadyClaimed)]);
    assert!(plan
        .unclaimed
        .iter()
        .all(|u| u.reason == MatchReason::DoubleTransfer));
}

#[test]
fn rule_7_over_the_limit_is_held() {
    let pending = [
        request("T1", "2024-05-16 09:00:00", "5000000.01", "A"),
        request("T2", "2024-05-16 09:00:00", "5000000", "B"),
    ];
    let credits = [
        credit("C1", "2024-05-16 09:01:00", "5000000.01", None),
        credit("C2", "2024-05-16 09:01:00", "5000000", None),
    ];
    let mut r = rules();
    assert_eq!(match_deposits(&pending, &credits, &r).approve.len(), 2);
    r.max_auto_amount = Some(dec("5000000"));
    let plan = match_deposits(&pending, &credits, &r);
    assert_eq!(approved(&plan), [("T2", "C2")]);
    assert_eq!(held(&plan), [("T1", MatchReason::OverLimit)]);
    assert_eq!(plan.hold[0].candidates, ["C1"]);
    assert_eq!(unclaimed(&plan), [("C1", MatchReason::OverLimit)]);
}

#[test]
fn a_hold_lists_at_most_max_candidates() {
    let pending = [
        request("T1", "2024-05-16 09:00:00", "100000", "A"),
        request("T2", "2024-05-16 09:00:00", "100000", "B"),
    ];
    let credits: Vec<Credit> = (0..50)
        .map(|i| credit(&format!("C{i:02}"), "2024-05-16 09:30:00", "100000", None))
        .collect();
    let plan = match_deposits(&pending, &credits, &rules());
    assert_eq!(plan.hold[0].candidates.len(), idn_toto::MAX_CANDIDATES);
    assert_eq!(plan.hold[0].candidates[0], "C00");
    assert_eq!(plan.unclaimed.len(), 50);
}

#[test]
fn the_plan_json_has_the_issues_shape() {
    let pending = [request("T1", "2024-05-16 09:00:00", "100000", "ANDI")];
    let plan = match_deposits(
        &pending,
        &[credit("C1", "2024-05-16 09:01:00", "100000", Some("ANDI"))],
        &rules(),
    );
    let v = plan.to_json();
    assert_eq!(
        v,
        json!({"approve": [{"trans_id": "T1", "user": "user-T1", "amount": "100000", "credit": "C1",
            "evidence": {"account": BCA, "requested_at": "2024-05-16T09:00:00",
                "posted_at": "2024-05-16T09:01:00", "offset_secs": 60, "name": "exact",
                "sender_name": "ANDI", "double_transfer": []}}],
            "hold": [], "unclaimed": []})
    );
    assert!(plan.is_settled());
}

#[test]
fn rules_json_round_trips_and_refuses_unknown_keys() {
    let mut r = rules();
    r.max_auto_amount = Some(dec("5000000"));
    r.claimed_refs.insert("C9".into());
    assert_eq!(MatchRules::from_json(&r.to_json()).unwrap(), r);
    let e = MatchRules::from_json(&json!({"accounts": [BCA], "max_auto": "1"})).unwrap_err();
    assert_eq!(e.to_json()["error"]["field"], "rules.max_auto");
    let e = MatchRules::from_json(&json!({"accounts": ["8830112456"]})).unwrap_err();
    assert_eq!(e.to_json()["error"]["field"], "accounts[0]");
    let e =
        MatchRules::from_json(&json!({"accounts": [BCA], "window_after_secs": 90000})).unwrap_err();
    assert_eq!(e.to_json()["error"]["field"], "window_after_secs");
}

#[test]
fn a_bad_signature_reads_nothing() {
    let body = br#"[{"mutation_id":"m1","account_number":"8830112456","bank_type":"bca","date":"2024-05-16 09:01:00","amount":"100000","type":"CR"}]"#;
    let sig = moota_signature(body, b"s3cret");
    assert_eq!(sig.len(), 64);
    assert!(verify_moota_signature(body, &sig, b"s3cret").is_ok());
    assert_eq!(
        credits_from_moota_signed(body, &sig, b"s3cret")
            .unwrap()
            .len(),
        1
    );
    for (signature, secret) in [
        (sig.as_str(), &b"other"[..]),
        ("", b"s3cret"),
        (&sig[..63], b"s3cret"),
    ] {
        let e = credits_from_moota_signed(body, signature, secret).unwrap_err();
        assert_eq!(e.to_json()["error"]["field"], "signature");
        assert!(!e.to_string().contains("s3cret") && !e.to_string().contains(&sig));
    }
    let e = credits_from_moota_signed(body, &sig, b"").unwrap_err();
    assert_eq!(e.to_json()["error"]["field"], "signature_secret");
}

//! Property tests of the deposit matcher: for any generated day of requests
//! and credits, every approval is a two-way-unique pair satisfying every
//! rule (checked against a brute-force reading of the rules written here,
//! pair by pair), no credit is used twice, every credit appears exactly once,
//! what can be told apart is approved, and the plan does not depend on the
//! order of either input.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use idn_toto::{
    match_deposits, Account, Credit, MatchPlan, MatchReason, MatchRules, NaiveDate, NaiveDateTime,
    PendingTransaction, TransactionType,
};
use proptest::collection::vec;
use proptest::prelude::*;

const ACCOUNTS: [(&str, &str); 3] = [
    ("BCA", "8830-112-456"),
    ("MANDIRI", "137-00-1122334-5"),
    ("BNI", "535-288-9976"), // not watched
];
const AMOUNTS: [&str; 3] = ["50000", "100000", "150000.00"];
const NAMES: [&str; 5] = [
    "ANDI WIJAYA",
    "BUDI SANTOSO",
    "Budi Santoso Putra",
    "CITRA LESTARI",
    "EKO",
];
const LIMIT: &str = "100000";

fn minute(day: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 5, 16 + day)
        .unwrap()
        .and_hms_opt(m / 60, m % 60, (m * 7) % 60)
        .unwrap()
}

/// A moment on one of two days, often near a busy hour or near midnight.
fn moment() -> impl Strategy<Value = NaiveDateTime> {
    prop_oneof![
        3 => (0u32..2, 600u32..840).prop_map(|(d, m)| minute(d, m)),
        1 => (1380u32..1440).prop_map(|m| minute(0, m)),
        1 => (0u32..60).prop_map(|m| minute(1, m)),
        1 => (0u32..2, 0u32..1440).prop_map(|(d, m)| minute(d, m)),
    ]
}

fn request() -> impl Strategy<Value = PendingTransaction> {
    (
        0u32..60,
        moment(),
        0..AMOUNTS.len(),
        0..NAMES.len(),
        0..ACCOUNTS.len(),
        prop::bool::weighted(0.95),
    )
        .prop_map(
            |(id, date, amount, name, account, deposit)| PendingTransaction {
                id: format!("T{id}"),
                user: format!("u{id}"),
                date,
                r#type: if deposit {
                    TransactionType::Deposit
                } else {
                    TransactionType::Withdraw
                },
                game: String::new(),
                bank_acc_name: NAMES[name].to_owned(),
                bank_name: String::new(),
                bank_acc_number: String::new(),
                amount: AMOUNTS[amount].parse().unwrap(),
                destination_bank: ACCOUNTS[account].0.to_owned(),
                destination_acc_number: ACCOUNTS[account].1.to_owned(),
            },
        )
}

fn sender() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        2 => Just(None),
        3 => (0..NAMES.len()).prop_map(|n| Some(NAMES[n].to_lowercase())),
        2 => (0..NAMES.len(), 6usize..12).prop_map(|(n, cut)| Some(NAMES[n].chars().take(cut).collect())),
        1 => Just(Some("RINA AMELIA".to_owned())),
        1 => Just(Some(" - ".to_owned())),
    ]
}

fn credit() -> impl Strategy<Value = Credit> {
    (
        0u32..40,
        prop::option::weighted(0.95, moment()),
        0..AMOUNTS.len(),
        sender(),
        0..ACCOUNTS.len(),
    )
        .prop_map(|(r, posted_at, amount, sender_name, account)| Credit {
            r#ref: format!("C{r}"),
            account: Account::new("account", ACCOUNTS[account].0, ACCOUNTS[account].1).unwrap(),
            posted_at,
            amount: AMOUNTS[amount].parse().unwrap(),
            sender_name,
            description: None,
        })
}

#[derive(Debug, Clone)]
struct Day {
    pending: Vec<PendingTransaction>,
    credits: Vec<Credit>,
    rules: MatchRules,
}

/// A credit paying request `index` (when there is one): its account and
/// amount, `offset` minutes after it, the name as given, cut short, absent
/// or another.
fn echo(
    pending: &[PendingTransaction],
    k: usize,
    (index, offset, mode, cut): (usize, i64, u8, usize),
) -> Option<Credit> {
    let r = pending.get(index)?;
    let name = match mode {
        0 => None,
        1 => Some(r.bank_acc_name.to_uppercase()),
        2 => Some(r.bank_acc_name.chars().take(cut).collect()),
        _ => Some("RINA AMELIA".to_owned()),
    };
    Some(Credit {
        r#ref: format!("E{k}"),
        account: Account::new("account", &r.destination_bank, &r.destination_acc_number).unwrap(),
        posted_at: r
            .date
            .checked_add_signed(chrono::TimeDelta::minutes(offset)),
        amount: r.amount,
        sender_name: name,
        description: None,
    })
}

fn day() -> impl Strategy<Value = Day> {
    (
        vec(request(), 0..24),
        vec(credit(), 0..10),
        vec((0usize..24, -20i64..200, 0u8..4, 6usize..12), 0..24),
        vec(0usize..40, 0..4),
        vec(0usize..40, 0..3),
        vec(0usize..24, 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(pending, mut credits, echoes, copies, claimed, approved, limit)| {
                credits.extend(
                    echoes
                        .into_iter()
                        .enumerate()
                        .filter_map(|(k, e)| echo(&pending, k, e)),
                );
                // Credits delivered more than once.
                for i in copies {
                    if let Some(c) = credits.get(i).cloned() {
                        credits.push(c);
                    }
                }
                let mut rules = MatchRules::new(
                    ACCOUNTS[..2]
                        .iter()
                        .map(|(b, n)| Account::new("a", b, n).unwrap())
                        .collect(),
                );
                rules.claimed_refs = claimed
                    .iter()
                    .filter_map(|i| credits.get(*i))
                    .map(|c| c.r#ref.clone())
                    .collect();
                rules.approved_trans_ids = approved
                    .iter()
                    .filter_map(|i| pending.get(*i))
                    .map(|r| r.id.clone())
                    .collect();
                rules.max_auto_amount = limit.then(|| LIMIT.parse().unwrap());
                Day {
                    pending,
                    credits,
                    rules,
                }
            },
        )
}

// ------------------------------------------------------- the rules, read pair by pair

fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

fn same_account(bank: &str, number: &str, a: &Account) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    fold(bank) == fold(a.bank()) && digits(number) == digits(a.number())
}

fn watched(rules: &MatchRules, bank: &str, number: &str) -> bool {
    rules.accounts.iter().any(|a| same_account(bank, number, a))
}

fn name_ok(sender: Option<&str>, account_name: &str) -> bool {
    let account = fold(account_name);
    match sender.map(fold).filter(|s| !s.is_empty()) {
        None => true,
        Some(s) => s == account || (s.chars().count() >= 8 && account.starts_with(&s)),
    }
}

/// Rules 1-4 for one pair (the claimed and undated checks included).
fn eligible(rules: &MatchRules, r: &PendingTransaction, c: &Credit) -> bool {
    let Some(t) = c.posted_at else { return false };
    r.r#type == TransactionType::Deposit
        && !rules.claimed_refs.contains(&c.r#ref)
        && watched(rules, &r.destination_bank, &r.destination_acc_number)
        && same_account(&r.destination_bank, &r.destination_acc_number, &c.account)
        && c.amount == r.amount
        && t >= r.date - chrono_secs(rules.window_before_secs)
        && t <= r.date + chrono_secs(rules.window_after_secs)
        && t.date() == r.date.date()
        && name_ok(c.sender_name.as_deref(), &r.bank_acc_name)
}

fn chrono_secs(s: u32) -> chrono::TimeDelta {
    chrono::TimeDelta::seconds(i64::from(s))
}

/// Whether two copies of a credit are the same credit delivered again.
fn same_copy(a: &Credit, b: &Credit) -> bool {
    a.account == b.account
        && a.posted_at == b.posted_at
        && a.amount == b.amount
        && Some(fold(a.sender_name.as_deref().unwrap_or(""))).filter(|s| !s.is_empty())
            == Some(fold(b.sender_name.as_deref().unwrap_or(""))).filter(|s| !s.is_empty())
}

struct Oracle<'a> {
    day: &'a Day,
    /// Deposit rows by trans_id.
    requests: BTreeMap<&'a str, Vec<&'a PendingTransaction>>,
    /// Credit copies by ref.
    credits: BTreeMap<&'a str, Vec<&'a Credit>>,
}

impl<'a> Oracle<'a> {
    fn new(day: &'a Day) -> Oracle<'a> {
        let mut requests: BTreeMap<&str, Vec<&PendingTransaction>> = BTreeMap::new();
        for r in day
            .pending
            .iter()
            .filter(|r| r.r#type == TransactionType::Deposit)
        {
            requests.entry(&r.id).or_default().push(r);
        }
        let mut credits: BTreeMap<&str, Vec<&Credit>> = BTreeMap::new();
        for c in &day.credits {
            credits.entry(&c.r#ref).or_default().push(c);
        }
        Oracle {
            day,
            requests,
            credits,
        }
    }

    fn request_conflicts(&self, id: &str) -> bool {
        let rows = &self.requests[id];
        rows.iter().any(|r| *r != rows[0])
    }

    fn credit_conflicts(&self, r: &str) -> bool {
        let copies = &self.credits[r];
        copies.iter().any(|c| !same_copy(c, copies[0]))
    }

    /// The refs eligible for any row of request `id`.
    fn eligible_for(&self, id: &str) -> BTreeSet<&'a str> {
        let mut out = BTreeSet::new();
        for row in &self.requests[id] {
            for c in &self.day.credits {
                if eligible(&self.day.rules, row, c) {
                    out.insert(c.r#ref.as_str());
                }
            }
        }
        out
    }

    /// The trans_ids a credit ref (any copy) is eligible for.
    fn takers(&self, r: &str) -> BTreeSet<&'a str> {
        let mut out = BTreeSet::new();
        for c in &self.credits[r] {
            for row in &self.day.pending {
                if eligible(&self.day.rules, row, c) {
                    out.insert(row.id.as_str());
                }
            }
        }
        out
    }

    /// Whether request `id` can be told apart: not held by a request-level
    /// rule, some credit eligible, and each eligible credit eligible for it
    /// alone and without conflicting copies.
    fn distinct(&self, id: &str) -> bool {
        let rules = &self.day.rules;
        let row = self.requests[id][0];
        let credits = self.eligible_for(id);
        !self.request_conflicts(id)
            && !rules.approved_trans_ids.contains(id)
            && rules.max_auto_amount.is_none_or(|m| row.amount <= m)
            && !credits.is_empty()
            && credits.iter().all(|c| {
                !self.credit_conflicts(c)
                    && self.takers(c).len() == 1
                    && self.takers(c).contains(id)
            })
    }

    /// The credit a distinct request takes: the earliest, then the
    /// smallest ref.
    fn earliest(&self, id: &str) -> &'a str {
        self.eligible_for(id)
            .into_iter()
            .min_by_key(|r| (self.credits[r][0].posted_at, *r))
            .unwrap()
    }
}

fn check(day: &Day, plan: &MatchPlan) -> Result<(), TestCaseError> {
    let oracle = Oracle::new(day);
    // Every credit exactly once; every deposit request exactly once.
    let mut seen: Vec<&str> = plan.approve.iter().map(|a| a.credit.as_str()).collect();
    seen.extend(plan.unclaimed.iter().map(|u| u.credit.as_str()));
    seen.sort_unstable();
    let refs: Vec<&str> = oracle.credits.keys().copied().collect();
    prop_assert_eq!(&seen, &refs, "every credit once");
    let mut ids: Vec<&str> = plan.approve.iter().map(|a| a.trans_id.as_str()).collect();
    ids.extend(plan.hold.iter().map(|h| h.trans_id.as_str()));
    ids.sort_unstable();
    let wanted: Vec<&str> = oracle.requests.keys().copied().collect();
    prop_assert_eq!(&ids, &wanted, "every request once");

    // Each approval: the rules, two-way uniqueness, the earliest credit.
    for a in &plan.approve {
        prop_assert!(
            oracle.distinct(&a.trans_id),
            "approved but not distinct: {:?}",
            a
        );
        let row = oracle.requests[a.trans_id.as_str()][0];
        let c = oracle.credits[a.credit.as_str()][0];
        prop_assert!(eligible(&day.rules, row, c), "not eligible: {:?}", a);
        prop_assert_eq!(a.credit.as_str(), oracle.earliest(&a.trans_id));
        prop_assert_eq!(a.amount, row.amount);
    }
    // What can be told apart is approved.
    let approved: BTreeSet<&str> = plan.approve.iter().map(|a| a.trans_id.as_str()).collect();
    for id in oracle.requests.keys() {
        prop_assert_eq!(
            approved.contains(id),
            oracle.distinct(id),
            "{} distinct: {}",
            id,
            oracle.distinct(id)
        );
    }
    // A hold's candidates are unclaimed with the hold's reason.
    let reasons: BTreeMap<&str, MatchReason> = plan
        .unclaimed
        .iter()
        .map(|u| (u.credit.as_str(), u.reason))
        .collect();
    for h in &plan.hold {
        for c in &h.candidates {
            prop_assert_eq!(reasons.get(c.as_str()), Some(&h.reason), "{:?}", h);
        }
    }
    // Double transfers are credits of an approved (or before approved)
    // request.
    for u in plan
        .unclaimed
        .iter()
        .filter(|u| u.reason == MatchReason::DoubleTransfer)
    {
        let takers = oracle.takers(&u.credit);
        prop_assert_eq!(takers.len(), 1);
        let id = takers.iter().next().unwrap();
        prop_assert!(
            approved.contains(id) || day.rules.approved_trans_ids.contains(*id),
            "{:?}",
            u
        );
    }
    Ok(())
}

/// A Fisher-Yates shuffle driven by `seed` (SplitMix64).
fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut out = items.to_vec();
    let mut s = seed;
    for i in (1..out.len()).rev() {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let j = usize::try_from((z ^ (z >> 31)) % (i as u64 + 1)).unwrap();
        out.swap(i, j);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_plan_keeps_every_rule(day in day()) {
        let plan = match_deposits(&day.pending, &day.credits, &day.rules);
        check(&day, &plan)?;
    }

    #[test]
    fn a_plan_does_not_depend_on_input_order(day in day(), a in any::<u64>(), b in any::<u64>()) {
        let plan = match_deposits(&day.pending, &day.credits, &day.rules);
        let again = match_deposits(&shuffled(&day.pending, a), &shuffled(&day.credits, b), &day.rules);
        prop_assert_eq!(plan, again);
    }
}

#[test]
fn the_generator_makes_the_hard_cases() {
    // Guards the properties against a generator that stopped producing
    // what they are about.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut reasons = BTreeSet::new();
    let mut approvals = 0;
    for _ in 0..400 {
        let day = day().new_tree(&mut runner).unwrap().current();
        let plan = match_deposits(&day.pending, &day.credits, &day.rules);
        approvals += plan.approve.len();
        reasons.extend(plan.hold.iter().map(|h| h.reason));
        reasons.extend(plan.unclaimed.iter().map(|u| u.reason));
    }
    assert!(approvals > 200, "{approvals} approvals");
    assert_eq!(reasons.len(), 10, "{reasons:?}");
}

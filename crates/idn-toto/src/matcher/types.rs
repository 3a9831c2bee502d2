//! The matcher's values: receiving accounts, bank credits, the rules, and
//! the plan with its reason codes.

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::names::fold;
pub use super::names::{NameMatch, MIN_TRUNCATED_NAME};
use super::time::parse_posted_at;
use crate::schema::error::Error;
use crate::schema::wire::{parse_decimal, ser_datetime, ser_opt_datetime};

/// How long before a request its credit may be posted (rule 3): 15 minutes.
pub const DEFAULT_WINDOW_BEFORE_SECS: u32 = 15 * 60;
/// How long after a request its credit may be posted (rule 3): 3 hours.
pub const DEFAULT_WINDOW_AFTER_SECS: u32 = 3 * 60 * 60;
/// The most candidates a hold lists (earliest first); a window full of
/// same-amount credits would otherwise make the plan as large as every pair.
pub const MAX_CANDIDATES: usize = 20;
/// The widest window accepted: the day rule makes a longer one pointless.
const MAX_WINDOW_SECS: u32 = 24 * 60 * 60;

// ---------------------------------------------------------------- Account

/// A receiving bank account, written `BANK:NUMBER` (`BCA:8830-112-456`).
///
/// Two accounts are the same when their banks fold to the same letters and
/// digits (case, spaces and punctuation ignored: `bca`, `BCA`) and their
/// numbers have the same digits (`8830-112-456` is `8830112456`).
#[derive(Debug, Clone)]
pub struct Account {
    bank: String,
    number: String,
    key: AccountKey,
}

/// What an account is compared by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct AccountKey {
    bank: String,
    digits: String,
}

impl AccountKey {
    /// The key of a pending row's destination (server data: the digits of
    /// whatever is there); `None` when the bank or the digits are missing.
    pub(crate) fn of(bank: &str, number: &str) -> Option<AccountKey> {
        let bank = fold(bank);
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        (!bank.is_empty() && !digits.is_empty()).then_some(AccountKey { bank, digits })
    }
}

impl Account {
    /// Reads `BANK:NUMBER`; `field` names the input in the error.
    pub fn parse(field: &str, text: &str) -> Result<Account, Error> {
        let Some((bank, number)) = text.split_once(':') else {
            return Err(Error::invalid(
                field,
                format!("an account is written BANK:NUMBER (BCA:8830112456), got {text:?}"),
            ));
        };
        Account::new(field, bank, number)
    }

    /// An account from its bank and number. The number holds digits, with
    /// `-`, `.`, `/` or spaces between them; the bank at least one letter or
    /// digit.
    pub fn new(field: &str, bank: &str, number: &str) -> Result<Account, Error> {
        let (bank, number) = (bank.trim(), number.trim());
        if fold(bank).is_empty() {
            return Err(Error::invalid(field, "the bank (before ':') is missing"));
        }
        let allowed = |c: char| c.is_ascii_digit() || matches!(c, '-' | '.' | '/' | ' ');
        if !number.chars().all(allowed) || !number.chars().any(|c| c.is_ascii_digit()) {
            return Err(Error::invalid(
                field,
                format!(
                    "an account number holds digits (with - . / or spaces between them), got {number:?}"
                ),
            ));
        }
        let key = AccountKey::of(bank, number).ok_or_else(|| Error::invalid(field, "empty"))?;
        Ok(Account {
            bank: bank.to_owned(),
            number: number.to_owned(),
            key,
        })
    }

    /// The bank, as written.
    pub fn bank(&self) -> &str {
        &self.bank
    }

    /// The account number, as written.
    pub fn number(&self) -> &str {
        &self.number
    }

    pub(crate) fn key(&self) -> &AccountKey {
        &self.key
    }

    /// What the account is compared by, as text: the folded bank and the
    /// digits (`BCA:8830112456`).
    pub fn canonical(&self) -> String {
        format!("{}:{}", self.key.bank, self.key.digits)
    }
}

impl PartialEq for Account {
    fn eq(&self, other: &Account) -> bool {
        self.key == other.key
    }
}

impl Eq for Account {}

impl std::hash::Hash for Account {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.bank, self.number)
    }
}

impl Serialize for Account {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

// ---------------------------------------------------------------- Credit

/// One money-in line of a bank statement (or a mutation of a feed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credit {
    /// The feed's unique id of the credit, or a fingerprint of account,
    /// time, amount and running balance when the feed has none
    /// ([`credit_fingerprint`](super::credit_fingerprint)). A credit
    /// delivered several times under one ref counts once.
    pub r#ref: String,
    /// The account the money went into.
    pub account: Account,
    /// When the bank posted it, in the server's zone (WIB); `None` for a
    /// pending statement row (not dated yet): such a credit is never
    /// approved.
    #[serde(serialize_with = "ser_opt_datetime")]
    pub posted_at: Option<NaiveDateTime>,
    /// The amount, exact (greater than zero).
    pub amount: Decimal,
    /// The sender's name as the bank shows it (possibly cut short).
    pub sender_name: Option<String>,
    /// The bank's free text.
    pub description: Option<String>,
}

impl Credit {
    /// Reads one credit from JSON: `{"ref", "account": "BANK:NUMBER",
    /// "posted_at": "YYYY-MM-DD HH:MM:SS" | null, "amount": "100000",
    /// "sender_name"?, "description"?}`. `field` prefixes the error's field
    /// (`credits[3]`).
    pub fn from_json(v: &Value, field: &str) -> Result<Credit, Error> {
        let Some(map) = v.as_object() else {
            return Err(Error::invalid(field, "a credit is a JSON object"));
        };
        only(
            map,
            field,
            &[
                "ref",
                "account",
                "posted_at",
                "amount",
                "sender_name",
                "description",
            ],
        )?;
        let at = |k: &str| format!("{field}.{k}");
        let r#ref = opt_text(map, field, "ref")?
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| Error::invalid(at("ref"), "required: the feed's id of the credit"))?;
        let account = match opt_text(map, field, "account")? {
            Some(a) => Account::parse(&at("account"), &a)?,
            None => return Err(Error::invalid(at("account"), "required (BANK:NUMBER)")),
        };
        let posted_at = match opt_text(map, field, "posted_at")? {
            None => None,
            Some(t) if t.trim().is_empty() => None,
            Some(t) => Some(parse_posted_at(&t).map_err(|e| Error::invalid(at("posted_at"), e))?),
        };
        let amount = match map.get("amount") {
            Some(Value::String(s)) => credit_amount(s),
            Some(Value::Number(n)) => credit_amount(&n.to_string()),
            _ => Err("required: a decimal string such as \"100000\"".to_owned()),
        }
        .map_err(|e| Error::invalid(at("amount"), e))?;
        Ok(Credit {
            r#ref,
            account,
            posted_at,
            amount,
            sender_name: opt_text(map, field, "sender_name")?.filter(|s| !s.trim().is_empty()),
            description: opt_text(map, field, "description")?.filter(|s| !s.trim().is_empty()),
        })
    }

    /// Reads a JSON array of credits (errors name `credits[i].field`).
    pub fn list_from_json(v: &Value) -> Result<Vec<Credit>, Error> {
        let Some(items) = v.as_array() else {
            return Err(Error::invalid("credits", "a JSON array of credits"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, c)| Credit::from_json(c, &format!("credits[{i}]")))
            .collect()
    }
}

/// A credit's amount from its literal: exact, greater than zero, at most
/// two decimal places that aren't zeros, and never with exactly three
/// decimals (`100.000` is how Indonesian statements write one hundred
/// thousand: read as a decimal point it would be one hundred).
pub(crate) fn credit_amount(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    if t.split_once('.').is_some_and(|(_, f)| f.len() == 3) {
        return Err(format!(
            "{text:?} has three decimals: a thousands separator? write plain digits (100000 or 100000.00)"
        ));
    }
    if t.contains(['e', 'E']) {
        return Err(format!("{text:?}: write plain digits, no exponent"));
    }
    let d = parse_decimal(t)?;
    if d <= Decimal::ZERO {
        return Err(format!("{text:?}: a credit is greater than zero"));
    }
    if d.normalize().scale() > 2 {
        return Err(format!("{text:?}: more precise than a cent"));
    }
    Ok(d)
}

fn only(map: &Map<String, Value>, field: &str, known: &[&str]) -> Result<(), Error> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(Error::invalid(
            format!("{field}.{k}"),
            format!("unknown field (known: {})", known.join(", ")),
        )),
        None => Ok(()),
    }
}

/// A text field: a string, or the digits of a number; `null`/absent is
/// `None`.
fn opt_text(map: &Map<String, Value>, field: &str, key: &str) -> Result<Option<String>, Error> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(Error::invalid(format!("{field}.{key}"), "must be text")),
    }
}

// ---------------------------------------------------------------- MatchRules

/// What `match_deposits` checks a pair against (defaults: the windows of
/// rule 3, no amount limit, nothing claimed before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRules {
    /// The receiving accounts the matcher watches: a credit into another
    /// account is `unknown_account`, and so is a request to another one.
    pub accounts: Vec<Account>,
    /// Requests strictly above this amount are held `over_limit` (rule 7).
    pub max_auto_amount: Option<Decimal>,
    /// A credit may be posted this many seconds before the request.
    pub window_before_secs: u32,
    /// A credit may be posted this many seconds after the request.
    pub window_after_secs: u32,
    /// Credit refs spent on an approval before (a re-run, a second
    /// matcher): `already_claimed`, never approved again.
    pub claimed_refs: BTreeSet<String>,
    /// Requests approved before that the pending list still shows (a stale
    /// list, an unknown outcome): held `already_claimed`, and a credit for
    /// them is a `double_transfer`.
    pub approved_trans_ids: BTreeSet<String>,
}

impl MatchRules {
    /// The rules for these receiving accounts, everything else default.
    pub fn new(accounts: Vec<Account>) -> MatchRules {
        MatchRules {
            accounts,
            max_auto_amount: None,
            window_before_secs: DEFAULT_WINDOW_BEFORE_SECS,
            window_after_secs: DEFAULT_WINDOW_AFTER_SECS,
            claimed_refs: BTreeSet::new(),
            approved_trans_ids: BTreeSet::new(),
        }
    }

    /// Reads `{"accounts": ["BCA:8830112456"], "max_auto_amount"?,
    /// "window_before_secs"?, "window_after_secs"?, "claimed_refs"?,
    /// "approved_trans_ids"?}`; an unknown key is refused.
    pub fn from_json(v: &Value) -> Result<MatchRules, Error> {
        let Some(map) = v.as_object() else {
            return Err(Error::invalid("rules", "the rules are a JSON object"));
        };
        only(
            map,
            "rules",
            &[
                "accounts",
                "max_auto_amount",
                "window_before_secs",
                "window_after_secs",
                "claimed_refs",
                "approved_trans_ids",
            ],
        )?;
        let strings = |key: &str| -> Result<Vec<String>, Error> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, s)| match s {
                        Value::String(s) => Ok(s.clone()),
                        _ => Err(Error::invalid(format!("{key}[{i}]"), "must be text")),
                    })
                    .collect(),
                Some(_) => Err(Error::invalid(key, "a JSON array of strings")),
            }
        };
        let accounts = strings("accounts")?
            .iter()
            .enumerate()
            .map(|(i, a)| Account::parse(&format!("accounts[{i}]"), a))
            .collect::<Result<Vec<_>, _>>()?;
        let mut rules = MatchRules::new(accounts);
        rules.max_auto_amount = match map.get("max_auto_amount") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(limit(s)?),
            Some(Value::Number(n)) => Some(limit(&n.to_string())?),
            Some(_) => return Err(Error::invalid("max_auto_amount", "a decimal string")),
        };
        for (key, slot) in [
            ("window_before_secs", &mut rules.window_before_secs),
            ("window_after_secs", &mut rules.window_after_secs),
        ] {
            match map.get(key) {
                None | Some(Value::Null) => {}
                Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
                    Some(n) if n <= MAX_WINDOW_SECS => *slot = n,
                    _ => {
                        return Err(Error::invalid(
                            key,
                            format!("whole seconds from 0 to {MAX_WINDOW_SECS}"),
                        ))
                    }
                },
            }
        }
        rules.claimed_refs = strings("claimed_refs")?.into_iter().collect();
        rules.approved_trans_ids = strings("approved_trans_ids")?.into_iter().collect();
        Ok(rules)
    }

    /// The rules as the JSON [`MatchRules::from_json`] reads.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "accounts": self.accounts.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "max_auto_amount": self.max_auto_amount.map(|d| d.to_string()),
            "window_before_secs": self.window_before_secs,
            "window_after_secs": self.window_after_secs,
            "claimed_refs": self.claimed_refs,
            "approved_trans_ids": self.approved_trans_ids,
        })
    }
}

fn limit(text: &str) -> Result<Decimal, Error> {
    parse_decimal(text)
        .ok()
        .filter(|d| *d >= Decimal::ZERO)
        .ok_or_else(|| {
            Error::invalid(
                "max_auto_amount",
                format!("a decimal amount (0 or more), got {text:?}"),
            )
        })
}

// ---------------------------------------------------------------- the plan

/// Why a request is held or a credit left unclaimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchReason {
    /// No credit of the request's account and amount is near it.
    NoCredit,
    /// A credit could belong to more than one request (or a feed or the
    /// pending list says two things under one id).
    Ambiguous,
    /// The only credits that would fit carry another sender name.
    NameMismatch,
    /// The credit is on the request's day but outside its window (or the
    /// credit has no date yet).
    OutsideWindow,
    /// The credit is within the window but on another calendar day.
    CrossDay,
    /// The request is above `max_auto_amount`.
    OverLimit,
    /// A further credit for a request that has one (approved now or
    /// before).
    DoubleTransfer,
    /// The account is not one the matcher watches.
    UnknownAccount,
    /// The credit was spent before, or the request approved before.
    AlreadyClaimed,
    /// No pending request fits the credit.
    NoRequest,
}

impl MatchReason {
    /// The reason code (`no_credit`, `ambiguous`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            MatchReason::NoCredit => "no_credit",
            MatchReason::Ambiguous => "ambiguous",
            MatchReason::NameMismatch => "name_mismatch",
            MatchReason::OutsideWindow => "outside_window",
            MatchReason::CrossDay => "cross_day",
            MatchReason::OverLimit => "over_limit",
            MatchReason::DoubleTransfer => "double_transfer",
            MatchReason::UnknownAccount => "unknown_account",
            MatchReason::AlreadyClaimed => "already_claimed",
            MatchReason::NoRequest => "no_request",
        }
    }
}

impl fmt::Display for MatchReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The deposit matcher's answer: what to approve, what to hold, and the
/// credits nothing may take. Every credit appears exactly once, as an
/// approval's `credit` or in `unclaimed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MatchPlan {
    /// Pairs that satisfy every rule and can be told apart from everything
    /// else, by request date then trans_id.
    pub approve: Vec<Approval>,
    /// Requests not approved, with the reason, by request date then
    /// trans_id.
    pub hold: Vec<Hold>,
    /// Credits not approved, with the reason, by ref.
    pub unclaimed: Vec<Unclaimed>,
}

impl MatchPlan {
    /// Nothing held and nothing unclaimed.
    pub fn is_settled(&self) -> bool {
        self.hold.is_empty() && self.unclaimed.is_empty()
    }

    /// `{"approve": [...], "hold": [...], "unclaimed": [...]}`.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A request to accept, with the credit that pays it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// The pending request's transaction ID.
    pub trans_id: String,
    /// Its user.
    pub user: String,
    /// Its amount.
    pub amount: Decimal,
    /// The credit's ref.
    pub credit: String,
    /// Why the pair is certain.
    pub evidence: MatchEvidence,
}

/// What an approval rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchEvidence {
    /// The receiving account (the credit's, as the feed wrote it).
    pub account: Account,
    /// The request's date.
    #[serde(serialize_with = "ser_datetime")]
    pub requested_at: NaiveDateTime,
    /// The credit's posting time.
    #[serde(serialize_with = "ser_datetime")]
    pub posted_at: NaiveDateTime,
    /// `posted_at - requested_at` in seconds (negative: before).
    pub offset_secs: i64,
    /// How the sender name matched.
    pub name: NameMatch,
    /// The credit's sender name, as the bank shows it.
    pub sender_name: Option<String>,
    /// Further credits for this request (a double transfer), unclaimed.
    pub double_transfer: Vec<String>,
}

/// A request the matcher does not approve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hold {
    /// The pending request's transaction ID.
    pub trans_id: String,
    /// Its user.
    pub user: String,
    /// Its amount.
    pub amount: Decimal,
    /// Why.
    pub reason: MatchReason,
    /// The credits that explain it (each unclaimed with this same reason),
    /// earliest first, at most [`MAX_CANDIDATES`].
    pub candidates: Vec<String>,
}

/// A credit nothing may take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unclaimed {
    /// The credit's ref.
    pub credit: String,
    /// Why.
    pub reason: MatchReason,
}

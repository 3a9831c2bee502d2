//! The seed: the data a sandbox starts from (and returns to on reset).
//!
//! The JSON format is documented in the crate README; the built-in seed is the crate's
//! `seed.json`.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::bank::{self, BankCredit, RawBankCredit, RawTransfer};
use crate::dates;
use crate::model::{
    Draw, FullTransaction, Game, HistoryEntry, Invoice, InvoiceStatus, Pending, Status, TxKind,
    User,
};
use crate::money::Money;

/// The built-in seed's JSON text.
const BUILTIN: &str = include_str!("../seed.json");

/// A validated seed: users, pending transactions, history, games, reports, invoices.
#[derive(Debug, Clone)]
pub struct Seed {
    pub(crate) today: NaiveDate,
    pub(crate) full_transaction_page_size: usize,
    pub(crate) pga_per_page: usize,
    pub(crate) banks: Vec<String>,
    pub(crate) users: Vec<User>,
    pub(crate) pending: Vec<Pending>,
    /// Oldest first.
    pub(crate) history: Vec<HistoryEntry>,
    pub(crate) games: Vec<Game>,
    pub(crate) full_transactions: Vec<FullTransaction>,
    pub(crate) pga: Vec<Invoice>,
    /// The day's bank statement (`/__sandbox/bank/credits`).
    pub(crate) bank: Vec<BankCredit>,
}

/// Why a seed was refused; the message names the offending entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedError(String);

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid seed: {}", self.0)
    }
}

impl std::error::Error for SeedError {}

impl Seed {
    /// The built-in seed (`seed.json` in this crate).
    pub fn builtin() -> Seed {
        // The built-in seed is checked by this crate's tests (`builtin_seed_is_valid`),
        // so this cannot fail in a tested build; fall back to an empty seed regardless.
        Seed::from_json(BUILTIN).unwrap_or_else(|_| Seed::empty())
    }

    /// The built-in seed's JSON text, e.g. as a starting point for a custom seed.
    pub fn builtin_json() -> &'static str {
        BUILTIN
    }

    /// Parses and validates a seed from its JSON text.
    pub fn from_json(text: &str) -> Result<Seed, SeedError> {
        let raw: RawSeed =
            serde_json::from_str(text).map_err(|e| SeedError(format!("json: {e}")))?;
        raw.validate()
    }

    /// Overrides "today" (`YYYY-MM-DD`): the date `full_transaction` reports without a
    /// `date` parameter, and the day the sandbox's clock starts on.
    pub fn set_today(&mut self, date: &str) -> Result<(), SeedError> {
        self.today = dates::parse_ymd(date)
            .ok_or_else(|| SeedError(format!("today: {date:?} is not a YYYY-MM-DD date")))?;
        Ok(())
    }

    /// "Today" as `YYYY-MM-DD`.
    pub fn today(&self) -> String {
        self.today.format("%Y-%m-%d").to_string()
    }

    fn empty() -> Seed {
        Seed {
            today: NaiveDate::default(),
            full_transaction_page_size: 10,
            pga_per_page: 5,
            banks: Vec::new(),
            users: Vec::new(),
            pending: Vec::new(),
            history: Vec::new(),
            games: Vec::new(),
            full_transactions: Vec::new(),
            pga: Vec::new(),
            bank: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeed {
    today: String,
    #[serde(default = "default_full_page_size")]
    full_transaction_page_size: usize,
    #[serde(default = "default_pga_per_page")]
    pga_per_page: usize,
    #[serde(default)]
    banks: Vec<String>,
    #[serde(default)]
    users: Vec<RawUser>,
    #[serde(default)]
    pending: Vec<RawPending>,
    #[serde(default)]
    history: Vec<RawHistory>,
    #[serde(default)]
    games: Vec<RawGame>,
    #[serde(default)]
    full_transactions: Vec<RawFullTransaction>,
    #[serde(default)]
    pga: Vec<RawInvoice>,
    /// Money into the receiving accounts that no request is for.
    #[serde(default)]
    bank_credits: Vec<RawBankCredit>,
}

fn default_full_page_size() -> usize {
    10
}

fn default_pga_per_page() -> usize {
    5
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    user: String,
    balance: String,
    #[serde(default)]
    game: String,
    #[serde(default)]
    bank_name: String,
    #[serde(default)]
    bank_acc_name: String,
    #[serde(default)]
    bank_acc_number: String,
    joindate: String,
    #[serde(default)]
    referrer: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPending {
    id: String,
    user: String,
    #[serde(rename = "type")]
    kind: String,
    date: String,
    amount: String,
    destination_bank: String,
    #[serde(default)]
    destination_acc_name: String,
    #[serde(default)]
    destination_acc_number: String,
    /// How the bank shows this deposit's transfers (default: one, 120 s
    /// after the request, from the user's `bank_acc_name`).
    #[serde(default)]
    credits: Option<Vec<RawTransfer>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHistory {
    user: String,
    #[serde(rename = "type")]
    kind: String,
    date: String,
    amount: String,
    status: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGame {
    gamecode: String,
    pasar: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    results: Vec<RawDraw>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDraw {
    periode: String,
    tanggal: String,
    angka: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFullTransaction {
    user: String,
    date: String,
    periode: String,
    gamecode: String,
    pasar: String,
    turnover: String,
    winlose: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInvoice {
    id_invoice: String,
    ref_no: String,
    status: String,
    by: String,
    user: String,
    request_date: String,
    processed_date: String,
    amount: String,
    destination_bank: String,
}

fn kind(text: &str, at: &str) -> Result<TxKind, SeedError> {
    match text {
        "deposit" => Ok(TxKind::Deposit),
        "withdraw" => Ok(TxKind::Withdraw),
        _ => Err(SeedError(format!(
            "{at}: type {text:?} is not \"deposit\" or \"withdraw\""
        ))),
    }
}

fn money(text: &str, at: &str) -> Result<Money, SeedError> {
    Money::parse(text).ok_or_else(|| SeedError(format!("{at}: {text:?} is not an exact amount")))
}

fn positive(text: &str, at: &str) -> Result<Money, SeedError> {
    Money::parse_positive(text)
        .ok_or_else(|| SeedError(format!("{at}: {text:?} is not a positive exact amount")))
}

fn date(text: &str, format: &str, at: &str) -> Result<String, SeedError> {
    if dates::is_valid(text, format) {
        Ok(text.to_owned())
    } else {
        Err(SeedError(format!(
            "{at}: {text:?} is not a date in the format {format} (d = digit)"
        )))
    }
}

impl RawSeed {
    fn validate(self) -> Result<Seed, SeedError> {
        let today = dates::parse_ymd(&self.today)
            .ok_or_else(|| SeedError(format!("today: {:?} is not YYYY-MM-DD", self.today)))?;
        if self.full_transaction_page_size == 0 || self.pga_per_page == 0 {
            return Err(SeedError(String::from("page sizes must be at least 1")));
        }

        let mut index = HashMap::new();
        let mut users = Vec::with_capacity(self.users.len());
        for (i, raw) in self.users.into_iter().enumerate() {
            let at = format!("users[{i}]");
            if raw.user.is_empty() || index.insert(raw.user.to_lowercase(), i).is_some() {
                return Err(SeedError(format!(
                    "{at}: user {:?} is empty or repeated (names are case-insensitive)",
                    raw.user
                )));
            }
            users.push(User {
                balance: money(&raw.balance, &at)?,
                joindate: date(&raw.joindate, dates::YMD_TIME_7, &at)?,
                user: raw.user,
                game: raw.game,
                bank_name: raw.bank_name,
                bank_acc_name: raw.bank_acc_name,
                bank_acc_number: raw.bank_acc_number,
                referrer: raw.referrer,
            });
        }
        let find = |name: &str, at: &str| {
            index
                .get(&name.to_lowercase())
                .copied()
                .ok_or_else(|| SeedError(format!("{at}: unknown user {name:?}")))
        };
        for (i, user) in users.iter().enumerate() {
            if let Some(referrer) = &user.referrer {
                find(referrer, &format!("users[{i}].referrer"))?;
            }
        }

        let mut ids = HashSet::new();
        let mut pending = Vec::with_capacity(self.pending.len());
        let mut transfers = Vec::with_capacity(self.pending.len());
        for (i, raw) in self.pending.into_iter().enumerate() {
            let at = format!("pending[{i}]");
            if raw.id.is_empty() || !ids.insert(raw.id.clone()) {
                return Err(SeedError(format!(
                    "{at}: id {:?} is empty or repeated",
                    raw.id
                )));
            }
            transfers.push(raw.credits);
            pending.push(Pending {
                user: find(&raw.user, &at)?,
                kind: kind(&raw.kind, &at)?,
                date: date(&raw.date, dates::DMY_TIME, &at)?,
                amount: positive(&raw.amount, &at)?,
                id: raw.id,
                destination_bank: raw.destination_bank,
                destination_acc_name: raw.destination_acc_name,
                destination_acc_number: raw.destination_acc_number,
            });
        }
        let bank =
            bank::statement(&pending, transfers, &users, self.bank_credits).map_err(SeedError)?;

        let mut history = Vec::with_capacity(self.history.len());
        for (i, raw) in self.history.into_iter().enumerate() {
            let at = format!("history[{i}]");
            let status = match raw.status.as_str() {
                "ACCEPT" => Status::Accept,
                "REJECT" => Status::Reject,
                other => {
                    return Err(SeedError(format!(
                        "{at}: status {other:?} is not ACCEPT or REJECT"
                    )))
                }
            };
            history.push(HistoryEntry {
                user: find(&raw.user, &at)?,
                kind: kind(&raw.kind, &at)?,
                date: date(&raw.date, dates::YMD_TIME_MS, &at)?,
                amount: positive(&raw.amount, &at)?,
                status,
            });
        }
        // Stable: entries with equal dates keep their seed order.
        history.sort_by(|a, b| a.date.cmp(&b.date));

        let mut games = Vec::with_capacity(self.games.len());
        for (i, raw) in self.games.into_iter().enumerate() {
            let at = format!("games[{i}]");
            let mut results = Vec::with_capacity(raw.results.len());
            for (j, draw) in raw.results.into_iter().enumerate() {
                let at = format!("{at}.results[{j}]");
                results.push(Draw {
                    tanggal: date(&draw.tanggal, dates::DMY_TIME, &at)?,
                    periode: draw.periode,
                    angka: draw.angka,
                });
            }
            games.push(Game {
                gamecode: raw.gamecode,
                pasar: raw.pasar,
                kind: raw.kind,
                results,
            });
        }

        let mut full_transactions = Vec::with_capacity(self.full_transactions.len());
        for (i, raw) in self.full_transactions.into_iter().enumerate() {
            let at = format!("full_transactions[{i}]");
            if dates::parse_ymd(&raw.date).is_none() {
                return Err(SeedError(format!(
                    "{at}: date {:?} is not YYYY-MM-DD",
                    raw.date
                )));
            }
            full_transactions.push(FullTransaction {
                user: find(&raw.user, &at)?,
                turnover: money(&raw.turnover, &at)?,
                winlose: money(&raw.winlose, &at)?,
                date: raw.date,
                periode: raw.periode,
                gamecode: raw.gamecode,
                pasar: raw.pasar,
            });
        }

        let mut pga = Vec::with_capacity(self.pga.len());
        for (i, raw) in self.pga.into_iter().enumerate() {
            let at = format!("pga[{i}]");
            let status = match raw.status.as_str() {
                "Accepted" => InvoiceStatus::Accepted,
                "Unpaid" => InvoiceStatus::Unpaid,
                "Expired" => InvoiceStatus::Expired,
                other => {
                    return Err(SeedError(format!(
                        "{at}: status {other:?} is not Accepted, Unpaid or Expired"
                    )))
                }
            };
            pga.push(Invoice {
                user: find(&raw.user, &at)?,
                request_date: date(&raw.request_date, dates::YMD_TIME_MS, &at)?,
                processed_date: date(&raw.processed_date, dates::YMD_TIME_MS, &at)?,
                amount: positive(&raw.amount, &at)?,
                status,
                id_invoice: raw.id_invoice,
                ref_no: raw.ref_no,
                by: raw.by,
                destination_bank: raw.destination_bank,
            });
        }

        Ok(Seed {
            today,
            full_transaction_page_size: self.full_transaction_page_size,
            pga_per_page: self.pga_per_page,
            banks: self.banks,
            users,
            pending,
            history,
            games,
            full_transactions,
            pga,
            bank,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Seed, BUILTIN};

    #[test]
    fn builtin_seed_is_valid() {
        let seed = Seed::from_json(BUILTIN).expect("built-in seed");
        assert!((30..=40).contains(&seed.users.len()));
        assert_eq!(seed.today(), "2024-05-17");
        assert!(seed.pga.len() > seed.pga_per_page * 2);
    }

    #[test]
    fn readme_example_is_valid() {
        let readme = include_str!("../README.md");
        let start = readme.find("```json\n").expect("json block") + "```json\n".len();
        let end = start + readme[start..].find("```").expect("block end");
        let seed = Seed::from_json(&readme[start..end]).expect("README seed");
        assert_eq!(
            (seed.users.len(), seed.pending.len(), seed.pga.len()),
            (2, 1, 1)
        );
    }

    #[test]
    fn refuses_bad_seeds() {
        for bad in [
            "{}",
            "not json",
            r#"{"today":"2024-13-01"}"#,
            r#"{"today":"2024-05-17","users":[{"user":"a","balance":"x","joindate":"2017-04-27 13:27:05.5570000"}]}"#,
            r#"{"today":"2024-05-17","pending":[{"id":"1","user":"ghost","type":"deposit","date":"23-02-2021 15:38:48","amount":"1","destination_bank":"BCA"}]}"#,
            r#"{"today":"2024-05-17","typo":1}"#,
        ] {
            assert!(Seed::from_json(bad).is_err(), "{bad}");
        }
        let mut seed = Seed::builtin();
        assert!(seed.set_today("2024-02-30").is_err());
        assert!(seed.set_today("2024-02-29").is_ok());
    }
}

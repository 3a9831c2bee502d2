//! Deposit matching (issue 23): approve pending deposits from bank credits,
//! and never guess.
//!
//! [`match_deposits`] takes the pending deposits (the typed
//! `transaction_list` rows), the bank credits and the [`MatchRules`], and
//! returns a [`MatchPlan`]: `approve` (pairs that satisfy every rule and can
//! be told apart from everything else), `hold` (requests, with a reason and
//! the credits that explain it) and `unclaimed` (every credit not approved,
//! with a reason). It is pure: no IO, no clock; the plan depends only on the
//! sets given, never on their order.
//!
//! A credit is eligible for a request when all of these hold (window bounds
//! inclusive):
//! 1. it went into a watched account (`rules.accounts`) that is the
//!    request's destination (bank folded, number compared by digits), is
//!    dated, and was not claimed before (`rules.claimed_refs`); copies under
//!    one ref that agree count once, copies that disagree are never taken;
//! 2. the amounts are equal, exactly;
//! 3. it was posted from `window_before_secs` (15 min) before to
//!    `window_after_secs` (3 h) after the request, on the same calendar day;
//! 4. its sender name, when it has one, matches the request's
//!    `bank_acc_name` (case, spaces and punctuation folded; a name the bank
//!    cut short matches as a prefix of at least 8 characters).
//!
//! Then, over the whole window and not first come first served:
//! 5. a request is approved only when each of its eligible credits is
//!    eligible for it alone; otherwise every request involved is held
//!    `ambiguous` (a credit without a name is therefore approved only when
//!    no other request of the account and amount is in its window);
//! 6. a request with several credits nothing else could take is a double
//!    transfer: the earliest (then the smallest ref) is approved, the others
//!    are `unclaimed` `double_transfer`, as is a credit for a request
//!    approved before (`rules.approved_trans_ids`);
//! 7. a request strictly above `max_auto_amount` is held `over_limit`.
//!
//! Reasons, when nothing is eligible: a request is `name_mismatch` when
//! every credit that fits all but the name carries another name,
//! `cross_day` when one fits but on another day, `outside_window` when one
//! fits on the day but outside the window, else `no_credit`; a credit takes
//! the same words, else `no_request`. `unknown_account` and
//! `already_claimed` come first. A hold's `candidates` are the credits that
//! explain it, each unclaimed with that same reason. `docs/spec-notes.md`
//! (rows 150-169) gives the reasons for each rule.
//!
//! The credit feeds: [`credits_from_csv`], [`credits_from_moota`] and
//! [`credits_from_moota_signed`] (the webhook's `Signature` checked before
//! the body is read).
//!
//! ```
//! use idn_toto::{match_deposits, Account, Credit, MatchReason, MatchRules, TransactionListParams, Endpoint};
//!
//! let body = br#"{"1": {"id": "T1", "user": "andi", "date": "16-05-2024 09:00:00",
//!   "type": "deposit", "bank_acc_name": "ANDI WIJAYA", "amount": "100000.0000",
//!   "destination_bank": "BCA", "destination_acc_number": "8830-112-456"}}"#;
//! let pending = TransactionListParams::parse(200, body)?.data;
//! let credits = idn_toto::credits_from_csv(b"ref,account,posted_at,amount,sender_name,description
//! BCA-1,BCA:8830112456,2024-05-16 09:02:00,100000,ANDI WIJAYA,
//! BCA-2,BCA:8830112456,2024-05-16 09:03:00,75000,,
//! ")?;
//! let rules = MatchRules::new(vec![Account::parse("account", "BCA:8830-112-456")?]);
//! let plan = match_deposits(&pending, &credits, &rules);
//! assert_eq!(plan.approve[0].trans_id, "T1");
//! assert_eq!(plan.approve[0].credit, "BCA-1");
//! assert_eq!(plan.unclaimed[0].credit, "BCA-2");
//! assert_eq!(plan.unclaimed[0].reason, MatchReason::NoRequest);
//! # Ok::<(), idn_toto::Error>(())
//! ```

mod approve;
mod feeds;
mod names;
mod plan;
mod time;
mod types;

pub use approve::{
    approval_batch, approval_batch_json, approval_key, approved_before,
    rules_with_approved_before_json, DEFAULT_MATCH_OPERATOR, MATCH_KEY_PREFIX,
};
pub use feeds::{
    credit_fingerprint, credits_from_csv, credits_from_moota, credits_from_moota_signed,
    moota_signature, verify_moota_signature, CREDIT_CSV_COLUMNS,
};
pub use plan::match_deposits;
pub use types::{
    Account, Approval, Credit, Hold, MatchEvidence, MatchPlan, MatchReason, MatchRules, NameMatch,
    Unclaimed, DEFAULT_WINDOW_AFTER_SECS, DEFAULT_WINDOW_BEFORE_SECS, MAX_CANDIDATES,
    MIN_TRUNCATED_NAME,
};

use serde_json::Value;

use crate::schema::endpoints::transaction_list::PendingTransaction;
use crate::schema::error::Error;

/// [`match_deposits`] on JSON, for the bindings and the shared vectors:
/// `pending` is the canonical `transaction_list` answer (`{"data": [...]}`)
/// or its rows, `credits` an array of credits ([`Credit::from_json`]),
/// `rules` as [`MatchRules::from_json`]; the answer is the plan's JSON.
pub fn match_deposits_json(
    pending: &Value,
    credits: &Value,
    rules: &Value,
) -> Result<Value, Error> {
    let rows = match pending {
        Value::Array(rows) => rows,
        Value::Object(map) => match map.get("data") {
            Some(Value::Array(rows)) => rows,
            _ => {
                return Err(Error::invalid(
                    "pending",
                    "{\"data\": [rows]} or an array of rows",
                ))
            }
        },
        _ => {
            return Err(Error::invalid(
                "pending",
                "{\"data\": [rows]} or an array of rows",
            ))
        }
    };
    let pending = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            serde_json::from_str::<PendingTransaction>(&row.to_string())
                .map_err(|e| Error::invalid(format!("pending[{i}]"), e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let credits = Credit::list_from_json(credits)?;
    let rules = MatchRules::from_json(rules)?;
    Ok(match_deposits(&pending, &credits, &rules).to_json())
}

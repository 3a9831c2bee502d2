//! Sans-IO client core for the IDNPLAY *Integration Services API TOTO*
//! (version 2024.08.30).
//!
//! The crate turns typed parameters into [`Request`] descriptors (method, URL,
//! headers, body, retry-safety) and turns `(HTTP status, body bytes)` into
//! exact, typed values or a typed [`Error`]. It never opens a socket, reads a
//! clock, draws a random number or looks at the environment: the host sends
//! the request with whatever HTTP client it likes and hands the answer back.
//!
//! Money is [`rust_decimal::Decimal`], never a float. The token is redacted
//! (`***`) in every `Debug`/`Display` of the client, the request and every
//! error.
//!
//! # Example: build, send (here: a canned answer), parse
//!
//! ```
//! use idn_toto::{Client, Segment, UserBalanceParams};
//!
//! let client = Client::new("https://agent.example.com/home.php", "PWM6P4HRFR2VXBD1320EJWZ8A0EJK")?;
//! let params = UserBalanceParams { user: Segment::new("user", "LOREM")? };
//! let request = client.request(&params);
//! assert_eq!(request.method().as_str(), "GET");
//! assert_eq!(request.redacted_url(), "https://agent.example.com/home.php/***/player_info/LOREM");
//! assert!(request.is_idempotent());
//!
//! // ... send `request.url()` with your HTTP client, then:
//! let body = br#"{"success": true, "message": "Success", "user": "lorem", "balance": "8900.00"}"#;
//! let balance = client.parse::<UserBalanceParams>(200, body)?;
//! assert_eq!(balance.balance.to_string(), "8900.00");
//!
//! // A refusal is a typed error, never a silently ignored `success: false`.
//! let refused = client.parse::<UserBalanceParams>(200, br#"{"success":false,"message":"User not found"}"#);
//! assert_eq!(refused.unwrap_err().kind(), "api");
//! # Ok::<(), idn_toto::Error>(())
//! ```
//!
//! # Dynamic API
//!
//! [`dynamic::build`] and [`dynamic::parse`] take an endpoint id and JSON; they
//! are what the CLI, the shared test vectors and the language bindings use.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod api;
mod framing;
mod matcher;
mod protocol;
mod schema;

pub use api::dynamic;
pub use matcher::{
    approval_batch, approval_batch_json, approval_key, approved_before, credit_fingerprint,
    credits_from_csv, credits_from_moota, credits_from_moota_signed, match_deposits,
    match_deposits_json, moota_signature, rules_with_approved_before_json, verify_moota_signature,
    Account, Approval, Credit, Hold, MatchEvidence, MatchPlan, MatchReason, MatchRules, NameMatch,
    Unclaimed, CREDIT_CSV_COLUMNS, DEFAULT_MATCH_OPERATOR, DEFAULT_WINDOW_AFTER_SECS,
    DEFAULT_WINDOW_BEFORE_SECS, MATCH_KEY_PREFIX, MAX_CANDIDATES, MIN_TRUNCATED_NAME,
};
pub use protocol::batch::{Batch, ItemOutcome, ItemStatus};
pub use protocol::call::Call;
pub use protocol::driver::{Driver, DriverOptions, Output, Step};
pub use protocol::event::{Clock, Event, EventKind, EVENT_BODY_MAX};
pub use protocol::exchange::{retry_after_ms, Next};
pub use protocol::journal::{Journal, JournalEvent, JournalRecord, OpenMove};
pub use protocol::journal_file::{check_journal_file, JournalAppender};
pub use protocol::keys::{
    decide as decide_key, ClaimAnswer, ClaimWrite, KeyBook, KeyClaim, KeyDecision, KeyRecord,
    KeySql, KeyState, DEFAULT_LEASE_MS,
};
pub use protocol::retry::RetryPolicy;
pub use protocol::settings::Settings;
pub use protocol::settle::{Evidence, EvidenceKind, Settle, SettleState, SettleStep, Settlement};
pub use schema::client::{Client, ClientBuilder, PathWords, DEFAULT_MAX_BODY_SIZE};
pub use schema::endpoint::{Endpoint, EndpointInfo, NextPageFn};
pub use schema::endpoints::*;
pub use schema::error::{ApiErrorKind, Error};
pub use schema::id::{EndpointId, Method};
pub use schema::moves::{Action, MoneyMove, MoveParams, TxType};
pub use schema::operation_key::{OperationKey, MAX_KEY_LEN};
pub use schema::paging::{PageRows, Paged, Pages};
pub use schema::param::{Location, Param, ParamType};
pub use schema::params::{Amount, Page, PgaStatusFilter, Segment, Text};
pub use schema::request::Request;
pub use schema::table::{AnyEndpoint, AnyResponse, Visitor, ENDPOINTS};
pub use schema::unsettled::{Snapshot, Unsettled};
pub use schema::wire::{HistoryStatus, PgaProcessor, PgaStatus, TransactionType};

/// Re-exported so callers name the exact types the core returns.
pub use chrono::{NaiveDate, NaiveDateTime};
/// Re-exported so callers name the exact types the core returns.
pub use rust_decimal::Decimal;

/// The README's Rust snippets, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

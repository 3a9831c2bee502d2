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

mod any;
mod call;
mod client;
mod declare;
mod driver;
pub mod dynamic;
mod endpoint;
mod endpoints;
mod error;
mod event;
mod exchange;
mod framing;
mod journal;
mod journal_file;
mod keys;
mod matcher;
mod paging;
mod params;
mod redact;
mod request;
mod retry;
mod settings;
mod settle;
mod wire;

pub use any::{AnyEndpoint, AnyResponse, Output};
pub use call::{Call, Next};
pub use client::{Client, ClientBuilder, PathWords, DEFAULT_MAX_BODY_SIZE};
pub use declare::{Location, Param, ParamType};
pub use driver::{Driver, DriverOptions, Step};
pub use endpoint::{Endpoint, EndpointId, EndpointInfo, Method, NextPageFn, Visitor, ENDPOINTS};
pub use endpoints::*;
pub use error::{ApiErrorKind, Error};
pub use event::{Clock, Event, EventKind, EVENT_BODY_MAX};
pub use exchange::retry_after_ms;
pub use journal::{Journal, JournalEvent, JournalRecord, OpenMove};
pub use journal_file::{check_journal_file, JournalAppender};
pub use keys::{
    decide as decide_key, ClaimAnswer, ClaimWrite, KeyBook, KeyClaim, KeyDecision, KeyRecord,
    KeySql, KeyState, OperationKey, DEFAULT_LEASE_MS, MAX_KEY_LEN,
};
pub use matcher::{
    approval_batch, approval_batch_json, approval_key, approved_before, credit_fingerprint,
    credits_from_csv, credits_from_moota, credits_from_moota_signed, match_deposits,
    match_deposits_json, moota_signature, verify_moota_signature, Account, Approval, Credit, Hold,
    MatchEvidence, MatchPlan, MatchReason, MatchRules, NameMatch, Unclaimed, CREDIT_CSV_COLUMNS,
    DEFAULT_MATCH_OPERATOR, DEFAULT_WINDOW_AFTER_SECS, DEFAULT_WINDOW_BEFORE_SECS,
    MATCH_KEY_PREFIX, MAX_CANDIDATES, MIN_TRUNCATED_NAME,
};
pub use paging::{Paged, Pages};
pub use params::{Action, Amount, Page, PgaStatusFilter, Segment, Text, TxType};
pub use request::Request;
pub use retry::RetryPolicy;
pub use settings::Settings;
pub use settle::{
    Evidence, EvidenceKind, MoneyMove, Settle, SettleState, SettleStep, Settlement, Snapshot,
    Unsettled,
};
pub use wire::{HistoryStatus, PgaProcessor, PgaStatus, TransactionType};

/// Re-exported so callers name the exact types the core returns.
pub use chrono::{NaiveDate, NaiveDateTime};
/// Re-exported so callers name the exact types the core returns.
pub use rust_decimal::Decimal;

/// The README's Rust snippets, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

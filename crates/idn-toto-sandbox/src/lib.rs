//! A stateful local simulator of the IDNPLAY Integration Services API TOTO
//! (v2024.08.30), for end-to-end tests of clients.
//!
//! It serves all 13 endpoints under `/home.php/<TOKEN>/...` in the spec's wire format,
//! keeps balances, pending transactions and histories consistent, can reproduce the
//! spec's literal oddities ([`Quirks::Spec`]) and injects faults on request (the
//! `X-Sandbox-Fault` header). It writes the wire format on its own and does not use
//! the `idn-toto` core crate, so a bug shared by both can't hide itself.
//!
//! Start one in-process on a free port:
//!
//! ```
//! use idn_toto_sandbox::{Config, Sandbox};
//!
//! let sandbox = Sandbox::start(Config::default().with_token("TESTTOKEN"))
//!     .expect("bind 127.0.0.1:0");
//! assert_eq!(sandbox.api_url(), format!("{}/TESTTOKEN", sandbox.base_url()));
//! // GET {api_url}/player_info/LOREM -> {"success":true,...,"balance":"8900.00"}
//! sandbox.shutdown().expect("clean stop");
//! ```
//!
//! See the crate README for the seed format, the faults and the admin endpoints.
#![deny(missing_docs)]

mod admin;
mod api;
mod bank;
mod config;
mod dates;
mod faults;
mod model;
mod money;
mod routes;
mod seed;
mod server;
mod state;
mod wire;

pub use config::{
    random_token, Config, HistoryOrder, HistoryView, Quirks, DEFAULT_HEADER_TIMEOUT_MS,
};
pub use seed::{Seed, SeedError};
pub use server::{base_url_for, serve, Sandbox};

/// Compiles the README's Rust snippets as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

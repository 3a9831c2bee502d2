//! Ready-made HTTP clients for the IDNPLAY *Integration Services API TOTO*,
//! driven by the sans-IO core [`idn_toto`].
//!
//! The core decides everything (what an answer means, whether and when to
//! send a read again, `Retry-After`, batches, paging, settling an unknown
//! outcome); this crate only sends, reads and sleeps:
//!
//! - [`blocking::Client`] (feature `blocking`, on by default): ureq on the
//!   calling thread.
//! - [`Client`] (feature `tokio`, on by default): async, reqwest on tokio.
//!
//! Both speak TLS with rustls (the `ring` provider, with the webpki roots
//! for reqwest): no OpenSSL, no C toolchain beyond what `ring` needs. Turn
//! off the flavour you don't use with `default-features = false,
//! features = ["blocking"]` (or `["tokio"]`).
//!
//! # A typed call in five lines
//!
//! Here against the sandbox (the hidden lines start one and set the two
//! environment variables); against the API, set them to your agent's.
//!
//! ```
//! # let sandbox = idn_toto_sandbox::Sandbox::start(idn_toto_sandbox::Config::default()).unwrap();
//! # std::env::set_var("IDN_TOTO_BASE_URL", sandbox.base_url());
//! # std::env::set_var("IDN_TOTO_TOKEN", sandbox.token());
//! use idn_toto_client::blocking::Client;
//! use idn_toto_client::idn_toto::{Segment, UserBalanceParams};
//!
//! let client = Client::from_env()?; // IDN_TOTO_BASE_URL, IDN_TOTO_TOKEN
//! let balance = client.send(&UserBalanceParams { user: Segment::new("user", "LOREM")? })?;
//! println!("{}: {}", balance.user, balance.balance); // a Decimal, never a float
//! # assert_eq!(balance.balance.to_string(), "8900.00");
//! # Ok::<(), idn_toto_client::idn_toto::Error>(())
//! ```
//!
//! The async client is the same with `.await`:
//!
//! ```no_run
//! # async fn run() -> Result<(), idn_toto_client::idn_toto::Error> {
//! use idn_toto_client::Client;
//! use idn_toto_client::idn_toto::{Segment, UserBalanceParams};
//!
//! let client = Client::from_env()?; // IDN_TOTO_BASE_URL, IDN_TOTO_TOKEN
//! let balance = client.send(&UserBalanceParams { user: Segment::new("user", "LOREM")? }).await?;
//! # Ok(()) }
//! ```
//!
//! # What the clients add to the core
//!
//! - `send(&params)` for every endpoint, typed by its parameters (the
//!   core's [`idn_toto::Endpoint`] and [`idn_toto::AnyEndpoint`], which all
//!   13 parameter types implement): `Result<E::Response, idn_toto::Error>`.
//! - `batch(type, items)`: any number of accept/reject or manual items, one
//!   [`idn_toto::ItemOutcome`] per item, in order.
//! - `pages(first)`: every row of a paged report (`full_transaction`,
//!   `pga_transaction`), an `Iterator` (blocking) or a `Stream` (async).
//! - `settle(&unsettled)` and `settle_journal(path)`: find out with reads
//!   whether a money move whose outcome is unknown took effect.
//! - A journal of money moves ([`ClientBuilder::journal`]), a timeout per
//!   attempt, a proxy, a body-size cap (reading stops one byte past it).
//! - `tracing` spans and events with the redacted URL only. `Debug` never
//!   shows the token.
//!
//! Money-moving requests are never sent twice.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(test, allow(clippy::unwrap_used))]
// With neither flavour there is no client: only the shared settings remain.
#![cfg_attr(
    not(any(feature = "blocking", feature = "tokio")),
    allow(dead_code, unused_macros, unused_imports)
)]

mod builder;
mod journal;
#[cfg(feature = "postgres")]
mod postgres;
mod shared;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod store;
mod trace;

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
#[cfg(feature = "tokio")]
mod nonblocking;

pub use builder::{ClientBuilder, DEFAULT_SETTLE_DELAY, DEFAULT_TIMEOUT, ENV_BASE_URL, ENV_TOKEN};
pub use journal::{FileJournal, JournalStore};
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use nonblocking::Client;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
pub use shared::Rows;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use store::Claim;

/// The core crate, re-exported so one dependency is enough.
pub use idn_toto;

use idn_toto::{OpenMove, Settlement};

/// The README's Rust snippets, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The `User-Agent` both clients send.
#[cfg(any(feature = "blocking", feature = "tokio"))]
const USER_AGENT: &str = concat!("idn-toto-client/", env!("CARGO_PKG_VERSION"));

/// One move a journal left open, and what settling it found.
#[derive(Debug, Clone)]
pub struct JournalSettlement {
    /// The open move (its id, intent line and last state).
    pub open: OpenMove,
    /// What the server shows.
    pub settlement: Settlement,
    /// Whether its `settled` line was written. `false`: the journal could
    /// not be written (a full disk, say), so it still shows the move open;
    /// settling again once it can be written records it.
    pub recorded: bool,
}

/// The driver's settlements, each with the open move it settled and
/// whether its line is in the journal (`unrecorded`: the ids whose line
/// could not be written).
fn pair_settlements(
    open: Vec<OpenMove>,
    settled: Vec<(String, Settlement)>,
    unrecorded: &[String],
) -> Vec<JournalSettlement> {
    let mut open: Vec<Option<OpenMove>> = open.into_iter().map(Some).collect();
    settled
        .into_iter()
        .filter_map(|(id, settlement)| {
            let slot = open
                .iter_mut()
                .find(|o| o.as_ref().is_some_and(|o| o.id == id))?;
            Some(JournalSettlement {
                recorded: !unrecorded.contains(&id),
                open: slot.take()?,
                settlement,
            })
        })
        .collect()
}

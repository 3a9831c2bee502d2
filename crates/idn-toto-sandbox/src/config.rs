//! How a sandbox is set up: address, token, seed, quirks and global faults.

use std::net::{Ipv4Addr, SocketAddr};

use crate::seed::Seed;

/// Which of the spec's literal oddities the sandbox reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Quirks {
    /// Strict, valid JSON everywhere (the default).
    #[default]
    None,
    /// The spec's examples, literally: a bare unquoted `date` in the pending list, a
    /// duplicate `"message"` key in `full_transaction`, no outer braces around the
    /// bank list, and `Content-Type: text/html; charset=UTF-8` on API answers.
    Spec,
}

/// The order the history endpoint lists a user's entries in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum HistoryOrder {
    /// Newest first, as the spec's example (the default).
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
}

/// How the history endpoint answers: in which order, and at most how many
/// entries (the first ones in that order). A real server may cap its
/// answer; oldest first, a cap hides every entry after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryView {
    /// The order of the entries.
    pub order: HistoryOrder,
    /// At most this many entries (`None`: all).
    pub cap: Option<usize>,
}

/// The default [`Config::header_timeout_ms`].
pub const DEFAULT_HEADER_TIMEOUT_MS: u64 = 10_000;

/// Everything a sandbox needs to start. `Config::default()` listens on
/// `127.0.0.1:0` with a random token, the built-in seed, no quirks and no faults.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The token clients put after `/home.php/`.
    pub token: String,
    /// The data the sandbox starts from and returns to on `POST /__sandbox/reset`.
    pub seed: Seed,
    /// Spec oddities to reproduce.
    pub quirks: Quirks,
    /// Delay added to every API request, in milliseconds.
    pub delay_ms: u64,
    /// Fraction (0..=1) of API requests answered with an injected HTTP 500 before any
    /// state change; which ones is decided by a generator seeded with `fail_seed`.
    pub fail_rate: f64,
    /// Seed for the `fail_rate` generator (same seed, same request order: same failures).
    pub fail_seed: u64,
    /// Log one line per request to stderr (token redacted). Off by default.
    pub log: bool,
    /// How long a connection may take to send a request's headers, and how
    /// long a kept-alive connection may wait idle for its next request,
    /// before it is closed (milliseconds). Default 10,000.
    pub header_timeout_ms: u64,
    /// How the history endpoint (`/history/{dps|wd}/USER`) lists entries:
    /// newest first and all of them by default.
    pub history: HistoryView,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            token: random_token(),
            seed: Seed::builtin(),
            quirks: Quirks::None,
            delay_ms: 0,
            fail_rate: 0.0,
            fail_seed: 0,
            log: false,
            header_timeout_ms: DEFAULT_HEADER_TIMEOUT_MS,
            history: HistoryView::default(),
        }
    }
}

impl Config {
    /// Sets the token.
    pub fn with_token(mut self, token: impl Into<String>) -> Config {
        self.token = token.into();
        self
    }

    /// Sets the seed.
    pub fn with_seed(mut self, seed: Seed) -> Config {
        self.seed = seed;
        self
    }

    /// Sets the quirks mode.
    pub fn with_quirks(mut self, quirks: Quirks) -> Config {
        self.quirks = quirks;
        self
    }
}

/// A random 32-character token of uppercase letters and digits.
///
/// Not cryptographically strong: this is a local test server.
pub fn random_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..32)
        .map(|_| char::from(ALPHABET[fastrand::usize(..ALPHABET.len())]))
        .collect()
}

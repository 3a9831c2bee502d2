//! One builder for both flavours: the settings, then `build()` into the
//! blocking or the async client.

use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use idn_toto::{Error, PathWords, RetryPolicy};

use crate::journal::{FileJournal, JournalStore};

/// The base URL's environment variable, read by `from_env`.
pub const ENV_BASE_URL: &str = "IDN_TOTO_BASE_URL";
/// The token's environment variable, read by `from_env`.
pub const ENV_TOKEN: &str = "IDN_TOTO_TOKEN";

/// How long one attempt may take by default (connect, send, read the
/// whole body): the core's [`idn_toto::Settings::DEFAULT`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(idn_toto::Settings::DEFAULT.timeout_ms);
/// How long settling waits by default before its first read, and again
/// before the read that must confirm a `not_applied` (a lost request may
/// still be in flight on the server): the core's
/// [`idn_toto::Settings::DEFAULT`].
pub const DEFAULT_SETTLE_DELAY: Duration =
    Duration::from_millis(idn_toto::Settings::DEFAULT.settle_delay_ms);

/// Configures a client: `Client::builder(base_url, token)` (or
/// [`ClientBuilder::from_env`]), the optional settings, then `build()`,
/// which checks everything. `C` is the client it builds:
/// [`crate::blocking::Client`] or the async [`crate::Client`].
///
/// `Debug` never shows the token.
pub struct ClientBuilder<C> {
    pub(crate) settings: Settings,
    flavour: PhantomData<fn() -> C>,
}

/// The settings a builder collects (its defaults: the core's
/// [`idn_toto::Settings::DEFAULT`]).
#[derive(Clone)]
pub(crate) struct Settings {
    /// What the core checks and keeps: the base URL, the token, path
    /// words, `allow_insecure_http`, `max_body_size`.
    pub(crate) core: idn_toto::ClientBuilder,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) proxy: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) settle_delay: Duration,
    pub(crate) snapshots: bool,
    pub(crate) journal: Option<JournalSpec>,
    pub(crate) max_pages: u64,
    pub(crate) key_lease: Duration,
}

/// The journal a builder was given: a file's path (a `FileJournal` per
/// client built), or a store every client built from it shares.
#[derive(Clone)]
pub(crate) enum JournalSpec {
    Path(PathBuf),
    Store(Arc<JournalStore>),
}

impl fmt::Debug for JournalSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalSpec::Path(p) => write!(f, "{}", p.display()),
            JournalSpec::Store(s) => f.write_str(&s.describe()),
        }
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("ClientBuilder")
            .field("core", &s.core)
            .field("timeout", &s.timeout)
            .field("retry", &s.retry)
            .field("proxy", &s.proxy.as_ref().map(|_| "***"))
            .field(
                "headers",
                &s.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("settle_delay", &s.settle_delay)
            .field("snapshots", &s.snapshots)
            .field("journal", &s.journal)
            .field("max_pages", &s.max_pages)
            .field("key_lease", &s.key_lease)
            .finish()
    }
}

impl<C> Clone for ClientBuilder<C> {
    fn clone(&self) -> Self {
        ClientBuilder {
            settings: self.settings.clone(),
            flavour: PhantomData,
        }
    }
}

impl<C> ClientBuilder<C> {
    pub(crate) fn new(base_url: &str, token: &str) -> ClientBuilder<C> {
        ClientBuilder {
            settings: Settings {
                core: idn_toto::Client::builder(base_url, token),
                timeout: DEFAULT_TIMEOUT,
                retry: RetryPolicy::default(),
                proxy: None,
                headers: Vec::new(),
                settle_delay: DEFAULT_SETTLE_DELAY,
                snapshots: idn_toto::Settings::DEFAULT.snapshots,
                journal: None,
                max_pages: idn_toto::Settings::DEFAULT.max_pages,
                key_lease: Duration::from_millis(idn_toto::Settings::DEFAULT.lease_ms),
            },
            flavour: PhantomData,
        }
    }

    /// A builder with the base URL from `IDN_TOTO_BASE_URL` and the token
    /// from `IDN_TOTO_TOKEN`. A missing or non-UTF-8 variable is an
    /// `invalid_request` error naming it.
    pub fn from_env() -> Result<ClientBuilder<C>, Error> {
        let read = |name: &str| {
            std::env::var(name).map_err(|e| Error::InvalidRequest {
                field: name.to_owned(),
                reason: match e {
                    std::env::VarError::NotPresent => "the environment variable is not set".into(),
                    std::env::VarError::NotUnicode(_) => {
                        "the environment variable is not UTF-8".into()
                    }
                },
            })
        };
        Ok(ClientBuilder::new(&read(ENV_BASE_URL)?, &read(ENV_TOKEN)?))
    }

    /// How long one attempt may take, from connecting to the end of the
    /// body (default 30 s). A timeout is a transport failure: a read is
    /// retried as the retry policy says; a money move's outcome is unknown.
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder<C> {
        self.settings.timeout = timeout;
        self
    }

    /// When reads are sent again (default [`RetryPolicy::default`]: two
    /// retries, 200 ms then 400 ms, `Retry-After` honoured up to 5 s).
    /// Money-moving requests are never sent twice, whatever it says.
    pub fn retry(mut self, policy: RetryPolicy) -> ClientBuilder<C> {
        self.settings.retry = policy;
        self
    }

    /// Replaces the ambiguous path words (see [`PathWords`]).
    pub fn path_words(mut self, words: PathWords) -> ClientBuilder<C> {
        self.settings.core = self.settings.core.path_words(words);
        self
    }

    /// Sends every request through this proxy (`http://host:port`,
    /// `socks5://host:port`, ...). Without it, the HTTP libraries' usual
    /// proxy environment variables apply.
    pub fn proxy(mut self, url: &str) -> ClientBuilder<C> {
        self.settings.proxy = Some(url.to_owned());
        self
    }

    /// Allows a plain `http://` base URL to a host that is not loopback.
    /// Off by default: the token travels in the URL path.
    pub fn allow_insecure_http(mut self, allow: bool) -> ClientBuilder<C> {
        self.settings.core = self.settings.core.allow_insecure_http(allow);
        self
    }

    /// The largest body read, in bytes (default 64 MiB). Reading stops one
    /// byte past it, and a larger body is a `decode` error (an unknown
    /// outcome for a money move).
    pub fn max_body_size(mut self, bytes: usize) -> ClientBuilder<C> {
        self.settings.core = self.settings.core.max_body_size(bytes);
        self
    }

    /// Adds a header to every request (a gateway's, or the sandbox's
    /// `X-Sandbox-Fault`).
    pub fn header(mut self, name: &str, value: &str) -> ClientBuilder<C> {
        self.settings
            .headers
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// How long settling an unknown outcome waits before its first read,
    /// and again before the read that must confirm a `not_applied`
    /// (default 60 s: twice the default timeout).
    pub fn settle_delay(mut self, delay: Duration) -> ClientBuilder<C> {
        self.settings.settle_delay = delay;
        self
    }

    /// How long a keyed money move's claim keeps other processes out of
    /// its operation key (default 300 s, ten timeouts). After it runs out,
    /// a crashed holder's open move is settled, never sent again blindly.
    pub fn key_lease(mut self, lease: Duration) -> ClientBuilder<C> {
        self.settings.key_lease = lease;
        self
    }

    /// Whether a manual money move (single or in a batch) is preceded by a
    /// read of the user's history, so that an unknown outcome can be
    /// settled (default on). If that read fails, nothing is sent.
    pub fn snapshots(mut self, on: bool) -> ClientBuilder<C> {
        self.settings.snapshots = on;
        self
    }

    /// Journals every money move to this file (JSON Lines, appended and
    /// synced before each request leaves and after its answer), so that
    /// what a crash left unsettled can be settled later (`settle_journal`).
    pub fn journal(mut self, path: impl Into<PathBuf>) -> ClientBuilder<C> {
        self.settings.journal = Some(JournalSpec::Path(path.into()));
        self
    }

    /// Journals every money move to this store (a JSON Lines file, or
    /// with the features `sqlite` / `postgres` a SQLite file or a Postgres
    /// database that several processes share; see
    /// [`JournalStore::from_spec`]). Every client built from this builder
    /// writes to the same store.
    pub fn journal_store(mut self, store: JournalStore) -> ClientBuilder<C> {
        self.settings.journal = Some(JournalSpec::Store(Arc::new(store)));
        self
    }

    /// Paging stops with a `decode` error at `page` after this many pages
    /// when the server still says there are more (default 10,000).
    pub fn max_pages(mut self, pages: u64) -> ClientBuilder<C> {
        self.settings.max_pages = pages;
        self
    }

    /// Checks the settings shared by both flavours; the core client.
    pub(crate) fn check(&self) -> Result<Checked, Error> {
        let s = &self.settings;
        let core = s.core.clone().build()?;
        if s.max_pages == 0 {
            return Err(idn_toto::Error::invalid("max_pages", "must be at least 1"));
        }
        if s.key_lease < s.timeout {
            return Err(idn_toto::Error::invalid(
                "key_lease",
                "must be at least the timeout: a holder still sending must never look crashed",
            ));
        }
        if s.timeout.is_zero() {
            return Err(idn_toto::Error::invalid(
                "timeout",
                "must be more than zero",
            ));
        }
        for (name, value) in &s.headers {
            let token_inside = core.redact(value) != *value || core.redact(name) != *name;
            if token_inside {
                return Err(idn_toto::Error::invalid(
                    "headers",
                    format!("header {:?} must not carry the token", core.redact(name)),
                ));
            }
        }
        Ok(Checked {
            core,
            retry: s.retry,
            timeout: s.timeout,
            settle_delay_ms: u64::try_from(s.settle_delay.as_millis()).unwrap_or(u64::MAX),
            snapshots: s.snapshots,
            journal: s.journal.as_ref().map(|j| match j {
                JournalSpec::Path(p) => Arc::new(JournalStore::File(FileJournal::new(p))),
                JournalSpec::Store(s) => Arc::clone(s),
            }),
            headers: s.headers.clone(),
            max_pages: s.max_pages,
            lease_ms: u64::try_from(s.key_lease.as_millis()).unwrap_or(u64::MAX),
        })
    }
}

/// The settings both flavours keep after building (`Debug` shows header
/// names, not their values).
pub(crate) struct Checked {
    pub(crate) core: idn_toto::Client,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) settle_delay_ms: u64,
    pub(crate) snapshots: bool,
    pub(crate) journal: Option<Arc<JournalStore>>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) max_pages: u64,
    pub(crate) lease_ms: u64,
}

impl fmt::Debug for Checked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("core", &self.core)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("settle_delay_ms", &self.settle_delay_ms)
            .field("snapshots", &self.snapshots)
            .field("journal", &self.journal)
            .field("max_pages", &self.max_pages)
            .field("lease_ms", &self.lease_ms)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

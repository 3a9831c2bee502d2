//! The defaults every host starts from: one table, read by the Rust
//! clients, the CLI, and the Python and Node packages.

use crate::protocol::driver::DriverOptions;
use crate::protocol::retry::RetryPolicy;
use crate::schema::paging::DEFAULT_MAX_PAGES;

/// A host's default settings (`docs/spec-notes.md` 124, 127). The core
/// itself has no clock and no sockets: it never waits or times out on its
/// own; these are what a host gives it and its transport unless the user
/// says otherwise.
///
/// ```
/// let s = idn_toto::Settings::DEFAULT;
/// assert_eq!(s.timeout_ms, 30_000);
/// // Settling waits well past the time a request can still be on its way.
/// assert!(s.settle_delay_ms >= 2 * s.timeout_ms);
/// let options = s.driver_options();
/// assert!(options.snapshots);
/// assert_eq!(options.settle_delay_ms, s.settle_delay_ms);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How long one attempt may take (connect, send, read the answer), in
    /// milliseconds. A timeout is a transport failure: a read is retried,
    /// a money move's outcome is unknown.
    pub timeout_ms: u64,
    /// How long settling waits before its first read, and again before the
    /// read that must confirm a `not_applied`, in milliseconds: twice the
    /// timeout, so that a request the server was still working on when the
    /// client gave up has landed by the first read, or at the latest by
    /// the second.
    pub settle_delay_ms: u64,
    /// Read the user's history before a manual move, so that an unknown
    /// outcome can be settled.
    pub snapshots: bool,
    /// Paging stops after this many pages when the server still says
    /// there are more.
    pub max_pages: u64,
    /// How long a keyed move's claim keeps other holders out, in
    /// milliseconds: ten timeouts ([`crate::DEFAULT_LEASE_MS`]).
    pub lease_ms: u64,
}

impl Settings {
    /// The defaults: a 30 s timeout, a 60 s settle delay, snapshots on,
    /// at most 10,000 pages.
    pub const DEFAULT: Settings = Settings {
        timeout_ms: 30_000,
        settle_delay_ms: 60_000,
        snapshots: true,
        max_pages: DEFAULT_MAX_PAGES,
        lease_ms: crate::protocol::keys::DEFAULT_LEASE_MS,
    };

    /// The driver options these settings give (the default retry policy,
    /// no journal, no bodies in events).
    pub fn driver_options(&self) -> DriverOptions {
        DriverOptions {
            retry: RetryPolicy::default(),
            journal_id: None,
            snapshots: self.snapshots,
            bodies: false,
            max_pages: self.max_pages,
            settle_delay_ms: self.settle_delay_ms,
            lease_ms: self.lease_ms,
        }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings::DEFAULT
    }
}

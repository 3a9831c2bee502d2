//! How requests are run to a result, decided once for every host: the one
//! `driver` and its operations (a call, a `batch`, paging, settling), the
//! `exchange` every request goes through (`retry`, `Retry-After`, `event`s),
//! the `journal` and its file, operation `keys`, `settle`ment of unknown
//! outcomes, the typed `call` facade and the default `settings`. Built on
//! `schema`; never opens a socket.

pub(crate) mod batch;
pub(crate) mod call;
pub(crate) mod driver;
pub(crate) mod event;
pub(crate) mod exchange;
pub(crate) mod journal;
pub(crate) mod journal_file;
pub(crate) mod keys;
pub(crate) mod retry;
pub(crate) mod settings;
pub(crate) mod settle;

//! The API as the spec states it (its schema), and nothing that runs: the
//! value types of the parameters (`params`), each endpoint's declaration
//! and wire types (`declare`, `endpoints`, the table in `endpoint`), the
//! money move (`moves`: the data, the words `TxType` and `Action`, the typed
//! `MoveParams`; `money`: reading it) and what an unknown outcome of it
//! carries (`unsettled`, the data only: `Error` holds it), the
//! tolerant reader (`wire`), the request a host sends (`request`), the
//! client's configuration, request assembly and scrubbed parsing (`client`,
//! with the token's scrubber in `redact`) and the paging rule (`paging`).
//! The one error enum, split by cause (`error`), is part of it: every layer
//! above speaks it, and what it carries (an unknown outcome's `Unsettled`)
//! is schema data. Imports nothing from `protocol` or `api`.

pub(crate) mod client;
pub(crate) mod declare;
pub(crate) mod endpoint;
pub(crate) mod endpoints;
pub(crate) mod error;
pub(crate) mod history_entry;
pub(crate) mod id;
pub(crate) mod money;
pub(crate) mod moves;
pub(crate) mod operation_key;
pub(crate) mod paging;
pub(crate) mod param;
pub(crate) mod params;
pub(crate) mod percent;
pub(crate) mod redact;
pub(crate) mod request;
pub(crate) mod table;
pub(crate) mod unsettled;
pub(crate) mod wire;

//! `idn_toto._native`: the idn-toto core as a Python extension module.
//!
//! Bindings only convert: arguments in, one call to the core, result out.
//! Every file mirrors a core module: `client.rs` (the sans-IO client, the
//! request, the retry policy, the dynamic API), `driver.rs` (the one driver
//! of every call, its steps and events), `classes.rs` (what a result class
//! is made of, and `Processed`), `results.rs` (one frozen class per response
//! and row type, generated from the endpoints' declared shapes by
//! `tests/generated.rs`), `batch.rs` (a batch item's outcome), `settle.rs`
//! (what settling needs and its verdict), `journal.rs` (the journal's lines
//! read back), `keys.rs` (operation keys: a claim, its answer, a key's
//! record and the SQL stores' statements), `matcher.rs` (deposit matching:
//! the plan, the credit feeds, the approvals' keyed batch),
//! `errors.rs` (the one core-error-to-exception mapping) and `convert.rs`
//! (Python values to and from canonical JSON). The pure-Python package
//! `idn_toto` (clients, transports, exception classes) sits on top.
#![forbid(unsafe_code)]

mod batch;
mod classes;
mod client;
mod convert;
mod driver;
mod errors;
mod journal;
mod json;
mod keys;
mod matcher;
mod results;
mod settle;

use pyo3::prelude::*;

/// `idn_toto._native`: the Rust core of the `idn-toto` package.
///
/// This stub is generated from `bindings/python/src/` by
/// `maturin build --generate-stubs` (pyo3 `experimental-inspect`); do not
/// edit it. `bindings/python/stubs/_native.pyi` is the committed copy that
/// `scripts/build.sh` checks against every build.
#[pymodule(name = "_native")]
mod native {
    #[pymodule_export]
    use crate::batch::PyItemOutcome;
    #[pymodule_export]
    use crate::classes::PyProcessed;
    #[pymodule_export]
    use crate::client::{
        build, defaults, endpoints, next_page, parse, PyCore, PyRequest, PyRetryPolicy,
    };
    #[pymodule_export]
    use crate::driver::{PyDriver, PyDriverOptions, PyEvent, PyStep};
    // <generated: result classes> (tests/generated.rs; do not edit)
    #[pymodule_export]
    use crate::results::{
        PyBankList, PyDraw, PyFullTransaction, PyGame, PyGameList, PyHistoryEntry, PyItemFailure,
        PyMultipleTransaction, PyNumberHistory, PyPendingTransaction, PyPgaInvoice,
        PyPgaTransaction, PyReferral, PyReferralList, PyTransactionList, PyTurnoverRow,
        PyUserBalance, PyUserHistory, PyUserLastTransaction,
    };
    // </generated>
    #[pymodule_export]
    use crate::journal::{PyJournal, PyJournalAppender, PyJournalRecord, PyOpenMove};
    #[pymodule_export]
    use crate::keys::{
        decide_key, PyClaimAnswer, PyClaimWrite, PyKeyBook, PyKeyClaim, PyKeyRecord, PyKeySql,
    };
    #[pymodule_export]
    use crate::matcher::{
        approval_batch_json, credits_from_csv, credits_from_moota, credits_from_moota_signed,
        match_deposits_json, rules_with_approved_before,
    };
    #[pymodule_export]
    use crate::settle::{PySettlement, PyUnsettled};
}

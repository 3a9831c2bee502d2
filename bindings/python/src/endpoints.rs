//! The response types of `idn_toto::endpoints`, one frozen Python class per
//! core type. Each wraps the core value unchanged; getters convert one field
//! at a time, so parsing a page creates a single Python object.

use idn_toto as core;
use idn_toto::{Decimal, NaiveDate, NaiveDateTime};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

/// Declares `#[pyclass] struct $py(core::X)` with one getter per field,
/// `__eq__`, a short `__repr__` and `to_dict()` (the canonical JSON shape).
macro_rules! result_class {
    (
        $(#[$meta:meta])*
        $name:literal => $py:ident($core:ty) {
            $( $(#[$fmeta:meta])* $field:ident -> $ret:ty = |$v:ident| $conv:expr; )*
            $( @rows data: $row:ident; )?
        }
    ) => {
        $(#[$meta])*
        #[pyclass(name = $name, module = "idn_toto._native", frozen, eq)]
        #[derive(Debug, Clone, PartialEq)]
        pub(crate) struct $py(pub(crate) $core, $( pub(crate) $crate::endpoints::RowCache<$row> )?);

        impl $py {
            pub(crate) fn new(value: $core) -> Self {
                Self(value, $( $crate::endpoints::RowCache::<$row>::default() )?)
            }
        }

        #[pymethods]
        impl $py {
            $(
                $(#[$fmeta])*
                #[getter]
                fn $field(&self) -> $ret {
                    let $v = &self.0;
                    $conv
                }
            )*

            $(
                /// The rows. (The row objects are made on the first read and shared by
                /// later ones; each read returns a new list.)
                #[getter]
                fn data(&self, py: Python<'_>) -> PyResult<Vec<Py<$row>>> {
                    self.1.rows(py, &self.0.data, $row::new)
                }
            )?

            /// The canonical JSON shape (the same as `idn_toto.parse`):
            /// amounts and dates as strings.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<$crate::convert::JsonDict<'py>> {
                $crate::convert::JsonDict::of(py, &self.0)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let _ = py; // unused when the class has only `@rows`
                let mut parts: Vec<String> = Vec::new();
                $(
                    let value = pyo3::IntoPyObjectExt::into_bound_py_any(self.$field(), py)?;
                    let shown = match value.cast::<pyo3::types::PyList>() {
                        Ok(list) => format!("[{} items]", list.len()),
                        Err(_) => value.repr()?.to_string(),
                    };
                    parts.push(format!("{}={}", stringify!($field).trim_start_matches("r#"), shown));
                )*
                $(
                    let _: Option<&$row> = None;
                    parts.push(format!("data=[{} items]", self.0.data.len()));
                )?
                Ok(format!("{}({})", $name, parts.join(", ")))
            }
        }
    };
}

/// The Python objects for a result's rows, made once: reading `.data` again
/// (in a loop, say) returns the same row objects in a new list instead of
/// copying every row again.
pub(crate) struct RowCache<W>(pyo3::sync::PyOnceLock<Vec<Py<W>>>);

impl<W> Default for RowCache<W> {
    fn default() -> Self {
        RowCache(pyo3::sync::PyOnceLock::new())
    }
}

impl<W> Clone for RowCache<W> {
    fn clone(&self) -> Self {
        RowCache::default()
    }
}

impl<W> PartialEq for RowCache<W> {
    /// A cache never makes two results differ.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<W> std::fmt::Debug for RowCache<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RowCache")
    }
}

impl<
        W: pyo3::PyClass<Frozen = pyo3::pyclass::boolean_struct::True>
            + Into<pyo3::PyClassInitializer<W>>,
    > RowCache<W>
{
    fn rows<T: Clone>(
        &self,
        py: Python<'_>,
        items: &[T],
        wrap: fn(T) -> W,
    ) -> PyResult<Vec<Py<W>>> {
        let made = self.0.get_or_try_init(py, || {
            items
                .iter()
                .cloned()
                .map(|item| Py::new(py, wrap(item)))
                .collect()
        })?;
        Ok(made.iter().map(|row| row.clone_ref(py)).collect())
    }
}

result_class! {
    /// One pending deposit or withdrawal (`transaction_list`).
    "PendingTransaction" => PyPendingTransaction(core::PendingTransaction) {
        id -> &str = |r| &r.id;
        user -> &str = |r| &r.user;
        date -> NaiveDateTime = |r| r.date;
        /// `"deposit"` or `"withdraw"` (an unknown value is kept as sent).
        r#type -> &str = |r| r.r#type.as_str();
        game -> &str = |r| &r.game;
        bank_acc_name -> &str = |r| &r.bank_acc_name;
        bank_name -> &str = |r| &r.bank_name;
        bank_acc_number -> &str = |r| &r.bank_acc_number;
        amount -> Decimal = |r| r.amount;
        destination_bank -> &str = |r| &r.destination_bank;
        destination_acc_number -> &str = |r| &r.destination_acc_number;
    }
}

result_class! {
    /// The pending transactions (`transaction_list`), in id order.
    "TransactionList" => PyTransactionList(core::TransactionList) {
        @rows data: PyPendingTransaction;
    }
}

/// A confirmed `accept_reject` or `manual_transaction`.
#[pyclass(name = "Processed", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyProcessed {
    processed: core::Processed,
    journal_unwritten: bool,
}

impl PyProcessed {
    pub(crate) fn new(value: core::Processed) -> Self {
        PyProcessed::journaled(value, false)
    }

    /// A result whose journal outcome line could not be written
    /// (`journal_unwritten`).
    pub(crate) fn journaled(value: core::Processed, journal_unwritten: bool) -> Self {
        PyProcessed {
            processed: value,
            journal_unwritten,
        }
    }
}

#[pymethods]
impl PyProcessed {
    #[getter]
    fn message(&self) -> &str {
        &self.processed.message
    }

    /// `True` when the client journals and the journal's line for this
    /// move's outcome could not be written (a `JournalWarning` said why):
    /// the move stays open in the journal and settles later. The result
    /// itself is the server's answer.
    #[getter]
    fn journal_unwritten(&self) -> bool {
        self.journal_unwritten
    }

    /// `True` when nothing was sent: the call's operation key was done
    /// before, and this is the recorded answer of that attempt (a replay).
    #[getter]
    fn replayed(&self) -> bool {
        self.processed.replayed
    }

    /// The canonical JSON shape (the same as `idn_toto.parse`):
    /// amounts and dates as strings.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<crate::convert::JsonDict<'py>> {
        crate::convert::JsonDict::of(py, &self.processed)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let message = pyo3::types::PyString::new(py, &self.processed.message).repr()?;
        let replayed = if self.processed.replayed {
            ", replayed=True"
        } else {
            ""
        };
        let unwritten = if self.journal_unwritten {
            ", journal_unwritten=True"
        } else {
            ""
        };
        Ok(format!("Processed(message={message}{replayed}{unwritten})"))
    }
}

result_class! {
    /// One entry the server reported for a `multiple_transaction` request.
    "ItemFailure" => PyItemFailure(core::ItemFailure) {
        success -> Option<bool> = |r| r.success;
        trans_id -> Option<&str> = |r| r.trans_id.as_deref();
        user -> Option<&str> = |r| r.user.as_deref();
        index -> Option<u64> = |r| r.index;
        message -> &str = |r| &r.message;
    }
}

result_class! {
    /// The answer to one `multiple_transaction` request (at most 25 items).
    "MultipleTransaction" => PyMultipleTransaction(core::MultipleTransaction) {
        message -> &str = |r| &r.message;
        @rows data: PyItemFailure;
    }
}

result_class! {
    /// A user's balance (`user_balance`).
    "UserBalance" => PyUserBalance(core::UserBalance) {
        message -> &str = |r| &r.message;
        user -> &str = |r| &r.user;
        balance -> Decimal = |r| r.balance;
    }
}

result_class! {
    /// One deposit or withdrawal in a user's history.
    "HistoryEntry" => PyHistoryEntry(core::HistoryEntry) {
        date -> NaiveDateTime = |r| r.date;
        amount -> Decimal = |r| r.amount;
        /// `"ACCEPT"` or `"REJECT"` (an unknown value is kept as sent).
        status -> &str = |r| r.status.as_str();
    }
}

result_class! {
    /// A user's deposit or withdrawal history (`user_history`).
    "UserHistory" => PyUserHistory(core::UserHistory) {
        message -> &str = |r| &r.message;
        user -> &str = |r| &r.user;
        @rows data: PyHistoryEntry;
    }
}

result_class! {
    /// A user's last deposit or withdrawal (`user_last_transaction`).
    "UserLastTransaction" => PyUserLastTransaction(core::UserLastTransaction) {
        message -> &str = |r| &r.message;
        user -> &str = |r| &r.user;
        /// `None` when the user has none.
        data -> Option<PyHistoryEntry> = |r| r.data.clone().map(PyHistoryEntry::new);
    }
}

result_class! {
    /// One game (`game_list`).
    "Game" => PyGame(core::Game) {
        gamecode -> &str = |r| &r.gamecode;
        pasar -> &str = |r| &r.pasar;
        r#type -> &str = |r| &r.r#type;
    }
}

result_class! {
    /// The games (`game_list`).
    "GameList" => PyGameList(core::GameList) {
        message -> &str = |r| &r.message;
        @rows data: PyGame;
    }
}

result_class! {
    /// One draw of a game.
    "Draw" => PyDraw(core::Draw) {
        periode -> &str = |r| &r.periode;
        tanggal -> NaiveDateTime = |r| r.tanggal;
        angka -> &str = |r| &r.angka;
    }
}

result_class! {
    /// The last draws of a game (`number_history`).
    "NumberHistory" => PyNumberHistory(core::NumberHistory) {
        message -> &str = |r| &r.message;
        gamecode -> &str = |r| &r.gamecode;
        pasar -> &str = |r| &r.pasar;
        r#type -> &str = |r| &r.r#type;
        @rows data: PyDraw;
    }
}

result_class! {
    /// One downline of a user.
    "Referral" => PyReferral(core::Referral) {
        user -> &str = |r| &r.user;
        joindate -> NaiveDateTime = |r| r.joindate;
    }
}

result_class! {
    /// A user's downlines (`referral_list`).
    "ReferralList" => PyReferralList(core::ReferralList) {
        message -> &str = |r| &r.message;
        @rows data: PyReferral;
    }
}

result_class! {
    /// One day of turnover (`full_transaction`).
    "TurnoverRow" => PyTurnoverRow(core::TurnoverRow) {
        user -> &str = |r| &r.user;
        date -> NaiveDate = |r| r.date;
        periode -> &str = |r| &r.periode;
        gamecode -> &str = |r| &r.gamecode;
        pasar -> &str = |r| &r.pasar;
        turnover -> Decimal = |r| r.turnover;
        winlose -> Decimal = |r| r.winlose;
    }
}

result_class! {
    /// One page of a user's turnover (`full_transaction`).
    "FullTransaction" => PyFullTransaction(core::FullTransaction) {
        message -> &str = |r| &r.message;
        total_data -> u64 = |r| r.total_data;
        total_page -> u64 = |r| r.total_page;
        @rows data: PyTurnoverRow;
    }
}

result_class! {
    /// One payment-gateway invoice (`pga_transaction`).
    "PgaInvoice" => PyPgaInvoice(core::PgaInvoice) {
        id_invoice -> &str = |r| &r.id_invoice;
        ref_no -> &str = |r| &r.ref_no;
        /// `"Accepted"`, `"Unpaid"` or `"Expired"` (an unknown value is kept).
        status -> &str = |r| r.status.as_str();
        /// `"PGA"` or `"OPERATOR"` (an unknown value is kept).
        by -> &str = |r| r.by.as_str();
        user -> &str = |r| &r.user;
        request_date -> NaiveDateTime = |r| r.request_date;
        processed_date -> Option<NaiveDateTime> = |r| r.processed_date;
        amount -> Decimal = |r| r.amount;
        destination_bank -> &str = |r| &r.destination_bank;
    }
}

result_class! {
    /// One page of payment-gateway invoices (`pga_transaction`).
    "PgaTransaction" => PyPgaTransaction(core::PgaTransaction) {
        row -> u64 = |r| r.row;
        total_row -> u64 = |r| r.total_row;
        page -> u64 = |r| r.page;
        per_page -> u64 = |r| r.per_page;
        total_page -> u64 = |r| r.total_page;
        total_amount_page -> Decimal = |r| r.total_amount_page;
        total_amount_all -> Decimal = |r| r.total_amount_all;
        @rows data: PyPgaInvoice;
    }
}

result_class! {
    /// The bank names (`bank_list`).
    "BankList" => PyBankList(core::BankList) {
        data -> Vec<String> = |r| r.data.clone();
    }
}

impl PyUserHistory {
    /// The history as a settlement snapshot.
    pub(crate) fn snapshot(&self) -> core::Snapshot {
        core::Snapshot::new(self.0.data.clone())
    }
}

/// A typed response as its Python class: the one match over the core's
/// response types in this crate.
pub(crate) fn any_to_py(py: Python<'_>, response: core::AnyResponse) -> PyResult<Py<PyAny>> {
    use core::AnyResponse as A;
    match response {
        A::TransactionList(r) => PyTransactionList::new(r).into_py_any(py),
        A::AcceptReject(r) | A::ManualTransaction(r) => PyProcessed::new(r).into_py_any(py),
        A::MultipleTransaction(r) => PyMultipleTransaction::new(r).into_py_any(py),
        A::UserBalance(r) => PyUserBalance::new(r).into_py_any(py),
        A::UserHistory(r) => PyUserHistory::new(r).into_py_any(py),
        A::UserLastTransaction(r) => PyUserLastTransaction::new(r).into_py_any(py),
        A::GameList(r) => PyGameList::new(r).into_py_any(py),
        A::NumberHistory(r) => PyNumberHistory::new(r).into_py_any(py),
        A::ReferralList(r) => PyReferralList::new(r).into_py_any(py),
        A::FullTransaction(r) => PyFullTransaction::new(r).into_py_any(py),
        A::PgaTransaction(r) => PyPgaTransaction::new(r).into_py_any(py),
        A::BankList(r) => PyBankList::new(r).into_py_any(py),
    }
}

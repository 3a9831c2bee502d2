//! The sandbox's domain records, shared by the seed loader and the state.

use crate::money::Money;

/// Deposit or withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxKind {
    /// Money in.
    Deposit,
    /// Money out.
    Withdraw,
}

impl TxKind {
    /// The pending list's `type` value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TxKind::Deposit => "deposit",
            TxKind::Withdraw => "withdraw",
        }
    }
}

/// Outcome of a processed transaction, as shown in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// `ACCEPT`.
    Accept,
    /// `REJECT`.
    Reject,
}

impl Status {
    /// The history's `status` value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Accept => "ACCEPT",
            Status::Reject => "REJECT",
        }
    }
}

/// A player account.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) user: String,
    pub(crate) balance: Money,
    pub(crate) game: String,
    pub(crate) bank_name: String,
    pub(crate) bank_acc_name: String,
    pub(crate) bank_acc_number: String,
    pub(crate) joindate: String,
    pub(crate) referrer: Option<String>,
}

/// A transaction waiting for an operator's decision.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) id: String,
    /// Index into the users list.
    pub(crate) user: usize,
    pub(crate) kind: TxKind,
    /// `DD-MM-YYYY HH:MM:SS`.
    pub(crate) date: String,
    pub(crate) amount: Money,
    pub(crate) destination_bank: String,
    pub(crate) destination_acc_name: String,
    pub(crate) destination_acc_number: String,
}

/// A processed deposit or withdrawal.
#[derive(Debug, Clone)]
pub(crate) struct HistoryEntry {
    /// Index into the users list.
    pub(crate) user: usize,
    pub(crate) kind: TxKind,
    /// `YYYY-MM-DD HH:MM:SS.mmm`.
    pub(crate) date: String,
    pub(crate) amount: Money,
    pub(crate) status: Status,
}

/// One market and its draws, oldest first.
#[derive(Debug, Clone)]
pub(crate) struct Game {
    pub(crate) gamecode: String,
    pub(crate) pasar: String,
    pub(crate) kind: String,
    pub(crate) results: Vec<Draw>,
}

/// One drawn number.
#[derive(Debug, Clone)]
pub(crate) struct Draw {
    pub(crate) periode: String,
    /// `DD-MM-YYYY HH:MM:SS`.
    pub(crate) tanggal: String,
    pub(crate) angka: String,
}

/// One row of a player's full transaction report.
#[derive(Debug, Clone)]
pub(crate) struct FullTransaction {
    /// Index into the users list.
    pub(crate) user: usize,
    /// `YYYY-MM-DD`.
    pub(crate) date: String,
    pub(crate) periode: String,
    pub(crate) gamecode: String,
    pub(crate) pasar: String,
    pub(crate) turnover: Money,
    pub(crate) winlose: Money,
}

/// The status of a payment-gateway invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InvoiceStatus {
    /// `Accepted` (the `paid` filter).
    Accepted,
    /// `Unpaid`.
    Unpaid,
    /// `Expired`.
    Expired,
}

impl InvoiceStatus {
    /// The wire spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Accepted => "Accepted",
            InvoiceStatus::Unpaid => "Unpaid",
            InvoiceStatus::Expired => "Expired",
        }
    }
}

/// A payment-gateway invoice.
#[derive(Debug, Clone)]
pub(crate) struct Invoice {
    pub(crate) id_invoice: String,
    pub(crate) ref_no: String,
    pub(crate) status: InvoiceStatus,
    /// `PGA` or `OPERATOR`.
    pub(crate) by: String,
    /// Index into the users list.
    pub(crate) user: usize,
    /// `YYYY-MM-DD HH:MM:SS.000`.
    pub(crate) request_date: String,
    pub(crate) processed_date: String,
    pub(crate) amount: Money,
    pub(crate) destination_bank: String,
}

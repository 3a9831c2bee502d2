//! One processed deposit or withdrawal, as `user_history` and
//! `user_last_transaction` list it, and as a `Snapshot` keeps it: a wire row
//! read with the field decoders alone (it imports no `Error`, so what an
//! unknown outcome carries can hold it).

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::schema::wire::de;
use crate::schema::wire::enums::HistoryStatus;

/// One processed deposit or withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct HistoryEntry {
    /// When.
    #[serde(with = "de::timestamp")]
    #[cfg_attr(feature = "tsify", tsify(type = "DateTimeString"))]
    pub date: NaiveDateTime,
    /// How much, exact.
    #[serde(deserialize_with = "de::amount")]
    #[cfg_attr(feature = "tsify", tsify(type = "DecimalString"))]
    pub amount: Decimal,
    /// `ACCEPT` or `REJECT`.
    pub status: HistoryStatus,
}

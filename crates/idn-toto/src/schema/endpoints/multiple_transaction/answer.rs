//! The answer to a multiple transaction: the public [`MultipleTransaction`]
//! and the wire form [`crate::Batch`] reads item by item.

use serde::{Deserialize, Serialize};

use crate::schema::error::Error;
use crate::schema::wire::{self, Wire};

/// The answer to one multiple request: the server's message and the items
/// it reports as failed (none when all succeeded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct MultipleTransaction {
    /// Message information (`All transactions has been successfully
    /// processed.` or `partial transactions ...`).
    pub message: String,
    /// The items the server reports on (the failed ones; none when all
    /// succeeded).
    pub data: Vec<ItemReport>,
}

/// One entry of a multiple request's `data`: an item the server reports on
/// (usually a failure: `success: false`; some servers list successes too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct ItemReport {
    /// `false` for a failed item.
    #[serde(default, deserialize_with = "wire::flag")]
    pub success: Option<bool>,
    /// The transaction ID (accept/reject items).
    #[serde(default, deserialize_with = "opt_text")]
    pub trans_id: Option<String>,
    /// The user (manual items, where the server names one).
    #[serde(default, deserialize_with = "opt_text")]
    pub user: Option<String>,
    /// The 0-based position in the posted list, where the server gives one
    /// (not in the spec; the sandbox sends it for manual items).
    #[serde(default, deserialize_with = "opt_index")]
    pub index: Option<u64>,
    /// Why it failed.
    #[serde(default, deserialize_with = "wire::text")]
    pub message: String,
}

fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = wire::text(d)?;
    Ok((!s.is_empty()).then_some(s))
}

/// An entry's position: absent or null is none; a whole number (or its
/// digits as a string) is one; anything else (`-1`, `1.5`, `"first"`) is an
/// error, so an answer naming an item it can't place is never read as
/// naming none.
fn opt_index<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let raw = wire::raw(d)?;
    if raw == "null" {
        return Ok(None);
    }
    let digits = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    let digits = digits.trim();
    if !digits.is_empty() && digits.len() <= 19 && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = digits.parse() {
            return Ok(Some(n));
        }
    }
    Err(wire::refuse(
        raw,
        format_args!("invalid index {raw}: expected a whole number"),
    ))
}

/// The whole answer, refusal included, for [`crate::Batch`].
#[derive(Debug, Deserialize)]
pub(crate) struct MultipleAnswer {
    #[serde(default, deserialize_with = "wire::flag")]
    pub(crate) success: Option<bool>,
    #[serde(default, deserialize_with = "wire::text")]
    pub(crate) message: String,
    #[serde(default, deserialize_with = "wire::rows")]
    pub(crate) data: Vec<ItemReport>,
    /// The answer contradicts itself (content after it, a key given twice
    /// with different values): nothing in it is certain.
    #[serde(skip)]
    pub(crate) contradictory: Option<String>,
    /// The answer may be cut short (or has no outer braces, or a wrong
    /// closer): the entries it completes stand, nothing else is certain.
    #[serde(skip)]
    pub(crate) incomplete: Option<String>,
}

impl Wire for MultipleAnswer {
    type Output = MultipleAnswer;
    const READS_REFUSALS: bool = true;
    const MONEY: bool = true;

    fn damaged(mut self, damage: &wire::Damage) -> Result<MultipleAnswer, Error> {
        let Some(why) = damage.uncertainty() else {
            return Ok(self);
        };
        if damage.trailing.is_some() || damage.conflict.is_some() {
            self.contradictory = Some(why);
            return Ok(self);
        }
        // Truncated: the entry the body was cut inside is not an entry.
        if let [wire::Step::Key(key), inner, ..] = damage.open.as_slice() {
            if key == "data" {
                match inner {
                    wire::Step::Index(k) if *k < self.data.len() => {
                        self.data.remove(*k);
                    }
                    wire::Step::Index(_) => {}
                    wire::Step::Key(_) => {
                        // A keyed `data` cut inside an entry: which one is
                        // lost with the order.
                        self.contradictory = Some(why);
                        return Ok(self);
                    }
                }
            }
        }
        self.incomplete = Some(why);
        Ok(self)
    }

    fn finish(self) -> Result<MultipleAnswer, Error> {
        wire::require_success(self.success)?;
        Ok(self)
    }
}

/// The old name of [`ItemReport`].
pub type ItemFailure = ItemReport;

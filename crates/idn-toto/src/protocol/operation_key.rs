//! The operation key a caller gives a money move (`docs/spec-notes.md`
//! 190): what the journal records a move under, and what the key decisions
//! of `keys` are about.

use serde::{Deserialize, Serialize};

use crate::schema::error::Error;

/// The longest key, in bytes.
pub const MAX_KEY_LEN: usize = 200;

/// A checked operation key: 1 to [`MAX_KEY_LEN`] bytes of text without
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct OperationKey(String);

impl OperationKey {
    /// Checks a key; the error names `field` (`key`, or a batch item's
    /// `transaction[3].key`).
    pub fn parse(field: &str, key: &str) -> Result<OperationKey, Error> {
        if key.is_empty() {
            return Err(Error::invalid(field, "must not be empty"));
        }
        if key.len() > MAX_KEY_LEN {
            return Err(Error::invalid(
                field,
                format!("is {} bytes long; at most {MAX_KEY_LEN}", key.len()),
            ));
        }
        if key.chars().any(char::is_control) {
            return Err(Error::invalid(field, "must not contain control characters"));
        }
        if key.trim() != key {
            return Err(Error::invalid(
                field,
                "must not begin or end with white space",
            ));
        }
        Ok(OperationKey(key.to_owned()))
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for OperationKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        OperationKey::parse("key", &text).map_err(serde::de::Error::custom)
    }
}

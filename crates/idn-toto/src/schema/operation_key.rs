//! The operation key a caller gives a money move (`docs/spec-notes.md`
//! 190): what the journal records a move under, and what the key decisions
//! of `protocol::keys` are about. Data only (an unknown outcome's
//! `Unsettled`, which `Error` holds, names its key): its parser, which
//! reports an `Error`, is in `params`.

use serde::Serialize;

/// The longest key, in bytes.
pub const MAX_KEY_LEN: usize = 200;

/// A checked operation key: 1 to [`MAX_KEY_LEN`] bytes of text without
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct OperationKey(pub(crate) String);

impl OperationKey {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

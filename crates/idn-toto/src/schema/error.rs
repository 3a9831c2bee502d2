//! The one error type, split by cause.

use serde_json::{json, Map, Value};

/// Everything that can go wrong, split by who is at fault.
///
/// Messages are lowercase and never contain the token: errors that carry
/// server text are scrubbed by [`crate::Client::parse`] and
/// [`Error::redacted`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller's input (configuration or a parameter) is not acceptable.
    /// Raised before any request exists.
    #[error("invalid request: {field}: {reason}")]
    InvalidRequest {
        /// The parameter or configuration field at fault (`user`,
        /// `transaction[3].amount`, `base_url`, ...).
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// The server answered `success: false`.
    #[error("api refused the request ({}): {message}", kind.as_str())]
    Api {
        /// The refusal classified from the spec's messages.
        kind: ApiErrorKind,
        /// The server's message, verbatim (token scrubbed).
        message: String,
    },
    /// The HTTP status was outside 2xx.
    #[error("http status {status}: {excerpt}")]
    Http {
        /// The status code.
        status: u16,
        /// The start of the body (at most 200 characters, token scrubbed).
        excerpt: String,
    },
    /// The body is not the documented shape.
    #[error("undecodable response at {path}: {reason}")]
    Decode {
        /// Where: `$` for the whole body, `data[3].amount`, `data.3.amount`
        /// for lists keyed `"1"`, `"2"`, ...
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// The host's HTTP transport failed (network error, timeout) on a request
    /// that is safe to repeat.
    #[error("transport failure: {reason}")]
    Transport {
        /// What the transport reported (token scrubbed).
        reason: String,
    },
    /// A request that moves money may or may not have been carried out: its
    /// transport failed or timed out, the server answered 5xx, or the body
    /// could not be read. It is never retried automatically; check the
    /// transaction list or the user's history before acting again.
    #[error("outcome unknown: {cause}")]
    OutcomeUnknown {
        /// What happened.
        cause: Box<Error>,
        /// What settling it needs (the move's canonical parameters and, for
        /// a manual move, the history snapshot): attached by the driver,
        /// which knows the request ([`crate::Driver`], [`crate::Call`],
        /// [`Error::settleable`]); `None` from [`crate::Client::parse`]
        /// alone.
        unsettled: Option<Box<crate::schema::unsettled::Unsettled>>,
    },
    /// The money move's operation key is held by another live process
    /// (its claim's lease has not run out): nothing was sent. Try again
    /// after the lease, or find out what that process is doing.
    #[error("key in use: {key} is held by another process until {lease_until_ms} ms (unix); nothing was sent")]
    KeyInUse {
        /// The operation key.
        key: String,
        /// Until when (Unix milliseconds) the other holder's claim runs.
        lease_until_ms: i64,
    },
    /// The operation key was used for another money move (another user,
    /// amount, type, transaction or action): nothing was sent.
    #[error("key conflict: {reason}; nothing was sent")]
    KeyConflict {
        /// The operation key.
        key: String,
        /// What differs, in words.
        reason: String,
    },
}

impl Error {
    /// The kind as a stable string: `invalid_request`, `api`, `http`,
    /// `decode`, `transport`, `outcome_unknown`, `key_in_use` or
    /// `key_conflict`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidRequest { .. } => "invalid_request",
            Error::Api { .. } => "api",
            Error::Http { .. } => "http",
            Error::Decode { .. } => "decode",
            Error::Transport { .. } => "transport",
            Error::OutcomeUnknown { .. } => "outcome_unknown",
            Error::KeyInUse { .. } => "key_in_use",
            Error::KeyConflict { .. } => "key_conflict",
        }
    }

    /// The canonical JSON form: `{"error": {"kind": ..., "message": ..., ...}}`.
    pub fn to_json(&self) -> Value {
        json!({ "error": self.to_json_inner() })
    }

    fn to_json_inner(&self) -> Value {
        let mut m = Map::new();
        m.insert("kind".into(), self.kind().into());
        m.insert("message".into(), self.to_string().into());
        match self {
            Error::InvalidRequest { field, reason } => {
                m.insert("field".into(), field.as_str().into());
                m.insert("reason".into(), reason.as_str().into());
            }
            Error::Api { kind, message } => {
                m.insert("api_kind".into(), kind.as_str().into());
                m.insert("server_message".into(), message.as_str().into());
            }
            Error::Http { status, excerpt } => {
                m.insert("status".into(), (*status).into());
                m.insert("excerpt".into(), excerpt.as_str().into());
            }
            Error::Decode { path, reason } => {
                m.insert("path".into(), path.as_str().into());
                m.insert("reason".into(), reason.as_str().into());
            }
            Error::Transport { reason } => {
                m.insert("reason".into(), reason.as_str().into());
            }
            Error::OutcomeUnknown { cause, unsettled } => {
                m.insert("cause".into(), cause.to_json_inner());
                if let Some(u) = unsettled {
                    m.insert("unsettled".into(), u.to_json());
                }
            }
            Error::KeyInUse {
                key,
                lease_until_ms,
            } => {
                m.insert("key".into(), key.as_str().into());
                m.insert("lease_until_ms".into(), (*lease_until_ms).into());
            }
            Error::KeyConflict { key, reason } => {
                m.insert("key".into(), key.as_str().into());
                m.insert("reason".into(), reason.as_str().into());
            }
        }
        Value::Object(m)
    }

    /// The field at fault, for [`Error::InvalidRequest`].
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidRequest { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The HTTP status, for [`Error::Http`] (also inside
    /// [`Error::OutcomeUnknown`]).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } => Some(*status),
            Error::OutcomeUnknown { cause, .. } => cause.status(),
            _ => None,
        }
    }

    /// What settling an [`Error::OutcomeUnknown`] needs, when the error
    /// carries it.
    pub fn unsettled(&self) -> Option<&crate::schema::unsettled::Unsettled> {
        match self {
            Error::OutcomeUnknown { unsettled, .. } => unsettled.as_deref(),
            _ => None,
        }
    }

    /// The journal id of the money move an [`Error::OutcomeUnknown`] is
    /// about, when the move was journaled (the [`crate::Driver`] fills it
    /// in): what its `settled` line is written under.
    pub fn journal_id(&self) -> Option<&str> {
        self.unsettled()?.journal_id.as_deref()
    }

    /// What settling needs, to fill in (the server, the journal id).
    pub(crate) fn unsettled_mut(&mut self) -> Option<&mut crate::schema::unsettled::Unsettled> {
        match self {
            Error::OutcomeUnknown { unsettled, .. } => unsettled.as_deref_mut(),
            _ => None,
        }
    }

    /// An unknown outcome caused by `cause`.
    pub(crate) fn unknown(cause: Error) -> Error {
        Error::OutcomeUnknown {
            cause: Box::new(cause),
            unsettled: None,
        }
    }

    /// The classified refusal, for [`Error::Api`].
    pub fn api_kind(&self) -> Option<ApiErrorKind> {
        match self {
            Error::Api { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// The path in the body, for [`Error::Decode`] (also inside
    /// [`Error::OutcomeUnknown`]).
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Decode { path, .. } => Some(path),
            Error::OutcomeUnknown { cause, .. } => cause.path(),
            _ => None,
        }
    }

    /// Applies `scrub` to every piece of free text the error carries.
    pub(crate) fn map_text(self, scrub: &dyn Fn(String) -> String) -> Error {
        match self {
            Error::InvalidRequest { field, reason } => Error::InvalidRequest {
                field: scrub(field),
                reason: scrub(reason),
            },
            Error::Api { kind, message } => Error::Api {
                kind,
                message: scrub(message),
            },
            Error::Http { status, excerpt } => Error::Http {
                status,
                excerpt: scrub(excerpt),
            },
            Error::Decode { path, reason } => Error::Decode {
                path: scrub(path),
                reason: scrub(reason),
            },
            Error::Transport { reason } => Error::Transport {
                reason: scrub(reason),
            },
            Error::OutcomeUnknown { cause, unsettled } => Error::OutcomeUnknown {
                cause: Box::new(cause.map_text(scrub)),
                unsettled,
            },
            Error::KeyInUse {
                key,
                lease_until_ms,
            } => Error::KeyInUse {
                key: scrub(key),
                lease_until_ms,
            },
            Error::KeyConflict { key, reason } => Error::KeyConflict {
                key: scrub(key),
                reason: scrub(reason),
            },
        }
    }

    /// An `invalid_request` error at `field` (what every check of a
    /// caller's input gives, in the core and in the hosts).
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::InvalidRequest {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn decode(path: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::Decode {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// Builds an API refusal, classifying the server's message.
    pub(crate) fn api(message: String) -> Error {
        Error::Api {
            kind: ApiErrorKind::classify(&message),
            message,
        }
    }
}

/// A `success: false` refusal, classified from the messages the spec shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// `User not found` (balance, history, latest).
    UserNotFound,
    /// `Invalid User!` (referral, full transaction, PGA).
    InvalidUser,
    /// `User tidak terdaftar!!` (manual transaction: user not registered).
    UserNotRegistered,
    /// `Invalid Game Code!` (number history).
    InvalidGameCode,
    /// `The transaction couldnt be found or has been modified before`.
    TransactionNotFound,
    /// Any other message (`Oops something wrong! Please contact operator!`, ...).
    Other,
}

impl ApiErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ApiErrorKind; 6] = [
        ApiErrorKind::UserNotFound,
        ApiErrorKind::InvalidUser,
        ApiErrorKind::UserNotRegistered,
        ApiErrorKind::InvalidGameCode,
        ApiErrorKind::TransactionNotFound,
        ApiErrorKind::Other,
    ];

    /// The stable snake_case name used in JSON and by the bindings.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiErrorKind::UserNotFound => "user_not_found",
            ApiErrorKind::InvalidUser => "invalid_user",
            ApiErrorKind::UserNotRegistered => "user_not_registered",
            ApiErrorKind::InvalidGameCode => "invalid_game_code",
            ApiErrorKind::TransactionNotFound => "transaction_not_found",
            ApiErrorKind::Other => "other",
        }
    }

    /// Classifies a server message. Case and runs of whitespace (the spec
    /// breaks one message over two lines) are ignored.
    pub fn classify(message: &str) -> ApiErrorKind {
        let folded: String = message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .map(fold_char)
            .collect();
        let has = |needle: &str| folded.contains(needle);
        if has("user not found") {
            ApiErrorKind::UserNotFound
        } else if has("invalid user") {
            ApiErrorKind::InvalidUser
        } else if has("tidak terdaftar") {
            ApiErrorKind::UserNotRegistered
        } else if has("invalid game code") {
            ApiErrorKind::InvalidGameCode
        } else if has("couldnt be found")
            || has("couldn't be found")
            || has("could not be found")
            || has("has been modified before")
        {
            ApiErrorKind::TransactionNotFound
        } else {
            ApiErrorKind::Other
        }
    }
}

/// Lower case as far as the (ASCII) phrases `classify` looks for can tell:
/// `str::to_lowercase` without its Unicode tables in the binary. The only
/// characters outside ASCII whose lower case has an ASCII letter are the
/// Kelvin sign (`k`) and `İ` (`i` + a combining dot, which no phrase can
/// use: none ends in `i` or is `i`); every other one stays outside ASCII.
fn fold_char(c: char) -> char {
    match c {
        '\u{212A}' => 'k',
        c => c.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_agrees_with_unicode_lower_case_on_ascii() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let unicode: String = c.to_lowercase().collect();
            let ours = fold_char(c);
            if unicode.is_ascii() {
                assert_eq!(unicode, ours.to_string(), "{c:?}");
            } else {
                assert!(!ours.is_ascii(), "{c:?}");
                let ascii: String = unicode.chars().filter(char::is_ascii).collect();
                assert!(
                    ascii.is_empty() || (c == '\u{130}' && ascii == "i"),
                    "{c:?}"
                );
            }
        }
    }

    #[test]
    fn classifies_every_spec_message() {
        let cases = [
            ("User not found", ApiErrorKind::UserNotFound),
            ("Invalid User!", ApiErrorKind::InvalidUser),
            ("User tidak terdaftar!!", ApiErrorKind::UserNotRegistered),
            ("Invalid Game Code!", ApiErrorKind::InvalidGameCode),
            (
                "The transaction couldnt be found or has been modified\nbefore",
                ApiErrorKind::TransactionNotFound,
            ),
            (
                "Oops something wrong! Please contact operator!",
                ApiErrorKind::Other,
            ),
        ];
        for (message, kind) in cases {
            assert_eq!(ApiErrorKind::classify(message), kind, "{message}");
        }
    }

    #[test]
    fn json_names_the_kind_and_nests_causes() {
        let e = Error::unknown(Error::Http {
            status: 502,
            excerpt: "bad gateway".into(),
        });
        let j = e.to_json();
        assert_eq!(j["error"]["kind"], "outcome_unknown");
        assert_eq!(j["error"]["cause"]["kind"], "http");
        assert_eq!(j["error"]["cause"]["status"], 502);
        assert_eq!(e.status(), Some(502));
    }
}

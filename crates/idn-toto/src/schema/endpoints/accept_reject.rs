//! `accept_reject`: Accept/Reject Transaction (moves money; never retried).

use serde::{Deserialize, Serialize};

use crate::schema::error::Error;
use crate::schema::declare::endpoint;
use crate::schema::moves::{Action, MoneyMove, TxType};
use crate::schema::params::Segment;
use crate::schema::wire::{self, Wire};

endpoint! {
    /// Parameters:
    /// `GET /TOKEN/{push_dps|push_wd}/TRANS_ID/USER/ACTION/COMMENT/OPERATOR`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AcceptRejectParams {
        /// Deposit or withdraw.
        pub r#type: TxType = "type" in Path,
        /// The transaction ID.
        pub trans_id: Segment = "trans_id" in Path,
        /// User id in game.
        pub user: Segment = "user" in Path,
        /// Accept or reject.
        pub action: Action = "action" in Path,
        /// A comment/note.
        pub comment: Segment = "comment" in Path,
        /// Operator name.
        pub operator: Segment = "operator" in Path,
    }
    impl Endpoint {
        id: AcceptReject,
        function: "Accept/Reject Transaction",
        method: Get,
        path: "/{token}/{type:push_dps|push_wd}/{trans_id}/{user}/{action}/{comment}/{operator}",
        money: single,
        response: Processed,
        wire: ProcessedWire,
    }
}

impl From<&AcceptRejectParams> for MoneyMove {
    /// The move these parameters make, read from the typed values.
    fn from(p: &AcceptRejectParams) -> MoneyMove {
        MoneyMove::AcceptReject {
            r#type: p.r#type,
            trans_id: p.trans_id.as_str().to_owned(),
            user: p.user.as_str().to_owned(),
            action: p.action,
        }
    }
}

/// A confirmed money-moving request: `success: true` and the server's
/// message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct Processed {
    /// The server's message (`Transaction has been successfully processed.`).
    pub message: String,
    /// `true` when nothing was sent: the call's operation key was done
    /// before, and this is the recorded answer of that attempt (a replay).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "tsify", tsify(optional))]
    pub replayed: bool,
}

/// `{"success": ..., "message": ...}`; `success: true` is required.
#[derive(Debug, Deserialize)]
pub(crate) struct ProcessedWire {
    #[serde(default, deserialize_with = "wire::flag")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "wire::text")]
    message: String,
}

impl Wire for ProcessedWire {
    type Output = Processed;
    // A refusal is only definite when the body is complete and unambiguous:
    // `damaged` decides before `finish` reads `success`.
    const READS_REFUSALS: bool = true;
    const MONEY: bool = true;

    fn damaged(self, damage: &wire::Damage) -> Result<ProcessedWire, Error> {
        match damage.uncertainty() {
            Some(why) => Err(Error::decode("$", why)),
            None => Ok(self),
        }
    }

    fn finish(self) -> Result<Processed, Error> {
        wire::check_success(self.success, &self.message)?;
        wire::require_success(self.success)?;
        Ok(Processed {
            message: self.message,
            replayed: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::endpoint::Endpoint;
    use crate::schema::endpoints::test_support::client;
    use serde_json::json;

    #[test]
    fn builds_the_spec_example() {
        let p = AcceptRejectParams::from_json(&json!({
            "type": "deposit", "trans_id": "123454321", "user": "LOREM",
            "action": "accept", "comment": "TRANS-01", "operator": "OP01"
        }))
        .unwrap();
        let r = client().request(&p);
        assert_eq!(
            r.redacted_url(),
            "http://example.com/home.php/***/push_dps/123454321/LOREM/ACCEPT/TRANS-01/OP01"
        );
        assert!(!r.is_idempotent());
    }

    #[test]
    fn confirmation_requires_success_true() {
        let ok = AcceptRejectParams::parse(
            200,
            br#"{"success": true, "message": "Transaction has been successfully processed."}"#,
        );
        assert_eq!(
            ok.unwrap().message,
            "Transaction has been successfully processed."
        );
        let unknown = AcceptRejectParams::parse(200, br#"{"message": "?"}"#).unwrap_err();
        assert_eq!(unknown.kind(), "outcome_unknown");
        let refused = AcceptRejectParams::parse(200, b"{\"success\":false,\"message\":\"The transaction couldnt be found or has been modified\nbefore\"}").unwrap_err();
        assert_eq!(
            refused.api_kind(),
            Some(crate::schema::error::ApiErrorKind::TransactionNotFound)
        );
        assert_eq!(
            AcceptRejectParams::parse(502, b"bad gateway")
                .unwrap_err()
                .kind(),
            "outcome_unknown"
        );
        assert_eq!(
            AcceptRejectParams::parse(404, b"not found")
                .unwrap_err()
                .kind(),
            "http"
        );
    }
}

//! `accept_reject`: Accept/Reject Transaction (moves money; never retried).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::params::ParamReader;
use crate::wire::{self, Wire};
use crate::{Action, Client, Endpoint, EndpointId, Error, Method, Request, Segment, TxType};

/// Parameters:
/// `GET /TOKEN/{push_dps|push_wd}/TRANS_ID/USER/ACTION/COMMENT/OPERATOR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptRejectParams {
    /// Deposit or withdraw.
    pub r#type: TxType,
    /// The transaction ID.
    pub trans_id: Segment,
    /// User id in game.
    pub user: Segment,
    /// Accept or reject.
    pub action: Action,
    /// A comment/note.
    pub comment: Segment,
    /// Operator name.
    pub operator: Segment,
}

impl AcceptRejectParams {
    /// Reads canonical JSON parameters.
    pub fn from_json(v: &Value) -> Result<AcceptRejectParams, Error> {
        let r = ParamReader::new(v, "")?;
        r.only(Self::PARAMS)?;
        Ok(AcceptRejectParams {
            r#type: r.tx_type()?,
            trans_id: r.segment("trans_id")?,
            user: r.segment("user")?,
            action: r.action()?,
            comment: r.segment("comment")?,
            operator: r.segment("operator")?,
        })
    }
}

/// A confirmed money-moving request: `success: true` and the server's
/// message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct Processed {
    /// The server's message (`Transaction has been successfully processed.`).
    pub message: String,
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
        })
    }
}

impl Endpoint for AcceptRejectParams {
    const ID: EndpointId = EndpointId::AcceptReject;
    const FUNCTION: &'static str = "Accept/Reject Transaction";
    const METHOD: Method = Method::Get;
    const PATH: &'static str =
        "/{token}/{type:push_dps|push_wd}/{trans_id}/{user}/{action}/{comment}/{operator}";
    const IDEMPOTENT: bool = false;
    const PARAMS: &'static [&'static str] =
        &["type", "trans_id", "user", "action", "comment", "operator"];
    type Response = Processed;

    fn request(&self, client: &Client) -> Request {
        let (trans_id, user) = (self.trans_id.encoded(), self.user.encoded());
        let (comment, operator) = (self.comment.encoded(), self.operator.encoded());
        let segments = [
            self.r#type.push_word(),
            &trans_id,
            &user,
            self.action.as_wire(),
            &comment,
            &operator,
        ];
        client.assemble::<Self>(&segments, &[], None)
    }

    fn money_params(&self) -> Option<Value> {
        Some(serde_json::json!({
            "type": self.r#type.as_str(),
            "trans_id": self.trans_id.as_str(),
            "user": self.user.as_str(),
            "action": self.action.as_wire(),
            "comment": self.comment.as_str(),
            "operator": self.operator.as_str(),
        }))
    }

    fn parse(status: u16, body: &[u8]) -> Result<Processed, Error> {
        <Self as wire::Parse>::parse_with::<wire::Strict>(status, body)
    }
}

impl wire::Parse for AcceptRejectParams {
    type Out = Processed;

    fn parse_with<R: wire::Reader>(status: u16, body: &[u8]) -> Result<Processed, Error> {
        wire::parse_with::<ProcessedWire, R>(Self::ID, status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::test_support::client;
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
            Some(crate::ApiErrorKind::TransactionNotFound)
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

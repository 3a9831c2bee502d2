//! `manual_transaction`: Manual Transaction (moves money; never retried).

use serde_json::Value;

use crate::endpoints::accept_reject::{Processed, ProcessedWire};
use crate::params::ParamReader;
use crate::wire;
use crate::{Amount, Client, Endpoint, EndpointId, Error, Method, Request, Segment, TxType};

/// Parameters:
/// `GET /TOKEN/MANUAL/{depo|wd}/USER/COMMENT/AMOUNT/OPERATOR` (the deposit
/// word is configurable: see [`crate::PathWords::manual_deposit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualTransactionParams {
    /// Deposit or withdraw.
    pub r#type: TxType,
    /// User id in game.
    pub user: Segment,
    /// A comment/note.
    pub comment: Segment,
    /// The amount, exact.
    pub amount: Amount,
    /// Operator name.
    pub operator: Segment,
}

impl ManualTransactionParams {
    /// Reads canonical JSON parameters.
    pub fn from_json(v: &Value) -> Result<ManualTransactionParams, Error> {
        let r = ParamReader::new(v, "")?;
        r.only(Self::PARAMS)?;
        Ok(ManualTransactionParams {
            r#type: r.tx_type()?,
            user: r.segment("user")?,
            comment: r.segment("comment")?,
            amount: r.amount("amount")?,
            operator: r.segment("operator")?,
        })
    }
}

impl Endpoint for ManualTransactionParams {
    const ID: EndpointId = EndpointId::ManualTransaction;
    const FUNCTION: &'static str = "Manual Transaction";
    const METHOD: Method = Method::Get;
    const PATH: &'static str =
        "/{token}/MANUAL/{type:depo|wd}/{user}/{comment}/{amount}/{operator}";
    const IDEMPOTENT: bool = false;
    const PARAMS: &'static [&'static str] = &["type", "user", "comment", "amount", "operator"];
    type Response = Processed;

    fn request(&self, client: &Client) -> Request {
        let (user, comment) = (self.user.encoded(), self.comment.encoded());
        let (amount, operator) = (self.amount.to_wire(), self.operator.encoded());
        let word = client.path_words().manual(self.r#type);
        let segments = ["MANUAL", word, &user, &comment, &amount, &operator];
        client.assemble::<Self>(&segments, &[], None)
    }

    fn money_params(&self) -> Option<Value> {
        Some(serde_json::json!({
            "type": self.r#type.as_str(),
            "user": self.user.as_str(),
            "comment": self.comment.as_str(),
            "amount": self.amount.to_wire(),
            "operator": self.operator.as_str(),
        }))
    }

    fn parse(status: u16, body: &[u8]) -> Result<Processed, Error> {
        <Self as wire::Parse>::parse_with::<wire::Strict>(status, body)
    }
}

impl wire::Parse for ManualTransactionParams {
    type Out = Processed;

    fn parse_with<R: wire::Reader>(status: u16, body: &[u8]) -> Result<Processed, Error> {
        wire::parse_with::<ProcessedWire, R>(Self::ID, status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::test_support::client;
    use crate::PathWords;
    use serde_json::json;

    #[test]
    fn uses_depo_by_default_and_dps_when_configured() {
        let p = ManualTransactionParams::from_json(&json!({
            "type": "deposit", "user": "LOREM", "comment": "TRANS-01", "amount": "10000", "operator": "OP01"
        }))
        .unwrap();
        assert_eq!(
            client().request(&p).redacted_url(),
            "http://example.com/home.php/***/MANUAL/depo/LOREM/TRANS-01/10000/OP01"
        );
        let words = PathWords {
            manual_deposit: "dps".into(),
            ..PathWords::default()
        };
        let c = client().with_path_words(words).unwrap();
        assert_eq!(
            c.request(&p).redacted_url(),
            "http://example.com/home.php/***/MANUAL/dps/LOREM/TRANS-01/10000/OP01"
        );
    }

    #[test]
    fn refusal_is_user_not_registered() {
        let e = ManualTransactionParams::parse(
            200,
            br#"{"success":false,"message":"User tidak terdaftar!!"}"#,
        )
        .unwrap_err();
        assert_eq!(e.api_kind(), Some(crate::ApiErrorKind::UserNotRegistered));
    }
}

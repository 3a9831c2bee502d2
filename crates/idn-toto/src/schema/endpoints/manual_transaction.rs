//! `manual_transaction`: Manual Transaction (moves money; never retried).

use crate::schema::declare::endpoint;
use crate::schema::endpoints::accept_reject::{Processed, ProcessedWire};
use crate::schema::moves::{MoneyMove, TxType};
use crate::schema::params::{Amount, Segment};

endpoint! {
    /// Parameters:
    /// `GET /TOKEN/MANUAL/{depo|wd}/USER/COMMENT/AMOUNT/OPERATOR` (the deposit
    /// word is configurable: see [`crate::PathWords::manual_deposit`]).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ManualTransactionParams {
        /// Deposit or withdraw.
        pub r#type: TxType = "type" in Path,
        /// User id in game.
        pub user: Segment = "user" in Path,
        /// A comment/note.
        pub comment: Segment = "comment" in Path,
        /// The amount, exact.
        pub amount: Amount = "amount" in Path,
        /// Operator name.
        pub operator: Segment = "operator" in Path,
    }
    impl Endpoint {
        id: ManualTransaction,
        function: "Manual Transaction",
        method: Get,
        path: "/{token}/MANUAL/{type:depo|wd}/{user}/{comment}/{amount}/{operator}",
        words: { "depo" => manual_deposit, "wd" => manual_withdraw },
        money: single,
        response: Processed,
        wire: ProcessedWire,
    }
}

impl From<&ManualTransactionParams> for MoneyMove {
    /// The move these parameters make (what settling compares the history
    /// with), read from the typed values: nothing parsed again.
    fn from(p: &ManualTransactionParams) -> MoneyMove {
        MoneyMove::Manual {
            r#type: p.r#type,
            user: p.user.as_str().to_owned(),
            amount: p.amount.value(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::client::PathWords;
    use crate::schema::endpoint::Endpoint;
    use crate::schema::endpoints::test_support::client;
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
        assert_eq!(
            e.api_kind(),
            Some(crate::schema::error::ApiErrorKind::UserNotRegistered)
        );
    }
}

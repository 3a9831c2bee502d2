//! How a [`crate::Driver`] ends when it succeeds: one value for every
//! operation (a call's response, a batch's outcomes, a settlement, paging).

use serde_json::Value;

use crate::protocol::batch::ItemOutcome;
use crate::protocol::settle::Settlement;
use crate::schema::error::Error;
use crate::schema::table::{AnyEndpoint, AnyResponse};

/// How a [`crate::Driver`] ended, when it succeeded.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A call's response.
    Response(AnyResponse),
    /// A batch: one outcome per item, in input order, and each item's
    /// journal id when the batch was journaled (`None` for an item whose
    /// request never left).
    Outcomes {
        /// One per item.
        outcomes: Vec<ItemOutcome>,
        /// One per item.
        journal_ids: Vec<Option<String>>,
    },
    /// A settlement.
    Settlement(Settlement),
    /// The journal's open moves, settled in order: (journal id, settlement).
    Settlements(Vec<(String, Settlement)>),
    /// Paging is over: every page was handed out as [`crate::Step::Page`].
    Pages {
        /// How many pages were read.
        pages_read: u64,
    },
}

/// The typed ends of the operations: what `send`, `batch`, `settle`,
/// settling a journal and paging give back, each taken out of the one
/// `Output` here, so no host matches on it or recovers a type itself. An
/// output of another shape (a driver made for another operation) is a
/// `decode` error at `$` naming both.
impl Output {
    /// A call's response, typed as `E`'s.
    pub fn into_response<E: AnyEndpoint>(self) -> Result<E::Response, Error> {
        match self {
            Output::Response(any) => {
                let endpoint = any.endpoint();
                E::from_any(any).ok_or_else(|| {
                    Error::decode(
                        "$",
                        format!("the driver ended with {endpoint}'s answer, not {}'s", E::ID),
                    )
                })
            }
            other => Err(other.not("an answer")),
        }
    }

    /// A call's response as its canonical JSON value.
    pub fn into_response_json(self) -> Result<Value, Error> {
        match self {
            Output::Response(any) => Ok(any.to_json()),
            other => Err(other.not("an answer")),
        }
    }

    /// A batch's outcomes, one per item in input order (each carrying its
    /// journal id when the batch was journaled).
    pub fn into_outcomes(self) -> Result<Vec<ItemOutcome>, Error> {
        match self {
            Output::Outcomes { outcomes, .. } => Ok(outcomes),
            other => Err(other.not("outcomes")),
        }
    }

    /// One settlement.
    pub fn into_settlement(self) -> Result<Settlement, Error> {
        match self {
            Output::Settlement(s) => Ok(s),
            other => Err(other.not("a settlement")),
        }
    }

    /// A journal's open moves, settled in order: (journal id, settlement).
    pub fn into_settlements(self) -> Result<Vec<(String, Settlement)>, Error> {
        match self {
            Output::Settlements(list) => Ok(list),
            other => Err(other.not("settlements")),
        }
    }

    /// How many pages paging read.
    pub fn into_pages_read(self) -> Result<u64, Error> {
        match self {
            Output::Pages { pages_read } => Ok(pages_read),
            other => Err(other.not("paging's end")),
        }
    }

    fn not(&self, want: &str) -> Error {
        let got = match self {
            Output::Response(_) => "an answer",
            Output::Outcomes { .. } => "outcomes",
            Output::Settlement(_) => "a settlement",
            Output::Settlements(_) => "settlements",
            Output::Pages { .. } => "paging's end",
        };
        Error::decode("$", format!("the driver ended with {got}, not {want}"))
    }

    /// The canonical JSON: a response as itself; outcomes as an array of
    /// outcome objects (with `journal_id` when journaled); a settlement as
    /// its object; settlements as `[{"journal_id":..,"settlement":{..}}]`;
    /// paging as `{"pages_read":N}`.
    pub fn to_json(&self) -> Value {
        match self {
            Output::Response(r) => r.to_json(),
            Output::Outcomes {
                outcomes,
                journal_ids,
            } => Value::Array(
                outcomes
                    .iter()
                    .zip(journal_ids)
                    .map(|(o, id)| {
                        let mut v = o.to_json();
                        if let (Some(id), Some(m)) = (id, v.as_object_mut()) {
                            m.insert("journal_id".into(), Value::String(id.clone()));
                        }
                        v
                    })
                    .collect(),
            ),
            Output::Settlement(s) => s.to_json(),
            Output::Settlements(list) => Value::Array(
                list.iter()
                    .map(|(id, s)| serde_json::json!({"journal_id": id, "settlement": s.to_json()}))
                    .collect(),
            ),
            Output::Pages { pages_read } => serde_json::json!({ "pages_read": pages_read }),
        }
    }

    /// [`Output::to_json`] as text (a response without a `Value` in
    /// between).
    pub fn to_json_string(&self) -> String {
        match self {
            Output::Response(r) => r.to_json_string(),
            other => other.to_json().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::client::Client;
    use crate::schema::endpoints::bank_list::BankListParams;
    use crate::schema::endpoints::user_balance::UserBalanceParams;

    fn balance() -> Output {
        let client = Client::new("https://a.example/home.php", "T0KEN").unwrap();
        let body = br#"{"success":true,"message":"Success","user":"lorem","balance":"8900.00"}"#;
        let response = client.parse::<UserBalanceParams>(200, body).unwrap();
        Output::Response(AnyResponse::UserBalance(response))
    }

    #[test]
    fn each_operation_takes_its_own_end() {
        let typed = balance().into_response::<UserBalanceParams>().unwrap();
        assert_eq!(typed.balance.to_string(), "8900.00");
        assert_eq!(
            balance().into_response_json().unwrap()["balance"],
            "8900.00"
        );
        assert_eq!(
            Output::Pages { pages_read: 3 }.into_pages_read().unwrap(),
            3
        );
        assert!(Output::Settlements(Vec::new())
            .into_settlements()
            .unwrap()
            .is_empty());
        let outcomes = Output::Outcomes {
            outcomes: Vec::new(),
            journal_ids: Vec::new(),
        };
        assert!(outcomes.into_outcomes().unwrap().is_empty());
    }

    #[test]
    fn an_end_of_another_shape_is_a_decode_error_naming_both() {
        let e = balance().into_response::<BankListParams>().unwrap_err();
        assert_eq!((e.kind(), e.path()), ("decode", Some("$")));
        assert!(
            e.to_string()
                .contains("user_balance's answer, not bank_list's"),
            "{e}"
        );
        let e = Output::Pages { pages_read: 1 }
            .into_settlement()
            .unwrap_err();
        assert!(
            e.to_string().contains("paging's end, not a settlement"),
            "{e}"
        );
        let e = balance().into_outcomes().unwrap_err();
        assert!(e.to_string().contains("an answer, not outcomes"), "{e}");
    }
}

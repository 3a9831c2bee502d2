//! Any endpoint's typed response, and what a [`crate::Driver`] ends with.
//! The one place that lists the 13 response types: hosts that hold "some
//! response" (the bindings, the dynamic driver) match on [`AnyResponse`]
//! instead of writing their own dispatch.

use serde::Serialize;
use serde_json::Value;

use crate::endpoints as e;
use crate::{Client, Endpoint, EndpointId, Error, ItemOutcome, Settlement};

macro_rules! any_response {
    ($($variant:ident($module:ident :: $params:ident => $rmod:ident :: $ty:ident)),* $(,)?) => {
        /// One endpoint's typed response. Serializes as that response's
        /// canonical JSON.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum AnyResponse {
            $(
                #[doc = concat!("`", stringify!($module), "`")]
                $variant(e::$rmod::$ty),
            )*
        }

        impl AnyResponse {
            /// Parses an answer to `endpoint` as [`Client::parse`] does
            /// (size limit, token scrubbed from errors).
            pub fn parse(client: &Client, endpoint: EndpointId, status: u16, body: &[u8]) -> Result<AnyResponse, Error> {
                match endpoint {
                    $(EndpointId::$variant => client.parse::<e::$module::$params>(status, body).map(AnyResponse::$variant),)*
                }
            }

            /// The endpoint that answered.
            pub fn endpoint(&self) -> EndpointId {
                match self {
                    $(AnyResponse::$variant(_) => EndpointId::$variant,)*
                }
            }
        }

        $(
            impl AnyEndpoint for e::$module::$params {
                fn into_any(response: e::$rmod::$ty) -> AnyResponse {
                    AnyResponse::$variant(response)
                }

                fn from_any(response: AnyResponse) -> Option<e::$rmod::$ty> {
                    match response {
                        AnyResponse::$variant(r) => Some(r),
                        _ => None,
                    }
                }
            }
        )*
    };
}

any_response! {
    TransactionList(transaction_list::TransactionListParams => transaction_list::TransactionList),
    AcceptReject(accept_reject::AcceptRejectParams => accept_reject::Processed),
    MultipleTransaction(multiple_transaction::MultipleTransactionParams => multiple_transaction::MultipleTransaction),
    ManualTransaction(manual_transaction::ManualTransactionParams => accept_reject::Processed),
    UserBalance(user_balance::UserBalanceParams => user_balance::UserBalance),
    UserHistory(user_history::UserHistoryParams => user_history::UserHistory),
    UserLastTransaction(user_last_transaction::UserLastTransactionParams => user_last_transaction::UserLastTransaction),
    GameList(game_list::GameListParams => game_list::GameList),
    NumberHistory(number_history::NumberHistoryParams => number_history::NumberHistory),
    ReferralList(referral_list::ReferralListParams => referral_list::ReferralList),
    FullTransaction(full_transaction::FullTransactionParams => full_transaction::FullTransaction),
    PgaTransaction(pga_transaction::PgaTransactionParams => pga_transaction::PgaTransaction),
    BankList(bank_list::BankListParams => bank_list::BankList),
}

/// Converts an endpoint's typed response to and from [`AnyResponse`]
/// (implemented for the 13 parameter types).
pub trait AnyEndpoint: Endpoint {
    /// Wraps a response.
    fn into_any(response: Self::Response) -> AnyResponse;
    /// Unwraps a response of this endpoint; `None` for another's.
    fn from_any(response: AnyResponse) -> Option<Self::Response>;
}

impl AnyResponse {
    /// The canonical JSON text.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "null".into())
    }

    /// The canonical JSON value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

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

impl Output {
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

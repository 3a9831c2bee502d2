//! The endpoints' ids: the one list of the 13 endpoints
//! ([`for_each_endpoint`]), the `EndpointId` made from it, and the HTTP
//! `Method`. Imports nothing of the crate: what an id *is* (its table row,
//! its parameter type) is in `table`, made from the same list.

use std::fmt;

/// Calls `$m! { Variant => "id", module::ParamsType; ... }` with the one
/// list of endpoints, in the spec's order: `EndpointId` here and the table
/// (`ENDPOINTS`, `AnyResponse`, `EndpointId::visit`) in `table` are both
/// made from it.
macro_rules! for_each_endpoint {
    ($m:ident) => {
        $m! {
            TransactionList => "transaction_list", transaction_list::TransactionListParams;
            AcceptReject => "accept_reject", accept_reject::AcceptRejectParams;
            MultipleTransaction => "multiple_transaction", multiple_transaction::MultipleTransactionParams;
            ManualTransaction => "manual_transaction", manual_transaction::ManualTransactionParams;
            UserBalance => "user_balance", user_balance::UserBalanceParams;
            UserHistory => "user_history", user_history::UserHistoryParams;
            UserLastTransaction => "user_last_transaction", user_last_transaction::UserLastTransactionParams;
            GameList => "game_list", game_list::GameListParams;
            NumberHistory => "number_history", number_history::NumberHistoryParams;
            ReferralList => "referral_list", referral_list::ReferralListParams;
            FullTransaction => "full_transaction", full_transaction::FullTransactionParams;
            PgaTransaction => "pga_transaction", pga_transaction::PgaTransactionParams;
            BankList => "bank_list", bank_list::BankListParams;
        }
    };
}
pub(crate) use for_each_endpoint;

macro_rules! ids {
    ($($variant:ident => $id:literal, $module:ident :: $params:ident;)*) => {
        /// The endpoints, by the ids used everywhere (CLI, vectors,
        /// bindings, docs).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EndpointId {
            $(
                #[doc = concat!("`", $id, "`")]
                $variant,
            )*
        }

        impl EndpointId {
            /// Every endpoint, in the spec's order.
            pub const ALL: [EndpointId; [$($id),*].len()] = [$(EndpointId::$variant),*];

            /// The stable snake_case id.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EndpointId::$variant => $id,)*
                }
            }

            /// The endpoint with this id, if any (`str::parse` says which
            /// ids there are when there is none).
            pub(crate) fn from_id(id: &str) -> Option<EndpointId> {
                // (`str::parse` is in `table`, beside the error it gives.)
                match id {
                    $($id => Some(EndpointId::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

for_each_endpoint!(ids);

impl fmt::Display for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `str::parse` and the journal say of an id no endpoint has: the
/// error's words (`invalid request: endpoint: ...`, as `Error::invalid`
/// writes them).
pub(crate) fn unknown(id: &str) -> String {
    format!("invalid request: endpoint: {}", unknown_reason(id))
}

/// The reason part of [`unknown`].
pub(crate) fn unknown_reason(id: &str) -> String {
    let known: Vec<&str> = EndpointId::ALL.iter().map(|e| e.as_str()).collect();
    format!("unknown endpoint id {id:?}; known: {}", known.join(", "))
}

/// HTTP method of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `EndpointId` as its id string in serde (journal lines, `Unsettled`).
pub(crate) mod endpoint_id {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{unknown, EndpointId};

    pub(crate) fn serialize<S: Serializer>(id: &EndpointId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(id.as_str())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<EndpointId, D::Error> {
        let s = String::deserialize(d)?;
        EndpointId::from_id(&s).ok_or_else(|| serde::de::Error::custom(unknown(&s)))
    }
}

//! The endpoint table: the one list everything else derives from.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;

use crate::endpoints as e;
use crate::{dynamic, Client, Error, Request};

/// An endpoint's parameters: validated on construction, so building the
/// request cannot fail.
pub trait Endpoint {
    /// Which endpoint.
    const ID: EndpointId;
    /// The typed response.
    type Response: Serialize;

    /// The request descriptor for these parameters.
    fn request(&self, client: &Client) -> Request;

    /// A single money move's canonical parameters (`type` included), which
    /// settling an unknown outcome needs; `None` for every other request.
    fn money_params(&self) -> Option<Value> {
        None
    }

    /// Parses `(status, body)` into the typed response or a typed error.
    /// Errors are not yet scrubbed of the token: prefer [`Client::parse`].
    fn parse(status: u16, body: &[u8]) -> Result<Self::Response, Error>;
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

macro_rules! endpoint_ids {
    ($($variant:ident => $id:literal),* $(,)?) => {
        /// The 13 endpoints, by the ids used everywhere (CLI, vectors,
        /// bindings, docs).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EndpointId {
            $(
                #[doc = concat!("`", $id, "`")]
                $variant,
            )*
        }

        impl EndpointId {
            /// The stable snake_case id.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EndpointId::$variant => $id,)*
                }
            }
        }

        impl FromStr for EndpointId {
            type Err = Error;

            fn from_str(s: &str) -> Result<EndpointId, Error> {
                match s {
                    $($id => Ok(EndpointId::$variant),)*
                    _ => Err(Error::invalid(
                        "endpoint",
                        format!("unknown endpoint id {s:?}; known: {}", ENDPOINTS.iter().map(|e| e.id.as_str()).collect::<Vec<_>>().join(", ")),
                    )),
                }
            }
        }
    };
}

endpoint_ids! {
    TransactionList => "transaction_list",
    AcceptReject => "accept_reject",
    MultipleTransaction => "multiple_transaction",
    ManualTransaction => "manual_transaction",
    UserBalance => "user_balance",
    UserHistory => "user_history",
    UserLastTransaction => "user_last_transaction",
    GameList => "game_list",
    NumberHistory => "number_history",
    ReferralList => "referral_list",
    FullTransaction => "full_transaction",
    PgaTransaction => "pga_transaction",
    BankList => "bank_list",
}

impl EndpointId {
    /// This endpoint's row in [`ENDPOINTS`].
    pub fn info(self) -> &'static EndpointInfo {
        // The table is declared in `EndpointId` order; a unit test checks it.
        &ENDPOINTS[self as usize]
    }
}

impl fmt::Display for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Dynamic paging: `(params, canonical page) -> next params`.
pub type NextPageFn = fn(&Value, &Value) -> Result<Option<Value>, Error>;

/// One row of the endpoint table.
#[derive(Debug)]
pub struct EndpointInfo {
    /// The id.
    pub id: EndpointId,
    /// The spec's function name.
    pub function: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template after the base URL, with the default path words
    /// (overridable through [`crate::PathWords`]).
    pub path: &'static str,
    /// Whether the request is safe to repeat. Endpoints that move money are
    /// not.
    pub idempotent: bool,
    /// Canonical parameter names, required ones first, in URL order.
    pub params: &'static [&'static str],
    /// Dynamic build: canonical JSON parameters to a request.
    pub build: fn(&Client, &Value) -> Result<Request, Error>,
    /// Dynamic parse: status and body to the canonical JSON text.
    pub parse: fn(u16, &[u8]) -> Result<String, Error>,
    /// Dynamic paging: the parameters of the next page, if any.
    pub next_page: Option<NextPageFn>,
}

macro_rules! row {
    ($id:ident, $module:ident :: $params:ident, $function:literal, $method:ident, $path:literal, $idem:literal, [$($p:literal),*]) => {
        EndpointInfo {
            id: EndpointId::$id,
            function: $function,
            method: Method::$method,
            path: $path,
            idempotent: $idem,
            params: &[$($p),*],
            build: |client, params| Ok(client.request(&e::$module::$params::from_json(params)?)),
            parse: dynamic::parse_string::<e::$module::$params>,
            next_page: None,
        }
    };
}

/// The endpoint table, in the spec's order.
pub static ENDPOINTS: [EndpointInfo; 13] = [
    row!(
        TransactionList,
        transaction_list::TransactionListParams,
        "Get Transaction List",
        Get,
        "/{token}/{type:dps|wd}[/{bank}][?name={name}]",
        true,
        ["type", "bank", "name"]
    ),
    row!(
        AcceptReject,
        accept_reject::AcceptRejectParams,
        "Accept/Reject Transaction",
        Get,
        "/{token}/{type:push_dps|push_wd}/{trans_id}/{user}/{action}/{comment}/{operator}",
        false,
        ["type", "trans_id", "user", "action", "comment", "operator"]
    ),
    row!(
        MultipleTransaction,
        multiple_transaction::MultipleTransactionParams,
        "Accept/Reject/Manual Multiple Transaction",
        Post,
        "/{token}/{type:push_dps|push_wd|MANUAL/depo|MANUAL/wd}",
        false,
        ["type", "transaction"]
    ),
    row!(
        ManualTransaction,
        manual_transaction::ManualTransactionParams,
        "Manual Transaction",
        Get,
        "/{token}/MANUAL/{type:depo|wd}/{user}/{comment}/{amount}/{operator}",
        false,
        ["type", "user", "comment", "amount", "operator"]
    ),
    row!(
        UserBalance,
        user_balance::UserBalanceParams,
        "Check User Balance",
        Get,
        "/{token}/player_info/{user}",
        true,
        ["user"]
    ),
    row!(
        UserHistory,
        user_history::UserHistoryParams,
        "Check User Deposit/Withdraw History",
        Get,
        "/{token}/history/{type:dps|wd}/{user}",
        true,
        ["type", "user"]
    ),
    row!(
        UserLastTransaction,
        user_last_transaction::UserLastTransactionParams,
        "Get User Last Deposit/Withdraw",
        Get,
        "/{token}/latest/{type:dps|wd}/{user}",
        true,
        ["type", "user"]
    ),
    row!(
        GameList,
        game_list::GameListParams,
        "Get Game List",
        Get,
        "/{token}/game_list",
        true,
        []
    ),
    row!(
        NumberHistory,
        number_history::NumberHistoryParams,
        "Get Number History",
        Get,
        "/{token}/number_history/{gamecode}",
        true,
        ["gamecode"]
    ),
    row!(
        ReferralList,
        referral_list::ReferralListParams,
        "Get Referral List",
        Get,
        "/{token}/referral/{user}",
        true,
        ["user"]
    ),
    EndpointInfo {
        next_page: Some(e::full_transaction::FullTransactionParams::next_page_json),
        ..row!(
            FullTransaction,
            full_transaction::FullTransactionParams,
            "Get Full Transaction",
            Get,
            "/{token}/full_transaction/{user}/{page}[?date={date}]",
            true,
            ["user", "page", "date"]
        )
    },
    EndpointInfo {
        next_page: Some(e::pga_transaction::PgaTransactionParams::next_page_json),
        ..row!(
            PgaTransaction,
            pga_transaction::PgaTransactionParams,
            "Get PGA Transaction History",
            Post,
            "/{token}/pga",
            true,
            ["start_date", "end_date", "page", "user", "ref_no", "status"]
        )
    },
    row!(
        BankList,
        bank_list::BankListParams,
        "Get Bank List",
        Get,
        "/{token}/bank_list",
        true,
        []
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_id_order_and_ids_round_trip() {
        for (i, row) in ENDPOINTS.iter().enumerate() {
            assert_eq!(row.id as usize, i);
            assert_eq!(row.id.as_str().parse::<EndpointId>().ok(), Some(row.id));
            assert_eq!(row.id.info().id, row.id);
        }
        assert!("full_transction".parse::<EndpointId>().is_err());
    }

    #[test]
    fn only_money_moving_endpoints_are_not_idempotent() {
        let not: Vec<_> = ENDPOINTS
            .iter()
            .filter(|e| !e.idempotent)
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(
            not,
            [
                "accept_reject",
                "multiple_transaction",
                "manual_transaction"
            ]
        );
    }
}

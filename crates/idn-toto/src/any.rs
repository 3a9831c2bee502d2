//! Any endpoint's typed response, and what a [`crate::Driver`] ends with.
//! The one place that lists the 13 response types: hosts that hold "some
//! response" (the bindings, the dynamic driver) match on [`AnyResponse`]
//! instead of writing their own dispatch.

use serde_json::Value;

pub use crate::endpoint::AnyResponse;
use crate::endpoint::Visitor;
use crate::{Client, Endpoint, EndpointId, Error, ItemOutcome, Settlement};

/// Converts an endpoint's typed response to and from [`AnyResponse`]
/// (implemented for the 13 parameter types).
pub trait AnyEndpoint: Endpoint + crate::wire::Parse<Out = <Self as Endpoint>::Response> {
    /// Wraps a response.
    fn into_any(response: Self::Response) -> AnyResponse;
    /// Unwraps a response of this endpoint; `None` for another's.
    fn from_any(response: AnyResponse) -> Option<Self::Response>;
}

impl AnyResponse {
    /// Parses an answer to `endpoint` as [`Client::parse`] does (size
    /// limit, token scrubbed from errors).
    pub fn parse(
        client: &Client,
        endpoint: EndpointId,
        status: u16,
        body: &[u8],
    ) -> Result<AnyResponse, Error> {
        struct Parse<'a>(&'a Client, u16, &'a [u8]);
        impl Visitor for Parse<'_> {
            type Output = Result<AnyResponse, Error>;
            fn visit<E: AnyEndpoint>(self) -> Self::Output {
                self.0.parse::<E>(self.1, self.2).map(E::into_any)
            }
        }
        endpoint.visit(Parse(client, status, body))
    }

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

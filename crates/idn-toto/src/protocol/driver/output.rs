//! How a [`crate::Driver`] ends when it succeeds: one value for every
//! operation (a call's response, a batch's outcomes, a settlement, paging).

use serde_json::Value;

use crate::protocol::batch::ItemOutcome;
use crate::protocol::settle::Settlement;
use crate::schema::table::AnyResponse;

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

//! The money-moving endpoints: accept/reject (single and batch) and manual transactions.

use serde_json::{Map, Value};

use super::{messages as msg, Reply};
use crate::model::{Status, TxKind};
use crate::money::Money;
use crate::state::{DecideError, ManualError, State};
use crate::wire::{self, Obj};

fn action(text: &str) -> Option<Status> {
    if text.eq_ignore_ascii_case("accept") {
        Some(Status::Accept)
    } else if text.eq_ignore_ascii_case("reject") {
        Some(Status::Reject)
    } else {
        None
    }
}

fn decide_message(error: DecideError) -> &'static str {
    match error {
        DecideError::NotFound => msg::NOT_FOUND_OR_MODIFIED,
        DecideError::InsufficientBalance => msg::INSUFFICIENT,
    }
}

fn manual_message(error: ManualError) -> &'static str {
    match error {
        ManualError::UnknownUser => msg::NOT_REGISTERED,
        ManualError::InsufficientBalance => msg::INSUFFICIENT,
        ManualError::TooLarge => msg::INVALID_AMOUNT,
    }
}

/// 2. Accept/Reject Transaction.
pub(super) fn decide(
    state: &mut State,
    kind: TxKind,
    trans_id: &str,
    user: &str,
    action_text: &str,
) -> Reply {
    let Some(status) = action(action_text) else {
        return Reply::failure(msg::INVALID_ACTION);
    };
    match state.decide(kind, trans_id, user, status) {
        Ok(()) => Reply::ok(wire::status(true, msg::PROCESSED)),
        Err(error) => Reply::failure(decide_message(error)),
    }
}

/// 4. Manual Transaction.
pub(super) fn manual(state: &mut State, kind: TxKind, user: &str, amount: &str) -> Reply {
    if state.find_user(user).is_none() {
        return Reply::failure(msg::NOT_REGISTERED);
    }
    let Some(amount) = Money::parse_positive(amount) else {
        return Reply::failure(msg::INVALID_AMOUNT);
    };
    match state.manual(kind, user, amount) {
        Ok(()) => Reply::ok(wire::status(true, msg::PROCESSED)),
        Err(error) => Reply::failure(manual_message(error)),
    }
}

/// `{"success":false,"message":<message>,"data":[]}`.
fn batch_refusal(message: &str) -> Reply {
    Reply::ok(
        Obj::new()
            .bool("success", false)
            .str("message", message)
            .raw("data", "[]")
            .finish(),
    )
}

/// The `transaction` array of a batch body, or the refusal to send.
fn batch_items(body: &[u8]) -> Result<Vec<Map<String, Value>>, Reply> {
    let Ok(Value::Object(mut root)) = serde_json::from_slice::<Value>(body) else {
        return Err(batch_refusal(msg::OOPS));
    };
    let Some(Value::Array(items)) = root.remove("transaction") else {
        return Err(batch_refusal(msg::OOPS));
    };
    if items.len() > msg::MAX_BATCH {
        return Err(batch_refusal(msg::TOO_MANY));
    }
    if items.is_empty() {
        return Err(batch_refusal(msg::OOPS));
    }
    items
        .into_iter()
        .map(|item| match item {
            Value::Object(fields) => Ok(fields),
            _ => Err(batch_refusal(msg::OOPS)),
        })
        .collect()
}

/// Each batch item's `amount` as its source text: a JSON string's value, or
/// a JSON number's literal exactly as written (`None` for an item without
/// one, or of another type). `None` overall when the body is not a batch.
fn amount_literals(body: &[u8]) -> Option<Vec<Option<String>>> {
    use serde_json::value::RawValue;
    #[derive(serde::Deserialize)]
    struct Batch<'a> {
        #[serde(borrow)]
        transaction: Vec<std::collections::BTreeMap<String, &'a RawValue>>,
    }
    let batch: Batch<'_> = serde_json::from_slice(body).ok()?;
    Some(
        batch
            .transaction
            .iter()
            .map(|item| {
                let raw = item.get("amount")?.get();
                match raw.as_bytes().first()? {
                    b'"' => serde_json::from_str::<String>(raw).ok(),
                    b'-' | b'0'..=b'9' => Some(raw.to_owned()),
                    _ => None,
                }
            })
            .collect(),
    )
}

/// A required text field: a JSON string, or a number written as its JSON text.
fn text(fields: &Map<String, Value>, key: &str) -> Option<String> {
    match fields.get(key)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Optional text fields (`comment`, `operator`) must be text, a number or null if present.
fn optional_ok(fields: &Map<String, Value>, key: &str) -> bool {
    matches!(
        fields.get(key),
        None | Some(Value::Null | Value::String(_) | Value::Number(_))
    )
}

/// Writes the batch answer from the failure entries and the item count.
fn batch_reply(failures: Vec<String>, total: usize) -> Reply {
    let (success, message) = if failures.is_empty() {
        (true, msg::ALL_PROCESSED)
    } else if failures.len() < total {
        (true, msg::PARTIAL)
    } else {
        (false, msg::OOPS)
    };
    Reply::ok(
        Obj::new()
            .bool("success", success)
            .str("message", message)
            .raw("data", &wire::array(failures))
            .finish(),
    )
}

/// 3. Multiple Accept/Reject (`push_dps` / `push_wd`).
pub(super) fn decide_batch(state: &mut State, kind: TxKind, body: &[u8]) -> Reply {
    let items = match batch_items(body) {
        Ok(items) => items,
        Err(reply) => return reply,
    };
    let mut parsed = Vec::with_capacity(items.len());
    for fields in &items {
        let (Some(trans_id), Some(user), Some(action_text)) = (
            text(fields, "trans_id"),
            text(fields, "user"),
            text(fields, "action"),
        ) else {
            return batch_refusal(msg::OOPS);
        };
        if !optional_ok(fields, "comment") || !optional_ok(fields, "operator") {
            return batch_refusal(msg::OOPS);
        }
        parsed.push((trans_id, user, action_text));
    }
    let total = parsed.len();
    let mut failures = Vec::new();
    for (trans_id, user, action_text) in parsed {
        let outcome = match action(&action_text) {
            Some(status) => state
                .decide(kind, &trans_id, &user, status)
                .map_err(decide_message),
            None => Err(msg::INVALID_ACTION),
        };
        if let Err(message) = outcome {
            failures.push(
                Obj::new()
                    .bool("success", false)
                    .str("trans_id", &trans_id)
                    .str("message", message)
                    .finish(),
            );
        }
    }
    batch_reply(failures, total)
}

/// 3. Multiple manual transactions (`MANUAL/depo`, `MANUAL/wd`, `manual_dps`, `manual_wd`).
pub(super) fn manual_batch(state: &mut State, kind: TxKind, body: &[u8]) -> Reply {
    let items = match batch_items(body) {
        Ok(items) => items,
        Err(reply) => return reply,
    };
    // Amounts are read from their source text, so a JSON number follows the
    // same rule as a string (`1e3` would otherwise read as 1000.0).
    let Some(amounts) = amount_literals(body) else {
        return batch_refusal(msg::OOPS);
    };
    if amounts.len() != items.len() {
        return batch_refusal(msg::OOPS);
    }
    let mut parsed = Vec::with_capacity(items.len());
    for (fields, amount) in items.iter().zip(amounts) {
        let (Some(user), Some(amount)) = (text(fields, "user"), amount) else {
            return batch_refusal(msg::OOPS);
        };
        if !optional_ok(fields, "comment") || !optional_ok(fields, "operator") {
            return batch_refusal(msg::OOPS);
        }
        parsed.push((user, amount));
    }
    let total = parsed.len();
    let mut failures = Vec::new();
    for (index, (user, amount)) in parsed.into_iter().enumerate() {
        let outcome = if state.find_user(&user).is_none() {
            Err(msg::NOT_REGISTERED)
        } else {
            match Money::parse_positive(&amount) {
                Some(amount) => state.manual(kind, &user, amount).map_err(manual_message),
                None => Err(msg::INVALID_AMOUNT),
            }
        };
        if let Err(message) = outcome {
            failures.push(
                Obj::new()
                    .bool("success", false)
                    .str("user", &user)
                    .uint("index", index as u64)
                    .str("message", message)
                    .finish(),
            );
        }
    }
    batch_reply(failures, total)
}

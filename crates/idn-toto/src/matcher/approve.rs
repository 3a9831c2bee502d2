//! Approving a plan (issue 23, with issue 22's keys): its approvals as one
//! keyed batch of accepts, and what a journal says was approved before.
//! Every host (the CLI, Python, Node) sends the same batch under the same
//! keys, so a re-run, a restart or a second matcher on the same journal
//! store never approves a request twice or spends one credit twice.

use serde_json::{json, Value};

use super::types::{MatchPlan, MatchRules};
use crate::protocol::journal::Journal;
use crate::schema::endpoints::multiple_transaction::MultipleItem;
use crate::schema::error::Error;
use crate::schema::operation_key::OperationKey;

/// The prefix of an approval's operation key: `match:<credit ref>`.
pub const MATCH_KEY_PREFIX: &str = "match:";

/// The operator name on approvals when the host gives none.
pub const DEFAULT_MATCH_OPERATOR: &str = "idn-toto-match";

/// The operation key of the approval that spends credit `credit_ref`.
pub fn approval_key(credit_ref: &str) -> Result<OperationKey, Error> {
    OperationKey::parse("key", &format!("{MATCH_KEY_PREFIX}{credit_ref}"))
}

/// The plan's approvals as `multiple_transaction` accept items (comment
/// `matched bank credit <ref>`, `operator`), in the plan's order, each with
/// its key `match:<credit ref>`: what `batch_keyed` (or a batch whose items
/// carry `"key"`) sends. A credit's key names its transaction: another
/// request under it is `key_conflict`.
pub fn approval_batch(
    plan: &MatchPlan,
    operator: &str,
) -> Result<(Vec<MultipleItem>, Vec<Option<OperationKey>>), Error> {
    let mut items = Vec::with_capacity(plan.approve.len());
    let mut keys = Vec::with_capacity(plan.approve.len());
    for (k, a) in plan.approve.iter().enumerate() {
        items.push(MultipleItem::from_json(
            &approval_item(&a.trans_id, &a.user, &a.credit, operator),
            k,
        )?);
        keys.push(Some(approval_key(&a.credit)?));
    }
    Ok((items, keys))
}

/// [`approval_batch`] from a plan's JSON (what the bindings hold):
/// `{"type": "deposit", "transaction": [{trans_id, user, action, comment,
/// operator, key}, ...]}`, the params of a keyed batch.
pub fn approval_batch_json(plan: &Value, operator: &str) -> Result<Value, Error> {
    let approve = plan
        .get("approve")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::invalid("plan", "a plan has an approve list"))?;
    let mut items = Vec::with_capacity(approve.len());
    for (k, a) in approve.iter().enumerate() {
        let text = |field: &str| {
            a.get(field)
                .and_then(Value::as_str)
                .ok_or_else(|| Error::invalid(format!("approve[{k}].{field}"), "must be a string"))
        };
        let (trans_id, user, credit) = (text("trans_id")?, text("user")?, text("credit")?);
        let mut item = approval_item(trans_id, user, credit, operator);
        MultipleItem::from_json(&item, k)?;
        item["key"] = approval_key(credit)?.as_str().into();
        items.push(item);
    }
    Ok(json!({"type": "deposit", "transaction": items}))
}

fn approval_item(trans_id: &str, user: &str, credit: &str, operator: &str) -> Value {
    json!({
        "trans_id": trans_id,
        "user": user,
        "action": "accept",
        "comment": format!("matched bank credit {credit}"),
        "operator": operator,
    })
}

/// What the journal says was approved on `server`: the credit refs and the
/// transaction ids of its `match:` keys that are done (`succeeded` or
/// settled `applied`), for the rules' `claimed_refs` and
/// `approved_trans_ids` (those credits are `already_claimed`, those
/// requests never approved again, even from a stale pending list). An
/// approval still open is not among them: the keyed batch settles it before
/// anything is sent.
pub fn approved_before(journal: &Journal, server: &str) -> (Vec<String>, Vec<String>) {
    let mut refs = Vec::new();
    let mut ids = Vec::new();
    for record in journal.key_records() {
        let Some(credit) = record.key.as_str().strip_prefix(MATCH_KEY_PREFIX) else {
            continue;
        };
        if record.server != server || !record.state.is_done() {
            continue;
        }
        refs.push(credit.to_owned());
        if let Some(id) = record.params.get("trans_id").and_then(Value::as_str) {
            ids.push(id.to_owned());
        }
    }
    (refs, ids)
}

impl MatchRules {
    /// These rules with what `journal` says was approved on `server`
    /// ([`approved_before`]) added to `claimed_refs` and
    /// `approved_trans_ids`: the rules a matcher that approves runs under,
    /// in every host (those credits `already_claimed`, those requests never
    /// approved again).
    #[must_use]
    pub fn with_approved_before(mut self, journal: &Journal, server: &str) -> MatchRules {
        let (refs, ids) = approved_before(journal, server);
        self.claimed_refs.extend(refs);
        self.approved_trans_ids.extend(ids);
        self
    }
}

/// [`MatchRules::with_approved_before`] on JSON, for the bindings: `rules`
/// read as [`MatchRules::from_json`] reads them (anything wrong is an error
/// naming the field, before anything is read or sent), extended, and
/// written back ([`MatchRules::to_json`]).
pub fn rules_with_approved_before_json(
    rules: &Value,
    journal: &Journal,
    server: &str,
) -> Result<Value, Error> {
    Ok(MatchRules::from_json(rules)?
        .with_approved_before(journal, server)
        .to_json())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn plan() -> Value {
        json!({"approve": [
            {"trans_id": "T1", "user": "andi", "amount": "100000", "credit": "M-1"},
            {"trans_id": "T2", "user": "budi", "amount": "250000", "credit": "M-2"}
        ], "hold": [], "unclaimed": []})
    }

    #[test]
    fn a_plan_becomes_one_keyed_batch_of_accepts() {
        let batch = approval_batch_json(&plan(), "OP9").unwrap();
        assert_eq!(batch["type"], "deposit");
        let items = batch["transaction"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[1],
            json!({"trans_id": "T2", "user": "budi", "action": "accept",
                   "comment": "matched bank credit M-2", "operator": "OP9", "key": "match:M-2"})
        );
        let long = "M".repeat(300);
        let bad = json!({"approve": [{"trans_id": "T1", "user": "andi", "credit": long}]});
        assert_eq!(
            approval_batch_json(&bad, "OP9").unwrap_err().field(),
            Some("key")
        );
    }

    #[test]
    fn done_match_keys_of_this_server_are_approved_before() {
        let line = |id: &str, key: &str, server: &str, event: &str, state: Option<&str>| {
            let mut v = json!({"id": id, "event": event, "endpoint": "multiple_transaction",
                "params": {"type": "deposit", "trans_id": id, "user": "u", "action": "ACCEPT",
                           "comment": "c", "operator": "o"},
                "at": "t", "server": server, "key": key});
            if let Some(s) = state {
                v["state"] = s.into();
            }
            format!("{v}\n")
        };
        let text = [
            line("T1", "match:M-1", "s1", "intent", None),
            line("T1", "match:M-1", "s1", "outcome", Some("succeeded")),
            line("T2", "match:M-2", "s1", "intent", None),
            line("T2", "match:M-2", "s1", "outcome", Some("unknown")),
            line("T3", "match:M-3", "s2", "intent", None),
            line("T3", "match:M-3", "s2", "outcome", Some("succeeded")),
            line("T4", "bonus:4", "s1", "intent", None),
            line("T4", "bonus:4", "s1", "outcome", Some("succeeded")),
        ]
        .concat();
        let journal = Journal::read(&text).unwrap();
        assert_eq!(
            approved_before(&journal, "s1"),
            (vec!["M-1".to_owned()], vec!["T1".to_owned()])
        );
    }

    #[test]
    fn the_rules_of_an_approving_matcher_hold_what_the_journal_approved() {
        let text = [
            json!({"id": "T1", "event": "intent", "endpoint": "multiple_transaction",
                "params": {"type": "deposit", "trans_id": "T1", "user": "u", "action": "ACCEPT",
                           "comment": "c", "operator": "o"},
                "at": "t", "server": "s1", "key": "match:M-1"}),
            json!({"id": "T1", "event": "outcome", "state": "succeeded",
                "endpoint": "multiple_transaction",
                "params": {"type": "deposit", "trans_id": "T1", "user": "u", "action": "ACCEPT",
                           "comment": "c", "operator": "o"},
                "at": "t", "server": "s1", "key": "match:M-1"}),
        ]
        .iter()
        .map(|v| format!("{v}\n"))
        .collect::<String>();
        let journal = Journal::read(&text).unwrap();
        let rules = json!({"accounts": ["BCA:8830112456"], "max_auto_amount": "5000000",
                           "claimed_refs": ["M-0"], "window_after_secs": 60});
        let merged = rules_with_approved_before_json(&rules, &journal, "s1").unwrap();
        assert_eq!(merged["claimed_refs"], json!(["M-0", "M-1"]));
        assert_eq!(merged["approved_trans_ids"], json!(["T1"]));
        // Everything else is kept, and the result reads back as the same rules.
        let back = MatchRules::from_json(&merged).unwrap();
        assert_eq!(back.max_auto_amount, Some(Decimal::from(5_000_000)));
        assert_eq!(back.window_after_secs, 60);
        assert_eq!(
            back,
            MatchRules::from_json(&rules)
                .unwrap()
                .with_approved_before(&journal, "s1")
        );
        // Another server's journal adds nothing.
        let other = rules_with_approved_before_json(&rules, &journal, "s2").unwrap();
        assert_eq!(other["claimed_refs"], json!(["M-0"]));
        // Malformed rules are refused naming the field, in every host alike.
        let bad = json!({"accounts": ["BCA:8830112456"], "claimed_refs": "M-0"});
        assert_eq!(
            rules_with_approved_before_json(&bad, &journal, "s1")
                .unwrap_err()
                .field(),
            Some("claimed_refs")
        );
    }
}

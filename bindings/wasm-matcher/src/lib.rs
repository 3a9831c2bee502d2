//! Deposit matching (the core's `matcher` module, issue 23) for
//! JavaScript, as the npm package's second WebAssembly module: the plan
//! ([`match_deposits`]), the credit feeds ([`credits_from_csv`],
//! [`credits_from_moota`]), an approved plan as one keyed batch
//! ([`approval_batch`]) and the rules with what a journal says was approved
//! before ([`rules_with_approved_before`]). Every decision is the core's; the package's
//! `client.matchDeposits` (`bindings/wasm/js/index.cjs`) only reads the
//! pending deposits, the journal, and sends the batch.
//!
//! A module of its own so the main module (`bindings/wasm`, every call's
//! driver) carries none of the matcher's code: `js/index.cjs` loads this
//! one the first time a matcher function is called (spec-notes 210).
//! Nothing crosses between the two modules but JavaScript values: the
//! journal's text and the client's fingerprint in, the batch's params out.
//!
//! Inputs cross as canonical JSON text (the package checks it for inexact
//! numbers first); a plan and a list of credits cross back as canonical
//! JSON text for one `JSON.parse` (a day holds tens of thousands of rows:
//! the fastest way to build that many JavaScript objects). Errors are
//! thrown as this module's [`CoreError`], the same shape as the main
//! module's (`detail`: the core's canonical error object).

use idn_toto::{Credit, Error, Journal};
use wasm_bindgen::prelude::*;

/// Thrown for every core error (the class lives in `idn-toto-wasm-common`,
/// shared with the main module).
pub use idn_toto_wasm_common::CoreError;
use idn_toto_wasm_common::{json_arg, throw, to_js};

/// `match_deposits_json`: `pending_json` the canonical `transaction_list`
/// answer (`{"data": [...]}`) or its rows, `credits_json` an array of
/// credits, `rules_json` the rules (`accounts`, `max_auto_amount`?,
/// `window_before_secs`?, `window_after_secs`?, `claimed_refs`?,
/// `approved_trans_ids`?). The plan as canonical JSON text.
#[wasm_bindgen(js_name = matchDeposits)]
pub fn match_deposits(
    pending_json: &str,
    credits_json: &str,
    rules_json: &str,
) -> Result<String, JsValue> {
    let plan = idn_toto::match_deposits_json(
        &json_arg("pending", pending_json)?,
        &json_arg("credits", credits_json)?,
        &json_arg("rules", rules_json)?,
    )
    .map_err(|e| throw(&e))?;
    Ok(plan.to_string())
}

/// Credits as the JSON array `matchDeposits` reads back.
fn credits_text(credits: &[Credit]) -> String {
    serde_json::to_string(credits).unwrap_or_else(|_| "[]".to_owned())
}

/// `credits_from_csv`: a statement CSV (`ref,account,posted_at,amount,
/// sender_name,description`, any order) as credits (canonical JSON text).
#[wasm_bindgen(js_name = creditsFromCsv)]
pub fn credits_from_csv(bytes: &[u8]) -> Result<String, JsValue> {
    idn_toto::credits_from_csv(bytes)
        .map(|c| credits_text(&c))
        .map_err(|e| throw(&e))
}

/// A Moota mutation webhook body as credits (canonical JSON text): with
/// `signature` (the `Signature` header, hex) and `secret`,
/// `credits_from_moota_signed` (the signature checked before the body is
/// read); with neither, `credits_from_moota`. One without the other is
/// `invalid_request` at `signature` or `secret`: nothing is read.
#[wasm_bindgen(js_name = creditsFromMoota)]
pub fn credits_from_moota(
    body: &[u8],
    signature: Option<String>,
    secret: Option<Vec<u8>>,
) -> Result<String, JsValue> {
    let credits = match (signature, secret) {
        (Some(signature), Some(secret)) => {
            idn_toto::credits_from_moota_signed(body, &signature, &secret)
        }
        (None, None) => idn_toto::credits_from_moota(body),
        (Some(_), None) => Err(Error::InvalidRequest {
            field: "secret".into(),
            reason: "a signature is checked with the webhook's secret: give both or neither".into(),
        }),
        (None, Some(_)) => Err(Error::InvalidRequest {
            field: "signature".into(),
            reason: "a secret checks the webhook's Signature header: give both or neither".into(),
        }),
    };
    credits.map(|c| credits_text(&c)).map_err(|e| throw(&e))
}

/// `approval_batch_json`: a plan's approvals as the params of one keyed
/// `multiple_transaction` batch, `{type: "deposit", transaction: [{trans_id,
/// user, action, comment, operator, key}]}` (`operator` absent: the core's
/// `DEFAULT_MATCH_OPERATOR`).
#[wasm_bindgen(js_name = approvalBatch)]
pub fn approval_batch(plan_json: &str, operator: Option<String>) -> Result<JsValue, JsValue> {
    let operator = operator
        .as_deref()
        .unwrap_or(idn_toto::DEFAULT_MATCH_OPERATOR);
    idn_toto::approval_batch_json(&json_arg("plan", plan_json)?, operator)
        .map(|batch| to_js(&batch))
        .map_err(|e| throw(&e))
}

/// `rules_with_approved_before_json`: the rules (`rules_json`, read as
/// `matchDeposits` reads them: anything wrong is thrown naming the field)
/// with what journal text says was approved on `server` (a client's
/// fingerprint) added to their `claimed_refs` and `approved_trans_ids`,
/// as canonical JSON text: the rules an approving matcher runs under.
#[wasm_bindgen(js_name = rulesWithApprovedBefore)]
pub fn rules_with_approved_before(
    rules_json: &str,
    journal_text: &str,
    server: &str,
) -> Result<String, JsValue> {
    let rules = json_arg("rules", rules_json)?;
    let journal = Journal::read(journal_text).map_err(|e| throw(&e))?;
    idn_toto::rules_with_approved_before_json(&rules, &journal, server)
        .map(|rules| rules.to_string())
        .map_err(|e| throw(&e))
}

/// The operator name on approvals when the host gives none.
#[wasm_bindgen(js_name = defaultMatchOperator)]
pub fn default_match_operator() -> String {
    idn_toto::DEFAULT_MATCH_OPERATOR.to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn credits_cross_as_the_json_the_matcher_reads_back() {
        let text = credits_from_csv(
            b"ref,account,posted_at,amount,sender_name,description\n\
              BCA-1,BCA:8830-112-456,2024-05-16 09:02:00,100000.50,ANDI,\n",
        )
        .unwrap();
        let credits: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(credits[0]["amount"], "100000.50");
        assert_eq!(credits[0]["account"], "BCA:8830-112-456");
        assert_eq!(Credit::list_from_json(&credits).unwrap().len(), 1);
    }
}

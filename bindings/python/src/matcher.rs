//! `idn_toto::matcher`: deposit matching (issue 23). The plan, the credit
//! feeds and the approvals' keyed batch, each one core call; values cross
//! as plain Python objects (the core's canonical JSON: amounts and
//! timestamps as strings).

use idn_toto as core;
use pyo3::prelude::*;

use crate::convert::{CreditsArg, JsonDict, PendingArg, PlanArg, RulesArg};
use crate::errors::to_py_err;
use crate::journal::PyJournal;

/// The matcher's plan (`idn_toto::match_deposits_json`): `pending` is the
/// canonical `transaction_list` answer (`{"data": [...]}`) or its rows,
/// `credits` a list of credit dicts, `rules` as the core reads them
/// (`accounts` as `["BANK:NUMBER", ...]`, `max_auto_amount`,
/// `window_before_secs`, `window_after_secs`, `claimed_refs`,
/// `approved_trans_ids`). Returns `{"approve", "hold", "unclaimed"}`.
/// Raises `InvalidRequestError` naming what is wrong.
#[pyfunction]
pub(crate) fn match_deposits_json<'py>(
    py: Python<'py>,
    pending: PendingArg,
    credits: CreditsArg,
    rules: RulesArg,
) -> PyResult<JsonDict<'py>> {
    // Pure and possibly long (a day of credits): other threads run meanwhile.
    let plan = py
        .detach(|| core::match_deposits_json(&pending.0, &credits.0, &rules.0))
        .map_err(|e| to_py_err(py, e))?;
    JsonDict::of(py, &plan)
}

/// The credits of a statement CSV (header `ref,account,posted_at,amount,
/// sender_name,description`, any order, an optional `balance` column), as
/// credit dicts. Raises `InvalidRequestError` naming the line and column.
#[pyfunction]
pub(crate) fn credits_from_csv<'py>(py: Python<'py>, body: &[u8]) -> PyResult<Vec<JsonDict<'py>>> {
    credits(py, core::credits_from_csv(body))
}

/// The credits of a Moota mutation webhook body, its signature not
/// checked, as credit dicts.
#[pyfunction]
pub(crate) fn credits_from_moota<'py>(
    py: Python<'py>,
    body: &[u8],
) -> PyResult<Vec<JsonDict<'py>>> {
    credits(py, core::credits_from_moota(body))
}

/// The credits of a Moota webhook body whose `Signature` header
/// (`signature`, hex HMAC-SHA256 of the body under `secret`) is checked
/// before anything in the body is read.
#[pyfunction]
pub(crate) fn credits_from_moota_signed<'py>(
    py: Python<'py>,
    body: &[u8],
    signature: &str,
    secret: &[u8],
) -> PyResult<Vec<JsonDict<'py>>> {
    credits(py, core::credits_from_moota_signed(body, signature, secret))
}

/// A plan's approvals as the params of one keyed `multiple_transaction`
/// batch: `{"type": "deposit", "transaction": [{trans_id, user, action,
/// comment, operator, key}, ...]}`, each an accept under the key
/// `match:<credit ref>`. `operator` defaults to the core's
/// (`idn-toto-match`).
#[pyfunction]
#[pyo3(signature = (plan, operator = None))]
pub(crate) fn approval_batch_json<'py>(
    py: Python<'py>,
    plan: PlanArg,
    operator: Option<&str>,
) -> PyResult<JsonDict<'py>> {
    let operator = operator.unwrap_or(core::DEFAULT_MATCH_OPERATOR);
    let batch = core::approval_batch_json(&plan.0, operator).map_err(|e| to_py_err(py, e))?;
    JsonDict::new(py, &batch)
}

/// `rules` (as `match_deposits_json` reads them) with what `journal` says
/// was approved on `server` (a client's `fingerprint`) added to their
/// `claimed_refs` and `approved_trans_ids` (the core's
/// `rules_with_approved_before_json`): the rules an approving matcher runs
/// under. Raises `InvalidRequestError` naming what is wrong with `rules`.
#[pyfunction]
pub(crate) fn rules_with_approved_before<'py>(
    py: Python<'py>,
    rules: RulesArg,
    journal: &PyJournal,
    server: &str,
) -> PyResult<JsonDict<'py>> {
    let rules = core::rules_with_approved_before_json(&rules.0, &journal.0, server)
        .map_err(|e| to_py_err(py, e))?;
    JsonDict::new(py, &rules)
}

fn credits<'py>(
    py: Python<'py>,
    read: Result<Vec<core::Credit>, core::Error>,
) -> PyResult<Vec<JsonDict<'py>>> {
    read.map_err(|e| to_py_err(py, e))?
        .iter()
        .map(|credit| JsonDict::of(py, credit))
        .collect()
}

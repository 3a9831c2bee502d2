//! `idn-toto match`: the deposit matcher's plan (issue 23). It reads the
//! bank credits from a file (the generic CSV or a Moota webhook body, whose
//! signature is checked first), the pending deposits from the server, and
//! prints what `idn_toto::match_deposits` decides. With `--approve`, the
//! approvals are sent as `multiple_transaction` accepts, each under the
//! operation key `match:<credit ref>` in the journal store (issue 22): a
//! re-run, a restart or a second matcher never approves a request twice or
//! spends one credit twice (a credit's key names one transaction: another
//! request under it is `key_conflict`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use idn_toto::{
    approval_batch, credits_from_csv, credits_from_moota, credits_from_moota_signed,
    match_deposits, Credit, Decimal, ItemOutcome, ItemStatus, Journal, MatchPlan, MatchRules,
    TransactionListParams, TxType,
};
use idn_toto_client::blocking::Client;
use idn_toto_client::JournalStore;
use serde_json::json;

use crate::live::{client, confirm};
use crate::output::{self, code, refused, usage, Output};
use crate::LiveArgs;

/// The credit file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// A CSV with the header ref,account,posted_at,amount,sender_name,description
    /// (any order; an optional balance column).
    Csv,
    /// A Moota mutation webhook body (a JSON array of mutations).
    Moota,
}

#[derive(Debug, Args)]
pub(crate) struct MatchArgs {
    /// The bank credits file.
    #[arg(long, value_name = "FILE")]
    credits: PathBuf,
    /// csv (ref,account,posted_at,amount,sender_name,description) or moota
    /// (a webhook body).
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// The Moota webhook's secret, the first line of this file: the body's
    /// signature (--signature) is checked before anything in it is read.
    #[arg(long, value_name = "F")]
    signature_secret_file: Option<PathBuf>,
    /// The `Signature` header the Moota webhook came with (hex HMAC-SHA256
    /// of the body).
    #[arg(long, value_name = "HEX")]
    signature: Option<String>,
    /// A receiving account the matcher watches, BANK:NUMBER (repeat for
    /// more). Credits into others are unknown_account.
    #[arg(long = "account", value_name = "BANK:NUMBER", required = true)]
    accounts: Vec<String>,
    /// Requests above this amount are held over_limit.
    #[arg(long, value_name = "N")]
    max_auto_amount: Option<String>,
    /// table (default on a terminal), json (default when piped: {"approve",
    /// "hold", "unclaimed"}) or csv.
    #[arg(long, value_enum)]
    output: Option<Output>,
    /// Send the approvals: multiple_transaction accepts, each under the
    /// operation key match:<credit ref> (needs --journal).
    #[arg(long)]
    approve: bool,
    /// With --approve: send without asking.
    #[arg(long, requires = "approve")]
    yes: bool,
    /// With --approve: the journal store that keeps the approvals' keys (a
    /// JSON Lines file, sqlite:PATH or postgres://...; share one store
    /// between matchers).
    #[arg(long, value_name = "JOURNAL", requires = "approve")]
    journal: Option<String>,
    /// With --approve: the operator name on the accepts.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "idn-toto-match",
        requires = "approve"
    )]
    operator: String,
    #[command(flatten)]
    live: LiveArgs,
}

/// `idn-toto match ...`
pub(crate) fn run(args: MatchArgs) -> ExitCode {
    plan_and_print(&args).unwrap_or_else(|code| code)
}

fn plan_and_print(args: &MatchArgs) -> Result<ExitCode, ExitCode> {
    if args.approve && args.journal.is_none() {
        return Err(usage(
            "--approve needs --journal: each approval is sent under the operation key \
             match:<credit ref>, kept in the journal (a file, sqlite:PATH or postgres://...), so \
             a re-run never approves twice. Nothing was read or sent",
        ));
    }
    let credits = read_credits(args)?;
    let client = client(&args.live, args.journal.as_deref(), false)?;
    let rules = MatchRules::from_json(&json!({
        "accounts": args.accounts,
        "max_auto_amount": args.max_auto_amount,
    }))
    .map_err(|e| refused(&e))?;
    // What the journal says was approved before: those credits are
    // `already_claimed`, those requests never approved again.
    let rules = match &args.journal {
        Some(spec) => rules.with_approved_before(&journal_of(spec)?, client.core().fingerprint()),
        None => rules,
    };
    let pending = client
        .send(&TransactionListParams {
            r#type: TxType::Deposit,
            bank: None,
            name: None,
        })
        .map_err(|e| refused(&e))?;
    let plan = match_deposits(&pending.data, &credits, &rules);
    if args.approve {
        return approve(&client, args, &plan);
    }
    let printed = print(&plan, Output::or_default(args.output));
    if printed != ExitCode::SUCCESS {
        return Ok(printed);
    }
    eprintln!(
        "idn-toto: {} to approve, {} held, {} unclaimed (nothing was approved: this prints the plan)",
        plan.approve.len(),
        plan.hold.len(),
        plan.unclaimed.len()
    );
    Ok(if plan.is_settled() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(code::PARTIAL)
    })
}

/// The journal store's records, for what it says was approved before.
fn journal_of(spec: &str) -> Result<Journal, ExitCode> {
    let store = JournalStore::from_spec(spec).map_err(|e| refused(&e))?;
    store.read().map_err(|e| refused(&e))
}

/// `--approve`: the plan's approvals sent as keyed accepts; the plan and
/// the outcomes printed (`--output json`: the plan's object with
/// `outcomes`). Exit 0 when nothing is held or unclaimed and every
/// approval succeeded (or was done before), 8 when an outcome is not known,
/// 9 otherwise.
fn approve(client: &Client, args: &MatchArgs, plan: &MatchPlan) -> Result<ExitCode, ExitCode> {
    let (items, keys) = approval_batch(plan, &args.operator).map_err(|e| refused(&e))?;
    let outcomes = if items.is_empty() {
        Vec::new()
    } else {
        let total: Decimal = plan.approve.iter().map(|a| a.amount).sum();
        confirm(
            || {
                format!(
                    "{} deposits ({total} in total) will be accepted, each under the key match:<credit ref>:\n{}",
                    plan.approve.len(),
                    output::table(
                        &["trans_id".into(), "user".into(), "amount".into(), "credit".into()],
                        &plan
                            .approve
                            .iter()
                            .map(|a| vec![a.trans_id.clone(), a.user.clone(), a.amount.to_string(), a.credit.clone()])
                            .collect::<Vec<_>>(),
                    )
                )
            },
            args.yes,
        )?;
        client
            .batch_keyed(TxType::Deposit, items, keys)
            .map_err(|e| refused(&e))?
    };
    let out = Output::or_default(args.output);
    let printed = match out {
        Output::Json => {
            let mut doc = plan.to_json();
            doc["outcomes"] = outcomes.iter().map(ItemOutcome::to_json).collect();
            output::print_json(&doc)
        }
        _ => {
            let printed = print(plan, out);
            let columns: Vec<String> = ["trans_id", "user", "status", "message"]
                .iter()
                .map(|c| (*c).to_owned())
                .collect();
            let rows: Vec<Vec<String>> = outcomes
                .iter()
                .map(|o| {
                    vec![
                        o.trans_id.clone().unwrap_or_default(),
                        o.user.clone(),
                        o.to_json()["status"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        o.message.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            if printed == ExitCode::SUCCESS && !outcomes.is_empty() && out == Output::Table {
                output::print_line(&output::table(&columns, &rows))
            } else {
                printed
            }
        }
    };
    if printed != ExitCode::SUCCESS {
        return Ok(printed);
    }
    let count = |status: ItemStatus| outcomes.iter().filter(|o| o.status == status).count();
    let done = count(ItemStatus::Succeeded) + count(ItemStatus::AlreadyDone);
    eprintln!(
        "idn-toto: {} approved now, {} approved before, {} not approved; {} held, {} unclaimed",
        count(ItemStatus::Succeeded),
        count(ItemStatus::AlreadyDone),
        outcomes.len() - done,
        plan.hold.len(),
        plan.unclaimed.len()
    );
    let unknown = count(ItemStatus::Unknown) + count(ItemStatus::Undetermined);
    if unknown > 0 {
        eprintln!(
            "idn-toto: {unknown} approvals' outcome is not known: `idn-toto journal settle` finds out; a re-run settles them first"
        );
        return Ok(ExitCode::from(code::OUTCOME_UNKNOWN));
    }
    Ok(if plan.is_settled() && done == outcomes.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(code::PARTIAL)
    })
}

/// The credits file, read as its format says; a Moota body's signature is
/// checked first when a secret is given.
fn read_credits(args: &MatchArgs) -> Result<Vec<Credit>, ExitCode> {
    let bytes = std::fs::read(&args.credits).map_err(|e| {
        usage(&format!(
            "cannot read the credits file {}: {e}",
            args.credits.display()
        ))
    })?;
    let signed = args.signature_secret_file.is_some() || args.signature.is_some();
    match args.format {
        Format::Csv if signed => Err(usage(
            "--signature and --signature-secret-file are for --format moota",
        )),
        Format::Csv => credits_from_csv(&bytes).map_err(|e| refused(&e)),
        Format::Moota => match (&args.signature_secret_file, &args.signature) {
            (Some(file), Some(signature)) => {
                let secret = std::fs::read_to_string(file).map_err(|e| {
                    usage(&format!(
                        "cannot read the secret file {}: {e}",
                        file.display()
                    ))
                })?;
                let secret = secret.lines().next().unwrap_or("").trim();
                credits_from_moota_signed(&bytes, signature, secret.as_bytes())
                    .map_err(|e| refused(&e))
            }
            (Some(_), None) => Err(usage(
                "--signature-secret-file needs --signature (the webhook's Signature header): \
                 nothing in the body was read",
            )),
            (None, Some(_)) => Err(usage(
                "--signature needs --signature-secret-file (the webhook's secret)",
            )),
            (None, None) => {
                eprintln!(
                    "idn-toto: the Moota body's signature is not checked (no --signature-secret-file)"
                );
                credits_from_moota(&bytes).map_err(|e| refused(&e))
            }
        },
    }
}

const COLUMNS: [&str; 7] = [
    "plan",
    "trans_id",
    "user",
    "amount",
    "credit",
    "reason",
    "candidates",
];

/// One row per approval, hold and unclaimed credit.
fn rows(plan: &MatchPlan) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for a in &plan.approve {
        rows.push(vec![
            "approve".into(),
            a.trans_id.clone(),
            a.user.clone(),
            a.amount.to_string(),
            a.credit.clone(),
            String::new(),
            String::new(),
        ]);
    }
    for h in &plan.hold {
        rows.push(vec![
            "hold".into(),
            h.trans_id.clone(),
            h.user.clone(),
            h.amount.to_string(),
            String::new(),
            h.reason.to_string(),
            h.candidates.join(" "),
        ]);
    }
    for u in &plan.unclaimed {
        rows.push(vec![
            "unclaimed".into(),
            String::new(),
            String::new(),
            String::new(),
            u.credit.clone(),
            u.reason.to_string(),
            String::new(),
        ]);
    }
    rows
}

fn print(plan: &MatchPlan, out: Output) -> ExitCode {
    let columns: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    match out {
        Output::Json => output::print_json(&plan.to_json()),
        Output::Table => output::print_line(&output::table(&columns, &rows(plan))),
        Output::Csv => output::print_csv(output::csv_text(&columns, &rows(plan))),
    }
}

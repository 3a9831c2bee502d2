//! `idn-toto match`: the deposit matcher's plan (issue 23). It reads the
//! bank credits from a file (the generic CSV or a Moota webhook body, whose
//! signature is checked first), the pending deposits from the server, and
//! prints what `idn_toto::match_deposits` decides. It approves nothing:
//! `--approve` needs the operation keys of issue 22 and is refused.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use idn_toto::{
    credits_from_csv, credits_from_moota, credits_from_moota_signed, match_deposits, Credit,
    MatchPlan, MatchRules, TransactionListParams, TxType,
};
use serde_json::json;

use crate::live::client;
use crate::output::{self, code, refused, usage, Output};
use crate::LiveArgs;

/// What `--approve` answers in this build.
const NO_APPROVE: &str = "--approve is not in this build: approving sends each approval as a \
     multiple_transaction accept keyed match:<credit ref> with the operation keys of issue 22 \
     (so a re-run, a restart or a second matcher never approves twice), and those keys are not \
     here yet. Nothing was read or sent; run without --approve to print the plan";

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
    /// Refused in this build (it needs the operation keys of issue 22).
    #[arg(long)]
    approve: bool,
    /// With --approve (refused in this build).
    #[arg(long, requires = "approve")]
    yes: bool,
    /// With --approve (refused in this build).
    #[arg(long, value_name = "FILE", requires = "approve")]
    journal: Option<PathBuf>,
    #[command(flatten)]
    live: LiveArgs,
}

/// `idn-toto match ...`
pub(crate) fn run(args: MatchArgs) -> ExitCode {
    plan_and_print(&args).unwrap_or_else(|code| code)
}

fn plan_and_print(args: &MatchArgs) -> Result<ExitCode, ExitCode> {
    if args.approve {
        return Err(usage(NO_APPROVE));
    }
    let rules = MatchRules::from_json(&json!({
        "accounts": args.accounts,
        "max_auto_amount": args.max_auto_amount,
    }))
    .map_err(|e| refused(&e))?;
    let credits = read_credits(args)?;
    let client = client(&args.live, None, false)?;
    let pending = client
        .send(&TransactionListParams {
            r#type: TxType::Deposit,
            bank: None,
            name: None,
        })
        .map_err(|e| refused(&e))?;
    let plan = match_deposits(&pending.data, &credits, &rules);
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

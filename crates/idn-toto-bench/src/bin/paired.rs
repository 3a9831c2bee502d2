//! `idn-toto-bench-paired --out FILE [--quick]`: the Rust side of the
//! side-by-side ratios, timed in paired rounds (see
//! [`idn_toto_bench::paired`]) like the Node and Python benches, written as
//! JSON for `idn-toto-bench-report`. Run it from a release build.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Duration;

use idn_toto::{
    dynamic, Client, Endpoint, EndpointId, FullTransactionParams, PgaTransactionParams, Segment,
    TransactionListParams, TxType,
};
use idn_toto_bench::paired::{self, Candidate};
use idn_toto_bench::{
    full_transaction_page, pending_list, pga_page, PAGE_ROWS, PENDING_ROWS, SEED,
};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};

const BASE_URL: &str = "https://agent.example.com/home.php";
const TOKEN: &str = "PWM6P4HRFR2VXBD1320EJWZ8A0EJK";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, quick) = match args.as_slice() {
        [flag, file] if flag == "--out" => (file.clone(), false),
        [flag, file, q] if flag == "--out" && q == "--quick" => (file.clone(), true),
        _ => {
            eprintln!("usage: idn-toto-bench-paired --out FILE [--quick]");
            return ExitCode::from(2);
        }
    };
    let scale = if quick { 0.2 } else { 1.0 };
    let budget = |secs: f64| Duration::from_secs_f64(secs * scale);
    let mut results = Vec::new();

    for n in PENDING_ROWS {
        let body = pending_list(n, SEED).into_bytes();
        let secs = if n >= 25_000 { 5.0 } else { 3.0 };
        let figures = parse_trio(&body, EndpointId::TransactionList, budget(secs), |b| {
            TransactionListParams::parse(200, b).map(|l| l.data.len())
        });
        push(
            &mut results,
            "pending_list",
            &n.to_string(),
            body.len(),
            figures,
        );
    }
    let full = full_transaction_page(PAGE_ROWS, SEED).into_bytes();
    let figures = parse_trio(&full, EndpointId::FullTransaction, budget(2.0), |b| {
        FullTransactionParams::parse(200, b).map(|p| p.data.len())
    });
    push(
        &mut results,
        "pages",
        "full_transaction",
        full.len(),
        figures,
    );
    let pga = pga_page(PAGE_ROWS, SEED).into_bytes();
    let figures = parse_trio(&pga, EndpointId::PgaTransaction, budget(2.0), |b| {
        PgaTransactionParams::parse(200, b).map(|p| p.data.len())
    });
    push(&mut results, "pages", "pga_transaction", pga.len(), figures);

    let client = match Client::new(BASE_URL, TOKEN) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let params = json!({"type": "deposit", "bank": "bca", "name": "TEST ACCOUNT"});
    let mut candidates: Vec<Candidate<'_>> = vec![
        (
            "format",
            Box::new(|| {
                black_box(format!(
                    "{BASE_URL}/{TOKEN}/dps/{}?name={}",
                    utf8_percent_encode(black_box("bca"), NON_ALPHANUMERIC),
                    utf8_percent_encode(black_box("TEST ACCOUNT"), NON_ALPHANUMERIC)
                ));
            }),
        ),
        (
            "idn_toto_typed",
            Box::new(|| {
                let p = TransactionListParams {
                    r#type: TxType::Deposit,
                    bank: Segment::new("bank", black_box("bca")).ok(),
                    name: Some(black_box("TEST ACCOUNT").to_owned()),
                };
                black_box(client.request(&p));
            }),
        ),
        (
            "idn_toto_dynamic",
            Box::new(|| {
                black_box(
                    dynamic::build(&client, EndpointId::TransactionList, black_box(&params)).ok(),
                );
            }),
        ),
    ];
    let figures = paired::run(&mut candidates, Duration::from_millis(10), budget(2.0), 9);
    push(&mut results, "build", "transaction_list", 0, figures);

    let doc = json!({ "language": "rust", "results": results });
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    if let Err(e) = std::fs::write(&out, text) {
        eprintln!("cannot write {out}: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// `serde_json::Value` (the baseline), the typed parse, and
/// `dynamic::parse_to_string` (what the bindings call) on the same bytes.
fn parse_trio<T>(
    body: &[u8],
    id: EndpointId,
    budget: Duration,
    typed: impl Fn(&[u8]) -> Result<T, idn_toto::Error>,
) -> Vec<paired::Figure> {
    let mut candidates: Vec<Candidate<'_>> = vec![
        (
            "serde_json_value",
            Box::new(|| {
                black_box(serde_json::from_slice::<Value>(black_box(body)).ok());
            }),
        ),
        (
            "idn_toto_typed",
            Box::new(|| {
                black_box(typed(black_box(body)).ok());
            }),
        ),
        (
            "parse_to_string",
            Box::new(|| {
                black_box(dynamic::parse_to_string(id, 200, black_box(body)).ok());
            }),
        ),
    ];
    paired::run(&mut candidates, Duration::from_millis(20), budget, 9)
}

fn push(
    results: &mut Vec<Value>,
    group: &str,
    case: &str,
    bytes: usize,
    figures: Vec<paired::Figure>,
) {
    let baseline = figures.first().map(|f| f.name.clone()).unwrap_or_default();
    for f in figures {
        eprintln!(
            "rust {group}/{case}/{}: {:.1} µs, {:.3}x {baseline}",
            f.name,
            f.median_ns / 1e3,
            f.ratio
        );
        results.push(json!({
            "group": group,
            "case": case,
            "bytes": bytes,
            "impl": f.name,
            "baseline": baseline,
            "median_ns": f.median_ns,
            "ratio": f.ratio,
            "rounds": f.rounds,
            "batch": f.batch,
        }));
    }
}

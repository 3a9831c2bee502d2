//! Criterion benches of the core, side by side with `serde_json::Value` on
//! the same bytes. `just bench` runs them and reads the medians from
//! `target/criterion/`; the ids here are the ones `idn-toto-bench-report`
//! looks up.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use idn_toto::{
    dynamic, Client, Endpoint, EndpointId, FullTransactionParams, NaiveDate, Page,
    PgaTransactionParams, Segment, TransactionListParams, TxType, UserBalanceParams,
};
use idn_toto_bench::{
    full_transaction_page, pending_list, pga_page, PAGE_ROWS, PENDING_ROWS, SEED,
};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};

const BASE_URL: &str = "https://agent.example.com/home.php";
const TOKEN: &str = "PWM6P4HRFR2VXBD1320EJWZ8A0EJK";

fn pending(c: &mut Criterion) {
    let mut g = c.benchmark_group("pending_list");
    for n in PENDING_ROWS {
        let body = pending_list(n, SEED).into_bytes();
        g.throughput(Throughput::Bytes(body.len() as u64));
        if n >= 25_000 {
            g.sample_size(20);
        } else {
            g.sample_size(50);
        }
        g.bench_with_input(BenchmarkId::new("idn_toto_typed", n), &body, |b, body| {
            b.iter(|| TransactionListParams::parse(200, black_box(body)).expect("parses"))
        });
        g.bench_with_input(BenchmarkId::new("serde_json_value", n), &body, |b, body| {
            b.iter(|| serde_json::from_slice::<Value>(black_box(body)).expect("parses"))
        });
        g.bench_with_input(BenchmarkId::new("parse_to_string", n), &body, |b, body| {
            b.iter(|| {
                dynamic::parse_to_string(EndpointId::TransactionList, 200, black_box(body))
                    .expect("parses")
            })
        });
    }
    g.finish();
}

fn pages(c: &mut Criterion) {
    let mut g = c.benchmark_group("pages");
    g.sample_size(50);
    let cases = [
        (
            "full_transaction",
            EndpointId::FullTransaction,
            full_transaction_page(PAGE_ROWS, SEED).into_bytes(),
        ),
        (
            "pga_transaction",
            EndpointId::PgaTransaction,
            pga_page(PAGE_ROWS, SEED).into_bytes(),
        ),
    ];
    for (name, id, body) in &cases {
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_with_input(BenchmarkId::new("idn_toto_typed", name), body, |b, body| {
            b.iter(|| match id {
                EndpointId::FullTransaction => {
                    FullTransactionParams::parse(200, black_box(body)).map(|p| p.data.len())
                }
                _ => PgaTransactionParams::parse(200, black_box(body)).map(|p| p.data.len()),
            })
        });
        g.bench_with_input(
            BenchmarkId::new("serde_json_value", name),
            body,
            |b, body| b.iter(|| serde_json::from_slice::<Value>(black_box(body)).expect("parses")),
        );
        g.bench_with_input(
            BenchmarkId::new("parse_to_string", name),
            body,
            |b, body| {
                b.iter(|| dynamic::parse_to_string(*id, 200, black_box(body)).expect("parses"))
            },
        );
    }
    g.finish();
}

fn build(c: &mut Criterion) {
    let client = Client::new(BASE_URL, TOKEN).expect("valid client");
    let mut g = c.benchmark_group("build");
    g.sample_size(50);

    // transaction_list with a bank and a name that needs escaping.
    g.bench_function("transaction_list/idn_toto_typed", |b| {
        b.iter(|| {
            let p = TransactionListParams {
                r#type: TxType::Deposit,
                bank: Some(Segment::new("bank", black_box("bca")).expect("valid")),
                name: Some(black_box("TEST ACCOUNT").to_owned()),
            };
            client.request(&p)
        })
    });
    let params = json!({"type": "deposit", "bank": "bca", "name": "TEST ACCOUNT"});
    g.bench_function("transaction_list/idn_toto_dynamic", |b| {
        b.iter(|| dynamic::build(&client, EndpointId::TransactionList, black_box(&params)))
    });
    g.bench_function("transaction_list/format", |b| {
        b.iter(|| {
            format!(
                "{BASE_URL}/{TOKEN}/dps/{}?name={}",
                utf8_percent_encode(black_box("bca"), NON_ALPHANUMERIC),
                utf8_percent_encode(black_box("TEST ACCOUNT"), NON_ALPHANUMERIC)
            )
        })
    });

    g.bench_function("user_balance/idn_toto_typed", |b| {
        b.iter(|| {
            let p = UserBalanceParams {
                user: Segment::new("user", black_box("LOREM")).expect("valid"),
            };
            client.request(&p)
        })
    });
    g.bench_function("full_transaction/idn_toto_typed", |b| {
        b.iter(|| {
            let p = FullTransactionParams {
                user: Segment::new("user", black_box("LOREMS")).expect("valid"),
                page: Page::new("page", 1).expect("valid"),
                date: NaiveDate::from_ymd_opt(2024, 5, 17),
            };
            client.request(&p)
        })
    });
    let pga = json!({"start_date": "2024-03-01", "end_date": "2024-03-03", "page": 1});
    g.bench_function("pga_transaction/idn_toto_dynamic", |b| {
        b.iter(|| dynamic::build(&client, EndpointId::PgaTransaction, black_box(&pga)))
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = pending, pages, build
}
criterion_main!(benches);

//! A loop to profile under callgrind:
//! `CARGO_PROFILE_RELEASE_DEBUG=true cargo build --release -p idn-toto-bench --example profile_parse`,
//! then `valgrind --tool=callgrind target/release/examples/profile_parse typed 1000 10`
//! (and `... typed 1000 0` for the cost of generating the body, to subtract).
//! Modes: `typed` (the core's typed parse), `value` (`serde_json::Value`),
//! `string` (`dynamic::parse_to_string`, what the bindings call).

use idn_toto::{dynamic, Endpoint, EndpointId, TransactionListParams};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("typed", String::as_str);
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1_000);
    let loops: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let body = idn_toto_bench::pending_list(n, idn_toto_bench::SEED).into_bytes();
    let mut total = 0usize;
    for _ in 0..loops {
        total += match mode {
            "value" => serde_json::from_slice::<serde_json::Value>(&body)
                .map(|v| v.as_object().map_or(0, |o| o.len()))
                .unwrap_or(0),
            "string" => dynamic::parse_to_string(EndpointId::TransactionList, 200, &body)
                .map(|s| s.len())
                .unwrap_or(0),
            _ => TransactionListParams::parse(200, &body)
                .map(|l| l.data.len())
                .unwrap_or(0),
        };
    }
    println!("{total}");
}

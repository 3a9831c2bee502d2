//! Plans one generated day and prints its size and timing (for profiling
//! the matcher: `perf record target/release/examples/match_day 50000`).

use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let (pending, credits, rules) = idn_toto_bench::matcher_day(n, idn_toto_bench::SEED);
    let mut best = f64::MAX;
    let mut plan = idn_toto::MatchPlan::default();
    for _ in 0..5 {
        let started = Instant::now();
        plan = idn_toto::match_deposits(&pending, &credits, &rules);
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "{} requests, {} credits: {:.1} ms (best of 5); {} approve, {} hold, {} unclaimed",
        pending.len(),
        credits.len(),
        best * 1000.0,
        plan.approve.len(),
        plan.hold.len(),
        plan.unclaimed.len()
    );
}

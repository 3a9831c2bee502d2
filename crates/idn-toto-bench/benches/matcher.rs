//! The deposit matcher on a realistic day (`idn_toto_bench::matcher_day`):
//! `match_deposits/50000` is 50,000 pending deposits and 50,000 credits.
//! `just bench` reads its median for the target "planned in well under a
//! second"; the smaller days show that the cost grows with the day, not
//! with its square.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use idn_toto::match_deposits;
use idn_toto_bench::{matcher_day, SEED};

/// The day sizes measured; the report's target reads the last.
const DAYS: [usize; 3] = [5_000, 20_000, 50_000];

fn plan(c: &mut Criterion) {
    let mut g = c.benchmark_group("match_deposits");
    g.sample_size(10);
    for n in DAYS {
        let (pending, credits, rules) = matcher_day(n, SEED);
        g.throughput(Throughput::Elements((pending.len() + credits.len()) as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| match_deposits(black_box(&pending), black_box(&credits), &rules))
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
}

criterion_group! {
    name = benches;
    config = config();
    targets = plan
}
criterion_main!(benches);

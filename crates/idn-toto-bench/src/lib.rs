//! A deterministic generator of realistic IDNPLAY TOTO response bodies, for
//! the benchmarks of every language (`just bench`).
//!
//! The same seed always gives the same bytes, on every machine: the bodies
//! come from a tiny SplitMix64 generator, never from the environment.
//!
//! ```
//! let body = idn_toto_bench::pending_list(3, idn_toto_bench::SEED);
//! let list = <idn_toto::TransactionListParams as idn_toto::Endpoint>::parse(200, body.as_bytes())?;
//! assert_eq!(list.data.len(), 3);
//! # Ok::<(), idn_toto::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::fmt::Write as _;

mod matcher_day;
pub use matcher_day::matcher_day;

/// The seed every published figure uses.
pub const SEED: u64 = 0x1D70_7070_2024_0830;

/// Row counts of the pending-transaction lists the benchmarks parse.
pub const PENDING_ROWS: [usize; 3] = [10, 1_000, 25_000];

/// Rows on the full-transaction page and on the PGA page (the API's
/// `per_page` is 1,000).
pub const PAGE_ROWS: usize = 1_000;

/// Every body the benchmarks use, as `(file name, body)`, from [`SEED`].
pub fn bodies() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = PENDING_ROWS
        .iter()
        .map(|&n| (format!("pending_{n}.json"), pending_list(n, SEED)))
        .collect();
    out.push((
        "full_transaction_page.json".into(),
        full_transaction_page(PAGE_ROWS, SEED),
    ));
    out.push(("pga_page.json".into(), pga_page(PAGE_ROWS, SEED)));
    out
}

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`; the tiny modulo bias does not matter
    /// here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// One element of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// `len` decimal digits (leading zeros kept).
    pub fn digits(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

const FIRST: &[&str] = &[
    "BUDI", "SITI", "AGUS", "DEWI", "RUDI", "PUTRI", "ANDI", "RINA", "HENDRA", "YULIA", "EKO",
    "WATI", "DIAN", "FAJAR", "INDAH", "JOKO",
];
const LAST: &[&str] = &[
    "SANTOSO",
    "WIJAYA",
    "PRATAMA",
    "LESTARI",
    "HIDAYAT",
    "KURNIAWAN",
    "SAPUTRA",
    "NUGROHO",
    "SETIAWAN",
    "RAHMAWATI",
];
const BANKS: &[&str] = &[
    "BCA", "BNI", "BRI", "MANDIRI", "CIMB", "DANA", "OVO", "GOPAY",
];
const SITES: &[&str] = &["test123", "togelku", "lotto88", "pasar4d", "angka77"];
const MARKETS: &[&str] = &[
    "12D Thunder",
    "Singapore",
    "Hongkong",
    "Sydney",
    "Toto Macau",
    "Cambodia",
];
const GAMECODES: &[&str] = &["p9b", "4d", "3d", "2d", "colok", "shio"];

/// A lower-case user id such as `budi4821`.
fn user(rng: &mut Rng) -> String {
    format!(
        "{}{}",
        rng.pick(FIRST).to_ascii_lowercase(),
        rng.below(10_000)
    )
}

/// `(day, month, year, hour, minute, second)` in 2024.
fn moment(rng: &mut Rng) -> (u64, u64, u64, u64, u64, u64) {
    (
        1 + rng.below(28),
        1 + rng.below(12),
        2024,
        rng.below(24),
        rng.below(60),
        rng.below(60),
    )
}

/// A money amount in whole thousands (10,000 to 50,000,000 rupiah), with
/// `decimals` fraction digits; one in ten has a non-zero fraction.
fn money(rng: &mut Rng, decimals: usize) -> String {
    let whole = 1_000 * (10 + rng.below(49_990));
    if decimals == 0 {
        return whole.to_string();
    }
    let frac = if rng.below(10) == 0 {
        rng.digits(decimals)
    } else {
        "0".repeat(decimals)
    };
    format!("{whole}.{frac}")
}

/// The pending-transaction list (`GET /TOKEN/dps`): an object keyed `"1"`
/// to `"N"`, string amounts with 4 decimals, `DD-MM-YYYY HH:MM:SS` dates,
/// in the compact form a PHP `json_encode` writes (about 280 bytes a row).
pub fn pending_list(n: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(n * 300 + 2);
    out.push('{');
    let mut id = 120_000_000 + rng.below(1_000_000);
    for i in 1..=n {
        id += 1 + rng.below(40);
        let (d, mo, y, h, mi, s) = moment(&mut rng);
        let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
        let dest = rng.pick(BANKS);
        let row = format!(
            concat!(
                "\"{i}\":{{\"id\":\"{id}\",\"user\":\"{user}\",",
                "\"date\":\"{d:02}-{mo:02}-{y} {h:02}:{mi:02}:{s:02}\",\"type\":\"deposit\",",
                "\"game\":\"{game}\",\"bank_acc_name\":\"{name}\",\"bank_name\":\"{bank}\",",
                "\"bank_acc_number\":\"{acc}\",\"amount\":\"{amount}\",",
                "\"destination_bank\":\"{dest}\",\"destination_acc_number\":\"{dacc}\"}}"
            ),
            i = i,
            id = id,
            user = user(&mut rng),
            d = d,
            mo = mo,
            y = y,
            h = h,
            mi = mi,
            s = s,
            game = rng.pick(SITES),
            name = name,
            bank = rng.pick(BANKS),
            acc = rng.digits(10),
            amount = money(&mut rng, 4),
            dest = dest,
            dacc = format!("{}-{}-{}", rng.digits(3), rng.digits(3), rng.digits(4)),
        );
        if i > 1 {
            out.push(',');
        }
        out.push_str(&row);
    }
    out.push('}');
    out
}

/// One page of the full-transaction report (`GET
/// /TOKEN/full_transaction/USER/PAGE`): `"N Rows"` counts and an array of
/// turnover rows with 2-decimal string amounts.
pub fn full_transaction_page(n: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0xF0F0);
    let player = user(&mut rng).to_ascii_uppercase();
    let mut out = String::with_capacity(n * 160 + 128);
    let _ = write!(
        out,
        "{{\"success\":true,\"message\":\"Success\",\"total_data\":\"{n} Rows\",\"total_page\":\"1 Page(s)\",\"data\":["
    );
    let mut periode = 107_000 + rng.below(1_000);
    for i in 0..n {
        periode += 1;
        let (d, mo, y, ..) = moment(&mut rng);
        let turnover = 1_000 * (1 + rng.below(500));
        let winlose = i128::from(rng.below(2 * turnover)) - i128::from(turnover);
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            concat!(
                "{{\"user\":\"{player}\",\"date\":\"{y}-{mo:02}-{d:02}\",\"periode\":\"{periode}\",",
                "\"gamecode\":\"{code}\",\"pasar\":\"{pasar}\",\"turnover\":\"{turnover}.00\",",
                "\"winlose\":\"{winlose}.00\"}}"
            ),
            player = player,
            y = y,
            mo = mo,
            d = d,
            periode = periode,
            code = rng.pick(GAMECODES),
            pasar = rng.pick(MARKETS),
            turnover = turnover,
            winlose = winlose,
        );
    }
    out.push_str("]}");
    out
}

/// One page of PGA invoices (`POST /TOKEN/pga`): counts as numbers, an
/// object keyed `"1"` to `"N"`, `YYYY-MM-DD HH:MM:SS.mmm` dates, a null
/// `processed_date` on unpaid invoices.
pub fn pga_page(n: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0x0F0F);
    let mut rows = String::with_capacity(n * 300);
    let mut total: u64 = 0;
    let mut invoice = 12_000_000 + rng.below(1_000_000);
    for i in 1..=n {
        invoice += 1 + rng.below(100);
        let (d, mo, y, h, mi, s) = moment(&mut rng);
        let amount = 1_000 * (10 + rng.below(2_000));
        total += amount;
        let status = rng.pick(&["Accepted", "Accepted", "Accepted", "Unpaid", "Expired"]);
        let processed = if status == "Unpaid" {
            "null".to_owned()
        } else {
            format!(
                "\"{y}-{mo:02}-{d:02} {:02}:{:02}:{s:02}.000\"",
                (h + 1) % 24,
                mi
            )
        };
        let ref_no: String = (0..22)
            .map(|_| {
                let c = rng.below(36) as u8;
                char::from(if c < 10 { b'0' + c } else { b'A' + c - 10 })
            })
            .collect();
        if i > 1 {
            rows.push(',');
        }
        let _ = write!(
            rows,
            concat!(
                "\"{i}\":{{\"id_invoice\":\"{invoice}\",\"ref_no\":\"{ref_no}\",\"status\":\"{status}\",",
                "\"by\":\"{by}\",\"user\":\"{user}\",\"request_date\":\"{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.000\",",
                "\"processed_date\":{processed},\"amount\":\"{amount}\",\"destination_bank\":\"{dest}\"}}"
            ),
            i = i,
            invoice = invoice,
            ref_no = ref_no,
            status = status,
            by = rng.pick(&["PGA", "PGA", "OPERATOR"]),
            user = user(&mut rng).to_ascii_uppercase(),
            y = y,
            mo = mo,
            d = d,
            h = h,
            mi = mi,
            s = s,
            processed = processed,
            amount = amount,
            dest = rng.pick(&["QRIS", "QRIS", "BCA", "BNI"]),
        );
    }
    format!(
        concat!(
            "{{\"row\":{n},\"total_row\":{n},\"page\":1,\"per_page\":1000,\"total_page\":1,",
            "\"total_amount_page\":{total},\"total_amount_all\":{total},\"data\":{{{rows}}}}}"
        ),
        n = n,
        total = total,
        rows = rows
    )
}

/// Paired rounds: the way every language's bench times competitors side by
/// side on a noisy machine.
///
/// Each candidate first gets a batch size that takes at least `batch`; then,
/// round after round, every candidate runs one batch (the order rotates each
/// round). A candidate's figure is the median of its per-iteration times,
/// and its ratio is the median over rounds of its time divided by the first
/// candidate's time *in the same round*, so a burst of load that hits one
/// round hits both sides of the ratio.
pub mod paired {
    use std::time::{Duration, Instant};

    /// One candidate's figures.
    #[derive(Debug, Clone)]
    pub struct Figure {
        /// The candidate's name.
        pub name: String,
        /// Median time of one iteration, in nanoseconds.
        pub median_ns: f64,
        /// Median over rounds of this time / the first candidate's time.
        pub ratio: f64,
        /// Rounds run.
        pub rounds: usize,
        /// Iterations per batch.
        pub batch: u64,
    }

    /// A named closure to time.
    pub type Candidate<'a> = (&'a str, Box<dyn FnMut() + 'a>);

    /// Runs `candidates` in paired rounds for about `budget` in all (at
    /// least `min_rounds` rounds); the first candidate is the baseline.
    pub fn run(
        candidates: &mut [Candidate<'_>],
        batch: Duration,
        budget: Duration,
        min_rounds: usize,
    ) -> Vec<Figure> {
        let origin = Instant::now();
        run_on(candidates, batch, budget, min_rounds, &|| origin.elapsed())
    }

    /// [`run`] on the clock `now` (the time since any fixed start): the
    /// wall clock for a bench, a counter the candidates advance for the
    /// harness's own test.
    pub fn run_on(
        candidates: &mut [Candidate<'_>],
        batch: Duration,
        budget: Duration,
        min_rounds: usize,
        now: &dyn Fn() -> Duration,
    ) -> Vec<Figure> {
        let sizes: Vec<u64> = candidates
            .iter_mut()
            .map(|(_, f)| calibrate(f, batch, now))
            .collect();
        let k = candidates.len();
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); k];
        let start = now();
        let mut round = 0usize;
        while round < min_rounds || now().saturating_sub(start) < budget {
            for j in 0..k {
                let i = (round + j) % k;
                let (_, f) = &mut candidates[i];
                let t = now();
                for _ in 0..sizes[i] {
                    f();
                }
                let took = now().saturating_sub(t);
                times[i].push(took.as_nanos() as f64 / sizes[i] as f64);
            }
            round += 1;
        }
        (0..k)
            .map(|i| {
                let ratios: Vec<f64> = times[i]
                    .iter()
                    .zip(&times[0])
                    .map(|(t, base)| t / base)
                    .collect();
                Figure {
                    name: candidates[i].0.to_owned(),
                    median_ns: median(&times[i]),
                    ratio: median(&ratios),
                    rounds: round,
                    batch: sizes[i],
                }
            })
            .collect()
    }

    /// Iterations that take at least `batch` (after one warm-up call).
    fn calibrate(
        f: &mut Box<dyn FnMut() + '_>,
        batch: Duration,
        now: &dyn Fn() -> Duration,
    ) -> u64 {
        f();
        let mut n = 1u64;
        loop {
            let t = now();
            for _ in 0..n {
                f();
            }
            let took = now().saturating_sub(t);
            if took >= batch || n >= 1 << 30 {
                return n;
            }
            let scale = batch.as_secs_f64() / took.as_secs_f64().max(1e-9);
            n = ((n as f64 * scale * 1.1).ceil() as u64).clamp(n + 1, n * 100);
        }
    }

    /// The median (mean of the middle two for an even count); 0 when empty.
    pub fn median(xs: &[f64]) -> f64 {
        if xs.is_empty() {
            return 0.0;
        }
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        let m = v.len() / 2;
        if v.len() % 2 == 1 {
            v[m]
        } else {
            (v[m - 1] + v[m]) / 2.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use idn_toto::{Endpoint, FullTransactionParams, PgaTransactionParams, TransactionListParams};

    #[test]
    fn bodies_are_deterministic_valid_json_and_parse() {
        assert_eq!(pending_list(50, SEED), pending_list(50, SEED));
        assert_ne!(pending_list(50, SEED), pending_list(50, SEED + 1));
        for (name, body) in bodies() {
            serde_json::from_str::<serde_json::Value>(&body)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let list = TransactionListParams::parse(200, pending_list(1_000, SEED).as_bytes())
            .expect("pending list parses");
        assert_eq!(list.data.len(), 1_000);
        assert!(list.data.windows(2).all(|w| w[0].id < w[1].id));
        assert_eq!(list.data[0].amount.scale(), 4);
        let page = FullTransactionParams::parse(200, full_transaction_page(100, SEED).as_bytes())
            .expect("full-transaction page parses");
        assert_eq!((page.data.len(), page.total_data), (100, 100));
        let pga = PgaTransactionParams::parse(200, pga_page(100, SEED).as_bytes())
            .expect("PGA page parses");
        assert_eq!(pga.data.len(), 100);
        assert!(pga.data.iter().any(|r| r.processed_date.is_none()));
    }

    /// The harness on a clock the candidates advance (no wall clock: a
    /// loaded machine made the timed version of this test fail): a
    /// candidate that costs twice the baseline is ranked at 2x, every round
    /// runs, and each batch is calibrated to the batch time.
    #[test]
    fn paired_rounds_rank_a_slower_candidate_slower() {
        use std::cell::Cell;
        use std::time::Duration;
        let clock = Cell::new(0u64);
        let tick = |ns: u64| clock.set(clock.get() + ns);
        let mut candidates: Vec<paired::Candidate<'_>> = vec![
            ("once", Box::new(|| tick(1_000))),
            ("twice", Box::new(|| tick(2_000))),
        ];
        let figures = paired::run_on(
            &mut candidates,
            Duration::from_millis(2),
            Duration::ZERO,
            7,
            &|| Duration::from_nanos(clock.get()),
        );
        assert_eq!(
            (figures[0].ratio, figures[1].ratio),
            (1.0, 2.0),
            "{figures:?}"
        );
        assert_eq!(
            (figures[0].median_ns, figures[1].median_ns),
            (1_000.0, 2_000.0)
        );
        assert_eq!((figures[0].rounds, figures[1].rounds), (7, 7));
        assert!(
            figures[0].batch >= 2_000 && figures[1].batch >= 1_000,
            "{figures:?}"
        );
        assert_eq!(paired::median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
    }

    #[test]
    fn a_pending_row_is_about_280_bytes() {
        let per_row = pending_list(1_000, SEED).len() / 1_000;
        assert!((250..=320).contains(&per_row), "{per_row} bytes a row");
    }
}

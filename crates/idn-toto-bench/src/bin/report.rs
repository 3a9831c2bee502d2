//! `idn-toto-bench-report`: renders `docs/BENCHMARKS.md` from one run's
//! results: criterion's estimates, the paired-round JSON of the Rust, Node
//! and Python benches, and the machine facts `bench.sh` collected.
//!
//! ```text
//! idn-toto-bench-report --results DIR --criterion DIR --analysis FILE --out FILE
//! ```
//!
//! `DIR` holds `rust.json`, `node.json`, `python.json`, `wasm-size.json`
//! (`wasm-size.sh`), `keys.json` (`idn-toto-bench-keys`), `matcher-node.json` and
//! `matcher-python.json` (the packages' `match_deposits` on a generated day) and
//! `meta.json`; a missing one leaves its section marked
//! "not run".

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;

/// The main `.wasm`'s size target, gzipped: issue 21's 200 KB (an earlier
/// issue asked for 100 KB).
const WASM_GZIP_TARGET: f64 = 200_000.0;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts: BTreeMap<String, PathBuf> = BTreeMap::new();
    for pair in args.chunks(2) {
        match pair {
            [k, v] if k.starts_with("--") => {
                opts.insert(k.trim_start_matches("--").to_owned(), PathBuf::from(v));
            }
            _ => return usage(),
        }
    }
    let (Some(results), Some(out)) = (opts.get("results"), opts.get("out")) else {
        return usage();
    };
    let run = Run {
        rust: read_json(&results.join("rust.json")),
        node: read_json(&results.join("node.json")),
        python: read_json(&results.join("python.json")),
        wasm_size: read_json(&results.join("wasm-size.json")),
        keys: read_json(&results.join("keys.json")),
        matcher_node: read_json(&results.join("matcher-node.json")),
        matcher_python: read_json(&results.join("matcher-python.json")),
        meta: read_json(&results.join("meta.json")).unwrap_or(Value::Null),
        criterion: opts
            .get("criterion")
            .map(|d| criterion_medians(d))
            .unwrap_or_default(),
    };
    let analysis = opts
        .get("analysis")
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let doc = render(&run, &analysis);
    if let Err(e) = std::fs::write(out, doc) {
        eprintln!("cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let misses = targets(&run)
        .iter()
        .filter(|t| t.verdict() == "MISS")
        .count();
    eprintln!("wrote {} ({misses} target(s) missed)", out.display());
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: idn-toto-bench-report --results DIR --out FILE [--criterion DIR] [--analysis FILE]"
    );
    ExitCode::from(2)
}

fn read_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// One run's results.
struct Run {
    rust: Option<Value>,
    node: Option<Value>,
    python: Option<Value>,
    /// `wasm-size.sh`: the `.wasm` cut by exports, and the library floor.
    wasm_size: Option<Value>,
    /// `idn-toto-bench-keys`: a keyed move per journal store.
    keys: Option<Value>,
    /// `bindings/wasm/bench/matcher-day.mjs`: Node's `matchDeposits` on a day.
    matcher_node: Option<Value>,
    /// `bindings/python/bench/matcher.py --json`: Python's `match_deposits`.
    matcher_python: Option<Value>,
    meta: Value,
    /// criterion `full_id` -> median ns.
    criterion: BTreeMap<String, f64>,
}

/// Every `*/new/estimates.json` under `dir`, by the benchmark's `full_id`.
fn criterion_medians(dir: &Path) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            if path.file_name().is_some_and(|n| n == "new") {
                let id = read_json(&path.join("benchmark.json"))
                    .and_then(|b| b.get("full_id").and_then(Value::as_str).map(str::to_owned));
                let median = read_json(&path.join("estimates.json"))
                    .and_then(|e| e.pointer("/median/point_estimate").and_then(Value::as_f64));
                if let (Some(id), Some(median)) = (id, median) {
                    out.insert(id, median);
                }
            } else {
                stack.push(path);
            }
        }
    }
    out
}

/// A row of a paired-round result file.
fn find<'a>(doc: Option<&'a Value>, group: &str, case: &str, imp: &str) -> Option<&'a Value> {
    doc?.get("results")?.as_array()?.iter().find(|r| {
        r.get("group").and_then(Value::as_str) == Some(group)
            && r.get("case").and_then(Value::as_str) == Some(case)
            && r.get("impl").and_then(Value::as_str) == Some(imp)
    })
}

fn ratio_of(doc: Option<&Value>, group: &str, case: &str, imp: &str) -> Option<f64> {
    find(doc, group, case, imp)?.get("ratio")?.as_f64()
}

/// A gzipped size from `wasm-size.json`.
fn size(run: &Run, key: &str) -> Option<f64> {
    run.wasm_size
        .as_ref()?
        .get(key)?
        .get("gzip_bytes")?
        .as_f64()
}

fn meta_f64(meta: &Value, key: &str) -> Option<f64> {
    meta.get(key).and_then(Value::as_f64)
}

fn meta_str<'a>(meta: &'a Value, key: &str) -> &'a str {
    meta.get(key).and_then(Value::as_str).unwrap_or("?")
}

// ---------------------------------------------------------------- targets

/// One of the issue's targets, checked against this run.
struct Target {
    what: &'static str,
    measured: Option<f64>,
    limit: f64,
    /// `true`: the measured value must be at most `limit`.
    at_most: bool,
    unit: &'static str,
    /// For a miss whose cause this run measures: what the floor is (the
    /// verdict `FLOOR` when the floor alone misses the limit, explained
    /// under "Sizes").
    floor: Option<f64>,
}

impl Target {
    fn verdict(&self) -> &'static str {
        match self.measured {
            None => "NOT RUN",
            Some(m) if (self.at_most && m <= self.limit) || (!self.at_most && m >= self.limit) => {
                "PASS"
            }
            // `FLOOR` only when the floor alone misses the target: under it,
            // the SDK's own code is what misses, a plain `MISS`.
            Some(_)
                if self.floor.is_some_and(|f| {
                    (self.at_most && f > self.limit) || (!self.at_most && f < self.limit)
                }) =>
            {
                "FLOOR"
            }
            Some(_) => "MISS",
        }
    }

    fn show(&self, v: f64) -> String {
        match self.unit {
            "KB" => format!("{:.1} KB", v / 1000.0),
            "ms" => format!("{v:.0} ms"),
            _ => format!("{v:.2}x"),
        }
    }
}

fn targets(run: &Run) -> Vec<Target> {
    let (rust, node, python) = (run.rust.as_ref(), run.node.as_ref(), run.python.as_ref());
    let py = |imp| ratio_of(python, "pending_list", "1000", imp);
    let pydantic_over_typed = match (
        py("pydantic v2 model"),
        py("Core.parse().data (typed rows)"),
    ) {
        (Some(p), Some(t)) if t > 0.0 => Some(p / t),
        _ => None,
    };
    vec![
        Target {
            what: "Rust typed parse (Decimal + dates + ordered list) / `serde_json::Value`",
            measured: ratio_of(rust, "pending_list", "1000", "idn_toto_typed"),
            limit: 0.6,
            at_most: true,
            unit: "x",
            floor: None,
        },
        Target {
            what: "Python `Core.parse(...).data` (typed rows) / `json.loads`",
            measured: py("Core.parse().data (typed rows)"),
            limit: 2.0,
            at_most: true,
            unit: "x",
            floor: None,
        },
        Target {
            what: "pydantic v2 model / Python `Core.parse(...).data` (times faster)",
            measured: pydantic_over_typed,
            limit: 2.5,
            at_most: false,
            unit: "x",
            floor: None,
        },
        Target {
            what: "Node `parse` (plain objects) / `JSON.parse`",
            measured: ratio_of(node, "pending_list", "1000", "idn_toto.parse(bytes)"),
            limit: 2.0,
            at_most: true,
            unit: "x",
            floor: None,
        },
        Target {
            what: "main `.wasm` gzipped (`gzip -9`)",
            measured: meta_f64(&run.meta, "wasm_gzip_bytes"),
            limit: WASM_GZIP_TARGET,
            at_most: true,
            unit: "KB",
            floor: size(run, "floor_typed_web"),
        },
        Target {
            what: "Python request building (`client.prepare.transaction_list`) / f-string + `quote`",
            measured: ratio_of(
                python,
                "build",
                "transaction_list",
                "Client.prepare.transaction_list",
            ),
            limit: 2.0,
            at_most: true,
            unit: "x",
            floor: None,
        },
        Target {
            what: "Node per call end to end (`client.userBalance`, sandbox on loopback) / `fetch` + `JSON.parse`",
            measured: ratio_of(node, "per_call", "user_balance", "client.userBalance"),
            limit: 1.1,
            at_most: true,
            unit: "x",
            floor: None,
        },
        Target {
            what: "Rust `match_deposits`: a day of 50,000 pending deposits and 50,000 credits (criterion median, `benches/matcher.rs`)",
            measured: run.criterion.get("match_deposits/50000").map(|ns| ns / 1e6),
            limit: 1000.0,
            at_most: true,
            unit: "ms",
            floor: None,
        },
        Target {
            what: "Python per call end to end (`client.user_balance`, sandbox on loopback) / `urllib` + `json.loads`",
            measured: ratio_of(python, "per_call", "user_balance", "client.user_balance"),
            limit: 1.1,
            at_most: true,
            unit: "x",
            floor: None,
        },
    ]
}

// ---------------------------------------------------------------- render

fn time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn kb(bytes: f64) -> String {
    format!("{:.1} KB", bytes / 1000.0)
}

fn case_label(group: &str, case: &str, bytes: u64) -> String {
    let size = if bytes > 0 {
        format!(" ({})", kb(bytes as f64))
    } else {
        String::new()
    };
    match group {
        "pending_list" => format!("pending list, {} rows{size}", thousands(case)),
        "pages" => format!("{} page, 1,000 rows{size}", case.replace('_', "-")),
        "build" => format!("build `{case}`"),
        "per_call" => match case.strip_suffix("_fetch") {
            Some(case) => format!("per call `{case}` on fetch (sandbox, loopback)"),
            None => format!("per call `{case}` (sandbox, loopback)"),
        },
        _ => format!("{group}/{case}{size}"),
    }
}

fn thousands(n: &str) -> String {
    let digits: Vec<char> = n.chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(*c);
    }
    out
}

/// The table of one language's paired results. `criterion` adds the
/// criterion median column (Rust).
fn paired_table(out: &mut String, doc: &Value, criterion: Option<&BTreeMap<String, f64>>) {
    let Some(rows) = doc.get("results").and_then(Value::as_array) else {
        return;
    };
    let with_criterion = criterion.is_some();
    if with_criterion {
        out.push_str("| body | implementation | criterion median | paired median | ratio |\n|---|---|--:|--:|--:|\n");
    } else {
        out.push_str("| body | implementation | median | ratio |\n|---|---|--:|--:|\n");
    }
    let mut last_case = String::new();
    for r in rows {
        let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
        let f = |k: &str| r.get(k).and_then(Value::as_f64).unwrap_or(0.0);
        let (group, case, imp, baseline) = (s("group"), s("case"), s("impl"), s("baseline"));
        let bytes = r.get("bytes").and_then(Value::as_u64).unwrap_or(0);
        let label = case_label(group, case, bytes);
        let shown = if label == last_case {
            String::new()
        } else {
            label.clone()
        };
        last_case = label;
        let ratio = if imp == baseline {
            "1 (baseline)".to_owned()
        } else {
            format!("{:.2}x", f("ratio"))
        };
        if let Some(c) = criterion {
            let id = format!("{group}/{imp}/{case}");
            let cm = c.get(&id).map_or("-".to_owned(), |&ns| time(ns));
            let _ = writeln!(
                out,
                "| {shown} | `{imp}` | {cm} | {} | {ratio} |",
                time(f("median_ns"))
            );
        } else {
            let _ = writeln!(
                out,
                "| {shown} | `{imp}` | {} | {ratio} |",
                time(f("median_ns"))
            );
        }
    }
}

fn render(run: &Run, analysis: &str) -> String {
    let m = &run.meta;
    let mut out = String::new();
    out.push_str("# Benchmarks\n\n");
    out.push_str(
        "<!-- Generated by `just bench` (crates/idn-toto-bench/bench.sh): do not edit. \
         The notes at the end come from crates/idn-toto-bench/analysis.md. -->\n\n",
    );
    out.push_str(
        "What the SDK costs next to parsing the same bytes yourself, measured side by side in \
         one run. The bodies are generated deterministically (`idn-toto-bench-bodies`, fixed \
         seed): the pending-transaction list (an object keyed `\"1\"`..`\"N\"`, string amounts \
         with 4 decimals, `DD-MM-YYYY HH:MM:SS` dates) at 10, 1,000 and 25,000 rows, a \
         1,000-row full-transaction page and a 1,000-row PGA page.\n\n\
         **Read the ratios, not the times.** These machines are noisy (2 shared cores): every \
         language is timed in *paired rounds* (each round runs one batch of every competitor, \
         the order rotating), a time is the median over rounds, and a ratio is the median over \
         rounds of `competitor / baseline` within the same round, so load that hits a round hits \
         both sides. The Rust table also shows criterion's median for each function (timed one \
         after another, so its times are not paired).\n\n",
    );
    let _ = writeln!(
        out,
        "Reproduce with `{}` (about {} minutes here).\n",
        meta_str(m, "command"),
        meta_f64(m, "minutes").map_or("?".to_owned(), |v| format!("{v:.0}"))
    );

    out.push_str("## Machine and versions\n\n| | |\n|---|---|\n");
    for (label, key) in [
        ("run", "date"),
        ("commit", "commit"),
        ("CPU", "cpu"),
        ("cores (`nproc`)", "nproc"),
        ("OS", "os"),
        ("rustc", "rustc"),
        ("Node", "node"),
        ("Python", "python"),
        ("orjson", "orjson"),
        ("pydantic", "pydantic"),
        ("criterion", "criterion"),
    ] {
        let v = match m.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(v) if !v.is_null() => v.to_string(),
            _ => "?".into(),
        };
        let _ = writeln!(out, "| {label} | {v} |");
    }

    out.push_str("\n## Targets (parse: the 1,000-row pending-transaction list)\n\n");
    out.push_str("| target | measured | limit | |\n|---|--:|--:|---|\n");
    for t in targets(run) {
        let measured = t.measured.map_or("-".to_owned(), |v| t.show(v));
        let limit = format!("{} {}", if t.at_most { "≤" } else { "≥" }, t.show(t.limit));
        let _ = writeln!(
            out,
            "| {} | {measured} | {limit} | **{}** |",
            t.what,
            t.verdict()
        );
    }

    out.push_str("\n## Rust: the core vs `serde_json::from_slice::<Value>`\n\n");
    match &run.rust {
        Some(doc) => {
            out.push_str(
                "`idn_toto_typed`: `<XParams as Endpoint>::parse(200, &bytes)` into the typed \
                 response (Decimal amounts, chrono dates, the keyed object as an ordered Vec). \
                 `parse_to_string`: `dynamic::parse_to_string`, the typed parse plus the \
                 canonical JSON text the bindings receive. Ratios are to `serde_json_value` \
                 (parse) or `format` (a `format!` with `percent-encoding`, for building).\n\n",
            );
            paired_table(&mut out, doc, Some(&run.criterion));
        }
        None => out.push_str("Not run.\n"),
    }

    out.push_str("\n## Node: the npm package vs `JSON.parse`\n\n");
    match &run.node {
        Some(doc) => {
            out.push_str(
                "`idn_toto.parse(bytes)`: the package's `parse(endpointId, 200, body)` with the \
                 body as a `Uint8Array` (what `fetch` gives); `(string)` with a string. \
                 `JSON.parse+normalise`: `JSON.parse` and the keyed object to an array sorted by \
                 key (no decimal or date handling). Building: `client.request.transactionList` \
                 (a reused client) and the module-level `build` (a client per call) vs a \
                 template string with `encodeURIComponent`. Per call: sequential \
                 `client.userBalance` calls (the public client, its default transport: \
                 `node:http` with a keep-alive agent) against the sandbox on loopback vs the \
                 same URL through `fetch` + `JSON.parse`, 50 calls per side per round, every \
                 side warmed up with 1,000 calls first; that pair runs alone and first (other \
                 rows in the same process move its ratio: see the analysis). Then, for scale, \
                 in rounds of their own: the same `fetch` with a timeout signal \
                 (`AbortSignal.timeout`), and the same client with a `transport` on `fetch` \
                 (what it uses with a `dispatcher`). Ratios are to the first row of each body.\n\n",
            );
            paired_table(&mut out, doc, None);
        }
        None => out.push_str("Not run.\n"),
    }

    out.push_str("\n## Python: the pip package vs `json.loads`, orjson and pydantic\n\n");
    match &run.python {
        Some(doc) => {
            out.push_str(
                "`idn_toto.parse (dict)`: the module-level `parse`, canonical plain dicts. \
                 `Core.parse (typed, lazy)`: the typed result object (fields convert when read). \
                 `Core.parse().data (typed rows)`: plus the list of typed row objects. `+ every \
                 field`: plus reading all 11 fields of every row (Decimal and datetime objects \
                 made). `pydantic v2 model`: `TypeAdapter(dict[str, Model]).validate_json` with \
                 `Decimal` and `datetime` fields (a `BeforeValidator` rewrites the \
                 `DD-MM-YYYY` date to ISO so pydantic's own parser reads it), then sorted by key. \
                 Building: `client.prepare.transaction_list`, `Core.build` and the module-level \
                 `idn_toto.build` (a client per call) vs an f-string with \
                 `urllib.parse.quote`. Per call: sequential `client.user_balance` calls (the \
                 public client, its default transport: `http.client`, reads kept alive) against \
                 the sandbox on loopback vs the same URL through `urllib.request.urlopen` + \
                 `json.loads` (a new connection per call) and through one kept-alive \
                 `http.client` connection + `json.loads`.\n\n",
            );
            paired_table(&mut out, doc, None);
        }
        None => out.push_str("Not run.\n"),
    }

    out.push_str("\n## Sizes and start-up\n\n| | |\n|---|--:|\n");
    let size_rows: [(&str, Option<String>); 7] = [
        (
            "main `.wasm` (bindings/wasm/pkg), raw",
            meta_f64(m, "wasm_bytes").map(kb),
        ),
        (
            "main `.wasm`, `gzip -9`",
            meta_f64(m, "wasm_gzip_bytes").map(kb),
        ),
        (
            "deposit matcher's `.wasm` (loaded on first use), raw",
            meta_f64(m, "wasm_matcher_bytes").map(kb),
        ),
        (
            "deposit matcher's `.wasm`, `gzip -9`",
            meta_f64(m, "wasm_matcher_gzip_bytes").map(kb),
        ),
        (
            "wheel (abi3, manylinux)",
            meta_f64(m, "wheel_bytes").map(kb),
        ),
        (
            "`import idn_toto` (median of fresh interpreters)",
            run.python
                .as_ref()
                .and_then(|p| p.pointer("/import_ns/idn_toto"))
                .and_then(Value::as_f64)
                .map(time),
        ),
        (
            "for scale: `import pydantic`",
            run.python
                .as_ref()
                .and_then(|p| p.pointer("/import_ns/pydantic"))
                .and_then(Value::as_f64)
                .map(time),
        ),
    ];
    for (label, v) in size_rows {
        let _ = writeln!(out, "| {label} | {} |", v.unwrap_or_else(|| "-".into()));
    }

    wasm_size_section(&mut out, run);
    keys_section(&mut out, run);
    matcher_section(&mut out, run);

    if !analysis.trim().is_empty() {
        out.push('\n');
        out.push_str(analysis.trim_end());
        out.push('\n');
    }
    out
}

/// What a keyed money move costs per journal store (`idn-toto-bench-keys`).
fn keys_section(out: &mut String, run: &Run) {
    out.push_str("\n## Operation keys: what a keyed move costs per store\n\n");
    let Some(keys) = &run.keys else {
        out.push_str("Not run.\n");
        return;
    };
    let _ = writeln!(
        out,
        "`idn-toto-bench-keys`: {} money moves per store, one after another, no server (the \
         network is not what is measured). A keyed move is what its store does for it: the \
         claim (the key's record read, the core's decision, the claimed record and the intent \
         line written and committed) and the outcome line (the record updated, committed). \
         Every write is durable before the next step (`fsync`, SQLite `synchronous=FULL`, \
         Postgres `fsync=on`, a throwaway local cluster). The first row is today's journaled \
         move without a key, for comparison.\n",
        keys.get("moves").and_then(Value::as_u64).unwrap_or(0)
    );
    out.push_str("| store | per move (median) | p90 | moves |\n|---|--:|--:|--:|\n");
    for row in keys
        .get("rows")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let store = row.get("store").and_then(Value::as_str).unwrap_or("?");
        if let Some(why) = row.get("skipped").and_then(Value::as_str) {
            let _ = writeln!(out, "| {store} | skipped: {why} | | |");
            continue;
        }
        let ns = |k: &str| row.get(k).and_then(Value::as_f64).map_or("-".into(), time);
        let _ = writeln!(
            out,
            "| {store} | {} | {} | {} |",
            ns("median_ns"),
            ns("p90_ns"),
            row.get("moves").and_then(Value::as_u64).unwrap_or(0)
        );
    }
}

/// Planning a day of deposits in each language: the Rust criterion median
/// and the packages' medians of the same call on a generated day.
fn matcher_section(out: &mut String, run: &Run) {
    out.push_str("\n## Deposit matching: a day of 50,000 requests and 50,000 credits\n\n");
    out.push_str(
        "The whole call, inputs in and the plan out: Rust `match_deposits` (criterion median, \
         `benches/matcher.rs`, the typed values in), Node `matchDeposits` (plain objects in, \
         `bindings/wasm/bench/matcher-day.mjs`) and Python `idn_toto.match_deposits` (dicts in, \
         `bindings/python/bench/matcher.py`); medians of 5 rounds. The packages' days are \
         generated the same way as Rust's, each with its own random numbers.\n\n",
    );
    out.push_str("| language | per day (median) | min | approve | hold | unclaimed |\n|---|--:|--:|--:|--:|--:|\n");
    let rust = run.criterion.get("match_deposits/50000").copied();
    let _ = writeln!(
        out,
        "| Rust | {} | | | | |",
        rust.map_or("not run".into(), time)
    );
    for (label, doc) in [("Node", &run.matcher_node), ("Python", &run.matcher_python)] {
        let Some(doc) = doc else {
            let _ = writeln!(out, "| {label} | not run | | | | |");
            continue;
        };
        let ms = |k: &str| {
            doc.get(k)
                .and_then(Value::as_f64)
                .map_or("-".into(), |v| time(v * 1e6))
        };
        let n = |k: &str| {
            doc.get(k)
                .and_then(Value::as_u64)
                .map_or("-".into(), |v| v.to_string())
        };
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {} | {} |",
            ms("median_ms"),
            ms("min_ms"),
            n("approve"),
            n("hold"),
            n("unclaimed")
        );
    }
}

/// Where the `.wasm`'s bytes go: the module cut to subsets of its exports,
/// and the library floor (`wasm-size.sh`).
fn wasm_size_section(out: &mut String, run: &Run) {
    out.push_str("\n## Where the `.wasm` goes (the size target's floor)\n\n");
    let Some(sizes) = &run.wasm_size else {
        out.push_str("Not run.\n");
        return;
    };
    out.push_str(
        "`crates/idn-toto-bench/wasm-size.sh`. The library floor is \
         `crates/idn-toto-bench/wasm-floor`: the smallest use of each crate the SDK is built \
         on (one row type read from JSON and written back, one error handed to JavaScript; \
         then a `Decimal` and a `NaiveDateTime` field; then one URL with a percent-encoded \
         segment and one HTTP date), compiled exactly as the package is. The SDK rows are \
         the package's own module cut by binaryen's `wasm-metadce` to a subset of its \
         exports, then optimised with the package's settings. Every module holds at least \
         the floor; the SDK's own code (13 endpoints' readers, the driver, settling, \
         batches, the journal, redaction, events, the error model) comes on top of it.\n\n\
         | module | raw | `gzip -9` |\n|---|--:|--:|\n",
    );
    for (label, key) in [
        (
            "library floor: serde_json + wasm-bindgen, one row of text",
            "floor_serde_json",
        ),
        (
            "+ rust_decimal and chrono (one amount, one timestamp)",
            "floor_typed",
        ),
        (
            "+ url, percent-encoding, httpdate (one request URL, one `Retry-After` date)",
            "floor_typed_web",
        ),
        (
            "the SDK cut to its errors and endpoint list",
            "sdk_errors_only",
        ),
        ("+ `parse` (the 13 endpoints' readers)", "sdk_parse_only"),
        (
            "+ the client, the driver, settling, batches, journal, keys, redaction (the package's main module)",
            "sdk_everything",
        ),
        (
            "the deposit matcher's module (its own file, loaded on first use)",
            "sdk_matcher",
        ),
    ] {
        let pick = |field: &str| {
            sizes
                .get(key)
                .and_then(|v| v.get(field))
                .and_then(Value::as_f64)
                .map_or("-".to_owned(), kb)
        };
        let _ = writeln!(
            out,
            "| {label} | {} | {} |",
            pick("bytes"),
            pick("gzip_bytes")
        );
    }
    if let (Some(floor), Some(everything)) =
        (size(run, "floor_typed_web"), size(run, "sdk_everything"))
    {
        let _ = writeln!(
            out,
            "\nThe libraries alone take {} of the {} target, leaving {} for all of the \
             SDK's own code, which measures {} here (the package minus the floor). `FLOOR` in \
             the targets table would mean the libraries alone miss the target; `MISS`, that the \
             SDK's own code does.",
            kb(floor),
            kb(WASM_GZIP_TARGET),
            kb((WASM_GZIP_TARGET - floor).max(0.0)),
            kb(everything - floor),
        );
    }
}

"""The Python side of `just bench`: the idn_toto package's parsing and request
building side by side with json.loads, orjson.loads, a pydantic v2 model with
the same fields, and an f-string with urllib.parse.quote, timed in paired
rounds (the same scheme as the Rust and Node benches: see
crates/idn-toto-bench/src/lib.rs, `paired`).

    python bindings/python/bench/bench.py BODIES_DIR OUT.json [--quick]

BODIES_DIR holds the generated bodies (idn-toto-bench-bodies --out DIR). Run
it in the bench venv (requirements.txt plus the built wheel): bench.sh does.
With IDN_TOTO_BENCH_SANDBOX=<base url> and IDN_TOTO_BENCH_TOKEN (a running
sandbox on loopback: bench.sh starts one), it also times the per-call
overhead end to end: `client.user_balance` vs raw urllib + json.loads (and a
kept-alive http.client connection + json.loads).
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Callable, Dict, List, Tuple
from urllib.parse import quote

import orjson
import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter

import idn_toto

BASE_URL = "https://agent.example.com/home.php"
TOKEN = "PWM6P4HRFR2VXBD1320EJWZ8A0EJK"

Candidate = Tuple[str, Callable[[], Any]]


def paired(
    candidates: List[Candidate], batch_s: float, budget_s: float, min_rounds: int = 9
) -> List[Dict[str, Any]]:
    """Each round runs one batch of every candidate (the order rotates); a
    candidate's ratio is the median over rounds of its time over the first
    candidate's time in the same round."""
    sizes = [calibrate(fn, batch_s) for _, fn in candidates]
    times: List[List[float]] = [[] for _ in candidates]
    start = time.perf_counter_ns()
    rounds = 0
    while rounds < min_rounds or time.perf_counter_ns() - start < budget_s * 1e9:
        for j in range(len(candidates)):
            i = (rounds + j) % len(candidates)
            fn, n = candidates[i][1], sizes[i]
            t = time.perf_counter_ns()
            for _ in range(n):
                fn()
            times[i].append((time.perf_counter_ns() - t) / n)
        rounds += 1
    return [
        {
            "impl": name,
            "median_ns": statistics.median(times[i]),
            "ratio": statistics.median(t / b for t, b in zip(times[i], times[0])),
            "rounds": rounds,
            "batch": sizes[i],
        }
        for i, (name, _) in enumerate(candidates)
    ]


def calibrate(fn: Callable[[], Any], batch_s: float) -> int:
    """Iterations that take at least `batch_s` (after one warm-up call)."""
    fn()
    n = 1
    while True:
        t = time.perf_counter_ns()
        for _ in range(n):
            fn()
        took = (time.perf_counter_ns() - t) / 1e9
        if took >= batch_s or n >= 1 << 30:
            return n
        n = min(max(int(n * batch_s * 1.1 / max(took, 1e-9)) + 1, n + 1), n * 100)


# ---------------------------------------------------------------- pydantic


def _dmy_to_iso(v: Any) -> Any:
    """`DD-MM-YYYY HH:MM:SS` -> ISO, so pydantic's own (Rust) parser reads it."""
    if isinstance(v, str) and len(v) >= 19 and v[2] == "-":
        return f"{v[6:10]}-{v[3:5]}-{v[0:2]}T{v[11:19]}"
    return v


class PendingTransactionModel(BaseModel):
    """The pending transaction's fields, as a hand-written pydantic client
    would declare them."""

    model_config = ConfigDict(frozen=True)

    id: str
    user: str
    date: Annotated[datetime, BeforeValidator(_dmy_to_iso)]
    type: str
    game: str = ""
    bank_acc_name: str = ""
    bank_name: str = ""
    bank_acc_number: str = ""
    amount: Decimal
    destination_bank: str = ""
    destination_acc_number: str = ""


PENDING = TypeAdapter(Dict[str, PendingTransactionModel])


def pydantic_pending(body: bytes) -> List[PendingTransactionModel]:
    rows = PENDING.validate_json(body)
    return [rows[k] for k in sorted(rows, key=int)]


# ---------------------------------------------------------------- idn_toto

FIELDS = (
    "id",
    "user",
    "date",
    "type",
    "game",
    "bank_acc_name",
    "bank_name",
    "bank_acc_number",
    "amount",
    "destination_bank",
    "destination_acc_number",
)


def read_every_field(rows: List[Any]) -> int:
    """What a caller that uses every value pays on top of the lazy rows."""
    n = 0
    for r in rows:
        for f in FIELDS:
            if getattr(r, f) is not None:
                n += 1
    return n


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit("usage: python bench.py BODIES_DIR OUT.json [--quick]")
    bodies_dir, out_file = args
    scale = 0.2 if "--quick" in sys.argv else 1.0
    core = idn_toto.Core(BASE_URL, TOKEN)
    results: List[Dict[str, Any]] = []

    def record(group: str, case: str, size: int, figures: List[Dict[str, Any]]) -> None:
        baseline = figures[0]["impl"]
        for f in figures:
            print(
                f"python {group}/{case}/{f['impl']}: {f['median_ns'] / 1e3:.1f} µs, "
                f"{f['ratio']:.3f}x {baseline}",
                file=sys.stderr,
            )
            results.append({"group": group, "case": case, "bytes": size, "baseline": baseline, **f})

    def load(name: str) -> bytes:
        with open(os.path.join(bodies_dir, name), "rb") as f:
            return f.read()

    # Sanity: every competitor reads the same rows in the same order.
    small = load("pending_10.json")
    typed = core.parse("transaction_list", 200, small).data
    models = pydantic_pending(small)
    assert [r.id for r in typed] == [m.id for m in models]
    assert [r.amount for r in typed] == [m.amount for m in models]
    assert [r.date for r in typed] == [m.date for m in models]

    for n in (10, 1000, 25000):
        body = load(f"pending_{n}.json")
        big = n >= 25000
        figures = paired(
            [
                ("json.loads", lambda: json.loads(body)),
                ("orjson.loads", lambda: orjson.loads(body)),
                ("pydantic v2 model", lambda: pydantic_pending(body)),
                ("idn_toto.parse (dict)", lambda: idn_toto.parse("transaction_list", 200, body)),
                ("Core.parse (typed, lazy)", lambda: core.parse("transaction_list", 200, body)),
                ("Core.parse().data (typed rows)", lambda: core.parse("transaction_list", 200, body).data),
                (
                    "Core.parse().data + every field",
                    lambda: read_every_field(core.parse("transaction_list", 200, body).data),
                ),
            ],
            batch_s=0.05 if big else 0.02,
            budget_s=(8.0 if big else 4.0) * scale,
            min_rounds=7 if big else 9,
        )
        record("pending_list", str(n), len(body), figures)

    for endpoint, name in (("full_transaction", "full_transaction_page.json"), ("pga_transaction", "pga_page.json")):
        body = load(name)
        figures = paired(
            [
                ("json.loads", lambda: json.loads(body)),
                ("orjson.loads", lambda: orjson.loads(body)),
                ("idn_toto.parse (dict)", lambda: idn_toto.parse(endpoint, 200, body)),
                ("Core.parse().data (typed rows)", lambda: core.parse(endpoint, 200, body).data),
            ],
            batch_s=0.02,
            budget_s=2.0 * scale,
        )
        record("pages", endpoint, len(body), figures)

    bank, name = "bca", "TEST ACCOUNT"
    client = idn_toto.Client(BASE_URL, TOKEN)
    figures = paired(
        [
            (
                "f-string+quote",
                lambda: f"{BASE_URL}/{TOKEN}/dps/{quote(bank, safe='')}?name={quote(name, safe='')}",
            ),
            (
                "Client.prepare.transaction_list",
                lambda: client.prepare.transaction_list("deposit", bank=bank, name=name),
            ),
            (
                "Core.build",
                lambda: core.build("transaction_list", {"type": "deposit", "bank": bank, "name": name}),
            ),
            (
                "idn_toto.build",
                lambda: idn_toto.build(
                    "transaction_list",
                    {"type": "deposit", "bank": bank, "name": name},
                    base_url=BASE_URL,
                    token=TOKEN,
                ),
            ),
        ],
        batch_s=0.01,
        budget_s=2.0 * scale,
    )
    record("build", "transaction_list", 0, figures)

    sandbox = os.environ.get("IDN_TOTO_BENCH_SANDBOX")
    if sandbox:
        # Sequential `user_balance` calls against the sandbox on loopback:
        # the client (public API only, its default transport, which keeps
        # connections alive for reads) vs the same URL through urllib +
        # json.loads (a new connection per call), and through one kept-alive
        # http.client connection + json.loads (the floor for keep-alive).
        client = idn_toto.Client(sandbox, os.environ["IDN_TOTO_BENCH_TOKEN"])
        url = client.prepare.user_balance("LOREM").url
        parts = urllib.parse.urlsplit(url)
        kept = http.client.HTTPConnection(parts.netloc, timeout=10)

        def raw() -> Any:
            with urllib.request.urlopen(url, timeout=10) as r:
                return json.loads(r.read())

        def raw_kept() -> Any:
            kept.request("GET", parts.path, headers={"accept": "application/json"})
            with kept.getresponse() as r:
                return json.loads(r.read())

        def sdk() -> Any:
            return client.user_balance("LOREM")

        assert Decimal(raw()["balance"]) == sdk().balance == Decimal(raw_kept()["balance"])
        figures = paired(
            [
                ("urllib+json.loads", raw),
                ("client.user_balance", sdk),
                ("http.client kept alive+json.loads", raw_kept),
            ],
            batch_s=0.02,
            budget_s=3.0 * scale,
        )
        record("per_call", "user_balance", 0, figures)

    doc = {
        "language": "python",
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "orjson": orjson.__version__,
        "pydantic": pydantic.VERSION,
        "import_ns": import_time(runs=5 if scale < 1 else 15),
        "results": results,
    }
    with open(out_file, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)


def import_time(runs: int) -> Dict[str, float]:
    """Median of fresh interpreters' `import idn_toto` (and, for scale,
    `import json`), timed inside the process."""
    code = (
        "import time; t = time.perf_counter_ns(); import {m}; "
        "print(time.perf_counter_ns() - t)"
    )

    def once(module: str) -> float:
        out = subprocess.run(
            [sys.executable, "-c", code.format(m=module)], capture_output=True, text=True, check=True
        )
        return float(out.stdout.strip())

    return {
        "idn_toto": statistics.median(once("idn_toto") for _ in range(runs)),
        "json": statistics.median(once("json") for _ in range(runs)),
        "pydantic": statistics.median(once("pydantic") for _ in range(runs)),
        "runs": runs,
    }


if __name__ == "__main__":
    main()

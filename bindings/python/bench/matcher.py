"""Times ``idn_toto.match_deposits`` on a generated day: 50,000 pending
deposits on six receiving accounts and 50,000 bank credits (90% of the
deposits paid, 2% twice; 5% of the credits without a sender name, 10% with
it cut to 10 characters, 1% delivered twice; the rest money no request is
for), the shape of ``crates/idn-toto-bench/src/matcher_day.rs`` in a
simplified form. The day is deterministic (``random.Random(seed)``).

    python bindings/python/bench/matcher.py [N] [--rounds R] [--json OUT]

Prints the median of R rounds (default 5) of the whole call (Python dicts
in, the plan out), and of reading the typed ``approve`` list once.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any, Dict, List, Tuple

import idn_toto

ACCOUNTS = [
    ("BCA", "8830-112-456"),
    ("BCA", "0372-889-101"),
    ("MANDIRI", "137-00-1122334-5"),
    ("BNI", "535-288-9976"),
    ("BRI", "0345-01-002233-50-1"),
    ("DANA", "0812-7788-9900"),
]
FIRST = "BUDI SITI AGUS DEWI RUDI PUTRI ANDI RINA HENDRA YULIA EKO WATI DIAN FAJAR INDAH JOKO MAYA".split()
LAST = "SANTOSO WIJAYA PRATAMA LESTARI HIDAYAT KURNIAWAN SAPUTRA NUGROHO SETIAWAN RAHMAWATI HALIM".split()
ROUND = [25, 50, 100, 150, 200, 250, 300, 500, 1_000, 2_000]


def at(secs: int) -> str:
    return f"2024-05-16 {secs // 3600:02}:{secs // 60 % 60:02}:{secs % 60:02}"


def day(n: int, seed: int = 23) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]], Dict[str, Any]]:
    rng = random.Random(seed)
    pending: List[Dict[str, Any]] = []
    credits: List[Dict[str, Any]] = []
    for i in range(n):
        bank, number = rng.choice(ACCOUNTS)
        if rng.randrange(10) < 6:
            amount = rng.choice(ROUND) * 1_000
        else:
            amount = 10_000 + rng.randrange(2_000) * 1_000 + rng.randrange(1_000)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        secs = rng.randrange(86_400)
        pending.append(
            {
                "id": str(300_000_000 + i),
                "user": f"{name.split()[0].lower()}{i}",
                "date": at(secs),
                "type": "deposit",
                "bank_acc_name": name,
                "amount": str(amount),
                "destination_bank": bank,
                "destination_acc_number": number,
            }
        )
        if rng.randrange(10) == 0:
            continue  # never paid
        for t in range(2 if rng.randrange(50) == 0 else 1):
            sender = [None, name[:10], name[:10]][r] if (r := rng.randrange(20)) < 3 else name
            credit = {
                "ref": f"MUT{i:07}{t}",
                "account": f"{bank}:{number}",
                "posted_at": at(min(secs + 60 + rng.randrange(1_800) + t * 600, 86_399)),
                "amount": str(amount),
                "sender_name": sender,
                "description": f"TRSF E-BANKING CR {rng.randrange(10**6):06}",
            }
            if rng.randrange(100) == 0:
                credits.append(dict(credit))
            credits.append(credit)
    k = 0
    while len(credits) < n:
        bank, number = rng.choice(ACCOUNTS)
        credits.append(
            {
                "ref": f"OTHER{k:07}",
                "account": f"{bank}:{number}",
                "posted_at": at(rng.randrange(86_400)),
                "amount": str(10_000 + rng.randrange(5_000) * 1_000 + rng.randrange(1_000)),
                "sender_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            }
        )
        k += 1
    return pending, credits, {"accounts": [f"{b}:{n}" for b, n in ACCOUNTS]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", help="also write the figures as JSON (for `just bench`)")
    args = parser.parse_args()
    pending, credits, rules = day(args.n)
    plans, typed = [], []
    for _ in range(args.rounds):
        t = time.perf_counter()
        plan = idn_toto.match_deposits(pending, credits, rules)
        plans.append(time.perf_counter() - t)
        t = time.perf_counter()
        plan.approve
        typed.append(time.perf_counter() - t)
    d = plan.to_dict()
    if args.json:
        import json

        with open(args.json, "w") as out:
            json.dump(
                {
                    "pending": len(pending),
                    "credits": len(credits),
                    "approve": len(d["approve"]),
                    "hold": len(d["hold"]),
                    "unclaimed": len(d["unclaimed"]),
                    "rounds": args.rounds,
                    "median_ms": 1000 * statistics.median(plans),
                    "min_ms": 1000 * min(plans),
                    "max_ms": 1000 * max(plans),
                },
                out,
            )
    print(
        f"match_deposits: {len(pending)} requests, {len(credits)} credits: "
        f"median {1000 * statistics.median(plans):.0f} ms over {args.rounds} rounds "
        f"(min {1000 * min(plans):.0f} ms); typed approve list: {1000 * statistics.median(typed):.0f} ms; "
        f"plan: {len(d['approve'])} approve, {len(d['hold'])} hold, {len(d['unclaimed'])} unclaimed"
    )


if __name__ == "__main__":
    main()

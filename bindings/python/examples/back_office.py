"""The back-office story from Python, with the default urllib transport:

    IDN_TOTO_BASE_URL=http://127.0.0.1:PORT/home.php IDN_TOTO_TOKEN=... python examples/back_office.py

(`just demo` starts a sandbox and runs this against it.) Checked with
`mypy --strict` by bindings/python/scripts/test.sh.
"""

from __future__ import annotations

import os
import sys
import tempfile
from decimal import Decimal
from typing import List, Sequence, Tuple

import idn_toto


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    print(f"\n== {title} ({len(rows)} rows)")
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> None:
        print("  " + "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip())

    line(header)
    line(["-" * w for w in widths])
    for row in cells:
        line(row)


def answer_lost_after_processing(timeout: float) -> idn_toto.Transport:
    """A transport whose money moves lose their answer: the sandbox processes
    them, then answers 500 (its `500-after` fault). Reads go through."""
    reads = idn_toto.UrllibTransport(timeout)
    lossy = idn_toto.UrllibTransport(timeout, headers={"X-Sandbox-Fault": "500-after"})
    return lambda request: (reads if request.idempotent else lossy)(request)


def settle_a_lost_answer(base_url: str, token: str, user: str) -> None:
    """A manual deposit whose answer is lost: never sent again; settled with
    reads against the snapshot of the user's history taken before it left,
    and journaled (intent, outcome, settlement)."""
    with tempfile.TemporaryDirectory() as tmp:
        journal = idn_toto.FileJournal(os.path.join(tmp, "journal.jsonl"))
        lossy = idn_toto.Client(
            base_url, token, transport=answer_lost_after_processing(10), journal=journal, settle_delay=1.0
        )
        try:
            lossy.manual_transaction("deposit", user, "demo lost answer", Decimal("75.25"), "OP01")
            print(f"\n== manual deposit of 75.25 for {user}: answered")
        except idn_toto.OutcomeUnknownError as lost:
            print(f"\n== manual deposit of 75.25 for {user}: {lost}")
            settlement = lossy.settle(lost)
            print(f"   settled: {settlement.state} ({settlement.reason})")
            for evidence in settlement.evidence:
                print(f"   - {evidence['showed']}")
        events = [r.event for r in idn_toto.Journal.read(journal.read()).records]
        print(f"   journal: {' -> '.join(events)}; open: {len(lossy.unsettled())}")


def main() -> int:
    base_url = os.environ.get("IDN_TOTO_BASE_URL", "http://127.0.0.1:8080/home.php")
    token = os.environ.get("IDN_TOTO_TOKEN")
    if not token:
        print("set IDN_TOTO_TOKEN", file=sys.stderr)
        return 1
    client = idn_toto.Client(base_url, token, timeout=10.0)
    print(f"idn-toto back-office story (Python) against {base_url}")

    # 1. Pending deposits and withdrawals.
    deposits = client.transaction_list("deposit")
    withdrawals = client.transaction_list("withdraw")
    for title, listing in (("pending deposits", deposits), ("pending withdrawals", withdrawals)):
        rows = [[t.id, t.user, t.date, t.amount, t.destination_bank] for t in listing.data[:8]]
        table(title, ["id", "user", "date", "amount", "bank"], rows)

    # 2. Accept two deposits and reject one, in one batch.
    picked = deposits.data[:3]
    outcomes = client.multiple_transaction(
        "deposit",
        [
            {
                "trans_id": t.id,
                "user": t.user,
                "action": "accept" if i < 2 else "reject",
                "comment": f"demo batch {i + 1}",
                "operator": "OP01",
            }
            for i, t in enumerate(picked)
        ],
    )
    table(
        "batch accept/reject",
        ["trans_id", "user", "outcome", "message"],
        [[o.trans_id or "", o.user, o.status, o.message or ""] for o in outcomes],
    )

    # 2b. An answer lost on its way back, settled live.
    settle_a_lost_answer(base_url, token, deposits.data[3].user if len(deposits.data) > 3 else "LOREM")

    # 3. A manual correction (an exact Decimal, never a float).
    user = picked[0].user if picked else "LOREM"
    manual = client.manual_transaction("deposit", user, "demo correction", Decimal("2500.50"), "OP01")
    print(f"\n== manual deposit of 2500.50 for {user}: {manual.message}")

    # 4. Balances, history, last transaction.
    balances: List[List[object]] = []
    for name in dict.fromkeys(t.user for t in picked):
        b = client.user_balance(name)
        balances.append([b.user, b.balance])
    table("balances", ["user", "balance"], balances)
    history = client.user_history("deposit", user)
    table(
        f"deposit history of {user}",
        ["date", "amount", "status"],
        [[h.date, h.amount, h.status] for h in history.data[:5]],
    )
    last = client.user_last_transaction("deposit", user).data
    if last is None:
        print(f"\n== {user} has no deposit yet")
    else:
        print(f"\n== last deposit of {user}: {last.date} {last.amount} {last.status}")

    # 5. The full-transaction report, every page, summed exactly.
    report_user = os.environ.get("IDN_TOTO_REPORT_USER", "LOREMS")
    report_date = os.environ.get("IDN_TOTO_REPORT_DATE", "2024-05-17")
    turnover = list(client.iter_full_transaction(report_user, date=report_date))
    table(
        f"full transactions of {report_user} on {report_date}",
        ["date", "periode", "game", "turnover", "winlose"],
        [[r.date, r.periode, r.gamecode, r.turnover, r.winlose] for r in turnover],
    )
    print(f"  total turnover {sum((r.turnover for r in turnover), Decimal(0))}")

    # 6. PGA invoices, every page.
    invoices = [
        [i.id_invoice, i.user, i.status, i.amount, i.request_date]
        for i in client.iter_pga_transaction("2024-03-01", "2024-03-31")
    ]
    table("PGA invoices 2024-03-01..2024-03-31", ["invoice", "user", "status", "amount", "requested"], invoices)

    # 7. Games, draws, referrals, banks.
    games = client.game_list()
    table("games", ["gamecode", "pasar", "type"], [[g.gamecode, g.pasar, g.type] for g in games.data])
    if games.data:
        draws = client.number_history(games.data[0].gamecode)
        table(
            f"draw results of {draws.pasar}",
            ["periode", "tanggal", "angka"],
            [[d.periode, d.tanggal, d.angka] for d in draws.data[:5]],
        )
    referrals = client.referral_list("DOLER")
    table("referrals of DOLER", ["user", "joindate"], [[r.user, r.joindate] for r in referrals.data])
    print(f"\n== banks: {', '.join(client.bank_list().data)}")

    # A refusal is a typed error.
    try:
        client.user_balance("no-such-user")
    except idn_toto.ApiError as error:
        print(f'\n== user_balance("no-such-user") -> {error.kind} / {error.api_kind}: {error.message}')
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""End to end against the sandbox (crates/idn-toto-sandbox) on 127.0.0.1,
port 0, with the default urllib transport. scripts/test.sh builds the
sandbox binary first; $IDN_TOTO_SANDBOX overrides its path."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Iterator, Tuple

import pytest

import idn_toto

from conftest import REPO, SANDBOX_TOKEN, admin_json, faulty, readme_snippet, reset, run_snippet

TOKEN = SANDBOX_TOKEN


def test_settle_a_deposit_and_a_second_try_is_refused(sandbox: Tuple[str, str]) -> None:
    base_url, admin = sandbox
    reset(admin)
    client = idn_toto.Client(base_url, TOKEN, timeout=5)
    pending = client.transaction_list("deposit").data
    assert pending and all(isinstance(t.amount, Decimal) for t in pending)
    first = pending[0]
    before = client.user_balance(first.user).balance
    client.accept_reject("deposit", first.id, first.user, "accept", "e2e", "OP01")
    assert client.user_balance(first.user).balance == before + first.amount
    with pytest.raises(idn_toto.ApiError) as caught:
        client.accept_reject("deposit", first.id, first.user, "accept", "e2e", "OP01")
    assert caught.value.api_kind == "transaction_not_found"
    assert TOKEN not in str(caught.value)


def test_pages_and_async_client(sandbox: Tuple[str, str]) -> None:
    import asyncio

    base_url, admin = sandbox
    reset(admin)
    client = idn_toto.Client(base_url, TOKEN, timeout=5)
    rows = list(client.iter_full_transaction("LOREMS", date="2024-05-17"))
    first_page = client.full_transaction("LOREMS", date="2024-05-17")
    assert len(rows) >= len(first_page.data)
    assert len(rows) == first_page.total_data

    async def main() -> Decimal:
        aclient = idn_toto.AsyncClient(base_url, TOKEN, timeout=5)
        invoices = [i async for i in aclient.iter_pga_transaction("2024-03-01", "2024-03-31")]
        return sum((i.amount for i in invoices), Decimal(0))

    assert asyncio.run(main()) >= 0


def test_the_back_office_example_runs(sandbox: Tuple[str, str]) -> None:
    base_url, admin = sandbox
    reset(admin)
    example = Path(__file__).resolve().parents[1] / "examples" / "back_office.py"
    env = dict(os.environ, IDN_TOTO_BASE_URL=base_url, IDN_TOTO_TOKEN=TOKEN)
    out = subprocess.run([sys.executable, str(example)], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "batch accept/reject" in out.stdout and "user_not_found" in out.stdout
    assert "settled: applied" in out.stdout and "journal: intent -> outcome -> settled; open: 0" in out.stdout
    assert TOKEN not in out.stdout + out.stderr


# ---------------------------------------------------------------- faults, races, load


def test_the_story_moves_money_exactly_once(sandbox: Tuple[str, str]) -> None:
    base_url, admin = sandbox
    reset(admin)
    client = idn_toto.Client(base_url, TOKEN, timeout=5)
    tx = next(t for t in client.transaction_list("deposit").data if t.id == "123450001")
    before = client.user_balance(tx.user).balance
    client.accept_reject("deposit", tx.id, tx.user, "accept", "py e2e", "OP01")
    assert client.user_balance(tx.user).balance == before + tx.amount
    history = client.user_history("deposit", tx.user).data
    assert any(h.status == "ACCEPT" and h.amount == tx.amount for h in history)
    last = client.user_last_transaction("deposit", tx.user).data
    assert last is not None and (last.amount, last.status) == (tx.amount, "ACCEPT")
    assert all(t.id != tx.id for t in client.transaction_list("deposit").data)

    lorem = client.user_balance("LOREM").balance
    client.manual_transaction("deposit", "LOREM", "py correction", Decimal("2500.50"), "OP01")
    assert client.user_balance("LOREM").balance == lorem + Decimal("2500.50")
    with pytest.raises(idn_toto.ApiError) as unknown_user:
        client.manual_transaction("deposit", "nobody-here", "x", 1, "OP01")
    assert unknown_user.value.api_kind == "user_not_found", "the snapshot read: nothing sent"
    with pytest.raises(idn_toto.ApiError) as refused:
        idn_toto.Client(base_url, TOKEN, timeout=5, snapshots=False).manual_transaction(
            "deposit", "nobody-here", "x", 1, "OP01"
        )
    assert refused.value.api_kind == "user_not_registered"

    rest = client.transaction_list("deposit").data[:3]
    outcomes = client.multiple_transaction(
        "deposit",
        [{"trans_id": tx.id, "user": tx.user, "action": "accept", "comment": "dup", "operator": "OP01"}]
        + [{"trans_id": t.id, "user": t.user, "action": "reject", "comment": "no", "operator": "OP01"} for t in rest],
    )
    assert [o.status for o in outcomes] == ["failed", "succeeded", "succeeded", "succeeded"]
    assert outcomes[0].api_kind == "transaction_not_found"
    doler = client.user_balance("DOLER").balance
    manual = client.multiple_transaction(
        "deposit", [{"user": "DOLER", "amount": "1.25", "comment": f"bulk {i}", "operator": "OP01"} for i in range(30)]
    )
    assert [o.index for o in manual] == list(range(30)) and all(o.status == "succeeded" for o in manual)
    assert client.user_balance("DOLER").balance == doler + Decimal("37.50")


def test_faults_give_typed_errors_and_money_is_never_retried(sandbox: Tuple[str, str]) -> None:
    base_url, admin = sandbox
    reset(admin)
    plain = idn_toto.Client(base_url, TOKEN, timeout=5)
    reads = idn_toto.RetryPolicy(retries=2, base_delay_ms=1, max_delay_ms=5)

    def served() -> int:
        return int(admin_json(admin, "stats")["requests"])

    def client(fault: str) -> idn_toto.Client:
        # snapshots=False: the fault would hit the history read before a
        # manual move too (settling under faults: tests/test_e2e_settle.py).
        return idn_toto.Client(base_url, TOKEN, transport=faulty(fault, 0.8), retry=reads, snapshots=False)

    n = served()
    with pytest.raises(idn_toto.HttpError) as caught:
        client("500").game_list()
    assert caught.value.status == 500
    assert served() - n == 3, "a read: one send and two retries"

    before = plain.user_balance("IPSUM").balance
    n = served()
    with pytest.raises(idn_toto.OutcomeUnknownError):
        client("500-after").accept_reject("deposit", "123450001", "IPSUM", "accept", "x", "OP01")
    assert served() - n == 1, "money: sent once"
    assert plain.user_balance("IPSUM").balance > before, "the money moved: that is why it is unknown"

    with pytest.raises(idn_toto.DecodeError):
        client("html").game_list()
    for fault in ["html", "500", "drop", "delay=2000"]:
        n = served()
        with pytest.raises(idn_toto.OutcomeUnknownError):
            client(fault).manual_transaction("deposit", "LOREM", "fault", 1, "OP01")
        assert served() - n == 1, f"{fault}: never retried"
    for fault in ["drop", "delay=2000"]:
        with pytest.raises(idn_toto.TransportError):
            idn_toto.Client(base_url, TOKEN, transport=faulty(fault, 0.8), retry=idn_toto.RetryPolicy(retries=0)).game_list()
    with pytest.raises(idn_toto.HttpError) as echoed:
        idn_toto.Client(base_url, TOKEN, transport=faulty("echo-token", 0.8)).game_list()
    assert TOKEN not in str(echoed.value) and TOKEN not in repr(echoed.value)


def test_fifty_concurrent_accepts_credit_once(sandbox: Tuple[str, str]) -> None:
    import threading

    base_url, admin = sandbox
    reset(admin)
    plain = idn_toto.Client(base_url, TOKEN, timeout=5)
    before = plain.user_balance("IPSUM").balance
    barrier = threading.Barrier(50)
    results: list = []  # type: ignore[type-arg]
    lock = threading.Lock()

    def accept() -> None:
        c = idn_toto.Client(base_url, TOKEN, timeout=10)
        barrier.wait()
        try:
            c.accept_reject("deposit", "123450001", "IPSUM", "accept", "race", "OP01")
            outcome: object = "ok"
        except idn_toto.IdnTotoError as e:
            outcome = e
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=accept) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert all(isinstance(r, idn_toto.ApiError) and r.api_kind == "transaction_not_found" for r in results if r != "ok")
    assert plain.user_balance("IPSUM").balance == before + Decimal("1000000")


def test_a_burst_of_reads_completes_without_errors(sandbox: Tuple[str, str]) -> None:
    import time
    from concurrent.futures import ThreadPoolExecutor

    base_url, _ = sandbox

    def worker(i: int) -> int:
        c = idn_toto.Client(base_url, TOKEN, timeout=10)
        user = "LOREM" if i % 2 else "IPSUM"
        return sum(1 for _ in range(100) if c.user_balance(user).balance >= 0)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=20) as pool:
        done = sum(pool.map(worker, range(20)))
    elapsed = time.perf_counter() - started
    assert done == 2000
    print(f"python burst: 2000 requests in {elapsed:.2f} s ({2000 / elapsed:.0f} req/s)")


def test_the_root_readme_python_snippet_runs(sandbox: Tuple[str, str]) -> None:
    base_url, admin = sandbox
    reset(admin)
    snippet = readme_snippet(REPO / "README.md", "\n## Python\n")
    assert "idn_toto.Client(" in snippet
    out = run_snippet(snippet, base_url, TOKEN)
    assert "transaction_not_found" in out.stdout
    assert TOKEN not in out.stdout + out.stderr

"""Settling lost answers end to end against the sandbox: every money-moving
endpoint under every fault settles to what the sandbox's admin state shows,
settling only reads, and a process killed mid-batch loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

import idn_toto

from conftest import SANDBOX_TOKEN, admin_json, faulty, readme_snippet, run_snippet, start_sandbox

TOKEN = SANDBOX_TOKEN


def state(admin: str, user: str) -> Dict[str, Any]:
    return admin_json(admin, "state/" + urllib.parse.quote(user))  # type: ignore[no-any-return]


def balance(admin: str, user: str) -> Decimal:
    return Decimal(state(admin, user)["balance"])


class MoneyFault:
    """urllib with the sandbox's fault header on money moves only (reads,
    settling's included, go through clean); records every request."""

    def __init__(self, fault: str) -> None:
        self.clean = faulty(None)
        self.faulty = faulty(fault)
        self.requests: List[Any] = []

    def __call__(self, request: Any) -> Any:
        self.requests.append(request)
        return (self.clean if request.idempotent else self.faulty)(request)


FAULTS = {
    "500-after": "applied",
    "drop-after": "applied",
    "late=300": "applied",
    "500": "not_applied",
    "drop": "not_applied",
}
KINDS = ["accept_reject", "manual_transaction", "batch_accept_reject", "batch_manual"]


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("kind", KINDS)
def test_a_lost_answer_settles_to_the_sandbox_truth_and_settling_only_reads(
    sandbox: Tuple[str, str], tmp_path: Path, kind: str, fault: str
) -> None:
    base_url, admin = sandbox
    admin_json(admin, "reset", "POST")
    plain = idn_toto.Client(base_url, TOKEN, timeout=5)
    transport = MoneyFault(fault)
    late = fault.startswith("late")
    client = idn_toto.Client(
        base_url,
        TOKEN,
        transport=transport,
        journal=idn_toto.FileJournal(tmp_path / "journal.jsonl"),
        settle_delay=1.0 if late else 0,
    )
    amount = Decimal("2500.50")
    pending = plain.transaction_list("deposit").data
    first = pending[0]
    second = next(t for t in pending if t.user.lower() != first.user.lower())

    # What each move is, and how the sandbox shows whether it happened.
    def accepted(t: Any) -> Callable[[], bool]:
        return lambda: t.id not in state(admin, t.user)["pending"]

    def credited(user: str, before: Decimal) -> Callable[[], bool]:
        def check() -> bool:
            now = balance(admin, user)
            assert now in (before, before + amount), f"{user}: {before} -> {now}"
            return now == before + amount

        return check

    users: List[str]
    things: List[Any]
    truths: List[Callable[[], bool]]
    if kind == "accept_reject":
        users = [first.user]
        with pytest.raises(idn_toto.OutcomeUnknownError) as caught:
            client.accept_reject("deposit", first.id, first.user, "accept", "e2e", "OP01")
        things, truths = [caught.value], [accepted(first)]
    elif kind == "manual_transaction":
        users = ["LOREM"]
        before = balance(admin, "LOREM")
        with pytest.raises(idn_toto.OutcomeUnknownError) as caught:
            client.manual_transaction("deposit", "LOREM", "e2e", amount, "OP01")
        things, truths = [caught.value], [credited("LOREM", before)]
    elif kind == "batch_accept_reject":
        users = [first.user, second.user]
        outcomes = client.multiple_transaction(
            "deposit",
            [{"trans_id": t.id, "user": t.user, "action": "accept", "comment": "e2e", "operator": "OP01"} for t in (first, second)],
        )
        assert [o.status for o in outcomes] == ["unknown", "unknown"]
        things, truths = outcomes, [accepted(first), accepted(second)]
    else:
        users = ["LOREM", "IPSUM"]  # distinct users: each item's history tells (spec-notes 76)
        befores = [balance(admin, u) for u in users]
        outcomes = client.multiple_transaction(
            "deposit", [{"user": u, "amount": amount, "comment": "e2e", "operator": "OP01"} for u in users]
        )
        assert [o.status for o in outcomes] == ["unknown", "unknown"]
        assert all(o.snapshot is not None for o in outcomes)
        things, truths = outcomes, [credited(u, b) for u, b in zip(users, befores)]

    sent = len(transport.requests)
    balances_before = {u: balance(admin, u) for u in users}
    settlements = [client.settle(thing) for thing in things]
    balances_after = {u: balance(admin, u) for u in users}
    assert all(r.idempotent for r in transport.requests[sent:]), "settling sends reads only"
    assert len(transport.requests) > sent, "settling read the server"
    for settlement, truth in zip(settlements, truths):
        want = "applied" if truth() else "not_applied"
        assert want == FAULTS[fault], "the sandbox did what the fault says"
        assert settlement.state == want, settlement.reason
        assert settlement.evidence and all(TOKEN not in e["url"] for e in settlement.evidence)
    if not late:
        assert balances_after == balances_before, "settling never changes a balance"
    assert client.unsettled() == [], "every journaled move is settled"
    journal = (tmp_path / "journal.jsonl").read_text(encoding="utf-8")
    assert TOKEN not in journal and journal.count('"event":"settled"') == len(things)


def test_the_async_client_settles_a_lost_manual_answer(sandbox: Tuple[str, str]) -> None:
    import asyncio

    base_url, admin = sandbox
    admin_json(admin, "reset", "POST")
    before = balance(admin, "IPSUM")

    lossy = MoneyFault("drop-after")

    async def send(request: Any) -> Any:
        return await asyncio.to_thread(lossy, request)

    async def main() -> idn_toto.Settlement:
        client = idn_toto.AsyncClient(base_url, TOKEN, transport=send, settle_delay=0)
        with pytest.raises(idn_toto.OutcomeUnknownError) as caught:
            await client.manual_transaction("deposit", "IPSUM", "e2e", "10.25", "OP01")
        return await client.settle(caught.value)

    settlement = asyncio.run(main())
    assert settlement.state == "applied"
    assert balance(admin, "IPSUM") == before + Decimal("10.25")


# ------------------------------------------------------------------ the crash test

CHILD = r"""
import sys
import idn_toto

base_url, token, journal, users = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
plain = idn_toto.UrllibTransport(60)
# The second bulk request is slow: the parent kills us meanwhile.
slow = idn_toto.UrllibTransport(60, headers={"X-Sandbox-Fault": "delay=3000"})
bulk = 0

def transport(request):
    global bulk
    bulk += request.endpoint == "multiple_transaction"
    return (slow if bulk == 2 and request.endpoint == "multiple_transaction" else plain)(request)

client = idn_toto.Client(base_url, token, transport=transport, journal=idn_toto.FileJournal(journal))
client.multiple_transaction(
    "deposit", [{"user": u, "amount": "1000.50", "comment": "crash", "operator": "OP01"} for u in users]
)
print("the batch finished: the parent did not kill it in time")
"""


def test_a_process_killed_mid_batch_loses_nothing_and_credits_each_user_once(tmp_path: Path) -> None:
    users = [f"CRASH{i:02d}" for i in range(60)]
    seed = {
        "today": "2024-05-17",
        "users": [{"user": u, "balance": "0", "joindate": "2020-01-01 10:00:00.0000000"} for u in users],
    }
    (tmp_path / "seed.json").write_text(json.dumps(seed), encoding="utf-8")
    process, base_url, admin = start_sandbox("--seed", str(tmp_path / "seed.json"))
    journal_path = tmp_path / "journal.jsonl"
    try:
        served = int(admin_json(admin, "stats")["requests"])
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, base_url, TOKEN, str(journal_path), ",".join(users)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Wait until the second bulk request (items 25..49) is journaled and
        # has reached the server (60 history reads + 2 bulk requests), then
        # kill the child while that request is in flight.
        deadline = time.monotonic() + 60
        while True:
            text = journal_path.read_text(encoding="utf-8") if journal_path.exists() else ""
            intents = text.count('"event":"intent"')
            received = int(admin_json(admin, "stats")["requests"]) - served
            if intents >= 50 and received >= 62:
                break
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, (intents, received)
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate(timeout=10)
        assert child.returncode == -signal.SIGKILL and "finished" not in out

        # A new process (this one) settles what is open.
        client = idn_toto.Client(
            base_url, TOKEN, journal=idn_toto.FileJournal(journal_path), settle_delay=4.0, timeout=10
        )
        journal = idn_toto.Journal.read(journal_path.read_text(encoding="utf-8"))
        intents_by_user = {r.params["user"]: r.id for r in journal.records if r.event == "intent"}
        succeeded = {r.id for r in journal.records if r.event == "outcome" and r.state == "succeeded"}
        assert set(intents_by_user) == set(users[:50]), "the third request never left"
        assert {intents_by_user[u] for u in users[:25]} == succeeded, "the first request's outcomes"
        open_moves = client.unsettled()
        assert [m.intent.params["user"] for m in open_moves] == users[25:50]
        assert all(m.last == "intent" for m in open_moves)

        settlements = client.settle_unsettled()
        assert [s.journal_id for s in settlements] == [m.id for m in open_moves]
        assert all(s.state in ("applied", "not_applied") for s in settlements), [s.reason for s in settlements]
        assert client.unsettled() == []
        for s in settlements:  # each verdict is the sandbox's truth
            assert balance(admin, s.unsettled.params["user"]) == (
                Decimal("1000.50") if s.state == "applied" else Decimal(0)
            )

        # Re-send only what did not happen or never left.
        again = [s.unsettled.params["user"] for s in settlements if s.state == "not_applied"]
        again += [u for u in users if u not in intents_by_user]
        outcomes = client.multiple_transaction(
            "deposit", [{"user": u, "amount": "1000.50", "comment": "resend", "operator": "OP01"} for u in again]
        )
        assert all(o.status == "succeeded" for o in outcomes)
        assert len(again) == 10 + sum(s.state == "not_applied" for s in settlements)
        assert {u: balance(admin, u) for u in users} == {u: Decimal("1000.50") for u in users}
        print(
            "crash test: "
            + ", ".join(f"{st} {sum(s.state == st for s in settlements)}" for st in ("applied", "not_applied"))
            + f", re-sent {len(again)}"
        )
        assert TOKEN not in journal_path.read_text(encoding="utf-8")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_package_readme_settle_snippet_runs(sandbox: Tuple[str, str], tmp_path: Path) -> None:
    base_url, admin = sandbox
    admin_json(admin, "reset", "POST")
    snippet = readme_snippet(Path(__file__).resolve().parents[1] / "README.md", "<!-- run by tests/test_e2e_settle.py -->")
    assert "client.settle(lost)" in snippet and "settle_unsettled()" in snippet
    # A journal left by an earlier process: a manual deposit whose answer was
    # lost after the server processed it (open: its last word is `unknown`).
    journal = tmp_path / "journal.jsonl"
    earlier = idn_toto.Client(
        base_url, TOKEN, transport=MoneyFault("500-after"), journal=idn_toto.FileJournal(journal)
    )
    ipsum = balance(admin, "IPSUM")
    with pytest.raises(idn_toto.OutcomeUnknownError):
        earlier.manual_transaction("deposit", "IPSUM", "earlier", "7.50", "OP01")
    lorem = balance(admin, "LOREM")
    namespace = {"BASE_URL": base_url, "TOKEN": TOKEN, "JOURNAL": str(journal)}
    out = run_snippet(snippet, base_url, TOKEN, "".join(f"{k} = {v!r}\n" for k, v in namespace.items()))
    assert "applied" in out.stdout and "'user': 'IPSUM'" in out.stdout, out.stdout
    assert balance(admin, "IPSUM") == ipsum + Decimal("7.50")
    assert balance(admin, "LOREM") == lorem + Decimal("2500.50")
    assert TOKEN not in out.stdout + out.stderr + journal.read_text(encoding="utf-8")

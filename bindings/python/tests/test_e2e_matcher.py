"""Deposit matching (issue 23) end to end against the sandbox's matching
day (``crates/idn-toto-sandbox/seed-matching.json``), like the CLI's
``idn-toto match`` tests: the plan of the day from its CSV statement and
from its signed Moota body, approving each match once (the sandbox's
truth: balances and pending lists), a re-run approving nothing
(``already_claimed``), approving without a journal refused before anything
is read or sent, and a matcher killed with SIGKILL while approving, run
again, approving each request exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import idn_toto

from conftest import REPO, SANDBOX_TOKEN, admin_json, readme_snippet, run_snippet, start_sandbox

TOKEN = SANDBOX_TOKEN
SEED = REPO / "crates" / "idn-toto-sandbox" / "seed-matching.json"
RULES: Dict[str, object] = {
    "accounts": ["BCA:8830-112-456", "MANDIRI:137-00-1122334-5", "bni:5352889976"],
    "max_auto_amount": "5000000",
}
#: The six approvals of the sandbox day: (trans_id, user, amount).
APPROVED = [
    ("200000001", "andi", Decimal(100_000)),
    ("200000002", "budi", Decimal(250_000)),
    ("200000003", "citra", Decimal(100_000)),
    ("200000004", "dewi", Decimal(100_000)),
    ("200000008", "hendra", Decimal(150_000)),
    ("200000009", "indah", Decimal(175_000)),
]


@pytest.fixture()
def day() -> Iterator[Tuple[str, str]]:
    """A fresh sandbox of the matching day: base URL, admin URL."""
    process, base_url, admin = start_sandbox("--seed", str(SEED))
    try:
        yield base_url, admin
    finally:
        process.terminate()
        process.wait(timeout=10)


def statement(admin: str, query: str = "format=csv") -> Tuple[bytes, Optional[str]]:
    """The day's bank statement and its ``Signature`` header."""
    with urllib.request.urlopen(f"{admin}/bank/credits?{query}", timeout=5) as r:
        return r.read(), r.headers.get("signature")


def truth(admin: str, user: str) -> Tuple[Decimal, List[str]]:
    state = admin_json(admin, "state/" + urllib.parse.quote(user))
    return Decimal(state["balance"]), list(state["pending"])


def served(admin: str) -> int:
    return int(admin_json(admin, "stats")["requests"])


def summary(plan: idn_toto.MatchPlan) -> Tuple[Dict[str, str], Dict[str, str], Dict[str, str]]:
    return (
        {a.trans_id: a.credit for a in plan.approve},
        {h.trans_id: h.reason for h in plan.hold},
        {u.credit: u.reason for u in plan.unclaimed},
    )


def check_each_approved_once(admin: str, before: Dict[str, Decimal]) -> None:
    for trans_id, user, amount in APPROVED:
        balance, pending = truth(admin, user)
        assert balance == before[user] + amount, f"{user}: approved once"
        assert trans_id not in pending, user


def test_the_plan_of_the_sandbox_day(day: Tuple[str, str]) -> None:
    base_url, admin = day
    client = idn_toto.Client(base_url, TOKEN, timeout=10)
    credits = idn_toto.credits_from_csv(statement(admin)[0])
    approve, hold, unclaimed = summary(client.match_deposits(credits, RULES))
    assert approve == {f"2000000{n:02}": f"SBX-2000000{n:02}-1" for n in (1, 2, 3, 4, 8, 9)}
    assert hold == {
        "200000005": "ambiguous",
        "200000006": "ambiguous",
        "200000007": "outside_window",
        "200000010": "name_mismatch",
        "200000011": "cross_day",
        "200000012": "no_credit",
        "200000013": "over_limit",
        "200000014": "unknown_account",
    }
    assert unclaimed == {
        "OTHER-1": "no_request",
        "SBX-200000005-1": "ambiguous",
        "SBX-200000006-1": "ambiguous",
        "SBX-200000007-1": "outside_window",
        "SBX-200000008-2": "double_transfer",
        "SBX-200000010-1": "name_mismatch",
        "SBX-200000011-1": "cross_day",
        "SBX-200000013-1": "over_limit",
        "SBX-200000014-1": "unknown_account",
    }
    # Planning approves nothing.
    assert truth(admin, "andi")[1] == ["200000001"]
    # Without the limit, 200000013 is approved.
    plan = client.match_deposits(credits, {"accounts": RULES["accounts"]})
    assert "200000013" in summary(plan)[0]


def test_a_signed_moota_body_is_read_only_with_its_signature(day: Tuple[str, str]) -> None:
    base_url, admin = day
    body, signature = statement(admin, "format=moota&secret=hook-secret")
    assert signature is not None
    credits = idn_toto.credits_from_moota(body, signature, "hook-secret")
    plan = asyncio.run(idn_toto.AsyncClient(base_url, TOKEN, timeout=10).match_deposits(credits, RULES))
    approve, hold, _ = summary(plan)
    # Moota carries no sender names: the same amount twice can no longer be
    # told apart, and the stranger's name no longer stops 200000010.
    assert (hold["200000003"], hold["200000004"]) == ("ambiguous", "ambiguous")
    assert approve["200000010"] == "SBX-200000010-1"
    with pytest.raises(idn_toto.InvalidRequestError) as raised:
        idn_toto.credits_from_moota(body, signature[:63] + "0", "hook-secret")
    assert raised.value.field == "signature"
    assert "hook-secret" not in str(raised.value)


def test_approving_needs_a_journal_and_nothing_is_read_or_sent(day: Tuple[str, str]) -> None:
    base_url, admin = day
    credits = idn_toto.credits_from_csv(statement(admin)[0])
    before = served(admin)
    for client in (idn_toto.Client(base_url, TOKEN), idn_toto.AsyncClient(base_url, TOKEN)):
        with pytest.raises(idn_toto.InvalidRequestError) as raised:
            result = client.match_deposits(credits, RULES, approve=True)
            assert not asyncio.iscoroutine(result), "raised at the call"
        assert raised.value.field == "journal"
        assert TOKEN not in str(raised.value)
    assert served(admin) == before, "nothing was read or sent"
    assert truth(admin, "andi")[1] == ["200000001"]


def test_approving_rules_are_read_by_the_core_before_anything_is_sent(
    day: Tuple[str, str], tmp_path: Path
) -> None:
    # The core extends the rules with what the journal approved before
    # (``rules_with_approved_before_json``): malformed rules are refused
    # naming the field, before the pending list is read.
    base_url, admin = day
    credits = idn_toto.credits_from_csv(statement(admin)[0])
    journal = idn_toto.SqliteJournal(str(tmp_path / "journal.sqlite"))
    before = served(admin)
    for client in (
        idn_toto.Client(base_url, TOKEN, journal=journal),
        idn_toto.AsyncClient(base_url, TOKEN, journal=journal),
    ):
        with pytest.raises(idn_toto.InvalidRequestError) as raised:
            result = client.match_deposits(credits, {**RULES, "claimed_refs": "M-1"}, approve=True)
            assert not asyncio.iscoroutine(result), "raised at the call"
        assert raised.value.field == "claimed_refs"
    assert served(admin) == before, "nothing was read or sent"


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_approve_accepts_each_match_once_and_a_re_run_approves_nothing(
    day: Tuple[str, str], tmp_path: Path, flavour: str
) -> None:
    base_url, admin = day
    credits = idn_toto.credits_from_csv(statement(admin)[0])
    before = {user: truth(admin, user)[0] for _, user, _ in APPROVED}
    where = str(tmp_path / "match.sqlite")

    def run() -> idn_toto.MatchPlan:
        journal = idn_toto.SqliteJournal(where)
        if flavour == "sync":
            return idn_toto.Client(base_url, TOKEN, journal=journal, timeout=10).match_deposits(
                credits, RULES, approve=True, operator="OP-MATCH"
            )
        client = idn_toto.AsyncClient(base_url, TOKEN, journal=journal, timeout=10)
        return asyncio.run(client.match_deposits(credits, RULES, approve=True, operator="OP-MATCH"))

    plan = run()
    assert [o.status for o in plan.outcomes] == ["succeeded"] * 6
    assert [o.trans_id for o in plan.outcomes] == [a.trans_id for a in plan.approve]
    assert {o.params["operator"] for o in plan.outcomes} == {"OP-MATCH"}
    assert plan.to_dict()["outcomes"][0]["status"] == "succeeded"
    check_each_approved_once(admin, before)

    again = run()
    assert again.approve == [] and again.outcomes == []
    unclaimed = summary(again)[2]
    for trans_id, _, _ in APPROVED:
        assert unclaimed[f"SBX-{trans_id}-1"] == "already_claimed", unclaimed
    check_each_approved_once(admin, before)
    # The journal holds one key per credit, each done.
    records = idn_toto.Journal.read(idn_toto.SqliteJournal(where).export()).key_records()
    assert sorted(f"{r.key}={r.state}" for r in records) == [f"match:SBX-{t}-1=succeeded" for t, _, _ in APPROVED]


# A matcher in a process of its own (killed by the parent while approving).
CHILD = r"""
import sys
import idn_toto

base_url, token, where, statement = sys.argv[1:5]
rules = {"accounts": ["BCA:8830-112-456", "MANDIRI:137-00-1122334-5", "bni:5352889976"], "max_auto_amount": "5000000"}
credits = idn_toto.credits_from_csv(open(statement, "rb").read())
client = idn_toto.Client(base_url, token, journal=idn_toto.SqliteJournal(where), timeout=1.0, key_lease=1.0, settle_delay=0)
print([o.status for o in client.match_deposits(credits, rules, approve=True).outcomes])
"""


def test_a_matcher_killed_while_approving_then_run_again_approves_each_once(tmp_path: Path) -> None:
    # Every API request takes 400 ms: the kill lands with the approvals'
    # request about to leave or in flight.
    process, base_url, admin = start_sandbox("--seed", str(SEED), "--delay-ms", "400")
    try:
        file = tmp_path / "credits.csv"
        file.write_bytes(statement(admin)[0])
        where = str(tmp_path / "match.sqlite")
        before = {user: truth(admin, user)[0] for _, user, _ in APPROVED}
        running = subprocess.Popen(
            [sys.executable, "-c", CHILD, base_url, TOKEN, where, str(file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        watch = idn_toto.SqliteJournal(where)
        deadline = time.monotonic() + 60
        while True:  # killed once all six claims are in the store
            text = watch.export() if os.path.exists(where) else ""
            claims = sum('"key":"match:' in line and '"event":"intent"' in line for line in text.splitlines())
            if claims >= 6:
                break
            assert running.poll() is None, running.communicate()
            assert time.monotonic() < deadline, claims
            time.sleep(0.02)
        os.kill(running.pid, signal.SIGKILL)
        out, _ = running.communicate(timeout=10)
        assert running.returncode == -signal.SIGKILL and out == ""
        assert idn_toto.Journal.read(watch.export()).unsettled(), "the kill left open approvals"

        # Its claims keep others out until their lease ends (1 s after they
        # were made, before the kill): a deadline, not a race.
        time.sleep(1.1)
        client = idn_toto.Client(base_url, TOKEN, journal=idn_toto.SqliteJournal(where), key_lease=1.0, settle_delay=0)
        plan = client.match_deposits(idn_toto.credits_from_csv(file.read_bytes()), RULES, approve=True)
        assert {o.status for o in plan.outcomes} <= {"succeeded", "already_done"}, plan.outcomes
        check_each_approved_once(admin, before)
        assert client.unsettled() == [], "nothing open"
        # A third run approves nothing.
        assert client.match_deposits(idn_toto.credits_from_csv(file.read_bytes()), RULES, approve=True).approve == []
        check_each_approved_once(admin, before)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_package_readme_matching_snippet_runs(day: Tuple[str, str], tmp_path: Path) -> None:
    base_url, admin = day
    (tmp_path / "statement.csv").write_bytes(statement(admin)[0])
    snippet = readme_snippet(
        Path(__file__).resolve().parents[1] / "README.md", "<!-- run by tests/test_e2e_matcher.py -->"
    )
    prelude = f"import os\nos.chdir({str(tmp_path)!r})\n"
    out = run_snippet(snippet, base_url, TOKEN, prelude)
    lines = out.stdout.splitlines()
    assert lines[0] == "approve 200000001 andi 100000.0000 SBX-200000001-1", lines
    assert "hold 200000012 no_credit" in lines
    assert lines[-1] == "approved: ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']"
    assert truth(admin, "andi")[1] == []
    assert TOKEN not in out.stdout + out.stderr

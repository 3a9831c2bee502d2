"""Operation keys (issue 22) end to end against the sandbox on 127.0.0.1
port 0, with every journal store: a keyed batch run again pays nothing
twice, a keyed call replays and a key reused for another move is refused
before anything is sent, eight processes on one SQLite file (and two on one
Postgres database) credit every key once, and a run killed with SIGKILL
mid-batch, run again after its short lease, credits every key once.

Postgres is a throwaway cluster this module starts (``initdb`` and
``pg_ctl`` in a temporary directory, as the ``postgres`` user when run as
root); those tests are skipped only when no ``initdb`` exists."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import idn_toto

from conftest import SANDBOX_TOKEN, admin_json, faulty, readme_snippet, reset, run_snippet, start_sandbox

TOKEN = SANDBOX_TOKEN
STORES = ["file", "sqlite", "postgres"]


def balance(admin: str, user: str) -> Decimal:
    return Decimal(admin_json(admin, "state/" + urllib.parse.quote(user))["balance"])


def balances(admin: str) -> Tuple[Decimal, Decimal]:
    return balance(admin, "IPSUM"), balance(admin, "LOREM")


def served(admin: str) -> int:
    return int(admin_json(admin, "stats")["requests"])


def items(rows: int, prefix: str, amount: str = "1.00") -> List[Dict[str, str]]:
    """``rows`` keyed manual deposits of ``amount``, alternating IPSUM and
    LOREM; row ``i`` has the key ``{prefix}:{i}``."""
    return [
        {
            "user": "IPSUM" if i % 2 == 0 else "LOREM",
            "amount": amount,
            "comment": f"bonus {i}",
            "operator": "OP01",
            "key": f"{prefix}:{i}",
        }
        for i in range(rows)
    ]


# One run of a keyed batch in a process of its own: prints its statuses.
# With `landed`, the answer to the second bulk request is read slowly (the
# server has processed it; the parent kills this process meanwhile).
CHILD = r"""
import json, sys, time
import idn_toto

base_url, token, store, where, rows, prefix, lease, landed = sys.argv[1:9]
journal = {"file": idn_toto.FileJournal, "sqlite": idn_toto.SqliteJournal, "postgres": idn_toto.PostgresJournal}[store](where)
urllib = idn_toto.UrllibTransport(10)
bulk = 0

def transport(request):
    global bulk
    answer = urllib(request)
    bulk += request.endpoint == "multiple_transaction"
    if landed == "1" and bulk == 2 and request.endpoint == "multiple_transaction":
        time.sleep(30)
    return answer

client = idn_toto.Client(base_url, token, transport=transport, journal=journal, key_lease=float(lease), settle_delay=0)
rows = [
    {"user": "IPSUM" if i % 2 == 0 else "LOREM", "amount": "1.00", "comment": f"bonus {i}", "operator": "OP01",
     "key": f"{prefix}:{i}"}
    for i in range(int(rows))
]
print(json.dumps([o.status for o in client.multiple_transaction("deposit", rows)]))
"""


def child(
    base_url: str, store: str, where: str, rows: int, prefix: str, lease: float = 300.0, landed: bool = False
) -> "subprocess.Popen[str]":
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, base_url, TOKEN, store, where, str(rows), prefix, str(lease), str(int(landed))],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# ------------------------------------------------------------------ Postgres


def pg_bin() -> Optional[Path]:
    """Where ``initdb`` and ``pg_ctl`` are: ``IDN_TOTO_PG_BIN``, Debian's
    ``/usr/lib/postgresql/<version>/bin`` (newest first), or the ``PATH``."""
    if os.environ.get("IDN_TOTO_PG_BIN"):
        return Path(os.environ["IDN_TOTO_PG_BIN"])
    found = [p / "bin" for p in Path("/usr/lib/postgresql").glob("*") if (p / "bin" / "initdb").exists()]
    found.sort(key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parent.name.split(".")])
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A throwaway Postgres cluster on a free port of 127.0.0.1: its DSN."""
    bin = pg_bin()
    if bin is None:
        pytest.skip("Postgres is not installed (no initdb; .ci/run installs it)")
    # initdb refuses to run as root: the cluster is then the postgres
    # user's, in a directory it owns (under /tmp, which it can reach).
    as_postgres = hasattr(os, "geteuid") and os.geteuid() == 0
    where = tempfile.mkdtemp(prefix="idn-toto-pg-")
    if as_postgres:
        shutil.chown(where, "postgres")
    data = os.path.join(where, "data")
    port = free_port()

    def pg(program: str, *args: str) -> None:
        command = [str(bin / program), *args]
        if as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        out = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, f"{program}: {out.stdout}{out.stderr}"

    pg("initdb", "-D", data, "-A", "trust", "-U", "idn", "--no-sync")
    options = f"-p {port} -k {where} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg("pg_ctl", "-D", data, "-o", options, "-l", os.path.join(where, "log"), "-w", "start")
    try:
        yield f"host=127.0.0.1 port={port} user=idn dbname=postgres"
    finally:
        pg("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(where, ignore_errors=True)


def where_of(store: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh journal of ``store``: a file's path, or the cluster's DSN
    (keys are scoped to a server, and each test uses keys of its own)."""
    if store == "postgres":
        return str(request.getfixturevalue("postgres"))
    return str(tmp_path / ("moves.jsonl" if store == "file" else "moves.sqlite"))


def journal_of(store: str, where: str) -> Any:
    return {"file": idn_toto.FileJournal, "sqlite": idn_toto.SqliteJournal, "postgres": idn_toto.PostgresJournal}[
        store
    ](where)


# ------------------------------------------------------------------ stories


@pytest.mark.parametrize("store", STORES)
def test_a_keyed_batch_run_again_pays_nothing_twice(
    sandbox: Tuple[str, str], tmp_path: Path, request: pytest.FixtureRequest, store: str
) -> None:
    base_url, admin = sandbox
    reset(admin)
    journal = journal_of(store, where_of(store, tmp_path, request))
    client = idn_toto.Client(base_url, TOKEN, journal=journal, settle_delay=0, timeout=10)
    rows = items(30, f"bonus-2024-05-{uuid.uuid4().hex}")
    ipsum, lorem = balances(admin)
    assert [o.status for o in client.multiple_transaction("deposit", rows)] == ["succeeded"] * 30
    assert balances(admin) == (ipsum + 15, lorem + 15)

    before = served(admin)
    again = client.multiple_transaction("deposit", rows)
    assert [o.status for o in again] == ["already_done"] * 30
    assert balances(admin) == (ipsum + 15, lorem + 15)
    # Only the snapshot reads (one per user of the batch): no money
    # request left.
    assert served(admin) - before == 2

    # A new client (a new run) with row 7's key and another amount.
    rows[7] = dict(rows[7], amount="2.00")
    rerun = idn_toto.Client(base_url, TOKEN, journal=journal_of(store, where_of(store, tmp_path, request)))
    conflict = rerun.multiple_transaction("deposit", rows)
    assert [o.status for o in conflict] == ["already_done"] * 7 + ["key_conflict"] + ["already_done"] * 22
    assert "amount 1.00 vs 2.00" in (conflict[7].message or "")
    assert balances(admin) == (ipsum + 15, lorem + 15)
    assert client.unsettled() == []


@pytest.mark.parametrize("store", STORES)
def test_a_keyed_call_replays_and_a_conflict_is_refused_before_anything_is_sent(
    sandbox: Tuple[str, str], tmp_path: Path, request: pytest.FixtureRequest, store: str
) -> None:
    base_url, admin = sandbox
    reset(admin)
    where = where_of(store, tmp_path, request)
    key = f"bonus-2024-05:LOREM:{uuid.uuid4().hex}"
    sent: List[Any] = []

    def recording(r: Any) -> Any:
        sent.append(r)
        return idn_toto.UrllibTransport(10)(r)

    def client() -> idn_toto.Client:  # a new run each time
        return idn_toto.Client(base_url, TOKEN, transport=recording, journal=journal_of(store, where))

    lorem = balance(admin, "LOREM")
    first = client().manual_transaction("deposit", "LOREM", "bonus", "70", "OP01", key=key)
    assert first.replayed is False
    again = client().manual_transaction("deposit", "LOREM", "bonus again", Decimal("70.00"), "OP02", key=key)
    assert again.replayed is True and again.message == first.message
    with pytest.raises(idn_toto.KeyConflictError) as conflict:
        client().manual_transaction("deposit", "LOREM", "bonus", "80", "OP01", key=key)
    assert conflict.value.key == key and "amount 70 vs 80" in conflict.value.reason
    # The replay and the conflict read nothing but the user's history.
    assert [r.endpoint for r in sent] == ["user_history", "manual_transaction", "user_history", "user_history"]
    assert balance(admin, "LOREM") == lorem + 70

    # An accept under a key: again, it replays (without the key, the server
    # would say the transaction is gone).
    plain = idn_toto.Client(base_url, TOKEN, timeout=10)
    tx = plain.transaction_list("deposit").data[0]
    accept = (tx.id, tx.user, "accept", "keyed", "OP01")
    accept_key = f"accept:{tx.id}:{uuid.uuid4().hex}"
    assert client().accept_reject("deposit", *accept, key=accept_key).replayed is False

    async def replay() -> idn_toto.Processed:
        aclient = idn_toto.AsyncClient(base_url, TOKEN, journal=journal_of(store, where))
        return await aclient.accept_reject("deposit", *accept, key=accept_key)

    import asyncio

    assert asyncio.run(replay()).replayed is True
    with pytest.raises(idn_toto.ApiError) as gone:
        plain.accept_reject("deposit", *accept)
    assert gone.value.api_kind == "transaction_not_found"


def test_settling_a_keyed_unknown_outcome_settles_its_key(sandbox: Tuple[str, str], tmp_path: Path) -> None:
    """The answer to a keyed move is lost (the sandbox applies it, then
    answers 500): settling the error, or the batch outcome, names the key on
    the ``settled`` line, so the key's record takes the verdict and its next
    use replays without settling again (only the snapshot's history read)."""
    base_url, admin = sandbox
    reset(admin)
    where = str(tmp_path / "moves.sqlite")
    clean, lost = faulty(None), faulty("500-after")
    sent: List[Any] = []

    def lossy_transport(r: Any) -> Any:
        return (clean if r.idempotent else lost)(r)

    def recording(r: Any) -> Any:
        sent.append(r)
        return clean(r)

    lossy = idn_toto.Client(base_url, TOKEN, transport=lossy_transport, journal=idn_toto.SqliteJournal(where))
    client = idn_toto.Client(base_url, TOKEN, transport=recording, journal=idn_toto.SqliteJournal(where), settle_delay=0)
    lorem = balance(admin, "LOREM")
    key = f"settle-then-replay:{uuid.uuid4().hex}"
    with pytest.raises(idn_toto.OutcomeUnknownError) as lost_answer:
        lossy.manual_transaction("deposit", "LOREM", "c", "3", "OP01", key=key)
    unsettled = lost_answer.value.unsettled
    assert unsettled is not None and unsettled.key == key
    assert client.settle(lost_answer.value).state == "applied"
    sent.clear()
    assert client.manual_transaction("deposit", "LOREM", "c", "3", "OP01", key=key).replayed is True
    assert [r.endpoint for r in sent] == ["user_history"]

    rows = [dict(row, user="LOREM") for row in items(1, f"settle-then-replay-batch:{uuid.uuid4().hex}")]
    (outcome,) = lossy.multiple_transaction("deposit", rows)
    assert outcome.status == "unknown" and outcome.key == rows[0]["key"]
    assert client.settle(outcome).state == "applied"
    sent.clear()
    assert [o.status for o in client.multiple_transaction("deposit", rows)] == ["already_done"]
    assert [r.endpoint for r in sent] == ["user_history"]
    assert balance(admin, "LOREM") == lorem + 3 + 1


def run_processes(base_url: str, store: str, where: str, processes: int, rows: int, prefix: str) -> List[int]:
    """``processes`` runs of the same keyed batch at once; how many of them
    sent each row (every status checked)."""
    children = [child(base_url, store, where, rows, prefix) for _ in range(processes)]
    succeeded = [0] * rows
    for c in children:
        out, err = c.communicate(timeout=300)
        assert c.returncode == 0, err
        statuses = json.loads(out)
        assert len(statuses) == rows
        for i, status in enumerate(statuses):
            assert status in ("succeeded", "already_done", "key_in_use"), (i, status, err)
            succeeded[i] += status == "succeeded"
    return succeeded


def test_eight_processes_on_one_sqlite_file_credit_each_key_once(sandbox: Tuple[str, str], tmp_path: Path) -> None:
    base_url, admin = sandbox
    reset(admin)
    where = str(tmp_path / "moves.sqlite")
    ipsum, lorem = balances(admin)
    succeeded = run_processes(base_url, "sqlite", where, 8, 60, "eight")
    assert succeeded == [1] * 60, "each key sent exactly once"
    assert balances(admin) == (ipsum + 30, lorem + 30)
    last = idn_toto.Client(base_url, TOKEN, journal=idn_toto.SqliteJournal(where), settle_delay=0)
    assert [o.status for o in last.multiple_transaction("deposit", items(60, "eight"))] == ["already_done"] * 60
    assert balances(admin) == (ipsum + 30, lorem + 30)
    assert last.unsettled() == []


def test_two_processes_on_one_postgres_database_credit_each_key_once(
    sandbox: Tuple[str, str], postgres: str
) -> None:
    import psycopg

    base_url, admin = sandbox
    reset(admin)
    # A new database: the two processes also create its tables at once.
    database = f"two_{uuid.uuid4().hex}"
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {database}")
    dsn = postgres.replace("dbname=postgres", f"dbname={database}")
    prefix = "two"
    ipsum, lorem = balances(admin)
    succeeded = run_processes(base_url, "postgres", dsn, 2, 60, prefix)
    assert succeeded == [1] * 60, "each key sent exactly once"
    assert balances(admin) == (ipsum + 30, lorem + 30)
    last = idn_toto.Client(base_url, TOKEN, journal=idn_toto.PostgresJournal(dsn), settle_delay=0)
    assert [o.status for o in last.multiple_transaction("deposit", items(60, prefix))] == ["already_done"] * 60
    assert balances(admin) == (ipsum + 30, lorem + 30)


def test_a_postgres_journal_connects_again_after_losing_its_connection(postgres: str) -> None:
    import psycopg

    from conftest import BASE_URL, PROCESSED, FakeTransport

    dsn = f"{postgres} application_name=keys-reconnect"
    t = FakeTransport(PROCESSED, PROCESSED)
    client = idn_toto.Client(BASE_URL, TOKEN, transport=t, journal=idn_toto.PostgresJournal(dsn), snapshots=False)
    key = f"reconnect-{uuid.uuid4().hex}"
    client.manual_transaction("deposit", "LOREM", "c", "5", "OP01", key=f"{key}:1")
    with psycopg.connect(postgres, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'keys-reconnect'"
        ).fetchall()
    assert ended == [(True,)]
    # The claim meets the closed connection: nothing is sent.
    with pytest.raises(idn_toto.InvalidRequestError) as lost:
        client.manual_transaction("deposit", "LOREM", "c", "6", "OP01", key=f"{key}:2")
    assert lost.value.field == "journal" and "the Postgres store" in lost.value.reason
    assert len(t.requests) == 1
    # The next one connects again.
    assert client.manual_transaction("deposit", "LOREM", "c", "6", "OP01", key=f"{key}:2").replayed is False
    assert client.manual_transaction("deposit", "LOREM", "c", "6", "OP01", key=f"{key}:2").replayed is True
    assert len(t.requests) == 2


@pytest.mark.parametrize(
    "store,landed",
    [(store, False) for store in STORES] + [("sqlite", True)],
    ids=STORES + ["sqlite-landed"],
)
def test_a_run_killed_mid_batch_then_run_again_credits_each_key_once(
    tmp_path: Path, request: pytest.FixtureRequest, store: str, landed: bool
) -> None:
    # Every API request takes 300 ms: the kill lands with a request in
    # flight (the server never processes it). `landed`: the kill lands
    # after the server processed it, before its answer was recorded (the
    # re-run's settlement must find it applied).
    process, base_url, admin = start_sandbox("--delay-ms", "300")
    try:
        where = where_of(store, tmp_path, request)
        prefix = f"crash-{uuid.uuid4().hex}"
        watch = journal_of(store, where)
        ipsum, lorem = balances(admin)
        baseline = served(admin)
        running = child(base_url, store, where, 60, prefix, lease=1.0, landed=landed)
        # The second request's 25 claims are written and the request (after
        # the batch's two history reads and the first request) has reached
        # the server: kill.
        deadline = time.monotonic() + 60
        while True:
            text = watch.export()
            intents = sum(f'"key":"{prefix}:' in line for line in text.splitlines() if '"event":"intent"' in line)
            landing = served(admin) - baseline >= 4
            if landed:  # the answer came: the request was processed
                landing = landing and balances(admin) == (ipsum + 25, lorem + 25)
            if intents >= 50 and landing:
                break
            assert running.poll() is None, running.communicate()
            assert time.monotonic() < deadline, (intents, served(admin) - baseline)
            time.sleep(0.02)
        os.kill(running.pid, signal.SIGKILL)
        out, _ = running.communicate(timeout=10)
        assert running.returncode == -signal.SIGKILL and out == ""
        # (A Postgres database holds other tests' lines too: this run's
        # are those of its keys.)
        left = [r for r in idn_toto.Journal.read(watch.export()).records if (r.key or "").startswith(f"{prefix}:")]
        open_moves = idn_toto.Journal.read("".join(r.to_line() for r in left)).unsettled()
        assert open_moves, "the kill left open moves"
        done = sum(r.event == "outcome" and r.state == "succeeded" for r in left)

        # The killed holder's claims keep others out until their lease ends
        # (a second after its last claim, made before the kill).
        time.sleep(1.1)
        again = idn_toto.Client(base_url, TOKEN, journal=journal_of(store, where), key_lease=1.0, settle_delay=0)
        outcomes = again.multiple_transaction("deposit", items(60, prefix))
        counts = Counter(o.status for o in outcomes)
        assert set(counts) <= {"succeeded", "already_done"}, counts
        # What succeeded before the kill is not sent again; so is what the
        # killed request did, as settling finds out.
        if landed:
            assert (done, counts["already_done"]) == (25, 50), counts
        else:
            assert counts["already_done"] >= done >= 25, (done, counts)
        assert balances(admin) == (ipsum + 30, lorem + 30), f"every key credited exactly once ({counts})"
        assert [m for m in again.unsettled() if (m.intent.key or "").startswith(f"{prefix}:")] == [], "nothing open"
        print(f"{store}: {len(open_moves)} open after the kill; re-run {dict(counts)}")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_package_readme_keys_snippet_runs(sandbox: Tuple[str, str], tmp_path: Path) -> None:
    base_url, admin = sandbox
    reset(admin)
    snippet = readme_snippet(Path(__file__).resolve().parents[1] / "README.md", "<!-- run by tests/test_e2e_keys.py -->")
    before = {u: balance(admin, u) for u in ("LOREM", "IPSUM", "DOLER")}
    namespace = {"BASE_URL": base_url, "TOKEN": TOKEN, "JOURNAL": str(tmp_path / "moves.sqlite")}
    out = run_snippet(snippet, base_url, TOKEN, "".join(f"{k} = {v!r}\n" for k, v in namespace.items()))
    assert out.stdout.splitlines() == [
        "['succeeded', 'succeeded']",
        "['already_done', 'already_done']",
        "replayed: True",
        'refused: the key "refund-4711" was used for manual deposit of 70 for DOLER (amount 70 vs 80)',
    ], out.stdout
    assert {u: balance(admin, u) - b for u, b in before.items()} == {"LOREM": 25, "IPSUM": 25, "DOLER": 70}
    assert TOKEN not in out.stdout + out.stderr

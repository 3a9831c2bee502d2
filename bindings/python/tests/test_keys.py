"""Operation keys (issue 22) with fake transports: the claim step run by
each journal store, what a key stops before anything is sent, the stores'
statements and files, and the token kept out of every key error. The
sandbox stories (re-runs, processes, a crash) are ``test_e2e_keys.py``."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

import idn_toto
from conftest import BASE_URL, PROCESSED, TOKEN, AsyncFakeTransport, FakeTransport, ok, pending_list

MANUAL = ("deposit", "LOREM", "bonus", "100", "OP01")
Store = Callable[[Path], Any]
STORES: Dict[str, Store] = {
    "file": lambda d: idn_toto.FileJournal(d / "moves.jsonl"),
    "sqlite": lambda d: idn_toto.SqliteJournal(d / "moves.sqlite"),
}


def client(journal: Any, transport: Any, **options: Any) -> idn_toto.Client:
    return idn_toto.Client(BASE_URL, TOKEN, transport=transport, journal=journal, snapshots=False, **options)


def money(t: FakeTransport) -> List[Any]:
    """The money-moving requests that went out."""
    return [r for r in t.requests if not r.idempotent]


@pytest.mark.parametrize("store", list(STORES))
def test_a_keyed_call_replays_and_the_key_for_another_move_is_refused(tmp_path: Path, store: str) -> None:
    journal = STORES[store](tmp_path)
    t = FakeTransport(PROCESSED)
    c = client(journal, t)
    first = c.manual_transaction(*MANUAL, key="bonus-2024-05:LOREM")
    assert first.replayed is False and "replayed" not in repr(first)
    # Another comment, the amount written otherwise: the same move.
    again = c.manual_transaction("deposit", "LOREM", "other words", "100.00", "OP02", key="bonus-2024-05:LOREM")
    assert again.replayed is True and "replayed=True" in repr(again)
    assert again.message == first.message
    with pytest.raises(idn_toto.KeyConflictError) as conflict:
        c.manual_transaction("deposit", "LOREM", "bonus", "101", "OP01", key="bonus-2024-05:LOREM")
    assert isinstance(conflict.value, idn_toto.IdnTotoError)
    assert conflict.value.kind == "key_conflict" and conflict.value.key == "bonus-2024-05:LOREM"
    assert "amount 100 vs 101" in conflict.value.reason
    assert len(money(t)) == 1, "the replay and the conflict sent nothing"
    # The journal holds one claimed-then-succeeded attempt under the key.
    (record,) = idn_toto.Journal.read(journal.export()).key_records()
    assert (record.key, record.state, record.attempts) == ("bonus-2024-05:LOREM", "succeeded", 1)


@pytest.mark.parametrize("store", list(STORES))
def test_a_keyed_batch_run_again_sends_nothing(tmp_path: Path, store: str) -> None:
    journal = STORES[store](tmp_path)
    items = [
        {"user": "LOREM", "amount": "1.00", "comment": f"b {i}", "operator": "OP01", "key": f"b:{i}"} for i in range(3)
    ]
    items.append({"user": "IPSUM", "amount": "2.00", "comment": "no key", "operator": "OP01"})
    done = ok({"success": True, "message": "Success", "data": []})
    t = FakeTransport(done, done)
    c = client(journal, t)
    assert [o.status for o in c.multiple_transaction("deposit", items)] == ["succeeded"] * 4
    again = c.multiple_transaction("deposit", items)
    assert [o.status for o in again] == ["already_done"] * 3 + ["succeeded"], "the unkeyed item is sent again"
    assert all("done before under key" in (o.message or "") for o in again[:3])
    assert [len(json.loads(r.body)["transaction"]) for r in money(t)] == [4, 1]
    items[1] = dict(items[1], amount="1.50")
    conflict = c.multiple_transaction("deposit", items[:3])
    assert [o.status for o in conflict] == ["already_done", "key_conflict", "already_done"]
    assert "amount 1.00 vs 1.50" in (conflict[1].message or "")
    assert len(money(t)) == 2


@pytest.mark.parametrize("store", list(STORES))
def test_a_key_held_by_a_live_run_is_in_use_and_nothing_is_sent(tmp_path: Path, store: str) -> None:
    journal = STORES[store](tmp_path)
    # The second run uses the same store (a FileJournal holds its claims in
    # memory: one process, one object) or the same SQLite file.
    other = journal if store == "file" else STORES[store](tmp_path)
    inner_t = FakeTransport()
    inner = client(other, inner_t)
    seen: List[Any] = []

    def in_flight(request: Any) -> Any:
        # The outer run's move is in flight: its claim holds the key.
        now = int(time.time() * 1000)
        with pytest.raises(idn_toto.KeyInUseError) as in_use:
            inner.manual_transaction(*MANUAL, key="k1")
        seen.append((in_use.value, now))
        item = {"user": "LOREM", "amount": "100", "comment": "c", "operator": "OP01", "key": "k1"}
        seen.append(inner.multiple_transaction("deposit", [item])[0])
        return PROCESSED

    outer = client(journal, FakeTransport(in_flight), key_lease=30)
    assert outer.key_lease == 30
    outer.manual_transaction(*MANUAL, key="k1")
    (error, now), outcome = seen
    assert error.kind == "key_in_use" and error.key == "k1"
    assert now < error.lease_until_ms <= now + 30_000 + 1_000
    assert outcome.status == "key_in_use" and "held by another process" in (outcome.message or "")
    assert inner_t.requests == [], "nothing was sent under a held key"
    # Once the holder wrote its outcome, the key is done for everyone.
    assert inner.manual_transaction(*MANUAL, key="k1").replayed is True


@pytest.mark.parametrize("store", list(STORES))
def test_a_keyed_move_left_unknown_is_settled_from_the_store_and_then_done(tmp_path: Path, store: str) -> None:
    journal = STORES[store](tmp_path)
    gone = (200, pending_list(0))  # transaction 7 is no longer pending
    t = FakeTransport(ConnectionResetError("reset"), gone, gone)
    c = client(journal, t, settle_delay=0)
    with pytest.raises(idn_toto.OutcomeUnknownError):
        c.accept_reject("deposit", "7", "LOREM", "accept", "c", "OP01", key="acc:7")
    (open_move,) = c.unsettled()
    assert open_move.intent.key == "acc:7" and open_move.last == "unknown"
    (settled,) = c.settle_unsettled()
    assert settled.state == "applied" and c.unsettled() == []
    (record,) = idn_toto.Journal.read(journal.export()).key_records()
    assert (record.key, record.state) == ("acc:7", "applied")
    sent = len(t.requests)
    assert c.accept_reject("deposit", "7", "LOREM", "accept", "c", "OP01", key="acc:7").replayed is True
    assert len(t.requests) == sent, "settled applied: never sent again"


class FailingSqlite(idn_toto.SqliteJournal):
    """A SQLite store whose `select` fails as a locked database does."""

    def _run(self, conn: Any, sql: str, params: Any) -> Any:
        if sql == self._sql.select:
            raise sqlite3.OperationalError("database is locked")
        return super()._run(conn, sql, params)


def test_a_claim_the_store_cannot_make_sends_nothing(tmp_path: Path) -> None:
    t = FakeTransport()
    c = client(FailingSqlite(tmp_path / "moves.sqlite"), t)
    with pytest.raises(idn_toto.InvalidRequestError) as refused:
        c.manual_transaction(*MANUAL, key="k")
    assert refused.value.field == "journal"
    assert "the SQLite store" in refused.value.reason and "database is locked" in refused.value.reason
    items = [{"user": "LOREM", "amount": "1", "comment": "c", "operator": "OP01", "key": f"k{i}"} for i in range(2)]
    assert [o.status for o in c.multiple_transaction("deposit", items)] == ["not_sent", "not_sent"]
    assert t.requests == []
    assert idn_toto.SqliteJournal(tmp_path / "moves.sqlite").export() == "", "the claims were rolled back"


def test_keys_are_checked_before_anything_is_sent(tmp_path: Path) -> None:
    t = FakeTransport()
    with pytest.raises(idn_toto.InvalidRequestError) as no_journal:
        client(None, t).manual_transaction(*MANUAL, key="k")
    assert no_journal.value.field == "key" and "journal" in no_journal.value.reason
    c = client(idn_toto.FileJournal(tmp_path / "j.jsonl"), t)
    for bad in ["", " k", "k\n", "k" * 201]:
        with pytest.raises(idn_toto.InvalidRequestError) as caught:
            c.accept_reject("deposit", 1, "LOREM", "accept", "c", "OP01", key=bad)
        assert caught.value.field == "key", bad
    items = [{"user": "LOREM", "amount": "1", "comment": "c", "operator": "OP01", "key": k} for k in "aba"]
    with pytest.raises(idn_toto.InvalidRequestError) as twice:
        c.multiple_transaction("deposit", items)
    assert twice.value.field == "transaction[2].key"
    with pytest.raises(idn_toto.InvalidRequestError) as prepared:
        c.prepare.manual_transaction(*MANUAL, key="k")
    assert prepared.value.field == "key"
    with pytest.raises(idn_toto.InvalidRequestError):
        client(None, t, key_lease=0)
    assert t.requests == [] and not (tmp_path / "j.jsonl").exists()


def test_a_key_or_money_parameter_holding_the_token_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    """The core refuses a money move whose operation key or parameters hold
    the token (they are kept in the journal and shown with the move): an
    ``InvalidRequestError`` naming the field, nothing claimed, journaled or
    sent, and the token in none of the error's forms."""
    journal = idn_toto.SqliteJournal(tmp_path / "m.sqlite")
    t = FakeTransport(PROCESSED)
    c = client(journal, t)
    errors: List[idn_toto.InvalidRequestError] = []
    with pytest.raises(idn_toto.InvalidRequestError) as keyed:
        c.manual_transaction(*MANUAL, key=f"bonus:{TOKEN}")
    assert keyed.value.field == "key"
    errors.append(keyed.value)
    item = {"user": "LOREM", "amount": "5", "comment": "c", "operator": "OP01", "key": f"held:{TOKEN.lower()}"}
    with pytest.raises(idn_toto.InvalidRequestError) as batch_key:
        c.multiple_transaction("deposit", [dict(item, key="fine"), item])
    assert batch_key.value.field == "transaction[1].key"
    errors.append(batch_key.value)
    with pytest.raises(idn_toto.InvalidRequestError) as comment:
        c.manual_transaction("deposit", "LOREM", f"for {TOKEN}", "5", "OP01")
    assert comment.value.field == "comment"
    errors.append(comment.value)
    with pytest.raises(idn_toto.InvalidRequestError) as batch_comment:
        c.multiple_transaction("deposit", [dict(item, key="k1", comment=TOKEN)])
    assert batch_comment.value.field == "transaction[0].comment"
    errors.append(batch_comment.value)
    for e in errors:
        for text in (str(e), repr(e), json.dumps(e.to_dict())):
            assert TOKEN not in text and TOKEN.lower() not in text, text
    assert t.requests == []
    assert journal.export() == ""


def test_the_async_client_takes_keys(tmp_path: Path) -> None:
    t = AsyncFakeTransport(PROCESSED)

    async def main() -> List[Any]:
        c = idn_toto.AsyncClient(
            BASE_URL, TOKEN, transport=t, journal=idn_toto.SqliteJournal(tmp_path / "m.sqlite"), snapshots=False
        )
        first = await c.accept_reject("deposit", "7", "LOREM", "accept", "ok", "OP01", key="acc:7")
        second = await c.accept_reject("deposit", 7, "LOREM", "accept", "again", "OP02", key="acc:7")
        return [first.replayed, second.replayed]

    assert asyncio.run(main()) == [False, True]
    assert len(t.requests) == 1


def test_the_sql_statements_are_the_cores() -> None:
    sqlite, postgres = idn_toto.KeySql("sqlite"), idn_toto.KeySql("postgres")
    assert sqlite.begin == "BEGIN IMMEDIATE" and sqlite.ensure_row is None
    assert "?1" in sqlite.select and "$1" in postgres.select and "FOR UPDATE" in postgres.select
    assert postgres.ensure_row is not None and "ON CONFLICT" in postgres.ensure_row
    # SQLite: three statements; Postgres: one batch in a transaction under an
    # advisory lock (two processes creating the tables at once collide).
    assert len(sqlite.schema) == 3 and len(postgres.schema) == 1
    assert "pg_advisory_xact_lock" in postgres.schema[0]
    assert repr(postgres) == 'KeySql("postgres")'
    with pytest.raises(idn_toto.InvalidRequestError) as bad:
        idn_toto.KeySql("mysql")
    assert bad.value.field == "dialect"


def test_the_sqlite_file_is_owner_only_in_wal_mode_and_exports_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    journal = idn_toto.SqliteJournal(path)
    assert repr(journal) == f"SqliteJournal({str(path)!r})"
    c = client(journal, FakeTransport(PROCESSED, PROCESSED))
    c.manual_transaction(*MANUAL, key="k")
    c.manual_transaction("deposit", "IPSUM", "no key", "5", "OP01")
    if sys.platform != "win32":
        assert os.stat(path).st_mode & 0o777 == 0o600
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        keys = conn.execute("SELECT server, key, state FROM idn_toto_keys").fetchall()
    assert keys == [(c._core.fingerprint, "k", "succeeded")]
    journal = idn_toto.Journal.read(idn_toto.SqliteJournal(path).export())
    assert [(r.event, r.key) for r in journal.records] == [
        ("intent", "k"),
        ("outcome", "k"),
        ("intent", None),
        ("outcome", None),
    ]
    assert journal.unsettled() == [] and c.unsettled() == []


def test_the_sql_store_writes_a_keyed_line_as_the_core_says(tmp_path: Path) -> None:
    journal = idn_toto.SqliteJournal(tmp_path / "m.sqlite")
    client(journal, FakeTransport(PROCESSED)).manual_transaction(*MANUAL, key="k")
    text = journal.export()
    intent, outcome = idn_toto.Journal.read(text).records
    server = intent.server
    assert server is not None
    # A keyed intent is only ever written by its claim.
    with pytest.raises(idn_toto.InvalidRequestError, match="written by its claim"):
        journal.append(text.splitlines()[0] + "\n")
    # A late `settled` line of an earlier attempt leaves the key as it is;
    # one of the last attempt updates it (`KeyRecord.after_line`).
    late = json.loads(intent.settled("not_applied", at="2026-12-04T10:00:00Z").to_line())
    journal.append(json.dumps(dict(late, id="an-earlier-attempt")) + "\n")
    record = journal.key(server, "k")
    assert record is not None and record.state == "succeeded"
    journal.append(intent.settled("applied", at="2026-12-04T10:00:00Z").to_line())
    record = journal.key(server, "k")
    assert record is not None and (record.state, record.journal_id) == ("applied", intent.id)
    assert journal.key(server, "never used") is None
    assert len(idn_toto.Journal.read(journal.export()).records) == 4


def test_a_file_journal_claims_under_its_lock_and_says_keys_are_per_process(tmp_path: Path) -> None:
    assert "one process at a time" in (idn_toto.FileJournal.__doc__ or "")
    journal = idn_toto.FileJournal(tmp_path / "j.jsonl")
    client(journal, FakeTransport(PROCESSED)).manual_transaction(*MANUAL, key="k")
    exported = journal.export()
    assert exported == journal.read(), "a clean file exports as it is"
    assert [r.key for r in idn_toto.Journal.read(exported).records] == ["k", "k"]


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_another_process_claiming_keys_in_the_file_is_refused(tmp_path: Path) -> None:
    """A file keeps keys for one process at a time, enforced: while this
    process holds the file's lock for keys, another process's claim is
    refused before anything is sent; two journal objects of the file in
    one process share the hold. Without the lock the other process would
    see this one's moves as open and settle them."""
    path = tmp_path / "moves.jsonl"
    t = FakeTransport(PROCESSED)
    client(idn_toto.FileJournal(path), t).manual_transaction(*MANUAL, key="k1")
    # A second object in this process: the same hold, the same records.
    again = client(idn_toto.FileJournal(path), t).manual_transaction(*MANUAL, key="k1")
    assert again.replayed is True
    child = f"""
import idn_toto, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from conftest import BASE_URL, PROCESSED, TOKEN, FakeTransport
t = FakeTransport(PROCESSED)
c = idn_toto.Client(BASE_URL, TOKEN, transport=t, journal=idn_toto.FileJournal({str(path)!r}), snapshots=False)
try:
    c.manual_transaction("deposit", "IPSUM", "bonus", "5", "OP01", key="k2")
except idn_toto.InvalidRequestError as e:
    print(e.field, len([r for r in t.requests if not r.idempotent]), e.reason)
"""
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert out.stdout.startswith("journal 0 "), out.stdout + out.stderr
    assert "in use by another writer of operation keys" in out.stdout
    assert len(money(t)) == 1


def test_postgres_journal_names_its_extra_when_psycopg_is_missing() -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "import idn_toto\n"
        "try:\n"
        "    idn_toto.PostgresJournal('host=127.0.0.1 password=hunter2')\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "pip install 'idn-toto[postgres]'" in out.stdout and "hunter2" not in out.stdout


def test_postgres_journal_never_shows_its_dsn() -> None:
    pytest.importorskip("psycopg")
    journal = idn_toto.PostgresJournal("host=127.0.0.1 port=1 user=idn password=hunter2 connect_timeout=2")
    assert "hunter2" not in repr(journal)
    with pytest.raises(idn_toto.InvalidRequestError) as refused:
        journal.open()
    assert refused.value.field == "journal" and "the Postgres store: cannot connect" in refused.value.reason
    assert "hunter2" not in str(refused.value)


def test_a_claim_step_is_handed_out_and_answered(tmp_path: Path) -> None:
    """The binding's claim step, driven by hand: what every store does."""
    core = idn_toto.Core(BASE_URL, TOKEN)
    request = core.build("manual_transaction", dict(zip(("type", "user", "comment", "amount", "operator"), MANUAL)))
    options = idn_toto.DriverOptions(journal_id="run-1", lease_ms=1_000)
    driver = idn_toto.Driver.call(core, request, options, key="k")
    step = driver.next(0, 1_700_000_000)
    assert step.kind == "claim"
    claim = step.value
    assert isinstance(claim, idn_toto.KeyClaim)
    assert (claim.key, claim.server, claim.holder, claim.lease_ms) == ("k", core.fingerprint, "run-1", 1_000)
    answer, write = claim.decide(None, 5_000)
    assert answer.decision == "claim" and answer.previous is None and write is not None
    assert (write.record.state, write.record.lease_until_ms, write.record.holder) == ("claimed", 6_000, "run-1")
    assert write.line == claim.intent.to_line()
    assert answer.batch_to_refine() is None
    driver.record_claim(answer)
    step = driver.next(0, 1_700_000_000)
    while step.kind == "event":
        step = driver.next(0, 1_700_000_000)
    assert step.kind == "send" and step.value.endpoint == "manual_transaction"
    # A record someone else holds: key_in_use, and the call raises it.
    held = write.record.to_json_text()
    other = idn_toto.Driver.call(core, request, options.with_journal_id("run-2"), key="k")
    in_use, nothing = other.next(0, None).value.decide(held, 5_500)
    assert (in_use.decision, in_use.lease_until_ms, nothing) == ("key_in_use", 6_000, None)
    other.record_claim(in_use)
    with pytest.raises(idn_toto.KeyInUseError):
        other.next(0, None)
    # A damaged record refuses the claim: InvalidRequestError at `journal`.
    with pytest.raises(idn_toto.InvalidRequestError) as damaged:
        claim.decide("{not json", 5_000)
    assert damaged.value.field == "journal"

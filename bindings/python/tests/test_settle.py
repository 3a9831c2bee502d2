"""Settling unknown outcomes and the journal, with fake transports (no
network): what the client sends, in which order, what the journal holds,
and that the token never reaches it."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from pathlib import Path
from typing import Any, List
from urllib.parse import quote, quote_plus

import pytest

import idn_toto
from conftest import BASE_URL, TOKEN, AsyncFakeTransport, FakeTransport, ok



def history(*entries: str) -> Any:
    """A user_history answer for LOREM: `"DATE AMOUNT"` entries, newest first."""
    data = [{"date": e.rsplit(" ", 1)[0], "amount": e.rsplit(" ", 1)[1], "status": "ACCEPT"} for e in entries]
    return ok({"success": True, "message": "Success", "user": "LOREM", "data": data})


OLD = "2021-04-19 04:36:47.760 500000"
HISTORY_BEFORE = history(OLD)
HISTORY_AFTER = history("2024-05-17 18:00:00.000 2500.5", OLD)
HISTORY_AFTER_BOTH = history("2024-05-17 18:00:01.000 2500.5", "2024-05-17 18:00:00.000 2500.5", OLD)
LOST = (500, json.dumps({"success": False, "message": f"Internal Server Error at /home.php/{TOKEN}/x"}).encode())
PENDING_WITH_7 = ok(
    {
        "7": {
            "id": "7",
            "user": "IPSUM",
            "date": "16-05-2024 08:03:34",
            "type": "deposit",
            "game": "g",
            "bank_acc_name": "n",
            "bank_name": "BCA",
            "bank_acc_number": "1",
            "amount": "1000.0000",
            "destination_bank": "BCA",
            "destination_acc_number": "2",
        }
    }
)


def journaled(path: Path, transport: Any, **kwargs: Any) -> idn_toto.Client:
    c = idn_toto.Client(
        BASE_URL, TOKEN, transport=transport, journal=idn_toto.FileJournal(path), settle_delay=0, **kwargs
    )
    c._sleep = lambda delay: None
    return c


def line(**fields: Any) -> str:
    """One journal line as the core writes it (compact JSON, one newline)."""
    return json.dumps({k: v for k, v in fields.items() if v is not None}, separators=(",", ":")) + "\n"


def outcome(params: Any, state: str, message: Any) -> str:
    return line(id="x", event="outcome", endpoint="accept_reject", params=params, state=state, at="t", message=message)


def lines(path: Path) -> List[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def assert_no_token(text: str) -> None:
    for form in (
        TOKEN,
        TOKEN.lower(),
        quote(TOKEN, safe=""),
        quote_plus(TOKEN),
        base64.b64encode(TOKEN.encode()).decode(),
        TOKEN.encode().hex(),
    ):
        assert form not in text, form


def test_a_lost_manual_answer_is_journaled_carries_what_settling_needs_and_settles_applied(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.jsonl"
    seen_when_sent: List[Any] = []

    def lost_after_checking_the_journal(request: Any) -> Any:
        seen_when_sent.extend(lines(path))  # what the journal held as the request left
        return LOST

    t = FakeTransport(HISTORY_BEFORE, lost_after_checking_the_journal)
    c = journaled(path, t)
    with pytest.raises(idn_toto.OutcomeUnknownError) as caught:
        c.manual_transaction("deposit", "LOREM", "c", "2500.50", "OP01")
    error = caught.value
    assert [(l["event"], l["id"]) for l in seen_when_sent] == [("intent", error.journal_id)]
    assert [r.endpoint for r in t.requests] == ["user_history", "manual_transaction"]
    assert error.journal_id is not None
    unsettled = error.unsettled
    assert unsettled is not None and unsettled.endpoint == "manual_transaction"
    assert unsettled.params == {"type": "deposit", "user": "LOREM", "amount": "2500.50", "comment": "c", "operator": "OP01"}
    assert unsettled.snapshot == {"entries": [{"date": "2021-04-19T04:36:47.760", "amount": "500000", "status": "ACCEPT"}]}
    written = lines(path)
    assert [(l["event"], l.get("state")) for l in written] == [("intent", None), ("outcome", "unknown")]
    assert {l["id"] for l in written} == {error.journal_id}
    assert written[0]["snapshot"] == unsettled.snapshot
    assert [m.id for m in c.unsettled()] == [error.journal_id]

    t.answers.append(HISTORY_AFTER)
    settlement = c.settle(error)
    assert settlement.state == "applied", settlement.reason
    assert settlement.journal_id == error.journal_id
    assert [e["endpoint"] for e in settlement.evidence] == ["user_history"]
    assert settlement.evidence[0]["url"].startswith(f"{BASE_URL}/***/")
    assert [r.endpoint for r in t.requests[2:]] == ["user_history"], "reads only"
    assert lines(path)[-1]["event"] == "settled" and lines(path)[-1]["state"] == "applied"
    assert c.unsettled() == [] and c.settle_unsettled() == []
    text = path.read_text(encoding="utf-8")
    assert_no_token(text + repr(error) + str(error) + repr(settlement) + json.dumps(settlement.to_dict()))


def test_an_unchanged_history_settles_not_applied(tmp_path: Path) -> None:
    # not_applied needs two reads that agree (spec-notes 124).
    t = FakeTransport(HISTORY_BEFORE, ConnectionResetError("reset"), HISTORY_BEFORE, HISTORY_BEFORE)
    c = journaled(tmp_path / "j.jsonl", t)
    with pytest.raises(idn_toto.OutcomeUnknownError) as caught:
        c.manual_transaction("deposit", "LOREM", "c", "2500.50", "OP01")
    assert c.settle(caught.value).state == "not_applied"


def test_an_accept_still_pending_settles_not_applied_and_gone_settles_applied() -> None:
    t = FakeTransport(LOST, PENDING_WITH_7, PENDING_WITH_7, LOST, ok({}), ok({"success": True, "message": "Success", "user": "IPSUM", "data": {}}))
    c = idn_toto.Client(BASE_URL, TOKEN, transport=t, settle_delay=0)
    with pytest.raises(idn_toto.OutcomeUnknownError) as first:
        c.accept_reject("deposit", "7", "IPSUM", "accept", "ok", "OP01")
    assert first.value.journal_id is None, "no journal"
    assert c.settle(first.value).state == "not_applied"
    with pytest.raises(idn_toto.OutcomeUnknownError) as second:
        c.accept_reject("deposit", "7", "IPSUM", "accept", "ok", "OP01")
    # Any client for the same agent settles it, from the canonical form.
    other = idn_toto.Client(BASE_URL, TOKEN, transport=t, settle_delay=0)
    unsettled = second.value.unsettled
    assert unsettled is not None
    settled = other.settle(idn_toto.Unsettled(unsettled.to_dict()))
    assert settled.state == "applied"
    assert [r.endpoint for r in t.requests] == [
        "accept_reject", "transaction_list", "transaction_list", "accept_reject", "transaction_list", "user_last_transaction"
    ]


def test_without_snapshots_a_lost_manual_answer_settles_undetermined_without_reads() -> None:
    t = FakeTransport(LOST)
    c = idn_toto.Client(BASE_URL, TOKEN, transport=t, settle_delay=0, snapshots=False)
    with pytest.raises(idn_toto.OutcomeUnknownError) as caught:
        c.manual_transaction("deposit", "LOREM", "c", 1, "OP01")
    assert len(t.requests) == 1
    settlement = c.settle(caught.value)
    assert settlement.state == "undetermined" and "snapshot" in settlement.reason
    assert len(t.requests) == 1


def test_a_failed_snapshot_read_sends_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    t = FakeTransport(ok({"success": False, "message": "User not found"}))
    c = journaled(path, t)
    with pytest.raises(idn_toto.ApiError):
        c.manual_transaction("deposit", "ghost", "c", 1, "OP01")
    assert [r.endpoint for r in t.requests] == ["user_history"]
    assert not path.exists() or path.read_text() == ""


def test_settle_waits_the_settle_delay_before_reading() -> None:
    events: List[Any] = []

    def lost(request: Any) -> Any:
        events.append(request.endpoint)
        return LOST

    def pending(request: Any) -> Any:
        events.append(request.endpoint)
        return PENDING_WITH_7

    c = idn_toto.Client(BASE_URL, TOKEN, transport=FakeTransport(lost, pending, pending), settle_delay=0.25)
    c._sleep = events.append
    with pytest.raises(idn_toto.OutcomeUnknownError) as caught:
        c.accept_reject("deposit", "7", "IPSUM", "accept", "ok", "OP01")
    c.settle(caught.value)
    # The delay, a read, the delay again, the read that confirms not_applied.
    assert events == ["accept_reject", 0.25, "transaction_list", 0.25, "transaction_list"]


def test_settle_refuses_what_it_cannot_settle() -> None:
    t = FakeTransport(ok({"success": True, "message": "All transactions has been successfully processed.", "data": []}))
    c = idn_toto.Client(BASE_URL, TOKEN, transport=t, settle_delay=0)
    done = c.multiple_transaction("deposit", [{"trans_id": "1", "user": "u", "action": "accept", "comment": "c", "operator": "o"}])
    for thing in (done[0], "123", None, idn_toto.OutcomeUnknownError("x", {"kind": "outcome_unknown"})):
        with pytest.raises(idn_toto.InvalidRequestError) as caught:
            c.settle(thing)  # type: ignore[arg-type]
        assert caught.value.field == "error_or_outcome"
    with pytest.raises(idn_toto.InvalidRequestError) as no_journal:
        c.unsettled()
    assert no_journal.value.field == "journal"
    for bad in ({"settle_delay": -1}, {"settle_delay": "5"}, {"settle_delay": True}, {"snapshots": 1}, {"journal": "j.jsonl"}):
        with pytest.raises(idn_toto.InvalidRequestError) as refused:
            idn_toto.Client(BASE_URL, TOKEN, **bad)  # type: ignore[arg-type]
        assert refused.value.field == next(iter(bad))


def test_a_batch_journals_every_item_and_its_unknown_items_settle(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    items = [{"user": u, "amount": "2500.5", "comment": "c", "operator": "o"} for u in ("LOREM", "IPSUM", "LOREM")]
    empty = ok({"success": True, "message": "Success", "user": "IPSUM", "data": []})
    intents_when_sent: List[int] = []

    def timed_out(request: Any) -> Any:
        intents_when_sent.append(sum(l["event"] == "intent" for l in lines(path)))
        raise TimeoutError("timed out")

    t = FakeTransport(HISTORY_BEFORE, empty, timed_out)
    c = journaled(path, t)
    outcomes = c.multiple_transaction("deposit", items)
    assert [r.endpoint for r in t.requests] == ["user_history", "user_history", "multiple_transaction"]
    assert [o.status for o in outcomes] == ["unknown"] * 3
    assert intents_when_sent == [3], "every item's intent is synced before the request leaves"
    assert all(o.journal_id for o in outcomes) and len({o.journal_id for o in outcomes}) == 3
    assert outcomes[1].params["user"] == "IPSUM" and outcomes[1].snapshot == {"entries": []}
    written = lines(path)
    assert [l["event"] for l in written] == ["intent"] * 3 + ["outcome"] * 3
    assert [l["id"] for l in written[:3]] == [o.journal_id for o in outcomes]
    assert [m.id for m in c.unsettled()] == [o.journal_id for o in outcomes]

    # LOREM has two items in the batch and both landed: the two new entries
    # are exactly the two items' amounts, so both settle applied together
    # (spec-notes 76; each item's snapshot lists its sibling's amount).
    # IPSUM's history is unchanged.
    assert outcomes[0].snapshot is not None and outcomes[0].snapshot["siblings"] == ["2500.5"]
    # One read per user (LOREM's two moves settle together), then the read
    # that confirms IPSUM's not_applied.
    t.answers += [HISTORY_AFTER_BOTH, empty, empty]
    settled = c.settle_unsettled()
    assert [s.state for s in settled] == ["applied", "not_applied", "applied"]
    assert [s.journal_id for s in settled] == [o.journal_id for o in outcomes]
    assert c.unsettled() == []
    assert_no_token(path.read_text(encoding="utf-8"))


def test_the_journal_never_holds_the_token_even_when_the_server_echoes_it(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    echo = f"refused /home.php/{TOKEN}/x {quote(TOKEN)} {TOKEN.lower()}"
    t = FakeTransport(
        (400, json.dumps({"success": False, "message": echo}).encode()),
        ok({"success": False, "message": echo}),
        LOST,
    )
    c = journaled(path, t, snapshots=False)
    with pytest.raises(idn_toto.IdnTotoError) as refused:
        c.accept_reject("deposit", "1", "u", "accept", "c", "o")
    assert not isinstance(refused.value, idn_toto.OutcomeUnknownError)
    with pytest.raises(idn_toto.ApiError):
        c.accept_reject("deposit", "2", "u", "accept", "c", "o")
    with pytest.raises(idn_toto.OutcomeUnknownError):
        c.manual_transaction("deposit", "u", "c", 1, "o")
    written = lines(path)
    assert [l.get("state") for l in written if l["event"] == "outcome"] == ["failed", "failed", "unknown"]
    assert_no_token(path.read_text(encoding="utf-8"))


def test_file_journal_lines_never_interleave_and_a_torn_tail_is_ignored_then_cut(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = idn_toto.FileJournal(path)
    params = {"type": "deposit", "trans_id": "1", "user": "u", "action": "accept", "comment": "c" * 3000, "operator": "o"}
    intent = line(id="x", event="intent", endpoint="accept_reject", params=params, at="t")

    def writer(n: int) -> None:
        for i in range(50):
            journal.append(outcome(params, "succeeded", f"{n}-{i}"))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    read = idn_toto.Journal.read(journal.read())
    assert len(read.records) == 400 and not read.torn_tail
    assert sorted(r.message or "" for r in read.records) == sorted(f"{n}-{i}" for n in range(8) for i in range(50))

    with open(path, "ab") as f:
        f.write(intent.encode()[:40])  # a crash mid-write
    assert idn_toto.Journal.read(journal.read()).torn_tail
    again = idn_toto.FileJournal(path)
    again.append(intent)
    read = idn_toto.Journal.read(again.read())
    assert len(read.records) == 401 and not read.torn_tail
    with pytest.raises(ValueError):
        again.append("two\nlines\n")
    with pytest.raises(ValueError):
        again.append_lines([intent, "no newline"])
    again.append_lines([intent, outcome(params, "failed", None)])
    assert [r.event for r in idn_toto.Journal.read(again.read()).records][-3:] == ["intent", "intent", "outcome"]


def test_the_async_client_settles_and_journals(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"

    async def main() -> None:
        t = AsyncFakeTransport(HISTORY_BEFORE, LOST, HISTORY_AFTER)
        c = idn_toto.AsyncClient(BASE_URL, TOKEN, transport=t, journal=idn_toto.FileJournal(path), settle_delay=0)
        with pytest.raises(idn_toto.OutcomeUnknownError) as caught:
            await c.manual_transaction("deposit", "LOREM", "c", "2500.50", "OP01")
        assert [m.id for m in await c.unsettled()] == [caught.value.journal_id]
        settled = await c.settle_unsettled()
        assert [s.state for s in settled] == ["applied"]
        assert await c.unsettled() == []

    asyncio.run(main())
    assert [l["event"] for l in lines(path)] == ["intent", "outcome", "settled"]


def test_a_failed_snapshot_read_sends_no_batch_item(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    t = FakeTransport(HISTORY_BEFORE, ConnectionResetError("reset"))
    c = journaled(path, t, retry=idn_toto.RetryPolicy.never())
    items = [{"user": u, "amount": "1", "comment": "c", "operator": "o"} for u in ("LOREM", "IPSUM")]
    outcomes = c.multiple_transaction("deposit", items)
    assert [o.status for o in outcomes] == ["not_sent", "not_sent"]
    assert "IPSUM" in (outcomes[0].message or "")
    assert [r.endpoint for r in t.requests] == ["user_history", "user_history"]
    assert not path.exists() or path.read_text() == "", "nothing journaled: nothing left"
    assert all(o.journal_id is None and o.unsettled() is None for o in outcomes)


@pytest.mark.parametrize("endpoint", ["manual_transaction", "multiple_transaction"])
def test_a_cancelled_money_move_is_journaled_unknown_then_settles(tmp_path: Path, endpoint: str) -> None:
    path = tmp_path / "j.jsonl"
    events: List[Any] = []
    flags: List[asyncio.Event] = []

    async def hangs(request: Any) -> Any:
        flags[0].set()
        await asyncio.sleep(3600)

    async def main() -> None:
        # Made in the loop (on CPython 3.9 an Event binds to the loop current
        # when it is made).
        sent = asyncio.Event()
        flags.append(sent)
        t = AsyncFakeTransport(hangs, HISTORY_AFTER)
        c = idn_toto.AsyncClient(
            BASE_URL, TOKEN, transport=t, journal=idn_toto.FileJournal(path), snapshots=False,
            settle_delay=0, on_event=events.append,
        )
        if endpoint == "manual_transaction":
            call = c.manual_transaction("deposit", "LOREM", "c", "2500.5", "OP01")
        else:
            call = c.multiple_transaction("deposit", [{"user": "LOREM", "amount": "2500.5", "comment": "c", "operator": "OP01"}])
        task = asyncio.ensure_future(call)
        await sent.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert [(l["event"], l.get("state")) for l in lines(path)] == [("intent", None), ("outcome", "unknown")]
        assert [e.kind for e in events][-2:] == ["transport_failure", "done"]
        assert "cancelled" not in json.dumps([l for l in lines(path) if l["event"] == "intent"])
        (open_move,) = await c.unsettled()
        assert open_move.last == "unknown"
        assert len(t.requests) == 1, "nothing more was sent"

    asyncio.run(main())


@pytest.mark.parametrize("endpoint", ["manual_transaction", "multiple_transaction"])
def test_an_interrupted_sync_money_move_is_journaled_unknown_then_the_interrupt_goes_on(
    tmp_path: Path, endpoint: str
) -> None:
    # The synchronous loop's counterpart of the cancelled async call above:
    # a KeyboardInterrupt while the request is in flight.
    path = tmp_path / "j.jsonl"
    events: List[Any] = []
    t = FakeTransport(KeyboardInterrupt())
    c = idn_toto.Client(
        BASE_URL, TOKEN, transport=t, journal=idn_toto.FileJournal(path), snapshots=False,
        on_event=events.append,
    )
    with pytest.raises(KeyboardInterrupt):
        if endpoint == "manual_transaction":
            c.manual_transaction("deposit", "LOREM", "c", "2500.5", "OP01")
        else:
            c.multiple_transaction("deposit", [{"user": "LOREM", "amount": "2500.5", "comment": "c", "operator": "OP01"}])
    assert [(l["event"], l.get("state")) for l in lines(path)] == [("intent", None), ("outcome", "unknown")]
    assert [e.kind for e in events][-2:] == ["transport_failure", "done"]
    (open_move,) = c.unsettled()
    assert open_move.last == "unknown"
    assert len(t.requests) == 1, "nothing more was sent"


def test_send_of_a_prepared_money_move_is_neither_journaled_nor_snapshotted(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    t = FakeTransport(ok({"success": True, "message": "Transaction has been successfully processed."}))
    c = journaled(path, t)
    done = c.send(c.prepare.manual_transaction("deposit", "LOREM", "c", 5, "OP01"))
    assert isinstance(done, idn_toto.Processed)
    assert [r.endpoint for r in t.requests] == ["manual_transaction"]
    assert not path.exists() or path.read_text() == ""

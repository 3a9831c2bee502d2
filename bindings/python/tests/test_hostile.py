"""Hostile answers and the host's own side effects (issue 19): a raw-socket
server on 127.0.0.1 (port 0) sends what no well-behaved server library
would (a body cut short of its Content-Length, two Content-Lengths, interim
1xx answers); the default transports hand the core every header and the
body as read, so the core's framing check decides, and a connection whose
answer's end is in doubt is never used again. Then: cancellation on every
supported CPython, hooks and logging that raise, a journal that can't be
written, option values refused at construction, and the deadline of an
async call that waits for a worker thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import json
import logging
import socket
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Tuple

import pytest

import idn_toto
from idn_toto import (
    AsyncClient,
    Client,
    InvalidRequestError,
    JournalWarning,
    OutcomeUnknownError,
    RetryPolicy,
    TransportError,
    UrllibTransport,
)

from conftest import BASE_URL, PROCESSED, TOKEN, AsyncFakeTransport, FakeTransport, ok, serve

MOVE_OK = b'{"success":true,"message":"Transaction has been successfully processed."}'
BATCH_OK = b'{"success":true,"message":"All transactions has been successfully processed.","data":[]}'
ITEMS = [
    {"trans_id": str(i), "user": "LOREM", "action": "accept", "comment": "c", "operator": "OP01"}
    for i in (1, 2)
]


def balance(user: str, amount: str) -> bytes:
    return json.dumps({"success": True, "message": "Success", "user": user, "balance": amount}).encode()


def answer(body: bytes, *, status: str = "200 OK", headers: Optional[List[str]] = None) -> bytes:
    """One HTTP/1.1 answer; ``headers`` default to the body's one true
    Content-Length."""
    lines = [f"HTTP/1.1 {status}"] + (headers if headers is not None else [f"Content-Length: {len(body)}"])
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Seen(NamedTuple):
    connection: int
    method: str
    target: str
    headers: List[Tuple[str, str]]

    def header(self, name: str) -> List[str]:
        return [v for k, v in self.headers if k.lower() == name]


class RawServer:
    """A raw-socket HTTP/1.1 server: ``respond(seen)`` gives the bytes to
    write for each request and whether to close the connection after them.
    A connection serves requests until one is answered with a close (or
    the client closes it). Records every request."""

    def __init__(self, respond: Callable[[Seen], Tuple[bytes, bool]]) -> None:
        self.respond = respond
        self.seen: List[Seen] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._connections = 0
        self._open: List[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/home.php") -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}{path}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._open.append(conn)
            number, self._connections = self._connections, self._connections + 1
            threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        reader = conn.makefile("rb")
        try:
            while True:
                line = reader.readline(65537)
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: List[Tuple[str, str]] = []
                while True:
                    header = reader.readline(65537).decode("latin-1").rstrip("\r\n")
                    if not header:
                        break
                    name, _, value = header.partition(":")
                    headers.append((name.strip(), value.strip()))
                length = sum(int(v) for k, v in headers if k.lower() == "content-length")
                if length:
                    reader.read(length)
                seen = Seen(number, method, target, headers)
                self.seen.append(seen)
                data, close = self.respond(seen)
                conn.sendall(data)
                if close:
                    return
        except OSError:
            return
        finally:
            reader.close()
            conn.close()

    def close(self) -> None:
        self._listener.close()
        for conn in self._open:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()


@pytest.fixture()
def raw() -> Iterator[Callable[[Callable[[Seen], Tuple[bytes, bool]]], RawServer]]:
    servers: List[RawServer] = []

    def start(respond: Callable[[Seen], Tuple[bytes, bool]]) -> RawServer:
        servers.append(RawServer(respond))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture()
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def client_for(server: RawServer, via_proxy: bool, **options: Any) -> Client:
    """A client of ``server``, or of a host nobody listens on with
    ``server`` as its proxy (which then answers in its place)."""
    if via_proxy:
        c = Client("http://127.0.0.1:9/home.php", TOKEN, proxy=server.url(""), timeout=5, **options)
    else:
        c = Client(server.url(), TOKEN, timeout=5, **options)
    c._sleep = lambda delay: None
    return c


def assert_framing_unknown(error: OutcomeUnknownError) -> None:
    assert error.cause is not None and error.cause.kind == "transport", error.to_dict()
    assert "framing" in str(error.cause), str(error.cause)
    assert TOKEN not in str(error)


# ------------------------------------------------ rows 1 and 2: framing


def cut(extra: int) -> Callable[[Seen], Tuple[bytes, bool]]:
    """Each answer says ``extra`` bytes more than its body, then closes."""

    def respond(seen: Seen) -> Tuple[bytes, bool]:
        body = MOVE_OK if "/push_dps/" in seen.target else BATCH_OK
        return answer(body, headers=[f"Content-Length: {len(body) + extra}"]), True

    return respond


def two_lengths(first_true: bool) -> Callable[[Seen], Tuple[bytes, bool]]:
    """Each answer has two different Content-Lengths (the true one first,
    or the larger one first), then closes."""

    def respond(seen: Seen) -> Tuple[bytes, bool]:
        body = MOVE_OK if "/push_dps/" in seen.target else BATCH_OK
        lengths = [len(body), len(body) + 7]
        if not first_true:
            lengths.reverse()
        return answer(body, headers=[f"Content-Length: {n}" for n in lengths]), True

    return respond


@pytest.mark.usefixtures("no_proxy_env")
@pytest.mark.parametrize("via_proxy", [False, True], ids=["direct", "proxy"])
@pytest.mark.parametrize(
    "respond",
    [cut(40), two_lengths(True), two_lengths(False)],
    ids=["content-length-larger-then-close", "two-lengths-true-first", "two-lengths-larger-first"],
)
def test_a_doubtful_answer_to_a_money_move_is_never_a_success(
    raw: Any, respond: Callable[[Seen], Tuple[bytes, bool]], via_proxy: bool
) -> None:
    server = raw(respond)
    c = client_for(server, via_proxy)
    with pytest.raises(OutcomeUnknownError) as caught:
        c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")
    assert_framing_unknown(caught.value)
    outcomes = c.multiple_transaction("deposit", ITEMS)
    assert [o.status for o in outcomes] == ["unknown", "unknown"]
    assert all("framing" in (o.message or "") for o in outcomes)
    assert len(server.seen) == 2, "money moves are never retried"
    if via_proxy:
        assert all(s.target.startswith("http://127.0.0.1:9/home.php/") for s in server.seen)


def test_a_cut_answer_is_never_a_success_for_the_async_client(raw: Any) -> None:
    server = raw(cut(40))

    async def main() -> None:
        c = AsyncClient(server.url(), TOKEN, timeout=5)
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")
        assert_framing_unknown(caught.value)
        outcomes = await c.multiple_transaction("deposit", ITEMS)
        assert [o.status for o in outcomes] == ["unknown", "unknown"]

    asyncio.run(main())


def test_every_header_is_handed_over_as_received(raw: Any) -> None:
    body = balance("lorem", "1.00")
    server = raw(
        lambda seen: (
            answer(body, headers=[f"Content-Length: {len(body)}", "X-Twice: a", "X-Twice: b", "x-case: kept"]),
            True,
        )
    )
    got = UrllibTransport(timeout=5)(Client(server.url(), TOKEN).prepare.user_balance("LOREM"))
    assert [pair for pair in got.headers if pair[0].lower() in ("x-twice", "x-case")] == [
        ("X-Twice", "a"),
        ("X-Twice", "b"),
        ("x-case", "kept"),
    ]


# --------------------------------------------- row 4: interim 1xx answers

INTERIM = (
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 102 Processing\r\n\r\n"
    "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nLink: </x.js>; rel=preload\r\n\r\n"
).encode()


def test_interim_answers_are_skipped_and_never_shift_an_answer_to_the_next_request(raw: Any) -> None:
    def respond(seen: Seen) -> Tuple[bytes, bool]:
        if "/player_info/LOREM" in seen.target:
            return answer(b"", status="103 Early Hints", headers=["Link: </a.css>; rel=preload"]) + answer(
                balance("lorem", "1.00")
            ), False
        if "/player_info/IPSUM" in seen.target:
            return answer(balance("ipsum", "2.00")), False
        return INTERIM + answer(MOVE_OK), True

    server = raw(respond)
    c = client_for(server, False)
    first = c.user_balance("LOREM")
    second = c.user_balance("IPSUM")
    done = c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")
    third = c.user_balance("IPSUM")
    assert (first.user, str(first.balance)) == ("lorem", "1.00")
    assert (second.user, str(second.balance)) == ("ipsum", "2.00"), "each read gets its own answer"
    assert (third.user, str(third.balance)) == ("ipsum", "2.00")
    assert done.message == "Transaction has been successfully processed."
    assert [s.target.rsplit("/", 1)[-1] for s in server.seen] == ["LOREM", "IPSUM", "OP01", "IPSUM"], (
        "nothing was retried"
    )
    reads = {s.connection for s in server.seen if "/player_info/" in s.target}
    moves = {s.connection for s in server.seen if "/push_dps/" in s.target}
    assert len(reads) == 1, "a read answered after a 103 keeps its connection"
    assert len(moves) == 1 and not moves & reads
    c._transport.close()  # type: ignore[attr-defined]


def test_interim_answers_are_skipped_through_a_proxy_and_for_the_async_client(
    raw: Any, no_proxy_env: None
) -> None:
    server = raw(lambda seen: (INTERIM + answer(MOVE_OK), True))
    done = client_for(server, True).accept_reject("deposit", "1", "u", "accept", "c", "o")
    assert done.message == "Transaction has been successfully processed."

    async def main() -> str:
        c = AsyncClient(server.url(), TOKEN, timeout=5)
        return (await c.accept_reject("deposit", "2", "u", "accept", "c", "o")).message

    assert asyncio.run(main()) == "Transaction has been successfully processed."
    assert len(server.seen) == 2


def test_a_connection_whose_answer_was_in_doubt_is_never_used_again(raw: Any) -> None:
    # Two equal Content-Lengths: http.client reads the body to its end and
    # would keep the connection; the core refuses the answer, and the
    # retry must not go over that connection.
    body = balance("lorem", "1.00")
    server = raw(
        lambda seen: (answer(body, headers=[f"Content-Length: {len(body)}"] * 2), False)
        if len(server.seen) == 1
        else (answer(body), False)
    )
    c = client_for(server, False)
    assert c.user_balance("LOREM").user == "lorem"
    assert [s.connection for s in server.seen] == [0, 1], "the retry went over a new connection"
    c._transport.close()  # type: ignore[attr-defined]


def test_a_101_answer_is_refused_and_its_connection_dropped(raw: Any) -> None:
    body = balance("lorem", "1.00")
    server = raw(
        lambda seen: (answer(b"", status="101 Switching Protocols", headers=["Upgrade: h2c"]), False)
        if len(server.seen) == 1
        else (answer(body), False)
    )
    c = client_for(server, False)
    assert c.user_balance("LOREM").user == "lorem"
    assert [s.connection for s in server.seen] == [0, 1]
    c._transport.close()  # type: ignore[attr-defined]


# ------------------------------------------ item 2: fresh money connections


def test_money_moves_never_share_a_connection_with_anything_else(raw: Any) -> None:
    def respond(seen: Seen) -> Tuple[bytes, bool]:
        if "/player_info/" in seen.target:
            return answer(balance("lorem", "1.00")), False
        if "/push_dps" in seen.target and seen.method == "POST":
            return answer(BATCH_OK), False  # the server would keep it: the client must not
        return answer(MOVE_OK), False

    server = raw(respond)

    async def main() -> None:
        # The user's own headers can't take a money move's connection back.
        c = AsyncClient(server.url(), TOKEN, timeout=5)
        mine = Client(server.url(), TOKEN, transport=UrllibTransport(5, headers={"Connection": "keep-alive"}))
        for _ in range(3):
            await asyncio.gather(
                c.user_balance("LOREM"),
                c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01"),
                c.user_balance("LOREM"),
                c.multiple_transaction("deposit", ITEMS),
            )
            mine.user_balance("LOREM")
            mine.accept_reject("deposit", "2", "LOREM", "accept", "c", "OP01")

    asyncio.run(main())
    money = [s for s in server.seen if "/push_dps" in s.target]
    assert len(money) == 9
    by_connection: Dict[int, int] = {}
    for s in server.seen:
        by_connection[s.connection] = by_connection.get(s.connection, 0) + 1
    assert all(by_connection[s.connection] == 1 for s in money), "a money move's connection carried nothing else"
    assert all(s.header("connection") == ["close"] for s in money)
    assert all(s.header("accept-encoding") == ["identity"] for s in money)
    reads = [s for s in server.seen if "/player_info/" in s.target]
    assert len({s.connection for s in reads}) < len(reads), "reads still share kept-alive connections"


# ------------------------------------------------- row 6: cancellation


def history_answer() -> Tuple[int, bytes]:
    return ok({"success": True, "message": "Success", "user": "LOREM", "data": []})


def test_a_cancel_as_the_history_read_completes_sends_nothing_more() -> None:
    # The history read's transport asks for the cancel and returns its
    # answer in the same step: asyncio.wait_for (CPython <= 3.11) returned
    # that answer and swallowed the cancel, and the manual move was sent.
    async def main() -> None:
        holder: List[Any] = []

        async def history(request: Any) -> Any:
            holder[0].cancel()
            return history_answer()

        t = AsyncFakeTransport(history, PROCESSED)
        c = AsyncClient(BASE_URL, TOKEN, transport=t, timeout=5)
        holder.append(asyncio.ensure_future(c.manual_transaction("deposit", "LOREM", "c", "5", "OP01")))
        with pytest.raises(asyncio.CancelledError):
            await holder[0]
        assert [r.endpoint for r in t.requests] == ["user_history"], "nothing was sent after the cancel"

    asyncio.run(main())


def test_a_cancel_asked_for_by_a_hook_sends_nothing_more(tmp_path: Path) -> None:
    # An `on_event` hook cancels the call's own task on the move's
    # `attempt` event (after the history read): the cancel is taken before
    # the move is handed to the transport, and the journal says it was not
    # sent.
    path = tmp_path / "j.jsonl"

    async def main() -> None:
        holder: List[Any] = []

        def hook(event: Any) -> None:
            if event.kind == "attempt" and event.endpoint == "manual_transaction":
                holder[0].cancel()

        t = AsyncFakeTransport(history_answer(), PROCESSED)
        c = AsyncClient(
            BASE_URL, TOKEN, transport=t, timeout=5, on_event=hook, journal=idn_toto.FileJournal(path)
        )
        holder.append(asyncio.ensure_future(c.manual_transaction("deposit", "LOREM", "c", "5", "OP01")))
        with pytest.raises(asyncio.CancelledError):
            await holder[0]
        assert [r.endpoint for r in t.requests] == ["user_history"]
        assert await c.unsettled() == [], "a move that was never sent is not open"

    asyncio.run(main())
    states = [(line["event"], line.get("state")) for line in map(json.loads, path.read_text().splitlines())]
    assert states == [("intent", None), ("outcome", "not_sent")]


def test_a_cancel_while_the_move_waits_for_a_thread_is_not_sent(raw: Any, tmp_path: Path) -> None:
    # One worker thread, held by a read; the money move queued behind it is
    # cancelled: it was never sent, and its journal outcome says so.
    release = threading.Event()

    def respond(seen: Seen) -> Tuple[bytes, bool]:
        release.wait(10)
        return answer(balance("lorem", "1.00") if "/player_info/" in seen.target else MOVE_OK), True

    server = raw(respond)
    path = tmp_path / "j.jsonl"

    submitted: List[Any] = []

    class Counting(concurrent.futures.ThreadPoolExecutor):
        def submit(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            future = super().submit(*args, **kwargs)
            submitted.append(future)
            return future

    async def main() -> None:
        asyncio.get_running_loop().set_default_executor(Counting(1))
        c = AsyncClient(server.url(), TOKEN, timeout=5, journal=idn_toto.FileJournal(path))
        read = asyncio.ensure_future(c.user_balance("LOREM"))
        while not server.seen:  # the read holds the only thread
            await asyncio.sleep(0.01)
        move = asyncio.ensure_future(c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01"))
        while len(submitted) < 2:
            await asyncio.sleep(0.01)  # until the move is queued behind the read
        assert not submitted[1].running()
        move.cancel()
        with pytest.raises(asyncio.CancelledError):
            await move
        release.set()
        assert (await read).user == "lorem"

    asyncio.run(main())
    assert [s.target.rsplit("/", 1)[-1] for s in server.seen] == ["LOREM"], "the move never left"
    states = [(line["event"], line.get("state")) for line in map(json.loads, path.read_text().splitlines())]
    assert states == [("intent", None), ("outcome", "not_sent")]


# ---------------------------------------------- row 7: hooks and logging


class Raising(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        raise RuntimeError("the filter is broken")


class RaisingHandler(logging.Handler):
    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        raise RuntimeError("the handler is broken")


def journaled(path: Path, transport: Any, **options: Any) -> Client:
    c = Client(BASE_URL, TOKEN, transport=transport, journal=idn_toto.FileJournal(path), **options)
    c._sleep = lambda delay: None
    return c


def lines(path: Path) -> List[Tuple[str, Optional[str]]]:
    if not path.exists():
        return []
    return [(line["event"], line.get("state")) for line in map(json.loads, path.read_text().splitlines())]


@pytest.mark.parametrize("broken", ["filter", "handler"])
def test_a_raising_log_filter_or_handler_never_loses_the_answer(tmp_path: Path, broken: str) -> None:
    logger = logging.getLogger("idn_toto")
    part: Any = Raising() if broken == "filter" else RaisingHandler()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    (logger.addFilter if broken == "filter" else logger.addHandler)(part)
    try:
        path = tmp_path / "j.jsonl"
        t = FakeTransport(PROCESSED)
        c = journaled(path, t)
        with pytest.warns(RuntimeWarning, match="idn_toto' logger raised RuntimeError"):
            done = c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")
        assert done.message == "Transaction has been successfully processed."
        assert lines(path) == [("intent", None), ("outcome", "succeeded")]
        assert len(t.requests) == 1
    finally:
        (logger.removeFilter if broken == "filter" else logger.removeHandler)(part)
        logger.setLevel(level)


def test_a_raising_hook_with_a_broken_logger_never_loses_the_answer(tmp_path: Path) -> None:
    logger = logging.getLogger("idn_toto")
    broken = Raising()
    logger.addFilter(broken)

    def hook(event: Any) -> None:
        raise ValueError("the hook is broken")

    try:
        path = tmp_path / "j.jsonl"
        c = journaled(path, FakeTransport(PROCESSED), on_event=hook)
        with pytest.warns(RuntimeWarning, match="on_event raised ValueError"):
            done = c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")
        assert done.message.startswith("Transaction has been")
        assert lines(path) == [("intent", None), ("outcome", "succeeded")]
    finally:
        logger.removeFilter(broken)


# --------------------------------------------- row 8: the journal can't write


class FailingJournal(idn_toto.FileJournal):
    """Fails as a full disk does on the lines ``fails`` picks (default:
    every outcome line)."""

    def __init__(self, path: Path, fails: Callable[[Dict[str, Any]], bool] = lambda line: line["event"] == "outcome") -> None:
        super().__init__(path)
        self.fails = fails

    def append(self, line: str) -> None:
        if self.fails(json.loads(line)):
            raise OSError(errno.ENOSPC, "No space left on device")
        super().append(line)


def test_a_lost_outcome_line_keeps_the_money_moves_answer(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    events: List[Any] = []
    t = FakeTransport(PROCESSED)
    c = Client(BASE_URL, TOKEN, transport=t, journal=FailingJournal(path), on_event=events.append)
    with pytest.warns(JournalWarning, match="No space left on device"):
        done = c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")
    assert done.message == "Transaction has been successfully processed."
    assert done.journal_unwritten is True
    assert "journal_unwritten=True" in repr(done)
    assert lines(path) == [("intent", None)]
    (open_move,) = c.unsettled()
    assert open_move.last == "intent", "the move stays open in the journal"
    failures = [e for e in events if e.kind == "journal_failure"]
    assert len(failures) == 1 and failures[0].error_kind == "journal"
    # The same client, the journal writable again: no flag.
    c._journal = idn_toto.FileJournal(path)  # type: ignore[assignment]
    t.answers.append(PROCESSED)
    assert c.accept_reject("deposit", "2", "LOREM", "accept", "c", "OP01").journal_unwritten is False


def test_a_lost_outcome_line_keeps_an_unknown_outcome_and_a_refusal(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    c = journaled(path, FakeTransport(ConnectionResetError("reset")), snapshots=False)
    c._journal = FailingJournal(path)  # type: ignore[assignment]
    with pytest.warns(JournalWarning):
        with pytest.raises(OutcomeUnknownError) as caught:
            c.manual_transaction("deposit", "LOREM", "c", "5", "OP01")
    assert caught.value.journal_unwritten is True and caught.value.journal_id is not None
    refused = ok({"success": False, "message": "User not found"})
    c = journaled(tmp_path / "k.jsonl", FakeTransport(refused), snapshots=False)
    c._journal = FailingJournal(tmp_path / "k.jsonl")  # type: ignore[assignment]
    with pytest.warns(JournalWarning):
        with pytest.raises(idn_toto.ApiError) as refusal:
            c.manual_transaction("deposit", "LOREM", "c", "5", "OP01")
    assert refusal.value.journal_unwritten is True
    assert idn_toto.ApiError("x").journal_unwritten is False


def test_a_batch_flags_the_items_whose_outcome_line_was_lost(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    items = [dict(ITEMS[0], trans_id=str(i)) for i in range(27)]
    # Two requests (25 + 2 items); the outcome lines of the even items fail.
    journal = FailingJournal(
        path, lambda line: line["event"] == "outcome" and int(line["params"]["trans_id"]) % 2 == 0
    )
    done = ok({"success": True, "message": "ok", "data": []})
    c = Client(BASE_URL, TOKEN, transport=FakeTransport(done, done), journal=journal)
    with pytest.warns(JournalWarning):
        outcomes = c.multiple_transaction("deposit", items)
    assert [o.status for o in outcomes] == ["succeeded"] * 27
    assert [o.journal_unwritten for o in outcomes] == [i % 2 == 0 for i in range(27)]
    assert sorted(m.id for m in c.unsettled()) == sorted(o.journal_id for o in outcomes if o.journal_unwritten)


def test_an_intent_that_cant_be_written_sends_nothing(tmp_path: Path) -> None:
    t = FakeTransport(PROCESSED)
    c = Client(BASE_URL, TOKEN, transport=t, journal=FailingJournal(tmp_path / "j.jsonl", lambda line: True))
    with pytest.raises(InvalidRequestError) as caught:
        c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")
    assert caught.value.field == "journal" and "No space left" in str(caught.value)
    outcomes = c.multiple_transaction("deposit", ITEMS)
    assert [o.status for o in outcomes] == ["not_sent", "not_sent"]
    assert t.requests == [], "nothing was sent"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_as_the_journal_sends_nothing() -> None:
    t = FakeTransport(PROCESSED)
    c = Client(BASE_URL, TOKEN, transport=t, journal=idn_toto.FileJournal("/dev/full"))
    with pytest.raises(InvalidRequestError) as caught:
        c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")
    assert caught.value.field == "journal"
    assert t.requests == []


def test_the_async_client_keeps_the_answer_when_the_outcome_line_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"

    async def main() -> Any:
        c = AsyncClient(BASE_URL, TOKEN, transport=AsyncFakeTransport(PROCESSED), journal=FailingJournal(path))
        return await c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")

    with pytest.warns(JournalWarning):
        done = asyncio.run(main())
    assert done.journal_unwritten is True


def test_warnings_turned_into_errors_never_hide_the_answer(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    c = Client(BASE_URL, TOKEN, transport=FakeTransport(PROCESSED), journal=FailingJournal(path))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        done = c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")
    assert done.journal_unwritten is True


# ------------------------------------- row 10 and item 5: option values


BAD_SECONDS = [float("inf"), float("-inf"), float("nan"), 1e12, 86_400.5, 0, -1, True, "5", 10**30]


@pytest.mark.parametrize("bad", BAD_SECONDS, ids=repr)
def test_bad_timeouts_are_refused_at_construction_naming_the_option(bad: Any) -> None:
    for make in (
        lambda: Client(BASE_URL, TOKEN, timeout=bad),
        lambda: AsyncClient(BASE_URL, TOKEN, timeout=bad),
        lambda: Client(BASE_URL, TOKEN).with_options(timeout=bad),
        lambda: UrllibTransport(timeout=bad),
        lambda: idn_toto.ThreadedUrllibTransport(timeout=bad),
    ):
        with pytest.raises(InvalidRequestError) as caught:
            make()
        assert caught.value.field == "timeout"
        assert "86400" in caught.value.reason


def test_the_largest_timeout_and_none_are_taken() -> None:
    assert Client(BASE_URL, TOKEN, timeout=86_400).timeout == 86_400
    assert Client(BASE_URL, TOKEN, timeout=None).timeout is None
    assert UrllibTransport(timeout=0.001).timeout == 0.001


def test_a_timeout_given_to_send_is_checked_before_anything_is_sent(raw: Any) -> None:
    server = raw(lambda seen: (answer(MOVE_OK), True))
    request = Client(server.url(), TOKEN).prepare.accept_reject("deposit", "1", "u", "accept", "c", "o")
    with pytest.raises(InvalidRequestError) as caught:
        UrllibTransport().send(request, timeout=float("inf"))
    assert caught.value.field == "timeout"
    assert server.seen == []


@pytest.mark.parametrize("option", ["retry", "with_options"])
def test_a_retry_delay_too_long_to_sleep_is_refused(option: str) -> None:
    policy = RetryPolicy(max_delay_ms=10**13)
    with pytest.raises(InvalidRequestError) as caught:
        if option == "retry":
            Client(BASE_URL, TOKEN, retry=policy)
        else:
            Client(BASE_URL, TOKEN).with_options(retry=policy)
    assert caught.value.field == "retry"
    Client(BASE_URL, TOKEN, retry=RetryPolicy(max_delay_ms=86_400_000))


def test_max_body_size_of_the_transport_is_checked() -> None:
    for bad in (-1, 1.5, "10", True):
        with pytest.raises(InvalidRequestError) as caught:
            UrllibTransport(max_body_size=bad)  # type: ignore[arg-type]
        assert caught.value.field == "max_body_size"


# ------------------------- row 11: the deadline of a queued async call


class Slow(BaseHTTPRequestHandler):
    """Takes HOLD seconds over every money move (the scenario itself: a
    slow server, well inside the client's timeout)."""

    HOLD = 0.5
    seen: List[str] = []
    stop = threading.Event()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        Slow.seen.append(self.path)
        Slow.stop.wait(Slow.HOLD)
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(MOVE_OK)))
            self.end_headers()
            self.wfile.write(MOVE_OK)
        except OSError:
            pass


def test_time_waiting_for_a_worker_thread_is_not_counted_against_the_timeout() -> None:
    # Two worker threads, ten concurrent moves, each answered in 0.5 s, a
    # 1.2 s timeout: the last ones wait ~2 s for a thread. Counted from the
    # call, they timed out (unknown outcomes, though never sent).
    Slow.seen = []
    with serve(Slow, stop=Slow.stop) as url:

        async def main() -> List[Any]:
            asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(2))
            c = AsyncClient(url, TOKEN, timeout=1.2)
            calls = [c.accept_reject("deposit", str(i), "LOREM", "accept", "c", "OP01") for i in range(10)]
            return list(await asyncio.gather(*calls, return_exceptions=True))

        started = time.monotonic()
        results = asyncio.run(main())
        took = time.monotonic() - started
    assert [type(r).__name__ for r in results] == ["Processed"] * 10, results
    assert len(Slow.seen) == 10, "each move sent once"
    assert took >= 2.5, "five rounds of two (the scenario held)"


def test_the_deadline_still_bounds_an_exchange_a_thread_has_taken() -> None:
    Slow.seen = []
    with serve(Slow, stop=Slow.stop) as url:

        async def main() -> None:
            c = AsyncClient(url, TOKEN, timeout=0.2)
            with pytest.raises(OutcomeUnknownError) as caught:
                await c.accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")
            assert "timed out" in str(caught.value)

        asyncio.run(main())
    assert len(Slow.seen) == 1


def test_a_custom_async_transport_is_still_bounded_from_the_call() -> None:
    async def slow(request: Any) -> Any:
        await asyncio.sleep(5)
        return PROCESSED

    async def main() -> None:
        c = AsyncClient(BASE_URL, TOKEN, transport=AsyncFakeTransport(slow), timeout=0.05, snapshots=False)
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.manual_transaction("deposit", "u", "c", 5, "o")
        assert "timed out after 0.05 s" in str(caught.value)

    asyncio.run(main())


def test_a_transport_that_fails_late_after_its_timeout_is_not_logged_as_unretrieved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def late(request: Any) -> Any:
        try:
            await asyncio.sleep(5)
        finally:
            raise OSError("late failure")

    async def main() -> None:
        c = AsyncClient(BASE_URL, TOKEN, transport=AsyncFakeTransport(late), timeout=0.05, snapshots=False)
        with pytest.raises(OutcomeUnknownError):
            await c.manual_transaction("deposit", "u", "c", 5, "o")
        await asyncio.sleep(0.05)

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        asyncio.run(main())
    assert "never retrieved" not in caplog.text


def test_a_lost_settled_line_keeps_the_verdict_and_flags_only_its_move(tmp_path: Path) -> None:
    from conftest import pending_list

    path = tmp_path / "j.jsonl"
    t = FakeTransport(ConnectionResetError("reset"), ConnectionResetError("reset"))
    c = Client(BASE_URL, TOKEN, transport=t, journal=idn_toto.FileJournal(path), settle_delay=0)
    for trans_id, user in (("1", "user1"), ("2", "user2")):
        with pytest.raises(OutcomeUnknownError):
            c.accept_reject("deposit", trans_id, user, "accept", "c", "OP01")
    # Both still pending: not applied. Move 1's `settled` line can't be written.
    c._journal = FailingJournal(  # type: ignore[assignment]
        path, lambda line: line["event"] == "settled" and line["params"]["trans_id"] == "1"
    )
    # Each not_applied is confirmed by a second read (spec-notes 124).
    t.answers += [(200, pending_list(2))] * 4
    with pytest.warns(JournalWarning):
        settled = c.settle_unsettled()
    assert [(s.unsettled.params["trans_id"], s.state, s.journal_unwritten) for s in settled] == [
        ("1", "not_applied", True),
        ("2", "not_applied", False),
    ]
    assert [m.unsettled.params["trans_id"] for m in c.unsettled()] == ["1"], "move 1 stays open"

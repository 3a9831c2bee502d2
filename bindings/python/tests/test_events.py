"""Events: `on_event` gets every attempt, answer, retry and outcome from the
core, the `idn_toto` logger logs each at DEBUG, and neither ever holds the
token, in any encoding, even when the server echoes it."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, List, Tuple
from urllib.parse import quote, quote_plus

import pytest

import idn_toto
from idn_toto import AsyncClient, Client, Event, RetryPolicy

from conftest import (
    BALANCE,
    BASE_URL,
    PROCESSED,
    SANDBOX_TOKEN,
    TOKEN,
    AsyncFakeTransport,
    FakeTransport,
    faulty,
    readme_snippet,
    reset,
    run_snippet,
)

# A token whose encodings all differ: raw, percent-encoded, JSON-escaped.
ODD_TOKEN = 'S3CR+T~\u00e9"<K3Y>'


def encodings(token: str) -> List[str]:
    forms = {
        token,
        quote(token, safe=""),
        quote(token, safe="-._~"),
        quote_plus(token),
        json.dumps(token)[1:-1],
        json.dumps(token, ensure_ascii=False)[1:-1],
    }
    return sorted(forms)


def leaks(token: str, texts: List[str]) -> List[Tuple[str, str]]:
    return [(form, text) for text in texts for form in encodings(token) if form in text]


def texts_of(events: List[Event]) -> List[str]:
    return [t for e in events for t in (repr(e), e.message(), json.dumps(e.to_dict()), e.body or "", e.url)]


def test_a_retried_read_is_a_sequence_of_events() -> None:
    events: List[Event] = []
    t = FakeTransport((503, b"busy"), BALANCE)
    c = Client(BASE_URL, TOKEN, transport=t, on_event=events.append)
    c._sleep = lambda delay: None
    c.user_balance("LOREM")
    kinds = [e.kind for e in events]
    assert kinds == ["attempt", "response", "retry", "attempt", "response", "done"]
    assert all(e.endpoint == "user_balance" and e.method == "GET" for e in events)
    assert all(e.url == f"{BASE_URL}/***/player_info/LOREM" for e in events)
    first, retry, last = events[1], events[2], events[4]
    assert (first.status, first.error_kind, first.attempt) == (503, "http", 0)
    assert retry.delay_ms == 200 and last.attempt == 1 and last.status == 200
    assert events[-1].status == 200 and events[-1].error_kind is None
    assert all(e.elapsed_ms is not None for e in events if e.kind in ("response", "done"))
    assert all(e.body is None for e in events), "bodies only when asked for"
    assert events[0] == events[0] and events[0] != events[3]


def test_a_money_move_is_never_retried_and_its_unknown_outcome_is_an_event() -> None:
    events: List[Event] = []
    t = FakeTransport(ConnectionResetError("reset"))
    c = Client(BASE_URL, TOKEN, transport=t, on_event=events.append, snapshots=False)
    with pytest.raises(idn_toto.OutcomeUnknownError):
        c.accept_reject("deposit", 1, "LOREM", "accept", "c", "OP01")
    assert [e.kind for e in events] == ["attempt", "transport_failure", "done"]
    assert events[-1].error_kind == "outcome_unknown" and events[-1].method == "GET"


def test_the_logger_logs_each_event_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    events: List[Event] = []
    c = Client(BASE_URL, TOKEN, transport=FakeTransport(PROCESSED), on_event=events.append, snapshots=False)
    with caplog.at_level(logging.DEBUG, logger="idn_toto"):
        c.manual_transaction("deposit", "LOREM", "c", 5, "OP01")
    records = [r for r in caplog.records if r.name == "idn_toto"]
    assert [r.getMessage() for r in records] == [e.message() for e in events]
    assert all(r.levelno == logging.DEBUG for r in records) and len(records) == 3
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="idn_toto"):
        Client(BASE_URL, TOKEN, transport=FakeTransport(BALANCE)).user_balance("LOREM")
    assert caplog.records == []


def test_no_event_and_no_log_line_holds_the_token_in_any_encoding(caplog: pytest.LogCaptureFixture) -> None:
    def echo(status: int) -> Any:
        body = " ".join(encodings(ODD_TOKEN)).encode()
        return lambda request: (status, {"X-Echo": "token"}, request.url.encode() + b" " + body)

    events: List[Event] = []
    t = FakeTransport(echo(503), echo(500), echo(404), echo(200), echo(500))
    c = Client(BASE_URL, ODD_TOKEN, transport=t, on_event=events.append, log_bodies=True)
    c._sleep = lambda delay: None
    with caplog.at_level(logging.DEBUG, logger="idn_toto"):
        with pytest.raises(idn_toto.HttpError):
            c.user_balance("LOREM")  # 503, 500, 404
        with pytest.raises(idn_toto.DecodeError):
            c.game_list()  # 200 that is not JSON
        with pytest.raises(idn_toto.OutcomeUnknownError):
            c.with_options(retry=RetryPolicy.never()).accept_reject("deposit", 1, "u", "accept", "c", "o")
    assert all(leaks(ODD_TOKEN, [r.url]) for r in t.requests), "the token was really sent"
    bodies = [e.body for e in events if e.body]
    assert len(bodies) == 5 and all("***" in b for b in bodies), "the echoed bodies, scrubbed"
    texts = texts_of(events) + [r.getMessage() for r in caplog.records]
    assert leaks(ODD_TOKEN, texts) == []


def test_an_observer_that_raises_changes_nothing(caplog: pytest.LogCaptureFixture) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("observer bug")

    c = Client(BASE_URL, TOKEN, transport=FakeTransport(BALANCE), on_event=broken)
    with caplog.at_level(logging.WARNING, logger="idn_toto"):
        assert c.user_balance("LOREM").user == "lorem"
    assert len(caplog.records) == 3 and "on_event raised" in caplog.records[0].getMessage()
    with pytest.raises(idn_toto.InvalidRequestError) as caught:
        Client(BASE_URL, TOKEN, on_event="print")  # type: ignore[arg-type]
    assert caught.value.field == "on_event"


def test_async_events_and_pages() -> None:
    events: List[Event] = []
    page = {"success": True, "message": "ok", "total_data": "1 Rows", "total_page": "1 Page(s)", "data": []}
    t = AsyncFakeTransport((200, json.dumps(page).encode()))

    async def main() -> int:
        c = AsyncClient(BASE_URL, TOKEN, transport=t, on_event=events.append)
        return len([row async for row in c.iter_full_transaction("LOREMS")])

    assert asyncio.run(main()) == 0
    assert [e.kind for e in events] == ["attempt", "response", "done"]


# ------------------------------------------------------ against the sandbox


class FirstFaulty:
    """The sandbox's fault on the first request only; clean afterwards."""

    def __init__(self, fault: str) -> None:
        self.sends = [faulty(fault), faulty(None)]

    def __call__(self, request: Any) -> Any:
        send = self.sends.pop(0) if len(self.sends) > 1 else self.sends[0]
        return send(request)


@pytest.mark.parametrize("fault", ["429=1", "503=1"])
def test_the_sandbox_retry_after_is_waited(sandbox: Tuple[str, str], fault: str) -> None:
    base_url, admin = sandbox
    reset(admin)
    delays: List[float] = []
    events: List[Event] = []
    c = Client(base_url, SANDBOX_TOKEN, transport=FirstFaulty(fault), on_event=events.append)
    c._sleep = delays.append
    assert c.user_balance("LOREM").user.lower() == "lorem"
    assert delays == [1.0], "Retry-After: 1, not the 200 ms backoff"
    assert [e.delay_ms for e in events if e.kind == "retry"] == [1000]
    capped = Client(base_url, SANDBOX_TOKEN, transport=FirstFaulty(fault), retry=RetryPolicy(max_delay_ms=300))
    capped._sleep = delays.append
    capped.user_balance("LOREM")
    assert delays == [1.0, 0.3]


def test_the_sandbox_echoing_the_token_never_reaches_an_event(
    sandbox: Tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    base_url, admin = sandbox
    events: List[Event] = []
    c = Client(
        base_url,
        SANDBOX_TOKEN,
        transport=faulty("echo-token"),
        on_event=events.append,
        log_bodies=True,
        retry=RetryPolicy(base_delay_ms=1, max_delay_ms=1),
    )
    with caplog.at_level(logging.DEBUG, logger="idn_toto"):
        with pytest.raises(idn_toto.HttpError):
            c.game_list()
    assert [e.kind for e in events].count("response") == 3
    assert leaks(SANDBOX_TOKEN, texts_of(events) + [r.getMessage() for r in caplog.records]) == []


def test_the_package_readme_events_snippet_runs(sandbox: Tuple[str, str]) -> None:
    base_url, admin = sandbox
    reset(admin)
    readme = Path(__file__).resolve().parents[1] / "README.md"
    snippet = readme_snippet(readme, "<!-- run by tests/test_events.py -->")
    assert "from_env(" in snippet and "with_options(" in snippet and "on_event" in snippet
    out = run_snippet(snippet, base_url, SANDBOX_TOKEN)
    assert out.stdout.split() == ["8900.00", "[]"], out.stdout
    assert out.stderr.count("DEBUG:idn_toto:user_balance GET") == 3, out.stderr
    assert leaks(SANDBOX_TOKEN, [out.stdout, out.stderr]) == []

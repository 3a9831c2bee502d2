"""Limits that must hold: a total deadline per call (sync, async), floats
refused for every amount, bounded paging, bounded bodies, plain http only
with the opt-in."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Dict, Iterator, List

import pytest

import idn_toto
from idn_toto import (
    AsyncClient,
    Client,
    DecodeError,
    InvalidRequestError,
    OutcomeUnknownError,
    TransportError,
)

from conftest import serve

TOKEN = "LIMITS-TOKEN-1"
BASE = "https://agent.example.com/home.php"
BIG = 8 * 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    stop = threading.Event()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        try:
            self.send_response(200)
            if "/player_info/SLOWHEAD" in self.path:
                self.wfile.write(b"X-Slow: ")
            self.send_header("Content-Type", "application/json")
            if "/push_dps/" in self.path or "/player_info/DRIP" in self.path:
                # The scenario itself: one byte every 0.1 s for 20 s, each
                # read well inside a 1 s socket timeout.
                self.end_headers()
                for _ in range(200):
                    if Handler.stop.wait(0.1):
                        return
                    self.wfile.write(b" ")
                    self.wfile.flush()
            elif "/player_info/SLOWHEAD" in self.path:
                # The headers themselves dripped: one byte every 0.1 s, for
                # 20 s, before the blank line that ends them.
                for _ in range(200):
                    if Handler.stop.wait(0.1):
                        return
                    self.wfile.write(b"X")
                    self.wfile.flush()
            elif "/player_info/BIG" in self.path:
                self.send_header("Content-Length", str(BIG))
                self.end_headers()
                chunk = b" " * 65536
                for _ in range(BIG // len(chunk)):
                    self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up: that is the test


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(Handler, stop=Handler.stop) as url:
        yield url


def test_sync_timeout_is_a_total_deadline(base_url: str) -> None:
    client = Client(base_url, TOKEN, timeout=1.0, retry=idn_toto.RetryPolicy.never())
    started = time.monotonic()
    with pytest.raises(OutcomeUnknownError) as caught:
        client.accept_reject("deposit", "1", "u", "accept", "c", "o")
    took = time.monotonic() - started
    assert took < 5.0, f"accept_reject lasted {took:.1f} s with timeout=1.0"
    assert "timed out" in str(caught.value)
    started = time.monotonic()
    with pytest.raises(TransportError):
        client.user_balance("DRIP")
    assert time.monotonic() - started < 5.0


def test_the_deadline_bounds_the_headers_too(base_url: str) -> None:
    # Each read is given only the time left: a server dripping its headers
    # (each byte well inside any per-read timeout) ends at the deadline.
    client = Client(base_url, TOKEN, timeout=1.0, retry=idn_toto.RetryPolicy.never())
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        client.user_balance("SLOWHEAD")
    took = time.monotonic() - started
    assert took < 5.0, f"user_balance lasted {took:.1f} s with timeout=1.0"
    assert "total deadline" in str(caught.value)


def test_the_transport_raises_timeout_error_at_the_deadline(base_url: str) -> None:
    transport = idn_toto.UrllibTransport(timeout=0.5)
    request = Client(base_url, TOKEN).prepare.user_balance("DRIP")
    started = time.monotonic()
    with pytest.raises(TimeoutError) as caught:
        transport(request)
    assert time.monotonic() - started < 4.0
    assert str(caught.value) == "timed out after 0.5 s (total deadline)"


def test_async_timeout_is_a_total_deadline(base_url: str) -> None:
    async def main() -> float:
        client = AsyncClient(base_url, TOKEN, timeout=1.0)
        started = time.monotonic()
        with pytest.raises(OutcomeUnknownError):
            await client.accept_reject("deposit", "1", "u", "accept", "c", "o")
        return time.monotonic() - started

    assert asyncio.run(main()) < 5.0


def test_default_transport_stops_reading_past_max_body_size(base_url: str) -> None:
    client = Client(base_url, TOKEN, max_body_size=100_000, retry=idn_toto.RetryPolicy.never())
    with pytest.raises(DecodeError) as caught:
        client.user_balance("BIG")
    assert caught.value.path == "$"
    assert "100000 bytes" in str(caught.value)
    transport = idn_toto.UrllibTransport(timeout=10, max_body_size=1000)
    request = client.prepare.user_balance("BIG")
    assert len(transport(request).body) == 1001


def test_max_body_size_in_the_core() -> None:
    body = b'{"success":true,"message":"Transaction has been successfully processed."}'
    client = Client(BASE, TOKEN, max_body_size=16, transport=lambda request: (200, body))
    with pytest.raises(OutcomeUnknownError) as caught:
        client.accept_reject("deposit", "1", "u", "accept", "c", "o")
    assert caught.value.path == "$"
    with pytest.raises(InvalidRequestError) as refused:
        Client(BASE, TOKEN, max_body_size=0)
    assert refused.value.field == "max_body_size"


def test_floats_are_refused_for_every_amount() -> None:
    sent: List[Any] = []

    def transport(request: Any) -> Any:
        sent.append(request)
        return (200, b'{"success":true,"message":"ok","data":[]}')

    client = Client(BASE, TOKEN, transport=transport)
    with pytest.raises(InvalidRequestError) as caught:
        client.manual_transaction("deposit", "u", "c", 0.1 + 0.2, "o")  # type: ignore[arg-type]
    assert caught.value.field == "amount"
    with pytest.raises(InvalidRequestError) as caught:
        client.multiple_transaction(
            "deposit",
            [
                {"user": "u", "amount": "1", "comment": "c", "operator": "o"},
                {"user": "u", "amount": 0.5, "comment": "c", "operator": "o"},
            ],
        )
    assert caught.value.field == "transaction[1].amount"
    with pytest.raises(InvalidRequestError):
        client.prepare.manual_transaction("deposit", "u", "c", 1.0, "o")  # type: ignore[arg-type]
    assert sent == []


def _pga_page(page: int, total_page: int) -> bytes:
    return json.dumps(
        {
            "row": 1, "total_row": total_page, "page": page, "per_page": 1,
            "total_page": total_page, "total_amount_page": "1", "total_amount_all": "1",
            "data": {"1": {"id_invoice": str(page), "ref_no": "R", "status": "Accepted",
                           "by": "PGA", "user": "u", "request_date": "2024-03-01 11:54:56.000",
                           "processed_date": "2024-03-01 11:57:41.000", "amount": "1",
                           "destination_bank": "QRIS"}},
        }
    ).encode()


def test_a_server_answering_page_one_forever_is_a_decode_error() -> None:
    requests: List[Any] = []

    def transport(request: Any) -> Any:
        requests.append(request)
        return (200, _pga_page(1, 1_000_000))

    client = Client(BASE, TOKEN, transport=transport)
    rows = []
    with pytest.raises(DecodeError) as caught:
        for row in client.iter_pga_transaction("2024-03-01", "2024-03-31"):
            rows.append(row)
    assert caught.value.path == "page"
    assert len(requests) == 2 and len(rows) == 2


def test_paging_stops_at_max_pages() -> None:
    pages: Dict[str, int] = {"n": 0}

    def transport(request: Any) -> Any:
        pages["n"] += 1
        return (200, _pga_page(json.loads(request.body)["page"], 1_000_000))

    client = Client(BASE, TOKEN, transport=transport, max_pages=5)
    with pytest.raises(DecodeError) as caught:
        for _ in client.iter_pga_transaction("2024-03-01", "2024-03-31"):
            pass
    assert caught.value.path == "page" and "max_pages" in str(caught.value)
    assert pages["n"] == 5

    async def run_async() -> int:
        count = 0

        async def async_transport(request: Any) -> Any:
            nonlocal count
            count += 1
            return (200, _pga_page(json.loads(request.body)["page"], 1_000_000))

        client = AsyncClient(BASE, TOKEN, transport=async_transport, max_pages=3)
        with pytest.raises(DecodeError):
            async for _ in client.iter_pga_transaction("2024-03-01", "2024-03-31"):
                pass
        return count

    assert asyncio.run(run_async()) == 3
    with pytest.raises(ValueError):
        Client(BASE, TOKEN, max_pages=0)


def test_plain_http_needs_loopback_or_the_opt_in() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        Client("http://agent.example.com/home.php", TOKEN)
    assert caught.value.field == "base_url"
    assert "allow_insecure_http" in str(caught.value)
    allowed = Client("http://agent.example.com/home.php", TOKEN, allow_insecure_http=True)
    assert allowed.base_url == "http://agent.example.com/home.php"
    assert Client("http://127.0.0.1:9/home.php", TOKEN).base_url == "http://127.0.0.1:9/home.php"

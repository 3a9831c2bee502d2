"""The default transports (urllib, and urllib in a thread for AsyncClient)
against a local HTTP server on 127.0.0.1, port 0."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, List, Tuple

import pytest

from idn_toto import AsyncClient, Client, HttpError, OutcomeUnknownError, TransportError

from conftest import TOKEN

SEEN: List[Tuple[str, str, bytes]] = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def answer(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and hung up: that is the test

    def do_GET(self) -> None:
        SEEN.append(("GET", self.path, b""))
        if "/player_info/" in self.path:
            self.answer(200, b'{"success":true,"message":"Success","user":"lorem","balance":"8900.00"}')
        elif "/push_dps/" in self.path:
            time.sleep(1.0)
            self.answer(200, b'{"success":true,"message":"late"}')
        elif "/game_list" in self.path:
            time.sleep(1.0)
            self.answer(200, b'{"success":true,"data":[]}')
        else:
            self.answer(404, b"not here")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        SEEN.append(("POST", self.path, body))
        self.answer(200, b'{"success":true,"message":"All transactions has been successfully processed.","data":[]}')


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/home.php"
    server.shutdown()
    server.server_close()


def test_urllib_get_post_and_status(base_url: str) -> None:
    c = Client(base_url, TOKEN, timeout=5)
    assert c.user_balance("LOREM").balance == Decimal("8900.00")
    assert SEEN[-1][1] == f"/home.php/{TOKEN}/player_info/LOREM"
    outcomes = c.multiple_transaction(
        "deposit", [{"trans_id": "1", "user": "u", "action": "accept", "comment": "c", "operator": "o"}]
    )
    assert outcomes[0].status == "succeeded"
    method, path, body = SEEN[-1]
    assert (method, path) == ("POST", f"/home.php/{TOKEN}/push_dps")
    assert json.loads(body)["transaction"][0]["action"] == "ACCEPT"
    with pytest.raises(HttpError) as caught:
        c.referral_list("x")
    assert caught.value.status == 404


def test_urllib_timeout(base_url: str) -> None:
    c = Client(base_url, TOKEN, timeout=0.2)
    with pytest.raises(OutcomeUnknownError) as caught:
        c.accept_reject("deposit", "1", "u", "accept", "c", "o")
    assert TOKEN not in str(caught.value)
    fast = Client(base_url, TOKEN, timeout=0.2)
    fast._sleep = lambda delay: None
    with pytest.raises(TransportError):
        fast.game_list()


def test_async_default_transport(base_url: str) -> None:
    async def main() -> Decimal:
        c = AsyncClient(base_url, TOKEN, timeout=5)
        return (await c.user_balance("LOREM")).balance

    assert asyncio.run(main()) == Decimal("8900.00")


def test_connection_refused_is_a_transport_error() -> None:
    c = Client("http://127.0.0.1:9/home.php", TOKEN, timeout=1)
    c._sleep = lambda delay: None
    with pytest.raises(TransportError) as caught:
        c.bank_list()
    assert TOKEN not in str(caught.value)

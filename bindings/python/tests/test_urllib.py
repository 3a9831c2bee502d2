"""The default transports (urllib, and urllib in a thread for AsyncClient)
against a local HTTP server on 127.0.0.1, port 0."""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest

from idn_toto import (
    AsyncClient,
    Client,
    HttpError,
    OutcomeUnknownError,
    RetryPolicy,
    TransportError,
    UrllibTransport,
)

from conftest import TOKEN, serve

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
        elif "/bank_list" in self.path:
            # Never followed: the token is in the path.
            self.send_response(302)
            self.send_header("Location", "/elsewhere/bank_list")
            self.send_header("Content-Length", "0")
            self.end_headers()
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
    with serve(Handler) as url:
        yield url


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


def test_a_redirect_is_an_answer_never_followed(base_url: str) -> None:
    c = Client(base_url, TOKEN, timeout=5)
    c._sleep = lambda delay: None
    before = len(SEEN)
    with pytest.raises(HttpError) as caught:
        c.bank_list()
    assert caught.value.status == 302
    assert all("/elsewhere/" not in path for _, path, _ in SEEN[before:])
    transport = UrllibTransport(timeout=5)
    answer = transport(c.prepare.bank_list())
    assert answer.status == 302
    assert ("Location", "/elsewhere/bank_list") in answer.headers


def test_connection_refused_is_a_transport_error() -> None:
    c = Client("http://127.0.0.1:9/home.php", TOKEN, timeout=1)
    c._sleep = lambda delay: None
    with pytest.raises(TransportError) as caught:
        c.bank_list()
    assert TOKEN not in str(caught.value)


# ------------------------------------------------ kept-alive connections


class KeepAliveHandler(BaseHTTPRequestHandler):
    """HTTP/1.1: connections stay open unless the client says `close`
    (or `silent_close` is set: closed after each answer without saying so,
    as a server whose idle timeout fires does)."""

    protocol_version = "HTTP/1.1"
    seen: List[Tuple[int, str, str, str]] = []
    silent_close = False
    stop = threading.Event()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle_one(self, method: str) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        if length:
            self.rfile.read(length)
        KeepAliveHandler.seen.append(
            (self.client_address[1], method, self.path, self.headers.get("Connection", ""))
        )
        if "/player_info/DRIP" in self.path:
            self.send_response(200)
            self.send_header("Content-Length", "200")
            self.end_headers()
            for _ in range(200):
                if KeepAliveHandler.stop.wait(0.1):
                    return
                self.wfile.write(b" ")
                self.wfile.flush()
            return
        if "/player_info/" in self.path:
            body = b'{"success":true,"message":"Success","user":"lorem","balance":"8900.00"}'
        else:
            body = b'{"success":true,"message":"Transaction has been successfully processed."}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if KeepAliveHandler.silent_close:
            self.close_connection = True

    def do_GET(self) -> None:
        try:
            self.handle_one("GET")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self) -> None:
        try:
            self.handle_one("POST")
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture()
def keep_alive_url() -> Iterator[str]:
    KeepAliveHandler.seen = []
    KeepAliveHandler.silent_close = False
    with serve(KeepAliveHandler, stop=KeepAliveHandler.stop) as url:
        yield url


def test_reads_share_a_kept_alive_connection_and_money_moves_never_do(keep_alive_url: str) -> None:
    c = Client(keep_alive_url, TOKEN, timeout=5)
    c.user_balance("LOREM")
    c.user_balance("LOREM")
    c.accept_reject("deposit", "1", "u", "accept", "c", "o")
    c.accept_reject("deposit", "2", "u", "accept", "c", "o")
    c.user_balance("LOREM")
    seen = KeepAliveHandler.seen
    assert [method for _, method, _, _ in seen] == ["GET", "GET", "GET", "GET", "GET"]
    read_ports = [port for port, _, path, _ in seen if "/player_info/" in path]
    move_ports = [port for port, _, path, _ in seen if "/push_dps/" in path]
    assert len(set(read_ports)) == 1, "the reads went over one connection"
    assert len(set(move_ports)) == 2 and not set(move_ports) & set(read_ports)
    assert all(
        connection == "close" for _, _, path, connection in seen if "/push_dps/" in path
    ), "a money move's connection is closed after it"
    assert all(connection == "" for _, _, path, connection in seen if "/player_info/" in path)
    c._transport.close()  # type: ignore[attr-defined]


def test_a_connection_the_server_closed_is_not_a_failed_read(keep_alive_url: str) -> None:
    KeepAliveHandler.silent_close = True
    c = Client(keep_alive_url, TOKEN, timeout=5)
    c._sleep = lambda delay: None
    for _ in range(5):
        assert c.user_balance("LOREM").balance == Decimal("8900.00")
    processed = c.accept_reject("deposit", "1", "u", "accept", "c", "o")
    assert processed.message == "Transaction has been successfully processed."
    assert sum(1 for _, _, path, _ in KeepAliveHandler.seen if "/push_dps/" in path) == 1


def test_the_deadline_bounds_a_read_on_a_kept_alive_connection(keep_alive_url: str) -> None:
    transport = UrllibTransport(timeout=1.0)
    c = Client(keep_alive_url, TOKEN)
    assert transport(c.prepare.user_balance("LOREM")).status == 200
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        transport(c.prepare.user_balance("DRIP"))
    assert time.monotonic() - started < 4.0
    ports = {port for port, _, _, _ in KeepAliveHandler.seen}
    assert len(ports) == 1, "the dripping read reused the kept-alive connection"
    transport.close()


TLS = Path(__file__).parent / "tls"  # a self-signed certificate for 127.0.0.1


@pytest.fixture()
def tls_keep_alive_url() -> Iterator[str]:
    KeepAliveHandler.seen = []
    KeepAliveHandler.silent_close = False
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
    with serve(KeepAliveHandler, tls=context, stop=KeepAliveHandler.stop) as url:
        yield url


def test_https_with_the_given_context_kept_alive_and_bounded(tls_keep_alive_url: str) -> None:
    trusting = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
    c = Client(tls_keep_alive_url, TOKEN, timeout=1.0, ssl_context=trusting)
    c._sleep = lambda delay: None
    assert c.user_balance("LOREM").balance == Decimal("8900.00")
    assert c.user_balance("LOREM").balance == Decimal("8900.00")
    c.accept_reject("deposit", "1", "u", "accept", "c", "o")
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        c.with_options(retry=RetryPolicy.never()).user_balance("DRIP")
    assert time.monotonic() - started < 4.0
    assert "total deadline" in str(caught.value)
    reads = {port for port, _, path, _ in KeepAliveHandler.seen if "/player_info/" in path}
    moves = {port for port, _, path, _ in KeepAliveHandler.seen if "/push_dps/" in path}
    assert len(reads) == 1, "the reads, the dripping one too, went over one TLS connection"
    assert len(moves) == 1 and not moves & reads
    # Python's default context does not trust the test's certificate.
    with pytest.raises(TransportError) as refused:
        Client(tls_keep_alive_url, TOKEN, timeout=2, retry=RetryPolicy.never()).user_balance("LOREM")
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
    c._transport.close()  # type: ignore[attr-defined]

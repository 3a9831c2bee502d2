"""Client options: transports that return headers, `from_env`,
`with_options`, and the urllib transport's proxy and TLS context."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import urllib.error
import urllib.request
from decimal import Decimal
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import Any, Iterator, List, Tuple

import pytest

import idn_toto
from idn_toto import AsyncClient, Client, HttpError, InvalidRequestError, RetryPolicy, TransportError

from conftest import BALANCE, BASE_URL, SANDBOX_TOKEN, TOKEN, AsyncFakeTransport, FakeTransport, no_token, reset, serve


def client(transport: Any, delays: List[float], **kwargs: Any) -> Client:
    c = Client(BASE_URL, TOKEN, transport=transport, **kwargs)
    c._sleep = delays.append
    return c


# ------------------------------------------------------------ response headers


def test_every_response_form_is_read() -> None:
    status, body = BALANCE
    answers = [
        (status, body),
        (status, {"Content-Type": "application/json"}, body),
        (status, [("Content-Type", "application/json")], body),
        idn_toto.Response(status, body, (("Content-Type", "application/json"),)),
        idn_toto.Response(status, body),
    ]
    t = FakeTransport(*answers)
    c = client(t, [])
    assert [c.user_balance("LOREM").balance for _ in answers] == [Decimal("8900.00")] * len(answers)


def test_a_bad_headers_value_is_a_transport_failure_not_an_answer() -> None:
    delays: List[float] = []
    t = FakeTransport(*[(200, 42, BALANCE[1])] * 3)
    with pytest.raises(TransportError) as caught:
        client(t, delays).user_balance("LOREM")
    assert "headers" in caught.value.reason and len(t.requests) == 3


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_sets_the_wait_of_a_read(status: int) -> None:
    delays: List[float] = []
    t = FakeTransport((status, {"Retry-After": "3"}, b"busy"), BALANCE)
    assert client(t, delays).user_balance("LOREM").user == "lorem"
    assert delays == [3.0]


def test_retry_after_is_capped_by_the_policy_and_read_in_any_case() -> None:
    delays: List[float] = []
    policy = RetryPolicy(retries=2, max_delay_ms=1500)
    t = FakeTransport((429, [("retry-after", "60")], b""), (503, [("RETRY-AFTER", "1")], b""), BALANCE)
    client(t, delays, retry=policy).user_balance("LOREM")
    assert delays == [1.5, 1.0]


def test_retry_after_as_an_http_date() -> None:
    delays: List[float] = []
    later = formatdate(timeval=__import__("time").time() + 30, usegmt=True)
    t = FakeTransport((503, {"Retry-After": later}, b""), BALANCE)
    client(t, delays, retry=RetryPolicy(max_delay_ms=60_000)).user_balance("LOREM")
    assert len(delays) == 1 and 28 <= delays[0] <= 31


def test_retry_after_never_makes_a_money_move_retried_nor_a_500_wait() -> None:
    delays: List[float] = []
    t = FakeTransport((429, {"Retry-After": "1"}, b""))
    with pytest.raises(idn_toto.HttpError):
        client(t, delays, snapshots=False).manual_transaction("deposit", "u", "c", 5, "o")
    assert delays == [] and len(t.requests) == 1
    t = FakeTransport((500, {"Retry-After": "9"}, b""), BALANCE)
    client(t, delays).user_balance("LOREM")
    assert delays == [0.2], "only 429 and 503 carry a Retry-After the core honours"


# ------------------------------------------------------------------- from_env


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDN_TOTO_BASE_URL", BASE_URL)
    monkeypatch.setenv("IDN_TOTO_TOKEN", TOKEN)
    t = FakeTransport(BALANCE)
    c = Client.from_env(transport=t, timeout=3)
    assert isinstance(c, Client) and c.base_url == BASE_URL and c.timeout == 3
    c.user_balance("LOREM")
    assert t.requests[0].url == f"{BASE_URL}/{TOKEN}/player_info/LOREM"
    assert isinstance(AsyncClient.from_env(), AsyncClient)


@pytest.mark.parametrize("missing", ["IDN_TOTO_BASE_URL", "IDN_TOTO_TOKEN"])
def test_from_env_names_the_missing_variable_and_never_the_token(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.setenv("IDN_TOTO_BASE_URL", BASE_URL)
    monkeypatch.setenv("IDN_TOTO_TOKEN", TOKEN)
    monkeypatch.setenv(missing, "")
    for flavour in (Client, AsyncClient):
        with pytest.raises(InvalidRequestError) as caught:
            flavour.from_env()
        assert caught.value.field == missing
        assert no_token(str(caught.value), repr(caught.value), repr(caught.value.to_dict()))
    monkeypatch.delenv(missing)
    with pytest.raises(InvalidRequestError, match=missing):
        Client.from_env()


# --------------------------------------------------------------- with_options


def test_with_options_shares_the_transport_and_changes_only_what_it_is_given() -> None:
    t = FakeTransport((503, b""), (503, b""), BALANCE, (503, b""), (503, b""), (503, b""))
    delays: List[float] = []
    base = client(t, delays, timeout=7)
    fast = base.with_options(retry=RetryPolicy(retries=1, base_delay_ms=10))
    assert fast._transport is base._transport and fast.timeout == 7
    assert (base.retry.retries, fast.retry.retries) == (2, 1)
    assert base.user_balance("LOREM").user == "lorem"  # two retries: 503, 503, ok
    with pytest.raises(HttpError):
        fast.user_balance("LOREM")  # one retry: 503, 503
    assert delays == [0.2, 0.4, 0.01]
    with pytest.raises(HttpError):
        base.with_options(retry=RetryPolicy.never()).user_balance("LOREM")
    assert len(t.requests) == 6
    assert base.with_options(timeout=None).timeout is None
    assert base.with_options().retry == base.retry


@pytest.mark.parametrize("bad", [{"timeout": 0}, {"timeout": "5"}, {"timeout": True}, {"retry": 3}])
def test_with_options_refuses_bad_values(bad: Any) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        Client(BASE_URL, TOKEN).with_options(**bad)
    assert caught.value.field == next(iter(bad))


def test_with_options_timeout_bounds_every_async_send() -> None:
    async def slow(request: Any) -> Any:
        await asyncio.sleep(5)
        return BALANCE

    async def main() -> None:
        t = AsyncFakeTransport(BALANCE, slow)
        c = AsyncClient(BASE_URL, TOKEN, transport=t, retry=RetryPolicy.never())
        assert (await c.with_options(timeout=5).user_balance("LOREM")).user == "lorem"
        with pytest.raises(TransportError) as caught:
            await c.with_options(timeout=0.02).user_balance("LOREM")
        assert "TimeoutError" in caught.value.reason

    asyncio.run(main())


# ------------------------------------------------------------- proxy and TLS


class ForwardingProxy(BaseHTTPRequestHandler):
    """A plain HTTP proxy (no CONNECT): forwards absolute-URI requests to
    their target and records each target."""

    seen: List[str] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def forward(self) -> None:
        ForwardingProxy.seen.append(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-connection")}
        request = urllib.request.Request(self.path, data=body, headers=headers, method=self.command)
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with direct.open(request, timeout=5) as answer:
                status, data = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, data = error.code, error.read()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = forward


@pytest.fixture(scope="module")
def proxy() -> Iterator[str]:
    with serve(ForwardingProxy, path="") as url:
        yield url


@pytest.fixture()
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.usefixtures("no_proxy_env")
def test_the_proxy_argument_sends_through_the_proxy(
    sandbox: Tuple[str, str], proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    base_url, admin = sandbox
    reset(admin)
    ForwardingProxy.seen.clear()
    direct = Client(base_url, SANDBOX_TOKEN, timeout=5)
    via = Client(base_url, SANDBOX_TOKEN, timeout=5, proxy=proxy)
    assert via.user_balance("LOREM").balance == direct.user_balance("LOREM").balance
    assert ForwardingProxy.seen == [f"{base_url}/{SANDBOX_TOKEN}/player_info/LOREM"]
    assert SANDBOX_TOKEN not in repr(via._transport) and proxy not in repr(via._transport)

    async def main() -> Decimal:
        return (await AsyncClient(base_url, SANDBOX_TOKEN, timeout=5, proxy=proxy).user_balance("IPSUM")).balance

    asyncio.run(main())
    assert len(ForwardingProxy.seen) == 2 and ForwardingProxy.seen[1].endswith("/player_info/IPSUM")


@pytest.mark.usefixtures("no_proxy_env")
def test_the_environment_proxy_applies_without_a_proxy_argument(
    sandbox: Tuple[str, str], proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    base_url, admin = sandbox
    ForwardingProxy.seen.clear()
    monkeypatch.setenv("http_proxy", proxy)
    Client(base_url, SANDBOX_TOKEN, timeout=5).bank_list()
    assert ForwardingProxy.seen == [f"{base_url}/{SANDBOX_TOKEN}/bank_list"]
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    Client(base_url, SANDBOX_TOKEN, timeout=5).bank_list()
    assert len(ForwardingProxy.seen) == 1, "no_proxy is honoured too"


class RefusingContext(ssl.SSLContext):
    """A TLS context that trusts nothing: every handshake fails, and it
    counts them."""

    handshakes = 0

    def wrap_socket(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        RefusingContext.handshakes += 1
        raise ssl.SSLCertVerificationError("certificate verify failed: refused by the test's context")


def test_the_ssl_context_is_the_one_used_for_https() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        context = RefusingContext(ssl.PROTOCOL_TLS_CLIENT)
        c = Client(f"https://127.0.0.1:{port}/home.php", TOKEN, timeout=2, ssl_context=context)
        c._sleep = lambda delay: None
        with pytest.raises(TransportError) as caught:
            c.bank_list()
        assert RefusingContext.handshakes == 3  # the first send and two retries
        assert "refused by the test's context" in caught.value.reason
        assert no_token(str(caught.value), caught.value.reason)
    finally:
        listener.close()


def test_ssl_context_and_proxy_configure_only_the_default_transport() -> None:
    for option in ({"proxy": "http://proxy.invalid:3128"}, {"ssl_context": ssl.create_default_context()}):
        with pytest.raises(InvalidRequestError) as caught:
            Client(BASE_URL, TOKEN, transport=FakeTransport(), **option)  # type: ignore[arg-type]
        assert caught.value.field == next(iter(option))

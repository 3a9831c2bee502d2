"""AsyncClient with async fake transports: the same rules as Client."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any, Awaitable, List, TypeVar

import pytest

import idn_toto
from idn_toto import AsyncClient, HttpError, OutcomeUnknownError, TransportError

from conftest import BALANCE, BASE_URL, PROCESSED, TOKEN, AsyncFakeTransport, item, no_token, ok, turnover_page

T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await coro

    return asyncio.run(main())


def client(transport: AsyncFakeTransport, **kwargs: Any) -> AsyncClient:
    c = AsyncClient(BASE_URL, TOKEN, transport=transport, **kwargs)

    async def no_sleep(delay: float) -> None:
        return None

    c._sleep = no_sleep
    return c


def test_methods_are_coroutines_with_typed_results() -> None:
    t = AsyncFakeTransport(BALANCE, PROCESSED)
    c = client(t)
    balance = run(c.user_balance("LOREM"))
    assert balance.balance == Decimal("8900.00")
    done = run(c.accept_reject("withdraw", 7, "LOREM", "reject", "dup", "OP01"))
    assert done.message.startswith("Transaction has been")
    assert t.requests[1].redacted_url == f"{BASE_URL}/***/push_wd/7/LOREM/REJECT/dup/OP01"


def test_slow_money_moving_call_times_out_as_outcome_unknown() -> None:
    async def slow(request: Any) -> Any:
        await asyncio.sleep(5)
        return PROCESSED

    t = AsyncFakeTransport(slow)
    with pytest.raises(OutcomeUnknownError) as caught:
        run(client(t, timeout=0.05, snapshots=False).manual_transaction("deposit", "u", "c", 5, "o"))
    assert len(t.requests) == 1
    assert "timed out" in str(caught.value)
    assert caught.value.__context__ is None and no_token(str(caught.value), repr(caught.value))


def test_slow_reads_are_retried_then_raise_transport_error() -> None:
    async def slow(request: Any) -> Any:
        await asyncio.sleep(5)
        return BALANCE

    t = AsyncFakeTransport(slow, slow, slow)
    with pytest.raises(TransportError):
        run(client(t, timeout=0.02).user_balance("LOREM"))
    assert len(t.requests) == 3


def test_500_then_success_and_network_errors() -> None:
    t = AsyncFakeTransport((500, b"x"), BALANCE)
    assert run(client(t).user_balance("LOREM")).user == "lorem"
    t = AsyncFakeTransport((404, f"/{TOKEN}/".encode()))
    with pytest.raises(HttpError) as caught:
        run(client(t).bank_list())
    assert caught.value.status == 404 and no_token(caught.value.excerpt)
    t = AsyncFakeTransport(*(OSError(f"connect to {BASE_URL}/{TOKEN} failed") for _ in range(3)))
    with pytest.raises(TransportError) as err:
        run(client(t).game_list())
    assert no_token(str(err.value), err.value.reason)


def test_async_batch_and_pages() -> None:
    t = AsyncFakeTransport(ok({"success": True, "message": "ok", "data": []}), (502, b"bad gateway"))
    outcomes = run(client(t).multiple_transaction("deposit", [item(i) for i in range(30)]))
    assert [o.status for o in outcomes] == ["succeeded"] * 25 + ["unknown"] * 5

    async def collect() -> List[idn_toto.TurnoverRow]:
        return [row async for row in client(t2).iter_full_transaction("LOREMS")]

    t2 = AsyncFakeTransport(turnover_page(1, 2), turnover_page(2, 2))
    rows = run(collect())
    assert len(rows) == 4 and len(t2.requests) == 2

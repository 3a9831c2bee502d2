"""Checked by `mypy --strict` in scripts/test.sh, never run: each client
flavour's endpoint methods, generated from the core's declarations into one
class per flavour (`_endpoints.py`), have that flavour's exact types."""

from __future__ import annotations

from typing import AsyncIterator, Awaitable, Iterator, List, Optional

from typing_extensions import assert_type

import idn_toto
from idn_toto import (
    FullTransaction,
    ItemOutcome,
    OpenMove,
    PgaInvoice,
    Processed,
    Request,
    Settlement,
    TurnoverRow,
    UserBalance,
)


def sync(client: idn_toto.Client) -> None:
    assert_type(client.user_balance("LOREM"), UserBalance)
    assert_type(client.manual_transaction("deposit", "LOREM", "c", 5, "OP01"), Processed)
    assert_type(client.multiple_transaction("deposit", []), List[ItemOutcome])
    assert_type(client.full_transaction("LOREMS"), FullTransaction)
    assert_type(client.iter_full_transaction("LOREMS"), Iterator[TurnoverRow])
    assert_type(client.unsettled(), List[OpenMove])
    assert_type(client.settle_unsettled(), List[Settlement])
    assert_type(client.with_options(timeout=5), idn_toto.Client)
    assert_type(idn_toto.Client.from_env(), idn_toto.Client)
    assert_type(client.prepare.user_balance("LOREM"), Request)
    assert_type(client.prepare.multiple_transaction("deposit", []), Request)
    assert_type(client.manual_transaction("deposit", "LOREM", "c", 5, "OP01", key="bonus:LOREM"), Processed)
    assert_type(client.manual_transaction("deposit", "LOREM", "c", 5, "OP01").replayed, bool)
    assert_type(client.journal, Optional[idn_toto.JournalStore])
    assert_type(client.key_lease, float)


def journals(path: str, dsn: str) -> None:
    for journal in (idn_toto.FileJournal(path), idn_toto.SqliteJournal(path), idn_toto.PostgresJournal(dsn)):
        client = idn_toto.Client("https://agent.example.com/home.php", "T", journal=journal, key_lease=30)
        assert_type(journal.export(), str)
        assert_type(client.unsettled(), List[OpenMove])


async def flavour_async(client: idn_toto.AsyncClient) -> None:
    assert_type(client.user_balance("LOREM"), Awaitable[UserBalance])
    assert_type(await client.accept_reject("deposit", 1, "u", "accept", "c", "o"), Processed)
    assert_type(await client.accept_reject("deposit", 1, "u", "accept", "c", "o", key="acc:1"), Processed)
    assert_type(await client.multiple_transaction("deposit", []), List[ItemOutcome])
    assert_type(client.iter_pga_transaction("2024-03-01", "2024-03-31"), AsyncIterator[PgaInvoice])
    assert_type(await client.settle_unsettled(), List[Settlement])
    assert_type(client.with_options(retry=None), idn_toto.AsyncClient)
    assert_type(idn_toto.AsyncClient.from_env(), idn_toto.AsyncClient)

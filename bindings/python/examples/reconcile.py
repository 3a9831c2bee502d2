"""Reconcile pending deposits against a ledger, then pull a user's turnover.

Run: IDN_TOTO_BASE_URL=https://agent.example.com/home.php IDN_TOTO_TOKEN=... \
     python reconcile.py
Checked with `mypy --strict` by bindings/python/scripts/test.sh.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Dict, List

import idn_toto


def reconcile(client: idn_toto.Client, ledger: Dict[str, Decimal]) -> List[idn_toto.ItemOutcome]:
    """Accepts every pending deposit whose amount matches the ledger."""
    pending = client.transaction_list("deposit")
    items = [
        {
            "trans_id": row.id,
            "user": row.user,
            "action": "accept",
            "comment": "reconciled",
            "operator": "BOT01",
        }
        for row in pending.data
        if ledger.get(row.id) == row.amount
    ]
    if not items:
        return []
    # Any number of items: sent 25 per request, one outcome per item.
    return client.multiple_transaction("deposit", items)


def turnover(client: idn_toto.Client, user: str) -> Decimal:
    total = Decimal(0)
    for row in client.iter_full_transaction(user):
        total += row.turnover
    return total


def main() -> None:
    client = idn_toto.Client(os.environ["IDN_TOTO_BASE_URL"], os.environ["IDN_TOTO_TOKEN"], timeout=10.0)
    try:
        for outcome in reconcile(client, {"123454321": Decimal("300000.0000")}):
            print(outcome.index, outcome.trans_id, outcome.status, outcome.message)
        print("turnover:", turnover(client, "LOREM"))
        print("balance:", client.user_balance("LOREM").balance)
    except idn_toto.OutcomeUnknownError as error:
        print("check the transaction list before acting again:", error)
    except idn_toto.ApiError as error:
        print("refused:", error.api_kind, error.message)
    except idn_toto.IdnTotoError as error:
        print("failed:", error.kind, error)


if __name__ == "__main__":
    main()

"""Shared helpers: fake transports and canned bodies.

These tests run against the *installed* wheel (scripts/test.sh installs it
into a fresh virtual environment and runs pytest from a temporary directory).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

TOKEN = "S3CRET-T0KEN"
BASE_URL = "https://agent.example.com/home.php"

Answer = Union[Tuple[int, bytes], BaseException, Callable[[Any], Any]]


class FakeTransport:
    """Answers requests from a script: a `(status, body)` tuple, an exception
    to raise, or a callable taking the request. Records every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers: List[Answer] = list(answers)
        self.requests: List[Any] = []

    def __call__(self, request: Any) -> Any:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request!r}")
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


class AsyncFakeTransport(FakeTransport):
    async def __call__(self, request: Any) -> Any:  # type: ignore[override]
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request!r}")
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            result = answer(request)
            if hasattr(result, "__await__"):
                return await result
            return result
        return answer


def ok(body: Dict[str, Any], status: int = 200) -> Tuple[int, bytes]:
    return status, json.dumps(body).encode()


BALANCE = ok({"success": True, "message": "Success", "user": "lorem", "balance": "8900.00"})
PROCESSED = ok({"success": True, "message": "Transaction has been successfully processed."})


def pending_list(rows: int) -> bytes:
    data = {
        str(i): {
            "id": str(i),
            "user": f"user{i}",
            "date": "23-02-2021 13:28:21",
            "type": "deposit",
            "game": "TOTO",
            "bank_acc_name": "TEST ACCOUNT",
            "bank_name": "BCA",
            "bank_acc_number": "1234567890",
            "amount": f"{1000 + i}.5000",
            "destination_bank": "BCA",
            "destination_acc_number": "0987654321",
        }
        for i in range(1, rows + 1)
    }
    return json.dumps(data).encode()


def turnover_page(page: int, total_page: int, rows: int = 2) -> Tuple[int, bytes]:
    return ok(
        {
            "success": True,
            "message": "Success",
            "total_data": f"{rows * total_page} Rows",
            "total_page": f"{total_page} Page(s)",
            "data": [
                {
                    "user": "LOREMS",
                    "date": "2024-05-17",
                    "periode": str(page * 100 + i),
                    "gamecode": "p9b",
                    "pasar": "x",
                    "turnover": "12000.00",
                    "winlose": "-2000.00",
                }
                for i in range(rows)
            ],
        }
    )


def item(i: int, user: str = "LOREM") -> Dict[str, str]:
    return {
        "trans_id": str(i),
        "user": user,
        "action": "accept",
        "comment": "ok",
        "operator": "OP01",
    }


def no_token(*texts: Optional[str]) -> bool:
    return all(TOKEN not in (t or "") for t in texts)

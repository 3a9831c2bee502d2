"""Shared helpers: fake transports and canned bodies.

These tests run against the *installed* wheel (scripts/test.sh installs it
into a fresh virtual environment and runs pytest from a temporary directory).
"""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import subprocess
import threading
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

import pytest

TOKEN = "S3CRET-T0KEN"
BASE_URL = "https://agent.example.com/home.php"

Answer = Union[Tuple[int, bytes], Tuple[int, Any, bytes], BaseException, Callable[[Any], Any]]

REPO = Path(__file__).resolve().parents[3]
SANDBOX = Path(os.environ.get("IDN_TOTO_SANDBOX", REPO / "target" / "debug" / "idn-toto-sandbox"))
SANDBOX_TOKEN = "E2E-T0KEN-python"


@contextlib.contextmanager
def serve(
    handler: Any,
    *,
    path: str = "/home.php",
    tls: Optional[ssl.SSLContext] = None,
    stop: Optional[threading.Event] = None,
) -> Iterator[str]:
    """A threaded HTTP (or, with ``tls``, HTTPS) server for ``handler`` on
    127.0.0.1, port 0; yields its base URL (``path`` appended). ``stop`` is
    cleared before and set after, so a handler waiting on it lets go; the
    server is shut down on the way out."""
    if stop is not None:
        stop.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scheme = "http" if tls is None else "https"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}{path}"
    finally:
        if stop is not None:
            stop.set()
        server.shutdown()
        server.server_close()


def start_sandbox(*args: str, token: str = SANDBOX_TOKEN) -> Tuple["subprocess.Popen[str]", str, str]:
    """The sandbox on 127.0.0.1, port 0: the process, its base URL and its
    admin URL (`/__sandbox`)."""
    assert SANDBOX.exists(), f"{SANDBOX} is missing: cargo build -p idn-toto-sandbox"
    process = subprocess.Popen(
        [str(SANDBOX), "--listen", "127.0.0.1:0", "--token", token, "--quiet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    assert base_url.startswith("http://127.0.0.1:"), base_url
    return process, base_url, base_url[: -len("/home.php")] + "/__sandbox"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Tuple[str, str]]:
    """A sandbox for the module's tests: its base URL and admin URL (token
    `SANDBOX_TOKEN`)."""
    process, base_url, admin = start_sandbox()
    try:
        yield base_url, admin
    finally:
        process.terminate()
        process.wait(timeout=10)


def admin_json(admin: str, route: str, method: str = "GET") -> Any:
    request = urllib.request.Request(f"{admin}/{route}", method=method)
    with urllib.request.urlopen(request, timeout=5) as r:
        return json.loads(r.read())


def reset(admin: str) -> None:
    admin_json(admin, "reset", "POST")


def readme_snippet(readme: Path, after: str) -> str:
    """The first ```python block after `after` in a README."""
    text = readme.read_text(encoding="utf-8")
    section = text[text.index(after) :]
    start = section.index("```python\n") + len("```python\n")
    return section[start : section.index("\n```", start)]


def run_snippet(snippet: str, base_url: str, token: str, prelude: str = "") -> "subprocess.CompletedProcess[str]":
    """Runs a snippet in a new interpreter with IDN_TOTO_BASE_URL and
    IDN_TOTO_TOKEN set; it must succeed."""
    import sys

    env = dict(os.environ, IDN_TOTO_BASE_URL=base_url, IDN_TOTO_TOKEN=token)
    out = subprocess.run(
        [sys.executable, "-c", prelude + snippet], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return out


def faulty(fault: Optional[str], timeout: float = 5.0) -> Any:
    """The urllib transport with the sandbox's fault header (none: clean)."""
    import idn_toto

    headers = {"X-Sandbox-Fault": fault} if fault else {}
    return idn_toto.UrllibTransport(timeout, headers=headers)


class FakeTransport:
    """Answers requests from a script: a `(status, body)` or `(status,
    headers, body)` tuple, an exception to raise, or a callable taking the
    request. Records every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers: List[Answer] = list(answers)
        self.requests: List[Any] = []

    def answer(self, request: Any) -> Any:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request!r}")
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def __call__(self, request: Any) -> Any:
        return self.answer(request)


class AsyncFakeTransport(FakeTransport):
    async def __call__(self, request: Any) -> Any:  # type: ignore[override]
        result = self.answer(request)
        if hasattr(result, "__await__"):
            return await result
        return result


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

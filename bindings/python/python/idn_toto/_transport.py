"""Transports: how a request reaches the server.

A transport is any callable ``(request) -> response`` (for ``AsyncClient``:
an async callable). The request has ``method``, ``url`` (token included),
``headers``, ``body`` (``bytes`` or ``None``) and ``idempotent``; the
response is anything with ``status`` and ``body`` (``bytes``), or a
``(status, body)`` tuple. Raise any exception for a network error or a
timeout: the client turns it into ``TransportError`` for a read and into
``OutcomeUnknownError`` for a request that moves money.
"""

from __future__ import annotations

from typing import Awaitable, Callable, NamedTuple, Optional, Protocol, Tuple, Union

from ._native import Request

__all__ = [
    "Response",
    "ResponseLike",
    "Transport",
    "AsyncTransport",
    "UrllibTransport",
    "ThreadedUrllibTransport",
]


class Response(NamedTuple):
    """An HTTP answer: the status and the raw body bytes."""

    status: int
    body: bytes


class HasStatusAndBody(Protocol):
    """Any response object with ``status`` and ``body``."""

    @property
    def status(self) -> int: ...

    @property
    def body(self) -> bytes: ...


ResponseLike = Union[HasStatusAndBody, Tuple[int, bytes]]
"""What a transport returns."""

Transport = Callable[[Request], ResponseLike]
"""A synchronous transport."""

AsyncTransport = Callable[[Request], Awaitable[ResponseLike]]
"""An asynchronous transport."""


def as_response(raw: object) -> Response:
    """Reads a transport's return value (conversion only)."""
    if isinstance(raw, tuple):
        status, body = raw
    else:
        status, body = getattr(raw, "status"), getattr(raw, "body")
    if not isinstance(status, int) or isinstance(status, bool):
        raise TypeError(f"transport returned a status of type {type(status).__name__}, not int")
    if not isinstance(body, bytes):
        if isinstance(body, (bytearray, memoryview)):
            body = bytes(body)
        else:
            raise TypeError(f"transport returned a body of type {type(body).__name__}, not bytes")
    return Response(status, body)


class UrllibTransport:
    """The default transport: the standard library's ``urllib`` with a timeout
    in seconds. Any HTTP status is an answer; only network errors and
    timeouts raise."""

    def __init__(self, timeout: Optional[float] = 30.0) -> None:
        self.timeout = timeout

    def __call__(self, request: Request) -> Response:
        # Imported on first use: `import idn_toto` stays fast.
        import urllib.error
        import urllib.request

        http_request = urllib.request.Request(
            request.url,
            data=request.body,
            headers=dict(request.headers),
            method=request.method,
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as answer:
                return Response(answer.status, answer.read())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, error.read())

    def __repr__(self) -> str:
        return f"UrllibTransport(timeout={self.timeout!r})"


class ThreadedUrllibTransport:
    """The default ``AsyncClient`` transport: ``UrllibTransport`` in a worker
    thread, so the package needs no third-party HTTP client."""

    def __init__(self, timeout: Optional[float] = 30.0) -> None:
        self._sync = UrllibTransport(timeout)

    async def __call__(self, request: Request) -> Response:
        import asyncio

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._sync, request)

    def __repr__(self) -> str:
        return f"ThreadedUrllibTransport(timeout={self._sync.timeout!r})"

"""Transports: how a request reaches the server.

A transport is any callable ``(request) -> response`` (for ``AsyncClient``:
an async callable). The request has ``method``, ``url`` (token included),
``headers``, ``body`` (``bytes`` or ``None``) and ``idempotent``; the
response is a ``(status, headers, body)`` tuple, anything with ``status``,
``body`` (``bytes``) and optionally ``headers``, or the older ``(status,
body)`` tuple. Headers are a mapping or an iterable of ``(name, value)``
pairs; the core reads ``Retry-After`` from them. Raise any exception for a
network error or a timeout: the client turns it into ``TransportError`` for
a read and into ``OutcomeUnknownError`` for a request that moves money.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Awaitable,
    Callable,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Protocol,
    Tuple,
    Union,
)

from ._native import Request

if TYPE_CHECKING:
    import ssl

__all__ = [
    "Response",
    "ResponseLike",
    "Transport",
    "AsyncTransport",
    "UrllibTransport",
    "ThreadedUrllibTransport",
]


Headers = Tuple[Tuple[str, str], ...]
"""Response headers as ``(name, value)`` pairs, in the order received."""

HeadersLike = Union[Mapping[str, str], Iterable[Tuple[str, str]]]
"""What a transport may give as headers: a mapping or ``(name, value)`` pairs."""


class Response(NamedTuple):
    """An HTTP answer: the status, the raw body bytes and the headers."""

    status: int
    body: bytes
    headers: Headers = ()


class HasStatusAndBody(Protocol):
    """Any response object with ``status`` and ``body``."""

    @property
    def status(self) -> int: ...

    @property
    def body(self) -> bytes: ...


ResponseLike = Union[HasStatusAndBody, Tuple[int, bytes], Tuple[int, HeadersLike, bytes]]
"""What a transport returns."""

Transport = Callable[[Request], ResponseLike]
"""A synchronous transport."""

AsyncTransport = Callable[[Request], Awaitable[ResponseLike]]
"""An asynchronous transport."""


def as_response(raw: object) -> Response:
    """Reads a transport's return value (conversion only)."""
    headers: object = ()
    if isinstance(raw, Response):
        status, body, headers = raw
    elif isinstance(raw, tuple) and len(raw) == 3:
        status, headers, body = raw
    elif isinstance(raw, tuple):
        status, body = raw
    else:
        status, body = getattr(raw, "status"), getattr(raw, "body")
        headers = getattr(raw, "headers", ())
    if not isinstance(status, int) or isinstance(status, bool):
        raise TypeError(f"transport returned a status of type {type(status).__name__}, not int")
    if not isinstance(body, bytes):
        if isinstance(body, (bytearray, memoryview)):
            body = bytes(body)
        else:
            raise TypeError(f"transport returned a body of type {type(body).__name__}, not bytes")
    return Response(status, body, _header_pairs(headers))


def _header_pairs(headers: object) -> Headers:
    if headers is None:
        return ()
    items = headers.items() if hasattr(headers, "items") else headers
    if not isinstance(items, Iterable) or isinstance(items, (str, bytes)):
        raise TypeError(
            f"transport returned headers of type {type(headers).__name__}, "
            "not a mapping or (name, value) pairs"
        )
    return tuple((str(name), str(value)) for name, value in items)


class _Deadline:
    """Closes every connection of one exchange when its time is up, so that
    no read outlives the deadline (a socket timeout alone is per read: a
    server that drips a byte at a time would keep the exchange alive).

    Every deadline is kept by one shared watchdog thread (``_WATCHDOG``):
    starting a thread per request cost more than a request on loopback."""

    def __init__(self, seconds: float) -> None:
        import threading

        self._seconds = seconds
        self._lock = threading.Lock()
        self._connections: List[Any] = []
        self.expired = False
        self.cancelled = False

    def start(self) -> None:
        import time

        _WATCHDOG.add(self, time.monotonic() + self._seconds)

    def cancel(self) -> None:
        _WATCHDOG.cancel(self)
        # The exchange is over: its sockets are not kept alive by the heap
        # entry that waits for its time.
        with self._lock:
            self._connections.clear()

    def watch(self, sock: Any) -> None:
        """Watches a connected socket (kept here: urllib drops the
        connection's reference once the headers are read, while the body is
        still read through it)."""
        with self._lock:
            self._connections.append(sock)
            expired = self.expired
        if expired:
            self._close(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            self._close(connection)

    @staticmethod
    def _close(sock: Any) -> None:
        import socket

        try:
            sock.shutdown(socket.SHUT_RDWR)
        except (OSError, ValueError):
            pass


class _Watchdog:
    """One daemon thread that expires deadlines in time order (a heap);
    started on first use, and again in a forked child (threads do not
    survive a fork)."""

    def __init__(self) -> None:
        import threading

        self._cond = threading.Condition()
        self._heap: List[Tuple[float, int, _Deadline]] = []
        self._seq = 0
        self._cancelled = 0
        self._thread: Optional[Any] = None

    def add(self, deadline: _Deadline, when: float) -> None:
        import heapq
        import threading

        with self._cond:
            self._seq += 1
            heapq.heappush(self._heap, (when, self._seq, deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="idn-toto-deadlines", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is deadline:
                self._cond.notify()

    def cancel(self, deadline: _Deadline) -> None:
        import heapq

        with self._cond:
            if deadline.cancelled:
                return
            deadline.cancelled = True
            self._cancelled += 1
            # Cancelled entries wait for their time at the top of the heap;
            # when they are most of it, drop them all at once.
            if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
                self._heap = [e for e in self._heap if not e[2].cancelled]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def _run(self) -> None:
        import heapq
        import time

        while True:
            with self._cond:
                while True:
                    while self._heap and self._heap[0][2].cancelled:
                        heapq.heappop(self._heap)
                        self._cancelled = max(0, self._cancelled - 1)
                    if not self._heap:
                        self._cond.wait()
                        continue
                    wait = self._heap[0][0] - time.monotonic()
                    if wait <= 0:
                        _, _, due = heapq.heappop(self._heap)
                        break
                    self._cond.wait(wait)
            due._expire()


_WATCHDOG = _Watchdog()


def _watched(connection_class: Any, deadline: Optional[_Deadline]) -> Any:
    """``connection_class``, its sockets watched by ``deadline`` (if any)."""
    if deadline is None:
        return connection_class

    def make(host: str, **kwargs: Any) -> Any:
        connection = connection_class(host, **kwargs)
        connect = connection.connect

        def connect_then_watch() -> None:
            connect()
            if connection.sock is not None:
                deadline.watch(connection.sock)

        connection.connect = connect_then_watch
        return connection

    return make


def _opener(ssl_context: Optional["ssl.SSLContext"], proxy: Optional[str]) -> Any:
    """urllib's default opener (redirects; the environment's proxy variables
    unless ``proxy`` is given), whose connections are watched by the deadline
    a request carries (``_idn_toto_deadline``).
    Built once per transport: building one reads the proxy settings from the
    environment and costs more than a request on loopback (urllib's own
    ``urlopen`` keeps one too)."""
    import http.client
    import urllib.request

    extra: List[Any] = []
    if proxy is not None:
        extra.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy}))

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            deadline = getattr(req, "_idn_toto_deadline", None)
            return self.do_open(_watched(http.client.HTTPConnection, deadline), req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            deadline = getattr(req, "_idn_toto_deadline", None)
            context = getattr(self, "_context", None)
            return self.do_open(
                _watched(http.client.HTTPSConnection, deadline), req, context=context
            )

    class RedirectHandler(urllib.request.HTTPRedirectHandler):
        # The redirected request is bounded by the same deadline.
        def redirect_request(
            self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
        ) -> Any:
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
            if new is not None:
                setattr(new, "_idn_toto_deadline", getattr(req, "_idn_toto_deadline", None))
            return new

    return urllib.request.build_opener(
        *extra, HTTPHandler, HTTPSHandler(context=ssl_context), RedirectHandler
    )


class UrllibTransport:
    """The default transport: the standard library's ``urllib``.

    ``timeout`` (seconds) is a total deadline for the whole exchange
    (connect, headers and body): when it passes, the connection is closed
    and ``TimeoutError`` is raised. ``max_body_size`` (bytes): reading stops
    one byte past it, and that much is returned (the client then reports the
    body as too large) instead of buffering all of it. Any HTTP status is an
    answer; only network errors and timeouts raise.

    ``ssl_context``: the ``ssl.SSLContext`` for ``https://`` (default:
    Python's, with the system's trust store). ``proxy``: a proxy URL
    (``http://proxy.internal:3128``) for both schemes; without it the
    environment's ``http_proxy`` / ``https_proxy`` / ``no_proxy`` apply, as
    they do for urllib. ``headers``: extra request headers sent with every
    request (a gateway's header, say). None of these is shown by ``repr()``
    beyond whether it is set (a proxy URL may carry credentials)."""

    def __init__(
        self,
        timeout: Optional[float] = 30.0,
        max_body_size: Optional[int] = None,
        *,
        ssl_context: Optional["ssl.SSLContext"] = None,
        proxy: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.timeout = timeout
        self.max_body_size = max_body_size
        self.ssl_context = ssl_context
        self.proxy = proxy
        self.headers = dict(headers or {})
        self._opener: Optional[Any] = None

    def __call__(self, request: Request) -> Response:
        return self.send(request, timeout=self.timeout)

    def send(self, request: Request, *, timeout: Optional[float]) -> Response:
        """Sends ``request`` with ``timeout`` (seconds, a total deadline; or
        ``None``) instead of this transport's own: per-call options use it."""
        # Imported on first use: `import idn_toto` stays fast.
        import urllib.error
        import urllib.request

        http_request = urllib.request.Request(
            request.url,
            data=request.body,
            headers={**request.headers, **self.headers},
            method=request.method,
        )
        limit = None if self.max_body_size is None else self.max_body_size + 1

        def read(source: Any) -> bytes:
            return bytes(source.read() if limit is None else source.read(limit))

        deadline = _Deadline(timeout) if timeout is not None else None
        setattr(http_request, "_idn_toto_deadline", deadline)
        if self._opener is None:
            self._opener = _opener(self.ssl_context, self.proxy)
        if deadline is not None:
            deadline.start()
        try:
            try:
                with self._opener.open(http_request, timeout=timeout) as answer:
                    response = Response(answer.status, read(answer), tuple(answer.headers.items()))
            except urllib.error.HTTPError as error:
                with error:
                    headers = tuple(error.headers.items()) if error.headers is not None else ()
                    response = Response(error.code, read(error), headers)
        except Exception:
            if deadline is not None and deadline.expired:
                raise TimeoutError(f"timed out after {timeout} s (total deadline)") from None
            raise
        finally:
            if deadline is not None:
                deadline.cancel()
        # A deadline that closed the connection mid-body can leave a short
        # read that looks complete: never hand that over as an answer.
        if deadline is not None and deadline.expired:
            raise TimeoutError(f"timed out after {timeout} s (total deadline)")
        return response

    def __repr__(self) -> str:
        return (
            f"UrllibTransport(timeout={self.timeout!r}, max_body_size={self.max_body_size!r}, "
            f"ssl_context={'set' if self.ssl_context else None}, "
            f"proxy={'set' if self.proxy else None}, headers={'set' if self.headers else None})"
        )


class ThreadedUrllibTransport:
    """The default ``AsyncClient`` transport: ``UrllibTransport`` in a worker
    thread, so the package needs no third-party HTTP client. Takes the same
    ``ssl_context``, ``proxy`` and ``headers``."""

    def __init__(
        self,
        timeout: Optional[float] = 30.0,
        max_body_size: Optional[int] = None,
        **urllib: Any,
    ) -> None:
        self._sync = UrllibTransport(timeout, max_body_size, **urllib)

    async def __call__(self, request: Request) -> Response:
        return await self.send(request, timeout=self._sync.timeout)

    async def send(self, request: Request, *, timeout: Optional[float]) -> Response:
        """As ``UrllibTransport.send``, in a worker thread."""
        import asyncio
        import functools

        loop = asyncio.get_running_loop()
        call = functools.partial(self._sync.send, request, timeout=timeout)
        return await loop.run_in_executor(None, call)

    def __repr__(self) -> str:
        return "Threaded" + repr(self._sync)

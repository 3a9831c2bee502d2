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

from io import RawIOBase as _RawIOBase
from typing import (
    TYPE_CHECKING,
    Any,
    Awaitable,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Protocol,
    Tuple,
    Union,
)

from ._errors import MAX_SECONDS, invalid, seconds
from ._native import Request, defaults as _defaults

# The default timeout, from the core's one table of defaults.
_DEFAULT_TIMEOUT: float = _defaults()["timeout_ms"] / 1000

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
    if type(raw) is Response and type(raw.status) is int and type(raw.body) is bytes:
        # The default transports' answer: nothing to convert when its
        # headers are already ``(str, str)`` pairs.
        pairs = raw.headers
        if type(pairs) is tuple and all(
            type(pair) is tuple and len(pair) == 2 and type(pair[0]) is str and type(pair[1]) is str
            for pair in pairs
        ):
            return raw
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
    """The end of one exchange's time (``time.monotonic()``). Every blocking
    step of the exchange (connect, TLS handshake, send, each read) is given
    the time that is left as its socket timeout, so the exchange as a whole
    ends when the time is up: a socket timeout alone is per read, and a
    server that drips a byte at a time would keep the exchange alive."""

    __slots__ = ("seconds", "end")

    def __init__(self, seconds: float) -> None:
        import time

        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left; ``TimeoutError`` once there are none."""
        import time

        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"timed out after {self.seconds} s (total deadline)")
        return left

    def passed(self) -> bool:
        import time

        return time.monotonic() >= self.end


class _Bounded:
    """A connected socket whose every blocking call is bounded by a
    deadline: its timeout is set to the time left just before the call
    (``sendall`` and a TLS handshake bound their whole duration by the
    timeout; a read is bounded one ``recv`` at a time, each given only what
    is left). ``http.client`` reads the response through ``makefile``; as
    with a plain socket, the socket closes once the connection and every
    file made from it are closed (``http.client`` hands the socket over to
    the response)."""

    __slots__ = ("_sock", "_deadline", "_files", "_closed")

    def __init__(self, sock: Any, deadline: Optional[_Deadline]) -> None:
        self._sock = sock
        self._deadline = deadline
        self._files = 0
        self._closed = False

    def _arm(self) -> None:
        if self._deadline is not None:
            self._sock.settimeout(self._deadline.left())

    def rebind(self, deadline: Optional[_Deadline], timeout: Optional[float]) -> None:
        """Bounds the next exchange on this (kept-alive) socket by
        ``deadline`` (``None``: ``timeout`` per blocking call)."""
        self._deadline = deadline
        if deadline is None:
            self._sock.settimeout(timeout)

    def stale(self) -> bool:
        """Whether an idle kept-alive socket can't carry a request: closed
        by the server (end of file is readable), or holding bytes nobody
        asked for."""
        import select

        if self._closed or self._sock.fileno() < 0:
            return True
        pending = getattr(self._sock, "pending", None)  # TLS: bytes already decrypted
        if pending is not None and pending() > 0:
            return True
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(self._sock, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([self._sock], [], [], 0)
        return bool(readable)

    def start_tls(self, context: "ssl.SSLContext", server_hostname: str) -> None:
        self._arm()
        self._sock = context.wrap_socket(self._sock, server_hostname=server_hostname)

    def sendall(self, data: Any) -> None:
        self._arm()
        self._sock.sendall(data)

    def recv_into(self, buffer: Any) -> int:
        self._arm()
        return int(self._sock.recv_into(buffer))

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> Any:
        import io

        if mode != "rb":
            raise ValueError(f"unsupported file mode {mode!r}")
        self._files += 1
        return io.BufferedReader(_Reader(self))

    def setsockopt(self, *args: Any) -> None:
        self._sock.setsockopt(*args)

    def close(self) -> None:
        self._closed = True
        if self._files == 0:
            self._sock.close()

    def _file_closed(self) -> None:
        self._files -= 1
        if self._closed and self._files == 0:
            self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _Reader(_RawIOBase):
    """The raw reader under a ``_Bounded`` socket's ``makefile``."""

    def __init__(self, sock: _Bounded) -> None:
        self._bounded: Optional[_Bounded] = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._bounded is None:
            raise ValueError("I/O operation on closed file")
        return self._bounded.recv_into(buffer)

    def close(self) -> None:
        if self._bounded is not None:
            bounded, self._bounded = self._bounded, None
            bounded._file_closed()
        super().close()


#: The most interim (1xx) answers skipped before a final one; more is a
#: failed exchange (a server can't keep one open forever with ``102``s).
_MAX_INTERIM = 1000
#: http.client's limits for a header line and for the lines of one head.
_MAX_LINE = 65536
_MAX_HEADERS = 100


def _response_class() -> Any:
    """``http.client.HTTPResponse`` that skips every interim answer
    (``1xx`` other than ``101``), with its header lines, and reads the
    final one. ``http.client`` skips only ``100 Continue``: it takes a
    ``103 Early Hints`` as the answer (with no body), and the real answer
    is then left on the connection for whatever reads it next."""
    import http.client

    class Response(http.client.HTTPResponse):
        def _read_status(self) -> Any:
            for _ in range(_MAX_INTERIM + 1):
                version, status, reason = super()._read_status()  # type: ignore[misc]
                if not 100 <= status < 200 or status == 101:
                    # `101` is final (the protocol switched): never asked
                    # for, it reaches the core, which refuses it.
                    return version, status, reason
                for _ in range(_MAX_HEADERS + 1):
                    line = self.fp.readline(_MAX_LINE + 1)
                    if len(line) > _MAX_LINE:
                        raise http.client.LineTooLong("header line")
                    if line in (b"\r\n", b"\n", b""):
                        break
                else:
                    raise http.client.HTTPException(f"got more than {_MAX_HEADERS} headers")
            raise http.client.HTTPException(f"more than {_MAX_INTERIM} interim (1xx) answers")

    return Response


def _reusable(answer: Any, body: bytes) -> bool:
    """Whether the connection ``answer`` came on can carry another read:
    the answer is final (not ``1xx``), read to its end, the server keeps
    the connection open, and its framing leaves no doubt about where it
    ended (one ``Content-Length`` equal to the body read, or chunked with
    no ``Content-Length``). Anything else (whatever the core then decides
    about the answer) and the connection is closed: bytes of an answer
    read short or long would be taken as the next one's."""
    if answer.status < 200 or answer.will_close or not answer.isclosed():
        return False
    headers = answer.headers
    lengths: List[str] = headers.get_all("Content-Length") or []
    if headers.get_all("Transfer-Encoding"):
        return not lengths and bool(answer.chunked)
    return len(lengths) == 1 and lengths[0].strip().isdigit() and int(lengths[0]) == len(body)


def _connection_classes() -> Tuple[Any, Any]:
    """``http.client``'s connection classes with every socket bounded by
    the deadline each connection is given (``deadline=``; ``None``: no
    deadline), and every interim ``1xx`` answer skipped. Through a proxy,
    the ``CONNECT`` exchange is bounded too."""
    import http.client
    import socket

    response_class = _response_class()

    class Bounded:
        response_class: Any
        def __init__(self, *args: Any, deadline: Optional[_Deadline] = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.response_class = response_class
            self._idn_toto_deadline = deadline
            self._create_connection = self._bounded_connection

        def reuse(self, deadline: Optional[_Deadline], timeout: Optional[float]) -> None:
            self._idn_toto_deadline = deadline
            self.sock.rebind(deadline, timeout)  # type: ignore[attr-defined]

        def stale(self) -> bool:
            sock = self.sock  # type: ignore[attr-defined]
            return sock is None or bool(sock.stale())

        def _bounded_connection(self, address: Any, timeout: Any, source_address: Any = None) -> Any:
            deadline = self._idn_toto_deadline
            seconds = deadline.left() if deadline is not None else timeout
            return _Bounded(socket.create_connection(address, seconds, source_address), deadline)

    class HTTPConnection(Bounded, http.client.HTTPConnection):
        pass

    class HTTPSConnection(Bounded, http.client.HTTPSConnection):
        def connect(self) -> None:
            # As http.client's, with the handshake bounded by the deadline.
            http.client.HTTPConnection.connect(self)
            server_hostname = self._tunnel_host or self.host  # type: ignore[attr-defined]
            bounded: Any = self.sock
            bounded.start_tls(self._context, server_hostname)  # type: ignore[attr-defined]

    return HTTPConnection, HTTPSConnection


def _proxied_opener(
    connections: Tuple[Any, Any],
    proxies: Mapping[str, str],
    ssl_context: Optional["ssl.SSLContext"],
) -> Any:
    """urllib's opener for requests that go through a proxy (urllib's
    ``ProxyHandler``: credentials in the proxy URL, ``no_proxy``,
    ``CONNECT`` for https), with only the handlers that needs: no
    redirects (the token is in the URL path; a 3xx is an answer) and every
    status an answer. The request's deadline rides on it
    (``_idn_toto_deadline``)."""
    import functools
    import urllib.request

    http_connection, https_connection = connections

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            deadline = getattr(req, "_idn_toto_deadline", None)
            return self.do_open(functools.partial(http_connection, deadline=deadline), req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            deadline = getattr(req, "_idn_toto_deadline", None)
            connection = functools.partial(https_connection, deadline=deadline)
            return self.do_open(connection, req, context=ssl_context)

    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(dict(proxies)),
        HTTPHandler(),
        HTTPSHandler(context=ssl_context),
    ):
        opener.add_handler(handler)
    return opener


class _Route:
    """What a transport needs for every request, made on first use (it
    reads the environment's proxy variables, as urllib's opener does), and
    its idle kept-alive connections for reads (per scheme and host; made
    again in a forked child, which must not share its parent's sockets)."""

    #: Idle connections kept per scheme and host.
    IDLE_PER_HOST = 8

    def __init__(self, ssl_context: Optional["ssl.SSLContext"], proxy: Optional[str]) -> None:
        import os
        import sys
        import threading
        import urllib.request

        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._idle: Dict[Tuple[str, str], List[Any]] = {}

        self.connections = _connection_classes()
        self.proxies = (
            {"http": proxy, "https": proxy} if proxy is not None else urllib.request.getproxies()
        )
        self.ssl_context = ssl_context
        self._opener: Optional[Any] = None
        # What urllib sends (the opener for proxies sends it too).
        self.user_agent = "Python-urllib/%d.%d" % sys.version_info[:2]

    def take(self, key: Tuple[str, str]) -> Optional[Any]:
        """An idle connection to ``key`` that can carry a request, if any
        (the stale ones are closed)."""
        while True:
            with self._lock:
                idle = self._idle.get(key)
                if not idle:
                    return None
                connection = idle.pop()
            if not connection.stale():
                return connection
            connection.close()

    def give(self, key: Tuple[str, str], connection: Any) -> None:
        """Keeps ``connection`` (its answer read to the end) for the next
        read to ``key``."""
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.IDLE_PER_HOST:
                idle.append(connection)
                return
        connection.close()

    def __del__(self) -> None:
        # The transport is gone: its idle connections with it (not left
        # to the garbage collector, which warns of unclosed sockets).
        self.close()

    def close(self) -> None:
        with self._lock:
            connections = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for connection in connections:
            connection.close()

    def opener(self) -> Any:
        if self._opener is None:
            self._opener = _proxied_opener(self.connections, self.proxies, self.ssl_context)
        return self._opener


class UrllibTransport:
    """The default transport: the standard library's ``http.client``, with
    urllib's proxy handling.

    ``timeout`` (seconds) is a total deadline for the whole exchange
    (connect, TLS handshake, sending, headers and body): each blocking step
    is given only the time left, and when it is gone ``TimeoutError`` is
    raised. It must be a finite number above 0 and at most 86,400 (a day;
    Python's sockets hold no more than ~9.2e9 s), or ``None`` for no
    deadline: anything else raises ``InvalidRequestError`` naming
    ``timeout`` here, before anything is sent. ``max_body_size`` (bytes): reading stops one byte past it, and
    that much is returned (the client then reports the body as too large)
    instead of buffering all of it. Any final HTTP status is an answer, a
    3xx too (redirects are never followed: the token is in the URL path);
    interim ``1xx`` answers (``103 Early Hints``, ...) are skipped; only
    network errors and timeouts raise. The answer is every header as
    received (a repeated one as separate pairs) and the body as read, so
    the core decides whether it is whole (a ``Content-Length`` the body
    does not match, ...). Reads share kept-alive connections
    (per scheme and host, at most 8 idle; one the server has closed is
    dropped before use, and a read that loses that race is a transport
    failure the client's retry policy handles; a connection goes back only
    after a final answer whose end is certain, never after an error, a
    timeout or a doubtful length); a request that moves money
    always gets a new connection of its own, closed after its answer, so it
    is never written to a connection that may already be dead. ``close()``
    closes the idle ones. Requests through a proxy get a new connection
    each.

    ``ssl_context``: the ``ssl.SSLContext`` for ``https://`` (default:
    Python's, with the system's trust store). ``proxy``: a proxy URL
    (``http://proxy.internal:3128``) for both schemes; without it the
    environment's ``http_proxy`` / ``https_proxy`` / ``no_proxy`` apply, as
    they do for urllib (read once, at the first request). ``headers``:
    extra request headers sent with every request (a gateway's header,
    say). None of these is shown by ``repr()`` beyond whether it is set (a
    proxy URL may carry credentials)."""

    def __init__(
        self,
        timeout: Optional[float] = _DEFAULT_TIMEOUT,
        max_body_size: Optional[int] = None,
        *,
        ssl_context: Optional["ssl.SSLContext"] = None,
        proxy: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        seconds("timeout", timeout)
        if max_body_size is not None and (
            isinstance(max_body_size, bool) or not isinstance(max_body_size, int) or max_body_size < 0
        ):
            raise invalid("max_body_size", f"must be a number of bytes (an int >= 0) or None, not {max_body_size!r}")
        self.timeout = timeout
        self.max_body_size = max_body_size
        self.ssl_context = ssl_context
        self.proxy = proxy
        self.headers = dict(headers or {})
        self._route: Optional[_Route] = None

    def __call__(self, request: Request) -> Response:
        return self.send(request, timeout=self.timeout)

    def send(self, request: Request, *, timeout: Optional[float]) -> Response:
        """Sends ``request`` with ``timeout`` (seconds, a total deadline; or
        ``None``) instead of this transport's own: per-call options use it.
        A ``timeout`` that is not a finite number above 0 and at most
        86,400 raises ``InvalidRequestError`` before anything is sent."""
        # Imported on first use: `import idn_toto` stays fast.
        from urllib.parse import urlsplit

        import os

        if timeout is not None and not (type(timeout) in (int, float) and 0 < timeout <= MAX_SECONDS):
            seconds("timeout", timeout)

        route = self._route
        if route is None or route.pid != os.getpid():
            route = self._route = _Route(self.ssl_context, self.proxy)
        deadline = _Deadline(timeout) if timeout is not None else None
        limit = None if self.max_body_size is None else self.max_body_size + 1
        url = request.url
        parts = urlsplit(url)
        try:
            if parts.scheme in route.proxies:
                return self._proxied(route, request, deadline, limit)
            # Only a read may go over a kept-alive connection: a request that
            # moves money always has a new one of its own, closed after it.
            read = bool(request.idempotent)
            key = (parts.scheme, parts.netloc)
            connection = route.take(key) if read else None
            if connection is not None:
                connection.reuse(deadline, timeout)
            elif parts.scheme == "https":
                connection = route.connections[1](
                    parts.netloc, timeout=timeout, context=self.ssl_context, deadline=deadline
                )
            elif parts.scheme == "http":
                connection = route.connections[0](parts.netloc, timeout=timeout, deadline=deadline)
            else:
                raise ValueError(f"unsupported URL scheme {parts.scheme!r}")
            keep = False
            try:
                selector = parts.path or "/"
                if parts.query:
                    selector += "?" + parts.query
                headers = _headers(route.user_agent, request.headers, self.headers, read)
                connection.request(request.method, selector, request.body, headers)
                answer = connection.getresponse()
                body = answer.read() if limit is None else answer.read(limit)
                # Kept only when the answer was read to its end, its end
                # is certain and the server keeps the connection open.
                keep = read and _reusable(answer, body)
                # Every header as received (a repeated one as separate
                # pairs) and the body as read: the core decides whether
                # the answer is whole (a short read at EOF is not an
                # error to `http.client`).
                return Response(answer.status, body, tuple(answer.headers.items()))
            finally:
                if keep:
                    route.give(key, connection)
                else:
                    connection.close()
        except Exception:
            if deadline is not None and deadline.passed():
                raise TimeoutError(f"timed out after {timeout} s (total deadline)") from None
            raise

    def _proxied(
        self, route: _Route, request: Request, deadline: Optional[_Deadline], limit: Optional[int]
    ) -> Response:
        """Through urllib's opener, which decides whether the proxy applies
        (``no_proxy``) and speaks to it."""
        import urllib.request

        http_request = urllib.request.Request(
            request.url,
            data=request.body,
            headers=_headers(None, request.headers, self.headers, bool(request.idempotent)),
            method=request.method,
        )
        setattr(http_request, "_idn_toto_deadline", deadline)
        timeout = deadline.seconds if deadline is not None else None
        with route.opener().open(http_request, timeout=timeout) as answer:
            body = answer.read() if limit is None else answer.read(limit)
            return Response(answer.status, bytes(body), tuple(answer.headers.items()))

    def close(self) -> None:
        """Closes the idle kept-alive connections (the transport stays
        usable)."""
        if self._route is not None:
            self._route.close()

    def __repr__(self) -> str:
        return (
            f"UrllibTransport(timeout={self.timeout!r}, max_body_size={self.max_body_size!r}, "
            f"ssl_context={'set' if self.ssl_context else None}, "
            f"proxy={'set' if self.proxy else None}, headers={'set' if self.headers else None})"
        )


def _headers(
    user_agent: Optional[str], core: Mapping[str, str], extra: Mapping[str, str], read: bool
) -> Dict[str, str]:
    """The request's headers: the core's (a money move's include
    ``connection: close`` and ``accept-encoding: identity``) and the
    transport's ``headers``, each name once (any case). A read takes the
    transport's value for a name both give; a money move keeps the core's,
    so that its answer can be checked as whole and its connection carries
    nothing else."""
    merged: Dict[str, str] = {"User-Agent": user_agent} if user_agent is not None else {}
    if not extra:
        merged.update(core)
        return merged
    for layer in (core, extra) if read else (extra, core):
        names = {name.lower() for name in layer}
        merged = {name: value for name, value in merged.items() if name.lower() not in names}
        merged.update(layer)
    return merged


def _resolve(future: Any) -> None:
    if not future.done():
        future.set_result(None)


class ThreadedUrllibTransport:
    """The default ``AsyncClient`` transport: ``UrllibTransport`` in a worker
    thread (the event loop's default executor), so the package needs no
    third-party HTTP client. Takes the same ``ssl_context``, ``proxy`` and
    ``headers``.

    The deadline (``timeout``) starts when a worker thread takes the
    request, not when it is queued: with more concurrent calls than worker
    threads, a request waiting for a thread has not been sent, and waiting
    never turns it into a timeout (an unknown outcome for a money move).
    A call cancelled while its request still waits for a thread is
    certainly not sent (the request is dropped from the queue)."""

    def __init__(
        self,
        timeout: Optional[float] = _DEFAULT_TIMEOUT,
        max_body_size: Optional[int] = None,
        **urllib: Any,
    ) -> None:
        self._sync = UrllibTransport(timeout, max_body_size, **urllib)

    async def __call__(self, request: Request) -> Response:
        return await self.send(request, timeout=self._sync.timeout)

    async def send(self, request: Request, *, timeout: Optional[float]) -> Response:
        """As ``UrllibTransport.send``, in a worker thread; ``timeout``
        counts from when a thread takes the request."""
        import asyncio
        import threading

        if timeout is not None and not (type(timeout) in (int, float) and 0 < timeout <= MAX_SECONDS):
            seconds("timeout", timeout)
        loop = asyncio.get_running_loop()
        started = loop.create_future()
        gate = threading.Lock()
        # [taken by a thread, cancelled while queued]
        state = [False, False]

        def work() -> Optional[Response]:
            with gate:
                if state[1]:
                    return None  # cancelled before a thread took it: never sent
                state[0] = True
            loop.call_soon_threadsafe(_resolve, started)
            return self._sync.send(request, timeout=timeout)

        job = loop.run_in_executor(None, work)
        try:
            if timeout is not None:
                await asyncio.wait((started, job), return_when=asyncio.FIRST_COMPLETED)
                # The thread bounds the exchange by the same deadline; this
                # bounds what it can't (name resolution).
                done, _ = await asyncio.wait((job,), timeout=timeout)
                if not done:
                    raise TimeoutError(f"timed out after {timeout} s (total deadline)")
            answer = await job
        except asyncio.CancelledError as cancelled:
            with gate:
                queued = not state[0]
                state[1] = True
            job.cancel()
            if queued:
                setattr(cancelled, "_idn_toto_not_sent", True)
            raise
        except BaseException:
            job.cancel()
            raise
        if answer is None:  # pragma: no cover - only when cancelled
            raise RuntimeError("the request was dropped from the queue")
        return answer

    def close(self) -> None:
        """Closes the idle kept-alive connections."""
        self._sync.close()

    def __repr__(self) -> str:
        return "Threaded" + repr(self._sync)

"""``Prepare``, ``Client`` and ``AsyncClient``: the core's driver plus a
transport.

Everything that decides something (validation, URLs, parsing, retries and
``Retry-After``, batching, paging, settling, journal lines, events) happens
in the Rust core's ``Driver``. Each client flavour has exactly one IO loop
(``_drive``): it iterates a ``_Run`` (the driver's steps, with journal
lines, events, the recording of answers and transport failures and the
handling of an interruption done once for both flavours) and does the IO
each step asks for: send a request or sleep, or hand over a page or the
result.

The per-endpoint methods are generated from the core's endpoint
declarations (``_endpoints.py``: one class per flavour with its exact result
types, so type checkers and IDEs see each flavour's signatures); this module
gives them ``_call``, ``_batch`` and ``_rows``.
"""

from __future__ import annotations

import copy
import functools
import datetime
import os
import sys
import time
import uuid
from decimal import Decimal
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Generic,
    Iterable,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
    cast,
)

from . import _native as native
from ._errors import (
    MAX_SECONDS,
    IdnTotoError,
    InvalidRequestError,
    JournalWarning,
    OutcomeUnknownError,
    invalid,
    seconds,
)
from ._journal import FileJournal
from ._matcher import MatchPlan, match_deposits
from ._stores import PostgresJournal, SqliteJournal
from ._endpoints import AsyncClientEndpoints, ClientEndpoints, PrepareEndpoints
from ._types import Action, Amount, DateLike, Item, Params, PgaStatusFilter, Text, TxType
from ._transport import (
    AsyncTransport,
    ThreadedUrllibTransport,
    Transport,
    UrllibTransport,
    as_response,
)

if TYPE_CHECKING:
    import logging
    import ssl

__all__ = [
    "Prepare",
    "Client",
    "AsyncClient",
    "TxType",
    "Action",
    "Amount",
    "PgaStatusFilter",
    "Settleable",
    "EventHandler",
    "JournalStore",
]


Settleable = Union[OutcomeUnknownError, native.ItemOutcome, native.Unsettled]
"""What ``settle`` takes: the unknown-outcome exception of a single money
call, a batch outcome whose status is ``"unknown"``, or their
``Unsettled`` (from any client for the same agent)."""

EventHandler = Callable[[native.Event], None]
"""``on_event``: called with every ``Event`` of every call."""

JournalStore = Union[FileJournal, SqliteJournal, PostgresJournal]
"""What a client's ``journal`` is: a JSON Lines file (``FileJournal``; keys
honoured for one process at a time), a SQLite file shared by the processes
of one machine (``SqliteJournal``) or a Postgres database shared by several
machines (``PostgresJournal``)."""



def _logger() -> Optional["logging.Logger"]:
    """The ``idn_toto`` logger, when ``logging`` is in use: an application
    that never imported it configured no handler, and ``import idn_toto``
    stays fast."""
    logging = sys.modules.get("logging")
    return None if logging is None else logging.getLogger("idn_toto")

# The defaults every host starts from, read from the core's one table
# (``Settings::DEFAULT``): the clients never write their own.
_DEFAULTS = native.defaults()
_DEFAULT_TIMEOUT: float = _DEFAULTS["timeout_ms"] / 1000
_DEFAULT_SETTLE_DELAY: float = _DEFAULTS["settle_delay_ms"] / 1000
_DEFAULT_SNAPSHOTS: bool = _DEFAULTS["snapshots"]
_DEFAULT_MAX_PAGES: int = _DEFAULTS["max_pages"]
_DEFAULT_KEY_LEASE: float = _DEFAULTS["lease_ms"] / 1000


class _Unset:
    """The default of a ``with_options`` argument that was not given."""

    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()


_invalid = invalid


def _check_retry(retry: Optional[native.RetryPolicy]) -> None:
    """A retry policy whose waits the runtime can sleep (at most a day)."""
    if isinstance(retry, native.RetryPolicy) and retry.max_delay_ms > MAX_SECONDS * 1000:
        raise _invalid(
            "retry",
            f"max_delay_ms must be at most {MAX_SECONDS * 1000} (a day), not {retry.max_delay_ms}",
        )


def _warn(message: str, category: Type[Warning]) -> None:
    """Warns, and never raises: under a filter that turns warnings into
    errors, the call's result (or its own error) still reaches the caller,
    and the result's flag (``journal_unwritten``) still says what the
    warning would have."""
    try:
        import warnings

        warnings.warn(message, category, stacklevel=3)
    except Exception:
        pass


def _failure_reason(error: BaseException) -> str:
    text = str(error)
    asyncio = sys.modules.get("asyncio")  # never imported just for this check
    timeouts = (TimeoutError, asyncio.TimeoutError) if asyncio else (TimeoutError,)
    if not text and isinstance(error, timeouts):
        text = "timed out"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _clock(since: float) -> Tuple[int, int]:
    """The core's ``Clock``: milliseconds since ``since`` (monotonic) and the
    wall clock in Unix seconds (for ``Retry-After`` dates and journal
    timestamps)."""
    return int((time.monotonic() - since) * 1000), int(time.time())


class Prepare(PrepareEndpoints):
    """The sans-IO level: each method returns the ``Request`` without sending
    it. Send ``request.url`` yourself, then ``client.parse(request, status,
    body)``."""

    def __init__(self, core: native.Core) -> None:
        self._core = core

    def _call(self, endpoint: str, params: Params, key: Optional[str] = None) -> native.Request:
        if key is not None:
            raise _invalid(
                "key",
                "an operation key is claimed in a client's journal before the request is sent: "
                "give it to Client or AsyncClient, not to prepare",
            )
        return self._core.build(endpoint, params)

    def _batch(self, params: Params) -> native.Request:
        return self._core.build("multiple_transaction", params)

    def __repr__(self) -> str:
        return f"Prepare({self._core!r})"


# The client-only methods' result types, per flavour.
_Settled = TypeVar("_Settled")
_AllSettled = TypeVar("_AllSettled")
_Open = TypeVar("_Open")
_Any = TypeVar("_Any")
_Transport = TypeVar("_Transport")
_Client = TypeVar("_Client", bound="_Base[Any, Any, Any, Any, Any]")


class _Base(Generic[_Settled, _AllSettled, _Open, _Any, _Transport]):
    """What both clients share: the constructor, the driver's options, the
    steps that do no network IO (journal lines, events), and the
    client-only methods, written once."""

    #: The default transport's class.
    _urllib: Any

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: Optional[_Transport] = None,
        timeout: Optional[float] = _DEFAULT_TIMEOUT,
        retry: Optional[native.RetryPolicy] = None,
        path_words: Optional[Mapping[str, str]] = None,
        allow_insecure_http: bool = False,
        max_body_size: Optional[int] = None,
        max_pages: int = _DEFAULT_MAX_PAGES,
        journal: Optional[JournalStore] = None,
        key_lease: float = _DEFAULT_KEY_LEASE,
        settle_delay: float = _DEFAULT_SETTLE_DELAY,
        snapshots: bool = _DEFAULT_SNAPSHOTS,
        on_event: Optional[EventHandler] = None,
        log_bodies: bool = False,
        ssl_context: Optional["ssl.SSLContext"] = None,
        proxy: Optional[str] = None,
    ) -> None:
        if transport is not None and (ssl_context is not None or proxy is not None):
            raise _invalid(
                "ssl_context" if ssl_context is not None else "proxy",
                "configures the default transport: give it to your transport instead",
            )
        if journal is not None and not isinstance(journal, (FileJournal, SqliteJournal, PostgresJournal)):
            raise _invalid(
                "journal",
                f"must be a FileJournal, SqliteJournal, PostgresJournal or None, not {type(journal).__name__}",
            )
        seconds("key_lease", key_lease, none=False)
        if (
            isinstance(settle_delay, bool)
            or not isinstance(settle_delay, (int, float))
            or not 0 <= settle_delay <= 3600
        ):
            raise _invalid("settle_delay", "must be a number of seconds from 0 to 3600")
        for name, flag in (("snapshots", snapshots), ("log_bodies", log_bodies)):
            if not isinstance(flag, bool):
                raise _invalid(name, "must be True or False")
        if on_event is not None and not callable(on_event):
            raise _invalid("on_event", "must be a callable taking an Event, or None")
        seconds("timeout", timeout)
        if retry is not None and not isinstance(retry, native.RetryPolicy):
            raise _invalid("retry", f"must be a RetryPolicy or None, not {type(retry).__name__}")
        _check_retry(retry)
        self._core = native.Core(
            base_url,
            token,
            path_words=path_words,
            retry=retry,
            allow_insecure_http=allow_insecure_http,
            max_body_size=max_body_size,
        )
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
            raise ValueError("max_pages must be a positive int")
        self._journal = journal
        self._lease_ms = int(round(key_lease * 1000))
        self._settle_delay_ms = int(round(settle_delay * 1000))
        self._snapshots = snapshots
        self._bodies = log_bodies
        self._on_event = on_event
        self._max_pages = max_pages
        self._timeout = timeout
        self._retry = self._core.retry
        # The client's timeout is given to the default transport at each
        # send; a transport of your own keeps its own (AsyncClient bounds
        # every send with it anyway).
        self._own_transport = transport is None
        self._transport: _Transport = (
            transport
            if transport is not None
            else self._urllib(timeout, self._core.max_body_size, ssl_context=ssl_context, proxy=proxy)
        )
        #: Builds requests without sending them.
        self.prepare = Prepare(self._core)

    @classmethod
    def from_env(cls: Type[_Client], **options: Any) -> _Client:
        """A client for ``IDN_TOTO_BASE_URL`` with the token
        ``IDN_TOTO_TOKEN``; ``options`` are the constructor's keyword
        arguments. A variable that is missing or empty raises
        ``InvalidRequestError`` naming it (never showing its value)."""
        values = []
        for name in ("IDN_TOTO_BASE_URL", "IDN_TOTO_TOKEN"):
            value = os.environ.get(name, "")
            if not value:
                raise _invalid(name, "the environment variable is not set")
            values.append(value)
        return cls(*values, **options)

    def with_options(
        self: _Client,
        *,
        timeout: Optional[float] = _UNSET,
        retry: Optional[native.RetryPolicy] = _UNSET,
    ) -> _Client:
        """A client like this one (the same transport, journal and settings)
        whose calls use ``timeout`` seconds (``None``: no deadline) and the
        retry policy ``retry`` (``None``: the core's default) where given:
        ``client.with_options(timeout=5).user_balance("LOREM")``. With a
        synchronous transport of your own, the timeout is that transport's
        to enforce."""
        other = copy.copy(self)
        if timeout is not _UNSET:
            seconds("timeout", timeout)
            other._timeout = timeout
        if retry is not _UNSET:
            if retry is not None and not isinstance(retry, native.RetryPolicy):
                raise _invalid("retry", f"must be a RetryPolicy or None, not {type(retry).__name__}")
            _check_retry(retry)
            other._retry = retry if retry is not None else native.RetryPolicy()
        return other

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def journal(self) -> Optional[JournalStore]:
        """The journal of money moves (and operation keys), or ``None``."""
        return self._journal

    @property
    def key_lease(self) -> float:
        """How long a keyed move's claim keeps other processes out, in
        seconds."""
        return self._lease_ms / 1000

    @property
    def timeout(self) -> Optional[float]:
        """The deadline of each send, in seconds (``None``: none)."""
        return self._timeout

    @property
    def retry(self) -> native.RetryPolicy:
        """The retry policy for reads."""
        return self._retry

    def parse(self, request: native.Request, status: int, body: bytes) -> Any:
        """Parses the answer to a request built by ``prepare`` into its typed
        result (sans-IO use). Raises ``IdnTotoError`` subclasses."""
        return self._core.parse(request.endpoint, status, bytes(body))

    # -- the driver

    def _options(
        self, journal: bool = False, settle_delay_ms: int = 0, snapshots: bool = True
    ) -> native.DriverOptions:
        return native.DriverOptions(
            retry=self._retry,
            journal_id=uuid.uuid4().hex if journal and self._journal is not None else None,
            snapshots=snapshots and self._snapshots,
            bodies=self._bodies,
            max_pages=self._max_pages,
            settle_delay_ms=settle_delay_ms,
            lease_ms=self._lease_ms,
        )

    def _call_driver(self, endpoint: str, params: Params, key: Optional[str]) -> native.Driver:
        request = self._core.build(endpoint, params)
        return native.Driver.call(self._core, request, self._options(journal=True), key=key)

    def _batch_driver(self, params: Params) -> native.Driver:
        return native.Driver.batch(self._core, params, self._options(journal=True))

    def _pages_driver(self, endpoint: str, params: Params) -> native.Driver:
        return native.Driver.pages(self._core, endpoint, params, self._options())

    def _settle_driver(self, thing: object) -> native.Driver:
        options = self._options(settle_delay_ms=self._settle_delay_ms)
        if self._journal is not None:
            options = options.with_journal_id(getattr(thing, "journal_id", None))
        return native.Driver.settle(self._core, _unsettled(thing), options)

    def _emit(self, event: native.Event) -> None:
        # An observer (the logger's handlers and filters, `on_event`) never
        # changes what a call does: what it raises is reported, and the
        # call goes on (its answer must reach the caller, its journal
        # lines the journal).
        log = _logger()
        if log is not None:
            try:
                if log.isEnabledFor(10):  # logging.DEBUG
                    log.debug("%s", event.message())
            except Exception as error:
                _warn(
                    f"a handler or filter of the 'idn_toto' logger raised {_failure_reason(error)} "
                    f"on a {event.kind} event; the call went on",
                    RuntimeWarning,
                )
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception as error:
                try:
                    import logging

                    logging.getLogger("idn_toto").warning(
                        "on_event raised on a %s event", event.kind, exc_info=True
                    )
                except Exception:
                    _warn(
                        f"on_event raised {_failure_reason(error)} on a {event.kind} event "
                        "(and so did the 'idn_toto' logger); the call went on",
                        RuntimeWarning,
                    )

    # -- the client-only methods

    def send(self, request: native.Request) -> _Any:
        """Sends a request built by ``prepare`` (retrying reads as the core's
        policy says) and returns its typed result. (Money moves sent this
        way are neither journaled nor snapshotted: use the named methods.)"""
        driver = native.Driver.call(self._core, request, self._options(snapshots=False))
        return cast(_Any, self._run(driver))

    def settle(self, error_or_outcome: Settleable) -> _Settled:
        """Finds out, with reads only, whether a money move whose outcome is
        unknown took effect: ``applied`` (never send it again),
        ``not_applied`` (safe to send again) or ``undetermined`` (see
        ``reason`` and ``evidence``). Takes an ``OutcomeUnknownError`` from
        a money call, an ``ItemOutcome`` whose status is ``"unknown"`` or
        their ``Unsettled`` (anything else raises ``InvalidRequestError``
        naming ``error_or_outcome``). Waits ``settle_delay`` first, in case
        the move is still in flight. Journaled moves get a ``settled``
        line."""
        return cast(_Settled, self._run(self._settle_driver(error_or_outcome)))

    def unsettled(self) -> _Open:
        """The journal's money moves without a definite state (an intent with
        no outcome, an unknown outcome, an undetermined settlement)."""
        return cast(_Open, self._ready(self._open_moves()))

    def settle_unsettled(self) -> _AllSettled:
        """Settles every open money move of the journal, in order, and
        records each settlement. ``settle_delay`` is waited once, before the
        first read (every open move was sent before then). The journal is
        opened for appending and checked first: one that can't be written
        (or read back whole) raises before anything is read from the
        server."""
        options = self._options(settle_delay_ms=self._settle_delay_ms)
        if self._journal is not None:
            self._journal.open()
        driver = native.Driver.settle_open(self._core, self._open_moves(), options)
        return cast(_AllSettled, self._run(driver))

    def _open_moves(self) -> List[native.OpenMove]:
        if self._journal is None:
            raise _invalid(
                "journal",
                "this client has no journal (Client(..., journal=FileJournal(path)), SqliteJournal or "
                "PostgresJournal)",
            )
        return native.Journal.read(self._journal.read()).unsettled()

    # -- deposit matching (issue 23): what both flavours' `match_deposits` share

    def _match_rules(self, rules: Mapping[str, object], approve: bool) -> Mapping[str, object]:
        """``rules``, with ``approve``: checked for a journal (before
        anything is read or sent) and extended by what the journal says was
        approved on this server (the core's
        ``rules_with_approved_before_json``)."""
        if not approve:
            return rules
        if self._journal is None:
            raise _invalid(
                "journal",
                "approving needs a journal: each approval is sent under the operation key "
                "match:<credit ref>, kept in the journal, so a re-run never approves twice "
                "(Client(..., journal=FileJournal(path)), SqliteJournal or PostgresJournal); "
                "nothing was read or sent",
            )
        journal = native.Journal.read(self._journal.export())
        return native.rules_with_approved_before(rules, journal, self._core.fingerprint)

    @staticmethod
    def _approvals(plan: MatchPlan, operator: Optional[str]) -> List[Item]:
        """The plan's approvals as keyed ``multiple_transaction`` items
        (the core's ``approval_batch_json``)."""
        return cast(List[Item], native.approval_batch_json(plan.to_dict(), operator)["transaction"])

    # -- what each flavour does

    def _call(self, endpoint: str, params: Params, key: Optional[str] = None) -> Any:
        # The driver is made now, so bad arguments raise at the call (for
        # AsyncClient: before any await).
        return self._run(self._call_driver(endpoint, params, key))

    def _batch(self, params: Params) -> Any:
        return self._run(self._batch_driver(params))

    def _run(self, driver: native.Driver) -> Any:
        raise NotImplementedError

    def _rows(self, endpoint: str, params: Params) -> Any:
        raise NotImplementedError

    def _ready(self, value: object) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, token='***')"


class _Run:
    """One driver run, everything but its IO: what both flavours' loops
    share. Iterating it gives the steps that need the flavour (``send``,
    ``wait``, ``page``, ``done``: journal lines and events are handled
    here) and ends after ``done``. A flavour does each send as
    ``with run.sending(): run.answer = <the transport's response>``: the
    answer, or the transport's failure, reaches the driver before the next
    step; an interruption (``KeyboardInterrupt``, ``asyncio`` cancellation)
    is reported at once and goes on."""

    def __init__(self, client: _Base[Any, Any, Any, Any, Any], driver: native.Driver) -> None:
        self._client = client
        self._driver = driver
        self._started = time.monotonic()
        #: When the send whose answer is still to be recorded left.
        self._sent: Optional[float] = None
        self._failure: Optional[str] = None
        self._over = False
        #: What the transport returned for the current send.
        self.answer: Any = None

    def __iter__(self) -> _Run:
        return self

    def __next__(self) -> native.Step:
        if self._over:
            raise StopIteration
        if self._sent is not None:
            self._record(self._sent)
        step = self._next()
        self._over = step.kind == "done"
        return step

    def sending(self) -> _Run:
        self._sent = time.monotonic()
        self._failure = self.answer = None
        return self

    def __enter__(self) -> _Run:
        return self

    def __exit__(self, kind: object, error: Optional[BaseException], traceback: object) -> bool:
        if isinstance(error, Exception):  # any transport failure, reported to the core
            self._failure = _failure_reason(error)
            return True
        if error is not None and self._sent is not None:
            # The default async transport marks a cancellation that came
            # while the request still waited for a thread: never sent.
            self._interrupted(self._sent, getattr(error, "_idn_toto_not_sent", False))
        return False

    def not_sent(self) -> None:
        """The caller cancelled after the driver asked for a send and before
        it was handed to the transport: nothing of it left."""
        self._interrupted(time.monotonic(), True)

    def _record(self, sent: float) -> None:
        # Recorded outside any `except` block: the transport's exception
        # (which may quote the URL, token included) is never chained to
        # what the core raises.
        self._sent = None
        answer = None
        if self._failure is None:
            try:
                answer = as_response(self.answer)
            except Exception as error:  # not a response: a transport failure
                self._failure = _failure_reason(error)
        if answer is None:
            self._driver.record_transport_failure(self._failure or "no response", *_clock(sent))
        else:
            self._driver.record_response(answer.status, answer.headers, answer.body, *_clock(sent))

    def _next(self) -> native.Step:
        """The driver's next step that needs the caller's IO flavour (send,
        wait, page, done); journal lines and events are handled here."""
        while True:
            step = self._driver.next(*_clock(self._started))
            if step.kind == "journal":
                journal = self._client._journal
                if journal is not None:
                    try:
                        journal.append(step.value)
                    except Exception as error:
                        self._journal_failed(error)
            elif step.kind == "claim":
                self._claim(step.value)
            elif step.kind == "event":
                self._client._emit(step.value)
            else:
                return step

    def _claim(self, claim: native.KeyClaim) -> None:
        """Runs a keyed move's claim against the journal store (one
        transaction) and gives the driver its answer, or why it failed
        (the core then sends nothing the claim announces)."""
        journal = self._client._journal
        if journal is None:  # keys need a journal: the core refused them already
            self._driver.record_claim_failure("operation keys need a journal")
            return
        try:
            answer = journal.claim(claim, int(time.time() * 1000))
        except InvalidRequestError as error:
            self._driver.record_claim_failure(error.reason)
        except Exception as error:
            self._driver.record_claim_failure(_failure_reason(error))
        else:
            self._driver.record_claim(answer)

    def _journal_failed(self, error: Exception) -> None:
        """The journal could not take the last line: the core decides (an
        intent stops what it announces before it is sent; a lost outcome or
        ``settled`` line leaves the result as it is, flagged
        ``journal_unwritten``), and a ``JournalWarning`` says so. The write
        error never replaces the money move's result."""
        # A store's words may quote a line's values: scrubbed of the token.
        reason = self._client._core.redact(_failure_reason(error))
        lost = self._driver.journal_failures
        self._driver.record_journal_failure(reason)
        if self._driver.journal_failures > lost:
            _warn(
                f"a journal line could not be written ({reason}): the money move's result stands "
                "(flagged journal_unwritten) and the move stays open in the journal until it is settled",
                JournalWarning,
            )

    def _interrupted(self, sent: float, not_sent: bool = False) -> None:
        """The send in flight was cancelled (``asyncio`` cancellation,
        ``KeyboardInterrupt``): the driver hears of it as a transport failure
        (``not_sent``: as a request that certainly never left), and its
        journal lines and events up to the end are written (a money move's
        ``unknown`` or ``not_sent`` outcome among them) before the
        interruption goes on. Nothing more is sent."""
        self._sent = None
        self._over = True
        if not_sent:
            self._driver.record_not_sent("cancelled before it was sent", *_clock(sent))
        else:
            self._driver.record_transport_failure("cancelled", *_clock(sent))
        try:
            while self._next().kind not in ("done", "send", "wait"):
                pass
        except IdnTotoError:
            pass  # the call's error: the interruption is what the caller gets


async def _bounded(sending: Awaitable[Any], timeout: Optional[float]) -> Any:
    """``sending`` (a transport's awaitable) bounded by ``timeout``
    seconds. Unlike ``asyncio.wait_for`` on CPython <= 3.11, a cancellation
    that comes as the send completes is never swallowed: the caller's
    cancellation always goes on, and nothing more is sent."""
    import asyncio

    task = asyncio.ensure_future(sending)
    try:
        done, _ = await asyncio.wait((task,), timeout=timeout)
    except BaseException:
        _drop(task)
        raise
    if not done:
        _drop(task)
        raise TimeoutError(f"timed out after {timeout} s")
    return task.result()


def _drop(task: Any) -> None:
    """Cancels a send that is no longer awaited (its late failure, if any,
    is read so that asyncio does not log it as never retrieved)."""
    task.cancel()
    task.add_done_callback(lambda t: t.cancelled() or t.exception())


def _unsettled(thing: object) -> native.Unsettled:
    """What settling ``thing`` needs, or ``InvalidRequestError`` naming
    ``error_or_outcome``."""
    if isinstance(thing, OutcomeUnknownError):
        if thing.unsettled is None:
            raise _invalid(
                "error_or_outcome",
                "this OutcomeUnknownError does not say what was sent (it was not raised by a "
                "money call of a Client or AsyncClient)",
            )
        return thing.unsettled
    if isinstance(thing, native.ItemOutcome):
        unsettled = thing.unsettled()
        if unsettled is None:
            raise _invalid(
                "error_or_outcome",
                f"only an outcome whose status is 'unknown' can be settled, not {thing.status!r}",
            )
        return unsettled
    if isinstance(thing, native.Unsettled):
        return thing
    raise _invalid(
        "error_or_outcome",
        "must be an OutcomeUnknownError, an ItemOutcome whose status is 'unknown' or an "
        f"Unsettled, not {type(thing).__name__}",
    )


def _result(steps: List[native.Step]) -> Any:
    """The value of a run's ``done`` step (its last)."""
    if not steps or steps[-1].kind != "done":
        raise RuntimeError("the driver ended without a result")
    return steps[-1].value


def _rows_of(step: native.Step) -> List[Any]:
    """A ``page`` step's rows (none for the ``done`` step)."""
    return step.value.data if step.kind == "page" else []


_CLIENT_DOC = """

    ``timeout`` seconds is a total deadline per send (connect, headers and
    body); a timeout is a transport failure. Reads are retried on network
    errors, timeouts, 5xx and 429 as ``retry`` says (default: the core's
    policy), waiting what a 429/503 ``Retry-After`` asks (capped by the
    policy's ``max_delay_ms``); requests that move money are never retried,
    and a transport failure on one raises ``OutcomeUnknownError``.
    ``ssl_context`` and ``proxy`` configure the default transport (see
    ``UrllibTransport``; without ``proxy`` the environment's proxy
    variables apply).

    ``allow_insecure_http``: allow a plain ``http://`` base URL to a host
    that is not loopback (the token travels in the URL path).
    ``max_body_size``: the largest body read, in bytes (default 64 MiB); a
    larger one raises ``DecodeError`` (``OutcomeUnknownError`` for a request
    that moves money) before any parsing, and the default transport stops
    reading past it. ``max_pages``: the most pages one ``iter_*`` iteration
    reads (default 10,000; past it, ``DecodeError`` at ``page``).

    ``on_event``: a callable that gets every ``Event`` (attempt, response,
    transport failure, retry, done) with the endpoint, method, redacted URL,
    attempt, status, elapsed and retry delay in ms and error kind; never the
    token, and a response body only with ``log_bodies=True``. The
    ``idn_toto`` logger logs each event at DEBUG.

    Unknown outcomes: ``settle(error_or_outcome)`` finds out with reads
    (never a money move) whether a money move whose outcome is unknown took
    effect, waiting ``settle_delay`` seconds (default 5) first in case it is
    still in flight. ``snapshots`` (default on): before a manual
    transaction, single or bulk, read the user's history of that type (one
    read per distinct user), which settling compares against; turned off, a
    lost manual answer settles ``undetermined``. A failed snapshot read
    sends nothing. ``journal``: a ``FileJournal``, ``SqliteJournal`` or
    ``PostgresJournal`` that gets an ``intent`` line (synced) before every
    money move leaves and an ``outcome`` line after; after a crash,
    ``unsettled()`` lists what is open and ``settle_unsettled()`` settles
    it. The journal keeps operation keys too (``key=`` on a money move,
    ``"key"`` on a batch item): a keyed move happens at most once per key
    and server; ``key_lease`` seconds (default 300) is how long a claim
    keeps other processes out, after which a crashed holder's open move is
    settled (reads only) by whoever uses the key next.

    ``Client.from_env()`` reads ``IDN_TOTO_BASE_URL`` and
    ``IDN_TOTO_TOKEN``; ``client.with_options(timeout=..., retry=...)`` is a
    client with other per-call options sharing this one's transport.
    """


class Client(
    _Base[
        native.Settlement,
        List[native.Settlement],
        List[native.OpenMove],
        Any,
        Transport,
    ],
    ClientEndpoints,
):
    """The synchronous client.

    ``transport`` is any callable ``(request) -> response`` (default: the
    standard library's urllib, ``UrllibTransport``)."""

    __doc__ = (__doc__ or "") + _CLIENT_DOC

    _urllib = UrllibTransport
    _sleep = staticmethod(time.sleep)

    def _exchange(self, request: native.Request) -> Any:
        if self._own_transport:
            return cast(UrllibTransport, self._transport).send(request, timeout=self._timeout)
        return self._transport(request)

    def _drive(self, driver: native.Driver) -> Iterator[native.Step]:
        """The one IO loop: sends, sleeps, and yields pages and the end."""
        run = _Run(self, driver)
        for step in run:
            if step.kind == "send":
                with run.sending():
                    run.answer = self._exchange(step.value)
            elif step.kind == "wait":
                self._sleep(step.value / 1000)
            else:
                yield step

    def match_deposits(
        self,
        credits: Sequence[Mapping[str, object]],
        rules: Mapping[str, object],
        *,
        approve: bool = False,
        operator: Optional[str] = None,
    ) -> MatchPlan:
        """Reads the pending deposits (``transaction_list``) and returns the
        matcher's plan for them and the bank ``credits`` under ``rules``
        (see ``idn_toto.match_deposits``). With ``approve=True`` (a client
        with a journal, else ``InvalidRequestError`` at ``journal`` before
        anything is read or sent): credits and requests the journal says
        were approved before are left out (``already_claimed``), and the
        plan's approvals are sent as one batch of accepts (``operator``,
        default ``"idn-toto-match"``), each under the operation key
        ``match:<credit ref>``: a re-run, a restart or a second matcher on
        the same journal store never approves a request twice or spends a
        credit twice. The plan's ``outcomes`` are the batch's, one per
        approval."""
        rules = self._match_rules(rules, approve)
        plan = match_deposits(self.transaction_list("deposit"), credits, rules)
        if not approve:
            return plan
        items = self._approvals(plan, operator)
        outcomes = self.multiple_transaction("deposit", items) if items else []
        return MatchPlan(plan.to_dict(), outcomes)

    def _run(self, driver: native.Driver) -> Any:
        return _result(list(self._drive(driver)))

    def _rows(self, endpoint: str, params: Params) -> Iterator[Any]:
        for step in self._drive(self._pages_driver(endpoint, params)):
            yield from _rows_of(step)

    def _ready(self, value: object) -> object:
        return value


class AsyncClient(
    _Base[
        Awaitable[native.Settlement],
        Awaitable[List[native.Settlement]],
        Awaitable[List[native.OpenMove]],
        Awaitable[Any],
        AsyncTransport,
    ],
    AsyncClientEndpoints,
):
    """The asynchronous client: the same methods as ``Client``, returning
    awaitables (the ``iter_*`` methods are async iterators).

    ``transport`` is an async callable ``(request) -> response`` (default:
    urllib in a worker thread, ``ThreadedUrllibTransport``); every send,
    whatever the transport, is bounded by ``timeout``. Journal lines are
    appended and synced in the event loop's thread (an ``fsync`` per
    line), and so are operation keys' claims (a ``SqliteJournal`` waits
    there for another process's lock, up to 30 s)."""

    __doc__ = (__doc__ or "") + _CLIENT_DOC

    _urllib = ThreadedUrllibTransport

    async def _sleep(self, seconds: float) -> None:
        import asyncio  # only async users pay for importing it

        await asyncio.sleep(seconds)

    async def _exchange(self, request: native.Request) -> Any:
        if self._own_transport:
            # Its deadline starts when a worker thread takes the request.
            return await cast(ThreadedUrllibTransport, self._transport).send(request, timeout=self._timeout)
        return await _bounded(self._transport(request), self._timeout)

    async def _drive(self, driver: native.Driver) -> AsyncIterator[native.Step]:
        """The one IO loop: sends, sleeps (both awaited), and yields pages
        and the end."""
        import asyncio

        run = _Run(self, driver)
        for step in run:
            if step.kind == "send":
                try:
                    # A cancellation asked for while this task ran (by an
                    # `on_event` hook, say) is taken here, before anything
                    # of the send starts.
                    await asyncio.sleep(0)
                except BaseException:
                    run.not_sent()
                    raise
                with run.sending():
                    run.answer = await self._exchange(step.value)
            elif step.kind == "wait":
                await self._sleep(step.value / 1000)
            else:
                yield step

    def match_deposits(
        self,
        credits: Sequence[Mapping[str, object]],
        rules: Mapping[str, object],
        *,
        approve: bool = False,
        operator: Optional[str] = None,
    ) -> Awaitable[MatchPlan]:
        """Reads the pending deposits (``transaction_list``) and returns the
        matcher's plan for them and the bank ``credits`` under ``rules``
        (see ``idn_toto.match_deposits``). With ``approve=True`` (a client
        with a journal, else ``InvalidRequestError`` at ``journal`` before
        anything is read or sent): credits and requests the journal says
        were approved before are left out (``already_claimed``), and the
        plan's approvals are sent as one batch of accepts (``operator``,
        default ``"idn-toto-match"``), each under the operation key
        ``match:<credit ref>``: a re-run, a restart or a second matcher on
        the same journal store never approves a request twice or spends a
        credit twice. The plan's ``outcomes`` are the batch's, one per
        approval. (Bad arguments, and approving without a journal, raise
        at the call.)"""
        return self._match(credits, self._match_rules(rules, approve), approve, operator)

    async def _match(
        self,
        credits: Sequence[Mapping[str, object]],
        rules: Mapping[str, object],
        approve: bool,
        operator: Optional[str],
    ) -> MatchPlan:
        plan = match_deposits(await self.transaction_list("deposit"), credits, rules)
        if not approve:
            return plan
        items = self._approvals(plan, operator)
        outcomes = await self.multiple_transaction("deposit", items) if items else []
        return MatchPlan(plan.to_dict(), outcomes)

    async def _run(self, driver: native.Driver) -> Any:
        return _result([step async for step in self._drive(driver)])

    async def _rows(self, endpoint: str, params: Params) -> AsyncIterator[Any]:
        async for step in self._drive(self._pages_driver(endpoint, params)):
            for row in _rows_of(step):
                yield row

    async def _ready(self, value: object) -> object:
        return value

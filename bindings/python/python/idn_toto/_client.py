"""``Client`` and ``AsyncClient``: the core's sans-IO client plus a transport.

Everything that decides something (validation, URLs, parsing, retries,
batching, paging) happens in the Rust core; this module converts arguments,
calls the transport and sleeps when the core says so.
"""

from __future__ import annotations

import datetime
import sys
import time
import uuid
from decimal import Decimal
from typing import (
    Any,
    AsyncIterator,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Tuple,
    Union,
    cast,
)

from ._errors import IdnTotoError, InvalidRequestError, OutcomeUnknownError
from ._journal import FileJournal
from ._native import (
    Batch,
    BankList,
    Core,
    FullTransaction,
    GameList,
    ItemOutcome,
    Journal,
    JournalRecord,
    NumberHistory,
    OpenMove,
    PgaInvoice,
    PgaTransaction,
    Processed,
    ReferralList,
    Request,
    RetryPolicy,
    Settle,
    Settlement,
    TransactionList,
    TurnoverRow,
    Unsettled,
    UserBalance,
    UserHistory,
    UserLastTransaction,
    next_page,
)
from ._transport import (
    AsyncTransport,
    ThreadedUrllibTransport,
    Transport,
    UrllibTransport,
    as_response,
)

__all__ = [
    "Prepare",
    "Client",
    "AsyncClient",
    "TxType",
    "Action",
    "Amount",
    "PgaStatusFilter",
    "Settleable",
]

TxType = Literal["deposit", "withdraw"]
"""The ``type`` parameter."""
Action = Literal["accept", "reject"]
"""The ``action`` parameter of an accept/reject."""
PgaStatusFilter = Literal["all", "paid", "expired", "unpaid"]
"""The ``status`` filter of ``pga_transaction``."""
Amount = Union[Decimal, int, str]
"""An exact amount: ``Decimal``, ``int`` or a decimal string (never a float)."""
Id = Union[str, int]
DateLike = Union[datetime.date, str]
"""A ``datetime.date`` or ``"YYYY-MM-DD"``."""
Item = Mapping[str, object]
"""A batch item: accept/reject (``trans_id``, ``user``, ``action``,
``comment``, ``operator``) or manual (``user``, ``amount``, ``comment``,
``operator``)."""


Settleable = Union[OutcomeUnknownError, ItemOutcome, Unsettled]
"""What ``settle`` takes: the unknown-outcome exception of a single money
call, a batch outcome whose status is ``"unknown"``, or their
``Unsettled`` (from any client for the same agent)."""


def _invalid(field: str, reason: str) -> InvalidRequestError:
    message = f"invalid request: {field}: {reason}"
    return InvalidRequestError(
        message, {"kind": "invalid_request", "message": message, "field": field, "reason": reason}
    )


def _now() -> str:
    """The host's clock for journal lines (RFC 3339, UTC)."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )


def _new_id() -> str:
    """A journal id: the randomness lives here, in the host, never in the core."""
    return uuid.uuid4().hex


def _failure_reason(error: BaseException) -> str:
    text = str(error)
    asyncio = sys.modules.get("asyncio")  # never imported just for this check
    timeouts = (TimeoutError, asyncio.TimeoutError) if asyncio else (TimeoutError,)
    if not text and isinstance(error, timeouts):
        text = "timed out"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Prepare:
    """The sans-IO level: each method returns the ``Request`` without sending
    it. Send ``request.url`` yourself, then ``client.parse(request, status,
    body)``."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def transaction_list(
        self, type: TxType, *, bank: Optional[str] = None, name: Optional[str] = None
    ) -> Request:
        """Get Transaction List: pending deposits or withdrawals."""
        return self._core.build("transaction_list", {"type": type, "bank": bank, "name": name})

    def accept_reject(
        self, type: TxType, trans_id: Id, user: str, action: Action, comment: str, operator: str
    ) -> Request:
        """Accept/Reject Transaction (moves money)."""
        return self._core.build(
            "accept_reject",
            {
                "type": type,
                "trans_id": trans_id,
                "user": user,
                "action": action,
                "comment": comment,
                "operator": operator,
            },
        )

    def multiple_transaction(self, type: TxType, transaction: Iterable[Item]) -> Request:
        """One Accept/Reject/Manual Multiple Transaction request (1 to 25 items;
        ``Client.multiple_transaction`` takes any number)."""
        return self._core.build(
            "multiple_transaction", {"type": type, "transaction": list(transaction)}
        )

    def manual_transaction(
        self, type: TxType, user: str, comment: str, amount: Amount, operator: str
    ) -> Request:
        """Manual Transaction (moves money)."""
        return self._core.build(
            "manual_transaction",
            {"type": type, "user": user, "comment": comment, "amount": amount, "operator": operator},
        )

    def user_balance(self, user: str) -> Request:
        """Check User Balance."""
        return self._core.build("user_balance", {"user": user})

    def user_history(self, type: TxType, user: str) -> Request:
        """Check User Deposit/Withdraw History."""
        return self._core.build("user_history", {"type": type, "user": user})

    def user_last_transaction(self, type: TxType, user: str) -> Request:
        """Get User Last Deposit/Withdraw."""
        return self._core.build("user_last_transaction", {"type": type, "user": user})

    def game_list(self) -> Request:
        """Get Game List."""
        return self._core.build("game_list", {})

    def number_history(self, gamecode: str) -> Request:
        """Get Number History."""
        return self._core.build("number_history", {"gamecode": gamecode})

    def referral_list(self, user: str) -> Request:
        """Get Referral List."""
        return self._core.build("referral_list", {"user": user})

    def full_transaction(
        self, user: str, page: int = 1, *, date: Optional[DateLike] = None
    ) -> Request:
        """Get Full Transaction (one page of a user's turnover)."""
        return self._core.build("full_transaction", {"user": user, "page": page, "date": date})

    def pga_transaction(
        self,
        start_date: DateLike,
        end_date: DateLike,
        *,
        page: int = 1,
        user: Optional[str] = None,
        ref_no: Optional[str] = None,
        status: Optional[PgaStatusFilter] = None,
    ) -> Request:
        """Get PGA Transaction History (one page)."""
        return self._core.build(
            "pga_transaction",
            {
                "start_date": start_date,
                "end_date": end_date,
                "page": page,
                "user": user,
                "ref_no": ref_no,
                "status": status,
            },
        )

    def bank_list(self) -> Request:
        """Get Bank List."""
        return self._core.build("bank_list", {})

    def __repr__(self) -> str:
        return f"Prepare({self._core!r})"


_DEFAULT_MAX_PAGES = 10_000


class _Base:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: Optional[float],
        retry: Optional[RetryPolicy],
        path_words: Optional[Mapping[str, str]],
        allow_insecure_http: bool,
        max_body_size: Optional[int],
        max_pages: int,
        journal: Optional[FileJournal],
        settle_delay: float,
        snapshots: bool,
    ) -> None:
        if journal is not None and not isinstance(journal, FileJournal):
            raise _invalid("journal", f"must be a FileJournal or None, not {type(journal).__name__}")
        if (
            isinstance(settle_delay, bool)
            or not isinstance(settle_delay, (int, float))
            or not 0 <= settle_delay <= 3600
        ):
            raise _invalid("settle_delay", "must be a number of seconds from 0 to 3600")
        if not isinstance(snapshots, bool):
            raise _invalid("snapshots", "must be True or False")
        self._journal = journal
        self._settle_delay_ms = int(round(settle_delay * 1000))
        self._snapshots = snapshots
        self._core = Core(
            base_url,
            token,
            path_words=path_words,
            retry=retry,
            allow_insecure_http=allow_insecure_http,
            max_body_size=max_body_size,
        )
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
            raise ValueError("max_pages must be a positive int")
        self._max_pages = max_pages
        self._timeout = timeout
        #: Builds requests without sending them.
        self.prepare = Prepare(self._core)

    @property
    def base_url(self) -> str:
        return self._core.base_url

    def parse(self, request: Request, status: int, body: bytes) -> Any:
        """Parses the answer to a request built by ``prepare`` into its typed
        result (sans-IO use). Raises ``IdnTotoError`` subclasses."""
        return self._core.parse(request.endpoint, status, bytes(body))

    @property
    def journal(self) -> Optional[FileJournal]:
        """The journal of money moves, or ``None``."""
        return self._journal

    # -- journal and settlement helpers (shared by both clients; no IO but
    # -- the journal file)

    def _intent(self, unsettled: Optional[Unsettled]) -> Optional[JournalRecord]:
        """Appends (and syncs) the intent line before a money move leaves."""
        if self._journal is None or unsettled is None:
            return None
        record = JournalRecord.for_unsettled(_new_id(), unsettled, at=_now())
        self._journal.append(record.to_line())
        return record

    def _outcome(self, record: Optional[JournalRecord], state: str, message: Optional[str]) -> None:
        if self._journal is not None and record is not None:
            self._journal.append(record.outcome(state, message, at=_now()).to_line())

    def _settle_of(
        self,
        error_or_outcome: object,
        journal_id: Optional[str] = None,
        settle_delay_ms: Optional[int] = None,
    ) -> Settle:
        unsettled: Optional[Unsettled]
        if isinstance(error_or_outcome, OutcomeUnknownError):
            unsettled = error_or_outcome.unsettled
            journal_id = journal_id or error_or_outcome.journal_id
            if unsettled is None:
                raise _invalid(
                    "error_or_outcome",
                    "this OutcomeUnknownError does not say what was sent (it was not raised by a "
                    "money call of a Client or AsyncClient)",
                )
        elif isinstance(error_or_outcome, ItemOutcome):
            unsettled = error_or_outcome.unsettled()
            journal_id = journal_id or error_or_outcome.journal_id
            if unsettled is None:
                raise _invalid(
                    "error_or_outcome",
                    f"only an outcome whose status is 'unknown' can be settled, not "
                    f"{error_or_outcome.status!r}",
                )
        elif isinstance(error_or_outcome, Unsettled):
            unsettled = error_or_outcome
        else:
            raise _invalid(
                "error_or_outcome",
                "must be an OutcomeUnknownError, an ItemOutcome whose status is 'unknown' or an "
                f"Unsettled, not {type(error_or_outcome).__name__}",
            )
        return Settle(
            unsettled,
            settle_delay_ms=self._settle_delay_ms if settle_delay_ms is None else settle_delay_ms,
            retry=self._core.retry,
            journal_id=journal_id,
        )

    def _settled(self, settlement: Settlement) -> None:
        """Appends the ``settled`` line, when the move was journaled."""
        if self._journal is None or settlement.journal_id is None:
            return
        at = _now()
        record = JournalRecord.for_unsettled(settlement.journal_id, settlement.unsettled, at=at)
        self._journal.append(record.settled(settlement.state, settlement.reason, at=at).to_line())

    def _batch_intents(
        self, batch: Batch, ids: Dict[int, str]
    ) -> List[Tuple[int, JournalRecord]]:
        """Intent lines for the items of the request about to leave."""
        records: List[Tuple[int, JournalRecord]] = []
        if self._journal is None:
            return records
        at = _now()
        for index, unsettled in batch.sending():
            record = JournalRecord.for_unsettled(_new_id(), unsettled, at=at)
            ids[index] = record.id
            records.append((index, record))
        # One write and one fsync for the request's items, before it leaves.
        self._journal.append_lines([record.to_line() for _, record in records])
        return records

    def _batch_outcomes(self, batch: Batch, records: List[Tuple[int, JournalRecord]]) -> None:
        if self._journal is None or not records:
            return
        at = _now()
        outcomes = batch.outcomes([index for index, _ in records])
        self._journal.append_lines(
            [
                record.outcome(outcome.status, outcome.message, at=at).to_line()
                for outcome, (_, record) in zip(outcomes, records)
            ]
        )

    def _open_moves(self) -> List[OpenMove]:
        if self._journal is None:
            raise _invalid("journal", "this client has no journal (Client(..., journal=FileJournal(path)))")
        return Journal.read(self._journal.read()).unsettled()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, token='***')"


def _succeeded(result: object) -> str:
    return str(getattr(result, "message", "") or "") or "processed"


class Client(_Base):
    """The synchronous client.

    ``transport`` is any callable ``(request) -> response`` (default: the
    standard library's urllib; ``timeout`` seconds is a total deadline per
    send: connect, headers and body). Reads are retried on network errors,
    timeouts, 5xx and 429 as ``retry`` says (default: the core's policy);
    requests that move money are never retried, and a transport failure on
    one raises ``OutcomeUnknownError``.

    ``allow_insecure_http``: allow a plain ``http://`` base URL to a host
    that is not loopback (the token travels in the URL path).
    ``max_body_size``: the largest body read, in bytes (default 64 MiB); a
    larger one raises ``DecodeError`` (``OutcomeUnknownError`` for a request
    that moves money) before any parsing, and the default transport stops
    reading past it. ``max_pages``: the most pages one ``iter_*`` iteration
    reads (default 10,000; past it, ``DecodeError`` at ``page``).

    Unknown outcomes: ``settle(error_or_outcome)`` finds out with reads
    (never a money move) whether a money move whose outcome is unknown took
    effect, waiting ``settle_delay`` seconds (default 5) first in case it is
    still in flight. ``snapshots`` (default on): before a manual
    transaction, single or bulk, read the user's history of that type (one
    read per distinct user), which settling compares against; turned off, a
    lost manual answer settles ``undetermined``. A failed snapshot read
    sends nothing. ``journal``: a ``FileJournal`` that gets an ``intent``
    line (synced) before every money move leaves and an ``outcome`` line
    after; after a crash, ``unsettled()`` lists what is open and
    ``settle_unsettled()`` settles it.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: Optional[Transport] = None,
        timeout: Optional[float] = 30.0,
        retry: Optional[RetryPolicy] = None,
        path_words: Optional[Mapping[str, str]] = None,
        allow_insecure_http: bool = False,
        max_body_size: Optional[int] = None,
        max_pages: int = _DEFAULT_MAX_PAGES,
        journal: Optional[FileJournal] = None,
        settle_delay: float = 5.0,
        snapshots: bool = True,
    ) -> None:
        super().__init__(
            base_url,
            token,
            timeout=timeout,
            retry=retry,
            path_words=path_words,
            allow_insecure_http=allow_insecure_http,
            max_body_size=max_body_size,
            max_pages=max_pages,
            journal=journal,
            settle_delay=settle_delay,
            snapshots=snapshots,
        )
        self._transport: Transport = (
            transport
            if transport is not None
            else UrllibTransport(timeout, self._core.max_body_size)
        )
        self._sleep: Callable[[float], None] = time.sleep

    def send(self, request: Request) -> Any:
        """Sends a request built by ``prepare`` (retrying reads as the core's
        policy says) and returns its typed result. (Money moves sent this
        way are neither journaled nor snapshotted: use the named methods.)"""
        return self._send(request, None)

    def _send(self, request: Request, snapshot: Optional[UserHistory]) -> Any:
        attempt = 0
        while True:
            reason: Optional[str] = None
            try:
                answer = as_response(self._transport(request))
            except Exception as error:  # any transport failure, reported to the core
                reason = _failure_reason(error)
            # Settled outside the `except` block: the transport's exception
            # (which may quote the URL, token included) is never chained.
            if reason is None:
                outcome = self._core.settle(
                    request, attempt, answer.status, answer.body, snapshot=snapshot
                )
                if not isinstance(outcome, float):
                    return outcome
                delay = outcome
            else:
                delay = self._core.settle_failure(request, attempt, reason, snapshot=snapshot)
            self._sleep(delay)
            attempt += 1

    def _money(self, request: Request, snapshot: Optional[UserHistory]) -> Processed:
        record = self._intent(request.unsettled(snapshot))
        try:
            result = self._send(request, snapshot)
        except OutcomeUnknownError as error:
            self._outcome(record, "unknown", str(error))
            if record is not None:
                error.journal_id = record.id
            raise
        except IdnTotoError as error:
            self._outcome(record, "failed", str(error))
            raise
        self._outcome(record, "succeeded", _succeeded(result))
        return cast(Processed, result)

    def _exchange_settle(self, settle: Settle) -> Settlement:
        while True:
            step = settle.next(self._core)
            if isinstance(step, Settlement):
                return step
            if isinstance(step, int):
                self._sleep(step / 1000)
                continue
            reason: Optional[str] = None
            try:
                answer = as_response(self._transport(step))
            except Exception as error:
                reason = _failure_reason(error)
            if reason is None:
                settle.record_response(self._core, answer.status, answer.body)
            else:
                settle.record_transport_failure(self._core, reason)

    def settle(self, error_or_outcome: Settleable) -> Settlement:
        """Finds out, with reads only, whether a money move whose outcome is
        unknown took effect: ``applied`` (never send it again),
        ``not_applied`` (safe to send again) or ``undetermined`` (see
        ``reason`` and ``evidence``). Takes an ``OutcomeUnknownError`` from
        a money call, an ``ItemOutcome`` whose status is ``"unknown"`` or
        their ``Unsettled`` (anything else raises ``InvalidRequestError``
        naming ``error_or_outcome``). Journaled moves get a ``settled``
        line."""
        settlement = self._exchange_settle(self._settle_of(error_or_outcome))
        self._settled(settlement)
        return settlement

    def unsettled(self) -> List[OpenMove]:
        """The journal's money moves without a definite state (an intent with
        no outcome, an unknown outcome, an undetermined settlement)."""
        return self._open_moves()

    def settle_unsettled(self) -> List[Settlement]:
        """Settles every open money move of the journal, in order, and
        records each settlement. ``settle_delay`` is waited once, before the
        first read (every open move was sent before then)."""
        moves = self._open_moves()
        if moves and self._settle_delay_ms:
            # One wait covers every move: they were all sent before it began.
            self._sleep(self._settle_delay_ms / 1000)
        settlements = []
        for move in moves:
            settle = self._settle_of(move.unsettled, move.id, settle_delay_ms=0)
            settlement = self._exchange_settle(settle)
            self._settled(settlement)
            settlements.append(settlement)
        return settlements

    def transaction_list(
        self, type: TxType, *, bank: Optional[str] = None, name: Optional[str] = None
    ) -> TransactionList:
        """Get Transaction List: pending deposits or withdrawals."""
        return cast(TransactionList, self.send(self.prepare.transaction_list(type, bank=bank, name=name)))

    def accept_reject(
        self, type: TxType, trans_id: Id, user: str, action: Action, comment: str, operator: str
    ) -> Processed:
        """Accept/Reject Transaction (moves money: never retried; journaled
        when the client has a journal)."""
        request = self.prepare.accept_reject(type, trans_id, user, action, comment, operator)
        return self._money(request, None)

    def multiple_transaction(self, type: TxType, transaction: Iterable[Item]) -> List[ItemOutcome]:
        """Accept/Reject/Manual Multiple Transaction for any number of items,
        sent in requests of at most 25. Returns one outcome per input item, in
        input order; nothing is sent twice, and an unknown outcome stops the
        batch (the rest are ``not_sent``). With snapshots on, a manual batch
        reads each user's history first (one read per distinct user). With a
        journal, every item gets an intent line before its request leaves
        and an outcome line after; each outcome carries its ``journal_id``."""
        batch = Batch(type, list(transaction), snapshots=self._snapshots)
        ids: Dict[int, str] = {}
        while True:
            request = batch.next_request(self._core)
            if request is None:
                return batch.finish(list(ids.items()))
            records = self._batch_intents(batch, ids)
            reason: Optional[str] = None
            try:
                answer = as_response(self._transport(request))
            except Exception as error:
                reason = _failure_reason(error)
            if reason is None:
                batch.record_response(self._core, answer.status, answer.body)
            else:
                batch.record_transport_failure(self._core, reason)
            self._batch_outcomes(batch, records)

    def manual_transaction(
        self, type: TxType, user: str, comment: str, amount: Amount, operator: str
    ) -> Processed:
        """Manual Transaction (moves money: never retried; journaled when the
        client has a journal). With snapshots on, the user's history is read
        first; if that read fails, nothing is sent and its error is raised."""
        request = self.prepare.manual_transaction(type, user, comment, amount, operator)
        snapshot = self.user_history(type, user) if self._snapshots else None
        return self._money(request, snapshot)

    def user_balance(self, user: str) -> UserBalance:
        """Check User Balance."""
        return cast(UserBalance, self.send(self.prepare.user_balance(user)))

    def user_history(self, type: TxType, user: str) -> UserHistory:
        """Check User Deposit/Withdraw History."""
        return cast(UserHistory, self.send(self.prepare.user_history(type, user)))

    def user_last_transaction(self, type: TxType, user: str) -> UserLastTransaction:
        """Get User Last Deposit/Withdraw."""
        return cast(UserLastTransaction, self.send(self.prepare.user_last_transaction(type, user)))

    def game_list(self) -> GameList:
        """Get Game List."""
        return cast(GameList, self.send(self.prepare.game_list()))

    def number_history(self, gamecode: str) -> NumberHistory:
        """Get Number History."""
        return cast(NumberHistory, self.send(self.prepare.number_history(gamecode)))

    def referral_list(self, user: str) -> ReferralList:
        """Get Referral List."""
        return cast(ReferralList, self.send(self.prepare.referral_list(user)))

    def full_transaction(
        self, user: str, page: int = 1, *, date: Optional[DateLike] = None
    ) -> FullTransaction:
        """Get Full Transaction: one page of a user's turnover."""
        return cast(FullTransaction, self.send(self.prepare.full_transaction(user, page, date=date)))

    def pga_transaction(
        self,
        start_date: DateLike,
        end_date: DateLike,
        *,
        page: int = 1,
        user: Optional[str] = None,
        ref_no: Optional[str] = None,
        status: Optional[PgaStatusFilter] = None,
    ) -> PgaTransaction:
        """Get PGA Transaction History: one page of invoices."""
        request = self.prepare.pga_transaction(
            start_date, end_date, page=page, user=user, ref_no=ref_no, status=status
        )
        return cast(PgaTransaction, self.send(request))

    def bank_list(self) -> BankList:
        """Get Bank List."""
        return cast(BankList, self.send(self.prepare.bank_list()))

    def iter_full_transaction(
        self, user: str, *, page: int = 1, date: Optional[DateLike] = None
    ) -> Iterator[TurnoverRow]:
        """Every turnover row, page after page, from ``page`` on."""
        params: Optional[Dict[str, Any]] = {"user": user, "page": page, "date": date}
        pages = 0
        while params is not None:
            response = cast(FullTransaction, self.send(self._core.build("full_transaction", params)))
            pages += 1
            yield from response.data
            params = next_page(
                "full_transaction", params, response, pages_read=pages, max_pages=self._max_pages
            )

    def iter_pga_transaction(
        self,
        start_date: DateLike,
        end_date: DateLike,
        *,
        page: int = 1,
        user: Optional[str] = None,
        ref_no: Optional[str] = None,
        status: Optional[PgaStatusFilter] = None,
    ) -> Iterator[PgaInvoice]:
        """Every invoice, page after page, from ``page`` on."""
        params: Optional[Dict[str, Any]] = {
            "start_date": start_date,
            "end_date": end_date,
            "page": page,
            "user": user,
            "ref_no": ref_no,
            "status": status,
        }
        pages = 0
        while params is not None:
            response = cast(PgaTransaction, self.send(self._core.build("pga_transaction", params)))
            pages += 1
            yield from response.data
            params = next_page(
                "pga_transaction", params, response, pages_read=pages, max_pages=self._max_pages
            )


class AsyncClient(_Base):
    """The asynchronous client: the same methods as ``Client``, as coroutines
    (the ``iter_*`` methods are async iterators).

    ``transport`` is an async callable ``(request) -> response`` (default:
    urllib in a worker thread). Every send is bounded by ``timeout`` seconds
    in total; a timeout is a transport failure (``OutcomeUnknownError`` for
    requests that move money). ``allow_insecure_http``, ``max_body_size``
    and ``max_pages`` as for ``Client``; ``journal``, ``settle_delay`` and
    ``snapshots`` too, with ``settle``, ``unsettled`` and
    ``settle_unsettled`` as coroutines. (Journal lines are appended and
    synced in the event loop's thread: an ``fsync`` per line.)
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: Optional[AsyncTransport] = None,
        timeout: Optional[float] = 30.0,
        retry: Optional[RetryPolicy] = None,
        path_words: Optional[Mapping[str, str]] = None,
        allow_insecure_http: bool = False,
        max_body_size: Optional[int] = None,
        max_pages: int = _DEFAULT_MAX_PAGES,
        journal: Optional[FileJournal] = None,
        settle_delay: float = 5.0,
        snapshots: bool = True,
    ) -> None:
        import asyncio  # only async users pay for importing it

        super().__init__(
            base_url,
            token,
            timeout=timeout,
            retry=retry,
            path_words=path_words,
            allow_insecure_http=allow_insecure_http,
            max_body_size=max_body_size,
            max_pages=max_pages,
            journal=journal,
            settle_delay=settle_delay,
            snapshots=snapshots,
        )
        self._transport: AsyncTransport = (
            transport
            if transport is not None
            else ThreadedUrllibTransport(timeout, self._core.max_body_size)
        )
        self._sleep: Callable[[float], Any] = asyncio.sleep
        self._wait_for = asyncio.wait_for

    async def _exchange(self, request: Request) -> Any:
        return as_response(await self._wait_for(self._transport(request), self._timeout))

    async def send(self, request: Request) -> Any:
        """Sends a request built by ``prepare`` (retrying reads as the core's
        policy says) and returns its typed result. (Money moves sent this
        way are neither journaled nor snapshotted: use the named methods.)"""
        return await self._send(request, None)

    async def _send(self, request: Request, snapshot: Optional[UserHistory]) -> Any:
        attempt = 0
        while True:
            reason: Optional[str] = None
            try:
                answer = await self._exchange(request)
            except Exception as error:  # any transport failure, reported to the core
                reason = _failure_reason(error)
            if reason is None:
                outcome = self._core.settle(
                    request, attempt, answer.status, answer.body, snapshot=snapshot
                )
                if not isinstance(outcome, float):
                    return outcome
                delay = outcome
            else:
                delay = self._core.settle_failure(request, attempt, reason, snapshot=snapshot)
            await self._sleep(delay)
            attempt += 1

    async def _money(self, request: Request, snapshot: Optional[UserHistory]) -> Processed:
        record = self._intent(request.unsettled(snapshot))
        try:
            result = await self._send(request, snapshot)
        except OutcomeUnknownError as error:
            self._outcome(record, "unknown", str(error))
            if record is not None:
                error.journal_id = record.id
            raise
        except IdnTotoError as error:
            self._outcome(record, "failed", str(error))
            raise
        self._outcome(record, "succeeded", _succeeded(result))
        return cast(Processed, result)

    async def _exchange_settle(self, settle: Settle) -> Settlement:
        while True:
            step = settle.next(self._core)
            if isinstance(step, Settlement):
                return step
            if isinstance(step, int):
                await self._sleep(step / 1000)
                continue
            reason: Optional[str] = None
            try:
                answer = await self._exchange(step)
            except Exception as error:
                reason = _failure_reason(error)
            if reason is None:
                settle.record_response(self._core, answer.status, answer.body)
            else:
                settle.record_transport_failure(self._core, reason)

    async def settle(self, error_or_outcome: Settleable) -> Settlement:
        """See ``Client.settle``."""
        settlement = await self._exchange_settle(self._settle_of(error_or_outcome))
        self._settled(settlement)
        return settlement

    async def unsettled(self) -> List[OpenMove]:
        """See ``Client.unsettled``."""
        return self._open_moves()

    async def settle_unsettled(self) -> List[Settlement]:
        """See ``Client.settle_unsettled``."""
        moves = self._open_moves()
        if moves and self._settle_delay_ms:
            await self._sleep(self._settle_delay_ms / 1000)
        settlements = []
        for move in moves:
            settle = self._settle_of(move.unsettled, move.id, settle_delay_ms=0)
            settlement = await self._exchange_settle(settle)
            self._settled(settlement)
            settlements.append(settlement)
        return settlements

    async def transaction_list(
        self, type: TxType, *, bank: Optional[str] = None, name: Optional[str] = None
    ) -> TransactionList:
        """Get Transaction List: pending deposits or withdrawals."""
        request = self.prepare.transaction_list(type, bank=bank, name=name)
        return cast(TransactionList, await self.send(request))

    async def accept_reject(
        self, type: TxType, trans_id: Id, user: str, action: Action, comment: str, operator: str
    ) -> Processed:
        """Accept/Reject Transaction (moves money: never retried; journaled
        when the client has a journal)."""
        request = self.prepare.accept_reject(type, trans_id, user, action, comment, operator)
        return await self._money(request, None)

    async def multiple_transaction(
        self, type: TxType, transaction: Iterable[Item]
    ) -> List[ItemOutcome]:
        """Accept/Reject/Manual Multiple Transaction for any number of items;
        see ``Client.multiple_transaction``."""
        batch = Batch(type, list(transaction), snapshots=self._snapshots)
        ids: Dict[int, str] = {}
        while True:
            request = batch.next_request(self._core)
            if request is None:
                return batch.finish(list(ids.items()))
            records = self._batch_intents(batch, ids)
            reason: Optional[str] = None
            try:
                answer = await self._exchange(request)
            except Exception as error:
                reason = _failure_reason(error)
            if reason is None:
                batch.record_response(self._core, answer.status, answer.body)
            else:
                batch.record_transport_failure(self._core, reason)
            self._batch_outcomes(batch, records)

    async def manual_transaction(
        self, type: TxType, user: str, comment: str, amount: Amount, operator: str
    ) -> Processed:
        """Manual Transaction (moves money: never retried; journaled when the
        client has a journal); see ``Client.manual_transaction``."""
        request = self.prepare.manual_transaction(type, user, comment, amount, operator)
        snapshot = await self.user_history(type, user) if self._snapshots else None
        return await self._money(request, snapshot)

    async def user_balance(self, user: str) -> UserBalance:
        """Check User Balance."""
        return cast(UserBalance, await self.send(self.prepare.user_balance(user)))

    async def user_history(self, type: TxType, user: str) -> UserHistory:
        """Check User Deposit/Withdraw History."""
        return cast(UserHistory, await self.send(self.prepare.user_history(type, user)))

    async def user_last_transaction(self, type: TxType, user: str) -> UserLastTransaction:
        """Get User Last Deposit/Withdraw."""
        request = self.prepare.user_last_transaction(type, user)
        return cast(UserLastTransaction, await self.send(request))

    async def game_list(self) -> GameList:
        """Get Game List."""
        return cast(GameList, await self.send(self.prepare.game_list()))

    async def number_history(self, gamecode: str) -> NumberHistory:
        """Get Number History."""
        return cast(NumberHistory, await self.send(self.prepare.number_history(gamecode)))

    async def referral_list(self, user: str) -> ReferralList:
        """Get Referral List."""
        return cast(ReferralList, await self.send(self.prepare.referral_list(user)))

    async def full_transaction(
        self, user: str, page: int = 1, *, date: Optional[DateLike] = None
    ) -> FullTransaction:
        """Get Full Transaction: one page of a user's turnover."""
        request = self.prepare.full_transaction(user, page, date=date)
        return cast(FullTransaction, await self.send(request))

    async def pga_transaction(
        self,
        start_date: DateLike,
        end_date: DateLike,
        *,
        page: int = 1,
        user: Optional[str] = None,
        ref_no: Optional[str] = None,
        status: Optional[PgaStatusFilter] = None,
    ) -> PgaTransaction:
        """Get PGA Transaction History: one page of invoices."""
        request = self.prepare.pga_transaction(
            start_date, end_date, page=page, user=user, ref_no=ref_no, status=status
        )
        return cast(PgaTransaction, await self.send(request))

    async def bank_list(self) -> BankList:
        """Get Bank List."""
        return cast(BankList, await self.send(self.prepare.bank_list()))

    async def iter_full_transaction(
        self, user: str, *, page: int = 1, date: Optional[DateLike] = None
    ) -> AsyncIterator[TurnoverRow]:
        """Every turnover row, page after page, from ``page`` on."""
        params: Optional[Dict[str, Any]] = {"user": user, "page": page, "date": date}
        pages = 0
        while params is not None:
            request = self._core.build("full_transaction", params)
            response = cast(FullTransaction, await self.send(request))
            pages += 1
            for row in response.data:
                yield row
            params = next_page(
                "full_transaction", params, response, pages_read=pages, max_pages=self._max_pages
            )

    async def iter_pga_transaction(
        self,
        start_date: DateLike,
        end_date: DateLike,
        *,
        page: int = 1,
        user: Optional[str] = None,
        ref_no: Optional[str] = None,
        status: Optional[PgaStatusFilter] = None,
    ) -> AsyncIterator[PgaInvoice]:
        """Every invoice, page after page, from ``page`` on."""
        params: Optional[Dict[str, Any]] = {
            "start_date": start_date,
            "end_date": end_date,
            "page": page,
            "user": user,
            "ref_no": ref_no,
            "status": status,
        }
        pages = 0
        while params is not None:
            request = self._core.build("pga_transaction", params)
            response = cast(PgaTransaction, await self.send(request))
            pages += 1
            for invoice in response.data:
                yield invoice
            params = next_page(
                "pga_transaction", params, response, pages_read=pages, max_pages=self._max_pages
            )


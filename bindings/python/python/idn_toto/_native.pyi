"""
`idn_toto._native`: the Rust core of the `idn-toto` package.

This stub is generated from `bindings/python/src/` by
`maturin build --generate-stubs` (pyo3 `experimental-inspect`); do not
edit it. `bindings/python/stubs/_native.pyi` is the committed copy that
`scripts/build.sh` checks against every build.
"""

from _typeshed import SupportsGetItem
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, SupportsIndex, final

__all__ = ["BankList", "Core", "Draw", "Driver", "DriverOptions", "Event", "FullTransaction", "Game", "GameList", "HistoryEntry", "ItemFailure", "ItemOutcome", "Journal", "JournalAppender", "JournalRecord", "MultipleTransaction", "NumberHistory", "OpenMove", "PendingTransaction", "PgaInvoice", "PgaTransaction", "Processed", "Referral", "ReferralList", "Request", "RetryPolicy", "Settlement", "Step", "TransactionList", "TurnoverRow", "Unsettled", "UserBalance", "UserHistory", "UserLastTransaction", "build", "defaults", "endpoints", "next_page", "parse"]

@final
class BankList:
    """
    The bank names (`bank_list`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[str]: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class Core:
    """
    The sans-IO core client: builds requests and parses answers.
    `idn_toto.Client` and `idn_toto.AsyncClient` run a `Driver` over it; it
    never sends anything itself. `repr()` never shows the token.
    """
    def __new__(cls, /, base_url: str, token: str, *, path_words: Mapping[str, str] | None = None, retry: RetryPolicy | None = None, allow_insecure_http: bool = False, max_body_size: SupportsIndex | None = None) -> Core: ...
    def __repr__(self, /) -> str: ...
    @property
    def base_url(self, /) -> str:
        """
        The base URL, normalised, without a trailing slash.
        """
    def build(self, /, endpoint: str, params: Mapping[str, object]) -> Request:
        """
        The request for `endpoint` with canonical parameters (the spec's
        names; `Decimal`, `int` or `str` amounts; `date` or `"YYYY-MM-DD"`).
        """
    @property
    def fingerprint(self, /) -> str:
        """
        The server's fingerprint: 16 hex digits of SHA-256 over the base URL
        and the token. Every journal line and `Unsettled` carries it;
        settling with a client of another server is refused. It never
        contains the token.
        """
    @property
    def max_body_size(self, /) -> int:
        """
        The largest body ``parse`` reads, in bytes; transports stop reading
        one byte after it.
        """
    def parse(self, /, endpoint: str, status: SupportsIndex, body: bytes) -> Any:
        """
        Parses an answer to `endpoint` into its typed result class.
        """
    def parse_dict(self, /, endpoint: str, status: SupportsIndex, body: bytes) -> dict[str, Any]:
        """
        Parses an answer to `endpoint` into the canonical JSON shape (like
        `idn_toto.parse`, with the token scrubbed from any error).
        """
    def redact(self, /, text: str) -> str:
        """
        `text` with the token (raw or percent-encoded) replaced by `***`.
        """
    @property
    def retry(self, /) -> RetryPolicy:
        """
        The retry policy for reads.
        """

@final
class Draw:
    """
    One draw of a game.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def angka(self, /) -> str: ...
    @property
    def periode(self, /) -> str: ...
    @property
    def tanggal(self, /) -> datetime: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class Driver:
    """
    One call, batch, paging run or settlement, as a state machine with no
    IO. Loop: `step = driver.next(elapsed_ms, unix_now_secs)` and do what
    `step.kind` says: `"send"` the `Request` (then `record_response` or
    `record_transport_failure`), `"wait"` `step.value` milliseconds,
    append the `"journal"` line (and sync it) before the next step (when
    that fails, `record_journal_failure` and go on), hand over the
    `"event"` or the `"page"`, and stop at `"done"` (its value is the
    result; a failure raises from `next` instead). The clocks are the
    milliseconds since the run (or the attempt) began and the wall clock in
    Unix seconds.
    """
    def __repr__(self, /) -> str: ...
    @staticmethod
    def batch(core: Core, params: Mapping[str, object], options: DriverOptions) -> Driver:
        """
        `multiple_transaction` for any number of items (`{"type": ...,
        "transaction": [...]}`), in requests of at most 25.
        """
    @staticmethod
    def call(core: Core, request: Request, options: DriverOptions) -> Driver:
        """
        A call of a request built by `Core.build` or `prepare` (a read is
        retried as `options.retry` says; a money move is sent once, and
        journaled when `options.journal_id` is set).
        """
    @property
    def journal_failures(self, /) -> int:
        """
        How many journal lines (outcomes, `settled`) could not be written in
        this run.
        """
    def next(self, /, elapsed_ms: SupportsIndex, unix_now_secs: SupportsIndex | None) -> Step:
        """
        What to do now. Raises the call's error (`IdnTotoError`) when it
        ends in one.
        """
    @staticmethod
    def pages(core: Core, endpoint: str, params: Mapping[str, object], options: DriverOptions) -> Driver:
        """
        Every page of `full_transaction` or `pga_transaction` from
        `params`' page on: a `"page"` step per page.
        """
    def record_journal_failure(self, /, reason: str) -> None:
        """
        The line of the last `"journal"` step could not be written or
        synced (`reason` in words): call it instead of raising, then ask
        `next` as usual. The core decides: an intent stops what it announces
        before it is sent (a call raises `InvalidRequestError` at `journal`,
        a batch's unsent items end `not_sent`); a lost outcome or `settled`
        line leaves the result as it is, adds a `journal_failure` event and
        counts in `journal_failures` (the result or error then says
        `journal_unwritten`).
        """
    def record_not_sent(self, /, reason: str, elapsed_ms: SupportsIndex, unix_now_secs: SupportsIndex | None) -> None:
        """
        The request of the last `"send"` step certainly never left (the
        caller cancelled before it was handed to the network): a money move
        ends `not sent` (`TransportError`, journal outcome `not_sent`)
        instead of unknown; for a read it is a transport failure. When
        unsure, `record_transport_failure`.
        """
    def record_response(self, /, status: SupportsIndex, headers: SupportsGetItem[int, tuple[str, str]], body: bytes, elapsed_ms: SupportsIndex, unix_now_secs: SupportsIndex | None) -> None:
        """
        The answer to the request of the last `"send"` step: its status,
        headers (`(name, value)` pairs), body, the milliseconds it took and
        the wall clock.
        """
    def record_transport_failure(self, /, reason: str, elapsed_ms: SupportsIndex, unix_now_secs: SupportsIndex | None) -> None:
        """
        The request of the last `"send"` step failed in transport (network
        error, timeout, cancelled): `reason` in words.
        """
    @staticmethod
    def settle(core: Core, unsettled: Unsettled, options: DriverOptions) -> Driver:
        """
        Settles `unsettled` with reads only; `options.journal_id` is the
        journal id of the move (a `settled` line follows).
        """
    @staticmethod
    def settle_open(core: Core, moves: SupportsGetItem[int, OpenMove], options: DriverOptions) -> Driver:
        """
        Settles the journal's open moves (`Journal.read(text).unsettled()`)
        in order, each with a `settled` line; `options.settle_delay_ms` is
        waited once, before the first read. Ends with a list of
        `Settlement`s.
        """

@final
class DriverOptions:
    """
    How a `Driver` runs: the retry policy for reads, the journal id of what
    it moves (journaling is on when set), whether a manual move reads the
    user's history first (`snapshots`), whether response events carry the
    (scrubbed, cut) body (`bodies`), the paging cap (`max_pages`) and
    settling's wait before a read that could conclude `not_applied`.
    """
    def __new__(cls, /, *, retry: RetryPolicy | None = None, journal_id: str | None = None, snapshots: bool = False, bodies: bool = False, max_pages: SupportsIndex | None = None, settle_delay_ms: SupportsIndex = 0) -> DriverOptions: ...
    def __repr__(self, /) -> str: ...
    def with_journal_id(self, /, journal_id: str | None) -> DriverOptions:
        """
        These options with another journal id (`None`: no journaling).
        """

@final
class Event:
    """
    Something that happened during a call: an `attempt` is about to be
    sent, a `response` came, a `transport_failure`, a `retry` is waited
    for, the call is `done`, or a `journal_failure` (a line the host could
    not write). Never holds the token (the URL is
    redacted); `body` only when the client was made with `log_bodies=True`.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def attempt(self, /) -> int:
        """
        0 for the first send, then one more per retry.
        """
    @property
    def body(self, /) -> str | None:
        """
        Response only, with `log_bodies=True`: the body, token scrubbed, cut
        at 4,096 characters.
        """
    @property
    def delay_ms(self, /) -> int | None:
        """
        Retry: the wait before the next attempt, in milliseconds.
        """
    @property
    def elapsed_ms(self, /) -> int | None:
        """
        Response and transport failure: that attempt's milliseconds; done:
        the whole call's.
        """
    @property
    def endpoint(self, /) -> str:
        """
        The endpoint id (`"user_balance"`, ...).
        """
    @property
    def error_kind(self, /) -> str | None:
        """
        The error kind when the step failed (`"http"`, `"transport"`, ...).
        """
    @property
    def kind(self, /) -> str:
        """
        `"attempt"`, `"response"`, `"transport_failure"`, `"retry"`,
        `"done"` or `"journal_failure"` (a journal line that could not be
        written; `error_kind` `"journal"`).
        """
    def message(self, /) -> str:
        """
        One log line.
        """
    @property
    def method(self, /) -> str:
        """
        `"GET"` or `"POST"`.
        """
    @property
    def status(self, /) -> int | None:
        """
        The HTTP status (response; done, when the call ended on one).
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical shape (absent fields left out).
        """
    @property
    def url(self, /) -> str:
        """
        The URL with the token replaced by `***`.
        """

@final
class FullTransaction:
    """
    One page of a user's turnover (`full_transaction`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[TurnoverRow]:
        """
        The rows. (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def message(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def total_data(self, /) -> int: ...
    @property
    def total_page(self, /) -> int: ...

@final
class Game:
    """
    One game (`game_list`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def gamecode(self, /) -> str: ...
    @property
    def pasar(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def type(self, /) -> str: ...

@final
class GameList:
    """
    The games (`game_list`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[Game]:
        """
        The rows. (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def message(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class HistoryEntry:
    """
    One deposit or withdrawal in a user's history.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def amount(self, /) -> Decimal: ...
    @property
    def date(self, /) -> datetime: ...
    @property
    def status(self, /) -> str:
        """
        `"ACCEPT"` or `"REJECT"` (an unknown value is kept as sent).
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class ItemFailure:
    """
    One entry the server reported for a `multiple_transaction` request.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def index(self, /) -> int | None: ...
    @property
    def message(self, /) -> str: ...
    @property
    def success(self, /) -> bool | None: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def trans_id(self, /) -> str | None: ...
    @property
    def user(self, /) -> str | None: ...

@final
class ItemOutcome:
    """
    What happened to one input item of a batch.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def api_kind(self, /) -> str | None:
        """
        For failed items: the refusal classified like `ApiError.api_kind`.
        """
    @property
    def index(self, /) -> int:
        """
        The item's position in the input.
        """
    @property
    def journal_id(self, /) -> str | None:
        """
        The item's journal id, when the client journals.
        """
    @property
    def journal_unwritten(self, /) -> bool:
        """
        `True` when the client journals and the journal's outcome line for
        this item could not be written (a `JournalWarning` said why): the
        item stays open in the journal and settles later. `status` is still
        what the server answered.
        """
    @property
    def message(self, /) -> str | None:
        """
        The server's message, or what went wrong.
        """
    @property
    def params(self, /) -> dict[str, Any]:
        """
        The item's canonical parameters (`type` included).
        """
    @property
    def snapshot(self, /) -> dict[str, Any] | None:
        """
        For a manual item sent with snapshots: the user's history read
        before sending (`{"entries": [...]}`).
        """
    @property
    def status(self, /) -> str:
        """
        `"succeeded"`, `"failed"`, `"not_sent"` (an earlier request's
        outcome is unknown, so the batch stopped) or `"unknown"` (sent, but
        whether it was processed can't be known: settle it with
        `client.settle(outcome)` before acting again).
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape.
        """
    @property
    def trans_id(self, /) -> str | None:
        """
        The transaction ID (accept/reject items).
        """
    def unsettled(self, /) -> Unsettled | None:
        """
        What settling this item needs, when its status is `"unknown"`.
        """
    @property
    def user(self, /) -> str: ...

@final
class Journal:
    """
    A journal read back (`Journal.read(text)`): its `records`, whether a
    torn last line (a write cut by a crash) was ignored, and `unsettled()`.
    """
    def __repr__(self, /) -> str: ...
    @staticmethod
    def read(text: str) -> Journal:
        """
        Reads journal text. A torn last line (no newline: the start of a
        record, a whole record or blank) is ignored; any other line that is
        not a record raises ``DecodeError`` naming it (``line N``).
        """
    @staticmethod
    def read_bytes(data: bytes) -> Journal:
        """
        ``read`` of a file's bytes (a line that is not UTF-8 is named too).
        """
    @property
    def records(self, /) -> list[JournalRecord]:
        """
        Every complete line, in order.
        """
    @property
    def torn_tail(self, /) -> bool:
        """
        Whether a torn last line was ignored.
        """
    def unsettled(self, /) -> list[OpenMove]:
        """
        The ids without a definite state, in the order of their intents.
        """

@final
class JournalAppender:
    """
    What a host must do to a journal file (the core decides; the file
    object only does IO): before appending while ``must_check``, read the
    whole file from its first byte into ``feed`` and call ``end`` (``None``:
    append; an int: truncate the file to that many bytes first; a
    ``DecodeError`` naming the line: the file can't be read back, refuse);
    ``check_line`` each line before writing it; then ``appended()``, or
    ``append_failed()`` after any failure (the next append checks again and
    cuts what a failed write left).
    """
    def __new__(cls, /) -> JournalAppender: ...
    def __repr__(self, /) -> str: ...
    def append_failed(self, /) -> None:
        """
        Opening, reading, truncating, writing or syncing failed.
        """
    def appended(self, /) -> None:
        """
        The line was written and synced.
        """
    def check_line(self, /, line: str) -> None:
        """
        ``InvalidRequestError`` at ``journal`` unless ``line`` is one
        journal record and its newline.
        """
    def end(self, /) -> int | None:
        """
        The file ended: ``None``, or the offset to truncate it to (a torn
        last line); ``DecodeError`` naming a last line that is not the
        start of a journal line.
        """
    def feed(self, /, data: bytes) -> None:
        """
        The next bytes of the file (the first call starts at its first
        byte); ``DecodeError`` at ``line N`` for a line that can't be read.
        """
    @property
    def must_check(self, /) -> bool:
        """
        Whether the file must be read and checked before the next append.
        """

@final
class JournalRecord:
    """
    One journal line: `id` (one per money-moving item, made by the host),
    `event` (`"intent"`, `"outcome"` or `"settled"`), `endpoint`, `params`
    (canonical, never the token), `state`, `at` (the host's clock),
    `snapshot` (manual intents) and `message`.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def at(self, /) -> str: ...
    @property
    def endpoint(self, /) -> str:
        """
        `"accept_reject"`, `"manual_transaction"` or
        `"multiple_transaction"`.
        """
    @property
    def event(self, /) -> str:
        """
        `"intent"`, `"outcome"` or `"settled"`.
        """
    @staticmethod
    def for_unsettled(id: str, unsettled: Unsettled, *, at: str) -> JournalRecord:
        """
        The `intent` line for what `unsettled` describes.
        """
    @property
    def id(self, /) -> str: ...
    @staticmethod
    def intent(id: str, endpoint: str, params: Mapping[str, object], *, at: str, snapshot: Mapping[str, object] | None = None) -> JournalRecord:
        """
        The `intent` line for a money move about to be sent. Refuses an
        endpoint that moves no money and params that are not one money move.
        """
    @property
    def message(self, /) -> str | None: ...
    def outcome(self, /, state: str, message: str | None = None, *, at: str) -> JournalRecord:
        """
        The `outcome` line after this intent: `state` is `"succeeded"`,
        `"failed"`, `"unknown"` or `"not_sent"` (an `ItemOutcome.status`).
        """
    @property
    def params(self, /) -> dict[str, Any]:
        """
        The move's canonical parameters (`type` included).
        """
    def settled(self, /, state: str, message: str | None = None, *, at: str) -> JournalRecord:
        """
        The `settled` line after this intent: `state` is `"applied"`,
        `"not_applied"` or `"undetermined"` (a `Settlement.state`).
        """
    @property
    def snapshot(self, /) -> dict[str, Any] | None:
        """
        The history read before a manual move was sent
        (`{"entries": [...]}`), or `None`.
        """
    @property
    def state(self, /) -> str | None: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The line as a dict.
        """
    def to_line(self, /) -> str:
        """
        The line to append: compact JSON and one newline.
        """

@final
class MultipleTransaction:
    """
    The answer to one `multiple_transaction` request (at most 25 items).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[ItemFailure]:
        """
        The rows. (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def message(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class NumberHistory:
    """
    The last draws of a game (`number_history`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[Draw]:
        """
        The rows. (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def gamecode(self, /) -> str: ...
    @property
    def message(self, /) -> str: ...
    @property
    def pasar(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def type(self, /) -> str: ...

@final
class OpenMove:
    """
    One money move the journal leaves without a definite state: its `id`,
    its `intent` line, and the `last` word on it (`"intent"`: the process
    stopped with the request in flight; `"unknown"`; `"undetermined"`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def id(self, /) -> str: ...
    @property
    def intent(self, /) -> JournalRecord: ...
    @property
    def last(self, /) -> str: ...
    @property
    def unsettled(self, /) -> Unsettled:
        """
        The intent's endpoint, params and snapshot: what settling needs.
        """

@final
class PendingTransaction:
    """
    One pending deposit or withdrawal (`transaction_list`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def amount(self, /) -> Decimal: ...
    @property
    def bank_acc_name(self, /) -> str: ...
    @property
    def bank_acc_number(self, /) -> str: ...
    @property
    def bank_name(self, /) -> str: ...
    @property
    def date(self, /) -> datetime: ...
    @property
    def destination_acc_number(self, /) -> str: ...
    @property
    def destination_bank(self, /) -> str: ...
    @property
    def game(self, /) -> str: ...
    @property
    def id(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def type(self, /) -> str:
        """
        `"deposit"` or `"withdraw"` (an unknown value is kept as sent).
        """
    @property
    def user(self, /) -> str: ...

@final
class PgaInvoice:
    """
    One payment-gateway invoice (`pga_transaction`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def amount(self, /) -> Decimal: ...
    @property
    def by(self, /) -> str:
        """
        `"PGA"` or `"OPERATOR"` (an unknown value is kept).
        """
    @property
    def destination_bank(self, /) -> str: ...
    @property
    def id_invoice(self, /) -> str: ...
    @property
    def processed_date(self, /) -> datetime | None: ...
    @property
    def ref_no(self, /) -> str: ...
    @property
    def request_date(self, /) -> datetime: ...
    @property
    def status(self, /) -> str:
        """
        `"Accepted"`, `"Unpaid"` or `"Expired"` (an unknown value is kept).
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def user(self, /) -> str: ...

@final
class PgaTransaction:
    """
    One page of payment-gateway invoices (`pga_transaction`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[PgaInvoice]:
        """
        The rows. (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def page(self, /) -> int: ...
    @property
    def per_page(self, /) -> int: ...
    @property
    def row(self, /) -> int: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def total_amount_all(self, /) -> Decimal: ...
    @property
    def total_amount_page(self, /) -> Decimal: ...
    @property
    def total_page(self, /) -> int: ...
    @property
    def total_row(self, /) -> int: ...

@final
class Processed:
    """
    A confirmed `accept_reject` or `manual_transaction`.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def journal_unwritten(self, /) -> bool:
        """
        `True` when the client journals and the journal's line for this
        move's outcome could not be written (a `JournalWarning` said why):
        the move stays open in the journal and settles later. The result
        itself is the server's answer.
        """
    @property
    def message(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class Referral:
    """
    One downline of a user.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def joindate(self, /) -> datetime: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def user(self, /) -> str: ...

@final
class ReferralList:
    """
    A user's downlines (`referral_list`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[Referral]:
        """
        The rows. (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def message(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class Request:
    """
    A request ready to send: `method`, `url` (token included: send it, never
    log it), `headers`, `body` and whether it is safe to repeat
    (`idempotent`). `repr()` shows the redacted URL only.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def body(self, /) -> bytes | None:
        """
        The JSON body (POST only).
        """
    @property
    def endpoint(self, /) -> str:
        """
        The endpoint id (`"user_balance"`, ...).
        """
    @property
    def headers(self, /) -> dict[str, str]:
        """
        The headers to send.
        """
    @property
    def idempotent(self, /) -> bool:
        """
        Whether the request may be sent again after a failure. Requests that
        move money are not.
        """
    @property
    def method(self, /) -> str:
        """
        `"GET"` or `"POST"`.
        """
    @property
    def redacted_url(self, /) -> str:
        """
        The URL with the token replaced by `***`, for logs.
        """
    def to_dict(self, /, *, reveal_token: bool = False) -> dict[str, Any]:
        """
        The canonical descriptor; the URL is redacted unless `reveal_token`.
        """
    def unsettled(self, /, snapshot: UserHistory | None = None) -> Unsettled | None:
        """
        For a single money move (`accept_reject`, `manual_transaction`):
        what settling it would need, with `snapshot` (the user's history
        read before a manual move); `None` for any other request.
        """
    @property
    def url(self, /) -> str:
        """
        The full URL, token included. Send it; never log it.
        """

@final
class RetryPolicy:
    """
    When a failed read may be sent again. Requests that move money are never
    retried, whatever the policy says. Omitted arguments take the core's
    defaults (2 retries, 200 ms doubling up to 5 s).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __new__(cls, /, *, retries: SupportsIndex | None = None, base_delay_ms: SupportsIndex | None = None, max_delay_ms: SupportsIndex | None = None) -> RetryPolicy: ...
    def __repr__(self, /) -> str: ...
    @property
    def base_delay_ms(self, /) -> int: ...
    @property
    def max_delay_ms(self, /) -> int: ...
    @staticmethod
    def never() -> RetryPolicy:
        """
        No retries at all.
        """
    @property
    def retries(self, /) -> int: ...

@final
class Settlement:
    """
    The verdict on an unknown money move: `state` (`"applied"`,
    `"not_applied"` or `"undetermined"`), `reason` in words, and the
    `evidence` (one dict per read: `endpoint`, redacted `url`, `showed`,
    `data`). `unsettled` is what was settled; `journal_id` its journal id,
    when it had one.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def evidence(self, /) -> list[dict[str, Any]]:
        """
        The reads and what each showed: `endpoint`, `url` (token redacted),
        `showed` (words) and `data`.
        """
    @property
    def journal_id(self, /) -> str | None:
        """
        The journal id of what was settled, when it was journaled.
        """
    @property
    def journal_unwritten(self, /) -> bool:
        """
        `True` when the journal's `settled` line for this verdict could not
        be written (a `JournalWarning` said why): the move stays open in the
        journal. The verdict itself stands.
        """
    @property
    def reason(self, /) -> str:
        """
        Why, in words.
        """
    @property
    def state(self, /) -> str:
        """
        `"applied"` (the server shows the effect: never send it again),
        `"not_applied"` (it shows it did not happen: safe to send again) or
        `"undetermined"` (the reads can't tell; see `reason`).
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical form: `state`, `reason`, `evidence`.
        """
    @property
    def unsettled(self, /) -> Unsettled:
        """
        What was settled.
        """

@final
class Step:
    """
    What a `Driver` asks for next: `kind` is `"send"` (`value`: the
    `Request`), `"wait"` (milliseconds), `"journal"` (the line, without
    its newline), `"event"` (an `Event`), `"page"` (a typed page) or
    `"done"` (the result).
    """
    def __repr__(self, /) -> str: ...
    @property
    def kind(self, /) -> str: ...
    @property
    def value(self, /) -> Any: ...

@final
class TransactionList:
    """
    The pending transactions (`transaction_list`), in id order.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[PendingTransaction]:
        """
        The rows. (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class TurnoverRow:
    """
    One day of turnover (`full_transaction`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def date(self, /) -> date: ...
    @property
    def gamecode(self, /) -> str: ...
    @property
    def pasar(self, /) -> str: ...
    @property
    def periode(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def turnover(self, /) -> Decimal: ...
    @property
    def user(self, /) -> str: ...
    @property
    def winlose(self, /) -> Decimal: ...

@final
class Unsettled:
    """
    What settling an unknown money move needs: the endpoint, the move's
    canonical parameters (`type` included; never the token) and, for a
    manual move, the user's history read before it was sent (`snapshot`).
    Carried by `OutcomeUnknownError.unsettled`, `ItemOutcome.unsettled()`
    and `OpenMove.unsettled`; any client for the same agent can settle it.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __new__(cls, /, unsettled: Mapping[str, object]) -> Unsettled:
        """
        Reads the canonical form (`to_dict()`'s shape): `endpoint`,
        `params` and an optional `snapshot` (`{"entries": [...]}`). The
        params must describe one money move.
        """
    def __repr__(self, /) -> str: ...
    @property
    def endpoint(self, /) -> str:
        """
        `"accept_reject"`, `"manual_transaction"` or
        `"multiple_transaction"`.
        """
    @property
    def params(self, /) -> dict[str, Any]:
        """
        The move's canonical parameters (`type` included).
        """
    @property
    def snapshot(self, /) -> dict[str, Any] | None:
        """
        The history read before a manual move was sent
        (`{"entries": [...]}`), or `None`.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical form.
        """

@final
class UserBalance:
    """
    A user's balance (`user_balance`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def balance(self, /) -> Decimal: ...
    @property
    def message(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def user(self, /) -> str: ...

@final
class UserHistory:
    """
    A user's deposit or withdrawal history (`user_history`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[HistoryEntry]:
        """
        The rows. (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def message(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def user(self, /) -> str: ...

@final
class UserLastTransaction:
    """
    A user's last deposit or withdrawal (`user_last_transaction`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> HistoryEntry | None:
        """
        `None` when the user has none.
        """
    @property
    def message(self, /) -> str: ...
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def user(self, /) -> str: ...

def build(endpoint: str, params: Mapping[str, object], *, base_url: str, token: str, path_words: Mapping[str, str] | None = None, allow_insecure_http: bool = False) -> Request:
    """
    The request for `endpoint` from canonical parameters, without a client
    object (the dynamic API).
    """

def defaults() -> dict[str, Any]:
    """
    Parses an answer to `endpoint` into the canonical JSON shape (a `dict`
    of plain values; amounts and dates as strings). No token is known here,
    so a server that echoes it is not scrubbed: prefer `Core.parse_dict` or
    `Client.parse`.
    The defaults every host starts from (the core's `Settings::DEFAULT`):
    `timeout_ms`, `settle_delay_ms`, `snapshots` and `max_pages`.
    `idn_toto.Client` and `AsyncClient` take their defaults from here.
    """

def endpoints() -> list[dict[str, Any]]:
    """
    The endpoint table: id, spec function name, method, path, idempotent,
    parameter names, paged.
    """

def next_page(endpoint: str, params: Mapping[str, object], response: Any, *, pages_read: SupportsIndex | None = None, max_pages: SupportsIndex | None = None) -> dict[str, Any] | None:
    """
    The parameters of the page after `response` (a `FullTransaction` or
    `PgaTransaction`, or its canonical dict), or `None` after the last page.
    With `pages_read` (the pages an iteration has read, this one included),
    a next page past `max_pages` (default 10,000) raises ``DecodeError``.
    """

def parse(endpoint: str, status: SupportsIndex, body: bytes) -> dict[str, Any]: ...

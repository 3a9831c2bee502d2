"""
`idn_toto._native`: the Rust core of the `idn-toto` package.

This stub is generated from `bindings/python/src/` by
`maturin build --generate-stubs` (pyo3 `experimental-inspect`); do not
edit it. `bindings/python/stubs/_native.pyi` is the committed copy that
`scripts/build.sh` checks against every build.
"""

from _typeshed import SupportsGetItem
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, SupportsIndex, final

__all__ = ["BankList", "ClaimAnswer", "ClaimWrite", "Core", "Draw", "Driver", "DriverOptions", "Event", "FullTransaction", "Game", "GameList", "HistoryEntry", "ItemFailure", "ItemOutcome", "Journal", "JournalAppender", "JournalRecord", "KeyBook", "KeyClaim", "KeyRecord", "KeySql", "MultipleTransaction", "NumberHistory", "OpenMove", "PendingTransaction", "PgaInvoice", "PgaTransaction", "Processed", "Referral", "ReferralList", "Request", "RetryPolicy", "Settlement", "Step", "TransactionList", "TurnoverRow", "Unsettled", "UserBalance", "UserHistory", "UserLastTransaction", "approval_batch_json", "build", "credits_from_csv", "credits_from_moota", "credits_from_moota_signed", "decide_key", "defaults", "endpoints", "match_deposits_json", "next_page", "parse", "rules_with_approved_before"]

@final
class BankList:
    """
    The banks.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[str]:
        """
        Bank names, in the server's order.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class ClaimAnswer:
    """
    What a store's claim came to: the core's `decision` (`"claim"`,
    `"already_done"`, `"key_in_use"`, `"key_conflict"`, `"settle"` or
    `"outcome_unknown"`) and the key's record as it was `previous`ly.
    Give it to `Driver.record_claim`.
    """
    def __repr__(self, /) -> str: ...
    def batch_to_refine(self, /) -> str | None:
        """
        The journal-id prefix of the batch whose item the key's open move
        is, when the decision is `"settle"` for a batch item: a SQL store
        reads that batch's lines (`KeySql.batch_lines`, in the claim's
        transaction) and gives them to `refine`. `None` otherwise.
        """
    @property
    def decision(self, /) -> str:
        """
        The decision's name.
        """
    @property
    def lease_until_ms(self, /) -> int | None:
        """
        `"key_in_use"`: until when (Unix milliseconds) the other holder's
        claim runs.
        """
    @property
    def previous(self, /) -> KeyRecord | None:
        """
        The key's record as read in the claim's transaction (`None`: the
        key was never used on this server).
        """
    @property
    def reason(self, /) -> str | None:
        """
        `"key_conflict"`: what differs, in words.
        """
    def refine(self, /, journal: Journal) -> ClaimAnswer:
        """
        This answer with the open move to settle refined by what `journal`
        (its batch's lines) says of the other items of its batch; the same
        answer for any other decision.
        """

@final
class ClaimWrite:
    """
    What a `"claim"` decision writes in the claim's transaction: the key's
    new `record` (`upsert` it) and the intent `line` (`append` it).
    """
    def __repr__(self, /) -> str: ...
    @property
    def line(self, /) -> str:
        """
        The intent line to append (ends in its newline).
        """
    @property
    def record(self, /) -> KeyRecord:
        """
        The key's record after the claim.
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
    One draw.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def angka(self, /) -> str:
        """
        The number (text: leading zeros matter).
        """
    @property
    def periode(self, /) -> str:
        """
        Game period (text: it may have leading zeros).
        """
    @property
    def tanggal(self, /) -> datetime:
        """
        When the number came out.
        """
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
    that fails, `record_journal_failure` and go on), run the `"claim"`
    (a `KeyClaim`) against the journal store and `record_claim` its
    answer (when the store fails, `record_claim_failure`), hand over the
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
        "transaction": [...]}`), in requests of at most 25. An item may
        carry a `"key"` (its operation key; one key per item, and a
        journal): each keyed item is claimed right before the request that
        carries it.
        """
    @staticmethod
    def call(core: Core, request: Request, options: DriverOptions, *, key: str | None = None) -> Driver:
        """
        A call of a request built by `Core.build` or `prepare` (a read is
        retried as `options.retry` says; a money move is sent once, and
        journaled when `options.journal_id` is set). `key`: the money
        move's operation key (it needs a journal): it is claimed in the
        journal store (a `"claim"` step) before the request leaves, and the
        core decides whether to send, replay the recorded answer
        (`Processed.replayed`), settle an open move first, or stop
        (`KeyInUseError`, `KeyConflictError`, `OutcomeUnknownError`).
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
    def record_claim(self, /, answer: ClaimAnswer) -> None:
        """
        What the journal store made of the last `"claim"` step: its
        `ClaimAnswer` (from `KeyClaim.decide` or `decide_in_journal`, after
        the store wrote what it says and committed). Call it before asking
        `next` again.
        """
    def record_claim_failure(self, /, reason: str) -> None:
        """
        The last `"claim"` step could not be run (the store failed, nothing
        was written; `reason` in words): nothing the claim announces is
        sent. A call raises `InvalidRequestError` at `journal`; a batch's
        unsent items end `not_sent`.
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
    (scrubbed, cut) body (`bodies`), the paging cap (`max_pages`),
    settling's wait before a read that could conclude `not_applied`, and how
    long a keyed move's claim keeps other holders out (`lease_ms`; default:
    `defaults()["lease_ms"]`).
    """
    def __new__(cls, /, *, retry: RetryPolicy | None = None, journal_id: str | None = None, snapshots: bool = False, bodies: bool = False, max_pages: SupportsIndex | None = None, settle_delay_ms: SupportsIndex = 0, lease_ms: SupportsIndex | None = None) -> DriverOptions: ...
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
    One page of the full-transaction report.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[TurnoverRow]:
        """
        This page's rows.

        (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def message(self, /) -> str:
        """
        Message information.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def total_data(self, /) -> int:
        """
        Total rows on all pages (`"3 Rows"` on the wire).
        """
    @property
    def total_page(self, /) -> int:
        """
        Total pages (`"1 Page(s)"` on the wire).
        """

@final
class Game:
    """
    One game (market).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def gamecode(self, /) -> str:
        """
        Game code or game ID (for `number_history`).
        """
    @property
    def pasar(self, /) -> str:
        """
        Market name.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def type(self, /) -> str:
        """
        Game type (`togel5d`, ...).
        """

@final
class GameList:
    """
    The games.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[Game]:
        """
        The games, in the server's order.

        (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def message(self, /) -> str:
        """
        Message information.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class HistoryEntry:
    """
    One processed deposit or withdrawal.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def amount(self, /) -> Decimal:
        """
        How much, exact.
        """
    @property
    def date(self, /) -> datetime:
        """
        When.
        """
    @property
    def status(self, /) -> str:
        """
        `ACCEPT` or `REJECT`.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class ItemFailure:
    """
    One entry of a multiple request's `data`: an item the server reports on
    (usually a failure: `success: false`; some servers list successes too).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def index(self, /) -> int | None:
        """
        The 0-based position in the posted list, where the server gives one
        (not in the spec; the sandbox sends it for manual items).
        """
    @property
    def message(self, /) -> str:
        """
        Why it failed.
        """
    @property
    def success(self, /) -> bool | None:
        """
        `false` for a failed item.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def trans_id(self, /) -> str | None:
        """
        The transaction ID (accept/reject items).
        """
    @property
    def user(self, /) -> str | None:
        """
        The user (manual items, where the server names one).
        """

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
    def key(self, /) -> str | None:
        """
        The operation key the item was given, or `None`.
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
        `client.settle(outcome)` before acting again); for an item with an
        operation key, never sent: `"already_done"` (its key's move was done
        before), `"key_in_use"` (another live process holds the key),
        `"key_conflict"` (the key names another money move) or
        `"undetermined"` (an earlier attempt under the key could not be
        settled).
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
    def key_records(self, /) -> list[KeyRecord]:
        """
        The record of every operation key, as the lines leave it, in the
        order keys first appear: what a SQL store keeps in its key table.
        """
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
    @staticmethod
    def from_line(line: str) -> JournalRecord:
        """
        Reads one journal line (with or without its newline), as the core
        reads a journal: ``DecodeError`` when it is not one record.
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
    def key(self, /) -> str | None:
        """
        The operation key the move was sent under, or `None`.
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
    @property
    def server(self, /) -> str | None:
        """
        The server the move was sent to (the client's fingerprint); `None`
        in lines of older versions.
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
class KeyBook:
    """
    The key records of a JSON Lines journal kept in memory by its one
    writer (the core's `KeyBook`): read once (`from_journal`), then kept
    current with `record_claim` (after a claim's intent line is written)
    and `record_line` (every line appended), so a claim reads no file.
    """
    def __repr__(self, /) -> str: ...
    def decide(self, /, claim: KeyClaim, now_ms: SupportsIndex) -> tuple[ClaimAnswer, ClaimWrite | None]:
        """
        The core's decision for `claim` at `now_ms` against the key's
        record; on `"claim"`, the write whose line to append (then
        `record_claim`). A batch item to settle: refine the answer with the
        journal (`batch_to_refine`, `refine`).
        """
    @staticmethod
    def from_journal(journal: Journal) -> KeyBook:
        """
        The records a journal's lines leave.
        """
    def record_claim(self, /, write: ClaimWrite) -> None:
        """
        Takes a claim whose intent line was written.
        """
    def record_line(self, /, line: str) -> None:
        """
        Takes a line that was appended (text with or without its newline;
        a line that is not one journal record changes nothing).
        """

@final
class KeyClaim:
    """
    A keyed money move to claim, what a `"claim"` step's `value` is: the
    move's `intent` line (its `server`, `key`, endpoint, params, journal id
    and snapshot), the `holder` claiming (the run's journal id), the
    `lease_ms` the claim keeps others out, and `settled_now` (the key's
    open move was settled for this very claim). The store runs it in one
    transaction: read the key's record, `decide`, write what the decision
    says (`ClaimWrite`), commit; then `Driver.record_claim(answer)`.
    """
    def __repr__(self, /) -> str: ...
    def decide(self, /, record: str | None, now_ms: SupportsIndex) -> tuple[ClaimAnswer, ClaimWrite | None]:
        """
        Decides the claim against the key's record as a SQL store's `select`
        read it in the claim's transaction (its JSON text; `None`: no row,
        or a row without a record) at `now_ms` (Unix milliseconds). Returns
        the answer and, when the decision is `"claim"`, what to write before
        committing (`upsert` its record, `append` its line). A record that
        can't be read raises `InvalidRequestError` at `journal`.
        """
    def decide_in_journal(self, /, journal: Journal, held: tuple[str, SupportsIndex] | None, now_ms: SupportsIndex) -> tuple[ClaimAnswer, ClaimWrite | None]:
        """
        Decides the claim against a JSON Lines journal (the file store,
        `Journal.read_bytes` of the whole file): the key's record is what
        its lines leave, with `held` (holder, lease end in Unix
        milliseconds: this process's own claim of the key, kept in memory)
        laid over it. Returns the answer (already refined by the journal's
        lines) and, on `"claim"`, the intent line to append.
        """
    @property
    def holder(self, /) -> str:
        """
        Who claims: the run's journal id.
        """
    @property
    def intent(self, /) -> JournalRecord:
        """
        The move's intent line: written with the claim, never on its own.
        """
    @property
    def key(self, /) -> str:
        """
        The operation key.
        """
    @property
    def lease_ms(self, /) -> int:
        """
        How long the claim keeps other holders out, in milliseconds.
        """
    @property
    def server(self, /) -> str:
        """
        The server the key is scoped to (the client's fingerprint).
        """
    @property
    def settled_now(self, /) -> bool:
        """
        Whether the key's open move was settled for this very claim.
        """

@final
class KeyRecord:
    """
    A key's record in a store: the last word on the money move made under
    it on one server (`server`, `key`, `endpoint`, `params`, `state`,
    `journal_id` of the last attempt, `holder` and `lease_until_ms` of an
    open claim, the `message` of a `succeeded` answer, `attempts`).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    def after_line(self, /, line: JournalRecord) -> KeyRecord | None:
        """
        This record after a journal line of its key (an `outcome` or
        `settled` line): the record to `upsert` with the line, or `None`
        when it stays as it is (a late line of an earlier attempt, a line
        of another key, an intent).
        """
    @property
    def attempts(self, /) -> int:
        """
        How many times the move was claimed to be sent.
        """
    @property
    def endpoint(self, /) -> str:
        """
        The endpoint the move was last sent through.
        """
    @staticmethod
    def from_json_text(text: str) -> KeyRecord:
        """
        Reads a stored record (a SQL store's `record` column); one that
        can't be read raises `InvalidRequestError` at `journal`.
        """
    @property
    def holder(self, /) -> str | None:
        """
        Who holds an open claim, if anyone.
        """
    @property
    def journal_id(self, /) -> str:
        """
        The journal id of the last attempt.
        """
    @property
    def key(self, /) -> str: ...
    @property
    def lease_until_ms(self, /) -> int | None:
        """
        Until when (Unix milliseconds) the holder's claim keeps others out.
        """
    @property
    def message(self, /) -> str | None:
        """
        The server's message of a `succeeded` answer.
        """
    @property
    def params(self, /) -> dict[str, Any]:
        """
        The move's canonical parameters (`type` included).
        """
    @property
    def server(self, /) -> str: ...
    @property
    def state(self, /) -> str:
        """
        `"claimed"`, `"succeeded"`, `"failed"`, `"not_sent"`, `"unknown"`,
        `"applied"`, `"not_applied"` or `"undetermined"`: the store's
        `state` column.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The record as a dict (the stored JSON's shape).
        """
    def to_json_text(self, /) -> str:
        """
        The record as stored: compact JSON text.
        """

@final
class KeySql:
    """
    The statements of a SQL journal store, the core's one schema and claim
    protocol for every host: `KeySql("sqlite")` (parameters `?1`, ...) or
    `KeySql("postgres")` (`$1`, ...); every parameter is text or `None`. A
    claim is one transaction: `begin`, `ensure_row` (when not `None`:
    server, key), `select` (server, key: the record's JSON text or NULL),
    `KeyClaim.decide`, on a `ClaimWrite` `upsert` (server, key, state,
    record) and `append` (server, id, key, line without its newline), on
    `batch_to_refine()` `batch_lines` (the prefix), `commit` (`rollback`
    after any failure). A keyed outcome or `settled` line: `begin`,
    `select`, `KeyRecord.after_line` and `upsert` when it gives a record,
    `append`, `commit`. A line without a key is only appended (key NULL).
    """
    def __new__(cls, /, dialect: str) -> KeySql:
        """
        The statements of `dialect`: `"sqlite"` or `"postgres"`
        (`InvalidRequestError` at `dialect` for anything else).
        """
    def __repr__(self, /) -> str: ...
    @property
    def append(self, /) -> str:
        """
        Appends a journal line (params: server, id, key or NULL, line).
        """
    @property
    def batch_lines(self, /) -> str:
        """
        The lines whose journal id starts with a prefix (params: the
        prefix), in the order written.
        """
    @property
    def begin(self, /) -> str:
        """
        Starts a transaction that holds the write lock from its first
        statement (SQLite `BEGIN IMMEDIATE`).
        """
    @property
    def commit(self, /) -> str:
        """
        Ends a transaction.
        """
    @property
    def ensure_row(self, /) -> str | None:
        """
        Makes sure the key has a row to lock (Postgres; params: server,
        key); `None` for SQLite.
        """
    @property
    def lines(self, /) -> str:
        """
        Every journal line, in the order written (one column).
        """
    @property
    def rollback(self, /) -> str:
        """
        Undoes a transaction that failed half way.
        """
    @property
    def schema(self, /) -> list[str]:
        """
        Creates the tables and the index when missing, one statement each.
        """
    @property
    def select(self, /) -> str:
        """
        The key's record as JSON text, or NULL (params: server, key).
        """
    @property
    def upsert(self, /) -> str:
        """
        Writes the key's record (params: server, key, state, record).
        """

@final
class MultipleTransaction:
    """
    The answer to one multiple request: the server's message and the items
    it reports as failed (none when all succeeded).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[ItemFailure]:
        """
        The items the server reports on (the failed ones; none when all
        succeeded).

        (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def message(self, /) -> str:
        """
        Message information (`All transactions has been successfully
        processed.` or `partial transactions ...`).
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class NumberHistory:
    """
    A game's recent draw results.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[Draw]:
        """
        The draws, in the server's order (newest first in the spec).

        (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def gamecode(self, /) -> str:
        """
        Game code.
        """
    @property
    def message(self, /) -> str:
        """
        Message information.
        """
    @property
    def pasar(self, /) -> str:
        """
        Market name.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def type(self, /) -> str:
        """
        Game type.
        """

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
    One pending transaction.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def amount(self, /) -> Decimal:
        """
        Transaction amount.
        """
    @property
    def bank_acc_name(self, /) -> str:
        """
        The user's bank account name.
        """
    @property
    def bank_acc_number(self, /) -> str:
        """
        The user's bank account number (text: leading zeros matter).
        """
    @property
    def bank_name(self, /) -> str:
        """
        The user's bank.
        """
    @property
    def date(self, /) -> datetime:
        """
        When the transaction was made.
        """
    @property
    def destination_acc_number(self, /) -> str:
        """
        Destination account number.
        """
    @property
    def destination_bank(self, /) -> str:
        """
        Destination bank.
        """
    @property
    def game(self, /) -> str:
        """
        Name of the website.
        """
    @property
    def id(self, /) -> str:
        """
        Transaction ID.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def type(self, /) -> str:
        """
        `deposit` or `withdraw`.
        """
    @property
    def user(self, /) -> str:
        """
        User id in game.
        """

@final
class PgaInvoice:
    """
    One payment-gateway invoice.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def amount(self, /) -> Decimal:
        """
        Amount, exact.
        """
    @property
    def by(self, /) -> str:
        """
        Who processed it: `PGA` or `OPERATOR`.
        """
    @property
    def destination_bank(self, /) -> str:
        """
        Destination (`QRIS`, a bank, ...).
        """
    @property
    def id_invoice(self, /) -> str:
        """
        Invoice number.
        """
    @property
    def processed_date(self, /) -> datetime | None:
        """
        When it was processed; `None` when empty or null.
        """
    @property
    def ref_no(self, /) -> str:
        """
        Reference number.
        """
    @property
    def request_date(self, /) -> datetime:
        """
        When it was requested.
        """
    @property
    def status(self, /) -> str:
        """
        `Accepted`, `Unpaid`, `Expired` (or an unknown value, kept).
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def user(self, /) -> str:
        """
        User id in game.
        """

@final
class PgaTransaction:
    """
    One page of PGA invoices. The success body has no `success` field.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[PgaInvoice]:
        """
        The invoices, ordered by key (`"1"`, `"2"`, ...).

        (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def page(self, /) -> int:
        """
        This page's number.
        """
    @property
    def per_page(self, /) -> int:
        """
        Rows per page.
        """
    @property
    def row(self, /) -> int:
        """
        Rows on this page.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def total_amount_all(self, /) -> Decimal:
        """
        Sum of all pages' amounts, exact.
        """
    @property
    def total_amount_page(self, /) -> Decimal:
        """
        Sum of this page's amounts, exact.
        """
    @property
    def total_page(self, /) -> int:
        """
        Total pages.
        """
    @property
    def total_row(self, /) -> int:
        """
        Rows on all pages.
        """

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
    @property
    def replayed(self, /) -> bool:
        """
        `True` when nothing was sent: the call's operation key was done
        before, and this is the recorded answer of that attempt (a replay).
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """

@final
class Referral:
    """
    One downline.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def joindate(self, /) -> datetime:
        """
        When the user joined.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def user(self, /) -> str:
        """
        Downline user id.
        """

@final
class ReferralList:
    """
    A user's downlines.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[Referral]:
        """
        The downlines, in the server's order.

        (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def message(self, /) -> str:
        """
        Message information.
        """
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
    `Request`), `"wait"` (milliseconds), `"journal"` (the line, with its
    newline), `"claim"` (a `KeyClaim`), `"event"` (an `Event`), `"page"` (a
    typed page) or `"done"` (the result).
    """
    def __repr__(self, /) -> str: ...
    @property
    def kind(self, /) -> str: ...
    @property
    def value(self, /) -> Any: ...

@final
class TransactionList:
    """
    The pending transactions, in the server's order (by key `"1"`, `"2"`, ...).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[PendingTransaction]:
        """
        The rows.

        (The row objects are made on the first read and shared by
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
    One period's turnover and win/lose for a user.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def date(self, /) -> date:
        """
        Transaction date.
        """
    @property
    def gamecode(self, /) -> str:
        """
        Game code.
        """
    @property
    def pasar(self, /) -> str:
        """
        Market name.
        """
    @property
    def periode(self, /) -> str:
        """
        Game period.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def turnover(self, /) -> Decimal:
        """
        Total turnover, exact.
        """
    @property
    def user(self, /) -> str:
        """
        User id in game.
        """
    @property
    def winlose(self, /) -> Decimal:
        """
        Total win/lose, exact (negative: the player lost).
        """

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
    def key(self, /) -> str | None:
        """
        The operation key the move was sent under, or `None`: settling it
        with a journal names the key on its `settled` line, so the key's
        record takes the verdict.
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
    A user's current balance.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def balance(self, /) -> Decimal:
        """
        The balance, exact.
        """
    @property
    def message(self, /) -> str:
        """
        Message information.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def user(self, /) -> str:
        """
        User id in game (as the server spells it).
        """

@final
class UserHistory:
    """
    A user's deposit or withdraw history.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> list[HistoryEntry]:
        """
        The entries, in the server's order.

        (The row objects are made on the first read and shared by
        later ones; each read returns a new list.)
        """
    @property
    def message(self, /) -> str:
        """
        Message information.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def user(self, /) -> str:
        """
        User id in game.
        """

@final
class UserLastTransaction:
    """
    A user's latest deposit or withdrawal.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def data(self, /) -> HistoryEntry | None:
        """
        The latest entry; `None` when the user has none (`data` null, `{}`,
        `[]` or absent).
        """
    @property
    def message(self, /) -> str:
        """
        Message information.
        """
    def to_dict(self, /) -> dict[str, Any]:
        """
        The canonical JSON shape (the same as `idn_toto.parse`):
        amounts and dates as strings.
        """
    @property
    def user(self, /) -> str:
        """
        User id in game.
        """

def approval_batch_json(plan: Mapping[str, object], operator: str | None = None) -> dict[str, Any]:
    """
    A plan's approvals as the params of one keyed `multiple_transaction`
    batch: `{"type": "deposit", "transaction": [{trans_id, user, action,
    comment, operator, key}, ...]}`, each an accept under the key
    `match:<credit ref>`. `operator` defaults to the core's
    (`idn-toto-match`).
    """

def build(endpoint: str, params: Mapping[str, object], *, base_url: str, token: str, path_words: Mapping[str, str] | None = None, allow_insecure_http: bool = False) -> Request:
    """
    The request for `endpoint` from canonical parameters, without a client
    object (the dynamic API).
    """

def credits_from_csv(body: bytes) -> list[dict[str, Any]]:
    """
    The credits of a statement CSV (header `ref,account,posted_at,amount,
    sender_name,description`, any order, an optional `balance` column), as
    credit dicts. Raises `InvalidRequestError` naming the line and column.
    """

def credits_from_moota(body: bytes) -> list[dict[str, Any]]:
    """
    The credits of a Moota mutation webhook body, its signature not
    checked, as credit dicts.
    """

def credits_from_moota_signed(body: bytes, signature: str, secret: bytes) -> list[dict[str, Any]]:
    """
    The credits of a Moota webhook body whose `Signature` header
    (`signature`, hex HMAC-SHA256 of the body under `secret`) is checked
    before anything in the body is read.
    """

def decide_key(record: str | None, params: Mapping[str, object], *, me: str, now_ms: SupportsIndex, settled_now: bool = False) -> str:
    """
    What to do with the money move `params` (canonical, `type` included)
    under a key whose stored record is `record`
    (its JSON text; `None`: never used on this server), for holder `me` at
    `now_ms` (Unix milliseconds), `settled_now` when the record's verdict
    comes from a settlement made for this very decision: `"claim"`,
    `"already_done"`, `"key_in_use"`, `"key_conflict"`, `"settle"` or
    `"outcome_unknown"`. `KeyClaim.decide` is this with its write; this is
    the decision table alone (the shared vectors' `keys.json`).
    """

def defaults() -> dict[str, Any]:
    """
    Parses an answer to `endpoint` into the canonical JSON shape (a `dict`
    of plain values; amounts and dates as strings). No token is known here,
    so a server that echoes it is not scrubbed: prefer `Core.parse_dict` or
    `Client.parse`.
    The defaults every host starts from (the core's `Settings::DEFAULT`):
    `timeout_ms`, `settle_delay_ms`, `snapshots`, `max_pages` and
    `lease_ms` (how long a keyed move's claim keeps other holders out).
    `idn_toto.Client` and `AsyncClient` take their defaults from here.
    """

def endpoints() -> list[dict[str, Any]]:
    """
    The endpoint table: id, spec function name, method, path, idempotent,
    parameter names, paged.
    """

def match_deposits_json(pending: object, credits: Sequence[Mapping[str, object]], rules: Mapping[str, object]) -> dict[str, Any]:
    """
    The matcher's plan (`idn_toto::match_deposits_json`): `pending` is the
    canonical `transaction_list` answer (`{"data": [...]}`) or its rows,
    `credits` a list of credit dicts, `rules` as the core reads them
    (`accounts` as `["BANK:NUMBER", ...]`, `max_auto_amount`,
    `window_before_secs`, `window_after_secs`, `claimed_refs`,
    `approved_trans_ids`). Returns `{"approve", "hold", "unclaimed"}`.
    Raises `InvalidRequestError` naming what is wrong.
    """

def next_page(endpoint: str, params: Mapping[str, object], response: Any, *, pages_read: SupportsIndex | None = None, max_pages: SupportsIndex | None = None) -> dict[str, Any] | None:
    """
    The parameters of the page after `response` (a `FullTransaction` or
    `PgaTransaction`, or its canonical dict), or `None` after the last page.
    With `pages_read` (the pages an iteration has read, this one included),
    a next page past `max_pages` (default 10,000) raises ``DecodeError``.
    """

def parse(endpoint: str, status: SupportsIndex, body: bytes) -> dict[str, Any]: ...

def rules_with_approved_before(rules: Mapping[str, object], journal: Journal, server: str) -> dict[str, Any]:
    """
    `rules` (as `match_deposits_json` reads them) with what `journal` says
    was approved on `server` (a client's `fingerprint`) added to their
    `claimed_refs` and `approved_trans_ids` (the core's
    `rules_with_approved_before_json`): the rules an approving matcher runs
    under. Raises `InvalidRequestError` naming what is wrong with `rules`.
    """

"""
`idn_toto._native`: the Rust core of the `idn-toto` package.

This stub is generated from `bindings/python/src/` by
`maturin build --generate-stubs` (pyo3 `experimental-inspect`); do not
edit it. `bindings/python/stubs/_native.pyi` is the committed copy that
`scripts/build.sh` checks against every build.
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, SupportsIndex, final

__all__ = ["BankList", "Batch", "Core", "Draw", "FullTransaction", "Game", "GameList", "HistoryEntry", "ItemFailure", "ItemOutcome", "MultipleTransaction", "NumberHistory", "PendingTransaction", "PgaInvoice", "PgaTransaction", "Processed", "Referral", "ReferralList", "Request", "RetryPolicy", "TransactionList", "TurnoverRow", "UserBalance", "UserHistory", "UserLastTransaction", "build", "endpoints", "next_page", "parse"]

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
class Batch:
    """
    The batch state machine. Loop: `next_request(core)`, send it, then
    `record_response(core, status, body)` or
    `record_transport_failure(core, reason)`; finally `finish()`. Nothing is
    ever sent twice; an unknown outcome stops the batch.
    """
    def __new__(cls, /, type: str, transaction: Sequence[Mapping[str, object]]) -> Batch:
        """
        Checks every item (one form, no transaction twice) before anything is
        sent.
        """
    def finish(self, /) -> list[ItemOutcome]:
        """
        One outcome per input item, in input order.
        """
    def next_request(self, /, core: Core) -> Request | None:
        """
        The next request to send, or `None` when done.
        """
    def record_response(self, /, core: Core, status: SupportsIndex, body: bytes) -> None:
        """
        Records the answer to the last request.
        """
    def record_transport_failure(self, /, core: Core, reason: str) -> None:
        """
        Records that the last request failed in transport: its items are
        unknown and the batch stops.
        """
    def request_count(self, /) -> int:
        """
        The number of requests a full run sends.
        """

@final
class Core:
    """
    The sans-IO core client: builds requests, parses answers, and decides
    retries. `idn_toto.Client` and `idn_toto.AsyncClient` drive it; it never
    sends anything itself. `repr()` never shows the token.
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
    def settle(self, /, request: Request, attempt: SupportsIndex, status: SupportsIndex, body: bytes) -> Any:
        """
        Parses the answer to `request` (attempt `attempt`, 0 for the first
        send): the typed result, or the delay in seconds before sending again
        when the retry policy allows it; otherwise raises the error.
        """
    def settle_failure(self, /, request: Request, attempt: SupportsIndex, reason: str) -> float:
        """
        The transport failed (network error, timeout) sending `request`:
        returns the delay in seconds before sending again when the retry
        policy allows it; otherwise raises the error (outcome unknown for a
        request that moves money, transport failure for a read).
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
    def message(self, /) -> str | None:
        """
        The server's message, or what went wrong.
        """
    @property
    def status(self, /) -> str:
        """
        `"succeeded"`, `"failed"`, `"not_sent"` (an earlier request's
        outcome is unknown, so the batch stopped) or `"unknown"` (sent,
        but whether it was processed can't be known: check before acting
        again).
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
    def user(self, /) -> str: ...

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

def parse(endpoint: str, status: SupportsIndex, body: bytes) -> dict[str, Any]:
    """
    Parses an answer to `endpoint` into the canonical JSON shape (a `dict`
    of plain values; amounts and dates as strings). No token is known here,
    so a server that echoes it is not scrubbed: prefer `Core.parse_dict` or
    `Client.parse`.
    """

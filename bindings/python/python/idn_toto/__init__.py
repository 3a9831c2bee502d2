"""idn-toto: client SDK for the IDNPLAY Integration Services API TOTO
(2024.08.30).

The exact, tolerant, sans-IO core is Rust; this package adds the clients and
transports. Amounts are ``decimal.Decimal``, timestamps ``datetime``, every
failure an ``IdnTotoError`` subclass, and the token never appears in a
message or a ``repr()``.

    >>> import idn_toto
    >>> client = idn_toto.Client("https://agent.example.com/home.php", "TOKEN")
    >>> client.prepare.user_balance("LOREM")
    <Request GET https://agent.example.com/home.php/***/player_info/LOREM>
"""

from typing import TYPE_CHECKING

from ._client import (
    Action,
    Amount,
    AsyncClient,
    Client,
    EventHandler,
    JournalStore,
    PgaStatusFilter,
    Prepare,
    Settleable,
    TxType,
)
from ._errors import (
    ApiError,
    DecodeError,
    HttpError,
    IdnTotoError,
    InvalidRequestError,
    JournalWarning,
    KeyConflictError,
    KeyInUseError,
    OutcomeUnknownError,
    TransportError,
)
from ._journal import FileJournal
from ._matcher import (
    Approval,
    Hold,
    MatchEvidence,
    MatchPlan,
    Unclaimed,
    credits_from_csv,
    credits_from_moota,
    match_deposits,
)
from ._native import (
    BankList,
    ClaimAnswer,
    ClaimWrite,
    Core,
    Draw,
    Driver,
    DriverOptions,
    Event,
    FullTransaction,
    Game,
    GameList,
    HistoryEntry,
    ItemFailure,
    ItemOutcome,
    Journal,
    JournalRecord,
    KeyClaim,
    KeyRecord,
    KeySql,
    MultipleTransaction,
    NumberHistory,
    OpenMove,
    PendingTransaction,
    PgaInvoice,
    PgaTransaction,
    Processed,
    Referral,
    ReferralList,
    Request,
    RetryPolicy,
    Settlement,
    Step,
    TransactionList,
    TurnoverRow,
    Unsettled,
    UserBalance,
    UserHistory,
    UserLastTransaction,
    build,
    decide_key,
    endpoints,
    next_page,
    parse,
)
from ._stores import PostgresJournal, SqliteJournal
from ._transport import (
    AsyncTransport,
    Response,
    ResponseLike,
    ThreadedUrllibTransport,
    Transport,
    UrllibTransport,
)

if TYPE_CHECKING:
    #: The installed distribution's version: maturin takes it from the Cargo
    #: workspace's ``version``, the one source of every package's version.
    __version__: str


def __getattr__(name: str) -> str:
    # ``__version__`` is read from the distribution metadata on first use:
    # importing importlib.metadata would otherwise cost ~40 ms on every import.
    if name == "__version__":
        from importlib.metadata import version

        value = version("idn-toto")
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'idn_toto' has no attribute {name!r}")

__all__ = [
    "Action",
    "Amount",
    "ApiError",
    "Approval",
    "AsyncClient",
    "AsyncTransport",
    "BankList",
    "ClaimAnswer",
    "ClaimWrite",
    "Client",
    "Core",
    "DecodeError",
    "Draw",
    "Driver",
    "DriverOptions",
    "Event",
    "EventHandler",
    "FileJournal",
    "FullTransaction",
    "Game",
    "GameList",
    "HistoryEntry",
    "Hold",
    "HttpError",
    "IdnTotoError",
    "InvalidRequestError",
    "ItemFailure",
    "ItemOutcome",
    "Journal",
    "JournalRecord",
    "JournalStore",
    "JournalWarning",
    "KeyClaim",
    "KeyConflictError",
    "KeyInUseError",
    "KeyRecord",
    "KeySql",
    "MatchEvidence",
    "MatchPlan",
    "MultipleTransaction",
    "NumberHistory",
    "OpenMove",
    "OutcomeUnknownError",
    "PendingTransaction",
    "PgaInvoice",
    "PgaStatusFilter",
    "PgaTransaction",
    "PostgresJournal",
    "Prepare",
    "Processed",
    "Referral",
    "ReferralList",
    "Request",
    "Response",
    "ResponseLike",
    "RetryPolicy",
    "Settleable",
    "Settlement",
    "SqliteJournal",
    "Step",
    "ThreadedUrllibTransport",
    "TransactionList",
    "Transport",
    "TransportError",
    "TurnoverRow",
    "TxType",
    "Unclaimed",
    "Unsettled",
    "UrllibTransport",
    "UserBalance",
    "UserHistory",
    "UserLastTransaction",
    "build",
    "credits_from_csv",
    "credits_from_moota",
    "decide_key",
    "endpoints",
    "match_deposits",
    "next_page",
    "parse",
]

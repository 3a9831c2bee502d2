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
    ClaimAnswer,
    ClaimWrite,
    Core,
    Driver,
    DriverOptions,
    Event,
    ItemOutcome,
    Journal,
    JournalRecord,
    KeyClaim,
    KeyRecord,
    KeySql,
    OpenMove,
    Processed,
    Request,
    RetryPolicy,
    Settlement,
    Step,
    Unsettled,
    build,
    decide_key,
    endpoints,
    next_page,
    parse,
)
# The result classes, one per response and row type of the endpoints.
# <generated: result classes, imports> (tests/generated.rs; do not edit)
from ._native import (
    BankList,
    Draw,
    FullTransaction,
    Game,
    GameList,
    HistoryEntry,
    ItemFailure,
    MultipleTransaction,
    NumberHistory,
    PendingTransaction,
    PgaInvoice,
    PgaTransaction,
    Referral,
    ReferralList,
    TransactionList,
    TurnoverRow,
    UserBalance,
    UserHistory,
    UserLastTransaction,
)
# </generated>
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
    "ClaimAnswer",
    "ClaimWrite",
    "Client",
    "Core",
    "DecodeError",
    "Driver",
    "DriverOptions",
    "Event",
    "EventHandler",
    "FileJournal",
    "Hold",
    "HttpError",
    "IdnTotoError",
    "InvalidRequestError",
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
    "OpenMove",
    "OutcomeUnknownError",
    "PgaStatusFilter",
    "PostgresJournal",
    "Prepare",
    "Processed",
    "Request",
    "Response",
    "ResponseLike",
    "RetryPolicy",
    "Settleable",
    "Settlement",
    "SqliteJournal",
    "Step",
    "ThreadedUrllibTransport",
    "Transport",
    "TransportError",
    "TxType",
    "Unclaimed",
    "Unsettled",
    "UrllibTransport",
    "build",
    "credits_from_csv",
    "credits_from_moota",
    "decide_key",
    "endpoints",
    "match_deposits",
    "next_page",
    "parse",
]
# <generated: result classes, names> (tests/generated.rs; do not edit)
__all__ += [
    "BankList",
    "Draw",
    "FullTransaction",
    "Game",
    "GameList",
    "HistoryEntry",
    "ItemFailure",
    "MultipleTransaction",
    "NumberHistory",
    "PendingTransaction",
    "PgaInvoice",
    "PgaTransaction",
    "Referral",
    "ReferralList",
    "TransactionList",
    "TurnoverRow",
    "UserBalance",
    "UserHistory",
    "UserLastTransaction",
]
# </generated>

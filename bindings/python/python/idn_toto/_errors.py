"""The exception classes, one per kind of failure.

The Rust core decides which one applies (``errors.rs`` maps each core error
to exactly one of these classes); this module only declares them so type
checkers see their attributes. No message or attribute ever contains the
token: the core scrubs it, even when the server echoes it back.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

if TYPE_CHECKING:
    from ._native import Unsettled

__all__ = [
    "IdnTotoError",
    "InvalidRequestError",
    "ApiError",
    "HttpError",
    "DecodeError",
    "TransportError",
    "OutcomeUnknownError",
    "KeyInUseError",
    "KeyConflictError",
    "JournalWarning",
]


class IdnTotoError(Exception):
    """Base class of every error this package raises.

    ``kind`` is the stable kind string (``invalid_request``, ``api``,
    ``http``, ``decode``, ``transport``, ``outcome_unknown``,
    ``key_in_use``, ``key_conflict``); ``to_dict()``
    gives the core's canonical error object. A subclass's annotated
    attributes without a default (``str`` or ``int``) are read from that
    object, each from the key of its name (``keys=`` renames one).
    """

    kind: str
    #: The error behind this one (``OutcomeUnknownError`` only).
    cause: Optional[IdnTotoError]
    #: ``True`` when the call journals and a journal line of its money
    #: move (the outcome, or a settlement's ``settled`` line) could not be
    #: written: a ``JournalWarning`` said why, and the move stays open in
    #: the journal. The error itself is what the server's answer (or its
    #: absence) means.
    journal_unwritten: bool = False
    #: Attribute, key in the error object, type: made from the annotations.
    _fields: Tuple[Tuple[str, str, Callable[..., Any]], ...] = ()

    def __init_subclass__(cls, keys: Optional[Dict[str, str]] = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        types: Dict[str, Callable[..., Any]] = {"str": str, "int": int}
        # The class's own annotations (before 3.10, `cls.__annotations__`
        # may be a base class's).
        own = cls.__annotations__ if sys.version_info >= (3, 10) else cls.__dict__.get("__annotations__", {})
        cls._fields = tuple(
            (name, (keys or {}).get(name, name), types[str(annotation)])
            for name, annotation in own.items()
            if name not in cls.__dict__
        )

    def __init__(
        self,
        message: str,
        details: Optional[Dict[str, Any]] = None,
        cause: Optional[IdnTotoError] = None,
    ) -> None:
        super().__init__(message)
        self.cause = cause
        self._details: Dict[str, Any] = dict(details or {})
        self.kind = str(self._details.get("kind", ""))
        for attribute, key, convert in self._fields:
            setattr(self, attribute, convert(self._details.get(key, convert())))

    def to_dict(self) -> Dict[str, Any]:
        """The canonical error object: ``kind``, ``message`` and the fields."""
        return dict(self._details)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class InvalidRequestError(IdnTotoError, ValueError):
    """A parameter or the configuration is not acceptable; nothing was sent."""

    #: The parameter at fault: ``user``, ``transaction[3].amount``, ``base_url`` ...
    field: str
    #: Why it was refused.
    reason: str


class ApiError(IdnTotoError, keys={"message": "server_message"}):
    """The server answered ``success: false``."""

    #: ``user_not_found``, ``invalid_user``, ``user_not_registered``,
    #: ``invalid_game_code``, ``transaction_not_found`` or ``other``.
    api_kind: str
    #: The server's message, verbatim.
    message: str


class HttpError(IdnTotoError):
    """The HTTP status was outside 2xx."""

    status: int
    #: The start of the body (at most 200 characters).
    excerpt: str


class DecodeError(IdnTotoError):
    """The body is not the documented shape."""

    #: Where: ``$`` for the whole body, ``data[3].amount``, ...
    path: str
    reason: str


class TransportError(IdnTotoError):
    """The transport failed (network error, timeout) on a read."""

    reason: str


class OutcomeUnknownError(IdnTotoError):
    """A money-moving request may or may not have been carried out.

    Its transport failed or timed out, the server answered 5xx, or the answer
    could not be read. It is never retried: settle it with
    ``client.settle(error)`` (reads only) before acting again. ``cause`` says
    what happened; ``unsettled`` is what settling needs (the move's
    canonical parameters and, for a manual move, the history snapshot; never
    the token); ``journal_id`` its journal id when the client journals.
    """

    #: The journal id of the money move, when the client journals.
    journal_id: Optional[str] = None

    @property
    def unsettled(self) -> Optional[Unsettled]:
        """What settling needs, when the money call that raised this knew
        the request (``None`` from a bare ``parse``)."""
        raw = self._details.get("unsettled")
        if not isinstance(raw, dict):
            return None
        from ._native import Unsettled

        return Unsettled(raw)

    @property
    def status(self) -> Optional[int]:
        """The HTTP status, when the cause is an HTTP error."""
        return self.cause.status if isinstance(self.cause, HttpError) else None

    @property
    def path(self) -> Optional[str]:
        """The place in the body, when the cause is a decode error."""
        return self.cause.path if isinstance(self.cause, DecodeError) else None


class KeyInUseError(IdnTotoError):
    """The money move's operation key is held by another live process (its
    claim's lease has not run out): nothing was sent. Try again after
    ``lease_until_ms``; by then the other process has written its outcome,
    or its open move is settled (reads only) before anything is sent."""

    #: The operation key.
    key: str
    #: Until when (Unix milliseconds) the other holder's claim runs.
    lease_until_ms: int


class KeyConflictError(IdnTotoError):
    """The operation key was used for another money move (another user,
    amount, type, transaction or action): nothing was sent. A key names one
    money move; the comment and the operator are not part of it."""

    #: The operation key.
    key: str
    #: What differs, in words.
    reason: str


class JournalWarning(UserWarning):
    """A journal line of a money move could not be written (a full disk, a
    failed ``fsync``). The call still returns (or raises) what the money
    move's answer means, flagged ``journal_unwritten``; the move stays open
    in the journal (``unsettled()``) until it is settled. An intent that
    can't be written is not a warning: nothing of it is sent, and the call
    says so (``InvalidRequestError`` at ``journal``, or the batch's items
    ``not_sent``)."""


def invalid(field: str, reason: str) -> InvalidRequestError:
    """``InvalidRequestError`` naming ``field``, as the core makes it."""
    message = f"invalid request: {field}: {reason}"
    return InvalidRequestError(
        message, {"kind": "invalid_request", "message": message, "field": field, "reason": reason}
    )


#: The largest ``timeout`` (and retry delay) in seconds: one day. Python's
#: sockets take at most ~9.2e9 s (``OverflowError`` past it) and ``time.sleep``
#: the same; a deadline longer than a day is a mistake (``None`` means no
#: deadline).
MAX_SECONDS = 86_400


def seconds(field: str, value: object, *, none: bool = True) -> None:
    """Refuses a timeout that is not a finite number of seconds above 0 and
    at most ``MAX_SECONDS`` (``None`` too, when ``none``), naming ``field``."""
    if value is None and none:
        return
    # `0 < value <= MAX_SECONDS` is False for NaN and infinities too.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_SECONDS:
        allowed = " or None" if none else ""
        raise invalid(
            field,
            f"must be a finite number of seconds above 0 and at most {MAX_SECONDS}{allowed}, not {value!r}",
        )

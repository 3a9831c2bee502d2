"""Deposit matching (issue 23): ``match_deposits`` and the credit feeds.

The Rust core decides everything (``idn_toto::matcher``: eligibility,
ambiguity, double transfers, reasons, the approvals' keyed batch); this
module converts: Python values in, the core's canonical plan out, wrapped
in typed read-only objects (amounts ``Decimal``, timestamps ``datetime``)
that are made on first read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native as native
from ._errors import invalid

__all__ = [
    "Approval",
    "Hold",
    "MatchEvidence",
    "MatchPlan",
    "Unclaimed",
    "credits_from_csv",
    "credits_from_moota",
    "match_deposits",
]

Pending = Union[native.TransactionList, Mapping[str, object], Sequence[object]]
"""What ``match_deposits`` takes as pending deposits: a client's
``transaction_list`` answer, its canonical dict (``{"data": [...]}``) or a
list of rows (``PendingTransaction`` or canonical dicts)."""

Credit = Dict[str, Any]
"""A bank credit, as the feeds give it: ``ref``, ``account``
(``"BANK:NUMBER"``), ``posted_at`` (``"YYYY-MM-DDTHH:MM:SS"`` or
``None``), ``amount`` (a decimal string), ``sender_name``,
``description``."""

Body = Union[bytes, bytearray, memoryview, str]


@dataclass(frozen=True)
class MatchEvidence:
    """Why an approval was approved."""

    #: The watched account the credit went into (``BANK:NUMBER``).
    account: str
    #: When the request was made, and when the bank posted the credit.
    requested_at: datetime.datetime
    posted_at: datetime.datetime
    #: ``posted_at`` minus ``requested_at``, in seconds.
    offset_secs: int
    #: How the sender's name matched: ``"exact"``, ``"truncated"`` or
    #: ``"absent"`` (the credit carries no name).
    name: str
    sender_name: Optional[str]
    #: The other credits of a double transfer (each unclaimed
    #: ``double_transfer``).
    double_transfer: Tuple[str, ...]


@dataclass(frozen=True)
class Approval:
    """A pending deposit to accept, and the credit that pays it."""

    trans_id: str
    user: str
    amount: Decimal
    #: The credit's ``ref`` (its approval's key is ``match:<ref>``).
    credit: str
    evidence: MatchEvidence


@dataclass(frozen=True)
class Hold:
    """A pending deposit not approved: ``reason`` (``ambiguous``,
    ``over_limit``, ``name_mismatch``, ``cross_day``, ``outside_window``,
    ``no_credit``) and the credits that explain it."""

    trans_id: str
    user: str
    amount: Decimal
    reason: str
    candidates: Tuple[str, ...]


@dataclass(frozen=True)
class Unclaimed:
    """A credit not approved, and why (``already_claimed``,
    ``unknown_account``, ``double_transfer``, ``no_request``, ...)."""

    credit: str
    reason: str


def _timestamp(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def _approval(row: Mapping[str, Any]) -> Approval:
    e = row["evidence"]
    evidence = MatchEvidence(
        account=e["account"],
        requested_at=_timestamp(e["requested_at"]),
        posted_at=_timestamp(e["posted_at"]),
        offset_secs=e["offset_secs"],
        name=e["name"],
        sender_name=e["sender_name"],
        double_transfer=tuple(e["double_transfer"]),
    )
    return Approval(row["trans_id"], row["user"], Decimal(row["amount"]), row["credit"], evidence)


def _hold(row: Mapping[str, Any]) -> Hold:
    return Hold(row["trans_id"], row["user"], Decimal(row["amount"]), row["reason"], tuple(row["candidates"]))


def _unclaimed(row: Mapping[str, Any]) -> Unclaimed:
    return Unclaimed(row["credit"], row["reason"])


class MatchPlan:
    """What the matcher decided: ``approve`` (pairs that satisfy every rule
    and can be told apart from everything else), ``hold`` (requests not
    approved, with a reason) and ``unclaimed`` (every credit not approved,
    with a reason), in the core's order. ``outcomes``: with
    ``client.match_deposits(..., approve=True)``, one ``ItemOutcome`` per
    approval, in order (empty otherwise). ``to_dict()`` is the core's
    canonical plan (amounts and timestamps as strings). The typed lists are
    made on first read."""

    __slots__ = ("_plan", "_outcomes", "_approve", "_hold", "_unclaimed")

    def __init__(self, plan: Dict[str, Any], outcomes: Sequence[native.ItemOutcome] = ()) -> None:
        self._plan = plan
        self._outcomes = list(outcomes)
        self._approve: Optional[List[Approval]] = None
        self._hold: Optional[List[Hold]] = None
        self._unclaimed: Optional[List[Unclaimed]] = None

    @property
    def approve(self) -> List[Approval]:
        if self._approve is None:
            self._approve = [_approval(row) for row in self._plan["approve"]]
        return list(self._approve)

    @property
    def hold(self) -> List[Hold]:
        if self._hold is None:
            self._hold = [_hold(row) for row in self._plan["hold"]]
        return list(self._hold)

    @property
    def unclaimed(self) -> List[Unclaimed]:
        if self._unclaimed is None:
            self._unclaimed = [_unclaimed(row) for row in self._plan["unclaimed"]]
        return list(self._unclaimed)

    @property
    def outcomes(self) -> List[native.ItemOutcome]:
        return list(self._outcomes)

    def to_dict(self) -> Dict[str, Any]:
        """The canonical plan: ``{"approve", "hold", "unclaimed"}`` (a
        copy's top level; with outcomes, ``"outcomes"`` too, each
        ``ItemOutcome.to_dict()``)."""
        plan = dict(self._plan)
        if self._outcomes:
            plan["outcomes"] = [o.to_dict() for o in self._outcomes]
        return plan

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MatchPlan):
            return NotImplemented
        return self._plan == other._plan and self._outcomes == other._outcomes

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}=[{len(self._plan[name])} items]" for name in ("approve", "hold", "unclaimed"))
        return f"MatchPlan({counts}, outcomes=[{len(self._outcomes)} items])"


def _pending(pending: Pending) -> object:
    """The pending deposits as canonical JSON values."""
    if isinstance(pending, native.TransactionList):
        return pending.to_dict()
    if isinstance(pending, (list, tuple)):
        return [row.to_dict() if isinstance(row, native.PendingTransaction) else row for row in pending]
    return pending


def match_deposits(pending: Pending, credits: Sequence[Mapping[str, object]], rules: Mapping[str, object]) -> MatchPlan:
    """The matcher's plan for ``pending`` deposits and bank ``credits``
    (``credits_from_csv``, ``credits_from_moota`` or dicts of that shape)
    under ``rules``: ``accounts`` (``["BANK:NUMBER", ...]``, the watched
    accounts), and optionally ``max_auto_amount``, ``window_before_secs``
    (900), ``window_after_secs`` (10800), ``claimed_refs`` and
    ``approved_trans_ids``. Pure: nothing is read or sent, and the plan
    does not depend on the order of the inputs. Bad input raises
    ``InvalidRequestError`` naming it."""
    return MatchPlan(native.match_deposits_json(_pending(pending), credits, rules))


def _bytes(field: str, body: Body) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise invalid(field, f"must be bytes or str, not {type(body).__name__}")


def credits_from_csv(body: Body) -> List[Credit]:
    """The credits of a statement CSV with the header
    ``ref,account,posted_at,amount,sender_name,description`` (any order; an
    optional ``balance`` column). A bad row raises ``InvalidRequestError``
    naming its line and column (``line 4, column amount``)."""
    return native.credits_from_csv(_bytes("body", body))


def credits_from_moota(
    body: Body, signature: Optional[str] = None, secret: Optional[Union[bytes, str]] = None
) -> List[Credit]:
    """The credits of a Moota mutation webhook body (debits skipped). With
    ``signature`` (the webhook's ``Signature`` header) and ``secret``, the
    signature is checked before anything in the body is read (a bad one
    raises ``InvalidRequestError`` at ``signature``); give both or
    neither."""
    data = _bytes("body", body)
    if signature is None and secret is None:
        return native.credits_from_moota(data)
    if signature is None:
        raise invalid("signature", "a secret needs the webhook's Signature header: nothing in the body was read")
    if secret is None:
        raise invalid("secret", "a signature needs the webhook's secret: nothing in the body was read")
    return native.credits_from_moota_signed(data, signature, _bytes("secret", secret))

"""The types of the endpoints' parameters, as the generated methods
(``_endpoints.py``) and the clients name them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Dict, Literal, Mapping, Union

__all__ = ["TxType", "Action", "PgaStatusFilter", "Amount", "Text", "DateLike", "Item", "Params"]

TxType = Literal["deposit", "withdraw"]
"""The ``type`` parameter."""
Action = Literal["accept", "reject"]
"""The ``action`` parameter of an accept/reject."""
PgaStatusFilter = Literal["all", "paid", "expired", "unpaid"]
"""The ``status`` filter of ``pga_transaction``."""
Amount = Union[Decimal, int, str]
"""An exact amount: ``Decimal``, ``int`` or a decimal string (never a float)."""
Text = Union[str, int]
"""A text parameter (a user, a transaction id, a comment, ...): a string, or
an integer, written in decimal."""
DateLike = Union[datetime.date, str]
"""A ``datetime.date`` or ``"YYYY-MM-DD"``."""
Item = Mapping[str, object]
"""A batch item: accept/reject (``trans_id``, ``user``, ``action``,
``comment``, ``operator``) or manual (``user``, ``amount``, ``comment``,
``operator``), either with an optional ``key`` (its operation key)."""
Params = Dict[str, object]
"""An endpoint's canonical parameters."""

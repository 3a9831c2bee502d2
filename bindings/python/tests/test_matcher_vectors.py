"""The shared vectors of the deposit matcher (``tests/vectors/matcher.json``,
issue 23), run against the installed package: every plan as the vector
expects, the same plan with the inputs reversed, every reason code seen, the
credit feeds' credits and errors. Then the typed ``MatchPlan``."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest

import idn_toto

VECTORS: Dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[3] / "tests" / "vectors" / "matcher.json").read_text(encoding="utf-8")
)

#: Every reason code of the core (`MatchReason`).
REASONS = {
    "no_credit",
    "ambiguous",
    "name_mismatch",
    "outside_window",
    "cross_day",
    "over_limit",
    "double_transfer",
    "unknown_account",
    "already_claimed",
    "no_request",
}


def fits(want: Any, got: Any, where: str = "$") -> None:
    """Objects match by the keys ``want`` gives; arrays have the same
    length and match element by element; anything else is equal (amounts
    are strings on both sides: compared as JSON, never as floats)."""
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{where}: {got!r} is not an object"
        for key, value in want.items():
            assert key in got, f"{where}.{key} is missing from {got!r}"
            fits(value, got[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: {got!r} vs {want!r}"
        for i, (w, g) in enumerate(zip(want, got)):
            fits(w, g, f"{where}[{i}]")
    else:
        assert type(got) is type(want) and got == want, f"{where}: {got!r} != {want!r}"


def test_fits_can_fail() -> None:
    with pytest.raises(AssertionError):
        fits({"approve": [1]}, {"approve": [1, 2]})
    with pytest.raises(AssertionError):
        fits({"amount": "100000"}, {"amount": "100000.0000"})


def test_every_reason_code_is_expected_by_some_case() -> None:
    seen: Set[str] = set()
    for case in VECTORS["match_cases"]:
        for key in ("hold", "unclaimed"):
            seen.update(item["reason"] for item in case["expect"].get(key, []))
    assert seen == REASONS


@pytest.mark.parametrize("case", VECTORS["match_cases"], ids=lambda c: c["name"])
def test_match_case(case: Dict[str, Any]) -> None:
    plan = idn_toto.match_deposits(case["pending"], case["credits"], case["rules"]).to_dict()
    fits(case["expect"], plan)
    reversed_plan = idn_toto.match_deposits(case["pending"][::-1], case["credits"][::-1], case["rules"])
    assert reversed_plan.to_dict() == plan, "the plan depends on the order of the inputs"


def check_feed(case: Dict[str, Any], read: Any) -> None:
    if "error" in case:
        with pytest.raises(idn_toto.IdnTotoError) as raised:
            read()
        fits(case["error"], {k: v for k, v in raised.value.to_dict().items()})
        assert isinstance(raised.value, idn_toto.InvalidRequestError) == (case["error"].get("kind") == "invalid_request")
    else:
        credits: List[Dict[str, Any]] = read()
        fits(case["expect"], credits)


@pytest.mark.parametrize("case", VECTORS["csv_cases"], ids=lambda c: c["name"])
def test_csv_case(case: Dict[str, Any]) -> None:
    check_feed(case, lambda: idn_toto.credits_from_csv(case["csv"].encode("utf-8")))


@pytest.mark.parametrize("case", VECTORS["moota_cases"], ids=lambda c: c["name"])
def test_moota_case(case: Dict[str, Any]) -> None:
    body = case["body"].encode("utf-8")
    if "signature" in case:
        check_feed(case, lambda: idn_toto.credits_from_moota(body, case["signature"], case["secret"]))
    else:
        check_feed(case, lambda: idn_toto.credits_from_moota(body))


def test_a_signature_without_its_secret_reads_nothing() -> None:
    with pytest.raises(idn_toto.InvalidRequestError) as raised:
        idn_toto.credits_from_moota(b"not json", signature="00")
    assert raised.value.field == "secret"
    with pytest.raises(idn_toto.InvalidRequestError) as raised:
        idn_toto.credits_from_moota(b"not json", secret="s3cret-hook")
    assert raised.value.field == "signature"
    wrong = "0" * 64
    with pytest.raises(idn_toto.InvalidRequestError) as raised:
        idn_toto.credits_from_moota(b"not json", wrong, "s3cret-hook")
    assert raised.value.field == "signature"
    assert "s3cret-hook" not in str(raised.value) + repr(raised.value.to_dict())


def test_the_typed_plan() -> None:
    case = VECTORS["match_cases"][0]
    plan = idn_toto.match_deposits(case["pending"], case["credits"], case["rules"])
    [approval] = plan.approve
    assert approval.amount == Decimal("100000.0000") and isinstance(approval.amount, Decimal)
    assert (approval.trans_id, approval.user, approval.credit) == ("T1", "andi", "C1")
    assert approval.evidence.posted_at == datetime.datetime(2024, 5, 16, 9, 2)
    assert approval.evidence.offset_secs == 120 and approval.evidence.name == "exact"
    assert plan.hold == [] and plan.unclaimed == [] and plan.outcomes == []
    assert repr(plan) == "MatchPlan(approve=[1 items], hold=[0 items], unclaimed=[0 items], outcomes=[0 items])"
    # Rows given as the client's typed pending rows plan the same.
    answer = {"1": {**case["pending"][0], "date": "16-05-2024 09:00:00"}}
    typed = idn_toto.parse("transaction_list", 200, json.dumps(answer).encode())
    assert idn_toto.match_deposits(typed, case["credits"], case["rules"]) == plan
    held = next(c for c in VECTORS["match_cases"] if c["expect"].get("hold"))
    hold = idn_toto.match_deposits(held["pending"], held["credits"], held["rules"]).hold[0]
    assert isinstance(hold.amount, Decimal) and hold.reason == held["expect"]["hold"][0]["reason"]


def test_bad_input_is_named_and_floats_are_refused() -> None:
    case = VECTORS["match_cases"][0]
    with pytest.raises(idn_toto.InvalidRequestError) as raised:
        idn_toto.match_deposits(case["pending"], [{**case["credits"][0], "amount": 100000.0}], case["rules"])
    assert raised.value.field == "credits[0].amount"
    with pytest.raises(idn_toto.InvalidRequestError) as raised:
        idn_toto.match_deposits({"rows": []}, case["credits"], case["rules"])
    assert raised.value.field == "pending"
    with pytest.raises(idn_toto.InvalidRequestError) as raised:
        idn_toto.match_deposits(case["pending"], case["credits"], {"accounts": ["BCA:1"], "windows": 3})
    assert raised.value.field.startswith("rules")

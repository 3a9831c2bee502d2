"""The synchronous Client with fake transports: typed results, errors by
kind, retries only where the core allows them, batches, paging, and the
token kept out of every message, repr and traceback."""

from __future__ import annotations

import datetime
import json
import traceback
from decimal import Decimal
from typing import Any, List

import pytest

import idn_toto
from idn_toto import (
    ApiError,
    Client,
    DecodeError,
    HttpError,
    IdnTotoError,
    InvalidRequestError,
    OutcomeUnknownError,
    RetryPolicy,
    TransportError,
)

from conftest import (
    BALANCE,
    BASE_URL,
    PROCESSED,
    TOKEN,
    FakeTransport,
    item,
    no_token,
    ok,
    pending_list,
    turnover_page,
)


def client(transport: FakeTransport, **kwargs: Any) -> Client:
    c = Client(BASE_URL, TOKEN, transport=transport, **kwargs)
    c._sleep = lambda delay: None  # never really sleep
    return c


def recording_client(transport: FakeTransport, delays: List[float], **kwargs: Any) -> Client:
    c = Client(BASE_URL, TOKEN, transport=transport, **kwargs)
    c._sleep = delays.append
    return c


def leak_free(error: BaseException) -> None:
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    assert no_token(str(error), repr(error), text, json.dumps(getattr(error, "to_dict", dict)()))
    assert error.__cause__ is None and error.__context__ is None


# ------------------------------------------------------------------ results


def test_balance_is_a_decimal_and_the_object_is_immutable() -> None:
    t = FakeTransport(BALANCE)
    balance = client(t).user_balance("LOREM")
    assert isinstance(balance, idn_toto.UserBalance)
    assert balance.balance == Decimal("8900.00") and str(balance.balance) == "8900.00"
    assert (balance.user, balance.message) == ("lorem", "Success")
    assert balance.to_dict() == {"message": "Success", "user": "lorem", "balance": "8900.00"}
    assert repr(balance) == "UserBalance(message='Success', user='lorem', balance=Decimal('8900.00'))"
    with pytest.raises(AttributeError):
        balance.balance = Decimal(1)  # type: ignore[misc]
    again = client(FakeTransport(BALANCE)).user_balance("LOREM")
    assert balance == again and not (balance != again)
    request = t.requests[0]
    assert request.method == "GET" and request.idempotent is True
    assert request.url == f"{BASE_URL}/{TOKEN}/player_info/LOREM"
    assert request.redacted_url == f"{BASE_URL}/***/player_info/LOREM"
    assert no_token(repr(request))


def test_pending_list_has_datetimes_decimals_and_rows_in_id_order() -> None:
    listing = client(FakeTransport((200, pending_list(12)))).transaction_list("deposit", bank="bca")
    rows = listing.data
    assert [r.id for r in rows] == [str(i) for i in range(1, 13)]
    first = rows[0]
    assert first.date == datetime.datetime(2021, 2, 23, 13, 28, 21)
    assert first.amount == Decimal("1001.5000")
    assert first.type == "deposit"
    assert repr(listing) == "TransactionList(data=[12 items])"
    assert listing.to_dict()["data"][0]["amount"] == "1001.5000"
    assert listing.data == rows  # equal values, fresh list each time
    assert listing.data is not rows and listing.data[0] is rows[0]  # rows made once, shared


def test_dates_and_optional_values() -> None:
    page = client(FakeTransport(turnover_page(1, 1))).full_transaction("LOREMS", date=datetime.date(2024, 5, 17))
    assert page.data[0].date == datetime.date(2024, 5, 17)
    assert page.data[0].winlose == Decimal("-2000.00")
    assert (page.total_data, page.total_page) == (2, 1)
    none = ok({"success": True, "message": "Success", "user": "x", "data": None})
    assert client(FakeTransport(none)).user_last_transaction("deposit", "x").data is None


# ------------------------------------------------------------------ arguments


def test_required_parameters_are_positional_in_url_order() -> None:
    t = FakeTransport(PROCESSED, PROCESSED, ok({"success": True, "user": "u", "data": []}))
    c = client(t, snapshots=False)  # the history read before a manual move: tests/test_settle.py
    c.accept_reject("deposit", "123454321", "LOREM", "accept", "TRANS-01", "OP01")
    c.manual_transaction("withdraw", "LOREM", "TRANS-01", Decimal("2500.50"), "OP01")
    c.user_history("deposit", "LOREM")
    urls = [r.redacted_url for r in t.requests]
    assert urls == [
        f"{BASE_URL}/***/push_dps/123454321/LOREM/ACCEPT/TRANS-01/OP01",
        f"{BASE_URL}/***/MANUAL/wd/LOREM/TRANS-01/2500.50/OP01",
        f"{BASE_URL}/***/history/dps/LOREM",
    ]
    with pytest.raises(TypeError):
        c.transaction_list("deposit", "bca")  # type: ignore[misc]


@pytest.mark.parametrize("amount", [Decimal("10000"), 10000, "10000", Decimal("1E+4")])
def test_amounts_accept_decimal_int_and_decimal_strings(amount: Any) -> None:
    request = client(FakeTransport()).prepare.manual_transaction("deposit", "LOREM", "c", amount, "OP01")
    assert request.redacted_url.endswith("/LOREM/c/10000/OP01")


@pytest.mark.parametrize("amount", [2500.5, True, Decimal("-1"), Decimal("NaN"), "1e5", 0])
def test_bad_amounts_are_refused_before_sending(amount: Any) -> None:
    t = FakeTransport()
    with pytest.raises(InvalidRequestError) as caught:
        client(t).manual_transaction("deposit", "LOREM", "c", amount, "OP01")
    assert caught.value.field == "amount" and caught.value.kind == "invalid_request"
    assert isinstance(caught.value, ValueError)
    assert t.requests == []


def test_invalid_configuration_names_the_field_and_never_the_token() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        Client("ftp://x", TOKEN)
    assert caught.value.field == "base_url"
    with pytest.raises(InvalidRequestError) as caught:
        Client(BASE_URL, "bad/" + TOKEN)
    assert caught.value.field == "token" and no_token(str(caught.value))
    with pytest.raises(InvalidRequestError) as caught:
        Client(BASE_URL, TOKEN, path_words={"nope": "x"})
    assert caught.value.field == "path_words.nope"


def test_path_words_override_the_defaults() -> None:
    c = Client(BASE_URL, TOKEN, path_words={"manual_deposit": "dps"})
    request = c.prepare.manual_transaction("deposit", "u", "c", 5, "o")
    assert "/MANUAL/dps/" in request.redacted_url


# ------------------------------------------------------------------ errors


def test_api_refusal_is_typed() -> None:
    t = FakeTransport(ok({"success": False, "message": "User not found"}))
    with pytest.raises(ApiError) as caught:
        client(t).user_balance("nobody")
    assert caught.value.api_kind == "user_not_found"
    assert caught.value.message == "User not found"
    assert len(t.requests) == 1  # refusals are never retried
    leak_free(caught.value)


def test_read_timeouts_are_retried_as_the_core_says_then_raise_transport_error() -> None:
    delays: List[float] = []
    t = FakeTransport(TimeoutError("timed out"), TimeoutError("timed out"), TimeoutError("timed out"))
    with pytest.raises(TransportError) as caught:
        recording_client(t, delays).user_balance("LOREM")
    assert delays == [0.2, 0.4]  # RetryPolicy default: 200 ms doubling
    assert len(t.requests) == 3
    assert "TimeoutError: timed out" in caught.value.reason
    leak_free(caught.value)


def test_a_retried_read_can_succeed() -> None:
    delays: List[float] = []
    t = FakeTransport((503, b"busy"), ConnectionError("reset"), BALANCE)
    assert recording_client(t, delays).user_balance("LOREM").balance == Decimal("8900.00")
    assert delays == [0.2, 0.4]


def test_retry_policy_is_configurable() -> None:
    delays: List[float] = []
    t = FakeTransport((500, b"oops"))
    with pytest.raises(HttpError) as caught:
        recording_client(t, delays, retry=RetryPolicy.never()).user_balance("LOREM")
    assert caught.value.status == 500 and caught.value.excerpt == "oops"
    assert delays == [] and len(t.requests) == 1
    policy = RetryPolicy(retries=1, base_delay_ms=5)
    assert (policy.retries, policy.base_delay_ms, policy.max_delay_ms) == (1, 5, 5000)


def test_money_moving_timeout_is_outcome_unknown_and_never_retried() -> None:
    delays: List[float] = []
    t = FakeTransport(TimeoutError("timed out"))
    with pytest.raises(OutcomeUnknownError) as caught:
        recording_client(t, delays).accept_reject("deposit", "1", "LOREM", "accept", "c", "OP01")
    assert len(t.requests) == 1 and delays == []
    assert isinstance(caught.value.cause, TransportError)
    assert caught.value.to_dict()["cause"]["kind"] == "transport"
    leak_free(caught.value)


def test_money_moving_500_is_outcome_unknown_with_the_status() -> None:
    t = FakeTransport((500, b"Internal Server Error"))
    with pytest.raises(OutcomeUnknownError) as caught:
        client(t, snapshots=False).manual_transaction("deposit", "LOREM", "c", "10", "OP01")
    assert caught.value.status == 500 and isinstance(caught.value.cause, HttpError)
    assert len(t.requests) == 1


def test_html_bodies_are_decode_errors_and_unknown_outcomes_for_money() -> None:
    html = (200, b"<html><body>Maintenance</body></html>")
    with pytest.raises(DecodeError) as caught:
        client(FakeTransport(html)).user_balance("LOREM")
    assert caught.value.path
    with pytest.raises(OutcomeUnknownError) as unknown:
        client(FakeTransport(html)).accept_reject("deposit", "1", "u", "reject", "c", "o")
    assert isinstance(unknown.value.cause, DecodeError) and unknown.value.path


def test_network_errors_quoting_the_url_do_not_leak_the_token() -> None:
    url = f"{BASE_URL}/{TOKEN}/player_info/LOREM"
    t = FakeTransport(*(ConnectionError(f"Max retries exceeded with url: {url}") for _ in range(3)))
    with pytest.raises(TransportError) as caught:
        client(t).user_balance("LOREM")
    assert "/***/player_info" in caught.value.reason
    leak_free(caught.value)


def test_server_echoing_the_token_is_scrubbed() -> None:
    echo = f"no route for /home.php/{TOKEN}/player_info"
    t = FakeTransport((404, echo.encode()))
    with pytest.raises(HttpError) as caught:
        client(t).user_balance("LOREM")
    assert "***" in caught.value.excerpt
    leak_free(caught.value)
    refusal = ok({"success": False, "message": f"bad token {TOKEN}"})
    with pytest.raises(ApiError) as api:
        client(FakeTransport(refusal)).game_list()
    leak_free(api.value)


def test_every_repr_is_token_free() -> None:
    c = Client(BASE_URL, TOKEN, transport=FakeTransport())
    texts = [repr(c), repr(c.prepare), repr(c._core), repr(c.prepare.user_balance("u")), str(c.prepare.bank_list())]
    assert no_token(*texts)
    assert repr(c) == f"Client(base_url='{BASE_URL}', token='***')"


def test_all_errors_share_the_base_class() -> None:
    for cls in (InvalidRequestError, ApiError, HttpError, DecodeError, TransportError, OutcomeUnknownError):
        assert issubclass(cls, IdnTotoError)


# ------------------------------------------------------------------ transports


def test_transport_may_answer_with_tuples_response_objects_or_attributes() -> None:
    class Answer:
        status = 200
        body = BALANCE[1]

    t = FakeTransport(BALANCE, idn_toto.Response(*BALANCE), lambda r: Answer())
    c = client(t)
    for _ in range(3):
        assert c.user_balance("LOREM").balance == Decimal("8900.00")


def test_a_broken_transport_answer_is_a_transport_failure() -> None:
    t = FakeTransport(lambda r: "nonsense")
    with pytest.raises(OutcomeUnknownError):
        client(t).accept_reject("deposit", "1", "u", "accept", "c", "o")


def test_sans_io_prepare_then_parse() -> None:
    c = Client(BASE_URL, TOKEN)
    request = c.prepare.pga_transaction(datetime.date(2024, 3, 1), "2024-03-04", status="paid")
    assert request.method == "POST" and request.idempotent
    assert json.loads(request.body or b"") == {
        "start_date": "2024-03-01",
        "end_date": "2024-03-04",
        "page": 1,
        "status": "paid",
    }
    assert request.headers == {"accept": "application/json", "content-type": "application/json"}
    result = c.parse(c.prepare.user_balance("LOREM"), *BALANCE)
    assert isinstance(result, idn_toto.UserBalance)
    assert idn_toto.parse("user_balance", *BALANCE) == result.to_dict()


# ------------------------------------------------------------------ batches


def test_batch_splits_into_25_item_requests_and_keeps_input_order() -> None:
    partial = ok(
        {
            "success": True,
            "message": "Some transactions failed",
            "data": [{"trans_id": "3", "success": False, "message": "The transaction couldnt be found"}],
        }
    )
    t = FakeTransport(partial, TimeoutError("timed out"))
    outcomes = client(t).multiple_transaction("deposit", (item(i) for i in range(60)))
    assert [len(json.loads(r.body)["transaction"]) for r in t.requests] == [25, 25]
    assert len(outcomes) == 60 and [o.index for o in outcomes] == list(range(60))
    statuses = [o.status for o in outcomes]
    assert statuses[3] == "failed" and outcomes[3].api_kind == "transaction_not_found"
    assert statuses[:3] == ["succeeded"] * 3 and statuses[4:25] == ["succeeded"] * 21
    assert statuses[25:50] == ["unknown"] * 25  # the timeout: never resent
    assert statuses[50:] == ["not_sent"] * 10
    assert outcomes[0].trans_id == "0" and outcomes[0].user == "LOREM"
    assert all(no_token(repr(o), json.dumps(o.to_dict())) for o in outcomes)


def test_batch_of_manual_items_and_refused_items() -> None:
    t = FakeTransport(ok({"success": True, "message": "All transactions has been successfully processed.", "data": []}))
    items = [{"user": "a", "amount": Decimal("2500.50"), "comment": "c", "operator": "o"}]
    outcomes = client(t, snapshots=False).multiple_transaction("withdraw", items)
    assert outcomes[0].status == "succeeded"
    assert t.requests[0].redacted_url == f"{BASE_URL}/***/MANUAL/wd"
    assert json.loads(t.requests[0].body)["transaction"][0]["amount"] == 2500.50
    with pytest.raises(InvalidRequestError) as caught:
        client(FakeTransport()).multiple_transaction("deposit", [item(1), item(1)])
    assert caught.value.field == "transaction[1].trans_id"
    with pytest.raises(InvalidRequestError) as caught:
        client(FakeTransport()).multiple_transaction("deposit", [{"user": "a", "amount": 1.5, "comment": "c", "operator": "o"}])
    assert caught.value.field == "transaction[0].amount"


def test_prepare_multiple_transaction_is_one_request_of_at_most_25() -> None:
    c = Client(BASE_URL, TOKEN)
    assert c.prepare.multiple_transaction("deposit", [item(i) for i in range(25)]).method == "POST"
    with pytest.raises(InvalidRequestError):
        c.prepare.multiple_transaction("deposit", [item(i) for i in range(26)])


# ------------------------------------------------------------------ paging


def test_iter_full_transaction_walks_every_page() -> None:
    t = FakeTransport(turnover_page(1, 3), turnover_page(2, 3), turnover_page(3, 3))
    rows = list(client(t).iter_full_transaction("LOREMS", date="2024-05-17"))
    assert [r.periode for r in rows] == ["100", "101", "200", "201", "300", "301"]
    assert [r.redacted_url for r in t.requests] == [
        f"{BASE_URL}/***/full_transaction/LOREMS/{p}?date=2024-05-17" for p in (1, 2, 3)
    ]


def test_iter_full_transaction_stops_on_an_empty_page() -> None:
    t = FakeTransport(turnover_page(1, 9), turnover_page(2, 9, rows=0))
    assert len(list(client(t).iter_full_transaction("LOREMS"))) == 2
    assert len(t.requests) == 2


def test_iter_pga_transaction_walks_every_page() -> None:
    def page(n: int) -> Any:
        return ok(
            {
                "success": True,
                "row": 1,
                "total_row": 2,
                "page": n,
                "per_page": 1,
                "total_page": 2,
                "total_amount_page": "10.00",
                "total_amount_all": "20.00",
                "data": [
                    {
                        "id_invoice": f"INV{n}",
                        "ref_no": "R",
                        "status": "Accepted",
                        "by": "PGA",
                        "user": "u",
                        "request_date": "2024-03-01 10:00:00",
                        "processed_date": None,
                        "amount": "10.00",
                        "destination_bank": "BCA",
                    }
                ],
            }
        )

    t = FakeTransport(page(1), page(2))
    invoices = list(client(t).iter_pga_transaction("2024-03-01", "2024-03-04"))
    assert [i.id_invoice for i in invoices] == ["INV1", "INV2"]
    assert invoices[0].processed_date is None
    assert invoices[0].request_date == datetime.datetime(2024, 3, 1, 10, 0)
    assert [json.loads(r.body)["page"] for r in t.requests] == [1, 2]

"""Runs every shared vector in `tests/vectors/` through the installed package:
the same canonical JSON and error kinds as the Rust runner
(`crates/idn-toto/tests/vectors.rs`). Format: `tests/vectors/README.md`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple
from urllib.parse import quote

import pytest

import idn_toto
from idn_toto import _native as native

VECTORS = Path(__file__).resolve().parents[3] / "tests" / "vectors"
DEFAULT_BASE_URL = "https://agent.example.com/home.php"
DEFAULT_TOKEN = "VECTOR-TOKEN-0001"
# Deleting or emptying vector files must fail the run (the Rust runner has
# the same floor).
MIN_CASES = 390


def load(path: Path) -> Any:
    # JSON fractions stay exact: 2500.5 arrives as Decimal("2500.5"), which
    # the package sends as the same decimal text the core reads.
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def config(doc: Dict[str, Any]) -> Dict[str, Any]:
    c = doc.get("config") or {}
    return {
        "base_url": c.get("base_url", DEFAULT_BASE_URL),
        "token": c.get("token", DEFAULT_TOKEN),
        "path_words": c.get("path_words"),
    }


def is_subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and is_subset(v, actual[k]) for k, v in expected.items()
        )
    return bool(expected == actual)


def body_of(case: Dict[str, Any]) -> bytes:
    if "body_hex" in case:
        return bytes.fromhex(case["body_hex"])
    return str(case["body"]).encode("utf-8")


def plain(value: Any) -> Any:
    """Vector expectations with Decimal fractions turned back into the floats
    `json.loads` would give (for comparing with parsed output)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def cases() -> Iterator[Tuple[str, str, Any]]:
    for path in sorted(VECTORS.glob("*.json")):
        if path.name in ("client.json", "journal.json", "framing.json"):
            continue  # run by `test_client_vectors`, `test_journal_vectors`, `test_framing_vectors`
        if path.name == "settle.json":
            continue  # run by `test_settle_vectors`
        if path.name == "matcher.json":
            continue  # run by the Rust runner only so far (issue 23)
        if path.name == "keys.json":
            continue  # run by `test_keys_vectors`, `test_keys_journal_vectors`
        doc = load(path)
        if path.name in ("batch.json", "paging.json"):
            for case in doc["cases"]:
                yield path.name, "case", (doc, case)
            continue
        for case in doc.get("requests", []):
            yield path.name, "request", (doc, case)
        for case in doc.get("responses", []):
            yield path.name, "response", (doc, case)


ALL = list(cases())


def test_vectors_are_there() -> None:
    assert VECTORS.is_dir(), VECTORS
    assert len(ALL) >= MIN_CASES, f"only {len(ALL)} vector cases"
    files = {name for name, _, _ in ALL}
    ids = {e["id"] for e in idn_toto.endpoints()}
    assert files == {f"{i}.json" for i in ids} | {"batch.json", "paging.json"}


def check_error(error: idn_toto.IdnTotoError, want: Dict[str, Any], token: str) -> None:
    got = error.to_dict()
    assert is_subset(plain(want), got), f"error {got} does not match {want}"
    assert got["kind"] == error.kind
    encoded = quote(token, safe="-._~")
    for text in (str(error), repr(error), json.dumps(got)):
        assert token not in text and encoded not in text


@pytest.mark.parametrize(
    "file,kind,data", ALL, ids=[f"{f}::{k}::{d[1].get('name')}" for f, k, d in ALL]
)
def test_vector(file: str, kind: str, data: Tuple[Dict[str, Any], Dict[str, Any]]) -> None:
    doc, case = data
    cfg = config(doc)
    if file == "batch.json":
        run_batch(cfg, case)
    elif file == "paging.json":
        run_paging(cfg, case)
    elif kind == "request":
        run_request(doc["endpoint"], cfg, case)
    else:
        run_response(doc["endpoint"], cfg, case)


def run_request(endpoint: str, cfg: Dict[str, Any], case: Dict[str, Any]) -> None:
    params = case.get("params")
    if "error" in case:
        with pytest.raises(idn_toto.IdnTotoError) as caught:
            idn_toto.build(endpoint, params, **cfg)
        check_error(caught.value, case["error"], cfg["token"])
        return
    request = idn_toto.build(endpoint, params, **cfg)
    want = case["expect"]
    got = request.to_dict()
    for key, value in want.items():
        assert got[key] == value, f"{key}: got {got[key]!r}, want {value!r}"
    assert request.endpoint == endpoint
    assert request.method == want["method"]
    assert request.redacted_url == want["url"]
    encoded = quote(cfg["token"], safe="-._~")
    assert request.url == want["url"].replace("***", encoded, 1)
    assert request.idempotent is want["idempotent"]
    body = request.body
    assert (body.decode("utf-8") if body is not None else None) == want["body"]
    if "headers" in want:
        assert request.headers == want["headers"]
    assert cfg["token"] not in repr(request) and encoded not in repr(request)
    # The client's sans-IO level builds the same request.
    core = idn_toto.Core(cfg["base_url"], cfg["token"], path_words=cfg["path_words"])
    assert core.build(endpoint, params) == request


def run_response(endpoint: str, cfg: Dict[str, Any], case: Dict[str, Any]) -> None:
    status = int(case.get("status", 200))
    body = body_of(case)
    core = idn_toto.Core(cfg["base_url"], cfg["token"], path_words=cfg["path_words"])
    if "error" in case:
        with pytest.raises(idn_toto.IdnTotoError) as caught:
            core.parse_dict(endpoint, status, body)
        check_error(caught.value, case["error"], cfg["token"])
        # The typed path raises the same error ...
        with pytest.raises(type(caught.value)) as typed:
            core.parse(endpoint, status, body)
        check_error(typed.value, case["error"], cfg["token"])
        # ... and so does the token-less module function (which cannot scrub).
        with pytest.raises(type(caught.value)):
            idn_toto.parse(endpoint, status, body)
        return
    want = plain(case["expect"])
    assert core.parse_dict(endpoint, status, body) == want
    assert idn_toto.parse(endpoint, status, body) == want
    # The typed path holds the same values.
    result = core.parse(endpoint, status, body)
    assert result.to_dict() == want
    assert cfg["token"] not in repr(result)


def run_batch(cfg: Dict[str, Any], case: Dict[str, Any]) -> None:
    core = idn_toto.Core(cfg["base_url"], cfg["token"], path_words=cfg["path_words"])
    params = case["params"]
    # History reads first only when the case says `snapshots`.
    snapshots = case.get("snapshots") is True
    # The vectors describe the batch's decisions, one answer per request:
    # no read is sent again (the driver's history reads retry as any read
    # does, spec-notes 179; the Rust runner drives a `Batch` alone).
    options = idn_toto.DriverOptions(snapshots=snapshots, retry=idn_toto.RetryPolicy.never())
    if "error" in case:
        with pytest.raises(idn_toto.IdnTotoError) as caught:
            idn_toto.Driver.batch(core, params, options)
        check_error(caught.value, case["error"], cfg["token"])
        return
    driver = idn_toto.Driver.batch(core, params, options)
    encoded = quote(cfg["token"], safe="-._~")
    exchanges = list(case["exchanges"])
    while True:
        step = driver.next(0, None)
        if step.kind == "done":
            break
        if step.kind != "send":
            continue
        assert exchanges, f"a request past the {len(case['exchanges'])} exchanges"
        exchange, request, i = exchanges.pop(0), step.value, len(case["exchanges"]) - len(exchanges)
        read = "expect_items" not in exchange  # a history read: no items
        assert snapshots or not read, f"exchange {i}: a read without snapshots"
        if not read:
            items = json.loads(request.body or b"null")["transaction"]
            assert len(items) == exchange["expect_items"], f"exchange {i}"
        assert request.redacted_url == exchange["expect_url"], f"exchange {i}"
        assert request.url == request.redacted_url.replace("***", encoded, 1)
        assert request.idempotent is read
        response = exchange["response"]
        if "transport_failure" in response:
            driver.record_transport_failure(response["transport_failure"], 0, None)
        else:
            status = int(response.get("status", 200))
            driver.record_response(status, [], str(response["body"]).encode("utf-8"), 0, None)
    assert exchanges == [], "every exchange was sent"
    outcomes = step.value
    want: List[Dict[str, Any]] = case["outcomes"]
    assert len(outcomes) == len(want)
    for got, expected in zip(outcomes, want):
        as_dict = got.to_dict()
        assert is_subset(plain(expected), as_dict), f"{as_dict} does not match {expected}"
        assert cfg["token"] not in json.dumps(as_dict) and encoded not in json.dumps(as_dict)


def run_paging(cfg: Dict[str, Any], case: Dict[str, Any]) -> None:
    endpoint = case["endpoint"]
    if "error" in case:
        with pytest.raises(idn_toto.IdnTotoError) as caught:
            idn_toto.next_page(endpoint, case["params"], case["response"])
        check_error(caught.value, case["error"], cfg["token"])
        return
    got = idn_toto.next_page(endpoint, case["params"], case["response"])
    assert got == plain(case["next"])
    if got is not None:
        idn_toto.build(endpoint, got, **cfg)


CLIENT = load(VECTORS / "client.json")


def _core(config: Dict[str, Any]) -> Any:
    kwargs = {k: v for k, v in config.items() if v is not None}
    return idn_toto.Core(kwargs.pop("base_url", ""), kwargs.pop("token", ""), **kwargs)


@pytest.mark.parametrize(
    "section,case",
    [(s, c) for s in ("config_cases", "redaction_cases", "body_cases") for c in CLIENT[s]],
    ids=[f"{s}::{c['name']}" for s in ("config_cases", "redaction_cases", "body_cases") for c in CLIENT[s]],
)
def test_client_vectors(section: str, case: Dict[str, Any]) -> None:
    """tests/vectors/client.json: configuration, redaction, body size."""
    if section == "config_cases":
        config = case["config"]
        if "expect" in case:
            core = _core(config)
            request_spec = case.get("request", {"endpoint": "user_balance", "params": {"user": "X"}})
            request = core.build(request_spec["endpoint"], request_spec["params"])
            assert request.redacted_url == case["expect"]["url"]
            encoded = quote(config["token"], safe="-._~")
            assert request.url == case["expect"]["url"].replace("***", encoded, 1)
        elif case.get("wrong_type"):
            # A value of the wrong JSON type: Python's own type error, or the core's.
            with pytest.raises((TypeError, OverflowError, idn_toto.InvalidRequestError)):
                _core(config)
        else:
            with pytest.raises(idn_toto.IdnTotoError) as caught:
                _core(config)
            token = str(config.get("token", ""))
            check_error(caught.value, case["error"], token if len(token) > 2 else "\0")
    elif section == "redaction_cases":
        core = idn_toto.Core("https://agent.example.com/home.php", case["token"])
        assert core.redact(case["text"]) == case["expect"]
    else:
        core = _core(case["config"])
        status = int(case.get("status", 200))
        body = case["body"].encode("utf-8")
        if "expect" in case:
            assert core.parse_dict(case["endpoint"], status, body) == plain(case["expect"])
        else:
            with pytest.raises(idn_toto.IdnTotoError) as caught:
                core.parse_dict(case["endpoint"], status, body)
            check_error(caught.value, case["error"], case["config"]["token"])


JOURNAL = load(VECTORS / "journal.json")


def _record_of(record: Dict[str, Any]) -> Any:
    """A record given as an object, read back by the core."""
    (read,) = idn_toto.Journal.read(json.dumps(record) + "\n").records
    return read


def _make(make: Dict[str, Any]) -> Any:
    if make["event"] == "intent":
        return idn_toto.JournalRecord.intent(
            make["id"], make["endpoint"], make["params"], at=make["at"], snapshot=make.get("snapshot")
        )
    intent = _record_of(make["intent"])
    follow = intent.outcome if make["event"] == "outcome" else intent.settled
    return follow(make["state"], make.get("message"), at=make["at"])


@pytest.mark.parametrize(
    "section,case",
    [(s, c) for s in ("lines", "journals") for c in JOURNAL[s]],
    ids=[f"{s}::{c['name']}" for s in ("lines", "journals") for c in JOURNAL[s]],
)
def test_journal_vectors(section: str, case: Dict[str, Any]) -> None:
    """tests/vectors/journal.json: the journal's lines, made and read by the
    core exactly as in Rust and Node."""
    assert len(JOURNAL["lines"]) + len(JOURNAL["journals"]) >= 11
    if section == "lines":
        if "error" in case:
            with pytest.raises(idn_toto.IdnTotoError) as caught:
                _make(case["make"])
            check_error(caught.value, case["error"], "\0")
            return
        record = _make(case["make"])
        assert record.to_line() == case["line"] + "\n"
        assert idn_toto.Journal.read(record.to_line()).records == [record]
        return
    if "error" in case:
        with pytest.raises(idn_toto.IdnTotoError) as caught:
            idn_toto.Journal.read(case["text"])
        check_error(caught.value, case["error"], "\0")
        return
    journal = idn_toto.Journal.read(case["text"])
    got = {
        "records": len(journal.records),
        "torn_tail": journal.torn_tail,
        "unsettled": [{"id": m.id, "last": m.last} for m in journal.unsettled()],
    }
    assert got == {k: case[k] for k in ("records", "torn_tail", "unsettled")}


FRAMING = load(VECTORS / "framing.json")


@pytest.mark.parametrize("case", FRAMING["cases"], ids=[c["name"] for c in FRAMING["cases"]])
def test_framing_vectors(case: Dict[str, Any]) -> None:
    """tests/vectors/framing.json: whether an answer can be taken as whole.
    One call through the driver (no retries, no journal), its one send
    answered with the case's status, header pairs (as listed) and body."""
    assert len(FRAMING["cases"]) >= 20
    cfg = config(FRAMING)
    core = idn_toto.Core(cfg["base_url"], cfg["token"], path_words=cfg["path_words"])
    request = core.build(case["endpoint"], case["params"])
    driver = idn_toto.Driver.call(core, request, idn_toto.DriverOptions(retry=idn_toto.RetryPolicy.never()))
    headers = [(str(name), str(value)) for name, value in case["headers"]]
    sends = 0
    result: Any = None
    error: Any = None
    while True:
        try:
            step = driver.next(0, None)
        except idn_toto.IdnTotoError as caught:
            error = caught
            break
        if step.kind == "send":
            sends += 1
            assert sends == 1, "a second request was sent"
            driver.record_response(int(case.get("status", 200)), headers, body_of(case), 0, None)
        elif step.kind == "done":
            result = step.value
            break
    if "error" in case:
        assert error is not None, f"want an error, got {result!r}"
        check_error(error, case["error"], cfg["token"])
    else:
        assert error is None, f"want a value, got {error.to_dict()}"
        got = result.to_dict()
        assert is_subset(plain(case["expect"]), got), f"got {got}, want {case['expect']}"


@pytest.mark.parametrize("case", JOURNAL["files"], ids=[c["name"] for c in JOURNAL["files"]])
def test_journal_file_vectors(case: Dict[str, Any]) -> None:
    """tests/vectors/journal.json `files`: what the core's JournalAppender
    (the one FileJournal runs) says of a journal file's bytes, fed whole and
    in chunks, exactly as in Rust and Node; and Journal.read_bytes agrees."""
    assert len(JOURNAL["files"]) >= 19
    data = case["text"].encode("utf-8") if "text" in case else bytes.fromhex(case["hex"])

    def check(chunk: int) -> Any:
        appender = native.JournalAppender()
        for i in range(0, len(data), chunk):
            appender.feed(data[i : i + chunk])
        return appender.end()

    if "error" in case:
        for chunk in (len(data) or 1, 5):
            with pytest.raises(idn_toto.DecodeError) as caught:
                check(chunk)
            check_error(caught.value, case["error"], "\0")
        with pytest.raises(idn_toto.DecodeError) as read:
            idn_toto.Journal.read_bytes(data)
        assert read.value.path == caught.value.path
        return
    want = None if case.get("ok") else case["truncate_to"]
    assert check(len(data) or 1) == want
    assert check(5) == want
    assert idn_toto.Journal.read_bytes(data).torn_tail == (want is not None)


# tests/vectors/settle.json: journals of open moves settled against canned
# reads through `Driver.settle_open` (what `Client.settle_unsettled` drives),
# as crates/idn-toto/tests/vectors.rs does: the reads made, the waits asked
# for, one `settled` line per verdict, and each verdict's state, evidence
# kinds and warnings.
SETTLE = json.loads((VECTORS / "settle.json").read_text(encoding="utf-8"))


def test_settle_vectors_fingerprint() -> None:
    assert len(SETTLE["cases"]) >= 15
    core = native.Core(SETTLE["config"]["base_url"], SETTLE["config"]["token"])
    assert core.fingerprint == SETTLE["fingerprint"]
    assert SETTLE["config"]["token"] not in core.fingerprint


@pytest.mark.parametrize("case", SETTLE["cases"], ids=[c["name"] for c in SETTLE["cases"]])
def test_settle_vectors(case: Dict[str, Any]) -> None:
    config = SETTLE["config"]
    core = native.Core(config["base_url"], config["token"])
    text = "".join(json.dumps(line) + "\n" for line in case["journal"])
    options = native.DriverOptions(
        retry=native.RetryPolicy.never(), settle_delay_ms=case.get("settle_delay_ms", 0)
    )
    opened = native.Journal.read(text).unsettled()
    if "error" in case:
        with pytest.raises(idn_toto.IdnTotoError) as raised:
            native.Driver.settle_open(core, opened, options)
        got = raised.value.to_dict()
        assert {k: got.get(k) for k in case["error"]} == case["error"]
        return
    driver = native.Driver.settle_open(core, opened, options)
    answers = {k: list(v) for k, v in case.get("answers", {}).items()}
    reads: List[str] = []
    waits: List[int] = []
    lines = 0
    while True:
        assert len(reads) <= 50, "more than 50 reads"
        step = driver.next(1, 1_764_504_000)
        if step.kind == "send":
            endpoint = step.value.endpoint
            reads.append(endpoint)
            assert answers.get(endpoint), f"a read of {endpoint} too many ({reads})"
            body = answers[endpoint].pop(0)
            driver.record_response(200, [], body.encode(), 1, 1_764_504_000)
        elif step.kind == "wait":
            waits.append(step.value)
        elif step.kind == "journal":
            lines += 1
        elif step.kind == "done":
            settled = step.value
            break
    if "reads" in case:
        assert reads == case["reads"]
    if "waits" in case:
        assert waits == case["waits"]
    assert len(settled) == len(case["expect"]) == lines, (len(settled), lines)
    for settlement, want in zip(settled, case["expect"]):
        got = settlement.to_dict()
        warnings = len(got.get("warnings", []))
        actual = {
            "id": settlement.journal_id,
            "state": settlement.state,
            "kinds": [e["kind"] for e in settlement.evidence],
        }
        if "warnings" in want or warnings:
            actual["warnings"] = warnings
        assert {k: actual.get(k) for k in want} == want, settlement.reason
        if "warnings" not in want:
            assert warnings == 0, got.get("warnings")


# Plain `json.loads`: key records and params go back to the core as JSON text.
KEYS = json.loads((VECTORS / "keys.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", KEYS["cases"], ids=[c["name"] for c in KEYS["cases"]])
def test_keys_vectors(case: Dict[str, Any]) -> None:
    """tests/vectors/keys.json `cases`: what a keyed money move's key record
    decides (the core's `decide_key`, through the binding), as in Rust."""
    assert len(KEYS["cases"]) >= 25
    record = case.get("record")
    text = None if record is None else json.dumps(record)
    decide = lambda: idn_toto.decide_key(  # noqa: E731
        text, case["params"], me=case["me"], now_ms=case["now_ms"], settled_now=case["settled_now"]
    )
    want = case["decision"]
    if isinstance(want, dict):
        with pytest.raises(idn_toto.IdnTotoError) as caught:
            decide()
        check_error(caught.value, want["error"], "\0")
        return
    assert decide() == want


@pytest.mark.parametrize("case", KEYS["journals"], ids=[c["name"] for c in KEYS["journals"]])
def test_keys_journal_vectors(case: Dict[str, Any]) -> None:
    """tests/vectors/keys.json `journals`: the key records a JSON Lines
    journal holds (what a SQL store keeps), each a superset of the listed
    one, in order."""
    assert len(KEYS["journals"]) >= 5
    text = "".join(json.dumps(line) + "\n" for line in case["journal"])
    got = [r.to_dict() for r in idn_toto.Journal.read(text).key_records()]
    want = case["keys"]
    assert len(got) == len(want) and all(is_subset(w, g) for w, g in zip(want, got)), (got, want)

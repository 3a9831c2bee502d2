"""The endpoint methods (generated into ``_endpoints.py`` by
``tests/generated.rs``) against the core's endpoint declarations (``idn_toto.endpoints()[i]["parameters"]``, the
source the npm package's methods are generated from): a method per endpoint
in every flavour, its parameters named and ordered as declared, a required
parameter without a default and an optional one with one, and an ``iter_``
twin with the same parameters for each paged endpoint. A single money move
takes one more, keyword-only argument that is not the API's: ``key``, its
operation key."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, List

import pytest

import idn_toto

ENDPOINTS: List[Dict[str, Any]] = idn_toto.endpoints()


def declared(endpoint: Dict[str, Any]) -> List[Dict[str, Any]]:
    params: List[Dict[str, Any]] = endpoint["parameters"]
    return params


def arguments(method: Callable[..., Any]) -> List[inspect.Parameter]:
    """The method's parameters without ``self`` (through ``__wrapped__``, as
    ``help()`` shows them)."""
    return [p for p in inspect.signature(method).parameters.values() if p.name != "self"]


def test_every_endpoint_declares_its_parameters() -> None:
    assert [e["id"] for e in ENDPOINTS][0] == "transaction_list"
    for e in ENDPOINTS:
        assert [p["name"] for p in declared(e)] == e["params"], e["id"]
        for p in declared(e):
            assert p["location"] in ("path", "query", "body"), p
            assert isinstance(p["required"], bool), p


@pytest.mark.parametrize("flavour", [idn_toto.Client, idn_toto.AsyncClient, idn_toto.Prepare])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e["id"] for e in ENDPOINTS])
def test_method_follows_the_declaration(flavour: type, endpoint: Dict[str, Any]) -> None:
    method = getattr(flavour, endpoint["id"], None)
    assert method is not None, f"{flavour.__name__} has no method {endpoint['id']}"
    names = [p["name"] for p in declared(endpoint)]
    have = arguments(method)
    single_money_move = not endpoint["idempotent"] and endpoint["id"] != "multiple_transaction"
    if single_money_move:
        key = have.pop()
        assert (key.name, key.kind, key.default) == ("key", inspect.Parameter.KEYWORD_ONLY, None), endpoint["id"]
    else:
        assert all(a.name != "key" for a in have), endpoint["id"]
    assert [a.name for a in have] == names, endpoint["id"]
    for a, p in zip(have, declared(endpoint)):
        if p["required"]:
            assert a.default is inspect.Parameter.empty, (endpoint["id"], a.name)
            assert a.kind is not inspect.Parameter.KEYWORD_ONLY, (endpoint["id"], a.name)
        else:
            assert a.default is not inspect.Parameter.empty, (endpoint["id"], a.name)


@pytest.mark.parametrize("flavour", [idn_toto.Client, idn_toto.AsyncClient])
def test_paged_endpoints_have_an_iter_twin(flavour: type) -> None:
    for e in ENDPOINTS:
        twin = getattr(flavour, f"iter_{e['id']}", None)
        assert (twin is not None) == e["paged"], e["id"]
        if twin is not None:
            want = arguments(getattr(flavour, e["id"]))
            assert [(a.name, a.default) for a in arguments(twin)] == [
                (a.name, a.default) for a in want
            ], e["id"]

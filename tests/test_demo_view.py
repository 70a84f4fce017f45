"""The view a person opens first: with the real demo graph loaded, the two-hop view of Lu Heng
shows him, his organisations, his essays and the documents that quote him."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.settings import Settings
from graph.store.sqlite import SQLiteStore
from graph.vocab import DOCUMENT_TYPES, ORGANISATION_TYPES
from tests.test_api import embedded


@pytest.fixture(scope="module")
def demo(demo_db):
    store = SQLiteStore(demo_db)
    with TestClient(create_app(Settings(store=str(demo_db)), store)) as client:
        yield store, client
    store.close()


def neighbours(store, rel_type: str, types: frozenset[str]) -> set[str]:
    """Lu Heng's neighbours along ``rel_type`` (outwards) whose type is one of ``types``."""
    ends = {e.target for e in store.edges(["person:lu-heng"], "out") if e.type == rel_type}
    return {r.id for r in store.entities(ends) if r.type in types}


def test_lu_heng_two_hop_view(demo):
    store, client = demo
    by_name = client.get("/view/data", params={"id": "Lu Heng"})  # the person, not his page
    assert by_name.status_code == 200
    assert [n["id"] for n in by_name.json()["nodes"] if n["borderWidth"] == 4] == \
        ["person:lu-heng"]
    page = client.get("/view", params={"id": "person:lu-heng", "depth": 2})
    assert page.status_code == 200
    drawn = {n["id"]: n["info"]["type"] for n in embedded(page.text, "graph-data")["nodes"]}
    organisations = neighbours(store, "ROLE_AT", ORGANISATION_TYPES)
    essays = neighbours(store, "AUTHORED", frozenset({"Essay"}))
    quoting = neighbours(store, "QUOTED_IN", DOCUMENT_TYPES)
    assert organisations >= {"org:cloud-innovation", "org:larus", "org:larus-foundation"}
    assert essays and quoting, "the demo's profile pages give him essays and quotes"
    assert drawn["person:lu-heng"] == "Person"
    assert organisations | essays | quoting <= set(drawn)
    assert {"Person", "Essay", "Company", "Foundation"} <= set(drawn.values())
    assert set(drawn.values()) & {"Profile", "Article"}

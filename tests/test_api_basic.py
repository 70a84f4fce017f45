"""The first API endpoints, through FastAPI's test client on a real SQLite store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api import ops
from api.app import create_app
from graph.settings import Settings
from graph.store.sqlite import SQLiteStore
from tests.conftest import ROOT


@pytest.fixture
def client(tmp_path):
    store = SQLiteStore(tmp_path / "api.db")
    ops.load(store, [str(ROOT / "data" / "demo" / "institutions.nodes.csv"),
                     str(ROOT / "data" / "demo" / "institutions.edges.csv")])
    with TestClient(create_app(Settings(store=str(tmp_path / "api.db")), store)) as c:
        yield c
    store.close()


def test_health(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["store"] == "sqlite" and body["nodes"] > 0


def test_search_and_entity(client):
    hits = client.get("/entities", params={"q": "lu heng"}).json()["results"]
    assert hits[0]["id"] == "person:lu-heng"
    body = client.get("/entities/person:lu-heng").json()
    roles = {r["role"] for r in body["relations"]["ROLE_AT"]}
    assert roles == {"CEO", "Founder"}
    assert all(r["sources"] for r in body["relations"]["ROLE_AT"])
    assert client.get("/entities/person:nobody").status_code == 404


def test_subgraph(client):
    body = client.get("/subgraph", params={"id": "person:lu-heng", "depth": 1}).json()
    assert {n["id"] for n in body["nodes"]} >= {"person:lu-heng", "org:cloud-innovation"}
    assert client.get("/subgraph", params={"id": "x-unknown"}).status_code == 404
    assert client.get("/subgraph", params={"id": "person:lu-heng", "depth": 99}).status_code \
        == 422
    assert client.get("/subgraph", params={"id": "person:lu-heng", "rel": "LIKES"}).status_code \
        == 422

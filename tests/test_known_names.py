"""The names a load of prose pages looks for: the store reads only its people's and
organisations' names (``GraphStore.actor_names``; SQLite in one SELECT), and each page's
header and body are read once for both the page's own extraction and the known names."""

from __future__ import annotations

import loaders.profile
from api import ops
from graph.model import Batch, Entity
from graph.store.base import GraphStore
from tests.text_labels import HELD_OUT, page_files


def _batch() -> Batch:
    return Batch("test:actors", "test:actors", "test", "2026-12-01", entities=[
        Entity("Person", "Jane Roe", aliases=["Jane A. Roe"]),
        Entity("Registry", "Example Network Information Centre", aliases=["EXNIC"],
               keys=["ORG-EX1-EXNIC"]),
        Entity("Company", "Example Holdings Ltd"),
        Entity("ASN", "AS64500", aliases=["Example Transit"]),
        Entity("Article", "Registry elects a board"),
        Entity("Prefix", "192.0.2.0/24"),
    ])


def test_actor_names_are_the_names_of_people_and_organisations_only(store):
    store.write(_batch())
    assert sorted(store.actor_names()) == [
        ("EXNIC", "Registry"), ("Example Holdings Ltd", "Company"),
        ("Example Network Information Centre", "Registry"), ("Jane A. Roe", "Person"),
        ("Jane Roe", "Person"), ("ORG-EX1-EXNIC", "Registry")]


def test_sqlite_reads_the_same_names_as_every_other_store(sqlite_store):
    assert not ops.load(sqlite_store, [str(HELD_OUT)]).errors
    sqlite_store.write(_batch())
    names = list(sqlite_store.actor_names())
    assert len(names) > 50
    assert names == list(GraphStore.actor_names(sqlite_store))  # the default, every entity


def test_a_load_reads_each_page_header_once(sqlite_store, monkeypatch):
    assert not ops.load(sqlite_store, [str(HELD_OUT)]).errors  # the graph now knows names
    calls: list[int] = []
    real = loaders.profile.read_header

    def counted(page):
        calls.append(1)
        return real(page)

    monkeypatch.setattr(loaders.profile, "read_header", counted)
    before = {e.name for e in sqlite_store.iter_entities()}
    report = ops.load(sqlite_store, [str(HELD_OUT)])
    assert not report.errors and len(report.results) == len(page_files(HELD_OUT))
    assert len(calls) == len(page_files(HELD_OUT))
    assert {e.name for e in sqlite_store.iter_entities()} == before  # the same names found

"""The in-memory store is a whole backend: the same loads give the same graph as SQLite
(exports, statistics, merge logs, searches, rankings), and ``sync`` copies a graph into it and
back unchanged. (Every ``store`` fixture test also runs on it.)"""

from __future__ import annotations

import pytest

from api import ops
from graph.analytics import compute_and_store
from graph.store import open_store
from graph.store.memory import MemoryStore
from graph.store.sqlite import SQLiteStore
from graph.store.sync import sync
from tests.helpers import batch, org
from tests.test_neo4j_parity import DEMO, exported, load_reload_unload, shape


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory):
    """The demo folder loaded into a SQLite file and into memory, with scores computed."""
    sqlite, memory = SQLiteStore(tmp_path_factory.mktemp("mem") / "m.db"), MemoryStore()
    for store in (sqlite, memory):
        assert not ops.load(store, [str(DEMO)]).errors
        compute_and_store(store)
    yield sqlite, memory
    sqlite.close()


def test_open_store_memory():
    store = open_store("memory:")
    assert isinstance(store, MemoryStore) and store.stats()["nodes"] == 0


def test_same_graph_as_sqlite(both):
    sqlite, memory = both
    assert shape(memory) == shape(sqlite)
    assert shape(sqlite)["stats"]["nodes"] > 15_000  # the AFRINIC file is in
    assert exported(memory) == exported(sqlite)
    for query in ("afrinic", "lu heng", "41.", "cloud"):
        assert [e.id for e in memory.search(query)] == [e.id for e in sqlite.search(query)]
    assert [e.id for e in memory.top("pagerank", 50)] == [e.id for e in sqlite.top("pagerank", 50)]


def test_reload_and_unload_as_sqlite(tmp_path):
    sqlite, memory = SQLiteStore(tmp_path / "p.db"), MemoryStore()
    for store in (sqlite, memory):
        load_reload_unload(store)
    assert shape(memory) == shape(sqlite)
    assert exported(memory) == exported(sqlite)
    sqlite.close()


def test_sync_into_memory_and_back(tmp_path):
    local = SQLiteStore(tmp_path / "a.db")
    assert not ops.load(local, [str(DEMO / "institutions.nodes.csv"),
                                str(DEMO / "institutions.edges.csv")]).errors
    local.write_scores("note", {"org:afrinic": [1, "x"], "org:iana": True})
    memory, back = MemoryStore(), SQLiteStore(tmp_path / "b.db")
    sync(local, memory)
    sync(memory, back)
    assert exported(memory) == exported(back) == exported(local)
    assert shape(memory) == shape(back) == shape(local)
    for store in (local, memory, back):  # later loads behave the same on each copy
        store.write(batch("late", [org("AFRINIC", "Registry")]))
    assert exported(memory) == exported(local) == exported(back)
    local.close()
    back.close()

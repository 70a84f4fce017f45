"""The same loads into SQLite and into Neo4j give the same graph: identical exports (ids,
types, names, properties, relations, confidences, claims), statistics, merge logs, searches
and centrality rankings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api import ops
from graph.analytics import METRICS, compute_and_store
from graph.store.base import GraphStore
from graph.store.sqlite import SQLiteStore

pytestmark = pytest.mark.neo4j

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"


def exported(store: GraphStore) -> dict:
    """The store's node-link JSON export, without the load times of its claims."""
    data = json.loads("".join(ops.export_chunks(store, "json")))
    for edge in data["edges"]:
        for claim in edge["sources"]:
            claim.pop("retrieved_at", None)
    return data


def shape(store: GraphStore) -> dict:
    stats = {k: v for k, v in store.stats().items() if k not in {"store", "path", "database"}}
    sources = [(s.source_id, s.uri, s.loader, s.entities, s.relations) for s in store.sources()]
    return {"stats": stats, "sources": sources, "merges": store.merge_log()}


@pytest.fixture(scope="module")
def both(neo4j_uri: str, tmp_path_factory: pytest.TempPathFactory):
    """The demo folder (profiles, CSV, the AFRINIC delegated file) and the ``iana`` dataset,
    loaded into a SQLite file and into Neo4j, with every centrality score computed."""
    from graph.store.neo4j import Neo4jStore

    sqlite = SQLiteStore(tmp_path_factory.mktemp("parity") / "parity.db")
    neo = Neo4jStore(neo4j_uri)
    neo.clear()
    for store in (sqlite, neo):
        report = ops.load(store, [str(DEMO), "iana"])
        assert not report.errors, report.errors
        compute_and_store(store)
    yield sqlite, neo
    sqlite.close()
    neo.close()


def test_loads_give_identical_exports(both):
    sqlite, neo = both
    assert shape(neo) == shape(sqlite)
    assert shape(sqlite)["stats"]["nodes"] > 15_000  # the AFRINIC file is in
    left, right = exported(sqlite), exported(neo)
    assert [n["id"] for n in right["nodes"]] == [n["id"] for n in left["nodes"]]
    assert [e["key"] for e in right["edges"]] == [e["key"] for e in left["edges"]]
    assert right == left


@pytest.mark.parametrize("metric", list(METRICS))
def test_identical_centrality_rankings(both, metric):
    sqlite, neo = both
    left, right = sqlite.top(metric, 100), neo.top(metric, 100)
    assert left, metric
    assert [e.id for e in right] == [e.id for e in left]
    assert [e.scores[metric] for e in right] == pytest.approx([e.scores[metric] for e in left])


def test_reads_agree(both):
    sqlite, neo = both
    for query in ("afrinic", "lu heng", "41.", "cloud"):
        assert [e.id for e in neo.search(query)] == [e.id for e in sqlite.search(query)]
    for ref in ("AFRINIC", "African Network Information Centre", "org:iana", "nothing"):
        assert neo.resolve(ref) == sqlite.resolve(ref)
    assert neo.degree(["org:afrinic", "org:iana"]) == sqlite.degree(["org:afrinic", "org:iana"])
    left, right = sqlite.projection(), neo.projection()
    pairs = sorted(zip((left.ids[i] for i in left.src), (left.ids[i] for i in left.dst),
                       strict=True))
    assert sorted(zip((right.ids[i] for i in right.src), (right.ids[i] for i in right.dst),
                      strict=True)) == pairs


def load_reload_unload(store: GraphStore) -> None:
    """The demo's profiles and CSV loaded, one profile reloaded, another unloaded."""
    profiles = sorted(str(p) for p in (DEMO / "profiles").iterdir())
    csv = [str(DEMO / "institutions.nodes.csv"), str(DEMO / "institutions.edges.csv")]
    assert not ops.load(store, [*csv, *profiles]).errors
    assert not ops.load(store, [profiles[0]]).errors  # reload: nothing changes
    ops.unload(store, profiles[1])


@pytest.mark.parametrize("batch_size", [None, 3], ids=["batches", "pipelines of 3-row batches"])
def test_reload_and_unload_keep_parity(neo4j_store_factory, tmp_path, batch_size):
    neo = neo4j_store_factory()
    neo.batch_size = batch_size or neo.batch_size
    sqlite = SQLiteStore(tmp_path / "p.db")
    for store in (sqlite, neo):
        load_reload_unload(store)
    assert shape(neo) == shape(sqlite)
    assert exported(neo) == exported(sqlite)
    sqlite.close()

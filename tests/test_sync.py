"""``govgraph sync``: an embedded graph copied into Neo4j and back is the same graph, and
behaves the same afterwards (claims, merge history and scores came along)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from api import ops
from graph.store.base import StoreError
from graph.store.sqlite import SQLiteStore
from graph.store.sync import sync
from tests.helpers import batch, org, rel
from tests.test_neo4j_parity import DEMO, exported, shape

pytestmark = pytest.mark.neo4j
ROOT = Path(__file__).resolve().parent.parent


def _demo(store) -> None:
    profiles = sorted(str(p) for p in (DEMO / "profiles").iterdir())
    csv = [str(DEMO / "institutions.nodes.csv"), str(DEMO / "institutions.edges.csv")]
    assert not ops.load(store, [*csv, *profiles]).errors
    store.write(batch("merge", [org("African Network Information Centre")],
                      [rel("org:cloud-innovation", "org:african-network-information-centre",
                           "MENTIONS", 0.5)]))
    store.write_scores("pagerank", {"org:afrinic": 0.25, "org:iana": None})
    store.write_scores("note", {"org:afrinic": [1, "x"], "org:iana": True,
                                "org:cloud-innovation": float("inf"), "person:lu-heng": 3})


def _scores(store) -> list:
    """Every node's scores, in their order."""
    return [(e.id, list(e.scores.items())) for e in store.iter_entities() if e.scores]


def test_round_trip_keeps_graph_and_behaviour(neo4j_store_factory, tmp_path):
    local = SQLiteStore(tmp_path / "a.db")
    _demo(local)
    assert local.merge_log()
    neo = neo4j_store_factory()
    seen = []
    copied = sync(local, neo, lambda what, done, total: seen.append((what, done, total)))
    assert copied["nodes"] == local.stats()["nodes"] and seen[-1][1] == seen[-1][2]
    assert shape(neo) == shape(local)
    assert exported(neo) == exported(local)
    back = SQLiteStore(tmp_path / "b.db")
    sync(neo, back)
    assert exported(back) == exported(local)
    assert _scores(neo) == _scores(back) == _scores(local) != []
    assert [e.id for e in back.search("afri")] == [e.id for e in local.search("afri")]
    for store in (local, neo, back):  # later unloads and loads work the same on each copy
        ops.unload(store, "merge")
        store.write(batch("late", [org("AFRINIC", "Registry")]))
    assert exported(neo) == exported(local) == exported(back)
    local.close()
    back.close()


def test_destination_must_be_empty_unless_replaced(neo4j_store_factory, tmp_path):
    local = SQLiteStore(tmp_path / "a.db")
    _demo(local)
    neo = neo4j_store_factory()
    neo.write(batch("other", [org("Somebody Else")]))
    with pytest.raises(StoreError, match="not empty"):
        sync(local, neo)
    sync(local, neo, replace=True)
    assert exported(neo) == exported(local)
    local.close()


def test_cli_sync_to_and_from(neo4j_uri, neo4j_store_factory, tmp_path):
    neo4j_store_factory()  # an empty database
    db, copy = tmp_path / "a.db", tmp_path / "copy.db"
    with SQLiteStore(db) as local:
        _demo(local)
        want = exported(local)
    cli = [sys.executable, "-m", "api.cli", "sync"]
    out = subprocess.run([*cli, "--to", neo4j_uri, "--db", str(db)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "copied" in out.stdout and "nodes" in out.stdout
    again = subprocess.run([*cli, "--to", neo4j_uri, "--db", str(db)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 1 and "not empty" in again.stderr
    back = subprocess.run([*cli, "--from", neo4j_uri, "--db", str(copy)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert back.returncode == 0, back.stderr
    with SQLiteStore(copy) as restored:
        assert exported(restored) == want

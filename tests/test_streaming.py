"""Streamed loads: a file larger than one part is read and written part by part inside one
transaction, on both stores, and means what loading it whole means: the same graph,
reload and unload as before, all or nothing when a late line is bad."""

from __future__ import annotations

import re

import pytest

from api import ops
from graph.store import sqlite_tx
from tests.helpers import counts

PART = 7  # records per part: every file below spans several parts


@pytest.fixture(autouse=True)
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ops, "PART_ROWS", PART)


def _nodes(n: int, extra: str = "") -> str:
    rows = "".join(f"n{i},Organization,Stream Org {i},\n" for i in range(n))
    return "id,type,name,aliases\n" + rows + extra


def _edges(pairs: list[tuple[int, int, float]]) -> str:
    return "source,target,type,confidence\n" + "".join(
        f"n{a},n{b},DEPENDS_ON,{c}\n" for a, b, c in pairs)


PAIRS = [(i, (i * 7 + 3) % 30, 0.8) for i in range(30)]  # 30 edges, no loops


def test_streamed_load_spans_parts_and_keeps_meaning(store, write_file):
    # Row 32 restates node 2 (same type and name, so the same entity) with an alias, four
    # parts after its first row; row 33 names another organisation with node 5's name as an
    # alias, which one batch into an empty store does not merge either; the edge 0 -> 3 is
    # stated twice, in the first and the last part.
    nodes = write_file("nodes.csv", _nodes(30, "n2b,Organization,Stream Org 2,SO2\n"
                                               "x,Organization,Other Org,Stream Org 5\n"))
    edges = write_file("edges.csv", _edges([*PAIRS, (0, 3, 0.5)]))
    assert PAIRS[0] == (0, 3, 0.8)
    report = ops.load(store, [str(edges), str(nodes)])
    assert not report.errors, report.errors
    assert counts(store) == (31, 30, 31)  # one edge has two claims
    [org2] = store.entities(["org:stream-org-2"])
    assert {"n2", "n2b", "SO2"} <= set(org2.aliases)  # both rows' keys and the alias
    [edge] = [e for e in store.edges(["org:stream-org-0"], "out")]
    assert edge.target == "org:stream-org-3" and edge.confidence == pytest.approx(0.9)
    assert {(s.locator, s.confidence) for s in edge.sources} == {("line 2", 0.8),
                                                                 ("line 32", 0.5)}
    sources = {s.source_id.rsplit("/", 1)[-1]: (s.entities, s.relations)
               for s in store.sources()}
    assert sources == {"nodes.csv": (31, 0), "edges.csv": (0, 31)}

    again = ops.load(store, [str(nodes), str(edges)])  # reload, unchanged: nothing changes
    assert not again.errors
    assert counts(store) == (31, 30, 31)
    assert sum(r.entities_updated + r.relations_updated + r.relations_removed
               for r in again.results) == 0

    write_file("edges.csv", _edges(PAIRS[:10]))  # reload, shorter: the rest is gone
    assert not ops.load(store, [str(edges)]).errors
    assert counts(store)[1:] == (10, 10)
    [edge] = [e for e in store.edges(["org:stream-org-0"], "out")]
    assert edge.confidence == pytest.approx(0.8)  # its second claim went with line 32

    ops.unload(store, str(edges))
    assert counts(store) == (31, 0, 0)
    ops.unload(store, str(nodes))
    assert counts(store) == (0, 0, 0)


def test_bad_line_in_a_late_part_writes_nothing(store, write_file):
    nodes = write_file("nodes.csv", _nodes(30))
    assert not ops.load(store, [str(nodes)]).errors
    before = counts(store), [(s.source_id, s.relations) for s in store.sources()]
    bad = write_file("edges.csv", _edges(PAIRS[:19]) + "n1,n2\n")  # line 21: the third part
    report = ops.load(store, [str(bad)])
    assert report.errors == [f"{bad}:21: expected 4 fields, found 2"]
    assert (counts(store), [(s.source_id, s.relations) for s in store.sources()]) == before
    unknown = write_file("edges.csv", _edges([*PAIRS[:15], (1, 99, 0.5)]))  # n99: no node
    report = ops.load(store, [str(unknown)])
    assert len(report.errors) == 1 and "line 17" in report.errors[0] and "'n99'" in \
        report.errors[0]
    assert (counts(store), [(s.source_id, s.relations) for s in store.sources()]) == before


def test_sqlite_index_rebuild_sorts_in_a_small_cache(sqlite_store, write_file, monkeypatch):
    # A streamed load at least as large as the graph drops the deferrable indexes and
    # rebuilds them. SQLite's sorter takes the size of each in-memory run from cache_size,
    # one run per sorting thread, so the rebuild runs with the smaller REBUILD_CACHE_KIB;
    # both pragmas are back as before when the load is done.
    monkeypatch.setattr(sqlite_tx, "BULK_ROWS", PART)
    db = sqlite_store.db
    before = [db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "threads")]
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    ops.load(sqlite_store, [str(write_file("nodes.csv", _nodes(30))),
                            str(write_file("edges.csv", _edges(PAIRS)))])
    db.set_trace_callback(None)
    setting: dict[str, int] = {}
    rebuilt = []
    for sql in statements:
        if pragma := re.fullmatch(r"PRAGMA (\w+)=(-?\d+)", sql):
            setting[pragma[1]] = int(pragma[2])
        elif sql.startswith("CREATE INDEX"):
            rebuilt.append(sql.split()[2])
            assert setting == {"cache_size": -sqlite_tx.REBUILD_CACHE_KIB,
                               "threads": sqlite_tx.SORT_THREADS}, sql
    assert sorted(rebuilt) == sorted(sqlite_tx.DEFERRABLE_INDEXES)
    assert [db.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("cache_size", "threads")] == before
    assert counts(sqlite_store)[:2] == (30, 30)

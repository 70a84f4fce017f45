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


def _state(store) -> dict[str, list[tuple]]:
    """The graph's tables as sync copies them (load times and the sources' own row left
    out), sorted."""
    return {table: sorted(map(repr, store.dump(table)))
            for table in ("nodes", "node_claims", "edges", "edge_claims")}


def test_set_based_edge_parts_match_the_per_relation_path(sqlite_store, write_file):
    # SQLite writes an edge-only part set-based (SQLiteTx.write_staged_edges); the memory
    # store takes the writer's per-relation path. edges1.csv: part 1 has properties, roles,
    # non-ASCII text and a reference by name; part 2 restates part 1's fact (line 15: line
    # 2's role, case aside), so it and part 3 take the per-relation path. edges2.csv: part 2
    # states one fact twice (lines 9 and 10).
    from graph.store.memory import MemoryStore

    nodes = write_file("nodes.csv", "id,type,name,aliases\n"
                       + "".join(f"p{i},Person,Persön Nummer {i},\n" for i in range(8))
                       + "".join(f"o{i},Organization,Örg {i},\n" for i in range(8)))
    header = "source,target,type,confidence,weight,role,start\n"
    roles = [f"p{i},o{(i * 3) % 8},ROLE_AT,0.{i + 1}23456789123,,Chair,2001-0{i + 1}-01\n"
             for i in range(8)]  # more digits than an edge's confidence keeps
    deps = [f"o{i},o{(i + 1) % 8},DEPENDS_ON,0.75,{i * 2.5},,\n" for i in range(6)]
    edges1 = write_file("edges1.csv", header + "".join(
        [*roles[:6], "Persön Nummer 7,Örg 2,ROLE_AT,0.9,,Ünd,\n", *roles[6:], *deps[:4],
         "p0,o0,ROLE_AT,0.3,,chair ,\n", *deps[4:]]))
    edges2 = write_file("edges2.csv", header + "".join(
        [*(f"o{i},o{(i + 3) % 8},DEPENDS_ON,0.{i + 2},,,\n" for i in range(7)),
         "o7,o2,DEPENDS_ON,0.4,,,\n", "o7,o2,DEPENDS_ON,0.6,,,\n"]))
    memory = MemoryStore()
    for store in (sqlite_store, memory):
        report = ops.load(store, [str(nodes), str(edges1), str(edges2)])
        assert not report.errors, report.errors
    assert counts(sqlite_store) == counts(memory) == (16, 23, 25)
    assert _state(sqlite_store) == _state(memory)
    relations = {s.source_id.rsplit("/", 1)[-1]: s.relations for s in sqlite_store.sources()}
    assert relations == {"nodes.csv": 0, "edges1.csv": 16, "edges2.csv": 9}


def test_set_based_node_parts_match_the_per_entity_path(sqlite_store, tmp_path, write_file,
                                                       monkeypatch):
    # Into a store with no nodes, SQLite writes an entity-only part set-based
    # (SQLiteTx.write_staged_nodes); the memory store, and SQLite with that step declined
    # (WriteTx's own default), place the entities one by one. Aliases that fold to the name
    # or to each other, repeated keys, legal suffixes, non-ASCII names, properties; the
    # third and last part restates line 2's node, so it takes the per-entity path.
    from graph.store.memory import MemoryStore
    from graph.store.sqlite import SQLiteStore
    from graph.store.writer import WriteTx

    rows = [f"o{i},Company,Äcme {i} Ltd,ACME {i} LIMITED|äcme {i} ltd|Acme {i}|Acme {i},"
            f"{'za' if i % 2 else ''}\n" for i in range(12)]
    rows += [f"p{i},Person,Zoë Person {i},Zoe Person {i}|ZOË PERSON {i},\n" for i in range(5)]
    rows += ["x1,Prefix,192.0.2.0/24,,\n", "x1,ASN,64500,,\n", "o0b,Company,Äcme 0 Ltd,A0,\n"]
    nodes = write_file("nodes.csv", "id,type,name,aliases,country\n" + "".join(rows))
    per_entity = SQLiteStore(tmp_path / "per-entity.db")
    memory = MemoryStore()
    statements: list[str] = []
    sqlite_store.db.set_trace_callback(statements.append)
    assert not ops.load(sqlite_store, [str(nodes)]).errors
    monkeypatch.setattr(sqlite_tx.SQLiteTx, "write_staged_nodes", WriteTx.write_staged_nodes)
    for store in (per_entity, memory):
        assert not ops.load(store, [str(nodes)]).errors
    assert statements.count("SAVEPOINT staged_nodes") == 3  # the third undone, then one by one
    assert counts(sqlite_store) == counts(memory) == (19, 0, 0)
    assert _state(sqlite_store) == _state(per_entity) == _state(memory)
    for table in ("aliases", "names_fts"):
        sql = f"SELECT * FROM {table} ORDER BY 1, 2" if table == "aliases" else \
            "SELECT rowid, text FROM names_fts ORDER BY rowid"
        assert sqlite_store.db.execute(sql).fetchall() == per_entity.db.execute(sql).fetchall()
    assert [(s.entities, s.relations) for s in sqlite_store.sources()] == [(19, 0)]


def test_set_based_parts_refuse_what_the_per_relation_path_refuses(store, write_file):
    nodes = write_file("nodes.csv", _nodes(30) + "p,Person,Some Person,\n")
    assert not ops.load(store, [str(nodes)]).errors
    before = counts(store)
    broken = write_file("edges.csv", "source,target,type\n" + "".join(
        f"n{i},n{i + 1},DEPENDS_ON\n" for i in range(9)) + "n1,p,PUBLISHED_BY\n")  # line 11
    report = ops.load(store, [str(broken)])
    assert len(report.errors) == 1 and "(line 11)" in report.errors[0], report.errors
    assert counts(store) == before


@pytest.mark.parametrize("one_run_rows", [0, 10**9])
def test_sqlite_index_rebuild_sorts_in_a_small_cache(sqlite_store, write_file, monkeypatch,
                                                     one_run_rows):
    # A streamed load at least as large as the graph drops the deferrable indexes and
    # rebuilds them. SQLite's sorter takes the size of each in-memory run from cache_size,
    # one run per sorting thread, so a load of more than ONE_RUN_ROWS records rebuilds with
    # the smaller REBUILD_CACHE_KIB, a smaller one with the write's BULK_CACHE_KIB (each
    # index in one run); both pragmas are back as before when the load is done.
    monkeypatch.setattr(sqlite_tx, "BULK_ROWS", PART)
    monkeypatch.setattr(sqlite_tx, "ONE_RUN_ROWS", one_run_rows)
    cache = sqlite_tx.REBUILD_CACHE_KIB if one_run_rows == 0 else sqlite_tx.BULK_CACHE_KIB
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
        if pragma := re.fullmatch(r"PRAGMA (cache_size|threads)=(-?\d+)", sql):
            setting[pragma[1]] = int(pragma[2])
        elif sql.startswith("CREATE INDEX"):
            rebuilt.append(sql.split()[2])
            assert setting == {"cache_size": -cache,
                               "threads": sqlite_tx.SORT_THREADS}, sql
    assert sorted(rebuilt) == sorted(sqlite_tx.DEFERRABLE_INDEXES)
    assert [db.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("cache_size", "threads")] == before
    assert counts(sqlite_store)[:2] == (30, 30)


def test_sqlite_streamed_writes_do_without_foreign_key_checks(sqlite_store, write_file):
    # A streamed write runs with SQLite's foreign-key checks off (the writer resolves every
    # reference itself) and deletes what refers to the rows it deletes itself; the checks
    # are on again after each write, whether it failed or not.
    db = sqlite_store.db
    nodes = write_file("nodes.csv", _nodes(30))
    edges = write_file("edges.csv", _edges(PAIRS))
    assert not ops.load(sqlite_store, [str(nodes), str(edges)]).errors
    write_file("edges.csv", _edges(PAIRS[:10]))  # 20 edges and their claims go
    write_file("nodes.csv", _nodes(20))  # nodes 20-29 lose their claims; unlinked ones go
    assert not ops.load(sqlite_store, [str(edges), str(nodes)]).errors
    linked = {n for pair in PAIRS[:10] for n in pair[:2]}
    assert counts(sqlite_store) == (20 + len(linked - set(range(20))), 10, 10)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT count(*) FROM aliases WHERE nid NOT IN (SELECT nid FROM nodes)"
                      ).fetchone()[0] == 0
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    before = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("nodes", "node_claims", "aliases", "edges", "edge_claims")]
    dangling = write_file("more.csv", _edges([*((i, (i + 2) % 10, 0.5) for i in range(10)),
                                              (3, 77, 0.5)]))  # n77: no node
    report = ops.load(sqlite_store, [str(dangling)])
    assert len(report.errors) == 1 and "line 12" in report.errors[0], report.errors
    assert [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("nodes", "node_claims", "aliases", "edges", "edge_claims")] == before
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_first_parts_read_ahead_are_written_not_read_again(store, write_file, monkeypatch):
    # The load reads each streamed file's first part to order the sources; the first
    # KEPT_FIRST_PARTS files keep theirs (and their reading) for the write, so each of them
    # is read once; a later one is read again from its start.
    from loaders import tabular

    opened: list[str] = []

    def counted(path):
        opened.append(path.name)
        return real(path)

    real = tabular.iter_lines
    monkeypatch.setattr(tabular, "iter_lines", counted)
    files = [write_file("nodes.csv", _nodes(30)), write_file("edges.csv", _edges(PAIRS)),
             write_file("more.csv", _edges([(i, (i + 2) % 30, 0.5) for i in range(30)]))]
    assert ops.KEPT_FIRST_PARTS == 2
    assert not ops.load(store, [str(f) for f in files]).errors
    assert sorted(opened) == ["edges.csv", "more.csv", "more.csv", "nodes.csv"]
    assert counts(store) == (30, 60, 60)


def test_sqlite_new_stores_have_large_pages_and_old_ones_keep_theirs(tmp_path, write_file):
    # A new store's pages are PAGE_SIZE bytes (a bulk load takes less CPU); a store made
    # with SQLite's default size keeps it and loads the same graph.
    import sqlite3

    from graph.store.sqlite import PAGE_SIZE, SQLiteStore

    files = [str(write_file("nodes.csv", _nodes(30))), str(write_file("edges.csv", _edges(PAIRS)))]
    old = tmp_path / "old.db"
    sqlite3.connect(old).execute("CREATE TABLE made_before(x)").connection.close()
    for path, size in ((tmp_path / "new.db", PAGE_SIZE), (old, 4096)):
        with SQLiteStore(path) as store:
            assert not ops.load(store, files).errors
            assert store.db.execute("PRAGMA page_size").fetchone()[0] == size
            assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert counts(store)[:2] == (30, 30)
    assert PAGE_SIZE != 4096

"""Scores kept as one JSON object per node (SQLite schema 2, the Neo4j ``scores`` property)
move to the per-metric storage when a store first opens them: every value kept, each node's
metrics in the same order, ranked by ``top``."""

from __future__ import annotations

import json
import sqlite3

import pytest

from graph.store.schema import MIGRATIONS, SCHEMA_VERSION
from graph.store.sqlite import SQLiteStore
from tests.helpers import batch, org

# Written in this (creation) order, which is not the ids' order. One write order agrees
# with every node's key order: pagerank, spof, cut_off, note, missing.
OLD = {
    "org:d": {"pagerank": 0.75, "missing": None},
    "org:b": {"pagerank": 0.5, "spof": False, "cut_off": 3},
    "org:a": {"pagerank": 0.5, "spof": True, "note": "text"},
    "org:c": {"spof": True, "cut_off": 3, "note": [1, {"x": None}]},
    "org:e": {},
}


def _check(store) -> None:
    for records in (list(store.iter_entities()), store.entities(list(OLD))):
        got = {e.id: e.scores for e in records}
        assert got == OLD
        assert {i: list(s) for i, s in got.items()} == {i: list(s) for i, s in OLD.items()}
        assert type(got["org:b"]["cut_off"]) is int and got["org:a"]["spof"] is True
    assert [e.id for e in store.top("pagerank", 5)] == ["org:d", "org:a", "org:b"]
    assert [e.id for e in store.top("spof", 5)] == ["org:a", "org:c", "org:b"]
    assert [e.id for e in store.top("cut_off", 1)] == ["org:b"]
    assert store.top("note", 5) == store.top("missing", 5) == []
    store.write_scores("pagerank", {"org:c": 1})  # rewritten: now the last metric
    [a, c] = store.entities(["org:a", "org:c"])
    assert list(a.scores) == ["spof", "note"]
    assert list(c.scores) == ["spof", "cut_off", "note", "pagerank"]
    assert [e.id for e in store.top("pagerank", 5)] == ["org:c"]


def test_sqlite_schema_2_scores_move_to_the_scores_table(tmp_path):
    path = tmp_path / "v2.db"
    db = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:2]:  # the schema 2 tables, as govgraph made them
        db.executescript(step)
    db.execute("PRAGMA user_version=2")
    db.executemany("INSERT INTO nodes(nid, id, type, name, scores) VALUES (?,?,?,?,?)",
                   [(nid, node_id, "Organization", node_id.upper(), json.dumps(scores))
                    for nid, (node_id, scores) in enumerate(OLD.items(), 1)])
    db.close()
    store = SQLiteStore(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
    assert "scores" not in [r[1] for r in store.db.execute("PRAGMA table_info(nodes)")]
    _check(store)
    store.close()
    with SQLiteStore(path) as again:  # opening it again changes nothing
        assert again.entities(["org:c"])[0].scores["pagerank"] == 1


def test_sqlite_top_is_an_index_range_scan(sqlite_store):
    sqlite_store.write(batch("g", [org("A"), org("B")]))
    sqlite_store.write_scores("pagerank", {"org:a": 0.5, "org:b": 0.25})
    plans: dict[str, list[str]] = {}
    real = sqlite_store.db

    class Spy:  # records the plan of each statement top runs
        in_transaction = False

        def execute(self, sql, params=()):
            if sql.lstrip().startswith("SELECT"):
                plans[sql] = [r[3] for r in real.execute("EXPLAIN QUERY PLAN " + sql, params)]
            return real.execute(sql, params)

    sqlite_store._local.conn = Spy()
    try:
        assert [e.id for e in sqlite_store.top("pagerank", 1)] == ["org:a"]
    finally:
        sqlite_store._local.conn = real
    [ranking] = [p for sql, p in plans.items() if "JOIN nodes" in sql]
    assert ranking[0] == "SEARCH s USING COVERING INDEX scores_rank (metric=? AND value>?)"
    assert not [step for step in ranking if step.startswith("SCAN") or "TEMP B-TREE" in step
                ], ranking  # the index gives the order: no sort, even of a tie
    [lookup] = [p for sql, p in plans.items() if "score_metrics m" in sql]  # their scores
    assert "SEARCH s USING PRIMARY KEY (metric=? AND nid=?)" in lookup, lookup
    assert [step for step in lookup if step.startswith("SCAN")] == ["SCAN m"], lookup


@pytest.mark.neo4j
def test_neo4j_json_scores_become_properties(neo4j_store_factory):
    store = neo4j_store_factory()
    store.write(batch("g", [org(i.split(":")[1].upper()) for i in OLD]))
    with store._session(write=True) as session:  # as the store wrote scores before
        session.run("UNWIND $rows AS row MATCH (e:Entity {id: row[0]}) SET e.scores = row[1]",
                    rows=[[i, json.dumps(s)] for i, s in OLD.items()]).consume()
        session.run("MATCH (e:Entity {id: 'org:a'}) SET e.`score.pagerank` = 0.5").consume()
        session.run("DROP CONSTRAINT gg_score_metric IF EXISTS").consume()
    upgraded = neo4j_store_factory()
    assert not upgraded._read("MATCH (e:Entity) WHERE e.scores IS NOT NULL RETURN e")
    _check(upgraded)


@pytest.mark.neo4j
def test_neo4j_top_reads_two_index_ranges_of_at_most_limit_entries(neo4j_store_factory):
    from graph.store.neo4j import tie_query, top_query

    store = neo4j_store_factory()
    leaves = [org(f"N{i}") for i in range(60)]
    store.write(batch("g", [org("A"), org("B"), *leaves]))
    store.write_scores("pagerank", {"org:a": 0.5, "org:b": 0.75,
                                    **{f"org:n{i}": 0.25 for i in range(60)}})  # a tie of 60

    def profiled(query, **params):
        summary = store.driver.execute_query("PROFILE " + query, params,
                                             database_=store.database).summary

        def steps(p):
            return [(p["operatorType"].split("@")[0], p.get("rows", 0))] + [
                s for c in p.get("children", []) for s in steps(c)]
        return steps(summary.profile)

    first = profiled(top_query("pagerank"), limit=5)
    assert "NodeIndexScan" in [op for op, _ in first], first
    assert not [op for op, _ in first if op in {"Sort", "Top", "PartialTop"}], first
    tie = profiled(tie_query("pagerank"), low=0.25, limit=3)
    seeks = [rows for op, rows in tie if op == "NodeIndexSeek"]
    assert len(seeks) == 1 and seeks[0] <= 4, tie  # a seek, never a scan from the lowest score
    assert not [op for op, _ in tie if op in {"Sort", "Top", "PartialTop"}], tie
    expected = ["org:b", "org:a", *sorted(f"org:n{i}" for i in range(60))]
    assert [e.id for e in store.top("pagerank", 5)] == expected[:5]
    assert [e.id for e in store.top("pagerank", 100)] == expected


def test_sqlite_reads_scores_by_seek_or_by_one_pass_alike(sqlite_store, monkeypatch):
    from graph.store import sqlite as module

    sqlite_store.write(batch("g", [org(f"N{i}") for i in range(40)]))
    ids = [f"org:n{i}" for i in range(40)]
    sqlite_store.write_scores("rank", {i: n / 7 for n, i in enumerate(ids) if n % 3})
    sqlite_store.write_scores("flag", {i: n % 2 == 0 for n, i in enumerate(ids) if n % 5})
    sqlite_store.write_scores("note", {ids[0]: None, ids[1]: ["x"], ids[2]: 10 ** 30})
    by_seek = {e.id: e.scores for e in sqlite_store.entities(ids)}
    monkeypatch.setattr(module, "SCAN_NODES", 1)  # any request is "most of the graph"
    by_pass = {e.id: e.scores for e in sqlite_store.entities(ids)}
    iterated = {e.id: e.scores for e in sqlite_store.iter_entities()}
    assert by_pass == by_seek == iterated
    assert [list(s) for s in by_pass.values()] == [list(s) for s in by_seek.values()]
    assert by_seek[ids[1]] == {"rank": 1 / 7, "flag": False, "note": ["x"]}
    assert by_seek[ids[0]] == {"note": None} and by_seek[ids[2]]["note"] == 10 ** 30


@pytest.mark.neo4j
def test_neo4j_scores_written_before_tie_indexes_get_them_when_opened(neo4j_store_factory):
    store = neo4j_store_factory()
    store.write(batch("g", [org("A"), org("B"), org("C")]))
    store.write_scores("pagerank", {"org:c": 0.5, "org:b": 0.5, "org:a": 0.25})
    store.driver.execute_query("DROP INDEX gg_rank_pagerank", database_=store.database)
    reopened = neo4j_store_factory()
    names = {r["name"] for r in reopened.driver.execute_query(
        "SHOW INDEXES YIELD name", database_=reopened.database).records}
    assert {"gg_score_pagerank", "gg_rank_pagerank"} <= names
    assert [e.id for e in reopened.top("pagerank", 2)] == ["org:b", "org:c"]

"""Dumping a SQLite store's tables and restoring dumped tables into one
(:mod:`graph.store.sync`): the same rows, in the same orders, as a load would have written."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from graph.store.base import Chunk
from graph.store.scores import from_row, to_row
from graph.store.sqlite_tx import put_nodes
from graph.store.sync import derived

FETCH = 5000
TABLES = ("absorbed", "judgements", "edge_claims", "node_claims", "edges", "aliases",
          "names_fts", "scores", "score_metrics", "nodes", "sources", "redirects",
          "merge_log")  # in deletion order

DUMP = {
    "sources": "SELECT source_id, uri, loader, retrieved_at, loaded_at, n_entities, "
               "n_relations, dataset, observed FROM sources ORDER BY sid",
    "nodes": "SELECT id, type, name, aliases, keys, props, first_seen, last_seen "
             "FROM nodes ORDER BY nid",
    "scores": "SELECT n.id, s.metric, s.value, s.detail FROM scores s JOIN nodes n "
              "ON n.nid = s.nid WHERE s.metric = ?",  # per metric, in write order
    "node_claims": "SELECT n.id, s.source_id, c.type, c.name, c.aliases, c.keys, c.props, "
                   "c.locator, c.first_seen, c.last_seen FROM node_claims c JOIN nodes n "
                   "ON n.nid = c.nid JOIN sources s ON s.sid = c.sid ORDER BY c.sid, n.nid",
    "edges": "SELECT e.key, s.id, d.id, e.type, e.props, e.confidence, e.weight, e.start, "
             "e.end FROM edges e JOIN nodes s ON s.nid = e.src JOIN nodes d ON d.nid = e.dst "
             "ORDER BY e.eid",
    "edge_claims": "SELECT e.key, s.source_id, c.locator, c.confidence, c.props FROM "
                   "edge_claims c JOIN edges e ON e.eid = c.eid JOIN sources s ON "
                   "s.sid = c.sid ORDER BY c.sid, c.eid, c.locator",
    "redirects": "SELECT old_id, new_id, reason FROM redirects ORDER BY old_id",
    "merge_log": "SELECT merged, into_id, reason, source_id FROM merge_log ORDER BY rowid",
    "judgements": "SELECT s.source_id, j.a, j.b, j.same, j.locator FROM judgements j "
                  "JOIN sources s ON s.sid = j.sid ORDER BY j.sid, j.rowid",
    "absorbed": "SELECT s.source_id, a.absorbed, a.kept, a.record FROM absorbed a "
                "JOIN sources s ON s.sid = a.sid ORDER BY a.seq",
}


def dump(db: sqlite3.Connection, table: str) -> Iterator[tuple]:
    """One table's rows (scores metric by metric, in write order)."""
    if table == "scores":
        order = db.execute("SELECT metric FROM score_metrics ORDER BY seq").fetchall()
        for (metric,) in order:
            cur = db.cursor().execute(DUMP[table], (metric,))
            while chunk := cur.fetchmany(FETCH):
                yield from ((i, m, from_row(v, d)) for i, m, v, d in chunk)
        return
    cur = db.cursor().execute(DUMP[table])
    while chunk := cur.fetchmany(FETCH):
        yield from (tuple(r) for r in chunk)


def clear(db: sqlite3.Connection) -> None:
    """Inside an open write transaction: delete every row."""
    for table in TABLES:
        db.execute(f"DELETE FROM {table}")


class SQLiteRestore:
    """Restores into a SQLite store, all chunks in one transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.sid: dict[str, int] = {}
        self.nid: dict[str, int] = {}
        self.eid: dict[str, int] = {}

    def run(self, chunks: Iterator[Chunk]) -> None:
        for table, rows in chunks:
            getattr(self, table)(self.db, rows)

    def sources(self, db: Any, rows: list[tuple]) -> None:
        for row in rows:
            self.sid[row[0]] = len(self.sid) + 1
        db.executemany("INSERT INTO sources(sid, source_id, uri, loader, retrieved_at, "
                       "loaded_at, n_entities, n_relations, dataset, observed) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?)",
                       [(self.sid[r[0]], *r) for r in rows])

    def nodes(self, db: Any, rows: list[tuple]) -> None:
        for row in rows:
            self.nid[row[0]] = len(self.nid) + 1
        put_nodes(db, [(self.nid[r[0]], r[0], derived(r)) for r in rows], replace=False)

    def scores(self, db: Any, rows: list[tuple]) -> None:
        """Rows come metric by metric in write order: a metric's first row gives its place."""
        for metric in dict.fromkeys(r[1] for r in rows):
            db.execute("INSERT INTO score_metrics(metric, seq) SELECT ?, coalesce(max(seq), 0)"
                       " + 1 FROM score_metrics WHERE true ON CONFLICT(metric) DO NOTHING",
                       (metric,))
        db.executemany("INSERT INTO scores(nid, id, metric, value, detail) VALUES (?,?,?,?,?)",
                       [(self.nid[i], i, m, *to_row(v)) for i, m, v in rows])

    def node_claims(self, db: Any, rows: list[tuple]) -> None:
        db.executemany("INSERT INTO node_claims(nid, sid, type, name, aliases, keys, props, "
                       "locator, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       [(self.nid[r[0]], self.sid[r[1]], *r[2:]) for r in rows])

    def edges(self, db: Any, rows: list[tuple]) -> None:
        for row in rows:
            self.eid[row[0]] = len(self.eid) + 1
        db.executemany("INSERT INTO edges(eid, key, src, dst, type, props, confidence, weight,"
                       " start, end) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       [(self.eid[r[0]], r[0], self.nid[r[1]], self.nid[r[2]], *r[3:])
                        for r in rows])

    def edge_claims(self, db: Any, rows: list[tuple]) -> None:
        db.executemany("INSERT INTO edge_claims(eid, sid, locator, confidence, props) "
                       "VALUES (?,?,?,?,?)",
                       [(self.eid[r[0]], self.sid[r[1]], *r[2:]) for r in rows])

    def redirects(self, db: Any, rows: list[tuple]) -> None:
        db.executemany("INSERT INTO redirects(old_id, new_id, reason) VALUES (?,?,?)", rows)

    def merge_log(self, db: Any, rows: list[tuple]) -> None:
        db.executemany("INSERT INTO merge_log(merged, into_id, reason, source_id) "
                       "VALUES (?,?,?,?)", rows)

    def judgements(self, db: Any, rows: list[tuple]) -> None:
        db.executemany("INSERT INTO judgements(sid, a, b, same, locator) VALUES (?,?,?,?,?)",
                       [(self.sid[r[0]], r[1], r[2], int(r[3]), r[4]) for r in rows])

    def absorbed(self, db: Any, rows: list[tuple]) -> None:
        db.executemany("INSERT INTO absorbed(sid, absorbed, kept, record) VALUES (?,?,?,?)",
                       [(self.sid[r[0]], *r[1:]) for r in rows])

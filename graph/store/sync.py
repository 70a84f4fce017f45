"""Copy a whole graph from one store to another (SQLite file <-> Neo4j), claims and all.

``sync(src, dst)`` reads the source store's state table by table — sources (in load order),
nodes (in creation order), scores (metrics in write order), node claims, edges, edge claims,
redirects, the merge log and judgements — and writes it into an empty destination in
batches. Nothing is re-derived: the destination holds exactly the derived nodes and edges,
claims and merge history of the source, so exports, searches and later loads, reloads and
unloads behave the same on both (tests/test_sync.py checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graph import merge as mg
from graph.store.base import GraphStore, StoreError
from graph.store.scores import from_row, to_row
from graph.store.sqlite import SQLiteStore

BATCH = 5000
Progress = Callable[[str, int, int], None]
Chunk = tuple[str, list[tuple]]

# Each table's row: what dump() yields and restore() takes, in this order.
TABLES = {
    "sources": "source_id, uri, loader, retrieved_at, loaded_at, n_entities, n_relations, "
               "dataset, observed",
    "nodes": "id, type, name, aliases, keys, props, first_seen, last_seen",
    "scores": "id, metric, value",
    "node_claims": "id, source_id, type, name, aliases, keys, props, locator, first_seen, "
                   "last_seen",
    "edges": "key, source, target, type, props, confidence, weight, start, end",
    "edge_claims": "key, source_id, locator, confidence, props",
    "redirects": "old_id, new_id, reason",
    "merge_log": "merged, into, reason, source_id",
    "judgements": "source_id, a, b, same, locator",
}

_SQLITE_DUMP = {
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
}

_NEO4J_DUMP = {
    "sources": "MATCH (s:Source) RETURN s.source_id, s.uri, s.loader, s.retrieved_at, "
               "s.loaded_at, s.n_entities, s.n_relations, s.dataset, s.observed "
               "ORDER BY s.sid",
    "nodes": "MATCH (e:Entity) RETURN e.id, e.type, e.name, e.aliases, e.keys, e.props, "
             "e.first_seen, e.last_seen ORDER BY e.nid",
    "node_claims": "MATCH (c:NodeClaim) MATCH (s:Source {sid: c.sid}) RETURN c.id, "
                   "s.source_id, c.type, c.name, c.aliases, c.keys, c.props, c.locator, "
                   "c.first_seen, c.last_seen ORDER BY c.sid, c.id",
    "edges": "MATCH (s:Entity)-[r]->(d:Entity) RETURN r.key, s.id, d.id, type(r), r.props, "
             "r.confidence, r.weight, r.start, r.end ORDER BY r.key",
    "edge_claims": "MATCH (c:EdgeClaim) MATCH (s:Source {sid: c.sid}) RETURN c.key, "
                   "s.source_id, c.locator, c.confidence, c.props ORDER BY c.sid, c.key, "
                   "c.locator",
    "redirects": "MATCH (r:Redirect) RETURN r.old_id, r.new_id, r.reason ORDER BY r.old_id",
    "merge_log": "MATCH (m:MergeLog) RETURN m.merged, m.into, m.reason, m.source_id "
                 "ORDER BY m.seq",
    "judgements": "MATCH (j:Judgement) MATCH (s:Source {sid: j.sid}) RETURN s.source_id, "
                  "j.a, j.b, j.same, j.locator ORDER BY j.sid, j.seq",
}


def sync(src: GraphStore, dst: GraphStore, progress: Progress | None = None,
         replace: bool = False) -> dict[str, int]:
    """Copy everything in ``src`` into ``dst`` and return the rows copied per table.
    ``dst`` must be empty unless ``replace``, which first deletes what it holds. A copy into
    Neo4j is written in batches of separate transactions: if it stops half way, run it
    again with ``replace``."""
    if replace:
        clear(dst)
    elif dst.stats()["sources"] or dst.stats()["nodes"]:
        raise StoreError("the destination store is not empty (use replace to overwrite it)")
    stats = src.stats()
    total = stats["sources"] + 2 * stats["nodes"] + stats["edges"] + stats["claims"]  # about
    copied: dict[str, int] = dict.fromkeys(TABLES, 0)

    def counted() -> Iterator[Chunk]:
        done = 0
        for table, rows in dump(src):
            copied[table] += len(rows)
            done += len(rows)
            if progress:
                progress(f"copying {table}", min(done, total), max(done, total))
            yield table, rows

    restore(dst, counted())
    if progress:
        done = sum(copied.values())
        progress("copied", done, done)
    return copied


def dump(store: GraphStore) -> Iterator[Chunk]:
    """The store's state as ``(table, rows)`` chunks, tables in the order of TABLES."""
    for table in TABLES:
        rows: list[tuple] = []
        for row in _rows(store, table):
            rows.append(row)
            if len(rows) == BATCH:
                yield table, rows
                rows = []
        if rows:
            yield table, rows


def _rows(store: GraphStore, table: str) -> Iterator[tuple]:
    if isinstance(store, SQLiteStore):
        if table == "scores":
            order = store.db.execute("SELECT metric FROM score_metrics ORDER BY seq")
            for (metric,) in order.fetchall():
                cur = store.db.cursor().execute(_SQLITE_DUMP[table], (metric,))
                while chunk := cur.fetchmany(BATCH):
                    yield from ((i, m, from_row(v, d)) for i, m, v, d in chunk)
            return
        cur = store.db.cursor().execute(_SQLITE_DUMP[table])
        while chunk := cur.fetchmany(BATCH):
            yield from (tuple(r) for r in chunk)
        return
    if table == "scores":
        yield from store.iter_scores()  # type: ignore[attr-defined]
        return
    for record in store._stream(_NEO4J_DUMP[table]):  # type: ignore[attr-defined]
        row = list(record.values())
        if table == "nodes":  # lists in Neo4j, JSON text in SQLite
            row[3:5] = [mg.to_json(row[3] or []), mg.to_json(row[4] or [])]
        yield tuple(row)


def clear(store: GraphStore) -> None:
    """Delete everything a store holds."""
    if isinstance(store, SQLiteStore):
        with store._tx() as db:
            for table in ("judgements", "edge_claims", "node_claims", "edges", "aliases",
                          "names_fts", "scores", "score_metrics", "nodes", "sources",
                          "redirects", "merge_log"):
                db.execute(f"DELETE FROM {table}")
        return
    store.clear()  # type: ignore[attr-defined]


def restore(store: GraphStore, chunks: Iterator[Chunk]) -> None:
    """Write dumped chunks into an empty store."""
    if isinstance(store, SQLiteStore):
        _SQLiteRestore(store).run(chunks)
    else:
        from graph.store.neo4j_sync import Neo4jRestore

        Neo4jRestore(store).run(chunks)  # type: ignore[arg-type]


def derived(row: tuple) -> mg.DerivedNode:
    """A dumped node row as the derived node it is."""
    node_id, type_, name, aliases, keys, props, first, last = row
    return mg.DerivedNode(type=type_, name=name, aliases=mg.from_json(aliases),
                          keys=mg.from_json(keys), properties=mg.from_json(props),
                          first_seen=first, last_seen=last)


class _SQLiteRestore:
    """Restores into a SQLite store, all chunks in one transaction."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.sid: dict[str, int] = {}
        self.nid: dict[str, int] = {}
        self.eid: dict[str, int] = {}

    def run(self, chunks: Iterator[Chunk]) -> None:
        with self.store._tx() as db:
            for table, rows in chunks:
                getattr(self, table)(db, rows)

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
        self.store._put_nodes(db, [(self.nid[r[0]], r[0], derived(r)) for r in rows],
                              replace=False)

    def scores(self, db: Any, rows: list[tuple]) -> None:
        """Rows come metric by metric in write order: a metric's first row gives its place."""
        for metric in dict.fromkeys(r[1] for r in rows):
            db.execute("INSERT INTO score_metrics(metric, seq) SELECT ?, coalesce(max(seq), 0)"
                       " + 1 FROM score_metrics WHERE true ON CONFLICT(metric) DO NOTHING",
                       (metric,))
        db.executemany("INSERT INTO scores(nid, metric, value, detail) VALUES (?,?,?,?)",
                       [(self.nid[i], m, *to_row(v)) for i, m, v in rows])

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

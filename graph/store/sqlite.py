"""The embedded store: one SQLite file (WAL, foreign keys, indexed endpoints).

Nodes and edges are *materialised* from their claims: each source's statement about a node
(``node_claims``) or an edge (``edge_claims``) is kept, and the node or edge row is derived
from all of them by :mod:`graph.merge`. Reloading a source replaces its claims and
re-derives only what they touched; unloading deletes what no claim (and, for nodes, no edge)
still supports. Every write runs in one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any

from graph import merge as mg
from graph.ids import fold
from graph.model import Batch, Claim, EdgeRecord, EntityRecord
from graph.store.base import EdgeFilter, GraphStore, Projection, SourceInfo, StoreError, WriteResult
from graph.store.schema import migrate
from graph.store.scores import from_row, to_row

CHUNK = 500
BULK_ROWS = 20_000  # a batch this large is written with a larger page cache
BULK_CACHE_KIB = 256 * 1024
ALL_IDS = 5_000  # scores for at least this many ids: read the whole id -> nid map once
SCAN_NODES, SCAN_SHARE = 2_000, 8  # scores of this many nodes, and 1/8 of all: one pass


# Secondary indexes that a batch at least as large as the graph drops and rebuilds instead of
# updating row by row: SQLite builds an index from sorted rows several times faster than it
# makes a million random insertions. The rebuild is part of the batch's transaction.
DEFERRABLE_INDEXES = ("edges_src", "edges_dst", "edges_type", "edge_claims_sid",
                      "node_claims_sid", "aliases_nid")


@contextmanager
def _indexes_deferred(db: sqlite3.Connection, rows: int) -> Iterator[None]:
    """Inside an open write transaction: without the deferrable indexes while a large batch
    is written into a smaller graph, rebuilt on leaving (a failure rolls both back)."""
    held = db.execute("SELECT (SELECT coalesce(max(eid), 0) FROM edges)"
                      " + (SELECT coalesce(max(nid), 0) FROM nodes)").fetchone()[0]
    if rows < BULK_ROWS or rows < held:
        yield
        return
    found = db.execute(f"SELECT name, sql FROM sqlite_master WHERE type='index' AND name IN"
                       f" ({_marks(len(DEFERRABLE_INDEXES))})", DEFERRABLE_INDEXES).fetchall()
    for name, _ in found:
        db.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in found:
        db.execute(sql)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class SQLiteStore(GraphStore):
    """GraphStore on one SQLite file."""

    kind = "sqlite"

    def __init__(self, path: str | Path, busy_timeout_s: float | None = None) -> None:
        """``busy_timeout_s``: how long a write waits for another writer to finish before
        it is refused (default: env GOVGRAPH_BUSY_TIMEOUT_S, else 30)."""
        self.path = str(path)
        self.busy_timeout_s = (busy_timeout_s if busy_timeout_s is not None
                               else float(os.environ.get("GOVGRAPH_BUSY_TIMEOUT_S", 30)))
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        migrate(self.db)

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections must not be shared by threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s,
                                   isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: database is busy ({exc}); another load is "
                             "running, try again when it ends") from None
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @contextmanager
    def _bulk_cache(self, rows: int) -> Iterator[None]:
        """A larger page cache while a big batch is written, so index pages stay in memory
        instead of spilling mid-transaction; the connection's own size again afterwards."""
        if rows < BULK_ROWS:
            yield
            return
        before = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA cache_size={int(before)}")

    # ---------------------------------------------------------------- writes
    def write(self, batch: Batch) -> WriteResult:
        started = time.perf_counter()
        result = WriteResult(batch.source_id)
        with self._bulk_cache(len(batch.entities) + len(batch.relations)), self._tx() as db:
            sid = self._source_row(db, batch)
            before = _claim_digests(db, sid)
            touched_nodes, touched_edges = self._drop_claims(db, sid, result)
            _write_judgements(db, sid, batch)
            writer = _BatchWriter(self, db, sid, batch, result)
            with _indexes_deferred(db, len(batch.entities) + len(batch.relations)):
                writer.write_entities()
                writer.write_relations()
            touched_nodes |= writer.updated_nodes
            touched_edges |= writer.updated_edges
            same_nodes, same_edges = (_unchanged(before, _claim_digests(db, sid))
                                      if any(before) else (set(), set()))
            self._collect(db, touched_nodes - writer.new_nodes - same_nodes,
                          touched_edges - writer.new_edges - same_edges, result)
            counts = db.execute(
                "SELECT (SELECT count(*) FROM node_claims WHERE sid=?),"
                " (SELECT count(*) FROM edge_claims WHERE sid=?)", (sid, sid)).fetchone()
            db.execute("UPDATE sources SET n_entities=?, n_relations=? WHERE sid=?",
                       (*counts, sid))
        result.seconds = time.perf_counter() - started
        return result

    def unload(self, source_id: str) -> WriteResult:
        started = time.perf_counter()
        result = WriteResult(source_id)
        with self._tx() as db:
            row = db.execute("SELECT sid FROM sources WHERE source_id=?", (source_id,)).fetchone()
            if row is None:
                raise StoreError(f"no source {source_id!r} is loaded")
            nodes, edges = self._drop_claims(db, row[0], result)
            self._collect(db, nodes, edges, result)
            db.execute("DELETE FROM sources WHERE sid=?", (row[0],))
        result.seconds = time.perf_counter() - started
        return result

    def _source_row(self, db: sqlite3.Connection, batch: Batch) -> int:
        db.execute(
            "INSERT INTO sources(source_id, uri, loader, retrieved_at, loaded_at, dataset,"
            " observed) VALUES (?,?,?,?,datetime('now'),?,?) ON CONFLICT(source_id) DO UPDATE"
            " SET uri=excluded.uri, loader=excluded.loader, retrieved_at=excluded.retrieved_at,"
            " loaded_at=excluded.loaded_at, dataset=excluded.dataset,"
            " observed=excluded.observed",
            (batch.source_id, batch.uri, batch.loader, batch.retrieved_at, batch.dataset,
             batch.observed))
        return db.execute("SELECT sid FROM sources WHERE source_id=?",
                          (batch.source_id,)).fetchone()[0]

    def _drop_claims(self, db: sqlite3.Connection, sid: int,
                     result: WriteResult) -> tuple[set[int], set[int]]:
        nodes = {r[0] for r in db.execute("SELECT nid FROM node_claims WHERE sid=?", (sid,))}
        edges = {r[0] for r in db.execute("SELECT DISTINCT eid FROM edge_claims WHERE sid=?",
                                          (sid,))}
        result.claims_removed = db.execute("DELETE FROM edge_claims WHERE sid=?",
                                           (sid,)).rowcount
        db.execute("DELETE FROM node_claims WHERE sid=?", (sid,))
        return nodes, edges

    def _collect(self, db: sqlite3.Connection, nodes: set[int], edges: set[int],
                 result: WriteResult) -> None:
        """Delete unsupported edges and nodes among those touched; re-derive the rest."""
        for chunk in _chunks(sorted(edges)):
            dead = [r[0] for r in db.execute(
                f"SELECT eid FROM edges WHERE eid IN ({_marks(len(chunk))}) AND NOT EXISTS"
                " (SELECT 1 FROM edge_claims c WHERE c.eid=edges.eid)", chunk)]
            for eid in dead:
                nodes.update(db.execute("SELECT src, dst FROM edges WHERE eid=?",
                                        (eid,)).fetchone())
            db.executemany("DELETE FROM edges WHERE eid=?", [(e,) for e in dead])
            result.relations_removed += len(dead)
            for eid in set(chunk) - set(dead):
                result.relations_updated += self._rederive_edge(db, eid)
        for chunk in _chunks(sorted(nodes)):
            dead = [r[0] for r in db.execute(
                f"SELECT nid FROM nodes WHERE nid IN ({_marks(len(chunk))})"
                " AND NOT EXISTS (SELECT 1 FROM node_claims c WHERE c.nid=nodes.nid)"
                " AND NOT EXISTS (SELECT 1 FROM edges e WHERE e.src=nodes.nid)"
                " AND NOT EXISTS (SELECT 1 FROM edges e WHERE e.dst=nodes.nid)", chunk)]
            db.executemany("DELETE FROM names_fts WHERE rowid=?", [(n,) for n in dead])
            db.executemany("DELETE FROM nodes WHERE nid=?", [(n,) for n in dead])
            result.entities_removed += len(dead)
            for nid in set(chunk) - set(dead):
                result.entities_updated += self._rederive_node(db, nid)

    def _rederive_node(self, db: sqlite3.Connection, nid: int) -> bool:
        """Re-derive a node from its claims; True when that changed it."""
        rows = db.execute("SELECT type, name, aliases, keys, props, first_seen, last_seen"
                          " FROM node_claims WHERE nid=? ORDER BY sid", (nid,)).fetchall()
        claims = [mg.NodeClaim(t, n, mg.from_json(a), mg.from_json(k), mg.from_json(p), f, last)
                  for t, n, a, k, p, f, last in rows]
        if not claims:  # kept alive by edges only: keep its last derived state
            return False
        before = db.execute("SELECT type, name, aliases, keys, props, first_seen, last_seen"
                            " FROM nodes WHERE nid=?", (nid,)).fetchone()
        node = mg.derive_node(claims)
        if tuple(before) == _node_values(node):
            return False
        self._put_node(db, nid, None, node, replace=True)
        return True

    def _put_node(self, db: sqlite3.Connection, nid: int, node_id: str | None,
                  node: mg.DerivedNode, replace: bool) -> None:
        self._put_nodes(db, [(nid, node_id, node)], replace)

    def _put_nodes(self, db: sqlite3.Connection,
                   rows: Iterable[tuple[int, str | None, mg.DerivedNode]], replace: bool) -> None:
        """Insert new nodes ``(nid, id, node)`` (or rewrite existing ones when ``replace``)
        with their alias-index and name-search rows, a statement per table. Each node's
        rows are made together, so its names are folded once (``fold`` is memoised)."""
        node_rows: list[tuple] = []
        alias_rows: list[tuple[str, int, str]] = []
        search_rows: list[tuple[int, str]] = []
        for nid, node_id, node in rows:
            values = _node_values(node)
            node_rows.append((*values, nid) if replace else (nid, node_id, *values))
            alias_rows.extend((norm, nid, kind) for norm, kind in mg.alias_rows(node))
            search_rows.append((nid, " ".join(fold(n) for n in (node.name, *node.aliases))))
        if replace:
            db.executemany("UPDATE nodes SET type=?, name=?, aliases=?, keys=?, props=?,"
                           " first_seen=?, last_seen=? WHERE nid=?", node_rows)
            db.executemany("DELETE FROM aliases WHERE nid=?", [(r[-1],) for r in node_rows])
            db.executemany("DELETE FROM names_fts WHERE rowid=?", [(r[-1],) for r in node_rows])
        else:
            db.executemany("INSERT INTO nodes(nid, id, type, name, aliases, keys, props,"
                           " first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?)", node_rows)
        db.executemany("INSERT OR IGNORE INTO aliases(norm, nid, kind) VALUES (?,?,?)",
                       alias_rows)
        db.executemany("INSERT INTO names_fts(rowid, text) VALUES (?,?)", search_rows)

    def _rederive_edge(self, db: sqlite3.Connection, eid: int) -> bool:
        """Re-derive an edge from its claims; True when that changed it."""
        rows = db.execute("SELECT confidence, props FROM edge_claims WHERE eid=? ORDER BY sid",
                          (eid,)).fetchall()
        values = _edge_values(mg.derive_edge([(c, mg.from_json(p)) for c, p in rows]))
        before = db.execute("SELECT props, confidence, weight, start, end FROM edges"
                            " WHERE eid=?", (eid,)).fetchone()
        if tuple(before) == values:
            return False
        db.execute("UPDATE edges SET props=?, confidence=?, weight=?, start=?, end=?"
                   " WHERE eid=?", (*values, eid))
        return True

    # ---------------------------------------------------------------- reads
    def sources(self) -> list[SourceInfo]:
        rows = self.db.execute("SELECT source_id, uri, loader, retrieved_at, loaded_at,"
                               " n_entities, n_relations, dataset, observed FROM sources"
                               " ORDER BY sid")
        return [SourceInfo(*r) for r in rows]

    def stats(self) -> dict[str, Any]:
        q = self.db.execute
        return {
            "store": self.kind, "path": self.path,
            "nodes": q("SELECT count(*) FROM nodes").fetchone()[0],
            "edges": q("SELECT count(*) FROM edges").fetchone()[0],
            "claims": q("SELECT count(*) FROM edge_claims").fetchone()[0],
            "sources": q("SELECT count(*) FROM sources").fetchone()[0],
            "nodes_by_type": dict(q("SELECT type, count(*) FROM nodes GROUP BY type"
                                    " ORDER BY type").fetchall()),
            "edges_by_type": dict(q("SELECT type, count(*) FROM edges GROUP BY type"
                                    " ORDER BY type").fetchall()),
        }

    def resolve(self, ref: str) -> str | None:
        found = resolve_refs(self.db, [ref])
        nid = found.get(ref)
        if nid is None:
            return None
        return self.db.execute("SELECT id FROM nodes WHERE nid=?", (nid,)).fetchone()[0]

    def entities(self, ids: Iterable[str]) -> list[EntityRecord]:
        ids = list(dict.fromkeys(ids))
        rows: list[tuple] = []
        for chunk in _chunks(ids):
            rows.extend(self.db.execute(f"{_NODE_SELECT} WHERE id IN ({_marks(len(chunk))})",
                                        chunk))
        out = {rec.id: rec for rec in _records(self.db, rows)}
        return [out[i] for i in ids if i in out]

    def _search_hits(self, key: str) -> tuple[set[int], set[int], set[int]]:
        exact = {r[0] for r in self.db.execute("SELECT nid FROM aliases WHERE norm=?", (key,))}
        prefix = {r[0] for r in self.db.execute(
            "SELECT nid FROM aliases WHERE norm >= ? AND norm < ? LIMIT 2000",
            (key, key + "\uffff"))}
        substring: set[int] = set()
        if len(key) >= 3:
            phrase = '"' + key.replace('"', '""') + '"'
            substring = {r[0] for r in self.db.execute(
                "SELECT rowid FROM names_fts WHERE names_fts MATCH ? LIMIT 2000", (phrase,))}
        return exact, prefix, substring

    def _by_nid(self, nids: Sequence[int]) -> list[EntityRecord]:
        found = {r[0]: r for r in self.db.execute(
            f"{_NODE_SELECT} WHERE nid IN ({_marks(len(nids))})", nids)}
        return _records(self.db, [found[n] for n in nids if n in found])

    def edges(self, ids: Iterable[str], direction: str = "both",
              flt: EdgeFilter | None = None, limit: int | None = None,
              claims: bool = True) -> list[EdgeRecord]:
        ids = list(dict.fromkeys(ids))
        where, params = _edge_where(self.in_force(flt))
        ends = {"out": ["s.id"], "in": ["d.id"], "both": ["s.id", "d.id"]}[direction]
        out: dict[int, tuple] = {}
        for chunk in _chunks(ids):
            for end in ends:
                sql = (f"{_EDGE_SELECT} WHERE {end} IN ({_marks(len(chunk))}) AND {where}"
                       " ORDER BY e.confidence DESC, e.key" + (f" LIMIT {int(limit)}"
                                                              if limit else ""))
                for row in self.db.execute(sql, [*chunk, *params]):
                    out[row[0]] = row
        rows = sorted(out.values(), key=lambda r: (-r[6], r[1]))
        return self._edge_records(rows[:limit] if limit else rows, claims)

    def edges_among(self, ids: Iterable[str], flt: EdgeFilter | None = None,
                    claims: bool = True) -> list[EdgeRecord]:
        where, params = _edge_where(self.in_force(flt))
        nids = mg.to_json([r[0] for chunk in _chunks(list(dict.fromkeys(ids)))
                           for r in self.db.execute(f"SELECT nid FROM nodes WHERE id IN"
                                                    f" ({_marks(len(chunk))})", chunk)])
        rows = self.db.execute(
            f"{_EDGE_SELECT} WHERE e.src IN (SELECT value FROM json_each(?)) AND e.dst IN"
            f" (SELECT value FROM json_each(?)) AND {where} ORDER BY e.key",
            [nids, nids, *params]).fetchall()
        return self._edge_records(rows, claims)

    def degree(self, ids: Iterable[str], flt: EdgeFilter | None = None) -> dict[str, int]:
        where, params = _edge_where(self.in_force(flt))
        counts: dict[str, int] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            for end in ("s", "d"):
                sql = (f"SELECT {end}.id, count(*) FROM edges e JOIN nodes s ON s.nid=e.src"
                       f" JOIN nodes d ON d.nid=e.dst WHERE {end}.id IN"
                       f" ({_marks(len(chunk))}) AND {where} GROUP BY {end}.id")
                for node_id, n in self.db.execute(sql, [*chunk, *params]):
                    counts[node_id] = counts.get(node_id, 0) + n
        return counts

    def _edge_records(self, rows: list[tuple], claims: bool) -> list[EdgeRecord]:
        by_eid = self._claims([r[0] for r in rows]) if claims else {}
        return [EdgeRecord(key=r[1], source=r[2], target=r[3], type=r[4],
                           properties=mg.from_json(r[5]), confidence=r[6],
                           sources=by_eid.get(r[0], [])) for r in rows]

    def _claims(self, eids: list[int]) -> dict[int, list[Claim]]:
        out: dict[int, list[Claim]] = {}
        for chunk in _chunks(eids):
            for eid, *rest in self.db.execute(
                    "SELECT c.eid, s.source_id, s.uri, s.loader, s.retrieved_at, c.locator,"
                    " c.confidence FROM edge_claims c JOIN sources s ON s.sid=c.sid"
                    f" WHERE c.eid IN ({_marks(len(chunk))}) ORDER BY c.sid, c.locator",
                    chunk):
                out.setdefault(eid, []).append(Claim(*rest))
        return out

    def iter_entities(self) -> Iterator[EntityRecord]:
        cur = self.db.cursor().execute(f"{_NODE_SELECT} ORDER BY id")
        rows = cur.fetchmany(CHUNK)  # the scores are read in the snapshot this statement holds
        columns = _ScoreColumns(self.db)
        while rows:
            yield from (_entity(r, columns.of(r[0])) for r in rows)
            rows = cur.fetchmany(CHUNK)

    def iter_edges(self, flt: EdgeFilter | None = None,
                   claims: bool = True) -> Iterator[EdgeRecord]:
        where, params = _edge_where(self.in_force(flt))
        cur = self.db.cursor().execute(f"{_EDGE_SELECT} WHERE {where} ORDER BY e.key", params)
        while rows := cur.fetchmany(2000):
            yield from self._edge_records(rows, claims)

    def projection(self, flt: EdgeFilter | None = None,
                   weight: str | None = None) -> Projection:
        where, params = _edge_where(self.in_force(flt))
        wcol = "e.weight" if weight in (None, "weight") else "json_extract(e.props, ?)"
        wparams = [] if weight in (None, "weight") else [f"$.{weight}"]
        proj = Projection(ids=[])
        index: dict[int, int] = {}
        sql = (f"SELECT e.src, e.dst, s.id, d.id, {wcol} FROM edges e JOIN nodes s ON"
               f" s.nid=e.src JOIN nodes d ON d.nid=e.dst WHERE {where}")
        for src, dst, sid_, did, w in self.db.execute(sql, [*wparams, *params]):
            for nid, node_id in ((src, sid_), (dst, did)):
                if nid not in index:
                    index[nid] = len(proj.ids)
                    proj.ids.append(node_id)
            proj.src.append(index[src])
            proj.dst.append(index[dst])
            proj.weight.append(float(w) if weight and isinstance(w, (int, float)) else
                               (1.0 if not weight else 0.0))
        return proj

    def write_scores(self, metric: str, values: dict[str, Any]) -> None:
        """One transaction: the metric's rows are deleted, then the new ones inserted with one
        ``executemany`` (ids resolved to nids in bulk; unknown ids are skipped)."""
        encoded = {node_id: to_row(value) for node_id, value in values.items()}
        with self._bulk_cache(len(encoded)), self._tx() as db:
            rows = [(nid, metric, *encoded[node_id])
                    for node_id, nid in _nids(db, encoded).items()]
            rows.sort(key=itemgetter(0))
            db.execute("DELETE FROM scores WHERE metric=?", (metric,))
            db.executemany("INSERT INTO scores(nid, metric, value, detail) VALUES (?,?,?,?)",
                           rows)  # in nid order: appended to the metric's primary-key range
            if rows:  # the metric is now the last one written
                db.execute("INSERT INTO score_metrics(metric, seq) SELECT ?, coalesce(max(seq),"
                           " 0) + 1 FROM score_metrics WHERE true ON CONFLICT(metric) DO UPDATE"
                           " SET seq=excluded.seq", (metric,))
            else:
                db.execute("DELETE FROM score_metrics WHERE metric=?", (metric,))

    def top(self, metric: str, limit: int = 20) -> list[EntityRecord]:
        """Highest ``value`` first, ties by id: the ``limit``-th highest value is read from
        the ``scores_rank`` index, then the rows at or above it (an index range) are sorted
        by value and id."""
        cols = ", ".join(f"n.{c.strip()}" for c in _NODE_COLS.split(","))
        bound = ("" if limit < 0 else
                 " AND s.value >= coalesce((SELECT value FROM scores WHERE metric=:m AND value"
                 " IS NOT NULL ORDER BY value DESC LIMIT 1 OFFSET :k), -9e999)")
        with self._snapshot() as db:
            rows = db.execute(
                f"SELECT {cols} FROM scores s JOIN nodes n ON n.nid=s.nid WHERE s.metric=:m"
                f" AND s.value IS NOT NULL{bound} ORDER BY s.value DESC, n.id LIMIT :limit",
                {"m": metric, "k": max(limit - 1, 0), "limit": limit}).fetchall()
            return _records(db, rows)

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction, so several reads see one state."""
        db = self.db
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN")
        try:
            yield db
        finally:
            db.execute("COMMIT")

    def merge_log(self) -> list[dict[str, str]]:
        rows = self.db.execute("SELECT merged, into_id, reason, source_id FROM merge_log"
                               " ORDER BY rowid")
        return [dict(zip(("merged", "into", "reason", "source_id"), r, strict=False)) for r in rows]


_NODE_COLS = "nid, id, type, name, aliases, keys, props, first_seen, last_seen"
_NODE_SELECT = f"SELECT {_NODE_COLS} FROM nodes"
_EDGE_SELECT = ("SELECT e.eid, e.key, s.id, d.id, e.type, e.props, e.confidence FROM edges e"
                " JOIN nodes s ON s.nid=e.src JOIN nodes d ON d.nid=e.dst")


def _entity(row: Sequence[Any], scores: dict[str, Any]) -> EntityRecord:
    _, node_id, type_, name, aliases, keys, props, first, last = row
    return EntityRecord(id=node_id, type=type_, name=name,
                        aliases=mg.from_json(aliases) + mg.from_json(keys),
                        properties=mg.from_json(props), scores=scores,
                        first_seen=first, last_seen=last)


def _records(db: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[EntityRecord]:
    """Node rows (``_NODE_COLS``) as records, with their scores (one query per CHUNK rows)."""
    scores = _scores_of(db, [r[0] for r in rows])
    return [_entity(r, scores.get(r[0], {})) for r in rows]


def _scores_of(db: sqlite3.Connection, nids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The scores of these nodes, each node's metrics in write order: a primary-key seek
    per node and metric, or for a large share of the graph one pass over every score."""
    if len(nids) >= SCAN_NODES and len(nids) * SCAN_SHARE >= _ScoreColumns.size(db):
        columns = _ScoreColumns(db)
        return {nid: scores for nid in nids if (scores := columns.of(nid))}
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(nids):
        for nid, metric, value, detail in db.execute(
                "SELECT s.nid, s.metric, s.value, s.detail FROM score_metrics m CROSS JOIN"
                f" scores s ON s.metric=m.metric WHERE s.nid IN ({_marks(len(chunk))})"
                " ORDER BY s.nid, m.seq", chunk):  # a primary-key seek per metric and node
            scores = found.get(nid)
            if scores is None:
                scores = found[nid] = {}
            scores[metric] = value if detail is None else from_row(value, detail)
    return found


class _ScoreColumns:
    """Every stored score, read metric by metric (each metric a range of the primary key,
    read in nid order) into a list indexed by nid: reading the scores of most of a large
    graph this way is several times faster than a seek per node and metric."""

    _NONE = object()  # no score (None is a score)

    @staticmethod
    def size(db: sqlite3.Connection) -> int:
        return (db.execute("SELECT max(nid) FROM nodes").fetchone()[0] or 0) + 1

    def __init__(self, db: sqlite3.Connection) -> None:
        size = self.size(db)
        self.columns: list[tuple[str, list[Any]]] = []
        for (metric,) in db.execute("SELECT metric FROM score_metrics ORDER BY seq").fetchall():
            column = [self._NONE] * size
            for nid, value, detail in db.execute(
                    "SELECT nid, value, detail FROM scores WHERE metric=?", (metric,)):
                if nid < size:
                    column[nid] = value if detail is None else from_row(value, detail)
            self.columns.append((metric, column))

    def of(self, nid: int) -> dict[str, Any]:
        none = self._NONE
        return {metric: column[nid] for metric, column in self.columns
                if nid < len(column) and column[nid] is not none}


def _nids(db: sqlite3.Connection, ids: Collection[str]) -> dict[str, int]:
    """The nids of the nodes with these ids (unknown ids left out): for many ids one read of
    the id index, else lookups in chunks."""
    if len(ids) >= ALL_IDS:
        every = dict(db.execute("SELECT id, nid FROM nodes"))
        return {i: nid for i in ids if (nid := every.get(i)) is not None}
    out: dict[str, int] = {}
    for chunk in _chunks(list(ids)):
        out.update(db.execute(f"SELECT id, nid FROM nodes WHERE id IN ({_marks(len(chunk))})",
                              chunk))
    return out


def _node_values(node: mg.DerivedNode) -> tuple:
    return (node.type, node.name, mg.to_json(node.aliases), mg.to_json(node.keys),
            mg.to_json(node.properties),
            node.first_seen, node.last_seen)


def _edge_values(edge: mg.DerivedEdge) -> tuple:
    return (mg.to_json(edge.properties), edge.confidence,
            edge.weight, edge.start, edge.end)


def _edge_where(flt: EdgeFilter | None) -> tuple[str, list[Any]]:
    flt = flt or EdgeFilter()
    clauses, params = ["e.confidence >= ?"], [flt.min_confidence - 1e-12]
    if flt.rel_types:
        clauses.append(f"e.type IN ({_marks(len(flt.rel_types))})")
        params.extend(sorted(flt.rel_types))
    if flt.node_types:
        marks = _marks(len(flt.node_types))
        clauses.append(f"s.type IN ({marks}) AND d.type IN ({marks})")
        params.extend([*sorted(flt.node_types), *sorted(flt.node_types)])
    if flt.as_of:
        clauses.append("(e.start IS NULL OR e.start <= ?) AND (e.end IS NULL OR e.end >= ?)")
        params.extend([flt.as_of, flt.as_of])
    if flt.hidden_sources:  # a claim from a source in force (graph/timeline.py)
        clauses.append("EXISTS (SELECT 1 FROM edge_claims c JOIN sources cs ON cs.sid=c.sid"
                       " WHERE c.eid=e.eid AND cs.source_id NOT IN"
                       f" ({_marks(len(flt.hidden_sources))}))")
        params.extend(sorted(flt.hidden_sources))
    return " AND ".join(clauses), params


_REF_SQL = {
    "id": "SELECT id, nid FROM nodes WHERE id IN ({})",
    "redirect": "SELECT r.old_id, n.nid FROM redirects r JOIN nodes n ON n.id=r.new_id"
                " WHERE r.old_id IN ({})",
    "key": "SELECT norm, nid FROM aliases WHERE kind='key' AND norm IN ({})",
    "name": "SELECT norm, nid FROM aliases WHERE kind='name' AND norm IN ({})",
}


def resolve_refs(db: sqlite3.Connection, refs: Iterable[str]) -> dict[str, int]:
    """Map references to node rowids (graph.merge.resolve_references: id, redirect, key,
    unambiguous name). References that match nothing (or several names) are left out."""

    def lookup(form: str, keys: list[str]) -> Iterator[tuple[str, int]]:
        for chunk in _chunks(keys):
            yield from db.execute(_REF_SQL[form].format(_marks(len(chunk))), chunk)

    return mg.resolve_references(refs, lookup)


Digests = tuple[dict[int, int], dict[int, int]]


def _claim_digests(db: sqlite3.Connection, sid: int) -> Digests:
    """A hash of what one source claims about each node and each edge it touches (an edge's
    claims combined by XOR: one per locator, so none cancel)."""
    nodes = {row[0]: hash(row[1:]) for row in db.execute(
        "SELECT nid, type, name, aliases, keys, props, locator, first_seen, last_seen"
        " FROM node_claims WHERE sid=?", (sid,))}
    edges: dict[int, int] = {}
    for row in db.execute("SELECT eid, locator, confidence, props FROM edge_claims"
                          " WHERE sid=?", (sid,)):
        edges[row[0]] = edges.get(row[0], 0) ^ hash(row[1:])
    return nodes, edges


def _unchanged(before: Digests, after: Digests) -> tuple[set[int], set[int]]:
    """Nodes and edges whose claims from a reloaded source are what they were: their derived
    rows cannot have changed, so they need no re-derivation (a reload of an unchanged file
    touches nothing)."""
    nodes = {k for k, v in after[0].items() if before[0].get(k) == v}
    edges = {k for k, v in after[1].items() if before[1].get(k) == v}
    return nodes, edges


def _write_judgements(db: sqlite3.Connection, sid: int, batch: Batch) -> None:
    """Replace a source's same / not-same judgements with the batch's."""
    db.execute("DELETE FROM judgements WHERE sid=?", (sid,))
    db.executemany("INSERT INTO judgements(sid, a, b, same, locator) VALUES (?,?,?,?,?)",
                   [(sid, j.a, j.b, int(j.same), j.locator) for j in batch.judgements])


def _judgements(db: sqlite3.Connection) -> mg.Judgements:
    """Every loaded judgement (later sources first, so their verdicts are tried first)."""
    return mg.Judgements(db.execute("SELECT a, b, same FROM judgements ORDER BY sid DESC"))


class _BatchWriter:
    """Writes one batch's entities and relations inside the open transaction."""

    def __init__(self, store: SQLiteStore, db: sqlite3.Connection, sid: int, batch: Batch,
                 result: WriteResult) -> None:
        self.store, self.db, self.sid, self.batch, self.result = store, db, sid, batch, result
        self.refs: dict[str, int] = {}
        self.new_nodes: set[int] = set()
        self.updated_nodes: set[int] = set()
        self.new_edges: set[int] = set()
        self.updated_edges: set[int] = set()

    def _next_id(self, table: str, col: str) -> int:
        return (self.db.execute(f"SELECT max({col}) FROM {table}").fetchone()[0] or 0) + 1

    def write_entities(self) -> None:
        entities = mg.combine_entities(self.batch.entities)
        located: dict[str, int] = {}
        merged: dict[str, tuple[int, str]] = {}
        if self.db.execute("SELECT 1 FROM nodes LIMIT 1").fetchone():  # else nothing to find
            located = resolve_refs(self.db, [e.id for e in entities])
            unplaced = [e for e in entities if e.id not in located]
            merged = mg.find_merges(unplaced, self._candidates, _judgements(self.db))
        next_nid = self._next_id("nodes", "nid")
        claim_rows, new_rows = [], []
        for ent in entities:
            nid = located.get(ent.id) or merged.get(ent.id, (None, ""))[0]
            if nid is None:
                nid, next_nid = next_nid, next_nid + 1
                self.new_nodes.add(nid)
                new_rows.append((nid, ent))
            else:
                self.updated_nodes.add(nid)
                if ent.id in merged:
                    self._log_merge(ent.id, nid, merged[ent.id][1])
            for ref in (ent.id, *ent.keys):
                self.refs[ref] = nid
            claim_rows.append((nid, self.sid, *mg.claim_values(ent)))
        self.store._put_nodes(self.db, ((nid, ent.id, mg.derive_node([mg.claim_of(ent)]))
                                        for nid, ent in new_rows), replace=False)
        self.db.executemany("INSERT INTO node_claims(nid, sid, type, name, aliases, keys,"
                            " props, locator, first_seen, last_seen) VALUES"
                            " (?,?,?,?,?,?,?,?,?,?)", claim_rows)
        self.result.entities_added += len(new_rows)

    def _candidates(self, norms: list[str]) -> dict[str, set[tuple[int, str, str]]]:
        """Existing nodes by name key: ``norm -> {(nid, id, type)}``."""
        out: dict[str, set[tuple[int, str, str]]] = {}
        for chunk in _chunks(norms):
            for norm, nid, node_id, type_ in self.db.execute(
                    "SELECT a.norm, n.nid, n.id, n.type FROM aliases a JOIN nodes n"
                    f" ON n.nid=a.nid WHERE a.kind='name' AND a.norm IN ({_marks(len(chunk))})",
                    chunk):
                out.setdefault(norm, set()).add((nid, node_id, type_))
            for node_id, nid, type_ in self.db.execute(  # judgements may name nodes by id
                    f"SELECT id, nid, type FROM nodes WHERE id IN ({_marks(len(chunk))})", chunk):
                out.setdefault(node_id, set()).add((nid, node_id, type_))
        return out

    def _log_merge(self, merged_id: str, nid: int, reason: str) -> None:
        into = self.db.execute("SELECT id FROM nodes WHERE nid=?", (nid,)).fetchone()[0]
        self.db.execute("INSERT OR REPLACE INTO redirects(old_id, new_id, reason) VALUES"
                        " (?,?,?)", (merged_id, into, reason))
        self.db.execute("INSERT INTO merge_log(merged, into_id, reason, source_id) VALUES"
                        " (?,?,?,?)", (merged_id, into, reason, self.batch.source_id))
        self.result.merges += 1

    def write_relations(self) -> None:
        if not self.batch.relations:
            return
        grouped = mg.batch_facts(self.batch, self.refs, lambda refs: resolve_refs(self.db, refs),
                                 self._node_ids)
        existing: dict[str, int] = {}
        keys = list(grouped)
        for chunk in _chunks(keys):
            existing.update(self.db.execute(
                f"SELECT key, eid FROM edges WHERE key IN ({_marks(len(chunk))})", chunk))
        next_eid = self._next_id("edges", "eid")
        edge_rows, claim_rows = [], []
        for key in sorted(grouped):  # in key order, the key index is written sequentially
            src, dst, rel_type, claims = grouped[key]
            eid = existing.get(key)
            if eid is None:
                eid, next_eid = next_eid, next_eid + 1
                self.new_edges.add(eid)
                values = _edge_values(mg.derive_edge([(c.confidence, c.properties)
                                                      for c in claims]))
                edge_rows.append((eid, key, src, dst, rel_type, *values))
                if len(claims) == 1:  # the edge's properties are its one claim's
                    claim = claims[0]
                    claim_rows.append((eid, self.sid, claim.locator or "", claim.confidence,
                                       values[0]))
                    continue
            else:
                self.updated_edges.add(eid)
            claim_rows.extend((eid, self.sid, c.locator or "", c.confidence,
                               mg.to_json(c.properties))
                              for c in claims)
        self.db.executemany("INSERT INTO edges(eid, key, src, dst, type, props, confidence,"
                            " weight, start, end) VALUES (?,?,?,?,?,?,?,?,?,?)", edge_rows)
        self.db.executemany("INSERT OR REPLACE INTO edge_claims(eid, sid, locator, confidence,"
                            " props) VALUES (?,?,?,?,?)", claim_rows)
        self.result.relations_added += len(edge_rows)
        self.result.claims_added += len(claim_rows)

    def _node_ids(self, nids: set[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for chunk in _chunks(sorted(nids)):
            out.update(self.db.execute(
                f"SELECT nid, id FROM nodes WHERE nid IN ({_marks(len(chunk))})", chunk))
        return out

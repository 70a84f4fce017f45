"""The embedded store: one SQLite file (WAL, foreign keys, indexed endpoints).

Nodes and edges are *materialised* from their claims: each source's statement about a node
(``node_claims``) or an edge (``edge_claims``) is kept, and the node or edge row is derived
from all of them by :mod:`graph.merge`. Reloading a source replaces its claims and
re-derives only what they touched; unloading deletes what no claim (and, for nodes, no edge)
still supports. Every write runs in one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain, count
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from graph import merge as mg
from graph.model import Batch, Claim, EdgeRecord, EntityRecord
from graph.settings import get_settings
from graph.store.base import (
    ACTOR_TYPES,
    Chunk,
    EdgeFilter,
    GraphStore,
    Projection,
    SourceInfo,
    StoreBusy,
    WriteResult,
    check_score_columns,
)
from graph.store.schema import migrate
from graph.store.scores import from_row, to_columns
from graph.store.sqlite_tx import (
    BULK_CACHE_KIB,
    BULK_ROWS,
    CHUNK,
    SQLiteTx,
    chunked,
    foreign_keys_off,
    lookup_rows,
    marks,
)
from graph.store.writer import WriteTx

T = TypeVar("T")

# The page size of a new store (an existing file keeps its own: the pragma is a no-op once
# the file has tables). 16 KiB pages, against SQLite's default 4 KiB, made the 1M-relation
# load take about 12 % less CPU (fewer pages to split, cache and log in the WAL, fewer
# index levels) and 47 MB less memory (docs/benchmarks.md, seventh pass).
PAGE_SIZE = 16_384
SCAN_NODES, SCAN_SHARE = 2_000, 8  # scores of this many nodes, and 1/8 of all: one pass
BUSY = ("database is locked", "database is busy", "database table is locked")


class SQLiteStore(GraphStore):
    """GraphStore on one SQLite file."""

    kind = "sqlite"

    def __init__(self, path: str | Path, busy_timeout_s: float | None = None) -> None:
        """``busy_timeout_s``: how long a write waits for another writer to finish before
        it is refused (default: the ``busy_timeout_s`` setting)."""
        self.path = str(path)
        self.busy_timeout_s = (busy_timeout_s if busy_timeout_s is not None
                               else get_settings().busy_timeout_s)
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
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before WAL: it fixes the size
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
        """One ``BEGIN IMMEDIATE`` transaction on this thread's connection (its page cache
        size restored at the end). StoreBusy when another process holds the write lock for
        longer than the busy timeout."""
        db = self.db
        cache = db.execute("PRAGMA cache_size").fetchone()[0]
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._refused(exc) from None
        try:
            yield db
        except sqlite3.OperationalError as exc:
            db.execute("ROLLBACK")
            raise self._refused(exc) from exc
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")
        finally:
            db.execute(f"PRAGMA cache_size={int(cache)}")

    def _refused(self, exc: sqlite3.OperationalError) -> Exception:
        """StoreBusy for a held lock; the error itself otherwise."""
        if any(text in str(exc) for text in BUSY):
            return StoreBusy(f"{self.path}: database is busy ({exc}); another process is "
                             "writing to it, try again when it ends")
        return exc

    def transact(self, work: Callable[[WriteTx], T]) -> T:
        with self._tx() as db:
            return work(SQLiteTx(db))

    def write_parts(self, parts: Callable[[], Iterable[Batch]], rows: int) -> WriteResult:
        """As every store's, with SQLite's foreign-key checks off for the transaction: the
        writer resolves every reference to a row itself (a reference that does not resolve
        is refused before anything is written), so the checks only repeat its lookups, a
        third of the cost of inserting a million edges; the cascades they would make,
        :class:`SQLiteTx` makes itself (:attr:`SQLiteTx.cascades`)."""
        with foreign_keys_off(self.db):
            return super().write_parts(parts, rows)

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

    def lookup(self, form: str, keys: list[str]) -> Iterator[tuple[str, str]]:
        return ((row[0], row[1]) for row in lookup_rows(self.db, form, keys))

    def entities(self, ids: Iterable[str]) -> list[EntityRecord]:
        ids = list(dict.fromkeys(ids))
        rows: list[tuple] = []
        for chunk in chunked(ids):
            rows.extend(self.db.execute(f"{_NODE_SELECT} WHERE id IN ({marks(len(chunk))})",
                                        chunk))
        out = {rec.id: rec for rec in _records(self.db, rows)}
        return [out[i] for i in ids if i in out]

    def search_hits(self, key: str) -> tuple[list[str], list[str], list[str]]:
        phrase = '"' + key.replace('"', '""') + '"'
        return (self._ids("SELECT nid FROM aliases WHERE norm=?", key),
                self._ids("SELECT nid FROM aliases WHERE norm >= ? AND norm < ? LIMIT 2000",
                          key, key + "\uffff"),
                self._ids("SELECT rowid FROM names_fts WHERE names_fts MATCH ? LIMIT 2000",
                          phrase) if len(key) >= 3 else [])

    def _ids(self, nids_sql: str, *params: Any) -> list[str]:
        """The ids of the nodes whose row numbers a query selects, in creation order."""
        return [r[0] for r in self.db.execute(
            f"SELECT id FROM nodes WHERE nid IN ({nids_sql}) ORDER BY nid", params)]

    def edges(self, ids: Iterable[str], direction: str = "both",
              flt: EdgeFilter | None = None, limit: int | None = None,
              claims: bool = True) -> list[EdgeRecord]:
        ids = list(dict.fromkeys(ids))
        where, params = _edge_where(self.in_force(flt))
        ends = {"out": ["s.id"], "in": ["d.id"], "both": ["s.id", "d.id"]}[direction]
        out: dict[int, tuple] = {}
        for chunk in chunked(ids):
            for end in ends:
                sql = (f"{_EDGE_SELECT} WHERE {end} IN ({marks(len(chunk))}) AND {where}"
                       " ORDER BY e.confidence DESC, e.key" + (f" LIMIT {int(limit)}"
                                                              if limit else ""))
                for row in self.db.execute(sql, [*chunk, *params]):
                    out[row[0]] = row
        rows = sorted(out.values(), key=lambda r: (-r[6], r[1]))
        return self._edge_records(rows[:limit] if limit else rows, claims)

    def edges_among(self, ids: Iterable[str], flt: EdgeFilter | None = None,
                    claims: bool = True) -> list[EdgeRecord]:
        where, params = _edge_where(self.in_force(flt))
        nids = mg.to_json([r[0] for chunk in chunked(list(dict.fromkeys(ids)))
                           for r in self.db.execute(f"SELECT nid FROM nodes WHERE id IN"
                                                    f" ({marks(len(chunk))})", chunk)])
        rows = self.db.execute(
            f"{_EDGE_SELECT} WHERE e.src IN (SELECT value FROM json_each(?)) AND e.dst IN"
            f" (SELECT value FROM json_each(?)) AND {where} ORDER BY e.key",
            [nids, nids, *params]).fetchall()
        return self._edge_records(rows, claims)

    def degree(self, ids: Iterable[str], flt: EdgeFilter | None = None) -> dict[str, int]:
        where, params = _edge_where(self.in_force(flt))
        counts: dict[str, int] = {}
        for chunk in chunked(list(dict.fromkeys(ids))):
            for end in ("s", "d"):
                sql = (f"SELECT {end}.id, count(*) FROM edges e JOIN nodes s ON s.nid=e.src"
                       f" JOIN nodes d ON d.nid=e.dst WHERE {end}.id IN"
                       f" ({marks(len(chunk))}) AND {where} GROUP BY {end}.id")
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
        for chunk in chunked(eids):
            for eid, *rest in self.db.execute(
                    "SELECT c.eid, s.source_id, s.uri, s.loader, s.retrieved_at, c.locator,"
                    " c.confidence FROM edge_claims c JOIN sources s ON s.sid=c.sid"
                    f" WHERE c.eid IN ({marks(len(chunk))}) ORDER BY c.sid, c.locator",
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

    def actor_names(self) -> Iterator[tuple[str, str]]:
        """One SELECT, by the type index, of the people's and organisations' names, aliases
        and keys (an EntityRecord's aliases), in id order: no other node, property or score
        is read."""
        marks = ",".join("?" * len(ACTOR_TYPES))
        cur = self.db.cursor().execute(f"SELECT type, name, aliases, keys FROM nodes WHERE type"
                                       f" IN ({marks}) ORDER BY id", sorted(ACTOR_TYPES))
        for type_, name, aliases, keys in cur:
            yield name, type_
            yield from ((a, type_) for a in chain(mg.from_json(aliases), mg.from_json(keys)))

    def iter_edges(self, flt: EdgeFilter | None = None,
                   claims: bool = True) -> Iterator[EdgeRecord]:
        where, params = _edge_where(self.in_force(flt))
        cur = self.db.cursor().execute(f"{_EDGE_SELECT} WHERE {where} ORDER BY e.key", params)
        while rows := cur.fetchmany(2000):
            yield from self._edge_records(rows, claims)

    def projection(self, flt: EdgeFilter | None = None,
                   weight: str | None = None) -> Projection:
        """One pass over the edges, read into packed arrays (numbers only: the nodes are
        joined only when the filter names node types), then the ids of the endpoints in
        one lookup: at 10M relations this reads in a fraction of the time and memory of a
        Python object per edge."""
        flt = self.in_force(flt)
        where, params = _edge_where(flt)
        value = "e.weight" if weight in (None, "weight") else "json_extract(e.props, ?)"
        wparams = [] if weight in (None, "weight") else [f"$.{weight}"] * 2
        number = ("1.0" if weight is None else
                  f"CASE WHEN typeof({value}) IN ('integer', 'real') THEN {value} ELSE 0.0 END")
        joins = (" JOIN nodes s ON s.nid=e.src JOIN nodes d ON d.nid=e.dst" if flt.node_types
                 else "")
        rows = self.db.execute(f"SELECT e.src, e.dst, {number} FROM edges e{joins}"
                               f" WHERE {where}", [*wparams, *params])
        flat = np.fromiter(chain.from_iterable(rows), dtype=np.float64).reshape(-1, 3)
        src, dst, weights = (flat[:, i].astype(t) for i, t in enumerate((np.int64, np.int64,
                                                                         np.float64)))
        del flat  # the peak is here at 10M relations: let the row buffer go first
        nids = np.unique(np.concatenate((src, dst)))
        ids = [r[0] for r in self.db.execute(
            "SELECT n.id FROM json_each(?) j JOIN nodes n ON n.nid=j.value ORDER BY j.key",
            (json.dumps(nids.tolist()),))]
        return Projection(ids=ids, src=np.searchsorted(nids, src), dst=np.searchsorted(nids, dst),
                          weight=weights)

    def write_scores(self, metric: str, values: dict[str, Any]) -> None:
        self.write_score_columns(list(values), {metric: list(values.values())})

    def write_score_columns(self, ids: Sequence[str],
                            columns: Mapping[str, Sequence[Any] | np.ndarray],
                            positions: Mapping[str, Sequence[int] | np.ndarray] | None = None
                            ) -> None:
        """One transaction, set-based: the ids are resolved once, into a temporary table of
        (nid, position) (one ``nodes.id`` seek each, in SQLite; unknown ids are skipped);
        then per metric its column is staged by position (``positions[metric]`` for a
        metric that scores only some of the nodes), the metric's rows for nodes not
        staged are deleted and the staged rows upserted in nid order. A row whose value
        (and type) is unchanged is not rewritten, so recomputing identical scores leaves
        the ``scores_rank`` index alone."""
        where = check_score_columns(ids, columns, positions)
        with self._tx() as db:
            if len(ids) >= BULK_ROWS:
                db.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
            db.execute("CREATE TEMP TABLE score_nodes(nid INTEGER PRIMARY KEY, i INTEGER,"
                       " id TEXT)")
            db.executemany("INSERT OR REPLACE INTO temp.score_nodes(nid, i, id) SELECT nid, ?,"
                           " id FROM nodes WHERE id=?", enumerate(ids))
            for metric, values in columns.items():
                _write_score_column(db, metric, values, where.get(metric))
            db.execute("DROP TABLE temp.score_nodes")

    def top(self, metric: str, limit: int = 20) -> list[EntityRecord]:
        """Highest ``value`` first, ties by id: the first ``limit`` entries of the metric in
        the ``scores_rank`` index (metric, value DESC, id), each joined to its node, so a
        large tie costs no more than none."""
        cols = ", ".join(f"n.{c.strip()}" for c in _NODE_COLS.split(","))
        with self._snapshot() as db:
            rows = db.execute(
                f"SELECT {cols} FROM scores s INDEXED BY scores_rank CROSS JOIN nodes n"
                " ON n.nid=s.nid WHERE s.metric=? AND s.value IS NOT NULL"
                " ORDER BY s.value DESC, s.id LIMIT ?", (metric, limit)).fetchall()
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

    def dump(self, table: str) -> Iterator[tuple]:
        from graph.store.sqlite_sync import dump

        return dump(self.db, table)

    def restore(self, chunks: Iterator[Chunk]) -> None:
        """All chunks in one transaction."""
        from graph.store.sqlite_sync import SQLiteRestore

        with self._tx() as db:
            SQLiteRestore(db).run(chunks)

    def clear(self) -> None:
        from graph.store.sqlite_sync import clear

        with self._tx() as db:
            clear(db)

    def merge_log(self) -> list[dict[str, str]]:
        rows = self.db.execute("SELECT merged, into_id, reason, source_id FROM merge_log"
                               " ORDER BY rowid")
        return [dict(zip(("merged", "into", "reason", "source_id"), r, strict=False)) for r in rows]


_NODE_COLS = "nid, id, type, name, aliases, keys, props, first_seen, last_seen"
_NODE_SELECT = f"SELECT {_NODE_COLS} FROM nodes"
_EDGE_SELECT = ("SELECT e.eid, e.key, s.id, d.id, e.type, e.props, e.confidence FROM edges e"
                " JOIN nodes s ON s.nid=e.src JOIN nodes d ON d.nid=e.dst")


def _write_score_column(db: sqlite3.Connection, metric: str,
                        values: Sequence[Any] | np.ndarray,
                        positions: Sequence[int] | np.ndarray | None = None) -> None:
    """One metric of :meth:`SQLiteStore.write_score_columns`, in its transaction, the nodes
    in ``temp.score_nodes``; with ``positions``, only the nodes at those positions."""
    db.execute("CREATE TEMP TABLE score_column(i INTEGER PRIMARY KEY, value, detail)")
    at = count() if positions is None else (
        positions.tolist() if isinstance(positions, np.ndarray) else positions)
    db.executemany("INSERT INTO temp.score_column(i, value, detail) VALUES (?,?,?)",
                   zip(at, *to_columns(values), strict=False))  # detail may be repeat()
    staged = ("SELECT n.nid, n.id, c.value, c.detail FROM temp.score_nodes n"
              " JOIN temp.score_column c ON c.i=n.i")
    scored = ("SELECT nid FROM temp.score_nodes" if positions is None else
              "SELECT n.nid FROM temp.score_nodes n JOIN temp.score_column c ON c.i=n.i")
    db.execute(f"DELETE FROM scores WHERE metric=? AND nid NOT IN ({scored})", (metric,))
    db.execute(f"INSERT INTO scores(nid, id, metric, value, detail) SELECT nid, id, ?, value,"
               f" detail FROM ({staged}) WHERE true ON CONFLICT(metric, nid) DO UPDATE SET"
               " value=excluded.value, detail=excluded.detail, id=excluded.id WHERE"
               " typeof(value) <> typeof(excluded.value) OR value <> excluded.value OR detail"
               " IS NOT excluded.detail OR id IS NOT excluded.id", (metric,))
    if db.execute(f"{scored} LIMIT 1").fetchone():
        # the metric is now the last one written
        db.execute("INSERT INTO score_metrics(metric, seq) SELECT ?, coalesce(max(seq), 0) + 1"
                   " FROM score_metrics WHERE true ON CONFLICT(metric) DO UPDATE"
                   " SET seq=excluded.seq", (metric,))
    else:
        db.execute("DELETE FROM score_metrics WHERE metric=?", (metric,))
    db.execute("DROP TABLE temp.score_column")


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
    for chunk in chunked(nids):
        for nid, metric, value, detail in db.execute(
                "SELECT s.nid, s.metric, s.value, s.detail FROM score_metrics m CROSS JOIN"
                f" scores s ON s.metric=m.metric WHERE s.nid IN ({marks(len(chunk))})"
                " ORDER BY s.nid, m.seq", chunk):  # a primary-key seek per metric and node
            scores = found.setdefault(nid, {})
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


def _edge_where(flt: EdgeFilter | None) -> tuple[str, list[Any]]:
    flt = flt or EdgeFilter()
    clauses = ["e.confidence >= ?"]
    params: list[Any] = [flt.min_confidence - 1e-12]
    if flt.rel_types:
        clauses.append(f"e.type IN ({marks(len(flt.rel_types))})")
        params.extend(sorted(flt.rel_types))
    if flt.node_types:
        types = marks(len(flt.node_types))
        clauses.append(f"s.type IN ({types}) AND d.type IN ({types})")
        params.extend([*sorted(flt.node_types), *sorted(flt.node_types)])
    if flt.as_of:
        clauses.append("(e.start IS NULL OR e.start <= ?) AND (e.end IS NULL OR e.end >= ?)")
        params.extend([flt.as_of, flt.as_of])
    if flt.hidden_sources:  # a claim from a source in force (graph/timeline.py)
        clauses.append("EXISTS (SELECT 1 FROM edge_claims c JOIN sources cs ON cs.sid=c.sid"
                       " WHERE c.eid=e.eid AND cs.source_id NOT IN"
                       f" ({marks(len(flt.hidden_sources))}))")
        params.extend(sorted(flt.hidden_sources))
    return " AND ".join(clauses), params

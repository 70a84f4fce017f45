"""The SQLite store's write primitives (:class:`graph.store.writer.WriteTx`) on one open
``BEGIN IMMEDIATE`` transaction.

Nodes and edges have integer row numbers (``nid``, ``eid``) that the tables join on; the
primitives take entity ids and edge keys and map them to row numbers inside, remembering
every mapping they read or make for the rest of the transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain, count
from typing import Any

from graph import merge as mg
from graph.ids import fold, normalise_name
from graph.model import Batch, Entity, Judgement, Relation
from graph.store.writer import (
    AppendedState,
    EdgeState,
    Held,
    NewEdge,
    NodeState,
    StagedEdges,
    StagedNodes,
    WriteTx,
    chunks,
    edge_values,
    node_values,
    stored_claim,
)
from graph.vocab import endpoint_error, node_type

CHUNK = 500  # values per IN (...) list
BULK_ROWS = 20_000  # a batch this large is written with a larger page cache
BULK_CACHE_KIB = 256 * 1024
ALL_IDS = 5_000  # at least this many ids: read the whole id -> nid map once
SORT_THREADS = 2  # helper threads SQLite may sort with while it rebuilds an index
# The page cache while the deferred indexes are rebuilt. SQLite's sorter sizes each in-memory
# run by cache_size and may hold one per sorting thread (SORT_THREADS + 1): with
# BULK_CACHE_KIB that was 768 MB more at 10M relations (issue 16); with this, 96 MB.
REBUILD_CACHE_KIB = 32 * 1024
# A write of at most this many records rebuilds with the write's own cache instead: each
# index's rows then sort in one in-memory run (at 1M relations about 100 MB more memory for
# about 0.7 CPU s less than merging 32 MB runs; docs/benchmarks.md, seventh pass).
ONE_RUN_ROWS = 2_000_000
# References resolved by id, redirect or key kept across the parts of a streamed write while
# no node changes (an edge list names the same hubs in every part); at most this many.
RESOLVED_MAX = 300_000

# Secondary indexes that a batch at least as large as the graph drops and rebuilds instead of
# updating row by row: SQLite builds an index from sorted rows several times faster than it
# makes a million random insertions. The rebuild is part of the batch's transaction.
DEFERRABLE_INDEXES = ("edges_src", "edges_dst", "edges_type", "edge_claims_sid",
                      "node_claims_sid", "aliases_nid")

_NODE_CLAIM_COLS = "type, name, aliases, keys, props, locator, first_seen, last_seen"
# a node's derived columns (node_values), also a claim's: "{0}" is the table's alias
_DERIVED_COLS = ", ".join("{0}." + c for c in ("type", "name", "aliases", "keys", "props",
                                                "first_seen", "last_seen"))


def chunked(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size`` (CHUNK by default)."""
    return chunks(items, size)


def marks(n: int) -> str:
    return ",".join("?" * n)


def by_ids(db: sqlite3.Connection, ids: Collection[str]) -> dict[str, int]:
    """The nids of the nodes with these ids (unknown ids left out): for many ids one read of
    the id index, else lookups in chunks."""
    if len(ids) >= ALL_IDS:
        every = dict(db.execute("SELECT id, nid FROM nodes"))
        return {i: nid for i in ids if (nid := every.get(i)) is not None}
    out: dict[str, int] = {}
    for chunk in chunked(list(ids)):
        out.update(db.execute(f"SELECT id, nid FROM nodes WHERE id IN ({marks(len(chunk))})",
                              chunk))
    return out


_INSERT_NODES = ("INSERT INTO nodes(nid, id, type, name, aliases, keys, props, first_seen,"
                 " last_seen) VALUES (?,?,?,?,?,?,?,?,?)")
_INSERT_ALIASES = "INSERT OR IGNORE INTO aliases(norm, nid, kind) VALUES (?,?,?)"
_INSERT_SEARCH = "INSERT INTO names_fts(rowid, text) VALUES (?,?)"
_INSERT_NODE_CLAIMS = (f"INSERT INTO node_claims(nid, sid, {_NODE_CLAIM_COLS})"
                       " VALUES (?,?,?,?,?,?,?,?,?,?)")


def put_nodes(db: sqlite3.Connection, rows: Iterable[tuple[int, str | None, mg.DerivedNode]],
              replace: bool) -> None:
    """Insert new nodes ``(nid, id, node)`` (or rewrite existing ones when ``replace``)
    with their alias-index and name-search rows, a statement per table. Each node's rows
    are made together, so its names are folded once (``fold`` is memoised)."""
    node_rows: list[tuple] = []
    alias_rows: list[tuple[str, int, str]] = []
    search_rows: list[tuple[int, str]] = []
    for nid, node_id, node in rows:
        values = node_values(node)
        node_rows.append((*values, nid) if replace else (nid, node_id, *values))
        alias_rows.extend((norm, nid, kind) for norm, kind in mg.alias_rows(node))
        search_rows.append((nid, " ".join(fold(n) for n in (node.name, *node.aliases))))
    if replace:
        db.executemany("UPDATE nodes SET type=?, name=?, aliases=?, keys=?, props=?,"
                       " first_seen=?, last_seen=? WHERE nid=?", node_rows)
        db.executemany("DELETE FROM aliases WHERE nid=?", [(r[-1],) for r in node_rows])
        db.executemany("DELETE FROM names_fts WHERE rowid=?", [(r[-1],) for r in node_rows])
    else:
        db.executemany(_INSERT_NODES, node_rows)
    db.executemany(_INSERT_ALIASES, alias_rows)
    db.executemany(_INSERT_SEARCH, search_rows)


def new_node_rows(ent: Entity) -> tuple[tuple, tuple, list[tuple[str, str]], str]:
    """An entity that is its new node's one claim, as the node's columns (the
    :func:`~graph.store.writer.node_values` of ``derive_node([claim_of(ent)])``), the
    claim's (:func:`graph.merge.claim_values`), the node's alias rows
    (:func:`graph.merge.alias_rows`) and its search text, each name folded once."""
    own = fold(ent.name)
    names = {own: ent.name}
    for alias in ent.aliases:
        names.setdefault(fold(alias), alias)
    keys: dict[str, str] = {}
    for key in ent.keys:
        keys.setdefault(mg.key_norm(key), key)
    aliases = [n for k, n in names.items() if k != own]
    claim = mg.claim_values(ent)
    node = (ent.type, ent.name, claim[2] if aliases == ent.aliases else mg.to_json(aliases),
            claim[3] if len(keys) == len(ent.keys) else mg.to_json(list(keys.values())),
            claim[4], ent.first_seen or None, ent.last_seen or None)
    family = node_type(ent.type).family
    rows = {(k, "name") for k in names}
    rows.update((normalise_name(n, family), "name") for n in names.values())
    rows.update((k, "key") for k in keys)
    return node, claim, sorted(r for r in rows if r[0]), " ".join(names)


REF_SQL = {
    "id": "SELECT id, id, nid, type FROM nodes WHERE id IN ({})",
    "redirect": "SELECT r.old_id, n.id, n.nid, n.type FROM redirects r JOIN nodes n"
                " ON n.id=r.new_id WHERE r.old_id IN ({})",
    "key": "SELECT a.norm, n.id, n.nid, n.type FROM aliases a JOIN nodes n ON n.nid=a.nid"
           " WHERE a.kind='key' AND a.norm IN ({})",
    "name": "SELECT a.norm, n.id, n.nid, n.type FROM aliases a JOIN nodes n ON n.nid=a.nid"
            " WHERE a.kind='name' AND a.norm IN ({})",
}


# A reference's nodes by id, by merged (redirected) id and by key (graph.merge.REF_FORMS), each
# one statement over a temporary table of the references: many chunked IN lists cost more.
_RESOLVE_SQL = (
    "SELECT r.ref, n.id, n.nid, n.type FROM resolving r CROSS JOIN nodes n ON n.id=r.ref",
    "SELECT r.ref, n.id, n.nid, n.type FROM resolving r CROSS JOIN redirects d"
    " ON d.old_id=r.ref CROSS JOIN nodes n ON n.id=d.new_id",
    "SELECT r.ref, n.id, n.nid, n.type FROM resolving r CROSS JOIN aliases a"
    " ON a.norm=r.norm AND a.kind='key' CROSS JOIN nodes n ON n.nid=a.nid")


def lookup_rows(db: sqlite3.Connection, form: str, keys: list[str]) -> list[tuple]:
    """``(key, id, nid, type)`` of the nodes these keys name in one reference form."""
    sql, out = REF_SQL[form].format(marks(CHUNK)), []
    for chunk in chunked(keys):
        out += db.execute(sql if len(chunk) == CHUNK else
                          REF_SQL[form].format(marks(len(chunk))), chunk).fetchall()
    return out


@contextmanager
def pragmas(db: sqlite3.Connection, **values: int) -> Iterator[None]:
    """These integer pragmas set while the block runs, restored after (also on failure)."""
    before = {name: db.execute(f"PRAGMA {name}").fetchone()[0] for name in values}
    for name, value in values.items():
        db.execute(f"PRAGMA {name}={int(value)}")
    try:
        yield
    finally:
        for name, value in before.items():
            db.execute(f"PRAGMA {name}={int(value)}")


@contextmanager
def foreign_keys_off(db: sqlite3.Connection) -> Iterator[None]:
    """Foreign-key enforcement off while the block runs its transaction, restored after on
    every way out (:func:`pragmas`). The pragma is a no-op inside a transaction, so it is
    set before the block opens one, and a transaction the block left open (a failed
    ``COMMIT``) is rolled back before it is restored."""
    with pragmas(db, foreign_keys=0):
        try:
            yield
        finally:
            if db.in_transaction:
                db.execute("ROLLBACK")


@contextmanager
def staged(db: sqlite3.Connection, table: str, rows: Iterable[tuple]) -> Iterator[None]:
    """``rows`` in a temporary table (``table``: its name and columns) while the block runs:
    a statement joining them reads many values at the cost of one. Emptied after."""
    name, columns = table.split("(", 1)
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table}")
    db.executemany(f"INSERT INTO {name} VALUES ({marks(columns.count(',') + 1)})", rows)
    try:
        yield
    finally:
        db.execute(f"DELETE FROM {name}")


# The tables whose rows refer to a source, ON DELETE CASCADE (graph/store/schema.py).
_SOURCE_CHILDREN = ("node_claims(sid)", "edge_claims(sid)", "judgements(sid)", "absorbed(sid)")

End = tuple[str, int, str]  # a resolved reference: node id, nid, node type

_INSERT_EDGES = ("INSERT INTO edges(key, src, dst, type, props, confidence, weight, start, end)"
                 " VALUES (?,?,?,?,?,?,?,?,?)")
_INSERT_EDGE_CLAIMS = ("INSERT INTO edge_claims(eid, sid, locator, confidence, props)"
                       " VALUES (?,?,?,?,?)")


def edge_row(rel: Relation, src: End, dst: End) -> tuple:
    """A relation that is its edge's one claim, as one row: the edge's key, ends' nids,
    type, properties JSON, confidence, weight, start, end (the ``edges`` columns), then
    the claim's confidence and locator and the ends' node types."""
    props = mg.to_json(rel.properties)
    return (mg.edge_key(src[0], rel.type, dst[0], rel.discriminator()), src[1], dst[1],
            rel.type, props, *mg.edge_columns(rel.confidence, rel.properties),
            rel.confidence, rel.locator or "", src[2], dst[2])


class SQLiteTx(WriteTx):
    """The write primitives inside one open transaction on ``db``."""

    chunk = CHUNK

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.sid: dict[str, int] = {}
        self.nid: dict[str, int] = {}
        self.eid: dict[str, int] = {}
        self.types: dict[str, str] = {}  # node id -> type, of the nodes looked up
        self.resolved: dict[str, End] = {}  # ref -> (id, nid, type)
        # whether deleting a row deletes the rows that refer to it (ON DELETE CASCADE, with
        # foreign keys on); else the deletes below delete them
        self.cascades = bool(db.execute("PRAGMA foreign_keys").fetchone()[0])

    # -- sources and judgements
    def upsert_source(self, batch: Batch) -> None:
        self.db.execute(
            "INSERT INTO sources(source_id, uri, loader, retrieved_at, loaded_at, dataset,"
            " observed) VALUES (?,?,?,?,datetime('now'),?,?) ON CONFLICT(source_id) DO UPDATE"
            " SET uri=excluded.uri, loader=excluded.loader, retrieved_at=excluded.retrieved_at,"
            " loaded_at=excluded.loaded_at, dataset=excluded.dataset,"
            " observed=excluded.observed",
            (batch.source_id, batch.uri, batch.loader, batch.retrieved_at, batch.dataset,
             batch.observed))

    def _sid(self, source_id: str) -> int | None:
        if source_id not in self.sid:
            row = self.db.execute("SELECT sid FROM sources WHERE source_id=?",
                                  (source_id,)).fetchone()
            if row is None:
                return None
            self.sid[source_id] = row[0]
        return self.sid[source_id]

    def source_exists(self, source_id: str) -> bool:
        return self._sid(source_id) is not None

    def source_claims(self, source_id: str) -> Held:
        sid = self._sid(source_id)
        held = Held()
        for nid, node_id, *values in self.db.execute(
                f"SELECT c.nid, n.id, {', '.join('c.' + c for c in _NODE_CLAIM_COLS.split(', '))}"
                " FROM node_claims c JOIN nodes n ON n.nid=c.nid WHERE c.sid=?", (sid,)):
            self.nid[node_id] = nid
            held.nodes[node_id] = tuple(values)
        for eid, key, rtype, locator, confidence, props in self.db.execute(
                "SELECT c.eid, e.key, e.type, c.locator, c.confidence, c.props FROM edge_claims c"
                " JOIN edges e ON e.eid=c.eid WHERE c.sid=?", (sid,)):
            self.eid[key] = eid
            held.edges[(key, locator)] = (rtype, (locator, confidence, props))
        return held

    def own_node_claims(self, source_id: str, ids: list[str]) -> dict[str, tuple]:
        sid, out = self._sid(source_id), {}
        cols = ", ".join("c." + c for c in _NODE_CLAIM_COLS.split(", "))
        for chunk in chunked(ids):
            for node_id, *values in self.db.execute(
                    f"SELECT n.id, {cols} FROM nodes n JOIN node_claims c ON c.nid=n.nid"
                    f" AND c.sid=? WHERE n.id IN ({marks(len(chunk))})", [sid, *chunk]):
                out[node_id] = tuple(values)
        return out

    def forget(self) -> None:
        self.nid.clear()
        self.eid.clear()
        self.types.clear()

    def set_source_counts(self, source_id: str, entities: int, relations: int) -> None:
        self.db.execute("UPDATE sources SET n_entities=?, n_relations=? WHERE sid=?",
                        (entities, relations, self._sid(source_id)))

    def delete_source(self, source_id: str) -> None:
        """Its claims and judgements go with it (foreign keys ON DELETE CASCADE)."""
        sid = self._sid(source_id)
        self._delete_referring(_SOURCE_CHILDREN, [(sid,)])
        self.db.execute("DELETE FROM sources WHERE sid=?", (sid,))

    def _delete_referring(self, children: tuple[str, ...], keys: list[tuple]) -> None:
        """Without cascades, delete the rows of ``children`` (``table(column)``) that refer
        to these keys."""
        if self.cascades:
            return
        for child in children:
            table, column = child.rstrip(")").split("(")
            self.db.executemany(f"DELETE FROM {table} WHERE {column}=?", keys)

    def replace_judgements(self, source_id: str, judgements: list[Judgement]) -> None:
        sid = self._sid(source_id)
        self.db.execute("DELETE FROM judgements WHERE sid=?", (sid,))
        self.db.executemany("INSERT INTO judgements(sid, a, b, same, locator) VALUES (?,?,?,?,?)",
                            [(sid, j.a, j.b, int(j.same), j.locator) for j in judgements])

    def judgements(self) -> Iterable[tuple[str, str, bool]]:
        return self.db.execute("SELECT a, b, same FROM judgements ORDER BY sid DESC")

    # -- lookups
    def has_nodes(self) -> bool:
        return self.db.execute("SELECT 1 FROM nodes LIMIT 1").fetchone() is not None

    def lookup(self, form: str, keys: list[str]) -> list[tuple[str, str]]:
        rows = lookup_rows(self.db, form, keys)
        self.nid.update((node_id, nid) for _, node_id, nid, _ in rows)
        self.types.update((node_id, type_) for _, node_id, _, type_ in rows)
        return [(key, node_id) for key, node_id, _, _ in rows]

    def resolve(self, refs: Collection[str]) -> dict[str, str]:
        """Set-based (:meth:`_resolved`) for ids, redirects and keys; what these leave is
        tried again through :meth:`lookup` (names)."""
        unique = list(dict.fromkeys(refs))
        out = {}
        nids, types = self.nid, self.types
        for ref, (node_id, nids[node_id], types[node_id]) in self._resolved(unique).items():
            out[ref] = node_id
        if len(out) < len(unique):
            out.update(mg.resolve_references([r for r in unique if r not in out], self.lookup))
        return out

    def _resolved(self, unique: list[str]) -> dict[str, End]:
        """``(id, nid, type)`` of each reference an id, redirect or key names
        (:data:`_RESOLVE_SQL`), each form for the references still unresolved, a reference
        that finds several nodes in a form left for the next. Answers are kept
        (:data:`RESOLVED_MAX`) until a node, alias or redirect changes. ``unique``: distinct
        references."""
        pending = [r for r in unique if r not in self.resolved]
        found: dict[str, End] = {}
        with staged(self.db, "resolving(ref TEXT, norm TEXT)",
                    zip(pending, map(mg.key_norm, pending), strict=True)):
            for sql in _RESOLVE_SQL:
                hits: dict[str, End] = {}
                ambiguous = set()
                for ref, *hit in self.db.execute(sql):
                    if ref not in found and hits.setdefault(ref, tuple(hit))[1] != hit[1]:
                        ambiguous.add(ref)
                for ref in ambiguous:
                    del hits[ref]
                found.update(hits)
        if len(self.resolved) + len(found) > RESOLVED_MAX:
            self.resolved.clear()
        self.resolved.update(found)
        kept = self.resolved
        return {ref: hit for ref in unique if (hit := found.get(ref) or kept.get(ref))}

    def _ends(self, refs: set[str]) -> dict[str, End] | None:
        """``(id, nid, type)`` of each reference as :meth:`resolve` resolves it, or None
        when one does not resolve."""
        ends = self._resolved(list(refs))
        if len(ends) < len(refs):
            missing = [r for r in refs if r not in ends]
            named = mg.resolve_references(missing, self.lookup)
            if len(named) < len(missing):
                return None
            ends.update((r, (i, self.nid[i], self.types[i])) for r, i in named.items())
        return ends

    def _nodes_changed(self, rows: Collection[Any]) -> None:
        """Nodes, their aliases or redirects are written (when ``rows``): what references
        resolve to may change."""
        if rows:
            self.resolved.clear()

    def name_candidates(self, norms: list[str]) -> dict[str, set[tuple[str, str]]]:
        out: dict[str, set[tuple[str, str]]] = {}
        for chunk in chunked(norms):
            for norm, node_id, type_, nid in self.db.execute(
                    "SELECT a.norm, n.id, n.type, n.nid FROM aliases a JOIN nodes n"
                    f" ON n.nid=a.nid WHERE a.kind='name' AND a.norm IN ({marks(len(chunk))})"
                    " UNION ALL SELECT id, id, type, nid FROM nodes"  # judgements name ids
                    f" WHERE id IN ({marks(len(chunk))})", [*chunk, *chunk]):
                self.nid[node_id] = nid
                out.setdefault(norm, set()).add((node_id, type_))
        return out

    def node_types(self, ids: list[str]) -> dict[str, str]:
        out = {i: t for i in ids if (t := self.types.get(i))}
        for chunk in chunked([i for i in ids if i not in out]):
            out.update(self.db.execute(
                f"SELECT id, type FROM nodes WHERE id IN ({marks(len(chunk))})", chunk))
        return out

    def existing_edges(self, edges: dict[str, str]) -> set[str]:
        found: dict[str, int] = {}
        for chunk in chunked(list(edges)):
            found.update(self.db.execute(
                f"SELECT key, eid FROM edges WHERE key IN ({marks(len(chunk))})", chunk))
        self.eid.update(found)
        return set(found)

    def _nids(self, ids: Iterable[str]) -> dict[str, int]:
        """The id -> nid map, holding at least these ids (when they exist)."""
        missing = [i for i in ids if i not in self.nid]
        if missing:
            self.nid.update(by_ids(self.db, missing))
        return self.nid

    def _eids(self, keys: Iterable[str]) -> dict[str, int]:
        """The key -> eid map, holding at least these keys (when they exist)."""
        missing = [k for k in keys if k not in self.eid]
        if missing:
            self.existing_edges(dict.fromkeys(missing, ""))
        return self.eid

    def _next(self, table: str, col: str) -> int:
        return (self.db.execute(f"SELECT max({col}) FROM {table}").fetchone()[0] or 0) + 1

    # -- writes
    @contextmanager
    def bulk(self, rows: int) -> Iterator[None]:
        """A larger page cache (until the transaction ends) for a large batch, so index pages
        stay in memory; and without the deferrable indexes while a batch at least as large
        as the graph is written, rebuilt on leaving (a failure rolls both back): sorted in
        the write's cache up to ONE_RUN_ROWS records, else in REBUILD_CACHE_KIB."""
        if rows < BULK_ROWS:
            yield
            return
        self.db.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        held = self.db.execute("SELECT (SELECT coalesce(max(eid), 0) FROM edges)"
                               " + (SELECT coalesce(max(nid), 0) FROM nodes)").fetchone()[0]
        if rows < held:
            yield
            return
        found = self.db.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type='index' AND name IN"
            f" ({marks(len(DEFERRABLE_INDEXES))})", DEFERRABLE_INDEXES).fetchall()
        for name, _ in found:
            self.db.execute(f'DROP INDEX "{name}"')
        yield
        cache = BULK_CACHE_KIB if rows <= ONE_RUN_ROWS else REBUILD_CACHE_KIB
        with pragmas(self.db, cache_size=-cache, threads=SORT_THREADS):
            for _, sql in found:
                self.db.execute(sql)

    def create_nodes(self, rows: list[tuple[str, mg.DerivedNode]]) -> None:
        self._nodes_changed(rows)
        nid = self._next("nodes", "nid")
        numbered = []
        for node_id, node in rows:
            self.nid[node_id] = nid
            numbered.append((nid, node_id, node))
            nid += 1
        put_nodes(self.db, numbered, replace=False)

    def create_edges(self, rows: list[NewEdge]) -> None:
        if not rows:
            return
        eid = self._next("edges", "eid")
        nids = self._nids({i for r in rows for i in (r.source, r.target)})
        values = []
        for row in rows:
            self.eid[row.key] = eid
            values.append((eid, row.key, nids[row.source], nids[row.target], row.type,
                           *row.values))
            eid += 1
        self.db.executemany("INSERT INTO edges(eid, key, src, dst, type, props, confidence,"
                            " weight, start, end) VALUES (?,?,?,?,?,?,?,?,?,?)", values)

    def write_staged_edges(self, source_id: str,
                           relations: list[Relation]) -> StagedEdges | None:
        """One row per relation, made in one pass from the references resolved once
        (:meth:`resolve`), sorted by edge key; duplicate keys and families checked over the
        rows; then the edges and their claims in one ``executemany`` each. The per-relation
        grouping, state objects and claim maps of the writer's path (about 20 CPU s at 1M
        relations) are not made. A reference that does not resolve, a broken family, two
        relations of one fact or a fact already stored (the edges' insert is undone to its
        savepoint) leave nothing written."""
        ends = self._ends({r.source for r in relations} | {r.target for r in relations})
        if ends is None:
            return None
        rows = sorted(edge_row(r, ends[r.source], ends[r.target]) for r in relations)
        kinds = {(row[3], row[-2], row[-1]) for row in rows}
        # the families of this part's ends only: self.types may hold every node looked up
        families = {t: node_type(t).family for kind in kinds for t in kind[1:]}
        if len({row[0] for row in rows}) < len(rows) or any(
                endpoint_error(rel_type, families[src], families[dst])
                for rel_type, src, dst in kinds):
            return None
        first = self._next("edges", "eid")
        self.db.execute("SAVEPOINT staged_edges")
        try:
            self.db.executemany(_INSERT_EDGES, (row[:9] for row in rows))
        except sqlite3.IntegrityError:  # a fact already stored
            self.db.execute("ROLLBACK TO staged_edges")
            return None
        finally:
            self.db.execute("RELEASE staged_edges")
        sid = self._sid(source_id)
        self.db.executemany(_INSERT_EDGE_CLAIMS, ((eid, sid, row[10], row[9], row[4])
                                                  for eid, row in enumerate(rows, first)))
        return StagedEdges(created=len(rows), claims=len(rows))

    def write_staged_nodes(self, source_id: str, entities: list[Entity]) -> StagedNodes | None:
        """Each entity's node, claim, alias and search rows made in one pass
        (:func:`new_node_rows`), then one ``executemany`` per table; the per-entity
        claim and derived-node objects of the writer's path are not made. An id already
        stored (the nodes' insert fails on it and is undone to its savepoint) leaves
        nothing written."""
        self._nodes_changed(entities)
        first = self._next("nodes", "nid")
        made = [new_node_rows(ent) for ent in entities]
        self.db.execute("SAVEPOINT staged_nodes")
        try:
            self.db.executemany(_INSERT_NODES, ((nid, ent.id, *rows[0]) for nid, ent, rows
                                                in zip(count(first), entities, made)))
        except sqlite3.IntegrityError:  # a node with one of these ids is stored
            self.db.execute("ROLLBACK TO staged_nodes")
            return None
        finally:
            self.db.execute("RELEASE staged_nodes")
        sid, numbered = self._sid(source_id), list(enumerate(made, first))
        self.db.executemany(_INSERT_ALIASES, ((norm, nid, kind) for nid, rows in numbered
                                              for norm, kind in rows[2]))
        self.db.executemany(_INSERT_SEARCH, ((nid, rows[3]) for nid, rows in numbered))
        self.db.executemany(_INSERT_NODE_CLAIMS, ((nid, sid, *rows[1]) for nid, rows in numbered))
        return StagedNodes(created=len(made))

    def write_claims(self, source_id: str, removed: Held, added: Held) -> None:
        sid = self._sid(source_id)
        nids = self._nids(chain(removed.nodes, added.nodes))
        eids = self._eids(k for k, _ in chain(removed.edges, added.edges))
        self.db.executemany("DELETE FROM node_claims WHERE nid=? AND sid=?",
                            [(nids[i], sid) for i in removed.nodes])
        self.db.executemany("DELETE FROM edge_claims WHERE eid=? AND sid=? AND locator=?",
                            [(eids[k], sid, loc) for k, loc in removed.edges])
        self.db.executemany(_INSERT_NODE_CLAIMS,
                            [(nids[i], sid, *v) for i, v in added.nodes.items()])
        self.db.executemany("INSERT INTO edge_claims(eid, sid, locator, confidence, props)"
                            " VALUES (?,?,?,?,?)",
                            [(eids[k], sid, *v) for (k, _), (_, v) in added.edges.items()])

    def log_merges(self, source_id: str, merges: list[tuple[str, str, str]]) -> None:
        self._nodes_changed(merges)
        self.db.executemany("INSERT OR REPLACE INTO redirects(old_id, new_id, reason)"
                            " VALUES (?,?,?)", merges)
        self.db.executemany("INSERT INTO merge_log(merged, into_id, reason, source_id)"
                            " VALUES (?,?,?,?)", [(*m, source_id) for m in merges])

    def node_loaders(self, ids: list[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for chunk in chunked(ids):
            for node_id, loader in self.db.execute(
                    "SELECT n.id, s.loader FROM nodes n JOIN node_claims c ON c.nid=n.nid"
                    f" JOIN sources s ON s.sid=c.sid WHERE n.id IN ({marks(len(chunk))})",
                    chunk):
                out.setdefault(node_id, set()).add(loader)
        return out

    # -- absorbing one node into another
    def claims_touching(self, ids: list[str]) -> tuple[dict[str, Held], dict[str, tuple]]:
        nids = self._nids(ids)
        wanted = [nids[i] for i in ids if i in nids]
        out: dict[str, Held] = {}
        cols = ", ".join("c." + c for c in _NODE_CLAIM_COLS.split(", "))
        for source_id, node_id, *values in self.db.execute(
                f"SELECT s.source_id, n.id, {cols}"
                " FROM node_claims c JOIN nodes n ON n.nid=c.nid JOIN sources s ON s.sid=c.sid"
                f" WHERE c.nid IN ({marks(len(wanted))})", wanted):
            out.setdefault(source_id, Held()).nodes[node_id] = tuple(values)
        ends: dict[str, tuple] = {}
        for eid, key, rtype, src, dst, source_id, locator, confidence, props in self.db.execute(
                "SELECT e.eid, e.key, e.type, a.id, b.id, s.source_id, c.locator, c.confidence,"
                " c.props FROM edges e JOIN nodes a ON a.nid=e.src JOIN nodes b ON b.nid=e.dst"
                " LEFT JOIN edge_claims c ON c.eid=e.eid LEFT JOIN sources s ON s.sid=c.sid"
                f" WHERE e.src IN ({marks(len(wanted))}) OR e.dst IN ({marks(len(wanted))})",
                wanted * 2):
            self.eid[key] = eid
            ends[key] = (src, rtype, dst)
            if source_id is not None:
                out.setdefault(source_id, Held()).edges[(key, locator)] = (
                    rtype, (locator, confidence, props))
        return out, ends

    def save_absorbed(self, source_id: str, absorbed: str, kept: str, record: str) -> None:
        self.db.execute("INSERT INTO absorbed(sid, absorbed, kept, record) VALUES (?,?,?,?)",
                        (self._sid(source_id), absorbed, kept, record))

    def take_absorbed(self, source_id: str) -> list[tuple[str, str, str]]:
        self._nodes_changed([source_id])  # the redirects of what it absorbed go
        sid = self._sid(source_id)
        taken = self.db.execute("SELECT absorbed, kept, record FROM absorbed WHERE sid=?"
                                " ORDER BY seq", (sid,)).fetchall()
        self.db.execute("DELETE FROM absorbed WHERE sid=?", (sid,))
        self.db.executemany("DELETE FROM redirects WHERE old_id=? AND new_id=?",
                            [(a, k) for a, k, _ in taken])
        return [tuple(row) for row in taken]

    # -- collection
    def edge_states(self, edges: dict[str, str], exclude: str | None) -> list[EdgeState]:
        keys = list(edges)
        skip = self._sid(exclude) if exclude else -1
        rows = self.db.execute(
            "SELECT e.eid, e.key, e.type, s.id, d.id, e.props, e.confidence, e.weight, e.start,"
            " e.end FROM edges e JOIN nodes s ON s.nid=e.src JOIN nodes d ON d.nid=e.dst"
            f" WHERE e.key IN ({marks(len(keys))})", keys).fetchall()
        claims: dict[int, list[tuple[float, dict[str, Any]]]] = {}
        for eid, confidence, props in self.db.execute(
                "SELECT eid, confidence, props FROM edge_claims WHERE eid IN"
                f" ({marks(len(rows))}) AND sid<>? ORDER BY eid, sid, locator",
                [r[0] for r in rows] + [skip]):
            claims.setdefault(eid, []).append((confidence, mg.from_json(props)))
        out = []
        for eid, key, rtype, src, dst, *before in rows:
            self.eid[key] = eid
            out.append(EdgeState(key, rtype, src, dst, tuple(before), claims.get(eid, [])))
        return out

    def node_states(self, ids: Sequence[str], exclude: str | None) -> list[NodeState]:
        """Degrees are counted only for the nodes left with no claims (the writer reads no
        other): counting a hub's edges on every write that touches it grows with the hub."""
        skip = self._sid(exclude) if exclude else -1
        rows = self.db.execute(
            "SELECT nid, id, type, name, aliases, keys, props, first_seen, last_seen FROM nodes"
            f" WHERE id IN ({marks(len(ids))})", list(ids)).fetchall()
        claims: dict[int, list[mg.NodeClaim]] = {}
        for nid, *values in self.db.execute(
                "SELECT nid, type, name, aliases, keys, props, first_seen, last_seen FROM"
                f" node_claims WHERE nid IN ({marks(len(rows))}) AND sid<>? ORDER BY nid, sid",
                [r[0] for r in rows] + [skip]):
            claims.setdefault(nid, []).append(stored_claim(tuple(values)))
        unclaimed = [r[0] for r in rows if r[0] not in claims]
        degrees = dict(self.db.execute(
            "SELECT nid, (SELECT count(*) FROM edges WHERE src=nodes.nid) + (SELECT count(*)"
            f" FROM edges WHERE dst=nodes.nid) FROM nodes WHERE nid IN"
            f" ({marks(len(unclaimed))})", unclaimed)) if unclaimed else {}
        out = []
        for nid, node_id, *before in rows:
            self.nid[node_id] = nid
            out.append(NodeState(node_id, before[0], tuple(before), claims.get(nid, []),
                                 degrees.get(nid, 0)))
        return out

    def appended_states(self, ids: Sequence[str], source_id: str) -> list[AppendedState]:
        sid, cols = self._sid(source_id), _DERIVED_COLS
        rows = self.db.execute(
            f"SELECT n.nid, n.id, {cols.format('n')}, {cols.format('f')}, {cols.format('o')}"
            " FROM nodes n JOIN node_claims o ON o.nid=n.nid AND o.sid=?"
            " JOIN node_claims f ON f.nid=n.nid"
            " AND f.sid=(SELECT min(sid) FROM node_claims WHERE nid=n.nid)"
            f" WHERE n.id IN ({marks(len(ids))}) AND f.sid<?"
            " AND NOT EXISTS (SELECT 1 FROM node_claims WHERE nid=n.nid AND sid>?)",
            [sid, *ids, sid, sid])
        out = []
        for nid, node_id, *values in rows:
            self.nid[node_id] = nid
            before, first, own = values[:7], values[7:14], values[14:]
            out.append(AppendedState(node_id, tuple(before), stored_claim(tuple(first)),
                                     stored_claim(tuple(own))))
        return out

    def update_edges(self, rows: list[tuple[str, str, mg.DerivedEdge]]) -> None:
        self.db.executemany("UPDATE edges SET props=?, confidence=?, weight=?, start=?, end=?"
                            " WHERE eid=?", [(*edge_values(e), self.eid[k]) for k, _, e in rows])

    def delete_edges(self, edges: dict[str, str]) -> None:
        eids = [(self.eid[k],) for k in edges]
        self._delete_referring(("edge_claims(eid)",), eids)
        self.db.executemany("DELETE FROM edges WHERE eid=?", eids)

    def update_nodes(self, rows: list[tuple[str, str, mg.DerivedNode]]) -> None:
        self._nodes_changed(rows)
        put_nodes(self.db, [(self.nid[i], None, node) for i, _, node in rows], replace=True)

    def delete_nodes(self, ids: list[str]) -> None:
        self._nodes_changed(ids)
        nids = [(self.nid[i],) for i in ids]
        self._delete_referring(("node_claims(nid)", "aliases(nid)"), nids)
        self.db.executemany("DELETE FROM names_fts WHERE rowid=?", nids)
        self.db.executemany("DELETE FROM nodes WHERE nid=?", nids)

"""The Neo4j store: the same graph, claims and semantics as the SQLite store, on a Neo4j
server, cluster or Aura (the official ``neo4j`` driver; Neo4j 5.26 LTS or later).

The model (see docs/stores.md):

- ``(:Entity:<Type> {id, nid, type, name, aliases, keys, props, first_seen, last_seen,
  search, `score.<metric>`...})`` — one node per entity. ``<Type>`` is the vocabulary type
  (a label from :mod:`graph.vocab`, never from input); ``props`` is JSON text (values may be
  nested); each score is its own property ``score.<metric>`` (numbers and booleans as
  themselves, other values as JSON text: :mod:`graph.store.scores`), with a range index per
  metric for ranking.
- ``(:ScoreMetric {name, seq})`` — the metrics with stored scores, in write order.
- ``(:Entity)-[:<RELATION> {key, props, confidence, weight, start, end}]->(:Entity)`` — one
  relationship per fact; the type is a vocabulary relation type.
- ``(:Entity)-[:NAMED]->(:Alias {norm, kind})`` — the alias index (folded names and keys).
- ``(:Source {source_id, sid, ...})``, ``(:NodeClaim {id, sid, ...})``,
  ``(:EdgeClaim {key, rtype, sid, locator, confidence, props})``, ``(:Judgement)``,
  ``(:Redirect {old_id, new_id})``, ``(:MergeLog {seq, ...})`` — provenance, as in SQLite.

Nodes and edges are derived from their claims by :mod:`graph.merge`, exactly as in
:mod:`graph.store.sqlite`: a write reads what it needs, decides in Python with the same
functions, and writes back with batched ``UNWIND $rows`` statements, all in one managed
transaction (``execute_write``) that first takes a write lock, so loads serialise as they do
on one SQLite file. Every statement takes values as parameters only; labels and relation
types are formatted in only after checking them against the vocabulary.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from graph import merge as mg
from graph.ids import fold
from graph.model import Batch, Claim, EdgeRecord, EntityRecord
from graph.store.base import EdgeFilter, GraphStore, Projection, SourceInfo, StoreError, WriteResult
from graph.store.scores import from_property, metric_order, to_property
from graph.vocab import NODE_TYPES, RELATION_TYPES

BATCH = 5000  # rows per UNWIND statement
SCORE = "score."  # prefix of the per-metric score properties

Run = Callable[..., list[neo4j.Record]]

_SCHEMA = {
    "gg_entity_id": "CREATE CONSTRAINT gg_entity_id IF NOT EXISTS FOR (e:Entity) "
                    "REQUIRE e.id IS UNIQUE",
    "gg_source_id": "CREATE CONSTRAINT gg_source_id IF NOT EXISTS FOR (s:Source) "
                    "REQUIRE s.source_id IS UNIQUE",
    "gg_redirect": "CREATE CONSTRAINT gg_redirect IF NOT EXISTS FOR (r:Redirect) "
                   "REQUIRE r.old_id IS UNIQUE",
    "gg_write_lock": "CREATE CONSTRAINT gg_write_lock IF NOT EXISTS FOR (l:WriteLock) "
                     "REQUIRE l.name IS UNIQUE",
    "gg_source_sid": "CREATE INDEX gg_source_sid IF NOT EXISTS FOR (s:Source) ON (s.sid)",
    "gg_entity_nid": "CREATE INDEX gg_entity_nid IF NOT EXISTS FOR (e:Entity) ON (e.nid)",
    "gg_entity_search": "CREATE TEXT INDEX gg_entity_search IF NOT EXISTS FOR (e:Entity) "
                        "ON (e.search)",
    "gg_alias_norm": "CREATE INDEX gg_alias_norm IF NOT EXISTS FOR (a:Alias) ON (a.norm)",
    "gg_node_claim_id": "CREATE INDEX gg_node_claim_id IF NOT EXISTS FOR (c:NodeClaim) "
                        "ON (c.id)",
    "gg_node_claim_sid": "CREATE INDEX gg_node_claim_sid IF NOT EXISTS FOR (c:NodeClaim) "
                         "ON (c.sid)",
    "gg_edge_claim_key": "CREATE INDEX gg_edge_claim_key IF NOT EXISTS FOR (c:EdgeClaim) "
                         "ON (c.key)",
    "gg_edge_claim_sid": "CREATE INDEX gg_edge_claim_sid IF NOT EXISTS FOR (c:EdgeClaim) "
                         "ON (c.sid)",
    "gg_judgement_sid": "CREATE INDEX gg_judgement_sid IF NOT EXISTS FOR (j:Judgement) "
                        "ON (j.sid)",
    "gg_score_metric": "CREATE CONSTRAINT gg_score_metric IF NOT EXISTS FOR (m:ScoreMetric) "
                       "REQUIRE m.name IS UNIQUE",
    **{f"gg_rel_{t.lower()}": f"CREATE INDEX gg_rel_{t.lower()} IF NOT EXISTS "
                              f"FOR ()-[r:{t}]-() ON (r.key)" for t in RELATION_TYPES},
}

# Labels of everything govgraph writes (what clear() removes).
OWN_LABELS = ("Entity", "Alias", "Source", "NodeClaim", "EdgeClaim", "Judgement", "Redirect",
              "MergeLog", "ScoreMetric", "WriteLock")

# Queries returning _NODE_RETURN start with _METRICS (the metric names in write order), so
# each node's scores come as [[metric, value], ...] in that order.
_METRICS = ("CALL () { OPTIONAL MATCH (m:ScoreMetric) WITH m ORDER BY m.seq "
            "RETURN collect(m.name) AS metrics } ")
_NODE_RETURN = ("e.id AS id, e.type AS type, e.name AS name, e.aliases AS aliases, "
                "e.keys AS keys, e.props AS props, "
                f"[k IN metrics WHERE e['{SCORE}' + k] IS NOT NULL | [k, e['{SCORE}' + k]]] "
                "AS scores, e.first_seen AS first_seen, e.last_seen AS last_seen")
_EDGE_RETURN = ("r.key AS key, s.id AS source, d.id AS target, type(r) AS type, "
                "r.props AS props, r.confidence AS confidence")


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def label(type_name: str) -> str:
    """A node type as a label: only vocabulary names ever reach a query."""
    if type_name not in NODE_TYPES:
        raise StoreError(f"unknown node type {type_name!r}")
    return type_name


def rel_label(type_name: str) -> str:
    """A relation type as a relationship type: only vocabulary names reach a query."""
    if type_name not in RELATION_TYPES:
        raise StoreError(f"unknown relation type {type_name!r}")
    return type_name


def _now() -> str:
    """The load time as SQLite's ``datetime('now')`` writes it (UTC)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


class Neo4jStore(GraphStore):
    """GraphStore on a Neo4j database (``neo4j://``, ``neo4j+s://``, ``bolt://`` URIs).
    Credentials come from ``GOVGRAPH_NEO4J_USER`` / ``GOVGRAPH_NEO4J_PASSWORD`` (no
    authentication when unset), the database from ``GOVGRAPH_NEO4J_DATABASE`` (``neo4j``)."""

    kind = "neo4j"
    read_chunk = BATCH

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, batch_size: int = BATCH) -> None:
        user = user if user is not None else os.environ.get("GOVGRAPH_NEO4J_USER") or None
        if password is None:
            password = os.environ.get("GOVGRAPH_NEO4J_PASSWORD", "")
        self.uri = uri
        self.database = database or os.environ.get("GOVGRAPH_NEO4J_DATABASE") or "neo4j"
        self.batch_size = batch_size
        self.driver = neo4j.GraphDatabase.driver(uri, auth=(user, password) if user else None,
                                                 notifications_min_severity="OFF")
        self._score_indexes: set[str] = set()
        try:
            self._ensure_schema()
        except BaseException:
            self.driver.close()
            raise

    def close(self) -> None:
        self.driver.close()

    # ---------------------------------------------------------------- plumbing
    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        """One read query, routed to a reader, every record fetched."""
        try:
            return self.driver.execute_query(query, params, database_=self.database,
                                             routing_=neo4j.RoutingControl.READ).records
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"{self.uri}: {exc}") from exc

    def _session(self, write: bool = False) -> neo4j.Session:
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        return self.driver.session(database=self.database, default_access_mode=mode,
                                   bookmark_manager=self.driver.execute_query_bookmark_manager)

    def _stream(self, query: str, **params: Any) -> Iterator[neo4j.Record]:
        """One read query whose records stream (for whole-graph reads)."""
        with self._session() as session:
            yield from session.run(query, params)

    def _write(self, work: Callable[[neo4j.ManagedTransaction], Any]) -> Any:
        """Run ``work(tx)`` in one managed write transaction (retried on transient errors)."""
        try:
            with self._session(write=True) as session:
                return session.execute_write(work)
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"{self.uri}: {exc}") from exc

    def _ensure_schema(self) -> None:
        """Create the constraints and indexes that are missing, then wait for them."""
        have = {r["name"] for r in self.driver.execute_query(
            "SHOW INDEXES YIELD name", database_=self.database).records}
        missing = [stmt for name, stmt in _SCHEMA.items() if name not in have]
        for stmt in missing:
            self.driver.execute_query(stmt, database_=self.database)
        if missing:
            self.driver.execute_query("CALL db.awaitIndexes(300)", database_=self.database)
        if "gg_score_metric" not in have:  # first opened by this version: convert old scores
            self._upgrade_scores()

    def _upgrade_scores(self) -> None:
        """Scores written before ``(:ScoreMetric)`` existed were one JSON property ``scores``
        per node: give each its own ``score.<metric>`` property, in the JSON's order."""
        held = [(r["eid"], mg.from_json(r["scores"] or "{}")) for r in self._read(
            "MATCH (e:Entity) WHERE e.scores IS NOT NULL RETURN elementId(e) AS eid, "
            "e.scores AS scores")]
        if not held:
            return
        order = metric_order({tuple(scores) for _, scores in held})
        for metric in order:
            self._score_index(metric)

        def work(tx: neo4j.ManagedTransaction) -> None:
            w = _Writer(tx, self.batch_size, WriteResult(""))
            w.lock()
            for metric in order:
                w.each(f"UNWIND $rows AS row MATCH (e:Entity) WHERE elementId(e) = row[0] "
                       f"SET e.{_score_prop(metric)} = row[1]",
                       [[eid, to_property(scores[metric])] for eid, scores in held
                        if metric in scores])
            w.each("UNWIND $rows AS x MATCH (e:Entity) WHERE elementId(e) = x REMOVE e.scores",
                   [eid for eid, _ in held])
            w.each("UNWIND $rows AS row MERGE (m:ScoreMetric {name: row[0]}) SET m.seq = row[1]",
                   [[metric, seq] for seq, metric in enumerate(order, 1)])

        self._write(work)

    def _score_index(self, metric: str) -> None:
        """The range index ``top`` ranks a metric by (made when first needed)."""
        name = _score_index_name(metric)
        if name in self._score_indexes:
            return
        try:
            self.driver.execute_query(f"CREATE INDEX {name} IF NOT EXISTS FOR (e:Entity) "
                                      f"ON (e.{_score_prop(metric)})", database_=self.database)
            self.driver.execute_query("CALL db.awaitIndex($name, 300)", {"name": name},
                                      database_=self.database)
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"{self.uri}: {exc}") from exc
        self._score_indexes.add(name)

    def clear(self) -> None:
        """Delete everything govgraph stored in this database (other data is left alone)."""
        with self._session(write=True) as session:
            for name in OWN_LABELS:
                session.run(f"MATCH (n:{name}) CALL (n) {{ DETACH DELETE n }} "
                            "IN TRANSACTIONS OF 10000 ROWS").consume()

    # ---------------------------------------------------------------- writes
    def write(self, batch: Batch) -> WriteResult:
        started = time.perf_counter()

        def work(tx: neo4j.ManagedTransaction) -> WriteResult:
            writer = _BatchWriter(tx, self.batch_size, batch)
            writer.write()
            return writer.result

        result = self._write(work)
        result.seconds = time.perf_counter() - started
        return result

    def unload(self, source_id: str) -> WriteResult:
        started = time.perf_counter()

        def work(tx: neo4j.ManagedTransaction) -> WriteResult:
            writer = _Writer(tx, self.batch_size, WriteResult(source_id))
            writer.unload(source_id)
            return writer.result

        result = self._write(work)
        result.seconds = time.perf_counter() - started
        return result

    # ---------------------------------------------------------------- reads
    def sources(self) -> list[SourceInfo]:
        rows = self._read("MATCH (s:Source) RETURN s.source_id, s.uri, s.loader, "
                          "s.retrieved_at, s.loaded_at, s.n_entities, s.n_relations, "
                          "s.dataset, s.observed ORDER BY s.sid")
        return [SourceInfo(*r.values()) for r in rows]

    def stats(self) -> dict[str, Any]:
        counts = " UNION ALL ".join(
            [f"MATCH (n:{name}) RETURN '{name}' AS what, count(n) AS n"
             for name in ("Entity", "EdgeClaim", "Source")]
            + [f"MATCH (n:{label(t)}) RETURN 'node:{t}' AS what, count(n) AS n"
               for t in NODE_TYPES]
            + [f"MATCH ()-[r:{rel_label(t)}]->() RETURN 'edge:{t}' AS what, count(r) AS n"
               for t in RELATION_TYPES])
        found = dict.fromkeys(("Entity", "EdgeClaim", "Source"), 0)
        found.update((r["what"], r["n"]) for r in self._read(counts))
        by = {kind: {name.split(":", 1)[1]: n for name, n in sorted(found.items())
                     if name.startswith(kind + ":") and n}
              for kind in ("node", "edge")}
        return {"store": self.kind, "path": self.uri, "database": self.database,
                "nodes": found["Entity"], "edges": sum(by["edge"].values()),
                "claims": found["EdgeClaim"], "sources": found["Source"],
                "nodes_by_type": by["node"], "edges_by_type": by["edge"]}

    def resolve(self, ref: str) -> str | None:
        return resolve_refs(self._read, [ref]).get(ref)

    def entities(self, ids: Iterable[str]) -> list[EntityRecord]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, EntityRecord] = {}
        for chunk in _chunks(ids):
            for row in self._read(f"{_METRICS}UNWIND $ids AS i MATCH (e:Entity {{id: i}}) {_BY_ID}"
                                  f"RETURN {_NODE_RETURN}", ids=list(chunk)):
                out[row["id"]] = _entity(row)
        return [out[i] for i in ids if i in out]

    def _search_hits(self, key: str) -> tuple[set[int], set[int], set[int]]:
        hits = {r["k"]: set(r["nids"]) for r in self._read(
            "CALL () { MATCH (e:Entity)-[:NAMED]->(:Alias {norm: $key}) "
            "RETURN 'exact' AS k, collect(DISTINCT e.nid) AS nids "
            "UNION ALL MATCH (a:Alias) WHERE a.norm STARTS WITH $key WITH a LIMIT 2000 "
            "MATCH (e:Entity)-[:NAMED]->(a) RETURN 'prefix' AS k, collect(DISTINCT e.nid) AS nids "
            "UNION ALL MATCH (e:Entity) WHERE size($key) >= 3 AND e.search CONTAINS $key "
            "WITH e LIMIT 2000 RETURN 'substring' AS k, collect(e.nid) AS nids } "
            "RETURN k, nids", key=key)}
        return hits.get("exact", set()), hits.get("prefix", set()), hits.get("substring", set())

    def _by_nid(self, nids: Sequence[int]) -> list[EntityRecord]:
        found = {r["nid"]: r for r in self._read(
            f"{_METRICS}UNWIND $nids AS n MATCH (e:Entity {{nid: n}}) "
            f"{_seek('e', 'Entity', 'nid')}RETURN e.nid AS nid, {_NODE_RETURN}",
            nids=list(nids))}
        return [_entity(found[n]) for n in nids if n in found]

    def edges(self, ids: Iterable[str], direction: str = "both",
              flt: EdgeFilter | None = None, limit: int | None = None,
              claims: bool = True) -> list[EdgeRecord]:
        ids = list(dict.fromkeys(ids))
        pattern, where, params = _edge_match(self.in_force(flt))
        ends = {"out": ["s"], "in": ["d"], "both": ["s", "d"]}[direction]
        out: dict[str, neo4j.Record] = {}
        for chunk in _chunks(ids):
            for end in ends:
                for row in self._read(
                        f"MATCH (s:Entity){pattern}(d:Entity) WHERE {end}.id IN $ids "
                        f"AND {where} RETURN {_EDGE_RETURN} ORDER BY r.confidence DESC, r.key"
                        + (" LIMIT $limit" if limit else ""),
                        ids=list(chunk), limit=limit, **params):
                    out[row["key"]] = row
        rows = sorted(out.values(), key=lambda r: (-r["confidence"], r["key"]))
        return self._edge_records(rows[:limit] if limit else rows, claims)

    def edges_among(self, ids: Iterable[str], flt: EdgeFilter | None = None,
                    claims: bool = True) -> list[EdgeRecord]:
        pattern, where, params = _edge_match(self.in_force(flt))
        rows = self._read(
            f"MATCH (s:Entity){pattern}(d:Entity) WHERE s.id IN $ids AND d.id IN $ids "
            f"AND {where} RETURN {_EDGE_RETURN} ORDER BY r.key",
            ids=list(dict.fromkeys(ids)), **params)
        return self._edge_records(rows, claims)

    def degree(self, ids: Iterable[str], flt: EdgeFilter | None = None) -> dict[str, int]:
        pattern, where, params = _edge_match(self.in_force(flt))
        counts: dict[str, int] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            for end in ("s", "d"):
                for row in self._read(
                        f"MATCH (s:Entity){pattern}(d:Entity) WHERE {end}.id IN $ids "
                        f"AND {where} RETURN {end}.id AS id, count(*) AS n",
                        ids=list(chunk), **params):
                    counts[row["id"]] = counts.get(row["id"], 0) + row["n"]
        return counts

    def _edge_records(self, rows: Sequence[neo4j.Record], claims: bool) -> list[EdgeRecord]:
        by_key = self._claims([r["key"] for r in rows]) if claims else {}
        return [EdgeRecord(key=r["key"], source=r["source"], target=r["target"],
                           type=r["type"], properties=mg.from_json(r["props"]),
                           confidence=r["confidence"], sources=by_key.get(r["key"], []))
                for r in rows]

    def _claims(self, keys: list[str]) -> dict[str, list[Claim]]:
        out: dict[str, list[Claim]] = {}
        for chunk in _chunks(keys):
            for row in self._read(
                    f"UNWIND $keys AS k MATCH (c:EdgeClaim {{key: k}}) {_BY_CLAIM_KEY}"
                    "MATCH (s:Source {sid: c.sid}) RETURN k, s.source_id, s.uri, s.loader, "
                    "s.retrieved_at, c.locator, c.confidence ORDER BY c.sid, c.locator",
                    keys=list(chunk)):
                out.setdefault(row[0], []).append(Claim(*row.values()[1:]))
        return out

    def iter_entities(self) -> Iterator[EntityRecord]:
        for row in self._stream(f"{_METRICS}MATCH (e:Entity) RETURN {_NODE_RETURN} "
                                "ORDER BY e.id"):
            yield _entity(row)

    def iter_edges(self, flt: EdgeFilter | None = None,
                   claims: bool = True) -> Iterator[EdgeRecord]:
        pattern, where, params = _edge_match(self.in_force(flt))
        rows: list[neo4j.Record] = []
        for row in self._stream(f"MATCH (s:Entity){pattern}(d:Entity) WHERE {where} "
                                f"RETURN {_EDGE_RETURN} ORDER BY r.key", **params):
            rows.append(row)
            if len(rows) == 2000:
                yield from self._edge_records(rows, claims)
                rows = []
        yield from self._edge_records(rows, claims)

    def projection(self, flt: EdgeFilter | None = None,
                   weight: str | None = None) -> Projection:
        pattern, where, params = _edge_match(self.in_force(flt))
        own = weight in (None, "weight")
        proj = Projection(ids=[])
        index: dict[str, int] = {}
        for s, d, w in self._stream(
                f"MATCH (s:Entity){pattern}(d:Entity) WHERE {where} RETURN s.id, d.id, "
                + ("r.weight" if own else "r.props"), **params):
            for node_id in (s, d):
                if node_id not in index:
                    index[node_id] = len(proj.ids)
                    proj.ids.append(node_id)
            if not own:
                w = mg.from_json(w).get(weight)
            proj.src.append(index[s])
            proj.dst.append(index[d])
            proj.weight.append(float(w) if weight and isinstance(w, (int, float)) else
                               (1.0 if not weight else 0.0))
        return proj

    def write_scores(self, metric: str, values: dict[str, Any]) -> None:
        """One transaction: the metric's property is removed from the nodes that hold it and
        are not in ``values``, then set (batched ``UNWIND``) where it is new or changed."""
        prop = _score_prop(metric)
        encoded = {node_id: to_property(value) for node_id, value in values.items()}
        self._score_index(metric)

        def work(tx: neo4j.ManagedTransaction) -> None:
            w = _Writer(tx, self.batch_size, WriteResult(""))
            w.lock()
            held = {r[0]: (r[1], r[2]) for r in w.run(
                f"MATCH (e:Entity) WHERE e.{prop} IS NOT NULL RETURN e.id, elementId(e), "
                f"e.{prop}")}
            w.each(f"UNWIND $rows AS x MATCH (e:Entity) WHERE elementId(e) = x REMOVE e.{prop}",
                   [eid for node_id, (eid, _) in held.items() if node_id not in encoded])
            w.each(f"UNWIND $rows AS row MATCH (e:Entity {{id: row[0]}}) {_BY_ID}"
                   f"SET e.{prop} = row[1]",
                   [[node_id, value] for node_id, value in encoded.items()
                    if not _same(held.get(node_id, (None, None))[1], value)])
            if encoded:  # the metric is now the last one written
                w.run("OPTIONAL MATCH (o:ScoreMetric) WITH coalesce(max(o.seq), 0) + 1 AS next "
                      "MERGE (m:ScoreMetric {name: $name}) SET m.seq = next", name=metric)
            else:
                w.run("MATCH (m:ScoreMetric {name: $name}) DELETE m", name=metric)

        self._write(work)

    def iter_scores(self) -> Iterator[tuple[str, str, Any]]:
        """Every stored score as ``(id, metric, value)``, metric by metric in write order."""
        for record in self._read("MATCH (m:ScoreMetric) RETURN m.name ORDER BY m.seq"):
            prop = _score_prop(record[0])
            for node_id, value in self._stream(f"MATCH (e:Entity) WHERE e.{prop} IS NOT NULL "
                                               f"RETURN e.id, e.{prop}"):
                yield node_id, record[0], from_property(value)

    def top(self, metric: str, limit: int = 20) -> list[EntityRecord]:
        """Highest first, ties by id: numbers and booleans rank, values kept as JSON text
        (strings) do not. With the metric's range index this reads the index in descending
        order and stops after ``limit`` rows and their ties."""
        rows = self._read(f"{top_query(metric)} {_METRICS}RETURN {_NODE_RETURN}", limit=limit)
        return [_entity(r) for r in rows]

    def merge_log(self) -> list[dict[str, str]]:
        rows = self._read("MATCH (m:MergeLog) RETURN m.merged AS merged, m.into AS into, "
                          "m.reason AS reason, m.source_id AS source_id ORDER BY m.seq")
        return [dict(r) for r in rows]


def _score_prop(metric: str) -> str:
    """A metric's score property, quoted for a statement (any name: backticks doubled)."""
    return "`" + (SCORE + metric).replace("`", "``") + "`"


def top_query(metric: str) -> str:
    """The nodes ``top`` returns, as ``e`` (strings hold values that do not rank)."""
    prop = _score_prop(metric)
    return (f"MATCH (e:Entity) WHERE e.{prop} IS NOT NULL AND NOT e.{prop} IS :: STRING "
            f"WITH e ORDER BY e.{prop} DESC, e.id LIMIT $limit")


def _score_index_name(metric: str) -> str:
    """The name of a metric's range index: ``gg_score_<metric>`` for plain names, else with
    a digest of the name."""
    if re.fullmatch(r"[A-Za-z0-9_]{1,60}", metric):
        return f"gg_score_{metric}"
    return "gg_score_" + hashlib.sha1(metric.encode()).hexdigest()[:20]


def _same(held: Any, value: Any) -> bool:
    """A stored property already holds this value (1, 1.0 and true differ)."""
    return type(held) is type(value) and held == value


def _entity(row: neo4j.Record) -> EntityRecord:
    return EntityRecord(id=row["id"], type=row["type"], name=row["name"],
                        aliases=list(row["aliases"] or []) + list(row["keys"] or []),
                        properties=mg.from_json(row["props"]),
                        scores={k: from_property(v) for k, v in row["scores"]},
                        first_seen=row["first_seen"], last_seen=row["last_seen"])


def _edge_match(flt: EdgeFilter | None) -> tuple[str, str, dict[str, Any]]:
    """The relationship pattern, WHERE clause and parameters of an edge filter (``s``, ``r``,
    ``d`` are the source, relationship and target)."""
    flt = flt or EdgeFilter()
    clauses, params = ["r.confidence >= $min_conf"], {"min_conf": flt.min_confidence - 1e-12}
    pattern = "-[r]->"
    if flt.rel_types:
        known = sorted(t for t in flt.rel_types if t in RELATION_TYPES)
        if known:
            pattern = f"-[r:{'|'.join(rel_label(t) for t in known)}]->"
        else:
            clauses.append("false")
    if flt.node_types:
        clauses.append("s.type IN $node_types AND d.type IN $node_types")
        params["node_types"] = sorted(flt.node_types)
    if flt.as_of:
        clauses.append("(r.start IS NULL OR r.start <= $as_of) AND "
                       "(r.end IS NULL OR r.end >= $as_of)")
        params["as_of"] = flt.as_of
    if flt.hidden_sources:  # a claim from a source in force (graph/timeline.py)
        clauses.append(f"EXISTS {{ MATCH (c:EdgeClaim {{key: r.key}}) {_BY_CLAIM_KEY}"
                       "MATCH (cs:Source {sid: c.sid}) WHERE NOT cs.source_id IN $hidden }")
        params["hidden"] = sorted(flt.hidden_sources)
    return pattern, " AND ".join(clauses), params


def _seek(var: str, label_: str, prop: str) -> str:
    """A hint that ``var`` is found by an index *seek* per row. Every lookup of a row's
    value (``UNWIND $keys AS k MATCH (x:L {p: k})``) carries one: a plan made while an
    index's sample was still empty (just after a first load) may otherwise scan the whole
    index for each row, and such a cached plan made the second file of a 100k-relation load
    run for more than nine minutes (``USING INDEX`` alone still allows that scan)."""
    return f"USING INDEX SEEK {var}:{label_}({prop}) "


_BY_NORM = _seek("a", "Alias", "norm")
_BY_ID = _seek("e", "Entity", "id")
_BY_CLAIM_KEY = _seek("c", "EdgeClaim", "key")
_BY_CLAIM_ID = _seek("c", "NodeClaim", "id")

_REF_QUERIES = {
    "id": f"UNWIND $keys AS k MATCH (e:Entity {{id: k}}) {_BY_ID}RETURN k, e.id AS id",
    "redirect": f"UNWIND $keys AS k MATCH (r:Redirect {{old_id: k}}) "
                f"{_seek('r', 'Redirect', 'old_id')}MATCH (e:Entity {{id: r.new_id}}) {_BY_ID}"
                "RETURN k, e.id AS id",
    "key": f"UNWIND $keys AS k MATCH (e:Entity)-[:NAMED]->(a:Alias {{norm: k}}) {_BY_NORM}"
           "WHERE a.kind = 'key' RETURN k, e.id AS id",
    "name": f"UNWIND $keys AS k MATCH (e:Entity)-[:NAMED]->(a:Alias {{norm: k}}) {_BY_NORM}"
            "WHERE a.kind = 'name' RETURN k, e.id AS id",
}


def resolve_refs(run: Run, refs: Iterable[str]) -> dict[str, str]:
    """Map references to node ids (graph.merge.resolve_references: id, redirect, key,
    unambiguous name). References that match nothing (or several names) are left out."""

    def lookup(form: str, keys: list[str]) -> Iterator[tuple[str, str]]:
        for chunk in _chunks(keys):
            for row in run(_REF_QUERIES[form], keys=list(chunk)):
                yield row["k"], row["id"]

    return mg.resolve_references(refs, lookup)


NODE_FIELDS = ("type", "name", "aliases", "keys", "props", "first_seen", "last_seen", "search")
EDGE_FIELDS = ("props", "confidence", "weight", "start", "end")
NODE_CLAIM_FIELDS = ("id", "sid", "type", "name", "aliases", "keys", "props", "locator",
                     "first_seen", "last_seen")
EDGE_CLAIM_FIELDS = ("key", "rtype", "sid", "locator", "confidence", "props")


def _literal(fields: Sequence[str], row: str = "row") -> str:
    """A map literal ``{a: row.a, ...}`` of fixed property names (explicit properties keep
    the planner from adding Eager steps, as ``SET n = row`` would)."""
    return "{" + ", ".join(f"{f}: {row}.{f}" for f in fields) + "}"


def _assign(var: str, fields: Sequence[str], row: str = "row") -> str:
    """``var.a = row.a, ...`` for fixed property names."""
    return ", ".join(f"{var}.{f} = {row}.{f}" for f in fields)


def _node_fields(node: mg.DerivedNode) -> dict[str, Any]:
    """An entity's stored properties (its derived state)."""
    return {"type": node.type, "name": node.name, "aliases": node.aliases,
            "keys": node.keys, "props": mg.to_json(node.properties),
            "first_seen": node.first_seen, "last_seen": node.last_seen,
            "search": fold(" | ".join([node.name, *node.aliases]))}


def _node_values(node: mg.DerivedNode) -> tuple:
    return (node.type, node.name, mg.to_json(node.aliases), mg.to_json(node.keys),
            mg.to_json(node.properties), node.first_seen, node.last_seen)


def _edge_fields(edge: mg.DerivedEdge) -> dict[str, Any]:
    return {"props": mg.to_json(edge.properties), "confidence": edge.confidence,
            "weight": edge.weight, "start": edge.start, "end": edge.end}


def _group(edges: dict[str, str]) -> dict[str, list[str]]:
    """Edge keys by relation type (checked against the vocabulary)."""
    out: dict[str, list[str]] = {}
    for key, rtype in edges.items():
        out.setdefault(rel_label(rtype), []).append(key)
    return out


def _rederived_edge(row: dict[str, Any]) -> dict[str, Any] | None:
    """An edge's values derived from its claims (in source order), or None when unchanged."""
    claims = sorted(row["claims"], key=lambda c: (c[0], c[1]))
    fields = _edge_fields(mg.derive_edge([(c[2], mg.from_json(c[3])) for c in claims]))
    return None if tuple(row["before"]) == tuple(fields.values()) else fields


def _rederived_node(row: dict[str, Any]) -> mg.DerivedNode | None:
    """A node derived from its claims (in source order), or None when unchanged."""
    claims = [mg.NodeClaim(t, n, mg.from_json(a), mg.from_json(k), mg.from_json(p), f, last)
              for _, t, n, a, k, p, f, last in sorted(row["claims"], key=lambda c: c[0])]
    node = mg.derive_node(claims)
    before = list(row["before"])
    before[2:4] = [mg.to_json(before[2] or []), mg.to_json(before[3] or [])]
    return None if tuple(before) == _node_values(node) else node


def _alias_maps(node: mg.DerivedNode) -> list[dict[str, str]]:
    return [{"norm": norm, "kind": kind} for norm, kind in mg.alias_rows(node)]


@dataclass(slots=True)
class Held:
    """One source's claims: ``nodes`` maps a node id to the claim's values (type, name,
    aliases, keys, props, locator, first_seen, last_seen); ``edges`` maps (edge key,
    locator) to (relation type, (locator, confidence, props))."""

    nodes: dict[str, tuple] = field(default_factory=dict)
    edges: dict[tuple[str, str], tuple[str, tuple]] = field(default_factory=dict)

    def edge_types(self) -> dict[str, str]:
        return {key: rtype for (key, _), (rtype, _) in self.edges.items()}

    def digests(self) -> tuple[dict[str, int], dict[str, int]]:
        """A hash per node and per edge (an edge's claims combined by XOR: one per
        locator, so none cancel)."""
        edges: dict[str, int] = {}
        for (key, _), (_, values) in self.edges.items():
            edges[key] = edges.get(key, 0) ^ hash(values)
        return {k: hash(v) for k, v in self.nodes.items()}, edges


class _Writer:
    """Statements shared by writes and unloads, inside one open transaction."""

    def __init__(self, tx: neo4j.ManagedTransaction, size: int, result: WriteResult) -> None:
        self.tx, self.size, self.result = tx, size, result

    def run(self, query: str, **params: Any) -> list[neo4j.Record]:
        return list(self.tx.run(query, params))

    def each(self, query: str, rows: Sequence[Any], **params: Any) -> None:
        """Run an ``UNWIND $rows`` statement over ``rows`` in batches."""
        for chunk in _chunks(rows, self.size):
            self.tx.run(query, {"rows": list(chunk), **params}).consume()

    def lock(self) -> None:
        """Serialise writers: hold the write lock until this transaction ends."""
        self.run("MERGE (l:WriteLock {name: 'govgraph'}) SET l.at = timestamp()")

    def claims_of(self, sid: int) -> Held:
        """What one source claims now: node claims by node id, edge claims by (key,
        locator) with the edge's relation type."""
        nodes = {r[0]: tuple(r[1]) for r in self.run(
            "MATCH (c:NodeClaim {sid: $sid}) RETURN c.id, [c.type, c.name, c.aliases, "
            "c.keys, c.props, c.locator, c.first_seen, c.last_seen]", sid=sid)}
        edges = {(r[0], r[2][0]): (r[1], tuple(r[2])) for r in self.run(
            "MATCH (c:EdgeClaim {sid: $sid}) RETURN c.key, c.rtype, "
            "[c.locator, c.confidence, c.props]", sid=sid)}
        return Held(nodes, edges)

    def drop_claims(self, sid: int) -> None:
        for name in ("NodeClaim", "EdgeClaim", "Judgement"):
            self.run(f"MATCH (c:{name} {{sid: $sid}}) DELETE c", sid=sid)

    def unload(self, source_id: str) -> None:
        self.lock()
        found = self.run("MATCH (s:Source {source_id: $id}) RETURN s.sid", id=source_id)
        if not found:
            raise StoreError(f"no source {source_id!r} is loaded")
        sid = found[0][0]
        held = self.claims_of(sid)
        self.result.claims_removed = len(held.edges)
        self.collect(set(held.nodes), held.edge_types(), dropped=sid)
        self.drop_claims(sid)
        self.run("MATCH (s:Source {sid: $sid}) DELETE s", sid=sid)

    # -- deleting what lost its support, re-deriving the rest
    def collect(self, nodes: set[str], edges: dict[str, str], dropped: int | None = None) -> None:
        """Delete unsupported edges and nodes among those touched; re-derive the rest.
        Everything is read first and written after, addressing nodes and relationships by
        element id: an index seek on an index that this transaction changed a lot costs time
        in proportion to those changes. ``dropped``: a source whose claims are deleted after
        this reads them (so they are ignored here)."""
        dead_edges, changed_edges, degree_lost = [], [], {}
        for rtype, keys in sorted(_group(edges).items()):
            for chunk in _chunks(sorted(keys), self.size):
                for row in self._edge_state(rtype, list(chunk), dropped):
                    if not row["claims"]:
                        dead_edges.append(row["eid"])
                        for end in (row["s"], row["d"]):
                            nodes.add(end)
                            degree_lost[end] = degree_lost.get(end, 0) + 1
                    elif (fields := _rederived_edge(row)) is not None:
                        changed_edges.append({"eid": row["eid"], **fields})
        dead_nodes, changed_nodes = [], []
        for chunk in _chunks(sorted(nodes), self.size):
            for row in self._node_state(list(chunk), dropped):
                if not row["claims"]:
                    if row["degree"] <= degree_lost.get(row["i"], 0):
                        dead_nodes.append(row["eid"])
                    continue  # kept alive by edges only: keeps its last derived state
                if (node := _rederived_node(row)) is not None:
                    changed_nodes.append((row["eid"], row["type"], node))
        self.each("UNWIND $rows AS x MATCH ()-[r]->() WHERE elementId(r) = x DELETE r",
                  dead_edges)
        self.each("UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.eid "
                  f"SET {_assign('r', EDGE_FIELDS)}", changed_edges)
        self.put_nodes([(eid, None, node) for eid, _, node in changed_nodes], replace=True)
        for old, new in {(t, n.type) for _, t, n in changed_nodes if t != n.type}:
            self.each(f"UNWIND $rows AS x MATCH (e:Entity) WHERE elementId(e) = x "
                      f"REMOVE e:{label(old)} SET e:{label(new)}",
                      [x for x, t, n in changed_nodes if (t, n.type) == (old, new)])
        self.each("UNWIND $rows AS x MATCH (e:Entity) WHERE elementId(e) = x "
                  "CALL (e) { MATCH (e)-[:NAMED]->(a:Alias) DETACH DELETE a } DETACH DELETE e",
                  dead_nodes)
        self.result.relations_removed += len(dead_edges)
        self.result.relations_updated += len(changed_edges)
        self.result.entities_removed += len(dead_nodes)
        self.result.entities_updated += len(changed_nodes)

    def _edge_state(self, rtype: str, keys: list[str],
                    dropped: int | None) -> list[dict[str, Any]]:
        """Touched edges: element id, endpoints, derived values and remaining claims. (Two
        plain index lookups, no label checks on the ends: once the transaction has written
        anything, a COLLECT subquery per row, or a label check on a dense node, is slow.)"""
        rows = [dict(r) for r in self.run(
            f"UNWIND $keys AS k MATCH (s)-[r:{rtype} {{key: k}}]->(d) {_seek('r', rtype, 'key')}"
            "RETURN k, elementId(r) AS eid, s.id AS s, d.id AS d, [r.props, r.confidence, "
            "r.weight, r.start, r.end] AS before", keys=keys)]
        claims = self._grouped(f"UNWIND $keys AS k MATCH (c:EdgeClaim {{key: k}}) {_BY_CLAIM_KEY}"
                               "WHERE c.sid <> "
                               "$dropped RETURN k, [c.sid, c.locator, c.confidence, c.props]",
                               keys, dropped)
        return [{**row, "claims": claims.get(row["k"], [])} for row in rows]

    def _node_state(self, ids: list[str], dropped: int | None) -> list[dict[str, Any]]:
        """Touched nodes: element id, derived values, remaining claims, and the number of
        edge ends on them (a self-loop counts twice)."""
        rows = [dict(r) for r in self.run(
            f"UNWIND $keys AS i MATCH (e:Entity {{id: i}}) {_BY_ID}RETURN i, elementId(e) AS eid, "
            "e.type AS type, [e.type, e.name, e.aliases, e.keys, e.props, e.first_seen, "
            "e.last_seen] AS before, COUNT { (e)-->() } + COUNT { (e)<--() } "
            "- COUNT { (e)-[:NAMED]->() } AS degree", keys=ids)]
        claims = self._grouped(f"UNWIND $keys AS k MATCH (c:NodeClaim {{id: k}}) {_BY_CLAIM_ID}"
                               "WHERE c.sid <> "
                               "$dropped RETURN k, [c.sid, c.type, c.name, c.aliases, c.keys, "
                               "c.props, c.first_seen, c.last_seen]", ids, dropped)
        return [{**row, "claims": claims.get(row["i"], [])} for row in rows]

    def _grouped(self, query: str, keys: list[str], dropped: int | None) -> dict[str, list]:
        out: dict[str, list] = {}
        for key, values in self.run(query, keys=keys, dropped=-1 if dropped is None
                                    else dropped):
            out.setdefault(key, []).append(values)
        return out

    def put_nodes(self, rows: list[tuple[str, int | None, mg.DerivedNode]],
                  replace: bool) -> None:
        """Create nodes ``(id, nid, node)`` (or rewrite existing ones, ``id`` then being their
        element id, when ``replace``) with their alias-index nodes, one statement per type
        label and batch."""
        by_type: dict[str, list[dict[str, Any]]] = {}
        for node_id, nid, node in rows:
            by_type.setdefault(label(node.type), []).append(
                {"id": node_id, "nid": nid, **_node_fields(node), "alias": _alias_maps(node)})
        add_aliases = ("WITH e, row UNWIND row.alias AS al "
                       "CREATE (e)-[:NAMED]->(:Alias {norm: al.norm, kind: al.kind})")
        for type_label, typed in sorted(by_type.items()):
            if replace:
                self.each("UNWIND $rows AS row MATCH (e:Entity) WHERE elementId(e) = row.id "
                          f"SET {_assign('e', NODE_FIELDS)} WITH e, row "
                          "CALL (e) { MATCH (e)-[:NAMED]->(a:Alias) DETACH DELETE a } "
                          + add_aliases, typed)
            else:
                self.each(f"UNWIND $rows AS row CREATE (e:Entity:{type_label} "
                          f"{_literal(('id', 'nid', *NODE_FIELDS))}) " + add_aliases, typed)


class _BatchWriter(_Writer):
    """Writes one batch: the same steps, in the same order, as the SQLite store's writer."""

    def __init__(self, tx: neo4j.ManagedTransaction, size: int, batch: Batch) -> None:
        super().__init__(tx, size, WriteResult(batch.source_id))
        self.batch = batch
        self.sid = 0
        self.refs: dict[str, str] = {}
        self.new_nodes: set[str] = set()
        self.updated_nodes: set[str] = set()
        self.new_edges: set[str] = set()
        self.updated_edges: dict[str, str] = {}
        self.claims = Held()

    def write(self) -> None:
        """The SQLite store's steps: replace the source's claims, write new nodes and
        edges, then re-derive (or delete) what the old and new claims touched. Claims that
        a reload states again unchanged are left in place rather than deleted and made anew."""
        self.lock()
        self.sid = self.source_row()
        held = self.claims_of(self.sid)
        self.result.claims_removed = len(held.edges)
        self.run("MATCH (j:Judgement {sid: $sid}) DELETE j", sid=self.sid)
        self.write_judgements()
        self.write_entities()
        self.write_relations()
        self.replace_claims(held)
        before, after = held.digests(), self.claims.digests()
        nodes = (set(before[0]) | self.updated_nodes) - self.new_nodes
        nodes -= {k for k, v in after[0].items() if before[0].get(k) == v}
        same = {k for k, v in after[1].items() if before[1].get(k) == v}
        edges = {**held.edge_types(), **self.updated_edges}
        self.collect(nodes, {k: t for k, t in edges.items()
                             if k not in self.new_edges and k not in same})
        self.run("MATCH (s:Source {sid: $sid}) SET s.n_entities = $n, s.n_relations = $m",
                 sid=self.sid, n=len(self.claims.nodes), m=len(self.claims.edges))

    def replace_claims(self, held: Held) -> None:
        """Make the stored claims of this source the batch's: delete the ones it no longer
        states (or states differently), create the new ones."""
        new = self.claims
        self.each(f"UNWIND $rows AS i MATCH (c:NodeClaim {{id: i}}) {_BY_CLAIM_ID}"
                  "WHERE c.sid = $sid DELETE c",
                  [i for i, v in held.nodes.items() if new.nodes.get(i) != v], sid=self.sid)
        self.each(f"UNWIND $rows AS row MATCH (c:EdgeClaim {{key: row[0]}}) {_BY_CLAIM_KEY}"
                  "WHERE c.sid = $sid "
                  "AND c.locator = row[1] DELETE c",
                  [list(k) for k, v in held.edges.items() if new.edges.get(k) != v],
                  sid=self.sid)
        self.each(f"UNWIND $rows AS row CREATE (:NodeClaim {_literal(NODE_CLAIM_FIELDS)})",
                  [{"id": i, "sid": self.sid, **dict(zip(NODE_CLAIM_FIELDS[2:], v, strict=True))}
                   for i, v in new.nodes.items() if held.nodes.get(i) != v])
        self.each(f"UNWIND $rows AS row CREATE (:EdgeClaim {_literal(EDGE_CLAIM_FIELDS)})",
                  [{"key": key, "rtype": rtype, "sid": self.sid, "locator": v[0],
                    "confidence": v[1], "props": v[2]}
                   for (key, _), (rtype, v) in new.edges.items()
                   if held.edges.get((key, v[0])) != (rtype, v)])

    def source_row(self) -> int:
        b = self.batch
        [row] = self.run(
            "OPTIONAL MATCH (o:Source) WITH coalesce(max(o.sid), 0) + 1 AS next "
            "MERGE (s:Source {source_id: $id}) ON CREATE SET s.sid = next "
            "SET s.uri = $uri, s.loader = $loader, s.retrieved_at = $at, s.loaded_at = $now, "
            "s.dataset = $dataset, s.observed = $observed "
            "RETURN s.sid", id=b.source_id, uri=b.uri, loader=b.loader, at=b.retrieved_at,
            now=_now(), dataset=b.dataset, observed=b.observed)
        return row[0]

    def write_judgements(self) -> None:
        self.each("UNWIND $rows AS row CREATE (j:Judgement) SET j = row",
                  [{"sid": self.sid, "seq": i, "a": j.a, "b": j.b, "same": bool(j.same),
                    "locator": j.locator} for i, j in enumerate(self.batch.judgements)])

    def judgements(self) -> mg.Judgements:
        """Every loaded judgement (later sources first, so their verdicts are tried first)."""
        return mg.Judgements(tuple(r) for r in self.run(
            "MATCH (j:Judgement) RETURN j.a, j.b, j.same ORDER BY j.sid DESC, j.seq DESC"))

    def candidates(self, norms: list[str]) -> dict[str, set[tuple[str, str, str]]]:
        """Existing nodes by name key: ``norm -> {(id, id, type)}`` (ids stand in for rowids)."""
        out: dict[str, set[tuple[str, str, str]]] = {}
        for chunk in _chunks(norms, self.size):
            for k, node_id, type_ in self.run(
                    "UNWIND $keys AS k CALL (k) { MATCH (e:Entity)-[:NAMED]->(a:Alias {norm: k}) "
                    f"{_BY_NORM}"
                    " WHERE a.kind = 'name' RETURN e UNION MATCH (e:Entity {id: k}) "
                    f"{_BY_ID}RETURN e }} "
                    "RETURN k, e.id, e.type", keys=list(chunk)):
                out.setdefault(k, set()).add((node_id, node_id, type_))
        return out

    def write_entities(self) -> None:
        entities = mg.combine_entities(self.batch.entities)
        located: dict[str, str] = {}
        merged: dict[str, tuple[str, str]] = {}
        [(next_nid, any_node)] = self.run(
            "OPTIONAL MATCH (e:Entity) RETURN coalesce(max(e.nid), 0) + 1, count(e) > 0")
        if any_node:
            located = resolve_refs(self.run, [e.id for e in entities])
            unplaced = [e for e in entities if e.id not in located]
            merged = mg.find_merges(unplaced, self.candidates, self.judgements())  # type: ignore[arg-type]
        new_rows, merges = [], []
        for ent in entities:
            node_id = located.get(ent.id) or merged.get(ent.id, (None, ""))[0]
            if node_id is None:
                node_id = ent.id
                new_rows.append((node_id, next_nid, mg.derive_node([mg.claim_of(ent)])))
                next_nid += 1
                self.new_nodes.add(node_id)
            else:
                self.updated_nodes.add(node_id)
                if ent.id in merged:
                    merges.append((ent.id, node_id, merged[ent.id][1]))
            for ref in (ent.id, *ent.keys):
                self.refs[ref] = node_id
            self.claims.nodes[node_id] = mg.claim_values(ent)
        self.put_nodes(new_rows, replace=False)
        self.log_merges(merges)
        self.result.entities_added += len(new_rows)

    def log_merges(self, merges: list[tuple[str, str, str]]) -> None:
        if not merges:
            return
        [(seq,)] = self.run("OPTIONAL MATCH (m:MergeLog) RETURN coalesce(max(m.seq), 0)")
        self.each("UNWIND $rows AS row MERGE (r:Redirect {old_id: row.merged}) "
                  "SET r.new_id = row.into, r.reason = row.reason "
                  "CREATE (m:MergeLog) SET m = row",
                  [{"seq": seq + i + 1, "merged": m, "into": into, "reason": why,
                    "source_id": self.batch.source_id}
                   for i, (m, into, why) in enumerate(merges)])
        self.result.merges += len(merges)

    def write_relations(self) -> None:
        if not self.batch.relations:
            return
        grouped = mg.batch_facts(self.batch, self.refs, lambda refs: resolve_refs(self.run, refs),
                                 lambda handles: {h: h for h in handles})  # handles are ids
        existing = self.existing_edges(grouped)
        new_rows: dict[str, list[dict[str, Any]]] = {}
        for key, (src, dst, rel_type, claims) in grouped.items():
            if key in existing:
                self.updated_edges[key] = rel_type
            else:
                self.new_edges.add(key)
                edge = mg.derive_edge([(c.confidence, c.properties) for c in claims])
                new_rows.setdefault(rel_label(rel_type), []).append(
                    {"src": src, "dst": dst, "key": key, **_edge_fields(edge)})
            for c in claims:
                values = (c.locator or "", c.confidence, mg.to_json(c.properties))
                self.claims.edges[(key, values[0])] = (rel_type, values)
                self.result.claims_added += 1
        for rtype, rows in sorted(new_rows.items()):
            self.each(f"UNWIND $rows AS row MATCH (s:Entity {{id: row.src}}) "
                      f"{_seek('s', 'Entity', 'id')}MATCH (d:Entity {{id: row.dst}}) "
                      f"{_seek('d', 'Entity', 'id')}"
                      f"CREATE (s)-[:{rtype} {_literal(('key', *EDGE_FIELDS))}]->(d)", rows)
        self.result.relations_added += sum(len(r) for r in new_rows.values())

    def existing_edges(self, grouped: dict[str, tuple[Any, Any, str, Any]]) -> set[str]:
        by_type: dict[str, list[str]] = {}
        for key, (_, _, rel_type, _) in grouped.items():
            by_type.setdefault(rel_label(rel_type), []).append(key)
        found: set[str] = set()
        for rtype, keys in sorted(by_type.items()):
            for chunk in _chunks(keys, self.size):
                found.update(r[0] for r in self.run(
                    f"UNWIND $keys AS k MATCH ()-[r:{rtype} {{key: k}}]->() "
                    f"{_seek('r', rtype, 'key')}RETURN k",
                    keys=list(chunk)))
        return found

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
- ``(:Entity)-[:<RELATION> {key, props, confidence, weight, start, end, claim_sids,
  claim_locators, claim_confidences, claim_props}]->(:Entity)`` — one relationship per fact;
  the type is a vocabulary relation type. Its claims are the four parallel ``claim_*`` lists
  (one item per claim: the source's ``sid``, the locator, confidence and properties JSON),
  written with the relationship.
- ``(:Entity)-[:NAMED]->(:Alias {norm, kind})`` — the alias index (folded names and keys).
- ``(:Source {source_id, sid, ...})``, ``(:NodeClaim {id, sid, ...})``, ``(:Judgement)``,
  ``(:Redirect {old_id, new_id})``, ``(:MergeLog {seq, ...})`` — provenance, as in SQLite.
- ``(:SchemaVersion {name: 'govgraph', version})`` — the layout's version
  (:data:`SCHEMA_VERSION`); an older database is upgraded when the store opens it, a newer
  one refused.

Writes are the shared algorithm of :mod:`graph.store.writer` over the primitives of
:mod:`graph.store.neo4j_tx`, in one managed transaction (``execute_write``) that first takes
a write lock, so loads serialise as they do on one SQLite file. Every statement takes values
as parameters only; labels and relation types are formatted in only after checking them
against the vocabulary.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import neo4j
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from graph import merge as mg
from graph.model import Claim, EdgeRecord, EntityRecord
from graph.settings import get_settings
from graph.store.base import (
    BackendUnavailable,
    Chunk,
    EdgeFilter,
    GraphStore,
    Projection,
    SourceInfo,
    StoreError,
)
from graph.store.neo4j_tx import (
    ALL_RELATIONS,
    BATCH,
    BY_ID,
    CLAIMS,
    REF_QUERIES,
    Neo4jTx,
    Statements,
    chunked,
    claims_of,
    label,
    parameters,
    rel_label,
)
from graph.store.scores import from_property, to_property
from graph.store.writer import WriteTx
from graph.vocab import NODE_TYPES, RELATION_TYPES

T = TypeVar("T")
S = TypeVar("S", bound=Statements)

SCORE = "score."  # prefix of the per-metric score properties
# 1: edge claims as (:EdgeClaim) nodes (no SchemaVersion node); 2: as lists on the edge
SCHEMA_VERSION = 2


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
    "gg_schema_version": "CREATE CONSTRAINT gg_schema_version IF NOT EXISTS "
                         "FOR (v:SchemaVersion) REQUIRE v.name IS UNIQUE",
    "gg_judgement_sid": "CREATE INDEX gg_judgement_sid IF NOT EXISTS FOR (j:Judgement) "
                        "ON (j.sid)",
    "gg_score_metric": "CREATE CONSTRAINT gg_score_metric IF NOT EXISTS FOR (m:ScoreMetric) "
                       "REQUIRE m.name IS UNIQUE",
    **{f"gg_rel_{t.lower()}": f"CREATE INDEX gg_rel_{t.lower()} IF NOT EXISTS "
                              f"FOR ()-[r:{t}]-() ON (r.key)" for t in RELATION_TYPES},
}

# Labels of everything govgraph writes (what clear() removes).
OWN_LABELS = ("Entity", "Alias", "Source", "NodeClaim", "Judgement", "Redirect", "MergeLog",
              "ScoreMetric", "WriteLock", "Absorbed")

# Queries returning _NODE_RETURN start with _METRICS (the metric names in write order), so
# each node's scores come as [[metric, value], ...] in that order.
_METRICS = ("CALL () { OPTIONAL MATCH (m:ScoreMetric) WITH m ORDER BY m.seq "
            "RETURN collect(m.name) AS metrics } ")
_NODE_RETURN = ("e.id AS id, e.type AS type, e.name AS name, e.aliases AS aliases, "
                "e.keys AS keys, e.props AS props, "
                f"[k IN metrics WHERE e['{SCORE}' + k] IS NOT NULL | [k, e['{SCORE}' + k]]] "
                "AS scores, e.first_seen AS first_seen, e.last_seen AS last_seen")
_EDGE_RETURN = ("r.key AS key, s.id AS source, d.id AS target, type(r) AS type, "
                f"r.props AS props, r.confidence AS confidence, {CLAIMS} AS claims")


class Neo4jStore(GraphStore):
    """GraphStore on a Neo4j database (``neo4j://``, ``neo4j+s://``, ``bolt://`` URIs).
    Credentials come from ``GOVGRAPH_NEO4J_USER`` / ``GOVGRAPH_NEO4J_PASSWORD`` (no
    authentication when unset), the database from ``GOVGRAPH_NEO4J_DATABASE`` (``neo4j``)."""

    kind = "neo4j"
    read_chunk = BATCH

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, batch_size: int = BATCH) -> None:
        settings = get_settings()
        user = user if user is not None else settings.neo4j_user
        if password is None:
            password = settings.neo4j_password
        self.uri = uri
        self.database = database or settings.neo4j_database
        self.batch_size = batch_size
        self.driver = neo4j.GraphDatabase.driver(uri, auth=(user, password) if user else None,
                                                 notifications_min_severity="OFF")
        self._score_indexes: set[str] = set()
        try:
            self._ensure_schema()
        except (Neo4jError, DriverError) as exc:
            self.driver.close()
            raise self._failed(exc) from exc
        except BaseException:
            self.driver.close()
            raise

    def _failed(self, exc: Exception) -> StoreError:
        """BackendUnavailable when the server cannot be reached; StoreError otherwise."""
        if isinstance(exc, (ServiceUnavailable, SessionExpired)):
            reason = " ".join(str(exc).split()) or type(exc).__name__
            return BackendUnavailable(f"{self.uri}: Neo4j is not reachable ({reason})")
        return StoreError(f"{self.uri}: {exc}")

    def close(self) -> None:
        self.driver.close()

    # ---------------------------------------------------------------- plumbing
    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        """One read query, routed to a reader, every record fetched."""
        try:
            return self.driver.execute_query(query, parameters(params), database_=self.database,
                                             routing_=neo4j.RoutingControl.READ).records
        except (Neo4jError, DriverError) as exc:
            raise self._failed(exc) from exc

    def _session(self, write: bool = False) -> neo4j.Session:
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        return self.driver.session(database=self.database, default_access_mode=mode,
                                   bookmark_manager=self.driver.execute_query_bookmark_manager)

    def _stream(self, query: str, **params: Any) -> Iterator[neo4j.Record]:
        """One read query whose records stream (for whole-graph reads)."""
        try:
            with self._session() as session:
                yield from session.run(query, parameters(params))
        except (Neo4jError, DriverError) as exc:
            raise self._failed(exc) from exc

    def _write(self, work: Callable[[neo4j.ManagedTransaction], Any]) -> Any:
        """Run ``work(tx)`` in one managed write transaction (retried on transient errors)."""
        try:
            with self._session(write=True) as session:
                return session.execute_write(work)
        except (Neo4jError, DriverError) as exc:
            raise self._failed(exc) from exc

    def _ensure_schema(self) -> None:
        """Create the constraints and indexes that are missing, then wait for them (after
        one connection attempt, so an unreachable server fails at once, not after retries)."""
        driver_log = logging.getLogger("neo4j")
        level = driver_log.level
        driver_log.setLevel(logging.CRITICAL)  # its retry warning would say the same again
        try:
            self.driver.verify_connectivity()
        finally:
            driver_log.setLevel(level)
        have = {r["name"] for r in self.driver.execute_query(
            "SHOW INDEXES YIELD name", database_=self.database).records}
        missing = [stmt for name, stmt in _SCHEMA.items() if name not in have]
        for stmt in missing:
            self.driver.execute_query(stmt, database_=self.database)
        if missing:
            self.driver.execute_query("CALL db.awaitIndexes(300)", database_=self.database)
        if "gg_score_metric" not in have:  # first opened by this version: convert old scores
            from graph.store.neo4j_sync import upgrade_scores

            upgrade_scores(self)
        self._upgrade()
        for (metric,) in self._read("MATCH (m:ScoreMetric) RETURN m.name"):
            if _score_index_name(metric, RANK_INDEX) not in have:  # made before tie indexes
                self._score_index(metric)

    def _upgrade(self) -> None:
        """Bring the database's layout to SCHEMA_VERSION; refuse one newer than this code.
        A database without a version is empty (0) or of version 1."""
        stored = self._read("MATCH (v:SchemaVersion {name: 'govgraph'}) RETURN v.version")
        if stored and stored[0][0] == SCHEMA_VERSION:
            return
        version = stored[0][0] if stored else 1 if self._read(
            "MATCH (n) WHERE n:Entity OR n:Source OR n:EdgeClaim RETURN 1 LIMIT 1") else 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.uri}: the database has govgraph's Neo4j layout version "
                             f"{version}, newer than this govgraph's ({SCHEMA_VERSION}); "
                             "upgrade govgraph")
        if version == 1:
            from graph.store.neo4j_sync import upgrade_edge_claims

            upgrade_edge_claims(self)
        self.driver.execute_query("MERGE (v:SchemaVersion {name: 'govgraph'}) "
                                  "SET v.version = $version", version=SCHEMA_VERSION,
                                  database_=self.database)

    def _score_index(self, metric: str) -> None:
        """The range indexes ``top`` ranks a metric by (made when first needed): on the
        score, and on (score, id) for the order within a tie."""
        prop = _score_prop(metric)
        for name, keys in ((_score_index_name(metric), f"e.{prop}"),
                           (_score_index_name(metric, RANK_INDEX), f"e.{prop}, e.id")):
            if name in self._score_indexes:
                continue
            try:
                self.driver.execute_query(f"CREATE INDEX {name} IF NOT EXISTS FOR (e:Entity) "
                                          f"ON ({keys})", database_=self.database)
                self.driver.execute_query("CALL db.awaitIndex($name, 300)", {"name": name},
                                          database_=self.database)
            except (Neo4jError, DriverError) as exc:
                raise self._failed(exc) from exc
            self._score_indexes.add(name)

    def clear(self) -> None:
        """Delete everything govgraph stored in this database (other data is left alone)."""
        try:
            with self._session(write=True) as session:
                for name in OWN_LABELS:
                    session.run(f"MATCH (n:{name}) CALL (n) {{ DETACH DELETE n }} "
                                "IN TRANSACTIONS OF 10000 ROWS").consume()
        except (Neo4jError, DriverError) as exc:
            raise self._failed(exc) from exc

    def dump(self, table: str) -> Iterator[tuple]:
        from graph.store.neo4j_sync import dump

        return dump(self, table)

    def restore(self, chunks: Iterator[Chunk]) -> None:
        """One managed write transaction per chunk: if a restore stops half way, clear and
        run it again."""
        from graph.store.neo4j_sync import Neo4jRestore

        Neo4jRestore(self).run(chunks)

    def transact(self, work: Callable[[WriteTx], T]) -> T:
        """One managed write transaction (``execute_write``: ``work`` runs again on a
        transient error), the write lock taken first."""
        return self._write_statements(work, Neo4jTx)

    def _write_statements(self, work: Callable[[S], T],
                          statements: Callable[[neo4j.ManagedTransaction, int], S]) -> T:
        """``work`` over the batched statements of one managed write transaction; the writes
        it sent are waited for before the commit, so a failed one raises its own error."""
        def run(tx: neo4j.ManagedTransaction) -> T:
            write = statements(tx, self.batch_size)
            done = work(write)
            write.drain()
            return done

        return self._write(run)

    # ---------------------------------------------------------------- reads
    def sources(self) -> list[SourceInfo]:
        rows = self._read("MATCH (s:Source) RETURN s.source_id, s.uri, s.loader, "
                          "s.retrieved_at, s.loaded_at, s.n_entities, s.n_relations, "
                          "s.dataset, s.observed ORDER BY s.sid")
        return [SourceInfo(*r.values()) for r in rows]

    def stats(self) -> dict[str, Any]:
        counts = " UNION ALL ".join(
            [f"MATCH (n:{name}) RETURN '{name}' AS what, count(n) AS n"
             for name in ("Entity", "Source")]
            + [f"MATCH ()-[r:{ALL_RELATIONS}]->() RETURN 'claims' AS what, "
               "coalesce(sum(size(r.claim_sids)), 0) AS n"]
            + [f"MATCH (n:{label(t)}) RETURN 'node:{t}' AS what, count(n) AS n"
               for t in NODE_TYPES]
            + [f"MATCH ()-[r:{rel_label(t)}]->() RETURN 'edge:{t}' AS what, count(r) AS n"
               for t in RELATION_TYPES])
        found = dict.fromkeys(("Entity", "claims", "Source"), 0)
        found.update((r["what"], r["n"]) for r in self._read(counts))
        by = {kind: {name.split(":", 1)[1]: n for name, n in sorted(found.items())
                     if name.startswith(kind + ":") and n}
              for kind in ("node", "edge")}
        return {"store": self.kind, "path": self.uri, "database": self.database,
                "nodes": found["Entity"], "edges": sum(by["edge"].values()),
                "claims": found["claims"], "sources": found["Source"],
                "nodes_by_type": by["node"], "edges_by_type": by["edge"]}

    def lookup(self, form: str, keys: list[str]) -> Iterator[tuple[str, str]]:
        for chunk in chunked(keys):
            for row in self._read(REF_QUERIES[form], keys=list(chunk)):
                yield row["k"], row["id"]

    def entities(self, ids: Iterable[str]) -> list[EntityRecord]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, EntityRecord] = {}
        for chunk in chunked(ids):
            for row in self._read(f"{_METRICS}UNWIND $ids AS i MATCH (e:Entity {{id: i}}) {BY_ID}"
                                  f"RETURN {_NODE_RETURN}", ids=list(chunk)):
                out[row["id"]] = _entity(row)
        return [out[i] for i in ids if i in out]

    def search_hits(self, key: str) -> tuple[list[str], list[str], list[str]]:
        hits = {r["k"]: [i for _, i in sorted(r["hits"])] for r in self._read(
            "CALL () { MATCH (e:Entity)-[:NAMED]->(:Alias {norm: $key}) "
            "RETURN 'exact' AS k, collect(DISTINCT [e.nid, e.id]) AS hits "
            "UNION ALL MATCH (a:Alias) WHERE a.norm STARTS WITH $key WITH a LIMIT 2000 "
            "MATCH (e:Entity)-[:NAMED]->(a) RETURN 'prefix' AS k, "
            "collect(DISTINCT [e.nid, e.id]) AS hits "
            "UNION ALL MATCH (e:Entity) WHERE size($key) >= 3 AND e.search CONTAINS $key "
            "WITH e LIMIT 2000 RETURN 'substring' AS k, collect([e.nid, e.id]) AS hits } "
            "RETURN k, hits", key=key)}
        return hits.get("exact", []), hits.get("prefix", []), hits.get("substring", [])

    def edges(self, ids: Iterable[str], direction: str = "both",
              flt: EdgeFilter | None = None, limit: int | None = None,
              claims: bool = True) -> list[EdgeRecord]:
        ids = list(dict.fromkeys(ids))
        pattern, where, params = self._edge_match(flt)
        ends = {"out": ["s"], "in": ["d"], "both": ["s", "d"]}[direction]
        out: dict[str, neo4j.Record] = {}
        for chunk in chunked(ids):
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
        pattern, where, params = self._edge_match(flt)
        rows = self._read(
            f"MATCH (s:Entity){pattern}(d:Entity) WHERE s.id IN $ids AND d.id IN $ids "
            f"AND {where} RETURN {_EDGE_RETURN} ORDER BY r.key",
            ids=list(dict.fromkeys(ids)), **params)
        return self._edge_records(rows, claims)

    def degree(self, ids: Iterable[str], flt: EdgeFilter | None = None) -> dict[str, int]:
        pattern, where, params = self._edge_match(flt)
        counts: dict[str, int] = {}
        for chunk in chunked(list(dict.fromkeys(ids))):
            for end in ("s", "d"):
                for row in self._read(
                        f"MATCH (s:Entity){pattern}(d:Entity) WHERE {end}.id IN $ids "
                        f"AND {where} RETURN {end}.id AS id, count(*) AS n",
                        ids=list(chunk), **params):
                    counts[row["id"]] = counts.get(row["id"], 0) + row["n"]
        return counts

    def _edge_match(self, flt: EdgeFilter | None) -> tuple[str, str, dict[str, Any]]:
        """:func:`_edge_match` of the filter in force, hidden sources given by their sids."""
        flt = self.in_force(flt)
        hidden = flt.hidden_sources if flt else None
        return _edge_match(flt, self._sids(hidden) if hidden else [])

    def _sids(self, source_ids: Iterable[str]) -> list[int]:
        return [r[0] for r in self._read("MATCH (s:Source) WHERE s.source_id IN $ids "
                                         "RETURN s.sid", ids=sorted(source_ids))]

    def _edge_records(self, rows: Sequence[neo4j.Record], claims: bool) -> list[EdgeRecord]:
        """Edges with their claims (from the relationships' claim lists) when ``claims``."""
        sources = {r[0]: r.values()[1:] for r in self._read(
            "MATCH (s:Source) RETURN s.sid, s.source_id, s.uri, s.loader, s.retrieved_at")
            } if claims and rows else {}

        def claimed(lists: list[Any]) -> list[Claim]:
            return [Claim(source_id, uri, loader, at, locator, confidence)
                    for sid, locator, confidence, _ in claims_of(lists) if sid in sources
                    for source_id, uri, loader, at in [sources[sid]]]

        return [EdgeRecord(key=r["key"], source=r["source"], target=r["target"],
                           type=r["type"], properties=mg.from_json(r["props"]),
                           confidence=r["confidence"],
                           sources=claimed(r["claims"]) if claims else [])
                for r in rows]

    def iter_entities(self) -> Iterator[EntityRecord]:
        for row in self._stream(f"{_METRICS}MATCH (e:Entity) RETURN {_NODE_RETURN} "
                                "ORDER BY e.id"):
            yield _entity(row)

    def iter_edges(self, flt: EdgeFilter | None = None,
                   claims: bool = True) -> Iterator[EdgeRecord]:
        pattern, where, params = self._edge_match(flt)
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
        pattern, where, params = self._edge_match(flt)
        own = weight in (None, "weight")
        proj = Projection(ids=[])
        for s, d, w in self._stream(
                f"MATCH (s:Entity){pattern}(d:Entity) WHERE {where} RETURN s.id, d.id, "
                + ("r.weight" if own else "r.props"), **params):
            proj.add((s, s), (d, d), w if own else mg.from_json(w).get(weight), weight)
        return proj

    def write_scores(self, metric: str, values: dict[str, Any]) -> None:
        """One transaction: the metric's property is removed from the nodes that hold it and
        are not in ``values``, then set (batched ``UNWIND``) where it is new or changed."""
        prop = _score_prop(metric)
        encoded = {node_id: to_property(value) for node_id, value in values.items()}
        self._score_index(metric)

        def work(w: Statements) -> None:
            w.lock()
            held = {r[0]: (r[1], r[2]) for r in w.run(
                f"MATCH (e:Entity) WHERE e.{prop} IS NOT NULL RETURN e.id, elementId(e), "
                f"e.{prop}")}
            w.each(f"UNWIND $rows AS x MATCH (e:Entity) WHERE elementId(e) = x REMOVE e.{prop}",
                   [eid for node_id, (eid, _) in held.items() if node_id not in encoded])
            w.each(f"UNWIND $rows AS row MATCH (e:Entity {{id: row[0]}}) {BY_ID}"
                   f"SET e.{prop} = row[1]",
                   [[node_id, value] for node_id, value in encoded.items()
                    if not _same(held.get(node_id, (None, None))[1], value)])
            if encoded:  # the metric is now the last one written
                w.run("OPTIONAL MATCH (o:ScoreMetric) WITH coalesce(max(o.seq), 0) + 1 AS next "
                      "MERGE (m:ScoreMetric {name: $name}) SET m.seq = next", name=metric)
            else:
                w.run("MATCH (m:ScoreMetric {name: $name}) DELETE m", name=metric)

        self._write_statements(work, Statements)

    def top(self, metric: str, limit: int = 20) -> list[EntityRecord]:
        """Highest first, ties by id: numbers and booleans rank, values kept as JSON text
        (strings) do not. In one read transaction: the first ``limit`` values from the
        metric's index (in value order, a tie in any order); those above the lowest of them
        are sorted (fewer than ``limit``), and the lowest value's first ids are read from
        the (score, id) index in order, in the statement that reads the records. Two index
        ranges of at most ``limit`` entries, however large the tie."""
        if limit == 0:
            return []
        limit = limit if limit > 0 else 2 ** 62  # no limit

        def work(tx: neo4j.ManagedTransaction) -> list[EntityRecord]:
            first = [(r["value"], r["id"]) for r in tx.run(top_query(metric), limit=limit)]
            if not first:
                return []
            # fewer than limit: every ranking value is here; else the lowest may tie further
            low = first[-1][0] if len(first) == limit else None
            above = sorted(((v, i) for v, i in first if low is None or v != low),
                           key=lambda r: (-r[0], r[1]))
            tied = (f"CALL () {{ {tie_query(metric)} }} WITH collect(id) AS tied "
                    if low is not None else "WITH [] AS tied ")
            rows = tx.run(f"{tied}WITH $above + tied AS ids {_METRICS}UNWIND range(0, size(ids)"
                          f" - 1) AS k MATCH (e:Entity {{id: ids[k]}}) {BY_ID}"
                          f"RETURN k, {_NODE_RETURN}", above=[i for _, i in above], low=low,
                          limit=limit - len(above))
            return [_entity(r) for r in sorted(rows, key=lambda r: r["k"])]

        try:
            with self._session() as session:
                return session.execute_read(work)
        except (Neo4jError, DriverError) as exc:
            raise self._failed(exc) from exc

    def merge_log(self) -> list[dict[str, str]]:
        rows = self._read("MATCH (m:MergeLog) RETURN m.merged AS merged, m.into AS into, "
                          "m.reason AS reason, m.source_id AS source_id ORDER BY m.seq")
        return [dict(r) for r in rows]


def _score_prop(metric: str) -> str:
    """A metric's score property, quoted for a statement (any name: backticks doubled)."""
    return "`" + (SCORE + metric).replace("`", "``") + "`"


def top_query(metric: str) -> str:
    """The first ``$limit`` ranking values of a metric (``value``, ``id``), highest first, a
    tie in index order (strings hold values that do not rank)."""
    prop = _score_prop(metric)
    return (f"MATCH (e:Entity) WHERE e.{prop} IS NOT NULL AND NOT e.{prop} IS :: STRING "
            f"RETURN e.{prop} AS value, e.id AS id ORDER BY value DESC LIMIT $limit")


def tie_query(metric: str) -> str:
    """The first ``$limit`` ids, in order, of the nodes whose score is ``$low``: a seek of
    the (score, id) index (``USING INDEX SEEK``: with ``USING INDEX`` alone the planner may
    scan the index from its lowest score, reading every entry below the tie)."""
    prop = _score_prop(metric)
    return (f"MATCH (e:Entity) USING INDEX SEEK e:Entity({prop}, id) WHERE e.{prop} = $low "
            f"AND e.id IS NOT NULL WITH e ORDER BY e.{prop}, e.id LIMIT $limit RETURN e.id AS id")


RANK_INDEX = "gg_rank_"  # the (score, id) indexes' prefix


def _score_index_name(metric: str, prefix: str = "gg_score_") -> str:
    """The name of a metric's range index: ``<prefix><metric>`` for plain names, else with
    a digest of the name."""
    if re.fullmatch(r"[A-Za-z0-9_]{1,60}", metric):
        return f"{prefix}{metric}"
    return prefix + hashlib.sha1(metric.encode()).hexdigest()[:20]


def _same(held: Any, value: Any) -> bool:
    """A stored property already holds this value (1, 1.0 and true differ)."""
    return type(held) is type(value) and held == value


def _entity(row: neo4j.Record) -> EntityRecord:
    return EntityRecord(id=row["id"], type=row["type"], name=row["name"],
                        aliases=list(row["aliases"] or []) + list(row["keys"] or []),
                        properties=mg.from_json(row["props"]),
                        scores={k: from_property(v) for k, v in row["scores"]},
                        first_seen=row["first_seen"], last_seen=row["last_seen"])


def _edge_match(flt: EdgeFilter | None, hidden: list[int]) -> tuple[str, str, dict[str, Any]]:
    """The relationship pattern, WHERE clause and parameters of an edge filter (``s``, ``r``,
    ``d`` are the source, relationship and target); ``hidden``: the sids of its hidden
    sources."""
    flt = flt or EdgeFilter()
    clauses = ["r.confidence >= $min_conf"]
    params: dict[str, Any] = {"min_conf": flt.min_confidence - 1e-12}
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
        clauses.append("any(sid IN r.claim_sids WHERE NOT sid IN $hidden)")
        params["hidden"] = hidden
    return pattern, " AND ".join(clauses), params

"""Dumping a Neo4j graph's tables, and restoring a dumped graph (:mod:`graph.store.sync`) into
Neo4j: one managed write transaction per chunk of rows, batched ``UNWIND`` statements, the
same properties and internal sequence numbers (``sid``, ``nid``) a load would have written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graph import merge as mg
from graph.store.base import Chunk
from graph.store.neo4j import Neo4jStore, _score_prop
from graph.store.neo4j_tx import (
    ALL_RELATIONS,
    APPEND_CLAIMS,
    CLAIM_LISTS,
    CREATE_NODE_CLAIMS,
    OWN_VALUES,
    Statements,
    claim_list,
    create_edges,
    create_nodes,
    match_edge,
    node_rows,
    rel_label,
)
from graph.store.scores import from_property, metric_order, to_property
from graph.store.sync import derived
from graph.vocab import RELATION_TYPES

DUMP = {
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
    "edge_claims": f"MATCH ()-[r:{ALL_RELATIONS}]->() UNWIND range(0, size(r.claim_sids) - 1) "
                   "AS i WITH r.key AS key, r.claim_sids[i] AS sid, r.claim_locators[i] AS "
                   f"locator, {claim_list('claim_confidences')}[i] AS confidence, "
                   f"{claim_list('claim_props')}[i] AS props "
                   "MATCH (s:Source {sid: sid}) RETURN key, s.source_id, locator, confidence, "
                   "props ORDER BY sid, key, locator",
    "redirects": "MATCH (r:Redirect) RETURN r.old_id, r.new_id, r.reason ORDER BY r.old_id",
    "merge_log": "MATCH (m:MergeLog) RETURN m.merged, m.into, m.reason, m.source_id "
                 "ORDER BY m.seq",
    "judgements": "MATCH (j:Judgement) MATCH (s:Source {sid: j.sid}) RETURN s.source_id, "
                  "j.a, j.b, j.same, j.locator ORDER BY j.sid, j.seq",
    "absorbed": "MATCH (a:Absorbed) MATCH (s:Source {sid: a.sid}) RETURN s.source_id, "
                "a.absorbed, a.kept, a.record ORDER BY a.seq",
}


def dump(store: Neo4jStore, table: str) -> Iterator[tuple]:
    """One table's rows (scores metric by metric, in write order)."""
    if table == "scores":
        for record in store._read("MATCH (m:ScoreMetric) RETURN m.name ORDER BY m.seq"):
            prop = _score_prop(record[0])
            for node_id, value in store._stream(f"MATCH (e:Entity) WHERE e.{prop} IS NOT NULL "
                                                f"RETURN e.id, e.{prop}"):
                yield node_id, record[0], from_property(value)
        return
    for record in store._stream(DUMP[table]):
        row = list(record.values())
        if table == "nodes":  # lists in Neo4j, JSON text in SQLite
            row[3:5] = [mg.to_json(row[3] or []), mg.to_json(row[4] or [])]
        yield tuple(row)


class Neo4jRestore:
    """Writes dumped chunks into an empty Neo4j database."""

    def __init__(self, store: Neo4jStore) -> None:
        self.store = store
        self.sid: dict[str, int] = {}
        self.nid = 0
        self.rtype: dict[str, str] = {}
        self.seq = 0
        self.jseq = 0
        self.aseq = 0
        self.metrics: dict[str, int] = {}

    def run(self, chunks: Iterator[Chunk]) -> None:
        for table, rows in chunks:
            def work(w: Statements, table: str = table, rows: list[tuple] = rows) -> None:
                getattr(self, table)(w, rows)

            if table == "scores":  # indexes are made outside the data's transactions
                for metric in dict.fromkeys(r[1] for r in rows):
                    self.store._score_index(metric)
            state = (dict(self.sid), self.nid, dict(self.rtype), self.seq, dict(self.metrics))
            try:
                self.store._write_statements(work, Statements)
            except BaseException:
                self.sid, self.nid, self.rtype, self.seq, self.metrics = state
                raise

    def sources(self, w: Statements, rows: list[tuple]) -> None:
        out = []
        for source_id, uri, loader, at, loaded, n, m, dataset, observed in rows:
            self.sid[source_id] = len(self.sid) + 1
            out.append({"sid": self.sid[source_id], "source_id": source_id, "uri": uri,
                        "loader": loader, "retrieved_at": at, "loaded_at": loaded,
                        "n_entities": n, "n_relations": m, "dataset": dataset,
                        "observed": observed})
        w.each("UNWIND $rows AS row CREATE (s:Source) SET s = row", out)

    def nodes(self, w: Statements, rows: list[tuple]) -> None:
        numbered = [(row[0], self.nid + i + 1, derived(row)) for i, row in enumerate(rows)]
        self.nid += len(rows)
        for type_label, typed in sorted(node_rows(numbered).items()):
            w.each(create_nodes(type_label), typed)

    def scores(self, w: Statements, rows: list[tuple]) -> None:
        """Rows come metric by metric in write order: a metric's first row gives its place."""
        by_metric: dict[str, list[list[Any]]] = {}
        for node_id, metric, value in rows:
            by_metric.setdefault(metric, []).append([node_id, to_property(value)])
        for metric, values in by_metric.items():
            if metric not in self.metrics:
                self.metrics[metric] = len(self.metrics) + 1
                w.run("MERGE (m:ScoreMetric {name: $name}) SET m.seq = $seq", name=metric,
                      seq=self.metrics[metric])
            w.each(f"UNWIND $rows AS row MATCH (e:Entity {{id: row[0]}}) "
                   f"SET e.{_score_prop(metric)} = row[1]", values)

    def node_claims(self, w: Statements, rows: list[tuple]) -> None:
        w.each(CREATE_NODE_CLAIMS,
               [[r[0], self.sid[r[1]], *r[2:]] for r in rows])

    def edges(self, w: Statements, rows: list[tuple]) -> None:
        by_type: dict[str, list[list[Any]]] = {}
        for key, src, dst, rtype, *values in rows:
            self.rtype[key] = rtype
            by_type.setdefault(rel_label(rtype), []).append(
                [src, dst, key, *values, *([] for _ in CLAIM_LISTS)])
        for rtype, typed in sorted(by_type.items()):
            w.each(create_edges(rtype), typed)

    def edge_claims(self, w: Statements, rows: list[tuple]) -> None:
        """Appended to the lists of their relationships (found by key)."""
        by_key: dict[str, list[list[Any]]] = {}
        for key, source_id, *values in rows:
            lists = by_key.setdefault(key, [[] for _ in CLAIM_LISTS])
            for items, value in zip(lists, (self.sid[source_id], *values), strict=True):
                items.append(value)
        by_type: dict[str, list[list[Any]]] = {}
        for key, lists in by_key.items():
            by_type.setdefault(self.rtype[key], []).append([key, *lists])
        for rtype, typed in sorted(by_type.items()):
            w.each(match_edge(rtype, False) + APPEND_CLAIMS, typed)

    def redirects(self, w: Statements, rows: list[tuple]) -> None:
        w.each("UNWIND $rows AS row CREATE (:Redirect {old_id: row[0], new_id: row[1], "
               "reason: row[2]})", [list(r) for r in rows])

    def merge_log(self, w: Statements, rows: list[tuple]) -> None:
        out = []
        for merged, into, reason, source_id in rows:
            self.seq += 1
            out.append({"seq": self.seq, "merged": merged, "into": into, "reason": reason,
                        "source_id": source_id})
        w.each("UNWIND $rows AS row CREATE (m:MergeLog) SET m = row", out)

    def judgements(self, w: Statements, rows: list[tuple]) -> None:
        out = []
        for source_id, a, b, same, loc in rows:
            self.jseq += 1
            out.append({"sid": self.sid[source_id], "seq": self.jseq, "a": a, "b": b,
                        "same": bool(same), "locator": loc})
        w.each("UNWIND $rows AS row CREATE (j:Judgement) SET j = row", out)

    def absorbed(self, w: Statements, rows: list[tuple]) -> None:
        w.each("UNWIND $rows AS row CREATE (a:Absorbed) SET a = row",
               [{"seq": seq, "sid": self.sid[source_id], "absorbed": absorbed, "kept": kept,
                 "record": record} for seq, (source_id, absorbed, kept, record)
                in enumerate(rows, self.aseq + 1)])
        self.aseq += len(rows)


def upgrade_scores(store: Neo4jStore) -> None:
        """Scores written before ``(:ScoreMetric)`` existed were one JSON property ``scores``
        per node: give each its own ``score.<metric>`` property, in the JSON's order."""
        held = [(r["eid"], mg.from_json(r["scores"] or "{}")) for r in store._read(
            "MATCH (e:Entity) WHERE e.scores IS NOT NULL RETURN elementId(e) AS eid, "
            "e.scores AS scores")]
        if not held:
            return
        order = metric_order({tuple(scores) for _, scores in held})
        for metric in order:
            store._score_index(metric)

        def work(w: Statements) -> None:
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

        store._write_statements(work, Statements)


def upgrade_edge_claims(store: Neo4jStore) -> None:
    """Layout 1 -> 2: each ``(:EdgeClaim)`` node moves into the claim lists of its
    relationship, a batch per transaction (a claim is moved and deleted in one, so an
    upgrade that stops half way goes on where it stopped when the store is opened again);
    then the claim indexes go. Also run on a database ``neo4j-admin`` imported (it has no
    version node): the importer leaves out a list whose one item is an empty string, here
    the locators of an edge whose only claim has none."""
    with store._session(write=True) as session:
        for rtype in sorted(RELATION_TYPES):
            session.run(f"MATCH ()-[r:{rtype}]->() WHERE r.claim_sids IS NULL OR "
                        "r.claim_locators IS NULL CALL (r) { SET "
                        + "".join(f"r.{f} = CASE WHEN r.claim_sids IS NULL THEN [] ELSE "
                                  f"r.{f} END, " for f in OWN_VALUES)
                        + "r.claim_sids = coalesce(r.claim_sids, []), "
                          "r.claim_locators = coalesce(r.claim_locators, "
                          "[sid IN coalesce(r.claim_sids, []) | ''])"
                        + " } IN TRANSACTIONS OF 10000 ROWS").consume()
            session.run(f"MATCH (c:EdgeClaim {{rtype: $rtype}}) CALL (c) {{ "
                        f"MATCH ()-[r:{rtype} {{key: c.key}}]->() SET "
                        + ", ".join(f"r.{f} = r.{f} + c.{old}" for f, old in zip(
                            CLAIM_LISTS, ("sid", "locator", "confidence", "props"), strict=True))
                        + " WITH c DELETE c } IN TRANSACTIONS OF 5000 ROWS",
                        rtype=rtype).consume()
        session.run("MATCH (c:EdgeClaim) CALL (c) { DELETE c } "  # of no edge: none should be
                    "IN TRANSACTIONS OF 10000 ROWS").consume()
        for index in ("gg_edge_claim_key", "gg_edge_claim_sid"):
            session.run(f"DROP INDEX {index} IF EXISTS").consume()

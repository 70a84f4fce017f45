"""Restoring a dumped graph (:mod:`graph.store.sync`) into Neo4j: one managed write
transaction per chunk of rows, batched ``UNWIND`` statements, the same properties and
internal sequence numbers (``sid``, ``nid``) a load would have written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import neo4j

from graph.store.base import WriteResult
from graph.store.neo4j import (
    EDGE_CLAIM_FIELDS,
    EDGE_FIELDS,
    NODE_CLAIM_FIELDS,
    NODE_FIELDS,
    Neo4jStore,
    _alias_maps,
    _literal,
    _node_fields,
    _score_prop,
    _Writer,
    label,
    rel_label,
)
from graph.store.scores import to_property
from graph.store.sync import Chunk, derived


class Neo4jRestore:
    """Writes dumped chunks into an empty Neo4j database."""

    def __init__(self, store: Neo4jStore) -> None:
        self.store = store
        self.sid: dict[str, int] = {}
        self.nid = 0
        self.rtype: dict[str, str] = {}
        self.seq = 0
        self.jseq = 0
        self.metrics: dict[str, int] = {}

    def run(self, chunks: Iterator[Chunk]) -> None:
        for table, rows in chunks:
            def work(tx: neo4j.ManagedTransaction, table: str = table,
                     rows: list[tuple] = rows) -> None:
                getattr(self, table)(_Writer(tx, self.store.batch_size, WriteResult("")), rows)

            if table == "scores":  # indexes are made outside the data's transactions
                for metric in dict.fromkeys(r[1] for r in rows):
                    self.store._score_index(metric)
            state = (dict(self.sid), self.nid, dict(self.rtype), self.seq, dict(self.metrics))
            try:
                self.store._write(work)
            except BaseException:
                self.sid, self.nid, self.rtype, self.seq, self.metrics = state
                raise

    def sources(self, w: _Writer, rows: list[tuple]) -> None:
        out = []
        for source_id, uri, loader, at, loaded, n, m, dataset, observed in rows:
            self.sid[source_id] = len(self.sid) + 1
            out.append({"sid": self.sid[source_id], "source_id": source_id, "uri": uri,
                        "loader": loader, "retrieved_at": at, "loaded_at": loaded,
                        "n_entities": n, "n_relations": m, "dataset": dataset,
                        "observed": observed})
        w.each("UNWIND $rows AS row CREATE (s:Source) SET s = row", out)

    def nodes(self, w: _Writer, rows: list[tuple]) -> None:
        by_type: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            self.nid += 1
            node = derived(row)
            by_type.setdefault(label(node.type), []).append(
                {"id": row[0], "nid": self.nid, **_node_fields(node),
                 "alias": _alias_maps(node)})
        for type_label, typed in sorted(by_type.items()):
            w.each(f"UNWIND $rows AS row CREATE (e:Entity:{type_label} "
                   f"{_literal(('id', 'nid', *NODE_FIELDS))}) "
                   "WITH e, row UNWIND row.alias AS al "
                   "CREATE (e)-[:NAMED]->(:Alias {norm: al.norm, kind: al.kind})", typed)

    def scores(self, w: _Writer, rows: list[tuple]) -> None:
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

    def node_claims(self, w: _Writer, rows: list[tuple]) -> None:
        w.each(f"UNWIND $rows AS row CREATE (:NodeClaim {_literal(NODE_CLAIM_FIELDS)})",
               [{"id": r[0], "sid": self.sid[r[1]],
                 **dict(zip(NODE_CLAIM_FIELDS[2:], r[2:], strict=True))} for r in rows])

    def edges(self, w: _Writer, rows: list[tuple]) -> None:
        by_type: dict[str, list[dict[str, Any]]] = {}
        for key, src, dst, rtype, *values in rows:
            self.rtype[key] = rtype
            by_type.setdefault(rel_label(rtype), []).append(
                {"src": src, "dst": dst, "key": key,
                 **dict(zip(EDGE_FIELDS, values, strict=True))})
        for rtype, typed in sorted(by_type.items()):
            w.each(f"UNWIND $rows AS row MATCH (s:Entity {{id: row.src}}) "
                   f"MATCH (d:Entity {{id: row.dst}}) "
                   f"CREATE (s)-[:{rtype} {_literal(('key', *EDGE_FIELDS))}]->(d)", typed)

    def edge_claims(self, w: _Writer, rows: list[tuple]) -> None:
        w.each(f"UNWIND $rows AS row CREATE (:EdgeClaim {_literal(EDGE_CLAIM_FIELDS)})",
               [{"key": key, "rtype": self.rtype[key], "sid": self.sid[source_id],
                 "locator": locator, "confidence": conf, "props": props}
                for key, source_id, locator, conf, props in rows])

    def redirects(self, w: _Writer, rows: list[tuple]) -> None:
        w.each("UNWIND $rows AS row CREATE (:Redirect {old_id: row[0], new_id: row[1], "
               "reason: row[2]})", [list(r) for r in rows])

    def merge_log(self, w: _Writer, rows: list[tuple]) -> None:
        out = []
        for merged, into, reason, source_id in rows:
            self.seq += 1
            out.append({"seq": self.seq, "merged": merged, "into": into, "reason": reason,
                        "source_id": source_id})
        w.each("UNWIND $rows AS row CREATE (m:MergeLog) SET m = row", out)

    def judgements(self, w: _Writer, rows: list[tuple]) -> None:
        out = []
        for source_id, a, b, same, loc in rows:
            self.jseq += 1
            out.append({"sid": self.sid[source_id], "seq": self.jseq, "a": a, "b": b,
                        "same": bool(same), "locator": loc})
        w.each("UNWIND $rows AS row CREATE (j:Judgement) SET j = row", out)

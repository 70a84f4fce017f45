"""An in-memory store (``memory:``): the whole GraphStore in Python dicts, for fast unit tests
and notebooks that need no file. Nothing is kept after ``close``.

It is a third backend written as one module: the write algorithm is the shared one
(:mod:`graph.store.writer`); this module gives it the primitives (:class:`MemoryTx`) and
answers the reads. A transaction works on a copy of the state that replaces the state
when the work returns, so a failed write leaves the store as it was: the copy is shallow
(each container of :class:`State`), and a write replaces a nested value rather than
changing it in place.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar

from graph import merge as mg
from graph.ids import fold
from graph.model import Batch, Claim, EdgeRecord, EntityRecord, Judgement
from graph.store import writer
from graph.store.base import Chunk, EdgeFilter, GraphStore, Projection, SourceInfo
from graph.store.scores import to_row
from graph.store.sync import TABLES, derived
from graph.store.writer import Held, NewEdge, WriteTx, edge_values, node_values

T = TypeVar("T")
EDGE_COLUMNS = ("props", "confidence", "weight", "start", "end")


@dataclass
class State:
    """Everything the store holds. Nodes and sources keep their insertion (creation, load)
    order; ``node_claims[id][source_id]`` and ``edge_claims[key][(source_id, locator)]``
    hold claim values as the other stores keep them."""

    sources: dict[str, list[Any]] = field(default_factory=dict)  # SourceInfo's fields
    nodes: dict[str, mg.DerivedNode] = field(default_factory=dict)
    node_claims: dict[str, dict[str, tuple]] = field(default_factory=dict)
    edges: dict[str, tuple[str, str, str, tuple]] = field(default_factory=dict)
    edge_claims: dict[str, dict[tuple[str, str], tuple[float, str]]] = field(
        default_factory=dict)
    aliases: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)  # norm -> rows
    alias_rows: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # id -> rows
    redirects: dict[str, tuple[str, str]] = field(default_factory=dict)
    merges: list[tuple[str, str, str, str]] = field(default_factory=list)
    absorbed: list[tuple[str, str, str, str]] = field(default_factory=list)  # source first
    judgements: dict[str, list[Judgement]] = field(default_factory=dict)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)  # metric -> id -> value
    # metric -> the ids of its ranking scores in ``top``'s order, made when the metric is
    # written (or first ranked after a restore); ids no longer scored are skipped
    ranked: dict[str, list[str]] = field(default_factory=dict)

    def copy(self) -> State:
        """A working copy: each container copied, the values shared."""
        return State(**{name: copy.copy(value) for name, value in vars(self).items()})

    def index(self, node_id: str, node: mg.DerivedNode | None) -> None:
        """Replace a node's alias-index rows (none when ``node`` is None)."""
        for norm, kind in self.alias_rows.pop(node_id, []):
            self.aliases[norm] = self.aliases[norm] - {(node_id, kind)}
        if node is not None:
            self.alias_rows[node_id] = mg.alias_rows(node)
            for norm, kind in self.alias_rows[node_id]:
                self.aliases[norm] = self.aliases.get(norm, frozenset()) | {(node_id, kind)}

    def order(self, source_id: str) -> int:
        return list(self.sources).index(source_id)


class MemoryTx(WriteTx):
    """The write primitives on a working copy of the state."""

    def __init__(self, state: State) -> None:
        self.s = state

    def upsert_source(self, batch: Batch) -> None:
        counts = self.s.sources.get(batch.source_id, [0] * 7)[5:7]
        self.s.sources[batch.source_id] = [batch.source_id, batch.uri, batch.loader,
                                           batch.retrieved_at,
                                           datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                                           *counts, batch.dataset, batch.observed]

    def source_exists(self, source_id: str) -> bool:
        return source_id in self.s.sources

    def source_claims(self, source_id: str) -> Held:
        held = Held({i: c[source_id] for i, c in self.s.node_claims.items() if source_id in c})
        for key, claims in self.s.edge_claims.items():
            for (sid, locator), (confidence, props) in claims.items():
                if sid == source_id:
                    held.edges[(key, locator)] = (self.s.edges[key][2],
                                                  (locator, confidence, props))
        return held

    def own_node_claims(self, source_id: str, ids: list[str]) -> dict[str, tuple]:
        claims = self.s.node_claims
        return {i: claims[i][source_id] for i in ids if source_id in claims.get(i, ())}

    def forget(self) -> None:
        """Nothing is cached: the state is the store."""

    def set_source_counts(self, source_id: str, entities: int, relations: int) -> None:
        row = self.s.sources[source_id]
        self.s.sources[source_id] = [*row[:5], entities, relations, *row[7:]]

    def delete_source(self, source_id: str) -> None:
        self.write_claims(source_id, self.source_claims(source_id), Held())
        self.s.judgements.pop(source_id, None)
        del self.s.sources[source_id]

    def replace_judgements(self, source_id: str, judgements: list[Judgement]) -> None:
        self.s.judgements[source_id] = list(judgements)

    def judgements(self) -> Iterable[tuple[str, str, bool]]:
        return [(j.a, j.b, j.same) for sid in reversed(self.s.sources)
                for j in self.s.judgements.get(sid, [])]

    def has_nodes(self) -> bool:
        return bool(self.s.nodes)

    def lookup(self, form: str, keys: list[str]) -> Iterator[tuple[str, str]]:
        return lookup(self.s, form, keys)

    def name_candidates(self, norms: list[str]) -> dict[str, set[tuple[str, str]]]:
        out: dict[str, set[tuple[str, str]]] = {}
        for norm in norms:
            found = {(i, self.s.nodes[i].type) for i, kind in self.s.aliases.get(norm, ())
                     if kind == "name"}
            if norm in self.s.nodes:
                found.add((norm, self.s.nodes[norm].type))
            if found:
                out[norm] = found
        return out

    def node_types(self, ids: list[str]) -> dict[str, str]:
        return {i: self.s.nodes[i].type for i in ids if i in self.s.nodes}

    def existing_edges(self, edges: dict[str, str]) -> set[str]:
        return {k for k in edges if k in self.s.edges}

    def create_nodes(self, rows: list[tuple[str, mg.DerivedNode]]) -> None:
        for node_id, node in rows:
            self.s.nodes[node_id] = node
            self.s.index(node_id, node)

    def create_edges(self, rows: list[NewEdge]) -> None:
        for row in rows:
            self.s.edges[row.key] = (row.source, row.target, row.type, row.values)

    def write_claims(self, source_id: str, removed: Held, added: Held) -> None:
        nodes, edges = self.s.node_claims, self.s.edge_claims
        for node_id in removed.nodes:
            nodes[node_id] = {k: v for k, v in nodes[node_id].items() if k != source_id}
        for key, locator in removed.edges:
            edges[key] = {k: v for k, v in edges[key].items() if k != (source_id, locator)}
        for node_id, values in added.nodes.items():
            nodes[node_id] = {**nodes.get(node_id, {}), source_id: values}
        for (key, locator), (_, (_, confidence, props)) in added.edges.items():
            edges[key] = {**edges.get(key, {}), (source_id, locator): (confidence, props)}

    def log_merges(self, source_id: str, merges: list[tuple[str, str, str]]) -> None:
        for merged, into, reason in merges:
            self.s.redirects[merged] = (into, reason)
        self.s.merges = [*self.s.merges, *((*m, source_id) for m in merges)]

    def node_loaders(self, ids: list[str]) -> dict[str, set[str]]:
        return {i: {self.s.sources[sid][2] for sid in self.s.node_claims.get(i, {})}
                for i in ids}

    def claims_touching(self, ids: list[str]) -> tuple[dict[str, Held], dict[str, tuple]]:
        out: dict[str, Held] = {}
        for node_id in ids:
            for source_id, values in self.s.node_claims.get(node_id, {}).items():
                out.setdefault(source_id, Held()).nodes[node_id] = values
        wanted = set(ids)
        ends = {key: (src, rtype, dst) for key, (src, dst, rtype, _) in self.s.edges.items()
                if src in wanted or dst in wanted}
        for key, (_, rtype, _) in ends.items():
            for (source_id, locator), (confidence, props) in self.s.edge_claims.get(key,
                                                                                    {}).items():
                out.setdefault(source_id, Held()).edges[(key, locator)] = (
                    rtype, (locator, confidence, props))
        return out, ends

    def save_absorbed(self, source_id: str, absorbed: str, kept: str, record: str) -> None:
        self.s.absorbed = [*self.s.absorbed, (source_id, absorbed, kept, record)]

    def take_absorbed(self, source_id: str) -> list[tuple[str, str, str]]:
        taken = [row[1:] for row in self.s.absorbed if row[0] == source_id]
        self.s.absorbed = [row for row in self.s.absorbed if row[0] != source_id]
        for absorbed, kept, _ in taken:
            if self.s.redirects.get(absorbed, ("",))[0] == kept:
                self.s.redirects = {k: v for k, v in self.s.redirects.items() if k != absorbed}
        return taken

    def _order(self) -> dict[str, int]:
        return {sid: i for i, sid in enumerate(self.s.sources)}

    def edge_states(self, edges: dict[str, str], exclude: str | None) -> list[writer.EdgeState]:
        out, order = [], self._order()
        for key in edges:
            if key in self.s.edges:
                src, dst, rtype, values = self.s.edges[key]
                held = self.s.edge_claims.get(key, {})
                claims = [held[k] for k in sorted(held, key=lambda k: (order[k[0]], k[1]))
                          if k[0] != exclude]
                out.append(writer.EdgeState(key, rtype, src, dst, values,
                                     [(c, mg.from_json(p)) for c, p in claims]))
        return out

    def node_states(self, ids: Sequence[str], exclude: str | None) -> list[writer.NodeState]:
        degree: dict[str, int] = {}
        for src, dst, _, _ in self.s.edges.values():
            degree[src] = degree.get(src, 0) + 1
            degree[dst] = degree.get(dst, 0) + 1
        out, order = [], self._order()
        for node_id in ids:
            if node_id in self.s.nodes:
                node, held = self.s.nodes[node_id], self.s.node_claims.get(node_id, {})
                claims = [mg.NodeClaim(t, n, mg.from_json(a), mg.from_json(k), mg.from_json(p),
                                       f, last)
                          for t, n, a, k, p, _, f, last in (
                              held[sid] for sid in sorted(held, key=order.__getitem__)
                              if sid != exclude)]
                out.append(writer.NodeState(node_id, node.type, node_values(node), claims,
                                     degree.get(node_id, 0)))
        return out

    def update_edges(self, rows: list[tuple[str, str, mg.DerivedEdge]]) -> None:
        for key, _, edge in rows:
            self.s.edges[key] = (*self.s.edges[key][:3], edge_values(edge))

    def delete_edges(self, edges: dict[str, str]) -> None:
        for key in edges:
            del self.s.edges[key]
            self.s.edge_claims.pop(key, None)

    def update_nodes(self, rows: list[tuple[str, str, mg.DerivedNode]]) -> None:
        self.create_nodes([(node_id, node) for node_id, _, node in rows])

    def delete_nodes(self, ids: list[str]) -> None:
        for node_id in ids:
            del self.s.nodes[node_id]
            self.s.node_claims.pop(node_id, None)
            self.s.index(node_id, None)
        gone = set(ids)
        for metric, values in self.s.scores.items():
            if gone & values.keys():
                self.s.scores[metric] = {i: v for i, v in values.items() if i not in gone}


def lookup(state: State, form: str, keys: list[str]) -> Iterator[tuple[str, str]]:
    """``(key, node id)`` pairs for one reference form."""
    for key in keys:
        if form == "id" and key in state.nodes:
            yield key, key
        elif form == "redirect" and state.redirects.get(key, ("",))[0] in state.nodes:
            yield key, state.redirects[key][0]
        elif form in ("key", "name"):
            yield from ((key, i) for i, kind in state.aliases.get(key, ()) if kind == form)


class MemoryStore(GraphStore):
    """GraphStore in this process's memory."""

    kind = "memory"

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.state = State()
        self._lock = threading.RLock()

    def transact(self, work: Callable[[WriteTx], T]) -> T:
        with self._lock:
            working = self.state.copy()
            result = work(MemoryTx(working))
            self.state = working
            return result

    def sources(self) -> list[SourceInfo]:
        return [SourceInfo(*row) for row in self.state.sources.values()]

    def stats(self) -> dict[str, Any]:
        s = self.state
        by_node: dict[str, int] = {}
        by_edge: dict[str, int] = {}
        for node in s.nodes.values():
            by_node[node.type] = by_node.get(node.type, 0) + 1
        for _, _, rtype, _ in s.edges.values():
            by_edge[rtype] = by_edge.get(rtype, 0) + 1
        return {"store": self.kind, "path": f"memory:{self.name}", "nodes": len(s.nodes),
                "edges": len(s.edges), "claims": sum(map(len, s.edge_claims.values())),
                "sources": len(s.sources), "nodes_by_type": dict(sorted(by_node.items())),
                "edges_by_type": dict(sorted(by_edge.items()))}

    def lookup(self, form: str, keys: list[str]) -> Iterator[tuple[str, str]]:
        return lookup(self.state, form, keys)

    def entities(self, ids: Iterable[str]) -> list[EntityRecord]:
        return [self._record(i) for i in dict.fromkeys(ids) if i in self.state.nodes]

    def _record(self, node_id: str) -> EntityRecord:
        node = self.state.nodes[node_id]
        scores = {m: v[node_id] for m, v in self.state.scores.items() if node_id in v}
        return EntityRecord(id=node_id, type=node.type, name=node.name,
                            aliases=[*node.aliases, *node.keys], properties=dict(node.properties),
                            scores=scores, first_seen=node.first_seen, last_seen=node.last_seen)

    def search_hits(self, key: str) -> tuple[list[str], list[str], list[str]]:
        s = self.state
        created = {node_id: i for i, node_id in enumerate(s.nodes)}
        exact = {i for i, _ in s.aliases.get(key, ())}
        prefix = [i for norm in sorted(s.aliases) if norm.startswith(key)
                  for i, _ in sorted(s.aliases[norm])][:2000]
        substring = [] if len(key) < 3 else [
            i for i, n in s.nodes.items()
            if key in fold(" | ".join([n.name, *n.aliases]))][:2000]
        return tuple(sorted(set(hits), key=created.__getitem__)  # type: ignore[return-value]
                     for hits in (exact, prefix, substring))

    def _edges(self, flt: EdgeFilter | None) -> list[EdgeRecord]:
        """Every edge passing the filter (snapshots not in force hidden), in key order,
        without claims."""
        flt, s = self.in_force(flt), self.state
        hidden = flt.hidden_sources
        out = []
        for key in sorted(s.edges):
            src, dst, rtype, values = s.edges[key]
            props, confidence, _, start, end = values
            types = {s.nodes[src].type, s.nodes[dst].type}
            if (confidence >= flt.min_confidence - 1e-12
                    and (not hidden or any(sid not in hidden for sid, _ in s.edge_claims[key]))
                    and (not flt.rel_types or rtype in flt.rel_types)
                    and (not flt.node_types or types <= flt.node_types)
                    and (not flt.as_of or ((start is None or start <= flt.as_of)
                                           and (end is None or end >= flt.as_of)))):
                out.append(EdgeRecord(key, src, dst, rtype, mg.from_json(props), confidence))
        return out

    def _with_claims(self, edges: list[EdgeRecord], claims: bool) -> list[EdgeRecord]:
        if claims:
            order = list(self.state.sources)
            for edge in edges:
                held = self.state.edge_claims.get(edge.key, {})
                edge.sources = [self._claim(sid, loc, held[(sid, loc)][0])
                                for sid, loc in sorted(held, key=lambda k: (order.index(k[0]),
                                                                            k[1]))]
        return edges

    def _claim(self, source_id: str, locator: str, confidence: float) -> Claim:
        source_id, uri, loader, retrieved_at = self.state.sources[source_id][:4]
        return Claim(source_id, uri, loader, retrieved_at, locator, confidence)

    def edges(self, ids: Iterable[str], direction: str = "both",
              flt: EdgeFilter | None = None, limit: int | None = None,
              claims: bool = True) -> list[EdgeRecord]:
        wanted = set(ids)
        ends = {"out": (True, False), "in": (False, True), "both": (True, True)}[direction]
        rows = [e for e in self._edges(flt)
                if (ends[0] and e.source in wanted) or (ends[1] and e.target in wanted)]
        rows.sort(key=lambda e: (-e.confidence, e.key))
        return self._with_claims(rows[:limit] if limit else rows, claims)

    def edges_among(self, ids: Iterable[str], flt: EdgeFilter | None = None,
                    claims: bool = True) -> list[EdgeRecord]:
        wanted = set(ids)
        return self._with_claims([e for e in self._edges(flt)
                                  if e.source in wanted and e.target in wanted], claims)

    def degree(self, ids: Iterable[str], flt: EdgeFilter | None = None) -> dict[str, int]:
        wanted, counts = set(ids), dict[str, int]()
        for edge in self._edges(flt):
            for end in (edge.source, edge.target):
                if end in wanted:
                    counts[end] = counts.get(end, 0) + 1
        return counts

    def iter_entities(self) -> Iterator[EntityRecord]:
        return (self._record(i) for i in sorted(self.state.nodes))

    def iter_edges(self, flt: EdgeFilter | None = None,
                   claims: bool = True) -> Iterator[EdgeRecord]:
        return iter(self._with_claims(self._edges(flt), claims))

    def projection(self, flt: EdgeFilter | None = None,
                   weight: str | None = None) -> Projection:
        proj = Projection(ids=[])
        for edge in self._edges(flt):
            proj.add((edge.source, edge.source), (edge.target, edge.target),
                     edge.properties.get(weight or "weight"), weight)
        return proj

    def write_scores(self, metric: str, values: dict[str, Any]) -> None:
        with self._lock:
            state = self.state.copy()
            state.scores.pop(metric, None)
            kept = {i: v for i, v in values.items() if i in state.nodes}
            if kept:  # the metric is now the last one written
                state.scores[metric] = kept
            state.ranked[metric] = _ranking(kept)
            self.state = state

    def top(self, metric: str, limit: int = 20) -> list[EntityRecord]:
        """The metric's ranking read in order until ``limit`` of its ids are still scored."""
        state = self.state
        values = state.scores.get(metric, {})
        ranked = state.ranked.get(metric)
        if ranked is None:  # restored: ranked once, by the first reader
            ranked = state.ranked[metric] = _ranking(values)
        scored = (i for i in ranked if i in values)
        return [self._record(i) for i in islice(scored, limit if limit >= 0 else None)]

    def merge_log(self) -> list[dict[str, str]]:
        return [dict(zip(("merged", "into", "reason", "source_id"), m, strict=True))
                for m in self.state.merges]

    def dump(self, table: str) -> Iterator[tuple]:
        return iter(list(dump_rows(self.state, table)))

    def restore(self, chunks: Iterator[Chunk]) -> None:
        with self._lock:
            for table, rows in chunks:
                restore_rows(self.state, table, rows)

    def clear(self) -> None:
        with self._lock:
            self.state = State()

    def close(self) -> None:
        """Nothing to release (the graph stays readable until the object goes)."""


def dump_rows(s: State, table: str) -> Iterator[tuple]:
    """One table of :data:`graph.store.sync.TABLES`, in its order."""
    order = list(s.sources)
    if table == "sources":
        yield from (tuple(row) for row in s.sources.values())
    elif table == "nodes":
        yield from ((i, *node_values(n)) for i, n in s.nodes.items())
    elif table == "scores":
        yield from ((i, m, v) for m, values in s.scores.items() for i, v in values.items())
    elif table == "node_claims":
        yield from sorted(((i, sid, *v) for i, c in s.node_claims.items()
                           for sid, v in c.items()), key=lambda r: order.index(r[1]))
    elif table == "edges":
        yield from ((k, src, dst, t, *v) for k, (src, dst, t, v) in s.edges.items())
    elif table == "edge_claims":
        yield from sorted(((k, sid, loc, *v) for k, c in s.edge_claims.items()
                           for (sid, loc), v in c.items()),
                          key=lambda r: (order.index(r[1]), r[0], r[2]))
    elif table == "redirects":
        yield from sorted((old, new, why) for old, (new, why) in s.redirects.items())
    elif table == "merge_log":
        yield from s.merges
    elif table == "judgements":
        yield from ((sid, j.a, j.b, j.same, j.locator) for sid in order
                    for j in s.judgements.get(sid, []))
    elif table == "absorbed":
        yield from s.absorbed


def _ranking(values: dict[str, Any]) -> list[str]:
    """The ids of the scores that rank (:mod:`graph.store.scores`), highest first, ties by
    id."""
    ranked = [(rank, i) for i, v in values.items() if (rank := to_row(v)[0]) is not None]
    ranked.sort(key=lambda r: (-r[0], r[1]))
    return [i for _, i in ranked]


def restore_rows(s: State, table: str, rows: list[tuple]) -> None:
    """Add dumped rows of one table."""
    assert table in TABLES, table
    for row in rows:
        if table == "sources":
            s.sources[row[0]] = list(row)
        elif table == "nodes":
            s.nodes[row[0]] = derived(row)
            s.index(row[0], s.nodes[row[0]])
        elif table == "scores":
            s.scores.setdefault(row[1], {})[row[0]] = row[2]
            s.ranked.pop(row[1], None)
        elif table == "node_claims":
            s.node_claims.setdefault(row[0], {})[row[1]] = tuple(row[2:])
        elif table == "edges":
            s.edges[row[0]] = (row[1], row[2], row[3], tuple(row[4:]))
        elif table == "edge_claims":
            s.edge_claims.setdefault(row[0], {})[(row[1], row[2])] = (row[3], row[4])
        elif table == "redirects":
            s.redirects[row[0]] = (row[1], row[2])
        elif table == "merge_log":
            s.merges.append(tuple(row))
        elif table == "judgements":
            s.judgements.setdefault(row[0], []).append(Judgement(*row[1:]))
        elif table == "absorbed":
            s.absorbed.append(tuple(row))

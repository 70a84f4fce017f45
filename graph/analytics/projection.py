"""The store projected for analytics: a compact dependency graph on integer node ids.

Only what an algorithm needs is kept: the entity ids (once, in a list), and the edges as
numpy arrays ``src``, ``dst`` (int32) and ``weight`` (float64, or ``None`` when unweighted).
An edge ``u -> v`` means *u depends on v* (``A DEPENDS_ON B`` gives ``A -> B``).

Normalisation done once, here, so every measure and both engines see the same graph:

- parallel edges between the same ordered pair (two dependency relation types, or two
  facts) collapse to one dependency whose weight is the **sum** of their weights;
- self-loops (``A DEPENDS_ON A``) are dropped: a node cannot be its own dependent;
- nodes are exactly the endpoints of the edges that pass the filter (a node with no
  dependency edge has no dependents and is not in the projection).

The networkx ``DiGraph`` and the igraph ``Graph`` are built lazily from the same arrays, with
node ``i`` of one equal to vertex ``i`` of the other. Memory: the arrays cost 16 bytes per
edge, the igraph graph about 40 more, the networkx graph several hundred (see
docs/analytics.md for measured figures).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np

from graph.store.base import EdgeFilter, GraphStore, Projection
from graph.vocab import DEPENDENCY_RELATIONS


def dependency_filter(rel_types: Iterable[str] | None = None, min_confidence: float = 0.0,
                      as_of: str | None = None) -> EdgeFilter:
    """The edge filter analytics uses: the given relation types (default: every relation the
    vocabulary marks as a dependency), minimum confidence, and an as-of date."""
    rels = frozenset(r.strip().upper() for r in rel_types) if rel_types else DEPENDENCY_RELATIONS
    return EdgeFilter(rel_types=rels, min_confidence=min_confidence, as_of=as_of)


@dataclass(eq=False)
class DependencyGraph:
    """A collapsed dependency graph: node ``i`` is entity ``ids[i]``; edge ``j`` runs
    ``src[j] -> dst[j]`` (src depends on dst) with weight ``weight[j]`` (``None``: every
    edge weighs 1). Build it with :func:`from_edges` or :func:`project`."""

    ids: list[str]
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray | None = None
    # what several measures derive from the same graph (its strongly connected components)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def m(self) -> int:
        return int(self.src.shape[0])

    @property
    def weighted(self) -> bool:
        return self.weight is not None

    def edge_weights(self) -> np.ndarray:
        """Edge weights, ones when the graph is unweighted."""
        return self.weight if self.weight is not None else np.ones(self.m)

    @cached_property
    def index(self) -> dict[str, int]:
        """Entity id -> node index."""
        return {node_id: i for i, node_id in enumerate(self.ids)}

    @cached_property
    def nx(self) -> nx.DiGraph:
        """The networkx view: a DiGraph on nodes ``0..n-1`` (inserted in order), each edge
        carrying only ``weight`` (and nothing when unweighted)."""
        graph: nx.DiGraph[int] = nx.DiGraph()
        nodes = list(range(self.n))  # shared int objects: one per node, not one per edge end
        graph.add_nodes_from(nodes)
        pairs = ((nodes[s], nodes[d]) for s, d in zip(self.src.tolist(), self.dst.tolist(),
                                                          strict=True))
        if self.weight is None:
            graph.add_edges_from(pairs)
        else:
            graph.add_weighted_edges_from((s, d, w) for (s, d), w in
                                          zip(pairs, self.weight.tolist(), strict=True))
        return graph

    @cached_property
    def ig(self):  # -> igraph.Graph
        """The igraph view: a directed Graph with vertex ``i`` = node ``i`` and, when
        weighted, the edge attribute ``weight``."""
        graph = igraph_graph(self.n, np.column_stack((self.src, self.dst)))
        if self.weight is not None:
            graph.es["weight"] = self.weight.tolist()
        return graph


def igraph_graph(n: int, edges: np.ndarray):  # -> igraph.Graph
    """A directed igraph Graph on vertices ``0..n-1`` with the edges of an (m, 2) integer
    array, in that order. ``add_edges`` reads the array's buffer directly; the constructor
    would take 3-4 times as long and several times the memory."""
    import igraph

    graph = igraph.Graph(n=n, directed=True)
    graph.add_edges(np.ascontiguousarray(edges, dtype=np.int64))
    return graph


def from_edges(ids: Sequence[str], src: Sequence[int] | np.ndarray,
               dst: Sequence[int] | np.ndarray,
               weight: Sequence[float] | np.ndarray | None = None) -> DependencyGraph:
    """A DependencyGraph from parallel edge arrays over nodes ``0..len(ids)-1``: self-loops
    dropped, parallel edges merged with their weights summed, edges sorted by (src, dst)."""
    n = len(ids)
    s = np.asarray(src, dtype=np.int64)
    d = np.asarray(dst, dtype=np.int64)
    if s.shape != d.shape or (s.size and (min(s.min(), d.min()) < 0
                                          or max(s.max(), d.max()) >= n)):
        raise ValueError("src and dst must be equal-length arrays of node indexes < len(ids)")
    keep = s != d
    keys = s[keep] * max(n, 1)
    keys += d[keep]  # in place: at 10M edges each temporary is 80 MB
    w = None
    if weight is None:  # sorted in place and deduplicated: np.unique would copy twice
        keys.sort()
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if keys.size else keys
    else:
        keys, inverse = np.unique(keys, return_inverse=True)
        w = np.bincount(inverse, weights=np.asarray(weight, dtype=np.float64)[keep],
                        minlength=keys.size)
    return DependencyGraph(ids=list(ids), src=(keys // max(n, 1)).astype(np.int32),
                           dst=(keys % max(n, 1)).astype(np.int32), weight=w)


def from_projection(proj: Projection, weighted: bool) -> DependencyGraph:
    """A DependencyGraph from a store's projection, with nodes numbered in id order: every
    store (and every load order) gives the same numbering, so sampled betweenness draws the
    same pivots everywhere."""
    order = sorted(range(len(proj.ids)), key=proj.ids.__getitem__)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    src = rank[np.asarray(proj.src, dtype=np.int64)]
    dst = rank[np.asarray(proj.dst, dtype=np.int64)]
    return from_edges([proj.ids[i] for i in order], src, dst,
                      np.asarray(proj.weight, dtype=np.float64) if weighted else None)


def project(store: GraphStore, flt: EdgeFilter | None = None,
            weight: str | None = None) -> DependencyGraph:
    """Project the store's dependency edges (``flt`` defaults to :func:`dependency_filter`)
    into a DependencyGraph, read in one pass. With ``weight``, each edge weighs its numeric
    property of that name (0 when missing); without, the graph is unweighted."""
    proj = store.projection(flt or dependency_filter(), weight)
    return from_projection(proj, weighted=weight is not None)

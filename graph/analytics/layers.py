"""Dependency layers: one graph per kind of need, single points of failure per layer.

Each dependency relation type belongs to a layer (``graph.vocab.LAYERS``: number resources,
routing, RPKI, facilities). Within a layer a node's dependencies are *alternatives* (two
transit providers: either keeps it reachable); across layers *each* is needed. So
``cut_off(v)`` is computed on each layer's graph alone, with the dominator analysis of
``measures.cut_off``, and an entity's cut-off set is the **union** over layers: a registry
every holder depends on for addresses does not hide the one provider a network has for
transit. docs/analytics.md works an example.

**Organisation-level routing** is derived here, at analysis time, from the AS-level facts:
for every customer link ``a CUSTOMER_OF b`` between ASes and every organisation ``A`` that
holds ``a`` and ``B`` that holds ``b`` (``asn HELD_BY org``; an AS block held as a whole
counts for each of its ASes), ``A -> B`` is a routing dependency whose weight is the number
of such AS links (the sum of their weights; each customer link has ``weight`` 1), and
``A == B`` is dropped. Nothing is stored: unloading the AS relationships
(or the holder links) removes the organisation-level dependencies with them, and ``as_of``
applies to both kinds of fact.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from graph.analytics import measures as ms
from graph.analytics.projection import DependencyGraph, from_edges, project
from graph.store.base import EdgeFilter, GraphStore
from graph.vocab import LAYERS, ORGANISATION_TYPES, layer_relations

ALL = "all"
HOLDER_RELATION = "HELD_BY"
ROUTING = "routing"


def layer_names(layer: str | None = None) -> list[str]:
    """The layers a request names: every layer for None or ``"all"``, else that one
    (ValueError for an unknown name)."""
    if layer in (None, ALL):
        return list(LAYERS)
    layer_relations(layer)  # raises for an unknown layer
    return [layer]


def holders(store: GraphStore, flt: EdgeFilter | None = None) -> dict[str, list[str]]:
    """Each AS's holding organisations: ``{asn id: [org id, ...]}`` from ``HELD_BY`` edges
    from an ASN to an organisation (registries included), under the filter's confidence and
    date. An AS block (``asn:100-103``) is listed under ``asn:100-103``; see
    :func:`holder_lookup` for single ASes inside it."""
    base = flt or EdgeFilter()
    held = store.projection(EdgeFilter(frozenset({HOLDER_RELATION}),
                                       frozenset({"ASN", *ORGANISATION_TYPES}),
                                       base.min_confidence, base.as_of))
    out: dict[str, list[str]] = defaultdict(list)
    ids = held.ids
    for s, d in zip(_plain_ints(held.src), _plain_ints(held.dst), strict=True):
        if ids[s].startswith("asn:"):  # Python ints: a numpy scalar per edge costs seconds
            out[ids[s]].append(ids[d])
    return out


def _plain_ints(values: Sequence[int] | np.ndarray) -> Sequence[int]:
    return values.tolist() if isinstance(values, np.ndarray) else values


def holder_lookup(held: dict[str, list[str]]):
    """A function ``asn id -> [org id]`` that also finds an AS inside a held block."""
    blocks = sorted((int(a), int(b), key) for key in held if "-" in key
                    for a, b in [key.removeprefix("asn:").split("-", 1)])
    starts = [b[0] for b in blocks]

    def lookup(asn_id: str) -> list[str]:
        found = held.get(asn_id)
        if found is not None or not blocks:
            return found or []
        number = asn_id.removeprefix("asn:")
        if not number.isdigit():
            return []
        i = bisect.bisect_right(starts, int(number)) - 1
        return held[blocks[i][2]] if i >= 0 and blocks[i][1] >= int(number) else []

    return lookup


def lift_to_organisations(graph: DependencyGraph,
                          held: dict[str, list[str]]) -> Counter[tuple[str, str]]:
    """Organisation-level routing dependencies from AS-level ones: ``(A, B) -> the summed
    weight of the AS links a -> b`` with ``a`` held by A and ``b`` by B, A != B (module
    docstring). Each AS link weighs 1 in an unweighted graph (and its ``weight`` property,
    1, when weighted by it), so the weight is the number of AS links."""
    lookup = holder_lookup(held)
    owners = [lookup(i) if i.startswith("asn:") else [] for i in graph.ids]
    links: Counter[tuple[str, str]] = Counter()
    for s, d, w in zip(graph.src.tolist(), graph.dst.tolist(), graph.edge_weights().tolist(),
                       strict=True):
        for a in owners[s]:
            for b in owners[d]:
                if a != b:
                    links[(a, b)] += w
    return links


def _merge(parts: Sequence[tuple[Sequence[str], np.ndarray, np.ndarray, np.ndarray]],
           weighted: bool) -> DependencyGraph:
    """One DependencyGraph from several edge lists ``(ids, src, dst, weight)`` (indexes into
    their own ``ids``): nodes numbered in id order, parallel edges merged, weights summed."""
    every = np.unique(np.concatenate([np.asarray(ids, dtype=object) for ids, *_ in parts]
                                     or [np.zeros(0, dtype=object)]).astype(str))
    src, dst, weight = [], [], []
    for ids, s, d, w in parts:
        rank = np.searchsorted(every, np.asarray(ids, dtype=str)) if len(ids) else \
            np.zeros(0, np.int64)
        src.append(rank[s] if len(s) else np.zeros(0, np.int64))
        dst.append(rank[d] if len(d) else np.zeros(0, np.int64))
        weight.append(np.asarray(w, dtype=np.float64))
    return from_edges(every.tolist(), np.concatenate(src), np.concatenate(dst),
                      np.concatenate(weight) if weighted else None)


def _part(graph: DependencyGraph) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    return graph.ids, graph.src, graph.dst, graph.edge_weights()


def layer_graph(store: GraphStore, layer: str, flt: EdgeFilter | None = None,
                weight: str | None = None) -> DependencyGraph:
    """One layer's dependency graph: its relation types projected under the filter's
    confidence and date; for ``routing``, plus the organisation-level dependencies lifted
    from the AS-level ones (weighted by the AS links' summed weights)."""
    base = flt or EdgeFilter()
    graph = project(store, EdgeFilter(layer_relations(layer), base.node_types,
                                      base.min_confidence, base.as_of), weight)
    if layer != ROUTING or graph.m == 0:
        return graph
    lifted = lift_to_organisations(graph, holders(store, base))
    if not lifted:
        return graph
    org_ids = sorted({x for pair in lifted for x in pair})
    index = {o: i for i, o in enumerate(org_ids)}
    pairs = list(lifted.items())
    orgs = (org_ids, np.array([index[a] for (a, _), _ in pairs], np.int64),
            np.array([index[b] for (_, b), _ in pairs], np.int64),
            np.array([float(n) for _, n in pairs]))
    return _merge([_part(graph), orgs], weight is not None)


def layer_graphs(store: GraphStore, layers: Iterable[str], flt: EdgeFilter | None = None,
                 weight: str | None = None) -> dict[str, DependencyGraph]:
    """``{layer: graph}`` for each named layer (see :func:`layer_graph`)."""
    return {layer: layer_graph(store, layer, flt, weight) for layer in layers}


def union(graphs: Iterable[DependencyGraph], weighted: bool) -> DependencyGraph:
    """All layers in one graph (for the measures that do not read dependencies as
    alternatives: dependents, PageRank, betweenness...): nodes the union, parallel edges
    merged with their weights summed, as in every projection."""
    return _merge([_part(g) for g in graphs], weighted)


def cut_off_sets(graph: DependencyGraph, nodes: Iterable[int],
                 engine: str = "auto") -> dict[int, list[int]]:
    """For each of ``nodes``, the nodes it cuts off in this (one-layer) graph: its
    descendants in the supply dominator tree (``measures.dominator_tree``)."""
    parent = ms.dominator_tree(graph, engine)
    children: dict[int, list[int]] = defaultdict(list)
    for u, p in enumerate(parent.tolist()):
        if p >= 0:
            children[p].append(u)
    out: dict[int, list[int]] = {}
    for v in nodes:
        found, stack = [], list(children.get(v, []))
        while stack:
            u = stack.pop()
            found.append(u)
            stack.extend(children.get(u, []))
        out[v] = found
    return out


def cut_off(graphs: dict[str, DependencyGraph], engine: str = "auto") -> dict[str, int]:
    """``cut_off(v) = |union over layers L of cut_off_L(v)|`` by entity id, for every node
    of every layer: each layer's dominator counts, and where a node cuts off dependents in
    more than one layer, the size of the union of those sets (a dependent cut off in two
    layers counts once)."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for layer, graph in graphs.items():
        sizes = ms.cut_off(graph, engine)
        for v, size in sizes.items():
            counts[graph.ids[v]][layer] = size
    total = {node_id: sum(by_layer.values()) for node_id, by_layer in counts.items()}
    shared = [i for i, by_layer in counts.items() if sum(1 for c in by_layer.values() if c) > 1]
    if shared:
        sets: dict[str, set[str]] = defaultdict(set)
        for layer, graph in graphs.items():
            wanted = [graph.index[i] for i in shared if counts[i].get(layer)]
            for v, cut in cut_off_sets(graph, wanted, engine).items():
                sets[graph.ids[v]].update(graph.ids[u] for u in cut)
        total.update({i: len(sets[i]) for i in shared})
    return total

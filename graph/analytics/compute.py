"""Analytics over a store: project once, run the measures, write the scores back, rank.

``centrality`` and ``impact`` are the library functions behind ``govgraph centrality`` and
``govgraph impact`` (same names, same arguments). ``compute_and_store`` is what the demo
and other callers use to refresh every stored score.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import networkx as nx
import numpy as np

from graph.analytics import layers
from graph.analytics import measures as ms
from graph.analytics.projection import DependencyGraph, dependency_filter, project
from graph.model import EntityRecord
from graph.query import resolve_name
from graph.store.base import EdgeFilter, GraphStore

Measure = Callable[..., dict[int, Any]]

# The metric names (also the score names stored on nodes), in display order.
METRICS: dict[str, Measure] = {
    "transitive_dependents": lambda g, o: ms.transitive_dependents(g, o["engine"]),
    "dependents": lambda g, o: ms.dependents(g),
    "dependency_share": lambda g, o: ms.dependency_share(g, o.get("node_weight"), o["engine"]),
    "pagerank": lambda g, o: ms.pagerank(g, o.get("alpha", ms.PAGERANK_ALPHA), o["engine"]),
    "betweenness": lambda g, o: ms.betweenness(g, o.get("k", -1),
                                               o.get("seed", ms.BETWEENNESS_SEED), o["engine"]),
    "degree": lambda g, o: ms.degree(g),
    "spof": lambda g, o: ms.spof(g, o["engine"]),
    "cut_off": lambda g, o: ms.cut_off(g, o["engine"]),
    "articulation": lambda g, o: ms.articulation(g, o["engine"]),
}


# The metrics also stored for each dependency layer on its own graph, as ``<metric>@<layer>``
# scores, so that a layer's ranking is read from the store (GET /centrality?layer=): the
# default ranking. The others are computed per request (at 10M relations each costs the
# layer's projection, 10-25 CPU s); see docs/analytics.md.
LAYER_METRICS: tuple[str, ...] = ("transitive_dependents",)


def layer_metric(metric: str, layer: str) -> str:
    """The name of ``metric``'s stored score on one dependency layer: ``metric@layer``."""
    return f"{metric}@{layer}"


def metric_names(metrics: str | Iterable[str] = "all") -> list[str]:
    """The metrics a request names: ``"all"``, one name, or several; unknown names raise
    ValueError."""
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    if "all" in names:
        return list(METRICS)
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric {', '.join(unknown)}; choose from all, "
                         f"{', '.join(METRICS)}")
    return list(dict.fromkeys(names))


def compute(graph: DependencyGraph, metrics: str | Iterable[str] = "all",
            engine: str = "auto", **options: Any) -> dict[str, dict[int, Any]]:
    """Run the named measures on a projected graph: ``{metric: {node index: value}}``.
    Options: ``k`` and ``seed`` (betweenness), ``alpha`` (PageRank), ``node_weight``
    (dependency share)."""
    opts = {"engine": engine, **options}
    names = metric_names(metrics)
    results: dict[str, dict[int, Any]] = {}
    for name in names:
        if name == "spof" and "cut_off" in results:
            results[name] = {v: c > 0 for v, c in results["cut_off"].items()}
        else:
            results[name] = METRICS[name](graph, opts)
    return results


def scoped_graphs(store: GraphStore, flt: EdgeFilter | None = None, weight: str | None = None,
                  layer: str | None = None) -> tuple[DependencyGraph, dict[str, DependencyGraph]]:
    """The graph the measures run on and the per-layer graphs single points of failure are
    computed on. With relation types in ``flt``: one graph of those relations, its own
    only layer (``custom``). Otherwise the named layer (``layer``; None or ``"all"``: every
    layer, see ``graph.analytics.layers``) and, for the other measures, their union."""
    if flt is not None and flt.rel_types:
        if layer not in (None, layers.ALL):
            raise ValueError("give relation types or a layer, not both")
        graph = project(store, flt, weight)
        return graph, {"custom": graph}
    graphs = layers.layer_graphs(store, layers.layer_names(layer), flt, weight)
    if len(graphs) == 1:
        (graph,) = graphs.values()
        return graph, graphs
    return layers.union(graphs.values(), weight is not None), graphs


class ScoreColumns(Mapping[str, Mapping[str, Any]]):
    """What :func:`compute_and_store` computed, read as ``{metric: {entity id: value}}``:
    one numpy column per metric over the projection's nodes (``ids``), not a dict per
    metric (at 10M relations nine such dicts held several GB)."""

    def __init__(self, graph: DependencyGraph, columns: dict[str, np.ndarray]) -> None:
        self.graph = graph
        self.columns = columns

    def __getitem__(self, metric: str) -> Mapping[str, Any]:
        return _Column(self.graph, self.columns[metric])

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


class _Column(Mapping[str, Any]):
    """One metric's values by entity id (JSON-safe: see :func:`_plain`)."""

    def __init__(self, graph: DependencyGraph, column: np.ndarray) -> None:
        self.graph = graph
        self.column = column

    def __getitem__(self, node_id: str) -> Any:
        return _plain(self.column[self.graph.index[node_id]])

    def __iter__(self) -> Iterator[str]:
        return iter(self.graph.ids)

    def __len__(self) -> int:
        return self.graph.n


def compute_and_store(store: GraphStore, metrics: str | Iterable[str] = "all",
                      flt: EdgeFilter | None = None, weight: str | None = None,
                      engine: str = "auto", layer: str | None = None,
                      **options: Any) -> ScoreColumns:
    """Project the store (``flt``'s relation types, else the dependency layers: see
    :func:`scoped_graphs`), compute the measures one at a time, each kept as a numpy column
    over the projection's nodes (a measure's working memory is freed before the next
    starts), write them all in one ``store.write_score_columns`` (nodes outside the
    projection lose those scores; readers see all the new scores at once) and return them
    as ``{metric: {entity id: value}}`` (:class:`ScoreColumns`). ``cut_off`` and ``spof``
    are per layer and combined (``layers.cut_off``); the other measures run on the union of
    the layers."""
    graph, graphs = scoped_graphs(store, flt, weight, layer)
    opts = {"engine": engine, **options}
    columns: dict[str, np.ndarray] = {}
    for name in _ordered_for_reuse(metrics):
        columns[name] = _measure_column(graph, graphs, name, columns, opts)
    columns = {name: columns[name] for name in metric_names(metrics)}  # the write order
    by_layer, positions = _layer_columns(graph, graphs, columns, opts)
    store.write_score_columns(graph.ids, {**columns, **by_layer}, positions)
    return ScoreColumns(graph, columns)


def _layer_columns(graph: DependencyGraph, graphs: dict[str, DependencyGraph],
                   done: dict[str, np.ndarray], opts: dict[str, Any]
                   ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The :data:`LAYER_METRICS` among those computed, on each layer's graph alone (none
    for a graph of chosen relation types): ``({metric@layer: column}, {metric@layer: the
    positions of the layer's nodes in graph.ids})``. A layer's working memory (its
    components and searches) is freed once its columns are taken."""
    if "custom" in graphs:
        return {}, {}
    columns: dict[str, np.ndarray] = {}
    positions: dict[str, np.ndarray] = {}
    for layer, part in graphs.items():
        at = np.fromiter((graph.index[i] for i in part.ids), dtype=np.int64, count=part.n)
        for name in (m for m in LAYER_METRICS if m in done):
            key = layer_metric(name, layer)
            same = part is graph  # one layer: its scores are the ones just computed
            columns[key] = done[name] if same else _column(METRICS[name](part, opts), part.n)
            positions[key] = at
        if part is not graph:
            part.memo.clear()
    return columns, positions


def _measure_column(graph: DependencyGraph, graphs: dict[str, DependencyGraph], name: str,
                    done: dict[str, np.ndarray], opts: dict[str, Any]) -> np.ndarray:
    """One measure's values in node order: on the union graph, or for ``cut_off`` and
    ``spof`` over several layers, per layer and combined; ``spof`` from ``cut_off`` when
    that is done."""
    if name == "spof" and "cut_off" in done:
        return done["cut_off"] > 0
    if name in ("cut_off", "spof") and len(graphs) > 1:
        cut = layers.cut_off(graphs, opts["engine"])
        counts = np.array([cut.get(i, 0) for i in graph.ids], dtype=np.int64)
        return counts if name == "cut_off" else counts > 0
    return _column(METRICS[name](graph, opts), graph.n)


def _column(values: dict[int, Any], n: int) -> np.ndarray:
    """A measure's ``{node index: value}`` as a numpy column; NaN as None (an object
    column), as :func:`_plain` gives it."""
    column = np.asarray([values[i] for i in range(n)])
    if column.dtype.kind == "f" and np.isnan(column).any():
        return np.array([_plain(v) for v in column.tolist()], dtype=object)
    if column.dtype.kind not in "bif":
        return np.array([_plain(v) for v in column.tolist()], dtype=object)
    return column


def _ordered_for_reuse(metrics: str | Iterable[str]) -> list[str]:
    """cut_off before spof so the dominator tree is computed once."""
    names = metric_names(metrics)
    return sorted(names, key=lambda n: n == "spof")


def _plain(value: Any) -> Any:
    """numpy scalars and NaN as JSON-safe Python values."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return None if value != value else value


def centrality(store: GraphStore, metric: str | Iterable[str] = "all",
               rel_types: Iterable[str] | None = None, min_confidence: float = 0.0,
               as_of: str | None = None, weight: str | None = None, top: int | None = None,
               engine: str = "auto", layer: str | None = None,
               **options: Any) -> list[dict[str, Any]]:
    """Compute and store the metrics, and rank the nodes by the first one (for ``all``,
    transitive dependents), ties by PageRank then id: ``[{"id", "name", "type",
    <metric>: value, ...}]``, one object per node of the projection, at most ``top``.
    ``layer``: one dependency layer, or all (None); ``rel_types`` instead picks relations."""
    flt = request_filter(rel_types, min_confidence, as_of)
    scores = compute_and_store(store, metric, flt, weight, engine, layer, **options)
    names = metric_names(metric)
    ids = [scores.graph.ids[v] for v in _ranked(scores, names[0], top)]
    records = {r.id: r for r in store.entities(ids)}
    return [{"id": i, "name": records[i].name if i in records else i,
             "type": records[i].type if i in records else None,
             **{n: scores[n].get(i) for n in names}} for i in ids]


def stored_layer_ranking(store: GraphStore, metric: str, layer: str,
                         top: int) -> list[tuple[EntityRecord, Any]] | None:
    """The ``top`` entities by ``metric`` on one dependency layer as the last analytics run
    stored it (``metric@layer``, :data:`LAYER_METRICS`), ties by id: ``[(record, value)]``;
    None when no such score is stored (a metric not stored per layer, a store analysed
    before layer scores existed, or a layer with no node)."""
    (name,) = metric_names(metric)
    if name not in LAYER_METRICS or layers.layer_names(layer) != [layer]:
        return None
    key = layer_metric(name, layer)
    ranked = [(r, r.scores.get(key)) for r in store.top(key, top)]
    return ranked or None


def layer_ranking(store: GraphStore, metric: str, layer: str,
                  top: int) -> list[tuple[EntityRecord, Any]]:
    """The ``top`` entities by ``metric`` computed on one dependency layer's graph (see
    :func:`scoped_graphs`), nothing stored, ties by id: ``[(record, value)]``. For the
    :data:`LAYER_METRICS`, the analytics suite stores the same values
    (:func:`stored_layer_ranking`)."""
    (name,) = metric_names(metric)
    graph, _ = scoped_graphs(store, None, None, layer)
    column = _column(compute(graph, [name])[name], graph.n)
    ranked = [graph.ids[v] for v in _ranked(ScoreColumns(graph, {name: column}), name, top)]
    records = {r.id: r for r in store.entities(ranked)}
    return [(records[i], _plain(column[graph.index[i]])) for i in ranked if i in records]


def request_filter(rel_types: Iterable[str] | None, min_confidence: float = 0.0,
                   as_of: str | None = None) -> EdgeFilter:
    """The filter of a request: the named relation types (then no layers apply), or none
    (the layers decide), with the confidence and date bounds."""
    if rel_types:
        return dependency_filter(rel_types, min_confidence, as_of)
    return EdgeFilter(min_confidence=min_confidence, as_of=as_of)


def _ranked(scores: ScoreColumns, metric: str, top: int | None) -> list[int]:
    """The nodes by ``metric``, highest first (None below every number), ties by PageRank
    (when computed) then id; the first ``top``. With ``top``, only the nodes at or above
    the ``top``-th highest value are sorted."""
    column, graph = scores.columns[metric], scores.graph
    candidates: Iterable[int] = range(graph.n)
    if top and top < graph.n and column.dtype.kind in "bif":
        numbers = column.astype(np.float64)
        bound = np.partition(numbers, graph.n - top)[graph.n - top]
        candidates = np.flatnonzero(numbers >= bound).tolist()
    tie = scores.columns.get("pagerank")

    def key(v: int) -> tuple:
        value = _plain(column[v])
        tied = (_plain(tie[v]) if tie is not None else None) or 0.0
        return (-(float(value) if value is not None else -1.0), -tied, graph.ids[v])

    ranked = sorted(candidates, key=key)
    return ranked[:top] if top else ranked


def impact(store: GraphStore, ref: str, rel_types: Iterable[str] | None = None,
           min_confidence: float = 0.0, as_of: str | None = None, weight: str | None = None,
           engine: str = "auto", layer: str | None = None) -> dict[str, Any]:
    """What depends on an entity (id, name or key): ``direct`` dependents with the weight of
    their edge, ``transitive`` dependents with their distance and node weight (omega, see
    ``measures.node_weights``), and ``cut_off``: the dependents left with no route to any
    ultimate supplier of some layer if it fails (its dominator-tree descendants in each
    layer's graph, united; each entry names its ``layers``; ``cut_off_by_layer`` counts
    them). ``layer`` picks one layer (None: all); ``rel_types`` instead picks relations
    (one graph). Raises UnknownEntity when the reference names nothing, AmbiguousName when
    it names several (both StoreErrors; see ``graph.query.resolve_name``)."""
    node_id = resolve_name(store, ref).id
    graph, graphs = scoped_graphs(store, request_filter(rel_types, min_confidence, as_of),
                                  weight, layer)
    v = graph.index.get(node_id)
    direct = [] if v is None else _direct(graph, v)
    distances = {} if v is None else upstream_distances(graph, v)
    cut_layers = _cut_off_layers(graphs, node_id, engine)
    omega = ms.node_weights(graph)
    total = float(omega.sum())
    share = sum(omega[u] for u in distances) / total if total > 0 else 0.0
    names = _describe(store, [node_id, *[graph.ids[u] for u in distances], *cut_layers])
    return {
        **names[node_id], "weight": weight or "count",
        "layer": "custom" if "custom" in graphs else (layer or layers.ALL),
        "dependents": len(direct), "transitive_dependents": len(distances),
        "dependency_share": float(share), "cut_off_count": len(cut_layers),
        "cut_off_by_layer": {name: sum(name in found for found in cut_layers.values())
                             for name in graphs},
        "direct": [{**names[graph.ids[u]], "weight": w, "cut_off": graph.ids[u] in cut_layers}
                   for u, w in direct],
        "transitive": [{**names[graph.ids[u]], "distance": d, "weight": float(omega[u]),
                        "cut_off": graph.ids[u] in cut_layers}
                       for u, d in sorted(distances.items(), key=lambda x: (x[1], x[0]))],
        "cut_off": [{**names[i], "layers": cut_layers[i]} for i in sorted(cut_layers)],
    }


def _cut_off_layers(graphs: dict[str, DependencyGraph], node_id: str,
                    engine: str) -> dict[str, list[str]]:
    """The entities ``node_id`` cuts off, each with the layers it cuts them off in."""
    found: dict[str, list[str]] = {}
    for name, graph in graphs.items():
        v = graph.index.get(node_id)
        if v is None:
            continue
        for u in layers.cut_off_sets(graph, [v], engine)[v]:
            found.setdefault(graph.ids[u], []).append(name)
    return found


def dependency_map(store: GraphStore, refs: Iterable[str],
                   flt: EdgeFilter | None = None) -> nx.DiGraph:
    """The dependency edges among the named entities, for drawing: a DiGraph on entity ids
    with node attributes ``name``, ``type`` and the stored ``scores``, and edge attributes
    ``type`` and ``confidence`` (``flt`` defaults to the dependency relations)."""
    ids = [i for i in (store.resolve(r) for r in refs) if i]
    flt = flt or dependency_filter()
    graph: nx.DiGraph[str] = nx.DiGraph()
    for record in store.entities(ids):
        graph.add_node(record.id, name=record.name, type=record.type, scores=record.scores)
    for edge in store.edges(ids, "out", flt, claims=False):
        if edge.target in graph:
            graph.add_edge(edge.source, edge.target, type=edge.type,
                           confidence=edge.confidence)
    return graph


def _describe(store: GraphStore, ids: list[str]) -> dict[str, dict[str, Any]]:
    records = {r.id: r for r in store.entities(ids)}
    return {i: {"id": i, "name": records[i].name if i in records else i,
                "type": records[i].type if i in records else None} for i in ids}


def _direct(graph: DependencyGraph, v: int) -> list[tuple[int, float]]:
    mask = graph.dst == v
    weights = graph.edge_weights()[mask].tolist()
    pairs = zip(graph.src[mask].tolist(), weights, strict=True)
    return sorted(pairs, key=lambda p: (-p[1], graph.ids[p[0]]))


def _predecessors(graph: DependencyGraph) -> tuple[np.ndarray, np.ndarray]:
    """CSR of in-neighbours: the dependents of x are ``src[order[start[x]:start[x+1]]]``."""
    order = np.argsort(graph.dst, kind="stable")
    start = np.searchsorted(graph.dst[order], np.arange(graph.n + 1))
    return graph.src[order], start


def upstream_distances(graph: DependencyGraph, v: int) -> dict[int, int]:
    """Every transitive dependent u of v (``D(v)``) with the length of its shortest
    dependency chain to v, by breadth-first search against the edges."""
    preds, start = _predecessors(graph)
    seen = {v: 0}
    queue = deque([v])
    while queue:
        x = queue.popleft()
        for u in preds[start[x]:start[x + 1]].tolist():
            if u not in seen:
                seen[u] = seen[x] + 1
                queue.append(u)
    del seen[v]
    return seen

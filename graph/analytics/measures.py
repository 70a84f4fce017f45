"""Dependency measures: pure functions of a :class:`DependencyGraph` and parameters, each
returning ``{node index: value}`` for every node ``0..n-1``.

Notation: ``G = (V, E)``, ``n = |V|``; an edge ``u -> v`` means *u depends on v*; ``w(u, v)``
is the edge weight (1 when unweighted). ``D(v) = {u != v : there is a path u -> ... -> v}``
is the set of *transitive dependents* of v (its impact set). Definitions are repeated in
docs/analytics.md.

Engines: ``"networkx"`` (the reference), ``"igraph"`` (C; for large graphs) or ``"auto"``
(networkx up to :data:`NX_MAX_EDGES` edges, :data:`NX_MAX_EDGES_BETWEENNESS` for
betweenness; igraph above). Both engines run on the same integer arrays and are tested to
agree (PageRank to 1e-6, betweenness to 1e-9, the rest exactly).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from typing import TypeVar

import networkx as nx
import numpy as np

from graph.analytics import reach
from graph.analytics.projection import DependencyGraph, igraph_graph

T = TypeVar("T")

NX_MAX_EDGES = 100_000
NX_MAX_EDGES_BETWEENNESS = 1_000
EXACT_BETWEENNESS_MAX_NODES = 5_000
BETWEENNESS_K = 500
BETWEENNESS_SEED = 42
PAGERANK_ALPHA = 0.85
PAGERANK_TOL = 1e-10
ENGINES = ("auto", "networkx", "igraph")


def choose_engine(graph: DependencyGraph, engine: str = "auto",
                  limit: int = NX_MAX_EDGES) -> str:
    """``networkx`` or ``igraph``: the engine asked for, or for ``auto`` networkx when the
    graph has at most ``limit`` edges."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if engine != "auto":
        return engine
    return "networkx" if graph.m <= limit else "igraph"


def _as_dict(values: Iterable[T]) -> dict[int, T]:
    return dict(enumerate(values))


def dependents(graph: DependencyGraph) -> dict[int, int]:
    """Direct dependents: ``dependents(v) = |{u : u -> v}|``, the in-degree of v on the
    dependency direction (parallel edges count once). Reference: networkx ``in_degree``."""
    return _as_dict(np.bincount(graph.dst, minlength=graph.n).tolist())


def degree(graph: DependencyGraph) -> dict[int, int]:
    """Degree: ``degree(v) = |{u : u -> v}| + |{x : v -> x}|``, dependents plus direct
    dependencies (a raw count, not divided by n - 1). Reference: networkx ``degree``."""
    counts = np.bincount(graph.dst, minlength=graph.n) + np.bincount(graph.src, minlength=graph.n)
    return _as_dict(counts.tolist())


def node_weights(graph: DependencyGraph) -> np.ndarray:
    """The weight each node brings to dependency share, counting each unit of weight once,
    at the node that holds it: ``omega(u) = 1`` when the graph is unweighted, else the net
    weight ``omega(u) = max(0, sum_{u -> x} w(u, x) - sum_{y -> u} w(y, u))``, what u draws
    through its dependencies less what its own dependents draw from it (a holder's
    addresses; a registry's pool minus what its holders hold)."""
    if graph.weight is None:
        return np.ones(graph.n)
    drawn = np.bincount(graph.src, weights=graph.weight, minlength=graph.n)
    passed = np.bincount(graph.dst, weights=graph.weight, minlength=graph.n)
    return np.maximum(drawn - passed, 0.0)


def _components(graph: DependencyGraph, engine: str) -> tuple[np.ndarray, np.ndarray]:
    """Strongly connected components: each node's component number and the edges between
    components (deduplicated, sorted), as an (m', 2) array; computed once per graph and
    engine (transitive dependents, dependency share and cut-off all start from them)."""
    if ("components", engine) not in graph.memo:
        graph.memo["components", engine] = _strong_components(graph, engine)
    return graph.memo["components", engine]


def _strong_components(graph: DependencyGraph,
                       engine: str) -> tuple[np.ndarray, np.ndarray]:
    if engine == "igraph":
        membership = np.asarray(graph.ig.connected_components(mode="strong").membership,
                                dtype=np.int64)
    else:
        membership = np.empty(graph.n, dtype=np.int64)
        for c, members in enumerate(nx.strongly_connected_components(graph.nx)):
            membership[list(members)] = c
    cs, cd = membership[graph.src], membership[graph.dst]
    keep = cs != cd
    k = int(membership.max()) + 1 if graph.n else 1
    keys = np.unique(cs[keep] * k + cd[keep])
    return membership, np.column_stack((keys // k, keys % k))


def _impact_totals(graph: DependencyGraph, omega: np.ndarray | None,
                   engine: str) -> tuple[np.ndarray, np.ndarray]:
    """For every node v: ``|D(v)|`` and ``sum of omega over D(v)``, computed once per
    strongly connected component C of v (``D(v) = (C union ancestors of C) minus {v}``) so
    that cycles neither loop nor count a node twice. ``omega`` None: the default node
    weights (:func:`node_weights`), and then both totals are kept on the graph, so that
    transitive dependents and dependency share search the ancestors once between them."""
    if omega is not None:
        return _search_totals(graph, omega, engine)
    if ("impact", engine) not in graph.memo:
        graph.memo["impact", engine] = _search_totals(graph, node_weights(graph), engine)
    return graph.memo["impact", engine]


def _search_totals(graph: DependencyGraph, omega: np.ndarray,
                   engine: str) -> tuple[np.ndarray, np.ndarray]:
    membership, pairs = _components(graph, engine)
    k = int(membership.max()) + 1 if graph.n else 0
    size = np.bincount(membership, minlength=k).astype(np.float64)
    mass = np.bincount(membership, weights=omega, minlength=k)
    if engine == "igraph":
        count, total = reach.totals(igraph_graph(k, pairs), size, mass)
    else:
        count, total = np.empty(k), np.empty(k)
        cond: nx.DiGraph[int] = nx.DiGraph()
        cond.add_nodes_from(range(k))
        cond.add_edges_from(pairs.tolist())
        for c in range(k):
            members = [c, *nx.ancestors(cond, c)]
            count[c] = size[members].sum()
            total[c] = mass[members].sum()
    return count[membership] - 1, total[membership] - omega


def transitive_dependents(graph: DependencyGraph, engine: str = "auto") -> dict[int, int]:
    """Transitive dependents: ``transitive_dependents(v) = |D(v)|``, the number of nodes
    that depend on v through any chain of dependencies (everything that fails if v fails
    and nothing substitutes for it). v itself is never counted, also when it lies on a
    cycle. Reference: ``len(networkx.ancestors(G, v))``."""
    count, _ = _impact_totals(graph, None, choose_engine(graph, engine))  # count: any omega
    return _as_dict(int(c) for c in np.rint(count))


def dependency_share(graph: DependencyGraph, node_weight: np.ndarray | None = None,
                     engine: str = "auto") -> dict[int, float]:
    """Dependency share: ``share(v) = sum_{u in D(v)} omega(u) / sum_{u in V} omega(u)``,
    the fraction of the total weight whose dependencies pass through v. ``omega`` defaults
    to :func:`node_weights` (1 per node, or each node's net weight when weighted);
    pass ``node_weight`` (one value per node) to weigh nodes otherwise. Zero total weight
    gives 0 for every node. Reference: brute force over ``networkx.ancestors``."""
    omega = node_weights(graph) if node_weight is None else np.asarray(node_weight, float)
    if omega.shape != (graph.n,):
        raise ValueError(f"node_weight needs one value per node ({graph.n})")
    _, total = _impact_totals(graph, None if node_weight is None else omega,
                              choose_engine(graph, engine))
    denominator = float(omega.sum())
    if denominator <= 0:
        return _as_dict([0.0] * graph.n)
    return _as_dict(np.clip(total / denominator, 0.0, 1.0).tolist())


def pagerank(graph: DependencyGraph, alpha: float = PAGERANK_ALPHA, engine: str = "auto",
             tol: float = PAGERANK_TOL) -> dict[int, float]:
    """PageRank on the dependency direction: importance flows from a dependent to what it
    depends on, ``PR(v) = (1 - alpha)/n + alpha * (sum_{u -> v} PR(u) w(u, v)/W(u)
    + sum_{u dangling} PR(u)/n)`` with ``W(u) = sum_x w(u, x)``; nodes with no (or only
    zero-weight) dependencies are dangling and spread their rank uniformly. Brin & Page
    (1998); networkx ``pagerank`` with ``tol`` (default 1e-10, much tighter than networkx's
    1e-6) or igraph PRPACK."""
    if choose_engine(graph, engine) == "igraph":
        weights = graph.weight.tolist() if graph.weighted and graph.weight is not None else None
        return _as_dict(graph.ig.pagerank(directed=True, damping=alpha, weights=weights,
                                          implementation="prpack"))
    if graph.n == 0:
        return {}
    return nx.pagerank(graph.nx, alpha=alpha, weight="weight" if graph.weighted else None,
                       tol=tol, max_iter=10_000)


def betweenness_pivots(n: int, k: int | None, seed: int = BETWEENNESS_SEED) -> list[int] | None:
    """The source nodes networkx samples for ``betweenness_centrality(G, k, seed=seed)`` on
    a graph whose nodes are ``0..n-1`` in order; ``None`` (every node: exact) when ``k`` is
    None or at least n."""
    if k is None or k >= n:
        return None
    return random.Random(seed).sample(list(range(n)), k)


def default_betweenness_k(n: int) -> int | None:
    """``None`` (exact) up to :data:`EXACT_BETWEENNESS_MAX_NODES` nodes, else
    :data:`BETWEENNESS_K` sampled sources."""
    return None if n <= EXACT_BETWEENNESS_MAX_NODES else BETWEENNESS_K


def _rescale_betweenness(raw: list[float], n: int, pivots: list[int] | None) -> list[float]:
    """networkx's default normalisation (directed, endpoints excluded): divide by
    ``(n-1)(n-2)``, or with k sampled sources by ``k(n-2)`` for non-sources and
    ``(k-1)(n-2)`` for sources (as ``networkx.algorithms.centrality.betweenness._rescale``)."""
    big_n = n - 1
    if big_n < 2:
        return raw
    if pivots is None:
        return [b / (big_n * (big_n - 1)) for b in raw]
    k = len(pivots)
    source = 1 / ((k - 1) * (big_n - 1)) if k > 1 else math.nan
    other = 1 / (k * (big_n - 1))
    chosen = set(pivots)
    return [b * (source if v in chosen else other) for v, b in enumerate(raw)]


def betweenness(graph: DependencyGraph, k: int | None = -1, seed: int = BETWEENNESS_SEED,
                engine: str = "auto") -> dict[int, float]:
    """Betweenness on dependency chains: ``b(v) = sum_{s != v != t} sigma_st(v) / sigma_st
    / ((n-1)(n-2))`` where ``sigma_st`` counts shortest directed paths s -> t (hops; weights
    are quantities, not distances, so they are ignored) and ``sigma_st(v)`` those through v
    (Freeman 1977; Brandes 2001). ``k=None``: exact; ``k`` an int: sampled from k source
    nodes drawn with ``random.Random(seed)`` exactly as networkx draws them, rescaled as
    networkx does; ``k=-1`` (default): :func:`default_betweenness_k`. igraph computes the
    same sum with ``sources=`` the same pivots."""
    if k == -1:
        k = default_betweenness_k(graph.n)
    if choose_engine(graph, engine, NX_MAX_EDGES_BETWEENNESS) == "networkx":
        if k is not None and k >= graph.n:
            k = None
        return nx.betweenness_centrality(graph.nx, k=k, seed=seed, normalized=True)
    pivots = betweenness_pivots(graph.n, k, seed)
    raw = graph.ig.betweenness(directed=True, sources=pivots) if graph.n else []
    return _as_dict(_rescale_betweenness(list(raw), graph.n, pivots))


def _supply_graph_edges(graph: DependencyGraph, engine: str) -> tuple[int, np.ndarray]:
    """Edges of the reversed graph plus a virtual root ``n`` joined to every node of every
    sink component (the ultimate suppliers: nothing they depend on lies outside their
    component), as an (m', 2) array."""
    membership, pairs = _components(graph, engine)
    has_exit = np.zeros(int(membership.max()) + 1 if graph.n else 0, dtype=bool)
    has_exit[pairs[:, 0]] = True
    sinks = np.flatnonzero(~has_exit[membership])
    root = graph.n
    reversed_edges = np.column_stack((graph.dst, graph.src))
    root_edges = np.column_stack((np.full(sinks.size, root), sinks))
    return root, np.vstack((reversed_edges, root_edges)).astype(np.int64)


def _subtree_sizes(parent: np.ndarray, root: int) -> np.ndarray:
    """For a tree given by parent pointers (``parent[root] = -1``), the number of proper
    descendants of each node: summed level by level from the deepest up (BFS in igraph)."""
    has_parent = np.flatnonzero(parent >= 0)
    tree = igraph_graph(parent.size, np.column_stack((parent[has_parent], has_parent)))
    order, starts, _ = tree.bfs(root, mode="out")
    order = np.asarray(order, dtype=np.int64)
    size = np.zeros(parent.size, dtype=np.int64)
    for begin, end in reversed(list(zip(starts[1:-1], starts[2:], strict=True))):
        level = order[begin:end]
        np.add.at(size, parent[level], size[level] + 1)
    return size


def dominator_tree(graph: DependencyGraph, engine: str = "auto") -> np.ndarray:
    """Immediate dominators for supply: ``parent[v]`` is the nearest node that lies on every
    dependency chain from v to every ultimate supplier (a node of a sink component); the
    virtual root ``n`` when there is none; ``parent[n] = -1``. Computed as the dominator
    tree of the reversed graph from a virtual root joined to the sinks (Cooper, Harvey &
    Kennedy 2001 in networkx; Lengauer & Tarjan 1979 in igraph)."""
    engine = choose_engine(graph, engine)
    root, edges = _supply_graph_edges(graph, engine)
    parent = np.full(graph.n + 1, -1, dtype=np.int64)
    if engine == "igraph":
        supply = igraph_graph(graph.n + 1, edges)
        parent[:] = supply.dominator(root, mode="out")
    else:
        supply = nx.DiGraph()
        supply.add_nodes_from(range(graph.n + 1))
        supply.add_edges_from(edges.tolist())
        for v, p in nx.immediate_dominators(supply, root).items():
            if v != root:
                parent[v] = p
    parent[root] = -1
    return parent


def cut_off(graph: DependencyGraph, engine: str = "auto") -> dict[int, int]:
    """Cut-off dependents: ``cut_off(x) = |{d != x : every dependency chain from d to any
    ultimate supplier passes through x}|``, the dependents left with no path to anything
    they need if x fails (a node's several dependencies count as alternatives here; its
    dominator-tree descendants). Reference: remove x and test reachability."""
    parent = dominator_tree(graph, engine)
    return _as_dict(_subtree_sizes(parent, graph.n)[: graph.n].tolist())


def spof(graph: DependencyGraph, engine: str = "auto") -> dict[int, bool]:
    """Single point of failure: ``spof(x) = cut_off(x) > 0``, x dominates at least one
    dependent's every route to supply (see :func:`cut_off`)."""
    return {v: c > 0 for v, c in cut_off(graph, engine).items()}


def articulation(graph: DependencyGraph, engine: str = "auto") -> dict[int, bool]:
    """Articulation point: removing v (and its edges) increases the number of connected
    components of the undirected projection (Hopcroft & Tarjan 1973)."""
    if choose_engine(graph, engine) == "igraph":
        points = graph.ig.as_undirected().articulation_points()
    else:
        points = nx.articulation_points(graph.nx.to_undirected(as_view=True))
    found = set(points)
    return {v: v in found for v in range(graph.n)}

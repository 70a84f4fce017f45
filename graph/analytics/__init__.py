"""Dependency analytics: which institutions the Internet depends on, and what breaks if one
of them fails. See docs/analytics.md for every measure's definition.

- ``projection``: the store as a compact integer dependency graph (networkx and igraph views);
- ``measures``: pure functions ``measure(graph, ...) -> {node index: value}``;
- ``compute``: project, compute, write scores back, rank (``centrality``, ``impact``).
"""

from graph.analytics.compute import (
    LAYER_METRICS,
    METRICS,
    centrality,
    compute,
    compute_and_store,
    dependency_map,
    impact,
    layer_metric,
    layer_ranking,
    metric_names,
    stored_layer_ranking,
)
from graph.analytics.groups import dependence_by_group
from graph.analytics.projection import DependencyGraph, dependency_filter, from_edges, project

__all__ = ["LAYER_METRICS", "METRICS", "DependencyGraph", "centrality", "compute",
           "compute_and_store", "dependence_by_group", "dependency_filter", "dependency_map",
           "from_edges", "impact", "layer_metric", "layer_ranking", "metric_names", "project",
           "stored_layer_ranking"]

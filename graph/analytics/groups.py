"""Weighted dependence of groups (countries, regions) on suppliers (registries).

Used by notebooks/registry_dependencies.ipynb: "how many of a country's addresses depend,
directly or through a chain, on each registry?".
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graph.analytics import measures as ms
from graph.analytics.compute import upstream_distances
from graph.analytics.projection import project
from graph.store.base import EdgeFilter, GraphStore


def groups_of(store: GraphStore, group_rel: str = "LOCATED_IN") -> dict[str, list[str]]:
    """Each entity's groups: the targets of its ``group_rel`` edges (e.g. countries)."""
    out: dict[str, list[str]] = defaultdict(list)
    for edge in store.iter_edges(EdgeFilter(rel_types=frozenset({group_rel})), claims=False):
        out[edge.source].append(edge.target)
    return out


def dependence_by_group(store: GraphStore, group_rel: str = "LOCATED_IN",
                        supplier_type: str = "Registry", flt: EdgeFilter | None = None,
                        weight: str | None = None) -> list[dict[str, Any]]:
    """For every group g and supplier r (a node of ``supplier_type``):
    ``weight(g, r) = sum over u in D(r) of omega(u) / |G(u)|`` for the dependents u of r
    (transitive, ``D`` as in ``measures``) whose groups ``G(u)`` include g, with ``omega``
    the net node weight (``measures.node_weights``; 1 per node when unweighted): a
    dependent in two countries counts half in each; dependents with no group count under
    ``None``. ``share = weight(g, r) / weight(g)`` where ``weight(g)`` sums omega / |G(u)|
    over all of g's nodes in the projection. Rows sorted by group weight, then weight."""
    graph = project(store, flt, weight)
    omega = ms.node_weights(graph)
    groups = groups_of(store, group_rel)
    records = {r.id: r for r in store.entities(graph.ids)}
    suppliers = [i for i, node_id in enumerate(graph.ids)
                 if node_id in records and records[node_id].type == supplier_type]

    def split(u: int) -> list[tuple[str | None, float]]:
        members: list[str | None] = list(groups.get(graph.ids[u], [])) or [None]
        return [(g, float(omega[u]) / len(members)) for g in members]

    totals: dict[str | None, float] = defaultdict(float)
    for u in range(graph.n):
        for g, w in split(u):
            totals[g] += w
    cells: dict[tuple[str | None, int], float] = defaultdict(float)
    for r in suppliers:
        for u in upstream_distances(graph, r):
            for g, w in split(u):
                cells[(g, r)] += w
    names = {r.id: r.name for r in store.entities([g for g in totals if g])}
    rows = [{"group": g, "group_name": names.get(g, g) if g else None,
             "supplier": graph.ids[r], "supplier_name": records[graph.ids[r]].name,
             "weight": w, "share": w / totals[g] if totals[g] else 0.0}
            for (g, r), w in cells.items() if w > 0]
    return sorted(rows, key=lambda row: (-totals[row["group"]], -row["weight"],
                                         str(row["group"]), row["supplier"]))

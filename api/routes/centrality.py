"""GET /centrality (rankings from stored scores) and GET /dependencies/{id} (upstream or
downstream dependency maps)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import AppSettings, AsOf, Filter, Layer, Store, checked_limit
from api.limits import run_query
from api.models import ERRORS, DependencyMapOut, Metric, Ranking, edge_out, json_response
from graph import analytics
from graph.query import dependencies, resolve_all
from graph.store.base import EdgeFilter, GraphStore

router = APIRouter(tags=["analytics"])


@router.get("/centrality", summary="Entities ranked by a stored score, or by one on one "
            "dependency layer", response_model=Ranking, responses=ERRORS)
async def centrality(store: Store, settings: AppSettings,
                     metric: Annotated[Metric, Query(description="Which score ranks them")]
                     = "transitive_dependents",
                     top: Annotated[int, Query(ge=1, le=1000)] = 20,
                     layer: Annotated[Layer | None, Query(
                         description="Rank by the metric on this dependency layer's graph "
                         "alone: its stored scores when the analytics stored them "
                         "(transitive_dependents), else computed now")] = None
                     ) -> dict[str, Any]:
    """The ``top`` entities by a score that ``govgraph analytics`` (or ``govgraph demo``)
    computed and stored; empty when it has not run. With ``layer``, the metric on that
    layer's graph alone: read from the store when the analytics stored it per layer
    (``stored`` true), else computed now, nothing stored, under the query time limit.
    Ties are broken by id."""
    stored = True
    if layer is None:
        ranked = [(r, r.scores.get(metric)) for r in store.top(metric, top)]
    else:
        found = analytics.stored_layer_ranking(store, metric, layer, top)
        stored = found is not None
        ranked = found if found is not None else await run_query(
            settings.query_timeout_s, analytics.layer_ranking, store, metric, layer, top)
    return {"metric": metric, "layer": layer, "stored": stored,
            "results": [{**r.to_dict(), "rank": i, "score": score}
                        for i, (r, score) in enumerate(ranked, 1)]}


def dependency_map(store: GraphStore, ref: str, direction: str, depth: int, flt: EdgeFilter,
                   limit: int, per_node: int) -> dict[str, Any]:
    """The dependency map of the entity ``ref`` names, as JSON."""
    notes: list[str] = []
    (root,) = resolve_all(store, [ref], notes)
    found = dependencies(store, root, direction, depth, flt, limit, per_node)
    return {"root": root, "direction": direction, "depth": depth, "levels": found.levels,
            "nodes": [n.to_dict() for n in found.graph.nodes],
            "edges": [edge_out(e) for e in found.graph.edges],
            "truncated": found.graph.truncated, "cut": found.graph.cut, "notes": notes}


@router.get("/dependencies/{entity_id:path}", summary="What an entity depends on, or what "
            "depends on it", response_model=DependencyMapOut, responses=ERRORS)
async def dependencies_of(
        store: Store, settings: AppSettings, flt: Filter, entity_id: str,
        direction: Annotated[Literal["upstream", "downstream"], Query(
            description="upstream: what it needs; downstream: what needs it")] = "upstream",
        depth: Annotated[int, Query(ge=1, description="Hops (limit GOVGRAPH_MAX_DEPTH)")] = 3,
        limit: Annotated[int | None, Query(ge=1, description="Most nodes (limit "
                                           "GOVGRAPH_MAX_NODES)")] = None) -> Response:
    """Follows dependency relations (``DEPENDS_ON``: the source needs the target) outwards
    (upstream) or inwards (downstream) up to ``depth`` hops. ``levels`` gives each entity's
    distance. ``min_confidence`` and ``as_of`` apply; ``rel`` and ``type`` are ignored."""
    limit = checked_limit(settings, depth, limit)
    return json_response(await run_query(settings.query_timeout_s, dependency_map, store,
                                         entity_id, direction, depth, flt, limit,
                                         settings.per_node_edges))


def impact_report(store: GraphStore, ref: str, layer: str | None, min_confidence: float,
                  as_of: str | None, weight: str | None) -> dict[str, Any]:
    """``analytics.impact`` of the entity ``ref`` names (StoreError when none), with a note
    on a name shared with documents."""
    notes: list[str] = []
    (root,) = resolve_all(store, [ref], notes)
    return {**analytics.impact(store, root, None, min_confidence, as_of, weight, "auto", layer),
            "notes": notes}


@router.get("/impact/{entity_id:path}", summary="What depends on an entity, and what would be "
            "cut off if it failed", responses=ERRORS)
async def impact(store: Store, settings: AppSettings, entity_id: str,
                 layer: Annotated[Layer | None, Query(description="One dependency layer "
                                                      "(default: all, united)")] = None,
                 min_confidence: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
                 as_of: AsOf = None,
                 weight: Annotated[str | None, Query(max_length=100,
                                                     pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                                                     description="Numeric edge property to "
                                                     "weigh by", examples=["weight"])] = None
                 ) -> Response:
    """``govgraph impact`` as JSON: direct and transitive dependents, and the dependents cut
    off (every route to a layer's ultimate suppliers passes through the entity), computed
    per dependency layer and united; each cut-off entry names its ``layers``. See
    docs/analytics.md."""
    return json_response(await run_query(settings.query_timeout_s, impact_report, store,
                                         entity_id, layer, min_confidence, as_of, weight))

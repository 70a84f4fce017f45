"""GET /paths: shortest paths between two entities, with their edges."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from api.deps import AppSettings, Filter, Store
from api.limits import run_query
from api.models import ERRORS, Paths, edge_out
from graph.model import EdgeRecord
from graph.query import resolve_all, shortest_paths
from graph.store.base import EdgeFilter, GraphStore

router = APIRouter(tags=["paths"])
DEFAULT_PATH_LEN = 6


def path_nodes(start: str, edges: list[EdgeRecord]) -> list[str]:
    """The entity ids a path visits, from ``start``, whichever way each edge points."""
    nodes = [start]
    for edge in edges:
        nodes.append(edge.target if edge.source == nodes[-1] else edge.source)
    return nodes


def find_paths(store: GraphStore, source: str, target: str, max_len: int, flt: EdgeFilter,
               max_paths: int) -> dict[str, Any]:
    """All shortest paths (up to ``max_paths``) of at most ``max_len`` edges, as JSON."""
    notes: list[str] = []
    a, b = resolve_all(store, [source, target], notes)
    found = shortest_paths(store, a, b, max_len, flt, max_paths)
    paths = [{"nodes": path_nodes(a, p), "edges": [edge_out(e) for e in p]} for p in found]
    ids = {a, b} | {n for p in paths for n in p["nodes"]}
    nodes = {r.id: r.to_dict() for r in store.entities(sorted(ids))}
    length = len(found[0]) if found else (0 if a == b else None)
    return {"from": a, "to": b, "length": length, "paths": paths, "nodes": nodes,
            "notes": notes}


@router.get("/paths", summary="Shortest paths between two entities", response_model=Paths,
            responses=ERRORS)
async def paths(store: Store, settings: AppSettings, flt: Filter,
                source: Annotated[str, Query(alias="from", examples=["person:lu-heng"],
                                             description="Entity id or name")],
                target: Annotated[str, Query(alias="to", examples=["org:iana"],
                                             description="Entity id or name")],
                max_len: Annotated[int | None, Query(ge=1, description="Longest path in "
                                                     "edges (default 6; limit "
                                                     "GOVGRAPH_MAX_PATH_LEN)")] = None
                ) -> dict[str, Any]:
    """Every shortest path (edges followed either way, under the filter), up to
    ``GOVGRAPH_MAX_PATHS`` of them; ``length`` is null when no path is ``max_len`` or
    shorter."""
    max_len = max_len or min(DEFAULT_PATH_LEN, settings.max_path_len)
    if max_len > settings.max_path_len:
        raise HTTPException(422, f"max_len {max_len} is over the limit of "
                                 f"{settings.max_path_len}")
    return await run_query(settings.query_timeout_s, find_paths, store, source, target, max_len,
                           flt, settings.max_paths)

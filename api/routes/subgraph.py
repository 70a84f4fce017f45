"""GET /subgraph: the neighbourhood of one or more entities as node-link JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from api import ops
from api.deps import AppSettings, Filter, Store

router = APIRouter(tags=["subgraph"])


@router.get("/subgraph", summary="k-hop neighbourhood as node-link JSON")
def subgraph(store: Store, settings: AppSettings, flt: Filter,
             id: Annotated[list[str], Query(description="Entity ids or names",
                                            examples=["person:lu-heng"])],
             depth: Annotated[int, Query(ge=0)] = 1,
             limit: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
    if depth > settings.max_depth:
        raise HTTPException(422, f"depth {depth} is over the limit of {settings.max_depth}")
    limit = limit or settings.default_nodes
    if limit > settings.max_nodes:
        raise HTTPException(422, f"limit {limit} is over the limit of {settings.max_nodes}")
    sub = ops.subgraph(store, id, depth, flt, limit, settings.per_node_edges)
    return sub.to_dict()

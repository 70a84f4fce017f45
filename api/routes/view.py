"""GET /view (the interactive page) and GET /view/data (the same graph as vis-network
records, which the page fetches to expand a node in place)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import AppSettings, NodeScope, Scope, Seeds, Store
from api.limits import run_query
from api.models import ERRORS, Metric
from api.viewer import view_page, view_title, vis_data
from graph.query import Subgraph, neighbourhood, resolve_all
from graph.store.base import AmbiguousName, GraphStore, UnknownEntity

router = APIRouter(tags=["viewer"])

SizeBy = Annotated[Metric, Query(alias="size", description="Stored score that sizes the "
                                 "nodes (by edges in view when no node has it)")]


def seeded_neighbourhood(store: GraphStore, refs: list[str],
                         scope: Scope) -> tuple[Subgraph, frozenset[str]]:
    """The neighbourhood of the entities ``refs`` name, and their ids."""
    seeds = resolve_all(store, refs)
    sub = neighbourhood(store, seeds, scope.depth, scope.flt, scope.limit, scope.per_node)
    return sub, frozenset(seeds)


def page_query(request: Request) -> dict[str, Any]:
    """The page's own filters (without ``id``), for the links and expansions it makes."""
    return {k: v for k, v in request.query_params.multi_items() if k != "id"}


@router.get("/view", summary="Interactive view of a neighbourhood (HTML)",
            response_class=HTMLResponse, responses=ERRORS)
async def view(request: Request, store: Store, settings: AppSettings, scope: NodeScope,
               ids: Seeds, size_by: SizeBy = "pagerank") -> Response:
    """The neighbourhood /subgraph returns (same parameters), drawn with vis-network:
    colour by node type, size by ``size``, edges labelled by relation, dashed and faded
    below confidence 0.55, tooltips with each edge's sources, a legend. Click a node for
    its details and a link to its entity page; double-click expands it in place. The page
    loads nothing from other hosts. A name that matches several entities redirects (303)
    to the index page's search results."""
    base = request.scope.get("root_path", "")
    try:
        sub, seeds = await run_query(settings.query_timeout_s, seeded_neighbourhood, store, ids,
                                     scope)
    except (AmbiguousName, UnknownEntity):
        if len(ids) == 1 and store.search(ids[0], limit=1):  # a name: let the person choose
            return RedirectResponse(f"{base}/?q={quote(ids[0])}", status_code=303)
        raise
    server = {"base": base, "query": page_query(request),
              "depth": scope.depth, "max_depth": settings.max_depth}
    return HTMLResponse(view_page(sub, view_title(sub, seeds, scope.depth),
                                  seeds=seeds, size_by=size_by, server=server))


@router.get("/view/data", summary="A neighbourhood as vis-network records",
            responses=ERRORS)
async def view_data(store: Store, settings: AppSettings, scope: NodeScope, ids: Seeds,
                    size_by: SizeBy = "pagerank") -> dict[str, Any]:
    """What /view draws, as JSON: vis-network nodes and edges (``title`` is escaped HTML),
    plus ``truncated`` and ``cut``."""
    sub, seeds = await run_query(settings.query_timeout_s, seeded_neighbourhood, store, ids,
                                 scope)
    return vis_data(sub, size_by, seeds)

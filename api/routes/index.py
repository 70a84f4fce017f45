"""The HTML pages beside the viewer: GET / (search, top entities by dependency, links to
views) and GET /entity/{id} (an entity, its relations and their sources)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import AppSettings, Store
from api.ops import entity_detail
from api.pages import page
from api.routes.entities import DEFAULT_RELATIONS, find_entity, redirect_to
from graph.model import EntityRecord
from graph.query import Resolved
from graph.store.base import AmbiguousName, GraphStore

router = APIRouter(tags=["pages"])

#: Rankings the index shows, first one with stored scores wins.
INDEX_METRICS = ("transitive_dependents", "dependents", "pagerank", "degree")
TOP = 12


def top_entities(store: GraphStore) -> tuple[str | None, list[tuple[EntityRecord, Any]]]:
    """The most depended-on entities by the first of INDEX_METRICS with stored scores."""
    for metric in INDEX_METRICS:
        rows = [(r, r.scores.get(metric)) for r in store.top(metric, TOP)]
        rows = [(r, score) for r, score in rows if score]
        if rows:
            return metric, rows
    return None, []


@router.get("/", summary="Index page (HTML)", response_class=HTMLResponse)
def index(request: Request, store: Store,
          q: Annotated[str | None, Query(max_length=200, description="Search text")] = None
          ) -> HTMLResponse:
    """Search with suggestions, the most depended-on entities, and links to their views."""
    metric, top = top_entities(store)
    results = store.search(q, None, 30) if q and q.strip() else None
    return page("index.html", base=request.scope.get("root_path", ""), stats=store.stats(),
                metric=metric, top=top, q=q or "", results=results)


@router.get("/entity/{entity_id:path}", summary="Entity page (HTML)",
            response_class=HTMLResponse, responses={404: {"description": "Unknown entity"}})
def entity_page(request: Request, store: Store, settings: AppSettings,
                entity_id: str) -> Response:
    """An entity's properties, aliases, scores and relations grouped by type, each with its
    sources; links to its neighbours' pages and to its view."""
    try:
        found = find_entity(store, entity_id)
    except AmbiguousName:  # let the person choose among the search results
        base = request.scope.get("root_path", "")
        return RedirectResponse(f"{base}/?q={quote(entity_id)}", status_code=303)
    if isinstance(found, Resolved):
        return redirect_to(request, f"/entity/{found.id}", found.note)
    detail = entity_detail(store, found, min(DEFAULT_RELATIONS, settings.max_relations))
    others = {e["target"] if e["direction"] == "out" else e["source"]
              for edges in detail["relations"].values() for e in edges}
    names = {r.id: r for r in store.entities(sorted(others))}
    return page("entity.html", base=request.scope.get("root_path", ""), e=detail, names=names)

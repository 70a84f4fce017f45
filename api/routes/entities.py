"""GET /entities (search) and GET /entities/{id} (an entity with its relations and their
sources)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from api.deps import AppSettings, AsOf, Store
from api.models import ERRORS, EntityDetail, SearchResults
from api.ops import entity_detail
from graph.model import EntityRecord
from graph.query import Resolved, resolve_name
from graph.store.base import GraphStore
from graph.vocab import NODE_TYPES

router = APIRouter(tags=["entities"])
DEFAULT_RELATIONS = 200

NodeTypeName = Annotated[str | None, Query(description="Keep only this node type",
                                           examples=["Person"])]


@router.get("/entities", summary="Search entities by name or alias", response_model=SearchResults,
            responses=ERRORS)
def search(store: Store,
           q: Annotated[str, Query(min_length=1, max_length=200, examples=["Lu Heng"],
                                   description="Name or alias: exact matches first, then "
                                               "prefixes, then words inside names")],
           type: NodeTypeName = None,
           limit: Annotated[int, Query(ge=1, le=200)] = 20,
           offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> dict[str, Any]:
    if type is not None and type not in NODE_TYPES:
        raise HTTPException(422, f"unknown node type {type!r}; one of {', '.join(NODE_TYPES)}")
    rows = store.search(q, type, limit, offset)
    return {"query": q, "type": type, "results": [r.to_dict() for r in rows], "limit": limit,
            "offset": offset}


def find_entity(store: GraphStore, ref: str) -> EntityRecord | Resolved:
    """The entity with id ``ref``, or the entity a merged id, key or name now names
    (:func:`graph.query.resolve_name`), for a redirect. UnknownEntity (404) when nothing
    matches, AmbiguousName (409) when several entities share the name."""
    found = store.entities([ref])
    if found:
        return found[0]
    return resolve_name(store, ref)


def redirect_to(request: Request, path: str, note: str | None = None) -> RedirectResponse:
    """A permanent redirect to ``path``, keeping the query string; ``note`` (how a shared
    name was read) in the ``Govgraph-Note`` header."""
    query = request.url.query
    headers = {"Govgraph-Note": note.encode("ascii", "backslashreplace").decode()} if note else None
    return RedirectResponse(quote(path, safe=":/@") + (f"?{query}" if query else ""),
                            status_code=308, headers=headers)


@router.get("/entities/{entity_id:path}", summary="One entity, its relations and sources",
            response_model=EntityDetail, responses={
                **ERRORS, 308: {"description": "A merged id or a name: redirects to the "
                                               "surviving entity"}})
def entity(request: Request, store: Store, settings: AppSettings, entity_id: str,
           limit: Annotated[int | None, Query(ge=1, description="Most relations to list "
                                              "(default 200; limit GOVGRAPH_MAX_RELATIONS)")]
           = None, as_of: AsOf = None) -> Any:
    limit = limit or min(DEFAULT_RELATIONS, settings.max_relations)
    if limit > settings.max_relations:
        raise HTTPException(422, f"limit {limit} is over the limit of {settings.max_relations}")
    found = find_entity(store, entity_id)
    if isinstance(found, Resolved):
        return redirect_to(request, f"/entities/{found.id}", found.note)
    return entity_detail(store, found, limit, as_of)

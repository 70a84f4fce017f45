"""GET /entities (search) and GET /entities/{id} (an entity with its relations and their
sources)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import RedirectResponse

from api.deps import Store

router = APIRouter(tags=["entities"])


@router.get("/entities", summary="Search entities by name or alias")
def search(store: Store,
           q: Annotated[str, Query(min_length=1, max_length=200, examples=["Lu Heng"])],
           type: Annotated[str | None, Query(examples=["Person"])] = None,
           limit: Annotated[int, Query(ge=1, le=200)] = 20,
           offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> dict[str, Any]:
    rows = store.search(q, type, limit, offset)
    return {"query": q, "results": [r.to_dict() for r in rows], "limit": limit,
            "offset": offset}


@router.get("/entities/{entity_id:path}", summary="One entity, its relations and sources",
            response_model=None)
def entity(store: Store, entity_id: str) -> dict[str, Any] | RedirectResponse:
    found = store.entities([entity_id])
    if not found:
        target = store.resolve(entity_id)
        if target and target != entity_id:
            return RedirectResponse(f"/entities/{target}", status_code=308)
        raise HTTPException(404, f"no entity {entity_id!r}")
    record = found[0]
    relations: dict[str, list[dict[str, Any]]] = {}
    for edge in store.edges([record.id], "both", limit=1000):
        item = edge.to_dict()
        item["direction"] = "out" if edge.source == record.id else "in"
        relations.setdefault(edge.type, []).append(item)
    return {**record.to_dict(flat=False), "relations": relations}

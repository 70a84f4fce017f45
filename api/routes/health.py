"""GET /health: the store, its counts and the version."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Store
from graph import __version__

router = APIRouter(tags=["health"])


@router.get("/health", summary="Store kind, counts and version")
def health(store: Store) -> dict[str, Any]:
    stats = store.stats()
    return {"status": "ok", "version": __version__, "store": stats["store"],
            "nodes": stats["nodes"], "edges": stats["edges"], "claims": stats["claims"],
            "sources": stats["sources"]}

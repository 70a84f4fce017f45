"""GET /paths: shortest paths between two entities, with their edges."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from api.deps import AppSettings, Filter, Store
from api.limits import run_query
from api.models import ERRORS, Paths
from api.ops import find_paths

router = APIRouter(tags=["paths"])
DEFAULT_PATH_LEN = 6


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

"""GET /export: the whole graph or a neighbourhood, streamed in an exchange format."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api import ops
from api.deps import AppSettings, NodeScope, Store
from api.limits import run_query
from api.models import ERRORS
from graph import export

router = APIRouter(tags=["export"])

Format = Literal["json", "graphml", "gexf", "csv", "cypher", "ftm"]
TEXT_TYPES = {"text/csv"}


@router.get("/export", summary="Export the graph or a neighbourhood", responses={
    **ERRORS, 200: {"description": "The export, streamed", "content": {
        media: {} for media in export.FORMATS.values()}}}, response_class=StreamingResponse)
async def export_graph(
        store: Store, settings: AppSettings, scope: NodeScope,
        format: Annotated[Format, Query(description="Node-link JSON, GraphML, GEXF, CSV "
                                                    "(one table: see `part`), Cypher or "
                                                    "FollowTheMoney JSON lines")]
        = "json",
        ids: Annotated[list[str] | None, Query(alias="id", description="Seeds of a "
                                               "neighbourhood (as /subgraph); none: the "
                                               "whole graph", examples=[["org:afrinic"]])]
        = None,
        part: Annotated[Literal["nodes", "edges"], Query(description="For CSV: which "
                                                         "table")] = "edges",
) -> StreamingResponse:
    """With ``id``: the neighbourhood /subgraph returns, under the same filters and caps.
    Without: every entity and every edge passing the filter (``rel``, ``min_confidence``,
    ``as_of``), streamed (no node cap, no time limit)."""
    chunks = await run_query(settings.query_timeout_s, ops.export_chunks, store, format, ids,
                             scope.depth, scope.flt, scope.limit, part, scope.per_node)
    media = export.FORMATS[format]
    name = f"govgraph.{part}.csv" if format == "csv" else f"govgraph{export.SUFFIXES[format]}"
    return StreamingResponse(chunks, media_type=f"{media}; charset=utf-8" if media in TEXT_TYPES
                             else media,
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})

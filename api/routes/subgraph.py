"""GET /subgraph: the neighbourhood of one or more entities as node-link JSON."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api import ops
from api.deps import AppSettings, NodeScope, Seeds, Store
from api.limits import run_query
from api.models import ERRORS, Graph, edge_out, json_response

router = APIRouter(tags=["subgraph"])


@router.get("/subgraph", summary="k-hop neighbourhood as node-link JSON", response_model=Graph,
            responses=ERRORS)
async def subgraph(store: Store, settings: AppSettings, scope: NodeScope,
                   ids: Seeds) -> Response:
    """Entities within ``depth`` hops of the seeds (edges followed either way) and the edges
    among them, filtered by relation types (``rel``), node types (``type``), minimum
    confidence and as-of date. A super-node's edges are capped (``GOVGRAPH_PER_NODE_EDGES``)
    and the node count stops at ``limit``; ``truncated`` and ``cut`` say what was left out."""
    sub = await run_query(settings.query_timeout_s, ops.subgraph, store, ids, scope.depth,
                          scope.flt, scope.limit, scope.per_node)
    return json_response(sub.to_dict(edge_out))

"""Shared request dependencies: the store, the settings and the edge filter parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Query, Request

from graph.settings import Settings
from graph.store import open_store
from graph.store.base import EdgeFilter, GraphStore
from graph.vocab import LAYERS, NODE_TYPES, RELATION_TYPES, layer_relations

Layer = Literal[LAYERS]  # type: ignore[valid-type]
AsOf = Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
                                   description="The date to answer for: edges in force then, "
                                   "from the snapshots of each dataset in force then",
                                   examples=["2023-03-24"])]


def get_store(request: Request) -> GraphStore:
    """The app's store, opened by the first request that needs it when the app was not
    given one: a server whose Neo4j is down starts, answers 503 (BackendUnavailable) and
    serves once Neo4j is back."""
    state = request.app.state
    if state.store is None:
        with state.store_lock:
            if state.store is None:
                settings: Settings = state.settings
                state.store = open_store(settings.store,
                                         **settings.store_options(settings.store))
    return state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def edge_filter(
    rel: Annotated[list[str] | None, Query(description="Relation types to follow",
                                           examples=[["DEPENDS_ON"]])] = None,
    type: Annotated[list[str] | None, Query(description="Node types to keep",
                                            examples=[["Registry"]])] = None,
    min_confidence: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    as_of: Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
                                       examples=["2023-03-24"])] = None,
    layer: Annotated[Layer | None, Query(description="Dependency layer: its relation types "
                                         "(when no rel is given)")] = None,
) -> EdgeFilter:
    rels = {r.upper() for r in rel or []} or (set(layer_relations(layer)) if layer else set())
    types = set(type or [])
    _refuse_unknown("relation", rels - set(RELATION_TYPES))
    _refuse_unknown("node", types - set(NODE_TYPES))
    return EdgeFilter(frozenset(rels) or None, frozenset(types) or None, min_confidence, as_of)


def _refuse_unknown(kind: str, names: set[str]) -> None:
    if names:
        raise HTTPException(422, f"unknown {kind} type(s): {', '.join(sorted(names))}")


Store = Annotated[GraphStore, Depends(get_store)]
AppSettings = Annotated[Settings, Depends(get_settings)]
Filter = Annotated[EdgeFilter, Depends(edge_filter)]


@dataclass(frozen=True, slots=True)
class Scope:
    """How far a neighbourhood query may go: hops, node cap, per-node edge cap, filter."""

    depth: int
    limit: int
    per_node: int
    flt: EdgeFilter


def scope(settings: AppSettings, flt: Filter,
          depth: Annotated[int, Query(ge=0, description="Hops from the seeds (limit: "
                                      "GOVGRAPH_MAX_DEPTH, default 4)")] = 1,
          limit: Annotated[int | None, Query(ge=1, description="Most nodes to return "
                                             "(default GOVGRAPH_DEFAULT_NODES; limit "
                                             "GOVGRAPH_MAX_NODES)")] = None) -> Scope:
    """Depth and node cap checked against the settings (422 over the limits)."""
    return Scope(depth, checked_limit(settings, depth, limit), settings.per_node_edges, flt)


def checked_limit(settings: Settings, depth: int, limit: int | None) -> int:
    """The node cap to use (the default when none is given); HTTPException 422 when the
    depth or the cap is over the settings' limits."""
    if depth > settings.max_depth:
        raise HTTPException(422, f"depth {depth} is over the limit of {settings.max_depth}")
    limit = limit or settings.default_nodes
    if limit > settings.max_nodes:
        raise HTTPException(422, f"limit {limit} is over the limit of {settings.max_nodes}")
    return limit


NodeScope = Annotated[Scope, Depends(scope)]
Seeds = Annotated[list[str], Query(alias="id", min_length=1, description="Entity ids or names "
                                   "(repeat for several seeds)",
                                   examples=[["person:lu-heng"]])]

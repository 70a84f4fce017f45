"""Response models: they document the JSON each endpoint returns (OpenAPI schema and
examples). Nodes and edges are node-link records whose own properties are flattened onto
them, so those models allow extra fields."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from graph.model import EdgeRecord
from graph.store.base import WriteResult
from graph.vocab import grade_for

#: The scores the analytics step stores on nodes (graph.analytics.METRICS; see
#: docs/analytics.md), in display order.
METRICS = ("transitive_dependents", "dependents", "dependency_share", "pagerank",
           "betweenness", "degree", "spof", "cut_off", "articulation")
Metric = Literal[METRICS]  # type: ignore[valid-type]

LU_HENG: dict[str, Any] = {"id": "person:lu-heng", "type": "Person", "name": "Lu Heng",
                           "aliases": []}
CLAIM: dict[str, Any] = {"source_id": "file:/data/demo/institutions.edges.csv",
         "uri": "file:///data/demo/institutions.edges.csv", "loader": "csv",
         "retrieved_at": "2026-01-01T00:00:00+00:00", "locator": "line 6", "confidence": 0.9,
         "grade": "A"}
EDGE: dict[str, Any] = {
        "source": "person:lu-heng", "target": "org:cloud-innovation", "type": "ROLE_AT",
        "confidence": 0.9, "grade": "A", "key": "person:lu-heng|ROLE_AT|org:cloud-innovation|ceo",
        "role": "CEO", "sources": [CLAIM]}


class ErrorBody(BaseModel):
    """Every error: a message a person can act on."""

    error: str = Field(examples=["no entity 'person:nobody'"])


class Candidate(BaseModel):
    id: str
    type: str
    name: str


class AmbiguousBody(ErrorBody):
    """A name several entities share: pick one of the candidates by its id."""

    candidates: list[Candidate]


class Node(BaseModel):
    """An entity in node-link form (properties and stored scores flattened onto it)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [LU_HENG]})
    id: str
    type: str
    name: str
    aliases: list[str] = []


class ClaimOut(BaseModel):
    """One source's statement of an edge: where it said it, and how confidently."""

    source_id: str
    uri: str
    loader: str
    retrieved_at: str
    locator: str | None
    confidence: float
    grade: str


class Edge(BaseModel):
    """A relation with its derived confidence and grade, and the claims that support it."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [EDGE]})
    source: str
    target: str
    type: str
    confidence: float
    grade: str
    key: str
    sources: list[ClaimOut] = []


class SearchResults(BaseModel):
    query: str
    type: str | None = None
    results: list[Node]
    limit: int
    offset: int


class EntityDetail(BaseModel):
    """An entity with its properties, aliases, stored scores and relations grouped by type
    (each relation marked ``direction`` out or in, with its claims)."""

    id: str
    type: str
    name: str
    aliases: list[str]
    first_seen: str | None = None
    last_seen: str | None = None
    properties: dict[str, Any]
    scores: dict[str, Any]
    relations: dict[str, list[Edge]]
    relations_total: int = Field(description="Relations the entity has in all")
    relations_shown: int = Field(description="Relations listed here (at most `limit`)")


class Graph(BaseModel):
    """Node-link JSON. ``truncated`` is true when a cap cut the result; ``cut`` then says
    how: ``nodes_omitted`` (nodes not added past ``limit``), ``capped_nodes`` (nodes
    whose edges were cut to ``per_node``) and ``unexpanded_nodes`` (kept nodes whose own
    neighbours were not explored because ``limit`` was reached)."""

    nodes: list[Node]
    edges: list[Edge]
    truncated: bool = False
    cut: dict[str, Any] = {}
    notes: list[str] = Field([], description="How a name shared with documents was read "
                             "(the one entity that is not a document)")


class PathOut(BaseModel):
    nodes: list[str] = Field(description="Entity ids from `from` to `to`")
    edges: list[Edge] = Field(description="The edges in order (each may point either way)")


class Paths(BaseModel):
    source: str = Field(alias="from")
    target: str = Field(alias="to")
    length: int | None = Field(description="Edges in a shortest path; null when none")
    paths: list[PathOut]
    nodes: dict[str, Node]
    notes: list[str] = Field([], description="How a name shared with documents was read")
    model_config = ConfigDict(populate_by_name=True)


class Ranked(Node):
    rank: int
    score: Any


class Ranking(BaseModel):
    metric: str
    layer: str | None = Field(None, description="The dependency layer the scores are of; "
                              "null: the scores of the whole analysis")
    stored: bool = Field(True, description="true: read from the scores the last analytics "
                         "run stored; false: computed by this request")
    results: list[Ranked]


class DependencyMapOut(Graph):
    root: str
    direction: str
    depth: int
    levels: dict[str, int] = Field(description="Hops from the root for each entity")


class SourceOut(BaseModel):
    source_id: str
    uri: str
    loader: str
    retrieved_at: str
    loaded_at: str
    entities: int
    relations: int
    dataset: str | None = Field(None, description="The series of snapshots it belongs to")
    observed: str | None = Field(None, description="The date the snapshot describes")


class IngestOut(BaseModel):
    filename: str = Field(description="The upload's file name, made safe")
    summary: str
    results: list[WriteResult]
    warnings: list[str]


def json_response(content: Any) -> Response:
    """JSON rendered by orjson, returned as it is: the route's response model documents the
    shape (OpenAPI) and the schema tests check responses against it, but a graph's nodes
    and edges are not validated again on every request (that took longer than the query)."""
    return Response(orjson.dumps(content), media_type="application/json")


def edge_out(edge: EdgeRecord) -> dict[str, Any]:
    """An edge's JSON with each claim's grade (from its own confidence)."""
    data = edge.to_dict()
    data["sources"] = [{**c, "grade": grade_for(c["confidence"])} for c in data["sources"]]
    return data


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Unknown entity or source"},
    409: {"model": AmbiguousBody, "description": "A name several entities share (the "
                                                 "candidates are listed)"},
    422: {"model": ErrorBody, "description": "A parameter is invalid or over a limit"},
    503: {"model": ErrorBody, "description": "The store is busy (another process is writing; "
                                             "see Retry-After) or unreachable"},
    504: {"model": ErrorBody, "description": "The query took longer than the time limit"},
}

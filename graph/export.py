"""Exports of a graph (whole or a subgraph) as node-link JSON, GraphML, GEXF, CSV, Cypher and
FollowTheMoney JSON lines (graph/ftm.py). Each writer takes iterables of records and yields
text chunks, so large graphs stream."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx

from graph.ftm import to_ftm
from graph.model import EdgeRecord, EntityRecord

FORMATS = {
    "json": "application/json",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "csv": "text/csv",
    "cypher": "application/x-cypher-query",
    "ftm": "application/x-ndjson",
}
SUFFIXES = {"json": ".json", "graphml": ".graphml", "gexf": ".gexf", "csv": ".csv",
            "cypher": ".cypher", "ftm": ".ftm.jsonl"}


def node_link(nodes: Iterable[EntityRecord], edges: Iterable[EdgeRecord],
              extra: dict[str, Any] | None = None) -> Iterator[str]:
    """``{"nodes": [...], "edges": [...]}`` with node properties flattened, streamed."""
    yield '{"nodes": ['
    for i, node in enumerate(nodes):
        yield ("," if i else "") + "\n" + json.dumps(node.to_dict(), ensure_ascii=False,
                                                     default=str)
    yield '\n], "edges": ['
    for i, edge in enumerate(edges):
        yield ("," if i else "") + "\n" + json.dumps(edge.to_dict(), ensure_ascii=False,
                                                     default=str)
    yield "\n]"
    for key, value in (extra or {}).items():
        yield f", {json.dumps(key)}: {json.dumps(value, default=str)}"
    yield "}\n"


def _scalar(value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, (int, float, str)):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, default=str)


def to_networkx(nodes: Iterable[EntityRecord], edges: Iterable[EdgeRecord]) -> nx.MultiDiGraph:
    """A MultiDiGraph with scalar attributes only (lists and dicts as JSON text), keyed by
    entity id and edge key, as GraphML and GEXF require."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node in nodes:
        graph.add_node(node.id, **{k: _scalar(v) for k, v in node.to_dict().items()
                                   if k != "id"})
    for edge in edges:
        attrs = {k: _scalar(v) for k, v in edge.to_dict().items()
                 if k not in {"source", "target", "key"}}
        graph.add_edge(edge.source, edge.target, key=edge.key, **attrs)
    return graph


def graphml(nodes: Iterable[EntityRecord], edges: Iterable[EdgeRecord]) -> Iterator[str]:
    yield from nx.generate_graphml(to_networkx(nodes, edges))


def gexf(nodes: Iterable[EntityRecord], edges: Iterable[EdgeRecord]) -> Iterator[str]:
    yield from nx.generate_gexf(to_networkx(nodes, edges))


def csv_nodes(nodes: Iterable[EntityRecord]) -> Iterator[str]:
    """Nodes in the CSV loader's format: ``id,type,name,aliases,properties`` (JSON)."""
    yield from _csv_rows(["id", "type", "name", "aliases", "properties"],
                         ([n.id, n.type, n.name, "|".join(n.aliases),
                           json.dumps({**n.properties, **n.scores}, ensure_ascii=False,
                                      default=str)] for n in nodes))


def csv_edges(edges: Iterable[EdgeRecord]) -> Iterator[str]:
    """Edges in the CSV loader's format: ``source,target,type,confidence,grade,sources,
    properties`` (sources as the number of claims, properties as JSON)."""
    yield from _csv_rows(["source", "target", "type", "confidence", "grade", "sources",
                          "properties"],
                         ([e.source, e.target, e.type, round(e.confidence, 6), e.grade,
                           len(e.sources), json.dumps(e.properties, ensure_ascii=False,
                                                      default=str)] for e in edges))


def _csv_rows(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for i, row in enumerate(rows):
        writer.writerow(row)
        if i % 1000 == 999:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _cypher_value(value: Any) -> str:
    """A Cypher literal. JSON string escaping is valid Cypher string escaping."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if value is None:
        return "null"
    return json.dumps(value if isinstance(value, str) else json.dumps(value, default=str))


def _cypher_map(attrs: dict[str, Any]) -> str:
    return "{" + ", ".join(f"`{k.replace('`', '')}`: {_cypher_value(v)}"
                           for k, v in attrs.items()) + "}"


def cypher(nodes: Iterable[EntityRecord], edges: Iterable[EdgeRecord]) -> Iterator[str]:
    """CREATE/MERGE statements that rebuild the graph in Neo4j (labels are vocabulary types,
    every value is a quoted literal)."""
    yield "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;\n"
    for node in nodes:
        attrs = {k: _scalar(v) for k, v in node.to_dict().items()}
        yield f"MERGE (n:Entity {{id: {_cypher_value(node.id)}}}) SET n:{node.type}, " \
              f"n += {_cypher_map(attrs)};\n"
    for edge in edges:
        attrs = {k: _scalar(v) for k, v in edge.to_dict().items()
                 if k not in {"source", "target"}}
        yield (f"MATCH (a:Entity {{id: {_cypher_value(edge.source)}}}), "
               f"(b:Entity {{id: {_cypher_value(edge.target)}}}) "
               f"MERGE (a)-[r:{edge.type} {{key: {_cypher_value(edge.key)}}}]->(b) "
               f"SET r += {_cypher_map(attrs)};\n")


def render(fmt: str, nodes: Iterable[EntityRecord], edges: Iterable[EdgeRecord],
           extra: dict[str, Any] | None = None) -> Iterator[str]:
    """Chunks of the export in ``fmt`` (for ``csv``, the edges; see :func:`csv_nodes`)."""
    if fmt == "json":
        return node_link(nodes, edges, extra)
    if fmt == "graphml":
        return graphml(nodes, edges)
    if fmt == "gexf":
        return gexf(nodes, edges)
    if fmt == "cypher":
        return cypher(nodes, edges)
    if fmt == "ftm":
        return to_ftm(nodes, edges)
    if fmt == "csv":
        return csv_edges(edges)
    raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")

"""The interactive graph view: a subgraph drawn with vis-network, built through pyvis.

pyvis assembles the vis-network node and edge records (:func:`vis_data`); the page itself
comes from govgraph's own template (``templates/view.html``), not pyvis's, because pyvis 0.3.2
links Bootstrap from a CDN even with ``cdn_resources='in_line'`` and, with ``'local'``,
loads vis-network from a CDN and writes ``lib/`` into the working directory. The template
inlines the vis-network build that ships inside the pyvis package, so a page (served or
written by ``govgraph view``) makes no request off the machine.

What the page shows:

- nodes coloured by type (``graph.vocab.NODE_TYPES``), sized by a stored score
  (``size=pagerank`` etc.; by edges in view when no node has that score), seeds ringed;
- edges labelled by relation type (and role), dashed and faded below confidence 0.55;
- tooltips (HTML, every value escaped) with a node's type, id, aliases and scores, and an
  edge's confidence, grade and every claim (source, locator, confidence);
- a legend, and what the caps cut.

Edges are drawn as continuous curves rather than vis-network's default "dynamic" ones, which
put a physics body on every edge; parallel edges between two nodes bend apart instead. With
that and 150 stabilisation steps, a 1,000-node, 5,000-edge view settles in headless Chromium
in about 6 s instead of 50-70 s.

Labels go to vis-network as plain text (it draws them on a canvas); tooltips go as escaped
HTML that the page turns into DOM nodes through an inert ``<template>``.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pyvis
from markupsafe import Markup
from pyvis.network import Network

from api.models import METRICS
from api.pages import colour, render
from graph.model import EdgeRecord, EntityRecord
from graph.query import Subgraph, neighbourhood, resolve_all
from graph.store.base import EdgeFilter, GraphStore
from graph.vocab import NODE_TYPES, grade_for

VIS_JS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
LOW_CONFIDENCE = 0.55
MIN_SIZE, MAX_SIZE = 10.0, 40.0
LABEL_CHARS = 42
CLAIMS_SHOWN = 8
PROPS_SHOWN = 8
SIZE_CHOICES = METRICS

OPTIONS: dict[str, Any] = {
    "autoResize": True,
    "nodes": {"shape": "dot", "borderWidth": 1.5,
              "font": {"size": 14, "face": "system-ui, sans-serif", "color": "#1f2328",
                       "strokeWidth": 4, "strokeColor": "#ffffff"}},
    "edges": {"smooth": {"type": "continuous"}, "selectionWidth": 2,
              "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
              "font": {"size": 10, "face": "system-ui, sans-serif", "color": "#57606a",
                       "strokeWidth": 0, "background": "rgba(255, 255, 255, 0.85)"},
              "scaling": {"label": {"drawThreshold": 7}}},
    "physics": {"solver": "forceAtlas2Based",
                "forceAtlas2Based": {"gravitationalConstant": -70, "springLength": 130,
                                     "springConstant": 0.05, "avoidOverlap": 0.5},
                "stabilization": {"iterations": 150, "fit": True}},
    "interaction": {"hover": True, "tooltipDelay": 120, "keyboard": True},
}


@cache
def vis_network_js() -> str:
    """The vis-network build bundled with pyvis (read once)."""
    return VIS_JS.read_text(encoding="utf-8")


def short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else 0.0


def node_sizes(sub: Subgraph, metric: str | None) -> tuple[dict[str, float], str]:
    """Each node's radius, proportional to the square root of its ``metric`` score (so area
    follows the score), and what the size means. Without that score on any node, the
    number of edges the node has in the view."""
    values = {n.id: _number(n.scores.get(metric)) for n in sub.nodes} if metric else {}
    meaning = metric or ""
    if not any(values.values()):
        ends = Counter(e.source for e in sub.edges) + Counter(e.target for e in sub.edges)
        values = {n.id: float(ends[n.id]) for n in sub.nodes}
        meaning = "edges in view"
    top = max(values.values(), default=0.0) or 1.0
    return ({k: round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(max(v, 0.0) / top), 2)
             for k, v in values.items()}, meaning)


def _rows(items: dict[str, Any]) -> Markup:
    cells = (Markup("<tr><th>{}</th><td>{}</td></tr>").format(k, _shown(v))
             for k, v in list(items.items())[:PROPS_SHOWN])
    return Markup("<table>{}</table>").format(Markup("").join(cells)) if items else Markup("")


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return short(str(value), 160)


def node_tooltip(node: EntityRecord) -> str:
    """A node's tooltip as HTML, every value escaped."""
    aliases = (Markup('<div class="tip-aliases">also: {}</div>').format(
        ", ".join(node.aliases[:6])) if node.aliases else Markup(""))
    return str(Markup('<div class="tip"><strong>{}</strong><div class="tip-meta">{} · {}</div>'
                      "{}{}</div>").format(node.name, node.type, node.id, aliases,
                                           _rows(node.scores)))


def edge_label(edge: EdgeRecord) -> str:
    role = edge.properties.get("role")
    return f"{edge.type} · {short(str(role), 24)}" if role else edge.type


def edge_tooltip(edge: EdgeRecord, names: dict[str, str]) -> str:
    """An edge's tooltip as HTML: its ends, confidence and grade, properties, and the claims
    that support it (source, locator, confidence), every value escaped."""
    low = Markup(" · <em>low confidence</em>") if edge.confidence < LOW_CONFIDENCE else ""
    claims = [Markup("<li>{} <span>{} · {:.2f} ({})</span></li>").format(
        _source_name(c.source_id), c.locator or "no locator", c.confidence,
        grade_for(c.confidence)) for c in edge.sources[:CLAIMS_SHOWN]]
    more = len(edge.sources) - CLAIMS_SHOWN
    if more > 0:
        claims.append(Markup("<li>… {} more</li>").format(more))
    props = {k: v for k, v in edge.properties.items() if k != "role"}
    return str(Markup(
        '<div class="tip"><strong>{}</strong> <span class="tip-rel">{}</span> <strong>{}</strong>'
        '<div class="tip-meta">confidence {:.2f} · grade {}{}</div>{}'
        '<div class="tip-head">{} source(s)</div><ul>{}</ul></div>').format(
        names.get(edge.source, edge.source), edge_label(edge), names.get(edge.target, edge.target),
        edge.confidence, edge.grade, low, _rows(props), len(edge.sources),
        Markup("").join(claims)))


def _source_name(source_id: str) -> str:
    """A claim's source as a person reads it: a file's name rather than its full path."""
    if source_id.startswith("file:"):
        return Path(source_id[5:]).name
    return source_id


def node_info(node: EntityRecord) -> dict[str, Any]:
    """What the details panel shows (plain data; the page sets it as text)."""
    return {"id": node.id, "name": node.name, "type": node.type, "aliases": node.aliases[:20],
            "scores": {k: _shown(v) for k, v in node.scores.items()},
            "properties": {k: _shown(v) for k, v in list(node.properties.items())[:20]}}


def parallel_bends(edges: list[EdgeRecord]) -> dict[str, dict[str, Any]]:
    """Curves for the second and later edges between the same two nodes (either way round),
    by edge key: each bends further clockwise, so none hides another."""
    seen: Counter[frozenset[str]] = Counter()
    bends: dict[str, dict[str, Any]] = {}
    for edge in edges:
        pair = frozenset((edge.source, edge.target))
        if seen[pair]:
            bends[edge.key] = {"type": "curvedCW", "roundness": round(0.2 * seen[pair], 2)}
        seen[pair] += 1
    return bends


def vis_data(sub: Subgraph, size_by: str | None = "pagerank",
             seeds: frozenset[str] = frozenset()) -> dict[str, Any]:
    """vis-network records for a subgraph, assembled with a pyvis Network."""
    net = Network(directed=True, cdn_resources="in_line")
    sizes, meaning = node_sizes(sub, size_by)
    for node in sub.nodes:
        net.add_node(node.id, label=short(node.name), title=node_tooltip(node),
                     color=colour(node.type), size=sizes[node.id],
                     borderWidth=4 if node.id in seeds else 1.5, info=node_info(node))
    names = {n.id: n.name for n in sub.nodes}
    bends = parallel_bends(sub.edges)
    for edge in sub.edges:
        low = edge.confidence < LOW_CONFIDENCE
        extra = {"smooth": bends[edge.key]} if edge.key in bends else {}
        net.add_edge(edge.source, edge.target, id=edge.key, label=edge_label(edge), **extra,
                     title=edge_tooltip(edge, names), dashes=low,
                     width=round(0.5 + 2.5 * edge.confidence, 2),
                     color={"color": "#8c959f", "highlight": "#24292f", "hover": "#24292f",
                            "opacity": 0.35 if low else 0.9})
    nodes, edges, *_ = net.get_network_data()
    return {"nodes": nodes, "edges": edges, "size_meaning": meaning,
            "truncated": sub.truncated, "cut": sub.cut}


def legend(sub: Subgraph) -> list[dict[str, Any]]:
    """The node types in view, with their colour and count, in vocabulary order."""
    counts = Counter(n.type for n in sub.nodes)
    return [{"type": t, "colour": colour(t), "count": counts[t], "description": d.description}
            for t, d in NODE_TYPES.items() if counts[t]]


def view_page(sub: Subgraph, title: str, *, seeds: frozenset[str] = frozenset(),
              size_by: str | None = "pagerank", server: dict[str, Any] | None = None) -> str:
    """The whole HTML page for a subgraph. ``server`` (the query the page was made from,
    and the root path) turns on the links to entity pages, the search box and expanding a
    node in place; without it the page stands alone (``govgraph view -o FILE``)."""
    data = vis_data(sub, size_by, seeds)
    return render("view.html", title=title, vis_js=Markup(vis_network_js()), data=data,
                  options=OPTIONS, legend=legend(sub), server=server, sub=sub,
                  size_by=size_by, size_choices=SIZE_CHOICES, low=LOW_CONFIDENCE)


def view_title(sub: Subgraph, seeds: frozenset[str], depth: int) -> str:
    """A view's title: the seeds' names and the depth."""
    names = ", ".join(n.name for n in sub.nodes if n.id in seeds)
    return f"{names} · {depth}-hop neighbourhood" if depth else names


def view(store: GraphStore, refs: list[str], depth: int = 1, flt: EdgeFilter | None = None,
         limit: int = 300, per_node: int = 200, size_by: str | None = "pagerank") -> str:
    """A stand-alone page (no server needed, nothing fetched) of the neighbourhood of the
    entities ``refs`` name; StoreError when one names nothing."""
    seeds = frozenset(resolve_all(store, refs))
    sub = neighbourhood(store, list(seeds), depth, flt, limit, per_node)
    return view_page(sub, view_title(sub, seeds, depth), seeds=seeds, size_by=size_by)

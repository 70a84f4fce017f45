"""Subgraph and path queries, written once over the GraphStore interface.

``neighbourhood`` is a breadth-first expansion: ring ``k`` holds nodes ``k`` hops from a
seed (edges followed in either direction). Expansion stops adding nodes at ``limit`` and
takes at most ``per_node`` edges of any one node (a super-node such as a registry with
thousands of holders), and the result says what it cut.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graph.ids import fold, normalise_name
from graph.merge import mergeable_name
from graph.model import EdgeRecord, EntityRecord
from graph.store.base import AmbiguousName, EdgeFilter, GraphStore, UnknownEntity
from graph.vocab import DEPENDENCY_RELATIONS, DOCUMENT_TYPES, node_type


@dataclass(slots=True)
class Subgraph:
    nodes: list[EntityRecord] = field(default_factory=list)
    edges: list[EdgeRecord] = field(default_factory=list)
    truncated: bool = False
    cut: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self, edge_form: Callable[[EdgeRecord], dict[str, Any]] = EdgeRecord.to_dict
                ) -> dict[str, Any]:
        """Node-link JSON: ``{"nodes": [...], "edges": [...], "truncated", "cut", "notes"}``,
        each edge in ``edge_form``."""
        return {"nodes": [n.to_dict() for n in self.nodes],
                "edges": [edge_form(e) for e in self.edges],
                "truncated": self.truncated, "cut": self.cut, "notes": self.notes}


@dataclass(frozen=True, slots=True)
class Resolved:
    """The entity a reference was taken to name, and a note when the choice needs saying
    (a name shared with documents)."""

    id: str
    note: str | None = None


def name_matches(store: GraphStore, ref: str, limit: int = 100) -> list[EntityRecord]:
    """The entities whose name or an alias is ``ref`` once folded (case, accents, spacing)."""
    key = fold(ref)
    return [r for r in store.search(ref, limit=limit)
            if key and key in {fold(n) for n in (r.name, *r.aliases)}]


def resolve_name(store: GraphStore, ref: str) -> Resolved:
    """The entity a reference names; every command and endpoint that takes a name uses this.

    An id, a merged id, a key or a name only one entity has names that entity. A name that
    several entities share names the one that is not a document (``DOCUMENT_TYPES``: a
    profile page, an article, an essay about it) when there is exactly one, with a note
    saying so. Otherwise raises AmbiguousName with the candidates (id, type, name), or
    UnknownEntity (with the nearest names as hints) when nothing has that name."""
    found = store.resolve(ref)
    if found is not None:
        return Resolved(found)
    candidates = name_matches(store, ref) if ref.strip() else []
    if len(candidates) == 1:
        return Resolved(candidates[0].id)
    things = [c for c in candidates if c.type not in DOCUMENT_TYPES]
    if len(things) == 1:
        chosen = things[0]
        others = len(candidates) - 1
        return Resolved(chosen.id, f"{ref!r} also names {others} document"
                                   f"{'s' if others > 1 else ''}; using {chosen.id} "
                                   f"({chosen.type})")
    if candidates:
        raise AmbiguousName(ref, [(c.id, c.type, c.name) for c in candidates])
    hits = store.search(ref, limit=5) if ref.strip() else []
    hint = f" (nearest: {', '.join(h.id for h in hits)})" if hits else ""
    raise UnknownEntity(f"no entity matches {ref!r}{hint}")


def resolve_all(store: GraphStore, refs: list[str], notes: list[str] | None = None) -> list[str]:
    """Entity ids for references (:func:`resolve_name` on each); the notes on any choice
    made among documents are appended to ``notes`` when given."""
    found = [resolve_name(store, ref) for ref in refs]
    if notes is not None:
        notes.extend(r.note for r in found if r.note)
    return [r.id for r in found]


def neighbourhood(store: GraphStore, seeds: list[str], depth: int = 1,
                  flt: EdgeFilter | None = None, limit: int = 500,
                  per_node: int = 200) -> Subgraph:
    """Nodes within ``depth`` hops of the seeds and the edges among them, under ``flt``.

    Node types in the filter restrict which nodes are reached (seeds are always kept)."""
    flt = flt or EdgeFilter()
    node_filter = flt.node_types
    edge_flt = EdgeFilter(flt.rel_types, None, flt.min_confidence, flt.as_of)
    seen, cut = _expand(store, seeds, depth, "both", edge_flt, limit, per_node)
    records = {r.id: r for r in store.entities(seen)}
    if node_filter:
        records = {k: r for k, r in records.items() if r.type in node_filter or k in seeds}
    sub = Subgraph(nodes=[records[n] for n in seen if n in records],
                   edges=store.edges_among(records, edge_flt))
    _report_cut(sub, cut, limit, per_node)
    return sub


def _expand(store: GraphStore, seeds: list[str], depth: int, way: str, flt: EdgeFilter,
            limit: int, per_node: int) -> tuple[dict[str, int], dict[str, Any]]:
    """Breadth-first from the seeds along edges in direction ``way`` (``out``, ``in`` or
    ``both``): the hop distance of every node reached, and what the ``limit`` (nodes) and
    ``per_node`` (edges of one node) caps cut. The caller reads the edges among the nodes
    reached in one query (:meth:`GraphStore.edges_among`), so nodes left unexpanded when
    the node cap is reached still show their links to the others."""
    seen: dict[str, int] = {s: 0 for s in seeds}
    cut: dict[str, Any] = {"nodes_omitted": 0, "capped_nodes": []}
    frontier = list(seeds)
    for ring in range(1, depth + 1):
        nxt: list[str] = []
        for i, node in enumerate(frontier):
            if len(seen) >= limit:  # full: expanding the rest could only add omissions
                cut["unexpanded_nodes"] = len(frontier) - i + len(nxt)
                return seen, cut
            found = store.edges([node], way, flt, limit=per_node + 1, claims=False)
            if len(found) > per_node:
                found = found[:per_node]
                cut["capped_nodes"].append(node)
            for edge in found:
                other = edge.target if edge.source == node else edge.source
                if other not in seen:
                    if len(seen) >= limit:
                        cut["nodes_omitted"] += 1
                        continue
                    seen[other] = ring
                    nxt.append(other)
        frontier = nxt
    return seen, cut


def _report_cut(sub: Subgraph, cut: dict[str, Any], limit: int, per_node: int) -> None:
    sub.truncated = bool(cut["nodes_omitted"] or cut["capped_nodes"]
                         or cut.get("unexpanded_nodes"))
    sub.cut = {**cut, "limit": limit, "per_node": per_node} if sub.truncated else {}


def shortest_paths(store: GraphStore, source: str, target: str, max_len: int = 6,
                   flt: EdgeFilter | None = None, max_paths: int = 10,
                   per_node: int = 500) -> list[list[EdgeRecord]]:
    """All shortest paths (edges in order, either direction) from source to target, up to
    ``max_len`` edges and ``max_paths`` paths. Empty when none is that short."""
    if source == target:
        return []
    parents: dict[str, list[EdgeRecord]] = {source: []}
    depth = {source: 0}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        if depth[node] >= max_len or (target in depth and depth[node] >= depth[target]):
            continue
        for edge in store.edges([node], "both", flt, limit=per_node):
            other = edge.target if edge.source == node else edge.source
            if other not in depth:
                depth[other] = depth[node] + 1
                parents[other] = [edge]
                queue.append(other)
            elif depth[other] == depth[node] + 1:
                parents[other].append(edge)
    if target not in depth:
        return []
    return _unwind(parents, source, target, max_paths)


def _unwind(parents: dict[str, list[EdgeRecord]], source: str, target: str,
            max_paths: int) -> list[list[EdgeRecord]]:
    paths: list[list[EdgeRecord]] = []
    stack: list[tuple[str, list[EdgeRecord]]] = [(target, [])]
    while stack and len(paths) < max_paths:
        node, tail = stack.pop()
        if node == source:
            paths.append(tail)
            continue
        for edge in parents[node]:
            prev = edge.source if edge.target == node else edge.target
            stack.append((prev, [edge, *tail]))
    return sorted(paths, key=lambda p: [e.key for e in p])


@dataclass(slots=True)
class DependencyMap:
    """What ``root`` depends on (``upstream``) or what depends on it (``downstream``).
    ``levels`` maps every reached entity id to its distance in hops (the root is 0)."""

    root: str
    direction: str
    levels: dict[str, int]
    graph: Subgraph


def dependencies(store: GraphStore, root: str, direction: str = "upstream", depth: int = 3,
                 flt: EdgeFilter | None = None, limit: int = 500,
                 per_node: int = 200) -> DependencyMap:
    """Breadth-first along dependency relations (``vocab.DEPENDENCY_RELATIONS``; ``A
    DEPENDS_ON B`` means A needs B). Upstream follows them outwards (what ``root`` needs,
    directly or through others); downstream follows them inwards (what needs ``root``).
    The filter's confidence and as-of bounds apply, and its relation types narrow the
    dependency relations (one layer's, say); its node types do not apply.
    Stops at ``depth`` hops and ``limit`` nodes, takes at most ``per_node`` edges of a node,
    and reports what it cut as :func:`neighbourhood` does."""
    if direction not in {"upstream", "downstream"}:
        raise ValueError(f"direction must be upstream or downstream, not {direction!r}")
    base = flt or EdgeFilter()
    rels = (base.rel_types or DEPENDENCY_RELATIONS) & DEPENDENCY_RELATIONS
    dep_flt = EdgeFilter(rels or DEPENDENCY_RELATIONS, None, base.min_confidence, base.as_of)
    way = "out" if direction == "upstream" else "in"
    levels, cut = _expand(store, [root], depth, way, dep_flt, limit, per_node)
    sub = Subgraph(nodes=store.entities(levels), edges=store.edges_among(levels, dep_flt))
    _report_cut(sub, cut, limit, per_node)
    return DependencyMap(root, direction, levels, sub)


def merge_candidates(store: GraphStore) -> list[dict[str, Any]]:
    """Nodes of one family that share a name and are not one node: what a bare name match
    left apart (graph/vocab.py ``NAME_EVIDENCE``: a registry record's name is no evidence by
    itself; or a not-same judgement, or an ambiguous name). Each candidate: the shared
    ``name`` and its ``nodes`` (id, type, name), in creation order of the first node; a
    ``same`` judgement or a registry tie (graph/bridge.py) makes them one."""
    groups: dict[tuple[str, str], dict[str, EntityRecord]] = {}
    for record in store.iter_entities():
        kind = node_type(record.type).family
        for name in (record.name, *record.aliases):
            if mergeable_name(name, kind):
                groups.setdefault((kind, normalise_name(name, kind)), {})[record.id] = record
    out, seen = [], set()
    for (_, key), nodes in groups.items():
        ids = tuple(sorted(nodes))
        if len(ids) > 1 and ids not in seen:
            seen.add(ids)
            out.append({"name": key, "nodes": [{"id": r.id, "type": r.type, "name": r.name}
                                               for r in nodes.values()]})
    return out

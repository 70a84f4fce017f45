"""govgraph as a library: open a graph, load sources, query and analyse it.

The functions behind the CLI and the HTTP API (``api.ops``, ``graph.query``,
``graph.analytics``), with one object to hold the store. Every method takes entity names,
ids or keys and reads them as the CLI does (:func:`graph.query.resolve_name`).

Examples
--------
>>> import govgraph
>>> g = govgraph.demo(small=True)
>>> g.stats()["nodes"]
10
>>> g.impact("IANA")["transitive_dependents"]
2
>>> g.close()
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import networkx as nx

from api import ops
from api.models import edge_out
from graph import analytics, timeline
from graph.query import resolve_all, resolve_name
from graph.settings import Settings, get_settings
from graph.store import GraphStore, open_store
from graph.store.base import EdgeFilter, NoGraph, StoreError, WriteResult
from graph.vocab import NODE_TYPES, RELATION_TYPES

__all__ = ["NODE_TYPES", "RELATION_TYPES", "Graph", "NoGraph", "StoreError", "demo",
           "demo_data", "open"]

#: The small demo: the hand-written institutions lists (fast, for examples and tests).
SMALL_DEMO = ("institutions.nodes.csv", "institutions.edges.csv")


def open(location: str | os.PathLike[str] | None = None,  # noqa: A001 - like io.open
         settings: Settings | None = None) -> Graph:
    """Open the graph at a SQLite file path or a Neo4j URI.

    Parameters
    ----------
    location
        A SQLite file (made by the first :meth:`Graph.load` when it does not exist),
        ``:memory:``, or a Neo4j URI such as ``neo4j://127.0.0.1:7687``. Default: the
        ``GOVGRAPH_STORE`` setting (``govgraph.db``).
    settings
        Credentials and timeouts (default: read from the environment, see
        docs/settings.md).

    Returns
    -------
    Graph
        Nothing is opened until the first call: reading a file that does not exist
        raises :class:`NoGraph` and makes no file.

    Examples
    --------
    >>> import govgraph
    >>> g = govgraph.open(":memory:")
    >>> g.stats()["nodes"]
    0
    """
    settings = settings or get_settings()
    return Graph(str(location) if location is not None else settings.store, settings)


def demo_data() -> Path:
    """The folder of the demo's bundled sources (profile pages, institutions lists, an RIR
    delegated file), installed with the package.

    Examples
    --------
    >>> import govgraph
    >>> sorted(p.name for p in govgraph.demo_data().glob("*.csv"))
    ['institutions.edges.csv', 'institutions.nodes.csv']
    """
    return ops.demo_data()


def demo(location: str | os.PathLike[str] | None = None, small: bool = False) -> Graph:
    """Build the demo graph (what ``govgraph demo`` serves) and return it.

    Parameters
    ----------
    location
        Where to build it; default: a new file in a temporary folder.
    small
        Only the institutions lists (10 nodes, in well under a second), for examples;
        the full demo adds the profile pages, AFRINIC's delegated file and IANA's
        registries (about 18,000 nodes, a few seconds).

    Returns
    -------
    Graph
        With every centrality score stored on the nodes.

    Examples
    --------
    >>> import govgraph
    >>> g = govgraph.demo(small=True)
    >>> [r["name"] for r in g.centrality("transitive_dependents", top=2)]
    ['IANA', 'AFRINIC']
    """
    if location is None:
        location = Path(tempfile.mkdtemp(prefix="govgraph-demo-")) / "demo.db"
    graph = open(location)
    if small:
        graph.load([str(demo_data() / name) for name in SMALL_DEMO])
        ops.score(graph.store)
    else:
        report = ops.demo(graph._open(create=True))
        if report.errors:
            raise StoreError("the demo did not build: " + "; ".join(report.errors))
    return graph


def _filter(rel: str | Iterable[str] | None = None, min_confidence: float = 0.0,
            as_of: str | None = None, types: str | Iterable[str] | None = None) -> EdgeFilter:
    """An edge filter from the keyword arguments every query method takes."""

    def names(value: str | Iterable[str] | None) -> frozenset[str] | None:
        if value is None:
            return None
        return frozenset([value] if isinstance(value, str) else value) or None

    rels, kinds = names(rel), names(types)
    unknown = sorted((rels or set()) - set(RELATION_TYPES)) + sorted(
        (kinds or set()) - set(NODE_TYPES))
    if unknown:
        raise ValueError(f"unknown relation or node type(s): {', '.join(unknown)}")
    return EdgeFilter(rels, kinds, min_confidence, as_of)


class Graph:
    """A govgraph store and the operations on it (see :func:`open`).

    Query methods return plain JSON-ready data (the API's shapes); names resolve as in the
    CLI: a name shared with documents picks the one entity that is not a document, a name
    several things share raises ``AmbiguousName`` with the candidates.
    """

    def __init__(self, location: str, settings: Settings) -> None:
        self.location = location
        self.settings = settings
        self._store: GraphStore | None = None

    def __repr__(self) -> str:
        return f"govgraph.Graph({self.location!r})"

    def _open(self, create: bool) -> GraphStore:
        if self._store is None:
            self._store = open_store(self.location, create,
                                     **self.settings.store_options(self.location))
        return self._store

    @property
    def store(self) -> GraphStore:
        """The underlying :class:`graph.store.GraphStore` (opened for reading)."""
        return self._open(create=False)

    def close(self) -> None:
        """Release the store's connections."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writes
    def load(self, targets: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
             ) -> ops.LoadReport:
        """Load files, folders (walked recursively) and built-in datasets (``iana``).

        Each source loads whole or not at all; a source that fails is listed in the
        report's ``errors`` (``FILE:LINE: reason``) and the others still load. Reloading
        a source replaces what it said before.

        Examples
        --------
        >>> import govgraph
        >>> g = govgraph.open(":memory:")
        >>> report = g.load(govgraph.demo_data() / "institutions.nodes.csv")
        >>> report.errors, g.stats()["nodes"]
        ([], 10)
        """
        if isinstance(targets, str | os.PathLike):
            targets = [targets]
        return ops.load(self._open(create=True), [str(t) for t in targets])

    def unload(self, source: str) -> WriteResult:
        """Remove a source (its id, or the path it was loaded from) and everything only it
        supported.

        Examples
        --------
        >>> import govgraph
        >>> g = govgraph.demo(small=True)
        >>> g.unload(str(govgraph.demo_data() / "institutions.edges.csv")).relations_removed
        8
        """
        return ops.unload(self.store, source)

    # ------------------------------------------------------------------- reads
    def stats(self) -> dict[str, Any]:
        """Counts of nodes, edges, claims and sources, and nodes and edges by type.

        Examples
        --------
        >>> import govgraph
        >>> govgraph.demo(small=True).stats()["edges_by_type"]["DEPENDS_ON"]
        2
        """
        return self.store.stats()

    def search(self, query: str, type: str | None = None,  # noqa: A002 - the API's name
               limit: int = 20) -> list[dict[str, Any]]:
        """Entities whose name or alias matches: exact first, then prefix, then substring.

        Examples
        --------
        >>> import govgraph
        >>> [e["id"] for e in govgraph.demo(small=True).search("afri")]
        ['org:afrinic']
        """
        return [r.to_dict() for r in self.store.search(query, type, limit)]

    def entity(self, ref: str, limit: int = 200) -> dict[str, Any]:
        """An entity with its properties, scores and (at most ``limit``) relations grouped
        by type, each with its sources; ``notes`` says how a shared name was read.

        Examples
        --------
        >>> import govgraph
        >>> lu = govgraph.demo(small=True).entity("Lu Heng")
        >>> lu["id"], sorted(lu["relations"])
        ('person:lu-heng', ['ROLE_AT'])
        """
        store = self.store
        chosen = resolve_name(store, ref)
        (found,) = store.entities([chosen.id])
        return {**ops.entity_detail(store, found, limit),
                "notes": [chosen.note] if chosen.note else []}

    def subgraph(self, refs: str | list[str], depth: int = 1, limit: int = 500,
                 **filters: Any) -> dict[str, Any]:
        """The neighbourhood of one or more entities as node-link JSON (``nodes``,
        ``edges``, ``truncated``, ``cut``, ``notes``). ``filters``: ``rel``,
        ``min_confidence``, ``as_of``, ``types``.

        Examples
        --------
        >>> import govgraph
        >>> sub = govgraph.demo(small=True).subgraph("AFRINIC", rel="DEPENDS_ON")
        >>> sorted(n["id"] for n in sub["nodes"])
        ['org:afrinic', 'org:cloud-innovation', 'org:iana']
        """
        refs = [refs] if isinstance(refs, str) else refs
        sub = ops.subgraph(self.store, refs, depth, _filter(**filters), limit)
        return sub.to_dict(edge_out)

    def paths(self, source: str, target: str, max_len: int = 6, max_paths: int = 10,
              **filters: Any) -> dict[str, Any]:
        """Every shortest path (edges followed either way) of at most ``max_len`` edges.

        Examples
        --------
        >>> import govgraph
        >>> found = govgraph.demo(small=True).paths("Lu Heng", "IANA")
        >>> found["length"], found["paths"][0]["nodes"]
        (3, ['person:lu-heng', 'org:cloud-innovation', 'org:afrinic', 'org:iana'])
        """
        return ops.find_paths(self.store, source, target, max_len, _filter(**filters),
                              max_paths)

    def centrality(self, metric: str | list[str] = "all", top: int | None = None,
                   rel: str | list[str] | None = None, min_confidence: float = 0.0,
                   as_of: str | None = None, weight: str | None = None,
                   layer: str | None = None) -> list[dict[str, Any]]:
        """Compute dependency centrality (docs/analytics.md), store the scores on the
        nodes and rank them, as ``govgraph centrality`` does. ``layer`` picks one
        dependency layer (``number_resources``, ``routing``, ``rpki``, ...; default all,
        single points of failure united); ``rel`` instead picks relation types.

        Examples
        --------
        >>> import govgraph
        >>> top = govgraph.demo(small=True).centrality(["transitive_dependents"], top=1)
        >>> top[0]["name"], top[0]["transitive_dependents"]
        ('IANA', 2)
        """
        rels = [rel] if isinstance(rel, str) else rel
        return analytics.centrality(self.store, metric, rels, min_confidence, as_of, weight,
                                    top, layer=layer)

    def impact(self, ref: str, rel: str | list[str] | None = None,
               min_confidence: float = 0.0, as_of: str | None = None,
               weight: str | None = None, layer: str | None = None) -> dict[str, Any]:
        """What depends on an entity, directly and transitively, and who would be cut off
        if it failed, per dependency layer (as ``govgraph impact``; ``layer`` picks one).

        Examples
        --------
        >>> import govgraph
        >>> report = govgraph.demo(small=True).impact("AFRINIC")
        >>> report["id"], [d["name"] for d in report["direct"]]
        ('org:afrinic', ['Cloud Innovation'])
        """
        rels = [rel] if isinstance(rel, str) else rel
        chosen = resolve_name(self.store, ref)
        report = analytics.impact(self.store, chosen.id, rels, min_confidence, as_of, weight,
                                  layer=layer)
        return {**report, "notes": [chosen.note] if chosen.note else []}

    def sources(self, as_of: str | None = None) -> list[dict[str, Any]]:
        """The loaded sources in load order (``source_id``, ``uri``, ``loader``, counts,
        ``dataset`` and ``observed`` for a dated snapshot). With ``as_of``, only those in
        force then: of each dataset's snapshots, the one that answers for that date
        (docs/data-model.md).

        Examples
        --------
        >>> import govgraph
        >>> [s["loader"] for s in govgraph.demo(small=True).sources()]
        ['csv', 'csv']
        """
        loaded = self.store.sources()
        hidden = timeline.hidden_at(loaded, as_of) if as_of else frozenset()
        return [asdict(s) for s in loaded if s.source_id not in hidden]

    def snapshots(self, dataset: str) -> list[str]:
        """The dates (``observed``) of a dataset's loaded snapshots, oldest first: the
        dates an ``as_of`` can tell apart."""
        return [observed for observed, _ in timeline.snapshots(self.store.sources(), dataset)]

    def dependency_map(self, refs: Iterable[str]) -> nx.DiGraph:
        """The dependency edges among these entities, for drawing (node attributes
        ``name``, ``type``, ``scores``).

        Examples
        --------
        >>> import govgraph
        >>> g = govgraph.demo(small=True)
        >>> sorted(g.dependency_map(["AFRINIC", "IANA"]).edges)
        [('org:afrinic', 'org:iana')]
        """
        return analytics.dependency_map(self.store, resolve_all(self.store, list(refs)))

    def dependence_by_group(self, group_rel: str = "LOCATED_IN",
                            supplier_type: str = "Registry",
                            weight: str | None = None) -> list[dict[str, Any]]:
        """For each group (a country, by ``LOCATED_IN``) and supplier (a registry), the
        weight of the group's nodes depending on it and its share (docs/analytics.md)."""
        return analytics.dependence_by_group(self.store, group_rel, supplier_type,
                                             weight=weight)

    def export(self, fmt: str = "json", path: str | os.PathLike[str] | None = None
               ) -> str | None:
        """The whole graph with provenance in one of ``json``, ``graphml``, ``gexf``,
        ``csv`` (the edges table), ``cypher`` or ``ftm``: returned as text, or written to
        ``path``.

        Examples
        --------
        >>> import govgraph, json
        >>> data = json.loads(govgraph.demo(small=True).export("json"))
        >>> len(data["nodes"]), len(data["edges"])
        (10, 8)
        """
        chunks = ops.export_chunks(self.store, fmt)
        if path is None:
            return "".join(chunks)
        with Path(path).open("w", encoding="utf-8") as fh:
            fh.writelines(chunks)
        return None

    def to_networkx(self, rel: str | Iterable[str] | None = None, min_confidence: float = 0.0,
                    as_of: str | None = None, types: str | Iterable[str] | None = None
                    ) -> nx.MultiDiGraph:
        """The graph (or the edges passing the filters) as a networkx MultiDiGraph: nodes
        keyed by entity id with ``type``, ``name``, properties and scores; edges keyed by
        relation key with ``type``, ``confidence`` and properties. ``types`` keeps only
        nodes of those types (and the edges among them).

        Examples
        --------
        >>> import govgraph
        >>> g = govgraph.demo(small=True)
        >>> deps = g.to_networkx(rel="DEPENDS_ON", min_confidence=0.9)
        >>> deps.number_of_edges(), deps.nodes["org:iana"]["type"]
        (2, 'Registry')
        """
        flt = _filter(rel, min_confidence, as_of, types)
        graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        for record in _entities(self.store, flt):
            graph.add_node(record.id, **record.to_dict())
        for edge in self.store.iter_edges(flt, claims=False):
            if edge.source in graph and edge.target in graph:
                graph.add_edge(edge.source, edge.target, key=edge.key,
                               **{k: v for k, v in edge.to_dict().items()
                                  if k not in {"source", "target", "key", "sources"}})
        return graph


def _entities(store: GraphStore, flt: EdgeFilter) -> Iterator[Any]:
    kinds = flt.node_types
    return (r for r in store.iter_entities() if kinds is None or r.type in kinds)


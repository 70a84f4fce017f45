"""The GraphStore contract. Every backend (SQLite, Neo4j) implements it; the rest of govgraph
only sees this class. Each method's docstring is its promise."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any, TypeVar

from graph.ids import fold
from graph.model import Batch, EdgeRecord, EntityRecord
from graph.vocab import ORGANISATION_TYPES

if TYPE_CHECKING:
    import numpy as np

    from graph.store.writer import WriteTx


class StoreError(RuntimeError):
    """The store refused an operation. Callers catch the subclasses below to say what
    happened; the API maps each to its own status (see docs/api.md)."""


class UnknownEntity(StoreError):
    """A reference names no entity (API 404; CLI exit 1)."""


class AmbiguousName(StoreError):
    """A name matches several entities (API 409 with the candidates; CLI lists them).
    ``candidates`` are ``(id, type, name)`` triples."""

    def __init__(self, ref: str, candidates: list[tuple[str, str, str]]) -> None:
        self.ref, self.candidates = ref, candidates
        listed = "; ".join(f"{i} ({t})" for i, t, _ in candidates)
        super().__init__(f"{ref!r} names {len(candidates)} entities: {listed}")


class BadReference(StoreError):
    """A batch refers to an entity it does not define and the store does not hold, or
    breaks the vocabulary (API 422; CLI exit 1 naming the source file and line).
    ``locator`` is the claim's locator (``line N``) when known."""

    def __init__(self, message: str, source_id: str = "", locator: str | None = None) -> None:
        self.source_id, self.locator = source_id, locator
        super().__init__(message)


class StoreBusy(StoreError):
    """Another process holds the store's write lock (API 503 with Retry-After; CLI exit 75)."""

    retry_after = 5


class BackendUnavailable(StoreError):
    """The backend cannot be reached (Neo4j down, file unreadable): API 503."""


class NoGraph(StoreError):
    """A read was asked of a store file that does not exist (CLI exit 1, no file created)."""


@dataclass(frozen=True, slots=True)
class EdgeFilter:
    """Which edges a query sees. ``as_of`` (ISO date) keeps edges whose ``start`` is not
    after it and whose ``end`` is not before it. ``hidden_sources``: source ids whose
    claims do not count (snapshots not in force at the date, filled in by
    ``graph.timeline.in_force``); an edge is kept when one of its claims comes from
    another source."""

    rel_types: frozenset[str] | None = None
    node_types: frozenset[str] | None = None
    min_confidence: float = 0.0
    as_of: str | None = None
    hidden_sources: frozenset[str] = frozenset()


@dataclass(slots=True)
class WriteResult:
    """What a write or unload changed."""

    source_id: str
    entities_added: int = 0
    entities_updated: int = 0
    entities_removed: int = 0
    relations_added: int = 0
    relations_updated: int = 0
    relations_removed: int = 0
    claims_added: int = 0
    claims_removed: int = 0
    merges: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"entities +{self.entities_added} ~{self.entities_updated} "
                f"-{self.entities_removed}, relations +{self.relations_added} "
                f"~{self.relations_updated} -{self.relations_removed}, claims "
                f"+{self.claims_added} -{self.claims_removed}")


@dataclass(slots=True)
class SourceInfo:
    source_id: str
    uri: str
    loader: str
    retrieved_at: str
    loaded_at: str
    entities: int = 0
    relations: int = 0
    dataset: str | None = None  # the series of snapshots it belongs to
    observed: str | None = None  # ISO date the snapshot describes


@dataclass(slots=True)
class Projection:
    """Edges as integer arrays for analytics: ``ids[i]`` is node ``i``'s entity id; edge ``j``
    runs ``src[j] -> dst[j]`` with weight ``weight[j]`` (1.0 when no weight property).
    The arrays are packed (``array.array``, or numpy arrays from a bulk read): 8 bytes an
    entry, not a Python object each."""

    ids: list[str]
    src: Any = field(default_factory=lambda: array("q"))  # array("q") or an int numpy array
    dst: Any = field(default_factory=lambda: array("q"))
    weight: Any = field(default_factory=lambda: array("d"))  # array("d") or a float one
    index: dict[Any, int] = field(default_factory=dict, repr=False)  # node handle -> i

    def add(self, source: tuple[Any, str], target: tuple[Any, str], value: Any,
            weight: str | None) -> None:
        """Append the edge ``source -> target``, each end a ``(handle, id)`` pair (a handle
        is whatever the store knows the node by). Its weight: 1.0 when no ``weight`` is
        asked for, else ``value`` when it is a number, else 0.0."""
        for handle, node_id in (source, target):
            if handle not in self.index:
                self.index[handle] = len(self.ids)
                self.ids.append(node_id)
        self.src.append(self.index[source[0]])
        self.dst.append(self.index[target[0]])
        self.weight.append(float(value) if weight and isinstance(value, (int, float)) else
                           (1.0 if not weight else 0.0))


T = TypeVar("T")
Chunk = tuple[str, list[tuple]]  # a table's name and some of its rows (graph.store.sync)


ACTOR_TYPES = ORGANISATION_TYPES | {"Person"}  # the nodes prose names (actor_names)


def check_score_columns(ids: Sequence[str], columns: Mapping[str, Sized],
                        positions: Mapping[str, Sequence[int] | np.ndarray] | None
                        ) -> Mapping[str, Sequence[int] | np.ndarray]:
    """Raise ValueError unless each column has one value for each of its nodes (all
    ``ids``, or its ``positions``); return the positions (empty when none are given)."""
    where = positions or {}
    wrong = [m for m, values in columns.items() if len(values) != len(where.get(m, ids))]
    if wrong:
        raise ValueError(f"{', '.join(wrong)}: not one value for each of its ids")
    return where


class GraphStore(ABC):
    """A graph of entities and relations with per-source provenance.

    A backend implements the primitives (:meth:`transact` and the
    :class:`~graph.store.writer.WriteTx` it opens, :meth:`lookup`, :meth:`search_hits`,
    the reads, scores, and :meth:`dump` / :meth:`restore` / :meth:`clear`); writes, unloads,
    ``resolve`` and ``search`` are written once, here and in :mod:`graph.store.writer`."""

    kind: str = "abstract"

    @abstractmethod
    def transact(self, work: Callable[[WriteTx], T]) -> T:
        """Run ``work(tx)`` in one write transaction: committed when it returns, rolled back
        (nothing changed) when it raises. Writers are serialised; a backend may run ``work``
        again on a transient failure. Raises StoreBusy when another process holds the
        write lock too long, BackendUnavailable when the backend cannot be reached."""

    def write(self, batch: Batch) -> WriteResult:
        """Write one source's batch atomically. If the source was loaded before, its old
        claims are replaced: reloading identical data changes nothing. Raises BadReference
        (and changes nothing) when a relation refers to an entity that cannot be resolved,
        or joins families its type does not allow."""
        from graph.store.writer import Writer

        started = time.perf_counter()
        result = self.transact(lambda tx: Writer(tx, batch.source_id).write(batch))
        result.seconds = time.perf_counter() - started
        return result

    def write_parts(self, parts: Callable[[], Iterable[Batch]], rows: int) -> WriteResult:
        """Write one source given in parts (a streaming loader's) atomically, each part as it
        comes (:meth:`graph.store.writer.Writer.write_parts`: memory follows a part, not the
        source). ``parts()`` gives the parts from the first; it is called again when the
        backend retries the transaction. ``rows``: about how many records. An error raised
        while the parts are read (a bad line) rolls the whole source back."""
        from graph.store.writer import Writer

        def work(tx: WriteTx) -> WriteResult:
            given = iter(parts())
            first = next(given)
            return Writer(tx, first.source_id).write_parts(chain([first], given), rows)

        started = time.perf_counter()
        result = self.transact(work)
        result.seconds = time.perf_counter() - started
        return result

    def unload(self, source_id: str) -> WriteResult:
        """Remove a source's claims, and every node and edge that only it supported. Raises
        UnknownEntity when no such source is loaded."""
        from graph.store.writer import Writer

        started = time.perf_counter()
        result = self.transact(lambda tx: Writer(tx, source_id).unload())
        result.seconds = time.perf_counter() - started
        return result

    @abstractmethod
    def sources(self) -> list[SourceInfo]:
        """The loaded sources, in load order."""

    def in_force(self, flt: EdgeFilter | None) -> EdgeFilter:
        """``flt`` with the snapshots not in force on its date hidden (the rule is
        ``graph.timeline``'s; every edge read applies it). Inside ``timeline.remembered()``
        (an API request) the sources are read once per date, not once per read."""
        from graph.timeline import in_force_once

        return in_force_once(id(self), self.sources, flt)

    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """Counts: nodes, edges, claims, sources, and nodes/edges by type."""

    @abstractmethod
    def lookup(self, form: str, keys: list[str]) -> Iterable[tuple[str, str]]:
        """``(key, node id)`` pairs of the nodes these keys name in one form of
        :data:`graph.merge.REF_FORMS` (``id``, ``redirect``, ``key``, ``name``)."""

    def resolve(self, ref: str) -> str | None:
        """The id of the entity a reference names: an id, a merged id (redirect), a key,
        or an unambiguous name/alias. None when nothing matches."""
        from graph.merge import resolve_references

        return resolve_references([ref], self.lookup).get(ref)

    @abstractmethod
    def entities(self, ids: Iterable[str]) -> list[EntityRecord]:
        """The entities with these ids, in that order (unknown ids are skipped), with their
        scores."""

    def search(self, query: str, type_name: str | None = None, limit: int = 20,
               offset: int = 0) -> list[EntityRecord]:
        """Entities whose name or alias matches the folded query: exact (a name or key),
        then prefix, then substring (3 characters or more), ties by creation order; of
        ``type_name`` when given; the page from ``offset``, at most ``limit``."""
        key = fold(query)
        if not key:
            return []
        ranked = list(dict.fromkeys(i for hits in self.search_hits(key) for i in hits))
        step = self.read_chunk
        rows = [r for i in range(0, len(ranked), step) for r in self.entities(ranked[i:i + step])]
        if type_name:
            rows = [r for r in rows if r.type == type_name]
        return rows[offset:offset + limit]

    read_chunk = 500  # ids per entities() call of search

    @abstractmethod
    def search_hits(self, key: str) -> tuple[list[str], list[str], list[str]]:
        """The ids of the nodes a folded key matches exactly (a name or key), as a prefix,
        and as a substring (keys of 3 characters or more), up to 2,000 each, each list in
        creation order."""

    @abstractmethod
    def edges(self, ids: Iterable[str], direction: str = "both",
              flt: EdgeFilter | None = None, limit: int | None = None,
              claims: bool = True) -> list[EdgeRecord]:
        """Edges touching these nodes: ``out`` (they are the source), ``in`` or ``both``;
        highest confidence first, at most ``limit`` per call when given."""

    @abstractmethod
    def edges_among(self, ids: Iterable[str], flt: EdgeFilter | None = None,
                    claims: bool = True) -> list[EdgeRecord]:
        """The edges whose two ends are both among these nodes (the subgraph they induce),
        in key order."""

    @abstractmethod
    def degree(self, ids: Iterable[str], flt: EdgeFilter | None = None) -> dict[str, int]:
        """Number of edges (either direction) touching each node, under the filter."""

    @abstractmethod
    def iter_entities(self) -> Iterator[EntityRecord]:
        """Every entity, in id order."""

    def actor_names(self) -> Iterator[tuple[str, str]]:
        """``(name, type)`` of every name and alias of the people and organisations: the
        names a prose page looks for (``api/ops.py``). A store may read only those nodes."""
        for entity in self.iter_entities():
            if entity.type in ACTOR_TYPES:
                yield from ((name, entity.type) for name in (entity.name, *entity.aliases))

    @abstractmethod
    def iter_edges(self, flt: EdgeFilter | None = None,
                   claims: bool = True) -> Iterator[EdgeRecord]:
        """Every edge passing the filter, in key order."""

    @abstractmethod
    def projection(self, flt: EdgeFilter | None = None,
                   weight: str | None = None) -> Projection:
        """All edges passing the filter as integer arrays, read in one streaming pass."""

    @abstractmethod
    def write_scores(self, metric: str, values: dict[str, Any]) -> None:
        """Store a metric's value on the given nodes and clear it from all others."""

    def write_score_columns(self, ids: Sequence[str],
                            columns: Mapping[str, Sequence[Any] | np.ndarray],
                            positions: Mapping[str, Sequence[int] | np.ndarray] | None = None
                            ) -> None:
        """:meth:`write_scores` of several metrics given as columns over the same nodes:
        ``columns[metric][i]`` is the score of ``ids[i]`` (a list, or a numpy array as
        analytics computes it); the metrics are written in the mapping's order. A metric
        named in ``positions`` scores only some of the nodes: its ``j``-th value is the score
        of ``ids[positions[metric][j]]`` (a dependency layer's nodes among all the layers').
        A backend may write them set-based and in one transaction, with no ``{id: value}``
        dict; by default each is a dict and a ``write_scores``."""
        where = check_score_columns(ids, columns, positions)
        for metric, values in columns.items():
            plain = values.tolist() if hasattr(values, "tolist") else values
            keys = ids if metric not in where else [ids[p] for p in where[metric]]
            self.write_scores(metric, dict(zip(keys, plain, strict=True)))

    @abstractmethod
    def top(self, metric: str, limit: int = 20) -> list[EntityRecord]:
        """Nodes with a stored score for ``metric``, highest first."""

    @abstractmethod
    def merge_log(self) -> list[dict[str, str]]:
        """Why names became one node: ``{"merged", "into", "reason", "source_id"}``."""

    @abstractmethod
    def dump(self, table: str) -> Iterator[tuple]:
        """Every row of one table of :data:`graph.store.sync.TABLES`, in its order."""

    @abstractmethod
    def restore(self, chunks: Iterator[Chunk]) -> None:
        """Write dumped chunks into this empty store (derived state as it was dumped)."""

    @abstractmethod
    def clear(self) -> None:
        """Delete everything the store holds."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

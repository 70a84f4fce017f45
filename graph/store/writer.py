"""The one write algorithm of every store, over a small interface of per-backend primitives.

A backend gives the algorithm an open write transaction (:class:`WriteTx`) that reads and
writes nodes by entity id and edges by edge key; what it keeps underneath (row numbers,
element ids) stays inside it. :class:`Writer` does the rest, the same on every backend:

1. upsert the source and read the claims it made before (``source_claims``); replace its
   same / not-same judgements;
2. entities (:meth:`Writer.add_entities`): resolve each by id, redirect, key or unambiguous
   name, else find a name merge (:func:`graph.merge.find_merges`), else create a node;
3. relations (:meth:`Writer.add_relations`): resolve both ends (a relation naming nothing,
   or breaking its type's endpoint families, refuses the batch with
   :class:`~graph.store.base.BadReference`), group them into facts by edge key, create the
   new edges;
4. :meth:`Writer.finish`: write the claims that changed (a reload of the same data writes
   none), then re-derive or delete exactly the nodes and edges whose claims changed
   (:meth:`Writer.collect`), and count the source's claims.

5. :meth:`Writer.absorb`: each other stored node an entity's ``same_as`` bridges named is
   absorbed into the node the entity was placed on (:mod:`graph.store.absorb`).

Steps 2 and 3 may be called several times inside one transaction (a source written in
chunks); steps 4 and 5 once at the end. An unload undoes the absorptions the source caused,
reads the source's claims, collects what they supported as if they were gone, then deletes
the source.
"""

from __future__ import annotations

import gc
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from graph import merge as mg
from graph.model import Batch, Entity, Judgement
from graph.store.base import BadReference, UnknownEntity, WriteResult
from graph.vocab import endpoint_error, merges_by_bare_name, node_type

EdgeClaimValues = tuple[str, float, str]  # locator, confidence, props JSON


@dataclass(slots=True)
class Held:
    """One source's claims: ``nodes`` maps a node id to its claim's values (type, name,
    aliases, keys, props, locator, first_seen, last_seen: :func:`graph.merge.claim_values`);
    ``edges`` maps (edge key, locator) to (relation type, (locator, confidence, props))."""

    nodes: dict[str, tuple] = field(default_factory=dict)
    edges: dict[tuple[str, str], tuple[str, EdgeClaimValues]] = field(default_factory=dict)

    def edge_types(self) -> dict[str, str]:
        """Edge key -> relation type of every edge claimed."""
        return {key: rtype for (key, _), (rtype, _) in self.edges.items()}

    def by_edge(self, keys: Collection[str]) -> dict[str, dict[str, tuple[str, EdgeClaimValues]]]:
        """The claims of these edges, by edge key, then locator."""
        out: dict[str, dict[str, tuple[str, EdgeClaimValues]]] = {}
        for (key, locator), value in self.edges.items():
            if key in keys:
                out.setdefault(key, {})[locator] = value
        return out

    def minus(self, other: Held) -> Held:
        """The claims of this that ``other`` does not hold with the same values."""
        if not (other.nodes or other.edges):
            return self
        return Held({i: v for i, v in self.nodes.items() if other.nodes.get(i) != v},
                    {k: v for k, v in self.edges.items() if other.edges.get(k) != v})


@dataclass(slots=True)
class NodeState:
    """A touched node as stored: its derived values (:func:`node_values`), its claims in
    source load order, and the number of edge ends on it (a self-loop counts twice; read
    only when ``claims`` is empty, so a backend may leave it 0 for a claimed node)."""

    id: str
    type: str
    before: tuple
    claims: list[mg.NodeClaim]
    degree: int


@dataclass(slots=True)
class AppendedState:
    """A touched node on which the writing source's claim (``own``) is the last in load
    order, after at least one other source's: its stored derived values (:func:`node_values`)
    and the first of the other sources' claims."""

    id: str
    before: tuple
    first: mg.NodeClaim
    own: mg.NodeClaim


@dataclass(slots=True)
class EdgeState:
    """A touched edge as stored: its ends, derived values (:func:`edge_values`) and its
    claims ``(confidence, properties)`` in source load order."""

    key: str
    type: str
    source: str
    target: str
    before: tuple
    claims: list[tuple[float, dict[str, Any]]]


@dataclass(slots=True)
class StagedEdges:
    """What :meth:`WriteTx.write_staged_edges` wrote: ``created`` new edges, ``claims``
    claims (one per relation)."""

    created: int
    claims: int


@dataclass(slots=True)
class StagedNodes:
    """What :meth:`WriteTx.write_staged_nodes` wrote: ``created`` new nodes, each with its
    one claim."""

    created: int


@dataclass(slots=True)
class NewEdge:
    """An edge to create: ``values`` are its derived values (:func:`edge_values`)."""

    key: str
    source: str
    target: str
    type: str
    values: tuple


def node_values(node: mg.DerivedNode) -> tuple:
    """A derived node as the tuple states compare: (type, name, aliases JSON, keys JSON,
    props JSON, first_seen, last_seen)."""
    return (node.type, node.name, mg.to_json(node.aliases), mg.to_json(node.keys),
            mg.to_json(node.properties), node.first_seen, node.last_seen)


def edge_values(edge: mg.DerivedEdge) -> tuple:
    """A derived edge as the tuple states compare: (props JSON, confidence, weight, start,
    end)."""
    return (mg.to_json(edge.properties), edge.confidence, edge.weight, edge.start, edge.end)


def stored_claim(before: tuple) -> mg.NodeClaim:
    """A node's stored derived values (:func:`node_values`) as one claim stating them."""
    type_, name, aliases, keys, props, first, last = before
    return mg.NodeClaim(type_, name, mg.from_json(aliases), mg.from_json(keys),
                        mg.from_json(props), first, last)


def _claimed(node_id: str, values: tuple) -> Entity:
    """A node claim's values (:func:`graph.merge.claim_values`) as the entity they state."""
    type_, name, aliases, keys, props, locator, first, last = values
    return Entity(type=type_, name=name, id=node_id, aliases=mg.from_json(aliases),
                  keys=mg.from_json(keys), properties=mg.from_json(props),
                  locator=locator or None, first_seen=first, last_seen=last)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a write runs. A large write makes
    millions of small containers, and every few thousand of them the collector walked all
    the objects alive: a quarter of a load's CPU time. The rows a write makes form no
    cycles (reference counting frees them); a streamed write still collects a part's young
    objects after a part written record by record. A set-based part makes only tuples and
    lists (at 1M, 26 such collections found nothing and cost 0.56 s), so it is not collected."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``items`` in consecutive slices of at most ``size``."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


class WriteTx(ABC):
    """One open write transaction of a backend. Nodes are named by entity id, edges by edge
    key; reads see this transaction's own writes. ``chunk`` is how many ids or keys one
    state read takes."""

    chunk = 500

    # -- sources and judgements
    @abstractmethod
    def upsert_source(self, batch: Batch) -> None:
        """Add the batch's source (next in load order), or update a loaded one's metadata
        (its place in the load order is kept)."""

    @abstractmethod
    def source_exists(self, source_id: str) -> bool: ...

    @abstractmethod
    def source_claims(self, source_id: str) -> Held:
        """What the source claims now (empty for a new source)."""

    @abstractmethod
    def set_source_counts(self, source_id: str, entities: int, relations: int) -> None: ...

    @abstractmethod
    def delete_source(self, source_id: str) -> None:
        """Delete the source with its claims and judgements."""

    @abstractmethod
    def replace_judgements(self, source_id: str, judgements: list[Judgement]) -> None: ...

    @abstractmethod
    def judgements(self) -> Iterable[tuple[str, str, bool]]:
        """Every loaded judgement ``(a, b, same)``, later sources first."""

    # -- lookups
    @abstractmethod
    def has_nodes(self) -> bool: ...

    @abstractmethod
    def lookup(self, form: str, keys: list[str]) -> Iterable[tuple[str, str]]:
        """``(key, node id)`` pairs for one form of :data:`graph.merge.REF_FORMS`."""

    def resolve(self, refs: Collection[str]) -> dict[str, str]:
        """Node id of each reference that resolves (:func:`graph.merge.resolve_references`
        over :meth:`lookup`). A backend may answer it set-based, with the same result."""
        return mg.resolve_references(refs, self.lookup)

    @abstractmethod
    def name_candidates(self, norms: list[str]) -> dict[str, set[tuple[str, str]]]:
        """Existing nodes by folded name (or by id): ``norm -> {(id, type)}``."""

    @abstractmethod
    def node_types(self, ids: list[str]) -> dict[str, str]:
        """The type of each of these nodes (unknown ids left out)."""

    @abstractmethod
    def existing_edges(self, edges: dict[str, str]) -> set[str]:
        """Which of these edges (key -> relation type) exist."""

    @abstractmethod
    def own_node_claims(self, source_id: str, ids: list[str]) -> dict[str, tuple]:
        """The claims the source holds now on these nodes (node id -> claim values)."""

    @abstractmethod
    def forget(self) -> None:
        """Drop what the transaction caches about nodes and edges (ids, types): a streamed
        write calls it after each part, so the cache follows a part, not the source."""

    # -- writes
    def bulk(self, rows: int) -> AbstractContextManager[Any]:
        """Around the writes of about ``rows`` entities and relations: a backend may
        prepare for a large write (SQLite: defer secondary indexes)."""
        return nullcontext()

    @abstractmethod
    def create_nodes(self, rows: list[tuple[str, mg.DerivedNode]]) -> None:
        """Create nodes ``(id, node)`` with their alias-index and search rows."""

    @abstractmethod
    def create_edges(self, rows: list[NewEdge]) -> None: ...

    def write_staged_edges(self, source_id: str,
                           relations: list[mg.Relation]) -> StagedEdges | None:
        """Write a streamed part's relations set-based, when each one states a new edge
        with one claim: every reference resolves (as :meth:`resolve`), every relation fits
        its type's endpoint families, no two state one fact and no fact is stored yet.
        Creates the edges (numbered in key order, as :meth:`create_edges` numbers them) and
        writes their claims. Otherwise writes nothing and returns None: the writer takes
        the per-relation path, which raises the same errors and merges the claims. A
        backend may always return None."""
        return None

    def write_staged_nodes(self, source_id: str, entities: list[Entity]) -> StagedNodes | None:
        """Write a streamed part's entities set-based, when each one is a new node with one
        claim: no two share an id (as :func:`graph.merge.combine_entities` leaves them)
        and no node with its id is stored. Creates the nodes (numbered in the entities'
        order, as :meth:`create_nodes` numbers them) with their alias-index and search
        rows, and writes their claims. Otherwise writes nothing and returns None: the
        writer places the entities one by one. A backend may always return None."""
        return None

    @abstractmethod
    def write_claims(self, source_id: str, removed: Held, added: Held) -> None:
        """Delete the source's ``removed`` claims, then add its ``added`` ones (a changed
        claim is in both)."""

    @abstractmethod
    def log_merges(self, source_id: str, merges: list[tuple[str, str, str]]) -> None:
        """Record ``(merged id, into id, reason)``: merge log and redirects."""

    @abstractmethod
    def node_loaders(self, ids: list[str]) -> dict[str, set[str]]:
        """The loaders of the sources that claim each of these nodes."""

    # -- absorbing one existing node into another (graph/store/absorb.py)
    @abstractmethod
    def claims_touching(self, ids: list[str]) -> tuple[dict[str, Held], dict[str, tuple]]:
        """Every source's claims on these nodes and on the edges touching them (source id ->
        Held), and those edges' ends (edge key -> (source id, relation type, target id))."""

    @abstractmethod
    def save_absorbed(self, source_id: str, absorbed: str, kept: str, record: str) -> None:
        """Keep how to undo the absorption of node ``absorbed`` into ``kept`` that source
        ``source_id`` caused (``record``: JSON, :mod:`graph.store.absorb`)."""

    @abstractmethod
    def take_absorbed(self, source_id: str) -> list[tuple[str, str, str]]:
        """The ``(absorbed, kept, record)`` absorptions the source caused, in the order they
        were made; they are deleted, with the redirects of the absorbed ids to the kept."""

    # -- collection
    @abstractmethod
    def edge_states(self, edges: dict[str, str], exclude: str | None) -> list[EdgeState]:
        """The stored edges among these (key -> relation type); claims of source
        ``exclude`` left out."""

    @abstractmethod
    def node_states(self, ids: Sequence[str], exclude: str | None) -> list[NodeState]:
        """The stored nodes among these; claims of source ``exclude`` left out."""

    def appended_states(self, ids: Sequence[str], source_id: str) -> list[AppendedState]:
        """The stored nodes among these on which ``source_id``'s claim is the last in load
        order and another source's claim comes before it. A backend may return none: the
        writer then reads all their claims (:meth:`node_states`)."""
        return []

    @abstractmethod
    def update_edges(self, rows: list[tuple[str, str, mg.DerivedEdge]]) -> None:
        """Rewrite edges ``(key, type, edge)`` read by ``edge_states``."""

    @abstractmethod
    def delete_edges(self, edges: dict[str, str]) -> None: ...

    @abstractmethod
    def update_nodes(self, rows: list[tuple[str, str, mg.DerivedNode]]) -> None:
        """Rewrite nodes ``(id, old type, node)`` read by ``node_states``."""

    @abstractmethod
    def delete_nodes(self, ids: list[str]) -> None:
        """Delete nodes that have no edges, with their claims and index rows."""


class Writer:
    """Writes one source into an open transaction (see the module docstring)."""

    def __init__(self, tx: WriteTx, source_id: str) -> None:
        self.tx, self.source_id = tx, source_id
        self.result = WriteResult(source_id)
        self.held = Held()
        self.claims = Held()
        self.refs: dict[str, str] = {}  # reference -> node id
        self.families: dict[str, str] = {}  # node id -> family, for endpoint checks
        self.new_nodes: set[str] = set()
        self.touched_nodes: set[str] = set()
        self.new_edges: set[str] = set()
        self.touched_edges: dict[str, str] = {}
        self.fresh = False  # a streamed write into a store that had no nodes
        self.staging = False  # a streamed write's edge-only parts are tried set-based
        self.staged_claims = 0  # the claims written set-based (write_staged_edges)
        self.staged_nodes = 0  # the entities written set-based (write_staged_nodes)
        self.staging_nodes = False  # a fresh streamed write's entity-only parts, set-based
        self.absorbing: list[tuple[str, str, str]] = []  # (absorbed, kept, reason): absorb.py
        self.published = ""  # the source's publication date, for the merge log
        self.loader = ""  # the source's loader: what its names are evidence of

    def write(self, batch: Batch) -> WriteResult:
        """The whole batch: start, its entities and relations, finish."""
        with collector_paused():
            self.start(batch)
            with self.tx.bulk(len(batch.entities) + len(batch.relations)):
                self.add_entities(batch.entities)
                self.add_relations(batch.relations)
                self.write_claims()
            self.finish()
            return self.absorb()

    def write_parts(self, parts: Iterable[Batch], rows: int) -> WriteResult:
        """A source given in parts (a streaming loader's, :attr:`loaders.base.Loader.stream`),
        written as they come into the one open transaction: the source's old claims are
        deleted first, each part's claims are written with it, and what this Writer and the
        transaction keep about a part is dropped after it. Memory follows a part, not the
        source, except for the nodes and edges the parts found already stored (re-derived at
        the end) and, on a reload, the source's old claims. ``rows``: about how many records
        (the backend's :meth:`WriteTx.bulk` hint).

        The result is the graph :meth:`write` gives for all the parts as one batch (into a
        store with no nodes exactly: entities are placed by id only, as one batch places
        them), with these differences: a relation resolves a reference to an entity of an
        earlier part through the store (as across sources: a name or key that another source
        also uses is then ambiguous); into a store with nodes, an entity may also be placed
        on (merged by key or name with) a node an earlier part made; and entities of several
        parts on one node become one claim combined as :func:`graph.merge.combine_entities`
        combines them (in one batch, two entities with different ids on one node keep the
        last one's claim)."""
        with collector_paused():
            return self._write_parts(iter(parts), rows)

    def _write_parts(self, parts: Iterator[Batch], rows: int) -> WriteResult:
        first = next(parts)
        self.fresh = not self.tx.has_nodes()
        self.staging = True
        self.staging_nodes = self.fresh
        self.start(first)
        self.tx.write_claims(self.source_id, self.held, Held())
        entities = relations = 0
        with self.tx.bulk(rows):
            for part in chain([first], parts):
                if not self._staged_nodes(part):
                    self.add_entities(part.entities)
                self.add_relations(part.relations)
                set_based = ((self.staged_nodes or not part.entities)
                             and (self.staged_claims or not part.relations))
                restated = self._restated()
                self.tx.write_claims(self.source_id, restated, self.claims)
                entities += len(self.claims.nodes) - len(restated.nodes) + self.staged_nodes
                relations += len(self.claims.edges) + self.staged_claims
                self.staged_claims = self.staged_nodes = 0
                self._forget_part()
                if not set_based:
                    gc.collect(0)
        self.collect(set(self.held.nodes) | self.touched_nodes,
                     {**self.held.edge_types(), **self.touched_edges},
                     appended=self.touched_nodes - set(self.held.nodes))
        self.tx.set_source_counts(self.source_id, entities, relations)
        return self.absorb()

    def absorb(self) -> WriteResult:
        """Absorb the other existing nodes the source's bridges named into the node each
        bridging entity was placed on (:mod:`graph.store.absorb`)."""
        from graph.store import absorb

        for absorbed, kept, reason in self.absorbing:
            when = f" (source published {self.published})" if self.published else ""
            absorb.absorb(self, absorbed, kept, f"{reason}: {absorbed} absorbed into {kept}"
                          f"{when}")
        self.result.merges += len(self.absorbing)
        return self.result

    def _restated(self) -> Held:
        """The claims earlier parts made on nodes this part claims too (to be replaced);
        this part's claims on them become the two combined."""
        earlier = self.tx.own_node_claims(self.source_id, list(self.claims.nodes))
        for node_id, values in earlier.items():
            [combined] = mg.combine_entities([_claimed(node_id, values),
                                              _claimed(node_id, self.claims.nodes[node_id])])
            self.claims.nodes[node_id] = mg.claim_values(combined)
        return Held(earlier, {})

    def _forget_part(self) -> None:
        self.claims = Held()
        for kept in (self.refs, self.families, self.new_nodes, self.new_edges):
            kept.clear()
        self.tx.forget()

    def start(self, batch: Batch) -> None:
        self.tx.upsert_source(batch)
        self.published = batch.observed or ""
        self.loader = batch.loader
        self.held = self.tx.source_claims(self.source_id)
        self.result.claims_removed = len(self.held.edges)
        self.tx.replace_judgements(self.source_id, batch.judgements)

    def add_entities(self, entities: list[Entity]) -> None:
        """Place each entity on an existing node (resolved or merged by name) or a new one,
        and keep its claim."""
        entities = mg.combine_entities(entities)
        located: dict[str, str] = {}
        merged: dict[str, tuple[str, str]] = {}
        if self.fresh:  # only this write's earlier parts made nodes: the same ids combine
            located = dict(self.tx.lookup("id", [e.id for e in entities]))
        elif self.tx.has_nodes():  # else there is nothing to find
            located = self.tx.resolve([e.id for e in entities])
            unplaced = [e for e in entities if e.id not in located]
            merged = mg.find_merges(unplaced, self.tx.name_candidates,
                                    mg.Judgements(self.tx.judgements()), self._vet)
        new_rows, merges = [], []
        for ent in entities:
            node_id = located.get(ent.id) or merged.get(ent.id, (None, ""))[0]
            if node_id is None:
                node_id = ent.id
                new_rows.append((node_id, mg.derive_node([mg.claim_of(ent)])))
                self.new_nodes.add(node_id)
            else:
                self.touched_nodes.add(node_id)
                if ent.id in merged:
                    merges.append((ent.id, node_id, merged[ent.id][1]))
            for ref in (ent.id, *ent.keys):
                self.refs[ref] = node_id
            self.families[node_id] = ent.family
            self.claims.nodes[node_id] = mg.claim_values(ent)
        if merged or located:
            from graph.store import absorb

            placed = {e.id: self.refs[e.id] for e in entities if e.id not in self.new_nodes}
            self.absorbing += absorb.wanted(self.tx, placed, entities)
        self.tx.create_nodes(new_rows)
        self.tx.log_merges(self.source_id, merges)
        self.result.entities_added += len(new_rows)
        self.result.merges += len(merges)

    def _vet(self, named: list[tuple[Entity, str]]) -> set[str]:
        """The entities that may merge into the node a bare name found (graph/vocab.py
        NAME_EVIDENCE); the others stay apart, candidates (graph.query.merge_candidates)."""
        loaders = self.tx.node_loaders(sorted({node_id for _, node_id in named}))
        return {ent.id for ent, node_id in named
                if merges_by_bare_name(self.loader, loaders.get(node_id, set()))}

    def add_relations(self, relations: list[mg.Relation]) -> None:
        """Resolve and check the relations' ends, create the new edges, keep the claims."""
        if not relations or self._staged(relations):
            return
        ends = mg.relation_endpoints(relations, self.refs, self.tx.resolve, self.source_id)
        self._check_families(relations, ends)
        grouped = mg.group_relations(relations, ends)
        existing = self.tx.existing_edges({k: g[2] for k, g in grouped.items()})
        new_rows, held = [], self.claims.edges
        for key in sorted(grouped):  # in key order, a key index is written sequentially
            src, dst, rel_type, claims = grouped[key]
            if key in existing:
                self.touched_edges[key] = rel_type
            else:
                self.new_edges.add(key)
                if len(claims) == 1:  # most edges: the edge's properties are its one claim's
                    [c] = claims
                    props = mg.to_json(c.properties)
                    new_rows.append(NewEdge(key, src, dst, rel_type,
                                            (props, *mg.edge_columns(c.confidence,
                                                                     c.properties))))
                    locator = c.locator or ""
                    held[(key, locator)] = (rel_type, (locator, c.confidence, props))
                    continue
                values = edge_values(mg.derive_edge([(c.confidence, c.properties)
                                                     for c in claims]))
                new_rows.append(NewEdge(key, src, dst, rel_type, values))
            for c in claims:
                locator = c.locator or ""
                held[(key, locator)] = (rel_type,
                                        (locator, c.confidence, mg.to_json(c.properties)))
        self.tx.create_edges(new_rows)
        self.result.claims_added += sum(len(g[3]) for g in grouped.values())
        self.result.relations_added += len(new_rows)

    def _staged(self, relations: list[mg.Relation]) -> bool:
        """Whether a streamed part's relations were written set-based
        (:meth:`WriteTx.write_staged_edges`): only a part with no entities (whose
        references the store alone resolves). After one part that could not be, the
        source's other parts take the per-relation path too (a reload restates stored
        facts in every part)."""
        if not self.staging or self.refs:
            return False
        staged = self.tx.write_staged_edges(self.source_id, relations)
        if staged is None:
            self.staging = False
            return False
        self.staged_claims += staged.claims
        self.result.claims_added += staged.claims
        self.result.relations_added += staged.created
        return True

    def _staged_nodes(self, part: Batch) -> bool:
        """Whether a streamed part's entities were written set-based
        (:meth:`WriteTx.write_staged_nodes`): only in a write into a store that had no
        nodes (nothing to merge with but this write's own earlier parts), and only a part
        with no relations (whose ends the per-record path resolves through the part's own
        entities first). After one part that could not be, the others are placed one by
        one too."""
        if not (self.staging_nodes and part.entities) or part.relations:
            return False
        staged = self.tx.write_staged_nodes(self.source_id,
                                            mg.combine_entities(part.entities))
        if staged is None:
            self.staging_nodes = False
            return False
        self.staged_nodes += staged.created
        self.result.entities_added += staged.created
        return True

    def _check_families(self, relations: list[mg.Relation],
                        ends: list[tuple[str, str]]) -> None:
        """Refuse a relation whose ends are not of the families its type allows."""
        unknown = list({i for pair in ends for i in pair if i not in self.families})
        if unknown:
            types = self.tx.node_types(unknown)
            family = {t: node_type(t).family for t in set(types.values())}
            self.families.update((i, family[t]) for i, t in types.items())
        families = self.families
        kinds = {(rel.type, families.get(src), families.get(dst))
                 for rel, (src, dst) in zip(relations, ends, strict=True)}
        if not any(endpoint_error(*kind) for kind in kinds):
            return
        for rel, (src, dst) in zip(relations, ends, strict=True):
            broken = endpoint_error(rel.type, families.get(src), families.get(dst))
            if broken:
                where = f" ({rel.locator})" if rel.locator else ""
                raise BadReference(f"{self.source_id}{where}: {rel.type} {rel.source!r} -> "
                                   f"{rel.target!r}: {broken}", self.source_id, rel.locator)

    def write_claims(self) -> None:
        """Make the stored claims of the source what this write stated."""
        self.tx.write_claims(self.source_id, self.held.minus(self.claims),
                             self.claims.minus(self.held))

    def finish(self) -> WriteResult:
        """Re-derive what the old and new claims touched (claims stated again unchanged
        touch nothing), and count the source's claims."""
        held, new = self.held, self.claims
        nodes = (set(held.nodes) | self.touched_nodes) - self.new_nodes
        nodes -= {i for i, v in new.nodes.items() if held.nodes.get(i) == v}
        edges = {k: t for k, t in {**held.edge_types(), **self.touched_edges}.items()
                 if k not in self.new_edges}
        before, after = held.by_edge(edges), new.by_edge(edges)
        edges = {k: t for k, t in edges.items() if before.get(k) != after.get(k)}
        self.collect(nodes, edges, appended=nodes - set(held.nodes))
        self.tx.set_source_counts(self.source_id, len(new.nodes), len(new.edges))
        return self.result

    def unload(self) -> WriteResult:
        """Remove the source: what only its claims supported goes, the rest is re-derived."""
        if not self.tx.source_exists(self.source_id):
            raise UnknownEntity(f"no source {self.source_id!r} is loaded")
        from graph.store import absorb

        with collector_paused():
            nodes, edges = absorb.undo(self)
            held = self.tx.source_claims(self.source_id)
            self.result.claims_removed = len(held.edges)
            self.collect(set(held.nodes) | nodes, {**held.edge_types(), **edges},
                         exclude=self.source_id)
            self.tx.delete_source(self.source_id)
        return self.result

    def _appended(self, ids: Sequence[str], appended: Collection[str]
                  ) -> dict[str, tuple[tuple, mg.DerivedNode]]:
        """The nodes among ``ids`` whose new derived state follows from their stored one and
        this source's claim alone, without reading their other claims (a node that every
        page of a folder names has a claim from each): this source's claim on them is new
        (``appended``) and last in load order, and their first other claim is no
        placeholder, so it stays first. :func:`graph.merge.derive_node` is a left fold
        from that first claim, and the stored values restate the fold so far. Node id ->
        (stored values, derived node)."""
        out = {}
        for st in self.tx.appended_states([i for i in ids if i in appended], self.source_id):
            if not mg.placeholder(st.first):
                stored = stored_claim(st.before)
                out[st.id] = (st.before, mg.derive_node([stored, st.own], first=stored))
        return out

    def collect(self, nodes: set[str], edges: dict[str, str], exclude: str | None = None,
                appended: Collection[str] = ()) -> None:
        """Delete the edges no claim supports and the nodes neither a claim nor an edge
        supports, among those touched; re-derive the rest. Everything is read before
        anything is written. ``exclude``: a source whose claims are to be ignored;
        ``appended``: nodes on which this source had no claim before this write."""
        tx, size = self.tx, self.tx.chunk
        dead_edges: dict[str, str] = {}
        changed_edges: list[tuple[str, str, mg.DerivedEdge]] = []
        lost: Counter[str] = Counter()  # edge ends a node loses
        for chunk in chunks(sorted(edges), size):
            for st in tx.edge_states({k: edges[k] for k in chunk}, exclude):
                if not st.claims:
                    dead_edges[st.key] = st.type
                    nodes.update((st.source, st.target))
                    lost.update((st.source, st.target))
                elif edge_values(edge := mg.derive_edge(st.claims)) != st.before:
                    changed_edges.append((st.key, st.type, edge))
        dead_nodes: list[str] = []
        changed_nodes: list[tuple[str, str, mg.DerivedNode]] = []
        for chunk in chunks(sorted(nodes), size):
            quick = self._appended(chunk, appended) if appended else {}
            for node_id, (before, node) in quick.items():
                if node_values(node) != before:
                    changed_nodes.append((node_id, before[0], node))
            rest = [i for i in chunk if i not in quick]
            for ns in tx.node_states(rest, exclude) if rest else ():
                if not ns.claims:  # kept alive by edges only: keeps its last derived state
                    if ns.degree <= lost[ns.id]:
                        dead_nodes.append(ns.id)
                elif node_values(node := mg.derive_node(ns.claims)) != ns.before:
                    changed_nodes.append((ns.id, ns.type, node))
        tx.delete_edges(dead_edges)
        tx.update_edges(changed_edges)
        tx.update_nodes(changed_nodes)
        tx.delete_nodes(dead_nodes)
        self.result.relations_removed += len(dead_edges)
        self.result.relations_updated += len(changed_edges)
        self.result.entities_removed += len(dead_nodes)
        self.result.entities_updated += len(changed_nodes)

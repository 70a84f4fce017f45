"""The Neo4j store's write primitives (:class:`graph.store.writer.WriteTx`) on one managed
write transaction, and the Cypher pieces the store's modules share.

Every statement takes values as parameters; labels and relation types are formatted in only
after checking them against the vocabulary. Rows go in batched ``UNWIND $rows`` statements.
Nodes and relationships read by ``node_states`` / ``edge_states`` are written back by element
id: an index seek on an index that this transaction changed a lot costs time in proportion
to those changes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import neo4j
from neo4j.exceptions import Neo4jError, TransactionError

from graph import merge as mg
from graph.ids import fold
from graph.model import Batch, Judgement
from graph.store.base import StoreError
from graph.store.writer import (
    EdgeClaimValues,
    EdgeState,
    Held,
    NewEdge,
    NodeState,
    WriteTx,
    chunks,
    edge_values,
)
from graph.vocab import NODE_TYPES, RELATION_TYPES

BATCH = 5000  # rows per UNWIND statement
MADE_KEYS = 1_000_000  # new edge keys a transaction remembers rather than reading them back

NODE_FIELDS = ("type", "name", "aliases", "keys", "props", "first_seen", "last_seen", "search")
EDGE_FIELDS = ("props", "confidence", "weight", "start", "end")
NODE_CLAIM_FIELDS = ("id", "sid", "type", "name", "aliases", "keys", "props", "locator",
                     "first_seen", "last_seen")
# An edge's claims are parallel lists on its relationship, one item per claim: the claiming
# source's sid, the claim's locator, confidence and properties (JSON text).
CLAIM_LISTS = ("claim_sids", "claim_locators", "claim_confidences", "claim_props")
# A relationship whose one claim states its own confidence and properties (most of them)
# has no confidence and properties lists: every statement reads a list through claim_list.
OWN_VALUES = {"claim_confidences": "confidence", "claim_props": "props"}


def claim_list(name: str, var: str = "r") -> str:
    """Relationship ``var``'s claim list ``name`` (:data:`CLAIM_LISTS`), whole when the
    relationship keeps it implicit (:data:`OWN_VALUES`)."""
    if name not in OWN_VALUES:
        return f"{var}.{name}"
    return f"coalesce({var}.{name}, [{var}.{OWN_VALUES[name]}])"


class Values(list):
    """A list parameter whose ``repr`` is short. The driver formats every RUN message's
    parameters for its debug log before it knows whether the log is on (``repr`` of each
    row of a 5,000-row batch: about 0.4 s of client time on a 100k load); the packed bytes
    are a plain list's."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} values>"


def parameters(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with each list as :class:`Values` (what every statement sends)."""
    return {k: Values(v) if isinstance(v, list) else v for k, v in params.items()}


def chunked(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size`` (BATCH by default)."""
    return chunks(items, size)


def label(type_name: str) -> str:
    """A node type as a label: only vocabulary names ever reach a query."""
    if type_name not in NODE_TYPES:
        raise StoreError(f"unknown node type {type_name!r}")
    return type_name


def rel_label(type_name: str) -> str:
    """A relation type as a relationship type: only vocabulary names reach a query."""
    if type_name not in RELATION_TYPES:
        raise StoreError(f"unknown relation type {type_name!r}")
    return type_name


def seek(var: str, label_: str, prop: str) -> str:
    """A hint that ``var`` is found by an index *seek* per row. Every lookup of a row's
    value (``UNWIND $keys AS k MATCH (x:L {p: k})``) carries one: a plan made while an
    index's sample was still empty (just after a first load) may otherwise scan the whole
    index for each row, and such a cached plan made the second file of a 100k-relation load
    run for more than nine minutes (``USING INDEX`` alone still allows that scan)."""
    return f"USING INDEX SEEK {var}:{label_}({prop}) "


BY_NORM = seek("a", "Alias", "norm")
BY_ID = seek("e", "Entity", "id")
BY_CLAIM_ID = seek("c", "NodeClaim", "id")

# The node each form of graph.merge.REF_FORMS finds for a key ``k``.
FORM_MATCH = {
    "id": f"MATCH (e:Entity {{id: k}}) {BY_ID}",
    "redirect": f"MATCH (r:Redirect {{old_id: k}}) {seek('r', 'Redirect', 'old_id')}"
                f"MATCH (e:Entity {{id: r.new_id}}) {BY_ID}",
    "key": f"MATCH (e:Entity)-[:NAMED]->(a:Alias {{norm: k}}) {BY_NORM}WHERE a.kind = 'key' ",
    "name": f"MATCH (e:Entity)-[:NAMED]->(a:Alias {{norm: k}}) {BY_NORM}WHERE a.kind = 'name' ",
}
REF_QUERIES = {form: f"UNWIND $keys AS k {match}"
                     "RETURN k, e.id AS id, e.type AS type, elementId(e) AS eid"
               for form, match in FORM_MATCH.items()}


# Every reference form at once, for rows of each form's key (REF_FORMS order): the client
# takes, for each reference, the first form that finds exactly one node (what
# resolve_references does one form at a time).
RESOLVE = ("UNWIND $keys AS row CALL (row) { " + " UNION ".join(
    f"WITH row[{i}] AS k {FORM_MATCH[form]}RETURN {i} AS form, e"
    for i, (form, _) in enumerate(mg.REF_FORMS)) +
    " } RETURN row[0], form, e.id, e.type, elementId(e)")
# References resolved kept across the parts of a streamed write while no node, alias or
# redirect changes (as SQLite keeps them); at most this many.
RESOLVED_MAX = 300_000
End = tuple[str, str, str]  # a resolved reference: node id, type, element id


def first_unique(hits: Iterable[tuple[str, int, str, str, str]]) -> dict[str, End]:
    """Each reference's node from ``(ref, form, id, type, element id)`` hits: the node of the
    first form (in REF_FORMS order) that finds exactly one; a reference no form finds
    exactly once is left out."""
    by_form: dict[str, dict[int, dict[str, End]]] = {}
    for ref, form, node_id, type_, element in hits:
        by_form.setdefault(ref, {}).setdefault(form, {})[node_id] = (node_id, type_, element)
    out = {}
    for ref, forms in by_form.items():
        for form in sorted(forms):
            if len(forms[form]) == 1:
                [out[ref]] = forms[form].values()
                break
    return out


def literal(fields: Sequence[str], row: str = "row") -> str:
    """A map literal ``{a: row.a, ...}`` of fixed property names (explicit properties keep
    the planner from adding Eager steps, as ``SET n = row`` would)."""
    return "{" + ", ".join(f"{f}: {row}.{f}" for f in fields) + "}"


def positional(fields: Sequence[str], row: str = "row") -> str:
    """A map literal ``{a: row[0], ...}`` of fixed property names from a list row (lists
    encode and decode faster than maps: no key per row)."""
    return "{" + ", ".join(f"{f}: {row}[{i}]" for i, f in enumerate(fields)) + "}"


CREATE_NODE_CLAIMS = f"UNWIND $rows AS row CREATE (:NodeClaim {positional(NODE_CLAIM_FIELDS)})"


def assign(var: str, fields: Sequence[str], row: str = "row") -> str:
    """``var.a = row.a, ...`` for fixed property names."""
    return ", ".join(f"{var}.{f} = {row}.{f}" for f in fields)


def node_fields(node: mg.DerivedNode) -> dict[str, Any]:
    """An entity's stored properties (its derived state)."""
    return {"type": node.type, "name": node.name, "aliases": node.aliases,
            "keys": node.keys, "props": mg.to_json(node.properties),
            "first_seen": node.first_seen, "last_seen": node.last_seen,
            "search": fold(" | ".join([node.name, *node.aliases]))}


def alias_maps(node: mg.DerivedNode) -> list[dict[str, str]]:
    return [{"norm": norm, "kind": kind} for norm, kind in mg.alias_rows(node)]


def node_row(node_id: str, nid: int | None, node: mg.DerivedNode) -> dict[str, Any]:
    """A node as a statement row of :func:`create_nodes`."""
    return {"id": node_id, "nid": nid, **node_fields(node), "alias": alias_maps(node)}


def node_rows(rows: Iterable[tuple[str, int | None, mg.DerivedNode]]
              ) -> dict[str, Iterator[dict[str, Any]]]:
    """Nodes ``(id or element id, nid, node)`` as statement rows, by type label; each
    label's rows are made as they are iterated (as :meth:`Statements.each` sends them)."""
    by_type: dict[str, list[tuple[str, int | None, mg.DerivedNode]]] = {}
    for row in rows:
        by_type.setdefault(label(row[2].type), []).append(row)
    return {type_label: (node_row(*row) for row in typed) for type_label, typed in by_type.items()}


CREATE_ALIASES = ("WITH e, row UNWIND row.alias AS al "
                  "CREATE (e)-[:NAMED]->(:Alias {norm: al.norm, kind: al.kind})")


def create_nodes(type_label: str) -> str:
    """The statement creating nodes of one type from rows of :func:`node_rows`."""
    return (f"UNWIND $rows AS row CREATE (e:Entity:{label(type_label)} "
            f"{literal(('id', 'nid', *NODE_FIELDS))}) {CREATE_ALIASES}")


EDGE_ROW = ("src", "dst", "key", *EDGE_FIELDS, *CLAIM_LISTS)
ALL_RELATIONS = "|".join(rel_label(t) for t in sorted(RELATION_TYPES))  # not NAMED
CLAIMS = "[" + ", ".join(map(claim_list, CLAIM_LISTS)) + "]"  # relationship r's claim lists
ENDS_BY_ID = (f"MATCH (s:Entity {{id: row[0]}}) {seek('s', 'Entity', 'id')}"
              f"MATCH (d:Entity {{id: row[1]}}) {seek('d', 'Entity', 'id')}")
# A node found by its element id is one record read; a unique-index seek in a writing
# statement also takes an index lock per row.
ENDS_BY_ELEMENT = "MATCH (s) WHERE elementId(s) = row[0] MATCH (d) WHERE elementId(d) = row[1] "


def create_edges(rtype: str, ends: str = ENDS_BY_ID) -> str:
    """The statement creating edges of one type, with their claims, from list rows of
    :data:`EDGE_ROW` whose ends are entity ids (``ENDS_BY_ID``) or element ids
    (``ENDS_BY_ELEMENT``)."""
    props = "{" + ", ".join(f"{f}: row[{i}]" for i, f in enumerate(EDGE_ROW) if i > 1) + "}"
    return f"UNWIND $rows AS row {ends}CREATE (s)-[:{rel_label(rtype)} {props}]->(d)"


def match_edge(rtype: str, by_element: bool) -> str:
    """``r``, the relationship a row names by its element id (``row[0]``) or by its key."""
    if by_element:
        return "UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row[0] "
    return (f"UNWIND $rows AS row MATCH ()-[r:{rel_label(rtype)} {{key: row[0]}}]->() "
            f"{seek('r', rtype, 'key')}")


def keep_claims(condition: str) -> str:
    """Keep the claims of relationship ``r`` whose index ``i`` meets ``condition``."""
    kept = ("WITH r, [i IN range(0, size(r.claim_sids) - 1) WHERE " + condition + "] AS kept "
            "SET ")
    return kept + ", ".join(f"r.{f} = [i IN kept | {claim_list(f)}[i]]" for f in CLAIM_LISTS)


APPEND_CLAIMS = "SET " + ", ".join(f"r.{f} = {claim_list(f)} + row[{i}]"
                                   for i, f in enumerate(CLAIM_LISTS, 1))


def own_values(claims: Sequence[EdgeClaimValues], values: Sequence[Any]) -> bool:
    """Whether an edge's claims are one claim stating the edge's own confidence and
    properties (``values``: :func:`graph.store.writer.edge_values`), which its
    relationship then keeps implicit (:data:`OWN_VALUES`)."""
    return len(claims) == 1 and claims[0][1] == values[1] and claims[0][2] == values[0]


def claims_of(lists: Sequence[Any]) -> list[tuple[int, str, float, str]]:
    """A relationship's claim lists (:data:`CLAIMS`) as ``(sid, locator, confidence,
    props)`` claims in source load order."""
    return sorted(zip(*(items or [] for items in lists), strict=True))


def now() -> str:
    """The load time as SQLite's ``datetime('now')`` writes it (UTC)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


@contextmanager
def _first_failure() -> Iterator[None]:
    """Raise a pipelined statement's own error (the driver raises it as the cause of the
    next statement's TransactionError), so that its message and retryability stay."""
    try:
        yield
    except TransactionError as exc:
        if isinstance(exc.__cause__, Neo4jError):
            raise exc.__cause__ from None
        raise


# Ends every batched write: a statement that returns nothing runs before the server replies
# to its RUN, which the driver's ``run`` waits for; one that returns a count runs at PULL.
PIPELINED = " RETURN count(*)"


class Statements:
    """Statements inside one open transaction."""

    def __init__(self, tx: neo4j.ManagedTransaction, size: int = BATCH) -> None:
        self.tx, self.size = tx, size
        self.sent: neo4j.Result | None = None  # the last write sent (see each)

    def run(self, query: str, **params: Any) -> list[neo4j.Record]:
        """A statement's records (it waits for every write sent before it)."""
        with _first_failure():
            return list(self.tx.run(query, parameters(params)))

    def each(self, query: str, rows: Iterable[Any], **params: Any) -> None:
        """Run an ``UNWIND $rows`` write over ``rows`` in batches, as a pipeline: ``run``
        returns once the server has the batch (:data:`PIPELINED`), so while it executes
        batch k the client makes batch k+1 (``rows`` may be a lazy iterator) and the next
        ``run`` waits for it. A failed write fails the next statement, or :meth:`drain`,
        with its own error."""
        query += PIPELINED
        rows = iter(rows)
        while batch := list(islice(rows, self.size)):
            with _first_failure():
                self.sent = self.tx.run(query, parameters({"rows": batch, **params}))

    def drain(self) -> None:
        """Wait for the writes sent (before the commit, which would raise a failed one's
        error as its own)."""
        sent, self.sent = self.sent, None
        if sent is not None:
            with _first_failure():
                sent.consume()

    def lock(self) -> None:
        """Serialise writers: hold the write lock until this transaction ends."""
        self.run("MERGE (l:WriteLock {name: 'govgraph'}) SET l.at = timestamp()")


class Neo4jTx(Statements, WriteTx):
    """The write primitives inside one managed transaction (the write lock taken first)."""

    def __init__(self, tx: neo4j.ManagedTransaction, size: int = BATCH) -> None:
        super().__init__(tx, size)
        self.chunk = size
        self.sid: dict[str, int] = {}
        self.element: dict[str, str] = {}  # node id -> element id, of nodes read or found
        self.rel_element: dict[str, str] = {}  # edge key -> element id, of edges read
        self.types: dict[str, str] = {}  # node id -> type, of nodes looked up
        self.resolved: dict[str, End] = {}  # reference -> its node (see resolve)
        # New edges wait here for their claims (write_claims creates them with the claims,
        # rather than creating them bare and finding them again): edge key -> edge, and the
        # claims write_claims gave it. Anything reading relationships first creates them
        # (``flush``), their statement rows made batch by batch as they are sent.
        self.pending: dict[str, NewEdge] = {}
        self.claimed: dict[str, list[EdgeClaimValues]] = {}
        self.claimer: int | None = 0  # the sid of the source whose claims ``claimed`` holds
        self.created: set[str] = set()  # sources this transaction added: they claim nothing yet
        self.node_claiming: set[str] = set()  # sources whose node claims it wrote
        self.lock()
        # While every relation in the store is one this transaction made (it found none),
        # the keys of those: existing_edges answers from them without a read.
        self.made: set[str] | None = None if self._has_relations() else set()

    def _has_relations(self) -> bool:
        """Whether the store holds a relation (two counts the server keeps)."""
        [(n,)] = self.run("CALL () { MATCH ()-[r]->() RETURN count(r) AS edges } "
                          "CALL () { MATCH ()-[a:NAMED]->() RETURN count(a) AS named } "
                          "RETURN edges - named")
        return n > 0

    # -- sources and judgements
    def upsert_source(self, batch: Batch) -> None:
        [(sid, created)] = self.run(
            "OPTIONAL MATCH (o:Source) WITH coalesce(max(o.sid), 0) + 1 AS next "
            "MERGE (s:Source {source_id: $id}) ON CREATE SET s.sid = next "
            "SET s.uri = $uri, s.loader = $loader, s.retrieved_at = $at, s.loaded_at = $now, "
            "s.dataset = $dataset, s.observed = $observed "
            "RETURN s.sid, s.sid = next", id=batch.source_id, uri=batch.uri,
            loader=batch.loader, at=batch.retrieved_at, now=now(), dataset=batch.dataset,
            observed=batch.observed)
        self.sid[batch.source_id] = sid
        if created:
            self.created.add(batch.source_id)

    def _sid(self, source_id: str) -> int | None:
        if source_id not in self.sid:
            found = self.run("MATCH (s:Source {source_id: $id}) RETURN s.sid", id=source_id)
            if not found:
                return None
            self.sid[source_id] = found[0][0]
        return self.sid[source_id]

    def source_exists(self, source_id: str) -> bool:
        return self._sid(source_id) is not None

    def source_claims(self, source_id: str) -> Held:
        """(Edge claims have no index by source: every relationship is read.)"""
        if source_id in self.created:
            return Held()
        self.flush()
        sid = self._sid(source_id)
        nodes = {r[0]: tuple(r[1]) for r in self.run(
            "MATCH (c:NodeClaim {sid: $sid}) RETURN c.id, [c.type, c.name, c.aliases, "
            "c.keys, c.props, c.locator, c.first_seen, c.last_seen]", sid=sid)}
        edges = {}
        for key, rtype, lists in self.run(f"MATCH ()-[r:{ALL_RELATIONS}]->() WHERE $sid IN "
                                          f"r.claim_sids RETURN r.key, type(r), {CLAIMS}",
                                          sid=sid):
            for claim_sid, locator, confidence, props in claims_of(lists):
                if claim_sid == sid:
                    edges[(key, locator)] = (rtype, (locator, confidence, props))
        return Held(nodes, edges)

    def own_node_claims(self, source_id: str, ids: list[str]) -> dict[str, tuple]:
        if not ids or (source_id in self.created and source_id not in self.node_claiming):
            return {}  # no statement: it would wait for the pipelined writes before it
        return {r[0]: tuple(r[1]) for r in self.run(
            f"UNWIND $ids AS i MATCH (c:NodeClaim {{id: i}}) {BY_CLAIM_ID}WHERE c.sid = $sid "
            "RETURN c.id, [c.type, c.name, c.aliases, c.keys, c.props, c.locator, "
            "c.first_seen, c.last_seen]", ids=ids, sid=self._sid(source_id))}

    def forget(self) -> None:
        self.element.clear()
        self.rel_element.clear()
        self.types.clear()

    def set_source_counts(self, source_id: str, entities: int, relations: int) -> None:
        self.run("MATCH (s:Source {sid: $sid}) SET s.n_entities = $n, s.n_relations = $m",
                 sid=self._sid(source_id), n=entities, m=relations)

    def delete_source(self, source_id: str) -> None:
        self.flush()
        sid = self._sid(source_id)
        for name in ("NodeClaim", "Judgement"):
            self.run(f"MATCH (c:{name} {{sid: $sid}}) DELETE c", sid=sid)
        self.run(f"MATCH ()-[r:{ALL_RELATIONS}]->() WHERE $sid IN r.claim_sids "
                 + keep_claims("r.claim_sids[i] <> $sid"), sid=sid)
        self.run("MATCH (s:Source {sid: $sid}) DELETE s", sid=sid)

    def replace_judgements(self, source_id: str, judgements: list[Judgement]) -> None:
        sid = self._sid(source_id)
        self.run("MATCH (j:Judgement {sid: $sid}) DELETE j", sid=sid)
        self.each("UNWIND $rows AS row CREATE (j:Judgement) SET j = row",
                  [{"sid": sid, "seq": i, "a": j.a, "b": j.b, "same": bool(j.same),
                    "locator": j.locator} for i, j in enumerate(judgements)])

    def judgements(self) -> Iterable[tuple[str, str, bool]]:
        return (tuple(r) for r in self.run(
            "MATCH (j:Judgement) RETURN j.a, j.b, j.same ORDER BY j.sid DESC, j.seq DESC"))

    # -- lookups
    def has_nodes(self) -> bool:
        return bool(self.run("MATCH (e:Entity) RETURN 1 LIMIT 1"))

    def lookup(self, form: str, keys: list[str]) -> Iterator[tuple[str, str]]:
        for chunk in chunked(keys, self.size):
            for key, node_id, type_, element in self.run(REF_QUERIES[form], keys=list(chunk)):
                self.types[node_id] = type_
                self.element[node_id] = element
                yield key, node_id

    def name_candidates(self, norms: list[str]) -> dict[str, set[tuple[str, str]]]:
        out: dict[str, set[tuple[str, str]]] = {}
        for chunk in chunked(norms, self.size):
            for k, node_id, type_ in self.run(
                    "UNWIND $keys AS k CALL (k) { MATCH (e:Entity)-[:NAMED]->(a:Alias {norm: k}) "
                    f"{BY_NORM} WHERE a.kind = 'name' RETURN e UNION MATCH (e:Entity {{id: k}}) "
                    f"{BY_ID}RETURN e }} RETURN k, e.id, e.type", keys=list(chunk)):
                out.setdefault(k, set()).add((node_id, type_))
        return out

    def resolve(self, refs: Collection[str]) -> dict[str, str]:
        """Set-based: every form in one statement a batch (:data:`RESOLVE`); answers are kept
        (:data:`RESOLVED_MAX`) until a node, alias or redirect changes."""
        kept = self.resolved
        pending = [r for r in dict.fromkeys(refs) if r not in kept]
        found: dict[str, End] = {}
        for chunk in chunked(pending, self.size):
            found.update(first_unique(self.run(RESOLVE, keys=[
                [keyfn(ref) for _, keyfn in mg.REF_FORMS] for ref in chunk])))
        if len(kept) + len(found) > RESOLVED_MAX:
            kept.clear()
        kept.update(found)
        out = {}
        for ref in refs:
            if end := kept.get(ref):
                node_id, self.types[node_id], self.element[node_id] = end
                out[ref] = node_id
        return out

    def _nodes_changed(self, rows: Collection[Any]) -> None:
        """Nodes, their aliases or redirects are written (when ``rows``): what references
        resolve to may change."""
        if rows:
            self.resolved.clear()

    def node_types(self, ids: list[str]) -> dict[str, str]:
        out = {i: t for i in ids if (t := self.types.get(i))}
        for chunk in chunked([i for i in ids if i not in out], self.size):
            out.update((r[0], r[1]) for r in self.run(
                f"UNWIND $keys AS k MATCH (e:Entity {{id: k}}) {BY_ID}RETURN k, e.type",
                keys=list(chunk)))
        return out

    def existing_edges(self, edges: dict[str, str]) -> set[str]:
        if self.made is not None:  # no statement: it would wait for the writes before it
            return {k for k in edges if k in self.made or k in self.pending}
        self.flush()
        found: set[str] = set()
        for rtype, keys in sorted(_by_type(edges).items()):
            for chunk in chunked(keys, self.size):
                found.update(r[0] for r in self.run(
                    f"UNWIND $keys AS k MATCH ()-[r:{rtype} {{key: k}}]->() "
                    f"{seek('r', rtype, 'key')}RETURN k", keys=list(chunk)))
        return found

    # -- writes
    def create_nodes(self, rows: list[tuple[str, mg.DerivedNode]]) -> None:
        if not rows:
            return
        self._nodes_changed(rows)
        [(nid,)] = self.run("OPTIONAL MATCH (e:Entity) RETURN coalesce(max(e.nid), 0) + 1")
        numbered = [(node_id, nid + i, node) for i, (node_id, node) in enumerate(rows)]
        for type_label, typed in sorted(node_rows(numbered).items()):
            self.each(create_nodes(type_label), typed)

    def create_edges(self, rows: list[NewEdge]) -> None:
        """Kept until their claims come (:meth:`write_claims`)."""
        self.pending.update((row.key, row) for row in rows)

    def drain(self) -> None:
        """Create the edges still waiting for their claims, then wait for every write."""
        self.flush()
        super().drain()

    def flush(self) -> None:
        """Create the new edges still waiting for their claims: between the ends' element
        ids where lookups found both, else between their entity ids."""
        found = self.element
        by_type: dict[tuple[str, str], list[NewEdge]] = {}
        for row in self.pending.values():
            ends = ENDS_BY_ELEMENT if row.source in found and row.target in found else ENDS_BY_ID
            by_type.setdefault((row.type, ends), []).append(row)
        if self.made is not None:
            self.made.update(self.pending)
            if len(self.made) > MADE_KEYS:
                self.made = None
        claimed, self.pending, self.claimed = self.claimed, {}, {}
        for (rtype, ends), typed in sorted(by_type.items()):
            by_element = ends == ENDS_BY_ELEMENT
            self.each(create_edges(rtype, ends), (self._edge_row(row, claimed.get(row.key, []),
                                                                 by_element) for row in typed))

    def _edge_row(self, edge: NewEdge, claims: list[EdgeClaimValues],
                  by_element: bool) -> list[Any]:
        """A new edge with its claims as an :data:`EDGE_ROW` row (one claim of its own
        values: without the confidence and properties lists)."""
        found = self.element
        ends = [found[edge.source], found[edge.target]] if by_element else [edge.source,
                                                                            edge.target]
        sid = self.claimer
        if own_values(claims, edge.values):
            return [*ends, edge.key, *edge.values, [sid], [claims[0][0]], None, None]
        return [*ends, edge.key, *edge.values, [sid] * len(claims), [c[0] for c in claims],
                [c[1] for c in claims], [c[2] for c in claims]]

    def write_claims(self, source_id: str, removed: Held, added: Held) -> None:
        """Node claims are nodes; edge claims go into their relationship's claim lists (a
        new edge is created with them)."""
        sid = self._sid(source_id)
        self.each(f"UNWIND $rows AS i MATCH (c:NodeClaim {{id: i}}) {BY_CLAIM_ID}"
                  "WHERE c.sid = $sid DELETE c", list(removed.nodes), sid=sid)
        self._edges_each(lambda rtype, by_element: match_edge(rtype, by_element) + keep_claims(
            "NOT (r.claim_sids[i] = $sid AND r.claim_locators[i] IN row[1])"),
            _locators(removed), sid=sid)
        self.each(CREATE_NODE_CLAIMS, ([i, sid, *v] for i, v in added.nodes.items()))
        if added.nodes:
            self.node_claiming.add(source_id)
        appended: dict[str, list[Any]] = {}
        pending, claimed = self.pending, self.claimed
        for (key, _), (rtype, claim) in added.edges.items():
            if key in pending:
                claimed.setdefault(key, []).append(claim)
                continue
            lists = appended.setdefault(key, [rtype, *([] for _ in CLAIM_LISTS)])[1:]
            for items, value in zip(lists, (sid, *claim), strict=True):
                items.append(value)
        self.claimer = sid
        self.flush()
        self._edges_each(lambda rtype, by_element: match_edge(rtype, by_element)
                         + APPEND_CLAIMS, appended)

    def _edges_each(self, statement: Callable[[str, bool], str], rows: dict[str, list[Any]],
                    **params: Any) -> None:
        """Run ``statement(type, by element id)`` over rows ``key -> [type, values...]``:
        each row names its relationship by element id when a state read found it, else by
        its key."""
        by_type: dict[tuple[str, bool], list[list[Any]]] = {}
        for key, (rtype, *values) in rows.items():
            element = self.rel_element.get(key)
            by_type.setdefault((rtype, element is not None), []).append([element or key,
                                                                        *values])
        for (rtype, by_element), typed in sorted(by_type.items()):
            self.each(statement(rtype, by_element), typed, **params)

    def log_merges(self, source_id: str, merges: list[tuple[str, str, str]]) -> None:
        if not merges:
            return
        self._nodes_changed(merges)
        [(seq,)] = self.run("OPTIONAL MATCH (m:MergeLog) RETURN coalesce(max(m.seq), 0)")
        self.each("UNWIND $rows AS row MERGE (r:Redirect {old_id: row.merged}) "
                  "SET r.new_id = row.into, r.reason = row.reason "
                  "CREATE (m:MergeLog) SET m = row",
                  [{"seq": seq + i + 1, "merged": m, "into": into, "reason": why,
                    "source_id": source_id} for i, (m, into, why) in enumerate(merges)])

    def node_loaders(self, ids: list[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for node_id, loader in self.run(
                f"UNWIND $ids AS i MATCH (c:NodeClaim {{id: i}}) {BY_CLAIM_ID}"
                "MATCH (s:Source {sid: c.sid}) RETURN c.id, s.loader", ids=ids):
            out.setdefault(node_id, set()).add(loader)
        return out

    # -- absorbing one node into another
    def claims_touching(self, ids: list[str]) -> tuple[dict[str, Held], dict[str, tuple]]:
        self.flush()
        out: dict[str, Held] = {}
        for source_id, node_id, values in self.run(
                f"UNWIND $ids AS i MATCH (c:NodeClaim {{id: i}}) {BY_CLAIM_ID}"
                "MATCH (s:Source {sid: c.sid}) RETURN s.source_id, c.id, [c.type, c.name, "
                "c.aliases, c.keys, c.props, c.locator, c.first_seen, c.last_seen]", ids=ids):
            out.setdefault(source_id, Held()).nodes[node_id] = tuple(values)
        names: dict[int, str] = dict(self.run("MATCH (s:Source) RETURN s.sid, s.source_id"))
        ends = {}
        for key, src, rtype, dst, lists in self.run(
                f"UNWIND $ids AS i MATCH (e:Entity {{id: i}}) {BY_ID}MATCH (e)-[r]-(:Entity) "
                f"RETURN DISTINCT r.key, startNode(r).id, type(r), endNode(r).id, {CLAIMS}",
                ids=ids):
            ends[key] = (src, rtype, dst)
            for sid, locator, confidence, props in claims_of(lists):
                out.setdefault(names[sid], Held()).edges[(key, locator)] = (
                    rtype, (locator, confidence, props))
        return out, ends

    def save_absorbed(self, source_id: str, absorbed: str, kept: str, record: str) -> None:
        self.run("OPTIONAL MATCH (a:Absorbed) WITH coalesce(max(a.seq), 0) + 1 AS seq "
                 "CREATE (:Absorbed {seq: seq, sid: $sid, absorbed: $absorbed, kept: $kept, "
                 "record: $record})", sid=self._sid(source_id), absorbed=absorbed, kept=kept,
                 record=record)

    def take_absorbed(self, source_id: str) -> list[tuple[str, str, str]]:
        taken = [tuple(r) for r in self.run(
            "MATCH (a:Absorbed {sid: $sid}) RETURN a.absorbed, a.kept, a.record "
            "ORDER BY a.seq", sid=self._sid(source_id))]
        self._nodes_changed([source_id])  # the redirects of what it absorbed go
        self.run("MATCH (a:Absorbed {sid: $sid}) DELETE a", sid=self._sid(source_id))
        self.each("UNWIND $rows AS row MATCH (r:Redirect {old_id: row[0]}) "
                  "WHERE r.new_id = row[1] DELETE r", [[a, k] for a, k, _ in taken])
        return taken

    # -- collection
    def edge_states(self, edges: dict[str, str], exclude: str | None) -> list[EdgeState]:
        """(Two plain index lookups, no label checks on the ends: once the transaction has
        written anything, a COLLECT subquery per row, or a label check on a dense node, is
        slow.)"""
        self.flush()
        skip = self._sid(exclude) if exclude else -1
        out = []
        for rtype, keys in sorted(_by_type(edges).items()):
            for key, element, src, dst, before, lists in self.run(
                    f"UNWIND $keys AS k MATCH (s)-[r:{rtype} {{key: k}}]->(d) "
                    f"{seek('r', rtype, 'key')}RETURN k, elementId(r), s.id, d.id, "
                    f"[r.props, r.confidence, r.weight, r.start, r.end], {CLAIMS}", keys=keys):
                self.rel_element[key] = element
                out.append(EdgeState(key, rtype, src, dst, tuple(before),
                                     [(confidence, mg.from_json(props)) for sid, _, confidence,
                                      props in claims_of(lists) if sid != skip]))
        return out

    def node_states(self, ids: Sequence[str], exclude: str | None) -> list[NodeState]:
        self.flush()  # the degree counts the new edges
        skip = self._sid(exclude) if exclude else -1
        rows = self.run(
            f"UNWIND $keys AS i MATCH (e:Entity {{id: i}}) {BY_ID}RETURN i, elementId(e), "
            "[e.type, e.name, e.aliases, e.keys, e.props, e.first_seen, e.last_seen], "
            "COUNT { (e)-->() } + COUNT { (e)<--() } - COUNT { (e)-[:NAMED]->() }",
            keys=list(ids))
        claims = self._grouped(
            f"UNWIND $keys AS k MATCH (c:NodeClaim {{id: k}}) {BY_CLAIM_ID}WHERE c.sid <> $skip "
            "RETURN k, [c.sid, c.type, c.name, c.aliases, c.keys, c.props, c.first_seen, "
            "c.last_seen]", list(ids), skip)
        out = []
        for node_id, element, before, degree in rows:
            self.element[node_id] = element
            before[2:4] = [mg.to_json(before[2] or []), mg.to_json(before[3] or [])]
            found = [mg.NodeClaim(t, n, mg.from_json(a), mg.from_json(k), mg.from_json(p), f, last)
                     for _, t, n, a, k, p, f, last in sorted(claims.get(node_id, []),
                                                             key=lambda c: c[0])]
            out.append(NodeState(node_id, before[0], tuple(before), found, degree))
        return out

    def _grouped(self, query: str, keys: list[str], skip: int | None) -> dict[str, list]:
        out: dict[str, list] = {}
        for key, values in self.run(query, keys=keys, skip=skip):
            out.setdefault(key, []).append(values)
        return out

    def update_edges(self, rows: list[tuple[str, str, mg.DerivedEdge]]) -> None:
        self.each("UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.eid "
                  f"SET {assign('r', EDGE_FIELDS)}",
                  [{"eid": self.rel_element[key],
                    **dict(zip(EDGE_FIELDS, edge_values(edge), strict=True))}
                   for key, _, edge in rows])

    def delete_edges(self, edges: dict[str, str]) -> None:
        if edges:
            self.made = None  # existing_edges reads again
        self.each("UNWIND $rows AS x MATCH ()-[r]->() WHERE elementId(r) = x DELETE r",
                  [self.rel_element[key] for key in edges])

    def update_nodes(self, rows: list[tuple[str, str, mg.DerivedNode]]) -> None:
        self._nodes_changed(rows)
        elements = [(self.element[i], None, node) for i, _, node in rows]
        for _, typed in sorted(node_rows(elements).items()):
            self.each("UNWIND $rows AS row MATCH (e:Entity) WHERE elementId(e) = row.id "
                      f"SET {assign('e', NODE_FIELDS)} WITH e, row "
                      "CALL (e) { MATCH (e)-[:NAMED]->(a:Alias) DETACH DELETE a } "
                      + CREATE_ALIASES, typed)
        for old, new in {(t, n.type) for _, t, n in rows if t != n.type}:
            self.each(f"UNWIND $rows AS x MATCH (e:Entity) WHERE elementId(e) = x "
                      f"REMOVE e:{label(old)} SET e:{label(new)}",
                      [self.element[i] for i, t, n in rows if (t, n.type) == (old, new)])

    def delete_nodes(self, ids: list[str]) -> None:
        self._nodes_changed(ids)
        if ids:
            self.made = None  # (with their edges, if any)
        self.each("UNWIND $rows AS x MATCH (e:Entity) WHERE elementId(e) = x "
                  "CALL (e) { MATCH (e)-[:NAMED]->(a:Alias) DETACH DELETE a } DETACH DELETE e",
                  [self.element[i] for i in ids])


def _locators(removed: Held) -> dict[str, list[Any]]:
    """Edge key -> [relation type, [locators of the removed claims]]."""
    out: dict[str, list[Any]] = {}
    for (key, locator), (rtype, _) in removed.edges.items():
        out.setdefault(key, [rtype, []])[1].append(locator)
    return out


def _by_type(edges: dict[str, str]) -> dict[str, list[str]]:
    """Edge keys by relation type (checked against the vocabulary)."""
    out: dict[str, list[str]] = {}
    for key, rtype in edges.items():
        out.setdefault(rel_label(rtype), []).append(key)
    return out

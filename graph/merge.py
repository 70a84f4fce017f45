"""How claims become nodes and edges, and when two names are one node. Pure functions,
shared by every store.

Node derivation (claims in load order): the most specific type of the family; the first
claim's name, except that a placeholder name gives way to a real one (:func:`placeholder`:
an RIR holder known only by its opaque id, ``afrinic:F3682104``, is named by the first
claim that gives a real name, whichever source was loaded first); the union of names and
aliases; properties merged with later sources overriding earlier ones; the earliest
``first_seen`` and latest ``last_seen``.

Edge derivation: confidence is the noisy-OR of the claims' confidences; properties merge as
for nodes; ``weight``, ``start`` and ``end`` are read from the merged properties.

Name merging: an entity whose id is new, of a family that merges by name, is merged into an
existing node of the same family when one of its names equals (after
:func:`graph.ids.fold`) a name or alias of exactly one such node. The family's rules
(:data:`graph.vocab.FAMILIES`) say which families merge and how many words a name needs (a
person two: a family name alone never merges).

Registry bridges: an entity may carry ``properties["same_as"]``, a list of
``{"ref": name or node id, "reason": why}`` that a registry record states (an as2org
organisation holding an ASN whose opaque id is a delegated holder's; a whois organisation
holding a delegated block). These are tried before names, one by one: the first that names
exactly one existing node of the family merges the entity into it, and the merge log keeps
the stated reason. The list stays on the node as the record of what was joined.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from graph.ids import fold, normalise_name, slug
from graph.model import Entity, Relation, edge_key, noisy_or
from graph.store.base import BadReference
from graph.vocab import family, more_specific, node_type


@dataclass(slots=True)
class NodeClaim:
    type: str
    name: str
    aliases: list[str]
    keys: list[str]
    properties: dict[str, Any]
    first_seen: str | None = None
    last_seen: str | None = None


@dataclass(slots=True)
class DerivedNode:
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    first_seen: str | None = None
    last_seen: str | None = None


@dataclass(slots=True)
class DerivedEdge:
    properties: dict[str, Any]
    confidence: float
    weight: float | None
    start: str | None
    end: str | None


# The standard library's encoder (made once) for what orjson refuses: ints beyond 64 bits
# and non-text dict keys. Same compact form as orjson.
_encode = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":")).encode
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def to_json(value: Any) -> str:
    """The compact JSON text of a stored value: non-ASCII kept, other types as their text
    (``str``)."""
    if not value and type(value) in (list, dict):
        return "[]" if type(value) is list else "{}"
    try:
        return orjson.dumps(value, default=str, option=_ORJSON_OPTIONS).decode()
    except TypeError:
        return _encode(value)


# A run of 19 digits may be an integer beyond 64 bits, which orjson reads as a float.
_LONG_DIGITS = re.compile(r"\d{19}")


def from_json(text: str) -> Any:
    """A stored JSON value read back: orjson (several times faster than the standard
    library on the many small objects a request reads), the standard library when the
    text may hold an integer beyond 64 bits (kept exact)."""
    if text == "{}":
        return {}
    if text == "[]":
        return []
    return json.loads(text) if _LONG_DIGITS.search(text) else orjson.loads(text)


def key_norm(key: str) -> str:
    """Keys (source row ids, FtM ids, opaque ids) compare exactly, ignoring case and
    surrounding space."""
    return key.strip().lower()


def claim_of(ent: Entity) -> NodeClaim:
    return NodeClaim(ent.type, ent.name, list(ent.aliases), list(ent.keys),
                     dict(ent.properties), ent.first_seen, ent.last_seen)


def claim_values(ent: Entity) -> tuple:
    """The claim columns (type, name, aliases, keys, props, locator, first, last)."""
    return (ent.type, ent.name, to_json(ent.aliases), to_json(ent.keys),
            to_json(ent.properties), ent.locator or "",
            ent.first_seen, ent.last_seen)


def placeholder(claim: NodeClaim) -> bool:
    """Whether a claim names its node only by an identifier: an RIR holder's
    ``<registry>:<opaque_id>`` (its own ``registry`` and ``opaque_id`` properties, as
    loaders/delegated.py states a holder) or a whois organisation handle it does not define
    (its name is its ``org_handle`` property, loaders/rpsl.py)."""
    props = claim.properties
    registry, opaque = props.get("registry"), props.get("opaque_id")
    if registry and opaque and claim.name.lower() == f"{registry}:{opaque}".lower():
        return True
    return bool(props.get("org_handle")) and claim.name == props["org_handle"]


def derive_node(claims: list[NodeClaim], first: NodeClaim | None = None) -> DerivedNode:
    """The node its claims (in source load order) make: named and typed first by ``first``
    (by default the first claim that is not a placeholder, else the first claim), then each
    claim folded in turn."""
    if first is None:  # one claim (most nodes) is its own first, placeholder or not
        first = claims[0] if len(claims) == 1 else next(
            (c for c in claims if not placeholder(c)), claims[0])
    node = DerivedNode(type=first.type, name=first.name)
    names: dict[str, str] = {fold(first.name): first.name}
    keys: dict[str, str] = {}
    for claim in claims:
        node.type = more_specific(node.type, claim.type)
        for name in (claim.name, *claim.aliases):
            names.setdefault(fold(name), name)
        for key in claim.keys:
            keys.setdefault(key_norm(key), key)
        node.properties.update(claim.properties)
        node.first_seen = _pick(min, node.first_seen, claim.first_seen)
        node.last_seen = _pick(max, node.last_seen, claim.last_seen)
    own = fold(node.name)
    node.aliases = [n for k, n in names.items() if k != own]
    node.keys = list(keys.values())
    return node


def _pick(fn: Callable[..., Any], a: str | None, b: str | None) -> str | None:
    """``fn`` of the dates given (empty counts as not given), None when neither is."""
    return fn(a, b) if a and b else (a or b or None)


def alias_rows(node: DerivedNode) -> list[tuple[str, str]]:
    """``(norm, kind)`` rows for the alias index: every name (folded, and for organisations
    also without legal suffix) and every key."""
    node_family = node_type(node.type).family
    rows = set()
    for name in (node.name, *node.aliases):
        rows.add((fold(name), "name"))
        rows.add((normalise_name(name, node_family), "name"))
    rows.update((key_norm(k), "key") for k in node.keys)
    return sorted(r for r in rows if r[0])


def combine_entities(entities: list[Entity]) -> list[Entity]:
    """One entity per id within a batch: later mentions add aliases, keys and properties; a
    real name replaces a placeholder (:func:`placeholder`: a whois handle standing for an
    organisation defined in another part of a streamed dump)."""
    repeated = {i for i, n in Counter(e.id for e in entities).items() if n > 1}
    out: dict[str, Entity] = {}
    for ent in entities:
        if ent.id not in repeated:  # said once: nothing to combine, no copy needed
            out[ent.id] = ent
            continue
        seen = out.get(ent.id)
        if seen is None:
            out[ent.id] = Entity(type=ent.type, name=ent.name, id=ent.id,
                                 aliases=list(ent.aliases), keys=list(ent.keys),
                                 properties=dict(ent.properties), locator=ent.locator,
                                 first_seen=ent.first_seen, last_seen=ent.last_seen)
            continue
        names = [ent.name, *ent.aliases]
        if placeholder(claim_of(seen)) != placeholder(claim_of(ent)):
            if placeholder(claim_of(seen)):  # a real name replaces an id standing for it
                seen.name, names = ent.name, [seen.name, *names[1:]]
            names = [n for n in names if n not in seen.keys and n not in ent.keys]
        seen.type = more_specific(seen.type, ent.type)
        seen.aliases.extend(a for a in names if a not in seen.aliases and a != seen.name)
        seen.keys.extend(k for k in ent.keys if k not in seen.keys)
        seen.properties.update(ent.properties)
        seen.first_seen = _pick(min, seen.first_seen, ent.first_seen)
        seen.last_seen = _pick(max, seen.last_seen, ent.last_seen)
    return list(out.values())


def mergeable_name(name: str, family_name: str) -> bool:
    """Whether a name of this family may merge nodes: the family merges by name, and the
    name has at least 2 characters and the family's minimum of words."""
    rules, key = family(family_name), fold(name)
    return rules.merges_by_name and len(key) >= 2 and len(key.split()) >= rules.min_name_words


Candidates = Callable[[list[str]], dict[str, set[tuple[str, str]]]]


class Judgements:
    """People's same / not-same verdicts on pairs of names or ids, consulted before a name
    merge. A side matches an entity when it folds to one of the entity's names or to its id;
    it matches an existing node when it folds to the node's id, to the id that name would
    have in the entity's family, or to the name the candidate was found by. A not-same
    verdict blocks the merge; a same verdict merges the entity into the one node the other
    side names, even when no name is shared. Verdicts apply to merges made after they are
    loaded (ids that are already equal are one node whatever a verdict says)."""

    def __init__(self, rows: Iterable[tuple[str, str, bool]] = ()) -> None:
        self.rows = [(fold(a), fold(b), bool(same)) for a, b, same in rows]

    def __bool__(self) -> bool:
        return bool(self.rows)

    @staticmethod
    def _keys(ent: Entity) -> set[str]:
        return {fold(ent.id), *(fold(n) for n in (ent.name, *ent.aliases))}

    def _others(self, ent: Entity, same: bool) -> list[str]:
        keys = self._keys(ent)
        return [b if a in keys else a for a, b, s in self.rows
                if s == same and (a in keys or b in keys)]

    def forced(self, ent: Entity) -> list[str]:
        """The lookup keys (folded names and ids) of what ``ent`` was judged the same as."""
        out = []
        for other in self._others(ent, True):
            out += [other, f"{ent.family}:{slug(normalise_name(other, ent.family))}"]
        return out

    def blocks(self, ent: Entity, node_id: str, via: str) -> bool:
        """True when a not-same verdict separates ``ent`` from node ``node_id`` (found by the
        folded name ``via``)."""
        for other in self._others(ent, False):
            if other in {fold(node_id), via} or \
                    f"{ent.family}:{slug(normalise_name(other, ent.family))}" == node_id:
                return True
        return False


Vet = Callable[[list[tuple[Entity, str]]], set[str]]


def find_merges(entities: list[Entity], candidates: Candidates,
                judgements: Judgements | None = None,
                vet: Vet | None = None) -> dict[str, tuple[str, str]]:
    """For entities with new ids, the existing node (its id) each should merge into, and why.

    ``candidates(norms)`` returns, per folded name (or node id), the ``(id, type)`` of
    nodes that carry that name (or id). ``judgements`` override the name rule: a same verdict
    that names exactly one node wins; a not-same verdict removes a candidate. At most one
    entity merges into a node (a source has one claim per node): a later one that would is
    left a node of its own. ``vet``, given the ``(entity, node id)`` merges found by a bare
    name, returns the ids of the entities that may merge so (the others stay apart:
    :func:`graph.vocab.merges_by_bare_name`)."""
    judgements = judgements or Judgements()
    bridged = {ent.id: same_as(ent) for ent in entities}
    wanted = {ent.id: [n for n in (ent.name, *ent.aliases) if mergeable_name(n, ent.family)]
              for ent in entities if family(ent.family).merges_by_name}
    forced = {ent.id: judgements.forced(ent) for ent in entities} if judgements else {}
    norms = sorted({fold(n) for names in wanted.values() for n in names}
                   | {k for keys in forced.values() for k in keys}
                   | {fold(ref) for pairs in bridged.values() for ref, _ in pairs}
                   | {ref for pairs in bridged.values() for ref, _ in pairs})
    found = candidates(norms) if norms else {}
    proposed: list[tuple[Entity, tuple[str, str], bool]] = []  # entity, merge, by name only
    for ent in entities:
        merge, by_name = _bridge(ent, bridged[ent.id], found, judgements), False
        if merge is None:
            hits = _hits(ent, forced.get(ent.id, []), found, judgements, "judged the same as")
            if len(hits) != 1:
                hits, by_name = _hits(ent, wanted.get(ent.id, []), found, judgements,
                                      "is a name of"), True
            merge = next(iter(hits.items())) if len(hits) == 1 else None
        if merge is not None:
            proposed.append((ent, merge, by_name))
    named = [(ent, merge[0]) for ent, merge, by_name in proposed if by_name]
    allowed = vet(named) if vet and named else {ent.id for ent, _ in named}
    out: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()  # a node takes one claim per source: one entity of a batch
    for ent, merge, by_name in proposed:
        if merge[0] not in taken and (not by_name or ent.id in allowed):
            taken.add(merge[0])
            out[ent.id] = merge
    return out


def same_as(ent: Entity) -> list[tuple[str, str]]:
    """The ``(ref, reason)`` bridges an entity states (see the module docstring)."""
    pairs = ent.properties.get("same_as")
    if not isinstance(pairs, list):
        return []
    return [(p["ref"], str(p.get("reason") or f"same as {p['ref']}")) for p in pairs
            if isinstance(p, dict) and isinstance(p.get("ref"), str) and p["ref"].strip()]


def _bridge(ent: Entity, pairs: list[tuple[str, str]],
            found: dict[str, set[tuple[str, str]]],
            judgements: Judgements) -> tuple[str, str] | None:
    """The first bridge that names exactly one node of the entity's family: (id, reason)."""
    for node_id, reason in bridged_nodes(ent, pairs, found, judgements):
        return node_id, f"{reason} (into {node_id})"
    return None


def bridged_nodes(ent: Entity, pairs: list[tuple[str, str]],
                  found: dict[str, set[tuple[str, str]]],
                  judgements: Judgements) -> list[tuple[str, str]]:
    """``(node id, reason)`` of each bridge that names exactly one node of the entity's
    family, in the bridges' order (``found``: what :data:`Candidates` gives for the refs)."""
    out = []
    for ref, reason in pairs:
        nodes = {node_id for key in (ref, fold(ref)) for node_id, type_
                 in found.get(key, ()) if node_type(type_).family == ent.family
                 and not judgements.blocks(ent, node_id, fold(ref))}
        if len(nodes) == 1:
            out.append((next(iter(nodes)), reason))
    return out


def _hits(ent: Entity, names: list[str], found: dict[str, set[tuple[str, str]]],
          judgements: Judgements, why: str) -> dict[str, str]:
    hits: dict[str, str] = {}
    for name in names:
        for node_id, type_ in found.get(fold(name), ()):
            if node_type(type_).family == ent.family and \
                    not judgements.blocks(ent, node_id, fold(name)):
                hits.setdefault(node_id, f"name {name!r} {why} {node_id}")
    return hits


# How a reference is tried, in order: as an id, a merged (redirected) id, a key, a name.
REF_FORMS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("id", str), ("redirect", str), ("key", key_norm), ("name", fold))

Lookup = Callable[[str, list[str]], Iterable[tuple[str, Any]]]


def resolve_references(refs: Iterable[str], lookup: Lookup) -> dict[str, Any]:
    """Map references to node handles, trying each form of REF_FORMS in turn for the
    references still unresolved. ``lookup(form, keys)`` yields ``(key, handle)`` pairs from
    the store; a key matching several nodes resolves nothing (it is ambiguous)."""
    pending = list(dict.fromkeys(refs))
    found: dict[str, Any] = {}
    for form, keyfn in REF_FORMS:
        if not pending:
            break
        by_key = None if keyfn is str else _by_key(pending, keyfn)  # str: a ref is its key
        hits: dict[str, Any] = {}
        ambiguous: set[str] = set()
        for key, handle in lookup(form, pending if by_key is None else list(by_key)):
            if hits.setdefault(key, handle) != handle:
                ambiguous.add(key)
        for key in ambiguous:
            del hits[key]
        if by_key is None:
            found.update(hits)
        else:
            for key, handle in hits.items():
                for ref in by_key[key]:
                    found[ref] = handle
        if hits:
            pending = [r for r in pending if r not in found]
    return found


def _by_key(refs: list[str], keyfn: Callable[[str], str]) -> dict[str, list[str]]:
    """The references by their key in one form."""
    by_key: dict[str, list[str]] = {}
    for ref, key in zip(refs, map(keyfn, refs), strict=True):
        if key in by_key:
            by_key[key].append(ref)
        else:
            by_key[key] = [ref]
    return by_key


def relation_endpoints(batch_relations: list[Relation], refs: dict[str, str],
                       resolve: Callable[[set[str]], dict[str, str]],
                       source_id: str) -> list[tuple[str, str]]:
    """Each relation's (source, target) node ids: from ``refs`` (what the batch itself
    defined), else from ``resolve`` (the store's lookup, called once for all the rest, whose
    answers are added to ``refs``). Raises BadReference naming the relation's locator when a
    reference matches no entity or several."""
    missing = {ref for rel in batch_relations for ref in (rel.source, rel.target)
               if ref not in refs}
    if missing:
        refs.update(resolve(missing))
    try:
        return [(refs[rel.source], refs[rel.target]) for rel in batch_relations]
    except KeyError:
        pass
    for rel in batch_relations:  # the first relation naming what resolved to nothing
        for ref in (rel.source, rel.target):
            if ref not in refs:
                where = f" ({rel.locator})" if rel.locator else ""
                raise BadReference(f"{source_id}{where}: {rel.type} refers to "
                                   f"unknown or ambiguous entity {ref!r}", source_id,
                                   rel.locator)
    raise AssertionError("unreachable: a reference was missing")


def group_relations(relations: list[Relation], ends: list[tuple[str, str]]
                    ) -> dict[str, tuple[str, str, str, list[Relation]]]:
    """Relations grouped into facts (edge key -> endpoint ids, type, the claims stating
    it). Two statements of one fact at one place in a source are one claim: the most
    confident, with both statements' properties."""
    grouped: dict[str, tuple[str, str, str, list[Relation]]] = {}
    for rel, (src, dst) in zip(relations, ends, strict=False):
        key = edge_key(src, rel.type, dst, rel.discriminator())
        group = grouped.get(key)
        if group is None:
            grouped[key] = (src, dst, rel.type, [rel])
            continue
        claims = group[3]
        same_place = next((c for c in claims if (c.locator or "") == (rel.locator or "")), None)
        if same_place is None:
            claims.append(rel)
        else:  # one claim per place in a source: keep the most confident statement
            same_place.confidence = max(same_place.confidence, rel.confidence)
            same_place.properties.update(rel.properties)
    return grouped


def derive_edge(claims: list[tuple[float, dict[str, Any]]]) -> DerivedEdge:
    if len(claims) == 1:  # most edges: one claim, its properties as they are
        confidence, props = claims[0][0], dict(claims[0][1])
    else:
        confidence, props = noisy_or([c for c, _ in claims]), {}
        for _, p in claims:
            props.update(p)
    return DerivedEdge(props, *edge_columns(confidence, props))


def edge_columns(confidence: float, props: dict[str, Any]
                 ) -> tuple[float, float | None, str | None, str | None]:
    """A derived edge's confidence, weight, start and end, from its combined confidence and
    properties."""
    weight = props.get("weight")
    return (round(confidence, 9), float(weight) if isinstance(weight, (int, float)) else None,
            _text(props.get("start")), _text(props.get("end")))


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)

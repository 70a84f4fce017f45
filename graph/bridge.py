"""Naming RIR holders through whois: a delegated record's block that a whois ``inetnum`` or
``inet6num`` gives an ``org:`` ties the delegated holder (``afrinic:F36B9F4B``) to that
organisation, so holders without any AS get names too.

Neither loader knows the other's data, so the tie is made when a batch is written, from
what the store already holds: :func:`link_holders` adds a ``same_as`` bridge
(graph/merge.py) to the batch's entities:

- a whois batch (or part of a streamed dump): each delegated block (a prefix the store has
  ``HELD_BY`` a holder with ``registry`` and ``opaque_id`` properties) that the batch's
  ranges with an ``org:`` reach is given to the organisation of the most specific of them
  (:func:`graph.ranges.most_specific`: the range equal to the block, else the smallest
  covering it, else the one organisation whose ranges fill it), which is bridged to the
  holder's node; an organisation holding an AS a holder holds is bridged to it too;
- a delegated batch: each holder whose block the store's whois ranges give an organisation
  the same way, or whose AS the store has ``HELD_BY`` a whois organisation, is bridged to
  it; so is each holder whose AS is held by an organisation that states it is that holder
  (an as2org opaque-id bridge), with the as2org reason.

So the two become one node whichever is loaded first, the merge log says which block tied
them, and unloading either leaves the other's claims as they were. The ranges are searched
through an interval index (graph/ranges.py), built once per source from the store. A
streamed whois dump decides each block with the ranges of the first part that reaches it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from itertools import chain
from typing import Any

from graph.ids import normalise_name
from graph.model import Batch, Entity, EntityRecord
from graph.ranges import RangeIndex, Span, block_range, most_specific
from graph.store.base import EdgeFilter, GraphStore
from graph.vocab import ORGANISATION_TYPES, name_evidence

WHOIS_LOADER = "rpsl-whois"
DELEGATED_LOADER = "rir-delegated"
AS2ORG_LOADER = "caida-as2org"
PEERINGDB_LOADER = "peeringdb"
_HELD_BY = EdgeFilter(rel_types=frozenset({"HELD_BY"}))
_OPERATES = EdgeFilter(rel_types=frozenset({"OPERATES"}))
_TIES = EdgeFilter(rel_types=frozenset({"HELD_BY", "OPERATES"}))


def link_holders(batch: Batch, store: GraphStore, cache: dict[str, Any] | None = None) -> int:
    """Add same_as bridges to ``batch`` from the store's holdings; the number added.
    ``cache``: one dict per source written in parts (what the store holds is read once)."""
    cache = {} if cache is None else cache
    if batch.loader == WHOIS_LOADER:
        return _link_whois(batch, store, cache) + _link_ranges(batch, store, cache)
    if batch.loader == DELEGATED_LOADER:
        return _link_delegated(batch, store, cache)
    if batch.loader == PEERINGDB_LOADER:
        return _link_by_asn(batch, store, "OPERATES", _HELD_BY, "out", "PeeringDB")
    if batch.loader == AS2ORG_LOADER:
        return _link_by_asn(batch, store, "HELD_BY", _OPERATES, "in", "as2org")
    if name_evidence(batch.loader) is not None:
        return _link_by_resources(batch, store)
    return 0


_AS_NUMBER = re.compile(r"(?i)^\s*(?:asn:|as)\s*(\d+)\s*$")


def resource_id(ref: str) -> str | None:
    """The node id of the AS or prefix a reference names (``AS64496``, ``asn:64496``,
    ``192.0.2.0/24``, ``prefix:192.0.2.0/24``), else None."""
    if match := _AS_NUMBER.match(ref):
        return f"asn:{int(match.group(1))}"
    text = ref.strip().removeprefix("prefix:")
    if "/" not in text:
        return None
    try:
        return f"prefix:{ipaddress.ip_network(text, strict=False)}"
    except ValueError:
        return None


def _link_by_resources(batch: Batch, store: GraphStore) -> int:
    """A source whose names are text evidence (a page, a researcher's table) that ties an
    organisation to an AS or a prefix, which registry records give an organisation of the
    same name: the two are one (the resource is the tie a bare name lacks)."""
    orgs = {ref: e for e in batch.entities if e.type in ORGANISATION_TYPES
            for ref in (e.id, e.name, *e.keys)}
    if not orgs:  # (an edge list's parts: nothing to tie)
        return 0
    named: dict[str, set[str]] = {}  # entity id -> resource ids it is related to
    for rel in batch.relations:
        for mine, other in ((rel.source, rel.target), (rel.target, rel.source)):
            if mine in orgs and (resource := resource_id(other)):
                named.setdefault(orgs[mine].id, set()).add(resource)
    if not named:
        return 0
    resources = set().union(*named.values())
    holders: dict[str, set[str]] = {}
    for edge in store.edges(sorted(resources), "both", _TIES, claims=False):
        resource, org = (edge.source, edge.target) if edge.source in resources else \
            (edge.target, edge.source)
        holders.setdefault(resource, set()).add(org)
    records = {r.id: r for r in store.entities(set().union(set(), *holders.values()))}
    entities = {e.id: e for e in orgs.values()}
    added = 0
    for entity_id, held in named.items():
        ent = entities[entity_id]
        keys = {normalise_name(n, "org") for n in (ent.name, *ent.aliases)}
        for resource in sorted(held):
            for node in (records[i] for i in sorted(holders.get(resource, ())) if i in records):
                if keys & {normalise_name(n, "org") for n in (node.name, *node.aliases)}:
                    added += _bridge(ent, node.id, f"{ent.name} is named with "
                                     f"{resource.split(':', 1)[1]}, which {node.name} "
                                     f"({node.id}) holds")
    return added


def _held(batch: Batch, holders: dict[str, Entity]) -> dict[str, str]:
    """Resource (prefix or ASN) id -> holder id, for the batch's resources held by one of
    ``holders``."""
    return {rel.source: rel.target for rel in batch.relations
            if rel.type == "HELD_BY" and rel.source.startswith(("prefix:", "asn:"))
            and rel.target in holders}


def _bridge(entity: Entity, ref: str, reason: str) -> bool:
    """Put a bridge first in the entity's list (what the store holds says more than the
    entity's own guess), unless it is there already."""
    bridges = entity.properties.setdefault("same_as", [])
    if any(b.get("ref") == ref for b in bridges):
        return False
    bridges.insert(0, {"ref": ref, "reason": reason})
    return True


def _held_spans(store: GraphStore, loader: str) -> Iterator[tuple[Span, str, str]]:
    """The prefixes the store has ``HELD_BY`` a node by a claim of ``loader``: their address
    span, id and holder id."""
    for edge in store.iter_edges(_HELD_BY, claims=True):
        if edge.source.startswith("prefix:") and any(c.loader == loader for c in edge.sources):
            span = block_range(edge.source)
            if span is not None:
                yield span, edge.source, edge.target


def _link_ranges(batch: Batch, store: GraphStore, cache: dict[str, Any]) -> int:
    """A whois batch (or part): each delegated block that its ranges with an ``org:``
    cover, or fill, is tied to the organisation of the most specific one
    (:func:`graph.ranges.most_specific`): that organisation is bridged to the block's
    holder. A block is decided once per source, by the first part whose ranges reach it."""
    orgs = {e.id: e for e in batch.entities if e.type == "Organization"}
    ranges = [(span, rel.target) for rel in batch.relations
              if rel.type == "HELD_BY" and rel.target in orgs
              and (span := block_range(rel.source)) is not None]
    if not ranges:
        return 0
    if "delegated" not in cache:
        cache["delegated"] = RangeIndex((span, (block, holder)) for span, block, holder
                                        in _held_spans(store, DELEGATED_LOADER))
        cache["decided"] = set()
    blocks, decided = cache["delegated"], cache["decided"]
    mine: RangeIndex[str] = RangeIndex(ranges)
    chosen: dict[str, tuple[str, str]] = {}  # block id -> (holder id, org id)
    for span, _ in ranges:
        for block_span, (block, holder) in chain(blocks.inside(span),
                                                 ((span, v) for _, v in blocks.covering(span))):
            if block not in decided and block not in chosen:
                org = most_specific(mine, block_range(block) or block_span)
                if org is not None:
                    chosen[block] = (holder, org)
    holders = {r.id: r for r in store.entities({h for h, _ in chosen.values()})
               if r.properties.get("opaque_id") and r.properties.get("registry")}
    added = 0
    for block, (holder_id, org_id) in sorted(chosen.items()):
        decided.add(block)
        holder, entity = holders.get(holder_id), orgs[org_id]
        if holder is not None and org_id != holder_id:
            name = f"{holder.properties['registry']}:{holder.properties['opaque_id']}"
            added += _bridge(entity, holder.id, f"whois organisation {entity.keys[0]} holds "
                             "the most "
                             f"specific range with an org: over {block.split(':', 1)[1]}, "
                             f"which delegated holder {name} holds")
    return added


def _link_whois(batch: Batch, store: GraphStore, cache: dict[str, Any]) -> int:
    """A whois batch's organisations holding an AS that a delegated holder holds."""
    orgs = {e.id: e for e in batch.entities if e.type == "Organization"}
    held = {r: o for r, o in _held(batch, orgs).items() if r.startswith("asn:")}
    if not held:
        return 0
    edges = [e for e in store.edges(list(held), "out", _HELD_BY, claims=True)
             if e.target not in orgs and any(c.loader == DELEGATED_LOADER for c in e.sources)]
    holders = {r.id: r for r in store.entities({e.target for e in edges})
               if r.properties.get("opaque_id") and r.properties.get("registry")}
    added = 0
    for edge in edges:
        holder = holders.get(edge.target)
        if holder is None:
            continue
        org = orgs[held[edge.source]]
        name = f"{holder.properties['registry']}:{holder.properties['opaque_id']}"
        added += _bridge(org, holder.id, f"whois organisation {org.keys[0]} holds "
                         f"{edge.source.split(':', 1)[1]}, which delegated holder {name} "
                         "holds")
    return added


def _link_by_asn(batch: Batch, store: GraphStore, ours: str, theirs: EdgeFilter,
                 direction: str, label: str) -> int:
    """Join an organisation to the one the store ties all its ASes to: a PeeringDB
    organisation (it ``OPERATES`` the ASes) to the organisation registry records make them
    ``HELD_BY``, or an as2org organisation to the PeeringDB organisation operating its ASes.
    Added last (the registry bridges come first); ASes tied to several organisations join
    nothing."""
    orgs = {e.id: e for e in batch.entities if e.type == "Organization"}
    asns: dict[str, set[str]] = {}
    for rel in batch.relations:
        if rel.type == ours:
            org, asn = (rel.source, rel.target) if ours == "OPERATES" else (rel.target, rel.source)
            if org in orgs and asn.startswith("asn:"):
                asns.setdefault(org, set()).add(asn)
    if not asns:
        return 0
    tied: dict[str, set[str]] = {}
    for edge in store.edges(sorted(set().union(*asns.values())), direction, theirs,
                            claims=False):
        asn, other = (edge.source, edge.target) if direction == "out" else \
            (edge.target, edge.source)
        tied.setdefault(asn, set()).add(other)
    registries = {r.id for r in store.entities(set().union(*tied.values(), set()))
                  if r.type == "Registry"}  # free ASes are held by their registry
    added = 0
    for org_id, held in asns.items():
        others = set().union(*(tied.get(a, set()) for a in held)) - {org_id} - registries
        if len(others) == 1:
            other = next(iter(others))
            shown = ", ".join(a.split(":", 1)[1] for a in sorted(held)[:3])
            bridges = orgs[org_id].properties.setdefault("same_as", [])
            if all(b.get("ref") != other for b in bridges):
                bridges.append({"ref": other, "reason": f"{label} organisation "
                                f"{orgs[org_id].name} has AS {shown}, which {other} also has"})
                added += 1
    return added


def _link_delegated(batch: Batch, store: GraphStore, cache: dict[str, Any]) -> int:
    holders = {e.id: e for e in batch.entities if e.properties.get("opaque_id")
               and e.type == "Organization"}
    held = _held(batch, holders)
    if not held:
        return 0
    added = _link_blocks(held, holders, store, cache)
    edges = [e for e in store.edges(list(held), "out", _HELD_BY, claims=True)
             if e.target not in holders]
    nodes = {r.id: r for r in store.entities({e.target for e in edges})}
    for edge in edges:
        holder = holders[held[edge.source]]
        reason = _stated(nodes.get(edge.target), holder.name)
        if reason is None and any(c.loader == WHOIS_LOADER for c in edge.sources):
            serial = holder.properties.get("delegated_serial", "unknown")
            reason = (f"delegated holder {holder.name} (statistics serial {serial}) holds "
                      f"{edge.source.split(':', 1)[1]}, which whois gives to {edge.target}")
        if reason is not None:
            added += _bridge(holder, edge.target, reason)
    fold_holders(batch, holders)
    return added


def _link_blocks(held: dict[str, str], holders: dict[str, Entity], store: GraphStore,
                 cache: dict[str, Any]) -> int:
    """A delegated batch's holders, each bridged to the whois organisation of the most
    specific stored range with an ``org:`` over one of its blocks (equal, the smallest
    covering, or the one organisation of the ranges inside it)."""
    if "whois" not in cache:
        cache["whois"] = RangeIndex((span, org) for span, _, org
                                    in _held_spans(store, WHOIS_LOADER))
    orgs: RangeIndex[str] = cache["whois"]
    if not len(orgs):
        return 0
    added = 0
    for block, holder_id in sorted(held.items()):
        span = block_range(block) if block.startswith("prefix:") else None
        org = most_specific(orgs, span) if span else None
        if org is not None:
            holder = holders[holder_id]
            serial = holder.properties.get("delegated_serial", "unknown")
            added += _bridge(holder, org, f"delegated holder {holder.name} (statistics serial "
                             f"{serial}) holds {block.split(':', 1)[1]}, whose most specific "
                             f"whois range with an org: gives it to {org}")
    return added


def fold_holders(batch: Batch, holders: dict[str, Entity]) -> int:
    """Make the holders of a batch that bridge first to the same organisation one entity
    (a store keeps one claim per source and node): the first keeps its id and takes the
    others' names as aliases and their ids as keys; their relations move to it. The number
    of holders folded."""
    keep: dict[str, Entity] = {}
    moved: dict[str, str] = {}
    for holder in holders.values():
        bridges = holder.properties.get("same_as") or []
        target = bridges[0]["ref"] if bridges and bridges[0]["ref"] != holder.name else None
        if target is None:
            continue
        first = keep.setdefault(target, holder)
        if first is not holder:
            first.aliases.append(holder.name)
            first.keys.extend([holder.id, *holder.keys])
            moved[holder.id] = first.id
    if moved:
        batch.entities = [e for e in batch.entities if e.id not in moved]
        for rel in batch.relations:
            rel.source = moved.get(rel.source, rel.source)
            rel.target = moved.get(rel.target, rel.target)
    return len(moved)


def _stated(node: EntityRecord | None, holder: str) -> str | None:
    """Why an organisation node is ``holder``: the reason of its as2org opaque-id bridge when
    the node still shows it, else that the node carries the holder's name (what a bridge
    leaves, whichever source's properties the node shows); None when it does not."""
    if node is None or holder not in node.aliases:
        return None
    bridges = node.properties.get("same_as")
    stated = next((str(b.get("reason")) for b in bridges or []
                   if isinstance(b, dict) and b.get("ref") == holder and b.get("reason")), None)
    return stated or f"{node.id} ({node.name}) carries the holder id {holder}, as a registry " \
                     "record stated"

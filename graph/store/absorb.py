"""Making two existing nodes one, and undoing it: part of the one write algorithm
(:mod:`graph.store.writer`), over the same per-backend primitives.

A source whose entity states ``same_as`` bridges (graph/merge.py) to several existing nodes
(an as2org organisation whose ASes name two delegated holders already loaded) is placed on
the first; each other node it names is *absorbed* into that one (:func:`absorb`):

- every source's claim on the absorbed node moves to the kept node (a source that claims
  both keeps one claim, the two combined as :func:`graph.merge.combine_entities` combines
  them), and every claim on an edge touching it moves to the same edge with that end
  replaced (a claim the source already makes there is kept);
- the absorbed id redirects to the kept one (lookups by the old id still resolve) and the
  merge log says why, with the causing source's publication date;
- what was moved is kept (``record``, JSON) with the causing source.

Unloading the causing source undoes its absorptions first (:func:`undo`, latest first): the
absorbed node comes back with the claims each still-loaded source made on it, the kept node
keeps its own, and the redirect goes. A source reloaded after the absorption gets back what it
stated at the absorption, as far as its claims on the kept node still state it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from graph import merge as mg
from graph.ids import fold
from graph.model import Entity
from graph.store.writer import Held, NewEdge, edge_values

if TYPE_CHECKING:
    from graph.store.writer import Writer, WriteTx

Ends = tuple[str, str, str]  # source id, relation type, target id of an edge


def wanted(tx: WriteTx, placed: dict[str, str], entities: Iterable[Entity]
           ) -> list[tuple[str, str, str]]:
    """``(absorbed, kept, reason)`` for each existing node an entity's bridges name other
    than the node it was placed on (``placed``: entity id -> node id)."""
    bridging = [e for e in entities if mg.same_as(e) and e.id in placed]
    if not bridging:
        return []
    refs = sorted({k for e in bridging for ref, _ in mg.same_as(e) for k in (ref, fold(ref))})
    found = tx.name_candidates(refs)
    judgements = mg.Judgements(tx.judgements())
    out, seen = [], set(placed.values())
    for ent in bridging:
        kept = placed[ent.id]
        for node_id, reason in mg.bridged_nodes(ent, mg.same_as(ent), found, judgements):
            if node_id not in seen:
                seen.add(node_id)
                out.append((node_id, kept, reason))
    return out


def rekey(key: str, ends: Ends, absorbed: str, kept: str) -> tuple[str, str, str]:
    """An edge's key and ends with the absorbed end replaced by the kept node."""
    src, rtype, dst = ends
    suffix = key[len(f"{src}|{rtype}|{dst}"):]  # the discriminator, if any (graph.model)
    src, dst = (kept if src == absorbed else src), (kept if dst == absorbed else dst)
    return f"{src}|{rtype}|{dst}{suffix}", src, dst


def absorb(writer: Writer, absorbed: str, kept: str, reason: str) -> None:
    """Make node ``absorbed`` part of node ``kept`` (see the module docstring)."""
    tx = writer.tx
    if len(tx.node_types([absorbed, kept])) < 2:
        return
    moved, ends = tx.claims_touching([absorbed])
    theirs, _ = tx.claims_touching([kept])
    [state] = tx.node_states([absorbed], None)
    new = {key: rekey(key, e, absorbed, kept) for key, e in ends.items()}
    _create_edges(tx, {new[k][0]: (*new[k][1:], ends[k][1]) for k in ends}, moved, new)
    record: dict[str, Any] = {"node": list(state.before), "ends": ends, "claims": {}}
    for source_id, held in moved.items():
        mine = theirs.get(source_id, Held())
        removed, added = Held(dict(held.nodes), dict(held.edges)), Held()
        saved: dict[str, Any] = {"node": held.nodes.get(absorbed), "kept": None, "edges": []}
        if absorbed in held.nodes:
            value, before = held.nodes[absorbed], mine.nodes.get(kept)
            if before is not None:
                saved["kept"], removed.nodes[kept] = before, before
                value = _combined(before, absorbed, value)
            added.nodes[kept] = value
        for (key, locator), (rtype, values) in held.edges.items():
            taken = (new[key][0], locator) in mine.edges
            if not taken:
                added.edges[(new[key][0], locator)] = (rtype, values)
            saved["edges"].append([key, new[key][0], locator, rtype, list(values), not taken])
        tx.write_claims(source_id, removed, added)
        record["claims"][source_id] = saved
    tx.log_merges(writer.source_id, [(absorbed, kept, reason)])
    tx.save_absorbed(writer.source_id, absorbed, kept, mg.to_json(record))
    types = {k: e[1] for k, e in ends.items()}
    writer.collect({absorbed, kept}, {**types, **{new[k][0]: t for k, t in types.items()}})


def _combined(kept: tuple, absorbed_id: str, absorbed: tuple) -> tuple:
    """One source's claims on the kept and the absorbed node as one claim, as
    :func:`graph.bridge.fold_holders` folds a batch's holders: the kept claim, with the
    absorbed claim's names as aliases and its id and keys as keys."""
    type_, name, aliases, keys, props, locator, first, last = kept
    names = [*mg.from_json(aliases), absorbed[1], *mg.from_json(absorbed[2])]
    ids = [*mg.from_json(keys), absorbed_id, *mg.from_json(absorbed[3])]
    seen = [f for f in (first, absorbed[6]) if f]
    ended = [f for f in (last, absorbed[7]) if f]
    return (type_, name, mg.to_json([n for n in dict.fromkeys(names) if n != name]),
            mg.to_json(list(dict.fromkeys(ids))), props, locator,
            min(seen) if seen else None, max(ended) if ended else None)


def _create_edges(tx: WriteTx, wanted_edges: dict[str, tuple[str, str, str]],
                  claims: dict[str, Held], keys: dict[str, tuple[str, str, str]]) -> None:
    """Create the edges ``key -> (source, target, type)`` not stored yet, derived from the
    claims that will move onto them (collect re-derives them after)."""
    missing = set(wanted_edges) - tx.existing_edges({k: v[2] for k, v in wanted_edges.items()})
    rows = []
    for key in sorted(missing):
        src, dst, rtype = wanted_edges[key]
        stated = [(values[1], mg.from_json(values[2])) for held in claims.values()
                  for (old, _), (_, values) in held.edges.items() if keys[old][0] == key]
        rows.append(NewEdge(key, src, dst, rtype, edge_values(mg.derive_edge(stated))))
    tx.create_edges(rows)


def undo(writer: Writer) -> tuple[set[str], dict[str, str]]:
    """Undo the absorptions the writer's source caused, latest first; the nodes and edges
    touched (to collect as the unload collects)."""
    tx = writer.tx
    nodes: set[str] = set()
    edges: dict[str, str] = {}
    for absorbed, kept, text in reversed(tx.take_absorbed(writer.source_id)):
        record = mg.from_json(text)
        ends: dict[str, Ends] = {k: tuple(e) for k, e in record["ends"].items()}
        if not tx.node_types([kept]):
            continue
        if not tx.node_types([absorbed]):
            type_, name, aliases, keys, props, first, last = record["node"]
            tx.create_nodes([(absorbed, mg.DerivedNode(
                type_, name, mg.from_json(aliases), mg.from_json(keys), mg.from_json(props),
                first, last))])
        present = _present(tx, ends)
        now, _ = tx.claims_touching([kept])
        given = {source_id: _restore(saved, now[source_id], absorbed, kept, present)
                 for source_id, saved in record["claims"].items()
                 if source_id != writer.source_id and source_id in now}
        _create_edges(tx, {k: (e[0], e[2], e[1]) for k, e in present.items()},
                      {s: added for s, (_, added) in given.items()}, {k: (k, "", "") for k in ends})
        for source_id, (removed, added) in given.items():
            tx.write_claims(source_id, removed, added)
        nodes.update((absorbed, kept))
        for key, end in ends.items():
            edges[key] = edges[rekey(key, end, absorbed, kept)[0]] = end[1]
    return nodes, edges


def _present(tx: WriteTx, ends: dict[str, Ends]) -> dict[str, Ends]:
    """The edges whose two ends are stored."""
    stored = tx.node_types(sorted({n for e in ends.values() for n in (e[0], e[2])}))
    return {k: e for k, e in ends.items() if e[0] in stored and e[2] in stored}


def _restore(saved: dict[str, Any], now: Held, absorbed: str, kept: str,
             present: dict[str, Ends]) -> tuple[Held, Held]:
    """The claims one source loses and gets back when an absorption is undone: its claim on
    the absorbed node and on its edges, as far as the source still states them on the kept
    node (a source reloaded since states what it states now)."""
    removed, added = Held(), Held()
    if saved["node"] is not None and kept in now.nodes:
        removed.nodes[kept] = now.nodes[kept]
        added.nodes[absorbed] = tuple(saved["node"])
        if saved["kept"] is not None:
            added.nodes[kept] = tuple(saved["kept"])
    for old, new, locator, rtype, values, moved in saved["edges"]:
        if (new, locator) in now.edges and old in present:
            if moved:
                removed.edges[(new, locator)] = now.edges[(new, locator)]
            added.edges[(old, locator)] = (rtype, tuple(values))
    return removed, added

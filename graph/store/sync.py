"""Copy a whole graph from one store to another (SQLite file <-> Neo4j), claims and all.

``sync(src, dst)`` reads the source store's state table by table — sources (in load order),
nodes (in creation order), scores (metrics in write order), node claims, edges, edge claims,
redirects, the merge log, judgements and absorption records (graph/store/absorb.py) — and
writes it into an empty destination in batches. Nothing is re-derived: the destination holds
exactly the derived nodes and edges, claims and merge history of the source, so exports,
searches and later loads, reloads and unloads behave the same on both (tests/test_sync.py
checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graph import merge as mg
from graph.store.base import Chunk, GraphStore, StoreError

BATCH = 5000
Progress = Callable[[str, int, int], None]

# Each table's row: what dump() yields and restore() takes, in this order.
TABLES = {
    "sources": "source_id, uri, loader, retrieved_at, loaded_at, n_entities, n_relations, "
               "dataset, observed",
    "nodes": "id, type, name, aliases, keys, props, first_seen, last_seen",
    "scores": "id, metric, value",
    "node_claims": "id, source_id, type, name, aliases, keys, props, locator, first_seen, "
                   "last_seen",
    "edges": "key, source, target, type, props, confidence, weight, start, end",
    "edge_claims": "key, source_id, locator, confidence, props",
    "redirects": "old_id, new_id, reason",
    "merge_log": "merged, into, reason, source_id",
    "judgements": "source_id, a, b, same, locator",
    "absorbed": "source_id, absorbed, kept, record",  # graph/store/absorb.py's undo records
}


def sync(src: GraphStore, dst: GraphStore, progress: Progress | None = None,
         replace: bool = False) -> dict[str, int]:
    """Copy everything in ``src`` into ``dst`` and return the rows copied per table.
    ``dst`` must be empty unless ``replace``, which first deletes what it holds. A copy into
    Neo4j is written in batches of separate transactions: if it stops half way, run it
    again with ``replace``."""
    if replace:
        clear(dst)
    elif dst.stats()["sources"] or dst.stats()["nodes"]:
        raise StoreError("the destination store is not empty (use replace to overwrite it)")
    stats = src.stats()
    total = stats["sources"] + 2 * stats["nodes"] + stats["edges"] + stats["claims"]  # about
    copied: dict[str, int] = dict.fromkeys(TABLES, 0)

    def counted() -> Iterator[Chunk]:
        done = 0
        for table, rows in dump(src):
            copied[table] += len(rows)
            done += len(rows)
            if progress:
                progress(f"copying {table}", min(done, total), max(done, total))
            yield table, rows

    restore(dst, counted())
    if progress:
        done = sum(copied.values())
        progress("copied", done, done)
    return copied


def dump(store: GraphStore) -> Iterator[Chunk]:
    """The store's state as ``(table, rows)`` chunks, tables in the order of TABLES."""
    for table in TABLES:
        rows: list[tuple] = []
        for row in store.dump(table):
            rows.append(row)
            if len(rows) == BATCH:
                yield table, rows
                rows = []
        if rows:
            yield table, rows


def clear(store: GraphStore) -> None:
    """Delete everything a store holds."""
    store.clear()


def restore(store: GraphStore, chunks: Iterator[Chunk]) -> None:
    """Write dumped chunks into an empty store."""
    store.restore(chunks)


def derived(row: tuple) -> mg.DerivedNode:
    """A dumped node row as the derived node it is."""
    node_id, type_, name, aliases, keys, props, first, last = row
    return mg.DerivedNode(type=type_, name=name, aliases=mg.from_json(aliases),
                          keys=mg.from_json(keys), properties=mg.from_json(props),
                          first_seen=first, last_seen=last)



"""Subgraph queries on both stores: the edges of a neighbourhood are exactly the edges the
returned nodes induce, with their claims, even for nodes the node cap left unexpanded."""

from __future__ import annotations

from graph.query import dependencies, neighbourhood
from graph.store.base import EdgeFilter
from tests.helpers import batch, org, rel


def _ring_with_hub(store):
    """A hub with 12 dependents whose neighbours also depend on each other in a ring."""
    hub = org("Hub", "Registry")
    deps = [org(f"Dep {i}") for i in range(12)]
    rels = [rel(d, hub, "DEPENDS_ON", 0.4 + i / 100) for i, d in enumerate(deps)]
    rels += [rel(deps[i], deps[(i + 1) % 12], "DEPENDS_ON", 0.8) for i in range(12)]
    rels.append(rel(deps[0], deps[5], "MENTIONS", 0.3))
    store.write(batch("ring", [hub, *deps], rels))


def _induced(store, ids, flt=None):
    """The induced edges, worked out from each node's incident edges."""
    ids = set(ids)
    return sorted(e.key for e in store.edges(ids, "both", flt)
                  if e.source in ids and e.target in ids)


def test_edges_among_is_the_induced_subgraph(store):
    _ring_with_hub(store)
    some = ["org:hub", "org:dep-0", "org:dep-1", "org:dep-5", "org:dep-7"]
    got = store.edges_among(some)
    assert [e.key for e in got] == _induced(store, some)
    assert len(got) == 6  # 4 to the hub, dep-0 -> dep-1, the MENTIONS, and no other
    assert all(e.sources for e in got)
    strong = EdgeFilter(min_confidence=0.5)
    assert [e.key for e in store.edges_among(some, strong)] == _induced(store, some, strong)
    assert store.edges_among(["org:dep-3"]) == []
    assert store.edges_among(["org:nothing", "org:hub"]) == []


def test_capped_neighbourhood_keeps_links_among_unexpanded_nodes(store):
    _ring_with_hub(store)
    sub = neighbourhood(store, ["org:hub"], depth=2, limit=6)
    ids = [n.id for n in sub.nodes]
    assert len(ids) == 6 and sub.truncated and sub.cut["unexpanded_nodes"] == 5
    assert sorted(e.key for e in sub.edges) == _induced(store, ids)
    ring_links = [e for e in sub.edges if e.target != "org:hub"]
    assert ring_links, "links between the hub's dependents must show even when unexpanded"
    assert all(e.sources and e.sources[0].source_id == "ring" for e in sub.edges)


def test_dependency_map_edges_are_dependencies_among_reached_nodes(store):
    _ring_with_hub(store)
    dmap = dependencies(store, "org:dep-0", "upstream", depth=2)
    assert dmap.levels == {"org:dep-0": 0, "org:hub": 1, "org:dep-1": 1, "org:dep-2": 2}
    keys = {(e.source, e.target, e.type) for e in dmap.graph.edges}
    assert ("org:dep-0", "org:dep-5", "MENTIONS") not in keys
    assert keys == {("org:dep-0", "org:hub", "DEPENDS_ON"), ("org:dep-1", "org:hub", "DEPENDS_ON"),
                    ("org:dep-2", "org:hub", "DEPENDS_ON"),
                    ("org:dep-0", "org:dep-1", "DEPENDS_ON"),
                    ("org:dep-1", "org:dep-2", "DEPENDS_ON")}


def test_a_nodes_first_edges_are_an_index_range_not_a_sort(sqlite_store):
    """SQLite: a node's top edges by confidence come straight from the endpoint indexes."""
    _ring_with_hub(sqlite_store)
    for end in ("e.src", "e.dst"):
        plan = sqlite_store.db.execute(
            "EXPLAIN QUERY PLAN SELECT e.eid FROM edges e JOIN nodes s ON s.nid=e.src JOIN nodes"
            f" d ON d.nid=e.dst WHERE {end} = 1 AND e.confidence >= 0 ORDER BY e.confidence"
            " DESC, e.key LIMIT 201").fetchall()
        details = " | ".join(row[-1] for row in plan)
        assert "TEMP B-TREE" not in details, details
    top = sqlite_store.edges(["org:hub"], "in", limit=3, claims=False)
    assert [e.source for e in top] == ["org:dep-11", "org:dep-10", "org:dep-9"]

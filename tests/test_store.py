"""The store contract, run on every backend."""

from __future__ import annotations

import numpy as np
import pytest

from graph import merge
from graph.merge import resolve_references
from graph.model import Entity
from graph.query import neighbourhood, shortest_paths
from graph.store.base import EdgeFilter, StoreError
from tests.helpers import batch, counts, org, person, rel

LU = person("Lu Heng")
CI = org("Cloud Innovation", "Company", aliases=["CI"])
AFRINIC = org("AFRINIC", "Registry", aliases=["African Network Information Centre"])
IANA = org("IANA", "Registry", aliases=["Internet Assigned Numbers Authority"])


def profile_batch(source: str = "page-1", confidence: float = 0.8):
    return batch(source, [LU, CI, AFRINIC], [
        rel(LU, CI, "ROLE_AT", confidence, "line 3", role="CEO"),
        rel(CI, AFRINIC, "DEPENDS_ON", confidence, "line 7", weight=6_000_000),
    ])


def test_round_trip_with_provenance(store):
    store.write(profile_batch())
    [lu] = store.entities(["person:lu-heng"])
    assert (lu.type, lu.name) == ("Person", "Lu Heng")
    edges = store.edges(["person:lu-heng"])
    assert len(edges) == 1
    edge = edges[0]
    assert (edge.source, edge.target, edge.type) == ("person:lu-heng", "org:cloud-innovation",
                                                     "ROLE_AT")
    assert edge.properties["role"] == "CEO"
    assert edge.grade == "A/B"
    [claim] = edge.sources
    assert (claim.source_id, claim.locator, claim.loader) == ("page-1", "line 3", "test")
    assert claim.confidence == pytest.approx(0.8)


def test_property_values_read_back_exactly(store):
    values = {"big": 123456789012345678901234567890, "nested": {"a": [1, 2.5, "x", None]},
              "text": "digits 12345678901234567890 in text", "ratio": 0.1, "empty": {}}
    store.write(batch("page-1", [LU, CI], [rel(LU, CI, "ROLE_AT", 0.8, "line 3", **values)]))
    [edge] = store.edges(["person:lu-heng"])
    assert edge.properties == values
    assert type(edge.properties["big"]) is int and type(edge.properties["ratio"]) is float


def test_reload_is_idempotent(store):
    store.write(profile_batch())
    before = counts(store), [e.to_dict() for e in store.iter_edges()]
    result = store.write(profile_batch())
    assert (counts(store), [e.to_dict() for e in store.iter_edges()]) == before
    assert result.relations_added == result.entities_added == 0
    assert result.relations_updated == result.entities_updated == 0


def test_one_fact_many_sources_is_one_edge_with_noisy_or(store):
    store.write(profile_batch("page-1", 0.8))
    store.write(profile_batch("page-2", 0.5))
    edges = store.edges(["person:lu-heng"])
    assert len(edges) == 1
    assert edges[0].confidence == pytest.approx(0.9)  # 1 - (1 - 0.8) * (1 - 0.5)
    assert sorted(c.source_id for c in edges[0].sources) == ["page-1", "page-2"]


def test_unload_removes_only_what_the_source_alone_supported(store):
    store.write(profile_batch("page-1", 0.8))
    store.write(batch("page-2", [LU, CI, IANA], [rel(LU, CI, "ROLE_AT", 0.6, role="CEO"),
                                                 rel(CI, IANA, "MENTIONS", 0.5)]))
    store.unload("page-1")
    ids = {e.id for e in store.iter_entities()}
    assert ids == {"person:lu-heng", "org:cloud-innovation", "org:iana"}
    edges = {(e.source, e.type, e.target): e for e in store.iter_edges()}
    assert set(edges) == {("person:lu-heng", "ROLE_AT", "org:cloud-innovation"),
                          ("org:cloud-innovation", "MENTIONS", "org:iana")}
    assert edges[("person:lu-heng", "ROLE_AT", "org:cloud-innovation")].confidence == \
        pytest.approx(0.6)
    with pytest.raises(StoreError):
        store.unload("page-1")


def test_reload_with_fewer_facts_drops_the_missing_ones(store):
    store.write(profile_batch())
    store.write(batch("page-1", [LU, CI], [rel(LU, CI, "ROLE_AT", 0.8, "line 3", role="CEO")]))
    assert counts(store) == (2, 1, 1)


def test_unknown_reference_fails_the_whole_batch(store):
    store.write(profile_batch())
    before = counts(store)
    bad = batch("page-3", [IANA], [rel(IANA, "org:nowhere", "DEPENDS_ON", locator="line 9")])
    with pytest.raises(StoreError, match="line 9.*org:nowhere"):
        store.write(bad)
    assert counts(store) == before
    assert store.entities(["org:iana"]) == []


def test_roles_are_distinct_facts(store):
    store.write(batch("p", [LU, CI], [rel(LU, CI, "ROLE_AT", role="CEO"),
                                      rel(LU, CI, "ROLE_AT", role="Founder")]))
    assert sorted(e.properties["role"] for e in store.edges([LU.id])) == ["CEO", "Founder"]


def test_alias_merges_across_sources_and_redirects(store):
    store.write(batch("iana", [AFRINIC]))
    long_form = org("African Network Information Centre", "Organization")
    store.write(batch("page", [long_form, CI], [rel(CI, long_form, "DEPENDS_ON")]))
    assert [e.id for e in store.iter_entities()] == ["org:afrinic", "org:cloud-innovation"]
    assert store.resolve("org:african-network-information-centre") == "org:afrinic"
    [edge] = store.edges(["org:afrinic"])
    assert edge.target == "org:afrinic"
    log = store.merge_log()
    assert log and log[0]["into"] == "org:afrinic"


def test_family_name_alone_never_merges_people(store):
    store.write(batch("a", [person("Lu Heng")]))
    store.write(batch("b", [person("Heng", note="x")]))
    assert {e.id for e in store.iter_entities()} == {"person:lu-heng", "person:heng"}


def test_resolve_by_key_and_name(store):
    ent = org("Cloud Innovation", "Company")
    ent.keys.append("row-17")
    store.write(batch("a", [ent]))
    assert store.resolve("row-17") == "org:cloud-innovation"
    assert store.resolve("cloud innovation") == "org:cloud-innovation"
    assert store.resolve("nothing here") is None


def test_write_resolves_references_as_lookup_does(store):
    """A backend's own ``resolve`` (SQLite: one join per form) gives what the forms of
    ``resolve_references`` over ``lookup`` give: ids, redirects, keys, then names, a form
    that finds several nodes left for the next."""
    ci, hub_net = org("Cloud Innovation", "Company"), org("Hub Networks")
    ci.keys += ["row-17", "dup", "hub"]
    hub_net.keys += ["dup", "hub"]
    store.write(batch("a", [ci, hub_net, org("Hub")]))
    store.write(batch("b", [org("CI Holdings", aliases=["Cloud Innovation"])]))
    refs = ["org:cloud-innovation", "org:ci-holdings", " ROW-17", "dup", "hub", "cloud innovation",
            "nothing"]
    expected = {"org:cloud-innovation": "org:cloud-innovation",
                "org:ci-holdings": "org:cloud-innovation", " ROW-17": "org:cloud-innovation",
                "hub": "org:hub", "cloud innovation": "org:cloud-innovation"}

    def resolved_before_and_after_a_new_node(tx):
        before = tx.resolve(refs), resolve_references(refs, tx.lookup)
        tx.create_nodes([("org:row-17-twin", merge.derive_node([merge.NodeClaim(
            "Organization", "Row 17 Twin", [], ["row-17"], {})]))])
        return before, (tx.resolve(refs), resolve_references(refs, tx.lookup))

    (own, generic), (own_after, generic_after) = store.transact(
        resolved_before_and_after_a_new_node)
    assert own == generic == expected
    del expected[" ROW-17"]  # now the key of two nodes: what was resolved before is not kept
    assert own_after == generic_after == expected


def test_search_ranks_exact_then_prefix_then_substring(store):
    store.write(batch("a", [person("Lu Heng"), person("Heng Lu Wei"), org("Hengtong Group"),
                            person("Anna Schenk")]))
    names = [e.name for e in store.search("heng")]
    assert "Lu Heng" in names and "Anna Schenk" not in names
    assert names.index("Hengtong Group") < names.index("Lu Heng")
    assert [e.name for e in store.search("heng", type_name="Organization")] == ["Hengtong Group"]


def _chain(store):
    names = ["A0", "A1", "A2", "A3"]
    nodes = [org(n) for n in names]
    rels = [rel(nodes[i], nodes[i + 1], "DEPENDS_ON", 0.9) for i in range(3)]
    hub = org("Hub", "Registry")
    leaves = [org(f"Leaf {i}") for i in range(30)]
    rels += [rel(leaf, hub, "DEPENDS_ON", 0.3) for leaf in leaves]
    rels.append(rel(nodes[0], hub, "MENTIONS", 0.9))
    store.write(batch("g", [*nodes, hub, *leaves], rels))


def test_neighbourhood_depth_filters_and_cap(store):
    _chain(store)
    sub = neighbourhood(store, ["org:a0"], depth=2)
    ids = {n.id for n in sub.nodes}
    assert {"org:a0", "org:a1", "org:a2", "org:hub"} <= ids and "org:a3" not in ids
    assert not sub.truncated
    only_dep = neighbourhood(store, ["org:a0"], 2, EdgeFilter(rel_types=frozenset({"DEPENDS_ON"}),
                                                              min_confidence=0.5))
    assert {n.id for n in only_dep.nodes} == {"org:a0", "org:a1", "org:a2"}
    capped = neighbourhood(store, ["org:hub"], 1, limit=10)
    assert len(capped.nodes) == 10 and capped.truncated
    assert capped.cut["nodes_omitted"] == 31 - 9  # 31 neighbours, 9 places left
    per_node = neighbourhood(store, ["org:hub"], 1, per_node=5)
    assert per_node.truncated and per_node.cut["capped_nodes"] == ["org:hub"]
    assert all(e.sources for e in sub.edges)
    typed = neighbourhood(store, ["org:a0"], 2, EdgeFilter(node_types=frozenset({"Registry"})))
    assert {n.id for n in typed.nodes} == {"org:a0", "org:hub"}


def test_shortest_paths(store):
    _chain(store)
    [path] = shortest_paths(store, "org:a0", "org:a3")
    assert [(e.source, e.target) for e in path] == [("org:a0", "org:a1"), ("org:a1", "org:a2"),
                                                    ("org:a2", "org:a3")]
    assert shortest_paths(store, "org:a0", "org:a3", max_len=2) == []
    two = shortest_paths(store, "org:leaf-0", "org:leaf-1")
    assert len(two) == 1 and len(two[0]) == 2


def test_scores_written_and_ranked(store):
    _chain(store)
    store.write_scores("dependents", {"org:hub": 30, "org:a1": 1})
    assert [e.id for e in store.top("dependents", 5)] == ["org:hub", "org:a1"]
    store.write_scores("dependents", {"org:a2": 2})
    assert [e.id for e in store.top("dependents", 5)] == ["org:a2"]
    [hub] = store.entities(["org:hub"])
    assert "dependents" not in hub.scores


def test_write_scores_replaces_the_metric_entirely(store):
    _chain(store)
    store.write_scores("m", {"org:a0": 1, "org:a1": 2, "org:hub": 3})
    store.write_scores("n", {"org:a0": 0.5})
    store.write_scores("m", {"org:a1": 4, "org:a2": 0.25, "org:nobody": 9})
    got = {e.id: e.scores for e in store.entities(["org:a0", "org:a1", "org:a2", "org:hub"])}
    assert got == {"org:a0": {"n": 0.5}, "org:a1": {"m": 4}, "org:a2": {"m": 0.25},
                   "org:hub": {}}
    assert [e.id for e in store.top("m", 10)] == ["org:a1", "org:a2"]
    store.write_scores("n", {"org:a1": 1})  # a node's scores list metrics in write order
    [a1] = store.entities(["org:a1"])
    assert list(a1.scores) == ["m", "n"]
    assert list(next(e for e in store.iter_entities() if e.id == "org:a1").scores) == ["m", "n"]
    store.write_scores("m", {"org:a1": 5})
    assert list(store.entities(["org:a1"])[0].scores) == ["n", "m"]
    store.write_scores("m", {})
    assert store.top("m", 10) == [] and store.entities(["org:a1"])[0].scores == {"n": 1}


def test_a_deleted_node_takes_its_scores_with_it(store):
    store.write(batch("one", [org("Alpha")]))
    store.write(batch("two", [org("Beta")]))
    store.write_scores("pagerank", {"org:alpha": 0.5, "org:beta": 0.25})
    store.unload("two")  # Beta was the newest node: SQLite gives its nid to the next one
    store.write(batch("three", [org("Gamma")]))
    assert {e.id: e.scores for e in store.iter_entities()} == {
        "org:alpha": {"pagerank": 0.5}, "org:gamma": {}}
    assert [e.id for e in store.top("pagerank", 5)] == ["org:alpha"]


def test_non_numeric_scores_round_trip(store):
    _chain(store)
    values = {"org:a0": "text", "org:a1": [1, "x", None], "org:a2": {"k": [1, 2.5]},
              "org:a3": None, "org:leaf-0": float("nan"), "org:leaf-1": 2 ** 70,
              "org:hub": float("inf"), "org:leaf-2": 3, "org:leaf-3": 2.5,
              "org:leaf-4": -float("inf"), "org:leaf-5": 0.1 + 0.2}
    store.write_scores("detail", values)
    store.write_scores("flag", {"org:hub": True, "org:a0": False, "org:a1": True})
    for records in (store.entities(list(values)),
                    [e for e in store.iter_entities() if e.id in values],
                    store.search("leaf") + store.search("a0")):
        for e in (e for e in records if e.id in values):
            want, got = values[e.id], e.scores["detail"]
            if want != want:
                assert got != got, e.id  # NaN
            else:
                assert (type(got), got) == (type(want), want), e.id
    # numbers rank (infinities too), booleans rank true over false; the rest is kept unranked
    assert [e.id for e in store.top("detail", 20)] == [
        "org:hub", "org:leaf-2", "org:leaf-3", "org:leaf-5", "org:leaf-4"]
    top = store.top("flag", 20)
    assert [(e.id, e.scores["flag"]) for e in top] == [
        ("org:a1", True), ("org:hub", True), ("org:a0", False)]
    assert top[1].scores == {"detail": float("inf"), "flag": True}


def test_score_columns_are_stored_as_write_scores_stores_them(store):
    _chain(store)
    ids = ["org:a0", "org:a1", "org:hub", "org:nobody", "org:leaf-0"]
    columns = {"float": np.array([0.5, float("inf"), -1.25, 2.0, 0.1 + 0.2]),
               "int": np.array([3, -(2 ** 63), 0, 1, 2 ** 62]),
               "bool": np.array([True, False, True, False, False]),
               "object": np.array([None, [1, "x"], 2 ** 70, "t", 1.5], dtype=object)}
    store.write_score_columns(ids, columns)
    for name, column in columns.items():
        store.write_scores(name + "-dict", dict(zip(ids, column.tolist(), strict=True)))
    for e in store.entities(ids):
        for name in columns:
            got, want = e.scores[name], e.scores[name + "-dict"]
            assert (type(got), got) == (type(want), want), (e.id, name)
    assert [e.id for e in store.top("float", 10)] == ["org:a1", "org:a0", "org:leaf-0",
                                                     "org:hub"]
    assert [e.id for e in store.top("bool", 10)] == ["org:a0", "org:hub", "org:a1",
                                                    "org:leaf-0"]


def test_rewriting_a_score_column_keeps_only_the_new_values(store):
    _chain(store)
    store.write_score_columns(["org:a0", "org:a1", "org:hub"], {"m": np.array([5, 5, 1])})
    store.write_score_columns(["org:a1", "org:hub", "org:a2"],
                              {"m": np.array([5.0, 1.0, 7.0])})  # same numbers, now floats
    got = {e.id: e.scores for e in store.entities(["org:a0", "org:a1", "org:hub", "org:a2"])}
    assert got == {"org:a0": {}, "org:a1": {"m": 5.0}, "org:hub": {"m": 1.0},
                   "org:a2": {"m": 7.0}}
    assert all(type(s["m"]) is float for s in got.values() if s)
    assert [e.id for e in store.top("m", 5)] == ["org:a2", "org:a1", "org:hub"]


def test_a_column_over_some_positions_scores_only_those_nodes(store):
    _chain(store)
    ids = ["org:a0", "org:a1", "org:hub", "org:a2"]
    store.write_score_columns(ids[:2], {"part": np.array([9, 9])})
    store.write_score_columns(ids, {"all": np.array([1, 2, 3, 4]), "part": np.array([7, 8])},
                              {"part": np.array([3, 1])})  # a2 gets 7, a1 gets 8
    got = {e.id: e.scores for e in store.entities(ids)}
    assert got == {"org:a0": {"all": 1}, "org:a1": {"all": 2, "part": 8},
                   "org:hub": {"all": 3}, "org:a2": {"all": 4, "part": 7}}
    assert [e.id for e in store.top("part", 5)] == ["org:a1", "org:a2"]
    with pytest.raises(ValueError):  # two positions, one value: nothing written
        store.write_score_columns(ids, {"part": np.array([1])}, {"part": [0, 1]})
    assert [e.id for e in store.top("part", 5)] == ["org:a1", "org:a2"]


def test_a_score_column_of_the_wrong_length_is_refused(store):
    _chain(store)
    store.write_scores("m", {"org:a0": 1})
    with pytest.raises(ValueError):
        store.write_score_columns(["org:a1", "org:hub"], {"n": np.array([1, 2]),
                                                          "m": np.array([2.0])})
    assert [(e.id, e.scores) for e in store.top("m", 5)] == [("org:a0", {"m": 1})]
    assert store.top("n", 5) == []


def test_top_breaks_ties_by_id(store):
    _chain(store)  # created in the order a0..a3, hub, leaf-0..leaf-29: not the ids' order
    store.write_scores("dependents", {"org:leaf-9": 5, "org:leaf-10": 5.0, "org:hub": 5,
                                      "org:a3": 5, "org:leaf-2": 7, "org:a0": 1})
    ranked = ["org:leaf-2", "org:a3", "org:hub", "org:leaf-10", "org:leaf-9", "org:a0"]
    assert [e.id for e in store.top("dependents", 10)] == ranked
    for n in range(7):
        assert [e.id for e in store.top("dependents", n)] == ranked[:n]
    assert store.top("dependents", 4)[3].scores == {"dependents": 5.0}
    assert store.top("unknown", 5) == []


def test_top_of_a_tie_larger_than_the_limit_is_in_id_order(store):
    _chain(store)
    ids = [f"org:leaf-{i}" for i in range(30)] + ["org:hub", "org:a0", "org:a1"]
    # 30 leaves tie (ints and floats alike), two nodes above them, one below
    scores = {i: (3 if n % 2 else 3.0) for n, i in enumerate(ids[:30])}
    scores |= {"org:hub": 9, "org:a0": 4.5, "org:a1": -1}
    store.write_scores("tied", scores)
    ranked = ["org:hub", "org:a0", *sorted(ids[:30]), "org:a1"]
    for n in (1, 2, 3, 5, 20, 32, 33, 40, -1):
        assert [e.id for e in store.top("tied", n)] == ranked[:n if n >= 0 else None], n
    store.write_scores("tied", {i: 1 for i in ids[5:]})  # rewritten: a new tie, fewer nodes
    assert [e.id for e in store.top("tied", 6)] == sorted(ids[5:])[:6]


def test_reload_keeps_scores(store):
    store.write(profile_batch())
    store.write_scores("pagerank", {"org:afrinic": 0.5})
    store.write(profile_batch())
    assert store.entities(["org:afrinic"])[0].scores == {"pagerank": 0.5}


def test_projection_uses_integer_ids_and_weights(store):
    store.write(profile_batch())
    proj = store.projection(EdgeFilter(rel_types=frozenset({"DEPENDS_ON"})), weight="weight")
    assert len(proj.src) == 1
    assert proj.ids[proj.src[0]] == "org:cloud-innovation"
    assert proj.ids[proj.dst[0]] == "org:afrinic"
    assert list(proj.weight) == [6_000_000.0]


def test_as_of_filter(store):
    a, b, c = org("Alpha"), org("Beta"), org("Gamma")
    store.write(batch("t", [a, b, c], [rel(a, b, "DEPENDS_ON", start="2020-01-01",
                                           end="2021-12-31"),
                                       rel(a, c, "DEPENDS_ON", start="2022-01-01")]))
    at = {e.target for e in store.edges([a.id], flt=EdgeFilter(as_of="2021-06-01"))}
    assert at == {"org:beta"}
    assert {e.target for e in store.edges([a.id], flt=EdgeFilter(as_of="2023"))} == {"org:gamma"}


def _claims_on_two_nodes(source: str, step: int) -> list:
    """Claims on a node first named by a real name (``org:a``) and one first named by a
    registry's opaque id (``org:b``, a placeholder), growing with each source."""
    a = Entity("Company" if step else "Organization", f"Example Networks {step}", id="org:a",
               aliases=[f"ExNet {step}", "ExNet"], properties={"country": f"C{step}",
                                                             f"p{step}": step},
               first_seen=f"202{step}-01-01", last_seen=f"202{3 - step}-06-01")
    b = (Entity("Organization", "ripencc:ORG-B1", id="org:b",
                properties={"registry": "ripencc", "opaque_id": "ORG-B1"}) if not step else
         Entity("Company", f"Bee Holdings {step}", id="org:b", aliases=[f"Bee {step}"],
                properties={"size": step}, last_seen=f"202{step}-01-01"))
    return batch(source, [a, b])


def test_a_claim_added_by_a_later_source_derives_as_all_claims_do(store):
    """A node that later sources name again is re-derived from its stored state and the
    new claim (SQLite); reading all its claims again (what an unload of a later source
    does) gives the same node."""
    for step in range(3):
        store.write(_claims_on_two_nodes(f"page-{step}", step))
    written = [e.to_dict() for e in store.entities(["org:a", "org:b"])]
    assert written[0]["name"] == "Example Networks 0" and written[1]["name"] == "Bee Holdings 1"
    store.write(_claims_on_two_nodes("page-3", 3))
    store.unload("page-3")
    assert [e.to_dict() for e in store.entities(["org:a", "org:b"])] == written

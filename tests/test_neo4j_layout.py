"""The Neo4j store's layout version: a database of layout 1 (edge claims as ``(:EdgeClaim)``
nodes) is upgraded when the store opens it, claims and all, and a database of a newer
layout than the code's is refused with a one-line error and left as it was."""

from __future__ import annotations

import pytest

from graph.store.base import StoreError
from graph.store.sqlite import SQLiteStore
from tests.helpers import batch, org, rel

pytestmark = pytest.mark.neo4j

A, B, C = org("Alpha"), org("Beta"), org("Gamma")


def _claims(store) -> dict[str, list[tuple]]:
    return {e.key: [(c.source_id, c.locator, c.confidence) for c in e.sources]
            for e in store.iter_edges()}


def _to_layout_1(store) -> None:
    """Rewrite the database as govgraph's layout 1 kept it."""
    with store._session(write=True) as session:
        session.run("MATCH ()-[r]->() WHERE r.claim_sids IS NOT NULL "
                    "UNWIND range(0, size(r.claim_sids) - 1) AS i "
                    "CREATE (:EdgeClaim {key: r.key, rtype: type(r), sid: r.claim_sids[i], "
                    "locator: r.claim_locators[i], confidence: "
                    "coalesce(r.claim_confidences, [r.confidence])[i], "
                    "props: coalesce(r.claim_props, [r.props])[i]})").consume()
        session.run("MATCH ()-[r]->() REMOVE r.claim_sids, r.claim_locators, "
                    "r.claim_confidences, r.claim_props").consume()
        session.run("CREATE INDEX gg_edge_claim_key IF NOT EXISTS FOR (c:EdgeClaim) "
                    "ON (c.key)").consume()
        session.run("MATCH (v:SchemaVersion) DELETE v").consume()


def test_layout_1_edge_claims_move_onto_their_relationships(neo4j_store_factory):
    store = neo4j_store_factory()
    store.write(batch("one", [A, B, C], [rel(A, B, "DEPENDS_ON", 0.8, locator="l1"),
                                         rel(A, B, "DEPENDS_ON", 0.6, locator="l2"),
                                         rel(B, C, "DEPENDS_ON", 0.7)]))
    store.write(batch("two", [A, B], [rel(A, B, "DEPENDS_ON", 0.9)]))
    claims, stats = _claims(store), store.stats()
    assert sorted(map(len, claims.values())) == [1, 3] and stats["claims"] == 4
    _to_layout_1(store)
    assert store._read("MATCH (c:EdgeClaim) RETURN count(c)")[0][0] == 4

    upgraded = neo4j_store_factory()
    assert _claims(upgraded) == claims and upgraded.stats() == stats
    assert upgraded._read("MATCH (c:EdgeClaim) RETURN count(c)")[0][0] == 0
    assert not upgraded._read("SHOW INDEXES YIELD name WHERE name STARTS WITH "
                              "'gg_edge_claim' RETURN name")
    assert upgraded._read("MATCH (v:SchemaVersion) RETURN v.version")[0][0] == 2
    upgraded.unload("one")  # the moved claims behave as written ones
    assert _claims(upgraded) == {key: kept for key, found in claims.items()
                                 if (kept := [c for c in found if c[0] == "two"])}


def test_a_newer_layout_is_refused_and_left_alone(neo4j_store_factory, neo4j_uri):
    from graph.store.neo4j import Neo4jStore

    store = neo4j_store_factory()
    store.write(batch("one", [A, B], [rel(A, B, "DEPENDS_ON")]))
    store.driver.execute_query("MATCH (v:SchemaVersion) SET v.version = 99")
    try:
        with pytest.raises(StoreError) as raised:
            Neo4jStore(neo4j_uri)
        message = str(raised.value)
        assert "\n" not in message and "version 99" in message and "upgrade govgraph" in message
        assert _claims(store) == {next(iter(_claims(store))): [("one", "", 0.9)]}
    finally:
        store.driver.execute_query("MATCH (v:SchemaVersion) SET v.version = 2")


def _lists(store) -> dict[str, list]:
    """Edge key -> its relationship's stored claim confidences (None: kept implicit)."""
    return {r[0]: r[1] for r in store._read("MATCH ()-[r]->() WHERE r.key IS NOT NULL "
                                            "RETURN r.key, r.claim_confidences")}


def _edges(store) -> list[tuple]:
    return sorted((e.key, e.confidence, e.properties,
                   sorted((c.source_id, c.locator, c.confidence) for c in e.sources))
                  for e in store.iter_edges())


def _materialise(store) -> None:
    """Write every implicit claim list out, as a database written before they were."""
    store.driver.execute_query("MATCH ()-[r]->() WHERE r.claim_sids IS NOT NULL AND "
                               "r.claim_confidences IS NULL SET r.claim_confidences = "
                               "[r.confidence], r.claim_props = [r.props]")


def test_an_edge_whose_one_claim_states_its_values_keeps_no_value_lists(neo4j_store_factory):
    store = neo4j_store_factory()
    store.write(batch("one", [A, B, C], [rel(A, B, "DEPENDS_ON", 0.8, locator="l1"),
                                         rel(A, B, "DEPENDS_ON", 0.6, locator="l2"),
                                         rel(B, C, "DEPENDS_ON", 0.7, role="x")]))
    lists = _lists(store)
    assert sorted(map(str, lists.values())) == ["None", "[0.8, 0.6]"]
    [(single, _)] = [(k, v) for k, v in lists.items() if v is None]
    store.write(batch("two", [B, C], [rel(B, C, "DEPENDS_ON", 0.5, locator="m")]))
    assert _lists(store)[single] == [0.7, 0.5]  # the first claim's values written out
    store.unload("two")
    assert _lists(store)[single] == [0.7]
    assert [c for key, _, props, c in _edges(store) if key == single] == [
        [("one", "", 0.7)]]


@pytest.mark.parametrize("written_out", [False, True], ids=["implicit", "written out"])
def test_claims_read_and_change_alike_in_either_shape(neo4j_store_factory, tmp_path,
                                                      written_out):
    """A database whose lists were all written out (before they could be implicit) reads,
    reloads and unloads as SQLite does."""
    neo, sqlite = neo4j_store_factory(), SQLiteStore(tmp_path / "s.db")
    steps = [lambda s: s.write(batch("one", [A, B, C], [rel(A, B, "DEPENDS_ON", 0.8),
                                                         rel(B, C, "DEPENDS_ON", 0.7)])),
             lambda s: s.write(batch("two", [B, C], [rel(B, C, "DEPENDS_ON", 0.5, "m"),
                                                     rel(A, C, "DEPENDS_ON", 0.4)])),
             lambda s: s.write(batch("one", [A, B, C], [rel(A, B, "DEPENDS_ON", 0.3),
                                                         rel(B, C, "DEPENDS_ON", 0.7)])),
             lambda s: s.unload("two"),
             lambda s: s.unload("one")]
    for i, step in enumerate(steps):
        for store in (neo, sqlite):
            step(store)
        if written_out:
            _materialise(neo)
        assert _edges(neo) == _edges(sqlite), f"after step {i}"
        assert neo.stats()["claims"] == sqlite.stats()["claims"]
    sqlite.close()

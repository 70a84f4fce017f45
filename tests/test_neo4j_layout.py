"""The Neo4j store's layout version: a database of layout 1 (edge claims as ``(:EdgeClaim)``
nodes) is upgraded when the store opens it, claims and all, and a database of a newer
layout than the code's is refused with a one-line error and left as it was."""

from __future__ import annotations

import pytest

from graph.store.base import StoreError
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
                    "locator: r.claim_locators[i], confidence: r.claim_confidences[i], "
                    "props: r.claim_props[i]})").consume()
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

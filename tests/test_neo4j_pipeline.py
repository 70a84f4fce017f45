"""The Neo4j store sends a part's batched writes as a pipeline (the client makes the next
batch while the server executes one): a write that fails in the middle of it still fails
the whole transaction with Neo4j's own error, and leaves the database as it was."""

from __future__ import annotations

import pytest

from graph.model import Entity
from graph.store.base import StoreError
from tests.helpers import batch, counts, org, rel

pytestmark = pytest.mark.neo4j


def _entities(clash: int) -> list[Entity]:
    """Six organisations whose claims have locators ``line 0``..``line 5``, except that the
    one at ``clash`` repeats the first one's."""
    return [Entity("Organization", f"Org {i}", locator=f"line {0 if i == clash else i}")
            for i in range(6)]


@pytest.mark.parametrize("clash", [2, 4], ids=["middle batch", "last batch"])
def test_a_failed_batch_fails_the_write_with_its_own_error(neo4j_store_factory, clash):
    store = neo4j_store_factory()
    a, b = (Entity("Organization", name, locator=name) for name in ("Alpha", "Beta"))
    store.write(batch("first", [a, b], [rel(a, b, "DEPENDS_ON")]))
    before = (counts(store), [s.source_id for s in store.sources()])
    store.batch_size = 2  # the six node claims go in three batches
    store.driver.execute_query("CREATE CONSTRAINT test_claim_locator IF NOT EXISTS "
                               "FOR (c:NodeClaim) REQUIRE c.locator IS UNIQUE")
    try:
        with pytest.raises(StoreError) as raised:
            store.write(batch("second", _entities(clash)))
    finally:
        store.driver.execute_query("DROP CONSTRAINT test_claim_locator IF EXISTS")
    message = str(raised.value)
    assert "already exists with label `NodeClaim` and property `locator` = 'line 0'" in message
    assert (counts(store), [s.source_id for s in store.sources()]) == before
    store.write(batch("second", _entities(clash)))  # without the constraint it loads
    assert counts(store)[0] == 8


def _parts(store) -> None:
    """One source in three parts into ``store``: part 2 states part 1's edge again (another
    locator), part 3 a new one."""
    a, b, c = (Entity("Organization", n) for n in ("Alpha", "Beta", "Gamma"))
    parts = [batch("s", [a, b, c], [rel(a, b, "DEPENDS_ON", 0.8, locator="1")]),
             batch("s", [], [rel(a, b, "DEPENDS_ON", 0.6, locator="2")]),
             batch("s", [], [rel(b, c, "DEPENDS_ON", 0.7, locator="3")])]
    store.write_parts(lambda: iter(parts), 6)


@pytest.mark.parametrize("relations_before", [False, True], ids=["none", "some"])
def test_a_source_restating_its_own_edge_gets_one_edge(neo4j_store_factory, tmp_path,
                                                       relations_before):
    """Into a store with no relations the transaction knows which edges exist without
    reading them (the ones it made); with relations it reads them: the same graph."""
    from graph.store.sqlite import SQLiteStore

    neo, sqlite = neo4j_store_factory(), SQLiteStore(tmp_path / "s.db")
    for store in (neo, sqlite):
        if relations_before:
            x, y = org("X"), org("Y")
            store.write(batch("before", [x, y], [rel(x, y, "DEPENDS_ON")]))
        _parts(store)
    edges = [sorted((e.key, e.confidence, sorted((c.locator, c.confidence) for c in e.sources))
                    for e in s.iter_edges()) for s in (neo, sqlite)]
    assert edges[0] == edges[1] and counts(neo) == counts(sqlite)
    assert len(edges[0]) == 2 + relations_before  # part 2 added a claim, not an edge
    assert sorted(len(claims) for _, _, claims in edges[0])[-1] == 2
    sqlite.close()

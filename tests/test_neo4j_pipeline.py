"""The Neo4j store sends a part's batched writes as a pipeline (the client makes the next
batch while the server executes one): a write that fails in the middle of it still fails
the whole transaction with Neo4j's own error, and leaves the database as it was."""

from __future__ import annotations

import pytest

from graph.model import Entity
from graph.store.base import StoreError
from tests.helpers import batch, counts, rel

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

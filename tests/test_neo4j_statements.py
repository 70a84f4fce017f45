"""What the Neo4j store sends: list parameters keep a short ``repr`` (the driver formats
every RUN message's parameters for its debug log, on or off) and pack to the same bytes as
plain lists."""

from __future__ import annotations

import logging

import pytest
from neo4j._codec.packstream.v1 import Packer

from graph.store.neo4j_tx import Values, parameters
from tests.helpers import batch, org


class _Buffer:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> None:
        self.data += chunk


def _packed(value: object) -> bytes:
    buffer = _Buffer()
    Packer(buffer).pack(value)
    return bytes(buffer.data)


def test_list_parameters_have_a_short_repr_and_pack_as_lists():
    rows = [["x0", "h2704", 0.6, None, [3], ["edges.csv:2"], {"k": "v"}]] * 5000
    sent = parameters({"rows": rows, "sid": 3, "keys": ["a", "b"]})
    assert isinstance(sent["rows"], Values) and isinstance(sent["keys"], Values)
    assert sent["sid"] == 3
    assert repr(sent["rows"]) == "<5000 values>"
    assert _packed(sent) == _packed({"rows": rows, "sid": 3, "keys": ["a", "b"]})


@pytest.mark.neo4j
def test_a_large_write_logs_no_rows_and_lands(neo4j_store_factory, caplog):
    store = neo4j_store_factory()
    entities = [org(f"Org {i}") for i in range(1200)]
    with caplog.at_level(logging.DEBUG, logger="neo4j"):
        store.write(batch("many", entities, []))
    runs = [r.getMessage() for r in caplog.records if " C: RUN " in r.getMessage()]
    assert runs and max(len(m) for m in runs) < 2000
    assert store.stats()["nodes"] == 1200

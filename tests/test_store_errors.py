"""Stores say what went wrong with the StoreError subclasses of graph/store/base.py: an
unknown source is UnknownEntity, a relation naming nothing is BadReference with the loader's
source and the relation's locator, a write lock held by another process is StoreBusy, an
unreachable Neo4j is BackendUnavailable. Each leaves the store as it was."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from graph.model import Entity
from graph.store.base import BackendUnavailable, BadReference, StoreBusy, UnknownEntity
from graph.store.sqlite import SQLiteStore
from tests.helpers import batch, counts, org, rel

IANA = org("IANA", "Registry")
AFRINIC = org("AFRINIC", "Registry")


def test_unloading_an_unknown_source_is_unknown_entity(store):
    store.write(batch("page-1", [IANA]))
    with pytest.raises(UnknownEntity, match="no source 'page-9'"):
        store.unload("page-9")
    assert counts(store) == (1, 0, 0)


def test_a_relation_naming_nothing_is_a_bad_reference_with_its_line(store):
    store.write(batch("page-1", [IANA]))
    bad = batch("file.csv", [AFRINIC], [rel(AFRINIC, IANA, "DEPENDS_ON", locator="line 3"),
                                        rel(AFRINIC, "org:nowhere", "DEPENDS_ON",
                                            locator="line 12")])
    with pytest.raises(BadReference) as caught:
        store.write(bad)
    assert (caught.value.source_id, caught.value.locator) == ("file.csv", "line 12")
    assert "org:nowhere" in str(caught.value)
    assert counts(store) == (1, 0, 0)
    assert [s.source_id for s in store.sources()] == ["page-1"]


def test_a_relation_breaking_its_endpoint_families_is_refused(store):
    """ROLE_AT runs from a person to an organisation: a registry holding a role at a prefix
    is refused, naming the loader's source and the relation's line, and nothing changes."""
    prefix = Entity("Prefix", "192.0.2.0/24")
    store.write(batch("page-1", [IANA]))
    bad = batch("roles.csv", [AFRINIC, prefix],
                [rel(AFRINIC, IANA, "DEPENDS_ON", locator="line 2"),
                 rel(AFRINIC, prefix, "ROLE_AT", locator="line 7", role="CEO")])
    with pytest.raises(BadReference, match=r"roles.csv \(line 7\).*ROLE_AT.*prefix") as caught:
        store.write(bad)
    assert (caught.value.source_id, caught.value.locator) == ("roles.csv", "line 7")
    assert counts(store) == (1, 0, 0)
    store.write(batch("roles.csv", [AFRINIC, prefix],  # the other direction fits HELD_BY
                      [rel(prefix, AFRINIC, "HELD_BY", locator="line 7")]))
    assert counts(store) == (3, 1, 1)


def test_endpoint_families_are_checked_against_stored_nodes(store):
    """An end the batch does not define is checked with its stored node's family."""
    store.write(batch("people", [Entity("Person", "Lu Heng")]))
    bad = batch("docs", [], [rel("person:lu-heng", "org:iana", "HELD_BY", locator="line 1")])
    store.write(batch("page-1", [IANA]))
    with pytest.raises(BadReference, match="HELD_BY.*person"):
        store.write(bad)


LOCK_HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO merge_log(merged, into_id) VALUES ('x', 'y')")
print("locked", flush=True)
sys.stdin.read()  # until the test closes our stdin
db.execute("ROLLBACK")
"""


def test_a_write_lock_held_by_another_process_is_store_busy(tmp_path):
    path = tmp_path / "busy.db"
    with SQLiteStore(path) as store:
        store.write(batch("page-1", [IANA]))
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        store = SQLiteStore(path, busy_timeout_s=0.2)
        with pytest.raises(StoreBusy, match="busy"):
            store.write(batch("page-2", [AFRINIC]))
        with pytest.raises(StoreBusy):
            store.write_scores("pagerank", {"org:iana": 1.0})
        assert StoreBusy.retry_after > 0
    finally:
        holder.communicate("", timeout=30)
    store.write(batch("page-2", [AFRINIC]))  # the lock is free again
    assert counts(store) == (2, 0, 0)
    store.close()


def test_an_unreachable_neo4j_is_backend_unavailable():
    from graph.store.neo4j import Neo4jStore

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for scheme in ("bolt", "neo4j"):
        with pytest.raises(BackendUnavailable, match=f"127.0.0.1:{port}.*not reachable"):
            Neo4jStore(f"{scheme}://127.0.0.1:{port}")

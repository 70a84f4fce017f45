"""Crash safety: `govgraph load` killed with SIGKILL at random moments never leaves a broken or
half-written store. After every kill the database opens, ``PRAGMA integrity_check`` says
``ok``, and its counts equal the state before the load or the state after it.

The loaded source is streamed in parts of PART_ROWS records (13 parts, each written as it is
read, all in one transaction). The loaders that get killed are forked
(``loadgen.forked_load``), so the random moments all fall inside the load itself rather than
in the interpreter's start-up. On Neo4j, fewer kills: the counts after each kill are the
state before or after too."""

from __future__ import annotations

import random
import shutil
import subprocess
import time

import pytest

from graph.store.sqlite import SQLiteStore
from tests.loadgen import GOVGRAPH, forked_load, integrity, kill, load, state, write_source

KILLS = 21
NEO4J_KILLS = 6
SEED = 20260101
PART_ROWS = 1000  # the big source's 12,500 records are 13 parts


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("crash")
    base_src, big = folder / "base.jsonl", folder / "big.jsonl"
    write_source(base_src, 300, 600, seed=1)  # shares node names with the big source
    write_source(big, 2500, 10000, seed=2)
    base = folder / "base.db"
    store = SQLiteStore(base)
    store.close()
    assert subprocess.run([*GOVGRAPH, "load", str(base_src), "--db", str(base)],
                          capture_output=True).returncode == 0
    after = folder / "after.db"
    shutil.copy(base, after)
    started = time.perf_counter()
    proc = forked_load(big, after, PART_ROWS)
    proc.join(timeout=300)
    assert proc.exitcode == 0
    return {"folder": folder, "big": big, "base": base, "after": after,
            "seconds": time.perf_counter() - started}


def test_sigkill_during_load_leaves_before_or_after_state(setup: dict):
    before, after = state(setup["base"]), state(setup["after"])
    assert before != after
    rng = random.Random(SEED)
    outcomes = {"before": 0, "after": 0}
    killed_running = 0
    for i in range(KILLS):
        db = setup["folder"] / f"kill{i}.db"
        shutil.copy(setup["base"], db)
        proc = forked_load(setup["big"], db, PART_ROWS)
        time.sleep(rng.uniform(0.02, 1.25) * setup["seconds"])
        killed_running += kill(proc)
        assert integrity(db) == ("ok", []), f"kill {i}"
        now = state(db)
        assert now in (before, after), f"kill {i}: {now} is neither {before} nor {after}"
        outcomes["before" if now == before else "after"] += 1
    assert killed_running > 0  # some kills landed while the loader was still working
    print(f"\n{KILLS} kills over a {setup['seconds']:.1f} s load: {outcomes}, "
          f"{killed_running} while running")


def test_reload_after_a_kill_completes_to_the_after_state(setup: dict):
    """A killed load leaves nothing to clean up: loading again gives the complete state."""
    db = setup["folder"] / "reload.db"
    shutil.copy(setup["base"], db)
    proc = forked_load(setup["big"], db, PART_ROWS)
    time.sleep(0.6 * setup["seconds"])
    kill(proc)
    proc = load(setup["big"], db, PART_ROWS)
    assert proc.wait(timeout=300) == 0
    assert state(db) == state(setup["after"])
    proc = load(setup["big"], db, PART_ROWS)  # and reloading the same source changes nothing
    assert proc.wait(timeout=300) == 0
    assert state(db) == state(setup["after"])


def _neo4j_state(uri: str) -> tuple:
    """The counts once the killed client's transaction has ended on the server: a kill that
    lands just after the client sent COMMIT leaves the server committing (or rolling back)
    on its own, and counts read in several queries meanwhile would mix before and after."""
    from graph.store.neo4j import Neo4jStore

    store = Neo4jStore(uri)
    try:
        _await_no_other_transaction(store)
        stats = store.stats()
        claims = store.driver.execute_query("MATCH (c:NodeClaim) RETURN count(c) AS n",
                                            database_=store.database).records[0]["n"]
        return stats["nodes"], stats["edges"], claims, stats["claims"], stats["sources"]
    finally:
        store.close()


def _await_no_other_transaction(store, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        others = [r for r in store.driver.execute_query(
            "SHOW TRANSACTIONS YIELD currentQuery", database_=store.database).records
            if not (r["currentQuery"] or "").startswith("SHOW TRANSACTIONS")]
        if not others:
            return
        time.sleep(0.1)
    raise AssertionError(f"a transaction still open {timeout_s} s after the kill: {others}")


@pytest.mark.neo4j
def test_sigkill_during_streamed_neo4j_load_leaves_before_or_after_state(neo4j_store_factory,
                                                                         tmp_path):
    uri = neo4j_store_factory().uri
    base_src, big = tmp_path / "base.jsonl", tmp_path / "big.jsonl"
    write_source(base_src, 300, 600, seed=1)
    write_source(big, 1000, 3000, seed=2)  # 4,000 records: four parts

    def fresh() -> None:
        neo4j_store_factory().clear()
        assert load(base_src, uri).wait(timeout=300) == 0

    fresh()
    before = _neo4j_state(uri)
    started = time.perf_counter()
    proc = forked_load(big, uri, PART_ROWS)
    proc.join(timeout=600)
    assert proc.exitcode == 0
    seconds = time.perf_counter() - started
    after = _neo4j_state(uri)
    assert before != after
    rng = random.Random(SEED)
    killed_running = 0
    for i in range(NEO4J_KILLS):
        fresh()
        proc = forked_load(big, uri, PART_ROWS)
        time.sleep(rng.uniform(0.05, 1.1) * seconds)
        killed_running += kill(proc)
        now = _neo4j_state(uri)
        assert now in (before, after), f"kill {i}: {now} is neither {before} nor {after}"
    assert killed_running > 0

"""Crash safety: `govgraph load` killed with SIGKILL at random moments never leaves a broken or
half-written store. After every kill the database opens, ``PRAGMA integrity_check`` says
``ok``, and its counts equal the state before the load or the state after it.

The loaders that get killed are forked from this process with everything already imported,
so each starts loading at once and the random moments all fall inside the load itself (a
fresh interpreter spends its first second or more importing)."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.cli import app
from graph.store.sqlite import SQLiteStore

GOVGRAPH = [sys.executable, "-m", "api.cli"]
KILLS = 21
SEED = 20260101
FORK = multiprocessing.get_context("fork")


def write_source(path: Path, nodes: int, edges: int, seed: int) -> None:
    """One JSON Lines source (so one transaction) of organisations and dependencies."""
    rng = random.Random(seed)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < edges:
        a, b = rng.randrange(nodes), rng.randrange(nodes)
        if a != b:
            pairs.add((a, b))
    with path.open("w") as fh:
        for i in range(nodes):
            fh.write(json.dumps({"id": f"n{i}", "type": "Organization",
                                 "name": f"Crash Org {i}"}) + "\n")
        for a, b in sorted(pairs):
            fh.write(json.dumps({"source": f"n{a}", "target": f"n{b}", "type": "DEPENDS_ON",
                                 "confidence": 0.8}) + "\n")


def state(db: Path) -> tuple[int, int, int, int, int]:
    """Counts of nodes, edges, node claims, edge claims and sources, read without govgraph."""
    conn = sqlite3.connect(db)
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in
                     ("nodes", "edges", "node_claims", "edge_claims", "sources"))
    finally:
        conn.close()


def integrity(db: Path) -> tuple[str, list]:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("PRAGMA integrity_check").fetchone()[0],
                conn.execute("PRAGMA foreign_key_check").fetchall())
    finally:
        conn.close()


def load(source: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([*GOVGRAPH, "load", str(source), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _cli_load(source: str, db: str) -> None:
    app(["load", source, "--db", db])


def forked_load(source: Path, db: Path) -> multiprocessing.Process:
    """`govgraph load SOURCE --db DB` in a forked child process."""
    proc = FORK.Process(target=_cli_load, args=(str(source), str(db)), daemon=True)
    proc.start()
    return proc


def kill(proc: multiprocessing.Process) -> bool:
    """SIGKILL the loader; True if it was still running."""
    running = proc.is_alive()
    if running:
        with contextlib.suppress(ProcessLookupError):  # it may end in between
            os.kill(proc.pid, signal.SIGKILL)
    proc.join(timeout=60)
    return running


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
    proc = forked_load(big, after)
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
        proc = forked_load(setup["big"], db)
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
    proc = forked_load(setup["big"], db)
    time.sleep(0.6 * setup["seconds"])
    kill(proc)
    proc = load(setup["big"], db)
    assert proc.wait(timeout=300) == 0
    assert state(db) == state(setup["after"])
    proc = load(setup["big"], db)  # and reloading the same source again changes nothing
    assert proc.wait(timeout=300) == 0
    assert state(db) == state(setup["after"])

"""Generated sources and loader processes for the crash and concurrency tests.

The loaders are forked from the test process with everything already imported, so each
starts loading at once (a fresh interpreter spends its first second or more importing)."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from api.cli import app

GOVGRAPH = [sys.executable, "-m", "api.cli"]
FORK = multiprocessing.get_context("fork")


def write_source(path: Path, nodes: int, edges: int, seed: int, prefix: str = "n") -> None:
    """One JSON Lines source (so one transaction) of organisations and dependencies; node
    keys are ``<prefix><i>``, names ``Crash Org <i>`` (sources share names, not keys)."""
    rng = random.Random(seed)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < edges:
        a, b = rng.randrange(nodes), rng.randrange(nodes)
        if a != b:
            pairs.add((a, b))
    with path.open("w") as fh:
        for i in range(nodes):
            fh.write(json.dumps({"id": f"{prefix}{i}", "type": "Organization",
                                 "name": f"Crash Org {i}"}) + "\n")
        for a, b in sorted(pairs):
            fh.write(json.dumps({"source": f"{prefix}{a}", "target": f"{prefix}{b}",
                                 "type": "DEPENDS_ON", "confidence": 0.8}) + "\n")


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


def load(source: Path, db: Path, part_rows: int | None = None) -> subprocess.Popen:
    env = None if part_rows is None else {**os.environ, "GOVGRAPH_PART_ROWS": str(part_rows)}
    return subprocess.Popen([*GOVGRAPH, "load", str(source), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def _cli_load(source: str, db: str, part_rows: int | None) -> None:
    if part_rows is not None:
        from api import ops

        ops.PART_ROWS = part_rows
    app(["load", source, "--db", db])


def forked_load(source: Path, db: Path | str,
                part_rows: int | None = None) -> multiprocessing.Process:
    """`govgraph load SOURCE --db DB` in a forked child process (a streamed source in parts
    of ``part_rows`` records)."""
    proc = FORK.Process(target=_cli_load, args=(str(source), str(db), part_rows), daemon=True)
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

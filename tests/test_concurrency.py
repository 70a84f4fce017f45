"""Concurrency: a running `govgraph serve` keeps answering while a load writes to its store
(SQLite in WAL mode), and two loaders at once are serialised (``BEGIN IMMEDIATE`` with a
busy timeout) or one is refused with a one-line message; never corrupted."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from graph.store.sqlite import SQLiteStore
from tests.loadgen import GOVGRAPH, forked_load, integrity, state, write_source


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graph_content(db: Path) -> tuple[list[str], list[str]]:
    """Node ids and edge keys: what a load order must not change."""
    store = SQLiteStore(db)
    try:
        nodes = sorted(r[0] for r in store.db.execute("SELECT id FROM nodes"))
        edges = sorted(r[0] for r in store.db.execute("SELECT key FROM edges"))
        return nodes, edges
    finally:
        store.close()


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("concurrency")
    a, b = folder / "a.jsonl", folder / "b.jsonl"
    write_source(a, 2500, 10000, seed=3, prefix="a")
    write_source(b, 2500, 10000, seed=4, prefix="b")  # same names: the sources share nodes
    empty = folder / "empty.db"
    SQLiteStore(empty).close()
    return {"folder": folder, "a": a, "b": b, "empty": empty}


@pytest.fixture
def server(sources: dict[str, Path], tmp_path: Path):
    """`govgraph serve` on a free 127.0.0.1 port over a fresh database."""
    db = tmp_path / "served.db"
    shutil.copy(sources["empty"], db)
    port = free_port()
    proc = subprocess.Popen([*GOVGRAPH, "serve", "--db", str(db), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    for _ in range(600):
        try:
            if client.get("/health").status_code == 200:
                break
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.1)
    yield db, client
    client.close()
    proc.terminate()
    proc.wait(timeout=30)


def test_reads_answer_while_a_load_runs(server, sources: dict[str, Path]):
    db, client = server
    loader = forked_load(sources["a"], db)
    answered, during = [], 0
    while loader.is_alive():
        for path in ("/health", "/entities?q=Crash%20Org%201", "/subgraph?id=Crash%20Org%201"):
            response = client.get(path)
            answered.append((path, response.status_code))
            during += loader.is_alive()
    loader.join()
    assert loader.exitcode == 0
    assert during > 0  # reads were made while the load was running ...
    bad = [a for a in answered if a[1] not in (200, 404)]  # (404: not loaded yet)
    assert not bad  # ... and every one answered
    health = client.get("/health").json()
    assert (health["nodes"], health["edges"]) == state(db)[:2]
    assert health["edges"] == 10000


def test_two_loaders_at_once_are_serialised(sources: dict[str, Path], tmp_path: Path):
    """Both finish and the result equals loading one after the other; or one is refused
    with a one-line 'busy' message and the result equals the other alone."""
    sequential = tmp_path / "sequential.db"
    shutil.copy(sources["empty"], sequential)
    for name in ("a", "b"):
        assert subprocess.run([*GOVGRAPH, "load", str(sources[name]), "--db",
                               str(sequential)], capture_output=True).returncode == 0
    db = tmp_path / "together.db"
    shutil.copy(sources["empty"], db)
    loaders = [forked_load(sources[name], db) for name in ("a", "b")]
    for proc in loaders:
        proc.join(timeout=600)
    codes = [proc.exitcode for proc in loaders]
    assert integrity(db) == ("ok", [])
    if codes == [0, 0]:
        assert graph_content(db) == graph_content(sequential)
        assert state(db) == state(sequential)
    else:  # one was refused: what is there is exactly the other source
        assert sorted(codes) == [0, 1]
        alone = tmp_path / "alone.db"
        shutil.copy(sources["empty"], alone)
        winner = "ab"[codes.index(0)]
        assert subprocess.run([*GOVGRAPH, "load", str(sources[winner]), "--db", str(alone)],
                              capture_output=True).returncode == 0
        assert graph_content(db) == graph_content(alone)


def test_a_busy_store_is_refused_with_one_line(sources: dict[str, Path], tmp_path: Path):
    """A loader that cannot get the write lock within the busy timeout says so on one line
    and exits 75 (EX_TEMPFAIL: try again later; here another connection holds the lock for
    longer than the timeout)."""
    db = tmp_path / "busy.db"
    shutil.copy(sources["empty"], db)
    holder = SQLiteStore(db)
    holder.db.execute("BEGIN IMMEDIATE")
    try:
        proc = subprocess.run([*GOVGRAPH, "load", str(sources["a"]), "--db", str(db)],
                              env={**os.environ, "GOVGRAPH_BUSY_TIMEOUT_S": "1"},
                              capture_output=True, text=True, timeout=300)
    finally:
        holder.db.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == 75
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "busy" in lines[0] and "Traceback" not in proc.stderr
    assert state(db)[:2] == (0, 0)


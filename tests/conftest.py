"""Shared fixtures. ``store`` is parametrised over every backend: each behaviour test that
takes it runs on SQLite, in memory and (marked ``neo4j``) on a real Neo4j server."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.store import GraphStore
from graph.store.memory import MemoryStore
from graph.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


STORE_KINDS: list = ["sqlite", "memory"]
if importlib.util.find_spec("graph.store.neo4j") is not None:
    STORE_KINDS.append(pytest.param("neo4j", marks=pytest.mark.neo4j))


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each kind."""
    if request.param == "sqlite":
        s = SQLiteStore(tmp_path / "test.db")
    elif request.param == "memory":
        s = MemoryStore()
    else:
        s = request.getfixturevalue("neo4j_store_factory")()
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "test.db")
    yield s
    s.close()


@pytest.fixture
def write_file(tmp_path: Path):
    """Write text to a file under tmp_path and return its path."""

    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding=encoding)
        return path

    return write


@pytest.fixture(scope="session")
def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def neo4j_uri(in_ci: bool) -> Iterator[str]:
    """A Neo4j server for the whole session: ``NEO4J_URI`` when set (its govgraph data is
    wiped per test: point it at a throw-away database), else the test server from
    tools/neo4j-test-server, started once. Without Java or Maven the Neo4j tests skip with
    the reason, except under CI=true, where that is a failure."""
    if os.environ.get("NEO4J_URI"):
        yield os.environ["NEO4J_URI"]
        return
    from tests.neo4j_server import Neo4jTestServer, server_unavailable_reason

    reason = server_unavailable_reason()
    if reason:
        if in_ci:
            pytest.fail(f"the Neo4j tests must run under CI=true, but {reason}")
        pytest.skip(reason)
    server = Neo4jTestServer()
    try:
        uri = server.start()
    except RuntimeError as exc:
        pytest.fail(f"cannot start the Neo4j test server: {exc}")
    yield uri
    server.stop()


@pytest.fixture
def neo4j_store_factory(neo4j_uri: str):
    """Makes Neo4jStore instances on the session's server; the first one made in a test
    starts from an empty database."""
    from graph.store.neo4j import Neo4jStore

    made: list[Neo4jStore] = []

    def make() -> Neo4jStore:
        store = Neo4jStore(neo4j_uri)
        if not made:
            store.clear()
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built by the real ``govgraph demo --no-serve`` (once per session)."""
    import subprocess
    import sys

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    subprocess.run([sys.executable, "-m", "api.cli", "demo", "--no-serve", "--db", str(path)],
                   cwd=ROOT, check=True, capture_output=True, timeout=600)
    return path

"""Shared fixtures. ``store`` is parametrised over every backend: each behaviour test that
takes it runs on SQLite and (marked ``neo4j``) on a real Neo4j server."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.store import GraphStore
from graph.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


STORE_KINDS: list = ["sqlite"]
if importlib.util.find_spec("graph.store.neo4j") is not None:
    STORE_KINDS.append(pytest.param("neo4j", marks=pytest.mark.neo4j))


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each kind."""
    if request.param == "sqlite":
        s = SQLiteStore(tmp_path / "test.db")
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
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built by the real ``govgraph demo --no-serve`` (once per session)."""
    import subprocess
    import sys

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    subprocess.run([sys.executable, "-m", "api.cli", "demo", "--no-serve", "--db", str(path)],
                   cwd=ROOT, check=True, capture_output=True, timeout=600)
    return path

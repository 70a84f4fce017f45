"""Graph stores: one interface (:class:`GraphStore`), an embedded SQLite backend, a Neo4j
backend and an in-memory one. :func:`open_store` picks one from a location string."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.store.base import (
    EdgeFilter,
    GraphStore,
    NoGraph,
    Projection,
    StoreError,
    WriteResult,
)

__all__ = ["EdgeFilter", "GraphStore", "Projection", "StoreError", "WriteResult",
           "is_neo4j_uri", "open_store"]

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def is_neo4j_uri(location: str | Path) -> bool:
    """Whether ``location`` names a Neo4j server rather than a SQLite file."""
    return str(location).startswith(NEO4J_SCHEMES)


def open_store(location: str | Path, create: bool = True, **options: Any) -> GraphStore:
    """A SQLite file path, a Neo4j URI (``neo4j://host:7687``), or ``memory:`` (a new empty
    in-memory store, gone when the process ends). ``options`` go to the backend (SQLite:
    ``busy_timeout_s``; Neo4j: ``user``, ``password``, ``database``).

    With ``create=False`` (a command that only reads) a SQLite file that does not exist
    raises :class:`NoGraph` and no file is made; ``:memory:`` and Neo4j URIs are opened
    as they are. An unreachable Neo4j server raises :class:`BackendUnavailable` at once."""
    text = str(location)
    if text.startswith("memory:"):
        from graph.store.memory import MemoryStore

        return MemoryStore(text.removeprefix("memory:"))
    if is_neo4j_uri(text):
        from graph.store.neo4j import Neo4jStore

        return Neo4jStore(text, **options)
    from graph.store.sqlite import SQLiteStore

    if not create and text != ":memory:" and not Path(text).exists():
        raise NoGraph(f"{text}: no graph there (no such file); load one with "
                      f"`govgraph load PATH --db {text}`")
    return SQLiteStore(Path(text), **options)


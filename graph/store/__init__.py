"""Graph stores: one interface (:class:`GraphStore`), an embedded SQLite backend, a Neo4j
backend and an in-memory one. :func:`open_store` picks one from a location string."""

from __future__ import annotations

from pathlib import Path

from graph.store.base import EdgeFilter, GraphStore, Projection, StoreError, WriteResult

__all__ = ["EdgeFilter", "GraphStore", "Projection", "StoreError", "WriteResult", "open_store"]

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def open_store(location: str | Path) -> GraphStore:
    """A SQLite file path, a Neo4j URI (``neo4j://host:7687``), or ``memory:`` (a new empty
    in-memory store, gone when the process ends)."""
    text = str(location)
    if text.startswith("memory:"):
        from graph.store.memory import MemoryStore

        return MemoryStore(text.removeprefix("memory:"))
    if text.startswith(NEO4J_SCHEMES):
        from graph.store.neo4j import Neo4jStore

        return Neo4jStore(text)
    from graph.store.sqlite import SQLiteStore

    return SQLiteStore(Path(text))

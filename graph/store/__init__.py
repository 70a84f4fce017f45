"""Graph stores: one interface (:class:`GraphStore`), an embedded SQLite backend and a Neo4j
backend. :func:`open_store` picks one from a location string."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from graph.store.base import (
    BackendUnavailable,
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
    """A SQLite file path, or a Neo4j URI (``neo4j://host:7687``). ``options`` go to the
    backend (SQLite: ``busy_timeout_s``; Neo4j: ``user``, ``password``, ``database``).

    With ``create=False`` (a command that only reads) a SQLite file that does not exist
    raises :class:`NoGraph` and no file is made; ``:memory:`` and Neo4j URIs are opened
    as they are."""
    text = str(location)
    if is_neo4j_uri(text):
        from graph.store.neo4j import Neo4jStore

        _check_reachable(text, options.get("user"), options.get("password") or "")
        return Neo4jStore(text, **options)
    from graph.store.sqlite import SQLiteStore

    if not create and text != ":memory:" and not Path(text).exists():
        raise NoGraph(f"{text}: no graph there (no such file); load one with "
                      f"`govgraph load PATH --db {text}`")
    return SQLiteStore(Path(text), **options)


def _check_reachable(uri: str, user: str | None, password: str) -> None:
    """BackendUnavailable at once when no Neo4j server answers at ``uri`` (the driver would
    otherwise retry each query for a minute). Wrong credentials are the store's to report:
    the server answered."""
    import neo4j
    from neo4j.exceptions import AuthError, ServiceUnavailable

    driver_log = logging.getLogger("neo4j")
    level = driver_log.level
    driver_log.setLevel(logging.CRITICAL)  # its retry warnings would say the same again
    with neo4j.GraphDatabase.driver(uri, auth=(user, password) if user else None) as driver:
        try:
            driver.verify_connectivity()
        except AuthError:
            return
        except (ServiceUnavailable, OSError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise BackendUnavailable(f"{uri}: Neo4j is not reachable ({reason})") from exc
        finally:
            driver_log.setLevel(level)

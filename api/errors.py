"""What went wrong, said the same way by the CLI and the API.

The stores raise the :class:`~graph.store.base.StoreError` subclasses; :func:`classify`
also recognises the two cases a backend reports in its own words (SQLite's "database is
locked", a Neo4j server that does not answer), wherever they surface. :data:`HTTP_STATUS`
and :data:`EXIT_CODES` map each class to its answer (docs/api.md lists them).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from neo4j.exceptions import ServiceUnavailable, SessionExpired

from graph.store.base import (
    AmbiguousName,
    BackendUnavailable,
    BadReference,
    NoGraph,
    StoreBusy,
    StoreError,
    UnknownEntity,
)

#: HTTP status of each error class; a StoreError of no subclass is a refused request (400).
HTTP_STATUS: dict[type[StoreError], int] = {
    UnknownEntity: 404, NoGraph: 404, AmbiguousName: 409, BadReference: 422,
    StoreBusy: 503, BackendUnavailable: 503, StoreError: 400,
}

#: CLI exit status of each error class (75 and 69 are sysexits' EX_TEMPFAIL, EX_UNAVAILABLE).
EXIT_CODES: dict[type[StoreError], int] = {
    UnknownEntity: 1, NoGraph: 1, AmbiguousName: 1, BadReference: 1,
    StoreBusy: 75, BackendUnavailable: 69, StoreError: 1,
}


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from or while handling, innermost last."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def classify(exc: BaseException) -> BaseException:
    """The error class that says what happened: ``exc`` itself when it is already a
    StoreError subclass; StoreBusy when a SQLite write lock was refused anywhere in its
    chain; BackendUnavailable when a Neo4j server stopped answering; else ``exc``."""
    if isinstance(exc, StoreError) and type(exc) is not StoreError:
        return exc
    message = " ".join(str(exc).split())
    said = isinstance(exc, StoreError)  # the store's own message already says what
    for cause in _causes(exc):
        if _locked(cause):
            return StoreBusy(message if said else f"the store is busy ({message}): another "
                             "process is writing to it; try again when it ends")
        if isinstance(cause, ServiceUnavailable | SessionExpired):
            return BackendUnavailable(message if said else f"Neo4j is not reachable "
                                                           f"({message})")
    return exc


def http_status(exc: StoreError) -> int:
    """The status a StoreError answers with (its nearest class in HTTP_STATUS)."""
    return next(HTTP_STATUS[k] for k in type(exc).__mro__ if k in HTTP_STATUS)


def exit_code(exc: StoreError) -> int:
    """The CLI's exit status for a StoreError (its nearest class in EXIT_CODES)."""
    return next(EXIT_CODES[k] for k in type(exc).__mro__ if k in EXIT_CODES)


def http_body(exc: StoreError) -> dict[str, Any]:
    """``{"error": message}``, plus ``candidates`` (id, type, name) for an ambiguous name."""
    body: dict[str, Any] = {"error": str(exc)}
    if isinstance(exc, AmbiguousName):
        body["candidates"] = [{"id": i, "type": t, "name": n} for i, t, n in exc.candidates]
    return body


def http_headers(exc: StoreError) -> dict[str, str] | None:
    """``Retry-After`` for a busy store."""
    if isinstance(exc, StoreBusy):
        return {"Retry-After": str(exc.retry_after)}
    return None


def where(exc: BadReference) -> str:
    """``FILE:LINE: message`` for a bad reference: the file from the source id (``file:``
    prefix dropped), the line from the locator (``line N``); the plain message when either
    is unknown."""
    source = exc.source_id.removeprefix("file:")
    line = (exc.locator or "").removeprefix("line").strip()
    if not source:
        return str(exc)
    shown = Path(source).as_posix()
    return f"{shown}:{line}: {exc}" if line.isdigit() else f"{shown}: {exc}"

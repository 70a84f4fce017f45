"""Every tunable of govgraph, read from the environment once, by one object.

``SETTINGS`` lists each setting: its field, environment variable, default and meaning (the
table in docs/settings.md is this list). :meth:`Settings.from_env` reads and validates them
all; a value that does not parse is a :class:`SettingsError` naming the variable, never a
silent default. It sits in ``graph/`` so that every layer (graph, loaders, api) reads the
one object; the stores take their values as arguments from the CLI, the API and the library
(``open_store(location, **settings.store_options())``); only this module reads
``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any


class SettingsError(ValueError):
    """An environment variable holds a value its setting cannot take."""


@dataclass(frozen=True, slots=True)
class Setting:
    field: str
    env: str
    default: str
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting("store", "GOVGRAPH_STORE", "govgraph.db", "SQLite file or Neo4j URI every command "
            "and the API use when `--db`/`--store` is not given (`GOVGRAPH_DB` is an older "
            "name for it)"),
    Setting("neo4j_user", "GOVGRAPH_NEO4J_USER", "", "Neo4j user (no authentication when "
            "unset)"),
    Setting("neo4j_password", "GOVGRAPH_NEO4J_PASSWORD", "", "Neo4j password"),
    Setting("neo4j_database", "GOVGRAPH_NEO4J_DATABASE", "neo4j", "Neo4j database name"),
    Setting("busy_timeout_s", "GOVGRAPH_BUSY_TIMEOUT_S", "30", "seconds a SQLite write waits "
            "for another writer before it is refused (CLI exit 75, API 503)"),
    Setting("max_file_bytes", "GOVGRAPH_MAX_FILE_BYTES", str(64 * 1024 * 1024), "largest "
            "file a loader reads"),
    Setting("host", "GOVGRAPH_HOST", "127.0.0.1", "address `govgraph serve` listens on"),
    Setting("port", "GOVGRAPH_PORT", "8000", "port `govgraph serve` and `govgraph demo` "
            "listen on"),
    Setting("workers", "GOVGRAPH_WORKERS", "1", "server processes of `govgraph serve` (one "
            "per core for a busy server)"),
    Setting("api_token", "GOVGRAPH_API_TOKEN", "", "bearer token for writes (POST /ingest, "
            "DELETE /sources); unset: writes disabled (403)"),
    Setting("cors_origins", "GOVGRAPH_CORS_ORIGINS", "", "comma-separated origins allowed to "
            "read (GET) across origins; unset: no CORS headers"),
    Setting("max_depth", "GOVGRAPH_MAX_DEPTH", "4", "deepest `depth` (422 over it)"),
    Setting("max_nodes", "GOVGRAPH_MAX_NODES", "2000", "largest node `limit` (422 over it)"),
    Setting("default_nodes", "GOVGRAPH_DEFAULT_NODES", "300", "node `limit` when none is "
            "given"),
    Setting("per_node_edges", "GOVGRAPH_PER_NODE_EDGES", "200", "edges of one node a "
            "neighbourhood follows (the rest are cut and reported)"),
    Setting("max_upload_bytes", "GOVGRAPH_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024),
            "largest upload (413 over it)"),
    Setting("query_timeout_s", "GOVGRAPH_QUERY_TIMEOUT_S", "20", "seconds a query may run "
            "(504 after)"),
    Setting("max_path_len", "GOVGRAPH_MAX_PATH_LEN", "8", "longest `/paths` `max_len` (422 "
            "over it)"),
    Setting("max_paths", "GOVGRAPH_MAX_PATHS", "20", "most paths `/paths` returns"),
    Setting("max_relations", "GOVGRAPH_MAX_RELATIONS", "1000", "largest `/entities/{id}` "
            "`limit` (422 over it)"),
    Setting("debug", "GOVGRAPH_DEBUG", "", "`1`: the CLI shows the traceback of an "
            "unexpected error instead of one line"),
    Setting("part_rows", "GOVGRAPH_PART_ROWS", "50000", "records per part of a streamed load "
            "(CSV, JSON Lines): memory follows the part, not the file"),
    Setting("cache", "GOVGRAPH_CACHE", "~/.cache/govgraph", "where `govgraph fetch` keeps "
            "downloaded datasets"),
    Setting("mirror", "GOVGRAPH_MIRROR", "", "base URL `govgraph fetch` downloads every file "
            "from, by its official name (unset: the official addresses)"),
    Setting("fetch_attempts", "GOVGRAPH_FETCH_ATTEMPTS", "5", "tries of a broken download "
            "(each resumes where the last stopped)"),
    Setting("fetch_timeout_s", "GOVGRAPH_FETCH_TIMEOUT_S", "60", "seconds a download waits "
            "for the server"),
    Setting("ner_model", "GOVGRAPH_NER_MODEL", "", "installed spaCy pipeline package whose "
            "PERSON and ORG entities the text pipeline adds as mentions, each resolved like "
            "any other (issue 14's evaluation; unset: off, and spaCy is never imported)"),
)

_OLD_NAMES = {"GOVGRAPH_STORE": "GOVGRAPH_DB"}


def _text(value: str) -> str:
    return value.strip()


def _optional(value: str) -> str | None:
    return value or None


def _whole(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError("must be a whole number") from None


def _count(value: str) -> int:
    number = _whole(value)
    if number < 1:
        raise ValueError("must be 1 or more")
    return number


def _port(value: str) -> int:
    number = _whole(value)
    if not 0 < number < 65536:
        raise ValueError("must be a port number, 1 to 65535")
    return number


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError("must be a number of seconds") from None
    if not number > 0:
        raise ValueError("must be a number of seconds above 0")
    return number


def _origins(value: str) -> tuple[str, ...]:
    return tuple(o.strip() for o in value.split(",") if o.strip())


def _flag(value: str) -> bool:
    if value.lower() in {"", "0", "false", "no", "off"}:
        return False
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    raise ValueError("must be 1 or 0")


_PARSERS: dict[str, Callable[[str], Any]] = {
    "store": _text, "neo4j_user": _optional, "neo4j_password": _text, "neo4j_database": _text,
    "busy_timeout_s": _seconds, "max_file_bytes": _count, "host": _text, "port": _port,
    "workers": _count, "api_token": _optional, "cors_origins": _origins, "max_depth": _count,
    "max_nodes": _count, "default_nodes": _count, "per_node_edges": _count,
    "max_upload_bytes": _count, "query_timeout_s": _seconds, "max_path_len": _count,
    "max_paths": _count, "max_relations": _count, "debug": _flag, "part_rows": _count,
    "cache": _text, "mirror": _optional, "fetch_attempts": _count,
    "fetch_timeout_s": _seconds, "ner_model": _optional,
}


def parse(setting: Setting, raw: str) -> Any:
    """``raw`` as the setting's type; SettingsError naming the variable when it cannot be."""
    try:
        return _PARSERS[setting.field](raw)
    except ValueError as exc:
        raise SettingsError(f"{setting.env}={raw!r}: {exc}") from None


@dataclass(frozen=True)
class Settings:
    """The values in force. ``Settings()`` is every default; :meth:`from_env` reads the
    environment. Tests and the library pass overrides as keyword arguments."""

    store: str = "govgraph.db"
    neo4j_user: str | None = None
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"
    busy_timeout_s: float = 30.0
    max_file_bytes: int = 64 * 1024 * 1024
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    api_token: str | None = None
    cors_origins: tuple[str, ...] = ()
    max_depth: int = 4
    max_nodes: int = 2000
    default_nodes: int = 300
    per_node_edges: int = 200
    max_upload_bytes: int = 50 * 1024 * 1024
    query_timeout_s: float = 20.0
    max_path_len: int = 8
    max_paths: int = 20
    max_relations: int = 1000
    debug: bool = False
    part_rows: int = 50_000
    cache: str = "~/.cache/govgraph"
    mirror: str | None = None
    fetch_attempts: int = 5
    fetch_timeout_s: float = 60.0
    ner_model: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """The settings the environment gives (``os.environ`` unless ``environ``), with
        ``overrides`` on top. Raises SettingsError for a value that does not parse."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(setting.env)
            if raw is None and setting.env in _OLD_NAMES:
                raw = env.get(_OLD_NAMES[setting.env])
            if raw is not None:
                values[setting.field] = parse(setting, raw)
        return replace(cls(**values), **overrides)

    def store_options(self, location: str) -> dict[str, Any]:
        """The keyword arguments :func:`graph.store.open_store` takes for ``location``'s
        backend."""
        from graph.store import is_neo4j_uri

        if is_neo4j_uri(location):
            return {"user": self.neo4j_user, "password": self.neo4j_password,
                    "database": self.neo4j_database}
        return {"busy_timeout_s": self.busy_timeout_s}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings.from_env()

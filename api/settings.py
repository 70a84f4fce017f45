"""Every tunable of the CLI and the HTTP service, read from the environment once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    store: str = field(default_factory=lambda: os.environ.get(
        "GOVGRAPH_STORE", os.environ.get("GOVGRAPH_DB", "govgraph.db")))
    api_token: str | None = field(default_factory=lambda: os.environ.get("GOVGRAPH_API_TOKEN")
                                  or None)
    max_depth: int = field(default_factory=lambda: _int("GOVGRAPH_MAX_DEPTH", 4))
    max_nodes: int = field(default_factory=lambda: _int("GOVGRAPH_MAX_NODES", 2000))
    default_nodes: int = field(default_factory=lambda: _int("GOVGRAPH_DEFAULT_NODES", 300))
    per_node_edges: int = field(default_factory=lambda: _int("GOVGRAPH_PER_NODE_EDGES", 200))
    max_upload_bytes: int = field(default_factory=lambda: _int("GOVGRAPH_MAX_UPLOAD_BYTES",
                                                               50 * 1024 * 1024))
    query_timeout_s: int = field(default_factory=lambda: _int("GOVGRAPH_QUERY_TIMEOUT_S", 20))
    max_path_len: int = field(default_factory=lambda: _int("GOVGRAPH_MAX_PATH_LEN", 8))
    max_paths: int = field(default_factory=lambda: _int("GOVGRAPH_MAX_PATHS", 20))
    max_relations: int = field(default_factory=lambda: _int("GOVGRAPH_MAX_RELATIONS", 1000))
    cors_origins: tuple[str, ...] = field(default_factory=lambda: tuple(
        o.strip() for o in os.environ.get("GOVGRAPH_CORS_ORIGINS", "").split(",") if o.strip()))
    host: str = field(default_factory=lambda: os.environ.get("GOVGRAPH_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: _int("GOVGRAPH_PORT", 8000))
    workers: int = field(default_factory=lambda: max(1, _int("GOVGRAPH_WORKERS", 1)))


def get_settings() -> Settings:
    return Settings()

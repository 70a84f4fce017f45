"""An empty Neo4j filled from a SQLite store two ways, timed until the store answers with
its indexes online (see docs/benchmarks.md):

- **batched**: ``govgraph sync --to`` (``graph.store.sync.sync``: batched ``UNWIND``
  transactions into the running server);
- **import**: ``govgraph export --format neo4j-import DIR`` (``write_import_files``), then
  ``neo4j-admin database import full`` into the stopped DBMS, then the server's start, the
  store's first open (which makes its indexes and constraints) and ``db.awaitIndexes``.

    python -m benchmarks.neo4j_bulk STORE.db [--json FILE]

Both use the benchmark server settings of ``--neo4j start`` (4 GB heap, 2 GB page cache,
G1 and the full JIT) from ``tools/neo4j-test-server``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERVER = {"heap": "4g", "pagecache_mib": 2048, "throughput": True}


def _server(data_dir: Path | None = None) -> Any:
    sys.path.insert(0, str(ROOT / "tests"))
    from neo4j_server import Neo4jTestServer

    return Neo4jTestServer(**SERVER, data_dir=data_dir)


def _ready(uri: str) -> dict[str, int]:
    """Open the store (indexes made), wait for the indexes; its counts."""
    from graph.store.neo4j import Neo4jStore

    store = Neo4jStore(uri)
    try:
        store.driver.execute_query("CALL db.awaitIndexes(3600)", database_=store.database)
        stats = store.stats()
        return {"nodes": stats["nodes"], "edges": stats["edges"]}
    finally:
        store.close()


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def batched(db: Path) -> dict[str, Any]:
    from graph.store.neo4j import Neo4jStore
    from graph.store.sqlite import SQLiteStore
    from graph.store.sync import sync

    server = _server()
    uri = server.start()
    try:
        with SQLiteStore(db) as src:
            dst = Neo4jStore(uri)
            try:
                _, seconds = _timed(lambda: sync(src, dst))
            finally:
                dst.close()
        counts, wait = _timed(lambda: _ready(uri))
    finally:
        server.stop()
    return {"seconds": seconds + wait, "sync_s": seconds, "indexes_s": wait, **counts}


def bulk(db: Path) -> dict[str, Any]:
    from graph.store.neo4j_import import run_import, write_import_files
    from graph.store.sqlite import SQLiteStore

    sys.path.insert(0, str(ROOT / "tests"))
    from neo4j_server import Neo4jTestServer, admin_tool

    work = Path(tempfile.mkdtemp(prefix="govgraph-bulk-"))
    try:
        with SQLiteStore(db) as src:
            rows, t_files = _timed(lambda: write_import_files(src, work / "files"))
        home = Neo4jTestServer.home(work / "server")
        home.mkdir(parents=True)
        admin = admin_tool(heap=SERVER["heap"])
        _, t_import = _timed(lambda: run_import(work / "files", admin, home))
        server = _server(work / "server")
        uri, t_start = _timed(server.start)
        try:
            counts, t_ready = _timed(lambda: _ready(uri))
        finally:
            server.stop()
        files_mb = sum(f.stat().st_size for f in (work / "files").iterdir()) / 1e6
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"seconds": t_files + t_import + t_start + t_ready, "files_s": t_files,
            "import_s": t_import, "start_s": t_start, "indexes_s": t_ready,
            "files_mb": files_mb, "rows": rows, **counts}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.neo4j_bulk",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("db", help="a govgraph SQLite store")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    db = Path(args.db)
    out = {"load_average": [round(x, 2) for x in os.getloadavg()],
           "import": bulk(db), "batched": batched(db)}
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    out["speedup"] = out["batched"]["seconds"] / out["import"]["seconds"]
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()

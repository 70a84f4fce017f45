"""The measured phases. Each runs in its own process (``python -m benchmarks.phases NAME
ARGS-JSON``) so that one phase's memory never pollutes another's, and prints one JSON object:
its timings, counts and ``rss_mb`` (the process's peak resident set, ``ru_maxrss``).

Baselines are what a straightforward script would do, measured in the same run:

- ``load_baseline``: one ``INSERT`` per CSV row and a commit per row, with Python's sqlite3
  defaults (rollback journal, ``synchronous=FULL``: what a naive script gets), or with
  ``wal=True`` in WAL mode with ``synchronous=NORMAL`` as govgraph runs (so the difference
  is batching alone); each edge row first looks up its two endpoints by key (indexed).
- ``centrality_networkx``: a networkx ``MultiDiGraph`` holding every node and edge attribute,
  built directly from the CSV rows, then networkx PageRank and sampled betweenness.
- ``neo4j_baseline``: one ``MERGE`` per row in auto-commit transactions (a py2neo-style
  loader), with a uniqueness constraint on the key so that MERGE is an index lookup.

The floor is what SQLite itself allows for the same rows: ``load_floor`` reads the CSV rows
into Python lists first (untimed), then times one ``executemany`` per table into bare tables
(no provenance, no aliases, no search), the endpoint indexes built once afterwards, and one
commit, in WAL mode with ``synchronous=NORMAL`` as govgraph runs. ``load_floor`` in the
ratios line is govgraph's load time divided by this. ``neo4j_floor`` is the same for Neo4j:
the rows created in two transactions (nodes, then relations) with no provenance.

A baseline that would run for very long is stopped after ``max_seconds`` and its total is
extrapolated from the rows (or betweenness sources) it finished; the output says so.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import resource
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil

PHASES: dict[str, Callable[..., dict[str, Any]]] = {}


def phase(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    PHASES[fn.__name__] = fn
    return fn


def rss_mb() -> float:
    """This process's resident set now, in MB."""
    return psutil.Process().memory_info().rss / 1e6


def peak_rss_mb() -> float:
    """This process's peak resident set so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def rows(path: Path) -> Iterator[dict[str, str]]:
    """CSV rows as dicts (empty cells left out)."""
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {k: v for k, v in row.items() if v != ""}


def edge_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("edges*.csv"))


def _fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


# ------------------------------------------------------------------------------ load
@phase
def load_sqlite(folder: str, db: str) -> dict[str, Any]:
    """``govgraph load`` of the generated files into a new SQLite store."""
    from api import ops
    from graph.store.sqlite import SQLiteStore

    folder_path, db_path = Path(folder), Path(db)
    _fresh(db_path)
    files = [str(folder_path / "nodes.csv"), *map(str, edge_files(folder_path))]
    started, cpu = time.perf_counter(), time.process_time()
    with SQLiteStore(db_path) as store:
        report = ops.load(store, files)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        stats = store.stats()
    if report.errors:
        raise RuntimeError("; ".join(report.errors))
    return {"seconds": seconds, "cpu_s": cpu, "nodes": stats["nodes"],
            "relations": stats["edges"], "relations_per_s": stats["edges"] / seconds,
            "db_mb": db_path.stat().st_size / 1e6}


_BASELINE_SCHEMA = """
CREATE TABLE nodes(nid INTEGER PRIMARY KEY, key TEXT UNIQUE, type TEXT, name TEXT, props TEXT);
CREATE TABLE edges(eid INTEGER PRIMARY KEY, src INTEGER, dst INTEGER, type TEXT,
                   confidence REAL, props TEXT);
CREATE INDEX edges_src ON edges(src);
CREATE INDEX edges_dst ON edges(dst);
"""


def _per_row(db: sqlite3.Connection, path: Path, deadline: float,
             insert: Callable[[sqlite3.Connection, dict[str, str]], None]) -> tuple[int, float]:
    """Rows of ``path`` inserted one per transaction until the deadline: (rows, seconds)."""
    started, done = time.perf_counter(), 0
    for row in rows(path):
        db.execute("BEGIN")
        insert(db, row)
        db.execute("COMMIT")
        done += 1
        if done % 256 == 0 and time.perf_counter() > deadline:
            break
    return done, time.perf_counter() - started


def _insert_node(db: sqlite3.Connection, row: dict[str, str]) -> None:
    props = {k: v for k, v in row.items() if k not in {"id", "type", "name"}}
    db.execute("INSERT INTO nodes(key, type, name, props) VALUES (?,?,?,?)",
               (row["id"], row["type"], row["name"], json.dumps(props)))


def _insert_edge(db: sqlite3.Connection, row: dict[str, str]) -> None:
    find = "SELECT nid FROM nodes WHERE key=?"
    src = db.execute(find, (row["source"],)).fetchone()[0]
    dst = db.execute(find, (row["target"],)).fetchone()[0]
    props = {k: v for k, v in row.items() if k not in {"source", "target", "type"}}
    db.execute("INSERT INTO edges(src, dst, type, confidence, props) VALUES (?,?,?,?,?)",
               (src, dst, row["type"], float(row.get("confidence", 0.9)), json.dumps(props)))


_FLOOR_SCHEMA = """
CREATE TABLE nodes(nid INTEGER PRIMARY KEY, key TEXT NOT NULL, type TEXT, name TEXT,
                   props TEXT);
CREATE TABLE edges(eid INTEGER PRIMARY KEY, src INTEGER NOT NULL, dst INTEGER NOT NULL,
                   type TEXT, confidence REAL, props TEXT);
"""
_FLOOR_INDEXES = """
CREATE UNIQUE INDEX nodes_key ON nodes(key);
CREATE INDEX edges_src ON edges(src);
CREATE INDEX edges_dst ON edges(dst);
"""


def _floor_rows(folder: Path) -> tuple[list[tuple], list[tuple]]:
    """The node and edge rows as the bare tables take them (endpoints as node numbers)."""
    nids: dict[str, int] = {}
    nodes = []
    for nid, row in enumerate(rows(folder / "nodes.csv"), 1):
        nids[row["id"]] = nid
        props = {k: v for k, v in row.items() if k not in {"id", "type", "name"}}
        nodes.append((nid, row["id"], row["type"], row["name"], json.dumps(props)))
    edges = []
    for path in edge_files(folder):
        for row in rows(path):
            props = {k: v for k, v in row.items()
                     if k not in {"source", "target", "type", "confidence"}}
            edges.append((nids[row["source"]], nids[row["target"]], row["type"],
                          float(row.get("confidence", 0.9)), json.dumps(props)))
    return nodes, edges


@phase
def load_floor(folder: str, db: str) -> dict[str, Any]:
    """The same rows into bare tables with ``executemany``: what SQLite allows."""
    db_path = Path(db)
    _fresh(db_path)
    nodes, edges = _floor_rows(Path(folder))
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(_FLOOR_SCHEMA)
    started, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO nodes VALUES (?,?,?,?,?)", nodes)
    conn.executemany("INSERT INTO edges(src, dst, type, confidence, props) VALUES (?,?,?,?,?)",
                     edges)
    for statement in filter(str.strip, _FLOOR_INDEXES.split(";")):
        conn.execute(statement)
    conn.execute("COMMIT")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    _fresh(db_path)
    return {"seconds": seconds, "cpu_s": cpu, "relations_per_s": len(edges) / seconds,
            "nodes": len(nodes), "relations": len(edges)}


@phase
def load_baseline(folder: str, db: str, nodes: int, relations: int,
                  max_seconds: float = 60.0, wal: bool = False) -> dict[str, Any]:
    """One INSERT and one COMMIT per row; extrapolated when stopped at ``max_seconds``."""
    folder_path, db_path = Path(folder), Path(db)
    _fresh(db_path)
    conn = sqlite3.connect(db_path, isolation_level=None)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(_BASELINE_SCHEMA)
    share = max_seconds / 2
    n_done, n_secs = _per_row(conn, folder_path / "nodes.csv", time.perf_counter() + share,
                              _insert_node)
    if n_done < nodes:  # edges need every node: insert the rest in one go, untimed
        rest = list(rows(folder_path / "nodes.csv"))[n_done:]
        conn.execute("BEGIN")
        for row in rest:
            _insert_node(conn, row)
        conn.execute("COMMIT")
    e_done, e_secs = 0, 0.0
    for path in edge_files(folder_path):
        left = max_seconds - n_secs - e_secs
        done, secs = _per_row(conn, path, time.perf_counter() + max(left, 1.0), _insert_edge)
        e_done, e_secs = e_done + done, e_secs + secs
        if left <= 0:
            break
    conn.close()
    seconds = n_secs * nodes / max(n_done, 1) + e_secs * relations / max(e_done, 1)
    return {"seconds": seconds, "relations_per_s": relations / seconds, "wal": wal,
            "rows_timed": n_done + e_done, "extrapolated": n_done < nodes or e_done < relations}


# ------------------------------------------------------------------------ centrality
ALL_RELATIONS = "all"
LAYERS = "layers"  # the dependency layers, as `govgraph centrality` projects them


def _filter(rel_types: str) -> Any:
    from graph.analytics import dependency_filter
    from graph.vocab import RELATION_TYPES

    if rel_types == LAYERS:
        return None
    return dependency_filter(list(RELATION_TYPES) if rel_types == ALL_RELATIONS else
                             rel_types.split(","))


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def cpu_s() -> float:
    """This process's CPU time so far (user + system), in seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _clocked(fn: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """``fn()`` and its wall and CPU seconds."""
    cpu = cpu_s()
    value, wall = _timed(fn)
    return value, {"wall_s": wall, "cpu_s": cpu_s() - cpu}


def _projected(store: Any, flt: Any, k: int) -> dict[str, Any]:
    """The projection (with the view the engine uses), then each measure on it, timed."""
    from graph.analytics import compute, measures, project

    gc.collect()
    before = rss_mb()
    graph, t_project = _clocked(lambda: project(store, flt))
    _, t_view = _clocked(lambda: graph.ig if graph.m > measures.NX_MAX_EDGES else graph.nx)
    gc.collect()
    projection_mb = rss_mb() - before
    projection_peak_mb = peak_rss_mb()
    print(f"projection: {t_project} view {t_view} {projection_mb:.0f} MB", file=sys.stderr,
          flush=True)
    per_measure = {}
    for name in ("pagerank", "betweenness", "dependents", "degree", "transitive_dependents",
                 "dependency_share", "cut_off", "articulation"):
        _, per_measure[name] = _clocked(lambda name=name: compute(graph, [name], k=k))
        print(f"{name}: {per_measure[name]} peak {peak_rss_mb():.0f} MB", file=sys.stderr,
              flush=True)  # progress: at 10M the phase runs for minutes
    return {"nodes": graph.n, "edges": graph.m, "k": k, "engine": measures.choose_engine(graph),
            "project_s": t_project["wall_s"] + t_view["wall_s"],
            "project_cpu_s": t_project["cpu_s"] + t_view["cpu_s"],
            "projection_mb": projection_mb, "projection_peak_rss_mb": projection_peak_mb,
            "pagerank_s": per_measure["pagerank"]["wall_s"],
            "betweenness_s": per_measure["betweenness"]["wall_s"], "measures": per_measure,
            "seconds": t_project["wall_s"] + t_view["wall_s"]
            + per_measure["pagerank"]["wall_s"] + per_measure["betweenness"]["wall_s"]}


@phase
def centrality_govgraph(db: str, k: int = 256, rel_types: str = ALL_RELATIONS,
                        suite: bool = True, each: bool = True) -> dict[str, Any]:
    """Projection (with its igraph view) and each measure on it (``each``), then the whole
    suite (``compute_and_store``: project, every measure, scores written back), with wall
    and CPU seconds per step of the suite (``suite_steps``), the peak resident set after
    each, and the load average."""
    from importlib import import_module

    from graph.analytics import compute_and_store

    compute = import_module("graph.analytics.compute")
    flt = _filter(rel_types)
    with _steps_store()(Path(db)) as store:
        out = {**(_projected(store, flt, k) if each else {}), "relation_types": rel_types}
        if suite:
            store.steps.clear()
            measure, by_layer = compute._measure_column, compute._layer_columns  # clocked
            compute._measure_column = lambda g, gs, name, *rest: store.step(
                "measure " + name, lambda: measure(g, gs, name, *rest))
            compute._layer_columns = lambda *args: store.step(
                "per-layer scores", lambda: by_layer(*args))
            try:
                _, clock = _clocked(lambda: compute_and_store(store, "all", flt, k=k))
            finally:
                compute._measure_column, compute._layer_columns = measure, by_layer
            out.update(suite_s=clock["wall_s"], suite_cpu_s=clock["cpu_s"],
                       suite_steps=store.steps, suite_peak_rss_mb=peak_rss_mb(),
                       suite_other_cpu_s=clock["cpu_s"] - sum(s["cpu_s"] for s in store.steps))
    return {**out, "loadavg": list(os.getloadavg())}


def _steps_store() -> type:
    """A SQLiteStore that clocks the suite's steps (wall, CPU, peak RSS after each): the
    projection and the write-back here, and the measures its ``step`` is given."""
    from graph.store.sqlite import SQLiteStore

    class StepsStore(SQLiteStore):
        steps: list[dict[str, Any]] = []

        def step(self, name: str, fn: Callable[[], Any]) -> Any:
            value, clock = _clocked(fn)
            self.steps.append({"step": name, **clock, "peak_rss_mb": peak_rss_mb(),
                               "loadavg_1m": os.getloadavg()[0]})
            print(self.steps[-1], file=sys.stderr, flush=True)
            return value

        def projection(self, *args: Any, **kwargs: Any) -> Any:
            return self.step("projection", lambda: super(StepsStore, self).projection(
                *args, **kwargs))

        def write_score_columns(self, *args: Any) -> None:
            self.step("write-back", lambda: super(StepsStore, self).write_score_columns(*args))

    return StepsStore


@phase
def centrality_networkx(folder: str, k: int = 256, rel_types: str = ALL_RELATIONS,
                        max_seconds: float = 60.0) -> dict[str, Any]:
    """The baseline: an all-attributes networkx MultiDiGraph built from the rows, networkx
    PageRank, and betweenness from ``k`` sources (extrapolated from fewer when slow)."""
    import networkx as nx

    folder_path = Path(folder)
    wanted = None if rel_types == ALL_RELATIONS else set(rel_types.split(","))
    gc.collect()
    before = rss_mb()

    def build() -> nx.MultiDiGraph:
        graph = nx.MultiDiGraph()
        for row in rows(folder_path / "nodes.csv"):
            graph.add_node(row.pop("id"), **row)
        for path in edge_files(folder_path):
            for row in rows(path):
                if wanted is None or row["type"] in wanted:
                    graph.add_edge(row.pop("source"), row.pop("target"), key=row["type"], **row)
        graph.remove_nodes_from([n for n, d in graph.degree() if d == 0])
        return graph

    graph, t_build = _timed(build)
    gc.collect()
    graph_mb = rss_mb() - before
    _, t_pagerank = _timed(lambda: nx.pagerank(graph, weight=None))
    probe = max(2, min(k, 8))
    _, t_probe = _timed(lambda: nx.betweenness_centrality(graph, k=probe, seed=42))
    k_run = k if t_probe * k / probe <= max_seconds else probe
    if k_run != probe:
        _, t_probe = _timed(lambda: nx.betweenness_centrality(graph, k=k_run, seed=42))
    t_betweenness = t_probe * k / k_run
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(), "k": k,
            "k_timed": k_run, "extrapolated": k_run < k, "build_s": t_build,
            "graph_mb": graph_mb, "pagerank_s": t_pagerank, "betweenness_s": t_betweenness,
            "seconds": t_build + t_pagerank + t_betweenness}


# ---------------------------------------------------------------------------- neo4j
def _clear_neo4j(uri: str) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=None) as driver:
        while driver.execute_query("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n "
                                   "RETURN count(*) AS c").records[0]["c"]:
            pass


def cpu_seconds(pid: int | None = None) -> float | None:
    """User + system CPU time of this process (or of process ``pid``; None if not given)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


@phase
def load_neo4j(folder: str, uri: str, server_pid: int | None = None) -> dict[str, Any]:
    """``govgraph load`` of the generated files into an emptied Neo4j database; with the CPU
    seconds this process (the client) and the server (``server_pid``, when known) spent."""
    from api import ops
    from graph.store import open_store

    _clear_neo4j(uri)
    folder_path = Path(folder)
    files = [str(folder_path / "nodes.csv"), *map(str, edge_files(folder_path))]
    store = open_store(uri)
    try:
        client, server = cpu_seconds(), cpu_seconds(server_pid) if server_pid else None
        load_average = os.getloadavg()[0]
        started = time.perf_counter()
        report = ops.load(store, files)
        seconds = time.perf_counter() - started
        client_cpu = (cpu_seconds() or 0.0) - (client or 0.0)
        server_cpu = None if server is None else (cpu_seconds(server_pid) or 0.0) - server
        stats = store.stats()
    finally:
        store.close()
    if report.errors:
        raise RuntimeError("; ".join(report.errors))
    return {"seconds": seconds, "nodes": stats["nodes"], "relations": stats["edges"],
            "relations_per_s": stats["edges"] / seconds, "client_cpu_s": client_cpu,
            "server_cpu_s": server_cpu, "load_average": load_average}


def batched_writes(query: str, items: list[list[Any]]) -> Callable[[Any], None]:
    """A transaction function running ``query`` over ``items`` as ``$rows`` in batches of
    5,000."""
    def work(tx: Any) -> None:
        for i in range(0, len(items), 5000):
            tx.run(query, rows=items[i:i + 5000]).consume()
    return work


@phase
def neo4j_floor(folder: str, uri: str, server_pid: int | None = None) -> dict[str, Any]:
    """The same rows with none of govgraph's work: what Neo4j itself allows for an atomic
    load. Rows read into lists first (untimed); then one transaction for the nodes (``UNWIND
    $rows CREATE``, key, type, name and the other columns as JSON, under a uniqueness
    constraint on the key) and one for the relations (both ends found by key, a relationship
    of the row's type with its confidence and the other columns as JSON), in batches of
    5,000. No provenance, aliases, search text, claims or edge keys."""
    import neo4j

    from graph.store.neo4j_tx import rel_label

    nodes, edges = _floor_rows(Path(folder))
    keys = [row[1] for row in nodes]
    node_rows = [list(row[1:]) for row in nodes]
    by_type: dict[str, list[list[Any]]] = {}
    for src, dst, rtype, confidence, props in edges:
        by_type.setdefault(rtype, []).append([keys[src - 1], keys[dst - 1], confidence, props])
    _clear_neo4j(uri)
    with neo4j.GraphDatabase.driver(uri, auth=None) as driver, driver.session() as session:
        session.run("CREATE CONSTRAINT floor_key IF NOT EXISTS FOR (n:Floor) "
                    "REQUIRE n.key IS UNIQUE").consume()
        session.run("CALL db.awaitIndexes()").consume()

        server = cpu_seconds(server_pid) if server_pid else None
        started = time.perf_counter()
        session.execute_write(batched_writes("UNWIND $rows AS row CREATE (:Floor {key: row[0], "
                                      "type: row[1], name: row[2], props: row[3]})", node_rows))

        def relations(tx: Any) -> None:
            for rtype, typed in sorted(by_type.items()):  # one relationship type a statement
                batched_writes(f"UNWIND $rows AS row MATCH (a:Floor {{key: row[0]}}) "
                        f"MATCH (b:Floor {{key: row[1]}}) CREATE (a)-[:{rel_label(rtype)} "
                        "{confidence: row[2], props: row[3]}]->(b)", typed)(tx)

        session.execute_write(relations)
        seconds = time.perf_counter() - started
        server_cpu = None if server is None else (cpu_seconds(server_pid) or 0.0) - server
        [written] = session.run("MATCH (:Floor)-[r]->(:Floor) RETURN count(r) AS n").value()
        [nodes_written] = session.run("MATCH (n:Floor) RETURN count(n) AS n").value()
        session.run("DROP CONSTRAINT floor_key IF EXISTS").consume()
    _clear_neo4j(uri)
    return {"seconds": seconds, "nodes": nodes_written, "relations": written,
            "relations_per_s": written / seconds, "server_cpu_s": server_cpu}


@phase
def neo4j_baseline(folder: str, uri: str, nodes: int, relations: int,
                   max_seconds: float = 60.0) -> dict[str, Any]:
    """One MERGE per row, each in its own auto-commit transaction."""
    import neo4j

    _clear_neo4j(uri)
    folder_path = Path(folder)
    with neo4j.GraphDatabase.driver(uri, auth=None) as driver, driver.session() as session:
        session.run("CREATE CONSTRAINT naive_key IF NOT EXISTS FOR (n:Naive) "
                    "REQUIRE n.key IS UNIQUE").consume()

        def node(row: dict[str, str]) -> None:
            session.run("MERGE (n:Naive {key: $key}) SET n.type = $type, n.name = $name",
                        key=row["id"], type=row["type"], name=row["name"]).consume()

        def edge(row: dict[str, str]) -> None:
            session.run("MATCH (a:Naive {key: $s}), (b:Naive {key: $t}) "
                        "MERGE (a)-[r:REL {type: $type}]->(b) SET r.confidence = $c",
                        s=row["source"], t=row["target"], type=row["type"],
                        c=float(row.get("confidence", 0.9))).consume()

        n_done, n_secs = _each(rows(folder_path / "nodes.csv"), node, max_seconds / 2)
        rest = list(rows(folder_path / "nodes.csv"))[n_done:]
        for i in range(0, len(rest), 5000):  # edges need every node: the rest, untimed
            session.run("UNWIND $rows AS row MERGE (n:Naive {key: row.id}) "
                        "SET n.type = row.type, n.name = row.name",
                        rows=rest[i:i + 5000]).consume()
        e_done, e_secs = _each((r for p in edge_files(folder_path) for r in rows(p)), edge,
                               max_seconds / 2)
        session.run("DROP CONSTRAINT naive_key IF EXISTS").consume()
    _clear_neo4j(uri)
    seconds = n_secs * nodes / max(n_done, 1) + e_secs * relations / max(e_done, 1)
    return {"seconds": seconds, "relations_per_s": relations / seconds,
            "rows_timed": n_done + e_done, "extrapolated": n_done < nodes or e_done < relations}


def _each(items: Iterator[dict[str, str]], fn: Callable[[dict[str, str]], None],
          max_seconds: float) -> tuple[int, float]:
    started, done = time.perf_counter(), 0
    for item in items:
        fn(item)
        done += 1
        if time.perf_counter() - started > max_seconds:
            break
    return done, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    name, args = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    os.environ.setdefault("PYTHONHASHSEED", "0")
    result = PHASES[name](**args)
    result["rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()

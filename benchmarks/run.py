"""Measure govgraph's load rate, centrality, API latency and viewer layout, each against a
baseline in the same run (see docs/benchmarks.md).

    python -m benchmarks.run [--scale 100k] [--quick] [--json FILE] [--neo4j URI|start]

Every figure is the median of ``--repeat`` runs, each phase in its own process (peak RSS is
that process's). The last line is
``ratios: load_sqlite=<x> load_neo4j=<x|n/a> centrality=<x> api_p95_ms=<x> load_floor=<x>``
where each ratio is baseline time / govgraph time, api_p95_ms is the p95 latency of a capped
depth-2 /subgraph around the biggest hub, and load_floor is govgraph's SQLite load time over
the time to ``executemany`` the same rows into bare tables (1.0 would be SQLite's own speed).
With a Neo4j server, the Neo4j load is also set against its bare floor (``neo4j_floor``: the
same rows created in two transactions with no provenance), printed but not in the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks import serving
from benchmarks.generate import DEFAULT_ROOT, SEED, cached, parse_scale, scale_name

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) \
        if Path("/proc/cpuinfo").exists() else platform.processor()
    return {"cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "cpu": cpu, "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "platform": platform.platform()}


def run_phase(name: str, **args: Any) -> dict[str, Any]:
    """One phase in a fresh process; its JSON result."""
    proc = subprocess.run([sys.executable, "-m", "benchmarks.phases", name, json.dumps(args)],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"phase {name} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Field-wise median of numeric fields (``rss_mb``: the maximum); others from the first."""
    out = dict(results[0])
    for key, value in results[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values = [r[key] for r in results]
            out[key] = max(values) if key == "rss_mb" else statistics.median(values)
    out["runs"] = len(results)
    return out


def repeated(times: int, name: str, **args: Any) -> dict[str, Any]:
    results = []
    for _ in range(times):
        results.append(run_phase(name, **args))
        cpu = "".join(f", {k} {results[-1][k]:.1f}" for k in ("client_cpu_s", "server_cpu_s")
                      if results[-1].get(k) is not None)
        print(f"  {name}: {results[-1].get('seconds', 0):.2f} s{cpu}", file=sys.stderr,
              flush=True)
    out = median_of(results)
    out["all_runs"] = results
    return out


def ratio(baseline: dict[str, Any] | None, ours: dict[str, Any] | None) -> float | None:
    if not baseline or not ours or not ours.get("seconds"):
        return None
    return baseline["seconds"] / ours["seconds"]


class Plan:
    """How much each phase does: ``--quick`` keeps every bound small."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.quick = args.quick
        self.edges = parse_scale(args.scale or ("10k" if args.quick else "100k"))
        self.repeat = args.repeat or 3
        self.baseline_repeat = 1 if self.edges >= 1_000_000 else self.repeat
        self.baseline_seconds = 4.0 if args.quick else 60.0
        self.api_requests = 150 if args.quick else 1000
        self.api_seconds = 6.0 if args.quick else 30.0
        self.view_runs = 1 if args.quick else 3
        self.view_nodes = 200 if args.quick else 1000
        self.k = args.k


def measure(plan: Plan, args: argparse.Namespace) -> dict[str, Any]:
    root = Path(args.root)
    started = time.perf_counter()
    folder, manifest = cached(plan.edges, root, args.seed)
    out: dict[str, Any] = {
        "scale": scale_name(plan.edges), "quick": plan.quick, "machine": machine(),
        "graph": {k: manifest[k] for k in ("nodes", "edges", "edges_by_type", "hub",
                                           "hub_dependents", "seed")},
        "generate_s": time.perf_counter() - started}
    db = str(root / f"{scale_name(plan.edges)}-s{args.seed}.db")
    counts = {"nodes": manifest["nodes"], "relations": manifest["edges"]}
    print(f"graph: {manifest['nodes']} nodes, {manifest['edges']} edges in {folder}",
          file=sys.stderr)
    if args.neo4j_only:
        out["load_neo4j"] = _neo4j(folder, counts, plan, args)
        out["total_s"] = time.perf_counter() - started
        out["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        out["ratios"] = {"load_neo4j": neo4j_ratio(out["load_neo4j"])}
        return out
    if args.load_only:
        out["load_sqlite"] = {
            "govgraph": repeated(plan.repeat, "load_sqlite", folder=str(folder), db=db),
            "floor": repeated(plan.repeat, "load_floor", folder=str(folder), db=db + ".floor")}
        out["total_s"] = time.perf_counter() - started
        out["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        out["ratios"] = {"load_floor": floor_ratio(out["load_sqlite"])}
        return out
    out["load_sqlite"] = {
        "govgraph": repeated(plan.repeat, "load_sqlite", folder=str(folder), db=db),
        "baseline": repeated(plan.baseline_repeat, "load_baseline", folder=str(folder),
                             db=db + ".baseline", max_seconds=plan.baseline_seconds, **counts),
        "baseline_wal": repeated(plan.baseline_repeat, "load_baseline", folder=str(folder),
                                 db=db + ".baseline", max_seconds=plan.baseline_seconds,
                                 wal=True, **counts),
        "floor": repeated(plan.repeat, "load_floor", folder=str(folder), db=db + ".floor")}
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}.baseline{suffix}").unlink(missing_ok=True)
    out["centrality"] = {
        "govgraph": repeated(plan.repeat, "centrality_govgraph", db=db, k=plan.k),
        "baseline": repeated(plan.baseline_repeat, "centrality_networkx", folder=str(folder),
                             k=plan.k, max_seconds=plan.baseline_seconds * 2)}
    out["api"] = serving.api_latency(db, manifest, args.concurrency, plan.api_requests,
                                     plan.api_seconds, args.subgraph_limit, args.workers)
    out["view"] = _view(db, manifest, plan, args)
    out["load_neo4j"] = _neo4j(folder, counts, plan, args)
    out["total_s"] = time.perf_counter() - started
    out["ratios"] = {
        "load_sqlite": ratio(out["load_sqlite"]["baseline"], out["load_sqlite"]["govgraph"]),
        "load_neo4j": neo4j_ratio(out["load_neo4j"]),
        "centrality": ratio(out["centrality"]["baseline"], out["centrality"]["govgraph"]),
        "api_p95_ms": out["api"]["subgraph"]["p95_ms"],
        "load_floor": floor_ratio(out["load_sqlite"])}
    return out


def neo4j_ratio(neo: dict[str, Any]) -> float | None:
    return ratio(neo.get("baseline"), neo.get("govgraph"))


def floor_ratio(load: dict[str, Any]) -> float | None:
    """govgraph's load time over the bare ``executemany`` floor's (lower is better)."""
    floor = load.get("floor")
    if not floor or not floor.get("seconds"):
        return None
    return load["govgraph"]["seconds"] / floor["seconds"]


def _view(db: str, manifest: dict[str, Any], plan: Plan,
          args: argparse.Namespace) -> dict[str, Any]:
    if args.no_view or not Path(serving.CHROMIUM).exists():
        return {"skipped": "no Chromium" if not args.no_view else "--no-view"}
    try:
        return serving.view_layout(db, manifest, plan.view_nodes, plan.view_runs)
    except Exception as exc:  # a broken browser must not lose the other figures
        return {"skipped": f"{type(exc).__name__}: {exc}"[:300]}


def _neo4j(folder: Path, counts: dict[str, int], plan: Plan,
           args: argparse.Namespace) -> dict[str, Any]:
    spec = args.neo4j or os.environ.get("NEO4J_URI")
    with serving.neo4j_server(spec) as (uri, pid):
        if uri is None:
            return {"skipped": "no Neo4j server (use --neo4j URI or --neo4j start)"}
        out: dict[str, Any] = {"uri": uri}
        try:
            out["govgraph"] = repeated(plan.repeat, "load_neo4j", folder=str(folder), uri=uri,
                                       server_pid=pid)
        except RuntimeError as exc:  # e.g. the server's transaction memory limit
            out["failed"] = str(exc).strip().splitlines()[-1][:500]
        out["floor"] = repeated(plan.repeat, "neo4j_floor", folder=str(folder), uri=uri,
                                server_pid=pid)
        out["baseline"] = repeated(plan.baseline_repeat, "neo4j_baseline", folder=str(folder),
                                   uri=uri, max_seconds=plan.baseline_seconds, **counts)
        return out


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def table(out: dict[str, Any]) -> str:
    """The results as a Markdown table."""
    lines = ["| measure | govgraph | baseline | ratio |", "|---|---:|---:|---:|"]
    ld, ce = out["load_sqlite"], out["centrality"]
    lines.append(f"| load into SQLite, s ({out['graph']['edges']:,} relations) | "
                 f"{_fmt(ld['govgraph']['seconds'])} | {_fmt(ld['baseline']['seconds'])}"
                 f"{' (extrap.)' if ld['baseline'].get('extrapolated') else ''} | "
                 f"{_fmt(out['ratios']['load_sqlite'], 1)}x |")
    wal = ld["baseline_wal"]
    lines.append(f"| per-row baseline in WAL mode (synchronous=NORMAL), s | | "
                 f"{_fmt(wal['seconds'])}{' (extrap.)' if wal.get('extrapolated') else ''} | "
                 f"{_fmt(ratio(wal, ld['govgraph']), 1)}x |")
    floor = ld.get("floor")
    if floor:
        lines.append(f"| floor: same rows, bare tables, executemany, s | | "
                     f"{_fmt(floor['seconds'])} | load_floor {_fmt(floor_ratio(ld), 1)} |")
    lines.append(f"| load rate, relations/s | {_fmt(ld['govgraph']['relations_per_s'], 0)} | "
                 f"{_fmt(ld['baseline']['relations_per_s'], 0)} | |")
    lines.append(f"| load peak RSS, MB | {_fmt(ld['govgraph']['rss_mb'], 0)} | "
                 f"{_fmt(ld['baseline']['rss_mb'], 0)} | |")
    neo = out["load_neo4j"]
    if "failed" in neo:
        lines.append(f"| load into Neo4j | failed: {neo['failed'][:120]} | "
                     f"{_fmt(neo['baseline']['seconds'])} | n/a |")
    elif "govgraph" in neo:
        lines.append(f"| load into Neo4j, s | {_fmt(neo['govgraph']['seconds'])} | "
                     f"{_fmt(neo['baseline']['seconds'])}"
                     f"{' (extrap.)' if neo['baseline'].get('extrapolated') else ''} | "
                     f"{_fmt(out['ratios']['load_neo4j'], 1)}x |")
    else:
        lines.append("| load into Neo4j | n/a | n/a | n/a |")
    if neo.get("floor") and neo.get("govgraph"):
        lines.append(f"| Neo4j floor: same rows, no provenance, two transactions, s | | "
                     f"{_fmt(neo['floor']['seconds'])} | govgraph / floor "
                     f"{_fmt(ratio(neo['govgraph'], neo['floor']), 1)} |")
    g, b = ce["govgraph"], ce["baseline"]
    lines += [
        f"| projection / graph build, s | {_fmt(g['project_s'])} | {_fmt(b['build_s'])} | |",
        f"| projection / graph memory, MB | {_fmt(g['projection_mb'], 0)} | "
        f"{_fmt(b['graph_mb'], 0)} | |",
        f"| PageRank, s | {_fmt(g['pagerank_s'])} | {_fmt(b['pagerank_s'])} | |",
        f"| betweenness (k={g['k']}), s | {_fmt(g['betweenness_s'])} | "
        f"{_fmt(b['betweenness_s'])}{' (extrap.)' if b.get('extrapolated') else ''} | |",
        f"| project + PageRank + betweenness, s | {_fmt(g['seconds'])} | {_fmt(b['seconds'])} |"
        f" {_fmt(out['ratios']['centrality'], 1)}x |",
        f"| whole suite ({g['edges']:,} edges, all measures, scores stored), s | "
        f"{_fmt(g.get('suite_s'))} | | |",
        f"| centrality peak RSS, MB | {_fmt(g['rss_mb'], 0)} | {_fmt(b['rss_mb'], 0)} | |"]
    for name in ("entities", "subgraph", "centrality"):
        a = out["api"][name]
        lines.append(f"| API /{name}: p50 / p95 / p99 ms, req/s | {_fmt(a['p50_ms'], 1)} / "
                     f"{_fmt(a['p95_ms'], 1)} / {_fmt(a['p99_ms'], 1)}, "
                     f"{_fmt(a['throughput_rps'], 0)} req/s | | |")
    lines.append(f"| API server peak RSS ({out['api'].get('workers', 1)} processes), MB | "
                 f"{_fmt(out['api']['server_rss_mb'], 0)} | | |")
    view = out["view"]
    lines.append(f"| /view layout ({view.get('nodes', 'n/a')} nodes), s | "
                 f"{_fmt(view.get('seconds'))} | | |" if "seconds" in view else
                 f"| /view layout | n/a ({view['skipped']}) | | |")
    return "\n".join(lines)


def neo4j_summary(neo: dict[str, Any]) -> str:
    """The Neo4j load against its baseline, with the CPU time of client and server."""
    gov, base, floor = (neo.get(k) or {} for k in ("govgraph", "baseline", "floor"))
    if not gov:
        return f"load into Neo4j: n/a ({neo.get('failed') or neo.get('skipped')})"
    return (f"load into Neo4j: {gov['seconds']:.1f} s wall (median of {gov['runs']}), client "
            f"CPU {_fmt(gov.get('client_cpu_s'), 1)} s, server CPU "
            f"{_fmt(gov.get('server_cpu_s'), 1)} s, load average {_fmt(gov.get('load_average'))}"
            f"; per-row MERGE baseline {_fmt(base.get('seconds'), 1)} s"
            f"{' (extrap.)' if base.get('extrapolated') else ''}; bare floor "
            f"{_fmt(floor.get('seconds'), 1)} s (baseline / floor "
            f"{_fmt(ratio(base, floor), 1)}, govgraph / floor {_fmt(ratio(gov, floor), 1)})")


def ratios_line(out: dict[str, Any]) -> str:
    """``ratios: load_sqlite=<x> load_neo4j=<x|n/a> centrality=<x> api_p95_ms=<x>
    load_floor=<x>``."""
    return "ratios: " + " ".join(f"{k}={'n/a' if v is None else f'{v:.1f}'}"
                                 for k, v in out["ratios"].items())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", help="edges: 1k, 10k, 100k, 1m, 5m (default 100k; "
                                        "10k with --quick)")
    parser.add_argument("--quick", action="store_true", help="small bounds; under 2 minutes")
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument("--repeat", type=int, help="runs per phase (default 3)")
    parser.add_argument("--k", type=int, default=256, help="betweenness sources (256)")
    parser.add_argument("--concurrency", type=int, default=4, help="API client threads (4)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="server processes (govgraph serve --workers; default: the cores)")
    parser.add_argument("--subgraph-limit", type=int, default=100,
                        help="node cap of the measured depth-2 /subgraph (100)")
    parser.add_argument("--neo4j", help="a Neo4j URI, or 'start' for a throw-away test server "
                                        "(default: $NEO4J_URI, else n/a)")
    parser.add_argument("--no-view", action="store_true", help="skip the Chromium layout")
    parser.add_argument("--neo4j-only", action="store_true",
                        help="only the Neo4j load and its per-row MERGE baseline")
    parser.add_argument("--load-only", action="store_true",
                        help="only the SQLite load and its floor (time per relation by scale)")
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="where graphs and stores go")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    out = measure(Plan(args), args)
    print(f"machine: {out['machine']['cores']} cores, {out['machine']['memory_gb']} GB, "
          f"{out['machine']['cpu']}; load average at start {out['machine']['load_average']}")
    if args.neo4j_only:
        print(neo4j_summary(out["load_neo4j"]))
    elif not args.load_only:
        print(table(out))
    else:
        gov = out["load_sqlite"]["govgraph"]
        print(f"load {gov['seconds']:.1f} s ({gov['seconds'] / gov['relations'] * 1e6:.1f} "
              f"us per relation), peak RSS {gov['rss_mb']:.0f} MB; floor "
              f"{out['load_sqlite']['floor']['seconds']:.2f} s")
    print(f"total {out['total_s']:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=str) + "\n")
    print(ratios_line(out))


if __name__ == "__main__":
    main()

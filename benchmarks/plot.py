"""How the measured figures grow with the graph: ``python -m benchmarks.plot OUT.png
RUN.json...`` plots, against the edge count, each run's load time, centrality time
(projection + PageRank + betweenness) and their baselines, and the memory of the
projection and of the networkx graph (log-log axes), and the load time per relation (a
flat line is linear growth).

``python -m benchmarks.plot --per-relation`` is the plot of docs/benchmarks.md in one
command: it loads 10k, 100k and 1M relations again (``benchmarks.run --load-only``, one run
each, one after the other, into ``benchmarks/results/load-<scale>-latest.json``) and plots
them with the last recorded 10M load (``--ten-m``) into docs/benchmarks-per-relation.png;
``--no-measure`` plots the recorded files only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

SERIES = [
    ("load into SQLite (s)", ("load_sqlite", "govgraph", "seconds"), 0),
    ("per-row commit, WAL (s)", ("load_sqlite", "baseline_wal", "seconds"), 0),
    ("project + PageRank + betweenness (s)", ("centrality", "govgraph", "seconds"), 0),
    ("networkx MultiDiGraph baseline (s)", ("centrality", "baseline", "seconds"), 0),
    ("projection (MB)", ("centrality", "govgraph", "projection_mb"), 1),
    ("networkx MultiDiGraph (MB)", ("centrality", "baseline", "graph_mb"), 1),
    ("load peak RSS (MB)", ("load_sqlite", "govgraph", "rss_mb"), 1),
]
PER_RELATION = [  # CPU seconds where measured (fair on a shared machine), else wall
    ("load into SQLite, CPU", ("load_sqlite", "govgraph", "cpu_s")),
    ("load into SQLite, wall", ("load_sqlite", "govgraph", "seconds")),
    ("floor: bare executemany, CPU", ("load_sqlite", "floor", "cpu_s")),
]


def _get(run: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = run
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value) if isinstance(value, (int, float)) else None


def plot(runs: list[dict[str, Any]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = sorted(runs, key=lambda r: r["graph"]["edges"])
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for label, path, panel in SERIES:
        points = [(r["graph"]["edges"], _get(r, path)) for r in runs]
        points = [(x, y) for x, y in points if y is not None and y > 0]
        if points:
            axes[panel].plot(*zip(*points, strict=True), marker="o", label=label)
    for label, path in PER_RELATION:
        points = [(r["graph"]["edges"], _get(r, path)) for r in runs]
        points = [(x, y / x * 1e6) for x, y in points if y]
        if points:
            axes[2].plot(*zip(*points, strict=True), marker="o", label=label)
    axes[2].set_ylabel("microseconds per relation")
    for ax, title in zip(axes, ("time", "memory", "time per relation"), strict=True):
        ax.set_xscale("log")
        ax.set_yscale("log" if title != "time per relation" else "linear")
        ax.set_xlabel("edges")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


RESULTS = Path(__file__).parent / "results"
PER_RELATION_PNG = Path(__file__).parents[1] / "docs" / "benchmarks-per-relation.png"
PER_RELATION_SCALES = ("10k", "100k", "1m")
TEN_M = RESULTS / "load-10m-streamed.json"  # the last recorded 10M load (about 30 min)


def per_relation(measure: bool, ten_m: Path, root: str | None) -> list[Path]:
    """The runs of the per-relation plot: each scale's load measured now (``measure``) or
    as last recorded, then the 10M one."""
    runs = [RESULTS / f"load-{scale}-latest.json" for scale in PER_RELATION_SCALES]
    for scale, out in zip(PER_RELATION_SCALES, runs, strict=True) if measure else ():
        subprocess.run([sys.executable, "-m", "benchmarks.run", "--load-only", "--scale", scale,
                        "--repeat", "1", "--json", str(out),
                        *(["--root", root] if root else [])], check=True)
    return [*runs, ten_m]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.plot",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", help="the PNG to write")
    parser.add_argument("runs", nargs="*", help="benchmarks.run JSON files")
    parser.add_argument("--per-relation", action="store_true",
                        help="measure the loads at 10k, 100k, 1M and plot the time per "
                             "relation into docs/benchmarks-per-relation.png")
    parser.add_argument("--no-measure", action="store_true",
                        help="with --per-relation: plot the recorded loads only")
    parser.add_argument("--ten-m", type=Path, default=TEN_M, help="the 10M load's JSON")
    parser.add_argument("--root", help="where benchmarks.run puts graphs and stores")
    args = parser.parse_args(argv)
    if args.per_relation:
        paths = per_relation(not args.no_measure, args.ten_m, args.root)
        out = Path(args.out) if args.out else PER_RELATION_PNG
    elif args.out and args.runs:
        paths, out = [Path(p) for p in args.runs], Path(args.out)
    else:
        parser.error("give OUT.png and RUN.json files, or --per-relation")
    plot([json.loads(p.read_text()) for p in paths], out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

"""How the measured figures grow with the graph: ``python -m benchmarks.plot OUT.png
RUN.json...`` plots, against the edge count, each run's load time, centrality time
(projection + PageRank + betweenness) and their baselines, and the memory of the
projection and of the networkx graph (log-log axes), and the load time per relation (a
flat line is linear growth)."""

from __future__ import annotations

import json
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


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    plot([json.loads(Path(p).read_text()) for p in args[1:]], Path(args[0]))
    print(f"wrote {args[0]}")


if __name__ == "__main__":
    main()

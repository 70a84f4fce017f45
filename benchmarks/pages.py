"""Text pipeline throughput: N pages of about 5 kB of real prose, read by the profile loader
(extraction alone) and loaded as one folder into a SQLite store. Wall-clock and CPU seconds
are both printed: on a shared machine the wall clock also measures the neighbours.

Pages are built from the paragraphs of the labelled real pages in tests/data/text_pages/
(shuffled with a fixed seed, each page with a title of its own), so that every page is prose
the pipeline meets in practice. Usage::

    python -m benchmarks.pages --pages 1000 --size 5000 --root /tmp/govgraph-bench/pages
"""

from __future__ import annotations

import argparse
import random
import shutil
import time
from pathlib import Path

from api import ops
from graph.store.sqlite import SQLiteStore
from loaders.profile import load_profile

SOURCE = Path(__file__).resolve().parent.parent / "tests" / "data" / "text_pages"


def paragraphs() -> list[str]:
    out = []
    for path in sorted(SOURCE.glob("*.txt")):
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            block = block.strip()
            if len(block) > 80 and not block.startswith("Source:"):
                out.append(block)
    return out


def write_pages(root: Path, count: int, size: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    blocks = paragraphs()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    paths = []
    for i in range(count):
        parts = [f"Registry dispatch number {i}"]
        while sum(len(p) + 2 for p in parts) < size:
            parts.append(rng.choice(blocks))
        path = root / f"page-{i:05d}.txt"
        path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--size", type=int, default=5000, help="bytes of text per page")
    parser.add_argument("--root", type=Path, default=Path("/tmp/govgraph-bench/pages"))
    args = parser.parse_args()
    folder = args.root / "pages"
    paths = write_pages(folder, args.pages, args.size)
    total = sum(p.stat().st_size for p in paths)
    started, cpu = time.perf_counter(), time.process_time()
    relations = sum(len(load_profile(p).relations) for p in paths)
    extract, extract_cpu = time.perf_counter() - started, time.process_time() - cpu
    db = args.root / "pages.db"
    db.unlink(missing_ok=True)
    with SQLiteStore(db) as store:
        started, cpu = time.perf_counter(), time.process_time()
        report = ops.load(store, [str(folder)])
        load, load_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"pages={len(paths)} bytes={total} relations={relations} errors={len(report.errors)}")
    print(f"extract_s={extract:.1f} (cpu {extract_cpu:.1f}, {len(paths) / extract:.0f} pages/s) "
          f"load_sqlite_s={load:.1f} (cpu {load_cpu:.1f}, {len(paths) / load:.0f} pages/s)")


if __name__ == "__main__":
    main()

"""What ``govgraph load`` shows while it works: the step, records read or written so far,
their rate, the process's peak memory and the time taken, on one line of stderr (rich),
erased when the load ends. Only on a terminal; ``--quiet`` silences it."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from api.ops import Progress as ProgressCallback


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


@contextmanager
def load_progress(console: Console, quiet: bool = False) -> Iterator[ProgressCallback]:
    """A progress callback for :func:`api.ops.load` drawing on ``console``."""
    columns = (TextColumn("{task.description}"),
               TextColumn("{task.completed:,.0f}{task.fields[of]} records"),
               TextColumn("{task.fields[rate]:,.0f}/s"),
               TextColumn("{task.fields[memory]:,.0f} MB peak"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True,
                  disable=quiet or not console.is_terminal) as bar:
        started = time.perf_counter()
        task = bar.add_task("loading", total=None, of="", rate=0.0, memory=peak_rss_mb())

        def progress(what: str, records: int, total: int) -> None:
            elapsed = max(time.perf_counter() - started, 1e-6)
            bar.update(task, description=what[-50:], completed=records,
                       of=f" of {total:,}" if total else "", rate=records / elapsed,
                       memory=peak_rss_mb())

        yield progress

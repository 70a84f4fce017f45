"""The operations behind every way in: load, unload, export. The CLI commands and HTTP
endpoints are thin wrappers over these functions (same names, same arguments), so notebooks
and tests can call them directly."""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import loaders
from graph import export
from graph.model import Batch
from graph.query import Subgraph, neighbourhood, resolve_all
from graph.store.base import EdgeFilter, GraphStore, StoreError, WriteResult
from loaders.base import LoadError, UnrecognisedFile, claims_suffix

log = logging.getLogger("govgraph.load")
Progress = Callable[[str, int, int], None]
"""``progress(step, records, total)``: what load is doing, how many records (entities and
relations) it has read or written so far, and how many in all (0 while still reading)."""


@dataclass(slots=True)
class LoadReport:
    results: list[WriteResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def total(self, attr: str) -> int:
        return sum(getattr(r, attr) for r in self.results)

    def summary(self) -> str:
        return (f"{len(self.results)} sources loaded, {len(self.errors)} failed: entities "
                f"+{self.total('entities_added')} ~{self.total('entities_updated')}, relations "
                f"+{self.total('relations_added')} ~{self.total('relations_updated')}, claims "
                f"+{self.total('claims_added')} -{self.total('claims_removed')} "
                f"in {self.seconds:.2f} s")


def expand_targets(targets: list[str]) -> tuple[list[Path | str], list[str]]:
    """Files (folders walked recursively; hidden files, symlinks and special files skipped) and
    dataset names, in order; plus errors for targets that are neither."""
    found: list[Path | str] = []
    errors: list[str] = []
    names = loaders.datasets()
    for target in targets:
        path = Path(target)
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                paths = (Path(root) / name for name in sorted(files) if not name.startswith("."))
                found.extend(p for p in paths if _regular(p))
        elif path.is_file():
            found.append(path)
        elif target in names:
            found.append(target)
        else:
            errors.append(f"{target}: no such file, folder or dataset "
                          f"(datasets: {', '.join(sorted(names)) or 'none'})")
    return found, errors


def _regular(path: Path) -> bool:
    """A regular file that is not a symlink: a folder walk never opens a FIFO or a device
    (which would block or never end) and never follows a link out of the folder."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def read_batches(target: Path | str, in_folder: bool) -> list[Batch]:
    """The batches a file or dataset yields. In a folder, a file that no loader recognises
    (nor claims by its name ending) raises LookupError: skipped and counted. Any other
    problem, such as an empty, binary or undecodable ``.html`` page, raises LoadError
    (reported by name)."""
    if isinstance(target, str):
        return loaders.datasets()[target]()
    try:
        loader = loaders.loader_for(target)
    except LoadError as exc:
        unknown = isinstance(exc, UnrecognisedFile) or not claims_suffix(target)
        if in_folder and unknown:
            raise LookupError(str(target)) from None
        raise
    return [loader.load(target)]


def unexpected(exc: BaseException) -> str:
    """One line for an error no loader anticipated (the full trace goes to the log)."""
    log.debug("unexpected error", exc_info=exc)
    if isinstance(exc, RecursionError):
        return "nested too deeply to parse"
    if isinstance(exc, MemoryError):
        return "too large to load in memory"
    text = " ".join(str(exc).split())[:200]
    return f"cannot load ({type(exc).__name__}{': ' + text if text else ''})"


def load(store: GraphStore, targets: list[str], progress: Progress | None = None,
         source_id: str | None = None) -> LoadReport:
    """Load files, folders and named datasets. Each source is written whole or not at all; a
    source that fails is reported (``FILE:LINE: reason``) and the others still load. Sources
    that define nodes are written before sources that only add edges. ``source_id``, for a
    single file, keeps its claims under that id instead of its path (an upload's stable id,
    so uploading the same name again replaces it)."""
    started = time.perf_counter()
    report = LoadReport()
    items, report.errors = expand_targets(targets)
    in_folder = any(Path(t).is_dir() for t in targets)
    batches: list[Batch] = []
    records = 0
    for item in items:
        if progress:
            progress(f"reading {item}", records, 0)
        try:
            batches.extend(read := read_batches(item, in_folder and isinstance(item, Path)))
            records += sum(len(b.entities) + len(b.relations) for b in read)
        except LookupError as exc:
            report.skipped_files.append(str(exc))
        except (LoadError, StoreError) as exc:
            report.errors.append(str(exc))
        except Exception as exc:  # a loader's bug must not become a traceback or a lost load
            report.errors.append(f"{item}: {unexpected(exc)}")
    batches.sort(key=lambda b: (not b.judgements, not b.entities))  # verdicts before merges
    written = 0
    for batch in batches:
        if source_id:
            batch.source_id = batch.uri = source_id
        if progress:
            progress(f"writing {batch.source_id}", written, records)
        written += len(batch.entities) + len(batch.relations)
        try:
            report.results.append(store.write(batch))
            report.warnings.extend(batch.warnings)
        except StoreError as exc:
            report.errors.append(str(exc))
        except Exception as exc:  # the write was rolled back; say so on one line
            report.errors.append(f"{batch.source_id}: not written: {unexpected(exc)}")
    if progress:
        progress("written", written, records)
    report.seconds = time.perf_counter() - started
    return report


def unload(store: GraphStore, source: str) -> WriteResult:
    """Remove a source by its id, or by the path it was loaded from."""
    ids = {s.source_id for s in store.sources()}
    if source not in ids:
        candidate = f"file:{Path(source).resolve()}"
        if candidate in ids:
            source = candidate
    return store.unload(source)


def subgraph(store: GraphStore, refs: list[str], depth: int = 1,
             flt: EdgeFilter | None = None, limit: int = 500, per_node: int = 200) -> Subgraph:
    """The neighbourhood of the entities the references name (ids, names, keys)."""
    return neighbourhood(store, resolve_all(store, refs), depth, flt, limit, per_node)


def export_chunks(store: GraphStore, fmt: str, refs: list[str] | None = None, depth: int = 1,
                  flt: EdgeFilter | None = None, limit: int = 500,
                  part: str = "edges", per_node: int = 200) -> Iterator[str]:
    """The whole graph (no refs) or a neighbourhood, in one of export.FORMATS. For CSV,
    ``part`` picks the nodes or the edges table. A neighbourhood's JSON says what its caps
    cut (``truncated``, ``cut``), as /subgraph does."""
    if fmt not in export.FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(export.FORMATS)}")
    extra = None
    if refs:
        sub = subgraph(store, refs, depth, flt, limit, per_node)
        nodes, edges = iter(sub.nodes), iter(sub.edges)
        extra = {"truncated": sub.truncated, "cut": sub.cut}
    else:
        nodes = store.iter_entities()
        edges = store.iter_edges(flt)
    if fmt == "csv" and part == "nodes":
        return export.csv_nodes(nodes)
    return export.render(fmt, nodes, edges, extra)

"""The operations behind every way in: load, unload, export. The CLI commands and HTTP
endpoints are thin wrappers over these functions (same names, same arguments), so notebooks
and tests can call them directly."""

from __future__ import annotations

import itertools
import logging
import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import loaders
from api.errors import classify, where
from api.models import edge_out
from graph import export
from graph.bridge import link_holders
from graph.model import Batch, EdgeRecord, EntityRecord
from graph.query import Subgraph, neighbourhood, resolve_all, shortest_paths
from graph.settings import get_settings
from graph.store.base import (
    BackendUnavailable,
    BadReference,
    EdgeFilter,
    GraphStore,
    StoreBusy,
    StoreError,
    UnknownEntity,
    WriteResult,
)
from loaders.base import Loader, LoadError, UnrecognisedFile, claims_suffix, read_ahead

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


# Records per part of a streamed source (what a load holds in memory at once); None: the
# part_rows setting (tests may set it).
PART_ROWS: int | None = None
BYTES_PER_RECORD = 40  # about the length of a CSV or JSON Lines record: a streamed source's
# size hint (SQLite defers its secondary indexes for a source as large as the graph)
# Streamed sources of one load whose first part, read ahead to order the sources, is kept to
# be written rather than read again (each holds a part and an open file until written).
KEPT_FIRST_PARTS = 2


# Sources that name organisations, written before the RIR statistics whose opaque holders
# they name, so that each holder joins its organisation as it is written (graph/merge.py).
NAMING_LOADERS = frozenset({"caida-as2org", "rpsl-whois"})


@dataclass(slots=True)
class Source:
    """One source to write: ``head`` is the whole batch; or for a streamed source
    ``parts()`` gives every part from the first, read from the file as they are written, and
    ``head`` is the first part's metadata (its records were read ahead, then dropped, to
    order the sources and report a bad header before anything is written)."""

    head: Batch
    parts: Callable[[], Iterator[Batch]] | None = None
    rows: int = 0
    # written in this order: judgements (they apply to the merges that follow), then sources
    # that define nodes, naming sources before the others
    order: tuple[bool, bool, bool] = (True, True, True)
    # what the loader read of the page for the names the graph knows (prose pages: its title
    # and body lines), and the loader; dropped once those names are added
    page: tuple[Any, Loader] | None = None
    # a streamed source's parts as read ahead: the first part, then the rest of that same
    # reading; taken by the first write (a retried one reads the file again)
    kept: Iterator[Batch] | None = None

    def given(self) -> Iterator[Batch]:
        """The streamed source's parts from the first: those read ahead, once, else read
        again."""
        assert self.parts is not None
        kept, self.kept = self.kept, None
        return kept if kept is not None else self.parts()

    @classmethod
    def of(cls, head: Batch, parts: Callable[[], Iterator[Batch]] | None = None,
           rows: int = 0) -> Source:
        order = (not head.judgements, not head.entities, head.loader not in NAMING_LOADERS)
        if parts is not None:
            head = Batch(source_id=head.source_id, uri=head.uri, loader=head.loader,
                         retrieved_at=head.retrieved_at)
        return cls(head, parts, rows, order)


def read_sources(target: Path | str, in_folder: bool, keep: bool = False) -> list[Source]:
    """The sources a file or dataset gives: a file whose loader streams is streamed (its
    first part read now; with ``keep``, kept to be written). In a folder, a file that no
    loader recognises (nor claims by its name ending) raises LookupError: skipped and
    counted. Any other problem, such as an empty, binary or undecodable ``.html`` page,
    raises LoadError (reported by name)."""
    if isinstance(target, str):
        return [Source.of(b) for b in loaders.datasets()[target]()]
    try:
        loader = loaders.loader_for(target)
    except LoadError as exc:
        unknown = isinstance(exc, UnrecognisedFile) or not claims_suffix(target)
        if in_folder and unknown:
            raise LookupError(str(target)) from None
        raise
    if loader.stream is None and loader.read is not None:
        batch, page = loader.read(target)
        source = Source.of(batch)
        source.page = (page, loader)
        return [source]
    if loader.stream is None:
        return [Source.of(loader.load(target))]
    stream = loader.stream

    def parts() -> Iterator[Batch]:
        return stream(target, PART_ROWS or get_settings().part_rows)

    given = parts()
    first = next(given)
    source = Source.of(first, parts, target.stat().st_size // BYTES_PER_RECORD)
    source.kept = itertools.chain([first], given) if keep else None
    return [source]


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
    sources: list[Source] = []
    for item in items:
        if progress:
            progress(f"reading {item}", 0, 0)
        try:
            keep = sum(s.kept is not None for s in sources) < KEPT_FIRST_PARTS
            sources.extend(read_sources(item, in_folder and isinstance(item, Path), keep))
        except LookupError as exc:
            report.skipped_files.append(str(exc))
        except (LoadError, StoreError) as exc:
            report.errors.append(str(exc))
        except Exception as exc:  # a loader's bug must not become a traceback or a lost load
            report.errors.append(f"{item}: {unexpected(exc)}")
    report.errors += _add_known_names(store, sources)
    sources.sort(key=lambda s: s.order)  # verdicts before merges, nodes before edges
    done = [0]
    for source in sources:
        name = source_id or source.head.source_id
        try:
            report.results.append(_write(store, source, source_id, _counter(name, done,
                                                                            progress)))
            report.warnings.extend(source.head.warnings)
        except LoadError as exc:
            report.errors.append(str(exc))
        except Exception as exc:  # the write was rolled back; say so on one line
            report.errors.append(_write_error(name, exc))
    if progress:
        progress("written", done[0], done[0])
    report.seconds = time.perf_counter() - started
    return report


def _add_known_names(store: GraphStore, sources: list[Source]) -> list[str]:
    """Prose pages find the people and organisations the graph and the other sources of this
    load name (so loading the same folder again finds the same names): their names and
    aliases, read once into one automaton. A page that fails here is dropped and reported."""
    pages = [(s, *s.page) for s in sources if s.page is not None]
    if not pages:
        return []
    graph = store.actor_names()
    load = ((n, e.type) for s in sources for e in s.head.entities for n in (e.name, *e.aliases))
    names = list(itertools.chain(graph, load))
    built: dict[int, Any] = {}  # one automaton per kind of loader
    errors = []
    for source, page, loader in pages:
        assert loader.add_known is not None and loader.known_names is not None
        if id(loader) not in built:
            built[id(loader)] = loader.known_names(names)
        known = built[id(loader)]
        source.page = None
        try:
            loader.add_known(source.head, page, known)
        except LoadError as exc:
            errors.append(str(exc))
            sources.remove(source)
    return errors


def _write_error(name: str, exc: Exception) -> str:
    """One line for a batch the store refused (``FILE:LINE: reason`` for a bad reference).
    A busy or unreachable store is raised, not reported: no other source can load either."""
    problem = classify(exc)
    if isinstance(problem, StoreBusy | BackendUnavailable):
        raise problem from exc
    if isinstance(problem, BadReference):
        return where(problem)
    if isinstance(problem, StoreError):
        return str(problem)
    return f"{name}: not written: {unexpected(exc)}"


#: The demo's bundled sources: in an installed package they ship as ``govgraph/data/demo``
#: (pyproject maps the repository's ``data/`` there); in a checkout they are ``data/demo``.
_DEMO_PLACES = (Path(__file__).resolve().parent.parent / "govgraph" / "data" / "demo",
                Path(__file__).resolve().parent.parent / "data" / "demo")
#: Built-in datasets the demo adds to its bundled files.
DEMO_DATASETS = ("iana",)


def demo_data() -> Path:
    """The folder of the demo's bundled sources."""
    return next((p for p in _DEMO_PLACES if p.is_dir()), _DEMO_PLACES[-1])


def demo_targets() -> list[str]:
    """What the demo loads: its bundled folder and the built-in datasets present."""
    return [str(demo_data())] + [d for d in DEMO_DATASETS if d in loaders.datasets()]


def demo(store: GraphStore, progress: Progress | None = None) -> LoadReport:
    """Build the demo graph into ``store``: load :func:`demo_targets`, then store every
    centrality score (what ``govgraph demo`` does before serving)."""
    report = load(store, demo_targets(), progress)
    score(store)
    return report


def score(store: GraphStore) -> None:
    """Compute every centrality measure and store it on the nodes (graph.analytics)."""
    from graph.analytics import compute_and_store

    compute_and_store(store)


def _counter(name: str, done: list[int], progress: Progress | None) -> Callable[[Batch], None]:
    """Counts each part's records into ``done[0]`` and reports them."""
    def count(part: Batch) -> None:
        done[0] += len(part.entities) + len(part.relations)
        if progress:
            progress(f"writing {name}", done[0], 0)
    return count


def _write(store: GraphStore, source: Source, source_id: str | None,
           count: Callable[[Batch], None]) -> WriteResult:
    """Write one source (streamed: part by part in one transaction); ``source_id`` renames
    it; ``count`` sees each part as it is written."""
    linked: dict[str, Any] = {}  # what the bridge read from the store, for all the parts

    def named(part: Batch) -> Batch:
        if source_id:
            part.source_id = part.uri = source_id
        link_holders(part, store, linked)
        count(part)
        return part

    if source.parts is None:
        return store.write(named(source.head))
    warnings = source.head.warnings

    def given() -> Iterator[Batch]:
        linked.clear()  # a retried transaction reads the store again
        for part in read_ahead(source.given()):
            warnings.extend(w for w in part.warnings if w not in warnings)
            yield named(part)

    return store.write_parts(given, source.rows)


def unload(store: GraphStore, source: str) -> WriteResult:
    """Remove a source by its id, or by the path it was loaded from. UnknownEntity when no
    such source is loaded."""
    ids = {s.source_id for s in store.sources()}
    if source not in ids:
        candidate = f"file:{Path(source).resolve()}"
        if candidate not in ids:
            raise UnknownEntity(f"no source {source!r} is loaded")
        source = candidate
    return store.unload(source)


def subgraph(store: GraphStore, refs: list[str], depth: int = 1,
             flt: EdgeFilter | None = None, limit: int = 500, per_node: int = 200) -> Subgraph:
    """The neighbourhood of the entities the references name (ids, names, keys; see
    :func:`graph.query.resolve_name`), with a note on each name chosen among documents."""
    notes: list[str] = []
    sub = neighbourhood(store, resolve_all(store, refs, notes), depth, flt, limit, per_node)
    sub.notes = notes
    return sub


def entity_detail(store: GraphStore, record: EntityRecord, limit: int,
                  as_of: str | None = None) -> dict[str, Any]:
    """The entity with at most ``limit`` relations (highest confidence first) in force on
    ``as_of`` (default: now), grouped by type, each with its direction and claims."""
    relations: dict[str, list[dict[str, Any]]] = {}
    flt = EdgeFilter(as_of=as_of)
    edges = store.edges([record.id], "both", flt, limit=limit)
    for edge in edges:
        item = edge_out(edge)
        item["direction"] = "out" if edge.source == record.id else "in"
        relations.setdefault(edge.type, []).append(item)
    total = store.degree([record.id], flt).get(record.id, 0)
    return {**record.to_dict(flat=False), "relations": relations, "relations_total": total,
            "relations_shown": len(edges)}


def path_nodes(start: str, edges: list[EdgeRecord]) -> list[str]:
    """The entity ids a path visits, from ``start``, whichever way each edge points."""
    nodes = [start]
    for edge in edges:
        nodes.append(edge.target if edge.source == nodes[-1] else edge.source)
    return nodes


def find_paths(store: GraphStore, source: str, target: str, max_len: int, flt: EdgeFilter,
               max_paths: int) -> dict[str, Any]:
    """All shortest paths (up to ``max_paths``) of at most ``max_len`` edges, as JSON."""
    notes: list[str] = []
    a, b = resolve_all(store, [source, target], notes)
    found = shortest_paths(store, a, b, max_len, flt, max_paths)
    paths: list[dict[str, Any]] = [{"nodes": path_nodes(a, p), "edges": [edge_out(e) for e in p]}
                                   for p in found]
    ids = {a, b} | {n for p in paths for n in p["nodes"]}
    nodes = {r.id: r.to_dict() for r in store.entities(sorted(ids))}
    length = len(found[0]) if found else (0 if a == b else None)
    return {"from": a, "to": b, "length": length, "paths": paths, "nodes": nodes,
            "notes": notes}


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

"""Files for ``neo4j-admin database import full``: the bulk path into an empty Neo4j.

``write_import_files(store, folder)`` writes a graph (any store) as the CSV files Neo4j's
offline importer reads, laid out exactly as :mod:`graph.store.neo4j` keeps a graph (the
same labels, properties, ``nid``/``sid`` sequence numbers, aliases, claims and scores that
``govgraph sync --to`` writes), so that the imported database *is* a govgraph Neo4j store:
reads, searches, exports, later loads, reloads and unloads behave as on the original.
The indexes and constraints are not in the files: the store makes them when it first
opens the database (each stored metric's score indexes too); nor is
the layout's version node, so that the store also completes what the importer cannot write
(an edge's list of claim locators whose one item is an empty string: see
:func:`graph.store.neo4j_sync.upgrade_edge_claims`).

Rules of the files:

- Every file group is a header file and a data file (``name.header.csv``, ``name.csv``). A
  CSV column has one type, so rows are grouped by *shape* (labels or relationship type, and
  the type of each property that is set): an ``int`` becomes ``:long``, a ``float``
  ``:double`` (``Infinity``/``NaN`` spelled as Java reads them), a ``bool`` ``:boolean``,
  a list of text ``:string[]``; a property that is None is left out of that row's shape
  (Neo4j stores no nulls either).
- Every field is quoted (an empty string stays an empty string); arrays are joined with
  U+001F, which display text never contains; text may span lines (``--multiline-fields``).
- ``import.args`` holds the options and file groups, one per line, for
  ``neo4j-admin database import full DATABASE @import.args``.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from graph.store.base import Chunk, GraphStore
from graph.store.neo4j import SCORE
from graph.store.neo4j_tx import (
    CLAIM_LISTS,
    EDGE_FIELDS,
    NODE_CLAIM_FIELDS,
    OWN_VALUES,
    alias_maps,
    label,
    node_fields,
    own_values,
    rel_label,
)
from graph.store.scores import to_property
from graph.store.sync import derived, dump

ARRAY_DELIMITER = "\x1f"
OPTIONS = ("--array-delimiter=U+001F", "--multiline-fields=true", "--id-type=string",
           "--skip-duplicate-nodes=false", "--skip-bad-relationships=false")
_SCALAR = {bool: "boolean", int: "long", float: "double", str: "string"}


def _type_of(value: Any) -> str:
    """The import column type of a property value."""
    kind = _SCALAR.get(type(value))
    if kind:
        return kind
    if isinstance(value, (list, tuple)):
        kinds = {_SCALAR.get(type(item)) for item in value}
        if len(kinds) <= 1 and None not in kinds:
            return f"{kinds.pop() if kinds else 'string'}[]"
    raise ValueError(f"cannot write {value!r} as a Neo4j import value")


def _text(value: Any) -> str:
    """A value as the importer parses it back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return repr(value) if math.isfinite(value) else ("Infinity" if value > 0 else
                                                          "-Infinity")
    if isinstance(value, (list, tuple)):
        items = [_text(item) for item in value]
        if any(ARRAY_DELIMITER in item for item in items):
            raise ValueError(f"array item contains U+001F: {value!r}")
        return ARRAY_DELIMITER.join(items)
    return str(value)


class _Group:
    """One header file and one data file for rows of one shape."""

    def __init__(self, folder: Path, name: str, header: list[str]) -> None:
        self.header_path = folder / f"{name}.header.csv"
        self.data_path = folder / f"{name}.csv"
        with self.header_path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(header)
        self.fh: TextIO = self.data_path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        self.rows = 0

    def files(self) -> str:
        return f"{self.header_path.name},{self.data_path.name}"


class ImportWriter:
    """Writes node and relationship rows, a file group per shape, into ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.groups: dict[tuple, _Group] = {}

    def _group(self, kind: str, head: tuple[str, ...], shape: tuple) -> _Group:
        if any(":" in name for name, _ in shape):
            raise ValueError(f"a property name holds ':', which an import header cannot: "
                             f"{[name for name, _ in shape if ':' in name]}")
        key = (kind, head, shape)
        if key not in self.groups:
            name = f"{kind}-{len(self.groups) + 1}"
            self.groups[key] = _Group(self.folder, name,
                                      [*head, *(f"{p}:{t}" for p, t in shape)])
        return self.groups[key]

    def _row(self, kind: str, head: tuple[str, ...], fixed: list[str],
             props: dict[str, Any]) -> None:
        props = {k: v for k, v in props.items() if v is not None}
        group = self._group(kind, head, tuple((k, _type_of(v)) for k, v in props.items()))
        group.writer.writerow([*fixed, *(_text(v) for v in props.values())])
        group.rows += 1

    def node(self, id_space: str, node_id: str, labels: Iterable[str],
             props: dict[str, Any]) -> None:
        """A node with an id in ``id_space`` (what relationships refer to)."""
        self._row("nodes", (f":ID({id_space})", ":LABEL"),
                  [node_id, ARRAY_DELIMITER.join(labels)], props)

    def relationship(self, start: tuple[str, str], end: tuple[str, str], rtype: str,
                     props: dict[str, Any]) -> None:
        """A relationship between two nodes given as (id space, id)."""
        head = (f":START_ID({start[0]})", f":END_ID({end[0]})", ":TYPE")
        self._row("relationships", head, [start[1], end[1], rtype], props)

    def close(self) -> list[str]:
        """Close the files; write and return the importer's arguments (``import.args``)."""
        args = list(OPTIONS)
        for (kind, _, _), group in self.groups.items():
            group.fh.close()
            args.append(f"--{kind}={group.files()}")
        (self.folder / "import.args").write_text("\n".join(args) + "\n", encoding="utf-8")
        return args


class _Layout:
    """Turns dumped chunks (:func:`graph.store.sync.dump`) into the rows the Neo4j store
    holds, numbering sources, nodes, merges and judgements in dump order as
    :class:`graph.store.neo4j_sync.Neo4jRestore` does."""

    def __init__(self, out: ImportWriter) -> None:
        self.out = out
        self.sid: dict[str, int] = {}
        self.held: list[tuple] = []  # node rows, held until the scores are read
        # edge key -> (source, target, type, properties): held until the claims are read
        self.held_edges: dict[str, tuple[str, str, str, dict[str, Any]]] = {}
        self.score_values: dict[str, dict[str, Any]] = {}
        self.metrics: list[str] = []
        self.aliases = 0
        self.count: dict[str, int] = {}

    def run(self, chunks: Iterator[Chunk]) -> None:
        for table, rows in chunks:
            if table not in {"nodes", "scores"}:
                self.flush_nodes()
            if table not in {"edges", "edge_claims"}:
                self.flush_edges()
            self.count[table] = self.count.get(table, 0) + len(rows)
            getattr(self, table)(rows)
        self.flush_nodes()
        self.flush_edges()

    def sources(self, rows: list[tuple]) -> None:
        for source_id, uri, loader, at, loaded, n, m, dataset, observed in rows:
            self.sid[source_id] = len(self.sid) + 1
            self.out.node("Source", source_id, ["Source"], {
                "sid": self.sid[source_id], "source_id": source_id, "uri": uri,
                "loader": loader, "retrieved_at": at, "loaded_at": loaded,
                "n_entities": n, "n_relations": m, "dataset": dataset, "observed": observed})

    def nodes(self, rows: list[tuple]) -> None:
        self.held.extend(rows)

    def scores(self, rows: list[tuple]) -> None:
        for node_id, metric, value in rows:
            if metric not in self.score_values:
                self.metrics.append(metric)
                self.score_values[metric] = {}
            self.score_values[metric][node_id] = to_property(value)

    def flush_nodes(self) -> None:
        for nid, row in enumerate(self.held, 1):
            node = derived(row)
            props = {"id": row[0], "nid": nid, **node_fields(node)}
            for metric in self.metrics:
                props[SCORE + metric] = self.score_values[metric].get(row[0])
            self.out.node("Entity", row[0], ["Entity", label(node.type)], props)
            for alias in alias_maps(node):
                self.aliases += 1
                self.out.node("Alias", str(self.aliases), ["Alias"], alias)
                self.out.relationship(("Entity", row[0]), ("Alias", str(self.aliases)),
                                      "NAMED", {})
        for seq, metric in enumerate(self.metrics, 1):
            self.out.node("ScoreMetric", metric, ["ScoreMetric"], {"name": metric, "seq": seq})
        self.held, self.metrics = [], []

    def node_claims(self, rows: list[tuple]) -> None:
        for i, r in enumerate(rows, self.count["node_claims"] - len(rows)):
            self.out.node("NodeClaim", str(i), ["NodeClaim"], {
                "id": r[0], "sid": self.sid[r[1]],
                **dict(zip(NODE_CLAIM_FIELDS[2:], r[2:], strict=True))})

    def edges(self, rows: list[tuple]) -> None:
        for key, src, dst, rtype, *values in rows:
            self.held_edges[key] = (src, dst, rel_label(rtype), {
                "key": key, **dict(zip(EDGE_FIELDS, values, strict=True)),
                **{f: [] for f in CLAIM_LISTS}})

    def edge_claims(self, rows: list[tuple]) -> None:
        """Into the claim lists of their (held) edges."""
        for key, source_id, *values in rows:
            props = self.held_edges[key][3]
            for name, value in zip(CLAIM_LISTS, (self.sid[source_id], *values), strict=True):
                props[name].append(value)

    def flush_edges(self) -> None:
        for src, dst, rtype, props in self.held_edges.values():
            claims = list(zip(props["claim_locators"], props["claim_confidences"],
                              props["claim_props"], strict=True))
            if own_values(claims, [props[f] for f in EDGE_FIELDS]):
                props.update(dict.fromkeys(OWN_VALUES))  # as a load writes it
            self.out.relationship(("Entity", src), ("Entity", dst), rtype, props)
        self.held_edges = {}

    def redirects(self, rows: list[tuple]) -> None:
        for old_id, new_id, reason in rows:
            self.out.node("Redirect", old_id, ["Redirect"],
                          {"old_id": old_id, "new_id": new_id, "reason": reason})

    def merge_log(self, rows: list[tuple]) -> None:
        for seq, (merged, into, reason, source_id) in enumerate(
                rows, self.count["merge_log"] - len(rows) + 1):
            self.out.node("MergeLog", str(seq), ["MergeLog"], {
                "seq": seq, "merged": merged, "into": into, "reason": reason,
                "source_id": source_id})

    def judgements(self, rows: list[tuple]) -> None:
        for seq, (source_id, a, b, same, loc) in enumerate(
                rows, self.count["judgements"] - len(rows) + 1):
            self.out.node("Judgement", str(seq), ["Judgement"], {
                "sid": self.sid[source_id], "seq": seq, "a": a, "b": b, "same": bool(same),
                "locator": loc})

    def absorbed(self, rows: list[tuple]) -> None:
        for seq, (source_id, absorbed, kept, record) in enumerate(
                rows, self.count["absorbed"] - len(rows) + 1):
            self.out.node("Absorbed", str(seq), ["Absorbed"], {
                "seq": seq, "sid": self.sid[source_id], "absorbed": absorbed, "kept": kept,
                "record": record})


def write_import_files(store: GraphStore, folder: str | Path) -> dict[str, int]:
    """Write ``store``'s graph into ``folder`` (made if missing; must hold no ``.csv`` files)
    as ``neo4j-admin database import full`` input; the rows written per table."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("*.csv")):
        raise ValueError(f"{folder}: already holds CSV files; use an empty folder")
    out = ImportWriter(folder)
    layout = _Layout(out)
    try:
        layout.run(dump(store))
    finally:
        out.close()
    return layout.count


def import_arguments(folder: str | Path, database: str = "neo4j") -> list[str]:
    """The ``neo4j-admin`` arguments that import ``folder`` into ``database`` (absolute
    file paths, so they work from any directory)."""
    folder = Path(folder).resolve()
    args = ["database", "import", "full", database]  # before the file lists, which take
    # any number of values
    for line in (folder / "import.args").read_text(encoding="utf-8").splitlines():
        if line.startswith(("--nodes=", "--relationships=")):
            option, files = line.split("=", 1)
            line = f"{option}=" + ",".join(str(folder / f) for f in files.split(","))
        args.append(line)
    return args


def run_import(folder: str | Path, admin: list[str], home: str | Path,
               database: str = "neo4j") -> str:
    """Run ``admin`` (the ``neo4j-admin`` command line) to import ``folder`` into
    ``database`` of the stopped DBMS at ``home``; its output. RuntimeError when it fails."""
    home = Path(home)
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    proc = subprocess.run([*admin, *import_arguments(folder, database)], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"neo4j-admin import failed ({proc.returncode}): "
                           + " | ".join(tail))
    return proc.stdout


def find_admin(home: str | Path) -> list[str] | None:
    """The ``neo4j-admin`` of the DBMS at ``home`` (``bin/neo4j-admin``), else the one on
    the PATH, else None."""
    local = Path(home) / "bin" / "neo4j-admin"
    found = str(local) if local.is_file() else shutil.which("neo4j-admin")
    return [found] if found else None


def import_into_home(store: GraphStore, home: str | Path, admin: list[str] | None = None,
                     database: str = "neo4j") -> dict[str, int]:
    """Copy ``store`` into ``database`` of the *stopped* Neo4j DBMS at ``home`` through
    import files (written to a temporary folder and removed after); the rows per table.
    The database must not exist yet (the importer refuses to overwrite one)."""
    admin = admin or find_admin(home)
    if not admin:
        raise RuntimeError(f"{home}: no bin/neo4j-admin there and none on the PATH")
    with tempfile.TemporaryDirectory(prefix="govgraph-import-") as folder:
        rows = write_import_files(store, folder)
        run_import(folder, admin, home, database)
    return rows

"""CSV and JSON Lines node and edge lists, for researchers' own data.

CSV: a nodes file's header starts ``id,type,name`` (optional ``aliases`` separated by ``|``;
further columns become properties); an edges file's header starts ``source,target,type``
(optional ``confidence``, ``weight``; further columns become properties). JSON Lines: one
object per line with the same keys; an object with ``source`` and ``target`` is an edge.

A node's ``id`` is the source's own key: it is kept as a key of the node so that edges (in
this file or another) can refer to it; the graph id is derived from type and name.
Any bad line fails the whole file with ``FILE:LINE: reason`` (a file loads whole or not
at all).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.model import Batch, Entity, ModelError, Relation, plain_items
from graph.vocab import FIELD, relation_type_name
from loaders.base import (
    Loader,
    LoadError,
    iter_lines,
    json_lines,
    new_batch,
    open_binary,
    read_text,
    register,
)

NODE_HEADER = ("id", "type", "name")
_EDGE_FIELDS = frozenset({"source", "target", "type", "confidence"})
_TEXT_COLUMNS = frozenset({"id", "name", "source", "target", "aliases", "type"})  # never numbers
EDGE_HEADER = ("source", "target", "type")
_INTEGER = re.compile(r"-?\d+", re.ASCII)
_FLOAT = re.compile(r"-?\d+\.\d*(e-?\d+)?|-?\d+e-?\d+", re.ASCII | re.IGNORECASE)
_NUMBER_START = frozenset("-0123456789")


def _header(head: str) -> tuple[str, ...]:
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip().lower()
    return tuple(c.strip() for c in next(csv.reader([first]), []))


def _detect_csv(path: Path, head: str) -> bool:
    cols = _header(head)
    return cols[:3] in (NODE_HEADER, EDGE_HEADER)


def _detect_jsonl(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").lstrip().split("\n", 1)[0].strip()
    if not first.startswith("{"):
        return False
    try:
        obj = json.loads(first)
    except (ValueError, RecursionError):
        return path.suffix.lower() in {".jsonl", ".ndjson"}
    return isinstance(obj, dict) and ({"source", "target"} <= obj.keys()
                                      or {"type", "name"} <= obj.keys())


@lru_cache(maxsize=1 << 14)  # a column's values recur (confidences, weights, dates)
def parse_value(text: str) -> Any:
    """A CSV cell as int or float when it is plainly a number (ASCII digits, optional sign,
    point and exponent), else the text."""
    if not text or text[0] not in _NUMBER_START:  # most text is decided here
        return text
    if _INTEGER.fullmatch(text):  # longer digit strings are identifiers, kept as text
        return int(text) if len(text) <= 18 + (text[0] == "-") else text
    return float(text) if _FLOAT.fullmatch(text) else text  # not "-inf", "1E+5", dates


def _split_aliases(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [a.strip() for a in str(value or "").split("|") if a.strip()]


def entity_from_row(row: dict[str, Any], locator: str) -> Entity:
    """A node row (``id``, ``type``, ``name``, ``aliases``, properties) as an Entity."""
    key = str(row.get("id") or "").strip()
    name = str(row.get("name") or "").strip() or key
    props = {k: v for k, v in row.items()
             if k not in {"id", "type", "name", "aliases"} and v not in (None, "")}
    return Entity(type=str(row.get("type") or "").strip(), name=name,
                  aliases=_split_aliases(row.get("aliases")), keys=[key] if key else [],
                  properties=props, locator=locator)


def relation_from_row(row: dict[str, Any], locator: str) -> Relation:
    """An edge row (``source``, ``target``, ``type``, ``confidence``, properties)."""
    ends = (str(row.get("source") or "").strip(), str(row.get("target") or "").strip(),
            str(row.get("type") or "").strip())
    if not all(ends):
        raise ModelError(f"missing {EDGE_HEADER[ends.index('')]!r}")
    props = {k: v for k, v in row.items() if k not in _EDGE_FIELDS and v is not None
             and v != ""}
    if "weight" in props and not isinstance(props["weight"], (int, float)):
        raise ModelError(f"weight {props['weight']!r} is not a number")
    conf = row.get("confidence")
    conf = FIELD.confidence if conf is None or conf == "" else conf
    if not isinstance(conf, (int, float)):
        raise ModelError(f"confidence {conf!r} is not a number")
    return Relation(source=ends[0], target=ends[1], type=ends[2], properties=props,
                    confidence=conf, locator=locator)


class EdgeLine:
    """Reads an edges CSV line straight into a Relation when its cells are plain (ends,
    a known type, a confidence in [0, 1], a numeric weight, ASCII text and finite numbers):
    the checks :func:`relation_from_row` and :class:`~graph.model.Relation` make, on the
    cells, without a row dict in between (a million-line edge list makes two objects
    fewer per line). Any other line is left to the generic path, with its errors."""

    def __init__(self, header: list[str]) -> None:
        self.width = len(header)
        self.confidence = header.index("confidence") if "confidence" in header else None
        self.props = [(i, column, column in _TEXT_COLUMNS) for i, column in enumerate(header)
                      if i >= len(EDGE_HEADER) and column != "confidence"]

    def relation(self, cells: list[str], number: int) -> Relation | None:
        """The line's relation, or None when the generic path must read it."""
        if len(cells) != self.width:
            return None
        source, target, rel_type = cells[0].strip(), cells[1].strip(), cells[2].strip()
        props: dict[str, Any] = {}
        for i, column, text in self.props:
            if (cell := cells[i]) and (cell := cell.strip()):
                props[column] = cell if text else parse_value(cell)
        cell = cells[self.confidence].strip() if self.confidence is not None else ""
        conf = parse_value(cell) if cell else FIELD.confidence
        weight = props.get("weight", 0)
        if not (source and target and rel_type and source.isascii() and target.isascii()
                and type(conf) in (int, float) and 0.0 <= conf <= 1.0
                and type(weight) in (int, float) and plain_items(props)):
            return None
        try:
            rel_type = relation_type_name(rel_type)
        except KeyError:
            return None
        return Relation.checked(source, target, rel_type, props, float(conf), f"line {number}")


def _add_row(batch: Batch, path: Path, row: dict[str, Any] | Relation, number: int) -> None:
    if isinstance(row, Relation):  # read by EdgeLine
        batch.relations.append(row)
        return
    locator = f"line {number}"
    try:
        if "source" in row and "target" in row:
            batch.relations.append(relation_from_row(row, locator))
        else:
            batch.entities.append(entity_from_row(row, locator))
    except ModelError as exc:
        raise LoadError(path, str(exc), number) from None


def _csv_rows(path: Path, lines: Iterable[str]
              ) -> Iterator[tuple[int, dict[str, Any] | Relation]]:
    """``(line number, row)`` for each non-blank data line of a node or edge CSV; an edge
    line that :class:`EdgeLine` reads is given as its Relation."""
    reader = csv.reader(lines)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise LoadError(path, "empty file") from None
    except csv.Error as exc:
        raise LoadError(path, f"bad CSV: {exc}", 1) from None
    if tuple(header[:3]) not in (NODE_HEADER, EDGE_HEADER):
        raise LoadError(path, "header must start id,type,name or source,target,type", 1)
    if len(set(header)) != len(header):
        raise LoadError(path, "duplicate column names in header", 1)
    columns = [(column, column in _TEXT_COLUMNS) for column in header]
    edge_line = EdgeLine(header) if tuple(header[:3]) == EDGE_HEADER else None
    try:
        for cells in reader:
            if edge_line and (rel := edge_line.relation(cells, reader.line_num)):
                yield reader.line_num, rel
                continue
            if len(cells) != len(header):
                if not any(c.strip() for c in cells):
                    continue
                raise LoadError(path, f"expected {len(header)} fields, found {len(cells)}",
                                reader.line_num)
            row = {}
            for (column, text), cell in zip(columns, cells, strict=False):
                if cell and (cell := cell.strip()):  # empty cells are absent values
                    row[column] = cell if text else parse_value(cell)
            if row:  # else a blank line
                yield reader.line_num, row
    except csv.Error as exc:
        raise LoadError(path, f"bad CSV: {exc}", reader.line_num) from None


def _parts(path: Path, loader: str, rows: Iterable[tuple[int, dict[str, Any] | Relation]],
           size: int) -> Iterator[Batch]:
    """The records of ``rows`` in batches of at most ``size`` (at least one batch)."""
    batch, first = new_batch(path, loader), True
    for number, row in rows:
        _add_row(batch, path, row, number)
        if len(batch.entities) + len(batch.relations) >= size:
            yield batch
            batch, first = Batch(source_id=batch.source_id, uri=batch.uri, loader=batch.loader,
                                 retrieved_at=batch.retrieved_at), False
    if batch.entities or batch.relations or first:
        yield batch


def load_csv(path: Path) -> Batch:
    return next(_parts(path, "csv", _csv_rows(path, io.StringIO(read_text(path), newline="")),
                       sys.maxsize))


def stream_csv(path: Path, size: int) -> Iterator[Batch]:
    """The records of a CSV file in batches of at most ``size``, read as they come (a UTF-16
    file, which :func:`loaders.base.iter_lines` does not read, is read whole)."""
    with open_binary(path) as fh:
        utf16 = fh.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    lines = (io.StringIO(read_text(path), newline="") if utf16 else
             (line + "\n" for line in iter_lines(path)))
    return _parts(path, "csv", _csv_rows(path, lines), size)


def load_jsonl(path: Path) -> Batch:
    batch = next(_parts(path, "jsonl", json_lines(path), sys.maxsize))
    if not batch.entities and not batch.relations:
        raise LoadError(path, "no nodes or edges in file")
    return batch


def stream_jsonl(path: Path, size: int) -> Iterator[Batch]:
    """The records of a JSON Lines file in batches of at most ``size``."""
    empty = True
    for batch in _parts(path, "jsonl", json_lines(path), size):
        empty = False
        yield batch
    if empty:
        raise LoadError(path, "no nodes or edges in file")


CSV = register(Loader("csv", (".csv",), _detect_csv, load_csv, stream_csv))
JSONL = register(Loader("jsonl", (".jsonl", ".ndjson", ".json"), _detect_jsonl, load_jsonl,
                        stream_jsonl))

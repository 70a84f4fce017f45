"""Judgements: a person's say on whether two names are one thing.

A CSV file whose header starts ``a,b,same`` (further columns, such as ``note``, are kept only
as documentation). ``a`` and ``b`` are names or ids (``Lu Heng``, ``org:cloud-innovation``);
``same`` is ``yes``/``no`` (also ``true``/``false``, ``1``/``0``, ``same``/``not same``). The
store consults every loaded judgement before merging names: a ``no`` blocks a merge the name
rule would make, a ``yes`` merges two names that share nothing. Judgement files are written
before the other sources of the same load, so they apply to that load's merges.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from graph.model import Batch, Judgement
from loaders.base import Loader, LoadError, new_batch, read_text, register

HEADER = ("a", "b", "same")
YES = {"yes", "y", "true", "1", "same"}
NO = {"no", "n", "false", "0", "not same", "different"}


def _cells(line: str) -> list[str]:
    return [c.strip().lower() for c in next(csv.reader([line]), [])]


def _detect(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    return tuple(_cells(first)[:3]) == HEADER


def load_judgements(path: Path) -> Batch:
    """The file's verdicts as a Batch that carries only judgements."""
    batch = new_batch(path, "judgements")
    reader = csv.reader(io.StringIO(read_text(path).lstrip("\ufeff"), newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if tuple(header[:3]) != HEADER:
            raise LoadError(path, "header must start a,b,same", 1)
        for cells in reader:
            if any(c.strip() for c in cells):
                batch.judgements.append(_judgement(path, cells, reader.line_num))
    except csv.Error as exc:
        raise LoadError(path, f"bad CSV: {exc}", reader.line_num) from None
    if not batch.judgements:
        raise LoadError(path, "no judgements in file")
    return batch


def _judgement(path: Path, cells: list[str], line: int) -> Judgement:
    if len(cells) < 3:
        raise LoadError(path, f"expected a,b,same; found {len(cells)} fields", line)
    a, b, verdict = (c.strip() for c in cells[:3])
    if not a or not b:
        raise LoadError(path, "a and b must both name something", line)
    if verdict.lower() not in YES | NO:
        raise LoadError(path, f"same must be yes or no, not {verdict!r}", line)
    return Judgement(a, b, verdict.lower() in YES, f"line {line}")


JUDGEMENTS = register(Loader("judgements", (".csv",), _detect, load_judgements))

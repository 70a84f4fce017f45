"""How both stores keep a score value, and the order of a node's scores.

A score ranks when it is a number: an integer that fits in 64 bits, a float other than NaN
(infinities included) or a boolean (true above false). Anything else — None, NaN, a string,
a list, an object, a larger integer — is kept on the node as JSON and comes back unchanged,
but ``top`` does not rank it.

- SQLite (``scores`` table): ``value`` is the number a score ranks by (booleans as 1 / 0)
  or NULL; ``detail`` is the value's JSON text whenever ``value`` alone would not give it
  back (booleans, infinities, values that do not rank), else NULL.
- Neo4j (property ``score.<metric>``): numbers and booleans as themselves, anything else as
  a string holding its JSON text.

A node's ``scores`` dict lists its metrics in the order they were last written (each
``write_scores`` writes a metric for the whole graph, so that is one order for all nodes).
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import Any

import numpy as np

INT64 = (-(2 ** 63), 2 ** 63 - 1)
# The standard library's encoder: NaN and the infinities come back (as NaN, Infinity).
json_with_nan = json.JSONEncoder(ensure_ascii=False, default=str,
                                 separators=(",", ":")).encode


def _number(value: Any) -> int | float | bool | None:
    """The value as a number that ranks, or None when it does not rank."""
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        whole = int(value)
        return whole if INT64[0] <= whole <= INT64[1] else None
    if isinstance(value, numbers.Real):
        number = float(value)
        return None if math.isnan(number) else number
    return None


def to_row(value: Any) -> tuple[int | float | None, str | None]:
    """``(value, detail)`` for the SQLite ``scores`` table."""
    kind = type(value)
    if kind is float and math.isfinite(value):  # the common cases first
        return value, None
    if kind is int and INT64[0] <= value <= INT64[1]:
        return value, None
    if kind is bool:
        return int(value), "true" if value else "false"
    number = _number(value)
    if number is None:
        return None, json_with_nan(value)
    if isinstance(number, bool):
        return int(number), json_with_nan(number)
    if isinstance(number, float) and math.isinf(number):
        return number, json_with_nan(number)
    return number, None


def to_columns(values: Sequence[Any] | np.ndarray) -> tuple[Iterable[Any], Iterable[Any]]:
    """``to_row`` of each value as two columns, ``value`` and ``detail``; a numpy column of
    numbers is encoded whole (its values as a list, no detail) when each ranks as itself."""
    if isinstance(values, np.ndarray) and values.ndim == 1:
        kind = values.dtype.kind
        if kind == "b":
            return values.astype(np.int8).tolist(), np.where(values, "true", "false").tolist()
        if kind == "i" or (kind == "f" and bool(np.isfinite(values).all())):
            return values.tolist(), repeat(None)
        values = values.tolist()
    rows = [to_row(v) for v in values]
    return [r[0] for r in rows], [r[1] for r in rows]


_CONSTANTS = {"true": True, "false": False, "null": None}


def from_row(value: int | float | None, detail: str | None) -> Any:
    """The score a ``scores`` row holds."""
    if detail is None:
        return value
    constant = _CONSTANTS.get(detail, _CONSTANTS)
    return json.loads(detail) if constant is _CONSTANTS else constant


def to_property(value: Any) -> int | float | bool | str:
    """A score as a Neo4j property value."""
    number = _number(value)
    return json_with_nan(value) if number is None else number


def from_property(value: Any) -> Any:
    """The score a Neo4j property holds."""
    return json.loads(value) if isinstance(value, str) else value


def metric_order(key_lists: Iterable[Sequence[str]]) -> list[str]:
    """One order of metrics that keeps the order of each list as far as they agree (the
    earliest seen first among the free choices): how scores kept as one JSON object per
    node (schema 2 and before) were ordered, as one write order."""
    first: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    for keys in key_lists:
        for key in keys:
            first.setdefault(key, len(first))
            after.setdefault(key, set())
        for a, b in zip(keys, keys[1:], strict=False):
            after[a].add(b)
    before = {k: 0 for k in first}
    for successors in after.values():
        for b in successors:
            before[b] += 1
    order: list[str] = []
    left = set(first)
    while left:
        free = [k for k in left if before[k] == 0] or list(left)  # a cycle: break it
        key = min(free, key=first.__getitem__)
        order.append(key)
        left.discard(key)
        for b in after[key]:
            before[b] -= 1
    return order

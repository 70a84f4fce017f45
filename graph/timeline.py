"""The time axis: which loaded snapshots are in force on a date.

A source that belongs to a *dataset* (a series of snapshots such as ``caida-asrel:v4``) and
carries the date it describes (``observed``) is one snapshot of that series. The rule:

    a fact holds from the first loaded snapshot that states it until the next loaded
    snapshot of the same dataset that no longer does; it stays in force while the newest
    snapshot states it.

Equivalently: on a date ``t`` the snapshot *in force* for a dataset is its newest one
observed on or before ``t`` (several when they share that date); with no date, its newest
one. Every other snapshot of the dataset is *hidden* at ``t``. Before a dataset's first
loaded snapshot, that first snapshot stands in for it: it is the oldest knowledge the graph
has (a quarterly as2org file dated April still names March's networks), and ``observed`` on
the source says how old the answer really is. A source with no dataset (or no observation
date) is always in force, as before the time axis existed. An edge is seen at ``t`` when at
least one of its claims comes from a source in force (``EdgeFilter.hidden_sources`` lists the
others, and the stores apply it); its own ``start``/``end`` still apply as well.

Loading February and March of one dataset keeps both: they are different sources, and the
date picks which one answers.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

from graph.store.base import EdgeFilter

_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2}))?$")
_REMEMBERED: ContextVar[dict[Hashable, frozenset[str]] | None] = ContextVar("in_force",
                                                                             default=None)


class Snapshot(Protocol):
    source_id: str
    dataset: str | None
    observed: str | None


def day(as_of: str | None) -> str | None:
    """An as-of date as a full ISO day: ``2023`` means its last day, ``2023-02`` the last day
    of February (a snapshot of any day of the period is then in force)."""
    if as_of is None:
        return None
    found = _PARTIAL.match(as_of)
    if not found:
        return as_of
    year, month = int(found.group(1)), int(found.group(2) or 12)
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def hidden_at(sources: Iterable[Snapshot], as_of: str | None = None) -> frozenset[str]:
    """The ids of the snapshots not in force on ``as_of`` (None: today, the newest of each
    dataset) by the rule in the module docstring."""
    by_dataset: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for source in sources:
        if source.dataset and source.observed:
            by_dataset[source.dataset].append((source.observed, source.source_id))
    when = day(as_of)
    hidden: set[str] = set()
    for series in by_dataset.values():
        dates = [observed for observed, _ in series if when is None or observed <= when]
        current = max(dates) if dates else min(observed for observed, _ in series)
        hidden.update(source_id for observed, source_id in series if observed != current)
    return frozenset(hidden)


def in_force(sources: Iterable[Snapshot], flt: EdgeFilter | None) -> EdgeFilter:
    """``flt`` with ``hidden_sources`` set to the snapshots not in force on its ``as_of``."""
    flt = flt or EdgeFilter()
    hidden = hidden_at(sources, flt.as_of)
    return flt if hidden == flt.hidden_sources else dataclasses.replace(flt,
                                                                        hidden_sources=hidden)


def snapshots(sources: Iterable[Snapshot], dataset: str) -> list[tuple[str, str]]:
    """``(observed, source_id)`` of every loaded snapshot of a dataset, oldest first."""
    return sorted((s.observed, s.source_id) for s in sources
                  if s.dataset == dataset and s.observed)


@contextmanager
def remembered() -> Iterator[None]:
    """Within the block (one API request), :func:`in_force_once` reads each store's sources
    and works out the hidden snapshots once per date, however many reads the request makes
    (a depth-2 /subgraph makes several). A load that lands meanwhile is seen by the next
    request, as a read that began before it would not see it either."""
    token = _REMEMBERED.set({})
    try:
        yield
    finally:
        _REMEMBERED.reset(token)


def in_force_once(store_key: Hashable, sources: Callable[[], Iterable[Snapshot]],
                  flt: EdgeFilter | None) -> EdgeFilter:
    """:func:`in_force` with the hidden set remembered per ``(store_key, as_of)`` inside
    :func:`remembered` (and computed afresh outside it)."""
    flt = flt or EdgeFilter()
    memo = _REMEMBERED.get()
    if memo is None:
        return in_force(sources(), flt)
    key = (store_key, flt.as_of)
    if key not in memo:
        memo[key] = hidden_at(sources(), flt.as_of)
    hidden = memo[key]
    return flt if hidden == flt.hidden_sources else dataclasses.replace(flt,
                                                                        hidden_sources=hidden)

"""Address ranges of prefix nodes, and an interval index over them (sorted starts and
bisect, with the running maximum of the ends so that a search for covering ranges stops as
soon as no earlier range can reach): which whois ranges cover a delegated block, or lie
inside it (graph/bridge.py)."""

from __future__ import annotations

import ipaddress
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
Span = tuple[int, int, int]  # IP version, first and last address as integers


def block_range(name: str) -> Span | None:
    """The span of a prefix node's name or id: CIDR (``192.0.2.0/24``, ``2001:db8::/32``)
    or an inclusive range (``192.0.2.0-192.0.2.127``, as loaders/resources.py names an
    unaligned block); None for anything else."""
    text = name.removeprefix("prefix:").strip()
    try:
        if "/" in text:
            net = ipaddress.ip_network(text, strict=False)
            return net.version, int(net.network_address), int(net.broadcast_address)
        first, dash, last = text.partition("-")
        if dash:
            a, b = ipaddress.ip_address(first.strip()), ipaddress.ip_address(last.strip())
            if a.version == b.version and int(a) <= int(b):
                return a.version, int(a), int(b)
    except ValueError:
        pass
    return None


class RangeIndex(Generic[T]):
    """Spans with a value each, searchable by containment."""

    def __init__(self, items: Iterable[tuple[Span, T]]) -> None:
        self.starts: dict[int, list[int]] = {}
        self.ends: dict[int, list[int]] = {}
        self.reach: dict[int, list[int]] = {}  # the largest end among spans up to here
        self.values: dict[int, list[T]] = {}
        for (version, start, end), value in sorted(items, key=lambda item: item[0]):
            ends = self.ends.setdefault(version, [])
            reach = self.reach.setdefault(version, [])
            self.starts.setdefault(version, []).append(start)
            reach.append(max(end, reach[-1]) if reach else end)
            ends.append(end)
            self.values.setdefault(version, []).append(value)

    def __len__(self) -> int:
        return sum(len(v) for v in self.values.values())

    def covering(self, span: Span) -> Iterator[tuple[int, T]]:
        """``(size, value)`` of each span that contains ``span`` (or equals it)."""
        version, start, end = span
        starts, ends = self.starts.get(version, []), self.ends.get(version, [])
        reach, values = self.reach.get(version, []), self.values.get(version, [])
        i = bisect_right(starts, start) - 1
        while i >= 0 and reach[i] >= end:
            if ends[i] >= end:
                yield ends[i] - starts[i] + 1, values[i]
            i -= 1

    def inside(self, span: Span) -> Iterator[tuple[Span, T]]:
        """Each span that ``span`` contains (or equals), with its value."""
        version, start, end = span
        starts, ends = self.starts.get(version, []), self.ends.get(version, [])
        values = self.values.get(version, [])
        i = bisect_left(starts, start)
        while i < len(starts) and starts[i] <= end:
            if ends[i] <= end:
                yield (version, starts[i], ends[i]), values[i]
            i += 1


def most_specific(index: RangeIndex[T], span: Span) -> T | None:
    """The value of the smallest span that covers ``span``; else, when spans inside it fill
    it and all carry one value, that value; else None."""
    covering = sorted(index.covering(span), key=lambda found: found[0])
    if covering:
        return covering[0][1]
    inner = list(index.inside(span))
    values = {value for _, value in inner}
    if len(values) != 1:
        return None
    reached = span[1] - 1  # the last address filled so far (spans come by start)
    for (_, start, end), _ in inner:
        if start > reached + 1:
            return None
        reached = max(reached, end)
    return next(iter(values)) if reached >= span[2] else None

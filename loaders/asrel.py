"""CAIDA AS relationships and customer cones (files written in CAIDA's published formats).

**AS relationships**, serial-1 (``YYYYMMDD.as-rel.txt[.bz2]``, IPv6: ``…as-rel.v6-stable…``)
and serial-2 (``YYYYMMDD.as-rel2.txt[.bz2]``): one link per line,

- ``<provider>|<customer>|-1``: the customer AS ``CUSTOMER_OF`` its provider (a dependency of
  the routing layer: the customer needs a provider to reach the Internet);
- ``<peer>|<peer>|0``: ``PEERS_WITH`` (settlement-free peering, not a dependency; one edge,
  first AS to second);
- serial-2 adds a fourth field on both kinds of line, the inference source (``bgp``,
  ``mlp``, …), kept as the edge property ``inference_source``.

Every edge also carries ``snapshot`` (the file's date); a customer link ``weight`` 1 (so that
organisation-level links, lifted from AS links, weigh the number of AS links: see
graph/analytics/layers.py). ``#`` lines are comments; those CAIDA
writes are read:

- ``# source:topology|BGP|20230301|ripe|rrc00``: a collector and the date of its data (the
  snapshot's date when the file name has none);
- ``# input clique: A B …`` (or ``# inferred clique: …``): the tier-1 clique, marked
  ``caida_clique`` = true;
- ``# IXP ASes: A B …``: route servers left out of the inference, marked ``caida_ixp``;
- ``# step N: …``: ignored.

ASNs are the shared ``asn:<n>`` nodes (``loaders.resources.asn_entity``), so layers join.

**Customer cones** (``YYYYMMDD.ppdc-ases.txt[.bz2]``): ``<cone-as> <member> …``, the first
member the AS itself; the AS gets ``customer_cone_size`` = the number of members (CAIDA's
count includes the AS itself: ``transitive_dependents`` of the routing layer plus one when
the cone is the transitive closure of the customer links).

**Time**: each file is one snapshot. Its dataset is ``caida-asrel:v4`` (serial-1 and serial-2
alike: they are two renderings of one monthly series), ``caida-asrel:v6`` or
``caida-ppdc:v4``, and ``observed`` the date in the file name (``YYYYMMDD.``), else the
newest date of its ``# source:`` lines. See graph/timeline.py.

A malformed line (a field that is not an AS number, a relationship other than -1 or 0, the
wrong number of fields, an AS related to itself) fails the whole file with ``FILE:LINE:
reason``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from graph.model import Batch, Entity, Relation
from graph.vocab import RECORD
from loaders.base import Loader, LoadError, iter_lines, new_batch, register
from loaders.resources import MAX_ASN, asn_entity

_LINK = re.compile(r"\d+\|\d+\|(-1|0)(\|[A-Za-z0-9_-]+)?\s*$", re.ASCII)
_CONE = re.compile(r"\d+( \d+)*\s*$", re.ASCII)
_FILE_DATE = re.compile(r"(\d{8})\.")
_SOURCE_DATE = re.compile(r"#\s*source:[^|]*\|[^|]*\|(\d{8})")
_CLIQUE = re.compile(r"#\s*(?:input|inferred) clique:(.*)", re.IGNORECASE)
_IXP = re.compile(r"#\s*IXP ASes:(.*)", re.IGNORECASE)
RELATION_OF = {"-1": "CUSTOMER_OF", "0": "PEERS_WITH"}


@dataclass(slots=True)
class _Links:
    """What one relationships file says, gathered before the batch is built."""

    asns: dict[int, int] = field(default_factory=dict)  # asn -> first line
    clique: set[int] = field(default_factory=set)
    ixp: set[int] = field(default_factory=set)
    collector_dates: list[str] = field(default_factory=list)


def _data_lines(head: str) -> list[str]:
    return [ln for ln in head.splitlines()[:200] if ln.strip() and not ln.startswith("#")][:20]


def _detect_links(path: Path, head: str) -> bool:
    lines = _data_lines(head)
    return bool(lines) and all(_LINK.match(ln) for ln in lines[:-1] or lines)


def _detect_cones(path: Path, head: str) -> bool:
    lines = _data_lines(head)
    return "ppdc" in path.name.lower() and bool(lines) and all(
        _CONE.match(ln) for ln in lines[:-1] or lines)


def file_date(path: Path) -> str | None:
    """The ISO date a CAIDA file name starts with (``20230301.as-rel2.txt.bz2``), or None."""
    found = _FILE_DATE.match(path.name)
    return _iso(found.group(1)) if found else None


def _iso(text: str) -> str | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()
    except ValueError:
        return None


def _asn(path: Path, number: int, text: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 0 < int(text) <= MAX_ASN:
        raise LoadError(path, f"{text!r} is not an AS number (1-{MAX_ASN})", number)
    return int(text)


def _asn_list(path: Path, number: int, text: str) -> set[int]:
    return {_asn(path, number, t) for t in text.split()}


def _comment(path: Path, number: int, line: str, links: _Links) -> None:
    if found := _SOURCE_DATE.match(line):
        if day := _iso(found.group(1)):
            links.collector_dates.append(day)
    elif found := _CLIQUE.match(line):
        links.clique |= _asn_list(path, number, found.group(1))
    elif found := _IXP.match(line):
        links.ixp |= _asn_list(path, number, found.group(1))


def _relations(path: Path, lines: Iterator[str], links: _Links,
               snapshot: dict[str, str]) -> Iterator[Relation]:
    """The relations of the file's link lines, noting each AS's first line in ``links``."""
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            _comment(path, number, line, links)
            continue
        fields = line.split("|")
        if len(fields) not in (3, 4):
            raise LoadError(path, f"expected AS|AS|relationship[|source], found {len(fields)} "
                            "fields", number)
        first, second = _asn(path, number, fields[0]), _asn(path, number, fields[1])
        kind = RELATION_OF.get(fields[2].strip())
        if kind is None:
            raise LoadError(path, f"relationship {fields[2]!r} is neither -1 (provider to "
                            "customer) nor 0 (peers)", number)
        if first == second:
            raise LoadError(path, f"AS{first} is related to itself", number)
        links.asns.setdefault(first, number)
        links.asns.setdefault(second, number)
        props = {**snapshot, "weight": 1} if kind == "CUSTOMER_OF" else dict(snapshot)
        if len(fields) == 4:
            props["inference_source"] = fields[3].strip()
        source, target = (second, first) if kind == "CUSTOMER_OF" else (first, second)
        yield Relation(f"asn:{source}", f"asn:{target}", kind, props, RECORD.confidence,
                       f"line {number}")


def _dataset(path: Path, prefix: str) -> str:
    return f"{prefix}:{'v6' if 'v6' in path.name.lower() else 'v4'}"


def load_links(path: Path) -> Batch:
    """The batch of one AS relationships file (see the module docstring)."""
    batch = new_batch(path, "caida-asrel")
    links = _Links()
    observed = file_date(path)
    snapshot = {"snapshot": observed} if observed else {}
    batch.relations = list(_relations(path, iter_lines(path), links, snapshot))
    if not batch.relations:
        raise LoadError(path, "no AS relationships in file")
    observed = observed or max(links.collector_dates, default=None)
    if observed and not snapshot:
        for rel in batch.relations:
            rel.properties["snapshot"] = observed
    batch.dataset, batch.observed = _dataset(path, "caida-asrel"), observed
    if observed is None:
        batch.warnings.append(f"{path}: no date in the file name or its '# source:' lines; "
                              "the snapshot is taken to hold at every date")
    for asn in sorted(links.asns.keys() | links.clique | links.ixp):
        entity = asn_entity(asn, locator=f"line {links.asns[asn]}" if asn in links.asns
                            else None)
        if asn in links.clique:
            entity.properties["caida_clique"] = True
        if asn in links.ixp:
            entity.properties["caida_ixp"] = True
        batch.entities.append(entity)
    return batch


def _cones(path: Path) -> Iterator[Entity]:
    seen: set[int] = set()
    for number, raw in enumerate(iter_lines(path), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not _CONE.match(line):
            raise LoadError(path, "expected '<cone-as> <member> ...' (AS numbers separated "
                            "by spaces)", number)
        members = [_asn(path, number, t) for t in line.split()]
        cone_as = members[0]
        if cone_as in seen:
            raise LoadError(path, f"AS{cone_as} has a second cone line", number)
        seen.add(cone_as)
        entity = asn_entity(cone_as, locator=f"line {number}")
        entity.properties["customer_cone_size"] = len(set(members))
        yield entity


def load_cones(path: Path) -> Batch:
    """The batch of one customer-cone file: ``customer_cone_size`` on each cone's AS."""
    batch = new_batch(path, "caida-ppdc")
    batch.entities = list(_cones(path))
    if not batch.entities:
        raise LoadError(path, "no customer cones in file")
    batch.dataset, batch.observed = _dataset(path, "caida-ppdc"), file_date(path)
    return batch


ASREL = register(Loader("caida-asrel", (), _detect_links, load_links))
PPDC = register(Loader("caida-ppdc", (), _detect_cones, load_cones))

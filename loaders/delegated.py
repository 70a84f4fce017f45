"""RIR delegated(-extended) statistics: ``registry|cc|type|start|value|date|status|opaque-id``.

Recognised by content, whatever the file is called: comment lines (``#``), a version line
(``2|afrinic|20230323|15019|00000000|20230323|00000``), summary lines
(``afrinic|*|ipv4|*|5089|summary``) and records. Every record becomes exactly one resource
node:

- ``asn``: an ``ASN`` node, ``asn:1228`` (named ``AS1228``) or ``asn:1228-1231`` for a block;
- ``ipv4``: a ``Prefix`` whose name is the CIDR when the count is an aligned power of two
  (``41.0.0.0/16``), else the inclusive range (``196.1.0.0-196.1.5.255``); properties
  ``ip_start``, ``ip_count``;
- ``ipv6``: a ``Prefix`` named by its CIDR (``2c0f:f000::/32``).

Resource properties: ``resource_type``, ``registry``, ``cc``, ``status``, ``date`` (ISO),
``opaque_id``. Allocated and assigned records are ``HELD_BY`` their holder, an
``Organization`` named ``<registry>:<opaque-id>`` (``afrinic:F36B9F4B``, the opaque id a key;
properties ``registry``, ``opaque_id``, ``delegated_serial``; a placeholder name that an
organisation's real name replaces, see loaders/as2org.py and graph/bridge.py);
available and reserved records are ``HELD_BY`` the registry itself. Every resource is
``ADMINISTERED_BY`` the registry. A holder is ``LOCATED_IN`` each country its records give (a
``Country`` from pycountry, ``country:za``; ``ZZ`` and empty codes mean unknown) and
``DEPENDS_ON`` the registry with ``weight`` = IPv4 addresses held, and ``ipv4_addresses``,
``ipv6_prefixes``, ``ipv6_slash48s`` (a prefix longer than /48 counts as one) and ``asns``.

The version line's record count and the summary lines are checked against the records; a
mismatch is a warning. The registry node gets ``delegated_stats``: the file's serial, the
records per type, the distinct holders (opaque ids of allocated/assigned records) and
countries (distinct codes other than ``ZZ``/empty).

A malformed line (too few fields, an unknown type or status, a bad number, address or date)
fails the whole file with ``FILE:LINE: reason``: a file loads whole or not at all.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from graph.ids import entity_id
from graph.model import Batch, Entity, Relation
from graph.vocab import INFERRED, RECORD
from loaders.base import Loader, LoadError, new_batch, register, text_lines
from loaders.resources import (
    MAX_ASN,
    Registry,
    asn_entity,
    country_entity,
    country_name,
    ipv4_block_name,
    prefix_entity,
    registry_entity,
    registry_named,
)

TYPES = ("asn", "ipv4", "ipv6")
HELD = {"allocated", "assigned"}
STATUSES = HELD | {"available", "reserved"}
_VERSION = re.compile(r"\d+(\.\d+)?")
_CODE = re.compile(r"[a-z][a-z0-9-]*")
_RECORD = re.compile(r"[a-z][a-z0-9-]*\|[A-Za-z]{0,2}\|(asn|ipv4|ipv6)\|[^|]+\|\d+\|")
_DATE = re.compile(r"\d{8}")


@dataclass(slots=True)
class Record:
    """One resource record; ``line`` is its 1-based line number in the file."""

    line: int
    registry: str
    cc: str
    type: str
    name: str
    entity: Entity
    count: int
    date: str | None
    status: str
    opaque_id: str

    @property
    def locator(self) -> str:
        return f"line {self.line}"


@dataclass(slots=True)
class Parsed:
    """What a file says: its header, summary counts and records."""

    registry: str = ""
    serial: str = ""
    declared_records: int | None = None
    summaries: dict[str, tuple[int, int]] = field(default_factory=dict)  # type -> (n, line)
    records: list[Record] = field(default_factory=list)


@dataclass(slots=True)
class _Holding:
    """What one holder holds, summed over its records."""

    first: Record
    id: str
    ipv4_addresses: int = 0
    ipv6_prefixes: int = 0
    ipv6_slash48s: int = 0
    asns: int = 0
    countries: dict[str, int] = field(default_factory=dict)  # code -> first line


def _detect(path: Path, head: str) -> bool:
    lines = [ln for ln in head.splitlines()[:200] if ln.strip() and not ln.startswith("#")]
    if not lines:
        return False
    first = lines[0].split("|")
    if _VERSION.fullmatch(first[0]) and len(first) >= 6 and _CODE.fullmatch(first[1]):
        return True
    return _RECORD.match(lines[0]) is not None


def parse(path: Path, lines: list[str]) -> Parsed:
    """The header, summaries and records of a statistics file; LoadError on the first
    malformed line."""
    parsed = Parsed()
    seen_data = False
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split("|")
        if not seen_data and _VERSION.fullmatch(fields[0]):
            _header(path, number, fields, parsed)
        elif len(fields) >= 6 and fields[5].strip() == "summary":
            _summary(path, number, fields, parsed)
        else:
            parsed.records.append(_record(path, number, fields))
        seen_data = True
    if not parsed.records:
        raise LoadError(path, "no records in RIR statistics file")
    return parsed


def _header(path: Path, number: int, fields: list[str], parsed: Parsed) -> None:
    if len(fields) < 4 or not _CODE.fullmatch(fields[1].strip().lower()):
        raise LoadError(path, "version line must be version|registry|serial|records|...",
                        number)
    parsed.registry, parsed.serial = fields[1].strip().lower(), fields[2].strip()
    parsed.declared_records = _int(path, number, fields[3], "record count")


def _summary(path: Path, number: int, fields: list[str], parsed: Parsed) -> None:
    kind = fields[2].strip().lower()
    if kind not in TYPES:
        raise LoadError(path, f"summary of unknown type {fields[2]!r}", number)
    parsed.summaries[kind] = (_int(path, number, fields[4], "summary count"), number)


def _int(path: Path, number: int, text: str, what: str) -> int:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 20:
        raise LoadError(path, f"{what} {text!r} is not a whole number", number)
    return int(text)


def _record(path: Path, number: int, fields: list[str]) -> Record:
    if len(fields) < 7:
        raise LoadError(path, f"expected at least 7 fields "
                        "(registry|cc|type|start|value|date|status), found "
                        f"{len(fields)}", number)
    registry, cc, kind, start, value, when, status = (f.strip() for f in fields[:7])
    registry, kind, status, cc = registry.lower(), kind.lower(), status.lower(), cc.upper()
    if not _CODE.fullmatch(registry):
        raise LoadError(path, f"bad registry {registry!r}", number)
    if cc and not (len(cc) == 2 and cc.isascii() and cc.isalpha()):
        raise LoadError(path, f"bad country code {cc!r}", number)
    if kind not in TYPES:
        raise LoadError(path, f"unknown resource type {kind!r} (asn, ipv4, ipv6)", number)
    if status not in STATUSES:
        raise LoadError(path, f"unknown status {status!r} ({', '.join(sorted(STATUSES))})",
                        number)
    count = _int(path, number, value, "value")
    name, entity = _resource(path, number, kind, start, count)
    return Record(line=number, registry=registry, cc=cc, type=kind, name=name,
                  entity=entity, count=count, date=_date(path, number, when), status=status,
                  opaque_id=fields[7].strip() if len(fields) > 7 else "")


def _date(path: Path, number: int, text: str) -> str | None:
    if text in ("", "00000000"):
        return None
    if not _DATE.fullmatch(text):
        raise LoadError(path, f"bad date {text!r} (expected YYYYMMDD)", number)
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        raise LoadError(path, f"bad date {text!r} (no such day)", number) from None


def _resource(path: Path, number: int, kind: str, start: str,
              count: int) -> tuple[str, Entity]:
    """The resource node of a record; LoadError for addresses and counts that do not fit."""
    locator = f"line {number}"
    try:
        if kind == "asn":
            first = _int(path, number, start, "AS number")
            if count < 1 or first + count - 1 > MAX_ASN:
                raise ValueError(f"AS block {first}+{count} is outside 0-{MAX_ASN}")
            entity = asn_entity(first, count, locator)
            return entity.name, entity
        if kind == "ipv4":
            addr = ipaddress.IPv4Address(start)
            if count < 1 or int(addr) + count > 2**32:
                raise ValueError(f"{count} addresses from {addr} do not fit in IPv4")
            name = ipv4_block_name(addr, count)
            return name, prefix_entity(name, locator, ip_start=str(addr), ip_count=count)
        if count > 128:
            raise ValueError(f"IPv6 prefix length {count} is over 128")
        name = str(ipaddress.IPv6Network(f"{start}/{count}", strict=True))
        return name, prefix_entity(name, locator)
    except ValueError as exc:
        raise LoadError(path, f"bad {kind} resource: {exc}", number) from None


def load(path: Path) -> Batch:
    """The batch of one statistics file (see the module docstring)."""
    return build(path, text_lines(path), new_batch(path, "rir-delegated"))


def build(path: Path, lines: list[str], batch: Batch) -> Batch:
    """Fill ``batch`` from the lines of a statistics file; LoadError on a malformed line."""
    parsed = parse(path, lines)
    batch.dataset, batch.observed = snapshot_of(parsed)
    batch.warnings.extend(_check_counts(path, parsed))
    registries = _registries(parsed, batch)
    holdings = _add_records(parsed, registries, batch)
    _add_holders(parsed, holdings, registries, batch)
    _add_stats(parsed, holdings, registries)
    return batch


def snapshot_of(parsed: Parsed) -> tuple[str | None, str | None]:
    """The file as a snapshot (graph/timeline.py): dataset ``rir-delegated:<registry>``,
    observed on the version line's serial when that is a date (``20230323``)."""
    if not parsed.registry:
        return None, None
    observed = None
    if _DATE.fullmatch(parsed.serial):
        try:
            observed = date(int(parsed.serial[:4]), int(parsed.serial[4:6]),
                            int(parsed.serial[6:])).isoformat()
        except ValueError:
            observed = None
    return f"rir-delegated:{parsed.registry}", observed


def _check_counts(path: Path, parsed: Parsed) -> list[str]:
    """Warnings where the version line or a summary line disagrees with the records."""
    per_type = Counter(r.type for r in parsed.records)
    warnings = []
    total = len(parsed.records)
    if parsed.declared_records is not None and parsed.declared_records != total:
        warnings.append(f"{path}: version line says {parsed.declared_records} records, "
                        f"file has {total}")
    for kind, (declared, number) in parsed.summaries.items():
        if declared != per_type[kind]:
            warnings.append(f"{path}:{number}: summary says {declared} {kind} records, "
                            f"file has {per_type[kind]}")
    names = Counter(r.entity.id for r in parsed.records)
    repeated = [n for n, c in names.items() if c > 1]
    if repeated:
        warnings.append(f"{path}: {len(repeated)} resources have more than one record "
                        f"(first: {repeated[0]})")
    return warnings


def _registries(parsed: Parsed, batch: Batch) -> dict[str, Entity]:
    """The Registry node of every registry code in the file (unknown codes keep their own
    upper-cased name)."""
    out: dict[str, Entity] = {}
    for rec in parsed.records:
        if rec.registry not in out:
            known = registry_named(rec.registry)
            known = known or Registry(rec.registry.upper(), rec.registry.upper(),
                                      (rec.registry,), "")
            out[rec.registry] = registry_entity(known, rec.locator)
    batch.entities.extend(out.values())
    return out


def _add_records(parsed: Parsed, registries: dict[str, Entity],
                 batch: Batch) -> dict[str, _Holding]:
    holdings: dict[str, _Holding] = {}
    for rec in parsed.records:
        registry = registries[rec.registry]
        rec.entity.properties.update(_properties(rec))
        batch.entities.append(rec.entity)
        when = {"start": rec.date} if rec.date else {}
        holder_id = registry.id
        if rec.status in HELD and rec.opaque_id:
            holding = holdings.get(_holder_name(rec))
            if holding is None:
                holding = holdings[_holder_name(rec)] = _Holding(rec, _holder_id(rec))
            _tally(holding, rec)
            holder_id = holding.id
        batch.relations.append(Relation(rec.entity.id, holder_id, "HELD_BY",
                                        {"status": rec.status, **when}, RECORD.confidence,
                                        rec.locator))
        batch.relations.append(Relation(rec.entity.id, registry.id, "ADMINISTERED_BY",
                                        {"status": rec.status}, RECORD.confidence,
                                        rec.locator))
    return holdings


def _properties(rec: Record) -> dict[str, object]:
    props = {"resource_type": rec.type, "registry": rec.registry, "cc": rec.cc or None,
             "status": rec.status, "date": rec.date, "opaque_id": rec.opaque_id or None}
    return {k: v for k, v in props.items() if v is not None}


def _holder_name(rec: Record) -> str:
    return f"{rec.registry}:{rec.opaque_id}"


def _holder_id(rec: Record) -> str:
    return entity_id("Organization", _holder_name(rec))


def _tally(holding: _Holding, rec: Record) -> None:
    if rec.type == "ipv4":
        holding.ipv4_addresses += rec.count
    elif rec.type == "ipv6":
        holding.ipv6_prefixes += 1
        holding.ipv6_slash48s += 2 ** (48 - rec.count) if rec.count <= 48 else 1
    else:
        holding.asns += rec.count
    if country_name(rec.cc) is not None:
        holding.countries.setdefault(rec.cc, rec.line)


def _add_holders(parsed: Parsed, holdings: dict[str, _Holding],
                 registries: dict[str, Entity], batch: Batch) -> None:
    for name, h in holdings.items():
        rec = h.first
        holder = Entity("Organization", name, id=h.id, keys=[rec.opaque_id],
                        locator=rec.locator, properties=_holder_properties(parsed, rec))
        batch.entities.append(holder)
        for cc, line in h.countries.items():
            batch.relations.append(Relation(holder.id, entity_id("Country", cc), "LOCATED_IN",
                                            {}, RECORD.confidence, f"line {line}"))
        weights = {"weight": h.ipv4_addresses, "ipv4_addresses": h.ipv4_addresses,
                   "ipv6_prefixes": h.ipv6_prefixes, "ipv6_slash48s": h.ipv6_slash48s,
                   "asns": h.asns, "basis": "number resources"}
        batch.relations.append(Relation(holder.id, registries[rec.registry].id, "DEPENDS_ON",
                                        weights, INFERRED.confidence, rec.locator))
    codes = {r.cc: r.line for r in reversed(parsed.records) if r.cc}
    batch.entities.extend(c for cc, line in codes.items()
                          if (c := country_entity(cc, f"line {line}")) is not None)


def _holder_properties(parsed: Parsed, rec: Record) -> dict[str, object]:
    """A holder's registry and opaque id, and the serial of the file that names it."""
    serial = {"delegated_serial": parsed.serial} if parsed.serial else {}
    return {"registry": rec.registry, "opaque_id": rec.opaque_id, **serial}


def _add_stats(parsed: Parsed, holdings: dict[str, _Holding],
               registries: dict[str, Entity]) -> None:
    """Put the file's counts on the registry node named in its version line."""
    per_type = Counter(r.type for r in parsed.records)
    countries = {r.cc for r in parsed.records if country_name(r.cc) is not None}
    stats = {"serial": parsed.serial, "records": {t: per_type[t] for t in TYPES},
             "holders": len(holdings), "countries": len(countries)}
    target = registries.get(parsed.registry) or next(iter(registries.values()))
    target.properties["delegated_stats"] = stats


DELEGATED = register(Loader("rir-delegated", (), _detect, load))

"""RPSL whois bulk dumps: RIPE NCC's split files (``ripe.db.organisation.gz``,
``ripe.db.aut-num.gz``, ``ripe.db.inetnum.gz``, ``ripe.db.inet6num.gz``), AFRINIC's
``afrinic.db.gz`` and APNIC's ``apnic.db.*.gz``.

Format: objects separated by blank lines; each line ``attribute: value``; a line starting
with a space, a tab or ``+`` continues the previous attribute; lines starting with ``%`` or
``#`` are comments; attributes may repeat (the first of each is read). The first attribute
names the object's class. The file is read as a stream, object by object.

Read:

- ``organisation``: an ``Organization`` whose id comes from its handle (``org:
  org-ex1-afrinic``, the id CAIDA as2org gives the same organisation), named by
  ``org-name``; properties ``org_handle``, ``org_type``, ``country``, ``whois_source``;
  ``LOCATED_IN`` its country;
- ``aut-num``: the ``ASN`` node (``as-name`` an alias and ``as_name``), ``HELD_BY`` the
  organisation its ``org:`` names;
- ``inetnum`` / ``inet6num`` with an ``org:``: the ``Prefix`` of its range (``a.b.c.d -
  e.f.g.h`` or a prefix), named as loaders/delegated.py names the same block (CIDR when
  aligned, else the range), ``HELD_BY`` that organisation; properties ``netname``,
  ``status``, ``country``. Ranges without an ``org:`` name nobody and are skipped.

An organisation that objects refer to but the file does not define (RIPE's split files)
gets a placeholder node named by its handle, which the organisation's real name replaces
when its file is loaded (graph/merge.py ``placeholder``).

Never stored: ``person``, ``role``, ``mntner`` and ``irt`` objects (and every class not
listed above) are skipped whole, and only the attributes listed are read, each dropped when
it is a masked or dummy value of the public dumps (``***``, ``DUMY-RIPE``, "Dummy address
for ...", "Dummy ..."). Linking a delegated holder to its whois organisation through their
shared block is graph/bridge.py's work.

Limits: an object over MAX_OBJECT_LINES lines or MAX_OBJECT_CHARS characters, a malformed
line, a bad AS number or a bad range fails the file with ``FILE:LINE: reason``. The dump
streams (:func:`stream`, ``govgraph load`` writes it part by part in one transaction).
"""

from __future__ import annotations

import ipaddress
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph.ids import entity_id
from graph.model import Batch, Entity, ModelError, Relation
from graph.vocab import RECORD
from loaders.base import Loader, LoadError, iter_lines, new_batch, register
from loaders.resources import MAX_ASN, asn_entity, ipv4_block_name, locate, prefix_entity

MAX_OBJECT_LINES = 10_000
MAX_OBJECT_CHARS = 1_000_000
READ = ("organisation", "aut-num", "inetnum", "inet6num")
CLASSES = frozenset(("organisation aut-num inetnum inet6num person role mntner irt as-block "
                     "as-set route route6 domain key-cert poem poetic-form inet-rtr filter-set "
                     "peering-set route-set rtr-set limerick").split())
_ATTRIBUTE = re.compile(r"([A-Za-z0-9][A-Za-z0-9_-]*):(.*)")
_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_ASN = re.compile(r"AS(\d+)", re.IGNORECASE)
_MASKED = re.compile(r"^\*+$|DUMY-|^dummy\b", re.IGNORECASE)


@dataclass(slots=True)
class RpslObject:
    """One object: its class, first line, and attributes in order (values joined across
    continuation lines)."""

    line: int
    attributes: list[tuple[str, str]]

    @property
    def kind(self) -> str:
        return self.attributes[0][0]

    def first(self, name: str) -> str:
        """The first value of an attribute that is not masked or dummy, else ``""``."""
        for attr, value in self.attributes:
            if attr == name and value and not _MASKED.search(value):
                return value
        return ""


@dataclass(slots=True)
class _Dump:
    path: Path
    batch: Batch
    orgs: set[str] = field(default_factory=set)  # handles defined in the current part
    referenced: dict[str, str] = field(default_factory=dict)  # handle -> first locator, in it
    defined: set[str] = field(default_factory=set)  # handles defined in earlier parts
    countries: set[str] = field(default_factory=set)  # country nodes already written
    unnamed_ranges: int = 0
    written: int = 0  # entities in the parts given so far

    def part(self) -> Batch:
        """The current part, completed (:func:`_placeholders`); the next one starts empty."""
        _placeholders(self)
        if self.unnamed_ranges:
            self.batch.skipped += self.unnamed_ranges
        done, self.written = self.batch, self.written + len(self.batch.entities)
        self.batch = Batch(source_id=done.source_id, uri=done.uri, loader=done.loader,
                           retrieved_at=done.retrieved_at)
        self.defined |= self.orgs
        self.orgs, self.referenced, self.unnamed_ranges = set(), {}, 0
        return done


def _detect(path: Path, head: str) -> bool:
    for line in head.lstrip("\ufeff").splitlines():
        if not line.strip() or line[0] in "%#":
            continue
        found = _ATTRIBUTE.match(line)
        return found is not None and found.group(1).lower() in CLASSES
    return False


def objects(path: Path, kinds: frozenset[str] | None = None) -> Iterator[RpslObject]:
    """The objects of a dump, streamed; only the classes in ``kinds`` when given (the others
    are read past without being kept). LoadError for an object over the limits or a line
    that is neither an attribute, a continuation, a comment nor blank."""
    current: RpslObject | None = None
    keep = True
    lines = chars = 0
    for number, line in enumerate(iter_lines(path), 1):
        if not line or line.isspace():
            if current is not None and keep:
                yield current
            current, keep, lines, chars = None, True, 0, 0
            continue
        first = line[0]
        if first in "%#":
            continue
        lines, chars = lines + 1, chars + len(line)
        if lines > MAX_OBJECT_LINES or chars > MAX_OBJECT_CHARS:
            start = current.line if current else number
            raise LoadError(path, f"object starting at line {start} is over "
                            f"{MAX_OBJECT_LINES} lines or {MAX_OBJECT_CHARS} characters", number)
        if first in " \t+":
            if current is None:
                raise LoadError(path, "continuation line outside an object", number)
            if keep and current.attributes:
                name, value = current.attributes[-1]
                more = line[1:].strip()
                current.attributes[-1] = (name, f"{value} {more}".strip() if more else value)
            continue
        if current is not None and not keep:  # an object not asked for: read past it
            continue
        found = _ATTRIBUTE.match(line)
        if found is None:
            raise LoadError(path, "expected 'attribute: value'", number)
        name = found.group(1).lower()
        if current is None:
            current = RpslObject(number, [])
            keep = kinds is None or name in kinds
            if not keep:
                continue
        current.attributes.append((name, found.group(2).strip()))
    if current is not None and keep:
        yield current


def load(path: Path) -> Batch:
    """The batch of one whois dump (see the module docstring)."""
    return next(stream(path, sys.maxsize))


def stream(path: Path, rows: int) -> Iterator[Batch]:
    """The dump in parts of about ``rows`` records, read as they come: memory follows a part
    (and the set of organisation handles), not the dump. Each part has the organisations
    its objects refer to: those it does not define as placeholders (combined with the real
    name when it is defined in another part, graph/merge.py ``combine_entities``), so that a
    range's organisation is in the range's part for the bridge (graph/bridge.py)."""
    dump = _Dump(path, new_batch(path, "rpsl-whois"))
    steps = {"organisation": _organisation, "aut-num": _aut_num, "inetnum": _inetnum,
             "inet6num": _inet6num}
    for obj in objects(path, frozenset(READ)):
        try:
            steps[obj.kind](dump, obj)
        except (ModelError, ValueError) as exc:
            raise LoadError(path, f"{obj.kind}: {exc}", obj.line) from None
        if len(dump.batch.entities) + len(dump.batch.relations) >= rows:
            yield dump.part()
    if not dump.written and not dump.batch.entities:
        raise LoadError(path, "no organisation, aut-num, inetnum or inet6num objects with "
                        "an org: in whois dump")
    if dump.batch.entities or not dump.written:
        yield dump.part()


def org_id(handle: str) -> str:
    """The node id of a whois organisation handle (shared with CAIDA as2org's org_id)."""
    return entity_id("Organization", handle)


def _uncommented(value: str) -> str:
    return value.split("#", 1)[0].strip()


def _handle(value: str, what: str) -> str:
    handle = _uncommented(value)
    if not _HANDLE.fullmatch(handle):
        raise ValueError(f"bad {what} handle {handle!r}")
    return handle.upper()


def _organisation(dump: _Dump, obj: RpslObject) -> None:
    handle = _handle(obj.attributes[0][1], "organisation")
    name = obj.first("org-name") or handle
    locator = f"line {obj.line}"
    props = {"org_handle": handle, "org_type": _uncommented(obj.first("org-type")),
             "country": _uncommented(obj.first("country")).upper(),
             "whois_source": _uncommented(obj.first("source")).upper()}
    entity = Entity("Organization", name, id=org_id(handle), keys=[handle], locator=locator,
                    properties={k: v for k, v in props.items() if v})
    dump.orgs.add(handle)
    dump.batch.entities.append(entity)
    locate(dump.batch, dump.countries, entity, props["country"], locator)


def _held_by(dump: _Dump, obj: RpslObject, resource: Entity) -> bool:
    """Add ``resource HELD_BY`` the object's ``org:``; False when it names none."""
    org = obj.first("org")
    if not org:
        return False
    handle = _handle(org, "org")
    locator = f"line {obj.line}"
    dump.referenced.setdefault(handle, locator)
    dump.batch.entities.append(resource)
    dump.batch.relations.append(Relation(resource.id, org_id(handle), "HELD_BY",
                                         {}, RECORD.confidence, locator))
    return True


def _aut_num(dump: _Dump, obj: RpslObject) -> None:
    found = _ASN.fullmatch(_uncommented(obj.attributes[0][1]))
    if found is None or not 0 < int(found.group(1)) <= MAX_ASN:
        raise ValueError(f"bad AS number {obj.attributes[0][1]!r}")
    asn = asn_entity(int(found.group(1)), locator=f"line {obj.line}")
    if name := _uncommented(obj.first("as-name")):
        asn.aliases.append(name)
        asn.properties["as_name"] = name
    if not _held_by(dump, obj, asn):
        dump.batch.entities.append(asn)


def _range_props(obj: RpslObject) -> dict[str, object]:
    """A range's properties; the few values most ranges share are interned (one string
    each in memory, however many of the dump's millions of ranges repeat it)."""
    props = {"netname": _uncommented(obj.first("netname")),
             "status": sys.intern(_uncommented(obj.first("status"))),
             "country": sys.intern(_uncommented(obj.first("country")).upper()),
             "whois_source": sys.intern(_uncommented(obj.first("source")).upper())}
    return {k: v for k, v in props.items() if v}


def _inetnum(dump: _Dump, obj: RpslObject) -> None:
    if not obj.first("org"):  # names nobody: not worth parsing
        dump.unnamed_ranges += 1
        return
    text = _uncommented(obj.attributes[0][1])
    if "-" in text:
        first, _, last = text.partition("-")
        start, end = ipaddress.IPv4Address(first.strip()), ipaddress.IPv4Address(last.strip())
    else:
        net = ipaddress.IPv4Network(text, strict=False)
        start, end = net.network_address, net.broadcast_address
    if end < start:
        raise ValueError(f"range {text!r} ends before it starts")
    count = int(end) - int(start) + 1
    prefix = prefix_entity(ipv4_block_name(start, count), f"line {obj.line}",
                           ip_start=str(start), ip_count=count, **_range_props(obj))
    _held_by(dump, obj, prefix)


def _inet6num(dump: _Dump, obj: RpslObject) -> None:
    if not obj.first("org"):
        dump.unnamed_ranges += 1
        return
    net = ipaddress.IPv6Network(_uncommented(obj.attributes[0][1]), strict=True)
    _held_by(dump, obj, prefix_entity(str(net), f"line {obj.line}", **_range_props(obj)))


def _placeholders(dump: _Dump) -> None:
    """A placeholder node for each organisation the part refers to but does not define."""
    for handle, locator in dump.referenced.items():
        if handle not in dump.orgs:
            dump.batch.entities.append(Entity("Organization", handle, id=org_id(handle),
                                              keys=[handle], locator=locator,
                                              properties={"org_handle": handle}))


RPSL = register(Loader("rpsl-whois", (), _detect, load, stream))

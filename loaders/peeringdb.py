"""PeeringDB JSON dumps: organisations, networks, exchanges, facilities and who is where.

Input: one JSON object whose keys are PeeringDB tables, each ``{"data": [...]}`` (the API
and dump shape) or a plain list of records. Tables read: ``org``, ``net``, ``ix``, ``fac``,
``ixlan``, ``ixfac``, ``netixlan``, ``netfac``; others (``poc``, ``ixpfx``, ...) are ignored,
records whose ``status`` is ``deleted`` are skipped.

Mapping (keys ``peeringdb:<table>:<id>`` on every node, locators ``<table> <id>``):

- ``org`` → ``Organization`` (``aka``/``name_long`` as aliases), ``LOCATED_IN`` its country;
- ``net`` → the ``ASN`` node of its ``asn`` (``asn:13335``, the network's names as aliases),
  ``OPERATES``-ed by its org;
- ``ix`` / ``fac`` → ``Service`` nodes (``service_kind`` exchange / facility), operated by
  their org and ``LOCATED_IN`` their country;
- ``netixlan`` → network ``MEMBER_OF`` exchange and ``INTERCONNECTS_AT`` it (per network and
  exchange: ``ports``, ``speed`` in Mbit/s, ``weight`` = speed);
- ``netfac`` → network ``LOCATED_IN`` facility and ``INTERCONNECTS_AT`` it;
- ``ixfac`` → exchange ``LOCATED_IN`` facility and ``INTERCONNECTS_AT`` it.

``INTERCONNECTS_AT`` is the dependency of the ``facilities`` layer: a network needs one of
the exchanges and facilities where it connects, which is a different need from its
registry's number resources (layer ``number_resources``) or its transit (``routing``).

Confidence tiers (graph/vocab.py): ``RECORD`` for what a record states, ``INFERRED`` for
the dependencies it implies, ``FIELD`` for self-reported countries. A reference to a record
that is not in the file (a partial dump) is skipped and counted in a warning. Broken JSON,
a table that is not a list, or a record without its ``id``/``name``/``asn`` fails the whole
file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.model import Batch, Entity, ModelError, Relation
from graph.vocab import FIELD, INFERRED, RECORD
from loaders.base import Loader, LoadError, new_batch, read_text, register
from loaders.resources import MAX_ASN, asn_entity, country_entity

TABLES = ("org", "net", "ix", "fac", "ixlan", "ixfac", "netixlan", "netfac")
KNOWN = (*TABLES, "poc", "ixpfx", "carrier", "carrierfac", "campus", "as_set")
_FIRST_KEY = re.compile(r'\s*\{\s*"(' + "|".join(KNOWN) + r')"\s*:')


@dataclass(slots=True)
class _Link:
    """Ports (or presences) of one network at one exchange or facility."""

    locator: str
    ports: int = 0
    speed: int = 0


@dataclass(slots=True)
class _Dump:
    """The tables of a dump and the batch being built."""

    path: Path
    tables: dict[str, list[dict[str, Any]]]
    batch: Batch
    nodes: dict[tuple[str, int], str] = field(default_factory=dict)  # (table, id) -> node id
    links: dict[tuple[str, str, str], _Link] = field(default_factory=dict)
    ixlans: dict[Any, Any] = field(default_factory=dict)  # ixlan id -> ix id
    missing: int = 0


def _detect(path: Path, head: str) -> bool:
    return _FIRST_KEY.match(head.lstrip("\ufeff")) is not None


def read_dump(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The records of each table read (``{"data": [...]}`` or a list), live ones only."""
    try:
        obj = json.loads(read_text(path))
    except RecursionError:
        raise LoadError(path, "JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise LoadError(path, f"invalid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(obj, dict) or not any(t in obj for t in TABLES):
        raise LoadError(path, f"not a PeeringDB dump (no {', '.join(TABLES)} table)")
    tables = {}
    for table in TABLES:
        rows = obj.get(table, [])
        rows = rows.get("data") if isinstance(rows, dict) else rows
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise LoadError(path, f"table {table!r} must be a list of objects")
        tables[table] = [r for r in rows if r.get("status") != "deleted"]
    return tables


def load(path: Path) -> Batch:
    """The batch of one PeeringDB dump (see the module docstring)."""
    dump = _Dump(path, read_dump(path), new_batch(path, "peeringdb"))
    dump.ixlans = {r.get("id"): r.get("ix_id") for r in dump.tables["ixlan"]}
    for table, step in _STEPS.items():
        for number, row in enumerate(dump.tables[table], 1):
            try:
                step(dump, row)
            except (ModelError, ValueError, TypeError) as exc:
                raise LoadError(path, f"{table} record {number}: {exc}") from None
    if dump.missing:
        dump.batch.warnings.append(f"{path}: {dump.missing} references to records not in "
                                   "the file were skipped")
    _aggregate(dump)
    return dump.batch


def _id(row: dict[str, Any], key: str = "id") -> int:
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key!r} must be a whole number, not {value!r}")
    return value


def _name(row: dict[str, Any]) -> str:
    name = row.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("missing 'name'")
    return name


def _texts(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: row[k] for k in keys if isinstance(row.get(k), (str, int, float))
            and not isinstance(row.get(k), bool) and row.get(k) != ""}


def _node(dump: _Dump, table: str, row: dict[str, Any], entity: Entity) -> Entity:
    """Register a table row's node: its key, its country, its operating organisation."""
    rid = _id(row)
    entity.keys.append(f"peeringdb:{table}:{rid}")
    entity.locator = f"{table} {rid}"
    entity.properties["peeringdb_id"] = rid
    dump.batch.entities.append(entity)
    dump.nodes[(table, rid)] = entity.id
    country = country_entity(str(row.get("country") or ""), entity.locator)
    if country is not None and table != "net":
        dump.batch.entities.append(country)
        _relate(dump, entity.id, country.id, "LOCATED_IN", FIELD.confidence, entity.locator)
    if table != "org" and row.get("org_id") is not None:
        org = dump.nodes.get(("org", _id(row, "org_id")))
        if org is None:
            dump.missing += 1
        else:
            _relate(dump, org, entity.id, "OPERATES", RECORD.confidence, entity.locator)
    return entity


def _relate(dump: _Dump, src: str, dst: str, type_: str, confidence: float, locator: str,
            **props: Any) -> None:
    dump.batch.relations.append(Relation(src, dst, type_, props, confidence, locator))


def _aliases(row: dict[str, Any], *keys: str) -> list[str]:
    return [row[k] for k in keys if isinstance(row.get(k), str) and row[k].strip()]


def _org(dump: _Dump, row: dict[str, Any]) -> None:
    _node(dump, "org", row, Entity("Organization", _name(row),
                                   aliases=_aliases(row, "aka", "name_long"),
                                   properties=_texts(row, "website", "city", "country")))


def _net(dump: _Dump, row: dict[str, Any]) -> None:
    asn = _id(row, "asn")
    if not 0 < asn <= MAX_ASN:
        raise ValueError(f"asn {asn} is outside 1-{MAX_ASN}")
    entity = asn_entity(asn)
    entity.aliases.extend([_name(row), *_aliases(row, "aka", "name_long")])
    entity.properties.update(network_name=_name(row), **_texts(
        row, "info_type", "policy_general", "website", "irr_as_set", "info_prefixes4",
        "info_prefixes6"))
    _node(dump, "net", row, entity)


def _service(kind: str) -> Callable[[_Dump, dict[str, Any]], None]:
    def add(dump: _Dump, row: dict[str, Any]) -> None:
        props = {"service_kind": "exchange" if kind == "ix" else "facility",
                 **_texts(row, "city", "country", "website", "address1", "latitude",
                          "longitude")}
        _node(dump, kind, row, Entity("Service", _name(row),
                                      aliases=_aliases(row, "aka", "name_long"),
                                      properties=props))
    return add


_ix = _service("ix")
_fac = _service("fac")


def _ref(dump: _Dump, table: str, rid: Any) -> str | None:
    """The node of a referenced record, or None (counted) when the file lacks it."""
    node = dump.nodes.get((table, rid)) if isinstance(rid, int) else None
    if node is None:
        dump.missing += 1
    return node


def _ixfac(dump: _Dump, row: dict[str, Any]) -> None:
    _link(dump, "ixfac", row, _ref(dump, "ix", row.get("ix_id")),
          _ref(dump, "fac", row.get("fac_id")))


def _netfac(dump: _Dump, row: dict[str, Any]) -> None:
    _link(dump, "netfac", row, _ref(dump, "net", row.get("net_id")),
          _ref(dump, "fac", row.get("fac_id")))


def _netixlan(dump: _Dump, row: dict[str, Any]) -> None:
    ix_id = row.get("ix_id")
    if ix_id is None:  # older dumps name only the ixlan
        ix_id = dump.ixlans.get(row.get("ixlan_id"))
    _link(dump, "netixlan", row, _ref(dump, "net", row.get("net_id")),
          _ref(dump, "ix", ix_id))


def _link(dump: _Dump, table: str, row: dict[str, Any], src: str | None,
          dst: str | None) -> None:
    """Count one port or presence towards the (table, source, target) link."""
    if src is None or dst is None:
        return
    link = dump.links.setdefault((table, src, dst), _Link(f"{table} {_id(row)}"))
    link.ports += 1
    speed = row.get("speed")
    link.speed += speed if isinstance(speed, int) and not isinstance(speed, bool) else 0


# What each link table states, and the basis of the dependency it implies.
_LINK_TYPES = {"netixlan": ("MEMBER_OF", "peering at exchange"),
               "netfac": ("LOCATED_IN", "presence in facility"),
               "ixfac": ("LOCATED_IN", "exchange in facility")}


def _aggregate(dump: _Dump) -> None:
    for (table, src, dst), link in dump.links.items():
        stated, basis = _LINK_TYPES[table]
        ports = {"ports": link.ports, "speed": link.speed} if table == "netixlan" else {}
        _relate(dump, src, dst, stated, RECORD.confidence, link.locator,
                **ports)
        weight = {"weight": link.speed} if ports else {}
        _relate(dump, src, dst, "INTERCONNECTS_AT", INFERRED.confidence, link.locator,
                basis=basis, **ports, **weight)


# Tables in the order they are read: nodes before the links between them.
_STEPS: dict[str, Callable[[_Dump, dict[str, Any]], None]] = {
    "org": _org, "net": _net, "ix": _ix, "fac": _fac, "ixfac": _ixfac,
    "netixlan": _netixlan, "netfac": _netfac}
PEERINGDB = register(Loader("peeringdb", (".json",), _detect, load))

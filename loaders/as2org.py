"""CAIDA AS-to-Organization (``YYYYMMDD.as-org2info.txt[.gz]`` and ``.jsonl[.gz]``).

Text files have sections, each introduced by a ``# format:`` line naming its fields (read
as they come, with or without a space after the colon)::

    # format:org_id|changed|org_name|country|source
    # format:aut|changed|aut_name|org_id|opaque_id|source

(files before 2014 have no ``opaque_id``). JSON Lines files hold one object per line:
``{"type": "Organization", "organizationId", "name", "country", "source"}`` or
``{"type": "ASN", "asn": "64496", "name", "organizationId", "opaqueId", "source"}``.
``source`` may list several registries (``APNIC,RIPE``); it is kept as a list.

Mapping:

- an organisation becomes an ``Organization`` whose id comes from its ``org_id`` (``org:
  org-ex1-afrinic``, the registry's organisation handle, so a whois dump naming the same
  handle describes the same node), named by ``org_name``, ``LOCATED_IN`` its country; the
  synthetic ``@del-…`` organisations are skipped;
- an AS becomes the ``ASN`` node ``asn:N`` (its ``aut_name`` an alias and ``as_name``) and is
  ``HELD_BY`` its organisation (the same direction as a prefix ``HELD_BY`` its holder);
- **the opaque-id bridge**: ``opaque_id`` is the RIR delegated-extended file's opaque id plus
  ``_<RIR>`` (``F3682104_AFRINIC``). The organisation holding that AS carries the delegated
  holder's name (``afrinic:F3682104``) as an alias and a ``same_as`` bridge
  (graph/merge.py), so it and the holder node of loaders/delegated.py are one node named by
  the organisation, whichever is loaded first; the merge log says why, with the
  publication date of the as2org file (from its name, ``20230301`` -> 2023-03-01).

Confidence: RECORD for what a record states (the AS's organisation), FIELD for the
self-reported country. A line that does not fit its ``# format:`` line fails the file with
``FILE:LINE: reason``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph.ids import entity_id
from graph.model import Batch, Entity, ModelError, Relation
from graph.vocab import RECORD
from loaders.base import Loader, LoadError, iter_lines, new_batch, register
from loaders.resources import MAX_ASN, asn_entity, locate

ORG_FIELDS = ("org_id", "changed", "org_name", "country", "source")
AUT_FIELDS = ("aut", "changed", "aut_name", "org_id", "source")  # opaque_id optional
_FORMAT = re.compile(r"#\s*format\s*:\s*(.*)")
_TEXT_HEAD = re.compile(r"^#\s*format\s*:\s*(org_id\|changed\|org_name|aut\|changed\|"
                        r"aut_name)", re.MULTILINE)
_FILE_DATE = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
# The suffix of an as2org opaque id -> the registry code of the delegated files.
RIR_CODES = {"AFRINIC": "afrinic", "APNIC": "apnic", "ARIN": "arin", "LACNIC": "lacnic",
             "RIPE": "ripencc", "RIPENCC": "ripencc"}


@dataclass(slots=True)
class _Org:
    entity: Entity
    holders: dict[str, str] = field(default_factory=dict)  # holder name -> opaque id


@dataclass(slots=True)
class _File:
    """The batch being built and what it has seen so far."""

    path: Path
    batch: Batch
    published: str | None
    orgs: dict[str, _Org] = field(default_factory=dict)
    auts: list[tuple[dict[str, str], str]] = field(default_factory=list)  # (record, locator)
    unknown_orgs: int = 0
    countries: set[str] = field(default_factory=set)  # country nodes already in the batch


def _detect(path: Path, head: str) -> bool:
    if _TEXT_HEAD.search(head):
        return True
    first = next((ln for ln in head.lstrip("\ufeff").splitlines() if ln.strip()), "")
    try:
        obj = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return isinstance(obj, dict) and obj.get("type") in ("Organization", "ASN") \
        and "organizationId" in obj


def publication_date(path: Path) -> str | None:
    """The date in a CAIDA file name (``20230301.as-org2info.txt.gz`` -> ``2023-03-01``)."""
    found = _FILE_DATE.search(path.name)
    return f"{found[1]}-{found[2]}-{found[3]}" if found else None


def load(path: Path) -> Batch:
    """The batch of one as2org file, text or JSON Lines (see the module docstring)."""
    data = _File(path, new_batch(path, "caida-as2org"), publication_date(path))
    for number, kind, record in _records(path):
        locator = f"line {number}"
        try:
            if kind == "org":
                _org(data, record, locator)
            else:
                data.auts.append((record, locator))
        except (ModelError, ValueError) as exc:
            raise LoadError(path, str(exc), number) from None
    for record, locator in data.auts:
        try:
            _aut(data, record, locator)
        except (ModelError, ValueError) as exc:
            raise LoadError(path, str(exc), int(locator.split()[1])) from None
    _bridge(data)
    if data.unknown_orgs:
        data.batch.warnings.append(f"{path}: {data.unknown_orgs} ASes name an organisation "
                                   "not in the file (or a deleted one): left unlinked")
    if not data.batch.entities:
        raise LoadError(path, "no organisations or ASes in as2org file")
    return data.batch


def _records(path: Path) -> Iterator[tuple[int, str, dict[str, str]]]:
    """``(line, "org" | "aut", fields)`` for each record, text or JSON Lines."""
    fields: list[str] | None = None
    for number, line in enumerate(iter_lines(path), 1):
        text = line.strip()
        if not text:
            continue
        if text.startswith("{"):
            yield number, *_json_record(path, number, text)
            continue
        if text.startswith("#"):
            if found := _FORMAT.match(text):
                fields = _format(path, number, found.group(1))
            continue
        if fields is None:
            raise LoadError(path, "record before any '# format:' line", number)
        yield number, ("org" if fields[0] == "org_id" else "aut"), \
            _split(path, number, text, fields)


def _format(path: Path, number: int, text: str) -> list[str]:
    fields = [f.strip() for f in text.split("|")]
    wanted = ORG_FIELDS if fields[0] == "org_id" else AUT_FIELDS
    if fields[0] not in ("org_id", "aut") or not set(wanted) <= set(fields):
        raise LoadError(path, f"unknown '# format:' line (expected {'|'.join(ORG_FIELDS)} "
                        f"or {'|'.join(AUT_FIELDS)}[|opaque_id])", number)
    return fields


def _split(path: Path, number: int, text: str, fields: list[str]) -> dict[str, str]:
    values = text.split("|")
    if len(values) < len(fields):
        raise LoadError(path, f"expected {len(fields)} fields ({'|'.join(fields)}), found "
                        f"{len(values)}", number)
    if len(values) > len(fields):  # a '|' inside the name: the name takes the surplus
        name_at = 2
        surplus = len(values) - len(fields)
        values[name_at:name_at + surplus + 1] = ["|".join(values[name_at:name_at + surplus + 1])]
    return {f: v.strip() for f, v in zip(fields, values, strict=True)}


_JSON_KEYS = {"organizationId": "org_id", "name": "name", "country": "country",
              "source": "source", "changed": "changed", "asn": "aut", "opaqueId": "opaque_id"}


def _json_record(path: Path, number: int, text: str) -> tuple[str, dict[str, str]]:
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        raise LoadError(path, "invalid JSON", number) from None
    if not isinstance(obj, dict) or obj.get("type") not in ("Organization", "ASN"):
        raise LoadError(path, "each line must be an object of type Organization or ASN",
                        number)
    record = {ours: str(obj[theirs]).strip() for theirs, ours in _JSON_KEYS.items()
              if obj.get(theirs) is not None}
    if obj["type"] == "Organization":
        record["org_name"] = record.pop("name", "")
        return "org", record
    record["aut_name"] = record.pop("name", "")
    return "aut", record


def _sources(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


def _org(data: _File, record: dict[str, str], locator: str) -> None:
    org_id, name = record.get("org_id", ""), record.get("org_name", "")
    if not org_id:
        raise ValueError("organisation without an org_id")
    if org_id.startswith("@del"):
        return
    props = {"as2org_org_id": org_id, "as2org_source": _sources(record.get("source", "")),
             "as2org_changed": record.get("changed") or None,
             "as2org_published": data.published}
    entity = Entity("Organization", name or org_id, id=entity_id("Organization", org_id),
                    keys=[org_id], locator=locator,
                    properties={k: v for k, v in props.items() if v})
    data.orgs[org_id] = _Org(entity)
    data.batch.entities.append(entity)
    locate(data.batch, data.countries, entity, record.get("country", ""), locator)


def _aut(data: _File, record: dict[str, str], locator: str) -> None:
    text = record.get("aut", "")
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ASN:
        raise ValueError(f"AS number {text!r} is not a number in 1-{MAX_ASN}")
    asn = asn_entity(int(text), locator=locator)
    if name := record.get("aut_name"):
        asn.aliases.append(name)
        asn.properties["as_name"] = name
    opaque = record.get("opaque_id", "")
    if opaque:
        asn.properties["as2org_opaque_id"] = opaque
    data.batch.entities.append(asn)
    org = data.orgs.get(record.get("org_id", ""))
    if org is None:
        data.unknown_orgs += 1
        return
    data.batch.relations.append(Relation(asn.id, org.entity.id, "HELD_BY",
                                         {"basis": "as2org"}, RECORD.confidence, locator))
    holder = holder_name(opaque)
    if holder:
        org.holders.setdefault(holder, opaque)


def holder_name(opaque_id: str) -> str | None:
    """The delegated holder an as2org opaque id names (``F3682104_AFRINIC`` ->
    ``afrinic:F3682104``), or None when it names no RIR's delegated files."""
    opaque, _, rir = opaque_id.rpartition("_")
    code = RIR_CODES.get(rir.upper())
    return f"{code}:{opaque}" if opaque and code else None


def _bridge(data: _File) -> None:
    """Give each organisation the names of the delegated holders its ASes' opaque ids name,
    with the reason each is the same organisation."""
    when = data.published or "unknown date"
    for org in data.orgs.values():
        if not org.holders:
            continue
        org.entity.aliases.extend(org.holders)
        org.entity.properties["same_as"] = [
            {"ref": holder, "reason": f"as2org opaque_id {opaque} = delegated holder "
                                      f"{holder}, publication {when}",
             "as2org_published": data.published}
            for holder, opaque in org.holders.items()]


AS2ORG = register(Loader("caida-as2org", (), _detect, load))

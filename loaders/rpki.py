"""RPKI validated ROA payloads, as Routinator and rpki-client export them.

Forms read:

- CSV with the header ``ASN,IP Prefix,Max Length,Trust Anchor`` (Routinator ``csv``) or
  ``…,Expires`` (rpki-client ``-c``): ``AS64496,192.0.2.0/24,24,ripe``;
- JSON ``{"roas": [{"asn": "AS64496" or 64496, "prefix": …, "maxLength": 24, "ta": "ripe"
  [, "expires": <unix time>]}, …]}`` (Routinator ``json``, rpki-client ``-j``; rpki-client's
  ``metadata.buildtime`` dates the snapshot).

Each payload gives: the ``Prefix`` (``prefix:<cidr>``) ``CERTIFIED_BY`` its trust anchor's
registry (``ripe`` → the ``RIPE NCC`` node shared with the delegated and IANA loaders; a
dependency of the ``rpki`` layer: the prefix's routes validate only while that trust anchor
works), and the ``ASN`` ``ROA_ORIGIN`` the prefix with ``max_length`` (one fact per maximum
length). A trust anchor that names no known registry becomes a ``Registry`` node of its own
name, with a warning.

**Time**: one file is one snapshot of the dataset ``rpki-vrps``, observed on the date in its
file name (``…YYYYMMDD…`` or ``YYYY-MM-DD``), else on rpki-client's ``buildtime``; without
either the snapshot holds at every date (a warning says so). See graph/timeline.py.

A bad row (an AS number, prefix or maximum length that does not parse, a maximum length
shorter than the prefix or longer than the address) fails the whole file with ``FILE:LINE:
reason`` (JSON: ``roa N``).
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.model import Batch, Entity, Relation
from graph.vocab import RECORD
from loaders.base import Loader, LoadError, new_batch, read_text, register
from loaders.resources import (
    MAX_ASN,
    Registry,
    asn_entity,
    prefix_entity,
    registry_entity,
    registry_named,
)

CSV_HEADER = ("asn", "ip prefix", "max length", "trust anchor")
DATASET = "rpki-vrps"
_NAME_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


@dataclass(frozen=True, slots=True)
class Payload:
    """One validated ROA payload; ``where`` locates it (``line N`` or ``roa N``)."""

    asn: int
    prefix: str
    max_length: int
    trust_anchor: str
    where: str


def _detect_csv(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip().lower()
    return tuple(c.strip() for c in first.split(","))[:4] == CSV_HEADER


def _detect_json(path: Path, head: str) -> bool:
    return '"roas"' in head[:4096] and head.lstrip().startswith("{")


def _payload(path: Path, where: str, line: int | None, asn: Any, prefix: Any,
             max_length: Any, ta: Any) -> Payload:
    """A checked payload; LoadError naming the row otherwise."""
    try:
        text = str(asn).strip().upper().removeprefix("AS")
        number = int(text) if text.isascii() and text.isdigit() else -1
        if not 0 <= number <= MAX_ASN:
            raise ValueError(f"{asn!r} is not an AS number")
        network = ipaddress.ip_network(str(prefix).strip(), strict=True)
        length = int(str(max_length).strip())
        if not network.prefixlen <= length <= network.max_prefixlen:
            raise ValueError(f"max length {length} is outside {network.prefixlen}-"
                             f"{network.max_prefixlen} for {network}")
        anchor = str(ta).strip()
        if not anchor:
            raise ValueError("no trust anchor")
    except (ValueError, TypeError) as exc:
        raise LoadError(path, f"bad ROA payload ({where}): {exc}", line) from None
    return Payload(number, str(network), length, anchor, where)


def _csv_payloads(path: Path) -> list[Payload]:
    rows = csv.reader(io.StringIO(read_text(path)))
    next(rows, None)
    out = []
    for number, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 4:
            raise LoadError(path, f"expected ASN,IP Prefix,Max Length,Trust Anchor, found "
                            f"{len(row)} fields", number)
        out.append(_payload(path, f"line {number}", number, *row[:4]))
    return out


def _json_document(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(read_text(path))
    except RecursionError:
        raise LoadError(path, "JSON nested too deeply") from None
    except ValueError as exc:
        raise LoadError(path, f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("roas"), list):
        raise LoadError(path, 'expected an object with a "roas" list')
    return doc


def _json_payloads(path: Path, doc: dict[str, Any]) -> list[Payload]:
    out = []
    for number, roa in enumerate(doc["roas"], 1):
        if not isinstance(roa, dict):
            raise LoadError(path, f"roa {number} is not an object")
        missing = [k for k in ("asn", "prefix", "maxLength", "ta") if k not in roa]
        if missing:
            raise LoadError(path, f"roa {number} has no {', '.join(missing)}")
        out.append(_payload(path, f"roa {number}", None, roa["asn"], roa["prefix"],
                            roa["maxLength"], roa["ta"]))
    return out


def _observed(path: Path, doc: dict[str, Any] | None) -> str | None:
    if found := _NAME_DATE.search(path.name):
        try:
            year, month, day = map(int, found.groups())
            return datetime(year, month, day, tzinfo=UTC).date().isoformat()
        except ValueError:
            pass
    built = (doc or {}).get("metadata", {})
    built = built.get("buildtime") if isinstance(built, dict) else None
    if isinstance(built, str) and re.match(r"\d{4}-\d{2}-\d{2}", built):
        return built[:10]
    return None


def build(path: Path, payloads: list[Payload], observed: str | None, loader: str) -> Batch:
    """The batch of a list of payloads (see the module docstring)."""
    if not payloads:
        raise LoadError(path, "no ROA payloads in file")
    batch = new_batch(path, loader)
    batch.dataset, batch.observed = DATASET, observed
    if observed is None:
        batch.warnings.append(f"{path}: no date in the file name or its metadata; the "
                              "snapshot is taken to hold at every date")
    anchors: dict[str, Entity] = {}
    nodes: dict[str, Entity] = {}
    for p in payloads:
        registry = anchors.get(p.trust_anchor) or _anchor(path, p, batch)
        anchors[p.trust_anchor] = registry
        prefix = nodes.setdefault(f"prefix:{p.prefix}", prefix_entity(p.prefix, p.where))
        asn = nodes.setdefault(f"asn:{p.asn}", asn_entity(p.asn, locator=p.where))
        snapshot = {"snapshot": observed} if observed else {}
        batch.relations.append(Relation(prefix.id, registry.id, "CERTIFIED_BY",
                                        {"trust_anchor": p.trust_anchor, **snapshot},
                                        RECORD.confidence, p.where))
        batch.relations.append(Relation(asn.id, prefix.id, "ROA_ORIGIN",
                                        {"max_length": p.max_length, **snapshot},
                                        RECORD.confidence, p.where))
    batch.entities = [*anchors.values(), *nodes.values()]
    return batch


def _anchor(path: Path, payload: Payload, batch: Batch) -> Entity:
    known = registry_named(payload.trust_anchor)
    if known is None:
        batch.warnings.append(f"{path}: trust anchor {payload.trust_anchor!r} ({payload.where})"
                              " names no known registry; it gets a Registry node of its own")
        known = Registry(payload.trust_anchor.upper(), payload.trust_anchor.upper(),
                         (payload.trust_anchor.lower(),), "", kind="trust anchor")
    return registry_entity(known, payload.where)


def load_csv(path: Path) -> Batch:
    return build(path, _csv_payloads(path), _observed(path, None), "rpki-vrps-csv")


def load_json(path: Path) -> Batch:
    doc = _json_document(path)
    return build(path, _json_payloads(path, doc), _observed(path, doc), "rpki-vrps-json")


RPKI_CSV = register(Loader("rpki-vrps-csv", (".csv",), _detect_csv, load_csv))
RPKI_JSON = register(Loader("rpki-vrps-json", (".json",), _detect_json, load_json))

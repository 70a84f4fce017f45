"""IANA's own number registries, read from the XML files the installed ``netaddr`` package
ships (``netaddr/ip/ipv4-address-space.xml``, ``ipv6-unicast-address-assignments.xml``):
real data, no network.

The built-in dataset ``iana`` (``govgraph load iana``) yields one batch per file; a copy of
either file downloaded from iana.org loads as an ordinary file too. Each ``<record>`` gives:

- a ``Prefix`` node (``prefix:41.0.0.0/8``) with ``status``, ``date``, ``designation``,
  ``whois``, ``rdap`` and the text of its footnotes;
- ``ALLOCATED_TO`` the RIR its designation names, when the status is ALLOCATED;
- ``ADMINISTERED_BY`` that RIR, the RIR of "Administered by X", the RIR whose WHOIS server
  serves a legacy block, or else IANA (reserved space);
- for a legacy block whose designation names its holder ("Ford Motor Company"), an
  ``Organization`` that the prefix is ``HELD_BY``;
- ``Service`` nodes for the WHOIS and RDAP servers, each ``OPERATES``-ed by the registry whose
  domain the server is under (http and https URLs of one RDAP server are one service);
- ``DEPENDS_ON`` each RIR → IANA (its address pools come from IANA) and each legacy holder →
  the registry administering its space, aggregated per pair with ``weight`` = IPv4 addresses.

Claims carry the locator ``record <prefix>``; aggregated edges name the first record.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from graph.ids import clean_text
from graph.model import Batch, Entity, Relation
from graph.vocab import INFERRED, RECORD
from loaders.base import Loader, LoadError, new_batch, now, read_text, register, register_dataset
from loaders.resources import (
    IANA,
    REGISTRIES,
    Registry,
    prefix_entity,
    registry_entity,
    registry_for_host,
    registry_named,
)

NS = "{http://www.iana.org/assignments}"
FILES = ("ipv4-address-space", "ipv6-unicast-address-assignments")


@dataclass(slots=True)
class Record:
    """One ``<record>`` of an IANA number registry."""

    prefix: str
    designation: str
    status: str
    date: str | None
    whois: str | None
    rdap: list[str]
    notes: list[str]

    @property
    def locator(self) -> str:
        return f"record {self.prefix}"

    @property
    def addresses(self) -> int:
        net = ipaddress.ip_network(self.prefix)
        return net.num_addresses if net.version == 4 else 0


@dataclass(slots=True)
class _Aggregate:
    """A DEPENDS_ON edge summed over records: first record, number of blocks, addresses."""

    locator: str
    blocks: int = 0
    addresses: int = 0


@dataclass(slots=True)
class _Builder:
    batch: Batch
    family: str  # "ipv4" or "ipv6"
    services: dict[str, Entity] = field(default_factory=dict)
    depends: dict[tuple[str, str], _Aggregate] = field(default_factory=dict)


def registry_path(name: str) -> Path:
    """Where the installed netaddr keeps an IANA registry file."""
    return Path(str(resources.files("netaddr") / "ip" / f"{name}.xml"))


def _text(elem, tag: str) -> str:
    found = elem.find(NS + tag)
    return clean_text("".join(found.itertext())) if found is not None else ""


def _prefix(text: str) -> str:
    """``041/8`` → ``41.0.0.0/8``; ``2001:0200::/23`` → ``2001:200::/23``."""
    if "." not in text and ":" not in text and "/" in text:
        first, length = text.split("/", 1)
        text = f"{int(first)}.0.0.0/{length}"
    return str(ipaddress.ip_network(text, strict=True))


def parse_registry(path: Path, text: str) -> tuple[str, list[Record]]:
    """The registry id (``ipv4-address-space``) and its records; LoadError when the XML is
    unsafe, broken or not an IANA number registry."""
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        line = getattr(exc, "position", (None,))[0]
        raise LoadError(path, f"not loadable XML: {exc}", line) from None
    if root.tag != NS + "registry" or root.get("id") not in FILES:
        raise LoadError(path, f"not an IANA number registry ({', '.join(FILES)})")
    notes = {fn.get("anchor", ""): clean_text("".join(fn.itertext()))
             for fn in root.iter(NS + "footnote")}
    records = []
    for number, elem in enumerate(root.iter(NS + "record"), 1):
        try:
            records.append(_record(elem, notes))
        except ValueError as exc:
            raise LoadError(path, f"record {number}: {exc}") from None
    if not records:
        raise LoadError(path, "no records in registry")
    return root.get("id", ""), records


def _record(elem, notes: dict[str, str]) -> Record:
    prefix = _prefix(_text(elem, "prefix"))
    rdap = elem.find(NS + "rdap")
    own_notes = [_text(elem, "notes")] + [notes.get(x.get("data"), "")
                                          for x in elem.findall(NS + "xref")
                                          if x.get("type") == "note"]
    return Record(prefix=prefix,
                  designation=_text(elem, "designation") or _text(elem, "description"),
                  status=_text(elem, "status").upper(),
                  date=_text(elem, "date") or elem.get("date") or None,
                  whois=_text(elem, "whois") or None,
                  rdap=[clean_text(s.text or "") for s in rdap.findall(NS + "server")]
                  if rdap is not None else [],
                  notes=[n for n in own_notes if n])


def build_batch(path: Path, text: str, batch: Batch) -> Batch:
    """The batch of one registry file (see the module docstring for the mapping)."""
    registry_id, records = parse_registry(path, text)
    builder = _Builder(batch, "ipv4" if registry_id.startswith("ipv4") else "ipv6")
    batch.entities.extend(registry_entity(r, "registry") for r in REGISTRIES)
    for rec in records:
        _add_record(builder, rec)
    batch.entities.extend(builder.services.values())
    for (src, dst), agg in builder.depends.items():
        props = {"basis": "address space", f"{builder.family}_blocks": agg.blocks}
        if builder.family == "ipv4":
            props.update(weight=agg.addresses, ipv4_addresses=agg.addresses)
        batch.relations.append(Relation(src, dst, "DEPENDS_ON", props, INFERRED.confidence,
                                        agg.locator))
    return batch


def _add_record(builder: _Builder, rec: Record) -> None:
    named = _designated_registry(rec.designation)
    admin = named or (registry_for_host(rec.whois) if rec.whois else None) or IANA
    props = {"status": rec.status, "date": rec.date, "designation": rec.designation,
             "ip_version": 4 if builder.family == "ipv4" else 6, "whois": rec.whois,
             "rdap": rec.rdap or None, "notes": rec.notes or None}
    prefix = prefix_entity(rec.prefix, rec.locator,
                           **{k: v for k, v in props.items() if v is not None})
    batch, when = builder.batch, {"start": rec.date} if rec.date else {}
    batch.entities.append(prefix)
    if rec.status == "ALLOCATED" and named is not None and named is not IANA:
        batch.relations.append(Relation(prefix.id, named.id, "ALLOCATED_TO",
                                        {"status": rec.status, **when}, RECORD.confidence,
                                        rec.locator))
        _depend(builder, named.id, IANA.id, rec)
    batch.relations.append(Relation(prefix.id, admin.id, "ADMINISTERED_BY",
                                    {"status": rec.status}, RECORD.confidence, rec.locator))
    if named is None and rec.status == "LEGACY" and rec.designation:
        holder = Entity("Organization", rec.designation, locator=rec.locator,
                        properties={"legacy_holder": True})
        batch.entities.append(holder)
        batch.relations.append(Relation(prefix.id, holder.id, "HELD_BY",
                                        {"status": rec.status, **when}, RECORD.confidence,
                                        rec.locator))
        _depend(builder, holder.id, admin.id, rec)
    _add_services(builder, rec)


def _designated_registry(designation: str) -> Registry | None:
    """The registry a designation names: an RIR, "Administered by X", or IANA's own
    ("IANA", "IANA - Private Use"); None for holders and "Multicast", "Future use", "6to4"."""
    if designation.upper().startswith("IANA"):
        return IANA
    return registry_named(designation)


def _depend(builder: _Builder, src: str, dst: str, rec: Record) -> None:
    agg = builder.depends.setdefault((src, dst), _Aggregate(rec.locator))
    agg.blocks += 1
    agg.addresses += rec.addresses


def _add_services(builder: _Builder, rec: Record) -> None:
    servers: dict[str, tuple[str, list[str]]] = defaultdict(lambda: ("", []))
    if rec.whois:
        servers[rec.whois.lower()] = ("WHOIS", [rec.whois])
    for url in rec.rdap:
        name = url.split("://", 1)[-1].rstrip("/").lower()
        servers[name] = ("RDAP", [*servers[name][1], url])
    for name, (protocol, urls) in servers.items():
        _add_service(builder, name, protocol, urls, rec.locator)


def _add_service(builder: _Builder, name: str, protocol: str, urls: list[str],
                 locator: str) -> None:
    service = builder.services.get(name)
    if service is None:
        service = Entity("Service", name, locator=locator,
                         properties={"protocol": protocol, "urls": []})
        builder.services[name] = service
        operator = registry_for_host(name)
        if operator is not None:
            builder.batch.relations.append(Relation(operator.id, service.id, "OPERATES",
                                                    {"protocol": protocol},
                                                    INFERRED.confidence, locator))
    known = service.properties["urls"]
    known.extend(u for u in urls if u not in known)


def build() -> list[Batch]:
    """The ``iana`` dataset: one batch per registry file in the installed netaddr."""
    batches = []
    for name in FILES:
        path = registry_path(name)
        batch = Batch(source_id=f"iana:{name}", uri=path.resolve().as_uri(), loader="iana",
                      retrieved_at=now())
        batches.append(build_batch(path, read_text(path), batch))
    return batches


def _detect(path: Path, head: str) -> bool:
    return "http://www.iana.org/assignments" in head and any(
        f'id="{name}"' in head for name in FILES)


def load_file(path: Path) -> Batch:
    """A downloaded copy of one of the registry files."""
    return build_batch(path, read_text(path), new_batch(path, "iana"))


register_dataset("iana", build)
IANA_XML = register(Loader("iana-xml", (".xml",), _detect, load_file))
